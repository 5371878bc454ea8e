/**
 * The repository's Namespace objects that say something of a service mesh for the pods in them
 * (Linkerd's `linkerd.io/inject` and `config.linkerd.io/*`, OSM's sidecar injection), and whether
 * it holds a Linkerd `Server` (policy.linkerd.io), read once per run. Only files whose text names
 * a mesh's annotations are parsed.
 */
import path from 'node:path';
import { isMap, isSeq } from '../parse/yaml-lib.js';
import { getPair, nodeAt, parseYaml, plainObjects, scalarText } from '../parse/yaml.js';
import type { RunContext } from '../types.js';
import type { NamespaceMeta } from './probes.js';
import { namedFiles } from '../discover/names.js';
import { CONTROLLER_PATTERN, filesMayHold, MESH_PATTERN, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { repositoryFolders } from '../run-files.js';
import { ARGO_CD, FLUX_KUSTOMIZE } from '../kustomize/controllers.js';
import { KUSTOMIZATION_NAMES, kustomizationRoot, resourcesOf } from '../kustomize/overlays.js';

const MESH_TEXT = new RegExp(MESH_PATTERN);
const isYaml = (f: string) => /\.ya?ml$/i.test(f);

interface MeshIndex {
  namespaces: Map<string, NamespaceMeta>;
  linkerdServer: boolean;
}
const byRun = new WeakMap<RunContext, MeshIndex>();

function indexOf(run: RunContext): MeshIndex {
  let index = byRun.get(run);
  if (index) return index;
  index = { namespaces: new Map(), linkerdServer: false };
  byRun.set(run, index);
  // namedFiles' YAML files (sorted in its one pass) and the JSON ones.
  const named = namedFiles(run);
  const files = [...named.yaml, ...named.json];
  // Many YAML files: asked of git first which name a mesh's annotations (MESH_PATTERN is an
  // alternative of the YAML readers' search, prefetched beside git's listing); JSON files are read.
  const yaml = files.filter(isYaml);
  const may = yaml.length > 100 ? filesMayHold(run, yaml, YAML_READERS_SEARCH, YAML_PATHSPECS) : undefined;
  for (const file of files) {
    if (may && isYaml(file) && !may.has(file)) continue;
    const text = run.readText(file);
    // Templates ({{ }}) are not YAML until rendered.
    if (!text || !MESH_TEXT.test(text) || text.includes('{{')) continue;
    const namespace = /\bNamespace\b/.test(text);
    const server = text.includes('policy.linkerd.io/') && /\bServer\b/.test(text);
    if (!namespace && !server) continue;
    for (const obj of plainObjects(text)) {
      if (!obj || typeof obj !== 'object') continue;
      const o = obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; annotations?: unknown; labels?: unknown } };
      if (o.kind === 'Server' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('policy.linkerd.io/')) index.linkerdServer = true;
      if (o.kind !== 'Namespace' || o.apiVersion !== 'v1' || typeof o.metadata?.name !== 'string') continue;
      const strings = (m: unknown) => new Map(m && typeof m === 'object' ? Object.entries(m).flatMap(([k, v]) => (v === null || typeof v === 'object' ? [] : [[k, String(v)] as [string, string]])) : []);
      index.namespaces.set(o.metadata.name, { name: o.metadata.name, annotations: strings(o.metadata.annotations), labels: strings(o.metadata.labels) });
    }
  }
  return index;
}

/** The repository's Namespace of that name, when it names a mesh's annotations. */
export function namespaceMeta(run: RunContext, name: string): NamespaceMeta | undefined {
  return indexOf(run).namespaces.get(name);
}

/** Whether the repository holds a Linkerd Server (policy.linkerd.io). */
export function hasLinkerdServer(run: RunContext): boolean {
  return indexOf(run).linkerdServer;
}

/** A namespace what builds or syncs a file puts its objects in (appliedNamespaces). */
export interface AppliedNamespace {
  name: string;
  /** What sets it, for a message: `namespace: in app/kustomization.yaml`. */
  via: string;
  /** It replaces the object's own metadata.namespace (kustomize, Flux); else it fills a missing one only (Argo CD). */
  overrides: boolean;
}

const appliedByRun = new WeakMap<RunContext, Map<string, AppliedNamespace[]>>();
const CONTROLLER_WORDS = new RegExp(CONTROLLER_PATTERN);
/** A controller's file is a few KB (as src/kustomize/overlays.ts reads them). */
const CONTROLLER_FILE_MAX = 1024 * 1024;

/**
 * The namespaces the repository's builds put a file's objects in, besides their own
 * metadata.namespace: a kustomization's `namespace:` over the files it builds (resourcesOf: its
 * resources, bases and components, and theirs), a Flux Kustomization's `spec.targetNamespace` and
 * an Argo CD Application's (or ApplicationSet template's) `spec.destination.namespace` over the
 * folder its path names (what its kustomization builds there, else every file under it). Read
 * once per run, and only where the repository holds a Namespace naming a mesh (namespaceMeta):
 * elsewhere nothing is asked of them.
 */
export function appliedNamespaces(run: RunContext, file: string): readonly AppliedNamespace[] {
  if (indexOf(run).namespaces.size === 0) return [];
  let byFile = appliedByRun.get(run);
  if (!byFile) {
    byFile = new Map();
    appliedByRun.set(run, byFile);
    const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/') || '.';
    const add = (files: readonly string[], a: AppliedNamespace) => {
      for (const f of files) {
        const list = byFile!.get(f);
        if (!list) byFile!.set(f, [a]);
        else if (!list.some((b) => b.name === a.name && b.overrides === a.overrides)) list.push(a);
      }
    };
    const built = (dir: string) =>
      KUSTOMIZATION_NAMES.some((n) => kustomizationRoot(path.join(dir, n), run)) ? resourcesOf(dir, run, new Set()) : [...repositoryFolders(run).under(dir)];
    for (const k of namedFiles(run).kustomizations) {
      if (!/^namespace\s*:/m.test(run.readText(k) ?? '')) continue;
      const root = kustomizationRoot(k, run);
      const name = root ? scalarText(getPair(root, 'namespace')?.value) : undefined;
      if (name && !name.includes('{{') && !name.includes('${')) add(resourcesOf(path.dirname(k), run, new Set()), { name, via: `namespace: in ${shown(k)}`, overrides: true });
    }
    const yaml = namedFiles(run).yaml;
    // Asked of git first (src/discover/grep.ts, the search the controller readers share).
    const may = filesMayHold(run, yaml, YAML_READERS_SEARCH, YAML_PATHSPECS);
    for (const abs of yaml) {
      if (may && !may.has(abs)) continue;
      const text = run.readText(abs);
      if (text === undefined || text.length > CONTROLLER_FILE_MAX || !CONTROLLER_WORDS.test(text) || !/targetNamespace|destination/.test(text)) continue;
      const parsed = parseYaml(text);
      if (parsed.error) continue;
      const repoRoot = enclosingRepository(path.dirname(abs)) ?? run.cwd;
      const folder = (p: string | undefined) => (p === undefined || p.includes('{{') || p.includes('${') ? undefined : path.resolve(repoRoot, p));
      for (const doc of parsed.docs) {
        const root = doc.contents;
        if (!isMap(root)) continue;
        const apiVersion = scalarText(getPair(root, 'apiVersion')?.value) ?? '';
        const kind = scalarText(getPair(root, 'kind')?.value) ?? '';
        const objName = scalarText(nodeAt(root, 'metadata.name')) ?? '?';
        if (kind === 'Kustomization' && apiVersion.startsWith(FLUX_KUSTOMIZE)) {
          const name = scalarText(nodeAt(root, 'spec.targetNamespace'));
          const dir = folder(scalarText(nodeAt(root, 'spec.path')) ?? '.');
          if (name && dir !== undefined) add(built(dir), { name, via: `spec.targetNamespace of the Flux Kustomization ${objName} in ${shown(abs)}`, overrides: true });
        } else if ((kind === 'Application' || kind === 'ApplicationSet') && apiVersion.startsWith(ARGO_CD)) {
          const at = kind === 'Application' ? 'spec' : 'spec.template.spec';
          const name = scalarText(nodeAt(root, `${at}.destination.namespace`));
          if (!name || name.includes('{{')) continue;
          const one = nodeAt(root, `${at}.source`);
          const many = nodeAt(root, `${at}.sources`);
          const sources = isMap(one) ? [one] : isSeq(many) ? many.items : [];
          for (const source of sources) {
            const dir = isMap(source) ? folder(scalarText(getPair(source, 'path')?.value)) : undefined;
            if (dir !== undefined) add(built(dir), { name, via: `spec.destination.namespace of the Argo CD ${kind} ${objName} in ${shown(abs)}`, overrides: false });
          }
        }
      }
    }
  }
  return byFile.get(file) ?? [];
}

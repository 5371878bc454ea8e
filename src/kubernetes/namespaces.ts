/**
 * The repository's Namespace objects that say something of a service mesh for the pods in them
 * (Linkerd's `linkerd.io/inject` and `config.linkerd.io/*`, OSM's sidecar injection), and whether
 * it holds a Linkerd `Server` (policy.linkerd.io), read once per run. Only files whose text names
 * a mesh's annotations are parsed.
 */
import { parseAllDocuments } from '../parse/yaml-lib.js';
import type { RunContext } from '../types.js';
import type { NamespaceMeta } from './probes.js';

const MANIFEST = /\.(ya?ml|json)$/i;
const MESH_TEXT = /linkerd\.io\/|openservicemesh\.io\//;

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
  for (const file of run.repositoryFiles()) {
    if (!MANIFEST.test(file)) continue;
    const text = run.readText(file);
    // Templates ({{ }}) are not YAML until rendered.
    if (!text || !MESH_TEXT.test(text) || text.includes('{{')) continue;
    const namespace = /\bNamespace\b/.test(text);
    const server = text.includes('policy.linkerd.io/') && /\bServer\b/.test(text);
    if (!namespace && !server) continue;
    let docs;
    try {
      docs = parseAllDocuments(text, { uniqueKeys: false });
    } catch {
      continue;
    }
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      if (doc.errors.length > 0) continue;
      let obj: unknown;
      try {
        obj = doc.toJS({ maxAliasCount: 100 });
      } catch {
        continue;
      }
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

/**
 * A probe written in a Kustomize patch (a strategic-merge patch, file or inline; a JSON 6902 op
 * that adds or replaces a probe) runs in the object the patch is applied to: its pod-level context
 * comes from there. The object's `hostNetwork: true` (aws-node: its ipamd binds 127.0.0.1:50051,
 * probed with -addr=:50051) blocks a probe that dials the local host as it does in the base; the
 * container's env (merged by name, as the strategic merge does) gives `$(GRPC_PORT)` its value;
 * the object's mesh and whether the container is an init container count as they do in a base.
 *
 * The objects are found as kustomize finds them: the resources the applying kustomization builds
 * (its `resources`, `bases`, `components`, followed to local files and folders, through the
 * `namePrefix`/`nameSuffix`/`namespace`/labels they add), matched by the entry's `target:`
 * selector or by the patch's own kind, name and namespace. The patches applied under it and beside
 * it that set hostNetwork or env count too. A Flux Kustomization's patchesStrategicMerge objects
 * are applied to what it builds from `spec.path` the same way. When no object can be read (a remote base, a chart
 * inflated by helmCharts, a file that does not parse, a name no resource has), a probe that dials
 * the local host stays on exec: the object may be a node agent on the host's network, where the
 * kubelet would dial the node's IP.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { filesOfRun } from '../run-files.js';
import { envLookup, GO_YAML_FALSE, GO_YAML_TRUE, meshOf, type BuiltContext, type Mesh } from '../kubernetes/probes.js';
import { getPair, keyOf, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import type { Report, RunContext } from '../types.js';
import { hintFor } from '../blockers.js';
import { enclosingRepository } from '../discover/scope.js';
import { namedFiles } from '../discover/names.js';
import { controllerLists, controllerName, mayHoldControllerPatches } from './controllers.js';
import type { ContainerWrite } from './built-containers.js';
import {
  componentIncluders,
  componentsOf,
  controllerPatchEntries,
  holdsIn,
  isKustomizationPath,
  KUSTOMIZATION_NAMES,
  kustomizationRoot,
  patchEntries,
  replacementHolds,
  type OverlayHold,
  type PatchEntry,
} from './overlays.js';

/** What a patch (or replacement) applied to an object does to the context of its probes. */
interface Effect {
  /** `file#rangeStart` of the patch entry (a patch's own env is read by the walk). */
  source: string;
  /** Puts the pod on the host's network (true), takes it off (false: set false, removed), or may do either (a value the tool does not read, a patch that does not parse): why. */
  hostNetwork?: { value: boolean | 'unknown'; why: string };
  /** Sets env: of this container (undefined: any), these names (undefined: any). */
  env?: { container?: string; names?: string[] };
  why: string;
}

/** An object a kustomization builds, as patches see it. */
interface BuiltObject {
  file: string;
  /** Its document in the file, from 1 (as a probe's report numbers it: details.document). */
  document: number;
  root: YAMLMap;
  kind: string;
  /** Its name as written and as each kustomization above renamed it (kustomize matches either). */
  names: string[];
  /** Its namespace as written (undefined: none) and as set above. */
  namespaces: (string | undefined)[];
  labels: Map<string, string>;
  annotations: Map<string, string>;
  effects: Effect[];
  /** The patch documents applied to it that may write its containers, in the order kustomize applies them (built-containers.ts). */
  writes: ContainerWrite[];
}

interface Build {
  objects: BuiltObject[];
  /** What the build takes that the tool cannot read: each may hold the patched object. */
  opaque: string[];
}

const buildsByRun = new WeakMap<RunContext, Map<string, Build>>();

const shown = (run: RunContext, f: string) => path.relative(run.cwd, f).split(path.sep).join('/') || '.';
const entryId = (p: PatchEntry) => `${p.file}#${p.range?.[0] ?? ''}`;
const REMOTE = /^[a-z]+:\/\/|^github\.com\/|^git@|\?ref=|\/\/.*\?/;

/** The objects the kustomization in `dir` builds, with the effects of the patches it and those under it apply. */
function buildOf(dir: string, run: RunContext, stack: ReadonlySet<string> = new Set()): Build {
  let byDir = buildsByRun.get(run);
  if (!byDir) buildsByRun.set(run, (byDir = new Map()));
  const known = byDir.get(dir);
  if (known) return known;
  if (stack.has(dir)) return { objects: [], opaque: [`${shown(run, dir)}, in a cycle of kustomizations`] };
  const inner = new Set(stack).add(dir);
  const build: Build = { objects: [], opaque: [] };
  let file: string | undefined;
  let root: YAMLMap | undefined;
  for (const name of KUSTOMIZATION_NAMES) {
    root = kustomizationRoot(path.join(dir, name), run);
    if (root) {
      file = path.join(dir, name);
      break;
    }
  }
  if (!root || !file) {
    const exists = KUSTOMIZATION_NAMES.some((n) => run.readText(path.join(dir, n)) !== undefined);
    build.opaque.push(exists ? `${shown(run, dir)}, whose kustomization does not parse` : `${shown(run, dir)}, which holds no kustomization the tool can read`);
    byDir.set(dir, build);
    return build;
  }
  const addFile = (abs: string, ref: string) => {
    const text = run.readText(abs);
    if (text === undefined) {
      build.opaque.push(`${ref}, which cannot be read`);
      return;
    }
    const parsed = parseYaml(text);
    if (parsed.error) {
      build.opaque.push(`${shown(run, abs)}, which is not valid YAML`);
      return;
    }
    parsed.docs.forEach((doc, d) => {
      const c = doc.contents;
      const items = isMap(c) && /List$/.test(scalarText(getPair(c, 'kind')?.value) ?? '') && isSeq(getPair(c, 'items')?.value) ? (getPair(c, 'items')!.value as YAMLSeq).items : [c];
      for (const item of items) if (isMap(item)) build.objects.push(objectOf(abs, item, d + 1));
    });
  };
  for (const key of ['resources', 'bases', 'components']) {
    const list = getPair(root, key)?.value;
    for (const item of isSeq(list) ? list.items : []) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      if (REMOTE.test(item.value)) {
        build.opaque.push(`a remote ${key === 'components' ? 'component' : 'resource'} (${item.value})`);
        continue;
      }
      const target = path.resolve(dir, item.value);
      if (run.readText(target) !== undefined) addFile(target, item.value);
      else {
        const sub = buildOf(target, run, inner);
        build.objects.push(...sub.objects.map(copy));
        build.opaque.push(...sub.opaque);
      }
    }
  }
  const charts = getPair(root, 'helmCharts')?.value;
  for (const chart of isSeq(charts) ? charts.items : []) {
    const name = isMap(chart) ? scalarText(getPair(chart, 'name')?.value) : undefined;
    build.opaque.push(`the chart ${name ?? '?'} that its helmCharts inflates`);
  }
  // Patches (its components' first, as kustomize applies a component before the patches of the
  // kustomization that includes it; an inner component before the one including it), then
  // replacements that write a container's env. The order counts: the last hostNetwork written wins.
  const own = [...componentsOf(dir, root, run, new Set(), true), { file, root }];
  const inRun = filesOfRun(run);
  for (const k of own) {
    for (const p of patchEntries(k.file, k.root, run)) {
      for (const w of containerWrites(p)) for (const o of matching(build.objects, p, w.root)) o.writes.push(w);
      const effects = effectsOf(holdsIn(p, k.file, inRun, run, true), entryId(p));
      if (effects.length === 0) continue;
      for (const o of matching(build.objects, p, undefined)) o.effects.push(...effects);
    }
    const replaced = effectsOf(replacementHolds(k.file, k.root, run), `${k.file}#replacements`);
    if (replaced.length > 0) for (const o of build.objects) o.effects.push(...replaced);
  }
  // Names and labels as the objects leave this kustomization (upper patches match either).
  const prefix = scalarText(getPair(root, 'namePrefix')?.value) ?? '';
  const suffix = scalarText(getPair(root, 'nameSuffix')?.value) ?? '';
  const namespace = scalarText(getPair(root, 'namespace')?.value);
  const added = new Map<string, string>();
  const common = getPair(root, 'commonLabels')?.value;
  const labelLists = [common, ...(isSeq(getPair(root, 'labels')?.value) ? (getPair(root, 'labels')!.value as YAMLSeq).items.map((l) => (isMap(l) ? getPair(l, 'pairs')?.value : undefined)) : [])];
  for (const l of labelLists) if (isMap(l)) for (const pr of l.items) if (isScalar(pr.key) && isScalar(pr.value)) added.set(String(pr.key.value), String(pr.value.value));
  for (const o of build.objects) {
    if (prefix || suffix) o.names = [...new Set([...o.names, ...o.names.map((n) => `${prefix}${n}${suffix}`)])];
    if (namespace !== undefined && !o.namespaces.includes(namespace)) o.namespaces = [...o.namespaces, namespace];
    for (const [k, v] of added) o.labels.set(k, v);
  }
  byDir.set(dir, build);
  return build;
}


function copy(o: BuiltObject): BuiltObject {
  return { ...o, names: [...o.names], namespaces: [...o.namespaces], labels: new Map(o.labels), annotations: new Map(o.annotations), effects: [...o.effects], writes: [...o.writes] };
}

/**
 * The documents of a patch that may write a container's args, command or env: a strategic-merge
 * patch's (each matched to its objects), or a JSON 6902 op list. Parsed only where the text names
 * a container list (most patches of a build set replicas, images, resources).
 */
function containerWrites(p: PatchEntry): ContainerWrite[] {
  if (!/containers/i.test(p.text)) return [];
  const parsed = parseYaml(p.text);
  if (parsed.error) return [];
  return parsed.docs.map((d, doc) => (!p.json6902 && isMap(d.contents) ? { entry: p, doc, root: d.contents } : { entry: p, doc, ops: d.contents }));
}

function stringMap(node: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (isMap(node)) for (const p of node.items) if (isScalar(p.key) && isScalar(p.value) && p.value.value !== null) out.set(String(p.key.value), String(p.value.value));
  return out;
}

function objectOf(file: string, root: YAMLMap, document: number): BuiltObject {
  const metadata = getPair(root, 'metadata')?.value;
  const meta = (key: string) => (isMap(metadata) ? scalarText(getPair(metadata, key)?.value) : undefined);
  const name = meta('name');
  return {
    file,
    document,
    root,
    kind: scalarText(getPair(root, 'kind')?.value) ?? '',
    names: name !== undefined ? [name] : [],
    namespaces: [meta('namespace')],
    labels: stringMap(isMap(metadata) ? getPair(metadata, 'labels')?.value : undefined),
    annotations: stringMap(isMap(metadata) ? getPair(metadata, 'annotations')?.value : undefined),
    effects: [],
    writes: [],
  };
}

/** The hostNetwork and env holds of a patch (overlays.ts reads them for the bases under it) as its effects on the objects it is applied to. */
function effectsOf(holds: readonly OverlayHold[], source: string): Effect[] {
  const out: Effect[] = [];
  for (const h of holds) {
    if (h.kind === 'hostNetwork') out.push({ source, hostNetwork: { value: h.sets ?? true, why: h.why }, why: h.why });
    else if (h.kind === 'env') out.push({ source, env: { ...(h.container !== undefined ? { container: h.container } : {}), ...(h.envNames ? { names: h.envNames } : {}) }, why: h.why });
    else if (h.kind === 'unreadable') out.push({ source, hostNetwork: { value: 'unknown', why: h.why }, env: {}, why: h.why });
  }
  return out;
}

/** A kustomize selector field (kind, name, namespace) is an anchored regular expression. */
export function selects(pattern: string | undefined, values: readonly (string | undefined)[]): boolean {
  if (pattern === undefined || pattern === '') return true;
  // Kustomize matches with Go's linear-time regexp; JavaScript's backtracks, and a quantified
  // group (`(a|a-?)+`) can take it exponential time on a name that does not match. Such a
  // pattern (or a back-reference, which Go has not) is not evaluated: it selects every object,
  // which only ever adds targets to judge a probe in (the most restrictive wins).
  if (pattern.length > 256 || /\)[*+?{]|\\[1-9]/.test(pattern)) return true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return values.includes(pattern);
  }
  return values.some((v) => v !== undefined && re.test(v));
}

/** An equality-based label selector (`a=b,c!=d`); a set-based one (in, notin, exists) matches every object (the safe superset). */
function labelsMatch(selector: string | undefined, labels: Map<string, string>): boolean {
  if (selector === undefined || selector.trim() === '') return true;
  for (const term of selector.split(',')) {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*([^\s]*)\s*$/.exec(term);
    if (!m) return true;
    const has = labels.get(m[1]!) === m[3];
    if (m[2] === '!=' ? has : !has) return false;
  }
  return true;
}

/**
 * The objects a patch entry is applied to: those its `target:` selects, or (a strategic-merge
 * patch without one) those with the document's kind and one of its names, in its namespace when
 * it names one. A JSON 6902 list without a target: all (kustomize refuses it; the safe side).
 */
function matching(objects: readonly BuiltObject[], entry: PatchEntry, docRoot: YAMLMap | undefined): BuiltObject[] {
  const t = entry.target;
  if (t) {
    const f = (k: string) => scalarText(getPair(t, k)?.value);
    return objects.filter(
      (o) =>
        selects(f('kind'), [o.kind]) &&
        selects(f('name'), o.names) &&
        (f('namespace') === undefined || selects(f('namespace'), o.namespaces)) &&
        labelsMatch(f('labelSelector'), o.labels) &&
        labelsMatch(f('annotationSelector'), o.annotations),
    );
  }
  const roots = docRoot ? [docRoot] : patchRoots(entry);
  if (roots === undefined) return [...objects];
  return objects.filter((o) =>
    roots.some((r) => {
      const metadata = getPair(r, 'metadata')?.value;
      const name = isMap(metadata) ? scalarText(getPair(metadata, 'name')?.value) : undefined;
      const ns = isMap(metadata) ? scalarText(getPair(metadata, 'namespace')?.value) : undefined;
      return scalarText(getPair(r, 'kind')?.value) === o.kind && name !== undefined && o.names.includes(name) && (ns === undefined || o.namespaces.includes(ns));
    }),
  );
}

/**
 * The documents a patch entry applied by the kustomization in `dir` (one document of it: docRoot)
 * is applied to, by file: every file the build reads objects from, each with the documents
 * (numbered from 1, as a probe's report numbers them) of the objects the patch matches, none when
 * it matches none there. A file the build does not read objects from is not in it.
 */
export function patchedDocuments(dir: string, entry: PatchEntry, docRoot: YAMLMap | undefined, run: RunContext): Map<string, Set<number>> {
  const build = buildOf(dir, run);
  const out = new Map<string, Set<number>>();
  for (const o of build.objects) if (!out.has(o.file)) out.set(o.file, new Set());
  for (const o of matching(build.objects, entry, docRoot)) out.get(o.file)!.add(o.document);
  return out;
}

/**
 * The objects a patch entry applied by the kustomization in `dir` is applied to, as their files
 * write them, with the patch documents that the build applies to their containers (this one's
 * among them): for a patch whose containers are read with the base's and the other patches'
 * (overlays.ts listenHolds).
 */
export function patchedObjects(dir: string, entry: PatchEntry, docRoot: YAMLMap | undefined, run: RunContext): { file: string; document: number; root: YAMLMap; writes: readonly ContainerWrite[] }[] {
  return matching(buildOf(dir, run).objects, entry, docRoot).map((o) => ({ file: o.file, document: o.document, root: o.root, writes: o.writes }));
}

/** The document roots of a strategic-merge patch; undefined for an op list or text that does not parse. */
function patchRoots(entry: PatchEntry): YAMLMap[] | undefined {
  if (entry.json6902) return undefined;
  const parsed = parseYaml(entry.text);
  if (parsed.error) return undefined;
  const roots = parsed.docs.map((d) => d.contents);
  return roots.every(isMap) ? (roots as YAMLMap[]) : undefined;
}

/** A kustomization that applies the patch, and the entry it applies it with. */
interface Application {
  kustomization: string;
  entry: PatchEntry;
}

const appsByRun = new WeakMap<RunContext, { byFile: Map<string, Application[]>; dirs: Set<string> }>();

/** The kustomizations that apply a patch file (or the inline patch at `rangeStart` of a kustomization). */
function applicationsOf(file: string, run: RunContext): Application[] {
  let index = appsByRun.get(run);
  const addKustomization = (k: string) => {
    const root = kustomizationRoot(k, run);
    if (!root) return;
    for (const entry of patchEntries(k, root, run)) index!.byFile.set(entry.file, [...(index!.byFile.get(entry.file) ?? []), { kustomization: k, entry }]);
  };
  if (!index) {
    appsByRun.set(run, (index = { byFile: new Map(), dirs: new Set() }));
    for (const f of namedFiles(run).kustomizations) {
      index.dirs.add(path.dirname(f));
      addKustomization(f);
    }
  }
  // A partial view (a pre-commit run naming the patch alone) reads the kustomizations above it too.
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (!index.dirs.has(dir)) {
      index.dirs.add(dir);
      // A stat that does not throw: most folders hold no kustomization.
      for (const n of KUSTOMIZATION_NAMES) if (isFile(path.join(dir, n))) addKustomization(path.join(dir, n));
    }
    if (path.dirname(dir) === dir) break;
  }
  return index.byFile.get(file) ?? [];
}

/** Where the probe sits in the built object: the pod spec's path, the container list, and which container. */
interface ProbePlace {
  podSpec: (string | number)[];
  list: 'containers' | 'initContainers' | 'ephemeralContainers';
  /** A name (strategic merge), an index (JSON 6902), or undefined for a container the patch adds. */
  container?: string | number;
  /** The patch's own container map (its env merges over the object's). */
  patchContainer?: YAMLMap;
  /** The patch's pod spec, when it writes one (its hostNetwork comes first). */
  patchPodSpec?: YAMLMap;
  /** The patch replaces what is under it (`$patch: replace`): the object's env or pod spec do not show through. */
  replacesContainer?: boolean;
  replacesPodSpec?: boolean;
}

const LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The segments from a walk path's root to the probe pair, and the JSON 6902 op it is in, if any. */
function placeOf(walkPath: readonly unknown[], pair: Pair): { place?: ProbePlace; json6902: boolean } {
  // A JSON 6902 op: its path, then the keys inside its value.
  const opAt = walkPath.findIndex((n) => isMap(n) && isScalar(getPair(n, 'op')?.value) && isScalar(getPair(n, 'path')?.value));
  const segments: (string | number)[] = [];
  const nodes: unknown[] = [];
  let start = 0;
  let json6902 = false;
  if (opAt !== -1) {
    json6902 = true;
    const op = walkPath[opAt] as YAMLMap;
    const pointer = String((getPair(op, 'path')!.value as Scalar).value);
    for (const s of pointer.split('/').slice(1)) {
      segments.push(/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~'));
      nodes.push(undefined);
    }
    // The probe is the op's value itself, or a key inside it (the value is then the node at the path's end).
    const valuePair = walkPath[opAt + 1];
    if (valuePair === undefined) return keyOf(pair) === 'value' ? { place: placeFrom(segments, nodes, true), json6902 } : { json6902 };
    if (!isPair(valuePair) || keyOf(valuePair as Pair) !== 'value') return { json6902 };
    nodes[nodes.length - 1] = (valuePair as Pair).value;
    start = opAt + 2;
  }
  for (let i = start; i < walkPath.length; i++) {
    const n = walkPath[i];
    if (isPair(n)) {
      const k = keyOf(n as Pair);
      if (k === undefined) return { json6902 };
      segments.push(k);
      nodes.push(n.value);
    } else if (isSeq(n)) {
      const child = walkPath[i + 1];
      const idx = n.items.indexOf(child as never);
      segments.push(idx);
      nodes.push(child);
      i++;
    }
  }
  const probeKey = keyOf(pair);
  if (probeKey === undefined) return { json6902 };
  segments.push(probeKey);
  nodes.push(pair.value);
  return { place: placeFrom(segments, nodes, json6902), json6902 };
}

function placeFrom(segments: (string | number)[], nodes: readonly unknown[], json6902: boolean): ProbePlace | undefined {
  let at = -1;
  for (let i = segments.length - 1; i >= 0; i--) if (typeof segments[i] === 'string' && LISTS.has(segments[i] as string)) {
    at = i;
    break;
  }
  if (at === -1 || at + 2 >= segments.length) return undefined;
  const list = segments[at] as ProbePlace['list'];
  const patchContainer = nodes[at + 1];
  const patchPodSpec = at > 0 ? nodes[at - 1] : undefined;
  const place: ProbePlace = { podSpec: segments.slice(0, at), list };
  const replaces = (m: unknown) => isMap(m) && scalarText(getPair(m, '$patch')?.value) === 'replace';
  if (isMap(patchContainer)) place.patchContainer = patchContainer;
  if (isMap(patchPodSpec)) place.patchPodSpec = patchPodSpec;
  if (json6902) {
    // In the op's path, the container is the object's; in its value, one the op writes.
    const idx = segments[at + 1];
    if (nodes[at + 1] === undefined && typeof idx === 'number') place.container = idx;
    place.replacesContainer = nodes[at + 1] !== undefined;
    place.replacesPodSpec = at > 0 && nodes[at - 1] !== undefined;
  } else {
    const name = isMap(patchContainer) ? scalarText(getPair(patchContainer, 'name')?.value) : undefined;
    if (name !== undefined) place.container = name;
    place.replacesContainer = replaces(patchContainer);
    place.replacesPodSpec = nodes.slice(0, at).some(replaces);
  }
  return place;
}

function nodeAtPath(root: YAMLMap, segments: readonly (string | number)[]): { node: unknown; parent: unknown; pair: Pair | undefined } {
  let node: unknown = root;
  let parent: unknown;
  let pair: Pair | undefined;
  for (const s of segments) {
    parent = node;
    if (typeof s === 'number' && isSeq(node)) {
      node = node.items[s];
      pair = undefined;
    } else if (isMap(node)) {
      pair = getPair(node, String(s)) as Pair | undefined;
      node = pair?.value;
    } else return { node: undefined, parent: undefined, pair: undefined };
  }
  return { node, parent, pair };
}

/** A patch as it is applied: the builds whose objects it patches (kustomizations, a controller's folder). */
interface Applied {
  entry: PatchEntry;
  builds(): { where: string; build: Build }[];
  /** Why there is no build, when builds() gives none. */
  none?: string;
  /** An object inside a controller's manifest: only probes within entry.range are its. */
  embedded?: boolean;
}

/** The builds a kustomization's patch is applied to: its own, or for a component, those of each kustomization that includes it. */
function kustomizationBuilds(kustomization: string, run: RunContext): { where: string; build: Build }[] {
  const kdir = path.dirname(kustomization);
  const root = kustomizationRoot(kustomization, run);
  const isComponent = scalarText(root ? getPair(root, 'kind')?.value : undefined) === 'Component';
  const dirs = isComponent ? componentIncluders(kdir, run) : [kdir];
  if (dirs.length === 0) return [{ where: shown(run, kustomization), build: { objects: [], opaque: ['nothing: it is a component that no kustomization the tool reads includes'] } }];
  return dirs.map((d) => ({ where: kustomizationIn(d, run), build: buildOf(d, run) }));
}

/**
 * The patches GitOps controllers write in their own objects (controllers.ts), applied to what
 * they build: a Flux Kustomization's to what it builds from `spec.path` (a folder of this
 * repository), an Argo CD Application's kustomize source to what its `path` builds, a Flux
 * HelmRelease's post-renderer to a chart's rendered objects (which the tool does not render:
 * unresolved). Their patchesStrategicMerge objects and patchesJson6902 op lists written as YAML
 * (walked with the manifest, rewritten in place), and their `patches[].patch` strings.
 */
function controllerApplications(file: string, run: RunContext): Applied[] {
  const text = run.readText(file);
  if (text === undefined || !mayHoldControllerPatches(text)) return [];
  const parsed = parseYaml(text);
  if (parsed.error) return [];
  const out: Applied[] = [];
  const repoRoot = enclosingRepository(path.dirname(file)) ?? run.cwd;
  for (const doc of parsed.docs) {
    for (const c of controllerLists(doc.contents)) {
      const spec = c.lists;
      let builds: () => { where: string; build: Build }[];
      if (c.controller === 'flux-helmrelease') {
        builds = () => [{ where: controllerName(c), build: { objects: [], opaque: ['the chart it renders, which the tool does not render'] } }];
      } else if (c.path === undefined) {
        builds = () => [{ where: controllerName(c), build: { objects: [], opaque: ['a source with no path the tool reads'] } }];
      } else if (c.controller === 'argo-cd' && (c.path.includes('{{') || !isDirectory(path.resolve(repoRoot, c.path)))) {
        // An ApplicationSet's generators fill in a templated path; another path may be of another repository.
        const why = c.path.includes('{{') ? `${c.path}, a path its generators fill in` : `${shown(run, path.resolve(repoRoot, c.path))}, which is not a folder of this repository (its repoURL may be another repository)`;
        builds = () => [{ where: `${controllerName(c)} (path ${c.path})`, build: { objects: [], opaque: [why] } }];
      } else {
        const dir = path.resolve(repoRoot, c.path);
        const where = `${controllerName(c)} (path ${c.path})`;
        builds = () => [{ where, build: controllerBuild(dir, spec, text, file, run) }];
      }
      const smp = getPair(spec, 'patchesStrategicMerge')?.value;
      for (const item of isSeq(smp) ? smp.items : []) {
        if (!isMap(item) || !item.range) continue;
        out.push({ entry: { text: '', file, json6902: false, editable: true, range: [item.range[0], item.range[1]] }, builds, embedded: true });
      }
      // `patches[].patch` strings (a strategic-merge patch or a JSON 6902 op list, with an optional
      // target): asked with the string's range, its own text is walked. `patchesJson6902[].patch`
      // op lists written as YAML: walked with the manifest. Embedded, so that the walk of the
      // manifest itself (no range) judges each probe in the entry holding it.
      for (const key of ['patches', 'patchesJson6902']) {
        const list = getPair(spec, key)?.value;
        for (const item of isSeq(list) ? list.items : []) {
          const patch = isMap(item) ? getPair(item, 'patch')?.value : undefined;
          const target = isMap(item) ? getPair(item, 'target')?.value : undefined;
          const selector = isMap(target) ? { target } : {};
          if (isScalar(patch) && typeof patch.value === 'string' && patch.range) {
            out.push({ entry: { text: patch.value, file, json6902: key === 'patchesJson6902', editable: true, range: [patch.range[0], patch.range[1]], ...selector }, builds, embedded: true });
          } else if (isSeq(patch) && patch.range) {
            out.push({ entry: { text: '', file, json6902: true, editable: true, range: [patch.range[0], patch.range[1]], ...selector }, builds, embedded: true });
          }
        }
      }
    }
  }
  return out;
}

const controllerBuilds = new WeakMap<RunContext, Map<string, Build>>();

/** What a Flux Kustomization builds from its folder (its kustomization, or every manifest under it), with the effects of its own patches. */
function controllerBuild(dir: string, spec: YAMLMap, text: string, file: string, run: RunContext): Build {
  let byKey = controllerBuilds.get(run);
  if (!byKey) controllerBuilds.set(run, (byKey = new Map()));
  const key = `${file}#${spec.range?.[0] ?? ''}`;
  const known = byKey.get(key);
  if (known) return known;
  let build: Build;
  if (KUSTOMIZATION_NAMES.some((n) => isFile(path.join(dir, n)))) {
    const under = buildOf(dir, run);
    build = { objects: under.objects.map(copy), opaque: [...under.opaque] };
  } else if (!isDirectory(dir)) {
    build = { objects: [], opaque: [`${shown(run, dir)}, which is not a folder of this repository (its sourceRef may be another repository)`] };
  } else {
    // Flux generates a kustomization of every manifest under the folder.
    build = { objects: [], opaque: [] };
    for (const f of run.repositoryFiles()) {
      if (!f.startsWith(dir + path.sep) || !/\.ya?ml$/i.test(f)) continue;
      const parsed = parseYaml(run.readText(f) ?? '');
      if (parsed.error) continue;
      parsed.docs.forEach((doc, d) => {
        if (isMap(doc.contents)) build.objects.push(objectOf(f, doc.contents, d + 1));
      });
    }
  }
  const inRun = filesOfRun(run);
  // Flux writes spec.components and spec.patches into one kustomization: the components' patches go first.
  const entries = [...componentsOf(dir, spec, run, new Set(), true).flatMap((k) => patchEntries(k.file, k.root, run)), ...controllerPatchEntries({ dir, lists: spec, rewrites: true }, text, file, run)];
  for (const p of entries) {
    const effects = effectsOf(holdsIn(p, file, inRun, run, true), entryId(p));
    for (const o of effects.length > 0 ? matching(build.objects, p, undefined) : []) o.effects.push(...effects);
  }
  byKey.set(key, build);
  return build;
}

/** What one object gives the probe. */
interface ObjectContext {
  hostNetwork?: true | 'unknown';
  hostNetworkWhy?: string;
  /** Why it is off the host's network when a patch took it off (hostNetwork false or removed). */
  hostNetworkOffWhy?: string;
  /** A patch took it off the host's network (hostNetworkOffWhy names it). */
  hostNetworkTaken?: boolean;
  /** The variable's value in the object's container where the patch does not set it (undefined: unknown or unset). */
  env: (name: string) => string | undefined;
  /** Why the variable's value is not known there (another patch sets it). */
  envWhy?: (name: string) => string | undefined;
  /** The object has the container (the patch merges into it rather than adding one). */
  hasContainer: boolean;
  restartPolicy?: string;
  mesh?: Mesh;
}

const SCALAR_VALUE = (s: Scalar) => (s.value === null || s.value === undefined ? '' : String(s.value));

/** The names a patch's container sets in its env (they win over the object's), and whether it replaces the object's list. */
function patchEnvOf(container: YAMLMap | undefined): { names: Set<string>; replaces: boolean; lookup: (name: string) => string | undefined } {
  const names = new Set<string>();
  let replaces = false;
  const list = container ? getPair(container, 'env')?.value : undefined;
  for (const i of isSeq(list) ? list.items : []) {
    const n = isMap(i) ? scalarText(getPair(i, 'name')?.value) : undefined;
    if (n !== undefined) names.add(n);
    else if (isMap(i) && scalarText(getPair(i, '$patch')?.value) === 'replace') replaces = true;
    else replaces = true; // an alias or an entry the tool cannot read: any name
  }
  return { names, replaces, lookup: container ? envLookup(container, SCALAR_VALUE) : () => undefined };
}

function objectContext(o: BuiltObject, place: ProbePlace, self: string, json6902: boolean, run: RunContext): ObjectContext {
  const podSpec = place.replacesPodSpec ? undefined : nodeAtPath(o.root, place.podSpec);
  const spec = isMap(podSpec?.node) ? podSpec!.node : undefined;
  const out: ObjectContext = { env: () => undefined, hasContainer: false };
  const where = `the ${o.kind} ${o.names[0] ?? '?'} in ${shown(run, o.file)}`;
  // The object's own hostNetwork, then what each patch applied to it writes, in the order kustomize
  // applies them (those under this kustomization first); this patch's own included (a
  // strategic-merge patch's true is read by the walk as well). Two writes in one patch that
  // disagree (a document for each of two objects) leave it unknown.
  let value: boolean | 'unknown' = false;
  if (spec) {
    const v = getPair(spec, 'hostNetwork')?.value;
    if (isScalar(v) && (v.value === true || (typeof v.value === 'string' && GO_YAML_TRUE.test(v.value)))) {
      value = true;
      out.hostNetworkWhy = `hostNetwork: true is set in ${where}, which this patch is applied to`;
    } else if (v !== undefined && v !== null && !(isScalar(v) && (v.value === null || v.value === false || (typeof v.value === 'string' && GO_YAML_FALSE.test(v.value))))) {
      value = 'unknown';
      out.hostNetworkWhy = `hostNetwork in ${where}, which this patch is applied to, is not a literal the tool can read`;
    }
  }
  const writes = new Map<string, { value: boolean | 'unknown'; why: string }>();
  for (const e of o.effects) {
    if (e.hostNetwork === undefined) continue;
    const before = writes.get(e.source);
    writes.delete(e.source); // the last write of a patch keeps its place at the end
    writes.set(e.source, before && before.value !== e.hostNetwork.value ? { value: 'unknown', why: `${before.why}; ${e.hostNetwork.why}` } : e.hostNetwork);
  }
  for (const [, w] of writes) {
    value = w.value;
    out.hostNetworkWhy = `${w.why}, in ${where}, which this patch is applied to`;
  }
  if (value !== false) out.hostNetwork = value;
  else {
    out.hostNetworkOffWhy = writes.size > 0 ? out.hostNetworkWhy! : `${where}, which this patch is applied to, is not on the host's network`;
    if (writes.size > 0) out.hostNetworkTaken = true;
  }
  if (value === false) delete out.hostNetworkWhy;
  // The object's container: by name (strategic merge) or index (JSON 6902).
  const items = spec && isSeq(getPair(spec, place.list)?.value) ? (getPair(spec, place.list)!.value as YAMLSeq).items : [];
  const container = place.replacesContainer || place.container === undefined
    ? undefined
    : typeof place.container === 'number'
      ? items[place.container]
      : items.find((c) => isMap(c) && scalarText(getPair(c, 'name')?.value) === place.container);
  const base = isMap(container) ? container : undefined;
  const containerName = base ? scalarText(getPair(base, 'name')?.value) : typeof place.container === 'string' ? place.container : undefined;
  if (base) {
    out.hasContainer = true;
    const rp = scalarText(getPair(base, 'restartPolicy')?.value);
    if (rp !== undefined) out.restartPolicy = rp;
  }
  // Other patches that set this container's env: the names they may set are not known here.
  // A JSON 6902 list's own env ops count too (the walk reads only a strategic-merge patch's env).
  const touched = (name: string) =>
    o.effects.find((e) => e.env && (e.source !== self || json6902) && (e.env.container === undefined || containerName === undefined || e.env.container === containerName) && (e.env.names === undefined || e.env.names.includes(name)));
  const baseEnv = base ? envLookup(base, SCALAR_VALUE) : () => undefined;
  out.env = (name) => (touched(name) ? undefined : baseEnv(name));
  out.envWhy = (name) => touched(name)?.why;
  if (spec && podSpec?.parent !== undefined) {
    // meshOf reads the pod template, its `spec` pair and the pod spec at these places of a walk path.
    const template = nodeAtPath(o.root, place.podSpec.slice(0, -1)).node;
    if (isMap(template)) {
      const mesh = meshOf([template, getPair(template, 'spec'), spec, undefined, undefined, undefined]);
      if (mesh) out.mesh = mesh;
    }
  }
  return out;
}

export interface PatchProbeContext {
  builtContext: (walkPath: readonly unknown[], pair: Pair, docIndex: number) => BuiltContext | undefined;
  /** A report of the walk with builtContext, with what the built objects add (where hostNetwork comes from; a target that cannot be read). */
  finish(r: Report): Report;
}

/**
 * The context of the probes of a patch file, or of the inline patch at `range` of a kustomization;
 * undefined when no kustomization the tool reads applies it (it is then read as a manifest).
 */
export function patchProbeContext(file: string, run: RunContext, range?: [number, number]): PatchProbeContext | undefined {
  if (!file) return undefined;
  const apps: Applied[] = applicationsOf(file, run)
    .filter((a) => (range ? a.entry.range?.[0] === range[0] : a.entry.range === undefined))
    .map((a) => ({ entry: a.entry, builds: () => kustomizationBuilds(a.kustomization, run) }));
  // A Flux Kustomization's (or HelmRelease post-renderer's) patchesStrategicMerge objects, rewritten in place.
  // Asked with a range, the walk reads that object alone (overlays.ts reads its text): its root is the walk's.
  if (apps.length === 0) {
    const controlled = controllerApplications(file, run);
    apps.push(...(range ? controlled.filter((a) => a.entry.range![0] === range[0]).map((a) => ({ ...a, embedded: false })) : controlled));
  }
  if (apps.length === 0) return undefined;
  interface Info {
    unresolved?: string;
    /** Why an object this patch is applied to may be off the host's network (where status.hostIP is not the pod's IP). */
    offHostWhy?: string;
    /** Why an object is off the host's network when a patch took it off. */
    offHostTaken?: string;
    hostNetworkWhy?: string;
    envWhy?: Set<string>;
  }
  const byStart = new Map<number, Info>();
  const builtContext = (walkPath: readonly unknown[], pair: Pair): BuiltContext | undefined => {
    const start = (pair.key as Scalar | null)?.range?.[0];
    if (start === undefined) return undefined;
    // An embedded patch (a controller's patchesStrategicMerge object): the one holding the probe, from its own root.
    const at = apps.filter((a) => !a.embedded || (start >= a.entry.range![0] && start < a.entry.range![1]));
    if (at.length === 0) return undefined;
    // (a map, or a patchesJson6902 op list written as YAML)
    const rootIndex = at[0]!.embedded ? walkPath.findIndex((n) => (isMap(n) || isSeq(n)) && n.range?.[0] === at[0]!.entry.range![0]) : -1;
    if (at[0]!.embedded && rootIndex === -1) return undefined;
    const { place, json6902 } = placeOf(rootIndex === -1 ? walkPath : walkPath.slice(rootIndex), pair);
    if (!place) return undefined;
    const contexts: ObjectContext[] = [];
    const unresolved: string[] = [];
    for (const app of at) {
      const docRoot = app.entry.json6902 || app.entry.target ? undefined : rootIndex === -1 ? docRootOf(walkPath) : (walkPath[rootIndex] as YAMLMap);
      const builds = app.builds();
      if (builds.length === 0) unresolved.push(app.none ?? 'no build the tool reads applies it');
      for (const { where, build } of builds) {
        const targets = matching(build.objects, app.entry, docRoot);
        for (const o of targets) contexts.push(objectContext(o, place, entryId(app.entry), json6902, run));
        // Objects the tool cannot read may be targets too: none found, or a selector that may take several.
        if (build.opaque.length > 0 && (targets.length === 0 || app.entry.target)) {
          unresolved.push(`${where} builds from ${build.opaque.join(', ')}`);
        } else if (targets.length === 0) {
          // kustomize fails on a strategic-merge patch without its object; a selector that selects nothing may be one the tool reads wrong.
          unresolved.push(`no resource that ${where} builds is ${app.entry.target ? `selected by its target (${selectorText(app.entry.target)})` : describe(docRoot)}`);
        }
      }
    }
    const info: Info = {};
    if (unresolved.length > 0) info.unresolved = unresolved.join('; ');
    const out: BuiltContext = { list: place.list };
    // Several objects: the most restrictive wins (on the host's network if any is; a variable's value only when all agree).
    const host = contexts.find((c) => c.hostNetwork === true) ?? contexts.find((c) => c.hostNetwork === 'unknown');
    if (host) {
      out.hostNetwork = host.hostNetwork!;
      info.hostNetworkWhy = host.hostNetworkWhy!;
    }
    // A probe that dials status.hostIP migrates only where every object is on the host's network.
    const off = contexts.find((c) => c.hostNetwork !== true);
    if (off) info.offHostWhy = off.hostNetworkOffWhy ?? off.hostNetworkWhy!;
    const taken = contexts.find((c) => c.hostNetwork === undefined && c.hostNetworkTaken);
    if (taken) info.offHostTaken = taken.hostNetworkOffWhy!;
    if (contexts.some((c) => c.hasContainer)) {
      // The patch's entries win (the merge is by name); the others are the object's when every object agrees.
      const own = patchEnvOf(place.patchContainer);
      out.env = (name) => {
        if (own.names.has(name)) return own.lookup(name);
        if (own.replaces || unresolved.length > 0) return undefined;
        const values = contexts.map((c) => (c.hasContainer ? c.env(name) : undefined));
        for (const c of contexts) {
          const why = c.envWhy?.(name);
          if (why) (info.envWhy ??= new Set()).add(`$(${name}): ${why}, which may set it`);
        }
        if (values.length > 1 && !values.every((v) => v === values[0])) (info.envWhy ??= new Set()).add(`$(${name}) differs between the objects this patch is applied to`);
        return values.every((v) => v !== undefined && v === values[0]) ? values[0] : undefined;
      };
    }
    if (contexts.length > 0) {
      const policies = new Set(contexts.map((c) => c.restartPolicy));
      if (policies.size === 1 && [...policies][0] !== undefined) out.restartPolicy = [...policies][0]!;
      const mesh = contexts.find((c) => c.mesh)?.mesh;
      if (mesh) out.mesh = mesh;
    }
    byStart.set(start, info);
    return out;
  };
  const finish = (r: Report): Report => {
    const info = byStart.get(r.start);
    if (!info) return r;
    if (r.blockers?.includes('host') && info.hostNetworkWhy && /hostNetwork/.test(r.message)) return { ...r, message: `${r.message}; ${info.hostNetworkWhy}` };
    if (r.blockers?.includes('host') && info.offHostTaken && /status\.hostIP.*not on the host's network/.test(r.message)) return { ...r, message: `${r.message}; ${info.offHostTaken}` };
    if (r.blockers?.includes('unresolved-port') && (info.envWhy || info.unresolved)) {
      const why = info.envWhy ? [...info.envWhy].join('; ') : `the env of the object this patch is applied to is unknown: ${info.unresolved}`;
      return { ...r, message: `${r.message} (${why})` };
    }
    // A probe blocked for another reason (-tls) that this check would block too: said with the
    // others, so that following the first blocker's hint (--grpc-tls-mode) does not just reveal it.
    const dials = r.blockedDials;
    if (dials && !r.fix && r.blockers?.length && !r.blockers.includes('host')) {
      const extra = dials.hostIp && (info.offHostWhy || info.unresolved)
        ? {
            detail: `the probe's -addr dials the downward API's status.hostIP, the node's IP, which is the pod's IP only on the host's network, and ${info.offHostWhy ?? `the object this patch is applied to cannot be read: ${info.unresolved}`}: off the host's network the kubelet dials the pod's own IP, so the native probe would check another address`,
            hint: "If the server answers on the pod's IP too (it listens on all addresses), or every object this patch is applied to is on the host's network, the status.hostIP -addr does not stand in the way; otherwise keep exec.",
          }
        : dials.loopback && info.unresolved
          ? {
              detail: `the probe's -addr dials the container's own host (a loopback address; an empty host and 0.0.0.0 connect locally too), and the object this patch is applied to cannot be read: ${info.unresolved}. If that object is on the host's network (hostNetwork: true, as node agents are), the kubelet would dial the node's IP, where a server bound only to loopback does not answer`,
              hint: "For the unreadable patch target: make it readable to the tool (a local copy of the base) and run again; if its pods are not on the host's network (or the server listens on all addresses), the loopback -addr does not stand in the way.",
            }
          : undefined;
      if (extra) return { ...r, blockers: [...r.blockers, 'host'], message: `${r.message}; ${extra.detail}`, hint: `${r.hint ?? hintFor(r.blockers) ?? ''} ${extra.hint}`.trim() };
    }
    if ((info.offHostWhy || info.unresolved) && r.fix && !(r.blockers?.length) && r.hostIp) {
      // On the host's network in one object, off it (or unknown) in another: the kubelet dials the pod's own IP there, not the node's.
      const { fix: _fix, ...rest } = r;
      const port = r.details?.port !== undefined ? `grpc: {port: ${String(r.details.port)}}` : 'grpc:';
      const why = info.offHostWhy ?? `the object this patch is applied to cannot be read: ${info.unresolved}`;
      return {
        ...rest,
        blockers: ['host'],
        keepsBinary: true,
        message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: the probe's -addr dials the downward API's status.hostIP, the node's IP, which is the pod's IP only on the host's network, and ${why}: off the host's network the kubelet dials the pod's own IP, so the native probe would check another address, and the probe stays on exec`,
        hint: `If the server answers on the pod's IP too (it listens on all addresses), replace exec with ${port} in this patch by hand, with exec: null in a strategic-merge patch. Otherwise keep the probe on exec, or put every object it is applied to on the host's network, and run the tool again.`,
      };
    }
    if (info.unresolved && r.fix && !(r.blockers?.length) && r.loopback) {
      const { fix: _fix, ...rest } = r;
      const port = r.details?.port !== undefined ? `grpc: {port: ${String(r.details.port)}}` : 'grpc:';
      return {
        ...rest,
        blockers: ['host'],
        keepsBinary: true,
        message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: the probe's -addr dials the container's own host (a loopback address; an empty host and 0.0.0.0 connect locally too), and the object this patch is applied to cannot be read: ${info.unresolved}. If that object is on the host's network (hostNetwork: true, as node agents are), the kubelet would dial the node's IP, where a server bound only to loopback does not answer, so the probe stays on exec`,
        hint: `Make the patched object readable to the tool (a local copy of the base), and run again; or, if its pods are not on the host's network (or the server listens on all addresses), replace exec with ${port} in this patch by hand, with exec: null in a strategic-merge patch.`,
      };
    }
    return r;
  };
  return { builtContext, finish };
}

function docRootOf(walkPath: readonly unknown[]): YAMLMap | undefined {
  for (const n of walkPath) if (isMap(n)) return n;
  return undefined;
}

function describe(docRoot: YAMLMap | undefined): string {
  if (!docRoot) return 'what it names';
  const metadata = getPair(docRoot, 'metadata')?.value;
  const name = isMap(metadata) ? scalarText(getPair(metadata, 'name')?.value) : undefined;
  const ns = isMap(metadata) ? scalarText(getPair(metadata, 'namespace')?.value) : undefined;
  return `the ${scalarText(getPair(docRoot, 'kind')?.value) ?? '?'} ${name ?? '?'}${ns !== undefined ? ` in namespace ${ns}` : ''} it names`;
}

function kustomizationIn(dir: string, run: RunContext): string {
  const name = KUSTOMIZATION_NAMES.find((n) => run.readText(path.join(dir, n)) !== undefined) ?? KUSTOMIZATION_NAMES[0]!;
  return shown(run, path.join(dir, name));
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

function selectorText(t: YAMLMap): string {
  return t.items
    .filter((p) => isScalar(p.key) && isScalar(p.value))
    .map((p) => `${String((p.key as Scalar).value)}: ${String((p.value as Scalar).value)}`)
    .join(', ');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

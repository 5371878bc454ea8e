/**
 * Compose services as Compose reads them, from the parsed YAML: aliases resolve to the anchored
 * node, `<<` merges apply under the keys the service writes itself, and `extends` (same file,
 * `{service}`, or `{file, service}`) merges the base service under it with Compose's rules. Each
 * value remembers the alias, merge or `extends` in the service's own text it came through, so
 * that a service that gets a health check that way is reported where it gets it.
 */
import path from 'node:path';
import type { Document, Node, Pair, Scalar } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { scalarText } from '../parse/yaml.js';

/** One document of a compose file, with the folder its relative paths resolve against. */
export interface ComposeDoc {
  doc: Document;
  dir: string;
  /** The file, when known (read through a LoadCompose). */
  file?: string;
}

/** Reads another compose file (an `extends: {file}`); undefined when it cannot be read or parsed. */
export type LoadCompose = (absPath: string) => readonly ComposeDoc[] | undefined;

export interface Leaf {
  /** A scalar, a sequence or null: never an alias (resolved) and never a mapping. */
  node: Node | null;
  doc: Document;
  /** Folder of the file that wrote it. */
  dir: string;
  /** The file that wrote it, when known. */
  file?: string;
  /** The alias, merge source or `extends` in the service's own text it came through. */
  via?: Via;
}

/** Where in a service's own text a value it did not write comes in: `*hc`, `<<: *base`, `extends: api`. */
export interface Via {
  node: Node;
  text: string;
}

/** `replace`: written `!reset`/`!override`, it replaces what it extends instead of merging. */
export type Value = { kind: 'map'; entries: Map<string, Value>; replace?: boolean } | { kind: 'leaf'; leaves: Leaf[] };

export interface ComposeService {
  name: string;
  /** The service's own value node in this document. */
  node: Node;
  /** Its key (its name) in this document. */
  key?: Node;
  /** The service as Compose builds it: always a map. */
  value: Extract<Value, { kind: 'map' }>;
  /** Why part of it cannot be known: an `extends` the tool cannot follow. */
  undecided?: string;
  /**
   * The services it extends, nearest first (each a folder and a name: what composeKey reads), whose
   * uses run in its container too; `file`: reached through an `extends: {file}`, here or nearer.
   */
  extended?: { dir: string; service: string; file: boolean; runTime?: string }[];
  /**
   * Its own `extends: {file}` names a path set at run time (`${COMMON:-common.yml}`): the service
   * of that name in any file the path may name may be extended (and run in its container).
   */
  runTimeExtends?: { file: string; service: string };
}

export interface ServiceBuild {
  /** `context`, as written (undefined: Compose's default, the compose file's folder). */
  context?: string;
  /** Folder the context resolves against. */
  dir: string;
  /** `dockerfile`, as written (undefined: `Dockerfile` in the context). */
  dockerfile?: string;
  /** `dockerfile_inline`: no Dockerfile of the repository is built. */
  inline: boolean;
  /** `target`: the stage the image is built up to, when written as a plain name (null: written otherwise, a variable or a tag). */
  target?: string | null;
}

export interface ScalarUse {
  scalar: Scalar;
  /** Keys from the service down to the scalar (`healthcheck`, `test`). */
  keys: string[];
  via?: Via;
  /** The file that wrote it, when known (read through a LoadCompose). */
  file?: string;
}

const MAX_DEPTH = 64;

/** The services of one compose document, each with its effective value. */
export function composeServicesOf(cd: ComposeDoc, load?: LoadCompose): ComposeService[] {
  const root = cd.doc.contents;
  if (!isMap(root)) return [];
  const services = resolve(pairValue(root, 'services'), cd.doc);
  if (!isMap(services)) return [];
  const out: ComposeService[] = [];
  for (const item of services.items) {
    const name = scalarText(item.key);
    const node = resolve(item.value as Node | null, cd.doc);
    if (name === undefined || !isMap(node)) continue;
    const s = effectiveService(cd, name, undefined, [], load);
    if (s) out.push({ name, node: item.value as Node, key: item.key as Node, ...s });
  }
  return out;
}

/** The image a service runs when it names one. */
export function imageOf(service: ComposeService): string | undefined {
  const v = service.value.entries.get('image');
  return v?.kind === 'leaf' ? scalarText(v.leaves[v.leaves.length - 1]?.node) : undefined;
}

/** The service's `build:` (short syntax read as its context); undefined when it has none. */
export function buildOf(service: ComposeService): ServiceBuild | undefined {
  const b = service.value.entries.get('build');
  if (!b) return undefined;
  if (b.kind === 'leaf') {
    const leaf = b.leaves[b.leaves.length - 1];
    return { context: scalarText(leaf?.node), dir: leaf?.dir ?? '.', inline: false };
  }
  const context = b.entries.get('context');
  const contextLeaf = context?.kind === 'leaf' ? context.leaves[context.leaves.length - 1] : undefined;
  const dockerfile = b.entries.get('dockerfile');
  const dockerfileLeaf = dockerfile?.kind === 'leaf' ? dockerfile.leaves[dockerfile.leaves.length - 1] : undefined;
  const dir = contextLeaf?.dir ?? dockerfileLeaf?.dir ?? firstDir(b) ?? '.';
  const target = b.entries.get('target');
  const targetText = target?.kind === 'leaf' ? scalarText(target.leaves[target.leaves.length - 1]?.node) : undefined;
  return {
    ...(target ? { target: targetText !== undefined && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(targetText) ? targetText : null } : {}),
    ...(scalarText(contextLeaf?.node) !== undefined ? { context: scalarText(contextLeaf?.node) } : {}),
    dir,
    ...(scalarText(dockerfileLeaf?.node) !== undefined ? { dockerfile: scalarText(dockerfileLeaf?.node) } : {}),
    inline: b.entries.has('dockerfile_inline'),
  };
}

/** Every string scalar of the service (aliases followed) that `test` accepts, with the keys above it. */
export function scalarUses(service: ComposeService, test: (s: string) => boolean): ScalarUse[] {
  const out: ScalarUse[] = [];
  const walkValue = (v: Value, keys: string[]) => {
    if (v.kind === 'map') for (const [k, child] of v.entries) walkValue(child, [...keys, k]);
    else for (const leaf of v.leaves) walkNode(leaf.node, leaf.doc, leaf.via, keys, 0, leaf.file);
  };
  const walkNode = (node: Node | null, doc: Document, via: Via | undefined, keys: string[], depth: number, file: string | undefined): void => {
    if (!node || depth > MAX_DEPTH) return;
    if (isAlias(node)) {
      walkNode(resolve(node, doc), doc, via ?? { node, text: `*${node.source}` }, keys, depth + 1, file);
    } else if (isScalar(node)) {
      if (typeof node.value === 'string' && test(node.value)) out.push({ scalar: node, keys, ...(via ? { via } : {}), ...(file !== undefined ? { file } : {}) });
    } else if (isSeq(node)) {
      for (const item of node.items) walkNode(item as Node, doc, via, keys, depth + 1, file);
    } else if (isMap(node)) {
      for (const p of node.items) {
        const k = scalarText(p.key);
        walkNode(p.value as Node | null, doc, via, k === undefined ? keys : [...keys, k], depth + 1, file);
      }
    }
  };
  walkValue(service.value, []);
  return out;
}

function effectiveService(
  cd: ComposeDoc,
  name: string,
  via: Via | undefined,
  chain: readonly string[],
  load: LoadCompose | undefined,
): Omit<ComposeService, 'name' | 'node'> | undefined {
  const root = cd.doc.contents;
  const services = isMap(root) ? resolve(pairValue(root, 'services'), cd.doc) : undefined;
  if (!isMap(services)) return undefined;
  const pair = services.items.find((p) => scalarText(p.key) === name);
  if (!pair) return undefined;
  const own = valueOf(pair.value as Node | null, cd, via, 0);
  const value: Extract<Value, { kind: 'map' }> = own.kind === 'map' ? own : { kind: 'map', entries: new Map() };
  normalizeBuild(value);
  const ext = value.entries.get('extends');
  if (!ext) return { value };
  value.entries.delete('extends');

  const extLeaf = ext.kind === 'leaf' ? ext.leaves[ext.leaves.length - 1] : undefined;
  let target: string | undefined;
  let file: string | undefined;
  let fileDir = cd.dir;
  if (extLeaf) target = scalarText(extLeaf.node);
  else if (ext.kind === 'map') {
    const s = ext.entries.get('service');
    const f = ext.entries.get('file');
    target = s?.kind === 'leaf' ? scalarText(s.leaves[s.leaves.length - 1]?.node) : undefined;
    const fileLeaf = f?.kind === 'leaf' ? f.leaves[f.leaves.length - 1] : undefined;
    file = scalarText(fileLeaf?.node);
    if (fileLeaf) fileDir = fileLeaf.dir;
  }
  if (target === undefined) return { value, undecided: `service "${name}" extends a service the tool cannot read` };
  // Every value of the base comes through this service's `extends`.
  const extNode = extLeaf?.via?.node ?? extLeaf?.node ?? extendsNode(pair.value as Node | null, cd.doc);
  const extVia: Via | undefined = via ?? (extNode ? { node: extNode, text: `extends: ${target}${file === undefined ? '' : ` of ${file}`}` } : undefined);
  const from = file === undefined ? cd.dir : path.resolve(fileDir, file);
  const id = `${file === undefined ? '' : from}#${target}`;
  if (chain.includes(id) || chain.length > MAX_DEPTH) return { value, undecided: `service "${name}" extends "${target}" in a cycle` };
  let base: Omit<ComposeService, 'name' | 'node'> | undefined;
  if (file === undefined) base = effectiveService(cd, target, extVia, [...chain, id], load);
  else if (/\$/.test(file)) {
    // Set at run time: it may name any file. The default (`${COMMON:-common.yml}`) is one it may
    // name, followed as a candidate: what it gives this service is read as given, but the service
    // stays undecided (another file may give it a build, an image, other uses).
    const runTimeExtends = { file, service: target };
    const undecided = `service "${name}" extends a service of ${file}, a path set at run time`;
    const candidate = defaultPath(file);
    const cfrom = candidate === undefined ? undefined : path.resolve(fileDir, candidate);
    for (const d of (cfrom === undefined ? undefined : load?.(cfrom)) ?? []) {
      base = effectiveService(d, target, extVia, [...chain, `${cfrom}#${target}`], load);
      if (base) break;
    }
    if (!base) return { value, undecided, runTimeExtends };
    const merged = merge(base.value, value, []) as Extract<Value, { kind: 'map' }>;
    const extended = [{ dir: path.dirname(cfrom!), service: target, file: true, runTime: file }, ...(base.extended ?? []).map((e) => ({ ...e, file: true, runTime: e.runTime ?? file }))];
    return { value: merged, extended, undecided, runTimeExtends };
  } else {
    const docs = load?.(from);
    if (!docs) return { value, undecided: `service "${name}" extends "${target}" of ${file}, which the tool cannot read` };
    for (const d of docs) {
      base = effectiveService(d, target, extVia, [...chain, id], load);
      if (base) break;
    }
  }
  if (!base) return { value, undecided: `service "${name}" extends "${target}", which the tool cannot find` };
  const merged = merge(base.value, value, []) as Extract<Value, { kind: 'map' }>;
  const extended = [{ dir: file === undefined ? cd.dir : path.dirname(from), service: target, file: file !== undefined }, ...(base.extended ?? []).map((e) => ({ ...e, file: e.file || file !== undefined }))];
  return { value: merged, extended, ...(base.undecided ? { undecided: base.undecided } : {}) };
}

/** The node of the `extends` key in a service's own mapping (for a map-valued `extends`). */
function extendsNode(node: Node | null, doc: Document): Node | undefined {
  const m = resolve(node, doc);
  if (!isMap(m)) return undefined;
  return (pairValue(m, 'extends') as Node | null) ?? undefined;
}

/** `build: ./api` is `build: {context: ./api}`: Compose merges the two forms field by field. */
function normalizeBuild(service: Extract<Value, { kind: 'map' }>): void {
  const b = service.entries.get('build');
  if (b?.kind === 'leaf' && b.leaves.every((l) => isScalar(l.node))) {
    service.entries.set('build', { kind: 'map', entries: new Map([['context', b]]) });
  }
}

function valueOf(node: Node | null, cd: ComposeDoc, via: Via | undefined, depth: number): Value {
  if (depth > MAX_DEPTH) return { kind: 'leaf', leaves: [] };
  if (isAlias(node)) return valueOf(resolve(node, cd.doc), cd, via ?? { node, text: `*${node.source}` }, depth + 1);
  if (!isMap(node)) return { kind: 'leaf', leaves: [{ node, doc: cd.doc, dir: cd.dir, ...(cd.file !== undefined ? { file: cd.file } : {}), ...(via ? { via } : {}) }] };
  const entries = new Map<string, Value>();
  const merges: Pair[] = [];
  for (const p of node.items) {
    if (isMergeKey(p.key)) {
      merges.push(p);
      continue;
    }
    const k = scalarText(p.key);
    if (k !== undefined) entries.set(k, valueOf(p.value as Node | null, cd, via, depth + 1));
  }
  // YAML merge: keys written in the mapping win, then the sources in order (an earlier one wins).
  for (const p of merges) {
    const sources = isSeq(p.value) ? (p.value.items as Node[]) : [p.value as Node];
    for (const s of sources) {
      const v = valueOf(s, cd, via ?? (isAlias(s) ? { node: s, text: `<<: *${s.source}` } : undefined), depth + 1);
      if (v.kind !== 'map') continue;
      for (const [k, child] of v.entries) if (!entries.has(k)) entries.set(k, child);
    }
  }
  return { kind: 'map', entries, ...(isReplacing(node) ? { replace: true } : {}) };
}

function isReplacing(node: Node | null): boolean {
  return node?.tag === '!reset' || node?.tag === '!override';
}

/** Compose's own commands replace the base's; other lists (ports, volumes...) add to it. */
const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);

/** Compose's merge of a service over the one it extends (or an override file over its base). */
function merge(base: Value, local: Value, keys: readonly string[]): Value {
  if (local.kind === 'map' ? local.replace : local.leaves.some((l) => isReplacing(l.node))) return local;
  if (base.kind === 'map' && local.kind === 'map') {
    const entries = new Map(base.entries);
    for (const [k, v] of local.entries) {
      const b = entries.get(k);
      entries.set(k, b ? merge(b, v, [...keys, k]) : v);
    }
    return { kind: 'map', entries };
  }
  if (base.kind === 'leaf' && local.kind === 'leaf') {
    const lists = [...base.leaves, ...local.leaves].every((l) => isSeq(l.node));
    return lists && !REPLACED.has(keys.join('.')) ? { kind: 'leaf', leaves: [...base.leaves, ...local.leaves] } : local;
  }
  // A mapping against a list or a scalar (environment as a list here, a map there): keep both,
  // the safe side for anything that reads a use of the binary out of it.
  return { kind: 'leaf', leaves: [...leavesOf(base), ...leavesOf(local)] };
}

function leavesOf(v: Value): Leaf[] {
  return v.kind === 'leaf' ? v.leaves : [...v.entries.values()].flatMap(leavesOf);
}

function firstDir(v: Value): string | undefined {
  return leavesOf(v)[0]?.dir;
}

function resolve(node: Node | null | undefined, doc: Document): Node | null {
  let n: Node | null | undefined = node;
  for (let i = 0; isAlias(n) && i < MAX_DEPTH; i++) n = n.resolve(doc) as Node | undefined;
  return n ?? null;
}

function pairValue(map: Node, key: string): Node | null {
  if (!isMap(map)) return null;
  const p = map.items.find((i) => isPair(i) && scalarText(i.key) === key);
  return (p?.value as Node | null | undefined) ?? null;
}

function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  return (typeof v === 'symbol' && v.description === '<<') || (v === '<<' && (key.type === undefined || key.type === 'PLAIN'));
}


type ServiceValue = Extract<Value, { kind: 'map' }>;

/** A service as an override file merges over it (`docker-compose.override.yml`, `-f a -f b`). */
export function mergeOverride(base: ServiceValue, override: ServiceValue): ServiceValue {
  return merge(base, override, []) as ServiceValue;
}

/**
 * Why a service's health check runs nothing, as Compose reads it: `healthcheck: {disable: true}`,
 * or a `test` of `["NONE"]`. Undefined when it may run.
 */
export function disabledCheck(service: ServiceValue): string | undefined {
  const hc = service.entries.get('healthcheck');
  if (hc?.kind !== 'map') return undefined;
  const last = (key: string) => {
    const v = hc.entries.get(key);
    return v?.kind === 'leaf' ? v.leaves[v.leaves.length - 1]?.node ?? null : undefined;
  };
  const disable = last('disable');
  if (isScalar(disable) && (disable.value === true || disable.value === 'true')) return 'healthcheck.disable: true';
  const test = last('test');
  if (isSeq(test) && isScalar(test.items[0]) && (test.items[0] as Scalar).value === 'NONE') return 'healthcheck.test: ["NONE"]';
  return undefined;
}

/** Whether `scalar` is (in) the service's health check test as merged: an override's own test replaces it. */
export function inCheckTest(service: ServiceValue, scalar: Scalar): boolean {
  const hc = service.entries.get('healthcheck');
  const test = hc?.kind === 'map' ? hc.entries.get('test') : undefined;
  if (test?.kind !== 'leaf') return false;
  const holds = (node: Node | null, doc: Document, depth: number): boolean => {
    const n = resolve(node, doc);
    return n === scalar || (depth < MAX_DEPTH && isSeq(n) && n.items.some((i) => holds(i as Node, doc, depth + 1)));
  };
  return test.leaves.some((l) => holds(l.node, l.doc, 0));
}

/**
 * The uses a service gets through an `extends` that run in its container: all but a health check
 * it turns off (`disable: true`, `test: ["NONE"]`), which runs nowhere.
 */
export function usesThroughExtends(service: ComposeService, test: (s: string) => boolean): ScalarUse[] {
  const off = disabledCheck(service.value) !== undefined;
  return scalarUses(service, test).filter((u) => u.via?.text.startsWith('extends:') && !(off && u.keys[0] === 'healthcheck' && u.keys[u.keys.length - 1] === 'test'));
}

/**
 * The path a run-time `extends.file` names when its variables are unset: each `${VAR:-default}` or
 * `${VAR-default}` read as its default. Undefined when a variable has none (`${COMMON}`, `$DIR`).
 */
export function defaultPath(file: string): string | undefined {
  const out = file.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^${}]*)\}/g, '$1');
  return /\$/.test(out) || out === '' ? undefined : out;
}

/**
 * Whether a path set at run time (`${DIR}/common.yml`, `${COMMON:-common.yml}`) may name `abs`:
 * a variable may hold anything (`..` and an absolute path too), so only the text after the last
 * one is sure: `abs` ends with it. `name` likewise for a service name (`service: ${BASE}`).
 */
export function runTimeMayName(pattern: string, value: string, whole: boolean): boolean {
  const parts = pattern.split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/);
  if (parts.length === 1) return whole ? value === pattern : value.endsWith(pattern.replace(/^\.\//, '/')) || value === pattern;
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // A path: only the tail is sure. A name: each literal part in its place.
  return whole ? new RegExp(`^${parts.map(esc).join('.*')}$`, 's').test(value) : value.endsWith(parts[parts.length - 1]!);
}

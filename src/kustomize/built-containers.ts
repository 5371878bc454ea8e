/**
 * The containers of an object as a Kustomize build writes them: the object's own, then each patch
 * applied to it in the order kustomize applies them (patch-targets.ts ContainerWrite), one step per
 * patch document. Only what the loopback listen check reads (src/analysis/loopback-listen.ts): args,
 * command, env, and whether an init container is a sidecar. A host given in one patch and its port
 * in the base or in another patch (`--listen=127.0.0.1:$(GRPC_PORT)` in a patch, GRPC_PORT in the
 * base or in another patch; the base's `--listen=$(LISTEN_HOST):5001` with LISTEN_HOST set by an
 * overlay) make the address only together (hunt22 E5).
 *
 * As kubectl kustomize (v5.5) builds them:
 * - a strategic-merge patch merges containers and env entries by name (a patch's args or command
 *   list replaces the object's whole; an env entry's fields merge with the object's entry of its
 *   name, `value: null` removes one); the merged list is the patch's items in its order, then the
 *   object's items the patch does not name; `$patch: delete` removes an item, `$patch: replace`
 *   writes the patch's list alone;
 * - a JSON 6902 op writes a container by its index in that list, its args, command and env whole,
 *   by item, or an env entry's `value`/`valueFrom`/`name`.
 * What the tool cannot tell (a copy or move into env, a valueFrom, an entry with both a value and
 * a valueFrom, which the API server refuses) leaves the value unread: a `$(NAME)` of it is open.
 */
import type { Pair, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, keyOf } from '../parse/yaml.js';
import type { PatchEntry } from './overlays.js';

/** A patch document applied to an object that may write its containers, in the build's order. */
export interface ContainerWrite {
  entry: PatchEntry;
  /** The document's index in the patch (a strategic-merge patch may hold several). */
  doc: number;
  /** A strategic-merge patch document's root… */
  root?: YAMLMap;
  /** …or a JSON 6902 op list. */
  ops?: unknown;
}

/** The identity of a patch document among an object's writes. */
export function writeId(entry: PatchEntry, doc: number): string {
  return `${entry.file}#${entry.range?.[0] ?? ''}#${doc}`;
}

/** An env entry: a literal value, or a valueFrom (the downward API's or another), or both (refused, unread). */
interface EnvState {
  name: string | undefined;
  value?: string;
  from?: 'downward' | 'other';
}

export interface BuiltContainer {
  /** The same container across steps: its list and name (the strategic merge's identity), or for one without a name its index in the object or the write that added it. */
  key: string;
  /** The map keys down to its list: `spec.template.spec.containers`. */
  list: string;
  name: string | undefined;
  restartPolicy: string | undefined;
  args: (string | undefined)[] | undefined;
  command: (string | undefined)[] | undefined;
  env: EnvState[];
}

export interface BuildStep {
  containers: BuiltContainer[];
  /** The containers this step's write wrote (by key). */
  touched: ReadonlySet<string>;
}

const text = (n: unknown) => (isScalar(n) && n.value !== null ? String(n.value) : undefined);
const nameOf = (m: YAMLMap) => text(getPair(m, 'name')?.value);
const directive = (i: unknown) => (isMap(i) ? text(getPair(i, '$patch')?.value) : undefined);
const itemsOf = (n: unknown) => (isSeq(n) ? n.items.map(text) : undefined);

/** The container lists under a map (through maps only), each with the path of map keys to it. */
function listsIn(node: YAMLMap, at = ''): { list: string; items: unknown[] }[] {
  const out: { list: string; items: unknown[] }[] = [];
  for (const pair of node.items) {
    const k = keyOf(pair as Pair);
    if (k === undefined) continue;
    const here = at === '' ? k : `${at}.${k}`;
    if ((k === 'containers' || k === 'initContainers') && isSeq(pair.value)) out.push({ list: here, items: pair.value.items });
    else if (isMap(pair.value)) out.push(...listsIn(pair.value, here));
  }
  return out;
}

function fromOf(n: unknown): EnvState['from'] {
  if (!isMap(n)) return 'other';
  return n.items.every((p) => ['fieldRef', 'resourceFieldRef'].includes(keyOf(p as Pair) ?? '')) && n.items.length > 0 ? 'downward' : 'other';
}

function envOf(n: unknown): EnvState {
  if (!isMap(n)) return { name: undefined };
  const value = getPair(n, 'value');
  const from = getPair(n, 'valueFrom');
  return {
    name: nameOf(n),
    // `- name: X` alone is X="", as the kubelet gives it.
    ...(value && value.value !== null ? { value: text(value.value) ?? '\0' } : {}),
    ...(from && from.value !== null ? { from: fromOf(from.value) } : {}),
  };
}

/** A container map; its key is its list and name (the strategic merge's identity), or `unnamed` for one without. */
function containerOf(c: unknown, list: string, unnamed: string): BuiltContainer {
  const m = isMap(c) ? c : undefined;
  const env = m ? getPair(m, 'env')?.value : undefined;
  const name = m ? nameOf(m) : undefined;
  return {
    key: name !== undefined ? `${list}#${name}` : `${list}#${unnamed}`,
    list,
    name,
    restartPolicy: m ? text(getPair(m, 'restartPolicy')?.value) : undefined,
    args: m ? itemsOf(getPair(m, 'args')?.value) : undefined,
    command: m ? itemsOf(getPair(m, 'command')?.value) : undefined,
    // A map that is not a container, or an env that is not a list: nothing known of it.
    env: !m ? [{ name: undefined }] : isSeq(env) ? env.items.map(envOf) : env === undefined || env === null ? [] : [{ name: undefined }],
  };
}

/** The patch's items first, in its order, merged with the object's of their name; then the object's the patch does not name (kubectl kustomize's order). */
function mergeByName<T extends { name: string | undefined }>(base: readonly T[], patch: readonly unknown[], merge: (base: T | undefined, item: unknown) => T): T[] {
  // `- $patch: replace` (an item of the directive alone): the patch's list is the list.
  const alone = (i: unknown) => isMap(i) && i.items.length === 1 && directive(i) !== undefined;
  if (patch.some((i) => alone(i) && directive(i) === 'replace')) return patch.filter((i) => !alone(i)).map((i) => merge(undefined, i));
  const named = new Set<string>();
  const out: T[] = [];
  for (const i of patch) {
    if (alone(i)) continue;
    const name = isMap(i) ? nameOf(i) : undefined;
    if (name !== undefined) named.add(name);
    if (directive(i) === 'delete') continue;
    // An item with `$patch: replace` replaces the object's item of its name instead of merging with it.
    const was = name === undefined ? undefined : base.find((b) => b.name === name);
    out.push(merge(directive(i) === 'replace' ? undefined : was, i));
  }
  return [...out, ...base.filter((b) => b.name === undefined || !named.has(b.name))];
}

function mergeEnv(base: EnvState | undefined, item: unknown): EnvState {
  const patch = envOf(item);
  if (!base || !isMap(item)) return patch;
  const out: EnvState = { name: base.name };
  const value = getPair(item, 'value');
  const from = getPair(item, 'valueFrom');
  const v = value ? patch.value : base.value;
  const f = from ? patch.from : base.from;
  if (v !== undefined) out.value = v;
  // A valueFrom merged over another's keeps both sources (refused): read as not the downward API's.
  if (f !== undefined) out.from = from && isMap(from.value) && base.from !== undefined ? (patch.from === 'downward' && base.from === 'downward' ? 'downward' : 'other') : f;
  return out;
}

/** JSON pointer segments (`~1` is `/`, `~0` is `~`). */
function pointer(p: string): string[] {
  return p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A list index of a pointer segment (`-`: past the end, for add), or undefined when it is not one. */
function indexIn(segment: string | undefined, length: number, add: boolean): number | undefined {
  if (segment === '-') return add ? length : undefined;
  if (segment === undefined || !/^(?:0|[1-9][0-9]*)$/.test(segment)) return undefined;
  const i = Number(segment);
  return i < length || (add && i === length) ? i : undefined;
}

/**
 * The steps of a build: the object's containers (step 0), then after each write. Cheap: a few
 * patches of a few containers.
 */
export function containerSteps(root: YAMLMap, writes: readonly ContainerWrite[]): BuildStep[] {
  let containers = listsIn(root).flatMap(({ list, items }) => items.map((c, i) => containerOf(c, list, `:${i}`)));
  const steps: BuildStep[] = [{ containers, touched: new Set() }];
  writes.forEach((w, n) => {
    const touched = new Set<string>();
    containers = w.root ? mergeStep(containers, w.root, n, touched) : opsStep(containers, w.ops, n, touched);
    steps.push({ containers, touched });
  });
  return steps;
}

/** A strategic-merge patch document's containers merged into the object's. */
function mergeStep(containers: readonly BuiltContainer[], root: YAMLMap, n: number, touched: Set<string>): BuiltContainer[] {
  let out = [...containers];
  for (const { list, items } of listsIn(root)) {
    const here = out.filter((c) => c.list === list);
    const merged = mergeByName<BuiltContainer>(here, items, (base, item) => {
      const patch = containerOf(item, list, `:w${n}`);
      touched.add(patch.key);
      if (!base || !isMap(item)) return patch;
      const has = (k: string) => getPair(item, k) !== undefined;
      const env = getPair(item, 'env')?.value;
      return {
        ...base,
        restartPolicy: has('restartPolicy') ? patch.restartPolicy : base.restartPolicy,
        args: has('args') ? patch.args : base.args,
        command: has('command') ? patch.command : base.command,
        env: !has('env') ? base.env : isSeq(env) ? mergeByName(base.env, env.items, mergeEnv) : env === null ? [] : [{ name: undefined }],
      };
    });
    out = [...out.filter((c) => c.list !== list), ...merged];
  }
  return out;
}

/** A JSON 6902 op list applied to the containers, op by op. */
function opsStep(containers: readonly BuiltContainer[], ops: unknown, n: number, touched: Set<string>): BuiltContainer[] {
  let out = [...containers];
  if (!isSeq(ops)) return out;
  const lists = [...new Set(out.map((c) => c.list))];
  ops.items.forEach((op, o) => {
    if (!isMap(op)) return;
    const kind = text(getPair(op, 'op')?.value);
    const to = text(getPair(op, 'path')?.value);
    const from = text(getPair(op, 'from')?.value);
    const value = getPair(op, 'value')?.value;
    if (kind === 'test' || to === undefined) return;
    // What a copy or move writes (or takes away, `from`) is not read: the containers it reaches hold an unread env.
    const unknown = (at: string) => {
      const segments = pointer(at);
      const li = segments.findIndex((s) => s === 'containers' || s === 'initContainers');
      const list = li === -1 ? undefined : segments.slice(0, li + 1).join('.');
      const prefix = segments.join('.');
      const here = out.filter((c) => (list !== undefined ? c.list === list : c.list.startsWith(prefix === '' ? '' : `${prefix}.`)));
      const i = li === -1 ? undefined : indexIn(segments[li + 1], here.length, false);
      for (const c of i === undefined ? here : [here[i]!]) {
        touched.add(c.key);
        out = out.map((x) => (x === c ? { ...c, env: [...c.env, { name: undefined }] } : x));
      }
    };
    if (kind === 'copy' || kind === 'move') {
      unknown(to);
      if (kind === 'move' && from !== undefined) unknown(from);
      return;
    }
    const add = kind === 'add';
    if (!add && kind !== 'replace' && kind !== 'remove') return;
    const segments = pointer(to);
    const li = segments.findIndex((s) => s === 'containers' || s === 'initContainers');
    if (li === -1) {
      // A map above the lists (`/spec/template/spec`), written whole: its containers replace theirs.
      const prefix = segments.join('.');
      const under = lists.filter((l) => prefix === '' || l.startsWith(`${prefix}.`));
      if (under.length === 0) return;
      out = out.filter((c) => !under.includes(c.list));
      if (kind === 'remove' || !isMap(value)) return;
      for (const { list, items } of listsIn(value, prefix)) {
        items.forEach((c, i) => {
          const added = containerOf(c, list, `:w${n}.${o}:${i}`);
          touched.add(added.key);
          out.push(added);
        });
      }
      return;
    }
    const list = segments.slice(0, li + 1).join('.');
    const here = out.filter((c) => c.list === list);
    const others = out.filter((c) => c.list !== list);
    const rest = segments.slice(li + 1);
    const fresh = (c: unknown, i: number) => {
      const added = containerOf(c, list, `:w${n}.${o}:${i}`);
      touched.add(added.key);
      return added;
    };
    if (rest.length === 0) {
      out = [...others, ...(kind !== 'remove' && isSeq(value) ? value.items.map(fresh) : [])];
      return;
    }
    const at = indexIn(rest[0], here.length, add && rest.length === 1);
    if (at === undefined) return; // kustomize fails the build: nothing to read
    if (rest.length === 1) {
      if (kind === 'remove') here.splice(at, 1);
      else here.splice(at, add ? 0 : 1, fresh(value, 0));
      out = [...others, ...here];
      return;
    }
    const c = { ...here[at]! };
    touched.add(c.key);
    here[at] = c;
    out = [...others, ...here];
    const field = rest[1];
    if (field === 'args' || field === 'command') {
      if (rest.length === 2) c[field] = kind === 'remove' ? undefined : (itemsOf(value) ?? [undefined]);
      else {
        const items = [...(c[field] ?? [])];
        const i = indexIn(rest[2], items.length, add);
        if (i === undefined) return;
        if (rest.length > 3) items[i] = undefined;
        else if (kind === 'remove') items.splice(i, 1);
        else items.splice(i, add ? 0 : 1, text(value));
        c[field] = items;
      }
      return;
    }
    if (field !== 'env') return;
    if (rest.length === 2) {
      c.env = kind === 'remove' ? [] : isSeq(value) ? value.items.map(envOf) : [{ name: undefined }];
      return;
    }
    const env = [...c.env];
    const i = indexIn(rest[2], env.length, add && rest.length === 3);
    if (i === undefined) return;
    if (rest.length === 3) {
      if (kind === 'remove') env.splice(i, 1);
      else env.splice(i, add ? 0 : 1, envOf(value));
    } else {
      const entry = { ...env[i]! };
      const part = rest[3];
      if (part === 'value' && rest.length === 4) {
        if (kind === 'remove') delete entry.value;
        else entry.value = text(value) ?? '\0';
      } else if (part === 'valueFrom') {
        if (kind === 'remove' && rest.length === 4) delete entry.from;
        else entry.from = rest.length === 4 ? fromOf(value) : ['fieldRef', 'resourceFieldRef'].includes(rest[4]!) && entry.from !== 'other' ? 'downward' : 'other';
      } else if (part === 'name' && rest.length === 4) entry.name = kind === 'remove' ? undefined : text(value);
      else entry.name = undefined; // a field the tool does not read: the entry may be anything
      env[i] = entry;
    }
    c.env = env;
  });
  return out;
}

/**
 * A built container as the loopback listen check reads it: a value with a valueFrom beside it
 * (which the API server refuses), or a value that is not a string, is not read.
 */
export function listenView(c: BuiltContainer): { lists: { key: string; items: (string | undefined)[] }[]; env: { name: string | undefined; value: string | undefined; downward?: boolean }[] } {
  return {
    lists: [
      { key: 'args', items: c.args ?? [] },
      { key: 'command', items: c.command ?? [] },
    ],
    env: c.env.map((e) => {
      if (e.from !== undefined) return { name: e.name, value: undefined, ...(e.from === 'downward' && e.value === undefined ? { downward: true } : {}) };
      if (e.value === '\0') return { name: e.name, value: undefined };
      return { name: e.name, value: e.value ?? '' };
    }),
  };
}

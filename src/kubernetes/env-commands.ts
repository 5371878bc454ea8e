/**
 * Commands of the repository's scripts that change a container's env (read by patch-commands.ts,
 * for each command it reads): `kubectl set env` (`oc set env`), a `kubectl patch` whose
 * strategic-merge or merge patch sets a container's `env` or whose JSON op's path goes into `…/env`,
 * `yq`/`jq` expressions that address `.env` (inline, from `--from-file`, a `setpath` list), and
 * `sed`/`perl -i` edits of an env value (`value:`) or of a variable's name (textEditEnv). A probe whose port (or service) comes from a
 * variable of its container's env (`-addr=:$(GRPC_PORT)`, `$GRPC_PORT` in a `sh -c` script) reads
 * the env as the command leaves it: the exec probe followed the new value, a grpc probe migrated
 * from the file keeps the file's. Such a probe stays on exec, blocked `overlay-patch` naming the
 * command, as for a Kustomize overlay that sets the env (src/kustomize/overlays.ts).
 *
 * Which probes: those of the objects the command may address (kind and name, as for the patch
 * holds, kubectlObjects; a name known only at run time, a selector, `--all`, `-k`, `-f -`: any), in
 * the container it names (`--containers`, a merge patch's container name, a JSON op's index),
 * whose command reads a variable the command
 * sets (every variable when the command's names are known only at run time: `--from`, `-e "$X"`,
 * an env list the tool does not read).
 */
import { parseYaml } from '../parse/yaml.js';
import { SET_OPTIONS, setEnvJs } from '../discover/grep.js';
import { PATCH_VALUED, SET_ENV_VALUED, commandTool, kubectlArgs } from '../analysis/heredoc-manifest.js';
import type { ResolvedWord } from '../analysis/shell.js';
import type { Report } from '../types.js';

/** The part of a PatchHold an env command fills (patch-commands.ts adds the rest). */
export interface EnvHold {
  at: string;
  kind?: string;
  name?: string;
  files?: string[];
  container?: string;
  /** The container by its place (a JSON op's `…/containers/1/env`): `spec.template.spec.containers[1]`. */
  containerPath?: string;
  /** The variables it sets (or unsets); null: any. */
  env: string[] | null;
  what: string;
  breaks: string;
  hint: string;
}

const BREAKS = "the probe's command reads that variable, which the exec probe takes from the container's env as the command leaves it: migrated here, the grpc probe would keep the file's value";
const HINT = "Put the value the command sets in the manifest's env and the probe (or have the command set the probe's grpc.port too), then run the tool again; or migrate by hand with the port the command gives.";

/**
 * A pretest of a script's text: it may hold such a command (kubectl's patch forms are pretested by
 * `patch`): `set env`, with options between (`set -n prod env`) or a line's `\` continuation
 * (`set \⏎ env`: git's search reads lines, so a line ending `set \` is one too), `.env`.
 */
export const ENV_COMMAND_PATTERN = String.raw`\bset${SET_OPTIONS}(?:\s|\\\r?\n)+env\b|\bset\s+\\$|\.env\b|\b(?:setpath|delpaths)\b|\bvalue\s*:`;
/** ENV_COMMAND_PATTERN for JavaScript's engine: its `set … env` in linear time (setEnvJs). */
export const ENV_COMMAND_PATTERN_JS = String.raw`${setEnvJs(String.raw`(?:\s|\\\r?\n)+env\b`)}|\bset\s+\\$|\.env\b|\b(?:setpath|delpaths)\b|\bvalue\s*:`;
export const ENV_COMMAND_PRETEST = new RegExp(ENV_COMMAND_PATTERN_JS);
/** `set env` (options between) in a text the tool reads only as text (textNetHolds: a Tiltfile, a PowerShell script, a script that does not parse), where kubectl or oc comes before it on its line. */
export const ENV_SET_WORDS = new RegExp(setEnvJs(String.raw`(?:\s|\\\r?\n)+env\b`), 'g');

/** Whether an env hold applies to a probe report: it reads a variable the command sets. */
export function envHoldMatches(env: string[] | null | undefined, r: Report): boolean {
  if (env === undefined) return true;
  const read = r.envNames ?? [];
  return env === null ? read.length > 0 : read.some((n) => env.includes(n));
}

const known = (w: ResolvedWord | undefined) => (w && w.unresolved.length === 0 && !w.text.includes('$') ? w.text : undefined);

/**
 * The env holds of one command's words (after any wrapper): `kubectl`/`oc` `set env` or `patch`,
 * `yq`/`jq`. `files`: a relative path's readings (undefined: any file); `patchText`: what a
 * `kubectl patch`'s `-p`/`--patch-file` is (undefined: known only at run time).
 */
export function envCommandHolds(
  words: readonly ResolvedWord[],
  at: string,
  options: { xargs?: boolean; files: (p: string) => string[] | undefined; patchText: (opts: Map<string, ResolvedWord[]>) => string | undefined; fileText: (p: string) => string | undefined },
): EnvHold[] {
  // As the patch reader finds it (commandTool): `$KUBECTL` (`KUBECTL="kubectl --context prod"`), `microk8s kubectl`, `kubecolor` are kubectl too.
  const command = commandTool(words);
  const tool = command?.tool;
  if (tool === 'yq' || tool === 'jq') return yqEnvHolds(command!.args, at, tool, options.files, options.fileText);
  if (tool !== 'kubectl' && tool !== 'oc') return [];
  const rest = command!.args;
  // `set env` and `patch` among the operands (`kubectl set -n prod env …`: kubectl takes a parent's options before its sub-command).
  let { opts, operands } = kubectlArgs(rest, SET_ENV_VALUED);
  const setEnv = operands[0]?.text === 'set' && operands[1]?.text === 'env';
  if (!setEnv) {
    ({ opts, operands } = kubectlArgs(rest, PATCH_VALUED));
    if (operands[0]?.text !== 'patch') return [];
  }
  const args = operands.slice(setEnv ? 2 : 1);
  // `KEY=VALUE` and `KEY-` (which unsets it) after the objects, `-` (settings read from stdin); the objects before.
  const isSetting = (w: ResolvedWord) => w.text === '-' || /^[A-Za-z_][\w.-]*(?:=|-$)/.test(w.text) || (w.unresolved.length > 0 && /^\$/.test(w.text) && !w.text.includes('/'));
  let targets = args;
  let env: string[] | null = [];
  let what: string;
  let container: string | undefined;
  let containerPath: string | undefined;
  if (setEnv) {
    const first = args.findIndex(isSetting);
    targets = first === -1 ? args : args.slice(0, first);
    // A word known only at run time among the settings may be any name.
    const settings = first === -1 ? [] : args.slice(first);
    for (const s of [...settings, ...(opts.get('-e') ?? []), ...(opts.get('--env') ?? [])]) {
      const m = /^([A-Za-z_][\w.-]*)(?:=|-$)/.exec(s.text);
      if (!m || s.unresolved.some((u) => s.text.indexOf(u) !== -1 && s.text.indexOf(u) < m[1]!.length) || /\$/.test(m[1]!)) env = null;
      else if (env !== null) env.push(m[1]!);
    }
    if (opts.has('--from')) env = null;
    if (env !== null && env.length === 0) return [];
    const c = opts.get('-c')?.[0] ?? opts.get('--containers')?.[0];
    container = c && known(c) !== undefined && !/[*?]/.test(c.text) ? c.text : undefined;
    what = `sets the env of this probe's object with ${tool} set env (${env === null ? 'names known only at run time' : env.join(', ')})`;
  } else {
    const text = options.patchText(opts);
    const type = (opts.get('--type')?.[0]?.text ?? 'strategic').toLowerCase();
    const read = text === undefined ? { env: null as string[] | null } : type === 'json' ? jsonPatchEnv(text) : mergePatchEnv(text);
    if (read === undefined) return [];
    env = read.env;
    container = 'container' in read ? (read.container as string | undefined) : undefined;
    containerPath = 'containerPath' in read ? (read.containerPath as string | undefined) : undefined;
    what = `patches the env of this probe's object with ${tool} patch (${env === null ? 'names the tool does not read' : env.join(', ')})`;
  }
  const base = { at, ...(container !== undefined ? { container } : {}), ...(containerPath !== undefined ? { containerPath } : {}), env, what, breaks: BREAKS, hint: HINT };
  const fileWords = opts.get('-f') ?? opts.get('--filename');
  const fileReadings = fileWords?.map((f) => (f.unresolved.length === 0 ? options.files(f.text) : undefined));
  const files = fileReadings && !fileReadings.some((f) => f === undefined) ? { files: fileReadings.flat() as string[] } : {};
  return kubectlObjects(targets, opts, options.xargs === true).map((o) => ({ ...base, ...files, ...o }));
}

/**
 * The objects a kubectl command's operands name (patch, set env): `TYPE/NAME` (several), `TYPE
 * NAME…`, or any (a selector, `--all`, names known only at run time). Through xargs the names (or
 * `-I`'s string: `xargs -I{} kubectl patch {} …`, the lone `{}` the whole object) come at run time.
 */
export function kubectlObjects(targets: readonly ResolvedWord[], opts: ReadonlyMap<string, ResolvedWord[]>, xargs: boolean): { kind?: string; name?: string }[] {
  // A kind as kubectl reads one (`deploy`, `deployments.apps`), not xargs' placeholder (`{}`, `%`).
  const kindOf = (w: ResolvedWord, text: string) => (known({ ...w, text }) !== undefined && /^[A-Za-z][\w.-]*$/.test(text) ? text : undefined);
  if (targets.length > 0 && targets.every((t) => t.text.includes('/'))) {
    return targets.map((t) => {
      const k = kindOf(t, t.text.slice(0, t.text.indexOf('/')));
      const n = t.text.slice(t.text.indexOf('/') + 1);
      return { ...(k !== undefined ? { kind: k } : {}), ...(t.unresolved.length === 0 && !xargs ? { name: n } : {}) };
    });
  }
  if (targets.length === 0) return [{}];
  const kind = kindOf(targets[0]!, targets[0]!.text);
  const names = targets.slice(1).map(known);
  if (names.length === 0 || names.some((n) => n === undefined) || opts.has('-l') || opts.has('--selector') || opts.has('--all') || xargs) return [kind !== undefined ? { kind } : {}];
  return names.map((n) => ({ ...(kind !== undefined ? { kind } : {}), name: n! }));
}

/**
 * A patch's data as kubectl reads `-p`/`--patch-file`: JSON, else YAML (its first document);
 * undefined when neither parses. Shared by the env reader and the patch reader.
 */
export function patchData(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const parsed = parseYaml(text);
    return !parsed.error && parsed.docs[0] ? parsed.docs[0].toJS() : undefined;
  }
}

/** The env names a strategic-merge or merge patch sets, and the container it names; undefined when it sets no env. */
function mergePatchEnv(text: string): { env: string[] | null; container?: string } | undefined {
  const data = patchData(text);
  if (data === undefined) return /\benv\b/.test(text) ? { env: null } : undefined;
  const names: string[] = [];
  let any = false;
  let found = false;
  const containers = new Set<string | undefined>();
  const walk = (node: unknown, container: string | undefined): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, container));
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    const here = typeof obj.name === 'string' && 'env' in obj ? obj.name : container;
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'env' || k === 'envFrom') {
        found = true;
        containers.add(here);
        if (k === 'envFrom' || !Array.isArray(v)) any = true;
        else for (const e of v) typeof (e as { name?: unknown })?.name === 'string' ? names.push((e as { name: string }).name) : (any = true);
        continue;
      }
      // `$setElementOrder/env`, `$retainKeys`: directives that reorder or keep entries.
      if (k.startsWith('$') && /env/.test(k)) {
        found = true;
        any = true;
        continue;
      }
      walk(v, here);
    }
  };
  walk(data, undefined);
  if (!found) return undefined;
  const container = containers.size === 1 ? [...containers][0] : undefined;
  return { env: any ? null : names, ...(container !== undefined ? { container } : {}) };
}

/** The env names a JSON patch's ops under `…/env` set, and the container when every op's path names one by index; undefined when none does. */
function jsonPatchEnv(text: string): { env: string[] | null; containerPath?: string } | undefined {
  const ops = patchData(text);
  if (!Array.isArray(ops)) return /\/env\b/.test(text) ? { env: null } : undefined;
  let found = false;
  let any = false;
  const names: string[] = [];
  const containers = new Set<string | undefined>();
  // JSON Patch applies its ops in order: an op that adds, removes, moves or copies a container (or
  // replaces the list) before the env op shifts the index that op uses (review20 #6).
  let shifts = false;
  for (const op of ops as { op?: unknown; path?: unknown; from?: unknown; value?: unknown }[]) {
    const paths = [op?.path, op?.from].filter((p): p is string => typeof p === 'string');
    if (op?.op !== 'test' && paths.some((p) => CONTAINER_LIST_ITEM.test(p))) shifts = true;
    if (!paths.some((p) => /\/env(?:From)?(?:\/|$)/.test(p))) continue;
    if (shifts) containers.add(undefined);
    found = true;
    for (const p of paths) containers.add(containerPathOf(p));
    const value = op.value;
    const entries = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? [value] : [];
    // `/env/0/value`: the entry's index, not its name.
    if (entries.length === 0 || paths.some((p) => /\/env\/[^/]+\/|\/envFrom/.test(p))) any = true;
    for (const e of entries) typeof (e as { name?: unknown })?.name === 'string' ? names.push((e as { name: string }).name) : (any = true);
  }
  const one = containers.size === 1 ? [...containers][0] : undefined;
  return found ? { env: any ? null : names, ...(one !== undefined ? { containerPath: one } : {}) } : undefined;
}

/** A pointer at a containers list or one of its items (`…/containers`, `…/containers/0`, `…/initContainers/-`). */
const CONTAINER_LIST_ITEM = /\/(?:initContainers|containers|ephemeralContainers)(?:\/(?:\d+|-))?$/;

/** `/spec/template/spec/containers/1/env/0/value` → `spec.template.spec.containers[1]`; undefined when the pointer names no container by index (`-`, a variable). */
function containerPathOf(pointer: string): string | undefined {
  const m = /^\/((?:[A-Za-z_][\w-]*\/|\d+\/)*?(?:initContainers|containers|ephemeralContainers))\/(\d+)\/env/.exec(pointer);
  if (!m) return undefined;
  return `${m[1]!.split('/').map((s) => (/^\d+$/.test(s) ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '').replace(/\.\[/g, '[')}[${m[2]}]`;
}

/**
 * A yq or jq command's expression file (`--from-file expr.yq`, `--from-file=…`; jq's `-f FILE`):
 * its word, and the file's text when the tool reads it. Read alike by the env reader and the patch
 * reader (src/kubernetes/patch-commands.ts yqHolds).
 */
export function expressionFile(words: readonly ResolvedWord[], tool: 'yq' | 'jq', fileText: (p: string) => string | undefined): { from?: ResolvedWord; expression?: string } {
  const fromAt = words.findIndex((w) => w.text === '--from-file' || w.text.startsWith('--from-file=') || (tool === 'jq' && w.text === '-f'));
  const from = fromAt === -1 ? undefined : words[fromAt]!.text.startsWith('--from-file=') ? { ...words[fromAt]!, text: words[fromAt]!.text.slice(12) } : words[fromAt + 1];
  const expression = from && from.unresolved.length === 0 ? fileText(from.text) : undefined;
  return { ...(from ? { from } : {}), ...(expression !== undefined ? { expression } : {}) };
}

/** `yq -i '(.spec…containers[] | select(.name == "api") | .env[] | select(.name == "GRPC_PORT") | .value) = "9090"' k8s/deploy.yaml`. */
function yqEnvHolds(words: readonly ResolvedWord[], at: string, tool: 'yq' | 'jq', files: (p: string) => string[] | undefined, fileText: (p: string) => string | undefined): EnvHold[] {
  // Known only at run time (a file not found): any variable.
  const { from, expression } = expressionFile(words, tool, fileText);
  const operands = [...words.filter((w) => !w.text.startsWith('-') && w !== from), ...(expression !== undefined ? [{ text: expression, unresolved: [] }] : [])];
  const fileWords = operands.filter((w) => /\.(?:ya?ml|json)$/i.test(w.text));
  const read = fileWords.length > 0 && fileWords.every((f) => f.unresolved.length === 0) ? fileWords.map((f) => files(f.text)) : undefined;
  const fileReadings = read && !read.some((r) => r === undefined) ? { files: read.flat() as string[] } : {};
  const out: EnvHold[] = [];
  const inPlace = words.some((o) => /^-i|^--inplace/.test(o.text));
  if (from && expression === undefined && inPlace) out.push({ at, ...fileReadings, env: null, what: `may edit the env of this probe's object with ${tool} (--from-file ${from.written ?? from.text}, an expression not found here)`, breaks: BREAKS, hint: HINT });
  for (const w of operands) {
    // `setpath(["spec", …, "env", 0, "value"]; "9090")`, `delpaths([[…, "env", …]])`: a path as a list.
    const listed = /\b(?:setpath|delpaths)\s*\(\s*\[[^\]]*["']env(?:From)?["']/.exec(w.text);
    if (listed) {
      out.push({ at, ...fileReadings, env: null, what: `edits the env of this probe's object with ${tool} (${listed[0].replace(/\s+/g, ' ')}…)`, breaks: BREAKS, hint: HINT });
      continue;
    }
    const m = /\.env(?:From)?\b/.exec(w.text);
    if (!m || fileWords.includes(w)) continue;
    // Only an expression that writes (`=`, `|=`, `+=`, del, a -i edit) changes the env; a read is harmless.
    if (!/[^=!<>]=(?!=)|\bdel\(|\bwith\(/.test(w.text) && !inPlace) continue;
    const after = w.text.slice(m.index);
    const named = [...after.matchAll(/select\(\s*\.name\s*==\s*["']([A-Za-z_][\w.-]*)["']\s*\)/g)].map((s) => s[1]!);
    const before = w.text.slice(0, m.index);
    const container = /containers\[\]\s*\|\s*select\(\s*\.name\s*==\s*["']([^"']+)["']\s*\)/.exec(before)?.[1];
    const env = m[0] === '.env' && named.length > 0 ? named.slice(0, 1) : null;
    out.push({ at, ...fileReadings, ...(container !== undefined ? { container } : {}), env, what: `edits the env of this probe's object with ${tool} (${env === null ? m[0] : `${m[0]} ${env.join(', ')}`})`, breaks: BREAKS, hint: HINT });
  }
  return out;
}

/**
 * A text edit's expression (`sed -i 's/value: "50051"/value: "9090"/'`, `perl -pi -e …`) that may
 * change an env entry of a manifest: one that names an env value (`value:`) may change any
 * variable (env null); one that names variables (`s/GRPC_PORT/PORT/`, an address
 * `/GRPC_PORT/,+1 s/…/`) those. Undefined when it names neither.
 */
export function textEditEnv(expression: string, tool: 'sed' | 'perl', anyFile: boolean): Pick<EnvHold, 'env' | 'what' | 'breaks' | 'hint'> | undefined {
  const names = [...new Set([...expression.matchAll(/(?<![\w$])([A-Z][A-Z0-9]*_[A-Z0-9_]*|PORT)(?!\w)/g)].map((m) => m[1]!))];
  const env = !anyFile && /\bvalue\s*:/.test(expression) ? null : names.length > 0 ? names : undefined;
  if (env === undefined) return undefined;
  const shown = expression.length > 80 ? `${expression.slice(0, 77)}...` : expression;
  return { env, what: `edits an env entry of this probe's object with ${tool} (${shown})`, breaks: BREAKS, hint: HINT };
}

/**
 * What a shell command does with the binary: runs it, directly or through wrappers that run the
 * command given in their arguments (`timeout`, `sudo`, `kubectl exec`, `docker run IMAGE …`,
 * `sh -c '…'`), and in which image when a wrapper starts a container. Shared by the scripts in the
 * tree (shell-script-binary-use) and the scripts of workflow steps (a `run:` in a GitHub Actions job).
 */
import { isBinaryPath, mentionsBinary, UPSTREAM_IMAGE } from './binary.js';
import { KUBECTL_GLOBALS, SUDO_VALUED, baseName, skipOptions } from './heredoc-manifest.js';
import type { ResolvedWord, ShCall, ShFunction, ShOtherSet, ShPart, ShScript, ShWord } from './shell.js';

export type Resolve = (word: ShWord, env: (name: string) => string | undefined) => ResolvedWord;

export interface WordReader {
  resolve: Resolve;
  /** Parses a script given as a word (`sh -c '…'`); throws when it is not valid shell. */
  parse: (script: string) => ShCall[];
  env: (name: string) => string | undefined;
  /** Variables the script sets to an image whose tag only is set at run time: the image's name (scriptImageNames). */
  imageNames?: (name: string) => string | undefined;
}

export const noEnv = () => undefined;
export const literal = (w: ShWord, resolve: Resolve) => resolve(w, noEnv).text;

/** Commands that set the variables their operands name (`read -r IMAGE`, `mapfile LINES`, `unset X`). */
const SETS_OPERANDS = new Set(['read', 'mapfile', 'readarray', 'getopts', 'unset', 'let']);

/**
 * The variables a script sets other than by an assignment (`X=1`): what the parse found
 * (ShScript.setsOtherwise: loops, export/local/declare, `${X:=d}`) and the commands that set
 * their operands (`read IMAGE`, `printf -v IMAGE`). Their value is not the assignment's: a
 * script setting `IMAGE=…api…` then `for IMAGE in …worker…` runs the worker. `any`: the script
 * sources another file or evals, which may set any variable.
 */
function setOtherwise(calls: readonly ShCall[], resolve: Resolve, parsed: ReadonlySet<string> = new Set()): Set<string> | 'any' {
  const out = new Set(parsed);
  for (const call of calls) {
    const words = call.args.map((w) => literal(w, resolve));
    const name = words[0] !== undefined ? words[0].slice(words[0].lastIndexOf('/') + 1) : undefined;
    if (name === undefined) continue;
    // `source ./env.sh`, `. ./env.sh`, `eval "$X"`: any variable may be set there.
    if (name === 'source' || name === '.' || name === 'eval') return 'any';
    if (SETS_OPERANDS.has(name)) {
      for (const w of words.slice(1)) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:[=+\-*/[]|$)/.exec(w);
        if (m) out.add(m[1]!);
      }
    }
    if (name === 'printf') {
      // `printf -v NAME`, `printf -vNAME`
      words.forEach((w, i) => {
        if (w === '-v' && words[i + 1] !== undefined) out.add(words[i + 1]!);
        else if (/^-v[A-Za-z_]/.test(w)) out.add(w.slice(2));
      });
    }
  }
  return out;
}

/**
 * A declaration that sets a plain value as an assignment does (`export X=1`, `local X=1`,
 * `readonly X=1`, `declare -rx X=1`: options -g -r -t -x only), or declares the name without one
 * (`local X`). Not one: `+=`, an array, `declare -i`/`-n`/`-l`/`-u` (the value is not the word), an
 * option known only at run time.
 */
export function plainDeclaration(o: ShOtherSet, resolve: Resolve): boolean {
  return o.how === 'declaration' && !o.append && !o.array && (o.options ?? []).every((w) => {
    const r = resolve(w, noEnv);
    return r.unresolved.length === 0 && /^[-+][grtx]+$/.test(r.text);
  });
}

/**
 * Variables the script sets to one literal value (`PROBE=/bin/grpc_health_probe`), so that
 * `"$PROBE" -addr=…` reads as the call it is. A variable set twice to different values, or to
 * something only known at run time, stays unknown; one the script does not set is `outer`'s.
 * `otherSets` (the parse's ShScript.otherSets): a plain declaration (`export KC=kubectl`,
 * `readonly`, `local`, `declare -r`: plainDeclaration) is read as the assignment it is, where
 * every other setting of the name is one too (hunt20 C1); without them, a declared name is unknown.
 * An array (`X=(a b)`, `X[1]=a`) is unknown.
 */
export function scriptVariables(calls: readonly ShCall[], resolve: Resolve, setsOtherwise?: ReadonlySet<string>, outer?: (name: string) => string | undefined, otherSets?: readonly ShOtherSet[]): (name: string) => string | undefined {
  const values = new Map<string, string | null>();
  const set = (name: string, word: ShWord | undefined) => {
    const v = word ? resolve(word, noEnv) : { text: '', unresolved: [] };
    const known = v.unresolved.length === 0 ? v.text : null;
    values.set(name, values.has(name) && values.get(name) !== known ? null : known);
  };
  // The names every setting of which (besides assignments) is a plain declaration: not otherwise set.
  const declared = new Map<string, ShOtherSet[]>();
  const other = new Set<string>();
  for (const o of otherSets ?? []) {
    if (plainDeclaration(o, resolve)) declared.set(o.name, [...(declared.get(o.name) ?? []), o]);
    else other.add(o.name);
  }
  for (const name of other) declared.delete(name);
  const parsed = setsOtherwise && declared.size > 0 ? new Set([...setsOtherwise].filter((n) => !declared.has(n))) : setsOtherwise;
  const otherwise = setOtherwise(calls, resolve, parsed);
  if (otherwise === 'any') return () => undefined;
  for (const name of otherwise) values.set(name, null);
  for (const call of calls) {
    if (call.args.length > 0) continue; // `X=1 cmd` sets X for cmd only
    for (const a of call.assigns) {
      if (a.array || a.index) values.set(a.name, null);
      else set(a.name, a.value);
    }
  }
  // A bare `local X` sets no value the tool reads: X keeps its assignments'.
  for (const [name, os] of declared) if (!otherwise.has(name)) for (const o of os) if (o.value) set(name, o.value);
  // `outer`: what the script's caller sets (Skaffold's $IMAGE), for a name the script does not set itself.
  return (name) => (values.has(name) ? values.get(name) ?? undefined : outer?.(name));
}

/** What a command word that is one variable may run (variableCommands). */
export interface VariableCommands {
  /** Each value the script gives the variable, as the words the shell makes of it. */
  values: ShWord[][];
  /** It may hold a value the tool cannot know too. */
  unknown: boolean;
}

/** The blanks the shell splits an unquoted expansion's value at (default IFS). */
const BLANKS = /[ \t\n]+/;
/** At most this many values of one variable; beyond, it may hold any. */
const MAX_VALUES = 64;

/**
 * What a command word that is one variable may run (`$KC`, `"${KC[@]}"`, `${KC:-kubectl}`):
 * each value the script gives the variable, as the words the shell makes of it: an assignment's
 * or a plain declaration's (`export KC=kubectl`, `readonly`, `local`, `declare -r`) value split at
 * its blanks (`KC="kubectl --context $CTX"`: `kubectl`, `--context`, `$CTX`), an array's elements
 * (`KC=(kubectl --context prod)`, all of them for `"${KC[@]}"`, the first for `$KC`), a default's
 * word (`${KC:-kubectl}`, `: "${KC:=kubectl}"`), another variable's values (`KC=$KUBECTL`, 4
 * deep); and whether it may hold a value the tool cannot know: the one it had before the script
 * (`outer`'s, where that is a literal) where the script does not set it or sets a default, a loop's,
 * `read`'s, `+=`, an element set by its index, `declare -n`, what a sourced file or an eval sets,
 * another expansion (`${KC/x/y}`, `$1`). Flow-insensitive, as scriptVariables: every value
 * the script gives the name anywhere. Undefined when the word is not one variable.
 */
export function variableCommands(script: Pick<ShScript, 'calls' | 'otherSets'>, resolve: Resolve, outer?: (name: string) => string | undefined): (word: ShWord) => VariableCommands | undefined {
  type Setting = { word: ShWord } | { array: ShWord[] } | 'unknown';
  const settings = new Map<string, Setting[]>();
  const add = (name: string, s: Setting) => {
    const list = settings.get(name);
    if (list) list.push(s);
    else settings.set(name, [s]);
  };
  // A name with a default (`${X:=d}`) keeps the value it had before where it had one.
  const defaults = new Set<string>();
  for (const call of script.calls) {
    if (call.args.length > 0) continue; // `X=1 cmd` sets X for cmd only
    for (const a of call.assigns) add(a.name, a.append || a.index ? 'unknown' : a.array ? { array: a.array } : { word: a.value ?? { parts: [] } });
  }
  for (const o of script.otherSets ?? []) {
    if (o.how === 'default') {
      defaults.add(o.name);
      add(o.name, o.value ? { word: o.value } : 'unknown');
    } else if (o.how === 'loop') add(o.name, 'unknown');
    else if (plainDeclaration(o, resolve)) {
      if (o.value) add(o.name, { word: o.value });
    } else {
      const arrayOptions = (o.options ?? []).every((w) => /^[-+][agrtx]+$/.test(literal(w, resolve)) && resolve(w, noEnv).unresolved.length === 0);
      add(o.name, o.elements && !o.append && arrayOptions ? { array: o.elements } : 'unknown');
    }
  }
  // `read KC`, `printf -v KC`, `unset KC`: any value; a sourced file or an eval: any variable any value.
  const otherwise = setOtherwise(script.calls, resolve);
  if (otherwise !== 'any') for (const name of otherwise) add(name, 'unknown');
  const unknown = (): VariableCommands => ({ values: [], unknown: true });
  const before = (name: string): VariableCommands => {
    const v = outer?.(name);
    return v === undefined || otherwise === 'any' ? unknown() : { values: [splitValue({ parts: [{ type: 'lit', value: v }] })], unknown: false };
  };
  const merge = (into: VariableCommands, from: VariableCommands) => {
    into.unknown ||= from.unknown;
    for (const v of from.values) {
      if (into.values.length >= MAX_VALUES) into.unknown = true;
      else into.values.push(v);
    }
  };
  const memo = new Map<string, VariableCommands>();
  // `all`: the array's elements (`"${KC[@]}"`), else its first (`$KC`).
  const ofName = (name: string, all: boolean, seen: readonly string[]): VariableCommands => {
    if (seen.includes(name) || seen.length > 4) return before(name);
    const key = `${name}\0${all}`;
    const known = memo.get(key);
    if (known) return known;
    const out: VariableCommands = { values: [], unknown: otherwise === 'any' };
    const list = settings.get(name);
    if (!list || defaults.has(name)) merge(out, before(name));
    for (const s of list ?? []) {
      if (s === 'unknown') out.unknown = true;
      else if ('array' in s) merge(out, { values: s.array.length > 0 ? [all ? s.array : s.array.slice(0, 1)] : [], unknown: false });
      else merge(out, ofWord(s.word, [...seen, name]));
    }
    memo.set(key, out);
    return out;
  };
  const ofWord = (word: ShWord, seen: readonly string[]): VariableCommands => {
    const only = word.parts.length === 1 ? word.parts[0]! : undefined;
    if (only?.type !== 'param') return { values: [splitValue(word)], unknown: false };
    if (!/^[A-Za-z_]\w*$/.test(only.name)) return unknown();
    if (only.simple || only.index === '0') return ofName(only.name, false, seen);
    if (only.index === '@' || only.index === '*') return ofName(only.name, true, seen);
    if (!only.default) return unknown();
    const out: VariableCommands = { values: [], unknown: false };
    merge(out, ofName(only.name, false, seen));
    merge(out, ofWord(only.default, seen));
    return out;
  };
  return (word) => {
    const only = word.parts.length === 1 ? word.parts[0]! : undefined;
    return only?.type === 'param' ? ofWord(word, []) : undefined;
  };
}

/** A variable's value as the words an unquoted expansion of it makes: its literal parts split at blanks (the rest kept in its word). */
function splitValue(word: ShWord): ShWord[] {
  const fields: ShPart[][] = [[]];
  for (const p of word.parts) {
    if (p.type !== 'lit') {
      fields[fields.length - 1]!.push(p);
      continue;
    }
    p.value.split(BLANKS).forEach((piece, k) => {
      if (k > 0) fields.push([]);
      if (piece !== '') fields[fields.length - 1]!.push({ type: 'lit', value: piece });
    });
  }
  return fields.filter((f) => f.length > 0).map((parts) => ({ parts }));
}

/**
 * What a call of a function the script defines runs (`kc() { kubectl --context "$CTX" "$@"; }`,
 * then `kc patch deployment web …`): the calls of its body that read the call's arguments, with
 * them in place: `"$@"` and `$*` (each argument a word), `"$*"` (one word), `$1`…`$9` (after the
 * `shift`s before it in the body), at the call's place. An alias the script sets (`alias
 * kc='kubectl --context x'`) is the alias's command with the call's words after it. A body call
 * that reads no argument is the script's own call, read where it stands, not again here.
 * A body call that reads them otherwise (`"${@:2}"`, an array of them) is left out, unless it runs
 * kubectl/oc (or a command the tool cannot resolve): that one gets the call's words after its own;
 * one whose command word is read so (`"${@:2}"` alone) leaves the call as written.
 * Undefined when the call's command is no function or alias of the script, or one none of whose
 * calls is read so: the call is then read as written. Functions calling functions are followed 4 deep.
 */
export function scriptFunctions(calls: readonly ShCall[], functions: readonly ShFunction[] | undefined, resolve: Resolve, parse: (script: string) => ShCall[]): (call: ShCall) => ShCall[] | undefined {
  const bodies = new Map<string, ShCall[]>();
  for (const f of functions ?? []) bodies.set(f.name, [...(bodies.get(f.name) ?? []), ...calls.filter((c) => c.start >= f.start && c.end <= f.end)]);
  const aliases = new Map<string, ShWord[]>();
  for (const c of calls) {
    if (c.args.length < 2 || literal(c.args[0]!, resolve) !== 'alias') continue;
    for (const w of c.args.slice(1)) {
      const r = resolve(w, noEnv);
      const m = /^([^\s=/$`'"]+)=([\s\S]+)$/.exec(r.text);
      if (!m || r.unresolved.length > 0) continue;
      try {
        const first = parse(m[2]!)[0];
        if (first && first.args.length > 0) aliases.set(m[1]!, first.args);
      } catch {
        // not a command: no alias read
      }
    }
  }
  if (bodies.size === 0 && aliases.size === 0) return () => undefined;
  const expand = (call: ShCall, depth: number): ShCall[] | undefined => {
    const first = call.args[0];
    const r = first ? resolve(first, noEnv) : undefined;
    if (!r || r.unresolved.length > 0 || depth > 4) return undefined;
    const alias = aliases.get(r.text);
    const body = bodies.get(r.text);
    if (!alias && !body) return undefined;
    const made: ShCall[] = alias ? [{ ...call, args: [...alias, ...call.args.slice(1)] }] : [];
    let shifted = 0;
    for (const b of body ?? []) {
      const words = b.args.map((w) => resolve(w, noEnv).text);
      // `"${@:2}"`, `${1:-x}`, `"${args[@]}"` (the arguments kept in an array): read otherwise, that
      // call is left out (a log line `echo "running ${*:1}"` hides nothing else of the body); a
      // kubectl/oc call (or one whose command the tool cannot resolve) is read with the call's
      // arguments after its own words: a superset of its words, which is what a hold needs.
      if (b.args.some(readsOtherwise)) {
        // The command itself taken from the arguments (`"${@:2}"`, `"${a[@]}"`): the call stays as written.
        if (b.args[0] && readsOtherwise(b.args[0])) return undefined;
        const head = b.args[0] ? resolve(b.args[0], noEnv) : undefined;
        if (head && (head.unresolved.length > 0 || /^(?:kubectl|oc)$/.test(baseName(head.text)))) {
          const kept = b.args.filter((w) => !readsOtherwise(w));
          made.push({ ...b, args: [...(withArguments(kept, call.args.slice(1 + shifted)) ?? kept), ...call.args.slice(1 + shifted)], start: call.start, end: call.end });
        }
        continue;
      }
      // `shift`, `shift 2`: the arguments after it start later.
      if (words[0] === 'shift' && (words.length === 1 || /^\d+$/.test(words[1]!))) {
        shifted += words.length === 1 ? 1 : Number(words[1]);
        continue;
      }
      const args = withArguments(b.args, call.args.slice(1 + shifted));
      if (args) made.push({ ...b, args, start: call.start, end: call.end });
    }
    // A function none of whose calls reads the arguments may pass them on otherwise (`local cmd=("$@")`): the call stays as written.
    if (made.length === 0) return undefined;
    return made.flatMap((c) => (c.args.length > 0 ? expand(c, depth + 1) ?? [c] : []));
  };
  return (call) => expand(call, 0);
}

/** A word that reads the positional parameters in a form withArguments does not place (`"${@:2}"`, `${1:-x}`, `"${args[@]}"`). */
function readsOtherwise(w: ShWord): boolean {
  return w.parts.some((p) => p.type === 'param' && !p.simple && (/^[1-9@*]$/.test(p.name) || /\[[@*]\]/.test(p.source ?? '')));
}

/** A body call's words with the call's arguments in place of the positional parameters; undefined when it reads none. */
function withArguments(words: readonly ShWord[], args: readonly ShWord[]): ShWord[] | undefined {
  let reads = false;
  const out: ShWord[] = [];
  for (const w of words) {
    const only = w.parts.length === 1 ? w.parts[0]! : undefined;
    if (only?.type === 'param' && only.simple && (only.name === '@' || (only.name === '*' && !only.quoted))) {
      reads = true;
      out.push(...args);
      continue;
    }
    const parts: ShPart[] = [];
    for (const p of w.parts) {
      if (p.type !== 'param' || !p.simple || !/^(?:[1-9@*])$/.test(p.name)) {
        parts.push(p);
        continue;
      }
      reads = true;
      // `"$*"`, `"x $@"`: the arguments joined by spaces, in the word.
      const taken = p.name === '@' || p.name === '*' ? args : args[Number(p.name) - 1] !== undefined ? [args[Number(p.name) - 1]!] : [];
      taken.forEach((a, k) => parts.push(...(k > 0 ? [{ type: 'lit' as const, value: ' ' }] : []), ...a.parts));
    }
    out.push({ parts });
  }
  return reads ? out : undefined;
}

/**
 * The image's name when a word names an image whose tag alone is set at run time
 * (`gcr.io/acme/api:${TAG:-dev}`, `…:$VERSION-alpine`): the name is literal up to the tag's colon,
 * which follows the last `/`, and the rest holds no `/` or `@`. The tag does not say which
 * Dockerfile builds the image; the name does. Anything else unknown in it (`${REGISTRY}/api:1`,
 * `localhost:${PORT}/api`) leaves it undefined.
 */
export function taggedImageName(word: ShWord, resolve: Resolve, env: (name: string) => string | undefined): string | undefined {
  let name = '';
  let i = 0;
  for (; i < word.parts.length; i++) {
    const p = word.parts[i]!;
    const r = resolve({ parts: [p] }, env);
    if (r.unresolved.length > 0) break;
    name += r.text;
  }
  if (i === word.parts.length || !name.endsWith(':')) return undefined;
  name = name.slice(0, -1);
  const rest = resolve({ parts: word.parts.slice(i) }, env).text;
  if (name === '' || name.lastIndexOf(':') > name.lastIndexOf('/') || /[$@{}\s]/.test(name) || /[/@]/.test(rest)) return undefined;
  return name;
}

/**
 * Variables the script sets, once or always alike, to an image whose tag alone is set at run time
 * (`IMAGE=gcr.io/acme/api:${TAG:-dev}`): name → the image's name, for `docker run "$IMAGE" …`.
 */
export function scriptImageNames(calls: readonly ShCall[], resolve: Resolve, setsOtherwise?: ReadonlySet<string>): (name: string) => string | undefined {
  const values = new Map<string, string | null>();
  const otherwise = setOtherwise(calls, resolve, setsOtherwise);
  if (otherwise === 'any') return () => undefined;
  for (const name of otherwise) values.set(name, null);
  for (const call of calls) {
    if (call.args.length > 0) continue;
    for (const a of call.assigns) {
      const v = a.value && !a.append ? taggedImageName(a.value, resolve, noEnv) ?? null : null;
      values.set(a.name, values.has(a.name) && values.get(a.name) !== v ? null : v);
    }
  }
  return (name) => values.get(name) ?? undefined;
}

/** The image a container run's image word names: its text, or the name of one whose tag is set at run time (`tagAtRunTime`). */
function imageOfWord(word: ShWord, reader: WordReader): { image: string; tagAtRunTime?: true } {
  const r = reader.resolve(word, reader.env);
  if (r.unresolved.length === 0) return { image: r.text };
  const only = word.parts.length === 1 && word.parts[0]!.type === 'param' && word.parts[0]!.simple ? word.parts[0]!.name : undefined;
  const name = (only !== undefined ? reader.imageNames?.(only) : undefined) ?? taggedImageName(word, reader.resolve, reader.env);
  return name !== undefined ? { image: name, tagAtRunTime: true } : { image: r.text };
}

export interface Run {
  /** Wrappers the binary runs through, outermost first (`kubectl exec`, `timeout`). */
  through: string[];
  /** The variable that held its path. */
  via?: string;
  /** The image it runs in, when a wrapper starts one (`docker run acme/api:1 grpc_health_probe …`). */
  image?: string;
  /** The image's tag is set at run time (`gcr.io/acme/api:${TAG:-dev}`): `image` is its name alone. */
  tagAtRunTime?: true;
}

/** Whether a command (its words) runs the binary, directly or through wrappers the tool knows. */
export function runsBinary(args: readonly ShWord[], reader: WordReader, depth: number): Run | undefined {
  const words = args.map((w) => reader.resolve(w, reader.env).text);
  let i = 0;
  // `exec` and `command` run the command in place: no wrapper to speak of.
  while (i < words.length - 1 && (words[i] === 'exec' || words[i] === 'command')) i++;
  if (i >= words.length) return undefined;
  if (isBinaryPath(words[i]!)) {
    const param = args[i]!.parts.find((p) => p.type === 'param');
    return { through: [], ...(param?.type === 'param' && !mentionsBinary(literal(args[i]!, reader.resolve)) ? { via: param.name } : {}) };
  }
  if (depth >= 8) return undefined;
  const wrapped = unwrap(words, i);
  if (!wrapped) return undefined;
  if ('next' in wrapped && wrapped.ambiguous) {
    // `docker run --new-option x IMAGE …`: an option the table does not know may take `x`, so the
    // image is x or IMAGE (unknown: no image), and the command starts at either reading's place.
    const entrypoint = entrypointOf(words, i + 1, wrapped.image !== undefined ? wrapped.image + 1 : wrapped.next);
    if (wrapped.image !== undefined && entrypoint !== undefined && isBinaryPath(entrypoint)) return { through: [wrapped.label] };
    for (const next of [wrapped.next, wrapped.next + 1]) {
      const inner = runsBinary(args.slice(next), reader, depth + 1);
      if (inner) return { ...inner, through: [wrapped.label, ...inner.through] };
    }
    return undefined;
  }
  if ('next' in wrapped && wrapped.image !== undefined) {
    // `docker run --entrypoint /bin/grpc_health_probe IMAGE -addr=…`: the binary is the container's
    // entrypoint, and the words after the image are its flags.
    const entrypoint = entrypointOf(words, i + 1, wrapped.image);
    if (entrypoint !== undefined && isBinaryPath(entrypoint)) return { through: [wrapped.label], ...imageOfWord(args[wrapped.image]!, reader) };
  }
  if ('next' in wrapped) {
    const inner = runsBinary(args.slice(wrapped.next), reader, depth + 1);
    // The innermost container the command starts in is the one that needs the binary.
    const image = inner?.image !== undefined ? { image: inner.image, ...(inner.tagAtRunTime ? { tagAtRunTime: inner.tagAtRunTime } : {}) } : wrapped.image !== undefined ? imageOfWord(args[wrapped.image]!, reader) : {};
    return inner && { ...inner, ...image, through: [wrapped.label, ...inner.through] };
  }
  let calls: ShCall[];
  try {
    calls = reader.parse(words[wrapped.script]!);
  } catch {
    return undefined;
  }
  for (const call of calls) {
    const inner = runsBinary(call.args, reader, depth + 1);
    if (inner) return { ...inner, through: [wrapped.label, ...inner.through] };
  }
  return undefined;
}

/**
 * What one command of a script does with the binary, read once for every reader of scripts (the
 * scripts in the tree, a workflow step's `run:`): each command that names it is one use, tied to
 * the image it runs in when it starts a container, so that two commands checking two images keep
 * two installs, each its own.
 */
export type CommandUse =
  /** Runs it, directly or through wrappers (run.image: the container it runs in). */
  | { kind: 'run'; call: ShCall; run: Run }
  /** Starts the upstream probe image (`docker run ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24 -addr=…`): the binary ships in it. */
  | { kind: 'upstream'; call: ShCall; image: string; label: string }
  /**
   * Names it in a way the tool cannot read as a run: `in the arguments of wget`. `containerName`:
   * only as the name a container run gives its container (`docker run --name grpc_health_probe
   * IMAGE`), which runs nothing; a reader that does not look keeps the installs for it, the safe side.
   * `buildTarget`: only as the stage an image build selects (`docker build --target
   * without-grpc-health-probe-bin`), which runs nothing once the reader knows the stage (src/analysis/build-targets.ts).
   */
  | { kind: 'names'; call: ShCall; where: string; containerName?: string; buildTarget?: string }
  /** An assignment whose value names it (`PROBE=/bin/grpc_health_probe`); `ranBy`: a run uses the variable, which says it. */
  | { kind: 'assigns'; call: ShCall; name: string; ranBy: boolean };

/** What to do about a container named after the binary (a 'names' use with containerName). */
export const CONTAINER_NAME_HINT =
  'A container\'s name runs nothing: what the container runs comes from its image and its command, which name the binary nowhere here. Rename it once the migration has landed if you like.';

/** The uses of the binary by a script's commands, in the order of the script (assignments last). */
export function commandUses(calls: readonly ShCall[], reader: WordReader): CommandUse[] {
  const uses: CommandUse[] = [];
  const runVariables = new Set<string>();
  const assignments: { call: ShCall; name: string }[] = [];
  for (const call of calls) {
    const run = runsBinary(call.args, reader, 0);
    if (run) {
      if (run.via) runVariables.add(run.via);
      uses.push({ kind: 'run', call, run });
      continue;
    }
    const named = call.args.findIndex((w) => mentionsBinary(literal(w, reader.resolve)));
    if (named !== -1) {
      const upstream = upstreamImageRun(call.args, reader);
      if (upstream) uses.push({ kind: 'upstream', call, ...upstream });
      else {
        const lookup = named === 0 ? undefined : lookupOf(call.args, reader);
        const where = named === 0 ? `in the name of the command it runs (${literal(call.args[0]!, reader.resolve)})` : lookup ? `to check that it is installed (${lookup}: it looks the command up without running it)` : `in the arguments of ${commandOf(call.args, named, reader)}`;
        const container = containerNameOnly(call.args, reader);
        const target = container === undefined ? buildTargetOnly(call.args, reader) : undefined;
        uses.push({ kind: 'names', call, where, ...(container !== undefined ? { containerName: container } : {}), ...(target !== undefined ? { buildTarget: target } : {}) });
      }
      continue;
    }
    const assigned = call.assigns.find((a) => a.value && mentionsBinary(literal(a.value, reader.resolve)));
    if (assigned) assignments.push({ call, name: assigned.name });
  }
  // `PROBE=/bin/grpc_health_probe` is said by the call that runs "$PROBE".
  for (const { call, name } of assignments) uses.push({ kind: 'assigns', call, name, ranBy: runVariables.has(name) });
  return uses;
}

/** The command whose arguments hold word `index`, through the wrappers it runs under: `chmod (through sudo)`. */
/**
 * `command -v grpc_health_probe`, `which …`, `type …`, `hash …`: a lookup of the command in PATH
 * (the script then runs it, most often), not a run; undefined for any other call.
 */
function lookupOf(args: readonly ShWord[], reader: WordReader): string | undefined {
  const texts = args.map((w) => reader.resolve(w, reader.env).text);
  const options = (from: number) => texts.slice(from).filter((t) => t.startsWith('-'));
  if (texts[0] === 'command' && options(1).some((o) => /^-[pvV]*[vV][pvV]*$/.test(o))) return `command ${options(1).join(' ')}`;
  if (['which', 'type', 'hash'].includes(baseName(texts[0] ?? ''))) return baseName(texts[0]!);
  return undefined;
}

function commandOf(args: readonly ShWord[], index: number, reader: WordReader): string {
  const words = args.map((w) => reader.resolve(w, reader.env));
  const texts = words.map((w) => w.text);
  let at = 0;
  while (at < index - 1 && (texts[at] === 'exec' || texts[at] === 'command')) at++;
  const through: string[] = [];
  for (let w = unwrap(texts, at); w && 'next' in w && w.next <= index && w.next < texts.length; w = unwrap(texts, at)) {
    through.push(w.label);
    at = w.next;
  }
  if (at === index) return through.length > 0 ? through.join(', then ') : 'a command';
  const name = words[at]!.unresolved.length > 0 ? 'a command known only at run time' : baseName(texts[at]!);
  return through.length > 0 ? `${name} (through ${through.join(', then ')})` : name;
}

/** A command that runs another command given in its arguments: its options, then its own operands. */
interface Wrapper {
  /** Options that take the next word as their value (`-n 10`); `--` always ends the options. */
  valued?: readonly string[];
  /**
   * The command's whole option table, read as its parser (pflag) reads it: `--opt value`,
   * `--opt=value`, `-e X`, `-eX`, grouped shorthands (`-it`, `-dp 8080:80`). An option outside it
   * may or may not take the next word, which leaves the image unknown (Unwrapped.ambiguous).
   */
  flags?: FlagTable;
  /** Operands before the command (timeout's duration, su-exec's user, docker exec's container). */
  operands?: number;
  /** Words of the form NAME=VALUE before the command (env). */
  assignments?: boolean;
}

/** A command's options as its parser knows them: long (`--env`) and shorthand (`-e`) names. */
export interface FlagTable {
  /** Options that take a value: `--env X`, `--env=X`, `-e X`, `-eX`. */
  valued: ReadonlySet<string>;
  /** Options that take none (`--rm`, `-d`; a bool's `--rm=false` is one word). */
  bool: ReadonlySet<string>;
}

/**
 * Skips a command's options as pflag (docker, podman, nerdctl) reads them, up to its first
 * operand. `unknown`: an option outside the table came first, and it may have taken the next
 * word (which the reading here left as an operand).
 */
export function skipFlags(words: readonly string[], from: number, table: FlagTable): { at: number; unknown: boolean } {
  let i = from;
  let unknown = false;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') return { at: i + 1, unknown };
    if (!w.startsWith('-') || w === '-') break;
    if (w.startsWith('--')) {
      // `--opt=value` is one word whatever the option is.
      if (w.includes('=') || table.bool.has(w)) i++;
      else if (table.valued.has(w)) i += 2;
      else {
        unknown = true;
        i++;
      }
      continue;
    }
    // A group of shorthands: `-it`, `-e X`, `-eFOO=1`, `-dp 8080:80` (a valued one takes the rest
    // of the word, or the next word when it is last).
    let taken = 1;
    for (let j = 1; j < w.length; j++) {
      const c = `-${w[j]}`;
      if (table.valued.has(c)) {
        if (j === w.length - 1) taken = 2;
        break;
      }
      if (!table.bool.has(c)) {
        unknown = true;
        break;
      }
    }
    i += taken;
  }
  return { at: i, unknown };
}

const names = (...lists: string[][]): ReadonlySet<string> => new Set(lists.flat());

/**
 * `docker run`'s options (docker/cli cli/command/container/opts.go addFlags, run.go AddRunFlags,
 * the platform and content-trust flags), valued and not.
 */
const DOCKER_RUN_VALUED = [
  '-a', '--attach', '--device-cgroup-rule', '--device', '--gpus', '-e', '--env', '--env-file', '--entrypoint', '--group-add',
  '-h', '--hostname', '--domainname', '-l', '--label', '--label-file', '--restart', '--stop-signal', '--stop-timeout', '--sysctl',
  '--ulimit', '-u', '--user', '-w', '--workdir', '--cap-add', '--cap-drop', '--security-opt', '--userns', '--cgroupns',
  '--add-host', '--dns', '--dns-opt', '--dns-option', '--dns-search', '--expose', '--ip', '--ip6', '--link', '--link-local-ip',
  '--mac-address', '-p', '--publish', '--net', '--network', '--net-alias', '--network-alias', '--log-driver', '--volume-driver',
  '--log-opt', '--storage-opt', '--tmpfs', '--volumes-from', '-v', '--volume', '--mount', '--health-cmd', '--health-interval',
  '--health-retries', '--health-timeout', '--health-start-period', '--health-start-interval', '--blkio-weight',
  '--blkio-weight-device', '--cidfile', '--cpuset-cpus', '--cpuset-mems', '--cpu-count', '--cpu-percent', '--cpu-period',
  '--cpu-quota', '--cpu-rt-period', '--cpu-rt-runtime', '-c', '--cpu-shares', '--cpus', '--device-read-bps', '--device-read-iops',
  '--device-write-bps', '--device-write-iops', '--io-maxbandwidth', '--io-maxiops', '--kernel-memory', '-m', '--memory',
  '--memory-reservation', '--memory-swap', '--memory-swappiness', '--oom-score-adj', '--pids-limit', '--cgroup-parent', '--ipc',
  '--isolation', '--pid', '--shm-size', '--uts', '--runtime', '--annotation', '--name', '--detach-keys', '--pull', '--platform',
];
const DOCKER_RUN_BOOL = [
  '-i', '--interactive', '--read-only', '-t', '--tty', '--rm', '--privileged', '-P', '--publish-all', '--no-healthcheck',
  '--oom-kill-disable', '--init', '-d', '--detach', '--sig-proxy', '-q', '--quiet', '--help', '--disable-content-trust', '--use-api-socket',
];
const DOCKER_RUN: FlagTable = { valued: names(DOCKER_RUN_VALUED), bool: names(DOCKER_RUN_BOOL) };

/** `podman run`: docker's, and podman's own (containers/podman cmd/podman/common/create.go, netflags.go, run.go). */
const PODMAN_RUN: FlagTable = {
  valued: names(DOCKER_RUN_VALUED, [
    '--authfile', '--cgroups', '--env-merge', '--unsetenv', '--hostuser', '--image-volume', '--init-path', '--arch', '--os',
    '--variant', '--pod-id-file', '--requires', '--sdnotify', '--secret', '--health-startup-cmd', '--health-startup-interval',
    '--health-startup-retries', '--health-startup-success', '--health-startup-timeout', '--health-on-failure', '--systemd',
    '--personality', '--timeout', '--tz', '--umask', '--seccomp-policy', '--cgroup-conf', '--pidfile', '--chrootdirs',
    '--passwd-entry', '--group-entry', '--decryption-key', '--signature-policy', '--shm-size-systemd', '--subgidname',
    '--subuidname', '--gidmap', '--uidmap', '--conmon-pidfile', '--pod', '--preserve-fds', '--preserve-fd', '--hosts-file',
  ]),
  bool: names(DOCKER_RUN_BOOL, ['--unsetenv-all', '--env-host', '--http-proxy', '--read-only-tmpfs', '--rootfs', '--tls-verify', '--replace', '--no-hosts', '--passwd', '--rmi']),
};

/** `nerdctl run`: docker's (nerdctl follows docker run's options; one it adds is unknown, which keeps the image unknown). */
const NERDCTL_RUN = DOCKER_RUN;

/** `docker exec` (docker/cli cli/command/container/exec.go). */
const DOCKER_EXEC_VALUED = ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys'];
const DOCKER_EXEC_BOOL = ['-d', '--detach', '-i', '--interactive', '-t', '--tty', '--privileged', '--help'];
const DOCKER_EXEC: FlagTable = { valued: names(DOCKER_EXEC_VALUED), bool: names(DOCKER_EXEC_BOOL) };
const PODMAN_EXEC: FlagTable = { valued: names(DOCKER_EXEC_VALUED, ['--preserve-fds', '--preserve-fd']), bool: names(DOCKER_EXEC_BOOL, ['-l', '--latest']) };

const WRAPPERS: Record<string, Wrapper> = {
  env: { valued: ['-u', '--unset', '-C', '--chdir'], assignments: true },
  timeout: { valued: ['-s', '--signal', '-k', '--kill-after'], operands: 1 },
  nice: { valued: ['-n', '--adjustment'] },
  nohup: {},
  setsid: {},
  stdbuf: { valued: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  ionice: { valued: ['-c', '-n', '--class', '--classdata'] },
  chrt: { operands: 1 },
  taskset: { operands: 1 },
  time: { valued: ['-f', '-o', '--format', '--output'] },
  sudo: { valued: SUDO_VALUED },
  doas: { valued: ['-u', '-C'] },
  'su-exec': { operands: 1 },
  gosu: { operands: 1 },
  's6-setuidgid': { operands: 1 },
  chroot: { valued: ['--userspec', '--groups'], operands: 1 },
  runuser: { valued: ['-u', '-g', '-G', '--user', '--group', '--supp-group'] },
  xargs: { valued: ['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars'] },
  watch: { valued: ['-n', '--interval'] },
  'dumb-init': {},
  tini: { valued: ['-e'] },
};

/** `kubectl exec POD -- cmd`, `docker compose exec SERVICE cmd`: sub-commands that run a command. */
/** docker's options before its sub-command (podman and nerdctl are read with the same). */
const DOCKER_GLOBALS = ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level'];

const SUBCOMMANDS: Record<string, { globals: readonly string[]; sub: Record<string, Wrapper> }> = {
  kubectl: {
    globals: KUBECTL_GLOBALS,
    sub: { exec: { valued: ['-c', '--container', '-n', '--namespace', '-f', '--filename', '--pod-running-timeout'], operands: 1 } },
  },
  docker: {
    globals: DOCKER_GLOBALS,
    sub: {
      exec: { flags: DOCKER_EXEC, operands: 1 },
      run: { flags: DOCKER_RUN, operands: 1 },
    },
  },
  podman: {
    globals: DOCKER_GLOBALS,
    sub: {
      exec: { flags: PODMAN_EXEC, operands: 1 },
      run: { flags: PODMAN_RUN, operands: 1 },
    },
  },
  nerdctl: {
    globals: DOCKER_GLOBALS,
    sub: {
      exec: { flags: DOCKER_EXEC, operands: 1 },
      run: { flags: NERDCTL_RUN, operands: 1 },
    },
  },
  'docker-compose': {
    globals: ['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi', '--progress', '--parallel'],
    sub: {
      exec: { valued: ['-e', '--env', '-u', '--user', '-w', '--workdir', '--index'], operands: 1 },
      run: { valued: ['-e', '--env', '-u', '--user', '-w', '--workdir', '--name', '--entrypoint', '-l', '--label', '-p', '--publish', '-v', '--volume', '--cap-add', '--cap-drop'], operands: 1 },
    },
  },
};
SUBCOMMANDS.oc = SUBCOMMANDS.kubectl!;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

/** Where the wrapped command starts (or which word is the script, for `sh -c`), when words[at] is a wrapper. */
type Unwrapped = Started | { label: string; script: number };

/**
 * A wrapper's command starts at `next`; `image`: the word naming the container's image (`docker
 * run`). `ambiguous`: an option the table does not know came before it, which may take the next
 * word: then the image is that word or the one after, and the command starts one word later.
 */
interface Started {
  label: string;
  next: number;
  /** Where its own options start, and their table when it has one. */
  options: number;
  flags?: FlagTable;
  image?: number;
  ambiguous?: boolean;
}

export function unwrap(words: readonly string[], at: number): Unwrapped | undefined {
  const name = baseName(words[at]!);
  const wrapper = WRAPPERS[name];
  if (wrapper) return after(words, at + 1, wrapper, name);
  const multi = SUBCOMMANDS[name];
  if (multi) {
    const i = skipOptions(words, at + 1, multi.globals);
    // `docker compose exec`: compose is a sub-command of docker with options of its own.
    if (words[i] === 'compose' && (name === 'docker' || name === 'podman' || name === 'nerdctl')) {
      return subcommand(words, skipOptions(words, i + 1, SUBCOMMANDS['docker-compose']!.globals), SUBCOMMANDS['docker-compose']!.sub, `${name} compose`);
    }
    return subcommand(words, i, multi.sub, name);
  }
  if (SHELLS.has(name)) {
    let c = false;
    for (let i = at + 1; i < words.length; i++) {
      const w = words[i]!;
      if (/^[-+][a-zA-Z]+$/.test(w)) {
        c ||= w[0] === '-' && w.includes('c');
        // `-o pipefail`, `-euo pipefail`: o takes the next word.
        if (w.includes('o')) i++;
      } else if (w.startsWith('--')) {
        // `bash --login -c '…'`, `--norc`, `--`; `--rcfile FILE` takes the next word.
        if (w === '--rcfile' || w === '--init-file') i++;
      } else return c ? { label: `${name} -c`, script: i } : undefined;
    }
  }
  return undefined;
}

function subcommand(words: readonly string[], i: number, subs: Record<string, Wrapper>, label: string): Started | undefined {
  const sub = words[i] !== undefined ? subs[words[i]!] : undefined;
  if (!sub) return undefined;
  const fullLabel = `${label} ${words[i]}`;
  // `kubectl exec pod -- cmd`: after `--` is the command, whatever the options before it were.
  const dashes = words.indexOf('--', i + 1);
  if (label === 'kubectl' || label === 'oc') return dashes !== -1 ? { label: fullLabel, next: dashes + 1, options: i + 1 } : after(words, i + 1, sub, fullLabel);
  return after(words, i + 1, sub, fullLabel);
}

function after(words: readonly string[], from: number, w: Wrapper, label: string): Started | undefined {
  const read = w.flags ? skipFlags(words, from, w.flags) : { at: skipOptions(words, from, w.valued ?? []), unknown: false };
  let i = read.at;
  if (w.assignments) while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  // `docker run [options] IMAGE command`: the operand is the image the command runs in.
  const image = CONTAINER_RUNS.test(label) && i < words.length ? i : undefined;
  i += w.operands ?? 0;
  return i < words.length ? { label, next: i, options: from, ...(w.flags ? { flags: w.flags } : {}), ...(image !== undefined ? { image } : {}), ...(read.unknown ? { ambiguous: true } : {}) } : undefined;
}

/** The container run of a command whose image is the upstream probe image, when it is one. */
export function upstreamImageRun(args: readonly ShWord[], reader: WordReader): { image: string; label: string } | undefined {
  const words = args.map((w) => reader.resolve(w, reader.env).text);
  let at = 0;
  while (at < words.length - 1 && (words[at] === 'exec' || words[at] === 'command')) at++;
  for (let w = unwrap(words, at); w && 'next' in w; w = unwrap(words, at)) {
    // Which word is the image is unknown after an option the table does not know.
    if (w.ambiguous) return undefined;
    if (w.image !== undefined && UPSTREAM_IMAGE.test(words[w.image]!)) return { image: words[w.image]!, label: w.label };
    at = w.next;
  }
  return undefined;
}

/**
 * The wrapper (`docker run`) when every word of a command that names the binary is the value of a
 * container run's `--name` (`docker run --rm --name grpc_health_probe --net x IMAGE …`, or
 * `--name=…`): the name of the container it starts, which runs nothing. The options are read with
 * the CLI's table, up to the image; an option outside it (which may take the next word) leaves
 * the command undecided, and so does any other word naming the binary (undefined).
 */
function containerNameOnly(args: readonly ShWord[], reader: WordReader): string | undefined {
  // An empty word after the last: `docker run --name x IMAGE` with no command is a wrapper too here.
  const words = [...args.map((w) => reader.resolve(w, reader.env).text), ''];
  const named = new Set(args.flatMap((w, k) => (mentionsBinary(literal(w, reader.resolve)) ? [k] : [])));
  if (named.size === 0) return undefined;
  let at = 0;
  while (at < words.length - 1 && (words[at] === 'exec' || words[at] === 'command')) at++;
  let label: string | undefined;
  for (let w = unwrap(words, at); w && 'next' in w; w = unwrap(words, at)) {
    if (w.ambiguous) return undefined;
    if (w.image !== undefined && w.flags) {
      const values = optionValues(words, w.options, w.image, w.flags);
      if (!values) return undefined;
      for (const [k, option] of values) if (option === '--name' && named.delete(k)) label = w.label;
    }
    at = w.next;
  }
  return named.size === 0 ? label : undefined;
}

/** Image builds and the words of their subcommand: `docker build`, `docker buildx build`, `podman build`, `buildah bud`. */
const IMAGE_BUILDS: Record<string, readonly (readonly string[])[]> = {
  docker: [['build'], ['buildx', 'build'], ['image', 'build'], ['builder', 'build']],
  podman: [['build'], ['buildx', 'build'], ['image', 'build']],
  nerdctl: [['build'], ['image', 'build']],
  buildah: [['bud'], ['build'], ['build-using-dockerfile']],
};

/**
 * The stage an image build selects (`docker build --target without-grpc-health-probe-bin .`,
 * `--target=…`), when that is the only word of the call naming the binary; undefined otherwise
 * (the call may run it: a build argument, a tag, a command after the build).
 */
function buildTargetOnly(args: readonly ShWord[], reader: WordReader): string | undefined {
  const resolved = args.map((w) => reader.resolve(w, reader.env));
  const words = resolved.map((w) => w.text);
  let at = 0;
  while (at < words.length && ['exec', 'command', 'sudo'].includes(words[at]!)) at++;
  const sub = IMAGE_BUILDS[baseName(words[at] ?? '')]?.find((s) => s.every((w, k) => words[at + 1 + k] === w));
  if (!sub) return undefined;
  const optionsFrom = at + 1 + sub.length;
  let target: string | undefined;
  for (let k = 0; k < args.length; k++) {
    if (!mentionsBinary(literal(args[k]!, reader.resolve))) continue;
    if (k < optionsFrom || resolved[k]!.unresolved.length > 0) return undefined;
    const value = words[k - 1] === '--target' && k - 1 >= optionsFrom ? words[k]! : words[k]!.startsWith('--target=') ? words[k]!.slice('--target='.length) : undefined;
    if (value === undefined || value === '' || (target !== undefined && target !== value)) return undefined;
    target = value;
  }
  return target;
}

/**
 * The options of a container run from `from` to its image at `to`, read as skipFlags reads them:
 * index of the word holding each option's value (the next word, or the option's own with
 * `--opt=value` and `-eX`) → the option. Undefined when an option is outside the table.
 */
function optionValues(words: readonly string[], from: number, to: number, table: FlagTable): Map<number, string> | undefined {
  const out = new Map<number, string>();
  let i = from;
  while (i < to) {
    const w = words[i]!;
    if (w === '--' || !w.startsWith('-') || w === '-') break;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      if (eq !== -1) out.set(i, w.slice(0, eq));
      else if (table.valued.has(w)) out.set(++i, w);
      else if (!table.bool.has(w)) return undefined;
      i++;
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = `-${w[j]}`;
      if (table.valued.has(c)) {
        if (j === w.length - 1) out.set(++i, c);
        else out.set(i, c);
        break;
      }
      if (!table.bool.has(c)) return undefined;
    }
    i++;
  }
  return out;
}

/** The `--entrypoint` a container run's options give (`--entrypoint X`, `--entrypoint=X`), before its image. */
function entrypointOf(words: readonly string[], from: number, image: number): string | undefined {
  let found: string | undefined;
  for (let j = from; j < image; j++) {
    if (words[j] === '--entrypoint') found = words[++j];
    else if (words[j]!.startsWith('--entrypoint=')) found = words[j]!.slice('--entrypoint='.length);
  }
  return found;
}

/** Wrappers that start a container from an image given as their operand. */
const CONTAINER_RUNS = /^(docker|podman|nerdctl) run$/;

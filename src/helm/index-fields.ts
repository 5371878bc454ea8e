/**
 * Go's `index` on a map with string keys reads what field syntax reads: `index .Values "a" "b"`
 * is `.Values.a.b`, `(index .Values.server "readinessProbe")` is `.Values.server.readinessProbe`.
 * Charts write it that way for keys held in a variable's place or out of habit; the tool reads
 * values paths in the field form, so a template is read with each such call written as fields,
 * padded with spaces to the same length (every offset stays where it was), and what the tool
 * builds from that text gets the calls back as written.
 *
 * Only string literal keys fold, of letters, digits, `_` and `-` (`"livenessProbe"`, and `"my-api"`,
 * a subchart's key, which Go's field syntax cannot name but the tool's values paths can: the
 * readers that match a path written with words alone do not match such a path, and leave it
 * unread as they leave the call); not `$k`, a list index `0`, or `"a.b"`. Folding stops at the
 * first other argument: `index .Values "probes" $k` reads as `index .Values.probes $k`, a key the
 * tool cannot tell under `.Values.probes` (dynamicIndexes).
 *
 * Sprig's `get` reads the same way (`get .Values.server "port"` is `.Values.server.port`: a missing
 * key gives "", which Helm prints as it prints a missing field), and calls nest (`get (get .Values
 * "a") "b"`, `index (index .Values "a") "b"`), folded from the inside out. Sprig's `dig "a" "b" D
 * M` (M.a.b, or D where a key is missing) carries its default: it reads as `default D M.a.b`, or
 * as Go's `or M.a.b D` where that is not shorter than the call (digCall). `.Values.AsMap`, Helm's
 * root values as a plain map, is `.Values`; dig on `.Values` itself fails to render and is not
 * read (rootDigs). A call given its map through a pipe (`.Values.AsMap | dig "a" 1`) is not read.
 */
import { findActions } from './mask.js';

export interface FieldsReading {
  /** The text with each foldable `index`, `get` or `dig` call written as fields, the same length. */
  text: string;
  /** Puts the calls back as written into a string built from `text` (a message, an edit's text). */
  restore(s: string): string;
}

const UNCHANGED: Omit<FieldsReading, 'text'> = { restore: (s) => s };

/** What `index` or `get` indexes: a field chain from the dot, `$`, or a variable (`.Values.server`, `.`, `$p`). */
const TERM = /(?:\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)(?=[\s)])/y;
/** A key that a values path can hold, as a string literal. */
const KEY = /\s+(?:"([A-Za-z0-9_][A-Za-z0-9_-]*)"|`([A-Za-z0-9_][A-Za-z0-9_-]*)`)(?=[\s)}|])/y;
/** The same key, as a whole argument. */
const KEY_ARG = /^(?:"([A-Za-z0-9_][A-Za-z0-9_-]*)"|`([A-Za-z0-9_][A-Za-z0-9_-]*)`)$/;
/** Field names read from a parenthesised call's result: `(index .Values "a").b`. */
const FIELDS_AFTER = /(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
/** The call ends there: its closing parenthesis, a pipe, or the action's end. */
const CALL_END = /\s*(?:$|[)|}]|-\}\})/y;
/** One argument of a call that is a single word: a string literal, a number, a name, a field chain. */
const ARG = /\s+("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s()|{}"`]+)/y;
/**
 * A map `dig` reads soundly: a values map below the root (`.Values.server`), the root as a plain
 * map (`.Values.AsMap`), a variable or the dot. Not the root `.Values` itself: Sprig's dig takes
 * its map as an interface{} and asserts a map[string]interface{}, which Helm's chartutil.Values
 * is not, so `dig "a" 1 .Values` fails to render (Masterminds/sprig#346); `$` neither.
 */
const DIG_MAP = /^(?:\$?\.Values\.AsMap|\$?\.Values(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\$[A-Za-z0-9_]+(?:\.[A-Za-z_][A-Za-z0-9_]*)*|(?!\.Values$)(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)$/;
/** A default `dig` may carry into the reading: a literal, a name (`dict`), a field chain or variable. */
const DIG_DEFAULT = /^(?:"(?:[^"\\{}]|\\.)*"|`[^`{}]*`|-?\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\$?[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\$[A-Za-z0-9_]*)$/;

/** `.Values.AsMap` (Helm's method giving the root values as a plain map) is the root, `.Values`. */
function mapBase(term: string): string {
  const base = term.replace(/^(\$?\.Values)\.AsMap$/, '$1');
  return base === '.' ? '' : base;
}

/**
 * The arguments of the call whose name ends at `pos`, each a single word, and where they end;
 * undefined when one is not (a parenthesised call, a pipe inside).
 */
function wordArgs(text: string, pos: number): { args: string[]; end: number } | undefined {
  const args: string[] = [];
  for (;;) {
    CALL_END.lastIndex = pos;
    if (CALL_END.test(text)) return { args, end: pos };
    ARG.lastIndex = pos;
    const a = ARG.exec(text);
    if (!a) return undefined;
    args.push(a[1]!);
    pos = ARG.lastIndex;
  }
}

export function indexAsFields(text: string): FieldsReading {
  if (!/\b(?:index|get|dig)\s/.test(text)) return { text, ...UNCHANGED };
  const spans: { original: string; written: string }[] = [];
  let out = '';
  let at = 0;
  for (const a of findActions(text).actions) {
    if (a.kind === 'comment' || !/\b(?:index|get|dig)\s/.test(a.text)) continue;
    const folded = foldAction(a.text, spans, text);
    if (folded === a.text) continue;
    out += text.slice(at, a.start) + folded;
    at = a.end;
  }
  if (spans.length === 0) return { text, ...UNCHANGED };
  out += text.slice(at);
  // Longest first: an outer call's written span holds an inner one's (`get (get .Values "a") "b"`
  // is read as `get .Values.a         "b"`, then as `.Values.a.b` and padding), so the outer call
  // comes back first, then the inner one inside it.
  const byLength = [...spans].sort((x, y) => y.written.length - x.written.length);
  return { text: out, restore: (s) => byLength.reduce((acc, sp) => (acc.includes(sp.written) ? acc.split(sp.written).join(sp.original) : acc), s) };
}

/**
 * One action's text with its foldable calls written as fields; each change is added to `spans`.
 * Nested calls fold from the inside out, one pass each: `index (index .Values "a") "b"` reads the
 * inner call as `.Values.a` first, and the outer one then indexes that field chain.
 */
function foldAction(action: string, spans: { original: string; written: string }[], file: string): string {
  let out = action;
  for (let pass = 0; pass < 8; pass++) {
    const next = foldPass(out, spans, file);
    if (next === out) break;
    out = next;
  }
  return out;
}

function foldPass(action: string, spans: { original: string; written: string }[], file: string): string {
  let out = action;
  for (let i = 0; i < out.length; i++) {
    const c = out[i]!;
    // String literals and raw strings are not code.
    if (c === '"') {
      for (i++; i < out.length && out[i] !== '"'; i++) if (out[i] === '\\') i++;
      continue;
    }
    if (c === '`') {
      i = out.indexOf('`', i + 1);
      if (i === -1) break;
      continue;
    }
    const fn = /^(?:index|get|dig)(?=\s)/.exec(out.slice(i, i + 6))?.[0];
    // Not a call given its last argument through a pipe (`$m | dig "a" 1`, `.Values | index "a"`).
    if (!fn || !/[\s({]/.test(out[i - 1] ?? '') || /\|\s*$/.test(out.slice(0, i))) continue;
    const folded = fn === 'dig' ? digCall(out, i) : indexCall(out, i, fn);
    if (!folded) continue;
    const original = out.slice(folded.start, folded.end);
    const written = folded.fields.padEnd(original.length, ' ');
    // The reading must be no longer than the call, and never text the file already holds: restore
    // puts every occurrence of it back as the call.
    if (folded.fields.length > original.length || file.includes(written)) continue;
    spans.push({ original, written });
    out = out.slice(0, folded.start) + written + out.slice(folded.end);
    i = folded.start + folded.fields.length - 1;
  }
  return out;
}

/**
 * `index X "a" "b"` (X.a.b) or `get X "a"` (X.a: Sprig's get on a map gives the key's value, ""
 * when it is missing, which Helm prints as it prints a missing field): the span to write and its
 * fields. `get` takes one key and ends there; `index` folds its keys up to the first it cannot
 * read (`index .Values "probes" $k` is read as `index .Values.probes $k`).
 */
function indexCall(out: string, i: number, fn: string): { start: number; end: number; fields: string } | undefined {
  let pos = i + fn.length;
  while (/\s/.test(out[pos] ?? '')) pos++;
  TERM.lastIndex = pos;
  const term = TERM.exec(out);
  if (!term) return undefined;
  pos = TERM.lastIndex;
  const keys: string[] = [];
  for (;;) {
    KEY.lastIndex = pos;
    const k = KEY.exec(out);
    if (!k) break;
    keys.push(k[1] ?? k[2]!);
    pos = KEY.lastIndex;
    if (fn === 'get') break;
  }
  if (keys.length === 0) return undefined;
  let fields = `${mapBase(term[0])}.${keys.join('.')}`;
  let start = term.index;
  let end = pos;
  CALL_END.lastIndex = pos;
  const whole = CALL_END.test(out);
  // `get` with more arguments is not Sprig's get; only the whole call folds.
  if (fn === 'get' && !whole) return undefined;
  if (whole) {
    // The whole call: `index X "a"` → `X.a`, and `(index X "a").b` → `X.a.b` (the parentheses
    // only group a single value then).
    start = i;
    const open = /\(\s*$/.exec(out.slice(0, i));
    const close = /^\s*\)/.exec(out.slice(pos));
    if (open && close) {
      start = open.index;
      FIELDS_AFTER.lastIndex = pos + close[0].length;
      const after = FIELDS_AFTER.exec(out)![0];
      fields += after;
      end = pos + close[0].length + after.length;
    }
  }
  return { start, end, fields };
}

/**
 * `dig "a" "b" D M` (Sprig: M.a.b, or D where a key is missing) is read as `default D M.a.b`, what
 * the tool reads as the setting of M.a.b or D where none is set, or, where that is longer than the
 * call (one key: `dig "port" 5000 .Values.grpc`), as `or M.a.b D`, Go's own form of the same
 * (first non-empty argument, else the last). Each also takes D for an empty value (0, "", false)
 * where dig keeps it: a reader that checks every value a path may print (a port's, with its
 * default) checks both, and the readers that need the one value printed do not read either form.
 * Only string literal keys that a values path can hold, and a map DIG_MAP allows.
 */
function digCall(out: string, i: number): { start: number; end: number; fields: string } | undefined {
  const call = wordArgs(out, i + 3);
  if (!call || call.args.length < 3) return undefined;
  const { args } = call;
  const map = args[args.length - 1]!;
  const dflt = args[args.length - 2]!;
  const keys = args.slice(0, -2).map((k) => KEY_ARG.exec(k));
  if (!DIG_MAP.test(map) || !DIG_DEFAULT.test(dflt) || keys.some((k) => !k)) return undefined;
  const path = `${mapBase(map)}.${keys.map((k) => k![1] ?? k![2]!).join('.')}`;
  const length = call.end - i;
  const asDefault = `default ${dflt} ${path}`;
  // Strictly shorter: a reading with no padding could be text the chart writes itself.
  return { start: i, end: call.end, fields: asDefault.length < length ? asDefault : `or ${path} ${dflt}` };
}

/**
 * The calls of a template that index a values map with a key the tool cannot read (`index .Values
 * $k`, `index .Values.probes .Values.which`, `get .Values $k`, `dig "probes" $k dict
 * .Values.AsMap`), in text already read by indexAsFields: the values path each indexes (`''` for
 * the root; for dig, the map's path and the literal keys before the first other one) and the call
 * up to that key (dig: the whole call), with its spaces made single: `call` as read, to find it in
 * the read text, and `shown` through `restore` (the reading's), as the chart writes it (`get (get
 * .Values "a") $k`, read as `get .Values.a $k`), for messages. Such a call may read any key there,
 * a probe's among them.
 */
export function dynamicIndexes(text: string, restore: (s: string) => string = (s) => s): { path: string; call: string; shown: string }[] {
  if (!/\b(?:index|get|dig)\s/.test(text)) return [];
  const out: { path: string; call: string; shown: string }[] = [];
  for (const a of findActions(text).actions) {
    if (a.kind === 'comment') continue;
    for (const m of a.text.matchAll(/(?<=[\s({])(?:index|get)\s+\$?\.Values(?:\.AsMap(?![\w-]))?((?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*)\s+(?:"(?:[^"\\]|\\.)*"|[^\s)}|]+)/g)) {
      out.push({ path: m[1]!.slice(1), call: m[0].replace(/\s+/g, ' '), shown: shownAs(a.text, m.index, m.index + m[0].length, restore) });
    }
    for (const m of a.text.matchAll(/(?<=[\s({])dig(?=\s)/g)) {
      const dig = unreadDig(a.text, m.index);
      if (dig) out.push({ path: dig.path, call: dig.call, shown: shownAs(a.text, m.index, dig.end, restore) });
    }
  }
  return out;
}

/**
 * A call of an action read by indexAsFields, as the chart writes it, spaces made single: with the
 * spaces after it, which may be the padding of a call read inside it (its last argument `(get
 * .Values "nodes")`, read as `.Values.nodes` and spaces).
 */
function shownAs(action: string, start: number, end: number, restore: (s: string) => string): string {
  const padding = /^\s*/.exec(action.slice(end))![0];
  return restore(action.slice(start, end) + padding).replace(/\s+/g, ' ').trim();
}

/**
 * A `dig` call indexAsFields left as it is, when its map is a values map below the root or the
 * root as a map (`.Values.AsMap`).
 */
function unreadDig(action: string, at: number): { path: string; call: string; end: number } | undefined {
  const dig = digArgs(action, at);
  // The root itself (`dig … .Values`) fails to render (DIG_MAP, rootDigs): it reads nothing.
  const map = dig && /^\$?\.Values(?:\.AsMap(?![\w-]))?((?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*)$/.exec(dig.args[dig.args.length - 1]!);
  if (!dig || !map || /^\$?\.Values$/.test(dig.args[dig.args.length - 1]!)) return undefined;
  const keys: string[] = [];
  for (const k of dig.args.slice(0, -2)) {
    const key = KEY_ARG.exec(k);
    if (!key) break;
    keys.push(key[1] ?? key[2]!);
  }
  const path = [map[1]!.slice(1), ...keys].filter((p) => p !== '').join('.');
  return { path, call: dig.call, end: dig.end };
}

/**
 * The arguments of the `dig` call at `at` of an action, as written (a parenthesised one whole),
 * the map last and the default before it, and the call with its spaces made single; undefined
 * when it takes its map through a pipe or is not a call of three arguments or more.
 */
function digArgs(action: string, at: number): { args: string[]; call: string; end: number } | undefined {
  if (/\|\s*$/.test(action.slice(0, at))) return undefined;
  const args: string[] = [];
  let pos = at + 3;
  for (;;) {
    CALL_END.lastIndex = pos;
    if (CALL_END.test(action)) break;
    ARG.lastIndex = pos;
    const word = ARG.exec(action);
    if (word) {
      args.push(word[1]!);
      pos = ARG.lastIndex;
      continue;
    }
    // A parenthesised argument, to its matching parenthesis.
    const open = /^\s+\(/.exec(action.slice(pos));
    if (!open) return undefined;
    let depth = 0;
    let end = pos + open[0].length - 1;
    for (; end < action.length; end++) {
      const c = action[end];
      if (c === '"') for (end++; end < action.length && action[end] !== '"'; end++) if (action[end] === '\\') end++;
      if (c === '(') depth++;
      if (c === ')' && --depth === 0) break;
    }
    if (end >= action.length) return undefined;
    args.push(action.slice(pos + open[0].length - 1, end + 1));
    pos = end + 1;
  }
  return args.length < 3 ? undefined : { args, call: action.slice(at, pos).replace(/\s+/g, ' ').trim(), end: pos };
}

/**
 * The `dig` calls of a template whose map is the root `.Values` itself (`dig "grpc" "port" 5000
 * .Values`): Sprig's dig asserts its map is a map[string]interface{}, and Helm's .Values is a
 * chartutil.Values, so rendering fails there ("interface conversion: interface {} is
 * chartutil.Values, not map[string]interface {}", Masterminds/sprig#346); `.Values.AsMap` is the
 * root as a map. Offsets in `text`, each call as written.
 */
export function rootDigs(text: string): { start: number; end: number; call: string }[] {
  if (!/\bdig\s/.test(text)) return [];
  const out: { start: number; end: number; call: string }[] = [];
  for (const a of findActions(text).actions) {
    if (a.kind === 'comment') continue;
    for (const m of a.text.matchAll(/(?<=[\s({])dig(?=\s)/g)) {
      const dig = digArgs(a.text, m.index);
      if (dig && /^\$?\.Values$/.test(dig.args[dig.args.length - 1]!)) out.push({ start: a.start + m.index, end: a.start + dig.end, call: dig.call });
    }
  }
  return out;
}

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
 */
import { findActions } from './mask.js';

export interface FieldsReading {
  /** The text with each foldable `index` call written as fields, the same length. */
  text: string;
  /** Puts the calls back as written into a string built from `text` (a message, an edit's text). */
  restore(s: string): string;
}

const UNCHANGED: Omit<FieldsReading, 'text'> = { restore: (s) => s };

/** What `index` indexes: a field chain from the dot, `$`, or a variable (`.Values.server`, `.`, `$p`). */
const TERM = /(?:\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|(?:\.[A-Za-z_][A-Za-z0-9_]*)+|\.)(?=[\s)])/y;
/** A key that a values path can hold, as a string literal. */
const KEY = /\s+(?:"([A-Za-z0-9_][A-Za-z0-9_-]*)"|`([A-Za-z0-9_][A-Za-z0-9_-]*)`)(?=[\s)}|])/y;
/** Field names read from a parenthesised call's result: `(index .Values "a").b`. */
const FIELDS_AFTER = /(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
/** The call ends there: its closing parenthesis, a pipe, or the action's end. */
const CALL_END = /\s*(?:$|[)|}]|-\}\})/y;

export function indexAsFields(text: string): FieldsReading {
  if (!text.includes('index')) return { text, ...UNCHANGED };
  const spans: { original: string; written: string }[] = [];
  let out = '';
  let at = 0;
  for (const a of findActions(text).actions) {
    if (a.kind === 'comment' || !a.text.includes('index')) continue;
    const folded = foldAction(a.text, spans);
    if (folded === a.text) continue;
    out += text.slice(at, a.start) + folded;
    at = a.end;
  }
  if (spans.length === 0) return { text, ...UNCHANGED };
  out += text.slice(at);
  // Longest first: a written span never holds a shorter one's text, but stay safe.
  const byLength = [...spans].sort((x, y) => y.written.length - x.written.length);
  return { text: out, restore: (s) => byLength.reduce((acc, sp) => (acc.includes(sp.written) ? acc.split(sp.written).join(sp.original) : acc), s) };
}

/** One action's text with its foldable calls written as fields; each change is added to `spans`. */
function foldAction(action: string, spans: { original: string; written: string }[]): string {
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
    if (!out.startsWith('index', i) || !/[\s({]/.test(out[i - 1] ?? '') || !/\s/.test(out[i + 5] ?? '')) continue;
    let pos = i + 5;
    while (/\s/.test(out[pos] ?? '')) pos++;
    TERM.lastIndex = pos;
    const term = TERM.exec(out);
    if (!term) continue;
    pos = TERM.lastIndex;
    const keys: string[] = [];
    for (;;) {
      KEY.lastIndex = pos;
      const k = KEY.exec(out);
      if (!k) break;
      keys.push(k[1] ?? k[2]!);
      pos = KEY.lastIndex;
    }
    if (keys.length === 0) continue;
    const base = term[0] === '.' ? '' : term[0];
    let fields = `${base}.${keys.join('.')}`;
    let start = term.index;
    let end = pos;
    CALL_END.lastIndex = pos;
    if (CALL_END.test(out)) {
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
    const original = out.slice(start, end);
    const written = fields.padEnd(original.length, ' ');
    spans.push({ original, written });
    out = out.slice(0, start) + written + out.slice(end);
    i = start + fields.length - 1;
  }
  return out;
}

/**
 * The calls of a template that index a values map with a key the tool cannot read (`index .Values
 * $k`, `index .Values.probes .Values.which`), in text already read by indexAsFields: the values
 * path each indexes (`''` for the root) and the call up to that key. Such a call may read any key
 * there, a probe's among them.
 */
export function dynamicIndexes(text: string): { path: string; call: string }[] {
  if (!text.includes('index')) return [];
  const out: { path: string; call: string }[] = [];
  for (const a of findActions(text).actions) {
    if (a.kind === 'comment') continue;
    for (const m of a.text.matchAll(/(?<=[\s({])index\s+\$?\.Values((?:\.[A-Za-z0-9_][A-Za-z0-9_-]*)*)\s+(?:"(?:[^"\\]|\\.)*"|[^\s)}|]+)/g)) {
      out.push({ path: m[1]!.slice(1), call: m[0].replace(/\s+/g, ' ') });
    }
  }
  return out;
}

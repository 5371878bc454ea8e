/**
 * Helm templates are not YAML until rendered. Masking every `{{ ... }}` action with a placeholder
 * of the same length makes them parse while keeping every offset, so edits found on the masked
 * text splice into the original one:
 * - an action alone on its line becomes a YAML comment (`#` + spaces);
 * - an inline action that prints something becomes a plain scalar of private-use characters
 *   (U+E001 then U+E000…), so a scalar's value can be mapped back to the actions it holds;
 * - an inline action that prints nothing (if/else/end, comments, `$x :=`) becomes spaces.
 * Newlines (and CRs) are kept, so lines and columns do not move.
 */
import { lineStartOf } from '../text/lines.js';

export type ActionKind = 'open' | 'else' | 'end' | 'comment' | 'silent' | 'output';

export interface Action {
  start: number;
  end: number;
  text: string;
  kind: ActionKind;
  /** The keyword of a control action: if, range, with, define, block, else, end. */
  keyword?: string;
  /** The action is alone on its line(s) (only whitespace and other such actions around it). */
  alone: boolean;
  /** For `end`: the keyword of the block it closes. */
  closes?: string;
  /**
   * An output action that ends a `key:` line and prints a block under it (`readinessProbe:
   * {{- include "x" . | nindent 12 }}` with more of the mapping on the lines below): masked like
   * an action alone on its line, so the key holds the lines below.
   */
  opensBlock?: boolean;
}

export interface MaskedTemplate {
  masked: string;
  actions: Action[];
  /** Set when an action is never closed; offsets of the unclosed `{{`. */
  error?: { offset: number; message: string };
}

export const PLACEHOLDER_START = '\uE001';
export const PLACEHOLDER_FILL = '\uE000';

/** Finds the actions of a Go template: `{{` … `}}`, skipping strings, raw strings and comments. */
export function findActions(text: string): { actions: Omit<Action, 'alone'>[]; error?: MaskedTemplate['error'] } {
  const actions: Omit<Action, 'alone'>[] = [];
  let i = text.indexOf('{{');
  while (i !== -1) {
    const end = actionEnd(text, i);
    if (end === -1) return { actions, error: { offset: i, message: 'a template action {{ is never closed' } };
    const raw = text.slice(i, end);
    actions.push({ start: i, end, text: raw, ...classifyAction(raw) });
    i = text.indexOf('{{', end);
  }
  return { actions };
}

function actionEnd(text: string, start: number): number {
  let j = start + 2;
  if (text[j] === '-' && /\s/.test(text[j + 1] ?? '')) j += 2;
  while (j < text.length && /\s/.test(text[j]!)) j++;
  if (text.startsWith('/*', j)) {
    const close = text.indexOf('*/', j + 2);
    if (close === -1) return -1;
    const after = text.indexOf('}}', close + 2);
    return after === -1 ? -1 : after + 2;
  }
  while (j < text.length) {
    const c = text[j]!;
    if (c === '"' || c === "'") {
      j++;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      j++;
    } else if (c === '`') {
      const close = text.indexOf('`', j + 1);
      if (close === -1) return -1;
      j = close + 1;
    } else if (c === '}' && text[j + 1] === '}') {
      return j + 2;
    } else j++;
  }
  return -1;
}

function inner(raw: string): string {
  const parts = splitAction(raw);
  if (parts) return parts.body;
  const rest = raw.replace(/^\{\{-?\s*/, '');
  return rest.endsWith('}}') ? withoutClose(rest.slice(0, -2)) : rest;
}

/** `s` less what `\s*-?$` matches at its end: the blanks and trim marker before an action's `}}`. */
function withoutClose(s: string): string {
  // String.prototype.trimEnd and \s remove the same characters (WhiteSpace and LineTerminator).
  return (s.endsWith('-') ? s.slice(0, -1) : s).trimEnd();
}

/**
 * `{{- body -}}` in three parts, as `^(\{\{-?\s*)([\s\S]*?)(\s*-?\}\})$` reads it: the opening
 * (`{{`, a `-`, the blanks after), the body, and the closing (the blanks, a `-`, `}}`). Found with
 * indexes, not that regex: its lazy body between two runs of `\s*` backtracks in cubic time on a
 * long run of blanks inside the action (bad input must not hang the tool). Undefined when the text
 * does not start with `{{` and end with `}}`.
 */
export function splitAction(text: string): { open: string; body: string; close: string } | undefined {
  if (text.length < 4 || !text.startsWith('{{') || !text.endsWith('}}')) return undefined;
  const inner = text.slice(2, -2);
  const dash = inner.startsWith('-') ? 1 : 0;
  const openEnd = inner.length - inner.slice(dash).trimStart().length;
  const rest = inner.slice(openEnd);
  const body = withoutClose(rest);
  return { open: text.slice(0, 2 + openEnd), body, close: `${rest.slice(body.length)}}}` };
}

/** `{{- body -}}` as `{{ body }}`, for messages: the action without its trim markers (`{{ }}` when empty). */
export function spokenAction(text: string): string {
  const parts = splitAction(text);
  return !parts ? text : parts.body === '' ? '{{ }}' : `{{ ${parts.body} }}`;
}

/**
 * What an action that is one pipeline without braces prints first: `.Values.a` of `{{ .Values.a |
 * quote }}` (the text before the first `|`, trimmed), as `^\{\{-?\s*([^|{}]*?)\s*(?:\|[^{}]*)?-?\}\}$`
 * read it in cubic time on a run of blanks.
 */
export function printedOperand(text: string): string | undefined {
  const parts = splitAction(text);
  if (!parts || /[{}]/.test(text.slice(2, -2))) return undefined;
  const pipe = parts.body.indexOf('|');
  return pipe === -1 ? parts.body : parts.body.slice(0, pipe).trimEnd();
}

/** X of an action's body `X | quote` (or `| squote`), as `^(\S[\s\S]*?)\s*\|\s*s?quote$` read it, which backtracked on blanks. */
export function quotedPipeline(body: string): string | undefined {
  if (!body.endsWith('quote')) return undefined;
  let head = body.slice(0, -'quote'.length);
  if (head.endsWith('s')) head = head.slice(0, -1);
  head = head.trimEnd();
  if (!head.endsWith('|')) return undefined;
  head = head.slice(0, -1).trimEnd();
  return /^\S/.test(head) ? head : undefined;
}

function classifyAction(raw: string): { kind: ActionKind; keyword?: string } {
  const body = inner(raw);
  if (body.startsWith('/*')) return { kind: 'comment' };
  const word = /^[a-z]+/.exec(body)?.[0];
  if (word === 'if' || word === 'range' || word === 'with' || word === 'define' || word === 'block') return { kind: 'open', keyword: word };
  if (word === 'else') return { kind: 'else', keyword: 'else' };
  if (word === 'end') return { kind: 'end', keyword: 'end' };
  if (word === 'break' || word === 'continue') return { kind: 'silent', keyword: word };
  if (/^\$[A-Za-z0-9_]*\s*:?=/.test(body)) return { kind: 'silent' };
  return { kind: 'output' };
}

/** The text between `{{`/`{{-` and `}}`/`-}}`, trimmed. */
export function actionBody(a: Pick<Action, 'text'>): string {
  return inner(a.text);
}

export function maskTemplate(text: string): MaskedTemplate {
  const found = findActions(text);
  const actions: Action[] = found.actions.map((a) => ({ ...a, alone: false }));
  const open: string[] = [];
  for (const a of actions) {
    if (a.kind === 'open') open.push(a.keyword!);
    else if (a.kind === 'end') {
      const k = open.pop();
      if (k) a.closes = k;
    }
  }
  // An action is alone when its lines hold nothing but whitespace and actions. Read gap by gap
  // (the text between two actions): the line is blank before an action when the gap before it
  // is, back to a newline in the gap, or in the action before it, or to that action's own blank
  // line start; the same after it. Linear: a line of 2,000 actions, each reading its whole line
  // again, took ~15 s.
  const blank = (s: string) => /^\s*$/.test(s);
  const blankBefore: boolean[] = [];
  // An action's `{{` stands before it on its line (or after it): it is no `key: {{ … }}` line.
  const actionBefore: boolean[] = [];
  const actionAfter: boolean[] = [];
  actions.forEach((a, k) => {
    const gap = text.slice(k === 0 ? 0 : actions[k - 1]!.end, a.start);
    const nl = gap.lastIndexOf('\n');
    const prevOnLine = nl === -1 && k > 0;
    actionBefore.push(prevOnLine && !actions[k - 1]!.text.includes('\n'));
    blankBefore.push(blank(gap.slice(nl + 1)) && (!prevOnLine || actions[k - 1]!.text.includes('\n') || blankBefore[k - 1]!));
  });
  let blankAfterNext = true;
  for (let k = actions.length - 1; k >= 0; k--) {
    const a = actions[k]!;
    const last = k === actions.length - 1;
    const gap = text.slice(a.end, last ? text.length : actions[k + 1]!.start);
    const nl = gap.indexOf('\n');
    const nextOnLine = nl === -1 && !last;
    actionAfter[k] = nextOnLine;
    const blankAfter: boolean = blank(nl === -1 ? gap : gap.slice(0, nl)) && (!nextOnLine || actions[k + 1]!.text.includes('\n') || blankAfterNext);
    a.alone = blankBefore[k]! && blankAfter;
    blankAfterNext = blankAfter;
  }
  actions.forEach((a, k) => {
    if (a.kind === 'output' && !a.alone) a.opensBlock = !actionBefore[k] && !actionAfter[k] && opensBlock(text, a);
  });
  const out: string[] = [];
  let pos = 0;
  for (const a of actions) {
    out.push(text.slice(pos, a.start));
    out.push(placeholder(text, a));
    pos = a.end;
  }
  out.push(text.slice(pos));
  const masked: MaskedTemplate = { masked: out.join(''), actions };
  if (found.error) masked.error = found.error;
  return masked;
}

function placeholder(text: string, a: Action): string {
  let first = true;
  let s = '';
  for (let i = a.start; i < a.end; i++) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') {
      s += c;
      first = true;
      continue;
    }
    if (a.alone || a.opensBlock) s += first ? '#' : ' ';
    else if (a.kind === 'output') s += i === a.start ? PLACEHOLDER_START : PLACEHOLDER_FILL;
    else s += ' ';
    first = false;
  }
  return s;
}

/**
 * `key: {{- … | nindent N }}` at the end of its line, with deeper-indented lines after it: the
 * action prints the first lines of the key's block mapping (nindent starts it on a new line).
 */
function opensBlock(text: string, a: Action): boolean {
  if (!/\|\s*nindent\s+\d+\s*-?\}\}$/.test(a.text)) return false;
  const lineStart = lineStartOf(text, a.start);
  const before = text.slice(lineStart, a.start);
  // A `#` only starts a comment after whitespace: `key:{{` stays a scalar.
  if (!/^[ \t]*(?:-[ \t]+)?[^\s#{][^#{]*:[ \t]+$/.test(before)) return false;
  let lineEnd = text.indexOf('\n', a.end);
  if (lineEnd === -1) return false;
  if (!/^[ \t\r]*$/.test(text.slice(a.end, lineEnd))) return false;
  const keyIndent = /^[ \t]*(?:-[ \t]+)?/.exec(before)![0].length;
  // The next line with text must sit deeper than the key: it continues the key's mapping. Line
  // by line from there, not the rest of the file split at once for each such action.
  for (let from = lineEnd + 1; from <= text.length; ) {
    const to = text.indexOf('\n', from);
    const line = text.slice(from, to === -1 ? text.length : to);
    if (!/^[ \t\r]*$/.test(line)) return /^[ \t]*/.exec(line)![0].length > keyIndent;
    if (to === -1) break;
    from = to + 1;
  }
  return false;
}

/**
 * Maps a scalar's value, read from the masked text, back to the original: the k-th placeholder
 * in the value is the k-th printing action inside the scalar's source range.
 */
export function unmaskValue(value: string, actionsInRange: readonly Action[]): string {
  const printing = actionsInRange.filter((a) => !a.alone && !a.opensBlock && a.kind === 'output');
  let k = 0;
  return value.replace(/\uE001\uE000*/g, (m) => {
    const a = printing[k++];
    return a && a.text.length === m.length ? a.text : m;
  });
}

/** Actions fully inside [start, end). */
export function actionsIn(actions: readonly Action[], start: number, end: number): Action[] {
  return actions.filter((a) => a.start >= start && a.end <= end);
}

/** Actions that share at least one character with [start, end). */
export function actionsTouching(actions: readonly Action[], start: number, end: number): Action[] {
  return actions.filter((a) => a.start < end && start < a.end);
}

/**
 * Why an edit cannot be made on a template, or undefined: it must not cut through an action, and
 * the control actions it removes must be balanced (a whole `{{ if }} … {{ end }}` or none of it).
 */
export function refuseTemplateEdit(actions: readonly Action[], text: string, edit: { start: number; end: number }, anchor?: number): string | undefined {
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  for (const a of actions) {
    const inside = a.start >= edit.start && a.end <= edit.end;
    const disjoint = a.end <= edit.start || a.start >= edit.end;
    const cuts = edit.start === edit.end ? edit.start > a.start && edit.start < a.end : !inside && !disjoint;
    if (cuts) return `the rewrite would cut through the template action ${a.text} (line ${lineOf(a.start)})`;
  }
  if (edit.start === edit.end && anchor !== undefined && anchor <= edit.start) {
    // A new line of the probe that starts at `anchor` is in the probe's own branch when every
    // block opened between the two is closed again: then the template renders both or neither.
    const unbalanced = unbalancedAction(actionsIn(actions, anchor, edit.start));
    if (unbalanced) return `the new line would land in another template branch than the probe's, past ${unbalanced.text} (line ${lineOf(unbalanced.start)})`;
  } else if (edit.start === edit.end) {
    // A new line just before the `{{ end }}` / `{{ else }}` of an if/range/with exists only in that branch.
    let j = edit.start;
    while (j < text.length && /\s/.test(text[j]!)) j++;
    const next = actions.find((a) => a.start === j);
    const branchEnd = next && (next.kind === 'else' || (next.kind === 'end' && next.closes !== 'define' && next.closes !== 'block'));
    if (next && branchEnd) {
      return `the new line would land inside the template branch closed by ${next.text} (line ${lineOf(next.start)})`;
    }
  }
  let depth = 0;
  for (const a of actionsIn(actions, edit.start, edit.end)) {
    if (a.kind === 'open') depth++;
    else if (a.kind === 'end') depth--;
    else if (a.kind === 'else' && depth === 0) depth = -1;
    if (depth < 0) return `the rewrite would split the template block around ${a.text} (line ${lineOf(a.start)})`;
  }
  if (depth !== 0) return 'the rewrite would remove the start of a template block but not its {{ end }}';
  return undefined;
}

/** The first action of a run that leaves or splits a block (an `end` or `else` of an outer one), or opens one it does not close. */
function unbalancedAction(run: readonly Action[]): Action | undefined {
  const open: Action[] = [];
  for (const a of run) {
    if (a.kind === 'open') open.push(a);
    else if (a.kind === 'else' && open.length === 0) return a;
    else if (a.kind === 'end' && open.pop() === undefined) return a;
  }
  return open[0];
}

/**
 * Whether a line ends with a key, then blanks or a comment: `/:[ \t]*(#.*)?$/` (quadratic on a line of
 * many `:#`), read after the line's last line break (a `.` of that regex stops at one).
 */
function endsWithKey(line: string): boolean {
  const lastBreak = Math.max(...['\n', '\r', '\u2028', '\u2029'].map((b) => line.lastIndexOf(b)));
  return /:[ \t]*(?:#|$)/.test(line.slice(lastBreak + 1));
}

/**
 * The YAML keys that text printed at `offset` sits under, nearest last, read from indentation
 * (up to three: enough to tell a probe's `exec: command:` from a container's `command:`).
 */
export function keysAbove(text: string, offset: number): string[] {
  const lines = text.slice(0, offset).split(/\r?\n/);
  const own = lines.pop()!;
  const KEY = /^([ \t]*)(?:-[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*:(?:[ \t]|$)/;
  const keys: string[] = [];
  const first = KEY.exec(own);
  let indent = first ? first[1]!.length : own.length - own.trimStart().length;
  if (first) keys.unshift(first[2]!);
  for (let i = lines.length - 1; i >= 0 && keys.length < 3 && indent > 0; i--) {
    const m = KEY.exec(lines[i]!);
    // A block sequence may sit at its key's own indentation (`command:` then `- …` below it).
    const holdsBelow = !first && keys.length === 0 && m !== null && endsWithKey(lines[i]!);
    if (!m || m[1]!.length > indent || (m[1]!.length === indent && !holdsBelow)) continue;
    keys.unshift(m[2]!);
    indent = m[1]!.length;
  }
  return keys;
}

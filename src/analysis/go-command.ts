/**
 * A Go `[]string{…}` literal around a mention of the binary, read far enough to plan the native
 * probe by hand: an operator builds its pods' probes in Go
 * (`Exec: &corev1.ExecAction{Command: []string{"grpc_health_probe", fmt.Sprintf("-addr=:%d", port)}}`),
 * which the tool does not rewrite, but can tell what it would become.
 */

/** One item of the literal: its words as Go builds them, with the operands it cannot read kept as source. */
export interface GoItem {
  /** The string, with each operand the tool cannot evaluate as a placeholder (see GoCommand.expressions). */
  text: string;
  /** The whole item is an expression the tool cannot read (`addrFlag`, `strings.Join(…)`). */
  opaque: boolean;
}

export interface GoCommand {
  items: GoItem[];
  /** Placeholder index → Go source of the operand (`port`, `strconv.Itoa(p)`). */
  expressions: string[];
  /**
   * Placeholder index → the Go source of the integer it prints, where the tool can tell
   * (`fmt.Sprintf("%d", port)`, `strconv.Itoa(port)`): what a GRPCAction's int32 Port takes.
   */
  integers: Map<number, string>;
  /**
   * What grows the command when the code runs, so that the literal alone is not what the probe
   * runs (an operator appending `-tls` when a certificate is configured): the first
   * `name = append(name, …)` after the literal in its function, when the literal is assigned to
   * `name`; an `append(` the literal is the first argument of; or, for a builder, a further
   * `.WithCommand(…)` chained after it (an apply configuration's WithCommand appends).
   */
  appended?: string;
  /** The items are a `.WithCommand(…)` call's (client-go apply configurations), not a `[]string{…}`. */
  builder?: boolean;
}

export const GO_PLACEHOLDER = /\uE020(\d+)\uE021/g;
const placeholder = (i: number) => `\uE020${i}\uE021`;

/** The end of a Go string literal starting at `i` (a quote or backquote), or -1. */
function stringEnd(text: string, i: number): number {
  const q = text[i];
  if (q === '`') {
    const end = text.indexOf('`', i + 1);
    return end === -1 ? -1 : end + 1;
  }
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
    else if (text[j] === '\n') return -1;
  }
  return -1;
}

/** The value of a Go string literal (interpreted or raw); undefined for escapes it does not know. */
function stringValue(lit: string): string | undefined {
  if (lit.startsWith('`')) return lit.slice(1, -1).replace(/\r/g, '');
  try {
    // Go's interpreted strings share JSON's common escapes; \x, \a, octal and the like are rare in flags.
    return JSON.parse(lit) as string;
  } catch {
    return undefined;
  }
}

/** The offset after a comment or blank run starting at `i`. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith('//', i)) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else return i;
  }
}

/**
 * Splits `text[from, …)` at top-level commas until the closing `close` of the enclosing bracket;
 * returns the parts (trimmed source) and the offset of the closing bracket, or undefined.
 */
function splitTopLevel(text: string, from: number, close: string): { parts: string[]; end: number } | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === '`') {
      const e = stringEnd(text, i);
      if (e === -1) return undefined;
      i = e - 1;
    } else if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      i = skipSpace(text, i) - 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (depth === 0 && (c === ',' || c === close)) {
      const part = stripComments(text.slice(start, i)).trim();
      if (part) parts.push(part);
      if (c === close) return { parts, end: i };
      start = i + 1;
    } else if (depth === 0 && (c === ')' || c === ']' || c === '}')) return undefined;
  }
  return undefined;
}

function stripComments(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '"' || c === '`') {
      const e = stringEnd(s, i);
      if (e === -1) return out + s.slice(i);
      out += s.slice(i, e);
      i = e;
    } else if (s.startsWith('//', i) || s.startsWith('/*', i)) {
      i = skipSpace(s, i);
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** `"a" + port + "b"`: the operands of a top-level `+`, or one part when there is none. */
function plusOperands(expr: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === '`') {
      const e = stringEnd(expr, i);
      if (e === -1) return [expr];
      i = e - 1;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === '+' && depth === 0) {
      out.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(expr.slice(start).trim());
  return out;
}

const isStringLiteral = (s: string) => (s.startsWith('"') || s.startsWith('`')) && stringEnd(s, 0) === s.length;

/** `strconv.Itoa(port)`, `strconv.FormatInt(int64(p), 10)`: the integer a string operand prints. */
function printedInteger(expr: string): string | undefined {
  const itoa = /^strconv\.Itoa\s*\((.*)\)$/s.exec(expr);
  if (itoa) return itoa[1]!.trim();
  const formatInt = /^strconv\.FormatInt\s*\((.*),\s*10\s*\)$/s.exec(expr);
  return formatInt ? formatInt[1]!.trim() : undefined;
}

function readItem(source: string, expressions: string[], integers: Map<number, string>): GoItem {
  const operand = (expr: string, integer?: string): string => {
    expressions.push(expr);
    const i = expressions.length - 1;
    const int = integer ?? printedInteger(expr);
    if (int !== undefined) integers.set(i, int);
    return placeholder(i);
  };
  // fmt.Sprintf("-addr=:%d", port): the format with each verb standing for its argument.
  const sprintf = /^fmt\.Sprintf\s*\(/.exec(source);
  if (sprintf && source.endsWith(')')) {
    const args = splitTopLevel(source, sprintf[0].length, ')');
    const format = args?.parts[0];
    if (args && args.end === source.length - 1 && format && isStringLiteral(format)) {
      const value = stringValue(format);
      const verbs = value?.match(/%[-+# 0]*\d*[dsv]/g) ?? [];
      if (value !== undefined && !/%[^dsv%-+# 0-9]/.test(value) && verbs.length === args.parts.length - 1) {
        let k = 1;
        const text = value
          .replace(/%[-+# 0]*\d*([dsv])/g, (_, verb: string) => {
            const arg = args.parts[k++]!;
            return operand(arg, verb === 'd' ? arg : undefined);
          })
          .replace(/%%/g, '%');
        return { text, opaque: false };
      }
    }
  }
  const operands = plusOperands(source);
  if (operands.length > 1 || isStringLiteral(source)) {
    let text = '';
    for (const o of operands) {
      const v = isStringLiteral(o) ? stringValue(o) : undefined;
      text += v !== undefined ? v : operand(o);
    }
    return { text, opaque: false };
  }
  return { text: operand(source), opaque: true };
}

/**
 * The `[]string{…}` literal whose items hold `offset` (a mention of the binary), read item by
 * item; undefined when the mention is not inside one.
 */
export function goStringListAt(text: string, offset: number): GoCommand | undefined {
  // `[]string{…}`, or the arguments of an apply-configuration builder's
  // `ExecAction().WithCommand("grpc_health_probe", "-v", …)`: the innermost that holds the mention.
  const literal = enclosing(text, offset, '[]string{', '}');
  const call = enclosing(text, offset, '.WithCommand(', ')');
  const builder = call !== undefined && (literal === undefined || call.open > literal.open);
  const found = builder ? call : literal;
  if (!found) return undefined;
  const expressions: string[] = [];
  const integers = new Map<number, string>();
  const appended = builder ? chainedLater(text, found.end) : (appendedLater(text, found.open, found.end) ?? appendedAround(text, found.open));
  return { items: found.parts.map((p) => readItem(p, expressions, integers)), expressions, integers, ...(appended ? { appended } : {}), ...(builder ? { builder } : {}) };
}

/** The nearest `opener … close` before `offset` that holds it: its opening offset, items and end. */
function enclosing(text: string, offset: number, opener: string, close: string): { open: number; parts: string[]; end: number } | undefined {
  // Far enough back for a literal written one item per line.
  const from = Math.max(0, offset - 2000);
  let open = text.lastIndexOf(opener, offset);
  while (open !== -1 && open >= from) {
    const split = splitTopLevel(text, open + opener.length, close);
    if (split && split.end >= offset) return { open, ...split };
    if (split) return undefined; // a literal that closes before the mention: the mention is elsewhere
    open = open === 0 ? -1 : text.lastIndexOf(opener, open - 1);
  }
  return undefined;
}

/** See GoCommand.appended: the literal at `open` (closing at `end`) assigned to a variable that a later append grows. */
function appendedLater(text: string, open: number, end: number): string | undefined {
  const before = text.slice(Math.max(0, open - 200), open);
  const name = /(?:^|[^\w.])([A-Za-z_]\w*)\s*(?::=|=)\s*$/.exec(before)?.[1] ?? /\bvar\s+([A-Za-z_]\w*)\s*(?:\[\]string\s*)?=\s*$/.exec(before)?.[1];
  if (!name) return undefined;
  // Up to the next top-level declaration: the literal's own function.
  const next = text.slice(end).search(/\n(?:func|type|var|const)\b/);
  const rest = text.slice(end, next === -1 ? undefined : end + next);
  const m = new RegExp(`\\b${name}\\s*=\\s*append\\(\\s*${name}\\s*,`).exec(rest);
  if (!m) return undefined;
  const call = end + m.index;
  const lineEnd = text.indexOf('\n', call);
  return text.slice(call, lineEnd === -1 ? undefined : lineEnd).trim();
}

/** `.WithCommand(a).WithCommand(b)`: the call after the one whose `)` is at `close`, which appends to its command. */
function chainedLater(text: string, close: number): string | undefined {
  const m = /^\)\s*\.WithCommand\(/.exec(text.slice(close, close + 400));
  if (!m) return undefined;
  const lineEnd = text.indexOf('\n', close + m[0].length);
  return text.slice(close + 1, lineEnd === -1 ? undefined : lineEnd).trim();
}

/** `append([]string{…}, extra...)`: the literal at `open` is only the start of the command. */
function appendedAround(text: string, open: number): string | undefined {
  const m = /\bappend\(\s*$/.exec(text.slice(Math.max(0, open - 100), open));
  if (!m) return undefined;
  const start = open - (m[0].length);
  const lineEnd = text.indexOf('\n', open);
  return text.slice(start, lineEnd === -1 ? undefined : lineEnd).trim();
}

/** Puts the Go operands back into a text that holds placeholders. */
export function restoreGo(s: string, expressions: readonly string[]): string {
  return s.replace(GO_PLACEHOLDER, (_, i: string) => expressions[Number(i)] ?? '');
}

/**
 * The content of the Go raw string (`…`) that holds `offset`, as [start, end) offsets of the text
 * between the backquotes; undefined when the offset is in code, a comment or another literal.
 * Operators and their tests embed whole manifests this way (`const deployment = \`apiVersion: …\``).
 */
export function goRawStringAt(text: string, offset: number): { start: number; end: number } | undefined {
  return goRawStrings(text).find((r) => offset >= r.start && offset < r.end);
}

/**
 * The bodies of a Go file's raw strings (between backquotes), in one pass over the file, skipping
 * interpreted strings, runes and comments. A file that names the binary many times asks for each
 * mention: one pass per mention was quadratic (5,000 mentions: 5.4 s).
 */
let lastRawStrings: { text: string; ranges: { start: number; end: number }[] } | undefined;
export function goRawStrings(text: string): { start: number; end: number }[] {
  if (lastRawStrings?.text === text) return lastRawStrings.ranges;
  const ranges: { start: number; end: number }[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) break;
      ranges.push({ start: i + 1, end });
      i = end + 1;
    } else if (c === '"') {
      const e = stringEnd(text, i);
      i = e === -1 ? text.indexOf('\n', i) + 1 || text.length : e;
    } else if (c === "'") {
      // A rune: '`' or '"' must not open a string.
      const close = text.indexOf("'", i + (text[i + 1] === '\\' ? 3 : 2));
      i = close === -1 || close - i > 12 ? i + 1 : close + 1;
    } else if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      const next = text.startsWith('//', i) ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 1;
      i = next <= 0 ? text.length : next + 1;
    } else i++;
  }
  lastRawStrings = { text, ranges };
  return ranges;
}

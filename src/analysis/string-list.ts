/**
 * A list literal of quoted strings around a mention of the binary in Terraform/HCL or Jsonnet
 * (`command = ["/bin/grpc_health_probe", "-addr=:8443", "-tls"]`), read token by token as the Go
 * branch reads a `[]string{…}` (src/analysis/go-command.ts): only a list whose every element is a
 * string literal, so that what the command is can be told; anything else (a variable, a function
 * call, `+`) is no literal list, and the caller keeps its general advice. Not a parser of either
 * language: one bracketed list of strings, with the comments and trailing comma both allow.
 */

export interface ListItem {
  /** The string's value (an HCL `${…}` / `%{…}` template is kept as written). */
  text: string;
  /** An HCL string template (`"-addr=:${var.port}"`): its value is known only when Terraform runs. */
  opaque: boolean;
}

export type ListLanguage = 'hcl' | 'jsonnet';

/** The offset after whitespace and comments from `i` (`#` and `//` line comments, `/* … *\/`). */
function skip(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] === '#' || text.startsWith('//', i)) {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl + 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return text.length;
      i = end + 2;
    } else return i;
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", '/': '/', b: '\b', f: '\f' };

/** A quoted string at `i`: its end and value; undefined when it is not one the reader knows. */
function readString(text: string, i: number, lang: ListLanguage): { end: number; item: ListItem } | undefined {
  const q = text[i];
  if (q !== '"' && !(q === "'" && lang === 'jsonnet')) return undefined;
  let value = '';
  let opaque = false;
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]!;
    if (c === '\n') return undefined;
    if (c === q) return { end: j + 1, item: { text: value, opaque } };
    if (c === '\\') {
      const e = text[j + 1];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
        value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
        j += 5;
        continue;
      }
      if (e === undefined || !(e in ESCAPES)) return undefined;
      value += ESCAPES[e];
      j++;
      continue;
    }
    if (lang === 'hcl' && (c === '$' || c === '%') && text[j + 1] === c && text[j + 2] === '{') {
      // `$${` and `%%{` are a literal `${` / `%{`.
      value += `${c}{`;
      j += 2;
      continue;
    }
    if (lang === 'hcl' && (c === '$' || c === '%') && text[j + 1] === '{') opaque = true;
    value += c;
  }
  return undefined;
}

/** The items of a list opening at `open` (a `[`), and where it ends; undefined when an element is not a string literal. */
function readList(text: string, open: number, lang: ListLanguage): { items: ListItem[]; end: number } | undefined {
  const items: ListItem[] = [];
  let i = skip(text, open + 1);
  for (;;) {
    if (text[i] === ']') return { items, end: i + 1 };
    const s = readString(text, i, lang);
    if (!s) return undefined;
    items.push(s.item);
    i = skip(text, s.end);
    if (text[i] === ',') i = skip(text, i + 1);
    else if (text[i] !== ']') return undefined;
  }
}

/** The innermost list of string literals that holds `offset`, found within 2000 characters before it. */
export function stringListAt(text: string, offset: number, lang: ListLanguage): ListItem[] | undefined {
  const from = Math.max(0, offset - 2000);
  for (let open = text.lastIndexOf('[', offset); open !== -1 && open >= from; open = open === 0 ? -1 : text.lastIndexOf('[', open - 1)) {
    const list = readList(text, open, lang);
    if (list && list.end > offset) return wholeValue(text, open, list.end, lang) ? list.items : undefined;
    // The nearest `[` that opens a list of strings ends before the mention, or is no such list:
    // the mention is not in one (a `[` inside a string, an index, a list of other things).
    if (list) return undefined;
  }
  return undefined;
}

/**
 * Whether the list at [open, end) is a whole value: assigned (HCL `command = [`, Jsonnet `command: [`
 * or `local c = [`) and not an operand (`concat([…], var.tls ? ["-tls"] : [])`, `[…] + (if tls then
 * ["-tls"] else [])`, a branch of a conditional): one of those adds to the command what the tool
 * cannot see, as a `-tls` (hunt18 H1).
 */
function wholeValue(text: string, open: number, end: number, lang: ListLanguage): boolean {
  let before = open - 1;
  while (before >= 0 && /\s/.test(text[before]!)) before--;
  const assigned = lang === 'hcl' ? text[before] === '=' && !/[=!<>]/.test(text[before - 1] ?? '') : text[before] === ':' || (text[before] === '=' && !/[=!<>]/.test(text[before - 1] ?? ''));
  if (!assigned) return false;
  const after = skip(text, end);
  return after >= text.length || !/[-+*/%?.[(&|<>=!:]/.test(text[after]!);
}

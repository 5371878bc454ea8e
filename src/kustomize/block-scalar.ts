/**
 * A YAML block scalar (`patch: |-`) seen as a text of its own: its value, and a map from offsets
 * in that value back to the file, so that edits found by parsing the value splice into the file
 * with the block's indentation.
 */
import type { Scalar } from 'yaml';

export interface BlockScalarView {
  /** The scalar's value (lines without the block indentation, `\n` line ends). */
  text: string;
  /** File offset of an offset in `text`. */
  toOuter(offset: number): number;
  /** An edit on `text` as an edit on the file: new lines get the block's indentation. */
  mapEdit(edit: { start: number; end: number; text: string }): { start: number; end: number; text: string };
}

interface BlockToken {
  type: string;
  props: { offset: number; source: string }[];
  source: string;
}

/** The view of a literal block scalar (`|`, `|-`, `|+`, `|2`), or why there is none. */
export function blockScalarView(node: Scalar, eol: string): BlockScalarView | { error: string } {
  const token = (node as unknown as { srcToken?: BlockToken }).srcToken;
  if (!token || token.type !== 'block-scalar' || typeof node.value !== 'string') return { error: 'not a block scalar' };
  const header = token.props.find((p) => p.source.startsWith('|') || p.source.startsWith('>'));
  if (!header || !header.source.startsWith('|')) return { error: 'a folded (>) block scalar cannot be edited line by line' };
  const last = token.props[token.props.length - 1]!;
  const contentStart = last.offset + last.source.length;
  const lines = token.source.split('\n');
  const explicit = /\d/.exec(header.source)?.[0];
  const firstContent = lines.find((l) => l.replace(/\r$/, '').trim() !== '');
  if (firstContent === undefined) return { error: 'an empty block scalar' };
  const indent = explicit !== undefined ? Number(explicit) + ((node as unknown as { srcToken: { indent: number } }).srcToken.indent ?? 0) : /^ */.exec(firstContent)![0].length;
  const starts: number[] = [];
  const valueLines: string[] = [];
  let pos = contentStart;
  for (const l of lines) {
    const line = l.replace(/\r$/, '');
    starts.push(pos);
    valueLines.push(line.length >= indent ? line.slice(indent) : '');
    pos += l.length + 1;
  }
  const rebuilt = valueLines.join('\n');
  if (withoutFinalNewlines(rebuilt) !== withoutFinalNewlines(node.value)) return { error: 'the block scalar\'s lines could not be mapped back to the file' };
  const text = node.value;
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const pad = ' '.repeat(indent);
  const toOuter = (offset: number): number => {
    let i = lineStarts.length - 1;
    while (i > 0 && lineStarts[i]! > offset) i--;
    const col = offset - lineStarts[i]!;
    const raw = lines[i]?.replace(/\r$/, '') ?? '';
    // A blank line may hold fewer spaces than the block's indentation.
    return starts[i]! + (raw.length < indent ? raw.length : indent + col);
  };
  const blockEnd = contentStart + token.source.length;
  return {
    text,
    toOuter,
    mapEdit: (e) => {
      // Whole lines inserted at the start of a line past the block's last content (a field added
      // after a probe that ends the block): that line has no indentation to write after, so each
      // inserted line gets it; at the end of a file without a final newline, after a line break.
      let i = lineStarts.length - 1;
      while (i > 0 && lineStarts[i]! > e.start) i--;
      const raw = lines[i]?.replace(/\r$/, '');
      if (e.start === e.end && e.start === lineStarts[i] && e.text.endsWith('\n') && (raw === undefined || (raw.trim() === '' && raw.length < indent && lines.slice(i).every((l) => l.trim() === '')))) {
        const body = e.text.slice(0, -1).split('\n').map((l) => (l ? pad + l : l)).join(eol);
        const at = starts[i] ?? blockEnd;
        return starts[i] === undefined ? { start: at, end: at, text: eol + body } : { start: at, end: at, text: body + eol };
      }
      return { start: toOuter(e.start), end: toOuter(e.end), text: e.text.split('\n').join(eol + pad) };
    },
  };
}

/** The text without the newlines that end it: a loop, where /\n+$/ is tried from every newline of a run (quadratic on a long run of blank lines inside the block). */
function withoutFinalNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === '\n') end--;
  return text.slice(0, end);
}

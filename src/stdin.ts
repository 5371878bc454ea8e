/**
 * Standard input (`-`) read as a file is: the same byte pre-check (src/discover/precheck.ts),
 * then strict UTF-8. A stream the tool cannot read as UTF-8 is refused with the message a file
 * gets, never decoded with replacement characters: with `--fix -` the stream is written back, and
 * a U+FFFD in place of a Latin-1 byte or a UTF-16 BOM would change it.
 */
import { NOT_UTF8, NOT_UTF8_HINT, NUL_BYTES, NUL_TEXT, NUL_TEXT_HINT, precheck, UTF16, UTF16_HINT } from './discover/precheck.js';
import { FileReader, type ReadResult } from './discover/read.js';
import { LineIndex } from './text/lines.js';
import type { FileKind } from './types.js';

/**
 * What the engine does with the stream: read `text`; report `error` (exit 2; with what to do and
 * where, as a file's); note it `skipped`;
 * or nothing, when it neither mentions the binary nor decodes as UTF-8 (a file in that state is
 * not a candidate either), and the CLI echoes its bytes.
 */
export type StdinInput = { text: string } | { error: string; hint: string; line: number; column: number } | { skipped: string } | { ignored: true };

export { NOT_UTF8, NUL_BYTES, UTF16 };

/** Hands the pre-check bytes already in memory, as the file reader hands a file's. */
class BytesReader extends FileReader {
  constructor(private readonly bytes: Buffer) {
    super();
  }

  override read(): ReadResult {
    return { bytes: this.bytes };
  }
}

export function stdinInput(input: string | Uint8Array): StdinInput {
  // A string comes from a caller that decoded it already (the library API, tests).
  if (typeof input === 'string') return { text: input };
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const pre = precheck(new BytesReader(bytes), '<stdin>', Infinity);
  if (pre?.kind === 'utf16') return { error: UTF16, hint: UTF16_HINT, line: pre.line, column: pre.column };
  if (pre?.kind === 'nulText') return { error: NUL_TEXT, hint: NUL_TEXT_HINT, line: pre.line, column: pre.column };
  if (pre?.kind === 'binary') return { skipped: NUL_BYTES };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    if (!pre) return { ignored: true };
    // At the first byte that is not UTF-8, as for a file.
    const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    return { error: NOT_UTF8, hint: NOT_UTF8_HINT, ...new LineIndex(lossy).position(Math.max(0, lossy.indexOf('\uFFFD'))) };
  }
}

/**
 * The kind the stream is read as. It has no name to classify: `kubectl get … -o json` is JSON
 * (its first character, past a BOM and blanks, is `{` or `[`, and it parses as JSON) and is
 * rewritten in JSON style, as a .json file is, so that `jq` can read the result; anything else
 * is a YAML stream.
 */
export function stdinKind(text: string): FileKind {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(body)?.[0];
  if (first !== '{' && first !== '[') return 'yaml';
  try {
    JSON.parse(body);
    return 'json';
  } catch {
    return 'yaml';
  }
}

/**
 * The byte pre-check of one discovered file: most files are never decoded, let alone parsed.
 * Shared by the inline reader and the reader worker (src/discover/reads.ts): both say the same
 * thing about the same file. Light on purpose: the worker imports it, and nothing heavy.
 */
import fs from 'node:fs';
import { BINARY_NEEDLES, mentionsBinary } from '../analysis/binary.js';
import type { FileReader, Mention } from './read.js';
import { describeFsError } from './walk.js';

const NEEDLES = BINARY_NEEDLES.map((n) => Buffer.from(n));
const [NEEDLE_A, NEEDLE_B] = NEEDLES as [Buffer, Buffer];
/** The needles as UTF-16 little- and big-endian bytes: a file over the limit is searched, not decoded. */
const UTF16_NEEDLES = {
  le: BINARY_NEEDLES.map((n) => Buffer.from(n, 'utf16le')),
  be: BINARY_NEEDLES.map((n) => Buffer.from(n, 'utf16le').swap16()),
};

/** What a file that is not read as text is told (the engine's files and standard input alike). */
export const NOT_UTF8 = 'not valid UTF-8; the file was left unchanged';
/** What to do about a file that names the binary but is not UTF-8. */
export const NOT_UTF8_HINT = 'Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), then run the tool again. Until then every install of the binary stays.';
export const UTF16 = 'encoded as UTF-16, not UTF-8; the file was left unchanged';
/** What to do about a UTF-16 file that names the binary. */
export const UTF16_HINT = 'Convert the file to UTF-8 (e.g. iconv -f utf-16 -t utf-8; PowerShell 5 writes UTF-16 with `>`: use Out-File -Encoding utf8), then run the tool again. Until then every install of the binary stays.';
/** What to do about a file or folder the tool could not read (permissions, a symlink loop). */
export const UNREADABLE_HINT = 'Make it readable by the tool (its permissions, a broken or looping symlink), or, if it is not part of the repository, list it in .gitignore (a file named on the command line, as pre-commit names them, is read all the same: leave it out there, e.g. with an exclude: pattern in the pre-commit config); then run the tool again. Until it is read, every install of the binary stays, since it may run the binary.';
export const NUL_BYTES = 'binary file (NUL bytes)';
/** A text file (valid UTF-8, few NUL bytes) that names the binary but holds a NUL byte: not parsed, not passed over. */
export const NUL_TEXT = 'holds a NUL byte, so it was not parsed, and it names grpc_health_probe as text; installs of the binary stay';
/** What to do about such a file. */
export const NUL_TEXT_HINT =
  'A NUL byte in a text file is usually a stray one (a bad merge or editor, a truncated write). Remove it (e.g. tr -d \'\\000\'), then run the tool again; if the file is a real binary that only names the binary, list it in .gitignore (a file named on the command line, as pre-commit names them, is read all the same: leave it out there, e.g. with an exclude: pattern in the pre-commit config). Until then every install of the binary stays, since the file may run it.';

/** What the engine needs to know about a file; undefined: nothing (it does not mention the binary). */
export type Precheck =
  /** Mentions the binary: its bytes, a copy the caller owns (on its own ArrayBuffer, transferable). */
  | { kind: 'candidate'; bytes: Buffer }
  /** `mention`: where it first names the binary all the same (not kept, but it may run it). */
  | { kind: 'tooLarge'; mention?: Mention }
  | { kind: 'binary' }
  | { kind: 'unreadable'; message: string }
  /** `line`, `column`: where it first names the binary, in its decoded text (past the BOM). */
  | { kind: 'utf16'; line: number; column: number }
  /** Text with a stray NUL byte that names the binary: where it first does. */
  | { kind: 'nulText'; line: number; column: number };

export function precheck(reader: FileReader, absPath: string, maxBytes: number): Precheck | undefined {
  let buf: Buffer;
  try {
    const read = reader.read(absPath, maxBytes, NEEDLES);
    if ('tooLarge' in read) {
      // A NUL byte makes a file that names the binary a binary file, whatever its size.
      if (read.nul) return { kind: 'binary' };
      if (read.mention) return { kind: 'tooLarge', mention: read.mention };
      // A UTF-16 file hides the name from the UTF-8 search: search its own bytes (it is an
      // error whatever its size, as a smaller UTF-16 file that names the binary is).
      const bom = utf16Bom(absPath);
      const wide = bom ? reader.read(absPath, maxBytes, UTF16_NEEDLES[bom]) : undefined;
      if (wide && 'tooLarge' in wide && wide.mention) return { kind: 'utf16', line: wide.mention.line, column: 1 };
      return { kind: 'tooLarge' };
    }
    buf = read.bytes;
  } catch (e) {
    return { kind: 'unreadable', message: describeFsError(e) };
  }
  if (buf.indexOf(NEEDLE_A) === -1 && buf.indexOf(NEEDLE_B) === -1) {
    // UTF-16 hides the name from the byte check: say so rather than pass it over in silence.
    const at = utf16Mention(buf);
    return at ? { kind: 'utf16', ...at } : undefined;
  }
  if (buf.indexOf(0) !== -1) return nulTextMention(buf) ?? { kind: 'binary' };
  // Out of the reader's reused buffer, onto an ArrayBuffer of its own: the one copy, which a
  // worker can then hand over without a second (a pooled Buffer could not be transferred).
  const bytes = Buffer.from(new ArrayBuffer(buf.length));
  buf.copy(bytes);
  return { kind: 'candidate', bytes };
}

// eslint-disable-next-line no-control-regex -- control bytes are what it looks for
const OTHER_CONTROLS = /[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]/;

/**
 * A file with NUL bytes that is text all the same: valid UTF-8 with a few NUL bytes (at most 4,
 * or under 1 % of it) and no other control bytes but tab, line breaks, form feed and escape,
 * naming the binary. A compiled binary (the binary itself committed) is
 * neither. Where it first names it, or undefined: then it is a binary file, passed over.
 */
function nulTextMention(buf: Buffer): { kind: 'nulText'; line: number; column: number } | undefined {
  let nuls = 0;
  for (let i = buf.indexOf(0); i !== -1; i = buf.indexOf(0, i + 1)) if (++nuls > 4 && nuls * 100 > buf.length) return undefined;
  // Other control bytes (but tab, line breaks, form feed, escape) make it binary data too.
  if (OTHER_CONTROLS.test(buf.toString('latin1'))) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    return undefined;
  }
  const at = Math.min(...BINARY_NEEDLES.map((n) => text.indexOf(n)).filter((i) => i !== -1));
  if (!Number.isFinite(at)) return undefined;
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < at; nl = text.indexOf('\n', nl + 1)) line++;
  return { kind: 'nulText', line, column: at - (text.lastIndexOf('\n', at) + 1) + 1 };
}

/** A file's UTF-16 byte order, by its BOM. */
function utf16Bom(absPath: string): 'le' | 'be' | undefined {
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = fs.openSync(absPath, 'r');
    if (fs.readSync(fd, head, 0, 2, 0) < 2) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return head[0] === 0xff && head[1] === 0xfe ? 'le' : head[0] === 0xfe && head[1] === 0xff ? 'be' : undefined;
}

/** Where a UTF-16 file (by its BOM) first names the binary, or undefined. */
function utf16Mention(buf: Buffer): { line: number; column: number } | undefined {
  const le = buf[0] === 0xff && buf[1] === 0xfe;
  if (!le && !(buf[0] === 0xfe && buf[1] === 0xff)) return undefined;
  const units = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
  if (!le) units.swap16();
  const text = units.toString('utf16le');
  if (!mentionsBinary(text)) return undefined;
  const at = Math.min(...BINARY_NEEDLES.map((n) => text.indexOf(n)).filter((i) => i !== -1));
  let line = 1;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < at; nl = text.indexOf('\n', nl + 1)) line++;
  return { line, column: at - (text.lastIndexOf('\n', at) + 1) + 1 };
}

/**
 * Reading every discovered file is most of a scan. One open + read into a buffer that is reused
 * from file to file + close: no stat, no new buffer per file. The walk already knows each path is
 * a regular file (readdir's file types, or a stat for links and named files), so the reader asks
 * nothing more: it reads until the end, growing the buffer when it fills, and gives up once more
 * than the limit has been read. On the bench's 20k-file tree this took ~325 ms against ~405 ms
 * with an fstat per file (measured stopping at a short read; reading on to the 0 that ends a file
 * adds a system call per file) (and ~20 % less CPU than statSync + readFileSync before that).
 */
import fs from 'node:fs';

/**
 * Where a needle first starts in a file: `offset` in bytes; `line` and `column` 1-based, the
 * column in UTF-16 code units of the line's text read as UTF-8 (as every finding's column is).
 */
export interface Mention {
  offset: number;
  line: number;
  column: number;
}

/**
 * `mention`: where a file over the limit names the binary anyway (it is searched, not kept);
 * `nul`: such a file holds a NUL byte too (a binary, looked for only once a mention is found).
 */
export type ReadResult = { bytes: Buffer } | { tooLarge: true; mention?: Mention; nul?: true };

// A path that turned into a named pipe after the walk (or one reached some other way) must not
// block the run: without a writer, a non-blocking open succeeds and the read ends at once. A
// regular file ignores the flag. (Windows has no such flag and no named pipes on disk.)
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

export class FileReader {
  private buffer: Buffer = Buffer.allocUnsafe(256 * 1024);

  /** `searchChunk`: bytes per read when a file over the limit is searched (small in tests). */
  constructor(private readonly searchChunk = 1024 * 1024) {}

  /**
   * The file's bytes, as a view on a buffer that the next call overwrites: copy what you keep.
   * Throws the file system's error (ENOENT, EACCES, EISDIR...).
   */
  read(absPath: string, maxBytes: number, needles: readonly Buffer[] = []): ReadResult {
    const fd = fs.openSync(absPath, OPEN_FLAGS);
    try {
      // One byte past the limit is enough to know a file is over it.
      const cap = maxBytes + 1;
      let n = 0;
      for (;;) {
        if (n === this.buffer.length) this.buffer = grown(this.buffer, n, cap);
        const want = Math.min(this.buffer.length, cap) - n;
        const got = fs.readSync(fd, this.buffer, n, want, null);
        n += got;
        if (n > maxBytes) {
          const found = this.searchOn(fd, n, needles);
          if (!found) return { tooLarge: true };
          return found.nul ? { tooLarge: true, mention: found.mention, nul: true } : { tooLarge: true, mention: found.mention };
        }
        // Only a read of 0 is the end: a network or FUSE file system may return less than asked
        // before it (a local one does not, but the extra read is off the critical path: the
        // reader thread does it on large scans).
        if (got === 0) return { bytes: this.buffer.subarray(0, n) };
      }
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Where the first needle starts in a file too large to keep: the `n` bytes read so far, then the
   * rest a chunk at a time (each chunk keeps the end of the one before, so that a needle cut in
   * two is found). Like ripgrep, it reads to the end: a use in a large bundle must not be missed.
   * The lines and columns of the bytes passed over are counted on the way: nothing is kept.
   * Once a needle is found, the rest is read for a NUL byte, unless one was seen: a binary (the
   * binary itself, committed) names it too, and is no use of it, as for a file under the limit.
   */
  private searchOn(fd: number, n: number, needles: readonly Buffer[]): { mention: Mention; nul: boolean } | undefined {
    if (needles.length === 0) return undefined;
    const keep = Math.max(...needles.map((x) => x.length)) - 1;
    const passed = new Passed();
    const chunk = Buffer.allocUnsafe(Math.max(this.searchChunk, keep + 1));
    let region = this.buffer.subarray(0, n);
    let last = false;
    let nul = false;
    for (;;) {
      // A needle that starts in the last `keep` bytes may be cut by the end of the region: it is
      // looked for in the next one, which starts with those bytes (unless the file ends there).
      // So a needle found here is the first of the file, whatever the needles' lengths.
      const settled: number = last ? region.length : Math.max(0, region.length - keep);
      const at = firstNeedle(region, needles, settled);
      nul ||= region.indexOf(0) !== -1;
      if (at !== -1) {
        passed.over(region, 0, at);
        return { mention: passed.mention(), nul: nul || (!last && nulInRest(fd, chunk)) };
      }
      if (last) return undefined;
      passed.over(region, 0, settled);
      const carried: number = region.length - settled;
      region.copy(chunk, 0, settled, region.length);
      const got: number = fs.readSync(fd, chunk, carried, chunk.length - carried, null);
      region = chunk.subarray(0, carried + got);
      last = got === 0;
    }
  }
}

/** Whether the rest of the file holds a NUL byte (read into `chunk`). */
function nulInRest(fd: number, chunk: Buffer): boolean {
  for (;;) {
    const got = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (got === 0) return false;
    if (chunk.subarray(0, got).indexOf(0) !== -1) return true;
  }
}

/** The smallest offset below `before` where one of the needles starts, or -1. */
function firstNeedle(region: Buffer, needles: readonly Buffer[], before: number): number {
  let first = -1;
  for (const needle of needles) {
    const at = region.indexOf(needle);
    if (at !== -1 && at < before && (first === -1 || at < first)) first = at;
  }
  return first;
}

/** The position reached in a file whose bytes go by a region at a time. */
class Passed {
  private offset = 0;
  private line = 1;
  /** UTF-16 code units since the start of the line. */
  private units = 0;

  over(region: Buffer, from: number, to: number): void {
    this.offset += to - from;
    let lineStart = from;
    for (let nl = region.indexOf(10, from); nl !== -1 && nl < to; nl = region.indexOf(10, nl + 1)) {
      this.line++;
      lineStart = nl + 1;
    }
    if (lineStart > from) this.units = 0;
    // A byte that is not a continuation byte (10xxxxxx) starts a character; one that starts a
    // four-byte sequence is two UTF-16 units (a surrogate pair). Byte by byte, so that a character
    // cut by the end of a region counts once.
    for (let i = lineStart; i < to; i++) {
      const b = region[i]!;
      if ((b & 0xc0) !== 0x80) this.units += b >= 0xf0 ? 2 : 1;
    }
  }

  mention(): Mention {
    return { offset: this.offset, line: this.line, column: this.units + 1 };
  }
}

function grown(buffer: Buffer, used: number, cap: number): Buffer {
  const next = Buffer.allocUnsafe(Math.min(buffer.length * 2, Math.max(cap, buffer.length + 1)));
  buffer.copy(next, 0, 0, used);
  return next;
}

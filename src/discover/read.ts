/**
 * Reading every discovered file is most of a scan. One open + fstat + read into a buffer that is
 * reused from file to file: no separate stat, no new buffer per file. On the bench's 20k-file tree
 * this took ~20 % less CPU than statSync + readFileSync.
 */
import fs from 'node:fs';

export type ReadResult = { bytes: Buffer } | { tooLarge: true };

export class FileReader {
  private buffer = Buffer.allocUnsafe(256 * 1024);

  /**
   * The file's bytes, as a view on a buffer that the next call overwrites: copy what you keep.
   * Throws the file system's error (ENOENT, EACCES, EISDIR...).
   */
  read(absPath: string, maxBytes: number): ReadResult {
    const fd = fs.openSync(absPath, 'r');
    try {
      const st = fs.fstatSync(fd);
      if (st.size > maxBytes) return { tooLarge: true };
      // Not a regular file (a FIFO, /dev/stdin): its size says nothing; read it the plain way.
      if (!st.isFile()) return { bytes: fs.readFileSync(fd) };
      if (st.size > this.buffer.length) this.buffer = Buffer.allocUnsafe(st.size);
      let n = 0;
      while (n < st.size) {
        const got = fs.readSync(fd, this.buffer, n, st.size - n, n);
        if (got === 0) break;
        n += got;
      }
      return { bytes: this.buffer.subarray(0, n) };
    } finally {
      fs.closeSync(fd);
    }
  }
}

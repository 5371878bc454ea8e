import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export class ChangedOnDiskError extends Error {
  // The engine shows the message of a named error as it is, without "cannot write:".
  override name = 'ChangedOnDiskError';
}

/** A write that would damage something besides the content: refused, the file left as it is. */
export class UnsafeWriteError extends Error {
  override name = 'UnsafeWriteError';
}

/**
 * Replaces a file's content atomically: a temp file in the same folder with the original's mode
 * and owner, flushed to disk, then a rename over the original. Refuses when the file no longer
 * holds the bytes the tool read, and when the rename would split hard links or change the owner.
 */
export function writeFileAtomic(linkOrPath: string, expectedOriginal: Buffer, content: string): void {
  // Through a symlink, the file it points to is replaced: renaming over the link would turn it into a copy.
  const absPath = fs.realpathSync(linkOrPath);
  const current = fs.readFileSync(absPath);
  if (!current.equals(expectedOriginal)) {
    throw new ChangedOnDiskError('the file changed on disk while the tool ran; it was left as it is');
  }
  const st = fs.statSync(absPath);
  if (st.nlink > 1) {
    throw new UnsafeWriteError(`the file has ${st.nlink} hard links and replacing it would split them; it was left as it is`);
  }
  const mode = st.mode & 0o7777;
  const tmp = path.join(path.dirname(absPath), `.${path.basename(absPath)}.${randomHex()}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeFileSync(fd, content);
      // The umask narrowed the mode given to open.
      fs.fchmodSync(fd, mode);
      if (st.uid !== process.getuid?.() || st.gid !== process.getgid?.()) {
        try {
          fs.fchownSync(fd, st.uid, st.gid);
        } catch {
          throw new UnsafeWriteError('the file belongs to another user or group, and replacing it would change its owner; it was left as it is');
        }
      }
      // On disk before the rename: a crash leaves the old file or the new one, never a torn one.
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, absPath);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // the temp file was never made
    }
    throw e;
  }
}

/** node:crypto loads with the first write (~10 ms): a report-only run never needs it. */
function randomHex(): string {
  const { randomBytes } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return randomBytes(6).toString('hex');
}

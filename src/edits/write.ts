import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export class ChangedOnDiskError extends Error {
  // The engine shows the message of a named error as it is, without "cannot write:".
  override name = 'ChangedOnDiskError';
}

/**
 * Replaces a file's content atomically: a temp file in the same folder, the original's mode, then
 * a rename. Refuses when the file no longer holds the bytes the tool read.
 */
export function writeFileAtomic(linkOrPath: string, expectedOriginal: Buffer, content: string): void {
  // Through a symlink, the file it points to is replaced: renaming over the link would turn it into a copy.
  const absPath = fs.realpathSync(linkOrPath);
  const current = fs.readFileSync(absPath);
  if (!current.equals(expectedOriginal)) {
    throw new ChangedOnDiskError('the file changed on disk while the tool ran; it was left as it is');
  }
  const st = fs.statSync(absPath);
  const tmp = path.join(path.dirname(absPath), `.${path.basename(absPath)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, content, { mode: st.mode & 0o7777, flag: 'wx' });
    fs.chmodSync(tmp, st.mode & 0o7777);
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

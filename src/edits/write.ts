import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export class ChangedOnDiskError extends Error {
  // The engine shows the message of a named error as it is, without "cannot write:".
  override name = 'ChangedOnDiskError';
  readonly hint =
    'Something changed the file while the tool ran (an editor, a git checkout or pull, a formatter, another run of the tool): check that change, then run the tool again, which reads the file as it is then.';
}

/** A write that would damage something besides the content: refused, the file left as it is. */
export class UnsafeWriteError extends Error {
  override name = 'UnsafeWriteError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * What to do about a file the tool may not write, found before writing (`access`): the file or
 * its folder (where the temp file is made), by the error's code.
 */
export function notWritableHint(e: unknown, absPath: string, which: 'file' | 'folder'): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code !== 'EACCES' && code !== 'EPERM') return failedWriteHint(e, absPath);
  if (which === 'file') return 'The file is not writable by the user that runs the tool: give that user write permission on it (chmod u+w, or change its owner), then run the tool again; or make the change by hand.';
  return `The file's folder (${path.dirname(absPath)}) is not writable by the user that runs the tool, and the tool writes the new content to a temp file there before renaming it over the file: give that user write permission on the folder, then run the tool again; or make the change by hand.`;
}

/** What to do about an install kept because another file of the run could not be written. */
export const KEPT_FOR_UNWRITTEN_HINT =
  'Another file of this run still runs the binary, as it could not be written (its own error says why): fix that, then run the tool again, and this install goes then.';

/**
 * What to do about a write that failed on the file system's error (the temp file, its write,
 * its flush or the rename over the file), by its code.
 */
export function failedWriteHint(e: unknown, absPath: string): string {
  const folder = path.dirname(absPath);
  switch ((e as NodeJS.ErrnoException).code) {
    case 'EACCES':
    case 'EPERM':
      return `The tool writes the new content to a temp file in the file's folder, then renames it over the file: give the user that runs the tool write permission on the file and on its folder (${folder}), then run it again; or make the change by hand.`;
    case 'EROFS':
      return 'The file is on a read-only file system (a read-only mount or volume): run the tool on a writable checkout of it, or make the change by hand.';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'The disk (or your quota) is full: free some space, then run the tool again.';
    case 'ENOENT':
    case 'ENOTDIR':
      return 'The file or its folder was removed or moved while the tool ran: check where it went, then run the tool again.';
    case 'EBUSY':
    case 'ETXTBSY':
    case 'EXDEV':
      return 'The file cannot be replaced by a rename (it is in use, or mounted on its own, as a single file bind-mounted into a container is): run the tool where the file is not mounted so, or make the change by hand.';
    default:
      return 'The file system refused the write: check the file, its folder and the disk, then run the tool again; or make the change by hand.';
  }
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
    throw new UnsafeWriteError(
      `the file has ${st.nlink} hard links and replacing it would split them; it was left as it is`,
      `The file has ${st.nlink} names (hard links to the same content). The tool writes a new file and renames it over this name, which would leave the other ${st.nlink === 2 ? 'name' : `${st.nlink - 1} names`} with the old content, so it does not: make the change by hand (every name sees it), or replace the hard links with one file (symlinks to it are written through), then run the tool again.`,
    );
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
          throw new UnsafeWriteError(
            'the file belongs to another user or group, and replacing it would change its owner; it was left as it is',
            `The file belongs to user ${st.uid} and group ${st.gid}, and the new file the tool writes could not be given back to them: run the tool as root, or as that user and in that group, or make the change by hand.`,
          );
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

/**
 * A symlink in the scanned folder that leads out of it is never followed (nothing out there is
 * rewritten), yet what it reaches is part of the repository as checked out: a `deploy -> ../infra`
 * link may hold the probes that run an image's binary. So it is searched, read only, for the
 * binary's name: a mention there (or a place too large to search) keeps every install.
 */
import { DOCUMENTATION } from '../classify.js';
import { precheck } from './precheck.js';
import { FileReader } from './read.js';
import { discover } from './walk.js';

/** More files than this behind one link: not searched, and taken as a possible use. */
export const MAX_FILES_OUTSIDE = 5000;

export type OutsideSearch = { found: string } | { unsearched: string } | { clean: true };

class TooMany extends Error {}

/** Whether the file or folder `target` (a real path) names the binary: the first file that does, or why it was not searched. */
export function searchOutside(target: string, maxBytes: number): OutsideSearch {
  let found: ReturnType<typeof discover>;
  try {
    found = discover([target], target, (n) => {
      if (n > MAX_FILES_OUTSIDE) throw new TooMany();
    });
  } catch (e) {
    if (e instanceof TooMany) return { unsearched: `it holds more than ${MAX_FILES_OUTSIDE} files` };
    throw e;
  }
  const problem = found.problems[0];
  if (problem) return { unsearched: `${problem.absPath} cannot be read: ${problem.message}` };
  const reader = new FileReader();
  for (const { absPath: file } of found.files) {
    // Documentation names the binary; it runs nothing (as in the scanned folder).
    if (DOCUMENTATION.test(file)) continue;
    // The scanned folder's own byte pre-check, so that a file counts out there as it would in
    // here: a mention (also in a file too large to read, or UTF-16) is a possible use; a binary
    // file with NUL bytes is not.
    const r = precheck(reader, file, maxBytes);
    if (r === undefined || r.kind === 'binary' || (r.kind === 'tooLarge' && !r.mention)) continue;
    if (r.kind === 'unreadable') return { unsearched: `${file} cannot be read: ${r.message}` };
    return { found: file };
  }
  return { clean: true };
}

/**
 * A symlink in the scanned folder that leads out of it is never followed (nothing out there is
 * rewritten), yet what it reaches is part of the repository as checked out: a `deploy -> ../infra`
 * link may hold the probes that run an image's binary. So it is searched, read only, for the
 * binary's name: a mention there (or a place too large to search) keeps every install.
 */
import { BINARY_NEEDLES } from '../analysis/binary.js';
import { DOCUMENTATION } from '../classify.js';
import { FileReader } from './read.js';
import { describeFsError, discover } from './walk.js';

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
  const files = found.files.map((f) => f.absPath);
  const needles = BINARY_NEEDLES.map((n) => Buffer.from(n));
  const reader = new FileReader();
  for (const file of files) {
    // Documentation names the binary; it runs nothing (as in the scanned folder).
    if (DOCUMENTATION.test(file)) continue;
    try {
      const r = reader.read(file, maxBytes, needles);
      if ('bytes' in r ? needles.some((n) => r.bytes.indexOf(n) !== -1) : r.mentions) return { found: file };
    } catch (e) {
      return { unsearched: `${file} cannot be read: ${describeFsError(e)}` };
    }
  }
  return { clean: true };
}

/**
 * Which files of a run may hold some text, asked of git before any is read. A reader that looks
 * through every file of the repository for a few words (helm command lines) would otherwise stat
 * and read each one: ~0.35 s in a 20k-file checkout, paid by every pre-commit run over a Helm
 * template. `git grep` searches the same files (tracked, and untracked but not ignored, as they are
 * in the working tree) natively, on every core.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { RunContext } from '../types.js';
import { enclosingRepository } from './scope.js';

/**
 * The files of `files` that may match `pattern` (a Perl-compatible regular expression, `git grep
 * -P`, that matches at least wherever the reader's own test does): all but those git searched and
 * found no match in. A file git does not search (an ignored file named on the command line, a
 * submodule's, one outside the checkout) is kept, and the reader reads it as before. One git call:
 * `-L` names the files without a match, so no listing of the checkout is needed beside it.
 * Undefined when git cannot say (no checkout, git missing or failing, or built without PCRE): the
 * reader reads every file. (The same pattern as POSIX `-E` took git ~0.7 s over the bench's 150 MB
 * tree; `-P` ~0.2 s.) `pathspecs` (git's, e.g. `:(icase)*.yaml`) limit what git reads to names that
 * cover every file of `files`: git reads only those (a search of the bench's 20k-file tree for its
 * YAML files alone reads ~2,000 of them), and a file outside them is kept, as one git does not search.
 */
/** The pathspecs of YAML files, for a search among them (`.yaml`/`.yml`, any case, at any depth). */
export const YAML_PATHSPECS: readonly string[] = [':(icase)*.yaml', ':(icase)*.yml'];

export function filesMayHold(run: RunContext, files: readonly string[], pattern: string, pathspecs: readonly string[] = []): ReadonlySet<string> | undefined {
  const root = enclosingRepository(run.cwd);
  if (root === undefined) return undefined;
  let out: string;
  try {
    out = execFileSync('git', ['-C', root, 'grep', '-L', '-z', '--untracked', '-P', '-e', pattern, ...(pathspecs.length > 0 ? ['--', ...pathspecs] : [])], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
    });
  } catch (e) {
    // Exit status 1: every file searched matches. Anything else: git could not search.
    if ((e as { status?: number }).status !== 1) return undefined;
    out = '';
  }
  const prefix = path.resolve(root) + (path.resolve(root).endsWith(path.sep) ? '' : path.sep);
  const without = new Set(out.split('\0').filter((rel) => rel !== '').map((rel) => prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep))));
  return new Set(files.filter((f) => !without.has(f)));
}

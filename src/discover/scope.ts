/**
 * Whether the paths of a run cover the whole repository. A binary install may serve a probe,
 * a HEALTHCHECK or a script anywhere in the repository, so a run that sees only part of it must
 * never remove one (rules/dockerfile-binary-install.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { discover } from './walk.js';

/** The nearest folder at or above `dir` holding `.git` (a folder, or a file in worktrees and submodules). */
export function enclosingRepository(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; ) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/**
 * Why `paths` (as given on the command line, relative to `cwd`; `-` is standard input) are only
 * part of the repository, or undefined when they cover it: a path names a file (pre-commit file
 * lists), or a folder lies inside a git checkout whose top folder no path covers (a run on
 * `services/api`, or in it). Outside any checkout a folder is taken as the whole repository:
 * nothing says where one ends.
 */
export function partialViewOf(paths: readonly string[], cwd: string): string | undefined {
  const given = paths.filter((p) => p !== '-').map((p) => ({ shown: p, abs: realOrResolved(path.resolve(cwd, p)) }));
  const folders: typeof given = [];
  for (const g of given) {
    let folder = false;
    try {
      folder = fs.statSync(g.abs).isDirectory();
    } catch {
      // Not a folder we can see: the safe side.
    }
    if (!folder) return 'a file list';
    folders.push(g);
  }
  for (const f of folders) {
    const root = enclosingRepository(f.abs);
    if (root === undefined || root === f.abs) continue;
    if (folders.some((g) => within(root, g.abs))) continue;
    const slashed = (from: string, to: string) => path.relative(from, to).split(path.sep).join('/') || '.';
    return `the folder ${slashed(root, f.abs)} of the repository at ${slashed(realOrResolved(cwd), root)}`;
  }
  return undefined;
}

/** `p` is `dir` or inside it. */
function within(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function realOrResolved(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * Every file of the git checkouts that hold `paths` (walked as folders are: .gitignore honoured),
 * with `discovered` (files named explicitly may be ignored ones). A path in no checkout adds
 * nothing: nothing says where its repository ends.
 */
export function filesOfRepositories(paths: readonly string[], cwd: string, discovered: readonly string[], git = 'git'): string[] {
  const roots = new Set<string>();
  // A pre-commit file list may name thousands of files in a few folders: each folder is looked up once.
  const byDir = new Map<string, string | undefined>();
  for (const p of paths) {
    if (p === '-') continue;
    const abs = path.resolve(cwd, p);
    let dir = abs;
    try {
      if (!fs.statSync(abs).isDirectory()) dir = path.dirname(abs);
    } catch {
      dir = path.dirname(abs);
    }
    if (!byDir.has(dir)) byDir.set(dir, enclosingRepository(dir));
    const root = byDir.get(dir);
    if (root !== undefined) roots.add(root);
  }
  if (roots.size === 0) return [...discovered];
  const listed = [...roots].flatMap((root) => gitFiles(root, git) ?? discover([root], cwd).files.map((f) => f.absPath));
  // One checkout's list holds each file once: only the named files need taking out of it (a Set of
  // its 25k paths was ~10 ms of a one-file pre-commit run). The same order as below.
  if (roots.size === 1 && discovered.length <= 16) {
    const named = new Set(discovered);
    return [...named, ...listed.filter((f) => !named.has(f))];
  }
  return [...new Set([...discovered, ...listed])];
}

/**
 * A checkout's files as git lists them: tracked, and untracked but not ignored (the walk's
 * answer, .gitignore honoured), without node_modules as the walk skips it. A pre-commit run over
 * one manifest of a 20k-file monorepo walked the whole checkout, ~0.2 s a commit; git reads its
 * index in a few ms. Undefined when git cannot say (not installed, not a checkout it reads): the
 * caller walks. (`git`: the command, for tests.)
 */
export function gitFiles(root: string, git = 'git'): string[] | undefined {
  let out: string;
  try {
    out = execFileSync(git, ['-C', root, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
    });
  } catch {
    return undefined;
  }
  // git prints clean relative paths with `/`: joined by hand, as path.join's normalising of each of
  // 20k paths was ~70 ms of a pre-commit run in a 20k-file checkout (this loop: ~7 ms).
  const files: string[] = [];
  const prefix = path.resolve(root) + (path.resolve(root).endsWith(path.sep) ? '' : path.sep);
  for (const rel of new Set(out.split('\0'))) {
    if (rel === '') continue;
    if ((rel.includes('node_modules') || rel.includes('.git')) && rel.split('/').some((part) => part === 'node_modules' || part === '.git')) continue;
    files.push(prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep)));
  }
  return files;
}

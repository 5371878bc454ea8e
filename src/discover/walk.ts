/**
 * Lists the files to scan. Folders are walked honouring every .gitignore met on the way (nested
 * ones too), and at the top of each git checkout met (a folder holding `.git`: the walked one, a
 * submodule, a nested clone) that checkout's `info/exclude` and git's `core.excludesFile`, as git
 * does; a nested checkout's files are ignored by its own files only, not by the folders' above it
 * (git lists them so). .git and node_modules are skipped; an ignored folder is pruned before it is
 * read (what it held that git tracks is added by the engine: trackedAmong, src/discover/scope.ts).
 * A lean walk with the `ignore` package: on a 20k-file tree it took ~0.08 s here against
 * ~0.5 s for globby with gitignore support.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Ignore } from 'ignore';

// Loaded on the first .gitignore met: a run on a few named files (pre-commit) never pays for it.
let makeIgnore: ((options?: { ignorecase?: boolean }) => Ignore) | undefined;
/**
 * An ignore-file matcher. `ignoreCase`: git's `core.ignorecase` for the checkout (unset, false: git
 * matches `PROD/` against `PROD` only, where the `ignore` package's own default is caseless and
 * would skip an untracked `prod/` that git lists; hunt12 N4).
 */
function ignore(ignoreCase: boolean): Ignore {
  makeIgnore ??= createRequire(import.meta.url)('ignore') as (options?: { ignorecase?: boolean }) => Ignore;
  return makeIgnore({ ignorecase: ignoreCase });
}

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

/** A path named on the command line that is a pipe or a device: never read, and nothing to fix about its permissions. */
export const NOT_A_REGULAR_FILE = 'not a regular file';
/** What to do about a path named on the command line that is not a regular file. */
export const NOT_A_REGULAR_FILE_HINT =
  'A named pipe, a socket or a device holds no file to migrate, and reading one could block the run: name the files or folders to check instead (a stream is checked through standard input: ... | grpc-probe-migrate -).';

/** `not a regular file (a named pipe)`: what it is, from its file type. */
export function notARegularFile(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  const what = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : undefined;
  return what ? `${NOT_A_REGULAR_FILE} (${what})` : NOT_A_REGULAR_FILE;
}

export interface DiscoveredFile {
  absPath: string;
  /** Named on the command line (always read, even if ignored). */
  explicit: boolean;
}

export interface DiscoveryProblem {
  absPath: string;
  message: string;
}

/** A symlink met in a folder walk that leads out of the folder (not followed), to a file or folder. */
export interface LinkOut {
  absPath: string;
  /** Its real path. */
  target: string;
}

interface Scope {
  ig: Ignore;
  /** The folder being walked, relative to the .gitignore's folder: '' or ending in '/'. */
  rel: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  problems: DiscoveryProblem[];
  /** Symlinks that lead out of the scanned folders (not followed; engine.ts searches what they reach). */
  outside: LinkOut[];
  /**
   * What a folder walk passed over because it holds no text to read: a symlink to nothing or in
   * a loop, a named pipe, a socket or a device (named on the command line, each is a problem).
   */
  passed: DiscoveryProblem[];
  /**
   * What a folder walk left out because an ignore file matched it (folders and files; not .git or
   * node_modules): git still lists what of it is tracked (`git add -f`), and so must the run.
   */
  pruned: string[];
}

/** `onFile` is told how many files have been listed so far, as the walk goes (see engine.ts). */
export function discover(paths: readonly string[], cwd: string, onFile?: (count: number) => void): Discovery {
  const files: DiscoveredFile[] = [];
  const problems: DiscoveryProblem[] = [];
  const outside: LinkOut[] = [];
  const passed: DiscoveryProblem[] = [];
  const pruned: string[] = [];
  const roots: string[] = [];
  // Real paths of what was named on the command line and is no regular file (each an error).
  const namedOdd = new Set<string>();
  // One walk never meets a file twice (symlinked folders are skipped); only overlapping paths
  // (`. k8s`, a file named twice) can, so only then is the set (a hash of every path) paid for.
  const seen = paths.length > 1 ? new Set<string>() : undefined;
  // Symlinked files and the file each one reaches: one file must not be read (and written) twice.
  const links = new Map<string, string>();
  const add = (absPath: string, explicit: boolean, target?: string) => {
    if (seen) {
      if (seen.has(absPath)) return;
      seen.add(absPath);
    }
    if (target !== undefined) links.set(absPath, target);
    files.push({ absPath, explicit });
    onFile?.(files.length);
  };

  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      problems.push({ absPath: abs, message: describeFsError(e) });
      continue;
    }
    if (st.isDirectory()) {
      roots.push(realRootOf(abs));
      // Until the walk meets a checkout's top: git's default, case matters.
      walk(roots[roots.length - 1]!, abs, [], add, problems, outside, passed, pruned, false);
    }
    // A named pipe or a device would block the read or never end: only regular files are read.
    else if (!st.isFile()) {
      // Named twice (`p ./p`, or through a link to it): said once.
      const real = safeRealpath(abs) ?? abs;
      if (!namedOdd.has(real)) problems.push({ absPath: abs, message: notARegularFile(st) });
      namedOdd.add(real);
    } else add(abs, true, safeRealpath(abs));
  }
  // A link into another folder of the run (`services/api/k8s -> ../../deploy`) reaches files scanned anyway.
  return { files: withoutAliases(files, links), problems, outside: outside.filter((l) => !roots.some((r) => isInside(r, l.target))), passed: passedOnce(passed, problems), pruned };
}

/**
 * What the walks passed over, each once by its real path: a named pipe (or a dangling link) named
 * on the command line is an error already, not a note as well, and overlapping folders (`. k8s`)
 * meet it twice.
 */
function passedOnce(passed: DiscoveryProblem[], problems: readonly DiscoveryProblem[]): DiscoveryProblem[] {
  if (passed.length === 0) return passed;
  const said = new Set(problems.map((p) => safeRealpath(p.absPath) ?? p.absPath));
  return passed.filter((p) => {
    const real = safeRealpath(p.absPath) ?? p.absPath;
    if (said.has(real)) return false;
    said.add(real);
    return true;
  });
}

/** Drops a symlink when the file it reaches is listed too (or an earlier link reaches it). */
function withoutAliases(files: DiscoveredFile[], links: ReadonlyMap<string, string>): DiscoveredFile[] {
  if (links.size === 0) return files;
  const reached = new Set(files.filter((f) => !links.has(f.absPath)).map((f) => safeRealpath(f.absPath) ?? f.absPath));
  return files.filter((f) => {
    const target = links.get(f.absPath);
    if (target === undefined) return true;
    if (reached.has(target)) return false;
    reached.add(target);
    return true;
  });
}

function walk(
  realRoot: string,
  dir: string,
  scopes: readonly Scope[],
  add: (p: string, explicit: boolean, target?: string) => void,
  problems: DiscoveryProblem[],
  outside: LinkOut[],
  passed: DiscoveryProblem[],
  pruned: string[],
  ignoreCase: boolean,
): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    problems.push({ absPath: dir, message: describeFsError(e) });
    return;
  }
  let here = scopes;
  // The top of a checkout: git reads its own exclude files here, and none of the folders' above,
  // and matches them with its core.ignorecase.
  if (entries.some((e) => e.name === '.git')) {
    ignoreCase = checkoutConfig(dir).ignoreCase;
    here = checkoutScopes(dir, ignoreCase);
  }
  if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
    try {
      const ig = ignore(ignoreCase).add(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8'));
      here = [...here, { ig, rel: '' }];
    } catch (e) {
      problems.push({ absPath: path.join(dir, '.gitignore'), message: describeFsError(e) });
    }
  }
  // Sorted so that reports and benchmarks do not depend on the file system's order.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // Entry names hold no separator: concatenation is path.join without its cost (the hot loop).
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const abs = prefix + entry.name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    let target: string | undefined;
    // Its file type, for the note on one that is no file: the link's target for a symlink.
    let type: fs.Dirent | fs.Stats = entry;
    if (entry.isSymbolicLink()) {
      // Followed only when it stays inside the scanned root; never out of it. One that leads out
      // (and is not ignored) is listed: what it reaches may run the binary (engine.ts).
      target = safeRealpath(abs);
      const st = target === undefined ? undefined : safeStat(target);
      if (!target || !st) {
        if (!isIgnored(here, entry.name, false)) passed.push({ absPath: abs, message: brokenLink(abs) });
        continue;
      }
      if (!isInside(realRoot, target)) {
        if ((st.isFile() || st.isDirectory()) && !isIgnored(here, entry.name, st.isDirectory())) outside.push({ absPath: abs, target });
        continue;
      }
      // A symlinked folder inside the root is reached by its real path already.
      if (st.isDirectory()) continue;
      isFile = st.isFile();
      isDir = false;
      type = st;
    }
    if (!isDir && !isFile) {
      if (!isIgnored(here, entry.name, false)) passed.push({ absPath: abs, message: notARegularFile(type) });
      continue;
    }
    if (isIgnored(here, entry.name, isDir)) {
      pruned.push(abs);
      continue;
    }
    if (isDir) walk(realRoot, abs, here.map((s) => ({ ig: s.ig, rel: `${s.rel}${entry.name}/` })), add, problems, outside, passed, pruned, ignoreCase);
    else add(abs, false, target);
  }
}

/**
 * The exclude files git reads at the top of the checkout `dir` (lowest precedence first, as
 * isIgnored reads scopes from the last): `core.excludesFile` (asked of git once a checkout; by
 * default `$XDG_CONFIG_HOME/git/ignore`), then the checkout's `info/exclude` (in the common git
 * folder of a worktree, in `.git/modules/…` of a submodule: `.git` is then a file naming it).
 */
function checkoutScopes(dir: string, ignoreCase: boolean): Scope[] {
  const scopes: Scope[] = [];
  for (const file of [checkoutConfig(dir).excludesFile, infoExcludeOf(dir)]) {
    if (file === undefined) continue;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // None: nothing excluded.
    }
    // git's default info/exclude is comments alone: a scope with no pattern would cost a test of every path.
    if (!/^[ \t]*[^#\s]/m.test(text)) continue;
    scopes.push({ ig: ignore(ignoreCase).add(text), rel: '' });
  }
  return scopes;
}

/** `info/exclude` of the checkout at `dir`, by its `.git` (a folder, or a file `gitdir: …`), without git. */
function infoExcludeOf(dir: string): string | undefined {
  let gitDir = path.join(dir, '.git');
  try {
    if (fs.statSync(gitDir).isFile()) {
      const m = /^gitdir:[ \t]*(.+?)[ \t]*\r?$/m.exec(fs.readFileSync(gitDir, 'utf8'));
      if (!m) return undefined;
      gitDir = path.resolve(dir, m[1]!);
    }
    // A worktree's git folder names the repository's common one, where info/ is.
    const common = path.join(gitDir, 'commondir');
    if (fs.existsSync(common)) gitDir = path.resolve(gitDir, fs.readFileSync(common, 'utf8').trim());
  } catch {
    return undefined;
  }
  return path.join(gitDir, 'info', 'exclude');
}

/**
 * git's `core.ignorecase` for the checkout at `root` (true where git made it on a file system that
 * does not tell case apart: `K8S/Deploy.yaml` is `k8s/deploy.yaml` there): read once a checkout,
 * with checkoutConfig's one git process. (The here-document write hold, src/kubernetes/patch-commands.ts.)
 */
export function checkoutIgnoresCase(root: string): boolean {
  return checkoutConfig(root).ignoreCase;
}

/**
 * git's `core.excludesFile` (its default where unset) and `core.ignorecase` (false where unset) for
 * the checkout at `dir`: one git process a checkout.
 */
function checkoutConfig(dir: string): { excludesFile: string | undefined; ignoreCase: boolean } {
  const known = checkoutConfigs.get(dir);
  if (known) return known;
  let set = '';
  try {
    set = execFileSync('git', ['-C', dir, 'config', '--path', '--get-regexp', String.raw`^core\.(excludesfile|ignorecase)$`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    // Neither set (exit 1), or no git: git's defaults.
  }
  let excludesFile: string | undefined;
  let ignoreCase = false;
  // `core.excludesfile /home/x/.gitignore` lines, the last of a name winning as in git.
  for (const line of set.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = line.slice(0, space).toLowerCase();
    const value = line.slice(space + 1).trim();
    if (key === 'core.excludesfile') excludesFile = value === '' ? undefined : path.resolve(dir, value);
    else if (key === 'core.ignorecase') ignoreCase = /^(?:true|yes|on|1)$/i.test(value);
  }
  if (excludesFile === undefined) {
    const xdg = process.env.XDG_CONFIG_HOME || (os.homedir() ? path.join(os.homedir(), '.config') : undefined);
    excludesFile = xdg ? path.join(xdg, 'git', 'ignore') : undefined;
  }
  const config = { excludesFile, ignoreCase };
  checkoutConfigs.set(dir, config);
  return config;
}
const checkoutConfigs = new Map<string, { excludesFile: string | undefined; ignoreCase: boolean }>();

/**
 * Paths are built relative to each .gitignore's folder as the walk descends, not with
 * path.relative + split + join per entry: that was half of the walk's time on a 20k-file tree.
 */
function isIgnored(scopes: readonly Scope[], name: string, isDir: boolean): boolean {
  // As in git, the deepest .gitignore that has a say wins: its `!pattern` re-includes a file
  // that a parent folder's .gitignore excludes.
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i]!;
    const r = s.ig.test(isDir ? `${s.rel}${name}/` : s.rel + name);
    if (r.ignored) return true;
    if (r.unignored) return false;
  }
  return false;
}

function realRootOf(root: string): string {
  return safeRealpath(root) ?? root;
}

function isInside(realRoot: string, p: string): boolean {
  const rel = path.relative(realRoot, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function safeRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Why a symlink leads to no file: nothing there, or a loop. */
function brokenLink(p: string): string {
  try {
    fs.statSync(p);
    return 'a symlink the tool cannot follow';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'a symlink to nothing (dangling)' : describeFsError(e);
  }
}

function safeStat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** What a path that is not there is told (a name mistyped, a file deleted in the commit, or gone while the tool ran). */
export const NO_SUCH_PATH = 'no such file or folder';
export const NO_SUCH_PATH_HINT =
  'Name paths that exist (a file deleted in the commit is not there to scan: with `git diff --name-only`, add `--diff-filter=d`; pre-commit passes only files that exist). Until every path is read, every install of the binary stays.';

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return NO_SUCH_PATH;
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'a symlink that leads back to itself (a loop)';
    default:
      return err.message ?? String(e);
  }
}

/**
 * Whether the paths of a run cover the whole repository. A binary install may serve a probe,
 * a HEALTHCHECK or a script anywhere in the repository, so a run that sees only part of it must
 * never remove one (rules/dockerfile-binary-install.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mentionsBinary } from '../analysis/binary.js';
import { classify, READS_REPOSITORY } from '../classify.js';
import { discover } from './walk.js';
import { MANIFEST_PATHSPECS, namesSearchOf, PREFETCHED_SEARCHES, searchLater } from './grep.js';

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
  // A submodule that is not checked out (a plain clone, actions/checkout's default) holds files of
  // the repository that no walk reads: a probe there may run an image whose install would go.
  const roots = new Set(folders.map((f) => enclosingRepository(f.abs)).filter((r): r is string => r !== undefined));
  for (const root of roots) {
    const missing = missingSubmodules(root);
    if (missing === undefined) return `a repository whose .gitmodules the tool cannot read (at ${path.relative(realOrResolved(cwd), root).split(path.sep).join('/') || '.'})`;
    if (missing.length > 0) {
      const names = missing.length > 3 ? `${missing.slice(0, 3).join(', ')} and ${missing.length - 3} more` : missing.join(', ');
      // git submodule update does not clone a gitlink that .gitmodules does not name.
      const what = missing.some((m) => m.endsWith(UNNAMED_GITLINK))
        ? 'git submodule update clones only what .gitmodules names: add each there and run git submodule update --init --recursive, or clone it into its folder, then run the tool again'
        : 'run git submodule update --init --recursive, then the tool again';
      return `${missing.length === 1 ? 'the submodule' : 'the submodules'} ${names} ${missing.length === 1 ? 'is' : 'are'} not checked out: ${what}`;
    }
  }
  return undefined;
}

/**
 * The submodules of the checkout at `root` (nested ones of those checked out too) whose folder is
 * missing or empty, as paths from `root`; undefined when `.gitmodules` cannot be read. Git reads
 * the file (its config format has quoting and escapes of its own), only when there is one. The
 * index's gitlinks (`git ls-files -s`, mode 160000) are submodules too, whether or not
 * `.gitmodules` names them (`git add` of a nested clone records one without): such a path is
 * shown with ` (a gitlink with no .gitmodules entry)`. Asked only of a run over a whole checkout
 * (a file list or a sub-folder is a partial view before this), ~15 ms of git in a 3k-file one.
 */
export function missingSubmodules(root: string, git = 'git'): string[] | undefined {
  const file = path.join(root, '.gitmodules');
  const paths = new Map<string, boolean>();
  if (fs.existsSync(file)) {
    let listed = '';
    try {
      listed = execFileSync(git, ['config', '--file', file, '-z', '--get-regexp', '^submodule\\..*\\.path$'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (e) {
      // Exit 1: no submodule has a path. Anything else (no git, a broken file): unknown.
      if ((e as { status?: number }).status !== 1) return undefined;
    }
    for (const entry of listed.split('\0')) {
      const nl = entry.indexOf('\n');
      if (nl >= 0) paths.set(path.resolve(root, entry.slice(nl + 1)), true);
    }
  }
  for (const rel of gitlinks(root, git)) {
    const abs = path.resolve(root, rel);
    if (!paths.has(abs)) paths.set(abs, false);
  }
  const out: string[] = [];
  for (const [abs, named] of paths) {
    if (!within(abs, root) || abs === root) continue;
    let names: string[] = [];
    try {
      names = fs.readdirSync(abs);
    } catch {
      // Missing: not checked out.
    }
    const shown = path.relative(root, abs).split(path.sep).join('/');
    if (names.length === 0) {
      out.push(named ? shown : `${shown} ${UNNAMED_GITLINK}`);
      continue;
    }
    const nested = missingSubmodules(abs, git);
    if (nested === undefined) return undefined;
    out.push(...nested.map((n) => `${shown}/${n}`));
  }
  return out;
}

/** How missingSubmodules shows a gitlink that `.gitmodules` does not name. */
export const UNNAMED_GITLINK = '(a gitlink with no .gitmodules entry)';

/**
 * The gitlinks of the index of the checkout at `root` (`git ls-files -s`: mode 160000), as git's
 * paths; none where git cannot read it (no git, a folder that only looks like a checkout). git
 * looks for the checkout at `root` only, not in the folders above it.
 */
function gitlinks(root: string, git: string): string[] {
  let out: string;
  try {
    out = execFileSync(git, ['-C', root, 'ls-files', '-s', '-z'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(root)) },
    });
  } catch {
    return [];
  }
  const links: string[] = [];
  // Each entry: `<mode> <object> <stage>\t<path>\0`; found by a native search, not a split of the whole listing.
  for (let at = out.startsWith('160000 ') ? 0 : out.indexOf('\x00160000 '); at !== -1; ) {
    const tab = out.indexOf('\t', at);
    const end = out.indexOf('\0', tab);
    if (tab < 0 || end < 0) break;
    links.push(out.slice(tab + 1, end));
    at = out.indexOf('\x00160000 ', end);
  }
  return [...new Set(links)];
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

/** The git checkouts holding `paths` (relative to `cwd`; `-` is standard input), each once. */
export function repositoryRoots(paths: readonly string[], cwd: string): string[] {
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
  return [...roots];
}

/**
 * Every file of the git checkouts that hold `paths` (walked as folders are: .gitignore honoured),
 * with `discovered` (files named explicitly may be ignored ones). A path in no checkout adds
 * nothing: nothing says where its repository ends. `listed`: what `listRepositories` already
 * had git say for these checkouts (the engine starts it while the rules load).
 */
export function filesOfRepositories(
  paths: readonly string[],
  cwd: string,
  discovered: readonly string[],
  git = 'git',
  listed?: ReadonlyMap<string, readonly string[] | undefined>,
): readonly string[] {
  const roots = repositoryRoots(paths, cwd);
  if (roots.length === 0) return outsideCheckouts(paths, cwd, discovered);
  const listOf = (root: string) => (listed?.has(root) ? listed.get(root) : gitFiles(root, git)) ?? discover([root], cwd).files.map((f) => f.absPath);
  // One checkout listed by git holds each file once: the named files are looked for in git's text
  // (a Set of its 25k paths was ~10 ms of a one-file pre-commit run, indexOf over them ~4 ms), and
  // only those it does not hold (ignored files named on the command line) are added, first.
  // Each search of the text reads it to the match, though: a long file list (pre-commit
  // --all-files, thousands of files) is matched against a Set of the listing, in one pass.
  const list = roots.length === 1 ? listOf(roots[0]!) : undefined;
  const text = list && listingTexts.get(list);
  if (list && text !== undefined) {
    const named = new Set(discovered);
    let absent: string[];
    if (named.size <= 16) {
      absent = [...named].filter((f) => !text.startsWith(`${f}\0`) && !text.includes(`\0${f}\0`));
    } else {
      const have = new Set(list);
      absent = [...named].filter((f) => !have.has(f));
    }
    return absent.length === 0 ? list : [...absent, ...list];
  }
  return [...new Set([...discovered, ...(list ?? roots.flatMap(listOf))])];
}

/**
 * A file list in no git checkout: nothing says where its repository ends, so the current folder
 * is taken for it (walked as a whole run walks it) when every named path lies inside it: a
 * Kustomize overlay, a Flux release's values or a partial manifest there that keeps a named
 * file's probe on exec holds it, as in a checkout. Named paths outside the current folder (or a
 * run from the file system's root) leave the view at the named files, as before.
 */
function outsideCheckouts(paths: readonly string[], cwd: string, discovered: readonly string[]): readonly string[] {
  const top = path.resolve(cwd);
  const named = paths.filter((p) => p !== '-');
  if (named.length === 0 || path.dirname(top) === top || !named.every((p) => within(path.resolve(cwd, p), top))) return [...discovered];
  return [...new Set([...discovered, ...discover([top], cwd).files.map((f) => f.absPath)])];
}

/**
 * The files git tracks among `pruned`, what a folder walk left out as ignored (Discovery.pruned):
 * git never ignores a tracked file (gitignore(5)), so a script or a partial manifest committed
 * with `git add -f` under an ignored folder is the repository's, and the pre-commit run's listing
 * (`--cached`) holds it. One `git ls-files` a checkout, limited to the pruned paths (none is run
 * where the walk ignored nothing, as in a tree whose only ignored folder is node_modules); files
 * only (a tracked symlink or gitlink there is not followed), without node_modules and .git.
 */
export async function trackedAmong(pruned: readonly string[], git = 'git'): Promise<string[]> {
  if (pruned.length === 0) return [];
  const byRoot = new Map<string, string[]>();
  const rootOf = new Map<string, string | undefined>();
  for (const p of pruned) {
    const dir = path.dirname(p);
    if (!rootOf.has(dir)) rootOf.set(dir, enclosingRepository(dir));
    const root = rootOf.get(dir);
    if (root === undefined) continue;
    const list = byRoot.get(root);
    if (list) list.push(p);
    else byRoot.set(root, [p]);
  }
  const lists = await Promise.all([...byRoot].map(([root, under]) => trackedUnder(root, under, git)));
  return lists.flat();
}

/** At most this many pathspecs on trackedUnder's command line. */
const MAX_PATHSPECS = 400;

/** `git ls-files --cached` of the checkout at `root` for the paths `under` (literal pathspecs). */
function trackedUnder(root: string, under: readonly string[], git: string): Promise<string[]> {
  const prefix = path.resolve(root) + (path.resolve(root).endsWith(path.sep) ? '' : path.sep);
  const specs = under.map((p) => path.relative(root, p).split(path.sep).join('/')).filter((rel) => rel !== '' && !rel.startsWith('..'));
  if (specs.length === 0) return Promise.resolve([]);
  return new Promise((resolve) => {
    let out = '';
    let child: ReturnType<typeof spawn>;
    try {
      // ls-files reads no pathspecs from a file: past MAX_PATHSPECS, git's own answer (what it tracks
      // and would ignore), for the whole checkout, kept below to the pruned paths (review F2: a run
      // on svc/ with 401 ignored logs there rewrote a tracked ignored file of other/).
      const args = specs.length <= MAX_PATHSPECS ? ['--', ...specs] : ['--ignored', '--exclude-standard'];
      child = spawn(git, ['-C', root, 'ls-files', '-z', '--cached', ...args], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_LITERAL_PATHSPECS: '1' } });
    } catch {
      resolve([]);
      return;
    }
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', () => resolve([]));
    child.on('close', (code) => {
      if (code !== 0) return resolve([]);
      const files: string[] = [];
      // The fallback's answer holds the whole checkout's: a file counts when it, or a folder above
      // it, is one of the pruned paths.
      const wanted = specs.length > MAX_PATHSPECS ? new Set(specs) : undefined;
      const among = (rel: string) => {
        for (let at = rel.length; at > 0; at = rel.lastIndexOf('/', at - 1)) if (wanted!.has(rel.slice(0, at))) return true;
        return false;
      };
      for (const rel of new Set(out.split('\0'))) {
        if (rel === '' || rel.split('/').some((part) => part === 'node_modules' || part === '.git')) continue;
        if (wanted && !among(rel)) continue;
        const abs = prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep));
        try {
          if (fs.lstatSync(abs).isFile()) files.push(abs);
        } catch {
          // Deleted in the working tree: nothing to read.
        }
      }
      resolve(files.sort());
    });
  });
}

/** A git listing's paths as one NUL-terminated text, for filesOfRepositories to look paths up in. */
const listingTexts = new WeakMap<readonly string[], string>();

/** `--deduplicate` (git 2.31): a path in conflict is listed once, not once per stage. */
const LS_FILES = ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--deduplicate'];

/**
 * A checkout's files as git lists them: tracked, and untracked but not ignored (the walk's
 * answer, .gitignore honoured), without node_modules as the walk skips it. A pre-commit run over
 * one manifest of a 20k-file monorepo walked the whole checkout, ~0.2 s a commit; git reads its
 * index in a few ms. Undefined when git cannot say (not installed, not a checkout it reads): the
 * caller walks. (`git`: the command, for tests.)
 */
export function gitFiles(root: string, git = 'git'): string[] | undefined {
  const list = (args: readonly string[]) => execFileSync(git, ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
  if (!withoutDeduplicate.has(git)) {
    try {
      return gitListing(root, list(LS_FILES), true, git);
    } catch (e) {
      if ((e as { status?: number }).status !== USAGE_ERROR) return undefined;
      withoutDeduplicate.add(git);
    }
  }
  try {
    return gitListing(root, list(LS_FILES.slice(0, -1)), false, git);
  } catch {
    return undefined;
  }
}

/** git's exit status for an option it does not know (--deduplicate before git 2.31). */
const USAGE_ERROR = 129;
/** The git commands of this process that said so: asked without it from then on. */
const withoutDeduplicate = new Set<string>();

/**
 * Whether a partial view's run over `paths` will want git's listing of the checkout (engine:
 * READS_REPOSITORY): a folder is named, or a named file of such a kind names the binary. Asked by
 * the CLI before it loads the engine, so that git runs while the engine and the rules load; a
 * run over a Dockerfile or a source file does not start git at all (spawning it from Node costs
 * ~5 ms of the run's own time). A file it cannot read here is read by the run, which says why.
 */
export function wantsRepositoryListing(paths: readonly string[], cwd: string): boolean {
  for (const p of paths) {
    if (p === '-') continue;
    const abs = path.resolve(cwd, p);
    try {
      const stat = fs.statSync(abs);
      if (stat.isDirectory()) return true;
      // A named pipe or a device is not read (a pipe blocks, /dev/zero never ends): the run says what it is.
      if (!stat.isFile()) continue;
      if (!READS_REPOSITORY.has(classify(p)) && !READS_REPOSITORY.has(classify(p, ''))) continue;
      // Larger than any manifest: the run decides what to make of it.
      if (stat.size > LARGEST_LOOKED_AT || mentionsBinary(fs.readFileSync(abs, 'latin1'))) return true;
    } catch {
      // Not there, or unreadable: the run reports it.
    }
  }
  return false;
}

/** At most this many named files have their names searched for beside the listing (a pre-commit run). */
const NAMED_MANIFESTS = 20;

/** The texts of the YAML and JSON files among `paths` (files of at most LARGEST_LOOKED_AT bytes). */
function manifestTexts(paths: readonly string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (!/\.(?:ya?ml|json)$/i.test(p)) continue;
    try {
      const abs = path.resolve(cwd, p);
      const stat = fs.statSync(abs);
      if (stat.isFile() && stat.size <= LARGEST_LOOKED_AT) out.push(fs.readFileSync(abs, 'utf8'));
    } catch {
      // Not there, or unreadable: the run reports it.
    }
  }
  return out;
}

/** Bytes wantsRepositoryListing reads of a named file before it takes the listing as wanted. */
const LARGEST_LOOKED_AT = 1024 * 1024;

/** git's listing of the checkouts holding some paths, under way in git's own processes. */
export interface RepositoryListing {
  /**
   * Each checkout's files (gitFiles), once git is done. Until this is called git does not keep the
   * process alive: a run that meets no candidate ends without waiting for it.
   */
  files(): Promise<Map<string, string[] | undefined>>;
  /** The searches of PREFETCHED_SEARCHES (src/discover/grep.ts) started beside the listing, once git is done. */
  searches?(): Promise<void>;
}

/**
 * `gitFiles` for each checkout holding `paths`, with git running in its own process while the
 * caller goes on: in a one-file pre-commit run the listing (~25 ms in a 20k-file checkout, most
 * of it git walking the tree for untracked files) overlaps the loading of the engine and the
 * rules. git writes to a temporary file, not a pipe: the listing of a large checkout is more
 * than a pipe holds, and git would wait for the caller to read it while the caller is busy
 * compiling the rules (through a pipe git took ~45 ms, and only ~5 ms of a run was saved).
 */
export function listRepositories(paths: readonly string[], cwd: string, git = 'git'): RepositoryListing {
  const roots = repositoryRoots(paths, cwd);
  const jobs = roots.map((root) => gitFilesLater(root, git));
  // Only git itself: a test's stand-in command is asked for listings alone.
  // The names the named manifests give, for the partial-manifest reader (src/kubernetes/partial-manifests.ts):
  // searched for with the first prefetched search (the YAML readers'), in the same git process.
  const names = git === 'git' && roots.length === 1 && paths.length <= NAMED_MANIFESTS ? namesSearchOf(roots[0]!, manifestTexts(paths, cwd)) : undefined;
  const searches =
    git === 'git'
      ? roots.flatMap((root) =>
          PREFETCHED_SEARCHES.map((s, i) =>
            i === 0 && names !== undefined
              ? searchLater(root, `${s.pattern}|${names}`, MANIFEST_PATHSPECS, [s, { pattern: names, pathspecs: MANIFEST_PATHSPECS }])
              : searchLater(root, s.pattern, s.pathspecs),
          ),
        )
      : [];
  let all: Promise<Map<string, string[] | undefined>> | undefined;
  return {
    files: () =>
      (all ??= Promise.all(jobs.map((j) => j.files())).then((lists) => new Map(roots.map((root, i) => [root, lists[i]])))),
    searches: () => Promise.all(searches).then(() => undefined),
  };
}

/**
 * git listing one checkout into a temporary file. Its output is read and turned into paths only
 * when asked for (a run over a Dockerfile never asks: ~7 ms of parsing and the garbage of 25k
 * paths saved there).
 */
function gitFilesLater(root: string, git: string): { files(): Promise<string[] | undefined> } {
  const now = (files: string[] | undefined) => ({ files: () => Promise.resolve(files) });
  let dir: string;
  let fd: number;
  try {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grpc-probe-migrate-'));
  } catch {
    return now(gitFiles(root, git));
  }
  const out = path.join(dir, 'ls-files');
  const removeDir = () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return true;
    } catch {
      return false; // Windows: not while git has the file open; again when it is done
    }
  };
  try {
    fd = fs.openSync(out, 'w+', 0o600);
  } catch {
    removeDir();
    return now(gitFiles(root, git));
  }
  let child: ReturnType<typeof spawn>;
  try {
    if (withoutDeduplicate.has(git)) throw new Error('asked without --deduplicate, by gitFiles');
    child = spawn(git, ['-C', root, ...LS_FILES], { stdio: ['ignore', fd, 'ignore'] });
  } catch {
    fs.closeSync(fd);
    removeDir();
    return now(gitFiles(root, git));
  }
  // The file is read through the descriptor kept open here: gone from the temp folder at once
  // (where the system allows), nothing is left behind by a run that ends before git does.
  const removed = removeDir();
  // A run that never asks does not wait for git (where the file is already gone). Where it is not
  // (Windows, while git has it open), the run waits for git, and the folder goes as the run ends
  // if the run did not ask for the listing (files() removes it when it has read it).
  const atExit = () => {
    try {
      fs.closeSync(fd);
    } catch {
      // Nothing more to do.
    }
    removeDir();
  };
  if (removed) child.unref();
  else process.once('exit', atExit);
  const exited = new Promise<boolean>((resolve) => {
    child.on('error', () => resolve(false));
    child.on('close', (code) => {
      // An older git (no --deduplicate): gitFiles below asks it again without, once.
      if (code === USAGE_ERROR) withoutDeduplicate.add(git);
      resolve(code === 0);
    });
  });
  let files: Promise<string[] | undefined> | undefined;
  return {
    files: () => {
      child.ref();
      return (files ??= exited.then((ok) => {
        let text: string | undefined;
        try {
          if (ok) {
            // git wrote through the same open file, so its offset is at the end: read from 0.
            const buf = Buffer.alloc(fs.fstatSync(fd).size);
            fs.readSync(fd, buf, 0, buf.length, 0);
            text = buf.toString('utf8');
          }
        } catch {
          text = undefined;
        }
        fs.closeSync(fd);
        if (!removed) {
          process.removeListener('exit', atExit);
          removeDir();
        }
        return text !== undefined ? gitListing(root, text, true, git) : gitFiles(root, git);
      }));
    },
  };
}

/**
 * `git ls-files -z` output as absolute paths, without node_modules and .git (`unique`: git listed
 * each path once). Built by joining and splitting the whole listing rather than path by path: in
 * a one-file run this code runs once, not yet optimised by V8, where a loop over 25k paths costs
 * ~10 ms and leaves each path a concatenation that the first reader to look at it flattens
 * (~15 ms of a pre-commit run, now ~5).
 */
function gitListing(root: string, out: string, unique: boolean, git = 'git'): string[] {
  const rels = out.split('\0');
  rels.pop(); // after the last NUL
  if (rels.length === 0) return [];
  const prefix = path.resolve(root) + (path.resolve(root).endsWith(path.sep) ? '' : path.sep);
  // git lists neither .git nor (ignored, as it nearly always is) node_modules: only then the slow way.
  const odd = !unique || /(?:^|[\0/])(?:node_modules|\.git)[/\0]/.test(out);
  const kept = odd ? [...new Set(rels)].filter((rel) => !rel.split('/').some((part) => part === 'node_modules' || part === '.git')) : rels;
  if (kept.length === 0) return [];
  const joined = prefix + kept.join('\0' + prefix);
  const text = path.sep === '/' ? joined : joined.split('/').join(path.sep);
  const files = text.split('\0');
  // One string for both (the first search of it flattens it once); git's own output, already flat, says whether it lists a folder (`dir/`).
  const listing = `${text}\0`;
  listingTexts.set(files, listing);
  return withNestedCheckouts(root, files, listing, git, out.includes('/\0'));
}

/**
 * `files` (gitListing's, of the checkout at `root`; `text` its NUL-terminated text) with the files
 * of the checkouts inside it: git lists a checked-out submodule as its gitlink's path alone, and
 * an untracked nested clone as `dir/`, where the whole run's walk reads their files (a
 * kustomize overlay, a Flux release, a patch script there holds a probe of the repository). Each
 * is listed by git in its own checkout (its own ignore files), or walked where git cannot say.
 * Submodules are those `.gitmodules` names; a gitlink it does not name is not looked for (git
 * would have to list the index's modes). Nothing to do, as nearly always: one search of the
 * text and one stat.
 */
function withNestedCheckouts(root: string, files: string[], text: string, git: string, dirs: boolean): string[] {
  const nested = new Set<string>();
  if (dirs) for (const f of files) if (f.endsWith(path.sep)) nested.add(f.slice(0, -1));
  if (fs.existsSync(path.join(root, '.gitmodules'))) {
    for (const sub of submodulePaths(root, git)) if (text.startsWith(`${sub}\0`) || text.includes(`\0${sub}\0`)) nested.add(sub);
  }
  const inside: string[] = [];
  for (const dir of nested) {
    if (!fs.existsSync(path.join(dir, '.git'))) continue; // not checked out: partialViewOf's concern
    inside.push(...(gitFiles(dir, git) ?? discover([dir], dir).files.map((f) => f.absPath)));
  }
  if (nested.size === 0) return files;
  const kept = files.filter((f) => !nested.has(f) && !(f.endsWith(path.sep) && nested.has(f.slice(0, -1))));
  const all = [...kept, ...inside];
  listingTexts.set(all, `${all.join('\0')}\0`);
  return all;
}

/** The absolute paths `.gitmodules` of the checkout at `root` gives its submodules (none where git cannot read it). */
function submodulePaths(root: string, git: string): string[] {
  let listed = '';
  try {
    listed = execFileSync(git, ['config', '--file', path.join(root, '.gitmodules'), '-z', '--get-regexp', '^submodule\\..*\\.path$'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const entry of listed.split('\0')) {
    const nl = entry.indexOf('\n');
    if (nl < 0) continue;
    const abs = path.resolve(root, entry.slice(nl + 1));
    if (within(abs, root) && abs !== path.resolve(root)) out.push(abs);
  }
  return out;
}

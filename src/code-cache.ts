/**
 * V8's compiled code of one big CommonJS file, kept between runs: mvdan-sh (1.5 MB of GopherJS)
 * took ~200 ms of CPU to load, ~65 ms of it compiling, on every run that meets a Dockerfile or a
 * shell wrapper, and a pre-commit run over a Dockerfile is mostly that load. yaml and dockerfile-ast
 * are bundled into one file each at build time (scripts/vendor.mjs) and loaded the same way
 * (requireBundled).
 * Node 22.1+ keeps compiled code itself (bin/ turns on module.enableCompileCache()); there this is
 * plain require. On Node 20 the package is compiled here with vm.Script and V8's cached data,
 * which V8 checks against its own version and flags but the source by its length only, so the
 * data is kept under a stamp of the file (see requireFileWithCodeCache): data it rejects, or kept
 * under another stamp, or not matching the digest kept with it, is compiled afresh and replaced.
 * This is a cache of compiled code, not of results: every file is still read and parsed.
 *
 * The data lives in a folder of the OS temp folder that only this user can write
 * (`grpc-probe-migrate-<uid>`, mode 0700; one found with other rights or owner is not used), or
 * under NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's own.
 * Writing a package's data removes that package's data files no run will take again (their file
 * gone or changed) and keeps at most DATA_FILES_PER_NAME of the others (removeStaleData).
 * Any failure to read or write it is silent: the package then loads as it always did.
 */
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// node:vm and node:os are required when a package is first loaded, not with this module, which
// the shell module imports: a manifest run that needs no shell parser loads neither.
const require = createRequire(import.meta.url);

/** `require(name)` of a single-file CommonJS package, with its compiled code kept between runs. */
export function requireWithCodeCache<T>(name: string, env: NodeJS.ProcessEnv = process.env): T {
  return requireFileWithCodeCache(name, require.resolve(name), env);
}

/**
 * `require(name)` of a package that the build bundles into one file (scripts/vendor.mjs:
 * dist/vendor/<name>.cjs), from the bundle with its compiled code kept between runs; from the
 * package when there is no bundle (a build without it).
 */
export function requireBundled<T>(name: string, env: NodeJS.ProcessEnv = process.env): T {
  return requireBundleIfBuilt<T>(name, env) ?? (require(name) as T);
}

/** The bundle dist/vendor/<name>.cjs with its compiled code kept between runs; undefined when the build made none. */
export function requireBundleIfBuilt<T>(name: string, env: NodeJS.ProcessEnv = process.env): T | undefined {
  const bundle = bundlePath(name);
  return fs.existsSync(bundle) ? requireFileWithCodeCache<T>(name, bundle, env) : undefined;
}

/** dist/vendor/<name>.cjs: beside dist/src when running from dist/, and from src/ under jest (`npm test` builds first). */
export function bundlePath(name: string): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? path.resolve(path.dirname(here), '..', 'dist') : path.resolve(path.dirname(here), '..');
  return path.join(dist, 'vendor', `${name}.cjs`);
}

/**
 * What each file compiled here exported, as require's own cache keeps a module: a second caller
 * (yaml-lib and mentions.ts both ask for yaml) gets the same module, not a second copy of it.
 */
const loaded = new Map<string, unknown>();

/** `require(file)` of one CommonJS file, with its compiled code kept between runs under `name`. */
export function requireFileWithCodeCache<T>(name: string, file: string, env: NodeJS.ProcessEnv): T {
  if (loaded.has(file)) return loaded.get(file) as T;
  const nodeCaches = (Module as unknown as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  const dir = nodeCaches === undefined && env.NODE_DISABLE_COMPILE_CACHE !== '1' ? cacheFolder(env) : undefined;
  // Node's own cache (22.1+) keeps a required file's code too.
  if (dir === undefined) return require(file) as T;
  let source: string;
  let stamp: Buffer;
  try {
    source = fs.readFileSync(file, 'utf8');
    stamp = stampOf(file, fs.statSync(file).mtimeMs, source.slice(0, source.indexOf('\n')));
  } catch {
    return require(file) as T;
  }
  const dataFile = dataFileOf(dir, name, file);
  let cachedData: Buffer | undefined;
  try {
    const kept = fs.readFileSync(dataFile);
    // V8 checks its data against the source's length only: data of another file of the same
    // length would run that file's code. Hence the stamp before it, the file's path, mtime and
    // first line (a bundle's, from scripts/vendor.mjs, names its packages or holds a hash of its
    // text); the path also tells removeStaleData whose data it is.
    // V8 checks neither that the data is whole nor that it is what it wrote (its checksum is for
    // debug builds): damaged data (a disk's error, a copy cut short) crashed every run from then on,
    // before the run could replace it. Hence a digest of the data after the stamp.
    if (kept.subarray(0, stamp.length).equals(stamp)) {
      const data = kept.subarray(stamp.length + DIGEST_LINE);
      if (kept.subarray(stamp.length, stamp.length + DIGEST_LINE).toString('latin1') === digestLine(data)) cachedData = data;
    }
  } catch {
    // None yet.
  }
  const vm = require('node:vm') as typeof import('node:vm');
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {} as unknown, id: file, filename: file, loaded: false };
  // The last argument is for the CLI's bundle, whose import() of a package (@octokit/rest, diff)
  // this one does: code compiled by vm.Script has no import() of its own on Node 20 (with cached
  // data, not even with vm's importModuleDynamically option).
  (script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file), importPackage);
  mod.loaded = true;
  loaded.set(file, mod.exports);
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so that the data holds the functions this run compiled lazily (the parser's) too.
    process.once('exit', () => {
      const written = writeQuietly(dataFile, () => {
        const data = script.createCachedData();
        return Buffer.concat([stamp, Buffer.from(digestLine(data), 'latin1'), data]);
      });
      if (written) removeStaleData(dir, name, dataFile);
    });
  }
  return mod.exports as T;
}

/**
 * What a data file starts with: the path of the file it was compiled from (JSON, one line), which
 * removeStaleData reads, then the file's mtime and first line.
 */
function stampOf(file: string, mtimeMs: number, firstLine: string): Buffer {
  return Buffer.from(`${JSON.stringify(file)}\n${mtimeMs}:${firstLine}\n`);
}

/** The line after a data file's stamp: the SHA-256 of the data that follows it (~1 ms a MB). */
function digestLine(data: Uint8Array): string {
  const crypto = require('node:crypto') as typeof import('node:crypto');
  return `${crypto.createHash('sha256').update(data).digest('hex')}\n`;
}

const DIGEST_LINE = 65;

/**
 * Where the data of `file` is kept in the cache folder `dir`: one file per Node version and per
 * path (FNV-1a of it), as two installs of the tool (two repositories' node_modules, two checkouts)
 * would otherwise replace each other's data on every run, their stamps differing.
 */
export function dataFileOf(dir: string, name: string, file: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193);
  return path.join(dir, `${safeName(name)}-${process.version}-${process.arch}-${(h >>> 0).toString(36)}.bin`);
}

const safeName = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Data files of one name kept at most, the ones written last: installs used in turn (two
 * checkouts, a global install) keep theirs, and the folder holds at most ~9 MB (the CLI, mvdan-sh,
 * yaml and dockerfile-ast take ~2.2 MB a set). An install whose data went compiles afresh once.
 */
export const DATA_FILES_PER_NAME = 4;

/** Entries of the cache folder looked at, at most, when a data file is written (it holds a few dozen). */
const MAX_ENTRIES = 1000;

/** Bytes read at most from the start of a file for its stamp (a path and a first line). */
const HEAD_BYTES = 64 * 1024;

/**
 * After `kept` (the data of `name`) is written: removes that name's other data files that no run
 * will use again, and the oldest beyond DATA_FILES_PER_NAME. Data files are per Node version and
 * per path (dataFileOf), so a rebuild replaces its own; but each install of the tool at a new path
 * (npx keeps one per version, a checkout, a copy in a temp folder) or each Node upgrade leaves one
 * more behind, and nothing else removes them. Stale: the file it was compiled from is gone, or has
 * another stamp now (its data would be rejected and replaced), or the data file starts with no
 * path (written by an older version of this module, whose data this one never takes).
 * Only regular files of this user named as dataFileOf names them are removed (a symlink, another
 * name, shell-trees.bin, a temp file being written are left alone); never throws.
 */
export function removeStaleData(dir: string, name: string, kept: string): void {
  const pattern = new RegExp(`^${safeName(name).replace(/\./g, '\\.')}-v\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.]+)?-[a-z0-9]+-[0-9a-z]{1,7}\\.bin$`);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const live: { file: string; mtimeMs: number }[] = [];
  try {
    const folder = fs.opendirSync(dir);
    try {
      for (let i = 0; i < MAX_ENTRIES; i++) {
        const entry = folder.readSync();
        if (entry === null) break;
        const file = path.join(dir, entry.name);
        if (!pattern.test(entry.name) || file === kept) continue;
        try {
          const st = fs.lstatSync(file);
          if (!st.isFile() || (uid !== undefined && st.uid !== uid)) continue;
          if (isStale(file)) fs.unlinkSync(file);
          else live.push({ file, mtimeMs: st.mtimeMs });
        } catch {
          // Gone meanwhile, or not ours to read: left as it is.
        }
      }
    } finally {
      folder.closeSync();
    }
  } catch {
    return;
  }
  live.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { file } of live.slice(DATA_FILES_PER_NAME - 1)) {
    try {
      fs.unlinkSync(file);
    } catch {
      // Left for the next write.
    }
  }
}

/** Whether the data file `dataFile` can never be taken again (removeStaleData); false when that cannot be told. */
function isStale(dataFile: string): boolean {
  const head = readHead(dataFile);
  const newline = head.indexOf(0x0a);
  let source: unknown;
  try {
    source = JSON.parse(head.subarray(0, newline).toString('utf8'));
  } catch {
    source = undefined;
  }
  // Not a stamp this module writes (an older one's, or no path): never taken.
  if (newline < 0 || typeof source !== 'string' || !path.isAbsolute(source)) return true;
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(source).mtimeMs;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR';
  }
  const text = readHead(source);
  const end = text.indexOf(0x0a);
  if (end < 0) return false;
  const stamp = stampOf(source, mtimeMs, text.subarray(0, end).toString('utf8'));
  return !head.subarray(0, stamp.length).equals(stamp);
}

/** The first HEAD_BYTES bytes of a file (fewer if it is shorter); throws if it cannot be read. */
function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** import() of a package, resolved from here (the package's own node_modules). */
const importPackage = (specifier: string): Promise<unknown> => import(specifier);

/** This user's cache folder, made if needed; undefined when it cannot be trusted or made. */
export function cacheFolder(env: NodeJS.ProcessEnv): string | undefined {
  const os = require('node:os') as typeof import('node:os');
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const dir = env.NODE_COMPILE_CACHE ? path.join(env.NODE_COMPILE_CACHE, 'grpc-probe-migrate') : path.join(os.tmpdir(), `grpc-probe-migrate-${uid ?? 'user'}`);
  try {
    makeFolders(dir, 0o700);
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return undefined;
    // Another user could have made it first, or left it writable: their data would run here.
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

/** Writes a file whole (a temp file renamed over it), or not at all; never throws. True when written. */
export function writeQuietly(file: string, data: () => Buffer): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data(), { mode: 0o600 });
    fs.renameSync(tmp, file);
    return true;
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the next run compiles again.
    }
    return false;
  }
}

/**
 * `mkdir -p`, one folder at a time (here, as bin/ loads this module first; the CLI's --output uses
 * it too). Node 20's `fs.mkdirSync(dir, { recursive: true })` loops for ever where the system
 * answers ENOENT for a folder it cannot make (anywhere under /proc: an `--output
 * /proc/x/report.json`, a TMPDIR there): made a level at a time, the first mkdir that fails
 * throws, and the caller says why.
 */
export function makeFolders(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) fs.mkdirSync(d, mode === undefined ? undefined : { mode });
}

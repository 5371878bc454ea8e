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
    stamp = Buffer.from(`${fs.statSync(file).mtimeMs}:${source.slice(0, source.indexOf('\n'))}\n`);
  } catch {
    return require(file) as T;
  }
  const dataFile = dataFileOf(dir, name, file);
  let cachedData: Buffer | undefined;
  try {
    const kept = fs.readFileSync(dataFile);
    // V8 checks its data against the source's length only: data of another file of the same
    // length would run that file's code. Hence the stamp before it, the file's mtime and first
    // line (a bundle's, from scripts/vendor.mjs, names its packages or holds a hash of its text).
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
    process.once('exit', () =>
      writeQuietly(dataFile, () => {
        const data = script.createCachedData();
        return Buffer.concat([stamp, Buffer.from(digestLine(data), 'latin1'), data]);
      }),
    );
  }
  return mod.exports as T;
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
  return path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}-${process.version}-${process.arch}-${(h >>> 0).toString(36)}.bin`);
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

/** Writes a file whole (a temp file renamed over it), or not at all; never throws. */
export function writeQuietly(file: string, data: () => Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data(), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the next run compiles again.
    }
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

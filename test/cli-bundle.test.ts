/**
 * The CLI's bundle (scripts/vendor.mjs: dist/vendor/grpc-probe-migrate.cjs), which bin/ loads with
 * V8's cached code (src/code-cache.ts). Each case runs bin/ in a child process, as a user does.
 * Which modules a run loads through it: test/startup.test.ts.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { dataFileOf } from '../src/code-cache.js';
import { MIN_FILES_FOR_READER_THREAD } from '../src/engine.js';
import { POD, repoWith, ROOT } from './support/repo.js';

const BUNDLE = path.join(ROOT, 'dist', 'vendor', 'grpc-probe-migrate.cjs');
const cacheDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-cli-bundle-'));

/** bin/ of the package at `root`, with its code cache in `cache`. */
function cli(root: string, args: string[], cwd: string, env: Record<string, string> = {}, node: string[] = []): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...node, path.join(root, 'bin', 'grpc-probe-migrate.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', ...env } });
}

test('the build makes the bundle; its first line holds a hash of the rest (the code cache keeps its data under it) and names chalk, which is in it', () => {
  const text = fs.readFileSync(BUNDLE, 'utf8');
  const first = text.slice(0, text.indexOf('\n'));
  expect(first).toMatch(/^\/\/ grpc-probe-migrate's CLI, bundled by scripts\/vendor.mjs \(sha1 of the rest [0-9a-f]{40}\) from \d+ modules of dist\/ and: chalk@[^ ]+ \(MIT\)\. /);
  expect(first).toContain(createHash('sha1').update(text.slice(first.length + 1)).digest('hex'));
});

test('the first run writes the cached code, the next one runs with it: same report, and a package is still imported (diff)', () => {
  const dir = repoWith({ 'a.yaml': POD });
  const cache = cacheDir();
  const data = dataFileOf(path.join(cache, 'grpc-probe-migrate'), 'grpc-probe-migrate', BUNDLE);
  const first = cli(ROOT, ['--diff', 'a.yaml'], dir, { NODE_COMPILE_CACHE: cache });
  expect(fs.statSync(data).size).toBeGreaterThan(100_000);
  const written = fs.statSync(data).mtimeMs;
  const second = cli(ROOT, ['--diff', 'a.yaml'], dir, { NODE_COMPILE_CACHE: cache });
  // Accepted: not written again.
  expect(fs.statSync(data).mtimeMs).toBe(written);
  expect(second.stderr).toBe('');
  expect(second.stdout).toMatch(/^\+ {6}grpc:$/m);
  expect(second.stdout).toBe(first.stdout);
  expect(second.status).toBe(1);
});

test('damaged cached code (bytes changed, same length, the stamp whole) is compiled afresh and replaced, not run', () => {
  const dir = repoWith({ 'a.yaml': POD });
  const cache = cacheDir();
  const data = dataFileOf(path.join(cache, 'grpc-probe-migrate'), 'grpc-probe-migrate', BUNDLE);
  const first = cli(ROOT, ['--diff', 'a.yaml'], dir, { NODE_COMPILE_CACHE: cache });
  const kept = fs.readFileSync(data);
  // V8 takes such data (it checks the source's length and its own version and flags): the run
  // crashed (SIGSEGV), and so did every run after it, as none lived to write the data again.
  const damaged = Buffer.from(kept);
  for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 400; i++) damaged[i]! ^= 0x5a;
  fs.writeFileSync(data, damaged);
  const second = cli(ROOT, ['--diff', 'a.yaml'], dir, { NODE_COMPILE_CACHE: cache });
  expect([second.status, second.signal, second.stderr]).toEqual([1, null, '']);
  expect(second.stdout).toBe(first.stdout);
  expect(fs.readFileSync(data).length).toBeGreaterThan(100_000);
  expect(fs.readFileSync(data).equals(damaged)).toBe(false);
  const third = cli(ROOT, ['--diff', 'a.yaml'], dir, { NODE_COMPILE_CACHE: cache });
  expect([third.status, third.stdout]).toEqual([1, first.stdout]);
});

test('a run that reads in the reader thread starts its script from dist/src, and the thread reads', () => {
  const dir = repoWith({ 'a.yaml': POD });
  for (let i = 0; i < MIN_FILES_FOR_READER_THREAD; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), 'x\n');
  // Logs each worker's script (the bundle asks node:worker_threads for Worker when it starts one),
  // its first message (a batch read) and any error (after which the files are read inline). Not
  // with --debug, which would say so on stderr: --debug runs dist/src/cli.js, not the bundle.
  const log = path.join(cacheDir(), 'workers.txt');
  const spy = path.join(path.dirname(log), 'spy.cjs');
  fs.writeFileSync(
    spy,
    `const threads = require('node:worker_threads');
const fs = require('node:fs');
const Worker = threads.Worker;
threads.Worker = class extends Worker {
  constructor(script, options) {
    fs.appendFileSync(${JSON.stringify(log)}, String(script) + '\\n');
    super(script, options);
    // Seen as emitted: a listener of the spy's own would change when the thread keeps the process alive.
    const emit = this.emit;
    let messages = 0;
    this.emit = function (event, ...args) {
      if ((event === 'message' && messages++ === 0) || event === 'error') fs.appendFileSync(${JSON.stringify(log)}, event + (event === 'error' ? ' ' + args[0] : '') + '\\n');
      return emit.call(this, event, ...args);
    };
  }
};
`,
  );
  const env = { NODE_COMPILE_CACHE: cacheDir() };
  const threaded = cli(ROOT, ['--format', 'json', '.'], dir, env, ['--require', spy]);
  expect(threaded.stderr).toBe('');
  expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([`file://${path.join(ROOT, 'dist', 'src', 'discover', 'reader-worker.js')}`, 'message']);
  const inline = cli(ROOT, ['--format', 'json', '.'], dir, { ...env, GRPC_PROBE_MIGRATE_READER: 'inline' });
  expect(threaded.stdout).toBe(inline.stdout);
  expect(JSON.parse(threaded.stdout).summary).toMatchObject({ filesScanned: MIN_FILES_FOR_READER_THREAD + 1 });
});

test('--version reads package.json through the bundle', () => {
  const r = cli(ROOT, ['--version'], os.tmpdir(), { NODE_COMPILE_CACHE: cacheDir() });
  expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
});

test('a build without the bundle runs dist/src/cli.js, with the same report', () => {
  // A copy of the package: bin/, dist/ but the bundle, package.json, node_modules linked.
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-no-bundle-'));
  for (const part of ['bin', 'dist', 'package.json']) fs.cpSync(path.join(ROOT, part), path.join(pkg, part), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
  fs.rmSync(path.join(pkg, 'dist', 'vendor', 'grpc-probe-migrate.cjs'));
  const dir = repoWith({ 'a.yaml': POD, Dockerfile: 'FROM alpine\nCOPY grpc_health_probe /bin/\n' });
  const env = { NODE_COMPILE_CACHE: cacheDir() };
  const without = cli(pkg, ['--format', 'json', '.'], dir, env);
  expect(without.stderr).toBe('');
  expect(without.status).toBe(1);
  expect(without.stdout).toBe(cli(ROOT, ['--format', 'json', '.'], dir, env).stdout);
  expect(JSON.parse(without.stdout).findings.length).toBeGreaterThan(1);
});

test("a folder that cannot be made (under /proc, where Node 20's recursive mkdir loops for ever) is an error for --output and no cache for the code", () => {
  const dir = repoWith({ 'a.yaml': POD });
  const out = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--output', '/proc/no-such-folder/report.json', 'a.yaml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect([out.status, out.signal]).toEqual([2, null]);
  expect(out.stderr).toMatch(/^grpc-probe-migrate: cannot write --output \/proc\/no-such-folder\/report\.json: /);
  // The code cache's folder there: the run goes on without it.
  const cached = cli(ROOT, ['--format', 'json', 'a.yaml'], dir, { NODE_COMPILE_CACHE: '/proc/no-such-folder' });
  expect([cached.status, cached.signal, cached.stderr]).toEqual([1, null, '']);
  expect(JSON.parse(cached.stdout).findings).toHaveLength(1);
}, 60_000);

test('--debug prints stack traces that name the source files (src/*.ts, their lines), not the bundle; a run without it runs the bundle, source maps off', () => {
  const dir = repoWith({ 'a.yaml': POD });
  // An internal error of the CLI: the JSON report cannot be made (as a report too big for a string).
  const spy = path.join(cacheDir(), 'explode.cjs');
  const seen = path.join(path.dirname(spy), 'seen.json');
  fs.writeFileSync(
    spy,
    `const fs = require('node:fs');
const stringify = JSON.stringify;
JSON.stringify = function (value, ...rest) {
  if (value && value.tool === 'grpc-probe-migrate') {
    fs.writeFileSync(${JSON.stringify(seen)}, stringify({ sourceMaps: process.sourceMapsEnabled, stack: new Error().stack }));
    throw new RangeError('Invalid string length');
  }
  return stringify.call(this, value, ...rest);
};
`,
  );
  const env = { NODE_COMPILE_CACHE: cacheDir() };
  const loud = cli(ROOT, ['--debug', '--format', 'json', '.'], dir, env, ['--require', spy]);
  expect(loud.status).toBe(2);
  expect(loud.stderr).toMatch(/^grpc-probe-migrate: internal error: Invalid string length\nRangeError: Invalid string length\n\s+at /);
  expect(loud.stderr).not.toContain('vendor');
  const frames = [...loud.stderr.matchAll(/^\s+at (?:async )?(\S+) \((.+):(\d+):(\d+)\)$/gm)].map(([, fn, file, line, column]) => ({ fn, file: file!, line: Number(line), column: Number(column) }));
  const json = frames.find((f) => f.file === path.join(ROOT, 'src', 'report', 'json.ts'));
  // The frame's line and column are the TypeScript source's: the call of JSON.stringify (V8 points at its name).
  expect(fs.readFileSync(json!.file, 'utf8').split('\n')[json!.line - 1]!.slice(json!.column - 1 - 'JSON.'.length)).toMatch(/^JSON\.stringify\(/);
  expect(frames).toContainEqual({ fn: 'main', file: path.join(ROOT, 'src', 'cli.ts'), line: expect.any(Number), column: expect.any(Number) });
  expect(JSON.parse(fs.readFileSync(seen, 'utf8')).sourceMaps).toBe(true);

  // GRPC_PROBE_MIGRATE_DEBUG (a failed rule's stack, where --debug is awkward to pass) runs the same.
  const byEnv = cli(ROOT, ['--format', 'json', '.'], dir, { ...env, GRPC_PROBE_MIGRATE_DEBUG: '1' }, ['--require', spy]);
  expect(byEnv.status).toBe(2);
  expect(JSON.parse(fs.readFileSync(seen, 'utf8'))).toEqual({ sourceMaps: true, stack: expect.stringContaining(`(${path.join(ROOT, 'src', 'report', 'json.ts')}:`) });

  // Unset, or set to 0 (as GRPC_PROBE_MIGRATE_CACHE=0 turns the cache off), false, off, no, empty: the bundle, no stack (hunt17 A10).
  for (const off of [undefined, '0', 'false', 'OFF', 'no', '']) {
    const quiet = cli(ROOT, ['--format', 'json', '.'], dir, off === undefined ? env : { ...env, GRPC_PROBE_MIGRATE_DEBUG: off }, ['--require', spy]);
    expect([off, quiet.status, quiet.stderr]).toEqual([off, 2, 'grpc-probe-migrate: internal error: Invalid string length\n']);
    const { sourceMaps, stack } = JSON.parse(fs.readFileSync(seen, 'utf8'));
    expect(sourceMaps).toBe(false);
    expect(stack).toContain(`(${BUNDLE}:`);
    expect(stack).not.toContain(path.join(ROOT, 'src'));
  }
}, 60_000);

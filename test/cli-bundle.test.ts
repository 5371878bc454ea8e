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
  // Logs each worker's script: the bundle asks node:worker_threads for Worker when it starts one.
  const log = path.join(cacheDir(), 'workers.txt');
  const spy = path.join(path.dirname(log), 'spy.cjs');
  fs.writeFileSync(
    spy,
    `const threads = require('node:worker_threads');
const Worker = threads.Worker;
threads.Worker = class extends Worker {
  constructor(script, options) {
    require('node:fs').appendFileSync(${JSON.stringify(log)}, String(script) + '\\n');
    super(script, options);
  }
};
`,
  );
  const env = { NODE_COMPILE_CACHE: cacheDir() };
  const threaded = cli(ROOT, ['--debug', '--format', 'json', '.'], dir, env, ['--require', spy]);
  expect(threaded.stderr).toBe('');
  expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([`file://${path.join(ROOT, 'dist', 'src', 'discover', 'reader-worker.js')}`]);
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

/**
 * Shell trees kept between runs (src/result-store.ts, used by src/analysis/shell.ts): a tree read
 * back must be the tree the parser gives, on every RUN body and shell script of the fixtures; a run
 * whose scripts were all kept does not load mvdan-sh; the store is turned off, replaced when
 * damaged, and never read by another build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { expect, test } from '@jest/globals';
import { parseShell, reviveScript, ShellParseError, type ShScript, type ShStmt } from '../src/analysis/shell.js';
import { parseDockerfile, runBodyStart, runForm, shellView } from '../src/docker/parse.js';
import { ROOT, repoWith } from './support/repo.js';

const DOCKERFILE = 'FROM alpine:3.19\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.24/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';

function filesUnder(dir: string, name: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p, name);
    return name.test(e.name) ? [p] : [];
  });
}

/** Every shell-form RUN body of the fixtures' Dockerfiles, and every shell script. */
function fixtureScripts(): string[] {
  const scripts = new Set<string>();
  for (const file of filesUnder(path.join(ROOT, 'fixtures'), /^(Dockerfile|Containerfile)|\.(dockerfile|sh)$/i)) {
    const text = fs.readFileSync(file, 'utf8');
    if (/\.sh$/.test(file)) {
      scripts.add(text);
      continue;
    }
    let parsed;
    try {
      parsed = parseDockerfile(text);
    } catch {
      continue;
    }
    for (const ins of parsed.instructions) {
      if (ins.keyword !== 'RUN' || runForm(ins, text, parsed.escape) !== 'shell') continue;
      scripts.add(shellView(text, runBodyStart(text, ins, parsed.lines), ins.end, parsed.escape));
    }
  }
  return [...scripts];
}

/** All a rule can read of a tree, with which statements share which calls. */
function shape(script: ShScript): unknown {
  const callIndex = (c: object) => script.calls.indexOf(c as never);
  const stmt = (s: ShStmt): unknown => ({
    span: [s.start, s.end],
    negated: s.negated,
    background: s.background,
    redirects: s.redirects,
    cmd: s.cmd.type === 'binary' ? { op: s.cmd.op, x: stmt(s.cmd.x), y: stmt(s.cmd.y) } : s.cmd.type === 'call' ? { call: callIndex(s.cmd), ...s.cmd } : s.cmd,
    calls: s.calls.map(callIndex),
    params: [...s.params],
    loopOrFunction: s.loopOrFunction,
  });
  return { stmts: script.stmts.map(stmt), calls: script.calls, params: [...script.params], heredocs: script.heredocs };
}

test('every RUN body and shell script of the fixtures reads back as the parser gives it', () => {
  const scripts = fixtureScripts();
  expect(scripts.length).toBeGreaterThan(100);
  let errors = 0;
  for (const script of scripts) {
    let fresh: ShScript;
    try {
      fresh = parseShell(script);
    } catch (e) {
      if (!(e instanceof ShellParseError)) throw e;
      errors++;
      continue;
    }
    // What the store writes at exit is a tree some rule may already have read (getters cached).
    const kept = reviveScript(v8.deserialize(v8.serialize(fresh)) as ShScript);
    expect(shape(kept)).toEqual(shape(fresh));
  }
  // Broken scripts are kept as their message: some of the fixtures hold one.
  expect(errors).toBeGreaterThan(0);
});

const SHELL = pathToFileURL(path.join(ROOT, 'dist', 'src', 'analysis', 'shell.js')).href;

/** A child process parses `script` (the store is written at exit) and says whether it loaded mvdan-sh. */
function parseInChild(script: string, env: Record<string, string>, how: 'parseShell' | 'checkShell' = 'parseShell'): { loaded: boolean; calls: string } {
  const code = `import { ${how}, shellParserLoaded } from ${JSON.stringify(SHELL)};
let calls;
try { calls = JSON.stringify(${how}(${JSON.stringify(script)})?.calls ?? 'parses'); } catch (e) { calls = 'error: ' + e.message; }
console.log(JSON.stringify({ loaded: shellParserLoaded(), calls }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', GRPC_PROBE_MIGRATE_CACHE: '', ...env } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { loaded: boolean; calls: string };
}

const INSTALL = 'V=v0.4.24 && wget -qO/bin/grpc_health_probe https://x/$V/p && chmod +x /bin/grpc_health_probe';
const storeIn = (dir: string) => path.join(dir, 'grpc-probe-migrate', 'shell-trees.bin');

test('a script read by an earlier run is not parsed again: mvdan-sh is not loaded', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
  const first = parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir });
  expect(first.loaded).toBe(true);
  expect(fs.statSync(storeIn(dir)).mode & 0o777).toBe(0o600);
  const again = parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir });
  expect(again).toEqual({ loaded: false, calls: first.calls });
  // Another script is parsed, and kept beside the first.
  expect(parseInChild('echo other', { NODE_COMPILE_CACHE: dir }).loaded).toBe(true);
  expect(parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir }).loaded).toBe(false);
  // A script that does not parse is kept as its error.
  const broken = parseInChild('echo "open', { NODE_COMPILE_CACHE: dir });
  expect(broken.calls).toMatch(/^error: /);
  expect(parseInChild('echo "open', { NODE_COMPILE_CACHE: dir })).toEqual({ loaded: false, calls: broken.calls });
});

test('a rewritten RUN body checked before it is written is not checked with the parser again', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
  expect(parseInChild('apk add curl', { NODE_COMPILE_CACHE: dir }, 'checkShell')).toEqual({ loaded: true, calls: '"parses"' });
  expect(parseInChild('apk add curl', { NODE_COMPILE_CACHE: dir }, 'checkShell')).toEqual({ loaded: false, calls: '"parses"' });
  // Knowing that it parses is not its tree: parseShell still parses it (and keeps the tree).
  const tree = parseInChild('apk add curl', { NODE_COMPILE_CACHE: dir });
  expect(tree.loaded).toBe(true);
  expect(parseInChild('apk add curl', { NODE_COMPILE_CACHE: dir })).toEqual({ loaded: false, calls: tree.calls });
  const broken = parseInChild('apk add "curl', { NODE_COMPILE_CACHE: dir }, 'checkShell');
  expect(broken.calls).toMatch(/^error: /);
  expect(parseInChild('apk add "curl', { NODE_COMPILE_CACHE: dir }, 'checkShell')).toEqual({ loaded: false, calls: broken.calls });
});

test('a damaged store is parsed past and replaced; another build does not read it; it can be turned off', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
  fs.mkdirSync(path.dirname(storeIn(dir)), { mode: 0o700 });
  fs.writeFileSync(storeIn(dir), 'not a store', { mode: 0o600 });
  const first = parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir });
  expect(first.loaded).toBe(true);
  expect(parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir })).toEqual({ loaded: false, calls: first.calls });

  // A store written under another version (another build of shell.js or mvdan-sh) is not read.
  const stored = v8.deserialize(fs.readFileSync(storeIn(dir))) as { version: string; entries: [string, unknown][] };
  fs.writeFileSync(storeIn(dir), v8.serialize({ ...stored, version: `${stored.version}-other` }));
  expect(parseInChild(INSTALL, { NODE_COMPILE_CACHE: dir }).loaded).toBe(true);

  // Off as GRPC_PROBE_MIGRATE_DEBUG reads off (src/env.ts: review21 R10): 0, false, no, off.
  const offs: Record<string, string>[] = [{ GRPC_PROBE_MIGRATE_CACHE: '0' }, { GRPC_PROBE_MIGRATE_CACHE: 'false' }, { GRPC_PROBE_MIGRATE_CACHE: 'OFF' }, { NODE_DISABLE_COMPILE_CACHE: '1' }];
  for (const off of offs) {
    const none = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
    parseInChild(INSTALL, { NODE_COMPILE_CACHE: none, ...off });
    expect(parseInChild(INSTALL, { NODE_COMPILE_CACHE: none, ...off }).loaded).toBe(true);
    expect(fs.existsSync(storeIn(none))).toBe(false);
  }
});

test('the CLI over a Dockerfile reports alike whether its RUN bodies were kept or not', () => {
  const repo = repoWith({ Dockerfile: DOCKERFILE });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
  const run = () => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--format', 'json', 'Dockerfile'], { cwd: repo, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', GRPC_PROBE_MIGRATE_CACHE: '', NODE_COMPILE_CACHE: dir } });
  const cold = run();
  expect(fs.existsSync(storeIn(dir))).toBe(true);
  const warm = run();
  expect([warm.status, warm.stdout, warm.stderr]).toEqual([cold.status, cold.stdout, cold.stderr]);
  expect(JSON.parse(cold.stdout).findings.length).toBeGreaterThan(0);
});

const STORE = pathToFileURL(path.join(ROOT, 'dist', 'src', 'result-store.js')).href;

/** A child process opens a small store, reads `get` and writes `set`; returns what it read. */
function useStore(dir: string, get: string[], set: string[]): (string | null)[] {
  const code = `import { openResultStore } from ${JSON.stringify(STORE)};
const store = openResultStore('bounded', 'v1', { maxEntries: 3, maxKeyLength: 10, maxTotalKeyLength: 12 });
const got = ${JSON.stringify(get)}.map((k) => store.get(k) ?? null);
for (const k of ${JSON.stringify(set)}) store.set(k, k.toUpperCase());
console.log(JSON.stringify(got));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', GRPC_PROBE_MIGRATE_CACHE: '', NODE_COMPILE_CACHE: dir } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as (string | null)[];
}

test('the store keeps what the last run used first, within its bounds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-result-store-'));
  useStore(dir, [], ['aaa', 'bbb', 'ccc', 'ddd', 'long-key-over-10']);
  // At most 3 entries; a key over 10 characters is never kept.
  expect(useStore(dir, ['aaa', 'bbb', 'ccc', 'ddd', 'long-key-over-10'], [])).toEqual(['AAA', 'BBB', 'CCC', null, null]);
  // A run that reads `ccc` and adds `eee` keeps those two first, then the older `aaa`.
  useStore(dir, ['ccc'], ['eee']);
  expect(useStore(dir, ['aaa', 'bbb', 'ccc', 'eee'], [])).toEqual(['AAA', null, 'CCC', 'EEE']);
  // Keys add up to 12 characters at most: three 5-character keys keep two.
  useStore(dir, [], ['fffff', 'ggggg', 'hhhhh']);
  expect(useStore(dir, ['fffff', 'ggggg', 'hhhhh'], [])).toEqual(['FFFFF', 'GGGGG', null]);
});

test('another build whose shell.js has the same size and mtime (an npm tarball fixes every mtime) does not read the trees', () => {
  // Two copies of the build, told apart only by a same-length change in shell.js's reading of `&&`.
  const copies = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-builds-'));
  const shellOf = (name: string) => path.join(copies, name, 'dist', 'src', 'analysis', 'shell.js');
  for (const name of ['a', 'b']) {
    fs.cpSync(path.join(ROOT, 'dist'), path.join(copies, name, 'dist'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'package.json'), path.join(copies, name, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copies, name, 'node_modules'));
  }
  const original = fs.readFileSync(shellOf('b'), 'utf8');
  const swapped = original.replace("10: '&&', 11: '||'", "10: '||', 11: '&&'");
  expect(swapped).not.toBe(original);
  fs.writeFileSync(shellOf('b'), swapped);
  const npmTime = new Date('1985-10-26T08:15:00Z');
  for (const name of ['a', 'b']) fs.utimesSync(shellOf(name), npmTime, npmTime);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-shell-store-'));
  const opOf = (name: string) => {
    const code = `import { parseShell } from ${JSON.stringify(pathToFileURL(shellOf(name)).href)};
const s = parseShell('true && false').stmts[0];
console.log(JSON.stringify(s.cmd.op));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', GRPC_PROBE_MIGRATE_CACHE: '', NODE_COMPILE_CACHE: dir } });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as string;
  };
  expect(opOf('a')).toBe('&&');
  expect(fs.existsSync(storeIn(dir))).toBe(true);
  // Build b reads `&&` as its own code does, not from the tree build a kept.
  expect(opOf('b')).toBe('||');
});

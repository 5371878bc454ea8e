/**
 * src/code-cache.ts: mvdan-sh's compiled code kept between runs on Node 20. Each case runs a child
 * process (the cache is written at exit) with NODE_COMPILE_CACHE pointing into a fresh folder.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { expect, test } from '@jest/globals';
import { DATA_FILES_PER_NAME, dataFileOf } from '../src/code-cache.js';
import { ROOT } from './support/repo.js';

const MODULE = pathToFileURL(path.join(ROOT, 'dist', 'src', 'code-cache.js')).href;
// Loads the shell parser through the cache and parses a script with it.
const SCRIPT = `import { requireWithCodeCache } from ${JSON.stringify(MODULE)};
const sh = requireWithCodeCache('mvdan-sh');
const file = sh.syntax.NewParser().Parse('wget -qO/bin/x https://x && chmod +x /bin/x', 'x');
let calls = 0;
sh.syntax.Walk(file, (n) => { if (n && sh.syntax.NodeType(n) === 'CallExpr') calls++; return true; });
console.log(calls);`;

function load(env: Record<string, string>, script = SCRIPT): string {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', ...env } });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

const dataIn = (dir: string) => dataFileOf(path.join(dir, 'grpc-probe-migrate'), 'mvdan-sh', createRequire(import.meta.url).resolve('mvdan-sh'));

test('the first run writes the data at exit, the next ones load with it and parse alike', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  expect(load({ NODE_COMPILE_CACHE: dir })).toBe('2');
  const data = dataIn(dir);
  expect(fs.statSync(data).size).toBeGreaterThan(100_000);
  expect(fs.statSync(data).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(data)).mode & 0o777).toBe(0o700);
  const written = fs.statSync(data).mtimeMs;
  expect(load({ NODE_COMPILE_CACHE: dir })).toBe('2');
  // Accepted data is not written again.
  expect(fs.statSync(data).mtimeMs).toBe(written);
});

test('data V8 rejects (damaged) is compiled afresh and replaced', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  fs.mkdirSync(path.dirname(dataIn(dir)), { mode: 0o700 });
  fs.writeFileSync(dataIn(dir), 'not V8 data', { mode: 0o600 });
  expect(load({ NODE_COMPILE_CACHE: dir })).toBe('2');
  expect(fs.statSync(dataIn(dir)).size).toBeGreaterThan(100_000);
});

test('a folder others can write to is not used, and NODE_DISABLE_COMPILE_CACHE=1 turns it off', () => {
  const open = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  fs.mkdirSync(path.dirname(dataIn(open)));
  fs.chmodSync(path.dirname(dataIn(open)), 0o777);
  expect(load({ NODE_COMPILE_CACHE: open })).toBe('2');
  expect(fs.existsSync(dataIn(open))).toBe(false);
  const off = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  expect(load({ NODE_COMPILE_CACHE: off, NODE_DISABLE_COMPILE_CACHE: '1' })).toBe('2');
  expect(fs.existsSync(path.dirname(dataIn(off)))).toBe(false);
});

test("data kept for another text of the same length is not used: V8 checks only the length, and would run the other text's code", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  const file = path.join(dir, 'm.cjs');
  const value = () => load({ NODE_COMPILE_CACHE: dir }, `import { requireFileWithCodeCache } from ${JSON.stringify(MODULE)};
console.log(requireFileWithCodeCache('m', ${JSON.stringify(file)}, process.env).value);`);
  const write = (text: string, mtime: Date) => {
    fs.writeFileSync(file, text);
    fs.utimesSync(file, mtime, mtime);
  };
  write('// one\nmodule.exports = { value: 1 + 1 };\n', new Date(2020, 0, 1));
  expect(value()).toBe('2');
  expect(value()).toBe('2');
  // Rebuilt (another mtime).
  write('// one\nmodule.exports = { value: 1 - 1 };\n', new Date(2021, 0, 1));
  expect(value()).toBe('0');
  // Same mtime (an npm tarball's files all have one), another first line (a bundle's hash).
  write('// two\nmodule.exports = { value: 1 * 1 };\n', new Date(2021, 0, 1));
  expect(value()).toBe('1');
});

test('two files of one name (two installs of the tool) keep their data apart: neither replaces the other', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  const files = ['a', 'b'].map((install) => {
    fs.mkdirSync(path.join(dir, install));
    const file = path.join(dir, install, 'm.cjs');
    fs.writeFileSync(file, `module.exports = { value: '${install}' };\n`);
    return file;
  });
  const value = (file: string) => load({ NODE_COMPILE_CACHE: dir }, `import { requireFileWithCodeCache } from ${JSON.stringify(MODULE)};
console.log(requireFileWithCodeCache('m', ${JSON.stringify(file)}, process.env).value);`);
  expect(files.map(value)).toEqual(['a', 'b']);
  const data = files.map((f) => dataFileOf(path.join(dir, 'grpc-probe-migrate'), 'm', f));
  const bData = fs.readFileSync(data[1]!);
  // a again: its data is there, and b's is left as it was.
  expect(value(files[0]!)).toBe('a');
  expect(fs.readFileSync(data[1]!).equals(bData)).toBe(true);
  expect(data[0]).not.toBe(data[1]);
});

/** What the CommonJS file `file` exports as `value`, loaded through the cache kept under `dir` (the name 'm'). */
const valueOf = (dir: string, file: string) =>
  load(
    { NODE_COMPILE_CACHE: dir },
    `import { requireFileWithCodeCache } from ${JSON.stringify(MODULE)};
console.log(requireFileWithCodeCache('m', ${JSON.stringify(file)}, process.env).value);`,
  );

/** A file `m.cjs` of an install of the tool at `dir/<install>`, exporting its name as `value`. */
function install(dir: string, name: string): string {
  const file = path.join(dir, name, 'm.cjs');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `// ${name}\nmodule.exports = { value: '${name}' };\n`);
  return file;
}

test('data no run will take again is removed when the name is next written: its file gone, rebuilt (data of another Node version), or an older stamp; what the cache did not write stays', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  const cache = path.join(dir, 'grpc-probe-migrate');
  const a = install(dir, 'a');
  expect(valueOf(dir, a)).toBe('a');
  const aData = dataFileOf(cache, 'm', a);
  expect(fs.existsSync(aData)).toBe(true);
  // Beside the data: what the cache did not write, or not for this name, or not as a file.
  const outside = path.join(dir, 'outside.bin');
  fs.writeFileSync(outside, 'not data\n');
  const foreign = {
    'notes.txt': 'mine\n',
    'shell-trees.bin': 'the shell trees (src/result-store.ts)\n',
    'other-v20.0.0-x64-abc.bin': 'another name\n',
    'm-v20.0.0-x64-abc.bin.123.tmp': 'being written\n',
  };
  for (const [name, text] of Object.entries(foreign)) fs.writeFileSync(path.join(cache, name), text);
  fs.symlinkSync(outside, path.join(cache, 'm-v20.0.0-x64-link.bin'));
  // Written by an older version of the cache: its stamp has no path, so it is never taken.
  const older = path.join(cache, 'm-v20.0.0-x64-old.bin');
  fs.writeFileSync(older, `1577836800000:// a\n${'0'.repeat(64)}\nV8 data`);

  // The install a is removed (npx replaced it, a checkout deleted), b writes its data.
  fs.rmSync(path.dirname(a), { recursive: true });
  const b = install(dir, 'b');
  expect(valueOf(dir, b)).toBe('b');
  const bData = dataFileOf(cache, 'm', b);
  expect(fs.existsSync(bData)).toBe(true);
  expect(fs.existsSync(aData)).toBe(false);
  expect(fs.existsSync(older)).toBe(false);
  for (const [name, text] of Object.entries(foreign)) expect(fs.readFileSync(path.join(cache, name), 'utf8')).toBe(text);
  expect(fs.readlinkSync(path.join(cache, 'm-v20.0.0-x64-link.bin'))).toBe(outside);
  expect(fs.readFileSync(outside, 'utf8')).toBe('not data\n');

  // b's data as another Node version would have written it; b is rebuilt (another stamp).
  const otherNode = bData.replace(`-${process.version}-`, '-v20.0.1-');
  fs.copyFileSync(bData, otherNode);
  fs.writeFileSync(b, `// b, rebuilt\nmodule.exports = { value: 'b2' };\n`);
  fs.utimesSync(b, new Date(2030, 0, 1), new Date(2030, 0, 1));
  expect(valueOf(dir, b)).toBe('b2');
  // Replaced where it was (one file per path and Node version); the other version's is stale now.
  expect(fs.existsSync(bData)).toBe(true);
  expect(fs.existsSync(otherNode)).toBe(false);
  // Of this stamp, another Node version's data stays: that Node would take it.
  fs.copyFileSync(bData, otherNode);
  const c = install(dir, 'c');
  expect(valueOf(dir, c)).toBe('c');
  expect(fs.existsSync(otherNode)).toBe(true);
  expect(fs.readdirSync(cache).filter((f) => /^m-v.*\.bin$/.test(f)).sort()).toEqual(
    [bData, otherNode, dataFileOf(cache, 'm', c), path.join(cache, 'm-v20.0.0-x64-link.bin')].map((f) => path.basename(f)).sort(),
  );
}, 30_000);

test(`at most ${DATA_FILES_PER_NAME} data files of a name are kept: the ones written last`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-code-cache-'));
  const cache = path.join(dir, 'grpc-probe-migrate');
  const installs = ['a', 'b', 'c', 'd', 'e'].map((name) => install(dir, name));
  installs.forEach((file, i) => {
    expect(valueOf(dir, file)).toBe(['a', 'b', 'c', 'd', 'e'][i]);
    // Written in this order, whatever the file system's clock resolution.
    fs.utimesSync(dataFileOf(cache, 'm', file), new Date(2020, 0, i + 1), new Date(2020, 0, i + 1));
  });
  const kept = () => installs.filter((f) => fs.existsSync(dataFileOf(cache, 'm', f))).map((f) => path.basename(path.dirname(f)));
  expect(kept()).toEqual(['b', 'c', 'd', 'e']);
  // a again: compiled afresh, and now b's is the oldest.
  expect(valueOf(dir, installs[0]!)).toBe('a');
  expect(kept()).toEqual(['a', 'c', 'd', 'e']);
}, 30_000);

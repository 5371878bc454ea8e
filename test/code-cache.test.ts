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
import { dataFileOf } from '../src/code-cache.js';
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

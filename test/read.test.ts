import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, jest, test } from '@jest/globals';
import { FileReader } from '../src/discover/read.js';
import { repoWith } from './support/repo.js';

test('the reader returns each file exactly, growing its buffer, and refuses files over the limit', () => {
  const big = Buffer.alloc(300 * 1024, 'x');
  big.write('grpc_health_probe', big.length - 20);
  const dir = repoWith({ big, small: 'abc', empty: '' });
  const reader = new FileReader();
  const read = (name: string, max = 1 << 20) => {
    const r = reader.read(path.join(dir, name), max);
    return 'bytes' in r ? Buffer.from(r.bytes) : r;
  };
  expect(String(read('small'))).toBe('abc');
  expect((read('big') as Buffer).equals(big)).toBe(true);
  expect(String(read('small'))).toBe('abc');
  expect((read('empty') as Buffer).length).toBe(0);
  expect(read('big', 1000)).toEqual({ tooLarge: true });
  expect(() => reader.read(path.join(dir, 'missing'), 1000)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(() => reader.read(dir, 1 << 20)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
});

test('a file exactly the size of the buffer, one over the limit, and one at the limit', () => {
  const exact = Buffer.alloc(256 * 1024, 'a');
  const dir = repoWith({ exact, limit: Buffer.alloc(1000, 'b') });
  const reader = new FileReader();
  const r = reader.read(path.join(dir, 'exact'), 1 << 20);
  expect('bytes' in r && Buffer.from(r.bytes).equals(exact)).toBe(true);
  expect(reader.read(path.join(dir, 'exact'), exact.length - 1)).toEqual({ tooLarge: true });
  const atLimit = reader.read(path.join(dir, 'limit'), 1000);
  expect('bytes' in atLimit && atLimit.bytes.length).toBe(1000);
  expect(reader.read(path.join(dir, 'limit'), 999)).toEqual({ tooLarge: true });
});

test('a file over the limit is searched to its end for the needles, across chunk boundaries', () => {
  const needle = Buffer.from('grpc_health_probe');
  const size = 400;
  const files: Record<string, Buffer> = { none: Buffer.alloc(size, 'y') };
  // Every place, so that some needles are cut by the end of a 64-byte chunk (or of the first read).
  for (let offset = 0; offset + needle.length <= size; offset += 3) {
    const b = Buffer.alloc(size, 'y');
    needle.copy(b, offset);
    files[`at-${offset}`] = b;
  }
  const dir = repoWith(files);
  const reader = new FileReader(64);
  for (const name of Object.keys(files)) {
    const offset = name === 'none' ? undefined : Number(name.slice(3));
    const expected = offset === undefined ? { tooLarge: true } : { tooLarge: true, mention: { offset, line: 1, column: offset + 1 } };
    expect([name, reader.read(path.join(dir, name), 99, [needle])]).toEqual([name, expected]);
  }
});

describe('where a file over the limit first names a needle', () => {
  const needle = Buffer.from('grpc_health_probe');
  // Lines of every length around the 64-byte chunks, some with two-, three- and four-byte
  // characters (the column counts UTF-16 units, as a finding's column does), LF and CRLF.
  const lines = ['é'.repeat(40), 'x'.repeat(63), '', 'a\r', '健康'.repeat(11), 'y'.repeat(130), '🩺 z', 'w'.repeat(64)];
  const prefix = lines.join('\n') + '\n';
  const cases: [string, string][] = [];
  for (let pad = 0; pad < 70; pad += 7) cases.push([`pad-${pad}`, `${prefix}${'é🩺q'.repeat(pad)} grpc_health_probe -addr=:5000\n${'tail\n'.repeat(40)}`]);
  // One needle in the first read (the 99 bytes past the limit's check), on line 2.
  cases.push(['early', 'ab\n  grpc-health-probe then grpc_health_probe\n' + 'z'.repeat(300)]);
  const dir = repoWith(Object.fromEntries(cases));

  test.each(cases)('%s: its byte offset, its line and its column, as the text of the file gives them', (name, text) => {
    const at = Math.min(...['grpc_health_probe', 'grpc-health-probe'].map((n) => text.indexOf(n)).filter((i) => i !== -1));
    const before = text.slice(0, at);
    const lineStart = before.lastIndexOf('\n') + 1;
    const expected = { offset: Buffer.byteLength(before), line: before.split('\n').length, column: at - lineStart + 1 };
    for (const chunk of [20, 64, 1 << 20]) {
      const r = new FileReader(chunk).read(path.join(dir, name), 99, [needle, Buffer.from('grpc-health-probe')]);
      expect([chunk, r]).toEqual([chunk, { tooLarge: true, mention: expected }]);
    }
  });

  test('the first of needles of different lengths, when a longer one that starts first is cut by the end of a chunk', () => {
    // The short needle is inside the long one: wherever a chunk ends, the long one starts first.
    const text = 'y'.repeat(60) + 'QLONGNEEDLE' + 'z'.repeat(200);
    const dir2 = repoWith({ f: text });
    for (let chunk = 12; chunk <= 90; chunk++) {
      const r = new FileReader(chunk).read(path.join(dir2, 'f'), 10, [Buffer.from('QLONGNEEDLE'), Buffer.from('NEED')]);
      expect([chunk, r]).toEqual([chunk, { tooLarge: true, mention: { offset: 60, line: 1, column: 61 } }]);
    }
  });
});

test('a file over the limit that names a needle says whether it holds a NUL byte, before or after the needle, however far', () => {
  const needle = Buffer.from('grpc_health_probe');
  const body = (nulAt: number | undefined) => {
    const b = Buffer.alloc(1000, 'y');
    needle.copy(b, 300);
    if (nulAt !== undefined) b[nulAt] = 0;
    return b;
  };
  const dir = repoWith({ before: body(50), after: body(990), none: body(undefined), 'nul-only': Buffer.concat([Buffer.alloc(500, 'y'), Buffer.from([0])]) });
  for (const chunk of [20, 64, 1 << 20]) {
    const reader = new FileReader(chunk);
    const mention = { offset: 300, line: 1, column: 301 };
    expect([chunk, reader.read(path.join(dir, 'before'), 99, [needle])]).toEqual([chunk, { tooLarge: true, mention, nul: true }]);
    expect([chunk, reader.read(path.join(dir, 'after'), 99, [needle])]).toEqual([chunk, { tooLarge: true, mention, nul: true }]);
    expect([chunk, reader.read(path.join(dir, 'none'), 99, [needle])]).toEqual([chunk, { tooLarge: true, mention }]);
    // No needle, no question of a use: a NUL byte alone is not reported.
    expect([chunk, reader.read(path.join(dir, 'nul-only'), 99, [needle])]).toEqual([chunk, { tooLarge: true }]);
  }
});

test('a named pipe reached by the reader does not block it: no writer, no bytes', () => {
  const dir = repoWith({});
  const fifo = path.join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const r = new FileReader().read(fifo, 1000);
  expect('bytes' in r && r.bytes.length).toBe(0);
});

test('a file system that returns less than asked (network, FUSE) is read to the end', () => {
  const text = 'apiVersion: v1\n# grpc_health_probe\n'.repeat(50);
  const dir = repoWith({ f: text });
  const real = fs.readSync;
  // At most 7 bytes per read, as a short-reading file system might.
  const spy = jest.spyOn(fs, 'readSync').mockImplementation(((fd: number, buf: NodeJS.ArrayBufferView, offset: number, length: number, position: number | null) =>
    real(fd, buf, offset, Math.min(length, 7), position)) as typeof fs.readSync);
  try {
    const r = new FileReader().read(path.join(dir, 'f'), 1 << 20);
    expect('bytes' in r && r.bytes.toString()).toBe(text);
  } finally {
    spy.mockRestore();
  }
});

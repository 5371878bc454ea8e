import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, jest, test } from '@jest/globals';
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
  expect(read('big', 1000)).toEqual({ tooLarge: true, mentions: false });
  expect(() => reader.read(path.join(dir, 'missing'), 1000)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  expect(() => reader.read(dir, 1 << 20)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
});

test('a file exactly the size of the buffer, one over the limit, and one at the limit', () => {
  const exact = Buffer.alloc(256 * 1024, 'a');
  const dir = repoWith({ exact, limit: Buffer.alloc(1000, 'b') });
  const reader = new FileReader();
  const r = reader.read(path.join(dir, 'exact'), 1 << 20);
  expect('bytes' in r && Buffer.from(r.bytes).equals(exact)).toBe(true);
  expect(reader.read(path.join(dir, 'exact'), exact.length - 1)).toEqual({ tooLarge: true, mentions: false });
  const atLimit = reader.read(path.join(dir, 'limit'), 1000);
  expect('bytes' in atLimit && atLimit.bytes.length).toBe(1000);
  expect(reader.read(path.join(dir, 'limit'), 999)).toEqual({ tooLarge: true, mentions: false });
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
    expect([name, reader.read(path.join(dir, name), 99, [needle])]).toEqual([name, { tooLarge: true, mentions: name !== 'none' }]);
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

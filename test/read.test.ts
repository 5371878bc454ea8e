import path from 'node:path';
import { expect, test } from '@jest/globals';
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

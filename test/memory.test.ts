import { expect, test } from '@jest/globals';
import v8 from 'node:v8';
import { HeapGuard } from '../src/memory.js';

test('the heap guard collects once the heap passes its floor, then waits for twice what survived', () => {
  // A floor of 1 MB: the test process's heap is past it already.
  const guard = new HeapGuard(1);
  guard.check();
  expect(guard.collections).toBe(1);
  // Right after a collection the heap holds about what survived: no second one.
  guard.check();
  expect(guard.collections).toBe(1);
  // Garbage worth more than what survived: the next check collects.
  const live = v8.getHeapStatistics().used_heap_size;
  const garbage = (): void => {
    const held: number[][] = [];
    while (v8.getHeapStatistics().used_heap_size < 2.2 * live) held.push(new Array(100_000).fill(1));
  };
  garbage();
  guard.check();
  expect(guard.collections).toBe(2);
});

test('under its floor the guard never touches V8', () => {
  const guard = new HeapGuard(1_000_000);
  guard.check();
  expect(guard.collections).toBe(0);
});

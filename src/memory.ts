/**
 * Peak memory on long scans. V8 lets the old generation grow to about four times what survived
 * its last full collection before it collects again, when collecting looks cheap; on a scan that
 * is mostly garbage (each candidate's parse trees die with the file) that is most of the peak:
 * at 100k files the heap reached ~160 MB with ~30 MB alive. The guard asks for a full collection
 * once the heap holds twice what survived the previous one (and at least `floorMb`), which keeps
 * the peak near the live size. At 100k files: 6 collections, peak RSS ~255 -> ~178 MB, ~2-3 %
 * more wall time (~0.4 s more CPU). An asynchronous collection (`gc({execution: 'async'})`) cost
 * nothing but left the peak at ~205 MB.
 *
 * `gc` is not exposed without the `--expose-gc` flag, and a CLI cannot pass flags to its own
 * `node`: the flag is set at run time and the function taken from a new context, where it then
 * exists. The guard does nothing until the heap passes the floor, so small runs never touch V8's
 * flags. node:v8 loads with the first check and node:vm with the first collection, so a one-file
 * run (which never checks) does not pay for them.
 *
 * The check reads `v8.getHeapStatistics().used_heap_size`, the counter `process.memoryUsage()`
 * returns as heapUsed: in a 20k-file scan memoryUsage() took ~110 us a call (106 calls, ~12 ms;
 * it also reads the RSS and the array buffer allocator's total), getHeapStatistics() ~12 us.
 */
import { createRequire } from 'node:module';

export class HeapGuard {
  private gc: (() => void) | undefined;
  private v8: typeof import('node:v8') | undefined;
  private limit: number;
  /** How many collections it asked for. */
  collections = 0;

  constructor(private readonly floorMb = 64) {
    this.limit = floorMb * 1024 * 1024;
  }

  /** Cheap (reads V8's counters); collects when the heap passed its limit. */
  check(): void {
    const v8 = (this.v8 ??= createRequire(import.meta.url)('node:v8') as typeof import('node:v8'));
    if (v8.getHeapStatistics().used_heap_size < this.limit) return;
    if (!this.gc) {
      v8.setFlagsFromString('--expose-gc');
      this.gc = (createRequire(import.meta.url)('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
    }
    this.gc();
    this.collections++;
    const live = v8.getHeapStatistics().used_heap_size;
    this.limit = Math.max(this.floorMb * 1024 * 1024, 2 * live);
  }
}

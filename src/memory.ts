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
 * flags. node:v8 and node:vm load with the first collection (the check itself reads
 * process.memoryUsage(), the same heap counter), so a one-file run does not pay ~8 ms for them.
 */
import { createRequire } from 'node:module';

export class HeapGuard {
  private gc: (() => void) | undefined;
  private limit: number;
  /** How many collections it asked for. */
  collections = 0;

  constructor(private readonly floorMb = 64) {
    this.limit = floorMb * 1024 * 1024;
  }

  /** Cheap (reads V8's counters); collects when the heap passed its limit. */
  check(): void {
    if (process.memoryUsage().heapUsed < this.limit) return;
    if (!this.gc) {
      const require = createRequire(import.meta.url);
      (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
      this.gc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
    }
    this.gc();
    this.collections++;
    const live = process.memoryUsage().heapUsed;
    this.limit = Math.max(this.floorMb * 1024 * 1024, 2 * live);
  }
}

/**
 * The reader thread's main-thread side (see reads.ts). worker_threads is loaded when a thread is
 * started, not with this module: it costs ~4 ms, which a run without a thread does not pay.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Precheck } from './precheck.js';
import { inlineReads, type ReadBatch } from './reads.js';

/** Paths sent to the worker per message (see reads()). */
const SLICE_FILES = 1000;

/** What the worker is sent: the limit, the files in slices (joined by NUL, which no path holds), the end. */
export type ToWorker = { maxBytes: number } | { paths: string } | { last: true };
/** What the worker posts: a batch (candidates' bytes transferred, not copied), or the end. */
export type WorkerMessage = { end: number; items: { index: number; result: WirePrecheck }[] } | { done: true };
/** A Buffer crosses the thread as a plain Uint8Array. */
type WirePrecheck = Exclude<Precheck, { kind: 'candidate' }> | { kind: 'candidate'; bytes: Uint8Array };

/**
 * The worker script is always the compiled one. The package runs from dist/, where it sits next
 * to this module; under jest this module is the TypeScript source, and a worker cannot run a .ts
 * file, so it starts dist/'s copy (`npm test` builds before jest runs). Both are built from the
 * same sources, and the worker imports nothing but reads.ts and what it needs.
 */
function defaultScript(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./reader-worker.js', here);
  const root = path.resolve(path.dirname(fileURLToPath(here)), '..', '..');
  return pathToFileURL(path.join(root, 'dist', 'src', 'discover', 'reader-worker.js'));
}

export class ReaderWorker {
  private worker: Worker | undefined;
  private failure: string | undefined;
  private readonly queue: WorkerMessage[] = [];
  private wake: (() => void) | undefined;
  private finished = false;

  /**
   * Starts the thread now (during the walk: its start-up, ~65-100 ms here, overlaps the walk).
   * `script` is for tests of the fallback; never throws.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly debug?: (text: string) => void,
    script: URL = defaultScript(),
  ) {
    try {
      const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
      // It holds little (the paths it has not read yet, one file at a time): a small heap makes its
      // collector work early instead of letting garbage pile up (peak RSS at 100k files: ~12 MB
      // less). A thread that outgrows it stops with an error and the rest is read inline.
      const worker = new threads.Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 } });
      // Never what keeps the process alive: the engine waits on it only while it reads.
      worker.unref();
      worker.on('message', (m: WorkerMessage) => {
        if ('done' in m) this.finished = true;
        this.queue.push(m);
        this.wake?.();
      });
      worker.on('error', (e) => this.fail(`the reader thread failed: ${e.message}`));
      worker.on('messageerror', (e) => this.fail(`the reader thread sent a message that could not be read: ${e.message}`));
      worker.on('exit', (code) => {
        if (!this.finished) this.fail(`the reader thread stopped early (exit code ${code})`);
      });
      this.worker = worker;
    } catch (e) {
      this.fail(`the reader thread could not start: ${(e as Error).message}`);
    }
  }

  private fail(why: string): void {
    this.failure ??= why;
    this.wake?.();
  }

  /**
   * Every file's pre-check, in order. A worker that fails (cannot start, throws, exits) loses
   * nothing: the files it had not reported are read inline, and the run's result is the same.
   */
  async *reads(files: readonly string[]): AsyncGenerator<ReadBatch> {
    let next = 0;
    try {
      if (this.worker && this.failure === undefined) {
        // In slices, each one string: the thread starts on the first slice while the others are
        // sent, where the whole list as one array of 20k strings took ~50 ms to arrive. Joining
        // and sending the 20 slices costs this thread ~17 ms; the array alone cost ~25 ms.
        this.worker.postMessage({ maxBytes: this.maxBytes } satisfies ToWorker);
        for (let i = 0; i < files.length; i += SLICE_FILES) this.worker.postMessage({ paths: files.slice(i, i + SLICE_FILES).join('\0') } satisfies ToWorker);
        this.worker.postMessage({ last: true } satisfies ToWorker);
        for (;;) {
          const m = this.queue.shift();
          if (m === undefined) {
            if (this.failure !== undefined) break;
            await new Promise<void>((resolve) => (this.wake = resolve));
            this.wake = undefined;
            continue;
          }
          if ('done' in m) return;
          next = m.end;
          yield { end: m.end, items: m.items.map(({ index, result }) => ({ index, result: fromWire(result) })) };
        }
      }
      this.debug?.(`grpc-probe-migrate: ${this.failure ?? 'no reader thread'}; reading the remaining ${files.length - next} files on the main thread\n`);
      yield* inlineReads(files, this.maxBytes, next);
    } finally {
      this.stop();
    }
  }

  stop(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }
}

function fromWire(r: WirePrecheck): Precheck {
  return r.kind === 'candidate' ? { kind: 'candidate', bytes: Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) } : r;
}

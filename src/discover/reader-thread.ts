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
import type { Discovery, DiscoveryProblem, LinkOut } from './walk.js';

/** What the worker is sent, once: what to walk, and the size limit of a read. */
export interface ToWorker {
  paths: readonly string[];
  cwd: string;
  maxBytes: number;
}
/**
 * What the worker posts: the files it listed (joined by NUL, which no path holds: one string
 * crosses the thread far faster than an array of 20k strings), the walk's problems and links out;
 * then the
 * batches (candidates' bytes transferred, not copied); then the end.
 */
export type WorkerMessage = Listed | Batch | { done: true };
type Listed = { listed: string; problems: DiscoveryProblem[]; outside: LinkOut[] };
type Batch = { end: number; items: { index: number; result: WirePrecheck }[] };
/** A Buffer crosses the thread as a plain Uint8Array. */
type WirePrecheck = Exclude<Precheck, { kind: 'candidate' }> | { kind: 'candidate'; bytes: Uint8Array };

/**
 * The worker script is always the compiled one. The package runs from dist/, where it sits next
 * to this module; under jest this module is the TypeScript source, and a worker cannot run a .ts
 * file, so it starts dist/'s copy (`npm test` builds before jest runs). Both are built from the
 * same sources, and the worker imports nothing but walk.ts, reads.ts and what they need.
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
  private readonly queue: (Batch | { done: true })[] = [];
  private wake: (() => void) | undefined;
  private finished = false;
  private listed: ((d: Discovery | undefined) => void) | undefined;
  /** walk() was called: the thread reads what it listed. */
  private walking = false;

  /**
   * Starts the thread now (during the main thread's own first look at the tree: its start-up,
   * ~65-100 ms here, overlaps it). `script` is for tests of the fallback; never throws.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly debug?: (text: string) => void,
    script: URL = defaultScript(),
  ) {
    try {
      const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
      // It holds little (the paths, one file at a time): a small heap makes its collector work
      // early instead of letting garbage pile up (peak RSS at 100k files: ~12 MB less). A thread
      // that outgrows it stops with an error, and the rest is walked or read inline.
      const worker = new threads.Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 } });
      // Never what keeps the process alive: the engine waits on it only while it walks and reads.
      worker.unref();
      worker.on('message', (m: WorkerMessage) => {
        if ('listed' in m) {
          this.listed?.({ files: m.listed === '' ? [] : m.listed.split('\0').map((absPath) => ({ absPath, explicit: false })), problems: m.problems, outside: m.outside });
          this.listed = undefined;
          return;
        }
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
    this.listed?.(undefined);
    this.listed = undefined;
  }

  /**
   * Has the thread walk `paths` (discover() of walk.ts: the same files, in the same order, with
   * the same problems), then read what it listed. Resolves to the list, or to undefined when the
   * thread failed first: the caller then walks inline, and reads() reads inline. Called once.
   */
  walk(paths: readonly string[], cwd: string): Promise<Discovery | undefined> {
    this.walking = true;
    if (!this.worker || this.failure !== undefined) return Promise.resolve(undefined);
    const listed = new Promise<Discovery | undefined>((resolve) => (this.listed = resolve));
    this.worker.postMessage({ paths, cwd, maxBytes: this.maxBytes } satisfies ToWorker);
    return listed;
  }

  /**
   * Every file's pre-check, in order: `files` is what walk() resolved to (or the inline walk, if
   * it resolved to undefined). A thread that fails (cannot start, throws, exits) loses nothing:
   * the files it had not reported are read inline, and the run's result is the same.
   */
  async *reads(files: readonly string[]): AsyncGenerator<ReadBatch> {
    let next = 0;
    try {
      if (this.walking && this.worker && this.failure === undefined) {
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

/**
 * The files' pre-checks as the engine consumes them: batches in file order, from one of two
 * sources that run the same code (precheck.ts) and so say the same thing about each file:
 * - inline: read on the calling thread, a batch at a time, as the engine asks for it;
 * - a reader thread (reader-thread.ts, running reader-worker.ts): it reads ahead while the
 *   engine runs the rules of the candidates it already has. Reading 20k files is ~0.3 s of one
 *   core and the rules of their candidates most of the rest: on two cores the two overlap.
 * The engine loop is one loop over either source (src/engine.ts).
 */
import { precheck, type Precheck } from './precheck.js';
import { FileReader } from './read.js';

export interface ReadBatch {
  /** Index in the file list just past the last file this batch covers (all read by now). */
  end: number;
  /** The pre-checks that say something, in file order, with their file's index. */
  items: { index: number; result: Precheck }[];
}

/** Files per batch when no candidate comes sooner: progress stays current, messages stay few. */
const BATCH_FILES = 512;

export function* inlineReads(files: readonly string[], maxBytes: number, from = 0, reader = new FileReader()): Generator<ReadBatch> {
  let items: ReadBatch['items'] = [];
  let start = from;
  for (let i = from; i < files.length; i++) {
    const result = precheck(reader, files[i]!, maxBytes);
    if (result) items.push({ index: i, result });
    // A candidate goes to the rules at once: it is what the engine is waiting for.
    if (result?.kind === 'candidate' || i + 1 - start >= BATCH_FILES) {
      yield { end: i + 1, items };
      items = [];
      start = i + 1;
    }
  }
  if (start < files.length || items.length > 0) yield { end: files.length, items };
}


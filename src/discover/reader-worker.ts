/**
 * The reader thread (see reads.ts): pre-checks the files in order as their slices arrive and
 * posts the batches; a candidate's bytes are transferred, not copied. Runs from dist/ only.
 */
import { parentPort } from 'node:worker_threads';
import type { ToWorker, WorkerMessage } from './reader-thread.js';
import { FileReader } from './read.js';
import { inlineReads } from './reads.js';

const port = parentPort!;
const files: string[] = [];
// One reader (and its buffer) for every slice.
const reader = new FileReader();
let maxBytes = 0;
port.on('message', (m: ToWorker) => {
  if ('maxBytes' in m) maxBytes = m.maxBytes;
  else if ('paths' in m) {
    const from = files.length;
    for (const p of m.paths.split('\0')) files.push(p);
    for (const batch of inlineReads(files, maxBytes, from, reader)) {
      const transfer: ArrayBuffer[] = [];
      for (const { result } of batch.items) if (result.kind === 'candidate') transfer.push(result.bytes.buffer as ArrayBuffer);
      port.postMessage(batch satisfies WorkerMessage, transfer);
    }
  } else {
    port.postMessage({ done: true } satisfies WorkerMessage);
    port.close();
  }
});

// A reader worker that fails part-way (test/reader-worker.test.ts): it reports the first batch
// of real pre-checks of the first slice of files, with the real code from dist/, then the thread
// exits with code 3.
import { parentPort } from 'node:worker_threads';
import { inlineReads } from '../../dist/src/discover/reads.js';

let maxBytes = 0;
parentPort.on('message', (m) => {
  if ('maxBytes' in m) return void (maxBytes = m.maxBytes);
  const first = inlineReads(m.paths.split('\0'), maxBytes).next();
  if (!first.done) parentPort.postMessage(first.value, first.value.items.filter((i) => i.result.kind === 'candidate').map((i) => i.result.bytes.buffer));
  process.exit(3);
});

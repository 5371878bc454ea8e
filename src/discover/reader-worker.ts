/**
 * The reader thread (see reads.ts): walks the paths it is sent (the walk of walk.ts, the same
 * files in the same order), posts the list, then pre-checks the files in order and posts the
 * batches; a candidate's bytes are transferred, not copied. Runs from dist/ only.
 */
import { parentPort } from 'node:worker_threads';
import type { ToWorker, WorkerMessage } from './reader-thread.js';
import { FileReader } from './read.js';
import { inlineReads } from './reads.js';
import { discover } from './walk.js';

const port = parentPort!;
port.once('message', ({ paths, cwd, maxBytes }: ToWorker) => {
  const { files, problems, outside } = discover(paths, cwd);
  const list = files.map((f) => f.absPath);
  port.postMessage({ listed: list.join('\0'), problems, outside } satisfies WorkerMessage);
  for (const batch of inlineReads(list, maxBytes, 0, new FileReader())) {
    const transfer: ArrayBuffer[] = [];
    for (const { result } of batch.items) if (result.kind === 'candidate') transfer.push(result.bytes.buffer as ArrayBuffer);
    port.postMessage(batch satisfies WorkerMessage, transfer);
  }
  port.postMessage({ done: true } satisfies WorkerMessage);
  port.close();
});

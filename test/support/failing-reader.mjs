// A reader worker that fails part-way (test/reader-worker.test.ts): it walks and lists the files
// and reports the first batch of their real pre-checks, with the real code from dist/, then the
// thread exits with code 3.
import { parentPort } from 'node:worker_threads';
import { inlineReads } from '../../dist/src/discover/reads.js';
import { discover } from '../../dist/src/discover/walk.js';

parentPort.once('message', ({ paths, cwd, maxBytes }) => {
  const { files, problems, outside } = discover(paths, cwd);
  const list = files.map((f) => f.absPath);
  parentPort.postMessage({ listed: list.join('\0'), problems, outside });
  const first = inlineReads(list, maxBytes).next();
  if (!first.done) parentPort.postMessage(first.value, first.value.items.filter((i) => i.result.kind === 'candidate').map((i) => i.result.bytes.buffer));
  process.exit(3);
});

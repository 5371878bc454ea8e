// The real reader thread (dist/), with an fs that refuses what test/reader-worker.test.ts refuses
// on the main thread with spies (a spy there cannot reach this thread): a folder named `secret`
// cannot be listed (EACCES), a file named `gone.yaml` cannot be opened (ENOENT).
import fs from 'node:fs';

const readdirSync = fs.readdirSync;
fs.readdirSync = (p, ...rest) => {
  if (String(p).endsWith('/secret')) throw Object.assign(new Error(`EACCES: scandir '${p}'`), { code: 'EACCES' });
  return readdirSync(p, ...rest);
};
const openSync = fs.openSync;
fs.openSync = (p, ...rest) => {
  if (String(p).endsWith('/gone.yaml')) throw Object.assign(new Error(`ENOENT: open '${p}'`), { code: 'ENOENT' });
  return openSync(p, ...rest);
};
await import('../../dist/src/discover/reader-worker.js');

/** Which stream gets what: a machine-readable report on stdout must stay parseable. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { POD, repoWith } from './support/repo.js';

function repo(): string {
  return repoWith({ 'a.yaml': POD });
}

test.each(['json', 'sarif'])('--diff with --format %s keeps stdout valid JSON; the diff goes to stderr', async (format) => {
  const io = captureIo(repo());
  await main(['--diff', '--format', format], io);
  expect(() => JSON.parse(io.out())).not.toThrow();
  expect(io.err()).toContain('+++ b/a.yaml');
});

test('--diff with --format markdown keeps the Markdown report alone on stdout', async () => {
  const io = captureIo(repo());
  await main(['--diff', '--format', 'markdown'], io);
  expect(io.out()).not.toContain('+++ b/a.yaml');
  expect(io.err()).toContain('+++ b/a.yaml');
});

test('--diff with the text report shares stdout', async () => {
  const io = captureIo(repo());
  await main(['--diff'], io);
  expect(io.out()).toContain('+++ b/a.yaml');
  expect(io.err()).toBe('');
});

test('--diff with --output FILE: the report goes to the file, the diff to stdout', async () => {
  const dir = repo();
  const io = captureIo(dir);
  await main(['--diff', '--format', 'json', '--output', 'report.json'], io);
  expect(io.out()).toContain('+++ b/a.yaml');
  expect(() => JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'))).not.toThrow();
});

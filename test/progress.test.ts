import { describe, expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { createProgress, progressLine } from '../src/report/progress.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

const ERASE = '\r\u001b[K';

describe('the progress line', () => {
  test('draws at most once per 100 ms, not before the first 100 ms, and is erased at the end', () => {
    let t = 1000;
    const written: string[] = [];
    const progress = createProgress({ write: (s: string) => written.push(s), columns: 80 }, () => t);
    const p = { scanned: 1, candidates: 0, current: 'k8s' };
    t += 50;
    progress.update(p);
    expect(written).toEqual([]);
    t += 60;
    progress.update({ ...p, scanned: 1234 });
    t += 99;
    progress.update({ ...p, scanned: 2000 });
    expect(written).toEqual([`${ERASE}1,234 files scanned, 0 candidates · k8s`]);
    progress.done();
    expect(written.at(-1)).toBe(ERASE);
  });

  test('a scan shorter than one interval writes nothing, not even the erase', () => {
    const written: string[] = [];
    const progress = createProgress({ write: (s: string) => written.push(s) }, () => 0);
    progress.update({ scanned: 1, candidates: 1, current: '.' });
    progress.done();
    expect(written).toEqual([]);
  });

  test('a terminal that reports 0 columns (a pty without a size) gets 80', () => {
    let t = 0;
    const written: string[] = [];
    const progress = createProgress({ write: (s: string) => written.push(s), columns: 0 }, () => (t += 200));
    progress.update({ scanned: 7, candidates: 1, current: 'k8s' });
    expect(written).toEqual([`${ERASE}7 files scanned, 1 candidates · k8s`]);
  });

  test('fits the terminal: a long folder keeps its end', () => {
    const line = progressLine({ scanned: 20000, candidates: 400, current: 'services/svc-0123/src/payment/internal' }, 60);
    expect(line).toBe('20,000 files scanned, 400 candidates · …rc/payment/internal');
    expect(line.length).toBe(59);
    expect(progressLine({ scanned: 5, candidates: 0, current: 'a/b' }, 20)).toBe('5 files scanned, 0 ');
  });
});

describe('progress on the command line', () => {
  const dir = repoWith(Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`f${i}.txt`, 'nothing here\n'])));
  // A clock that moves 1 s per reading: every file is worth a redraw.
  const ticking = () => {
    let t = 0;
    return () => (t += 1000);
  };

  test('on a terminal, stderr shows files scanned and is cleaned up; stdout is untouched', async () => {
    const io = captureIo(dir);
    (io.stderr as { isTTY?: boolean }).isTTY = true;
    io.now = ticking();
    expect(await main(['--format', 'json'], io)).toBe(0);
    expect(io.err()).toContain(`${ERASE}5 files scanned, 0 candidates · .`);
    expect(io.err().endsWith(ERASE)).toBe(true);
    expect(JSON.parse(io.out()).summary.filesScanned).toBe(5);
  });

  test('nothing when stderr is not a terminal', async () => {
    const io = captureIo(dir);
    io.now = ticking();
    await main(['--format', 'json'], io);
    expect(io.err()).toBe('');
  });

  test('nothing on a dumb terminal (TERM=dumb: an Emacs compile buffer shows escape codes as text)', async () => {
    const io = captureIo(dir, { env: { TERM: 'dumb' } });
    (io.stderr as { isTTY?: boolean }).isTTY = true;
    io.now = ticking();
    await main(['--format', 'json'], io);
    expect(io.err()).toBe('');
  });

  test('nothing with --quiet', async () => {
    const io = captureIo(dir);
    (io.stderr as { isTTY?: boolean }).isTTY = true;
    io.now = ticking();
    await main(['--quiet'], io);
    expect(io.err()).toBe('');
  });
});

test('a folder name with control characters is shown escaped, as the text report shows names', () => {
  const line = progressLine({ scanned: 3, candidates: 1, current: 'deploy/\u001b]0;pwned\u0007' }, 120);
  expect(line).toBe('3 files scanned, 1 candidates · deploy/\\x1b]0;pwned\\x07');
  expect(line).not.toMatch(/[\u0000-\u001f]/);
});

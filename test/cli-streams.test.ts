/** Which stream gets what: a machine-readable report on stdout must stay parseable. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { MIGRATED_POD, POD, repoWith, ROOT } from './support/repo.js';

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

describe('--fix - with --diff: stdout is the migrated stream', () => {
  test.each(['json', 'sarif', 'markdown'])('--format %s without --output is a usage error (report and diff would share stderr)', async (format) => {
    const io = captureIo(repo(), { stdin: POD });
    let read = false;
    io.readStdin = async () => {
      read = true;
      return POD;
    };
    expect(await main(['--fix', '--diff', '--format', format, '-'], io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(
      `grpc-probe-migrate: --fix - writes the migrated stream to stdout, so the --format ${format} report and the --diff would share stderr; add --output FILE for the report (the diff then goes to stderr alone), or drop --diff\n`,
    );
    expect(read).toBe(false);
  });

  test('with --output FILE: the stream on stdout, the diff alone on stderr, the report in the file', async () => {
    const dir = repo();
    const io = captureIo(dir, { stdin: POD });
    expect(await main(['--fix', '--diff', '--format', 'json', '--output', 'report.json', '-'], io)).toBe(0);
    expect(io.out()).toBe(MIGRATED_POD);
    expect(io.err()).toMatch(/^--- a\/<stdin>\n\+\+\+ b\/<stdin>\n/);
    expect(io.err()).not.toContain('"findings"');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.findings.map((f: { file: string; status: string }) => [f.file, f.status])).toEqual([['<stdin>', 'migrated']]);
  });

  test('the text report and the diff share stderr; stdout is the stream alone', async () => {
    const io = captureIo(repo(), { stdin: POD });
    expect(await main(['--fix', '--diff', '-'], io)).toBe(0);
    expect(io.out()).toBe(MIGRATED_POD);
    expect(io.err()).toContain('+++ b/<stdin>');
    expect(io.err()).toMatch(/<stdin>:7:5 +migrated/);
  });

  test('--help says so', async () => {
    const io = captureIo(repo());
    await main(['--help'], io);
    expect(io.out()).toContain('so --fix --diff - with json/sarif/markdown needs\n                        --output FILE for the report (otherwise a usage error)');
  });
});

test('a reader that closes the pipe early (`| head -c 1`) ends the run quietly, with its own exit code', () => {
  // Enough findings that the report does not fit in one pipe write.
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`p${i}.yaml`] = POD;
  const dir = repoWith(files);
  const bin = path.join(ROOT, 'bin', 'grpc-probe-migrate.js');
  const r = spawnSync('bash', ['-c', 'set -o pipefail; "$0" "$1" --diff . | head -c 1 >/dev/null', process.execPath, bin], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  expect(r.stderr).toBe('');
  // Migratable probes remain: the run's own exit code, not a crash (1, not 0 or a signal).
  expect(r.status).toBe(1);
});

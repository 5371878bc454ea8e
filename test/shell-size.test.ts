/**
 * Scripts over the shell parser's size cap are not parsed (mvdan-sh took 16 s and 886 MB for a
 * 3 MB RUN line, 61 s and 3 GB for a 500k-word script): said as an error where the binary is
 * named, and everything that would need them read stays as it is. Inputs are made here, not
 * committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { inOriginalLines, run } from '../src/engine.js';
import { parseShell, SHELL_PARSE_MAX_BYTES, ShellParseError, ShellTooLargeError } from '../src/analysis/shell.js';
import { dockerfileError } from '../src/docker/verify.js';
import { repoWith } from './support/repo.js';

/** `echo wN` lines up to just over `bytes`. */
const filler = (bytes: number, sep = '\n') => {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size <= bytes; i++) {
    const w = `echo w${i}${sep}`;
    out.push(w);
    size += w.length;
  }
  return out.join('');
};

const INSTALL = 'RUN wget -qO /bin/grpc_health_probe https://example.com/grpc_health_probe && chmod +x /bin/grpc_health_probe\n';

test('a script over the cap is not parsed: ShellTooLargeError (a ShellParseError) says how large, at once', () => {
  const script = filler(SHELL_PARSE_MAX_BYTES);
  let thrown: unknown;
  try {
    parseShell(script);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ShellTooLargeError);
  expect(thrown).toBeInstanceOf(ShellParseError);
  expect((thrown as Error).message).toBe(`${Math.ceil(Buffer.byteLength(script) / 1024)} KB, over the 64 KB the tool parses`);
  // At the cap itself it is read.
  expect(parseShell(script.slice(0, SHELL_PARSE_MAX_BYTES - 100).replace(/[^\n]*$/, '')).calls.length).toBeGreaterThan(1000);
});

test('a Dockerfile RUN over the cap that names the binary: an error at its line with what to do; --fix changes nothing in the file', async () => {
  const huge = `RUN ${filler(200 * 1024, ' && ')}/bin/grpc_health_probe -version\n`;
  const dockerfile = `FROM alpine\n${INSTALL}${huge}USER app\n`;
  const dir = repoWith({ Dockerfile: dockerfile });
  const result = await run({ cwd: dir, fix: true });
  const kb = Math.ceil(Buffer.byteLength(huge.slice(4, -1)) / 1024);
  expect(result.findings.map((f) => ({ line: f.line, status: f.status, message: f.message.slice(0, 200), hint: f.hint }))).toEqual(
    expect.arrayContaining([
      {
        line: 3,
        status: 'error',
        message: `RUN mentions grpc_health_probe but is ${kb} KB, over the 64 KB the tool parses; the file was left unchanged`,
        hint: expect.stringMatching(/^The tool does not parse a RUN this large.*split it into smaller RUN instructions/),
      },
    ]),
  );
  expect(result.findings.find((f) => f.line === 2)?.status).not.toBe('fixed');
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
});

test('a RUN over the cap that does not name the binary is not parsed either; the rewrite that would keep it cannot be checked, so the file stays', async () => {
  const dockerfile = `FROM alpine\n${INSTALL}RUN ${filler(200 * 1024, ' ; ')}true\n`;
  expect(dockerfileError(dockerfile)).toMatch(/^RUN on line 3 is \d+ KB, over the 64 KB the tool parses, so the rewrite cannot be checked$/);
  const dir = repoWith({ Dockerfile: dockerfile });
  const result = await run({ cwd: dir, fix: true });
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
  // The refusal names the RUN's line in the file (3), not in the rewrite, where the install's removal moved it up (hunt17 A4).
  expect(result.findings.find((f) => f.status === 'error')?.message).toMatch(/would not parse \(RUN on line 3 is \d+ KB/);
});

test('inOriginalLines says a rewritten text\'s lines as the original has them', () => {
  const original = 'a\nb\nc\nd\n';
  // Line 2 (`b`) removed, line 3 (`c`) replaced by two lines.
  const edits = [{ start: 2, end: 4, text: '' }, { start: 4, end: 6, text: 'x\ny\n' }];
  const rewritten = 'a\nx\ny\nd\n';
  expect(inOriginalLines('line 1; line 2; line 3 at line 4, column 1; line 9', original, rewritten, edits)).toBe('line 1; line 3; line 3 at line 4, column 1; line 9');
});

test('a shell script over the cap that names the binary: an error at the line that first names it; the install stays', async () => {
  const script = `#!/bin/sh\n${filler(200 * 1024)}until grpc_health_probe -addr=:5000; do sleep 1; done\n`;
  const dockerfile = `FROM alpine\n${INSTALL}`;
  const dir = repoWith({ 'wait.sh': script, Dockerfile: dockerfile });
  const result = await run({ cwd: dir, fix: true });
  const found = result.findings.find((f) => f.file === 'wait.sh');
  expect(found).toMatchObject({
    line: script.split('\n').length - 1,
    column: 7,
    status: 'error',
    message: `the script is ${Math.ceil(Buffer.byteLength(script) / 1024)} KB, over the 64 KB the tool parses; the file was left unchanged`,
    hint: expect.stringMatching(/^The tool does not parse a script this large/),
  });
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
});

test('a probe whose sh -c script is over the cap is blocked as unreadable, saying why', async () => {
  const script = `${filler(100 * 1024, '; ')}grpc_health_probe -addr=:5000`;
  const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n    readinessProbe:\n      exec:\n        command: ["sh", "-c", ${JSON.stringify(script)}]\n`;
  const result = await run({ cwd: repoWith({ 'pod.yaml': pod }) });
  expect(result.findings[0]).toMatchObject({ status: 'blocked', message: expect.stringMatching(/the shell script is \d+ KB, over the 64 KB the tool parses; migrate this probe by hand/) });
});

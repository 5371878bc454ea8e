/**
 * A Dockerfile with an instruction over INSTRUCTION_MAX_CHARS (src/docker/parse.ts) is not handed
 * to dockerfile-ast, whose parse and range offsets cost seconds and a gigabyte on a 3 MB line: the
 * file is reported where that instruction starts, left unchanged, and the run goes on. Behaviour
 * only; no timing is asserted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { INSTRUCTION_MAX_CHARS, oversizedInstruction, parseDockerfile } from '../src/docker/parse.js';
import { dockerfileError } from '../src/docker/verify.js';
import { POD, repoWith } from './support/repo.js';

const INSTALL = 'RUN wget -qO /bin/grpc_health_probe https://example.com/grpc_health_probe && chmod +x /bin/grpc_health_probe\n';
/** One line of `echo xxx…` just over the cap. */
const LONG_RUN = `RUN echo ${'x'.repeat(INSTRUCTION_MAX_CHARS)}\n`;
const KB = Math.ceil(Buffer.byteLength(LONG_RUN.slice(0, -1)) / 1024);

test('a Dockerfile with a one-line RUN over the cap: an error at its line naming the size, the file unchanged, the other files migrated', async () => {
  const dockerfile = `FROM alpine:3.19\n${INSTALL}${LONG_RUN}USER app\n`;
  const dir = repoWith({ Dockerfile: dockerfile, 'k8s/pod.yaml': POD });
  const result = await run({ cwd: dir, fix: true });
  const inDockerfile = result.findings.filter((f) => f.file === 'Dockerfile');
  expect(inDockerfile.map((f) => ({ line: f.line, status: f.status, message: f.message, hint: f.hint }))).toEqual([
    {
      line: 3,
      status: 'error',
      message: `RUN on line 3 is ${KB} KB, over the 256 KB the tool reads of one instruction; the file was not read and was left unchanged`,
      hint: expect.stringMatching(/^The tool does not read a Dockerfile with an instruction this large.*Split the instruction/),
    },
  ]);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
  // The run went on: the Pod's probe was migrated.
  expect(result.findings.filter((f) => f.file === 'k8s/pod.yaml').map((f) => f.status)).toEqual(['migrated']);
  expect(fs.readFileSync(path.join(dir, 'k8s/pod.yaml'), 'utf8')).toContain('grpc:');
});

test('an instruction over the cap through its continuations is one instruction, from the line it starts on; the same lines as separate instructions are read', () => {
  const lines = Array.from({ length: Math.ceil(INSTRUCTION_MAX_CHARS / 40) }, (_, i) => `echo line-${i} ${'y'.repeat(30)}`);
  const continued = `FROM alpine\nRUN ${lines.join(' && \\\n  # a comment inside\n  ')}\nUSER app\n`;
  expect(oversizedInstruction(continued)).toMatchObject({ line: 2, what: 'RUN', start: continued.indexOf('RUN'), end: continued.indexOf('\nUSER') });
  expect(() => parseDockerfile(continued)).toThrow(/^RUN on line 2 is \d+ KB, over the 256 KB the tool reads of one instruction$/);
  expect(dockerfileError(continued)).toMatch(/^RUN on line 2 is \d+ KB, over the 256 KB the tool reads of one instruction, so the rewrite cannot be checked$/);
  const separate = `FROM alpine\n${lines.map((l) => `RUN ${l}\n`).join('')}USER app\n`;
  expect(separate.length).toBeGreaterThan(INSTRUCTION_MAX_CHARS);
  expect(oversizedInstruction(separate)).toBeUndefined();
  // `# escape=`` makes the backtick the continuation character, and `\` an ordinary one.
  const backtick = `# escape=\`\nFROM alpine\nRUN ${lines.join(' && `\n  ')}\n`;
  expect(oversizedInstruction(backtick)).toMatchObject({ line: 3, what: 'RUN' });
  expect(oversizedInstruction(backtick.replace(/ `\n/g, ' \\\n'))).toBeUndefined();
  // A comment line over the cap counts too, and a here-document's body line is said as a line.
  expect(oversizedInstruction(`FROM alpine\n# ${'z'.repeat(INSTRUCTION_MAX_CHARS)}\nUSER app\n`)).toMatchObject({ line: 2, what: 'a comment' });
  expect(oversizedInstruction(`FROM alpine\nRUN <<EOF\necho ${'z'.repeat(INSTRUCTION_MAX_CHARS)}\nEOF\n`)).toMatchObject({ line: 3, what: 'a line', message: expect.stringMatching(/^a line on line 3 is \d+ KB/) });
});

test('a Dockerfile too large to read that a consumer\'s image is built from may build on any image of the repository: their installs stay, saying why', async () => {
  const cwd = repoWith({
    'compose.yaml': `services:
  base:
    build: ./base
    image: acme/base
  app:
    build: ./app
    healthcheck:
      test: ["CMD", "/bin/grpc_health_probe", "-addr=:5000"]
`,
    'base/Dockerfile': `FROM alpine:3.19\n${INSTALL}`,
    // It names no binary (not a candidate): only what it builds on is asked, and cannot be read.
    'app/Dockerfile': `FROM acme/base:latest\n${LONG_RUN}COPY app /app\n`,
  });
  const result = await run({ cwd, fix: true });
  const installs = result.findings.filter((f) => f.subject === 'install').map((f) => [f.file, f.status, f.message]);
  expect(installs).toEqual([
    [
      'base/Dockerfile',
      'blocked',
      expect.stringContaining(`may still be run by compose.yaml:8 (app/Dockerfile was not read (RUN on line 2 is ${KB} KB, over the 256 KB the tool reads of one instruction), so it may build on or copy from any image)`),
    ],
  ]);
  expect(fs.readFileSync(path.join(cwd, 'base/Dockerfile'), 'utf8')).toBe(`FROM alpine:3.19\n${INSTALL}`);
});

test('the same text is parsed once: the analysis, the check of its rewrite and the images it builds on share the parse', () => {
  const text = `FROM alpine:3.19\n${INSTALL}USER app\n`;
  expect(parseDockerfile(text)).toBe(parseDockerfile(`${text}`));
  expect(parseDockerfile(text)).not.toBe(parseDockerfile(`${text}# another\n`));
});

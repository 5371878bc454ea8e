/**
 * Broken and unreadable input: each error names the place and says what to do. Parse errors
 * point at the line to fix (a quote left open is found where it opens, not where the text
 * ends); a path the tool cannot read says how to let it read it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { shellErrorAt } from '../src/analysis/shell.js';
import { parseYaml } from '../src/parse/yaml.js';
import { humanSize } from '../src/text/size.js';
import { POD, podWith, repoWith } from './support/repo.js';

const findingsOf = async (dir: string, paths?: string[]) =>
  (await run({ cwd: dir, ...(paths ? { paths } : {}) })).findings.map((f) => ({ file: f.file, line: f.line, status: f.status, message: f.message, hint: f.hint }));

describe('a file over the size limit', () => {
  // Past the first read and past a search chunk (1 MB): the lines before the mention are counted
  // in every chunk the search passes over.
  const filler = ('# ' + 'é'.repeat(100) + '\n').repeat(12_000);
  const bundle = `${filler}spec:\n  containers:\n  - name: 健康 🩺\n    command: ["/bin/grpc_health_probe", "-addr=:5000"]\n    args: [grpc-health-probe]\n${filler}`;
  const mention = bundle.indexOf('grpc_health_probe');
  const line = bundle.slice(0, mention).split('\n').length;
  const column = mention - bundle.lastIndexOf('\n', mention);

  test.each(['inline', 'worker'] as const)('that names the binary: an error where it first does, with what to do (%s reader)', async (reader) => {
    const dir = repoWith({ 'bundle.yaml': bundle, 'plain.yaml': filler, 'pod.yaml': POD });
    const result = await run({ cwd: dir, reader, maxFileBytes: 1024 * 1024 });
    expect(result.findings.map((f) => ({ file: f.file, line: f.line, column: f.column, status: f.status, message: f.message, hint: f.hint }))).toEqual([
      {
        file: 'bundle.yaml',
        line,
        column,
        status: 'error',
        message: 'larger than 1 MB, so not read, and it names grpc_health_probe; installs of the binary stay',
        hint: 'Migrate its uses of the binary by hand (the first is at this line), or split it into files under 1 MB; if nothing in it runs the binary (a log, a data dump, vendored documentation), list it in .gitignore (a file named on the command line, as pre-commit names them, is read all the same: leave it out there, e.g. with an exclude: pattern in the pre-commit config). Then run the tool again. Until then every install of the binary stays, since it may run the binary.',
      },
      expect.objectContaining({ file: 'pod.yaml', status: 'migratable' }),
    ]);
    expect(line).toBe(12_004);
    expect(result.summary.skipped).toEqual([{ file: 'plain.yaml', reason: 'larger than 1 MB' }]);
  });

  test.each(['inline', 'worker'] as const)('a binary (NUL bytes) that names the binary is skipped as binary, as under the limit: the binary itself, committed (%s reader)', async (reader) => {
    const binary = Buffer.concat([Buffer.alloc(3000, 'x'), Buffer.from('\0github.com/grpc-ecosystem/grpc-health-probe\0'), Buffer.alloc(3000, 0x7f), Buffer.from([0])]);
    const dir = repoWith({ 'bin/grpc_health_probe': binary, 'bin/small': binary.subarray(2990), 'pod.yaml': POD });
    const result = await run({ cwd: dir, reader, maxFileBytes: 1024 });
    expect(result.findings.map((f) => [f.file, f.status])).toEqual([['pod.yaml', 'migratable']]);
    expect(result.summary.skipped).toEqual([
      { file: 'bin/grpc_health_probe', reason: 'binary file (NUL bytes)' },
      { file: 'bin/small', reason: 'binary file (NUL bytes)' },
    ]);
  });

  test('an install it keeps names the line where it names the binary', async () => {
    const dockerfile = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64\n';
    const dir = repoWith({ 'bundle.yaml': bundle, Dockerfile: dockerfile });
    const result = await run({ cwd: dir, fix: true, maxFileBytes: 1024 * 1024 });
    expect(result.findings.find((f) => f.file === 'Dockerfile')).toMatchObject({ status: 'blocked', message: expect.stringContaining(`still used by bundle.yaml:${line}`) });
  });

  test('a limit under a megabyte is said in KB or bytes, never 0 MB', async () => {
    const dir = repoWith({ 'a.yaml': '#'.repeat(2000) + '\n' + POD, 'b.yaml': '#'.repeat(2000) });
    for (const [maxFileBytes, said] of [[1500, '1.5 KB'], [900, '900 bytes']] as const) {
      const result = await run({ cwd: dir, maxFileBytes });
      expect(result.findings.map((f) => [f.line, f.message])).toEqual([[10, `larger than ${said}, so not read, and it names grpc_health_probe; installs of the binary stay`]]);
      expect(result.summary.skipped).toEqual([{ file: 'b.yaml', reason: `larger than ${said}` }]);
    }
  });

  test.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1 KB'],
    [1500, '1.5 KB'],
    [1024 * 1024 - 1, '1 MB'],
    [5 * 1024 * 1024, '5 MB'],
    [Math.round(2.25 * 1024 * 1024), '2.3 MB'],
    [3 * 1024 ** 3, '3 GB'],
  ])('%d bytes are said as %s', (bytes, said) => {
    expect(humanSize(bytes)).toBe(said);
  });
});

describe('a quote left open', () => {
  test.each([
    ['double quotes in a flow sequence', 'a: ["x", "y]\nb: 1\n', 9],
    ['single quotes, where two quotes are one', "a: 'it''s\nb: 1\n", 3],
    ['a closed quote ending in an escaped backslash, then an open one', 'a: "x\\\\"\nb: \'y\n', 12],
    ['an escaped closing quote', 'a: "x\\"\nb: 2\n', 3],
  ])('%s: the error is where it opens', (_what, text, offset) => {
    expect(parseYaml(text).error).toEqual({ offset, message: 'a quote opened here is never closed' });
  });
});

test('lines that end in a lone CR (which YAML and kubectl read as line ends, this parser not): the error says so', () => {
  const text = 'kind: Pod\rspec:\r  containers: []\r';
  expect(parseYaml(text).error).toEqual({ offset: 9, message: 'its lines end in a lone CR, as on classic Mac OS, which the tool does not read: convert them to LF or CRLF' });
  expect(parseYaml('kind: Pod\r\nspec: {}\r\n').error).toBeUndefined();
});

describe('files that do not parse', () => {
  test('YAML: the error names the line and says to fix it', async () => {
    const dir = repoWith({ 'k8s/pod.yaml': POD.replace('"-addr=:5000"', '"-addr=:5000') });
    expect(await findingsOf(dir)).toEqual([
      {
        file: 'k8s/pod.yaml',
        line: 9,
        status: 'error',
        message: 'not valid YAML (a quote opened here is never closed); the file was left unchanged',
        hint: 'Fix the YAML at this line, then run the tool again. Until then every install of the binary stays.',
      },
    ]);
  });

  test('JSON cut short: an error with what to do; JSON with comments stays a blocked finding', async () => {
    const json = '{"kind": "Pod", "spec": {"containers": [{"name": "c", "readinessProbe": {"exec": {"command": ["grpc_health_probe", "-addr=:5000"]}}}]}}';
    const dir = repoWith({ 'cut.json': json.slice(0, -3) + '\n', 'commented.json': '// exported\n' + json + '\n' });
    const [commented, cut] = await findingsOf(dir);
    expect(commented).toMatchObject({ file: 'commented.json', line: 1, status: 'blocked' });
    expect(cut).toMatchObject({ file: 'cut.json', line: 2, status: 'error', hint: expect.stringMatching(/^Fix the JSON at this line/) });
  });

  test('TypeScript: the error names the line and says to fix it, as YAML and JSON do', async () => {
    const dir = repoWith({ 'infra/a.ts': 'const ok = 1;\nconst probe = "grpc_health_probe;\n' });
    const [found] = await findingsOf(dir);
    expect(found).toMatchObject({ file: 'infra/a.ts', line: 2, status: 'error', message: expect.stringMatching(/^not valid TypeScript/), hint: expect.stringMatching(/^Fix the syntax at this line/) });
  });
});

test.each(['inline', 'worker'] as const)('a text file with a stray NUL byte that names the binary is an error where it does, and --fix keeps the install it may use (%s reader)', async (reader) => {
  const script = '#!/bin/sh\n# généré\0\nuntil grpc_health_probe -addr=:5000; do sleep 1; done\n';
  const dockerfile = 'FROM alpine\nRUN wget -qO /bin/grpc_health_probe https://example.com/grpc_health_probe && chmod +x /bin/grpc_health_probe\n';
  // A compiled binary that names it is still passed over (many NULs, or other control bytes).
  const binary = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0'), Buffer.from('grpc_health_probe')]);
  const dir = repoWith({ 'wait.sh': script, Dockerfile: dockerfile, 'bin/grpc_health_probe': binary });
  const result = await run({ cwd: dir, reader, fix: true });
  expect(result.findings.map((f) => ({ file: f.file, line: f.line, column: f.column, status: f.status, message: f.message }))).toEqual([
    { file: 'Dockerfile', line: 2, column: 1, status: 'blocked', message: expect.stringContaining('kept — still used by wait.sh:3') },
    { file: 'wait.sh', line: 3, column: 7, status: 'error', message: 'holds a NUL byte, so it was not parsed, and it names grpc_health_probe as text; installs of the binary stay' },
  ]);
  expect(result.findings[1]!.hint).toMatch(/^A NUL byte in a text file is usually a stray one/);
  expect(result.summary.skipped).toEqual([{ file: 'bin/grpc_health_probe', reason: 'binary file (NUL bytes)' }]);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
});

test('a shell script that does not parse: the error is where the parser says (its column in characters, not bytes), with what to do', async () => {
  const script = '#!/bin/sh\n# vérifié\necho "健康 🩺" && grpc_health_probe -addr=:5000 "unclosed\necho more\n';
  const dir = repoWith({ 'wait.sh': script });
  const [found] = (await run({ cwd: dir })).findings;
  const quote = script.indexOf('"unclosed');
  expect(found).toMatchObject({
    file: 'wait.sh',
    line: 3,
    column: quote - script.lastIndexOf('\n', quote),
    status: 'error',
    message: 'not valid shell (reached EOF without closing quote "); the file was left unchanged',
    hint: 'Fix the shell syntax at this line (bash -n checks a script), then run the tool again; if the script runs as it is (a shell feature the parser does not know), check its uses of the binary by hand. Until then every install of the binary stays.',
  });
});

test.each([
  ['continued over lines (the parser reads them joined)', 'FROM alpine\nRUN apk add curl && \\\n    wget -O /bin/grpc_health_probe https://x/grpc_health_probe && \\\n    chmod +x /bin/grpc_health_probe "oops\nCOPY a /a\n', 'line 4: reached EOF without closing quote "'],
  ['in a here-document', 'FROM alpine\nRUN <<EOF\nset -e\nwget -O /bin/grpc_health_probe https://x/grpc_health_probe\nif true; then\n  echo\nEOF\n', 'line 5: if statement must end with "fi"'],
])('a Dockerfile RUN that does not parse, %s: the message names the line of the file, not of the script the parser read', async (_what, dockerfile, where) => {
  const [found] = await findingsOf(repoWith({ Dockerfile: dockerfile }));
  expect(found).toMatchObject({ file: 'Dockerfile', line: 2, status: 'blocked', message: `RUN mentions grpc_health_probe but is not valid shell (${where}); the file was left unchanged` });
});

test('a shell parse error past the columns the parser counts (a very long line: `?`) is at the start of its line; one with no place in the script has none', () => {
  expect(shellErrorAt('a\nb c\n', '2:?: reached EOF')).toEqual({ offset: 2, reason: 'reached EOF' });
  expect(shellErrorAt('a\n', 'something odd')).toEqual({ reason: 'something odd' });
  expect(shellErrorAt('a\n', '9:1: past the end')).toEqual({ reason: 'past the end' });
});

test('a file that is not UTF-8: the error names the line of the first byte that is not, and says to convert it', async () => {
  const dir = repoWith({ 'pod.yaml': Buffer.from(POD.replace('readinessProbe:', 'readinessProbe: # caf\xe9'), 'latin1') });
  expect(await findingsOf(dir)).toEqual([
    {
      file: 'pod.yaml',
      line: 7,
      status: 'error',
      message: 'not valid UTF-8; the file was left unchanged',
      hint: 'Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), then run the tool again. Until then every install of the binary stays.',
    },
  ]);
});

test('JSON that names a key twice: the error is at the second, with a hint to remove one', async () => {
  const probe = (port: number) => `"readinessProbe": {"exec": {"command": ["grpc_health_probe", "-addr=:${port}"]}}`;
  const dir = repoWith({ 'pod.json': `{"kind": "Pod", "spec": {"containers": [{"name": "c",\n  ${probe(5000)},\n  ${probe(5001)}}]}}\n` });
  expect(await findingsOf(dir)).toEqual([
    expect.objectContaining({ file: 'pod.json', line: 3, status: 'error', hint: expect.stringMatching(/^An object names this key twice/) }),
  ]);
});

describe('paths the tool cannot read', () => {
  const loop = (dir: string) => {
    fs.symlinkSync('b.yaml', path.join(dir, 'a.yaml'));
    fs.symlinkSync('a.yaml', path.join(dir, 'b.yaml'));
  };
  test.each([
    ['a symlink loop says what it is and how to let the tool read it', 'a.yaml', loop, 'a symlink that leads back to itself (a loop)', /^Make it readable by the tool .*every install of the binary stays/],
    ['a path named that is not there (a file the commit deleted) says to name paths that exist', 'gone.yaml', () => {}, 'no such file or folder', /^Name paths that exist .*--diff-filter=d/],
  ])('%s', async (_name, file, make, message, hint) => {
    const dir = repoWith({ 'pod.yaml': POD });
    make(dir);
    const found = await findingsOf(dir, [file, 'pod.yaml']);
    expect(found[0]).toEqual({ file, line: 1, status: 'error', message: `cannot read: ${message}`, hint: expect.stringMatching(hint) });
    // The run goes on with the other files.
    expect(found[1]).toMatchObject({ file: 'pod.yaml', status: 'migratable' });
  });
});

test('a probe that holds command: outside exec: is invalid, not an exec probe: the hint says what to write instead', async () => {
  const dir = repoWith({ 'pod.yaml': POD.replace('      exec:\n        command:', '      command:') });
  expect(await findingsOf(dir)).toEqual([
    {
      file: 'pod.yaml',
      line: 8,
      status: 'blocked',
      message: expect.stringMatching(/^readinessProbe of container "\w+" has command: outside exec:, which is not a field of a Kubernetes probe .*does not run grpc_health_probe today$/),
      hint: expect.stringMatching(/^Kubernetes runs a probe's command only under exec:\. Replace command: with the native probe, grpc: \{port: 5000\}, by hand; or move it under exec:/),
    },
  ]);
});

test('a probe that holds command: outside exec: and could not become native: the hint does not offer a plaintext grpc:', async () => {
  const dir = repoWith({ 'pod.yaml': podWith('"-addr=:5000", "-tls"').replace('      exec:\n        command:', '      command:') });
  const [found] = await findingsOf(dir);
  expect(found!.hint).not.toContain('grpc: {port');
  expect(found!.hint).toMatch(/^Kubernetes runs a probe's command only under exec:\. Move it under exec: .*it cannot become a native probe as it is \(uses -tls; the kubelet's gRPC probe connects without TLS\)/);
});

test('a Helm define whose body is a command list: the hint names the define, the probes that include it and what to write there', async () => {
  const dir = repoWith({
    'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    'chart/values.yaml': 'port: 5000\n',
    'chart/templates/_helpers.tpl': '{{- define "api.probeCommand" -}}\n- /bin/grpc_health_probe\n- -addr=:{{ .Values.port }}\n{{- end }}\n',
    'chart/templates/deployment.yaml': 'spec:\n  containers:\n    - name: api\n      livenessProbe:\n        exec:\n          command:\n            {{- include "api.probeCommand" . | nindent 12 }}\n',
  });
  expect(await findingsOf(dir)).toEqual([
    {
      file: 'chart/templates/_helpers.tpl',
      line: 2,
      status: 'blocked',
      message: 'the define "api.probeCommand" is a command list that runs grpc_health_probe (at [0]); it is included as the exec command of livenessProbe (templates/deployment.yaml:7): probes the tool cannot see whole',
      hint: 'Migrate by hand: replace each exec: that includes "api.probeCommand" (templates/deployment.yaml:7) with grpc: {port: {{ .Values.port }}}, checking timeoutSeconds there; then remove the define "api.probeCommand" once nothing includes it.',
    },
  ]);
});

describe('an -addr with a scheme whose port is not valid: the hint says what a scheme means to a native probe', () => {
  test.each([
    ['a dns target with a named port', 'dns:///:grpc', /^-addr is a gRPC target: dns: tells the binary .* A native probe has no scheme and no host: only grpc\.port, .* a unix socket, cannot be probed natively\.$/],
    ['a passthrough target with port 0', 'passthrough:///:0', /^-addr is a gRPC target: passthrough: /],
    ['a scheme the binary does not resolve', 'https://api:5000', /^-addr starts with https:\/\/, which the binary's gRPC library does not resolve .* fails today\. A native probe has no scheme and no host: .* a unix socket \(unix:\/\/\/path\) cannot be probed natively/],
  ])('%s', async (_what, addr, hint) => {
    const dir = repoWith({ 'pod.yaml': podWith(`"-addr=${addr}"`) });
    const [found] = await findingsOf(dir);
    expect(found).toMatchObject({ status: 'blocked', hint: expect.stringMatching(hint) });
    expect((await run({ cwd: dir })).findings[0]!.blockers).toEqual(['invalid-port']);
  });

  test('without a scheme, the code\'s own hint', async () => {
    const [found] = await findingsOf(repoWith({ 'pod.yaml': podWith('"-addr=:grpc"') }));
    expect(found!.hint).toBe('Fix -addr to a port between 1 and 65535 (a named port is not allowed in a gRPC probe).');
  });
});

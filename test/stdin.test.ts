/** `-` reads a YAML stream, e.g. `kubectl get deploy -A -o yaml | grpc-probe-migrate -`. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli.js';
import { run } from '../src/engine.js';
import { captureIo } from './support/io.js';
import { MIGRATED_POD, POD, repoWith, ROOT } from './support/repo.js';

// The shape `kubectl get deploy -A -o yaml` prints: one List, server-filled fields included.
const KUBECTL_LIST = `apiVersion: v1
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: api
    namespace: shop
    resourceVersion: "1234"
  spec:
    template:
      spec:
        containers:
        - image: example/api:1.0
          name: api
          readinessProbe:
            exec:
              command:
              - /bin/grpc_health_probe
              - -addr=:5000
            failureThreshold: 3
            periodSeconds: 10
            successThreshold: 1
            timeoutSeconds: 1
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: payments
    namespace: shop
  spec:
    template:
      spec:
        containers:
        - image: example/payments:1.0
          name: payments
          livenessProbe:
            exec:
              command:
              - /bin/grpc_health_probe
              - -addr=:7000
              - -tls
kind: List
metadata:
  resourceVersion: ""
`;

describe('standard input', () => {
  test('report mode reports on <stdin> and writes the report to stdout', async () => {
    const io = captureIo(repoWith(), { stdin: KUBECTL_LIST });
    expect(await main(['--format', 'json', '-'], io)).toBe(1);
    const report = JSON.parse(io.out());
    expect(report.findings.map((f: { file: string; line: number; status: string; blockers: string[] }) => [f.file, f.line, f.status, f.blockers])).toEqual([
      ['<stdin>', 15, 'migratable', []],
      ['<stdin>', 35, 'blocked', ['tls']],
    ]);
    expect(io.err()).toBe('');
  });

  test('--fix - writes the migrated stream to stdout and the report to stderr', async () => {
    const dir = repoWith();
    const io = captureIo(dir, { stdin: KUBECTL_LIST });
    expect(await main(['--fix', '-'], io)).toBe(0);
    const out = io.out();
    expect(out).toBe(KUBECTL_LIST.replace('exec:\n              command:\n              - /bin/grpc_health_probe\n              - -addr=:5000', 'grpc:\n              port: 5000'));
    const list = parseAllDocuments(out)[0]!.toJS();
    expect(list.items[0].spec.template.spec.containers[0].readinessProbe.grpc).toEqual({ port: 5000 });
    expect(io.err()).toMatch(/<stdin>:15:\d+ +migrated/);
    expect(io.err()).toMatch(/<stdin>:35:\d+ +blocked/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('--fix - with nothing to change echoes the stream unchanged', async () => {
    const text = 'apiVersion: v1\nkind: List\nitems: []\n';
    const io = captureIo(repoWith(), { stdin: text });
    expect(await main(['--fix', '-'], io)).toBe(0);
    expect(io.out()).toBe(text);
  });
});

/** POD with a Latin-1 byte (é as 0xe9) in a comment: not UTF-8. */
const LATIN1 = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\n' + POD)]);
const UTF16LE = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD, 'utf16le')]);
const UTF16BE = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(POD, 'utf16le').swap16()]);

describe('standard input as bytes: read as a file is', () => {
  const UTF16_HINT = /^Convert the file to UTF-8 \(e\.g\. iconv -f utf-16 -t utf-8; PowerShell 5 writes UTF-16 with `>`: use Out-File -Encoding utf8\), then run the tool again\./;
  // The UTF-16 error is where the file first names the binary (line 9 of POD), the Latin-1 one at
  // its first byte that is not UTF-8.
  test.each([
    ['Latin-1', LATIN1, 'not valid UTF-8; the file was left unchanged', 1, 6, /^Convert the file to UTF-8 \(e\.g\. iconv -f latin1 -t utf-8\)/],
    ['UTF-16LE (a PowerShell 5 pipe)', UTF16LE, 'encoded as UTF-16, not UTF-8; the file was left unchanged', 9, 25, UTF16_HINT],
    ['UTF-16BE', UTF16BE, 'encoded as UTF-16, not UTF-8; the file was left unchanged', 9, 25, UTF16_HINT],
  ])('%s is refused with the message, place and hint a file gets; --fix gives the bytes back unchanged, exit 2', async (_what, bytes, message, line, column, hint) => {
    const dir = repoWith({ 'k8s/pod.yaml': bytes });
    const asFile = await run({ cwd: dir, paths: ['k8s/pod.yaml'] });
    const said = (f: { status: string; message: string; line: number; column: number; hint?: string }) => [f.status, f.message, f.line, f.column, f.hint];
    expect(asFile.findings.map(said)).toEqual([['error', message, line, column, expect.stringMatching(hint)]]);

    const io = captureIo(dir, { stdin: bytes });
    expect(await main(['--fix', '--format', 'json', '-'], io)).toBe(2);
    expect(io.outBytes().equals(bytes)).toBe(true);
    const report = JSON.parse(io.err());
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(['<stdin>']);
    expect(report.findings.map(said)).toEqual(asFile.findings.map(said));

    const reportOnly = captureIo(dir, { stdin: bytes });
    expect(await main(['--format', 'json', '-'], reportOnly)).toBe(2);
    expect(JSON.parse(reportOnly.out()).summary.errors).toBe(1);
  });

  test('a stream that does not mention the binary is passed over as such a file is, and echoed byte for byte', async () => {
    for (const bytes of [Buffer.from([0xff, 0xfe, ...Buffer.from('kind: List\nitems: []\n', 'utf16le')]), Buffer.from('kind: List # caf\xe9\nitems: []\n', 'latin1')]) {
      const io = captureIo(repoWith(), { stdin: bytes });
      expect(await main(['--fix', '-'], io)).toBe(0);
      expect(io.outBytes().equals(bytes)).toBe(true);
    }
  });

  test('NUL bytes: skipped with the note a file gets, echoed unchanged', async () => {
    // Binary data: a NUL and another control byte (a NUL alone in text is the next test's).
    const bytes = Buffer.concat([Buffer.from(POD), Buffer.from([0, 1])]);
    const io = captureIo(repoWith(), { stdin: bytes });
    expect(await main(['--fix', '--format', 'json', '-'], io)).toBe(0);
    expect(io.outBytes().equals(bytes)).toBe(true);
    expect(JSON.parse(io.err()).summary.skipped).toEqual([{ file: '<stdin>', reason: 'binary file (NUL bytes)' }]);
  });

  test('text with a stray NUL byte that names the binary: an error where it does, as a file gets, echoed unchanged', async () => {
    const bytes = Buffer.concat([Buffer.from('# \0\n'), Buffer.from(POD)]);
    const io = captureIo(repoWith(), { stdin: bytes });
    expect(await main(['--fix', '--format', 'json', '-'], io)).toBe(2);
    expect(io.outBytes().equals(bytes)).toBe(true);
    const at = POD.indexOf('grpc_health_probe');
    expect(JSON.parse(io.err()).findings).toMatchObject([
      { file: '<stdin>', line: POD.slice(0, at).split('\n').length + 1, column: at - POD.lastIndexOf('\n', at), status: 'error', message: expect.stringMatching(/^holds a NUL byte/) },
    ]);
  });

  test('UTF-8 with a BOM and CRLF is migrated with both kept', async () => {
    const crlf = (s: string) => s.replace(/\n/g, '\r\n');
    const io = captureIo(repoWith(), { stdin: Buffer.from('\ufeff' + crlf(POD)) });
    expect(await main(['--fix', '-'], io)).toBe(0);
    expect(io.outBytes().equals(Buffer.from('\ufeff' + crlf(MIGRATED_POD)))).toBe(true);
  });

  test('the real standard input is read as bytes (bin/grpc-probe-migrate.js, from dist/)', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--fix', '-'], { cwd: repoWith(), input: LATIN1 });
    expect(r.status).toBe(2);
    expect(r.stdout.equals(LATIN1)).toBe(true);
    expect(r.stderr.toString()).toContain('<stdin>:1:6  error      not valid UTF-8; the file was left unchanged');
  });
});

// `kubectl get deploy -n shop -o json`: four-space indentation, one List.
const KUBECTL_JSON = `{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "api",
                "namespace": "shop"
            },
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "image": "example/api:1.0",
                                "name": "api",
                                "readinessProbe": {
                                    "exec": {
                                        "command": [
                                            "/bin/grpc_health_probe",
                                            "-addr=:5000"
                                        ]
                                    },
                                    "failureThreshold": 3,
                                    "periodSeconds": 10
                                }
                            }
                        ]
                    }
                }
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
`;

describe('JSON on standard input', () => {
  test('kubectl … -o json | --fix - is rewritten in JSON style, as a .json file is', async () => {
    const io = captureIo(repoWith(), { stdin: Buffer.from(KUBECTL_JSON) });
    expect(await main(['--fix', '--format', 'json', '-'], io)).toBe(0);
    const out = io.out();
    expect(out).toBe(
      KUBECTL_JSON.replace(
        `"exec": {
                                        "command": [
                                            "/bin/grpc_health_probe",
                                            "-addr=:5000"
                                        ]
                                    },`,
        `"grpc": {
                                        "port": 5000
                                    },`,
      ),
    );
    expect(JSON.parse(out).items[0].spec.template.spec.containers[0].readinessProbe).toEqual({ grpc: { port: 5000 }, failureThreshold: 3, periodSeconds: 10 });
    expect(JSON.parse(io.err()).findings.map((f: { ruleId: string; status: string }) => [f.ruleId, f.status])).toEqual([['kubernetes-json-probe', 'migrated']]);

    // A second --fix changes nothing.
    const again = captureIo(repoWith(), { stdin: Buffer.from(out) });
    expect(await main(['--fix', '-'], again)).toBe(0);
    expect(again.out()).toBe(out);
  });

  test('an inline probe in compact JSON stays compact JSON', async () => {
    const compact = '{"kind":"Pod","spec":{"containers":[{"name":"c","readinessProbe":{"exec":{"command":["/bin/grpc_health_probe","-addr=:5000"]},"periodSeconds":5}}]}}\n';
    const io = captureIo(repoWith(), { stdin: Buffer.from(compact) });
    expect(await main(['--fix', '-'], io)).toBe(0);
    expect(JSON.parse(io.out()).spec.containers[0].readinessProbe).toEqual({ grpc: { port: 5000 }, periodSeconds: 5 });
    expect(io.out()).not.toMatch(/[{,]grpc:/);
  });

  test('YAML that starts with { but is not JSON (a flow mapping) stays YAML', async () => {
    const flow = '{kind: Pod, spec: {containers: [{name: c, readinessProbe: {exec: {command: [grpc_health_probe, "-addr=:5000"]}}}]}}\n';
    const io = captureIo(repoWith(), { stdin: Buffer.from(flow) });
    expect(await main(['--fix', '-'], io)).toBe(0);
    expect(io.out()).toBe('{kind: Pod, spec: {containers: [{name: c, readinessProbe: {grpc: {port: 5000}}}]}}\n');
    expect(io.err()).toContain('kubernetes-exec-probe');
  });
});

/** `-` reads a YAML stream, e.g. `kubectl get deploy -A -o yaml | grpc-probe-migrate -`. */
import fs from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

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

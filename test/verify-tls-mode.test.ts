/** verify and grpc.mode: TLS (KEP-4939): TLS without verifying the server, as the kubelet does. */
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { checkProbe } from '../src/verify/index.js';
import { probeTargets } from '../src/verify/targets.js';
import { selfSignedCert, startHealthServer, withServer } from './support/grpc-servers.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

const base = { host: '127.0.0.1', timeoutMs: 10_000, userAgent: 'kube-probe/1.33' };

test('a TLS-only server with a self-signed certificate passes a mode: TLS probe, and fails a plaintext one', async () => {
  await withServer(startHealthServer({ '': 'SERVING' }, { tls: await selfSignedCert() }), async (server) => {
    expect(await checkProbe({ ...base, port: server.port, service: '', tls: true })).toMatchObject({ verdict: 'SERVING', passes: true });
    expect(await checkProbe({ ...base, timeoutMs: 2000, port: server.port, service: '' })).toMatchObject({ verdict: 'TLS_ONLY', passes: false });
  });
});

test('grpc.mode is read from manifests; an unknown mode makes the probe INVALID', () => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    readinessProbe:
      grpc: {port: 8443, mode: TLS}
    livenessProbe:
      grpc: {port: 8443, mode: mTLS}
`;
  const { targets } = probeTargets('pod.yaml', text, new Map());
  expect(targets.map((t) => [t.probe, t.tls ?? false, t.error ?? ''])).toEqual([
    ['readinessProbe', true, ''],
    ['livenessProbe', false, expect.stringContaining('grpc.mode "mTLS"')],
  ]);
});

test('verify --host on a manifest with mode: TLS exits 0 against a TLS-only server', async () => {
  await withServer(startHealthServer({ '': 'SERVING' }, { tls: await selfSignedCert() }), async (server) => {
    const dir = repoWith({
      'pod.yaml': `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    readinessProbe:
      grpc: {port: ${server.port}, mode: TLS}
      timeoutSeconds: 10
`,
    });
    const io = captureIo(dir);
    expect(await main(['verify', '--host', '127.0.0.1', 'pod.yaml'], io)).toBe(0);
    expect(io.out()).toContain('SERVING');
  });
});

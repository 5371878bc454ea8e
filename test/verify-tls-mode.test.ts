/** verify and grpc.mode: TLS (KEP-4939): TLS without verifying the server, as the kubelet does. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { checkProbe } from '../src/verify/index.js';
import { probeTargets } from '../src/verify/targets.js';
import { selfSignedCert, startHealthServer, withServer } from './support/grpc-servers.js';
import { captureIo } from './support/io.js';
import { repoWith, ROOT } from './support/repo.js';

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

test('a mode: TLS probe is judged as a TLS client: a plaintext gRPC port is the mismatch, a TLS port without gRPC is NOT_GRPC, never TLS_ONLY (hunt17 A2)', async () => {
  await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
    const plain = await checkProbe({ ...base, timeoutMs: 2000, port: server.port, service: '', tls: true });
    expect(plain).toMatchObject({ verdict: 'NOT_GRPC', passes: false, message: expect.stringContaining('no TLS gRPC connection within 2s: the port speaks plaintext HTTP/2') });
    expect(plain.fix).toContain('drop mode: TLS');
  });
  // A TLS server that speaks no HTTP/2: it completes the handshake and closes.
  const { cert, key } = await selfSignedCert();
  const server = tls.createServer({ cert, key }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as net.AddressInfo).port;
    const result = await checkProbe({ ...base, timeoutMs: 2000, port, service: '', tls: true });
    expect(result).toMatchObject({ verdict: 'NOT_GRPC', passes: false, message: expect.stringContaining('the port speaks TLS') });
    expect(result.cause).not.toContain('plaintext');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('verify of a mode: TLS probe at an IP prints no Node warning on stderr (hunt17 A3)', async () => {
  await withServer(startHealthServer({ '': 'SERVING' }, { tls: await selfSignedCert() }), async (server) => {
    const dir = repoWith({ 'pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    readinessProbe:\n      grpc: {port: ${server.port}, mode: TLS}\n      timeoutSeconds: 10\n` });
    // A process of its own: the warning is Node's, printed once a process. Another deprecation
    // warning, emitted once the check is done, still prints (review21 R11: only DEP0123 is dropped).
    const preload = path.join(dir, 'later-warning.cjs');
    fs.writeFileSync(preload, "process.once('beforeExit', () => process.emitWarning('still printed', 'DeprecationWarning', 'DEP0999'));\n");
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--require', preload, path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), 'verify', '--host', '127.0.0.1', 'pod.yaml'], { cwd: dir });
    expect(stdout).toContain('SERVING');
    expect(stderr).not.toContain('DEP0123');
    expect(stderr).toContain('[DEP0999] DeprecationWarning: still printed');
  });
});


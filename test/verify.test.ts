/**
 * `verify` against real servers on 127.0.0.1 (ports chosen by the OS). Timeouts are small so
 * the failure cases stay quick; every server is closed in `finally`.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { describe, expect, jest, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { checkProbe } from '../src/verify/index.js';
import { classify } from '../src/verify/diagnose.js';
import { captureIo } from './support/io.js';
import { pod, POD, repoWith } from './support/repo.js';
import {
  closedPort,
  selfSignedCert,
  startHealthServer,
  startHttp1Server,
  startRawAnswerServer,
  startServerWithoutHealth,
  startSilentServer,
  withServer,
} from './support/grpc-servers.js';

// Real sockets and deadlines: jest's 5 s default is too tight for a loaded CI machine.
jest.setTimeout(30_000);

const HOST = '127.0.0.1';
// Checks that should get an answer have a deadline that a loaded CI machine cannot miss; checks
// that must wait out the deadline have a short one. A diagnosis step ends as soon as the peer
// answers, so its bound only costs time against a silent port.
const OK = { host: HOST, timeoutMs: 5000, userAgent: 'kube-probe/1.27', diagnoseStepMs: 3000 };
const FAST = { ...OK, timeoutMs: 400 };

describe('checkProbe: the kubelet check against live servers', () => {
  test('SERVING passes', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      const v = await checkProbe({ ...OK, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'SERVING', passes: true });
    });
  });

  test('switched to NOT_SERVING and back, like agnhost grpc-health-checking', async () => {
    await withServer(startHealthServer({ 'hipstershop.CartService': 'SERVING' }), async (server) => {
      const check = () => checkProbe({ ...OK, port: server.port, service: 'hipstershop.CartService' });
      expect((await check()).verdict).toBe('SERVING');
      server.setStatus('hipstershop.CartService', 'NOT_SERVING');
      const down = await check();
      expect(down).toMatchObject({ verdict: 'NOT_SERVING', passes: false });
      expect(down.cause).toContain('not serving');
      expect(down.fix).toBeTruthy();
      server.setStatus('hipstershop.CartService', 'SERVING');
      expect((await check()).verdict).toBe('SERVING');
    });
  });

  test('an HTTP/2 web server answering 404 (no gRPC status) is NOT_GRPC, not UNIMPLEMENTED (hunt18 V1)', async () => {
    const server = http2.createServer((_req, res) => {
      res.statusCode = 404;
      res.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    try {
      const v = await checkProbe({ ...OK, port: (server.address() as AddressInfo).port, service: '' });
      expect(v).toMatchObject({ verdict: 'NOT_GRPC', passes: false, message: expect.stringContaining('answered HTTP 404 with no gRPC status') });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('an UNKNOWN status fails', async () => {
    await withServer(startHealthServer({ '': 'UNKNOWN' }), async (server) => {
      expect(await checkProbe({ ...OK, port: server.port, service: '' })).toMatchObject({ verdict: 'UNKNOWN', passes: false });
    });
  });

  test('a service the health server does not know is SERVICE_UNKNOWN', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      const v = await checkProbe({ ...OK, port: server.port, service: 'no.such.Service' });
      expect(v).toMatchObject({ verdict: 'SERVICE_UNKNOWN', passes: false });
      expect(v.fix).toContain('grpc.service');
    });
  });

  test('a gRPC server without the health service is UNIMPLEMENTED', async () => {
    await withServer(startServerWithoutHealth(), async (server) => {
      const v = await checkProbe({ ...OK, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'UNIMPLEMENTED', passes: false });
      expect(v.fix).toContain('health');
    });
  });

  test('a TLS-only gRPC server is recognised from the handshake', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }, { tls: await selfSignedCert() }), async (server) => {
      const v = await checkProbe({ ...FAST, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'TLS_ONLY', passes: false });
      expect(v.message).toContain('TLS handshake completed');
      expect(v.fix).toContain('plaintext port');
    });
  });

  test('a Check slower than the timeout is TIMEOUT, though the server would say SERVING', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }, { checkDelayMs: 2500 }), async (server) => {
      // 1 s, the kubelet's default: ample for the connection, short of the handler's delay.
      const v = await checkProbe({ ...OK, timeoutMs: 1000, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'TIMEOUT', passes: false });
      expect(v.message).toContain('health RPC did not complete');
      expect(v.fix).toContain('timeoutSeconds');
      // The same server within a deadline that covers the delay: proves the deadline decided it.
      expect((await checkProbe({ ...OK, port: server.port, service: '' })).verdict).toBe('SERVING');
    });
  });

  test('a port that accepts TCP but never answers is TIMEOUT', async () => {
    await withServer(startSilentServer(), async (server) => {
      const v = await checkProbe({ ...FAST, diagnoseStepMs: 400, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'TIMEOUT', passes: false });
      expect(v.message).toContain('accepts TCP connections but answered neither');
    });
  });

  test('a server that answers plaintext with a TLS alert record is TLS_ONLY', async () => {
    await withServer(startRawAnswerServer(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])), async (server) => {
      const v = await checkProbe({ ...FAST, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'TLS_ONLY', passes: false });
      expect(v.message).toContain('answered plaintext with a TLS alert record');
    });
  });

  test('a plaintext HTTP/2 server too slow to send its SETTINGS is TIMEOUT, and said to be slow', async () => {
    await withServer(startRawAnswerServer(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]), 800), async (server) => {
      const v = await checkProbe({ ...FAST, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'TIMEOUT', passes: false });
      expect(v.message).toContain('does speak plaintext HTTP/2');
    });
  });

  test('an HTTP/1 server is NOT_GRPC', async () => {
    await withServer(startHttp1Server(), async (server) => {
      const v = await checkProbe({ ...FAST, port: server.port, service: '' });
      expect(v).toMatchObject({ verdict: 'NOT_GRPC', passes: false });
      expect(v.message).toContain('HTTP/1.1');
    });
  });

  test('a closed port is UNREACHABLE (connection refused)', async () => {
    const v = await checkProbe({ ...FAST, port: await closedPort(), service: '' });
    expect(v).toMatchObject({ verdict: 'UNREACHABLE', passes: false });
    expect(v.message).toContain('connection refused');
    expect(v.fix).toContain('0.0.0.0');
  });

  test('the server sees the kubelet user agent kube-probe/X.Y', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      await checkProbe({ ...OK, userAgent: 'kube-probe/1.30', port: server.port, service: '' });
      expect(server.userAgents).toHaveLength(1);
      // grpc appends its own token after, as grpc-go does after the kubelet's.
      expect(server.userAgents[0]).toMatch(/^kube-probe\/1\.30( |$)/);
    });
  });
});

describe('first bytes of a plaintext HTTP/2 attempt', () => {
  test('a TLS alert record (15 03 xx) is TLS', () => {
    expect(classify(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]), true)).toMatchObject({ kind: 'tls' });
  });
  test('a TLS handshake record (16 03 xx) is TLS', () => {
    expect(classify(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x10]))).toMatchObject({ kind: 'tls' });
  });
  test('a SETTINGS frame is plaintext HTTP/2', () => {
    expect(classify(Buffer.from([0, 0, 6, 4, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]))).toEqual({ kind: 'h2c' });
  });
  test('too few bytes to tell waits for more', () => {
    expect(classify(Buffer.from([0x15]))).toBeUndefined();
  });
});

const deployment = (probes: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: cart}
spec:
  template:
    spec:
      containers:
      - name: server
        image: cart:1
${probes}`;

// Probes that should pass carry timeoutSeconds: 10 so that a loaded machine cannot miss the
// deadline; the kubelet's 1 s default is covered by the failure cases and by probeTargets.
describe('verify subcommand', () => {
  test('every probe SERVING exits 0; --port-map points a probe port at a forwarded port', async () => {
    await withServer(startHealthServer({ '': 'SERVING', 'hipstershop.CartService': 'SERVING' }), async (server) => {
      const dir = repoWith({
        'k8s/cart.yaml': deployment(`        readinessProbe:
          grpc: {port: 7070, service: hipstershop.CartService}
          timeoutSeconds: 10
        livenessProbe:
          grpc:
            port: 7070
          timeoutSeconds: 10
`),
      });
      const io = captureIo(dir);
      const code = await main(['verify', '--host', HOST, '--port-map', `7070=${server.port}`, 'k8s'], io);
      expect(io.err()).toBe('');
      expect(code).toBe(0);
      expect(io.out()).toContain(`k8s/cart.yaml:10:9 readinessProbe of container "server" → ${HOST}:${server.port} service "hipstershop.CartService", timeout 10s`);
      expect(io.out()).toContain('SERVING (would pass)');
      expect(io.out()).toContain('2 probes: 2 would pass, 0 would fail');
      expect(io.out()).toContain('note: through kubectl port-forward the connection reaches the pod on its loopback interface');
      expect(server.userAgents.every((ua) => ua.startsWith('kube-probe/1.27 '))).toBe(true);
    });
  });

  test('a failing probe exits 1 with cause and fix; JSON carries the verdict of each probe', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      const dir = repoWith({
        'pod.yaml': pod(`    readinessProbe:
      grpc: {port: ${server.port}}
      timeoutSeconds: 10
    livenessProbe:
      grpc: {port: ${server.port}, service: missing}
      timeoutSeconds: 10
`),
      });
      const text = captureIo(dir);
      expect(await main(['verify', '--host', HOST, 'pod.yaml'], text)).toBe(1);
      expect(text.out()).toContain('SERVICE_UNKNOWN (would fail)');
      expect(text.out()).toMatch(/cause: .*service/);
      expect(text.out()).toMatch(/fix: {3}set grpc.service/);

      const old = captureIo(dir);
      await main(['verify', '--host', HOST, '--kube-version', '1.23', 'pod.yaml'], old);
      expect(old.err()).toContain('warning: a 1.23 kubelet runs no native gRPC probe by default');

      const json = captureIo(dir);
      expect(await main(['verify', '--host', HOST, '--format', 'json', '--kube-version', '1.29', 'pod.yaml'], json)).toBe(1);
      const report = JSON.parse(json.out());
      expect(report).toMatchObject({ version: 1, host: HOST, userAgent: 'kube-probe/1.29', notes: [], summary: { probes: 2, pass: 1, fail: 1, invalid: 0 } });
      expect(report.probes[0]).toMatchObject({ file: 'pod.yaml', line: 7, probe: 'readinessProbe', container: 'c', port: server.port, service: '', timeoutSeconds: 10, verdict: 'SERVING', passes: true });
      expect(report.probes[1]).toMatchObject({ probe: 'livenessProbe', service: 'missing', verdict: 'SERVICE_UNKNOWN', passes: false });
      expect(report.probes[1].fix).toBeTruthy();
    });
  });

  test('a closed port through the CLI: UNREACHABLE, exit 1; a --port-map that matches no probe is a warning', async () => {
    const port = await closedPort();
    const dir = repoWith({ 'pod.yaml': deployment(`        readinessProbe:\n          grpc: {port: ${port}}\n`) });
    const io = captureIo(dir);
    expect(await main(['verify', '--host', HOST, '--port-map', '1=2', 'pod.yaml'], io)).toBe(1);
    expect(io.out()).toContain('UNREACHABLE (would fail): connection refused');
    expect(io.err()).toContain('warning: --port-map 1=2 matches no probe port');
  });

  test('a Helm template: the port comes from --set; a missing value is a per-probe error (exit 2)', async () => {
    await withServer(startHealthServer({ '': 'SERVING', api: 'SERVING' }), async (server) => {
      const dir = repoWith({
        'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  template:
    spec:
      containers:
      - name: api
        {{- if .Values.probes.enabled }}
        readinessProbe:
          grpc:
            port: {{ .Values.grpc.port }}
            service: "{{ .Values.grpc.service | default "api" }}"
          timeoutSeconds: {{ .Values.probeTimeout }}
        {{- end }}
        livenessProbe:
          grpc:
            port: {{ .Values.health.port | int }}
          timeoutSeconds: {{ .Values.probeTimeout }}
`,
      });
      const partial = captureIo(dir);
      expect(await main(['verify', '--host', HOST, '--set', `grpc.port=${server.port}`, '--set', 'probeTimeout=10', 'chart'], partial)).toBe(2);
      expect(partial.out()).toContain('SERVING (would pass)');
      expect(partial.out()).toContain('chart/templates/deployment.yaml:17:9 livenessProbe of container "api"');
      expect(partial.out()).toContain('INVALID (not checked): grpc.port: {{ .Values.health.port | int }} needs a value: pass --set health.port=...');
      expect(partial.out()).toContain('2 probes: 1 would pass, 0 would fail, 1 could not be checked');

      const full = captureIo(dir);
      expect(await main(['verify', '--host', HOST, '--set', `grpc.port=${server.port},health.port=${server.port},probeTimeout=10`, 'chart'], full)).toBe(0);
    });
  });

  test('rendered manifests from standard input', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      const io = captureIo(os.tmpdir(), { stdin: `---\nkind: List\nitems:\n- ${deployment(`        readinessProbe: {grpc: {port: ${server.port}}, timeoutSeconds: 10}\n`).split('\n').join('\n  ')}` });
      expect(await main(['verify', '--host', HOST, '-'], io)).toBe(0);
      expect(io.out()).toContain('<stdin>:');
    });
  });

  test('a template expression the tool cannot evaluate is a clear per-probe error', async () => {
    const dir = repoWith({ 't.yaml': deployment(`        readinessProbe:\n          grpc:\n            port: {{ add .Values.base 1 }}\n`) });
    const io = captureIo(dir);
    expect(await main(['verify', '--host', HOST, 't.yaml'], io)).toBe(2);
    expect(io.out()).toContain('INVALID');
    expect(io.out()).toContain('cannot evaluate {{ add .Values.base 1 }}');
    expect(io.out()).toContain('helm template');
  });

  test('a named port cannot be a native gRPC probe', async () => {
    const dir = repoWith({ 'p.yaml': deployment(`        readinessProbe:\n          grpc: {port: grpc}\n`) });
    const io = captureIo(dir);
    expect(await main(['verify', '--host', HOST, 'p.yaml'], io)).toBe(2);
    expect(io.out()).toContain('grpc.port "grpc" is not a port number');
  });

  test('usage errors exit 2', async () => {
    const dir = repoWith({ 'p.yaml': deployment(`        readinessProbe:\n          grpc: {port: 5000}\n`) });
    const cases: [string[], string][] = [
      [['verify', 'p.yaml'], '--host is required'],
      [['verify', '--host', '127.0.0.1:8080', 'p.yaml'], '--host "127.0.0.1:8080" is not a host name or IP address: the port comes from each probe'],
      [['verify', '--host', 'http://10.0.3.17', 'p.yaml'], 'is not a host name or IP address'],
      [['verify', '--host', '[::1]:8080', 'p.yaml'], 'is not a host name or IP address'],
      [['verify', '--host', HOST, '--port-map', '5000:15000', 'p.yaml'], 'is not PORT=LOCAL'],
      [['verify', '--host', HOST, '--port-map', '5000=70000', 'p.yaml'], 'is not PORT=LOCAL'],
      [['verify', '--host', HOST, '--format', 'sarif', 'p.yaml'], 'unknown --format'],
      [['verify', '--host', HOST, '--kube-version', 'latest', 'p.yaml'], 'is not a Kubernetes version'],
      [['verify', '--host', HOST, '--set', 'novalue', 'p.yaml'], 'is not KEY=VALUE'],
      [['verify', '--host', HOST, '--bogus'], 'Unknown option'],
    ];
    for (const [argv, message] of cases) {
      const io = captureIo(dir);
      expect(await main(argv, io)).toBe(2);
      expect(io.err()).toContain(message);
    }
  });

  test('no native gRPC probe in the paths exits 2 and says so', async () => {
    const dir = repoWith({ 'p.yaml': 'kind: ConfigMap\ndata: {grpc: "x"}\n' });
    const io = captureIo(dir);
    expect(await main(['verify', '--host', HOST, '.'], io)).toBe(2);
    expect(io.err()).toContain('no native gRPC probe (grpc: {port}) found in .');
    // Run before --fix, the manifests hold exec probes: say where native probes come from.
    const exec = captureIo(repoWith({ 'p.yaml': POD }));
    expect(await main(['verify', '--host', HOST, '.'], exec)).toBe(2);
    expect(exec.err()).toContain('verify checks the probes grpc-probe-migrate --fix writes, so run it on the migrated manifests (or after --fix)');
  });

  test('--help documents every option', async () => {
    const io = captureIo(os.tmpdir());
    expect(await main(['verify', '--help'], io)).toBe(0);
    for (const o of ['--host', '--port-map', '--set', '--kube-version', '--format']) expect(io.out()).toContain(o);
    const top = captureIo(os.tmpdir());
    await main(['--help'], top);
    expect(top.out()).toContain('verify --host HOST');
  });
});

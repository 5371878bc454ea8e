/** src/analysis/loopback-listen.ts: which loopback addresses of a container block, and how they are quoted (review21 R3–R5). */
import { expect, test } from '@jest/globals';
import { isLoopbackHost, loopbackItems, namesListen } from '../src/analysis/loopback-listen.js';

test.each([
  ['--listen', true],
  ['--grpc-addr', true],
  ['GRPC_LISTEN_ADDR', true],
  ['--bind', true],
  // Names a client uses for the server it calls as often as a server for its own: a note only.
  ['--server', false],
  ['GRPC_HOST', false],
  ['GRPC_SERVER_ADDRESS', false],
  ['--upstream', false],
  ['--addr', false],
])('namesListen(%s) is %s', (name, listen) => {
  expect(namesListen(name)).toBe(listen);
});

test('a whole sh -c script is quoted by the word holding the address, not whole (other lines may hold secrets)', () => {
  const script = 'export DB_PASSWORD=s3cr3t-value\nexec /app/server --listen=127.0.0.1:50051\n';
  expect(loopbackItems([{ key: 'command', items: ['sh', '-c', script] }], [], 50051)).toEqual({ what: 'command item containing "--listen=127.0.0.1:50051"', listen: true });
  expect(loopbackItems([{ key: 'args', items: ['--bind 127.0.0.1:50051 --token=t0k3n'] }], [], 50051)).toEqual({ what: 'args item containing "--bind 127.0.0.1:50051"', listen: true });
  expect(loopbackItems([], [{ name: 'OPTS', value: 'A=secret --listen=localhost:50051' }], 50051)).toEqual({ what: 'env OPTS value containing "--listen=localhost:50051"', listen: true });
  // An item that is the address alone, or a short flag with it, is quoted whole.
  expect(loopbackItems([{ key: 'args', items: ['--grpc-addr=127.0.0.1:50051'] }], [], 50051)).toEqual({ what: 'args item "--grpc-addr=127.0.0.1:50051"', listen: true });
});

test('a 100 KB item is read in linear time (not a speed target: a guard against quadratic backtracking)', () => {
  const item = `${'a'.repeat(100_000)} --listen=127.0.0.1:50051`;
  const started = Date.now();
  expect(loopbackItems([{ key: 'args', items: [item] }], [], 50051)?.listen).toBe(true);
  expect(Date.now() - started).toBeLessThan(5000);
});

test.each([
  [['--bind', '127.0.0.1', '--port', '50051'], [], 'settings "--bind 127.0.0.1" and "--port 50051"'],
  [['--bind-address=127.0.0.1', '--grpc-port=50051'], [], 'settings "--bind-address=127.0.0.1" and "--grpc-port=50051"'],
  [['exec /app/server --listen-host localhost --grpc-port 50051'], [], 'settings "--listen-host localhost" and "--grpc-port 50051"'],
  [[], [{ name: 'BIND_ADDRESS', value: '127.0.0.1' }, { name: 'GRPC_PORT', value: '50051' }], 'settings "BIND_ADDRESS=127.0.0.1" and "GRPC_PORT=50051"'],
])('a loopback listen host and the probe port given apart block too (hunt18 L2): %j %j', (args, env, what) => {
  expect(loopbackItems([{ key: 'args', items: args }], env, 50051)).toEqual({ what, listen: true, plural: true });
});

test.each([
  // All interfaces, another port, a client's host, another listener's host, HOST (a client's as often).
  [['--bind', '0.0.0.0', '--port', '50051']],
  [['--bind', '127.0.0.1', '--port', '8080']],
  [['--upstream-host', '127.0.0.1', '--port', '50051']],
  [['--metrics-bind-address=127.0.0.1', '--port=50051']],
  [['--host', '127.0.0.1', '--port', '50051']],
])('no split listen address in %j', (args) => {
  expect(loopbackItems([{ key: 'args', items: args }], [], 50051)).toBeUndefined();
});

test('another container of the pod listening on loopback at the probe port blocks host (hunt18 L3); one that only names it does not', async () => {
  const { run } = await import('../src/engine.js');
  const { repoWith } = await import('./support/repo.js');
  const manifest = (engineArgs: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    readinessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=localhost:50051"]
  - name: engine
    args: [${engineArgs}]
`;
  const blocked = await run({ cwd: repoWith({ 'pod.yaml': manifest('"--listen=127.0.0.1:50051"') }), paths: ['.'] });
  expect(blocked.findings).toMatchObject([{ status: 'blocked', blockers: ['host'], message: expect.stringContaining('the args item "--listen=127.0.0.1:50051" of container "engine" of the same pod (its containers share one network) binds the server to loopback') }]);
  const client = await run({ cwd: repoWith({ 'pod.yaml': manifest('"--upstream=127.0.0.1:50051"') }), paths: ['.'] });
  expect(client.findings).toMatchObject([{ status: 'migratable' }]);
  // An init container has exited before the app starts, unless it is a sidecar (review23 R4).
  const init = (policy: string) => manifest('"--other"').replace('  - name: engine\n', `  initContainers:\n  - name: setup\n    ${policy}args: ["--listen=127.0.0.1:50051"]\n  - name: engine\n`);
  expect((await run({ cwd: repoWith({ 'pod.yaml': init('') }), paths: ['.'] })).findings).toMatchObject([{ status: 'migratable' }]);
  expect((await run({ cwd: repoWith({ 'pod.yaml': init('restartPolicy: Always\n    ') }), paths: ['.'] })).findings).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
});

test('in a Helm template, a listen flag printing the same values action as the probe port blocks host (hunt19 B2)', async () => {
  const { run } = await import('../src/engine.js');
  const { repoWith } = await import('./support/repo.js');
  const template = (listen: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    args: ["${listen}"]
    readinessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.grpcPort }}"]
`;
  const chart = (listen: string) => repoWith({ 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'chart/values.yaml': 'grpcPort: 9000\n', 'chart/templates/pod.yaml': template(listen) });
  const blocked = await run({ cwd: chart('--listen=127.0.0.1:{{ .Values.grpcPort }}'), paths: ['.'] });
  expect(blocked.findings).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
  // The same action in other spacing and trim markers (review23 R5).
  for (const listen of ['--listen=127.0.0.1:{{.Values.grpcPort}}', '--listen=127.0.0.1:{{- .Values.grpcPort -}}']) {
    expect([listen, (await run({ cwd: chart(listen), paths: ['.'] })).findings]).toMatchObject([listen, [{ status: 'blocked', blockers: ['host'] }]]);
  }
  const open = await run({ cwd: chart('--listen=0.0.0.0:{{ .Values.grpcPort }}'), paths: ['.'] });
  expect(open.findings).toMatchObject([{ status: 'migratable' }]);
});

test.each([
  ['127.0.0.1', true],
  ['127.0.0.2', true],
  ['127.255.255.254', true],
  ['LOCALHOST', true],
  ['Localhost', true],
  ['::1', true],
  ['[::1]', true],
  ['[0:0:0:0:0:0:0:1]', true],
  ['[0000::0001]', true],
  ['::ffff:127.0.0.1', true],
  ['128.0.0.1', false],
  ['0.0.0.0', false],
  ['[::]', false],
  ['[::2]', false],
  ['localhost.example.com', false],
  ['mylocalhost', false],
])('isLoopbackHost(%s) is %s (hunt20 L2)', (host, loopback) => {
  expect(isLoopbackHost(host)).toBe(loopback);
});

test.each([
  ['--grpc-listen=127.0.0.2:50051', '--grpc-listen=127.0.0.2:50051'],
  ['--grpc-listen=LOCALHOST:50051', '--grpc-listen=LOCALHOST:50051'],
  ['--grpc-listen=[0:0:0:0:0:0:0:1]:50051', '--grpc-listen=[0:0:0:0:0:0:0:1]:50051'],
  ['--listen=0.0.0.0:8080,127.0.0.1:50051', '--listen=0.0.0.0:8080,127.0.0.1:50051'],
  ['--listen=tcp:127.0.0.1:50051', '--listen=tcp:127.0.0.1:50051'],
  ['--listen=tcp://0.0.0.0:8080,tcp://127.0.0.1:50051', '--listen=tcp://0.0.0.0:8080,tcp://127.0.0.1:50051'],
])('loopback spelled %s blocks (hunt20 L2)', (arg, word) => {
  expect(loopbackItems([{ key: 'args', items: [arg] }], [], 50051)).toEqual({ what: `args item ${JSON.stringify(word)}`, listen: true });
});

test.each([
  // The same port on all addresses too: the server is not on loopback alone.
  ['--listen=127.0.0.1:50051,:50051'],
  ['--listen=127.0.0.1:50051,0.0.0.0:50051'],
  ['--listen=127.0.0.1:8080,0.0.0.0:50051'],
  ['--grpc-listen=128.0.0.1:50051'],
  ['--grpc-listen=localhost.example.com:50051'],
  ['--listen=udp:127.0.0.1:50051'],
])('no loopback listen address in %s (hunt20 L2)', (arg) => {
  expect(loopbackItems([{ key: 'args', items: [arg] }], [], 50051)).toBeUndefined();
});

test('a loopback host named an address, given apart from the port, gets the note the joined form gets (hunt20 L2)', () => {
  expect(loopbackItems([{ key: 'args', items: ['--address=127.0.0.1:50051'] }], [], 50051)).toEqual({ what: 'args item "--address=127.0.0.1:50051"', listen: false });
  expect(loopbackItems([{ key: 'args', items: ['--address=127.0.0.1', '--port=50051'] }], [], 50051)).toEqual({ what: 'settings "--address=127.0.0.1" and "--port=50051"', listen: false, plural: true });
  expect(loopbackItems([{ key: 'args', items: ['--ip', '::1', '--port', '50051'] }], [], 50051)).toEqual({ what: 'settings "--ip ::1" and "--port 50051"', listen: false, plural: true });
});

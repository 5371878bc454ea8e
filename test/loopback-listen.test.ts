/** src/analysis/loopback-listen.ts: which loopback addresses of a container block, and how they are quoted (review21 R3–R5). */
import { describe, expect, test } from '@jest/globals';
import { loopbackItems, namesListen } from '../src/analysis/loopback-listen.js';

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

describe('in a Helm template, a listen address and a probe port are compared as the chart\'s values render them', () => {
  const template = (args: string, addr: string, around: [string, string] = ['', '']) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  ${around[0]}- name: app
    args: [${args}]
    readinessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=${addr}"]
  ${around[1]}`;
  const findings = async (args: string, addr: string, values: Record<string, string>, around?: [string, string]) => {
    const { run } = await import('../src/engine.js');
    const { repoWith } = await import('./support/repo.js');
    const files: Record<string, string> = { 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'chart/templates/pod.yaml': template(args, addr, around) };
    for (const [name, text] of Object.entries(values)) files[`chart/${name}`] = text;
    return (await run({ cwd: repoWith(files), paths: ['.'] })).findings;
  };

  test('a literal port on one side and a values action on the other (hunt19 B2)', async () => {
    const values = { 'values.yaml': 'grpcPort: 9000\n' };
    expect(await findings('"--listen=127.0.0.1:9000"', ':{{ .Values.grpcPort }}', values)).toMatchObject([
      { status: 'blocked', blockers: ['host'], message: expect.stringContaining('the container\'s own args item "--listen=127.0.0.1:9000" (as the chart\'s values render it: {{ .Values.grpcPort }} is 9000) binds the server to loopback') },
    ]);
    expect(await findings('"--listen=127.0.0.1:{{ .Values.grpcPort }}"', ':9000', values)).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
    // Another port, or all addresses: nothing to say.
    expect(await findings('"--listen=127.0.0.1:9001"', ':{{ .Values.grpcPort }}', values)).toMatchObject([{ status: 'migratable', message: expect.not.stringContaining('loopback') }]);
    expect(await findings('"--listen=0.0.0.0:{{ .Values.grpcPort }}"', ':9000', values)).toMatchObject([{ status: 'migratable', message: expect.not.stringContaining('loopback') }]);
    // A values file that gives the listen port another value: some installs listen elsewhere, a note.
    const other = { ...values, 'values-prod.yaml': 'grpcPort: 9001\n' };
    expect(await findings('"--listen=127.0.0.1:{{ .Values.grpcPort }}"', ':9000', other)).toMatchObject([
      { status: 'migratable', message: expect.stringContaining('{{ .Values.grpcPort }} is 9000 in some of them) names loopback on the probe\'s port') },
    ]);
  });

  test('a listen address a values action prints (hunt18 L4)', async () => {
    expect(await findings('"--grpc-listen={{ .Values.listen }}"', ':5000', { 'values.yaml': 'listen: "127.0.0.1:5000"\n' })).toMatchObject([
      { status: 'blocked', blockers: ['host'], message: expect.stringContaining('args item "--grpc-listen=127.0.0.1:5000" (as the chart\'s values render it: {{ .Values.listen }} is "127.0.0.1:5000") binds the server to loopback') },
    ]);
    expect(await findings('"--grpc-listen={{ .Values.bind }}:5000"', ':5000', { 'values.yaml': 'bind: 127.0.0.1\n' })).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
    // A default nothing overrides is what renders; the flag's name is read past it.
    expect(await findings('\'--grpc-listen={{ .Values.listen | default "127.0.0.1:5000" }}\'', ':5000', { 'values.yaml': 'other: 1\n' })).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
    // Under a with of the values, the dot's path.
    expect(await findings('"--grpc-listen={{ .listen }}"', ':5000', { 'values.yaml': 'grpc:\n  listen: "localhost:5000"\n' }, ['{{- with .Values.grpc }}\n  ', '{{- end }}\n'])).toMatchObject([{ status: 'blocked', blockers: ['host'] }]);
    // All addresses; loopback in one values file of two (a note); set by a script's --set (unknown: as before).
    expect(await findings('"--grpc-listen={{ .Values.listen }}"', ':5000', { 'values.yaml': 'listen: "0.0.0.0:5000"\n' })).toMatchObject([{ status: 'migratable', message: expect.not.stringContaining('loopback') }]);
    expect(await findings('"--grpc-listen={{ .Values.listen }}"', ':5000', { 'values.yaml': 'listen: "0.0.0.0:5000"\n', 'values-dev.yaml': 'listen: "127.0.0.1:5000"\n' })).toMatchObject([
      { status: 'migratable', message: expect.stringContaining('{{ .Values.listen }} is "127.0.0.1:5000" in some of them) names loopback on the probe\'s port') },
    ]);
  });
  test('a 100 KB item is rendered in linear time (not a speed target: a guard against quadratic backtracking)', async () => {
    const { renderActions } = await import('../src/helm/listen-values.js');
    const settings = (p: string) => (p === 'listen' ? ['127.0.0.1:5000'] : ['a']);
    const started = Date.now();
    const many = `${'{{ .Values.other }} '.repeat(5000)}--grpc-listen={{ .Values.listen }}`;
    expect(renderActions(many, '', settings)?.text.endsWith('a --grpc-listen=127.0.0.1:5000')).toBe(true);
    // Unclosed actions, blanks inside one, a long pipeline that ends in another function: nothing rendered.
    expect(renderActions(`${'{{ x'.repeat(25_000)}`, '', settings)).toBeUndefined();
    expect(renderActions(`{{${' '.repeat(100_000)}.Values.other x}}`, '', settings)).toBeUndefined();
    expect(renderActions(`{{ .Values.other${' | toString'.repeat(10_000)} | upper }}`, '', settings)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

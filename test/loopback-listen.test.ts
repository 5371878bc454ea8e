/** src/analysis/loopback-listen.ts: which loopback addresses of a container block, and how they are quoted (review21 R3–R5). */
import { describe, expect, test } from '@jest/globals';
import { isLoopbackHost, loopbackItems, MAY_NAME_LOOPBACK, namesListen, namesLoopbackHost } from '../src/analysis/loopback-listen.js';

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

test('a templated port of one 100 KB action is read in linear time (not a speed target: a guard against quadratic backtracking, review24 R5)', () => {
  const started = Date.now();
  // A port of 100 KB, an unclosed action and a closed one: the first threw (a pattern over V8's size), the
  // second took ~18 s (a lazy group before \s* and an anchor); neither is a port an address can name.
  expect(loopbackItems([{ key: 'args', items: ['--listen=127.0.0.1:{{ .Values.p }}'] }], [], `{{ a${' '.repeat(100_000)}x`)).toBeUndefined();
  expect(loopbackItems([{ key: 'args', items: ['--listen=127.0.0.1:{{ .Values.p }}'] }], [], `{{ a${' '.repeat(100_000)}x }}`)).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(5000);
  // The action's body is still read in other spacing and trim markers.
  expect(loopbackItems([{ key: 'args', items: ['--listen=127.0.0.1:{{.Values.p}}'] }], [], '{{- .Values.p -}}')?.listen).toBe(true);
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
])('no split listen address in %j', (args) => {
  expect(loopbackItems([{ key: 'args', items: args }], [], 50051)).toBeUndefined();
});

test('a loopback --host given apart from the probe port gets the note the joined --host=127.0.0.1:P gets, not a block', () => {
  // --host names the server a client calls as often as the server's own address, so neither form
  // blocks; but the joined form has always had a note (any loopback address on the probe's port
  // does), and the same setting written in two parts said nothing.
  expect(loopbackItems([{ key: 'args', items: ['--host=127.0.0.1:50051'] }], [], 50051)).toEqual({ what: 'args item "--host=127.0.0.1:50051"', listen: false });
  expect(loopbackItems([{ key: 'args', items: ['--host', '127.0.0.1', '--port', '50051'] }], [], 50051)).toEqual({ what: 'settings "--host 127.0.0.1" and "--port 50051"', listen: false, plural: true });
  expect(loopbackItems([], [{ name: 'GRPC_HOST', value: 'localhost' }, { name: 'GRPC_PORT', value: '50051' }], 50051)).toEqual({ what: 'settings "GRPC_HOST=localhost" and "GRPC_PORT=50051"', listen: false, plural: true });
  // A client's host, and another listener's, still say nothing.
  expect(loopbackItems([{ key: 'args', items: ['--upstream-host', '127.0.0.1', '--port', '50051'] }], [], 50051)).toBeUndefined();
  expect(loopbackItems([{ key: 'args', items: ['--metrics-host', '127.0.0.1', '--port', '50051'] }], [], 50051)).toBeUndefined();
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
    // Loopback in another spelling in one values file (hunt20 L2): the values files are read as the check reads hosts.
    for (const spelled of ['127.0.0.2:5000', 'LOCALHOST:5000', '[0:0:0:0:0:0:0:1]:5000']) {
      expect([spelled, await findings('"--grpc-listen={{ .Values.listen }}"', ':5000', { 'values.yaml': 'listen: "0.0.0.0:5000"\n', 'values-dev.yaml': `listen: "${spelled}"\n` })]).toMatchObject([
        spelled,
        [{ status: 'migratable', message: expect.stringContaining(`{{ .Values.listen }} is ${JSON.stringify(spelled)} in some of them) names loopback on the probe's port`) }],
      ]);
    }
  });
  test('a listen address a printf action prints, with operands the values give (hunt22 E8)', async () => {
    const values = { 'values.yaml': 'port: 9000\nadminPort: 9090\nhost: 127.0.0.1\n' };
    expect(await findings('{{ printf "--grpc-listen=127.0.0.1:%d" (int .Values.port) }}', ':{{ .Values.port }}', values)).toMatchObject([
      {
        status: 'blocked',
        blockers: ['host'],
        message: expect.stringContaining('args item "--grpc-listen=127.0.0.1:9000" (as the chart\'s values render it: {{ .Values.port }} is 9000, {{ printf "--grpc-listen=127.0.0.1:%d" (int .Values.port) }} is "--grpc-listen=127.0.0.1:9000") binds the server to loopback'),
      },
    ]);
    // %v of a setting, %s of a string, two operands, a literal operand, the call piped to quote.
    for (const args of [
      '{{ printf "--grpc-listen=127.0.0.1:%v" .Values.port }}',
      '{{ printf "--grpc-listen=%s:%v" .Values.host .Values.port | quote }}',
      '{{ printf "--grpc-listen=%s:%d" (.Values.host | toString) 9000 }}',
    ]) {
      expect([args, await findings(args, ':9000', values)]).toMatchObject([args, [{ status: 'blocked', blockers: ['host'] }]]);
    }
    // Another port, all addresses: nothing said; a client's address, the note its literal gets.
    for (const args of ['{{ printf "--grpc-listen=127.0.0.1:%d" (int .Values.adminPort) }}', '{{ printf "--grpc-listen=0.0.0.0:%d" (int .Values.port) }}']) {
      expect([args, await findings(args, ':{{ .Values.port }}', values)]).toMatchObject([args, [{ status: 'migratable', message: expect.not.stringContaining('loopback') }]]);
    }
    expect(await findings('{{ printf "--upstream=127.0.0.1:%d" (int .Values.port) }}', ':{{ .Values.port }}', values)).toMatchObject([
      { status: 'migratable', message: expect.stringContaining('is "--upstream=127.0.0.1:9000") names loopback on the probe\'s port; if that is where the server listens') },
    ]);
    // A host the values files do not agree on: a note.
    expect(await findings('{{ printf "--grpc-listen=%s:9000" .Values.host }}', ':9000', { 'values.yaml': 'host: 0.0.0.0\n', 'values-dev.yaml': 'host: localhost\n' })).toMatchObject([
      { status: 'migratable', message: expect.stringContaining('{{ printf "--grpc-listen=%s:9000" .Values.host }} is "--grpc-listen=localhost:9000" in some of them) names loopback on the probe\'s port') },
    ]);
  });

  test('a printf whose format names a loopback listen address but whose port the tool cannot print gets the note (hunt22 E8)', async () => {
    const values = { 'values.yaml': 'port: 9000\n' };
    // %d of a values setting (Helm reads 9000 in a values file as a float64, and %d prints %!d(float64=9000); --set gives an int64),
    // %s of a number, an include, a setting nothing gives.
    for (const args of [
      '{{ printf "--grpc-listen=127.0.0.1:%d" .Values.port }}',
      '{{ printf "--grpc-listen=127.0.0.1:%s" .Values.port }}',
      '{{ printf "--grpc-listen=127.0.0.1:%d" (include "c.port" .) }}',
      '{{ printf "--grpc-listen=127.0.0.1:%v" .Values.other }}',
    ]) {
      const format = /"([^"]*)"/.exec(args)![1]!;
      expect([args, await findings(args, ':{{ .Values.port }}', values)]).toMatchObject([
        args,
        [
          {
            status: 'migratable',
            message: expect.stringContaining(
              `the container's own item printed by printf "${format}" names a listen address on loopback at a port the tool does not read (${format.slice(-2)}: a verb of ${args}, whose operand the chart's values do not give as the tool can print it); if that is the probe's port`,
            ),
          },
        ],
      ]);
    }
    // A format that names no listen address, or no loopback host: nothing said.
    for (const args of ['{{ printf "--upstream=127.0.0.1:%d" .Values.port }}', '{{ printf "--grpc-listen=0.0.0.0:%d" .Values.port }}']) {
      expect([args, await findings(args, ':{{ .Values.port }}', values)]).toMatchObject([args, [{ status: 'migratable', message: expect.not.stringContaining('loopback') }]]);
    }
  });

  test('printf is rendered as Go and Sprig print it, or not at all', async () => {
    const { renderActions } = await import('../src/helm/listen-values.js');
    const settings = (p: string) => ({ port: ['9000'], host: ['127.0.0.1'], ports: ['9000', '9001'], name: ['a b'] })[p];
    const text = (t: string) => renderActions(t, '', settings)?.text;
    expect(text('{{ printf "%s:%d" .Values.host (int .Values.port) }}')).toBe('127.0.0.1:9000');
    expect(text('{{- printf "%v%%" .Values.port -}}')).toBe('9000%');
    expect(text('{{ printf "%q" .Values.name }}')).toBe('"a b"');
    expect(text('{{ printf "%s" (quote .Values.host) }}')).toBe('"127.0.0.1"');
    expect(text('--a={{ printf `--listen=%s` .Values.host | quote }}')).toBe('--a="--listen=127.0.0.1"');
    // Alone in its scalar, quote's quotes are the YAML's: the value is inside them.
    expect(text('{{ printf `--listen=%s` .Values.host | quote }}')).toBe('--listen=127.0.0.1');
    expect(renderActions('{{ printf "127.0.0.1:%v" .Values.ports }}', '', settings)?.actions).toEqual([{ action: '{{ printf "127.0.0.1:%v" .Values.ports }}', value: '127.0.0.1:9000', mixed: true }]);
    // Not printed the same by Go: %d of a setting, a width, an operand too many or too few, a lone %.
    for (const t of ['{{ printf "%d" .Values.port }}', '{{ printf "%5v" .Values.port }}', '{{ printf "%v" .Values.port .Values.host }}', '{{ printf "%v:%v" .Values.port }}', '{{ printf "%v%" .Values.port }}']) {
      expect([t, text(t)]).toEqual([t, undefined]);
    }
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
    // A printf of many operands, of an unclosed string, of escapes; a long pipeline after it.
    expect(renderActions(`{{ printf "${'%v'.repeat(10_000)}"${' .Values.other'.repeat(10_000)} }}`, '', settings)?.text).toBe('a'.repeat(10_000));
    expect(renderActions(`{{ printf "${'\\"'.repeat(20_000)}${' (int .Values.other'.repeat(5000)} }}`, '', settings)).toBeUndefined();
    expect(renderActions(`{{ printf "%v" .Values.other${' | quote'.repeat(10_000)} | upper }}`, '', settings)).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

test.each([
  // hunt20 L1: the kubelet expands $(NAME) in args and command from the container's env, and in an
  // env value from the entries before it.
  [['--grpc-listen=127.0.0.1:$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: '50051' }], 'args item "--grpc-listen=127.0.0.1:50051" (the kubelet expands $(GRPC_PORT) in it from the container\'s env)'],
  [['--grpc-listen=$(LISTEN_HOST):50051'], [{ name: 'LISTEN_HOST', value: '127.0.0.1' }], 'args item "--grpc-listen=127.0.0.1:50051" (the kubelet expands $(LISTEN_HOST) in it from the container\'s env)'],
  [['--bind', '$(HOST)', '--port', '$(PORT)'], [{ name: 'HOST', value: 'localhost' }, { name: 'PORT', value: '50051' }], 'settings "--bind localhost" and "--port 50051" (the kubelet expands $(HOST), $(PORT) in it from the container\'s env)'],
  [[], [{ name: 'GRPC_PORT', value: '50051' }, { name: 'GRPC_LISTEN_ADDR', value: '127.0.0.1:$(GRPC_PORT)' }], 'env GRPC_LISTEN_ADDR="127.0.0.1:50051" (the kubelet expands $(GRPC_PORT) in it from the container\'s env)'],
  // The last entry of a name is the one the container gets.
  [['--listen=127.0.0.1:$(P)'], [{ name: 'P', value: '8080' }, { name: 'P', value: '50051' }], 'args item "--listen=127.0.0.1:50051" (the kubelet expands $(P) in it from the container\'s env)'],
])('a listen address the kubelet builds with $(VAR) blocks as written out (hunt20 L1): %j %j', (args, env, what) => {
  expect(loopbackItems([{ key: 'args', items: args }], env, 50051)).toMatchObject({ what, listen: true });
});

test.each([
  // $$ escapes: the container gets `$(GRPC_PORT)` as written.
  [['--grpc-listen=127.0.0.1:$$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: '50051' }]],
  // An entry the kubelet does not know when it expands an env value (a later one): left as written.
  [[], [{ name: 'GRPC_LISTEN_ADDR', value: '127.0.0.1:$(GRPC_PORT)' }, { name: 'GRPC_PORT', value: '50051' }]],
  // The downward API's values are the pod's, never loopback.
  [['--grpc-listen=$(POD_IP):50051'], [{ name: 'POD_IP', value: undefined, downward: true }]],
  [['--bind', '$(POD_IP)', '--port', '50051'], [{ name: 'POD_IP', value: undefined, downward: true }]],
  // A value not read, where a listen address does not stand: a client's address, another listener's port, both parts unread.
  [['--upstream=127.0.0.1:$(P)'], [{ name: 'P', value: undefined }]],
  [['--bind', '127.0.0.1', '--db-port', '$(DB_PORT)'], [{ name: 'DB_PORT', value: undefined }]],
  [['--grpc-listen=$(H):$(P)'], [{ name: 'H', value: undefined }, { name: 'P', value: undefined }]],
  [['--grpc-listen=127.0.0.1:$(P),0.0.0.0:50051'], [{ name: 'P', value: undefined }]],
])('a $(VAR) the kubelet does not expand to the port is left as written (hunt20 L1): %j %j', (args, env) => {
  expect(loopbackItems([{ key: 'args', items: args }], env, 50051)).toBeUndefined();
});

test.each([
  // A valueFrom (a configMapKeyRef), a name the env does not set (an envFrom may), an entry the
  // tool cannot read (an alias) before it: the kubelet fills the port in, the tool cannot tell which.
  [['--grpc-listen=127.0.0.1:$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: undefined }], { what: 'args item "--grpc-listen=127.0.0.1:$(GRPC_PORT)"', listen: false, unread: { part: 'port', refs: ['$(GRPC_PORT)'] } }],
  [['--grpc-listen=127.0.0.1:$(GRPC_PORT)'], [], { what: 'args item "--grpc-listen=127.0.0.1:$(GRPC_PORT)"', listen: false, unread: { part: 'port', refs: ['$(GRPC_PORT)'] } }],
  [['--grpc-listen=127.0.0.1:$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: '50051' }, { name: undefined, value: undefined }], { what: 'args item "--grpc-listen=127.0.0.1:$(GRPC_PORT)"', listen: false, unread: { part: 'port', refs: ['$(GRPC_PORT)'] } }],
  [['--listen', '[::1]:$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: undefined }], { what: 'args items "--listen" and "[::1]:$(GRPC_PORT)"', listen: false, plural: true, unread: { part: 'port', refs: ['$(GRPC_PORT)'] } }],
  // The host is the value not read.
  [['--grpc-listen=$(LISTEN_HOST):50051'], [{ name: 'LISTEN_HOST', value: undefined }], { what: 'args item "--grpc-listen=$(LISTEN_HOST):50051"', listen: false, unread: { part: 'host', refs: ['$(LISTEN_HOST)'] } }],
  // Through an env value the kubelet expanded from such an entry.
  [['--grpc-listen=$(ADDR)'], [{ name: 'P', value: undefined }, { name: 'ADDR', value: 'localhost:$(P)' }], { what: 'args item "--grpc-listen=localhost:$(P)" (the kubelet expands $(ADDR) in it from the container\'s env)', listen: false, unread: { part: 'port', refs: ['$(P)'] } }],
  [[], [{ name: 'P', value: undefined }, { name: 'GRPC_LISTEN_ADDR', value: '127.0.0.1:$(P)' }], { what: 'env GRPC_LISTEN_ADDR="127.0.0.1:$(P)"', listen: false, unread: { part: 'port', refs: ['$(P)'] } }],
  // In two parts: the port, or the host, not read.
  [['--bind', '127.0.0.1', '--grpc-port', '$(GRPC_PORT)'], [{ name: 'GRPC_PORT', value: undefined }], { what: 'settings "--bind 127.0.0.1" and "--grpc-port $(GRPC_PORT)"', listen: false, plural: true, unread: { part: 'port', refs: ['$(GRPC_PORT)'] } }],
  [['--bind=$(H)', '--port=50051'], [{ name: 'H', value: undefined }], { what: 'settings "--bind=$(H)" and "--port=50051"', listen: false, plural: true, unread: { part: 'host', refs: ['$(H)'] } }],
  [['--bind', '127.0.0.1'], [{ name: 'PORT', value: undefined }], { what: 'settings "--bind 127.0.0.1" and "PORT"', listen: false, plural: true, unread: { part: 'port', refs: ['PORT'] } }],
])('a listen address whose port or host is a value the tool does not read gets a note: %j %j', (args, env, item) => {
  expect(loopbackItems([{ key: 'args', items: args }], env, 50051)).toEqual(item);
});

test('a known loopback address wins over one with a value the tool does not read', () => {
  const env = [{ name: 'P', value: undefined }];
  expect(loopbackItems([{ key: 'args', items: ['--grpc-listen=127.0.0.1:$(P)', '--grpc-addr=localhost:50051'] }], env, 50051)).toEqual({ what: 'args item "--grpc-addr=localhost:50051"', listen: true });
  expect(loopbackItems([{ key: 'args', items: ['--grpc-listen=127.0.0.1:$(P)', '--upstream=localhost:50051'] }], env, 50051)).toEqual({ what: 'args item "--upstream=localhost:50051"', listen: false });
});

test.each([
  ['127.0.0.1', true],
  ['127.0.0.2', true],
  ['0:0:0:0:0:0:0:01', true],
  ['0:0:0:0:0:ffff:7f00:2', true],
  ['[::FFFF:7F00:1]', true],
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
  // The cheap pre-filters (a Kustomize patch's, a Helm values setting's) never miss one it calls loopback.
  if (loopback) {
    expect(MAY_NAME_LOOPBACK.test(`--grpc-listen=${host}:50051`)).toBe(true);
    expect(namesLoopbackHost(host)).toBe(true);
    expect(namesLoopbackHost(`${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:5000`)).toBe(true);
    expect(namesLoopbackHost(`tcp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:5000`)).toBe(true);
  } else expect(namesLoopbackHost(host)).toBe(false);
});

test('the pre-filter lets a $(VAR) through (the env may make it loopback), and passes over text without loopback', () => {
  expect(MAY_NAME_LOOPBACK.test('--grpc-listen=$(LISTEN_HOST):50051')).toBe(true);
  expect(MAY_NAME_LOOPBACK.test('args: ["--grpc-listen=0.0.0.0:50051", "--port=5000"]\nimage: acme/server:1.2.0\n')).toBe(false);
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

test.each([
  // hunt20 L3: daprd's --app-port is the application's port, which it dials; its loopback listener is its own API.
  ['a sidecar\'s app port and its own listener', { args: ['./daprd', '--app-id', 'app', '--app-port', '50051', '--app-protocol', 'grpc', '--dapr-listen-addresses', '127.0.0.1'] }],
  // An HTTP gateway's host with the gRPC port.
  ['a REST gateway\'s host', { args: ['--rest-bind-address=127.0.0.1', '--rest-port=8080', '--grpc-port=50051'] }],
  ['a gRPC gateway\'s host', { args: ['--grpc-gateway-bind-address=127.0.0.1', '--port=50051'] }],
  // Host and port of two processes of one script.
  ['two processes of one sh -c', { command: ['sh', '-c', 'redis-server --bind 127.0.0.1 --port 6379 & exec /app/server --port 50051'] }],
  ['two processes of one sh -c, the script in args', { command: ['/bin/sh', '-c'], args: ['redis-server --bind 127.0.0.1 & exec /app/server --port 50051'] }],
  // A comment of the script.
  ['a comment of the script', { command: ['sh', '-c', '# was: exec /app/server --grpc-listen=127.0.0.1:50051\nexec /app/server --grpc-listen=0.0.0.0:50051\n'] }],
  ['a comment holding both halves', { command: ['sh', '-c', 'exec /app/server --port 50051 # not --bind 127.0.0.1'] }],
])('no loopback listen address: %s (hunt20 L3)', (_what, lists) => {
  expect(loopbackItems(Object.entries(lists).map(([key, items]) => ({ key, items })), [], 50051)).toBeUndefined();
});

test.each([
  // The same settings of one process still block.
  [{ command: ['sh', '-c', 'redis-server --port 6379 & exec /app/server --bind 127.0.0.1 --port 50051'] }, { what: 'settings "--bind 127.0.0.1" and "--port 50051"', listen: true, plural: true }],
  [{ command: ['sh', '-c', '# listens on loopback only\nexec /app/server --grpc-listen=127.0.0.1:50051\n'] }, { what: 'command item containing "--grpc-listen=127.0.0.1:50051"', listen: true }],
  [{ args: ['--dapr-listen-addresses', '127.0.0.1', '--dapr-grpc-port', '50051'] }, { what: 'settings "--dapr-listen-addresses 127.0.0.1" and "--dapr-grpc-port 50051"', listen: true, plural: true }],
  [{ args: ['--grpc-bind-address=127.0.0.1', '--rest-port=8080', '--grpc-port=50051'] }, { what: 'settings "--grpc-bind-address=127.0.0.1" and "--grpc-port=50051"', listen: true, plural: true }],
  // A port a sidecar dials, with a listen host that does not say whose: a note, not a block.
  [{ args: ['--bind', '127.0.0.1', '--app-port', '50051'] }, { what: 'settings "--bind 127.0.0.1" and "--app-port 50051"', listen: false, plural: true }],
  [{ args: ['--app-bind', '127.0.0.1', '--app-port', '50051'] }, { what: 'settings "--app-bind 127.0.0.1" and "--app-port 50051"', listen: true, plural: true }],
])('a listen address of one process still counts (hunt20 L3): %j', (lists, item) => {
  expect(loopbackItems(Object.entries(lists).map(([key, items]) => ({ key, items })), [], 50051)).toEqual(item);
});

test('through the manifest reader: $(VAR) listen addresses block, a sidecar\'s app port and a script\'s comment do not (hunt20 L1, L3)', async () => {
  const { run } = await import('../src/engine.js');
  const { repoWith } = await import('./support/repo.js');
  const pod = (containers: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: app
    readinessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:50051"]
${containers}`;
  const own = (lines: string) => pod('').replace('  - name: app\n', `  - name: app\n${lines}`);
  const cases: [string, object][] = [
    [own('    args: ["--grpc-listen=127.0.0.1:$(GRPC_PORT)"]\n    env: [{name: GRPC_PORT, value: "50051"}]\n'), { status: 'blocked', blockers: ['host'], message: expect.stringContaining('"--grpc-listen=127.0.0.1:50051" (the kubelet expands $(GRPC_PORT) in it') }],
    [own('    env:\n    - {name: GRPC_PORT, value: "50051"}\n    - {name: GRPC_LISTEN_ADDR, value: "127.0.0.1:$(GRPC_PORT)"}\n'), { status: 'blocked', blockers: ['host'] }],
    // The port from a configMap: the server may listen on loopback at the probe's port; a note, as the joined --address= form gets.
    [
      own('    args: ["--grpc-listen=127.0.0.1:$(GRPC_PORT)"]\n    env: [{name: GRPC_PORT, valueFrom: {configMapKeyRef: {name: c, key: k}}}]\n'),
      {
        status: 'migratable',
        message: expect.stringContaining(
          '(the container\'s own args item "--grpc-listen=127.0.0.1:$(GRPC_PORT)" names a listen address on loopback at a port the tool does not read ($(GRPC_PORT): the kubelet gives it a value from a valueFrom, an envFrom or an entry the tool does not read); if that is the probe\'s port, the binary dialled it inside the pod but the kubelet dials the pod IP, where nothing may listen: check that the server listens there too (e.g. 0.0.0.0)',
        ),
      },
    ],
    [own('    args: ["--grpc-listen=$(POD_IP):50051"]\n    env: [{name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]\n'), { status: 'migratable', message: expect.not.stringContaining('loopback') }],
    // --host in two parts: the note the joined form gets.
    [own('    args: ["--host", "127.0.0.1", "--port", "50051"]\n'), { status: 'migratable', message: expect.stringContaining('(the container\'s own settings "--host 127.0.0.1" and "--port 50051" name loopback on the probe\'s port; if that is where the server listens') }],
    [own('    args: ["--host=127.0.0.1:50051"]\n'), { status: 'migratable', message: expect.stringContaining('(the container\'s own args item "--host=127.0.0.1:50051" names loopback on the probe\'s port; if that is where the server listens') }],
    [pod('  - name: sidecar\n    args: ["--listen=$(H):50051"]\n    env: [{name: H, value: "127.0.0.1"}]\n'), { status: 'blocked', blockers: ['host'], message: expect.stringContaining('of container "sidecar"') }],
    [pod('  - name: daprd\n    args: ["./daprd", "--app-port", "50051", "--dapr-listen-addresses", "127.0.0.1"]\n'), { status: 'migratable' }],
    [own('    command: [sh, -c, "# exec /app/server --grpc-listen=127.0.0.1:50051\\nexec /app/server --grpc-listen=0.0.0.0:50051"]\n'), { status: 'migratable' }],
  ];
  for (const [manifest, finding] of cases) {
    expect([manifest, (await run({ cwd: repoWith({ 'pod.yaml': manifest }), paths: ['.'] })).findings]).toMatchObject([manifest, [finding]]);
  }
});

test('in a script, the kubelet\'s $(VAR) is expanded before the shell runs, and host and port pair within one of its commands (hunt20 L1, L3)', () => {
  const env = [{ name: 'H', value: '127.0.0.1' }];
  expect(loopbackItems([{ key: 'command', items: ['sh', '-c', 'redis-server --port 6379 & exec /app/server --bind $(H) --port 50051'] }], env, 50051)).toEqual({
    what: 'settings "--bind 127.0.0.1" and "--port 50051" (the kubelet expands $(H) in it from the container\'s env)',
    listen: true,
    plural: true,
  });
  expect(loopbackItems([{ key: 'command', items: ['sh', '-c', 'redis-server --bind $(H) & exec /app/server --port 50051'] }], env, 50051)).toBeUndefined();
  expect(loopbackItems([{ key: 'command', items: ['sh', '-c', 'exec /app/server --listen=$(H):50051'] }], env, 50051)).toEqual({
    what: 'command item containing "--listen=127.0.0.1:50051" (the kubelet expands $(H) in it from the container\'s env)',
    listen: true,
  });
});

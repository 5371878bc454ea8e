/**
 * Bad input must not hang the tool: long runs of blanks, lines of many actions and long words in
 * a Helm chart (and in code that installs one) are read in linear time. Each elapsed check is not
 * a speed target: it guards against regexes that backtrack (Jest's timeout cannot stop a
 * synchronous one) and against re-reading a whole line for each action on it. Every input here
 * took minutes before, or over 100 s, as measured on smaller ones growing with the square or the
 * cube of the size: 30,000 blanks in one args item 9 s, 2,000 actions in one 15 s, 40,000
 * `;-addr=x` in one 9 s, 3,300 blanks inside one action 6-10 s, 100,000 blanks in a quoted
 * hostNetwork 10 s, 100,000 `{{if a` on a line 25 s, 38,000 `:#` 4 s, a word of 110,000
 * characters 7 s, 40,000 escaped quotes 2 s, 54,000 slashes in a word 0.9 s (the Terraform file's
 * `set {`, below, within the 1 MB read of such a file: ~40 s).
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { keysAbove } from '../src/helm/mask.js';
import { repoWith } from './support/repo.js';

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/values.yaml': 'port: 5000\nname: x\n',
};

/** A chart whose values.yaml holds the probe, for code that installs it. */
const CODE_CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
  'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:50051"]\n',
};

/** A Deployment template whose container `api` has `args: [<args>]` and an exec probe on `-addr=<addr>`; `before` goes above it. */
function deployment(args: string, addr = ':{{ .Values.port }}', { before = '', env = '' } = {}): string {
  return `${before}apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
          args: [${args}]
${env}          readinessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr=${addr}"]
`;
}

async function findings(template: string, values = CHART['chart/values.yaml'], more: Record<string, string> = {}): Promise<{ status: string; blockers: string[] }[]> {
  const dir = repoWith({ ...CHART, 'chart/values.yaml': values, 'chart/templates/deploy.yaml': template, ...more });
  const result = await run({ paths: ['.'], cwd: dir });
  return result.findings.filter((f) => f.file === 'chart/templates/deploy.yaml').map((f) => ({ status: f.status, blockers: f.blockers }));
}

describe('a Helm template of bad input is read in linear time (not a speed target)', () => {
  test('an args item of 200,000 blanks (orAsDefault read the blanks back from every position)', async () => {
    const started = Date.now();
    expect(await findings(deployment(`"a${' '.repeat(200_000)}b"`))).toEqual([{ status: 'migratable', blockers: [] }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('an args item of 10,000 actions (each read its whole line again)', async () => {
    const started = Date.now();
    expect(await findings(deployment(`"${'{{ .Values.name }} '.repeat(10_000)}"`))).toEqual([{ status: 'migratable', blockers: [] }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('an args item of 100,000 `;-addr=x` (each -addr word read the rest of the run again)', async () => {
    const started = Date.now();
    expect(await findings(deployment(`"run ${';-addr=x'.repeat(100_000)}"`))).toEqual([{ status: 'migratable', blockers: [] }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('100,000 blanks inside actions read as one blank is', async () => {
    // A variable set from a pipeline, an env value quoted, the port from each, which the values
    // set to a name: the same findings with one blank as with 100,000 in each place.
    const chart = (b: string) =>
      deployment('"serve"', ':{{ $port }}', { before: `{{- $port := .Values.port${b}| int }}\n` }) +
      deployment('"serve"', ':$(GRPC_PORT)', { before: '---\n', env: `          env:\n            - name: GRPC_PORT\n              value: {{ .Values.port${b}| quote${b}}}\n` });
    const expected = await findings(chart(' '), 'port: grpc\n');
    expect(expected).toEqual([
      { status: 'blocked', blockers: ['invalid-port'] },
      { status: 'blocked', blockers: ['invalid-port'] },
    ]);
    const started = Date.now();
    expect(await findings(chart(' '.repeat(100_000)), 'port: grpc\n')).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a quoted hostNetwork value of 400,000 blanks, in the template that prints a values probe', async () => {
    // `hostNetwork: "true   …"` is a string, which the API server rejects for the bool: the probe
    // on loopback is held for it as with one blank.
    const files = (b: string) => ({
      'chart/Chart.yaml': 'apiVersion: v2\nname: agent\nversion: 0.1.0\n',
      'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=127.0.0.1:50051"]\n',
      'chart/templates/daemonset.yaml': `kind: DaemonSet\napiVersion: apps/v1\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      hostNetwork: "true${b}"\n      containers:\n        - name: agent\n          image: example/agent:1.0\n          readinessProbe:\n{{ toYaml .Values.readinessProbe | indent 12 }}\n`,
    });
    const read = async (b: string) => (await run({ paths: ['.'], cwd: repoWith(files(b)) })).findings.map((f) => ({ file: f.file, status: f.status, blockers: f.blockers, message: f.message }));
    const expected = await read(' ');
    expect(expected).toEqual([{ file: 'chart/values.yaml', status: 'blocked', blockers: ['host'], message: expect.stringContaining('whose hostNetwork is a quoted string, not a boolean') }]);
    const started = Date.now();
    expect(await read(' '.repeat(400_000))).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a line of 300,000 `{{if a` before a toYaml of the dot, in the template that prints a values probe', async () => {
    // podSpecMaps reads the control actions before `{{ toYaml . }}` for the with that gives its dot.
    const files = (ifs: string) => ({
      'chart/Chart.yaml': 'apiVersion: v2\nname: agent\nversion: 0.1.0\n',
      'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=127.0.0.1:50051"]\n',
      'chart/templates/daemonset.yaml': `kind: DaemonSet\napiVersion: apps/v1\nmetadata:\n  name: agent\nspec:\n  template:\n    spec:\n      ${ifs}{{- toYaml . | nindent 6 }}\n      containers:\n        - name: agent\n          image: example/agent:1.0\n          readinessProbe:\n{{ toYaml .Values.readinessProbe | indent 12 }}\n`,
    });
    const read = async (ifs: string) => (await run({ paths: ['.'], cwd: repoWith(files(ifs)) })).findings.map((f) => ({ file: f.file, status: f.status, blockers: f.blockers }));
    const expected = await read('{{if a');
    expect(expected.length).toBeGreaterThan(0);
    const started = Date.now();
    expect(await read('{{if a'.repeat(300_000))).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a line of 200,000 `:#` ending in a line separator above a printed probe (keysAbove)', () => {
    // U+2028 breaks a line for a regex's `.`, not for YAML's split: the key line does not end in a comment.
    const text = `spec:\n  readinessProbe: ${':#'.repeat(200_000)}\u2028\n  {{- toYaml .Values.probe | nindent 2 }}\n`;
    const started = Date.now();
    expect(keysAbove(text, text.indexOf('{{'))).toEqual(['spec']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a Terraform file of 200,000 `set {` without a name or a `}` (each read the rest again)', async () => {
    // Under the 1 MB the tool reads of such a file: ~40 s before.
    const tf = (sets: string) => `resource "helm_release" "api" {\n  chart = "./chart"\n  ${sets}\n`;
    const expected = await findings(deployment('"serve"'), undefined, { 'infra/main.tf': tf('set {') });
    expect(expected).toEqual([{ status: 'migratable', blockers: [] }]);
    const started = Date.now();
    expect(await findings(deployment('"serve"'), undefined, { 'infra/main.tf': tf('set {'.repeat(200_000)) })).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a helm command word of 900,000 slashes and a letter (its trailing slashes read again from each)', async () => {
    const script = (word: string) => `#!/bin/sh\nhelm upgrade --install api ${word} --set name=y\n`;
    const expected = await findings(deployment('"serve"'), undefined, { 'deploy.sh': script('/x') });
    expect(expected).toEqual([{ status: 'migratable', blockers: [] }]);
    const started = Date.now();
    expect(await findings(deployment('"serve"'), undefined, { 'deploy.sh': script(`${'/'.repeat(900_000)}x`) })).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a word of 400,000 characters in code that installs the chart (the probe words it names)', async () => {
    // install.py names the chart and a probe: its values may keep values.yaml's probe on exec.
    const files = (word: string) => ({
      ...CODE_CHART,
      'deploy/install.py': `import subprocess\nTOKEN = "${word}"\nvalues = {"readinessProbe": {"exec": {}}}\nsubprocess.run(["helm", "upgrade", "--install", "api", "chart"])\n`,
    });
    const read = async (word: string) => (await run({ paths: ['.'], cwd: repoWith(files(word)) })).findings.filter((f) => f.file === 'chart/values.yaml').map((f) => ({ status: f.status, blockers: f.blockers }));
    const expected = await read('r');
    expect(expected).toEqual([{ status: 'blocked', blockers: ['overlay-patch'] }]);
    const started = Date.now();
    expect(await read('r'.repeat(400_000))).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a line of 250,000 escaped quotes in a string that does not close, in code that installs the chart', async () => {
    const code = (line: string) => `import subprocess\nTOKEN = "${line}\nvalues = {"readinessProbe": {"exec": {}}}\nsubprocess.run(["helm", "upgrade", "--install", "api", "chart"])\n`;
    const files = (line: string) => ({ ...CODE_CHART, 'deploy/install.py': code(line) });
    const read = async (line: string) => (await run({ paths: ['.'], cwd: repoWith(files(line)) })).findings.filter((f) => f.file === 'chart/values.yaml').map((f) => ({ status: f.status, blockers: f.blockers }));
    const expected = await read('\\"');
    expect(expected).toEqual([{ status: 'blocked', blockers: ['overlay-patch'] }]);
    const started = Date.now();
    expect(await read('\\"'.repeat(250_000))).toEqual(expected);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

/**
 * Bad input must not hang the tool: long runs of blanks, and lines of many actions, in a Helm
 * template are read in linear time. Each elapsed check is not a speed target: it guards against
 * regexes that backtrack (Jest's timeout cannot stop a synchronous one) and against re-reading a
 * whole line for each action on it. Every input here took minutes before (measured on smaller
 * ones: 30,000 blanks in one args item 9 s, 2,000 actions in one 15 s, 3,300 blanks inside one
 * action 6-10 s, growing with the square or the cube of the size).
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/values.yaml': 'port: 5000\nname: x\n',
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

async function findings(template: string, values = CHART['chart/values.yaml']): Promise<{ status: string; blockers: string[] }[]> {
  const dir = repoWith({ ...CHART, 'chart/values.yaml': values, 'chart/templates/deploy.yaml': template });
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
});

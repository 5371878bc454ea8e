/**
 * A Helm probe whose port a values file sets to a name (or a number out of range) blocks
 * `invalid-port` (hunt16 A8): the template is right as written, so the finding names the values
 * path, the value and each file (and line) that sets it, and the hint says to fix it there. A
 * port a template default gives (`| default "grpc"`) keeps the general hint: the template is what
 * to fix.
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const CHART = 'apiVersion: v2\nname: comments\nversion: 0.1.0\n';

function deployment(containers: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: comments
spec:
  template:
    spec:
      containers:
${containers}`;
}

function container(name: string, args: string, extra = ''): string {
  return `        - name: ${name}
          image: comments-svc
${extra}          livenessProbe:
            exec:
              command:
                - /bin/grpc_health_probe
${args
  .split('\n')
  .map((a) => `                - ${a}\n`)
  .join('')}`;
}

async function findings(files: Record<string, string>) {
  const dir = repoWith(files);
  const result = await run({ paths: ['.'], cwd: dir, fix: false });
  return result.findings.filter((f) => f.file.endsWith('templates/deployment.yaml'));
}

describe('invalid-port from a values file names where it is set', () => {
  test('the hunt case: values.yaml gives a number, values-prod.yaml a name', async () => {
    const [f] = await findings({
      'helm/Chart.yaml': CHART,
      'helm/values.yaml': 'service:\n  port: 50051\n',
      'helm/values-prod.yaml': 'service:\n  port: "grpc"\n',
      'helm/templates/deployment.yaml': deployment(container('comments', '-addr=:{{ .Values.service.port }}')),
    });
    expect(f!.blockers).toEqual(['invalid-port']);
    expect(f!.message).toBe('livenessProbe of container "comments" runs grpc_health_probe: port "grpc" is a name; a native gRPC probe needs a number (.Values.service.port is "grpc" in helm/values-prod.yaml:2)');
    expect(f!.hint).toBe('Set service.port to a port number (1–65535) in helm/values-prod.yaml:2 (a gRPC probe takes no named port), then run the tool again.');
  });

  test('every file that sets the bad value is named; a number out of range is said as a number', async () => {
    const out = await findings({
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': '# ports\nport: grpc\nadmin: 50052\n',
      'chart/ci/test-values.yaml': 'port: grpc\n',
      'chart/values-prod.yaml': 'admin: 70000\n',
      'chart/templates/deployment.yaml': deployment(container('a', '-addr=:{{ .Values.port }}') + container('b', '-addr=:{{ .Values.admin }}')),
    });
    expect(out.map((f) => f.message.replace(/^.*?: port/, 'port'))).toEqual([
      'port "grpc" is a name; a native gRPC probe needs a number (.Values.port is "grpc" in chart/values.yaml:2, chart/ci/test-values.yaml:1)',
      'port 70000 is outside 1..65535 (.Values.admin is 70000 in chart/values-prod.yaml:1)',
    ]);
    expect(out[1]!.hint).toBe('Set admin to a port number (1–65535) in chart/values-prod.yaml:1 (70000 is outside 1..65535), then run the tool again.');
  });

  test('through a variable, an env value and a with: the values path the port comes from', async () => {
    const out = await findings({
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': 'grpc:\n  port: 50051\n',
      'chart/values-prod.yaml': '\ngrpc:\n  port: grpc\n',
      'chart/templates/deployment.yaml': deployment(
        container('var', '-addr=:{{ $p }}', '          {{- $p := .Values.grpc.port }}\n') +
          container('env', '-addr=:$(GRPC_PORT)', '          env:\n            - name: GRPC_PORT\n              value: {{ .Values.grpc.port | quote }}\n') +
          '          {{- with .Values.grpc }}\n' +
          container('with', '-addr=:{{ .port }}') +
          '          {{- end }}\n',
      ),
    });
    expect(out.map((f) => [f.blockers, f.message.replace(/^.*?: port/, 'port')])).toEqual([
      [['invalid-port'], 'port "grpc" is a name; a native gRPC probe needs a number (.Values.grpc.port is "grpc" in chart/values-prod.yaml:3)'],
      [['invalid-port'], 'port "grpc" is a name; a native gRPC probe needs a number (.Values.grpc.port is "grpc" in chart/values-prod.yaml:3)'],
      [['invalid-port'], 'port "grpc" is a name; a native gRPC probe needs a number (.Values.grpc.port is "grpc" in chart/values-prod.yaml:3)'],
    ]);
  });

  test('a subchart: the parent chart\'s values file under its key', async () => {
    const [f] = await findings({
      'parent/Chart.yaml': 'apiVersion: v2\nname: parent\nversion: 0.1.0\n',
      'parent/values.yaml': '# the subchart\'s port\napi:\n  port: grpc\n',
      'parent/charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
      'parent/charts/api/values.yaml': 'port: 50051\n',
      'parent/charts/api/templates/deployment.yaml': deployment(container('api', '-addr=:{{ .Values.port }}')),
    });
    expect(f!.message).toContain('(.Values.port is "grpc" in parent/values.yaml:3)');
  });

  test('with another blocker: the place follows the port\'s detail, and each blocker keeps its hint', async () => {
    const [f] = await findings({
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': 'port: grpc\n',
      'chart/templates/deployment.yaml': deployment(container('tls', '-addr=:{{ .Values.port }}\n-tls')),
    });
    expect(f!.blockers).toEqual(['tls', 'invalid-port']);
    expect(f!.message).toMatch(/port "grpc" is a name; a native gRPC probe needs a number \(\.Values\.port is "grpc" in chart\/values\.yaml:1\)$/);
    expect(f!.hint).toMatch(/^The kubelet probes in plaintext\. .* Set port to a port number \(1–65535\) in chart\/values\.yaml:1 \(a gRPC probe takes no named port\), then run the tool again\.$/);
  });

  test('a template default is not a values file: the general hint stays', async () => {
    const [f] = await findings({
      'chart/Chart.yaml': CHART,
      'chart/values.yaml': 'other: 1\n',
      'chart/templates/deployment.yaml': deployment(container('default', '-addr=:{{ .Values.port | default "grpc" }}')),
    });
    expect(f!.blockers).toEqual(['invalid-port']);
    expect(f!.message).toMatch(/a native gRPC probe needs a number$/);
    expect(f!.hint).toBe('Fix -addr to a port between 1 and 65535 (a named port is not allowed in a gRPC probe).');
  });
});

/**
 * YAML outside any chart with probes at its root and neither apiVersion nor kind: most often the
 * values of a chart from a registry that a pipeline installs with `helm -f`, which the tool cannot
 * see. Its probes merge over the chart's defaults as a release's values file's do (fixture
 * kubernetes-exec-probe/loose-values-file). Its chart is not in the repository: an -addr that
 * dials the local host stays on exec (host), as a release's values of such a chart do.
 */
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, repoWith } from './support/repo.js';

const VALUES = 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:7070"]\n';

test("a values-shaped file nothing names keeps an -addr that dials the local host on exec (host): its chart, not in the repository, may put the pod on the host's network", async () => {
  const dir = repoWith({ 'deploy/prod.yaml': VALUES, 'k8s/pod.yaml': POD });
  const { findings } = await run({ cwd: dir });
  const values = findings.find((f) => f.file === 'deploy/prod.yaml')!;
  // `-addr=:7070` dials the local host as 127.0.0.1 does (Go's empty host): the AWS VPC CNI's aws-node case.
  expect(values).toMatchObject({ status: 'blocked', blockers: ['host'] });
  expect(values.message).toContain('-addr dials the local host (an empty host or 0.0.0.0, which connect locally)');
  expect(values.message).toContain("The chart is not in the repository, so the tool cannot read its pod's network");
  expect(values.hint).toMatch(/^Check the chart these values are given to/);
  // A manifest is not values: no merge, no such hint.
  const pod = findings.find((f) => f.file === 'k8s/pod.yaml')!;
  expect(pod.message).not.toContain('exec: null');
  expect(pod.hint).toBeUndefined();
});

test('a values file a release names merges as before, without the hint for files nothing names', async () => {
  const dir = repoWith({
    'envs/prod.yaml': VALUES,
    'charts/cart/Chart.yaml': 'apiVersion: v2\nname: cart\nversion: 0.1.0\n',
    'charts/cart/templates/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: cart\n          image: cart\n          readinessProbe: {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
    'helmfile.yaml': 'releases:\n  - name: cart\n    chart: ./charts/cart\n    values:\n      - envs/prod.yaml\n',
  });
  const { findings } = await run({ cwd: dir });
  const values = findings.find((f) => f.file === 'envs/prod.yaml')!;
  expect(values.message).toContain('`exec: null`');
  expect(values.hint).toBeUndefined();
});

test("a values file of a release whose chart is not in the repository keeps a local -addr on exec: the chart's pod may be on the host's network", async () => {
  const dir = repoWith({
    'envs/prod.yaml': VALUES,
    'helmfile.yaml': 'releases:\n  - name: cart\n    chart: oci://example.com/charts/cart\n    values:\n      - envs/prod.yaml\n',
  });
  const { findings } = await run({ cwd: dir });
  const values = findings.find((f) => f.file === 'envs/prod.yaml')!;
  expect(values).toMatchObject({ status: 'blocked', blockers: ['host'] });
  expect(values.message).toContain('installs the chart oci://example.com/charts/cart, which is not in the repository');
  expect(values.hint).toMatch(/^Check the chart's templates/);
});

test("a chart's own values.yaml probe migrates with a hint about values from outside the repository that still set its exec", async () => {
  const dir = repoWith({
    'chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n',
    'chart/values.yaml': VALUES,
    'chart/values-prod.yaml': VALUES,
    'chart/templates/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
  });
  const { findings } = await run({ cwd: dir });
  const own = findings.find((f) => f.file === 'chart/values.yaml')!;
  expect(own.status).toBe('migratable');
  expect(own.hint).toMatch(/^Helm merges values map by map: .* still set readinessProbe\.exec would render both exec and grpc, which the API server rejects\. Such values need readinessProbe\.grpc: null beside their exec/);
  // An override file of the chart merges (exec: null) itself: no such caveat.
  const prod = findings.find((f) => f.file === 'chart/values-prod.yaml')!;
  expect(prod.hint ?? '').not.toMatch(/Helm merges values map by map/);
});

test('a chart value lower than the binary timeout flags: the hint says to raise that value, not to check the command by hand', async () => {
  const template = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: c
      livenessProbe: {{- include "common.tplvalues.render" (dict "value" (omit .Values.livenessProbe "enabled") "context" $) | nindent 8 }}
        exec:
          command: ["/bin/grpc_health_probe", "-addr=:5000", "-rpc-timeout=5s"]
`;
  const dir = repoWith({ 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n', 'chart/values.yaml': 'livenessProbe:\n  enabled: true\n  timeoutSeconds: 1\n', 'chart/templates/pod.yaml': template });
  const { findings } = await run({ cwd: dir });
  const probe = findings.find((f) => f.file === 'chart/templates/pod.yaml')!;
  expect(probe).toMatchObject({ status: 'blocked', blockers: ['unparseable'] });
  expect(probe.hint).toMatch(/^Raise timeoutSeconds where it is set \(\{\{ \.Values\.livenessProbe\.timeoutSeconds \}\}.*\) to at least 5/);
});

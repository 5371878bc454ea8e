/**
 * OpenShift Templates (fixture kubernetes-exec-probe/openshift-template-parameter): what the
 * fixture harness does not compare, the hint of a port no parameter gives a number.
 */
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const template = (addr: string, parameters: string) => `apiVersion: template.openshift.io/v1
kind: Template
metadata: {name: t}
${parameters}objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers:
        - name: c
          image: c
          readinessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr=${addr}"]
`;

test('a port from an undeclared parameter says to declare it, not to set the container env', async () => {
  const { findings } = await run({ cwd: repoWith({ 't.yaml': template(':${GRPC_PORT}', '') }) });
  expect(findings[0]).toMatchObject({ status: 'blocked', blockers: ['unresolved-port'] });
  expect(findings[0]!.hint).toMatch(/^In an OpenShift Template, declare the port as a parameter .* grpc: \{port: \$\{\{GRPC_PORT\}\}\}/);
});

test('outside a Template, ${X} is no parameter: the env hint stays', async () => {
  const pod = template(':${GRPC_PORT}', 'parameters:\n  - name: GRPC_PORT\n    value: "5000"\n').replace('kind: Template', 'kind: List');
  const { findings } = await run({ cwd: repoWith({ 'l.yaml': pod }) });
  expect(findings[0]).toMatchObject({ status: 'blocked', blockers: ['unresolved-port'] });
  expect(findings[0]!.hint).toMatch(/container's env/);
});

test('outside a Template, ${X} in an exec list is shell syntax the kubelet does not expand: the hint says $(X), or envsubst', async () => {
  const pod = template(':${GRPC_PORT}', '').replace('kind: Template', 'kind: List').replace('image: c', 'image: c\n          env: [{name: GRPC_PORT, value: "5000"}]');
  const { findings } = await run({ cwd: repoWith({ 'l.yaml': pod }) });
  expect(findings[0]).toMatchObject({ status: 'blocked', blockers: ['unresolved-port'] });
  expect(findings[0]!.message).toMatch(/expands only \$\(GRPC_PORT\)/);
  expect(findings[0]!.hint).toMatch(/^If a tool such as envsubst fills the file .* grpc: \{port: \$\{GRPC_PORT\}\} .* write -addr=:\$\(GRPC_PORT\)/);
});

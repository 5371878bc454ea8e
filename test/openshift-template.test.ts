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

test('outside a Template, ${X} is no parameter: the hint is about substitution before kubectl, not OpenShift nor the container env', async () => {
  const pod = template(':${GRPC_PORT}', 'parameters:\n  - name: GRPC_PORT\n    value: "5000"\n').replace('kind: Template', 'kind: List');
  const { findings } = await run({ cwd: repoWith({ 'l.yaml': pod }) });
  expect(findings[0]).toMatchObject({ status: 'blocked', blockers: ['unresolved-port'] });
  // The kubelet expands only $(VAR): a literal env value would not reach ${GRPC_PORT}.
  expect(findings[0]!.message).toMatch(/the kubelet itself expands only \$\(VAR\)/);
  expect(findings[0]!.hint).toMatch(/envsubst, Flux postBuild substitution/);
  expect(findings[0]!.hint).not.toMatch(/OpenShift|container's env/);
});

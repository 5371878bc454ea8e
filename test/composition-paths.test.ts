/**
 * A Crossplane Composition patch's field path (src/kubernetes/composition.ts fieldPathSegments),
 * read through the engine: a long path of `[` with no `]`, or a bracket of quotes, is read in one pass.
 */
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const PROBE = 'spec.forProvider.manifest.spec.template.spec.containers[0].readinessProbe';
const composition = (toFieldPath: string) => `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xgrpcapp
spec:
  compositeTypeRef: {apiVersion: acme.io/v1alpha1, kind: XGrpcApp}
  resources:
    - name: deployment
      base:
        apiVersion: kubernetes.crossplane.io/v1alpha2
        kind: Object
        spec:
          forProvider:
            manifest:
              apiVersion: apps/v1
              kind: Deployment
              spec:
                template:
                  spec:
                    containers:
                      - name: app
                        image: app
                        readinessProbe:
                          exec:
                            command: ["/bin/grpc_health_probe", "-addr=:8080"]
      patches:
        - fromFieldPath: spec.probe
          toFieldPath: '${toFieldPath}'
`;

async function statusOf(toFieldPath: string): Promise<string | undefined> {
  const { findings } = await run({ cwd: repoWith({ 'composition.yaml': composition(toFieldPath) }) });
  return findings.find((f) => f.ruleId === 'kubernetes-exec-probe')?.status;
}

test('150 KB field paths (a run of [ never closed, a bracket of quotes) are read in linear time, as Crossplane splits them (not a speed target: a guard against quadratic backtracking, 1 s at 54 KB before)', async () => {
  const started = Date.now();
  // An unclosed `[` is no segment: the path still names the probe's handler, which the patch writes.
  expect(await statusOf(`${PROBE}.exec${'['.repeat(150_000)}`)).toBe('blocked');
  // The quotes around a bracket's name are dropped; those inside stay: `["x'…'y"]` is no field of the probe.
  const quotes = "''".repeat(75_000);
  expect(await statusOf(`${PROBE}["${quotes}exec${quotes}"]`)).toBe('blocked');
  expect(await statusOf(`${PROBE.replace('.readinessProbe', '')}["x${quotes}y"]`)).toBe('migratable');
  expect(Date.now() - started).toBeLessThan(5000);
  // Controls: the handler written, and another container's.
  expect(await statusOf(`${PROBE}.exec`)).toBe('blocked');
  expect(await statusOf(`${PROBE.replace('[0]', '[1]')}.exec`)).toBe('migratable');
});

/**
 * Releases written in code (Pulumi TypeScript `helm.v3.Release`, cdk8s `Helm`) reach the helm
 * module through registerCodeReleases (src/helm/releases.ts): a release whose values keep a probe
 * on exec holds the chart's values.yaml probe (`overlay-patch`), as a YAML release does; without
 * such a release, the same probe migrates.
 */
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { registerCodeReleases } from '../src/helm/releases.js';
import { repoWith } from './support/repo.js';

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/templates/deploy.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
  'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:50051"]\n  periodSeconds: 10\n',
};

test("a code release that keeps the chart's values probe on exec holds values.yaml (overlay-patch)", async () => {
  const dir = repoWith(CHART);
  const remove = registerCodeReleases((r) => (r.cwd === dir ? [{ chartRoot: path.join(dir, 'chart'), shown: 'the helm.v3.Release api in infra/index.ts', kept: [{ keyPath: 'readinessProbe', kept: 'keeps it on exec' }] }] : []));
  try {
    const { findings } = await run({ cwd: dir });
    const values = findings.find((f) => f.file === 'chart/values.yaml')!;
    expect(values).toMatchObject({ status: 'blocked', blockers: ['overlay-patch'] });
    expect(values.message).toContain('the helm.v3.Release api in infra/index.ts keeps it on exec');
  } finally {
    remove();
  }
});

test('a code release by chart name holds the chart of that name; one that keeps nothing holds nothing', async () => {
  const dir = repoWith(CHART);
  const remove = registerCodeReleases((r) =>
    r.cwd === dir
      ? [
          { chartName: 'api', chartShown: 'acme/api', shown: 'the Chart api in cdk8s/main.ts', kept: [{ keyPath: 'readinessProbe', kept: 'gives it httpGet' }] },
          { chartRoot: path.join(dir, 'chart'), shown: 'the helm.v3.Release other in infra/index.ts', kept: [] },
        ]
      : [],
  );
  try {
    const { findings } = await run({ cwd: dir });
    expect(findings.find((f) => f.file === 'chart/values.yaml')!.message).toContain('the Chart api in cdk8s/main.ts gives it httpGet');
  } finally {
    remove();
  }
  // Removed: the same chart migrates.
  const again = repoWith(CHART);
  const { findings } = await run({ cwd: again });
  expect(findings.find((f) => f.file === 'chart/values.yaml')).toMatchObject({ status: 'migratable' });
});

/**
 * Hints of findings the fixtures do not compare (they hold rule, place, status, blockers and
 * message): what each finding tells the user to do must be the right advice for it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { ROOT, copyOf, repoWith } from './support/repo.js';

const fixture = (rel: string) => fs.readFileSync(path.join(ROOT, 'fixtures', rel), 'utf8');

test("a ClusterServiceVersion's minKubeVersion below 1.24 blocks with a hint about minKubeVersion and --kube-version", async () => {
  const dir = repoWith({ 'bundle/manifests/op.clusterserviceversion.yaml': fixture('kubernetes-exec-probe/olm-csv-min-kube-version-explicit.input.yaml') });
  const { findings } = await run({ cwd: dir });
  expect(findings).toMatchObject([{ status: 'blocked', blockers: ['kube-version'] }]);
  expect(findings[0]!.hint).toMatch(/^OLM installs the bundle on every cluster from spec\.minKubeVersion\. Raise it to 1\.24\.0 .*pass --kube-version when every target cluster is newer\.$/);
  const explicit = await run({ cwd: dir, kubeVersion: '1.25', kubeVersionExplicit: true });
  expect(explicit.findings).toMatchObject([{ status: 'migratable' }]);
});

test('a build recipe that only downloads the binary is an install with a hint to remove it by hand, not a wait-loop hint', async () => {
  const dir = repoWith({ 'rockcraft.yaml': fixture('kubernetes-exec-probe/yaml-script-installs.input.yaml') });
  const { findings } = await run({ cwd: dir });
  const installs = findings.filter((f) => f.blockers.includes('unsupported-file'));
  expect(installs).toHaveLength(2);
  for (const f of installs) {
    expect(f.hint).toMatch(/delete these lines by hand/);
    expect(f.hint).not.toMatch(/wait loop|startupProbe/);
  }
  // The others run it (also through exec "$P"), take it from something else, or are no recipe's
  // script (a ConfigMap's health.sh): uses that keep the binary, with the general hint.
  expect(findings.filter((f) => f.blockers.includes('not-a-probe'))).toHaveLength(5);
});

test('a probe in an Argo CD helm.values string: a quoted or folded one says what to write by hand and keeps the binary, a literal block is rewritten', async () => {
  const dir = copyOf(path.join(ROOT, 'fixtures/helm-exec-probe/release-values-argocd-string/input'));
  const { findings } = await run({ cwd: dir, fix: true });
  const apps = findings.filter((f) => f.file === 'argocd/apps.yaml');
  expect(apps.map((f) => [f.status, f.blockers])).toEqual([
    ['migrated', []],
    ['migrated', []],
    ['blocked', ['unsupported-file']],
    ['blocked', ['unsupported-file']],
    ['blocked', ['host']],
  ]);
  const [, , quoted, folded] = apps;
  expect(quoted!.hint).toBe(
    'Write the probe by hand in the values: in place of its exec, exec: null and grpc: {port: 9002, service: ""} (the values merge over the chart\'s: exec: null deletes the chart\'s exec handler, and service: "" keeps checking the whole server where the chart\'s probe names a service); or write the values as a literal block (|) or as helm.valuesObject (Argo CD 2.8 or later), which the tool rewrites, and run it again.',
  );
  expect(folded!.hint).toContain('exec: null and grpc: {port: 9093, service: ""} (');
  // A chart not in the repository: the probe dials the local host, where the chart's pod may be on the host's network.
  const outside = repoWith({ 'app.yaml': fixture('kubernetes-exec-probe/argocd-values-string.input.yaml') });
  const [liveness, readiness, startup, wait] = (await run({ cwd: outside, fix: true })).findings;
  expect([liveness, startup].map((f) => f!.blockers)).toEqual([['host'], ['host']]);
  expect(readiness!.hint).toMatch(/^The kubelet probes in plaintext/);
  expect(wait!.blockers).toEqual(['not-a-probe']);
  expect(fs.readFileSync(path.join(outside, 'app.yaml'), 'utf8')).toBe(fixture('kubernetes-exec-probe/argocd-values-string.input.yaml'));
});

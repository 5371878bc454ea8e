/** --kube-version as clusters print it: `kubectl version` on EKS, GKE, k3s, OpenShift adds a semver suffix. */
import { expect, test } from '@jest/globals';
import { kubeVersionSupportsGrpc, parseKubeVersion } from '../src/analysis/kube-version.js';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { POD, repoWith } from './support/repo.js';

test.each([
  ['1.23', 1, 23],
  ['v1.29.3', 1, 29],
  ['v1.30.4-eks-a737599', 1, 30],
  ['v1.29.1-gke.1589018', 1, 29],
  ['v1.31.0-rc.1', 1, 31],
  ['v1.29.3+k3s1', 1, 29],
  ['v1.27.6+f67aeb3', 1, 27],
  ['1.28.2-alpha.0+abc.def', 1, 28],
  [' v1.30.0 ', 1, 30],
])('%s reads as %s.%s', (text, major, minor) => {
  expect(parseKubeVersion(text)).toEqual({ major, minor });
});

test.each(['latest', '1', 'v1.30-eks', '1.30.4-', '1.30.4+', '1.30.4-eks..1', '1.30.4 eks', 'v1.30.4-eks_1'])('%s is not a version', (text) => {
  expect(parseKubeVersion(text)).toBeUndefined();
});

test('a managed cluster older than 1.24 still blocks native probes', () => {
  expect(kubeVersionSupportsGrpc('v1.23.17-eks-8cb36c9')).toBe(false);
  expect(kubeVersionSupportsGrpc('v1.24.0-gke.100')).toBe(true);
});

test('the CLI takes an EKS version and reads its minor', async () => {
  const dir = repoWith({ 'a.yaml': POD });
  const io = captureIo(dir);
  // 1: a probe can migrate (2 would be the usage error it was).
  expect(await main(['--kube-version', 'v1.30.4-eks-a737599', '--format', 'json'], io)).toBe(1);
  expect(io.err()).toBe('');
  expect(JSON.parse(io.out()).findings[0].status).toBe('migratable');
  const old = captureIo(dir);
  expect(await main(['--kube-version', 'v1.23.17-eks-8cb36c9', '--format', 'json'], old)).toBe(0);
  expect(JSON.parse(old.out()).findings[0].blockers).toEqual(['kube-version']);
});

test.each([
  [[] as string[], 'grpc-probe-migrate: '],
  [['verify', '--host', '10.0.3.17'], ''],
  [['pr'], ''],
])('a version the tool cannot read is a usage error that says what it takes (%j)', async (command, prefix) => {
  const dir = repoWith({ 'a.yaml': POD });
  const io = captureIo(dir);
  expect(await main([...command, '--kube-version', '1.30-eks', 'a.yaml'], io)).toBe(2);
  // Not "is not X.Y": the suffixed versions managed clusters print are taken too.
  expect(io.err()).toContain(
    `${prefix}--kube-version "1.30-eks" is not a Kubernetes version: give X.Y or X.Y.Z, optionally with a leading v and the suffix kubectl version prints for a managed cluster (e.g. 1.27, v1.29.3, v1.30.4-eks-a737599, v1.29.1-gke.1589018)`,
  );
  expect(io.err()).not.toContain('X.Y (e.g.');
});

test('--help of the scan, verify and pr says the versions --kube-version takes', async () => {
  for (const command of [[], ['verify'], ['pr']]) {
    const io = captureIo(repoWith({}));
    expect(await main([...command, '--help'], io)).toBe(0);
    expect(io.out()).toContain('--kube-version VER');
    expect(io.out()).toContain('v1.30.4-eks-a737599');
    expect(io.out()).not.toContain('--kube-version X.Y');
  }
});

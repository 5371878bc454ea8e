/**
 * A partial manifest applied over a base (src/kubernetes/partial-manifests.ts) in a pre-commit run
 * over one file of a git checkout with many manifests: git says which files hold the object's
 * name (one search a name), where the run read every manifest with a probe key. The pair is
 * still found, and a name no other file holds holds nothing.
 */
import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const deployment = (name: string, image = true) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
${image ? `  selector:\n    matchLabels: {app: ${name}}\n` : ''}  template:
    spec:
      containers:
        - name: ${name}
${image ? `          image: example.com/${name}:1\n` : ''}          readinessProbe:
            exec:
              command: [${image ? '"/bin/grpc_health_probe", "-addr=:50051"' : '"sh", "-c", "grpc_health_probe -addr=:50051 && test ! -f /tmp/draining"'}]
`;

test('in a git checkout of many manifests, a one-file run finds the partial manifest of its object through git and holds the probe; another object migrates', async () => {
  const files: Record<string, string> = { 'k8s/api.yaml': deployment('api'), 'k8s/prod/api-probe.yaml': deployment('api', false), 'k8s/web.yaml': deployment('web') };
  for (let i = 0; i < 201; i++) files[`other/svc-${i}.yaml`] = deployment(`svc-${i}`);
  const cwd = repoWith(files);
  const git = (...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'x');
  const status = async (file: string) => (await run({ cwd, paths: [file], partialView: 'a file list' })).findings.find((f) => f.file === file && f.ruleId === 'kubernetes-exec-probe');
  const api = await status('k8s/api.yaml');
  expect(api?.status).toBe('blocked');
  expect(api?.message).toContain('k8s/prod/api-probe.yaml:');
  expect((await status('k8s/web.yaml'))?.status).toBe('migratable');
}, 60_000);

test('the names a pre-commit run names are searched for beside git\'s listing, and the reader uses that search for the names it covers', async () => {
  const { listRepositories } = await import('../src/discover/scope.js');
  const { nameSearchPattern } = await import('../src/discover/grep.js');
  const files: Record<string, string> = { 'k8s/api.yaml': deployment('api'), 'k8s/prod/api-probe.yaml': deployment('api', false) };
  for (let i = 0; i < 201; i++) files[`other/svc-${i}.yaml`] = deployment(`svc-${i}`);
  const cwd = repoWith(files);
  execFileSync('git', ['-C', cwd, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', cwd, 'add', '-A'], { stdio: 'ignore' });
  const repositoryListing = listRepositories(['k8s/api.yaml'], cwd);
  // Every `name:` value of the named manifest (the object's and the container's: both "api").
  expect(nameSearchPattern(cwd, 'api')).toBe('(?:api)');
  expect(nameSearchPattern(cwd, 'web')).toBe('web');
  const result = await run({ cwd, paths: ['k8s/api.yaml'], partialView: 'a file list', repositoryListing });
  const api = result.findings.find((f) => f.file === 'k8s/api.yaml' && f.ruleId === 'kubernetes-exec-probe');
  expect(api?.status).toBe('blocked');
  expect(api?.message).toContain('k8s/prod/api-probe.yaml:');
}, 60_000);

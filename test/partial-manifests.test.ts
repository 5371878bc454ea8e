/**
 * A partial manifest applied over a base (src/kubernetes/partial-manifests.ts) in a pre-commit run
 * over one file of a git checkout with many manifests: git says which files hold the object's
 * name (one search a name), where the run read every manifest with a probe key. The pair is
 * still found, and a name no other file holds holds nothing.
 */
import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
  const { ESCAPED_NAME_SEARCH, nameSearchPattern } = await import('../src/discover/grep.js');
  const files: Record<string, string> = { 'k8s/api.yaml': deployment('api'), 'k8s/prod/api-probe.yaml': deployment('api', false) };
  for (let i = 0; i < 201; i++) files[`other/svc-${i}.yaml`] = deployment(`svc-${i}`);
  const cwd = repoWith(files);
  execFileSync('git', ['-C', cwd, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', cwd, 'add', '-A'], { stdio: 'ignore' });
  const repositoryListing = listRepositories(['k8s/api.yaml'], cwd);
  // The object's metadata.name; another name is searched for on its own.
  expect(nameSearchPattern(cwd, 'api')).toBe(`${String.raw`(?<![\w.-])(?:api)(?![\w.-])`}|${ESCAPED_NAME_SEARCH}`);
  expect(nameSearchPattern(cwd, 'web')).toBe(`${String.raw`(?<![\w.-])(?:web)(?![\w.-])`}|${ESCAPED_NAME_SEARCH}`);
  const result = await run({ cwd, paths: ['k8s/api.yaml'], partialView: 'a file list', repositoryListing });
  const api = result.findings.find((f) => f.file === 'k8s/api.yaml' && f.ruleId === 'kubernetes-exec-probe');
  expect(api?.status).toBe('blocked');
  expect(api?.message).toContain('k8s/prod/api-probe.yaml:');
}, 60_000);

test('the names searched for beside the listing are the objects\' metadata names, in YAML and JSON, not their containers\' or ports\'', async () => {
  const { ESCAPED_NAME_SEARCH, searchNamesLater, nameSearchPattern } = await import('../src/discover/grep.js');
  const cwd = repoWith({ 'a.yaml': 'x' });
  void searchNamesLater(cwd, [
    'apiVersion: v1\nkind: Service\nmetadata:\n  labels:\n    app: x\n  name: checkout\nspec:\n  ports:\n    - name: grpc\n---\nkind: Deployment\nmetadata:\n  name: "cart"\nspec:\n  template:\n    spec:\n      containers:\n        - name: server\n',
    '{"kind": "Deployment", "metadata": {"namespace": "a", "name": "pay-1"}, "spec": {"containers": [{"name": "main"}]}}',
  ]);
  expect(nameSearchPattern(cwd, 'checkout')).toBe(`${String.raw`(?<![\w.-])(?:checkout|cart|pay-1)(?![\w.-])`}|${ESCAPED_NAME_SEARCH}`);
  expect(nameSearchPattern(cwd, 'server')).toBe(`${String.raw`(?<![\w.-])(?:server)(?![\w.-])`}|${ESCAPED_NAME_SEARCH}`);
  expect(nameSearchPattern(cwd, 'grpc')).toBe(`${String.raw`(?<![\w.-])(?:grpc)(?![\w.-])`}|${ESCAPED_NAME_SEARCH}`);
});

test('the names search runs in the YAML readers\' prefetched git grep: one process answers both readers', async () => {
  const { listRepositories } = await import('../src/discover/scope.js');
  const { filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH, MANIFEST_PATHSPECS, nameSearchPattern } = await import('../src/discover/grep.js');
  const cwd = repoWith({ 'k8s/api.yaml': deployment('api'), 'k8s/other.yaml': deployment('other'), 'flux/ks.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n' });
  execFileSync('git', ['-C', cwd, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', cwd, 'add', '-A'], { stdio: 'ignore' });
  const listing = listRepositories(['k8s/api.yaml'], cwd);
  await listing.searches?.();
  // Changed after the search: an answer git gave now would see it; the prefetched one does not.
  fs.writeFileSync(path.join(cwd, 'k8s/other.yaml'), `${deployment('other')}# api, argoproj.io/\n`);
  const run = { cwd } as unknown as Parameters<typeof filesMayHold>[0];
  const files = ['k8s/api.yaml', 'k8s/other.yaml', 'flux/ks.yaml'].map((f) => path.join(fs.realpathSync(cwd), f));
  expect([...filesMayHold(run, files, YAML_READERS_SEARCH, YAML_PATHSPECS)!].map((f) => path.relative(fs.realpathSync(cwd), f)).sort()).toEqual(['flux/ks.yaml', 'k8s/api.yaml']);
  expect([...filesMayHold(run, files, nameSearchPattern(cwd, 'api'), MANIFEST_PATHSPECS)!].map((f) => path.relative(fs.realpathSync(cwd), f)).sort()).toEqual(['flux/ks.yaml', 'k8s/api.yaml']);
});

test('git\'s search for escaped names (ESCAPED_NAME_SEARCH) finds every line the reader\'s own test (ESCAPED_NAME) does', async () => {
  const { ESCAPED_NAME, ESCAPED_NAME_SEARCH } = await import('../src/discover/grep.js');
  const search = new RegExp(ESCAPED_NAME_SEARCH, 'm');
  const lines = ['  name: "w\\x65b"', '  "name": "\\u0077eb"', '{"metadata": {"name":"\\u0077eb"}}', '  : "w\\x65b"', ': "we\\', '\t:\t"a\\'];
  for (const line of lines) {
    expect(ESCAPED_NAME.test(line)).toBe(true);
    expect(search.test(line)).toBe(true);
  }
  expect(search.test('  name: web')).toBe(false);
});

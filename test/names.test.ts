import path from 'node:path';
import { expect, test } from '@jest/globals';
import { isKustomization } from '../src/docker/images.js';
import { namedFiles } from '../src/discover/names.js';
import type { RunContext } from '../src/types.js';

const R = path.join(path.sep, 'repo');
const p = (rel: string) => path.join(R, ...rel.split('/'));

test('the repository files are sorted by name in one pass: YAML of any case, scripts, Makefiles, workflows, Pulumi and cdk8s projects, kustomizations; vendored scripts and node_modules projects left out', () => {
  const files = [
    'deploy/a.yaml', 'deploy/B.YML', 'deploy/c.Yaml', 'deploy/notyaml.yamlx', 'deploy/yaml', 'src/x.ts', 'src/y.go', 'src/s.sh', 'src/b.bash', 'src/z.zsh', 'src/k.ksh', 'src/S.SH', 'src/sh',
    'Makefile', 'sub/GNUmakefile', 'sub/makefile', 'sub/rules.mk', 'sub/Makefile.am', 'sub/xMakefile',
    '.github/workflows/ci.yml', '.github/workflows/nested/x.yml', 'x.github/workflows/y.yml', 'infra/Pulumi.yaml', 'cdk/cdk8s.yml', 'node_modules/p/Pulumi.yaml',
    'vendor/v/run.sh', 'node_modules/m/Makefile', 'src/.hidden', 'dot.', 'a.b/c', 'k/kustomization.yaml', 'k/Kustomization', 'k/kustomization.yml', 'k/Kustomization.yaml', 'k/xKustomization', 'k/Kustomizations',
  ].map(p);
  const named = namedFiles({ repositoryFiles: () => files } as unknown as RunContext);
  expect(named.yaml).toEqual(['deploy/a.yaml', 'deploy/B.YML', 'deploy/c.Yaml', '.github/workflows/ci.yml', '.github/workflows/nested/x.yml', 'x.github/workflows/y.yml', 'infra/Pulumi.yaml', 'cdk/cdk8s.yml', 'node_modules/p/Pulumi.yaml', 'k/kustomization.yaml', 'k/kustomization.yml', 'k/Kustomization.yaml'].map(p));
  expect(named.shell).toEqual(['src/s.sh', 'src/b.bash', 'src/z.zsh', 'src/k.ksh'].map(p));
  expect(named.makefiles).toEqual(['Makefile', 'sub/GNUmakefile', 'sub/makefile', 'sub/rules.mk'].map(p));
  expect(named.workflows).toEqual(['.github/workflows/ci.yml'].map(p));
  expect(named.projects).toEqual(['infra/Pulumi.yaml', 'cdk/cdk8s.yml'].map(p));
  expect(named.kustomizations).toEqual(['k/kustomization.yaml', 'k/Kustomization', 'k/kustomization.yml'].map(p));
});

// The readers moved onto namedFiles keep the files their own filters chose, in the same order.
const LISTING = [
  'cmd/main.go', 'pkg/a/b.go', 'pkg/a/b_test.go', 'vendor/x/y.go', 'node_modules/m/z.go', 'pkg/.go', 'pkg/x.GO', 'pkg/x.gox', 'pkg/go', 'pkg/a.go/b', 'pkg/a.go/c.go', 'pkg/x.mk', 'pkg/x.sh', 'pkg/x.g', 'pkg/x.ko',
  'k/kustomization.yaml', 'k/Kustomization', 'k/kustomization.yml', 'k/Kustomization.yaml', 'k/kustomization.YAML', 'k/xkustomization.yaml', 'k/Kustomizations', 'kustomization.yaml/x', 'vendor/k/kustomization.yaml',
].map(p);
const listed = namedFiles({ repositoryFiles: () => LISTING } as unknown as RunContext);

test('the Go files are those the Go readers chose (src/kubernetes/go-readers.ts: endsWith .go)', () => {
  expect(listed.go).toEqual(LISTING.filter((f) => f.endsWith('.go')));
  expect(listed.go).toEqual(['cmd/main.go', 'pkg/a/b.go', 'pkg/a/b_test.go', 'vendor/x/y.go', 'node_modules/m/z.go', 'pkg/.go', 'pkg/a.go/c.go'].map(p));
});

test('the kustomizations are those the image ties chose (src/docker/ties.ts: isKustomization of the base name)', () => {
  expect(listed.kustomizations).toEqual(LISTING.filter((f) => isKustomization(path.basename(f))));
});

test('CI pipelines and task files that hold scripts, Jenkinsfiles, and extensionless files that may be scripts are sorted in the same pass', () => {
  const files = [
    '.gitlab-ci.yml', 'sub/prod.gitlab-ci.yaml', '.gitlab/ci/deploy.yml', 'xgitlab-ci.yml', 'Taskfile.yml', 'sub/taskfile.yaml', 'Taskfile.dist.yml', '.drone.yml', 'drone.yaml', '.woodpecker.yml', '.woodpecker/deploy.yaml',
    '.buildkite/pipeline.yml', 'buildkite.yml', 'k8s/deploy.yaml', 'vendor/x/.drone.yml', '.github/workflows/ci.yml',
    'Jenkinsfile', 'ci/Jenkinsfile.release', 'ci/deploy.jenkinsfile', 'xJenkinsfile', 'node_modules/m/Jenkinsfile',
    'hack/deploy', 'bin/rollout', 'LICENSE', 'sub/OWNERS', 'Dockerfile', 'Makefile', 'k/Kustomization', 'vendor/v/bin/tool', 'a.b/c',
  ].map(p);
  const named = namedFiles({ repositoryFiles: () => files } as unknown as RunContext);
  expect(named.ciYaml).toEqual(['.gitlab-ci.yml', 'sub/prod.gitlab-ci.yaml', '.gitlab/ci/deploy.yml', 'Taskfile.yml', 'sub/taskfile.yaml', 'Taskfile.dist.yml', '.drone.yml', 'drone.yaml', '.woodpecker.yml', '.woodpecker/deploy.yaml', '.buildkite/pipeline.yml', 'buildkite.yml'].map(p));
  expect(named.jenkinsfiles).toEqual(['Jenkinsfile', 'ci/Jenkinsfile.release', 'ci/deploy.jenkinsfile'].map(p));
  expect(named.extensionless).toEqual(['xJenkinsfile', 'hack/deploy', 'bin/rollout', 'a.b/c'].map(p));
});

test('a YAML file whose last separator sits where a workflow folder would end is no workflow unless it is under one', () => {
  // `/repo/.woodpecker/` is as long as `/.github/workflows/` less one: lastIndexOf's -1 matched it.
  const files = ['/repo/.woodpecker/deploy.yaml', '/r/.github/workflows/ci.yml'].map((f) => f.split('/').join(path.sep));
  const named = namedFiles({ repositoryFiles: () => files } as unknown as RunContext);
  expect(named.workflows).toEqual([files[1]]);
});

test('the files other readers find by name (Jsonnet/Starlark pipelines, PowerShell, justfiles, Tiltfiles, package.json) are sorted in the same pass, as those readers chose them', () => {
  const files = [
    'Tiltfile', 'svc/x.Tiltfile', 'justfile', 'sub/Justfile', '.justfile', 'ops/deploy.just', '.drone.jsonnet', 'lib/x.jsonnet', '.drone.star', 'deploy.ps1', 'm/mod.psm1',
    'package.json', 'web/package.json', 'tsconfig.json', 'src/a.ts', 'hack/deploy', 'Jenkinsfile', 'README.md', 'a/json', 'x.jsonl',
  ].map(p);
  const named = namedFiles({ repositoryFiles: () => files } as unknown as RunContext);
  expect(named.others).toEqual(['Tiltfile', 'svc/x.Tiltfile', 'justfile', 'sub/Justfile', '.justfile', 'ops/deploy.just', '.drone.jsonnet', 'lib/x.jsonnet', '.drone.star', 'deploy.ps1', 'm/mod.psm1', 'package.json', 'web/package.json'].map(p));
  expect(named.extensionless).toEqual(['hack/deploy', 'a/json'].map(p));
  // Every .json file, any case (the mesh Namespace index reads JSON manifests too).
  expect(named.json).toEqual(['package.json', 'web/package.json', 'tsconfig.json'].map(p));
});

/**
 * Build stages the fix leaves to nothing, or removes whole, and the builds that target them by
 * name (src/docker/build-target-refs.ts), in a git checkout: there `git grep` first narrows the
 * files read (the fixtures run without git).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { checkoutWith, ROOT } from './support/repo.js';

const TREES = path.join(ROOT, 'fixtures', 'dockerfile-binary-install');
const read = (rel: string) => fs.readFileSync(path.join(TREES, rel), 'utf8');
const LEFT = { Dockerfile: read('tree-stage-left-targeted/input/Dockerfile'), 'k8s/statefulset.yaml': read('tree-stage-left-targeted/input/k8s/statefulset.yaml') };
const FETCH = { Dockerfile: read('tree-fetch-stage-targeted/input/Dockerfile'), 'k8s/deployment.yaml': read('tree-fetch-stage-targeted/input/k8s/deployment.yaml') };

async function dockerfileFindings(files: Record<string, string>) {
  const result = await run({ cwd: checkoutWith(files), fix: true });
  return result.findings.filter((f) => f.file === 'Dockerfile').map((f) => ({ line: f.line, status: f.status, message: f.message }));
}

test('a stage left to nothing is said to be unused (info) when no file builds it as a target', async () => {
  const findings = await dockerfileFindings(LEFT);
  expect(findings.filter((f) => f.status === 'info')).toEqual([{ line: 8, status: 'info', message: expect.stringContaining('build stage "go-runtime" (FROM debian:stable-slim) looks unused once what used it goes (COPY at line 17)') }]);
  expect(findings.filter((f) => f.status === 'migrated').map((f) => f.line)).toEqual([13, 17]);
});

test('…and not when a CI job builds it, its --target and name on two lines joined by a continuation', async () => {
  const findings = await dockerfileFindings({ ...LEFT, '.gitlab-ci.yml': 'tools:\n  script:\n    - docker build --target \\\n        go-runtime -t kms-go-tools .\n' });
  expect(findings.map((f) => f.status)).toEqual(['migrated', 'migrated']);
});

test('words that only hold `target` and the name are no build of it (targetPort, build_target)', async () => {
  const findings = await dockerfileFindings({ ...LEFT, 'k8s/service.yaml': 'kind: Service\nspec:\n  ports:\n    - targetPort: go-runtime\n      build_target: go-runtime\n' });
  expect(findings.filter((f) => f.status === 'info').map((f) => f.line)).toEqual([8]);
});

test('a stage that only fetches the binary, which a compose build targets (the name in another case), keeps the installs', async () => {
  const compose = 'services:\n  downloader:\n    build:\n      context: .\n      target: Downloader\n    image: acme/health-downloader\n';
  const findings = await dockerfileFindings({ ...FETCH, 'compose.yaml': compose });
  expect(findings.map((f) => f.status)).toEqual(['blocked', 'blocked']);
  expect(findings[0]!.message).toContain('kept — compose.yaml:5 may build stage "downloader" as an image of its own');
  const without = await dockerfileFindings(FETCH);
  expect(without.map((f) => f.status)).toEqual(['migrated', 'migrated']);
});

import path from 'node:path';
import { expect, jest, test } from '@jest/globals';
import type { RunOptions, RunResult } from '../src/types.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

// The CLI decides whether the run sees the whole repository; catch the options it passes.
const calls: RunOptions[] = [];
const empty: RunResult = {
  findings: [],
  files: [],
  summary: { filesScanned: 0, candidates: 0, filesChanged: 0, probes: { migratable: 0, migrated: 0, blocked: 0 }, installs: { migratable: 0, migrated: 0, blocked: 0 }, blocked: 0, info: 0, errors: 0, skipped: [] },
};
jest.unstable_mockModule('../src/engine.js', () => ({
  DEFAULT_KUBE_VERSION: '1.27',
  run: async (o: RunOptions) => {
    calls.push(o);
    return empty;
  },
}));
const { main } = await import('../src/cli.js');

// Outside any git checkout nothing says where the repository ends: a folder is all of it.
const dir = repoWith({ 'k8s/a.yaml': 'kind: Pod\n' });

test.each([
  [[], false],
  [['.'], false],
  [['k8s'], false],
  [['k8s/a.yaml'], 'a file list'],
  [['k8s', 'k8s/a.yaml'], 'a file list'],
  [['k8s/a.yaml', '--assume-complete'], false],
  [['-'], false],
])('paths %j: partialView %s', async (args, partial) => {
  calls.length = 0;
  expect(await main(args, captureIo(dir))).toBe(0);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.partialView).toBe(partial);
});

// In a git checkout, a folder that leaves out the checkout's top folder is part of it too: a
// Dockerfile there may serve a probe that lives elsewhere (deploy/ for services/api).
const checkout = repoWith({ 'deploy/a.yaml': 'kind: Pod\n', 'services/api/Dockerfile': 'FROM scratch\n' }, { git: true });

test.each([
  ['.', [], undefined],
  ['.', ['.'], undefined],
  ['.', ['deploy', 'services', '.'], undefined],
  ['.', ['services/api'], 'the folder services/api of the repository at .'],
  ['.', ['services/api', 'deploy'], 'the folder services/api of the repository at .'],
  ['services/api', [], 'the folder services/api of the repository at ../..'],
  ['services/api', ['../..'], undefined],
  ['services/api', ['--assume-complete'], undefined],
  ['.', ['services/api', '--assume-complete'], undefined],
  ['.', ['deploy/a.yaml', 'services'], 'a file list'],
])('in a checkout, from %s, paths %j: partial view %s', async (from, args, why) => {
  calls.length = 0;
  expect(await main(args, captureIo(path.join(checkout, from)))).toBe(0);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.partialView).toBe(why ?? false);
});

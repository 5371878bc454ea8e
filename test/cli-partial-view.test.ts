import { expect, jest, test } from '@jest/globals';
import type { RunOptions, RunResult } from '../src/types.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

// The CLI decides whether the run sees the whole repository; catch the options it passes.
const calls: RunOptions[] = [];
const empty: RunResult = {
  findings: [],
  files: [],
  summary: { filesScanned: 0, candidates: 0, filesChanged: 0, probes: { migratable: 0, migrated: 0, blocked: 0 }, installs: { migratable: 0, migrated: 0, blocked: 0 }, blocked: 0, errors: 0, skipped: [] },
};
jest.unstable_mockModule('../src/engine.js', () => ({
  DEFAULT_KUBE_VERSION: '1.27',
  run: async (o: RunOptions) => {
    calls.push(o);
    return empty;
  },
}));
const { main } = await import('../src/cli.js');

const dir = repoWith({ 'k8s/a.yaml': 'kind: Pod\n' });

test.each([
  [[], false],
  [['.'], false],
  [['k8s'], false],
  [['k8s/a.yaml'], true],
  [['k8s', 'k8s/a.yaml'], true],
  [['k8s/a.yaml', '--assume-complete'], false],
  [['-'], false],
])('paths %j: partialView %s', async (args, partial) => {
  calls.length = 0;
  expect(await main(args, captureIo(dir))).toBe(0);
  expect(calls).toHaveLength(1);
  expect(calls[0]!.partialView).toBe(partial);
});

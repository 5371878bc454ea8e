/** The bundled demo repository shows each outcome a user meets: migrated, blocked, removed, kept. */
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { ROOT } from './support/repo.js';

const demo = path.join(ROOT, 'fixtures', 'demo-repo');

test('the demo: api migrates and its image loses the binary; payments (TLS) keeps both', async () => {
  const result = await run({ paths: ['.'], cwd: demo });
  const byFile = (file: string) => result.findings.filter((f) => f.file === file).map((f) => [f.status, f.blockers]);
  expect(byFile('k8s/api.yaml')).toEqual([
    ['migratable', []],
    ['migratable', []],
  ]);
  expect(byFile('k8s/payments.yaml')).toEqual([['blocked', ['tls']]]);
  // skaffold.yaml ties each Dockerfile to its image, so the decision is per image.
  expect(byFile('services/api/Dockerfile')).toEqual([['migratable', []]]);
  expect(byFile('services/payments/Dockerfile')).toEqual([['blocked', ['binary-still-used']]]);
  expect(result.findings.find((f) => f.file === 'services/payments/Dockerfile')?.message).toContain('k8s/payments.yaml:20');
  expect(result.files.filter((f) => f.changed).map((f) => f.file.displayPath).sort()).toEqual(['k8s/api.yaml', 'services/api/Dockerfile']);
});

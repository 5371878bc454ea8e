/**
 * The real-world corpus, vendored from ../shared/corpus/microservices-demo into
 * fixtures/corpus/ (Apache-2.0, see its LICENSE and SOURCE.md) so a fresh clone can run it: the
 * tool's result on `before/kubernetes-manifests` must equal the project's own hand migration in
 * `after/`, object for object, except cartservice, where the tool keeps -rpc-timeout=5s as
 * timeoutSeconds: 5 (the hand migration dropped it; see SOURCE.md there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/engine.js';
import { CORPUS } from './support/corpus.js';
import { copyOf } from './support/repo.js';



function objects(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS());
}

describe('microservices-demo kubernetes-manifests', () => {
  const before = path.join(CORPUS, 'before', 'kubernetes-manifests');
  const after = path.join(CORPUS, 'after', 'kubernetes-manifests');

  test('the corpus is present', () => {
    expect(fs.existsSync(before)).toBe(true);
  });

  test('--fix gives the hand-migrated objects, and keeps cartservice\'s 5 s timeout', async () => {
    const dir = copyOf(before);
    const result = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(result.findings.filter((f) => f.status !== 'migrated')).toEqual([]);
    expect(result.summary.probes.migrated).toBe(18);

    for (const name of fs.readdirSync(before)) {
      const got = objects(fs.readFileSync(path.join(dir, name), 'utf8'));
      const want = objects(fs.readFileSync(path.join(after, name), 'utf8')) as Record<string, any>[];
      if (name === 'cartservice.yaml') {
        const c = want[0]!.spec.template.spec.containers[0];
        c.readinessProbe.timeoutSeconds = 5;
        c.livenessProbe.timeoutSeconds = 5;
      }
      expect({ name, objects: got }).toEqual({ name, objects: want });
    }
    const cart = result.findings.filter((f) => f.file === 'cartservice.yaml');
    expect(cart.map((f) => f.message)).toEqual([
      expect.stringContaining('timeoutSeconds raised from 1 to 5 to keep -rpc-timeout=5s'),
      expect.stringContaining('timeoutSeconds raised from 1 to 5 to keep -rpc-timeout=5s'),
    ]);
  });

  test('only the probe lines change: every other line is byte for byte the same', async () => {
    const dir = copyOf(before);
    await run({ paths: ['.'], cwd: dir, fix: true });
    for (const name of fs.readdirSync(before)) {
      if (name === 'cartservice.yaml') continue;
      // Outside cartservice the hand migration is exactly ours, down to the bytes.
      expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(fs.readFileSync(path.join(after, name), 'utf8'));
    }
  });
});

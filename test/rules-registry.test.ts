import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { RULES } from '../rules/index.js';
import { FIXTURES } from './harness.js';
import { ROOT } from './support/repo.js';

const rulesDir = path.join(ROOT, 'rules');

test('every rule module is registered, under its file name', () => {
  const files = fs
    .readdirSync(rulesDir)
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  expect(RULES.map((r) => r.meta.id).sort()).toEqual(files);
});

test('every rule has fixtures', () => {
  for (const r of RULES) expect({ id: r.meta.id, hasFixtures: fs.existsSync(path.join(FIXTURES, r.meta.id)) }).toEqual({ id: r.meta.id, hasFixtures: true });
});

test('rule metadata is complete', () => {
  for (const r of RULES) {
    expect(r.meta.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(r.meta.description.length).toBeGreaterThan(10);
    expect(r.meta.fileKinds.length).toBeGreaterThan(0);
  }
});

/**
 * A file's kind does not depend on the folder a run names it from (hunt15 A1): a Helm template is
 * one from inside its templates/ folder too, and a checkout that sits in a folder named
 * `templates` holds plain manifests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { classify } from '../src/classify.js';
import { run } from '../src/engine.js';
import { API_BASE, checkoutWith, repoWith } from './support/repo.js';

// API_BASE as a template: a -rpc-timeout its values' timeoutSeconds (1) is below.
const TEMPLATE = `${API_BASE.replace('"-addr=:5000"]', '"-addr=:50051", "-rpc-timeout=5s"]')}          timeoutSeconds: {{ .Values.to }}\n`;
const CHART = { 'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n', 'chart/values.yaml': 'to: 1\n', 'chart/templates/deployment.yaml': TEMPLATE };

test.each([
  ['a git checkout', checkoutWith],
  ['a folder outside git, the chart beside its templates/', (files: Record<string, string>) => repoWith(files)],
])('in %s, a template named from inside templates/ is a Helm template, read with its values', async (_name, make) => {
  const dir = make(CHART);
  const inside = path.join(dir, 'chart', 'templates');
  expect(classify('deployment.yaml', TEMPLATE, path.join(inside, 'deployment.yaml'))).toBe('helm-template');
  for (const [cwd, paths] of [[dir, ['chart/templates/deployment.yaml']], [inside, ['deployment.yaml']], [inside, ['.']]] as const) {
    const result = await run({ cwd, paths: [...paths], fix: true });
    // values.yaml's `to: 1` is below -rpc-timeout's 5 s: blocked, whatever folder named it.
    expect(result.findings.map((f) => [f.ruleId, f.status])).toEqual([['helm-exec-probe', 'blocked']]);
  }
  expect(fs.readFileSync(path.join(inside, 'deployment.yaml'), 'utf8')).toBe(TEMPLATE);
});

test('a checkout inside a folder named templates holds plain manifests, not Helm templates', () => {
  const outer = repoWith();
  const checkout = path.join(outer, 'templates', 'repo');
  fs.mkdirSync(path.join(checkout, 'k8s'), { recursive: true });
  fs.mkdirSync(path.join(checkout, '.git'));
  const file = path.join(checkout, 'k8s', 'deploy.yaml');
  expect(classify('templates/repo/k8s/deploy.yaml', 'kind: Pod\n', file)).toBe('yaml');
  // Its own templates/ folder still is one.
  expect(classify('templates/repo/chart/templates/x.yaml', 'kind: Pod\n', path.join(checkout, 'chart', 'templates', 'x.yaml'))).toBe('helm-template');
});

test('a checkout whose own folder is named templates holds plain manifests (review21 R1)', () => {
  const outer = repoWith();
  const checkout = path.join(outer, 'templates');
  fs.mkdirSync(path.join(checkout, 'k8s'), { recursive: true });
  fs.mkdirSync(path.join(checkout, '.git'));
  expect(classify('k8s/deploy.yaml', 'kind: Pod\n', path.join(checkout, 'k8s', 'deploy.yaml'))).toBe('yaml');
  expect(classify('deploy.yaml', 'kind: Pod\n', path.join(checkout, 'deploy.yaml'))).toBe('yaml');
});

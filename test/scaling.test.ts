/**
 * Work that grows with the tree, counted rather than timed (speed is the benchmark's job): a
 * monorepo's folder of N charts is listed once per run, not once per chart, and a file that is not
 * there (a chart's requirements.yaml) is asked for once. Asked chart by chart, 400 charts in one
 * folder took 40 s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, jest, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

afterEach(() => {
  jest.restoreAllMocks();
});

const CHARTS = 12;

function monorepo(): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < CHARTS; i++) {
    files[`charts/c${i}/Chart.yaml`] = `apiVersion: v2\nname: c${i}\nversion: 0.1.0\n`;
    files[`charts/c${i}/values.yaml`] = 'livenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:5000"]\n';
    files[`charts/c${i}/templates/deployment.yaml`] =
      'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          livenessProbe:\n            {{- toYaml .Values.livenessProbe | nindent 12 }}\n';
  }
  // An umbrella beside them installs c0 by file://, with c0's probe kept on exec under its key.
  files['charts/umbrella/Chart.yaml'] = 'apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: c0\n    version: 0.1.0\n    repository: file://../c0\n';
  files['charts/umbrella/values.yaml'] = 'c0:\n  livenessProbe:\n    exec:\n      command: ["/bin/grpc_health_probe", "-addr=:5000", "-tls"]\n';
  return repoWith(files);
}

function spyReads(): { listed: string[]; read: string[] } {
  const listed: string[] = [];
  const read: string[] = [];
  const readdir = fs.readdirSync;
  const readFile = fs.readFileSync;
  jest.spyOn(fs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
    listed.push(String(p));
    return (readdir as (p: fs.PathLike, o?: unknown) => unknown)(p, o);
  }) as typeof fs.readdirSync);
  jest.spyOn(fs, 'readFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, o?: unknown) => {
    read.push(String(p));
    return (readFile as (p: fs.PathOrFileDescriptor, o?: unknown) => unknown)(p, o);
  }) as typeof fs.readFileSync);
  return { listed, read };
}

test('a folder of charts is listed once and a missing requirements.yaml read once, however many charts sit in it', async () => {
  const dir = monorepo();
  const { listed, read } = spyReads();

  const result = await run({ cwd: dir, paths: ['charts'] });

  // The walk lists it once, the umbrella lookup once.
  expect(listed.filter((p) => p === path.join(dir, 'charts')).length).toBeLessThanOrEqual(2);
  for (let i = 0; i < CHARTS; i++) expect(read.filter((p) => p === path.join(dir, `charts/c${i}/requirements.yaml`)).length).toBeLessThanOrEqual(1);
  // And the umbrella is still found: c0's default is held by its exec, the others migrate.
  const values = result.findings.filter((f) => f.file.endsWith('/values.yaml') && f.file.startsWith('charts/c'));
  expect(values.map((f) => [f.file, f.status, f.blockers ?? []])).toEqual([
    ['charts/c0/values.yaml', 'blocked', ['overlay-patch']],
    ...Array.from({ length: CHARTS - 1 }, (_, i) => [`charts/c${i + 1}/values.yaml`, 'migratable', []]).sort(),
  ].sort());
});

test('a run over one values.yaml reads only the charts beside it that could install it by file://', async () => {
  const dir = monorepo();
  const { read } = spyReads();

  const result = await run({ cwd: dir, paths: ['charts/c3/values.yaml'] });

  // The umbrella says file://, so its values are read; the other charts' values are not.
  expect(read).toContain(path.join(dir, 'charts/umbrella/values.yaml'));
  const others = Array.from({ length: CHARTS }, (_, i) => i)
    .filter((i) => i !== 3)
    .map((i) => path.join(dir, `charts/c${i}/values.yaml`));
  expect(read.filter((p) => others.includes(p))).toEqual([]);
  expect(result.findings.map((f) => [f.file, f.status])).toEqual([['charts/c3/values.yaml', 'migratable']]);
});

test('a values file that many releases name is read once per reader, not once per release', async () => {
  const files: Record<string, string> = {};
  const releases: string[] = [];
  for (let i = 0; i < CHARTS; i++) {
    files[`charts/c${i}/Chart.yaml`] = `apiVersion: v2\nname: c${i}\nversion: 0.1.0\n`;
    files[`charts/c${i}/values.yaml`] = 'livenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:5000"]\n';
    files[`envs/prod/c${i}.yaml`] = 'replicas: 2\n';
    releases.push(`  - name: c${i}\n    chart: ./charts/c${i}\n    values:\n      - common.yaml\n      - envs/{{ .Environment.Name }}/c${i}.yaml\n`);
  }
  files['common.yaml'] = 'replicas: 1\n';
  files['helmfile.yaml'] = `releases:\n${releases.join('')}`;
  const dir = repoWith(files);
  const { read } = spyReads();

  const result = await run({ cwd: dir, paths: ['.'] });

  // Once as a values file, and once by each reader that looks at every YAML file of the
  // repository (releases, controller patches, ytt overlays where git cannot narrow them down, the
  // command lines whose helm -f files hold a chart's values.yaml probes, other tools' YAML
  // commands; outside a git checkout those read every file): not once per release.
  expect(read.filter((p) => p === path.join(dir, 'common.yaml')).length).toBeLessThanOrEqual(6);
  expect(result.findings.filter((f) => f.status !== 'migratable')).toEqual([]);
  expect(result.summary.probes.migratable).toBe(CHARTS);
});

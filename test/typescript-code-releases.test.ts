/**
 * Helm releases in TypeScript (Pulumi helm.v3.Release, cdk8s Helm) reach the helm module through
 * the reader of src/typescript/code-releases.ts: a release that keeps its values probe on exec holds
 * its chart's values.yaml probe (overlay-patch), in a run over values.yaml alone too; ts-morph stays
 * unloaded where no code file names helm. The fixture tree-release-keeps-exec-holds-values holds
 * the whole-repository run.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { run } from '../src/engine.js';
import { captureIo } from './support/io.js';
import { tsMorphLoaded } from '../src/typescript/morph.js';
import { repoWith } from './support/repo.js';

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/templates/deploy.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
  'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:50051"]\n  periodSeconds: 10\n',
  'infra/Pulumi.yaml': 'name: api\nruntime: nodejs\n',
};

// First: no other test of this file has loaded ts-morph yet.
test('a Pulumi project whose code names no helm loads no ts-morph, and values.yaml migrates', async () => {
  const dir = repoWith({ ...CHART, 'infra/index.ts': 'export const x = 1;\n' });
  const { findings } = await run({ cwd: dir });
  expect(findings.find((f) => f.file === 'chart/values.yaml')).toMatchObject({ status: 'migratable' });
  expect(tsMorphLoaded()).toBe(false);
});

test('a run over values.yaml alone: a release whose file the run does not rewrite keeps exec and holds it', async () => {
  const release = 'import * as k8s from "@pulumi/kubernetes";\nnew k8s.helm.v3.Release("api", {\n  chart: "../chart",\n  values: { readinessProbe: { exec: { command: ["/bin/grpc_health_probe", "-addr=:50051"] } } },\n});\n';
  // A checkout: a run over one file reads the rest of the repository (git's listing).
  const dir = repoWith({ ...CHART, 'infra/index.ts': release });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '.'], { cwd: dir });
  const io = captureIo(dir);
  await main(['--format', 'json', 'chart/values.yaml'], io);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; blockers: string[]; message: string }[] }).findings;
  const values = findings.find((f) => f.file === 'chart/values.yaml')!;
  expect(values).toMatchObject({ status: 'blocked', blockers: ['overlay-patch'] });
  expect(values.message).toContain('the k8s.helm.v3.Release api in infra/index.ts:2 keeps it on exec (this run does not rewrite its file)');
  // The whole repository: the release migrates (exec: null beside grpc), and so does values.yaml.
  const all = await run({ cwd: dir });
  expect(all.findings.filter((f) => f.subject === 'probe').map((f) => [f.file, f.status])).toEqual([
    ['chart/values.yaml', 'migratable'],
    ['infra/index.ts', 'migratable'],
  ]);
});

test('values the tool cannot read (a call) may set any probe: values.yaml is held, naming them', async () => {
  const release = 'import * as k8s from "@pulumi/kubernetes";\nimport { values } from "./values";\nnew k8s.helm.v3.Release("api", { chart: "../chart", values: values() });\n';
  const dir = repoWith({ ...CHART, 'infra/index.ts': release });
  const { findings } = await run({ cwd: dir });
  const values = findings.find((f) => f.file === 'chart/values.yaml')!;
  expect(values).toMatchObject({ status: 'blocked', blockers: ['overlay-patch'] });
  expect(values.message).toContain('the k8s.helm.v3.Release api in infra/index.ts:3 may keep it on exec: its values are not an object literal the tool reads (values()');
});

/**
 * A Helm release in Pulumi or cdk8s code outside a project folder (no Pulumi.yaml or cdk8s.yaml
 * at or above it: a component library, an Automation API program) holds its chart's values.yaml
 * probe as one inside a project does: the helm-judging rules load the reader of releases in code
 * where a code file imports @pulumi/kubernetes or cdk8s (src/discover/iac-code.ts). Its own test
 * file: the reader, once loaded, stays registered for the process, so an earlier test that loads it
 * would hide a run that does not. The fixture typescript-exec-probe/tree-release-outside-project
 * holds the whole-repository run.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { repoWith } from './support/repo.js';

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/templates/deploy.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe | nindent 12 }}\n',
  'chart/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:50051"]\n  periodSeconds: 10\n',
};
const RELEASE = (imports: string) =>
  `${imports}\nnew k8s.helm.v3.Release("api", {\n  chart: "../chart",\n  values: { readinessProbe: { exec: { command: ["/bin/grpc_health_probe", "-addr=:50051", "-tls", "-tls-no-verify"] } } },\n});\n`;

async function valuesFinding(files: Record<string, string>) {
  // A checkout: a run over one file reads the rest of the repository (git's listing).
  const dir = repoWith({ ...CHART, ...files });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '.'], { cwd: dir });
  const io = captureIo(dir);
  await main(['--format', 'json', 'chart/values.yaml'], io);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; blockers: string[]; message: string }[] }).findings;
  return findings.find((f) => f.file === 'chart/values.yaml')!;
}

// First: the reader is not loaded yet. Code that imports neither module is not read for releases.
test('code that imports neither @pulumi/kubernetes nor cdk8s loads no reader of releases in code', async () => {
  const values = await valuesFinding({ 'infra/index.ts': RELEASE('import * as k8s from "./my-kubernetes";') });
  expect(values).toMatchObject({ status: 'migratable' });
});

test('a Pulumi release outside a project folder holds the values.yaml probe it keeps on exec, in a run over values.yaml alone', async () => {
  const values = await valuesFinding({ 'infra/index.ts': RELEASE('import * as k8s from "@pulumi/kubernetes";') });
  expect(values).toMatchObject({ status: 'blocked', blockers: ['overlay-patch'] });
  expect(values.message).toContain('the k8s.helm.v3.Release api in infra/index.ts:2 keeps it on exec (this run does not rewrite its file)');
});

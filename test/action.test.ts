import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, jest, test } from '@jest/globals';
import { parse } from 'yaml';
import { POD, podWith, repoWith, ROOT } from './support/repo.js';

// Each test runs git and node processes; a loaded machine can take longer than jest's 5 s.
jest.setTimeout(60_000);

interface Step {
  id?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
}
const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  name: string;
  inputs: Record<string, { description: string; default?: string }>;
  runs: { using: string; steps: Step[] };
};

const workspace = () => repoWith({ 'k8s/a.yaml': POD, 'other/b.yaml': POD }, { git: true });

/** Runs the action's main step as the runner would: its `run` in bash, inputs in its env. */
function runStep(cwd: string, inputs: Record<string, string>) {
  const step = action.runs.steps.find((s) => s.id === 'run')!;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NO_COLOR: '1', GITHUB_ACTION_PATH: ROOT, GITHUB_OUTPUT: path.join(cwd, 'github-output') };
  for (const [name, value] of Object.entries(step.env!)) {
    const m = /^\$\{\{ inputs\.([a-z-]+) \}\}$/.exec(value);
    expect(m).not.toBeNull();
    env[name] = inputs[m![1]!] ?? action.inputs[m![1]!]!.default ?? '';
  }
  return spawnSync('bash', ['-c', step.run!], { cwd, env, encoding: 'utf8' });
}

test('action.yml is a composite action with the documented inputs', () => {
  expect(action.runs.using).toBe('composite');
  expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['mode', 'paths', 'kube-version', 'assume-complete', 'keep-binary', 'grpc-tls-mode', 'sarif', 'branch', 'token']));
  expect(action.inputs.mode!.default).toBe('check');
  // Inputs reach the script through env only, never pasted into shell code.
  for (const s of action.runs.steps) expect(s.run ?? '').not.toContain('${{');
});

test('check mode writes the SARIF file and fails while migratable probes remain', () => {
  const dir = workspace();
  const r = runStep(dir, { sarif: 'results/grpc.sarif', paths: 'k8s' });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('k8s/a.yaml:7:5');
  expect(r.stdout).not.toContain('other/b.yaml');
  const log = JSON.parse(fs.readFileSync(path.join(dir, 'results/grpc.sarif'), 'utf8'));
  expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('k8s/a.yaml');
  expect(fs.readFileSync(path.join(dir, 'github-output'), 'utf8')).toBe('sarif=results/grpc.sarif\n');
  expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toBe(POD);
});

test('check mode with a file the tool cannot read: the log says why (not only the SARIF file), and the step fails', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'k8s/bad.yaml'), 'kind: Pod\nspec: [\n  grpc_health_probe\n');
  const r = runStep(dir, { sarif: 'grpc.sarif', paths: 'k8s' });
  expect(r.status).toBe(2);
  expect(r.stdout).toMatch(/k8s\/bad\.yaml:\d+:\d+ +error/);
  expect(r.stdout).toContain('k8s/a.yaml:7:5');
  const log = JSON.parse(fs.readFileSync(path.join(dir, 'grpc.sarif'), 'utf8'));
  expect(log.runs[0].results.map((x: { level: string }) => x.level)).toContain('error');
  expect(fs.readFileSync(path.join(dir, 'github-output'), 'utf8')).toBe('sarif=grpc.sarif\n');
});

test('check mode fails when the SARIF file cannot be written, even with nothing to migrate', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, 'taken'), '');
  const r = runStep(dir, { sarif: 'taken/grpc.sarif', paths: 'k8s', 'kube-version': '1.22' });
  expect(r.stdout).toContain('[kube-version]');
  expect(r.stderr).toContain('cannot write --output taken/grpc.sarif');
  expect(r.status).toBe(2);
  expect(fs.existsSync(path.join(dir, 'github-output'))).toBe(false);
});

test('fix mode rewrites the paths given (spaces or new lines between them)', () => {
  const dir = workspace();
  const r = runStep(dir, { mode: 'fix', paths: 'k8s\nother', 'kube-version': '1.27' });
  expect(r.status).toBe(0);
  for (const f of ['k8s/a.yaml', 'other/b.yaml']) expect(fs.readFileSync(path.join(dir, f), 'utf8')).toContain('grpc:\n        port: 5000');
});

test('paths on several lines are one per line, so a path may hold spaces; on one line spaces separate them', () => {
  const dir = repoWith({ 'my services/a.yaml': POD, 'other/b.yaml': POD, 'my/c.yaml': POD, 'services/d.yaml': POD }, { git: true });
  const r = runStep(dir, { paths: '  my services \n\nother\n' });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('my services/a.yaml:7:5');
  expect(r.stdout).toContain('other/b.yaml:7:5');
  expect(r.stdout).not.toContain('my/c.yaml');
  const oneLine = runStep(dir, { paths: 'my services' });
  expect(oneLine.stdout).toContain('my/c.yaml:7:5');
  expect(oneLine.stdout).toContain('services/d.yaml:7:5');
});

test('assume-complete, keep-binary and grpc-tls-mode reach the tool; a value other than true or false is refused', () => {
  const files = {
    'services/api/Dockerfile': 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n',
    'services/api/pod.yaml': POD,
  };
  const dockerfile = (dir: string) => fs.readFileSync(path.join(dir, 'services/api/Dockerfile'), 'utf8');
  // A folder of the checkout is part of the repository: the install stays...
  const partial = repoWith(files, { git: true });
  expect(runStep(partial, { mode: 'fix', paths: 'services/api' }).status).toBe(0);
  expect(dockerfile(partial)).toContain('grpc-health-probe');
  // ...unless the folder is said to be all of it.
  const complete = repoWith(files, { git: true });
  expect(runStep(complete, { mode: 'fix', paths: 'services/api', 'assume-complete': 'true' }).status).toBe(0);
  expect(dockerfile(complete)).not.toContain('grpc-health-probe');
  const kept = repoWith(files, { git: true });
  expect(runStep(kept, { mode: 'fix', paths: 'services/api', 'assume-complete': 'true', 'keep-binary': 'true' }).status).toBe(0);
  expect(dockerfile(kept)).toContain('grpc-health-probe');
  // With the TLS gate on every cluster, -tls -tls-no-verify migrates (check mode: exit 1, migratable).
  const tls = repoWith({ 'k8s/a.yaml': podWith('"-addr=:5000", "-tls", "-tls-no-verify"') }, { git: true });
  expect(runStep(tls, {}).status).toBe(0);
  expect(runStep(tls, { 'grpc-tls-mode': 'true' }).status).toBe(1);
  const bad = runStep(workspace(), { 'assume-complete': 'yes' });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('assume-complete must be true or false (got "yes")');
});

test('kube-version reaches the tool', () => {
  const dir = workspace();
  const r = runStep(dir, { 'kube-version': '1.22' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('[kube-version]');
});

test('pr mode runs the pr command (here without a token: a clear error)', () => {
  const dir = workspace();
  const r = runStep(dir, { mode: 'pr', token: '' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('grpc-probe-migrate pr: GITHUB_TOKEN is not set');
});

test('an unknown mode is refused', () => {
  const r = runStep(workspace(), { mode: 'deploy' });
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('mode must be check, fix or pr');
});

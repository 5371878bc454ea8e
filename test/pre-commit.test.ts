import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, jest, test } from '@jest/globals';
import { parse } from 'yaml';
import { classify } from '../src/classify.js';
import { POD, repoWith, ROOT } from './support/repo.js';

// Each test runs git and node processes; a loaded machine can take longer than jest's 5 s.
jest.setTimeout(60_000);

const bin = path.join(ROOT, 'bin', 'grpc-probe-migrate.js');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };

interface Hook {
  id: string;
  entry: string;
  language: string;
  types_or: string[];
  pass_filenames: boolean;
  args?: string[];
}
const hooks = parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

const repo = () => repoWith({ 'k8s/a.yaml': POD, 'k8s/b.yaml': POD, 'k8s/not-staged.yaml': POD });

/** Runs a hook as pre-commit does: its entry (the package's bin), its args, then the file names. */
function runHook(hook: Hook, cwd: string, files: string[]) {
  const [command, ...entryArgs] = hook.entry.split(/\s+/);
  expect(Object.keys(pkg.bin)).toContain(command);
  return spawnSync(process.execPath, [bin, ...entryArgs, ...(hook.args ?? []), ...files], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

test('.pre-commit-hooks.yaml declares a check hook and a fix hook for node, on YAML, JSON, Dockerfiles, TypeScript and JavaScript', () => {
  expect(hooks.map((h) => h.id)).toEqual(['grpc-probe-migrate', 'grpc-probe-migrate-fix']);
  // pre-commit's tags (the identify package) for the names of files the tool rewrites.
  const tags: Record<string, string> = { 'a.yaml': 'yaml', 'a.yml': 'yaml', 'a.json': 'json', Dockerfile: 'dockerfile', 'a.ts': 'ts', 'a.js': 'javascript', 'a.mjs': 'javascript', 'a.cjs': 'javascript' };
  for (const name of Object.keys(tags)) expect(classify(name)).not.toBe('other');
  for (const h of hooks) {
    expect(h.language).toBe('node');
    expect(h.pass_filenames).toBe(true);
    expect([...h.types_or].sort()).toEqual(['dockerfile', 'javascript', 'json', 'ts', 'yaml']);
    for (const tag of Object.values(tags)) expect(h.types_or).toContain(tag);
  }
  expect(hooks[0]!.entry).not.toContain('--fix');
  expect(hooks[1]!.entry.split(/\s+/)).toContain('--fix');
});

test('the check hook reads only the files it is given and fails while they hold migratable probes', () => {
  const dir = repo();
  const r = runHook(hooks[0]!, dir, ['k8s/a.yaml', 'k8s/b.yaml']);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('k8s/a.yaml:7:5');
  expect(r.stdout).toContain('k8s/b.yaml:7:5');
  expect(r.stdout).not.toContain('not-staged');
  expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toBe(POD);
});

test('the fix hook rewrites exactly the files it is given', () => {
  const dir = repo();
  const r = runHook(hooks[1]!, dir, ['k8s/a.yaml', 'k8s/b.yaml']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toContain('grpc:\n        port: 5000');
  expect(fs.readFileSync(path.join(dir, 'k8s/b.yaml'), 'utf8')).toContain('grpc:\n        port: 5000');
  expect(fs.readFileSync(path.join(dir, 'k8s/not-staged.yaml'), 'utf8')).toBe(POD);
  // pre-commit runs the hook again after the user stages the result: nothing left to do.
  expect(runHook(hooks[0]!, dir, ['k8s/a.yaml', 'k8s/b.yaml']).status).toBe(0);
});

test('the fix hook given the manifest and the Dockerfile migrates the probe and keeps the install, saying why', () => {
  const dockerfile = 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n';
  const dir = repoWith({ 'k8s/a.yaml': POD, Dockerfile: dockerfile, 'scripts/wait.sh': 'grpc_health_probe -addr=:5000\n' }, { git: true });
  const r = runHook(hooks[1]!, dir, ['k8s/a.yaml', 'Dockerfile']);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toContain('grpc:\n        port: 5000');
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
  expect(r.stdout).toMatch(/Dockerfile:2:1 +blocked .*only part of the repository was scanned \(a file list\)/);
});

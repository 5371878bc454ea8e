import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
  types: string[];
  files: string;
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

/** The hook's `files` pattern, as pre-commit applies it (Python's re.search; `(?i)` is its only flag). */
const hookFiles = (h: Hook) => new RegExp(h.files.replace(/^\(\?i\)/, ''), h.files.startsWith('(?i)') ? 'i' : '');

test('.pre-commit-hooks.yaml declares a check hook and a fix hook for node, on every kind of file the tool reads', () => {
  expect(hooks.map((h) => h.id)).toEqual(['grpc-probe-migrate', 'grpc-probe-migrate-fix']);
  // Paths as pre-commit passes them (relative to the top folder, `/`). Helm helpers (`.tpl`) and
  // `Containerfile`s carry no pre-commit type (identify tags them nothing), so the hooks select
  // by name: a `types_or` list would skip a commit that only touches `templates/_helpers.tpl`.
  const read = ['k8s/a.yaml', 'k8s/a.YML', 'a.json', 'chart/templates/_helpers.tpl', 'chart/templates/deploy.yaml', 'chart/values-prod.yaml', 'kustomization.yaml', 'Kustomization', 'overlays/prod/Kustomization', 'compose.yaml', 'Dockerfile', 'svc/Dockerfile.prod', 'svc/api.Dockerfile', 'Containerfile', 'infra/a.ts', 'infra/a.mts', 'a.js', 'a.mjs', 'a.cjs', 'scripts/wait.sh', 'scripts/wait.bash'];
  const notRead = ['README.md', 'docs/probes.txt', 'Makefile', 'main.go', 'Jenkinsfile', 'a.tf'];
  for (const name of read) expect(classify(name)).not.toBe('other');
  for (const name of notRead) expect(classify(name)).toBe('other');
  // YAML templates are read when what they hold is YAML (no `{{ }}`): the hooks pass them on.
  const templates = ['deploy/app.yaml.tpl', 'deploy/app.yml.j2', 'deploy/app.yaml.in', 'deploy/app.yaml.tmpl'];
  for (const name of templates) {
    expect(classify(name, 'image: ${IMAGE}\n')).toBe('yaml');
    expect(classify(name, 'image: {{ image }}\n')).toBe('other');
  }
  read.push(...templates);
  for (const h of hooks) {
    expect(h.language).toBe('node');
    expect(h.pass_filenames).toBe(true);
    expect(h.types).toEqual(['text']);
    expect(h).not.toHaveProperty('types_or');
    for (const name of read) expect([name, hookFiles(h).test(name)]).toEqual([name, true]);
    for (const name of notRead) expect([name, hookFiles(h).test(name)]).toEqual([name, false]);
  }
  expect(hooks[0]!.entry).not.toContain('--fix');
  expect(hooks[1]!.entry.split(/\s+/)).toContain('--fix');
});

test('the check hook fails on a commit that only changes a Helm helper template', () => {
  const helpers = '{{- define "svc.probes" -}}\nlivenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]\n{{- end -}}\n';
  const dir = repoWith({ 'chart/templates/_helpers.tpl': helpers, 'chart/values.yaml': 'port: 9000\n' });
  const staged = ['chart/templates/_helpers.tpl'].filter((f) => hookFiles(hooks[0]!).test(f));
  expect(staged).toEqual(['chart/templates/_helpers.tpl']);
  const r = runHook(hooks[0]!, dir, staged);
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/chart\/templates\/_helpers\.tpl:2:1 +migratable livenessProbe/);
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

test('pre-commit can install the hooks: `npm pack` prints only the tarball name, though prepare builds (the .npmrc)', () => {
  // pre-commit installs a node hook with `npm pack` and `npm install -g <its stdout>`; npm >= 10.5
  // prints a prepare script's banner and output on that stdout unless foreground-scripts is off.
  // A package with this repository's .npmrc and a prepare script that prints, packed for real.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-pack-'));
  fs.copyFileSync(path.join(ROOT, '.npmrc'), path.join(dir, '.npmrc'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'packed', version: '1.2.3', scripts: { prepare: 'node -e "console.log(42)"' } }));
  const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync('npm', ['pack', '--dry-run'], { cwd: dir, encoding: 'utf8', env: npmEnv });
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('packed-1.2.3.tgz');
});

test("the README's whole-checkout fix hook (pass_filenames: false, args: [.]) removes an install nothing runs any more", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('      - id: grpc-probe-migrate-fix\n        pass_filenames: false');
  expect(at).toBeGreaterThan(0);
  const shown = (parse(readme.slice(at, readme.indexOf('```', at))) as Partial<Hook>[])[0]!;
  expect(shown).toMatchObject({ id: 'grpc-probe-migrate-fix', pass_filenames: false });
  const hook = { ...hooks[1]!, ...shown };
  const dockerfile = 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n';
  const dir = repoWith({ 'k8s/a.yaml': POD, Dockerfile: dockerfile }, { git: true });
  // pass_filenames: false: pre-commit passes no file names, only the args.
  const r = runHook(hook, dir, []);
  expect(r.status).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toContain('grpc:\n        port: 5000');
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\n');
});

/**
 * A one-file (pre-commit) run lists the repository with git; a whole run walks the folder. Both
 * must see the same files, or a holder one of them reads (a Kustomize overlay keeping exec on a
 * base probe, a script that runs the binary) is missed by the other, which then migrates a probe
 * that breaks or removes an install still used (hunt 9, H1, H2, H5). Real git repositories, built
 * in temporary folders.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { discover } from '../src/discover/walk.js';
import { captureIo } from './support/io.js';
import { POD, repoWith, writeFiles, API_BASE } from './support/repo.js';

const BASE = API_BASE;
const BASE_FILES = { 'base/deployment.yaml': BASE, 'base/kustomization.yaml': 'resources:\n- deployment.yaml\n' };
/** An overlay (in a folder `overlays/` of its own) that keeps exec, with TLS, on the base's probe. */
const OVERLAY_FILES = {
  'prod/kustomization.yaml': 'resources:\n- ../../base\npatches:\n- path: patch.yaml\n',
  'prod/patch.yaml': BASE.replace('"-addr=:5000"]', '"-addr=:5000", "-tls"]'),
};

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, stdio: 'ignore' });

/** A repository whose `overlays/` folder is a git checkout of its own, committed there. */
function withNestedOverlays(): string {
  const dir = repoWith(BASE_FILES);
  git(dir, 'init', '-q');
  const overlays = path.join(dir, 'overlays');
  fs.mkdirSync(overlays);
  writeFiles(overlays, OVERLAY_FILES);
  git(overlays, 'init', '-q');
  git(overlays, 'add', '-A');
  git(overlays, 'commit', '-qm', 'overlays');
  return dir;
}

type Finding = { file: string; status: string; blockers: string[]; message: string };
async function findings(dir: string, args: string[]): Promise<Finding[]> {
  const io = captureIo(dir);
  await main(['--format', 'json', ...args], io);
  return (JSON.parse(io.out()) as { findings: Finding[] }).findings;
}
const baseFinding = (all: Finding[]) => all.filter((f) => f.file === 'base/deployment.yaml').map((f) => [f.status, f.blockers]);

test.each([
  ['a checked-out submodule', true],
  ['an untracked nested clone', false],
])('an overlay in %s holds the base in a one-file run as in the whole run', async (_name, submodule) => {
  const dir = withNestedOverlays();
  if (submodule) {
    fs.writeFileSync(path.join(dir, '.gitmodules'), '[submodule "overlays"]\n\tpath = overlays\n\turl = ./overlays\n');
    git(dir, 'add', '-A');
    expect(execFileSync('git', ['ls-files', '-s', 'overlays'], { cwd: dir, encoding: 'utf8' })).toMatch(/^160000 /);
  } else git(dir, 'add', 'base');
  const whole = await findings(dir, ['.']);
  expect(baseFinding(whole)).toEqual([['blocked', ['overlay-patch']]]);
  const one = await findings(dir, ['base/deployment.yaml']);
  expect(baseFinding(one)).toEqual([['blocked', ['overlay-patch']]]);
  expect(one[0]!.message).toContain('overlays/prod/patch.yaml (a strategic-merge patch applied by');
  // --fix leaves the base as it is.
  const io = captureIo(dir);
  await main(['--fix', 'base/deployment.yaml'], io);
  expect(fs.readFileSync(path.join(dir, 'base/deployment.yaml'), 'utf8')).toBe(BASE);
});

test("paths .git/info/exclude or core.excludesFile excludes are out of both runs' view, as git has them", async () => {
  for (const how of ['info/exclude', 'core.excludesFile'] as const) {
    const dir = repoWith({ ...BASE_FILES, ...Object.fromEntries(Object.entries(OVERLAY_FILES).map(([k, v]) => [`overlays/${k}`, v])) });
    git(dir, 'init', '-q');
    if (how === 'info/exclude') fs.appendFileSync(path.join(dir, '.git/info/exclude'), '\noverlays/\n');
    else {
      fs.writeFileSync(path.join(dir, '.git/my-excludes'), 'overlays/\n');
      git(dir, 'config', 'core.excludesFile', path.join(dir, '.git/my-excludes'));
    }
    const walked = discover(['.'], dir).files.map((f) => path.relative(dir, f.absPath).split(path.sep).join('/'));
    expect(walked.sort()).toEqual(['base/deployment.yaml', 'base/kustomization.yaml']);
    expect(baseFinding(await findings(dir, ['.']))).toEqual([['migratable', []]]);
    expect(baseFinding(await findings(dir, ['base/deployment.yaml']))).toEqual([['migratable', []]]);
  }
});

test("a nested checkout's files are ignored by its own ignore files, not by the folders' above it (as git lists them)", () => {
  const dir = repoWith({ '.gitignore': '*.yaml\n', 'a.yaml': 'x: 1\n' });
  git(dir, 'init', '-q');
  const nested = path.join(dir, 'nested');
  fs.mkdirSync(nested);
  git(nested, 'init', '-q');
  writeFiles(nested, { 'b.yaml': 'x: 1\n', 'c.txt': 'x\n' });
  fs.appendFileSync(path.join(nested, '.git/info/exclude'), '\n*.txt\n');
  const walked = discover(['.'], dir).files.map((f) => path.relative(dir, f.absPath).split(path.sep).join('/'));
  expect(walked.sort()).toEqual(['.gitignore', 'nested/b.yaml']);
});

test('a file committed under an ignored folder (git add -f) is read by the whole run: the install its script uses stays', async () => {
  const DOCKERFILE = `FROM alpine:3.20
ADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/grpc_health_probe
RUN chmod +x /bin/grpc_health_probe
`;
  const dir = repoWith({ '.gitignore': 'scripts/\n', Dockerfile: DOCKERFILE, 'scripts/smoke.sh': '#!/bin/sh\ngrpc_health_probe -addr=localhost:50051\n', 'scripts/untracked.sh': 'grpc_health_probe -addr=:1\n' });
  git(dir, 'init', '-q');
  git(dir, 'add', '.gitignore', 'Dockerfile');
  git(dir, 'add', '-f', 'scripts/smoke.sh');
  const all = await findings(dir, ['.']);
  expect(all.map((f) => [f.file, f.status])).toEqual([
    ['Dockerfile', 'blocked'],
    ['Dockerfile', 'blocked'],
    ['scripts/smoke.sh', 'blocked'],
  ]);
  expect(all[0]!.message).toContain('scripts/smoke.sh');
  const io = captureIo(dir);
  await main(['--fix', '.'], io);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  // The same without a checkout: the ignored script is not the repository's (nothing says otherwise).
  const plain = repoWith({ '.gitignore': 'scripts/\n', Dockerfile: DOCKERFILE, 'scripts/smoke.sh': 'grpc_health_probe -addr=:1\n' });
  expect((await findings(plain, ['.'])).map((f) => [f.file, f.status])).toEqual([
    ['Dockerfile', 'migratable'],
    ['Dockerfile', 'migratable'],
  ]);
});

test('a committed overlay under an ignored folder holds the base in the whole run, as in the one-file run', async () => {
  const dir = repoWith({ '.gitignore': 'overlays/\n', ...BASE_FILES, ...Object.fromEntries(Object.entries(OVERLAY_FILES).map(([k, v]) => [`overlays/${k}`, v])) });
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'add', '-f', 'overlays');
  expect(baseFinding(await findings(dir, ['.']))).toEqual([['blocked', ['overlay-patch']]]);
  expect(baseFinding(await findings(dir, ['base/deployment.yaml']))).toEqual([['blocked', ['overlay-patch']]]);
});

test('a file list in no git checkout reads the current folder as the repository: an overlay there holds the base', async () => {
  const dir = repoWith({ ...BASE_FILES, ...Object.fromEntries(Object.entries(OVERLAY_FILES).map(([k, v]) => [`overlays/${k}`, v])) });
  const one = await findings(dir, ['base/deployment.yaml']);
  expect(baseFinding(one)).toEqual([['blocked', ['overlay-patch']]]);
  // Run from the base folder with the file named: the overlay is outside the current folder, not read.
  const fromBase = await findings(path.join(dir, 'base'), ['deployment.yaml']);
  expect(fromBase.map((f) => [f.file, f.status])).toEqual([['deployment.yaml', 'migratable']]);
});

test('past 400 ignored paths in the named folder, tracked ignored files elsewhere in the checkout stay out of the run (review F2)', async () => {
  const logs = Object.fromEntries(Array.from({ length: 401 }, (_, i) => [`svc/run-${i}.log`, 'x\n']));
  const dir = repoWith({
    '.gitignore': 'other/\n',
    'other/dep.yaml': POD,
    'svc/.gitignore': '*.log\nkept/\n',
    'svc/dep.yaml': POD,
    'svc/kept/extra.yaml': POD,
    ...logs,
  });
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'add', '-f', 'other/dep.yaml', 'svc/kept/extra.yaml');
  const io = captureIo(dir);
  await main(['--fix', 'svc/'], io);
  // Named folder: its file and its tracked ignored file (under a pruned folder) are migrated.
  expect(fs.readFileSync(path.join(dir, 'svc/dep.yaml'), 'utf8')).not.toBe(POD);
  expect(fs.readFileSync(path.join(dir, 'svc/kept/extra.yaml'), 'utf8')).not.toBe(POD);
  // The other folder is not named: left as it is.
  expect(fs.readFileSync(path.join(dir, 'other/dep.yaml'), 'utf8')).toBe(POD);
});

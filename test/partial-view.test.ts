/**
 * A run that sees only part of a repository never removes a binary install: the probe, script or
 * HEALTHCHECK that runs the binary may sit in a file outside its view. End to end through the CLI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { podWith, repoWith, ROOT, API_BASE } from './support/repo.js';

const DOCKERFILE = `FROM alpine:3.20
ADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/grpc_health_probe
RUN chmod +x /bin/grpc_health_probe
COPY app /app
`;
// The image's probe lives in deploy/, outside services/api, and stays on the binary (TLS).
const files = { 'services/api/Dockerfile': DOCKERFILE, 'services/api/main.go': 'package main\n', 'deploy/api.yaml': podWith('"-addr=:5000", "-tls"') };

test.each([
  ['the subfolder named', '.', ['services/api'], 'services/api/Dockerfile', 'the folder services/api of the repository at .'],
  ['run in the subfolder', 'services/api', [], 'Dockerfile', 'the folder services/api of the repository at ../..'],
])('--fix on %s of a checkout keeps the install and says why', async (_name, from, paths, shown, part) => {
  const dir = repoWith(files, { git: true });
  const io = captureIo(path.join(dir, from));
  const code = await main(['--fix', '--format', 'json', ...paths], io);
  expect(fs.readFileSync(path.join(dir, 'services/api/Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(code).toBe(0);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; blockers: string[]; message: string; hint: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.status, f.blockers])).toEqual([
    [shown, 'blocked', ['binary-still-used']],
    [shown, 'blocked', ['binary-still-used']],
  ]);
  for (const f of findings) {
    expect(f.message).toContain(`kept — only part of the repository was scanned (${part})`);
    expect(f.hint).toContain('--assume-complete');
  }
});

test('the whole checkout: the install stays for the probe outside services/api, named as its consumer', async () => {
  const dir = repoWith(files, { git: true });
  const io = captureIo(dir);
  expect(await main(['--fix', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'services/api/Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(io.out()).toContain('kept — still used by deploy/api.yaml:7');
});

test('--assume-complete: the subfolder is taken as the whole repository', async () => {
  const dir = repoWith({ 'services/api/Dockerfile': DOCKERFILE }, { git: true });
  const io = captureIo(dir);
  expect(await main(['--fix', '--assume-complete', 'services/api'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'services/api/Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\nCOPY app /app\n');
});

// A Kustomize overlay outside the view that keeps exec on a base probe holds the base: migrated
// alone, the base's grpc and the patch's exec would build one probe with two handlers.
const BASE = API_BASE;
const overlay = {
  'base/deployment.yaml': BASE,
  'base/kustomization.yaml': 'resources:\n- deployment.yaml\n',
  'overlays/prod/kustomization.yaml': 'resources:\n- ../../base\npatches:\n- path: patch.yaml\n',
  'overlays/prod/patch.yaml': BASE.replace('"-addr=:5000"]', '"-addr=:5000", "-tls"]'),
};

test.each([
  ['the base file named (pre-commit)', '.', ['base/deployment.yaml'], 'base/deployment.yaml', 'overlays/prod/patch.yaml'],
  ['the base folder', '.', ['base'], 'base/deployment.yaml', 'overlays/prod/patch.yaml'],
  ['run in the base folder', 'base', [], 'deployment.yaml', '../overlays/prod/patch.yaml'],
])('--fix on %s: an overlay outside the view holds the base probe', async (_name, from, paths, shown, patch) => {
  const dir = repoWith(overlay, { git: true });
  const io = captureIo(path.join(dir, from));
  expect(await main(['--fix', '--format', 'json', ...paths], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'base/deployment.yaml'), 'utf8')).toBe(BASE);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; blockers: string[]; message: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.status, f.blockers])).toEqual([[shown, 'blocked', ['overlay-patch']]]);
  expect(findings[0]!.message).toContain(`${patch} (a strategic-merge patch applied by`);
});

// A symlink in the repository that leads out of it (`deploy -> ../infra`) is never followed, but
// what it reaches may hold the probes that run the image's binary.
test.each([
  ['a folder', 'deploy', '../infra', '../infra/api.yaml'],
  ['a file', 'api.yaml', '../infra/api.yaml', '../infra/api.yaml'],
])('a symlink to %s out of the repository that names the binary keeps the install', async (_kind, link, to, found) => {
  const top = repoWith({ 'infra/api.yaml': podWith('"-addr=:5000", "-tls"'), 'repo/Dockerfile': DOCKERFILE });
  const dir = path.join(top, 'repo');
  fs.mkdirSync(path.join(dir, '.git'));
  fs.symlinkSync(to, path.join(dir, link));
  const io = captureIo(dir);
  expect(await main(['--fix', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(fs.readFileSync(path.join(top, 'infra/api.yaml'), 'utf8')).toBe(podWith('"-addr=:5000", "-tls"'));
  expect(io.out()).toContain(`Dockerfile:2:1  blocked    ADD downloads grpc_health_probe: kept — still used by ${link}`);
  expect(io.out()).toContain(`${link}:1:1  blocked    a symlink out of the scanned folder, to ${to}, is not followed, and ${found} names grpc_health_probe`);
});

test('a symlink out of the repository to files that do not name the binary changes nothing', async () => {
  const top = repoWith({ 'infra/api.yaml': 'kind: Pod\n', 'infra/README.md': 'we used grpc_health_probe once\n', 'repo/Dockerfile': DOCKERFILE });
  const dir = path.join(top, 'repo');
  fs.mkdirSync(path.join(dir, '.git'));
  fs.symlinkSync('../infra', path.join(dir, 'deploy'));
  const io = captureIo(dir);
  expect(await main(['--fix', '--format', 'json', '.'], io)).toBe(0);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.status])).toEqual([
    ['Dockerfile', 'migrated'],
    ['Dockerfile', 'migrated'],
  ]);
});

test('what a link out reaches counts as the scanned folder counts it: a NUL-byte file is not a use, a UTF-16 one is', async () => {
  const withInfra = async (infra: Record<string, string | Buffer>) => {
    const top = repoWith({ ...Object.fromEntries(Object.entries(infra).map(([k, v]) => [`infra/${k}`, v])), 'repo/Dockerfile': DOCKERFILE });
    const dir = path.join(top, 'repo');
    fs.mkdirSync(path.join(dir, '.git'));
    fs.symlinkSync('../infra', path.join(dir, 'deploy'));
    const io = captureIo(dir);
    await main(['--format', 'json', '.'], io);
    return (JSON.parse(io.out()) as { findings: { file: string; status: string }[] }).findings.map((f) => [f.file, f.status]);
  };
  // In the scanned folder a file with NUL bytes is skipped (binary), so it is out there too.
  expect(await withInfra({ 'probe.bin': Buffer.concat([Buffer.from('grpc_health_probe'), Buffer.from([0, 1])]) })).toEqual([
    ['Dockerfile', 'migratable'],
    ['Dockerfile', 'migratable'],
  ]);
  // UTF-16 hides the name from a plain byte search; the pre-check sees it, and the install stays.
  const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(podWith('"-addr=:5000", "-tls"'), 'utf16le')]);
  expect(await withInfra({ 'api.yaml': u16 })).toEqual(expect.arrayContaining([['deploy', 'blocked']]));
});

test('a symlink into another folder of the same run is not reported: what it reaches is scanned anyway', async () => {
  const dir = repoWith({ 'deploy/api.yaml': podWith('"-addr=:5000", "-tls"'), 'services/api/Dockerfile': DOCKERFILE });
  fs.symlinkSync('../../deploy', path.join(dir, 'services/api/k8s'));
  const io = captureIo(dir);
  expect(await main(['--format', 'json', 'services', 'deploy'], io)).toBe(0);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; ruleId: string; message: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.ruleId])).toEqual([
    ['deploy/api.yaml', 'kubernetes-exec-probe'],
    ['services/api/Dockerfile', 'dockerfile-binary-install'],
    ['services/api/Dockerfile', 'dockerfile-binary-install'],
  ]);
  expect(findings[1]!.message).toContain('kept — still used by deploy/api.yaml:7');
});

test("a checkout's files come from git (tracked and untracked, not ignored), or from the walk without git", async () => {
  const { gitFiles, filesOfRepositories } = await import('../src/discover/scope.js');
  const dir = repoWith({ '.gitignore': 'build/\n', 'k8s/kustomization.yaml': 'resources: []\n', 'build/out.yaml': 'x: 1\n', 'node_modules/m/kustomization.yaml': 'resources: []\n' });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '.gitignore', 'k8s'], { cwd: dir });
  // Untracked, not ignored: listed as the walk lists it.
  fs.writeFileSync(path.join(dir, 'new.yaml'), 'y: 1\n');
  const rel = (files: readonly string[]) => files.map((f) => path.relative(dir, f).split(path.sep).join('/')).sort();
  expect(rel(gitFiles(dir)!)).toEqual(['.gitignore', 'k8s/kustomization.yaml', 'new.yaml']);
  const viaGit = rel(filesOfRepositories(['k8s/kustomization.yaml'], dir, []));
  // Without git (a command that is not there), the walk gives the same answer.
  expect(gitFiles(dir, 'no-such-git')).toBeUndefined();
  expect(rel(filesOfRepositories(['k8s/kustomization.yaml'], dir, [], 'no-such-git'))).toEqual(viaGit);
  // Listed in git's own process (while the rules load), the same; the named file first, once.
  const { listRepositories } = await import('../src/discover/scope.js');
  const listed = await listRepositories(['k8s/kustomization.yaml'], dir).files();
  expect(listed.size).toBe(1);
  expect(rel([...listed.values()][0]!).sort()).toEqual(['.gitignore', 'k8s/kustomization.yaml', 'new.yaml']);
  // A named file git lists is there once; one it does not (ignored, named on the command line) is added.
  expect(rel(filesOfRepositories(['new.yaml'], dir, [path.join(dir, 'new.yaml')], 'git', listed))).toEqual(['.gitignore', 'k8s/kustomization.yaml', 'new.yaml']);
  const withIgnored = filesOfRepositories(['build/out.yaml', 'new.yaml'], dir, [path.join(dir, 'build/out.yaml'), path.join(dir, 'new.yaml')], 'git', listed);
  expect(rel(withIgnored)).toEqual(['.gitignore', 'build/out.yaml', 'k8s/kustomization.yaml', 'new.yaml']);
  // Without git, the walk.
  expect(rel([...(await listRepositories(['k8s/kustomization.yaml'], dir, 'no-such-git').files()).values()][0] ?? [])).toEqual([]);
  expect(rel(filesOfRepositories(['k8s/kustomization.yaml'], dir, [], 'no-such-git', await listRepositories(['k8s/kustomization.yaml'], dir, 'no-such-git').files()))).toEqual(viaGit);
});

test('a file in conflict is listed once, by a git with --deduplicate and by one without', async () => {
  const { gitFiles, listRepositories } = await import('../src/discover/scope.js');
  const dir = repoWith({ 'api.yaml': 'a: 1\n', 'other.yaml': 'b: 1\n' });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'one');
  git('checkout', '-qb', 'side');
  fs.writeFileSync(path.join(dir, 'api.yaml'), 'a: 2\n');
  git('commit', '-qam', 'side');
  git('checkout', '-q', 'main');
  fs.writeFileSync(path.join(dir, 'api.yaml'), 'a: 3\n');
  git('commit', '-qam', 'main');
  expect(() => git('merge', '-q', 'side')).toThrow();
  // Three stages of api.yaml in the index.
  expect(execFileSync('git', ['ls-files', '--cached'], { cwd: dir, encoding: 'utf8' }).split('\n').filter((l) => l === 'api.yaml')).toHaveLength(3);
  const rel = (files: readonly string[] | undefined) => (files ?? []).map((f) => path.relative(dir, f).split(path.sep).join('/')).sort();
  expect(rel(gitFiles(dir))).toEqual(['api.yaml', 'other.yaml']);
  expect(rel([...(await listRepositories(['api.yaml'], dir).files()).values()][0])).toEqual(['api.yaml', 'other.yaml']);
  // A git older than 2.31 rejects --deduplicate (exit 129): asked again without it, and deduplicated here.
  const old = path.join(dir, '..', `old-git-${path.basename(dir)}`);
  const calls = `${old}.calls`;
  fs.writeFileSync(old, `#!/bin/sh\necho x >> '${calls}'\nfor a in "$@"; do [ "$a" = --deduplicate ] && { echo "error: unknown option" >&2; exit 129; }; done\nexec git "$@"\n`, { mode: 0o755 });
  const asked = () => fs.readFileSync(calls, 'utf8').split('\n').length - 1;
  expect(rel([...(await listRepositories(['api.yaml'], dir, old).files()).values()][0])).toEqual(['api.yaml', 'other.yaml']);
  // Asked twice (with the option, then without); from then on once.
  expect(asked()).toBe(2);
  expect(rel(gitFiles(dir, old))).toEqual(['api.yaml', 'other.yaml']);
  expect(rel([...(await listRepositories(['api.yaml'], dir, old).files()).values()][0])).toEqual(['api.yaml', 'other.yaml']);
  expect(asked()).toBe(4);
});

test('a listing holding node_modules or .git paths (tracked there) leaves them out, as the walk does', async () => {
  const { gitFiles } = await import('../src/discover/scope.js');
  const dir = repoWith({ 'a.yaml': 'a: 1\n', 'vendor/node_modules/m/index.js': 'x\n', 'docs/.github/x.yaml': 'y: 1\n', 'lib/node_modules.md': 'z\n' });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-f', '.'], { cwd: dir });
  const rel = (files: readonly string[] | undefined) => (files ?? []).map((f) => path.relative(dir, f).split(path.sep).join('/')).sort();
  expect(rel(gitFiles(dir))).toEqual(['a.yaml', 'docs/.github/x.yaml', 'lib/node_modules.md']);
});

test('a pre-commit run over a chart values.yaml keeps a probe that a release elsewhere in the checkout keeps on exec', async () => {
  const values = 'livenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:9000"]\n';
  const dir = repoWith(
    {
      'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n',
      'charts/api/values.yaml': values,
      'clusters/prod/api.yaml': [
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: api}',
        'spec:',
        '  chart: {spec: {chart: ./charts/api, sourceRef: {kind: GitRepository, name: platform}}}',
        '  values:',
        '    livenessProbe:',
        '      exec:',
        '        command: ["/bin/grpc_health_probe", "-addr=:9000", "-tls"]',
        '',
      ].join('\n'),
    },
    { git: true },
  );
  const io = captureIo(dir);
  expect(await main(['--fix', '--format', 'json', 'charts/api/values.yaml'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'charts/api/values.yaml'), 'utf8')).toBe(values);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; blockers: string[]; message: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.blockers])).toEqual([['charts/api/values.yaml', ['overlay-patch']]]);
  expect(findings[0]!.message).toContain('the HelmRelease api in clusters/prod/api.yaml keeps it on exec');
});

test('a UTF-16 file over the size limit that names the binary is an error at its line, as a smaller one is, and the install stays', async () => {
  const { run } = await import('../src/engine.js');
  const script = `#!/bin/sh\n${'# filler line\n'.repeat(200)}grpc_health_probe -addr=:5000\n`;
  const dir = repoWith({
    Dockerfile: 'FROM alpine:3.20\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n',
  });
  fs.writeFileSync(path.join(dir, 'check.sh'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(script, 'utf16le')]));
  const result = await run({ cwd: dir, maxFileBytes: 1024 });
  const wide = result.findings.find((f) => f.file === 'check.sh');
  expect(wide).toMatchObject({ status: 'error', line: 202 });
  expect(result.findings.find((f) => f.ruleId === 'dockerfile-binary-install')!.status).toBe('blocked');
});

// A deploy script outside the view sets the chart's host with --set: a pre-commit run naming the
// template (or the chart's folder) must see it as a whole run does, or the probe is migrated to the
// port and the deployed probe checks the pod instead of the remote host.
test.each([
  ['the template named', ['edge/templates/deploy.yaml']],
  ['the chart folder named', ['edge']],
])('a --set of a templated host in a script outside the view blocks the probe: %s', async (_name, paths) => {
  const template = `apiVersion: apps/v1
kind: Deployment
metadata: {name: edge}
spec:
  template:
    spec:
      containers:
        - name: edge
          image: ghcr.io/acme/edge
          readinessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr={{ .Values.edge.host }}:5002"]
`;
  const dir = repoWith(
    {
      'edge/Chart.yaml': 'apiVersion: v2\nname: edge\nversion: 0.1.0\n',
      'edge/values.yaml': 'edge:\n  host: localhost\n',
      'edge/templates/deploy.yaml': template,
      'deploy/release.sh': '#!/bin/sh\nhelm upgrade --install edge ./edge --set edge.host=edge.example.com\n',
    },
    { git: true },
  );
  const io = captureIo(dir);
  expect(await main(['--fix', '--format', 'json', ...paths], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'edge/templates/deploy.yaml'), 'utf8')).toBe(template);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; blockers: string[] }[] }).findings;
  expect(findings.map((f) => [f.file, f.status, f.blockers])).toEqual([['edge/templates/deploy.yaml', 'blocked', ['host']]]);
});

test('a partial view reads the repository from the listing the caller started, asked for once', async () => {
  const { run } = await import('../src/engine.js');
  const dir = repoWith(overlay, { git: true });
  const root = fs.realpathSync(dir);
  const statusWith = async (listed: string[]) => {
    let asked = 0;
    const repositoryListing = { files: async () => (asked++, new Map([[root, listed.map((f) => path.join(root, f))]])) };
    const result = await run({ cwd: dir, paths: ['base/deployment.yaml'], partialView: 'a file list', repositoryListing });
    return { asked, statuses: result.findings.map((f) => [f.file, f.status]) };
  };
  // The overlay that holds the probe is in the listing: held; left out of it, the run does not see
  // it (nothing lists the checkout a second time).
  expect(await statusWith(Object.keys(overlay))).toEqual({ asked: 1, statuses: [['base/deployment.yaml', 'blocked']] });
  expect(await statusWith(['base/deployment.yaml', 'base/kustomization.yaml'])).toEqual({ asked: 1, statuses: [['base/deployment.yaml', 'migratable']] });
});

test('the CLI has git list the checkout before the engine loads only when the run will read it', async () => {
  const { wantsRepositoryListing } = await import('../src/discover/scope.js');
  const dir = repoWith({
    ...overlay,
    'charts/api/values.yaml': 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:5000"]\n',
    'api.json': '{"command": ["grpc_health_probe", "-addr=:5000"]}\n',
    'plain.yaml': 'a: 1\n',
    'Dockerfile': DOCKERFILE,
    'main.go': 'package main\n',
  });
  const wants = (...paths: string[]) => wantsRepositoryListing(paths, dir);
  // A folder; a manifest, values file or JSON manifest that names the binary.
  expect([wants('base'), wants('.'), wants('base/deployment.yaml'), wants('charts/api/values.yaml'), wants('api.json')]).toEqual([true, true, true, true, true]);
  // A YAML file that does not name it, a Dockerfile (its rules read no other file to check it), a
  // source file, standard input, a path that is not there.
  expect([wants('plain.yaml'), wants('Dockerfile'), wants('main.go'), wants('-'), wants('gone.yaml')]).toEqual([false, false, false, false, false]);
  expect(wants('plain.yaml', 'Dockerfile', 'base/deployment.yaml')).toBe(true);
});

test("a long file list (pre-commit --all-files) is matched against git's listing in one pass, not a search of its text per file", async () => {
  const { filesOfRepositories, listRepositories } = await import('../src/discover/scope.js');
  const dir = repoWith({}, { git: true });
  // A stand-in git that lists 20k files. Each named file was looked for in the whole listing's
  // text (~1 MB): a run over all of them, and 2k files git does not list (ignored ones), searched
  // gigabytes, ~1.7 s more of a pre-commit run with --all-files in a 20k-file checkout.
  const git = path.join(dir, '..', `big-git-${path.basename(dir)}`);
  fs.writeFileSync(git, `#!/usr/bin/env node\nlet s = '';\nfor (let i = 0; i < 20000; i++) s += 'services/svc' + (i % 400) + '/k8s/file' + i + '.yaml\\0';\nprocess.stdout.write(s);\n`, { mode: 0o755 });
  const listed = await listRepositories(['.'], dir, git).files();
  const all = [...listed.values()][0]!;
  expect(all).toHaveLength(20000);
  const ignored = Array.from({ length: 2000 }, (_, i) => path.join(dir, 'build', `out${i}.yaml`));
  const named = [...all].reverse().flatMap((f, i) => (i % 10 === 0 ? [f, ignored[i / 10]!] : [f]));
  const started = performance.now();
  // (The checkout named by its folder: the time is the matching's, not that of finding the checkout of 22k paths.)
  const files = filesOfRepositories(['.'], dir, named, git, listed);
  const took = performance.now() - started;
  // The named files git does not list, first, in their order; then the listing, each file once.
  expect(files).toEqual([...ignored, ...all]);
  expect(took).toBeLessThan(250);
});

test('a named pipe or a device named in a checkout is an error finding, not a hang: the look at whether git should list the checkout reads regular files only', () => {
  const dir = repoWith({ 'base/deployment.yaml': BASE }, { git: true });
  execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.yaml'));
  // The CLI in its own process: a read that blocks would block a test run in this one.
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--format', 'json', 'pipe.yaml', 'zero.yaml', 'base/deployment.yaml'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  expect([r.signal, r.status]).toEqual([null, 2]);
  const findings = (JSON.parse(r.stdout) as { findings: { file: string; status: string; message: string }[] }).findings;
  expect(findings.map((f) => [f.file, f.status, f.message])).toEqual([
    ['base/deployment.yaml', 'migratable', expect.any(String)],
    ['pipe.yaml', 'error', 'cannot read: not a regular file (a named pipe)'],
    ['zero.yaml', 'error', 'cannot read: not a regular file (a device)'],
  ]);
});

test("where git's temporary file cannot be removed while git writes it (Windows), it is removed when the run ends, asked for or not", () => {
  const dir = repoWith({ 'base/deployment.yaml': BASE }, { git: true });
  const made = path.join(dir, 'made.txt');
  // rmSync fails once, as Windows refuses while git has the file open; the run never asks for the listing.
  const script = `import fs from 'node:fs';
const rm = fs.rmSync, mkdtemp = fs.mkdtempSync;
let failed = false;
fs.mkdtempSync = (...a) => { const d = mkdtemp(...a); fs.appendFileSync(${JSON.stringify(made)}, d + '\\n'); return d; };
fs.rmSync = (...a) => { if (!failed) { failed = true; throw Object.assign(new Error('EBUSY'), { code: 'EBUSY' }); } return rm(...a); };
const { listRepositories } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'src', 'discover', 'scope.js')).href)});
listRepositories(['base/deployment.yaml'], ${JSON.stringify(dir)});
`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect([r.status, r.stderr]).toEqual([0, '']);
  const temps = fs.readFileSync(made, 'utf8').split('\n').filter(Boolean);
  expect(temps).toHaveLength(1);
  expect(fs.existsSync(temps[0]!)).toBe(false);
});

// A clone without --recurse-submodules (actions/checkout's default) leaves each submodule an empty
// folder: a probe in it may run the image, so the run is a partial view and no install goes.
const SUBMODULES = '[submodule "deploy-extra"]\n\tpath = deploy-extra\n\turl = ../extra\n[submodule "with space"]\n\tpath = tools/with space\n\turl = ../tools\n';
const POD_FILES = { 'Dockerfile': DOCKERFILE, 'deploy/api.yaml': podWith('"-addr=:5000"'), '.gitmodules': SUBMODULES };

test('a submodule that is not checked out: the install stays, and the finding names the submodules to check out', async () => {
  const dir = repoWith(POD_FILES, { git: true });
  fs.mkdirSync(path.join(dir, 'deploy-extra'));
  const io = captureIo(dir);
  expect(await main(['--fix', '--format', 'json', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  const findings = (JSON.parse(io.out()) as { findings: { file: string; status: string; message: string }[] }).findings;
  const install = findings.filter((f) => f.file === 'Dockerfile');
  expect(install.length).toBeGreaterThan(0);
  for (const f of install) {
    expect(f.status).toBe('blocked');
    expect(f.message).toContain('only part of the repository was scanned (the submodules deploy-extra, tools/with space are not checked out: run git submodule update --init --recursive, then the tool again)');
  }
});

test('submodules checked out (each folder holds files, a nested .gitmodules read too): the whole repository, the install goes', async () => {
  const dir = repoWith({ ...POD_FILES, 'deploy-extra/README.md': 'x\n', 'tools/with space/README.md': 'x\n' }, { git: true });
  const io = captureIo(dir);
  expect(await main(['--fix', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\nCOPY app /app\n');
  // A nested submodule of a checked-out one that is not checked out itself.
  const nested = repoWith({ ...POD_FILES, 'deploy-extra/.gitmodules': '[submodule "inner"]\n\tpath = inner\n\turl = ../inner\n', 'tools/with space/README.md': 'x\n' }, { git: true });
  const io2 = captureIo(nested);
  expect(await main(['--fix', '.'], io2)).toBe(0);
  expect(fs.readFileSync(path.join(nested, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(io2.out()).toContain('(the submodule deploy-extra/inner is not checked out');
});

// `git add` of a nested clone records a gitlink (mode 160000) that .gitmodules does not name: a
// plain clone leaves its folder empty all the same, and git submodule update does not fill it.
test('a gitlink with no .gitmodules entry, not checked out: a partial view, the install stays; checked out: the whole repository', async () => {
  const { '.gitmodules': _, ...withoutModules } = POD_FILES;
  const dir = repoWith(withoutModules);
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '.'], { cwd: dir });
  execFileSync('git', ['update-index', '--add', '--cacheinfo', `160000,${'49c98559'.padEnd(40, '0')},deploy/shared`], { cwd: dir });
  fs.mkdirSync(path.join(dir, 'deploy/shared'));
  const io = captureIo(dir);
  expect(await main(['--fix', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(io.out()).toContain('(the submodule deploy/shared (a gitlink with no .gitmodules entry) is not checked out: git submodule update clones only what .gitmodules names');
  // Its repository cloned into the folder: nothing is missing.
  fs.writeFileSync(path.join(dir, 'deploy/shared/README.md'), 'x\n');
  const io2 = captureIo(dir);
  expect(await main(['--fix', '.'], io2)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine:3.20\nCOPY app /app\n');
});

test('a .gitmodules git cannot read: the run is a partial view, the install stays', async () => {
  const dir = repoWith({ ...POD_FILES, '.gitmodules': '[submodule "x\n\tpath = x\n' }, { git: true });
  const io = captureIo(dir);
  expect(await main(['--fix', '.'], io)).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);
  expect(io.out()).toContain('(a repository whose .gitmodules the tool cannot read (at .))');
});

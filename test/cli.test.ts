import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { POD, podWith, repoWith, ROOT } from './support/repo.js';

const demo = path.join(ROOT, 'fixtures', 'demo-repo');

describe('usage', () => {
  test('--help lists every option and exits 0', async () => {
    const io = captureIo(ROOT);
    expect(await main(['--help'], io)).toBe(0);
    for (const o of ['--fix', '--diff', '--format', '--kube-version', '--strict', '--quiet', '--version']) expect(io.out()).toContain(o);
    // The short forms too (parseArgs takes -o and -h).
    for (const o of ['-o, --output FILE', '-h, --help']) expect(io.out()).toContain(o);
  });

  test('an option written as a word (`fix .`) is a usage error that names the option, not a missing file', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir);
    expect(await main(['fix', '.'], io)).toBe(2);
    expect(io.err()).toBe('grpc-probe-migrate: "fix" is neither a file nor a folder here; did you mean --fix?\nRun with --help for usage.\n');
    expect(io.out()).toBe('');
    const sub = captureIo(dir);
    expect(await main(['--diff', 'verify'], sub)).toBe(2);
    expect(sub.err()).toContain('"verify" is neither a file nor a folder here; a subcommand goes first: grpc-probe-migrate verify [options]');
    // A file or folder of that name is a path like any other.
    const named = repoWith({ 'fix/a.yaml': POD });
    expect(await main(['fix'], captureIo(named))).toBe(1);
  });

  test('--version prints the package version', async () => {
    const io = captureIo(ROOT);
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out().trim()).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  test.each([[['--bogus']], [['--format', 'xml']], [['--kube-version', 'latest']]])('bad usage %j exits 2 with a message', async (args) => {
    const io = captureIo(ROOT);
    expect(await main(args, io)).toBe(2);
    expect(io.err()).toMatch(/grpc-probe-migrate: /);
  });

  test('an empty path (an empty shell variable) is a usage error, not the current folder: --fix changes nothing', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    for (const args of [['--fix', ''], ['--fix', 'a.yaml', ''], ['pr', '']]) {
      const io = captureIo(dir, { env: { GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'o/r' } });
      expect(await main(args, io)).toBe(2);
      expect(io.err()).toContain('an empty path was given');
      expect(io.out()).toBe('');
    }
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(POD);
  });

  test('a path that does not exist is an error finding naming it, exit 2', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir);
    expect(await main(['--format', 'json', 'missing.yaml', 'a.yaml'], io)).toBe(2);
    const report = JSON.parse(io.out());
    expect(report.findings.map((f: { file: string; status: string }) => [f.file, f.status])).toEqual([
      ['a.yaml', 'migratable'],
      ['missing.yaml', 'error'],
    ]);
  });
});

describe('report and fix modes', () => {
  test('report mode writes nothing and exits 1 while migratable probes remain', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD });
    const io = captureIo(dir);
    expect(await main([], io)).toBe(1);
    expect(fs.readFileSync(path.join(dir, 'k8s/a.yaml'), 'utf8')).toBe(POD);
    expect(io.out()).toContain('k8s/a.yaml:7:5');
    expect(io.out()).toContain('migratable');
  });

  test('--fix writes, exits 0, keeps the file mode, and a second run changes nothing', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.chmodSync(path.join(dir, 'a.yaml'), 0o640);
    expect(await main(['--fix'], captureIo(dir))).toBe(0);
    const once = fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8');
    expect(once).toContain('grpc:\n        port: 5000');
    expect(fs.statSync(path.join(dir, 'a.yaml')).mode & 0o777).toBe(0o640);
    const io = captureIo(dir);
    expect(await main(['--fix', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out()).findings).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(once);
    expect(fs.readdirSync(dir)).toEqual(['a.yaml']);
  });

  test('--diff prints a unified diff without writing', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir);
    await main(['--diff'], io);
    expect(io.out()).toContain('--- a/a.yaml\n+++ b/a.yaml\n@@');
    expect(io.out()).toContain('-      exec:\n');
    expect(io.out()).toContain('+      grpc:\n+        port: 5000\n');
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(POD);
  });

  test('blockers alone exit 0; with --strict they exit 1', async () => {
    const dir = repoWith({ 'a.yaml': podWith('"-addr=:5000", "-tls"') });
    expect(await main([], captureIo(dir))).toBe(0);
    expect(await main(['--strict'], captureIo(dir))).toBe(1);
  });

  test('info findings (mentions that run nothing) do not fail --strict; every format shows them', async () => {
    const dir = repoWith({
      'docs/probes.md': 'We used to ship grpc_health_probe in every image.\n',
      Dockerfile: 'FROM alpine:3.20\nLABEL org.opencontainers.image.description="ships grpc_health_probe"\nCOPY api /api\n',
    });
    const io = captureIo(dir);
    expect(await main(['--strict'], io)).toBe(0);
    expect(io.out()).toMatch(/docs\/probes\.md:1:\d+ {2}info {7}/);
    expect(io.out()).toMatch(/Dockerfile:2:1 {2}info {7}LABEL names grpc_health_probe/);
    expect(io.out()).toMatch(/0 blocked in all, 2 info, 0 errors\n$/);
    const json = captureIo(dir);
    expect(await main(['--strict', '--format', 'json'], json)).toBe(0);
    const report = JSON.parse(json.out()) as { findings: { status: string; blockers: string[] }[]; summary: { blocked: number; info: number } };
    expect(report.findings.map((f) => [f.status, f.blockers])).toEqual([['info', []], ['info', []]]);
    expect(report.summary).toMatchObject({ blocked: 0, info: 2 });
    const md = captureIo(dir);
    await main(['--format', 'markdown'], md);
    expect(md.out()).toContain('| Mentions to reword (run nothing) | 2 |');
    expect(md.out()).toContain('### Mentions to reword\n\n2 mentions that run nothing and keep nothing installed:');
    // What to reword, as under a blocked use.
    expect(md.out()).toMatch(/- `Dockerfile:2` LABEL names [^\n]*\n  - hint: Image metadata keeps nothing installed/);
    const sarif = captureIo(dir);
    await main(['--format', 'sarif'], sarif);
    const results = (JSON.parse(sarif.out()) as { runs: { results: { ruleId: string; level: string }[] }[] }).runs[0]!.results;
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([['dockerfile-healthcheck', 'note'], ['unsupported-file', 'note']]);
    // A text report saved with an info count is still known as this tool's own report.
    fs.writeFileSync(path.join(dir, 'migrate.log'), io.out());
    const again = captureIo(dir);
    await main(['--format', 'json'], again);
    expect((JSON.parse(again.out()) as { summary: { info: number; skipped: { file: string }[] } }).summary).toMatchObject({ info: 2, skipped: [{ file: 'migrate.log' }] });
  });

  test('--exit-zero exits 0 with migratable probes left', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    expect(await main(['--exit-zero'], captureIo(dir))).toBe(0);
  });

  test('--exit-zero wins over --strict (blockers exit 0), not over errors; --help and the README say so', async () => {
    const blocked = repoWith({ 'a.yaml': podWith('"-addr=:5000", "-tls"') });
    expect(await main(['--strict', '--exit-zero'], captureIo(blocked))).toBe(0);
    expect(await main(['--exit-zero', '--strict'], captureIo(blocked))).toBe(0);
    const broken = repoWith({ 'a.yaml': podWith('"-addr=:5000", "-tls"'), 'b.yaml': 'kind: Pod\nspec: [grpc_health_probe\n' });
    expect(await main(['--strict', '--exit-zero'], captureIo(broken))).toBe(2);
    const io = captureIo(blocked);
    await main(['--help'], io);
    expect(io.out()).toMatch(/--exit-zero {11}exit 0 even when migratable uses remain \(errors still exit 2\);\n {24}it wins over --strict: blockers exit 0 too\n/);
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('it wins over --strict: blockers exit 0 too');
    expect(readme).toMatch(/`--exit-zero` turns `1` into `0` whatever\s+caused it, so it wins over `--strict`/);
  });

  test('a file that does not parse exits 2, and is left alone while other files are fixed', async () => {
    const broken = 'kind: Pod\nspec: [grpc_health_probe\n';
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': broken });
    const io = captureIo(dir);
    expect(await main(['--fix'], io)).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'b.yaml'), 'utf8')).toBe(broken);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toContain('grpc:');
    expect(io.out()).toMatch(/b\.yaml:\d+:\d+ +error +not valid YAML/);
  });

  test('--kube-version below 1.24 blocks every probe', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir);
    expect(await main(['--kube-version', '1.22', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.out()).findings[0].blockers).toEqual(['kube-version']);
  });
});

describe('the JSON report', () => {
  test('has the documented shape', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD, 'k8s/b.yaml': podWith('"-addr=db:5000"') });
    const io = captureIo(dir);
    await main(['--format', 'json'], io);
    const report = JSON.parse(io.out());
    expect(report.version).toBe(1);
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: 'kubernetes-exec-probe', file: 'k8s/a.yaml', line: 7, column: 5, status: 'migratable', blockers: [], message: expect.any(String) }),
      expect.objectContaining({ file: 'k8s/b.yaml', status: 'blocked', blockers: ['host'], hint: expect.stringContaining('pod') }),
    ]);
    expect(report.summary).toEqual(expect.objectContaining({ filesScanned: 2, probes: { migratable: 1, migrated: 0, blocked: 1 } }));
  });

  test('never prints an -rpc-header value, in any format or mode', async () => {
    const secret = 'Bearer s3cr3t-t0ken-value';
    const dir = repoWith({ 'a.yaml': podWith(`"-addr=:5000", "-rpc-header=authorization: ${secret}"`) });
    for (const args of [[], ['--format', 'json'], ['--diff'], ['--fix', '--diff']]) {
      const io = captureIo(dir);
      await main(args, io);
      expect(io.out() + io.err()).not.toContain('s3cr3t');
    }
  });
});

describe('output', () => {
  test('colour only on a TTY, and never with NO_COLOR', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const tty = captureIo(dir, { tty: true });
    await main([], tty);
    expect(tty.out()).toContain('\u001b[');
    const noColor = captureIo(dir, { tty: true, env: { NO_COLOR: '1' } });
    await main([], noColor);
    expect(noColor.out()).not.toContain('\u001b[');
    const pipe = captureIo(dir);
    await main([], pipe);
    expect(pipe.out()).not.toContain('\u001b[');
  });

  test.each([
    [{ TERM: 'dumb' }, false],
    [{ FORCE_COLOR: '0' }, false],
    [{ FORCE_COLOR: 'false' }, false],
    [{ NO_COLOR: '' }, true],
    [{ NO_COLOR: '1', FORCE_COLOR: '1' }, true],
    [{ TERM: 'dumb', FORCE_COLOR: '' }, true],
  ])('on a TTY with %j, colour is %s (FORCE_COLOR as Node reads it; an empty NO_COLOR is unset)', async (env, colour) => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir, { tty: true, env });
    await main([], io);
    expect(io.out().includes('\u001b[')).toBe(colour);
  });

  test('folders honour nested .gitignore files and skip node_modules and .git', async () => {
    const dir = repoWith({
      'keep.yaml': POD,
      '.gitignore': 'generated/\n',
      'generated/x.yaml': POD,
      'sub/.gitignore': '*.local.yaml\n',
      'sub/a.local.yaml': POD,
      'sub/b.yaml': POD,
      'node_modules/pkg/c.yaml': POD,
      '.git/d.yaml': POD,
    });
    const io = captureIo(dir);
    await main(['--format', 'json'], io);
    expect(JSON.parse(io.out()).findings.map((f: { file: string }) => f.file)).toEqual(['keep.yaml', 'sub/b.yaml']);
    // A file named explicitly is always read.
    const named = captureIo(dir);
    await main(['--format', 'json', 'generated/x.yaml'], named);
    expect(JSON.parse(named.out()).findings.map((f: { file: string }) => f.file)).toEqual(['generated/x.yaml']);
  });

  test('binary files and files over the size limit are skipped with a note', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.writeFileSync(path.join(dir, 'blob.yaml'), Buffer.concat([Buffer.from('grpc_health_probe'), Buffer.from([0, 1, 2])]));
    fs.writeFileSync(path.join(dir, 'huge.yaml'), 'kind: ConfigMap\n' + '#'.repeat(5 * 1024 * 1024 + 10));
    const io = captureIo(dir);
    await main([], io);
    expect(io.out()).toContain('note: skipped blob.yaml: binary file (NUL bytes)');
    expect(io.out()).toContain('note: skipped huge.yaml: larger than 5 MB');
  });

  test("the tool's own JSON and SARIF reports in the tree are not read as uses of the binary", async () => {
    const dockerfile = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64\nCOPY app /app\n';
    const dir = repoWith({ 'a.yaml': POD, Dockerfile: dockerfile });
    expect(await main(['--format', 'json', '--output', 'reports/probes.json'], captureIo(dir))).toBe(1);
    expect(await main(['--format', 'sarif', '--output', 'reports/probes.sarif'], captureIo(dir))).toBe(1);
    const io = captureIo(dir);
    expect(await main(['--fix'], io)).toBe(0);
    expect(io.out()).toContain('note: skipped reports/probes.json: a saved grpc-probe-migrate JSON report, not a use of the binary');
    expect(io.out()).toContain('note: skipped reports/probes.sarif: a saved grpc-probe-migrate SARIF report, not a use of the binary');
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe('FROM alpine\nCOPY app /app\n');
  });

  test('a file over the size limit that names the binary is an error, and keeps the installs', async () => {
    const dockerfile = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64\nCOPY app /app\n';
    const dir = repoWith({ 'a.yaml': POD, Dockerfile: dockerfile });
    // The use sits past the first 5 MB: found all the same.
    fs.writeFileSync(path.join(dir, 'bundle.yaml'), '#'.repeat(5 * 1024 * 1024 + 10) + '\n' + POD);
    const io = captureIo(dir);
    const code = await main(['--fix'], io);
    expect(code).toBe(2);
    expect(io.out()).toMatch(/bundle\.yaml.*larger than 5 MB, so not read, and it names grpc_health_probe; installs of the binary stay/);
    expect(io.out()).toMatch(/Dockerfile:2:1 +blocked +RUN installs grpc_health_probe \(wget\): kept/);
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
  });
});

describe('the installed command', () => {
  test('bin/ runs from any folder (needs the build from npm ci / npm test)', () => {
    const bin = path.join(ROOT, 'bin', 'grpc-probe-migrate.js');
    const out = execFileSync(process.execPath, [bin, '--help'], { cwd: os.tmpdir(), encoding: 'utf8' });
    expect(out).toContain('Usage: grpc-probe-migrate');
  });

  test('bin/ in a checkout that was never built says to run npm ci, not a module-not-found stack', () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-unbuilt-'));
    fs.mkdirSync(path.join(copy, 'bin'));
    fs.copyFileSync(path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), path.join(copy, 'bin', 'grpc-probe-migrate.js'));
    const r = spawnSync(process.execPath, [path.join(copy, 'bin', 'grpc-probe-migrate.js'), '.'], { cwd: copy, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^grpc-probe-migrate: the tool is not built \(.*dist[\\/]src[\\/]cli\.js is missing\): run `npm ci` \(or `npm run build`\) in /);
    expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
  });

  test('npm run demo shows the report and the diff, exits 0 and changes nothing', () => {
    const before = fs.readdirSync(demo, { recursive: true }).map(String).sort().map((f) => [f, fs.statSync(path.join(demo, f)).isFile() ? fs.readFileSync(path.join(demo, f), 'utf8') : '']);
    const r = spawnSync('npm', ['run', '--silent', 'demo'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('+++ b/fixtures/demo-repo/k8s/api.yaml');
    expect(r.stdout).toMatch(/payments\.yaml:\d+:\d+ +blocked .*\[tls\]/);
    const after = fs.readdirSync(demo, { recursive: true }).map(String).sort().map((f) => [f, fs.statSync(path.join(demo, f)).isFile() ? fs.readFileSync(path.join(demo, f), 'utf8') : '']);
    expect(after).toEqual(before);
  });
});

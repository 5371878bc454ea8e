/**
 * The benchmark (issue 7). Not a test: it prints timings, it does not assert them.
 *
 *   npm run bench                       # 2k, 20k and 100k files
 *   npm run bench -- --sizes 20000 --runs 9
 *   npm run bench -- --sizes '' --platform 100,400,1600   # the platform tree only
 *   npm run bench -- --sizes '' --platform-variant readers  # with helmCharts kustomizations, Pulumi projects, templated helmfile values
 *
 * For each tree size it alternates the tool (report mode, JSON) with
 * `rg -l -F -e grpc_health_probe -e grpc-health-probe .` and with the Node floor (node-floor.ts: the
 * same question answered by a bare Node walk-and-read) and prints the medians and their ratios;
 * then one file against `node -e 0`; and the tool's peak RSS. Then the platform tree
 * (generate-platform.ts: charts, releases, overlays and images that refer to each other) at 100,
 * 400 and 1,600 services, to show that the readers that look across files grow linearly too
 * (`--platform ''` skips it). Trees are generated once into .bench/ (git-ignored) and reused.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countsFor, generate, GENERATOR_VERSION, type TreeCounts } from './generate.js';
import { generatePlatform, PLATFORM_GENERATOR_VERSION, platformCounts, type PlatformVariant } from './generate-platform.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to .bench/build/ (kept out of dist/, which is the package): the root is two levels up.
const root = path.resolve(here, '..', '..');
const cli = path.join(root, 'bin', 'grpc-probe-migrate.js');
const rssProbe = path.join(here, 'rss-probe.js');
const nodeFloor = path.join(here, 'node-floor.js');
const RG_ARGS = ['-l', '-F', '-e', 'grpc_health_probe', '-e', 'grpc-health-probe', '.'];

interface Options {
  sizes: number[];
  platform: number[];
  platformVariant: PlatformVariant;
  runs: number;
  oneFileRuns: number;
  dir: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '2000,20000,100000' },
      platform: { type: 'string', default: '100,400,1600' },
      'platform-variant': { type: 'string', default: 'plain' },
      runs: { type: 'string', default: '7' },
      'one-file-runs': { type: 'string', default: '15' },
      dir: { type: 'string', default: path.join(root, '.bench') },
    },
  });
  return {
    sizes: values.sizes.split(',').filter((s) => s.trim() !== '').map((s) => Number(s.trim())),
    platform: values.platform.split(',').filter((s) => s.trim() !== '').map((s) => Number(s.trim())),
    platformVariant: values['platform-variant'] === 'readers' ? 'readers' : 'plain',
    runs: Number(values.runs),
    oneFileRuns: Number(values['one-file-runs']),
    dir: path.resolve(values.dir),
  };
}

function requireRipgrep(): void {
  const r = spawnSync('rg', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    process.stderr.write(
      'bench: ripgrep (rg) is the yardstick and is not installed.\n' +
        '  Debian/Ubuntu: apt-get install -y ripgrep    macOS: brew install ripgrep\n' +
        '  other systems: https://github.com/BurntSushi/ripgrep#installation\n',
    );
    process.exit(2);
  }
}

function treeFor(dir: string, files: number): { path: string; counts: TreeCounts } {
  const tree = path.join(dir, `tree-${files}-v${GENERATOR_VERSION}`);
  const done = `${tree}.done`;
  if (!fs.existsSync(done)) {
    fs.rmSync(tree, { recursive: true, force: true });
    process.stderr.write(`bench: generating ${files} files in ${path.relative(root, tree)} ...\n`);
    generate(tree, { files });
    fs.writeFileSync(done, '');
  }
  return { path: tree, counts: countsFor({ files }) };
}

function platformTreeFor(dir: string, services: number, variant: PlatformVariant): { path: string; counts: ReturnType<typeof platformCounts> } {
  const tree = path.join(dir, `platform-${variant === 'plain' ? '' : `${variant}-`}${services}-v${PLATFORM_GENERATOR_VERSION}`);
  const done = `${tree}.done`;
  if (!fs.existsSync(done)) {
    fs.rmSync(tree, { recursive: true, force: true });
    process.stderr.write(`bench: generating a platform tree of ${services} services in ${path.relative(root, tree)} ...\n`);
    generatePlatform(tree, services, variant);
    fs.writeFileSync(done, '');
  }
  return { path: tree, counts: platformCounts(services, variant) };
}

/**
 * CPU time (user + system, ms) of this process's waited-for children, from /proc (Linux; 10 ms
 * ticks). Wall time on a shared machine swings with the load; CPU time much less.
 */
function childrenCpuMs(): number | undefined {
  try {
    // Fields after the ')' that closes the command name: cutime and cstime are the 14th and 15th.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Sample {
  ms: number;
  cpuMs?: number;
}

function timed(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Sample & { r: SpawnSyncReturns<string> } {
  const cpu0 = childrenCpuMs();
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, ...(env ? { env } : {}) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu1 = childrenCpuMs();
  if (r.error) throw r.error;
  return { ms, r, ...(cpu0 !== undefined && cpu1 !== undefined ? { cpuMs: cpu1 - cpu0 } : {}) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface Medians {
  ms: number;
  cpuMs?: number;
}

function medians(samples: Sample[]): Medians {
  const cpu = samples.map((s) => s.cpuMs).filter((c): c is number => c !== undefined);
  return { ms: median(samples.map((s) => s.ms)), ...(cpu.length === samples.length ? { cpuMs: median(cpu) } : {}) };
}

/** Runs the commands in turn, round after round (after one warm-up each, which also fills the page cache). */
function alternate(runs: number, ...commands: (() => Sample)[]): Medians[] {
  for (const c of commands) c();
  const samples: Sample[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => samples[j]!.push(c()));
  return samples.map(medians);
}

const toolArgs = ['--format', 'json', '.'];

function scanTool(tree: string, expected: number): () => Sample {
  return () => {
    const { r, ...sample } = timed(process.execPath, [cli, ...toolArgs], tree);
    // Exit 1 = migratable uses remain, which is the point of the tree.
    if (r.status !== 1) throw new Error(`tool exited ${r.status}: ${r.stderr}`);
    const candidates = (JSON.parse(r.stdout) as { summary: { candidates: number } }).summary.candidates;
    if (candidates !== expected) throw new Error(`tool found ${candidates} candidates, expected ${expected}`);
    return sample;
  };
}

function scanRipgrep(tree: string, expected: number): () => Sample {
  return () => {
    const { r, ...sample } = timed('rg', RG_ARGS, tree);
    const listed = r.stdout.split('\n').filter(Boolean).length;
    if (r.status !== 0 || listed !== expected) throw new Error(`rg exited ${r.status} listing ${listed} files, expected ${expected}`);
    return sample;
  };
}

/** The Node floor (node-floor.ts): it must list what rg lists. */
function scanNodeFloor(tree: string, expected: number): () => Sample {
  return () => {
    const { r, ...sample } = timed(process.execPath, [nodeFloor], tree);
    const listed = r.stdout.split('\n').filter(Boolean).length;
    if (r.status !== 0 || listed !== expected) throw new Error(`node floor exited ${r.status} listing ${listed} files, expected ${expected}`);
    return sample;
  };
}

function peakRssMb(tree: string, args: string[]): number {
  const out = path.join(os.tmpdir(), `gpm-bench-rss-${process.pid}`);
  timed(process.execPath, ['--import', rssProbe, cli, ...args], tree, { ...process.env, BENCH_RSS_FILE: out });
  const kb = Number(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  return kb / 1024;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}×` : '–');
const cpuOf = (m: Medians) => (m.cpuMs !== undefined ? fmt(m.cpuMs) : '–');

function main(): void {
  const o = options(process.argv.slice(2));
  requireRipgrep();
  const rgVersion = spawnSync('rg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };
  say(`node ${process.version}, ${rgVersion}, ${os.cpus().length} cores, ${os.platform()}, load average ${os.loadavg()[0]!.toFixed(1)}; medians of ${o.runs} alternated runs (3 at 100k files); CPU = user + system`);
  say('');
  say('| files (+ node_modules) | candidates | tool wall | rg wall | wall ratio | tool CPU | rg CPU | CPU ratio | Node floor wall | Node floor CPU | tool / Node floor (wall) | tool wall per 1k files | tool peak RSS |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const results: Record<string, unknown>[] = [];
  let smallest: string | undefined;
  for (const files of o.sizes) {
    const { path: tree, counts } = treeFor(o.dir, files);
    smallest ??= tree;
    const expected = counts.manifests + counts.dockerfiles;
    const runs = files >= 100_000 ? Math.max(3, Math.ceil(o.runs / 2)) : o.runs;
    const [tool, rg, floor] = alternate(runs, scanTool(tree, expected), scanRipgrep(tree, expected), scanNodeFloor(tree, expected)) as [Medians, Medians, Medians];
    const rss = peakRssMb(tree, toolArgs);
    results.push({ files, nodeModules: counts.nodeModules, candidates: expected, tool, rg, nodeFloor: floor, peakRssMb: rss });
    say(
      `| ${files.toLocaleString('en')} (+ ${counts.nodeModules.toLocaleString('en')}) | ${expected} | ${fmt(tool.ms)} | ${fmt(rg.ms)} | ${ratio(tool.ms, rg.ms)} | ` +
        `${cpuOf(tool)} | ${cpuOf(rg)} | ${ratio(tool.cpuMs, rg.cpuMs)} | ${fmt(floor.ms)} | ${cpuOf(floor)} | ${ratio(tool.ms, floor.ms)} | ` +
        `${(tool.ms / (files / 1000)).toFixed(1)} ms | ${rss.toFixed(0)} MB |`,
    );
  }

  if (smallest) {
    const tree = smallest;
    // Pre-commit runs in a git checkout, where a file list is a partial view: the tool lists the
    // repository's files with git (src/discover/scope.ts) for the readers that look across files.
    // The tree is made one once (its .git is skipped by the tool's walk, the Node floor and rg).
    gitCheckout(tree);
    say('');
    say(`| one file, in a git checkout of the tree (what pre-commit pays), medians of ${o.oneFileRuns} | tool wall | \`node -e 0\` wall | wall ratio | tool CPU | \`node -e 0\` CPU | CPU ratio |`);
    say('| --- | --- | --- | --- | --- | --- | --- |');
    // What a pre-commit hook pays: a manifest to migrate (exit 1); a Dockerfile that installs the
    // binary (it loads the Dockerfile and shell parsers; alone in the run, its install is kept:
    // exit 0); and a file that does not mention the binary (exit 0).
    const cases = [
      { file: path.join('services', 'svc-0000', 'k8s', 'deployment-0.yaml'), what: 'a manifest, two probes', status: 1 },
      { file: path.join('services', 'svc-0000', 'docker', '0', 'Dockerfile'), what: 'a Dockerfile that downloads the binary', status: 0 },
      // The same with no shell tree kept from an earlier run (src/result-store.ts): a first run, or CI.
      { file: path.join('services', 'svc-0000', 'docker', '0', 'Dockerfile'), what: 'the same, no shell trees kept: GRPC_PROBE_MIGRATE_CACHE=0', status: 0, env: { ...process.env, GRPC_PROBE_MIGRATE_CACHE: '0' } },
      { file: path.join('services', 'svc-0000', 'src', 'request', 'request-0.ts'), what: 'a source file, no probe', status: 0 },
    ];
    for (const c of cases) {
      const [tool, node] = alternate(
        o.oneFileRuns,
        () => {
          const { r, ...sample } = timed(process.execPath, [cli, '--format', 'json', c.file], tree, 'env' in c ? c.env : undefined);
          if (r.status !== c.status) throw new Error(`tool exited ${r.status} on ${c.file}: ${r.stderr}`);
          return sample;
        },
        () => timed(process.execPath, ['-e', '0'], tree),
      ) as [Medians, Medians];
      say(
        `| \`grpc-probe-migrate --format json ${c.file.split(path.sep).join('/')}\` (${c.what}) | ${fmt(tool.ms)} | ${fmt(node.ms)} | ${ratio(tool.ms, node.ms)} | ` +
          `${cpuOf(tool)} | ${cpuOf(node)} | ${ratio(tool.cpuMs, node.cpuMs)} |`,
      );
      results.push({ oneFile: c.file, what: c.what, tool, node });
    }
  }
  if (o.platform.length > 0) {
    say('');
    say(`| platform tree (charts, releases, overlays, images${o.platformVariant === 'readers' ? '; the readers variant' : ''}), medians of 3 | files | candidates | tool wall | tool CPU | tool CPU per 100 services | tool peak RSS |`);
    say('| --- | --- | --- | --- | --- | --- | --- |');
    for (const services of o.platform) {
      const { path: tree, counts } = platformTreeFor(o.dir, services, o.platformVariant);
      const [tool] = alternate(3, scanTool(tree, counts.candidates)) as [Medians];
      const rss = peakRssMb(tree, toolArgs);
      results.push({ platformServices: services, files: counts.files, candidates: counts.candidates, tool, peakRssMb: rss });
      say(
        `| ${services.toLocaleString('en')} services | ${counts.files.toLocaleString('en')} | ${counts.candidates.toLocaleString('en')} | ${fmt(tool.ms)} | ${cpuOf(tool)} | ` +
          `${tool.cpuMs !== undefined ? fmt(tool.cpuMs / (services / 100)) : '–'} | ${rss.toFixed(0)} MB |`,
      );
    }
  }
  fs.mkdirSync(o.dir, { recursive: true });
  fs.writeFileSync(path.join(o.dir, 'results.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, results }, null, 2) + '\n');
}

main();

/**
 * Makes the tree a git checkout with every file committed, once. The generator leaves an empty
 * .git (for ripgrep to honour .gitignore), which git does not read as a repository: a run there
 * found the enclosing checkout's listing, where the tree is ignored, empty.
 */
function gitCheckout(tree: string): void {
  if (fs.existsSync(path.join(tree, '.git', 'HEAD'))) return;
  process.stderr.write(`bench: making ${path.relative(process.cwd(), tree)} a git checkout (once) ...\n`);
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-C', tree, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', 'bench tree');
}

/**
 * The benchmark (issue 7). Not a test: it prints timings, it does not assert them.
 *
 *   npm run bench                       # 2k, 20k and 100k files
 *   npm run bench -- --sizes 20000 --runs 9
 *
 * For each tree size it alternates the tool (report mode, JSON) with
 * `rg -l -F -e grpc_health_probe -e grpc-health-probe .` and prints the medians and their ratio;
 * then one file against `node -e 0`; and the tool's peak RSS. Trees are generated once into
 * .bench/ (git-ignored) and reused.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countsFor, generate, GENERATOR_VERSION, type TreeCounts } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/: the repository root is two levels up.
const root = path.resolve(here, '..', '..');
const cli = path.join(root, 'bin', 'grpc-probe-migrate.js');
const rssProbe = path.join(here, 'rss-probe.js');
const RG_ARGS = ['-l', '-F', '-e', 'grpc_health_probe', '-e', 'grpc-health-probe', '.'];

interface Options {
  sizes: number[];
  runs: number;
  oneFileRuns: number;
  dir: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '2000,20000,100000' },
      runs: { type: 'string', default: '7' },
      'one-file-runs': { type: 'string', default: '15' },
      dir: { type: 'string', default: path.join(root, '.bench') },
    },
  });
  return {
    sizes: values.sizes.split(',').map((s) => Number(s.trim())),
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

function timed(cmd: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): { ms: number; r: SpawnSyncReturns<string> } {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, ...(env ? { env } : {}) });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  return { ms, r };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a and b alternately (after one warm-up each, which also fills the page cache). */
function alternate(runs: number, a: () => number, b: () => number): { a: number; b: number } {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return { a: median(as), b: median(bs) };
}

const toolArgs = ['--format', 'json', '.'];

function scanTool(tree: string, expected: number): () => number {
  return () => {
    const { ms, r } = timed(process.execPath, [cli, ...toolArgs], tree);
    // Exit 1 = migratable uses remain, which is the point of the tree.
    if (r.status !== 1) throw new Error(`tool exited ${r.status}: ${r.stderr}`);
    const candidates = (JSON.parse(r.stdout) as { summary: { candidates: number } }).summary.candidates;
    if (candidates !== expected) throw new Error(`tool found ${candidates} candidates, expected ${expected}`);
    return ms;
  };
}

function scanRipgrep(tree: string, expected: number): () => number {
  return () => {
    const { ms, r } = timed('rg', RG_ARGS, tree);
    const listed = r.stdout.split('\n').filter(Boolean).length;
    if (r.status !== 0 || listed !== expected) throw new Error(`rg exited ${r.status} listing ${listed} files, expected ${expected}`);
    return ms;
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

function main(): void {
  const o = options(process.argv.slice(2));
  requireRipgrep();
  const rgVersion = spawnSync('rg', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const lines: string[] = [];
  const say = (s: string) => {
    lines.push(s);
    process.stdout.write(s + '\n');
  };
  say(`node ${process.version}, ${rgVersion}, ${os.cpus().length} cores, ${os.platform()}; medians of ${o.runs} alternated runs`);
  say('');
  say('| files (+ node_modules) | candidates | tool (report, JSON) | ripgrep | ratio | tool per 1k files | peak RSS |');
  say('| --- | --- | --- | --- | --- | --- | --- |');
  const results: Record<string, unknown>[] = [];
  let smallest: string | undefined;
  for (const files of o.sizes) {
    const { path: tree, counts } = treeFor(o.dir, files);
    smallest ??= tree;
    const expected = counts.manifests + counts.dockerfiles;
    const runs = files >= 100_000 ? Math.max(3, Math.ceil(o.runs / 2)) : o.runs;
    const m = alternate(runs, scanTool(tree, expected), scanRipgrep(tree, expected));
    const rss = peakRssMb(tree, toolArgs);
    results.push({ files, nodeModules: counts.nodeModules, candidates: expected, toolMs: m.a, rgMs: m.b, ratio: m.a / m.b, peakRssMb: rss });
    say(`| ${files.toLocaleString('en')} (+ ${counts.nodeModules.toLocaleString('en')}) | ${expected} | ${fmt(m.a)} | ${fmt(m.b)} | ${(m.a / m.b).toFixed(2)}× | ${(m.a / (files / 1000)).toFixed(1)} ms | ${rss.toFixed(0)} MB |`);
  }

  if (smallest) {
    const file = path.join('services', 'svc-0000', 'k8s', 'deployment-0.yaml');
    const one = alternate(
      o.oneFileRuns,
      () => {
        const { ms, r } = timed(process.execPath, [cli, '--format', 'json', file], smallest!);
        if (r.status !== 1) throw new Error(`tool exited ${r.status} on one file: ${r.stderr}`);
        return ms;
      },
      () => timed(process.execPath, ['-e', '0'], smallest!).ms,
    );
    say('');
    say('| one file (a manifest with two probes) | tool | `node -e 0` | ratio |');
    say('| --- | --- | --- | --- |');
    say(`| \`grpc-probe-migrate --format json ${file.split(path.sep).join('/')}\` | ${fmt(one.a)} | ${fmt(one.b)} | ${(one.a / one.b).toFixed(2)}× |`);
    results.push({ oneFile: file, toolMs: one.a, nodeMs: one.b, ratio: one.a / one.b });
  }
  fs.mkdirSync(o.dir, { recursive: true });
  fs.writeFileSync(path.join(o.dir, 'results.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: os.cpus().length, results }, null, 2) + '\n');
}

main();

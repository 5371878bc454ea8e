/**
 * Reading in a worker thread (src/discover/reads.ts) must not change a run's result: findings,
 * their order, the summary, skipped files, error messages and --fix's writes are the same as
 * with the inline reader, on the fixtures, the corpus and a tree of odd files. A worker that
 * fails loses nothing: the files it did not report are read inline.
 * The worker runs dist/'s compiled reader (see reads.ts): `npm test` builds before jest runs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { ReaderWorker } from '../src/discover/reader-thread.js';
import { inlineReads, type ReadBatch } from '../src/discover/reads.js';
import { MIN_FILES_FOR_READER_THREAD, run } from '../src/engine.js';
import type { Rule, RunOptions, RunResult } from '../src/types.js';
import rule from '../rules/kubernetes-exec-probe.js';
import { readTree } from './harness.js';
import { CORPUS } from './support/corpus.js';
import { captureIo } from './support/io.js';
import { copyOf, POD, repoWith, ROOT } from './support/repo.js';

/** Everything a run says, in a form toEqual compares (SourceFile objects are not shared). */
const said = (r: RunResult) => ({
  findings: r.findings,
  summary: r.summary,
  files: r.files.map((f) => ({ file: f.file.displayPath, kind: f.file.kind, output: f.output, changed: f.changed, written: f.written })),
});

/** `source`: a tree, or a function that makes a fresh one (a named pipe cannot be copied). */
async function bothWays(source: string | (() => string), options: RunOptions = {}): Promise<{ inline: RunResult; worker: RunResult }> {
  // --fix changes the tree: each reader gets its own. Report mode runs on the tree itself.
  const make = typeof source === 'string' ? () => copyOf(source) : source;
  const once = typeof source === 'string' ? source : make();
  const dirs = options.fix ? [make(), make()] : [once, once];
  const inline = await run({ cwd: dirs[0], ...options, reader: 'inline' });
  const worker = await run({ cwd: dirs[1], ...options, reader: 'worker' });
  expect(said(worker)).toEqual(said(inline));
  if (options.fix) expect(readTree(dirs[1]!)).toEqual(readTree(dirs[0]!));
  return { inline, worker };
}

describe('the worker gives the inline result', () => {
  const FIXTURES = path.join(ROOT, 'fixtures');
  const ruleFolders = fs.readdirSync(FIXTURES).filter((d) => d !== 'corpus' && fs.statSync(path.join(FIXTURES, d)).isDirectory());

  // Two runs over every fixture (the corpus too): it grows with each fixture (~670 cases now), and
  // took 82 s in a clean clone's CI on a quiet 2-core machine, 80-190 s with 6-8 test runs beside
  // it: past the 60 s limit it had. The limit guards against a hang, not for speed (the benchmark
  // measures that).
  test('on all the fixtures as one tree, report mode', async () => {
    const { inline } = await bothWays(FIXTURES);
    expect(inline.summary.candidates).toBeGreaterThan(50);
    expect(inline.findings.map((f) => f.status)).toEqual(expect.arrayContaining(['migratable', 'blocked', 'error']));
  }, 300_000);

  // Two runs over a rule's fixtures: dockerfile-binary-install's took 5-11 s on the loaded 2-core
  // machine (other test runs beside it), past jest's default 5 s.
  test.each(ruleFolders)('on fixtures/%s with --fix', async (folder) => {
    const { inline } = await bothWays(path.join(FIXTURES, folder), { fix: true });
    expect(inline.summary.filesScanned).toBeGreaterThan(0);
  }, 60_000);

  test('on the corpus, report mode and --fix', async () => {
    const { inline } = await bothWays(CORPUS);
    expect(inline.summary.probes.migratable).toBeGreaterThan(0);
    const fixed = await bothWays(CORPUS, { fix: true });
    expect(fixed.worker.summary.filesChanged).toBeGreaterThan(0);
    expect(fixed.worker.files.some((f) => f.written)).toBe(true);
  });

  test('on a tree of odd files: pipe, dangling link, link loop, too large, NUL, UTF-16, Latin-1, BOM, empty', async () => {
    const oddTree = () => {
      const dir = repoWith({
        'a.yaml': POD,
        'big.yaml': POD + '#'.repeat(4096),
        'big-plain.yaml': 'kind: ConfigMap\n' + '#'.repeat(POD.length + 4096),
        'binary.yaml': Buffer.concat([Buffer.from(POD), Buffer.from([0, 1, 2])]),
        'u16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD, 'utf16le')]),
        'latin1.yaml': Buffer.from(`# caf\xe9\n${POD}`, 'latin1'),
        'bom.yaml': '\ufeff' + POD,
        'empty.yaml': '',
        'sub/deep/b.yaml': POD,
        'sub/notes.txt': 'nothing to see\n',
      });
      execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
      fs.symlinkSync('missing.yaml', path.join(dir, 'dangling.yaml'));
      fs.symlinkSync('loop-b', path.join(dir, 'loop-a'));
      fs.symlinkSync('loop-a', path.join(dir, 'loop-b'));
      fs.symlinkSync('a.yaml', path.join(dir, 'link.yaml'));
      return dir;
    };
    const maxFileBytes = POD.length + 1000;
    for (const fix of [false, true]) {
      const { inline } = await bothWays(oddTree, { fix, maxFileBytes });
      expect(inline.findings.map((f) => [f.file, f.status, /^(encoded|not valid|larger)/.test(f.message) ? f.message : ''])).toEqual([
        ['a.yaml', fix ? 'migrated' : 'migratable', ''],
        ['big.yaml', 'error', 'larger than 1.1 KB, so not read, and it names grpc_health_probe; installs of the binary stay'],
        ['bom.yaml', fix ? 'migrated' : 'migratable', ''],
        ['latin1.yaml', 'error', 'not valid UTF-8; the file was left unchanged'],
        ['sub/deep/b.yaml', fix ? 'migrated' : 'migratable', ''],
        ['u16.yaml', 'error', 'encoded as UTF-16, not UTF-8; the file was left unchanged'],
      ]);
      // Not read, but searched: the error is where the file first names the binary, found by the
      // worker's search as by the inline one (bothWays compared them).
      const mention = POD.indexOf('grpc_health_probe');
      expect(inline.findings.find((f) => f.file === 'big.yaml')).toMatchObject({ line: POD.slice(0, mention).split('\n').length, column: mention - POD.lastIndexOf('\n', mention) });
      // What the walk passes over (no text to read) is said first, then what the reads skipped.
      expect(inline.summary.skipped).toEqual([
        { file: 'dangling.yaml', reason: 'a symlink to nothing (dangling)' },
        { file: 'loop-a', reason: 'a symlink that leads back to itself (a loop)' },
        { file: 'loop-b', reason: 'a symlink that leads back to itself (a loop)' },
        { file: 'pipe.yaml', reason: 'not a regular file (a named pipe)' },
        { file: 'big-plain.yaml', reason: 'larger than 1.1 KB' },
        { file: 'binary.yaml', reason: 'binary file (NUL bytes)' },
      ]);
    }
  });

  test('a symlink out of the scanned folder keeps the install, as inline', async () => {
    const tree = () => {
      const root = repoWith({ 'repo/Dockerfile': 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://example.com/grpc_health_probe && chmod +x /bin/grpc_health_probe\n', 'infra/probe.yaml': POD });
      fs.symlinkSync(path.join(root, 'infra'), path.join(root, 'repo', 'deploy'));
      return path.join(root, 'repo');
    };
    const { inline } = await bothWays(tree, { fix: true });
    expect(inline.findings.map((f) => [f.file, f.status])).toEqual(expect.arrayContaining([['deploy', 'blocked'], ['Dockerfile', 'blocked']]));
  });

  test('a folder the walk cannot read and a file gone before it is read: the same error findings', async () => {
    // The walk runs on this thread, where a spy can refuse a folder; a file deleted just after
    // its folder was listed fails to open in either reader (the worker's fs cannot be faked).
    const realReaddir = fs.readdirSync;
    jest.spyOn(fs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
      if (String(p).endsWith(`${path.sep}secret`)) throw Object.assign(new Error(`EACCES: scandir '${p}'`), { code: 'EACCES' });
      const entries = realReaddir(p, o as { withFileTypes: true });
      if (String(p).endsWith(`${path.sep}k8s`)) fs.rmSync(path.join(String(p), 'gone.yaml'), { force: true });
      return entries;
    }) as typeof fs.readdirSync);
    const results: RunResult[] = [];
    try {
      for (const reader of ['inline', 'worker'] as const) {
        const dir = repoWith({ 'secret/a.yaml': POD, 'k8s/gone.yaml': POD, 'k8s/ok.yaml': POD });
        results.push(await run({ cwd: dir, reader }));
      }
    } finally {
      jest.restoreAllMocks();
    }
    const [inline, worker] = results as [RunResult, RunResult];
    expect(said(worker)).toEqual(said(inline));
    expect(inline.findings.map((f) => [f.file, f.status, f.message])).toEqual([
      ['k8s/gone.yaml', 'error', 'cannot read: no such file or folder'],
      ['k8s/ok.yaml', 'migratable', expect.any(String)],
      ['secret', 'error', 'cannot read: permission denied'],
    ]);
  });

  test('a file changed on disk after the worker read it is not overwritten', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD });
    const meddler: Rule = {
      meta: { id: 'test-meddler', description: 'test', fixable: false, fileKinds: ['yaml'] },
      create: () => ({ end: () => fs.appendFileSync(path.join(dir, 'a.yaml'), '# edited meanwhile\n') }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule, meddler], reader: 'worker' });
    expect(result.findings.map((f) => [f.file, f.status])).toEqual([['a.yaml', 'error'], ['b.yaml', 'migrated']]);
    expect(result.findings[0]!.message).toMatch(/the file changed on disk while the tool ran/);
    expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(POD + '# edited meanwhile\n');
  });

  test('progress on a terminal counts the files and candidates the worker read', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD, 'k8s/b.txt': 'x\n', 'c.txt': 'y\n' });
    const io = captureIo(dir, { env: { GRPC_PROBE_MIGRATE_READER: 'worker' } });
    (io.stderr as { isTTY?: boolean }).isTTY = true;
    let t = 0;
    io.now = () => (t += 1000);
    expect(await main(['--format', 'json'], io)).toBe(1);
    expect(io.err()).toContain('3 files scanned, 1 candidates · k8s');
    expect(JSON.parse(io.out()).summary).toMatchObject({ filesScanned: 3, candidates: 1 });
  });
});

describe('a reader worker that fails', () => {
  const dir = repoWith(Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`f${String(i).padStart(4, '0')}.yaml`, i % 100 === 7 ? POD : 'kind: Service\n'])));
  const files = fs.readdirSync(dir).sort().map((n) => path.join(dir, n));
  const flat = async (batches: AsyncIterable<ReadBatch> | Iterable<ReadBatch>) => {
    const items: ReadBatch['items'] = [];
    let end = 0;
    for await (const b of batches) {
      items.push(...b.items);
      end = b.end;
    }
    return { end, items: items.map(({ index, result }) => ({ index, kind: result.kind, bytes: 'bytes' in result ? result.bytes.toString() : undefined })) };
  };

  test.each([
    ['that cannot start', pathToFileURL(path.join(ROOT, 'test', 'support', 'no-such-reader.mjs'))],
    ['that stops part-way', pathToFileURL(path.join(ROOT, 'test', 'support', 'failing-reader.mjs'))],
  ])('%s: the files it did not report are read inline, and the debug output says so', async (_what, script) => {
    const notes: string[] = [];
    const got = await flat(new ReaderWorker(1 << 20, (t) => notes.push(t), script).reads(files));
    expect(got).toEqual(await flat(inlineReads(files, 1 << 20)));
    expect(got.items.filter((i) => i.kind === 'candidate')).toHaveLength(12);
    expect(notes).toEqual([expect.stringMatching(/^grpc-probe-migrate: the reader thread .*; reading the remaining \d+ files on the main thread\n$/)]);
  });

  test('the one that stops part-way did report a batch first (the resumption is from its end)', async () => {
    const notes: string[] = [];
    await flat(new ReaderWorker(1 << 20, (t) => notes.push(t), pathToFileURL(path.join(ROOT, 'test', 'support', 'failing-reader.mjs'))).reads(files));
    expect(notes[0]).toMatch(/stopped early \(exit code 3\); reading the remaining (\d+) files/);
    const remaining = Number(/remaining (\d+)/.exec(notes[0]!)![1]);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(files.length);
  });
});

describe('which thread reads', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });
  // This thread's fs calls are visible to a spy; the reader thread's are not.
  const opensIn = (dir: string) => {
    const spy = jest.spyOn(fs, 'openSync');
    return () => spy.mock.calls.filter(([p]) => String(p).startsWith(dir + path.sep)).length;
  };

  test("'auto' reads a small tree here and a large one in the thread, with the same result", async () => {
    const small = repoWith({ 'a.yaml': POD, 'b.txt': 'x\n' });
    let opens = opensIn(small);
    const smallResult = await run({ cwd: small, reader: 'auto' });
    expect(opens()).toBe(2);
    expect(smallResult.summary.candidates).toBe(1);

    const large = repoWith({ 'a.yaml': POD });
    for (let i = 0; i < MIN_FILES_FOR_READER_THREAD; i++) fs.writeFileSync(path.join(large, `f${i}.txt`), 'x\n');
    opens = opensIn(large);
    const auto = await run({ cwd: large, reader: 'auto' });
    expect(opens()).toBe(0);
    jest.restoreAllMocks();
    expect(said(auto)).toEqual(said(await run({ cwd: large, reader: 'inline' })));
    expect(auto.summary).toMatchObject({ filesScanned: MIN_FILES_FOR_READER_THREAD + 1, candidates: 1 });
  });

  test('the CLI follows GRPC_PROBE_MIGRATE_READER', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    for (const [reader, expected] of [['worker', 0], ['inline', 1]] as const) {
      const opens = opensIn(dir);
      const io = captureIo(dir, { env: { GRPC_PROBE_MIGRATE_READER: reader } });
      expect(await main(['--format', 'json', '.'], io)).toBe(1);
      expect(opens()).toBe(expected);
      jest.restoreAllMocks();
    }
  });

  test('by default the CLI reads a large folder in the thread, and a list of files here', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    for (let i = 0; i < MIN_FILES_FOR_READER_THREAD; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), 'x\n');
    // The list's a.yaml is opened twice here: once by the CLI, to see whether git should list the
    // checkout (it names the binary; src/discover/scope.ts wantsRepositoryListing), once to be read.
    for (const [args, expected] of [[['.'], 0], [['a.yaml', 'f1.txt'], 3]] as const) {
      const opens = opensIn(dir);
      expect(await main(['--format', 'json', ...args], captureIo(dir))).toBe(1);
      expect(opens()).toBe(expected);
      jest.restoreAllMocks();
    }
  });
});

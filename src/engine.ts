/**
 * The pipeline: discover → read & pre-check → classify → rules (per file, then per repository)
 * → apply edits (verified, atomic) → findings. The CLI and every test call `run()`.
 */
import { envOn } from './env.js';
import fs from 'node:fs';
import path from 'node:path';
import { mentionsBinary } from './analysis/binary.js';
import { DEFAULT_KUBE_VERSION } from './analysis/kube-version.js';
import { hintFor } from './blockers.js';
import { classify, READS_REPOSITORY } from './classify.js';
import { NOT_UTF8, NOT_UTF8_HINT, NUL_BYTES, NUL_TEXT, NUL_TEXT_HINT, UNREADABLE_HINT, UTF16, UTF16_HINT } from './discover/precheck.js';
import { ReaderWorker } from './discover/reader-thread.js';
import { inlineReads, type ReadBatch } from './discover/reads.js';
import { filesOfRepositories, listRepositories, trackedAmong, type RepositoryListing } from './discover/scope.js';
import { searchOutside } from './discover/outside.js';
import { describeFsError, discover, NO_SUCH_PATH, NO_SUCH_PATH_HINT, NOT_A_REGULAR_FILE, NOT_A_REGULAR_FILE_HINT, type LinkOut } from './discover/walk.js';
import { applyEdits } from './edits/apply.js';
import { unintendedChange } from './edits/verify.js';
import { ChangedOnDiskError, failedWriteHint, KEPT_FOR_UNWRITTEN_HINT, notWritableHint, UnsafeWriteError, writeFileAtomic } from './edits/write.js';
import { detectEol, LineIndex } from './text/lines.js';
import { humanSize } from './text/size.js';
import { HeapGuard } from './memory.js';
import { ownReportKind } from './report/own.js';
import { stdinInput, stdinKind } from './stdin.js';
import type { EditCheck, RewriteCheck, Verifier } from './reparse.js';
import type {
  BlockerCode,
  Edit,
  EndContext,
  FileContext,
  FileKind,
  FileResult,
  Finding,
  PendingFinding,
  Report,
  Rule,
  RuleHandlers,
  RuleMeta,
  RunContext,
  RunOptions,
  RunResult,
  SkippedFile,
  SourceFile,
  Status,
  Summary,
} from './types.js';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const STDIN_NAME = '<stdin>';
/**
 * With `reader: 'auto'`, the thread starts once the walk has listed this many files: a small tree
 * (most folder scans of one service) never pays for it. Started then, ~8 ms into the walk, its
 * start-up still overlaps the rest of the walk on any tree that needs it.
 */
const START_READER_THREAD_AT = 1000;
/**
 * With `reader: 'auto'`, the fewest files read in the thread. It is ready ~65-100 ms after it
 * starts (here); the walk takes ~8 µs a file and reading ~15 µs a file. The thread pays once the
 * reading it takes off the main thread is more than the wait for it:
 * 15 µs × N > 80 ms − 8 µs × (N − 1000), from ~3,800 files. Below, the tree is read inline and
 * the thread is stopped unused.
 */
export const MIN_FILES_FOR_READER_THREAD = 4000;
/** Heap checks (src/memory.ts): one per 512 files read, or per 16 candidates. */
const HEAP_CHECK_EVERY = 512;
const CANDIDATE_WORK = 32;

interface FileState {
  file: SourceFile;
  /** Bytes as read, to detect a change on disk before writing. */
  original?: Buffer;
  output: string;
  changed: boolean;
  written: boolean;
  refused?: string;
}

/** Whether a path is a regular file (following links); false when absent, a folder, a device, a fifo or not to be looked at. */
function isRegularFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
}

export async function run(options: RunOptions = {}): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  let discovered: string[] = [];
  let repositoryFiles: readonly string[] | undefined;
  // In a partial view, git lists the checkout while the rules load (`checkFile`).
  let repositoryListing: RepositoryListing | undefined;
  let listed: Map<string, string[] | undefined> | undefined;
  const missing = new Set<string>();
  // Rules that look across the repository (releases, controller patches, CRDs) read every YAML
  // file of it in one burst: each read counts toward the heap guard's next check, as in the walk.
  let onRead = (): void => {};
  const runCtx: RunContext = {
    options: { ...options, fix: options.fix ?? false, kubeVersion: options.kubeVersion ?? DEFAULT_KUBE_VERSION, keepBinary: options.keepBinary ?? false },
    cwd,
    readText: (p) => {
      // Rules ask again and again for files that are not there (a chart's requirements.yaml, a
      // Chart.yaml above every values file): a miss is remembered, as the tool creates no files.
      if (missing.has(p)) return undefined;
      onRead();
      // Most misses are a file that is not there: asked first, as a thrown ENOENT costs ~50 us
      // (the error and its stack) against ~5 us (406 misses in the 20k scan: ~17 -> ~3.5 ms).
      // Only a regular file is read: a name a script gives (`--patch-file /dev/stdin`, a fifo)
      // would read the tool's own standard input, which blocks on a terminal.
      if (!isRegularFile(p)) {
        missing.add(p);
        return undefined;
      }
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        missing.add(p);
        return undefined;
      }
    },
    allFiles: () => discovered,
    // After the walk (rules call it), so `paths` below is set.
    repositoryFiles: () => (repositoryFiles ??= options.partialView ? filesOfRepositories(paths, cwd, discovered, 'git', listed) : discovered),
  };
  // The rules (and the parsers they import) load with the first candidate file: a run that meets
  // none, like most pre-commit runs, never pays for them.
  let active: { rule: Rule; handlers: RuleHandlers }[] = [];
  const byKind = new Map<FileKind, { rule: Rule; handlers: RuleHandlers }[]>();
  let rulesLoaded = false;
  const loadRules = async () => {
    if (rulesLoaded) return;
    rulesLoaded = true;
    const rules = options.rules ?? (await import('../rules/index.js')).RULES;
    active = rules.map((rule) => ({ rule, handlers: rule.create(runCtx) }));
    for (const a of active) for (const k of a.rule.meta.fileKinds) byKind.set(k, [...(byKind.get(k) ?? []), a]);
  };

  const pending: PendingFinding[] = [];
  // Files a rule failed on: none of their fixes is applied (the tool did not fully understand them).
  const crashed = new Set<SourceFile>();
  const debug = options.onDebug ?? (envOn(process.env.GRPC_PROBE_MIGRATE_DEBUG) ? (t: string) => process.stderr.write(t) : undefined);
  const checks = options.validate ? await (await import('./reparse.js')).loadSchemaChecks() : undefined;
  const states = new Map<SourceFile, FileState>();
  const skipped: SkippedFile[] = [];
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  let scanned = 0;

  const fileError = (file: SourceFile, message: string, offset = 0, ruleId = 'engine') => {
    pending.push({ ruleId, file, report: { start: offset, subject: 'file', error: true, blockers: [], message } });
  };
  // A path the tool could not read or list may run the binary: say how to let the tool see it.
  const unreadable = (file: SourceFile, message: string) => {
    const hint = message.startsWith(NOT_A_REGULAR_FILE) ? NOT_A_REGULAR_FILE_HINT : message === NO_SUCH_PATH ? NO_SUCH_PATH_HINT : UNREADABLE_HINT;
    pending.push({ ruleId: 'engine', file, report: { start: 0, subject: 'file', error: true, blockers: [], message: `cannot read: ${message}`, hint } });
  };
  const pseudoFile = (absPath: string, displayPath: string): SourceFile => ({ path: absPath, displayPath, kind: classify(displayPath), text: '', eol: '\n' });

  const checkFile = async (file: SourceFile) => {
    // A partial view's rules read across the checkout (kustomizations patching the file,
    // controller patches, embeds): git lists it in its own process while the rules load (~25 ms
    // of a one-file pre-commit run in a 20k-file checkout, overlapped; the CLI starts it sooner).
    if (options.partialView && READS_REPOSITORY.has(file.kind)) repositoryListing ??= options.repositoryListing ?? listRepositories(paths, cwd);
    await loadRules();
    if (repositoryListing && !listed && READS_REPOSITORY.has(file.kind)) {
      listed = await repositoryListing.files();
      await repositoryListing.searches?.();
    }
    const caches = new Map<string, unknown>();
    for (const { rule, handlers } of byKind.get(file.kind) ?? []) {
      if (!handlers.file) continue;
      const ctx: FileContext = {
        run: runCtx,
        file,
        report: (r) => pending.push({ ruleId: rule.meta.id, file, report: r }),
        cached: <T>(key: string, make: () => T): T => {
          if (!caches.has(key)) caches.set(key, make());
          return caches.get(key) as T;
        },
      };
      try {
        // Awaited: a rule may import its heavy parts when it first meets a file (README, "Start-up").
        await handlers.file(ctx);
      } catch (e) {
        crashed.add(file);
        fileError(file, `rule ${rule.meta.id} failed on this file (${(e as Error).message ?? e}); the file was left unchanged`, 0, rule.meta.id);
        debug?.(`${(e as Error).stack ?? e}\n`);
      }
    }
  };

  /**
   * Symlinks that lead out of a scanned folder are not followed, but what they reach may run the
   * binary (`deploy -> ../infra`): searched read-only, a mention there keeps every install.
   */
  const linksOut = (links: readonly LinkOut[]) => {
    for (const link of links) {
      const shown = display(cwd, link.absPath);
      const search = searchOutside(link.target, maxBytes);
      if ('clean' in search) continue;
      const why = 'found' in search ? `${display(cwd, search.found)} names grpc_health_probe` : `it was not searched (${search.unsearched})`;
      pending.push({
        ruleId: 'engine',
        file: pseudoFile(link.absPath, shown),
        report: {
          start: 0,
          subject: 'consumer',
          blockers: ['unsupported-file'],
          keepsBinary: true,
          message: `a symlink out of the scanned folder, to ${display(cwd, link.target)}, is not followed, and ${why}: what it reaches may run the binary, so installs stay`,
          hint: 'Run the tool on what the link reaches as well, migrate what runs the binary there, then run it here again. A link to something that runs none of these images can go in .gitignore.',
        },
      });
    }
  };

  const paths = options.paths && options.paths.length > 0 ? options.paths : ['.'];
  const mode = options.reader ?? 'inline';
  // Started before or during the walk, so that its start-up overlaps the walk.
  let worker: ReaderWorker | undefined;
  const startWorker = () => (worker ??= new ReaderWorker(maxBytes, debug));
  if (mode === 'worker') startWorker();
  const onFile = mode === 'auto' ? (n: number) => void (n === START_READER_THREAD_AT && startWorker()) : undefined;
  let candidates = 0;
  const heap = options.boundHeap ? new HeapGuard() : undefined;
  // The guard's check once read process.memoryUsage(), ~0.1 ms a call: checked after every batch
  // it was ~45 ms of a 20k-file run (now V8's heap counter, ~12 us). Now after each HEAP_CHECK_EVERY units of
  // work, a file read being one unit and a candidate's rules CANDIDATE_WORK units.
  let work = 0;
  const spent = (units: number) => {
    work += units;
    if (work < HEAP_CHECK_EVERY) return;
    work = 0;
    heap?.check();
  };
  if (heap) onRead = () => spent(1);
  try {
    const { files, problems, outside, passed, pruned } = discover(paths.filter((p) => p !== '-'), cwd, onFile);
    // What git tracks under an ignored path is the repository's all the same (`git add -f`).
    const tracked = await trackedAmong(pruned);
    if (tracked.length > 0) {
      const have = new Set(files.map((f) => f.absPath));
      for (const absPath of tracked) if (!have.has(absPath)) files.push({ absPath, explicit: false });
    }
    // No text to read, so no use of the binary: said, not reported as errors.
    for (const p of passed) skipped.push({ file: display(cwd, p.absPath), reason: p.message });
    discovered = files.map((f) => f.absPath);
    for (const p of problems) unreadable(pseudoFile(p.absPath, display(cwd, p.absPath)), p.message);
    if (outside.length > 0) linksOut(outside);

    if (paths.includes('-')) {
      scanned++;
      const input = stdinInput(options.stdin ?? '');
      if ('error' in input) {
        const { error, hint, line, column } = input;
        pending.push({ ruleId: 'engine', file: pseudoFile('', STDIN_NAME), position: { line, column }, report: { start: 0, subject: 'file', error: true, blockers: [], message: error, hint } });
      }
      else if ('skipped' in input) skipped.push({ file: STDIN_NAME, reason: input.skipped });
      else if ('text' in input) {
        const { text } = input;
        const file: SourceFile = { path: '', displayPath: STDIN_NAME, kind: stdinKind(text), text, eol: detectEol(text) };
        states.set(file, { file, output: text, changed: false, written: false });
        if (mentionsBinary(text)) await checkFile(file);
      }
    }

    const thread: ReaderWorker | undefined = mode === 'worker' || discovered.length >= MIN_FILES_FOR_READER_THREAD ? worker : undefined;
    if (!thread) worker?.stop();
    const batches: AsyncIterable<ReadBatch> | Iterable<ReadBatch> = thread ? thread.reads(discovered) : inlineReads(discovered, maxBytes);
    const readBefore = scanned;
    // Display paths (path.relative) are made only for the files that need one: on a 20k-file tree
    // making them all cost more than the walk's ignore checks.
    let lastDir = '';
    let lastShown = '';
    for await (const batch of batches) {
      for (const { index, result } of batch.items) {
        const absPath = discovered[index]!;
        const shown = display(cwd, absPath);
        switch (result.kind) {
          case 'tooLarge':
            // Not read, but it names the binary: it may run it, so installs stay (an error, exit 2).
            // The finding is where it first does (the search counted the lines on the way).
            if (result.mention) {
              const { line, column } = result.mention;
              pending.push({
                ruleId: 'engine',
                file: pseudoFile(absPath, shown),
                position: { line, column },
                report: { start: 0, subject: 'file', error: true, blockers: [], message: `larger than ${humanSize(maxBytes)}, so not read, and it names grpc_health_probe; installs of the binary stay`, hint: tooLargeHint(maxBytes) },
              });
            } else skipped.push({ file: shown, reason: `larger than ${humanSize(maxBytes)}` });
            continue;
          case 'unreadable':
            unreadable(pseudoFile(absPath, shown), result.message);
            continue;
          case 'utf16':
            // Where it names the binary, as a UTF-8 file's error is where it stops being UTF-8.
            pending.push({
              ruleId: 'engine',
              file: pseudoFile(absPath, shown),
              position: { line: result.line, column: result.column },
              report: { start: 0, subject: 'file', error: true, blockers: [], message: UTF16, hint: UTF16_HINT },
            });
            continue;
          case 'nulText':
            // Not parsed (what the rules would make of the NUL is anyone's guess), but it may run
            // the binary: an error where it names it, as a UTF-16 file's, and installs stay.
            pending.push({
              ruleId: 'engine',
              file: pseudoFile(absPath, shown),
              position: { line: result.line, column: result.column },
              report: { start: 0, subject: 'file', error: true, blockers: [], message: NUL_TEXT, hint: NUL_TEXT_HINT },
            });
            continue;
          case 'binary':
            skipped.push({ file: shown, reason: NUL_BYTES });
            continue;
          case 'candidate':
        }
        // A candidate keeps its bytes (to detect a change on disk before writing).
        const buf = result.bytes;
        let text: string;
        try {
          text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
        } catch {
          // At the first byte that is not UTF-8 (a Latin-1 `é`), as a parse error names its line.
          const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf);
          const at = Math.max(0, lossy.indexOf('\uFFFD'));
          pending.push({ ruleId: 'engine', file: { ...pseudoFile(absPath, shown), text: lossy }, report: { start: at, subject: 'file', error: true, blockers: [], message: NOT_UTF8, hint: NOT_UTF8_HINT } });
          continue;
        }
        const ownReport = ownReportKind(text);
        if (ownReport) {
          // Saved with --output or through `>`: the file does not say which.
          skipped.push({ file: shown, reason: `a saved grpc-probe-migrate ${ownReport} report, not a use of the binary` });
          continue;
        }
        candidates++;
        const file: SourceFile = { path: absPath, displayPath: shown, kind: classify(shown, text, absPath), text, eol: detectEol(text) };
        states.set(file, { file, original: buf, output: text, changed: false, written: false });
        await checkFile(file);
        spent(CANDIDATE_WORK);
      }
      spent(readBefore + batch.end - scanned);
      scanned = readBefore + batch.end;
      if (options.onProgress && batch.end > 0) {
        const dir = path.dirname(discovered[batch.end - 1]!);
        if (dir !== lastDir) [lastDir, lastShown] = [dir, display(cwd, dir)];
        options.onProgress({ scanned, candidates, current: lastShown });
      }
    }
  } finally {
    worker?.stop();
  }

  // A run with no file that names the binary may still hold one named as the binary (a vendored
  // grpc_health_probe-linux-amd64 a folder COPY ships, hunt16 A3: after the fix that removed its
  // other installs, nothing names it): the rules' end decides on it, so they load. A test of the
  // walked paths' names, made only when no candidate loaded them (~1 ms on 20k files).
  if (!rulesLoaded && discovered.some((f) => mentionsBinary(path.basename(f)))) await loadRules();

  // Apply the per-file fixes in memory first: which probes really go decides which installs can.
  // Each file's rewrite is parsed again to prove it, as much garbage as a candidate's rules make.
  const settled = () => spent(CANDIDATE_WORK);
  await settle(pending, states, runCtx, crashed, await checkersFor(pending, checks), settled);

  const endCtxFor = (ruleId: string): EndContext => ({
    run: runCtx,
    findings: () => pending,
    consumers: () => pending.filter(isConsumer),
    files: () => [...states.keys()],
    report: (file, r) => {
      if (!states.has(file)) states.set(file, { file, output: file.text, changed: false, written: false });
      pending.push({ ruleId, file, report: r });
    },
  });
  // Collectors, then rules that decide from the consumers (they see every collector's findings),
  // then audits of the whole run. Array.sort is stable: registry order holds within a tier.
  const tier = (m: RuleMeta) => (m.audits ? 2 : m.decidesOnConsumers ? 1 : 0);
  const endOrder = [...active].sort((a, b) => tier(a.rule.meta) - tier(b.rule.meta));
  for (const { rule, handlers } of endOrder) {
    if (!handlers.end) continue;
    const reportedBefore = pending.length;
    try {
      await handlers.end(endCtxFor(rule.meta.id));
    } catch (e) {
      // What the rule decided before it failed is not trusted: the files it meant to fix stay as they are.
      for (const p of pending.slice(reportedBefore)) if (p.report.fix) crashed.add(p.file);
      const file = pseudoFile(cwd, '.');
      fileError(file, `rule ${rule.meta.id} failed (${(e as Error).message ?? e})`, 0, rule.meta.id);
      debug?.(`${(e as Error).stack ?? e}\n`);
    }
  }
  await settle(pending, states, runCtx, crashed, await checkersFor(pending, checks), settled);

  if (runCtx.options.fix) writeAll(pending, states);

  const findings = pending.map((p) => toFinding(p, runCtx.options.fix)).sort(byPosition);
  const fileResults: FileResult[] = [...states.values()].map((s) => ({ file: s.file, output: s.output, changed: s.changed, written: s.written }));
  return { findings, files: fileResults, summary: summarize(findings, scanned, candidates, fileResults, skipped) };
}

/** What to do about a file over the size limit that names the binary (the API's limit is `maxFileBytes`; the CLI has none to set). */
function tooLargeHint(maxBytes: number): string {
  return `Migrate its uses of the binary by hand (the first is at this line), or split it into files under ${humanSize(maxBytes)}; if nothing in it runs the binary (a log, a data dump, vendored documentation), list it in .gitignore (a file named on the command line, as pre-commit names them, is read all the same: leave it out there, e.g. with an exclude: pattern in the pre-commit config). Then run the tool again. Until then every install of the binary stays, since it may run the binary.`;
}

/** A place that still runs the binary once this run's fixes are in. */
function isConsumer(p: PendingFinding): boolean {
  // A file the tool could not read or parse may run the binary: keep installs (the safe side).
  if (p.report.error) return true;
  if (p.report.fix && p.report.subject !== 'install') return !p.fixApplied;
  return p.report.keepsBinary === true;
}

/** Applies every fix of each file to its original text, verifies the result, and records the outcome. */
async function settle(
  pending: PendingFinding[],
  states: Map<SourceFile, FileState>,
  runCtx: RunContext,
  crashed: ReadonlySet<SourceFile>,
  checkers: Checkers,
  onFile?: () => void,
): Promise<void> {
  const byFile = new Map<SourceFile, PendingFinding[]>();
  for (const p of pending) {
    if (!p.report.fix || p.report.error || (p.report.blockers?.length ?? 0) > 0) continue;
    byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  }
  for (const [file, list] of byFile) {
    onFile?.();
    const state = states.get(file)!;
    for (const p of list) {
      p.fixApplied = false;
      delete p.fixRefused;
      delete p.refusedHint;
    }
    let result = applyEdits(file.text, list.map((p) => ({ owner: p, edits: p.report.fix! })));
    for (const p of result.dropped) {
      p.fixRefused = 'its edit overlaps another one; run the tool again';
      p.refusedHint = OVERLAP_HINT;
    }
    let refusal = crashed.has(file) ? { why: 'a rule failed on this file; the file was left unchanged', hint: CRASHED_HINT } : await rewriteProblem(file, result, checkers);
    // One bad rewrite must not hold back the file's others: keep each finding's edits that still
    // check out together with those kept before it, in file order (only when the whole failed).
    if (refusal !== undefined && !crashed.has(file) && result.applied.length > 1) {
      const kept: PendingFinding[] = [];
      const left = new Map<PendingFinding, Refusal>();
      for (const p of result.applied) {
        const trial = applyEdits(file.text, [...kept, p].map((q) => ({ owner: q, edits: q.report.fix! })));
        const own = await rewriteProblem(file, trial, checkers);
        if (own === undefined) kept.push(p);
        else left.set(p, own);
      }
      if (kept.length > 0) {
        for (const [p, own] of left) {
          p.fixRefused = own.why.replace(/; the file was left unchanged$/, '; this change was left out, the file\'s other changes go ahead');
          p.refusedHint = own.hint;
        }
        result = applyEdits(file.text, kept.map((q) => ({ owner: q, edits: q.report.fix! })));
        refusal = await rewriteProblem(file, result, checkers);
      }
    }
    let writable: string | undefined;
    let hint = refusal?.hint;
    const why = refusal?.why;
    if (runCtx.options.fix && file.path && result.text !== file.text) {
      let which: 'file' | 'folder' = 'file';
      try {
        fs.accessSync(file.path, fs.constants.W_OK);
        which = 'folder';
        fs.accessSync(path.dirname(file.path), fs.constants.W_OK);
      } catch (e) {
        writable = `cannot write: ${describeFsError(e)}`;
        if (refusal === undefined) hint = notWritableHint(e, file.path, which);
      }
    }
    const refused = why ?? writable;
    if (refused !== undefined) {
      for (const p of result.applied) {
        p.fixRefused = refused;
        if (hint !== undefined) p.refusedHint = hint;
      }
      state.output = file.text;
      state.changed = false;
      state.refused = refused;
      continue;
    }
    for (const p of result.applied) p.fixApplied = true;
    state.output = result.text;
    state.changed = result.text !== file.text;
    delete state.refused;
  }
}

/** Why a rewrite was not written, and what the user can do about it (a write refusal's hint is in edits/write.ts). */
interface Refusal {
  why: string;
  hint: string;
}

/*
 * A refused rewrite says what to do about the refusal, as a refused write does: the rule's own
 * hint is about the use it migrates, which the refusal leaves as it was.
 */
const OVERLAP_HINT = 'Two changes of this run touch the same text and only the first was made. Run the tool again (with --fix) to apply this one on top of it.';
const CRASHED_HINT = 'A rule failed on this file (its error finding says which and why), so none of the file\'s changes were written. Run with --debug for the stack trace and report it; migrate this use by hand meanwhile.';
export const REWRITE_NOT_PARSING_HINT =
  'The tool checks its own rewrite before writing it, and that check failed, so the file was left as it was. If the reason names a part of the file the tool cannot read (a RUN too large to check), migrate this use by hand or split that part; otherwise it is a bug in the tool: report it with the file, and migrate this use by hand meanwhile.';
export const REWRITE_OVERREACH_HINT =
  'The edit would also change text that other places share (a YAML anchor that an alias reuses) or text outside the use itself, so the file was left as it was. Give this probe its own text (write the anchored value out where the alias is), or migrate it by hand, then run the tool again.';
export const REWRITE_SCHEMA_HINT =
  'With --validate, the rewritten object was checked against the Kubernetes API schema and failed, so the file was left as it was. Fix what the reason names in the original object (or migrate the probe by hand), then run the tool again; without --validate the rewrite is not checked against the schema.';

/**
 * A parser's message about the rewritten text (`RUN on line 2 is 101 KB`, `at line 7, column 3`)
 * with its line numbers as the file has them, which the user reads: a line the edits moved is
 * said where it stands in the original (a line inside an edit's new text, where that edit starts).
 */
export function inOriginalLines(problem: string, original: string, rewritten: string, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  const lineStart = (text: string, line: number): number => {
    let at = 0;
    for (let l = 1; l < line; l++) {
      const nl = text.indexOf('\n', at);
      if (nl === -1) return -1;
      at = nl + 1;
    }
    return at;
  };
  return problem.replace(/\bline (\d+)/g, (whole, n: string) => {
    const offset = lineStart(rewritten, Number(n));
    if (offset < 0) return whole;
    // Back through the splices: each edit before the offset moved it by its change of length.
    let inOriginal: number | undefined;
    let delta = 0;
    for (const e of sorted) {
      const newStart = e.start + delta;
      if (offset < newStart) break;
      if (offset < newStart + e.text.length) {
        inOriginal = e.start; // inside the edit's new text: where the edit starts
        break;
      }
      delta += e.text.length - (e.end - e.start);
    }
    inOriginal ??= offset - delta;
    let line = 1;
    for (let i = original.indexOf('\n'); i !== -1 && i < inOriginal; i = original.indexOf('\n', i + 1)) line++;
    return `line ${line}`;
  });
}

/** Why a file's rewritten text must not be written (it does not parse, changes more than its edits, breaks the schema), or undefined. */
async function rewriteProblem(file: SourceFile, result: { text: string; edits: readonly Edit[]; applied: readonly PendingFinding[] }, checkers: Checkers): Promise<Refusal | undefined> {
  if (result.text === file.text) return undefined;
  const verify = checkers.verifiers[file.kind];
  // No parser, no proof that the rewrite is sound: such a file is never written.
  const problem = verify ? await verifyOnce(file, result.text, verify) : `no parser checks ${file.kind} files`;
  if (problem !== undefined) return { why: `the rewritten file would not parse (${inOriginalLines(problem, file.text, result.text, result.edits)}); the file was left unchanged`, hint: REWRITE_NOT_PARSING_HINT };
  // The edits are splices, so this holds by construction; checking it is cheap and keeps it so.
  const unintended = unintendedChange(file.text, result.edits, result.text) ?? (await checkers.editChecks[file.kind]?.(file.text, result.edits));
  if (unintended !== undefined) return { why: `the rewrite would change more than it means to (${unintended}); the file was left unchanged`, hint: REWRITE_OVERREACH_HINT };
  // The `${VAR}` grpc ports Flux fills in (only those the Flux planner wrote) are no schema error.
  const substituted = result.applied.flatMap((p) => (p.report.substitutedPort !== undefined ? [p.report.substitutedPort] : []));
  const schema = checkers.schema?.[file.kind]?.(file.text, result.text, substituted);
  if (schema !== undefined) return { why: `the rewritten object would not match the Kubernetes API schema (${schema}); the file was left unchanged`, hint: REWRITE_SCHEMA_HINT };
  return undefined;
}

/** What settle() checks a rewrite with, per file kind. */
interface Checkers {
  verifiers: Partial<Record<FileKind, Verifier>>;
  editChecks: Partial<Record<FileKind, EditCheck>>;
  /** --validate only. */
  schema?: Partial<Record<FileKind, RewriteCheck>>;
}

/** The checkers pull in parsers (yaml...): imported only once there is a fix to check. */
async function checkersFor(pending: readonly PendingFinding[], schema: Checkers['schema']): Promise<Checkers> {
  if (!pending.some((p) => p.report.fix)) return { verifiers: {}, editChecks: {}, ...(schema ? { schema } : {}) };
  const { VERIFIERS, EDIT_CHECKS } = await import('./reparse.js');
  return { verifiers: VERIFIERS, editChecks: EDIT_CHECKS, ...(schema ? { schema } : {}) };
}

/** settle() runs twice: a file whose rewritten text did not change in between is not parsed again. */
const verified = new WeakMap<SourceFile, { text: string; problem: string | undefined }>();
async function verifyOnce(file: SourceFile, text: string, verify: Verifier): Promise<string | undefined> {
  const known = verified.get(file);
  if (known && known.text === text) return known.problem;
  // A verifier may be async: one whose parser is heavy imports it when first needed.
  const problem = await verify(text);
  verified.set(file, { text, problem });
  return problem;
}

/**
 * Writes the changed files. Files that remove an install go last, and only when every other file
 * was written: a probe whose file could not be written (hard links, changed on disk, permissions)
 * still runs the binary, and the decision to remove the install assumed it would not.
 */
function writeAll(pending: PendingFinding[], states: Map<SourceFile, FileState>): void {
  const refuse = (state: FileState, why: string, hint: string) => {
    for (const p of pending) {
      if (p.file === state.file && p.fixApplied) {
        p.fixApplied = false;
        p.fixRefused = why;
        p.refusedHint = hint;
      }
    }
    state.changed = false;
    state.output = state.file.text;
  };
  const changed = [...states.values()].filter((s) => s.changed && s.file.path && s.original);
  const removesInstall = (s: FileState) => pending.some((p) => p.file === s.file && p.fixApplied && p.report.subject === 'install');
  let failed = false;
  for (const state of [...changed.filter((s) => !removesInstall(s)), ...changed.filter(removesInstall)]) {
    if (failed && removesInstall(state)) {
      refuse(state, 'kept: another file of this run could not be written, so a use of the binary it migrates is still there; fix that and run the tool again', KEPT_FOR_UNWRITTEN_HINT);
      continue;
    }
    try {
      writeFileAtomic(state.file.path, state.original!, state.output);
      state.written = true;
    } catch (e) {
      failed = true;
      // A refusal says what it is as it is; a file system error is said as the scan says one.
      if (e instanceof ChangedOnDiskError || e instanceof UnsafeWriteError) refuse(state, e.message, e.hint);
      else refuse(state, `cannot write: ${describeFsError(e)}`, failedWriteHint(e, state.file.path));
    }
  }
}

function toFinding(p: PendingFinding, fixMode: boolean): Finding {
  const r: Report = p.report;
  const index = p.file.text ? lineIndexFor(p.file) : undefined;
  const startPos = p.position ?? (index ? index.position(r.start) : { line: 1, column: 1 });
  let blockers: BlockerCode[] = [...new Set(r.blockers ?? [])];
  let status: Status;
  let message = r.message;
  if (r.error) status = 'error';
  else if (r.info) {
    status = 'info';
    blockers = [];
  } else if (blockers.length > 0) status = 'blocked';
  else if (r.fix && p.fixRefused) {
    status = 'error';
    message = `${message} — not applied: ${p.fixRefused}`;
  } else if (r.fix) status = fixMode ? 'migrated' : 'migratable';
  else {
    // A rule that neither fixes nor blocks is being careful; say so rather than drop it.
    status = 'blocked';
    blockers = ['unparseable'];
  }
  const finding: Finding = {
    ruleId: p.ruleId,
    file: p.file.displayPath,
    line: startPos.line,
    column: startPos.column,
    status,
    blockers,
    message,
    subject: r.subject,
  };
  if (index && r.end !== undefined) {
    const e = index.position(r.end);
    finding.endLine = e.line;
    finding.endColumn = e.column;
  }
  // A refused write says what to do about the refusal, not about the finding it holds back.
  const hint = (status === 'error' ? p.refusedHint : undefined) ?? r.hint ?? hintFor(blockers);
  if (hint) finding.hint = hint;
  if (r.details) finding.details = r.details;
  return finding;
}

const lineIndexes = new WeakMap<SourceFile, LineIndex>();
function lineIndexFor(file: SourceFile): LineIndex {
  let li = lineIndexes.get(file);
  if (!li) lineIndexes.set(file, (li = new LineIndex(file.text)));
  return li;
}

function byPosition(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

function summarize(findings: Finding[], scanned: number, candidates: number, files: FileResult[], skipped: SkippedFile[]): Summary {
  const count = (subject: string, status: Status) => findings.filter((f) => f.subject === subject && f.status === status).length;
  const kept = count('install', 'info');
  return {
    filesScanned: scanned,
    candidates,
    filesChanged: files.filter((f) => f.changed).length,
    probes: { migratable: count('probe', 'migratable'), migrated: count('probe', 'migrated'), blocked: count('probe', 'blocked') },
    installs: { migratable: count('install', 'migratable'), migrated: count('install', 'migrated'), blocked: count('install', 'blocked'), ...(kept > 0 ? { kept } : {}) },
    blocked: findings.filter((f) => f.status === 'blocked').length,
    info: findings.filter((f) => f.status === 'info').length,
    errors: findings.filter((f) => f.status === 'error').length,
    skipped,
  };
}

/**
 * The same result seen through a subset of its files (findings, files and summary agree), e.g.
 * the pull-request bot's report on the files its commit holds.
 */
export function restrictResult(result: RunResult, keep: (displayPath: string) => boolean): RunResult {
  const findings = result.findings.filter((f) => keep(f.file));
  const files = result.files.filter((f) => keep(f.file.displayPath));
  const s = result.summary;
  return { findings, files, summary: summarize(findings, s.filesScanned, s.candidates, files, s.skipped) };
}

/** Paths as users see them: relative to the current folder, `/` separators. */
export function display(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

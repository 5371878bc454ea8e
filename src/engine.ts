/**
 * The pipeline: discover → read & pre-check → classify → rules (per file, then per repository)
 * → apply edits (verified, atomic) → findings. The CLI and every test call `run()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BINARY_NEEDLES, mentionsBinary } from './analysis/binary.js';
import { hintFor } from './blockers.js';
import { classify } from './classify.js';
import { FileReader } from './discover/read.js';
import { describeFsError, discover } from './discover/walk.js';
import { applyEdits } from './edits/apply.js';
import { writeFileAtomic } from './edits/write.js';
import { detectEol, LineIndex } from './text/lines.js';
import type { Verifier } from './reparse.js';
import type {
  BlockerCode,
  EndContext,
  FileContext,
  FileKind,
  FileResult,
  Finding,
  PendingFinding,
  Report,
  Rule,
  RuleHandlers,
  RunContext,
  RunOptions,
  RunResult,
  SkippedFile,
  SourceFile,
  Status,
  Summary,
} from './types.js';

export const DEFAULT_KUBE_VERSION = '1.27';
export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const STDIN_NAME = '<stdin>';
const [NEEDLE_A, NEEDLE_B] = BINARY_NEEDLES.map((n) => Buffer.from(n)) as [Buffer, Buffer];

interface FileState {
  file: SourceFile;
  /** Bytes as read, to detect a change on disk before writing. */
  original?: Buffer;
  output: string;
  changed: boolean;
  written: boolean;
  refused?: string;
}

export async function run(options: RunOptions = {}): Promise<RunResult> {
  const cwd = options.cwd ?? process.cwd();
  let discovered: string[] = [];
  const runCtx: RunContext = {
    options: { ...options, fix: options.fix ?? false, kubeVersion: options.kubeVersion ?? DEFAULT_KUBE_VERSION, keepBinary: options.keepBinary ?? false },
    cwd,
    readText: (p) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    allFiles: () => discovered,
  };
  const rules = options.rules ?? (await import('../rules/index.js')).RULES;
  const active = rules.map((rule) => ({ rule, handlers: rule.create(runCtx) }));
  const byKind = new Map<FileKind, { rule: Rule; handlers: RuleHandlers }[]>();
  for (const a of active) for (const k of a.rule.meta.fileKinds) byKind.set(k, [...(byKind.get(k) ?? []), a]);

  const pending: PendingFinding[] = [];
  const states = new Map<SourceFile, FileState>();
  const skipped: SkippedFile[] = [];
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  let scanned = 0;

  const fileError = (file: SourceFile, message: string, offset = 0, ruleId = 'engine') => {
    pending.push({ ruleId, file, report: { start: offset, subject: 'file', error: true, blockers: [], message } });
  };
  const pseudoFile = (absPath: string, displayPath: string): SourceFile => ({ path: absPath, displayPath, kind: classify(displayPath), text: '', eol: '\n' });

  const checkFile = async (file: SourceFile) => {
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
        fileError(file, `rule ${rule.meta.id} failed on this file (${(e as Error).message ?? e}); the file was left unchanged`, 0, rule.meta.id);
        if (process.env.GRPC_PROBE_MIGRATE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      }
    }
  };

  const paths = options.paths && options.paths.length > 0 ? options.paths : ['.'];
  const { files, problems } = discover(paths.filter((p) => p !== '-'), cwd);
  discovered = files.map((f) => f.absPath);
  for (const p of problems) fileError(pseudoFile(p.absPath, display(cwd, p.absPath)), `cannot read: ${p.message}`);

  if (paths.includes('-')) {
    const text = options.stdin ?? '';
    const file: SourceFile = { path: '', displayPath: STDIN_NAME, kind: 'yaml', text, eol: detectEol(text) };
    scanned++;
    states.set(file, { file, output: text, changed: false, written: false });
    if (mentionsBinary(text)) await checkFile(file);
  }

  let candidates = 0;
  const reader = new FileReader();
  // Display paths (path.relative) are made only for the files that need one: on a 20k-file tree
  // making them all cost more than the walk's ignore checks.
  let lastDir = '';
  let lastShown = '';
  for (const f of files) {
    const shown = () => display(cwd, f.absPath);
    scanned++;
    if (options.onProgress) {
      const dir = path.dirname(f.absPath);
      if (dir !== lastDir) [lastDir, lastShown] = [dir, display(cwd, dir)];
      options.onProgress({ scanned, candidates, current: lastShown });
    }
    let buf: Buffer;
    try {
      const read = reader.read(f.absPath, maxBytes);
      if ('tooLarge' in read) {
        skipped.push({ file: shown(), reason: `larger than ${Math.round(maxBytes / 1024 / 1024)} MB` });
        continue;
      }
      buf = read.bytes;
    } catch (e) {
      fileError(pseudoFile(f.absPath, shown()), `cannot read: ${describeFsError(e)}`);
      continue;
    }
    // The byte pre-check: most files never get decoded, let alone parsed.
    if (buf.indexOf(NEEDLE_A) === -1 && buf.indexOf(NEEDLE_B) === -1) continue;
    // A candidate keeps its bytes (to detect a change on disk before writing): copy them out of
    // the reader's reused buffer.
    buf = Buffer.from(buf);
    if (buf.indexOf(0) !== -1) {
      skipped.push({ file: shown(), reason: 'binary file (NUL bytes)' });
      continue;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    } catch {
      fileError(pseudoFile(f.absPath, shown()), 'not valid UTF-8; the file was left unchanged');
      continue;
    }
    candidates++;
    const displayPath = shown();
    const file: SourceFile = { path: f.absPath, displayPath, kind: classify(displayPath), text, eol: detectEol(text) };
    states.set(file, { file, original: buf, output: text, changed: false, written: false });
    await checkFile(file);
  }

  // Apply the per-file fixes in memory first: which probes really go decides which installs can.
  await settle(pending, states, runCtx, await verifiersFor(pending));

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
  // Rules that decide from the consumers go last, so they see every other rule's findings.
  const endOrder = [...active.filter((a) => !a.rule.meta.decidesOnConsumers), ...active.filter((a) => a.rule.meta.decidesOnConsumers)];
  for (const { rule, handlers } of endOrder) {
    if (!handlers.end) continue;
    try {
      await handlers.end(endCtxFor(rule.meta.id));
    } catch (e) {
      const file = pseudoFile(cwd, '.');
      fileError(file, `rule ${rule.meta.id} failed (${(e as Error).message ?? e})`, 0, rule.meta.id);
    }
  }
  await settle(pending, states, runCtx, await verifiersFor(pending));

  if (runCtx.options.fix) writeAll(pending, states);

  const findings = pending.map((p) => toFinding(p, runCtx.options.fix)).sort(byPosition);
  const fileResults: FileResult[] = [...states.values()].map((s) => ({ file: s.file, output: s.output, changed: s.changed, written: s.written }));
  return { findings, files: fileResults, summary: summarize(findings, scanned, candidates, fileResults, skipped) };
}

/** A place that still runs the binary once this run's fixes are in. */
function isConsumer(p: PendingFinding): boolean {
  // A file the tool could not read or parse may run the binary: keep installs (the safe side).
  if (p.report.error) return true;
  if (p.report.fix && p.report.subject !== 'install') return !p.fixApplied;
  return p.report.keepsBinary === true;
}

/** Applies every fix of each file to its original text, verifies the result, and records the outcome. */
async function settle(pending: PendingFinding[], states: Map<SourceFile, FileState>, runCtx: RunContext, verifiers: Verifiers): Promise<void> {
  const byFile = new Map<SourceFile, PendingFinding[]>();
  for (const p of pending) {
    if (!p.report.fix || p.report.error || (p.report.blockers?.length ?? 0) > 0) continue;
    byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  }
  for (const [file, list] of byFile) {
    const state = states.get(file)!;
    for (const p of list) {
      p.fixApplied = false;
      delete p.fixRefused;
    }
    const result = applyEdits(file.text, list.map((p) => ({ owner: p, edits: p.report.fix! })));
    for (const p of result.dropped) p.fixRefused = 'its edit overlaps another one; run the tool again';
    const problem = await verifyOnce(file, result.text, verifiers);
    let writable: string | undefined;
    if (runCtx.options.fix && file.path) {
      try {
        fs.accessSync(file.path, fs.constants.W_OK);
        fs.accessSync(path.dirname(file.path), fs.constants.W_OK);
      } catch (e) {
        writable = `cannot write: ${describeFsError(e)}`;
      }
    }
    if (problem !== undefined || writable !== undefined) {
      const why = writable ?? `the rewritten file would not parse (${problem}); the file was left unchanged`;
      for (const p of result.applied) p.fixRefused = why;
      state.output = file.text;
      state.changed = false;
      state.refused = why;
      continue;
    }
    for (const p of result.applied) p.fixApplied = true;
    state.output = result.text;
    state.changed = result.text !== file.text;
    delete state.refused;
  }
}

type Verifiers = Partial<Record<FileKind, Verifier>>;

/** The verifiers pull in parsers (yaml...): imported only once there is a fix to check. */
async function verifiersFor(pending: readonly PendingFinding[]): Promise<Verifiers> {
  return pending.some((p) => p.report.fix) ? (await import('./reparse.js')).VERIFIERS : {};
}

/** settle() runs twice: a file whose rewritten text did not change in between is not parsed again. */
const verified = new WeakMap<SourceFile, { text: string; problem: string | undefined }>();
async function verifyOnce(file: SourceFile, text: string, verifiers: Verifiers): Promise<string | undefined> {
  const known = verified.get(file);
  if (known && known.text === text) return known.problem;
  // A verifier may be async: one whose parser is heavy imports it when first needed.
  const problem = await verifiers[file.kind]?.(text);
  verified.set(file, { text, problem });
  return problem;
}

function writeAll(pending: PendingFinding[], states: Map<SourceFile, FileState>): void {
  for (const state of states.values()) {
    if (!state.changed || !state.file.path || !state.original) continue;
    try {
      writeFileAtomic(state.file.path, state.original, state.output);
      state.written = true;
    } catch (e) {
      const why = e instanceof Error && e.name !== 'Error' ? e.message : `cannot write: ${describeFsError(e)}`;
      for (const p of pending) {
        if (p.file === state.file && p.fixApplied) {
          p.fixApplied = false;
          p.fixRefused = why;
        }
      }
      state.changed = false;
      state.output = state.file.text;
    }
  }
}

function toFinding(p: PendingFinding, fixMode: boolean): Finding {
  const r: Report = p.report;
  const index = p.file.text ? lineIndexFor(p.file) : undefined;
  const startPos = index ? index.position(r.start) : { line: 1, column: 1 };
  let blockers: BlockerCode[] = [...new Set(r.blockers ?? [])];
  let status: Status;
  let message = r.message;
  if (r.error) status = 'error';
  else if (blockers.length > 0) status = 'blocked';
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
  const hint = r.hint ?? hintFor(blockers);
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
  return {
    filesScanned: scanned,
    candidates,
    filesChanged: files.filter((f) => f.changed).length,
    probes: { migratable: count('probe', 'migratable'), migrated: count('probe', 'migrated'), blocked: count('probe', 'blocked') },
    installs: { migratable: count('install', 'migratable'), migrated: count('install', 'migrated'), blocked: count('install', 'blocked') },
    blocked: findings.filter((f) => f.status === 'blocked').length,
    errors: findings.filter((f) => f.status === 'error').length,
    skipped,
  };
}

/** Paths as users see them: relative to the current folder, `/` separators. */
export function display(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs);
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

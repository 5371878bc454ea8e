/**
 * Go code that loads a manifest of the repository and reads its probe's exec handler. An operator
 * often embeds its workloads' YAML (`//go:embed assets/*.yaml`), decodes it into a Deployment and
 * then changes it in code (`dep.Spec.Template.Spec.Containers[0].LivenessProbe.Exec.Command =
 * append(…, "-tls")`). Once the YAML probe is native, that Exec is nil: the code panics, or its
 * change goes nowhere. Such a probe stays on exec until the code moves to the grpc handler.
 *
 * The Go files are read only for a probe that would migrate: first those of the folders above
 * the manifest (a `//go:embed` pattern reaches only into its package's folder and below), then,
 * when one of them embeds it, every Go file of the repository for a read of a probe's Exec.
 */
import path from 'node:path';
import type { Report, RunContext, SourceFile } from '../types.js';
import { namedFiles } from '../discover/names.js';
import { folderOf } from '../run-files.js';
import { heldReport } from './held-report.js';

interface Embed {
  /** The Go file, as shown, and the line of its directive. */
  at: string;
  pattern: string;
  /** `all:`: a folder the pattern names brings the names starting with `.` or `_` below it too. */
  all: boolean;
  /** Folder of the Go package: patterns are relative to it. */
  dir: string;
}

interface GoIndex {
  /** Go files by folder. */
  byDir: Map<string, string[]>;
  embeds: Map<string, Embed[]>;
  reader?: { at: string; code: string } | null;
}

const byRun = new WeakMap<RunContext, GoIndex>();

/**
 * A migrating probe of a manifest that Go code of the repository embeds and whose Exec some Go
 * code reads: held on exec (`unsupported-file`: the code is what changes, by hand).
 */
export function keepForGoReaders(r: Report, file: SourceFile, run: RunContext): Report {
  if (!r.fix || file.path === '') return r;
  const held = goHold(file.path, run);
  if (!held) return r;
  const { embed, reader } = held;
  return {
    ...heldReport(
      r,
      'unsupported-file',
      `${embed.at} embeds this file (//go:embed ${embed.all ? 'all:' : ''}${embed.pattern}) and ${reader.at} reads a probe's exec handler (${reader.code}); with the probe on grpc that Exec is nil, so the code would panic or change nothing`,
    ),
    hint: `Change the Go code to read or set the probe's GRPC handler (corev1.GRPCAction) instead of Exec, or to check Exec for nil, then run the tool again; or migrate the YAML and the code together by hand.`,
  };
}

/**
 * Whether Go code holds this file's probes on exec (keepForGoReaders): for the readers of merge
 * patches and values files (keptHandlers, which asks it for every file it reads), whose probes
 * held here keep exec over their bases.
 */
export function goHeldFile(absPath: string, run: RunContext): boolean {
  return goHold(absPath, run) !== undefined;
}

function goHold(absPath: string, run: RunContext): { embed: Embed; reader: { at: string; code: string } } | undefined {
  const index = goIndex(run);
  if (index.byDir.size === 0) return undefined;
  const embed = embedding(absPath, index, run);
  const reader = embed && execReader(index, run);
  return embed && reader ? { embed, reader } : undefined;
}

function goIndex(run: RunContext): GoIndex {
  let index = byRun.get(run);
  if (!index) {
    const byDir = new Map<string, string[]>();
    for (const f of namedFiles(run).go) {
      const dir = folderOf(f);
      const inDir = byDir.get(dir);
      // Appended in place: copying the list for each file was quadratic in a folder's Go files.
      if (inDir) inDir.push(f);
      else byDir.set(dir, [f]);
    }
    index = { byDir, embeds: new Map() };
    byRun.set(run, index);
  }
  return index;
}

/** The first `//go:embed` of a package above `abs` whose pattern names it (or a folder holding it). */
function embedding(abs: string, index: GoIndex, run: RunContext): Embed | undefined {
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    for (const e of embedsIn(dir, index, run)) {
      const rel = path.relative(e.dir, abs).split(path.sep).join('/');
      if (globMatches(e.pattern, rel, e.all)) return e;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function embedsIn(dir: string, index: GoIndex, run: RunContext): Embed[] {
  let out = index.embeds.get(dir);
  if (!out) {
    out = [];
    for (const go of index.byDir.get(dir) ?? []) {
      const text = run.readText(go);
      if (!text?.includes('go:embed')) continue;
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const args = embedArgs(line);
        if (args === undefined) return;
        for (const { pattern, all } of embedPatterns(args)) out!.push({ at: `${shown(go, run)}:${i + 1}`, pattern, all, dir });
      });
    }
    index.embeds.set(dir, out);
  }
  return out;
}

const BLANK = /\s/;
/**
 * What a `//go:embed` line names after the directive (blanks around it trimmed), or undefined on
 * another line. Read by scanning, not by `^\s*\/\/go:embed\s+(.+?)\s*$`, which backtracks
 * cubically on a long run of blanks. As that regex did, args holding a \r, U+2028 or U+2029
 * (which `.` does not match) name nothing.
 */
function embedArgs(line: string): string | undefined {
  let i = 0;
  while (i < line.length && BLANK.test(line[i]!)) i++;
  if (!line.startsWith('//go:embed', i)) return undefined;
  let start = i + '//go:embed'.length;
  if (start >= line.length || !BLANK.test(line[start]!)) return undefined;
  while (start < line.length && BLANK.test(line[start]!)) start++;
  let end = line.length;
  while (end > start && BLANK.test(line[end - 1]!)) end--;
  const args = line.slice(start, end);
  return /[\r\u2028\u2029]/.test(args) ? undefined : args;
}

/** The patterns of a directive: space-separated, Go-quoted ("…" or `…`) where they hold spaces, `all:` apart. */
function embedPatterns(args: string): { pattern: string; all: boolean }[] {
  return [...args.matchAll(/"((?:[^"\\]|\\.)*)"|`([^`]*)`|(\S+)/g)].map((m) => {
    const written = m[1] ?? m[2] ?? m[3]!;
    return { pattern: written.replace(/^all:/, ''), all: written.startsWith('all:') };
  });
}

/**
 * Go's path.Match for an embed pattern (`*` and `?` within one path element, `[…]` classes),
 * where a pattern naming a folder embeds everything below it but, without `all:`, the names
 * starting with `.` or `_` there (a pattern that names such a file itself, `manifests/*`, embeds it).
 */
function globMatches(pattern: string, rel: string, all: boolean): boolean {
  const parts = pattern.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  const segments = rel.split('/');
  if (segments.length < parts.length) return false;
  if (!all && segments.slice(parts.length).some((s) => s.startsWith('.') || s.startsWith('_'))) return false;
  return parts.every((p, i) => elementMatches(p, segments[i]!));
}

function elementMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) return false;
      re += `[${pattern.slice(i + 1, close).replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i]!);
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`).test(name);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * A Go line that reads a probe's exec handler: `.LivenessProbe.Exec`, `.ProbeHandler.Exec`,
 * `.Exec.Command`. Whole-line comments aside; the first one found, shown as file:line.
 */
const EXEC_READ = /\.(?:(?:Liveness|Readiness|Startup)Probe|ProbeHandler|Handler)\.Exec\b|\.Exec\.Command\b/;

function execReader(index: GoIndex, run: RunContext): { at: string; code: string } | undefined {
  if (index.reader === undefined) {
    index.reader = null;
    outer: for (const files of index.byDir.values()) {
      for (const go of files) {
        // Vendored modules (the kubelet's own prober code reads .Exec.Command) are other projects'
        // code: they cannot know this repository's embedded manifests.
        if (/(^|\/)vendor\//.test(shown(go, run))) continue;
        const text = run.readText(go);
        if (!text || !EXEC_READ.test(text)) continue;
        const lines = text.split('\n');
        const i = lines.findIndex((l) => EXEC_READ.test(l) && !/^\s*\/\//.test(l));
        if (i === -1) continue;
        // A long line is shortened, and says so: cut mid-expression it would read as code of its own.
        const code = lines[i]!.trim();
        index.reader = { at: `${shown(go, run)}:${i + 1}`, code: code.length > 120 ? `${code.slice(0, 119)}…` : code };
        break outer;
      }
    }
  }
  return index.reader ?? undefined;
}

function shown(abs: string, run: RunContext): string {
  return path.relative(run.cwd, abs).split(path.sep).join('/');
}

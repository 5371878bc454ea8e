/**
 * The Markdown report a reviewer reads in a pull request (the `pr` command's body): a summary
 * table, what changed per file, every blocker with its reason and hint, errors with theirs.
 * Sections longer than LONG entries fold into <details> so that the page stays readable.
 */
import { BLOCKERS, hintFor } from '../blockers.js';
import type { BlockerCode, Finding, RunResult } from '../types.js';

export const LONG = 10;

export interface MarkdownOptions {
  /** The run wrote its changes (--fix). Default: guessed from the findings. */
  fixed?: boolean;
  /** Heading level of the title (2 by default: `##`). */
  level?: number;
}

export function formatMarkdown(result: RunResult, opts: MarkdownOptions = {}): string {
  const fixed = opts.fixed ?? (result.files.some((f) => f.written) || result.findings.some((f) => f.status === 'migrated'));
  const h = '#'.repeat(opts.level ?? 2);
  const s = result.summary;
  const out: string[] = [];
  out.push(`${h} grpc-probe-migrate report`, '');
  out.push(
    fixed
      ? 'Exec probes that ran `grpc_health_probe` were moved to native Kubernetes gRPC probes (`grpc: {port, service}`).'
      : 'What `grpc-probe-migrate --fix` would change, and what it cannot migrate.',
    '',
  );
  out.push('| | count |', '| --- | ---: |');
  out.push(`| Files scanned | ${s.filesScanned} |`);
  out.push(`| Files ${fixed ? 'changed' : 'to change'} | ${s.filesChanged} |`);
  out.push(`| Probes ${fixed ? 'migrated' : 'to migrate'} | ${fixed ? s.probes.migrated : s.probes.migratable} |`);
  out.push(`| Binary installs ${fixed ? 'removed' : 'to remove'} | ${fixed ? s.installs.migrated : s.installs.migratable} |`);
  out.push(`| Blocked | ${s.blocked} |`);
  // Installs --keep-binary keeps are info (no blocker), but they keep the binary installed: said apart.
  const keptByOption = result.findings.filter((f) => f.status === 'info' && f.subject === 'install');
  if (s.installs.kept) out.push(`| Binary installs kept (--keep-binary) | ${s.installs.kept} |`);
  if (s.info > (s.installs.kept ?? 0)) out.push(`| Mentions to reword (run nothing) | ${s.info - (s.installs.kept ?? 0)} |`);
  if (s.errors > 0) out.push(`| Errors | ${s.errors} |`);
  out.push('');

  const changes = result.findings.filter((f) => f.status === 'migrated' || f.status === 'migratable');
  if (changes.length > 0) {
    const byFile = groupByFile(changes);
    const body: string[] = [];
    for (const [file, list] of byFile) {
      body.push(`**${code(file)}**`, '');
      for (const f of list) body.push(`- line ${f.line}: ${escape(f.message)}`);
      body.push('');
    }
    section(out, `${h}# ${fixed ? 'What changed' : 'What would change'}`, `${changes.length} ${plural(changes.length, 'change')} in ${byFile.size} ${plural(byFile.size, 'file')}`, changes.length, body);
  }

  const blocked = result.findings.filter((f) => f.status === 'blocked');
  if (blocked.length > 0) {
    const body: string[] = [];
    for (const f of blocked) {
      body.push(`- ${code(`${f.file}:${f.line}`)} ${escape(f.message)}`);
      body.push(`  - blocked by: ${f.blockers.map((b) => `${code(b)} (${escape(BLOCKERS[b].title)})`).join(', ')}`);
      // The per-code hints are in the table below; repeat only a hint specific to this place.
      if (f.hint && f.hint !== hintFor(f.blockers)) body.push(`  - hint: ${escape(f.hint)}`);
    }
    body.push('');
    const codes = [...new Set(blocked.flatMap((f) => f.blockers))].sort() as BlockerCode[];
    body.push('| blocker | reason | what you can do |', '| --- | --- | --- |');
    for (const c of codes) body.push(`| ${code(c)} | ${escape(BLOCKERS[c].title)} | ${escape(BLOCKERS[c].hint)} |`);
    body.push('');
    section(out, `${h}# Blocked`, `${blocked.length} ${plural(blocked.length, 'use')} that cannot move`, blocked.length, body);
  }

  if (keptByOption.length > 0) {
    const body = keptByOption.map((f) => `- ${code(`${f.file}:${f.line}`)} ${escape(f.message)}`);
    body.push('', `hint: ${escape(keptByOption[0]!.hint ?? '')}`, '');
    section(out, `${h}# Binary installs kept`, `${keptByOption.length} ${plural(keptByOption.length, 'install')} kept by --keep-binary`, keptByOption.length, body);
  }

  const info = result.findings.filter((f) => f.status === 'info' && !(f.subject === 'install'));
  if (info.length > 0) {
    // Nothing here holds the migration: image metadata, comments, documentation that name the binary.
    const body = info.flatMap((f) => [`- ${code(`${f.file}:${f.line}`)} ${escape(f.message)}`, ...(f.hint ? [`  - hint: ${escape(f.hint)}`] : [])]);
    body.push('');
    section(out, `${h}# Mentions to reword`, `${info.length} ${plural(info.length, 'mention')} that ${info.length === 1 ? 'runs' : 'run'} nothing and ${info.length === 1 ? 'keeps' : 'keep'} nothing installed`, info.length, body);
  }

  const errors = result.findings.filter((f) => f.status === 'error');
  if (errors.length > 0) {
    // What to do (make the file readable, fix its YAML, a write the tool refused...): as a blocked use's own hint is.
    const body = errors.flatMap((f) => [`- ${code(`${f.file}:${f.line}`)} ${escape(f.message)}`, ...(f.hint ? [`  - hint: ${escape(f.hint)}`] : [])]);
    body.push('');
    section(out, `${h}# Errors`, `${errors.length} ${plural(errors.length, 'file problem')}; those files were left unchanged`, errors.length, body);
  }

  if (s.skipped.length > 0) {
    out.push(`${h}# Skipped`, '');
    for (const k of s.skipped) out.push(`- ${code(k.file)}: ${escape(k.reason)}`);
    out.push('');
  }
  out.push('<sub>Generated by grpc-probe-migrate.</sub>');
  return out.join('\n') + '\n';
}

function section(out: string[], heading: string, summary: string, entries: number, body: string[]): void {
  out.push(heading, '');
  if (entries > LONG) out.push('<details>', `<summary>${escape(summary)}</summary>`, '', ...body, '</details>', '');
  else out.push(`${escape(summary)}:`, '', ...body);
}

function groupByFile(findings: readonly Finding[]): Map<string, Finding[]> {
  const m = new Map<string, Finding[]>();
  for (const f of findings) m.set(f.file, [...(m.get(f.file) ?? []), f]);
  return m;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/** Text from findings is data, not Markdown: no emphasis, links, HTML or table breaks from it. */
export function escape(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/** Inline code for names and paths; backticks inside get a fence longer than their longest run. */
export function code(text: string): string {
  const clean = text.replace(/\r?\n/g, ' ');
  const fence = '`'.repeat(Math.max(0, ...(clean.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

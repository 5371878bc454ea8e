import { Chalk, type ChalkInstance } from 'chalk';
import { printable } from '../text/printable.js';
import type { Finding, RunResult, Status } from '../types.js';

export interface TextOptions {
  color: boolean;
  quiet?: boolean;
}

export { wantsColor } from './color.js';

export function formatText(result: RunResult, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const statusColor: Record<Status, ChalkInstance> = {
    migratable: c.cyan,
    migrated: c.green,
    blocked: c.yellow,
    info: c.gray,
    error: c.red,
  };
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  for (const [file, findings] of byFile) {
    const shown = opts.quiet ? findings.filter((f) => f.status === 'error' || f.status === 'blocked') : findings;
    if (shown.length === 0) continue;
    const name = printable(file);
    out.push(c.underline(name));
    for (const f of shown) {
      const tag = f.blockers.length > 0 ? ` ${c.yellow(`[${f.blockers.join(', ')}]`)}` : '';
      out.push(`  ${name}:${f.line}:${f.column}  ${statusColor[f.status](f.status.padEnd(10))} ${printable(f.message)}${tag}  ${c.dim(f.ruleId)}`);
      if (f.hint) out.push(`      ${c.dim('hint:')} ${printable(f.hint)}`);
    }
    out.push('');
  }
  if (!opts.quiet) for (const s of result.summary.skipped) out.push(c.dim(`note: skipped ${printable(s.file)}: ${printable(s.reason)}`));
  // What fails a check (exit 1), and with --quiet the only word on it: say how to fix it.
  const left = result.findings.filter((f) => f.status === 'migratable').length;
  if (left > 0) out.push(`${left} ${left === 1 ? 'use' : 'uses'} can migrate: run again with --fix to apply ${left === 1 ? 'it' : 'them'} (--diff shows the changes first)`);
  out.push(summaryLine(result, c));
  return out.join('\n') + '\n';
}

export function summaryLine(result: RunResult, c: ChalkInstance = new Chalk({ level: 0 })): string {
  const s = result.summary;
  const parts = [
    `${s.filesScanned} ${s.filesScanned === 1 ? 'file' : 'files'} scanned`,
    `probes: ${s.probes.migratable} migratable, ${s.probes.migrated} migrated, ${s.probes.blocked} blocked`,
  ];
  const inst = s.installs;
  // Kept: blocked, or kept by --keep-binary.
  const kept = inst.blocked + (inst.kept ?? 0);
  if (inst.migratable + inst.migrated + kept > 0) {
    parts.push(`binary installs: ${inst.migratable} removable, ${inst.migrated} removed, ${kept} kept`);
  }
  parts.push(`${s.blocked} blocked in all`);
  // Only when there are some: a line CI logs and saved reports are recognised by (src/report/own.ts).
  if (s.info > 0) parts.push(`${s.info} info`);
  parts.push(`${s.errors} ${s.errors === 1 ? 'error' : 'errors'}`);
  return c.bold(parts.join(', '));
}

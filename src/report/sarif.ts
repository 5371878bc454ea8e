/**
 * SARIF 2.1.0 for GitHub code scanning and other CI viewers.
 *
 * Rule ids (stable; users filter on them):
 * - `<rule id>` (e.g. `kubernetes-exec-probe`): a use the tool migrates (`warning`; `note` once
 *   --fix migrated it);
 * - `blocker/<code>` (e.g. `blocker/tls`): a use that cannot move, one result per blocker code
 *   (`note`), so that a team can dismiss or filter one kind of blocker;
 * - `error`: a file the tool could not read, parse or rewrite (`error`).
 * Descriptions come from the rules' meta and src/blockers.ts, so they cannot drift.
 * Every result has a location (code scanning refuses the whole file otherwise); a finding with
 * no file in the repository is a tool execution notification of the run instead.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, Notification, ReportingDescriptor, Result } from 'sarif';
import { BLOCKERS, hintFor } from '../blockers.js';
import { enclosingRepository } from '../discover/scope.js';
import { BLOCKER_CODES, type Finding, type Rule, type RunResult } from '../types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const ERROR_RULE_ID = 'error';

export interface SarifContext {
  cwd: string;
  rules: readonly Rule[];
  version: string;
  /** The tool's documentation (package.json's homepage or repository); omitted when there is none. */
  informationUri?: string | undefined;
}

export function blockerRuleId(code: string): string {
  return `blocker/${code}`;
}

export function sarifRules(rules: readonly Rule[], informationUri: string | undefined): ReportingDescriptor[] {
  // SARIF makes both optional: no address is better than one that does not resolve.
  // A section's anchor replaces the address's own (`#readme`, as npm init writes a homepage).
  const link = (anchor: string) => (informationUri ? { helpUri: anchor ? `${informationUri.replace(/#.*$/, '')}${anchor}` : informationUri } : {});
  const out: ReportingDescriptor[] = rules.map((r) => ({
    id: r.meta.id,
    name: pascal(r.meta.id),
    shortDescription: { text: r.meta.description },
    fullDescription: { text: r.meta.docs ?? r.meta.description },
    help: { text: `${r.meta.docs ?? r.meta.description} Run grpc-probe-migrate --fix to apply the change.` },
    ...link('#rules'),
    defaultConfiguration: { level: 'warning' },
    properties: { tags: ['kubernetes', 'grpc', 'probes'], fixable: r.meta.fixable },
  }));
  for (const code of BLOCKER_CODES) {
    const b = BLOCKERS[code];
    out.push({
      id: blockerRuleId(code),
      name: `Blocker${pascal(code)}`,
      shortDescription: { text: b.title },
      fullDescription: { text: `${b.title}: this use of grpc_health_probe cannot become a native gRPC probe as it is.` },
      help: { text: b.hint },
      ...link('#blockers'),
      defaultConfiguration: { level: 'note' },
      properties: { tags: ['kubernetes', 'grpc', 'blocker'] },
    });
  }
  out.push({
    id: ERROR_RULE_ID,
    name: 'FileError',
    shortDescription: { text: 'A file could not be read, parsed or rewritten' },
    fullDescription: { text: 'The tool could not fully understand this file, or refused to rewrite it; it left the file unchanged.' },
    help: { text: 'Fix the file (or the reason given) and run the tool again; nothing in this file was changed.' },
    ...link(''),
    defaultConfiguration: { level: 'error' },
  });
  return out;
}

export function formatSarif(result: RunResult, ctx: SarifContext): string {
  const informationUri = ctx.informationUri;
  const rules = sarifRules(ctx.rules, informationUri);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const root = repositoryRoot(ctx.cwd);
  const seen = new Map<string, number>();
  const results: Result[] = [];
  const notifications: Notification[] = [];
  for (const f of result.findings) {
    for (const { ruleId, level } of resultsFor(f, ruleIndex)) {
      const uri = repositoryUri(root, ctx.cwd, f.file);
      if (uri === undefined) {
        // Code scanning rejects a whole upload when one result has no location ("expected at
        // least one location"): what has no file in the repository (standard input, a rule that
        // failed on the whole run, a file outside the repository) is a notification of the run.
        const where = f.file && f.file !== '.' ? `${f.file}:${f.line}:${f.column}: ` : '';
        notifications.push({ descriptor: { id: ruleId, index: ruleIndex.get(ruleId)! }, level, message: { text: `${where}${messageOf(f, ruleId)}` }, properties: { status: f.status, subject: f.subject, blockers: f.blockers } });
        continue;
      }
      // Stable across edits elsewhere in the file: no line numbers, an occurrence counter instead.
      const identity = [ruleId, uri ?? f.file, f.subject, f.message].join('\0');
      const nth = (seen.get(identity) ?? 0) + 1;
      seen.set(identity, nth);
      const r: Result = {
        ruleId,
        ruleIndex: ruleIndex.get(ruleId)!,
        level,
        message: { text: messageOf(f, ruleId) },
        partialFingerprints: { 'grpcProbeMigrate/v1': createHash('sha256').update(`${identity}\0${nth}`).digest('hex') },
        properties: { status: f.status, subject: f.subject, blockers: f.blockers, ...(f.details ? { details: f.details } : {}) },
      };
      const region: NonNullable<NonNullable<Result['locations']>[number]['physicalLocation']>['region'] = { startLine: f.line, startColumn: f.column };
      if (f.endLine !== undefined) region.endLine = f.endLine;
      if (f.endColumn !== undefined) region.endColumn = f.endColumn;
      r.locations = [{ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region } }];
      results.push(r);
    }
  }
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'grpc-probe-migrate', version: ctx.version, semanticVersion: ctx.version, ...(informationUri ? { informationUri } : {}), rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileUri(root) } },
        columnKind: 'utf16CodeUnits',
        ...(notifications.length > 0 ? { invocations: [{ executionSuccessful: !notifications.some((n) => n.level === 'error'), toolExecutionNotifications: notifications }] } : {}),
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function resultsFor(f: Finding, ruleIndex: Map<string, number>): { ruleId: string; level: Result.level }[] {
  if (f.status === 'error') return [{ ruleId: ERROR_RULE_ID, level: 'error' }];
  if (f.status === 'blocked') return f.blockers.map((code) => ({ ruleId: blockerRuleId(code), level: 'note' as const }));
  // Nothing to do before migrating: a note under the rule that found it.
  if (f.status === 'info') return [{ ruleId: f.ruleId, level: 'note' as const }];
  const ruleId = ruleIndex.has(f.ruleId) ? f.ruleId : ERROR_RULE_ID;
  return [{ ruleId, level: f.status === 'migrated' ? 'note' : 'warning' }];
}

function messageOf(f: Finding, ruleId: string): string {
  if (!ruleId.startsWith('blocker/')) return f.hint && (f.status === 'error' || f.status === 'info') ? `${f.message}. ${f.hint}` : f.message;
  const code = ruleId.slice('blocker/'.length) as keyof typeof BLOCKERS;
  // A hint written for this place (an install kept because only part of the repository was
  // scanned: run on all of it; the overlay that merges into this probe) says more than the
  // code's general one, which the rule's help already holds; as in the text and Markdown reports.
  const specific = f.hint !== undefined && f.hint !== hintFor(f.blockers) ? f.hint : undefined;
  return `${f.message} — ${BLOCKERS[code].title}. ${specific ?? BLOCKERS[code].hint}`;
}

/** The nearest folder above cwd holding `.git` (code scanning wants repository-relative paths). */
export function repositoryRoot(cwd: string): string {
  return enclosingRepository(cwd) ?? path.resolve(cwd);
}

/** undefined for findings with no file of their own in the repository (standard input, a run-wide failure, a file outside it). */
function repositoryUri(root: string, cwd: string, file: string): string | undefined {
  if (file === '<stdin>' || file === '.' || file === '') return undefined;
  const rel = path.relative(root, path.resolve(cwd, file)).split(path.sep).join('/');
  if (rel.startsWith('../')) return undefined;
  return rel.split('/').map(encodeURIComponent).join('/');
}

function pathToFileUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function pascal(id: string): string {
  return id.replace(/(^|[-/])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

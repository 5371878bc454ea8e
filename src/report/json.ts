import type { RunResult } from '../types.js';

/** The JSON report: a public contract (bots and CI read it). Bump `version` on breaking changes. */
export const JSON_REPORT_VERSION = 1;

export function formatJson(result: RunResult): string {
  // `tool` names the report, so that a run over a repository holding one skips it (src/report/own.ts).
  return JSON.stringify({ version: JSON_REPORT_VERSION, tool: 'grpc-probe-migrate', findings: result.findings, summary: result.summary }, null, 2) + '\n';
}

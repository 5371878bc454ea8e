import type { RunResult } from '../types.js';

/** The JSON report: a public contract (bots and CI read it). Bump `version` on breaking changes. */
export const JSON_REPORT_VERSION = 1;

export function formatJson(result: RunResult): string {
  return JSON.stringify({ version: JSON_REPORT_VERSION, findings: result.findings, summary: result.summary }, null, 2) + '\n';
}

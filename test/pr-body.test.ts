/** The pull request body within GitHub's limit, still well-formed Markdown. */
import { expect, test } from '@jest/globals';
import { fitBody, MAX_BODY, TRUNCATED_NOTE } from '../src/pr/github.js';
import { formatMarkdown } from '../src/report/markdown.js';
import type { Finding, RunResult } from '../src/types.js';

function report(n: number): string {
  const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
    ruleId: 'kubernetes-exec-probe',
    file: `k8s/service-${i}.yaml`,
    line: 7,
    column: 5,
    status: 'blocked',
    blockers: ['tls'],
    message: `readinessProbe of container "c${i}" runs grpc_health_probe: uses -tls; the kubelet's gRPC probe connects without TLS — 😀`,
    subject: 'probe',
  }));
  const result: RunResult = {
    findings,
    files: [],
    summary: { filesScanned: n, candidates: n, filesChanged: 0, probes: { migratable: 0, migrated: 0, blocked: n }, installs: { migratable: 0, migrated: 0, blocked: 0 }, blocked: n, info: 0, errors: 0, skipped: [] },
  };
  return formatMarkdown(result, { fixed: true });
}

test('a body within the limit is left as it is', () => {
  const body = report(3);
  expect(fitBody(body)).toBe(body);
});

test('a long body is cut at a line end, its open <details> closed, and the note shown after it', () => {
  const body = report(2000);
  expect(body.length).toBeGreaterThan(MAX_BODY);
  const fitted = fitBody(body);
  expect(fitted.length).toBeLessThanOrEqual(MAX_BODY);
  expect(fitted.endsWith(TRUNCATED_NOTE)).toBe(true);
  const kept = fitted.slice(0, -TRUNCATED_NOTE.length);
  expect((kept.match(/<details>/g) ?? []).length).toBe((kept.match(/<\/details>/g) ?? []).length);
  // Every line kept is a whole line of the report (the closing tag aside).
  const lines = new Set(body.split('\n'));
  for (const line of kept.split('\n')) expect(lines.has(line)).toBe(true);
  expect(kept).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
});

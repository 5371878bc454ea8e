import { expect, test } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { isOwnReport, ownReportKind } from '../src/report/own.js';

const SARIF = {
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [{ tool: { driver: { name: 'grpc-probe-migrate', rules: [] } }, results: [{ message: { text: 'exec grpc_health_probe → grpc' } }] }],
};
const JSON_REPORT = { version: 1, tool: 'grpc-probe-migrate', findings: [{ message: 'exec grpc_health_probe → grpc' }], summary: {} };

test("this tool's reports are recognised pretty-printed or minified, with or without a BOM", () => {
  for (const doc of [SARIF, JSON_REPORT]) {
    expect(isOwnReport(JSON.stringify(doc, null, 2))).toBe(true);
    expect(isOwnReport(JSON.stringify(doc))).toBe(true);
    expect(isOwnReport('\ufeff' + JSON.stringify(doc))).toBe(true);
  }
  // A version-1 JSON report written before it named the tool.
  expect(isOwnReport(JSON.stringify({ version: 1, findings: [], summary: {} }, null, 2))).toBe(true);
});

test("another tool's SARIF, a manifest, and a broken copy are not skipped", () => {
  expect(isOwnReport(JSON.stringify({ ...SARIF, runs: [{ tool: { driver: { name: 'hadolint' } } }] }))).toBe(false);
  expect(isOwnReport(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ command: ['grpc_health_probe'] }] } }))).toBe(false);
  expect(isOwnReport(JSON.stringify(JSON_REPORT).slice(0, -2))).toBe(false);
});

test("the text report saved from a CI step is recognised by its summary line, with or without colours; a file that only quotes it is not", async () => {
  const { formatText, summaryLine } = await import('../src/report/text.js');
  const { run } = await import('../src/engine.js');
  const { repoWith } = await import('./support/repo.js');
  const dir = repoWith({
    'Dockerfile': 'FROM alpine\nADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/grpc_health_probe\n',
    'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - name: a\n      image: a\n      readinessProbe:\n        exec:\n          command: ["/bin/grpc_health_probe", "-addr=:5000", "-tls"]\n',
  });
  const result = await run({ paths: ['.'], cwd: dir });
  const plain = formatText(result, { color: false });
  expect(isOwnReport(plain)).toBe(true);
  expect(isOwnReport(plain.replace(/\n/g, '\r\n'))).toBe(true);
  expect(isOwnReport(`\x1b[1m${summaryLine(result)}\x1b[22m\n`)).toBe(true);
  // Quoted in the middle of notes, or followed by more output: not the report itself.
  expect(isOwnReport(`${plain}then the deploy step ran grpc_health_probe\n`)).toBe(false);
  expect(isOwnReport(`RUN grpc_health_probe -addr=:5000\n`)).toBe(false);
  // Saved into the repository, the next run skips it: the install's fate does not change.
  fs.writeFileSync(path.join(dir, 'migrate.log'), plain);
  const again = await run({ paths: ['.'], cwd: dir });
  const installs = (r: typeof result) => r.findings.filter((f) => f.ruleId === 'dockerfile-binary-install').map((f) => [f.status, f.blockers]);
  expect(installs(again)).toEqual(installs(result));
  expect(again.summary.skipped.map((k) => k.file)).toEqual(['migrate.log']);
  // It came through `> migrate.log`, not --output: the note names what it is, not how it was saved.
  expect(again.summary.skipped).toEqual([{ file: 'migrate.log', reason: 'a saved grpc-probe-migrate text report, not a use of the binary' }]);
});

test('a summary line says "1 file scanned" and "1 error"; reports saved before, which said "1 files" and "1 errors", are still recognised', async () => {
  const { summaryLine } = await import('../src/report/text.js');
  const summary = { filesScanned: 1, probes: { migratable: 0, migrated: 0, blocked: 1 }, installs: { migratable: 0, migrated: 0, blocked: 0 }, blocked: 1, info: 0, errors: 1 };
  const line = summaryLine({ findings: [], files: [], summary } as never);
  expect(line).toBe('1 file scanned, probes: 0 migratable, 0 migrated, 1 blocked, 1 blocked in all, 1 error');
  expect(summaryLine({ findings: [], files: [], summary: { ...summary, filesScanned: 2, errors: 0 } } as never)).toBe('2 files scanned, probes: 0 migratable, 0 migrated, 1 blocked, 1 blocked in all, 0 errors');
  const saved = (l: string) => `k8s/pod.yaml\n  k8s/pod.yaml:8:7  blocked    readinessProbe runs grpc_health_probe [tls]  kubernetes-exec-probe\n\n${l}\n`;
  expect(isOwnReport(saved(line))).toBe(true);
  expect(isOwnReport(saved('1 files scanned, probes: 0 migratable, 0 migrated, 1 blocked, 1 blocked in all, 1 errors'))).toBe(true);
});

test('the note on a skipped report names its kind, never --output (a report may as well be saved with `>`)', () => {
  expect(ownReportKind(JSON.stringify(JSON_REPORT))).toBe('JSON');
  expect(ownReportKind(JSON.stringify(SARIF, null, 2))).toBe('SARIF');
  expect(ownReportKind('RUN grpc_health_probe -addr=:5000\n')).toBeUndefined();
});

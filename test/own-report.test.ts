import { expect, test } from '@jest/globals';
import { isOwnReport } from '../src/report/own.js';

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

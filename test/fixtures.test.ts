/** Runs every fixture case: byte-exact output, exact findings, report mode writes nothing, a second --fix changes nothing. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { listCases, materialize, normalizeFindings, readTree, runOptions, type FixtureCase } from './harness.js';

const update = process.env.UPDATE_FIXTURES === '1';
const cases = listCases();

describe.each([...new Set(cases.map((c) => c.rule))])('%s', (rule) => {
  test.each(cases.filter((c) => c.rule === rule).map((c) => [c.name, c] as [string, FixtureCase]))('%s', async (_name, c) => {
    const single = !c.tree;

    // Report mode never writes.
    const reportDir = materialize(c);
    const before = readTree(reportDir);
    await run(runOptions(c, reportDir, false));
    expect(readTree(reportDir)).toEqual(before);

    const dir = materialize(c);
    const result = await run(runOptions(c, dir, true));
    const findings = normalizeFindings(result, single);
    const after = readTree(dir);

    if (update) {
      fs.writeFileSync(c.findingsPath, JSON.stringify(findings, null, 2) + '\n');
      for (const [rel, src] of c.inputs) {
        const out = after.get(rel)!;
        const expectedPath = c.outputs.get(rel) ?? outputPathFor(c, rel, src);
        if (!out.equals(fs.readFileSync(src))) {
          fs.mkdirSync(path.dirname(expectedPath), { recursive: true });
          fs.writeFileSync(expectedPath, out);
        } else if (fs.existsSync(expectedPath)) fs.unlinkSync(expectedPath);
      }
      return;
    }

    const expected = JSON.parse(fs.readFileSync(c.findingsPath, 'utf8'));
    expect(findings).toEqual(expected);
    for (const [rel, src] of c.inputs) {
      const want = fs.readFileSync(c.outputs.get(rel) ?? src);
      // Compared as strings for readable failures, then as bytes for BOM/CRLF exactness.
      expect(after.get(rel)?.toString('utf8')).toEqual(want.toString('utf8'));
      expect(after.get(rel)!.equals(want)).toBe(true);
    }

    // Idempotent: a second --fix finds nothing more to change.
    const again = await run(runOptions(c, dir, true));
    expect(again.files.filter((f) => f.changed).map((f) => f.file.displayPath)).toEqual([]);
    expect(again.findings.filter((f) => f.status === 'migrated' || f.status === 'migratable')).toEqual([]);
  });
});

function outputPathFor(c: FixtureCase, rel: string, src: string): string {
  if (c.tree) return path.join(path.dirname(c.findingsPath), 'output', rel);
  return src.replace(/\.input\.([^/]+)$/, '.output.$1');
}

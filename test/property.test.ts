/**
 * Property tests (fast-check, seeded, a fixed number of runs): for generated manifests with exec
 * probes in many shapes, `--fix` gives a file that parses, migrates every probe to the expected
 * native probe, changes no other node, keeps every comment, BOM and line ending, adds no schema
 * error, and a second run changes nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { run } from '../src/engine.js';
import { newSchemaErrors } from '../src/validate/kubernetes.js';
import { getIn, manifestArb, render } from './support/manifests.js';
import { repoWith } from './support/repo.js';

const RUNS = { seed: 8, numRuns: 25 };

function parse(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return [];
  for (const d of docs) if (d.errors.length > 0) throw new Error(`output does not parse: ${d.errors[0]!.message}`);
  return docs.map((d) => d.toJS());
}

describe('generated manifests', () => {
  test('--fix migrates every probe and nothing else; a second run changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(manifestArb, async (m) => {
        const { text, probes, comments } = render(m);
        const dir = repoWith({ 'manifest.yaml': text });
        const file = path.join(dir, 'manifest.yaml');

        const result = await run({ cwd: dir, fix: true });
        expect(result.findings.map((f) => [f.status, f.message])).toEqual(probes.map(() => ['migrated', expect.any(String)]));
        const out = fs.readFileSync(file, 'utf8');

        // Parses, and equals the input with exactly the probes replaced by their native form.
        const got = parse(out);
        const want = parse(text);
        for (const p of probes) {
          const probe = getIn(want[p.document], p.path) as Record<string, unknown>;
          delete probe.exec;
          delete probe.timeoutSeconds;
          probe.grpc = p.service !== undefined ? { port: p.port, service: p.service } : { port: p.port };
          if (p.timeoutSeconds !== undefined) probe.timeoutSeconds = p.timeoutSeconds;
        }
        expect(got).toEqual(want);

        // Bytes the migration has no business with.
        expect(out.startsWith('\ufeff')).toBe(m.style.bom);
        expect(out.replace(/\r\n/g, '').includes('\n')).toBe(!m.style.crlf);
        let at = 0;
        for (const c of comments) {
          const i = out.indexOf(`# ${c} `, at);
          expect([c, i >= 0]).toEqual([c, true]);
          at = i;
        }
        expect(newSchemaErrors(text, out)).toBeUndefined();

        const again = await run({ cwd: dir, fix: true });
        expect(again.files.filter((f) => f.changed)).toEqual([]);
        expect(again.findings).toEqual([]);
        expect(fs.readFileSync(file, 'utf8')).toBe(out);
        fs.rmSync(dir, { recursive: true });
      }),
      RUNS,
    );
  });

  test('report mode, with --validate, reports the same probes as migratable and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(manifestArb, async (m) => {
        const { text, probes } = render(m);
        const dir = repoWith({ 'manifest.yaml': text });
        const result = await run({ cwd: dir, fix: false, validate: true });
        expect(result.findings.map((f) => f.status)).toEqual(probes.map(() => 'migratable'));
        expect(fs.readFileSync(path.join(dir, 'manifest.yaml'), 'utf8')).toBe(text);
        fs.rmSync(dir, { recursive: true });
      }),
      { seed: 88, numRuns: 15 },
    );
  });
});

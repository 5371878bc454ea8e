/**
 * A rewrite the tool refuses for a reason of its own (it would not parse, would change more than
 * its edits, would overlap another) says what to do about that refusal, as a refused write does,
 * not the rule's hint about the use it migrates: in every report format.
 */
import { expect, test } from '@jest/globals';
import { REWRITE_NOT_PARSING_HINT, REWRITE_OVERREACH_HINT, run } from '../src/engine.js';
import { formatJson } from '../src/report/json.js';
import { formatMarkdown } from '../src/report/markdown.js';
import { formatSarif } from '../src/report/sarif.js';
import { formatText } from '../src/report/text.js';
import type { Rule } from '../src/types.js';
import { POD, repoWith } from './support/repo.js';

const RULE_HINT = 'the rule hint about the probe';

/** A rule that rewrites `exec:` to `replacement` (twice when `twice`: two overlapping edits), with its own hint. */
const editRule = (replacement: string, twice = false): Rule => ({
  meta: { id: 'test-edit', description: 'test', fixable: true, fileKinds: ['yaml'] },
  create: () => ({
    file(ctx) {
      const start = ctx.file.text.indexOf('exec:');
      for (let i = 0; i < (twice ? 2 : 1); i++) {
        ctx.report({ start, subject: 'probe', message: `edit ${i}`, hint: RULE_HINT, fix: [{ start, end: start + 'exec:'.length, text: replacement }] });
      }
    },
  }),
});

test('a rewrite that would not parse carries its own hint, in text, JSON, SARIF and Markdown', async () => {
  const dir = repoWith({ 'a.yaml': POD });
  const rules = [editRule('exec: [unclosed')];
  const result = await run({ cwd: dir, fix: true, rules });
  expect(result.findings).toMatchObject([{ status: 'error', message: expect.stringMatching(/would not parse/), hint: REWRITE_NOT_PARSING_HINT }]);
  expect(formatText(result, { color: false })).toContain(`hint: ${REWRITE_NOT_PARSING_HINT}`);
  expect(JSON.parse(formatJson(result)).findings[0].hint).toBe(REWRITE_NOT_PARSING_HINT);
  const sarif = JSON.parse(formatSarif(result, { cwd: dir, rules, version: '0' }));
  expect(sarif.runs[0].results[0].message.text).toContain(REWRITE_NOT_PARSING_HINT);
  expect(sarif.runs[0].results[0].message.text).not.toContain(RULE_HINT);
  const md = formatMarkdown(result);
  expect(md).toContain(`hint: ${REWRITE_NOT_PARSING_HINT.slice(0, 40)}`);
  expect(md).not.toContain(RULE_HINT);
});

test('a change left out while the file\'s others go ahead carries the hint of why it was left out', async () => {
  const text = '# grpc_health_probe\na: 1\nb: 2\n';
  const rule: Rule = {
    meta: { id: 'test-edits', description: 'test', fixable: true, fileKinds: ['yaml'] },
    create: () => ({
      file(ctx) {
        const at = (key: string) => ctx.file.text.indexOf(key);
        ctx.report({ start: at('a:'), subject: 'probe', message: 'a', hint: RULE_HINT, fix: [{ start: at('1'), end: at('1') + 1, text: '10' }] });
        ctx.report({ start: at('b:'), subject: 'probe', message: 'b', hint: RULE_HINT, fix: [{ start: at('2'), end: at('2') + 1, text: '[unclosed' }] });
      },
    }),
  };
  const result = await run({ cwd: repoWith({ 'a.yaml': text }), fix: true, rules: [rule] });
  expect(result.findings.map((f) => [f.status, f.hint])).toEqual([
    ['migrated', RULE_HINT],
    ['error', REWRITE_NOT_PARSING_HINT],
  ]);
});

test('a rewrite through a YAML alias that the rule missed, and an edit that overlaps another, carry hints of their own', async () => {
  const aliased = POD.replace('    readinessProbe:', '    readinessProbe: &probe').replace(/\n$/, '\n    livenessProbe: *probe\n');
  const through = await run({ cwd: repoWith({ 'a.yaml': aliased }), fix: true, rules: [editRule('exec_:')] });
  expect(through.findings).toMatchObject([{ status: 'error', message: expect.stringMatching(/change more than it means to/), hint: REWRITE_OVERREACH_HINT }]);
  const overlap = await run({ cwd: repoWith({ 'a.yaml': POD }), fix: true, rules: [editRule('exec_:', true)] });
  expect(overlap.findings.map((f) => [f.status, f.hint])).toEqual([
    ['migrated', RULE_HINT],
    ['error', expect.stringMatching(/^Two changes of this run touch the same text/)],
  ]);
});

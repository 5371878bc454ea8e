import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { blockScalarView } from '../src/kustomize/block-scalar.js';
import { parseYaml } from '../src/parse/yaml.js';
import { repoWith } from './support/repo.js';

describe('blockScalarView: whole lines added after the block\'s last line', () => {
  // A field added after a probe that ends the block (timeoutSeconds) is inserted at the start of
  // the line after its last content: it must land inside the block, indented as the block.
  test.each([
    ['followed by another key', ['k:', '  patch: |', '    a:', '      b: 1', 'n: 0', '']],
    ['at the end of a file without a final newline', ['k:', '  patch: |', '    a:', '      b: 1']],
    ['at the end of a file with a final newline', ['k:', '  patch: |', '    a:', '      b: 1', '']],
  ])('%s', (_name, lines) => {
    for (const eol of ['\n', '\r\n']) {
      const text = lines.join(eol);
      const node = (parseYaml(text).docs[0]!.contents as any).items[0].value.items[0].value;
      const view = blockScalarView(node, eol);
      if ('error' in view) throw new Error(view.error);
      expect(view.text).toBe('a:\n  b: 1\n');
      const e = view.mapEdit({ start: view.text.length, end: view.text.length, text: '  t: 5\n' });
      const out = text.slice(0, e.start) + e.text + text.slice(e.end);
      const js = parseYaml(out).docs[0]!.toJS() as { k: { patch: string }; n?: number };
      expect(js.k.patch).toBe('a:\n  b: 1\n  t: 5\n');
      if (lines.includes('n: 0')) expect(js.n).toBe(0);
    }
  });
});

test('a manifest in a block scalar with 150,000 blank lines inside is mapped back in linear time, and its probe still migrates (not a speed target: a guard against quadratic backtracking on the run of newlines, 1 s at 54,000 before)', async () => {
  const configMap = (blank: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: runner-templates
data:
  template.yaml: |
    apiVersion: v1
    kind: Pod
    metadata:
      name: runner
${blank}    spec:
      containers:
      - name: runner
        image: runner
        livenessProbe:
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:7070"]
`;
  const started = Date.now();
  const { findings } = await run({ cwd: repoWith({ 'templates.yaml': configMap('\n'.repeat(150_000)) }) });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(findings.map((f) => [f.line, f.status])).toEqual([[150_015, 'migratable']]);
  // Control: the same without the blank lines.
  expect((await run({ cwd: repoWith({ 'templates.yaml': configMap('') }) })).findings.map((f) => [f.line, f.status])).toEqual([[15, 'migratable']]);
});

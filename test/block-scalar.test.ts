import { describe, expect, test } from '@jest/globals';
import { blockScalarView } from '../src/kustomize/block-scalar.js';
import { parseYaml } from '../src/parse/yaml.js';

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

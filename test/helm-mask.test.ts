import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { actionsTouching, maskTemplate, refuseTemplateEdit, unmaskValue } from '../src/helm/mask.js';
import { blockScalarView } from '../src/kustomize/block-scalar.js';
import { parseYaml } from '../src/parse/yaml.js';

describe('maskTemplate', () => {
  test('keeps length and line ends, and finds actions whose strings hold braces', () => {
    const text = 'a: {{ printf "%s}}" .x }}\r\n{{- /* a }} comment\nover lines */ -}}\r\nb: `{{ `raw}}` }}`\n';
    const m = maskTemplate(text);
    expect(m.masked.length).toBe(text.length);
    expect(m.masked.split('\n').map((l) => l.length)).toEqual(text.split('\n').map((l) => l.length));
    expect(m.masked.match(/\r/g)?.length).toBe(text.match(/\r/g)?.length);
    expect(m.actions.map((a) => [a.text, a.kind, a.alone])).toEqual([
      ['{{ printf "%s}}" .x }}', 'output', false],
      ['{{- /* a }} comment\nover lines */ -}}', 'comment', true],
      ['{{ `raw}}` }}', 'output', false],
    ]);
  });

  test('an action alone on its line is a comment, an inline one a scalar, a silent inline one spaces', () => {
    const m = maskTemplate('x:\n  {{- if .Values.a }}\n  y: {{ .Values.b }}\n  z: [1{{ if .c }}, 2{{ end }}]\n  {{- end }}\n');
    const docs = parseAllDocuments(m.masked);
    expect(docs[0]!.errors).toEqual([]);
    expect(m.masked).toContain('  #');
    const js = docs[0]!.toJS() as { x: { y: string; z: number[] } };
    expect(js.x.z).toEqual([1, 2]);
    expect(unmaskValue(js.x.y, m.actions)).toBe('{{ .Values.b }}');
  });

  test("an action that ends a key's line with nindent opens the key's block only when deeper lines follow", () => {
    const text =
      'p:\n  q: {{- include "r" . | nindent 4 }}\n    exec: {}\n  s: {{- toYaml .Values.s | nindent 4 }}\n  t: {{ .Values.t | nindent 4 }}\n    u: 1\n';
    const m = maskTemplate(text);
    expect(m.actions.map((a) => a.opensBlock)).toEqual([true, false, true]);
    const js = parseAllDocuments(m.masked)[0]!.toJS() as { p: { q: unknown; s: string; t: unknown } };
    expect(js.p.q).toEqual({ exec: {} });
    expect(typeof js.p.s).toBe('string');
    expect(js.p.t).toEqual({ u: 1 });
  });

  test('reports an action that is never closed', () => {
    expect(maskTemplate('a: {{ .Values.x\n').error?.message).toMatch(/never closed/);
  });
});

describe('what verify reads through the masker', () => {
  test('action ranges; alone actions are comments; an inline action, bare or quoted, is exactly inside one scalar', () => {
    const text = 'a:\n  {{- if .Values.x }}\n  port: {{ .Values.p }}\n  service: "{{ .Values.s | default "api" }}.v1"\n  {{- end }}\n';
    const m = maskTemplate(text);
    expect(m.masked).toHaveLength(text.length);
    expect(m.actions.map((a) => text.slice(a.start, a.end))).toEqual(['{{- if .Values.x }}', '{{ .Values.p }}', '{{ .Values.s | default "api" }}', '{{- end }}']);
    expect(m.masked.split('\n')[1]).toBe(`  #${' '.repeat('{{- if .Values.x }}'.length - 1)}`);
    const doc = parseAllDocuments(m.masked)[0]!;
    expect(doc.errors).toEqual([]);
    const a = (doc.contents as any).items[0].value;
    const [port, service] = [a.items[0].value, a.items[1].value];
    expect(actionsTouching(m.actions, port.range[0], port.range[1]).map((x) => x.text)).toEqual(['{{ .Values.p }}']);
    expect(text.slice(port.range[0], port.range[1])).toBe('{{ .Values.p }}');
    expect(text.slice(service.range[0], service.range[1])).toBe('"{{ .Values.s | default "api" }}.v1"');
    expect(actionsTouching(m.actions, service.range[0], service.range[1])).toHaveLength(1);
  });

  test('actionsTouching: any shared character, unlike actionsIn which needs the whole action', () => {
    const { actions } = maskTemplate('x: {{ .a }} {{ .b }}\n');
    expect(actionsTouching(actions, 5, 6).map((a) => a.text)).toEqual(['{{ .a }}']);
    expect(actionsTouching(actions, 0, 3)).toEqual([]);
    expect(actionsTouching(actions, 11, 12)).toEqual([]);
    expect(actionsTouching(actions, 10, 13).map((a) => a.text)).toEqual(['{{ .a }}', '{{ .b }}']);
  });
});

describe('refuseTemplateEdit', () => {
  const text = 'p:\n  {{- if .x }}\n  a: 1\n  {{- end }}\n  b: {{ .y }}\n';
  const { actions } = maskTemplate(text);
  test('refuses an edit that cuts through an action, or splits a block', () => {
    const y = text.indexOf('{{ .y');
    expect(refuseTemplateEdit(actions, text, { start: y + 2, end: y + 5 })).toMatch(/cut through/);
    expect(refuseTemplateEdit(actions, text, { start: text.indexOf('{{- if'), end: text.indexOf('a: 1') })).toMatch(/remove the start/);
    expect(refuseTemplateEdit(actions, text, { start: text.indexOf('a: 1'), end: text.indexOf('  b:') })).toMatch(/split/);
  });
  test('refuses a new line that would land inside an if branch, allows one outside it', () => {
    const beforeEnd = text.indexOf('  {{- end }}');
    expect(refuseTemplateEdit(actions, text, { start: beforeEnd, end: beforeEnd })).toMatch(/inside the template branch/);
    const afterEnd = text.indexOf('  b:');
    expect(refuseTemplateEdit(actions, text, { start: afterEnd, end: afterEnd })).toBeUndefined();
    expect(refuseTemplateEdit(actions, text, { start: text.indexOf('{{- if'), end: afterEnd })).toBeUndefined();
  });
  test('with the probe\'s start, allows a new line in the probe\'s own branch and refuses one past a block it does not close', () => {
    const t = '{{- if .x }}\np:\n  a: 1\n  {{- if .y }}\n  b: 2\n  {{- end }}\n{{- else }}\np: {}\n{{- end }}\n';
    const m = maskTemplate(t);
    const p = t.indexOf('p:');
    const beforeInnerEnd = t.indexOf('  {{- end }}');
    const beforeElse = t.indexOf('{{- else }}');
    expect(refuseTemplateEdit(m.actions, t, { start: beforeElse, end: beforeElse }, p)).toBeUndefined();
    expect(refuseTemplateEdit(m.actions, t, { start: beforeInnerEnd, end: beforeInnerEnd }, p)).toMatch(/another template branch than the probe's, past \{\{- if \.y \}\}/);
    const afterElse = t.indexOf('p: {}');
    expect(refuseTemplateEdit(m.actions, t, { start: afterElse, end: afterElse }, p)).toMatch(/past \{\{- else \}\}/);
    // Without the probe's start, a new line before an else or end is refused as before.
    expect(refuseTemplateEdit(m.actions, t, { start: beforeElse, end: beforeElse })).toMatch(/inside the template branch/);
  });
});

describe('blockScalarView', () => {
  test.each([
    ['|-', '\n'],
    ['|', '\r\n'],
    ['|2-', '\n'],
  ])('maps offsets and edits of a %s block back into the file (eol %j)', (header, eol) => {
    const text = ['k:', `  patch: ${header}`, '      a: 1', '', '      b:', '        c: 2', 'n: 0', ''].join(eol);
    const parsed = parseYaml(text);
    const node = (parsed.docs[0]!.contents as any).items[0].value.items[0].value;
    const view = blockScalarView(node, eol);
    if ('error' in view) throw new Error(view.error);
    const inner = view.text;
    const c = inner.indexOf('c: 2');
    expect(text.slice(view.toOuter(c), view.toOuter(c) + 4)).toBe('c: 2');
    const e = view.mapEdit({ start: c, end: c + 4, text: 'c:\n  d: 3' });
    const out = text.slice(0, e.start) + e.text + text.slice(e.end);
    const again = (parseYaml(out).docs[0]!.toJS() as { k: { patch: string } }).k.patch;
    expect(again).toBe(inner.slice(0, c) + 'c:\n  d: 3' + inner.slice(c + 4));
    expect(inner).toContain(header === '|2-' ? '  a: 1\n\n  b:\n    c: 2' : 'a: 1\n\nb:\n  c: 2');
  });
});

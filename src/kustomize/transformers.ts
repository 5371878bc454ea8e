/**
 * kustomize's patch transformers configured by hand (`transformers:` naming a PatchTransformer,
 * PatchStrategicMergeTransformer or PatchJson6902Transformer config, in a file or inline). The
 * tool does not rewrite their patches (overlays.ts holds the base probes they reach); a mention
 * of the binary there is a probe the tool leaves on exec, not a use outside a probe.
 */
import type { Document, ParsedNode } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair } from '../parse/yaml.js';
import type { Report } from '../types.js';

export const PATCH_TRANSFORMER = /^Patch(StrategicMerge|Json6902)?Transformer$/;

const MESSAGE =
  "a patch transformer's inline patch runs grpc_health_probe; the tool does not rewrite transformer configs, so its probe stays on exec (and so do the base probes it patches). Move the patch to the kustomization's `patches:`, or migrate it by hand";

function relabel(r: Report): Report {
  const { fix: _fix, hint: _hint, ...rest } = r;
  return { ...rest, subject: 'probe', blockers: ['unparseable'], keepsBinary: true, message: MESSAGE };
}

/** Reports inside the `patch`/`patches` text of a patch transformer config (a document of the file). */
export function relabelTransformerPatches(reports: Report[], docs: readonly Document.Parsed<ParsedNode, true>[]): Report[] {
  const ranges: [number, number][] = [];
  for (const doc of docs) {
    const c = doc.contents;
    const kind = isMap(c) ? getPair(c, 'kind')?.value : undefined;
    if (!isMap(c) || !isScalar(kind) || !PATCH_TRANSFORMER.test(String(kind.value))) continue;
    for (const key of ['patch', 'patches']) {
      const v = getPair(c, key)?.value;
      if (isScalar(v) && v.range) ranges.push([v.range[0], v.range[1]]);
    }
  }
  return ranges.length === 0 ? reports : reports.map((r) => (ranges.some(([a, b]) => r.start >= a && r.start < b) ? relabel(r) : r));
}

/** Reports inside a kustomization's inline `transformers:` configs (the roots of its documents). */
export function relabelInlineTransformers(reports: Report[], roots: readonly unknown[]): Report[] {
  const ranges: [number, number][] = [];
  for (const root of roots) {
    const list = isMap(root) ? getPair(root, 'transformers')?.value : undefined;
    for (const i of isSeq(list) ? list.items : []) if (isScalar(i) && typeof i.value === 'string' && i.value.includes('\n') && i.range) ranges.push([i.range[0], i.range[1]]);
  }
  return ranges.length === 0 ? reports : reports.map((r) => (ranges.some(([a, b]) => r.start >= a && r.start < b) ? relabel(r) : r));
}

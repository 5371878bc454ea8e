/**
 * Values settings as the chart readers compare them (chart.ts, releases.ts): a scalar as text,
 * read from a parsed values document or from plain data (a release layer's values).
 */
import type { Document, ParsedNode, Scalar } from 'yaml';
import { visit } from '../parse/yaml-lib.js';
import { keyPathSteps } from '../parse/yaml.js';
import { GO_YAML_FALSE, GO_YAML_TRUE } from '../kubernetes/probes.js';

/**
 * A values setting as text. Helm reads values files as YAML 1.1 (sigs.k8s.io/yaml), so a plain
 * `yes`, `on`, `no`, `off` (`plain`: written without quotes) is the boolean, written `true` or
 * `false`. A string that reads as a boolean (`"false"`, `"no"`) keeps its quotes: Helm's `{{ if }}`
 * takes any non-empty string as true, so it must not pass for the boolean.
 */
export function settingText(value: string | number | boolean, plain = false): string {
  if (typeof value !== 'string') return String(value);
  if (plain && GO_YAML_TRUE.test(value)) return 'true';
  if (plain && GO_YAML_FALSE.test(value)) return 'false';
  return /^(true|false)$/i.test(value) || GO_YAML_TRUE.test(value) || GO_YAML_FALSE.test(value) ? JSON.stringify(value) : value;
}

/**
 * A values document as plain data (toJS), read as Helm reads it: a plain `yes`, `on`, `no`, `off`
 * (YAML 1.1's booleans, strings to the YAML 1.2 parser) is the boolean, a quoted one stays a
 * string. Plain data no longer says whether a string was quoted, so this is decided here, from the
 * nodes: a release's `hostNetwork: no` is false, its `hostNetwork: "no"` a string, which
 * `{{ if }}` takes as true. The document is left as it was.
 */
export function valuesData(doc: Document.Parsed<ParsedNode, true>, maxAliasCount: number): unknown {
  const words: [Scalar, string][] = [];
  visit(doc, {
    Scalar(_, node) {
      if (node.type === 'PLAIN' && typeof node.value === 'string' && (GO_YAML_TRUE.test(node.value) || GO_YAML_FALSE.test(node.value))) words.push([node, node.value]);
    },
  });
  try {
    for (const [node, word] of words) node.value = GO_YAML_TRUE.test(word);
    return doc.toJS({ maxAliasCount });
  } finally {
    for (const [node, word] of words) node.value = word;
  }
}

/**
 * A `.Values.a.b` (or `a.b[0].c`) path's scalar in plain data (valuesData), as settingText writes
 * it: a boolean as `true` or `false`, a string that reads as one (`"false"`, `"no"`, quoted in the
 * file) with its quotes, neither boolean.
 */
export function plainValueAt(data: unknown, keyPath: string): string | undefined {
  let node: unknown = data;
  for (const step of keyPathSteps(keyPath)) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? settingText(node) : undefined;
}

/**
 * Values settings as the chart readers compare them (chart.ts, releases.ts): a scalar as text,
 * read from a parsed values document or from plain data (a release layer's values).
 */
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
 * A `.Values.a.b` (or `a.b[0].c`) path's scalar in plain data (toJS), as settingText writes it. The
 * data no longer says whether a string was quoted: a `yes` or `no` keeps quotes (neither boolean).
 */
export function plainValueAt(data: unknown, keyPath: string): string | undefined {
  let node: unknown = data;
  for (const step of keyPathSteps(keyPath)) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? settingText(node) : undefined;
}

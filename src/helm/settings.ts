/**
 * Values settings as the chart readers compare them (chart.ts, releases.ts): a scalar as text,
 * read from a parsed values document or from plain data (a release layer's values).
 */
import { keyPathSteps } from '../parse/yaml.js';

/**
 * A values setting as text. A string that reads as a boolean (`"false"`) keeps its quotes: Helm's
 * `{{ if }}` takes any non-empty string as true, so it must not pass for the boolean.
 */
export function settingText(value: string | number | boolean): string {
  return typeof value === 'string' && /^(true|false)$/i.test(value) ? JSON.stringify(value) : String(value);
}

/** A `.Values.a.b` (or `a.b[0].c`) path's scalar in plain data (toJS), as settingText writes it. */
export function plainValueAt(data: unknown, keyPath: string): string | undefined {
  let node: unknown = data;
  for (const step of keyPathSteps(keyPath)) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  }
  return typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean' ? settingText(node) : undefined;
}

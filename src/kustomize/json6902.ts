/** JSON 6902 patches (`- op: replace, path: /spec/.../readinessProbe, value: {...}`), inline or in files. */
import { isMap, isScalar, type Pair } from 'yaml';
import { getPair, keyOf } from '../parse/yaml.js';
import { PROBE_KEYS } from '../kubernetes/probes.js';

/** The path of the op map a pair belongs to, when that map is a JSON 6902 op. */
function opPath(path: readonly unknown[]): string | undefined {
  const op = path[path.length - 1];
  if (!isMap(op)) return undefined;
  const opName = getPair(op, 'op')?.value;
  const p = getPair(op, 'path')?.value;
  if (!isScalar(opName) || !isScalar(p) || typeof p.value !== 'string') return undefined;
  return String(opName.value) === 'add' || String(opName.value) === 'replace' ? p.value : undefined;
}

/**
 * For the probe walk's `probeKey` hook: the `value` of an add/replace op whose path ends in a
 * probe key (`/spec/template/spec/containers/0/readinessProbe`) is that probe.
 */
export function json6902ProbeKey(pair: Pair, path: readonly unknown[]): string | undefined {
  if (keyOf(pair) !== 'value') return undefined;
  const p = opPath(path);
  const last = p?.slice(p.lastIndexOf('/') + 1);
  return last !== undefined && PROBE_KEYS.has(last) ? last : undefined;
}

/** An op that patches inside a probe (`…/readinessProbe/exec/command`): the tool cannot rewrite a part. */
export function json6902ProbePart(path: string): boolean {
  return /\/(livenessProbe|readinessProbe|startupProbe)\//.test(path);
}

/** JSON 6902 patches (`- op: replace, path: /spec/.../readinessProbe, value: {...}`), inline or in files. */
import type { Document, Pair, ParsedNode } from 'yaml';
import { isMap, isScalar } from '../parse/yaml-lib.js';
import type { Report } from '../types.js';
import { forEachMap, getPair, keyOf } from '../parse/yaml.js';
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

/**
 * Reports inside a JSON 6902 op that patches part of a probe say so: the op cannot become
 * native on its own (its path names `exec`), the whole probe has to be patched instead.
 */
export function relabelPartialOps(reports: Report[], docs: readonly Document.Parsed<ParsedNode, true>[]): Report[] {
  const parts: { start: number; end: number; path: string; test: boolean }[] = [];
  for (const doc of docs) {
    forEachMap(doc.contents, (map) => {
      const p = getPair(map, 'path')?.value;
      const op = getPair(map, 'op')?.value;
      if (!isScalar(op) || !isScalar(p) || typeof p.value !== 'string') return;
      // A `test` op's value is what the probe must be, not a probe the overlay sets: a probe's, or
      // one above it (a container, the pod spec) whose value holds the probe.
      const test = String(op.value) === 'test';
      if (test || json6902ProbePart(p.value)) parts.push({ start: map.range![0], end: map.range![1], path: p.value, test });
    });
  }
  if (parts.length === 0) return reports;
  return reports.map((r) => {
    const part = parts.find((p) => r.start >= p.start && r.start < p.end);
    if (!part) return r;
    const whole = part.path.replace(/\/(livenessProbe|readinessProbe|startupProbe)\/.*$/, '/$1');
    const { fix: _fix, ...rest } = r;
    return {
      ...rest,
      subject: 'probe' as const,
      blockers: ['unparseable' as const],
      keepsBinary: true,
      message: part.test
        ? /\/(livenessProbe|readinessProbe|startupProbe)(\/|$)/.test(part.path)
          ? `a JSON 6902 test op compares a probe with an exec command (${part.path}); it fails once that probe is native, so change the test together with the probe`
          : `a JSON 6902 test op compares a value holding a probe with an exec command (${part.path}); it fails once that probe is native, so change the test together with the probe`
        : `a JSON 6902 op patches part of a probe (${part.path}); patch the whole probe (${whole}) so that its handler can change`,
    };
  });
}

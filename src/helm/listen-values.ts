/**
 * A Helm template's text with the values actions it prints rendered as the chart's values give
 * them, for the loopback listen check (src/analysis/loopback-listen.ts): `--grpc-listen={{
 * .Values.listen }}` with values.yaml `listen: "127.0.0.1:5000"` listens on loopback as
 * `--grpc-listen=127.0.0.1:5000` does (hunt18 L4), and `-addr=:{{ .Values.grpcPort }}` probes
 * the port `--listen=127.0.0.1:9000` names when the values give grpcPort 9000 (hunt19 B2).
 */
import { namesLoopbackHost, type RenderedText } from '../analysis/loopback-listen.js';
import type { RunContext } from '../types.js';
import { settingsOf, valuesPathUnset, type Chart } from './chart.js';
import type { DotScope } from './template.js';

/** An action and its body (trim markers and blanks around it are taken off after): no brace inside, so the scan is linear. */
const ACTION = /\{\{([^{}]*)\}\}/g;
const LITERAL = String.raw`(?:\d+|"[^"\\{}]*")`;
/** A values reference, with `default X` before it or `| default X`, `| toString` after it: what they print is still the setting, or the default. */
const BODY = new RegExp(String.raw`^(?:default\s+(${LITERAL})\s+)?(\$?\.[A-Za-z_][A-Za-z0-9_.]*)((?:\s*\|\s*(?:toString|default\s+${LITERAL}))*)$`);
const DEFAULT = new RegExp(String.raw`default\s+(${LITERAL})`, 'g');

/** The settings of each values path of a chart, once per run: a pod's items are read again for each of its probes. */
const settingsByRun = new WeakMap<RunContext, Map<string, string[] | undefined>>();
function settings(chart: Chart, valuesPath: string, run: RunContext): string[] | undefined {
  let byPath = settingsByRun.get(run);
  if (!byPath) settingsByRun.set(run, (byPath = new Map()));
  const key = `${chart.root}\0${valuesPath}`;
  if (!byPath.has(key)) byPath.set(key, settingsOf(chart, valuesPath, run) ?? (valuesPathUnset(chart, valuesPath, run) ? [] : undefined));
  return byPath.get(key);
}

/** The values path a reference written where the dot is `scope` reads (`.Values.listen`, `$.Values.listen`, `.listen` under `with .Values.grpc`). */
function valuesPathOf(written: string, scope: DotScope): string | undefined {
  if (written.startsWith('$.Values.')) return written.slice('$.Values.'.length);
  if (scope === null) return undefined;
  if (scope === '') return written.startsWith('.Values.') ? written.slice('.Values.'.length) : undefined;
  return `${scope}${written}`;
}

/**
 * `text` with each values action rendered: the one value every values file, release and command
 * line of the repository gives it (what a `default` prints where nothing sets it or sets it
 * empty), or, where they differ, one naming a loopback host (else the first), marked mixed.
 * Undefined when an action is something else or a value is not known (a `--set` of a script, a
 * release's valueFrom, a path nothing sets and no default gives).
 */
export function renderedValues(text: string, scope: DotScope, chart: Chart | undefined, run: RunContext): RenderedText | undefined {
  if (!chart || !text.includes('{{')) return undefined;
  return renderActions(text, scope, (valuesPath) => settings(chart, valuesPath, run));
}

/** renderedValues with the settings of a values path given by `settingsAt` (none set: [], unknown: undefined). */
export function renderActions(text: string, scope: DotScope, settingsAt: (valuesPath: string) => string[] | undefined): RenderedText | undefined {
  const actions: RenderedText['actions'] = [];
  let unknown = false;
  const rendered = text.replace(ACTION, (whole: string, inner: string) => {
    if (unknown) return whole;
    let body = inner.trim();
    if (body.startsWith('-')) body = body.slice(1).trimStart();
    if (body.endsWith('-')) body = body.slice(0, -1).trimEnd();
    const m = BODY.exec(body);
    const valuesPath = m ? valuesPathOf(m[2]!, scope) : undefined;
    if (!m || valuesPath === undefined) {
      unknown = true;
      return whole;
    }
    const given = [m[1], ...[...m[3]!.matchAll(DEFAULT)].map((d) => d[1])].find((d) => d !== undefined);
    const fallback = given?.replace(/^"|"$/g, '');
    const set = settingsAt(valuesPath);
    const values = set === undefined ? undefined : fallback === undefined ? set : set.length === 0 ? [fallback] : set.map((v) => (v === '' ? fallback : v));
    const distinct = [...new Set(values ?? [])];
    if (distinct.length === 0) {
      unknown = true;
      return whole;
    }
    // A value naming a loopback host in any spelling (or a `$(NAME)` the container's env may make one) is the one to check.
    const value = distinct.find(namesLoopbackHost) ?? distinct.find((v) => v.includes('$(')) ?? distinct[0]!;
    actions.push({ action: whole, value, mixed: distinct.length > 1 });
    return value;
  });
  return unknown || actions.length === 0 ? undefined : { text: rendered, actions };
}

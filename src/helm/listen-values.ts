/**
 * A Helm template's text with the values actions it prints rendered as the chart's values give
 * them, for the loopback listen check (src/analysis/loopback-listen.ts): `--grpc-listen={{
 * .Values.listen }}` with values.yaml `listen: "127.0.0.1:5000"` listens on loopback as
 * `--grpc-listen=127.0.0.1:5000` does (hunt18 L4), and `-addr=:{{ .Values.grpcPort }}` probes
 * the port `--listen=127.0.0.1:9000` names when the values give grpcPort 9000 (hunt19 B2).
 */
import { namesLoopbackHost, verbListen, type RenderedText } from '../analysis/loopback-listen.js';
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
  const unrendered: NonNullable<RenderedText['unrendered']> = [];
  let unknown = false;
  const rendered = text.replace(ACTION, (whole: string, inner: string) => {
    if (unknown) return whole;
    let body = inner.trim();
    if (body.startsWith('-')) body = body.slice(1).trimStart();
    if (body.endsWith('-')) body = body.slice(0, -1).trimEnd();
    const printf = printfCall(body);
    const m = printf ? null : BODY.exec(body);
    const valuesPath = m ? valuesPathOf(m[2]!, scope) : undefined;
    if (printf) {
      const printed = printfValues(printf, scope, settingsAt);
      if (printed === undefined) {
        // What it prints is not known: a format that names a loopback listen address is said (a note), the rest is unknown.
        if (printf.format !== undefined && verbListen(printf.format) !== undefined) unrendered.push({ action: whole, format: printf.format });
        else unknown = true;
        return whole;
      }
      // `{{ printf … | quote }}` alone in its scalar: the quotes are the YAML's, the value is inside them.
      const yamlQuoted = printf.pipes.includes('quote') && text.trim() === whole;
      return chosen(whole, yamlQuoted ? printed.map((p) => JSON.parse(p) as string) : printed);
    }
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
    return chosen(whole, distinct);
  });
  // A value naming a loopback host in any spelling (or a `$(NAME)` the container's env may make one) is the one to check.
  function chosen(action: string, distinct: readonly string[]): string {
    const value = distinct.find(namesLoopbackHost) ?? distinct.find((v) => v.includes('$(')) ?? distinct[0]!;
    actions.push({ action, value, mixed: distinct.length > 1 });
    return value;
  }
  if (unknown) return undefined;
  if (unrendered.length > 0) return { text: rendered, actions, unrendered };
  return actions.length === 0 ? undefined : { text: rendered, actions };
}

/** A Go string literal: interpreted ("…", its escapes as JSON reads them) or raw (`…`). */
const GO_STRING = String.raw`"(?:[^"\\]|\\.)*"|${'`'}[^${'`'}]*${'`'}`;
const REF = String.raw`\$?\.[A-Za-z_][A-Za-z0-9_.]*`;
const CONVERT = 'int|int64|toString|quote';
/** `printf "FORMAT"` at the start of an action's body. */
const PRINTF = new RegExp(String.raw`^printf\s+(${GO_STRING})`, 'y');
/** One operand: a number, a string, a values reference, or one converted (`(int .Values.port)`, `(.Values.port | int)`). */
const OPERAND = new RegExp(String.raw`\s+(?:(\d+)|(${GO_STRING})|(${REF})|\(\s*(${CONVERT})\s+(${REF})\s*\)|\(\s*(${REF})\s*\|\s*(${CONVERT})\s*\))`, 'y');
/** What the whole call is piped to. */
const PIPE = new RegExp(String.raw`\s*\|\s*(quote|toString)`, 'y');

/** An operand: a literal, or a values reference and the function that converts it (none: the value as the values give it). */
type Operand = { literal: string; type: 'int' | 'string' } | { ref: string; convert: string | undefined };

interface PrintfCall {
  /** The format as Go reads it; undefined where its escapes are not ones the tool reads. */
  format: string | undefined;
  operands: Operand[];
  pipes: string[];
}

function goString(literal: string): string | undefined {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** `printf "--grpc-listen=127.0.0.1:%d" (int .Values.port)` as its format, operands and pipes; undefined for any other body, or an operand the tool does not read (an include, a variable). */
function printfCall(body: string): PrintfCall | undefined {
  PRINTF.lastIndex = 0;
  const head = PRINTF.exec(body);
  if (!head) return undefined;
  let at = PRINTF.lastIndex;
  const operands: Operand[] = [];
  for (;;) {
    OPERAND.lastIndex = at;
    const m = OPERAND.exec(body);
    if (!m) break;
    at = OPERAND.lastIndex;
    if (m[1] !== undefined) operands.push({ literal: m[1], type: 'int' });
    else if (m[2] !== undefined) {
      const s = goString(m[2]);
      if (s === undefined) return { format: goString(head[1]!), operands: [], pipes: ['?'] };
      operands.push({ literal: s, type: 'string' });
    } else operands.push({ ref: (m[3] ?? m[5] ?? m[6])!, convert: m[4] ?? m[7] });
  }
  const pipes: string[] = [];
  for (;;) {
    PIPE.lastIndex = at;
    const m = PIPE.exec(body);
    if (!m) break;
    at = PIPE.lastIndex;
    pipes.push(m[1]!);
  }
  const format = goString(head[1]!);
  // Something after the operands the tool does not read: what it prints is unknown, but its format is still the format.
  return body.slice(at).trim() === '' ? { format, operands, pipes } : { format, operands: [], pipes: ['?'] };
}

/** At most this many combinations of operand values are printed: more is not known. */
const MAX_PRINTED = 16;

/**
 * What a printf prints, as Go's fmt and Sprig's functions do, for every combination of the values
 * its operands take: `%d` of an int (a number literal, `int` of a whole number), `%s` and `%q` of a
 * string (a string literal, `toString`, `quote`, a values setting that is not a number or a
 * boolean), `%v` of any, `%%`. Undefined where any is not known: a values setting printed with `%d`
 * (Helm reads a number in a values file as a float64, which `%d` prints as `%!d(float64=9000)`,
 * and one given by `--set` as an int64), a flag or width, operands that do not match the verbs, a
 * setting the values do not give.
 */
function printfValues(call: PrintfCall, scope: DotScope, settingsAt: (valuesPath: string) => string[] | undefined): string[] | undefined {
  // A lone `%` at the end prints `%!(NOVERB)`.
  if (call.format === undefined || call.pipes.includes('?') || /%$/.test(call.format.replace(/%%/g, ''))) return undefined;
  // Each operand's possible values, each with the type Go sees.
  const choices: { text: string; type: 'int' | 'string' | 'setting' }[][] = [];
  for (const o of call.operands) {
    if ('literal' in o) {
      choices.push([{ text: o.literal, type: o.type }]);
      continue;
    }
    const valuesPath = valuesPathOf(o.ref, scope);
    const set = valuesPath === undefined ? undefined : settingsAt(valuesPath);
    if (set === undefined || set.length === 0) return undefined;
    const distinct = [...new Set(set)];
    if (o.convert === 'int' || o.convert === 'int64') {
      if (!distinct.every((v) => /^-?\d+$/.test(v))) return undefined;
      choices.push(distinct.map((v) => ({ text: String(Number(v)), type: 'int' as const })));
    } else if (o.convert === 'toString') choices.push(distinct.map((v) => ({ text: v, type: 'string' as const })));
    else if (o.convert === 'quote') choices.push(distinct.map((v) => ({ text: JSON.stringify(v), type: 'string' as const })));
    else choices.push(distinct.map((v) => ({ text: v, type: 'setting' as const })));
  }
  let count = 1;
  for (const c of choices) if ((count *= c.length) > MAX_PRINTED) return undefined;
  // Combination k takes, of each operand, the value its digit of k (in mixed radix) says.
  const combos = Array.from({ length: count }, (_, k) =>
    choices.map((c) => {
      const v = c[k % c.length]!;
      k = Math.floor(k / c.length);
      return v;
    }),
  );
  const out = new Set<string>();
  for (const combo of combos) {
    let i = 0;
    let failed = false;
    const printed = call.format.replace(/%(.)/gs, (verb, c: string) => {
      if (c === '%') return '%';
      const v = combo[i++];
      const setting = v?.type === 'setting';
      // A setting is a string unless it reads as a number or a boolean (YAML's, which Go prints otherwise).
      const str = v !== undefined && (v.type === 'string' || (setting && !/^(?:-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|true|false)$/i.test(v.text)));
      if (v === undefined || (c === 'd' && v.type !== 'int') || ((c === 's' || c === 'q') && !str) || !'dsvq'.includes(c)) {
        failed = true;
        return verb;
      }
      return c === 'q' ? JSON.stringify(v.text) : v.text;
    });
    if (failed || i !== combo.length) return undefined;
    out.add(call.pipes.includes('quote') ? JSON.stringify(printed) : printed);
  }
  return [...out];
}

/**
 * Evaluating a templated probe field from `--set` values. The template itself is masked by the
 * shared Helm masker (src/helm/mask.ts); only simple value references are evaluated here
 * (`.Values.a.b`, `| int`, `| default N`, `| quote`); anything else is reported per probe, and
 * the user can pipe `helm template` output instead.
 */
import { actionBody, findActions, type Action } from '../helm/mask.js';
import { indexAsFields } from '../helm/index-fields.js';

export type Evaluated = { ok: true; value: string } | { ok: false; reason: string };

/**
 * The source range to evaluate for a scalar at [start, end): the scalar plus the inline actions
 * glued to it by spaces or tabs. Inline actions that print nothing are masked as spaces, so the
 * YAML scalar of `{{ if .x }}5000{{ end }}` is only `5000`; that value is conditional and must
 * be evaluated (and refused) as written, not read as 5000.
 */
export function templatedExtent(actions: readonly Action[], text: string, start: number, end: number): { start: number; end: number } {
  let s = start;
  let e = end;
  for (let moved = true; moved; ) {
    moved = false;
    let i = s;
    while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
    const before = actions.find((a) => !a.alone && a.end === i);
    if (before) {
      s = before.start;
      moved = true;
    }
    let j = e;
    while (j < text.length && (text[j] === ' ' || text[j] === '\t')) j++;
    const after = actions.find((a) => !a.alone && a.start === j);
    if (after) {
      e = after.end;
      moved = true;
    }
  }
  return { start: s, end: e };
}

/**
 * Evaluates a field's source text (e.g. `{{ .Values.grpc.port }}`, `"{{ .Values.name }}-health"`)
 * with `--set` values: each action is replaced by its value; a template comment prints nothing.
 */
export function evaluateTemplateText(source: string, values: ReadonlyMap<string, string>): Evaluated {
  let text = source.trim();
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.endsWith(text[0]!)) text = text.slice(1, -1);
  const found = findActions(text);
  if (found.error) return { ok: false, reason: `unterminated template action in ${source.trim()}` };
  let out = '';
  let at = 0;
  for (const a of found.actions) {
    const r = a.kind === 'comment' ? ({ ok: true, value: '' } as const) : evaluateAction(a.text, values);
    if (!r.ok) return r;
    out += text.slice(at, a.start) + r.value;
    at = a.end;
  }
  return { ok: true, value: out + text.slice(at) };
}

const VALUE_REF = /^\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)$/;
const LITERAL = /^(-?\d+|"(?:[^"\\]|\\.)*")$/;

function evaluateAction(action: string, values: ReadonlyMap<string, string>): Evaluated {
  // `index .Values "grpc" "port"` is `.Values.grpc.port`.
  const [head, ...fns] = actionBody({ text: indexAsFields(action).text }).split('|').map((p) => p.trim());
  const cannot: Evaluated = {
    ok: false,
    reason: `cannot evaluate ${action} (only .Values references with int, quote, toString or default); pipe the rendered manifests in: helm template ... | grpc-probe-migrate verify -`,
  };
  let value: string | undefined;
  let key: string | undefined;
  const ref = VALUE_REF.exec(head ?? '');
  // `default 5 .Values.a.b` and Go's `or .Values.a.b 5` print the value, or the default where it is
  // empty; Sprig's `dig "a" "b" 5 .Values.AsMap`, read as one of them (indexAsFields), prints the
  // value wherever it is set, "" too, and the default only where it is not.
  const defaulted = /^default\s+(\S+)\s+(\S+)$/.exec(head ?? '') ?? /^or\s+(?<path>\S+)\s+(?<lit>\S+)$/.exec(head ?? '');
  const [fallback, path] = defaulted?.groups ? [defaulted.groups.lit!, defaulted.groups.path!] : [defaulted?.[1], defaulted?.[2]];
  const defaultRef = path !== undefined && LITERAL.test(fallback!) ? VALUE_REF.exec(path) : null;
  if (ref) {
    key = ref[1]!.slice(1);
    value = values.get(key);
  } else if (defaultRef) {
    key = defaultRef[1]!.slice(1);
    value = values.get(key);
    const dig = /^dig\s/.test(actionBody({ text: action }).trim());
    if (value === undefined || (value === '' && !dig)) value = literal(fallback!);
  } else if (head && LITERAL.test(head)) {
    value = literal(head);
  } else {
    return cannot;
  }
  for (const fn of fns) {
    const [name, ...args] = fn.split(/\s+/);
    if (name === 'int' || name === 'int64' || name === 'toString' || name === 'quote') continue;
    if (name === 'default' && args.length === 1 && LITERAL.test(args[0]!)) {
      if (value === undefined || value === '') value = literal(args[0]!);
      continue;
    }
    return cannot;
  }
  if (value === undefined) return { ok: false, reason: `${action} needs a value: pass --set ${key}=...` };
  return { ok: true, value };
}

function literal(text: string): string {
  return text.startsWith('"') ? (JSON.parse(text) as string) : text;
}

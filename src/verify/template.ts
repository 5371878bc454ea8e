/**
 * Just enough of a Helm template to read the native probes in it: every `{{ ... }}` action is
 * masked with a same-length placeholder so the YAML parser sees a plain document with unchanged
 * offsets, and a probe field that is an action is evaluated from `--set` values. Only simple
 * value references are evaluated (`.Values.a.b`, `| int`, `| default N`, `| quote`); anything
 * else is reported per probe, and the user can pipe `helm template` output instead.
 */

export interface TemplateAction {
  start: number;
  end: number;
}

export interface MaskedTemplate {
  text: string;
  actions: TemplateAction[];
}

/**
 * An action alone on its line becomes a comment (`{{- if ... }}`, `{{- end }}`); an inline one a
 * run of `_` (a plain scalar, or characters inside the quotes around it). Newlines are kept.
 */
export function maskTemplate(text: string): MaskedTemplate {
  const actions: TemplateAction[] = [];
  let out = '';
  let at = 0;
  for (let s = text.indexOf('{{'); s !== -1; s = text.indexOf('{{', at)) {
    const close = text.indexOf('}}', s + 2);
    const e = close === -1 ? text.length : close + 2;
    actions.push({ start: s, end: e });
    const lineStart = text.lastIndexOf('\n', s - 1) + 1;
    const nl = text.indexOf('\n', e);
    const lineEnd = nl === -1 ? text.length : nl;
    const alone = /^[ \t]*$/.test(text.slice(lineStart, s)) && /^[ \t\r]*$/.test(text.slice(e, lineEnd));
    const body = text.slice(s, e);
    out += text.slice(at, s) + (alone ? body.replace(/^[^\n]/, '#').replace(/[^\n#]/g, ' ') : body.replace(/[^\r\n]/g, '_'));
    at = e;
  }
  return { text: out + text.slice(at), actions };
}

export function touchesAction(actions: readonly TemplateAction[], start: number, end: number): boolean {
  return actions.some((a) => a.start < end && start < a.end);
}

export type Evaluated = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Evaluates a field's source text (e.g. `{{ .Values.grpc.port }}`, `"{{ .Values.name }}-health"`)
 * with `--set` values: each action is replaced by its value.
 */
export function evaluateTemplateText(source: string, values: ReadonlyMap<string, string>): Evaluated {
  let text = source.trim();
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.endsWith(text[0]!)) text = text.slice(1, -1);
  let out = '';
  let at = 0;
  for (let s = text.indexOf('{{'); s !== -1; s = text.indexOf('{{', at)) {
    const close = text.indexOf('}}', s + 2);
    if (close === -1) return { ok: false, reason: `unterminated template action in ${source.trim()}` };
    const r = evaluateAction(text.slice(s, close + 2), values);
    if (!r.ok) return r;
    out += text.slice(at, s) + r.value;
    at = close + 2;
  }
  return { ok: true, value: out + text.slice(at) };
}

const VALUE_REF = /^\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)$/;
const LITERAL = /^(-?\d+|"(?:[^"\\]|\\.)*")$/;

function evaluateAction(action: string, values: ReadonlyMap<string, string>): Evaluated {
  const inner = action.replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
  const [head, ...fns] = inner.split('|').map((p) => p.trim());
  const cannot: Evaluated = {
    ok: false,
    reason: `cannot evaluate ${action} (only .Values references with int, quote, toString or default); pipe the rendered manifests in: helm template ... | grpc-probe-migrate verify -`,
  };
  let value: string | undefined;
  let key: string | undefined;
  const ref = VALUE_REF.exec(head ?? '');
  if (ref) {
    key = ref[1]!.slice(1);
    value = values.get(key);
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

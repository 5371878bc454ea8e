/**
 * Probes in Helm templates: mask the actions, parse what is left as YAML, and let the shared
 * probe walk do the work, reading original text through the placeholders. Helm-only shapes are
 * handled here: the `{{ if }} grpc {{ else }} exec {{ end }}` toggle, commands that change under
 * a condition, `define` bodies, and mentions the YAML view cannot see (inside actions).
 */
import path from 'node:path';
import type { Document, Node, Pair, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isPair, isScalar, isSeq, visit } from '../parse/yaml-lib.js';
import { inRanges, mentionOffsets, yamlCommentRanges } from '../analysis/mentions.js';
import { classifyHost } from '../analysis/probe-args.js';
import { findProbeReports, GO_YAML_TRUE, PROBE_KEYS, quote } from '../kubernetes/probes.js';
import { crdProbeSchema } from '../kubernetes/crd-schemas.js';
import { keepForCompositionPatches } from '../kubernetes/composition.js';
import { contentEnd, getPair, keyOf, nodeAt, parseYaml } from '../parse/yaml.js';
import type { Edit, Report, RunContext, SourceFile } from '../types.js';
import { chartKubeVersionBlockers, chartValuesBlockers, findChart, imageNameFromValues, knownSettingsOf, quotingAction, settingPlaces, settingsOf, templatesOf, unreadValuesLayer, VALUES_ACTION, valuesBoolean, valuesIfAbove, valuesNodesOf, valuesNumber, valuesPathUnset, type Chart } from './chart.js';
import { actionBody, actionsIn, findActions, keysAbove, maskTemplate, PLACEHOLDER_START, printedOperand, quotedPipeline, refuseTemplateEdit, splitAction, spokenAction, unmaskValue, type Action } from './mask.js';
import { indexAsFields, rootDigs } from './index-fields.js';
import { renderedValues } from './listen-values.js';
import { planNativeProbe, targetClusters, type FixedNumber, type NativePlan } from '../analysis/native-probe.js';
import { lineStartOf } from '../text/lines.js';
import { parseGoDuration } from '../analysis/duration.js';
import { escapeRegExp } from '../text/regexp.js';
import { BLOCKERS } from '../blockers.js';

const UNPARSEABLE_HINT =
  'After masking its {{ }} actions this template is not YAML-shaped, so the tool cannot rewrite it. Migrate the probe by hand: replace exec with grpc: {port: N}.';

export function helmTemplateReports(file: SourceFile, run: RunContext): Report[] {
  // `index .Values "grpc" "port"` is read as `.Values.grpc.port`, same offsets; what the reports
  // write (an edit, a message) gets the call back as the chart writes it.
  const fields = indexAsFields(file.text);
  const reports = fields.text === file.text ? templateReports(file, run) : templateReports({ ...file, text: fields.text }, run).map((r) => restoreReport(r, fields.restore));
  return refuseRootDigs(file.text, reports);
}

/**
 * A probe that would migrate though it holds `dig … .Values` (its port, its service): that call
 * fails to render (rootDigs), so the tool does not read it, and says so rather than carry it into
 * a grpc probe.
 */
function refuseRootDigs(text: string, reports: Report[]): Report[] {
  const digs = rootDigs(text);
  if (digs.length === 0) return reports;
  return reports.map((r) => {
    const [start, end] = r.covers ?? [r.start, r.end ?? r.start + 1];
    const dig = r.fix ? digs.find((d) => d.start >= start && d.start < end) : undefined;
    if (!dig) return r;
    return blockedFrom(
      r,
      `${dig.call} is not read: Sprig's dig takes its map as a map[string]interface{}, and Helm's .Values is not one (chartutil.Values), so rendering fails there ("interface conversion", Masterminds/sprig#346). Write .Values.AsMap for the map (${dig.call.replace(/(\$?\.Values)$/, '$1.AsMap')}), then run the tool again`,
    );
  });
}

/** A report's text (message, hint, target, image, edits, details) through `restore`. */
function restoreReport(r: Report, restore: (s: string) => string): Report {
  const out: Report = { ...r, message: restore(r.message) };
  if (r.hint !== undefined) out.hint = restore(r.hint);
  if (r.target !== undefined) out.target = restore(r.target);
  if (r.image !== undefined) out.image = restore(r.image);
  if (r.fix) out.fix = r.fix.map((e) => ({ ...e, text: restore(e.text) }));
  if (r.details) out.details = Object.fromEntries(Object.entries(r.details).map(([k, v]) => [k, typeof v === 'string' ? restore(v) : v]));
  return out;
}

function templateReports(file: SourceFile, run: RunContext): Report[] {
  const { text, eol } = file;
  const m = maskTemplate(text);
  if (m.error) {
    return [{ start: m.error.offset, subject: 'file', error: true, blockers: ['unparseable'], message: `${m.error.message}; the file was left unchanged` }];
  }
  const chart = findChart(file.path, run);
  const reports: Report[] = [];
  const unreadable: number[] = [];
  for (const region of regions(file, m.masked, m.actions)) {
    const error = parseYaml(region.masked, { uniqueKeys: false }).error;
    if (error) unreadable.push(region.start);
    reports.push(...regionReports(region, m.actions, text, eol, chart, run));
  }
  if (unreadable.length > 0) {
    // A file the tool could not fully read is never changed, even where it could.
    const line = text.slice(0, unreadable[0]).split('\n').length;
    return [
      ...reports.map((r) => (r.fix ? blockedFrom(r, `the define body at line ${line} is not YAML-shaped, and the tool changes nothing in a file it cannot fully read`) : r)),
      ...uncoveredMentions(text, m.masked, m.actions, reports),
    ];
  }
  reports.push(...uncoveredMentions(text, m.masked, m.actions, reports));
  return reports;
}

/** Why a template does not parse the way the rule reads it (whole, or define by define), if it does not. */
export function templateYamlError(text: string): string | undefined {
  const m = maskTemplate(text);
  if (m.error) return m.error.message;
  const whole = parseYaml(m.masked, { uniqueKeys: false }).error;
  if (!whole) return undefined;
  const defines = blocks(m.actions).filter((b) => b.open.keyword === 'define');
  if (defines.length === 0) return whole.message;
  for (const b of defines) {
    const e = parseYaml(blankOutside(m.masked, b.open.end, b.end.start), { uniqueKeys: false }).error;
    if (e) return e.message;
  }
  return undefined;
}

interface Region {
  /** The masked text with everything outside the region blanked (offsets unchanged). */
  masked: string;
  start: number;
  end: number;
}

/** A .tpl file is a set of `define` bodies, each its own YAML fragment; a template is one stream. */
function regions(file: SourceFile, masked: string, actions: readonly Action[]): Region[] {
  if (!file.displayPath.endsWith('.tpl')) return [{ masked, start: 0, end: masked.length }];
  const out: Region[] = [];
  for (const block of blocks(actions)) {
    if (block.open.keyword !== 'define') continue;
    const start = block.open.end;
    const end = block.end.start;
    out.push({ masked: blankOutside(masked, start, end), start, end });
  }
  return out;
}

/** The with and range blocks (and the branch of each) around an offset, as one key: what sets `.` there. */
function dotBlocks(controlBlocks: readonly Block[], offset: number): string {
  return controlBlocks
    .filter((b) => b.open.end <= offset && offset < b.end.start && (b.open.keyword === 'with' || b.open.keyword === 'range'))
    .map((b) => `${b.open.start}:${[b.open, ...b.elses].filter((a) => a.start < offset).pop()!.start}`)
    .sort()
    .join(',');
}

function blankOutside(text: string, start: number, end: number): string {
  const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}

interface Block {
  open: Action;
  elses: Action[];
  end: Action;
}

/** Top-level and nested control blocks, from the actions in order. */
function blocks(actions: readonly Action[]): Block[] {
  const out: Block[] = [];
  const stack: { open: Action; elses: Action[] }[] = [];
  for (const a of actions) {
    if (a.kind === 'open') stack.push({ open: a, elses: [] });
    else if (a.kind === 'else') stack[stack.length - 1]?.elses.push(a);
    else if (a.kind === 'end') {
      const b = stack.pop();
      if (b) out.push({ ...b, end: a });
    }
  }
  return out;
}

/**
 * What `.` stands for at an offset: `''` for the chart's root (where `.Values.x` is a value),
 * a values path inside `{{ with .Values.grpc }}` (then `.port` is `grpc.port`; nested withs
 * add up), or null where it is something else (`range`, a `with` of anything but a values path,
 * which the tool does not follow). The `else` of a `with` runs with the outer dot, an
 * `else with .Values.y` with its own.
 */
export type DotScope = string | null;
function dotScope(controlBlocks: readonly Block[], offset: number): DotScope {
  // In a with's branches, the action that opened the branch: `with X` or `else with Y` (Go 1.23)
  // set the dot; a plain `else` keeps the outer one.
  const branchOpen = (b: Block) => [b.open, ...b.elses].filter((a) => a.start < offset).pop()!;
  const enclosing = controlBlocks
    .filter((b) => b.open.end <= offset && offset < b.end.start && (b.open.keyword === 'with' || b.open.keyword === 'range'))
    .filter((b) => b.open.keyword !== 'with' || branchOpen(b) === b.open || /^\{\{-?\s*else\s+with\s/.test(branchOpen(b).text))
    .sort((a, b) => a.open.start - b.open.start);
  let scope: DotScope = '';
  for (const b of enclosing) {
    if (b.open.keyword === 'range') return null;
    const m = /^\{\{-?\s*(?:else\s+)?with\s+(\$?\.Values\.|\.)([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*-?\}\}$/.exec(branchOpen(b).text);
    if (!m) return null;
    // `with $.Values.grpc` anywhere, `with .Values.grpc` at the root (inside another with it is
    // that value's own `Values` key); `with .probe` inside another with's values.
    if (m[1] === '$.Values.' || (m[1] === '.Values.' && scope === '')) scope = m[2]!;
    else if (m[1] === '.Values.' || scope === '') return null;
    else scope = `${scope}.${m[2]}`;
  }
  return scope;
}

/**
 * A reference to a values path in an action, where the dot is `scope` (dotScope): `$.Values.x`
 * anywhere, `.Values.x` at the root, `.x` inside a `with` of a values path. Its pattern's one
 * group is the path as written; `valuesPath` turns it into the path from the values' root.
 */
function valuesRef(scope: DotScope): { pattern: string; valuesPath: (written: string) => string } {
  if (scope === '') return { pattern: String.raw`\$?\.Values\.([A-Za-z0-9_.]+)`, valuesPath: (w) => w };
  if (scope === null) return { pattern: String.raw`\$\.Values\.([A-Za-z0-9_.]+)`, valuesPath: (w) => w };
  // The group holds the reference as written, `$.Values.x` or `.x`.
  return { pattern: String.raw`(\$\.Values\.[A-Za-z0-9_.]+|\.[A-Za-z0-9_][A-Za-z0-9_.]*)`, valuesPath: (w) => (w.startsWith('$.Values.') ? w.slice('$.Values.'.length) : `${scope}${w}`) };
}

/**
 * Whether the text before `at` on its line is `hostNetwork:` with only blanks around it (as
 * `^[ \t]*hostNetwork:[ \t]*$` of the line up to there): read back from `at`, since reading each
 * action's line from its start was quadratic on a line of many actions.
 */
function afterHostNetworkKey(text: string, at: number): boolean {
  const key = 'hostNetwork:';
  let i = at;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i < key.length || !text.startsWith(key, i - key.length)) return false;
  i -= key.length;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i === 0 || text[i - 1] === '\n';
}

/**
 * `hostNetwork: {{ .Values.x }}` actions whose values setting is the same boolean in every values
 * file of the chart, `hostNetwork: {{ .Values.x | quote }}` (a string), and `hostNetwork: true`
 * lines under an `{{ if .Values.x }}` that is false there (null) or not the same in every values
 * file (unknown, not true).
 */
function hostNetworkSettings(text: string, actions: readonly Action[], region: Region, chart: Chart, run: RunContext): { start: number; end: number; literal: string }[] {
  const out: { start: number; end: number; literal: string }[] = [];
  for (const a of actions) {
    if (a.kind !== 'output' || a.start < region.start || a.end > region.end) continue;
    if (!afterHostNetworkKey(text, a.start)) continue;
    // `hostNetwork: {{ .Values.x | quote }}` renders a string, which the API server rejects for the bool.
    if (quotingAction(a.text)) {
      out.push({ start: a.start, end: a.end, literal: '""' });
      continue;
    }
    const m = VALUES_ACTION.exec(a.text);
    if (!m) continue;
    const setting = valuesBoolean(chart, m[1]!, run);
    const literal = setting === undefined ? undefined : String(setting);
    if (literal && literal.length <= a.end - a.start) out.push({ start: a.start, end: a.end, literal });
  }
  // `hostNetwork: true` right under `{{- if .Values.hostNetwork }}`, false in every values file:
  // never rendered, so null to the walk.
  const line = /^([ \t]*hostNetwork:[ \t]*)([^\s#]+)/gm;
  for (let m = line.exec(text); m; m = line.exec(text)) {
    const start = m.index + m[1]!.length;
    if (start < region.start || start >= region.end || !GO_YAML_TRUE.test(m[2]!)) continue;
    // Under a guard the values files do not agree on, true only for some releases: a plain string
    // the walk reads as a hostNetwork it cannot tell (not as true).
    const guard = valuesIfAbove(text.slice(0, m.index).split('\n'), chart, run);
    if (guard?.setting === false) out.push({ start, end: start + m[2]!.length, literal: '~' });
    else if (guard && guard.setting === undefined) out.push({ start, end: start + m[2]!.length, literal: '_' });
  }
  return out;
}

/**
 * `plain`: a read of one branch of a chain (branchRead below), whose other branches are blanked:
 * its chain handling is not done again (each probe's chain is read by the region's own run).
 */
function regionReports(region: Region, actions: readonly Action[], text: string, eol: string, chart: Chart | undefined, run: RunContext, plain = false): Report[] {
  const parsed = parseYaml(region.masked, { uniqueKeys: false });
  if (parsed.error) {
    return mentionOffsets(text)
      .filter((o) => o >= region.start && o < region.end && !inAction(actions, o))
      .filter((o) => !inRanges(o, yamlCommentRanges(region.masked)))
      .map((o) => ({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'probe' as const,
        blockers: ['unparseable' as const],
        keepsBinary: true,
        message: `grpc_health_probe in a template the tool cannot read as YAML (${parsed.error!.message})`,
        hint: UNPARSEABLE_HINT,
      }));
  }
  const controlBlocks = blocks(actions);
  const addrItems = addrFlagItems(parsed.docs);
  const envs = containerEnvs(parsed.docs);
  const unmaskedOf = (node: Scalar): string => unmaskValue(node.value === null || node.value === undefined ? '' : String(node.value), actionsIn(actions, node.range![0], node.range![1]));
  /** An env value as the kubelet gets it: `value: {{ .Values.grpc.port | quote }}` is the string `{{ .Values.grpc.port }}` prints. */
  const envValue = (node: Scalar): string => {
    const unmasked = unmaskedOf(node);
    return (node.type === 'PLAIN' ? scalarQuotingAction(unmasked) : undefined) ?? unmasked;
  };
  // Command items whose env port would print in another dot than its env value's (below).
  const otherDot = new Map<number, string>();
  // Command items whose port prints from a values path nothing sets (unsetPortReport).
  const unsetPorts = new Map<number, UnsetPort>();
  // Command items whose port reads a dot (or a variable) the tool does not follow.
  const unfollowedPorts = new Map<number, { detail: string; hint?: string }>();
  // Command items whose port a values file sets to a name or a number out of range (badPortReport).
  const badPorts = new Map<number, BadPort>();
  const scalarValue = (node: Scalar): string => {
    const quoted = envs.values.has(node.range![0]) && node.type === 'PLAIN' ? scalarQuotingAction(unmaskedOf(node)) : undefined;
    if (quoted !== undefined) return quoted;
    const scope = dotScope(controlBlocks, node.range![0]);
    const onUnset = (u: UnsetPort) => void unsetPorts.set(node.range![0], u);
    const onUnfollowed = (detail: string, hint?: string) => void unfollowedPorts.set(node.range![0], { detail, ...(hint ? { hint } : {}) });
    const onBad = (b: BadPort) => void (badPorts.has(node.range![0]) || badPorts.set(node.range![0], b));
    const checkPort = (addrArg: string) =>
      portFromDot(portFromValues(portFromVariable(addrArg, node.range![0], actions, controlBlocks, chart, run, onUnset, onUnfollowed, onBad), chart, run, scope, onUnset, onBad), node.range![0], actions, controlBlocks, chart, run, onUnset, onUnfollowed, onBad);
    const unmasked = unmaskedOf(node);
    // `-addr=:$(GRPC_PORT)` with `value: {{ .Values.grpc.port | quote }}`: the action carries over
    // into grpc.port, so the port is checked as `-addr=:{{ .Values.grpc.port }}` is, where the env
    // value is (its dot, its variables): a setting that is not a port takes the variable's place.
    // `keep`: the port as the env value prints it even where the values say nothing more (a script's
    // `$GRPC_PORT`, which the walk's env lookup would give as the action's words, split by the shell).
    const envPort = (prefix: string, name: string, keep = false): string | undefined => {
      const envNode = envs.items.get(node.range![0])?.get(name);
      // An entry a later splice may print again is left to the walk's lookup, which blocks it (envSplices).
      if ([...splices].some(([start, byName]) => byName.has(name) && start <= node.range![0] && node.range![0] < (spliceEnds.get(start) ?? -1))) return undefined;
      const action = envNode ? envValue(envNode) : undefined;
      if (!envNode || action === undefined || !/^\{\{[^{}]*\}\}$/.test(action)) return undefined;
      const at = envNode.range![0];
      // `{{ .port }}` under `{{ with .Values.grpc }}` for the env, outside it for the probe: the
      // action would print something else in the probe's port.
      if (/(?<![\w$)\]])\.[A-Za-z_]/.test(action) && dotBlocks(controlBlocks, at) !== dotBlocks(controlBlocks, node.range![0])) {
        otherDot.set(node.range![0], `${prefix}$(${name}) takes its port from the env value ${action}, which reads the dot where the env is (inside another with or range than the probe): carried into grpc.port, it would print something else there. Migrate by hand, with a port the probe's own dot reads ($.Values…)`);
      }
      const addrArg = `${prefix}${action}`;
      // Said as the probe writes it: `-addr=:$(GRPC_PORT)`, whose env value prints the path.
      const onEnvUnset = (u: UnsetPort) => onUnset({ ...u, arg: `${prefix}$(${name}) (env ${name}: ${action})` });
      const checked = portFromValues(portFromVariable(addrArg, at, actions, controlBlocks, chart, run, onEnvUnset, undefined, onBad), chart, run, dotScope(controlBlocks, at), onEnvUnset, onBad);
      return checked !== addrArg || keep ? checked : undefined;
    };
    const fromEnv = ENV_PORT_ITEM.exec(addrItems.has(node.range![0]) ? `-addr=${unmasked}` : unmasked);
    const envChecked = fromEnv ? envPort(fromEnv[1]!, fromEnv[2]!) : undefined;
    if (envChecked !== undefined) return addrItems.has(node.range![0]) ? envChecked.slice('-addr='.length) : envChecked;
    // The same in a `sh -c` script: `-addr=:$GRPC_PORT`, `-addr=:${GRPC_PORT}`.
    const script = /\s/.test(unmasked)
      ? replaceWords(unmasked, ENV_PORT_WORD, 2, (word, lead: string, prefix: string, inner: string, variable: string, braced?: string, kubelet?: string, bare?: string, close?: string) => {
          const addr = prefix.replace(/^(--?addr) /, '$1=');
          const checked = envPort(addr, (braced ?? kubelet ?? bare)!, kubelet === undefined);
          return checked === undefined ? word : `${lead}${prefix}${inner}${checked.slice(addr.length)}${close ?? ''}`;
        })
      : unmasked;
    // `- -addr` then `- :{{ .Values.grpc.port }}`: the port item is checked as `-addr=:{{ … }}` is.
    if (addrItems.has(node.range![0]) && PORT_ACTION_ITEM.test(unmasked)) {
      const checked = checkPort(`-addr=${unmasked}`);
      return checked.slice('-addr='.length);
    }
    const arg = checkPort(addrFromValues(script, chart, run, scope));
    return timeoutFromValues(portsInScript(arg, checkPort), chart, run, scope);
  };
  const spliceEnds = new Map<number, number>();
  const splices = envSplices(text, parsed.docs, actions, controlBlocks, chart, run, spliceEnds);
  const probes = probePairs(parsed.docs);
  const toggles = probes.map((p) => toggleOf(p, actions, scalarValue)).filter((t): t is Toggle => t !== undefined);
  /**
   * The chain whose branch holds the probe's exec: the handlers' (branchHandlers), or, in the
   * probe, the innermost one with an else (`{{ with .Values.probe }}{{ toYaml . }}{{ else }} exec
   * {{ end }}`) that closes within the probe: before its last content, or right after it (the chain
   * is the probe's last content: nothing but blank lines and actions up to its end).
   */
  const execChain = (probe: Pair<Scalar, YAMLMap>, exec: Pair, handlers = !plain): Block | undefined => {
    const chain = handlers ? branchHandlers(probe.value!, controlBlocks) : undefined;
    if (chain) return controlBlocks.find((b) => b.open === chain.open);
    const [start, end] = [(exec.key as Scalar).range![0], contentEnd(exec.value as ParsedNode)];
    const probeEnd = contentEnd(probe.value!);
    return controlBlocks
      .filter((b) => b.elses.length > 0 && b.open.start > probe.key.range![0] && (b.end.end <= probeEnd + 1 || (b.end.start >= probeEnd && /^[\s#]*$/.test(region.masked.slice(probeEnd, b.end.start)))) && chainBranches(b).some((x) => start >= x.start && end <= x.end))
      .sort((a, b) => b.open.start - a.open.start)[0];
  };
  /** A new timeoutSeconds line the walk adds at the probe's end, where that is the tail of a branch of the chain holding its exec (placeTimeout places it). */
  const chainTailLine = (e: Edit, probeStart: number): boolean => {
    if (e.start !== e.end || !TIMEOUT_LINE.test(e.text)) return false;
    const probe = probes.find((p) => p.key.range![0] === probeStart);
    const exec = probe ? getPair(probe.value!, 'exec') : undefined;
    const b = exec ? execChain(probe!, exec, true) : undefined;
    // The chain itself in the probe's own branch: every block opened between the two closed again.
    return b !== undefined && branchTail(b, e.start, text) !== -1 && refuseTemplateEdit(actions, text, { start: lineStartOf(text, b.open.start), end: lineStartOf(text, b.open.start) }, probeStart) === undefined;
  };

  // The probe walk sees each toggle's exec branch alone: its grpc branch is blanked out.
  let walkText = region.masked;
  for (const t of toggles) walkText = walkText.slice(0, t.grpcStart) + walkText.slice(t.grpcStart, t.grpcEnd).replace(/[^\r\n]/g, ' ') + walkText.slice(t.grpcEnd);
  // `hostNetwork: {{ .Values.hostNetwork }}` is read through the values: false (or true) in every
  // values file of the chart is that literal to the walk; anything else stays unknown.
  const hostNetworks = chart ? hostNetworkSettings(text, actions, region, chart, run) : [];
  for (const h of hostNetworks) walkText = walkText.slice(0, h.start) + h.literal.padEnd(h.end - h.start, ' ') + walkText.slice(h.end);
  // A timeoutSeconds that renders only under a condition (`{{- if .Values.slow }}` around its line)
  // is read as the API default, 1, which the probe has where the condition does not hold: the walk
  // raises it when the flags need more, and condTimeoutFix makes every render carry the raise (review23 R3).
  const condTimeouts = new Map<number, CondTimeout>();
  for (const p of probes) {
    const c = conditionalTimeouts(p, controlBlocks, text);
    if (!c) continue;
    condTimeouts.set(p.key.range![0], c);
    for (const t of c.pairs) {
      const v = t.value;
      if (!isScalar(v) || !v.range || v.value === null || text.slice(v.range[0], contentEnd(v)).includes('\n')) continue;
      walkText = walkText.slice(0, v.range[0]) + '1'.padEnd(contentEnd(v) - v.range[0], ' ') + walkText.slice(contentEnd(v));
    }
  }
  const walkDocs = toggles.length > 0 || hostNetworks.length > 0 || condTimeouts.size > 0 ? parseYaml(walkText, { uniqueKeys: false }).docs : parsed.docs;
  const resolveNumber = (t: string, at?: number) => valuesNumber(t, chart, run) ?? unsetNumber(t, at === undefined ? '' : dotScope(controlBlocks, at), chart, run);
  const condFixed = (r: Report): Report => {
    const c = r.fix && r.subject === 'probe' ? condTimeouts.get(r.start) : undefined;
    return c
      ? condTimeoutFix(r, c, text, eol, actions, (node) => {
          const n = Number(scalarValue(node));
          return Number.isFinite(n) ? { value: n, literal: true } : resolveNumber(scalarValue(node), node.range![0]);
        })
      : r;
  };
  // The walk's raise of such a line is condTimeoutFix's to replace (a printed value is never written).
  const condRaise = (e: Edit, probeStart: number) => condTimeouts.get(probeStart)?.pairs.some((p) => p.value?.range?.[0] === e.start) === true;

  const reports = findProbeReports({
    text: walkText,
    docs: walkDocs,
    eol,
    ...targetClusters(run.options),
    scalarValue,
    imageValue: (node) => imageFromValues(unmaskValue(String(node.value ?? ''), actionsIn(actions, node.range![0], node.range![1])), chart, run, dotScope(controlBlocks, node.range![0])),
    resolvePortExpression: portExpression,
    resolveNumber,
    renderedTimeout: (probe, exec) => renderedTimeout(probe, exec, actions, controlBlocks, chart, run),
    templateActions: true,
    renderValues: (t, at) => renderedValues(t, dotScope(controlBlocks, at), chart, run),
    envSplices: (c) => (c.range ? splices.get(c.range[0]) : undefined),
    original: text,
    // A toggle's edits are replaced by its collapse below, which removes the whole block.
    handlersApart: (p) => branchHandlers(p, controlBlocks) !== undefined,
    // A new last line of a probe whose last content is a chain holding its exec lands at the tail
    // of one of the chain's branches: placeTimeout, which every such rewrite goes through, puts it
    // after the chain or at the end of the exec's branch (review23 R6).
    refuseEdit: (e, probeStart) => (toggles.some((t) => e.start >= t.open.start && e.end <= t.end.end) || chainTailLine(e, probeStart) || condRaise(e, probeStart) ? undefined : refuseTemplateEdit(actions, text, e, probeStart)),
    extraBlockers: [...chartKubeVersionBlockers(chart, run), ...chartValuesBlockers(chart)],
    // A chart that installs a custom resource often ships its CRD in crds/: its schema decides.
    customResourceSchema: (resource, keyPath) => crdProbeSchema(run, resource, keyPath),
  });

  const commandLists = new Map<string, Report>();
  // A Composition the chart installs: a patch into a base probe's handler holds it on exec, as in
  // a plain manifest (src/kubernetes/rule-deps.ts), read on the masked text with what Helm may
  // change: a list index an action before the item may shift, a field path holding an action.
  // Later exec branches of an if chain (laterExecBranch), said once their chain's first exec report is final.
  const laterExecs = new Map<Report, { later: NonNullable<ReturnType<typeof laterExecBranch>>; probeStart: number }>();
  // The report on the probe at probeStart with every branch of chain `b` but the k-th blanked: what
  // renders with that branch alone (its own timeoutSeconds, not another branch's; hunt19 B6).
  const branchReads = new Map<string, Report | undefined>();
  const blanked = (masked: string, b: Block, k: number) => {
    chainBranches(b).forEach((x, i) => {
      if (i !== k) masked = masked.slice(0, x.start) + masked.slice(x.start, x.end).replace(/[^\r\n]/g, ' ') + masked.slice(x.end);
    });
    return masked;
  };
  // One read per branch index for every handler chain of the region at once (the chains that hold
  // a probe handler key and no other block): a read per probe and branch re-read the whole region
  // each time, quadratic in a template of many such probes (review23 R10: 80 probes 15 s). A chain
  // with fewer branches is left as it is; a probe the shared read does not find is read alone.
  const handlerChains = controlBlocks.filter((c) => (c.open.keyword === 'if' || c.open.keyword === 'with') && c.elses.length > 0 && !controlBlocks.some((o) => o !== c && o.open.start > c.open.start && o.end.end < c.end.end) && /^[ \t]*(?:exec|grpc|httpGet|tcpSocket)[ \t]*:/m.test(region.masked.slice(c.open.end, c.end.start)));
  const sharedReads = new Map<number, Report[]>();
  const sharedRead = (k: number): Report[] => {
    let reads = sharedReads.get(k);
    if (!reads) {
      let masked = region.masked;
      for (const c of handlerChains) if (k <= c.elses.length) masked = blanked(masked, c, k);
      reads = regionReports({ ...region, masked }, actions, text, eol, chart, run, true);
      sharedReads.set(k, reads);
    }
    return reads;
  };
  const branchRead = (probeStart: number, b: Block, k: number): Report | undefined => {
    const key = `${probeStart}:${b.open.start}:${k}`;
    if (branchReads.has(key)) return branchReads.get(key);
    const read = (handlerChains.includes(b) ? sharedRead(k).find((x) => x.subject === 'probe' && x.start === probeStart) : undefined)
      ?? regionReports({ ...region, masked: blanked(region.masked, b, k) }, actions, text, eol, chart, run, true).find((x) => x.subject === 'probe' && x.start === probeStart);
    branchReads.set(key, read);
    return read;
  };
  const mapped = reports.map((r): Report | undefined => {
    const dotMoved = r.fix ? [...otherDot].find(([at]) => at >= r.start && at < (r.end ?? r.start + 1)) : undefined;
    if (dotMoved) return blockedFrom(r, dotMoved[1]);
    const unset = r.subject === 'probe' ? [...unsetPorts].find(([at]) => at >= r.start && at < (r.end ?? r.start + 1)) : undefined;
    if (unset) return unsetPortReport(r, unset[1]);
    const bad = r.subject === 'probe' && r.blockers?.includes('invalid-port') ? [...badPorts].find(([at]) => at >= r.start && at < (r.end ?? r.start + 1)) : undefined;
    if (bad) return badPortReport(r, bad[1]);
    const unfollowed = r.subject === 'probe' && r.fix ? [...unfollowedPorts].find(([at]) => at >= r.start && at < (r.end ?? r.start + 1)) : undefined;
    if (unfollowed) {
      const { fix: _fix, ...rest } = r;
      return {
        ...rest,
        message: `${whereOf(r)} runs grpc_health_probe: ${unfollowed[1].detail}`,
        blockers: ['unresolved-port'],
        keepsBinary: true,
        hint: unfollowed[1].hint ?? 'Write the port from the values where the probe is ({{ $.Values.<path of the port> }}, or a with of that values path), or a number, and run the tool again; or, if every value the template can be given is a port number, migrate by hand to grpc: {port: …} with the same action.',
      };
    }
    // A define whose body is a command list (`- /bin/grpc_health_probe` at its root, or under a
    // `command:` key at its root) prints the command of whatever includes it: a probe's exec, or a
    // container's command. The walk sees neither.
    if (r.subject === 'consumer' && typeof r.details?.path === 'string' && /^(command)?\[\d+\]$/.test(r.details.path)) {
      const block = defineAround(actions, r.start);
      const define = block?.name;
      // One finding per define, at its first mention, spanning the others (a body may name the
      // binary in two branches): they are accounted for, not mentions the tool cannot read.
      const seen = define !== undefined ? commandLists.get(define) : undefined;
      if (seen) {
        seen.end = Math.max(seen.end ?? seen.start, r.end ?? r.start);
        return undefined;
      }
      if (define) {
        const branches = actionsIn(actions, block!.start, block!.end).filter((a) => a.kind === 'open' || a.kind === 'else');
        const report = commandListReport(r, define, branches, walkDocs[Number(r.details.document) - 1], scalarValue, chart, run);
        commandLists.set(define, report);
        return report;
      }
    }
    // A define (or a template) whose body is a probe's handler, `exec: {command: […]}` at its
    // root, is included under a probe key elsewhere: a probe the walk cannot see whole, not a
    // container command.
    if (r.subject === 'consumer' && typeof r.details?.path === 'string' && /^exec\.command\[\d+\]$/.test(r.details.path)) {
      // What the body's command would become, or what would still block it (-tls …): the hand
      // migration the hint asks for starts from there.
      const plan = bodyPlan(walkDocs[Number(r.details.document) - 1], scalarValue, run);
      const codes = [...new Set(['unparseable' as const, ...(plan?.blockers.map((b) => b.code) ?? [])])];
      const still = plan && plan.blockers.length > 0 ? `; as a native probe it would still be blocked: ${plan.blockers.map((b) => b.detail).join('; ')}` : '';
      const target = handTarget(plan);
      return {
        ...r,
        subject: 'probe' as const,
        blockers: codes,
        message: `an exec handler at the top of a template body runs grpc_health_probe (at ${r.details.path}); it is included into a probe the tool cannot see whole${still}`,
        hint: still
          ? 'Even by hand this body cannot become a native probe as it is (see the blockers): keep exec, or change the server first (e.g. a plaintext health port), then make the body grpc: {port: N}.'
          : `Migrate it by hand: make the body ${target}, and check timeoutSeconds where it is included.`,
      };
    }
    // The second exec of an if chain whose branches each hold one handler (`{{- if .Values.tls }}`
    // exec with -tls / `{{- else }}` exec): the walk reads the first only and sees this one as a
    // mention it cannot place.
    if (!r.fix && r.details?.probe === undefined && typeof r.details?.path === 'string' && /\.exec\.command\[\d+\]$/.test(r.details.path)) {
      for (const p of probes) {
        const later = p.key.range![0] < r.start && r.start < contentEnd(p.value) ? laterExecBranch(p.value!, r.start, controlBlocks) : undefined;
        if (!later) continue;
        laterExecs.set(r, { later, probeStart: p.key.range![0] });
        return r;
      }
    }
    const toggle = toggles.find((t) => t.probeStart === r.start);
    if (toggle) return condFixed(collapseToggle(r, toggle, text, eol, run));
    // In every read (a chain's branch reads too), before a chain's placement and merge: a raise it
    // takes is then each branch's own, like any other (review23 R3).
    r = condFixed(r);
    const probe = probes.find((p) => p.key.range![0] === r.start);
    const exec = probe ? getPair(probe.value as YAMLMap, 'exec') : undefined;
    if (!exec || r.subject !== 'probe') return r;
    const chain = plain ? undefined : branchHandlers(probe!.value!, controlBlocks);
    const chainBlock = plain ? undefined : execChain(probe!, exec);
    const execBranch = chainBlock ? branchAt(chainBlock, exec.key.range![0]) : -1;
    if (chainBlock && execBranch !== -1) {
      // Another branch's timeoutSeconds line is in the walk's view of the probe, which reads the
      // first it finds: read this branch alone, as it renders (hunt19 B6).
      const others = (probe!.value!.items as Pair[]).some((p) => keyOf(p) === 'timeoutSeconds' && ![-1, execBranch].includes(branchAt(chainBlock, (p.key as Scalar).range![0])));
      const alone = others ? branchRead(r.start, chainBlock, execBranch) : undefined;
      if (alone) r = alone;
      if (r.fix) {
        const placed = placeTimeout(r.fix, probe!.value!, exec as Pair<Scalar, Node>, chainBlock, execBranch, text, actions);
        if (typeof placed === 'string') return blockedFrom(r, `its exec branch ${branchWords(chainBlock, execBranch, text)} would become ${targetOf(r)}, but ${placed}`);
        r = { ...r, fix: placed };
      }
    }
    const branched = r.fix ? chain : undefined;
    if (branched?.capabilities && !run.options.kubeVersionExplicit) {
      // As for the two-branch toggle (collapseToggle): the chart keeps exec for the clusters its condition tells apart.
      const { fix: _fix, ...rest } = r;
      return {
        ...rest,
        message: `${whereOf(r)} runs grpc_health_probe: its exec branch (${branched.exec.text}) of ${branched.open.text} is chosen by ${branched.capabilities.text}, which keeps exec for the clusters its condition tells apart; migrating it would break them, so pass --kube-version when every target cluster is 1.24 or later`,
        blockers: ['kube-version'],
        keepsBinary: true,
      };
    }
    if (branched) {
      // A timeoutSeconds raised or added outside the branch is the probe's: every branch gets it.
      const shared = r.fix!.some((e) => e.start < branched.exec.end || e.end > branched.branchEnd);
      const note = `the exec branch (${branched.exec.text}) of ${branched.open.text}; the other branches, with their own handlers, stay as they are${shared ? ', but the timeoutSeconds they share with it is raised for them too' : ''}`;
      r = { ...r, message: r.message.endsWith(')') ? `${r.message.slice(0, -1)}; ${note})` : `${r.message} (${note})` };
    }
    const tail = commandTail(text, region.masked, actions, controlBlocks, exec.value);
    if (tail) {
      const why = emptyTail(tail, text, actions, controlBlocks, chart, run);
      // Empty everywhere: the tail's lines go with exec, in the edit that ends at the command.
      const main = why === undefined ? r.fix?.find((e) => e.end === tail.start && e.start < tail.start) : undefined;
      // A line the rewrite adds right after the command (timeoutSeconds) follows the replacement, in place of the tail.
      const added = r.fix?.filter((e) => e !== main && e.start === e.end && /^\r?\n$/.test(text.slice(tail.start, e.start)) && /\n$/.test(e.text)) ?? [];
      const others = r.fix?.some((e) => e !== main && !added.includes(e) && e.end >= tail.start && e.start <= tail.end);
      const lineBreak = text.slice(tail.start, added[0]?.start ?? tail.start);
      const wider = main ? { ...main, end: tail.end, text: main.text + added.map((e) => lineBreak + e.text.replace(/\r?\n$/, '')).join('') } : undefined;
      const fix = wider && !others ? r.fix!.filter((e) => !added.includes(e)).map((e) => (e === main ? wider : e)) : undefined;
      if (fix && !refuseTemplateEdit(actions, text, wider!, r.start)) {
        const note = `${tail.words.replace(/,$/, '')} prints nothing: every values file leaves what it prints empty, so its lines go with exec`;
        return { ...r, fix, message: r.message.endsWith(')') ? `${r.message.slice(0, -1)}; ${note})` : `${r.message} (${note})` };
      }
      const detail = `${tail.words} prints more of the command after its last item${why ? ` (${why})` : ''}; the tool cannot tell what it adds (-tls, -service …), and a native probe cannot carry it`;
      if (r.blockers?.some((b) => b !== 'unparseable')) return { ...r, message: `${r.message} (${detail})` };
      return { ...blockedFrom(r, detail), hint: COMMAND_TAIL_HINT };
    }
    const conditions = actionsIn(actions, (exec.key as Scalar).range![0], contentEnd(exec.value)).filter((a) => a.kind === 'open' || a.kind === 'else');
    if (conditions.length === 0) return r;
    const which = conditions.map((a) => a.text).join(', ');
    if (r.blockers?.some((b) => b !== 'unparseable')) return { ...r, message: `${r.message} (part of the command is under ${which})` };
    return blockedFrom(r, `part of the command is under ${which}; a native probe cannot follow the template's branches`);
  });
  // A chain of exec branches whose first migrates: each exec is read alone (branchRead), as it
  // renders. The exec branches migrate in order up to the first that stays (a later run would read
  // that one as the chain's first exec, blocked, and stop there): this run rewrites all of them at
  // once, so a second run changes nothing (hunt19 B8). A plain `{{ if }} exec {{ else }} exec {{
  // end }}` whose two branches both migrate to the same grpc handler collapses to it
  // (collapseExecChain); to different ones, each is rewritten in place, as in a longer chain.
  // The note condTimeoutFix writes on a raise to n of the probe's conditional timeoutSeconds (hunt22 E7).
  const condRaiseTo = (r: Report, n: number): string | undefined => {
    const v = condTimeouts.get(r.start)?.pairs[0]?.value;
    if (!isScalar(v) || !v.range) return undefined;
    const m = /^ \((.*)\)$/s.exec(condFixed({ ...r, message: '', fix: [{ start: v.range[0], end: contentEnd(v), text: String(n) }] }).message);
    return m?.[1];
  };
  const taken = new Set<Report>();
  const staysWhy = new Map<Report, { report: Report; held?: { at: Action; rewritten: Action[] } }>();
  for (const probeStart of plain ? [] : new Set([...laterExecs.values()].map((x) => x.probeStart))) {
    const laters = [...laterExecs].filter(([, x]) => x.probeStart === probeStart).sort(([a], [b]) => a.start - b.start);
    const [lastRaw, at] = laters[laters.length - 1]!;
    const j = reports.findIndex((x) => x.subject === 'probe' && x.start === probeStart && !laterExecs.has(x));
    const first = j === -1 ? undefined : mapped[j];
    if (!first?.fix || (first.blockers?.length ?? 0) > 0) continue;
    const probe = probes.find((p) => p.key.range![0] === probeStart)!;
    const block = controlBlocks.find((b) => b.open === at.later.open);
    if (!block) continue;
    const execs = [at.later.firstExec, ...laters.map(([, x]) => x.later.exec)];
    const ks = execs.map((e) => branchAt(block, e.key.range![0]));
    if (ks.includes(-1)) continue;
    const reads = ks.map((k) => branchRead(probeStart, block, k));
    const shape = laters.length === 1 ? toggleShape(probe, at.later.firstExec, at.later.exec, actions) : undefined;
    if (shape?.grpcFirst) {
      const second = reads[1];
      if (!second) continue;
      if (!second.fix || (second.blockers?.length ?? 0) > 0) {
        staysWhy.set(lastRaw, { report: second });
        continue;
      }
      const both = collapseExecChain(first, reports[j]!, second, probe, at.later, actions, text, eol, run, { block: condTimeouts.get(probeStart)?.block, note: (n) => condRaiseTo(first, n) });
      if (both === undefined) continue;
      if (both !== 'different') {
        mapped[j] = both;
        taken.add(lastRaw);
        continue;
      }
      // The two become different grpc handlers (port, service, mode): not one, but each its own in
      // its branch, in place, as in a longer chain (review23 R1).
    }
    const migrates = (x: Report | undefined) => x?.fix !== undefined && (x.blockers?.length ?? 0) === 0;
    let m = 0;
    while (m < reads.length && migrates(reads[m])) m++;
    const branches = chainBranches(block);
    // Where any branch renders a timeoutSeconds of its own, a line after the chain would render
    // beside it: every new line then goes into the branch that needs it.
    const anyHold = branches.some((x) => (probe.value!.items as Pair[]).some((p) => keyOf(p) === 'timeoutSeconds' && (p.key as Scalar).range![0] >= x.start && (p.key as Scalar).range![0] <= x.end) || actions.some((a) => a.kind === 'output' && (a.alone || a.opensBlock === true) && a.start >= x.start && a.start <= x.end));
    let placed = reads.slice(0, m).map((x, i) => placeTimeout(x!.fix!, probe.value!, execs[i]!, block, ks[i]!, text, actions, anyHold));
    const refused = placed.findIndex((x) => typeof x === 'string');
    if (refused !== -1) {
      // A branch whose timeoutSeconds has no safe place stays on exec, for that reason, said at its
      // own exec; the ones before it migrate, as up to any other branch that stays (review23 R2).
      reads[refused] = blockedFrom(reads[refused]!, `its exec branch ${branchWords(block, ks[refused]!, text)} would become ${targetOf(reads[refused]!)}, but ${placed[refused] as string}`);
      m = refused;
      placed = placed.slice(0, m);
    }
    if (m === 0) {
      // Read alone the first does not migrate after all: its own read says why, and the later ones stay for it.
      if (reads[0]) mapped[j] = reads[0];
      continue;
    }
    // A timeoutSeconds outside the chain is every branch's: the larger of what they need, once.
    const fix: Edit[] = [];
    for (const e of (placed as Edit[][]).flat()) {
      const same = fix.findIndex((x) => x.start === e.start && x.end === e.end && (e.start !== e.end || /timeoutSeconds/.test(e.text + x.text)));
      const n = (x: Edit) => Number(/(\d+)\s*$/.exec(x.text)?.[1] ?? NaN);
      if (same === -1) fix.push(e);
      else if (n(e) > n(fix[same]!)) fix[same] = e;
    }
    const rewritten = ks.slice(0, m).map((k) => branches[k]!.action);
    // A line outside the chain every branch renders: the message says so, with the value it takes,
    // and that the branches left as they are get it too (review23 R7).
    const shared = fix.some((e) => /timeoutSeconds/.test(e.text) && (e.start <= lineStartOf(text, block.open.start) || e.start >= block.end.end)) || (probe.value!.items as Pair[]).some((p) => keyOf(p) === 'timeoutSeconds' && branchAt(block, (p.key as Scalar).range![0]) === -1 && fix.some((e) => e.start === (p.value as Scalar | undefined)?.range?.[0]));
    const raisedToo = shared ? ', but the timeoutSeconds they share with the rewritten ones is raised for them too' : '';
    if (m > 1) {
      const needs = reads.slice(0, m).map((x) => (typeof x!.details?.timeoutSeconds === 'number' ? x!.details.timeoutSeconds : -Infinity));
      // A conditional timeoutSeconds outside the chain (condTimeoutFix) is said once, as the larger
      // need leaves it, not in each branch's notes with that branch's need (hunt22 E7).
      const condNote = (n: number) => (condTimeouts.get(probeStart)?.block && n > -Infinity ? condRaiseTo(first, n) : undefined);
      const noteOf = (x: Report, need: number) => {
        const own = condNote(need);
        return own ? walkNotes(x)?.replace(`; ${own}`, '').replace(own, '') || undefined : walkNotes(x);
      };
      const parts = reads.slice(0, m).map((x, i) => `${rewritten[i]!.text} → ${targetOf(x!)}${noteOf(x!, needs[i]!) ? ` (${noteOf(x!, needs[i]!)})` : ''}`);
      const sharedCond = shared ? condNote(Math.max(...needs)) : undefined;
      if (sharedCond) parts.push(`timeoutSeconds ${Math.max(...needs)}, the larger, which every branch renders: ${sharedCond}`);
      else if (shared) parts.push(`timeoutSeconds ${Math.max(...needs)}, the larger, on the probe's line outside ${block.open.text}, which every branch renders`);
      const covers: [number, number] = [Math.min(first.covers?.[0] ?? first.start, first.start), Math.max(first.covers?.[1] ?? first.end ?? first.start + 1, contentEnd(execs[m - 1]!.value))];
      mapped[j] = {
        ...first,
        covers,
        details: { ...first.details, ...(Math.max(...needs) > -Infinity ? { timeoutSeconds: Math.max(...needs) } : {}) },
        fix,
        message: `${whereOf(first)}: exec grpc_health_probe → grpc in ${m === execs.length ? 'each exec branch' : `the exec branches up to the one that stays (${m} of ${execs.length})`} of ${block.open.text}, in place, each with the timeoutSeconds it renders with: ${parts.join('; ')}${probe.value!.items.some((p) => HANDLER_KEYS.has(keyOf(p as Pair) ?? '') && keyOf(p as Pair) !== 'exec') ? `; the other branches, with their own handlers, stay as they are${raisedToo}` : ''}`,
      };
      for (const [raw] of laters.slice(0, m - 1)) taken.add(raw);
    } else if (JSON.stringify(fix) !== JSON.stringify(first.fix)) {
      mapped[j] = { ...first, fix, message: `${reads[0]!.message} (the exec branch (${rewritten[0]!.text}) of ${block.open.text}, read as it renders; the other branches stay as they are${raisedToo})` };
    }
    // The first exec branch that stays: its own blockers; the ones after it stay for it.
    laters.slice(m - 1).forEach(([raw], i) => {
      const own = reads[m + i];
      if (i === 0) staysWhy.set(raw, { report: own ?? first, held: m > 1 ? { at: branches[ks[m]!]!.action, rewritten } : undefined });
      else staysWhy.set(raw, { report: reads[m]!, held: { at: branches[ks[m]!]!.action, rewritten } });
    });
  }
  const sayLater = (r: Report | undefined, i: number): Report | undefined => {
    const at = laterExecs.get(reports[i]!);
    if (!at) return r;
    if (taken.has(reports[i]!)) return undefined;
    const sibling = mapped.find((x, j) => x !== undefined && reports[j]!.subject === 'probe' && reports[j]!.start === at.probeStart && !laterExecs.has(reports[j]!));
    return laterExecReport(reports[i]!, at.later, sibling, (o) => text.slice(0, o).split('\n').length, scalarValue, run, staysWhy.get(reports[i]!));
  };
  return keepForCompositionPatches(mapped.map(sayLater).filter((r): r is Report => r !== undefined), walkDocs, {
    indexUncertain: (seq, index, from) => indexMayShift(actions, seq, index, from),
    source: (node) => unmaskValue(String(node.value ?? ''), actionsIn(actions, node.range![0], node.range![1])),
    printsYaml: (from, to) => actions.find((a) => a.start >= from && a.start < to && a.kind === 'output' && (a.alone || a.opensBlock === true))?.text,
  });
}

const COMMAND_TAIL_HINT =
  'Migrate by hand once you know what every environment appends: if the extra arguments hold no -tls/-tls-ca-cert/-service or other flag a native probe cannot express, replace exec with grpc: {port: N} (and service: where -service is given) and delete the template lines that append them; otherwise keep exec.';

/**
 * A template action alone on its line after a block-style exec command's last item, printing more
 * items into the list: `{{- with .Values.probe.extraArgs }}` / `{{- toYaml . | nindent 12 }}` /
 * `{{- end }}`, `{{- include "x.probeArgs" . | nindent 12 }}`. The masking makes such lines
 * comments, so the YAML view ends the command before them; Helm prints them into it. An output
 * action counts when it prints at the items' column or deeper: its nindent/indent, else the
 * line's indentation; or, with neither, when `{{-` glues its output to the item above. Read up to
 * the next line with YAML text (the next key of the probe). Returns the action (and the blocks
 * around it that open after the command), as words for a message, or undefined.
 */
interface CommandTail {
  /** The printing action and the blocks around it, as words for a message. */
  words: string;
  /** The command's end, and the end of the last line of the blocks around the printing action (or of its own line). */
  start: number;
  end: number;
}

function commandTail(text: string, masked: string, actions: readonly Action[], controlBlocks: readonly Block[], execValue: unknown): CommandTail | undefined {
  if (!isMap(execValue)) return undefined;
  const seq = getPair(execValue, 'command')?.value;
  if (!isSeq(seq) || seq.flow || seq.items.length === 0 || !seq.range) return undefined;
  const column = seq.range[0] - lineStartOf(text, seq.range[0]);
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  const lineEndOf = (o: number) => {
    const nl = text.indexOf('\n', o);
    return nl === -1 ? text.length : text[nl - 1] === '\r' ? nl - 1 : nl;
  };
  let lineEnd = masked.indexOf('\n', contentEnd(seq));
  while (lineEnd !== -1) {
    const start = lineEnd + 1;
    let next = masked.indexOf('\n', start);
    if (next === -1) next = masked.length;
    // Past the command: the next line that holds YAML (a key) rather than blanks, comments and masked actions.
    if (!/^[ \t]*(#.*)?\r?$/.test(masked.slice(start, next))) return undefined;
    for (const a of actions) {
      if (a.start < start || a.start >= next || !a.alone || a.kind !== 'output') continue;
      const indent = /\b(n?indent)\s+(\d+)\b/.exec(a.text);
      // nindent N prints at column N; `{{-` without it glues the output to the text before it (the
      // last item's line); else the output starts where the action is.
      const glued = /^\{\{-/.test(a.text) && indent?.[1] !== 'nindent';
      const at = glued ? Infinity : indent?.[1] === 'nindent' ? Number(indent[2]) : a.start - start + (indent ? Number(indent[2]) : 0);
      if (at < column) continue;
      const around = controlBlocks
        .filter((b) => b.open.start > seq.range![0] && b.open.end <= a.start && a.start < b.end.start)
        .sort((x, y) => x.open.start - y.open.start);
      return {
        words: `the template action ${a.text} (line ${lineOf(a.start)})${around.length > 0 ? `, under ${around.map((b) => b.open.text).join(', ')},` : ''}`,
        start: contentEnd(seq),
        end: lineEndOf(around[0]?.end.end ?? a.end),
      };
    }
    lineEnd = next === masked.length ? -1 : next;
  }
  return undefined;
}

/**
 * A command tail (commandTail) that prints nothing in any install: its lines hold only actions, and
 * each that prints is `toYaml X` (`X | toYaml`, with nindent) of a values path that every values
 * file the tool reads leaves empty (null, false, "", [] or {}), with nothing else (a release,
 * `--set`, a release layer the tool cannot read: `-f ../outside.yaml`, `-f URL`, `-f "values-$ENV.yaml"`,
 * `--reuse-values`) that may set it, as the env-splice reader (spliceMaySet) asks. Then the exec probe is
 * what the YAML view shows, and the tail's lines go with it. Why not (a values file that sets it,
 * a print the tool does not read), or undefined when they may go.
 */
function emptyTail(tail: CommandTail, text: string, actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext): string | undefined {
  const inside = actions.filter((a) => a.start >= tail.start && a.end <= tail.end);
  // Every line of the span holds actions and whitespace only (no YAML comment the edit would drop).
  let cleared = text.slice(tail.start, tail.end);
  for (const a of [...inside].reverse()) cleared = cleared.slice(0, a.start - tail.start) + cleared.slice(a.end - tail.start);
  if (!/^\s*$/.test(cleared)) return 'its lines hold more than template actions';
  for (const a of inside.filter((x) => x.kind === 'output')) {
    const body = actionBody(a).trim();
    const m = /^toYaml\s+(\S+)\s*(?:\|\s*nindent\s+\d+)?$/.exec(body) ?? /^(\S+)\s*\|\s*toYaml\s*(?:\|\s*nindent\s+\d+)?$/.exec(body);
    const valuesPath = m ? spliceRootPath(m[1]!, a.start, controlBlocks) : undefined;
    if (valuesPath === undefined) return 'what it prints is not read from the values';
    // A values layer of a release the tool cannot read (`-f ../outside.yaml`, `-f "values-$ENV.yaml"`, a URL, --reuse-values) may set it.
    const unread = unreadValuesLayer(chart, valuesPath, run);
    if (unread !== undefined) return `${unread}: it may set ${valuesPath}`;
    const nodes = valuesNodesOf(chart, valuesPath, run);
    if (nodes === undefined) return `something the tool does not read (a release, a parent chart, --set) may set ${valuesPath}`;
    const setting = nodes.find(({ node }) => !(node === null || (isScalar(node) && (node.value === null || node.value === false || node.value === '')) || ((isSeq(node) || isMap(node)) && node.items.length === 0)));
    if (setting) return `${path.isAbsolute(setting.file) && chart ? path.relative(chart.root, setting.file).split(path.sep).join('/') : setting.file} sets ${valuesPath}`;
  }
  return undefined;
}

/** A values path an action names, where the dot is the chart's root or a with of a values path (`.Values.x`, `$.Values.x`, `.`). */
function spliceRootPath(written: string, at: number, controlBlocks: readonly Block[]): string | undefined {
  const m = /^(\$?)\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)$/.exec(written);
  if (m) return m[1] === '$' || dotScope(controlBlocks, at) === '' ? m[2] : undefined;
  const scope = dotScope(controlBlocks, at);
  if (written === '.' && typeof scope === 'string' && scope !== '') return scope;
  return undefined;
}

/**
 * Whether Helm may render a list's item at another index than the masked text shows: an action
 * between the list's key and the item, outside the items before it, adds or drops items there
 * (`{{- if }}`…`{{- end }}`, `{{- range }}`, an `{{ include }}` or `{{ toYaml }}` alone on its line).
 * Actions inside an earlier item (a value, a guarded env) leave the count as it is.
 */
function indexMayShift(actions: readonly Action[], seq: YAMLSeq, index: number, from: number): boolean {
  const item = seq.items[index] as Node | undefined;
  const itemStart = item?.range?.[0];
  if (itemStart === undefined) return true;
  const before = seq.items.slice(0, index) as Node[];
  return actions.some(
    (a) =>
      a.start >= from &&
      a.start < itemStart &&
      (a.kind === 'open' || a.kind === 'else' || a.kind === 'end' || (a.kind === 'output' && (a.alone || a.opensBlock === true))) &&
      !before.some((b) => b.range != null && a.start >= b.range[0] && a.start < contentEnd(b)),
  );
}

/** The define whose body holds `offset`: its name and body. */
function defineAround(actions: readonly Action[], offset: number): { name: string; start: number; end: number } | undefined {
  const block = blocks(actions).find((b) => b.open.keyword === 'define' && b.open.end <= offset && offset < b.end.start);
  const name = block ? /define\s+"([^"]+)"/.exec(block.open.text)?.[1] : undefined;
  return name !== undefined ? { name, start: block!.open.end, end: block!.end.start } : undefined;
}

/** Where the chart's templates include a define (`include "x"`, `template "x"`), with the keys each sits under. */
function includeSites(name: string, chart: Chart | undefined, run: RunContext): { file: string; line: number; keys: string[] }[] {
  if (!chart) return [];
  const call = new RegExp(`\\b(?:include|template)\\s+"${escapeRegExp(name)}"`);
  const out: { file: string; line: number; keys: string[] }[] = [];
  for (const { file, text } of templatesOf(chart, run)) {
    for (const a of findActions(text).actions) {
      if (a.kind !== 'output' || !call.test(a.text)) continue;
      out.push({ file, line: text.slice(0, a.start).split('\n').length, keys: keysAbove(text, a.start) });
    }
  }
  return out;
}

/**
 * A define whose body is a command list that runs the binary: the probes that include it under
 * `exec: command:` are probes the tool cannot see whole, so it names them and what to write there.
 */
function commandListReport(
  r: Report,
  define: string,
  branches: readonly Action[],
  doc: Document.Parsed<ParsedNode, true> | undefined,
  scalarValue: (s: Scalar) => string,
  chart: Chart | undefined,
  run: RunContext,
): Report {
  const underCommand = r.details!.path !== undefined && String(r.details!.path).startsWith('command');
  const sites = includeSites(define, chart, run).map((site) => ({ ...site, keys: underCommand ? [...site.keys, 'command'] : site.keys }));
  const probeOf = (keys: string[]) => (keys.length >= 3 && keys[keys.length - 1] === 'command' && keys[keys.length - 2] === 'exec' && PROBE_KEYS.has(keys[keys.length - 3]!) ? keys[keys.length - 3] : undefined);
  const probes = sites.filter((site) => probeOf(site.keys));
  const others = sites.filter((site) => !probeOf(site.keys));
  const list = (xs: typeof sites) => xs.map((x) => `${x.file}:${x.line}`).join(', ');
  // Items under `{{ if }}`/`{{ range }}` are not one command: the YAML view holds every branch's.
  const plan = branches.length === 0 ? bodyPlan(doc, scalarValue, run) : undefined;
  const target = handTarget(plan);
  const branchy = branches.length > 0 ? `; part of it is under ${branches.map((a) => a.text).join(', ')}, so what it runs depends on the values` : '';
  const still = plan && plan.blockers.length > 0 ? `; as a native probe it would still be blocked: ${plan.blockers.map((b) => b.detail).join('; ')}` : branchy;
  const codes = [...new Set(['unparseable' as const, ...(plan?.blockers.map((b) => b.code) ?? [])])];
  const body = `the define "${define}" is a command list that runs grpc_health_probe (at ${String(r.details!.path)})`;
  const elsewhere = others.length > 0 ? `; it is also included at ${list(others)}, which the tool does not read as a probe` : '';
  if (probes.length > 0) {
    return {
      ...r,
      subject: 'probe',
      blockers: codes,
      message: `${body}; it is included as the exec command of ${probes.map((x) => `${probeOf(x.keys)} (${x.file}:${x.line})`).join(', ')}: probes the tool cannot see whole${elsewhere}${still}`,
      hint: still && !branchy
        ? `Even by hand these probes cannot become native as they are (see the blockers): keep exec, or change the server first (e.g. a plaintext health port), then replace each exec: that includes "${define}" with grpc: {port: N}.`
        : `Migrate by hand: replace each exec: that includes "${define}" (${list(probes)}) with ${target}${branchy ? ' where every branch of the define checks plaintext gRPC on this pod\'s port' : ''}, checking timeoutSeconds there; then remove the define "${define}" once nothing includes it.`,
    };
  }
  return {
    ...r,
    blockers: codes,
    message: `${body}; ${sites.length > 0 ? `it is included at ${list(sites)}, not as a probe's exec command the tool can see` : 'no template of the chart includes it that the tool can see'}${still}`,
    hint: `Where "${define}" is included as a probe's exec: command:, replace that exec: with ${target} by hand; where it is a container's command, it runs the binary and the install stays.`,
  };
}

/**
 * The grpc: a hint asks to write by hand for a body's plan: its port, service and mode (`mode: TLS`
 * with --grpc-tls-mode; without it the kubelet would probe a TLS server in plaintext). A service
 * that plain YAML would read as another type (`yes`, `on`, `123`) is quoted; one that holds a
 * template action is written as it is (escaping quotes inside the action would break it).
 */
function handTarget(plan: NativePlan | undefined): string {
  if (!plan || plan.blockers.length > 0 || !plan.grpc) return 'grpc: {port: N}';
  const { port, service, mode } = plan.grpc;
  const written = service && (service.includes('{{') ? service : quote(service, false));
  return `grpc: {port: ${port.kind === 'number' ? port.value : port.text}${written ? `, service: ${written}` : ''}${mode ? `, mode: ${mode}` : ''}}`;
}

/**
 * The native plan of a template body whose root is a probe handler (`exec: {command: […]}`), a
 * `command:` list, or the command list itself.
 */
function bodyPlan(doc: Document.Parsed<ParsedNode, true> | undefined, scalarValue: (s: Scalar) => string, run: RunContext): NativePlan | undefined {
  const root = doc?.contents;
  const exec = isMap(root) ? getPair(root, 'exec')?.value : undefined;
  const command = isSeq(root) ? root : isMap(exec) ? getPair(exec, 'command')?.value : isMap(root) ? getPair(root, 'command')?.value : undefined;
  if (!isSeq(command) || !command.items.every((n) => isScalar(n))) return undefined;
  return planNativeProbe({
    argv: (command.items as Scalar[]).map(scalarValue),
    ...targetClusters(run.options),
    timeoutSeconds: 'unknown',
    resolvePortExpression: portExpression,
    templateActions: true,
  });
}

/** A port printed from a values path that nothing sets (portFromValues, portFromVariable): the -addr as written, the path, the variable that holds it. */
interface UnsetPort {
  arg: string;
  valuesPath: string;
  variable?: string;
  /** The reference as the probe writes it where that is not `.Values.<valuesPath>` (`.port` in a define or a with, `$.Values.port` in a with or a range): what the hint's default goes on. */
  written?: string;
}

/**
 * `-addr=:{{ .Values.grpcPort }}` where no values file of the chart, release or command line of
 * the repository sets grpcPort: Helm prints nothing there, so the exec probe dials `:` and fails
 * today, and `port: {{ .Values.grpcPort }}` would render `port: ` (null), which the API server
 * refuses. Blocked (`unresolved-port`), as a host from such a value is (`host`), with the ways out.
 */
function unsetPortReport(r: Report, u: UnsetPort): Report {
  const { fix: _fix, ...rest } = r;
  const shown = `.Values.${u.valuesPath}`;
  const through = u.variable ? `${u.variable}, set from ${shown}` : shown;
  const detail = `${u.arg} takes its port from ${through}, which no values file of the chart sets (nor a release or a command line of the repository): Helm prints nothing there, so the exec probe dials an empty port and fails today, and grpc.port would render empty (null), which the API server refuses`;
  const name = u.valuesPath.split(', ')[0]!;
  const ref = u.written ?? `.Values.${name}`;
  const hint = `Give ${name} a port in the chart's values.yaml (or write {{ ${ref} | default 50051 }}, or {{ required "set ${name}" ${ref} }} when every release must set it), then run the tool again. If the port is set at install time from outside the repository, write grpc: {port: …} by hand with that action.`;
  const before = r.blockers ?? [];
  return {
    ...rest,
    message: before.length === 0 ? `${whereOf(r)} runs grpc_health_probe: ${detail}` : `${r.message}; ${detail}`,
    blockers: [...new Set([...before, 'unresolved-port' as const])],
    keepsBinary: true,
    ...(before.length === 0 ? { hint } : {}),
  };
}

function blockedFrom(r: Report, detail: string): Report {
  const { fix: _fix, ...rest } = r;
  return { ...rest, message: `${whereOf(r)} runs grpc_health_probe: ${detail}`, blockers: ['unparseable'], keepsBinary: true };
}

/** `readinessProbe of container "api"`, as the probe walk words it. */
function whereOf(r: Report): string {
  const d = r.details ?? {};
  return `${String(d.probe)}${d.container !== undefined ? ` of container "${String(d.container)}"` : ''}`;
}

function probePairs(docs: readonly Document.Parsed<ParsedNode, true>[]): Pair<Scalar, YAMLMap>[] {
  const out: Pair<Scalar, YAMLMap>[] = [];
  for (const doc of docs) {
    visit(doc, {
      Pair(_, pair) {
        const k = keyOf(pair as Pair);
        if (k && PROBE_KEYS.has(k) && isMap(pair.value)) out.push(pair as Pair<Scalar, YAMLMap>);
      },
    });
  }
  return out;
}

/** A probe whose handler is `{{ if X }} grpc … {{ else }} exec … {{ end }}` (either order). */
interface Toggle {
  probeStart: number;
  open: Action;
  else: Action;
  end: Action;
  grpcFirst: boolean;
  grpcStart: number;
  grpcEnd: number;
  grpc: { port?: string; service?: string };
  /** The grpc branch's service scalar: messages show it as the file writes it (`"yes"`). */
  serviceNode?: Scalar;
  timeoutValue?: Scalar;
}

function toggleOf(probe: Pair<Scalar, YAMLMap>, actions: readonly Action[], scalarValue: (s: Scalar) => string): Toggle | undefined {
  const map = probe.value!;
  const grpc = getPair(map, 'grpc');
  const exec = getPair(map, 'exec');
  if (!grpc || !exec || !isMap(grpc.value)) return undefined;
  const shape = toggleShape(probe, grpc as Pair<Scalar, Node>, exec as Pair<Scalar, Node>, actions);
  if (!shape) return undefined;
  const port = getPair(grpc.value, 'port')?.value;
  const service = getPair(grpc.value, 'service')?.value;
  const t: Toggle = { ...shape, grpc: {} };
  if (isScalar(port)) t.grpc.port = normalizeActions(scalarValue(port));
  if (isScalar(service)) {
    t.grpc.service = scalarValue(service);
    t.serviceNode = service;
  }
  return t;
}

/**
 * The `{{ if X }} … {{ else }} … {{ end }}` block (its actions each alone on their line) whose two
 * branches hold `grpc` and `exec`, one each (either order), with nothing else of the probe inside
 * it: a toggle (toggleOf), or, with `grpc` the chain's first exec that this run rewrites, the exec/exec
 * chain that one run collapses (collapseExecChain). All of a Toggle but the grpc branch's settings.
 */
function toggleShape(probe: Pair<Scalar, YAMLMap>, grpc: Pair<Scalar, Node>, exec: Pair<Scalar, Node>, actions: readonly Action[]): Omit<Toggle, 'grpc' | 'serviceNode'> | undefined {
  const map = probe.value!;
  const gStart = grpc.key.range![0];
  const gEnd = contentEnd(grpc.value);
  const eStart = exec.key.range![0];
  const eEnd = contentEnd(exec.value);
  for (const b of blocks(actions)) {
    if (b.open.keyword !== 'if' || b.elses.length !== 1 || actionBody(b.elses[0]!) !== 'else') continue;
    const [els] = b.elses as [Action];
    if (![b.open, els, b.end].every((a) => a.alone)) continue;
    const grpcFirst = gStart > b.open.end && gEnd <= els.start && eStart > els.end && eEnd <= b.end.start;
    const execFirst = eStart > b.open.end && eEnd <= els.start && gStart > els.end && gEnd <= b.end.start;
    if (!grpcFirst && !execFirst) continue;
    // Nothing else of the probe may live inside the toggle, or collapsing it would drop it.
    const others = map.items.filter((p) => p !== grpc && p !== exec);
    if (others.some((p) => isPair(p) && (p.key as Scalar).range![0] > b.open.start && (p.key as Scalar).range![0] < b.end.end)) return undefined;
    // Nor any other action: a print in a branch (`{{- with .Values.extraProbe }}{{- toYaml . |
    // nindent 12 }}{{- end }}`) is no pair of the masked probe, and would go with the branch (review21 R13).
    const inHandler = (a: Action) => (a.start >= gStart && a.end <= gEnd) || (a.start >= eStart && a.end <= eEnd);
    if (actions.some((a) => a.start > b.open.start && a.end < b.end.end && a !== els && !inHandler(a))) return undefined;
    const timeout = getPair(map, 'timeoutSeconds')?.value;
    return {
      probeStart: probe.key!.range![0],
      open: b.open,
      else: els,
      end: b.end,
      grpcFirst,
      grpcStart: gStart,
      grpcEnd: gEnd,
      ...(isScalar(timeout) ? { timeoutValue: timeout } : {}),
    };
  }
  return undefined;
}

/**
 * A probe whose handlers (exec and grpc, httpGet or tcpSocket) each sit in a branch of their own of
 * one `{{ if }} … {{ else if }} … {{ else }} … {{ end }}` chain (Istio's echo template): every render
 * has one handler, so another beside exec does not block, and the exec branch migrates in place
 * (the two-branch grpc/exec toggle is collapsed instead, toggleOf). The chain's if and the exec
 * branch's action, or undefined.
 */
function branchHandlers(probe: YAMLMap, controlBlocks: readonly Block[]): { open: Action; exec: Action; branchEnd: number; capabilities: Action | undefined } | undefined {
  const handlers = probe.items.filter((p) => HANDLER_KEYS.has(keyOf(p as Pair) ?? '') && !(isScalar(p.value) && p.value.value === null)) as Pair<Scalar, Node>[];
  if (handlers.length < 2) return undefined;
  for (const b of controlBlocks) {
    // `{{ with X }} … {{ else }} … {{ end }}` renders one branch as an if chain does (hunt18 HL1).
    if ((b.open.keyword !== 'if' && b.open.keyword !== 'with') || b.elses.length === 0) continue;
    const opens = [b.open, ...b.elses];
    const branchOf = (p: Pair<Scalar, Node>): number => {
      const start = p.key.range![0];
      const end = contentEnd(p.value);
      return opens.findIndex((o, i) => start >= o.end && end <= (opens[i + 1] ?? b.end).start);
    };
    const at = handlers.map(branchOf);
    if (at.some((i) => i === -1) || new Set(at).size !== at.length) continue;
    const exec = handlers.findIndex((p) => keyOf(p) === 'exec');
    if (exec === -1) return undefined;
    return { open: b.open, exec: opens[at[exec]!]!, branchEnd: (opens[at[exec]! + 1] ?? b.end).start, capabilities: opens.find((o) => /\.Capabilities\b/.test(o.text)) };
  }
  return undefined;
}

const HANDLER_KEYS = new Set(['exec', 'grpc', 'httpGet', 'tcpSocket']);

/** The branches of an if/with chain: each one's action, its body (between it and the next action), and that next action. */
function chainBranches(b: Block): { action: Action; start: number; end: number; next: Action }[] {
  const opens = [b.open, ...b.elses];
  return opens.map((o, i) => ({ action: o, start: o.end, end: (opens[i + 1] ?? b.end).start, next: opens[i + 1] ?? b.end }));
}

/** Branch `k` of chain `b` for a message: `under {{ else if … }} (line 14) of {{ if … }}` (the chain left out for its first branch). */
function branchWords(b: Block, k: number, text: string): string {
  const a = chainBranches(b)[k]!.action;
  return `under ${a.text} (line ${text.slice(0, a.start).split('\n').length})${a === b.open ? '' : ` of ${b.open.text}`}`;
}

/** The branch of chain `b` whose body holds offset `o`, or -1. */
function branchAt(b: Block, o: number): number {
  return chainBranches(b).findIndex((x) => o >= x.start && o <= x.end);
}

/**
 * Where the timeoutSeconds the rewrite of the exec in branch `k` of chain `b` writes goes, so that
 * it renders with that branch (hunt19 B1, B6). One inside the branch is the branch's own; one
 * outside the chain is shared by every branch; a new line the walk adds after the probe is
 * shared too, unless another branch renders a timeoutSeconds of its own (its line, or a print
 * such as `{{- toYaml .Values.probeExtra | nindent 10 }}` that may hold one): that render would
 * then get the key twice, so the line goes at the end of this branch, before the next action of
 * the chain (`inBranch`: always, where any branch of the chain renders its own). The edits, or
 * why no safe place was found (the caller blocks the rewrite).
 */
function placeTimeout(fix: readonly Edit[], probe: YAMLMap, exec: Pair<Scalar, Node>, b: Block, k: number, text: string, actions: readonly Action[], inBranch = false): Edit[] | string {
  const branches = chainBranches(b);
  const own = branches[k]!;
  const inOther = (o: number) => branches.some((x, i) => i !== k && o >= x.start && o <= x.end);
  const outside = (o: number) => o <= lineStartOf(text, b.open.start) || o >= b.end.end;
  const timeouts = probe.items.filter((p) => keyOf(p as Pair) === 'timeoutSeconds') as Pair<Scalar, Node>[];
  const othersHold = timeouts.some((p) => inOther(p.key.range![0])) || actions.some((a) => a.kind === 'output' && (a.alone || a.opensBlock === true) && inOther(a.start));
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  const out: Edit[] = [];
  // A line at the end of this branch, before the chain's next action.
  const inOwn = (line: RegExpExecArray, e: Edit): Edit | string => {
    const column = exec.key.range![0] - lineStartOf(text, exec.key.range![0]);
    if (!own.next.alone || line[1]!.length !== column || /\t/.test(line[1]!)) {
      return `another branch of ${b.open.text} renders a timeoutSeconds of its own, so the one this branch needs belongs in its branch, and the tool cannot place a line before ${own.next.text} (line ${lineOf(own.next.start)})`;
    }
    const at = lineStartOf(text, own.next.start);
    return { start: at, end: at, text: e.text };
  };
  for (const e of fix) {
    const onValue = timeouts.find((p) => p.value?.range && e.start === p.value.range[0]);
    if (onValue) {
      if (inOther(onValue.key.range![0])) return `the timeoutSeconds it would raise (line ${lineOf(onValue.key.range![0])}) is another branch's, which does not render with ${own.action.text}`;
      out.push(e);
      continue;
    }
    const line = e.start === e.end ? TIMEOUT_LINE.exec(e.text) : null;
    if (line && branchTail(b, e.start, text) !== -1) {
      // The walk's new last line of a probe whose last content is the chain: it lands at the tail of
      // whichever branch the read ends in. It belongs after the chain, where every branch renders it,
      // as it would before a key after the chain (review23 R6); or, where another branch renders a
      // timeoutSeconds of its own, at the end of this branch.
      const after = othersHold || inBranch ? undefined : lineAfter(b.end, text);
      const placed = after !== undefined ? { start: after, end: after, text: e.text } : inOwn(line, e);
      if (typeof placed === 'string') return placed;
      out.push(placed);
      continue;
    }
    if (line && inOther(e.start)) return `the timeoutSeconds line it needs would land in another branch of ${b.open.text}`;
    if (!line || !outside(e.start) || !(othersHold || inBranch)) {
      out.push(e);
      continue;
    }
    const placed = inOwn(line, e);
    if (typeof placed === 'string') return placed;
    out.push(placed);
  }
  return out;
}

/** A probe's timeoutSeconds lines that render only under a condition (conditionalTimeouts). */
interface CondTimeout {
  /** Every timeoutSeconds pair of the probe, each under a condition. */
  pairs: Pair<Scalar, Node>[];
  /** The if/with block they sit in, directly, when it is one (the tool can then complete it). */
  block?: Block;
  /** Why the tool cannot, otherwise. */
  why?: string;
}

/**
 * The probe's timeoutSeconds lines when every one of them renders only under a condition: inside
 * an `{{ if }}`/`{{ with }}` (or `range`) opened in the probe that holds no handler of it (a chain
 * of handlers is read branch by branch: branchRead). Where the condition does not hold, the probe
 * has no timeoutSeconds, so the API default, 1 (review23 R3). Not when the condition tests the
 * value it prints (`{{ if .Values.t }}` / `{{ with .Values.t }}` around `timeoutSeconds: {{
 * .Values.t }}` / `{{ . }}`): that renders exactly when set, and the values read (unsetNumber)
 * covers it. Nor when a timeoutSeconds renders without a condition too (then both would render
 * together: the chart's own duplicate, left as it is). Undefined when there are none.
 */
function conditionalTimeouts(probe: Pair<Scalar, YAMLMap>, controlBlocks: readonly Block[], text: string): CondTimeout | undefined {
  const items = probe.value!.items as Pair<Scalar, Node>[];
  const pairs = items.filter((p) => keyOf(p) === 'timeoutSeconds');
  if (pairs.length === 0) return undefined;
  const holdsHandler = (b: Block) => items.some((p) => HANDLER_KEYS.has(keyOf(p) ?? '') && p.key.range![0] > b.open.end && p.key.range![0] < b.end.start);
  const guards = pairs.map((p) => {
    const at = p.key.range![0];
    const around = controlBlocks.filter((b) => b.open.start > probe.key.range![0] && b.open.end <= at && at < b.end.start && !holdsHandler(b));
    if (around.length !== 1) return around;
    // `{{ if X }}` / `{{ with X }}` around a value that prints X (`{{ X }}`, or `{{ . }}` in the with): rendered exactly when set.
    const [b] = around as [Block];
    const cond = /^(?:if|with)\s+(.+)$/s.exec(actionBody(b.open).trim())?.[1]?.trim();
    const value = p.value && isScalar(p.value) && p.value.range ? text.slice(p.value.range[0], contentEnd(p.value)) : '';
    const printed = printedOperand(value.trim());
    const self = printed !== undefined && cond !== undefined && branchAt(b, at) === 0 && (printed === cond || (b.open.keyword === 'with' && printed === '.'));
    return self ? [] : around;
  });
  if (guards.every((g) => g.length === 0)) return undefined;
  if (guards.some((g) => g.length === 0)) return undefined;
  const outer = guards.flat();
  const block = guards[0]!.length === 1 ? guards[0]![0]! : undefined;
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  const where = pairs.map((p) => `line ${lineOf(p.key.range![0])}`).join(', ');
  if (!block || guards.some((g) => g.length !== 1 || g[0] !== block)) {
    return { pairs, why: `timeoutSeconds (${where}) renders only under ${[...new Set(outer)].sort((a, b) => a.open.start - b.open.start).map((b) => b.open.text).join(' and ')}, and the tool cannot give every render of the probe the raise: write it where every render gets it (or an {{ else }} with it), then run the tool again` };
  }
  if (block.open.keyword !== 'if' && block.open.keyword !== 'with') {
    return { pairs, block, why: `timeoutSeconds (${where}) renders under ${block.open.text}, once per item (or not at all): write it outside the range, then run the tool again` };
  }
  return { pairs, block };
}

/**
 * A migrating report on a probe whose timeoutSeconds renders only under a condition
 * (conditionalTimeouts), read as the API default 1: the walk's raise (an edit on one of those
 * lines, to N) becomes N in every branch of the condition's block: each line lower than N raised
 * (one printed from the values that is lower, or that the tool cannot read, blocks: it cannot be
 * raised here), a line at the end of each branch without one, and a new `{{ else }}` with one where
 * the block has no else. Where the flags need no raise the report is as the walk made it: every
 * render has at least the default.
 */
function condTimeoutFix(r: Report, c: CondTimeout, text: string, eol: string, actions: readonly Action[], read: (node: Scalar) => { value: number; source?: string; literal?: boolean } | undefined): Report {
  const starts = new Set(c.pairs.map((p) => p.value?.range?.[0]).filter((x): x is number => x !== undefined));
  const raise = r.fix!.find((e) => starts.has(e.start));
  if (!raise) return r;
  const n = Number(/(\d+)\s*$/.exec(raise.text)?.[1]);
  if (!Number.isFinite(n)) return r;
  if (c.why || !c.block) return blockedFrom(r, c.why ?? 'timeoutSeconds renders only under a condition');
  const b = c.block;
  const lineOf = (o: number) => text.slice(0, o).split('\n').length;
  const alone = (a: Action) => a.alone && /^[ \t]*$/.test(text.slice(lineStartOf(text, a.start), a.start));
  const first = c.pairs[0]!;
  const indent = text.slice(lineStartOf(text, first.key.range![0]), first.key.range![0]);
  const line = `${indent}timeoutSeconds: ${n}${eol}`;
  const fix = r.fix!.filter((e) => !starts.has(e.start));
  // Each line under the branch it renders in: one under an {{ else if }} renders under that, not the block's {{ if }} (hunt22 E9).
  const underBranch = chainBranches(b)
    .map((x) => ({ x, lines: c.pairs.filter((p) => p.key.range![0] >= x.start && p.key.range![0] <= x.end).map((p) => `line ${lineOf(p.key.range![0])}`) }))
    .filter((g) => g.lines.length > 0);
  const inserts: { at: number; text: string }[] = [];
  const notes: string[] = [];
  for (const x of chainBranches(b)) {
    const own = c.pairs.filter((p) => p.key.range![0] >= x.start && p.key.range![0] <= x.end);
    for (const p of own) {
      const v = isScalar(p.value) ? p.value : undefined;
      const got: { value: number; source?: string; literal?: boolean } | undefined = v && v.value !== null ? read(v) : { value: 1, literal: true };
      const at = `line ${lineOf(p.key.range![0])}`;
      if (!got) return blockedFrom(r, `timeoutSeconds on ${at} renders only under ${x.action.text}, and the tool cannot read its value (${v ? text.slice(v.range![0], contentEnd(v)) : ''}) to check it against the ${n} the flags need`);
      if (got.value >= n) continue;
      if (!got.literal || !v?.range) return blockedFrom(r, `timeoutSeconds on ${at}, under ${x.action.text}, is ${got.source !== undefined ? `${got.source}, ${got.value} at the lowest` : got.value}, lower than the ${n} the flags need, and the tool does not rewrite it there: raise it to at least ${n} first`);
      // An empty value sits right after the colon: `timeoutSeconds:5` would be one plain scalar.
      fix.push({ start: v.range[0], end: contentEnd(v), text: `${v.value === null && text[v.range[0] - 1] === ':' ? ' ' : ''}${n}` });
      notes.push(`${at} raised from ${got.value} to ${n}`);
    }
    if (own.length > 0) continue;
    // A print in the branch may hold a timeoutSeconds: a line beside it would be a second key.
    const print = actions.find((a) => a.kind === 'output' && (a.alone || a.opensBlock === true) && a.start >= x.start && a.start < x.end);
    if (print) return blockedFrom(r, `timeoutSeconds renders only under ${b.open.text}, and the branch under ${x.action.text} prints ${print.text} (line ${lineOf(print.start)}), which may hold a timeoutSeconds of its own: the tool cannot tell that branch's, nor add one beside it`);
    if (!alone(x.next)) return blockedFrom(r, `timeoutSeconds renders only under ${b.open.text}, so the branch under ${x.action.text} needs a line of its own, and the tool cannot place one before ${x.next.text} (line ${lineOf(x.next.start)})`);
    inserts.push({ at: lineStartOf(text, x.next.start), text: line });
    notes.push(`timeoutSeconds: ${n} added under ${x.action.text}`);
  }
  const branches = chainBranches(b);
  if (actionBody(branches[branches.length - 1]!.action).trim() !== 'else') {
    if (!alone(b.end)) return blockedFrom(r, `timeoutSeconds renders only under ${b.open.text}, and the tool cannot add the {{ else }} it needs before ${b.end.text} (line ${lineOf(b.end.start)})`);
    const at = lineStartOf(text, b.end.start);
    const els = /^\{\{-/.test(b.end.text) ? '{{- else }}' : '{{ else }}';
    inserts.push({ at, text: `${text.slice(at, b.end.start)}${els}${eol}${line}` });
    notes.push(`a new ${els} of ${underBranch.length > 1 ? b.open.text : 'it'} sets timeoutSeconds: ${n}`);
  }
  // The last branch's line and the new else go before the same {{ end }}: one edit, in that order.
  for (const at of new Set(inserts.map((x) => x.at))) fix.push({ start: at, end: at, text: inserts.filter((x) => x.at === at).map((x) => x.text).join('') });
  const where = underBranch.map((g, i) => `${i === 0 ? 'the timeoutSeconds on ' : 'the one on '}${g.lines.join(', ')} ${i === 0 ? 'renders ' : ''}only under ${g.x.action.text}`).join(', ');
  const note = `${where}, and where ${underBranch.length > 1 ? 'none of those holds' : 'that does not hold'} the probe has the API default, 1: ${notes.join('; ')}`;
  return { ...r, fix, message: r.message.endsWith(')') ? `${r.message.slice(0, -1)}; ${note})` : `${r.message} (${note})` };
}

/** A new `timeoutSeconds: N` line of a probe (the walk's edit text); its one group is the indentation. */
const TIMEOUT_LINE = /^([ \t]*)["']?timeoutSeconds["']?: \d+\r?\n$/;

/** The branch of chain `b` whose tail offset `o` is (only blanks between it and the branch's next action), or -1. */
function branchTail(b: Block, o: number, text: string): number {
  return chainBranches(b).findIndex((x) => o >= x.start && o <= x.end && /^[ \t\r\n]*$/.test(text.slice(o, x.next.start)));
}

/**
 * The start of the line after action `a`, where a new line renders as the lines around it do: `a`
 * ends its line (blanks after it), does not trim what follows (`-}}` would join the new line to
 * the output before it), and the text goes on past that line. Otherwise undefined.
 */
function lineAfter(a: Action, text: string): number | undefined {
  const nl = text.indexOf('\n', a.end);
  if (nl === -1 || !/^[ \t\r]*$/.test(text.slice(a.end, nl)) || /-\s*\}\}$/.test(a.text)) return undefined;
  return nl + 1;
}

/**
 * An exec handler of a probe after its first, in its own branch of the if chain that holds each of
 * the probe's handlers (branchHandlers): `{{- if .Values.tls }} exec: [..., -tls] {{- else }} exec:
 * [...] {{- end }}`. One handler per render, but the probe walk reads the probe's first exec only
 * (the YAML view holds both keys), and sees this one as a mention it cannot place. Its branch, and
 * the first exec's, or undefined when offset is in no such handler.
 */
function laterExecBranch(probe: YAMLMap, offset: number, controlBlocks: readonly Block[]): { exec: Pair<Scalar, Node>; branch: Action; first: Action; open: Action; firstExec: Pair<Scalar, Node>; execs: number } | undefined {
  const execs = probe.items.filter((p) => keyOf(p as Pair) === 'exec' && !(isScalar(p.value) && p.value.value === null)) as Pair<Scalar, Node>[];
  const exec = execs.slice(1).find((p) => p.key.range![0] <= offset && offset < contentEnd(p.value));
  if (!exec || !branchHandlers(probe, controlBlocks)) return undefined;
  const handlers = probe.items.filter((p) => HANDLER_KEYS.has(keyOf(p as Pair) ?? '') && !(isScalar(p.value) && p.value.value === null)) as Pair<Scalar, Node>[];
  for (const b of controlBlocks) {
    // `{{ with X }} … {{ else }} … {{ end }}` renders one branch as an if chain does (hunt18 HL1).
    if ((b.open.keyword !== 'if' && b.open.keyword !== 'with') || b.elses.length === 0) continue;
    const opens = [b.open, ...b.elses];
    const branchOf = (p: Pair<Scalar, Node>) => opens.findIndex((o, i) => p.key.range![0] >= o.end && contentEnd(p.value) <= (opens[i + 1] ?? b.end).start);
    const at = handlers.map(branchOf);
    if (at.some((i) => i === -1) || new Set(at).size !== at.length) continue;
    return { exec, branch: opens[branchOf(exec)]!, first: opens[branchOf(execs[0]!)]!, open: b.open, firstExec: execs[0]!, execs: execs.length };
  }
  return undefined;
}

/**
 * The report of a later exec branch (laterExecBranch) in place of the walk's "a form the tool
 * cannot read". The tool rewrites a chain's exec branches in order up to the first that stays; this
 * report is on one that stays: where the first stays (its blockers: `-tls`, a host …; or it runs
 * no binary the tool reads), none is rewritten and this one stays for it; else this one is the
 * first that stays (`staysAt.report`, its own read: its blockers, or no safe place for its
 * timeoutSeconds line), or a later one held by it (`staysAt.held`). Where it migrates too, the
 * first's rewrite takes it, collapsed or in place, and this report goes. What this branch would
 * become alone (or what would still block it), with the timeout its flags ask for where they ask
 * for more than the default, is in the message and the hint.
 */
function laterExecReport(r: Report, later: NonNullable<ReturnType<typeof laterExecBranch>>, sibling: Report | undefined, lineOf: (o: number) => number, scalarValue: (s: Scalar) => string, run: RunContext, staysAt?: { report: Report; held?: { at: Action; rewritten: Action[] } }): Report {
  const stays = staysAt?.report;
  const command = isMap(later.exec.value) ? getPair(later.exec.value, 'command')?.value : undefined;
  const plan = isSeq(command) && command.items.every((n) => isScalar(n))
    ? planNativeProbe({ argv: (command.items as Scalar[]).map(scalarValue), ...targetClusters(run.options), timeoutSeconds: 'unknown', resolvePortExpression: portExpression, templateActions: true })
    : undefined;
  const where = sibling ? whereOf(sibling) : String(r.details?.path ?? 'a probe');
  const firstAt = `${later.first.text} (line ${lineOf(later.first.start)})`;
  const branch = later.branch === later.open ? later.open.text : `the ${later.branch.text} branch of ${later.open.text}`;
  const siblingBlocked = !sibling?.fix && (sibling?.blockers?.length ?? 0) > 0;
  const detailOf = (x: Report) => {
    // `… runs grpc_health_probe: <detail>`, or `… and could become grpc {port: …} (…): <detail>`: cut after the words, not at a port action's `: `.
    const m = /^.*? runs grpc_health_probe(?: and could become grpc \{.*?\}(?: \(.*?\))?)?: /.exec(x.message.startsWith(whereOf(x)) ? x.message.slice(whereOf(x).length) : x.message);
    return m ? (x.message.startsWith(whereOf(x)) ? x.message.slice(whereOf(x).length) : x.message).slice(m[0].length) : x.message;
  };
  const siblingDetail = sibling ? detailOf(sibling) : '';
  // The timeout its flags ask for, said where they ask for more than the default 1 (review21 R12);
  // a branch without timeout flags needs none.
  const needs = plan?.timeoutNeeded !== undefined && plan.timeoutNeeded > 1 ? `, with timeoutSeconds at least ${plan.timeoutNeeded}` : '';
  const own = plan && plan.blockers.length > 0 ? `; this branch would still be blocked as a native probe: ${plan.blockers.map((b) => b.detail).join('; ')}` : `; alone, this branch would become ${handTarget(plan)}${needs}`;
  // Read alone (as the next run would read it), this branch does not migrate with the first: why.
  const staysDetail = stays ? detailOf(stays) : undefined;
  // Held by an earlier exec branch that stays (hunt19 B5): what this one would become alone is said too.
  const held = staysAt?.held;
  const heldToo = held !== undefined && held.at !== later.branch;
  const at = (a: Action) => `${a.text} (line ${lineOf(a.start)})`;
  // The exec branches migrate in order up to the first that stays (the chain loop in
  // templateReports): where the first stays, none is rewritten (hunt20 H1).
  const order = "the tool rewrites a chain's exec branches in order up to the first that stays";
  const why = siblingBlocked
    ? `the chain's first exec branch, under ${firstAt}, keeps exec (${siblingDetail}), so the binary stays; ${order}, here the first, so it rewrites none of them, and this one stays too`
    : !sibling
      ? `the chain's first exec branch, under ${firstAt}, runs no grpc_health_probe the tool reads, and stays as it is; ${order}, here the first, so it rewrites none of them, and this one stays too`
      : heldToo
        ? `the exec branch under ${at(held!.at)} stays on exec (${staysDetail}), and ${order}: it rewrites the one${held!.rewritten.length > 1 ? 's' : ''} under ${held!.rewritten.map(at).join(', ')}, and this one stays too`
        : held
          ? `the tool rewrites the chain's exec branches before this one, under ${held.rewritten.map(at).join(', ')}, and this one stays on exec: ${staysDetail}`
          : staysDetail !== undefined
            ? `the tool rewrites the chain's first exec branch, under ${firstAt}, and this one stays on exec: ${staysDetail}`
            : `this run rewrites only the chain's first exec branch, under ${firstAt}, and a later run reads this one as the chain's first; run it again for this one`;
  // Who keeps exec while this branch is migrated by hand.
  const keeper = siblingBlocked
    ? `the first exec branch, under ${firstAt}, keeps exec and the binary`
    : !sibling
      ? `the first exec branch, under ${firstAt}, stays as it is`
      : heldToo
        ? `the exec branch under ${at(held!.at)} keeps exec and the binary`
        : undefined;
  const byHand = `this branch can be migrated by hand to ${handTarget(plan)}${needs ? ` (${needs.slice(2)})` : ''}`;
  const codes = [...new Set([...(siblingBlocked ? sibling!.blockers! : []), ...(stays?.blockers ?? []), ...(plan?.blockers.map((b) => b.code) ?? [])])];
  const { fix: _fix, ...rest } = r;
  return {
    ...rest,
    subject: 'probe',
    blockers: codes.length > 0 ? codes : ['unparseable'],
    keepsBinary: true,
    // Read alone, its own blockers or targets are in staysDetail already.
    message: `${where} runs grpc_health_probe in ${branch} too, its own exec handler (one handler per render): ${why}${staysDetail !== undefined && !heldToo ? '' : own}`,
    hint: plan && plan.blockers.length > 0
      ? 'Each render of the chain has one handler: keep exec in this branch, or change the server first (see the blockers), then migrate it by hand.'
      : siblingBlocked || !sibling || stays
        ? (heldToo ? undefined : stays?.hint) ?? (keeper
          ? `Each render of the chain has one handler: ${byHand}, while ${keeper}.`
          : `Each render of the chain has one handler: once what the message names is settled, ${byHand}; the tool rewrites the exec branches before it.`)
        : 'Run the tool again once this run has rewritten the first exec branch: it then reads this one as the chain\'s first exec branch.',
  };
}

/** Collapses a toggle to its grpc branch when both branches probe the same thing. */
function collapseToggle(r: Report, t: Toggle, text: string, eol: string, run: RunContext): Report {
  const where = whereOf(r);
  const cond = actionBody(t.open).replace(/^if\s+/, '');
  if (!r.fix) return { ...r, message: `${r.message} (exec branch of the {{ if ${cond} }} toggle; its grpc branch stays as it is)` };
  if (/\.Capabilities\b/.test(cond) && !run.options.kubeVersionExplicit) {
    // The chart keeps exec for the clusters its condition tells apart (`semverCompare ">=1.24-0"
    // .Capabilities.KubeVersion.GitVersion`): those it says it supports, like a kubeVersion range.
    const { fix: _fix, ...rest } = r;
    return {
      ...rest,
      message: `${where} runs grpc_health_probe: the {{ if ${cond} }} toggle keeps exec for the clusters its condition tells apart, which the chart supports; collapsing it to grpc would break them, so pass --kube-version when every target cluster is 1.24 or later`,
      blockers: ['kube-version'],
      keepsBinary: true,
    };
  }
  const execPort = String(r.details?.port ?? '');
  const execService = r.details?.service === undefined ? undefined : String(r.details.service);
  const grpcPort = t.grpc.port ?? '';
  const grpcService = t.grpc.service === '' ? undefined : t.grpc.service;
  if (normalizeActions(execPort) !== grpcPort || execService !== grpcService) {
    return blockedFrom(
      r,
      `the {{ if ${cond} }} toggle's grpc branch (port ${grpcPort || '?'}${grpcService ? `, service ${grpcService}` : ''}) and exec branch (port ${execPort}${execService ? `, service ${execService}` : ''}) disagree; choose by hand`,
    );
  }
  const lineStart = (o: number) => lineStartOf(text, o);
  const nextLine = (o: number) => {
    const nl = text.indexOf('\n', o);
    return nl === -1 ? text.length : nl + 1;
  };
  const fix: Edit[] = [];
  const to = r.details?.timeoutSeconds;
  let endLineText = '';
  if (typeof to === 'number') {
    if (t.timeoutValue) fix.push({ start: t.timeoutValue.range![0], end: t.timeoutValue.range![1], text: String(to) });
    else endLineText = `${' '.repeat(columnOf(text, t.grpcStart))}timeoutSeconds: ${to}${eol}`;
  }
  if (t.grpcFirst) {
    fix.push({ start: lineStart(t.open.start), end: nextLine(t.open.end), text: '' });
    fix.push({ start: lineStart(t.else.start), end: nextLine(t.end.end), text: endLineText });
  } else {
    fix.push({ start: lineStart(t.open.start), end: nextLine(t.else.end), text: '' });
    fix.push({ start: lineStart(t.end.start), end: nextLine(t.end.end), text: endLineText });
  }
  const notes = walkNotes(r);
  return {
    ...r,
    // The grpc branch stays as the chart writes it: its service as written there (`service: "yes"`).
    message: `${where}: the {{ if ${cond} }} toggle collapses to its grpc branch {port: ${grpcPort}${grpcService ? `, service: ${t.serviceNode?.range ? text.slice(t.serviceNode.range[0], contentEnd(t.serviceNode)) : grpcService}` : ''}} (its exec branch ran grpc_health_probe)${notes ? ` (${notes})` : ''}`,
    fix,
  };
}

/** A migrating report's target as the walk words it: `grpc {port: …}`. */
function targetOf(r: Report): string {
  const d = r.details ?? {};
  return r.target ?? `grpc {port: ${String(d.port)}${d.service !== undefined ? `, service: ${String(d.service)}` : ''}${d.mode !== undefined ? `, mode: ${String(d.mode)}` : ''}}`;
}

/**
 * The walk's notes on a migrating report, which follow its target, `→ grpc {port: …} (notes)`: a
 * note may hold parentheses itself (`timeoutSeconds (templated)`), and a port action may too.
 */
function walkNotes(r: Report): string | undefined {
  const target = `→ ${targetOf(r)}`;
  const after = r.message.indexOf(target) === -1 ? '' : r.message.slice(r.message.indexOf(target) + target.length);
  return after.startsWith(' (') && after.endsWith(')') ? after.slice(2, -1) : undefined;
}

/**
 * A chain of two exec branches (laterExecBranch) that both migrate: `first`, the walk's report on
 * the first (`firstRaw` before this file's notes), and `second`, the later one's read alone, as the
 * next run would read it. One run does what the two would: as a `{{ if }} … {{ else }} … {{ end }}`
 * (toggleShape) the next run would collapse the grpc/exec toggle this run leaves, so the first's
 * rewrite and that collapse (collapseToggle) go together; in a longer chain (another handler's
 * branch beside them) each exec is rewritten in place. timeoutSeconds ends as the two runs leave it:
 * the larger of what each branch needs, where the first run writes it. The report that takes
 * both; `'different'` when the two become different grpc handlers (port, service, mode), which
 * are then each rewritten in place in their branch (the caller's in-place path, review23 R1); or
 * undefined when the edits are not as expected (then the run does what it did before: the
 * first only).
 */
function collapseExecChain(first: Report, firstRaw: Report, second: Report, probe: Pair<Scalar, YAMLMap>, later: NonNullable<ReturnType<typeof laterExecBranch>>, actions: readonly Action[], text: string, eol: string, run: RunContext, cond?: { block?: Block; note: (n: number) => string | undefined }): Report | 'different' | undefined {
  const where = whereOf(first);
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const [tA, tB] = [num(first.details?.timeoutSeconds), num(second.details?.timeoutSeconds)];
  const timeoutNode = getPair(probe.value!, 'timeoutSeconds')?.value;
  const existing = isScalar(timeoutNode) && timeoutNode.range ? timeoutNode.range[0] : undefined;
  // The edit that writes timeoutSeconds `to`: on the value there is, or a new line of the probe.
  const timeoutEdit = (fix: readonly Edit[], to: number) =>
    fix.find((e) => (existing !== undefined ? e.start === existing : e.start === e.end && new RegExp(`^[ \\t]*["']?timeoutSeconds["']?: ${to}\\r?\\n$`).test(e.text)));
  const final = Math.max(tA ?? -Infinity, tB ?? -Infinity);
  let firstFix = first.fix!;
  // Both raise it: the larger goes where the first writes it (the next run would raise that line).
  let secondTimeout = tB;
  const condBlock = cond?.block;
  if (condBlock) {
    // A timeoutSeconds that renders only under a condition outside the chain: each branch's read
    // gives every branch of that block its own raise (condTimeoutFix); the two merge, the larger at
    // each place, as the two runs would leave it; the walk's raise of the line is not there to find (hunt22 E7).
    const inCond = (e: Edit) => e.start >= condBlock.open.end && e.end <= condBlock.end.start;
    const n = (e: Edit) => Number(/(\d+)\s*$/.exec(e.text)?.[1] ?? NaN);
    const merged = [...firstFix];
    for (const e of second.fix!.filter(inCond)) {
      const same = merged.findIndex((x) => x.start === e.start && x.end === e.end);
      if (same === -1) merged.push(e);
      else if (n(e) > n(merged[same]!)) merged[same] = e;
    }
    firstFix = merged;
    secondTimeout = undefined;
  } else if (tA !== undefined && tB !== undefined) {
    const eA = timeoutEdit(firstFix, tA);
    if (!eA) return undefined;
    if (tB > tA) firstFix = firstFix.map((e) => (e === eA ? { ...e, text: e.text.replace(new RegExp(`\\b${tA}(?=\\r?\\n?$)`), String(tB)) } : e));
    secondTimeout = undefined;
  }
  const { timeoutSeconds: _t, ...secondDetails } = second.details ?? {};
  const secondAlone: Report = { ...second, details: secondTimeout === undefined ? secondDetails : { ...secondDetails, timeoutSeconds: secondTimeout } };
  const firstBranch = later.first === later.open ? later.open.text : `${later.first.text}`;
  const notesA = walkNotes(firstRaw);
  // The later exec read alone has the chain's note (`the exec branch (…) of …; the other branches …`): the message says it once.
  let notesB = walkNotes(second)?.replace(/^the exec branch \(.*?\) of .*?; the other branches, with their own handlers, stay as they are(, but the timeoutSeconds they share with it is raised for them too)?(; |$)/, '') || undefined;
  // A conditional timeoutSeconds is said once, as the larger need leaves it, not with the later branch's own need (hunt22 E7).
  const condOwn = condBlock && tB !== undefined ? cond.note(tB) : undefined;
  if (condOwn) notesB = notesB?.replace(`; ${condOwn}`, '').replace(condOwn, '') || undefined;
  const condFinal = condBlock && Number.isFinite(final) ? cond.note(final) : undefined;
  const larger = tA !== undefined && tB !== undefined ? `timeoutSeconds ${final}, the larger${condFinal ? `: ${condFinal}` : ''}` : condFinal;
  const notes = [notesA && `${firstBranch}: ${notesA}`, notesB && `${later.branch.text}: ${notesB}`, larger].filter(Boolean).join('; ');
  const covers: [number, number] = [Math.min(first.covers?.[0] ?? first.start, first.start), Math.max(first.covers?.[1] ?? first.end ?? first.start + 1, contentEnd(later.exec.value))];
  const details = { ...first.details, ...(Number.isFinite(final) ? { timeoutSeconds: final } : {}) };
  const shape = toggleShape(probe, later.firstExec, later.exec, actions);
  if (shape?.grpcFirst) {
    const [dA, dB] = [first.details ?? {}, second.details ?? {}];
    if (dA.mode !== dB.mode) {
      return 'different';
    }
    const service = dA.service === undefined ? undefined : String(dA.service);
    const t: Toggle = { ...shape, grpc: { port: normalizeActions(String(dA.port ?? '')), ...(service !== undefined ? { service } : {}) } };
    const collapsed = collapseToggle(secondAlone, t, text, eol, run);
    if (!collapsed.fix) return 'different';
    const cond = actionBody(shape.open).replace(/^if\s+/, '');
    return {
      ...first,
      covers,
      details,
      fix: [...firstFix, ...collapsed.fix],
      message: `${where}: exec grpc_health_probe → ${targetOf(first)} in both branches of the {{ if ${cond} }} chain, so the chain collapses to that one grpc handler${notes ? ` (${notes})` : ''}`,
    };
  }
  // In place, each in its branch: a timeoutSeconds both raise is written once.
  const secondFix = tA !== undefined && tB !== undefined ? second.fix!.filter((e) => e !== timeoutEdit(second.fix!, tB)) : second.fix!;
  if (tA !== undefined && tB !== undefined && secondFix.length === second.fix!.length) return undefined;
  return {
    ...first,
    covers,
    details,
    fix: [...firstFix, ...secondFix],
    message: `${where}: exec grpc_health_probe → grpc in each exec branch of ${later.open.text}, in place: ${firstBranch} → ${targetOf(first)}, ${later.execs > 2 ? 'the later exec branches' : later.branch.text} → ${targetOf(second)}${probe.value!.items.some((p) => HANDLER_KEYS.has(keyOf(p as Pair) ?? '') && keyOf(p as Pair) !== 'exec') ? '; the other branches, with their own handlers, stay as they are' : ''}${notes ? ` (${notes})` : ''}`,
  };
}

function columnOf(text: string, offset: number): number {
  return offset - (lineStartOf(text, offset));
}

/** `{{- .Values.port -}}` and `{{ .Values.port }}` print the same thing in a value position. */
function normalizeActions(s: string): string {
  // Each `{{` to the first `}}` after it, found with indexOf: the regex this was
  // (`\{\{-?\s*([\s\S]*?)\s*-?\}\}`) backtracked in cubic time on a long run of blanks.
  let out = '';
  let pos = 0;
  for (let open = s.indexOf('{{'); open !== -1; open = s.indexOf('{{', pos)) {
    const close = s.indexOf('}}', open + 2);
    if (close === -1) break;
    out += `${s.slice(pos, open)}{{ ${splitAction(s.slice(open, close + 2))!.body} }}`;
    pos = close + 2;
  }
  return out + s.slice(pos);
}

/**
 * A port that is exactly one action carries over as that action, as the chart writes it
 * (`{{.Values.port}}` stays so), less its trim markers: after `port: ` a `{{-` would eat the
 * space, and `port:5000` is not a key. Go reads `{{-` and `-}}` as trim markers only beside a
 * space (`{{-3}}` prints -3).
 */
function portExpression(portText: string): string | undefined {
  if (!/^\{\{[^{}]*\}\}$/.test(portText)) return undefined;
  return portText.replace(/^\{\{-(?=\s)/, '{{').replace(/(?<=\s)-\}\}$/, '}}');
}

/**
 * `-addr={{ .Values.addr }}` holds host and port in one value. When values.yaml gives it a
 * host:port default, the probe keeps following the value: the port becomes
 * `{{ regexFind "[0-9]+$" .Values.addr }}` and the host part is checked from the default, and
 * from every other values file of the chart that sets it (`values-prod.yaml`, `ci/*.yaml`): a
 * release installed with one that names another host would lose that check, so its host is the
 * one checked (and blocks, `host`).
 */
function addrFromValues(arg: string, chart: Chart | undefined, run: RunContext, scope: DotScope = ''): string {
  const ref = valuesRef(scope);
  // `-addr={{ .Values.host }}:5000`: the host part is checked from its values, like the whole value below.
  const hostOnly = new RegExp(String.raw`^(--?addr[= ])\{\{-?\s*${ref.pattern}\s*-?\}\}(:[^:]*)$`).exec(arg);
  if (hostOnly) {
    const hosts = settingsOf(chart, ref.valuesPath(hostOnly[2]!), run);
    if (hosts === undefined || hosts.some((h) => h.includes(':'))) return arg;
    return `${hostOnly[1]}${checkedHost(hosts)}${hostOnly[3]}`;
  }
  const m = new RegExp(String.raw`^(--?addr[= ])\{\{-?\s*${ref.pattern}\s*-?\}\}$`).exec(arg);
  if (!m) return arg;
  const values = settingsOf(chart, ref.valuesPath(m[2]!), run);
  const hostPorts = values?.map((v) => /^(.*):(\d+)$/.exec(v));
  if (!hostPorts || hostPorts.some((hp) => !hp)) return arg;
  // The value as the chart refers to it where the probe is (`.addr` inside a with).
  const written = scope === '' ? `.Values.${m[2]}` : scope === null ? `$.Values.${m[2]}` : m[2]!;
  return `${m[1]}${checkedHost(hostPorts.map((hp) => hp![1]!))}:{{ regexFind "[0-9]+$" ${written} }}`;
}

/** `-addr=:$(GRPC_PORT)` (or `localhost:$(PORT)`): the port is a variable of the container's env, the host literal. */
const ENV_PORT_ITEM = /^(--?addr=[^{}$\s]*:)\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)$/;
/** The same as a word of a script: `-addr=:$GRPC_PORT`, `${GRPC_PORT}`, or `$(GRPC_PORT)`, which the kubelet expands first. */
// Found from the colon before the `$` back to the flag (a lookbehind that captures the word's head,
// replaceWords): matched from each flag instead, a run of `;-addr=x;-addr=x…` without a blank was
// read again from each of them (quadratic: 320,000 characters, 9 s).
const ENV_PORT_WORD = /:(?="?\$)(?<=(?:^|[\s;&|(])("?)(--?addr[= ][^{}$\s'"]*:))("?)(\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|\(([A-Za-z_][A-Za-z0-9_.-]*)\)|([A-Za-z_][A-Za-z0-9_]*)))("?"?)(?=$|[\s;&|)])/g;

/**
 * `value: {{ .Values.grpc.port | quote }}` (or `squote`, `{{ quote .Values.grpc.port }}`), the
 * action the whole plain scalar: Helm prints `value: "9090"`, whose quotes are the YAML string's,
 * so the value is the text `{{ .Values.grpc.port }}` prints (env values must be strings, which is
 * why charts quote them), as with `value: "{{ .Values.grpc.port }}"`. The action without the
 * quoting, or undefined. Inside a longer scalar (`-addr=:{{ … | quote }}`) the quotes are text.
 */
export function scalarQuotingAction(text: string): string | undefined {
  const parts = splitAction(text);
  if (!parts || parts.body.includes('{{') || parts.body.includes('}}')) return undefined;
  const { open, body, close } = parts;
  // `X | quote` ends the pipeline: the stage after the last `|` (outside strings and parentheses,
  // since nothing follows it there) quotes whatever X prints.
  const piped = quotedPipeline(body);
  if (piped !== undefined) return `${open}${piped}${close}`;
  // `quote X` with one operand: a values path, a variable, a number or string, a parenthesised pipeline.
  const called = /^s?quote\s+(\$?[A-Za-z0-9_.]*|\d+|"[^"\\]*"|\([^()]*\))$/.exec(body);
  return called ? `${open}${called[1]}${close}` : undefined;
}

/**
 * The env of each container, for its own scalars: the value node of each name (the last entry of
 * a name wins, as the kubelet's map), under each scalar offset inside the container; and the
 * offsets of all env value nodes. An env list the tool cannot read (an item that is not a map) is
 * left out: the probe walk makes every name unknown then.
 */
function containerEnvs(docs: readonly Document.Parsed<ParsedNode, true>[]): { items: Map<number, Map<string, Scalar>>; values: Set<number> } {
  const items = new Map<number, Map<string, Scalar>>();
  const values = new Set<number>();
  for (const doc of docs) {
    visit(doc, {
      Map(_, map) {
        const env = getPair(map, 'env')?.value;
        if (!isSeq(env)) return;
        const byName = new Map<string, Scalar>();
        let readable = true;
        for (const item of env.items) {
          if (!isMap(item)) {
            readable = false;
            continue;
          }
          const name = getPair(item, 'name')?.value;
          const value = getPair(item, 'value')?.value;
          if (isScalar(value) && value.range) values.add(value.range[0]);
          if (!isScalar(name)) continue;
          if (isScalar(value) && value.value !== null && value.range) byName.set(String(name.value), value);
          else byName.delete(String(name.value));
        }
        if (!readable) return;
        visit(map, {
          Scalar(_k, s) {
            if (s.range && !items.has(s.range[0])) items.set(s.range[0], byName);
          },
        });
      },
    });
  }
  return { items, values };
}

/** A list item that is a port after the host, one action (`:{{ .Values.grpc.port }}`, `localhost:{{ $port }}`). */
const PORT_ACTION_ITEM = /^[^{}\s]*:\{\{[^{}]*\}\}$/;

/** The start offsets of list items that follow an item `-addr` (`--addr`): the flag's value, written apart. */
function addrFlagItems(docs: readonly Document.Parsed<ParsedNode, true>[]): Set<number> {
  const out = new Set<number>();
  for (const doc of docs) {
    visit(doc, {
      Seq(_, seq) {
        seq.items.forEach((item, i) => {
          const prev = seq.items[i - 1];
          if (i > 0 && isScalar(item) && isScalar(prev) && /^--?addr$/.test(String(prev.value ?? '').trim()) && item.range) out.add(item.range[0]);
        });
      },
    });
  }
  return out;
}

/**
 * `sh -c "grpc_health_probe -addr=:{{ .Values.grpc.port }} …"` (or `-addr=localhost:{{ $port }}`):
 * each -addr word of a script whose port is one action is checked as an exec list's
 * `-addr=:{{ … }}` item is, so that a values file giving the port a name blocks here too.
 */
function portsInScript(arg: string, check: (addrArg: string) => string): string {
  if (!/\s/.test(arg)) return arg;
  return replaceWords(arg, ADDR_ACTION_WORD, 1, (word) => check(word));
}

/** `-addr=…:{{ … }}` as a word of a script, found from its `:{{` back to the flag (as ENV_PORT_WORD). */
const ADDR_ACTION_WORD = /:(?=\{\{)(?<=(?:^|[\s;&|(])(--?addr[= ][^{}\s'"]*:))\{\{[^{}]*\}\}(?=$|[\s;&|)])/g;

/**
 * `text.replace(re, fn)` where `re` matches a word from a colon and a lookbehind captures the
 * word's head up to that colon (its first `headGroups` groups): `fn` gets the whole word and the
 * groups, as from a regex that matched from the word's start.
 */
function replaceWords<T extends unknown[]>(text: string, re: RegExp, headGroups: number, fn: (word: string, ...groups: T) => string): string {
  let out = '';
  let pos = 0;
  for (const m of text.matchAll(re)) {
    const head = m.slice(1, 1 + headGroups).join('');
    const start = m.index + 1 - head.length;
    out += text.slice(pos, start) + fn(head + m[0].slice(1), ...(m.slice(1) as T));
    pos = m.index + m[0].length;
  }
  return out + text.slice(pos);
}

/** Fields of Helm's root object: `.Values.x` and the like are read elsewhere (or are no port). */
const ROOT_FIELDS = /^\.(?:Values|Release|Chart|Capabilities|Template|Files)(?:\.|$)/;

/** A dot the tool does not follow: where it comes from, and for a define's dot, the define and the include that passes it. */
interface UnfollowedDot {
  unfollowed: string;
  define?: DefineSite;
}

/** The define whose dot the tool does not follow, the include that passes it (`dict` when a dict), and the one values path that include's operand names, if one (`(int .Values.qsl.port)`). */
interface DefineSite {
  name: string;
  site?: string;
  dict?: boolean;
  valuesPath?: string;
}

/**
 * The values paths a reference to the dot prints where it is read (`.` or `.port`): inside `{{ with
 * .Values.grpc }}` the with's path; inside a define, through every `include "name" X` of the chart
 * (X `.Values.grpc`, `$.Values.grpc`, `.Values` itself, `.`/`.field` at a site whose dot is a values
 * path, or a `dict` whose entry the reference reads is one of those or a number, whatever its other
 * entries). A dot the tool does not follow (a `range`, a `with` of anything else, a define no
 * template of the chart includes, or one included with anything else) is said as `unfollowed`,
 * naming where it comes from.
 */
function dotValuesPaths(ref: string, offset: number, actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext): { paths: string[]; numbers?: string[] } | UnfollowedDot | undefined {
  if (ref !== '.' && (!ref.startsWith('.') || ROOT_FIELDS.test(ref))) return undefined;
  const field = ref === '.' ? '' : ref;
  const scope = dotScope(controlBlocks, offset);
  if (scope === null) {
    const around = controlBlocks
      .filter((b) => b.open.end <= offset && offset < b.end.start && (b.open.keyword === 'with' || b.open.keyword === 'range'))
      .sort((a, b) => b.open.start - a.open.start)[0];
    return { unfollowed: `the dot of ${around ? spokenAction(around.open.text) : 'its block'}, which the tool does not follow` };
  }
  if (scope !== '') return ref === '.' ? { paths: [scope] } : undefined;
  const define = defineAround(actions, offset);
  if (!define) return undefined;
  const sites: string[] = [];
  const paths: string[] = [];
  const numbers: string[] = [];
  const call = new RegExp(String.raw`\b(?:include|template)\s+"${escapeRegExp(define.name)}"\s+(\(?\s*)?(\$?\.[A-Za-z0-9_.]*)?`);
  for (const { file, text } of chart ? templatesOf(chart, run) : []) {
    const fileActions = maskTemplate(text).actions;
    const fileBlocks = blocks(fileActions);
    for (const a of fileActions) {
      const m = a.kind === 'output' ? call.exec(a.text) : null;
      if (!m) continue;
      const where = `${file}:${text.slice(0, a.start).split('\n').length}`;
      sites.push(where);
      const arg = m[1] ? undefined : m[2];
      const siteScope = defineAround(fileActions, a.start) ? null : dotScope(fileBlocks, a.start);
      const after = arg !== undefined ? a.text.slice(m.index + m[0].length) : '';
      // `include "x" (dict "Values" .Values "name" "qsl" "port" .Values.qsl.port)`: `.port` is that
      // entry, whatever the others are (`"context" $`, a string); `.port.number` a field of it.
      const dict = m[1] ? dictEntries(a.text.slice(m.index + m[0].length - m[1].length - (m[2]?.length ?? 0))) : undefined;
      const [, key, tail] = /^\.([A-Za-z0-9_]+)(?![A-Za-z0-9_])(.*)$/.exec(field) ?? [];
      const entry = dict && key !== undefined ? dict.get(key) : undefined;
      const operand = dict ? entry : arg !== undefined && /^\s*(?:\||\)|-?\}\})/.test(after) ? arg : undefined;
      const target = operand !== undefined ? includeOperand(operand, siteScope) : undefined;
      const found = target ? reachField(target, dict ? tail! : field) : undefined;
      if (!found) {
        const why = !dict || key === undefined ? 'the tool does not follow what that passes' : entry === undefined ? `its dict has no "${key}" entry, so ${field} is no port there` : `the tool does not follow its "${key}" entry, ${entry}`;
        return { unfollowed: `the dot of define "${define.name}", which ${where} includes as ${spokenAction(a.text)} (${why})`, define: { name: define.name, site: where, ...(dict ? { dict: true } : {}), ...namedValuesPath(dict ? entry : operand) } };
      }
      if ('number' in found) numbers.push(found.number);
      else paths.push(found.path);
    }
  }
  if (sites.length === 0) return { unfollowed: `the dot of define "${define.name}", which no template of the chart includes (the tool cannot see what it is given)`, define: { name: define.name } };
  return { paths: [...new Set(paths)], numbers };
}

type IncludeOperand = { root: true } | { values: string } | { number: string };

/**
 * What an operand of an include (its argument, or a dict entry) is, where the include's dot is
 * `siteScope` (dotScope; null inside a define, whose `$` is its own argument): the chart's root
 * (`$`, the root's `.`), a values path ('' for `.Values` itself), or a number. Undefined for
 * anything else (a variable, a pipeline, a string that is no number).
 */
function includeOperand(v: string, siteScope: DotScope): IncludeOperand | undefined {
  const digits = /^(?:(\d+)|"(\d+)")$/.exec(v);
  if (digits) return { number: digits[1] ?? digits[2]! };
  if (v === '$') return siteScope !== null ? { root: true } : undefined;
  if (v === '.') return siteScope === '' ? { root: true } : siteScope ? { values: siteScope } : undefined;
  const values = /^(\$?)\.Values((?:\.[A-Za-z0-9_]+)*)$/.exec(v);
  if (values) return (values[1] ? siteScope !== null : siteScope === '') ? { values: values[2]!.slice(1) } : undefined;
  if (/^(?:\.[A-Za-z0-9_]+)+$/.test(v) && !ROOT_FIELDS.test(v) && siteScope) return { values: `${siteScope}${v}` };
  return undefined;
}

/** The values path (or number) that `field` (`.port`, `.Values.grpc.port`, '' for the operand itself) of an include's operand reads; undefined when it is none (the whole values, a field of a number). */
function reachField(target: IncludeOperand, field: string): { path: string } | { number: string } | undefined {
  if ('number' in target) return field === '' ? target : undefined;
  const path = 'root' in target ? /^\.Values\.(.+)$/.exec(field)?.[1] : [target.values, field.slice(1)].filter((p) => p !== '').join('.');
  return path !== undefined && /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/.test(path) ? { path } : undefined;
}

/**
 * The entries of a `(dict "k1" v1 "k2" v2 …)` that opens `text` and ends the include's argument
 * (`)` then `|` or `}}`), each value as written: a number, a string, a field or variable chain, a
 * parenthesized pipeline. Undefined when it is no such call (a key that is not a string, an odd
 * count). A later entry of the same key wins, as in sprig's dict.
 */
function dictEntries(text: string): Map<string, string> | undefined {
  const open = /^\(\s*dict\s/.exec(text);
  if (!open) return undefined;
  const entries = new Map<string, string>();
  let i = open[0].length;
  const space = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  for (;;) {
    space();
    if (text[i] === ')') return /^\)\s*(?:\||-?\}\})/.test(text.slice(i)) ? entries : undefined;
    const key = /^"([^"\\]*)"\s+/.exec(text.slice(i));
    if (!key) return undefined;
    i += key[0].length;
    const start = i;
    const end = operandEnd(text, i);
    if (end === undefined) return undefined;
    i = end;
    entries.set(key[1]!, text.slice(start, end));
  }
}

/** Where a template operand that starts at `i` ends: a quoted or raw string, a parenthesized pipeline (strings in it skipped), or a run of other characters. */
function operandEnd(text: string, i: number): number | undefined {
  const string = (j: number): number | undefined => {
    const m = text[j] === '`' ? /^`[^`]*`/.exec(text.slice(j)) : /^"(?:[^"\\\n]|\\.)*"/.exec(text.slice(j));
    return m ? j + m[0].length : undefined;
  };
  if (text[i] === '"' || text[i] === '`') return string(i);
  if (text[i] !== '(') {
    const bare = /^[^\s()"`]+/.exec(text.slice(i));
    return bare ? i + bare[0].length : undefined;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === '"' || text[j] === '`') {
      const end = string(j);
      if (end === undefined) return undefined;
      j = end - 1;
    } else if (text[j] === '(') depth++;
    else if (text[j] === ')' && --depth === 0) return j + 1;
  }
  return undefined;
}

/**
 * What to do about a define's port the tool does not follow. Inside a define, `.` and `$` are what
 * the include passes, not the chart's root: `{{ $.Values.… }}` there reads a path of that argument.
 * So the way out is at the include: pass the port as something the tool follows.
 */
/** The one values path an operand names (`(int (default 7100 .Values.qsl.port))`), for the hint. */
function namedValuesPath(operand: string | undefined): { valuesPath: string } | undefined {
  const paths = new Set([...(operand ?? '').matchAll(/(?:^|[\s(])\$?\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g)].map((m) => m[1]!));
  return paths.size === 1 ? { valuesPath: [...paths][0]! } : undefined;
}

function defineDotHint(define: DefineSite, ref: string): string {
  const byHand = `if everything that includes it passes a port number there, migrate by hand to grpc: {port: {{ ${ref} }}} with the same action.`;
  const [, key, rest] = /^\.([A-Za-z0-9_]+)(?![A-Za-z0-9_])(.*)$/.exec(ref) ?? [];
  const path = `.Values.${define.valuesPath ?? '<path of the port>'}`;
  const entry = rest ? `a values path whose ${rest.slice(1)} is the port` : "the port's values path or a number";
  const pass =
    key === undefined
      ? `pass the port's values path itself (include "${define.name}" ${path}) or a number`
      : define.dict
        ? `set the dict's "${key}" entry to ${entry} ("${key}" ${path}, its other entries as they are)`
        : `pass a values path whose ${ref.slice(1)} is the port (include "${define.name}" .Values.<path>, or .Values itself), or a dict whose "${key}" entry is ${entry} ((dict "${key}" ${path}))`;
  const wrong = `Inside define "${define.name}", . and $ are what the include passes, not the chart's root, so {{ $.Values.… }} written there reads a path of that argument, not the values.`;
  if (define.site === undefined) return `${wrong} No template of this chart includes it (a chart that uses this library may): the tool cannot see what it is given. Where it is included, ${pass}; or, ${byHand}`;
  return `${wrong} At ${define.site}, ${pass}, and run the tool again; or, ${byHand}`;
}

/**
 * `-addr=:{{ . }}` or `-addr=:{{ .port }}` where the dot is a values path the tool follows (a with
 * of it, a define included with it): checked as portFromValues checks the path, the action carried
 * over as written. Where it does not follow the dot, `onUnfollowed` says so.
 */
function portFromDot(arg: string, offset: number, actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext, onUnset: (u: UnsetPort) => void, onUnfollowed: (detail: string, hint?: string) => void, onBad?: (b: BadPort) => void): string {
  const m = new RegExp(String.raw`^(--?addr[= ][^{}]*:)\{\{-?\s*(${KEEPS_VALUE_BEFORE})(\.|\.[A-Za-z_][A-Za-z0-9_.]*)(${KEEPS_VALUE})\s*-?\}\}$`).exec(orAsDefault(arg));
  if (!m) return arg;
  const found = dotValuesPaths(m[3]!, offset, actions, controlBlocks, chart, run);
  if (!found) return arg;
  if ('unfollowed' in found) {
    onUnfollowed(`${arg} takes its port from ${found.unfollowed}: it cannot check that it prints a port number, and grpc.port takes only a number (a name, or nothing, and the API server refuses the whole object, where the exec probe alone failed)`, found.define && defineDotHint(found.define, m[3]!));
    return arg;
  }
  const badNumber = found.numbers?.find((n) => Number(n) < 1 || Number(n) > 65535);
  if (badNumber !== undefined) return `${m[1]}${badNumber}`;
  for (const p of found.paths) {
    const node = chart?.values ? nodeAt(chart.values, p) : undefined;
    if (node && !isScalar(node)) {
      onUnfollowed(`${arg} prints .Values.${p}, which the chart's values.yaml sets to a ${isSeq(node) ? 'list' : 'map'}, not a port: the exec probe dials that text and fails today, and grpc.port would render it, which the API server refuses`);
      return arg;
    }
    const checked = portFromValues(`${m[1]}{{ ${m[2]}.Values.${p}${m[4]} }}`, chart, run, '', (u) => onUnset({ ...u, arg, written: m[3]! }), onBad);
    if (!checked.includes('{{')) return checked;
  }
  return arg;
}

/**
 * `-addr=:{{ .Values.liveness.port }}`: the action carries over into `grpc.port`, which takes only
 * a number. A values file of the chart (or a release that installs it) that gives a name there
 * (`port: grpc`, which an httpGet or tcpSocket branch of the same template takes) or a number
 * outside 1..65535 would render a probe the API server rejects: that value is the port checked,
 * so the probe blocks (`invalid-port`) instead of carrying the action over.
 */
function portFromValues(arg: string, chart: Chart | undefined, run: RunContext, scope: DotScope = '', onUnset?: (unset: UnsetPort) => void, onBad?: (b: BadPort) => void): string {
  const ref = valuesRef(scope);
  const m = new RegExp(String.raw`^(--?addr[= ][^{}]*:)\{\{-?\s*(${KEEPS_VALUE_BEFORE})${ref.pattern}(${KEEPS_VALUE})\s*-?\}\}$`).exec(orAsDefault(arg));
  if (!m) return arg;
  const valuesPath = ref.valuesPath(m[3]!);
  // Inside `{{ with .Values.probe }}`, the block renders only where its own value is set: where
  // nothing sets that either, the probe in it is never printed, so its unset port fails nothing
  // (hunt18 HL1); where the block's value is set without the port, it does.
  const guardUnset = typeof scope === 'string' && scope !== '' && valuesPathUnset(chart, scope, run);
  // Inside a with (`.port`, or `$.Values.port`) or a range (`$.Values.port`), `.Values.<path>` reads
  // the block's dot: the advice writes the reference as the probe does.
  const written = scope === '' ? undefined : scope === null ? `$.Values.${m[3]!}` : m[3]!;
  if (onUnset && !guardUnset && !/\b(?:default|required)\b/.test(m[2]! + m[4]!) && valuesPathUnset(chart, valuesPath, run)) onUnset({ arg, valuesPath, ...(written !== undefined ? { written } : {}) });
  const values = withDefaults(knownSettingsOf(chart, valuesPath, run), m[2]! + m[4]!);
  const bad = values?.find((v) => !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535);
  if (bad === undefined || /\s|\{\{/.test(bad)) return arg;
  reportBadPort(chart, valuesPath, bad, run, onBad);
  return `${m[1]}${bad}`;
}

/** A port that is not a number in 1..65535, and where the values the tool reads set it (badPortReport). */
interface BadPort {
  valuesPath: string;
  value: string;
  places: string[];
}

/** Says where `valuesPath` is set to the bad port `value`, when a values file (or a release) does: not a `| default` of the template. */
function reportBadPort(chart: Chart | undefined, valuesPath: string, value: string, run: RunContext, onBad: ((b: BadPort) => void) | undefined): void {
  if (!onBad) return;
  const places = settingPlaces(chart, valuesPath, value, run);
  if (places.length > 0) onBad({ valuesPath, value, places });
}

/**
 * An `invalid-port` probe whose port a values file sets (`port: grpc` in values-prod.yaml for
 * `-addr=:{{ .Values.service.port }}`): the template is right as written, so the message names the
 * values path, the value and where it is set (file:line), after the port's detail, and the hint
 * says to fix it there.
 */
function badPortReport(r: Report, b: BadPort): Report {
  const numeric = /^\d+$/.test(b.value);
  const shown = numeric ? b.value : JSON.stringify(b.value);
  const where = `(.Values.${b.valuesPath} is ${shown} in ${b.places.join(', ')})`;
  // Right after the port's detail (`port "grpc" is a name; …`), before any other blocker's.
  const detail = numeric ? `port ${b.value} is outside 1..65535` : `port ${shown} is a name; a native gRPC probe needs a number`;
  const at = r.message.indexOf(detail);
  const message = at === -1 ? `${r.message} ${where}` : `${r.message.slice(0, at + detail.length)} ${where}${r.message.slice(at + detail.length)}`;
  const why = numeric ? `${b.value} is outside 1..65535` : 'a gRPC probe takes no named port';
  const own = `Set ${b.valuesPath} to a port number (1–65535) in ${b.places.join(', ')} (${why}), then run the tool again.`;
  const general = BLOCKERS['invalid-port'].hint;
  const codes = r.blockers ?? [];
  // The code's general hint gives way to this one; a hint written for this probe (a scheme in -addr) stays.
  const hint = r.hint === undefined ? codes.map((c) => (c === 'invalid-port' ? own : BLOCKERS[c].hint)).join(' ') : r.hint.includes(general) ? r.hint.replace(general, own) : r.hint;
  return { ...r, message, hint };
}

/**
 * Pipes after a values path that print the same value (`| toString`, `| int`, `| default 9090`):
 * a port they print is still the values files' setting, so it is checked as the bare path is
 * (`{{ .Values.service.port | toString }}` with `port: grpc` renders a name). `int` of a name is 0,
 * which grpc.port refuses as well.
 */
const KEEPS_VALUE = String.raw`(?:\s*\|\s*(?:toString|int|int64|default\s+(?:\d+|"[^"{}]*")))*`;

/**
 * The same functions called before the path (`{{ default 50051 .Values.grpc.port }}`, `{{ int
 * .Values.grpc.port }}`), and `required "…"`, which prints the path's value when it is set: what
 * they print is still the values files' setting, or the default.
 */
const KEEPS_VALUE_BEFORE = String.raw`(?:(?:toString|int|int64|default\s+(?:\d+|"[^"{}]*")|required\s+"[^"{}\\]*")\s+)*`;

/**
 * `or .Values.grpc.port 5000` (Go's or: its first non-empty argument, else the last) prints what
 * `default 5000 .Values.grpc.port` prints, and is read so. indexAsFields reads a Sprig `dig` with
 * one key so where `default` would not fit in its place (`dig "port" 5000 .Values.grpc`).
 */
function orAsDefault(s: string): string {
  // Behind `or`: the start, `{{`, `{{-`, `(` or a blank (which stands for `{{ `, `( ` and `{{- `
  // too). Written as `\{\{-?\s*|\(\s*|\s` it read the whole run of blanks back from every
  // position: 10,000 blanks in one item took 2.4 s, 50,000 minutes.
  return s.replace(/(?<=^|\{\{-?|\(|\s)or\s+(\$?\.[A-Za-z0-9_.-]+)\s+(\d+|"[^"{}]*")(?=\s*(?:\||\)|-?\}\}|$))/g, 'default $2 $1');
}

/**
 * The settings of a values path, and what a `| default X` of its pipes prints where none is set.
 * A path the values do not set, or set in a way the tool cannot read, still prints the default
 * wherever nothing sets it: the default alone is checked then.
 */
function withDefaults(values: string[] | undefined, pipes: string): string[] | undefined {
  const defaults = [...pipes.matchAll(/default\s+(\d+|"[^"{}]*")/g)].map((d) => d[1]!.replace(/^"|"$/g, ''));
  if (!values) return defaults.length > 0 ? defaults : undefined;
  return [...values, ...defaults];
}

/**
 * `-addr=:{{ $grpcPort }}` where the template sets `{{- $grpcPort := .Values.grpc.port }}`: the
 * port is checked as portFromValues checks `-addr=:{{ .Values.grpc.port }}`, from every setting
 * of the variable above the probe that is in scope there (`:=` inside a block that does not hold
 * the probe declares another variable; `=` under an `if` sets this one). A setting to a number is
 * checked as it is, one to a values path through the values files; any other is not known and
 * checks nothing. A value that is not a port blocks; otherwise the action carries over as written.
 */
function portFromVariable(arg: string, offset: number, actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext, onUnset?: (unset: UnsetPort) => void, onUnfollowed?: (detail: string, hint?: string) => void, onBad?: (b: BadPort) => void): string {
  const m = /^(--?addr[= ][^{}]*:)\{\{-?\s*(\$[A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}$/.exec(arg);
  if (!m) return arg;
  const variable = `\\$${m[2]!.slice(1)}`;
  const values: string[] = [];
  // The values path each of values comes from, where one does (a number written in the template has none).
  const pathOf = new Map<number, string>();
  const fromPath = (p: string, settings: string[] | undefined) => {
    for (const v of settings ?? []) pathOf.set(values.push(v) - 1, p);
  };
  // The values paths of the settings when each one is a bare path that nothing sets (Helm prints
  // null for it); null once a setting may print a port (a number, a default, anything else).
  let unsetPaths: string[] | null = [];
  for (const a of actions) {
    if (a.start > offset || !a.text.includes(m[2]!)) continue;
    // `with $port := .Values.grpc.port` around the probe: $port is that value, as for `$port := …`.
    const withSet = variableSetting(a.text, String.raw`with\s+${variable}\s*(:=)`);
    const set = variableSetting(a.text, String.raw`${variable}\s*(:?=)`) ?? (withSet && controlBlocks.some((b) => b.open === a && a.end <= offset && offset < b.end.start) ? withSet : undefined);
    // `range $i, $port := …`: the variable takes values the tool does not follow.
    if (!set) {
      if (new RegExp(String.raw`${variable}\s*:?=`).test(a.text)) {
        if (controlBlocks.some((b) => b.open === a && a.end <= offset && offset < b.end.start) && /^\{\{-?\s*range\b/.test(a.text)) {
          onUnfollowed?.(`${arg} takes its port from ${m[2]}, set by ${spokenAction(a.text)}, which the tool does not follow: it cannot check that it prints a port number, and grpc.port takes only a number (a name, or nothing, and the API server refuses the whole object, where the exec probe alone failed)`);
        }
        return arg;
      }
      continue;
    }
    if (set.op === ':=' && controlBlocks.some((b) => b.open.end <= a.start && a.start < b.end.start && !(b.open.end <= offset && offset < b.end.start))) continue;
    if (/^\d+$/.test(set.value)) {
      values.push(set.value);
      unsetPaths = null;
      continue;
    }
    // `$port := .port` (or `.`) where the dot is a with's values path or a define's argument.
    const dotRef = new RegExp(String.raw`^(${KEEPS_VALUE_BEFORE})(\.|\.[A-Za-z_][A-Za-z0-9_.]*)(${KEEPS_VALUE})$`).exec(orAsDefault(set.value));
    const viaDot = dotRef ? dotValuesPaths(dotRef[2]!, a.start, actions, controlBlocks, chart, run) : undefined;
    if (viaDot && 'unfollowed' in viaDot) {
      onUnfollowed?.(`${arg} takes its port from ${m[2]}, set from ${viaDot.unfollowed}: it cannot check that it prints a port number, and grpc.port takes only a number (a name, or nothing, and the API server refuses the whole object, where the exec probe alone failed)`, viaDot.define && defineDotHint(viaDot.define, dotRef![2]!));
      return arg;
    }
    if (viaDot && dotRef) {
      values.push(...(viaDot.numbers ?? []));
      for (const p of viaDot.paths) fromPath(p, withDefaults(knownSettingsOf(chart, p, run), dotRef[1]! + dotRef[3]!));
      unsetPaths = null;
      continue;
    }
    const scope = dotScope(controlBlocks, a.start);
    if (scope === null) {
      unsetPaths = null;
      continue;
    }
    const ref = valuesRef(scope);
    const path = new RegExp(String.raw`^(${KEEPS_VALUE_BEFORE})${ref.pattern}(${KEEPS_VALUE})$`).exec(orAsDefault(set.value));
    if (path) fromPath(ref.valuesPath(path[2]!), withDefaults(knownSettingsOf(chart, ref.valuesPath(path[2]!), run), path[1]! + path[3]!));
    if (path && unsetPaths && !/\b(?:default|required)\b/.test(path[1]! + path[3]!) && valuesPathUnset(chart, ref.valuesPath(path[2]!), run)) unsetPaths.push(ref.valuesPath(path[2]!));
    else unsetPaths = null;
  }
  if (onUnset && unsetPaths && unsetPaths.length > 0) onUnset({ arg, valuesPath: [...new Set(unsetPaths)].join(', .Values.'), variable: m[2]! });
  const badAt = values.findIndex((v) => !/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 65535);
  const bad = values[badAt];
  if (bad === undefined || /\s|\{\{/.test(bad)) return arg;
  if (pathOf.has(badAt)) reportBadPort(chart, pathOf.get(badAt)!, bad, run, onBad);
  return `${m[1]}${bad}`;
}

/**
 * `{{ $port := X }}` (or `=`, or `{{ with $port := X }}`: `head` is the pattern up to the operator,
 * whose group is the operator): the operator and X, as `^\{\{-?\s*${head}\s*(.*?)\s*-?\}\}$` reads
 * them (X on one line). Read from the action's body: that regex backtracked in cubic time on a
 * long run of blanks inside the action.
 */
function variableSetting(action: string, head: string): { op: string; value: string } | undefined {
  const body = splitAction(action)?.body;
  const m = body === undefined ? null : new RegExp(`^${head}`).exec(body);
  if (!m) return undefined;
  const value = body!.slice(m[0].length).trimStart();
  return /[\n\r\u2028\u2029]/.test(value) ? undefined : { op: m[1]!, value };
}

/** A container image written through values, read where the dot is `scope` (imageNameFromValues). */
function imageFromValues(image: string, chart: Chart | undefined, run: RunContext, scope: DotScope): string {
  return chart && scope !== null ? imageNameFromValues(image, chart, run, valuesRef(scope)) : image;
}

/**
 * `-connect-timeout={{ .Values.probe.timeout }}` (or -rpc-timeout): the longest of the durations
 * the chart's values and the releases that install it give there, so that timeoutSeconds covers
 * every release (the flags go with the exec). Unchanged when one of them is missing or is not a
 * duration Go reads: the analysis then blocks the probe as before.
 */
function timeoutFromValues(arg: string, chart: Chart | undefined, run: RunContext, scope: DotScope = ''): string {
  const ref = valuesRef(scope);
  const m = new RegExp(String.raw`^(--?(?:connect|rpc)-timeout[= ])\{\{-?\s*${ref.pattern}\s*-?\}\}$`).exec(arg);
  if (!m) return arg;
  const values = settingsOf(chart, ref.valuesPath(m[2]!), run);
  if (!values || values.some((v) => parseGoDuration(v) === undefined)) return arg;
  return `${m[1]}${values.reduce((a, b) => (parseGoDuration(b)! > parseGoDuration(a)! ? b : a))}`;
}

/**
 * An action inside the probe (outside its exec) that prints lines of the probe's own mapping:
 * `{{- toYaml .Values.probe | nindent 12 }}`, or one that ends the probe's key line. What it
 * prints may hold timeoutSeconds: read from the chart's values when the action prints one values
 * path, otherwise unknown.
 */
function renderedTimeout(probe: Pair<Scalar, YAMLMap>, exec: Pair, actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext): FixedNumber | { text: string } | undefined {
  const start = probe.key.range![0];
  const end = contentEnd(probe.value!);
  const execStart = (exec.key as Scalar).range![0];
  const execEnd = contentEnd(exec.value as ParsedNode);
  // A print in another branch of a chain that holds the exec (`{{ else }}`, the with part of `{{
  // with … }} … {{ else }}`) never renders with it (hunt19 B1): only its own branch's and those
  // outside the chain do.
  const otherBranch = (a: Action) =>
    controlBlocks.some((b) => {
      if (b.elses.length === 0) return false;
      const bounds = [b.open, ...b.elses, b.end];
      const segment = (o: number) => bounds.findIndex((x, i) => i < bounds.length - 1 && o >= x.end && o <= bounds[i + 1]!.start);
      const [se, sa] = [segment(execStart), segment(a.start)];
      return se !== -1 && sa !== -1 && se !== sa;
    });
  const printing = actions.filter((a) => a.kind === 'output' && (a.alone || a.opensBlock) && a.start > start && a.end <= end && (a.end <= execStart || a.start >= execEnd) && !otherBranch(a));
  if (printing.length === 0) return undefined;
  const text = `whatever ${printing.map((a) => a.text).join(', ')} prints`;
  if (printing.length > 1) return { text };
  // A dash is a key's (`index .Values "grpc-agent"`, read as `.Values.grpc-agent`): the whole path, not `grpc`.
  const paths = new Set([...printing[0]!.text.matchAll(/\.Values\.([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!));
  if (paths.size !== 1) return { text };
  const [valuesPath] = [...paths];
  const n = valuesNumber(`{{ .Values.${valuesPath}.timeoutSeconds }}`, chart, run);
  return n ? { ...n, source: `${n.source}, printed into the probe by ${printing[0]!.text}` } : { text };
}

/**
 * A number field printed from a values path (`timeoutSeconds: {{ .Values.probe.timeoutSeconds }}`,
 * `{{ . }}` inside `{{- with .Values.probe.timeoutSeconds }}`): read in a with's scope as
 * valuesNumber reads it at the root; and when nothing the tool sees sets the path, Helm prints it
 * empty (or, under an if/with of it, not at all): the field is null, so the API server's default,
 * 1, applies, as for `timeoutSeconds:` with no value.
 */
function unsetNumber(text: string, scope: DotScope, chart: Chart | undefined, run: RunContext): FixedNumber | undefined {
  const m = new RegExp(`^\\{\\{-?\\s*${valuesRef(scope).pattern}\\s*-?\\}\\}$`).exec(text.trim());
  const dot = scope !== null && scope !== '' && /^\{\{-?\s*\.\s*-?\}\}$/.test(text.trim());
  const valuesPath = dot ? scope : m ? valuesRef(scope).valuesPath(m[1]!) : undefined;
  if (valuesPath === undefined) return undefined;
  const written = dot ? `${text.trim()} (.Values.${valuesPath})` : text.trim();
  const set = valuesNumber(`{{ .Values.${valuesPath} }}`, chart, run);
  if (set) return { value: set.value, source: `${written}${set.source.slice(`{{ .Values.${valuesPath} }}`.length)}` };
  if (!valuesPathUnset(chart, valuesPath, run)) return undefined;
  return { value: 1, source: `${written}, which no values file sets, so the API default`, where: `give ${valuesPath} a value in the chart's values.yaml: no values file sets it, so the probe has the API default, 1` };
}

/**
 * The host to check: the first one that is not local (it blocks), else a loopback one (a release
 * installed with that file serves on loopback only: the note, or a block on the host's network),
 * else the default's.
 */
function checkedHost(hosts: readonly string[]): string {
  return hosts.find((h) => classifyHost(h) === 'remote') ?? hosts.find((h) => classifyHost(h) === 'loopback') ?? hosts[0]!;
}

function inAction(actions: readonly Action[], offset: number): Action | undefined {
  return actions.find((a) => offset >= a.start && offset < a.end);
}

/**
 * Mentions no report covers: inside an action that prints or decides something, or anywhere the
 * YAML view could not attribute. Comments (YAML or template) are not uses.
 */
function uncoveredMentions(text: string, masked: string, actions: readonly Action[], reports: readonly Report[]): Report[] {
  const comments = yamlCommentRanges(masked);
  const out: Report[] = [];
  for (const o of mentionOffsets(text)) {
    if (reports.some((r) => o >= (r.covers?.[0] ?? r.start) && o < (r.covers?.[1] ?? r.end ?? r.start + 1))) continue;
    const a = inAction(actions, o);
    if (a?.kind === 'comment') continue;
    if (!a && inRanges(o, comments)) continue;
    if (a && out.some((r) => r.start === a.start)) continue;
    out.push({
      start: a?.start ?? o,
      end: a?.end ?? o + 'grpc_health_probe'.length,
      subject: 'consumer',
      blockers: ['unparseable'],
      keepsBinary: true,
      message: a ? `the template action ${a.text} names grpc_health_probe; the tool cannot see what it renders` : 'grpc_health_probe is named where the tool cannot read it',
      hint: 'Check this use by hand; the tool changes nothing it cannot fully understand.',
    });
  }
  return out;
}

/**
 * The env entries of each container (by the container map's start offset) that a template action
 * after them may print again: `{{- with .Values.extraEnvVars }}{{- toYaml . | nindent 12 }}{{- end }}`
 * or a `range` of entries after `- name: GRPC_PORT`. The kubelet takes the last entry of a name, so
 * the literal is not the variable's value unless every values file the tool reads leaves the splice
 * without an entry of that name (valuesNodesOf); name → which splice may redefine it.
 */
function envSplices(text: string, docs: readonly Document.Parsed<ParsedNode, true>[], actions: readonly Action[], controlBlocks: readonly Block[], chart: Chart | undefined, run: RunContext, ends: Map<number, number>): Map<number, Map<string, string>> {
  const out = new Map<number, Map<string, string>>();
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const rootPath = (written: string, at: number): string | undefined => spliceRootPath(written, at, controlBlocks);
  for (const doc of docs) {
    visit(doc, {
      Map(_, map) {
        const envAt = map.items.findIndex((p) => isPair(p) && keyOf(p as Pair) === 'env');
        const env = envAt === -1 ? undefined : (map.items[envAt] as Pair).value;
        if (!isSeq(env) || !env.range || !map.range) return;
        const next = map.items[envAt + 1] as Pair<Node, unknown> | undefined;
        const bound = (next?.key as Node | undefined)?.range?.[0] ?? map.range[1];
        // Each splice: where it is, what it reads, and how its entries are named.
        const splices: { at: number; what: string; path?: string; named: 'items' | 'range' }[] = [];
        for (const a of actions) {
          if (a.start <= env.range[0] || a.start >= bound || a.kind !== 'output' || !a.alone) continue;
          const body = actionBody(a).trim();
          const m = /^toYaml\s+(\S+)\s*(?:\|\s*n?indent\s+\d+)?$/.exec(body) ?? /^(\S+)\s*\|\s*toYaml\s*(?:\|\s*n?indent\s+\d+)?$/.exec(body);
          const p = m ? rootPath(m[1]!, a.start) : undefined;
          splices.push({ at: a.start, what: `${a.text} (line ${lineOf(a.start)})`, ...(p ? { path: p } : {}), named: 'items' });
        }
        const seen = new Set<Block>();
        for (const item of env.items) {
          const name = isMap(item) ? getPair(item, 'name')?.value : undefined;
          const start = (item as Node).range?.[0];
          if (start === undefined || (isScalar(name) && typeof name.value === 'string' && !name.value.includes(PLACEHOLDER_START))) continue;
          // An entry whose name a template prints: the range around it (inside the env) says which.
          const around = controlBlocks.filter((b) => b.open.keyword === 'range' && b.open.start > env.range![0] && b.open.end <= start && start < b.end.start).pop();
          if (around && seen.has(around)) continue;
          if (around) seen.add(around);
          const r = around ? /^range\s+(?:\$\w+\s*(?:,\s*\$\w+\s*)?:=\s*)?(\S+)$/.exec(actionBody(around.open).trim()) : null;
          const p = r ? rootPath(r[1]!, around!.open.start) : undefined;
          const open = around?.open ?? { start, text: 'an entry whose name a template action prints' };
          splices.push({ at: open.start, what: `${open.text} (line ${lineOf(open.start)})`, ...(p ? { path: p } : {}), named: 'range' });
        }
        if (splices.length === 0) return;
        const byName = new Map<string, string>();
        for (const item of env.items) {
          const name = isMap(item) ? getPair(item, 'name')?.value : undefined;
          const end = (item as Node).range?.[1];
          if (!isScalar(name) || typeof name.value !== 'string' || end === undefined) continue;
          const later = splices.flatMap((s) => {
            const why = s.at > end ? spliceMaySet(s, name.value as string, chart, run) : undefined;
            return why === undefined ? [] : [`${s.what}: ${why}`];
          });
          if (later.length > 0) byName.set(name.value, later.join('; '));
          else byName.delete(name.value);
        }
        if (byName.size > 0) {
          out.set(map.range[0], byName);
          ends.set(map.range[0], map.range[1]);
        }
      },
    });
  }
  return out;
}

/**
 * Whether a splice of env entries may print one named `name`: why (which values file gives its
 * path such an entry), or undefined when every values file the tool reads gives it none.
 */
function spliceMaySet(splice: { path?: string; named: 'items' | 'range' }, name: string, chart: Chart | undefined, run: RunContext): string | undefined {
  if (splice.path === undefined) return 'which entries it prints is not read from the values';
  const nodes = valuesNodesOf(chart, splice.path, run);
  if (nodes === undefined) return `something the tool does not read (a release, a parent chart, --set) may set ${splice.path}`;
  const setting = nodes.find(({ node }) => {
    if (node === null || (isScalar(node) && (node.value === null || node.value === false || node.value === ''))) return false;
    // `range $k, $v := .Values.envVars` over a map: its keys are the names.
    if (isMap(node) && splice.named === 'range') return node.items.some((p) => !isPair(p) || !isScalar(p.key) || String(p.key.value) === name);
    if (isMap(node)) return node.items.length > 0;
    if (!isSeq(node)) return true;
    return node.items.some((item) => {
      const n = isMap(item) ? getPair(item, 'name')?.value : undefined;
      return !isScalar(n) || String(n.value) === name;
    });
  });
  return setting ? `${path.isAbsolute(setting.file) && chart ? path.relative(chart.root, setting.file).split(path.sep).join('/') : setting.file} sets ${splice.path} to entries that may name ${name}` : undefined;
}

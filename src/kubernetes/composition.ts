/**
 * Crossplane Compositions: a composed resource's `base` (classic `spec.resources[]`, or the
 * `input.resources[]` of a pipeline step running function-patch-and-transform) is patched at
 * compose time, field by field, from the composite resource. A probe in a base that a patch writes
 * into (`…readinessProbe.exec.command[1]` with `fmt: "-addr=:%d"`) cannot be migrated in the base
 * alone: Crossplane would write the exec field back beside grpc (two handlers, which the API server
 * rejects), and the value the claim sets (its port) would be lost. Such probes stay on exec,
 * blocked `overlay-patch` as a Kustomize replacement into the probe holds its base, naming the patch.
 */
import type { Document, Node, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, keyPathSteps } from '../parse/yaml.js';
import type { Report } from '../types.js';
import { heldReport } from './held-report.js';

/**
 * A Composition in a Helm chart's template, read on the masked text (src/helm/mask.ts): what
 * Helm renders is not what the walk sees. A list item's index is the rendered one only when no
 * template action before it in its list adds or drops items (`{{- if }}`, `{{- range }}`, an
 * `{{ include }}` alone on its line); a field path holding an action is known only once rendered.
 */
export interface CompositionTemplate {
  /** Whether the item at `index` of a list may have another index once rendered. `from` is where the list's items may start (after its key). */
  indexUncertain: (seq: YAMLSeq, index: number, from: number) => boolean;
  /** A scalar as the template writes it, its actions unmasked (`{{ .Release.Name }}-app`): for messages. */
  source: (node: Scalar) => string;
  /** The first action between the offsets that prints YAML of its own (an include or toYaml alone on its line), as written. */
  printsYaml: (from: number, to: number) => string | undefined;
}

/** A masked template action inside a field path (src/helm/mask.ts placeholders): its rendered text is unknown. */
const MASKED = /[\uE000\uE001]/;

const HANDLERS = new Set(['exec', 'httpGet', 'tcpSocket', 'grpc']);

/** Patch types that write a field of the composed resource (toFieldPath); the others read one of it. */
const WRITES = new Set(['FromCompositeFieldPath', 'CombineFromComposite', 'FromEnvironmentFieldPath', 'CombineFromEnvironment']);

/**
 * `spec.containers[0].env[*].value`, `metadata.labels[app.io/name]` → ['spec', 'containers', 0, 'env', '*', 'value'] / [..., 'app.io/name'].
 * As Crossplane parses it (crossplane-runtime pkg/fieldpath): only a bracket that holds an
 * unsigned 32-bit integer, unquoted, is an index; `containers['0']`, `containers.0` and a
 * selector-like `containers[name=app]` are field names, which Crossplane cannot find in a list
 * (the patch fails there and writes nothing), so they match no probe.
 */
export function fieldPathSegments(fieldPath: string): (string | number)[] {
  // Scanned, not matched by /\[([^\]]*)\]|([^.[\]]+)/g and /^['"]+|['"]+$/g: those are quadratic on
  // a long run of `[` with no `]` after it, or of quotes (the same segments, read in one pass).
  const out: (string | number)[] = [];
  let closed = true;
  for (let i = 0; i < fieldPath.length; ) {
    const c = fieldPath[i]!;
    if (c === '[') {
      const close = closed ? fieldPath.indexOf(']', i + 1) : -1;
      if (close === -1) {
        // No `]` after it, nor after any later `[`: the bracket is skipped, the names around it are read.
        closed = false;
        i++;
        continue;
      }
      const inner = fieldPath.slice(i + 1, close);
      out.push(/^\d+$/.test(inner) && Number(inner) <= 0xffffffff ? Number(inner) : unquoted(inner));
      i = close + 1;
    } else if (c === ']' || c === '.') i++;
    else {
      let end = i + 1;
      while (end < fieldPath.length && !'.[]'.includes(fieldPath[end]!)) end++;
      out.push(fieldPath.slice(i, end));
      i = end;
    }
  }
  return out;
}

/** A bracket's name with the quotes around it dropped, however many (`['app']`, `[""x"]`). */
function unquoted(inner: string): string {
  let start = 0;
  while (start < inner.length && (inner[start] === "'" || inner[start] === '"')) start++;
  let end = inner.length;
  while (end > start && (inner[end - 1] === "'" || inner[end - 1] === '"')) end--;
  return inner.slice(start, end);
}

const at = (node: unknown, key: string | number): unknown => {
  if (typeof key === 'number') return isSeq(node) ? (node as YAMLSeq).items[key] : undefined;
  return isMap(node) ? getPair(node as YAMLMap, key)?.value : undefined;
};
const text = (node: unknown): string | undefined => (isScalar(node) && typeof node.value === 'string' ? node.value : undefined);

interface Patch {
  /** Where the patch is written in the Composition (`spec.resources[0].patches[1]`, through a PatchSet). */
  where: string;
  role: 'writes' | 'reads';
  fieldPath: string;
  /** The scalar that holds fieldPath: a template shows it with its actions. */
  node: unknown;
  /**
   * A write that merges the composite resource's object into the field instead of replacing it:
   * `policy.toFieldPath` MergeObjects (and the other merge policies), or the older
   * `policy.mergeOptions`. As it is written, for messages.
   */
  merges?: string;
}

/** `policy.toFieldPath` values that merge objects (Replace, the default, does not; the deprecated MergeObject and AppendArray do). */
const MERGE_POLICIES = new Set(['MergeObject', 'MergeObjects', 'MergeObjectsAppendArrays', 'ForceMergeObjects', 'ForceMergeObjectsAppendArrays', 'AppendArray']);

function mergePolicy(patch: YAMLMap): string | undefined {
  const policy = getPair(patch, 'policy')?.value;
  const to = text(at(policy, 'toFieldPath'));
  if (to !== undefined && MERGE_POLICIES.has(to)) return `policy.toFieldPath: ${to}`;
  if (to === undefined && isMap(at(policy, 'mergeOptions'))) return 'policy.mergeOptions';
  return undefined;
}

/** A resource entry's patches, PatchSets expanded, each with the composed resource's field it writes or reads. */
function patchesOf(entry: YAMLMap, entryPath: string, patchSets: unknown, patchSetsPath: string, shown: (node: unknown) => string | undefined): Patch[] {
  const out: Patch[] = [];
  const read = (patch: unknown, where: string, inSet: boolean) => {
    if (!isMap(patch)) return;
    const type = text(getPair(patch, 'type')?.value) ?? 'FromCompositeFieldPath';
    if (type === 'PatchSet') {
      const name = text(getPair(patch, 'patchSetName')?.value);
      if (inSet || name === undefined || !isSeq(patchSets)) return;
      patchSets.items.forEach((set, i) => {
        if (text(at(set, 'name')) !== name) return;
        const list = at(set, 'patches');
        if (isSeq(list)) list.items.forEach((p, j) => read(p, `${where} (PatchSet "${shown(getPair(patch, 'patchSetName')?.value) ?? name}", ${patchSetsPath}[${i}].patches[${j}])`, true));
      });
      return;
    }
    const fromNode = getPair(patch, 'fromFieldPath')?.value;
    const toNode = getPair(patch, 'toFieldPath')?.value;
    const from = text(fromNode);
    const to = text(toNode);
    if (WRITES.has(type)) {
      // A FromCompositeFieldPath patch without toFieldPath writes the path it reads.
      const target = to !== undefined ? { fieldPath: to, node: toNode } : (type === 'FromCompositeFieldPath' || type === 'FromEnvironmentFieldPath') && from !== undefined ? { fieldPath: from, node: fromNode } : undefined;
      const merges = mergePolicy(patch);
      if (target !== undefined) out.push({ where, role: 'writes', ...target, ...(merges ? { merges } : {}) });
    } else if (type === 'ToCompositeFieldPath' || type === 'ToEnvironmentFieldPath') {
      if (from !== undefined) out.push({ where, role: 'reads', fieldPath: from, node: fromNode });
    } else if (type === 'CombineToComposite' || type === 'CombineToEnvironment') {
      const vars = at(getPair(patch, 'combine')?.value, 'variables');
      for (const v of isSeq(vars) ? vars.items : []) {
        const node = at(v, 'fromFieldPath');
        const f = text(node);
        if (f !== undefined) out.push({ where, role: 'reads', fieldPath: f, node });
      }
    }
  };
  const list = getPair(entry, 'patches')?.value;
  if (isSeq(list)) list.items.forEach((p, i) => read(p, `${entryPath}.patches[${i}]`, false));
  return out;
}

/**
 * Whether a field path's segments start with the probe's steps (`[*]` matches any one step; so
 * does a segment holding a template action, and any index of a step the template may renumber).
 */
function startsWith(segments: readonly (string | number)[], steps: readonly (string | number | '*')[], strict = false): boolean {
  return (
    segments.length >= steps.length &&
    steps.every((s, i) => {
      const seg = segments[i]!;
      if (seg === '*' || seg === s) return true;
      if (strict) return false;
      if (typeof seg === 'string' && MASKED.test(seg)) return true;
      return s === '*' && typeof seg === 'number';
    })
  );
}

/**
 * The probe's steps inside the base, with `*` for an index a template may renumber: a list item
 * after an `{{- if }}` (or a `range`, an include alone on its line) in its list is item 0 when
 * the condition drops what comes before it.
 */
function probeSteps(base: unknown, steps: readonly (string | number)[], template: CompositionTemplate | undefined): (string | number | '*')[] {
  if (!template) return [...steps];
  const out: (string | number | '*')[] = [];
  let node: unknown = base;
  let from = isMap(base) || isSeq(base) ? ((base as Node).range?.[0] ?? 0) : 0;
  for (const step of steps) {
    if (typeof step === 'number' && isSeq(node)) {
      out.push(template.indexUncertain(node as YAMLSeq, step, from) ? '*' : step);
      const item = (node as YAMLSeq).items[step] as Node | undefined;
      from = item?.range?.[0] ?? from;
      node = item;
      continue;
    }
    out.push(step);
    const pair = isMap(node) ? getPair(node as YAMLMap, step as string) : undefined;
    // A list's items may start right after its key: an `{{- if }}` line above the first item.
    from = (pair?.key as Node | undefined)?.range?.[1] ?? from;
    node = pair?.value;
  }
  return out;
}

/**
 * The first action of a template that prints YAML of its own in a resource entry outside its
 * base (where its `patches` are), or after the entry up to the next one (an include under
 * `patches:` whose masked lines trail the entry).
 */
function printedBeside(root: YAMLMap, entrySteps: readonly (string | number)[], entry: YAMLMap, template: CompositionTemplate): string | undefined {
  let list: unknown = root;
  for (const s of entrySteps.slice(0, -1)) list = at(list, s);
  const index = entrySteps[entrySteps.length - 1] as number;
  const next = isSeq(list) ? ((list as YAMLSeq).items[index + 1] as Node | undefined)?.range?.[0] : undefined;
  const end = next ?? root.range?.[1];
  const basePair = getPair(entry, 'base');
  const start = entry.range?.[0];
  const baseStart = (basePair?.key as Node | undefined)?.range?.[0];
  const baseEnd = (basePair?.value as Node | undefined)?.range?.[1];
  if (start === undefined || end === undefined || baseStart === undefined || baseEnd === undefined) return undefined;
  return template.printsYaml(start, baseStart) ?? template.printsYaml(baseEnd, end);
}

/**
 * The Composition patches of a migratable probe's composed resource that need it on exec: one
 * that writes or reads a field inside its handler; one that writes its timeoutSeconds, when the
 * binary's timeout flags ask for more than the default (the raise would be overwritten); one that
 * writes the container's env, when the command reads a variable (`-addr=:$(GRPC_PORT)`).
 */
function compositionHold(r: Report, root: YAMLMap, template?: CompositionTemplate): { why: string; breaks: string; hint: string } | undefined {
  const apiVersion = text(getPair(root, 'apiVersion')?.value);
  if (text(getPair(root, 'kind')?.value) !== 'Composition' || !apiVersion?.startsWith('apiextensions.crossplane.io/') || !r.keyPath) return undefined;
  const steps = keyPathSteps(r.keyPath);
  let base: number;
  let patchSets: unknown;
  let patchSetsPath: string;
  if (steps[0] === 'spec' && steps[1] === 'resources' && typeof steps[2] === 'number' && steps[3] === 'base') {
    base = 3;
    patchSets = at(at(root, 'spec'), 'patchSets');
    patchSetsPath = 'spec.patchSets';
  } else if (steps[0] === 'spec' && steps[1] === 'pipeline' && typeof steps[2] === 'number' && steps[3] === 'input' && steps[4] === 'resources' && typeof steps[5] === 'number' && steps[6] === 'base') {
    base = 6;
    patchSets = at(at(at(at(root, 'spec'), 'pipeline'), steps[2]), 'input');
    patchSets = at(patchSets, 'patchSets');
    patchSetsPath = `spec.pipeline[${steps[2]}].input.patchSets`;
  } else return undefined;
  let entry: unknown = root;
  for (const s of steps.slice(0, base)) entry = at(entry, s);
  if (!isMap(entry)) return undefined;
  const entryPath = steps.slice(0, base).map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);
  const printed = template ? printedBeside(root, steps.slice(0, base), entry, template) : undefined;
  // Names and paths as the file writes them: a template's with its actions, not the masked text.
  const shown = (node: unknown): string | undefined => (template && isScalar(node) && text(node) !== undefined ? template.source(node as Scalar) : text(node));
  const name = shown(getPair(entry, 'name')?.value);
  const composition = shown(at(at(root, 'metadata'), 'name'));
  const resource = `${name !== undefined ? `resource "${name}"` : entryPath}${composition !== undefined ? ` of Composition ${composition}` : ' of the Composition'}`;
  const written = steps.slice(base + 1);
  const probe = probeSteps(at(entry, 'base'), written, template);
  // An index a template may renumber is the one Helm renders: I (N is the hints' port).
  const probePath = probe.includes('*')
    ? probe.map((s) => (s === '*' ? '[I]' : typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1)
    : r.keyPath.slice(r.keyPath.indexOf('.base.') + '.base.'.length);
  const indexNote = probe.includes('*') ? ' I is the index at which Helm renders the list item.' : '';
  const container = probe.slice(0, -1);
  const envNames = r.envNames ?? [];
  if (printed !== undefined) {
    // Patches the template prints (`patches: {{- include "app.patches" . | nindent 8 }}`): what
    // they write is known only once rendered, and one may write into this probe's handler.
    return {
      why: `${resource} has YAML that ${printed} prints beside its base, where its patches are: the tool cannot tell whether one writes into this probe's handler`,
      breaks: 'migrating it here could have Crossplane write exec back beside grpc at compose time (two handlers, which the API server rejects). Check what the action renders (helm template), then migrate by hand',
      hint: `Render the chart (helm template) and read ${entryPath}.patches: if no patch writes into ${probePath} (its handler, its timeoutSeconds, its container's env, or its container with a merging policy), replace exec with grpc: {port: N} by hand.${indexNote}`,
    };
  }
  for (const p of patchesOf(entry, entryPath, patchSets, patchSetsPath, shown)) {
    const segs = fieldPathSegments(p.fieldPath);
    const next = segs[probe.length];
    // In a template, a path that reaches the container only through an action (its index, or one
    // before the container in its list) may be this probe's once rendered: said as such.
    const maybe = startsWith(segs, written.slice(0, -1), true) ? '' : " (once Helm renders the template, that path may be this probe's: an action in it, or one before the container in its list, decides the index)";
    const named = `${p.where} of ${resource} ${p.role} ${shown(p.node) ?? p.fieldPath}`;
    if (startsWith(segs, probe) && typeof next === 'string' && (HANDLERS.has(next) || next === '*')) {
      return {
        why: `${named}, a field inside its handler${maybe}`,
        breaks:
          p.role === 'writes'
            ? "migrating it here would have Crossplane write that field back at compose time, beside grpc: two handlers, which the API server rejects, and the value the patch sets from the composite resource (a claim's port) would be lost. Make the patch write the probe's grpc field instead and migrate the probe by hand, then run the tool again"
            : 'migrating it here would leave that patch nothing to read. Make it read another field, then run the tool again',
        hint: (p.role === 'reads'
          ? `Crossplane reads this field of the composed resource into the composite resource: once the probe is native the field is gone, and the patch stops updating it (or fails, with policy fromFieldPath: Required). Point the patch at ${probePath}.grpc (or drop it) and migrate the probe by hand, or run the tool again once the patch reads something else.`
          : `Crossplane patches the composed resource at compose time: a patch into a probe's handler needs that handler in the base. Migrate both together by hand: replace exec with grpc: {port: N} in the base, and point the patch at ${probePath}.grpc.port with a transform that gives a number (drop a fmt like "-addr=:%d"; the port is an integer), or drop the patch.`) + indexNote,
      };
    }
    if (p.role === 'writes' && startsWith(segs, probe) && next === 'timeoutSeconds' && r.timeoutNeeded !== undefined) {
      return {
        why: `${named}${maybe}`,
        breaks: `the binary's timeout flags ask for ${r.timeoutNeeded}s, and the patch sets timeoutSeconds from the composite resource at compose time, so the native probe may give up sooner than they say. Make sure the patched value is at least ${r.timeoutNeeded}, or drop the flags, and run again`,
        hint: `Crossplane overwrites timeoutSeconds at compose time. Make the composite resource's value (or a transform's) at least ${r.timeoutNeeded}, or drop the binary's timeout flags, then run the tool again.`,
      };
    }
    if (p.role === 'writes' && envNames.length > 0 && container.length > 0 && startsWith(segs, container) && segs[container.length] === 'env') {
      return {
        why: `${named}, the container's env${maybe}`,
        breaks: `the probe's command reads ${envNames.map((n) => `$(${n})`).join(', ')}, so migrating it here would write the base's value into the grpc probe where the patch sets its own. Patch the probe's grpc.port instead, then run the tool again`,
        hint: `Crossplane sets the variable at compose time. Migrate by hand: replace exec with grpc: {port: N} and patch ${probePath}.grpc.port from the composite resource's field the env patch reads.${indexNote}`,
      };
    }
    // A write above the probe (its container, the probe itself) that merges objects: the composite
    // resource's object merges key by key down to the probe when only maps lie between (a list on
    // the way is replaced or appended to, never merged item by item). An exec it holds for this
    // probe would land beside grpc. Replace, the default, leaves nothing of the base's probe to merge with.
    const rest = probe.slice(segs.length);
    if (p.role === 'writes' && p.merges && segs.length <= probe.length && startsWith(segs, probe.slice(0, segs.length)) && rest.every((s) => typeof s === 'string' && s !== '*')) {
      const what = rest.length === 0 ? 'the probe itself' : rest.length === 1 ? 'the probe\'s container' : 'an object the probe is in';
      return {
        why: `${named} (${p.merges}), ${what}${maybe}`,
        breaks: `the patch merges the composite resource's object into it at compose time, key by key down to the probe, so a handler that object gives this probe (its exec) would land beside grpc: two handlers, which the API server rejects. Make sure the composite resource gives this probe no handler, or make the patch replace (policy.toFieldPath: Replace), then migrate by hand`,
        hint: `Crossplane merges the composite resource's value into ${probePath.slice(0, probePath.length - (rest.length === 0 ? 0 : ('.' + rest.join('.')).length)) || 'the composed resource'} at compose time: what that value holds for the probe joins the base's. If it gives the probe no handler, migrate the base's probe by hand (exec → grpc: {port: N}); otherwise migrate both together.${indexNote}`,
      };
    }
  }
  return undefined;
}

/** Migratable probes of a Composition's bases that one of its patches needs on exec stay there, blocked, naming the patch. */
export function keepForCompositionPatches(reports: Report[], docs: readonly Document.Parsed<ParsedNode, true>[], template?: CompositionTemplate): Report[] {
  return reports.map((r) => {
    const doc = docs[Number(r.details?.document) - 1];
    if (!r.fix || !doc || !isMap(doc.contents)) return r;
    const hold = compositionHold(r, doc.contents, template);
    if (!hold) return r;
    return { ...heldReport(r, 'overlay-patch', `${hold.why}; ${hold.breaks}`), hint: hold.hint };
  });
}

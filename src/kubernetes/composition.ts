/**
 * Crossplane Compositions: a composed resource's `base` (classic `spec.resources[]`, or the
 * `input.resources[]` of a pipeline step running function-patch-and-transform) is patched at
 * compose time, field by field, from the composite resource. A probe in a base that a patch writes
 * into (`…readinessProbe.exec.command[1]` with `fmt: "-addr=:%d"`) cannot be migrated in the base
 * alone: Crossplane would write the exec field back beside grpc (two handlers, which the API server
 * rejects), and the value the claim sets (its port) would be lost. Such probes stay on exec,
 * blocked `overlay-patch` as a Kustomize replacement into the probe holds its base, naming the patch.
 */
import type { Document, ParsedNode, YAMLMap, YAMLSeq } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, keyPathSteps } from '../parse/yaml.js';
import type { Report } from '../types.js';
import { heldReport } from './merge-holds.js';

const HANDLERS = new Set(['exec', 'httpGet', 'tcpSocket', 'grpc']);

/** Patch types that write a field of the composed resource (toFieldPath); the others read one of it. */
const WRITES = new Set(['FromCompositeFieldPath', 'CombineFromComposite', 'FromEnvironmentFieldPath', 'CombineFromEnvironment']);

/** `spec.containers[0].env[*].value`, `metadata.labels[app.io/name]` → ['spec', 'containers', 0, 'env', '*', 'value'] / [..., 'app.io/name']. */
export function fieldPathSegments(fieldPath: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of fieldPath.matchAll(/\[([^\]]*)\]|([^.[\]]+)/g)) {
    if (m[2] !== undefined) out.push(m[2]);
    else {
      const inner = m[1]!.replace(/^(['"])(.*)\1$/, '$2');
      out.push(/^\d+$/.test(inner) ? Number(inner) : inner);
    }
  }
  return out;
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
}

/** A resource entry's patches, PatchSets expanded, each with the composed resource's field it writes or reads. */
function patchesOf(entry: YAMLMap, entryPath: string, patchSets: unknown, patchSetsPath: string): Patch[] {
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
        if (isSeq(list)) list.items.forEach((p, j) => read(p, `${where} (PatchSet "${name}", ${patchSetsPath}[${i}].patches[${j}])`, true));
      });
      return;
    }
    const from = text(getPair(patch, 'fromFieldPath')?.value);
    const to = text(getPair(patch, 'toFieldPath')?.value);
    if (WRITES.has(type)) {
      // A FromCompositeFieldPath patch without toFieldPath writes the path it reads.
      const target = to ?? (type === 'FromCompositeFieldPath' || type === 'FromEnvironmentFieldPath' ? from : undefined);
      if (target !== undefined) out.push({ where, role: 'writes', fieldPath: target });
    } else if (type === 'ToCompositeFieldPath' || type === 'ToEnvironmentFieldPath') {
      if (from !== undefined) out.push({ where, role: 'reads', fieldPath: from });
    } else if (type === 'CombineToComposite' || type === 'CombineToEnvironment') {
      const vars = at(getPair(patch, 'combine')?.value, 'variables');
      for (const v of isSeq(vars) ? vars.items : []) {
        const f = text(at(v, 'fromFieldPath'));
        if (f !== undefined) out.push({ where, role: 'reads', fieldPath: f });
      }
    }
  };
  const list = getPair(entry, 'patches')?.value;
  if (isSeq(list)) list.items.forEach((p, i) => read(p, `${entryPath}.patches[${i}]`, false));
  return out;
}

/** Whether a field path's segments start with the probe's steps (`[*]` matches any one step). */
function startsWith(segments: readonly (string | number)[], steps: readonly (string | number)[]): boolean {
  return segments.length >= steps.length && steps.every((s, i) => segments[i] === '*' || segments[i] === s);
}

/**
 * The Composition patches of a migratable probe's composed resource that need it on exec: one
 * that writes or reads a field inside its handler; one that writes its timeoutSeconds, when the
 * binary's timeout flags ask for more than the default (the raise would be overwritten); one that
 * writes the container's env, when the command reads a variable (`-addr=:$(GRPC_PORT)`).
 */
function compositionHold(r: Report, root: YAMLMap): { why: string; breaks: string; hint: string } | undefined {
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
  const name = text(getPair(entry, 'name')?.value);
  const composition = text(at(at(root, 'metadata'), 'name'));
  const resource = `${name !== undefined ? `resource "${name}"` : entryPath}${composition !== undefined ? ` of Composition ${composition}` : ' of the Composition'}`;
  const probe = steps.slice(base + 1);
  const probePath = r.keyPath.slice(r.keyPath.indexOf('.base.') + '.base.'.length);
  const container = probe.slice(0, -1);
  const envNames = r.envNames ?? [];
  for (const p of patchesOf(entry, entryPath, patchSets, patchSetsPath)) {
    const segs = fieldPathSegments(p.fieldPath);
    const next = segs[probe.length];
    const named = `${p.where} of ${resource} ${p.role} ${p.fieldPath}`;
    if (startsWith(segs, probe) && typeof next === 'string' && (HANDLERS.has(next) || next === '*')) {
      return {
        why: `${named}, a field inside its handler`,
        breaks:
          p.role === 'writes'
            ? "migrating it here would have Crossplane write that field back at compose time, beside grpc: two handlers, which the API server rejects, and the value the patch sets from the composite resource (a claim's port) would be lost. Make the patch write the probe's grpc field instead and migrate the probe by hand, then run the tool again"
            : 'migrating it here would leave that patch nothing to read. Make it read another field, then run the tool again',
        hint: p.role === 'reads'
          ? `Crossplane reads this field of the composed resource into the composite resource: once the probe is native the field is gone, and the patch stops updating it (or fails, with policy fromFieldPath: Required). Point the patch at ${probePath}.grpc (or drop it) and migrate the probe by hand, or run the tool again once the patch reads something else.`
          : `Crossplane patches the composed resource at compose time: a patch into a probe's handler needs that handler in the base. Migrate both together by hand: replace exec with grpc: {port: N} in the base, and point the patch at ${probePath}.grpc.port with a transform that gives a number (drop a fmt like "-addr=:%d"; the port is an integer), or drop the patch.`,
      };
    }
    if (p.role === 'writes' && startsWith(segs, probe) && next === 'timeoutSeconds' && r.timeoutNeeded !== undefined) {
      return {
        why: `${named}`,
        breaks: `the binary's timeout flags ask for ${r.timeoutNeeded}s, and the patch sets timeoutSeconds from the composite resource at compose time, so the native probe may give up sooner than they say. Make sure the patched value is at least ${r.timeoutNeeded}, or drop the flags, and run again`,
        hint: `Crossplane overwrites timeoutSeconds at compose time. Make the composite resource's value (or a transform's) at least ${r.timeoutNeeded}, or drop the binary's timeout flags, then run the tool again.`,
      };
    }
    if (p.role === 'writes' && envNames.length > 0 && container.length > 0 && startsWith(segs, container) && segs[container.length] === 'env') {
      return {
        why: `${named}, the container's env`,
        breaks: `the probe's command reads ${envNames.map((n) => `$(${n})`).join(', ')}, so migrating it here would write the base's value into the grpc probe where the patch sets its own. Patch the probe's grpc.port instead, then run the tool again`,
        hint: `Crossplane sets the variable at compose time. Migrate by hand: replace exec with grpc: {port: N} and patch ${probePath}.grpc.port from the composite resource's field the env patch reads.`,
      };
    }
  }
  return undefined;
}

/** Migratable probes of a Composition's bases that one of its patches needs on exec stay there, blocked, naming the patch. */
export function keepForCompositionPatches(reports: Report[], docs: readonly Document.Parsed<ParsedNode, true>[]): Report[] {
  return reports.map((r) => {
    const doc = docs[Number(r.details?.document) - 1];
    if (!r.fix || !doc || !isMap(doc.contents)) return r;
    const hold = compositionHold(r, doc.contents);
    if (!hold) return r;
    return { ...heldReport(r, 'overlay-patch', `${hold.why}; ${hold.breaks}`), hint: hold.hint };
  });
}

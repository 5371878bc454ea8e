/**
 * Probes in a kustomization's inline patches: `patches: - patch: |-`, `patchesJson6902`,
 * `patchesStrategicMerge` entries written inline. Each literal block is parsed as YAML of its own
 * (a strategic-merge partial object or a JSON 6902 op list), walked like a manifest, and the
 * edits are mapped back into the block with its indentation.
 */
import type { Scalar } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { mentionsBinary } from '../analysis/binary.js';
import { applyEdits } from '../edits/apply.js';
import { findProbeReports } from '../kubernetes/probes.js';
import { getPair, parseYaml, yamlErrorReport } from '../parse/yaml.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { blockScalarView } from './block-scalar.js';
import { controllerLists, controllerName, mayHoldControllerPatches } from './controllers.js';
import { json6902ProbeKey, relabelPartialOps } from './json6902.js';
import { keepForOverlays } from './overlays.js';
import { patchProbeContext } from './patch-targets.js';
import { relabelInlineTransformers } from './transformers.js';
import { targetClusters } from '../analysis/native-probe.js';
import { keepForReleaseValues, releaseRenderedTimeout } from '../helm/chart.js';

export function kustomizationReports(file: SourceFile, run: RunContext): Report[] {
  const { text, eol } = file;
  const parsed = parseYaml(text);
  if (parsed.error) {
    return [yamlErrorReport(parsed.error)];
  }
  const patches = parsed.docs.flatMap((d) => inlinePatches(d.contents));
  const inPatch = (r: Report) => patches.some((p) => r.start >= p.range![0] && r.start < p.range![1]);
  // `helmCharts[].valuesInline` merges over the chart's values.yaml as a values file does: a
  // migrated probe there says `exec: null`, or the chart's default exec would stay beside grpc.
  const mergePatch = (_root: unknown, keyPath: string) => /^helmCharts\[\d+\]\.valuesInline\./.test(keyPath);
  const reports = relabelInlineTransformers(
    // …and says `service: ""`: the chart's default probe may name a service, which would merge in (hunt15 A3).
    findProbeReports({ text, docs: parsed.docs, eol, ...targetClusters(run.options), mergePatch, baseService: () => true, renderedTimeout: releaseRenderedTimeout(file.path, parsed.docs, run) }),
    parsed.docs.map((d) => d.contents),
  ).filter((r) => !inPatch(r));
  for (const patch of patches) {
    if (typeof patch.value === 'string' && mentionsBinary(patch.value)) reports.push(...patchReports(patch, eol, run, file.path));
  }
  // An inline patch merges under later patches and overlays like a patch file does. A
  // `helmCharts` entry is a release: its chart renders valuesInline (a hostNetwork pod, a chart
  // not in the repository), as a Flux HelmRelease's renders its values.
  return reports.map((r) => keepForOverlays(keepForReleaseValues(r, file.path, run), file, run));
}

/** The scalars of a kustomization that hold a patch's text. */
function inlinePatches(root: unknown): Scalar[] {
  if (!isMap(root)) return [];
  const out: Scalar[] = [];
  for (const key of ['patches', 'patchesJson6902']) {
    const list = getPair(root, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      const patch = isMap(item) ? getPair(item, 'patch')?.value : undefined;
      if (isScalar(patch)) out.push(patch);
    }
  }
  const smp = getPair(root, 'patchesStrategicMerge')?.value;
  if (isSeq(smp)) for (const item of smp.items) if (isScalar(item) && typeof item.value === 'string' && item.value.includes('\n')) out.push(item);
  return out;
}

/** How a patch's reports name it: `inline patch` in a kustomization, the Flux Kustomization's entry in its manifest. */
interface PatchLabel {
  /** The message's prefix (`inline patch`, `Flux patch (spec.patches[0].patch)`). */
  prefix: string;
  /** What the patch is, in a sentence (`an inline patch`, `a patch of the Flux Kustomization cni`). */
  what: string;
}

const INLINE: PatchLabel = { prefix: 'inline patch', what: 'an inline patch' };

function patchReports(patch: Scalar, eol: string, run: RunContext, file: string, label: PatchLabel = INLINE): Report[] {
  const start = patch.range![0];
  const end = patch.range![1];
  const blocked = (detail: string): Report[] => [{
    start,
    end,
    subject: 'probe',
    blockers: ['unparseable'],
    keepsBinary: true,
    message: `${label.what} runs grpc_health_probe: ${detail}`,
  }];
  const view = blockScalarView(patch, eol);
  if ('error' in view) return unsplicedReports(patch, view.error, run, file, label) ?? blocked(`${view.error}; write the patch as a literal block (patch: |-)`);
  const inner = parseYaml(view.text);
  if (inner.error) return blocked(`the patch is not valid YAML (${inner.error.message})`);
  // kustomize decodes a patch whose first character is `[` as a JSON 6902 op list in JSON, with
  // a JSON parser: what the tool writes there must be JSON too.
  const json = view.text.startsWith('[') && isJson(view.text);

  let reports = probesOf(view.text, inner.docs, run, file, [start, end], json);

  // The patch must still parse once its own edits are in (as JSON, when it was); otherwise none of them is made.
  const fixed = reports.filter((r) => r.fix && !(r.blockers?.length));
  const result = applyEdits(view.text, fixed.map((r) => ({ owner: r, edits: r.fix! })));
  const problem = parseYaml(result.text).error ?? (json && !isJson(result.text) ? { message: 'it is no longer JSON' } : undefined);
  if (problem) reports = reports.map((r) => (r.fix ? { ...r, fix: null, blockers: ['unparseable'], keepsBinary: true, message: `${r.message}: the rewritten patch would not parse (${problem.message})` } : r));

  return reports.map((r) => {
    const mapped: Report = { ...r, start: view.toOuter(r.start), message: `${label.prefix}: ${r.message}` };
    if (r.end !== undefined) mapped.end = view.toOuter(r.end);
    if (r.fix) mapped.fix = r.fix.map(view.mapEdit);
    return mapped;
  });
}

/** The probe reports of a patch's text, judged in the objects it is applied to (hostNetwork, env and mesh come from there). */
function probesOf(text: string, docs: ReturnType<typeof parseYaml>['docs'], run: RunContext, file: string, range: [number, number], json: boolean): Report[] {
  const built = patchProbeContext(file, run, range);
  const reports = relabelPartialOps(
    // A strategic-merge patch merges into the base probe: a migrated one deletes the base's exec,
    // and says `service: ""` (the base probe may name a service, which would merge in), as a patch
    // file does (src/kubernetes/rule-deps.ts; hunt15 A3).
    findProbeReports({ text, docs, eol: '\n', ...targetClusters(run.options), probeKey: json6902ProbeKey, mergePatch: true, baseService: () => true, style: json ? 'json' : 'yaml', ...(built ? { builtContext: built.builtContext } : {}) }),
    docs,
  );
  return built ? reports.map(built.finish) : reports;
}

/**
 * A patch the tool cannot splice its edits into (a flow or quoted string, a folded block): its
 * probes are judged as a literal block's would be, and each stays on exec, blocked
 * `unsupported-file` with the native probe to write by hand (or blocked for its own reasons).
 * Undefined when its value does not parse or holds no probe (then the patch is blocked whole).
 */
function unsplicedReports(patch: Scalar, why: string, run: RunContext, file: string, label: PatchLabel): Report[] | undefined {
  const text = String(patch.value);
  const inner = parseYaml(text);
  if (inner.error) return undefined;
  const start = patch.range![0];
  const end = patch.range![1];
  const json = text.trimStart().startsWith('[') && isJson(text);
  const reports = probesOf(text, inner.docs, run, file, [start, end], json);
  if (!reports.some((r) => r.subject === 'probe')) return undefined;
  const merge = inner.docs.some((d) => isMap(d.contents));
  const form = why === 'not a block scalar' ? 'a flow or quoted string' : why.startsWith('a folded') ? 'a folded (>) block scalar' : 'a block scalar whose lines the tool cannot map back to the file';
  return reports.map((r): Report => {
    if (r.subject !== 'probe') {
      const { fix: _fix, ...rest } = r;
      return { ...rest, start, end, message: `${label.prefix}: ${r.message}` };
    }
    const base = { start, end, subject: 'probe' as const, keepsBinary: true, ...(r.details ? { details: r.details } : {}) };
    if (r.blockers?.length) return { ...base, blockers: r.blockers, message: `${label.prefix}: ${r.message} (the patch is ${form}, which the tool does not rewrite)`, ...(r.hint ? { hint: r.hint } : {}) };
    const d = r.details ?? {};
    const target = r.target ?? `grpc {port: ${String(d.port)}}`;
    const grpc = `grpc: {port: ${String(d.port)}${typeof d.service === 'string' && d.service ? `, service: ${JSON.stringify(d.service)}` : merge ? ', service: ""' : ''}}`;
    const timeout = typeof d.timeoutSeconds === 'number' ? `, and timeoutSeconds: ${d.timeoutSeconds}` : '';
    return {
      ...base,
      blockers: ['unsupported-file'],
      message: `${label.prefix}: ${r.message.split(': exec grpc_health_probe')[0]} runs grpc_health_probe and could become ${target}, but ${label.what} written as ${form} cannot be rewritten in place, so it stays on exec`,
      hint: merge
        ? `Write the probe by hand in the patch: in place of its exec, exec: null and ${grpc}${timeout} (the patch merges over the object's probe: exec: null deletes its exec handler, which would otherwise stay beside grpc, and service: "" keeps checking the whole server where that probe names a service); or write the patch as a literal block (patch: |-), which the tool rewrites, and run it again.`
        : `Write the probe by hand in the op's value: ${grpc}${timeout} in place of its exec; or write the patch as a literal block (patch: |-), which the tool rewrites, and run it again.`,
    };
  });
}

/**
 * The probes of the patch strings GitOps controllers apply (controllers.ts): a Flux
 * Kustomization's `spec.patches[].patch` (Flux v1's only patch form: a strategic-merge patch or a
 * JSON 6902 op list, with an optional target), an Argo CD Application's
 * `source.kustomize.patches[].patch` (or `sources[i]`'s), a Flux HelmRelease's
 * `postRenderers[].kustomize.patches[].patch`. Rewritten as a kustomization's inline patches are,
 * and judged in the objects the controller applies them to (patch-targets.ts: what its path
 * builds; a HelmRelease's chart is not rendered, so a probe that dials the local host stays on
 * exec). `ranges`: the strings, whose mentions these reports account for.
 */
export function controllerPatchReports(file: SourceFile, docs: readonly { contents: unknown }[], run: RunContext): { reports: Report[]; ranges: [number, number][] } {
  const reports: Report[] = [];
  const ranges: [number, number][] = [];
  if (!mayHoldControllerPatches(file.text)) return { reports, ranges };
  for (const doc of docs) {
    for (const c of controllerLists(doc.contents)) {
      const list = getPair(c.lists, 'patches')?.value;
      (isSeq(list) ? list.items : []).forEach((item, i) => {
        const patch = isMap(item) ? getPair(item, 'patch')?.value : undefined;
        if (!isScalar(patch) || typeof patch.value !== 'string' || !patch.range || !mentionsBinary(patch.value)) return;
        ranges.push([patch.range[0], patch.range[1]]);
        const at = `${c.at}.patches[${i}].patch`;
        const label: PatchLabel = c.controller === 'flux-helmrelease'
          ? { prefix: `Flux post-renderer patch (${at})`, what: `a post-renderer patch of the Flux HelmRelease ${c.name}` }
          : { prefix: `${c.controller === 'argo-cd' ? 'Argo CD' : 'Flux'} patch (${at})`, what: `a patch of ${controllerName(c)}` };
        reports.push(...patchReports(patch, file.eol, run, file.path, label));
      });
    }
  }
  return { reports, ranges };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

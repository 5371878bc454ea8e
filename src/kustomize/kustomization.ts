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
    findProbeReports({ text, docs: parsed.docs, eol, ...targetClusters(run.options), mergePatch, renderedTimeout: releaseRenderedTimeout(file.path, parsed.docs, run) }),
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

function patchReports(patch: Scalar, eol: string, run: RunContext, file: string): Report[] {
  const start = patch.range![0];
  const end = patch.range![1];
  const blocked = (detail: string): Report[] => [{
    start,
    end,
    subject: 'probe',
    blockers: ['unparseable'],
    keepsBinary: true,
    message: `an inline patch runs grpc_health_probe: ${detail}`,
  }];
  const view = blockScalarView(patch, eol);
  if ('error' in view) return blocked(`${view.error}; write the patch as a literal block (patch: |-)`);
  const inner = parseYaml(view.text);
  if (inner.error) return blocked(`the patch is not valid YAML (${inner.error.message})`);
  // kustomize decodes a patch whose first character is `[` as a JSON 6902 op list in JSON, with
  // a JSON parser: what the tool writes there must be JSON too.
  const json = view.text.startsWith('[') && isJson(view.text);

  // Its probes run in the objects it is applied to: hostNetwork, env and mesh come from there.
  const built = patchProbeContext(file, run, [start, end]);
  let reports = relabelPartialOps(
    // A strategic-merge patch merges into the base probe: a migrated one deletes the base's exec.
    findProbeReports({ text: view.text, docs: inner.docs, eol: '\n', ...targetClusters(run.options), probeKey: json6902ProbeKey, mergePatch: true, style: json ? 'json' : 'yaml', ...(built ? { builtContext: built.builtContext } : {}) }),
    inner.docs,
  );
  if (built) reports = reports.map(built.finish);

  // The patch must still parse once its own edits are in (as JSON, when it was); otherwise none of them is made.
  const fixed = reports.filter((r) => r.fix && !(r.blockers?.length));
  const result = applyEdits(view.text, fixed.map((r) => ({ owner: r, edits: r.fix! })));
  const problem = parseYaml(result.text).error ?? (json && !isJson(result.text) ? { message: 'it is no longer JSON' } : undefined);
  if (problem) reports = reports.map((r) => (r.fix ? { ...r, fix: null, blockers: ['unparseable'], keepsBinary: true, message: `${r.message}: the rewritten patch would not parse (${problem.message})` } : r));

  return reports.map((r) => {
    const mapped: Report = { ...r, start: view.toOuter(r.start), message: `inline patch: ${r.message}` };
    if (r.end !== undefined) mapped.end = view.toOuter(r.end);
    if (r.fix) mapped.fix = r.fix.map(view.mapEdit);
    return mapped;
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

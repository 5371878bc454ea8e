/**
 * Helm values written as a string of YAML in a manifest, which a release of the repository reads
 * (releases.ts, valuesStringsIn): a ConfigMap's `data.values.yaml` (or a Secret's `stringData`)
 * that a Flux HelmRelease's `valuesFrom` names (by name and `valuesKey`), a k3s/RKE2 HelmChart's
 * `spec.valuesContent`, and an Argo CD Application's `helm.values` (`spec.source`, `spec.sources[i]`,
 * an ApplicationSet's `spec.template.spec`). Their probes are values probes of that release: merged over its chart's
 * values (`exec: null`, `service: ""`), judged by the chart's templates as a release's inline
 * values are (keepForReleaseValues: a pod on the host's network, a chart not in the repository). A
 * literal block is rewritten in place, as a kustomization's inline patch is (the block's lines
 * mapped back to the file); a quoted, flow or folded string is not: its probes stay on exec,
 * blocked `unsupported-file` with the native probe to write by hand.
 */
import type { Scalar } from 'yaml';
import { isMap, isScalar } from '../parse/yaml-lib.js';
import { mentionsBinary } from '../analysis/binary.js';
import { targetClusters } from '../analysis/native-probe.js';
import { applyEdits } from '../edits/apply.js';
import { findProbeReports } from '../kubernetes/probes.js';
import { blockScalarView } from '../kustomize/block-scalar.js';
import { getPair, nodeAt, parseYaml } from '../parse/yaml.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { keepForReleaseValues, stringRenderedTimeout } from './chart.js';
import { valuesStringsIn } from './releases.js';

/** The reports of a manifest's values strings, and the strings' ranges (whose mentions these reports account for). */
export function valuesStringReports(file: SourceFile, docs: readonly { contents: unknown }[], run: RunContext): { reports: Report[]; ranges: [number, number][] } {
  const reports: Report[] = [];
  const ranges: [number, number][] = [];
  if (!/\b(ConfigMap|Secret)\b|helm\.cattle\.io\/|argoproj\.io\//.test(file.text) || !mentionsBinary(file.text)) return { reports, ranges };
  docs.forEach((doc, i) => {
    if (!isMap(doc.contents)) return;
    for (const [at, readers] of valuesStringsIn(file.path, i, run)) {
      // `data.values.yaml`: the first key, then the rest (a key may hold dots); else a key path (`spec.sources[0].helm.values`).
      const dot = at.indexOf('.');
      const parent = getPair(doc.contents, at.slice(0, dot))?.value;
      const node = (isMap(parent) ? getPair(parent, at.slice(dot + 1))?.value : undefined) ?? nodeAt(doc.contents, at);
      if (!isScalar(node) || typeof node.value !== 'string' || !node.range || !mentionsBinary(node.value)) continue;
      const found = stringReports(node, at, i, readers, file, run);
      if (!found) continue;
      ranges.push([node.range[0], node.range[1]]);
      reports.push(...found);
    }
  });
  return { reports, ranges };
}

function stringReports(node: Scalar, at: string, doc: number, readers: string[], file: SourceFile, run: RunContext): Report[] | undefined {
  const view = blockScalarView(node, file.eol);
  const text = 'error' in view ? String(node.value) : view.text;
  const inner = parseYaml(text);
  if (inner.error || !inner.docs.some((d) => isMap(d.contents))) return undefined;
  const prefix = `Helm values string (${at}, read by ${readers.join(' and ')})`;
  const start = node.range![0];
  const end = node.range![1];
  let reports = findProbeReports({
    text,
    docs: inner.docs,
    eol: '\n',
    ...targetClusters(run.options),
    // Values merge over the chart's, whose probe may name a service.
    mergePatch: true,
    baseService: () => true,
    renderedTimeout: stringRenderedTimeout(file.path, doc, at, run),
  }).map((r) => {
    // As the release reads them: key paths in the document (releasesHolding), the chart's templates judge them.
    const placed: Report = { ...r, ...(r.keyPath !== undefined ? { keyPath: `${at}.${r.keyPath}` } : {}), details: { ...(r.details ?? {}), document: doc + 1 } };
    return r.subject === 'probe' ? keepForReleaseValues(placed, file.path, run) : placed;
  });
  if (!reports.some((r) => r.subject === 'probe')) return undefined;

  if ('error' in view) {
    // An Argo CD Application's values may also move to helm.valuesObject, a mapping.
    const argo = at.endsWith('helm.values');
    const form = view.error === 'not a block scalar' ? 'a flow or quoted string' : view.error.startsWith('a folded') ? 'a folded (>) block scalar' : 'a block scalar whose lines the tool cannot map back to the file';
    return reports.map((r): Report => {
      const { fix: _fix, ...rest } = r;
      if (r.subject !== 'probe') return { ...rest, start, end, message: `${prefix}: ${r.message}` };
      if (r.blockers?.length) return { ...rest, start, end, keepsBinary: true, message: `${prefix}: ${r.message} (the values are ${form}, which the tool does not rewrite)` };
      const d = r.details ?? {};
      const target = r.target ?? `grpc {port: ${String(d.port)}}`;
      const grpc = `grpc: {port: ${String(d.port)}, service: ${typeof d.service === 'string' && d.service ? JSON.stringify(d.service) : '""'}}`;
      const timeout = typeof d.timeoutSeconds === 'number' ? `, and timeoutSeconds: ${d.timeoutSeconds}` : '';
      return {
        ...rest,
        start,
        end,
        keepsBinary: true,
        blockers: ['unsupported-file'],
        message: `${prefix}: ${r.message.split(': exec grpc_health_probe')[0]} runs grpc_health_probe and could become ${target}, but values written as ${form} cannot be rewritten in place, so it stays on exec`,
        hint: `Write the probe by hand in the values: in place of its exec, exec: null and ${grpc}${timeout} (the values merge over the chart's: exec: null deletes the chart's exec handler, and service: "" keeps checking the whole server where the chart's probe names a service); or write the values as a literal block (|)${argo ? ' or as helm.valuesObject (Argo CD 2.8 or later)' : ''}, which the tool rewrites, and run it again.`,
      };
    });
  }

  // The values must still parse once their own edits are in; otherwise none of them is made.
  const fixed = reports.filter((r) => r.fix && !(r.blockers?.length));
  const result = applyEdits(view.text, fixed.map((r) => ({ owner: r, edits: r.fix! })));
  const problem = parseYaml(result.text).error;
  if (problem) reports = reports.map((r) => (r.fix ? { ...r, fix: null, blockers: ['unparseable'], keepsBinary: true, message: `${r.message}: the rewritten values would not parse (${problem.message})` } : r));
  return reports.map((r) => {
    const mapped: Report = { ...r, start: view.toOuter(r.start), message: `${prefix}: ${r.message}` };
    if (r.end !== undefined) mapped.end = view.toOuter(r.end);
    if (r.fix) mapped.fix = r.fix.map(view.mapEdit);
    return mapped;
  });
}

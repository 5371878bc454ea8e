import path from 'node:path';
import type { Rule } from '../src/types.js';
import { targetClusters } from '../src/analysis/native-probe.js';

/** Kubernetes YAML (manifests, CRDs, Lists, values files): exec probes → native gRPC probes. */
const rule: Rule = {
  meta: {
    id: 'kubernetes-exec-probe',
    description: 'Exec probes that run grpc_health_probe become native gRPC probes',
    fixable: true,
    fileKinds: ['yaml', 'helm-values'],
    docs: 'Rewrites livenessProbe/readinessProbe/startupProbe whose exec.command runs grpc_health_probe into grpc: {port, service}, raising timeoutSeconds to keep -connect-timeout/-rpc-timeout. Probes that use TLS, headers, other hosts, shell logic or unresolvable ports are reported with their blockers; other uses of the binary in the file are reported as not-a-probe.',
  },
  create(run) {
    return {
      async file(ctx) {
        // The yaml parser loads with the first candidate, not at start-up (README, "Start-up").
        const { parseYaml, yamlErrorReport, findProbeReports, chartKubeVersionBlockers, findChart, isManifest, isValuesOverride, keepForValuesOverrides, subchartNames, isMap, json6902ProbeKey, relabelPartialOps, isStrategicMergePatch, keepForOverlays } =
          await import('../src/kubernetes/rule-deps.js');
        const { text, eol } = ctx.file;
        const parsed = ctx.cached('yaml', () => parseYaml(text));
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error));
          return;
        }
        // A chart's values files (values.yaml and any other YAML of the chart outside templates/,
        // charts/, crds/) follow its Chart.yaml kubeVersion, like its templates; all but values.yaml
        // merge over it, as do values files outside any chart.
        const chart = ctx.file.kind === 'helm-values' || ctx.file.kind === 'yaml' ? findChart(ctx.file.path, run) : undefined;
        const inChart = chart !== undefined && !/^(\.\.\/|(templates|charts|crds)\/)/.test(path.relative(chart.root, ctx.file.path).split(path.sep).join('/'));
        // Only values follow the chart's kubeVersion: a manifest kept in the chart's folder does not.
        const valuesDocs = parsed.docs.some((d) => isMap(d.contents) && !isManifest(d.contents));
        const extraBlockers = inChart && (ctx.file.kind === 'helm-values' || (valuesDocs && isValuesOverride(ctx.file.path, chart))) ? chartKubeVersionBlockers(chart, run) : [];
        const valuesMerge = (inChart || ctx.file.kind === 'helm-values') && isValuesOverride(ctx.file.path, inChart ? chart : undefined);
        // A chart's values under a subchart's name merge over that subchart's values.yaml.
        const subcharts = inChart ? subchartNames(chart) : new Set<string>();
        const reports = findProbeReports({
          text,
          docs: parsed.docs,
          eol,
          ...targetClusters(run.options),
          extraBlockers,
          probeKey: json6902ProbeKey,
          mergePatch:
            isStrategicMergePatch(ctx.file.path, run) ||
            ((valuesMerge || subcharts.size > 0) && ((root, keyPath) => !isManifest(root) && (valuesMerge || subcharts.has(keyPath.slice(0, keyPath.indexOf('.')))))),
        });
        for (const r of relabelPartialOps(reports, parsed.docs)) {
          ctx.report(keepForValuesOverrides(keepForOverlays(r, ctx.file, run), inChart ? chart : undefined, ctx.file.path, run));
        }
      },
    };
  },
};

export default rule;

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
        const [{ parseYaml, yamlErrorReport }, { findProbeReports }, { chartKubeVersionBlockers, findChart }, { json6902ProbeKey, relabelPartialOps }, { isStrategicMergePatch, keepForOverlays }] =
          await Promise.all([
            import('../src/parse/yaml.js'),
            import('../src/kubernetes/probes.js'),
            import('../src/helm/chart.js'),
            import('../src/kustomize/json6902.js'),
            import('../src/kustomize/overlays.js'),
          ]);
        const { text, eol } = ctx.file;
        const parsed = ctx.cached('yaml', () => parseYaml(text));
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error));
          return;
        }
        // A chart's values follow its Chart.yaml kubeVersion, like its templates.
        const extraBlockers = ctx.file.kind === 'helm-values' ? chartKubeVersionBlockers(findChart(ctx.file.path, run), run) : [];
        const reports = findProbeReports({ text, docs: parsed.docs, eol, ...targetClusters(run.options), extraBlockers, probeKey: json6902ProbeKey, mergePatch: isStrategicMergePatch(ctx.file.path, run) });
        for (const r of relabelPartialOps(reports, parsed.docs)) {
          ctx.report(keepForOverlays(r, ctx.file, run));
        }
      },
    };
  },
};

export default rule;

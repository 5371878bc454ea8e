import type { Rule } from '../src/types.js';

/** Kubernetes YAML (manifests, CRDs, Lists, values files): exec probes → native gRPC probes. */
const rule: Rule = {
  meta: {
    id: 'kubernetes-exec-probe',
    description: 'Exec probes that run grpc_health_probe become native gRPC probes',
    fixable: true,
    fileKinds: ['yaml', 'helm-values'],
    docs: 'Rewrites livenessProbe/readinessProbe/startupProbe whose exec.command runs grpc_health_probe into grpc: {port, service}, raising timeoutSeconds to keep -connect-timeout/-rpc-timeout. Probes that use TLS, headers, other hosts, shell logic or unresolvable ports are reported with their blockers; other uses of the binary in the file are reported as not-a-probe. In a merge patch (a Kustomize strategic-merge patch, a Helm values file over values.yaml, Helm values or patch objects inside a manifest such as a HelmRelease\'s spec.values) a migrated probe also gets exec: null; a probe that such a patch keeps on exec stays on exec (overlay-patch).',
  },
  create(run) {
    return {
      async file(ctx) {
        // The yaml parser loads with the first candidate, not at start-up (README, "Start-up").
        const { parseYaml, yamlErrorReport, reportManifestProbes, textKind, preparePatchHolds } = await import('../src/kubernetes/rule-deps.js');
        // Pulumi and cdk8s code may address a probe's exec: its reader loads only where such a project is.
        await preparePatchHolds(run);
        const parsed = ctx.cached('yaml', () => parseYaml(ctx.file.text));
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error, ctx.file.text));
          return;
        }
        // JSON is YAML: a .yaml file that holds JSON (`kubectl get -o json > x.yaml`) stays JSON.
        reportManifestProbes(ctx, run, parsed.docs, textKind(ctx.file.text) === 'json' ? 'json' : 'yaml');
      },
    };
  },
};

export default rule;

import type { Rule } from '../src/types.js';

/** Kubernetes YAML (manifests, CRDs, Lists, values files): exec probes → native gRPC probes. */
const rule: Rule = {
  meta: {
    id: 'kubernetes-exec-probe',
    description: 'Exec probes that run grpc_health_probe become native gRPC probes',
    fixable: true,
    fileKinds: ['yaml', 'helm-values'],
    docs: 'Rewrites livenessProbe/readinessProbe/startupProbe whose exec.command runs grpc_health_probe into grpc: {port, service}, raising timeoutSeconds to keep -connect-timeout/-rpc-timeout. Probes that use TLS, headers, other hosts, shell logic or unresolvable ports are reported with their blockers; other uses of the binary in the file are reported as not-a-probe. In a merge patch (a Kustomize strategic-merge patch, a Helm values file over values.yaml) a migrated probe also gets exec: null; a probe that such a patch keeps on exec stays on exec (overlay-patch).',
  },
  create(run) {
    return {
      async file(ctx) {
        // The yaml parser loads with the first candidate, not at start-up (README, "Start-up").
        const { parseYaml, yamlErrorReport, reportManifestProbes } = await import('../src/kubernetes/rule-deps.js');
        const parsed = ctx.cached('yaml', () => parseYaml(ctx.file.text));
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error));
          return;
        }
        // A YAML file written as a JSON array (a JSON 6902 patch, `patch.yaml`): kustomize reads a
        // patch that starts with `[` with a JSON parser, so the new keys are written as JSON.
        reportManifestProbes(ctx, run, parsed.docs, ctx.file.text.startsWith('[') && isJson(ctx.file.text) ? 'json' : 'yaml');
      },
    };
  },
};

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export default rule;

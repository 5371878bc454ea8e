import type { Rule } from '../src/types.js';

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
        const [{ parseYaml }, { findProbeReports }] = await Promise.all([import('../src/parse/yaml.js'), import('../src/kubernetes/probes.js')]);
        const { text, eol } = ctx.file;
        const parsed = ctx.cached('yaml', () => parseYaml(text));
        if (parsed.error) {
          ctx.report({
            start: parsed.error.offset,
            subject: 'file',
            error: true,
            blockers: ['unparseable'],
            message: `not valid YAML (${parsed.error.message}); the file was left unchanged`,
          });
          return;
        }
        for (const r of findProbeReports({ text, docs: parsed.docs, eol, kubeVersion: run.options.kubeVersion })) ctx.report(r);
      },
    };
  },
};

export default rule;

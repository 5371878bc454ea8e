import type { Rule } from '../src/types.js';

/** kustomization.yaml: exec probes inside inline patches (strategic merge and JSON 6902). */
const rule: Rule = {
  meta: {
    id: 'kustomize-patch-probe',
    description: 'Exec probes in a kustomization\'s inline patches that run grpc_health_probe become native gRPC probes',
    fixable: true,
    fileKinds: ['kustomization'],
    docs: 'Parses each literal-block inline patch (patches[].patch, patchesJson6902[].patch, inline patchesStrategicMerge entries) as YAML of its own, rewrites probes in strategic-merge objects and in JSON 6902 add/replace ops whose path ends in a probe, and splices the edits back with the block\'s indentation. Patch files are plain YAML or JSON and go through kubernetes-exec-probe / kubernetes-json-probe.',
  },
  create(run) {
    return {
      async file(ctx) {
        const { kustomizationReports } = await import('../src/kustomize/kustomization.js');
        for (const r of kustomizationReports(ctx.file, run)) ctx.report(r);
      },
    };
  },
};

export default rule;

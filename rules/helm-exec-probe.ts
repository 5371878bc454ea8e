import type { Rule } from '../src/types.js';

/** Helm templates (`templates/*.yaml`, `*.tpl`): exec probes → native gRPC probes, actions kept. */
const rule: Rule = {
  meta: {
    id: 'helm-exec-probe',
    description: 'Exec probes in Helm templates that run grpc_health_probe become native gRPC probes',
    fixable: true,
    fileKinds: ['helm-template'],
    docs: 'Masks every {{ }} action with a same-length placeholder, parses the rest as YAML and rewrites probes like the manifest rule, keeping templated ports ({{ .Values.port }}). A {{ if }} grpc {{ else }} exec {{ end }} toggle collapses to its grpc branch when both agree; commands that change under a condition, and charts whose kubeVersion allows clusters before 1.24, are blocked.',
  },
  create(run) {
    return {
      async file(ctx) {
        // Imported at the first template: a run without Helm charts never loads the masker.
        const { helmTemplateReports } = await import('../src/helm/template.js');
        // A chart a kustomization inflates (helmCharts) is a base its patches merge into.
        const { keepForOverlays } = await import('../src/kustomize/overlays.js');
        // A chart Go code embeds (an operator that renders it) and whose probes' Exec it reads, as for its values.yaml.
        const { keepForGoReaders } = await import('../src/kubernetes/go-readers.js');
        // A script's kubectl patch or yq expression into a probe's exec, for an object of the kind and a name the template may render.
        const { keepForPatchCommands, preparePatchHolds, templateObject } = await import('../src/kubernetes/patch-commands.js');
        await preparePatchHolds(run);
        const object = templateObject(ctx.file.text);
        for (const r of helmTemplateReports(ctx.file, run)) ctx.report(keepForOverlays(keepForPatchCommands(keepForGoReaders(r, ctx.file, run), ctx.file, run, object), ctx.file, run));
      },
    };
  },
};

export default rule;

import type { Rule } from '../src/types.js';

/**
 * Kubernetes objects (and Lists) written as JSON. JSON is YAML, so the yaml parser gives the
 * offsets; the probe walk writes the new keys in JSON style with the file's own indentation.
 */
const rule: Rule = {
  meta: {
    id: 'kubernetes-json-probe',
    description: 'Exec probes in JSON manifests that run grpc_health_probe become native gRPC probes, written as JSON',
    fixable: true,
    fileKinds: ['json'],
    docs: 'The kubernetes-exec-probe rule for .json files: the same analysis, with the grpc object written in JSON style (the file\'s indentation, or inline when the probe was inline). The result must parse with JSON.parse. A chart\'s values*.json files are Helm values files, like its values*.yaml.',
  },
  create(run) {
    return {
      async file(ctx) {
        const { parseYaml, reportManifestProbes, preparePatchHolds } = await import('../src/kubernetes/rule-deps.js');
        await preparePatchHolds(run);
        const { text, eol } = ctx.file;
        try {
          JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        } catch {
          const { jsonBrokenAt, jsonSyntaxError } = await import('../src/reparse.js');
          const problem = jsonSyntaxError(text) ?? { offset: 0, message: 'JSON.parse refused it' };
          // JSON cut short or with a quote left open is broken wherever it lives: an error, as for YAML.
          const broken = jsonBrokenAt(text);
          if (broken) {
            // Node's first complaint may be a comment before the break: name the break itself then.
            const at = problem.message === 'a comment' || problem.message === 'a trailing comma' ? broken : problem;
            ctx.report({
              start: at.offset,
              subject: 'file',
              error: true,
              blockers: ['unparseable'],
              keepsBinary: true,
              message: `not valid JSON (${at.message}); the file was left unchanged`,
              hint: 'Fix the JSON at this line (kubectl refuses the file as it is), then run the tool again. Until then every install of the binary stays.',
            });
            return;
          }
          // Not an error: JSON-with-comments files (tsconfig, devcontainer.json) are valid where they live.
          ctx.report({
            start: problem.offset,
            subject: 'file',
            blockers: ['unparseable'],
            keepsBinary: true,
            message: `names grpc_health_probe but is not plain JSON (${problem.message}); the file was left unchanged`,
          });
          return;
        }
        const parsed = parseYaml(text);
        if (parsed.error) {
          ctx.report({
            start: parsed.error.offset,
            subject: 'file',
            error: true,
            blockers: ['unparseable'],
            message: `valid JSON the tool cannot read with offsets (${parsed.error.message}); the file was left unchanged`,
            ...(/unique/.test(parsed.error.message)
              ? { hint: 'An object names this key twice (JSON.parse keeps the last, kubectl refuses or warns): remove the one not meant, then run the tool again. Until then every install of the binary stays.' }
              : {}),
          });
          return;
        }
        // A chart's values-prod.json is a values file like its values-prod.yaml (`helm -f`): it merges over values.yaml.
        reportManifestProbes(ctx, run, parsed.docs, 'json');
      },
    };
  },
};

export default rule;

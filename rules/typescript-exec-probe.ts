import type { Report, Rule } from '../src/types.js';
import type { Project } from 'ts-morph';
import { targetClusters } from '../src/analysis/native-probe.js';

/** cdk8s, Pulumi, plain objects in TypeScript/JavaScript: exec probes → native gRPC probes. */
const rule: Rule = {
  meta: {
    id: 'typescript-exec-probe',
    description: 'Exec probes in TypeScript/JavaScript object literals (cdk8s, Pulumi) become native gRPC probes',
    fixable: true,
    fileKinds: ['typescript'],
    docs: 'Rewrites the exec property of readinessProbe/livenessProbe/startupProbe object literals whose command runs grpc_health_probe into grpc: {port, service}, in the file\'s own style, with the same analysis and blockers as YAML. Ports come from literals, templates, + of them and numeric consts of the file; anything else is unresolved-port. A probe in Helm values written in code (values of a Helm release or chart) also gets exec: null. ECS health checks are no-native-check, container commands not-a-probe, an exec handler outside a probe key unparseable; a constant naming the binary that is exported keeps it; any other string naming the binary is reported.',
  },
  create(run) {
    // One in-memory project per run; each file is added, read and removed.
    let project: Project | undefined;
    let count = 0;
    return {
      async file(ctx) {
        const [{ createProject, syntaxProblems }, { findTypeScriptReports }] = await Promise.all([import('../src/typescript/morph.js'), import('../src/typescript/probes.js')]);
        const { eol, displayPath } = ctx.file;
        project ??= createProject();
        const ext = /\.[cm]?[jt]s$/i.exec(displayPath)?.[0].toLowerCase() ?? '.ts';
        // The compiler drops a BOM from positions; read the text after it and shift back.
        const bom = ctx.file.text.startsWith('\uFEFF') ? 1 : 0;
        const text = ctx.file.text.slice(bom);
        const report = (r: Report) => ctx.report(bom ? shifted(r, bom) : r);
        const file = project.createSourceFile(`/scan/${count++}${ext}`, text, { overwrite: true });
        try {
          const problems = syntaxProblems(project, file);
          if (problems.length > 0) {
            const p = problems[0]!;
            report({
              start: p.offset,
              subject: 'file',
              error: true,
              blockers: ['unparseable'],
              message: `not valid ${/\.[cm]?js$/i.test(ext) ? 'JavaScript' : 'TypeScript'} (${p.message}); the file was left unchanged`,
            });
            return;
          }
          for (const r of findTypeScriptReports({ file, text, eol, ...targetClusters(run.options) })) report(r);
        } finally {
          project.removeSourceFile(file);
        }
      },
    };
  },
};

function shifted(r: Report, by: number): Report {
  const out: Report = { ...r, start: r.start + by };
  if (r.end !== undefined) out.end = r.end + by;
  if (r.fix) out.fix = r.fix.map((e) => ({ ...e, start: e.start + by, end: e.end + by }));
  return out;
}

export default rule;

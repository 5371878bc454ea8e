import path from 'node:path';
import { filesMayHold } from '../src/discover/grep.js';
import type { Report, Rule } from '../src/types.js';
import type { Project } from 'ts-morph';
import { targetClusters } from '../src/analysis/native-probe.js';
import { mentionOffsets } from '../src/analysis/mentions.js';
import { mentionsBinary } from '../src/analysis/binary.js';
import { lineStartOf } from '../src/text/lines.js';

/** cdk8s, Pulumi, plain objects in TypeScript/JavaScript: exec probes → native gRPC probes. */
/** A file that does not compile: the TypeScript compiler's own message says what to fix. */
const SYNTAX_HINT = 'Fix the syntax at this line (tsc reports the same error), then run the tool again. Until then every install of the binary stays.';

const rule: Rule = {
  meta: {
    id: 'typescript-exec-probe',
    description: 'Exec probes in TypeScript/JavaScript object literals (cdk8s, Pulumi) become native gRPC probes',
    fixable: true,
    fileKinds: ['typescript'],
    docs: 'Rewrites the exec property of readinessProbe/livenessProbe/startupProbe object literals whose command runs grpc_health_probe into grpc: {port, service}, in the file\'s own style, with the same analysis and blockers as YAML, the pod read from the object literals around the container (hostNetwork, a service mesh, the container list, through consts of the file and spreads); a Helm release of a chart in the repository has its values probes judged through that chart. Ports come from literals, templates, + of them and numeric consts of the file; anything else is unresolved-port. A probe in Helm values written in code (values of a Helm release or chart) also gets exec: null; one the tool takes for the values of a release without seeing which release (a spread, a function, a file that the file of a release imports) keeps a loopback -addr on exec (host). ECS health checks are no-native-check, container commands not-a-probe, an exec handler outside a probe key unparseable; a constant naming the binary that is exported keeps it; any other string naming the binary is reported.',
  },
  create(run) {
    // One in-memory project per run; each file is added, read and removed.
    let project: Project | undefined;
    let count = 0;
    // The code files of the run that set hostNetwork (display paths), read once, when a container
    // the tool cannot place in a pod spec asks: it may end up in one of theirs.
    let hostNetworkFiles: { abs: string; shown: string }[] | undefined;
    const hostNetworkFilesOf = () => {
      if (hostNetworkFiles) return hostNetworkFiles;
      // The repository's, not only the run's: a pre-commit run names one file.
      const code = run.repositoryFiles().filter((f) => /\.[cm]?[jt]sx?$/i.test(f) && !f.endsWith('.d.ts'));
      const may = filesMayHold(run, code, 'hostNetwork');
      hostNetworkFiles = code
        .filter((f) => (may === undefined || may.has(f)) && run.readText(f)?.includes('hostNetwork'))
        .map((abs) => ({ abs, shown: path.relative(run.cwd, abs).split(path.sep).join('/') }));
      return hostNetworkFiles;
    };
    // The code files of the repository that make a Helm release or chart, with the files they
    // import (absolute, without extension), read once, when a probe outside any container list asks.
    let helmImporters: { shown: string; imports: Set<string> }[] | undefined;
    const helmImportersOf = async () => {
      if (helmImporters) return helmImporters;
      const [{ createProject }, { makesHelmRelease }, { importedModules }] = await Promise.all([
        import('../src/typescript/morph.js'),
        import('../src/typescript/probes.js'),
        import('../src/typescript/helm-release.js'),
      ]);
      const code = run.repositoryFiles().filter((f) => /\.[cm]?[jt]sx?$/i.test(f) && !f.endsWith('.d.ts'));
      const may = filesMayHold(run, code, '(?i)helm');
      helmImporters = [];
      project ??= createProject();
      for (const abs of code) {
        if (may !== undefined && !may.has(abs)) continue;
        const text = run.readText(abs);
        if (text === undefined || !/helm/i.test(text) || longestLine(text) > GENERATED_LINE) continue;
        const file = project.createSourceFile(`/scan/helm-${count++}${/\.[cm]?[jt]sx?$/i.exec(abs)![0].toLowerCase()}`, text, { overwrite: true });
        try {
          if (!makesHelmRelease(file)) continue;
          const imports = new Set(importedModules(file).map((spec) => path.resolve(path.dirname(abs), spec.replace(/\.[cm]?[jt]sx?$/i, ''))));
          if (imports.size > 0) helmImporters.push({ shown: path.relative(run.cwd, abs).split(path.sep).join('/'), imports });
        } finally {
          project.removeSourceFile(file);
        }
      }
      return helmImporters;
    };
    return {
      async file(ctx) {
        const [{ createProject, syntaxProblems }, { findTypeScriptReports }, { cdk8sImportBlockers }, { pulumiConfig }] = await Promise.all([
          import('../src/typescript/morph.js'),
          import('../src/typescript/probes.js'),
          import('../src/typescript/cdk8s.js'),
          import('../src/typescript/pulumi-config.js'),
        ]);
        // Loaded with the probes module above (src/kubernetes/probes.ts imports it).
        const { crdProbeSchema } = await import('../src/kubernetes/crd-schemas.js');
        const { eol, displayPath } = ctx.file;
        project ??= createProject();
        const ext = /\.[cm]?[jt]s$/i.exec(displayPath)?.[0].toLowerCase() ?? '.ts';
        // The compiler drops a BOM from positions; read the text after it and shift back.
        const bom = ctx.file.text.startsWith('\uFEFF') ? 1 : 0;
        const text = ctx.file.text.slice(bom);
        const report = (r: Report) => ctx.report(bom ? shifted(r, bom) : r);
        const longest = longestLine(text);
        if (longest > GENERATED_LINE) {
          // A bundle or minified build (a GitHub Action's dist/index.js): ts-morph's reading of
          // comments scans each statement's whole line, which is minutes on a 2 MB one-line file,
          // and a rewrite there would be undone by the next build anyway.
          for (const at of firstMentionPerLine(text)) {
            report({
              start: at,
              end: at + 'grpc_health_probe'.length,
              subject: 'consumer',
              blockers: ['unparseable'],
              keepsBinary: true,
              message: `grpc_health_probe is named in generated code (a line of ${longest} characters: a bundle or a minified build); the tool does not read or rewrite it`,
              hint: 'Change the source this file is built from and rebuild it, then run the tool again. The binary stays installed while this file names it.',
            });
          }
          return;
        }
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
              hint: SYNTAX_HINT,
            });
            return;
          }
          const customResourceSchema = (resource: { apiVersion: string; kind: string }, keyPath: string) => crdProbeSchema(run, resource, keyPath);
          // A Helm release in code may install a chart of the repository (`chart: "../charts/x"`).
          const releaseChart = /helm/i.test(text) ? (await import('../src/typescript/helm-release.js')).releaseCharts(ctx.file.path, run) : undefined;
          // Asked only for a container the tool cannot place in a pod spec.
          const hostNetworkElsewhere = () => hostNetworkFilesOf().find((f) => f.abs !== ctx.file.path)?.shown;
          // A file another one imports and makes a Helm release with: its probes may be that release's values.
          const self = ctx.file.path.replace(/\.[cm]?[jt]sx?$/i, '');
          const importers = mentionsBinary(text) ? (await helmImportersOf()).filter((h) => h.imports.has(self) || (path.basename(self) === 'index' && h.imports.has(path.dirname(self)))) : [];
          const helmReleaseImporting = () => importers[0]?.shown;
          for (const r of findTypeScriptReports({ file, text, eol, ...targetClusters(run.options), generatedTypeBlockers: cdk8sImportBlockers(ctx.file.path, run), config: pulumiConfig(ctx.file.path, run), customResourceSchema, hostNetworkElsewhere, helmReleaseImporting, ...(releaseChart ? { releaseChart } : {}) })) report(r);
        } finally {
          project.removeSourceFile(file);
        }
      },
    };
  },
};

/** No hand-written line is this long; a bundler's or minifier's output line is. */
const GENERATED_LINE = 10_000;

function longestLine(text: string): number {
  let longest = 0;
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (end - start > longest) longest = end - start;
    start = end + 1;
  }
  return longest;
}

function firstMentionPerLine(text: string): number[] {
  const out: number[] = [];
  let lastLine = -1;
  for (const at of mentionOffsets(text)) {
    const line = lineStartOf(text, at);
    if (line !== lastLine) out.push(at);
    lastLine = line;
  }
  return out;
}

function shifted(r: Report, by: number): Report {
  const out: Report = { ...r, start: r.start + by };
  if (r.end !== undefined) out.end = r.end + by;
  if (r.fix) out.fix = r.fix.map((e) => ({ ...e, start: e.start + by, end: e.end + by }));
  return out;
}

export default rule;

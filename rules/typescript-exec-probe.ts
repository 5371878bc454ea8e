import path from 'node:path';
import { filesMayHold } from '../src/discover/grep.js';
import type { Report, Rule } from '../src/types.js';
import type { Project, SourceFile } from 'ts-morph';
import { targetClusters } from '../src/analysis/native-probe.js';
import { mentionOffsets } from '../src/analysis/mentions.js';
import { lineStartOf } from '../src/text/lines.js';

/** cdk8s, Pulumi, plain objects in TypeScript/JavaScript: exec probes → native gRPC probes. */
/** What the rule reads other code files with (the modules it has loaded). */
interface CodeApi {
  createProject: () => Project;
  makesHelmRelease: (file: SourceFile) => boolean;
  importedModules: (file: SourceFile) => string[];
  podSpecUnknownIn: (file: SourceFile) => { line: number; why: string } | undefined;
}

/** A file that does not compile: the TypeScript compiler's own message says what to fix. */
const SYNTAX_HINT = 'Fix the syntax at this line (tsc reports the same error), then run the tool again. Until then every install of the binary stays.';

const rule: Rule = {
  meta: {
    id: 'typescript-exec-probe',
    description: 'Exec probes in TypeScript/JavaScript object literals (cdk8s, Pulumi) become native gRPC probes',
    fixable: true,
    fileKinds: ['typescript'],
    docs: 'Rewrites the exec property of readinessProbe/livenessProbe/startupProbe object literals whose command runs grpc_health_probe into grpc: {port, service}, in the file\'s own style, with the same analysis and blockers as YAML, the pod read from the object literals around the container (hostNetwork, a service mesh, the container list, through consts of the file and spreads) and from what code after them does to the pod spec (an assignment, Object.assign, a cdk8s addJsonPatch, a function it is handed to, a file that imports it); a Helm release of a chart in the repository has its values probes judged through that chart. Ports come from literals, templates, + of them and numeric consts of the file; anything else is unresolved-port. A probe in Helm values written in code (values of a Helm release or chart) also gets exec: null; one the tool takes for the values of a release without seeing which release (a spread, a function, a file that the file of a release imports) keeps a loopback -addr on exec (host). ECS health checks are no-native-check, container commands not-a-probe, an exec handler outside a probe key unparseable; a constant naming the binary that is exported keeps it; any other string naming the binary is reported.',
  },
  create(run) {
    // One in-memory project per run; each file is added, read and removed.
    let project: Project | undefined;
    let count = 0;
    // The code files of the run that set hostNetwork (display paths), read once, when a container
    // the tool cannot place in a pod spec asks: it may end up in one of theirs.
    let hostNetworkFiles: { abs: string; shown: string }[] | undefined;
    const codeFiles = () => run.repositoryFiles().filter((f) => /\.[cm]?[jt]sx?$/i.test(f) && !f.endsWith('.d.ts'));
    const shownOf = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
    const hostNetworkFilesOf = () => {
      if (hostNetworkFiles) return hostNetworkFiles;
      // The repository's, not only the run's: a pre-commit run names one file.
      const code = codeFiles();
      const may = filesMayHold(run, code, 'hostNetwork');
      hostNetworkFiles = code.filter((f) => (may === undefined || may.has(f)) && run.readText(f)?.includes('hostNetwork')).map((abs) => ({ abs, shown: shownOf(abs) }));
      return hostNetworkFiles;
    };
    // The code files of the repository that import a file (a relative import, export or require
    // that names it), each read once per run, when a probe of that file asks: a container it
    // exports may end up in their pod specs, values it exports in their Helm releases.
    interface Importer {
      abs: string;
      /** The files it imports: absolute, without extension. */
      imports: Set<string>;
      makesHelmRelease: boolean;
      /** A pod spec of it whose hostNetwork the tool cannot read (a spread of a package's defaults). */
      unread?: { line: number; why: string };
    }
    const read = new Map<string, Importer | undefined>();
    // The code files that name a relative module at all, asked of git once.
    let relative: string[] | undefined;
    const relativeImporters = () => {
      if (relative) return relative;
      const code = codeFiles();
      const may = filesMayHold(run, code, '[\'"`]\\.{1,2}/');
      relative = may === undefined ? code : code.filter((f) => may.has(f));
      return relative;
    };
    const importersByFile = new Map<string, Importer[]>();
    const importersOf = (abs: string, api: CodeApi): Importer[] => {
      const known = importersByFile.get(abs);
      if (known) return known;
      const self = abs.replace(/\.[cm]?[jt]sx?$/i, '');
      // `./values`, `../lib/values.js`, `./values/index`, or the folder of an index file.
      const names = [path.basename(self), ...(path.basename(self) === 'index' ? [path.basename(path.dirname(self))] : [])];
      const said = new RegExp(`['"\`]\\.{1,2}/(?:[^'"\`]*/)?(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?:/index)?(?:\\.[cm]?[jt]sx?)?['"\`]`);
      const out: Importer[] = [];
      for (const f of relativeImporters()) {
        if (f === abs) continue;
        const text = run.readText(f);
        if (text === undefined || !said.test(text)) continue;
        if (!read.has(f)) read.set(f, readImporter(f, text, api));
        const i = read.get(f);
        if (i && (i.imports.has(self) || (path.basename(self) === 'index' && i.imports.has(path.dirname(self))))) out.push(i);
      }
      importersByFile.set(abs, out);
      return out;
    };
    const readImporter = (abs: string, text: string, api: CodeApi): Importer | undefined => {
      if (longestLine(text) > GENERATED_LINE) return undefined;
      project ??= api.createProject();
      const file = project.createSourceFile(`/scan/importer-${count++}${/\.[cm]?[jt]sx?$/i.exec(abs)![0].toLowerCase()}`, text, { overwrite: true });
      try {
        const imports = new Set(api.importedModules(file).map((spec) => path.resolve(path.dirname(abs), spec.replace(/\.[cm]?[jt]sx?$/i, ''))));
        const unread = text.includes('ontainers') ? api.podSpecUnknownIn(file) : undefined;
        return { abs, imports, makesHelmRelease: /helm/i.test(text) && api.makesHelmRelease(file), ...(unread ? { unread } : {}) };
      } finally {
        project.removeSourceFile(file);
      }
    };
    return {
      async file(ctx) {
        const [{ createProject, syntaxProblems }, { findTypeScriptReports, makesHelmRelease, importedModules, podSpecUnknownIn }, { cdk8sImportBlockers }, { pulumiConfig }] = await Promise.all([
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
          const api: CodeApi = { createProject, makesHelmRelease, importedModules, podSpecUnknownIn };
          const hostNetworkElsewhere = () => {
            const sets = hostNetworkFilesOf().find((f) => f.abs !== ctx.file.path);
            if (sets) return `${sets.shown} sets hostNetwork`;
            // A file that imports this one and builds a pod spec the tool cannot read (`...defaults`).
            const unread = importersOf(ctx.file.path, api).find((i) => i.unread);
            return unread ? `${shownOf(unread.abs)}, which imports this file, has a pod spec at line ${unread.unread!.line} whose hostNetwork the tool cannot read (${unread.unread!.why})` : undefined;
          };
          // A file another one imports and makes a Helm release with: its probes may be that release's values.
          const helmReleaseImporting = () => {
            const helm = importersOf(ctx.file.path, api).find((i) => i.makesHelmRelease);
            return helm ? shownOf(helm.abs) : undefined;
          };
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

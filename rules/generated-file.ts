import { namedFiles } from '../src/discover/names.js';
import { lineEndOf, lineStartOf } from '../src/text/lines.js';
import type { GeneratorRun } from '../src/kubernetes/generator-runs.js';
import type { EndContext, PendingFinding, Rule, SourceFile } from '../src/types.js';

/**
 * A file the tool rewrites that says it is generated: `helm template` output (`# Source:
 * chart/templates/…`), a header with `DO NOT EDIT` (Go's `Code generated … DO NOT EDIT.`,
 * Terraform/OpenTofu provisioning), `@generated`, "auto-generated"; or a manifest that a command
 * of the repository's Makefiles or shell scripts writes (`jsonnet -m DIR`, `tk export DIR`,
 * `kustomize build … > FILE`, `helm template --output-dir DIR`: src/kubernetes/generator-runs.ts),
 * which need not say so. The rewrite is right for the file, and lost the next time it is
 * generated: an info finding at the marker (or the file's first line) says where the change
 * belongs too. It runs after every other rule, so that it sees the install removals.
 */
const rule: Rule = {
  meta: {
    id: 'generated-file',
    description: 'Notes that a file the tool rewrites is generated, so the change belongs in its source too',
    fixable: false,
    fileKinds: ['yaml', 'json', 'dockerfile', 'compose', 'kustomization', 'helm-values', 'typescript'],
    docs: 'After every other rule ran: a file that gets an edit and says it is generated (helm template output with `# Source:` lines, a `DO NOT EDIT` or `@generated` header, "auto-generated"), or a manifest that a Makefile recipe or shell script command writes (jsonnet -m/-o, tk export, ytt --output-files, kustomize build -o, helm template --output-dir, cue export --outfile, or one of these through a `>` redirect, a pipeline or tee), gets an info finding at that line (the file\'s first line for a command), saying the edit is lost when the file is generated again, naming the command\'s file:line, and where to make the change instead.',
    audits: true,
  },
  create() {
    return {
      async end(ctx) {
        const edited = new Set<SourceFile>();
        for (const p of ctx.findings()) if (p.report.fix && p.fixRefused === undefined && p.file.path !== '') edited.add(p.file);
        const writers = await generatorsOf(ctx, [...edited]);
        for (const file of edited) {
          const marker = generatedMarker(file.text);
          const runs = writers?.(file.path) ?? [];
          if (runs.length > 0) {
            ctx.report(file, { start: marker?.at ?? 0, end: marker?.end ?? lineEndOf(file.text, 0), subject: 'file', info: true, ...generatorNote(runs, ctx.findings()) });
            continue;
          }
          if (!marker) continue;
          ctx.report(file, {
            start: marker.at,
            end: marker.end,
            subject: 'file',
            info: true,
            message: marker.source
              ? `this file is helm template output, rendered from ${marker.source}: the edits here are lost when it is rendered again`
              : `this file says it is generated (${marker.text}): the edits here are lost when it is generated again`,
            hint: marker.source
              ? `Migrate the chart it was rendered from (run the tool on the chart: templates and values.yaml), then render this file again; or keep these edits if the file is no longer rendered.`
              : 'Make the same change where the file is generated from (the generator, its template or its input), or the next generation brings the exec probe or the download back; keep these edits if the file is no longer generated.',
          });
        }
      },
    };
  },
};

/**
 * The generator runs that write a file, when a manifest (YAML, JSON, a chart's template) is edited and the
 * repository has a Makefile or a shell script: the module, and its reading of those files, only then.
 */
async function generatorsOf(ctx: EndContext, edited: readonly SourceFile[]): Promise<((abs: string) => GeneratorRun[]) | undefined> {
  // `helm template --output-dir DIR` writes DIR/<chart>/templates/…, read as templates.
  const manifests = edited.filter((f) => f.kind === 'yaml' || f.kind === 'json' || f.kind === 'helm-template').map((f) => f.path);
  if (manifests.length === 0) return undefined;
  const named = namedFiles(ctx.run);
  if (named.makefiles.length === 0 && named.shell.length === 0) return undefined;
  const { generatorRuns, runsWriting } = await import('../src/kubernetes/generator-runs.js');
  const runs = generatorRuns(ctx.run, manifests);
  return runs.length === 0 ? undefined : (abs) => runsWriting(runs, abs);
}

/** What each generator reads, for the hint: Jsonnet and CUE, which the tool does not rewrite (unsupported-file reports their probes), or a chart, kustomization or ytt templates, which it does. */
const SOURCES: Record<GeneratorRun['tool'], { what: string; files?: RegExp; kind?: string }> = {
  jsonnet: { what: 'the Jsonnet it evaluates', files: /\.(?:jsonnet|libsonnet)$/i, kind: 'Jsonnet' },
  tk: { what: 'the Jsonnet of the Tanka environment it exports', files: /\.(?:jsonnet|libsonnet)$/i, kind: 'Jsonnet' },
  cue: { what: 'the CUE it exports', files: /\.cue$/i, kind: 'CUE' },
  helm: { what: 'the chart it renders (run the tool on the chart: templates and values.yaml)' },
  kustomize: { what: 'the kustomization it builds (run the tool on its resources and patches)' },
  ytt: { what: 'the ytt templates and data values it reads (run the tool on them)' },
};

function generatorNote(runs: readonly GeneratorRun[], findings: readonly PendingFinding[]): { message: string; hint: string } {
  const r = runs[0]!;
  const others = runs.length > 1 ? ` (and ${runs.slice(1, 3).map((o) => o.at).join(', ')}${runs.length > 3 ? ', …' : ''})` : '';
  const source = SOURCES[r.tool];
  // Where that source's probes are reported already: unsupported-file's lines in the run's Jsonnet or CUE files.
  const reported = source.files ? findings.filter((p) => p.ruleId === 'unsupported-file' && source.files!.test(p.file.path)) : [];
  const places = [...new Set(reported.map((p) => `${p.file.displayPath}:${lineOf(p)}`))];
  const shown = places.length > 4 ? `${places.slice(0, 4).join(', ')}, …` : places.join(', ');
  return {
    message: `this file is written by \`${r.command}\` at ${r.at}${others}: the edits here are lost when that command runs again`,
    hint:
      `Make the same change in ${source.what}, then run the command again, or its next run brings the exec probe back` +
      (places.length > 0 ? ` (the tool does not rewrite ${source.kind}: unsupported-file reports its probes at ${shown})` : '') +
      '; keep these edits if the file is no longer generated.',
  };
}

const lineOf = (p: PendingFinding) => p.position?.line ?? p.file.text.slice(0, p.report.start).split('\n').length;

interface Marker {
  at: number;
  end: number;
  text: string;
  /** For helm template output: the template it names. */
  source?: string;
}

/** How far a header reaches: generators write their notice at the top. */
const HEADER_CHARS = 2000;

function generatedMarker(text: string): Marker | undefined {
  // `helm template` writes `---` then `# Source: <chart>/templates/<file>` above each document.
  const helm = /^# Source: (\S+\/templates\/\S+)[ \t]*\r?$/m.exec(text);
  if (helm) return { at: helm.index, end: helm.index + helm[0].trimEnd().length, text: helm[0].trim(), source: helm[1]! };
  const head = text.slice(0, HEADER_CHARS);
  const m = /\bDO NOT EDIT\b|@generated\b|\bauto-?generated\b|\bgenerated by\b|\bCode generated\b/i.exec(head);
  if (!m) return undefined;
  // Only in a comment line: a generated notice, not a word in a value or a command.
  const lineStart = lineStartOf(head, m.index);
  const lineEnd = head.indexOf('\n', m.index);
  const line = head.slice(lineStart, lineEnd === -1 ? head.length : lineEnd).replace(/\r$/, '');
  if (!/^\s*(#|\/\/|\/\*|\*)/.test(line)) return undefined;
  return { at: lineStart + (line.length - line.trimStart().length), end: lineStart + line.length, text: line.trim().replace(/^(#+|\/\/|\/\*+|\*+)\s*/, '').replace(/[.\s]+$/, '').slice(0, 100) };
}

export default rule;

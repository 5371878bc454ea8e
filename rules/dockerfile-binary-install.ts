import { analyzeDockerfile, type DockerAnalysis } from '../src/docker/installs.js';
import { dockerfileKey, imageTies, mayRunImage } from '../src/docker/images.js';
import { LineIndex } from '../src/text/lines.js';
import type { PendingFinding, Rule, SourceFile } from '../src/types.js';

const MAX_NAMED = 6;

/**
 * Dockerfiles: removes the grpc_health_probe install once nothing that stays runs the binary.
 * The `file` handler only records where the installs are; `end` decides, from every consumer the
 * other rules reported, per image where the repository ties images to Dockerfiles (skaffold,
 * compose), repository-wide otherwise.
 */
const rule: Rule = {
  meta: {
    id: 'dockerfile-binary-install',
    description: 'Removes the grpc_health_probe install from images once nothing runs it',
    fixable: true,
    fileKinds: ['dockerfile'],
    decidesOnConsumers: true,
    docs: 'Finds RUN wget/curl/go install/chmod/checksum steps (also inside longer && chains), ADD of the release asset, COPY --from the probe image or a builder stage, and stages that only fetch the binary; removes them with their version ARG/ENV and USER root wrapper when no probe, HEALTHCHECK, compose check, script or other use still runs the binary. Kept installs are reported as binary-still-used with the consumers that keep them.',
  },
  create(run) {
    const seen: { file: SourceFile; analysis: DockerAnalysis }[] = [];
    return {
      file(ctx) {
        const analysis = ctx.cached('dockerfile', () => analyzeDockerfile(ctx.file.text));
        for (const p of analysis.problems) {
          ctx.report({ start: p.start, end: p.end, subject: 'install', blockers: ['unparseable'], message: p.message, keepsBinary: true, image: dockerfileKey(ctx.file.path) });
        }
        if (analysis.installs.length > 0) seen.push({ file: ctx.file, analysis });
      },
      end(ctx) {
        if (run.options.keepBinary) return;
        const ties = imageTies(run);
        const consumers = ctx.consumers();
        for (const { file, analysis } of seen) {
          const tied = ties.byDockerfile.get(file.path);
          const images = tied ? [...tied].filter((t) => !t.startsWith('dockerfile:')) : [];
          const base = { subject: 'install' as const };
          const details = (what: string, extra: Record<string, unknown> = {}) => ({ install: what, ...(images.length > 0 ? { images } : {}), ...extra });
          const kept = (message: string, consumersAt: string[] = []) => {
            for (const i of analysis.installs) {
              ctx.report(file, { ...base, start: i.start, end: i.end, blockers: ['binary-still-used'], message: `${i.message}: kept — ${message}`, details: details(i.what, consumersAt.length > 0 ? { consumers: consumersAt } : {}) });
            }
          };
          if (analysis.problems.length > 0) {
            const lines = analysis.problems.map((p) => analysis.parsed.lines.position(p.start).line);
            for (const i of analysis.installs) {
              ctx.report(file, { ...base, start: i.start, end: i.end, blockers: ['unparseable'], message: `${i.message}: kept — the file was left unchanged because line ${lines.join(', ')} could not be handled`, details: details(i.what) });
            }
            continue;
          }
          if (run.options.partialView) {
            kept('only part of the repository was scanned (a file list), so other uses of the binary cannot be ruled out; run the tool on the whole repository to remove it');
            continue;
          }
          const relevant = consumers.filter((c) => c.file.path === file.path || mayRunImage(c.report.image, tied));
          if (relevant.length > 0) {
            const all = [...new Set(relevant.map(where))];
            const more = all.length > MAX_NAMED ? ` and ${all.length - MAX_NAMED} more` : '';
            const scope = images.length > 0 ? `the image ${images.join(', ')} is still run by` : 'still used by';
            kept(`${scope} ${all.slice(0, MAX_NAMED).join(', ')}${more}`, all);
            continue;
          }
          for (const i of analysis.installs) {
            const notes = i.notes.length > 0 ? ` (${i.notes.join('; ')})` : '';
            ctx.report(file, { ...base, start: i.start, end: i.end, message: `${i.message}: removed, nothing runs the binary any more${notes}`, fix: i.edits, details: details(i.what) });
          }
        }
      },
    };
  },
};

const indexes = new WeakMap<SourceFile, LineIndex>();
function where(c: PendingFinding): string {
  if (!c.file.text) return c.file.displayPath;
  let li = indexes.get(c.file);
  if (!li) indexes.set(c.file, (li = new LineIndex(c.file.text)));
  return `${c.file.displayPath}:${li.position(c.report.start).line}`;
}

export default rule;

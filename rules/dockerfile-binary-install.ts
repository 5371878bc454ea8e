import fs from 'node:fs';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../src/engine.js';
import { mentionsBinary, OFFICIAL_UPSTREAM } from '../src/analysis/binary.js';
import { codeLineCommentRanges, hashLineCommentRanges, inRanges, usesOutsideComments, yamlCommentRanges } from '../src/analysis/mentions.js';
import type { Reach } from '../src/docker/images.js';
import type { DockerAnalysis, InstallSite, LeftStage } from '../src/docker/installs.js';
import type { TargetRef } from '../src/docker/build-target-refs.js';
import type { FolderCopy } from '../src/docker/context-copies.js';
import type { ShippedFile } from '../src/kubernetes/goreleaser.js';
import { classify } from '../src/classify.js';
import { filesNamedAsBinary } from '../src/discover/names.js';
import { LineIndex } from '../src/text/lines.js';
import { humanSize } from '../src/text/size.js';
import { filesOfRun } from '../src/run-files.js';
import type { EndContext, FileKind, PendingFinding, Report, Rule, RunContext, SourceFile } from '../src/types.js';

const MAX_NAMED = 6;
const RUN_HOLDER = {
  notRewritten: 'a RUN\'s here-documents',
  move: 'move the manifest into a YAML file of the repository (COPY it into the image, or kubectl apply -f FILE), which the tool then migrates',
};
const READ_ONLY_RUN_HINT =
  'kubectl delete, get, describe, wait and diff create no object, so the probe in this here-document never runs. Nothing to migrate here; update the document with the manifests it matches if you like.';
const RUN_NAME_HINT = 'Check the here-document by hand; the tool changes nothing it cannot fully understand, so the Dockerfile and its install stay as they are.';

/**
 * A RUN whose here-document holds a Kubernetes manifest (`RUN <<EOF cat > /k8s/pod.yaml`,
 * `RUN kubectl apply -f - <<EOF`): what the manifest rule says of each probe in it that names the
 * binary, said where the probe is, as for a shell script's. Empty when the RUN does not parse as
 * shell or no manifest holds the mentions.
 */
async function heredocManifests(text: string, from: number, end: number, run: RunContext): Promise<{ start: number; end: number; message: string; hint: string }[]> {
  const [shell, { mentionOffsets }, { embeddedManifestReports }, { targetClusters }, { heredocDestination, heredocManifestFinding, heredocVariables }] = await Promise.all([
    import('../src/analysis/shell.js'),
    import('../src/analysis/mentions.js'),
    import('../src/kubernetes/embedded-manifest.js'),
    import('../src/analysis/native-probe.js'),
    import('../src/analysis/heredoc-manifest.js'),
  ]);
  const body = text.slice(from, end);
  let script;
  try {
    script = shell.parseShell(body);
  } catch (e) {
    if (!(e instanceof shell.ShellParseError)) throw e;
    return [];
  }
  const out: { start: number; end: number; message: string; hint: string }[] = [];
  const said = new Set<string>();
  const read = new Map<object, { doc: import('../src/analysis/shell.js').HeredocText; reports: ReturnType<typeof embeddedManifestReports> }>();
  for (const o of mentionOffsets(body)) {
    const h = script.heredocs.find((d) => d.start <= o && o < d.end);
    if (!h) return [];
    if (!read.has(h)) {
      // What kubectl reads: with `<<EOF`, the body after the shell's expansions.
      const doc = shell.heredocText(body, h, heredocVariables(script, h, shell.resolveWord));
      read.set(h, { doc, reports: embeddedManifestReports(doc.text, targetClusters(run.options)) });
    }
    const dest = heredocDestination(h, (w) => shell.resolveWord(w, () => undefined).text);
    const { doc, reports } = read.get(h)!;
    const found = heredocManifestFinding(reports, doc, o, `a here-document${dest ? ` (${dest})` : ''}`, RUN_HOLDER);
    if (!found) return [];
    if (said.has(found.what)) continue;
    said.add(found.what);
    out.push({ start: from + o, end: from + o + 'grpc_health_probe'.length, message: `RUN ${found.what}; the file was left unchanged`, hint: found.hint ?? RUN_NAME_HINT });
  }
  return out;
}
const SCRIPT_INSTALL_HINT =
  'The script fetches the binary for this build and runs nothing. Once nothing runs grpc_health_probe in the images built from this stage (the tool then removes what copies the binary out of it), delete this RUN, the script, and the stage if it holds nothing else, by hand.';
const PARTIAL_VIEW_HINT = 'Run the tool on the top folder of the repository (in pre-commit: pass_filenames: false with the path "."), or add --assume-complete when the paths given hold every file that could run the binary.';
const ELSEWHERE_HINT =
  'No probe of this repository runs the binary. If the manifests or charts that deploy this image live in another repository and still run grpc_health_probe, keep the install (--keep-binary) until they are migrated.';
/** Kept by the option, not by a consumer: binary-still-used's own hint would point at a list of uses that is not there. */
const KEEP_BINARY_HINT =
  'Kept because of --keep-binary, whether or not anything still runs the binary. Once the probes that run this image are migrated (here or in the repositories that deploy it), run the tool without --keep-binary to remove the installs nothing uses.';
/** A stage the fix would remove whole that a file of the repository may build as a target. */
const TARGETED_STAGE_HINT =
  'The fix would remove this stage whole, and a build selects it by name (docker build --target, a compose or Skaffold build target, a workflow\'s target input), so every install here stays. That build\'s image holds grpc_health_probe: if nothing runs the binary in it, drop the build or point it at another stage, then run the tool again. The name is matched in the file\'s text, and a target given by a variable the tool does not resolve (a workflow matrix, a shell loop, a make variable) may be any stage: if it is another Dockerfile\'s stage, another tool\'s --target, or a variable that never names this stage, remove the install by hand.';
/** A consumer in the Dockerfile itself runs its image. */
const OWN_FILE: readonly Reach[] = [{ image: undefined }];

/**
 * The installs of a Dockerfile that are in none of the stages its consumers' images hold, when
 * each consumer's image is tied to this Dockerfile with a build target (a compose service's
 * `build.target`: BuildKit builds that stage and those it builds FROM or copies from, no other),
 * with whether their edits stay inside their own stage (`alone`: a version ARG before the first
 * FROM, shared with the others, keeps it with them). `reaches`: each consumer's reaches that may run this
 * Dockerfile (undefined: the Dockerfile's own file, the whole of it). Undefined when none.
 */
function outsideTargets(
  analysis: DockerAnalysis,
  reaches: readonly (readonly Reach[] | undefined)[],
  targets: ReadonlyMap<string, ReadonlySet<string | null>> | undefined,
  lib: Pick<typeof import('../src/docker/images.js'), 'imageName' | 'isKey'> & Pick<typeof import('../src/docker/target-stages.js'), 'targetStages' | 'stageSpan'>,
): { install: InstallSite; stage: string; built: string; alone: boolean }[] | undefined {
  if (!targets) return undefined;
  const { parsed } = analysis;
  const held = new Set<number>();
  const names = new Set<string>();
  for (const rs of reaches) {
    if (rs === undefined) return undefined;
    for (const r of rs) {
      if (r.image === undefined) return undefined;
      const stages = targets.get(lib.isKey(r.image) ? r.image : lib.imageName(r.image));
      if (!stages || stages.has(null)) return undefined;
      for (const t of stages) {
        const chain = lib.targetStages(parsed, t!);
        if (!chain) return undefined;
        for (const k of chain) held.add(k);
        names.add(`"${t}"`);
      }
    }
  }
  const out: { install: InstallSite; stage: string; built: string; alone: boolean }[] = [];
  const heldNames = [...held].sort((a, b) => a - b).map((k) => stageLabel(parsed, k));
  const built = `they are built to target ${[...names].join(', ')}, from stage${heldNames.length === 1 ? '' : 's'} ${heldNames.join(', ')}`;
  for (const install of analysis.installs) {
    const ins = parsed.instructions.find((i) => i.start === install.start);
    if (!ins || ins.stage < 0 || held.has(ins.stage)) continue;
    const span = lib.stageSpan(parsed, ins.stage);
    const alone = span !== undefined && install.edits.every((e) => e.start >= span[0] && e.end <= span[1]);
    out.push({ install, stage: stageLabel(parsed, ins.stage), built, alone });
  }
  // They go together or not at all: one that stays may read what another removes (a COPY --from
  // of a stage that only fetches the binary, removed whole). So do all of a file's installs when
  // the stages they remove renumber those after them (`COPY --from=2` rewritten to `--from=1`).
  if (out.some((o) => !o.alone) || analysis.installs.some((i) => i.renumbers)) for (const o of out) o.alone = false;
  return out.length > 0 ? out : undefined;
}

/**
 * A build stage the fix leaves that nothing uses (src/docker/installs.ts LeftStage): what used it,
 * why it stays, and the comments in it that still speak of the probe.
 */
function leftStageMessage(s: LeftStage): string {
  const lines = (ns: readonly number[]) => (ns.length === 1 ? `line ${ns[0]}` : `lines ${ns.slice(0, -1).join(', ')} and ${ns[ns.length - 1]}`);
  const byKeyword = (list: readonly { keyword: string; line: number }[]) => {
    const groups = new Map<string, number[]>();
    for (const { keyword, line } of list) groups.set(keyword, [...(groups.get(keyword) ?? []), line]);
    return [...groups].map(([k, ns]) => `${k} at ${lines(ns)}`).join(', ');
  };
  const stage = `build stage ${s.name ? `"${s.name}" ` : ''}(FROM ${s.image})`;
  const users = byKeyword(s.usedBy);
  const busy = byKeyword(s.busy);
  const comments = s.comments.map(([a, b]) => (a === b ? `line ${a}` : `lines ${a}–${b}`));
  const said = comments.length === 0 ? '' : `; the comment${comments.length === 1 && s.comments[0]![0] === s.comments[0]![1] ? '' : 's'} at ${comments.join(', ')} in it still name${comments.length === 1 && s.comments[0]![0] === s.comments[0]![1] ? 's' : ''} grpc-health-probe`;
  return (
    `${stage} looks unused once what used it goes (${users}): no other stage copies from it, builds FROM it or mounts it, and no file of the repository builds it as a target; ` +
    `it stays because the tool cannot tell that its ${busy} served only grpc_health_probe (it removes a stage whole only when all it does is fetch the binary)${said}`
  );
}

function leftStageHint(s: LeftStage): string {
  const target = s.name ? ` (docker build --target ${s.name})` : '';
  return `BuildKit builds only the stages the built target needs, so it skips this one and the build is no slower (the legacy builder, DOCKER_BUILDKIT=0, still builds it); but the Dockerfile keeps a stage nothing uses. Delete it by hand, with its comments, if all it did was serve grpc_health_probe; keep it if a build outside this repository targets it${target}.`;
}

/** A stage as messages name it: `"production"`, or its index for one without a name. */
function stageLabel(parsed: DockerAnalysis['parsed'], k: number): string {
  const from = parsed.instructions.find((i) => i.keyword === 'FROM' && i.stage === k);
  const name = from ? (from.node as unknown as { getBuildStage(): string | null }).getBuildStage() : null;
  return name ? `"${name}"` : `${k}`;
}

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
    docs: 'Finds RUN wget/curl/go install/chmod/checksum steps (also inside longer && chains), ADD of the release asset, COPY --from the probe image or a builder stage, COPY/ADD of the binary vendored in the build context (the vendored file is named, to delete by hand; a COPY of a whole folder that holds it, `COPY bin/ /usr/local/bin/` or `COPY . .`, .dockerignore applied, cannot be cut and is reported with the file to delete, as is a COPY --from of a stage\'s folder that got it so; one left in a build stage that no image copies it out of is info, the file to delete, when nothing runs the binary), and stages that only fetch the binary (with a stage only those used, such as their base); removes them with their version ARG/ENV and USER root wrapper when no probe, HEALTHCHECK, compose check, script or other use still runs the binary. Kept installs are reported as binary-still-used with the consumers that keep them; so are all of a file\'s when a build of the repository targets a stage the fix would remove whole. A stage the fix leaves to nothing, which holds more than it removes, is info.',
  },
  create(run) {
    const seen: { file: SourceFile; analysis: DockerAnalysis }[] = [];
    return {
      async file(ctx) {
        const [{ analyzeDockerfile }, { dockerfileKey }] = await Promise.all([import('../src/docker/installs.js'), import('../src/docker/images.js')]);
        const analysis = ctx.cached('dockerfile', () => analyzeDockerfile(ctx.file.text));
        // `RUN ./download-grpc-health-probe.sh`, a repository script that only downloads the binary:
        // part of the install (not cut), no problem that leaves the file unchanged nor a use.
        if (analysis.problems.some((p) => !p.inChildren && !p.error && p.heredocRun === undefined && /\.(sh|bash)\b/.test(ctx.file.text.slice(p.start, p.end)))) {
          const [{ installOnlyRun }, { runBodyStart }] = await Promise.all([import('../src/docker/run-scripts.js'), import('../src/docker/parse.js')]);
          for (const p of [...analysis.problems]) {
            const ins = analysis.parsed.instructions.find((i) => i.start === p.start && i.keyword === 'RUN');
            if (!ins || p.inChildren || p.error || p.heredocRun !== undefined) continue;
            const only = installOnlyRun(run, ctx.file.path, ctx.file.text.slice(runBodyStart(ctx.file.text, ins, analysis.parsed.lines), ins.end));
            if (!only) continue;
            // An install the fix would cut that copies the script in (`COPY fetch-grpc-health-probe.sh
            // /tmp/`, read as a vendored binary) or covers the RUN: the RUN would then fail. Left as it was.
            const bases = only.script.split(', ').map((f) => f.slice(f.lastIndexOf('/') + 1));
            if (analysis.installs.some((i) => bases.some((b) => ctx.file.text.slice(i.start, i.end).includes(b)) || i.edits.some((e) => e.start < ins.end && ins.start < e.end))) continue;
            analysis.problems.splice(analysis.problems.indexOf(p), 1);
            ctx.report({ start: p.start, end: p.end, subject: 'install', blockers: ['unsupported-file'], keepsBinary: false, message: `RUN runs ${only.script}, a script of the repository that only downloads grpc_health_probe (it names it in the arguments of ${only.commands.join(', ')}): part of this image's install, which runs nothing and keeps no install; the tool cuts neither the RUN nor the script`, hint: SCRIPT_INSTALL_HINT });
          }
        }
        for (const p of analysis.problems) {
          // An ONBUILD trigger runs in the images built FROM this one, which no file may tie to
          // this image's name: it may run in any image of the repository, and keeps every install.
          const image = p.inChildren ? undefined : dockerfileKey(ctx.file.path);
          const manifests = p.heredocRun === undefined ? [] : await heredocManifests(ctx.file.text, p.heredocRun, p.heredocRunEnd ?? p.end, run);
          for (const m of manifests) ctx.report({ start: m.start, end: m.end, subject: 'install', blockers: ['unparseable'], message: m.message, hint: m.hint, keepsBinary: true, image });
          // A problem of this build alone (a PowerShell RUN) runs the binary in this image: it keeps
          // this file's installs (through `analysis.problems` in `end`) and, as a consumer of this
          // Dockerfile's image, those of the repository's images it is built FROM, and no other's.
          if (manifests.length === 0) ctx.report({ start: p.start, end: p.end, subject: 'install', blockers: ['unparseable'], message: p.message, ...(p.error ? { error: true } : {}), ...(p.hint ? { hint: p.hint } : {}), keepsBinary: true, image });
        }
        // `RUN kubectl delete -f - <<EOF`: the manifest's probes never run (one finding a line).
        const lines = new Set<number>();
        for (const r of analysis.readOnlyHeredocs ?? []) {
          const line = analysis.parsed.lines.position(r.start).line;
          if (lines.has(line)) continue;
          lines.add(line);
          ctx.report({ start: r.start, end: r.end, subject: 'consumer', info: true, keepsBinary: false, message: `RUN names grpc_health_probe in a here-document (read by ${r.by}); ${r.by} creates no object from it, so no container or probe of it runs, and it keeps no install`, hint: READ_ONLY_RUN_HINT });
        }
        if (analysis.installs.length > 0) seen.push({ file: ctx.file, analysis });
      },
      async end(ctx) {
        // Folder COPYs of the build context that give the image a vendored binary (`COPY bin/
        // /usr/local/bin/`): installs no source names, in any Dockerfile of the run, which need not
        // name the binary at all (so need not be a candidate).
        const folders = await folderInstalls(run, ctx.files(), seen);
        // No install seen, nothing to decide (and no skaffold/compose files to read), but what a
        // removed `COPY --from=builder …/grpc_health_probe-linux-amd64` left: the vendored file in
        // a builder stage only, which no image gets.
        if (seen.length === 0) {
          // Something still runs (or names) the binary: the file may be what it runs.
          const uses = ctx.consumers().length > 0 || ctx.findings().some((f) => !f.report.info && f.report.keepsBinary !== false) || unexplained(ctx.files(), ctx.findings(), [], () => []).length > 0;
          if (!uses) await leftInBuildStages(run, ctx, new Set());
          return;
        }
        const [{ dockerfileKey, imageName, imageTies, isKey, isTiedImage, mayRunImage, NAMES_NO_IMAGE, reachOf, realPath, untiedRun }, { withBaseImages }, { mayBuildProbeImage, shipsOwnBinary }, { mayCarryBinary, targetStages, stageSpan }] = await Promise.all([import('../src/docker/images.js'), import('../src/docker/lineage.js'), import('../src/docker/probe-images.js'), import('../src/docker/target-stages.js')]);
        // Kept by the user's choice, not for a use: info, which --strict does not fail on (a probe
        // that still runs the binary is reported, and blocks, on its own).
        if (run.options.keepBinary) {
          for (const { file, analysis } of seen) {
            for (const i of analysis.installs) {
              ctx.report(file, { subject: 'install', start: i.start, end: i.end, info: true, message: `${i.message}: kept — --keep-binary leaves every Dockerfile untouched`, hint: KEEP_BINARY_HINT, details: { install: i.what } });
            }
            for (const f of folders.get(file) ?? []) ctx.report(file, { subject: 'install', start: f.start, end: f.end, info: true, message: `${folderLabel(f)}: kept — --keep-binary leaves every Dockerfile untouched`, hint: KEEP_BINARY_HINT, details: { install: f.keyword } });
          }
          return;
        }
        const ties = await imageTies(run);
        const known = new Set([...ties.byDockerfile.values()].flatMap((set) => [...set]));
        const anyTied = [...known].some((k) => !k.startsWith('dockerfile:') && !k.startsWith('compose:'));
        // A consumer of an image also runs what that image is built FROM or copies from.
        const withBases = withBaseImages(run, ties, known);
        const { InstructionTooLargeError, parseDockerfile, stageNameRanges } = await import('../src/docker/parse.js');
        const stageNames = (file: SourceFile): [number, number][] => {
          if (file.kind !== 'dockerfile') return [];
          const parsed = seen.find((s) => s.file === file)?.analysis.parsed;
          if (parsed) return stageNameRanges(parsed);
          try {
            return stageNameRanges(parseDockerfile(file.text));
          } catch (e) {
            // A file too large to parse names no stages the tool can see: each of its mentions counts.
            if (e instanceof InstructionTooLargeError) return [];
            throw e;
          }
        };
        // A run of the upstream probe image keeps nothing, unless it may be an image of this
        // repository: one it builds under that name, or one under another registry (a mirror may
        // be a rebuild, which an untied Dockerfile may make).
        const upstreamRuns = ctx.findings().filter((f) => f.report.upstreamImage !== undefined && (isTiedImage(f.report.upstreamImage, known) || !OFFICIAL_UPSTREAM.test(f.report.upstreamImage)));
        const consumers = [
          ...ctx.consumers().map((c) => ({ path: c.file.path, image: c.report.image, where: where(c) })),
          ...upstreamRuns.map((c) => ({ path: c.file.path, image: c.report.upstreamImage, where: where(c) })),
          ...unexplained(ctx.files(), ctx.findings(), seen, stageNames),
        ].map(
          (c) => ({ ...c, reach: withBases(reachOf(c.image, ties, known, c.path)) }),
        );
        const renamedUses = await usesOfRenamed(run, seen);
        // `COPY --from=builder /src/app/grpc_health_probe-linux-amd64 /bin/…` where the builder got
        // the repository's file by a folder COPY (`ADD . /src/app/`): that file, to delete once no
        // install copies it (read only when the run holds a file named as the binary).
        const traced = await stageTracer(run, seen);
        // Files of the repository the installs copy from the build context (the binary vendored
        // there): one a kept install copies stays needed; the others are named once their install goes.
        const stillCopied = new Map<string, string>();
        const removals: { file: SourceFile; report: Report; vendored: VendoredFile[] }[] = [];
        const keepVendored = (file: SourceFile, i: InstallSite) => {
          for (const v of vendoredFiles(file, i, run, traced)) if (v.abs && !stillCopied.has(v.abs)) stillCopied.set(v.abs, `${file.displayPath}:${new LineIndex(file.text).position(i.start).line}`);
        };
        const keepFolder = (file: SourceFile, f: FolderCopy) => {
          for (const v of f.files) if (!stillCopied.has(v.abs)) stillCopied.set(v.abs, `${file.displayPath}:${new LineIndex(file.text).position(f.start).line}`);
        };
        // Folder COPYs of a Dockerfile whose installs go: said once every kept install is known.
        const folderRemovals: { file: SourceFile; f: FolderCopy; notes: string }[] = [];
        // Neither a probe nor any other use of the binary, for any image: the repository holds none of what runs it.
        const noProbeHere = consumers.length === 0 && !ctx.findings().some((f) => f.report.subject === 'probe');
        for (const { file, analysis } of seen) {
          const tied = ties.byDockerfile.get(realPath(file.path));
          const images = tied ? [...tied].filter((t) => !t.startsWith('dockerfile:') && !t.startsWith('compose:')) : [];
          const base = { subject: 'install' as const };
          const details = (what: string, extra: Record<string, unknown> = {}) => ({ install: what, ...(images.length > 0 ? { images } : {}), ...extra });
          // Installs that go on their own: in a stage none of the images still run holds (outsideTargets).
          const gone = new Set<InstallSite>();
          // Installs in such a stage that stay with the others: why, after the message.
          const aside = new Map<InstallSite, string>();
          const kept = (message: string, consumersAt: string[] = [], hint?: string) => {
            for (const i of analysis.installs) {
              if (gone.has(i)) continue;
              keepVendored(file, i);
              ctx.report(file, { ...base, start: i.start, end: i.end, blockers: ['binary-still-used'], message: `${i.message}: kept — ${message}${aside.get(i) ?? ''}`, ...(hint ? { hint } : {}), details: details(i.what, consumersAt.length > 0 ? { consumers: consumersAt } : {}) });
            }
            for (const f of folders.get(file) ?? []) {
              keepFolder(file, f);
              ctx.report(file, { ...base, start: f.start, end: f.end, blockers: ['binary-still-used'], message: `${folderLabel(f)}: kept — ${message}`, hint: hint ?? FOLDER_KEPT_HINT, details: details(f.keyword, consumersAt.length > 0 ? { consumers: consumersAt } : {}) });
            }
          };
          if (analysis.problems.length > 0) {
            const lines = analysis.problems.map((p) => analysis.parsed.lines.position(p.start).line);
            for (const i of analysis.installs) {
              keepVendored(file, i);
              ctx.report(file, { ...base, start: i.start, end: i.end, blockers: ['unparseable'], message: `${i.message}: kept — the file was left unchanged because line ${lines.join(', ')} could not be handled`, details: details(i.what) });
            }
            for (const f of folders.get(file) ?? []) {
              keepFolder(file, f);
              ctx.report(file, { ...base, start: f.start, end: f.end, blockers: ['unparseable'], message: `${folderLabel(f)}: kept — the file was left unchanged because line ${lines.join(', ')} could not be handled`, hint: FOLDER_KEPT_HINT, details: details(f.keyword) });
            }
            continue;
          }
          if (run.options.partialView) {
            const part = typeof run.options.partialView === 'string' ? run.options.partialView : 'a file list';
            kept(`only part of the repository was scanned (${part}), so other uses of the binary cannot be ruled out; run the tool on the whole repository to remove it`, [], PARTIAL_VIEW_HINT);
            continue;
          }
          // What of each consumer's reach may be this Dockerfile's image (its own file always is).
          // An image that ships its own binary runs none of this Dockerfile's: the upstream one, and a
          // third-party image named after it that no file of the repository builds, when this
          // Dockerfile is an application's (src/docker/probe-images.ts).
          const shipsOwn = (image: string | undefined) => {
            const own = shipsOwnBinary(run, image, known);
            return own === 'upstream' || (own === 'named' && !mayBuildProbeImage(analysis.parsed, path.relative(run.cwd, file.path)));
          };
          const matching = new Map(consumers.map((c) => [c, c.path === file.path ? OWN_FILE : c.reach.filter((r) => !shipsOwn(r.image) && mayRunImage(r.image, tied, known, dockerfileKey(file.path)))]));
          const relevant = consumers.filter((c) => matching.get(c)!.length > 0);
          // Installs in stages that no relevant consumer's image holds (each is built to a target
          // whose stages leave them out): they go, when their edits stay in their own stage.
          const apart = relevant.length > 0 ? outsideTargets(analysis, relevant.map((c) => (c.path === file.path ? undefined : matching.get(c)!)), ties.targets?.get(realPath(file.path)), { imageName, isKey, targetStages, stageSpan }) : undefined;
          if (apart) {
            for (const { install, stage, built, alone } of apart) {
              if (!alone) {
                aside.set(install, `; stage ${stage} is in none of those images (${built}), but the removal of this install or of another such one reaches outside its stage (${analysis.installs.some((i) => i.renumbers) ? 'a stage index after a stage removed whole, renumbered' : 'a build variable before the first FROM the others read, a cleanup'}), so it stays with them`);
                continue;
              }
              gone.add(install);
              const notes = install.notes.length > 0 ? ` (${install.notes.join('; ')})` : '';
              const report: Report = { ...base, start: install.start, end: install.end, message: `${install.message}: stage ${stage} is in none of the images still run here (${built}), so it goes${notes}`, fix: install.edits, details: details(install.what) };
              removals.push({ file, report, vendored: vendoredFiles(file, install, run, traced) });
            }
          }
          if (relevant.length > 0) {
            const all = [...new Set(relevant.map((c) => c.where))];
            const more = all.length > MAX_NAMED ? ` and ${all.length - MAX_NAMED} more` : '';
            // A consumer whose image is tied to a Dockerfile runs this one; one with an image no Dockerfile is tied to may.
            const surely = relevant.every((c) => c.path === file.path || matching.get(c)!.some((r) => !r.maybe && isTiedImage(r.image, known)));
            // The images named are those that hold the binary: one built to a target whose stages
            // hold none of the installs (an envoy stage that copies only a descriptor out of the
            // server's stage) is left out (hunt16 A6).
            const holding = images.filter((img) => mayHoldInstalls(analysis, folders.get(file) ?? [], ties.targets?.get(realPath(file.path))?.get(isKey(img) ? img : imageName(img)), targetStages, mayCarryBinary));
            const named = holding.length > 0 ? holding : images;
            const scope = named.length > 0 ? `${named.length === 1 ? 'the image' : 'the image it builds as'} ${named.join(', ')} ${surely ? 'is still run' : 'may still be run'} by` : 'still used by';
            // Why a consumer reaches this image when it is not simply its own (built FROM it, a compose build not decided).
            const whys = [...new Set(relevant.flatMap((c) => (c.path === file.path ? [] : matching.get(c)!.every((r) => r.why) ? [matching.get(c)![0]!.why!] : [])))];
            // A consumer of an image the ties do not name may run this one: said, so that the
            // message does not read as if it ran this Dockerfile's image by name.
            if (images.length > 0 && !surely) {
              const runs = relevant.map((c) => ({ c, runs: c.path === file.path ? undefined : untiedRun(matching.get(c)!, known) }));
              const untied = runs.flatMap(({ c, runs }) => (runs && runs !== NAMES_NO_IMAGE ? [`${c.where} ${runs}`] : []));
              const rest = untied.length > MAX_NAMED ? ` and ${untied.length - MAX_NAMED} more` : '';
              if (untied.length > 0) whys.push(`${untied.slice(0, MAX_NAMED).join(', ')}${rest}: the tool cannot tell whether ${untied.length === 1 ? 'that is' : 'those are'} this image`);
              // A script's line, a hook, a `docker exec`: it runs (or fetches) the binary wherever it
              // runs, which may be this image (a script copied into it, a container it reaches).
              const unnamed = runs.flatMap(({ c, runs }) => (runs === NAMES_NO_IMAGE ? [c.where] : []));
              const restUnnamed = unnamed.length > MAX_NAMED ? ` and ${unnamed.length - MAX_NAMED} more` : '';
              if (unnamed.length > 0) whys.push(`${unnamed.slice(0, MAX_NAMED).join(', ')}${restUnnamed} ${unnamed.length === 1 ? 'uses' : 'use'} the binary without naming an image, so ${unnamed.length === 1 ? 'it' : 'they'} may use it in this one`);
            }
            // Other Dockerfiles are tied to images and this one is not: why its consumers are everyone's.
            if (images.length === 0 && anyTied && relevant.some((c) => c.path !== file.path)) {
              whys.push('no file of the repository ties this Dockerfile to an image name, or one names its image by an expression: a consumer of any image may run it');
            }
            kept(`${scope} ${all.slice(0, MAX_NAMED).join(', ')}${more}${whys.length > 0 ? ` (${whys.join('; ')})` : ''}`, all);
            continue;
          }
          const renamed = renamedUses.get(file) ?? [];
          if (renamed.length > 0) {
            const more = renamed.length > MAX_NAMED ? ` and ${renamed.length - MAX_NAMED} more` : '';
            kept(`${analysis.renamed.join(', ')} (the binary under another name) is still run by ${renamed.slice(0, MAX_NAMED).join(', ')}${more}`, renamed);
            continue;
          }
          // A stage the fix removes whole, or leaves to nothing, that a file of the repository builds
          // as a target (`docker build --target probe`): removing it would break that build, whose
          // image holds the binary; and one left is not unused (hunt21 D3).
          const stageNames = [...analysis.installs.flatMap((i) => i.stages ?? []), ...(analysis.leftStages ?? []).flatMap((s) => (s.name ? [s.name] : []))];
          const builds = stageNames.length > 0 ? (await import('../src/docker/build-target-refs.js')).stageTargetRefs(run, file.path, stageNames) : new Map<string, TargetRef>();
          const targeted = analysis.installs.flatMap((i) => i.stages ?? []).find((n) => builds.has(n.toLowerCase()));
          if (targeted !== undefined) {
            const { at, variable } = builds.get(targeted.toLowerCase())!;
            const how = variable
              ? `${at} builds a target given by ${variable}, which the tool does not resolve: it may be stage "${targeted}"`
              : `${at} may build stage "${targeted}" as an image of its own (a build target of that name)`;
            kept(`${how}, which holds the binary; removing the stage would break that build`, [at], TARGETED_STAGE_HINT);
            continue;
          }
          for (const s of analysis.leftStages ?? []) {
            if (s.name && builds.has(s.name.toLowerCase())) continue;
            ctx.report(file, { subject: 'file', info: true, start: s.start, end: s.end, message: leftStageMessage(s), hint: leftStageHint(s) });
          }
          for (const i of analysis.installs) {
            const notes = i.notes.length > 0 ? ` (${i.notes.join('; ')})` : '';
            // No probe anywhere in the repository: the probes that run this image may live in
            // another one (a deploy or GitOps repository). The spec removes the install all the
            // same; the message and hint say what to check before merging.
            const gone = noProbeHere ? 'no file of this repository runs the binary, so it goes' : 'nothing runs the binary any more, so it goes';
            const report: Report = { ...base, start: i.start, end: i.end, message: `${i.message}: ${gone}${notes}`, ...(noProbeHere ? { hint: ELSEWHERE_HINT } : {}), fix: i.edits, details: details(i.what) };
            removals.push({ file, report, vendored: vendoredFiles(file, i, run, traced) });
          }
          const notes = noProbeHere ? 'no file of this repository runs the binary' : analysis.installs.length > 0 ? 'nothing runs the binary any more (this file\'s other installs go)' : 'nothing runs the binary any more';
          for (const f of folders.get(file) ?? []) folderRemovals.push({ file, f, notes });
        }
        const shippedBy = removals.some((r) => r.vendored.length > 0) ? (await import('../src/kubernetes/goreleaser.js')).goReleaserShipped : undefined;
        for (const { file, report, vendored } of removals) ctx.report(file, vendored.length > 0 ? withVendoredNote(report, vendored, stillCopied, (v) => shippedBy!(file.path, v.written, run)) : report);
        for (const { file, f, notes } of folderRemovals) {
          const unused = f.files.filter((v) => !stillCopied.has(v.abs));
          const needed = f.files.filter((v) => !unused.includes(v));
          const named = (vs: readonly { shown: string }[]) => vs.map((v) => v.shown).join(', ');
          const said = [
            ...(unused.length > 0 ? [`delete ${named(unused)} from the repository with this change (the tool cannot take one file out of a folder COPY)`] : []),
            ...needed.map((v) => `${v.shown} stays while ${stillCopied.get(v.abs)} still copies it`),
          ];
          ctx.report(file, {
            subject: 'install',
            start: f.start,
            end: f.end,
            blockers: ['unparseable'],
            message: `${folderLabel(f)}: ${notes}, but this COPY still puts it in the image; ${said.join('; ')}`,
            hint: `${unused.length > 0 ? `Delete ${named(unused)} from the repository (git rm) in the same change: the tool removes instructions, not files, and this COPY copies the whole folder; run the tool again and the finding goes.` : FOLDER_KEPT_HINT}${noProbeHere ? ` ${ELSEWHERE_HINT}` : ''}`,
            details: { install: f.keyword },
          });
        }
        // Nothing runs the binary: a vendored copy left in a build stage only is said too, unless
        // a finding above names it.
        if (consumers.length === 0) {
          const said = new Set([...stillCopied.keys(), ...removals.flatMap((r) => r.vendored.flatMap((v) => (v.abs ? [v.abs] : []))), ...[...folders.values()].flat().flatMap((f) => f.files.map((v) => v.abs))]);
          await leftInBuildStages(run, ctx, said);
        }
      },
    };
  },
};

/**
 * Whether an image built from this Dockerfile to `targets` (a compose service's build.target)
 * may hold an install: one of those targets' stages, following what they build FROM and the COPY
 * --from that may bring the binary, holds an install or a folder COPY of the vendored binary.
 * True when the targets are not known (the whole Dockerfile is built).
 */
function mayHoldInstalls(
  analysis: DockerAnalysis,
  folders: readonly FolderCopy[],
  targets: ReadonlySet<string | null> | undefined,
  targetStages: typeof import('../src/docker/target-stages.js').targetStages,
  mayCarryBinary: typeof import('../src/docker/target-stages.js').mayCarryBinary,
): boolean {
  if (!targets || targets.has(null)) return true;
  const { parsed } = analysis;
  const stageOf = (start: number) => parsed.instructions.find((i) => i.start === start)?.stage;
  const held = [...analysis.installs.map((i) => stageOf(i.start)), ...folders.map((f) => stageOf(f.start))];
  // An install outside every stage (a version ARG before the first FROM) is the whole file's.
  if (held.some((k) => k === undefined || k < 0)) return true;
  for (const t of targets) {
    const chain = targetStages(parsed, t!, (ins) => mayCarryBinary(parsed, ins));
    if (!chain || held.some((k) => chain.has(k!))) return true;
  }
  return false;
}

const FOLDER_KEPT_HINT =
  'This COPY copies a whole folder of the build context, which holds the binary vendored in the repository: the tool cannot take that one file out of it. Keep the vendored file while anything listed runs the binary; once nothing does, delete it from the repository and run the tool again.';

function folderLabel(f: FolderCopy): string {
  const files = f.files.map((v) => v.shown).join(', ');
  if (f.from) return `${f.keyword} --from=${f.from.stage} copies ${f.source}, which holds ${files} (grpc_health_probe vendored in the repository, put in stage ${f.from.stage} from the build context by line${f.from.lines.length === 1 ? '' : 's'} ${f.from.lines.join(', ')})`;
  return `${f.keyword} copies ${f.source} from the build context, which holds ${files} (grpc_health_probe vendored in the repository)`;
}

const LEFT_IN_STAGE_HINT =
  'Delete the file from the repository (git rm): the tool removes instructions, not files. It still reaches the build stage through the folder COPY, but no image copies it out of there and nothing of the repository runs the binary. If a build targets that stage (docker build --target) and something runs the binary in it, keep the file.';

/**
 * The vendored binaries that a folder COPY puts in a build stage only, out of which nothing copies
 * them (src/docker/context-copies.ts stageOnlyCopies), said as files to delete (info) when no build
 * targets that stage; the caller says that nothing of the repository runs the binary. `said`: the
 * files another finding of the run already names (an install that copies them, to delete or kept).
 * Roost-example after --fix removed its `COPY --from=builder`s (hunt16 A3).
 */
async function leftInBuildStages(run: RunContext, ctx: EndContext, said: ReadonlySet<string>): Promise<void> {
  if (filesNamedAsBinary(run).length === 0) return;
  const { stageOnlyCopies, vendoredBinaries } = await import('../src/docker/context-copies.js');
  const binaries = vendoredBinaries(run);
  if (binaries.length === 0) return;
  const [{ analyzeDockerfile }, { detectEol }, { imageTies, realPath }] = await Promise.all([import('../src/docker/installs.js'), import('../src/text/lines.js'), import('../src/docker/images.js')]);
  const ties = await imageTies(run);
  for (const abs of run.allFiles()) {
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    if (/\.dockerignore$/i.test(abs) || classify(shown) !== 'dockerfile') continue;
    const text = run.readText(abs);
    if (text === undefined || !/^\s*(COPY|ADD)\b/im.test(text)) continue;
    let copies;
    try {
      copies = stageOnlyCopies(analyzeDockerfile(text).parsed, abs, run, binaries, [...(ties.contexts?.get(realPath(abs)) ?? [])]);
    } catch {
      // A Dockerfile the tool cannot parse says nothing here (its own findings say why, when it names the binary).
      continue;
    }
    if (copies.length === 0) continue;
    const targeted = [...(ties.targets?.get(realPath(abs))?.values() ?? [])].flatMap((t) => [...t]);
    const file = ctx.files().find((f) => f.path === abs) ?? { path: abs, displayPath: shown, kind: 'dockerfile' as const, text, eol: detectEol(text) };
    for (const c of copies) {
      if (targeted.some((t) => t === null || `"${t.toLowerCase()}"` === c.stage.toLowerCase())) continue;
      const files = c.files.filter((v) => !said.has(v.abs));
      if (files.length === 0) continue;
      const named = files.map((v) => v.shown).join(', ');
      ctx.report(file, {
        subject: 'consumer',
        info: true,
        keepsBinary: false,
        start: c.start,
        end: c.end,
        message: `${c.keyword} copies ${c.source} from the build context into build stage ${c.stage}, which then holds ${named} (grpc_health_probe vendored in the repository); no image copies it out of that stage and nothing runs the binary: ${named} is unused, delete it from the repository`,
        hint: LEFT_IN_STAGE_HINT,
      });
    }
  }
}

/**
 * The folder COPYs of the run's Dockerfiles that give their image a vendored binary, by file. A
 * Dockerfile that holds one and is not among `seen` (it has no other install, or never names the
 * binary) joins it, so that its image's consumers are weighed as for any install.
 */
async function folderInstalls(run: RunContext, candidates: readonly SourceFile[], seen: { file: SourceFile; analysis: DockerAnalysis }[]): Promise<Map<SourceFile, FolderCopy[]>> {
  const out = new Map<SourceFile, FolderCopy[]>();
  const isDockerfile = (abs: string) => !/\.dockerignore$/i.test(abs) && classify(path.relative(run.cwd, abs).split(path.sep).join('/')) === 'dockerfile';
  // Most runs hold no file named as the binary: then nothing of the folder COPY code is loaded. A
  // partial view (a pre-commit run over a Dockerfile) holds the named files only: there the
  // binaries are looked up where each Dockerfile's COPYs point (copiedBinaries; hunt19 B7).
  const partial = Boolean(run.options.partialView) && run.allFiles().some(isDockerfile);
  if (filesNamedAsBinary(run).length === 0 && !partial) return out;
  const { copiedBinaries, folderCopies, vendoredBinaries } = await import('../src/docker/context-copies.js');
  const binaries = vendoredBinaries(run);
  if (binaries.length === 0 && !partial) return out;
  const { analyzeDockerfile } = await import('../src/docker/installs.js');
  const { detectEol } = await import('../src/text/lines.js');
  // The build contexts the repository's compose, Skaffold and workflow files give each Dockerfile
  // (a compose `context: .` for docker/Dockerfile): read here only in a run that holds a vendored
  // binary, and the rule's end reads the same ties (imageTies, once a run) in most of those.
  const { imageTies, realPath } = await import('../src/docker/images.js');
  const contexts = (await imageTies(run)).contexts;
  for (const abs of run.allFiles()) {
    if (!isDockerfile(abs)) continue;
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    let entry = seen.find((s) => s.file.path === abs);
    let file = entry?.file ?? candidates.find((c) => c.path === abs);
    if (!file) {
      const text = run.readText(abs);
      if (text === undefined || !/^\s*(COPY|ADD)\b/im.test(text)) continue;
      file = { path: abs, displayPath: shown, kind: 'dockerfile', text, eol: detectEol(text) };
    }
    const analysis = entry?.analysis ?? analyzeDockerfile(file.text);
    const known = [...(contexts?.get(realPath(abs)) ?? [])];
    const found = folderCopies(analysis.parsed, abs, run, partial ? [...new Set([...binaries, ...copiedBinaries(analysis.parsed, abs, run, known)])] : binaries, known);
    if (found.length === 0) continue;
    out.set(file, found);
    if (!entry) seen.push((entry = { file, analysis }));
  }
  return out;
}

/**
 * The repository's files a `COPY --from=STAGE` install copies when STAGE got them from the build
 * context by a folder COPY (src/docker/context-copies.ts stageVendored); none when the run holds
 * no file named as the binary (then nothing of that code is loaded).
 */
async function stageTracer(run: RunContext, seen: readonly { file: SourceFile; analysis: DockerAnalysis }[]): Promise<(file: SourceFile, i: InstallSite) => VendoredFile[]> {
  if (filesNamedAsBinary(run).length === 0) return () => [];
  const { stageVendored, vendoredBinaries } = await import('../src/docker/context-copies.js');
  const binaries = vendoredBinaries(run);
  if (binaries.length === 0) return () => [];
  const { imageTies, realPath } = await import('../src/docker/images.js');
  const contexts = (await imageTies(run)).contexts;
  return (file, i) => {
    const parsed = seen.find((s) => s.file === file)?.analysis.parsed;
    const ins = parsed?.instructions.find((x) => x.start === i.start);
    return parsed && ins && i.what === 'COPY' ? stageVendored(parsed, ins, file.path, run, binaries, [...(contexts?.get(realPath(file.path)) ?? [])]) : [];
  };
}

/** A build-context file an install copies: as written, and the repository's file when the tool can tell which. */
interface VendoredFile {
  written: string;
  abs?: string;
  shown?: string;
}

/**
 * The files an install copies from the build context, looked up where a build context may be:
 * the Dockerfile's folder or one above it, up to the folder the tool runs in. Named only when
 * exactly one of those holds the file (a glob, or a file in none or several, is as written).
 */
function vendoredFiles(file: SourceFile, i: InstallSite, run: RunContext, traced: (file: SourceFile, i: InstallSite) => VendoredFile[]): VendoredFile[] {
  if (!i.vendored) return traced(file, i);
  const files = filesOfRun(run);
  const contexts: string[] = [];
  for (let dir = path.dirname(file.path); ; dir = path.dirname(dir)) {
    contexts.push(dir);
    if (path.dirname(dir) === dir || dir === run.cwd) break;
  }
  return i.vendored.map((written) => {
    const found = [...new Set(contexts.map((dir) => path.join(dir, written.replace(/^\/+/, ''))))].filter((abs) => files.has(abs));
    if (found.length !== 1) return { written };
    return { written, abs: found[0]!, shown: path.relative(run.cwd, found[0]!).split(path.sep).join('/') };
  });
}

/**
 * A removed install's finding, saying what becomes of the vendored files it copied: unused, to be
 * deleted from the repository by hand (the tool never deletes a file), or still copied by a kept
 * install elsewhere. A file that a GoReleaser config ships into the build context (`extra_files`,
 * often what a before hook downloads: then no file of the repository) needs that entry dropped too:
 * GoReleaser fails on an extra file that is missing.
 */
function withVendoredNote(report: Report, vendored: readonly VendoredFile[], stillCopied: ReadonlyMap<string, string>, shippedBy: (v: VendoredFile) => readonly ShippedFile[]): Report {
  const name = (v: VendoredFile) => v.shown ?? `${v.written} in the build context`;
  const unused = vendored.filter((v) => !v.abs || !stillCopied.has(v.abs));
  const needed = vendored.filter((v) => v.abs && stillCopied.has(v.abs));
  const shipped = unused.map((v) => ({ v, by: shippedBy(v) })).filter((s) => s.by.length > 0);
  // Shipped by GoReleaser and no file of the repository: downloaded at release time, nothing to delete here.
  const fetched = shipped.filter((s) => !s.v.abs);
  const inRepository = unused.filter((v) => !fetched.some((s) => s.v === v));
  const entries = (by: readonly ShippedFile[]) => by.map((b) => `${b.where}, ${b.at}`).join('; ');
  const notes = [
    ...(inRepository.length > 0 ? [`${inRepository.map(name).join(', ')}, the binary vendored in the repository, is then copied by nothing: delete it from the repository (the tool does not delete files)`] : []),
    ...fetched.map((s) => `${s.v.written} is no file of the repository: GoReleaser ships it into the build context (${entries(s.by)}) once a download at release time has fetched it (a before hook, a script); nothing copies it then: drop that extra_files entry and the download by hand (the tool does not edit GoReleaser configs)`),
    ...shipped.filter((s) => s.v.abs).map((s) => `GoReleaser ships ${name(s.v)} into the build context (${entries(s.by)}): drop that extra_files entry with the file, or the release fails on the missing file`),
    ...needed.map((v) => `${name(v)} stays: ${stillCopied.get(v.abs!)} still copies it`),
  ];
  const todo = [
    ...(inRepository.length > 0 ? [`Delete ${inRepository.map(name).join(', ')} from the repository with this change (git rm): no Dockerfile needs the vendored binary once its install is gone.`] : []),
    ...(shipped.length > 0 ? [`Remove the extra_files entry at ${shipped.flatMap((s) => s.by.map((b) => `${b.where} (${b.at})`)).join(', ')} from the GoReleaser config with this change${fetched.length > 0 ? ', and the before hook (or script) that downloads the file' : ''}: no Dockerfile copies it once its install is gone, and GoReleaser fails on an extra file that is missing.`] : []),
  ];
  const deletion = todo.length > 0 ? `${todo.join(' ')} The tool removes only the instruction.` : undefined;
  return { ...report, message: `${report.message}; ${notes.join('; ')}`, ...(deletion ? { hint: report.hint ? `${deletion} ${report.hint}` : deletion } : {}) };
}

interface Consumer {
  path: string;
  image: string | undefined;
  /** file:line */
  where: string;
}

/**
 * Mentions no rule explained (the unsupported-file audit reports them only after this rule has
 * decided): in a file with no finding, every mention outside comments and outside this rule's own
 * install sites may run the binary, so it counts as a consumer of any image.
 */
function unexplained(
  files: readonly SourceFile[],
  findings: readonly PendingFinding[],
  seen: readonly { file: SourceFile; analysis: DockerAnalysis }[],
  notUses: (file: SourceFile) => [number, number][],
): Consumer[] {
  const reported = new Set(findings.map((p) => p.file));
  const out: Consumer[] = [];
  for (const file of files) {
    if (reported.has(file) || file.kind === 'other') continue;
    const installs = seen.find((s) => s.file === file)?.analysis.installs ?? [];
    let li: LineIndex | undefined;
    let names: [number, number][] | undefined;
    for (const o of usesOutsideComments(file)) {
      if (installs.some((i) => (o >= i.start && o < i.end) || i.edits.some((e) => o >= e.start && o < e.end))) continue;
      // A build stage's name (`FROM base AS without-grpc-health-probe-bin`) runs nothing.
      if ((names ??= notUses(file)).some(([s, e]) => o >= s && o < e)) continue;
      li ??= new LineIndex(file.text);
      out.push({ path: file.path, image: undefined, where: `${file.displayPath}:${li.position(o).line}` });
    }
  }
  return out;
}

/**
 * Where the repository names a path an install put the binary at under another name: those
 * places run it, though they never name grpc_health_probe, so the rules did not see them. Read
 * only when such an install exists (the whole tree is searched for the path), outside the
 * Dockerfile's own install lines. An install on the image's PATH is also found by its bare name
 * where it stands as a command word, in the files the tool knows (manifests, compose, scripts,
 * Dockerfiles, IaC): a word like `healthcheck` in prose or source code is not a call.
 */
async function usesOfRenamed(run: RunContext, seen: readonly { file: SourceFile; analysis: DockerAnalysis }[]): Promise<Map<SourceFile, string[]>> {
  const out = new Map<SourceFile, string[]>();
  const renaming = seen.filter((s) => s.analysis.renamed.length > 0);
  if (renaming.length === 0) return out;
  const [{ pathOffsets, commandWordOffsets, namesOnPath }, { classify, DOCUMENTATION }, { FileReader }] = await Promise.all([
    import('../src/docker/installs.js'),
    import('../src/classify.js'),
    import('../src/discover/read.js'),
  ]);
  const searches = renaming.map((s) => ({ ...s, bare: namesOnPath(s.analysis) }));
  for (const abs of run.allFiles()) {
    const own = renaming.find((s) => s.file.path === abs);
    // A file over the engine's limit is searched for the paths to its end, like the engine
    // searches it for the binary's name (a large bundle may run the renamed binary).
    if (!own && !(sizeOf(abs) <= MAX_FILE_BYTES)) {
      const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
      if (DOCUMENTATION.test(shown)) continue;
      for (const s of renaming) {
        const needles = s.analysis.renamed.map((p) => Buffer.from(p));
        let read;
        try {
          read = new FileReader().read(abs, MAX_FILE_BYTES, needles);
        } catch {
          continue;
        }
        // A binary (NUL bytes) runs nothing by naming a path, as below.
        if ('tooLarge' in read && read.mention && !read.nul) out.set(s.file, [...(out.get(s.file) ?? []), `${shown}:${read.mention.line} (over ${humanSize(MAX_FILE_BYTES)}, not read further)`]);
      }
      continue;
    }
    const text = own ? own.file.text : run.readText(abs);
    if (text === undefined || text.includes('\0')) continue;
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    // Documentation describes the binary; it runs nothing (as for the binary's own name).
    if (DOCUMENTATION.test(shown)) continue;
    const kind = classify(shown, text);
    const known = kind !== 'other';
    let li: LineIndex | undefined;
    let comments: [number, number][] | undefined;
    for (const s of searches) {
      const offsets = [...s.analysis.renamed.flatMap((p) => pathOffsets(text, p)), ...(known ? s.bare.flatMap((n) => commandWordOffsets(text, n)) : [])].sort((a, b) => a - b);
      for (const o of offsets) {
        // A comment runs nothing, as for the binary's own name (`# - run: healthcheck …` left in a workflow).
        if (inRanges(o, (comments ??= commentRanges(kind, shown, text)))) continue;
        if (s.file.path === abs && s.analysis.installs.some((i) => (o >= i.start && o < i.end) || i.edits.some((e) => o >= e.start && o < e.end))) continue;
        li ??= new LineIndex(text);
        out.set(s.file, [...(out.get(s.file) ?? []), `${shown}:${li.position(o).line}`]);
      }
    }
  }
  return out;
}

/**
 * The comments of a file, by its kind, where a mention is not a use: YAML's (the parser's), whole
 * `#` lines of Dockerfiles and shell scripts, and the whole-line comments of the code and IaC
 * the unsupported-file rule reads (Terraform, Go, Python, Makefiles…). None for the rest (Helm
 * templates, TypeScript, JSON): every mention there counts (the safe side).
 */
function commentRanges(kind: FileKind, shown: string, text: string): [number, number][] {
  if (kind === 'yaml' || kind === 'helm-values' || kind === 'compose' || kind === 'kustomization') return yamlCommentRanges(text);
  if (kind === 'dockerfile' || kind === 'shell') return hashLineCommentRanges(text);
  if (kind === 'other') return codeLineCommentRanges(shown, text);
  return [];
}

function sizeOf(abs: string): number {
  try {
    return fs.statSync(abs, { throwIfNoEntry: false })?.size ?? Infinity;
  } catch {
    return Infinity;
  }
}

const indexes = new WeakMap<SourceFile, LineIndex>();
function where(c: PendingFinding): string {
  // A file not read (over the size limit) has the place where it names the binary, and no text.
  if (c.position) return `${c.file.displayPath}:${c.position.line}`;
  if (!c.file.text) return c.file.displayPath;
  let li = indexes.get(c.file);
  if (!li) indexes.set(c.file, (li = new LineIndex(c.file.text)));
  return `${c.file.displayPath}:${li.position(c.report.start).line}`;
}

export default rule;

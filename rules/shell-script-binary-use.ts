import { upstreamRunKeeps, UPSTREAM_IMAGE } from '../src/analysis/binary.js';
import { CONTAINER_NAME_HINT, commandUses, scriptImageNames, scriptVariables, type WordReader } from '../src/analysis/script-runs.js';
import { heredocDestination, heredocManifestFinding, heredocReadOnlyBy, heredocVariables, SCRIPT_HOLDER } from '../src/analysis/heredoc-manifest.js';
import { inRanges, mentionOffsets } from '../src/analysis/mentions.js';
import type { HeredocText, ShCall, ShHeredoc, ShWord } from '../src/analysis/shell.js';
import { lineStartOf } from '../src/text/lines.js';
import type { Report, Rule } from '../src/types.js';

/**
 * Shell scripts in the tree (`*.sh`, `*.bash`, and files without an extension whose `#!` line
 * names a shell: src/classify.ts) that use grpc_health_probe: wait loops, entrypoint
 * wrappers, smoke tests, install scripts. The tool does not rewrite them. A script that names the
 * binary anywhere outside a comment keeps it installed (the safe side): a smoke test that runs it
 * through `kubectl exec` or `docker compose exec` needs it in the image as much as a probe does.
 * The message says what the script does with it when the tool can tell.
 */
/** What to do about a script the parser cannot read. */
const PARSE_HINT =
  'Fix the shell syntax at this line (bash -n checks a script), then run the tool again; if the script runs as it is (a shell feature the parser does not know), check its uses of the binary by hand. Until then every install of the binary stays.';

/** What to do about a script over the shell parser's size cap. */
const LARGE_HINT =
  'The tool does not parse a script this large, so it cannot tell what it does with grpc_health_probe; every install of the binary stays. Check its uses of the binary by hand, or split it into smaller scripts, then run the tool again.';

const rule: Rule = {
  meta: {
    id: 'shell-script-binary-use',
    description: 'Reports shell scripts that use grpc_health_probe',
    fixable: false,
    fileKinds: ['shell'],
    docs: 'Each use of grpc_health_probe in a shell script (read with mvdan/sh) is reported as unsupported-file and keeps the binary installed: a call, a call through a wrapper (kubectl exec, docker compose exec, timeout, env, sudo, sh -c …) or a variable, or any other mention outside a comment (a Kubernetes manifest in a here-document is read for the probe it holds and what that would become; one that only kubectl delete, get, describe, wait or diff reads creates nothing, so it is info and keeps nothing). A script that names it only in comments keeps nothing. A call in a script that a Dockerfile HEALTHCHECK runs (its path in the image matched to the script) is reported as no-native-check: Docker has no native gRPC check.',
  },
  create(run) {
    return {
      async file(ctx) {
        const shell = await import('../src/analysis/shell.js');
        const { text } = ctx.file;
        let script;
        try {
          script = shell.parseShell(text);
        } catch (e) {
          if (!(e instanceof shell.ShellParseError)) throw e;
          if (e instanceof shell.ShellTooLargeError) {
            // Not read at all: said where the script first names the binary (the file reached the
            // rules because it does).
            ctx.report({ start: mentionOffsets(text)[0] ?? 0, subject: 'file', error: true, blockers: ['unparseable'], message: `the script is ${e.message}; the file was left unchanged`, hint: LARGE_HINT });
            return;
          }
          // At the place the parser names, as a YAML or JSON error is.
          const { offset, reason } = shell.shellErrorAt(text, e.message);
          ctx.report({ start: offset ?? 0, subject: 'file', error: true, blockers: ['unparseable'], message: `not valid shell (${reason}); the file was left unchanged`, hint: PARSE_HINT });
          return;
        }
        // A script that a GoReleaser before hook runs and that only downloads the binary: the
        // install an image's extra_files and COPY complete, not a use (src/kubernetes/goreleaser.ts).
        const { goReleaserHookInstall } = await import('../src/kubernetes/goreleaser.js');
        const hooked = goReleaserHookInstall(ctx.file, run);
        // Both report the script once, at its first mention outside a comment, keeping nothing.
        const installReport = (message: string, hint: string): Report => {
          const mentions = mentionOffsets(text);
          const comments = shell.shellCommentRanges(text);
          const first = mentions.find((o) => !inRanges(o, comments)) ?? mentions[0] ?? 0;
          return { start: first, end: first + 'grpc_health_probe'.length, covers: [0, text.length], subject: 'consumer', blockers: ['unsupported-file'], keepsBinary: false, message, hint };
        };
        if (hooked) {
          ctx.report(
            installReport(
              `a shell script that a GoReleaser before hook runs (${hooked.hook}) only downloads grpc_health_probe (it names it in the arguments of ${hooked.commands.join(', ')}): it fetches the file for an image's build context and runs nothing, so it keeps no install; the tool does not edit scripts`,
              'This script is part of the binary\'s install: GoReleaser\'s extra_files ship what it downloads into the build context, where the Dockerfile\'s COPY puts it in the image. Once nothing runs grpc_health_probe in those images (the tool then removes the COPY), delete the script, its hook and the extra_files entry by hand.',
            ),
          );
          return;
        }
        // A script that a Dockerfile RUN runs and that only downloads the binary: that image's
        // install (src/docker/run-scripts.ts), not a use of every image.
        const { dockerfileRunOf } = await import('../src/docker/run-scripts.js');
        const ranBy = ctx.file.path === '' ? undefined : dockerfileRunOf(run, ctx.file.path);
        if (ranBy) {
          const { scriptInstallsOnly } = await import('../src/kubernetes/probes.js');
          const commands = scriptInstallsOnly(text)!;
          ctx.report(
            installReport(
              `a shell script that a Dockerfile RUN runs (${ranBy}) only downloads grpc_health_probe (it names it in the arguments of ${commands.join(', ')}): it is that image's install and runs nothing, so it keeps no install; the tool does not edit scripts`,
              'This script is part of the binary\'s install in the image the Dockerfile builds. Once nothing runs grpc_health_probe in that image (the tool then removes what copies the binary out of the stage), delete the RUN and this script by hand.',
            ),
          );
          return;
        }
        const env = scriptVariables(script.calls, shell.resolveWord, script.setsOtherwise, undefined, script.otherSets);
        const reader: WordReader = { resolve: shell.resolveWord, parse: (s) => shell.parseShell(s).calls, env, imageNames: scriptImageNames(script.calls, shell.resolveWord, script.setsOtherwise) };

        const reports: Report[] = [];
        // Spans of the calls reported (or covered by a report): a mention inside one is accounted for.
        const accounted: [number, number][] = [];
        const mentions = mentionOffsets(text);
        // A call that names the binary on a later line than it starts on (a jq program, a JSON
        // document passed as one argument) is reported where it names it: that line is the one to read.
        const namedAt = (call: ShCall): { start: number; end: number } => {
          const o = mentions.find((m) => m >= call.start && m < call.end);
          return o === undefined || lineStartOf(text, o) === lineStartOf(text, call.start) ? call : { start: o, end: o + 'grpc_health_probe'.length };
        };
        const { buildTargetUse } = await import('../src/analysis/build-targets.js');
        // A Dockerfile HEALTHCHECK that runs this script: Docker's check, with no native gRPC form.
        let healthchecks: string[] | undefined;
        const healthchecksOf = async () => (healthchecks ??= ctx.file.path === '' ? [] : (await import('../src/docker/healthcheck-scripts.js')).healthchecksRunning(run, ctx.file.path));
        let target: { message: string; hint: string } | undefined;
        for (const use of commandUses(script.calls, reader)) {
          const { call } = use;
          accounted.push([call.start, call.end]);
          if (use.kind === 'run') {
            const { run } = use;
            const how = `runs grpc_health_probe${run.via ? ` (as $${run.via})` : ''}${run.through.length > 0 ? ` through ${run.through.join(', then ')}` : ''}`;
            const checks = run.image === undefined ? await healthchecksOf() : [];
            if (checks.length > 0) {
              // Not for Kubernetes at all: `kubectl wait` would not replace what Docker (and compose's
              // depends_on: condition: service_healthy) run.
              reports.push({ ...keeps(call, `that a Dockerfile HEALTHCHECK runs (${checks.join(', ')}) ${how}; Docker has no native gRPC check, so the image keeps the binary`, healthcheckHint(checks)), blockers: ['no-native-check'] });
              continue;
            }
            const report = keeps(call, `${how}${run.image !== undefined ? ` in the image ${run.image}${run.tagAtRunTime ? ' (its tag set at run time)' : ''}` : ''}; the binary stays installed while it does`, RUN_HINT);
            // The image it runs in: only the installs of Dockerfiles that may build it stay for it.
            reports.push(run.image === undefined ? report : UPSTREAM_IMAGE.test(run.image) ? { ...report, keepsBinary: false, upstreamImage: run.image, hint: UPSTREAM_HINT } : { ...report, image: run.image });
          } else if (use.kind === 'upstream') {
            // `docker run ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24 -addr=api:5000`: the binary ships in that image.
            reports.push({ ...keeps(call, `runs the grpc-health-probe image ${use.image} through ${use.label}; the binary ships in that image, ${upstreamRunKeeps(use.image)}`, UPSTREAM_HINT), keepsBinary: false, upstreamImage: use.image });
          } else if (use.kind === 'names' && use.containerName !== undefined) {
            // `docker run --name grpc_health_probe IMAGE`: the container's name, not a program.
            reports.push({ ...namedAt(call), subject: 'consumer', info: true, keepsBinary: false, message: `a shell script names grpc_health_probe only as the name of the container ${use.containerName} starts (--name); a name runs nothing and keeps no install`, hint: CONTAINER_NAME_HINT });
          } else if (use.kind === 'names' && use.buildTarget !== undefined && (target = buildTargetUse(run, use.buildTarget, '--target'))) {
            // `docker build --target without-grpc-health-probe-bin`: a stage's name, the fix leaves that stage as it is.
            reports.push({ ...namedAt(call), subject: 'consumer', info: true, keepsBinary: false, message: `a shell script names grpc_health_probe only in ${target.message}`, hint: target.hint });
          } else if (use.kind === 'names') {
            reports.push(keeps(namedAt(call), `names grpc_health_probe ${use.where}; the binary stays installed while the script names it`, NAME_HINT));
          } else if (!use.ranBy) {
            // `PROBE=/bin/grpc_health_probe` is said by the call that runs "$PROBE"; otherwise on its own.
            reports.push(keeps(namedAt(call), `names grpc_health_probe in the value of ${use.name}; the binary stays installed while the script names it`, NAME_HINT));
          }
        }

        // Anything else (a here-document, a `[[ -x … ]]` test, a `for` list, `export X=…`) is read
        // for what it is not: a comment. Outside one, it keeps the binary too.
        const others = mentions.filter((o) => !inRanges(o, accounted));
        const comments = others.length > 0 ? shell.shellCommentRanges(text) : [];
        const seenLines = new Set<number>();
        const manifests = new Map<ShHeredoc, { body: HeredocText; reports: Report[] | undefined }>();
        let inComments = 0;
        for (const o of others) {
          if (inRanges(o, comments)) {
            inComments++;
            continue;
          }
          const line = lineStartOf(text, o);
          if (seenLines.has(line)) continue;
          seenLines.add(line);
          const at = { start: o, end: o + 'grpc_health_probe'.length };
          const heredoc = script.heredocs.find((h) => h.start <= o && o < h.end);
          if (heredoc) {
            if (!manifests.has(heredoc)) {
              const { embeddedManifestReports } = await import('../src/kubernetes/embedded-manifest.js');
              const { targetClusters } = await import('../src/analysis/native-probe.js');
              // What kubectl reads: with `<<EOF`, the body after the shell's expansions.
              const body = shell.heredocText(text, heredoc, heredocVariables(script, heredoc, shell.resolveWord));
              manifests.set(heredoc, { body, reports: embeddedManifestReports(body.text, targetClusters(run.options)) });
            }
            reports.push(heredocReport(at, heredoc, manifests.get(heredoc)!, reader));
            continue;
          }
          reports.push(keeps(at, 'names grpc_health_probe outside a command the tool reads; the binary stays installed while the script names it', NAME_HINT));
        }
        if (reports.length === 0 && inComments > 0) {
          const at = others.find((o) => inRanges(o, comments))!;
          ctx.report({
            start: at,
            end: at + 'grpc_health_probe'.length,
            subject: 'consumer',
            info: true,
            message: 'a shell script names grpc_health_probe only in comments; a comment does not keep the binary installed',
            hint: 'Nothing runs here. Update the comment once the migration has landed.',
          });
        }
        for (const r of reports.sort((a, b) => a.start - b.start)) ctx.report(r);
      },
    };
  },
};

const RUN_HINT =
  'The tool does not rewrite scripts, so the binary stays installed while this script runs it. To let it go, change the script by hand (e.g. `kubectl wait --for=condition=Ready` once the probes are native, or grpcurl run from outside the image), then run the tool again.';
const healthcheckHint = (checks: readonly string[]) =>
  `Docker runs this script as the image's health check (HEALTHCHECK at ${checks.join(', ')}), and Docker has no native gRPC check: keep the binary for it, or, when only Kubernetes runs the image, drop the HEALTHCHECK (and what waits on it, such as compose's depends_on: condition: service_healthy) and then this call. The tool does not rewrite scripts.`;
const UPSTREAM_HINT =
  'The binary ships in the grpc-health-probe image, so this keeps no install of this repository. It checks the server from outside the kubelet: keep it, or give the server a native grpc probe and drop it.';
const READ_ONLY_HINT =
  'kubectl delete, get, describe, wait and diff create no object, so the probe in this document never runs. Nothing to migrate here; update the document with the manifests it matches if you like.';
const NAME_HINT =
  'The tool does not rewrite scripts and cannot tell what this one does with the binary, so it stays installed (the safe side). Check the script by hand; once it no longer needs grpc_health_probe, remove the mention and run the tool again.';

/**
 * A mention inside a here-document. When the body is a Kubernetes manifest (`kubectl apply -f -
 * <<EOF`), the manifest rule's reading of it says which probe runs the binary and what it would
 * become: the fix is by hand, in the script, or by moving the manifest into a file the tool reads.
 */
function heredocReport(at: { start: number; end: number }, h: ShHeredoc, manifest: { body: HeredocText; reports: Report[] | undefined }, reader: WordReader): Report {
  const text = (w: ShWord) => reader.resolve(w, reader.env).text;
  const dest = heredocDestination(h, text);
  const inDoc = `a here-document${dest ? ` (${dest})` : ''}`;
  // `kubectl delete -f - <<EOF`: kubectl reads each object's kind and name, and creates nothing.
  const readOnly = heredocReadOnlyBy(h, text);
  if (readOnly) {
    return {
      start: at.start,
      end: at.end,
      subject: 'consumer',
      info: true,
      keepsBinary: false,
      message: `a shell script names grpc_health_probe in ${inDoc}; ${readOnly} creates no object from it, so no container or probe of it runs, and it keeps no install`,
      hint: READ_ONLY_HINT,
    };
  }
  const found = heredocManifestFinding(manifest.reports, manifest.body, at.start, inDoc, SCRIPT_HOLDER);
  if (!found) return keeps(at, `names grpc_health_probe in ${inDoc}; the binary stays installed while the script names it`, NAME_HINT);
  return keeps(at, `${found.what}; the binary stays installed ${found.fixable ? 'until then' : 'while it does'}`, found.hint ?? NAME_HINT);
}

function keeps(at: { start: number; end: number }, what: string, hint: string): Report {
  return { start: at.start, end: at.end, subject: 'consumer', blockers: ['unsupported-file'], keepsBinary: true, message: `a shell script ${what}`, hint };
}

export default rule;

import { codeLineCommentRanges, inRanges, mentionOffsets, usesOutsideComments } from '../src/analysis/mentions.js';
import type { Report, Rule, RunContext, SourceFile } from '../src/types.js';
import { lineEndOf, lineStartOf } from '../src/text/lines.js';
import { DOCKER_IGNORE, DOCUMENTATION, RENOVATE_CONFIG, TOOL_IGNORE } from '../src/classify.js';
import { goRawStringAt, goStringListAt, restoreGo } from '../src/analysis/go-command.js';
import { isBinaryPath, mentionsBinary, NAMED_IMAGE_HINT, upstreamRunKeeps, UPSTREAM_IMAGE } from '../src/analysis/binary.js';
import { DOCKER_HEALTHCHECK_HINT, ECS_HINT, inDockerHealthCheckTest, inEcsHealthCheckCommand, lineBefore, openerBefore } from '../src/analysis/ecs.js';
import { planNativeProbe, shellScriptIndex, SUB_SECOND_NOTE, targetClusters } from '../src/analysis/native-probe.js';
import { stringListAt, type ListLanguage } from '../src/analysis/string-list.js';
import type { BlockerCode } from '../src/types.js';
import { CONTAINER_NAME_HINT } from '../src/analysis/script-runs.js';
import { isYttText } from '../src/ytt/detect.js';

/**
 * Nothing silently missed. Files of a kind the tool cannot rewrite (Jsonnet, CUE, Terraform, Go,
 * Python, …) get one blocked finding per line that names the binary; and once every rule has
 * run, any candidate file that still has no finding gets one per line outside comments, so a
 * use no rule understood is never dropped without a word.
 */
const rule: Rule = {
  meta: {
    id: 'unsupported-file',
    description: 'Files that mention grpc_health_probe but that no rule can rewrite are reported, line by line',
    fixable: false,
    fileKinds: ['other'],
    // Its end runs after every other rule's, install decisions included (those treat mentions no
    // rule explained as consumers themselves, so they stay on the safe side).
    audits: true,
    docs: 'Reports each line naming grpc_health_probe in files of kinds the tool cannot rewrite (blocked, unsupported-file; a Makefile\'s recipe lines are read as shell, as scripts are, so a run of the upstream probe image keeps no install, a run in a named image keeps that image\'s, and a container named after the binary keeps none), and — after every rule ran — each such line in any scanned file no rule reported on (blocked, unparseable). Mentions in YAML comments, and in whole-line comments of the code and IaC it cannot rewrite, are not uses: they keep nothing installed. Neither do documentation and Renovate configs, which are reported.',
  },
  create() {
    return {
      async file(ctx) {
        // A ytt template or overlay (src/classify.ts): its `#@` lines are code, and what it runs is
        // said in ytt's terms (src/ytt/report.ts).
        if (YAML_FILE.test(ctx.file.displayPath) && isYttText(ctx.file.text)) {
          const { yttReports } = await import('../src/ytt/report.js');
          // A manifest written as a string beside the ytt code (a kapp-controller App's inline file,
          // its overlays in a template step): its probes as a manifest's, kept on exec.
          const strings = /\bapiVersion\b/.test(ctx.file.text) && /:[ \t]*[|>]/.test(ctx.file.text) ? await yttFileManifestStrings(ctx.file, ctx.run) : undefined;
          for (const r of strings?.reports ?? []) ctx.report(r);
          for (const r of yttReports(ctx.file)) if (!strings?.ranges.some(([s, e]) => r.start >= s && r.start < e)) ctx.report(r);
          return;
        }
        // A whole-line comment (a commented-out Terraform probe, `// Command: …` in Go) is text, not
        // configuration, as in YAML: it is not a use and keeps nothing installed.
        const mentions = mentionOffsets(ctx.file.text);
        const comments = codeLineCommentRanges(ctx.file.displayPath, ctx.file.text);
        const uses = comments.length > 0 ? mentions.filter((o) => !inRanges(o, comments)) : mentions;
        const clusters = targetClusters(ctx.run.options);
        const embedded = /\.go$/i.test(ctx.file.displayPath) && ctx.file.text.includes('`') ? await goEmbeddedManifests(ctx.file.text, uses, clusters) : undefined;
        // A Makefile's recipe lines are shell: a command read as a script's is said so (and an
        // upstream image or a container name keeps nothing); every other mention, as before.
        // Bazel rules that only fetch and package the binary (http_file, pkg_tar, an oci_image's
        // tars): the install of the image Bazel builds, which keeps no other (src/analysis/bazel.ts).
        if (uses.length > 0 && BAZEL.test(baseName(ctx.file.displayPath))) {
          const { bazelInstallReports } = await import('../src/analysis/bazel.js');
          const bazel = bazelInstallReports(baseName(ctx.file.displayPath), ctx.file.text, uses);
          if (bazel) {
            for (const r of bazel) ctx.report(r);
            return;
          }
        }
        const recipes = MAKEFILE.test(baseName(ctx.file.displayPath)) && uses.length > 0 ? await recipeUses(ctx.file.text, uses, ctx.run) : undefined;
        const rest = recipes ? uses.filter((o) => !recipes.accounted.has(o)) : uses;
        for (const r of [...(recipes?.reports ?? []), ...perLine(ctx.file, rest, 'unsupported-file', clusters, embedded)].sort((a, b) => a.start - b.start)) ctx.report(r);
        if (uses.length === 0 && mentions.length > 0) {
          ctx.report({
            start: mentions[0]!,
            end: mentions[0]! + 'grpc_health_probe'.length,
            subject: 'consumer',
            info: true,
            message: `grpc_health_probe is named only in comments (${describe(ctx.file.displayPath)}); a comment does not keep the binary installed`,
            hint: 'Nothing runs here. Update the comment once the migration has landed.',
          });
        }
      },
      async end(ctx) {
        const reported = new Set(ctx.findings().map((p) => p.file));
        for (const file of ctx.files()) {
          // Helm templates: helm-exec-probe already reports every mention outside comments.
          if (reported.has(file) || file.kind === 'other' || file.kind === 'helm-template') continue;
          let uses = usesOutsideComments(file);
          // A Dockerfile's build stage named after the binary (`FROM … AS without-grpc-health-probe-bin`,
          // `FROM without-grpc-health-probe-bin`, `COPY --from=…`) runs nothing: once its install is
          // gone (which claimed those lines), the names alone are no use to check by hand.
          if (file.kind === 'dockerfile' && uses.length > 0) {
            const names = await dockerfileStageNames(file.text);
            const stage = uses.find((o) => inRanges(o, names));
            uses = uses.filter((o) => !inRanges(o, names));
            const [s, e] = stage === undefined ? [0, 0] : names.find(([s, e]) => stage >= s && stage < e)!;
            // Said once (nothing silently missed), as a file named only in comments is.
            if (uses.length === 0 && stage !== undefined) {
              ctx.report(file, {
                start: s,
                end: e,
                subject: 'consumer',
                info: true,
                keepsBinary: false,
                message: `grpc_health_probe is named here only in build-stage names (${file.text.slice(s, e)}); a stage's name runs nothing and keeps no install`,
                hint: 'Nothing runs here. Rename the stage once the migration has landed if you like.',
              });
            }
          }
          for (const r of perLine(file, uses, 'unparseable')) ctx.report(file, r);
        }
      },
    };
  },
};

/** The build-stage names of a Dockerfile (none when it is too large to parse: each mention then counts). */
async function dockerfileStageNames(text: string): Promise<[number, number][]> {
  const { InstructionTooLargeError, parseDockerfile, stageNameRanges } = await import('../src/docker/parse.js');
  try {
    return stageNameRanges(parseDockerfile(text), { stageImages: false });
  } catch (e) {
    if (e instanceof InstructionTooLargeError) return [];
    throw e;
  }
}

function perLine(
  file: SourceFile,
  offsets: readonly number[],
  code: 'unsupported-file' | 'unparseable',
  clusters?: { kubeVersion: string; tlsMode: boolean },
  embedded?: (offset: number) => GoFinding | undefined,
): Report[] {
  const out: Report[] = [];
  let lastLineStart = -1;
  for (const o of offsets) {
    const lineStart = lineStartOf(file.text, o);
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    const go = code === 'unsupported-file' && clusters && /\.go$/i.test(file.displayPath) ? (embedded?.(o) ?? goProbe(file.text, o, clusters)) : undefined;
    if (go) {
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: ['unsupported-file', ...go.codes],
        keepsBinary: true,
        hint: go.hint,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)})${go.message}`,
      });
      continue;
    }
    // A container health check in Terraform (ECS `container_definitions`' `healthCheck = { command = … }`,
    // the docker provider's `healthcheck { test = … }`): Docker or ECS runs it, with no native gRPC
    // check; the generic hint ("replace exec by hand with a grpc block") has nothing to apply to.
    const check = code === 'unsupported-file' && TERRAFORM.test(baseName(file.displayPath)) ? TERRAFORM_HEALTH_CHECKS.find((c) => c.at(file.text, o)) : undefined;
    if (check) {
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: ['unsupported-file', 'no-native-check'],
        keepsBinary: true,
        hint: check.hint,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)}): ${check.what}`,
      });
      continue;
    }
    // A literal command list in Terraform/HCL or Jsonnet: judged as the Go branch judges one.
    const lang: ListLanguage | undefined = code !== 'unsupported-file' || !clusters ? undefined : TERRAFORM.test(baseName(file.displayPath)) ? 'hcl' : JSONNET.test(baseName(file.displayPath)) ? 'jsonnet' : undefined;
    // `image: "amothic/grpc-health-probe:latest"` (a sidecar that runs the binary as its
    // entrypoint): no probe, said as a manifest's container image is (src/kubernetes/probes.ts).
    const image = lang ? containerImageAt(file.text, lineStart, o) : undefined;
    if (image !== undefined) {
      const upstream = UPSTREAM_IMAGE.test(image);
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: ['unsupported-file', 'not-a-probe'],
        keepsBinary: !upstream,
        ...(upstream ? {} : { image }),
        hint: upstream ? 'Only probes can be native. A container that runs the probe image checks another container from outside the kubelet: give that container a native grpc probe instead and remove this one, or keep it.' : NAMED_IMAGE_HINT,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)}): ${upstream ? `a container runs the grpc-health-probe image ${image}: the binary ships in that image, so no install of this repository is needed for it` : `a container runs the image ${image}, named after the binary, which may run grpc_health_probe as its entrypoint`}`,
      });
      continue;
    }
    // `name = "grpc-health-probe"` in a container block (a volume's, a volume mount's): as in a
    // manifest, a name runs nothing and keeps no install. Said only when the line names the binary
    // nowhere else: `{ name: 'grpc-health-probe', command: ['grpc_health_probe', …] }` on one line
    // is its command's finding, which keeps the install.
    const named = lang ? podObjectNameAt(file.text, lineStart, o) : undefined;
    if (named) {
      const lineEnd = lineEndOf(file.text, o);
      if (offsets.some((p) => p > o && p < lineEnd && !podObjectNameAt(file.text, lineStart, p))) {
        lastLineStart = -1;
        continue;
      }
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        info: true,
        keepsBinary: false,
        hint: POD_NAME_HINT,
        message: `${named.what} is named ${named.value} (${named.at}, in ${describe(file.displayPath)}); a name runs nothing and keeps no install`,
      });
      continue;
    }
    const list = lang ? listProbe(file.text, o, clusters!, lang) : undefined;
    if (list) {
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: ['unsupported-file', ...list.codes],
        keepsBinary: true,
        hint: list.hint,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)})${list.message}`,
      });
      continue;
    }
    // A Podman Quadlet container: everything in it runs in the image its Image= names, and its
    // HealthCmd= is Podman's health check, which has no native gRPC form.
    if (code === 'unsupported-file' && QUADLET_CONTAINER.test(baseName(file.displayPath))) {
      const image = quadletImage(file.text);
      const health = inQuadletKey(file.text, o, 'HealthCmd');
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: health ? ['unsupported-file', 'no-native-check'] : ['unsupported-file'],
        keepsBinary: true,
        ...(image ? { image } : {}),
        hint: health ? QUADLET_HEALTH_HINT : QUADLET_HINT,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)}): ${health ? 'a Podman health check runs it (HealthCmd=), and Podman has no native gRPC check, so' : 'it runs in the container, so'} the image ${image ?? '(its Image= the tool cannot read)'} keeps the binary`,
      });
      continue;
    }
    // Documentation describes the binary, a Renovate config bumps its version and a .dockerignore
    // leaves it out of the build context: none runs it, so none keeps an install nor holds the
    // migration (info, reworded once it has landed).
    const quiet = DOCUMENTATION.test(file.displayPath)
      ? RUNS_NOTHING.documentation
      : RENOVATE_CONFIG.test(baseName(file.displayPath))
        ? RUNS_NOTHING.renovate
        : DOCKER_IGNORE.test(baseName(file.displayPath))
          ? RUNS_NOTHING.dockerignore
          : TOOL_IGNORE.test(baseName(file.displayPath))
            ? toolIgnore(baseName(file.displayPath))
          : onlyGoInstall(file.text.slice(lineStart, lineEndOf(file.text, o)))
            ? RUNS_NOTHING.goInstall
            : undefined;
    const exec = quiet || code !== 'unsupported-file' ? undefined : execBefore(file.text, lineStart, o);
    if (exec) {
      out.push({
        start: o,
        end: o + 'grpc_health_probe'.length,
        subject: 'consumer',
        blockers: [code],
        keepsBinary: true,
        hint: EXEC_HINT,
        message: `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)}): ${exec} runs it in a running container, which is no probe`,
      });
      continue;
    }
    out.push({
      start: o,
      end: o + 'grpc_health_probe'.length,
      subject: 'consumer',
      ...(quiet ? {} : { blockers: [code] }),
      keepsBinary: !quiet,
      ...(quiet ? { info: true, hint: quiet.hint } : code === 'unsupported-file' ? { hint: handHint(file.displayPath) } : {}),
      // An info finding says what the file is and that it runs nothing, not that it cannot be rewritten (no blocker).
      message: quiet
        ? quiet.message
        : code === 'unsupported-file'
          ? `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)})`
          : 'grpc_health_probe is named here, but no rule found a use it understands; check it by hand',
    });
  }
  return out;
}


const QUADLET_CONTAINER = /\.container$/i;
const YAML_FILE = /\.ya?ml$/i;
const BAZEL = /\.(bzl|bazel)$|^(BUILD|WORKSPACE)$/;
const MAKEFILE = /^(GNUmakefile|Makefile|makefile)$|\.mk$/i;

const RECIPE_RUN_HINT =
  'The tool does not rewrite Makefiles. This recipe runs the binary in the image it names, so the installs of the Dockerfiles that may build that image stay while it does; change the recipe by hand (e.g. check the server with the upstream grpc-health-probe image, or grpcurl, from outside the image), then run the tool again.';
const RECIPE_UPSTREAM_HINT =
  'The binary ships in the grpc-health-probe image, so this keeps no install of this repository. It checks the server from outside the kubelet: keep it, or give the server a native grpc probe and drop it.';

/**
 * The uses of the binary a Makefile's recipe lines show when read as the shell runs them
 * (src/analysis/makefile.ts, then commandUses, as for a script in the tree), for the commands
 * whose reading keeps less than "every install": a run in an image the command names (that
 * image's installs), a run of the upstream probe image (none), a container named after the binary
 * (none). `accounted`: the mentions they cover. Every other mention (a run with no image, an
 * argument, a line that does not parse, a make reference that names the binary such as
 * `$(shell grpc_health_probe …)`, anything outside a recipe) is left to perLine: it keeps every install.
 */
async function recipeUses(text: string, uses: readonly number[], run: RunContext): Promise<{ reports: Report[]; accounted: Set<number> } | undefined> {
  const { makeRecipes, referenceResolver, restoreReferences } = await import('../src/analysis/makefile.js');
  const recipes = makeRecipes(text);
  if (!recipes || recipes.lines.length === 0) return undefined;
  const [shell, runs, { buildTargetUse }] = await Promise.all([import('../src/analysis/shell.js'), import('../src/analysis/script-runs.js'), import('../src/analysis/build-targets.js')]);
  const targetUse = (target: string) => buildTargetUse(run, target, '--target');
  const resolve = referenceResolver(recipes.references, shell.resolveWord);
  const inReference = (o: number) => recipes.references.some((r) => r.start <= o && o < r.end);
  const restore = (s: string) => restoreReferences(s, recipes.references);
  const reports: Report[] = [];
  const accounted = new Set<number>();
  for (const line of recipes.lines) {
    const here = uses.filter((o) => o >= line.start && o < line.end && !inReference(o));
    if (here.length === 0) continue;
    let script;
    try {
      script = shell.parseShell(line.script);
    } catch (e) {
      if (!(e instanceof shell.ShellParseError)) throw e;
      continue;
    }
    const reader = {
      resolve,
      parse: (s: string) => shell.parseShell(s).calls,
      env: runs.scriptVariables(script.calls, resolve, script.setsOtherwise, undefined, script.otherSets),
      imageNames: runs.scriptImageNames(script.calls, resolve, script.setsOtherwise),
    };
    const found = runs.commandUses(script.calls, reader).map((use) => ({ use, start: line.at[use.call.start]!, end: line.at[use.call.end]! }));
    // A mention is the innermost command's that holds it: `$$(grpc_health_probe …)` inside an
    // upstream image's docker run runs on make's machine, and is not that run's.
    const owner = (o: number) => found.filter((f) => f.start <= o && o < f.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0];
    for (const f of found) {
      const covered = here.filter((o) => owner(o) === f);
      if (covered.length === 0) continue;
      const report = recipeReport(f.use, restore, targetUse);
      if (!report) continue;
      for (const o of covered) accounted.add(o);
      reports.push({ start: covered[0]!, end: covered[0]! + 'grpc_health_probe'.length, subject: 'consumer', ...report });
    }
  }
  return { reports, accounted };
}

type RecipeReport = Omit<Report, 'start' | 'end' | 'subject'>;

function recipeReport(use: import('../src/analysis/script-runs.js').CommandUse, restore: (s: string) => string, targetUse: (target: string) => { message: string; hint: string } | undefined): RecipeReport | undefined {
  const said = 'grpc_health_probe is named in a file the tool cannot rewrite (a Makefile): a recipe';
  if (use.kind === 'upstream' || (use.kind === 'run' && use.run.image !== undefined && UPSTREAM_IMAGE.test(use.run.image))) {
    const image = use.kind === 'upstream' ? use.image : use.run.image!;
    const through = use.kind === 'upstream' ? use.label : use.run.through.join(', then ');
    return { blockers: ['unsupported-file'], keepsBinary: false, upstreamImage: image, hint: RECIPE_UPSTREAM_HINT, message: `${said} runs the grpc-health-probe image ${restore(image)} through ${restore(through)}; the binary ships in that image, ${upstreamRunKeeps(image)}` };
  }
  if (use.kind === 'run' && use.run.image !== undefined) {
    const image = restore(use.run.image);
    return {
      blockers: ['unsupported-file'],
      keepsBinary: true,
      image,
      hint: RECIPE_RUN_HINT,
      message: `${said} runs grpc_health_probe through ${restore(use.run.through.join(', then '))} in the image ${image}${use.run.tagAtRunTime ? ' (its tag set at run time)' : ''}; the installs of that image stay while it does`,
    };
  }
  if (use.kind === 'names' && use.containerName !== undefined) {
    return { info: true, keepsBinary: false, hint: CONTAINER_NAME_HINT, message: `a Makefile recipe names grpc_health_probe only as the name of the container ${restore(use.containerName)} starts (--name); a name runs nothing and keeps no install` };
  }
  // `docker build --target without-grpc-health-probe-bin`: a stage the fix leaves as it is (src/analysis/build-targets.ts).
  const target = use.kind === 'names' && use.buildTarget !== undefined ? targetUse(restore(use.buildTarget)) : undefined;
  if (target) return { info: true, keepsBinary: false, hint: target.hint, message: `a Makefile recipe names grpc_health_probe only in ${target.message}` };
  return undefined;
}
const QUADLET_HEALTH_HINT =
  'Podman (a Quadlet HealthCmd=, like a Docker HEALTHCHECK) has no native gRPC health check: the image named by Image= keeps the binary for it. Keep it, or drop HealthCmd= (and its Health* settings) by hand where only Kubernetes checks the server; the tool does not rewrite Quadlet units.';
const QUADLET_HINT =
  'The tool does not rewrite Podman Quadlet units. What this line runs runs in the image named by Image=, which keeps the binary while it names it; change it by hand, then run the tool again.';

/**
 * The image a Quadlet `.container` runs: the last `Image=` of its [Container] section. Undefined
 * when it names another unit (`api.build`, `api.image`, built or pulled elsewhere) or none.
 */
function quadletImage(text: string): string | undefined {
  let section = '';
  let image: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const head = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (head) section = head[1]!;
    const m = section === 'Container' ? /^\s*Image\s*=\s*(\S+)\s*$/.exec(line) : null;
    if (m) image = m[1];
  }
  return image && !/\.(build|image)$/.test(image) ? image : undefined;
}

/** Whether offset `o` is in the value of `key=` (its line, or a line it continues with a trailing `\`). */
function inQuadletKey(text: string, o: number, key: string): boolean {
  let start = lineStartOf(text, o);
  while (start > 0) {
    const prev = lineStartOf(text, start - 1);
    if (!/\\\r?\n$/.test(text.slice(prev, start))) break;
    start = prev;
  }
  return new RegExp(`^\\s*${key}\\s*=`).test(text.slice(start, o));
}

/** Terraform health checks that run a command: where one is, what runs it, and what to do instead. */
const TERRAFORM_HEALTH_CHECKS = [
  { at: inEcsHealthCheckCommand, hint: ECS_HINT, what: 'an ECS container health check runs it, and ECS has no native gRPC check' },
  { at: inDockerHealthCheckTest, hint: DOCKER_HEALTHCHECK_HINT, what: 'a Docker container health check runs it (healthcheck { test = … }), and Docker has no native gRPC check' },
];

/** Files that name the binary and run nothing: what their info finding says. */
const RUNS_NOTHING = {
  documentation: {
    message: 'documentation names grpc_health_probe; it runs nothing',
    hint: 'Documentation names the binary; it does not keep it installed. Update the text once the migration has landed.',
  },
  goInstall: {
    message: 'a go install of grpc_health_probe (a Makefile target, a tools script): an install runs nothing, so it keeps no other install',
    hint: 'This line installs the binary where it runs (a workstation, a CI runner, a build stage); it does not use it. Drop it by hand once nothing there runs grpc_health_probe.',
  },
  dockerignore: {
    message: 'a .dockerignore names grpc_health_probe to leave it out of the build context; it runs nothing',
    hint: 'A .dockerignore only leaves files out of the build context; it does not keep the binary installed. Drop the line once the binary is gone from the repository.',
  },
  renovate: {
    message: 'a Renovate config names grpc_health_probe to update its version; it runs nothing',
    hint: 'Renovate updates the version of the binary; it runs nothing and keeps nothing installed. Drop its rule once the installs are gone.',
  },
};

/** What each tool's ignore file leaves the binary out of (TOOL_IGNORE). */
const IGNORED_FROM: Record<string, string> = {
  git: 'what git tracks',
  hg: 'what Mercurial tracks',
  helm: "the chart's package (helm package)",
  npm: 'the npm package',
  prettier: 'what Prettier formats',
  eslint: 'what ESLint lints',
  gcloud: 'what gcloud uploads',
};

/** The info finding of a `.gitignore` (`.helmignore`, …) line that names the binary: it runs nothing. */
function toolIgnore(base: string): { message: string; hint: string } {
  const tool = TOOL_IGNORE.exec(base)![1]!.toLowerCase();
  return {
    message: `a ${base} names grpc_health_probe to leave it out of ${IGNORED_FROM[tool] ?? 'what a tool reads'}; it runs nothing`,
    hint: `A ${base} only leaves files out of ${IGNORED_FROM[tool] ?? 'what a tool reads'}; it runs nothing and does not keep the binary installed. Drop the line once the binary is gone from the repository.`,
  };
}

/** A file kind's name, and how its native probe is written (for the hint), by file name. */
const TERRAFORM = /\.(tf|tf\.json|hcl)$/i;
/** A kind's name, its probe form (for the hint), and a whole hint where the Kubernetes one does not fit. */
/**
 * Build and CI files (a Tiltfile, an Earthfile, a Jenkinsfile): what names the binary there is most
 * often a step that runs or fetches it, seldom a pod's probe; the hint says the step's way first.
 */
function pipelineHint(kind: string): string {
  return `The tool does not rewrite ${kind}, so the binary stays installed while this names it. A step that runs it (a smoke test, a wait for the server) needs it where it runs: change the step by hand (e.g. kubectl wait --for=condition=Ready once the probes are native, or grpcurl or the upstream grpc-health-probe image run from outside the image), then run the tool again. A Kubernetes probe written in this file: replace exec by hand with a native grpc handler (port, and service for -service). Anything else that runs or installs the binary still needs it.`;
}

/**
 * `kubectl exec deploy/api -- grpc_health_probe …`, `docker exec api grpc_health_probe …`,
 * `docker compose exec`: a command run in a container that is already running, on the line before
 * the mention. No probe: the container's image needs the binary, and nothing native replaces it.
 */
const EXEC_IN_CONTAINER = /\b(?:(?:kubectl|oc)\s+exec|(?:docker|podman|nerdctl)(?:\s+compose|-compose)?\s+(?:container\s+)?exec|crictl\s+exec)\b/g;

function execBefore(text: string, lineStart: number, o: number): string | undefined {
  const found = [...text.slice(lineStart, o).matchAll(EXEC_IN_CONTAINER)];
  return found.length > 0 ? found[found.length - 1]![0].replace(/\s+/g, ' ') : undefined;
}

const EXEC_HINT =
  'No probe: this runs the binary in a container that is already running, so that container\'s image needs it, and there is no native form to rewrite it to. The tool does not rewrite this kind of file: the install stays while this runs it. To let it go, change the check by hand (once the probes are native, kubectl wait --for=condition=Ready, or grpcurl or the upstream grpc-health-probe image run from outside the container), then run the tool again.';

const JSONNET = /\.(jsonnet|libsonnet)$/i;
const KINDS: [RegExp, string, string?, string?][] = [
  [JSONNET, 'Jsonnet', 'grpc: { port: N, service: "..." }'],
  // Before Terraform/HCL, which `.nomad.hcl` would match: Nomad checks gRPC itself.
  [
    /\.nomad(\.hcl)?$/i,
    'a Nomad job',
    undefined,
    'The tool does not rewrite Nomad jobs, so the binary stays installed while this names it. A script check that runs it: replace it by hand with Nomad\'s native gRPC check (check { type = "grpc", port = "<port label>", grpc_service = "..." }; grpc_use_tls = true for -tls, tls_skip_verify = true for -tls-no-verify), then run the tool again. Anything else that runs or installs the binary still needs it.',
  ],
  [/\.cue$/i, 'CUE', 'grpc: { port: N, service: "..." }'],
  [QUADLET_CONTAINER, 'a Podman Quadlet container unit'],
  [TERRAFORM, 'Terraform/HCL', 'a `grpc` block (`port = N`, and `service = "..."` for -service; `"grpc" = { "port" = N }` in a kubernetes_manifest)'],
  // GRPCAction came with k8s.io/api v0.23, where Handler became ProbeHandler: an operator still on
  // an older client-go (OLM's registry pods were built with `Handler: corev1.Handler{Exec: …}`) has no field to write.
  [/\.go$/i, 'Go code', 'ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: N, Service: &svc}} (k8s.io/api v0.23 or later: code that still writes Handler: corev1.Handler has no GRPC field until it upgrades)'],
  [/\.py$/i, 'Python code', '"grpc": {"port": N, "service": "..."}'],
  [/\.(java|kt|kts|scala|groovy)$/i, 'JVM code'],
  [/\.(j2|jinja2?|tmpl|gotmpl)$|\.ya?ml\.(tpl|template|in)$/i, 'a template', 'grpc: {port: N, service: "..."}'],
  [/\.(md|txt|rst|adoc)$/i, 'documentation'],
  [MAKEFILE, 'a Makefile'],
  [/\.nix$/i, 'Nix'],
  [/^(Tiltfile|BUILD|BUILD\.bazel|WORKSPACE)$|\.(star|bzl)$/i, 'Starlark', undefined, pipelineHint('Starlark (a Tiltfile, Bazel)')],
  [/^Earthfile$/i, 'an Earthfile', undefined, pipelineHint('Earthfiles')],
  [/^Jenkinsfile$/i, 'a Jenkinsfile', undefined, pipelineHint('Jenkinsfiles')],
  [/\.rs$/i, 'Rust code'],
  [/\.rb$|^(Gemfile|Rakefile|Vagrantfile)$/i, 'Ruby code'],
  [/\.cs$/i, 'C# code'],
  [/\.ps1$/i, 'PowerShell'],
  [/\.toml$/i, 'TOML'],
  [RENOVATE_CONFIG, 'a Renovate config'],
];

interface GoFinding {
  message: string;
  hint: string;
  codes: BlockerCode[];
}

/**
 * Manifests embedded in Go raw strings (`const deployment = \`apiVersion: …\``, an operator's
 * template or a test's fixture): each is read as YAML, and a mention inside one of its exec probes
 * says what the probe would become, as the manifest rule would. The yaml parser is loaded only here.
 */
async function goEmbeddedManifests(text: string, uses: readonly number[], clusters: { kubeVersion: string; tlsMode: boolean }): Promise<((offset: number) => GoFinding | undefined) | undefined> {
  const strings = new Map<number, { start: number; end: number }>();
  for (const o of uses) {
    const raw = goRawStringAt(text, o);
    if (raw) strings.set(raw.start, raw);
  }
  if (strings.size === 0) return undefined;
  const { parseYaml, findProbeReports } = await import('../src/kubernetes/rule-deps.js');
  const found: { start: number; end: number; finding: GoFinding }[] = [];
  for (const { start, end } of strings.values()) {
    const body = text.slice(start, end);
    const parsed = parseYaml(body);
    if (parsed.error || parsed.docs.length === 0) continue;
    for (const r of findProbeReports({ text: body, docs: parsed.docs, eol: '\n', ...clusters })) {
      if (r.subject !== 'probe') continue;
      const blocked = (r.blockers ?? []).length > 0;
      found.push({
        start: start + r.start,
        end: start + (r.end ?? r.start),
        finding: {
          message: `: a manifest embedded in a Go raw string, whose ${r.message}`,
          hint: blocked
            ? 'The tool does not rewrite Go, so the binary stays installed while this code names it. This probe would keep exec in the manifest too (see the message).'
            : 'The tool does not rewrite Go, so the binary stays installed while this code names it. Edit the manifest in the string by hand as the message says (exec → grpc), with the tests that compare it, and run the tool again.',
          codes: [...new Set(r.blockers ?? [])],
        },
      });
    }
  }
  return (offset) => found.find((f) => offset >= f.start && offset < f.end)?.finding;
}

const GO_HAND =
  'The tool does not rewrite Go, so the binary stays installed while this code names it. If this command is a probe\'s, replace its handler by hand (GRPC needs k8s.io/api v0.23 or later: code that still writes Handler: corev1.Handler has no GRPC field until it upgrades); anything else that runs the binary still needs it.';

/**
 * What a Go exec command (`[]string{"grpc_health_probe", fmt.Sprintf("-addr=:%d", port)}`) would
 * become as a native probe, by the same analysis as a manifest's; undefined when the mention is
 * not in such a literal, or the literal does not run the binary.
 */
/**
 * `wait.ForExec([]string{"/bin/grpc_health_probe", …})` (testcontainers-go's wait strategy) and
 * `c.Exec(ctx, []string{…})` (a command run in a started container): runs of the binary in the
 * container under test, no Kubernetes probe, so no ProbeHandler advice.
 */
function goContainerExec(text: string, offset: number): GoFinding | undefined {
  const open = text.lastIndexOf('[]string{', offset);
  if (open === -1 || text.slice(open, offset).includes('}')) return undefined;
  const before = text.slice(Math.max(0, open - 120), open);
  const forExec = /\b((?:\w+\.)?ForExec)\(\s*$/.exec(before);
  const exec = forExec ? undefined : /\.Exec\(\s*\w+\s*,\s*$/.exec(before);
  if (!forExec && !exec) return undefined;
  return {
    message: forExec
      ? `: a testcontainers wait strategy (${forExec[1]}) runs it in the container under test, which is no Kubernetes probe`
      : ': the code runs it in a started container (Exec), which is no Kubernetes probe',
    hint: 'The tool does not rewrite Go, so the binary stays installed in the image this container runs while the code runs it; there is no probe handler to write here. To let the install go, check the server from the test instead (testcontainers\' wait.ForListeningPort, or a call to the grpc.health.v1 Health service with google.golang.org/grpc/health/grpc_health_v1), then run the tool again.',
    codes: [],
  };
}

function goProbe(text: string, offset: number, clusters: { kubeVersion: string; tlsMode: boolean }): GoFinding | undefined {
  const inContainer = goContainerExec(text, offset);
  if (inContainer) return inContainer;
  const cmd = goStringListAt(text, offset);
  if (!cmd || cmd.items.length === 0) return undefined;
  const restore = (s: string) => restoreGo(s, cmd.expressions);
  const opaque = cmd.items.filter((i) => i.opaque);
  const argv = cmd.items.map((i) => i.text);
  if (!isBinaryPath(argv[0]!) && shellScriptIndex(argv) === undefined) return undefined;
  if (cmd.appended) {
    // spicedb-operator's probeCmd() appends -tls -tls-no-verify when a TLS secret is set: the
    // literal alone is the plaintext branch only (the node-feature-discovery migration broke TLS so).
    return {
      message: `: this exec command grows when the code runs (${cmd.appended}), and what is appended (-tls, another -addr) changes what it checks; the tool cannot tell its port or TLS flags`,
      hint: `${GO_HAND} Read every branch that appends: only a plaintext -addr on the pod's own address carries over, as GRPC: &corev1.GRPCAction{Port: N}; a branch that adds -tls keeps exec.`,
      codes: ['unparseable'],
    };
  }
  if (opaque.length > 0) {
    return {
      message: `: this exec command's flags come from ${opaque.map((i) => restore(i.text)).join(', ')} when the code runs; the tool cannot tell its port or TLS flags`,
      hint: `${GO_HAND} Read the flags that value holds: only a plaintext -addr on the pod's own address carries over, as GRPC: &corev1.GRPCAction{Port: N}.`,
      codes: ['unparseable'],
    };
  }
  // A port the code prints from an integer (`%d`, strconv.Itoa) is that integer; a string
  // variable is not a number the tool can write into Port.
  const portExpression = (t: string) => {
    const m = /^\uE020(\d+)\uE021$/.exec(t);
    return m ? cmd.integers.get(Number(m[1])) : undefined;
  };
  const plan = planNativeProbe({
    argv,
    ...clusters,
    opaque: (t) => t.includes('\uE020'),
    resolvePortExpression: portExpression,
  });
  // An apply-configuration builder (`Probe().WithExec(ExecAction().WithCommand(…))`) takes WithGRPC.
  // The types are written with the file's own name for their package (`v1.GRPCAction` where it
  // imports k8s.io/api/core/v1 as v1), so the code compiles as suggested.
  return planFinding(plan, restore, GO_HAND, (port, service, timeout) => {
    const serviceText = service && (service.includes('\uE020') ? restore(service) : JSON.stringify(service));
    const core = goPackageName(text, 'k8s.io/api/core/v1', 'corev1');
    const apply = goPackageName(text, 'k8s.io/client-go/applyconfigurations/core/v1', 'applycorev1');
    const target = cmd.builder
      ? `WithGRPC(${apply}GRPCAction().WithPort(${port})${serviceText ? `.WithService(${serviceText})` : ''})`
      : `ProbeHandler: ${core}ProbeHandler{GRPC: &${core}GRPCAction{Port: ${port}${serviceText ? `, Service: ptr.To(${serviceText})` : ''}}}`;
    const with_ = timeout !== undefined ? `, with ${cmd.builder ? 'WithTimeoutSeconds' : 'TimeoutSeconds'} of at least ${timeout} (the binary's timeouts add up to that)` : '';
    return { target: `${target}${with_}`, replaces: cmd.builder ? 'WithExec(…)' : 'Exec' };
  });
}

/**
 * How a Go file names an imported package in code, with the dot to write before a type:
 * `v1.` for `import v1 "k8s.io/api/core/v1"` or a bare import (the package's own name is its last
 * path element), nothing for a dot import. Without a usable import (none, or `_`), the usual
 * alias (`corev1.`) that the file would have to import.
 */
function goPackageName(text: string, importPath: string, usual: string): string {
  const spec = new RegExp(`(?:^|[\\s(;])(?:([A-Za-z_]\\w*|\\.)\\s+)?"${importPath.replace(/[.]/g, '\\.')}"`, 'm');
  for (const decl of text.matchAll(/\bimport\s*(\([^)]*\)|[^\n]*)/g)) {
    const m = spec.exec(decl[1]!);
    if (!m) continue;
    const name = m[1] ?? importPath.slice(importPath.lastIndexOf('/') + 1);
    if (name === '.') return '';
    if (name !== '_') return `${name}.`;
  }
  return `${usual}.`;
}

/**
 * What a literal exec command would become as a native probe (planNativeProbe's verdict), said in
 * the terms of a file the tool does not rewrite: blocked, it keeps exec with every blocker named;
 * otherwise `write` gives the handler to write by hand for the port, service and least timeout.
 */
function planFinding(
  plan: ReturnType<typeof planNativeProbe>,
  restore: (s: string) => string,
  hand: string,
  write: (port: string, service: string | undefined, timeout: number | undefined) => { target: string; replaces: string },
): GoFinding | undefined {
  if (plan.invocations === 0) return undefined;
  // The probe's own timeout is not read: the message says the least it must be instead (and what
  // a sub-second deadline becomes depends on it).
  const kept = plan.notes.filter((n) => !n.startsWith('timeoutSeconds ') && !n.startsWith(SUB_SECOND_NOTE));
  const notes = kept.length > 0 ? ` (${kept.map(restore).join('; ')})` : '';
  if (plan.blockers.length > 0 || !plan.grpc) {
    const details = plan.blockers.map((b) => restore(b.detail)).join('; ') || 'no port found';
    return {
      message: `: as a probe, this exec command cannot become native: ${details}${notes}`,
      hint: `${hand} This one keeps exec (or changes the server first): ${plan.blockers.map((b) => b.code).join(', ') || 'unparseable'}.${plan.blockers.filter((b) => b.hint).map((b) => ` ${b.hint}`).join('')}`,
      codes: [...new Set(plan.blockers.map((b) => b.code))],
    };
  }
  const port = plan.grpc.port.kind === 'number' ? String(plan.grpc.port.value) : plan.grpc.port.text;
  const { target, replaces } = write(port, plan.grpc.service, plan.timeoutSeconds?.to);
  return {
    message: `: as a probe, this exec command would be ${target}${notes}`,
    hint: `${hand} Write ${target} in place of its ${replaces}.`,
    codes: [],
  };
}

/**
 * The image of an `image: "…"` line (Jsonnet `image: "…"`, `image:: '…'`; HCL `image = "…"`) whose
 * quoted value holds the mention at `o`: a container image named after the binary, not a command.
 */
function containerImageAt(text: string, lineStart: number, o: number): string | undefined {
  const line = text.slice(lineStart, lineEndOf(text, o));
  const m = /^(\s*["']?image["']?\s*(?:=|\+?:{1,3})\s*)(["'])([^"'\\\n]*)\2\s*[,;]?\s*(?:(?:#|\/\/).*)?\r?$/.exec(line);
  if (!m) return undefined;
  const from = lineStart + m[1]!.length + 1;
  return o >= from && o < from + m[3]!.length ? m[3] : undefined;
}

const POD_NAME_HINT =
  'Nothing runs here. Rename or remove it by hand once the binary is gone (with the init container and volume that supply it, if that is what it is).';

/** What a pod spec's object is, by the HCL block that holds it or the list it is an element of. */
const POD_OBJECTS: [RegExp, string][] = [
  [/^(?:init_|ephemeral_)?containers?$|^(?:init|ephemeral)Containers$/, 'a container'],
  [/^volumes?$/, 'a volume'],
  [/^volume_?[mM]ounts?$/, 'a volume mount'],
];

/**
 * The `name` of a container, a volume or a volume mount whose quoted value holds the mention at
 * `o`: HCL `container { name = "grpc-health-probe" }` (init_container, volume, volume_mount), or
 * an object that is an element of a `containers` list (`initContainers`, `volumes`,
 * `volumeMounts`; Jsonnet `containers: [{ name: '…' }]`, `"containers" = [{ … }]` in a
 * kubernetes_manifest). Read by brackets back from the key, as the health checks are
 * (src/analysis/ecs.ts): any other shape (a `local` object, `container.new('…')`, an object
 * nested in another) says no.
 */
function podObjectNameAt(text: string, lineStart: number, o: number): { what: string; value: string; at: string } | undefined {
  const line = text.slice(lineStart, lineEndOf(text, o));
  for (const m of line.matchAll(/(^|[{,])(\s*)(["']?)name\3\s*(?:=|:{1,3})\s*(["'])([^"'\\\n]*)\4/g)) {
    const key = lineStart + m.index + m[1]!.length + m[2]!.length;
    const from = lineStart + m.index + m[0].length - 1 - m[5]!.length;
    if (o < from || o >= from + m[5]!.length) continue;
    const object = openerBefore(text, key, '{', '}');
    if (object === undefined) return undefined;
    const before = lineBefore(text, object);
    const block = /^\s*([A-Za-z_]\w*)\s*$/.exec(before)?.[1];
    if (block !== undefined) {
      const what = POD_OBJECTS.find(([re]) => re.test(block) && !/s$/.test(block))?.[1];
      return what ? { what, value: m[5]!, at: `its ${block} block` } : undefined;
    }
    // An element of a list: only whitespace, or earlier elements and a comma, since its `[`.
    if (!/(^|[[,])\s*$/.test(before)) return undefined;
    const list = openerBefore(text, object, '[', ']');
    if (list === undefined) return undefined;
    const listKey = keyBefore(lineBefore(text, list));
    const what = listKey === undefined ? undefined : POD_OBJECTS.find(([re]) => re.test(listKey) && /s$/.test(listKey))?.[1];
    return what ? { what, value: m[5]!, at: `an element of ${listKey}` } : undefined;
  }
  return undefined;
}

/**
 * The key a line ends by (`containers = `, `containers: `, `"volumes"+:: `): an identifier, quoted
 * or not, then `=` or Jsonnet's `:`, `::`, `:::` (after `+` or not), then blanks; undefined when the
 * line ends otherwise. Unquoted, the identifier starts at the first letter or `_` of the word.
 * Scanned back from the line's end: an unanchored regex ending in `$` is quadratic on a long line
 * (review24 R2: a one-line Jsonnet file of 100 KB took 12 s).
 */
function keyBefore(line: string): string | undefined {
  const blank = (c: string | undefined) => c !== undefined && /\s/.test(c);
  const word = (c: string | undefined) => c !== undefined && /\w/.test(c);
  let i = line.length;
  while (blank(line[i - 1])) i--;
  if (line[i - 1] === '=') i--;
  else {
    let colons = 0;
    while (line[i - 1] === ':') {
      i--;
      colons++;
    }
    if (colons === 0 || colons > 3) return undefined;
    if (line[i - 1] === '+') i--;
  }
  while (blank(line[i - 1])) i--;
  const quote = line[i - 1] === '"' || line[i - 1] === "'" ? line[i - 1] : undefined;
  if (quote !== undefined) i--;
  const end = i;
  while (word(line[i - 1])) i--;
  if (quote !== undefined) return line[i - 1] === quote && /^[A-Za-z_]/.test(line[i] ?? '') ? line.slice(i, end) : undefined;
  const first = line.slice(i, end).search(/[A-Za-z_]/);
  return first === -1 ? undefined : line.slice(i + first, end);
}

const LIST_HAND: Record<ListLanguage, string> = {
  hcl: 'The tool does not rewrite Terraform/HCL, so the binary stays installed while this file names it. If this command is a probe\'s, replace its exec by hand; anything else that runs the binary still needs it.',
  jsonnet: 'The tool does not rewrite Jsonnet, so the binary stays installed while this file names it. If this command is a probe\'s, replace its exec by hand; anything else that runs the binary still needs it.',
};

/**
 * The same for a literal list of strings in Terraform/HCL or Jsonnet (`command = ["/bin/grpc_health_probe",
 * "-addr=:8443", "-tls"]`): what the command would become as a probe, as for Go, so that a TLS probe
 * is told it keeps exec rather than given a plaintext grpc block to write. An HCL `${…}` in an item
 * is known only when Terraform runs: a port that is one such expression is written as it.
 */
function listProbe(text: string, offset: number, clusters: { kubeVersion: string; tlsMode: boolean }, lang: ListLanguage): GoFinding | undefined {
  const items = stringListAt(text, offset, lang);
  if (!items || items.length === 0) return undefined;
  const argv = items.map((i) => i.text);
  if (!isBinaryPath(argv[0]!) && shellScriptIndex(argv) === undefined) return undefined;
  const template = /[$%]\{/;
  const plan = planNativeProbe({
    argv,
    ...clusters,
    ...(items.some((i) => i.opaque) ? { opaque: (t: string) => template.test(t), resolvePortExpression: (t: string) => /^\$\{([^{}]+)\}$/.exec(t)?.[1]?.trim() } : {}),
  });
  return planFinding(plan, (s) => s, LIST_HAND[lang], (port, service, timeout) =>
    lang === 'hcl'
      ? {
          target: `a grpc block with port = ${port}${service !== undefined ? ` and service = ${JSON.stringify(service)}` : ''}${timeout !== undefined ? `, and timeout_seconds of at least ${timeout} (the binary's timeouts add up to that)` : ''} ("grpc" = { "port" = ${port}${service !== undefined ? `, "service" = ${JSON.stringify(service)}` : ''} }${timeout !== undefined ? ` and "timeoutSeconds"` : ''} in a kubernetes_manifest)`,
          replaces: 'exec',
        }
      : {
          target: `grpc: { port: ${port}${service !== undefined ? `, service: ${JSON.stringify(service)}` : ''} }${timeout !== undefined ? `, with timeoutSeconds of at least ${timeout} (the binary's timeouts add up to that)` : ''}`,
          replaces: 'exec',
        },
  );
}

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function kindOf(p: string): [RegExp, string, string?, string?] | undefined {
  const base = baseName(p);
  return KINDS.find(([re]) => re.test(base));
}

function describe(p: string): string {
  return kindOf(p)?.[1] ?? 'unknown kind';
}

/**
 * What to do by hand. The line may be a probe or anything else that runs or installs the binary
 * (a Makefile target, a CI step, a package build), so the hint names both.
 */
function handHint(p: string): string {
  const own = kindOf(p)?.[3];
  if (own) return own;
  const probe = kindOf(p)?.[2];
  return (
    'The tool does not rewrite this kind of file, so the binary stays installed while it names it. A Kubernetes probe: replace exec by hand with ' +
    (probe ?? 'a native grpc handler (port, and service for -service)') +
    ' and carry -rpc-timeout/-connect-timeout into the probe\'s timeout. Anything else that runs or installs the binary still needs it.'
  );
}


/** `go install github.com/grpc-ecosystem/grpc-health-probe@v0.4.8` (or `go get`): a line that only installs the binary, naming it nowhere else. */
const GO_INSTALL = /\bgo\s+(?:install|get)\b[^\n]*?\s(?:github\.com\/grpc-ecosystem\/grpc-health-probe)(?:\/v\d+)?@\S+/;

function onlyGoInstall(line: string): boolean {
  const m = GO_INSTALL.exec(line);
  return m !== null && !mentionsBinary(line.slice(0, m.index) + line.slice(m.index + m[0].length));
}

export default rule;

/** The manifests written as strings of a file read as ytt (its ytt code is in other strings): said, not rewritten. */
async function yttFileManifestStrings(file: SourceFile, run: RunContext): Promise<{ reports: Report[]; ranges: [number, number][] } | undefined> {
  // The module the manifest rules load (src/kubernetes/rule-deps.ts): one dynamic import of it, not of its parts.
  const { parseYaml, manifestStringReports } = await import('../src/kubernetes/rule-deps.js');
  const parsed = parseYaml(file.text);
  if (parsed.error) return undefined;
  return manifestStringReports(file, parsed.docs, run, [], 'the file also holds ytt code (#@ annotations in its other strings), and the tool does not rewrite such a file');
}

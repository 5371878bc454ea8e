/**
 * Commands of the repository's scripts that address a probe's exec handler by path: `kubectl
 * patch` (a JSON patch op into `…/readinessProbe/exec/…`, a strategic-merge or merge patch whose
 * probe keeps `exec`), `yq` and `jq` expressions on `.…Probe.exec…` (the update forms `.…Probe |=
 * (.exec…)` and `with(.…Probe; .exec…)` too), and `sed`/`perl -i` text edits of a manifest that
 * name the binary, `-addr`, a probe key or `exec`, in shell scripts, Makefile recipes (and the
 * files a Makefile `include`s), GitHub Actions `run:` steps (of workflows and of composite
 * actions' `runs.steps`), GitLab CI job scripts, Jenkinsfile `sh` steps, Taskfile `cmds`, Drone,
 * Woodpecker and Buildkite step commands, and in the scripts these give `sh -c`/`bash -c`, `ssh HOST
 * '…'` (the remote command, its relative paths any file) or a shell's here-document (`ssh HOST
 * <<EOF`, `bash -s <<EOF`), through wrappers (`timeout`, `xargs`, `sudo`, `kubectl exec`/`docker
 * exec`, a `retry kubectl …` function, `docker run mikefarah/yq` or `bitnami/kubectl`). They are the imperative counterparts of the Kustomize overlays
 * src/kustomize/overlays.ts holds for: once the probe is native, the JSON op fails (its path is
 * gone), the merge patch writes exec beside grpc (two handlers, which the API server rejects), the
 * yq expression reads null or writes a second handler, the sed no longer moves the probe's port.
 * The probes such a command addresses stay on exec, blocked `overlay-patch`, naming the command's
 * file:line.
 *
 * Which probes: the patch's own target when the command says it (kind and name, `TYPE/NAME` or
 * `TYPE NAME`, or `-f FILE`; the container by the op's index or the merge patch's container name;
 * the probe key), and where a part of it is known only at run time (a variable, a label selector,
 * `kubectl get … | yq`), every probe that part could be. That holds for every part: a command word
 * that is a variable whose name ends in kubectl, oc, yq or jq (`$KUBECTL`, `${KUBECTL:-kubectl}`,
 * make's `$(KUBECTL)`) is that tool; a patch whose text is known only at run time (`-p "$PATCH"`,
 * a `--patch-file` not found, `--patch-file /dev/stdin` or `-p "$(cat /dev/stdin)"` fed by a pipe:
 * the tool never opens its own standard input, a device or a path outside the repository) may
 * address any probe of its target; a relative file after a `cd`
 * to a folder known only at run time is any file. What can be read is: a Makefile's literal
 * variables (`KUBECTL ?= kubectl`), `-p "$(cat FILE)"`, a here-document given to a command's
 * standard input (`--patch-file /dev/stdin <<'JSON'`, `cat <<'JSON' | kubectl patch …`), the script's own folder
 * (`$(dirname "$0")`, `$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)`), a `cd`/`pushd` to a
 * literal folder and a workflow step's `working-directory`. A name matches a manifest object whose
 * name it holds (`prod-api` for `api`: a Kustomize namePrefix, a Helm release's prefix).
 *
 * The files are read lazily, once per run, when the first probe is about to migrate: the
 * repository's shell scripts (`*.sh`, `*.bash`, `*.zsh`, `*.ksh`, and files without an extension
 * whose first bytes are a shell's `#!` line), Makefiles, GitHub Actions workflows and
 * `action.yml` files, GitLab CI configs (and the files their `include: local:` names),
 * Jenkinsfiles, Taskfiles and Drone, Woodpecker and Buildkite pipelines, picked by name from the
 * repository list (src/discover/names.ts; no read of other files; with more than 100 of them, git
 * grep among their names first says which name a probe key, `patch`, `--patch-file`, the binary or
 * `-addr`), each parsed only when its text names one of these and kubectl, oc, yq, jq, sed or perl
 * (any case: `$(KUBECTL)`). These files need not name the binary (a JSON patch of `command/1`
 * does not), so they are not among the run's candidates.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Document, ParsedNode, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, parseYaml, scalarText } from '../parse/yaml.js';
import { PATCH_VALUED, baseName, commandTool, kubectlArgs, kubectlAt, toolWordPattern } from '../analysis/heredoc-manifest.js';
import { expandMakeVariables, makeRecipes, makeVariableValues, noOverrides, readMakeRun, recipeEnvironment, recipeEnvironments, referenceResolver, type MakeOverrides } from '../analysis/makefile.js';
import { noEnv, plainDeclaration, scriptFunctions, scriptVariables, unwrap, variableCommands, type Resolve, type VariableCommands } from '../analysis/script-runs.js';
import { fieldsOf, heredocText, parseShell, resolveWord, ShellParseError, shellErrorAt, ShellTooLargeError, type ResolvedWord, type HeredocText, type ShCall, type ShHeredoc, type ShFunction, type ShScript, type ShWord } from '../analysis/shell.js';
import { ciIncludes, ciScripts, jenkinsLoads, justScripts, npmScripts, runnerFollowers, taskRunnerFiles, unreadPipelineHolds, jenkinsSteps, lineAt, pipelineEnv, scalarScript, textNetHolds, yamlCommandScripts, type Script } from '../analysis/ci-pipelines.js';
import { shellShebang } from '../classify.js';
import { BINARY_NEEDLES, mentionsBinary } from '../analysis/binary.js';
import { commandLineIn, filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../discover/grep.js';
import { importsKubernetesIac } from '../discover/iac-code.js';
import { namedFiles } from '../discover/names.js';
import { enclosingRepository } from '../discover/scope.js';
import { checkoutIgnoresCase } from '../discover/walk.js';
import { repositoryFolders } from '../run-files.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { heldReport } from './held-report.js';
import { ENV_COMMAND_PATTERN, ENV_COMMAND_PATTERN_JS, envCommandHolds, envHoldMatches, expressionFile, kubectlObjects, patchData, textEditEnv } from './env-commands.js';
import { keptHandlers } from './merge-holds.js';

/** A probe (or set of probes) a command addresses by path. */
export interface PatchHold {
  /** `scripts/deploy.sh:4`. */
  at: string;
  /** Kinds the command names, lowercased as written (`deploy`, `deployments.apps`); undefined: any. */
  kind?: string;
  /** The object name it names; undefined: any. */
  name?: string;
  /** Files (or folders) it names (`-f`, yq's operands), absolute, each as one of several readings of a relative path; undefined: any. */
  files?: string[];
  /** `files` name a file of a checkout whose core.ignorecase is true: compared without case. */
  filesIgnoreCase?: true;
  /** The probe key; undefined: any. */
  probe?: string;
  /** Where the probe sits in its object (a JSON pointer's path up to the probe): `spec.template.spec.containers[0].readinessProbe`. */
  keyPath?: string;
  /** The container a merge patch names. */
  container?: string;
  /** The container list it names it in (`initContainers`): a container of that name in another list is another container. */
  containerList?: string;
  /** The container by its place, up to it (a JSON op's `…/containers/1/env`): `spec.template.spec.containers[1]`. */
  containerPath?: string;
  /** The env variables the command sets (src/kubernetes/env-commands.ts): it holds only probes that read one; null: any. */
  env?: string[] | null;
  /** A here-document's text (heredocWriteHold): it holds only the probes of a file whose text holds this. */
  generated?: RegExp;
  /** What the command does, as a clause after the place. */
  what: string;
  /** What migrating the probe alone would do to it. */
  breaks: string;
  hint: string;
}

const PROBE_KEY = /^(?:readiness|liveness|startup)Probe$/;
const PROBE_KEY_IN = /(?:readiness|liveness|startup)Probe\b/;
/** A file worth parsing: names a probe key (or a patch file, which may), and a command that may address one. */
// `set … env` as ENV_COMMAND_PATTERN_JS reads it. jq's `-f` is tested apart (jqFileIn), in linear time.
const PRETEST_PROBE = new RegExp(`(?:readiness|liveness|startup)Probe|--patch-file\\b|--from-file\\b|\\bpatch\\b|grpc_health_probe|-addr\\b|${ENV_COMMAND_PATTERN_JS}`, 'm');
/**
 * A `\n` line of the text with ` -f` after a jq. Per line, from the line's first jq: a pattern
 * trying each jq against the rest of its line took 1.4 s over 60 KB of `jq `, and one anchored with
 * `^` and the `m` flag started at every CR and U+2028/U+2029 too (JavaScript's line ends), each
 * scanning to the next `\n`: 12 s over 100 KB of `\r` (review22 R1).
 */
function jqFileIn(text: string): boolean {
  if (!text.includes('jq')) return false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const j = lines[i]!.search(/\bjq\b/);
    // The `\n` itself may be the blank before `-f` (a `\` continuation onto a line starting `-f`).
    if (j !== -1 && /\s-f\b/.test(`${lines[i]!.slice(j + 2)}\n${(lines[i + 1] ?? '').slice(0, 3)}`)) return true;
  }
  return false;
}
/**
 * A YAML text that may be a Kubernetes manifest: a top-level `apiVersion:` that is no Skaffold
 * config's (`skaffold/v4beta6`, whose hooks are commands: review22 R6), or a top-level `kind:`
 * with no `apiVersion:`. Each test starts at a line's start only: linear.
 */
function mayBeManifest(text: string): boolean {
  return /^apiVersion:[ \t]*(?!["']?skaffold\/)\S/m.test(text) || (!/^apiVersion:/m.test(text) && /^kind:/m.test(text));
}

/** A file worth parsing for commands that address a probe (exported for the timing test). */
export function probePretest(text: string): boolean {
  return PRETEST_PROBE.test(text) || jqFileIn(text);
}
/** As commandName reads a command word, case aside: `$(KUBECTL)`, `$KUBECTL`, `${MY_KUBECTL}` (toolWordPattern). */
const PRETEST_COMMAND = new RegExp(toolWordPattern(['kubectl', 'oc', 'yq', 'jq', 'sed', 'perl']), 'i');
/**
 * A command word known only at run time before `patch` or `set` (`$KC patch`, `"${KC[@]}" set env`,
 * make's `$(KC) patch`), where the text names no tool: such a word is read as kubectl where its
 * words patch a probe (scriptHolds, hunt20 C1). Each `$` scans its own name: linear.
 */
const PRETEST_RUNTIME_COMMAND = /\$[({]?[A-Za-z_]\w*(?:\[[@*0]\])?[)}]?["']?[ \t]+(?:patch|set)\b/;
/** Scripts and pipelines are small: a larger file is not read for this. */
const MAX_BYTES = 256 * 1024;

const byRun = new WeakMap<RunContext, PatchHold[]>();

/** The object a probe report belongs to, when the caller can say (a manifest's document). */
export interface ProbeObject {
  kind?: string;
  /** Its name, or for a template the names it may render to (`{{ .Release.Name }}-api`: /^.*-api$/). */
  name?: string | RegExp;
}

/**
 * A migrating probe that a command of the repository patches or reads by path stays on exec,
 * blocked `overlay-patch`, naming the command. `object`: the kind and name of the probe's object,
 * when known (undefined: any command naming any object may address it).
 */
export function keepForPatchCommands(r: Report, file: SourceFile, run: RunContext, object?: (r: Report) => ProbeObject | readonly ProbeObject[] | undefined): Report {
  if (!r.fix || file.path === '' || r.details?.probe === undefined) return r;
  const holds = patchHolds(run);
  if (holds.length === 0) return r;
  const found = object?.(r);
  const objects = found === undefined ? [undefined] : Array.isArray(found) ? (found.length > 0 ? found : [undefined]) : [found as ProbeObject];
  // A chart's values probe renders into an object whose path the values file does not say.
  const values = file.kind === 'helm-values';
  const hold = holds.find((h) => objects.some((obj) => holdMatches(h, r, file.path, obj, values)) && (h.generated === undefined || h.generated.test(file.eol === '\r\n' ? file.text.replace(/\r\n/g, '\n') : file.text)));
  if (!hold) return r;
  return { ...heldReport(r, 'overlay-patch', `${hold.at} ${hold.what}; ${hold.breaks}`), hint: hold.hint };
}

/** The kind and name of the object of a manifest probe (`items[2].spec…` in a List: that item). */
export function manifestObject(docs: readonly Document.Parsed<ParsedNode, true>[]): (r: Report) => ProbeObject | undefined {
  return (r) => {
    const doc = docs[Number(r.details?.document) - 1];
    let root: unknown = doc?.contents;
    const item = /^items\[(\d+)\]\./.exec(r.keyPath ?? '');
    if (item && isMap(root)) {
      const items = getPair(root, 'items')?.value;
      root = isSeq(items) ? items.items[Number(item[1])] : undefined;
    }
    if (!isMap(root)) return undefined;
    const meta = getPair(root, 'metadata')?.value;
    const kind = scalarText(getPair(root, 'kind')?.value);
    const name = isMap(meta) ? scalarText(getPair(meta, 'name')?.value) : undefined;
    return { ...(kind !== undefined ? { kind } : {}), ...(name !== undefined ? { name } : {}) };
  };
}

/**
 * The kind and name of a Helm template's object, read from the text of the document that holds a
 * report (its `kind:` and `metadata.name` lines): a name with template actions matches whatever
 * they may render to, its literal parts in place.
 */
export function templateObject(text: string): (r: Report) => ProbeObject | undefined {
  return (r) => {
    const from = text.lastIndexOf('\n---', r.start);
    const next = text.indexOf('\n---', r.start);
    const doc = text.slice(from === -1 ? 0 : from, next === -1 ? text.length : next);
    const kind = /^kind:[ \t]*([A-Za-z][\w]*)[ \t]*$/m.exec(doc)?.[1];
    const written = /^metadata:[ \t]*\r?\n(?:[ \t]+[^\n]*\n)*?[ \t]+name:[ \t]*["']?([^"'\n#]+?)["']?[ \t]*$/m.exec(doc)?.[1];
    const name = written === undefined ? undefined : written.includes('{{') ? new RegExp(`^${written.split(/\{\{[\s\S]*?\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : written;
    return { ...(kind !== undefined ? { kind } : {}), ...(name !== undefined ? { name } : {}) };
  };
}

/**
 * The objects a chart's values probe may render into: those of the chart's templates
 * (`templates/*.yaml` beside the values file), kind and name as templateObject reads them. Empty
 * when none is read: any object.
 */
export function chartObjects(valuesFile: string, run: RunContext): ProbeObject[] {
  let byChart = chartObjectsByRun.get(run);
  if (!byChart) chartObjectsByRun.set(run, (byChart = new Map()));
  const dir = path.dirname(valuesFile);
  let out = byChart.get(dir);
  if (!out) byChart.set(dir, (out = readChartObjects(dir, run)));
  return out;
}

const chartObjectsByRun = new WeakMap<RunContext, Map<string, ProbeObject[]>>();

function readChartObjects(dir: string, run: RunContext): ProbeObject[] {
  const out: ProbeObject[] = [];
  for (const f of repositoryFolders(run).under(path.join(dir, 'templates'))) {
    if (!/\.ya?ml$/.test(f)) continue;
    const text = run.readText(f);
    if (text === undefined) continue;
    const read = templateObject(text);
    // Each document's object: a report's start is any offset inside it.
    for (let at = 0; at !== -1 && at < text.length; at = text.indexOf('\n---', at + 1)) {
      const o = read({ start: at + 1 } as Report);
      if (o && (o.kind !== undefined || o.name !== undefined)) out.push(o);
      // An object whose kind or name is not read could be any: then so is the probe's.
      else if (/\bcontainers:/.test(text)) return [];
    }
  }
  return out;
}

function holdMatches(h: PatchHold, r: Report, file: string, obj: ProbeObject | undefined, values: boolean): boolean {
  if (h.probe !== undefined && h.probe !== r.details?.probe) return false;
  if (!envHoldMatches(h.env, r)) return false;
  // In a values file, a path into the rendered object (a kubectl patch's) says nothing of where the probe sits; a yq path into the file itself does.
  const byPath = !values || h.files !== undefined;
  if (byPath && h.keyPath !== undefined && r.keyPath !== undefined && r.keyPath !== h.keyPath && !r.keyPath.endsWith(`.${h.keyPath}`)) return false;
  if (byPath && h.containerPath !== undefined && r.keyPath !== undefined && !r.keyPath.startsWith(`${h.containerPath}.`) && !r.keyPath.includes(`.${h.containerPath}.`)) return false;
  const container = r.details?.container as string | undefined;
  if (h.container !== undefined && container !== undefined && h.container !== container) return false;
  if (byPath && h.containerList !== undefined && r.keyPath !== undefined) {
    const list = containerListOf(r.keyPath);
    if (list !== undefined && list !== h.containerList) return false;
  }
  const caseOf = h.filesIgnoreCase ? (p: string) => p.toLowerCase() : (p: string) => p;
  const named = caseOf(file);
  if (h.files !== undefined && !h.files.map(caseOf).some((f) => named === f || named.startsWith(f.endsWith(path.sep) ? f : f + path.sep))) return false;
  if (h.kind !== undefined && obj?.kind !== undefined && !kindMatches(h.kind, obj.kind)) return false;
  if (h.name !== undefined && obj?.name !== undefined && !(typeof obj.name === 'string' ? h.name.includes(obj.name) : obj.name.test(h.name))) return false;
  return true;
}

/** The container list of a key path (`spec.template.spec.initContainers[0].readinessProbe` → initContainers): its last, or undefined. */
function containerListOf(keyPath: string): string | undefined {
  const lists = [...keyPath.matchAll(/(?:^|\.)(initContainers|containers|ephemeralContainers)\[/g)];
  return lists[lists.length - 1]?.[1];
}

/** kubectl's short names of the workload kinds. */
const SHORT_NAMES: Record<string, string> = { deploy: 'deployment', sts: 'statefulset', ds: 'daemonset', rs: 'replicaset', cj: 'cronjob', po: 'pod', rc: 'replicationcontroller', dc: 'deploymentconfig', ro: 'rollout', ksvc: 'service' };

/** `deploy`, `deployments`, `deployment.apps`, `Deployment` name the kind Deployment. */
function kindMatches(named: string, kind: string): boolean {
  const first = named.toLowerCase().split('.')[0]!;
  const w = SHORT_NAMES[first] ?? first;
  const k = kind.toLowerCase();
  return w === k || w === `${k}s` || w === `${k}es` || (k.endsWith('y') && w === `${k.slice(0, -1)}ies`);
}

type CodeReader = (run: RunContext, projects: readonly string[]) => PatchHold[];
const codeReaders = new WeakMap<RunContext, { projects: string[]; reader: CodeReader } | null>();

/**
 * What keepForPatchCommands needs loaded before a rule asks it (the rules await this): the reader
 * of Pulumi and cdk8s code, only when the repository holds such a project (a folder with
 * Pulumi.yaml or cdk8s.yaml), so that a run without one loads no TypeScript module; without one,
 * the reader of Helm releases in code alone, where a code file imports @pulumi/kubernetes or cdk8s
 * (src/discover/iac-code.ts). Once per run.
 */
export async function preparePatchHolds(run: RunContext): Promise<void> {
  if (codeReaders.has(run)) return;
  const projects = namedFiles(run).projects.map((f) => path.dirname(f));
  if (projects.length === 0) {
    codeReaders.set(run, null);
    // Pulumi or cdk8s code outside a project folder may still install a chart of the repository
    // (a Helm release in code): its reader must be registered before the helm module reads releases.
    // Only a chart of the repository can be held so: without a Chart.yaml, no code file is searched
    // (a git grep of every code file, ~50 ms of CPU in the bench's 20k-file checkout).
    if (namedFiles(run).yaml.some(isChartYaml) && importsKubernetesIac(run)) await import('../typescript/code-releases.js');
    return;
  }
  const { codeManifestHolds } = await import('../typescript/manifest-readers.js');
  codeReaders.set(run, { projects, reader: codeManifestHolds });
}

const isChartYaml = (f: string) => f.endsWith('Chart.yaml') && (f.length === 10 || f[f.length - 11] === path.sep);

const scriptFilesByRun = new WeakMap<RunContext, readonly { abs: string; kind: ScriptKind }[]>();

/**
 * The repository's script files as the patch readers read them, with their kind: shell scripts
 * (by name, or by their `#!` line), workflows, Makefiles, CI pipelines and the files they include,
 * Jenkinsfiles and what they load, composite actions, other tools' YAML, task runners' files.
 * Once per run (patchHolds, the make runs reader, the ytt command reader: src/ytt/overlays.ts).
 */
export function scriptFiles(run: RunContext): readonly { abs: string; kind: ScriptKind }[] {
  const known = scriptFilesByRun.get(run);
  if (known) return known;
  const named = namedFiles(run);
  const scripts: { abs: string; kind: ScriptKind }[] = [
    ...named.shell.map((abs) => ({ abs, kind: 'shell' as const })),
    ...named.workflows.map((abs) => ({ abs, kind: 'workflow' as const })),
    ...named.makefiles.map((abs) => ({ abs, kind: 'make' as const })),
    ...named.ciYaml.map((abs) => ({ abs, kind: 'ci' as const })),
    ...ciIncludes(named.ciYaml, named.yaml, run).map((abs) => ({ abs, kind: 'ci' as const })),
    ...named.jenkinsfiles.map((abs) => ({ abs, kind: 'jenkins' as const })),
    ...jenkinsLoads(named.jenkinsfiles, run).map((abs) => ({ abs, kind: 'jenkins' as const })),
    // GitHub composite actions (`.github/actions/deploy/action.yml`): their `runs.steps[].run`.
    ...named.yaml.filter((abs) => (abs.endsWith('action.yml') || abs.endsWith('action.yaml')) && /^action\.ya?ml$/.test(path.basename(abs)) && !/[\\/]node_modules[\\/]/.test(abs)).map((abs) => ({ abs, kind: 'action' as const })),
    // Without an extension: a script only by its `#!` line.
    ...shebangScripts(named.extensionless, run).map((abs) => ({ abs, kind: 'shell' as const })),
  ];
  scripts.push(...otherYaml(run, new Set(scripts.map((s) => s.abs))).map((abs) => ({ abs, kind: 'yaml' as const })), ...taskRunnerFiles(run));
  scriptFilesByRun.set(run, scripts);
  return scripts;
}

/** Every command of the repository's scripts (and line of its Pulumi or cdk8s code) that addresses a probe's handler by path: read once per run. */
export function patchHolds(run: RunContext): PatchHold[] {
  let holds = byRun.get(run);
  if (holds) return holds;
  holds = [];
  byRun.set(run, holds);
  const scripts = [...scriptFiles(run)];
  // Many files: asked of git first which name a probe key (src/discover/grep.ts), among the names
  // these have (an extensionless script is outside them: git leaves it to be read).
  const may = scripts.length > 100 ? filesMayHold(run, scripts.map((s) => s.abs), PROBE_PATTERN, SCRIPT_PATHSPECS) : undefined;
  for (const { abs, kind, text, tooLarge } of scriptTexts(run, scripts, may)) {
    if (tooLarge) {
      // Not read for commands (MAX_BYTES): read as text, but a manifest (another tool's YAML may be one), whose probes the net would take for commands.
      if (kind !== 'yaml' || !mayBeManifest(text)) holds.push(...textNetHolds(text, path.relative(run.cwd, abs).split(path.sep).join('/'), `a file of ${Math.ceil(text.length / 1024)} KB (over the ${MAX_BYTES / 1024} KB the tool reads for commands)`));
      continue;
    }
    // A here-document that writes a manifest running the binary needs no such command (heredocWriteHold).
    if (!probePretest(text) || !(PRETEST_COMMAND.test(text) || PRETEST_RUNTIME_COMMAND.test(text) || (text.includes('<<') && mentionsBinary(text)))) continue;
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    if (kind === 'yaml' && !commandLineIn(text)) continue;
    const read = kind === 'yaml' ? yamlCommandScripts(text, true) : scriptsOf(text, kind, abs, () => makeOverridesOf(run, scripts, may !== undefined));
    // A Makefile whose recipes are not read, and another tool's YAML that does not parse: their commands, by the text net (not a template's, which renders to a manifest: a Helm chart's `{{ … }}`).
    if (read === undefined && kind === 'make') holds.push(...textNetHolds(text, shown, 'a Makefile whose recipes the tool does not read (.RECIPEPREFIX, or a SHELL that is no POSIX shell)'));
    else if (read === undefined && !text.includes('{{')) holds.push(...textNetHolds(text, shown, 'a YAML file that does not parse'));
    for (const s of read ?? []) holds.push(...scriptHolds(s.script, s.resolve, (o) => `${shown}:${s.line(o)}`, abs, run, 0, s.outer, kind === 'shell', startIn(s.cwd, abs, run)));
  }
  holds.push(...unreadPipelineHolds(run, MAX_BYTES));
  // Pulumi and cdk8s code that loads a manifest and addresses its probe's exec (src/typescript/manifest-readers.ts, loaded by preparePatchHolds).
  const code = codeReaders.get(run);
  if (code) holds.push(...code.reader(run, code.projects));
  return holds;
}

export type ScriptKind = 'shell' | 'workflow' | 'make' | 'ci' | 'jenkins' | 'action' | 'yaml' | 'just' | 'npm';


/**
 * The YAML files of other tools (CircleCI, Bitbucket, Azure Pipelines, CodeBuild, Cloud Build,
 * Skaffold, …: any YAML file not read as a workflow, CI pipeline or action) whose lines may hold a
 * command addressing a probe (COMMAND_LINE_PATTERN), as the YAML readers' search (prefetched
 * beside git's listing) says; every one where git cannot say.
 */
function otherYaml(run: RunContext, listed: ReadonlySet<string>): string[] {
  const yaml = namedFiles(run).yaml.filter((f) => !listed.has(f) && !/[\\/]node_modules[\\/]/.test(f));
  if (yaml.length === 0) return [];
  const may = filesMayHold(run, yaml, YAML_READERS_SEARCH, YAML_PATHSPECS);
  return may ? yaml.filter((f) => may.has(f)) : yaml;
}

const PROBE_PATTERN = String.raw`(?:readiness|liveness|startup)Probe|--patch-file\b|--from-file\b|\bjq\b.*\s-f\b|\bpatch\b|grpc_health_probe|-addr\b|` + ENV_COMMAND_PATTERN;
/** The names of namedFiles' scripts, Makefiles, workflows, CI pipelines and Jenkinsfiles, as git's pathspecs: git reads only those (not the whole checkout: ~150 ms of 25k files, ~40 ms of their YAML). */
const SCRIPT_PATHSPECS = [':(icase)*.sh', ':(icase)*.bash', ':(icase)*.zsh', ':(icase)*.ksh', '*.mk', '*akefile', ':(icase)*.yml', ':(icase)*.yaml', '*Jenkinsfile*', ':(icase)*.jenkinsfile', ':(icase)*.groovy'];
/** Every file without an extension (a file under a folder whose name has a dot too); git reads only those. */
const EXTENSIONLESS_PATHSPECS = [':(glob)**', ':(exclude,glob)**/*.*'];
/** Up to this many extensionless files, their heads are read (~4 µs each, warm); beyond, git says first which name a probe key (~40 ms of a 25k-file checkout). */
const MAX_HEAD_READS = 3000;

/**
 * The extensionless files that are shell scripts by their `#!` line. Only the first bytes of each
 * are read; with very many, only those git finds a probe key in.
 */
function shebangScripts(files: readonly string[], run: RunContext): string[] {
  if (files.length === 0) return [];
  const may = files.length > MAX_HEAD_READS ? filesMayHold(run, files, PROBE_PATTERN, EXTENSIONLESS_PATHSPECS) : undefined;
  // A file that cannot be opened here (not on disk) is read whole, as the run reads it.
  return files.filter((f) => (!may || may.has(f)) && shellShebang(headOf(f) ?? run.readText(f)?.slice(0, 128) ?? ''));
}

/** The first bytes of a file (its `#!` line), without reading it whole: most extensionless files are no script. Undefined when it cannot be opened. */
function headOf(abs: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(abs, 'r');
    const buf = Buffer.alloc(128);
    return buf.toString('latin1', 0, fs.readSync(fd, buf, 0, buf.length, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Where a command runs: the script's file, and the folders a relative path of it may be read from (null: a `cd` to a folder known only at run time). */
interface Place {
  abs: string;
  run: RunContext;
  dirs: string[] | null;
  /** The command came through `xargs`, which appends (or puts in place of `-I`'s string) words known only at run time. */
  xargs?: true;
  /** The text of the command's standard input when the script shows it (a here-document with a quoted delimiter, or one whose expansions the tool resolved): what it reads as `/dev/stdin`. */
  stdin?: string;
}

/** The folders a script starting in `cwd` (from the repository's root) reads relative paths from; undefined: startDirs'. */
export function startIn(cwd: string | null | undefined, abs: string, run: RunContext): string[] | null | undefined {
  if (cwd === undefined) return undefined;
  if (cwd === null) return null;
  const root = enclosingRepository(path.dirname(abs)) ?? run.cwd;
  return [...new Set([path.resolve(root, cwd), ...startDirs(abs, run)])];
}

/** The folders a script's relative paths are read from before any `cd`: its own, the repository's root, the run's. */
export function startDirs(abs: string, run: RunContext): string[] {
  const root = enclosingRepository(path.dirname(abs));
  return [...new Set([path.dirname(abs), root, run.cwd].filter((d): d is string => d !== undefined))];
}

/**
 * The script's own folder as scripts compute it (`$(dirname "$0")`, `$(cd "$(dirname
 * "${BASH_SOURCE[0]}")" && pwd)`, `$(dirname "$(realpath "$0")")`, with a `/..` inside the `cd`),
 * read as the script file's folder: the suffix (`/..`) it adds, or undefined when the text is no
 * such idiom.
 */
export function scriptDirIdiom(source: string): string | undefined {
  const s = source.replace(/["']/g, '').replace(/\s+/g, ' ').trim();
  const zero = String.raw`(?:\$0|\$\{0\}|\$\{BASH_SOURCE(?:\[0\])?\}|\$BASH_SOURCE)`;
  const dirname = String.raw`\$\( ?dirname (?:-- )?(?:${zero}|\$\( ?(?:realpath|readlink -[fem]|greadlink -f) ${zero} ?\)) ?\)`;
  if (new RegExp(`^${dirname}$`).test(s)) return '';
  const m = new RegExp(String.raw`^\$\( ?(?:builtin )?cd (?:-P )?${dirname}((?:/[^\s&;|)]*)?)(?: >/dev/null(?: 2>&1)?)? ?(?:&&|;) ?pwd(?: -P)? ?\)$`).exec(s);
  return m ? m[1]! : undefined;
}

/** A resolver that reads the script-folder idioms (scriptDirIdiom) as the script's folder. */
function withScriptDir(resolve: Resolve, dir: string): Resolve {
  return (w, env) => {
    if (!w.parts.some((p) => p.type === 'other' && p.source !== undefined && scriptDirIdiom(p.source) !== undefined)) return resolve(w, env);
    const parts = w.parts.map((p) => {
      const suffix = p.type === 'other' && p.source !== undefined ? scriptDirIdiom(p.source) : undefined;
      return suffix === undefined ? p : { type: 'lit' as const, value: path.join(dir, suffix) };
    });
    return resolve({ parts }, env);
  };
}

/**
 * Where the later commands of a script run after this one, when it is a `cd` or `pushd`: to a
 * literal folder, that folder (from each folder it may be in) beside those; to a folder known only
 * at run time (`cd "$DIR"`, `cd -`, `cd ~x`), null. Undefined: no cd/pushd. (patchHolds, src/ytt/overlays.ts)
 */
export function followDirs(words: readonly ResolvedWord[], here: string[] | null): string[] | null | undefined {
  if (words[0]?.text !== 'cd' && words[0]?.text !== 'pushd') return undefined;
  const to = words.slice(1).find((w) => !/^-[LPe@]*$/.test(w.text));
  if (to === undefined || to.unresolved.length > 0 || to.text === '-' || to.text.startsWith('~')) return null;
  return here === null ? null : [...new Set([...here.map((d) => path.resolve(d, to.text)), ...here])];
}

/** First words of commands that only print their arguments: a kubectl command among those runs nothing. */
const PRINTS = new Set(['echo', 'printf', 'print', 'log', 'info', 'warn', 'error', 'debug', 'say', 'msg', ':', 'cat', 'grep', 'jq', 'yq', 'sed', 'awk', 'perl', 'test', '[', '[[']);

/**
 * The commands of a script (and of the scripts it gives `sh -c`, `bash -c`, read with the
 * project's shell parser, at the line of the call) that address a probe by path. A `cd` (or
 * `pushd`) to a literal folder adds it to where the later commands' relative paths are read from;
 * to a folder known only at run time, their relative paths are any file. `shell`: a script file
 * of its own, whose `$(dirname "$0")` is its folder.
 */
function scriptHolds(script: string, resolve: Resolve, at: (offset: number) => string, abs: string, run: RunContext, depth: number, outer?: (name: string) => string | undefined, shell = false, dirs?: string[] | null): PatchHold[] {
  let parsed: ShScript;
  let calls: ShCall[];
  let setsOtherwise: ReadonlySet<string>;
  let heredocs: ShHeredoc[];
  let functions: ShScript['functions'];
  try {
    parsed = parseShell(script);
    calls = parsed.calls;
    setsOtherwise = parsed.setsOtherwise;
    heredocs = parsed.heredocs;
    functions = parsed.functions;
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    // Not parsed: read as text (textNetHolds), as other texts the tool does not evaluate. The
    // shell runs a script line by line: the commands before a syntax error run (hunt14 A3).
    return textNetHolds(script, at, unparsedScript(script, e, at));
  }
  if (shell) resolve = withScriptDir(resolve, path.dirname(abs));
  const env = scriptVariables(calls, resolve, setsOtherwise, outer, parsed.otherSets);
  const out: PatchHold[] = [];
  let here: string[] | null = dirs === undefined ? startDirs(abs, run) : dirs;
  // Where relative paths are read from after each `cd`, for the here-documents (written files) below.
  const dirsAt: { at: number; dirs: string[] | null }[] = [{ at: -1, dirs: here }];
  // A call of a function (or alias) of the script is read as the commands it runs with the call's words (`kc patch …` of `kc() { kubectl --context x "$@"; }`).
  const called = scriptFunctions(calls, functions, resolve, (s) => parseShell(s).calls);
  const sources = calls.some((c) => c.args.length > 1 && ['source', '.'].includes(resolve(c.args[0]!, noEnv).text));
  let evalEnv: ReturnType<typeof evalVariables> | undefined;
  let commands: ((word: ShWord) => VariableCommands | undefined) | undefined;
  for (const call of calls.flatMap((c) => called(c) ?? [c])) {
    // Field splitting: an unquoted `$K` of K="microk8s kubectl" is the words of its value (fieldsOf).
    const fields = call.args.flatMap((w) => fieldsOf(w, env));
    let words = fields.map((w) => resolve(w, env));
    const where = at(call.start);
    let texts = words.map((w) => w.text);
    const moved = followDirs(words, here);
    if (moved !== undefined) {
      here = moved;
      dirsAt.push({ at: call.start, dirs: here });
      continue;
    }
    // What the command reads as its standard input, for a patch from /dev/stdin (`-p "$(cat /dev/stdin)"`).
    const readsStdin = heredocs.length > 0 && words.some((w) => /\/dev\/|\/proc\/|^-$/.test(w.text) || w.substitutions?.some((t) => /\/dev\/|\/proc\//.test(t)));
    const stdin = readsStdin ? stdinText(script, call, calls, heredocs, (w) => resolve(w, env).text, env) : undefined;
    const place: Place = { abs, run, dirs: here, ...(stdin !== undefined ? { stdin } : {}) };
    // Through the wrappers a command runs another one with (`sudo`, `env X=1`, `timeout 60`, `xargs`), into `sh -c '…'`, and `docker run … mikefarah/yq` (or `bitnami/kubectl`).
    let i = 0;
    let nested = false;
    for (let guard = 0; guard < 8 && i < texts.length; guard++) {
      while (i < texts.length - 1 && ['exec', 'command', 'builtin'].includes(texts[i]!)) i++;
      // `ssh [options] HOST 'kubectl patch …'`: the remote shell runs the words after the host, joined.
      const remote = sshCommand(texts, i);
      if (remote !== undefined) {
        if (depth < 4) out.push(...scriptHolds(remote, resolveWord, () => where, abs, run, depth + 1, outer, false, null));
        nested = true;
        break;
      }
      // `eval "kubectl patch … -p '[…]'"`: the shell runs its words joined by blanks as a script (an
      // expansion the tool could not resolve stays as written, a value known only at run time).
      // Where its words hold what the tool cannot resolve (`KC=kubectl; eval "$KC patch …"`: a script
      // with an eval resolves none of its variables; `eval $(echo kubectl patch …)`) and the read
      // finds no command, the safe side: its text read as written, any word of it a command that
      // may be kubectl (textNetHolds), so that the probe is held rather than migrated (review22 R2).
      // A variable of its words that the script sets once to a literal value before the eval (and
      // nowhere else) has that value there, even in a script with an eval (whose variables are
      // otherwise not resolved): `cmd='kubectl patch …'; eval "$cmd"` (or unquoted, split then
      // joined by eval) reads the value as the script eval runs (hunt19 B4); so does one it
      // declares so (`export cmd='kubectl patch …'`, `local`, `declare`, `readonly`); and an eval in
      // a function's body is read where the function is called too (review23 R9).
      if (baseName(texts[i] ?? '') === 'eval') {
        if (depth < 4 && i + 1 < texts.length) {
          const vars = (evalEnv ??= evalVariables(parsed, resolve, env, outer));
          const args = fields.slice(i + 1);
          const readAt = (place: number): PatchHold[] => {
            const known = vars.at(place);
            const evalWords = args.flatMap((w) => fieldsOf(w, known, true)).map((w) => resolve(w, known));
            const text = evalWords.map((x) => x.text).join(' ');
            const read = scriptHolds(text, resolveWord, () => where, abs, run, depth + 1, outer, false, here);
            if (read.length > 0 || !evalWords.some((x) => x.unresolved.length > 0 || (x.substitutions?.length ?? 0) > 0)) return read;
            // As written: a command substitution's text is `$(...)`.
            const written = evalWords.map((x) => x.written ?? x.text).join(' ');
            const held = textNetHolds(written, () => where, 'an eval of words known only at run time', true);
            // A variable of its words that the script sets more than once, or to a value with a part
            // known only at run time (`for ns in …; do cmd="kubectl -n $ns set env …"; eval "$cmd"`):
            // the value of its last assignment before the eval, in its place, read as the script eval
            // runs, its unknown parts as written (review23 R9).
            for (const name of new Set(evalWords.flatMap((x) => x.unresolved.map((n) => n.replace(/^\$\{?|\}$/g, ''))).filter((n) => /^[A-Za-z_]\w*$/.test(n)))) {
              const last = vars.lastBefore(name, place);
              if (!last) continue;
              const v = resolve(last, noEnv);
              const candidate = written.replace(new RegExp(String.raw`\$\{?${name}\}?(?!\w)`, 'g'), () => v.written ?? v.text);
              const holds = scriptHolds(candidate, resolveWord, () => where, abs, run, depth + 1, outer, false, here);
              held.push(...(holds.length > 0 ? holds : textNetHolds(candidate, () => where, 'an eval of a variable known only at run time', true)));
            }
            return held;
          };
          // Read once per place that gives its variables another reading.
          const names = [...new Set(args.flatMap((w) => w.parts.flatMap((p) => (p.type === 'param' ? [p.name] : []))))];
          const keys = new Set<string>();
          for (const place of vars.places(call)) {
            const key = vars.key(names, place);
            if (keys.has(key)) continue;
            keys.add(key);
            out.push(...readAt(place));
          }
        }
        nested = true;
        break;
      }
      // `find k8s -name '*.yaml' -exec sed -i … {} +` (or `\;`): the command after -exec, on files known only at run time.
      if (baseName(texts[i] ?? '') === 'find') {
        const e = texts.findIndex((t, k) => k > i && /^-(?:exec|execdir|ok|okdir)$/.test(t));
        if (e === -1 || e + 1 >= texts.length) break;
        const end = texts.findIndex((t, k) => k > e && (t === ';' || (t === '+' && texts[k - 1] === '{}')));
        if (end !== -1) [words, texts] = [words.slice(0, end), texts.slice(0, end)];
        place.xargs = true;
        i = e + 1;
        continue;
      }
      const w = unwrap(texts, i);
      if (!w) break;
      if ('script' in w) {
        if (depth < 4 && texts[w.script] !== undefined) out.push(...scriptHolds(texts[w.script]!, resolveWord, () => where, abs, run, depth + 1, outer, false, here));
        nested = true;
        break;
      }
      if (baseName(texts[i]!) === 'xargs') place.xargs = true;
      // An image whose entrypoint is yq (mikefarah/yq, linuxserver/yq): the words after it are yq's.
      if (w.image !== undefined && /(?:^|\/)yq(?:[:@]|$)/.test(texts[w.image] ?? '')) {
        out.push(...yqHolds(words.slice(w.image + 1), where, place, 'yq'));
        nested = true;
        break;
      }
      // An image whose entrypoint is kubectl (bitnami/kubectl, rancher/kubectl): the words after it are kubectl's.
      if (w.image !== undefined && /(?:^|\/)kubectl(?:[:@]|$)/.test(texts[w.image] ?? '')) {
        out.push(...commandHolds([{ text: 'kubectl', unresolved: [] }, ...words.slice(w.image + 1)], where, place));
        nested = true;
        break;
      }
      i = w.next;
    }
    if (nested) continue;
    const envOptions = { xargs: place.xargs === true, files: (p: string) => readings(p, place), patchText: (o: Map<string, ResolvedWord[]>) => patchTextOf(o, place), fileText: (p: string) => fileText(p, place) };
    const held = commandHolds(words.slice(i), where, place);
    const envHeld = envCommandHolds(words.slice(i), where, envOptions);
    out.push(...held, ...envHeld);
    // `retry kubectl patch …`, `run_with_backoff 3 kubectl set env …`: a command (a function of the
    // script, another tool) that runs the kubectl command of its arguments (kubectl as commandTool
    // reads it: `retry microk8s kubectl patch …`). The last `patch`/`set` word is found once: a
    // search after each kubectl word would be quadratic over a long line of them.
    if (held.length === 0 && envHeld.length === 0 && i < texts.length && !PRINTS.has(baseName(texts[i]!)) && commandTool(words.slice(i)) === undefined) {
      const verb = Math.max(texts.lastIndexOf('patch'), texts.lastIndexOf('set'));
      const j = texts.findIndex((_t, k) => k > i && k < verb && kubectlAt(texts, k) !== undefined);
      if (j !== -1) out.push(...commandHolds(words.slice(j), where, place), ...envCommandHolds(words.slice(j), where, envOptions));
      // `$KC patch …` where KC is no one literal (`KC="kubectl --context $CTX"`, `KC=${KC:-kubectl}`,
      // `: "${KC:=kubectl}"`, `KC=(kubectl …)` with `"${KC[@]}"`, make's `$(KC)` of `KC := $(shell …)`):
      // read with each value of the variable that runs kubectl (variableCommands); where none does and
      // the word may run what the tool cannot know, the safe side: read as kubectl, so that a patch of
      // the probe (or a set env of a variable it reads) holds it (hunt20 C1).
      else if (words[i]!.unresolved.length > 0) out.push(...unknownCommandHolds(fields[i]!, words, i, (commands ??= variableCommands(parsed, resolve, outer)), (w) => resolve(w, env), where, place, envOptions));
      // `. ./lib.sh; kc patch deployment web -p '[…readinessProbe/exec…]'`: a command of a file the script
      // sources may be a kubectl function; a `patch` of a probe's path by a name it does not define is read as kubectl's.
      else if (sources && words[i]!.unresolved.length === 0 && !functions?.some((f) => f.name === texts[i]) && texts.slice(i + 1).some((t) => PROBE_KEY_IN.test(t))) {
        const shown = words[i]!.written ?? texts[i]!;
        for (const h of commandHolds([{ text: 'kubectl', unresolved: [] }, ...words.slice(i + 1)], where, place)) out.push({ ...h, what: h.what.replace(' with kubectl', ` with ${shown}, a command this script does not define, read as kubectl`) });
      }
    }
  }
  // `cat > k8s/api.yaml <<'EOF'` with a manifest whose probe runs the binary: the script writes the file anew.
  for (const h of heredocs) {
    const hold = heredocWriteHold(script, h, env, resolve, at, abs, run, [...dirsAt].reverse().find((d) => d.at < h.opener)!.dirs);
    if (hold) out.push(hold);
  }
  // `ssh HOST <<'EOF'`, `ssh HOST bash -s <<EOF`, `bash <<EOF`: a shell reads the here-document as its script.
  if (depth < 4) {
    for (const h of heredocs) {
      const reader = h.command ? stdinShell(h.command.map((w) => resolve(w, env).text)) : undefined;
      if (reader === undefined) continue;
      const body = heredocText(script, h, env);
      out.push(...scriptHolds(body.text, resolveWord, (o) => at(body.at[o] ?? h.start), abs, run, depth + 1, outer, false, reader === 'remote' ? null : dirs));
    }
  }
  return out;
}

/**
 * The holds of a call whose command word (`words[i]`, the word `word`) is known only at run time
 * (scriptHolds): read with each value of its variable that runs kubectl or oc (commandTool: a
 * distribution's sub-command and kubecolor too; or a wrapper's, `timeout 60 kubectl`) in its place; where none does and it may hold
 * what the tool cannot know (a value known only at run time, one the script does not set, a
 * command substitution, a path with a variable), read as kubectl, said so.
 */
function unknownCommandHolds(word: ShWord, words: readonly ResolvedWord[], i: number, commands: (word: ShWord) => VariableCommands | undefined, resolve: (w: ShWord) => ResolvedWord, where: string, place: Place, envOptions: Parameters<typeof envCommandHolds>[2]): PatchHold[] {
  const found = commands(word);
  const rest = words.slice(i + 1);
  const out: PatchHold[] = [];
  const read = new Set<string>();
  let unknown = found === undefined || found.unknown;
  for (const value of found?.values ?? []) {
    let head = value.map(resolve);
    // A value that runs kubectl through a wrapper (`KC="timeout 60 kubectl --context $CTX"`), as the fallback above reads a command's words.
    const k = PRINTS.has(baseName(head[0]?.text ?? '')) ? -1 : head.findIndex((_w, n) => n > 0 && kubectlAt(head.map((w) => w.text), n) !== undefined);
    if (commandTool(head) === undefined && k !== -1) head = head.slice(k);
    const tool = commandTool(head)?.tool;
    if (tool === 'kubectl' || tool === 'oc') {
      const key = head.map((w) => w.text).join(' ');
      if (read.has(key)) continue;
      read.add(key);
      out.push(...commandHolds([...head, ...rest], where, place), ...envCommandHolds([...head, ...rest], where, envOptions));
    } else if (head[0] === undefined || head[0].unresolved.length > 0) unknown = true;
  }
  if (read.size > 0 || !unknown) return dedupe(out);
  const shown = words[i]!.written ?? words[i]!.text;
  const asKubectl = [{ text: 'kubectl', unresolved: [] }, ...rest];
  return [...commandHolds(asKubectl, where, place), ...envCommandHolds(asKubectl, where, envOptions)].map((h) => ({ ...h, what: h.what.replace(' with kubectl', ` with ${shown}, a command known only at run time, read as kubectl`) }));
}

/** The holds once each (two values of a variable may run the same command). */
function dedupe(holds: PatchHold[]): PatchHold[] {
  const seen = new Set<string>();
  return holds.filter((h) => {
    const key = JSON.stringify(h);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * For an `eval` call, the variables its words may read: the script's own (`env`), and beside them
 * a variable every setting of which is a plain `NAME=value` (no command after it, no `+=`) or a
 * declaration of one (`export NAME=value`, `local`, `declare -r`, `readonly`: the value is the
 * same word) of one literal value, before the call; none set otherwise (a loop, `${X:=d}`, an
 * array, `declare -i`/`-n`/`-l`: setsOtherwise). A script with an eval resolves none of its
 * variables (scriptVariables: the eval may set any), but at the eval itself those set before it
 * have their values, unless an earlier eval or source changed them: a reading of the value then
 * holds a probe the script may not touch, the safe side. One the script does not set is `outer`'s.
 *
 * `places`: where an eval runs. An eval in a function's body runs where the function is called
 * (`run() { eval "$cmd"; }; cmd="kubectl …"; run`): its variables are read at each call of the
 * function (and of a function whose body calls it, 4 deep), and at the eval's own place as before.
 * `key`: which of those places give `names` the same reading, so each is read once.
 */
function evalVariables(script: Pick<ShScript, 'calls' | 'setsOtherwise' | 'otherSets' | 'functions'>, resolve: Resolve, env: (name: string) => string | undefined, outer?: (name: string) => string | undefined): {
  places: (call: ShCall) => number[];
  key: (names: readonly string[], place: number) => string;
  at: (place: number) => (name: string) => string | undefined;
  lastBefore: (name: string, place: number) => ShWord | undefined;
} {
  // Each name's one literal value (null: none), where it is last set, and its plain assignments
  // by place: read once per script, not per eval.
  const set = new Map<string, { value: string | null; last: number; assigns: { start: number; value: ShWord }[] }>();
  const add = (name: string, start: number, word: ShWord | undefined, plain: boolean) => {
    const v = plain ? (word ? resolve(word, noEnv) : { text: '', unresolved: [] }) : undefined;
    const seen = set.get(name);
    const value = v === undefined || v.unresolved.length > 0 || (seen !== undefined && seen.value !== v.text) ? null : v.text;
    const assigns = seen?.assigns ?? [];
    if (plain && word) assigns.push({ start, value: word });
    set.set(name, { value, last: Math.max(seen?.last ?? -1, start), assigns });
  };
  for (const c of script.calls) for (const a of c.assigns) add(a.name, c.start, a.value, c.args.length === 0 && !a.append && !a.array && !a.index);
  // A declaration that sets a plain value is read as its assignment; one whose value the tool
  // does not read (an array, `+=`, `-i`, `-n`, an option known only at run time) leaves the name
  // unknown, as setsOtherwise does; a bare `local X` is none (it leaves a value the tool may read: the safe side).
  const unread = new Set(script.setsOtherwise);
  const readable = new Set<string>();
  const unreadable = new Set<string>();
  for (const o of script.otherSets ?? []) {
    const plain = plainDeclaration(o, resolve);
    (plain ? readable : unreadable).add(o.name);
    if (plain && o.value) add(o.name, o.start, o.value, true);
  }
  for (const name of readable) if (!unreadable.has(name)) unread.delete(name);
  for (const s of set.values()) s.assigns.sort((a, b) => a.start - b.start);
  // How many of its assignments are before the place (binary search: the 100 KB scripts of the tests have thousands).
  const before = (name: string, place: number): number => {
    const a = set.get(name)?.assigns ?? [];
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]!.start < place) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const at = (place: number) => (name: string) => {
    const own = env(name);
    if (own !== undefined || unread.has(name)) return own;
    const s = set.get(name);
    if (s === undefined) return outer?.(name);
    return s.value !== null && s.last < place ? s.value : undefined;
  };
  // The places each function of the script is called at, found once.
  let sites: Map<string, number[]> | undefined;
  const places = (call: ShCall): number[] => {
    const out = [call.start];
    if (!script.functions) return out;
    if (!sites) {
      sites = new Map();
      const names = new Set(script.functions.map((f) => f.name));
      for (const c of script.calls) {
        const head = c.args[0] ? resolve(c.args[0], noEnv) : undefined;
        if (!head || head.unresolved.length > 0 || !names.has(head.text)) continue;
        const list = sites.get(head.text);
        if (list) list.push(c.start);
        else sites.set(head.text, [c.start]);
      }
    }
    // The innermost function around a place: calling an outer one defines the inner, not runs it.
    const around = (place: number) => script.functions!.filter((f) => f.start < place && place < f.end).reduce<ShFunction | undefined>((b, f) => (!b || f.start > b.start ? f : b), undefined);
    const seen = new Set(out);
    let frontier = out;
    for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const place of frontier) {
        const f = around(place);
        for (const site of (f && sites.get(f.name)) ?? []) {
          if (seen.has(site)) continue;
          seen.add(site);
          next.push(site);
        }
      }
      out.push(...next);
      frontier = next;
    }
    return out;
  };
  // The value of the last plain assignment before the place, whatever it holds (review23 R9).
  const lastBefore = (name: string, place: number) => {
    const k = before(name, place);
    return k > 0 ? set.get(name)!.assigns[k - 1]!.value : undefined;
  };
  const shown = (w: ShWord | undefined) => {
    const r = w && resolve(w, noEnv);
    return r ? r.written ?? r.text : '\0';
  };
  return { places, key: (names, place) => names.map((n) => `${at(place)(n) ?? '\0'}\0${shown(lastBefore(n, place))}`).join('\0'), at, lastBefore };
}

/** What a script the shell parser refused is, for the text net's message: its size over the parser's cap, or the parser's error at its place. */
function unparsedScript(script: string, e: ShellParseError, at: (offset: number) => string): string {
  if (e instanceof ShellTooLargeError) return `a script of ${e.message.replace(/, over/, " (over")})`;
  const { offset, reason } = shellErrorAt(script, e.message);
  return `a script the shell parser refuses (${offset === undefined ? '' : `${at(offset)}: `}${reason.replace(/\s+/g, ' ')})`;
}

/**
 * A here-document that a script writes to a manifest file of the repository (`cat > k8s/api.yaml
 * <<'EOF'`, `cat <<EOF >> "$BASE/$svc.yaml"`, `tee k8s/api.yaml <<EOF`, `cat <<EOF | tee …`)
 * and whose text has a probe that runs the binary: the script regenerates that file with the exec
 * probe. Migrated alone, the committed file is written back to exec the next time the script runs
 * (the script's own finding, rules/shell-script-binary-use.ts, says how to migrate the
 * here-document, which the tool does not rewrite): its probes stay on exec until the here-document
 * changes. Which files: the target the script names; where a part of it is known only at run time
 * (`"$BASE/$svc.yaml"`, `"$(mktemp)"`), the files whose text is the here-document's (heredocTemplate):
 * a manifest written elsewhere (a temporary file it then applies) holds nothing.
 */
function heredocWriteHold(script: string, h: ShHeredoc, env: (name: string) => string | undefined, resolve: Resolve, at: (offset: number) => string, abs: string, run: RunContext, dirs: string[] | null): PatchHold | undefined {
  // The words naming the files written: the `>`/`>>` target, tee's operands (given the document, or piped it).
  const written: ShWord[] = h.writesTo ? [h.writesTo] : [];
  for (const ws of [h.command, h.pipedTo]) {
    if (ws?.[0] !== undefined && baseName(resolve(ws[0], env).text) === 'tee') written.push(...ws.slice(1).filter((w) => !resolve(w, env).text.startsWith('-')));
  }
  const kept = written.filter((w) => !resolve(w, env).text.startsWith('/dev/'));
  const files = kept.map((w) => resolve(w, env));
  if (files.length === 0) return undefined;
  const body = heredocText(script, h, env);
  if (!mentionsBinary(body.text) || !PROBE_KEY_IN.test(body.text)) return undefined;
  const read = files.map((f) => (f.unresolved.length === 0 ? readings(f.text, { abs, run, dirs }) : undefined));
  // As the script writes it (`${BASE}/${svc}.yaml`), as the script's own finding says it.
  const shown = kept.map((w) => resolveWord(w, noEnv).text).join(' ');
  // On a checkout whose file system does not tell case apart (git's core.ignorecase), `K8S/Deploy.yaml` is `k8s/deploy.yaml` (hunt14 A6).
  const root = read.some((r) => r === undefined) ? undefined : enclosingRepository(path.dirname(abs));
  return {
    at: at(h.opener),
    // A file known only at run time (`$BASE/$svc.yaml`, or after a `cd` to a folder known only then): any file whose text the here-document writes.
    ...(read.some((r) => r === undefined) ? { generated: heredocTemplate(body) } : { files: read.flat() as string[], ...(root !== undefined && checkoutIgnoresCase(root) ? { filesIgnoreCase: true as const } : {}) }),
    what: `writes this file from a here-document (written to ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}) whose probe is still exec`,
    breaks: 'migrated here alone, the script writes the exec probe back over it the next time it runs',
    hint: 'Migrate the probe in the here-document by hand (the finding on the script says to what), then run the tool again: this file migrates with it. If the script is no longer run, remove the here-document (or the script) first.',
  };
}

/**
 * The text a here-document writes, as a pattern of the file it writes: its literal text, and
 * each expansion the tool could not resolve (`$svc`, `$port`) any text within its line. A file
 * that holds it (CRLF read as LF) is that here-document's output.
 */
function heredocTemplate(body: HeredocText): RegExp {
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let re = '';
  let i = 0;
  for (const e of body.expansions) {
    if (e.value !== undefined) continue;
    // Side by side (`$A$B`): one `[^\n]*` for both, or the pattern backtracks polynomially over a
    // long line that almost matches (review20 #2).
    const literal = body.text.slice(i, e.start);
    re += literal === '' && re.endsWith('[^\\n]*') ? '' : `${esc(literal)}[^\\n]*`;
    i = e.end;
  }
  re += esc(body.text.slice(i));
  return new RegExp(`(?:^|\\n)${re}`);
}

/**
 * What a call reads on its standard input when the script shows it: the here-document given it
 * (`kubectl patch … --patch-file /dev/stdin <<'JSON'`), or given a plain `cat` piped to it
 * (`cat <<'JSON' | kubectl patch …`), when the shell expands nothing in it that the tool cannot
 * resolve. Undefined otherwise (a pipe from another command, a redirect from a file, no input).
 */
function stdinText(script: string, call: ShCall, calls: readonly ShCall[], heredocs: readonly ShHeredoc[], text: (w: ShCall['args'][number]) => string, env: Parameters<typeof heredocText>[2]): string | undefined {
  const words = call.args.map(text);
  const same = (ws: ShCall['args'] | undefined) => ws !== undefined && ws.length === words.length && ws.every((w, k) => text(w) === words[k]);
  const next = Math.min(...calls.filter((c) => c.start > call.start).map((c) => c.start), Infinity);
  const own = heredocs.find((h) => h.opener >= call.end && h.opener < next && same(h.command));
  const piped = own ? undefined : [...heredocs].reverse().find((h) => h.opener < call.start && h.command?.length === 1 && baseName(text(h.command[0]!)) === 'cat' && same(h.pipedTo));
  const h = own ?? piped;
  if (!h) return undefined;
  const body = heredocText(script, h, env);
  return body.expansions.some((e) => e.value === undefined) ? undefined : body.text;
}

/**
 * Whether the command given a here-document runs it as a script: a shell with no script operand
 * and no `-c` (`bash`, `sh -s`), through wrappers, or an ssh call whose remote command is none or
 * such a shell ('remote': relative paths are the remote host's).
 */
function stdinShell(texts: readonly string[]): 'local' | 'remote' | undefined {
  let i = 0;
  for (let guard = 0; guard < 8 && i < texts.length; guard++) {
    while (i < texts.length - 1 && ['exec', 'command', 'builtin'].includes(texts[i]!)) i++;
    if (texts[i] !== undefined && baseName(texts[i]!) === 'ssh') {
      const remote = sshCommand(texts, i);
      if (remote === undefined) return 'remote';
      const words = remote.split(/\s+/).filter((w) => w !== '');
      return stdinShell(words) !== undefined ? 'remote' : undefined;
    }
    const w = unwrap(texts, i);
    if (!w || !('next' in w)) break;
    i = w.next;
  }
  const name = texts[i] !== undefined ? baseName(texts[i]!) : undefined;
  if (name === undefined || !STDIN_SHELLS.has(name)) return undefined;
  // Options only (`-s`, `-e`, `-o pipefail`, `-x`): any other word is a script file, `-c` a script of its own.
  for (let k = i + 1; k < texts.length; k++) {
    const t = texts[k]!;
    if (t === '-s' || t === '--') return 'local';
    if (t.startsWith('--')) {
      if (t === '--rcfile' || t === '--init-file') k++;
      continue;
    }
    if (!/^[-+][a-zA-Z]+$/.test(t)) return undefined;
    if (t[0] === '-' && t.includes('c')) return undefined;
    if (t.includes('o')) k++;
  }
  return 'local';
}

const STDIN_SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

/** ssh's options that take an argument (OpenSSH ssh(1)): `-p 22`, `-p22`, `-tp 22`. */
const SSH_VALUED = new Set('BbcDEeFIiJLlmOoPpQRSWw'.split(''));

/**
 * The remote command of an `ssh` call at `at` (`ssh [options] HOST CMD…`): ssh joins the words
 * after the host with spaces and the remote user's shell runs them, as `sh -c` does. Undefined
 * when words[at] is no ssh or it runs no command (a login, `-N`).
 */
export function sshCommand(words: readonly string[], at: number): string | undefined {
  if (words[at] === undefined || baseName(words[at]!) !== 'ssh') return undefined;
  let i = at + 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!/^-./.test(w)) break;
    // A cluster of flags, the first that takes an argument ends it: the rest of the word, or the next word.
    for (let k = 1; k < w.length; k++) {
      if (!SSH_VALUED.has(w[k]!)) continue;
      if (k === w.length - 1) i++;
      break;
    }
  }
  // words[i] is the host; the command is the rest.
  const command = words.slice(i + 1);
  return command.length > 0 ? command.join(' ') : undefined;
}

/** `overrides`: what the repository's make runs give a Makefile's variables (makeOverrides; noOverrides: the Makefile's own values alone). */
export function scriptsOf(text: string, kind: ScriptKind, abs: string, overrides: () => MakeOverrides): Script[] | undefined {
  if (kind === 'shell') return [{ script: text, resolve: resolveWord, line: (o) => lineAt(text, o) }];
  if (kind === 'make') {
    // The `target: ; recipe` lines and `define` bodies too: make runs them (hunt14 A5); what `$(shell …)` and `!=` run, and a .ONESHELL recipe as one script (hunt20 C2).
    const recipes = makeRecipes(text, { inline: true, oneShell: true });
    // `.RECIPEPREFIX`, a SHELL that is no POSIX shell: no recipe is read as the shell's, so patchHolds reads the text (textNetHolds).
    if (!recipes) return undefined;
    const resolve = referenceResolver(recipes.references, resolveWord);
    const values = makeVariableValues(text, overrides);
    // `$(CURDIR)`: the folder make runs in, the Makefile's own (`make -C`, or make run there).
    if (!values.has('CURDIR')) values.set('CURDIR', [path.dirname(abs)]);
    // The variables make exports to the recipes' shell (`export KC := kubectl`, then `$$KC patch …`: hunt22 E6), as the recipe's environment.
    const shellEnv = recipeEnvironment(text, values, overrides);
    // A line whose variables the repository's make runs give other values is read once for each.
    return recipes.lines.flatMap((l) =>
      expandMakeVariables(l, recipes.references, values).flatMap(({ script, at }) => recipeEnvironments(script, shellEnv).map((outer) => ({ script, resolve, line: (o: number) => lineAt(text, at[o] ?? l.start), ...(outer ? { outer } : {}) }))),
    );
  }
  if (kind === 'jenkins') {
    // A `dir('k8s') { sh … }` block runs its steps in another folder: where, the reader does not follow (any file).
    const moved = /(?<![\w.])dir\s*\(/.test(text) ? { cwd: null } : {};
    return jenkinsSteps(text).map((st) => ({ script: st.script, resolve: resolveWord, line: (o: number) => lineAt(text, st.at[o] ?? st.at[st.at.length - 1] ?? 0), ...moved }));
  }
  // Another tool's YAML (yamlCommandScripts); in a workflow, CI pipeline or action, its image steps and exec lists too (`uses: docker://bitnami/kubectl` + `with: {args: …}`, a Buildkite docker plugin's `command:`).
  // (patchHolds reads another tool's YAML itself, for the text net of one that does not parse; the make runs reader comes here.)
  if (kind === 'yaml') return yamlCommandScripts(text, true) ?? [];
  if (kind === 'just') return justScripts(text);
  if (kind === 'npm') return npmScripts(text);
  const images = yamlCommandScripts(text, false) ?? [];
  if (kind === 'ci') return [...ciScripts(text), ...images];
  if (kind === 'action') return [...actionScripts(text), ...images];
  // A workflow: each `jobs.<id>.steps[i].run`, its `${{ }}` expressions read as values known only at run time.
  const parsed = parseYaml(text);
  if (parsed.error) return [];
  const out: Script[] = [];
  for (const doc of parsed.docs) {
    const jobs = isMap(doc.contents) ? getPair(doc.contents, 'jobs')?.value : undefined;
    if (!isMap(jobs)) continue;
    for (const job of jobs.items) {
      const steps = isMap(job.value) ? getPair(job.value as YAMLMap, 'steps')?.value : undefined;
      if (!isSeq(steps)) continue;
      // Variables an earlier step of the job writes to $GITHUB_ENV (`echo "APP=…" >> "$GITHUB_ENV"`): any value in the later steps.
      const written = new Set<string>();
      for (const step of steps.items) {
        const run = isMap(step) ? getPair(step, 'run')?.value : undefined;
        if (!isScalar(run) || typeof run.value !== 'string' || !run.range) continue;
        const before = [...written];
        for (const line of run.value.split('\n')) if (line.includes('GITHUB_ENV')) for (const m of line.matchAll(/(?:^|[\s"'])([A-Za-z_]\w*)=/g)) written.add(m[1]!);
        // `working-directory:` of the step, or `defaults.run.working-directory` of the job or the workflow.
        const wd = [step, job.value, doc.contents].map((m, k) => (k === 0 ? (isMap(m) ? getPair(m, 'working-directory')?.value : undefined) : defaultsDir(m))).find((v) => v !== undefined);
        const cwd = wd === undefined ? undefined : isScalar(wd) && typeof wd.value === 'string' && !wd.value.includes('${{') ? wd.value : null;
        const env = pipelineEnv([doc.contents, job.value, step]);
        const outer = before.length === 0 ? env : (n: string) => (before.includes(n) ? undefined : env?.(n));
        out.push({ ...scalarScript(text, run), outer, ...(cwd !== undefined ? { cwd } : {}) });
      }
    }
  }
  return [...out, ...images];
}

/** `defaults: {run: {working-directory: …}}` of a workflow or job. */
function defaultsDir(m: unknown): unknown {
  const defaults = isMap(m) ? getPair(m, 'defaults')?.value : undefined;
  const run = isMap(defaults) ? getPair(defaults, 'run')?.value : undefined;
  return isMap(run) ? getPair(run, 'working-directory')?.value : undefined;
}

/** A composite action's scripts: each `runs.steps[i].run`, its `${{ inputs.x }}` expressions values known only at run time. */
function actionScripts(text: string): Script[] {
  const parsed = parseYaml(text);
  if (parsed.error) return [];
  const out: Script[] = [];
  for (const doc of parsed.docs) {
    const runs = isMap(doc.contents) ? getPair(doc.contents, 'runs')?.value : undefined;
    const steps = isMap(runs) ? getPair(runs, 'steps')?.value : undefined;
    if (!isSeq(steps)) continue;
    for (const step of steps.items) {
      const run = isMap(step) ? getPair(step, 'run')?.value : undefined;
      if (!isScalar(run) || typeof run.value !== 'string' || !run.range) continue;
      const wd = isMap(step) ? getPair(step, 'working-directory')?.value : undefined;
      const cwd = wd === undefined ? undefined : isScalar(wd) && typeof wd.value === 'string' && !wd.value.includes('${{') ? wd.value : null;
      out.push({ ...scalarScript(text, run), outer: pipelineEnv([step]), ...(cwd !== undefined ? { cwd } : {}) });
    }
  }
  return out;
}

/** The files a Makefile's `include`, `-include` and `sinclude` lines name literally, from its folder (where make runs). */
function makeIncludes(text: string, abs: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*-?s?include[ \t]+([^\n#]+)/gm)) {
    for (const name of m[1]!.trim().split(/[ \t]+/)) {
      if (name === '' || /[$*?[]/.test(name)) continue;
      out.push(path.resolve(path.dirname(abs), name));
    }
  }
  return out;
}

const overridesByRun = new WeakMap<RunContext, MakeOverrides>();
/** A text that may run make. */
const MAKE_RUN = /\bg?make\b|\$[({]MAKE[)}]/;
const MAKE_RUN_PATTERN = String.raw`\bg?make\b|\$[({]MAKE[)}]`;

/**
 * What the repository's make runs give the Makefiles' variables (src/analysis/makefile.ts
 * readMakeRun): the make calls of the scripts patchHolds reads (and of the Makefiles they include),
 * read once per run, when a Makefile that may patch a probe sets a variable to a literal. Every
 * run counts for every Makefile (which one a run reads, `-C`, `-f`, its folder, is not followed):
 * a value may be one too many, never one missed. `search`: many files (as patchHolds asks git
 * first), so git is asked which of them run make.
 */
/**
 * The texts of the script files, one by one, with the Makefiles a Makefile includes (`include
 * Makefile.k8s`: read as its recipes, whatever their name) and the Makefiles and Taskfiles a
 * script's `make -f`/`task -t` names appended to `scripts` as they are met. `may`: the files git
 * says may hold the caller's words (undefined: every one); a file git searched and found nothing in
 * is not given, though a Makefile is still read for its includes.
 */
function* scriptTexts(run: RunContext, scripts: { abs: string; kind: ScriptKind }[], may: ReadonlySet<string> | undefined): Generator<{ abs: string; kind: ScriptKind; text: string; tooLarge?: true }> {
  const listed = new Set(scripts.map((s) => s.abs));
  // What git searched: the files first listed (an included Makefile comes later, and is read).
  const searched = new Set(listed);
  for (let k = 0; k < scripts.length; k++) {
    const { abs, kind } = scripts[k]!;
    const skip = may !== undefined && searched.has(abs) && !may.has(abs);
    if (skip && kind !== 'make') continue;
    const text = run.readText(abs);
    if (text === undefined) continue;
    // Too large to read for commands: given to the caller's text net, its includes not followed.
    if (text.length > MAX_BYTES) {
      if (!skip) yield { abs, kind, text, tooLarge: true };
      continue;
    }
    if (kind === 'make') {
      for (const inc of makeIncludes(text, abs)) {
        if (listed.has(inc)) continue;
        listed.add(inc);
        scripts.push({ abs: inc, kind: 'make' });
      }
    }
    if (skip) continue;
    for (const f of /\b(?:g?make|task)\b/.test(text) ? runnerFollowers(text) : []) {
      // `make -f /dev/stdin`, `-f -`: the make's own input, not the tool's; another absolute path outside the repository, the host's.
      if (f.file === '-' || (path.isAbsolute(f.file) && !inRepository(path.normalize(f.file), abs, run))) continue;
      const found = (path.isAbsolute(f.file) ? [f.file] : startDirs(abs, run).map((d) => path.resolve(d, f.file)).filter((c) => inRepository(c, abs, run))).find((c) => run.readText(c) !== undefined);
      if (found === undefined || listed.has(found)) continue;
      listed.add(found);
      scripts.push({ abs: found, kind: f.kind === 'make' ? 'make' : 'ci' });
    }
    yield { abs, kind, text };
  }
}

/** makeOverridesOf over the repository's script files (scriptFiles), for a reader other than patchHolds (src/ytt/overlays.ts). */
export function makeOverrides(run: RunContext): MakeOverrides {
  const scripts = scriptFiles(run);
  return makeOverridesOf(run, scripts, scripts.length > 100);
}

function makeOverridesOf(run: RunContext, scripts: readonly { abs: string; kind: ScriptKind }[], search: boolean): MakeOverrides {
  let out = overridesByRun.get(run);
  if (out) return out;
  out = noOverrides();
  overridesByRun.set(run, out);
  const files = [...scripts];
  const makeMay = search ? filesMayHold(run, files.map((f) => f.abs), MAKE_RUN_PATTERN, SCRIPT_PATHSPECS) : undefined;
  for (const { abs, kind, text, tooLarge } of scriptTexts(run, files, makeMay)) {
    if (!MAKE_RUN.test(text)) continue;
    if (tooLarge) {
      unparsedMakeRuns(text, out);
      continue;
    }
    // The make runs themselves, read with the Makefiles' own values (what they give is being gathered here).
    for (const s of scriptsOf(text, kind, abs, noOverrides) ?? []) {
      let parsed: ShScript;
      try {
        parsed = parseShell(s.script);
      } catch (e) {
        if (!(e instanceof ShellParseError)) throw e;
        unparsedMakeRuns(s.script, out);
        continue;
      }
      const env = scriptVariables(parsed.calls, s.resolve, parsed.setsOtherwise, s.outer, parsed.otherSets);
      const called = scriptFunctions(parsed.calls, parsed.functions, s.resolve, (t) => parseShell(t).calls);
      let runsMake = false;
      for (const call of parsed.calls.flatMap((c) => called(c) ?? [c])) {
        const words = call.args.map((w) => s.resolve(w, env));
        runsMake =
          readMakeRun(call, words, (w) => s.resolve(w, env), (texts, at) => {
            const w = unwrap(texts, at);
            return w && 'next' in w ? w.next : undefined;
          }, out) || runsMake;
      }
      // What the pipeline sets for the script (a step's `env:`), and what the script exports or sets otherwise (`export APP=api`, a loop: any value).
      const { outer } = s;
      const otherwise = parsed.setsOtherwise;
      if (runsMake) out.ambient.push((name) => outer?.(name) ?? (otherwise.has(name) ? null : undefined));
    }
  }
  return out;
}

/**
 * The make runs of a script the shell parser refused (or of a file too large to read), read as
 * text: each variable named with a value on a line that runs make (`make deploy APP=api`, `APP=api
 * make deploy`) may take any value on make's command line and in its environment, and so may each
 * variable the script assigns anywhere (what it exports); `-e` on such a line, the environment over
 * the Makefile. The safe side of readMakeRun, which reads the values.
 */
function unparsedMakeRuns(text: string, into: MakeOverrides): void {
  for (const line of text.split('\n')) {
    if (!MAKE_RUN.test(line)) continue;
    for (const m of line.matchAll(/(?:^|[\s;&|(`'"])([A-Za-z_][A-Za-z0-9_]*)(?:\+|\?|:{1,3})?=/g)) {
      into.commandLine.set(m[1]!, null);
      into.environment.set(m[1]!, null);
    }
    // Word by word: a pattern `-[a-zA-Z]*e[a-zA-Z]*(?=\s|$)` backtracked over a long option word, O(L²) (12 s on a 100 KB `-eee…=`: review22 R8).
    if (line.split(/\s+/).some((w) => w === '--environment-overrides' || (/^-[a-zA-Z]+$/.test(w) && w.includes('e')))) into.environmentFirst = true;
  }
  const assigned = new Set([...text.matchAll(/(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]!));
  if (assigned.size > 0) into.ambient.push((name) => (assigned.has(name) ? null : undefined));
}

const HINT_JSON =
  'Change the patch to address the native handler (…/readinessProbe/grpc/port, a number), or drop it, and migrate the probe and the patch together by hand; then run the tool again.';
const HINT_MERGE =
  'Change the patch to give the probe grpc: {port: N} with exec: null (or to replace the whole probe), or drop its handler, and migrate the probe and the patch together by hand; then run the tool again.';
const HINT_YQ =
  'Change the expression to address the native handler (.grpc.port, a number), or drop it, and migrate the probe and the command together by hand; then run the tool again.';

const HINT_UNKNOWN =
  'Read the patch the command applies: if it addresses the probe\'s exec (a JSON patch path through …/readinessProbe/exec, a merge patch whose probe keeps exec), change it to address the native handler or drop it, and migrate the probe and the patch together by hand; then run the tool again.';
const HINT_TEXT =
  'Change the command to edit the native handler (grpc.port, a number) or drop it, and migrate the probe and the command together by hand; then run the tool again.';

/** A word with nothing literal in it (`"$PATCH"`, `"$(cat ops.json)"`, `$(PATCH)`): its text is known only at run time. */
function opaque(w: ResolvedWord): boolean {
  return w.unresolved.length > 0 && w.text.replace(/\$\{[^}]*\}|\$\(\.\.\.\)|\$\([A-Za-z_][\w.-]*\)/g, '').trim() === '';
}

/** `$(cat FILE)`, `$(< FILE)`: the file whose text the substitution gives, as written, when literal. */
function catFile(w: ResolvedWord): string | undefined {
  if (w.substitutions?.length !== 1 || !/^\$\(\.\.\.\)$/.test(w.text.trim())) return undefined;
  const m = /^\$\(\s*(?:cat\s+|<\s*)(?:"([^"$`\\]+)"|'([^']+)'|([^\s"'$`\\()|;&<>]+))\s*\)$/.exec(w.substitutions[0]!);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * `$(cat <<'JSON' … JSON)`: the here-document's text, when the substitution is a plain `cat` of it
 * alone and the shell expands nothing in it the tool cannot resolve (its delimiter quoted, or no
 * expansion): what the substitution gives, as `--patch-file /dev/stdin <<'JSON'` is read.
 */
function catHeredoc(w: ResolvedWord): string | undefined {
  if (w.substitutions?.length !== 1 || !/^\$\(\.\.\.\)$/.test(w.text.trim())) return undefined;
  const source = w.substitutions[0]!;
  if (!source.includes('<<') || !source.startsWith('$(')) return undefined;
  const inner = source.slice(2, -1);
  let parsed: ShScript;
  try {
    parsed = parseShell(inner);
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    return undefined;
  }
  const [call] = parsed.calls;
  const [h] = parsed.heredocs;
  if (parsed.calls.length !== 1 || parsed.heredocs.length !== 1 || !call || !h || h.writesTo || h.pipedTo) return undefined;
  const words = call.args.map((a) => resolveWord(a, noEnv));
  if (words[0]?.text !== 'cat' || words.slice(1).some((x) => x.text !== '-') || words.some((x) => x.unresolved.length > 0)) return undefined;
  const body = heredocText(inner, h, noEnv);
  return body.expansions.some((e) => e.value === undefined) ? undefined : body.text;
}

/** A patch word as a message says it: on one line, at most 80 characters (a `$(cat <<'JSON' …)` spans lines). Exported for its timing test. */
export function shownPatch(w: ResolvedWord, otherwise: string): string {
  // Cut first, then each run of blanks one space: `\s*\n\s*` started at each blank of a run and scanned to its end, O(N²) (1.9 s over 60 KB of spaces: review22 R9).
  const written = w.written ?? otherwise;
  const one = written.slice(0, 400).replace(/\s+/g, ' ');
  return one.length > 80 || written.length > 400 ? `${one.slice(0, 77)}...` : one;
}

/** A kubectl patch's text (`-p`, `-p "$(cat FILE)"`, `-p "$(cat <<'JSON' …)"`, `--patch-file`); undefined when known only at run time. */
function patchTextOf(opts: Map<string, ResolvedWord[]>, place: Place): string | undefined {
  const patch = opts.get('-p')?.[0] ?? opts.get('--patch')?.[0];
  const file = opts.get('--patch-file')?.[0];
  const heredoc = patch ? catHeredoc(patch) : undefined;
  if (heredoc !== undefined) return heredoc;
  const cat = patch ? catFile(patch) : undefined;
  if (patch && cat === undefined) return opaque(patch) ? undefined : patch.text;
  const name = cat ?? (file && file.unresolved.length === 0 ? file.text : undefined);
  return name === undefined ? undefined : fileText(name, place);
}

function commandHolds(words: ResolvedWord[], at: string, place: Place): PatchHold[] {
  // The tool as the env reader reads it too (commandTool): kubectl through its wrappers (`microk8s kubectl`, `kubecolor`, `minikube kubectl --`).
  const command = commandTool(words);
  const name = command?.tool;
  if (name === 'yq' || name === 'jq') return yqHolds(command!.args, at, place, name);
  if (name === 'sed' || name === 'perl') return textEditHolds(command!.args, at, place, name);
  if (name !== 'kubectl' && name !== 'oc') return [];
  // Options (kubectl's global ones too) may come before and after `patch`.
  const { opts, operands } = kubectlArgs(command!.args, PATCH_VALUED);
  const verb = operands[0]?.text;
  if (verb !== 'patch' && verb !== 'get') return [];
  const targets = operands.slice(1);
  // What the command patches (or reads): `TYPE NAME`, `TYPE/NAME` (several), or `-f FILE` (its objects).
  const files = (opts.get('-f') ?? opts.get('--filename'))?.map((f) => (f.unresolved.length === 0 ? readings(f.text, place) : undefined));
  const base = { at, ...(files && !files.some((f) => f === undefined) ? { files: files.flat() as string[] } : {}) };
  const objects = kubectlObjects(targets, opts, place.xargs === true);
  // `kubectl get deploy web -o jsonpath='{…readinessProbe.exec.command[1]}'`: a read of the exec by path, empty once the probe is native (a read of httpGet was empty before too).
  if (verb === 'get') {
    const outputs = [...opts].filter(([k]) => k === '-o' || k === '--output' || k === '--template' || /^-o[a-z]/.test(k)).flatMap(([k, v]) => [k, ...v.map((w) => w.text)]);
    const reads = outputs.flatMap((o) => [...o.matchAll(/((?:readiness|liveness|startup)Probe)\}{0,2}\.(exec)\b/g)]);
    return reads.flatMap((m) =>
      objects.map((o) => ({
        ...base,
        ...o,
        probe: m[1]!,
        what: `reads this probe's ${m[2]} with kubectl get (${m[0]})`,
        breaks: 'once the probe is native that path is empty: the read gets nothing (a check on it fails)',
        hint: 'Change the read to the native handler (…readinessProbe.grpc.port), or drop it, and migrate the probe and the command together by hand; then run the tool again.',
      })),
    );
  }
  const { run } = place;
  const type = (opts.get('--type')?.[0]?.text ?? 'strategic').toLowerCase();
  const patch = opts.get('-p')?.[0] ?? opts.get('--patch')?.[0];
  const patchFile = opts.get('--patch-file')?.[0];
  let text: string | undefined;
  // What the patch is when its text is known only at run time (a variable, an unread file), as written.
  let unknown: string | undefined;
  if (patch) {
    const cat = catFile(patch);
    const heredoc = cat === undefined ? catHeredoc(patch) : undefined;
    if (heredoc !== undefined) text = heredoc;
    else if (cat !== undefined) {
      text = fileText(cat, place);
      if (text === undefined) unknown = `the patch ${shownPatch(patch, patch.text)}, ${unread(cat, place, 'from a file not found here')}`;
    } else if (opaque(patch)) unknown = `the patch ${shownPatch(patch, patch.unresolved.join(' '))}, known only at run time`;
    else text = patch.text;
  } else if (patchFile) {
    text = patchFile.unresolved.length === 0 ? fileText(patchFile.text, place) : undefined;
    if (text === undefined) unknown = patchFile.unresolved.length === 0 ? `--patch-file ${patchFile.text}, ${unread(patchFile.text, place, 'a file not found here')}` : `--patch-file ${patchFile.written ?? patchFile.text}, known only at run time`;
  }
  if (text === undefined && unknown === undefined) return [];
  const holds: Omit<PatchHold, 'at' | 'files' | 'kind' | 'name'>[] =
    text === undefined
      ? [{ what: `patches this probe's object with kubectl (${unknown}; it may address the probe's exec)`, breaks: 'once the probe is native, a JSON patch op on its exec fails and a merge patch that keeps exec gives it two handlers, which the API server rejects', hint: HINT_UNKNOWN }]
      : type === 'json'
        ? jsonPatchHolds(text)
        : mergePatchHolds(text, type === 'merge', place.abs, run);
  return holds.flatMap((h) => objects.map((o) => ({ ...base, ...o, ...h })));
}

/**
 * A relative path as the command may read it: from the script's folder, the repository's root,
 * the run's folder, and the folders a `cd` before it went to; undefined after a `cd` to a folder
 * known only at run time (any file). Undefined too for what the command reads that the tool must
 * not open, and cannot know: its standard input (`-`, `/dev/stdin`, `/dev/fd/0`,
 * `/proc/self/fd/0`: opened here, the tool's own, which blocks on a terminal), a device, and any
 * absolute path outside the repository (the host the script runs on has its own).
 */
function readings(p: string, place: Place): string[] | undefined {
  if (p === '-' || (path.isAbsolute(p) && !inRepository(path.normalize(p), place.abs, place.run))) return undefined;
  // A relative path that climbs out of the repository (`../outside/patch.json`) is the deploy
  // host's file, as an absolute one is: known only at run time (review20 #3).
  const inside = (fs: string[]) => {
    const kept = fs.filter((f) => inRepository(f, place.abs, place.run));
    return kept.length > 0 ? kept : undefined;
  };
  const out = path.isAbsolute(p) ? [path.normalize(p)] : place.dirs === null ? undefined : inside([...new Set(place.dirs.map((d) => path.resolve(d, p)))]);
  if (out === undefined || !/[*?[]/.test(p)) return out;
  // A glob (`k8s/*.yaml`, `deploy/*/web-?.yml`): the repository's files the shell expands it to.
  const globs = out.map(globRegExp);
  return place.run.repositoryFiles().filter((f) => globs.some((re) => re.test(f)));
}

/** Whether an absolute path lies in the run's folder or in the repository holding the script (not `/dev`, `/proc`, `/tmp`, …). */
function inRepository(abs: string, script: string, run: RunContext): boolean {
  if (abs.startsWith('/dev/') || abs.startsWith('/proc/')) return false;
  const within = (root: string) => abs === root || abs.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  if (within(run.cwd)) return true;
  const root = enclosingRepository(path.dirname(script));
  return root !== undefined && root !== path.parse(root).root && within(root);
}

/** Why a file a command reads is not read: its standard input, a path outside the repository (the deploy host's), or no such file here. */
function unread(name: string, place: Place, missing: string): string {
  if (STDIN_FILE.test(name)) return "the command's standard input, known only at run time";
  if (place.dirs !== null && readings(name, place) === undefined) return "a file outside the repository (the deploy host's), known only at run time";
  return missing;
}

/** The names of a command's standard input as a file operand: kubectl and yq read the script's here-document (or pipe) there. */
const STDIN_FILE = /^(?:-|\/dev\/stdin|\/dev\/fd\/0|\/proc\/(?:self|thread-self)\/fd\/0)$/;

/** The text of a file a command reads (a patch, a yq expression): its standard input's when the script shows it (Place.stdin), else the first of its readings found; undefined when known only at run time. */
function fileText(name: string, place: Place): string | undefined {
  if (STDIN_FILE.test(name)) return place.stdin;
  return readings(name, place)
    ?.map((f) => place.run.readText(f))
    .find((t) => t !== undefined);
}

/** A shell glob over an absolute path as a regular expression: `*` and `?` within a folder, `[…]` (`[!…]`) a character class. */
function globRegExp(glob: string): RegExp {
  const sep = path.sep === '/' ? '/' : '\\\\/';
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const close = c === '[' ? glob.indexOf(']', i + 2) : -1;
    if (c === '*') re += `[^${sep}]*`;
    else if (c === '?') re += `[^${sep}]`;
    else if (close !== -1) {
      const body = glob.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      re += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The probe key and its key path of a JSON pointer into a probe's handler (`/spec/…/containers/0/readinessProbe/exec/command/1`). */
function pointerProbe(pointer: string): { probe?: string; keyPath?: string; handler: string; whole: boolean } | undefined {
  const segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let i = segs.findIndex((s) => PROBE_KEY.test(s));
  // A probe key known only at run time (`/…/${probe}/exec/…`, `${{ inputs.probe }}`): any probe key, before a handler.
  if (i === -1) i = segs.findIndex((s, k) => s.includes('$') && ['exec', 'httpGet', 'tcpSocket'].includes(segs[k + 1] ?? ''));
  if (i === -1 || segs[i + 1] === undefined) return undefined;
  if (!PROBE_KEY.test(segs[i]!)) return { handler: segs[i + 1]!, whole: segs.length === i + 2 };
  let keyPath: string | undefined = '';
  for (const s of segs.slice(0, i + 1)) {
    if (/^\d+$/.test(s)) keyPath += `[${s}]`;
    else if (s === '-' || s === '' || /[.[\]$]/.test(s)) {
      keyPath = undefined;
      break;
    } else keyPath += keyPath ? `.${s}` : s;
  }
  return { probe: segs[i]!, ...(keyPath !== undefined ? { keyPath } : {}), handler: segs[i + 1]!, whole: segs.length === i + 2 };
}

function jsonPatchHolds(text: string): Omit<PatchHold, 'at'>[] {
  const ops = patchData(text);
  // What could not be read (variables in the JSON, broken quoting): its pointers, as written.
  const list: { op?: unknown; path?: unknown; from?: unknown }[] = Array.isArray(ops)
    ? ops.filter((o): o is Record<string, unknown> => typeof o === 'object' && o !== null)
    : [...text.matchAll(/"(path|from)"\s*:\s*"([^"]*)"/g)].map((m) => ({ [m[1]!]: m[2] }));
  const out: Omit<PatchHold, 'at'>[] = [];
  for (const op of list) {
    for (const pointer of [op.path, op.from]) {
      if (typeof pointer !== 'string') continue;
      const p = pointerProbe(pointer);
      if (!p) continue;
      const verb = typeof op.op === 'string' ? op.op : 'an';
      if (p.handler === 'exec') {
        out.push({ ...(p.probe !== undefined ? { probe: p.probe } : {}), ...(p.keyPath !== undefined ? { keyPath: p.keyPath } : {}), what: `patches this probe's exec with kubectl (a JSON patch ${verb} op at ${pointer})`, breaks: verb === 'add' && p.whole ? 'beside a native grpc handler the exec it adds makes two handlers, which the API server rejects' : 'once the probe is native that path is gone, so the op fails', hint: HINT_JSON });
      } else if ((p.handler === 'httpGet' || p.handler === 'tcpSocket') && (verb === 'add' || verb === 'an')) {
        out.push({ ...(p.probe !== undefined ? { probe: p.probe } : {}), ...(p.keyPath !== undefined ? { keyPath: p.keyPath } : {}), what: `adds ${p.handler} to this probe with kubectl (a JSON patch ${verb} op at ${pointer})`, breaks: 'beside a native grpc handler that makes two handlers, which the API server rejects', hint: HINT_JSON });
      }
    }
  }
  return out;
}

/**
 * A strategic-merge (kubectl's default) or JSON merge patch: its probes merge into the object's,
 * so one that keeps exec (or sets httpGet, tcpSocket) would sit beside grpc. A JSON merge patch
 * replaces a list whole: a probe in a container list there replaces the containers, not merges.
 */
function mergePatchHolds(text: string, jsonMerge: boolean, script: string, run: RunContext): Omit<PatchHold, 'at'>[] {
  const parsed = parseYaml(text);
  const kind = jsonMerge ? 'a JSON merge patch' : 'a strategic merge patch';
  if (parsed.error || !parsed.docs[0]) {
    // Unread (variables in it, broken quoting): a probe key with exec in it is taken at its word.
    const m = /((?:readiness|liveness|startup)Probe)\W{0,12}exec\b/.exec(text);
    return m ? [{ probe: m[1]!, what: `patches this probe with kubectl (${kind} that names its exec, read as written)`, breaks: 'merged over a native probe, its exec would sit beside grpc: two handlers, which the API server rejects', hint: HINT_MERGE }] : [];
  }
  return keptHandlers(text, parsed.docs[0], run, { absPath: script, rewritten: false })
    .filter((k) => !(jsonMerge && k.keyPath.includes('[')))
    .map((k) => ({
      probe: k.probe,
      ...(k.container !== undefined ? { container: k.container } : {}),
      ...(containerListOf(k.keyPath) !== undefined ? { containerList: containerListOf(k.keyPath)! } : {}),
      what: `patches this probe with kubectl (${kind} that ${k.kept})`,
      breaks: 'merged over a native probe it would give it two handlers, which the API server rejects',
      hint: HINT_MERGE,
    }));
}

/**
 * `yq -i '.spec.template.spec.containers[0].readinessProbe.exec.command[1] = "…"' k8s/deploy.yaml`,
 * or a read of it; `jq` the same on a JSON manifest. A path split by an update form
 * (`.…readinessProbe |= (.exec.command[1] = …)`, `with(.…readinessProbe; .exec…)`) is read as
 * one: a probe key and an `.exec` (`.httpGet`, `.tcpSocket`) segment in the same expression.
 */
function yqHolds(words: ResolvedWord[], at: string, place: Place, tool: 'yq' | 'jq'): PatchHold[] {
  const out: PatchHold[] = [];
  // `--from-file ops/probe.yq` (`--from-file=…`, jq's `-f ops/probe.jq`): the expression is that file's text.
  const { from, expression } = expressionFile(words, tool, (p) => fileText(p, place));
  // Bracket keys (`["readinessProbe"]["exec"]`, `."exec"`) read as dotted ones.
  const dotted = (t: string) => t.replace(/\[\s*(["'])([A-Za-z_][\w-]*)\1\s*\]/g, '.$2').replace(/\."([A-Za-z_][\w-]*)"/g, '.$1');
  const operands = [...words.filter((w) => !w.text.startsWith('-') && w !== from), ...(expression !== undefined ? [{ text: expression, unresolved: [] }] : [])].map((w) => ({ ...w, text: dotted(w.text) }));
  const files = operands.filter((w) => /\.(?:ya?ml|json)$/i.test(w.text));
  const read = files.length > 0 && files.every((f) => f.unresolved.length === 0) ? files.map((f) => readings(f.text, place)) : undefined;
  const fileReadings = read && !read.some((r) => r === undefined) ? (read.flat() as string[]) : undefined;
  const probePath = /((?:\.[A-Za-z_][\w-]*|\[\d+\])*)\.((?:readiness|liveness|startup)Probe)\b/g;
  for (const w of operands) {
    let found = false;
    for (const m of w.text.matchAll(/((?:\.[A-Za-z_][\w-]*|\[\d+\])*)\.((?:readiness|liveness|startup)Probe)\.(exec|httpGet|tcpSocket)\b/g)) {
      found = true;
      const before = m.index === 0 ? '' : w.text[m.index - 1]!;
      const prefix = m[1]!;
      const keyPath = prefix !== '' && /^\.[A-Za-z_]/.test(prefix) && /^$|[\s|(=;,]/.test(before) ? `${prefix.slice(1)}.${m[2]}` : undefined;
      out.push({
        at,
        probe: m[2]!,
        ...(keyPath !== undefined ? { keyPath } : {}),
        ...(fileReadings ? { files: fileReadings } : {}),
        what: `addresses this probe's ${m[3]} with ${tool} (${m[0].slice(prefix.length + 1)})`,
        breaks: m[3] === 'exec' ? 'once the probe is native that path is empty: a read gets null, a write adds exec beside grpc (two handlers, which the API server rejects)' : 'a write there adds a handler beside grpc: two handlers, which the API server rejects',
        hint: HINT_YQ,
      });
    }
    const handler = /\.(exec|httpGet|tcpSocket)\b|\["(exec|httpGet|tcpSocket)"\]|has\(\s*"(exec|httpGet|tcpSocket)"\s*\)/.exec(w.text);
    if (found || !handler) continue;
    // Recursive descent (`.. | select(has("exec")) | .exec.command[1]`): any probe's handler of the files.
    if (!probePath.test(w.text) && /(?:^|[\s(|=])\.\.(?=[\s|)]|$)/.test(w.text)) {
      const name = handler[1] ?? handler[2] ?? handler[3];
      out.push({
        at,
        ...(fileReadings ? { files: fileReadings } : {}),
        what: `addresses any probe's ${name} with ${tool} (recursive descent .. to ${handler[0]})`,
        breaks: 'once the probe is native that path is empty: a read gets null, a write adds a handler beside grpc (two handlers, which the API server rejects)',
        hint: HINT_YQ,
      });
      continue;
    }
    probePath.lastIndex = 0;
    // The update forms: the probe's path, then its handler's in another part of the expression.
    const seen = new Set<string>();
    for (const m of w.text.matchAll(probePath)) {
      const before = m.index === 0 ? '' : w.text[m.index - 1]!;
      const prefix = m[1]!;
      const keyPath = prefix !== '' && /^\.[A-Za-z_]/.test(prefix) && /^$|[\s|(=;,]/.test(before) ? `${prefix.slice(1)}.${m[2]}` : undefined;
      if (seen.has(`${m[2]}|${keyPath}`)) continue;
      seen.add(`${m[2]}|${keyPath}`);
      out.push({
        at,
        probe: m[2]!,
        ...(keyPath !== undefined ? { keyPath } : {}),
        ...(fileReadings ? { files: fileReadings } : {}),
        what: `addresses this probe's ${handler[1] ?? handler[2]} with ${tool} (${m[0].slice(prefix.length + 1)} … ${handler[0]})`,
        breaks: 'once the probe is native that path is empty: a read gets null, a write adds a handler beside grpc (two handlers, which the API server rejects)',
        hint: HINT_YQ,
      });
    }
  }
  return out;
}

/**
 * `sed -i 's/-addr=:50051/-addr=:${PORT}/' k8s/deploy.yaml`, `perl -pi -e '…' k8s/deploy.yaml`,
 * `sed … k8s/deploy.yaml | kubectl apply -f -`: a text edit of a manifest whose expression names
 * the binary, its `-addr`, a probe key or `exec` follows the probe's exec text; once the probe is
 * native it no longer matches (the probe's port stays while the server's moves). It holds the
 * probes of the files it edits (any, when a file is known only at run time).
 */
function textEditHolds(words: ResolvedWord[], at: string, place: Place, tool: 'sed' | 'perl'): PatchHold[] {
  const inPlace = words.some((w) => /^-[a-zA-Z]*i/.test(w.text) || w.text.startsWith('--in-place'));
  // A read (`sed -n '/readinessProbe/,+3p' f`, `perl -ne 'print if …'`) edits nothing; perl writes only with -i.
  if (!inPlace && (tool === 'perl' || words.some((w) => /^-[a-zA-Z]*n[a-zA-Z]*$/.test(w.text) || w.text === '--quiet' || w.text === '--silent'))) return [];
  const probeText = words.find((w) => !/\.(?:ya?ml|json)$/i.test(w.text) && /grpc_health_probe|-addr\b|(?:readiness|liveness|startup)Probe\b|\bexec\b/.test(w.text));
  // Else an edit of an env entry's value (`s/value: "50051"/value: "9090"/`) a probe's command may read (src/kubernetes/env-commands.ts).
  const envText = probeText ? undefined : words.find((w) => !w.text.startsWith('-') && !/\.(?:ya?ml|json)$/i.test(w.text) && textEditEnv(w.text, tool, false) !== undefined);
  const named = probeText ?? envText;
  if (!named) return [];
  const operands = words.filter((w) => w !== named && !w.text.startsWith('-'));
  const files = operands.filter((w) => /\.(?:ya?ml|json)$/i.test(w.text) || (inPlace && (w.unresolved.length > 0 || /[*?]/.test(w.text))));
  // Through xargs or `find … -exec … {}`: the files come at run time (any file).
  if (inPlace && place.xargs) files.push({ text: '{}', unresolved: ['{}'] });
  if (files.length === 0) return [];
  // On a file known only at run time (`"$f"`), `exec` alone is an entrypoint script's word as much as a probe's: the binary, -addr or a probe key must be named.
  const anyFile = files.some((f) => f.unresolved.length > 0);
  if (anyFile && probeText && !/grpc_health_probe|-addr\b|(?:readiness|liveness|startup)Probe\b/.test(named.text)) return [];
  const read = files.map((f) => (f.unresolved.length === 0 ? readings(f.text, place) : undefined));
  const shown = named.written ?? named.text;
  if (envText) {
    const env = textEditEnv(named.text, tool, anyFile);
    return env ? [{ at, ...(read.some((r) => r === undefined) ? {} : { files: read.flat() as string[] }), ...env }] : [];
  }
  return [
    {
      at,
      ...(read.some((r) => r === undefined) ? {} : { files: read.flat() as string[] }),
      what: `edits this probe's text with ${tool} (${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown})`,
      breaks: 'once the probe is native the expression no longer matches it: the probe stops following what the command changes (its port, its arguments)',
      hint: HINT_TEXT,
    },
  ];
}

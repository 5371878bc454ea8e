/**
 * What the manifest rules (kubernetes-exec-probe, kubernetes-json-probe) import when they meet
 * their first candidate: one dynamic import of this module rather than several in parallel
 * (modules they share would then be linked by two imports at once, which jest's ESM loader
 * cannot do).
 */
import { READS_REPOSITORY } from '../classify.js';
import type { Document, ParsedNode } from 'yaml';
import { targetClusters } from '../analysis/native-probe.js';
import { helmValuesOf } from '../helm/chart.js';
import { valuesStringReports } from '../helm/values-strings.js';
import { json6902ProbeKey, relabelPartialOps } from '../kustomize/json6902.js';
import { controllerPatchReports } from '../kustomize/kustomization.js';
import { isStrategicMergePatch, keepForOverlays } from '../kustomize/overlays.js';
import { patchProbeContext } from '../kustomize/patch-targets.js';
import { relabelTransformerPatches } from '../kustomize/transformers.js';
import type { FileContext, Report, RunContext, SourceFile } from '../types.js';
import { keepForCompositionPatches } from './composition.js';
import { crdProbeSchema } from './crd-schemas.js';
import { appliedNamespaces, hasLinkerdServer, namespaceMeta } from './namespaces.js';
import { keepForGoReaders } from './go-readers.js';
import { relabelGoReleaser } from './goreleaser.js';
import { chartObjects, keepForPatchCommands, manifestObject } from './patch-commands.js';
import { relabelWorkflowContainers } from './workflow-services.js';
import { findProbeReports, type Pipeline } from './probes.js';
import { keepForYttOverlays } from '../ytt/overlays.js';
import { keepForPartialManifests, type HeldElsewhere } from './partial-manifests.js';
import { relabelSkaffoldTargets } from '../analysis/build-targets.js';
import { fluxArgv, fluxFolderOf } from '../kustomize/flux-substitute.js';
import { manifestStringReports } from './manifest-strings.js';

export { parseYaml, yamlErrorReport } from '../parse/yaml.js';
export { manifestStringReports } from './manifest-strings.js';

/** A GitLab CI config: `.gitlab-ci.yml` (or a name ending so), or a YAML file under a `.gitlab/` folder (local includes). */
function isGitLabCi(abs: string): boolean {
  const parts = abs.split(/[\\/]/);
  return /(^|\.)gitlab-ci\.ya?ml$/.test(parts[parts.length - 1] ?? '') || parts.slice(0, -1).includes('.gitlab');
}
/** A pipeline file whose steps' commands the manifest walk reads as scripts (src/kubernetes/probes.ts), by its name. */
function pipelineOf(abs: string): Pipeline | undefined {
  const parts = abs.split(/[\\/]/);
  const base = parts[parts.length - 1] ?? '';
  const dirs = parts.slice(0, -1);
  if (/^\.?drone\.ya?ml$/.test(base)) return 'drone';
  if (/^\.woodpecker\.ya?ml$/.test(base) || (dirs.includes('.woodpecker') && /\.ya?ml$/.test(base))) return 'woodpecker';
  if (/^buildkite\.ya?ml$/.test(base) || (dirs.includes('.buildkite') && /\.ya?ml$/.test(base))) return 'buildkite';
  if (/^[Tt]askfile(?:\.dist)?\.ya?ml$/.test(base)) return 'taskfile';
  if (base === 'devcontainer.json' || base === '.devcontainer.json') return 'devcontainer';
  return undefined;
}
export { findProbeReports } from './probes.js';
export { preparePatchHolds } from './patch-commands.js';
export { stdinKind as textKind } from '../stdin.js';

/**
 * The probes of a parsed manifest file, reported as both manifest rules report them: a chart's
 * values follow its kubeVersion and merge as Helm merges them; Kustomize patches merge into their
 * bases, and JSON 6902 ops name the probes they replace; a Crossplane Composition's patches into
 * a base's probe hold it on exec; so does Go code that embeds the file and reads a probe's Exec,
 * and a script's command that patches or reads a probe's exec by path (kubectl patch, yq).
 */
export function reportManifestProbes(ctx: FileContext, run: RunContext, docs: readonly Document.Parsed<ParsedNode, true>[], style: 'yaml' | 'json'): void {
  const { text, eol } = ctx.file;
  const values = helmValuesOf(ctx.file, docs, run);
  const smp = isStrategicMergePatch(ctx.file.path, run);
  // A Kustomize patch's probes run in the objects it is applied to: hostNetwork, env and mesh come from there.
  const patch = patchProbeContext(ctx.file.path, run);
  const reports = findProbeReports({
    text,
    docs,
    eol,
    ...targetClusters(run.options),
    style,
    extraBlockers: values.extraBlockers,
    ...(values.renderedTimeout ? { renderedTimeout: values.renderedTimeout } : {}),
    probeKey: json6902ProbeKey,
    mergePatch: smp || values.mergePatch,
    // A strategic-merge patch merges its grpc map key by key over the base probe's, which may name
    // a service (migrated from -service in the same run, or written by hand): say service: "".
    ...(smp ? { baseService: () => true } : values.baseService ? { baseService: values.baseService } : {}),
    ...(!smp && values.baseHandlers ? { baseHandlers: values.baseHandlers } : {}),
    customResourceSchema: (resource, keyPath) => crdProbeSchema(run, resource, keyPath),
    namespaceMeta: (name) => namespaceMeta(run, name),
    appliedNamespaces: () => appliedNamespaces(run, ctx.file.path),
    linkerdServers: () => hasLinkerdServer(run),
    ...(patch ? { builtContext: patch.builtContext } : {}),
    // `${GRPC_PORT}` that a Flux Kustomization building the file fills in (src/kustomize/flux-substitute.ts):
    // in a manifest, whose own object says whether Flux substitutes in it (not a patch's, not values).
    ...(!smp && ctx.file.kind !== 'helm-values' ? { fluxSubstitution: (root: unknown, argv: readonly string[]) => fluxArgv(ctx.file.path, root, argv, run) } : { fluxFolder: () => fluxFolderOf(ctx.file.path, run) }),
    ...(isGitLabCi(ctx.file.path) ? { gitlabCi: true } : {}),
    ...(pipelineOf(ctx.file.path) ? { pipeline: pipelineOf(ctx.file.path)! } : {}),
  });
  // The `patches[].patch` strings of a Flux Kustomization, an Argo CD Application's kustomize
  // source or a Flux HelmRelease's post-renderer: their probes are read as a kustomization's inline patches are.
  const flux = controllerPatchReports(ctx.file, docs, run);
  // Helm values strings a release reads (a ConfigMap its valuesFrom names, a HelmChart's valuesContent): read as its values.
  const strings = valuesStringReports(ctx.file, docs, run);
  // Manifests written as strings (a kapp-controller App's inline files, a ConfigMap's pod template): read as manifests.
  const manifests = manifestStringReports(ctx.file, docs, run, [...flux.ranges, ...strings.ranges]);
  const inStrings = (r: { start: number }) => [...flux.ranges, ...strings.ranges, ...manifests.ranges].some(([s, e]) => r.start >= s && r.start < e);
  const built = [...(patch ? reports.map(patch.finish) : reports).filter((r) => !inStrings(r)), ...flux.reports, ...strings.reports, ...manifests.reports];
  // A values file's probes render into the chart's objects.
  let chart: ReturnType<typeof chartObjects> | undefined;
  const object = ctx.file.kind === 'helm-values' && ctx.file.path !== '' ? () => (chart ??= chartObjects(ctx.file.path, run)) : manifestObject(docs);
  // What the file's findings become once the rest of the repository is read: relabellings of the
  // whole list, then each finding held, in this order, by what may keep its probe on exec elsewhere.
  const relabellings: ((rs: Report[]) => Report[])[] = [
    (rs) => relabelGoReleaser(rs, docs, ctx.file, run),
    (rs) => relabelSkaffoldTargets(rs, docs, text, run, READS_REPOSITORY.has(ctx.file.kind)),
    ...[relabelWorkflowContainers, relabelPartialOps, relabelTransformerPatches, keepForCompositionPatches].map((f) => (rs: Report[]) => f(rs, docs)),
  ];
  const relabelled = relabellings.reduce((rs, f) => f(rs), built);
  const holds: ((r: Report) => Report)[] = [
    (r) => keepForGoReaders(r, ctx.file, run),
    (r) => keepForPatchCommands(r, ctx.file, run, object),
    (r) => keepForOverlays(r, ctx.file, run),
    // A report already held (no fix) keeps its own hint: the loose values' hint speaks of the lines a fix adds (a kubectl patch file held by its command: hunt14 A7).
    (r) => (r.fix || r.hint === undefined ? values.keep(r) : { ...values.keep(r), hint: r.hint }),
    (r) => keepForYttOverlays(r, ctx.file, docs, run),
    (r) => keepForPartialManifests(r, ctx.file, docs, run, (file, fileDocs) => heldElsewhere(file, fileDocs, run)),
  ];
  for (const r of relabelled) ctx.report(holds.reduce((held, hold) => hold(held), r));
}

/** The holds above for another plain manifest (one of the same object: src/kubernetes/partial-manifests.ts), all but its own. */
function heldElsewhere(file: SourceFile, docs: Parameters<HeldElsewhere>[1], run: RunContext): (r: Report) => Report {
  const object = manifestObject(docs);
  const holds: ((r: Report) => Report)[] = [
    (r) => keepForGoReaders(r, file, run),
    (r) => keepForPatchCommands(r, file, run, object),
    (r) => keepForOverlays(r, file, run),
    (r) => keepForYttOverlays(r, file, docs, run),
  ];
  return (r) => holds.reduce((held, hold) => hold(held), r);
}

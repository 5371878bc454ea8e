/**
 * What Kustomize overlays need from the base probes they patch. Two kinds of patch merge into a
 * base probe rather than replace it, so migrating the base alone can break the overlay:
 * - a JSON 6902 op whose path reaches inside a probe (`…/readinessProbe/exec/command`): the op
 *   needs the base probe to keep its `exec`, or `kustomize build` fails;
 * - a strategic-merge patch (SMP), whose probe fields merge into the base probe's: a patch probe
 *   that keeps a handler other than grpc (an `exec` the tool does not migrate in this run, an
 *   `httpGet`, a `tcpSocket`) would sit beside a migrated base's `grpc`, and the API server
 *   rejects a probe with two handlers. (A patch probe the tool migrates is safe whatever its base
 *   holds: it gets `exec: null`, see ProbeWalkOptions.mergePatch.)
 * Such base probes stay on exec, blocked `overlay-patch`, naming the overlay. Computed once per
 * run, from the kustomizations among the repository's files (run.repositoryFiles(): a partial
 * view reads those outside it too), following `resources` to local files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Document, Pair, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq, visit } from '../parse/yaml-lib.js';
import { fluxReleaseInstalls } from '../helm/releases.js';
import { heldReport } from '../kubernetes/held-report.js';
import { keptHandlers, tunedTimeouts } from '../kubernetes/merge-holds.js';
import { filesOfRun, repositoryFolders } from '../run-files.js';
import { targetClusters } from '../analysis/native-probe.js';
import { containerContext, findProbeReports, GO_YAML_FALSE, GO_YAML_TRUE } from '../kubernetes/probes.js';
import { enclosingRepository } from '../discover/scope.js';
import { getPair, keyOf, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { blockScalarView } from './block-scalar.js';
import { PATCH_TRANSFORMER } from './transformers.js';
import { patchedDocuments, patchedObjects, patchProbeContext } from './patch-targets.js';
import { loopbackItems, MAY_NAME_LOOPBACK, type LoopbackItem } from '../analysis/loopback-listen.js';
import { containerSteps, listenView, writeId, type BuildStep, type ContainerWrite } from './built-containers.js';
import { namedFiles } from '../discover/names.js';
import { CONTROLLER_PATTERN, filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../discover/grep.js';
import { controllerLists } from './controllers.js';
import { lineAt as lineOfOffset } from '../analysis/ci-pipelines.js';

/** A base probe an overlay needs kept on exec. */
export interface OverlayHold {
  /** The kustomization that applies the patch (absolute). */
  kustomization: string;
  /**
   * A JSON 6902 op inside the probe, a strategic-merge patch's handler, a replacement that reads
   * or writes the probe's handler, or something that sets the container's env (the probe's
   * command may read it: `-addr=:$(GRPC_PORT)`), or that puts the pod on the host's network
   * (a probe whose -addr dials the local host is blocked there, see planNativeProbe), or that
   * makes a container of the pod listen only on loopback at the probe's port (listenHolds).
   */
  kind: 'json6902' | 'merge' | 'replacement' | 'env' | 'values' | 'hostNetwork' | 'timeout' | 'unreadable' | 'listen';
  /** The probe key; undefined for an env hold (any probe that reads the variables). */
  probe?: string;
  /** The container the patch names (SMP); undefined: any container (a JSON 6902 path). */
  container?: string;
  /** values holds: where the probe sits in a values file of a `helmCharts` entry (`server.readinessProbe`). */
  keyPath?: string;
  /** env holds: the variables set; undefined: any (an op on a list index, a replaced list). */
  envNames?: string[];
  /**
   * hostNetwork holds: what the overlay sets it to. true (the default) holds a probe whose -addr
   * dials the local host; false (set false, removed) one that dials the downward API's
   * status.hostIP, the pod's IP only on the host's network; 'unknown' (a value the tool does not
   * read) both.
   */
  sets?: boolean | 'unknown';
  /**
   * hostNetwork holds: the patch writes the pod spec (or a map above it) whole, so the probes under
   * it are gone from what it builds and it holds none; what it writes counts for the probes that
   * patches applied after it write (patch-targets.ts).
   */
  whole?: boolean;
  /** timeout holds: the timeoutSeconds the overlay sets, which a probe whose flags ask for more cannot keep. */
  timeoutSeconds?: number;
  /**
   * listen holds: the containers the patch writes args, command or env of (or adds), read against
   * a probe's port as the probe's own container is (src/analysis/loopback-listen.ts): one that
   * listens only on loopback there holds every probe of the pod on that port (hunt19 B3).
   */
  listeners?: PatchListener[];
  /**
   * listen holds: the documents the patch is applied to, by file, for the files the overlay builds
   * objects from (patch-targets.ts); a file not in it (another patch's) is not narrowed.
   */
  objects?: Map<string, Set<number>>;
  /** The patch it comes from (and its range, inline): a patch's env does not hold its own probes, which read it. */
  source?: { file: string; range?: [number, number] };
  /** Why, as a clause: "… patches inside it (/spec/…)". */
  why: string;
}

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * Whether a path names a kustomization file. Asked of every file of the repository: the ending is
 * tested before path.basename, which cost ~10 ms over 25k paths in a pre-commit run.
 */
export function isKustomizationPath(f: string): boolean {
  return (f.endsWith('ustomization.yaml') || f.endsWith('ustomization.yml') || f.endsWith('Kustomization')) && KUSTOMIZATION_NAMES.includes(path.basename(f));
}
const HANDLERS = new Set(['exec', 'httpGet', 'tcpSocket', 'grpc']);
const holdsByRun = new WeakMap<RunContext, Map<string, OverlayHold[]>>();

/** A patch a kustomization applies: its text, and where that text lives. */
export interface PatchEntry {
  text: string;
  /** The patch file, or the kustomization itself for an inline patch (absolute). */
  file: string;
  /** patchesJson6902 entries are op lists whatever they look like. */
  json6902: boolean;
  /** The tool can rewrite it: a file, or an inline literal block (kustomization.ts refuses the others). */
  editable: boolean;
  /** An inline patch's range in the kustomization. */
  range?: [number, number];
  /** The entry's `target:` selector (kind, name, namespace, labelSelector…): the objects it is applied to. */
  target?: YAMLMap;
}

/** The patches of a kustomization: `patches`, `patchesJson6902`, `patchesStrategicMerge`; inline or by path. */
export function patchEntries(kustomization: string, root: YAMLMap, run: RunContext): PatchEntry[] {
  const dir = path.dirname(kustomization);
  const out: PatchEntry[] = [];
  const byPath = (ref: string, json6902: boolean, target?: YAMLMap) => {
    const file = path.resolve(dir, ref);
    const text = run.readText(file);
    if (text !== undefined) out.push({ text, file, json6902, editable: true, ...(target ? { target } : {}) });
  };
  for (const key of ['patches', 'patchesJson6902']) {
    const list = getPair(root, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isMap(item)) continue;
      const inline = getPair(item, 'patch')?.value;
      const ref = getPair(item, 'path')?.value;
      const target = getPair(item, 'target')?.value;
      const selector = isMap(target) ? target : undefined;
      if (isScalar(inline) && typeof inline.value === 'string') out.push({ ...inlineEntry(inline, kustomization, key === 'patchesJson6902'), ...(selector ? { target: selector } : {}) });
      if (isScalar(ref) && typeof ref.value === 'string') byPath(ref.value, key === 'patchesJson6902', selector);
    }
  }
  const smp = getPair(root, 'patchesStrategicMerge')?.value;
  if (isSeq(smp)) {
    for (const item of smp.items) {
      if (!isScalar(item) || typeof item.value !== 'string') continue;
      // An entry is a path, or (holding a newline) the patch itself.
      if (item.value.includes('\n')) out.push(inlineEntry(item, kustomization, false));
      else byPath(item.value, false);
    }
  }
  // `transformers:` may configure kustomize's patch transformers themselves, in a file or inline.
  // Their inline patches are not rewritten (editable: false), so a probe there keeps exec.
  const transformers = getPair(root, 'transformers')?.value;
  for (const item of isSeq(transformers) ? transformers.items : []) {
    if (!isScalar(item) || typeof item.value !== 'string') continue;
    const inline = item.value.includes('\n');
    const file = inline ? kustomization : path.resolve(dir, item.value);
    // A folder (a kustomization of transformer configs) is not followed.
    const text = inline ? item.value : run.readText(file);
    const parsed = text === undefined ? undefined : parseYaml(text);
    for (const doc of parsed && !parsed.error ? parsed.docs : []) {
      const config = doc.contents;
      const kind = isMap(config) ? getPair(config, 'kind')?.value : undefined;
      if (!isMap(config) || !isScalar(kind) || !PATCH_TRANSFORMER.test(String(kind.value))) continue;
      const json6902 = kind.value === 'PatchJson6902Transformer';
      for (const key of ['patch', 'patches']) {
        const v = getPair(config, key)?.value;
        if (isScalar(v) && typeof v.value === 'string') out.push({ text: v.value, file, json6902, editable: false });
      }
      const paths = getPair(config, 'paths')?.value;
      for (const ref of [getPair(config, 'path')?.value, ...(isSeq(paths) ? paths.items : [])]) {
        if (isScalar(ref) && typeof ref.value === 'string') byPath(ref.value, json6902);
      }
    }
  }
  return out;
}

function inlineEntry(node: Scalar, kustomization: string, json6902: boolean): PatchEntry {
  return { text: String(node.value), file: kustomization, json6902, editable: !('error' in blockScalarView(node, '\n')), range: [node.range![0], node.range![1]] };
}

const rootsByRun = new WeakMap<RunContext, Map<string, YAMLMap | null>>();

/** A kustomization file's root map, read and parsed once per run (overlay chains ask again and again). */
export function kustomizationRoot(file: string, run: RunContext): YAMLMap | undefined {
  let roots = rootsByRun.get(run);
  if (!roots) rootsByRun.set(run, (roots = new Map()));
  const known = roots.get(file);
  if (known !== undefined) return known ?? undefined;
  const text = run.readText(file);
  const parsed = text === undefined ? undefined : parseYaml(text);
  const root = parsed && !parsed.error ? parsed.docs[0]?.contents : undefined;
  roots.set(file, isMap(root) ? root : null);
  return isMap(root) ? root : undefined;
}

const smpByRun = new WeakMap<RunContext, { inRun: Set<string>; byDir: Map<string, Set<string>> }>();

/**
 * The files a kustomization merges over something (absolute): its strategic-merge patch files,
 * and the values files of its `helmCharts` (`valuesFile`, `additionalValuesFiles`), which merge
 * over the chart's values.yaml. None when it does not parse.
 */
function mergePatchFiles(kustomization: string, run: RunContext): string[] {
  const root = kustomizationRoot(kustomization, run);
  if (!root) return [];
  const out = patchEntries(kustomization, root, run).filter((p) => !p.json6902 && p.file !== kustomization).map((p) => p.file);
  const charts = getPair(root, 'helmCharts')?.value;
  for (const chart of isSeq(charts) ? charts.items : []) {
    if (!isMap(chart)) continue;
    const more = getPair(chart, 'additionalValuesFiles')?.value;
    for (const ref of [getPair(chart, 'valuesFile')?.value, ...(isSeq(more) ? more.items : [])]) {
      if (isScalar(ref) && typeof ref.value === 'string' && !/^[a-z]+:\/\//.test(ref.value)) out.push(path.resolve(path.dirname(kustomization), ref.value));
    }
  }
  return out;
}

/**
 * Whether a file is a strategic-merge patch of some kustomization: one among the run's files,
 * or one in the file's folder or above it (a pre-commit run names the patch alone; a scan of
 * an overlay's patches folder does not reach its kustomization). Each folder is looked at once
 * per run, with a stat that does not throw (most folders hold no kustomization).
 */
export function isStrategicMergePatch(fileAbs: string, run: RunContext): boolean {
  if (!fileAbs) return false;
  let cache = smpByRun.get(run);
  if (!cache) {
    const inRun = new Set(namedFiles(run).kustomizations.flatMap((k) => mergePatchFiles(k, run)));
    smpByRun.set(run, (cache = { inRun, byDir: new Map() }));
  }
  if (cache.inRun.has(fileAbs)) return true;
  for (let dir = path.dirname(fileAbs); ; dir = path.dirname(dir)) {
    let here = cache.byDir.get(dir);
    if (!here) {
      here = new Set(KUSTOMIZATION_NAMES.map((n) => path.join(dir, n)).filter(isFile).flatMap((k) => mergePatchFiles(k, run)));
      cache.byDir.set(dir, here);
    }
    if (here.has(fileAbs)) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false; // a folder on the way that cannot be read: no kustomization the tool can see
  }
}

/** Absolute base file path → the holds that reach it. */
export function overlayHolds(run: RunContext): Map<string, OverlayHold[]> {
  let byFile = holdsByRun.get(run);
  if (byFile) return byFile;
  byFile = new Map();
  const inRun = filesOfRun(run);
  const add = (targets: readonly string[], holds: readonly OverlayHold[]) => {
    for (const target of targets) byFile!.set(target, [...(byFile!.get(target) ?? []), ...holds]);
  };
  const merging: { kustomization: string; patch: PatchEntry; targets: string[] }[] = [];
  // An overlay outside a partial view (a pre-commit run naming the base alone) holds it all the same.
  for (const file of namedFiles(run).kustomizations) {
    const root = kustomizationRoot(file, run);
    if (!root) continue;
    // A component's patches apply to the resources of the kustomization that includes it.
    const own = [{ file, root }, ...componentsOf(path.dirname(file), root, run, new Set())];
    const patches = own.flatMap((k) => patchEntries(k.file, k.root, run).map((p) => ({ k, p })));
    const targets = resourcesOf(path.dirname(file), run, new Set());
    // A patch without loopback text is merged with the base's containers only where a file this
    // kustomization builds has some: the build is not read for every patch that sets env.
    let loopbackTargets: boolean | undefined;
    const baseObjectsOf = (p: PatchEntry) => (docRoot: YAMLMap | undefined, patchLoopback: boolean) =>
      patchLoopback || (loopbackTargets ??= targets.some((t) => MAY_NAME_LOOPBACK.test(run.readText(t) ?? ''))) ? patchedObjects(path.dirname(file), p, docRoot, run) : [];
    const holds = [
      ...patches.flatMap(({ k, p }) => holdsIn(p, k.file, inRun, run)),
      ...own.flatMap((k) => replacementHolds(k.file, k.root, run)),
      // A component's patches too are applied to the objects this kustomization builds.
      ...patches.flatMap(({ k, p }) => listenHolds(p, k.file, (docRoot) => patchedDocuments(path.dirname(file), p, docRoot, run), run, baseObjectsOf(p))),
    ];
    for (const [target, held] of helmValuesHolds(file, root, run, inRun)) add([target], held);
    // The probes of its own patches (and its components') run in the objects they are applied to,
    // where every patch's hostNetwork counts in the order kustomize applies them (patch-targets.ts):
    // a hostNetwork hold of the same build does not reach them (a false one applied before a true one).
    const ownPatches = new Set(patches.map(({ p }) => p.file));
    add(targets.filter((t) => !ownPatches.has(t)), holds);
    add(targets.filter((t) => ownPatches.has(t)), holds.filter((h) => h.kind !== 'hostNetwork'));
    for (const { p } of patches) if (!p.json6902 && p.editable && inRun.has(p.file)) merging.push({ kustomization: file, patch: p, targets });
  }
  // A Flux Kustomization or an Argo CD Application patches what it builds from its path as an
  // overlay does: its inline patches are not rewritten, so a probe handler there holds.
  for (const c of controllerPatches(run)) {
    const fromComponents = c.components.flatMap((k) => [...patchEntries(k.file, k.root, run).flatMap((p) => [...holdsIn(p, k.file, inRun, run), ...listenHolds(p, k.file, undefined, run)]), ...replacementHolds(k.file, k.root, run)]);
    add(c.targets, [...c.patches.flatMap((p) => [...holdsIn(p, c.file, inRun, run), ...listenHolds(p, c.file, undefined, run)]), ...fromComponents]);
  }
  // A strategic-merge patch probe counted above as migrating (so holding nothing under it) may be
  // held itself, by a hold that does not reach the probe it merges over (env or hostNetwork set
  // above it, which that probe does not depend on): it then keeps exec, and holds that probe too.
  // Repeated until nothing changes, for chains of overlays.
  const done = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of merging) {
      const held = byFile.get(m.patch.file);
      if (!held?.some((h) => h.kind === 'env' || h.kind === 'hostNetwork')) continue;
      for (const r of migratingProbes(m.patch, run)) {
        const id = `${m.kustomization}#${m.patch.file}#${m.patch.range?.[0] ?? ''}#${r.start}`;
        const hold = done.has(id) ? undefined : findHold(r, m.patch.file, held);
        if (!hold) continue;
        done.add(id);
        changed = true;
        const container = r.details!.container as string | undefined;
        const where = path.relative(run.cwd, m.patch.file).split(path.sep).join('/');
        add(m.targets, [{ kustomization: m.kustomization, kind: 'merge', probe: String(r.details!.probe), ...(container !== undefined ? { container } : {}), why: `${where} keeps it on exec (${hold.why})` }]);
      }
    }
  }
  holdsByRun.set(run, byFile);
  return byFile;
}

const CONTROLLER_WORDS = new RegExp(CONTROLLER_PATTERN); // git's search of the YAML files for them, src/discover/grep.ts
/** A controller's file is a few KB: a bigger YAML file (a CRD bundle, generated output) is not read as one. */
const CONTROLLER_FILE_MAX = 1024 * 1024;

/** What a controller builds and the patch lists it applies to it (maps of `patches`, `patchesJson6902`, `patchesStrategicMerge`). */
export interface ControllerBuild {
  /** A folder of the repository it builds (Flux Kustomization, Argo CD source)… */
  dir?: string;
  /** …or the Flux HelmRelease whose chart it renders. */
  release?: YAMLMap;
  lists: YAMLMap;
  /** The tool rewrites probes in its `patches[].patch` literal blocks (a Flux Kustomization, an Argo CD source, a HelmRelease post-renderer: src/kustomize/kustomization.ts). */
  rewrites?: boolean;
}

/**
 * The patches GitOps controllers apply to what they build from the repository: a Flux
 * Kustomization's `spec` patches (`patches`, `patchesJson6902`, `patchesStrategicMerge`) and
 * `components`, an Argo CD Application's (or ApplicationSet template's) `kustomize.patches` and
 * `kustomize.components` of a source, and a Flux
 * HelmRelease's `postRenderers[].kustomize` patches over the chart it renders (its templates and
 * values files, when the chart is in the repository). A folder is read from the root of the
 * repository holding the file (the source is taken to be this repository, as for releases,
 * src/helm/releases.ts); without a kustomization there, every file under it is built. The
 * controllers' `patches[].patch` literal blocks are rewritten as a kustomization's inline
 * patches are (src/kustomize/kustomization.ts); other string patches are not (editable: false);
 * inline patchesStrategicMerge objects are, as embedded merge patches (src/kubernetes/probes.ts).
 */
function controllerPatches(run: RunContext): { file: string; patches: PatchEntry[]; components: { file: string; root: YAMLMap }[]; targets: string[] }[] {
  const out: { file: string; patches: PatchEntry[]; components: { file: string; root: YAMLMap }[]; targets: string[] }[] = [];
  let charts: { root: string; name: string | undefined }[] | undefined;
  const yaml = namedFiles(run).yaml;
  // Asked of git first (src/discover/grep.ts): only the files that may name a controller are read.
  const may = filesMayHold(run, yaml, YAML_READERS_SEARCH, YAML_PATHSPECS);
  for (const abs of yaml) {
    if (isKustomizationPath(abs) || (may && !may.has(abs))) continue;
    // Every YAML file of the repository is looked at (as releases are, src/helm/releases.ts): most
    // go no further than this test.
    const text = run.readText(abs);
    if (text === undefined || text.length > CONTROLLER_FILE_MAX || !CONTROLLER_WORDS.test(text) || !/patches|components/i.test(text)) continue;
    const parsed = parseYaml(text);
    if (parsed.error) continue;
    const repoRoot = enclosingRepository(path.dirname(abs)) ?? run.cwd;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!isMap(root)) continue;
      const builds: ControllerBuild[] = [];
      for (const c of controllerLists(root)) {
        // Their `patches[].patch` literal blocks are rewritten as a kustomization's inline patches are (kustomization.ts).
        if (c.release) builds.push({ release: c.release, lists: c.lists, rewrites: true });
        else if (c.path !== undefined) builds.push({ dir: path.resolve(repoRoot, c.path), lists: c.lists, rewrites: true });
      }
      for (const b of builds) {
        const patches = controllerPatchEntries(b, text, abs, run);
        // Flux `spec.components` and Argo CD `kustomize.components`, from the folder it builds.
        const components = b.dir === undefined ? [] : componentsOf(b.dir, b.lists, run, new Set());
        if (patches.length === 0 && components.length === 0) continue;
        let targets: string[];
        if (b.release) {
          charts ??= run.repositoryFiles().filter((f) => path.basename(f) === 'Chart.yaml').map((f) => ({ root: path.dirname(f), name: chartYamlName(run.readText(f)) }));
          const roots = charts.filter((c) => fluxReleaseInstalls(b.release!, c.root, c.name, run)).map((c) => c.root);
          targets = repositoryFolders(run).underAny(roots);
        } else {
          const dir = b.dir!;
          const hasKustomization = KUSTOMIZATION_NAMES.some((n) => kustomizationRoot(path.join(dir, n), run));
          targets = hasKustomization ? resourcesOf(dir, run, new Set()) : [...repositoryFolders(run).under(dir)];
        }
        out.push({ file: abs, patches, components, targets });
      }
    }
  }
  return out;
}

/** A build's patch entries: inline strings, files by `path` (beside the folder it builds), op lists and patch objects written as YAML. */
export function controllerPatchEntries(b: ControllerBuild, text: string, abs: string, run: RunContext): PatchEntry[] {
  const out: PatchEntry[] = [];
  // A YAML node's text, indented as in the file (what stands before it on its line, `- ` of a
  // list item, becomes spaces), so that it parses alone.
  const slice = (n: ParsedNode) => ' '.repeat(n.range![0] - text.lastIndexOf('\n', n.range![0] - 1) - 1) + text.slice(n.range![0], n.range![1]);
  for (const key of ['patches', 'patchesJson6902', 'patchesStrategicMerge']) {
    const list = getPair(b.lists, key)?.value;
    for (const item of isSeq(list) ? list.items : []) {
      const json6902 = key === 'patchesJson6902';
      if (key === 'patchesStrategicMerge') {
        // Objects (rewritten in place as embedded merge patches) or strings.
        if (isMap(item) && item.range) out.push({ text: slice(item as ParsedNode), file: abs, json6902: false, editable: true, range: [item.range[0], item.range[1]] });
        else if (isScalar(item) && typeof item.value === 'string') out.push({ text: item.value, file: abs, json6902: false, editable: false, range: [item.range![0], item.range![1]] });
        continue;
      }
      if (!isMap(item)) continue;
      const t = getPair(item, 'target')?.value;
      const target = isMap(t) ? { target: t } : {};
      const inline = getPair(item, 'patch')?.value;
      // A controller's `patches[].patch` written as a literal block is rewritten as a
      // kustomization's inline patch is (controllerPatchReports, kustomization.ts); other strings are not.
      const editable = b.rewrites === true && key === 'patches' && isScalar(inline) && !('error' in blockScalarView(inline, '\n'));
      if (isScalar(inline) && typeof inline.value === 'string') out.push({ text: inline.value, file: abs, json6902, editable, range: [inline.range![0], inline.range![1]], ...target });
      // Flux's patchesJson6902 writes its ops as a YAML list, not a string.
      else if (isSeq(inline) && inline.range) out.push({ text: slice(inline as ParsedNode), file: abs, json6902: true, editable: false, range: [inline.range[0], inline.range[1]], ...target });
      const ref = scalarText(getPair(item, 'path')?.value);
      const file = ref === undefined || b.dir === undefined ? undefined : path.resolve(b.dir, ref);
      const refText = file === undefined ? undefined : run.readText(file);
      if (file !== undefined && refText !== undefined) out.push({ text: refText, file, json6902, editable: false, ...target });
    }
  }
  return out;
}

function chartYamlName(text: string | undefined): string | undefined {
  const parsed = text === undefined ? undefined : parseYaml(text);
  const root = parsed && !parsed.error ? parsed.docs[0]?.contents : undefined;
  return isMap(root) ? scalarText(getPair(root, 'name')?.value) : undefined;
}

/** The probes of a strategic-merge patch that the probe walk migrates, at offsets in its file (an inline patch: at the patch). */
function migratingProbes(patch: PatchEntry, run: RunContext): Report[] {
  const parsed = parseYaml(patch.text);
  if (parsed.error) return [];
  const built = patchProbeContext(patch.file, run, patch.range);
  return findProbeReports({ text: patch.text, docs: parsed.docs, eol: '\n', ...targetClusters(run.options), mergePatch: true, baseService: () => true, ...(built ? { builtContext: built.builtContext } : {}) })
    .map((r) => (built ? built.finish(r) : r))
    .filter((r) => r.fix && !(r.blockers?.length) && r.details?.probe !== undefined)
    .map((r) => (patch.range ? { ...r, start: patch.range[0] } : r));
}

export function holdsIn(patch: PatchEntry, kustomization: string, inRun: ReadonlySet<string>, run: RunContext, contextOnly = false): OverlayHold[] {
  const parsed = parseYaml(patch.text);
  const out: OverlayHold[] = [];
  const shown = (f: string) => path.relative(run.cwd, f).split(path.sep).join('/');
  const overlay = shown(kustomization);
  const source = { file: patch.file, ...(patch.range ? { range: patch.range } : {}) };
  // A patch that does not parse may set any probe's handler once it is fixed: every probe it may reach waits.
  if (parsed.error) {
    const where = patch.file === kustomization ? `an inline patch in ${overlay}` : `${shown(patch.file)} (a patch applied by ${overlay})`;
    return [{ kustomization, kind: 'unreadable', source, why: `${where} is not valid YAML, so what it does to the probe is unknown` }];
  }
  for (const doc of parsed.docs) {
    // A JSON 6902 op list: ops whose path (or `from`) reaches inside a probe, or into an env list.
    if (patch.json6902 || !isMap(doc.contents)) {
      visit(doc, {
        Map(_, map) {
          const opNode = getPair(map, 'op')?.value;
          if (!isScalar(opNode)) return;
          const op = String(opNode.value);
          for (const key of ['path', 'from']) {
            const p = getPair(map, key)?.value;
            if (!isScalar(p) || typeof p.value !== 'string') continue;
            const at = p.value;
            const hostNetwork = hostNetworkOp(op, key, at, getPair(map, 'value')?.value);
            if (hostNetwork) {
              const { sets, what, whole } = hostNetwork;
              out.push({ kustomization, kind: 'hostNetwork', sets, ...(whole ? { whole } : {}), source, why: `${overlay} ${what} (${op} ${key === 'from' ? `from ${at}` : at})` });
              continue;
            }
            if (key === 'path' && /\/hostNetwork$/.test(at)) continue;
            const timeout = key === 'path' && (op === 'add' || op === 'replace') ? /\/(livenessProbe|readinessProbe|startupProbe)\/timeoutSeconds$/.exec(at) : null;
            const value = getPair(map, 'value')?.value;
            if (timeout && isScalar(value) && Number.isFinite(Number(value.value))) {
              out.push({ kustomization, kind: 'timeout', probe: timeout[1]!, timeoutSeconds: Number(value.value), why: `${overlay} sets its timeoutSeconds to ${String(value.value)} (${op} ${at})` });
              continue;
            }
            if (/\/(?:containers|initContainers)\/[^/]+\/env(?:\/|$)/.test(at)) {
              out.push({ kustomization, kind: 'env', source, why: `${overlay} changes a container's env (${op} ${at})` });
              continue;
            }
            // Only ops on a handler (`…/exec/command`, an added `httpGet`) depend on the base's
            // exec; tuning a field (`…/failureThreshold`) applies to a native probe as well. A
            // `test` of the whole probe compares it with the exec probe it was.
            const m = /\/(livenessProbe|readinessProbe|startupProbe)(?:\/([^/]+))?$|\/(livenessProbe|readinessProbe|startupProbe)\/([^/]+)\//.exec(at);
            if (!m && op === 'test' && key === 'path') {
              // A test of a field above a probe (a container, the pod spec) compares the probes in its value too.
              for (const probe of execProbesIn(getPair(map, 'value')?.value)) out.push({ kustomization, kind: 'json6902', probe, why: `${overlay} tests a value that holds it (${at})` });
              continue;
            }
            if (!m) continue;
            const probe = (m[1] ?? m[3])!;
            const part = m[2] ?? m[4];
            if (part === undefined ? op !== 'test' : !HANDLERS.has(part)) continue;
            out.push({ kustomization, kind: 'json6902', probe, why: `${overlay} ${part === undefined ? 'tests' : key === 'from' ? `${op === 'move' ? 'moves' : 'copies'} from inside` : 'patches inside'} it (${at})` });
          }
        },
      });
      continue;
    }
    // A strategic-merge patch: probes that keep a handler other than grpc after this run.
    const where = patch.file === kustomization ? `an inline strategic-merge patch in ${overlay}` : `${shown(patch.file)} (a strategic-merge patch applied by ${overlay})`;
    // Its probes are judged in the objects it is applied to (patch-targets.ts), as the rules judge them.
    const built = contextOnly ? undefined : patchProbeContext(patch.file, run, patch.range);
    const judged = built ? { builtContext: built.builtContext, held: (r: Report) => (built.finish(r).blockers?.length ?? 0) > 0 } : undefined;
    for (const k of contextOnly ? [] : keptHandlers(patch.text, doc, run, { absPath: patch.file, rewritten: patch.editable && inRun.has(patch.file) }, judged)) {
      out.push({ kustomization, kind: 'merge', probe: k.probe, ...(k.container !== undefined ? { container: k.container } : {}), why: `${where} ${k.kept}` });
    }
    const hostNetwork = hostNetworkSettings(doc);
    for (const t of contextOnly ? [] : tunedTimeouts(doc)) {
      out.push({ kustomization, kind: 'timeout', probe: t.probe, ...(t.container !== undefined ? { container: t.container } : {}), timeoutSeconds: t.timeoutSeconds, why: `${where} sets its timeoutSeconds to ${t.timeoutSeconds}` });
    }
    for (const h of hostNetwork) out.push({ kustomization, kind: 'hostNetwork', sets: h.sets, ...(h.whole ? { whole: true } : {}), source, why: `${where} ${h.what}` });
    for (const e of envSettings(doc)) {
      const names = e.names ? ` (${e.names.join(', ')})` : '';
      out.push({ kustomization, kind: 'env', ...e.hold, source, why: `${where} sets env${e.hold.container !== undefined ? ` of container "${e.hold.container}"` : ''}${names}` });
    }
  }
  return out;
}

/** A container a patch writes, as the loopback listen check reads one (loopbackItems). */
export interface PatchListener {
  /** Its name in the patch; undefined where an op writes into a container by its list index. */
  container?: string;
  /** That op's path to the container (`/spec/template/spec/containers/0`). */
  indexPath?: string;
  lists: { key: string; items: (string | undefined)[] }[];
  env: { name: string | undefined; value: string | undefined; downward?: boolean }[];
  /** Where its `args`, `command` and `env` are written ('' the container itself), as `file:line`. */
  at: Map<string, string>;
  /**
   * The container as the build makes it in one object the patch is applied to (`file`,
   * `document`), the object's own merged with every patch applied to it (built-containers.ts), a
   * host given in one and its port in another: read for that object only (listenerFor). `base` is
   * where the object's container is, as `file:line` (undefined: a patch adds it); `others` where
   * the other patches that write it are.
   */
  merged?: { file: string; document: number; base?: string; others: string[]; built: { steps: BuildStep[]; step: number; key: string } };
}

/** An env entry as the loopback listen check reads it: a literal value, or a valueFrom (the downward API's said). */
function envEntry(i: unknown): PatchListener['env'][number] {
  if (!isMap(i)) return { name: undefined, value: undefined };
  const text = (n: unknown) => (isScalar(n) && n.value !== null ? String(n.value) : undefined);
  const from = getPair(i, 'valueFrom')?.value;
  const downward = isMap(from) && (getPair(from, 'fieldRef') !== undefined || getPair(from, 'resourceFieldRef') !== undefined);
  return { name: text(getPair(i, 'name')?.value), value: text(getPair(i, 'value')?.value), ...(downward ? { downward } : {}) };
}

/** The containers of a pod spec's lists under a map (through maps only), each with the path of map keys to its list: `spec.template.spec.containers`. */
function containerLists(node: YAMLMap, at = ''): { list: string; c: YAMLMap }[] {
  const out: { list: string; c: YAMLMap }[] = [];
  for (const pair of node.items) {
    const k = keyOf(pair as Pair);
    if (k === undefined) continue;
    const here = at === '' ? k : `${at}.${k}`;
    if ((k === 'containers' || k === 'initContainers') && isSeq(pair.value)) for (const c of pair.value.items) if (isMap(c)) out.push({ list: here, c });
    if (isMap(pair.value)) out.push(...containerLists(pair.value, here));
  }
  return out;
}

/** The offset of an op list's first op whose path (or `from`) reaches into a container list. */
function firstContainerOp(node: unknown): number | undefined {
  if (!isSeq(node)) return undefined;
  const op = node.items.find((i) => isMap(i) && ['path', 'from'].some((k) => /\/(?:containers|initContainers)(?:\/|$)/.test(scalarText(getPair(i, k)?.value) ?? '')));
  return isMap(op) ? op.range?.[0] : undefined;
}

/**
 * The containers a patch writes args, command or env of, or adds (a sidecar), as listen holds
 * (hunt19 B3): a container of the built pod that listens only on loopback at a base probe's port
 * (`--listen=127.0.0.1:5001` in the probe's own container, a sidecar's `--bind 127.0.0.1 --port
 * 5001`) makes that probe's native form dial the pod IP, where nothing listens, as it does when the
 * base writes it (src/kubernetes/probes.ts loopbackListen, siblingListen). A strategic-merge
 * patch's containers (an init container only as a sidecar, restartPolicy: Always), and JSON 6902
 * `add`/`replace` ops that write a container, its args, command or env, or a map holding
 * containers. `objectsOf` narrows each to the objects it is applied to (undefined: not narrowed).
 */
function listenHolds(
  patch: PatchEntry,
  kustomization: string,
  objectsOf: ((docRoot: YAMLMap | undefined) => Map<string, Set<number>>) | undefined,
  run: RunContext,
  baseObjectsOf?: (docRoot: YAMLMap | undefined, patchLoopback: boolean) => { file: string; document: number; root: YAMLMap; writes: readonly ContainerWrite[] }[],
): OverlayHold[] {
  // A patch without a loopback host (in any spelling isLoopbackHost reads) or a `$(NAME)` holds
  // nothing, unless a container it writes is merged with the base's, which may hold one: the cheap tests first.
  const loopbackText = MAY_NAME_LOOPBACK.test(patch.text);
  if (!loopbackText && !(baseObjectsOf && /\b(?:args|command|env)\b/.test(patch.text))) return [];
  const parsed = parseYaml(patch.text);
  if (parsed.error) return [];
  const shown = (f: string) => path.relative(run.cwd, f).split(path.sep).join('/');
  const overlay = shown(kustomization);
  const at = lineAt(patch, run);
  const source = { file: patch.file, ...(patch.range ? { range: patch.range } : {}) };
  const text = (n: unknown) => (isScalar(n) && n.value !== null ? String(n.value) : undefined);
  const name = (m: YAMLMap) => text(getPair(m, 'name')?.value);
  const envOf = (seq: unknown) => (isSeq(seq) ? seq.items.map(envEntry) : []);
  const listener = (c: YAMLMap): PatchListener => {
    const where = new Map<string, string>([['', at(c.range?.[0] ?? 0)]]);
    const lists = ['args', 'command'].map((key) => {
      const pair = getPair(c, key);
      if (pair) where.set(key, at((pair.key as Scalar).range?.[0] ?? 0));
      return { key, items: isSeq(pair?.value) ? pair.value.items.map(text) : [] };
    });
    const env = getPair(c, 'env');
    if (env) where.set('env', at((env.key as Scalar).range?.[0] ?? 0));
    const n = name(c);
    return { ...(n !== undefined ? { container: n } : {}), lists, env: envOf(env?.value), at: where };
  };
  // The containers under a node: the items of every containers list, and of initContainers that are sidecars.
  const containersIn = (node: unknown): YAMLMap[] => {
    const found: YAMLMap[] = [];
    if (!isMap(node) && !isSeq(node)) return found;
    visit(node, {
      Pair(_, pair) {
        const k = keyOf(pair as Pair);
        if ((k !== 'containers' && k !== 'initContainers') || !isSeq(pair.value)) return;
        for (const c of pair.value.items) if (isMap(c) && (k === 'containers' || text(getPair(c, 'restartPolicy')?.value) === 'Always')) found.push(c);
      },
    });
    return found;
  };
  /**
   * The containers this patch document writes, in each object it is applied to, as the build makes
   * them (built-containers.ts): the object's own merged with every patch applied to it, this one
   * among them, where the patch, the object's file or another of those patches has loopback text.
   * A host given in one and its port in another (`--bind 127.0.0.1` in the patch, `--port 5001` in
   * the object; `--listen=127.0.0.1:$(GRPC_PORT)` here, GRPC_PORT in another patch; the object's
   * `--listen=$(LISTEN_HOST):5001` with LISTEN_HOST set here) make the address only together. Not
   * for a patch not narrowed to its objects (a Flux or Argo CD patch): read alone.
   */
  const builtListeners = (docRoot: YAMLMap | undefined, doc: number, node: unknown): PatchListener[] => {
    if (!baseObjectsOf) return [];
    const id = writeId(patch, doc);
    const out: PatchListener[] = [];
    for (const o of baseObjectsOf(docRoot, loopbackText)) {
      const own = o.writes.findIndex((w) => writeId(w.entry, w.doc) === id);
      if (own === -1) continue;
      const objectText = run.readText(o.file) ?? '';
      if (!loopbackText && !MAY_NAME_LOOPBACK.test(objectText) && !o.writes.some((w) => MAY_NAME_LOOPBACK.test(w.entry.text))) continue;
      const steps = containerSteps(o.root, o.writes);
      const step = own + 1;
      const objectContainers = containerLists(o.root);
      for (const key of steps[step]!.touched) {
        const c = steps[step]!.containers.find((x) => x.key === key);
        if (!c) continue;
        // Where this patch writes it: its own container map, or (an op list) the first op into a container list.
        const mine = docRoot ? containerLists(docRoot).find((p) => p.list === c.list && c.name !== undefined && name(p.c) === c.name)?.c : undefined;
        const where = mine ? listener(mine).at : new Map([['', at(firstContainerOp(node) ?? 0)]]);
        const index = /#:(\d+)$/.exec(key)?.[1];
        const baseC = steps[0]!.containers.some((x) => x.key === key) ? objectContainers.filter((b) => b.list === c.list).find((b, i) => (c.name !== undefined ? name(b.c) === c.name : String(i) === index))?.c : undefined;
        const others = o.writes.flatMap((w, i) => (i !== own && steps[i + 1]!.touched.has(key) ? [lineAt(w.entry, run)(0)] : []));
        out.push({
          ...(c.name !== undefined ? { container: c.name } : {}),
          ...listenView(c),
          at: where,
          merged: {
            file: o.file,
            document: o.document,
            ...(baseC ? { base: `${shown(o.file)}:${lineOfOffset(objectText, baseC.range?.[0] ?? 0)}` } : {}),
            others: [...new Set(others)],
            built: { steps, step, key },
          },
        });
      }
    }
    return out;
  };
  const out: OverlayHold[] = [];
  const hold = (listeners: PatchListener[], docRoot: YAMLMap | undefined, why: string) => {
    if (listeners.length === 0) return;
    const objects = objectsOf?.(docRoot);
    out.push({ kustomization, kind: 'listen', listeners, ...(objects ? { objects } : {}), source, why });
  };
  for (const [d, doc] of parsed.docs.entries()) {
    if (!patch.json6902 && isMap(doc.contents)) {
      const listeners = loopbackText ? containersIn(doc.contents).map(listener) : [];
      listeners.push(...builtListeners(doc.contents, d, doc.contents));
      hold(listeners, doc.contents, patch.file === kustomization ? `an inline strategic-merge patch in ${overlay}` : `${shown(patch.file)} (a strategic-merge patch applied by ${overlay})`);
      continue;
    }
    // An op list: what an add or replace op writes into the pod's containers.
    const listeners: PatchListener[] = [];
    visit(doc, {
      Map(_, map) {
        const op = text(getPair(map, 'op')?.value);
        const to = text(getPair(map, 'path')?.value);
        const value = getPair(map, 'value')?.value;
        if ((op !== 'add' && op !== 'replace') || to === undefined) return;
        const segments = to.split('/').slice(1);
        const list = segments.findIndex((x) => x === 'containers' || x === 'initContainers');
        if (list === -1) {
          listeners.push(...containersIn(value).map(listener));
          return;
        }
        const rest = segments.slice(list + 1);
        const sidecar = (c: unknown) => isMap(c) && (segments[list] === 'containers' || text(getPair(c, 'restartPolicy')?.value) === 'Always');
        const opAt = new Map([['', at(map.range?.[0] ?? 0)]]);
        const indexPath = `/${segments.slice(0, list + 2).join('/')}`;
        if (rest.length === 0 && isSeq(value)) listeners.push(...value.items.filter(sidecar).map((c) => listener(c as YAMLMap)));
        else if (rest.length === 1 && sidecar(value)) listeners.push(listener(value as YAMLMap));
        // Into a container by its index: which one it is, and whether an init container is a sidecar, is the base's.
        else if (segments[list] !== 'containers' || rest.length < 2) return;
        else if ((rest[1] === 'args' || rest[1] === 'command') && rest.length <= 3) {
          const items = rest.length === 2 ? (isSeq(value) ? value.items.map(text) : []) : [text(value)];
          listeners.push({ indexPath, lists: [{ key: rest[1], items }], env: [], at: new Map([...opAt, [rest[1], opAt.get('')!]]) });
        } else if (rest[1] === 'env' && rest.length <= 3) {
          const entries = rest.length === 2 ? envOf(value) : isMap(value) ? [{ name: name(value), value: text(getPair(value, 'value')?.value) }] : [];
          listeners.push({ indexPath, lists: [], env: entries, at: new Map([...opAt, ['env', opAt.get('')!]]) });
        }
      },
    });
    listeners.push(...builtListeners(undefined, d, doc.contents));
    hold(listeners, undefined, patch.file === kustomization ? `a JSON 6902 patch in ${overlay}` : `${shown(patch.file)} (a JSON 6902 patch applied by ${overlay})`);
  }
  return out;
}

/** `file:line` of an offset in a patch's text, in the file that holds it (an inline patch: the kustomization's line). */
function lineAt(patch: PatchEntry, run: RunContext): (offset: number) => string {
  const file = path.relative(run.cwd, patch.file).split(path.sep).join('/');
  const lineOf = (t: string, o: number) => {
    let n = 1;
    for (let i = t.indexOf('\n'); i !== -1 && i < o; i = t.indexOf('\n', i + 1)) n++;
    return n;
  };
  if (!patch.range) return (o) => `${file}:${lineOf(patch.text, o)}`;
  const outer = run.readText(patch.file) ?? '';
  const first = lineOf(outer, patch.range[0]);
  const head = outer[patch.range[0]];
  // A literal block's value starts on the line after its `|`; a quoted or folded string is not
  // mapped line by line (its first line is said); a node written as YAML (a controller's op list) is its own text.
  if (head === '|') return (o) => `${file}:${first + lineOf(patch.text, o)}`;
  if (head === '"' || head === "'" || head === '>') return () => `${file}:${first}`;
  return (o) => `${file}:${first + lineOf(patch.text, o) - 1}`;
}

/** The listener of a listen hold that binds loopback on the probe's port, in the objects the hold's patch is applied to. */
function listenerFor(h: OverlayHold, r: Report, file: string): { listener: PatchListener; item: LoopbackItem } | undefined {
  const port = r.details?.port;
  if (typeof port !== 'number') return undefined;
  const documents = h.objects?.get(file);
  if (documents && !documents.has(Number(r.details?.document))) return undefined;
  const document = Number(r.details?.document);
  // A container the build's fold reads in this object (builtListeners) is not read alone there too: a later patch may undo it.
  const folded = (l: PatchListener) => !l.merged && l.container !== undefined && h.listeners!.some((m) => m.merged?.file === file && m.merged.document === document && m.container === l.container);
  for (const listener of h.listeners ?? []) {
    if (listener.merged && (listener.merged.file !== file || listener.merged.document !== document)) continue;
    if (folded(listener)) continue;
    // A patch's container read alone: only a listen address it names in full holds.
    const item = listener.merged ? builtItem(listener.merged.built, port) : loopbackItems(listener.lists, listener.env, port);
    if (item && (listener.merged || item.listen)) return { listener, item };
  }
  return undefined;
}

/**
 * What a container as the build makes it names on the probe's port, said by the patch from which
 * on it does (so by one patch of the build, and not where the object's own container says it: the
 * object's probe is judged by that itself): a loopback listen address, or else one whose host or
 * port is a `$(NAME)` the tool does not read (a valueFrom, an envFrom, an op it cannot follow),
 * where the object's own container does not say as much: the tool cannot tell whether the server
 * listens on the pod IP in those pods, and the probe stays on exec (hunt22 E5).
 */
function builtItem(built: { steps: BuildStep[]; step: number; key: string }, port: number): LoopbackItem | undefined {
  const items = built.steps.map((s) => {
    const c = s.containers.find((x) => x.key === built.key);
    // An init container runs beside the app only as a sidecar.
    if (!c || (c.list.endsWith('initContainers') && c.restartPolicy !== 'Always')) return { rank: 0 };
    const view = listenView(c);
    const item = loopbackItems(view.lists, view.env, port);
    const rank = item?.listen ? 2 : item?.unread ? 1 : 0;
    return { rank, item };
  });
  const last = items[items.length - 1]!;
  if (last.rank === 0 || items[0]!.rank >= last.rank) return undefined;
  let from = items.length - 1;
  while (from > 1 && items[from - 1]!.rank >= last.rank) from--;
  return from === built.step ? last.item : undefined;
}

/** The probe keys (readinessProbe…) of the probes with an exec handler inside a YAML node. */
function execProbesIn(node: unknown): string[] {
  const found = new Set<string>();
  if (!isMap(node) && !isSeq(node)) return [];
  visit(node, {
    Pair(_, pair) {
      const k = keyOf(pair as Pair);
      if ((k === 'livenessProbe' || k === 'readinessProbe' || k === 'startupProbe') && isMap(pair.value) && getPair(pair.value, 'exec')) found.add(k);
    },
  });
  return [...found];
}

/** A hostNetwork value as kubectl reads what kustomize builds (YAML 1.1: `yes`, `on` are true), or undefined when the tool does not read it (a quoted string, which the API server rejects; an alias). */
function hostNetworkValue(v: unknown): boolean | undefined {
  if (v === null || v === undefined) return false;
  if (!isScalar(v)) return undefined;
  if (v.value === true) return true;
  if (v.value === false || v.value === null) return false;
  if (typeof v.value === 'string' && GO_YAML_TRUE.test(v.value)) return true; // quoted too: held all the same, the safe side
  if (typeof v.value === 'string' && v.type === 'PLAIN' && GO_YAML_FALSE.test(v.value)) return false;
  return undefined;
}

/** Path segments from an object to its pod spec (Deployment, DaemonSet, Job, CronJob, Pod). */
const POD_SPEC_ANCESTORS = /^(?:\/spec(?:\/jobTemplate(?:\/spec)?)?(?:\/template(?:\/spec)?)?)?$/;

/** The hostNetwork values a YAML node holds anywhere inside (a replaced pod spec's, template's). */
function hostNetworksIn(node: unknown): (boolean | undefined)[] {
  const found: (boolean | undefined)[] = [];
  if (!isMap(node)) return found;
  visit(node, {
    Pair(_, pair) {
      if (keyOf(pair as Pair) === 'hostNetwork') found.push(hostNetworkValue(pair.value));
    },
  });
  return found;
}

/**
 * What a JSON 6902 op does to the pod's hostNetwork: sets it (true, false: set false or removed),
 * or may set it to a value the tool does not read ('unknown'); undefined: nothing. A `test`
 * changes nothing. An op on a field above it (`/spec/template/spec`) replaces or removes it with
 * the map it writes.
 */
function hostNetworkOp(op: string, key: string, at: string, value: unknown): { sets: boolean | 'unknown'; what: string; whole?: boolean } | undefined {
  if (op === 'test') return undefined;
  if (/\/hostNetwork$/.test(at)) {
    if (key === 'from') return op === 'move' ? { sets: false, what: 'moves hostNetwork away, which removes it' } : undefined;
    if (op === 'remove') return { sets: false, what: 'removes hostNetwork' };
    if (op === 'copy' || op === 'move') return { sets: 'unknown', what: `${op === 'copy' ? 'copies' : 'moves'} a value the tool does not read into hostNetwork, which may set it true or false` };
    if (op !== 'add' && op !== 'replace') return undefined;
    const v = hostNetworkValue(value);
    return v === undefined ? { sets: 'unknown', what: 'sets hostNetwork to a value the tool does not read as a boolean' } : { sets: v, what: `sets hostNetwork: ${String(v)}` };
  }
  if (key !== 'path' || !POD_SPEC_ANCESTORS.test(at)) return undefined;
  if (op === 'remove') return { sets: false, what: `removes ${at || 'the object'}, and the hostNetwork in it`, whole: true };
  if (op === 'copy' || op === 'move') return { sets: 'unknown', what: `${op === 'copy' ? 'copies' : 'moves'} a value the tool does not read over ${at}, which may set hostNetwork true or false`, whole: true };
  if (op !== 'add' && op !== 'replace') return undefined;
  const values = hostNetworksIn(value);
  if (!isMap(value) || values.length > 1 || values.includes(undefined)) return { sets: 'unknown', what: `writes ${at} with a hostNetwork the tool does not read`, whole: true };
  const v = values[0] ?? false;
  return { sets: v, what: v ? `writes ${at} with hostNetwork: true` : `writes ${at} without hostNetwork, which removes it`, whole: true };
}

/**
 * What a strategic-merge patch document does to the pod's hostNetwork: `hostNetwork: true`
 * (or `yes`/`on`) sets it, `false`, `null` or `{$patch: delete}` takes it away, and so does a
 * pod spec (or a map above it) replaced with `$patch: replace` or `$patch: delete`, or whose
 * `$retainKeys` leaves it out; a value the tool does not read may do either.
 */
function hostNetworkSettings(doc: Document.Parsed<ParsedNode, true>): { sets: boolean | 'unknown'; what: string; whole?: boolean }[] {
  const out: { sets: boolean | 'unknown'; what: string; whole?: boolean }[] = [];
  const root = doc.contents;
  if (!isMap(root)) return out;
  // Maps from the object down to its pod spec: spec, spec.template, spec.template.spec (and a CronJob's jobTemplate).
  const walk = (map: YAMLMap, at: string) => {
    const directive = scalarText(getPair(map, '$patch')?.value);
    if (at !== '' && (directive === 'replace' || directive === 'delete')) {
      const values = directive === 'delete' ? [] : hostNetworksIn(map);
      const v = values.length > 1 || values.includes(undefined) ? 'unknown' : (values[0] ?? false);
      out.push({ sets: v, whole: true, what: v === true ? `replaces ${at} ($patch: replace) with hostNetwork: true` : v === false ? `${directive === 'delete' ? 'deletes' : 'replaces'} ${at} ($patch: ${directive}), which takes its hostNetwork away` : `replaces ${at} ($patch: replace) with a hostNetwork the tool does not read` });
      return;
    }
    const retain = getPair(map, '$retainKeys')?.value;
    if (at !== '' && isSeq(retain) && !retain.items.some((i) => isScalar(i) && i.value === 'hostNetwork') && /(?:^|\.)template\.spec$|^spec$/.test(at)) {
      out.push({ sets: false, what: `keeps only the fields its $retainKeys lists in ${at}, which takes hostNetwork away` });
    }
    for (const pair of map.items) {
      const k = keyOf(pair as Pair);
      if ((k === 'spec' || k === 'template' || k === 'jobTemplate') && isMap(pair.value)) walk(pair.value, at === '' ? k : `${at}.${k}`);
    }
  };
  walk(root, '');
  // The field itself, wherever the pod spec is (a custom resource's may be elsewhere).
  visit(doc, {
    Pair(_, pair) {
      if (keyOf(pair as Pair) !== 'hostNetwork') return;
      const v = pair.value;
      const del = isMap(v) && scalarText(getPair(v, '$patch')?.value) === 'delete';
      const value = del ? false : hostNetworkValue(v);
      out.push(value === undefined ? { sets: 'unknown', what: 'sets hostNetwork to a value the tool does not read as a boolean' } : { sets: value, what: del ? 'deletes hostNetwork ($patch: delete)' : `sets hostNetwork: ${value ? 'true' : 'false'}` });
    },
  });
  return out;
}

/**
 * A `helmCharts` entry's values merge in layers, each over the ones before it: the chart's
 * values.yaml (when the chart is in chartHome), `valuesFile`, `additionalValuesFiles`, then
 * `valuesInline`. A probe that a layer keeps on a handler other than grpc holds the same probe
 * of every layer under it, as a chart's values files hold its values.yaml (src/helm/chart.ts).
 */
function helmValuesHolds(kustomization: string, root: YAMLMap, run: RunContext, inRun: ReadonlySet<string>): Map<string, OverlayHold[]> {
  const out = new Map<string, OverlayHold[]>();
  const charts = getPair(root, 'helmCharts')?.value;
  if (!isSeq(charts)) return out;
  const dir = path.dirname(kustomization);
  const overlay = path.relative(run.cwd, kustomization).split(path.sep).join('/');
  const globals = getPair(root, 'helmGlobals')?.value;
  const home = isMap(globals) ? getPair(globals, 'chartHome')?.value : undefined;
  const chartHome = path.resolve(dir, isScalar(home) && typeof home.value === 'string' ? home.value : 'charts');
  const str = (m: YAMLMap, key: string) => {
    const v = getPair(m, key)?.value;
    return isScalar(v) && v.value !== null ? String(v.value) : undefined;
  };
  charts.items.forEach((chart, index) => {
    if (!isMap(chart)) return;
    const name = str(chart, 'name');
    const version = str(chart, 'version');
    const layers: { file: string; shown: string; kept: { keyPath: string; kept: string }[] }[] = [];
    const addFile = (file: string, shown: string) => {
      const text = run.readText(file);
      const parsed = text === undefined ? undefined : parseYaml(text);
      if (!parsed || parsed.error) return;
      layers.push({ file, shown, kept: parsed.docs.flatMap((d) => keptHandlers(text!, d, run, { absPath: file, rewritten: inRun.has(file) })) });
    };
    const shownFile = (f: string) => path.relative(run.cwd, f).split(path.sep).join('/');
    if (name !== undefined) {
      for (const folder of [name, ...(version !== undefined ? [`${name}-${version}/${name}`] : [])]) {
        const file = path.join(chartHome, folder, 'values.yaml');
        addFile(file, `${shownFile(file)} (the values of helmCharts[${index}] in ${overlay})`);
      }
    }
    const more = getPair(chart, 'additionalValuesFiles')?.value;
    for (const ref of [getPair(chart, 'valuesFile')?.value, ...(isSeq(more) ? more.items : [])]) {
      if (!isScalar(ref) || typeof ref.value !== 'string' || /^[a-z]+:\/\//.test(ref.value)) continue;
      const file = path.resolve(dir, ref.value);
      addFile(file, `${shownFile(file)} (a values file of helmCharts[${index}] in ${overlay})`);
    }
    const prefix = `helmCharts[${index}].valuesInline.`;
    const text = run.readText(kustomization);
    const parsed = text === undefined ? undefined : parseYaml(text);
    if (parsed && !parsed.error) {
      const kept = parsed.docs.flatMap((d) => keptHandlers(text!, d, run, { absPath: kustomization, rewritten: inRun.has(kustomization) }));
      layers.push({
        file: kustomization,
        shown: `the valuesInline of helmCharts[${index}] in ${overlay}`,
        kept: kept.filter((k) => k.keyPath.startsWith(prefix)).map((k) => ({ ...k, keyPath: k.keyPath.slice(prefix.length) })),
      });
    }
    layers.forEach((upper, i) => {
      for (const k of upper.kept) {
        for (const lower of layers.slice(0, i)) {
          if (lower.file === kustomization) continue;
          const hold: OverlayHold = { kustomization, kind: 'values', keyPath: k.keyPath, why: `${upper.shown} ${k.kept}` };
          out.set(lower.file, [...(out.get(lower.file) ?? []), hold]);
        }
      }
    });
  });
  return out;
}

/** The env lists a strategic-merge patch merges into containers: by container, the names it sets (none known: any). */
function envSettings(doc: Document.Parsed<ParsedNode, true>): { hold: Pick<OverlayHold, 'container' | 'envNames'>; names?: string[] }[] {
  const out: { hold: Pick<OverlayHold, 'container' | 'envNames'>; names?: string[] }[] = [];
  visit(doc, {
    Pair(_, pair, p) {
      if (keyOf(pair as Pair) !== 'env') return;
      const ctx = containerContext(p);
      if (!ctx.list || !ctx.container) return;
      const name = getPair(ctx.container, 'name')?.value;
      const container = isScalar(name) && name.value !== null ? String(name.value) : undefined;
      // An entry without a name (`$patch: replace`, an alias) may set or drop any variable.
      const list = pair.value;
      const names = isSeq(list) ? list.items.map((i) => (isMap(i) && !getPair(i, '$patch') ? getPair(i, 'name')?.value : undefined)) : [undefined];
      const known = names.every((n) => isScalar(n) && n.value !== null) ? names.map((n) => String((n as Scalar).value)) : undefined;
      out.push({ hold: { ...(container !== undefined ? { container } : {}), ...(known ? { envNames: known } : {}) }, ...(known ? { names: known } : {}) });
    },
  });
  return out;
}

/**
 * `replacements` (inline, or `- path:` files) whose source or target reaches a probe's handler
 * (`…readinessProbe.exec.command.1`): kustomize fails when the field is gone. A target in a
 * container's env may set the variable a probe's command reads.
 */
export function replacementHolds(kustomization: string, root: YAMLMap, run: RunContext): OverlayHold[] {
  const list = getPair(root, 'replacements')?.value;
  if (!isSeq(list)) return [];
  const dir = path.dirname(kustomization);
  const overlay = path.relative(run.cwd, kustomization).split(path.sep).join('/');
  const replacements: YAMLMap[] = [];
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const ref = getPair(item, 'path')?.value;
    if (!isScalar(ref) || typeof ref.value !== 'string') {
      replacements.push(item);
      continue;
    }
    const text = run.readText(path.resolve(dir, ref.value));
    const parsed = text === undefined ? undefined : parseYaml(text);
    for (const doc of parsed && !parsed.error ? parsed.docs : []) {
      const c = doc.contents;
      if (isMap(c)) replacements.push(c);
      else if (isSeq(c)) for (const i of c.items) if (isMap(i)) replacements.push(i);
    }
  }
  const out: OverlayHold[] = [];
  const fieldPaths = (r: YAMLMap): { role: string; at: string }[] => {
    const found: { role: string; at: string }[] = [];
    const source = getPair(r, 'source')?.value;
    const from = isMap(source) ? getPair(source, 'fieldPath')?.value : undefined;
    if (isScalar(from) && typeof from.value === 'string') found.push({ role: 'reads', at: from.value });
    const targets = getPair(r, 'targets')?.value;
    for (const t of isSeq(targets) ? targets.items : []) {
      const paths = isMap(t) ? getPair(t, 'fieldPaths')?.value : undefined;
      for (const fp of isSeq(paths) ? paths.items : []) if (isScalar(fp) && typeof fp.value === 'string') found.push({ role: 'writes', at: fp.value });
    }
    return found;
  };
  for (const r of replacements) {
    for (const { role, at } of fieldPaths(r)) {
      // `spec.template.spec.containers.[name=api].readinessProbe.exec.command.1`: dots outside brackets.
      const segments: string[] = at.match(/(?:\[[^\]]*\]|[^.])+/g) ?? [];
      const selector = (i: number) => /^\[name=(.*)\]$/.exec(segments[i] ?? '')?.[1];
      if (role === 'writes' && segments[segments.length - 1] === 'hostNetwork') {
        // The source's value is another object's field: true or false, the tool does not read it.
        out.push({ kustomization, kind: 'hostNetwork', sets: 'unknown', why: `a replacement in ${overlay} writes hostNetwork (${at}) with a value the tool does not read, which may set it true or false` });
        continue;
      }
      const envAt = segments.indexOf('env');
      if (role === 'writes' && envAt > 0) {
        const container = selector(envAt - 1);
        const name = selector(envAt + 1);
        out.push({
          kustomization,
          kind: 'env',
          ...(container !== undefined ? { container } : {}),
          ...(name !== undefined ? { envNames: [name] } : {}),
          why: `a replacement in ${overlay} sets a container's env (${at})`,
        });
        continue;
      }
      const probeAt = segments.findIndex((s) => s === 'livenessProbe' || s === 'readinessProbe' || s === 'startupProbe');
      const part = segments[probeAt + 1];
      if (probeAt === -1 || part === undefined || !(HANDLERS.has(part) || part === '*')) continue;
      const container = selector(probeAt - 1);
      out.push({
        kustomization,
        kind: 'replacement',
        probe: segments[probeAt]!,
        ...(container !== undefined ? { container } : {}),
        why: `a replacement in ${overlay} ${role} a field inside it (${at})`,
      });
    }
  }
  return out;
}

/** The local components a kustomization includes (`components:`), and theirs, with their kustomization files. */
export function componentsOf(dir: string, root: YAMLMap, run: RunContext, seen: Set<string>, includedFirst = false): { file: string; root: YAMLMap }[] {
  const list = getPair(root, 'components')?.value;
  if (!isSeq(list)) return [];
  const out: { file: string; root: YAMLMap }[] = [];
  for (const item of list.items) {
    if (!isScalar(item) || typeof item.value !== 'string' || /^[a-z]+:\/\/|^github\.com\//.test(item.value)) continue;
    const componentDir = path.resolve(dir, item.value);
    if (seen.has(componentDir)) continue;
    seen.add(componentDir);
    for (const name of KUSTOMIZATION_NAMES) {
      const file = path.join(componentDir, name);
      const componentRoot = kustomizationRoot(file, run);
      if (!componentRoot) continue;
      // includedFirst: the order kustomize applies their patches in, each after the components it includes.
      const inner = componentsOf(componentDir, componentRoot, run, seen, includedFirst);
      out.push(...(includedFirst ? [...inner, { file, root: componentRoot }] : [{ file, root: componentRoot }, ...inner]));
      break;
    }
  }
  return out;
}

/**
 * The files whose probes a patch of the kustomization in `dir` merges over: the local files it
 * builds from (following bases and components), and the patches applied before it, its own and
 * those of the kustomizations and components under it (a patch file, or the kustomization itself
 * for an inline patch). A patch there that goes native under one that keeps exec would build a
 * probe with two handlers, like a base.
 */
export function resourcesOf(dir: string, run: RunContext, seen: Set<string>): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const out: string[] = [];
  for (const step of buildSteps(dir, run)) {
    if (typeof step === 'string') out.push(step);
    else out.push(...resourcesOf(step.dir, run, seen));
  }
  return out;
}

const stepsByRun = new WeakMap<RunContext, Map<string, (string | { dir: string })[]>>();

/**
 * What the kustomization in `dir` builds from, in order: files (its patch files, its resources
 * that are files, its helmCharts' chart files) and folders to follow. Read once per run: every
 * kustomization of a chain asks again for those it builds (kustomizeRoots, overlayHolds), which
 * read each patch and resource file again.
 */
function buildSteps(dir: string, run: RunContext): (string | { dir: string })[] {
  let byDir = stepsByRun.get(run);
  if (!byDir) stepsByRun.set(run, (byDir = new Map()));
  let steps = byDir.get(dir);
  if (steps) return steps;
  steps = [];
  byDir.set(dir, steps);
  let root: YAMLMap | undefined;
  let file: string | undefined;
  for (const name of KUSTOMIZATION_NAMES) {
    if (root) break;
    root = kustomizationRoot(path.join(dir, name), run);
    if (root) file = path.join(dir, name);
  }
  if (!root || !file) return steps;
  steps.push(...patchEntries(file, root, run).map((p) => p.file));
  for (const key of ['resources', 'bases', 'components']) {
    const list = getPair(root, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isScalar(item) || typeof item.value !== 'string' || /^[a-z]+:\/\/|^github\.com\//.test(item.value)) continue;
      const target = path.resolve(dir, item.value);
      steps.push(run.readText(target) !== undefined ? target : { dir: target });
    }
  }
  steps.push(...chartFiles(dir, root, run));
  return steps;
}

const includersByRun = new WeakMap<RunContext, Map<string, string[]>>();

/**
 * The files a kustomization's transformers (`images:`) apply to: those it builds (resourcesOf),
 * and for a `kind: Component`, those of every kustomization that includes it, directly or through
 * another component (componentsOf): a component's images rename its includer's resources, as its
 * patches patch them.
 */
export function transformedBy(dir: string, run: RunContext): string[] {
  const out = resourcesOf(dir, run, new Set());
  for (const includer of componentIncluders(dir, run)) out.push(...resourcesOf(includer, run, new Set()));
  return out;
}

/**
 * The kustomization folders whose build applies the transformers (`images:`) of the one in `dir`:
 * itself, and for a `kind: Component`, every kustomization that includes it (transformedBy).
 * What is built through none of them is not transformed by it.
 */
export function transformingBuilds(dir: string, run: RunContext): string[] {
  return [dir, ...componentIncluders(dir, run)];
}

/**
 * Whether the build of the kustomization in `dir` takes `file` through a path that enters none of
 * the folders of `avoid` (`dir` itself included): the folders resourcesOf follows, read once per run.
 */
export function buildsAvoiding(dir: string, file: string, avoid: ReadonlySet<string>, run: RunContext): boolean {
  const seen = new Set<string>();
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (seen.has(d) || avoid.has(d)) continue;
    seen.add(d);
    for (const step of buildSteps(d, run)) {
      if (typeof step !== 'string') stack.push(step.dir);
      else if (step === file) return true;
    }
  }
  return false;
}

/** For a `kind: Component` in `dir`, the kustomization folders that include it, directly or through another component; none otherwise. */
export function componentIncluders(dir: string, run: RunContext): string[] {
  const root = KUSTOMIZATION_NAMES.map((n) => kustomizationRoot(path.join(dir, n), run)).find((r) => r !== undefined);
  const kind = root && getPair(root, 'kind')?.value;
  if (!isScalar(kind) || kind.value !== 'Component') return [];
  let includers = includersByRun.get(run);
  if (!includers) {
    // Listed once per run: which kustomizations include each component.
    includersByRun.set(run, (includers = new Map()));
    for (const f of namedFiles(run).kustomizations) {
      if (!/^components\s*:/m.test(run.readText(f) ?? '')) continue;
      const including = kustomizationRoot(f, run);
      for (const c of including ? componentsOf(path.dirname(f), including, run, new Set()) : []) {
        const cdir = path.dirname(c.file);
        includers.set(cdir, [...(includers.get(cdir) ?? []), path.dirname(f)]);
      }
    }
  }
  return includers.get(dir) ?? [];
}

/** The run's files of the charts a kustomization's `helmCharts` inflates from its chartHome: their templates and values build its resources. */
function chartFiles(dir: string, root: YAMLMap, run: RunContext): string[] {
  const charts = getPair(root, 'helmCharts')?.value;
  if (!isSeq(charts)) return [];
  const globals = getPair(root, 'helmGlobals')?.value;
  const home = isMap(globals) ? getPair(globals, 'chartHome')?.value : undefined;
  const chartHome = path.resolve(dir, isScalar(home) && typeof home.value === 'string' ? home.value : 'charts');
  const folders: string[] = [];
  for (const chart of charts.items) {
    const name = isMap(chart) ? getPair(chart, 'name')?.value : undefined;
    const version = isMap(chart) ? getPair(chart, 'version')?.value : undefined;
    if (!isScalar(name) || typeof name.value !== 'string') continue;
    folders.push(path.join(chartHome, name.value));
    if (isScalar(version) && version.value !== null) folders.push(path.join(chartHome, `${name.value}-${String(version.value)}`));
  }
  // Looked up in the folder index: chains of kustomizations (kustomizeRoots, overlayHolds) ask again for each that builds this one.
  return repositoryFolders(run).underAny(folders);
}

/** The first of a file's holds that reaches a migratable probe's report. */
function findHold(r: Report, file: string, holds: readonly OverlayHold[]): OverlayHold | undefined {
  const container = r.details?.container as string | undefined;
  const envNames = r.envNames ?? [];
  const own = (h: OverlayHold) => h.source?.file === file && (h.source.range === undefined || (r.start >= h.source.range[0] && r.start < h.source.range[1]));
  return holds.find(
    (h) =>
      (h.container === undefined || container === undefined || h.container === container) &&
      (h.kind === 'env'
        ? envNames.some((n) => h.envNames === undefined || h.envNames.includes(n)) && !own(h)
        : h.kind === 'unreadable'
          ? !own(h)
          : h.kind === 'listen'
          ? !own(h) && listenerFor(h, r, file) !== undefined
          : h.kind === 'hostNetwork'
          ? !h.whole && ((h.sets !== false && r.loopback === true) || (h.sets !== true && r.hostIp === true))
          : h.kind === 'values'
            ? r.keyPath === h.keyPath
            : h.kind === 'timeout'
              ? h.probe === r.details?.probe && (r.timeoutNeeded ?? 0) > (h.timeoutSeconds ?? 0)
              : h.probe === r.details?.probe),
  );
}

/** A migratable probe that an overlay needs on exec stays as it is, blocked, naming the overlay. */
export function keepForOverlays(r: Report, file: SourceFile, run: RunContext): Report {
  if (!r.fix || !file.path || r.details?.probe === undefined) return r;
  const envNames = r.envNames ?? [];
  const hold = findHold(r, file.path, overlayHolds(run).get(file.path) ?? []);
  if (!hold) return r;
  if (hold.kind === 'listen') return listenHeld(r, hold, file.path);
  const breaks =
    hold.kind === 'timeout'
      ? `the binary's timeout flags ask for ${r.timeoutNeeded}s, so the native probe that overlay builds would give up sooner than they say. Raise timeoutSeconds there to at least ${r.timeoutNeeded}, or drop the flags, and run again`
      : hold.kind === 'unreadable'
      ? 'once fixed, it may patch the probe (give it another handler, or patch inside exec). Fix that patch, then run the tool again'
      : hold.kind === 'hostNetwork' && r.hostIp
      ? `the probe's -addr dials the downward API's status.hostIP, the node's IP, which is the pod's IP only on the host's network: in that overlay's pods, ${hold.sets === false ? 'off the host\'s network' : 'which may be off the host\'s network'}, the kubelet would dial the pod's own IP, while the exec probe dials the node's, so the native probe would check another address`
      : hold.kind === 'hostNetwork'
      ? "the probe's -addr dials the container's own host (a loopback address; an empty host and 0.0.0.0 connect locally too), while in that overlay's pods, on the host's network, the kubelet would dial the node's IP, where a server bound only to loopback does not answer. Whether this server does is not in the files, so the probe stays on exec"
      : hold.kind === 'env'
        ? `the probe's command reads ${envNames.map((n) => `$(${n})`).join(', ')}, so migrating it here would write the base's value into the grpc probe that overlay builds with its own. Put the value in the probe where the overlay sets it, or patch the whole probe there`
        : hold.kind === 'merge' || hold.kind === 'values'
          ? 'migrating it here would give the probe that overlay builds two handlers, which the API server rejects. Migrate or remove the handler in the patch first'
          : "migrating it here would break that overlay's build. Make the overlay patch the whole probe first";
  const held = heldReport(r, 'overlay-patch', `${hold.why}; ${breaks}`);
  // The overlay-patch hint speaks of handlers and variables a patch merges: not what holds here.
  if (hold.kind === 'hostNetwork' && r.hostIp) {
    const port = r.details?.port !== undefined ? `grpc: {port: ${String(r.details.port)}}` : 'grpc:';
    return {
      ...held,
      hint: `If the server answers on the pod's IP in that overlay's pods too (it listens on all addresses), replace exec with ${port} here by hand, and every overlay gets it. Otherwise keep the probe on exec, or give that overlay a probe of its own (a patch that writes the whole probe) and run the tool again.`,
    };
  }
  if (hold.kind === 'hostNetwork') {
    const port = r.details?.port !== undefined ? `grpc: {port: ${String(r.details.port)}}` : 'grpc:';
    return {
      ...held,
      hint: `If the server listens on all addresses (0.0.0.0 or ::), the kubelet reaches it on the node's IP as on the pod IP: replace exec with ${port} here by hand, and every overlay gets it. If it listens only on loopback, keep the probe on exec (the binary stays in the image), or make the server listen on all addresses first.`,
    };
  }
  return held;
}

/**
 * A probe held by an overlay whose patch makes a container of the pod listen only on loopback at
 * the probe's port (listenHolds), or may (a `$(NAME)` of its listen address that a patch gives a
 * value the tool does not read): where, what, and that the server must listen on the pod IP there.
 */
function listenHeld(r: Report, hold: OverlayHold, file: string): Report {
  const { listener, item } = listenerFor(hold, r, file)!;
  const own = r.details?.container as string | undefined;
  const whose = listener.container === undefined ? `the container at ${listener.indexPath ?? '?'}` : listener.container === own ? `the probe's own container ${JSON.stringify(own)}` : `container ${JSON.stringify(listener.container)} of the same pod (its containers share one network)`;
  const key = /^(args|command|env)\b/.exec(item.what)?.[1] ?? '';
  // A patch that sets only the env an address of the object (or of another patch) names: its env.
  const at = listener.at.get(key) ?? listener.at.get('env') ?? listener.at.get('')!;
  // A container as the build makes it: what it gives may be in the object's or another patch's.
  const m = listener.merged;
  const with_ = m ? [...(m.base !== undefined ? [`the base's container at ${m.base}`] : []), ...(m.others.length > 0 ? [`what ${m.others.join(', ')} ${m.others.length === 1 ? 'writes' : 'write'} into it`] : [])] : [];
  const merged = with_.length > 0 ? `, merged with ${with_.join(' and ')}` : '';
  const unread = item.unread;
  const why = unread
    ? `${hold.why} gives ${whose} the ${item.what} (${at}${merged}), a listen address whose ${unread.part} is ${unread.refs.join(', ')}, a value the tool does not read (the kubelet gives it from a valueFrom, an envFrom, or an entry or op the tool cannot follow): if that is ${unread.part === 'port' ? "the probe's port" : 'loopback'}, in the pods that overlay builds the kubelet's native probe would dial the pod IP, where the server does not listen (the exec probe dialled it inside the pod); the tool cannot tell`
    : `${hold.why} gives ${whose} the ${item.what} (${at}${merged}), which ${item.plural ? 'bind' : 'binds'} the server to loopback on the probe's port: in the pods that overlay builds, the kubelet's native probe would dial the pod IP, where the server does not listen (the exec probe dialled it inside the pod)`;
  return {
    ...heldReport(r, 'overlay-patch', why),
    hint: unread
      ? `Give ${unread.refs.join(', ')} a literal value in the overlay (${at}), or make the server listen on 0.0.0.0 (or the pod IP) on that port there, then run the tool again; until then the probe stays on exec here, and so in every overlay built from it.`
      : `Make the server listen on 0.0.0.0 (or the pod IP) on that port in the overlay (${at}), then run the tool again; until then the probe stays on exec here, and so in every overlay built from it.`,
  };
}

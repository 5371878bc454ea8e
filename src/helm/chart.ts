/** What a chart says about its templates: the kubeVersion range in Chart.yaml, and values.yaml. */
import fs from 'node:fs';
import { filesMayHold } from '../discover/grep.js';
import { namedFiles } from '../discover/names.js';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SemVer } from 'semver';
import type { Document, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq, visit } from '../parse/yaml-lib.js';
import { heldReport } from '../kubernetes/held-report.js';
import { keptHandlers, tunedTimeouts, type KeptHandler } from '../kubernetes/merge-holds.js';
import { filesOfRepository, filesOfRun } from '../run-files.js';
import { enclosingRepository } from '../discover/scope.js';
import { VALUES_NAME } from '../classify.js';
import { NATIVE_GRPC_MIN } from '../analysis/kube-version.js';
import { getPair, keyPathSteps, nodeAt, parseYaml } from '../parse/yaml.js';
import { findActions, keysAbove, maskTemplate, splitAction, type Action } from './mask.js';
import { dynamicIndexes, indexAsFields } from './index-fields.js';
import { settingText } from './settings.js';
import { VALUES_TEMPLATE } from './other-code-releases.js';
import { type CodeRelease, type HoldingRelease, isReleaseValuesFile, registerCodeReleases, releaseHolds, releaseMaySet, releasesHolding, releaseSetsAt, releaseSetsBelow, releaseTimeouts, releaseUnreadAbove, releaseUnreadLayer, releaseValuesAt, releaseWithOutsideValues, SET_HANDLER } from './releases.js';
import { GO_YAML_FALSE, GO_YAML_TRUE, KUBEVIRT_HINT, PROBE_KEYS } from '../kubernetes/probes.js';
import type { BlockerCode, Report, RunContext } from '../types.js';
import { QUOTED_HOST_NETWORK_HINT } from '../blockers.js';
import type { FixedNumber } from '../analysis/native-probe.js';
import { escapeRegExp } from '../text/regexp.js';

export interface Chart {
  root: string;
  chartYaml: string;
  /** The first document of values.yaml, when it parses. */
  values?: YAMLMap;
  /** Why values.yaml does not parse (`line N: …`), when it does not. */
  valuesError?: string;
  /**
   * Other values files shipped with the chart (`values-prod.yaml`, `values.staging.yaml`,
   * chart-testing's `ci/*.yaml`): what releases may install it with. Read when first needed.
   */
  overrides?: ValuesOverride[];
}

/** A values file of the chart other than values.yaml. */
export interface ValuesOverride {
  /** Relative to the chart's folder, `/` separators. */
  file: string;
  absPath: string;
  text: string;
  doc: Document.Parsed<ParsedNode, true>;
  values: YAMLMap;
}

const chartsByRun = new WeakMap<RunContext, Map<string, Chart | null>>();

/**
 * The nearest folder at or above the file's holding a Chart.yaml. Each folder is looked at once
 * per run, so the chart's values, other values files and templates are read once too.
 */
export function findChart(fileAbs: string, run: RunContext): Chart | undefined {
  if (!fileAbs) return undefined;
  let byDir = chartsByRun.get(run);
  if (!byDir) chartsByRun.set(run, (byDir = new Map()));
  const passed: string[] = [];
  let found: Chart | null = null;
  for (let dir = path.dirname(fileAbs); ; ) {
    const known = byDir.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    passed.push(dir);
    const chartYaml = run.readText(path.join(dir, 'Chart.yaml'));
    if (chartYaml !== undefined) {
      found = { root: dir, chartYaml };
      const valuesText = run.readText(path.join(dir, 'values.yaml'));
      if (valuesText !== undefined) {
        const parsed = parseValuesYaml(valuesText);
        const doc = parsed.error ? undefined : parsed.docs[0]?.contents;
        if (isMap(doc)) found.values = doc;
        if (parsed.error) found.valuesError = `line ${valuesText.slice(0, parsed.error.offset).split('\n').length}: ${parsed.error.message}`;
      }
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of passed) byDir.set(d, found);
  return found ?? undefined;
}

/**
 * A values file as Helm reads it: a key given twice is no error (the last wins; values-yaml-broken
 * dup/), so where that is the only error the file is read with each map's last pair for a key
 * (`grpcPort: 50051` then `grpcPort: grpc` renders grpc). Other errors are returned as parseYaml's.
 */
function parseValuesYaml(text: string): ReturnType<typeof parseYaml> {
  const strict = parseYaml(text);
  if (!strict.error) return strict;
  const loose = parseYaml(text, { uniqueKeys: false });
  if (loose.error) return strict;
  for (const d of loose.docs) {
    visit(d, {
      Map(_, map) {
        const seen = new Set<unknown>();
        for (let i = map.items.length - 1; i >= 0; i--) {
          const key = map.items[i]!.key;
          const k = isScalar(key) ? key.value : key;
          if (seen.has(k)) map.items.splice(i, 1);
          else seen.add(k);
        }
      },
    });
  }
  return loose;
}

/**
 * A chart whose values.yaml does not parse: Helm cannot render it, and what its templates read
 * from the values (a port, a hostNetwork, a timeout) cannot be checked, so its template probes
 * stay on exec (values.yaml itself, when it names the binary, is the YAML rule's error).
 */
export function chartValuesBlockers(chart: Chart | undefined): { code: BlockerCode; detail: string }[] {
  if (!chart?.valuesError) return [];
  return [{ code: 'unparseable', detail: `the chart's values.yaml is not valid YAML (${chart.valuesError}): Helm cannot render the chart, and the values its templates read cannot be checked; fix values.yaml and run the tool again` }];
}

/**
 * The kube-version blocker a chart imposes: its kubeVersion range allows clusters older than 1.24,
 * and the user did not name the target version.
 */
const kubeVersionCache = new WeakMap<Chart, { code: BlockerCode; detail: string }[]>();
export function chartKubeVersionBlockers(chart: Chart | undefined, run: RunContext): { code: BlockerCode; detail: string }[] {
  if (!chart || run.options.kubeVersionExplicit) return [];
  let out = kubeVersionCache.get(chart);
  if (!out) kubeVersionCache.set(chart, (out = kubeVersionBlockersOf(chart, run)));
  return out;
}

function kubeVersionBlockersOf(chart: Chart, run: RunContext): { code: BlockerCode; detail: string }[] {
  const own = kubeVersionBlockers(chart.chartYaml, 'Chart.yaml');
  if (own.length > 0) return own;
  // A subchart is installed with its parent, on the clusters the parent allows (and its parent's).
  const seen = new Set<Chart>([chart]);
  const queue = [chart];
  for (let sub = queue.shift(); sub; sub = queue.shift()) {
    for (const { parent } of parentsOf(sub, run)) {
      if (seen.has(parent)) continue;
      seen.add(parent);
      const found = kubeVersionBlockers(parent.chartYaml, `the parent chart's Chart.yaml (${path.relative(chart.root, path.join(parent.root, 'Chart.yaml')).split(path.sep).join('/')})`);
      if (found.length > 0) return found;
      queue.push(parent);
    }
  }
  return [];
}

/** A chart that installs another as a subchart, and the keys its values use for it. */
interface ParentLink {
  parent: Chart;
  keys: Set<string>;
}

const parentsCache = new WeakMap<Chart, ParentLink[]>();

/**
 * The charts that install this one: the chart whose charts/ folder holds it, and any chart of the
 * repository whose dependencies point at its folder (`repository: file://../cart`), as monorepo umbrella
 * charts do.
 */
function parentsOf(chart: Chart, run: RunContext): ParentLink[] {
  let out = parentsCache.get(chart);
  if (out) return out;
  out = [];
  parentsCache.set(chart, out);
  if (path.basename(path.dirname(chart.root)) === 'charts') {
    const parent = findChart(path.join(path.dirname(path.dirname(chart.root)), 'Chart.yaml'), run);
    if (parent) out.push({ parent, keys: parentKeys(chart, parent, run) });
  }
  for (const { parent, key } of [...(fileDependents(run).get(chart.root) ?? []), ...siblingDependents(chart, run)]) {
    const known = out.find((l) => l.parent === parent);
    if (known) known.keys.add(key);
    else out.push({ parent, keys: new Set([key]) });
  }
  return out;
}

const fileDependentsByRun = new WeakMap<RunContext, Map<string, { parent: Chart; key: string }[]>>();

/**
 * Chart folder → the charts of the repository that depend on it through a file:// repository. The
 * repository's, not only the run's: a pre-commit run over `charts/cart/values.yaml` names no
 * umbrella, and one anywhere (`deploy/umbrella` with `repository: file://../../charts/cart`) merges
 * its values over the subchart's as it does in a whole run (hunt9 H3).
 */
function fileDependents(run: RunContext): Map<string, { parent: Chart; key: string }[]> {
  let out = fileDependentsByRun.get(run);
  if (out) return out;
  out = new Map();
  fileDependentsByRun.set(run, out);
  for (const f of umbrellaCandidates(run)) {
    if (!mayDependByFile(path.dirname(f), run)) continue;
    const parent = findChart(f, run);
    if (!parent) continue;
    for (const d of dependenciesOf(parent, run)) {
      const root = fileRepository(parent, d);
      if (root) out.set(root, [...(out.get(root) ?? []), { parent, key: d.alias ?? d.name }]);
    }
  }
  return out;
}

/** Where git looks for file:// dependencies: the files mayDependByFile reads. */
const FILE_DEPENDENCY_PATHSPECS: readonly string[] = [':(glob)**/Chart.yaml', ':(glob)**/requirements.yaml', ':(glob)**/requirements.yml'];

/**
 * The Chart.yaml files of the repository listing whose chart may name a dependency by file://.
 * Beyond a hundred charts (a platform monorepo: 1,600), git grep says which Chart.yaml or
 * requirements.yaml hold `file://`, so that a pre-commit run over one values.yaml reads those only.
 */
function umbrellaCandidates(run: RunContext): string[] {
  const charts: string[] = [];
  const requirements: string[] = [];
  for (const f of namedFiles(run).yaml) {
    const base = f.slice(f.lastIndexOf(path.sep) + 1);
    if (base === 'Chart.yaml') charts.push(f);
    else if (base === 'requirements.yaml' || base === 'requirements.yml') requirements.push(f);
  }
  const may = charts.length > 100 ? filesMayHold(run, [...charts, ...requirements], 'file://', FILE_DEPENDENCY_PATHSPECS) : undefined;
  if (may === undefined) return charts;
  const folders = new Set([...may].map((f) => path.dirname(f)));
  return charts.filter((f) => folders.has(path.dirname(f)));
}

/**
 * Charts in the folders beside this one that depend on it by file://: where the repository's
 * listing is only the run's files (a file list outside any git checkout), `charts/umbrella` beside
 * `charts/cart` is still where a monorepo keeps it. Each folder of charts
 * is read once per run: asked chart by chart, a monorepo's `charts/` of N charts would be read N
 * times over (400 charts took 40 s).
 */
const siblingsByRun = new WeakMap<RunContext, Map<string, Map<string, { parent: Chart; key: string }[]>>>();
function siblingDependents(chart: Chart, run: RunContext): { parent: Chart; key: string }[] {
  let byFolder = siblingsByRun.get(run);
  if (!byFolder) siblingsByRun.set(run, (byFolder = new Map()));
  const folder = path.dirname(chart.root);
  let dependents = byFolder.get(folder);
  if (!dependents) {
    dependents = new Map();
    byFolder.set(folder, dependents);
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      // A folder the tool cannot list holds no umbrella it can see.
    }
    for (const e of entries) {
      const dir = path.join(folder, e.name);
      if (!e.isDirectory() || !mayDependByFile(dir, run)) continue;
      const parent = findChart(path.join(dir, 'Chart.yaml'), run);
      for (const d of parent ? dependenciesOf(parent, run) : []) {
        const root = fileRepository(parent!, d);
        if (root && root !== dir && path.dirname(root) === folder) dependents.set(root, [...(dependents.get(root) ?? []), { parent: parent!, key: d.alias ?? d.name }]);
      }
    }
  }
  return dependents.get(chart.root) ?? [];
}

/**
 * Whether the chart in dir could name a dependency by `file://` (its Chart.yaml or
 * requirements.yaml says so): the others are not parsed, nor their values read, when looking
 * for umbrellas (a pre-commit run over one values.yaml beside 1,600 charts read them all).
 */
function mayDependByFile(dir: string, run: RunContext): boolean {
  const chartYaml = run.readText(path.join(dir, 'Chart.yaml'));
  if (chartYaml === undefined) return false;
  if (chartYaml.includes('file://')) return true;
  return (run.readText(path.join(dir, 'requirements.yaml')) ?? run.readText(path.join(dir, 'requirements.yml')) ?? '').includes('file://');
}

/** The folder of a dependency given as `repository: file://<path>`, relative to the chart. */
function fileRepository(chart: Chart, d: Dependency): string | undefined {
  if (!d.repository?.startsWith('file://')) return undefined;
  return path.resolve(chart.root, d.repository.slice('file://'.length));
}

function kubeVersionBlockers(chartYaml: string, shown: string): { code: BlockerCode; detail: string }[] {
  const parsed = parseYaml(chartYaml);
  const doc = parsed.docs[0]?.contents;
  const node = isMap(doc) ? getPair(doc, 'kubeVersion')?.value : undefined;
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  const range = node.value;
  // Helm (Masterminds semver) separates AND-ed comparators with commas, npm semver with spaces.
  let min: SemVer | null = null;
  try {
    min = minVersion()(range.replace(/,/g, ' '), { loose: true });
  } catch {
    return [{ code: 'kube-version', detail: `${shown} kubeVersion "${range}" cannot be read; pass --kube-version with the real target` }];
  }
  if (!min) return [];
  if (min.major > NATIVE_GRPC_MIN.major || (min.major === NATIVE_GRPC_MIN.major && min.minor >= NATIVE_GRPC_MIN.minor)) return [];
  return [{
    code: 'kube-version',
    detail: `${shown} allows kubeVersion "${range}" (from ${min.major}.${min.minor}); native gRPC probes need ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}, so pass --kube-version when every target cluster is newer`,
  }];
}

/**
 * semver's one function this needs, loaded when a Chart.yaml has a kubeVersion: the package's
 * index loads all of semver (~25 ms, a tenth of a one-manifest run), and most runs meet no chart.
 */
let minVersionFn: typeof import('semver/ranges/min-version.js') | undefined;
function minVersion(): typeof import('semver/ranges/min-version.js') {
  return (minVersionFn ??= createRequire(import.meta.url)('semver/ranges/min-version.js') as typeof import('semver/ranges/min-version.js'));
}

/** A `.Values.a.b` path's literal value in values.yaml (strings, numbers and booleans, as text). */
export function valueAt(chart: Chart | undefined, valuesPath: string): string | undefined {
  return chart?.values ? valueIn(chart.values, valuesPath) : undefined;
}

/**
 * What the chart's other values files, its parents' values and the releases of the repository that
 * install it (src/helm/releases.ts) set a `.Values.a.b` path to (those that do not set it are left
 * out): a default that one of them overrides is not the only value a release may see. `file` as a
 * message names it; `at`, where the value is written in a values file the tool read (its line is
 * counted only when a message names it: settingPlaces).
 */
export function overridesOf(chart: Chart | undefined, valuesPath: string, run: RunContext): { file: string; value: string; at?: ValueSpot }[] {
  if (!chart) return [];
  const own = overridesFor(chart, run).flatMap(({ file, values, absPath, text }) => {
    const node = scalarIn(values, valuesPath);
    return node === undefined ? [] : [{ file, value: scalarSetting(node), at: { absPath, text, offset: node.range![0] } }];
  });
  // A subchart also takes what its parents' values set under its key.
  const fromParents = parentsOf(chart, run).flatMap(({ parent, keys }) => {
    const files: { file: string; values: YAMLMap; absPath: string; text: string | undefined }[] = overridesFor(parent, run).map((o) => ({ file: o.file, values: o.values, absPath: o.absPath, text: o.text }));
    if (parent.values) {
      const absPath = path.join(parent.root, 'values.yaml');
      files.unshift({ file: 'values.yaml', values: parent.values, absPath, text: undefined });
    }
    // `.Values.global.x` is the parent's own `global.x`, shared with every subchart.
    const paths = valuesPath.startsWith('global.') ? [valuesPath] : [...keys].map((k) => `${k}.${valuesPath}`);
    return [
      ...files.flatMap(({ file, values, absPath, text }) =>
        paths.flatMap((p) => {
          const node = scalarIn(values, p);
          // values.yaml's text is read again (from the run's cache) only when a message names its line.
          return node === undefined ? [] : [{ file: `the parent chart's ${file}`, value: scalarSetting(node), at: { absPath, ...(text !== undefined ? { text } : {}), offset: node.range![0] } }];
        }),
      ),
      // A release that installs the parent sets the subchart's values under its key too.
      ...paths.flatMap((p) => releaseValuesAt(parent.root, chartName(parent.chartYaml), p, run)),
    ];
  });
  return [...own, ...fromParents, ...releaseValuesAt(chart.root, chartName(chart.chartYaml), valuesPath, run)];
}

/** Where a values file sets a value: the file, its text when already read, the value node's offset. */
export interface ValueSpot {
  absPath: string;
  text?: string;
  offset: number;
}

/** `path:line` of a ValueSpot, as messages show a file (relative to the run's folder). */
function spotShown(spot: ValueSpot, run: RunContext): string {
  const shown = path.relative(run.cwd, spot.absPath).split(path.sep).join('/');
  const text = spot.text ?? run.readText(spot.absPath);
  if (text === undefined) return shown;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < spot.offset; i = text.indexOf('\n', i + 1)) line++;
  return `${shown}:${line}`;
}

/**
 * Where the values the tool reads set a `.Values.a.b` path of the chart to `value` (what
 * knownSettingsOf gives it, as settingText writes it): values.yaml, the chart's other values files,
 * its parents' values files, values files named on a command line of the repository and loose
 * values files, each as `file:line`; a release, as its message names it. For a message that says
 * which file gives a bad setting (a port that is a name): read only then, not on every lookup.
 */
export function settingPlaces(chart: Chart | undefined, valuesPath: string, value: string, run: RunContext): string[] {
  if (!chart) return [];
  const out: string[] = [];
  const own = chart.values ? scalarIn(chart.values, valuesPath) : undefined;
  if (own && scalarSetting(own) === value) out.push(spotShown({ absPath: path.join(chart.root, 'values.yaml'), offset: own.range![0] }, run));
  for (const o of overridesOf(chart, valuesPath, run)) if (o.value === value) out.push(o.at ? spotShown(o.at, run) : o.file);
  for (const l of looseValuesSettings(valuesPath, run)) if (l.value === value) out.push(l.at ? spotShown(l.at, run) : l.file);
  for (const p of commandLinePlaces(chart, valuesPath, run)) {
    for (const { file, values, charts } of namedValueFiles(run)) {
      if (charts !== undefined && (p.chart === undefined || !charts.has(p.chart.root))) continue;
      const node = scalarIn(values, p.valuesPath);
      if (node && scalarSetting(node) === value) out.push(spotShown({ absPath: file, offset: node.range![0] }, run));
    }
  }
  return [...new Set(out)];
}

/** The keys a parent's values use for a subchart in its charts/ folder: the folder, its name, and any alias the parent's dependencies give it. */
function parentKeys(chart: Chart, parent: Chart, run: RunContext): Set<string> {
  const own = new Set([path.basename(chart.root), chartName(chart.chartYaml)].filter((n): n is string => !!n));
  const names = new Set(own);
  for (const d of dependenciesOf(parent, run)) if (own.has(d.name) && d.alias) names.add(d.alias);
  return names;
}

/** Folders of a chart that hold no values files. */
const NOT_VALUES = /^(templates|charts|crds)(\/|$)/;
/** Folders of a chart whose YAML and JSON files are values files whatever their names (chart-testing's ci/, per-environment values). */
const VALUES_FOLDERS = /(^|\/)(ci|values|env|envs|environments|overrides)\//;

/**
 * Values files written as JSON (`helm -f values-prod.json`: JSON is YAML to Helm), by name only;
 * never Helm's `values.schema.json`, which describes the values rather than setting them.
 */
const VALUES_JSON_NAME = /^values([-_.][^/]*)?\.json$/i;

/** A chart-relative path of a values file other than values.yaml. */
function isOtherValuesFile(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (NOT_VALUES.test(rel) || /^values\.schema\.json$/i.test(base)) return false;
  if (/^values\.ya?ml$/i.test(rel) || !/\.(ya?ml|json)$/i.test(rel)) return false;
  // values-prod.yaml, prod-values.yaml (chart-testing's naming), values-prod.json; or any YAML or
  // JSON in the folders releases take values from.
  return VALUES_NAME.test(base) || VALUES_JSON_NAME.test(base) || SUFFIX_VALUES_NAME.test(base) || VALUES_FOLDERS.test(rel);
}

/** `prod-values.yaml`, `ci_values.json`, `prod.values.yaml`. */
const SUFFIX_VALUES_NAME = /[-_.]values\.(ya?ml|json)$/i;
function overridesFor(chart: Chart, run: RunContext): ValuesOverride[] {
  return (chart.overrides ??= overrideFiles(chart.root, run));
}

function overrideFiles(root: string, run: RunContext): ValuesOverride[] {
  let names: string[] = [];
  try {
    names = (fs.readdirSync(root, { recursive: true }) as string[])
      .map((n) => n.split(path.sep).join('/'))
      .filter(isOtherValuesFile)
      .map((n) => path.join(root, n));
  } catch {
    // A chart folder the tool cannot read: no other values files to add.
  }
  const out: ValuesOverride[] = [];
  for (const absPath of names.sort()) {
    const v = valuesDoc(absPath, run);
    if (v && isMap(v.doc.contents) && !isManifest(v.doc.contents)) out.push({ file: path.relative(root, absPath).split(path.sep).join('/'), ...v, values: v.doc.contents });
  }
  return out;
}

type ValuesDoc = { absPath: string; text: string; doc: Document.Parsed<ParsedNode, true> };
const valuesDocsByRun = new WeakMap<RunContext, Map<string, ValuesDoc | undefined>>();

/** A values file's text and first document, when it reads and parses (read once per run: each probe under a subchart's key asks). */
function valuesDoc(absPath: string, run: RunContext): ValuesDoc | undefined {
  let byPath = valuesDocsByRun.get(run);
  if (!byPath) valuesDocsByRun.set(run, (byPath = new Map()));
  if (byPath.has(absPath)) return byPath.get(absPath);
  const text = run.readText(absPath);
  const parsed = text === undefined ? undefined : parseValuesYaml(text);
  const doc = parsed && !parsed.error ? parsed.docs[0] : undefined;
  const out = text !== undefined && doc ? { absPath, text, doc } : undefined;
  byPath.set(absPath, out);
  return out;
}

const keptByRun = new WeakMap<RunContext, Map<string, KeptHandler[]>>();

/** keptHandlers of a values file, once per run. */
function keptIn(v: ValuesDoc, run: RunContext): KeptHandler[] {
  let byPath = keptByRun.get(run);
  if (!byPath) keptByRun.set(run, (byPath = new Map()));
  let out = byPath.get(v.absPath);
  if (!out) byPath.set(v.absPath, (out = valuesKeptHandlers(v.text, v.doc, v.absPath, run, filesOfRun(run).has(v.absPath))));
  return out;
}

/**
 * keptHandlers for a values file, with what its chart does to its probes: the timeoutSeconds a
 * template writes beside one, and the holds applied after the walk that need no other values file
 * (a template reading its exec, a template on the host's network). A probe one of them keeps on
 * exec must hold the probes it merges with, as a blocked one does.
 */
function valuesKeptHandlers(text: string, doc: Document.Parsed<ParsedNode, true>, absPath: string, run: RunContext, rewritten: boolean): KeptHandler[] {
  const chart = findChart(absPath, run);
  if (!chart) return keptHandlers(text, doc, run, { absPath, rewritten });
  return keptHandlers(text, doc, run, { absPath, rewritten }, {
    renderedTimeout: (_probe, _exec, keyPath) => templateTimeoutBeside(chart, keyPath, run),
    held: (r) => r.keyPath !== undefined && (templateReadingExec(chart, r.keyPath, run) !== undefined || !onHostNetwork(r, chart, run).fix),
  });
}

/**
 * Whether a file holds values merged over a chart's values.yaml: another values file of the chart
 * (values-prod.yaml, values_staging.yaml, or any YAML in its ci/, values/, env(s)/,
 * environments/ or overrides/ folders; never in templates/, charts/, crds/); or a values file
 * outside any chart (an environment's, for
 * helmfile or Argo CD). Helm merges maps key by key, and a null deletes the default's key: a
 * probe migrated there gets `exec: null` (see mergePatch), in documents that are not manifests.
 */
export function isValuesOverride(fileAbs: string, chart: Chart | undefined): boolean {
  if (!fileAbs) return false;
  if (!chart) return VALUES_NAME.test(path.basename(fileAbs));
  const rel = path.relative(chart.root, fileAbs).split(path.sep).join('/');
  return !rel.startsWith('../') && isOtherValuesFile(rel);
}

/** What a YAML file's place in a chart means for its probes (see helmValuesOf). */
export interface HelmValues {
  /** The chart's kubeVersion blockers, when the file holds the chart's values. */
  extraBlockers: { code: BlockerCode; detail: string }[];
  /** Which probes merge over another values file (they get `exec: null`); undefined: none. */
  mergePatch?: (root: YAMLMap, keyPath: string) => boolean;
  /** Whether the default a merging probe goes over may name a grpc service (see ProbeWalkOptions.baseService). */
  baseService?: (root: YAMLMap, keyPath: string) => boolean;
  /** The handlers other than exec that the default a merging probe goes over sets (see ProbeWalkOptions.baseHandlers). */
  baseHandlers?: (root: YAMLMap, keyPath: string) => string[];
  /** Holds a migratable probe that something else in the chart needs on exec. */
  keep(r: Report): Report;
  /** The timeoutSeconds a chart template writes beside a values probe it prints (see ProbeWalkOptions.renderedTimeout). */
  renderedTimeout?: (probePair: unknown, execPair: unknown, keyPath: string) => FixedNumber | { text: string } | undefined;
}

/**
 * A YAML file as Helm values: the chart's values.yaml, another values file of the chart, a values
 * file outside any chart, or none of them (a manifest, a template, a docs file): which of the
 * chart's rules its probes follow.
 */
export function helmValuesOf(file: { path: string; kind: string }, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext): HelmValues {
  if (file.kind !== 'helm-values' && file.kind !== 'yaml' && file.kind !== 'json') return { extraBlockers: [], keep: (r) => r };
  // A release's values (inline in a HelmRelease, an Application, a helmfile; or a values file a
  // release names) are rendered by its chart's templates, as the chart's own values files are.
  const none: HelmValues = { extraBlockers: [], keep: (r) => keepForReleaseValues(r, file.path, run), renderedTimeout: releaseRenderedTimeout(file.path, docs, run) };
  const found = findChart(file.path, run);
  const rel = found ? path.relative(found.root, file.path).split(path.sep).join('/') : '';
  // A file under templates/, charts/ or crds/ (or outside the chart's folder) is not the chart's values.
  const chart = found && !rel.startsWith('../') && !NOT_VALUES.test(rel) ? found : undefined;
  // Values-shaped YAML outside any chart that a release names as a values file (helmfile
  // `values: [envs/prod/cart.yaml]`) merges over its chart's values.yaml, whatever its name.
  const named = !chart && file.kind === 'yaml' && docs.some((d) => isMap(d.contents) && !isManifest(d.contents)) && isReleaseValuesFile(file.path, run);
  // So does YAML outside any chart with neither apiVersion nor kind at its root, that nothing in the
  // repository names: most often the values of a chart from a registry, given by `helm install -f`
  // in a script or a pipeline the tool does not read. Taken as a values file: `exec: null` is
  // harmless where nothing merges under it, and where a default exec does, it is what keeps the
  // probe to one handler.
  const loose = !chart && !named && file.kind === 'yaml' && docs.some((d) => isMap(d.contents) && isValuesShaped(d.contents));
  if (!chart && file.kind !== 'helm-values' && !named && !loose) return none;
  if (loose) {
    return {
      extraBlockers: [],
      renderedTimeout: releaseRenderedTimeout(file.path, docs, run),
      // A Pulumi YAML program's Kubernetes workload (`type: kubernetes:apps/v1:Deployment`) is an object, not values.
      mergePatch: (root, keyPath) => isValuesShaped(root) && !pulumiWorkloadAt(root, keyPath),
      baseService: () => true,
      // A file a helm command gives a chart of the repository (`helm upgrade api ./chart -f deploy/prod.yaml`) merges over that chart's values.yaml.
      baseHandlers: (_root, keyPath) => givenCharts(file.path, run).flatMap((c) => defaultHandlers(c, keyPath, true, run)),
      keep: (r) => {
        // A release's values beside the loose ones (a HelmRelease in the same file) follow its chart.
        const held = keepForReleaseValues(r, file.path, run);
        if (held !== r) return held;
        const loose = keepForLooseValues(r, file.path, run);
        if (loose !== r) return loose;
        return r.details?.mergePatch === true ? { ...r, hint: LOOSE_VALUES_HINT } : r;
      },
    };
  }
  const override = named || isValuesOverride(file.path, chart);
  // Other JSON in a chart (dashboards, schemas, files/) is not values: only its values*.json are.
  if (file.kind === 'json' && !override) return none;
  // A manifest kept in the chart's folder follows neither the chart's kubeVersion nor its merges.
  const valuesDocs = docs.some((d) => isMap(d.contents) && !isManifest(d.contents));
  const extraBlockers = chart && (file.kind === 'helm-values' || (override && valuesDocs)) ? chartKubeVersionBlockers(chart, run) : [];
  // The chart's values under a subchart's name merge over that subchart's values.yaml.
  const subcharts = chart ? subchartsOf(chart, run) : new Map<string, string | undefined>();
  const values: HelmValues = {
    extraBlockers,
    keep: (r) => {
      if (chart) return withTemplateImage(keepForValuesOverrides(r, chart, file.path, run), chart, run);
      const held = keepForReleaseValues(r, file.path, run);
      // `deploy/values-staging.yaml` outside any chart that nothing names is loose values too.
      return held !== r || named || isReleaseValuesFile(file.path, run) || !docs.some((d) => isMap(d.contents) && isValuesShaped(d.contents)) ? held : keepForLooseValues(r, file.path, run);
    },
  };
  values.renderedTimeout = chart ? (_probe, _exec, keyPath) => templateTimeoutBeside(chart, keyPath, run) : releaseRenderedTimeout(file.path, docs, run, true);
  if (override || subcharts.size > 0) {
    values.mergePatch = (root, keyPath) => !isManifest(root) && (override || subcharts.has(keyPath.slice(0, keyPath.indexOf('.'))));
    values.baseService = (_root, keyPath) => !chart || defaultsUnder(chart, keyPath, override, run).some((d) => d === undefined || /service/.test(d));
    // A values file a release names merges over the values.yaml of each chart of the repository the release installs.
    values.baseHandlers = (_root, keyPath) =>
      chart ? defaultHandlers(chart, keyPath, override, run) : releasesHolding(file.path, undefined, keyPath, run).flatMap((release) => chartsInstalled(release, run).flatMap((c) => defaultHandlers(c, release.valuesPath, true, run)));
  }
  return values;
}

/**
 * A probe of loose values (values-shaped YAML outside any chart that no release names, nor a helm
 * command gives to a chart of the repository): most likely the values of a chart kept elsewhere,
 * as a release's of a chart not in the repository are (the AWS VPC CNI's aws-node values, given by
 * a Terraform helm_release, a Pulumi valueYamlFiles asset or `helm upgrade … eks/aws-vpc-cni -f`).
 * Its pod may be on the host's network (node agents keep servers on loopback on purpose: aws-node
 * probes -addr=:50051 and its ipamd binds 127.0.0.1:50051), which the tool cannot see: an -addr
 * that dials the local host (`localhost`, `127.0.0.1`, and an empty host or 0.0.0.0, which Go
 * dials locally) stays on exec, blocked `host`, as keepForReleaseValues holds a release's values
 * of a chart not in the repository.
 */
function keepForLooseValues(r: Report, fileAbs: string, run: RunContext): Report {
  const named = namedValueFiles(run).filter((n) => n.file === fileAbs);
  if (named.some((n) => n.charts !== undefined)) return r;
  if (r.fix && r.details?.mergePatch === true && r.loopback) {
    const shown = path.relative(run.cwd, fileAbs).split(path.sep).join('/');
    const dials = r.loopbackHost !== undefined ? r.loopbackHost : 'the local host (an empty host or 0.0.0.0, which connect locally)';
    const what =
      named.length > 0
        ? `${shown} is Helm values that a helm command (or a Terraform helm_release) of the repository gives to a chart that is not a folder of the repository`
        : pulumiProgram(run.readText(fileAbs))
          ? `${shown} is a Pulumi YAML program, and the resource that holds the probe is no Kubernetes workload the tool reads (a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob): most likely a custom resource whose controller or chart makes the pod`
          : devSpaceConfig(run.readText(fileAbs))
          ? `${shown} is a DevSpace config whose deployment gives these values to a chart (DevSpace's component chart when it names no chart:)`
          : `${shown} is Helm values (no apiVersion or kind at its root) that no chart, release or helm command of the repository names: most likely the values of a chart kept elsewhere`;
    return {
      ...heldReport(
        r,
        'host',
        `-addr dials ${dials}, and ${what}. The chart is not in the repository, so the tool cannot read its pod's network: if the pod gets hostNetwork: true (as node agents' do, such as the AWS VPC CNI's aws-node), the kubelet dials the node's IP, where a server bound only to the loopback does not answer`,
      ),
      hint: `Check the chart these values are given to: if the pod that gets this probe is not on the host's network, migrate by hand (grpc: {port: ${String(r.details.port)}} with exec: null beside it, as the tool writes values); if it is, keep the exec probe, or make the server listen on the node's IP first. If the chart is in the repository, name this file where it is installed (a release's values, or helm upgrade … ./chart -f ${shown}) and the tool checks its templates itself; if the file is not Helm values, migrate by hand.`,
    };
  }
  return r;
}

/** A Pulumi YAML program (`runtime: yaml` and `resources:` at its root). */
function pulumiProgram(text: string | undefined): boolean {
  return text !== undefined && /^runtime:\s*["']?yaml\b/m.test(text) && /^resources:/m.test(text);
}

/** A DevSpace config (`version: v2beta1`, `deployments.<name>.helm.values`). */
function devSpaceConfig(text: string | undefined): boolean {
  // An indented `helm:` (as `^\s+helm:` with m, which may start on a blank line above), found from
  // each `helm:` back: that regex read every run of blank lines again from each line start in it.
  return text !== undefined && /^version:\s*["']?v\d+(?:beta|alpha)\d+/m.test(text) && /^deployments:/m.test(text) && /helm:(?<=^\s+helm:)/m.test(text);
}

const LOOSE_VALUES_HINT =
  'Read as Helm values (no apiVersion or kind at its root, and no chart or release in the repository names it): `exec: null` keeps an exec probe that the chart sets by default from merging back in. If the file is not Helm values, the two added lines are harmless; drop them if you like.';

/**
 * Each setting of `valuesPath` in the loose values files of the repository (values-shaped YAML
 * outside any chart that no release names, see helmValuesOf), with the file shown as a path and
 * the value (undefined when it is not a plain value). Every one counts, not the first: two such
 * files may give two images. A pipeline may install any
 * chart with such a file (`helm -f`), so settingsOf counts its setting.
 */
interface LooseFile {
  file: string;
  text: string;
  /** Its values-shaped documents, parsed when a lookup first needs them. */
  values?: YAMLMap[];
}
type LooseSetting = { file: string; value: string | undefined; at?: ValueSpot };
const looseByRun = new WeakMap<RunContext, { files: LooseFile[]; byPath: Map<string, LooseSetting[]> }>();
export function looseValuesSettings(valuesPath: string, run: RunContext): LooseSetting[] {
  let loose = looseByRun.get(run);
  if (!loose) {
    // Listed once per run: the YAML files outside any chart that no release names and that are
    // not manifests (apiVersion and kind at the start of a line). Parsed only when a lookup's
    // last key is in their text.
    const files: LooseFile[] = [];
    // A file a helm command gives to the chart it names (`helm upgrade api ./api -f deploy/api.yaml`) is that chart's (namedValuesAt).
    const given = new Set(namedValueFiles(run).flatMap((n) => (n.charts === undefined ? [] : [n.file])));
    for (const f of run.repositoryFiles()) {
      if (!/\.ya?ml$/i.test(f) || path.basename(f).startsWith('Chart.') || given.has(f)) continue;
      const text = run.readText(f);
      if (!text || (/^apiVersion:/m.test(text) && /^kind:/m.test(text))) continue;
      const found = findChart(f, run);
      if (found && !path.relative(found.root, f).startsWith('..')) continue;
      files.push({ file: f, text });
    }
    looseByRun.set(run, (loose = { files, byPath: new Map() }));
  }
  const known = loose.byPath.get(valuesPath);
  if (known) return known;
  const last = `${valuesPath.slice(valuesPath.lastIndexOf('.') + 1)}:`;
  const out: LooseSetting[] = [];
  for (const l of loose.files) {
    if (!l.text.includes(last)) continue;
    if (!l.values) {
      const parsed = isReleaseValuesFile(l.file, run) ? undefined : parseYaml(l.text, { uniqueKeys: false });
      const values: YAMLMap[] = [];
      for (const d of !parsed || parsed.error ? [] : parsed.docs) if (isMap(d.contents) && isValuesShaped(d.contents)) values.push(d.contents);
      l.values = values;
    }
    for (const set of l.values.filter((v) => nodeAt(v, valuesPath) !== undefined)) {
      const node = scalarIn(set, valuesPath);
      out.push({ file: path.relative(run.cwd, l.file).split(path.sep).join('/'), value: node && scalarSetting(node), ...(node ? { at: { absPath: l.file, text: l.text, offset: node.range![0] } } : {}) });
    }
  }
  loose.byPath.set(valuesPath, out);
  return out;
}

/** Neither apiVersion nor kind at the root: values, not a Kubernetes object (whole or partial). */
/**
 * A Pulumi YAML program's built-in workload resource holding this key path
 * (`resources.api.properties.spec.template…` of `type: kubernetes:apps/v1:Deployment`): the
 * object itself, its apiVersion and kind in the type token. Custom resources (KubeVela's
 * Application, …) and Helm/YAML resources are not.
 */
function pulumiWorkloadAt(root: YAMLMap, keyPath: string): boolean {
  const m = /^resources\.([^.[]+)\.properties\./.exec(keyPath);
  const resources = m ? getPair(root, 'resources')?.value : undefined;
  const resource = isMap(resources) ? getPair(resources, m![1]!)?.value : undefined;
  const type = isMap(resource) ? getPair(resource, 'type')?.value : undefined;
  return isScalar(type) && PULUMI_WORKLOADS.test(String(type.value));
}
const PULUMI_WORKLOADS = /^kubernetes:(?:core\/v1:(?:Pod|ReplicationController|PodTemplate)|apps\/v1:(?:Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:(?:Job|CronJob))$/;

function isValuesShaped(root: YAMLMap): boolean {
  return getPair(root, 'apiVersion') === undefined && getPair(root, 'kind') === undefined;
}

/** A document with apiVersion and kind at its root is a manifest, not values. */
export function isManifest(root: YAMLMap): boolean {
  return getPair(root, 'apiVersion') !== undefined && getPair(root, 'kind') !== undefined;
}

/**
 * values.yaml probes that a values file of the chart sets with a handler other than grpc, which
 * this run leaves there: keyPath → which file, and what it keeps. Migrating such a default
 * would give a release installed with that file a probe with two handlers.
 */
const valuesHoldsCache = new WeakMap<Chart, Map<string, { file: string; kept: string }>>();
function valuesHolds(chart: Chart, run: RunContext): Map<string, { file: string; kept: string }> {
  let out = valuesHoldsCache.get(chart);
  if (out) return out;
  out = new Map();
  valuesHoldsCache.set(chart, out);
  const inRun = filesOfRun(run);
  for (const o of overridesFor(chart, run)) {
    for (const k of valuesKeptHandlers(o.text, o.doc, o.absPath, run, inRun.has(o.absPath))) if (!out.has(k.keyPath)) out.set(k.keyPath, { file: o.file, kept: k.kept });
  }
  // A values file of the repository that a helm command gives this chart (`helm upgrade --install
  // api ./chart -f env/dev-values.yaml` in a script): merged over values.yaml as the chart's own are.
  for (const n of namedValueFiles(run)) {
    if (n.charts === undefined || !n.charts.has(chart.root)) continue;
    const v = valuesDoc(n.file, run);
    if (!v) continue;
    const shown = path.relative(run.cwd, n.file).split(path.sep).join('/');
    for (const k of valuesKeptHandlers(v.text, v.doc, v.absPath, run, inRun.has(v.absPath))) if (!out.has(k.keyPath)) out.set(k.keyPath, { file: shown, kept: `(given to this chart by a helm command's -f) ${k.kept}` });
  }
  return out;
}

function valueIn(values: YAMLMap, valuesPath: string): string | undefined {
  const node = scalarIn(values, valuesPath);
  return node && scalarSetting(node);
}

/** The scalar a values path holds when it is a string, a number or a boolean (what valueIn reads). */
function scalarIn(values: YAMLMap, valuesPath: string): (Scalar & { value: string | number | boolean }) | undefined {
  let node: unknown = values;
  for (const key of valuesPath.split('.')) {
    if (!isMap(node)) return undefined;
    node = getPair(node, key)?.value;
  }
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number' && typeof node.value !== 'boolean')) return undefined;
  return node as Scalar & { value: string | number | boolean };
}

function scalarSetting(node: Scalar & { value: string | number | boolean }): string {
  return settingText(node.value, node.type === 'PLAIN');
}

/**
 * A migratable probe of a chart's values stays as it is, blocked, when a template reads its exec
 * by path, or (values.yaml) when another values file of the chart, or a release elsewhere in the
 * repository that installs the chart with values of its own (releases.ts), keeps it on another handler.
 */
function keepForValuesOverrides(r: Report, chart: Chart | undefined, fileAbs: string, run: RunContext): Report {
  // Also a value under a probe's key read as no probe (`livenessProbe.cmd`, "a form the tool cannot
  // read"): a report without the probe walk's details.probe.
  const unread = r.subject === 'consumer' || (r.subject === 'probe' && r.details?.probe === undefined);
  if (!r.fix && chart && unread && typeof r.details?.path === 'string') return renderedAsProbe(r, r.details.path, chart, run) ?? readByTemplate(r, r.details.path, chart, run);
  if (!r.fix || !chart || r.keyPath === undefined) return r;
  const placed = chartValuesChecks(r, chart, run, fileAbs);
  if (!placed.fix) return placed;
  // A values file of the chart that a release merges a later layer over (Argo CD `valueFiles: [this,
  // values-tls.yaml]`, `helm -f this -f other`, then `helm.values`).
  if (isValuesOverride(fileAbs, chart)) {
    const doc = typeof r.details?.document === 'number' ? r.details.document - 1 : undefined;
    for (const release of releasesHolding(fileAbs, doc, r.keyPath, run)) {
      const held = heldByLaterLayer(placed, release);
      if (held) return held;
    }
    return placed;
  }
  const hold = valuesHolds(chart, run).get(r.keyPath) ?? parentHolds(chart, run).get(r.keyPath);
  if (!hold) {
    const release = releaseHolds(chart.root, chartName(chart.chartYaml), run).get(r.keyPath);
    if (!release) {
      // `helm upgrade web "$CHART" --set 'readinessProbe.exec.command[1]=…'`: a helm command whose
      // chart the tool cannot name may install this one, and Helm would build exec beside grpc.
      // So does `--set-json 'readinessProbe={"exec":…}'` (merged key by key: any handler), or a set of a parent key.
      const keyPath = r.keyPath;
      const set = commandLines(run).unscoped.find((s) => SET_HANDLER.exec(s.path)?.[1] === keyPath || s.path === keyPath || keyPath.startsWith(s.path + '.'));
      if (set !== undefined) {
        return heldReport(placed, 'overlay-patch', `${set.shown} sets ${set.path}, and its chart is not one the tool can name (it may be this one): migrated here, Helm would build ${SET_HANDLER.test(set.path) ? 'that handler' : 'any handler it sets'} beside grpc, two handlers, which the API server rejects. Remove that set (or migrate the probe by hand with it) first`);
      }
      // A release layer the tool cannot read (a helmfile `.gotmpl` values file, a Secret no file writes) may keep it on exec.
      const unread = releaseUnreadAbove(chart.root, chartName(chart.chartYaml), r.keyPath, run);
      if (unread !== undefined) {
        return {
          ...heldReport(placed, 'overlay-patch', `${unread}; migrated here, it may render with that handler beside grpc (two handlers, which the API server refuses)`),
          hint: 'Check that layer: if it sets no handler of this probe (or says exec: null and grpc), migrate this one by hand; or write the probe in a layer the tool reads. Then run the tool again.',
        };
      }
      return chartUsersCaveat(cutShort(placed, chart, run));
    }
    return heldReport(
      placed,
      'overlay-patch',
      `${release.file} ${release.kept}; migrating it here would give that release a probe with two handlers, which the API server rejects. Migrate or remove the handler there first`,
    );
  }
  return heldReport(
    placed,
    'overlay-patch',
    `${hold.file} ${hold.kept}; migrating it here would give a release installed with that file a probe with two handlers, which the API server rejects. Migrate or remove the handler in ${hold.file} first`,
  );
}

/**
 * A release layer's probe that a later layer of the same release holds: one (a later valuesFrom
 * entry, spec.values, a HelmChartConfig, a later values file) that keeps exec would render it beside
 * this layer's grpc; so would `--set readinessProbe.exec.command[1]=…` (Argo CD helm.parameters, a
 * HelmChart's spec.set, a helm command's --set), which Helm sets over these values.
 */
function heldByLaterLayer(r: Report, release: HoldingRelease): Report | undefined {
  if (release.over !== undefined) {
    return {
      ...heldReport(r, 'overlay-patch', `${release.shown} merges a later layer over these values: ${release.over}, so the migrated probe would render with that handler beside grpc (two handlers, which the API server refuses)`),
      hint: 'Migrate the probe in the layer merged last first (once it says exec: null and grpc, or none of its handler, this one can migrate), or move the probe to one layer; then run the tool again.',
    };
  }
  if (release.setsHandler) {
    return heldReport(r, 'overlay-patch', `${release.shown} also sets ${release.setsHandler}, which Helm sets over these values: migrated here, the release would render a probe with exec beside grpc, two handlers, which the API server rejects. Remove that set (or migrate the probe by hand with it) first`);
  }
  return undefined;
}

/**
 * A migratable probe in a release's values (a Flux HelmRelease's `spec.values`, an Argo CD
 * Application's `helm.valuesObject`, a helmfile release's inline values, a values file a release
 * names): each chart of the repository the release installs (matched as releases.ts matches them,
 * by path or by name) renders it as it renders the same probe in one of its own values files, so
 * the same checks hold it (a template on the host's network, one that reads its exec, a schema,
 * a KubeVirt resource). A release whose chart is not in the repository renders it in a pod the
 * tool cannot see: an -addr that dials the local host blocks (`host`), since that pod may be on
 * the host's network (node agents' are: the AWS VPC CNI's aws-node probes -addr=:50051 and its
 * ipamd binds 127.0.0.1:50051), where the kubelet dials the node's IP.
 */
export function keepForReleaseValues(r: Report, fileAbs: string, run: RunContext): Report {
  if (!r.fix || r.keyPath === undefined || r.details?.mergePatch !== true) return r;
  const doc = typeof r.details.document === 'number' ? r.details.document - 1 : undefined;
  let out = r;
  for (const release of releasesHolding(fileAbs, doc, r.keyPath, run)) {
    const held = heldByLaterLayer(out, release);
    if (held) return held;
    const charts = chartsInstalled(release, run);
    if (charts.length === 0 && r.loopback) {
      return {
        ...heldReport(
          out,
          'host',
          `${release.shown} installs the chart ${release.chart}, which is not in the repository: -addr dials the local host (loopback, or an empty host or 0.0.0.0, which connect locally), and if the chart's pod is on the host's network (hostNetwork: true, as node agents' are) the kubelet dials the node's IP, where a server bound only to 127.0.0.1 does not answer. The tool cannot see the chart's templates to tell`,
        ),
        hint: `Check the chart's templates: if its pod is not on the host's network (no hostNetwork: true where this probe is printed), migrate by hand (grpc: {port: N} with exec: null beside it, as the tool writes release values); if it is, keep the exec probe, or make the server listen on the node's IP first. With the chart in the repository (a path the release names, or a chart of that name), the tool checks its templates itself.`,
      };
    }
    for (const chart of charts) {
      const checked = chartValuesChecks({ ...out, keyPath: release.valuesPath }, chart, run, fileAbs, (f) => path.relative(run.cwd, path.join(chart.root, f)).split(path.sep).join('/'));
      out = { ...checked, keyPath: r.keyPath };
      if (!out.fix) return out;
    }
  }
  return out;
}

/**
 * What a chart's templates and schema make of a probe of values merged over its values.yaml (the
 * values file at fileAbs), at r.keyPath of those values: a template that reads its exec, a KubeVirt
 * resource, a schema that refuses grpc, a subchart's default it cannot delete, a pod on the host's
 * network. `show` names the chart's files in messages (relative to the chart by default).
 */
function chartValuesChecks(r: Report, chart: Chart, run: RunContext, fileAbs: string, show: (file: string) => string = (f) => f): Report {
  if (r.keyPath === undefined) return r;
  const reader = templateReadingExec(chart, r.keyPath, run);
  if (reader) return heldReport(r, 'unparseable', `${show(reader.file)} reads ${reader.what}, which would be gone (rendering fails, or renders another command); change the template first`);
  // Printed into a KubeVirt virtual machine (`readinessProbe: {{- toYaml .Values.readinessProbe
  // | nindent 8 }}` under a VirtualMachine's spec.template.spec): its Probe has no grpc, as in YAML.
  const vm = printingTemplates(chart, r.keyPath, run).find((t) => KUBEVIRT_API_VERSION.test(t.text));
  if (vm) {
    return {
      ...heldReport(r, 'no-native-check', `${show(vm.file)} renders it in a KubeVirt resource (${KUBEVIRT_API_VERSION.exec(vm.text)![1]}): a virtual machine's probes have exec (run inside the guest by the QEMU guest agent), httpGet, tcpSocket and guestAgentPing, and no grpc handler`),
      hint: KUBEVIRT_HINT,
    };
  }
  const own = schemaRefusesGrpc(chart, r.keyPath, run);
  const schema = own ? { file: show('values.schema.json') === 'values.schema.json' ? "the chart's values.schema.json" : show('values.schema.json'), ...own } : subchartSchemaRefuses(chart, r.keyPath, run);
  if (schema) {
    return {
      ...heldReport(r, 'unparseable', `${schema.file} ${schema.why}, and Helm checks the values against it (install, upgrade, template, lint): the migrated values ${schema.unsure ? 'may' : 'would'} fail that check`),
      hint: `Allow grpc in ${show('values.schema.json')} at ${r.keyPath} (properties: grpc: {type: object, properties: {port: {type: integer}, service: {type: string}}}, and exec no longer required), or regenerate the schema once the values are migrated by hand; then run the tool again.`,
    };
  }
  const subchartHold = subchartDefaultHold(chart, r.keyPath, fileAbs, run);
  if (subchartHold) return heldReport(r, 'overlay-patch', subchartHold);
  return onHostNetwork(r, chart, run, show);
}

/**
 * The timeoutSeconds the chart of a release (in the repository) writes beside a probe of the
 * release's values that it prints (templateTimeoutBeside): a timeoutSeconds added to the release's
 * probe would be a second key in the rendered probe. When the releases holding the probe's place
 * disagree, the timeout is not known.
 */
export function releaseRenderedTimeout(fileAbs: string, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext, valuesFile = false): HelmValues['renderedTimeout'] {
  return (probe, _exec, keyPath) => {
    // Only values a release holds (releasesIn's layers): a manifest's own probes ask nothing.
    if (!valuesFile && !RELEASE_VALUES_KEY.test(keyPath)) return undefined;
    const start = (probe as { key?: { range?: [number, number, number] } }).key?.range?.[0];
    const doc = start === undefined ? -1 : docs.findIndex((d) => d.range[0] <= start && start < d.range[2]);
    return timeoutBesideIn(releasesHolding(fileAbs, doc === -1 ? undefined : doc, keyPath, run), run);
  };
}

/** releaseRenderedTimeout for Helm values held in a string at `at` of a document (a ConfigMap's values.yaml, a HelmChart's valuesContent: src/helm/values-strings.ts). */
export function stringRenderedTimeout(fileAbs: string, doc: number, at: string, run: RunContext): HelmValues['renderedTimeout'] {
  return (_probe, _exec, keyPath) => timeoutBesideIn(releasesHolding(fileAbs, doc, `${at}.${keyPath}`, run), run);
}

function timeoutBesideIn(releases: readonly HoldingRelease[], run: RunContext): ReturnType<NonNullable<HelmValues['renderedTimeout']>> {
  const found = releases.flatMap((release) => chartsInstalled(release, run).map((c) => templateTimeoutBeside(c, release.valuesPath, run)));
  const first = found[0];
  if (found.every((f) => JSON.stringify(f) === JSON.stringify(first))) return first;
  const beside = found.find((f) => f !== undefined)!;
  return { text: 'value' in beside ? beside.source : beside.text };
}

/** Where releases hold values in their documents (releasesIn): `spec.values`, `….helm.valuesObject`, `releases[0].values[1]`, `helmCharts[0].valuesInline`, Skaffold's `deploy.helm.releases[0].overrides`. */
const RELEASE_VALUES_KEY = /(^|\.)(values|valuesObject|valuesInline|overrides)(\.|\[)/;

/**
 * For rules outside YAML (a Pulumi `helm.v3.Release` with a local `chart: "../charts/cni"`): a
 * migratable probe of the values a release merges over the chart in the folder chartRoot, at
 * valuesPath of those values, checked as keepForReleaseValues checks a YAML release's. Unchanged
 * when no chart is there (the caller decides what an unknown chart means).
 */
export function keepForLocalChartValues(r: Report, chartRoot: string, valuesPath: string, run: RunContext): Report {
  const chart = findChart(path.join(chartRoot, 'Chart.yaml'), run);
  if (!r.fix || !chart || chart.root !== path.resolve(chartRoot)) return r;
  const checked = chartValuesChecks({ ...r, keyPath: valuesPath }, chart, run, '', (f) => path.relative(run.cwd, path.join(chart.root, f)).split(path.sep).join('/'));
  return r.keyPath === undefined ? (({ keyPath: _k, ...rest }) => rest)(checked) : { ...checked, keyPath: r.keyPath };
}

const repositoryChartsByRun = new WeakMap<RunContext, { chart: Chart; name: string | undefined }[]>();

/** The charts of the repository the release installs (each folder with a Chart.yaml, listed with its name once per run). */
function chartsInstalled(release: { installs(chartRoot: string, chartName: string | undefined): boolean }, run: RunContext): Chart[] {
  let all = repositoryChartsByRun.get(run);
  if (!all) {
    all = run
      .repositoryFiles()
      .filter((f) => path.basename(f) === 'Chart.yaml')
      .map((f) => findChart(f, run))
      .filter((c): c is Chart => c !== undefined)
      .map((chart) => ({ chart, name: chartName(chart.chartYaml) }));
    repositoryChartsByRun.set(run, all);
  }
  return all.filter((c) => release.installs(c.chart.root, c.name)).map((c) => c.chart);
}

/**
 * A chart's own values.yaml probe that migrates: the releases of the repository were checked, but
 * Helm merges a release's values into these map by map, so values from elsewhere (a pipeline's
 * `helm -f`, `--set`, the chart's users) that still set the probe's exec would render it with two
 * handlers. The hint says so, and what such values need.
 */
function chartUsersCaveat(r: Report): Report {
  if (!r.fix || r.hint !== undefined || r.keyPath === undefined) return r;
  return {
    ...r,
    hint: `Helm merges values map by map: a release whose own values (a -f file or --set outside this repository, a user of the chart) still set ${r.keyPath}.exec would render both exec and grpc, which the API server rejects. Such values need ${r.keyPath}.grpc: null beside their exec, or to move to grpc as well. Releases of this repository that install the chart (Flux, Argo CD, helmfile, Skaffold, Pulumi YAML) and values files a helm command of the repository gives it with -f were checked.`,
  };
}

/**
 * A values.yaml probe whose binary flags ask for more time (-rpc-timeout=5s) than another values
 * file of the chart, or a release's values, give it with a timeoutSeconds of their own and no
 * handler: the probe such a release renders would give up sooner than the flags say, so it stays
 * on exec, as an overlay's lower timeoutSeconds holds a base probe (src/kustomize/overlays.ts).
 */
function cutShort(r: Report, chart: Chart, run: RunContext): Report {
  const needed = r.timeoutNeeded;
  if (!r.fix || needed === undefined || r.keyPath === undefined) return r;
  const cuts = overridesFor(chart, run).flatMap((o) => tunedTimeouts(o.doc).filter((t) => t.keyPath === r.keyPath).map((t) => ({ file: o.file, timeoutSeconds: t.timeoutSeconds })));
  const release = releaseTimeouts(chart.root, chartName(chart.chartYaml), run).get(r.keyPath);
  if (release) cuts.push(release);
  // A parent chart's values and releases set this chart's probe under its key too.
  for (const { parent, keys } of parentsOf(chart, run)) {
    const parentFiles: { file: string; doc: Document.Parsed<ParsedNode, true> }[] = [...overridesFor(parent, run)];
    const own = valuesDoc(path.join(parent.root, 'values.yaml'), run);
    if (own) parentFiles.unshift({ file: 'values.yaml', doc: own.doc });
    const fromReleases = releaseTimeouts(parent.root, chartName(parent.chartYaml), run);
    for (const key of keys) {
      const keyPath = `${key}.${r.keyPath}`;
      for (const f of parentFiles) for (const t of tunedTimeouts(f.doc)) if (t.keyPath === keyPath) cuts.push({ file: `the parent chart's ${f.file}`, timeoutSeconds: t.timeoutSeconds });
      const fromRelease = fromReleases.get(keyPath);
      if (fromRelease) cuts.push(fromRelease);
    }
  }
  const cut = cuts.filter((c) => c.timeoutSeconds < needed).sort((a, b) => a.timeoutSeconds - b.timeoutSeconds)[0];
  if (!cut) return r;
  return heldReport(
    r,
    'overlay-patch',
    `${cut.file} sets its timeoutSeconds to ${cut.timeoutSeconds}; the binary's timeout flags ask for ${needed}s, so the native probe a release renders with it would give up sooner than they say. Raise timeoutSeconds there to at least ${needed}, or drop the flags, and run again`,
  );
}

type JsonSchema = { [key: string]: unknown };
const schemaCache = new WeakMap<Chart, JsonSchema | null>();

/** The chart's values.schema.json, when it reads and parses as a JSON object (read once per chart). */
function valuesSchema(chart: Chart, run: RunContext): JsonSchema | undefined {
  let out = schemaCache.get(chart);
  if (out === undefined) {
    out = null;
    const text = run.readText(path.join(chart.root, 'values.schema.json'));
    try {
      const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) out = parsed as JsonSchema;
    } catch {
      // Not JSON: Helm refuses the chart itself; nothing to read here.
    }
    schemaCache.set(chart, out);
  }
  return out ?? undefined;
}

/** Schema keywords that constrain an object in ways the walk below does not follow. */
const SCHEMA_UNREAD = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedProperties', 'dependentSchemas', 'dependencies', '$dynamicRef', '$recursiveRef'];

/**
 * Why the chart's values.schema.json would (or may) refuse the probe at keyPath once it is grpc:
 * the probe's object allows no properties beyond those it lists (`additionalProperties: false`, as
 * holgerjh/helm-schema and other generators write it from a values.yaml) and grpc is not one, it
 * requires exec, or its grpc allows no port. Followed through `properties`, `patternProperties`,
 * an `additionalProperties` schema, `items` and local `$ref`s. Where the path or the probe's
 * object uses what the walk does not follow (`allOf`, `oneOf` — often 'exactly one handler' —,
 * `not`, `if`, `propertyNames`, `unevaluatedProperties`, a `$ref` to another file or a URL, which
 * Helm fetches), the tool cannot tell that Helm takes grpc: that is said too (`unsure`). A path
 * the schema does not describe (no such property, nothing beyond) allows anything: nothing is said.
 */
function schemaRefusesGrpc(chart: Chart, keyPath: string, run: RunContext): { why: string; unsure?: true } | undefined {
  const root = valuesSchema(chart, run);
  if (!root) return undefined;
  /** The schema a node stands for through local $refs; `remote`: a $ref the tool does not read. */
  const resolve = (node: unknown): JsonSchema | { remote: string } | undefined => {
    let n = node;
    for (let i = 0; i < 20 && n !== null && typeof n === 'object' && typeof (n as JsonSchema).$ref === 'string'; i++) {
      const ref = (n as JsonSchema).$ref as string;
      if (!ref.startsWith('#')) return { remote: ref };
      n = ref
        .slice(1)
        .split('/')
        .filter((p) => p !== '')
        .map((p) => decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce<unknown>((at, p) => (at !== null && typeof at === 'object' ? (at as JsonSchema)[p] : undefined), root);
    }
    return n !== null && typeof n === 'object' && !Array.isArray(n) ? (n as JsonSchema) : undefined;
  };
  const isObject = (v: unknown): v is JsonSchema => v !== null && typeof v === 'object' && !Array.isArray(v);
  /** The schemas that apply to a property `key` of an object schema: its property, the patterns it matches, else additionalProperties. */
  const schemasOf = (node: JsonSchema, key: string): unknown[] => {
    const props = node.properties;
    const out: unknown[] = isObject(props) && key in props ? [props[key]] : [];
    const patterns = node.patternProperties;
    if (isObject(patterns)) {
      for (const [p, sub] of Object.entries(patterns)) {
        let matches = true;
        try {
          matches = new RegExp(p, 'u').test(key);
        } catch {
          // A pattern JavaScript does not read: it may match.
        }
        if (matches) out.push(sub);
      }
    }
    if (out.length === 0 && isObject(node.additionalProperties)) out.push(node.additionalProperties);
    return out;
  };
  const allows = (node: JsonSchema, key: string): boolean => node.additionalProperties !== false || schemasOf(node, key).length > 0;
  const unread = (node: JsonSchema, at: string): { why: string; unsure: true } | undefined => {
    const keyword = SCHEMA_UNREAD.find((k) => k in node);
    return keyword === undefined ? undefined : { why: `uses ${keyword} at ${at || 'its top'}, which the tool does not follow: it cannot tell that Helm takes grpc in ${keyPath}`, unsure: true };
  };
  const remote = (ref: string) => ({ why: `refers to ${ref} for ${keyPath}, which the tool does not read (Helm does): it cannot tell that Helm takes grpc there`, unsure: true as const });
  let node = resolve(root);
  let at = '';
  for (const step of keyPathSteps(keyPath)) {
    if (!node) return undefined;
    if ('remote' in node && typeof node.remote === 'string') return remote(node.remote);
    const schema = node as JsonSchema;
    const skipped = unread(schema, at);
    if (skipped) return skipped;
    let subs: unknown[];
    if (typeof step === 'number') {
      const items = schema.items;
      subs = Array.isArray(items) ? [items[step]] : items === undefined ? [] : [items];
    } else subs = schemasOf(schema, step);
    at = at === '' ? String(step) : `${at}.${String(step)}`;
    // Two schemas apply (a property and a pattern): the tool reads one path, so it cannot tell.
    if (subs.length > 1) return { why: `gives ${at} more than one schema (properties and patternProperties), which the tool does not follow: it cannot tell that Helm takes grpc in ${keyPath}`, unsure: true };
    node = subs.length === 0 ? undefined : resolve(subs[0]);
  }
  if (!node) return undefined;
  if ('remote' in node && typeof node.remote === 'string') return remote(node.remote);
  const probe = node as JsonSchema;
  const skipped = unread(probe, keyPath);
  if (skipped) return skipped;
  if (!allows(probe, 'grpc')) return { why: `allows no grpc in ${keyPath} (additionalProperties: false, and grpc is not among its properties)` };
  if (Array.isArray(probe.required) && probe.required.includes('exec')) return { why: `requires exec in ${keyPath}` };
  const grpcs = schemasOf(probe, 'grpc').map(resolve);
  if (grpcs.length === 1 && grpcs[0] && !('remote' in grpcs[0] && typeof grpcs[0].remote === 'string')) {
    const grpc = grpcs[0] as JsonSchema;
    const inGrpc = unread(grpc, `${keyPath}.grpc`);
    if (inGrpc) return inGrpc;
    if (!allows(grpc, 'port')) return { why: `allows no port in ${keyPath}.grpc` };
  } else if (grpcs.length > 0) return { why: `gives ${keyPath}.grpc a schema the tool does not follow: it cannot tell that Helm takes grpc there`, unsure: true };
  return undefined;
}

/** A parent's probe under a subchart's key (`cart.livenessProbe`): Helm checks it against the unpacked subchart's own schema too. */
function subchartSchemaRefuses(chart: Chart, keyPath: string, run: RunContext): { file: string; why: string; unsure?: true } | undefined {
  const dot = keyPath.indexOf('.');
  const root = dot === -1 ? undefined : subchartsOf(chart, run).get(keyPath.slice(0, dot));
  const sub = root ? findChart(path.join(root, 'Chart.yaml'), run) : undefined;
  const refusal = sub ? schemaRefusesGrpc(sub, keyPath.slice(dot + 1), run) : undefined;
  if (!sub || !refusal) return undefined;
  return { file: `the subchart's ${path.relative(chart.root, path.join(sub.root, 'values.schema.json')).split(path.sep).join('/')}`, ...refusal };
}

/**
 * A value that runs the binary, outside a probe's key, that a template of the chart prints into a
 * probe: a map with an exec (`customLivenessProbe.exec.command`, as Bitnami charts name it)
 * printed as the probe (`livenessProbe: {{- include "common.tplvalues.render" (dict "value"
 * .Values.customLivenessProbe …) }}`, or `{{- toYaml .Values.customLivenessProbe | nindent 12 }}`
 * below `livenessProbe:`), or a command (`healthCheckCommand: [/bin/grpc_health_probe, …]`, a
 * string for `sh -c`) printed as a probe's exec command (`command: {{- toYaml
 * .Values.healthCheckCommand | nindent 16 }}` under `livenessProbe: exec:`). It is a probe, not a
 * container's command; the tool migrates values probes under a probe's own key only, so it stays,
 * said as what it is. Undefined when no template prints it so.
 */
function renderedAsProbe(r: Report, valuesPath: string, chart: Chart, run: RunContext): Report | undefined {
  const asProbe = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\.exec\.command\[\d+\]$/.exec(valuesPath);
  const asCommand = asProbe ? null : /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(?:\[\d+\])?$/.exec(valuesPath);
  const owner = (asProbe ?? asCommand)?.[1];
  if (owner === undefined) return undefined;
  for (const { file, text, prints } of printingTemplates(chart, owner, run)) {
    const actions = findActions(text).actions;
    for (const [i, a] of actions.entries()) {
      // `{{- range .Values.cmd }}` / `- {{ . | quote }}` / `{{- end }}` prints the list item by item, as toYaml does.
      if (a.kind !== 'output' && !(asCommand && a.kind === 'open' && rangePrintsItems(text, actions, i, prints))) continue;
      const at = a.text.search(prints);
      if (at === -1) continue;
      let keys = keysAbove(text, a.start + at);
      // In a define whose body starts at the handler (`exec: command: …`): the keys where it is included.
      if (keys.length < 3) keys = [...(includingKeys(text, actions, a.start, chart, run) ?? []), ...keys];
      const key = asProbe ? keys[keys.length - 1] : keys[keys.length - 3];
      if (key === undefined || !PROBE_KEYS.has(key) || (asCommand && keys.slice(-2).join('.') !== 'exec.command')) continue;
      const how = '(service: for -service; a port written as a template action must become a number), carrying -rpc-timeout/-connect-timeout into timeoutSeconds';
      return {
        ...r,
        subject: 'probe',
        blockers: ['unparseable'],
        message: asProbe
          ? `${owner} runs grpc_health_probe, and ${file} renders it as a container's ${key}: the tool migrates a values probe only under a probe's own key (livenessProbe, readinessProbe, startupProbe) (at ${valuesPath})`
          : `${owner} runs grpc_health_probe, and ${file} renders it as the exec command of a container's ${key}: the tool does not migrate a probe whose command comes from the values (at ${valuesPath})`,
        hint: asProbe
          ? `Migrate by hand: in the values, replace ${owner}.exec with grpc: {port: N} ${how}. The binary stays installed while the exec remains.`
          : `Migrate by hand: in ${file}, replace that ${key}'s exec with grpc: {port: N} ${how}, then drop ${owner} from the values once nothing reads it. The binary stays installed while the value names it.`,
      };
    }
  }
  return undefined;
}

/**
 * `{{- range .Values.x }}` (or `range $i, $v := …`) over exactly the values path `prints` ends on,
 * whose body is one list item printing the element as it is: `- {{ . }}`, `- {{ . | quote }}`,
 * `- {{ $v | squote }}`, `- "{{ . }}"`.
 */
function rangePrintsItems(text: string, actions: readonly Pick<Action, 'kind' | 'text' | 'start' | 'end' | 'keyword'>[], i: number, prints: RegExp): boolean {
  const open = actions[i]!;
  const m = /^\{\{-?\s*range\s+(?:(?:\$\w+\s*,\s*)?(\$\w+)\s*:=\s*)?(\$?\.Values\.[A-Za-z0-9_.]+)\s*-?\}\}$/.exec(open.text);
  if (open.keyword !== 'range' || !m || !new RegExp(`^\\$?${prints.source}$`).test(m[2]!)) return false;
  const item = actions[i + 1];
  const end = actions[i + 2];
  if (!item || !end || end.kind !== 'end' || item.kind !== 'output') return false;
  const element = m[1] ? escapeRegExp(m[1]) : '\\.';
  if (!new RegExp(`^\\{\\{-?\\s*(?:${element}(?:\\s*\\|\\s*s?quote)?|s?quote\\s+${element})\\s*-?\\}\\}$`).test(item.text)) return false;
  const dash = /^\s*-[ \t]+(["']?)$/.exec(text.slice(open.end, item.start));
  return dash !== null && new RegExp(`^${dash[1]}\\s*$`).test(text.slice(item.end, end.start));
}

/**
 * For an offset inside a define (`{{- define "x" }}`) of a template's text: the keys above the
 * first place a template of the chart includes it (`livenessProbe:` over `{{- include "x" . |
 * nindent 12 }}`), or undefined.
 */
function includingKeys(text: string, actions: readonly Pick<Action, 'kind' | 'text' | 'start' | 'end' | 'keyword'>[], offset: number, chart: Chart, run: RunContext): string[] | undefined {
  let depth = 0;
  let name: string | undefined;
  for (let j = actions.length - 1; j >= 0; j--) {
    const a = actions[j]!;
    if (a.start >= offset) continue;
    if (a.kind === 'end') depth++;
    else if (a.kind === 'open' && depth > 0) depth--;
    else if (a.kind === 'open' && a.keyword === 'define') {
      name = /define\s+"([^"]+)"/.exec(a.text)?.[1];
      break;
    }
  }
  if (name === undefined) return undefined;
  const call = new RegExp(`\\b(?:include|template)\\s+"${escapeRegExp(name)}"`);
  for (const t of templatesOf(chart, run)) {
    for (const a of findActions(t.text).actions) {
      if (a.kind === 'output' && call.test(a.text)) return keysAbove(t.text, a.start);
    }
  }
  return undefined;
}

/**
 * A value that names the binary outside a probe (`probes.grpc.path: /bin/grpc_health_probe`) that
 * a template of the chart reads: the template builds a command from it (`command:
 * ["{{ .Values.probes.grpc.path }}", "-addr=:{{ .Values.grpc.port }}"]`), which the tool does not
 * read as the binary's. Said so, with where, rather than "outside a probe" alone.
 */
function readByTemplate(r: Report, valuesPath: string, chart: Chart, run: RunContext): Report {
  if (!/^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/.test(valuesPath)) return r;
  const reader = printingTemplates(chart, valuesPath, run)[0];
  if (!reader) return r;
  return {
    ...r,
    message: `${r.message}; ${reader.file} reads .Values.${valuesPath}, so a command there (a probe's, maybe) runs the binary from this value, which the tool does not read as a probe`,
    hint: `Check ${reader.file} by hand: if a probe runs this value, replace its exec with grpc: {port: N}, then drop the value. The binary stays installed while the value names it.`,
  };
}

/**
 * A values probe is rendered into a pod the values file does not show: when a template of the
 * chart that prints it (`{{ toYaml .Values.livenessProbe | indent 12 }}`) puts the pod on the
 * host's network, the kubelet dials the node's IP, as for a probe written in that template. An
 * -addr that dials the local host (loopback, `:port`, 0.0.0.0) then blocks (`host`), also when that
 * template's hostNetwork is one the tool cannot read; any other address migrates with the
 * manifest's note. Only the template's documents that print the probe count, and a hostNetwork
 * read from the values (`hostNetwork: {{ .Values.hostNetwork }}`, or `hostNetwork: true` under
 * `{{- if .Values.hostNetwork }}`) is what every values file of the chart says, when they agree.
 */
function onHostNetwork(r: Report, chart: Chart, run: RunContext, show: (file: string) => string = (f) => f): Report {
  if (r.keyPath === undefined) return r;
  for (const { file: own, text, prints, chart: owner } of printingTemplates(chart, r.keyPath, run)) {
    const file = show(own);
    const why: { map?: string } = {};
    const hostNetwork = templateHostNetwork(text, prints, owner, run, why);
    if (r.loopback && hostNetwork === 'string') {
      return {
        ...heldReport(
          r,
          'host',
          `-addr dials the local host (loopback, or an empty host or 0.0.0.0, which connect locally), and ${file} renders this probe in a pod whose hostNetwork is a quoted string, not a boolean: the API server rejects the object as written (a string for a bool), so whether the pod is meant to be on the host's network, where the kubelet dials the node's IP, is unknown. Write hostNetwork: true or false without quotes there, and run the tool again`,
        ),
        hint: QUOTED_HOST_NETWORK_HINT,
      };
    }
    if (r.loopback && hostNetwork && why.map !== undefined) {
      return heldReport(
        r,
        'host',
        `-addr dials the local host (loopback, or an empty host or 0.0.0.0, which connect locally), and ${file} renders this probe in a pod whose spec prints .Values.${why.map} whole (toYaml), where a values layer (values.yaml, another values file, a release's values, or one the tool cannot read) sets ${why.map}.hostNetwork${hostNetwork === true ? ': true' : ''}: on the host's network the kubelet dials the node's IP, where a server bound only to 127.0.0.1 does not answer (if it listens on all addresses, or no install sets hostNetwork: true, migrate by hand)`,
      );
    }
    if (r.loopback && hostNetwork) {
      return heldReport(
        r,
        'host',
        `-addr dials the local host (loopback, or an empty host or 0.0.0.0, which connect locally), and ${file} renders this probe in a pod whose hostNetwork is ${hostNetwork === true ? 'true' : 'templated (not the same boolean in every values file)'}: on the host's network the kubelet dials the node's IP, where a server bound only to 127.0.0.1 does not answer (if it listens on all addresses, migrate by hand)`,
      );
    }
    if (hostNetwork === true && !r.loopback) {
      const note = `${file} puts the pod on the host's network: the kubelet dials the node's IP, so the server must listen there, not only on loopback`;
      return { ...r, message: r.message.endsWith(')') ? `${r.message.slice(0, -1)}; ${note})` : `${r.message} (${note})` };
    }
  }
  const dynamic = r.loopback ? printedByDynamicIndex(chart, r.keyPath, run) : undefined;
  if (dynamic) {
    return heldReport(
      r,
      'host',
      `-addr dials the local host (loopback, or an empty host or 0.0.0.0, which connect locally), and ${show(dynamic.file)} prints a probe from ${dynamic.call} (a key the tool cannot read, which may be this probe's) in a pod whose hostNetwork is ${dynamic.hostNetwork === true ? 'true' : 'templated (not the same boolean in every values file)'}: on the host's network the kubelet dials the node's IP, where a server bound only to 127.0.0.1 does not answer (if it listens on all addresses, or that template never prints this probe, migrate by hand)`,
    );
  }
  return r;
}

/**
 * A template of the chart that prints a probe from a values map it indexes with a key the tool
 * cannot read (`livenessProbe:` over `{{- toYaml (index .Values.probes .Values.which) | nindent 12
 * }}`), the map being the root or one holding the probe at keyPath, into a pod on the host's
 * network (or one whose hostNetwork the values do not settle).
 */
function printedByDynamicIndex(chart: Chart, keyPath: string, run: RunContext): { file: string; call: string; hostNetwork: true | 'unknown' } | undefined {
  const head = keyPath.split('[')[0]!;
  for (const { file, text, restore } of templatesOf(chart, run)) {
    for (const { path: p, call, shown } of dynamicIndexes(text, restore)) {
      if (p !== '' && head !== p && !head.startsWith(`${p}.`)) continue;
      // The call as written in the read text (`index .Values.agents .Values.agent`, `get .Values $k`, a dig call).
      const prints = new RegExp(call.split(' ').map(escapeRegExp).join('\\s+'));
      const asProbe = maskTemplate(text).actions.some((a) => a.kind === 'output' && (a.alone || a.opensBlock) && prints.test(a.text) && PROBE_KEYS.has(keysAbove(text, a.start).pop() ?? ''));
      if (!asProbe) continue;
      const hostNetwork = templateHostNetwork(text, prints, chart, run);
      if (hostNetwork === true || hostNetwork === 'unknown') return { file, call: shown, hostNetwork };
    }
  }
  return undefined;
}

/** A template's document in KubeVirt's API group or a sub-group of it (`apiVersion: kubevirt.io/v1`, `pool.kubevirt.io/v1alpha1`). */
const KUBEVIRT_API_VERSION = /^apiVersion:\s*["']?((?:[a-z0-9-]+\.)*kubevirt\.io\/[A-Za-z0-9]+)/m;

/** `{{ .Values.a.b }}` (or `$.Values`, with trim markers) alone, and its path. */
export const VALUES_ACTION = /^\{\{-?\s*\$?\.Values\.([A-Za-z0-9_.]+)\s*-?\}\}$/;

/**
 * A container image written through values (`"{{ .Values.image.repository }}:{{ .Values.image.tag }}"`,
 * `{{ .Values.image.registry }}/{{ .Values.image.repository }}:…`): the image name when every
 * values file of the chart and every release that installs it give each values path of the name
 * the same plain value, so that the installs of Dockerfiles tied to other images can go. The tag
 * may stay an action (`{{ .Values.image.tag | default .Chart.AppVersion }}`): only the name decides.
 * Otherwise the image as written (a template: it may be any image). `ref`: how a values path is
 * written where the image is (its pattern's one group, and the path from the values' root).
 */
export function imageNameFromValues(image: string, chart: Chart, run: RunContext, ref: { pattern: string; valuesPath: (written: string) => string }): string {
  if (!image.includes('{{')) return image;
  // A release reading values from a ConfigMap or Secret the repository does not make may set the image.
  if (releaseWithOutsideValues(chart.root, chartName(chart.chartYaml), run) !== undefined) return image;
  const named = image.replace(new RegExp(String.raw`\{\{-?\s*${ref.pattern}\s*-?\}\}`, 'g'), (action, written: string) => {
    // Every value a release may give it (settingsOf: also `--set image.repository=…` and `-f
    // deploy/api.yaml` on the repository's command lines).
    const settings = settingsOf(chart, ref.valuesPath(written), run);
    if (settings === undefined) return action;
    const values = [...new Set(settings)];
    return values.length === 1 && /^[^\s{}]+$/.test(values[0]!) ? values[0]! : action;
  });
  // The tag: after the last `:` that follows the last `/`, actions masked so that theirs do not count.
  // Up to the last `}}`, where every `{{` closes: after it, `\{\{[\s\S]*?\}\}` read from each `{{`
  // to the end in vain (quadratic).
  const closed = named.lastIndexOf('}}') + 2;
  const masked = named.slice(0, closed).replace(/\{\{[\s\S]*?\}\}/g, (a) => 'x'.repeat(a.length)) + named.slice(closed);
  const at = masked.lastIndexOf('@') !== -1 ? masked.lastIndexOf('@') : masked.lastIndexOf(':') > masked.lastIndexOf('/') ? masked.lastIndexOf(':') : -1;
  const name = at === -1 ? named : named.slice(0, at);
  return name.includes('{{') || name === '' ? image : name;
}

/**
 * What the run's command lines set: values paths set one at a time, for every chart (`all`) or for
 * the one chart a helm command names by its folder (`byChart`, keyed by the chart's root), and the
 * values files they name (`chart`: that command's chart, when it names one).
 */
interface CommandLines {
  all: Set<string>;
  byChart: Map<string, Set<string>>;
  named: { name: string; dir: string; chart?: string }[];
  /** Each helm command that names its chart by its folder: its -f names in order, its --set paths, where it is (`deploy.sh:3`). */
  commands: { chart: string; dir: string; files: string[]; sets: string[]; shown: string; reuse?: string }[];
  /** The --set paths of helm commands whose chart the tool cannot name (a variable, a registry chart, after a `cd`), each with where it is: they may install any chart. */
  unscoped: { path: string; shown: string }[];
}

const cliSetsByRun = new WeakMap<RunContext, CommandLines>();
const CLI_SET_MAX_BYTES = 1024 * 1024;

/**
 * Whether a file of the run sets a values path the way `helm --set` does: `--set a.b=…` (also
 * `--set-string`, `--set-json`, `--set-literal`, `--set-file`, comma lists) in a script, a Makefile
 * or a pipeline, or a Terraform `helm_release`'s `set { name = "a.b" }`. Such a value is not in
 * view (a variable, a pipeline's input), so it may be anything. Read once per run.
 */
function setOnCommandLine(valuesPath: string, run: RunContext, chart: Chart | undefined): boolean {
  const { all, byChart } = commandLines(run);
  const own = chart ? byChart.get(chart.root) : undefined;
  // `--set-json 'image={"repository":…}'` (or `--set image=null`) sets image.repository too.
  return prefixesOf(valuesPath).some((p) => all.has(p) || own?.has(p));
}

/**
 * Whether a `--set` of a command line (or a release's `set` entry) sets a path below `valuesPath`:
 * `--set extraEnvVars[0].name=GRPC_PORT` or `--set extraEnv.GRPC_PORT=9090` adds an entry to the
 * list or map there, which a template that prints it whole then prints (hunt11 K6).
 */
function setBelowOnCommandLine(valuesPath: string, run: RunContext, chart: Chart | undefined): boolean {
  const { all, byChart } = commandLines(run);
  const below = (p: string) => p.startsWith(`${valuesPath}.`) || p.startsWith(`${valuesPath}[`);
  const own = chart ? byChart.get(chart.root) : undefined;
  if ([...all].some(below) || [...(own ?? [])].some(below)) return true;
  return chart !== undefined && releaseSetsBelow(chart.root, chartName(chart.chartYaml), valuesPath, run);
}

/** `a.b.c`, `a.b`, `a`. */
function prefixesOf(valuesPath: string): string[] {
  const out = [valuesPath];
  for (let at = valuesPath.lastIndexOf('.'); at > 0; at = valuesPath.lastIndexOf('.', at - 1)) out.push(valuesPath.slice(0, at));
  return out;
}

/**
 * The values paths set one at a time and the values files named (`-f`, `--values`, a Terraform
 * `helm_release`'s `values = [file("…")]`) on the command lines of the repository's files (the
 * whole checkout in a partial view: a pre-commit run naming a chart's template still sees the
 * deploy script's --set of its host): one pass per run.
 */
function commandLines(run: RunContext): CommandLines {
  let found = cliSetsByRun.get(run);
  if (!found) {
    const all = new Set<string>();
    const byChart = new Map<string, Set<string>>();
    const named: CommandLines['named'] = [];
    const commands: CommandLines['commands'] = [];
    const unscoped: CommandLines['unscoped'] = [];
    cliSetsByRun.set(run, (found = { all, byChart, named, commands, unscoped }));
    const inRun = filesOfRepository(run);
    const files = run.repositoryFiles();
    // Asked of git first (src/discover/grep.ts): in a checkout only the files that may hold a helm
    // command or a --set are read (the same pattern, as git grep -P reads it).
    const may = filesMayHold(run, files, COMMAND_LINE_WORDS.source);
    for (const abs of files) {
      if (may && !may.has(abs)) continue;
      // Scripts and pipelines are small: a large file (a committed binary, a data dump) is not read whole for this.
      let size: number;
      try {
        size = fs.statSync(abs).size;
      } catch {
        continue;
      }
      const text = size <= CLI_SET_MAX_BYTES ? run.readText(abs) : undefined;
      if (text === undefined || !COMMAND_LINE_WORDS.test(text)) continue;
      const dir = path.dirname(abs);
      // What a --set sets: `a.b=…` items of a comma list.
      const setPaths = (from: string) => [...from.matchAll(SET_OPTION)].flatMap((m) => m[1]!.split(',').filter((i) => i.includes('=')).map((i) => i.slice(0, i.indexOf('='))));
      // Helm commands that name their chart by its folder (`helm upgrade api ./charts/api …`):
      // their --set and -f hold for that chart alone. Their ranges, so that the scan of the whole
      // file below does not count their --set for every chart.
      const scoped: [number, number][] = [];
      // A helm command (its continuation lines joined) and the values files it names.
      // A command ends at `;`, `&`, `|` or a comment: `helm upgrade a "$A" --set x=1; helm upgrade b ./b`
      // is two commands, and the first one's --set is not b's.
      const root = enclosingRepository(dir);
      // A file that changes folder (`cd charts/api && helm upgrade api . …`, a workflow step's
      // working-directory) runs its helm commands from a folder the tool does not follow: a path
      // in them names no known chart, and their --set counts for every chart.
      const moves = /(?:^|[\s;&|(])(?:cd|pushd)\s|working[-_]directory\s*:|\bchdir\b|\bWORKDIR\b|--chdir\b/m.test(text);
      for (const m of text.matchAll(/\bhelm[23]?[ \t]+(?:[^\n;&|#]*\\\r?\n)*[^\n;&|#]*/g)) {
        const chart = moves ? undefined : helmCommandChart(m[0], dir, [root ?? run.cwd, run.cwd], inRun);
        const files: string[] = [];
        for (const f of m[0].matchAll(/(?:^|\s)(?:-f|--values)(?:=|[ \t]+(?:\\\r?\n\s*)?)["']?([^\s"';|&)]+)/g)) {
          for (const v of f[1]!.split(',')) {
            named.push({ name: v, dir, ...(chart ? { chart } : {}) });
            files.push(v);
          }
        }
        // Its --set paths, quoted or not (`--set 'readinessProbe.exec.command[1]=…'`: SET_OPTION stops at a `]`).
        const sets = [...m[0].matchAll(/--set(?:-string|-json|-literal|-file)?(?:=|[ \t]+)(?:"([^"]*)"|'([^']*)'|([^\s"']+))/g)].flatMap((x) => (x[1] ?? x[2] ?? x[3]!).split(',').filter((i) => i.includes('=')).map((i) => i.slice(0, i.indexOf('='))));
        const shown = `the helm command in ${path.relative(run.cwd, abs).split(path.sep).join('/')}:${text.slice(0, m.index).split('\n').length}`;
        if (chart === undefined) {
          unscoped.push(...sets.map((p) => ({ path: p, shown })));
          continue;
        }
        // `--reuse-values` (`--reset-then-reuse-values`): the last release's values, under the -f
        // files and --sets, which an earlier --set the repository no longer shows may have set.
        const reuse = /(?:^|\s)(--reuse-values|--reset-then-reuse-values)(?:=true)?(?=\s|$)/.exec(m[0])?.[1];
        commands.push({ chart, dir, files, sets, shown, ...(reuse ? { reuse } : {}) });
        scoped.push([m.index, m.index + m[0].length]);
        let own = byChart.get(chart);
        if (!own) byChart.set(chart, (own = new Set()));
        for (const p of setPaths(m[0])) own.add(p);
      }
      if (/\bhelm_release\b/.test(text)) {
        for (const f of text.matchAll(/\b(?:file|templatefile)\(\s*"([^"]+)"/g)) named.push({ name: f[1]!, dir });
        // Values written in the release (`values = [yamlencode({ image = { repository = var.image } })]`,
        // a heredoc): each path they set counts as set on the command line, whatever its value.
        for (const m of text.matchAll(/\bvalues\s*=\s*\[/g)) for (const p of inlineValuesPaths(bracketed(text, m.index + m[0].length - 1))) all.add(p);
      }
      // --set anywhere else (a Makefile's `HELM_ARGS = --set …`, a helm command whose chart is not
      // a folder of the repository): for every chart.
      for (const m of text.matchAll(SET_OPTION)) {
        if (scoped.some(([from, to]) => m.index >= from && m.index < to)) continue;
        for (const p of setPaths(m[0])) all.add(p);
      }
      for (const name of setBlockNames(text)) all.add(name);
      // The helm provider's 3.x form: `set = [{ name = "a.b", value = … }, …]`, a list of objects.
      for (const m of text.matchAll(/\bset(?:_sensitive|_list)?\s*=\s*\[/g)) {
        for (const n of bracketed(text, m.index + m[0].length - 1).matchAll(/\bname\s*=\s*"([^"]+)"/g)) all.add(n[1]!);
      }
    }
  }
  return found;
}

/**
 * The helm commands of the repository's scripts that name their chart by its folder, as releases
 * of that chart whose layers merge in a known order: the -f files left to right, then every --set
 * (Helm: "the rightmost file takes precedence", and --set over them all). A probe that one -f file
 * migrates while a later one keeps it on exec, or that a --set writes into (`--set
 * 'readinessProbe.exec.command[1]=…'`), would render with two handlers: held (releases.ts,
 * layerAbove; the chart's values.yaml probe under them too). A -f the tool cannot read (a name
 * with a variable, a file the repository does not hold, a values template) may set any handler.
 */
function helmCommandReleases(run: RunContext): CodeRelease[] {
  const inRun = filesOfRepository(run);
  return commandLines(run).commands.map((c) => {
    const top = enclosingRepository(c.dir) ?? run.cwd;
    const stack: NonNullable<CodeRelease['stack']> = c.reuse ? [{ unknown: `${c.reuse} (the values of the release's last install, which the repository does not show)` }] : [];
    stack.push(...c.files.map((name): NonNullable<CodeRelease['stack']>[number] => {
      const found = /[$`{}]/.test(name) || name === '-' || name.includes('://') ? undefined : [c.dir, top, run.cwd].map((b) => path.resolve(b, name)).find((f) => inRun.has(f));
      if (found === undefined) return { unknown: `-f ${name} (${name.includes('://') ? 'fetched at run time' : /[$`{}]/.test(name) || name === '-' ? 'named at run time' : 'no file of the repository'})` };
      return VALUES_TEMPLATE.test(found) ? { unknown: `-f ${name} (a values template)`, abs: found } : { file: found };
    }));
    stack.push(...c.sets.map((p) => ({ set: p })));
    return { chartRoot: c.chart, shown: c.shown, kept: [], values: {}, stack, commandLine: true };
  });
}
registerCodeReleases(helmCommandReleases);

/** What a file that sets values on a command line holds somewhere: a helm command, a --set, a Terraform release's set. */
const COMMAND_LINE_WORDS = /--set|\bset(_sensitive|_string|_list)?\s*(\{|=\s*\[)|\bhelm/;

/** `--set a.b=…` and its variants, with the comma list they set. */
// Also as the items of a YAML or JSON argument list, where the value is the next item (`args:
// ["--set", "edge.host=x"]`, or `- --set` then `- edge.host=x`: a Tekton or Argo Workflows step).
// The path and value run to a space, a quote or a `]` (a flow list's end: `args: ["--set", "a=b"]`),
// an index's brackets included (`extraEnvVars[0].name=GRPC_PORT`).
const SET_OPTION = /--set(?:-string|-json|-literal|-file)?(?:=|[ \t]+|["']?[ \t]*,[ \t]*|["']?[ \t]*\r?\n[ \t]*-[ \t]+)["']?((?:[^\s"'\][]|\[\d+\])+)/g;

/**
 * The root of the chart a helm command installs, when it names one folder of the repository
 * holding a Chart.yaml by a path (`./charts/api`, `charts/api`, `.`, from the naming file's folder,
 * the repository's top folder or the run's);
 * undefined when it names none (a repository chart, `oci://…`, a variable) or more than one (two
 * commands on one line).
 */
function helmCommandChart(command: string, dir: string, tops: readonly string[], inRun: ReadonlySet<string>): string | undefined {
  const roots = new Set<string>();
  for (const raw of command.replace(/\\\r?\n/g, ' ').split(/\s+/)) {
    const word = raw.replace(/^["']|["']$/g, '').replace(TRAILING_SLASHES, '');
    if (word === '' || word.startsWith('-') || /[$={}]/.test(word)) continue;
    // Only a word written as a path names a chart here: a bare word is as likely the release's
    // name or an option's value (`--namespace api` beside a chart given by a variable, where api/
    // is another chart of the repository), which would give this command's --set to that chart.
    if (!word.includes('/') && word !== '.' && word !== '..') continue;
    for (const from of [dir, ...tops]) {
      const root = path.resolve(from, word);
      if (inRun.has(path.join(root, 'Chart.yaml'))) roots.add(root);
    }
  }
  return roots.size === 1 ? [...roots][0] : undefined;
}

/** A values file named on a command line: its values, and the charts it is given to (undefined: any chart). */
interface NamedValues {
  file: string;
  values: YAMLMap;
  charts: Set<string> | undefined;
}

const namedValuesByRun = new WeakMap<RunContext, NamedValues[]>();

/**
 * What the values files named on the run's command lines (commandLines) set a values path to:
 * their plain values, or undefined when one sets it (or a path above it) otherwise. A name is
 * matched against the run's files by its end (`-f ../deploy/api.yaml` is any …/deploy/api.yaml: a
 * script's working folder is not known); a name with a variable in it matches by what follows. A
 * file a helm command names beside its chart's folder (`helm upgrade api ./api -f api-prod.yaml`)
 * counts for that chart alone.
 */
function namedValuesAt(valuesPath: string, run: RunContext, chart: Chart | undefined): string[] | undefined {
  const out: string[] = [];
  for (const { values, charts } of namedValueFiles(run)) {
    if (charts !== undefined && (chart === undefined || !charts.has(chart.root))) continue;
    const [full, ...above] = prefixesOf(valuesPath);
    if (above.some((p) => { const n = nodeAt(values, p); return n !== undefined && !isMap(n); })) return undefined;
    if (nodeAt(values, full!) === undefined) continue;
    const value = valueIn(values, full!);
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

/** The charts of the repository that a helm command gives the values file to (`helm upgrade api ./chart -f <file>`). */
function givenCharts(fileAbs: string, run: RunContext): Chart[] {
  const roots = new Set(namedValueFiles(run).flatMap((n) => (n.file === fileAbs && n.charts !== undefined ? [...n.charts] : [])));
  return [...roots].flatMap((root) => findChart(path.join(root, 'Chart.yaml'), run) ?? []);
}

/** The values files the run's command lines name (commandLines), matched to the run's files: once per run. */
function namedValueFiles(run: RunContext): NamedValues[] {
  let maps = namedValuesByRun.get(run);
  if (!maps) {
    maps = [];
    namedValuesByRun.set(run, maps);
    // Each name or file → the charts it is given to; undefined once any command gives it to every chart.
    const tails = new Map<string, Set<string> | undefined>();
    const files = new Map<string, Set<string> | undefined>();
    const give = (to: Map<string, Set<string> | undefined>, key: string, chartRoot: string | undefined) => {
      if (to.has(key) && to.get(key) === undefined) return;
      if (chartRoot === undefined) return void to.set(key, undefined);
      to.set(key, new Set([...(to.get(key) ?? []), chartRoot]));
    };
    const inRun = filesOfRepository(run);
    for (const { name, dir, chart: root } of commandLines(run).named) {
      const parts = name.split('/');
      const last = parts.findLastIndex((p) => /[$}]/.test(p));
      const tail = parts.slice(last + 1).filter((p) => p !== '.' && p !== '..' && p !== '');
      // A bare `-f values.yaml` is one beside the file that names it or at the root, not every chart's.
      if (tail.length > 1) give(tails, tail.join('/'), root);
      else if (tail.length === 1) for (const f of [path.join(dir, tail[0]!), path.join(run.cwd, tail[0]!)]) if (inRun.has(f)) give(files, f, root);
    }
    if (tails.size > 0) {
      for (const abs of run.repositoryFiles()) {
        if (!/\.(ya?ml|json)$/i.test(abs)) continue;
        const rel = abs.split(path.sep).join('/');
        for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
          const t = rel.slice(i + 1);
          if (!tails.has(t)) continue;
          const charts = tails.get(t);
          if (charts === undefined) give(files, abs, undefined);
          else for (const c of charts) give(files, abs, c);
        }
      }
    }
    for (const abs of [...files.keys()].sort()) {
      const v = valuesDoc(abs, run);
      if (v && isMap(v.doc.contents) && !isManifest(v.doc.contents)) maps.push({ file: abs, values: v.doc.contents, charts: files.get(abs) });
    }
  }
  return maps;
}

/**
 * The values paths a Terraform release's `values` list writes inline: the keys of its HCL objects
 * (`yamlencode({ image = { repository = … } })`: image.repository), and of the YAML in its heredocs.
 */
function inlineValuesPaths(list: string): string[] {
  const out: string[] = [];
  const heredoc = /<<-?\s*"?([A-Za-z_]\w*)"?\r?\n([\s\S]*?)\r?\n[ \t]*\1\b/g;
  for (const h of list.matchAll(heredoc)) {
    const doc = parseYaml(h[2]!).docs[0]?.contents;
    const walk = (node: unknown, at: string) => {
      if (!isMap(node)) return void (at !== '' && out.push(at));
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) walk(pair.value, at === '' ? key : `${at}.${key}`);
      }
    };
    walk(doc, '');
  }
  const hcl = list.replace(heredoc, '');
  const stack: (string | undefined)[] = [];
  for (const m of hcl.matchAll(/(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][\w-]*))\s*[=:](?!=)\s*(\{)?|"(?:[^"\\]|\\.)*"|([{}])/g)) {
    const key = m[1] ?? m[2];
    const inside = stack.filter((k): k is string => k !== undefined);
    if (key !== undefined && m[3]) stack.push(key);
    else if (key !== undefined) out.push([...inside, key].join('.'));
    else if (m[4] === '{') stack.push(undefined);
    else if (m[4] === '}') stack.pop();
  }
  return out;
}

/** The text from an opening `[` at `open` to its matching `]` (or the end), quoted strings skipped. */
function bracketed(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return text.slice(open, i + 1);
  }
  return text.slice(open);
}

/**
 * The slashes that end a path or URL: `(?<!\/)` starts the match at the run's first, as the only
 * match of `\/+$` does, so that a long run is read once, not again from each of its slashes (so
 * in releases.ts too).
 */
const TRAILING_SLASHES = /(?<!\/)\/+$/;

/** `.Values.x` and `$.Values.x` at a template's root, as imageNameFromValues reads them. */
const ROOT_VALUES_REF = { pattern: String.raw`\$?\.Values\.([A-Za-z0-9_.]+)`, valuesPath: (w: string) => w };
/**
 * An action that prints its value in quotes (`{{ .Values.x | quote }}`, `{{ squote .Values.x }}`): a
 * string, whatever the value. As `^\{\{-?\s*(?:s?quote\s[^{}]*|[^{}]*\|\s*s?quote\s*)-?\}\}$` reads
 * it, from the action's parts: that regex backtracked in quadratic time on a run of blanks.
 */
export function quotingAction(text: string): boolean {
  const parts = splitAction(text);
  if (!parts || /[{}]/.test(text.slice(2, -2))) return false;
  // The quote call's blank may be the closing's: `{{ quote }}`.
  if (/^s?quote\s/.test(text.slice(parts.open.length, -2))) return true;
  if (!parts.body.endsWith('quote')) return false;
  const head = parts.body.slice(0, -'quote'.length);
  return (head.endsWith('s') ? head.slice(0, -1) : head).trimEnd().endsWith('|');
}
/** `{{- if .Values.a.b }}` alone on a line, and its path. */
const IF_VALUES_LINE = /^[ \t]*\{\{-?\s*if\s+\$?\.Values\.([A-Za-z0-9_.]+)\s*-?\}\}[ \t]*\r?$/;

/**
 * The `{{- if .Values.a.b }}` right above a line (`hostNetwork: true`), if there is one, with what
 * every values file makes of it (valuesTruthy). `linesBefore` are the lines above it.
 */
export function valuesIfAbove(linesBefore: readonly string[], chart: Chart, run: RunContext): { setting: boolean | undefined } | undefined {
  let i = linesBefore.length - 1;
  while (i >= 0 && linesBefore[i]!.trim() === '') i--;
  const guard = i >= 0 ? IF_VALUES_LINE.exec(linesBefore[i]!) : null;
  return guard ? { setting: valuesTruthy(chart, guard[1]!, run) } : undefined;
}

/**
 * What `{{ if .Values.a.b }}` makes of a path in every values file of the chart (and its parents'
 * under its key): true or false when they agree, otherwise undefined. Go templates take false, 0,
 * an empty string and nil as false, anything else as true: a quoted `"false"` or `"no"` (a string,
 * see settingText) is true. A 0 may be the number or the string, so it is not known.
 */
function valuesTruthy(chart: Chart, valuesPath: string, run: RunContext): boolean | undefined {
  const settings = settingsOf(chart, valuesPath, run);
  if (!settings || settings.length === 0) return undefined;
  const truth = settings.map((v): boolean | undefined => (/^(false|False|FALSE)$/.test(v) || v === '' ? false : /^[-+]?[\d.]+$/.test(v) && Number(v) === 0 ? undefined : true));
  return truth.every((t) => t === false) ? false : truth.every((t) => t === true) ? true : undefined;
}

/**
 * `true` or `false` when a `.Values.a.b` path is that boolean in every values file of the chart
 * (and its parents' under its key), otherwise undefined: a release may see either.
 */
export function valuesBoolean(chart: Chart, valuesPath: string, run: RunContext): boolean | undefined {
  const settings = settingsOf(chart, valuesPath, run);
  if (!settings || settings.length === 0) return undefined;
  if (settings.every((v) => /^(false|False|FALSE)$/.test(v))) return false;
  if (settings.every((v) => /^(true|True|TRUE)$/.test(v))) return true;
  return undefined;
}

/**
 * Whether the documents of a template that print a values probe put their pod on the host's
 * network: true, 'unknown' (templated in a way the values do not settle), 'string' (quoted, which
 * the API server rejects: not known either), or undefined (no).
 */
function templateHostNetwork(text: string, prints: RegExp, owner: Chart, run: RunContext, why?: { map?: string }): true | 'unknown' | 'string' | undefined {
  let found: true | 'unknown' | 'string' | undefined;
  for (const doc of text.split(/^---(?=[ \t]|\r?$)/m)) {
    if (!prints.test(doc)) continue;
    const lines = doc.split('\n');
    lines.forEach((line, i) => {
      const value = hostNetworkValue(line);
      if (value === undefined) return;
      let on: true | 'unknown' | 'string' | undefined;
      // `hostNetwork: "false"`, `'{{ .Values.hostNetwork }}'`, `{{ .Values.hostNetwork | quote }}`: a string, whatever it renders to.
      if (/^"[^"]*"$|^'[^']*'$/.test(value) || quotingAction(value)) on = 'string';
      else if (value === '' || value === 'null' || value === '~' || GO_YAML_FALSE.test(value)) on = undefined;
      else if (GO_YAML_TRUE.test(value)) {
        // `{{- if .Values.hostNetwork }}` / `hostNetwork: true` / `{{- end }}`: as the values say.
        const guard = valuesIfAbove(lines.slice(0, i), owner, run);
        on = !guard || guard.setting === true ? true : guard.setting === false ? undefined : 'unknown';
      } else {
        const ref = VALUES_ACTION.exec(value);
        const setting = ref ? valuesBoolean(owner, ref[1]!, run) : undefined;
        on = setting === false ? undefined : setting === true ? true : 'unknown';
      }
      if (on === true || (on !== undefined && found === undefined)) found = on;
    });
    // `{{- with .Values.pod }}{{- toYaml . | nindent 6 }}{{- end }}` or `{{ toYaml .Values.podSpec
    // | nindent 6 }}` at the pod spec's level: any values layer may give the pod hostNetwork.
    for (const map of podSpecMaps(lines)) {
      const valuesPath = `${map}.hostNetwork`;
      if (valuesPathUnset(owner, valuesPath, run)) continue;
      const setting = valuesBoolean(owner, valuesPath, run);
      const on = setting === false ? undefined : setting === true ? true : 'unknown';
      if (on !== undefined && why) why.map = map;
      if (on === true || (on !== undefined && found === undefined)) found = on;
    }
    if (found === true) return found;
  }
  return found;
}

/**
 * The names of a Terraform helm_release's `set { name = "a.b" … }` blocks (`set_sensitive`,
 * `set_string` too), as `\bset(?:_sensitive|_string)?\s*\{[^}]*?\bname\s*=\s*"([^"]+)"` (g)
 * finds them: the first `name = "…"` before the block's first `}`. A block with none is read once:
 * that regex read it again from each `set {` inside it (quadratic).
 */
function setBlockNames(text: string): string[] {
  const out: string[] = [];
  const head = /\bset(?:_sensitive|_string)?\s*\{/g;
  const name = /\bname\s*=\s*"([^"]+)"/y;
  // Every block that opens before here holds no name before this `}`.
  let nameless = -1;
  for (let h = head.exec(text); h; h = head.exec(text)) {
    if (h.index < nameless) continue;
    const from = h.index + h[0].length;
    const brace = text.indexOf('}', from);
    const close = brace === -1 ? text.length : brace;
    let found: RegExpExecArray | null = null;
    for (let k = text.indexOf('name', from); !found && k !== -1 && k < close; k = text.indexOf('name', k + 1)) {
      name.lastIndex = k;
      found = name.exec(text);
    }
    if (!found) {
      nameless = close;
      continue;
    }
    out.push(found[1]!);
    head.lastIndex = found.index + found[0].length;
  }
  return out;
}

/**
 * The control actions of a line (`{{- with .Values.pod }}`, `{{ end }}`): keyword and the rest, as
 * `\{\{-?\s*(end|if|with|range|define|block)\b([^}]*)\}\}` (g) finds them. An action whose first
 * `}` is not `}}` is read once: that regex read the line to that `}` again from each `{{if` before
 * it (quadratic), where each fails there alike.
 */
function controlActions(line: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  const head = /\{\{-?\s*(end|if|with|range|define|block)\b/g;
  let unclosed = -1;
  for (let h = head.exec(line); h; h = head.exec(line)) {
    if (h.index < unclosed) continue;
    const from = h.index + h[0].length;
    const close = line.indexOf('}', from);
    if (close === -1 || line[close + 1] !== '}') {
      unclosed = close === -1 ? line.length : close;
      continue;
    }
    out.push([line.slice(h.index, close + 2), h[1]!, line.slice(from, close)]);
    head.lastIndex = close + 2;
  }
  return out;
}

/**
 * The value of a `hostNetwork: value  # comment` line, as `^[ \t]*hostNetwork:[ \t]*(.*?)[ \t]*(?:#.*)?\r?$`
 * reads it (a comment from the first `#`, none where the line breaks again), read with indexes:
 * that regex backtracked in cubic time on runs of blanks in the value.
 */
function hostNetworkValue(line: string): string | undefined {
  const key = /^[ \t]*hostNetwork:[ \t]*/.exec(line);
  if (!key) return undefined;
  const rest = line.slice(key[0].length).replace(/\r$/, '');
  if (/[\n\r\u2028\u2029]/.test(rest)) return undefined;
  const hash = rest.indexOf('#');
  let end = hash === -1 ? rest.length : hash;
  while (end > 0 && (rest[end - 1] === ' ' || rest[end - 1] === '\t')) end--;
  return rest.slice(0, end);
}

/**
 * The values maps a template's document prints whole at a pod spec's level (its lines): `{{ toYaml
 * .Values.podSpec | nindent 6 }}`, or `{{ toYaml . | nindent 6 }}` inside `{{- with .Values.pod
 * }}`, whose key above (at the indentation nindent or indent gives, else the line's) is `spec`.
 * Such a map may set any pod field, hostNetwork among them.
 */
function podSpecMaps(lines: readonly string[]): string[] {
  const out: string[] = [];
  const KEY = /^([ \t]*)(?:-[ \t]+)?["']?([A-Za-z_][\w.-]*)["']?[ \t]*:(?:[ \t]|$)/;
  lines.forEach((line, i) => {
    const m = /\{\{-?\s*toYaml\s+(\$?\.Values\.([A-Za-z0-9_.]+)|\.)\s*(?:\|\s*n?indent\s+(\d+)\s*)?-?\}\}/.exec(line);
    if (!m) return;
    let map = m[2];
    if (map === undefined) {
      // `.`: the nearest open `with .Values.x` above it.
      let depth = 0;
      for (let j = i; j >= 0 && map === undefined; j--) {
        // The line itself up to the action (`{{- with .Values.pod }}{{- toYaml . | nindent 6 }}`), then the lines above.
        for (const a of controlActions(j === i ? line.slice(0, m.index) : lines[j]!).reverse()) {
          if (a[1] === 'end') depth++;
          else if (depth > 0) depth--;
          else if (a[1] === 'with') {
            map = /^\s*\$?\.Values\.([A-Za-z0-9_.]+)\s*-?$/.exec(a[2]!)?.[1] ?? '';
            break;
          } else if (a[1] !== 'if') {
            map = '';
            break;
          }
        }
      }
      if (!map) return;
    }
    const level = m[3] !== undefined ? Number(m[3]) : line.length - line.trimStart().length;
    for (let j = i - 1; j >= 0; j--) {
      const k = KEY.exec(lines[j]!);
      if (!k || k[1]!.length >= level) continue;
      if (k[2] === 'spec') out.push(map);
      return;
    }
  });
  return out;
}

/** `.Values.<path>` in a template's text, the whole path (not `.Values.<path>Suffix`, nor `.Values.<path>-api` read from `index .Values "<path>-api"`), then `after`. */
function valuesRef(valuesPath: string, after = '(?![\\w.-])'): RegExp {
  return new RegExp(`\\.Values\\.${escapeRegExp(valuesPath)}${after}`);
}

/**
 * The templates that print the values at keyPath (`.Values.livenessProbe`): the chart's own, and
 * for a key under a subchart's name (`cart.livenessProbe`) the unpacked subchart's, which print it
 * as `.Values.livenessProbe`. `file` is relative to the chart whose values hold keyPath.
 */
function printingTemplates(chart: Chart, keyPath: string, run: RunContext): { file: string; text: string; prints: RegExp; chart: Chart }[] {
  if (keyPath.includes('[')) return [];
  const printing = (owner: Chart, p: string, shown: (f: string) => string) => {
    const prints = valuesRef(p);
    return templatesOf(owner, run).filter((t) => prints.test(t.text)).map((t) => ({ file: shown(t.file), text: t.text, prints, chart: owner }));
  };
  const out = printing(chart, keyPath, (f) => f);
  const dot = keyPath.indexOf('.');
  const root = dot === -1 ? undefined : subchartsOf(chart, run).get(keyPath.slice(0, dot));
  const sub = root ? findChart(path.join(root, 'Chart.yaml'), run) : undefined;
  if (sub) out.push(...printing(sub, keyPath.slice(dot + 1), (f) => path.relative(chart.root, path.join(root!, f)).split(path.sep).join('/')));
  return out;
}

/**
 * A values probe's report with the image of the container a chart template prints it into
 * (`livenessProbe: {{- toYaml .Values.livenessProbe | nindent 12 }}` beside `image: "{{
 * .Values.image.repository }}:…"`), read through the values: the installs of Dockerfiles tied to
 * other images can then go. Unchanged when no template prints it, or they give other images.
 */
function withTemplateImage(r: Report, chart: Chart | undefined, run: RunContext): Report {
  if (!chart || r.image !== undefined || r.keyPath === undefined || !r.keepsBinary) return r;
  const images = new Set<string | undefined>();
  for (const { text, prints, chart: owner } of printingTemplates(chart, r.keyPath, run)) {
    const m = maskTemplate(text);
    if (m.error) return r;
    // Only a template whose containers sit at its root scope (no with or range around the image).
    const scoped = m.actions.some((a) => a.kind === 'open' && (a.keyword === 'with' || a.keyword === 'range'));
    const printers = m.actions.filter((a) => a.kind === 'output' && (a.alone || a.opensBlock) && prints.test(a.text));
    for (const doc of parseYaml(m.masked, { uniqueKeys: false }).docs) {
      visit(doc, {
        Pair(_, pair, path) {
          if (!isScalar(pair.key) || !PROBE_KEYS.has(String(pair.key.value)) || !pair.key.range) return;
          const container = path[path.length - 1];
          if (!isMap(container) || !container.range) return;
          // The probe's lines: up to the container's next key (a printed probe is often only the
          // action below its key, which the masked view reads as an empty value).
          const start = pair.key.range[0];
          const next = container.items.find((p) => isScalar(p.key) && p.key.range && p.key.range[0] > start);
          const end = next && isScalar(next.key) ? next.key.range![0] : container.range[1];
          if (!printers.some((a) => a.start > start && a.end <= end)) return;
          const image = getPair(container, 'image')?.value;
          const written = isScalar(image) && image.range ? text.slice(image.range[0], image.range[1]).trim().replace(/^(["'])(.*)\1$/, '$2') : undefined;
          images.add(written === undefined || scoped ? undefined : imageNameFromValues(written, owner, run, ROOT_VALUES_REF));
        },
      });
    }
  }
  const [image] = images;
  return images.size === 1 && image !== undefined && !image.includes('{{') ? { ...r, image } : r;
}

/**
 * A template that prints a values probe into its own probe mapping and writes timeoutSeconds
 * there too (`livenessProbe:` / `{{ toYaml .Values.livenessProbe | indent 12 }}` /
 * `timeoutSeconds: {{ .Values.livenessProbeTimeoutSeconds }}`): a timeoutSeconds added to the
 * values probe would be a second one in the rendered probe, so the template's is the probe's.
 */
function templateTimeoutBeside(chart: Chart, keyPath: string, run: RunContext): FixedNumber | { text: string } | undefined {
  // Also a template that prints a probe from a key the tool cannot read under this probe's map
  // (`{{- toYaml (index .Values.probes .Values.which) | nindent 12 }}` with `timeoutSeconds: 2`
  // below it): it may print this probe, so a timeoutSeconds added to it could be a second one in
  // the rendered probe, which Helm rejects. Its timeoutSeconds is then the probe's, not known.
  const dynamic = keyPath.includes('[')
    ? []
    : templatesOf(chart, run).flatMap((t) =>
        dynamicIndexes(t.text, t.restore)
          .filter(({ path: p }) => p === '' || keyPath.startsWith(`${p}.`))
          .map(({ call, shown }) => ({ file: t.file, text: t.text, prints: new RegExp(call.split(' ').map(escapeRegExp).join('\\s+')), chart, call: shown })),
      );
  const printing: { file: string; text: string; prints: RegExp; chart: Chart; call?: string }[] = [...printingTemplates(chart, keyPath, run), ...dynamic];
  for (const { file, text, prints, chart: owner, call } of printing) {
    if (!/timeoutSeconds/.test(text)) continue;
    const m = maskTemplate(text);
    if (m.error) continue;
    // `{{- with .Values.livenessProbe }}` … `{{- toYaml . | nindent 12 }}`: inside a with of the
    // probe's values, printing `.` prints them too.
    const withs = m.actions.filter((a) => a.kind === 'open' && a.keyword === 'with' && prints.test(a.text));
    const printsDot = (a: Action) => withs.some((w) => w.end <= a.start) && /(^|[\s(])\.(\s|\)|$)/.test(a.text.replace(/^\{\{-?|-?\}\}$/g, ''));
    const printers = m.actions.filter((a) => a.kind === 'output' && (a.alone || a.opensBlock) && (prints.test(a.text) || printsDot(a)));
    for (const doc of parseYaml(m.masked, { uniqueKeys: false }).docs) {
      let found: FixedNumber | { text: string } | undefined;
      visit(doc, {
        Pair(_, pair) {
          if (found || !isScalar(pair.key) || !PROBE_KEYS.has(String(pair.key.value)) || !isMap(pair.value)) return;
          const start = pair.key.range![0];
          const end = pair.value.range![1];
          if (!printers.some((a) => a.start > start && a.end <= end)) return;
          const t = getPair(pair.value, 'timeoutSeconds')?.value;
          if (!isScalar(t) || !t.range) return;
          const written = text.slice(t.range[0], t.range[1]).trim();
          const n = /^\d+$/.test(written) ? Number(written) : undefined;
          if (call !== undefined) {
            found = { text: `${written}, which ${file} writes beside a probe it prints from ${call} (a key the tool cannot read, which may be this probe's)` };
            return;
          }
          const beside = `, which ${file} writes beside the printed probe`;
          const fromValues = n === undefined ? valuesNumber(written, owner, run) : undefined;
          found = n !== undefined ? { value: n, source: `${written}${beside}` } : fromValues ? { ...fromValues, source: `${fromValues.source}${beside}` } : { text: `${written}${beside}` };
        },
      });
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The text of each default a values probe at keyPath merges over, where the tool can see it:
 * values.yaml's probe there (for another values file of the chart), and a subchart's own
 * (for a probe under its key); undefined for a subchart fetched at build time.
 */
function defaultsUnder(chart: Chart, keyPath: string, override: boolean, run: RunContext, nodes?: unknown[]): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  const at = (absPath: string, p: string) => {
    const v = valuesDoc(absPath, run);
    const node = v && isMap(v.doc.contents) ? nodeAt(v.doc.contents, p) : undefined;
    if (node?.range) out.push(v!.text.slice(node.range[0], node.range[1]));
    if (node) nodes?.push(node);
  };
  if (override) at(path.join(chart.root, 'values.yaml'), keyPath);
  const dot = keyPath.indexOf('.');
  const subcharts = subchartsOf(chart, run);
  const key = keyPath.slice(0, dot);
  if (dot !== -1 && subcharts.has(key)) {
    const root = subcharts.get(key);
    if (root === undefined) out.push(undefined);
    else at(path.join(root, run.readText(path.join(root, 'values.yaml')) !== undefined ? 'values.yaml' : 'values.yml'), keyPath.slice(dot + 1));
  }
  return out;
}

/**
 * The handlers other than exec (httpGet, tcpSocket) that the defaults a values probe merges over
 * set, not to null (defaultsUnder: values.yaml for another values file of the chart, a subchart's
 * values.yaml under its key): the migrated probe writes each one null beside `exec: null`.
 */
function defaultHandlers(chart: Chart, keyPath: string, override: boolean, run: RunContext): string[] {
  const nodes: unknown[] = [];
  defaultsUnder(chart, keyPath, override, run, nodes);
  const out = new Set<string>();
  for (const node of nodes) {
    if (!isMap(node)) continue;
    for (const h of ['httpGet', 'tcpSocket']) {
      const v = getPair(node, h)?.value;
      if (v !== undefined && !(isScalar(v) && (v.value === null || v.value === undefined))) out.add(h);
    }
  }
  return [...out];
}

/**
 * Why a probe under a subchart's key (`cart.livenessProbe`) stays on exec, if it must. Its
 * `exec: null` is meant to delete the subchart's own default exec, but Helm does not reliably
 * delete a subchart's default through a null in the parent's values: not from the parent's
 * values.yaml (helm/helm#10812, #32132, Helm 4's #32522), and in some versions not from a file
 * given with -f either (#12490, #31919). The rendered probe would then keep that exec beside grpc.
 * So it migrates only when every default it merges over is seen to end with no other handler:
 * the subchart's values.yaml (in charts/, or a file:// folder) and, for another values file of the parent,
 * the parent's values.yaml.
 */
function subchartDefaultHold(chart: Chart, keyPath: string, fileAbs: string, run: RunContext): string | undefined {
  const dot = keyPath.indexOf('.');
  if (dot === -1) return undefined;
  const key = keyPath.slice(0, dot);
  const subcharts = subchartsOf(chart, run);
  if (!subcharts.has(key)) return undefined;
  const own = keyPath.slice(dot + 1);
  const why = "Helm does not reliably delete a subchart's default through null in the parent's values (helm/helm#10812), so the rendered probe could have two handlers, which the API server rejects";
  const root = subcharts.get(key);
  if (root === undefined) {
    return `the subchart "${key}" is not unpacked in the repository (fetched at build time, or a .tgz in charts/), so the tool cannot see its default for ${own}; if that default has exec, ${why}. Check the subchart's default, then migrate this probe by hand`;
  }
  const sub = findChart(path.join(root, 'Chart.yaml'), run);
  const reader = sub ? templateReadingExec(sub, own, run) : undefined;
  if (reader) {
    const shown = path.relative(chart.root, path.join(root, reader.file)).split(path.sep).join('/');
    return `${shown} reads ${reader.what}, which this probe's exec: null would remove (rendering fails, or renders another command); change the template first`;
  }
  const bases: { absPath: string; at: string }[] = [
    { absPath: path.join(root, run.readText(path.join(root, 'values.yaml')) !== undefined ? 'values.yaml' : 'values.yml'), at: own },
  ];
  if (isValuesOverride(fileAbs, chart)) bases.push({ absPath: path.join(chart.root, 'values.yaml'), at: keyPath });
  for (const b of bases) {
    const v = valuesDoc(b.absPath, run);
    const kept = v ? keptIn(v, run).find((k) => k.keyPath === b.at) : undefined;
    if (kept) {
      const shown = path.relative(chart.root, b.absPath).split(path.sep).join('/');
      return `${shown} ${kept.kept} at ${b.at}, and ${why}. Migrate or remove the handler in ${shown} first`;
    }
  }
  return undefined;
}

/**
 * A chart template that reads a values probe's exec by path (`.Values.readinessProbe.exec.command`,
 * e.g. a `helm test` pod running the same check): the first such template, relative to the chart.
 */
function templateReadingExec(chart: Chart, keyPath: string, run: RunContext): { file: string; what: string } | undefined {
  const direct = keyPath.includes('[') ? undefined : valuesRef(keyPath, '\\.exec\\b');
  // The probe, or a map or list that holds it, taken whole (`{{ with .Values.livenessProbe }}`,
  // `$p := .Values.livenessProbe`, `{{ range .Values.sidecars }}`), then an exec read from there
  // (`{{ .exec.command }}`, `$p.exec`, `index $p "exec"`).
  const head = keyPath.split('[')[0]!;
  const parts = head.split('.');
  const wholes = parts.map((_, i) => parts.slice(0, i + 1).join('.')).map((p) => ({ p, re: valuesRef(p) }));
  for (const { file, text, restore } of templatesOf(chart, run)) {
    if (direct?.test(text)) return { file, what: `.Values.${keyPath}.exec` };
    const whole = wholes.find((w) => w.re.test(text));
    // `index .Values $k`, `index .Values.probes .Values.which`: a key the tool cannot read, under
    // the root or a map holding the probe, may be the probe's: taken whole as far as the tool knows.
    const indexed = whole ? undefined : dynamicIndexes(text, restore).find(({ path: p }) => p === '' || head === p || head.startsWith(`${p}.`));
    if (!whole && indexed === undefined) continue;
    const actions = findActions(text).actions;
    if (actions.some((a) => a.kind !== 'comment' && READS_EXEC.test(a.text))) {
      return { file, what: whole ? `.Values.${whole.p} and an exec in it` : `${indexed!.shown} (a key the tool cannot read, which may be this probe's) and an exec in it` };
    }
    if (!whole) continue;
    // Taken whole and handed to a define (`include "liveness-probe" (dict "probe"
    // .Values.livenessProbe)`) whose body reads the exec (`{{- if not $probe.exec }}httpGet: …`):
    // the defines this file includes, and those they include, read wherever the chart has them.
    const reader = defineReadingExec(chart, includedNames(actionsPassing(actions, whole.re)), run);
    if (reader) return { file: reader.file, what: `.Values.${whole.p} (passed from ${file} to the define "${reader.name}") and an exec in it` };
  }
  return undefined;
}

const READS_EXEC = /\.exec\b|"exec"/;

/**
 * The actions of a template that hand the value `ref` matches to what they call: those that name
 * it (`include "x" (dict "probe" .Values.livenessProbe)`), or a variable set from it (`$p :=
 * .Values.livenessProbe`), and those inside a `{{ with }}` of it (where `.` is the value).
 */
function actionsPassing<A extends Pick<Action, 'kind' | 'text' | 'keyword'>>(actions: readonly A[], ref: RegExp): A[] {
  const vars = actions
    .filter((a) => a.kind === 'silent' && ref.test(a.text))
    .map((a) => /\$([A-Za-z0-9_]+)\s*:?=/.exec(a.text)?.[1])
    .filter((v): v is string => v !== undefined);
  const byVar = vars.length > 0 ? new RegExp(`\\$(?:${vars.join('|')})(?![A-Za-z0-9_])`) : undefined;
  const out: A[] = [];
  const opens: boolean[] = [];
  for (const a of actions) {
    if (a.kind === 'open') opens.push(a.keyword === 'with' && ref.test(a.text));
    else if (a.kind === 'end') opens.pop();
    if (ref.test(a.text) || byVar?.test(a.text) || opens.includes(true)) out.push(a);
  }
  return out;
}

/** The define names an action list calls (`include "x"`, `template "x"`). */
function includedNames(actions: readonly Pick<Action, 'kind' | 'text'>[]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    if (a.kind === 'comment') continue;
    for (const m of a.text.matchAll(/\b(?:include|template)\s+"([^"]+)"/g)) out.push(m[1]!);
  }
  return out;
}

/** The first define among `names` (or those they include, transitively) whose body reads an exec. */
function defineReadingExec(chart: Chart, names: readonly string[], run: RunContext): { name: string; file: string } | undefined {
  const defines = definesOf(chart, run);
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const d = defines.get(name);
    if (!d) continue;
    if (d.actions.some((a) => a.kind !== 'comment' && READS_EXEC.test(a.text))) return { name, file: d.file };
    queue.push(...includedNames(d.actions));
  }
  return undefined;
}

const defineCache = new WeakMap<Chart, Map<string, { file: string; actions: Pick<Action, 'kind' | 'text'>[] }>>();
/** The chart's defines by name: the template file of each and the actions of its body (the last define of a name wins, as in Helm). */
function definesOf(chart: Chart, run: RunContext): Map<string, { file: string; actions: Pick<Action, 'kind' | 'text'>[] }> {
  let out = defineCache.get(chart);
  if (out) return out;
  out = new Map();
  // Helm's defines are one namespace for a chart and its subcharts: a library chart's define
  // (charts/common/templates/_probe.tpl, or a file:// dependency) is as callable as the chart's own.
  const sources: { chart: Chart; prefix: string }[] = [{ chart, prefix: '' }];
  for (let i = 0; i < sources.length && sources.length < 256; i++) {
    const at = sources[i]!.chart;
    const roots = [...subchartsOf(at, run).values()].filter((r): r is string => r !== undefined);
    for (const d of dependenciesOf(at, run)) {
      const root = fileRepository(at, d);
      if (root) roots.push(root);
    }
    for (const root of roots) {
      const sub = findChart(path.join(root, 'Chart.yaml'), run);
      if (!sub || sources.some((s) => s.chart.root === sub.root)) continue;
      sources.push({ chart: sub, prefix: path.relative(chart.root, sub.root).split(path.sep).join('/') + '/' });
    }
  }
  // Subcharts' first: Helm parses the deeper templates first, so a parent's define of a name wins.
  const files = [...sources].reverse().flatMap(({ chart: c, prefix }) => templatesOf(c, run).map((t) => ({ file: prefix + t.file, text: t.text })));
  for (const { file, text } of files) {
    const actions = findActions(text).actions;
    const open: { name: string | undefined; index: number }[] = [];
    actions.forEach((a, i) => {
      if (a.kind === 'open') open.push({ name: a.keyword === 'define' || a.keyword === 'block' ? /(?:define|block)\s+"([^"]+)"/.exec(a.text)?.[1] : undefined, index: i });
      else if (a.kind === 'end') {
        const o = open.pop();
        if (o?.name !== undefined) out!.set(o.name, { file, actions: actions.slice(o.index + 1, i) });
      }
    });
  }
  defineCache.set(chart, out);
  return out;
}

const templateCache = new WeakMap<Chart, { file: string; text: string; restore: (s: string) => string }[]>();
/**
 * The chart's templates (`templates/**`: .yaml, .tpl, .txt), relative to the chart, read once per
 * chart, with `index` calls on string keys written as fields (indexAsFields): only read, never edited.
 */
export function templatesOf(chart: Chart, run: RunContext): { file: string; text: string; restore: (s: string) => string }[] {
  let out = templateCache.get(chart);
  if (out) return out;
  out = [];
  const dir = path.join(chart.root, 'templates');
  let names: string[] = [];
  try {
    names = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((n) => /\.(ya?ml|tpl|txt)$/i.test(n)).sort();
  } catch {
    // No templates folder the tool can read.
  }
  for (const n of names) {
    const text = run.readText(path.join(dir, n));
    // `index .Values "livenessProbe"` read as `.Values.livenessProbe`, where every reader looks.
    if (text === undefined) continue;
    const reading = indexAsFields(text);
    out.push({ file: `templates/${n.split(path.sep).join('/')}`, text: reading.text, restore: reading.restore });
  }
  templateCache.set(chart, out);
  return out;
}

/**
 * The keys a chart's values give its subcharts (a dependency's alias, else its name; the folder
 * and Chart.yaml name of a chart unpacked in charts/), each with that subchart's folder when it is
 * unpacked there: its values under `<key>:` merge over that subchart's values.yaml.
 */
const subchartCache = new WeakMap<Chart, Map<string, string | undefined>>();
function subchartsOf(chart: Chart, run: RunContext): Map<string, string | undefined> {
  let out = subchartCache.get(chart);
  if (out) return out;
  out = new Map();
  subchartCache.set(chart, out);
  const unpacked = new Map<string, string>();
  const dir = path.join(chart.root, 'charts');
  let entries: fs.Dirent[] = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // No charts/ folder: every dependency is fetched at build time.
  }
  for (const e of entries) {
    // A packed subchart (`helm dependency build` writes charts/cart-1.2.0.tgz; Helm loads it
    // whether or not Chart.yaml lists it): its values are not readable here.
    const packed = e.isFile() ? /^(.+)-v?\d+\.\d+\.\d+[^/]*\.tgz$/.exec(e.name)?.[1] : undefined;
    if (packed && !out.has(packed)) out.set(packed, undefined);
    if (!e.isDirectory()) continue;
    const root = path.join(dir, e.name);
    const chartYaml = run.readText(path.join(root, 'Chart.yaml'));
    if (chartYaml === undefined) continue;
    unpacked.set(e.name, root);
    const name = chartName(chartYaml);
    if (name && !unpacked.has(name)) unpacked.set(name, root);
  }
  // Declared dependencies count whether or not charts/ holds them unpacked (most umbrella charts
  // fetch them): their values sit under the alias when there is one, else under the name.
  for (const d of dependenciesOf(chart, run)) {
    const local = fileRepository(chart, d);
    out.set(d.alias ?? d.name, unpacked.get(d.name) ?? (local && run.readText(path.join(local, 'Chart.yaml')) !== undefined ? local : undefined));
  }
  for (const [key, root] of unpacked) if (!out.has(key)) out.set(key, root);
  return out;
}

/**
 * A chart's dependencies: Chart.yaml's `dependencies`, and requirements.yaml's for charts of
 * apiVersion v1 (Helm 3 still reads them there).
 */
const dependenciesCache = new WeakMap<Chart, Dependency[]>();
function dependenciesOf(chart: Chart, run: RunContext): Dependency[] {
  let out = dependenciesCache.get(chart);
  if (out) return out;
  const requirements = run.readText(path.join(chart.root, 'requirements.yaml')) ?? run.readText(path.join(chart.root, 'requirements.yml'));
  out = [...dependencyList(chart.chartYaml), ...(requirements !== undefined ? dependencyList(requirements) : [])];
  dependenciesCache.set(chart, out);
  return out;
}

interface Dependency {
  name: string;
  alias?: string;
  repository?: string;
}

function dependencyList(yamlText: string): Dependency[] {
  const doc = parseYaml(yamlText).docs[0]?.contents;
  const list = isMap(doc) ? getPair(doc, 'dependencies')?.value : undefined;
  if (!isSeq(list)) return [];
  const out: Dependency[] = [];
  const text = (n: unknown) => (isScalar(n) && typeof n.value === 'string' ? n.value : undefined);
  for (const item of list.items) {
    if (!isMap(item)) continue;
    const name = text(getPair(item, 'name')?.value);
    const alias = text(getPair(item, 'alias')?.value);
    const repository = text(getPair(item, 'repository')?.value);
    if (name === undefined) continue;
    out.push({ name, ...(alias !== undefined ? { alias } : {}), ...(repository !== undefined ? { repository } : {}) });
  }
  return out;
}

/** The `name` of a Chart.yaml. */
function chartName(chartYaml: string): string | undefined {
  const doc = parseYaml(chartYaml).docs[0]?.contents;
  const name = isMap(doc) ? getPair(doc, 'name')?.value : undefined;
  return isScalar(name) && typeof name.value === 'string' ? name.value : undefined;
}

const parentHoldsCache = new WeakMap<Chart, Map<string, { file: string; kept: string }>>();

/** A subchart's values.yaml probes that its parent's values (under the subchart's name) keep on another handler. */
function parentHolds(chart: Chart, run: RunContext): Map<string, { file: string; kept: string }> {
  let out = parentHoldsCache.get(chart);
  if (out) return out;
  out = new Map();
  parentHoldsCache.set(chart, out);
  const inRun = filesOfRun(run);
  for (const { parent, keys } of parentsOf(chart, run)) {
    const files: { file: string; absPath: string; text: string; doc: Document.Parsed<ParsedNode, true> }[] = [...overridesFor(parent, run)];
    for (const name of ['values.yaml', 'values.yml']) {
      const v = valuesDoc(path.join(parent.root, name), run);
      if (v) files.unshift({ file: name, ...v });
    }
    // A parent that depends on this chart by file:// lives elsewhere: say where.
    const elsewhere = parent.root !== path.dirname(path.dirname(chart.root));
    const shown = (f: string) => `the parent chart's ${f}${elsewhere ? ` (${path.relative(chart.root, path.join(parent.root, f)).split(path.sep).join('/')})` : ''}`;
    for (const f of files) {
      for (const k of valuesKeptHandlers(f.text, f.doc, f.absPath, run, inRun.has(f.absPath))) {
        const dot = k.keyPath.indexOf('.');
        if (dot === -1 || !keys.has(k.keyPath.slice(0, dot))) continue;
        const own = k.keyPath.slice(dot + 1);
        if (!out.has(own)) out.set(own, { file: shown(f.file), kept: k.kept });
      }
    }
    // A release that installs the parent keeps a handler under this chart's key too.
    for (const [keyPath, hold] of releaseHolds(parent.root, chartName(parent.chartYaml), run)) {
      const dot = keyPath.indexOf('.');
      if (dot === -1 || !keys.has(keyPath.slice(0, dot))) continue;
      const own = keyPath.slice(dot + 1);
      if (!out.has(own)) out.set(own, hold);
    }
  }
  return out;
}

/**
 * `{{ .Values.probeTimeout }}` as the lowest number values.yaml, the chart's other values files
 * and a parent chart's values (under this chart's key) give it (what a release may get);
 * undefined when it is anything else, or has no numeric default.
 */
export function valuesNumber(text: string, chart: Chart | undefined, run: RunContext): FixedNumber | undefined {
  const m = /^\{\{-?\s*\$?\.Values\.([A-Za-z0-9_.-]+)\s*-?\}\}$/.exec(text.trim());
  const values = m ? settingsOf(chart, m[1]!, run)?.map(Number) : undefined;
  if (!values || values.some((v) => !Number.isFinite(v))) return undefined;
  const lowest = Math.min(...values);
  const from = values.length > 1 ? ' (the lowest any values file of the chart, or of its parent chart, gives it)' : '';
  return { value: lowest, source: `{{ .Values.${m![1]} }}${from}` };
}

/**
 * The default of a values path, then what the chart's other values files, the releases that
 * install it, loose values files and values files named on command lines set it to; undefined
 * without a default, or when any of them may set it to a value the tool does not see (a release's
 * `valueFrom`, `--set` on a command line of the repository): every value a release may get.
 */
export function settingsOf(chart: Chart | undefined, valuesPath: string, run: RunContext): string[] | undefined {
  return settingsWith(chart, valuesPath, run, false);
}

/**
 * The values settingsOf sees, leaving out the ones it cannot: for a check that looks for one bad
 * value (a port that is a name), a value set at deploy time elsewhere does not unsay a bad one that
 * a values file gives. Undefined without a default.
 */
export function knownSettingsOf(chart: Chart | undefined, valuesPath: string, run: RunContext): string[] | undefined {
  return settingsWith(chart, valuesPath, run, true);
}

/**
 * Whether nothing the tool sees sets a values path of the chart: not values.yaml, the chart's other
 * values files, a parent chart's values or releases under its key, a release that installs it, a
 * loose values file, a values file or a `--set` on a command line of the repository. A path set to
 * null (`grpcPort:` with nothing after it) is not set: Helm prints it as it prints a missing one.
 * False for a chart without a values.yaml (all its values come from the install), and whenever one of them may set it (a value the tool cannot read counts as set).
 */
export function valuesPathUnset(chart: Chart | undefined, valuesPath: string, run: RunContext): boolean {
  // A chart with no values.yaml takes every value from its install (or one that does not parse: unknown).
  if (!chart?.values || chartValuesBlockers(chart).length > 0) return false;
  const holds = (values: YAMLMap | undefined, p: string): boolean => {
    if (!values) return false;
    const keys = p.split('.');
    for (let i = 1; i < keys.length; i++) {
      const above = nodeAt(values, keys.slice(0, i).join('.'));
      if (above === undefined || (isScalar(above) && above.value === null)) return false;
      if (!isMap(above)) return true;
    }
    const n = nodeAt(values, p);
    return n !== undefined && !(isScalar(n) && n.value === null);
  };
  if (holds(chart.values, valuesPath)) return false;
  if (overridesFor(chart, run).some((o) => holds(o.values, valuesPath))) return false;
  if (releaseMaySet(chart.root, chartName(chart.chartYaml), valuesPath, run)) return false;
  for (const { parent, keys } of parentsOf(chart, run)) {
    const paths = valuesPath.startsWith('global.') ? [valuesPath] : [...keys].map((k) => `${k}.${valuesPath}`);
    const files = [parent.values, ...overridesFor(parent, run).map((o) => o.values)];
    if (paths.some((p) => files.some((f) => holds(f, p)) || releaseMaySet(parent.root, chartName(parent.chartYaml), p, run))) return false;
  }
  if (looseValuesSettings(valuesPath, run).length > 0) return false;
  const places = commandLinePlaces(chart, valuesPath, run);
  return !places.some((p) => setOnCommandLine(p.valuesPath, run, p.chart) || namedValuesAt(p.valuesPath, run, p.chart)?.length !== 0);
}

/**
 * Where a command line may set a chart's values path: the chart itself, and each chart that
 * installs it as a subchart, under its key there (`global.` paths as they are), up its parents.
 */
function commandLinePlaces(chart: Chart | undefined, valuesPath: string, run: RunContext): { chart: Chart | undefined; valuesPath: string }[] {
  const out: { chart: Chart | undefined; valuesPath: string }[] = [{ chart, valuesPath }];
  const seen = new Set<Chart>();
  for (let i = 0; i < out.length && out.length < 64; i++) {
    const at = out[i]!;
    if (!at.chart || seen.has(at.chart)) continue;
    seen.add(at.chart);
    for (const { parent, keys } of parentsOf(at.chart, run)) {
      const paths = at.valuesPath.startsWith('global.') ? [at.valuesPath] : [...keys].map((k) => `${k}.${at.valuesPath}`);
      for (const p of paths) out.push({ chart: parent, valuesPath: p });
    }
  }
  return out;
}

function settingsWith(chart: Chart | undefined, valuesPath: string, run: RunContext, knownOnly: boolean): string[] | undefined {
  const value = valueAt(chart, valuesPath);
  if (value === undefined) return undefined;
  // A release that sets it to a value it does not write (`values: [{{ requiredEnv "IMAGE" }}]`, a
  // Crossplane valueFrom) may give it any.
  if (!knownOnly && chart && releaseSetsAt(chart.root, chartName(chart.chartYaml), valuesPath, run).some((s) => s.value === undefined)) return undefined;
  // A values file outside any chart that nothing names may be given to any chart with `helm -f`:
  // its setting counts; one that is not a plain value makes the setting unknown.
  const loose = looseValuesSettings(valuesPath, run);
  if (!knownOnly && loose.some((l) => l.value === undefined)) return undefined;
  // `helm upgrade … --set edge.host=edge.example.com` in a script or a pipeline of the repository
  // (or a Terraform release's `set`): any value, whatever the values files say. The path is
  // matched whatever the release (`--set grpcPort=…` for one chart makes every chart's unknown).
  // A subchart's value is also set through its parents' commands (`helm upgrade platform
  // ./platform --set edge.host=…` or `-f prod.yaml` setting edge.host, for charts/edge's host).
  const places = commandLinePlaces(chart, valuesPath, run);
  if (!knownOnly && places.some((p) => setOnCommandLine(p.valuesPath, run, p.chart))) return undefined;
  // `helm upgrade … -f deploy/prod.yaml`: a values file named on a command line sets it too.
  const fromNamed = places.map((p) => namedValuesAt(p.valuesPath, run, p.chart));
  const named = fromNamed.some((n) => n === undefined) ? undefined : fromNamed.flatMap((n) => n!);
  if (!knownOnly && named === undefined) return undefined;
  return [value, ...overridesOf(chart, valuesPath, run).map((o) => o.value), ...loose.flatMap((l) => (l.value === undefined ? [] : [l.value])), ...(named ?? [])];
}


/**
 * The nodes the values files the tool reads give a values path of the chart (values.yaml, the
 * chart's other values files, values files a command line of the repository names for it), for a
 * check that reads a list or a map there (the env entries a template prints from it); undefined
 * whenever something the tool does not read as a node may set it: a release, a parent chart, a
 * loose values file, `--set` on a command line, a values file of a parent's command line, or a
 * chart without a values.yaml (every value comes from its install).
 */
export function valuesNodesOf(chart: Chart | undefined, valuesPath: string, run: RunContext): { file: string; node: unknown }[] | undefined {
  if (!chart?.values || chartValuesBlockers(chart).length > 0) return undefined;
  const out: { file: string; node: unknown }[] = [];
  const add = (file: string, values: YAMLMap): boolean => {
    // A scalar or a list above the path: Helm cannot index it, the tool does not guess.
    if (prefixesOf(valuesPath).slice(1).some((p) => { const n = nodeAt(values, p); return n !== undefined && !isMap(n) && !(isScalar(n) && n.value === null); })) return false;
    const node = nodeAt(values, valuesPath);
    if (node !== undefined) out.push({ file, node });
    return true;
  };
  if (!add('values.yaml', chart.values)) return undefined;
  for (const o of overridesFor(chart, run)) if (!add(o.file, o.values)) return undefined;
  if (releaseMaySet(chart.root, chartName(chart.chartYaml), valuesPath, run)) return undefined;
  if (parentsOf(chart, run).length > 0 || looseValuesSettings(valuesPath, run).length > 0) return undefined;
  if (setOnCommandLine(valuesPath, run, chart) || setBelowOnCommandLine(valuesPath, run, chart)) return undefined;
  for (const { values, charts, file } of namedValueFiles(run)) {
    if (charts !== undefined && !charts.has(chart.root)) continue;
    if (!add(file, values)) return undefined;
  }
  return out;
}

/**
 * A release layer of the chart the tool cannot read that may set a values path (releaseUnreadLayer:
 * `helm upgrade x ./chart -f ../secrets/prod.yaml`, `-f "values-$ENV.yaml"`, `--values=https://…`,
 * `--reuse-values`), as a message says it; undefined when there is none. valuesNodesOf is undefined
 * then too: this says why.
 */
export function unreadValuesLayer(chart: Chart | undefined, valuesPath: string, run: RunContext): string | undefined {
  const unread = chart ? releaseUnreadLayer(chart.root, chartName(chart.chartYaml), valuesPath, run) : undefined;
  return unread && `${unread.release} merges ${unread.layer}, which the tool cannot read`;
}

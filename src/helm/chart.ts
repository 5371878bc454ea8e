/** What a chart says about its templates: the kubeVersion range in Chart.yaml, and values.yaml. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SemVer } from 'semver';
import { isMap, isScalar, type Document, type ParsedNode, type YAMLMap } from 'yaml';
import { keptHandlers } from '../kubernetes/merge-holds.js';
import { NATIVE_GRPC_MIN } from '../analysis/native-probe.js';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { BlockerCode, Report, RunContext } from '../types.js';

export interface Chart {
  root: string;
  chartYaml: string;
  /** The first document of values.yaml, when it parses. */
  values?: YAMLMap;
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

/** The nearest folder at or above `dir` holding a Chart.yaml. */
export function findChart(fileAbs: string, run: RunContext): Chart | undefined {
  if (!fileAbs) return undefined;
  let dir = path.dirname(fileAbs);
  for (;;) {
    const chartYaml = run.readText(path.join(dir, 'Chart.yaml'));
    if (chartYaml !== undefined) {
      const chart: Chart = { root: dir, chartYaml };
      const valuesText = run.readText(path.join(dir, 'values.yaml'));
      if (valuesText !== undefined) {
        const parsed = parseYaml(valuesText);
        const doc = parsed.error ? undefined : parsed.docs[0]?.contents;
        if (isMap(doc)) chart.values = doc;
      }
      return chart;
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The kube-version blocker a chart imposes: its kubeVersion range allows clusters older than 1.24,
 * and the user did not name the target version.
 */
export function chartKubeVersionBlockers(chart: Chart | undefined, run: RunContext): { code: BlockerCode; detail: string }[] {
  if (!chart || run.options.kubeVersionExplicit) return [];
  const parsed = parseYaml(chart.chartYaml);
  const doc = parsed.docs[0]?.contents;
  const node = isMap(doc) ? getPair(doc, 'kubeVersion')?.value : undefined;
  if (!isScalar(node) || typeof node.value !== 'string') return [];
  const range = node.value;
  // Helm (Masterminds semver) separates AND-ed comparators with commas, npm semver with spaces.
  let min: SemVer | null = null;
  try {
    min = minVersion()(range.replace(/,/g, ' '), { loose: true });
  } catch {
    return [{ code: 'kube-version', detail: `Chart.yaml kubeVersion "${range}" cannot be read; pass --kube-version with the real target` }];
  }
  if (!min) return [];
  if (min.major > NATIVE_GRPC_MIN.major || (min.major === NATIVE_GRPC_MIN.major && min.minor >= NATIVE_GRPC_MIN.minor)) return [];
  return [{
    code: 'kube-version',
    detail: `Chart.yaml allows kubeVersion "${range}" (from ${min.major}.${min.minor}); native gRPC probes need ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}, so pass --kube-version when every target cluster is newer`,
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

/** A `.Values.a.b` path's literal value in values.yaml (strings and numbers only). */
export function valueAt(chart: Chart | undefined, valuesPath: string): string | undefined {
  return chart?.values ? valueIn(chart.values, valuesPath) : undefined;
}

/**
 * What the chart's other values files set a `.Values.a.b` path to (files that do not set it are
 * left out): a default that one of them overrides is not the only value a release may see.
 */
export function overridesOf(chart: Chart | undefined, valuesPath: string, run: RunContext): { file: string; value: string }[] {
  if (!chart) return [];
  return overridesFor(chart, run).flatMap(({ file, values }) => {
    const value = valueIn(values, valuesPath);
    return value === undefined ? [] : [{ file, value }];
  });
}

const OVERRIDE_NAME = /^values[-_.].+\.ya?ml$/i;

function overridesFor(chart: Chart, run: RunContext): ValuesOverride[] {
  return (chart.overrides ??= overrideFiles(chart.root, run));
}

function overrideFiles(root: string, run: RunContext): ValuesOverride[] {
  const names: string[] = [];
  const list = (dir: string, keep: (name: string) => boolean) => {
    try {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isFile() && keep(e.name)) names.push(path.join(dir, e.name));
    } catch {
      // No such folder, or one the tool cannot read: nothing to add.
    }
  };
  list(root, (n) => OVERRIDE_NAME.test(n));
  list(path.join(root, 'ci'), (n) => /\.ya?ml$/i.test(n));
  const out: ValuesOverride[] = [];
  for (const absPath of names.sort()) {
    const text = run.readText(absPath);
    const parsed = text === undefined ? undefined : parseYaml(text);
    const doc = parsed && !parsed.error ? parsed.docs[0] : undefined;
    if (text !== undefined && doc && isMap(doc.contents)) out.push({ file: path.relative(root, absPath).split(path.sep).join('/'), absPath, text, doc, values: doc.contents });
  }
  return out;
}

/**
 * Whether a values file is merged over a chart's values.yaml: a values file of the chart other
 * than values.yaml (values-prod.yaml, ci/*.yaml), or a values file outside any chart (an
 * environment's values for helmfile, Argo CD...). Helm merges maps key by key, and a null
 * deletes the default's key: a probe migrated there gets `exec: null` (see mergePatch).
 */
export function isValuesOverride(fileAbs: string, chart: Chart | undefined): boolean {
  if (!fileAbs) return false;
  const base = path.basename(fileAbs);
  if (!chart) return /^values([-_.].*)?\.ya?ml$/i.test(base);
  if (path.dirname(fileAbs) === path.join(chart.root, 'ci')) return /\.ya?ml$/i.test(base);
  return path.dirname(fileAbs) !== chart.root || !/^values\.ya?ml$/i.test(base);
}

/**
 * values.yaml probes that a values file of the chart sets with a handler other than grpc, which
 * this run leaves there: keyPath → which file, and what it keeps. Migrating such a default
 * would give a release installed with that file a probe with two handlers.
 */
export function valuesHolds(chart: Chart | undefined, run: RunContext): Map<string, { file: string; kept: string }> {
  const out = new Map<string, { file: string; kept: string }>();
  if (!chart) return out;
  const inRun = new Set(run.allFiles());
  for (const o of overridesFor(chart, run)) {
    for (const k of keptHandlers(o.text, o.doc, run, inRun.has(o.absPath))) if (!out.has(k.keyPath)) out.set(k.keyPath, { file: o.file, kept: k.kept });
  }
  return out;
}

function valueIn(values: YAMLMap, valuesPath: string): string | undefined {
  let node: unknown = values;
  for (const key of valuesPath.split('.')) {
    if (!isMap(node)) return undefined;
    node = getPair(node, key)?.value;
  }
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return undefined;
  return String(node.value);
}

/**
 * A migratable probe of a chart's values stays as it is, blocked, when a template reads its exec
 * by path, or (values.yaml) when another values file of the chart keeps it on another handler.
 */
export function keepForValuesOverrides(r: Report, chart: Chart | undefined, fileAbs: string, run: RunContext): Report {
  if (!r.fix || !chart || r.keyPath === undefined) return r;
  const { fix: _fix, ...rest } = r;
  const reader = templateReadingExec(chart, r.keyPath, run);
  if (reader) {
    return {
      ...rest,
      blockers: ['unparseable'],
      keepsBinary: true,
      message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: ${reader} reads .Values.${r.keyPath}.exec, which would be gone (rendering fails, or renders another command); change the template first`,
    };
  }
  if (isValuesOverride(fileAbs, chart)) return r;
  const hold = valuesHolds(chart, run).get(r.keyPath);
  if (!hold) return r;
  return {
    ...rest,
    blockers: ['overlay-patch'],
    keepsBinary: true,
    message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: ${hold.file} ${hold.kept}; migrating it here would give a release installed with that file a probe with two handlers, which the API server rejects. Migrate or remove the handler in ${hold.file} first`,
  };
}

/**
 * A chart template that reads a values probe's exec by path (`.Values.readinessProbe.exec.command`,
 * e.g. a `helm test` pod running the same check): the first such template, relative to the chart.
 */
function templateReadingExec(chart: Chart, keyPath: string, run: RunContext): string | undefined {
  if (keyPath.includes('[')) return undefined;
  const needle = new RegExp(`\\.Values\\.${keyPath.replace(/\./g, '\\.')}\\.exec\\b`);
  for (const { file, text } of templatesOf(chart, run)) if (needle.test(text)) return file;
  return undefined;
}

const templateCache = new WeakMap<Chart, { file: string; text: string }[]>();
function templatesOf(chart: Chart, run: RunContext): { file: string; text: string }[] {
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
    if (text !== undefined) out.push({ file: `templates/${n.split(path.sep).join('/')}`, text });
  }
  templateCache.set(chart, out);
  return out;
}

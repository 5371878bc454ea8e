/** What a chart says about its templates: the kubeVersion range in Chart.yaml, and values.yaml. */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { SemVer } from 'semver';
import { isMap, isScalar, type YAMLMap } from 'yaml';
import { NATIVE_GRPC_MIN } from '../analysis/native-probe.js';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { BlockerCode, RunContext } from '../types.js';

export interface Chart {
  root: string;
  chartYaml: string;
  /** The first document of values.yaml, when it parses. */
  values?: YAMLMap;
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
  if (!chart?.values) return undefined;
  let node: unknown = chart.values;
  for (const key of valuesPath.split('.')) {
    if (!isMap(node)) return undefined;
    node = getPair(node, key)?.value;
  }
  if (!isScalar(node) || (typeof node.value !== 'string' && typeof node.value !== 'number')) return undefined;
  return String(node.value);
}

/**
 * A Helm release or chart in code (Pulumi `new k8s.helm.v3.Release(…, { chart: "../charts/x",
 * values })`, `helm.v3.Chart`'s `path`, `helm.v4.Chart`, cdk8s `Helm`) whose chart is a folder of
 * the repository: its values probes render through that chart's templates, so they are judged as a
 * values file of the chart is (src/helm/chart.ts, helmValuesOf): a template that puts them in a pod
 * on the host's network holds a loopback probe (`host`), a template that reads their exec, a
 * values.schema.json that refuses grpc, the chart's kubeVersion. A chart from a registry (`chart:
 * "aws-vpc-cni"` with a repository) is not read: the repository does not hold it.
 */
import path from 'node:path';
import type { FixedNumber } from '../analysis/native-probe.js';
import { helmValuesOf } from '../helm/chart.js';
// Registers the reader of releases in code with the helm module before it reads its releases.
import { releaseChartDirs } from './code-releases.js';
import type { BlockerCode, Report, RunContext } from '../types.js';

export interface ReleaseChart {
  /** A migrated values probe (with its keyPath in the values and whether -addr dials the local host), held or blocked as the chart's values file would be. */
  keep(r: Report): Report;
  /** The chart's kubeVersion blockers. */
  extraBlockers: { code: BlockerCode; detail: string }[];
  /** The timeoutSeconds a template writes beside the probe it prints from these values. */
  renderedTimeout?: (keyPath: string) => FixedNumber | { text: string } | undefined;
}

/**
 * A values file of the chart as the helm module names one (values-<name>.yaml): a release's values
 * merge over values.yaml as such a file's do. Never read: helmValuesOf takes it for its place.
 */
const RELEASE_VALUES = 'values-release-in-code.yaml';

/**
 * The charts of the repository a release's chart reference may name: the path from the code's
 * folder and from its project's (Pulumi.yaml, cdk8s.yaml), where a Chart.yaml is.
 */
export function releaseCharts(fileAbs: string, run: RunContext): (chartRef: string, fromFile?: boolean) => ReleaseChart[] {
  const dirsOf = releaseChartDirs(fileAbs, run);
  return (chartRef, fromFile) =>
    dirsOf(chartRef, fromFile).map((dir) => {
      const values = helmValuesOf({ path: path.join(dir, RELEASE_VALUES), kind: 'helm-values' }, [], run);
      const rendered = values.renderedTimeout;
      return {
        keep: (r) => values.keep(r),
        extraBlockers: values.extraBlockers,
        ...(rendered ? { renderedTimeout: (keyPath: string) => rendered(undefined, undefined, keyPath) } : {}),
      };
    });
}

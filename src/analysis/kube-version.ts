/**
 * Kubernetes versions as --kube-version gives them: a module of its own, without the probe
 * analysis, so that the CLI can read its options before it loads the engine (src/cli.ts).
 */

/** The target cluster when --kube-version is not given. */
export const DEFAULT_KUBE_VERSION = '1.27';

/** The first Kubernetes version with native gRPC probes (beta, on by default). */
export const NATIVE_GRPC_MIN = { major: 1, minor: 24 } as const;

/**
 * `1.29`, `v1.29.3`, and a full version as `kubectl version` prints a managed cluster's: with a
 * semver pre-release (`v1.30.4-eks-a737599`, `v1.29.1-gke.1589018`, `v1.31.0-rc.1`) or build
 * (`v1.29.3+k3s1`, OpenShift's `v1.27.6+f67aeb3`) after the patch. Only major and minor count.
 */
const KUBE_VERSION = /^v?(\d+)\.(\d+)(?:\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?$/;

/** What --kube-version takes, for its usage error (the CLI, `verify`, `pr`): what KUBE_VERSION reads. */
export function kubeVersionUsage(given: string): string {
  return `--kube-version "${given}" is not a Kubernetes version: give X.Y or X.Y.Z, optionally with a leading v and the suffix kubectl version prints for a managed cluster (e.g. 1.27, v1.29.3, v1.30.4-eks-a737599, v1.29.1-gke.1589018)`;
}

export function parseKubeVersion(v: string): { major: number; minor: number } | undefined {
  const m = KUBE_VERSION.exec(v.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export function kubeVersionSupportsGrpc(v: string): boolean {
  const k = parseKubeVersion(v);
  if (!k) return true;
  return k.major > NATIVE_GRPC_MIN.major || (k.major === NATIVE_GRPC_MIN.major && k.minor >= NATIVE_GRPC_MIN.minor);
}


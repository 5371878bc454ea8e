import type { BlockerCode } from './types.js';

/** What each blocker means and what the user can do. README and SARIF are built from this. */
export const BLOCKERS: Record<BlockerCode, { title: string; hint: string }> = {
  tls: {
    title: 'The probe uses TLS',
    hint: 'The kubelet probes in plaintext. Serve the health service on a plaintext port (or a second listener) and probe that, or keep the exec probe. Where every target cluster enables the GRPCContainerProbeTLS gate, --grpc-tls-mode turns -tls -tls-no-verify (only) into grpc.mode: TLS.',
  },
  spiffe: {
    title: 'The probe uses SPIFFE mTLS',
    hint: 'The kubelet cannot present a SPIFFE identity. Expose the health service on a plaintext port for the kubelet, or keep the exec probe.',
  },
  alts: {
    title: 'The probe uses ALTS',
    hint: 'The kubelet cannot speak ALTS. Expose the health service on a plaintext port, or keep the exec probe.',
  },
  'rpc-header': {
    title: 'The probe sends request metadata',
    hint: 'The kubelet sends no headers. Let the health service answer without them (health checks usually should), or keep the exec probe.',
  },
  chained: {
    title: 'The probe checks several services',
    hint: 'A native probe checks one service. Make one service name report the aggregate status, or split the checks across readiness/liveness/startup probes.',
  },
  'exit-code': {
    title: 'The probe adds its own result handling',
    hint: 'A native probe passes only on SERVING. Move the extra logic into the server\'s health status, or keep the exec probe.',
  },
  host: {
    title: 'The probe checks another host',
    hint: 'The kubelet always dials the pod\'s own IP (the node\'s IP for a pod on the host\'s network). Check a remote dependency elsewhere (not in a probe of this pod); for a local server, make sure it listens on that IP, then migrate by hand; or keep the exec probe.',
  },
  'unix-socket': {
    title: 'The probe connects over a unix socket',
    hint: 'The kubelet dials TCP on the pod IP. Make the server listen on a TCP port too, or keep the exec probe.',
  },
  'unresolved-port': {
    title: 'The port cannot be resolved',
    hint: 'A native probe needs a literal port number. Put the number in -addr, or give the variable a literal value in the container\'s env, and run the tool again.',
  },
  'invalid-port': {
    title: 'The port is not valid',
    hint: 'Fix -addr to a port between 1 and 65535 (a named port is not allowed in a gRPC probe).',
  },
  'not-a-probe': {
    title: 'The binary runs outside a Kubernetes probe',
    hint: 'Only probes can be native. Keep the binary for this use, or replace it (e.g. a wait loop with a native startupProbe on the server).',
  },
  'kube-version': {
    title: 'The target cluster is older than 1.24',
    hint: 'Native gRPC probes are on by default from Kubernetes 1.24 (GA in 1.27). Upgrade the cluster, or pass --kube-version when every target cluster is newer.',
  },
  unparseable: {
    title: 'The tool cannot read this command or file',
    hint: 'Check the command by hand; the tool changes nothing it cannot fully understand.',
  },
  'no-native-check': {
    title: 'What runs the check has no native gRPC check',
    hint: 'Keep the binary for this check, or drop the HEALTHCHECK when only Kubernetes runs the image.',
  },
  'binary-still-used': {
    title: 'Something still runs the binary',
    hint: 'The install stays while anything listed still calls grpc_health_probe. Migrate or remove those uses and run the tool again.',
  },
  'overlay-patch': {
    title: 'An overlay merges its own fields into this probe',
    hint: 'A Kustomize patch (or component), another values file of the chart, or the values of a release that installs the chart (a Flux HelmRelease, an Argo CD Application, a helmfile release), merges into this probe: migrating it alone would break that overlay (a JSON 6902 op or a replacement inside the probe fails the build; a patch or values file that keeps exec, or sets httpGet/tcpSocket, leaves the probe with two handlers, which the API server rejects; an overlay that sets a variable the command reads, `-addr=:$(GRPC_PORT)`, would no longer change the port). Make the overlay replace the whole probe, or migrate (or remove) its handler, and run the tool again.',
  },
  'unsupported-file': {
    title: 'The tool cannot rewrite this kind of file',
    hint: 'Migrate this use by hand: replace the exec probe with grpc: {port: N, service: "..."}.',
  },
};

/**
 * The `host` hint where the pod's hostNetwork is quoted (`"true"`, `'false'`, a Helm action piped to
 * `quote`): a string in a bool field, which the API server refuses, so the general hint (a remote
 * dependency, a server's listen address) is not what stands in the way.
 */
export const QUOTED_HOST_NETWORK_HINT =
  'hostNetwork is a boolean field: written quoted (or printed by a Helm action piped to quote), it is a string, and the API server rejects the pod (cannot unmarshal string into hostNetwork of type bool), so the manifest does not apply as it is. Write hostNetwork: true or false without quotes (in a template, print the value bare: hostNetwork: {{ .Values.hostNetwork }}), and run the tool again: off the host\'s network the probe migrates; on it, the kubelet dials the node\'s IP, so a server that listens only on loopback keeps the exec probe.';

export function hintFor(codes: readonly BlockerCode[]): string | undefined {
  if (codes.length === 0) return undefined;
  return codes.map((c) => BLOCKERS[c].hint).join(' ');
}

/**
 * A finding's hint from its blockers, when one of them carries its own (an -addr with a scheme):
 * each code's hint as the blocker says it, or as the code says it. Undefined when none does, so
 * the code's hints apply as usual.
 */
export function hintOfBlockers(blockers: readonly { code: BlockerCode; hint?: string }[], general: (code: BlockerCode) => string = (c) => BLOCKERS[c].hint): string | undefined {
  if (!blockers.some((b) => b.hint)) return undefined;
  const codes = [...new Set(blockers.map((b) => b.code))];
  return codes.map((c) => blockers.find((b) => b.code === c && b.hint)?.hint ?? general(c)).join(' ');
}

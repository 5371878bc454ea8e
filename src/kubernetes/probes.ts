/**
 * Finds exec probes that run grpc_health_probe in parsed YAML/JSON documents, walking every
 * document generically (any kind with a pod template, CRDs, values files, Lists), and builds the
 * text edits that turn them into native `grpc` probes. Shared by the manifest, values, JSON and
 * Helm rules: they differ only in how the text was parsed and how values are read.
 */
import type { Alias, Document, Node, Pair, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isAlias, isMap, isPair, isScalar, isSeq, visit } from '../parse/yaml-lib.js';
import { isBinaryPath, mentionsBinary, NAMED_IMAGE_HINT, upstreamRunKeeps, UPSTREAM_IMAGE } from '../analysis/binary.js';
import { analyzeShellScript, parseShell, resolveWord, shellCommentRanges, ShellParseError, type ShCall, type ShScript } from '../analysis/shell.js';
import { commandUses, scriptImageNames, scriptVariables, type WordReader } from '../analysis/script-runs.js';
import { ECS_HINT } from '../analysis/ecs.js';
import { hashLineCommentRanges, inRanges, mentionOffsets } from '../analysis/mentions.js';
import { NATIVE_GRPC_MIN, parseKubeVersion } from '../analysis/kube-version.js';
import { planNativeProbe, shellScriptIndex, SUB_SECOND_NOTE, type Blocker, type EnvSource, type FixedNumber, type NativePlan, type PortValue } from '../analysis/native-probe.js';
import { boundToLoopback, loopbackItems, unrenderedListen, type LoopbackItem, type RenderedText } from '../analysis/loopback-listen.js';
import { contentEnd, getPair, hasExplicitKey, hasMergeKey, keyOf, nodeAt, parseYaml } from '../parse/yaml.js';
import { editsThroughAliasesIn } from '../parse/yaml-aliases.js';
import { findActions } from '../helm/mask.js';
import { columnOf, lineStartOf } from '../text/lines.js';
import type { BlockerCode, Edit, Report } from '../types.js';
import { customResourceVerdict, type CrdProbeSchema } from './crd-schemas.js';
import { hintOfBlockers } from '../blockers.js';
import { healthCheckUse, type HealthCheckUse } from './health-checks.js';
import type { FluxArgv } from '../kustomize/flux-substitute.js';

export const PROBE_KEYS = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);

export interface ProbeWalkOptions {
  /** The text the documents' offsets point into. */
  text: string;
  docs: readonly Document.Parsed<ParsedNode, true>[];
  eol: string;
  kubeVersion: string;
  /** --kube-version was given (see TargetClusters): a ClusterServiceVersion's minKubeVersion does not block. */
  kubeVersionExplicit?: true;
  /** See PlanInput.tlsMode. */
  tlsMode?: boolean;
  /** How new keys and strings are written. */
  style?: 'yaml' | 'json';
  /** A scalar's value as the user wrote it (Helm reads through its placeholders). */
  scalarValue?: (node: Scalar) => string;
  /** A container's image as the probe's report names it (Helm: read through the chart's values), when it differs from scalarValue. */
  imageValue?: (node: Scalar) => string;
  resolvePortExpression?: (text: string) => string | undefined;
  /** A number written as something the tool does not rewrite (a Helm value), as the lowest value it may take. */
  resolveNumber?: (text: string, at?: number) => FixedNumber | undefined;
  /**
   * What timeoutSeconds is in a probe with keys the YAML view cannot see (a Helm action that prints
   * them, `{{- toYaml .Values.probe | nindent 12 }}`; for a values probe, a chart template that
   * writes timeoutSeconds beside it): a number it reads through them, or how they are written when
   * it cannot. Undefined when the probe has no such keys.
   */
  renderedTimeout?: (probePair: Pair<Scalar, YAMLMap>, execPair: Pair, keyPath: string) => FixedNumber | { text: string } | undefined;
  /** The text is a Helm template's: `{{ … }}` actions print words into commands. */
  templateActions?: boolean;
  /**
   * Helm: a text's values actions rendered as the chart's values give them (src/helm/listen-values.ts),
   * `at` where the text is (its dot), for the loopback listen check (renderedListen).
   */
  renderValues?: (text: string, at: number) => RenderedText | undefined;
  /** The file is a GitLab CI config (`.gitlab-ci.yml`, a file under `.gitlab/`): its jobs' scripts are read as a workflow step's are. */
  gitlabCi?: boolean;
  /** The file is a Drone, Woodpecker or Buildkite pipeline, a Taskfile or a devcontainer.json: its steps' commands are read as a workflow step's are. */
  pipeline?: Pipeline;
  /**
   * The file's own bytes, where `text` is a masked view of them at the same offsets (a Helm
   * template: actions replaced by placeholders): comments the rewrite moves are copied from here.
   */
  original?: string;
  /** Refuses edits that would cut through something (a Helm action); returns why. `probeStart`: where the probe's key starts. */
  refuseEdit?: (edit: Edit, probeStart: number) => string | undefined;
  /** Whether the probe's handlers each sit in a branch of their own of a template conditional (Helm): one per render, so another handler beside exec does not block. */
  handlersApart?: (probe: YAMLMap) => boolean;
  /**
   * A container's env entries that something after them in the file may redefine (a Helm
   * template's `{{- toYaml .Values.extraEnvVars | nindent 12 }}` after `- name: GRPC_PORT`): name →
   * what may. A probe whose command reads one is blocked, its literal value being only a default.
   */
  envSplices?: (container: YAMLMap) => ReadonlyMap<string, string> | undefined;
  /** Extra blockers for every probe (e.g. a chart's kubeVersion), with their detail. */
  extraBlockers?: { code: BlockerCode; detail: string }[];
  /** Names a pair that holds a probe under another key (a JSON 6902 op's `value`). */
  probeKey?: (pair: Pair, path: readonly unknown[]) => string | undefined;
  /**
   * The documents are merge patches (a Kustomize strategic-merge patch, a Helm values file over
   * the chart's values.yaml): a probe in one merges with the base's probe, field by field. A migrated probe then also says `exec: null`, which
   * deletes the base's exec handler in the merge, so the built probe has one handler (grpc)
   * whatever the base holds: a remote base, a base the tool blocked, a base outside the run.
   * Only documents whose root is a mapping (a JSON 6902 op list replaces whole values).
   */
  mergePatch?: boolean | ((root: YAMLMap, keyPath: string) => boolean);
  /**
   * For a merge patch's probe: whether the probe it merges over may have a `grpc.service` (say so
   * when it cannot be seen). `grpc` merges key by key too, so a migrated probe without -service
   * then says `service: ""`; it would check the other probe's service otherwise.
   */
  baseService?: (root: YAMLMap, keyPath: string) => boolean;
  /** Set per probe by the walk: this probe writes `service: ""` (see baseService). */
  clearService?: boolean;
  /**
   * For a merge patch's probe: the handlers other than exec (`httpGet`, `tcpSocket`) that the probe
   * it merges over sets (a chart's values.yaml default). Helm merges map by map: the migrated
   * probe writes `httpGet: null` beside `exec: null`, or the default's httpGet would stay beside grpc.
   */
  baseHandlers?: (root: YAMLMap, keyPath: string) => string[];
  /** Set per probe by the walk: the handlers this probe writes null beside exec (see baseHandlers). */
  nullHandlers?: string[];
  /** What the repository's CRD of a custom resource says about the probe's place (src/kubernetes/crd-schemas.ts). */
  customResourceSchema?: (resource: { apiVersion: string; kind: string }, keyPath: string) => CrdProbeSchema | undefined;
  /**
   * The repository's Namespace object of that name (its annotations and labels), where a mesh may
   * be enabled for every pod in it (Linkerd's `linkerd.io/inject` and default inbound policy).
   */
  namespaceMeta?: (name: string) => NamespaceMeta | undefined;
  /**
   * The namespaces the repository's builds put the file's objects in (a kustomization's
   * `namespace:`, a Flux Kustomization's targetNamespace, an Argo CD destination: src/kubernetes/namespaces.ts):
   * those that override an object's own metadata.namespace, and those that fill it where it has none.
   */
  appliedNamespaces?: () => readonly { name: string; via: string; overrides: boolean }[];
  /** Whether the repository holds a Linkerd `Server` (policy.linkerd.io), which may authorize the kubelet's probe. */
  linkerdServers?: () => boolean;
  /**
   * For a patch's probe (a Kustomize strategic-merge patch or JSON 6902 op): what it takes from
   * the object(s) the patch is applied to, where it runs once built (src/kustomize/patch-targets.ts).
   */
  builtContext?: (path: readonly unknown[], pair: Pair, docIndex: number) => BuiltContext | undefined;
  /**
   * Flux postBuild substitution of the file (src/kustomize/flux-substitute.ts): for an exec
   * probe's command holding `${…}` in the object `root`, what the Flux Kustomizations that build
   * the file substitute there; undefined when none does.
   */
  fluxSubstitution?: (root: unknown, argv: readonly string[]) => FluxArgv | { detail: string; hint?: string } | undefined;
  /**
   * In a strategic-merge patch or a values file (no fluxSubstitution): the Flux Kustomizations with
   * postBuild variables whose spec.path holds the file, as shown, or undefined. A `${…}` port there
   * is Flux's to fill in, which the finding says, though the tool writes no such port there.
   */
  fluxFolder?: () => string | undefined;
}

/** What a patch's probe takes from the built object (ProbeWalkOptions.builtContext); the patch's own fields come first. */
export interface BuiltContext {
  /** The built pod's hostNetwork: true, or may be (the object could not be read). */
  hostNetwork?: true | 'unknown';
  /** The list the container is in there (a JSON 6902 op's path names it). */
  list?: 'containers' | 'initContainers' | 'ephemeralContainers';
  /** The built container's restartPolicy (an init container with Always is a sidecar). */
  restartPolicy?: string;
  /** The built container's literal env, as the merge makes it (the patch's entries included). */
  env?: (name: string) => string | undefined;
  mesh?: Mesh;
}

export interface ContainerContext {
  container?: YAMLMap;
  /** `containers`, `initContainers`, `ephemeralContainers`, or undefined outside a container list. */
  list?: string;
  /**
   * The pod spec says `hostNetwork: true`, something the tool cannot read as a boolean (templated,
   * an alias, merged in), or a quoted string the API server rejects (`"false"`).
   */
  hostNetwork?: true | 'unknown' | 'string';
  /** The object the probe is in, when it says its apiVersion and kind. */
  resource?: { apiVersion: string; kind: string };
  /** The probe's path from that object (`spec.template…livenessProbe`, without a List's `items[0].`). */
  resourcePath?: string;
  /** The pod template is in a service mesh already (see meshOf). */
  mesh?: Mesh;
  /** The document has an apiVersion and no kind: another format's spec (see foreignSpecOf). */
  foreignSpec?: string;
  /** The probe is in a KubeVela Application's component properties: the component's type. */
  oamComponentType?: string;
  /** What the enclosing object says of the clusters it installs on (see declaredKubeVersionBlocker). */
  kubeVersionBlocker?: { code: BlockerCode; detail: string; hint: string };
  /** From a patch's built object (BuiltContext): the container's restartPolicy and env where the patch does not say them. */
  restartPolicy?: string;
  env?: (name: string) => string | undefined;
  /** The pod spec whose container list holds the container (its sibling containers share the pod's network). */
  podSpec?: YAMLMap;
}

/** A service mesh that intercepts the pod's inbound traffic, and what in the manifest says so. */
export interface Mesh {
  name: 'Istio' | 'Linkerd' | 'Consul' | 'OSM' | 'Kuma';
  /** `sidecar.istio.io/status annotation`, `istio-proxy container`; absent where only rewriteOff says Istio. */
  evidence?: string;
  /** Istio: the template turns probe rewriting off (`sidecar.istio.io/rewriteAppHTTPProbers: "false"`, as written). */
  rewriteOff?: string;
  /** Linkerd: `config.linkerd.io/default-inbound-policy` as written, and where (the pod template, or its Namespace). */
  policy?: { value: string; where: string };
  /** Inbound ports the proxy does not intercept, as written (Linkerd's skip-inbound-ports, Consul's transparent-proxy-exclude-inbound-ports), and the annotation. */
  skipPorts?: { value: string; annotation: string };
  /** Consul: `consul.hashicorp.com/transparent-proxy` as written (absent: the cluster's default, on in Consul's Helm chart). */
  transparentProxy?: string;
  /** Kuma: `kuma.io/application-probe-proxy-port` on the template, as written (Kuma 2.9+; "0" turns the proxy off). */
  probeProxy?: string;
}

/** A Namespace object of the repository: what it says of the pods in it. */
export interface NamespaceMeta {
  name: string;
  /** What puts the object in it, where not its own metadata.namespace (`namespace: in app/kustomization.yaml`), for messages. */
  via?: string;
  annotations: ReadonlyMap<string, string>;
  labels: ReadonlyMap<string, string>;
}

/** Go's strconv.ParseBool true, as consul-k8s reads its annotations. */
const GO_PARSE_BOOL_TRUE = /^(1|t|T|true|True|TRUE)$/;

/** Go's strconv.ParseBool false, as Istio's injector reads sidecar.istio.io/rewriteAppHTTPProbers. */
const GO_PARSE_BOOL_FALSE = /^(0|f|F|false|False|FALSE)$/;

/**
 * Whether the pod template of the container at the end of `path` is in a service mesh: already
 * injected by Istio (its `sidecar.istio.io/status` annotation, an `istio-proxy` container, as
 * `istioctl kube-inject` or an exported pod writes them), or meshed by Linkerd (injected:
 * `linkerd.io/proxy-version`, a `linkerd-proxy` container; or `linkerd.io/inject: enabled`,
 * which its webhook injects at admission). A template the Istio webhook has yet to inject is
 * not: injection rewrites its probes (gRPC ones too, from Istio 1.14) onto the agent's port
 * (an httpGet the agent answers by checking the server over gRPC inside the pod) -- unless the
 * template says `sidecar.istio.io/rewriteAppHTTPProbers: "false"` (and does not opt out of
 * injection with `sidecar.istio.io/inject: "false"`): the injector then leaves the grpc probe as it
 * is. Rewriting turned off mesh-wide (the injector's rewriteAppHTTPProbe) is not in the manifest.
 */
export function meshOf(path: readonly unknown[], namespace?: NamespaceMeta): Mesh | undefined {
  const n = path.length;
  const podSpec = path[n - 4];
  const specPair = path[n - 5];
  const template = path[n - 6];
  if (!isMap(podSpec) || !isPair(specPair) || keyOf(specPair as Pair) !== 'spec' || !isMap(template)) return undefined;
  const metadata = getPair(template, 'metadata')?.value;
  const annotations = isMap(metadata) ? getPair(metadata, 'annotations')?.value : undefined;
  const annotation = (key: string) => {
    const v = isMap(annotations) ? getPair(annotations, key)?.value : undefined;
    return v === undefined ? undefined : isScalar(v) && v.value !== null ? String(v.value) : '';
  };
  const labels = isMap(metadata) ? getPair(metadata, 'labels')?.value : undefined;
  const label = (key: string) => {
    const v = isMap(labels) ? getPair(labels, key)?.value : undefined;
    return isScalar(v) && v.value !== null ? String(v.value) : undefined;
  };
  const rewrite = annotation('sidecar.istio.io/rewriteAppHTTPProbers');
  // The label is what Istio reads today; the annotation of the same name is its older form.
  const istioInject = label('sidecar.istio.io/inject') ?? annotation('sidecar.istio.io/inject');
  const rewriteOff = rewrite !== undefined && GO_PARSE_BOOL_FALSE.test(rewrite) && !(istioInject !== undefined && GO_PARSE_BOOL_FALSE.test(istioInject)) ? rewrite : undefined;
  const istio = (evidence?: string): Mesh => ({ name: 'Istio', ...(evidence ? { evidence } : {}), ...(rewriteOff !== undefined ? { rewriteOff } : {}) });
  const containerNamed = (name: string) =>
    ['containers', 'initContainers'].find((list) => {
      const items = getPair(podSpec, list)?.value;
      return isSeq(items) && items.items.some((c) => isMap(c) && isScalar(getPair(c, 'name')?.value) && (getPair(c, 'name')!.value as Scalar).value === name);
    });
  if (annotation('sidecar.istio.io/status') !== undefined) return istio('its sidecar.istio.io/status annotation');
  const istioProxy = containerNamed('istio-proxy');
  if (istioProxy) return istio(`an istio-proxy container in ${istioProxy}`);
  if (rewriteOff !== undefined) return istio();
  const ns = (key: string) => namespace?.annotations.get(key);
  const nsShown = () => `${namespace!.name}${namespace!.via !== undefined ? ` (${namespace!.via})` : ''}`;
  const linkerd = (evidence: string): Mesh => {
    const mesh: Mesh = { name: 'Linkerd', evidence };
    const own = annotation('config.linkerd.io/default-inbound-policy');
    const nsPolicy = ns('config.linkerd.io/default-inbound-policy');
    if (own !== undefined) mesh.policy = { value: own, where: 'the pod template' };
    // What puts the object in the Namespace is said once: in the evidence when it names the Namespace.
    else if (nsPolicy !== undefined) mesh.policy = { value: nsPolicy, where: `its Namespace ${evidence.includes(' on its Namespace ') ? namespace!.name : nsShown()}` };
    const skip = annotation('config.linkerd.io/skip-inbound-ports') ?? ns('config.linkerd.io/skip-inbound-ports');
    if (skip !== undefined) mesh.skipPorts = { value: skip, annotation: 'config.linkerd.io/skip-inbound-ports' };
    return mesh;
  };
  if (annotation('linkerd.io/proxy-version') !== undefined) return linkerd('its linkerd.io/proxy-version annotation');
  const linkerdProxy = containerNamed('linkerd-proxy');
  if (linkerdProxy) return linkerd(`a linkerd-proxy container in ${linkerdProxy}`);
  const inject = annotation('linkerd.io/inject');
  if (inject === 'enabled' || inject === 'ingress') return linkerd(`linkerd.io/inject: ${inject}`);
  // Injection enabled on the Namespace (the usual way), unless the template says otherwise.
  const nsInject = ns('linkerd.io/inject');
  if (inject === undefined && (nsInject === 'enabled' || nsInject === 'ingress')) return linkerd(`linkerd.io/inject: ${nsInject} on its Namespace ${nsShown()}`);
  // Consul's webhook injects where connect-inject is true (strconv.ParseBool); an exported pod has its sidecar.
  const consulInject = annotation('consul.hashicorp.com/connect-inject');
  // `envoy-sidecar` is also the name of many a hand-written Envoy beside an app: Consul's only with a sign of Consul.
  const consulSign =
    containerNamed('consul-connect-inject-init') !== undefined ||
    (isMap(annotations) && annotations.items.some((p) => isPair(p) && (keyOf(p as Pair) ?? '').startsWith('consul.hashicorp.com/'))) ||
    [...(namespace?.annotations.keys() ?? []), ...(namespace?.labels.keys() ?? [])].some((k) => k.startsWith('consul.hashicorp.com/'));
  const consulSidecar = containerNamed('consul-dataplane') ? 'consul-dataplane' : containerNamed('envoy-sidecar') && consulSign ? 'envoy-sidecar' : undefined;
  if ((consulInject !== undefined && GO_PARSE_BOOL_TRUE.test(consulInject)) || consulSidecar) {
    const tproxy = annotation('consul.hashicorp.com/transparent-proxy');
    const exclude = annotation('consul.hashicorp.com/transparent-proxy-exclude-inbound-ports');
    return {
      name: 'Consul',
      evidence: consulInject !== undefined && GO_PARSE_BOOL_TRUE.test(consulInject) ? `consul.hashicorp.com/connect-inject: "${consulInject}"` : `${consulSidecar === 'envoy-sidecar' ? 'an' : 'a'} ${consulSidecar} container in ${containerNamed(consulSidecar!)}`,
      ...(tproxy !== undefined ? { transparentProxy: tproxy } : {}),
      ...(exclude !== undefined ? { skipPorts: { value: exclude, annotation: 'consul.hashicorp.com/transparent-proxy-exclude-inbound-ports' } } : {}),
    };
  }
  // Kuma injects where kuma.io/sidecar-injection is enabled (a label today, an annotation before;
  // on the template, or on its Namespace); an exported pod has its kuma-sidecar container. A
  // delegated gateway (kuma.io/gateway: enabled) takes inbound traffic that Kuma does not intercept.
  const kumaOwn = label('kuma.io/sidecar-injection') ?? annotation('kuma.io/sidecar-injection');
  const kumaNs = namespace?.labels.get('kuma.io/sidecar-injection') ?? ns('kuma.io/sidecar-injection');
  const kumaSidecar = containerNamed('kuma-sidecar');
  const kumaOn = (v: string | undefined) => v === 'enabled' || v === 'true';
  if (annotation('kuma.io/gateway') !== 'enabled' && (kumaSidecar || kumaOn(kumaOwn) || (kumaOwn === undefined && kumaOn(kumaNs)))) {
    const exclude = annotation('traffic.kuma.io/exclude-inbound-ports');
    const probeProxy = annotation('kuma.io/application-probe-proxy-port');
    return {
      name: 'Kuma',
      evidence: kumaSidecar ? `a kuma-sidecar container in ${kumaSidecar}` : kumaOn(kumaOwn) ? `kuma.io/sidecar-injection: ${kumaOwn}` : `kuma.io/sidecar-injection: ${kumaNs} on its Namespace ${nsShown()}`,
      ...(exclude !== undefined ? { skipPorts: { value: exclude, annotation: 'traffic.kuma.io/exclude-inbound-ports' } } : {}),
      ...(probeProxy !== undefined ? { probeProxy } : {}),
    };
  }
  const osm = annotation('openservicemesh.io/sidecar-injection');
  const nsOsm = ns('openservicemesh.io/sidecar-injection');
  if (osm === 'enabled' || (osm === undefined && nsOsm === 'enabled')) {
    const exclude = annotation('openservicemesh.io/inbound-port-exclusion-list');
    return {
      name: 'OSM',
      evidence: `openservicemesh.io/sidecar-injection: enabled${osm === undefined ? ` on its Namespace ${nsShown()}` : ''}`,
      ...(exclude !== undefined ? { skipPorts: { value: exclude, annotation: 'openservicemesh.io/inbound-port-exclusion-list' } } : {}),
    };
  }
  return undefined;
}

/** Whether a port list as a mesh's annotation writes it (`4190,4191`, `5000-6000`) holds the port. */
function portListed(list: string, port: number): boolean {
  return list.split(',').some((item) => {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(item);
    return !!m && port >= Number(m[1]) && port <= Number(m[2] ?? m[1]);
  });
}

const LINKERD_AUTHENTICATED = new Set(['all-authenticated', 'cluster-authenticated', 'deny']);

/**
 * What the mesh does to the kubelet's grpc probe, where the manifest (and its Namespace) says
 * enough to know: a blocker where it fails for sure, no note where it passes, else the note.
 * Linkerd refuses the kubelet's plaintext probe under an authenticated or deny default policy:
 * its default probe authorizations are built from httpGet probes only (linkerd/linkerd2#9008;
 * gRPC probes: #9595) -- unless the repository holds a Server, whose authorizations the tool
 * does not follow. Consul's transparent proxy (its Helm chart's default) redirects all inbound
 * traffic to Envoy, which wants mTLS, and rewrites only HTTP probes to pass through it
 * (hashicorp/consul-k8s#517). OSM's Envoy wants mTLS inbound too, and its injector rewrites only
 * httpGet and tcpSocket probes. The exec probe dialled the server from inside the pod, which none
 * of them intercepts.
 */
export function meshVerdict(mesh: Mesh, port: PortValue, linkerdServers: boolean): { blocker: { code: BlockerCode; detail: string; hint: string } } | { note: string } | undefined {
  const shown = portText(port);
  const skipped = mesh.skipPorts && port.kind === 'number' && portListed(mesh.skipPorts.value, port.value);
  if (mesh.name === 'Linkerd') {
    if (skipped) return undefined;
    const policy = mesh.policy?.value;
    if (policy === 'all-unauthenticated' || policy === 'audit') return undefined;
    if (policy !== undefined && LINKERD_AUTHENTICATED.has(policy) && !linkerdServers) {
      return {
        blocker: {
          code: 'tls',
          detail: `the pod is meshed by Linkerd (${mesh.evidence}) with config.linkerd.io/default-inbound-policy: ${policy} on ${mesh.policy!.where}: the kubelet's grpc probe is plaintext and unauthenticated from the node, and Linkerd authorizes kubelet probes by itself only for httpGet (linkerd/linkerd2#9595), so the proxy refuses it; the exec probe dialled the server from inside the pod, which Linkerd allows`,
          hint: `Under Linkerd's ${policy} policy the kubelet's grpc probe is refused. Skip the port from the proxy (config.linkerd.io/skip-inbound-ports: "${shown}" on the pod template; the port's traffic then bypasses Linkerd), or authorize unauthenticated traffic to it (a policy.linkerd.io Server for port ${shown} with an AuthorizationPolicy allowing a NetworkAuthentication of the node network), then run the tool again; or keep the exec probe.`,
        },
      };
    }
    if (policy === undefined) return { note: meshNote(mesh, shown) };
    const requires = LINKERD_AUTHENTICATED.has(policy);
    return {
      note: `the pod is meshed by Linkerd (${mesh.evidence}) with config.linkerd.io/default-inbound-policy: ${policy} on ${mesh.policy!.where}: the kubelet's grpc probe is plaintext and unauthenticated from the node, and Linkerd authorizes kubelet probes by itself only for httpGet; ${requires ? `that policy refuses it, and the repository holds a Linkerd Server (policy.linkerd.io), whose authorizations the tool does not follow: check that one authorizes unauthenticated traffic to port ${shown}` : `where the inbound policy requires mTLS (all-authenticated, cluster-authenticated, deny, or a Server with an AuthorizationPolicy on port ${shown}), authorize unauthenticated traffic to that port`}, or skip it (config.linkerd.io/skip-inbound-ports)`,
    };
  }
  if (mesh.name === 'Consul') {
    if (skipped) return undefined;
    if (mesh.transparentProxy !== undefined && GO_PARSE_BOOL_FALSE.test(mesh.transparentProxy)) return undefined;
    const tproxy = mesh.transparentProxy !== undefined ? `consul.hashicorp.com/transparent-proxy: "${mesh.transparentProxy}"` : 'transparent proxy, on by default (connectInject.transparentProxy.defaultEnabled)';
    return {
      blocker: {
        code: 'tls',
        detail: `the pod is meshed by Consul (${mesh.evidence}): with ${tproxy}, all inbound traffic is redirected to Envoy, which wants mTLS, and Consul rewrites only HTTP probes to pass through it (hashicorp/consul-k8s#517), so the kubelet's plaintext grpc probe is refused; the exec probe dialled the server from inside the pod, which is not redirected`,
        hint: `Exclude the port from Consul's redirection (consul.hashicorp.com/transparent-proxy-exclude-inbound-ports: "${shown}" on the pod template), then run the tool again; or keep the exec probe. Where transparent proxy is off for this pod (the annotation "false", or off cluster-wide), the native probe reaches the server directly: say so with consul.hashicorp.com/transparent-proxy: "false" on the template.`,
      },
    };
  }
  if (mesh.name === 'Kuma') {
    if (skipped) return undefined;
    // Kuma 2.9's application probe proxy (on by default) turns grpc probes into httpGet ones on its
    // port at injection; the annotation exists only from 2.9, so a port other than 0 says the proxy is there.
    if (mesh.probeProxy !== undefined && /^\d+$/.test(mesh.probeProxy) && Number(mesh.probeProxy) !== 0) {
      return { note: `the pod is meshed by Kuma (${mesh.evidence}) with kuma.io/application-probe-proxy-port: "${mesh.probeProxy}": Kuma 2.9's application probe proxy rewrites the grpc probe at injection and checks the server from inside the pod; on an older control plane the kubelet's plaintext probe would reach the sidecar, which wants mTLS where the Mesh enables it` };
    }
    return {
      blocker: {
        code: 'tls',
        detail: `the pod is meshed by Kuma (${mesh.evidence}): inbound traffic goes through its sidecar, which wants mTLS where the Mesh enables it; before Kuma 2.9 its virtual probes rewrite only httpGet probes (kumahq/kuma#3875), and from 2.9 the application probe proxy that rewrites grpc ones may be off (kuma.io/application-probe-proxy-port: "0", or off in the control plane's config): the tool sees neither the Kuma version nor the Mesh, so the kubelet's plaintext grpc probe may be refused; the exec probe dialled the server from inside the pod, which the sidecar does not intercept`,
        hint: `Exclude the port from the sidecar (traffic.kuma.io/exclude-inbound-ports: "${shown}" on the pod template), or, on Kuma 2.9 or later with the application probe proxy on, say so with kuma.io/application-probe-proxy-port: "9001" (its default port) on the pod template; then run the tool again. Or keep the exec probe.`,
      },
    };
  }
  if (mesh.name === 'OSM') {
    if (skipped) return undefined;
    return {
      blocker: {
        code: 'tls',
        detail: `the pod is meshed by Open Service Mesh (${mesh.evidence}): inbound traffic goes through its Envoy sidecar, which wants mTLS, and OSM's injector rewrites only httpGet and tcpSocket probes (gRPC ones were never added: openservicemesh/osm#4428), so the kubelet's plaintext grpc probe is refused`,
        hint: `Exclude the port from the sidecar (openservicemesh.io/inbound-port-exclusion-list: "${shown}" on the pod template), then run the tool again; or keep the exec probe.`,
      },
    };
  }
  return { note: meshNote(mesh, shown) };
}

/** What a migrated probe in a meshed pod must be checked for: the kubelet's probe is plaintext and comes from the node. */
function meshNote(mesh: Mesh, port: string): string {
  const bypass = `or exclude port ${port} from interception (traffic.sidecar.istio.io/excludeInboundPorts) or make it PERMISSIVE`;
  if (mesh.name === 'Istio' && mesh.rewriteOff !== undefined) {
    // Istio's injector turns a grpc probe into an httpGet on its agent's status port, which checks
    // the server over gRPC inside the pod (pkg/kube/inject/app_probe.go, convertAppProberGRPC).
    return `the pod template turns off Istio's probe rewriting (sidecar.istio.io/rewriteAppHTTPProbers: "${mesh.rewriteOff}")${mesh.evidence ? ` and is already injected (${mesh.evidence})` : ''}: with it on, Istio's injector turns a grpc probe into an httpGet on its agent's status port, and the agent checks the server over gRPC from inside the pod; with it off, the kubelet's grpc probe goes plaintext from the node to the pod IP, through the sidecar, and fails where mTLS is STRICT (the exec probe dialled from inside the pod, where the sidecar does not intercept it); remove the annotation${mesh.evidence ? ' and inject again' : ''} so that the agent answers the probe (unless rewriting is off mesh-wide, sidecarInjectorWebhook.rewriteAppHTTPProbe in Istio's install values, which the tool cannot see), ${bypass}`;
  }
  if (mesh.name === 'Istio') {
    return `the pod template is already injected by Istio (${mesh.evidence}): the kubelet's grpc probe is plaintext from the node, and Istio rewrites probes only when it injects, so this one is not rewritten and fails where mTLS is STRICT; inject again (istioctl kube-inject, or the webhook on the un-injected manifest, with sidecar.istio.io/rewriteAppHTTPProbers left on and rewriting not off mesh-wide) so that the agent answers it, ${bypass}`;
  }
  if (mesh.name === 'Kuma') {
    return `the pod is meshed by Kuma (${mesh.evidence}): its sidecar intercepts inbound traffic and wants mTLS where the Mesh enables it; before Kuma 2.9 only httpGet probes are rewritten to pass it, so check that port ${port} is excluded (traffic.kuma.io/exclude-inbound-ports) or that the application probe proxy (Kuma 2.9+) is on`;
  }
  if (mesh.name === 'Consul' || mesh.name === 'OSM') {
    return `the pod is meshed by ${mesh.name === 'OSM' ? 'Open Service Mesh' : 'Consul'} (${mesh.evidence}): its Envoy sidecar intercepts inbound traffic and wants mTLS, and it rewrites only HTTP probes, so the kubelet's plaintext grpc probe is refused unless the port is excluded from interception${mesh.name === 'Consul' ? ' (consul.hashicorp.com/transparent-proxy-exclude-inbound-ports) or transparent proxy is off' : ''}`;
  }
  return `the pod is meshed by Linkerd (${mesh.evidence}): the kubelet's grpc probe is plaintext and unauthenticated from the node, and Linkerd authorizes kubelet probes by itself only for httpGet; where the inbound policy requires mTLS (all-authenticated, or a Server with an AuthorizationPolicy on port ${port}), authorize unauthenticated traffic to that port or skip it (config.linkerd.io/skip-inbound-ports)`;
}

/**
 * The kube-version blocker of an object that says which clusters it installs on: OLM's
 * ClusterServiceVersion installs its deployments on every cluster from `spec.minKubeVersion`
 * (OLM refuses older ones), as a chart's kubeVersion range does (src/helm/chart.ts). Below 1.24
 * those clusters have no grpc probe: the API server drops the field and refuses the probe left
 * with no handler. Without minKubeVersion the bundle says nothing, as a chart without kubeVersion.
 */
function declaredKubeVersionBlocker(resource: { apiVersion: string; kind: string }, node: YAMLMap, text: string, scalarValue: (s: Scalar) => string): { code: BlockerCode; detail: string; hint: string } | undefined {
  if (resource.kind !== 'ClusterServiceVersion' || !resource.apiVersion.startsWith('operators.coreos.com/')) return undefined;
  const spec = getPair(node, 'spec')?.value;
  const min = isMap(spec) ? getPair(spec, 'minKubeVersion')?.value : undefined;
  if (min === undefined || (isScalar(min) && (min.value === null || min.value === ''))) return undefined;
  // As written: a plain 1.20 is the number 1.2 to YAML.
  const written = isScalar(min) ? (typeof min.value === 'string' ? scalarValue(min) : min.range ? text.slice(min.range[0], min.range[1]) : String(min.value)) : undefined;
  const shown = 'the ClusterServiceVersion\'s spec.minKubeVersion';
  const hint = `OLM installs the bundle on every cluster from spec.minKubeVersion. Raise it to ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}.0 when the operator supports no older cluster, and run the tool again; or pass --kube-version when every target cluster is newer.`;
  const v = written !== undefined ? parseKubeVersion(written) : undefined;
  if (!v) return { code: 'kube-version', detail: `${shown} ${written !== undefined ? `"${written}" ` : ''}cannot be read as a version, so the clusters OLM installs the bundle on are unknown; pass --kube-version with the real target`, hint };
  if (v.major > NATIVE_GRPC_MIN.major || (v.major === NATIVE_GRPC_MIN.major && v.minor >= NATIVE_GRPC_MIN.minor)) return undefined;
  return {
    code: 'kube-version',
    detail: `${shown} is ${written} (OLM installs the bundle on clusters from ${v.major}.${v.minor}); native gRPC probes need ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}, and an older API server drops grpc and refuses the probe left with no handler`,
    hint,
  };
}

const MERGED_NOTE = 'merged into another probe (a Kustomize patch, a Helm values file): `exec: null` removes that probe\'s exec handler';
const CLEAR_SERVICE_NOTE = '`service: ""` keeps checking the whole server: the probe it merges over may name a service, which would merge in';

/**
 * `helm: {values: |- …}`: Helm values written as a string of YAML, as an Argo CD Application
 * gives them (the form before `valuesObject`, Argo CD 2.8). Its probes are values probes, read
 * as the values walk reads a `valuesObject` (merged over the chart's), but the tool does not
 * rewrite YAML held in a string: each is reported blocked `unsupported-file`, with the native probe
 * to write by hand, or blocked for its own reasons. The string of a release of the repository
 * (an Application that names its chart, in a YAML file) is read by src/helm/values-strings.ts instead,
 * which judges it by the chart and rewrites a literal block: these reports are dropped there. A mention of the binary that is no probe of
 * those values is reported as the walk reports any other (the whole string, once). Undefined when
 * the scalar is not such a string, does not parse, or holds no probe.
 */
function valuesStringReports(node: Scalar, path: readonly unknown[], docIndex: number, opts: ProbeWalkOptions): Report[] | undefined {
  const keys = path.filter(isPair).map((p) => keyOf(p as Pair));
  const n = keys.length;
  if (n < 2 || keys[n - 2] !== 'helm' || keys[n - 1] !== 'values' || typeof node.value !== 'string' || !node.range) return undefined;
  const inner = node.value;
  const parsed = parseYaml(inner);
  if (parsed.error || !parsed.docs.some((d) => isMap(d.contents))) return undefined;
  const probes = findProbeReports({
    text: inner,
    docs: parsed.docs,
    eol: '\n',
    kubeVersion: opts.kubeVersion,
    ...(opts.tlsMode ? { tlsMode: true } : {}),
    ...(opts.kubeVersionExplicit ? { kubeVersionExplicit: true as const } : {}),
    // Argo CD's values merge over the chart's, whose probe may name a service.
    mergePatch: true,
    baseService: () => true,
  }).filter((r) => r.subject === 'probe');
  if (probes.length === 0) return undefined;
  const at = pathText(path, node);
  // The string's mentions in the file, one for one with the value's (a block scalar's lines are the value's, indented).
  const outer = mentionOffsets(opts.text.slice(node.range[0], node.range[1]));
  const mentions = mentionOffsets(inner);
  const startOf = (r: Report): number => {
    const i = mentions.findIndex((m) => m >= r.start && m < (r.end ?? r.start + 1));
    return i !== -1 && outer.length === mentions.length ? node.range![0] + outer[i]! : node.range![0];
  };
  const covers: [number, number] = [node.range[0], node.range[1]];
  const out = probes.map((r): Report => {
    const base = { start: startOf(r), end: node.range![1], covers, subject: 'probe' as const, keepsBinary: true, details: { ...(r.details ?? {}), document: docIndex + 1, path: at } };
    const name = r.keyPath ?? String(r.details?.probe ?? 'a probe');
    if (r.blockers && r.blockers.length > 0) {
      return { ...base, message: `${r.message} (${name} in the helm.values string at ${at}, which the tool does not rewrite)`, blockers: r.blockers, ...(r.hint ? { hint: r.hint } : {}) };
    }
    const d = r.details ?? {};
    const target = r.target ?? `grpc {port: ${String(d.port)}}`;
    // The plan's notes, without the two a merged probe gets: the hint says what exec: null and service: "" do.
    const rest = r.message.slice(r.message.indexOf(target) + target.length).replace(/^ \((.*)\)$/, '$1').split('; ').filter((x) => x && x !== MERGED_NOTE && x !== CLEAR_SERVICE_NOTE);
    const grpc = `grpc: {port: ${String(d.port)}, service: ${typeof d.service === 'string' && d.service ? quote(d.service, false) : '""'}${d.mode ? `, mode: ${String(d.mode)}` : ''}}`;
    return {
      ...base,
      message: `${name} in the helm.values string (at ${at}) runs grpc_health_probe and could become ${target}, but the tool does not rewrite YAML held in a string${rest.length > 0 ? ` (${rest.join('; ')})` : ''}`,
      blockers: ['unsupported-file'],
      hint: `These Helm values are a string of YAML inside the manifest, which the tool does not edit (its indentation and quoting are the string's). Write the probe by hand in the string: in place of its exec, exec: null and ${grpc}${typeof d.timeoutSeconds === 'number' ? `, and timeoutSeconds: ${d.timeoutSeconds}` : ''} (the values merge over the chart's: exec: null deletes the chart's exec handler, and service: "" keeps checking the whole server where the chart's probe names a service); or move the values to helm.valuesObject (Argo CD 2.8 or later), which the tool migrates, and run it again.`,
    };
  });
  // A mention no probe accounts for (an init container's wait loop in the values): a use as the walk reports it.
  const comments = hashLineCommentRanges(inner);
  const loose = mentions.some((m) => !inRanges(m, comments) && !probes.some((r) => m >= r.start && m < (r.end ?? r.start + 1)));
  return loose ? [...out, ...[nonProbeReport(node, path, docIndex, opts.text, opts.gitlabCi === true, opts.pipeline)].flat()] : out;
}

/** KubeVirt's API group (pool.kubevirt.io and others end with it). */
const KUBEVIRT = 'kubevirt.io';
export const KUBEVIRT_HINT =
  'A virtual machine\'s probe cannot be grpc: keep the exec probe (the binary stays in the VM\'s disk image, which the guest agent runs it from), or probe the server from outside with tcpSocket (a connection only, not the health service).';

/** Knative Serving's API group (Service, Configuration, Revision). */
const KNATIVE_SERVING = 'serving.knative.dev';

/** Score's API group (score.dev/v1b1): a workload spec, not a Kubernetes object. */
const SCORE = 'score.dev';
export const SCORE_HINT =
  'Score has no gRPC probe (a container\'s probes are httpGet or exec): keep the exec probe, and the binary in the image. To probe with the kubelet\'s native gRPC probe, write it where the Kubernetes manifests are made: a score-k8s patch template, or the manifests score-k8s generates, which the tool then migrates.';
const FOREIGN_SPEC_HINT =
  'Check what that format\'s schema allows in a probe: where it takes Kubernetes\' grpc handler, write grpc: {port: N} by hand (and drop the binary when nothing else runs it); otherwise keep the exec probe and the binary.';

/**
 * KubeVela's built-in component types whose `properties` take probes as `#HealthProbe`, a closed
 * CUE definition with exec, httpGet and tcpSocket only (kubevela/kubevela
 * vela-templates/definitions/internal/component/webservice.cue, worker.cue, daemon.cue): a `grpc`
 * key there is "field not allowed" when the controller renders the component.
 */
const KUBEVELA_HEALTH_PROBE_TYPES: ReadonlySet<string> = new Set(['webservice', 'worker', 'daemon']);
const KUBEVELA_HINT =
  'KubeVela\'s built-in component types take exec, httpGet or tcpSocket in a probe, and no grpc: keep the exec probe and the binary; to use the kubelet\'s native gRPC probe, give the component a ComponentDefinition of your own whose parameter passes grpc through to the pod template, or set the probe with a json-patch (or json-merge-patch) trait, and run the tool again.';

/**
 * The `apiVersion` of the document the probe is in when the document says it, in a domain's API
 * group, and no `kind`: no Kubernetes object (whose kind is required) nor Helm values (which have
 * neither), but another format's spec (Score's `score.dev/v1b1` workload), whose probe schema is
 * its own.
 */
function foreignSpecOf(path: readonly unknown[]): string | undefined {
  const root = path.find(isMap);
  if (!root || getPair(root, 'kind') !== undefined) return undefined;
  const apiVersion = getPair(root, 'apiVersion')?.value;
  // A domain's group (`score.dev/v1b1`): a values file may have a key named apiVersion (`v1`, `apps/v1`).
  return isScalar(apiVersion) && typeof apiVersion.value === 'string' && /^[a-z0-9-]+(\.[a-z0-9-]+)+\/[A-Za-z0-9.-]+$/.test(apiVersion.value) ? apiVersion.value : undefined;
}

/**
 * The component type of a KubeVela (OAM) Application whose `spec.components[].properties` hold
 * the probe at the end of `path` (`type` as written, '' when it is not a plain string), or
 * undefined when the probe is not there.
 */
function oamComponentType(path: readonly unknown[], from: number): string | undefined {
  const rest = path.slice(from);
  const keys = rest.filter(isPair).map((p) => keyOf(p as Pair));
  if (keys[0] !== 'spec' || keys[1] !== 'components' || keys[2] !== 'properties') return undefined;
  const seqAt = rest.findIndex((n) => isSeq(n));
  const component = rest[seqAt + 1];
  if (!isMap(component)) return undefined;
  const type = getPair(component, 'type')?.value;
  return isScalar(type) && typeof type.value === 'string' ? type.value : '';
}

/** A probe field's number, read through an alias; NaN when absent or not a number. */
function numberAt(probe: YAMLMap, key: string, doc: Document.Parsed<ParsedNode, true>, scalarValue: (s: Scalar) => string): number {
  let node: unknown = getPair(probe, key)?.value;
  if (isAlias(node)) node = node.resolve(doc);
  return isScalar(node) && node.value !== null ? Number(scalarValue(node)) : NaN;
}

/**
 * API groups whose pod templates are Kubernetes' own types: they know `grpc` from 1.24. OpenShift's
 * DeploymentConfig (apps.openshift.io) is served by openshift-apiserver with the core
 * PodTemplateSpec, not by a CRD: it knows grpc where the cluster's Kubernetes does (OpenShift 4.11+).
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'extensions', 'apps.openshift.io']);

/** The nearest enclosing mapping with apiVersion and kind (a List's item, or the document). */
function enclosingResource(path: readonly unknown[]): { apiVersion: string; kind: string } | undefined {
  return enclosingResourceAt(path)?.resource;
}

/** enclosingResource, with the mapping's index in the path. */
function enclosingResourceAt(path: readonly unknown[]): { resource: { apiVersion: string; kind: string }; index: number } | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i];
    if (!isMap(n)) continue;
    const apiVersion = getPair(n, 'apiVersion')?.value;
    const kind = getPair(n, 'kind')?.value;
    if (isScalar(apiVersion) && isScalar(kind) && typeof apiVersion.value === 'string' && typeof kind.value === 'string') {
      return { resource: { apiVersion: apiVersion.value, kind: kind.value }, index: i };
    }
  }
  return undefined;
}

/** The literal metadata.namespace of the object the probe is in. */
function resourceNamespace(path: readonly unknown[]): string | undefined {
  const at = enclosingResourceAt(path);
  const metadata = at ? getPair(path[at.index] as YAMLMap, 'metadata')?.value : undefined;
  const ns = isMap(metadata) ? getPair(metadata, 'namespace')?.value : undefined;
  return isScalar(ns) && typeof ns.value === 'string' && ns.value !== '' ? ns.value : undefined;
}

/**
 * meshOf with the Namespace(s) the object runs in: its own metadata.namespace (unless a build
 * overrides it) and those the repository's builds put it in (ProbeWalkOptions.appliedNamespaces).
 * Where they are several (two overlays of one base), the mesh that fails the probe for sure (a
 * Linkerd authenticated policy) is taken first, then any mesh: the probe must pass in each.
 */
function namespacedMesh(path: readonly unknown[], opts: ProbeWalkOptions): Mesh | undefined {
  const own = resourceNamespace(path);
  const applied = opts.appliedNamespaces?.() ?? [];
  const overriding = applied.filter((a) => a.overrides);
  const candidates: { name: string; via?: string }[] = [
    // An override replaces the object's own namespace, but the same file may be applied without it too.
    ...(own !== undefined ? [{ name: own }] : applied.filter((a) => !a.overrides)),
    ...overriding,
  ];
  const meshes: Mesh[] = [];
  for (const c of candidates) {
    const meta = opts.namespaceMeta!(c.name);
    if (!meta) continue;
    const mesh = meshOf(path, c.via !== undefined ? { ...meta, via: c.via } : meta);
    if (mesh) meshes.push(mesh);
  }
  return meshes.find((m) => m.policy !== undefined && LINKERD_AUTHENTICATED.has(m.policy.value)) ?? meshes[0] ?? meshOf(path);
}

/** Flux's HelmRelease: its `spec.values` are Helm values. */
const FLUX_HELM_GROUP = 'helm.toolkit.fluxcd.io/';

/**
 * What a manifest holds to be merged over something else, key by key: Helm values (a Flux
 * HelmRelease's `spec.values`, an Argo CD Application's or ApplicationSet template's
 * `helm.valuesObject`, a `helm.values` mapping as Fleet writes it, a Crossplane Release's
 * `forProvider.values`, a helmfile release's inline `values`), which Helm merges over the
 * chart's values.yaml as it merges a values file; and inline strategic-merge patches (a Flux
 * Kustomization's or HelmRelease post-renderer's `patchesStrategicMerge` objects), which merge
 * into the built objects as a Kustomize patch file does; and the patches an operator or policy
 * engine merges over the objects it makes or admits (Kyverno's `patchStrategicMerge`, a custom
 * resource's own `patch` object such as the SpiceDB operator's `spec.patches[].patch`): a probe
 * there merges key by key over the generated one, whose exec would otherwise stay beside grpc.
 */
function inEmbeddedMergePatch(path: readonly unknown[]): boolean {
  const keysBelow = (from: number) => path.slice(from).filter(isPair).map((p) => keyOf(p as Pair));
  const keys = keysBelow(0);
  if (keys.includes('patchesStrategicMerge') || keys.includes('patchStrategicMerge')) return true;
  if (keys.includes('patch')) {
    const resource = enclosingResource(path);
    const group = resource?.apiVersion.includes('/') ? resource.apiVersion.slice(0, resource.apiVersion.indexOf('/')) : '';
    if (resource && !BUILT_IN_GROUPS.has(group)) return true;
  }
  // helmfile.yaml: `releases: [{chart: …, values: [{…inline values…}]}]`.
  if (keys[0] === 'releases' && keys[1] === 'values') return true;
  // A Pulumi YAML program: `resources.<id>.properties.values` of a kubernetes:helm.sh Release or Chart.
  if (keys[0] === 'resources' && keys[2] === 'properties' && keys[3] === 'values') {
    const root = path.find(isMap);
    const type = root ? nodeAt(root, `resources.${String(keys[1])}.type`) : undefined;
    if (isScalar(type) && /^kubernetes:helm\.sh\/v\d+:(Release|Chart)$/.test(String(type.value))) return true;
  }
  // Kustomize's HelmChartInflationGenerator (the generator form of helmCharts): `valuesInline`.
  if (keys[0] === 'valuesInline') {
    const root = path.find(isMap);
    const kind = root ? getPair(root, 'kind')?.value : undefined;
    if (isScalar(kind) && kind.value === 'HelmChartInflationGenerator') return true;
  }
  for (let i = 0; i + 1 < keys.length; i++) {
    if (keys[i] === 'helm' && (keys[i + 1] === 'valuesObject' || keys[i + 1] === 'values')) return true;
    // Crossplane's provider-helm Release: `spec.forProvider.values`.
    if (keys[i] === 'forProvider' && keys[i + 1] === 'values') return true;
    // Skaffold: `deploy.helm.releases[].overrides` (a config's or a profile's).
    if (keys[i] === 'helm' && keys[i + 1] === 'releases' && keys[i + 2] === 'overrides') return true;
  }
  return path.some((n, i) => {
    if (!isMap(n)) return false;
    const apiVersion = getPair(n, 'apiVersion')?.value;
    const kind = getPair(n, 'kind')?.value;
    if (!(isScalar(kind) && kind.value === 'HelmRelease' && isScalar(apiVersion) && String(apiVersion.value).startsWith(FLUX_HELM_GROUP))) return false;
    const below = keysBelow(i + 1);
    return below[0] === 'spec' && below[1] === 'values';
  });
}

const defaultScalarValue = (s: Scalar) => (s.value === null || s.value === undefined ? '' : String(s.value));

export function findProbeReports(opts: ProbeWalkOptions): Report[] {
  const reports: Report[] = [];
  const handled = new Set<Node>();
  const scalarValue = opts.scalarValue ?? defaultScalarValue;

  opts.docs.forEach((doc, docIndex) => {
    const root = doc.contents;
    // Per probe: a values file may merge only some of its keys over another chart's (a subchart's).
    const mergesAt = (keyPath: string) => isMap(root) && (typeof opts.mergePatch === 'function' ? opts.mergePatch(root, keyPath) : opts.mergePatch === true);
    // One walk: a probe's pair comes before its command's items (pre-order), so they are marked
    // handled before the walk reaches them. Other uses are reported after the document's probes.
    const others: Report[] = [];
    visit(doc, {
      Pair(_, pair, path) {
        const key = opts.probeKey?.(pair as Pair, path) ?? keyOf(pair as Pair);
        if (!key || !PROBE_KEYS.has(key)) return;
        // `readinessProbe: *p`, `exec: *chk`: a shared node the rewrite cannot touch. The anchor's
        // own place is reported where it stands; this probe is named too.
        const aliasNamesBinary = (a: Alias) => {
          const target = a.resolve(doc);
          return !!target?.range && mentionsBinary(opts.text.slice(target.range[0], target.range[1]));
        };
        const execValue = isMap(pair.value) ? getPair(pair.value, 'exec')?.value : undefined;
        const commandValue = isMap(execValue) ? getPair(execValue, 'command')?.value : undefined;
        // `command: *cmd`, `command: [*bin, -addr=:5000]`: the probe runs what the anchor holds.
        const alias = isAlias(pair.value)
          ? pair.value
          : isAlias(execValue)
            ? execValue
            : isAlias(commandValue)
              ? commandValue
              : isSeq(commandValue)
                ? (commandValue.items as unknown[]).find((n): n is Alias => isAlias(n) && aliasNamesBinary(n))
                : undefined;
        if (isAlias(alias)) {
          if (aliasNamesBinary(alias)) {
            const what = alias === pair.value ? 'the probe' : alias === execValue ? 'its exec handler' : alias === commandValue ? 'its command' : 'an item of its command';
            reports.push(aliasedProbeReport(pair as Pair<Scalar>, key, `${what} is an alias (*${alias.source}) of a node used elsewhere, which the tool does not rewrite; write the probe out in full`, containerContext(path), docIndex, scalarValue));
          }
          return;
        }
        if (!isMap(pair.value)) return;
        const probe = pair.value;
        // `startupProbe: {<<: *probe, failureThreshold: 30}`: the exec handler comes from the
        // anchor's mapping. The anchor is reported where it stands; this probe runs the binary too.
        if (!getPair(probe, 'exec') && hasMergeKey(probe)) {
          const merged = probe.items.filter((p) => isPair(p) && isScalar(p.key) && (p.key.value === '<<' || typeof p.key.value === 'symbol')).flatMap((p) => (isSeq(p.value) ? (p.value.items as unknown[]) : [p.value]));
          const source = merged.find((n): n is Alias => {
            if (!isAlias(n)) return false;
            const target = n.resolve(doc);
            return isMap(target) && getPair(target, 'exec') !== undefined && aliasNamesBinary(n);
          });
          if (source) {
            reports.push(aliasedProbeReport(pair as Pair<Scalar>, key, `the probe merges its exec handler from an anchor (<<: *${source.source}), a node used elsewhere, which the tool does not rewrite; write the probe out in full`, containerContext(path), docIndex, scalarValue));
            return;
          }
        }
        const stray = getPair(probe, 'command');
        const strayScalars = (isSeq(stray?.value) ? (stray.value.items as unknown[]) : [stray?.value]).filter((n): n is Scalar => isScalar(n));
        if (stray && strayScalars.some((n) => mentionsBinary(scalarValue(n)))) {
          for (const n of strayScalars) handled.add(n);
          const argv = isSeq(stray.value) && stray.value.items.every(isScalar) ? stray.value.items.map((n) => scalarValue(n as Scalar)) : undefined;
          const inResource = enclosingResource(path) !== undefined && !inEmbeddedMergePatch(path);
          // `probeType: exec` beside it (GitLab's auto-deploy-app values): a chart's own selector, which its template reads.
          const selector = inResource ? undefined : probe.items.find((p) => isScalar(p.key) && /^(probeType|probe_type|type|kind)$/.test(String(p.key.value)) && isScalar(p.value) && String(p.value.value).toLowerCase() === 'exec');
          reports.push(commandOutsideExecReport(stray as Pair<Scalar>, key, argv, containerContext(path), inResource, docIndex, opts, scalarValue, selector ? `${String((selector.key as Scalar).value)}: ${String((selector.value as Scalar).value)}` : undefined));
        }
        const execPair = getPair(probe, 'exec');
        if (!execPair || !isMap(execPair.value)) return;
        const commandPair = getPair(execPair.value, 'command');
        if (!commandPair || !isSeq(commandPair.value)) return;
        const items = commandPair.value.items;
        if (!items.some((n) => isScalar(n) && mentionsBinary(scalarValue(n)))) return;
        for (const n of items) handled.add(n as Node);
        const ctx = containerContext(path);
        if (ctx.list) {
          const mesh = opts.namespaceMeta ? namespacedMesh(path, opts) : meshOf(path);
          if (mesh) ctx.mesh = mesh;
        }
        const built = opts.builtContext?.(path, pair as Pair, docIndex);
        if (built) {
          if (!ctx.hostNetwork && built.hostNetwork) ctx.hostNetwork = built.hostNetwork;
          if (!ctx.list && built.list) ctx.list = built.list;
          if (!ctx.mesh && built.mesh) ctx.mesh = built.mesh;
          if (built.restartPolicy !== undefined) ctx.restartPolicy = built.restartPolicy;
          if (built.env) ctx.env = built.env;
        }
        const underOwnKey = keyOf(pair as Pair) === key;
        const embeddedValues = inEmbeddedMergePatch(path);
        // Merged values or patches are not the resource's own pod template: its CRD's schema does not type them.
        if (!embeddedValues) {
          const at = enclosingResourceAt(path);
          if (at) {
            ctx.resource = at.resource;
            ctx.resourcePath = probeKeyPath(path.slice(at.index), pair as Pair);
            const declared = opts.kubeVersionExplicit ? undefined : declaredKubeVersionBlocker(at.resource, path[at.index] as YAMLMap, opts.text, scalarValue);
            if (declared) ctx.kubeVersionBlocker = declared;
            if (at.resource.kind === 'Application' && at.resource.apiVersion.startsWith('core.oam.dev/')) {
              const type = oamComponentType(path, at.index);
              if (type !== undefined) ctx.oamComponentType = type;
            }
          } else {
            const foreign = foreignSpecOf(path);
            if (foreign !== undefined) ctx.foreignSpec = foreign;
          }
        }
        const keyPath = probeKeyPath(path, pair as Pair);
        const merge = underOwnKey && (embeddedValues || mergesAt(keyPath));
        // A grpc map merges key by key over the default's: when that default may name a service
        // (values inside a manifest merge over a chart the tool cannot see), a probe without
        // -service says service: "" (helm-review2, values files).
        const clearService = merge && (embeddedValues || (isMap(root) && (opts.baseService?.(root, keyPath) ?? false)));
        // The default's other handlers, but those this probe already sets (to null, or it is blocked for having two).
        const nullHandlers = merge && isMap(root) && opts.baseHandlers ? opts.baseHandlers(root, keyPath).filter((h) => h !== 'exec' && h !== 'grpc' && isMap(pair.value) && getPair(pair.value, h) === undefined) : [];
        const probeOpts: ProbeWalkOptions =
          merge === opts.mergePatch && !clearService && nullHandlers.length === 0 ? opts : { ...opts, mergePatch: merge, clearService, ...(nullHandlers.length > 0 ? { nullHandlers } : {}) };
        const report = probeReport(probeOpts, docIndex, key, pair as Pair<Scalar, YAMLMap>, execPair as Pair<Scalar, YAMLMap>, items as Node[], ctx, scalarValue, keyPath);
        reports.push({ ...report, keyPath });
      },
      Scalar(_, node, path) {
        if (handled.has(node) || typeof node.value !== 'string' || !mentionsBinary(scalarValue(node))) return;
        // Keys are names, not uses.
        const parent = path[path.length - 1];
        if (isPair(parent) && parent.key === node) return;
        others.push(...(valuesStringReports(node, path, docIndex, opts) ?? [nonProbeReport(node, path, docIndex, opts.text, opts.gitlabCi === true, opts.pipeline)].flat()));
      },
    });
    reports.push(...others);
  });
  return reports;
}

/** Plain scalars that kubectl's YAML 1.1 reader (go-yaml) takes as true, where YAML 1.2 sees strings. */
export const GO_YAML_TRUE = /^(y|Y|yes|Yes|YES|on|On|ON|true|True|TRUE)$/;
export const GO_YAML_FALSE = /^(n|N|no|No|NO|off|Off|OFF|false|False|FALSE)$/;

/**
 * A pod spec's hostNetwork: true, absent or false (undefined), a quoted string ('string': the API
 * server refuses the object, `cannot unmarshal string into … hostNetwork of type bool`, so what
 * was meant is unknown), or not a literal the tool can read.
 */
function hostNetworkOf(podSpec: YAMLMap): true | 'unknown' | 'string' | undefined {
  const pair = getPair(podSpec, 'hostNetwork');
  // `<<: *defaults` may bring hostNetwork: true.
  if (!pair) return hasMergeKey(podSpec) ? 'unknown' : undefined;
  const v = pair.value;
  if (v === null || (isScalar(v) && (v.value === null || v.value === false))) return undefined;
  if (isScalar(v) && v.value === true) return true;
  if (isScalar(v) && typeof v.value === 'string') {
    if (v.type === 'QUOTE_DOUBLE' || v.type === 'QUOTE_SINGLE') return 'string';
    if (GO_YAML_TRUE.test(v.value)) return true;
    if (GO_YAML_FALSE.test(v.value)) return undefined;
  }
  // `{{ .Values.hostNetwork }}`, an alias: true on some installs, maybe.
  return 'unknown';
}

export function containerContext(path: readonly unknown[]): ContainerContext {
  const container = path[path.length - 1];
  const list = path[path.length - 2];
  const listPair = path[path.length - 3];
  const podSpec = path[path.length - 4];
  if (isMap(container) && isSeq(list) && isPair(listPair)) {
    const k = keyOf(listPair as Pair);
    if (k === 'containers' || k === 'initContainers' || k === 'ephemeralContainers') {
      const hostNetwork = isMap(podSpec) ? hostNetworkOf(podSpec) : undefined;
      return { container, list: k, ...(hostNetwork ? { hostNetwork } : {}), ...(isMap(podSpec) ? { podSpec } : {}) };
    }
  }
  return isMap(container) ? { container } : {};
}

/**
 * meshOf for a pod template the walk does not reach, built by a caller from what it reads
 * (TypeScript object literals, src/typescript/pod.ts): `template` holds `metadata` and the pod
 * `spec` with its containers' names. meshNote says what a migrated probe there must be checked for.
 */
export function templateMesh(template: YAMLMap): Mesh | undefined {
  const specPair = getPair(template, 'spec');
  return specPair && isMap(specPair.value) ? meshOf([template, specPair, specPair.value, undefined, undefined, undefined]) : undefined;
}
export { meshNote };

/**
 * A container's literal env values, as the kubelet builds its map: the last entry of a name wins,
 * so an entry the tool cannot read (valueFrom, an alias, a merge) makes the name unknown. A value
 * that refers to another variable (`$(POD_NAMESPACE).svc`) or escapes one (`$$`) is expanded by
 * the kubelet before the command runs: unknown too, rather than taken literally.
 */
export function envLookup(container: YAMLMap | undefined, scalarValue: (s: Scalar) => string): (name: string) => string | undefined {
  const values = new Map<string, string | undefined>();
  const env = container ? getPair(container, 'env')?.value : undefined;
  // `<<: *defaults` may bring an env list the walk does not see.
  const merged = container !== undefined && env === undefined && hasMergeKey(container);
  if (isSeq(env)) {
    for (const item of env.items) {
      if (!isMap(item)) {
        // An alias or anything else: any name may be set by it.
        return () => undefined;
      }
      const name = getPair(item, 'name')?.value;
      const value = getPair(item, 'value')?.value;
      if (!isScalar(name)) continue;
      const text = isScalar(value) && value.value !== null ? scalarValue(value) : undefined;
      values.set(String(name.value), text !== undefined && !/\$[($]/.test(text) ? text : undefined);
    }
  }
  return (name) => (merged ? undefined : values.get(name));
}

/**
 * The value a container's process sees for a variable whose entry refers to others
 * (`ADDR: "$(POD_IP):50051"`): the kubelet expands each entry's `$(VAR)` when the container starts,
 * from the entries before it, valueFrom ones included ("Variable references $(VAR_NAME) are
 * expanded using the previously defined environment variables"). Only where every reference is an
 * earlier entry the tool reads (a literal value, or a downward-API fieldRef, kept as a piece for
 * the planner); anything else (an entry after it, envFrom, another valueFrom, an alias, a merge, a
 * Helm action) gives undefined. Not the kubelet's own `$(ADDR)` in an exec probe's command, which
 * takes the entry's value as written (PlanInput.envExpansion).
 */
export function envExpansions(container: YAMLMap | undefined, scalarValue: (s: Scalar) => string): (name: string) => { value: EnvExpansion; reads: string[] } | undefined {
  const env = container && !hasMergeKey(container) ? getPair(container, 'env')?.value : undefined;
  if (!isSeq(env)) return () => undefined;
  /** Each name's value so far, as the kubelet holds it at that point of the list; undefined: unknown. */
  const known = new Map<string, EnvExpansion | undefined>();
  /** Names whose last entry refers to others. */
  const expanded = new Map<string, EnvExpansion | undefined>();
  /** The entries each name's value was expanded from, all the way down. */
  const reads = new Map<string, string[]>();
  for (const item of env.items) {
    if (!isMap(item) || hasMergeKey(item)) return () => undefined;
    const name = getPair(item, 'name')?.value;
    if (!isScalar(name) || typeof name.value !== 'string') return () => undefined;
    const valuePair = getPair(item, 'value');
    const value = valuePair?.value;
    const from = getPair(item, 'valueFrom')?.value;
    const ref = isMap(from) ? getPair(from, 'fieldRef')?.value : undefined;
    const field = isMap(ref) ? getPair(ref, 'fieldPath')?.value : undefined;
    expanded.delete(name.value);
    reads.delete(name.value);
    if (valuePair === undefined) {
      known.set(name.value, isScalar(field) && typeof field.value === 'string' && from !== undefined && isMap(from) && from.items.length === 1 ? [{ ref: name.value, field: field.value }] : undefined);
      continue;
    }
    const text = isScalar(value) && value.value !== null ? scalarValue(value) : undefined;
    if (text === undefined || /\{\{/.test(text)) {
      known.set(name.value, undefined);
      continue;
    }
    if (!/\$[($]/.test(text)) {
      known.set(name.value, [{ lit: text }]);
      continue;
    }
    const pieces: EnvExpansion = [];
    const readFrom: string[] = [];
    let ok = true;
    let last = 0;
    for (const m of text.matchAll(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)) {
      pieces.push({ lit: text.slice(last, m.index) });
      last = m.index! + m[0].length;
      if (m[1] === undefined) {
        pieces.push({ lit: '$' });
        continue;
      }
      const earlier = known.get(m[1]);
      readFrom.push(m[1], ...(reads.get(m[1]) ?? []));
      if (earlier === undefined) {
        ok = false;
        break;
      }
      pieces.push(...earlier);
    }
    pieces.push({ lit: text.slice(last) });
    const merged = ok ? joinPieces(pieces) : undefined;
    known.set(name.value, merged);
    expanded.set(name.value, merged);
    reads.set(name.value, readFrom);
  }
  return (name) => {
    const value = expanded.get(name);
    return value === undefined ? undefined : { value, reads: reads.get(name) ?? [] };
  };
}

/** A variable's value as a container's process sees it: literal text, and downward-API values by the entry that holds them. */
export type EnvExpansion = Array<{ lit: string } | { ref: string; field: string }>;

function joinPieces(pieces: EnvExpansion): EnvExpansion {
  const out: EnvExpansion = [];
  for (const p of pieces) {
    const prev = out[out.length - 1];
    if ('lit' in p && p.lit === '') continue;
    if ('lit' in p && prev !== undefined && 'lit' in prev) out[out.length - 1] = { lit: prev.lit + p.lit };
    else out.push(p);
  }
  return out;
}

/**
 * Where a container variable with no literal value comes from (PlanInput.envSource): the last
 * entry of its name, when that is `valueFrom: {fieldRef: {fieldPath: …}}`; 'absent' when no entry
 * names it and nothing else can (no envFrom, no merged keys, every entry read), unless the name is
 * one the kubelet sets from a Service (`<SVC>_SERVICE_HOST`, `<SVC>_PORT_…`, with service links on).
 * Never 'absent' in a Helm template, whose actions may print env entries the walk does not see.
 */
function envSourceLookup(container: YAMLMap | undefined, templated: boolean): (name: string) => EnvSource | undefined {
  if (!container || hasMergeKey(container)) return () => undefined;
  const env = getPair(container, 'env')?.value;
  const sources = new Map<string, EnvSource | undefined>();
  let complete = getPair(container, 'envFrom') === undefined && (env === undefined || env === null || (isScalar(env) && env.value === null) || isSeq(env));
  if (isSeq(env)) {
    for (const item of env.items) {
      const name = isMap(item) ? getPair(item, 'name')?.value : undefined;
      if (!isMap(item) || hasMergeKey(item) || !isScalar(name) || typeof name.value !== 'string') {
        complete = false;
        continue;
      }
      const from = getPair(item, 'valueFrom')?.value;
      const ref = isMap(from) ? getPair(from, 'fieldRef')?.value : undefined;
      const field = isMap(ref) ? getPair(ref, 'fieldPath')?.value : undefined;
      const kind = isMap(from) && from.items.length === 1 && isPair(from.items[0]) ? keyOf(from.items[0] as Pair) : undefined;
      sources.set(
        name.value,
        getPair(item, 'value') !== undefined
          ? undefined
          : isScalar(field) && typeof field.value === 'string'
            ? { fieldRef: field.value }
            : kind !== undefined && VALUE_FROM_KINDS.has(kind)
              ? { valueFrom: kind }
              : undefined,
      );
    }
  }
  return (name) => {
    if (sources.has(name)) return sources.get(name);
    return complete && !templated && !SERVICE_LINK_VAR.test(name) ? 'absent' : undefined;
  };
}
/**
 * The value as written of a container variable whose last entry refers to other variables or
 * escapes one (`ADDR: "$(POD_IP):50051"`, `"a$$b"`), as PlanInput.envWritten gives it: the kubelet
 * fills an exec probe's `$(ADDR)` from the entries' values as written (ExpandContainerCommandOnlyStatic
 * maps each name to its `value` and expands the command once), so the binary gets that text. Undefined
 * for any other entry, and wherever the env is not read in full (a merge key, an alias, a Helm action).
 */
export function envWrittenLookup(container: YAMLMap | undefined, scalarValue: (s: Scalar) => string): (name: string) => string | undefined {
  const env = container && !hasMergeKey(container) ? getPair(container, 'env')?.value : undefined;
  if (!isSeq(env)) return () => undefined;
  const written = new Map<string, string | undefined>();
  for (const item of env.items) {
    if (!isMap(item) || hasMergeKey(item)) return () => undefined;
    const name = getPair(item, 'name')?.value;
    if (!isScalar(name) || typeof name.value !== 'string') return () => undefined;
    const value = getPair(item, 'value')?.value;
    const text = isScalar(value) && value.value !== null ? scalarValue(value) : undefined;
    written.set(name.value, text !== undefined && !/\{\{/.test(text) && /\$[($]/.test(text) ? text : undefined);
  }
  return (name) => written.get(name);
}

/** envExpansions, recording the entries an expansion reads (an overlay that sets one changes the probe too). */
function readingExpansion(lookup: (name: string) => { value: EnvExpansion; reads: string[] } | undefined, read: Set<string>): (name: string) => EnvExpansion | undefined {
  return (name) => {
    const e = lookup(name);
    for (const r of e?.reads ?? []) read.add(r);
    return e?.value;
  };
}
/**
 * Another container of the pod that listens on loopback on the probe's port (hunt18 L3): the exec
 * probe reached it inside the pod's one network, the kubelet's dials the pod IP. Only a listen
 * address counts here (an address another container may dial says nothing of this probe).
 */
function siblingListen(ctx: ContainerContext, port: number | string, scalarValue: (s: Scalar) => string): LoopbackItem | undefined {
  if (!ctx.podSpec) return undefined;
  for (const list of ['containers', 'initContainers']) {
    const items = getPair(ctx.podSpec, list)?.value;
    if (!isSeq(items)) continue;
    for (const c of items.items) {
      if (!isMap(c) || c === ctx.container) continue;
      // An init container runs beside the app only as a sidecar (restartPolicy: Always); another
      // has exited before the app starts (review23 R4).
      if (list === 'initContainers' && scalarString(getPair(c, 'restartPolicy')?.value, scalarValue) !== 'Always') continue;
      const found = loopbackListen(c, port, scalarValue);
      const name = getPair(c, 'name')?.value;
      if (found?.listen) return { ...found, sibling: isScalar(name) ? String(name.value) : '?' };
    }
  }
  return undefined;
}

/**
 * loopbackListen and siblingListen with the chart's values rendered into the probe's port and the
 * containers' items (Helm): `--listen=127.0.0.1:9000` with `-addr=:{{ .Values.grpcPort }}` and
 * grpcPort 9000 in every values file, `--grpc-listen={{ .Values.listen }}` with listen
 * "127.0.0.1:5000", `{{ .Values.listen | default "127.0.0.1:5000" }}` where nothing sets it. Only
 * an item (or port) that values render counts, and the item says them; a port the values do not
 * agree on is not compared, and a listen address some values give and others not is a note.
 */
function renderedListen(ctx: ContainerContext, port: PortValue, at: number, scalarValue: (s: Scalar) => string, render: (text: string, at: number) => RenderedText | undefined): LoopbackItem | undefined {
  const used: RenderedText['actions'] = [];
  let number: number | undefined;
  if (port.kind === 'number') number = port.value;
  else if (port.text.includes('{{')) {
    const r = render(port.text, at);
    if (!r || r.actions.some((a) => a.mixed) || !/^\d+$/.test(r.text)) return undefined;
    number = Number(r.text);
    used.push(...r.actions);
  }
  if (number === undefined) return undefined;
  const portActions = used.length;
  const unrendered: NonNullable<RenderedText['unrendered']> = [];
  const rendering = (s: Scalar) => {
    const t = scalarValue(s);
    const r = t.includes('{{') ? render(t, s.range?.[0] ?? at) : undefined;
    if (!r) return t;
    used.push(...r.actions);
    unrendered.push(...(r.unrendered ?? []));
    return r.text;
  };
  const own = loopbackListen(ctx.container, number, rendering);
  const ownUnrendered = unrendered.slice();
  const found = own ?? siblingListen(ctx, number, rendering);
  // The container's own `{{ printf "--grpc-listen=127.0.0.1:%d" … }}` whose port the values do not render: a note (hunt22 E8).
  if (!found) return ownUnrendered.length > 0 ? unrenderedListen(ownUnrendered[0]!) : undefined;
  // The actions that render it: the port's, and those whose value is in the words quoted.
  const quoted = [...found.what.matchAll(/"(?:[^"\\]|\\.)*"/g)].map((q) => JSON.parse(q[0]) as string);
  const by = used.filter((a, i) => i < portActions || quoted.some((q) => q.includes(a.value)));
  if (by.length === 0) return undefined;
  const mixed = by.some((a) => a.mixed);
  const said = [...new Map(by.map((a) => [a.action, `${a.action} is ${/^\d+$/.test(a.value) ? a.value : JSON.stringify(a.value)}${a.mixed ? ' in some of them' : ''}`])).values()].join(', ');
  return { ...found, what: `${found.what} (as the chart's values render it: ${said})`, listen: found.listen && !mixed };
}

/** The container's own args, command or env that name a loopback address on the probe's port (src/analysis/loopback-listen.ts). */
function loopbackListen(container: YAMLMap | undefined, port: number | string, scalarValue: (s: Scalar) => string): LoopbackItem | undefined {
  if (!container) return undefined;
  const text = (n: unknown) => (isScalar(n) && n.value !== null ? scalarValue(n) : undefined);
  const lists = ['args', 'command'].map((key) => {
    const list = getPair(container, key)?.value;
    return { key, items: isSeq(list) ? list.items.map(text) : [] };
  });
  const env = getPair(container, 'env')?.value;
  const entries = isSeq(env)
    ? env.items.map((item) => {
        const name = isMap(item) ? getPair(item, 'name')?.value : undefined;
        const from = isMap(item) ? getPair(item, 'valueFrom')?.value : undefined;
        // The downward API's values (the pod's IP, a resource amount) are never a loopback host nor a chosen port.
        const downward = isMap(from) && (getPair(from, 'fieldRef') !== undefined || getPair(from, 'resourceFieldRef') !== undefined);
        return { name: isScalar(name) ? String(name.value) : undefined, value: isMap(item) ? text(getPair(item, 'value')?.value) : undefined, ...(downward ? { downward } : {}) };
      })
    : [];
  return loopbackItems(lists, entries, port);
}

/** The sources of a `valueFrom`: the kubelet resolves them for the container's process, not for an exec probe's `$(…)`. */
const VALUE_FROM_KINDS = new Set(['configMapKeyRef', 'secretKeyRef', 'resourceFieldRef', 'fileKeyRef']);
/** What the kubelet sets for each Service of the namespace (enableServiceLinks, on by default). */
const SERVICE_LINK_VAR = /_SERVICE_HOST$|_SERVICE_PORT(_[A-Z0-9_]+)?$|_PORT(_\d+_(TCP|UDP|SCTP)(_(PROTO|PORT|ADDR))?)?$/;

function probeReport(
  opts: ProbeWalkOptions,
  docIndex: number,
  probeKey: string,
  probePair: Pair<Scalar, YAMLMap>,
  execPair: Pair<Scalar, YAMLMap>,
  items: Node[],
  ctx: ContainerContext,
  scalarValue: (s: Scalar) => string,
  keyPath = '',
): Report {
  const probe = probePair.value!;
  const start = probePair.key.range![0];
  const end = contentEnd(probe);
  const containerName = ctx.container ? scalarString(getPair(ctx.container, 'name')?.value, scalarValue) : undefined;
  const where = `${probeKey}${containerName !== undefined ? ` of container "${containerName}"` : ''}`;
  const details: Record<string, unknown> = { probe: probeKey, document: docIndex + 1 };
  if (containerName !== undefined) details.container = containerName;
  const image = ctx.container ? scalarString(getPair(ctx.container, 'image')?.value, opts.imageValue ?? scalarValue) : undefined;
  const withImage = (r: Report): Report => (image !== undefined ? { ...r, image } : r);

  if (!items.every((n) => isScalar(n))) {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe with a command the tool cannot read`, [
      { code: 'unparseable', detail: 'a command item is not a plain string' },
    ], details));
  }
  const argv = (items as Scalar[]).map(scalarValue);

  if (ctx.list === 'ephemeralContainers') {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe`, [
      { code: 'not-a-probe', detail: 'ephemeral containers may not have probes' },
    ], details));
  }
  if (ctx.list === 'initContainers' && ((ctx.container ? scalarString(getPair(ctx.container, 'restartPolicy')?.value, scalarValue) : undefined) ?? ctx.restartPolicy) !== 'Always') {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe`, [
      { code: 'not-a-probe', detail: 'probes are allowed only on sidecar init containers (restartPolicy: Always)' },
    ], details));
  }

  // `<<: *other` merges keys the walk does not see: another handler, timeoutSeconds.
  if (hasMergeKey(probe)) {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe`, [
      { code: 'unparseable', detail: 'the probe merges keys from an anchor (<<), which may bring another handler or timeoutSeconds; write the probe out in full' },
    ], details));
  }

  if (hasExplicitKey(probe, execPair)) {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe`, [
      { code: 'unparseable', detail: 'the probe writes exec as an explicit key (? exec), which the rewrite would turn into a key of its own; write it as exec:' },
    ], details));
  }

  const timeoutNode = getPair(probe, 'timeoutSeconds')?.value;
  let timeoutSeconds: number | 'unknown' | FixedNumber | undefined;
  let timeoutSecondsText: string | undefined;
  if (isAlias(timeoutNode)) {
    // `timeoutSeconds: *t`: the value is known, but the tool never rewrites an anchored node,
    // so a timeout the binary's flags need raised blocks rather than being lost.
    const target = timeoutNode.resolve(opts.docs[docIndex]!);
    const v = isScalar(target) && target.value !== null ? Number(scalarValue(target)) : NaN;
    timeoutSeconds = Number.isFinite(v) ? { value: v, source: `*${timeoutNode.source}` } : 'unknown';
    timeoutSecondsText = `*${timeoutNode.source}`;
  } else if (timeoutNode && !(isScalar(timeoutNode) && timeoutNode.value === null)) {
    // `timeoutSeconds:` with no value (or ~) is null: the API server applies its default, 1.
    const text = isScalar(timeoutNode) ? scalarValue(timeoutNode) : undefined;
    const v = text !== undefined ? Number(text) : NaN;
    timeoutSeconds = Number.isFinite(v) ? v : ((text !== undefined ? opts.resolveNumber?.(text, timeoutNode.range?.[0]) : undefined) ?? 'unknown');
  } else if (!timeoutNode) {
    // Printed keys may hold timeoutSeconds: a new line would repeat the key (Helm refuses the
    // rendered manifest), and the default 1 may not be what the probe has.
    const rendered = opts.renderedTimeout?.(probePair, execPair, keyPath);
    if (rendered && 'text' in rendered) {
      timeoutSeconds = 'unknown';
      timeoutSecondsText = rendered.text;
    } else if (rendered) timeoutSeconds = rendered;
  }

  // The variables the command reads: an overlay that sets one changes the probe (src/kustomize/overlays.ts).
  const envRead = new Set<string>();
  const lookup = ctx.env ?? envLookup(ctx.container, scalarValue);
  const spliced = ctx.container ? opts.envSplices?.(ctx.container) : undefined;
  const splicedRead = new Map<string, string>();
  const template = openShiftTemplate(opts.docs[docIndex]);
  const templatePort = template?.port;
  const planInput: Parameters<typeof planNativeProbe>[0] = {
    argv,
    env: (name) => {
      envRead.add(name);
      const value = lookup(name);
      const splice = spliced?.get(name);
      if (value !== undefined && splice !== undefined) splicedRead.set(name, splice);
      return value;
    },
    envSource: envSourceLookup(ctx.container, opts.templateActions === true),
    ...(ctx.env === undefined && opts.templateActions !== true ? { envExpansion: readingExpansion(envExpansions(ctx.container, scalarValue), envRead), envWritten: envWrittenLookup(ctx.container, scalarValue) } : {}),
    kubeVersion: opts.kubeVersion,
    tlsMode: opts.tlsMode ?? false,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(timeoutSecondsText !== undefined ? { timeoutSecondsText } : {}),
    timeoutFromBase: opts.mergePatch === true,
    ...(ctx.hostNetwork ? { hostNetwork: ctx.hostNetwork } : {}),
    ...portExpressions(opts.resolvePortExpression, templatePort),
    ...(opts.templateActions ? { templateActions: true } : {}),
    ...(template ? { templateParameters: template.substituted } : {}),
  };
  const plan = fluxPlan(opts, docIndex, probe, execPair, planInput) ?? planNativeProbe(planInput);
  plan.blockers.push(...(opts.extraBlockers ?? []));
  for (const [name, splice] of splicedRead) {
    plan.blockers.push({
      code: 'unresolved-port',
      detail: `the command reads the variable ${name}, whose literal env entry a later template action may print again (${splice}): the kubelet takes the last entry of a name, so the literal is only the value when nothing is printed after it`,
    });
  }
  if (ctx.kubeVersionBlocker) plan.blockers.push(ctx.kubeVersionBlocker);
  // A port a template prints (`{{ .Values.grpcPort }}`) is matched as written: the chart's usual
  // spelling gives the listen flag the same action (hunt19 B2).
  const probePort = plan.grpc?.port.kind === 'number' ? plan.grpc.port.value : plan.grpc?.port.kind === 'expression' && plan.grpc.port.text.includes('{{') ? plan.grpc.port.text : undefined;
  const bound = probePort !== undefined ? (loopbackListen(ctx.container, probePort, scalarValue) ?? siblingListen(ctx, probePort, scalarValue)) : undefined;
  // Through the chart's values: a literal port on one side and a values action on the other, a
  // listen address a values action prints (hunt19 B2, hunt18 L4).
  const rendered = opts.renderValues && plan.grpc && !bound?.listen ? renderedListen(ctx, plan.grpc.port, start, scalarValue, opts.renderValues) : undefined;
  boundToLoopback(plan, rendered && (rendered.listen || !bound) ? rendered : bound);
  const parameter = plan.grpc?.port.kind === 'expression' ? /^\$\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}$/.exec(plan.grpc.port.text)?.[1] : undefined;
  if (parameter !== undefined) {
    // `-addr=localhost:${{ADMIN_PORT}}`: inside a longer string oc process substitutes the value as
    // text, as for `${ADMIN_PORT}`; only a field that is `${{ADMIN_PORT}}` alone gets a non-string value.
    const inString = argv.some((a) => a.includes(`\${{${parameter}}}`));
    plan.notes.push(
      inString
        ? `the port is the template's parameter ${parameter}: in the command, \${{${parameter}}} inside a longer string gives text, as \${${parameter}} does (oc process substitutes a value that is not a string only where \${{${parameter}}} is the whole field); grpc.port is written \${{${parameter}}}, the whole field, so there it is a number, as grpc.port needs`
        : `the port is the template's parameter ${parameter}, written \${{${parameter}}} as the whole grpc.port field: oc process then substitutes a number, as grpc.port needs, where \${${parameter}} gives a string`,
    );
  }
  // `httpGet: null` beside exec is no handler: in Helm values it deletes the default's (a parent
  // switching a subchart's probe), and the API server reads it as absent. A grpc key of any value
  // stays one: the rewrite would write a second.
  const nullHandler = (k: string) => {
    const v = getPair(probe, k)?.value;
    return isScalar(v) && v.value === null;
  };
  if ((getPair(probe, 'grpc') || (getPair(probe, 'httpGet') && !nullHandler('httpGet')) || (getPair(probe, 'tcpSocket') && !nullHandler('tcpSocket'))) && !opts.handlersApart?.(probe)) {
    plan.blockers.push({ code: 'unparseable', detail: 'the probe already has another handler beside exec' });
  }
  const group = ctx.resource?.apiVersion.includes('/') ? ctx.resource.apiVersion.slice(0, ctx.resource.apiVersion.indexOf('/')) : '';
  const knativeAggressive = probeKey === 'readinessProbe' && group === KNATIVE_SERVING && !(numberAt(probe, 'periodSeconds', opts.docs[docIndex]!, scalarValue) > 0);
  // There the deadline is the queue-proxy's own, not timeoutSeconds: the sub-second note would be wrong.
  if (knativeAggressive) plan.notes = plan.notes.filter((n) => !n.startsWith(SUB_SECOND_NOTE));
  if (plan.timeoutSeconds && knativeAggressive) {
    // Knative's webhook rejects timeoutSeconds on a readiness probe without periodSeconds: its
    // queue-proxy then probes every 50 ms with a 100 ms deadline of its own (knative/serving
    // pkg/apis/serving/k8s_validation.go, validateReadinessProbe).
    plan.notes = plan.notes.filter((n) => !n.startsWith('timeoutSeconds '));
    plan.blockers.push({
      code: 'unparseable',
      detail: `${plan.timeoutSeconds.to}s of timeouts cannot carry over: Knative rejects timeoutSeconds on a readiness probe without periodSeconds (its queue-proxy then probes with a 100 ms deadline); set periodSeconds, or drop -connect-timeout/-rpc-timeout, and run again`,
    });
  }
  let crdHint: string | undefined;
  if (ctx.resource && (group === KUBEVIRT || group.endsWith(`.${KUBEVIRT}`))) {
    // KubeVirt's Probe (VirtualMachine, VirtualMachineInstance, their replica sets and pools) has
    // exec, httpGet, tcpSocket and guestAgentPing, and no grpc: its CRD prunes the field, which
    // leaves a probe with no handler. Its exec runs in the guest, through the QEMU guest agent.
    plan.blockers.push({
      code: 'no-native-check',
      detail: `${ctx.resource.kind} (${ctx.resource.apiVersion}) is a KubeVirt resource: a virtual machine's probes have exec (run inside the guest by the QEMU guest agent), httpGet, tcpSocket and guestAgentPing, and no grpc handler`,
    });
    crdHint = KUBEVIRT_HINT;
  }
  if (ctx.foreignSpec !== undefined) {
    const specGroup = ctx.foreignSpec.includes('/') ? ctx.foreignSpec.slice(0, ctx.foreignSpec.indexOf('/')) : '';
    if (specGroup === SCORE) {
      // Score's containerProbe is additionalProperties: false with httpGet and exec (score-spec
      // score-v1b1.json): score-compose and score-k8s validate the file and refuse grpc.
      plan.blockers.push({
        code: 'no-native-check',
        detail: `the document is a Score workload (apiVersion ${ctx.foreignSpec}), not a Kubernetes object: Score's container probes have httpGet and exec only, and its schema allows no other key, so score-compose and score-k8s would refuse grpc`,
      });
      crdHint = SCORE_HINT;
    } else {
      plan.blockers.push({
        code: 'unsupported-file',
        detail: `the document has apiVersion ${ctx.foreignSpec} and no kind: it is no Kubernetes object (whose kind is required) nor Helm values, but a spec of another format, whose probe schema the tool does not know`,
      });
      crdHint = FOREIGN_SPEC_HINT;
    }
  }
  if (ctx.resource && ctx.oamComponentType !== undefined && KUBEVELA_HEALTH_PROBE_TYPES.has(ctx.oamComponentType)) {
    plan.blockers.push({
      code: 'no-native-check',
      detail: `the probe is a property of the KubeVela component type ${ctx.oamComponentType} (${ctx.resource.kind}, ${ctx.resource.apiVersion}), whose definition takes probes as #HealthProbe, a closed CUE definition with exec, httpGet and tcpSocket only: grpc would be "field not allowed" when the component renders, and nothing would deploy`,
    });
    crdHint = KUBEVELA_HINT;
  }
  if (ctx.resource && !BUILT_IN_GROUPS.has(group) && plan.blockers.length === 0 && plan.grpc) {
    // A custom resource's schema is its CRD's: one generated from Kubernetes < 1.24 types prunes
    // the unknown `grpc` field without an error, and the pods then get a probe with no handler.
    // When the repository holds that CRD, its schema says which.
    const verdict = customResourceVerdict(ctx.resource, opts.customResourceSchema?.(ctx.resource, ctx.resourcePath ?? keyPath));
    if ('blocker' in verdict) {
      plan.blockers.push({ code: verdict.blocker.code, detail: verdict.blocker.detail });
      crdHint = verdict.blocker.hint;
    } else plan.notes.push(verdict.note);
    if (ctx.oamComponentType !== undefined && plan.blockers.length === 0) {
      plan.notes.push(`the probe is a property of the KubeVela component type ${ctx.oamComponentType ? `"${ctx.oamComponentType}"` : 'the Application names'}, not a pod template: its ComponentDefinition must take grpc in the probe and pass it on (KubeVela's own webservice, worker and daemon types do not)`);
    }
  }
  if (ctx.mesh && plan.blockers.length === 0 && plan.grpc) {
    const verdict = meshVerdict(ctx.mesh, plan.grpc.port, opts.linkerdServers?.() ?? false);
    if (verdict && 'blocker' in verdict) {
      plan.blockers.push({ code: verdict.blocker.code, detail: verdict.blocker.detail });
      crdHint = verdict.blocker.hint;
    } else if (verdict) plan.notes.push(verdict.note);
  }
  if (opts.mergePatch && plan.blockers.length === 0 && plan.grpc) {
    plan.notes.push(MERGED_NOTE);
    if (opts.clearService && !plan.grpc.service) plan.notes.push(CLEAR_SERVICE_NOTE);
    if (opts.nullHandlers?.length) plan.notes.push(`${opts.nullHandlers.map((h) => `\`${h}: null\``).join(' and ')} removes the ${opts.nullHandlers.join(' and ')} handler the probe it merges over sets (the chart's default)`);
    details.mergePatch = true;
  }
  let kptSetter: KptCarry | undefined;
  if (plan.blockers.length === 0 && plan.grpc) {
    const setter = kptSetterOf(opts, probe, execPair, items as Scalar[], plan, scalarValue);
    if (setter && 'blocker' in setter) {
      plan.blockers.push(setter.blocker);
      crdHint = KPT_SETTER_HINT;
    } else if (setter) {
      kptSetter = setter;
      plan.notes.push(`the kpt setter on ${setter.on} (${setter.was}) moves to the port's line as ${setter.comment}, so that apply-setters (kpt fn render) still sets the probe's port`);
    }
  }
  const notes = plan.notes.length > 0 ? ` (${plan.notes.join('; ')})` : '';

  if (plan.blockers.length > 0 || !plan.grpc) {
    const blockers = plan.blockers.length > 0 ? plan.blockers : [{ code: 'unparseable' as const, detail: 'no port found' }];
    // Blocked here or by the plan: exec stays as it is, so no note may describe the rewrite
    // (timeoutSeconds raised, mode: TLS, flags lost, a wrapper going); a chart's kubeVersion and
    // a CRD without grpc block after the plan, which kept those notes for a probe that migrates.
    const kept = plan.blockedNotes ?? plan.notes;
    const blockedText = kept.length > 0 ? ` (${kept.join('; ')})` : '';
    const dials = plan.loopback || plan.hostIp ? { ...(plan.loopback ? { loopback: true as const } : {}), ...(plan.hostIp ? { hostIp: true as const } : {}) } : undefined;
    const report = { ...withImage(blocked(start, end, `${where} runs grpc_health_probe${blockedText}`, blockers, details)), ...(dials ? { blockedDials: dials } : {}) };
    if (crdHint) return { ...report, hint: crdHint };
    // `${GRPC_PORT}` in a Template: a parameter is what can give it a number, not the container's env.
    if (templatePort && blockers.some((b) => b.code === 'unresolved-port')) return { ...report, hint: TEMPLATE_PORT_HINT };
    return report;
  }

  details.port = plan.grpc.port.kind === 'number' ? plan.grpc.port.value : plan.grpc.port.text;
  if (plan.grpc.service !== undefined) details.service = plan.grpc.service;
  if (plan.timeoutSeconds) details.timeoutSeconds = plan.timeoutSeconds.to;
  const edits = grpcEdits(opts, probe, execPair, plan, kptSetter);
  // Decided here, not only when the engine checks the rewrite: a probe that cannot be rewritten
  // keeps exec, and what holds a base or a values file on exec must know it (src/kustomize, src/helm).
  const throughAlias = opts.text.includes('&') && opts.text.includes('*') ? editsThroughAliasesIn(opts.docs, edits, opts.text) : undefined;
  const refused = throughAlias ?? edits.map((e) => opts.refuseEdit?.(e, start)).find((r) => r !== undefined);
  if (plan.grpc.mode) details.mode = plan.grpc.mode;
  // The service as the file gets it: `service: "yes"`, not a bare yes that reads as a boolean.
  const target = `grpc {port: ${details.port}${plan.grpc.service ? `, service: ${serviceAsWritten(opts, execPair, plan.grpc.service)}` : ''}${plan.grpc.mode ? `, mode: ${plan.grpc.mode}` : ''}}`;
  if (refused) {
    return withImage(blocked(start, end, `${where} runs grpc_health_probe and could become ${target}${notes}`, [
      { code: 'unparseable', detail: refused },
    ], details));
  }
  return withImage({
    start,
    end,
    subject: 'probe',
    message: `${where}: exec grpc_health_probe → ${target}${notes}`,
    fix: edits,
    details,
    target,
    ...(plan.grpc.port.kind === 'expression' && plan.grpc.port.flux ? { substitutedPort: plan.grpc.port.text } : {}),
    ...(envRead.size > 0 ? { envNames: [...envRead] } : {}),
    ...(plan.loopback ? { loopback: true } : {}),
    ...(plan.hostIp ? { hostIp: true } : {}),
    ...(plan.loopbackHost !== undefined ? { loopbackHost: plan.loopbackHost } : {}),
    ...(plan.timeoutNeeded !== undefined ? { timeoutNeeded: plan.timeoutNeeded } : {}),
  });
}

/**
 * `livenessProbe: {command: [...]}`: Kubernetes reads a probe's command only under `exec:`. The API
 * server rejects the unknown field (kubectl validates strictly by default) or, unvalidated, drops
 * it and then rejects the probe for having no handler: the binary does not run there today, and
 * reading the command as an exec probe would turn a broken manifest into a silently working one.
 */
export function commandOutsideExec(where: string, argv: readonly string[] | undefined, kubeVersion: string, inResource: boolean, tlsMode = false): { message: string; hint: string } {
  const plan = argv ? planNativeProbe({ argv, kubeVersion, tlsMode }) : undefined;
  const port = plan?.grpc && plan.blockers.length === 0 && plan.grpc.port.kind === 'number' ? plan.grpc.port.value : undefined;
  const native = port !== undefined ? `grpc: {port: ${port}${plan!.grpc!.service ? `, service: ${quote(plan!.grpc!.service, false)}` : ''}${plan!.grpc!.mode ? `, mode: ${plan!.grpc!.mode}` : ''}}` : 'grpc: {port: N} (the port of -addr)';
  const rejected = 'the API server rejects it, or drops it and then rejects the probe for having no handler';
  // `-tls`, a remote host, …: a native probe would not check what the command asks for.
  const blocked = plan && plan.blockers.length > 0 ? plan.blockers.map((b) => b.detail).join('; ') : undefined;
  return {
    message: inResource
      ? `${where} has command: outside exec:, which is not a field of a Kubernetes probe (${rejected}), so it does not run grpc_health_probe today`
      : `${where} has command: outside exec:, which is not a field of a Kubernetes probe: written as it is into a manifest, ${rejected}`,
    hint: blocked
      ? `Kubernetes runs a probe's command only under exec:. Move it under exec: (exec: {command: [...]}), where it runs the binary; it cannot become a native probe as it is (${blocked}), so the tool keeps it on exec and says why.`
      : `Kubernetes runs a probe's command only under exec:. Replace command: with the native probe, ${native}, by hand; or move it under exec: (exec: {command: [...]}) and run the tool again, which migrates it.` +
        (inResource ? '' : ' If a chart template or a program places this command under exec: itself, change it there to write grpc: instead.'),
  };
}

function commandOutsideExecReport(
  commandPair: Pair<Scalar>,
  probeKey: string,
  argv: string[] | undefined,
  ctx: ContainerContext,
  inResource: boolean,
  docIndex: number,
  opts: ProbeWalkOptions,
  scalarValue: (s: Scalar) => string,
  selector?: string,
): Report {
  const containerName = ctx.container ? scalarString(getPair(ctx.container, 'name')?.value, scalarValue) : undefined;
  const where = `${probeKey}${containerName !== undefined ? ` of container "${containerName}"` : ''}`;
  const details: Record<string, unknown> = { probe: probeKey, document: docIndex + 1 };
  if (containerName !== undefined) details.container = containerName;
  const image = ctx.container ? scalarString(getPair(ctx.container, 'image')?.value, scalarValue) : undefined;
  const { message, hint } = selector
    ? {
        message: `${where} has command: beside ${selector}: not a Kubernetes probe but a chart's own form of one (GitLab's auto-deploy-app values take one so), which the chart's template turns into the probe it renders; the tool does not migrate a probe whose command comes from the values`,
        hint: `Check what the chart that reads these values can render: if it offers a native gRPC probe, switch this probe to it by hand (e.g. its grpc type and port); if it offers only exec, keep exec here, or change the chart. Do not move command: under exec: or write grpc: here unless the chart reads those. The binary stays installed while this command names it.`,
      }
    : commandOutsideExec(where, argv, opts.kubeVersion, inResource, opts.tlsMode ?? false);
  return {
    start: commandPair.key.range![0],
    end: contentEnd(commandPair.value as Node),
    subject: 'probe',
    message,
    hint,
    blockers: ['unparseable'],
    // What the manifest means to run: the binary stays until the probe is written as one.
    keepsBinary: true,
    details,
    ...(image !== undefined ? { image } : {}),
  };
}

function aliasedProbeReport(pair: Pair<Scalar>, probeKey: string, detail: string, ctx: ContainerContext, docIndex: number, scalarValue: (s: Scalar) => string): Report {
  const containerName = ctx.container ? scalarString(getPair(ctx.container, 'name')?.value, scalarValue) : undefined;
  const details: Record<string, unknown> = { probe: probeKey, document: docIndex + 1 };
  if (containerName !== undefined) details.container = containerName;
  const where = `${probeKey}${containerName !== undefined ? ` of container "${containerName}"` : ''}`;
  const r = blocked(pair.key.range![0], contentEnd(pair.value as Node), `${where} runs grpc_health_probe`, [
    { code: 'unparseable', detail },
  ], details);
  const image = ctx.container ? scalarString(getPair(ctx.container, 'image')?.value, scalarValue) : undefined;
  return image !== undefined ? { ...r, image } : r;
}

function blocked(
  start: number,
  end: number,
  message: string,
  blockers: { code: BlockerCode; detail: string; hint?: string }[],
  details: Record<string, unknown>,
): Report {
  const codes = [...new Set(blockers.map((b) => b.code))];
  const hint = hintOfBlockers(blockers);
  return {
    start,
    end,
    subject: 'probe',
    message: `${message}: ${blockers.map((b) => b.detail).join('; ')}`,
    ...(hint ? { hint } : {}),
    blockers: codes,
    keepsBinary: true,
    details,
  };
}

function scalarString(node: unknown, scalarValue: (s: Scalar) => string): string | undefined {
  return isScalar(node) ? scalarValue(node) : undefined;
}

/**
 * A service as grpcEdits writes it into the file: quoted as the exec key is (`"service": "api"`
 * in JSON-style YAML), plain only when plain YAML reads it back as that string (`yes`, `123`, `~`
 * are quoted); in a Helm template, a value holding actions keeps them as they are. Messages show
 * it so too.
 */
function serviceAsWritten(opts: ProbeWalkOptions, execPair: Pair<Scalar, YAMLMap>, service: string): string {
  const json = opts.style === 'json';
  if (opts.original !== undefined && !json && service.includes('{{')) return templatedScalar(service, execPair.value!, opts.original);
  const keyQuote = json || execPair.key.type === 'QUOTE_DOUBLE' ? '"' : execPair.key.type === 'QUOTE_SINGLE' ? "'" : '';
  return quoteLike(service, keyQuote, json);
}

/** Replaces the `exec` pair with a `grpc` pair in the style around it; raises timeoutSeconds if needed. */
/** A kpt setter that moves from the command's -addr to the new port line (see kptSetterOf). */
interface KptCarry {
  /** The comment as it was, on the command's item. */
  was: string;
  /** What it was on (`-addr=:50051`). */
  on: string;
  /** The comment the port line gets: `# kpt-set: ${grpc-port}`. */
  comment: string;
}

const KPT_SETTER_HINT =
  'A kpt setter (a `# kpt-set:` comment, which apply-setters reads on kpt fn render) sets part of this probe\'s command. Write the native probe by hand with the setter on the port\'s own line (`port: 50051 # kpt-set: ${grpc-port}`, the setter\'s value then being the whole port number), moving any other setter to the field it sets or dropping it; or keep the exec probe.';

/**
 * kpt's setter comments on the exec handler's lines: `# kpt-set: -addr=:${grpc-port}`, which
 * kpt's create-setters writes on a scalar that holds a setter's value (a substring match) and
 * apply-setters rewrites on kpt fn render; and kpt v0's `{"$kpt-set": …}` / `io.k8s.cli.setters`
 * references. Replacing exec would leave such a comment detached, and a new value of the setter
 * would move containerPort but not the probe. One `kpt-set:` on the -addr item whose pattern is
 * the item's text with the port number as `${name}` at its end moves to the new `port:` line as
 * `# kpt-set: ${name}` (a block probe only: a flow map has no line of its own for it); any other
 * blocks. Undefined when the lines hold none.
 */
function kptSetterOf(opts: ProbeWalkOptions, probe: YAMLMap, execPair: Pair<Scalar, YAMLMap>, items: Scalar[], plan: NativePlan, scalarValue: (s: Scalar) => string): KptCarry | { blocker: { code: BlockerCode; detail: string } } | undefined {
  const text = opts.original ?? opts.text;
  const exec = execPair.value!;
  const from = execPair.key.range![0];
  const last = contentEnd(exec);
  const nl = text.indexOf('\n', last);
  const region = text.slice(from, nl === -1 ? text.length : nl);
  if (!/kpt-set|io\.k8s\.cli\./.test(region)) return undefined;
  const found: { at: number; comment: string }[] = [];
  for (const m of region.matchAll(/(^|[ \t])(#[^\r\n]*(?:kpt-set|io\.k8s\.cli\.)[^\r\n]*)/gm)) {
    const at = from + m.index! + m[1]!.length;
    if (items.some((n) => n.range && at >= n.range[0] && at < n.range[1])) continue;
    found.push({ at, comment: m[2]!.trimEnd() });
  }
  if (found.length === 0) return undefined;
  const itemBefore = (at: number) => items.find((n) => n.range && n.range[1] <= at && /^[ \t]*$/.test(text.slice(n.range[1], at)));
  const first = found[0]!;
  const item = itemBefore(first.at);
  const pattern = /^#\s*kpt-set:\s*(\S(?:.*\S)?)\s*$/.exec(first.comment)?.[1];
  const setter = pattern !== undefined ? /^([^$]*)\$\{([^{}$]+)\}$/.exec(pattern) : null;
  const port = plan.grpc?.port;
  const block = opts.style !== 'json' && !exec.flow && !probe.flow;
  if (found.length === 1 && item && setter && port?.kind === 'number' && block && setter[1]!.endsWith(':') && scalarValue(item) === `${setter[1]}${port.value}`) {
    return { was: first.comment, on: scalarValue(item), comment: `# kpt-set: \${${setter[2]}}` };
  }
  const on = item ? `on ${scalarValue(item)}` : 'on the exec handler';
  const addrItem = item !== undefined && port?.kind === 'number' && scalarValue(item).endsWith(`:${port.value}`);
  const why =
    found.length > 1
      ? 'more than one setter sets the command'
      : !item
        ? 'it is not on one argument (a setter of the whole command or probe)'
        : pattern === undefined
          ? 'it is not the `kpt-set: …${name}…` form that apply-setters reads on a field\'s own line'
          : !addrItem
            ? 'it sets an argument other than the port of -addr'
            : !block
              ? 'the probe is written in flow style, where the port has no line of its own for the setter'
              : 'its value is more than the port number of -addr, which is all a grpc probe\'s port can take';
  return {
    blocker: {
      code: 'unparseable',
      detail: `a kpt setter comment ${on} (${found.map((f) => f.comment).join(', ')}) sets part of the probe's command, and ${why}: replacing exec would leave the setter behind, and apply-setters (kpt fn render) would no longer set the probe`,
    },
  };
}

function grpcEdits(opts: ProbeWalkOptions, probe: YAMLMap, execPair: Pair<Scalar, YAMLMap>, plan: NativePlan, kptSetter?: KptCarry): Edit[] {
  const { text, eol } = opts;
  const json = opts.style === 'json';
  const exec = execPair.value!;
  const start = execPair.key.range![0];
  let end = contentEnd(exec);
  const indent = columnOf(text, start);
  const grpc = plan.grpc!;
  // New keys are quoted as the exec key is (`"exec":` in JSON-style YAML, `'exec':`), plain otherwise.
  const keyQuote = json || execPair.key.type === 'QUOTE_DOUBLE' ? '"' : execPair.key.type === 'QUOTE_SINGLE' ? "'" : '';
  const k = (s: string) => `${keyQuote}${s}${keyQuote}`;
  // New string values too: `"service": "api"` beside `"port":`, not a plain `api` among quoted keys.
  const v = (s: string) => quoteLike(s, keyQuote, json);
  // An OpenShift Template's `${{GRPC_PORT}}` is a string that oc process turns into a number: in
  // JSON (or JSON-style YAML) it is written as one, `"${{GRPC_PORT}}"`; bare, the file would not parse.
  const parameterPort = grpc.port.kind === 'expression' && /^\$\{\{[A-Za-z_][A-Za-z0-9_]*\}\}$/.test(grpc.port.text) && keyQuote === '"';
  const fields: [string, string][] = [[k('port'), `${parameterPort ? v(portText(grpc.port)) : portText(grpc.port)}${kptSetter ? ` ${kptSetter.comment}` : ''}`]];
  if (grpc.service !== undefined && grpc.service !== '') fields.push([k('service'), serviceAsWritten(opts, execPair, grpc.service)]);
  else if (opts.clearService) fields.push([k('service'), v('')]);
  if (grpc.mode) fields.push([k('mode'), v(grpc.mode)]);

  const edits: Edit[] = [];
  let replacement: string;
  const originalExec = text.slice(exec.range![0], contentEnd(exec));
  // JSON: reuse the file's own indentation (tabs too) and separators (compact or spaced).
  const parentLead = leadingWhitespace(text, start);
  const childLead = json ? jsonChildLead(text, exec, parentLead) : '';
  const colon = json && !/":\s/.test(originalExec) ? ':' : ': ';
  const comma = json && !/,\s/.test(originalExec) ? ',' : ', ';
  // A strategic-merge patch deletes the base's exec (see ProbeWalkOptions.mergePatch): the
  // `exec` key stays where it was, with null, and grpc follows it as another pair of the probe:
  // on the next line of a block probe even when exec's own value was a flow map.
  const nulled = ['exec', ...(opts.nullHandlers ?? [])];
  const execNull = !opts.mergePatch
    ? ''
    : nulled.map((h) => (json && originalExec.includes('\n') ? `${k(h)}: null,${eol}${parentLead}` : json || probe.flow ? `${k(h)}${colon}null${comma}` : `${k(h)}: null${eol}${' '.repeat(indent)}`)).join('');
  if (json && originalExec.includes('\n')) {
    replacement = `${execNull}${k('grpc')}: {${eol}${fields.map(([a, b]) => `${childLead}${a}: ${b}`).join(',' + eol)}${eol}${parentLead}}`;
  } else if (exec.flow || probe.flow) {
    replacement = `${execNull}${k('grpc')}${colon}{${fields.map(([a, b]) => `${a}${colon}${b}`).join(comma)}}`;
    // Comments inside a flow exec that spans lines go above it as whole lines, as in a block: above
    // the grpc key when it starts its line, else above the line it is on (`livenessProbe: {exec: …`).
    const comments = json ? [] : innerComments(text, opts.original ?? text, exec, start, end);
    if (comments.length > 0) {
      const lineStart = lineStartOf(text, start);
      const lead = leadingWhitespace(text, start);
      if (lineStart + lead.length === start) replacement = comments.map((c) => `${c}${eol}${lead}`).join('') + replacement;
      else edits.push({ start: lineStart, end: lineStart, text: comments.map((c) => `${lead}${c}${eol}`).join('') });
    }
  } else {
    const pad = ' '.repeat(childIndent(text, exec, indent));
    // Comments inside the exec block (`# the binary is baked into the image`, a flag's note) go
    // above grpc, whole lines at its indentation, rather than with the command they sat in.
    const comments = innerComments(text, opts.original ?? text, exec, start, end).filter((c) => c !== kptSetter?.was);
    // On a command of several lines, the comment after its last item is that item's (`-
    // -rpc-timeout=5s  # slow DB`): it goes up with the others rather than onto grpc's last field.
    const command = getPair(exec, 'command')?.value as Node | null | undefined;
    const multiline = command?.range ? text.slice(command.range[0], contentEnd(command)).includes('\n') : false;
    const after = /^[ \t]+(#[^\r\n]*)/.exec((opts.original ?? text).slice(end));
    if (after && multiline && after[1]!.slice(1).trim() !== '') {
      if (after[1]!.trimEnd() !== kptSetter?.was) comments.push(after[1]!.trimEnd());
      end += after[0].trimEnd().length;
    }
    const kept = comments.map((c) => `${c}${eol}${' '.repeat(indent)}`).join('');
    replacement = `${kept}${execNull}${k('grpc')}:${fields.map(([a, b]) => `${eol}${pad}${a}: ${b}`).join('')}`;
  }

  if (plan.timeoutSeconds) {
    const existing = getPair(probe, 'timeoutSeconds');
    if (existing && isScalar(existing.value)) {
      // A block scalar's range runs over its final line break: the next key would join the number.
      const [from, to] = [existing.value.range![0], contentEnd(existing.value)];
      // An empty value sits right after the colon: `timeoutSeconds:5` would be one plain scalar.
      const gap = from === to && text[from - 1] === ':' ? ' ' : '';
      edits.push({ start: from, end: to, text: `${gap}${plan.timeoutSeconds.to}` });
    } else if (json && originalExec.includes('\n')) {
      replacement += `,${eol}${parentLead}${k('timeoutSeconds')}: ${plan.timeoutSeconds.to}`;
    } else if (probe.flow) {
      replacement += `${comma}${k('timeoutSeconds')}${colon}${plan.timeoutSeconds.to}`;
    } else {
      // A new last line of the probe map, so that a trailing comment stays on the line it was on.
      const probeEnd = contentEnd(probe);
      const nl = text.indexOf('\n', probeEnd);
      const line = `${' '.repeat(indent)}${k('timeoutSeconds')}: ${plan.timeoutSeconds.to}`;
      if (nl === -1) edits.push({ start: text.length, end: text.length, text: `${eol}${line}` });
      else edits.push({ start: nl + 1, end: nl + 1, text: `${line}${eol}` });
    }
  }
  edits.push({ start, end, text: replacement });
  return edits;
}

/**
 * The comments between `start` and `end` (the exec pair the rewrite replaces), read where the
 * parser saw no scalar: a `#` that starts a YAML comment, to the end of its line. Empty comments
 * are left out (a Helm action alone on its line is masked as one). They are found in `text` (what
 * the parser read) and copied from `original` (the file's bytes, the same offsets): a Helm
 * action inside a comment is written back as it was, not as its mask.
 */
function innerComments(text: string, original: string, exec: YAMLMap, start: number, end: number): string[] {
  const scalars: [number, number][] = [];
  visit(exec, {
    Scalar(_, n) {
      if (n.range) scalars.push([n.range[0], n.range[1]]);
    },
  });
  const out: string[] = [];
  for (let i = text.indexOf('#', start); i !== -1 && i < end; i = text.indexOf('#', i + 1)) {
    if (scalars.some(([a, b]) => i >= a && i < b)) continue;
    if (i > 0 && !/[ \t\r\n]/.test(text[i - 1]!)) continue;
    const lineEnd = text.slice(i).search(/\r?\n/);
    const comment = text.slice(i, lineEnd === -1 ? text.length : i + lineEnd).trimEnd();
    if (comment.slice(1).trim() !== '') out.push(original.slice(i, i + comment.length));
    else {
      // A Helm comment action alone on its line (`{{- /* one flag per line */}}`) is a comment too.
      // Not one that trims the line end after it (`-}}`): it would join the lines around its new place.
      const action = original.slice(i, lineEnd === -1 ? original.length : i + lineEnd).trimEnd();
      if (/^\{\{-?\s*\/\*[^]*\*\/\s*\}\}$/.test(action)) out.push(action);
    }
    if (lineEnd === -1) break;
    i += lineEnd;
  }
  return out;
}

function leadingWhitespace(text: string, offset: number): string {
  const lineStart = lineStartOf(text, offset);
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** Indentation of the first key inside a multi-line JSON object, or one step more than its parent's. */
function jsonChildLead(text: string, exec: YAMLMap, parentLead: string): string {
  const first = exec.items[0];
  const key = first && isPair(first) ? (first.key as Node | null) : null;
  if (key?.range) {
    const lineStart = lineStartOf(text, key.range[0]);
    const before = text.slice(lineStart, key.range[0]);
    if (/^[ \t]*$/.test(before) && before.length > parentLead.length) return before;
  }
  return parentLead + (parentLead.includes('\t') ? '\t' : '  ');
}

/** Column of the children of a block map (or the first key inside a multi-line JSON object). */
function childIndent(text: string, exec: YAMLMap, parentIndent: number): number {
  const first = exec.items[0];
  if (first && isPair(first) && (first.key as Node | null)?.range) {
    const col = columnOf(text, (first.key as Node).range![0]);
    const lineStart = lineStartOf(text, (first.key as Node).range![0]);
    const onOwnLine = /^[ \t]*$/.test(text.slice(lineStart, (first.key as Node).range![0]));
    if (col > parentIndent && onOwnLine) return col;
  }
  return parentIndent + 2;
}

function portText(port: PortValue): string {
  return port.kind === 'number' ? String(port.value) : port.text;
}

/** Plain scalars that YAML 1.2 or 1.1 (kubectl's go-yaml) would read as something else than a string. */
const YAML_RESERVED = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d|\.\d)[\d._eE+:-]*|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+|\.inf|\.nan)$/i;

/**
 * Characters JSON.stringify leaves raw that YAML parsers read differently: DEL and C1 controls
 * (not printable: go-yaml, behind kubectl, rejects the file), NEL, LS and PS (line breaks in
 * YAML 1.1: folded to a space inside quotes), and the BOM.
 */
const UNSAFE_RAW = /[\u007f-\u009f\u2028\u2029\ufeff]/g;

/** A string as a YAML (or JSON) scalar: plain when that reads back as the same string. */
export function quote(s: string, json: boolean): string {
  if (!json && /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(s) && !YAML_RESERVED.test(s)) return s;
  return JSON.stringify(s).replace(UNSAFE_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A string as a YAML scalar quoted as the file's keys are (`keyQuote`): double-quoted beside `"key":`,
 * single-quoted beside `'key':` (where the text can be: line breaks fold and controls have no
 * escape there, so those are double-quoted), and otherwise as quote writes it (plain when that
 * reads back as the same string).
 */
export function quoteLike(s: string, keyQuote: '"' | "'" | '', json: boolean): string {
  if (json || keyQuote === '"') return quote(s, true);
  if (keyQuote === "'" && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  return quote(s, json || keyQuote !== '');
}

/**
 * A value holding Helm actions (`{{ include "c.svc" . }}-grpc`) as a YAML scalar of a template.
 * Helm renders the actions before YAML reads the file, so they are written as they are (escaping
 * the quotes inside them would break the template) and only the text around them is quoted. The
 * quotes are those of the command item the value came from, with which the file rendered before:
 * double quotes when it was double-quoted, else single quotes, which a rendered `"` or `\`
 * cannot break (a plain scalar could read as another type or as a comment).
 */
function templatedScalar(value: string, exec: YAMLMap, original: string): string {
  let double = false;
  visit(exec, {
    Scalar(_, n) {
      if (n.range && original.slice(n.range[0], n.range[1]).includes(value)) double = n.type === 'QUOTE_DOUBLE';
    },
  });
  const { actions } = findActions(value);
  let out = '';
  let pos = 0;
  const literal = (t: string) => (double ? JSON.stringify(t).slice(1, -1) : t.replace(/'/g, "''"));
  for (const a of actions) {
    out += literal(value.slice(pos, a.start)) + a.text;
    pos = a.end;
  }
  out += literal(value.slice(pos));
  return double ? `"${out}"` : `'${out}'`;
}

const LIFECYCLE_KEYS = new Set(['postStart', 'preStop']);

/** Said of an ECS health check wherever its task definition is written (src/analysis/ecs.ts). */
export { ECS_HINT };

/** ECS task definitions as JSON or YAML: `aws ecs register-task-definition` input, CloudFormation. */
const ECS_CONTAINERS = new Set(['containerDefinitions', 'ContainerDefinitions']);

/** kubectl's copy of the last applied object (`kubectl get -o yaml` exports carry it). */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * What an operator's own metadata says about the binary, where the walk would otherwise call it a
 * probe or a command: a CRD's schema (`properties.livenessProbe.description`, a `default` the
 * API server writes into custom resources) describes fields, it is no probe; a
 * ClusterServiceVersion's `alm-examples` annotation holds example custom resources as JSON.
 */
function operatorMetadataReport(keys: readonly string[], path: readonly unknown[], at: string): Pick<Report, 'message' | 'hint' | 'blockers' | 'keepsBinary' | 'info'> | undefined {
  const n = keys.length;
  if (keys[n - 1] === 'alm-examples' && keys[n - 2] === 'annotations') {
    return {
      message: `a ClusterServiceVersion's alm-examples annotation names grpc_health_probe (at ${at}): OLM offers these custom resources as examples, and one created from it has its operator run the binary`,
      hint: 'The tool does not rewrite the JSON inside the annotation. Change the example by hand (with operator-sdk, in the config/samples file it is generated from), to a native grpc probe once the operator\'s CRD and controller know it.',
      blockers: ['not-a-probe'],
      keepsBinary: true,
    };
  }
  const resource = enclosingResource(path);
  if (resource?.kind !== 'CustomResourceDefinition' || !resource.apiVersion.startsWith('apiextensions.k8s.io/') || !keys.includes('openAPIV3Schema')) return undefined;
  if (keys[n - 1] === 'description') {
    // Documentation of a field: it runs nothing, as a README does not.
    return {
      message: `a CRD's schema description names grpc_health_probe (at ${at}); it runs nothing`,
      hint: 'A description keeps nothing installed. Update it (for a generated CRD, the field\'s doc comment in the API types) once the operator\'s probes are native.',
      keepsBinary: false,
      info: true,
    };
  }
  const inDefault = keys.includes('default');
  return {
    message: inDefault
      ? `a CRD's schema default names grpc_health_probe (at ${at}): the API server writes it into every custom resource that leaves the field out, and the operator then runs the binary`
      : `a CRD's schema names grpc_health_probe (at ${at})`,
    hint: inDefault
      ? 'The tool does not rewrite schema defaults. Change the default where it is set (a +kubebuilder:default marker, or the operator\'s code) to a native grpc probe, regenerate the CRD, and check that its probe schema has grpc; the binary stays installed while custom resources may get this default.'
      : 'The tool does not rewrite CRD schemas. Check by hand what reads this value; the binary stays installed while anything may run it.',
    blockers: ['not-a-probe'],
    keepsBinary: true,
  };
}

/**
 * A block scalar (a workflow's `run: |`, a ConfigMap's script) starts at its `|` or `>`: the
 * report starts at the first line inside it that names the binary, as its file:line should.
 */
function atBlockMention(report: Report, node: Scalar, text: string): Report {
  if ((node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') || !node.range) return report;
  const body = text.slice(node.range[0], node.range[1]);
  const mentions = mentionOffsets(body);
  // A script's comment line (`# … run grpc_health_probe against each pod`) is not where it runs
  // the binary: the first mention outside such a line, when there is one, is the line to read.
  const comments = hashLineCommentRanges(body);
  const first = mentions.find((o) => !inRanges(o, comments)) ?? mentions[0];
  // The end stays the scalar's, and `covers` spans it whole: the finding accounts for every
  // mention inside it, the comment line's too (a Helm template's uncovered-mention check, or a
  // script's here-document reading, would report the others again).
  return first === undefined ? report : { ...report, start: node.range[0] + first, covers: [node.range[0], node.range[1]] };
}

function nonProbeReport(node: Scalar, path: readonly unknown[], docIndex: number, text: string, gitlabCi = false, pipeline?: Pipeline): Report | Report[] {
  const keys = path.filter(isPair).map((p) => keyOf(p as Pair)).filter((k): k is string => k !== undefined);
  if (keys[keys.length - 1] === LAST_APPLIED && keys[keys.length - 2] === 'annotations') {
    // Bookkeeping, not a use: the next `kubectl apply` replaces it with the object as applied.
    return {
      start: node.range![0],
      end: node.range![1],
      subject: 'consumer',
      message: `kubectl's ${LAST_APPLIED} annotation names grpc_health_probe; it runs nothing and the next kubectl apply rewrites it`,
      hint: 'The annotation does not keep the binary installed. It is kubectl bookkeeping from an export (kubectl get -o yaml): drop it from the file, or leave it for kubectl to rewrite.',
      keepsBinary: false,
      info: true,
      details: { document: docIndex + 1, path: pathText(path, node) },
    };
  }
  const at = pathText(path, node);
  const n = keys.length;
  const operatorMention = operatorMetadataReport(keys, path, at);
  if (operatorMention) {
    return atBlockMention({ start: node.range![0], end: node.range![1], subject: 'consumer', ...operatorMention, details: { document: docIndex + 1, path: at } }, node, text);
  }
  if (keys.some((k) => ECS_CONTAINERS.has(k)) && /^[hH]ealthCheck$/.test(keys[n - 2] ?? '') && /^[cC]ommand$/.test(keys[n - 1] ?? '')) {
    // An ECS container's health check, not a Kubernetes container's command: nothing native replaces it.
    return atBlockMention({
      start: node.range![0],
      end: node.range![1],
      subject: 'consumer',
      message: `an ECS container health check runs grpc_health_probe (at ${at})`,
      hint: ECS_HINT,
      blockers: ['no-native-check'],
      keepsBinary: true,
      details: { document: docIndex + 1, path: at },
    }, node, text);
  }
  if (n >= 4 && keys[0] === 'checks' && keys[2] === 'exec' && keys[3] === 'command' && enclosingContainer(path) === undefined) {
    // A Pebble check (rockcraft.yaml's `checks:`, a Pebble layer file): Pebble runs exec, http and
    // tcp checks, none of them gRPC, so nothing native replaces it and the binary stays for it.
    return atBlockMention({
      start: node.range![0],
      end: node.range![1],
      subject: 'consumer',
      message: `a Pebble health check runs grpc_health_probe (at ${at}); Pebble has no gRPC check type, so the binary stays for it`,
      hint: PEBBLE_HINT,
      blockers: ['no-native-check'],
      keepsBinary: true,
      details: { document: docIndex + 1, path: at },
    }, node, text);
  }
  if (n === 2 && keys[0] === 'contents' && keys[1] === 'packages') {
    // An apko image config's package list (Wolfi, Chainguard): it installs the package, it runs nothing.
    return {
      start: node.range![0],
      end: node.range![1],
      subject: 'consumer',
      message: `an apko image config installs the ${String(node.value)} package (at ${at}); it runs nothing, and the tool does not edit apko configs`,
      hint: 'apko builds the image from this package list. Once nothing runs grpc_health_probe in that image (probes, health checks, scripts), remove the package from the list by hand.',
      blockers: ['unsupported-file'],
      keepsBinary: false,
      details: { document: docIndex + 1, path: at },
    };
  }
  if (keys[n - 1] === 'image' && CONTAINER_LISTS.has(keys[n - 2] ?? '') && UPSTREAM_IMAGE.test(String(node.value))) {
    // A sidecar or init container that runs the probe's own image: the binary ships in it, not in
    // an image of this repository, so it keeps none of their installs.
    return upstreamRun(
      node,
      docIndex,
      at,
      `a container runs the grpc-health-probe image ${String(node.value)} (at ${at}): the binary ships in that image, so no install of this repository is needed for it`,
      'Only probes can be native. A container that runs the probe image checks another container from outside the kubelet: give that container a native grpc probe instead and remove this one, or keep it.',
    );
  }
  // A workflow step that runs the upstream probe image as a container action (`uses:
  // docker://ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28`, or its `with.args` naming the
  // binary): the binary ships in that image, as for a `docker run` step of it.
  const upstreamAction = dockerActionUpstream(keys, String(node.value), path);
  if (upstreamAction !== undefined) {
    return {
      ...upstreamRun(node, docIndex, at, `a workflow step runs the grpc-health-probe image ${upstreamAction} as a docker:// container action; the binary ships in that image, ${upstreamRunKeeps(upstreamAction)} (at ${at})`, UPSTREAM_STEP_HINT),
      upstreamImage: upstreamAction,
    };
  }
  // A GitHub Actions step's script, a Skaffold custom test's command: one report per command that
  // names the binary, each tied to the image it runs in when it starts a container.
  const scripted = workflowStepRun(keys, String(node.value), path) ?? skaffoldCustomTest(keys, path, String(node.value)) ?? (gitlabCi ? gitlabJobScript(keys, path, String(node.value)) : undefined) ?? (pipeline ? pipelineStepScript(pipeline, keys, path, String(node.value)) : undefined);
  if (scripted) {
    const at0 = sourceOffsetIn(node, text);
    return scripted.map((use) => {
      const report: Report = { start: node.range![0], end: node.range![1], subject: 'consumer', blockers: ['not-a-probe'], keepsBinary: use.keeps, message: `${use.what} (at ${at})`, hint: use.hint, details: { document: docIndex + 1, path: at, ...(use.buildTarget !== undefined ? { buildTarget: use.buildTarget } : {}) } };
      const tied = use.image !== undefined && use.keeps ? { ...report, image: use.image } : use.upstreamImage !== undefined ? { ...report, upstreamImage: use.upstreamImage } : report;
      const start = use.at === undefined ? undefined : at0(use.at);
      return start === undefined ? atBlockMention(tied, node, text) : { ...tied, start, covers: [node.range![0], node.range![1]] };
    });
  }
  const podPlumbing = podPlumbingReport(keys, String(node.value), at);
  if (podPlumbing) return { start: node.range![0], end: node.range![1], subject: 'consumer', keepsBinary: false, info: true, ...podPlumbing, details: { document: docIndex + 1, path: at } };
  let where = 'the binary is named outside a probe';
  let hint: string | undefined;
  // A health check or a chart's custom probe under other keys (src/kubernetes/health-checks.ts).
  let health: HealthCheckUse | undefined;
  // An init container that only fetches the binary into a volume supplies the pod: it runs
  // nothing, so no image's install is kept for it (the probes that run the binary keep theirs).
  let installs = false;
  if (keys.some((k) => LIFECYCLE_KEYS.has(k))) where = 'a lifecycle hook runs grpc_health_probe';
  else if (keys.includes('initContainers') && (keys.includes('command') || keys.includes('args'))) {
    const fetchers = installCommands(enclosingContainer(path));
    if (fetchers) {
      // `wget -qO /tools/grpc_health_probe <url> && chmod +x …` into a volume the probes mount:
      // it puts the binary in the pod, it does not run it.
      where = `an init container installs grpc_health_probe in the pod (it names it in the arguments of ${fetchers.join(', ')}), for this pod's probes or commands`;
      hint = 'It fetches the binary when the pod starts rather than shipping it in the image. Once no probe or command of the pod runs grpc_health_probe, remove this init container, and the volume and mounts it fills, by hand.';
      installs = true;
    } else where = initContainerUse(String(node.value));
  } else if (PROBE_KEYS.has(keys[n - 3] ?? '') && keys[n - 2] === 'exec' && keys[n - 1] === 'command' && isPair(path[path.length - 1]) && (path[path.length - 1] as Pair).value === node) {
    // `exec: {command: "grpc_health_probe -addr=:5000"}`: a probe's handler, not a container's
    // command, and one the API server refuses (ExecAction.command is a list of strings).
    where = `${keys[n - 3]}'s exec.command is one string, not a list: the API server rejects it (exec.command is a list of strings), so this probe is not applied today`;
    hint = 'Write exec.command as a list, one item per word (["/bin/grpc_health_probe", "-addr=:5000"]: the kubelet runs no shell), then run the tool again.';
  } else if (keys.some((k) => PROBE_KEYS.has(k))) where = 'a probe runs grpc_health_probe in a form the tool cannot read';
  else if (dockerActionImage(path) !== undefined) {
    where = `a workflow step runs grpc_health_probe in the image ${dockerActionImage(path)!} (a docker:// container action)`;
    hint = WORKFLOW_STEP_HINT;
  }
  else if ((health = healthCheckUse(keys, path.find(isMap))) !== undefined) ({ where, hint } = health);
  else if (keys[n - 1] === 'image' && CONTAINER_LISTS.has(keys[n - 2] ?? '')) {
    // `image: maruina/docker-grpc-health-probe:v0.3.1` (a Helm test's probe image): a reference, whose
    // container may run the binary as its entrypoint; its command, when it names it, is said on its own.
    where = `a container runs the image ${String(node.value)}, named after the binary, which may run grpc_health_probe as its entrypoint`;
    hint = NAMED_IMAGE_HINT;
  }
  else if (keys.includes('command') || keys.includes('args')) where = 'a container command runs grpc_health_probe';
  else if (enclosingContainer(path) === undefined && RECIPE_SCRIPT_KEYS.has(keys[keys.length - 1] ?? '')) {
    const fetchers = scriptInstallsOnly(String(node.value));
    if (fetchers) {
      // `wget -qO $CRAFT_PART_INSTALL/grpc_health_probe <url> && chmod +x …` in a build recipe: it
      // puts the binary in what the recipe builds, it runs nothing there, and no Dockerfile's
      // install is what it uses. The recipe still ships the binary: the user removes it.
      return atBlockMention({
        start: node.range![0],
        end: node.range![1],
        subject: 'consumer',
        message: `${at ? `the script at ${at}` : 'a script in this file'} only installs grpc_health_probe (it names it in the arguments of ${fetchers.join(', ')}): an install runs nothing, so it keeps no other install, and the tool does not edit it`,
        hint: 'This script downloads the binary into what it builds or sets up (an image, a package, a runner); the tool does not remove it. Once nothing there runs grpc_health_probe (probes migrated, no health check or script left that calls it), delete these lines by hand.',
        blockers: ['unsupported-file'],
        keepsBinary: false,
        details: { document: docIndex + 1, path: at },
      }, node, text);
    }
  }
  const inProbe = keys.some((k) => PROBE_KEYS.has(k));
  const report: Report = {
    start: node.range![0],
    end: node.range![1],
    subject: inProbe || health?.probe ? 'probe' : 'consumer',
    message: `${where}${at ? ` (at ${at})` : ''}`,
    ...(hint ? { hint } : {}),
    blockers: [health?.code ?? (inProbe ? 'unparseable' : 'not-a-probe')],
    // Conservative: anything that names the binary may run it, so the install stays.
    keepsBinary: !installs,
    details: { document: docIndex + 1, path: at },
  };
  // The container's image ties this use to the Dockerfile that ships the binary (when the
  // repository says which one), so only that image keeps its install.
  const image = enclosingContainerImage(path);
  return atBlockMention(image !== undefined ? { ...report, image } : report, node, text);
}

const PEBBLE_HINT = 'Pebble (a rock\'s rockcraft.yaml, a Pebble layer) runs exec, http and tcp checks only. Keep the binary, and its install, for this check; or, if the server also answers an HTTP health endpoint, use an http check (or a tcp check on the port, which only sees that it accepts connections, not SERVING) and run the tool again.';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** What one command of a workflow step does with the binary: `at`, where it names it in the script. */
interface StepUse {
  what: string;
  hint: string;
  keeps: boolean;
  image?: string;
  /** The upstream probe image it runs (keeps false): see Report.upstreamImage. */
  upstreamImage?: string;
  at?: number;
  /** Only names it as an image build's --target (src/analysis/build-targets.ts decides). */
  buildTarget?: string;
}

/**
 * `jobs.<id>.steps[i].run` of a GitHub Actions workflow: a shell script the runner executes, read
 * command by command as a script in the tree is (commandUses). A command that runs the binary in
 * a container (`docker run ghcr.io/acme/api:latest grpc_health_probe …`, `--entrypoint
 * /bin/grpc_health_probe`) keeps only the installs of the Dockerfiles that may build that image,
 * so a step checking two images keeps those two; in the upstream probe image, none. Any other
 * command naming the binary, or a mention outside the commands read (a heredoc's body), keeps
 * every install (no image). Undefined: not a step, or nothing read (the caller's report).
 */
function workflowStepRun(keys: readonly string[], script: string, path: readonly unknown[]): StepUse[] | undefined {
  if (keys.length !== 4 || keys[0] !== 'jobs' || keys[2] !== 'steps' || keys[3] !== 'run') return undefined;
  const container = jobContainerImage(path);
  const hint = WORKFLOW_STEP_HINT;
  // `container: ghcr.io/acme/api:ci` on the job: its run steps execute in that container.
  const inContainer = (through: readonly string[], via: string | undefined): Omit<StepUse, 'at'> | undefined =>
    container === undefined ? undefined : { what: `a workflow step runs grpc_health_probe${via ? ` (as $${via})` : ''}${through.length > 0 ? ` through ${through.join(', then ')}` : ''} in the job's container, the image ${container}`, hint, keeps: true, image: container };
  const site = { who: 'a workflow step', unread: 'a workflow step\'s script', named: 'the step names', hint, localRun: inContainer };
  if (!script.includes('${{')) return scriptUses(script, site);
  // `docker run ${{ env.IMAGE }} …`: Actions fills its expressions in before the shell runs, so
  // which image is not known here (every install stays). In a job's container the step still runs
  // there whatever they hold (`grpc_health_probe -addr=localhost:${{ env.PORT }}`): each is read
  // as a shell variable the script does not set, a value known only at run time (an image named
  // by one is any image), of the same length so that the places found stay where they are.
  const expressions = container === undefined ? undefined : expressionsAsVariables(script);
  if (!expressions) return [{ what: 'a workflow step\'s script names grpc_health_probe, with ${{ }} expressions that Actions fills in when it runs (the tool does not read them)', hint, keeps: true }];
  return scriptUses(expressions.script, site)?.map((use) => ({ ...use, what: expressions.restore(use.what) }));
}

/**
 * A step's script with each `${{ … }}` written as a variable of the same length (`${G0_______}`),
 * and a function that puts the expressions back into what is said of it; undefined when one is
 * too short to write so.
 */
function expressionsAsVariables(script: string): { script: string; restore: (s: string) => string } | undefined {
  const written: [string, string][] = [];
  let fits = true;
  const read = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => {
    const name = `G${written.length}`;
    if (name.length + 3 > expression.length) fits = false;
    const variable = `\${${name.padEnd(expression.length - 3, '_')}}`;
    written.push([variable, expression]);
    return variable;
  });
  if (!fits) return undefined;
  return { script: read, restore: (s) => written.reduce((acc, [variable, expression]) => acc.split(variable).join(expression), s) };
}

const WORKFLOW_STEP_HINT =
  'A workflow step runs the binary: the tool does not rewrite workflow scripts, so the install it needs stays. Change the step by hand (check the server from outside the image, e.g. with the upstream grpc-health-probe image or grpcurl), then run the tool again.';

/** Where a script runs and how its findings read (scriptUses). */
interface ScriptSite {
  /** `a workflow step`. */
  who: string;
  /** `a workflow step's script`, when it does not parse. */
  unread: string;
  /** `the step names`: no image it names. */
  named: string;
  hint: string;
  /** Variables the site sets before the script runs (Skaffold's $IMAGE). */
  env?: (name: string) => string | undefined;
  /** A run of the binary through local wrappers alone (where the script itself runs), when the site says what that is. */
  localRun?: (through: readonly string[], via: string | undefined) => Omit<StepUse, 'at'> | undefined;
}

/**
 * A script that a pipeline file holds (a workflow step's `run:`, a Skaffold custom test's
 * command), read command by command as a script in the tree is (commandUses): one use per command
 * that names the binary, at the line that names it, tied to the image it runs in when it starts a
 * container; any other mention outside comments keeps every install.
 */
function scriptUses(script: string, site: ScriptSite): StepUse[] | undefined {
  const { who, hint } = site;
  let parsedScript: ShScript;
  let comments: [number, number][];
  try {
    parsedScript = parseShell(script);
    comments = shellCommentRanges(script);
  } catch {
    return [{ what: `${site.unread} names grpc_health_probe (the tool cannot parse it as shell)`, hint, keeps: true }];
  }
  const { calls } = parsedScript;
  // What the site sets (Skaffold's $IMAGE) holds only where the script does not set the name itself (`for IMAGE in …`).
  const reader: WordReader = { resolve: resolveWord, parse: (s) => parseShell(s).calls, env: scriptVariables(calls, resolveWord, parsedScript.setsOtherwise, site.env, parsedScript.otherSets), imageNames: scriptImageNames(calls, resolveWord, parsedScript.setsOtherwise) };
  const mentions = mentionOffsets(script);
  // Where the command names the binary (the line to read), else where it starts.
  const at = (call: ShCall) => mentions.find((m) => m >= call.start && m < call.end) ?? call.start;
  const uses: StepUse[] = [];
  const read: [number, number][] = [];
  for (const use of commandUses(calls, reader)) {
    read.push([use.call.start, use.call.end]);
    const where = at(use.call);
    const local = use.kind === 'run' && use.run.image === undefined && use.run.through.every((t) => LOCAL_WRAPPERS.test(t)) ? site.localRun?.(use.run.through, use.run.via) : undefined;
    if (local) {
      uses.push({ ...local, at: where });
    } else if (use.kind === 'run' && use.run.image !== undefined && UPSTREAM_IMAGE.test(use.run.image)) {
      uses.push({ what: `${who} runs grpc_health_probe in the grpc-health-probe image ${use.run.image}; the binary ships in that image, ${upstreamRunKeeps(use.run.image)}`, hint: UPSTREAM_STEP_HINT, keeps: false, upstreamImage: use.run.image, at: where });
    } else if (use.kind === 'run' && use.run.image !== undefined) {
      uses.push({ what: `${who} runs grpc_health_probe through ${use.run.through.join(', then ')} in the image ${use.run.image}${use.run.tagAtRunTime ? ' (its tag set at run time)' : ''}`, hint, keeps: true, image: use.run.image, at: where });
    } else if (use.kind === 'run') {
      const { via, through } = use.run;
      uses.push({ what: `${who} runs grpc_health_probe${via ? ` (as $${via})` : ''}${through.length > 0 ? ` through ${through.join(', then ')}` : ''}, in no image ${site.named}, so every install stays for it`, hint, keeps: true, at: where });
    } else if (use.kind === 'upstream') {
      uses.push({ what: `${who} runs the grpc-health-probe image ${use.image} through ${use.label}; the binary ships in that image, ${upstreamRunKeeps(use.image)}`, hint: UPSTREAM_STEP_HINT, keeps: false, upstreamImage: use.image, at: where });
    } else if (use.kind === 'names') {
      uses.push({ what: `${who} names grpc_health_probe ${use.where}, so every install stays for it`, hint, keeps: true, at: where, ...(use.buildTarget !== undefined ? { buildTarget: use.buildTarget } : {}) });
    } else if (!use.ranBy) {
      uses.push({ what: `${who} names grpc_health_probe in the value of ${use.name}, so every install stays for it`, hint, keeps: true, at: where });
    }
  }
  // A mention outside the commands read and outside comments (a heredoc's body, a `[[ -x … ]]`
  // test): what it does is unknown, so every install stays.
  const other = mentions.find((o) => !inRanges(o, read) && !inRanges(o, comments));
  if (other !== undefined) uses.push({ what: `${who} names grpc_health_probe outside a command the tool reads, so every install stays for it`, hint, keeps: true, at: other });
  return uses.length > 0 ? uses.sort((a, b) => (a.at ?? 0) - (b.at ?? 0)) : undefined;
}

/**
 * The image of the job a workflow step belongs to (`jobs.<id>.container`, a name or `{image: …}`),
 * whose container every `run:` step of the job executes in; undefined without one.
 */
function jobContainerImage(path: readonly unknown[]): string | undefined {
  const steps = path.findIndex((p) => isPair(p) && keyOf(p as Pair) === 'steps');
  const job = steps > 0 ? path[steps - 1] : undefined;
  if (!isMap(job)) return undefined;
  const container = getPair(job, 'container')?.value;
  const image = isMap(container) ? getPair(container, 'image')?.value : container;
  return isScalar(image) && image.value !== null && String(image.value).trim() !== '' ? String(image.value).trim() : undefined;
}

const GITLAB_SCRIPT_KEYS = new Set(['script', 'before_script', 'after_script']);
const GITLAB_JOB_HINT =
  'A GitLab CI job runs or fetches the binary: the tool does not rewrite CI scripts, so the installs it may need stay. Change the job by hand (check the server from outside its image, e.g. with the upstream grpc-health-probe image as the job\'s image, or grpcurl), then run the tool again.';

/**
 * A GitLab CI job's `script`, `before_script` or `after_script` line (`default:` ones too): a
 * shell script the runner executes in the job's image, read command by command as a workflow
 * step's `run:` is (scriptUses). A run in the job's own container keeps every install, as before
 * (the tool does not tie a job's image to the repository's installs); a `docker run` of a named
 * image keeps the installs of that image's Dockerfiles, as in a workflow step.
 */
function gitlabJobScript(keys: readonly string[], path: readonly unknown[], script: string): StepUse[] | undefined {
  if (keys.length !== 2 || !GITLAB_SCRIPT_KEYS.has(keys[1]!)) return undefined;
  const root = path.find(isMap) as YAMLMap | undefined;
  const job = root ? getPair(root, keys[0]!)?.value : undefined;
  if (!root || !isMap(job)) return undefined;
  const imageOf = (m: unknown): string | undefined => {
    const v = isMap(m) ? getPair(m, 'image')?.value : undefined;
    const name = isMap(v) ? getPair(v, 'name')?.value : v;
    return isScalar(name) && name.value !== null && String(name.value).trim() !== '' ? String(name.value).trim() : undefined;
  };
  const defaults = getPair(root, 'default')?.value;
  const image = imageOf(job) ?? (keys[0] === 'default' ? undefined : imageOf(defaults)) ?? imageOf(root);
  const who = keys[0] === 'default' ? `a GitLab CI default ${keys[1]}` : `the GitLab CI job ${keys[0]}`;
  const localRun = (through: readonly string[], via: string | undefined): Omit<StepUse, 'at'> => ({
    what: `${who} runs grpc_health_probe${via ? ` (as $${via})` : ''}${through.length > 0 ? ` through ${through.join(', then ')}` : ''} ${image !== undefined ? `in the job's image ${image}` : 'in the image the runner gives the job'}, which the tool does not tie to this repository's installs, so every install stays for it`,
    hint: GITLAB_JOB_HINT,
    keeps: true,
  });
  return scriptUses(script, { who, unread: `${who}'s script`, named: 'the job names', hint: GITLAB_JOB_HINT, localRun });
}

/** CI systems, task runners and dev containers whose files hold commands, by their file names (src/kubernetes/rule-deps.ts). */
export type Pipeline = 'drone' | 'woodpecker' | 'buildkite' | 'taskfile' | 'devcontainer';

const PIPELINE_HINTS: Record<Pipeline, string> = {
  drone: 'A Drone step runs or fetches the binary: the tool does not rewrite CI pipelines, so the installs it may need stay. Change the step by hand (check the server from outside its image, e.g. with the upstream grpc-health-probe image as the step\'s image, or grpcurl), then run the tool again.',
  woodpecker: 'A Woodpecker step runs or fetches the binary: the tool does not rewrite CI pipelines, so the installs it may need stay. Change the step by hand (check the server from outside its image, e.g. with the upstream grpc-health-probe image as the step\'s image, or grpcurl), then run the tool again.',
  buildkite: 'A Buildkite step runs or fetches the binary: the tool does not rewrite CI pipelines, so the installs it may need stay. Change the step by hand (check the server from outside its image, e.g. with the upstream grpc-health-probe image in a docker plugin, or grpcurl), then run the tool again.',
  taskfile: 'A Taskfile task runs or fetches the binary: the tool does not rewrite Taskfiles, so the installs it may need stay (the task may run in an image of this repository). Change the task by hand (check the server with grpcurl, or with the upstream grpc-health-probe image), then run the tool again.',
  devcontainer: 'A dev container command runs or fetches the binary: the tool does not rewrite devcontainer.json, so the installs it may need stay (the dev container may be built from a Dockerfile of this repository). Change the command by hand (check the server with grpcurl), then run the tool again.',
};

/** devcontainer.json's lifecycle commands: a string (run by a shell), a list (run without one), or an object of named ones. */
const DEVCONTAINER_COMMANDS = new Set(['initializeCommand', 'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand']);

/**
 * A command of a Drone or Woodpecker step (`steps[].commands`, Woodpecker's `steps.<name>.commands`
 * too, and a step's `entrypoint:`), a Buildkite step (`steps[].command`/`commands`, in a group's `steps` too), a Taskfile task
 * (`tasks.<name>.cmds`, a `cmd:` item) or a dev container's lifecycle command: read command by
 * command as a workflow step's `run:` is (scriptUses), and named after its step. A run where the
 * command itself runs (the step's image, the agent, the machine that runs task, the dev container)
 * keeps every install: the tool does not tie these to the repository's images.
 */
function pipelineStepScript(pipeline: Pipeline, keys: readonly string[], path: readonly unknown[], script: string): StepUse[] | undefined {
  const last = keys[keys.length - 1] ?? '';
  const n = keys.length;
  // The map that holds the command key: the step, the task, the devcontainer.json.
  const holder = [...path].reverse().find((p, i, all) => isMap(p) && i > 0 && isPair(all[i - 1]) && keyOf(all[i - 1] as Pair) === last) as YAMLMap | undefined;
  const field = (k: string): string | undefined => {
    const v = holder ? getPair(holder, k)?.value : undefined;
    return isScalar(v) && v.value !== null && String(v.value).trim() !== '' ? String(v.value).trim() : undefined;
  };
  let who: string;
  let where: string;
  if (pipeline === 'drone' || pipeline === 'woodpecker') {
    const steps = keys[0] === 'steps' || keys[0] === 'pipeline' || keys[0] === 'services' || keys[0] === 'clone';
    // A step's `entrypoint:` (a list the step's image runs without a shell, `command:` its arguments) runs there too.
    if (!steps || (last !== 'commands' && last !== 'entrypoint') || (n !== 2 && n !== 3)) return undefined;
    const name = field('name') ?? (n === 3 ? keys[1] : undefined);
    const system = pipeline === 'drone' ? 'Drone' : 'Woodpecker';
    who = `the ${system} step${name !== undefined ? ` ${name}` : ''}`;
    const image = field('image');
    where = image !== undefined ? `in the step's image ${image}, which the tool does not tie to this repository's installs` : 'in the image the pipeline gives the step';
  } else if (pipeline === 'buildkite') {
    if (keys[0] !== 'steps' || (last !== 'command' && last !== 'commands') || !keys.slice(1, -1).every((k) => k === 'steps')) return undefined;
    const name = field('label') ?? field('key');
    who = `the Buildkite step${name !== undefined ? ` ${name}` : ''}`;
    where = 'on the agent that runs the step (or in its plugin\'s container)';
  } else if (pipeline === 'taskfile') {
    if (keys[0] !== 'tasks' || keys[2] !== 'cmds' || !(n === 3 || (n === 4 && last === 'cmd'))) return undefined;
    who = `the task ${keys[1]}`;
    where = 'where task runs it (a machine, or an image task runs in)';
  } else {
    if (!DEVCONTAINER_COMMANDS.has(keys[0] ?? '') || n > 2) return undefined;
    who = `the dev container's ${keys[0]}${n === 2 ? ` ${keys[1]}` : ''}`;
    where = keys[0] === 'initializeCommand' ? 'on the machine that starts the dev container' : 'in the dev container';
  }
  const hint = PIPELINE_HINTS[pipeline];
  const localRun = (through: readonly string[], via: string | undefined): Omit<StepUse, 'at'> => ({
    what: `${who} runs grpc_health_probe${via ? ` (as $${via})` : ''}${through.length > 0 ? ` through ${through.join(', then ')}` : ''} ${where}, so every install stays for it`,
    hint,
    keeps: true,
  });
  return scriptUses(script, { who, unread: `${who}'s command`, named: `${who} names`, hint, localRun });
}

/** Wrappers that run the binary where they run themselves (`timeout 5 grpc_health_probe …`). */
const LOCAL_WRAPPERS = /^(timeout|env|nice|nohup|sudo|command|exec|time|sh|bash)\b/;
const HOST_HINT =
  'Skaffold runs a custom test\'s command on the machine that runs skaffold (a developer\'s machine, a CI runner), not in a container: that machine needs grpc_health_probe on its PATH, and no image\'s install serves it, so the images\' installs are decided without it. Keep the test (the binary stays a tool of that machine), or check the server with grpcurl.';
const CUSTOM_HINT =
  'The tool does not rewrite Skaffold tests. The command runs the binary in a container (or in a way the tool cannot read), so the install it needs stays; change the test by hand (check the server from outside the image, e.g. with grpcurl on the machine that runs skaffold), then run the tool again.';

/**
 * A Skaffold `test[].custom[].command` (also under `profiles[]`): a shell command Skaffold runs on
 * its own machine after building the test's `image`, with $IMAGE set to that image. Run there, the
 * binary is the machine's, so it keeps no install of this repository; run in a container
 * (`docker run $IMAGE grpc_health_probe …`) it keeps that image's, read as a workflow step's.
 */
function skaffoldCustomTest(keys: readonly string[], path: readonly unknown[], script: string): StepUse[] | undefined {
  const tail = keys.slice(-3).join('.');
  if (tail !== 'test.custom.command' || !(keys.length === 3 || (keys.length === 4 && keys[0] === 'profiles'))) return undefined;
  const root = path.find(isMap) as YAMLMap | undefined;
  const apiVersion = root ? getPair(root, 'apiVersion')?.value : undefined;
  if (!isScalar(apiVersion) || !String(apiVersion.value).startsWith('skaffold/')) return undefined;
  const customPair = [...path].reverse().find((p) => isPair(p) && keyOf(p as Pair) === 'custom');
  const test = path[path.indexOf(customPair) - 1];
  const imageNode = isMap(test) ? getPair(test, 'image')?.value : undefined;
  const image = isScalar(imageNode) && imageNode.value !== null ? String(imageNode.value) : undefined;
  // Skaffold runs the command on its own machine: a run there needs the binary on that machine, not in an image.
  const onHost = (through: readonly string[]): Omit<StepUse, 'at'> => ({
    what: `a Skaffold custom test runs grpc_health_probe${through.length > 0 ? ` through ${through.join(', then ')}` : ''} on the machine that runs skaffold, not in an image, so it keeps no install of this repository`,
    hint: HOST_HINT,
    keeps: false,
  });
  return scriptUses(script, { who: 'a Skaffold custom test', unread: 'a Skaffold custom test\'s command', named: 'the test names', hint: CUSTOM_HINT, env: (name) => (name === 'IMAGE' ? image : undefined), localRun: onHost });
}

/**
 * Where offset `o` of a scalar's value sits in the file: the value's mentions of the binary, in
 * order, are the source's (a block scalar drops indentation, a quoted one escapes), so a mention
 * maps to the mention of the same rank. Undefined when `o` is no mention or the counts differ.
 */
function sourceOffsetIn(node: Scalar, text: string): (o: number) => number | undefined {
  const inValue = mentionOffsets(String(node.value));
  const inSource = mentionOffsets(text.slice(node.range![0], node.range![1]));
  return (o) => {
    const rank = inValue.indexOf(o);
    return rank === -1 || inValue.length !== inSource.length ? undefined : node.range![0] + inSource[rank]!;
  };
}

const UPSTREAM_STEP_HINT =
  'The binary ships in the grpc-health-probe image, so this step keeps no install of this repository. It checks the server from outside the kubelet: keep it, or give the server a native grpc probe and drop it.';

/**
 * A name or a mount point in a pod spec that names the binary (`name: download-grpc-health-probe`,
 * a volume `grpc-health-probe`, `mountPath: /probe/grpc_health_probe`): the plumbing of a binary
 * the pod gets from a volume. It runs nothing (the probes and commands that run the binary are
 * reported on their own), so it is an info finding that keeps no install.
 */
function podPlumbingReport(keys: readonly string[], value: string, at: string): { message: string; hint: string } | undefined {
  const n = keys.length;
  const [parent, last] = [keys[n - 2] ?? '', keys[n - 1] ?? ''];
  if (last === 'name' && (CONTAINER_LISTS.has(parent) || parent === 'volumes' || parent === 'volumeMounts')) {
    const what = parent === 'volumes' ? 'a volume' : parent === 'volumeMounts' ? 'a volume mount' : 'a container';
    return {
      message: `${what} is named ${value} (at ${at}); a name runs nothing and keeps no install`,
      hint: 'Nothing runs here. Rename or remove it by hand once the binary is gone (with the init container and volume that supply it, if that is what it is).',
    };
  }
  if (parent === 'volumeMounts' && (last === 'mountPath' || last === 'subPath' || last === 'subPathExpr')) {
    return {
      message: `a volume mount puts ${value} in the container (at ${at}); the binary comes from a volume, not the image, and the mount runs nothing`,
      hint: 'Once no probe or command of the pod runs grpc_health_probe, remove the mount, the volume and whatever fills it (an init container that downloads the binary) by hand.',
    };
  }
  return undefined;
}

/**
 * What an init container's command does with the binary. A script that names it without running
 * it (`wget -qO/grpc-health-probe/grpc-health-probe … && chmod +x …`) fetches or copies it for
 * another container: not a wait loop.
 */
export function initContainerUse(text: string): string {
  const runs = 'an init container runs grpc_health_probe (a wait loop?)';
  if (!/\s/.test(text.trim())) return runs;
  const shell = analyzeShellScript(text, () => undefined);
  if (shell.error || shell.invocations.length > 0) return runs;
  // Through another command (`timeout 5 grpc_health_probe …`), or as a path in its arguments
  // (`chmod +x /bin/grpc_health_probe`): the tool cannot tell which.
  return `an init container's script names grpc_health_probe without running it itself (in the arguments of ${shell.runsThrough ?? 'its commands'}: fetches, copies or wraps it?)`;
}

/** Where a probe pair sits: its ancestors' keys and list indices, then its own key. */
export function probeKeyPath(path: readonly unknown[], pair: Pair): string {
  const above = pathText(path, pair);
  const own = keyOf(pair) ?? '';
  return above ? `${above}.${own}` : own;
}

/** `spec.template.spec.initContainers[0].command[2]`: keys, with the index of each list item. */
function pathText(path: readonly unknown[], leaf: unknown): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const n = path[i];
    if (isPair(n)) {
      const k = keyOf(n as Pair);
      if (k !== undefined) out += out ? `.${k}` : k;
    } else if (isSeq(n)) {
      const index = n.items.indexOf((path[i + 1] ?? leaf) as never);
      if (index !== -1) out += `[${index}]`;
    }
  }
  return out;
}

/** Commands that fetch, unpack or place a file: naming the binary in their arguments installs it. */
const INSTALLERS = new Set(['wget', 'curl', 'chmod', 'chown', 'cp', 'mv', 'install', 'ln', 'mkdir', 'tar', 'gunzip', 'unzip', 'printf', 'echo', 'sha256sum', 'sha512sum', 'shasum', 'strip']);
/** `x86_64-linux-gnu-strip`: a cross toolchain's strip reads the binary as a file, as strip does (cilium's download script). */
const isInstaller = (command: string) => INSTALLERS.has(command) || /^[\w.-]+-strip$/.test(command);
const basename = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/**
 * The commands through which a container's command and args name the binary, when every one of
 * them only installs it (`wget -qO /tools/grpc_health_probe <url>`, `chmod +x`, `cp` from an
 * image that ships it); undefined when any may run it, or when the command is not read in full
 * (not a list of plain strings, a shell script that does not parse, a variable).
 */
function installCommands(container: YAMLMap | undefined): string[] | undefined {
  if (!container) return undefined;
  const argv: string[] = [];
  for (const key of ['command', 'args']) {
    const list = getPair(container, key)?.value;
    if (list === undefined || list === null) continue;
    if (!isSeq(list)) return undefined;
    for (const item of list.items) {
      if (!isScalar(item) || typeof item.value !== 'string') return undefined;
      argv.push(item.value);
    }
  }
  let calls: string[][] | undefined;
  const script = shellScriptIndex(argv);
  if (script !== undefined) {
    calls = scriptCalls(argv[script]!);
    if (!calls || argv.slice(script + 1).some(mentionsBinary) || writesBinaryText(argv[script]!)) return undefined;
  } else calls = [argv];
  return installersOf(calls);
}

/** A shell script's commands, each as its words; undefined when it does not parse. */
function scriptCalls(script: string): string[][] | undefined {
  try {
    const noEnv = () => undefined;
    return parseShell(script).calls.map((c) => c.args.map((w) => resolveWord(w, noEnv).text));
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
}

/**
 * An output redirection (`> f`, `2>> f`, `&> f`, `>| f`, `>&3`) with its target; the ones to the
 * terminal or nowhere are TERMINAL_TARGET.
 */
const OUTPUT_REDIRECT = /(?<!<)(?:&|\d*)>(?:>|\|)?(?![>(])[ \t]*(&-|&\d*|[^\s;&|)<>]*)/g;
const TERMINAL_TARGET = /^(?:\/dev\/(?:null|stderr|stdout|tty)|&[12-])$/;
/** `exec 3>f`, `exec > f`: the script's later output (or what `>&3` writes) goes to a file. */
const EXEC_REDIRECTS = /(?:^|[\s;&|({])exec[ \t]+((?:(?:&|\d*)>>?\|?[ \t]*(?:&[\d-]*|[^\s;&|)<>]+)[ \t]*)+)(?=$|[;&|)#])/gm;
/** A command a pipe may write into a file with. */
const PIPE_WRITER = /\b(?:tee|sponge|dd)\b/;

const toFile = (text: string): boolean => [...text.matchAll(OUTPUT_REDIRECT)].some((m) => !TERMINAL_TARGET.test(m[1]!));

/**
 * Whether the output of `call` may go to a file, on the safe side: yes when the rest of its
 * top-level statement (the call's own redirections, a `{ … } > f` or `( … ) > f` or `done > f`
 * around it, a pipe into `tee`/`sponge`/`dd` or into a command with `> f`) writes to a file, the
 * script moves its output with `exec 3>f` / `exec > f`, or the call is in a function (called with
 * any redirection, anywhere: any file redirection of the script then counts). No only when its
 * output provably goes to the terminal (or /dev/null).
 */
function outputMayGoToFile(parsed: ShScript, script: string, call: ShCall): boolean {
  for (const m of script.matchAll(EXEC_REDIRECTS)) if (toFile(m[1]!)) return true;
  if ((parsed.functions ?? []).some((f) => f.start <= call.start && call.end <= f.end)) return toFile(script) || PIPE_WRITER.test(script);
  const stmt = parsed.stmts.find((st) => st.start <= call.start && call.end <= st.end);
  const rest = script.slice(call.end, stmt ? Math.max(stmt.end, call.end) : script.length);
  return toFile(rest) || PIPE_WRITER.test(rest);
}

/**
 * Whether a script writes text naming the binary into a file: a here-document whose body names it
 * (`cat > /usr/local/bin/healthcheck <<EOF … exec grpc_health_probe … EOF`, also one another
 * command reads: `sh <<EOF`), or a printf or echo that names it whose output may go to a file
 * (`printf '#!/bin/sh\nexec /bin/grpc_health_probe -addr=:5000\n' > /bin/healthcheck`, `{ echo …;
 * echo 'exec grpc_health_probe …'; } > /bin/healthcheck`, `echo … | sudo tee f`: outputMayGoToFile). That file
 * (a wrapper, a config) runs or names the binary later: the script is more than an install.
 */
function writesBinaryText(script: string): boolean {
  let parsed: ShScript;
  try {
    parsed = parseShell(script);
  } catch (e) {
    if (e instanceof ShellParseError) return false;
    throw e;
  }
  if (parsed.heredocs.some((h) => mentionsBinary(script.slice(h.start, h.end)))) return true;
  const noEnv = () => undefined;
  return parsed.calls.some((call) => {
    const words = call.args.map((w) => resolveWord(w, noEnv).text);
    const command = basename(words[0] ?? '');
    return (command === 'printf' || command === 'echo') && words.slice(1).some(mentionsBinary) && outputMayGoToFile(parsed, script, call);
  });
}

/** The installers through which `calls` name the binary, when every call that names it is one (see installCommands). */
function installersOf(calls: readonly string[][]): string[] | undefined {
  const commands = new Set<string>();
  for (const call of calls) {
    // `P=/tools/grpc_health_probe && until $P -addr=…`: a command word only known at run time may be
    // the binary, also behind a command that runs the next word (`exec "$P"`, `sudo $P`).
    if (/[$`]/.test(call[0] ?? '') || (RUNS_NEXT_WORD.has(basename(call[0] ?? '')) && call.some((w) => /[$`]/.test(w)))) return undefined;
    if (!call.some(mentionsBinary)) continue;
    const command = basename(call[0] ?? '');
    if (isBinaryPath(command) || !isInstaller(command)) return undefined;
    commands.add(command);
  }
  return commands.size > 0 ? [...commands] : undefined;
}

/**
 * A script held in a YAML string outside any container (a rockcraft or snapcraft part's
 * `override-build`, a CI job's script) that only installs the binary: it downloads it (wget, curl)
 * and at most places it (chmod, cp, mv, …), nothing else of the script names it, and it writes
 * no text naming it into a file (writesBinaryText: a wrapper that runs it). The
 * commands that name it, in order; undefined when any may run it, or nothing downloads it (a cp
 * alone may take it from an image this repository builds).
 */
export function scriptInstallsOnly(script: string): string[] | undefined {
  const calls = scriptCalls(script);
  const commands = calls && !writesBinaryText(script) ? installersOf(calls) : undefined;
  return commands?.some((c) => DOWNLOADERS.has(c)) ? commands : undefined;
}
const DOWNLOADERS = new Set(['wget', 'curl']);
/** Commands that run another command given in their words: one of those words only known at run time may be the binary. */
const RUNS_NEXT_WORD = new Set(['exec', 'sudo', 'env', 'nohup', 'command', 'nice', 'timeout', 'doas', 'xargs', 'time']);
/**
 * The scripts of a rockcraft, snapcraft or charmcraft part: they run on the build machine and put
 * what they fetch into the artifact they build. Any other script held in YAML (a ConfigMap's
 * `health.sh`, a Tekton step, an Argo `script:`, a CI job) runs in some image, where a script
 * that fetches the binary may then run it (`exec "$PROBE"` after a fallback download): a use.
 */
const RECIPE_SCRIPT_KEYS = new Set(['override-build', 'override-pull', 'override-stage', 'override-prime']);

function enclosingContainer(path: readonly unknown[]): YAMLMap | undefined {
  for (let i = path.length - 1; i >= 2; i--) {
    const ctx = containerContext(path.slice(0, i + 1));
    if (ctx.list && ctx.container) return ctx.container;
  }
  return undefined;
}

function enclosingContainerImage(path: readonly unknown[]): string | undefined {
  for (let i = path.length - 1; i >= 2; i--) {
    const ctx = containerContext(path.slice(0, i + 1));
    if (ctx.list && ctx.container) {
      const image = getPair(ctx.container, 'image')?.value;
      return isScalar(image) && image.value !== null ? String(image.value) : undefined;
    }
  }
  return skaffoldVerifyImage(path) ?? dockerActionImage(path);
}

/**
 * A workflow step that runs a container action from an image (`uses: docker://ghcr.io/acme/api:ci`
 * with `with: {args: grpc_health_probe …}` or `entrypoint`): Actions runs the step in that image,
 * as a job's container runs its `run:` steps.
 */
function dockerActionImage(path: readonly unknown[]): string | undefined {
  const pairs = path.filter(isPair) as Pair[];
  if (pairs.length !== 5 || keyOf(pairs[0]!) !== 'jobs' || keyOf(pairs[2]!) !== 'steps' || keyOf(pairs[3]!) !== 'with' || !['args', 'entrypoint'].includes(keyOf(pairs[4]!) ?? '')) return undefined;
  const step = path[path.indexOf(pairs[3]!) - 1];
  const uses = isMap(step) ? getPair(step, 'uses')?.value : undefined;
  const m = isScalar(uses) ? /^docker:\/\/(\S+)$/.exec(String(uses.value ?? '').trim()) : null;
  return m?.[1];
}

/**
 * The upstream probe image a workflow step runs as a container action, when the scalar is that
 * step's `uses: docker://…` naming it, or its `with.args`/`with.entrypoint` (dockerActionImage).
 */
function dockerActionUpstream(keys: readonly string[], value: string, path: readonly unknown[]): string | undefined {
  if (keys.length === 4 && keys[0] === 'jobs' && keys[2] === 'steps' && keys[3] === 'uses') {
    const m = /^docker:\/\/(\S+)$/.exec(value.trim());
    return m && UPSTREAM_IMAGE.test(m[1]!) ? m[1] : undefined;
  }
  const image = dockerActionImage(path);
  return image !== undefined && UPSTREAM_IMAGE.test(image) ? image : undefined;
}

/**
 * A Skaffold verify test's one container (`verify: [{name, container: {image, command, args}}]`),
 * which Skaffold runs from that image after a deploy: its image, as a pod's container gives it.
 */
function skaffoldVerifyImage(path: readonly unknown[]): string | undefined {
  const pairs = path.filter(isPair) as Pair[];
  if (pairs.length < 3 || keyOf(pairs[0]!) !== 'verify' || keyOf(pairs[1]!) !== 'container' || !isMap(pairs[1]!.value)) return undefined;
  const image = getPair(pairs[1]!.value, 'image')?.value;
  return isScalar(image) && image.value !== null ? String(image.value) : undefined;
}

const FLUX_PORT_HINT =
  'Flux fills ${VAR} in the manifests its Kustomizations build before it applies them (postBuild.substitute, substituteFrom). Give the variable a port number (1-65535) in every Flux Kustomization that builds this file (postBuild.substitute: {GRPC_PORT: "50051"}, or a default, -addr=:${GRPC_PORT:=50051}), and run the tool again: the probe becomes grpc: {port: ${GRPC_PORT}}, which Flux fills in as the number; or write the port as a number.';

/**
 * The plan of an exec probe whose command holds `${…}` in a file that Flux Kustomizations build
 * (ProbeWalkOptions.fluxSubstitution): planned with each expression as a number of its own, the
 * port is written as the expression that stood for it (`port: ${GRPC_PORT}`, which Flux fills in
 * with the number, as it filled in the command) when every Kustomization gives it a port. Where
 * Flux does not (another value, one the repository does not hold, substitution turned off), the
 * plan of the command as written says why. Undefined without Flux: the plan as written.
 */
function fluxPlan(opts: ProbeWalkOptions, docIndex: number, probe: YAMLMap, execPair: Pair<Scalar, YAMLMap>, input: Parameters<typeof planNativeProbe>[0]): NativePlan | undefined {
  if (!opts.fluxSubstitution && opts.fluxFolder && input.argv.some((a) => a.includes('${'))) {
    const where = opts.fluxFolder();
    if (where === undefined) return undefined;
    const plan = planNativeProbe(input);
    const at = plan.blockers.findIndex((b) => b.code === 'unresolved-port');
    if (at >= 0) {
      plan.blockers[at] = {
        code: 'unresolved-port',
        detail: `${input.argv.find((a) => a.includes('${')) ?? 'the port'} is filled in by Flux's postBuild substitution (${where}, whose spec.path holds the file) once the build is done, but this is a patch or values file, which the tool does not write a \${…} port into: it writes one only in a manifest whose every build Flux substitutes`,
        hint: FLUX_FOLDER_HINT,
      };
    }
    return plan;
  }
  // `-addr=:$(GRPC_PORT)` reading an env value Flux fills (`value: "${GRPC_PORT}"`): Flux fills
  // the value before the kubelet expands $(GRPC_PORT), so the command is read with the value in
  // place (the variable still read, for what sets the env), as a `${GRPC_PORT}` written there is.
  if (opts.fluxSubstitution && input.env && !input.argv.some((a) => a.includes('${'))) {
    const env = input.env;
    const filled = input.argv.map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => {
      const value = env(name);
      return value !== undefined && value.includes('${') && !value.includes('$(') ? value : whole;
    }));
    if (filled.some((a, k) => a !== input.argv[k])) return fluxPlan(opts, docIndex, probe, execPair, { ...input, argv: filled });
  }
  const flux = opts.fluxSubstitution?.(opts.docs[docIndex]?.contents, input.argv);
  if (!flux) return undefined;
  const asWritten = () => planNativeProbe(input);
  /** The plan as written, its port's blocker (shell syntax, templated) replaced by what Flux does. */
  // Only a port that is not read: `${…}` elsewhere (the service) reaches the binary and the native
  // probe alike, substituted or not.
  const because = (detail: string, hint = FLUX_PORT_HINT): NativePlan => {
    const plan = asWritten();
    const at = plan.blockers.findIndex((b) => b.code === 'unresolved-port');
    if (at >= 0) plan.blockers[at] = { code: 'unresolved-port', detail, hint };
    return plan;
  };
  if ('detail' in flux) return because(flux.detail, flux.hint);
  /** A service that holds `${…}`: Flux fills it in the command and in grpc.service alike, where it must stay that string. */
  const serviceBlocker = (service: string | undefined): Blocker | undefined => {
    const problem = service !== undefined ? flux.check(service) : undefined;
    return problem ? { code: 'unparseable', detail: `-service=${service} is filled in by Flux before the file is applied, but ${problem}`, hint: FLUX_SERVICE_HINT } : undefined;
  };
  const marked = planNativeProbe({ ...input, argv: flux.argv });
  const port = marked.grpc?.port.kind === 'number' ? flux.port(marked.grpc.port.value) : undefined;
  if (!port) {
    // A literal port (or one Flux does not fill): the command as written, its service checked.
    const plan = asWritten();
    const blocker = plan.grpc ? serviceBlocker(plan.grpc.service) : undefined;
    if (blocker) {
      plan.blockedNotes ??= plan.notes;
      plan.blockers.push(blocker);
    }
    return plan;
  }
  if ('detail' in port) return because(port.detail);
  const restore = (n: string) => flux.restore(n);
  const plan: NativePlan = {
    ...marked,
    blockers: marked.blockers.map((b) => ({ ...b, detail: restore(b.detail), ...(b.hint !== undefined ? { hint: restore(b.hint) } : {}) })),
    notes: marked.notes.map(restore),
    ...(marked.blockedNotes ? { blockedNotes: marked.blockedNotes.map(restore) } : {}),
  };
  const service = marked.grpc!.service !== undefined ? restore(marked.grpc!.service) : undefined;
  plan.grpc = { ...marked.grpc!, port: { kind: 'expression', text: port.text, flux: true }, ...(service !== undefined ? { service } : {}) };
  const blocker = serviceBlocker(service);
  if (blocker) plan.blockers.push(blocker);
  // `grpc: {port: ${GRPC_PORT}}` does not parse (a flow collection ends a plain scalar at `{`), and a
  // quoted "${GRPC_PORT}" would be substituted into a string, which grpc.port does not take.
  if (opts.style === 'json' || probe.flow || execPair.value!.flow) {
    plan.blockers.push({ code: 'unresolved-port', detail: `-addr's port ${port.text} is filled in by Flux with a port number, but the probe is written in ${opts.style === 'json' ? 'JSON' : 'flow style'}, where grpc.port cannot be ${port.text} unquoted (and quoted, Flux would fill in a string, which grpc.port does not take)`, hint: 'Write the probe in block style (exec: on a line of its own) and run the tool again, or write grpc: {port: N} by hand.' });
  }
  if (plan.blockers.length === 0) plan.notes.push(port.note);
  else if (plan.blockedNotes === undefined) plan.blockedNotes = plan.notes;
  return plan;
}

const FLUX_FOLDER_HINT =
  'Flux fills ${VAR} in what its Kustomization builds before it applies it. Write grpc: {port: ${VAR}} by hand here and in the probe this merges over (the variable must always be a port number in every Kustomization that builds it), or write the port as a number; then run the tool again.';

const FLUX_SERVICE_HINT =
  'Give the service variable a gRPC service name (letters, digits, dots, underscores, hyphens, slashes) in every Flux Kustomization that builds this file, in postBuild.substitute or a ConfigMap the repository holds, and run the tool again; or write grpc.service by hand.';

const TEMPLATE_PORT_HINT =
  'In an OpenShift Template, declare the port as a parameter (parameters: - name: GRPC_PORT, with a numeric value, or none and oc process -p GRPC_PORT=…) and write -addr=:${GRPC_PORT}; run the tool again and the probe becomes grpc: {port: ${{GRPC_PORT}}}, which oc process turns into a number.';

/** The probe walk's port expressions (a Helm action) and an OpenShift Template's parameters, as one. */
function portExpressions(...resolvers: (((text: string) => string | undefined) | undefined)[]): { resolvePortExpression?: (text: string) => string | undefined } {
  const given = resolvers.filter((r): r is (text: string) => string | undefined => r !== undefined);
  if (given.length === 0) return {};
  return { resolvePortExpression: (text) => given.reduce<string | undefined>((found, r) => found ?? r(text), undefined) };
}

/**
 * In an OpenShift Template (`kind: Template`), `-addr=:${GRPC_PORT}` reads a parameter of the
 * template, which `oc process` substitutes. grpc.port takes a number, and `${GRPC_PORT}` would
 * substitute a string: the parameter goes over as `${{GRPC_PORT}}`, OpenShift's form for a value
 * that is not a string. Only a declared parameter whose default, when it has one, is a port.
 * `substituted`: the declared parameters whose `${NAME}` oc process replaces inside a `sh -c`
 * script before the shell reads it, where the value, when the template gives one, is a word the
 * shell leaves as it is (a value with spaces, quotes or `$` would be split or expanded there).
 */
function openShiftTemplate(doc: Document.Parsed<ParsedNode, true> | undefined): { port: (text: string) => string | undefined; substituted: ReadonlySet<string> } | undefined {
  const root = doc?.contents;
  if (!isMap(root) || getPair(root, 'kind')?.value === undefined) return undefined;
  const kind = getPair(root, 'kind')!.value;
  const apiVersion = getPair(root, 'apiVersion')?.value;
  if (!isScalar(kind) || kind.value !== 'Template' || !isScalar(apiVersion) || !['template.openshift.io/v1', 'v1'].includes(String(apiVersion.value))) return undefined;
  const parameters = getPair(root, 'parameters')?.value;
  const ports = new Set<string>();
  const substituted = new Set<string>();
  if (isSeq(parameters)) {
    for (const p of parameters.items) {
      if (!isMap(p)) continue;
      const name = getPair(p, 'name')?.value;
      const value = getPair(p, 'value')?.value;
      if (!isScalar(name) || typeof name.value !== 'string') continue;
      const given = isScalar(value) && value.value !== null ? String(value.value) : undefined;
      if (given === undefined || (/^\d+$/.test(given) && Number(given) >= 1 && Number(given) <= 65535)) ports.add(name.value);
      if (given === undefined || /^[A-Za-z0-9_.,:/@%+=-]*$/.test(given)) substituted.add(name.value);
    }
  }
  return {
    port: (text) => {
      const m = /^\$\{\{?([A-Za-z_][A-Za-z0-9_]*)\}\}?$/.exec(text);
      return m && ports.has(m[1]!) && (text.startsWith('${{') === text.endsWith('}}')) ? `\${{${m[1]}}}` : undefined;
    },
    substituted,
  };
}

/** A run of the upstream probe image (a container of it, a docker:// step): the binary ships in that image, so it keeps no install of this repository. */
function upstreamRun(node: Scalar, docIndex: number, at: string, message: string, hint: string): Report {
  return { start: node.range![0], end: node.range![1], subject: 'consumer', blockers: ['not-a-probe'], keepsBinary: false, message, hint, details: { document: docIndex + 1, path: at } };
}

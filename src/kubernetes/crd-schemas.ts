/**
 * Whether a custom resource's CRD, when the repository holds it (a kubebuilder project's
 * `config/crd/bases`, a chart's `crds/`), knows `grpc` where a migrated probe puts it. A CRD schema
 * generated from Kubernetes types older than 1.24 has a probe without `grpc`: the API server then
 * prunes the field without an error, and the operator gets a probe with no handler.
 */
import path from 'node:path';
import { keyPathSteps, plainObjects } from '../parse/yaml.js';
import type { RunContext } from '../types.js';

/** What the repository's CRD says about a probe's place in a custom resource. */
export type CrdProbeSchema =
  | { file: string; knowsGrpc: true; how: 'schema' | 'unknown-fields' }
  | { file: string; knowsGrpc: false; detail: string };

interface Crd {
  file: string;
  group: string;
  kind: string;
  /** Version name → its openAPIV3Schema (a v1beta1 CRD's shared `validation` under every version). */
  schemas: Map<string, unknown>;
}

/** Per run: the files that may hold CRDs, and the CRDs read per API group. */
const crdsByRun = new WeakMap<RunContext, { files: { file: string; text: string }[]; byGroup: Map<string, Crd[]> }>();

/** Manifest files only: a CRD is YAML or JSON, and reading every file of a large checkout costs. */
const MANIFEST = /\.(ya?ml|json)$/i;

function crdsOf(run: RunContext, group: string): Crd[] {
  let cache = crdsByRun.get(run);
  if (!cache) {
    const files: { file: string; text: string }[] = [];
    for (const file of run.repositoryFiles()) {
      if (!MANIFEST.test(file)) continue;
      const text = run.readText(file);
      // Templates ({{ }}) are not YAML until rendered: their CRDs are not read.
      if (text && text.includes('CustomResourceDefinition') && !text.includes('{{')) files.push({ file, text });
    }
    crdsByRun.set(run, (cache = { files, byGroup: new Map() }));
  }
  const known = cache.byGroup.get(group);
  if (known) return known;
  const crds: Crd[] = [];
  // Only files that name the group are parsed: CRD bundles run to megabytes.
  for (const { file, text } of cache.files) {
    if (!text.includes(group)) continue;
    for (const obj of plainObjects(text)) {
      const crd = readCrd(obj, file);
      if (crd?.group === group) crds.push(crd);
    }
  }
  cache.byGroup.set(group, crds);
  return crds;
}

function readCrd(obj: unknown, file: string): Crd | undefined {
  const o = obj as Record<string, any> | null;
  if (!o || o.kind !== 'CustomResourceDefinition' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('apiextensions.k8s.io/')) return undefined;
  const spec = o.spec;
  if (!spec || typeof spec.group !== 'string' || typeof spec.names?.kind !== 'string') return undefined;
  const schemas = new Map<string, unknown>();
  const shared = spec.validation?.openAPIV3Schema;
  const versions: { name?: unknown; schema?: { openAPIV3Schema?: unknown } }[] = Array.isArray(spec.versions) ? spec.versions : [];
  for (const v of versions) {
    const schema = v?.schema?.openAPIV3Schema ?? shared;
    if (typeof v?.name === 'string' && schema) schemas.set(v.name, schema);
  }
  if (typeof spec.version === 'string' && shared && !schemas.has(spec.version)) schemas.set(spec.version, shared);
  return { file, group: spec.group, kind: spec.names.kind, schemas };
}

/**
 * The schema node at a path, or what stops the walk: a node that keeps unknown fields (nothing
 * is pruned below it), or a step the schema does not describe (the tool cannot tell).
 */
function schemaAt(schema: unknown, steps: readonly (string | number)[]): { node: Record<string, any> } | 'keeps-unknown' | undefined {
  let node = schema as Record<string, any> | undefined;
  for (const step of steps) {
    if (!node || typeof node !== 'object') return undefined;
    if (node['x-kubernetes-preserve-unknown-fields'] === true && !node.properties && !node.items) return 'keeps-unknown';
    if (typeof step === 'number') node = node.items;
    else if (node.properties && typeof node.properties === 'object' && step in node.properties) node = node.properties[step];
    else if (node.additionalProperties && typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return node['x-kubernetes-preserve-unknown-fields'] === true ? 'keeps-unknown' : undefined;
  }
  return node && typeof node === 'object' ? { node } : undefined;
}

/**
 * What the repository's CRD for `apiVersion`/`kind` says about a probe at `keyPath` (the probe's
 * own key last); undefined when the repository has no such CRD or its schema does not describe
 * the place (the note on custom resources then stands alone).
 */
export function crdProbeSchema(run: RunContext, resource: { apiVersion: string; kind: string }, keyPath: string): CrdProbeSchema | undefined {
  const slash = resource.apiVersion.indexOf('/');
  if (slash === -1) return undefined;
  const group = resource.apiVersion.slice(0, slash);
  const version = resource.apiVersion.slice(slash + 1);
  for (const crd of crdsOf(run, group)) {
    if (crd.kind !== resource.kind) continue;
    const schema = crd.schemas.get(version);
    if (!schema) continue;
    const file = path.relative(run.cwd, crd.file).split(path.sep).join('/');
    const at = schemaAt(schema, keyPathSteps(keyPath));
    if (at === undefined) return undefined;
    if (at === 'keeps-unknown') return { file, knowsGrpc: true, how: 'unknown-fields' };
    const { node } = at;
    if (node['x-kubernetes-preserve-unknown-fields'] === true) return { file, knowsGrpc: true, how: 'unknown-fields' };
    const props = node.properties;
    if (!props || typeof props !== 'object' || !('exec' in props)) return undefined;
    if ('grpc' in props) return { file, knowsGrpc: true, how: 'schema' };
    return {
      file,
      knowsGrpc: false,
      detail: `the CRD of ${resource.kind} in ${file} has no grpc field in this probe's schema (generated from Kubernetes types older than 1.24?): the API server would drop grpc without an error and leave the probe with no handler`,
    };
  }
  return undefined;
}

/**
 * What a probe that would migrate in a custom resource gets from its CRD (`crd`: crdProbeSchema's
 * answer): a blocker when the repository's CRD has no grpc there (the API server would prune it
 * and leave no handler), else a note on what the CRD and its controller must know. The same for
 * a manifest and for a resource built in TypeScript (cdk8s ApiObject, Pulumi CustomResource).
 */
export function customResourceVerdict(
  resource: { apiVersion: string; kind: string },
  crd: CrdProbeSchema | undefined,
): { blocker: { code: 'kube-version'; detail: string; hint: string } } | { note: string } {
  if (crd && !crd.knowsGrpc) return { blocker: { code: 'kube-version', detail: crd.detail, hint: CRD_HINT } };
  const what = `${resource.kind} (${resource.apiVersion}) is a custom resource`;
  if (crd) {
    const stored = crd.how === 'schema' ? 'has probe.grpc in its schema' : 'keeps unknown fields there, so probe.grpc is stored';
    return { note: `${what}: its CRD in ${crd.file} ${stored}; its controller must pass it on to the pods` };
  }
  return { note: `${what}: its CRD and its controller must know probe.grpc (a CRD schema generated from Kubernetes < 1.24 types drops the field without an error)` };
}

export const CRD_HINT =
  'Regenerate the CRD from Kubernetes API types of 1.24 or later (k8s.io/api v0.24+, then controller-gen or `make manifests`) so that its probe schema has grpc, make sure the operator passes probe.grpc on to the pods it creates, and run the tool again.';

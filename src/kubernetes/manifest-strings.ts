/**
 * Kubernetes manifests written as a string of YAML (or JSON) in a manifest: a Carvel
 * kapp-controller `App`'s `spec.fetch[].inline.paths` files (a `Package`'s
 * `spec.template.spec.fetch[]`), a ConfigMap's `data` or a Secret's `stringData` entry that holds a
 * Pod or a workload's template (an operator's or a CI runner's pod template), or any other string
 * value whose text is a document with `apiVersion` and `kind` and a probe in it. Its probes are read
 * as a manifest file's are (same rules, same blockers: the container's ports, hostNetwork, TLS, the
 * repository's CRDs and Namespaces), and a literal block (`|`, `|-`, `|+`, `|2`) is rewritten in
 * place, as a kustomization's inline patch is (the block's lines mapped back to the file: its
 * indentation, chomping and line ends kept). A folded block or a flow or quoted string is not: its
 * probes stay on exec, blocked `unsupported-file` with the native probe to write by hand.
 *
 * A string that something renders before it is applied stays on exec too, blocked
 * `unsupported-file`: one with template actions (`{{ … }}`) or ytt annotations (`#@`), a string of
 * a Helm values file (a chart may render it with `tpl`), a kapp-controller file rendered by a
 * template step other than ytt, kbld and sops (helmTemplate, kustomize, cue), or by ytt with files
 * the tool cannot see (another fetch source, `inline.pathsFrom`). A ytt overlay that writes into
 * the probe (another inline file of the App, a template step's inline overlay, an overlay file of
 * the repository: src/ytt/overlays.ts) holds it, as does a command that patches the object by path.
 *
 * Strings other readers take are left to them: Helm values strings (src/helm/values-strings.ts,
 * an Argo CD Application's `helm.values`), GitOps controllers' patches, annotations (OLM's
 * `alm-examples`, kubectl's last-applied configuration), and patches (a key naming a patch: the
 * probe would merge over an object the tool cannot see).
 */
import type { Document, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { mentionsBinary } from '../analysis/binary.js';
import { mentionOffsets } from '../analysis/mentions.js';
import { targetClusters } from '../analysis/native-probe.js';
import { applyEdits } from '../edits/apply.js';
import { blockScalarView } from '../kustomize/block-scalar.js';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, keyOf, nodeAt, parseYaml } from '../parse/yaml.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { isYttText } from '../ytt/detect.js';
import { keepForYttOverlays } from '../ytt/overlays.js';
import { crdProbeSchema } from './crd-schemas.js';
import { hasLinkerdServer, namespaceMeta } from './namespaces.js';
import { keepForPatchCommands, manifestObject } from './patch-commands.js';
import { findProbeReports } from './probes.js';

type Docs = readonly Document.Parsed<ParsedNode, true>[];

/** A string scalar of a document and where it stands. */
interface Held {
  node: Scalar;
  /** Key path of the string (`spec.fetch[0].inline.paths.config.yml`). */
  at: string;
  keys: (string | number)[];
}

/** Cheap test before any walk: the file mentions the binary and may hold a manifest in a string. */
function mayHold(text: string): boolean {
  return mentionsBinary(text) && /\bapiVersion\b/.test(text) && /\bkind\b/.test(text);
}

/** The reports of a manifest's strings that hold manifests, and the strings' ranges (whose mentions these reports account for). */
/**
 * `unrewritten`: why the file is not rewritten at all (a kapp-controller App whose other strings
 * are ytt code: src/classify.ts reads it as a ytt file), so that its strings' probes are said but
 * stay on exec.
 */
export function manifestStringReports(file: SourceFile, docs: Docs, run: RunContext, taken: readonly [number, number][], unrewritten?: string): { reports: Report[]; ranges: [number, number][] } {
  const reports: Report[] = [];
  const ranges: [number, number][] = [];
  if (!mayHold(file.text)) return { reports, ranges };
  docs.forEach((doc, i) => {
    const root = doc.contents;
    if (!isMap(root)) return;
    for (const held of stringsIn(root)) {
      const range = held.node.range!;
      if (taken.some(([s, e]) => range[0] >= s && range[0] < e)) continue;
      const found = stringReports(held, root, i, docs, file, run, unrewritten);
      if (!found) continue;
      ranges.push([range[0], range[1]]);
      reports.push(...found);
    }
  });
  return { reports, ranges };
}

/** The string scalars of a document that mention the binary and may hold a manifest, but those other readers take. */
function stringsIn(root: YAMLMap): Held[] {
  const out: Held[] = [];
  const walk = (node: unknown, keys: (string | number)[]): void => {
    if (isMap(node)) {
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const key = keyOf(p);
        if (key === undefined) continue;
        walk(p.value, [...keys, key]);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...keys, i]));
    else if (isScalar(node) && typeof node.value === 'string' && node.range && mentionsBinary(node.value) && /\bkind\b/.test(node.value)) {
      const names = keys.filter((k): k is string => typeof k === 'string');
      const last = names[names.length - 1] ?? '';
      // Annotations (alm-examples, last-applied), Helm values and patches (`patch`, `patches`,
      // `podSpecPatch`, `patchesStrategicMerge`; a file name such as `patch.yml` is a name):
      // other readers', or not applied as they are.
      const patchKey = (k: string) => !/[./]/.test(k) && /^patch|Patch/.test(k);
      if (names.includes('annotations') || names.includes('labels') || /^(values|valuesContent|valuesObject)$/.test(last) || names.some(patchKey)) return;
      out.push({ node, keys, at: pathText(keys) });
    }
  };
  walk(root, []);
  return out;
}

function pathText(keys: readonly (string | number)[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && (typeof node.value === 'string' || typeof node.value === 'number') ? String(node.value) : undefined;
}

function childAt(node: unknown, keys: readonly (string | number)[]): unknown {
  let n = node;
  for (const k of keys) n = typeof k === 'number' ? (isSeq(n) ? n.items[k] : undefined) : isMap(n) ? getPair(n, k)?.value : undefined;
  return n;
}

/** A container that names its image: a whole one, not a patch's. */
function hasImage(container: unknown): boolean {
  return isMap(container) && getPair(container, 'image') !== undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Who holds the string, for messages; and for a kapp-controller file, the App's (or Package's) spec. */
interface Holder {
  label: string;
  /** The `spec` of the App (a Package's `spec.template.spec`) that fetches this file. */
  kapp?: { spec: YAMLMap; at: string; what: string };
}

function holderOf(root: YAMLMap, held: Held, docs: Docs): Holder {
  const kind = scalarText(getPair(root, 'kind')?.value) ?? '';
  const apiVersion = scalarText(getPair(root, 'apiVersion')?.value) ?? '';
  const meta = getPair(root, 'metadata')?.value;
  const name = isMap(meta) ? scalarText(getPair(meta, 'name')?.value) : undefined;
  const named = `${kind}${name !== undefined ? ` ${name}` : ''}`;
  const k = held.keys;
  const inlineFile = (from: number) => k.length === from + 5 && k[from] === 'fetch' && typeof k[from + 1] === 'number' && k[from + 2] === 'inline' && k[from + 3] === 'paths';
  if (kind === 'App' && apiVersion.startsWith('kappctrl.k14s.io/') && k[0] === 'spec' && inlineFile(1)) {
    const spec = getPair(root, 'spec')?.value;
    const what = `the kapp-controller App${name !== undefined ? ` ${name}` : ''}`;
    return { label: `Manifest in the inline file ${String(k[5])} of ${what} (${held.at})`, ...(isMap(spec) ? { kapp: { spec, at: 'spec', what } } : {}) };
  }
  if (kind === 'Package' && apiVersion.startsWith('data.packaging.carvel.dev/') && k[0] === 'spec' && k[1] === 'template' && k[2] === 'spec' && inlineFile(3)) {
    const spec = childAt(root, ['spec', 'template', 'spec']);
    const what = `the Carvel Package${name !== undefined ? ` ${name}` : ''}`;
    return { label: `Manifest in the inline file ${String(k[7])} of ${what} (${held.at})`, ...(isMap(spec) ? { kapp: { spec, at: 'spec.template.spec', what } } : {}) };
  }
  if ((kind === 'ConfigMap' || kind === 'Secret') && k.length === 2 && (k[0] === 'data' || k[0] === 'stringData')) {
    // An App (or Package) of the same file that fetches it (`inline.pathsFrom`): its template steps render it.
    const fetcher = name !== undefined ? fetcherOf(docs, kind, name) : undefined;
    return { label: `Manifest in the ${named}'s ${String(k[0])} entry ${String(k[1])} (${held.at})`, ...(fetcher ? { kapp: fetcher } : {}) };
  }
  return { label: `Manifest in a string (${held.at})` };
}

/**
 * The spec of a kapp-controller App (or Package) among `docs` whose `fetch[].inline.pathsFrom`
 * names the ConfigMap or Secret (`configMapRef`/`secretRef`): it fetches its entries as files.
 */
function fetcherOf(docs: Docs, kind: string, name: string): Holder['kapp'] | undefined {
  const ref = kind === 'ConfigMap' ? 'configMapRef' : 'secretRef';
  for (const d of docs) {
    const root = d.contents;
    if (!isMap(root)) continue;
    const k = scalarText(getPair(root, 'kind')?.value);
    const apiVersion = scalarText(getPair(root, 'apiVersion')?.value) ?? '';
    const app = k === 'App' && apiVersion.startsWith('kappctrl.k14s.io/');
    const pkg = k === 'Package' && apiVersion.startsWith('data.packaging.carvel.dev/');
    if (!app && !pkg) continue;
    const spec = childAt(root, app ? ['spec'] : ['spec', 'template', 'spec']);
    const fetch = isMap(spec) ? getPair(spec, 'fetch')?.value : undefined;
    const names = (isSeq(fetch) ? fetch.items : []).flatMap((source) => {
      const from = childAt(source, ['inline', 'pathsFrom']);
      return (isSeq(from) ? from.items : []).map((f) => scalarText(childAt(f, [ref, 'name'])));
    });
    if (!names.includes(name) || !isMap(spec)) continue;
    const meta = getPair(root, 'metadata')?.value;
    const own = isMap(meta) ? scalarText(getPair(meta, 'name')?.value) : undefined;
    return { spec, at: app ? 'spec' : 'spec.template.spec', what: `the ${app ? 'kapp-controller App' : 'Carvel Package'}${own !== undefined ? ` ${own}` : ''} (which fetches this ${kind})` };
  }
  return undefined;
}

/**
 * Why kapp-controller's template steps may change the file before it deploys it, or undefined
 * when they leave a plain YAML file as it is (kbld, sops, and ytt over files the tool sees: inline
 * paths, and the ConfigMaps and Secrets of this file that `inline.pathsFrom` names, whose ytt
 * overlays src/ytt/overlays.ts reads).
 */
function kappRendering(kapp: NonNullable<Holder['kapp']>, text: string, docs: Docs): string | undefined {
  const steps = getPair(kapp.spec, 'template')?.value;
  const fetch = getPair(kapp.spec, 'fetch')?.value;
  // `pathsFrom` items that name a ConfigMap or Secret this file does not hold.
  const unseen = (from: unknown) => (isSeq(from) ? from.items : from === undefined ? [] : [from]).some((f) => {
    const ref = isMap(f) ? (['configMapRef', 'secretRef'] as const).find((r) => getPair(f, r) !== undefined) : undefined;
    const name = ref ? scalarText(childAt(f, [ref, 'name'])) : undefined;
    return name === undefined || !docs.some((d) => isMap(d.contents) && scalarText(getPair(d.contents, 'kind')?.value) === (ref === 'configMapRef' ? 'ConfigMap' : 'Secret') && scalarText(childAt(d.contents, ['metadata', 'name'])) === name);
  });
  // A `template` that is no sequence (a map, a scalar): steps the tool cannot read.
  if (steps !== undefined && steps !== null && !isSeq(steps) && !(isScalar(steps) && steps.value === null)) {
    return `${kapp.what} has a template (${kapp.at}.template) that is no list of steps, and the tool does not see what it makes of this file`;
  }
  for (const [i, step] of (isSeq(steps) ? steps.items : []).entries()) {
    // A step is a map of one key (`ytt: {…}`); an empty map, a scalar, a null or a sequence is a
    // step the tool cannot read: it may change the file.
    const first = isMap(step) && step.items.length === 1 ? step.items[0] : undefined;
    const name = first !== undefined && isPair(first) ? keyOf(first) : undefined;
    const at = `${kapp.at}.template[${i}]`;
    if (name === 'kbld' || name === 'sops') continue;
    if (name !== 'ytt') return `${kapp.what} renders its fetched files with ${name ?? 'a template step'} (${at}) before it deploys them, and the tool does not see what that makes of this file`;
    if (isYttText(text)) return `the file is a ytt template (it has #@ annotations or code), which ${kapp.what} renders with ytt (${at})`;
    const ytt = first!.value;
    if (unseen(childAt(ytt, ['inline', 'pathsFrom']))) return `${kapp.what} runs ytt (${at}) with files from a Secret or ConfigMap this file does not hold (${at}.ytt.inline.pathsFrom), which may hold overlays that write into this probe`;
    for (const [j, source] of (isSeq(fetch) ? fetch.items : []).entries()) {
      const other = isMap(source) ? source.items.map((p) => (isPair(p) ? keyOf(p) : '?')).find((key) => key !== undefined && key !== 'inline' && key !== 'path') : 'a source';
      const from = isMap(source) ? childAt(source, ['inline', 'pathsFrom']) : undefined;
      if (other !== undefined || unseen(from)) {
        const what = other !== undefined ? `${kapp.at}.fetch[${j}].${other}` : `${kapp.at}.fetch[${j}].inline.pathsFrom`;
        return `${kapp.what} runs ytt (${at}) over this file with the files of ${what}, which the tool cannot see: a ytt overlay there may write into this probe`;
      }
    }
  }
  return undefined;
}

function stringReports(held: Held, root: YAMLMap, doc: number, docs: Docs, file: SourceFile, run: RunContext, unrewritten?: string): Report[] | undefined {
  const { node } = held;
  const view = blockScalarView(node, file.eol);
  const text = 'error' in view ? String(node.value) : view.text;
  const inner = parseYaml(text);
  if (inner.error || !inner.docs.some((d) => isMap(d.contents) && scalarText(getPair(d.contents, 'kind')?.value) !== undefined && scalarText(getPair(d.contents, 'apiVersion')?.value) !== undefined)) return undefined;
  const json = isJson(text);
  // An Argo Workflows resource template that patches its object with the string (a strategic or
  // merge patch), or a container without an image (a patch's, or a pod template's a controller
  // merges over its own): the probe merges over the object's, so a migrated one says exec: null.
  const resource = held.keys[held.keys.length - 1] === 'manifest' ? childAt(root, held.keys.slice(0, -1)) : undefined;
  const patches = isMap(resource) && held.keys[held.keys.length - 2] === 'resource' && scalarText(getPair(resource, 'action')?.value) === 'patch';
  const found = findProbeReports({
    text,
    docs: inner.docs,
    eol: '\n',
    ...targetClusters(run.options),
    style: json ? 'json' : 'yaml',
    mergePatch: (innerRoot, keyPath) => patches || !hasImage(nodeAt(innerRoot, keyPath.slice(0, Math.max(0, keyPath.lastIndexOf('.'))))),
    baseService: () => true,
    customResourceSchema: (resource, keyPath) => crdProbeSchema(run, resource, keyPath),
    namespaceMeta: (name) => namespaceMeta(run, name),
    linkerdServers: () => hasLinkerdServer(run),
  });
  if (!found.some((r) => r.subject === 'probe')) return undefined;
  const holder = holderOf(root, held, docs);
  const prefix = holder.label;
  const start = node.range![0];
  const end = node.range![1];

  // What renders the string before it is applied: its probes stay on exec.
  const rendered = unrewritten ?? (file.kind === 'helm-values'
    ? 'it is a string of Helm values, which the chart may render (tpl) before it applies it'
    : /\{\{/.test(text)
      ? 'the string holds template actions ({{ … }}), which a template engine renders before it is applied'
      : holder.kapp
        ? kappRendering(holder.kapp, text, docs)
        : isYttText(text)
          ? 'the string is a ytt template (it has #@ annotations or code), which ytt renders before it is applied'
          : undefined);
  const form = 'error' in view ? (view.error === 'not a block scalar' ? 'a flow or quoted string' : view.error.startsWith('a folded') ? 'a folded (>) block scalar' : 'a block scalar whose lines the tool cannot map back to the file') : undefined;

  // Holds on the embedded object itself: a ytt overlay that writes into it (another file of the
  // same App too), a command that patches it by path.
  const object = manifestObject(inner.docs);
  let reports = found.map((r) => keepForPatchCommands(keepForYttOverlays(r, file, inner.docs, run, true), file, run, object));

  const byHand = (r: Report, why: string, hint: string): Report => {
    const { fix: _fix, ...rest } = r;
    if (r.subject !== 'probe' || !r.fix || r.blockers?.length) return r.fix ? rest : r;
    const d = r.details ?? {};
    const target = r.target ?? `grpc {port: ${String(d.port)}}`;
    // A probe merged over another (a patch's): exec: null deletes that one's exec, service: "" keeps checking the whole server.
    const merged = r.fix.some((e) => /\bexec"?: null/.test(e.text));
    const grpc = `${merged ? 'exec: null and ' : ''}grpc: {port: ${String(d.port)}${typeof d.service === 'string' && d.service ? `, service: ${JSON.stringify(d.service)}` : merged ? ', service: ""' : ''}${d.mode ? `, mode: ${String(d.mode)}` : ''}}`;
    const timeout = typeof d.timeoutSeconds === 'number' ? `, and timeoutSeconds: ${d.timeoutSeconds}` : '';
    return {
      ...rest,
      blockers: ['unsupported-file'],
      keepsBinary: true,
      message: `${r.message.split(': exec grpc_health_probe')[0]} runs grpc_health_probe and could become ${target}, but ${why}, so it stays on exec`,
      hint: `Write the probe by hand in the string: in place of its exec, ${grpc}${timeout}. ${hint}`,
    };
  };
  if (rendered) {
    reports = reports.map((r) => byHand(r, `it is in a manifest inside a string the tool cannot rewrite: ${rendered}`, 'Check that what renders the string keeps it (or write the probe where the string is made), then run the tool again.'));
  } else if (form) {
    // A JSON file's strings are all quoted: there is no block to write them as.
    const jsonFile = /^\s*[{[]/.test(file.text);
    reports = reports.map((r) => byHand(r, `it is in a manifest inside a string the tool cannot rewrite (${form})`, jsonFile ? 'Or keep the manifest in a YAML file as a literal block (|), which the tool rewrites, and run it again.' : 'Or write the string as a literal block (|), which the tool rewrites, and run it again.'));
  } else {
    // The string must still parse once its own edits are in (as JSON, when it was); otherwise none of them is made.
    const fixed = reports.filter((r) => r.fix && !(r.blockers?.length));
    const result = applyEdits(text, fixed.map((r) => ({ owner: r, edits: r.fix! })));
    const problem = parseYaml(result.text).error ?? (json && !isJson(result.text) ? { message: 'it is no longer JSON' } : undefined);
    if (problem) reports = reports.map((r) => (r.fix ? { ...r, fix: null, blockers: ['unparseable'], keepsBinary: true, message: `${r.message}: the rewritten string would not parse (${problem.message})` } : r));
  }

  // Back to the file: offsets, edits, the key path and document of the string's holder.
  let toOuter: (offset: number) => number;
  if (!('error' in view)) toOuter = view.toOuter;
  else {
    // The string's mentions in the file, one for one with the value's (escapes aside): a finding's line is its mention's.
    const outer = mentionOffsets(file.text.slice(start, end));
    const mentions = mentionOffsets(text);
    toOuter = (o) => {
      const i = mentions.findIndex((m) => m >= o);
      return i !== -1 && outer.length === mentions.length ? start + outer[i]! : start;
    };
  }
  return reports.map((r) => {
    const mapped: Report = {
      ...r,
      start: toOuter(r.start),
      end: r.end !== undefined && !('error' in view) ? view.toOuter(r.end) : end,
      message: `${prefix}: ${r.message}`,
      ...(r.keyPath !== undefined ? { keyPath: `${held.at}.${r.keyPath}` } : {}),
      details: { ...(r.details ?? {}), document: doc + 1, path: held.at },
    };
    if (r.fix && !('error' in view)) mapped.fix = r.fix.map(view.mapEdit);
    else delete mapped.fix;
    return mapped;
  });
}

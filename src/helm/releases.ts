/**
 * Releases elsewhere in the repository that install a chart with values of their own: a Flux
 * HelmRelease (`spec.values`), an Argo CD Application or ApplicationSet (`helm.valuesObject`,
 * `helm.values`, `helm.valueFiles`), a helmfile release (inline `values` and values files), a
 * Crossplane provider-helm Release (`forProvider.values`), a Fleet `fleet.yaml` (`helm.values`,
 * `helm.valuesFiles`), a Skaffold `deploy.helm.releases` entry (`overrides`, `valuesFiles`, `setValues`),
 * a Pulumi YAML program's `kubernetes:helm.sh/v3:Release` (`values`, `valueYamlFiles`), a k3s/RKE2
 * HelmChart (`spec.valuesContent`, a string of YAML, and `spec.set`). Helm merges those values over the chart's values.yaml key by key, as it
 * does a values file of the chart's own: a release that keeps a probe on exec over a values.yaml
 * probe migrated to grpc would render a probe with two handlers, which the API server rejects,
 * so that values.yaml probe is held (see keepForValuesOverrides in chart.ts).
 *
 * A release names its chart by path (a GitRepository source, an Argo CD `path`, a helmfile
 * `./charts/x`) or by name (a chart repository's `x`, `repo/x`): a name matches the chart's
 * Chart.yaml name, because such a release installs this chart once it is published. A path read
 * from the repository's root (Flux, Argo CD: the source may be this repository or a copy of it)
 * matches the chart folder that ends with it. Both err on the side of holding.
 */
import path from 'node:path';
import type { Document, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { enclosingRepository } from '../discover/scope.js';
import { keptHandlers, tunedTimeouts, type KeptHandler, type PatchSource, type TunedTimeout } from '../kubernetes/merge-holds.js';
import { filesOfRun, repositoryFolders } from '../run-files.js';
import { getPair, keyPathSteps, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import type { RunContext } from '../types.js';
import { plainValueAt, valuesData } from './settings.js';
import { escapeRegExp } from '../text/regexp.js';
import { namedFiles } from '../discover/names.js';
import { blockScalarView } from '../kustomize/block-scalar.js';
import { otherCodeReleases, VALUES_TEMPLATE } from './other-code-releases.js';

/** How a release names its chart. */
type ChartRef =
  /** Relative to the folder of the file that says it (helmfile, fleet.yaml). */
  | { by: 'path'; abs: string }
  /** Relative to the root of a source repository (Flux GitRepository, Argo CD `path`). */
  | { by: 'source-path'; rel: string }
  | { by: 'name'; name: string };

/**
 * One layer of values a release merges over its chart's values.yaml, as read from its document:
 * the probes it keeps on a handler, the timeouts it sets, and its values as plain data. The
 * parsed document itself is not kept: a monorepo has a release or two per chart, and a thousand
 * parse trees held to the end of the run were most of its memory.
 */
interface Layer {
  read: LayerRead;
  /** Where the values sit in the document, as probeKeyPath writes it ('' for a whole values file). */
  prefix: string;
  /** How the layer is named in a message; the release's name for its inline values. */
  shown?: string;
  /** Inline values written in the release's document (or in a ConfigMap's string its valuesFrom names): which file and document. */
  at?: { abs: string; doc: number };
  /** The values are a string of YAML at this key path of that document (valuesStringsIn): its probes' key paths there are this, `.`, and the path inside. */
  inString?: string;
  /** How valuesStringsIn names the release that reads the string, where not the release itself (a HelmChartConfig over its HelmChart). */
  reader?: string;
}

/**
 * One layer of a release whose layers merge in a known order (Release.stack): values the tool
 * reads (a Layer, or a values file), one path set (a Flux `valuesFrom` targetPath, a k3s
 * HelmChart's `spec.set`), or values it cannot read (a Secret's base64 data, a ConfigMap no file
 * of the repository makes), which may set anything.
 */
type StackEntry =
  | { layer: Layer }
  | { file: string; shown: string }
  | { set: string; shown: string }
  /** abs: a file the tool reads as text only (a values template): it sets a probe only where its text names the probe's key. */
  | { unknown: string; abs?: string }
  /**
   * A values file as the release names it (an Argo CD `valueFiles` entry, a helmfile `values` file,
   * a Flux `chart.spec.valuesFiles` entry): `base` undefined, read from the chart's folder. A path
   * with template actions names each file it can render to: those are alternatives (one is merged),
   * not layers over each other (stackOf).
   */
  | { valuesFile: { base?: string; file: string }; of: string };

/** A stack entry with its values files resolved (stackOf): `alt` groups the files one templated name renders to. */
type ResolvedEntry = Exclude<StackEntry, { valuesFile: unknown }> | { file: string; shown: string; alt: number };


/**
 * The release's stack with its values files found: a chart-relative one from chartRoot (left out
 * where that is unknown: they are the lowest layers of an Argo CD source, under every inline one),
 * a templated name as the files it renders to (one name that can render to no file the tool can
 * tell, `{{ requiredEnv "X" }}`, is a layer it cannot read), a values template as a layer the tool
 * reads as text only.
 */
const stacksByRelease = new WeakMap<Release, Map<string, ResolvedEntry[]>>();

function stackOf(release: Release, chartRoot: string | undefined, run: RunContext): ResolvedEntry[] {
  let known = stacksByRelease.get(release);
  if (!known) stacksByRelease.set(release, (known = new Map()));
  let out = known.get(chartRoot ?? '');
  if (out) return out;
  out = [];
  known.set(chartRoot ?? '', out);
  (release.stack ?? []).forEach((e, i) => {
    if (!('valuesFile' in e)) return void out.push(e);
    const { base, file } = e.valuesFile;
    const from = base ?? chartRoot;
    if (from === undefined) return;
    const abs = path.resolve(from, file);
    const shown = (f: string) => `${shownPath(f, run)} (values of ${e.of})`;
    if (VALUES_TEMPLATE.test(file) || (file.includes('{{') && !/\.(ya?ml|json)$/i.test(file))) {
      return void out.push(file.includes('{{') ? { unknown: `the values file ${file} of ${e.of} (its name is a template the tool does not render)` } : { unknown: `${shownPath(abs, run)} (a values template of ${e.of}, which the tool does not render)`, abs });
    }
    for (const f of valueFilePaths(abs, run)) out!.push({ file: f, shown: shown(f), alt: i });
  });
  return out;
}

/**
 * Whether a layer the tool cannot read may set the probe at valuesPath: always, unless it is a
 * values template of the repository whose text names neither the probe's key nor anything that
 * prints other values into it (an include, a file read, toYaml).
 */
function unknownMaySet(e: { abs?: string }, valuesPath: string, run: RunContext): boolean {
  const text = e.abs === undefined ? undefined : run.readText(e.abs);
  if (text === undefined) return true;
  return text.includes(valuesPath.slice(valuesPath.lastIndexOf('.') + 1)) || /\b(?:readFile|include|tpl|toYaml|toJson|exec|file|templatefile|yamlencode|jsonencode)\b|\.Values\b/.test(text);
}

/** A values file that is missing or does not parse (one that is empty or all comments sets nothing). */
function unreadable(abs: string, run: RunContext): boolean {
  const text = run.readText(abs);
  return text === undefined || parseYaml(text).error !== undefined;
}

/**
 * The first layer of a release of the chart that the tool cannot read and that may set the probe
 * at valuesPath, as messages say it: the probe of the chart's values.yaml under it may render with
 * that layer's handler beside grpc.
 */
export function releaseUnreadAbove(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): string | undefined {
  const unread = releaseUnreadLayer(chartRoot, chartName, valuesPath, run);
  return unread && `${unread.release} merges ${unread.layer}, which the tool cannot read, over these values: it may set the probe's handler`;
}

/**
 * The first layer of a release of the chart that the tool cannot read and that may set valuesPath
 * (a `-f` file the repository does not hold, by URL or with a variable in its name, `--reuse-values`,
 * a values file that does not parse, a values template whose text names the key), with the
 * release, as messages say them; undefined when every layer that may set it is read.
 */
export function releaseUnreadLayer(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): { release: string; layer: string } | undefined {
  const inRun = filesOfRun(run);
  for (const release of releasesFor(chartRoot, chartName, run)) {
    for (const e of stackOf(release, chartRoot, run)) {
      if ('unknown' in e && unknownMaySet(e, valuesPath, run)) return { release: release.shown, layer: e.unknown };
      if ('file' in e && !valuesFileRead(e.file, inRun.has(e.file), run) && unreadable(e.file, run)) return { release: release.shown, layer: e.shown };
    }
  }
  return undefined;
}

/** What the tool needs of a values document, shared by the layers it holds (an Application's valuesObject and values). */
interface LayerRead {
  /** With the file line of each probe, where known (a message names where a later layer keeps it: layerAbove). */
  kept: (KeptHandler & { line?: number })[];
  /** The exec probes this run migrates in it (key paths): a later layer of the release may hold them (layerAbove), and then they keep exec after all. */
  migrating?: string[];
  timeouts: TunedTimeout[];
  /** The document as plain data (valuesData: YAML 1.1's plain yes/no are booleans), undefined when it cannot be (an alias bomb). */
  values: unknown;
}

/** toLine: the file line (1-based) of an offset in text; text's own lines by default. */
function readLayer(text: string, doc: Document.Parsed<ParsedNode, true>, source: PatchSource, run: RunContext, toLine: (offset: number) => number = (o) => lineAt(text, o)): LayerRead {
  let values: unknown;
  try {
    values = valuesData(doc, 100);
  } catch {
    values = undefined;
  }
  const kept = keptHandlers(text, doc, run, source).map((k) => (k.start === undefined ? k : { ...k, line: toLine(k.start) }));
  const keptPaths = new Set(kept.map((k) => k.keyPath));
  // Read as not rewritten, every probe on a handler is kept: those the run rewrites are the difference.
  const migrating = source.rewritten ? keptHandlers(text, doc, run, { ...source, rewritten: false }).filter((k) => !keptPaths.has(k.keyPath)).map((k) => k.keyPath) : [];
  return { kept, ...(migrating.length > 0 ? { migrating } : {}), timeouts: tunedTimeouts(doc), values };
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The file line of an offset in a string's value: through its literal block's lines, else the string's own line. */
function stringLines(fileText: string, node: Scalar): (offset: number) => number {
  const view = blockScalarView(node, '\n');
  const start = node.range?.[0] ?? 0;
  return 'error' in view ? () => lineAt(fileText, start) : (o) => lineAt(fileText, view.toOuter(o));
}

const valuesFileReads = new WeakMap<RunContext, Map<string, LayerRead | null>>();

/**
 * A values file's read, once per run however many releases name it: a helmfile's `common.yaml`
 * shared by 400 releases was read, parsed and kept 400 times (2.3 GB for a 280 KB file).
 */
function valuesFileRead(abs: string, rewritten: boolean, run: RunContext): LayerRead | undefined {
  let reads = valuesFileReads.get(run);
  if (!reads) valuesFileReads.set(run, (reads = new Map()));
  let read = reads.get(abs);
  if (read === undefined) {
    const text = run.readText(abs);
    const doc = text === undefined ? undefined : firstDoc(text);
    read = text !== undefined && doc ? readLayer(text, doc, { absPath: abs, rewritten }, run) : null;
    reads.set(abs, read);
  }
  return read ?? undefined;
}

interface Release {
  refs: ChartRef[];
  /** The release's inline layers. */
  layers: Layer[];
  /** Values files, relative to the folder they are read from: `base`, or the chart's folder (Argo CD). */
  valueFiles: { base?: string; file: string }[];
  /**
   * A Flux HelmRelease's `valuesFrom` ConfigMaps and Secrets, by name, and the key read from each
   * (`valuesKey`, values.yaml by default): Kustomize may generate them from values files of the
   * repository, or a manifest of it may write them (a ConfigMap's `data`, a Secret's `stringData`:
   * a layer of the release's values). An entry with a `targetPath` sets one value, not a values file:
   * listed with it, for its place in the stack only.
   */
  valuesFrom?: { kind: string; name: string; key: string; targetPath?: string }[];
  /**
   * The release's values in the order its controller merges them, lowest precedence first, where
   * that order is known: a Flux HelmRelease's `valuesFrom` entries in list order, then `spec.values`;
   * a k3s HelmChart's `spec.valuesContent`, then its HelmChartConfig's, then `spec.set`. A layer's
   * probe that a later one keeps on a handler renders with both (layerAbove).
   */
  stack?: StackEntry[];
  /**
   * Values paths the release sets one at a time, as `helm --set` does (Argo CD `helm.parameters`,
   * helmfile `set`/`setString`, a Crossplane Release's `forProvider.set`, a Flux `valuesFrom`
   * `targetPath`), each with where it is set: `readinessProbe.exec.command[1]`.
   */
  sets?: { path: string; where: string; value?: string }[];
  /** Values the tool cannot see, as said in messages: `valuesFrom <name>` (a ConfigMap or Secret no file of the repository makes). */
  outsideValues?: string;
  shown: string;
  /** The chart as the release writes it (`oci://…/cart`, `acme/cart`), where its refs do not say it. */
  chartShown?: string;
  /**
   * A helm command of a script (`helm upgrade web ./charts/web -f a.yaml --set …`): its -f files
   * and --set are in its stack only, read for what they merge over each other and over the chart's
   * values (the chart's module reads the rest of the command line itself).
   */
  commandLine?: boolean;
  /** A k3s HelmChart's `spec.valuesSecrets` (Secrets by name, the keys read from each), merged after its valuesContent (releasesOf). */
  valuesSecrets?: { name: string; keys: string[] }[];
  /** A k3s HelmChart (chart) or HelmChartConfig (config), by name and namespace: a HelmChartConfig's values are the last layer of the HelmChart of its name (releasesOf). */
  k3s?: { role: 'chart' | 'config'; name: string; namespace?: string };
}

export interface ReleaseHold {
  file: string;
  kept: string;
}

const releasesByRun = new WeakMap<RunContext, Release[]>();
const holdsByChart = new WeakMap<RunContext, Map<string, Map<string, ReleaseHold>>>();

/** Probes of the chart's values.yaml (by key path) that a release in the repository keeps on another handler. */
export function releaseHolds(chartRoot: string, chartName: string | undefined, run: RunContext): Map<string, ReleaseHold> {
  let byChart = holdsByChart.get(run);
  if (!byChart) holdsByChart.set(run, (byChart = new Map()));
  let out = byChart.get(chartRoot);
  if (out) return out;
  out = new Map();
  byChart.set(chartRoot, out);
  const inRun = filesOfRun(run);
  for (const { layer, shown } of releaseLayers(chartRoot, chartName, run)) {
    for (const k of layer.read.kept) {
      const own = ownKeyPath(layer, k.keyPath);
      if (own !== undefined && !out.has(own)) out.set(own, { file: shown, kept: k.kept });
    }
  }
  // A layer's exec probe that this run would migrate but that a later layer of its release holds
  // (layerAbove: a layer the tool cannot read, a path set into it) keeps exec after all.
  for (const release of releasesFor(chartRoot, chartName, run)) {
    for (const e of stackOf(release, chartRoot, run)) {
      if ('set' in e || 'unknown' in e) continue;
      const read = 'layer' in e ? e.layer.read : valuesFileRead(e.file, inRun.has(e.file), run);
      for (const keyPath of read?.migrating ?? []) {
        const own = 'layer' in e ? ownKeyPath(e.layer, keyPath) : keyPath;
        if (own === undefined || out.has(own)) continue;
        const over = layerAbove(release, (x) => x === e, own, run, chartRoot);
        if (over !== undefined) out.set(own, { file: 'layer' in e ? (e.layer.shown ?? release.shown) : e.shown, kept: `keeps it on exec, since ${over}` });
      }
    }
  }
  // `--set readinessProbe.exec.command[1]=-addr=:9090`: Helm builds the exec (a list padded with
  // null) beside the default's grpc, so the release would render a probe with two handlers.
  for (const release of releasesFor(chartRoot, chartName, run)) {
    const sets = setsOf(release);
    for (const { path: setPath, where } of sets) {
      const m = SET_HANDLER.exec(setPath);
      if (m && !out.has(m[1]!)) out.set(m[1]!, { file: release.shown, kept: `sets ${setPath} (${where}), which keeps it on ${m[2]}` });
      // `--set-json 'readinessProbe={"exec":…}'`: merged into the probe key by key, it may set any handler.
      else if (!m && PROBE_KEY_PATH.test(setPath) && !out.has(setPath)) out.set(setPath, { file: release.shown, kept: `sets ${setPath} (${where}), which may set its handler` });
    }
  }
  return out;
}

/** A release whose values hold a probe (releasesHolding). */
export interface HoldingRelease {
  /** The release as messages name it. */
  shown: string;
  /** The probe's path in the values the release merges over its chart's (`livenessProbe`). */
  valuesPath: string;
  /** Whether the release installs the chart at chartRoot (named chartName in its Chart.yaml), as releasesFor matches it. */
  installs(chartRoot: string, chartName: string | undefined): boolean;
  /** How the release names its chart, for messages (`./charts/cni`, `aws-vpc-cni`). */
  chart: string;
  /**
   * A layer the release merges over this one that sets the probe's handler (keeps exec, gives it
   * httpGet, sets a path into it) or that the tool cannot read, as messages say it: the probe
   * migrated here would render with that layer's handler beside grpc.
   */
  over?: string;
  /** A value the release sets one at a time into the probe's handler (`--set readinessProbe.exec.command[1]=…`), as messages say it. */
  setsHandler?: string;
}

/**
 * The releases whose values hold the probe at keyPath of a file's document (`doc`, 0-based): a
 * release's inline values there (a Flux HelmRelease's `spec.values`, an Argo CD `valuesObject`, a
 * helmfile release's `values` item), or the file as a whole when a release names it as a values
 * file. What their charts' templates make of the probe (a pod on the host's network) is what they
 * make of the same probe in the chart's own values files.
 */
export function releasesHolding(fileAbs: string, doc: number | undefined, keyPath: string, run: RunContext): HoldingRelease[] {
  const out: HoldingRelease[] = [];
  for (const release of releasesOf(run)) {
    const hold = (valuesPath: string): HoldingRelease => {
      const set = setsOf(release).find((s) => SET_HANDLER.exec(s.path)?.[1] === valuesPath);
      return {
        shown: release.shown,
        valuesPath,
        installs: (chartRoot, chartName) => release.refs.some((ref) => matches(ref, chartRoot, chartName)),
        chart: release.chartShown ?? release.refs.map((ref) => (ref.by === 'name' ? ref.name : ref.by === 'path' ? shownPath(ref.abs, run) : ref.rel)).join(' or '),
        ...(set ? { setsHandler: `${set.path} (${set.where})` } : {}),
      };
    };
    for (const layer of release.layers) {
      if (layer.at?.abs !== fileAbs || (doc !== undefined && layer.at.doc !== doc)) continue;
      const inString = layer.inString === undefined ? undefined : `${layer.inString}.`;
      const own = inString === undefined ? ownKeyPath(layer, keyPath) : keyPath.startsWith(inString) ? keyPath.slice(inString.length) : undefined;
      if (own !== undefined) out.push(withOver(hold(own), layerAbove(release, (e) => 'layer' in e && e.layer === layer, own, run)));
    }
    // A values file read from the chart's folder (Argo CD `valueFiles`): from the folder above it that is the release's chart.
    let chartRoot: string | undefined;
    const named =
      release.valueFiles.some((v) => {
        if (v.base !== undefined) return valueFilePaths(path.resolve(v.base, v.file), run).includes(fileAbs);
        for (let a = path.dirname(fileAbs); a !== path.dirname(a); a = path.dirname(a)) {
          if (release.refs.some((ref) => ref.by !== 'name' && matches(ref, a, undefined)) && valueFilePaths(path.resolve(a, v.file), run).includes(fileAbs)) {
            chartRoot = a;
            return true;
          }
        }
        return false;
      }) || (release.stack ?? []).some((e) => 'file' in e && e.file === fileAbs);
    if (!named) continue;
    const h = withOver(hold(keyPath), layerAbove(release, (e) => 'file' in e && e.file === fileAbs, keyPath, run, chartRoot));
    // A helm command of a script is read for what it merges over its -f files, not as a release of their own.
    if (!release.commandLine || h.over !== undefined || h.setsHandler !== undefined) out.push(h);
  }
  return out;
}

function withOver(h: HoldingRelease, over: string | undefined): HoldingRelease {
  return over === undefined ? h : { ...h, over };
}

/**
 * The first layer of the release's stack after the one `is` picks that sets the handler of the
 * probe at valuesPath (a probe it keeps on exec or gives httpGet/tcpSocket, a path set into the
 * probe's handler or over the probe) or that the tool cannot read, as messages say it. Undefined
 * when nothing later does, or the release's layers have no known order. An earlier layer that keeps
 * exec is no matter: a later one's `exec: null` deletes it.
 */
function layerAbove(release: Release, is: (e: ResolvedEntry) => boolean, valuesPath: string, run: RunContext, chartRoot?: string): string | undefined {
  const stack = release.stack ? stackOf(release, chartRoot, run) : undefined;
  const at = stack ? stack.findIndex(is) : -1;
  if (!stack || at === -1) return undefined;
  const inRun = filesOfRun(run);
  const alt = (stack[at] as { alt?: number }).alt;
  for (const e of stack.slice(at + 1)) {
    // Another file one templated name renders to is merged instead of this one, not over it.
    if (alt !== undefined && 'alt' in e && e.alt === alt) continue;
    if ('unknown' in e) {
      if (!unknownMaySet(e, valuesPath, run)) continue;
      return `${e.unknown}, which the tool cannot read, may set its handler`;
    }
    if ('set' in e) {
      const m = SET_HANDLER.exec(e.set);
      if (e.set === valuesPath || valuesPath.startsWith(`${e.set}.`) || (m && m[1] === valuesPath)) return `${e.shown} sets ${e.set}`;
      continue;
    }
    const layer = 'layer' in e ? e.layer : undefined;
    const file = 'file' in e ? e.file : e.layer.at?.abs;
    const shown = 'file' in e ? e.shown : (e.layer.shown ?? (e.layer.prefix !== '' ? `the ${e.layer.prefix} of ${release.shown}` : release.shown));
    const read = 'file' in e ? valuesFileRead(e.file, inRun.has(e.file), run) : e.layer.read;
    if (!read) {
      if (file !== undefined && 'file' in e && !unreadable(file, run)) continue;
      return `${shown}, which the tool cannot read, may set its handler`;
    }
    const kept = read.kept.find((k) => (layer ? ownKeyPath(layer, k.keyPath) : k.keyPath) === valuesPath);
    if (!kept) continue;
    const where = file !== undefined && kept.line !== undefined ? `, at ${shownPath(file, run)}:${kept.line},` : '';
    return `${shown}${where} ${kept.kept}`;
  }
  return undefined;
}

/** The sets a release makes (Argo CD `parameters`, helmfile `set:`; a helm command line's `--set`s, kept in its stack). */
function setsOf(release: Release): { path: string; where: string }[] {
  return [...(release.sets ?? []), ...(release.commandLine ? (release.stack ?? []).flatMap((e) => ('set' in e ? [{ path: e.set, where: '--set' }] : [])) : [])];
}

/** A set path that is a probe's own key path (`readinessProbe`, `agent.livenessProbe`). */
const PROBE_KEY_PATH = /(?:^|\.)(?:liveness|readiness|startup)Probe$/;

/** A set path into a probe's handler: the probe's key path, then the handler. */
export const SET_HANDLER = /^(.+?)\.(exec|httpGet|tcpSocket)(?=$|[.[])/;

/**
 * The `name` of each `{name, value}` item of a list (Argo CD parameters, helmfile and Crossplane
 * `set`), with its value when it is one plain scalar (not a helmfile `values` list, a Crossplane
 * `valueFrom`).
 */
function setNames(list: unknown, where: string): { path: string; where: string; value?: string }[] {
  return (isSeq(list) ? list.items : []).flatMap((item) => {
    const name = isMap(item) ? scalarText(getPair(item, 'name')?.value) : undefined;
    const value = isMap(item) ? scalarText(getPair(item, 'value')?.value) : undefined;
    return name !== undefined && name !== '' ? [{ path: name, where, ...(value !== undefined ? { value } : {}) }] : [];
  });
}

/**
 * What the releases that install the chart set a `.Values.a.b` path to, in their inline values or
 * the values files they name (releases that do not set it are left out).
 */
export function releaseValuesAt(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): { file: string; value: string }[] {
  const inLayers = releaseLayers(chartRoot, chartName, run).flatMap(({ layer, shown }) => {
    const value = plainValueAt(layer.read.values, layer.prefix === '' ? valuesPath : `${layer.prefix}.${valuesPath}`);
    return value === undefined ? [] : [{ file: shown, value }];
  });
  // `--set image.repository=ghcr.io/acme/api` (helmfile `set`, Argo CD parameters) is set over them.
  const set = releaseSetsAt(chartRoot, chartName, valuesPath, run).flatMap((s) => (s.value === undefined ? [] : [{ file: s.file, value: s.value }]));
  return [...inLayers, ...set];
}

/**
 * Whether a release of the repository that installs the chart may set a values path: its inline
 * values or a values file it names hold the path (or a value above it that is not a map), it sets
 * the path one at a time, it reads values the repository does not hold, or it names a values file
 * the tool does not find. False only when every release of the chart leaves the path unset.
 */
export function releaseMaySet(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): boolean {
  const keys = valuesPath.split('.');
  const holds = (data: unknown): boolean => {
    let node: unknown = data;
    for (const key of keys) {
      if (node === undefined || node === null) return false;
      if (typeof node !== 'object' || Array.isArray(node)) return true;
      node = (node as Record<string, unknown>)[key];
    }
    return node !== undefined && node !== null;
  };
  for (const { layer } of releaseLayers(chartRoot, chartName, run)) {
    if (layer.read.values === undefined) return true;
    if (holds(layer.prefix === '' ? layer.read.values : plainObjectAt(layer.read.values, layer.prefix))) return true;
  }
  if (releaseSetsAt(chartRoot, chartName, valuesPath, run).length > 0) return true;
  // A layer of a release's stack the tool cannot read (a helm command's `-f` of a file outside the
  // repository, by URL or named by a variable; `--reuse-values`) may set it too.
  if (releaseUnreadLayer(chartRoot, chartName, valuesPath, run) !== undefined) return true;
  const inRun = filesOfRun(run);
  return releasesFor(chartRoot, chartName, run).some(
    (release) => release.outsideValues !== undefined || release.valueFiles.some((v) => valueFilePaths(path.resolve(v.base ?? chartRoot, v.file), run).filter((abs) => valuesFileRead(abs, inRun.has(abs), run)).length === 0),
  );
}

/** The plain data at a dotted prefix (`spec.values`), or undefined. */
function plainObjectAt(data: unknown, prefix: string): unknown {
  let node: unknown = data;
  for (const step of keyPathSteps(prefix)) {
    if (typeof step === 'number') node = Array.isArray(node) ? node[step] : undefined;
    else node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[step] : undefined;
  }
  return node;
}

/** A release of the chart that reads values the repository does not hold (a Flux `valuesFrom` Secret made elsewhere), as said in messages. */
export function releaseWithOutsideValues(chartRoot: string, chartName: string | undefined, run: RunContext): string | undefined {
  const r = releasesFor(chartRoot, chartName, run).find((x) => x.outsideValues !== undefined);
  return r && `${r.shown} (${r.outsideValues})`;
}

/**
 * What the releases that install the chart set a values path to one value at a time (releaseValuesAt
 * takes the plain ones): value undefined where it is not written in the release (a helmfile
 * `values` list, a Crossplane `valueFrom`, a Flux `valuesFrom` targetPath), so any value.
 */
export function releaseSetsAt(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): { file: string; value?: string }[] {
  return releasesFor(chartRoot, chartName, run).flatMap((release) =>
    (release.sets ?? []).filter((s) => s.path === valuesPath).map((s) => ({ file: `${release.shown} (${s.where})`, ...(s.value !== undefined ? { value: s.value } : {}) })),
  );
}

/** Whether a release's `set` entry sets a path below `valuesPath` (`extraEnvVars[0].name`, `extraEnv.GRPC_PORT`). */
export function releaseSetsBelow(chartRoot: string, chartName: string | undefined, valuesPath: string, run: RunContext): boolean {
  return releasesFor(chartRoot, chartName, run).some((release) => (release.sets ?? []).some((s) => s.path.startsWith(`${valuesPath}.`) || s.path.startsWith(`${valuesPath}[`)));
}

/**
 * Whether a release of the repository names the file as one of its values files (a helmfile
 * release's `values`, an Argo CD `$values/…` value file, a Fleet `valuesFiles` entry), templated
 * paths included: its probes merge over a chart's values.yaml, wherever the file sits.
 */
const releaseValuesFilesByRun = new WeakMap<RunContext, Set<string>>();
export function isReleaseValuesFile(fileAbs: string, run: RunContext): boolean {
  let files = releaseValuesFilesByRun.get(run);
  if (!files) {
    // Expanded once per run: asked per candidate, a templated path matched against every file of
    // the repository each time was quadratic (400 releases: 7.4 s against 2.0 s with literal paths).
    files = new Set(releasesOf(run).flatMap((release) => release.valueFiles.flatMap((v) => (v.base !== undefined ? valueFilePaths(path.resolve(v.base, v.file), run) : []))));
    releaseValuesFilesByRun.set(run, files);
  }
  return files.has(fileAbs);
}

/**
 * The lowest timeoutSeconds a release's values set on a values.yaml probe (by key path) without a
 * handler: the probe it renders keeps values.yaml's, cut to that timeout.
 */
export function releaseTimeouts(chartRoot: string, chartName: string | undefined, run: RunContext): Map<string, { file: string; timeoutSeconds: number }> {
  const out = new Map<string, { file: string; timeoutSeconds: number }>();
  for (const { layer, shown } of releaseLayers(chartRoot, chartName, run)) {
    for (const t of layer.read.timeouts) {
      const own = ownKeyPath(layer, t.keyPath);
      if (own !== undefined && !(t.timeoutSeconds >= (out.get(own)?.timeoutSeconds ?? Infinity))) out.set(own, { file: shown, timeoutSeconds: t.timeoutSeconds });
    }
  }
  return out;
}

/** A key path of a layer's document as the chart's values.yaml has it; undefined outside the layer's values. */
function ownKeyPath(layer: Layer, keyPath: string): string | undefined {
  return layer.prefix === '' ? keyPath : keyPath.startsWith(`${layer.prefix}.`) ? keyPath.slice(layer.prefix.length + 1) : undefined;
}

const layersByRun = new WeakMap<RunContext, Map<string, { layer: Layer; shown: string }[]>>();

/**
 * The value layers of the releases that install the chart: inline values, then the values files
 * they name. Read once per chart and run: the holds, every values setting the chart's readers ask
 * for, and the timeouts all ask again.
 */
function releaseLayers(chartRoot: string, chartName: string | undefined, run: RunContext): { layer: Layer; shown: string }[] {
  const inRun = filesOfRun(run);
  let byChart = layersByRun.get(run);
  if (!byChart) layersByRun.set(run, (byChart = new Map()));
  const known = byChart.get(chartRoot);
  if (known) return known;
  const out: { layer: Layer; shown: string }[] = [];
  byChart.set(chartRoot, out);
  for (const release of releasesFor(chartRoot, chartName, run)) {
    const layers = [...release.layers];
    for (const v of release.valueFiles) {
      for (const abs of valueFilePaths(path.resolve(v.base ?? chartRoot, v.file), run)) {
        const read = valuesFileRead(abs, inRun.has(abs), run);
        if (read) layers.push({ read, prefix: '', shown: `${shownPath(abs, run)} (values of ${release.shown})` });
      }
    }
    for (const layer of layers) out.push({ layer, shown: layer.shown ?? release.shown });
  }
  return out;
}

/** The run's releases by what they name, so that a chart finds its own without a pass over all of them. */
interface ReleaseIndex {
  byName: Map<string, number[]>;
  byPath: Map<string, number[]>;
  /** A source path (`charts/cart`, segments joined by `/`), matched by the chart folders that end with it. */
  bySourcePath: Map<string, number[]>;
}

const indexByRun = new WeakMap<RunContext, ReleaseIndex>();

/**
 * The releases that install the chart at chartRoot (or named chartName), in the order releasesOf
 * found them (what matches() says, without a pass over every release for every chart: 1,600
 * charts with two releases each spent 4.7 s in matches()).
 */
function releasesFor(chartRoot: string, chartName: string | undefined, run: RunContext): Release[] {
  const all = releasesOf(run);
  let index = indexByRun.get(run);
  if (!index) {
    index = { byName: new Map(), byPath: new Map(), bySourcePath: new Map() };
    indexByRun.set(run, index);
    const add = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (!list) map.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    all.forEach((release, i) => {
      for (const ref of release.refs) {
        if (ref.by === 'name') add(index!.byName, ref.name, i);
        else if (ref.by === 'path') add(index!.byPath, ref.abs, i);
        else {
          const rel = ref.rel.split('/').filter((s) => s !== '' && s !== '.').join('/');
          if (rel !== '') add(index!.bySourcePath, rel, i);
        }
      }
    });
  }
  const found = new Set<number>([...(chartName !== undefined ? (index.byName.get(chartName) ?? []) : []), ...(index.byPath.get(chartRoot) ?? [])]);
  // A source path matches a chart folder that ends with it, whole segments: `/repo/charts/cart`
  // is matched by `charts/cart` and `cart`, and by `repo/charts/cart`.
  const segments = chartRoot.split(path.sep).join('/').split('/');
  for (let i = 1; i < segments.length; i++) for (const n of index.bySourcePath.get(segments.slice(i).join('/')) ?? []) found.add(n);
  return [...found].sort((a, b) => a - b).map((i) => all[i]!);
}

/**
 * Whether a Flux HelmRelease installs the chart at chartRoot (named chartName in its Chart.yaml):
 * by name from a HelmRepository, by path from a GitRepository (read from the repository's root).
 */
export function fluxReleaseInstalls(release: YAMLMap, chartRoot: string, chartName: string | undefined, run: RunContext): boolean {
  return fluxChartRefs(release, run).some((ref) => matches(ref, chartRoot, chartName));
}

function fluxChartRefs(release: YAMLMap, run: RunContext): ChartRef[] {
  const chart = scalarText(nodeAt(release, 'spec.chart.spec.chart'));
  if (chart !== undefined) return [chartSpecRef(chart, scalarText(nodeAt(release, 'spec.chart.spec.sourceRef.kind')))];
  // Flux 2.3+: `spec.chartRef` names an OCIRepository or a HelmChart object instead of a chart
  // template; the chart is what that object fetches. One the repository does not hold is taken to
  // be named after its chart, as they mostly are.
  const kind = scalarText(nodeAt(release, 'spec.chartRef.kind'));
  const name = scalarText(nodeAt(release, 'spec.chartRef.name'));
  if ((kind !== 'OCIRepository' && kind !== 'HelmChart') || name === undefined) return [];
  const namespace = scalarText(nodeAt(release, 'spec.chartRef.namespace')) ?? scalarText(nodeAt(release, 'metadata.namespace'));
  const found = (chartSourcesOf(run).get(`${kind}/${name}`) ?? []).filter((s) => namespace === undefined || s.namespace === undefined || s.namespace === namespace);
  return found.length > 0 ? found.map((s) => s.ref) : [{ by: 'name', name }];
}

/** A HelmRelease's `chart.spec.chart` or a HelmChart's `spec.chart`: a name in a HelmRepository, else a path in its source. */
function chartSpecRef(chart: string, sourceKind: string | undefined): ChartRef {
  return sourceKind === 'HelmRepository' ? { by: 'name', name: chart } : { by: 'source-path', rel: chart };
}

const chartSourcesByRun = new WeakMap<RunContext, Map<string, { namespace?: string; ref: ChartRef }[]>>();

/**
 * The Flux OCIRepository and HelmChart objects of the repository (`kind/name`), with the chart
 * each fetches: an OCIRepository's is the last segment of its `url` (oci://ghcr.io/org/charts/cart
 * is the chart `cart`), a HelmChart's its `spec.chart`. Read once per run, and only when a release
 * names its chart through `chartRef`.
 */
function chartSourcesOf(run: RunContext): Map<string, { namespace?: string; ref: ChartRef }[]> {
  let out = chartSourcesByRun.get(run);
  if (out) return out;
  out = new Map();
  chartSourcesByRun.set(run, out);
  for (const abs of run.repositoryFiles()) {
    if (!/\.ya?ml$/i.test(abs)) continue;
    const text = run.readText(abs);
    if (text === undefined || text.length > RELEASE_FILE_MAX || !/OCIRepository|HelmChart/.test(text)) continue;
    const parsed = parseYaml(text);
    if (parsed.error) continue;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!isMap(root) || !(scalarText(getPair(root, 'apiVersion')?.value) ?? '').startsWith('source.toolkit.fluxcd.io/')) continue;
      const kind = scalarText(getPair(root, 'kind')?.value);
      const name = scalarText(nodeAt(root, 'metadata.name'));
      let ref: ChartRef | undefined;
      if (kind === 'OCIRepository') {
        const chart = scalarText(nodeAt(root, 'spec.url'))?.replace(/(?<!\/)\/+$/, '').split('/').pop();
        if (chart) ref = { by: 'name', name: chart };
      } else if (kind === 'HelmChart') {
        const chart = scalarText(nodeAt(root, 'spec.chart'));
        if (chart !== undefined) ref = chartSpecRef(chart, scalarText(nodeAt(root, 'spec.sourceRef.kind')));
      }
      if (ref === undefined || name === undefined) continue;
      const namespace = scalarText(nodeAt(root, 'metadata.namespace'));
      const key = `${kind}/${name}`;
      out.set(key, [...(out.get(key) ?? []), { ...(namespace !== undefined ? { namespace } : {}), ref }]);
    }
  }
  return out;
}

function matches(ref: ChartRef, chartRoot: string, chartName: string | undefined): boolean {
  if (ref.by === 'name') return ref.name === chartName;
  if (ref.by === 'path') return ref.abs === chartRoot;
  const rel = ref.rel.split('/').filter((s) => s !== '' && s !== '.').join('/');
  const root = chartRoot.split(path.sep).join('/');
  return rel !== '' && (root === `/${rel}` || root.endsWith(`/${rel}`));
}

const RELEASE_WORDS = /HelmRelease|helm\.cattle\.io|argoproj\.io|forProvider|releases|helm:|helmCharts|HelmChartInflationGenerator|kubernetes:helm\.sh\//;
/** A release is a few KB: a bigger YAML file (a CRD bundle, generated output) is not read as one. */
const RELEASE_FILE_MAX = 1024 * 1024;

/**
 * A release written in code, as the reader of that code sees it (Pulumi TypeScript
 * `new k8s.helm.v3.Release(…, {chart: "../chart", values})`, `helm.v4.Chart`, cdk8s `Helm`): the
 * chart it installs, and its values probes that this run leaves on a handler other than grpc. Helm
 * merges its values over the chart's values.yaml as it merges a values file: a values.yaml probe
 * that such a release keeps on exec is held (`overlay-patch`), as a YAML release's is.
 */
export interface CodeRelease {
  /** The chart folder of the repository it installs (absolute), when it names one by path. */
  chartRoot?: string;
  /** The chart's name, when it installs one by name (a repository's `aws-vpc-cni`): matches a chart of the repository with that Chart.yaml name. */
  chartName?: string;
  /** The chart as the code writes it, for messages (`eks/aws-vpc-cni`). */
  chartShown?: string;
  /** As messages name the release: `the helm.v3.Release api in infra/index.ts`. */
  shown: string;
  /**
   * Its values probes that keep a handler other than grpc after this run (not migrated, or
   * blocked): the probe's key path in the values, as probeKeyPath writes it (`readinessProbe`,
   * `agent.livenessProbe`), and a clause for messages ("keeps it on exec", "gives it httpGet").
   */
  kept: { keyPath: string; kept: string }[];
  /** Its values as plain data, when the reader knows them; undefined: they may set any values path (a values setting asked of the release is unknown). */
  values?: unknown;
  /** Values files it gives the chart (absolute; cdk8s `helmFlags: ["-f", file]`), merged over values as a helm command's -f files are. */
  valueFiles?: string[];
  /**
   * Its values in the order Helm merges them, where the reader knows it (a helm command's -f files
   * left to right, then its --set paths): a later one that keeps a probe's handler, sets a path
   * into it, or cannot be read (`unknown`, as messages say it; `abs`, a values template read as
   * text only) holds the probe in the earlier ones and in the chart's values.yaml.
   */
  stack?: ({ file: string } | { set: string } | { unknown: string; abs?: string })[];
  /** A helm command of a script (Release.commandLine). */
  commandLine?: boolean;
}

/** Lists a run's releases written in code (CodeRelease). */
export type CodeReleaseReader = (run: RunContext) => CodeRelease[];

const codeReleaseReaders: CodeReleaseReader[] = [];

/**
 * Adds a reader of releases written in code (the TypeScript side registers one): releasesOf asks
 * it once per run, when a chart's values are first judged, so its releases hold the chart's
 * values.yaml probes as YAML releases do. The reader lists what its code keeps; it must not judge
 * probes through this module (helmValuesOf, keepForReleaseValues) while it is asked, which would
 * see the run's releases half read. Returns a function that removes the reader (tests).
 */
export function registerCodeReleases(reader: CodeReleaseReader): () => void {
  codeReleaseReaders.push(reader);
  return () => {
    const i = codeReleaseReaders.indexOf(reader);
    if (i !== -1) codeReleaseReaders.splice(i, 1);
  };
}

/** The releases among the repository's YAML files, and the releases in code (registerCodeReleases), read once per run. */
function releasesOf(run: RunContext): Release[] {
  let out = releasesByRun.get(run);
  if (out) return out;
  out = [];
  releasesByRun.set(run, out);
  const inRun = filesOfRun(run);
  for (const abs of run.repositoryFiles()) {
    if (!/\.(ya?ml|ya?ml\.gotmpl)$/i.test(abs)) continue;
    const text = run.readText(abs);
    // Most YAML is parsed no further: a release names its kind, or helmfile's `releases:`. Any
    // release counts, probe key or not: the values it sets (a host in `grpc.addr`) are what its
    // chart's templates render with.
    if (text === undefined || text.length > RELEASE_FILE_MAX || !RELEASE_WORDS.test(text)) continue;
    const parsed = parseYaml(text);
    if (parsed.error) continue;
    const shown = shownPath(abs, run);
    parsed.docs.forEach((doc, i) => {
      if (isMap(doc.contents)) out.push(...releasesIn(doc, doc.contents, { text, abs, doc: i, root: enclosingRepository(path.dirname(abs)) ?? run.cwd, shown, rewritten: inRun.has(abs) }, run));
    });
  }
  // Releases in code the tool does not parse (Terraform, Pulumi Python/Go/.NET/Java), read by the text.
  for (const reader of [...codeReleaseReaders, otherCodeReleases]) {
    for (const c of reader(run)) {
      const refs: ChartRef[] = [...(c.chartRoot !== undefined ? [{ by: 'path', abs: path.resolve(c.chartRoot) } as const] : []), ...(c.chartName !== undefined ? [{ by: 'name', name: c.chartName } as const] : [])];
      if (refs.length === 0) continue;
      const kept = c.kept.map((k) => ({ probe: k.keyPath.slice(k.keyPath.lastIndexOf('.') + 1), keyPath: k.keyPath, kept: k.kept }));
      const stack = c.stack?.map((e): StackEntry => ('file' in e ? { file: e.file, shown: `${shownPath(e.file, run)} (values of ${c.shown})` } : 'set' in e ? { set: e.set, shown: c.shown } : e));
      out.push({
        refs,
        layers: [{ read: { kept, timeouts: [], values: c.values }, prefix: '' }],
        valueFiles: (c.valueFiles ?? []).map((abs) => ({ base: path.dirname(abs), file: path.basename(abs) })),
        shown: c.shown,
        ...(c.chartShown !== undefined ? { chartShown: c.chartShown } : {}),
        ...(stack ? { stack } : {}),
        ...(c.commandLine ? { commandLine: true } : {}),
      });
    }
  }
  const names = new Set(out.flatMap((r) => [...(r.valuesFrom ?? []).filter((v) => v.targetPath === undefined).map((v) => v.name), ...(r.valuesSecrets ?? []).map((v) => v.name)]));
  if (names.size > 0) {
    const generated = generatedFiles(names, run);
    const written = valuesObjects(names, run);
    const stringLayer = (w: ValuesObject, r: Release): StackEntry => {
      const inner = firstDoc(w.text);
      if (!inner) return { unknown: `${w.shown} (values of ${r.shown})` };
      const layer: Layer = { read: readLayer(w.text, inner, { absPath: w.abs, rewritten: w.rewritten && inRun.has(w.abs) }, run, w.toLine), prefix: '', shown: `${w.shown} (values of ${r.shown})`, at: { abs: w.abs, doc: w.doc }, inString: w.at };
      r.layers.push(layer);
      return { layer };
    };
    for (const r of out) {
      // A k3s HelmChart merges its valuesSecrets, each key in order, over its valuesContent (and
      // under its HelmChartConfig's, put in below). A Secret, or a key of it, that no manifest of
      // the repository writes in stringData is values the tool cannot read.
      if (r.valuesSecrets && r.stack) {
        const secrets: StackEntry[] = [];
        for (const { name, keys } of r.valuesSecrets) {
          const strings = (written.get(name) ?? []).filter((w) => w.at.startsWith('stringData.'));
          const missing = keys.filter((k) => !strings.some((w) => w.key === k));
          if (strings.length === 0 || missing.length > 0) {
            r.outsideValues ??= `valuesSecrets ${name}`;
            secrets.push({ unknown: `the valuesSecrets Secret ${name}${missing.length > 0 && strings.length > 0 ? ` (key ${missing.join(', ')})` : ''} of ${r.shown} (not written with stringData in any file of the repository)` });
          }
          for (const w of strings) if (keys.length === 0 || keys.includes(w.key)) secrets.push(stringLayer(w, r));
        }
        const sets = r.stack.findIndex((e) => 'set' in e);
        const at = sets === -1 ? r.stack.length : sets;
        r.stack = [...r.stack.slice(0, at), ...secrets, ...r.stack.slice(at)];
      }
      // Flux merges the valuesFrom entries in list order, then spec.values (already in the stack) over them all.
      const below: StackEntry[] = [];
      for (const v of r.valuesFrom ?? []) {
        if (v.targetPath !== undefined) {
          below.push({ set: v.targetPath, shown: `${r.shown} (spec.valuesFrom ${v.kind} ${v.name}, targetPath)` });
          continue;
        }
        const files = (generated.get(v.name) ?? []).filter((g) => g.key === v.key);
        // A ConfigMap or Secret written in a manifest of the repository, its values a string under the key.
        const strings = (written.get(v.name) ?? []).filter((w) => w.key === v.key);
        if (files.length === 0 && strings.length === 0) {
          r.outsideValues ??= `valuesFrom ${v.name}`;
          below.push({ unknown: `the valuesFrom ${v.kind} ${v.name} of ${r.shown} (not made by any file of the repository, or a Secret's base64 data)` });
        }
        r.valueFiles.push(...files.map(({ abs }) => ({ base: path.dirname(abs), file: path.basename(abs) })));
        below.push(...files.map(({ abs }) => ({ file: abs, shown: `${shownPath(abs, run)} (values of ${r.shown})` })));
        for (const w of strings) if (w.text.trim() !== '' || firstDoc(w.text)) below.push(stringLayer(w, r));
      }
      // Over the chart's values files (chart.spec.valuesFiles), under spec.values.
      const chartFiles = (r.stack ?? []).filter((e) => 'valuesFile' in e).length;
      if (r.stack) r.stack = [...r.stack.slice(0, chartFiles), ...below, ...r.stack.slice(chartFiles)];
    }
  }
  // A k3s HelmChartConfig's valuesContent is passed after its HelmChart's (same name and namespace),
  // before the HelmChart's spec.set: the last layer of values files of that release.
  const configs = out.filter((r) => r.k3s?.role === 'config');
  for (const config of configs) {
    const { name, namespace } = config.k3s!;
    const charts = out.filter((r) => r.k3s?.role === 'chart' && r.k3s.name === name && (r.k3s.namespace === undefined || namespace === undefined || r.k3s.namespace === namespace));
    if (charts.length === 0) continue;
    for (const chart of charts) {
      const layers = config.layers.map((l): Layer => ({ ...l, shown: `the spec.valuesContent of ${config.shown}`, reader: `${config.shown}, over ${chart.shown}` }));
      chart.layers.push(...layers);
      const stack = chart.stack ?? [];
      const sets = stack.findIndex((e) => 'set' in e);
      const at = sets === -1 ? stack.length : sets;
      chart.stack = [...stack.slice(0, at), ...layers.map((layer) => ({ layer })), ...stack.slice(at)];
    }
    out.splice(out.indexOf(config), 1);
  }
  return out;
}

/** A ConfigMap's or Secret's values string (valuesObjects). */
interface ValuesObject {
  key: string;
  text: string;
  abs: string;
  doc: number;
  /** Its key path in the document: `data.values.yaml`, `stringData.values.yaml`. */
  at: string;
  shown: string;
  /** The tool rewrites it (a literal block: src/helm/values-strings.ts). */
  rewritten: boolean;
  /** The file line of an offset in text. */
  toLine: (offset: number) => number;
}

/**
 * The ConfigMaps and Secrets of the given names written in YAML manifests of the repository, with
 * the strings their keys hold: a ConfigMap's `data` and a Secret's `stringData` (a Secret's
 * `data` is base64, which the tool does not read). A HelmRelease's `valuesFrom` merges the string
 * under the key it names over its chart's values.yaml. The namespace is not compared with the
 * release's, as for generated ones.
 */
function valuesObjects(names: ReadonlySet<string>, run: RunContext): Map<string, ValuesObject[]> {
  const out = new Map<string, ValuesObject[]>();
  for (const abs of namedFiles(run).yaml) {
    const text = run.readText(abs);
    if (text === undefined || text.length > RELEASE_FILE_MAX || !/\b(ConfigMap|Secret)\b/.test(text) || ![...names].some((n) => text.includes(n))) continue;
    const parsed = parseYaml(text);
    if (parsed.error) continue;
    parsed.docs.forEach((doc, i) => {
      const root = doc.contents;
      if (!isMap(root) || scalarText(getPair(root, 'apiVersion')?.value) !== 'v1') return;
      const kind = scalarText(getPair(root, 'kind')?.value);
      const name = scalarText(nodeAt(root, 'metadata.name'));
      if ((kind !== 'ConfigMap' && kind !== 'Secret') || name === undefined || !names.has(name)) return;
      const field = kind === 'ConfigMap' ? 'data' : 'stringData';
      const data = getPair(root, field)?.value;
      for (const item of isMap(data) ? data.items : []) {
        const key = isScalar(item.key) ? String(item.key.value) : undefined;
        const value = item.value;
        if (key === undefined || !isScalar(value) || typeof value.value !== 'string') continue;
        const entry: ValuesObject = { key, text: value.value, abs, doc: i, at: `${field}.${key}`, shown: `the ${kind} ${name}'s ${key} in ${shownPath(abs, run)}`, rewritten: !('error' in blockScalarView(value, '\n')), toLine: stringLines(text, value) };
        out.set(name, [...(out.get(name) ?? []), entry]);
      }
    });
  }
  return out;
}

/**
 * Where a manifest's document holds Helm values as a string a release reads: a ConfigMap's (or
 * Secret's) key that a Flux HelmRelease's `valuesFrom` names, a k3s/RKE2 HelmChart's
 * `spec.valuesContent`, an Argo CD Application's (or ApplicationSet template's) `helm.values`. The strings' key paths in the document (`data.values.yaml`), each with
 * the releases that read it, as messages name them.
 */
export function valuesStringsIn(fileAbs: string, doc: number, run: RunContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const release of releasesOf(run)) {
    for (const layer of release.layers) {
      if (layer.inString === undefined || layer.at?.abs !== fileAbs || layer.at.doc !== doc) continue;
      out.set(layer.inString, [...(out.get(layer.inString) ?? []), layer.reader ?? release.shown]);
    }
  }
  return out;
}

/**
 * The files a kustomization of the repository makes a ConfigMap or Secret of the given names from
 * (`configMapGenerator`/`secretGenerator` `files`, `key=path` or `path`, whose key is the file's
 * name), with their keys: a HelmRelease that reads its values from one (`valuesFrom`) merges the
 * file under the key it names over its chart's values.yaml. The ConfigMap's namespace is not
 * compared with the release's: a file another namespace's release reads holds what it would.
 */
function generatedFiles(names: ReadonlySet<string>, run: RunContext): Map<string, { key: string; abs: string }[]> {
  const out = new Map<string, { key: string; abs: string }[]>();
  for (const abs of run.repositoryFiles()) {
    if (!['kustomization.yaml', 'kustomization.yml', 'Kustomization'].includes(path.basename(abs))) continue;
    const text = run.readText(abs);
    const root = text === undefined ? undefined : firstDoc(text)?.contents;
    if (!isMap(root)) continue;
    for (const key of ['configMapGenerator', 'secretGenerator']) {
      const list = getPair(root, key)?.value;
      for (const g of isSeq(list) ? list.items : []) {
        const name = isMap(g) ? scalarText(getPair(g, 'name')?.value) : undefined;
        if (!isMap(g) || name === undefined || !names.has(name)) continue;
        for (const f of strings(getPair(g, 'files')?.value)) {
          const eq = f.indexOf('=');
          const rel = f.slice(eq + 1);
          const entry = { key: eq === -1 ? path.posix.basename(rel) : f.slice(0, eq), abs: path.resolve(path.dirname(abs), rel) };
          out.set(name, [...(out.get(name) ?? []), entry]);
        }
      }
    }
  }
  return out;
}

interface Source {
  text: string;
  abs: string;
  /** The document's index in the file. */
  doc: number;
  /** The top folder of the repository holding the file (or the run's folder). */
  root: string;
  shown: string;
  /** Whether this run rewrites the file (keptHandlers). */
  rewritten: boolean;
}

function releasesIn(doc: Document.Parsed<ParsedNode, true>, root: YAMLMap, src: Source, run: RunContext): Release[] {
  const apiVersion = scalarText(getPair(root, 'apiVersion')?.value) ?? '';
  const kind = scalarText(getPair(root, 'kind')?.value);
  const name = scalarText(nodeAt(root, 'metadata.name'));
  // The document is read once, for all of its layers.
  let read: LayerRead | undefined;
  const layer = (node: unknown, prefix: string): Layer[] => (isMap(node) ? [{ read: (read ??= readLayer(src.text, doc, { absPath: src.abs, rewritten: src.rewritten }, run)), prefix, at: { abs: src.abs, doc: src.doc } }] : []);
  if (kind === 'HelmRelease' && apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
    const refs = fluxChartRefs(root, run);
    // A chart the tool cannot name (a chartRef of another kind, an ExternalArtifact; no chart at
    // all): still a release, of a chart not in the repository, whose values probes are judged so.
    const refKind = scalarText(nodeAt(root, 'spec.chartRef.kind'));
    const refName = scalarText(nodeAt(root, 'spec.chartRef.name'));
    const unnamed = refs.length === 0 ? { chartShown: refKind !== undefined ? `its chartRef names (${refKind} ${refName ?? '?'})` : 'it names (no spec.chart or spec.chartRef the tool reads)' } : {};
    const from = nodeAt(root, 'spec.valuesFrom');
    const valuesFrom = (isSeq(from) ? from.items : []).flatMap((v) => {
      if (!isMap(v)) return [];
      const targetPath = scalarText(getPair(v, 'targetPath')?.value);
      // A targetPath entry sets one value, in its place among the others (the stack); it names no values file.
      if (targetPath !== undefined && targetPath !== '') return [{ kind: scalarText(getPair(v, 'kind')?.value) ?? 'ConfigMap', name: scalarText(getPair(v, 'name')?.value) ?? '?', key: '', targetPath }];
      if (getPair(v, 'targetPath')) return [];
      const kind = scalarText(getPair(v, 'kind')?.value);
      const fromName = scalarText(getPair(v, 'name')?.value);
      // Unset or empty: Flux reads values.yaml.
      const key = scalarText(getPair(v, 'valuesKey')?.value) || 'values.yaml';
      return (kind === 'ConfigMap' || kind === 'Secret') && fromName !== undefined && key !== undefined ? [{ kind, name: fromName, key }] : [];
    });
    const targets = (isSeq(from) ? from.items : []).flatMap((v) => {
      const target = isMap(v) ? scalarText(getPair(v, 'targetPath')?.value) : undefined;
      return target !== undefined && target !== '' ? [{ path: target, where: 'spec.valuesFrom targetPath' }] : [];
    });
    const layers = layer(nodeAt(root, 'spec.values'), 'spec.values');
    const shown = `the HelmRelease ${name ?? ''} in ${src.shown}`.replace('  ', ' ');
    // `chart.spec.valuesFiles` (and the older `valuesFile`) are the chart's values, merged in list
    // order under valuesFrom and spec.values: paths in a GitRepository's tree (taken to be this
    // repository's), or in a repository chart's own folder.
    const fromSource = scalarText(nodeAt(root, 'spec.chart.spec.sourceRef.kind')) !== 'HelmRepository';
    const valueFiles = [scalarText(nodeAt(root, 'spec.chart.spec.valuesFile')), ...strings(nodeAt(root, 'spec.chart.spec.valuesFiles'))].flatMap((file) => (file ? [fromSource ? { base: src.root, file } : { file }] : []));
    const stack: StackEntry[] = [...valueFiles.map((v) => ({ valuesFile: v, of: shown })), ...layers.map((l) => ({ layer: l }))];
    return [{ refs, ...unnamed, ...(valuesFrom.length > 0 ? { valuesFrom } : {}), ...(targets.length > 0 ? { sets: targets } : {}), layers, stack, valueFiles, shown }];
  }
  if ((kind === 'Application' || kind === 'ApplicationSet') && apiVersion.startsWith('argoproj.io/')) {
    const specPath = kind === 'Application' ? 'spec' : 'spec.template.spec';
    const out: Release[] = [];
    const one = nodeAt(root, `${specPath}.source`);
    const many = nodeAt(root, `${specPath}.sources`);
    const sources: [unknown, string][] = isMap(one) ? [[one, `${specPath}.source`]] : isSeq(many) ? many.items.map((s, i) => [s, `${specPath}.sources[${i}]`]) : [];
    const refNames = new Set(sources.map(([source]) => (isMap(source) ? scalarText(getPair(source, 'ref')?.value) : undefined)).filter((r): r is string => r !== undefined));
    for (const [source, where] of sources) {
      if (!isMap(source)) continue;
      const refs: ChartRef[] = [];
      const chart = scalarText(getPair(source, 'chart')?.value);
      const sourcePath = scalarText(getPair(source, 'path')?.value);
      if (chart !== undefined) refs.push({ by: 'name', name: chart });
      if (sourcePath !== undefined) refs.push({ by: 'source-path', rel: sourcePath });
      const helm = getPair(source, 'helm')?.value;
      if (refs.length === 0 || !isMap(helm)) continue;
      const objectLayers = layer(getPair(helm, 'valuesObject')?.value, `${where}.helm.valuesObject`);
      const layers = [...objectLayers, ...layer(getPair(helm, 'values')?.value, `${where}.helm.values`)];
      // `helm.values` is most often a string of YAML: the release's values, read from the string
      // (src/helm/values-strings.ts judges its probes and rewrites a literal block, as a HelmChart's valuesContent).
      const valuesString = getPair(helm, 'values')?.value;
      if (isScalar(valuesString) && typeof valuesString.value === 'string') {
        const inner = firstDoc(valuesString.value);
        const rewritten = src.rewritten && !('error' in blockScalarView(valuesString, '\n'));
        if (inner) layers.push({ read: readLayer(valuesString.value, inner, { absPath: src.abs, rewritten }, run, stringLines(src.text, valuesString)), prefix: '', shown: `the helm.values string of the ${kind} ${name ?? ''} in ${src.shown}`.replace('  ', ' '), at: { abs: src.abs, doc: src.doc }, inString: `${where}.helm.values` });
      }
      // Argo CD reads valueFiles from the chart's folder; `$values/envs/prod.yaml` from the root
      // of the source whose `ref` is `values`, taken to be this repository.
      const valueFiles = strings(getPair(helm, 'valueFiles')?.value).map((file) => {
        const m = /^\$([A-Za-z0-9_-]+)\/(.*)$/.exec(file);
        return m && refNames.has(m[1]!) ? { base: src.root, file: m[2]! } : { file };
      });
      // `fileParameters` set a path to a file's content (`path:`), which the tool does not read: any value.
      const fromFiles = setNames(getPair(helm, 'fileParameters')?.value, 'helm.fileParameters').map(({ path: p, where }) => ({ path: p, where }));
      const sets = [...setNames(getPair(helm, 'parameters')?.value, 'helm.parameters'), ...fromFiles];
      const shown = `the ${kind} ${name ?? ''} in ${src.shown}`.replace('  ', ' ');
      // Argo CD merges valueFiles in list order, then values, then valuesObject (parameters, over
      // them all, hold as sets do: setsHandler).
      const stack: StackEntry[] = [...valueFiles.map((v) => ({ valuesFile: v, of: shown })), ...layers.filter((l) => !objectLayers.includes(l)).map((l) => ({ layer: l })), ...objectLayers.map((l) => ({ layer: l }))];
      out.push({ refs, layers, valueFiles, stack, ...(sets.length > 0 ? { sets } : {}), shown });
    }
    return out;
  }
  // k3s/RKE2's helm-controller: `spec.chart` (a name in `spec.repo`, a chart URL), `spec.valuesContent`
  // (values as a string of YAML), `spec.set` (a map of values paths).
  if (kind === 'HelmChart' && apiVersion.startsWith('helm.cattle.io/')) {
    // `https://…/traefik-10.19.300.tgz`, `oci://…/traefik`, `stable/traefik`: the chart's name. A
    // chart packed in the manifest (`spec.chartContent`, base64) is one the tool cannot read.
    const chart = scalarText(nodeAt(root, 'spec.chart')) || (nodeAt(root, 'spec.chartContent') !== undefined ? 'its spec.chartContent (a packed chart)' : 'it names (no spec.chart the tool reads)');
    const chartName = nodeAt(root, 'spec.chart') === undefined ? undefined : (chart.split('/').pop() ?? chart).replace(/\.tgz$/, '').replace(/-v?\d+\.\d+\.\d+.*$/, '');
    const layers: Layer[] = [];
    const content = nodeAt(root, 'spec.valuesContent');
    const inner = isScalar(content) && typeof content.value === 'string' ? firstDoc(content.value) : undefined;
    if (inner && isScalar(content)) {
      layers.push({ read: readLayer(String(content.value), inner, { absPath: src.abs, rewritten: src.rewritten && !('error' in blockScalarView(content, '\n')) }, run, stringLines(src.text, content)), prefix: '', at: { abs: src.abs, doc: src.doc }, inString: 'spec.valuesContent' });
    }
    const set = nodeAt(root, 'spec.set');
    const sets = (isMap(set) ? set.items : []).flatMap((item) => {
      const p = isScalar(item.key) ? String(item.key.value) : undefined;
      const value = scalarText(item.value);
      return p !== undefined && p !== '' ? [{ path: p, where: 'spec.set', ...(value !== undefined ? { value } : {}) }] : [];
    });
    const shown = `the HelmChart ${name ?? ''} in ${src.shown}`.replace('  ', ' ');
    // helm --set goes over every values file: the HelmChartConfig's valuesContent too (releasesOf puts it before these).
    const stack: StackEntry[] = [...layers.map((l) => ({ layer: l })), ...sets.map((s) => ({ set: s.path, shown: `${shown} (spec.set)` }))];
    const namespace = scalarText(nodeAt(root, 'metadata.namespace'));
    const k3s = name !== undefined ? { k3s: { role: 'chart' as const, name, ...(namespace !== undefined ? { namespace } : {}) } } : {};
    // `spec.valuesSecrets: [{name, keys: [values.yaml]}]`: Secrets merged after valuesContent (releasesOf reads them).
    const secretsNode = nodeAt(root, 'spec.valuesSecrets');
    const valuesSecrets = (isSeq(secretsNode) ? secretsNode.items : []).flatMap((v) => {
      const secret = isMap(v) ? scalarText(getPair(v, 'name')?.value) : undefined;
      return isMap(v) && secret !== undefined && secret !== '' ? [{ name: secret, keys: strings(getPair(v, 'keys')?.value) }] : [];
    });
    return [{ refs: chartName ? [{ by: 'name', name: chartName }] : [], layers, stack, valueFiles: [], ...(sets.length > 0 ? { sets } : {}), ...(valuesSecrets.length > 0 ? { valuesSecrets } : {}), chartShown: chart, shown, ...k3s }];
  }
  // A k3s/RKE2 HelmChartConfig: values (`spec.valuesContent`) over those of the HelmChart of its
  // name and namespace (releasesOf joins them). One whose HelmChart the repository does not hold
  // (k3s's packaged traefik, rke2-ingress-nginx) is a release of a chart not in the repository.
  if (kind === 'HelmChartConfig' && apiVersion.startsWith('helm.cattle.io/') && name !== undefined) {
    const content = nodeAt(root, 'spec.valuesContent');
    const inner = isScalar(content) && typeof content.value === 'string' ? firstDoc(content.value) : undefined;
    if (!inner || !isScalar(content)) return [];
    const layers: Layer[] = [{ read: readLayer(String(content.value), inner, { absPath: src.abs, rewritten: src.rewritten && !('error' in blockScalarView(content, '\n')) }, run, stringLines(src.text, content)), prefix: '', at: { abs: src.abs, doc: src.doc }, inString: 'spec.valuesContent' }];
    const namespace = scalarText(nodeAt(root, 'metadata.namespace'));
    return [{ refs: [], layers, valueFiles: [], chartShown: `that the HelmChart ${name} names`, shown: `the HelmChartConfig ${name} in ${src.shown}`, k3s: { role: 'config', name, ...(namespace !== undefined ? { namespace } : {}) } }];
  }
  if (kind === 'Release' && apiVersion.startsWith('helm.crossplane.io/')) {
    const chart = scalarText(nodeAt(root, 'spec.forProvider.chart.name'));
    if (chart === undefined) return [];
    const sets = setNames(nodeAt(root, 'spec.forProvider.set'), 'spec.forProvider.set');
    return [{ refs: [{ by: 'name', name: chart }], layers: layer(nodeAt(root, 'spec.forProvider.values'), 'spec.forProvider.values'), valueFiles: [], ...(sets.length > 0 ? { sets } : {}), shown: `the Release ${name ?? ''} in ${src.shown}`.replace('  ', ' ') }];
  }
  const base = path.dirname(src.abs);
  // A kustomization's `helmCharts` inflate chartHome/<name> (or <name>-<version>) with
  // `valuesFile`, `additionalValuesFiles` and `valuesInline` over its values.yaml.
  const helmCharts = getPair(root, 'helmCharts')?.value;
  if (isSeq(helmCharts) && /^kustomization\.ya?ml$|^Kustomization$/.test(path.basename(src.abs))) {
    const globals = getPair(root, 'helmGlobals')?.value;
    const chartHome = path.resolve(base, (isMap(globals) ? scalarText(getPair(globals, 'chartHome')?.value) : undefined) ?? 'charts');
    const out: Release[] = [];
    helmCharts.items.forEach((item, i) => {
      const chart = isMap(item) ? scalarText(getPair(item, 'name')?.value) : undefined;
      if (!isMap(item) || chart === undefined || chart === '') return;
      const version = scalarText(getPair(item, 'version')?.value);
      const refs: ChartRef[] = [{ by: 'path', abs: path.join(chartHome, chart) }, ...(version ? [{ by: 'path', abs: path.join(chartHome, `${chart}-${version}`) } as const] : [])];
      const valueFiles = [scalarText(getPair(item, 'valuesFile')?.value), ...strings(getPair(item, 'additionalValuesFiles')?.value)].flatMap((file) => (file ? [{ base, file }] : []));
      const releaseName = scalarText(getPair(item, 'releaseName')?.value);
      out.push({ refs, layers: layer(getPair(item, 'valuesInline')?.value, `helmCharts[${i}].valuesInline`), valueFiles, shown: `the helmCharts entry ${releaseName ?? chart} in ${src.shown}` });
    });
    return out;
  }
  // The generator form of `helmCharts` (a kustomization's `generators: [helm.yaml]`): one chart,
  // its fields at the top of the document.
  if (kind === 'HelmChartInflationGenerator') {
    const chart = scalarText(getPair(root, 'name')?.value);
    if (chart === undefined || chart === '') return [];
    const chartHome = path.resolve(base, scalarText(getPair(root, 'chartHome')?.value) ?? 'charts');
    const version = scalarText(getPair(root, 'version')?.value);
    const refs: ChartRef[] = [{ by: 'path', abs: path.join(chartHome, chart) }, ...(version ? [{ by: 'path', abs: path.join(chartHome, `${chart}-${version}`) } as const] : [])];
    const valueFiles = [scalarText(getPair(root, 'valuesFile')?.value), ...strings(getPair(root, 'additionalValuesFiles')?.value)].flatMap((file) => (file ? [{ base, file }] : []));
    const releaseName = scalarText(getPair(root, 'releaseName')?.value);
    return [{ refs, layers: layer(getPair(root, 'valuesInline')?.value, 'valuesInline'), valueFiles, shown: `the HelmChartInflationGenerator ${releaseName ?? chart} in ${src.shown}` }];
  }
  // Skaffold: `deploy.helm.releases` (and `manifests.helm.releases`, in profiles too).
  if (kind === 'Config' && apiVersion.startsWith('skaffold/')) return skaffoldReleases(root, src, layer);
  if (kind !== undefined) return [];
  // A Pulumi YAML program (Pulumi.yaml with `runtime: yaml`, or its Main.yaml): resources of type
  // `kubernetes:helm.sh/v3:Release` or `kubernetes:helm.sh/v4:Chart`.
  const resources = getPair(root, 'resources')?.value;
  if (isMap(resources)) {
    const out: Release[] = [];
    for (const pair of resources.items) {
      const id = scalarText(pair.key);
      const resource = pair.value;
      if (id === undefined || !isMap(resource) || !PULUMI_HELM_TYPE.test(scalarText(getPair(resource, 'type')?.value) ?? '')) continue;
      const props = getPair(resource, 'properties')?.value;
      const chart = isMap(props) ? scalarText(getPair(props, 'chart')?.value) : undefined;
      if (!isMap(props) || chart === undefined || chart.includes('${')) continue;
      // `valueYamlFiles: [{fn::fileAsset: ./values.yaml}]`, read from the program's folder.
      const files = getPair(props, 'valueYamlFiles')?.value;
      const valueFiles = (isSeq(files) ? files.items : []).flatMap((f) => {
        const file = isMap(f) ? scalarText(getPair(f, 'fn::fileAsset')?.value) : undefined;
        return file !== undefined ? [{ base, file }] : [];
      });
      // Any other asset (a string asset, a remote one) is values the tool does not read.
      const outside = (isSeq(files) ? files.items : []).some((f) => !isMap(f) || getPair(f, 'fn::fileAsset') === undefined);
      out.push({
        refs: helmfileRefs(chart, base),
        chartShown: chart,
        layers: layer(getPair(props, 'values')?.value, `resources.${id}.properties.values`),
        valueFiles,
        ...(outside ? { outsideValues: 'a valueYamlFiles asset that is not a file of the repository' } : {}),
        shown: `the Pulumi resource ${id} in ${src.shown}`,
      });
    }
    return out;
  }
  // helmfile: `releases: [{chart: ./charts/x | repo/x, values: [file | {inline}]}]`.
  const releases = getPair(root, 'releases')?.value;
  if (isSeq(releases)) {
    const out: Release[] = [];
    releases.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const chart = scalarText(getPair(item, 'chart')?.value);
      if (chart === undefined || chart.includes('{{')) return;
      const values = getPair(item, 'values')?.value;
      const layers: Layer[] = [];
      const valueFiles: Release['valueFiles'] = [];
      const releaseName = scalarText(getPair(item, 'name')?.value);
      const shown = `the helmfile release ${releaseName ?? ''} in ${src.shown}`.replace('  ', ' ');
      // helmfile passes the items as -f, in list order: a later one over an earlier.
      const stack: StackEntry[] = [];
      if (isSeq(values)) {
        values.items.forEach((v, j) => {
          if (isMap(v)) {
            const own = layer(v, `releases[${i}].values[${j}]`);
            layers.push(...own);
            stack.push(...own.map((l) => ({ layer: l })));
          } else if (isScalar(v) && typeof v.value === 'string') {
            valueFiles.push({ base, file: v.value });
            stack.push({ valuesFile: { base, file: v.value }, of: shown });
          }
        });
      }
      const sets = [...setNames(getPair(item, 'set')?.value, 'set'), ...setNames(getPair(item, 'setString')?.value, 'setString')];
      out.push({ refs: helmfileRefs(chart, base), chartShown: chart, layers, valueFiles, stack, ...(sets.length > 0 ? { sets } : {}), shown });
    });
    return out;
  }
  // fleet.yaml: `helm: {chart, values, valuesFiles}`; without a chart, the fleet.yaml's own folder.
  const helm = getPair(root, 'helm')?.value;
  if (isMap(helm) && path.basename(src.abs).toLowerCase().startsWith('fleet.')) {
    const chart = scalarText(getPair(helm, 'chart')?.value);
    const refs = chart === undefined ? [{ by: 'path', abs: base } as const] : helmfileRefs(chart, base);
    const valueFiles = strings(getPair(helm, 'valuesFiles')?.value).map((file) => ({ base, file }));
    return [{ refs, ...(chart !== undefined ? { chartShown: chart } : {}), layers: layer(getPair(helm, 'values')?.value, 'helm.values'), valueFiles, shown: `the Fleet bundle in ${src.shown}` }];
  }
  return [];
}

/** A Pulumi resource type that installs a Helm chart with values (Release, and the v4 Chart that renders it). */
const PULUMI_HELM_TYPE = /^kubernetes:helm\.sh\/v\d+:(Release|Chart)$/;

/**
 * A Skaffold config's Helm releases: `deploy.helm.releases` (and the render phase's
 * `manifests.helm.releases`, in the config and its profiles), each with `chartPath` (a folder
 * beside skaffold.yaml) or `remoteChart` (a repository's chart, by its name), `valuesFiles`,
 * `setValues`, `setValueTemplates`, `setFiles` (one path at a time, as `--set` does) and
 * `overrides` (inline values).
 */
function skaffoldReleases(root: YAMLMap, src: Source, layer: (node: unknown, prefix: string) => Layer[]): Release[] {
  const base = path.dirname(src.abs);
  const out: Release[] = [];
  const lists: [unknown, string][] = [];
  for (const phase of ['deploy', 'manifests']) lists.push([nodeAt(root, `${phase}.helm.releases`), `${phase}.helm.releases`]);
  const profiles = getPair(root, 'profiles')?.value;
  (isSeq(profiles) ? profiles.items : []).forEach((p, j) => {
    if (isMap(p)) for (const phase of ['deploy', 'manifests']) lists.push([nodeAt(p, `${phase}.helm.releases`), `profiles[${j}].${phase}.helm.releases`]);
  });
  for (const [list, where] of lists) {
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const chartPath = scalarText(getPair(item, 'chartPath')?.value);
      const remote = scalarText(getPair(item, 'remoteChart')?.value);
      const refs: ChartRef[] = [];
      if (chartPath !== undefined && !chartPath.includes('{{')) refs.push({ by: 'path', abs: path.resolve(base, chartPath) });
      if (remote !== undefined && !remote.includes('{{')) refs.push({ by: 'name', name: remote.replace(/(?<!\/)\/+$/, '').slice(remote.replace(/(?<!\/)\/+$/, '').lastIndexOf('/') + 1) });
      if (refs.length === 0) return;
      const valueFiles = strings(getPair(item, 'valuesFiles')?.value).map((file) => ({ base, file }));
      const sets: NonNullable<Release['sets']> = [];
      for (const key of ['setValues', 'setValueTemplates', 'setFiles']) {
        const map = getPair(item, key)?.value;
        for (const pair of isMap(map) ? map.items : []) {
          const name = scalarText(pair.key);
          const value = key === 'setValues' ? scalarText(pair.value) : undefined;
          if (name !== undefined && name !== '') sets.push({ path: name, where: key, ...(value !== undefined ? { value } : {}) });
        }
      }
      const releaseName = scalarText(getPair(item, 'name')?.value);
      out.push({ refs, chartShown: chartPath ?? remote!, layers: layer(getPair(item, 'overrides')?.value, `${where}[${i}].overrides`), valueFiles, ...(sets.length > 0 ? { sets } : {}), shown: `the Skaffold release ${releaseName ?? ''} in ${src.shown}`.replace('  ', ' ') });
    });
  }
  return out;
}

/** `./charts/x` or `charts/x` is a folder beside the file; `repo/x` or `x` may be a repository's chart `x`: both are kept. */
function helmfileRefs(chart: string, base: string): ChartRef[] {
  const refs: ChartRef[] = [{ by: 'path', abs: path.resolve(base, chart) }];
  if (!chart.startsWith('.') && !chart.startsWith('/') && !chart.includes('://')) refs.push({ by: 'name', name: chart.slice(chart.lastIndexOf('/') + 1) });
  return refs;
}

/**
 * A values file's path; one with template actions (`envs/{{ .Environment.Name }}/cart.yaml` in a
 * helmfile, `values-{{cluster}}.yaml` in an ApplicationSet) names every file of the repository
 * it can render to, each action standing for one path segment or part of one.
 */
const valuePathsByRun = new WeakMap<RunContext, Map<string, string[]>>();

function valueFilePaths(abs: string, run: RunContext): string[] {
  if (!abs.includes('{{')) return [abs];
  // A name that is all template (`{{ requiredEnv "CART_VALUES" }}`) could be any file: unknown,
  // not every file of the folder. A templated path names YAML or JSON files, literally so.
  if (!/\.(ya?ml|json)$/i.test(abs)) return [];
  let known = valuePathsByRun.get(run);
  if (!known) valuePathsByRun.set(run, (known = new Map()));
  let out = known.get(abs);
  if (!out) {
    const pattern = new RegExp(`^${abs.split(/\{\{.*?\}\}/).map((part) => escapeRegExp(part)).join('[^/\\\\]*')}$`);
    // Only files under the folder the literal start names can match: looked up in the folder index, not every file per path.
    const literal = abs.slice(0, abs.indexOf('{{'));
    const folder = literal.slice(0, Math.max(literal.lastIndexOf('/'), literal.lastIndexOf(path.sep)));
    const candidates = folder === '' || folder.endsWith(path.sep) ? run.repositoryFiles() : repositoryFolders(run).under(folder);
    out = candidates.filter((f) => pattern.test(f));
    known.set(abs, out);
  }
  return out;
}

function strings(n: unknown): string[] {
  return isSeq(n) ? n.items.map(scalarText).filter((s): s is string => s !== undefined) : [];
}

function firstDoc(text: string): Document.Parsed<ParsedNode, true> | undefined {
  const parsed = parseYaml(text);
  const doc = parsed.error ? undefined : parsed.docs[0];
  return doc && isMap(doc.contents) ? doc : undefined;
}

function shownPath(abs: string, run: RunContext): string {
  return path.relative(run.cwd, abs).split(path.sep).join('/');
}

/**
 * Two manifests of the repository for one object, one of them partial: a document with the
 * same kind, name and namespace as another, whose container (the one of the same name) has no
 * `image` (and, for a kind that needs one, the object no `spec.selector`): what a second field
 * manager applies over the base (`kubectl apply --server-side --field-manager=prod-ops -f
 * k8s/prod-probe.yaml`), or a second client-side `kubectl apply`. Server-side apply merges the
 * partial's fields into the live object by the same schema as a strategic merge (containers by
 * name, a probe's handler fields one by one), so a probe migrated in one document while the other
 * keeps `exec` (or sets httpGet/tcpSocket) builds a probe with two handlers, which the API server
 * rejects. Such a probe stays on exec, blocked `overlay-patch`, naming the other document's
 * file:line; both documents are held alike (the base by the partial, the partial by the base),
 * and when both migrate in the same run neither is held.
 *
 * Two full manifests of one name (an environment's copy in `k8s/dev/` and `k8s/prod/`) are
 * applied to different clusters, not over each other: not held; nor are two partial ones (neither
 * with an image), which may be minimal examples or two patches of a base the tool does not see. Kustomize patches are read by
 * src/kustomize/overlays.ts, ytt files by src/ytt/overlays.ts, and are not documents here.
 * Read from the repository's YAML and JSON files that git finds a probe key in (one search a run),
 * each parsed once, when a name its text holds is first asked for.
 */
import path from 'node:path';
import type { Document, Node, Pair, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { targetClusters } from '../analysis/native-probe.js';
import { ESCAPED_NAME, filesMayHold, MANIFEST_PATHSPECS, nameSearchPattern } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { namedFiles } from '../discover/names.js';
import { isStrategicMergePatch } from '../kustomize/overlays.js';
import { isMap, isScalar, isSeq, visit } from '../parse/yaml-lib.js';
import { getPair, keyOf, parseYaml } from '../parse/yaml.js';
import { filesOfRun } from '../run-files.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { isYttText } from '../ytt/detect.js';
import { heldReport } from './held-report.js';
import { containerContext, findProbeReports, PROBE_KEYS } from './probes.js';

/** Kinds whose full manifest has a `spec.selector`: one without it is a partial. */
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);
const HANDLERS = ['exec', 'httpGet', 'tcpSocket'] as const;

/** A probe of a container of a document. */
interface ProbeEntry {
  probe: string;
  container: string;
  /** Offset of the probe's key. */
  start: number;
  /** The container has no image (or the object no selector it needs). */
  partial: boolean;
  /** exec, httpGet or tcpSocket; undefined: grpc, or no handler. */
  handler?: string;
}

/** A document of the repository that names an object and has probes in its containers. */
interface ObjectDoc {
  file: string;
  text: string;
  docs: readonly Document.Parsed<ParsedNode, true>[];
  /** 0-based. */
  index: number;
  kind: string;
  name: string;
  namespace?: string;
  probes: ProbeEntry[];
}

interface Index {
  /** The repository's YAML and JSON files. */
  files: readonly string[];
  /** Each candidate's object documents, parsed when a name it holds is first asked for. */
  objects: Map<string, ObjectDoc[]>;
  /** The candidates' texts, read once. */
  texts: Map<string, string | undefined>;
  byName: Map<string, ObjectDoc[]>;
  /** The probes of each file's documents that this run migrates, by the file (offsets of their keys). */
  migrating: Map<string, Set<number>>;
  /** A run of many files: the candidates by every `name:` value their text holds, read once (nameIndex). */
  byValue?: { files: Map<string, string[]>; unindexed: string[] };
}

const indexByRun = new WeakMap<RunContext, Index>();

/** A scalar's string value. */
function str(node: unknown): string | undefined {
  return isScalar(node) && (node as Scalar).value !== null && (node as Scalar).value !== undefined ? String((node as Scalar).value) : undefined;
}

/** The object a document names (kind, metadata.name and namespace) and its containers' probes. */
function objectOf(file: string, text: string, docs: readonly Document.Parsed<ParsedNode, true>[], index: number): ObjectDoc | undefined {
  const root = docs[index]?.contents;
  if (!isMap(root)) return undefined;
  const kind = str(getPair(root as YAMLMap, 'kind')?.value);
  const meta = getPair(root as YAMLMap, 'metadata')?.value;
  const name = isMap(meta) ? str(getPair(meta as YAMLMap, 'name')?.value) : undefined;
  if (kind === undefined || name === undefined) return undefined;
  const namespace = isMap(meta) ? str(getPair(meta as YAMLMap, 'namespace')?.value) : undefined;
  const spec = getPair(root as YAMLMap, 'spec')?.value;
  const noSelector = SELECTOR_KINDS.has(kind) && !(isMap(spec) && getPair(spec as YAMLMap, 'selector') !== undefined);
  const probes: ProbeEntry[] = [];
  visit(docs[index]!, {
    Pair(_, pair, at) {
      const key = keyOf(pair as Pair);
      if (!key || !PROBE_KEYS.has(key) || !isMap((pair as Pair).value)) return;
      const ctx = containerContext(at);
      if (!ctx.list || !ctx.container) return;
      const container = str(getPair(ctx.container, 'name')?.value);
      if (container === undefined) return;
      const probe = (pair as Pair).value as YAMLMap;
      const grpc = isMap(getPair(probe, 'grpc')?.value);
      const handler = grpc ? undefined : HANDLERS.find((h) => {
        const v = getPair(probe, h)?.value;
        return v !== undefined && !(isScalar(v) && (v as Scalar).value === null);
      });
      probes.push({ probe: key, container, start: ((pair as Pair).key as Node).range![0], partial: noSelector || getPair(ctx.container, 'image') === undefined, ...(handler ? { handler } : {}) });
    },
  });
  return probes.length > 0 ? { file, text, docs, index, kind, name, ...(namespace !== undefined ? { namespace } : {}), probes } : undefined;
}

const PROBE_KEY = /(?:liveness|readiness|startup)Probe/;

const PATHSPECS = MANIFEST_PATHSPECS;
/** A run of at most this many files (a pre-commit run) asks git for the files that hold each name. */
const FEW_RUN_FILES = 20;
/** …when the repository has more YAML and JSON files than this to read otherwise. */
const MANY_MANIFESTS = 200;

/** The run's index of the repository's YAML and JSON files, parsed as names are asked for. */
function indexOf(run: RunContext): Index {
  let index = indexByRun.get(run);
  if (index) return index;
  const json = run.repositoryFiles().filter((f) => /\.json$/i.test(f));
  index = { files: [...namedFiles(run).yaml, ...json], objects: new Map(), texts: new Map(), byName: new Map(), migrating: new Map() };
  indexByRun.set(run, index);
  return index;
}

/**
 * The files that may hold a document named `name`. A run of a few files (a pre-commit run over
 * one manifest) asks git for the files that hold the name: the search the CLI started beside git's
 * listing for the names its manifests give (src/discover/grep.ts searchNamesLater), or one search for
 * the name, where reading every manifest with a probe key cost ~90 ms of a one-file run in the
 * bench's 20k-file checkout; a run of many files asks once for the files with a probe key and
 * reads them (it reads most of them anyway).
 */
function candidatesFor(name: string, run: RunContext, index: Index): readonly string[] {
  if (filesOfRun(run).size <= FEW_RUN_FILES && index.files.length > MANY_MANIFESTS) {
    // The names of the run's manifests were searched for beside git's listing (searchNamesLater): that answer, where it covers the name.
    const root = enclosingRepository(run.cwd);
    const may = root === undefined ? undefined : filesMayHold(run, index.files, nameSearchPattern(root, name), PATHSPECS);
    if (may) return [...may];
  }
  // A run of many files reads every manifest once, by the names their texts hold, where each name
  // asked scanned every text again (~120 ms of the bench's 20k-file run: 400 names over ~1,900
  // manifests); the run has read them all already, so git is not asked which hold a probe key.
  const byValue = (index.byValue ??= nameIndex(index.files, run, index));
  return [...(byValue.files.get(name) ?? []), ...byValue.unindexed];
}

/** Every `name:` value (YAML or JSON, quoted or not, in flow maps too): a superset of the objects' names. */
const NAME_VALUES = /["']?\bname["']?[ \t]*:[ \t]*["']?([^\s"',}\]#]+)/g;
/**
 * A name written in a way NAME_VALUES does not read: a block scalar, an anchor or alias, a tag, a
 * value on the next line; an explicit key (`? name` with `: web` on the next line, also in a flow
 * map); a key in quotes with an escape (`"n\u0061me"`); a value with an escape (ESCAPED_NAME).
 */
const ODD_NAME = new RegExp(String.raw`\bname["']?[ \t]*:[ \t]*(?:[|>&*!]|\r?\n)|(?:^|[{,])[ \t]*(?:-[ \t]+)?\?(?:[ \t]|$)|"[^"\n]*\\[^"\n]*"[ \t]*:|${ESCAPED_NAME.source}`, 'm');

/** The candidates by the `name:` values of their texts; a text with a name written otherwise is asked about every name. */
function nameIndex(candidates: readonly string[], run: RunContext, index: Index): NonNullable<Index['byValue']> {
  const files = new Map<string, string[]>();
  const unindexed: string[] = [];
  for (const file of candidates) {
    if (!index.texts.has(file)) index.texts.set(file, run.readText(file));
    const text = index.texts.get(file);
    if (text === undefined || !PROBE_KEY.test(text)) {
      index.texts.delete(file);
      continue;
    }
    if (ODD_NAME.test(text)) {
      unindexed.push(file);
      continue;
    }
    for (const value of new Set(Array.from(text.matchAll(NAME_VALUES), (m) => m[1]!))) {
      const list = files.get(value);
      if (list) list.push(file);
      else files.set(value, [file]);
    }
  }
  return { files, unindexed };
}

/** The documents of the repository that name an object `name` and have probes in its containers. */
function objectsNamed(name: string, run: RunContext, own?: { file: string; text: string; docs: readonly Document.Parsed<ParsedNode, true>[] }): readonly ObjectDoc[] {
  const index = indexOf(run);
  // The asking file's documents, as its rule parsed them: not parsed again.
  if (own && !index.objects.has(own.file)) {
    const objects: ObjectDoc[] = [];
    for (let i = 0; i < own.docs.length; i++) {
      const o = objectOf(own.file, own.text, own.docs, i);
      if (o) objects.push(o);
    }
    index.objects.set(own.file, objects);
  }
  const known = index.byName.get(name);
  if (known) return known;
  const out: ObjectDoc[] = [];
  for (const file of candidatesFor(name, run, index)) {
    let objects = index.objects.get(file);
    if (!objects) {
      objects = [];
      if (!index.texts.has(file)) index.texts.set(file, run.readText(file));
      const text = index.texts.get(file);
      // Parsed when a name it holds is asked for (or any, when it may spell one with escapes).
      if (text === undefined || (!text.includes(name) && !ESCAPED_NAME.test(text))) continue;
      index.texts.delete(file);
      // Helm templates, ytt files and Kustomize patches are read by their own readers.
      if (PROBE_KEY.test(text) && !text.includes('{{') && !isYttText(text) && !isStrategicMergePatch(file, run)) {
        const parsed = parseYaml(text, { uniqueKeys: false });
        if (!parsed.error) {
          for (let i = 0; i < parsed.docs.length; i++) {
            const o = objectOf(file, text, parsed.docs, i);
            if (o) objects.push(o);
          }
        }
      }
      index.objects.set(file, objects);
    }
    out.push(...objects.filter((o) => o.name === name));
  }
  index.byName.set(name, out);
  return out;
}

/**
 * Whether this run migrates a document's exec probe: its file is among the run's files and the
 * probe walk gives it a fix that nothing else holds (`held`: the other holds of the manifest rules).
 */
function migrates(o: ObjectDoc, entry: ProbeEntry, run: RunContext, held: HeldElsewhere): boolean {
  if (!filesOfRun(run).has(o.file)) return false;
  const index = indexOf(run);
  let set = index.migrating.get(o.file);
  if (!set) {
    const file: SourceFile = { path: o.file, displayPath: o.file, kind: /\.json$/i.test(o.file) ? 'json' : 'yaml', text: o.text, eol: o.text.includes('\r\n') ? '\r\n' : '\n' };
    const hold = held(file, o.docs);
    set = new Set(
      findProbeReports({ text: o.text, docs: o.docs, eol: file.eol, ...targetClusters(run.options), style: file.kind === 'json' ? 'json' : 'yaml' })
        .map(hold)
        .filter((r) => r.fix && !(r.blockers?.length))
        .map((r) => r.start),
    );
    index.migrating.set(o.file, set);
  }
  return set.has(entry.start);
}

/** The holds of the manifest rules other than this one, for a file: whether one keeps a probe on exec. */
export type HeldElsewhere = (file: SourceFile, docs: readonly Document.Parsed<ParsedNode, true>[]) => (r: Report) => Report;

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

const HINT =
  'Migrate the two documents together (the partial one\'s probe with exec: replaced by grpc:, the base\'s likewise) and apply them in the same change, or keep both on exec. If the partial document is not applied over the other one (another cluster, another namespace), give it its own name or namespace, or run the tool on the folders that are applied together.';

/**
 * A migratable probe of a manifest that another document of the repository for the same object
 * (one of the two partial) keeps on exec, or on httpGet/tcpSocket, after this run: held
 * `overlay-patch`, naming it. `docs`: the file's documents, as parsed for the probes.
 */
export function keepForPartialManifests(r: Report, file: SourceFile, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext, held: HeldElsewhere): Report {
  if (!r.fix || !file.path || (file.kind !== 'yaml' && file.kind !== 'json') || r.details?.probe === undefined || r.details.container === undefined) return r;
  const docIndex = typeof r.details.document === 'number' ? r.details.document - 1 : -1;
  if (docIndex < 0 || isStrategicMergePatch(file.path, run)) return r;
  const own = objectOf(file.path, file.text, docs, docIndex);
  if (!own) return r;
  const probe = String(r.details.probe);
  const container = String(r.details.container);
  const mine = own.probes.find((p) => p.probe === probe && p.container === container);
  if (!mine) return r;
  for (const other of objectsNamed(own.name, run, { file: file.path, text: file.text, docs })) {
    if (other.kind !== own.kind || (other.file === file.path && other.index === docIndex)) continue;
    if (own.namespace !== undefined && other.namespace !== undefined && own.namespace !== other.namespace) continue;
    const theirs = other.probes.find((p) => p.probe === probe && p.container === container);
    // One full (an image, and a selector where the kind needs one), the other partial: the partial is
    // applied over the full one. Two partials (both without image) are not told from minimal test
    // objects or two patches of a base the tool does not see.
    if (!theirs || mine.partial === theirs.partial || !theirs.handler) continue;
    if (theirs.handler === 'exec' && migrates(other, theirs, run, held)) continue;
    const rel = path.relative(run.cwd, other.file).split(path.sep).join('/');
    const where = `${rel}:${lineOf(other.text, theirs.start)}`;
    const role = theirs.partial
      ? `the partial manifest ${where} (its container "${container}" has no image${SELECTOR_KINDS.has(own.kind) ? ' or the object no selector' : ''}) is the same ${own.kind} "${own.name}"`
      : `this partial manifest is the same ${own.kind} "${own.name}" as ${where}`;
    const kept = theirs.handler === 'exec' ? 'keeps this probe on exec' : `gives this probe ${theirs.handler}`;
    return {
      ...heldReport(
        r,
        'overlay-patch',
        `${role}, which ${kept}; applied over each other (kubectl apply --server-side with another field manager, or a second kubectl apply) the two merge into one probe, and migrated here alone it would have two handlers, which the API server rejects`,
      ),
      hint: HINT,
    };
  }
  return r;
}

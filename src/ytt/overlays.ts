/**
 * ytt overlays that write into a probe of the plain YAML files ytt reads with them. An overlay
 * document (`#@overlay/match by=overlay.subset({"kind": "Deployment", "metadata": {"name": "api"}})`
 * above its `---`) merges into every base document its `by` matches, and each of its map items
 * must match exactly one node there unless `#@overlay/match missing_ok=True`: an overlay probe
 * that names a handler (`exec:` with `#@overlay/replace` on its command, `#@overlay/remove` on
 * exec, an `httpGet:` added) needs the base probe to keep `exec`, or ytt fails ("Expected number
 * of matched nodes to be 1, but was 0") or renders two handlers; one that replaces the whole probe
 * (`#@overlay/replace`) renders its own. Such base probes stay on exec, blocked `overlay-patch`,
 * naming the overlay's file:line, as a Kustomize JSON 6902 op holds its base.
 *
 * Which base documents: those a literal `overlay.subset({...})` is a subset of, in any YAML file
 * of the repository (which files ytt is run with is not in the files); where `by` is anything else
 * (`overlay.all`, a function, a combination), every document of the plain YAML files under the
 * overlay's folder, or the folder above it when the overlay's own folder holds only ytt files
 * (`config/overlays/prod.yaml` beside `config/base/`): the files ytt is likely run with.
 * Computed once per run, from the files of the repository that git finds `#@overlay/match` in.
 */
import path from 'node:path';
import type { Document, Node, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { namedFiles } from '../discover/names.js';
import { filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../discover/grep.js';
import { heldReport } from '../kubernetes/held-report.js';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { parseYaml } from '../parse/yaml.js';
import { repositoryFolders } from '../run-files.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { hasYttOverlay, isYttText } from './detect.js';

const YAML_FILE = /\.ya?ml$/i;
const PROBES = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

/** A base probe an overlay writes into. */
interface YttHold {
  overlay: string;
  /** 1-based line of the overlay's probe key. */
  line: number;
  /** The probe key; undefined: any (an overlay the tool cannot read). */
  probe?: string;
  /** The container the overlay matches by name; undefined: any. */
  container?: string;
  /** A literal overlay.subset: the base documents it is a subset of. Undefined: any document in `scope`. */
  subset?: unknown;
  /** The folder whose plain YAML files a non-literal match is held in. */
  scope?: string;
  /** The document's `by`, as written. */
  by: string;
  /** What the overlay does to the probe, as a clause. */
  what: string;
  replaces: boolean;
}

const holdsByRun = new WeakMap<RunContext, YttHold[]>();

/** The ytt overlays' holds of the run's repository, computed at the first migratable probe. */
function yttHolds(run: RunContext): YttHold[] {
  let holds = holdsByRun.get(run);
  if (holds) return holds;
  holds = [];
  const yamlFiles = namedFiles(run).yaml;
  const may = filesMayHold(run, yamlFiles, YAML_READERS_SEARCH, YAML_PATHSPECS) ?? yamlFiles;
  for (const file of may) {
    const text = run.readText(file);
    if (text === undefined || !text.includes('#@') || !hasYttOverlay(text) || !isYttText(text)) continue;
    holds.push(...overlayHolds(file, text, run));
  }
  holdsByRun.set(run, holds);
  return holds;
}

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The `#@` annotation lines right above the line at `offset` (ytt's `#!` comments and blank lines
 * skipped, as ytt attaches an annotation to the next node).
 */
function annotationsAbove(text: string, offset: number): string[] {
  const out: string[] = [];
  let end = text.lastIndexOf('\n', offset - 1);
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).trim();
    end = start - 1;
    if (line === '' || line.startsWith('#!')) continue;
    if (!line.startsWith('#@')) break;
    out.push(line);
  }
  return out;
}

/** The value of the `by=` keyword of an annotation's arguments, up to its top-level comma. */
function byArgument(annotation: string): string | undefined {
  const m = /\bby\s*=\s*/.exec(annotation);
  if (!m) return undefined;
  let depth = 0;
  let quote: string | undefined;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < annotation.length; i++) {
    const c = annotation[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) break;
  }
  return annotation.slice(start, i).trim();
}

/** A Starlark literal (dicts, lists, strings, numbers, True/False/None) as JSON; undefined for anything else. */
export function starlarkLiteral(src: string): unknown {
  let out = '';
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) s += src[j] === '\\' ? src[++j] : src[j];
      if (j >= src.length) return undefined;
      out += JSON.stringify(s);
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z_]\w*/.exec(src.slice(i))?.[0];
    if (word) {
      const lit = ({ True: 'true', False: 'false', None: 'null' } as Record<string, string>)[word];
      if (!lit) return undefined;
      out += lit;
      i += word.length;
      continue;
    }
    if (!/[{}[\]:,\s\d.+-]/.test(c)) return undefined;
    out += c;
    i++;
  }
  try {
    return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
  } catch {
    return undefined;
  }
}

/** Whether `sub` is a subset of `doc`, as overlay.subset reads it: maps key by key, anything else equal. */
function contains(doc: unknown, sub: unknown): boolean {
  if (sub !== null && typeof sub === 'object' && !Array.isArray(sub)) {
    return doc !== null && typeof doc === 'object' && !Array.isArray(doc) && Object.entries(sub).every(([k, v]) => contains((doc as Record<string, unknown>)[k], v));
  }
  if (Array.isArray(sub)) return Array.isArray(doc) && doc.length === sub.length && sub.every((v, i) => contains(doc[i], v));
  return doc === sub;
}

/** The subset of a literal `overlay.subset({...})`; undefined for any other match. */
function literalSubset(by: string): unknown {
  const m = /^overlay\.subset\(([\s\S]*)\)$/.exec(by);
  if (!m) return undefined;
  const v = starlarkLiteral(m[1]!);
  return v !== null && typeof v === 'object' ? v : undefined;
}

/** The folder a non-literal match is held in: the overlay's, or the one above when its own holds only ytt files. */
function scopeOf(overlay: string, run: RunContext): string {
  const dir = path.dirname(overlay);
  const plain = repositoryFolders(run)
    .inFolder(dir)
    .some((f) => f !== overlay && YAML_FILE.test(f) && !isYttText(run.readText(f) ?? ''));
  const up = path.dirname(dir);
  return plain || up === dir || run.repositoryFiles().length === 0 ? dir : up;
}

function keyText(node: unknown): string | undefined {
  return isScalar(node) && typeof (node as Scalar).value === 'string' ? ((node as Scalar).value as string) : undefined;
}

function overlayHolds(file: string, text: string, run: RunContext): YttHold[] {
  const parsed = parseYaml(text, { uniqueKeys: false });
  const out: YttHold[] = [];
  let scope: string | undefined;
  const scoped = () => (scope ??= scopeOf(file, run));
  if (parsed.error) {
    // An overlay the tool cannot read may write into any probe of what it is run with.
    out.push({ overlay: file, line: lineOf(text, parsed.error.offset), scope: scoped(), by: '(unreadable)', what: 'cannot be read (its YAML does not parse), so it may write into any probe', replaces: false });
    return out;
  }
  const childDefaults = /^[ \t]*#@overlay\/match-child-defaults\b/m.test(text);
  for (const doc of parsed.docs) {
    const contents = doc.contents as Node | null;
    if (!contents?.range) continue;
    // The document's own annotations: above its `---`.
    let dashes = -1;
    for (const m of text.slice(0, contents.range[0]).matchAll(/^---/gm)) dashes = m.index!;
    if (dashes === -1) continue;
    const match = annotationsAbove(text, dashes).find((a) => /^#@overlay\/match\b/.test(a));
    if (!match) continue;
    const by = byArgument(match) ?? 'the default matcher (no by=)';
    const subset = literalSubset(by);
    const walk = (node: unknown, container: string | undefined | null, listKey: string | undefined): void => {
      if (isMap(node)) {
        for (const p of (node as YAMLMap).items) {
          const key = keyText(p.key);
          if (key !== undefined && PROBES.has(key) && container !== null) {
            const keyStart = (p.key as Node).range![0];
            const notes = annotationsAbove(text, keyStart);
            const replaces = notes.some((a) => /^#@overlay\/replace\b/.test(a));
            const value = p.value;
            const handler = isMap(value) ? (value as YAMLMap).items.map((q) => keyText(q.key)).find((k) => k !== undefined && HANDLERS.includes(k)) : undefined;
            const expression = isScalar(value) && (value as Scalar).value === null && typeof (value as Scalar).comment === 'string' && (value as Scalar).comment!.startsWith('@');
            const what = replaces ? 'replaces it (#@overlay/replace) with its own' : handler ? `writes into its ${handler} handler` : expression ? 'sets it to a ytt expression' : undefined;
            if (what) {
              out.push({
                overlay: file,
                line: lineOf(text, keyStart),
                probe: key,
                ...(container ? { container } : {}),
                ...(subset !== undefined ? { subset } : { scope: scoped() }),
                by,
                what,
                replaces,
              });
            }
            continue;
          }
          walk(p.value, container, key);
        }
      } else if (isSeq(node)) {
        const tokens = (node as { srcToken?: { items?: { start?: { type: string; offset: number }[] }[] } }).srcToken?.items;
        (node as YAMLSeq).items.forEach((item, i) => {
          if (listKey === undefined || !CONTAINER_LISTS.has(listKey) || !isMap(item)) {
            walk(item, container, undefined);
            return;
          }
          // A container item merges into a base container only where it is matched: by name (the
          // one it names), or by anything else (any); an item with no match is appended (a new
          // container). Its annotations are above its `-`, which may stand on a line of its own.
          const dash = tokens?.[i]?.start?.find((t) => t.type === 'seq-item-ind')?.offset ?? (item as Node).range![0];
          const notes = annotationsAbove(text, dash);
          const m = notes.find((a) => /^#@overlay\/match\b/.test(a));
          const name = keyText((item as YAMLMap).items.find((q) => keyText(q.key) === 'name')?.value);
          const itemBy = m ? byArgument(m) : undefined;
          const byName = itemBy !== undefined && (/^["']name["']$/.test(itemBy) || /^overlay\.subset\(\s*\{\s*["']name["']\s*:/.test(itemBy));
          walk(item, m || childDefaults ? (byName && name !== undefined ? name : undefined) : null, undefined);
        });
      }
    };
    walk(contents, undefined, undefined);
  }
  return out;
}

const jsByDoc = new WeakMap<object, unknown>();

function docJs(doc: Document.Parsed<ParsedNode, true>): unknown {
  if (!jsByDoc.has(doc)) {
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: -1 });
    } catch {
      js = undefined;
    }
    jsByDoc.set(doc, js);
  }
  return jsByDoc.get(doc);
}

const HINT =
  'Migrate the overlay and this probe together, by hand and in ytt\'s terms: in the overlay, put #@overlay/remove on exec: and add grpc: (and any new key such as timeoutSeconds) under #@overlay/match missing_ok=True, or mark the whole probe #@overlay/replace and write it with grpc:; migrate this base probe in the same change, check that `ytt -f …` renders one handler per probe, then run the tool again. Or keep both on exec.';

/**
 * A migratable probe of a plain YAML file that a ytt overlay writes into stays as it is, blocked
 * `overlay-patch`, naming the overlay. `docs`: the file's documents, as parsed for the probes.
 */
export function keepForYttOverlays(r: Report, file: SourceFile, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext): Report {
  if (!r.fix || !file.path || !YAML_FILE.test(file.path) || r.details?.probe === undefined) return r;
  const holds = yttHolds(run);
  if (holds.length === 0) return r;
  const probe = String(r.details.probe);
  const container = r.details.container as string | undefined;
  const docIndex = typeof r.details.document === 'number' ? r.details.document - 1 : -1;
  const doc = docs[docIndex];
  const hold = holds.find(
    (h) =>
      h.overlay !== file.path &&
      (h.probe === undefined || h.probe === probe) &&
      (h.container === undefined || h.container === container) &&
      (h.subset !== undefined ? (doc === undefined || docJs(doc) === undefined || contains(docJs(doc), h.subset)) : file.path.startsWith(h.scope! + path.sep)),
  );
  if (!hold) return r;
  const rel = (p: string) => path.relative(run.cwd, p).split(path.sep).join('/') || '.';
  const matched =
    hold.subset !== undefined
      ? `its document matches ${hold.by}`
      : `it matches documents by ${hold.by}, not a literal overlay.subset, so every probe it may reach in the plain YAML under ${rel(hold.scope!)}/ (the files ytt is likely run with) is held`;
  const breaks = hold.replaces
    ? 'migrated here alone, what ytt renders would not change (the overlay\'s own probe replaces it), and the base would no longer say what runs: migrate the two together'
    : 'migrated here alone, ytt\'s merge would fail (an overlay map item must match exactly one node, and the base would have no exec) or render a probe with two handlers, which the API server rejects';
  return { ...heldReport(r, 'overlay-patch', `the ytt overlay ${rel(hold.overlay)}:${hold.line} ${hold.what} (${matched}); ${breaks}`), hint: HINT };
}

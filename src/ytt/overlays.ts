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
 * (`overlay.all`, a function, a combination), every document of the plain YAML files of every
 * path that a `ytt -f` command of the repository (a script, Makefile, workflow, any file git finds
 * one in) runs the overlay with (`ytt -f shared/ -f ops/`, which names it or a folder holding it;
 * a relative path read from the repository's top, the command file's folder, and in a script, a
 * workflow step or a CI job from where it runs: a step's `working-directory`, a `cd` before it, or
 * after a `cd` to a folder known only at run time, each folder of the repository holding such a
 * path), the whole repository where such a command names a path by a variable or a glob; where no
 * command names it, under the nearest folder at or above the overlay's that holds plain YAML files
 * of its own (the repository at the most: `config/overlays/prod/probe.yml` beside `config/base/`
 * reaches the repository, as `config/` holds only folders). An overlay written as a string of another document (a
 * kapp-controller `App`'s `spec.template[].ytt.inline.paths`, a `Secret`'s `stringData` or a
 * `ConfigMap`'s `data` that `inline.pathsFrom` names) is read as its own file; with a non-literal
 * `by` it reaches the plain YAML of the whole repository (what the App fetches is not known here).
 * Computed once per run, from the files of the repository that git finds `#@overlay/match` in.
 */
import path from 'node:path';
import type { Document, Node, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { namedFiles } from '../discover/names.js';
import { filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { heldReport } from '../kubernetes/held-report.js';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { parseYaml } from '../parse/yaml.js';
import { repositoryFolders } from '../run-files.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { hasYttOverlay, isYttText } from './detect.js';
import { baseName } from '../analysis/heredoc-manifest.js';
import { scriptVariables, unwrap } from '../analysis/script-runs.js';
import { parseShell, ShellParseError } from '../analysis/shell.js';
import { followDirs, makeOverrides, scriptFiles, scriptsOf, startDirs, startIn, type ScriptKind } from '../kubernetes/patch-commands.js';

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
  /** The folders and files whose plain YAML a non-literal match is held in. */
  scope?: readonly Scope[];
  /** The document's `by`, as written. */
  by: string;
  /** What the overlay does to the probe, as a clause. */
  what: string;
  replaces: boolean;
}

/** A folder (or a file) of plain YAML that a non-literal overlay may reach, and why, for messages. */
interface Scope {
  path: string;
  /** Completes "every probe it may reach …": where, and why those files. */
  said: (rel: (p: string) => string) => string;
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

/** The top of the overlay's repository: its git checkout, else the folder holding every file of the run. */
function topOf(overlay: string, run: RunContext): string {
  const root = enclosingRepository(path.dirname(overlay));
  if (root !== undefined) return root;
  const files = run.repositoryFiles();
  let top = path.dirname(files[0] ?? overlay);
  for (const f of files) {
    while (!f.startsWith(top.endsWith(path.sep) ? top : top + path.sep)) {
      const up = path.dirname(top);
      if (up === top) return top;
      top = up;
    }
  }
  return overlay.startsWith(top.endsWith(path.sep) ? top : top + path.sep) ? top : path.dirname(overlay);
}

/** `p` is `dir` or inside it. */
function within(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * Where a non-literal match is held: the paths of the repository's `ytt -f` commands that run the
 * overlay (name it or a folder holding it), the whole repository for one that names a path the
 * tool cannot resolve; where none does, the nearest folder at or above the overlay's that holds a
 * plain YAML file of its own (the top of the repository at the most).
 */
function scopeOf(overlay: string, run: RunContext): Scope[] {
  const top = topOf(overlay, run);
  const out: Scope[] = [];
  for (const c of yttCommands(run, top)) {
    if (!c.paths.some((p) => within(overlay, p))) continue;
    for (const p of c.paths) out.push({ path: p, said: (rel) => `in ${rel(p)} (which \`ytt\` at ${rel(c.file)}:${c.line} runs it with)` });
    if (c.unknown) out.push({ path: top, said: (rel) => `in the plain YAML of the whole repository (\`ytt\` at ${rel(c.file)}:${c.line} runs it with a path the tool cannot resolve)` });
  }
  if (out.length > 0) return out;
  const folders = repositoryFolders(run);
  let dir = path.dirname(overlay);
  while (dir !== top && within(dir, top)) {
    const plain = folders.inFolder(dir).some((f) => f !== overlay && YAML_FILE.test(f) && !isYttText(run.readText(f) ?? ''));
    if (plain) break;
    dir = path.dirname(dir);
  }
  if (!within(dir, top)) dir = top;
  return [
    {
      path: dir,
      said: (rel) =>
        dir === top
          ? 'in the plain YAML of the whole repository (no `ytt -f` command of the repository names it, and no folder nearer the overlay holds plain YAML)'
          : `in the plain YAML under ${rel(dir)}/ (the files ytt is likely run with)`,
    },
  ];
}

/** A `ytt` command line of a file of the repository: the paths its `-f`/`--file` options name. */
interface YttCommand {
  file: string;
  line: number;
  /** Each path resolved from the top of the repository and from the command's own folder. */
  paths: string[];
  /** A path named by a variable, a glob or a command substitution. */
  unknown: boolean;
}

const commandsByRun = new WeakMap<RunContext, YttCommand[]>();
const YTT_COMMAND = /(?:^|[^\w.-])ytt(?=[ \t])/;

/**
 * The repository's `ytt` commands with `-f`: in every file git finds one in (scripts, Makefiles,
 * workflows, CI files, docs), or in the scripts, Makefiles and YAML files without git. Read only
 * when an overlay's match is not a literal subset.
 */
function yttCommands(run: RunContext, top: string): YttCommand[] {
  let known = commandsByRun.get(run);
  if (known) return known;
  known = [];
  const named = namedFiles(run);
  // git reads a line at a time: `ytt \` continued on the next line (`-f config -f overlays`) is a
  // command too (hunt12 N2).
  const files = [...(filesMayHold(run, run.repositoryFiles(), String.raw`(?:^|[^\w.-])ytt[ \t].*(?:-f|--file|\\\r?$)`) ?? [...named.shell, ...named.makefiles, ...named.yaml])];
  let kinds: Map<string, ScriptKind> | undefined;
  for (const file of files) {
    const text = run.readText(file);
    if (text === undefined || !text.includes('ytt')) continue;
    kinds ??= scriptKinds(run);
    const kind = kinds.get(file);
    // Where a script runs its ytt commands from (a step's working-directory, a `cd`), by line.
    const places = kind === undefined ? undefined : yttPlaces(text, kind, file, run);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = YTT_COMMAND.exec(lines[i]!);
      if (!m) continue;
      // The command, with its continuation lines.
      let cmd = lines[i]!.slice(m.index + m[0].length);
      for (let j = i; /\\\s*$/.test(lines[j]!) && j + 1 < lines.length; j++) cmd = cmd.replace(/\\\s*$/, ' ') + lines[j + 1]!;
      cmd = cmd.split(/\||;|&&|\)|`|>/)[0]!;
      const words = cmd.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
      const values: string[] = [];
      for (let k = 0; k < words.length; k++) {
        const w = words[k]!;
        const v = w === '-f' || w === '--file' ? words[++k] : /^(?:--file=|-f=?)(.+)$/.exec(w)?.[1];
        if (v !== undefined && v !== '' && v !== '-') values.push(v.includes('=') && !/^[$]/.test(v) ? v.slice(v.indexOf('=') + 1) : v);
      }
      if (values.length === 0) continue;
      const unknown = values.some((v) => /[$*?{~]/.test(v));
      const place = places?.get(i + 1);
      const literal = values.filter((v) => !/[$*?{~]/.test(v) && !/^[a-z]+:\/\//i.test(v));
      const paths = literal
        .flatMap((v) => [path.resolve(top, v), path.resolve(path.dirname(file), v), ...(Array.isArray(place) ? place.map((d) => path.resolve(d, v)) : [])])
        .map(trimmed);
      known.push({ file, line: i + 1, paths: [...new Set(paths)], unknown });
      // After a `cd` to a folder known only at run time: each folder of the repository it may be, one command each.
      if (place === null) for (const d of foldersHolding(literal, run)) known.push({ file, line: i + 1, paths: [...new Set(literal.map((v) => trimmed(path.resolve(d, v))))], unknown });
    }
  }
  commandsByRun.set(run, known);
  return known;
}

/** The kind of script file each of the repository's scripts, Makefiles, workflows, CI pipelines and actions is, as the patch readers read them (src/kubernetes/patch-commands.ts). */
function scriptKinds(run: RunContext): Map<string, ScriptKind> {
  const kinds = new Map<string, ScriptKind>();
  for (const f of scriptFiles(run)) if (!kinds.has(f.abs)) kinds.set(f.abs, f.kind);
  return kinds;
}

/**
 * The folders each `ytt` command of a script file runs in, by the file's line of the command:
 * where the script starts (a workflow step's `working-directory`, the job's or workflow's
 * `defaults.run.working-directory`: src/kubernetes/patch-commands.ts scriptsOf), then each
 * `cd`/`pushd` to a literal folder before it, as the patch readers follow them (scriptHolds there).
 * null: a `cd` to a folder known only at run time.
 */
function yttPlaces(text: string, kind: ScriptKind, abs: string, run: RunContext): Map<number, string[] | null> {
  const out = new Map<number, string[] | null>();
  // A Makefile's variables with the values the repository's make runs give them (`make render DIR=staging`).
  for (const s of scriptsOf(text, kind, abs, () => makeOverrides(run)) ?? []) {
    if (!s.script.includes('ytt')) continue;
    let parsed: ReturnType<typeof parseShell>;
    try {
      parsed = parseShell(s.script);
    } catch (e) {
      if (!(e instanceof ShellParseError)) throw e;
      continue;
    }
    const env = scriptVariables(parsed.calls, s.resolve, parsed.setsOtherwise, s.outer, parsed.otherSets);
    let here: string[] | null = startIn(s.cwd, abs, run) ?? startDirs(abs, run);
    for (const call of parsed.calls) {
      const words = call.args.map((w) => s.resolve(w, env));
      const texts = words.map((w) => w.text);
      const moved = followDirs(words, here);
      if (moved !== undefined) {
        here = moved;
        continue;
      }
      // Through the wrappers a command runs another one with (`sudo`, `env X=1`, `time`).
      let i = 0;
      for (let guard = 0; guard < 8 && i < texts.length; guard++) {
        const w = unwrap(texts, i);
        if (!w || 'script' in w) break;
        i = w.next;
      }
      if (texts[i] === undefined || baseName(texts[i]!) !== 'ytt') continue;
      const line = s.line(call.start);
      const known = out.get(line);
      out.set(line, known === null || here === null ? null : [...new Set([...(known ?? []), ...here])]);
    }
  }
  return out;
}

function trimmed(p: string): string {
  return p.replace(/[\\/]+$/, '') || p;
}

/**
 * The repository's folders that hold one of a ytt command's relative paths (`overlays`,
 * `deploy/overlays/`): where the command may run when it comes after a `cd` to a folder known only
 * at run time.
 */
function foldersHolding(values: readonly string[], run: RunContext): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const tail = trimmed(path.normalize(v));
    if (path.isAbsolute(tail) || tail === '.' || tail.startsWith('..')) continue;
    const suffix = path.sep + tail;
    for (const f of run.repositoryFiles()) {
      if (f.endsWith(suffix)) out.add(f.slice(0, f.length - suffix.length));
      for (let at = f.indexOf(suffix + path.sep); at !== -1; at = f.indexOf(suffix + path.sep, at + 1)) out.add(f.slice(0, at));
    }
  }
  return [...out];
}

function keyText(node: unknown): string | undefined {
  return isScalar(node) && typeof (node as Scalar).value === 'string' ? ((node as Scalar).value as string) : undefined;
}

/**
 * An overlay written as a string of another file's document (a kapp-controller App's inline
 * path, a Secret's stringData): the line its text starts on, and where a non-literal match reaches.
 */
interface Embedded {
  /** Lines of the host file before the string's first line. */
  linesBefore: number;
  scope: () => Scope[];
}

function overlayHolds(file: string, text: string, run: RunContext, embedded?: Embedded): YttHold[] {
  const parsed = parseYaml(text, { uniqueKeys: false });
  const out: YttHold[] = [];
  let scope: Scope[] | undefined;
  const scoped = () => (scope ??= embedded ? embedded.scope() : scopeOf(file, run));
  const lineAt = (offset: number) => lineOf(text, offset) + (embedded?.linesBefore ?? 0);
  if (parsed.error) {
    // An overlay the tool cannot read may write into any probe of what it is run with.
    out.push({ overlay: file, line: lineAt(parsed.error.offset), scope: scoped(), by: '(unreadable)', what: 'cannot be read (its YAML does not parse), so it may write into any probe', replaces: false });
    return out;
  }
  if (!embedded) out.push(...embeddedHolds(file, text, parsed.docs, run));
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
                line: lineAt(keyStart),
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

/**
 * The overlays written as strings of a file's documents: a kapp-controller App's
 * `spec.template[].ytt.inline.paths` values, a Secret's `stringData` or a ConfigMap's `data`
 * (what `inline.pathsFrom` or a PackageInstall's ytt-paths-from-secret annotation names), or any
 * other string value that holds an overlay document. kapp-controller runs ytt over what the App
 * fetches with them, which the tool cannot see: a non-literal match reaches the whole repository.
 */
function embeddedHolds(file: string, text: string, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext): YttHold[] {
  const out: YttHold[] = [];
  let scope: Scope[] | undefined;
  const scoped = () => (scope ??= [{ path: topOf(file, run), said: () => 'in the plain YAML of the whole repository (kapp-controller runs ytt with this overlay over what the App fetches, which the tool does not know)' }]);
  const visit = (node: unknown): void => {
    if (isMap(node)) for (const p of (node as YAMLMap).items) visit(isPair(p) ? p.value : undefined);
    else if (isSeq(node)) for (const item of (node as YAMLSeq).items) visit(item);
    else if (isScalar(node)) {
      const v = (node as Scalar).value;
      if (typeof v !== 'string' || !v.includes('\n') || !v.includes('#@') || !hasYttOverlay(v)) return;
      const range = (node as Node).range;
      if (!range) return;
      const block = (node as Scalar).type === 'BLOCK_LITERAL' || (node as Scalar).type === 'BLOCK_FOLDED';
      // A block scalar's text starts on the line after its `|`; a quoted one on its own line.
      const linesBefore = lineOf(text, range[0]) - (block ? 0 : 1);
      out.push(...overlayHolds(file, v, run, { linesBefore, scope: scoped }));
    }
  };
  for (const doc of docs) visit(doc.contents);
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
 * `inString`: the probe is in a manifest written as a string of the file (a kapp-controller App's
 * inline file: src/kubernetes/manifest-strings.ts), `docs` that string's: an overlay written in
 * another string of the same file (the App's template step, another inline file) holds it too.
 */
export function keepForYttOverlays(r: Report, file: SourceFile, docs: readonly Document.Parsed<ParsedNode, true>[], run: RunContext, inString = false): Report {
  if (!r.fix || !file.path || !YAML_FILE.test(file.path) || r.details?.probe === undefined) return r;
  const holds = yttHolds(run);
  if (holds.length === 0) return r;
  const probe = String(r.details.probe);
  const container = r.details.container as string | undefined;
  const docIndex = typeof r.details.document === 'number' ? r.details.document - 1 : -1;
  const doc = docs[docIndex];
  const hold = holds.find(
    (h) =>
      (inString || h.overlay !== file.path) &&
      (h.probe === undefined || h.probe === probe) &&
      (h.container === undefined || h.container === container) &&
      (h.subset !== undefined ? (doc === undefined || docJs(doc) === undefined || contains(docJs(doc), h.subset)) : h.scope!.some((s) => within(file.path!, s.path))),
  );
  if (!hold) return r;
  const rel = (p: string) => path.relative(run.cwd, p).split(path.sep).join('/') || '.';
  const scope = hold.scope?.find((s) => within(file.path!, s.path));
  const matched =
    hold.subset !== undefined || !scope
      ? `its document matches ${hold.by}`
      : `it matches documents by ${hold.by}, not a literal overlay.subset, so every probe it may reach ${scope.said(rel)} is held`;
  const breaks = hold.replaces
    ? 'migrated here alone, what ytt renders would not change (the overlay\'s own probe replaces it), and the base would no longer say what runs: migrate the two together'
    : 'migrated here alone, ytt\'s merge would fail (an overlay map item must match exactly one node, and the base would have no exec) or render a probe with two handlers, which the API server rejects';
  return { ...heldReport(r, 'overlay-patch', `the ytt overlay ${rel(hold.overlay)}:${hold.line} ${hold.what} (${matched}); ${breaks}`), hint: HINT };
}

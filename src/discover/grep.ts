/**
 * Which files of a run may hold some text, asked of git before any is read. A reader that looks
 * through every file of the repository for a few words (helm command lines) would otherwise stat
 * and read each one: ~0.35 s in a 20k-file checkout, paid by every pre-commit run over a Helm
 * template. `git grep` searches the tracked files (as they are in the working tree) natively, on
 * every core; an untracked file is kept (grepArgs).
 */
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import type { RunContext } from '../types.js';
import { enclosingRepository } from './scope.js';
import { escapeRegExp } from '../text/regexp.js';

/**
 * The files of `files` that may match `pattern` (a Perl-compatible regular expression, `git grep
 * -P`, that matches at least wherever the reader's own test does): all but those git searched and
 * found no match in. A file git does not search (an ignored file named on the command line, a
 * submodule's, one outside the checkout) is kept, and the reader reads it as before. One git call:
 * `-L` names the files without a match, so no listing of the checkout is needed beside it.
 * Undefined when git cannot say (no checkout, git missing or failing, or built without PCRE): the
 * reader reads every file. (The same pattern as POSIX `-E` took git ~0.7 s over the bench's 150 MB
 * tree; `-P` ~0.2 s.) `pathspecs` (git's, e.g. `:(icase)*.yaml`) limit what git reads to names that
 * cover every file of `files`: git reads only those (a search of the bench's 20k-file tree for its
 * YAML files alone reads ~2,000 of them), and a file outside them is kept, as one git does not search.
 */
/** The pathspecs of YAML files, for a search among them (`.yaml`/`.yml`, any case, at any depth). */
export const YAML_PATHSPECS: readonly string[] = [':(icase)*.yaml', ':(icase)*.yml'];

export function filesMayHold(run: RunContext, files: readonly string[], pattern: string, pathspecs: readonly string[] = []): ReadonlySet<string> | undefined {
  const root = enclosingRepository(run.cwd);
  if (root === undefined) return undefined;
  const key = searchKey(root, pattern, pathspecs);
  // Asked once a run: two readers with one search (the ytt overlays and the controller reader:
  // YAML_READERS_SEARCH) share git's answer.
  let asked = askedByRun.get(run);
  if (!asked) askedByRun.set(run, (asked = new Map()));
  let without = searched.get(key) ?? asked.get(key);
  if (without === undefined) {
    let out: string | undefined;
    try {
      out = execFileSync('git', grepArgs(root, pattern, pathspecs), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 30 });
    } catch (e) {
      // Exit status 1: every file searched matches. Anything else: git could not search.
      out = (e as { status?: number }).status === 1 ? '' : undefined;
    }
    without = out === undefined ? null : filesWithout(root, out);
    asked.set(key, without);
  }
  if (without === null) return undefined;
  const none = without;
  return new Set(files.filter((f) => !none.has(f)));
}

/** The ytt overlays' overlay/match annotation (src/ytt/overlays.ts), as git grep -P reads it. */
export const YTT_OVERLAY_PATTERN = String.raw`#@\s*overlay/match`;

/**
 * The Flux and Argo CD controller reader's words (controllerPatches, src/kustomize/overlays.ts:
 * CONTROLLER_WORDS), literal words that a line holds wherever the text does.
 */
export const CONTROLLER_PATTERN = String.raw`kustomize\.toolkit\.fluxcd\.io/|helm\.toolkit\.fluxcd\.io/|argoproj\.io/`;

/**
 * kubectl's options between `set` and `env` (`set -n prod env`, `set --namespace=prod env`): each
 * an option, then its value after `=` or blanks. A value starts with no `=`, `-` or blank, so no
 * text splits two ways (the form that let `[=\s]+` and the value both take a run of `=` backtracked
 * quadratically over a long line: review20 #1). Written once for the readers' patterns (here and
 * src/kubernetes/env-commands.ts).
 */
const SET_OPTION = String.raw`\s+-{1,2}\w[\w-]*(?:(?:=|[ \t]+)[^\s\\=-][^\s\\]*)?`;
export const SET_OPTIONS = `(?:${SET_OPTION})*`;

/**
 * `set` SET_OPTIONS `tail` (`\s+env\b`) for JavaScript's engine, in linear time: the plain form
 * starts again at each `set` inside an earlier `set`'s options (`set -a set -a …`, `x.set` values,
 * `--x-set` names) and reads the rest of them from there: 1.6 s over 70 KB of `set -a ` (hunt14).
 * A `set` inside an earlier one's options (a lookbehind, which git's PCRE does not take at variable
 * length: git keeps the plain form) is not a start: wherever it would match, the earlier one
 * does, reading it as an option's name or value. The same texts match (checked on 1.2M generated
 * texts, test/grep.test.ts on 20,000).
 */
export function setEnvJs(tail: string): string {
  return String.raw`\b(?=set[\s\\])(?<!\bset(?:${SET_OPTION})*?\s+-{1,2}(?:\w[\w-]*(?:(?:=|[ \t]+)(?:[^\s\\=-][^\s\\]*)?)?)?)set${SET_OPTIONS}${tail}`;
}

/**
 * A line of a YAML file of another tool (CircleCI, Bitbucket, Azure Pipelines, CodeBuild, Cloud
 * Build, Skaffold) worth reading for commands that address a probe by path (src/kubernetes/patch-commands.ts,
 * src/analysis/ci-pipelines.ts yamlCommandScripts): kubectl (`microk8s kubectl`, `microk8s.kubectl`,
 * `minikube kubectl --` hold the word too; kubecolor), oc, yq, jq, sed or perl then a probe
 * key, `patch`, `-addr` or the binary, `set env` (options between them too), an env edit (yq's
 * `setpath`/`delpaths`, sed on a `value:`), or a probe's handler path (`readinessProbe/exec`,
 * `.readinessProbe.exec`, `readinessProbe":{"exec`, an exec list's item); or such a command word
 * on a line continued with `\` (`kubectl -n default \`, `kubectl set \`), or ending its line
 * after options alone (`kubectl -n default` in a folded `>-` script, whose next line YAML joins to
 * it): git reads a line at a time (hunt12 N1). Or a variable set to such a command word
 * (ASSIGNED_COMMAND: `K="microk8s kubectl"`, then `$K set env …`).
 */
/**
 * A variable set to a command word at its line's end (`K="microk8s kubectl"`, `KC=/usr/bin/kubectl`,
 * one word before it at most), whose commands (`$K set env …`) name no tool on their own line
 * (hunt19 B4). Linear: a run of word characters after each `=` is scanned once or twice.
 */
const ASSIGNED_COMMAND = String.raw`\b[A-Za-z_]\w*=["']?(?:[\w./-]+[ \t]+)?(?:[\w./-]*[/.])?(?:kubectl|KUBECTL|kubecolor|oc|OC|yq|YQ|jq|JQ|sed|perl)["']?[ \t]*`;
const ASSIGNED_COMMAND_LINE = new RegExp(`${ASSIGNED_COMMAND}$`);

export const COMMAND_LINE_PATTERN = String.raw`\b(?:kubectl|KUBECTL|kubecolor|oc|OC|yq|YQ|jq|JQ|sed|perl)\b(?:.*(?:Probe|\bpatch\b|-addr\b|grpc_health_probe|\bset${SET_OPTIONS}\s+env\b|\bset\s+\\$|\.env\b|\b(?:setpath|delpaths)\b|\bvalue\s*:)|.*\\\r?$|(?:[ \t]+-\S*(?:[ \t]+[^\s\\-]\S*)?)+[ \t]*\r?$)|Probe(?:[/.]|["'\][,:{]{1,8})(?:exec|httpGet|tcpSocket)\b|${ASSIGNED_COMMAND}\r?$`;

const COMMAND_WORD = /\b(?:kubectl|KUBECTL|kubecolor|oc|OC|yq|YQ|jq|JQ|sed|perl)\b/g;
const COMMAND_TARGET = String.raw`Probe|\bpatch\b|-addr\b|grpc_health_probe|${setEnvJs(String.raw`\s+env\b`)}|\bset\s+\\$|\.env\b|\b(?:setpath|delpaths)\b|\bvalue\s*:`;
const HANDLER_PATH = /Probe(?:[/.]|["'\][,:{]{1,8})(?:exec|httpGet|tcpSocket)\b/;

/**
 * Whether a text has a line COMMAND_LINE_PATTERN matches (read as JavaScript reads it, with the m
 * flag), in linear time: the pattern itself tries each command word of a line against the rest of
 * it (2.6 s over 100 KB of `kubectl ` words in V8; git's PCRE JIT is fast). A command word followed
 * by a target starting anywhere after it on its line is the line's first command word followed by
 * one (one forward search of the text serves every line up to the target it finds); a line ending
 * in `\` after one likewise; a command word followed by options alone to the line's end (`kubectl
 * -n default`) is found by reading the line's words once from the end. (The patch reader's own
 * test of another tool's YAML; hunt14.)
 */
export function commandLineIn(text: string): boolean {
  const target = new RegExp(COMMAND_TARGET, 'gm');
  let found = -1;
  let searchedFrom = Infinity;
  /** Where the first target at or after `from` starts (-1: none), searched again only past the last one found. */
  // Searched in the text from `from` on (a slice, which V8 makes without copying): setEnvJs's
  // lookbehind must not see a `set` before the line's command word, which the pattern would not
  // start from. A target found stays the first for a later `from` up to it.
  const nextTarget = (from: number): number => {
    if (from < searchedFrom || (found !== -1 && from > found)) {
      target.lastIndex = 0;
      const m = target.exec(text.slice(from));
      found = m ? from + m.index : -1;
      searchedFrom = from;
    }
    return found;
  };
  const ends = /[\n\r\u2028\u2029]/g;
  for (let start = 0; start <= text.length; ) {
    ends.lastIndex = start;
    const end = ends.exec(text)?.index ?? text.length;
    const line = text.slice(start, end);
    if (HANDLER_PATH.test(line) || ASSIGNED_COMMAND_LINE.test(line)) return true;
    COMMAND_WORD.lastIndex = 0;
    const first = COMMAND_WORD.exec(line);
    if (first) {
      const after = start + first.index + first[0].length;
      const t = nextTarget(after);
      if ((t !== -1 && t < end) || line.endsWith('\\') || optionsAfterCommand(line)) return true;
    }
    start = end + 1;
  }
  return false;
}

/** `(?:[ \t]+-\S*(?:[ \t]+[^\s\\-]\S*)?)+[ \t]*$` after a command word ending a word of the line. */
function optionsAfterCommand(line: string): boolean {
  // The pattern's blanks are spaces and tabs: another blank inside a word makes it neither option nor value.
  const tokens = line.split(/[ \t]+/).filter((t) => t !== '');
  // valid[i]: words i.. are options, each with at most one value after it.
  const valid: boolean[] = new Array(tokens.length + 2).fill(false);
  const rest = (i: number) => i >= tokens.length || valid[i]!;
  for (let i = tokens.length - 1; i >= 0; i--) {
    valid[i] = /^-\S*$/.test(tokens[i]!) && (rest(i + 1) || (i + 1 < tokens.length && /^[^\s\\-]\S*$/.test(tokens[i + 1]!) && rest(i + 2)));
  }
  for (let j = 0; j + 1 < tokens.length; j++) {
    if (!valid[j + 1]) continue;
    COMMAND_WORD.lastIndex = 0;
    for (const m of tokens[j]!.matchAll(COMMAND_WORD)) if (m.index + m[0].length === tokens[j]!.length) return true;
  }
  return false;
}

/**
 * One search of the repository's YAML files for the readers that read them all for a few words,
 * made at a run's first probe that would migrate: the ytt overlays, the controller reader and the
 * reader of other tools' YAML commands (COMMAND_LINE_PATTERN). Each
 * reader's words are an alternative of one pattern, so git reads the YAML files once, in one
 * process, for all of them; a reader then reads the files that hold its words or another reader's
 * (a few in a repository), and its own test leaves out the others.
 */
/** The service meshes' annotations a Namespace may carry (src/kubernetes/namespaces.ts: Linkerd, OSM, Kuma). */
export const MESH_PATTERN = String.raw`linkerd\.io/|openservicemesh\.io/|kuma\.io/`;

export const YAML_READERS_SEARCH = [YTT_OVERLAY_PATTERN, CONTROLLER_PATTERN, COMMAND_LINE_PATTERN, MESH_PATTERN].join('|');

/**
 * Searches that a partial view's run is likely to make, started by listRepositories beside git's
 * listing so that they overlap the loading of the engine and the rules (the YAML readers' search
 * of a 20k-file checkout's YAML files: ~25 ms of a one-file pre-commit run, waited for otherwise).
 */
export const PREFETCHED_SEARCHES: readonly { pattern: string; pathspecs: readonly string[] }[] = [{ pattern: YAML_READERS_SEARCH, pathspecs: YAML_PATHSPECS }];

/** The pathspecs of the manifests (YAML and JSON files), for a search among them. */
export const MANIFEST_PATHSPECS: readonly string[] = [...YAML_PATHSPECS, ':(icase)*.json'];

/**
 * The names a pre-commit run's named manifests give to their objects (NAME_VALUE), searched for among the repository's manifests beside git's listing, so that
 * the partial-manifest reader (src/kubernetes/partial-manifests.ts) finds the other documents of an
 * object without a git process of its own (~25 ms of a one-file run in a 20k-file checkout). By
 * checkout root: the pattern (an alternation of the names) and the names it covers.
 */
const namesSearches = new Map<string, { pattern: string; names: ReadonlySet<string> }>();
/**
 * An object's `metadata.name` in YAML (`metadata:` at a line's start, its `name:` among the lines
 * indented under it) or JSON (`"metadata": {… "name": "api"`). Not every name it could be (a flow
 * map, an indented document): a name it misses is searched for on its own when the reader asks.
 */
const NAME_VALUE = /^metadata:[ \t]*\r?\n(?:[ \t]+.*\r?\n)*?[ \t]+name:[ \t]*["']?([A-Za-z0-9][\w.-]*)|"metadata"\s*:\s*\{[^{}]*?"name"\s*:\s*"([A-Za-z0-9][\w.-]*)"/gm;

/**
 * Alternatives matched as a whole name: not inside a longer word (`api` in `apiVersion`, in
 * `api-gateway`), as a name stands in YAML or JSON (after a space or a quote, before the line's
 * end, a quote, a comma).
 */
const asName = (alternatives: string) => `(?<![\\w.-])(?:${alternatives})(?![\\w.-])`;

/**
 * A name the text may spell with escapes (`name: "w\x65b"`, JSON `"name": "\u0077eb"`, a
 * double-quoted name continued with `\` on the next line, the value of an explicit `? name` key:
 * `: "w\x65b"`): a double-quoted value of a `name` key, or on a line of its own after `:`, that
 * holds a backslash. No search for the name's letters finds it, so a names search finds such files
 * too and the reader reads them (hunt9 H7). As git grep -P reads it (a line at a time); ESCAPED_NAME
 * is the same in JavaScript, for a text.
 */
export const ESCAPED_NAME_PATTERN = String.raw`\bname["']?[ \t]*:[ \t]*"[^"\n]*\\|^[ \t]*:[ \t]*"[^"\n]*\\`;
export const ESCAPED_NAME = new RegExp(ESCAPED_NAME_PATTERN, 'm');
/**
 * What git searches for in place of ESCAPED_NAME_PATTERN: a double-quoted value after `:` that holds
 * a backslash, wherever it stands. Both of ESCAPED_NAME_PATTERN's alternatives end in it, so every
 * file that one matches this one does too (the reader then tests its text with ESCAPED_NAME); it
 * starts at a colon where the other's second alternative could start at every blank of every line's
 * indentation, which took git ~8 ms more over the bench's 20k-file tree's manifests (#7).
 */
export const ESCAPED_NAME_SEARCH = String.raw`:[ \t]*"[^"\n]*\\`;

/** The pattern of a search for one name among the manifests: the prefetched names search's where it covers the name. */
export function nameSearchPattern(root: string, name: string): string {
  const prefetched = namesSearches.get(path.resolve(root));
  return prefetched?.names.has(name) ? prefetched.pattern : `${asName(escapeRegExp(name))}|${ESCAPED_NAME_SEARCH}`;
}

/** The names search's pattern for the texts of the manifests a run names (at most 64 names), kept for nameSearchPattern; undefined: none. */
export function namesSearchOf(root: string, texts: readonly string[]): string | undefined {
  const names = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(NAME_VALUE)) names.add((m[1] ?? m[2])!);
  if (names.size === 0 || names.size > 64) return undefined;
  const pattern = `${asName([...names].map(escapeRegExp).join('|'))}|${ESCAPED_NAME_SEARCH}`;
  namesSearches.set(path.resolve(root), { pattern, names });
  return pattern;
}

/** Starts the names search for the texts of the manifests a run names (searchLater). */
export function searchNamesLater(root: string, texts: readonly string[]): Promise<void> | undefined {
  const pattern = namesSearchOf(root, texts);
  return pattern === undefined ? undefined : searchLater(root, pattern, MANIFEST_PATHSPECS);
}

/** Searches a run asked of git itself (filesMayHold), by searchKey: the files without a match, or null where git could not say. */
const askedByRun = new WeakMap<RunContext, Map<string, ReadonlySet<string> | null>>();

/** Searches done ahead (searchLater): the files without a match, or null where git could not say. */
const searched = new Map<string, ReadonlySet<string> | null>();
const searchKey = (root: string, pattern: string, pathspecs: readonly string[]) => [path.resolve(root), pattern, ...pathspecs].join('\0');
/**
 * git grep's arguments. Tracked files only: `--untracked` walked the working tree for untracked
 * files, as the listing's own `git ls-files --others` does beside it (~24 ms of git's time each, in
 * the bench's 20k-file checkout). An untracked file is then one git does not search, so it is kept
 * and its reader reads it: untracked, unignored files are few where a pre-commit run runs.
 */
const grepArgs = (root: string, pattern: string, pathspecs: readonly string[]) => ['-C', root, 'grep', '-L', '-z', '-P', '-e', pattern, ...(pathspecs.length > 0 ? ['--', ...pathspecs] : [])];

function filesWithout(root: string, out: string): ReadonlySet<string> {
  const prefix = path.resolve(root) + (path.resolve(root).endsWith(path.sep) ? '' : path.sep);
  return new Set(out.split('\0').filter((rel) => rel !== '').map((rel) => prefix + (path.sep === '/' ? rel : rel.split('/').join(path.sep))));
}

/** filesMayHold's search in git's own process, its answer kept for filesMayHold to use once settled. */
export function searchLater(root: string, pattern: string, pathspecs: readonly string[], alsoFor: readonly { pattern: string; pathspecs: readonly string[] }[] = []): Promise<void> {
  // `alsoFor`: searches whose patterns are alternatives of this one, over pathspecs it covers: a
  // file without a match of the whole has none of each, so the answer serves them too (one git
  // process for two readers' searches).
  const keys = [searchKey(root, pattern, pathspecs), ...alsoFor.map((a) => searchKey(root, a.pattern, a.pathspecs))];
  return new Promise((resolve) => {
    try {
      execFile('git', grepArgs(root, pattern, pathspecs), { encoding: 'utf8', maxBuffer: 1 << 30 }, (err, stdout) => {
        const status = err ? (err as { code?: unknown }).code : 0;
        const without = status === 0 || status === 1 ? filesWithout(root, status === 0 ? stdout : '') : null;
        for (const key of keys) searched.set(key, without);
        resolve();
      });
    } catch {
      resolve(); // filesMayHold asks git itself
    }
  });
}

/**
 * The ways the repository runs a compose file by name: the `docker compose -f a.yml -f b.yml`
 * (`--file`) commands of its scripts, Makefile recipes, workflow steps and task files, and its
 * `COMPOSE_FILE=a.yml:b.yml` settings (`.env`, an assignment or `export` in a script, a
 * workflow's `env:`). Each is the files of one run in order: Compose merges a later one over an
 * earlier one, field by field. A file named through a variable (`-f $FILE`, `-f
 * docker-compose.${ENV}.yml`) is one the tool cannot name (undefined), and one it may be counts as
 * run that way, with files unknown around it.
 *
 * Commands are read as the shell reads them (src/analysis/shell.ts, mvdan/sh): a script, each
 * Makefile recipe line (src/analysis/makefile.ts), each string of a YAML or JSON file (a
 * workflow's `run:`, GitLab's `script:`, a Taskfile's `cmds:`, package.json's `scripts`), each
 * recipe of a Justfile. The compose command is found through the wrappers a command runs another
 * one with (`sudo`, `env X=1`, `timeout`, `sh -c '…'`), as `docker-compose`, or `docker compose`
 * (podman, nerdctl) after docker's own options; its files are its -f/--file options before its
 * sub-command, each word with the variables the script sets to one literal value resolved. A
 * `COMPOSE_FILE` is read from an assignment the parser gives (`COMPOSE_FILE=a:b`, `COMPOSE_FILE=…
 * docker compose up`, `env COMPOSE_FILE=… docker compose`, `export COMPOSE_FILE=…`), from a YAML
 * key of that name (a workflow's `env:`), and from a `.env` file or a Makefile assignment, read a
 * line at a time as Compose's dotenv reader does (`KEY=value`, `export KEY=value`, quotes, `#`
 * comments). A text the tool cannot read so (a script that does not parse, a PowerShell or batch
 * file, a Tiltfile, TOML) and that names the file runs it alone: only the file's own `disable`
 * turns its check off there.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { filesMayHold } from '../discover/grep.js';
import { escapeRegExp } from '../text/regexp.js';
import type { RunContext } from '../types.js';
import * as shell from '../analysis/shell.js';
import type { ShCall, ShStmt, ShWord, ResolvedWord, EnvLookup } from '../analysis/shell.js';
import * as runs from '../analysis/script-runs.js';
import * as make from '../analysis/makefile.js';
import * as yaml from '../parse/yaml.js';
import * as lib from '../parse/yaml-lib.js';

/** Files that may run `docker compose -f …` (scripts, Makefiles, CI workflows, task runners, .env). */
export const COMMAND_FILES = /(\.(sh|bash|zsh|mk|ya?ml|json|toml|ps1|cmd|bat)|(^|\/)(GNUmakefile|[Mm]akefile|[Jj]ustfile|Taskfile[^/]*|Tiltfile|\.env[^/]*))$/;

/**
 * A file argument as the command gives it: its literal pieces, split where a value known only at
 * run time stands (`ops/compose.${NAME}.yml`: `ops/compose.`, `.yml`). One piece: a literal name.
 */
export interface FileArg {
  pieces: string[];
}

/** One run of Compose on named files, as written: where (file:line), and each file argument in order. */
export interface Command {
  where: string;
  /** The naming file's folder (a bare name may be beside it). */
  dir: string;
  args: FileArg[];
  /** Read from a text the tool cannot read as commands (that text): it runs a file it names alone. */
  unread?: string;
  /** Every name is read from `dir`, whichever entry names the file (a dev container's dockerComposeFile). */
  fromDir?: boolean;
}

/** One way the repository runs a compose file: the files Compose reads, in order (undefined: one the tool cannot name). */
export interface ComposeRun {
  where: string;
  files: (string | undefined)[];
  /** Where the file itself is in `files`. */
  self: number;
  /**
   * The indexes in `files` of names the run gives as written, with no variable, that name no
   * file of the repository (a local override git ignores, an absolute path): the tool cannot
   * read them, yet Compose merges them.
   */
  absent?: number[];
}

const commandsOf = new WeakMap<RunContext, Command[]>();

const readers = { shell, runs, make, yaml, lib };
type Readers = typeof readers;

/**
 * Where git looks for compose commands: COMMAND_FILES's names (a superset: git's `*` crosses
 * folders, and a file outside these is read as one git did not search).
 */
const COMMAND_PATHSPECS: readonly string[] = ['*.sh', '*.bash', '*.zsh', '*.mk', ':(icase)*.yaml', ':(icase)*.yml', '*.json', '*.toml', '*.ps1', '*.cmd', '*.bat', '*akefile', '*ustfile', '*Taskfile*', '*Tiltfile', '*.env*'];

/**
 * Every command of the repository that names compose files with -f/--file or COMPOSE_FILE, read
 * once per run. The repository's, not the run's files: a pre-commit run over docker-compose.yml
 * judges its check by the Makefile that runs it with -f as the whole run does (hunt9 H6); git grep
 * names the files that say compose, so that run reads those only.
 */
export function composeCommands(run: RunContext): Command[] {
  const known = commandsOf.get(run);
  if (known) return known;
  const out: Command[] = [];
  const files = run.repositoryFiles().filter((f) => COMMAND_FILES.test(path.sep === '/' ? f : f.split(path.sep).join('/')));
  // Both forms say compose: the command, or COMPOSE_FILE.
  const may = files.length === 0 ? undefined : filesMayHold(run, files, '(?i)compose', COMMAND_PATHSPECS);
  for (const f of files) {
    if (may !== undefined && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || !/compose/i.test(text) || !/-f|--file|COMPOSE_FILE/.test(text)) continue;
    const rel = path.relative(run.cwd, f).split(path.sep).join('/');
    for (const c of commandsInFile(f, text, readers)) out.push({ where: `${rel}:${c.line}`, dir: path.dirname(f), args: c.args, ...(c.unread !== undefined ? { unread: c.unread } : {}) });
  }
  commandsOf.set(run, out);
  return out;
}

interface Found {
  line: number;
  args: FileArg[];
  unread?: string;
}

const lineAt = (text: string, offset: number) => {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

/** The compose runs a file of the repository holds, read by its kind. */
export function commandsInFile(file: string, text: string, r: Readers): Found[] {
  const base = path.basename(file);
  if (/^\.env/.test(base)) return dotenvRuns(text, false);
  if (/^(GNUmakefile|[Mm]akefile)$|\.mk$/.test(base)) return makefileRuns(text, r);
  if (/\.(sh|bash|zsh)$/.test(base)) return shellRuns(text, r, r.shell.resolveWord, (o) => lineAt(text, o)) ?? unreadRuns(text);
  if (/^[Jj]ustfile$/.test(base)) return justfileRuns(text, r);
  if (/\.(ya?ml|json)$/.test(base) || /^Taskfile/.test(base)) return yamlRuns(text, r);
  return unreadRuns(text);
}

/** A text the tool does not read as commands: each line that says compose and names a file with -f/--file or COMPOSE_FILE, as a run of that file alone. */
function unreadRuns(text: string): Found[] {
  const out: Found[] = [];
  text.split('\n').forEach((l, i) => {
    if (/compose/i.test(l) && /(^|\s)(-f|--file)|COMPOSE_FILE/.test(l)) out.push({ line: i + 1, args: [], unread: l });
  });
  return out;
}

/**
 * `KEY=value` lines as Compose's dotenv reader takes them (`export ` before, `#` comments, a value
 * in single quotes as written, in double quotes or bare with `$VAR`/`${VAR}` interpolated: a value
 * known only at run time). `make`: a Makefile's assignment lines (`COMPOSE_FILE := a:b`).
 */
function dotenvRuns(text: string, make: boolean): Found[] {
  const out: Found[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    const m = (make ? /^(?:(?:export|override)\s+)*COMPOSE_FILE\s*[:?+!]*=\s*(.*)$/ : /^\s*(?:export\s+)?COMPOSE_FILE\s*[=:]\s*(.*)$/).exec(l);
    if (!m) return;
    let value = m[1]!.trim();
    let pieces: string[];
    if (!make && value.startsWith("'")) pieces = [value.slice(1, value.indexOf("'", 1) === -1 ? undefined : value.indexOf("'", 1))];
    else {
      if (!make && value.startsWith('"')) value = value.slice(1, value.indexOf('"', 1) === -1 ? undefined : value.indexOf('"', 1));
      else value = value.replace(/\s+#.*$/, '').trim();
      // `${VAR}`, `$VAR`, make's `$(VAR)`: a value known only at run time.
      pieces = value.split(/\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*/);
    }
    const args = splitPathList(pieces);
    if (args.length > 0) out.push({ line: i + 1, args });
  });
  return out;
}

/** A Makefile: its recipe lines as the shell runs them (make references known only at run time), and its COMPOSE_FILE assignments. */
function makefileRuns(text: string, r: Readers): Found[] {
  const out: Found[] = dotenvRuns(text, true);
  const recipes = r.make.makeRecipes(text);
  if (!recipes) return [...out, ...unreadRuns(text).filter((u) => !/^\s*(export\s+)?COMPOSE_FILE/.test(text.split('\n')[u.line - 1]!))];
  const resolve = r.make.referenceResolver(recipes.references, r.shell.resolveWord);
  for (const line of recipes.lines) {
    if (!/compose/i.test(line.script)) continue;
    const found = shellRuns(line.script, r, resolve, (o) => lineAt(text, line.at[o] ?? line.start));
    out.push(...(found ?? [{ line: lineAt(text, line.start), args: [], unread: line.script }]));
  }
  return out;
}

/** A Justfile: each recipe's body (its indented lines, `@`/`-` before a line taken out, `{{…}}` known only at run time) as one script. */
function justfileRuns(text: string, r: Readers): Found[] {
  const out: Found[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^[ \t]+\S/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    while (i < lines.length && (/^[ \t]/.test(lines[i]!) || lines[i]!.trim() === '')) body.push(lines[i++]!.replace(/^[ \t]+[@-]*/, '').replace(/\{\{[^}]*\}\}/g, '${__JUST}'));
    const script = body.join('\n');
    if (!/compose/i.test(script)) continue;
    out.push(...(shellRuns(script, r, r.shell.resolveWord, (o) => start + lineAt(script, o)) ?? [{ line: start + 1, args: [], unread: script }]));
  }
  return out;
}

/**
 * A YAML or JSON file: every string that says compose read as a script (a workflow step's `run:`,
 * GitLab's `script:` items, a Taskfile's `cmds:`, package.json's `scripts`; `${{ … }}` and `{{ … }}`
 * are values known only when it runs), and every `COMPOSE_FILE` key's value (a workflow's `env:`).
 */
function yamlRuns(text: string, r: Readers): Found[] {
  const parsed = r.yaml.parseYaml(text, { uniqueKeys: false });
  if (parsed.error) return unreadRuns(text);
  const out: Found[] = [];
  const { isScalar, isPair, visit } = r.lib;
  for (const doc of parsed.docs) {
    visit(doc, {
      Pair(_, pair) {
        if (!isPair(pair) || !isScalar(pair.key) || String(pair.key.value) !== 'COMPOSE_FILE' || !isScalar(pair.value)) return;
        const v = pair.value;
        if (typeof v.value !== 'string' || !v.range) return;
        const args = splitPathList(templated(v.value).split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/));
        if (args.length > 0) out.push({ line: lineAt(text, v.range[0]), args });
      },
      Scalar(key, node) {
        if (key === 'key' || typeof node.value !== 'string' || !node.range || !/compose/i.test(node.value)) return;
        if (!/-f|--file|COMPOSE_FILE/.test(node.value)) return;
        const value = node.value;
        const first = lineAt(text, node.range[0]) + (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? 1 : 0);
        const script = templated(value);
        out.push(...(shellRuns(script, r, r.shell.resolveWord, (o) => first + lineAt(script, o) - 1) ?? [{ line: first, args: [], unread: value }]));
      },
    });
  }
  return out;
}

/** `${{ github.x }}` (Actions), `{{.X}}` (Task, Go templates): a value known only when the step runs, as a variable no script sets. */
function templated(s: string): string {
  return s.replace(/\$?\{\{[\s\S]*?\}\}/g, '${__TEMPLATE}');
}

/** docker's options before its sub-command that take a value (podman and nerdctl read alike). */
const DOCKER_VALUED = ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level'];
/** Compose's options before its sub-command that take a value (-f/--file aside). */
const COMPOSE_VALUED = ['-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi', '--progress', '--parallel'];

/**
 * The compose runs of a script: each compose command with -f/--file and each COMPOSE_FILE it sets.
 * Undefined when it does not parse. `lineOf`: the line of the file at a script offset.
 */
function shellRuns(script: string, r: Readers, resolve: (w: ShWord, env: EnvLookup) => ResolvedWord, lineOf: (offset: number) => number, depth = 0): Found[] | undefined {
  const { shell, runs } = r;
  let parsed;
  try {
    parsed = shell.parseShell(script);
  } catch (e) {
    if (!(e instanceof shell.ShellParseError)) throw e;
    return undefined;
  }
  const env = runs.scriptVariables(parsed.calls, resolve, parsed.setsOtherwise, undefined, parsed.otherSets);
  const argOf = (w: ShWord, from = 0): FileArg => {
    const pieces = [''];
    for (const p of w.parts) {
      const one = resolve({ parts: [p] }, env);
      if (one.unresolved.length > 0) pieces.push('');
      else pieces[pieces.length - 1] += one.text;
    }
    pieces[0] = pieces[0]!.slice(from);
    return { pieces };
  };
  const out: Found[] = [];
  const composeFile = (value: ShWord | undefined, at: number) => {
    const args = value ? splitPathList(argOf(value).pieces) : [];
    if (args.length > 0) out.push({ line: lineOf(at), args });
  };
  const readCall = (call: ShCall) => {
    for (const a of call.assigns) if (a.name === 'COMPOSE_FILE' && !a.append) composeFile(a.value, call.start);
    const words = call.args.map((w) => resolve(w, env).text);
    let at = 0;
    for (let guard = 0; guard < 16 && at < words.length; guard++) {
      const name = words[at]!.slice(words[at]!.lastIndexOf('/') + 1);
      if (name === 'exec' || name === 'command') {
        at++;
        continue;
      }
      if (name === 'docker-compose' || ((name === 'docker' || name === 'podman' || name === 'nerdctl') && words[skip(words, at + 1, DOCKER_VALUED)] === 'compose')) {
        const from = name === 'docker-compose' ? at + 1 : skip(words, at + 1, DOCKER_VALUED) + 1;
        const args: FileArg[] = [];
        for (let i = from; i < words.length; i++) {
          const w = words[i]!;
          if (w === '--' || !w.startsWith('-') || w === '-') break;
          if (w === '-f' || w === '--file') {
            if (call.args[i + 1]) args.push(argOf(call.args[++i]!));
          } else if (w.startsWith('--file=')) args.push(argOf(call.args[i]!, '--file='.length));
          else if (/^-f./.test(w)) args.push(argOf(call.args[i]!, w.startsWith('-f=') ? 3 : 2));
          else if (COMPOSE_VALUED.includes(w)) i++;
        }
        if (args.length > 0) out.push({ line: lineOf(call.start), args });
        return;
      }
      if (name === 'docker' || name === 'podman' || name === 'nerdctl' || name === 'kubectl' || name === 'oc') return;
      const w = runs.unwrap(words, at);
      if (!w) return;
      if (!('next' in w)) {
        // `sh -c 'docker compose -f …'`: the script it is given, at the call's line.
        if (depth < 4) out.push(...(shellRuns(words[w.script]!, r, resolve, () => lineOf(call.start), depth + 1) ?? []));
        return;
      }
      // `env COMPOSE_FILE=a:b docker compose up`.
      if (name === 'env') for (let i = w.options; i < w.next; i++) if (words[i]!.startsWith('COMPOSE_FILE=')) composeFile(wordFrom(call.args[i]!, 'COMPOSE_FILE='.length), call.start);
      at = w.next;
    }
  };
  for (const call of parsed.calls) readCall(call);
  // `export COMPOSE_FILE=a:b` (alone, or a link of a chain): read again as the assignment it holds.
  const stmts: ShStmt[] = [...parsed.stmts];
  while (stmts.length > 0) {
    const s = stmts.pop()!;
    if (s.cmd.type === 'binary') stmts.push(s.cmd.x, s.cmd.y);
    else if (s.cmd.type === 'compound' && s.cmd.what === 'DeclClause') {
      const decl = script.slice(s.cmd.start, s.cmd.end);
      if (!/^export\s+[A-Za-z_]/.test(decl) || !decl.includes('COMPOSE_FILE')) continue;
      try {
        const calls = shell.parseShell(' '.repeat('export'.length) + decl.slice('export'.length)).calls;
        for (const c of calls) for (const a of c.assigns) if (a.name === 'COMPOSE_FILE' && !a.append) composeFile(a.value, s.cmd.start);
      } catch {
        // Read as the parser read the whole script: it parsed there.
      }
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The word less the first `n` characters of its first literal part (`COMPOSE_FILE=a:b` → `a:b`). */
function wordFrom(w: ShWord, n: number): ShWord {
  const [first, ...rest] = w.parts;
  if (first?.type !== 'lit') return w;
  return { parts: [{ ...first, value: first.value.slice(n) }, ...rest] };
}

function skip(words: readonly string[], from: number, valued: readonly string[]): number {
  let i = from;
  while (i < words.length && words[i]!.startsWith('-') && words[i] !== '-') {
    if (words[i] === '--') return i + 1;
    i += valued.includes(words[i]!) ? 2 : 1;
  }
  return i;
}

/** `a.yml:b.yml` → its files, split at the `:` of literal text (a value known only at run time is kept whole in its file). */
function splitPathList(pieces: readonly string[]): FileArg[] {
  const out: FileArg[] = [];
  let cur: string[] = [''];
  pieces.forEach((piece, k) => {
    if (k > 0) cur.push('');
    const parts = piece.split(':');
    parts.forEach((p, j) => {
      if (j > 0) {
        out.push({ pieces: cur });
        cur = [''];
      }
      cur[cur.length - 1] += p;
    });
  });
  out.push({ pieces: cur });
  return out
    .map((a) => ({ pieces: a.pieces.length === 1 ? [a.pieces[0]!.trim()] : a.pieces.map((p, i) => (i === 0 ? p.trimStart() : i === a.pieces.length - 1 ? p.trimEnd() : p)) }))
    .filter((a) => a.pieces.length > 1 || a.pieces[0] !== '');
}

const isVariable = (a: FileArg) => a.pieces.length > 1;

/** Whether a file argument may name `abs`: matched by its end (`./`, `../` aside); a value known only at run time may stand for any text. */
function mayName(arg: FileArg, abs: string): boolean {
  const file = abs.split(path.sep).join('/');
  const pieces = [...arg.pieces];
  pieces[0] = pieces[0]!.replace(/^(\.\.?\/)+/, '');
  if (pieces.length === 1) return file === pieces[0] || file.endsWith(`/${pieces[0]}`);
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = pieces.map(esc).join('.*');
  return new RegExp(`${pieces[0] === '' ? '' : '(^|/)'}${body}$`, 's').test(file);
}

/**
 * The runs of the repository that read `abs` by name, each with the files of the run resolved:
 * beside `abs` as the command names them (`-f deploy/a.yml -f deploy/b.yml`: b.yml beside a.yml),
 * undefined for a name with a variable or a file the repository does not hold. A text the tool
 * cannot read that names the file (its name in it) runs it alone.
 */
export function composeRunsOf(run: RunContext, abs: string): ComposeRun[] {
  const out: ComposeRun[] = [];
  for (const c of composeCommands(run)) {
    if (c.unread !== undefined) {
      if (c.unread.includes(path.basename(abs))) out.push({ where: c.where, files: [abs], self: 0 });
      continue;
    }
    const self = c.args.findIndex((a) => mayName(a, abs));
    if (self === -1) continue;
    out.push(withAbsent(c, { where: c.where, files: resolveFiles(run, c, self, abs), self }));
  }
  return out;
}

/** `r` with the literal names of `c` that name no file of the repository (where the naming entry is literal: the others are read beside it). */
function withAbsent(c: Command, r: ComposeRun): ComposeRun {
  if (isVariable(c.args[r.self]!) && !c.fromDir) return r;
  const absent = r.files.flatMap((f, i) => (f === undefined && i !== r.self && !isVariable(c.args[i]!) ? [i] : []));
  return absent.length > 0 ? { ...r, absent } : r;
}

/** The files of a command, `self` (which names `abs`) as `abs`, the others resolved as the command names them from the same folder. */
export function resolveFiles(run: RunContext, c: Command, self: number, abs: string): (string | undefined)[] {
  const own = c.args[self]!;
  const literal = !isVariable(own);
  return c.args.map((a, i): string | undefined => {
    if (i === self) return abs;
    if (isVariable(a) || path.isAbsolute(a.pieces[0]!)) return undefined;
    const name = a.pieces[0]!;
    // Relative to where the command runs, which is where `own` names `abs` from.
    const file = literal ? path.resolve(path.dirname(abs), path.posix.relative(path.posix.dirname(path.posix.join('/v/w/x/y/z', own.pieces[0]!)), path.posix.join('/v/w/x/y/z', name))) : path.resolve(path.dirname(abs), path.basename(name));
    return run.readText(file) !== undefined ? file : undefined;
  });
}

/** A run of Compose that merges several files: their paths are read from the first file's folder. */
export interface MergedRun {
  where: string;
  /** The files in order (undefined: one the tool cannot name). */
  files: (string | undefined)[];
}

export interface MergedRuns {
  runs: MergedRun[];
  /**
   * Files that every command naming them merges over a first file of the run, that Compose does
   * not pick without -f, that no command names through a variable or in a text the tool cannot
   * read, and that no compose file may extend: their paths are only ever read from another
   * file's folder. Any other file of a run may be read alone too, its paths from its own folder.
   */
  onlyMerged: Set<string>;
}

const DEFAULT_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml', 'compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/**
 * The commands of the repository that merge two files or more (`-f compose.yaml -f
 * deploy/prod/compose.prod.yaml`, `COMPOSE_FILE=a:b`), their files resolved from the first one
 * that names a compose file of `composeFiles` (beside the naming file when it names one so, or the
 * only one it may name). A command none of whose files the tool can tell is left out.
 */
export function mergedRuns(run: RunContext, composeFiles: readonly string[]): MergedRuns {
  const runs: MergedRun[] = [];
  const first = new Set<string>();
  const later = new Set<string>();
  const doubt = new Set<string>();
  const commands = composeCommands(run);
  for (const c of commands) {
    if (c.unread !== undefined) {
      for (const f of composeFiles) if (c.unread.includes(path.basename(f))) doubt.add(f);
      continue;
    }
    for (const a of c.args) if (isVariable(a)) for (const f of composeFiles) if (mayName(a, f)) doubt.add(f);
    let files: (string | undefined)[] | undefined;
    for (let i = 0; i < c.args.length && !files; i++) {
      const a = c.args[i]!;
      if (isVariable(a)) continue;
      const beside = path.resolve(c.dir, a.pieces[0]!);
      const candidates = composeFiles.filter((f) => mayName(a, f));
      const anchor = candidates.includes(beside) ? beside : candidates.length === 1 ? candidates[0] : undefined;
      if (anchor !== undefined) files = resolveFiles(run, c, i, anchor);
    }
    if (!files) {
      // Which files it names is unknown: any it may name may be read first.
      for (const a of c.args) for (const f of composeFiles) if (mayName(a, f)) doubt.add(f);
      continue;
    }
    files.forEach((f, i) => f !== undefined && (i === 0 ? first : later).add(f));
    if (files.length > 1) runs.push({ where: c.where, files });
  }
  const extended = (f: string) => composeFiles.some((g) => g !== f && (run.readText(g) ?? '').includes('extends') && (run.readText(g) ?? '').includes(path.basename(f)));
  const onlyMerged = new Set([...later].filter((f) => !first.has(f) && !doubt.has(f) && !DEFAULT_NAMES.includes(path.basename(f)) && !extended(f)));
  return { runs, onlyMerged };
}

const includesOf = new WeakMap<RunContext, { file: string; text: string }[]>();

/**
 * The compose files of the repository that `include:` `abs`: Compose loads each included file
 * as an application model of its own, its paths from its own folder, and copies its services
 * into the including one with their checks as written (an item's `path:` list merges its later
 * files over the first). Each is a run of `abs`, where the includer names it (file:line),
 * whether or not any command runs the includer: an `include` of the file from a file Compose
 * runs by default (`compose.yaml`) runs its check with `docker compose up`. Remote items
 * (`oci://`, a git URL) and names with a variable are not read.
 */
export function composeIncludesOf(run: RunContext, abs: string): ComposeRun[] {
  let includers = includesOf.get(run);
  if (!includers) {
    includers = [];
    const files = run.repositoryFiles().filter((f) => /\.ya?ml$/i.test(f));
    const may = files.length === 0 ? undefined : filesMayHold(run, files, String.raw`^include\s*:`, [':(icase)*.yaml', ':(icase)*.yml']);
    for (const f of files) {
      if (may !== undefined && !may.has(f)) continue;
      const text = run.readText(f);
      if (text !== undefined && /^include[ \t]*:/m.test(text)) includers.push({ file: f, text });
    }
    includesOf.set(run, includers);
  }
  const out: ComposeRun[] = [];
  const base = path.basename(abs);
  for (const { file, text } of includers) {
    if (file === abs || !text.includes(base)) continue;
    const parsed = yaml.parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!lib.isMap(root)) continue;
      const list = yaml.getPair(root, 'include')?.value;
      if (!lib.isSeq(list)) continue;
      for (const item of list.items) {
        // A string, or a map whose path: is a string or a list of them.
        const pathNode = lib.isMap(item) ? yaml.getPair(item, 'path')?.value : item;
        const names = lib.isSeq(pathNode) ? pathNode.items : [pathNode];
        const files = names.map((n) => {
          const v = lib.isScalar(n) && typeof n.value === 'string' ? n.value : undefined;
          return v === undefined || /[$]|^[a-z][\w+.-]*:\/\//i.test(v) || v.startsWith('oci:') ? undefined : path.resolve(path.dirname(file), v);
        });
        const self = files.indexOf(abs);
        if (self === -1) continue;
        const at = (lib.isScalar(names[self]) ? names[self].range?.[0] : undefined) ?? 0;
        const line = text.slice(0, at).split('\n').length;
        out.push({ where: `${path.relative(run.cwd, file).split(path.sep).join('/')}:${line} (include)`, files, self });
      }
    }
  }
  return out;
}

/**
 * Texts that name a compose file without running it: documentation, and the lists of tools that
 * match paths (`.dockerignore`, `.gitignore`, `.gitattributes`, `CODEOWNERS`).
 */
const NOT_RUNS = /\.(md|markdown|mdx|rst|txt|adoc|asciidoc|html?)$|(^|[\\/])(\.[\w-]*ignore|\.gitattributes|\.editorconfig|CODEOWNERS|OWNERS|CHANGELOG|CHANGES|NEWS|README|LICENSE|NOTICE)$/i;

/**
 * A Compose action of a workflow step whose `compose-file` input lists the files it merges, one a
 * line, its default ./docker-compose.yml: `hoverkraft-tech/compose-action@v2`,
 * `isbang/compose-action@v1.5.1` and their forks of that name, `adambirds/docker-compose-action`
 * (isbang's, renamed). Another action that names the file in any input is read by
 * composeAloneRunsOf as a run of it alone.
 */
const COMPOSE_ACTION = /(^|\/)compose-action(@|$)|^adambirds\/docker-compose-action(@|$)/i;

/**
 * Ansible's Compose modules (community.docker.docker_compose_v2, the older docker_compose): their
 * `files:` list merges its files in order, each relative to `project_src`.
 */
const ANSIBLE_COMPOSE = /^(community\.docker\.)?docker_compose(_v2)?$/;

const declaredOf = new WeakMap<RunContext, Command[]>();

/**
 * The runs of compose files that the repository declares, not as a command: a dev container's
 * `dockerComposeFile` (devcontainer.json: a string runs that file alone, a list merges its files
 * in order, paths from the JSON file's folder) and a workflow step's Compose action (`uses:
 * hoverkraft-tech/compose-action@…` or `isbang/compose-action@…`, its `compose-file` input: one
 * file a line, merged in order). Read once per run, among the files composeCommands' git search
 * gives (both say compose). A devcontainer.json the YAML parser cannot read (JSONC comments) and that
 * names a file is left to composeAloneRunsOf, which takes it as a run of the file alone.
 */
function declaredRuns(run: RunContext): Command[] {
  const known = declaredOf.get(run);
  if (known) return known;
  const out: Command[] = [];
  const files = run.repositoryFiles().filter((f) => /\.(ya?ml|json)$/i.test(f));
  // Both words say compose: composeCommands' search (one git call for both readers).
  const may = files.length === 0 ? undefined : filesMayHold(run, files, '(?i)compose', COMMAND_PATHSPECS);
  for (const f of files) {
    if (may !== undefined && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || !/dockerComposeFile|compose-action|docker_compose/.test(text)) continue;
    const parsed = yaml.parseYaml(text, { uniqueKeys: false });
    const rel = path.relative(run.cwd, f).split(path.sep).join('/');
    const argOf = (s: string): FileArg => ({ pieces: templated(s.trim()).split(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/) });
    if (parsed.error) {
      // A devcontainer.json with comments or trailing commas (JSONC, as the Dev Containers CLI reads it).
      const d = /\.json$/i.test(f) ? jsoncComposeFile(text) : undefined;
      if (d) out.push({ where: `${rel}:${lineAt(text, d.offset)} (dockerComposeFile)`, dir: path.dirname(f), args: d.names.map((n) => (n === undefined ? { pieces: ['', ''] } : argOf(n))), fromDir: true });
      continue;
    }
    for (const doc of parsed.docs) {
      lib.visit(doc, {
        Pair(_, pair) {
          if (!lib.isPair(pair) || !lib.isScalar(pair.key) || String(pair.key.value) !== 'dockerComposeFile') return;
          const v = pair.value;
          const items = lib.isSeq(v) ? v.items : [v];
          const names = items.map((n) => (lib.isScalar(n) && typeof n.value === 'string' ? n.value : undefined));
          // A name the tool cannot read: a file it cannot tell, as a variable stands.
          const args = names.map((n) => (n === undefined ? { pieces: ['', ''] } : argOf(n)));
          // Each path from the JSON file's folder (containers.dev/implementors/json_reference,
          // "dockerComposeFile": "Path or an ordered list of paths to Docker Compose files
          // relative to the devcontainer.json file"): `["../docker-compose.yml",
          // "docker-compose.yml"]` merges .devcontainer/docker-compose.yml over the root's.
          if (args.length > 0) out.push({ where: `${rel}:${lineAt(text, (v as { range?: [number] } | null)?.range?.[0] ?? 0)} (dockerComposeFile)`, dir: path.dirname(f), args, fromDir: true });
        },
        Map(_, map) {
          // An Ansible task of a Compose module: its `files:` merged in order (without it, the
          // project's default file: the way Compose reads it without -f).
          for (const item of map.items) {
            if (!lib.isPair(item) || !lib.isScalar(item.key) || !ANSIBLE_COMPOSE.test(String(item.key.value)) || !lib.isMap(item.value)) continue;
            const list = yaml.getPair(item.value, 'files')?.value;
            if (list === undefined || list === null) continue;
            const items = lib.isSeq(list) ? list.items : [list];
            const args = items.map((n) => (lib.isScalar(n) && typeof n.value === 'string' ? argOf(n.value) : { pieces: ['', ''] }));
            if (args.length > 0) out.push({ where: `${rel}:${lineAt(text, list.range?.[0] ?? 0)} (${String(item.key.value)})`, dir: run.cwd, args });
          }
          const uses = yaml.getPair(map, 'uses')?.value;
          if (!lib.isScalar(uses) || typeof uses.value !== 'string' || !COMPOSE_ACTION.test(uses.value)) return;
          const withMap = yaml.getPair(map, 'with')?.value;
          const input = lib.isMap(withMap) ? yaml.getPair(withMap, 'compose-file')?.value : undefined;
          // Without the input, the action runs its default, ./docker-compose.yml, with -f: alone.
          const value = lib.isScalar(input) ? (typeof input.value === 'string' ? input.value : undefined) : input === undefined ? './docker-compose.yml' : undefined;
          const args = value === undefined ? [{ pieces: ['', ''] }] : value.split('\n').filter((l) => l.trim() !== '').map(argOf);
          const at = (lib.isScalar(input) ? input.range?.[0] : uses.range?.[0]) ?? 0;
          if (args.length > 0) out.push({ where: `${rel}:${lineAt(text, at)} (${uses.value.replace(/@.*/, '')})`, dir: run.cwd, args });
        },
      });
    }
  }
  declaredOf.set(run, out);
  return out;
}

type Jsonc = typeof import('jsonc-parser');
let jsoncParser: Jsonc | undefined;
/** JSON with comments and trailing commas (devcontainer.json, tsconfig.json), read as its tools read it; undefined when broken even so. */
function jsoncTree(text: string): import('jsonc-parser').Node | undefined {
  jsoncParser ??= createRequire(import.meta.url)('jsonc-parser') as Jsonc;
  const errors: import('jsonc-parser').ParseError[] = [];
  const root = jsoncParser.parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  return errors.length > 0 ? undefined : root;
}

/** A JSONC file's top-level `dockerComposeFile`: its names in order (undefined: not a string), and where it is. */
function jsoncComposeFile(text: string): { names: (string | undefined)[]; offset: number } | undefined {
  const root = jsoncTree(text);
  const node = root && jsoncParser!.findNodeAtLocation(root, ['dockerComposeFile']);
  if (!node) return undefined;
  const items = node.type === 'array' ? (node.children ?? []) : [node];
  return { names: items.map((n) => (n.type === 'string' ? String(n.value) : undefined)), offset: node.offset };
}

/** A JSONC file's strings, keys and values, each with the top-level key it lies under (a top-level key: its own). Undefined when broken. */
function jsoncStrings(text: string): { value: string; offset: number; top: string | undefined }[] | undefined {
  const root = jsoncTree(text);
  if (!root) return undefined;
  const out: { value: string; offset: number; top: string | undefined }[] = [];
  const walk = (n: import('jsonc-parser').Node, top: string | undefined, depth: number) => {
    if (n.type === 'string') out.push({ value: String(n.value), offset: n.offset, top });
    else if (n.type === 'property') {
      const [k, v] = n.children ?? [];
      const name = depth === 1 && k ? String(k.value) : top;
      if (k) walk(k, name, depth);
      if (v) walk(v, name, depth);
    } else for (const c of n.children ?? []) walk(c, top, depth + (n.type === 'object' ? 1 : 0));
  };
  walk(root, undefined, 0);
  return out;
}

/**
 * Files commandsInFile reads a line at a time as texts it cannot read (unreadRuns): a line there
 * is a run only when it says -f/--file or COMPOSE_FILE, so one that names the file otherwise (a
 * Tiltfile's `docker_compose('docker-compose.base.yml')`, Tilt's Starlark API) is read here.
 */
const UNREAD_KINDS = /\.(toml|ps1|cmd|bat)$|(^|\/)Tiltfile$/;

/** YAML keys whose values are path filters, not runs: a workflow's `on.push.paths`, GitLab's `rules: changes:`. */
const PATH_FILTERS = new Set(['paths', 'paths-ignore', 'changes']);

const aloneOf = new WeakMap<RunContext, Map<string, ComposeRun[]>>();

/**
 * The runs of `abs` that are no command the tool reads: those declaredRuns gives (a dev
 * container, a workflow's Compose action, an Ansible Compose task), each with its files; and
 * every other file of the repository that names `abs` by its path: code above all (`new
 * DockerComposeEnvironment(dir, "compose.yml")`, Java's `new DockerComposeContainer(new
 * File("compose.yml"))`, Go's `compose.NewDockerCompose("compose.yml")`, Python's
 * `DockerCompose(path, compose_file_name=…)`: testcontainers and the like run it alone), a
 * Tiltfile's `docker_compose('compose.yml')`, TOML, PowerShell, and a string of a YAML or JSON
 * file that is none of those the readers read (another Compose action's input, a task of a tool
 * the tool does not know): each runs it alone, so a check turned off only by a file the commands
 * merge over it still runs there. Not the YAML and JSON strings the readers read (compose
 * commands, COMPOSE_FILE, dockerComposeFile, a known action's compose-file, an Ansible task's
 * files, a compose file's extends and include), path filters (`paths:`, `changes:`), YAML
 * comments, the scripts, Makefiles, Justfiles and .env files the command readers read,
 * documentation, path lists (`.dockerignore`, CODEOWNERS). Asked only of a check about to be
 * judged not run, once a file: git searches the repository for the file's name once.
 */
export function composeAloneRunsOf(run: RunContext, abs: string): ComposeRun[] {
  let byFile = aloneOf.get(run);
  if (!byFile) aloneOf.set(run, (byFile = new Map()));
  const known = byFile.get(abs);
  if (known) return known;
  const out: ComposeRun[] = [];
  byFile.set(abs, out);
  for (const c of declaredRuns(run)) {
    if (c.fromDir) {
      // Every entry from the naming file's folder: the one that is `abs`, the others beside.
      const named = c.args.map((a) => (isVariable(a) || path.isAbsolute(a.pieces[0]!) ? undefined : path.resolve(c.dir, a.pieces[0]!)));
      let self = named.indexOf(abs);
      if (self === -1) self = c.args.findIndex((a, i) => named[i] === undefined && mayName(a, abs));
      if (self !== -1) out.push(withAbsent(c, { where: c.where, files: named.map((f, i) => (i === self ? abs : f !== undefined && run.readText(f) !== undefined ? f : undefined)), self }));
      continue;
    }
    const self = c.args.findIndex((a) => mayName(a, abs));
    if (self !== -1) out.push(withAbsent(c, { where: c.where, files: resolveFiles(run, c, self, abs), self }));
  }
  const base = path.basename(abs);
  const posix = (f: string) => (path.sep === '/' ? f : f.split(path.sep).join('/'));
  const files = run.repositoryFiles().filter((f) => f !== abs && !NOT_RUNS.test(f) && (!COMMAND_FILES.test(posix(f)) || /\.(json|ya?ml)$/i.test(f) || UNREAD_KINDS.test(posix(f))));
  if (files.length === 0) return out;
  const may = filesMayHold(run, files, escapeRegExp(base));
  for (const f of files) {
    if (may !== undefined && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || !text.includes(base)) continue;
    const line = namingLine(f, text, abs);
    if (line !== undefined) out.push({ where: `${path.relative(run.cwd, f).split(path.sep).join('/')}:${line} (names it)`, files: [abs], self: 0 });
  }
  return out;
}

/**
 * Whether a YAML or JSON string is a compose command that yamlRuns reads as a run of `abs` (a
 * workflow's run:, package.json's scripts: `docker compose -f a.yml up`), or one it cannot read
 * (a script that does not parse, taken as a run of each file it names alone). A script that names
 * the file otherwise (`cp -f docker-compose.yml /srv/`) holds no such run: it is searched.
 */
function commandRuns(value: string, abs: string): boolean {
  if (!/compose/i.test(value) || !/-f|--file|COMPOSE_FILE/.test(value)) return false;
  const found = shellRuns(templated(value), readers, readers.shell.resolveWord, () => 1);
  return found === undefined || found.some((r) => r.unread !== undefined || r.args.some((a) => mayName(a, abs)));
}

/**
 * The first line of `text` (the file `f`) that names `abs` by its path and that the command
 * readers do not read as a run: a YAML or JSON file's strings (keys too) but those the readers
 * read and path filters; a Tiltfile's, TOML's or PowerShell's lines but `#` comments; any other
 * file's text. A YAML or JSON file the parser cannot read is read as text, comment lines aside.
 */
export function namingLine(f: string, text: string, abs: string): number | undefined {
  const base = path.basename(abs);
  // Starting only where a run of path characters starts: from inside one, each start would scan
  // the run to its end again (100 KB of `/`: 34 s; review20 #5).
  const naming = new RegExp(`(?<![\\w./@~-])([\\w./@~-]*/)?${escapeRegExp(base)}(?![\\w.-])`, 'g');
  // `deploy/../compose.yml`, `{{ playbook_dir }}/../compose.yml`: the path after its last `./`
  // or `../`; an absolute one (`/workspace/compose.yml`, in a container) may be this file; a
  // URL's (`https://example.com/compose.yml`) is none of the repository's.
  const names = (m: RegExpMatchArray) => {
    if (m[1]?.startsWith('//')) return false;
    const dir = (m[1] ?? '').replace(/^(.*\/)?\.\.?\//, '');
    return mayName({ pieces: [(dir.startsWith('/') ? '' : dir) + base] }, abs);
  };
  const rawLine = (comments: boolean) => {
    for (const m of text.matchAll(naming)) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (comments && /^\s*#/.test(text.slice(lineStart, m.index))) continue;
      if (names(m)) return lineAt(text, m.index);
    }
    return undefined;
  };
  const structured = /\.(json|ya?ml)$/i.test(f);
  if (!structured) return rawLine(UNREAD_KINDS.test(f.split(path.sep).join('/')));
  const parsed = yaml.parseYaml(text, { uniqueKeys: false });
  if (parsed.error && /\.json$/i.test(f)) {
    // JSON with comments (a devcontainer.json): its strings, as the YAML parser's below.
    const strings = jsoncStrings(text);
    if (strings === undefined) return rawLine(false);
    for (const s of strings) {
      if (s.top === 'dockerComposeFile' || commandRuns(s.value, abs)) continue;
      for (const m of s.value.matchAll(naming)) if (names(m)) return lineAt(text, s.offset) + (s.value.slice(0, m.index).match(/\n/g)?.length ?? 0);
    }
    return undefined;
  }
  if (parsed.error) return rawLine(true);
  const skip: [number, number][] = [];
  const skipValue = (n: unknown) => {
    const r = (n as { range?: [number, number] } | null | undefined)?.range;
    if (r) skip.push([r[0], r[1]]);
  };
  let found: number | undefined;
  for (const doc of parsed.docs) {
    lib.visit(doc, {
      Pair(_, pair) {
        if (!lib.isPair(pair) || !lib.isScalar(pair.key)) return;
        const k = String(pair.key.value);
        // Read by declaredRuns, the command readers, composeIncludesOf and the extends reader; or a path filter.
        if (k === 'dockerComposeFile' || k === 'COMPOSE_FILE' || k === 'include' || PATH_FILTERS.has(k)) skipValue(pair.value);
        else if ((k === 'extends' || ANSIBLE_COMPOSE.test(k)) && lib.isMap(pair.value)) skipValue(yaml.getPair(pair.value, k === 'extends' ? 'file' : 'files')?.value);
      },
      Map(_, map) {
        const uses = yaml.getPair(map, 'uses')?.value;
        if (!lib.isScalar(uses) || typeof uses.value !== 'string' || !COMPOSE_ACTION.test(uses.value)) return;
        const withMap = yaml.getPair(map, 'with')?.value;
        if (lib.isMap(withMap)) skipValue(yaml.getPair(withMap, 'compose-file')?.value);
      },
    });
    lib.visit(doc, {
      Scalar(key, node) {
        if (found !== undefined || typeof node.value !== 'string' || !node.range || !node.value.includes(base)) return;
        const at = node.range[0];
        if (skip.some(([s, e]) => s <= at && at < e)) return;
        if (key !== 'key' && commandRuns(node.value, abs)) return;
        for (const m of node.value.matchAll(naming)) {
          // `${{ hashFiles('docker-compose.yml') }}`: a cache key, no run.
          if (!names(m) || /hashFiles\([^)]*$/.test(node.value.slice(0, m.index))) continue;
          const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
          found = lineAt(text, at) + (block ? 1 : 0) + (node.value.slice(0, m.index).match(/\n/g)?.length ?? 0);
          return;
        }
      },
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

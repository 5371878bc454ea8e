/**
 * The ways the repository runs a compose file by name: the `docker compose -f a.yml -f b.yml`
 * (`--file`) command lines of its scripts, Makefiles, workflows and task files, and its
 * `COMPOSE_FILE=a.yml:b.yml` settings (`.env`, `export`, a workflow's `env:`). Each is the files
 * of one run in order: Compose merges a later one over an earlier one, field by field. A file
 * named through a variable (`-f $FILE`, `-f docker-compose.${ENV}.yml`) is one the tool cannot
 * name (undefined), and one it may be counts as run that way, with files unknown around it.
 */
import path from 'node:path';
import { filesMayHold } from '../discover/grep.js';
import type { RunContext } from '../types.js';

/** Files that may run `docker compose -f …` (scripts, Makefiles, CI workflows, task runners, .env). */
export const COMMAND_FILES = /(\.(sh|bash|zsh|mk|ya?ml|json|toml|ps1|cmd|bat)|(^|\/)(GNUmakefile|[Mm]akefile|[Jj]ustfile|Taskfile[^/]*|Tiltfile|\.env[^/]*))$/;

/** One run of Compose on named files, as written: where (file:line), and each file argument in order. */
interface Command {
  where: string;
  /** The naming file's folder (a bare name may be beside it). */
  dir: string;
  args: string[];
}

/** One way the repository runs a compose file: the files Compose reads, in order (undefined: one the tool cannot name). */
export interface ComposeRun {
  where: string;
  files: (string | undefined)[];
  /** Where the file itself is in `files`. */
  self: number;
}

const commandsOf = new WeakMap<RunContext, Command[]>();

/** Every command line of the repository that names compose files with -f/--file or COMPOSE_FILE, read once per run. */
function commands(run: RunContext): Command[] {
  const known = commandsOf.get(run);
  if (known) return known;
  const out: Command[] = [];
  const files = run.allFiles().filter((f) => COMMAND_FILES.test(f.split(path.sep).join('/')));
  // Both forms say compose: the command, or COMPOSE_FILE.
  const may = files.length === 0 ? undefined : filesMayHold(run, files, '(?i)compose');
  for (const f of files) {
    if (may !== undefined && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || !/(-f|--file)\b|COMPOSE_FILE/.test(text)) continue;
    const where = path.relative(run.cwd, f).split(path.sep).join('/');
    for (const c of commandsInText(text)) out.push({ where: `${where}:${c.line}`, dir: path.dirname(f), args: c.args });
  }
  commandsOf.set(run, out);
  return out;
}

/**
 * The compose runs of a text: each command (lines joined at a trailing backslash, split at `&&`,
 * `||`, `;` and `|`) that says `compose` with its -f/--file arguments, and each COMPOSE_FILE
 * setting (its value split at `:`, the path separator of Compose but on Windows).
 */
export function commandsInText(text: string): { line: number; args: string[] }[] {
  const out: { line: number; args: string[] }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i]!;
    while (/\\\r?$/.test(logical) && i + 1 < lines.length) logical = logical.replace(/\\\r?$/, ' ') + lines[++i];
    if (/^\s*(#|\/\/)/.test(logical)) continue;
    for (const segment of logical.split(/&&|\|\||;|\|(?!\|)/)) {
      if (/compose/i.test(segment)) {
        const args = [...segment.matchAll(/(?:^|[\s"'`(])(?:-f|--file)(?:\s+|=)("[^"]*"|'[^']*'|[^\s"'`;|&)]+)/g)].map((m) => unquote(m[1]!));
        if (args.length > 0) out.push({ line: start + 1, args });
      }
      for (const m of segment.matchAll(/(?<![{$\w])COMPOSE_FILE["']?\s*(?:[:?+]?=|:)\s*("[^"]*"|'[^']*'|[^\s#;]+)/g)) {
        const args = splitPathList(unquote(m[1]!));
        if (args.length > 0) out.push({ line: start + 1, args });
      }
    }
  }
  return out;
}

function unquote(s: string): string {
  return /^(["']).*\1$/s.test(s) ? s.slice(1, -1) : s;
}

/** `a.yml:b.yml` → its files, a `${VAR:-x}` kept whole. */
function splitPathList(value: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let depth = 0;
  for (const ch of value) {
    if (ch === '{' && cur.endsWith('$')) depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const VARIABLE = /\$\{[^}]*\}|\$\(?[A-Za-z_][A-Za-z0-9_]*\)?/;

/** Whether a file argument may name `abs`: matched by its end (`./`, `../` aside); a variable may stand for any text. */
function mayName(arg: string, abs: string): boolean {
  const file = abs.split(path.sep).join('/');
  const tail = arg.replace(/^(\.\.?\/)+/, '');
  if (!VARIABLE.test(tail)) return file === tail || file.endsWith(`/${tail}`);
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = tail.split(new RegExp(VARIABLE.source));
  const body = parts.map(esc).join('.*');
  return new RegExp(`${parts[0] === '' ? '' : '(^|/)'}${body}$`, 's').test(file);
}

/**
 * The runs of the repository that read `abs` by name, each with the files of the run resolved:
 * beside `abs` as the command names them (`-f deploy/a.yml -f deploy/b.yml`: b.yml beside a.yml),
 * undefined for a name with a variable or a file the repository does not hold.
 */
export function composeRunsOf(run: RunContext, abs: string): ComposeRun[] {
  const out: ComposeRun[] = [];
  for (const c of commands(run)) {
    const self = c.args.findIndex((a) => mayName(a, abs));
    if (self === -1) continue;
    const own = c.args[self]!;
    const literal = !VARIABLE.test(own);
    const files = c.args.map((a, i): string | undefined => {
      if (i === self) return abs;
      if (VARIABLE.test(a) || path.isAbsolute(a)) return undefined;
      // Relative to where the command runs, which is where `own` names `abs` from.
      const file = literal ? path.resolve(path.dirname(abs), path.posix.relative(path.posix.dirname(path.posix.join('/v/w/x/y/z', own)), path.posix.join('/v/w/x/y/z', a))) : path.resolve(path.dirname(abs), path.basename(a));
      return run.readText(file) !== undefined ? file : undefined;
    });
    out.push({ where: c.where, files, self });
  }
  return out;
}

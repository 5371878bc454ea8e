/**
 * A Dockerfile read with dockerfile-ast, with offsets into the file's text (UTF-16 code units),
 * and RUN bodies read with the real shell parser (mvdan/sh, `src/analysis/shell.ts`).
 */
import type { Copy, Dockerfile, Flag, From, Instruction, JSONInstruction, Run } from 'dockerfile-ast';
import { parseShell, type ShScript, type ShSpan, type ShStmt } from '../analysis/shell.js';
import { requireBundled } from '../code-cache.js';
import { LineIndex, lineStartOf } from '../text/lines.js';
import { escapeRegExp } from '../text/regexp.js';

export interface DockerInstruction {
  node: Instruction;
  keyword: string;
  /** [start, end) of the instruction text (keyword to last character, continuations included). */
  start: number;
  end: number;
  /** Start of the arguments (after the keyword and its whitespace), or `end` when there are none. */
  argsStart: number;
  /** Index of the build stage (0-based; -1 for instructions before the first FROM). */
  stage: number;
}

export interface ParsedDockerfile {
  text: string;
  lines: LineIndex;
  ast: Dockerfile;
  escape: string;
  instructions: DockerInstruction[];
}

let parser: typeof import('dockerfile-ast').DockerfileParser | undefined;

/**
 * Loaded when a run first meets a Dockerfile: from the one-file bundle the build makes of it
 * (scripts/vendor.mjs), with V8's code cache, ~15 ms against ~40 ms for its 37 files.
 */
function dockerfileParser(): typeof import('dockerfile-ast').DockerfileParser {
  if (!parser) parser = requireBundled<typeof import('dockerfile-ast')>('dockerfile-ast').DockerfileParser;
  return parser;
}

/**
 * The longest instruction (its lines joined at their continuations) the tool hands to dockerfile-ast,
 * in characters. Its parse, and its ranges' offsets (getArgumentsRange, positionAt), cost ~1–2 us per
 * character of a line, several times over: a 3 MB one-line RUN took ~12 s and 1 GB. Real instructions
 * are a few KB, and a RUN over the shell parser's 64 KB (SHELL_PARSE_MAX_BYTES) is already not read
 * as shell; 256 KB leaves those to that cap's message and keeps a parse well under a second.
 */
export const INSTRUCTION_MAX_CHARS = 256 * 1024;

const INSTRUCTION_KEYWORDS = new Set(['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']);

/** A Dockerfile with an instruction over INSTRUCTION_MAX_CHARS: not parsed at all, so not understood. */
export class InstructionTooLargeError extends Error {
  constructor(
    /** [start, end) of the instruction in the file. */
    readonly start: number,
    readonly end: number,
    readonly line: number,
    readonly what: string,
    readonly bytes: number,
  ) {
    super(`${what} on line ${line} is ${Math.ceil(bytes / 1024)} KB, over the ${INSTRUCTION_MAX_CHARS / 1024} KB the tool reads of one instruction`);
  }
}

/**
 * The first instruction over INSTRUCTION_MAX_CHARS (a comment line counts as one), found without
 * parsing: lines joined while they end with the escape character (`\`, or the one `# escape=` names),
 * comment and blank lines inside a continuation being part of it, as Docker reads them.
 */
export function oversizedInstruction(text: string): InstructionTooLargeError | undefined {
  if (text.length <= INSTRUCTION_MAX_CHARS) return undefined;
  // Parser directives (`# escape=``) come first, before any other line.
  let escape = '\\';
  for (const l of text.slice(0, 4096).split('\n')) {
    const d = /^\s*#\s*([A-Za-z][\w-]*)\s*=\s*(\S*)\s*$/.exec(l);
    if (!d) break;
    if (d[1]!.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) escape = d[2];
  }
  let start = -1;
  let startLine = 0;
  let continued = false;
  for (let at = 0, line = 1; at < text.length; line++) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    const content = text.slice(at, end).trim();
    if (!continued) {
      start = at;
      startLine = line;
    }
    if (end - start > INSTRUCTION_MAX_CHARS) {
      const first = text.slice(start, Math.min(end, start + 64)).trim();
      // A line that starts with no instruction's keyword (a here-document's body) is said as a line.
      const keyword = /^[A-Za-z]+/.exec(first)?.[0].toUpperCase();
      const what = first.startsWith('#') ? 'a comment' : keyword && INSTRUCTION_KEYWORDS.has(keyword) ? keyword : 'a line';
      // Where it ends: the end of the line that ends the continuation.
      let stop = end;
      for (let c = content.endsWith(escape) || content === '' || content.startsWith('#'); c && stop < text.length; ) {
        const next = text.indexOf('\n', stop + 1);
        const to = next === -1 ? text.length : next;
        const l = text.slice(stop + 1, to).trim();
        stop = to;
        c = l.endsWith(escape) || l === '' || l.startsWith('#');
      }
      return new InstructionTooLargeError(start, stop, startLine, what, Buffer.byteLength(text.slice(start, stop)));
    }
    // A comment or blank line inside a continuation is dropped by Docker: the instruction goes on.
    if (continued) continued = content === '' || content.startsWith('#') || content.endsWith(escape);
    else continued = !content.startsWith('#') && content !== '' && content.endsWith(escape);
    at = end + 1;
  }
  return undefined;
}

/**
 * Parses already made, by text: a Dockerfile's analysis, the check of its planned rewrite (the
 * file's own text when it plans none), the check of the rewrite written (the same text, when it
 * is that rewrite) and the reading of the images it builds on share one. Bounded by the characters
 * they hold, oldest dropped first: a parse tree is ~150 bytes a character, and the 1 M characters
 * kept are hundreds of ordinary Dockerfiles.
 */
const parses = new Map<string, ParsedDockerfile>();
let parsedChars = 0;
const PARSES_MAX_CHARS = 1024 * 1024;

/** Throws InstructionTooLargeError, before any parsing, for a file with an instruction over INSTRUCTION_MAX_CHARS. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const known = parses.get(text);
  if (known) return known;
  const tooLarge = oversizedInstruction(text);
  if (tooLarge) throw tooLarge;
  const parsed = parseNew(text);
  if (text.length <= PARSES_MAX_CHARS) {
    for (const [t] of parses) {
      if (parsedChars + text.length <= PARSES_MAX_CHARS) break;
      parses.delete(t);
      parsedChars -= t.length;
    }
    parses.set(text, parsed);
    parsedChars += text.length;
  }
  return parsed;
}

/** A Dockerfile the tool did not parse (an instruction over INSTRUCTION_MAX_CHARS): its text, and no instructions. */
export function unparsedDockerfile(text: string): ParsedDockerfile {
  return { text, lines: new LineIndex(text), ast: dockerfileParser().parse(''), escape: '\\', instructions: [] };
}

function parseNew(text: string): ParsedDockerfile {
  const ast = dockerfileParser().parse(text);
  const lines = new LineIndex(text);
  const at = (p: { line: number; character: number }) => lines.offset(p.line, p.character);
  let stage = -1;
  const instructions = ast.getInstructions().map((node) => {
    const keyword = node.getKeyword();
    if (keyword === 'FROM') stage++;
    const range = node.getRange();
    const args = node.getArgumentsRange();
    return { node, keyword, start: at(range.start), end: at(range.end), argsStart: args ? at(args.start) : at(range.end), stage };
  });
  return { text, lines, ast, escape: ast.getEscapeCharacter(), instructions };
}


/**
 * The FROM of the earlier stage a name refers to (`FROM base`, `COPY --from=builder`), as Docker
 * resolves it: a stage named so before `before`. A stage's name is not an image, even when it
 * names the binary (`FROM without-grpc-health-probe-bin`).
 */
export function stageNamed(parsed: ParsedDockerfile, name: string, before: number): DockerInstruction | undefined {
  const wanted = name.toLowerCase();
  if (!wanted) return undefined;
  return parsed.instructions.filter((i) => i.keyword === 'FROM' && i.start < before && ((i.node as From).getBuildStage() ?? '').toLowerCase() === wanted).pop();
}

/** The image a FROM builds on, through the earlier stages it names: `FROM base` where `FROM alpine AS base` is alpine. */
export function baseImageOf(parsed: ParsedDockerfile, from: DockerInstruction): string {
  let cur = from;
  for (let hops = 0; hops < parsed.instructions.length; hops++) {
    const image = withGlobalArgs(parsed, (cur.node as From).getImage() ?? '');
    const earlier = stageNamed(parsed, image, cur.start);
    if (!earlier) return image;
    cur = earlier;
  }
  return '';
}

/**
 * A FROM's image with the ARGs declared before the first FROM put in, as their defaults
 * (`ARG PROBE_IMAGE=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28` then `FROM ${PROBE_IMAGE}`):
 * the only variables a FROM can use. `${NAME:-word}` takes the word when the ARG has no default.
 * A variable with no value is left as written.
 */
export function withGlobalArgs(parsed: ParsedDockerfile, image: string): string {
  if (!image.includes('$')) return image;
  const defaults = new Map<string, string | null>();
  for (const i of parsed.instructions) {
    if (i.stage !== -1 || i.keyword !== 'ARG') continue;
    const p = (i.node as unknown as { getProperty(): { getName(): string; getValue(): string | null } | null }).getProperty();
    if (p) defaults.set(p.getName(), p.getValue());
  }
  return image.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (m, braced: string | undefined, word: string | undefined, bare: string | undefined) => {
    const value = defaults.get((braced ?? bare)!);
    return value ? value : word !== undefined ? word : m;
  });
}

/**
 * Where the text names the binary without using it: build stages (`AS <name>`, `FROM <earlier
 * stage>`, `--from=<earlier stage>`: a stage called `without-grpc-health-probe-bin`), and the image
 * of an earlier stage (`FROM ghcr.io/grpc-ecosystem/grpc-health-probe AS probe`, left for the other
 * files a mount or a COPY takes from it; left out with `stageImages: false`).
 */
export function stageNameRanges(parsed: ParsedDockerfile, opts: { stageImages?: boolean } = {}): [number, number][] {
  const out: [number, number][] = [];
  const at = (p: { line: number; character: number }) => parsed.lines.offset(p.line, p.character);
  const finalStage = parsed.instructions.filter((i) => i.keyword === 'FROM').length - 1;
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') {
      const from = ins.node as From;
      const stage = from.getBuildStageRange();
      if (stage) out.push([at(stage.start), at(stage.end)]);
      const image = from.getImageRange();
      if (image && stageNamed(parsed, from.getImage() ?? '', ins.start)) out.push([at(image.start), at(image.end)]);
      // An earlier stage built FROM the probe image runs nothing by itself: what takes the binary
      // out of it is an install the analysis reads (a COPY --from, a mount's cp), and a final
      // stage built on it is the health-check rule's use. One left for other files is no use.
      else if (image && ins.stage !== finalStage && opts.stageImages !== false) out.push([at(image.start), at(image.end)]);
    }
    const flags = (ins.node as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
    for (const f of flags) {
      const range = f.getValueRange();
      if (f.getName().toLowerCase() === 'from' && range && stageNamed(parsed, f.getValue() ?? '', ins.start)) out.push([at(range.start), at(range.end)]);
    }
  }
  return out;
}

/** Offset just past the newline that ends the line holding `offset` (text length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/**
 * A RUN body as the shell sees it, at the same offsets as the file: Docker joins `\`-continued
 * lines and drops comment lines inside them before the shell runs, so those characters become
 * spaces. One character of the view is one character of the file, but for a word cut by a
 * continuation (`grpc_health\` then `_probe`): Docker makes it one word, so the rest of the word
 * moves up to join it and the spaces go after it. Edits need joinedView, whose offsets are exact.
 */
export function shellView(text: string, start: number, end: number, escape: string): string {
  let out = '';
  // Spaces for what Docker took out, not yet written: held while a word goes on past it.
  let held = 0;
  const blank = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\r' || c === '\n';
  for (const piece of continuationPieces(text, start, end, escape)) {
    if (!piece.kept) {
      held += piece.end - piece.start;
      continue;
    }
    const line = text.slice(piece.start, piece.end);
    if (held > 0 && !blank(out[out.length - 1]) && !blank(line[0])) {
      const word = /^[^ \t\r\n]*/.exec(line)![0];
      out += word;
      if (word.length === line.length) continue;
      out += ' '.repeat(held) + line.slice(word.length);
    } else out += ' '.repeat(held) + line;
    held = 0;
  }
  return out + ' '.repeat(held);
}

/** The text of a RUN body as Docker passes it to the shell, and the file offset of each of its characters. */
export interface JoinedView {
  text: string;
  /** File offset of the view's character at `i` (`text.length`: the end of the body). */
  at(i: number): number;
}

/**
 * The script of a RUN as the shell reads it: its here-document (`heredoc`, from heredocScript), or
 * its lines joined at their continuations, with the file offset of each of its characters, so a
 * shell parser's place in it can be said as the file's line.
 */
export function runScriptView(text: string, ins: DockerInstruction, parsed: ParsedDockerfile, heredoc?: { start: number; end: number }): { text: string; at: (i: number) => number } {
  return heredoc ? { text: text.slice(heredoc.start, heredoc.end), at: (i: number) => heredoc.start + i } : joinedView(text, runBodyStart(text, ins, parsed.lines), ins.end, parsed.escape);
}

/**
 * A RUN body as Docker passes it to the shell: each escape character that continues a line is
 * taken out with its line break (and the blanks between them), and so are the comment and empty
 * lines inside the continuation. A word cut by a continuation is one word, as the shell gets it
 * (`…/download/v0.4.2\` then `8/grpc_health_probe-linux-amd64` is `…/v0.4.28/…`).
 */
export function joinedView(text: string, start: number, end: number, escape: string): JoinedView {
  let out = '';
  // Where each kept piece starts in the view and in the file.
  const views: number[] = [];
  const files: number[] = [];
  for (const piece of continuationPieces(text, start, end, escape)) {
    if (!piece.kept || piece.end === piece.start) continue;
    views.push(out.length);
    files.push(piece.start);
    out += text.slice(piece.start, piece.end);
  }
  const at = (i: number): number => {
    if (i >= out.length) return end;
    let lo = 0;
    let hi = views.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (views[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return files[lo]! + (i - views[lo]!);
  };
  return { text: out, at };
}

/** A RUN body cut into what Docker keeps and what it takes out (continuations, comment lines inside them), in file order. */
function continuationPieces(text: string, start: number, end: number, escape: string): { start: number; end: number; kept: boolean }[] {
  const pieces: { start: number; end: number; kept: boolean }[] = [];
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*\\r?\\n$`);
  let i = start;
  let continued = false;
  while (i < end) {
    const nl = text.indexOf('\n', i);
    const lineEnd = nl === -1 || nl >= end ? end : nl + 1;
    const line = text.slice(i, lineEnd);
    if (continued && /^[ \t]*(#.*)?\r?\n?$/.test(line)) {
      // A comment or empty line inside a continuation: Docker removes it.
      pieces.push({ start: i, end: lineEnd, kept: false });
      i = lineEnd;
      continue;
    }
    const m = continuation.exec(line);
    if (m) {
      pieces.push({ start: i, end: i + m.index, kept: true }, { start: i + m.index, end: lineEnd, kept: false });
      continued = true;
    } else {
      pieces.push({ start: i, end: lineEnd, kept: true });
      continued = false;
    }
    i = lineEnd;
  }
  return pieces;
}


/** A top-level command of a RUN body: the `&&`/`;` chain flattened. */
export interface Segment {
  stmt: ShStmt;
  /** [start, end) in the file (a `;` that ends the statement included). */
  start: number;
  end: number;
  /** Index of the top-level statement (line or `;`-separated) whose `&&` chain holds it. */
  top: number;
  /** Its text as the shell reads it: continuations joined, comment lines inside them dropped. */
  shellText: string;
}

export interface RunShell {
  file: ShScript;
  segments: Segment[];
  /** File offsets of a shell node. */
  span(node: ShSpan): { start: number; end: number };
}

/** Parses a RUN body (shell form) and flattens its top-level `&&` / `;` chain. Throws ShellParseError. */
export function parseRunBody(text: string, ins: DockerInstruction, bodyStart: number, escape: string): RunShell {
  const view = joinedView(text, bodyStart, ins.end, escape);
  return parseScriptAt(view.text, view.at);
}

/**
 * Parses a shell script found in the file, at `offset` or at the file offsets `at` gives for its
 * characters (a joined RUN body); segments and spans are file offsets. A span's end is just past
 * the file offset of its last character, so that it leaves out a continuation after it.
 */
export function parseScriptAt(view: string, offset: number | ((i: number) => number)): RunShell {
  const file = parseShell(view);
  const at = typeof offset === 'number' ? (i: number) => offset + i : offset;
  const span = (n: ShSpan) => ({ start: at(n.start), end: n.end > n.start ? at(n.end - 1) + 1 : at(n.start) });
  const segments: Segment[] = [];
  const flatten = (stmt: ShStmt, top: number): void => {
    const cmd = stmt.cmd;
    const plain = !stmt.negated && !stmt.background && stmt.redirects === 0;
    if (plain && cmd.type === 'binary' && cmd.op === '&&') {
      flatten(cmd.x, top);
      flatten(cmd.y, top);
      return;
    }
    segments.push({ stmt, ...span(stmt), top, shellText: view.slice(stmt.start, stmt.end) });
  };
  file.stmts.forEach((s, top) => flatten(s, top));
  return { file, segments, span };
}

/** Interpreters a here-document's `#!` line may name and still be a POSIX shell script. */
const SHELL_SHEBANG = /^#!\s*(\/usr)?\/bin\/(env\s+)?(sh|bash|ash|dash)(\s|$)/;

/** A shell that runs the here-document it reads on standard input as its script (`RUN <<EOT bash`). */
const STDIN_SHELL = /^((\/usr)?\/bin\/)?(sh|bash|ash|dash)$/;
/** A word of the opener line as the tool reads it: no quoting, expansion, glob, redirection or operator. */
const PLAIN_WORD = /^[A-Za-z0-9_.\/+,:%@=-]+$/;
/**
 * Options of `sh`/`bash`/`ash`/`dash` that leave the here-document the script that runs, as it
 * reads: `set` options (`-e`, `-u`, `-x`, `-v`, `-f`, `-a`, …) and bash's login and start-up
 * ones. Not among them: `-c` (a command string is the script), `-n` (nothing runs), `-i`, `-t`
 * (one command runs), `-k`, `-r` (restricted), `-D`, and any the tool does not know.
 */
const STDIN_SHELL_FLAGS = new Set('abefhmpuvxBCEHPTlIqV'.split(''));
/** `-o`/`+o` names that leave what runs as it reads (not `noexec`, `onecmd`, `keyword`). */
const STDIN_SHELL_SET_O = new Set([
  'allexport', 'braceexpand', 'emacs', 'errexit', 'errtrace', 'functrace', 'hashall', 'histexpand', 'history',
  'ignoreeof', 'interactive-comments', 'monitor', 'noclobber', 'noglob', 'nolog', 'notify', 'nounset', 'physical',
  'pipefail', 'posix', 'privileged', 'verbose', 'vi', 'xtrace',
]);
/** bash's `-O`/`+O` shell options that leave what runs as it reads (not `expand_aliases`). */
const STDIN_SHELL_SHOPT = new Set(['dotglob', 'extglob', 'failglob', 'globstar', 'inherit_errexit', 'lastpipe', 'nocaseglob', 'nullglob']);
/** bash's long options that leave what runs as it reads (not `--rcfile`, `--restricted`, `--version`…). */
const STDIN_SHELL_LONG = new Set(['--login', '--noediting', '--noprofile', '--norc', '--posix', '--verbose']);

/**
 * Why the words around a here-document's opener (`RUN <<EOT bash -e`, `RUN bash -e <<EOT`) are
 * not a POSIX shell (or bash) that runs the here-document on its standard input as its script,
 * or undefined when they are. Such a shell reads its script from standard input when no operand
 * follows its options (`-s` says so; operands after `-s` are `$1`…, after none the first is a
 * script file whose input the here-document is), as bash(1) and dash(1) say.
 */
function stdinShellRefusal(words: string[]): string | undefined {
  let argv = words;
  if (/^((\/usr)?\/bin\/)?env$/.test(argv[0] ?? '')) argv = argv.slice(1);
  // `FOO=abc bash <<'EOT'`: the script reads a variable the tool does not see set.
  const assigned = argv.findIndex((w) => !/^[A-Za-z_]\w*=/.test(w));
  if (assigned > 0 && STDIN_SHELL.test(argv[assigned]!)) {
    return `a here-document that ${argv[assigned]!.slice(argv[assigned]!.lastIndexOf('/') + 1)} runs with variables set on its line (${argv[0]!.slice(0, argv[0]!.indexOf('=') + 1)}…), which the tool does not read`;
  }
  const shell = argv[0] ?? '';
  if (!STDIN_SHELL.test(shell)) return 'a here-document that a command reads, not a script';
  const name = shell.slice(shell.lastIndexOf('/') + 1);
  let stdin = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (i + 1 < argv.length) return stdin ? `a here-document that ${name} -s runs with arguments ($1…) the tool does not read` : `a here-document that is the input of the script ${argv[i + 1]} that ${name} runs, not the script`;
      break;
    }
    if (a.startsWith('--')) {
      if (!STDIN_SHELL_LONG.has(a)) return `a here-document that ${name} runs with ${a}, an option the tool does not read`;
      continue;
    }
    if (!/^[-+][A-Za-z]+$/.test(a)) {
      if (a === '-' || a === '+') return `a here-document that ${name} runs with ${a}, an option the tool does not read`;
      return stdin ? `a here-document that ${name} -s runs with arguments ($1…) the tool does not read` : `a here-document that is the input of the script ${a} that ${name} runs, not the script`;
    }
    for (const flag of a.slice(1)) {
      if (flag === 'c') return `a here-document given to ${name} -c, which runs its command string instead`;
      if (flag === 's') {
        stdin = true;
        continue;
      }
      if (flag === 'o' || flag === 'O') {
        // The option's name is the next word (`-euo pipefail`).
        const opt = argv[++i];
        const known = flag === 'o' ? STDIN_SHELL_SET_O : STDIN_SHELL_SHOPT;
        if (opt === undefined || !known.has(opt)) return `a here-document that ${name} runs with ${a[0]}${flag} ${opt ?? ''}, an option the tool does not read`.replace(' ,', ',');
        continue;
      }
      if (!STDIN_SHELL_FLAGS.has(flag)) return `a here-document that ${name} runs with ${a[0]}${flag}, an option the tool does not read`;
    }
  }
  return undefined;
}

/**
 * Where the script of a RUN given as one here-document is, as file offsets of its content; or why
 * the tool does not read it as a shell script: several here-documents, one a command reads (`RUN
 * python3 <<EOF`), a `#!` line for another interpreter. BuildKit runs `RUN [flags] <<EOT` alone
 * as a script; `RUN <<EOT bash -e` (the Dockerfile reference's form, also `sh`, `ash`, `dash`,
 * the shell first or last) is `/bin/sh` giving the here-document to that shell on its standard
 * input, which runs it as its script, the same. With an unquoted delimiter `/bin/sh` expands the
 * here-document first (`$VAR`, `$(…)`: run as the script would run them, so read as they are), and
 * turns `\$` into `$`: a script written so is not what the shell runs, and is refused.
 */
export function heredocScript(text: string, ins: DockerInstruction, lines: LineIndex): { start: number; end: number } | string {
  const heredocs = (ins.node as Run).getHeredocs();
  if (heredocs.length !== 1) return 'more than one here-document';
  const h = heredocs[0]!;
  const opener = h.getStartRange();
  const openerStart = lines.offset(opener.start.line, opener.start.character);
  const openerEnd = lines.offset(opener.end.line, opener.end.character);
  const lineEnd = text.indexOf('\n', openerEnd);
  const bodyStart = runBodyStart(text, ins, lines);
  const before = text.slice(bodyStart, openerStart);
  const after = text.slice(openerEnd, lineEnd === -1 ? text.length : lineEnd);
  if (openerStart < bodyStart || before.includes('\n')) return 'a here-document that a command reads, not a script';
  const words = `${before} ${after}`.trim().split(/[ \t\r]+/).filter((w) => w !== '');
  const command = words.length > 0;
  if (command) {
    // The words up to the first that is more than a plain word (`bash -c 'cat > /x'`, `bash | tee`).
    const plain = words.findIndex((w) => !PLAIN_WORD.test(w));
    const refusal = stdinShellRefusal(plain === -1 ? words : words.slice(0, plain));
    if (refusal) return refusal;
    const shell = /env$/.test(words[0]!) ? words[1]! : words[0]!;
    if (plain !== -1) return `a here-document that ${shell.slice(shell.lastIndexOf('/') + 1)} reads, with more on its line than the shell (a pipe, a redirection, quoting or a variable)`;
  }
  // Without its closing line the here-document runs to the end of the file, swallowing what follows.
  if (!h.getDelimiterRange()) return `a here-document that no ${h.getName()} line closes`;
  const content = h.getContentRange();
  if (!content) return 'an empty here-document';
  const start = lines.offset(content.start.line, content.start.character);
  const end = lines.offset(content.end.line, content.end.character);
  const script = text.slice(start, end);
  // Read by a shell on its standard input, a `#!` line is a comment; run by BuildKit, the interpreter it names.
  if (!command && script.startsWith('#!') && !SHELL_SHEBANG.test(script)) return 'a here-document for another interpreter';
  if (command && !/['"\\]/.test(text.slice(openerStart, openerEnd)) && /\\[$`]/.test(script)) {
    return `a here-document that /bin/sh expands before the shell reads it, with \\$ or \\\` in it (quote the delimiter, <<'${h.getName()}', to give the shell the script as written)`;
  }
  return { start, end };
}

/** How a RUN gives its command: shell form, exec form (`RUN ["exe", ...]`) or a heredoc. */
export function runForm(ins: DockerInstruction, text?: string, escape = '\\'): 'shell' | 'exec' | 'heredoc' {
  const run = ins.node as Run;
  if (run.getHeredocs().length > 0) return 'heredoc';
  if (!run.getOpeningBracket()) return 'shell';
  // Docker's rule: the exec form is a JSON array of strings; anything else that starts with `[`
  // (`RUN [ "$ARCH" = amd64 ] && wget …`, a test) is a shell command.
  if (text === undefined) return 'exec';
  return execFormStrings(text, text.indexOf('[', ins.argsStart), ins.end, escape) ? 'exec' : 'shell';
}

/** One string of an exec-form (JSON array) instruction: its value, and where its quotes are in the file. */
export interface ExecFormString {
  value: string;
  /** [start, end) of the string in the file, quotes included. */
  start: number;
  end: number;
}

/**
 * The strings of an exec-form instruction (`COPY ["a", "b", "/dest/"]`, `RUN ["exe", "arg"]`)
 * from its `[` at `start` to the instruction's `end`, as Docker reads them: continuation lines
 * joined (the escape character and its line break removed, even inside a string), comment and
 * empty lines inside the continuation dropped, then the rest read as JSON (`\"`, `\\`, `\/`,
 * `\u002d`). Undefined when that is not a JSON array of strings, which Docker reads as the shell
 * form instead.
 */
export function execFormStrings(text: string, start: number, end: number, escape: string): ExecFormString[] | undefined {
  if (start < 0 || text[start] !== '[') return undefined;
  // The instruction as Docker joins it, with the file offset of each character kept.
  let joined = '';
  const at: number[] = [];
  const continuation = new RegExp(`${escapeRegExp(escape)}[ \\t]*\\r?\\n$`);
  let continued = false;
  for (let i = start; i < end; ) {
    const nl = text.indexOf('\n', i);
    const lineEnd = nl === -1 || nl >= end ? end : nl + 1;
    const line = text.slice(i, lineEnd);
    if (continued && /^[ \t]*(#.*)?\r?\n?$/.test(line)) {
      i = lineEnd;
      continue;
    }
    const m = continuation.exec(line);
    const keep = m ? m.index : line.length;
    for (let k = 0; k < keep; k++) at.push(i + k);
    joined += line.slice(0, keep);
    continued = m !== null;
    i = lineEnd;
  }
  const out: ExecFormString[] = [];
  let p = 1;
  const space = () => {
    while (p < joined.length && /\s/.test(joined[p]!)) p++;
  };
  space();
  if (joined[p] === ']') p++;
  else {
    for (;;) {
      space();
      if (joined[p] !== '"') return undefined;
      const open = p++;
      while (p < joined.length && joined[p] !== '"') p += joined[p] === '\\' ? 2 : 1;
      if (p >= joined.length) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(joined.slice(open, p + 1));
      } catch {
        return undefined;
      }
      out.push({ value: value as string, start: at[open]!, end: at[p]! + 1 });
      p++;
      space();
      if (joined[p] === ']') {
        p++;
        break;
      }
      if (joined[p] !== ',') return undefined;
      p++;
    }
  }
  space();
  return p >= joined.length ? out : undefined;
}

/** Offset where a RUN's command starts, after its flags (`--mount=...`). */
export function runBodyStart(text: string, ins: DockerInstruction, lines: LineIndex): number {
  const flags = (ins.node as Run).getFlags();
  if (flags.length === 0) return ins.argsStart;
  const last = flags[flags.length - 1]!.getRange().end;
  let at = lines.offset(last.line, last.character);
  while (at < ins.end && /\s/.test(text[at]!)) at++;
  return at;
}

/** An image or build stage an instruction reads from. */
export interface InstructionSource {
  /** As written: an image reference, a stage name or a stage's index. */
  ref: string;
  how: 'builds FROM' | 'copies from';
}

/** A source as written in the file: what names it, and where. */
export interface WrittenSource extends InstructionSource {
  /**
   * FROM's image; a `--from` flag (COPY's, and ADD's, which BuildKit refuses; an ONBUILD
   * trigger's too); a RUN mount's `from=` option.
   */
  via: 'image' | 'flag' | 'mount';
  /** [start, end) of the reference's text in the file. */
  start: number;
  end: number;
}

/**
 * What one instruction reads from outside its own stage: FROM's image, `COPY`/`ADD --from=`, and
 * `RUN --mount=…,from=`. Read from dockerfile-ast's flags and mount options, not from their text.
 * An ONBUILD's trigger counts as what it holds (`ONBUILD COPY --from=tools …`): BuildKit runs the
 * triggers of a stage in each stage built FROM it, and adds what they copy from as that build's
 * dependencies (convert.go, initOnBuildTriggers).
 */
export function sourcesOf(ins: DockerInstruction): InstructionSource[] {
  return writtenSources(ins).map(({ ref, how }) => ({ ref, how }));
}

/** sourcesOf, with where each reference is written (`lines`: the file's, for offsets). */
export function writtenSources(ins: DockerInstruction, lines?: LineIndex): WrittenSource[] {
  const out: WrittenSource[] = [];
  const at = (r: { start: { line: number; character: number }; end: { line: number; character: number } } | null) =>
    r && lines ? { start: lines.offset(r.start.line, r.start.character), end: lines.offset(r.end.line, r.end.character) } : { start: -1, end: -1 };
  if (ins.keyword === 'FROM') {
    const from = ins.node as From;
    const image = from.getImage();
    if (image) out.push({ ref: image, how: 'builds FROM', via: 'image', ...at(from.getImageRange()) });
    return out;
  }
  const node = ins.keyword === 'ONBUILD' ? (ins.node as unknown as { getTriggerInstruction(): Instruction | null }).getTriggerInstruction() : ins.node;
  if (!node) return out;
  const keyword = node.getKeyword().toUpperCase();
  // `ONBUILD FROM` and `ONBUILD ONBUILD` are refused by Docker.
  if (ins.keyword === 'ONBUILD' && (keyword === 'FROM' || keyword === 'ONBUILD')) return out;
  const flags = (node as unknown as { getFlags?: () => Flag[] }).getFlags?.() ?? [];
  for (const flag of flags) {
    const name = flag.getName().toLowerCase();
    if (name === 'from') {
      const v = flag.getValue();
      if (v) out.push({ ref: v, how: 'copies from', via: 'flag', ...at(flag.getValueRange()) });
    } else if (name === 'mount' && keyword === 'RUN') {
      // BuildKit reads a mount's keys in any case (parseMount lowercases them).
      for (const o of flag.getOptions()) if (o.getName().toLowerCase() === 'from' && o.getValue()) out.push({ ref: o.getValue()!, how: 'copies from', via: 'mount', ...at(o.getValueRange()) });
    }
  }
  return out;
}

/** A `--from` value BuildKit reads as a stage's index: what Go's strconv.Atoi takes. */
const STAGE_INDEX = /^[+-]?[0-9]{1,9}$/;

/** Whether a `--from` value names a stage by its index (`--from=1`). */
export function isStageIndex(ref: string): boolean {
  return STAGE_INDEX.test(ref);
}

/**
 * The stages a reference of `ins` names, as BuildKit resolves it (dockerfile2llb/convert.go), or
 * 'any' when it may name any stage: a variable the tool cannot resolve. FROM's image is read
 * with the ARGs before the first FROM at their defaults (`ARG BASE=tools` then `FROM ${BASE}`:
 * stage tools), and names a stage defined before it; a variable without a default may be set to
 * anything at build time (but where the text around it cannot be in a stage's name:
 * `${REGISTRY}/base:1.0` is an image). A `--from` flag names a stage by its name or by its index (toCommand:
 * findStateByIndex); BuildKit refuses a variable there, which is read as 'any' all the same. A
 * mount's `from=` is a name only (detectRunMount: findStateByName): `from=1` is an image. A stage's
 * name starts with a letter, so a number is never one. A name is read in any case; one several
 * stages share names each of them.
 */
export function referencedStages(parsed: ParsedDockerfile, ins: DockerInstruction, src: InstructionSource & { via?: WrittenSource['via'] }): number[] | 'any' {
  const via = src.via ?? (ins.keyword === 'FROM' ? 'image' : 'flag');
  const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const named = (name: string) => froms.filter((f) => ((f.node as From).getBuildStage() ?? '').toLowerCase() === name.toLowerCase()).map((f) => f.stage);
  // A variable may be set to any stage's name, unless what is written around it can be in none
  // (a stage's name is letters, digits, `-`, `_` and `.`): `${REGISTRY}/base:1.0` is an image.
  const mayNameStage = (ref: string) => /^[A-Za-z0-9_.-]*$/.test(ref.replace(/\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*/g, ''));
  if (via === 'image') {
    const image = withGlobalArgs(parsed, src.ref);
    if (image.includes('$')) return mayNameStage(image) ? 'any' : [];
    // The last stage of that name defined before this FROM (addState: statesByName).
    const stage = stageNamed(parsed, image, ins.start);
    return stage ? [stage.stage] : [];
  }
  if (src.ref.includes('$')) return mayNameStage(src.ref) ? 'any' : [];
  if (via === 'flag' && STAGE_INDEX.test(src.ref)) {
    const index = Number(src.ref);
    return index >= 0 && index < froms.length ? [index] : [];
  }
  return named(src.ref);
}

/** Shells whose scripts are not POSIX shell: Windows images run RUN's shell form with them. */
const NON_POSIX_SHELLS = new Set(['powershell', 'pwsh', 'cmd']);
/** Windows base images, whose default shell is `cmd /S /C` (mcr.microsoft.com/windows/servercore, …:8.0-nanoserver-ltsc2022). */
const WINDOWS_IMAGE = /(^|[/:\-.])(nanoserver|servercore|windowsservercore)([-:.@/]|$)|(^|\/)windows(\/|:|$)/i;

/**
 * The shell a shell-form instruction of `ins`'s stage runs with when it is not a POSIX shell
 * (`powershell`, `pwsh`, `cmd`), or undefined: the last SHELL before it in its stage, else what
 * the stage's base gives (an earlier stage's last SHELL, or a Windows image's `cmd`). An image
 * of another repository may set its own SHELL; unknown, it is read as POSIX, as before.
 */
export function nonPosixShell(parsed: ParsedDockerfile, ins: DockerInstruction): string | undefined {
  let cur = ins;
  for (let hops = 0; hops <= parsed.instructions.length; hops++) {
    const shell = parsed.instructions.filter((i) => i.keyword === 'SHELL' && i.stage === cur.stage && i.start < cur.start).pop();
    if (shell) {
      const args = execFormStrings(parsed.text, parsed.text.indexOf('[', shell.argsStart), shell.end, parsed.escape);
      const exe = args?.[0]?.value.split(/[\\/]/).pop()?.toLowerCase().replace(/\.exe$/, '');
      return exe !== undefined && NON_POSIX_SHELLS.has(exe) ? exe : undefined;
    }
    const from = parsed.instructions.find((i) => i.keyword === 'FROM' && i.stage === cur.stage);
    if (!from) return undefined;
    const image = withGlobalArgs(parsed, (from.node as From).getImage() ?? '');
    const earlier = stageNamed(parsed, image, from.start);
    if (!earlier) return WINDOWS_IMAGE.test(image) ? 'cmd' : undefined;
    // The earlier stage's shell is the one in force at its end.
    cur = { ...earlier, start: Number.MAX_SAFE_INTEGER };
  }
  return undefined;
}

type Properties = { getProperties(): { getName(): string; getValue(): string | null }[] };
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * A word of an ADD/COPY as Docker expands it before `ins`: `$NAME`, `${NAME}`, `${NAME:-word}`,
 * `${NAME:+word}` from the ARG and ENV defaults in scope (the stage's, a global ARG the stage
 * declares again without a value, the ENV of an earlier stage it is built FROM; an ENV wins over
 * an ARG of the same name). A variable with no known value is left as written.
 */
export function expandWord(parsed: ParsedDockerfile, ins: DockerInstruction, word: string): string {
  if (!word.includes('$')) return word;
  const globals = new Map<string, string | null>();
  for (const i of parsed.instructions) {
    if (i.stage !== -1 || i.keyword !== 'ARG') continue;
    for (const p of (i.node as unknown as Properties).getProperties()) globals.set(p.getName(), p.getValue());
  }
  const env = new Map<string, string>();
  const args = new Map<string, string>();
  const lookup = (name: string) => env.get(name) ?? args.get(name);
  const expand = (s: string) =>
    s.replace(VARIABLE, (m, braced: string | undefined, op: string | undefined, alt: string | undefined, bare: string | undefined) => {
      const value = lookup((braced ?? bare)!);
      if (op === '-') return value ? value : alt!;
      if (op === '+') return value ? alt! : '';
      return value ?? m;
    });
  // The stages this one is built FROM, oldest first: their ENV lives on in it.
  const chain: number[] = [ins.stage];
  for (let hops = 0; hops < parsed.instructions.length; hops++) {
    const from = parsed.instructions.find((i) => i.keyword === 'FROM' && i.stage === chain[0]);
    const earlier = from && stageNamed(parsed, withGlobalArgs(parsed, (from.node as From).getImage() ?? ''), from.start);
    if (!earlier) break;
    chain.unshift(earlier.stage);
  }
  for (const stage of chain) {
    args.clear();
    for (const i of parsed.instructions) {
      if (i.stage !== stage || (stage === ins.stage && i.start >= ins.start)) continue;
      if (i.keyword !== 'ARG' && i.keyword !== 'ENV') continue;
      for (const p of (i.node as unknown as Properties).getProperties()) {
        const raw = p.getValue();
        if (i.keyword === 'ENV') env.set(p.getName(), expand(raw ?? ''));
        else if (raw !== null) args.set(p.getName(), expand(raw));
        else if (globals.get(p.getName())) args.set(p.getName(), globals.get(p.getName())!);
      }
    }
  }
  return expand(word);
}

/**
 * The sources and destination a COPY or ADD names, in order: its JSON array's strings (escapes
 * read as Docker reads them), or its shell-form arguments without the flags (`--chown=…`).
 */
export function copyArguments(parsed: ParsedDockerfile, ins: DockerInstruction): string[] {
  const node = ins.node as unknown as Copy & JSONInstruction;
  const flags: Flag[] = node.getFlags();
  const bracket = node.getOpeningBracket();
  const strings = bracket ? execFormStrings(parsed.text, parsed.lines.offset(bracket.getRange().start.line, bracket.getRange().start.character), ins.end, parsed.escape) : undefined;
  if (strings) return strings.map((s) => s.value);
  return node
    .getArguments()
    .filter((a) => !flags.some((f) => f.getRange().start.line === a.getRange().start.line && f.getRange().start.character === a.getRange().start.character))
    .map((a) => a.getValue())
    .filter((v) => !v.startsWith('--'));
}

/**
 * Shell scripts that wrap the binary (`sh -c "..."` in probes, Dockerfile RUN bodies, `*.sh`
 * files), read with mvdan/sh (the `mvdan-sh` GopherJS build): the parser behind shfmt, faithful
 * to bash down to where a redirection belongs. Loaded on first use (~130 ms).
 *
 * Its syntax tree is turned at once, in one pass, into the small plain tree below, the only
 * shape the rest of the tool sees. Reading a GopherJS node is expensive: every field read wraps
 * a new object (~0.05 ms), so the rules must not walk mvdan's tree themselves — they did, three
 * times per RUN instruction, and that was most of the cost of a Dockerfile.
 *
 * tree-sitter-bash (WebAssembly) was measured as a faster parser (~250 ms less on the bench's
 * 20k files) and rejected: its grammar attaches a trailing redirection to a whole `&&` list,
 * takes words after a redirection for more redirection targets (`grpc_health_probe 2>/dev/null
 * -addr=:5000 -tls` loses `-tls`), reads `time cmd` as a command named `time`, and merges
 * statements into a `[ ]` test (tree-sitter-bash issues 233, 316, 345).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requireWithCodeCache } from '../code-cache.js';
import { openResultStore, type ResultStore } from '../result-store.js';
import { binaryPathOption, isBinaryPath } from './binary.js';
import { readTimeoutCommand, type TimeoutCommand } from './timeout-command.js';

/** Offsets into the parsed script (string offsets, like every other offset in the tool). */
export interface ShSpan {
  start: number;
  end: number;
}

/** A piece of a word: literal text (quotes removed, backslashes as written), a `$VAR`, or something run-time. */
export type ShPart =
  | { type: 'lit'; value: string }
  /**
   * `quoted`: inside double quotes, where the shell neither splits the value into words nor globs it.
   * `source`: an expansion that is not simple, as written (`${PORT:-50051}`), for messages.
   */
  | {
      type: 'param';
      name: string;
      simple: boolean;
      quoted: boolean;
      source?: string;
      /** `${X:-d}`, `${X-d}`, `${X:=d}`, `${X=d}` (and nothing else): the word `d` (the value when X is unset, or empty with `:`). */
      default?: ShWord;
      /** `${X[@]}`, `${X[*]}`, `${X[0]}` (and nothing else): the index, when it is a literal. */
      index?: string;
    }
  | { type: 'other'; what: string; source?: string };

export interface ShWord {
  parts: ShPart[];
}

export interface ShAssign {
  name: string;
  value?: ShWord;
  /** `A+=x`: appends to the value A had. */
  append?: true;
  /** `A=(x y)`: an array, of these elements. */
  array?: ShWord[];
  /** `A[i]=x`, `A=([k]=x)`: sets elements of an array by their index. */
  index?: true;
}

/** A simple command: `A=1 cmd arg...`, or assignments alone (`A=1 B=2`). */
export interface ShCall extends ShSpan {
  type: 'call';
  assigns: ShAssign[];
  args: ShWord[];
  /** Where the command's standard output goes when its own redirect names a file (`helm template … > out.yaml`): stdoutTarget. */
  writesTo?: ShWord;
}

/** `x && y`, `x || y`, `x | y`. */
export interface ShBinary extends ShSpan {
  type: 'binary';
  op: '&&' | '||' | '|' | '|&';
  x: ShStmt;
  y: ShStmt;
}

/** Everything else (`if`, `case`, loops, functions, `{ }`, `( )`, `[[ ]]`, `export`...). */
export interface ShCompound extends ShSpan {
  type: 'compound';
  /** mvdan/sh's node type, e.g. `ForClause`. */
  what: string;
}

export type ShCommand = ShCall | ShBinary | ShCompound;

export interface ShStmt extends ShSpan {
  cmd: ShCommand;
  negated: boolean;
  background: boolean;
  redirects: number;
  /** Every simple command inside, nested ones included (`$(...)`, `if` bodies), in source order. */
  readonly calls: ShCall[];
  /** Every variable read inside (`$X`, `${X:-y}`, `$?` as `?`). */
  readonly params: Set<string>;
  /** A loop or a function definition inside. */
  readonly loopOrFunction: boolean;
}

export interface ShScript {
  stmts: ShStmt[];
  calls: ShCall[];
  params: Set<string>;
  /**
   * Variables set other than by an assignment the calls hold (`X=1`): a `for`/`select` loop's
   * variable, `export X=1`, `local X`, `declare`/`readonly`/`typeset`, `${X:=1}`, `${X=1}`. A
   * reader that takes an assignment for the variable's value must not where one of these sets it.
   */
  setsOtherwise: ReadonlySet<string>;
  /** Each setting setsOtherwise names, at its place (only when there is one). */
  otherSets?: ShOtherSet[];
  /** Here-documents (`<<EOF`, `<<-EOF`), nested ones included, in source order. */
  heredocs: ShHeredoc[];
  /** The functions the script defines (`kc() { … }`, `function kc { … }`), nested ones included: their calls are the calls inside the span. */
  functions?: ShFunction[];
}

/**
 * A variable set other than by an assignment a call holds. `declaration`: an argument of `export`,
 * `local`, `declare`, `readonly`, `typeset` that sets it (`export X=1`, `local X`; a bare `export X`
 * or `readonly X` keeps the value, and is none), with the command's name, its option words
 * (`-r`, `-x`) and the value after `=`, as an assignment's. `loop`: `for X in`, `select X in`.
 * `default`: `${X:=d}`, `${X=d}`, with `d` as its value. The span is the whole declaration, loop or expansion.
 */
export interface ShOtherSet extends ShSpan {
  name: string;
  how: 'declaration' | 'loop' | 'default';
  variant?: string;
  options?: ShWord[];
  value?: ShWord;
  /** `+=`: appends to the value it had. */
  append?: true;
  /** `declare -a X=(…)`, `local X[1]=…`: an array or an element of one, not a plain value. */
  array?: true;
  /** `declare -a X=(x y)`: the array's elements (none when one names its index). */
  elements?: ShWord[];
}

/** A function definition: its name and its span (the calls of its body are the script's calls inside it). */
export interface ShFunction extends ShSpan {
  name: string;
}

/** A here-document's body (without its closing line), with the command it is the input of. */
export interface ShHeredoc extends ShSpan {
  /** Where its `<<` is: the body is read when the command there runs, not where the body stands. */
  opener: number;
  /** The words of that command (`kubectl apply -f -`, `cat`), when it is a simple command. */
  command?: ShWord[];
  /** Where that command's output goes: a `>` or `>>` target (`cat > deploy.yaml <<EOF`). */
  writesTo?: ShWord;
  /** The command a pipe passes that output to (`cat <<EOF | kubectl apply -f -`). */
  pipedTo?: ShWord[];
  /** `<<-EOF`: the shell takes the tabs at the start of each line of the body out. */
  stripTabs?: true;
  /**
   * Set when the delimiter is not quoted (`<<EOF`, not `<<'EOF'`): the shell expands `$X`,
   * `$(…)`, `$((…))` and backquotes in the body, and takes out the backslash before `$`, a
   * backquote, a backslash or a line break. These are the expansions, at script offsets.
   */
  expansions?: ShExpansion[];
}

/** An expansion in a here-document's body: `${PORT}`, `$(cat svc)`. */
export interface ShExpansion extends ShSpan {
  part: ShPart;
}

export class ShellParseError extends Error {}

/**
 * The largest script the tool parses, in UTF-8 bytes. mvdan-sh takes ~9 ms and ~1.3 MB of memory
 * per KB once loaded (measured: 64 KB 0.6 s, 256 KB 2.3 s / 450 MB, 1 MB 9 s / 1.4 GB), and a
 * RUN chain of 200k `&&` overflowed the stack. Real RUN chains, probe commands and wait scripts
 * are a few KB; 64 KB is ten times the longest seen and still parses in well under a second.
 */
export const SHELL_PARSE_MAX_BYTES = 64 * 1024;

/** A script over SHELL_PARSE_MAX_BYTES: not parsed, so not understood (callers keep the safe side). */
export class ShellTooLargeError extends ShellParseError {
  constructor(readonly bytes: number) {
    super(`${Math.ceil(bytes / 1024)} KB, over the ${SHELL_PARSE_MAX_BYTES / 1024} KB the tool parses`);
  }
}

/** Throws ShellTooLargeError for a script the tool does not parse. Cheap: a length test first. */
function checkSize(script: string): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most scripts are ruled in without counting.
  if (script.length * 3 <= SHELL_PARSE_MAX_BYTES) return;
  const bytes = Buffer.byteLength(script);
  if (bytes > SHELL_PARSE_MAX_BYTES) throw new ShellTooLargeError(bytes);
}

/**
 * Where in the script a parse error is, and what it says without its place: mvdan/sh starts its
 * message with `line:column: ` (the column in bytes, or `?` past what it counts), as a string
 * offset of the script (a column it does not count: the start of the line). No offset when the
 * message names no place in the script.
 */
export function shellErrorAt(script: string, message: string): { offset?: number; reason: string } {
  const m = /^(\d+):(\d+|\?): ([^]*)$/.exec(message);
  if (!m) return { reason: message };
  let lineStart = 0;
  for (let line = 1; line < Number(m[1]); line++) {
    const nl = script.indexOf('\n', lineStart);
    if (nl === -1) return { reason: m[3]! };
    lineStart = nl + 1;
  }
  const lineEnd = script.indexOf('\n', lineStart);
  const lineText = script.slice(lineStart, lineEnd === -1 ? script.length : lineEnd);
  // Bytes to characters: the UTF-8 of the line up to the column, decoded again.
  const column = m[2] === '?' ? 0 : Buffer.from(lineText).subarray(0, Number(m[2]) - 1).toString().length;
  return { offset: lineStart + Math.min(column, lineText.length), reason: m[3]! };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- mvdan-sh is a GopherJS build without types */
type MvNode = any;

interface MvSyntax {
  NewParser(...opts: unknown[]): { Parse(src: string, name: string): MvNode };
  KeepComments(keep: boolean): unknown;
  NodeType(n: MvNode): string;
  Walk(n: MvNode, f: (n: MvNode) => boolean): void;
}

let syntaxModule: MvSyntax | undefined;
let parser: { Parse(src: string, name: string): MvNode } | undefined;

function syntax(): MvSyntax {
  // Its compiled code is kept between runs (src/code-cache.ts): compiling it was a third of its load.
  syntaxModule ??= requireWithCodeCache<{ syntax: MvSyntax }>('mvdan-sh').syntax;
  return syntaxModule;
}

/**
 * The last scripts parsed, by text. A monorepo's Dockerfiles are often copies of one another, and
 * so are their install lines: the bench's 100 Dockerfiles share one RUN body, which is parsed and
 * read once. A tree is shared between callers: nothing may change it.
 */
const parsed = new Map<string, ShScript | ShellParseError>();
const PARSED_MAX = 256;

/** Parses a script. Throws ShellParseError with mvdan/sh's message (`line:col: what`), ShellTooLargeError over the size cap. */
export function parseShell(script: string): ShScript {
  checkSize(script);
  let result = parsed.get(script) ?? fromStore(script);
  if (result === undefined) {
    try {
      const view = withoutCrs(script);
      result = new Converter(syntax(), script, view).script(parseTree(view.text));
    } catch (e) {
      if (!(e instanceof ShellParseError)) throw e;
      result = e;
    }
    store()?.set(script, result instanceof ShellParseError ? { error: result.message } : result);
  }
  if (!parsed.has(script)) {
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
    parsed.set(script, result);
  }
  if (result instanceof ShellParseError) throw new ShellParseError(result.message);
  return result;
}

/** Only whether a script parses (throws ShellParseError), without reading its tree. */
export function checkShell(script: string): void {
  checkSize(script);
  const known = parsed.get(script) ?? fromStore(script, true);
  if (known instanceof ShellParseError) throw new ShellParseError(known.message);
  if (known !== undefined) return;
  try {
    parseTree(withoutCrs(script).text);
  } catch (e) {
    if (e instanceof ShellParseError) store()?.set(script, { error: e.message });
    throw e;
  }
  // A rewritten RUN body, checked before it is written: the next run checks it again.
  store()?.set(script, { parses: true });
}

// ---------------------------------------------------------------------------------------------
// Trees kept between runs (src/result-store.ts): a run whose scripts were all read before does not
// load mvdan-sh. Kept under this module's and the parser's own file hashes, so a new build or
// parser does not read an older tree.

/** A tree, an error, or only that the script parses (what checkShell learnt). */
type Stored = ShScript | { error: string } | { parses: true };
let treeStore: ResultStore<Stored> | undefined | null = null;

function store(): ResultStore<Stored> | undefined {
  if (treeStore !== null) return treeStore;
  let version: string;
  try {
    // This module by content, not size and mtime: an npm tarball gives every file one fixed
    // mtime (1985-10-26), so two builds whose shell.js differ by a character would share trees.
    // mvdan-sh by its published version and size: hashing its 1.5 MB took 3 ms of every run, and
    // a version on the registry never changes.
    const req = createRequire(import.meta.url);
    const { createHash } = req('node:crypto') as typeof import('node:crypto');
    const stamp = (file: string) => createHash('sha1').update(fs.readFileSync(file)).digest('base64');
    const parser = req.resolve('mvdan-sh');
    const { version: parserVersion } = JSON.parse(fs.readFileSync(path.join(path.dirname(parser), 'package.json'), 'utf8')) as { version?: string };
    version = `1|${process.version}|${stamp(fileURLToPath(import.meta.url))}|${String(parserVersion)}:${fs.statSync(parser).size}`;
  } catch {
    return (treeStore = undefined);
  }
  return (treeStore = openResultStore<Stored>('shell-trees', version));
}

function fromStore(script: string): ShScript | ShellParseError | undefined;
function fromStore(script: string, parsesIsEnough: true): ShScript | ShellParseError | true | undefined;
function fromStore(script: string, parsesIsEnough = false): ShScript | ShellParseError | true | undefined {
  const kept = store()?.get(script);
  if (kept === undefined) return undefined;
  if ('error' in kept) return new ShellParseError(kept.error);
  if ('parses' in kept) return parsesIsEnough ? true : undefined;
  return reviveScript(kept);
}

/**
 * A tree as V8's deserializer gives it back: the objects and their sharing are kept, the
 * statements' class is not (its getters read what a chain holds). Exported for its test.
 */
export function reviveScript(script: ShScript): ShScript {
  const stack: ShStmt[] = [...script.stmts];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (Object.getPrototypeOf(s) !== Stmt.prototype) Object.setPrototypeOf(s, Stmt.prototype);
    if (s.cmd.type === 'binary') stack.push(s.cmd.x, s.cmd.y);
  }
  return script;
}

/** Whether this process has loaded mvdan-sh (a run whose scripts were all kept does not). */
export function shellParserLoaded(): boolean {
  return syntaxModule !== undefined;
}

/**
 * The comments of a script, as string offsets. The plain tree drops comments, so the script is
 * parsed again with them kept: only for callers that must tell a comment from a use. Throws
 * ShellParseError.
 */
export function shellCommentRanges(script: string): [number, number][] {
  checkSize(script);
  const sh = syntax();
  const view = withoutCrs(script);
  let tree: MvNode;
  try {
    tree = sh.NewParser(sh.KeepComments(true)).Parse(view.text, '');
  } catch (e) {
    const err = e as { Error?: () => string };
    throw new ShellParseError(typeof err.Error === 'function' ? err.Error() : String(e));
  }
  const toString = view.offsets(byteToStringOffsets(view.text));
  const out: [number, number][] = [];
  sh.Walk(tree, (n: MvNode) => {
    if (n && sh.NodeType(n) === 'Comment') out.push([toString(n.Pos().Offset()), toString(n.End().Offset())]);
    return true;
  });
  return out;
}

/** The text mvdan/sh parses, and how its offsets map back to the script's. */
interface ParsedView {
  text: string;
  offsets(toString: (byte: number) => number): (byte: number) => number;
}

/**
 * A CRLF script as mvdan/sh should read it. The parser takes a CR inside a line as a blank, but
 * not at a here-document's closing line: `EOF\r` is not the delimiter `EOF`, and the script fails
 * with "unclosed here-document" (bash on Linux reads `<<EOF\r` as the delimiter `EOF\r`, which
 * that line closes). The CRs before line feeds are taken out, and the parser's offsets are moved
 * back past the ones taken out before them.
 */
function withoutCrs(script: string): ParsedView {
  if (!script.includes('\r\n')) return { text: script, offsets: (f) => f };
  // Where each CR taken out was, in the text without them (the offset of its line feed there).
  const removed: number[] = [];
  const text = script.replace(/\r\n/g, (_m, at: number) => {
    removed.push(at - removed.length);
    return '\n';
  });
  const back = (i: number) => {
    // CRs before offset i: those whose line feed is at an offset below i.
    let lo = 0;
    let hi = removed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (removed[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    return i + lo;
  };
  return { text, offsets: (f) => (b) => back(f(b)) };
}

function parseTree(script: string): MvNode {
  // One parser for the run: making one costs more than a parse (~2 ms against ~0.7 ms).
  parser ??= syntax().NewParser();
  try {
    return parser.Parse(script, '');
  } catch (e) {
    const err = e as { Error?: () => string };
    throw new ShellParseError(typeof err.Error === 'function' ? err.Error() : String(e));
  }
}

// ---------------------------------------------------------------------------------------------
// mvdan/sh → the plain tree, reading each node once

/** What a statement holds inside: gathered in the one pass, read through the ShStmt getters. */
interface Inside {
  calls: ShCall[];
  params: Set<string>;
  loopOrFunction: boolean;
}

const emptyInside = (): Inside => ({ calls: [], params: new Set(), loopOrFunction: false });

/**
 * A statement. A chain (`a && b || c`) is a nested tree of statements; what is inside a chain is
 * gathered from its links on first read, without recursion as deep as the chain.
 */
class Stmt implements ShStmt {
  cmd!: ShCommand;
  negated = false;
  background = false;
  redirects = 0;
  /** What the statement's own parts hold: its command (unless a chain) and its redirections. */
  readonly own: Inside = emptyInside();
  private inside: Inside | undefined;

  constructor(
    public start: number,
    public end: number,
  ) {}

  get calls(): ShCall[] {
    return this.gather().calls;
  }

  get params(): Set<string> {
    return this.gather().params;
  }

  get loopOrFunction(): boolean {
    return this.gather().loopOrFunction;
  }

  private gather(): Inside {
    if (this.inside) return this.inside;
    if (this.cmd.type !== 'binary') return (this.inside = this.own);
    const all = emptyInside();
    // Source order: a chain's links left to right, each statement's own parts after its command.
    const stack: (Stmt | Inside)[] = [this];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (!(s instanceof Stmt)) {
        all.calls.push(...s.calls);
        for (const p of s.params) all.params.add(p);
        all.loopOrFunction ||= s.loopOrFunction;
      } else if (s.cmd.type === 'binary') stack.push(s.own, s.cmd.y as Stmt, s.cmd.x as Stmt);
      else stack.push(s.own);
    }
    return (this.inside = all);
  }
}

const BINARY_OPS: Record<number, ShBinary['op']> = { 10: '&&', 11: '||', 12: '|', 13: '|&' };
const LOOPS_AND_FUNCTIONS = new Set(['ForClause', 'WhileClause', 'FuncDecl']);

/**
 * Whether redirect `r` sends standard output to the file its word names: `>`, `>>`, `>|` with no
 * descriptor or descriptor 1, `&>`, `&>>`, and `>&WORD` where WORD is not a descriptor number or
 * `-` (bash reads `>&FILE` as `&>FILE`).
 */
function stdoutRedirect(r: MvNode): boolean {
  const fd = r.N ? (r.N.Value as string) : undefined;
  if (r.Op === 64 || r.Op === 65) return true;
  if (fd !== undefined && fd !== '1') return false;
  if (r.Op === 54 || r.Op === 55 || r.Op === 60) return true;
  if (r.Op !== 59) return false;
  const parts = r.Word.Parts as MvNode[];
  const lit = parts.length === 1 && parts[0].Value !== undefined ? (parts[0].Value as string) : undefined;
  return lit !== undefined && !/^(?:\d+|-)$/.test(lit) && fd === undefined;
}

class Converter {
  private readonly toString: (byte: number) => number;
  /** ShScript.setsOtherwise, gathered by walkInto (loops and declarations are read by its walk). */
  private readonly setsOtherwise = new Set<string>();
  /** ShScript.functions, gathered by walkInto (a function definition is read by its walk). */
  private readonly functions: ShFunction[] = [];
  /** ShScript.otherSets, beside setsOtherwise. */
  private readonly otherSets: ShOtherSet[] = [];
  private readonly otherSetKeys = new Set<string>();

  /** `script_`: the script as written; `view`: what the parser read (src/analysis/shell.ts, withoutCrs). */
  constructor(
    private readonly sh: MvSyntax,
    private readonly script_: string,
    view: ParsedView,
  ) {
    this.toString = view.offsets(byteToStringOffsets(view.text));
  }

  script(file: MvNode): ShScript {
    const stmts = (file.Stmts as MvNode[]).map((s) => this.statement(s));
    const all = emptyInside();
    for (const s of stmts) {
      all.calls.push(...s.calls);
      for (const p of s.params) all.params.add(p);
    }
    // A second walk, only for scripts that may hold a here-document (the `<<` of `<<<` too).
    return { stmts, calls: all.calls, params: all.params, setsOtherwise: this.setsOtherwise, heredocs: this.script_.includes('<<') ? this.heredocs(file) : [], ...(this.functions.length > 0 ? { functions: this.functions } : {}), ...(this.otherSets.length > 0 ? { otherSets: this.otherSets } : {}) };
  }

  private heredocs(file: MvNode): ShHeredoc[] {
    const found: { heredoc: ShHeredoc; stmt: ShSpan }[] = [];
    const pipes: { x: ShSpan; y: MvNode }[] = [];
    this.sh.Walk(file, (n: MvNode) => {
      if (!n) return true;
      const type = this.sh.NodeType(n);
      if (type === 'BinaryCmd' && (n.Op === 12 || n.Op === 13)) pipes.push({ x: this.span(n.X), y: n.Y.Cmd });
      if (type !== 'Stmt') return true;
      const bodies: Omit<ShHeredoc, 'command' | 'writesTo' | 'pipedTo'>[] = [];
      for (const r of n.Redirs as MvNode[]) {
        if ((r.Op === 61 || r.Op === 62) && r.Hdoc) {
          const start = this.toString(r.Hdoc.Pos().Offset());
          const delimiter = resolveWord(this.word(r.Word, emptyInside()), () => undefined).text;
          const body: Omit<ShHeredoc, 'command' | 'writesTo' | 'pipedTo'> = { start, end: heredocEnd(this.script_, start, delimiter, r.Op === 62), opener: this.toString(r.OpPos.Offset()) };
          if (r.Op === 62) body.stripTabs = true;
          // Any quoting in the delimiter (`'EOF'`, `"EOF"`, `\EOF`, `E"OF"`) leaves the body as written.
          const word = r.Word.Parts as MvNode[];
          if (word.length === 1 && this.sh.NodeType(word[0]) === 'Lit' && !(word[0].Value as string).includes('\\')) {
            body.expansions = [];
            for (const p of r.Hdoc.Parts as MvNode[]) {
              if (this.sh.NodeType(p) === 'Lit') continue;
              const parts: ShPart[] = [];
              // Expanded in a here-document as inside double quotes: not split into words, not globbed.
              this.parts([p], parts, emptyInside(), true);
              body.expansions.push({ ...this.span(p), part: parts[0]! });
            }
          }
          bodies.push(body);
        }
      }
      if (bodies.length === 0) return true;
      const writesTo = this.stdoutTarget(n.Redirs as MvNode[]);
      const cmd = n.Cmd;
      const command = cmd && this.sh.NodeType(cmd) === 'CallExpr' ? this.call(cmd, emptyInside()).args : undefined;
      const stmt = this.span(n);
      for (const b of bodies) found.push({ heredoc: { ...b, ...(command ? { command } : {}), ...(writesTo ? { writesTo } : {}) }, stmt });
      return true;
    });
    for (const { heredoc, stmt } of found) {
      const pipe = pipes.find((p) => p.x.start <= stmt.start && stmt.end <= p.x.end);
      if (pipe?.y && this.sh.NodeType(pipe.y) === 'CallExpr') heredoc.pipedTo = this.call(pipe.y, emptyInside()).args;
    }
    return found.map((f) => f.heredoc).sort((a, b) => a.start - b.start);
  }

  /**
   * The file a statement's redirects send standard output to. mvdan/sh's RedirOperator: 54 `>`,
   * 55 `>>`, 59 `>&`, 60 `>|`, 61 `<<`, 62 `<<-`, 64 `&>`, 65 `&>>`. Only standard output's
   * redirects say where the command's output goes (`2>/dev/null` does not), the last one winning
   * as the shell applies them left to right.
   */
  private stdoutTarget(redirs: MvNode[]): ShWord | undefined {
    let to: ShWord | undefined;
    for (const r of redirs) {
      if (r.Word && stdoutRedirect(r)) to = this.word(r.Word, emptyInside());
      // `>&2`, `>&-`: standard output goes to another descriptor or nowhere, not to a file (`>&FILE`, which
      // bash reads as `&>FILE`, is a file: stdoutRedirect).
      else if (r.Op === 59 && (!r.N || r.N.Value === '1')) to = undefined;
    }
    return to;
  }

  private span(n: MvNode): ShSpan {
    return { start: this.toString(n.Pos().Offset()), end: this.toString(n.End().Offset()) };
  }

  private statement(s: MvNode): Stmt {
    const { start, end } = this.span(s);
    const stmt = new Stmt(start, end);
    stmt.negated = s.Negated;
    stmt.background = s.Background || s.Coprocess;
    const redirs = s.Redirs as MvNode[];
    stmt.redirects = redirs.length;
    const cmd = s.Cmd;
    stmt.cmd = cmd ? this.command(cmd, stmt.own) : { type: 'compound', what: 'none', start, end };
    const writesTo = redirs.length > 0 && stmt.cmd.type === 'call' ? this.stdoutTarget(redirs) : undefined;
    if (writesTo) (stmt.cmd as ShCall).writesTo = writesTo;
    // `> "$(cmd)"` runs a command too; a heredoc's body may expand variables.
    for (const r of redirs) this.walkInto(r, stmt.own);
    return stmt;
  }

  private command(cmd: MvNode, into: Inside): ShCommand {
    const type = this.sh.NodeType(cmd);
    if (type === 'BinaryCmd') {
      const x = this.statement(cmd.X);
      const y = this.statement(cmd.Y);
      return { type: 'binary', op: BINARY_OPS[cmd.Op as number] ?? '|', x, y, start: x.start, end: y.end };
    }
    if (type === 'CallExpr') {
      const call = this.call(cmd, into);
      return call;
    }
    // Anything else is read with mvdan/sh's own walk: loops, if, case, functions, [[ ]], ((...)).
    this.walkInto(cmd, into);
    return { type: 'compound', what: type, ...this.span(cmd) };
  }

  /** A simple command; its words' `$(...)` and `$VAR` go into `into` after the call itself. */
  private call(c: MvNode, into: Inside): ShCall {
    const call: ShCall = { type: 'call', assigns: [], args: [], ...this.span(c) };
    into.calls.push(call);
    for (const a of c.Assigns as MvNode[]) {
      const value = a.Value;
      const assign: ShAssign = { name: a.Name?.Value ?? '', ...(value ? { value: this.word(value, into) } : {}), ...(a.Append ? { append: true as const } : {}) };
      const elements = a.Array ? this.elements(a.Array) : undefined;
      if (elements) assign.array = elements;
      if (a.Index || (a.Array && !elements)) assign.index = true;
      call.assigns.push(assign);
      if (a.Array || a.Index) this.walkInto(a, into);
    }
    for (const w of c.Args as MvNode[]) call.args.push(this.word(w, into));
    return call;
  }

  /** An array's elements (`(kubectl --context x)`), converted on their own (the caller walks them); undefined when one names its index (`([k]=x)`). */
  private elements(array: MvNode): ShWord[] | undefined {
    const out: ShWord[] = [];
    for (const e of array.Elems as MvNode[]) {
      if (e.Index || !e.Value) return undefined;
      out.push(this.word(e.Value, emptyInside()));
    }
    return out;
  }

  private word(w: MvNode, into: Inside): ShWord {
    const parts: ShPart[] = [];
    this.parts(w.Parts as MvNode[], parts, into);
    return { parts };
  }

  private parts(ps: MvNode[], out: ShPart[], into: Inside, inDoubleQuotes = false): void {
    for (const p of ps) {
      const type = this.sh.NodeType(p);
      switch (type) {
        case 'Lit':
          // The parser keeps a literal as written: the shell removes its backslashes.
          out.push({ type: 'lit', value: unescapeLiteral(p.Value as string, inDoubleQuotes) });
          break;
        case 'SglQuoted':
          out.push({ type: 'lit', value: p.Value });
          break;
        case 'DblQuoted':
          this.parts(p.Parts as MvNode[], out, into, true);
          break;
        case 'ParamExp': {
          const name: string | undefined = p.Param?.Value;
          const simple = !p.Exp && !p.Index && !p.Slice && !p.Repl && !p.Length && !p.Excl && !p.Names;
          if (name) into.params.add(name);
          // ${A:-$B}, ${A/$x/y}: what is inside counts as read too.
          if (!simple) this.walkInto(p, into);
          if (!name) out.push({ type: 'other', what: type, source: this.sourceOf(p) });
          else if (simple) out.push({ type: 'param', name, simple, quoted: inDoubleQuotes });
          else {
            const { start, end } = this.span(p);
            const part: ShPart = { type: 'param', name, simple, quoted: inDoubleQuotes, source: this.script_.slice(start, end) };
            // A default alone (mvdan/sh's ParExpOperation: 70 `-`, 71 `:-`, 74 `=`, 75 `:=`), or an index alone.
            // The default's word is converted on its own (the walk above read what it runs).
            const others = p.Slice || p.Repl || p.Length || p.Excl || p.Names;
            if (!others && !p.Index && p.Exp && [70, 71, 74, 75].includes(p.Exp.Op as number)) {
              const parts: ShPart[] = [];
              if (p.Exp.Word) this.parts(p.Exp.Word.Parts as MvNode[], parts, emptyInside(), inDoubleQuotes);
              part.default = { parts };
            }
            const index = !others && !p.Exp ? (p.Index?.Parts as MvNode[] | undefined) : undefined;
            if (index?.length === 1 && this.sh.NodeType(index[0]) === 'Lit') part.index = index[0].Value as string;
            out.push(part);
          }
          break;
        }
        case 'CmdSubst':
        case 'ProcSubst':
          for (const s of p.Stmts as MvNode[]) {
            const inner = this.statement(s);
            into.calls.push(...inner.calls);
            for (const v of inner.params) into.params.add(v);
            into.loopOrFunction ||= inner.loopOrFunction;
          }
          out.push({ type: 'other', what: type, source: this.sourceOf(p) });
          break;
        default:
          this.walkInto(p, into);
          out.push({ type: 'other', what: type, source: this.sourceOf(p) });
      }
    }
  }

  /** A word part as the script wrote it (`$(POD_IP)`), for messages. */
  private sourceOf(n: MvNode): string | undefined {
    try {
      const { start, end } = this.span(n);
      return end > start ? this.script_.slice(start, end) : undefined;
    } catch {
      return undefined;
    }
  }

  /** `at`: where the setting is (a declaration's argument, not the declaration). */
  private setOtherwise(set: ShOtherSet, at = set.start): void {
    this.setsOtherwise.add(set.name);
    // A declaration's value is converted on its own, then walked: `export A=${B:=1}` meets B's default twice.
    const key = `${at}\0${set.how}\0${set.name}`;
    if (this.otherSetKeys.has(key)) return;
    this.otherSetKeys.add(key);
    this.otherSets.push(set);
  }

  /** mvdan/sh's walk over a node that is not a simple command or a chain: rarer, and read whole. */
  private walkInto(n: MvNode, into: Inside): void {
    // A statement's redirect belongs to the statement, its command is met next: by the command's offset.
    const writes = new Map<number, ShWord>();
    this.sh.Walk(n, (x: MvNode) => {
      if (!x) return true;
      const type = this.sh.NodeType(x);
      if (type === 'Stmt' && x.Cmd && (x.Redirs as MvNode[]).length > 0 && this.sh.NodeType(x.Cmd) === 'CallExpr') {
        const to = this.stdoutTarget(x.Redirs as MvNode[]);
        if (to) writes.set(x.Cmd.Pos().Offset() as number, to);
      }
      if (LOOPS_AND_FUNCTIONS.has(type)) into.loopOrFunction = true;
      if (type === 'FuncDecl' && x.Name?.Value) this.functions.push({ name: x.Name.Value as string, ...this.span(x) });
      if (type === 'ParamExp' && x.Param?.Value) into.params.add(x.Param.Value as string);
      // What sets a variable besides an assignment: `for X in`, `select X in` (WordIter),
      // `export X=1`, `local X` (DeclClause; a bare `export X`/`readonly X` keeps its value), and
      // `${X:=d}`, `${X=d}` (mvdan/sh's ParExpOperation 75 and 74).
      if (type === 'WordIter' && x.Name?.Value) this.setOtherwise({ name: x.Name.Value as string, how: 'loop', ...this.span(x) });
      if (type === 'DeclClause') {
        const variant = x.Variant?.Value as string | undefined;
        const keeps = variant === 'export' || variant === 'readonly';
        // mvdan/sh keeps an option word (`-r`) as a nameless, naked argument.
        const options: ShWord[] = [];
        for (const a of x.Args as MvNode[]) {
          if (!a.Name?.Value) {
            if (a.Naked && a.Value) options.push(this.word(a.Value, emptyInside()));
            continue;
          }
          if (keeps && a.Naked) continue;
          const set: ShOtherSet = { name: a.Name.Value as string, how: 'declaration', ...(variant ? { variant } : {}), options: [...options], ...this.span(x) };
          if (a.Append) set.append = true;
          if (a.Array || a.Index) set.array = true;
          const elements = a.Array ? this.elements(a.Array) : undefined;
          if (elements) set.elements = elements;
          this.setOtherwise(set, this.span(a).start);
          if (a.Value) set.value = this.word(a.Value, emptyInside());
        }
      }
      if (type === 'ParamExp' && x.Param?.Value && (x.Exp?.Op === 75 || x.Exp?.Op === 74)) this.setOtherwise({ name: x.Param.Value as string, how: 'default', ...this.span(x), value: x.Exp.Word ? this.word(x.Exp.Word, emptyInside()) : { parts: [] } });
      // The walk goes on below the call: what its words run or read is found there, so call()'s
      // own findings below it are dropped, not counted twice.
      if (type === 'CallExpr') {
        const call = this.call(x, emptyInside());
        const to = writes.get(x.Pos().Offset() as number);
        if (to) call.writesTo = to;
        into.calls.push(call);
      }
      return true;
    });
  }
}

/** A here-document's body as the command reads it, and the script offset of each of its characters. */
export interface HeredocText {
  text: string;
  /** Script offset of the text's character at i; at[text.length] is the body's end. */
  at: number[];
  /** The shell's expansions in it, at text offsets: replaced by their value when known, else left as written. */
  expansions: { start: number; end: number; written: string; value?: string }[];
}

/**
 * What the command given a here-document reads: with a quoted delimiter the body as written
 * (less the leading tabs of `<<-`); otherwise as the shell expands it, each `$X` that `env` knows
 * replaced by its value, the others left as written, and the backslashes the shell takes out
 * taken out.
 */
export function heredocText(script: string, h: ShHeredoc, env: EnvLookup): HeredocText {
  let text = '';
  const at: number[] = [];
  const expansions: HeredocText['expansions'] = [];
  const pending = [...(h.expansions ?? [])].sort((a, b) => a.start - b.start);
  let e = 0;
  for (let i = h.start; i < h.end; ) {
    if (h.stripTabs && (i === h.start || script[i - 1] === '\n') && script[i] === '\t') {
      i++;
      continue;
    }
    while (pending[e] && pending[e]!.start < i) e++;
    const x = pending[e];
    if (x && x.start === i) {
      const written = script.slice(x.start, x.end);
      const r = resolveWord({ parts: [x.part] }, env);
      const value = r.unresolved.length === 0 ? r.text : undefined;
      const shown = value ?? written;
      expansions.push({ start: text.length, end: text.length + shown.length, written, ...(value !== undefined ? { value } : {}) });
      for (let k = 0; k < shown.length; k++) at.push(value !== undefined ? x.start : x.start + k);
      text += shown;
      i = x.end;
      e++;
      continue;
    }
    if (h.expansions && script[i] === '\\' && i + 1 < h.end && '$`\\\n'.includes(script[i + 1]!)) {
      if (script[i + 1] !== '\n') {
        at.push(i + 1);
        text += script[i + 1];
      }
      i += 2;
      continue;
    }
    at.push(i);
    text += script[i];
    i++;
  }
  at.push(h.end);
  return { text, at, expansions };
}

/** Where a here-document's body ends: at its closing line (the delimiter alone, after tabs for `<<-`), or at the end of the script. */
function heredocEnd(script: string, start: number, delimiter: string, stripTabs: boolean): number {
  for (let at = start; at < script.length; ) {
    const nl = script.indexOf('\n', at);
    const line = script.slice(at, nl === -1 ? script.length : nl).replace(/\r$/, '');
    if ((stripTabs ? line.replace(/^\t+/, '') : line) === delimiter) return at;
    if (nl === -1) break;
    at = nl + 1;
  }
  return script.length;
}

/**
 * A literal as the shell passes it on (POSIX quote removal): outside quotes a backslash keeps the
 * next character and drops itself (`shop\\.Cart` is `shop.Cart`); inside double quotes only before
 * `$`, a backquote, `"`, a backslash or a newline. A backslash-newline is a line continuation.
 */
export function unescapeLiteral(value: string, inDoubleQuotes: boolean): string {
  if (!value.includes('\\')) return value;
  return inDoubleQuotes ? value.replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c)) : value.replace(/\\([\s\S])/g, (_, c: string) => (c === '\n' ? '' : c));
}

/** mvdan/sh reports UTF-8 byte offsets; edits and findings need string (UTF-16) offsets. */
export function byteToStringOffsets(s: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) map.push(i);
    if (cp > 0xffff) i++;
  }
  map.push(s.length);
  return (b) => map[Math.min(b, map.length - 1)]!;
}

// ---------------------------------------------------------------------------------------------
// What the rules ask of a script

/** Looks up a variable's literal value (a container's env, a Dockerfile's ENV/ARG...). */
export type EnvLookup = (name: string) => string | undefined;

export interface ResolvedWord {
  text: string;
  /** Names of variables (or `$(...)`) that could not be resolved to a literal; an expansion that is not simple as written (`${PORT:-50051}`). */
  unresolved: string[];
  /** The word with such an expansion as written, where `text` has `${PORT}` for it: for messages. */
  written?: string;
  /** Command substitutions in the word, as written (`$(POD_IP)`): each runs a command and gives its output. */
  substitutions?: string[];
}

/** What the shell does with a word part that is no literal and no variable, in words. */
const OTHER_PARTS: Record<string, string> = {
  CmdSubst: 'the command substitution',
  ProcSubst: 'the process substitution',
  ArithmExp: 'the arithmetic expansion',
  ExtGlob: 'the glob pattern',
  BraceExp: 'the brace expansion',
  ParamExp: 'the expansion',
};

/** A word part that is no literal and no variable, as a message says it (`the arithmetic expansion $((P+1))`). */
function describeOther(what: string, source: string | undefined): string {
  const kind = OTHER_PARTS[what] ?? 'the expansion';
  return source !== undefined ? `${kind} ${source}` : `an expansion (${kind.replace(/^the /, '')})`;
}

/** Characters of a value that an unquoted expansion splits on (default IFS) or globs with. */
const SPLITS_OR_GLOBS = /[\s*?[]/;

/**
 * `${GRPC_PORT:-8181}` (or `${GRPC_PORT-8181}`) where the lookup gives the variable a literal
 * value: the shell gives that value, unless it is empty and the operator has the colon (`:-`
 * treats an empty value as unset), where it gives the default. Undefined for any other expansion,
 * and where the lookup has no value: whether the variable is set then (by the image's ENV, say)
 * is not known here.
 */
function defaultedValue(source: string, env: EnvLookup): string | undefined {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?)-([A-Za-z0-9_.:/@%+,-]*)\}$/.exec(source);
  if (!m) return undefined;
  const v = env(m[1]!);
  if (v === undefined) return undefined;
  return v === '' && m[2] === ':' ? m[3]! : v;
}

/** The blanks the shell splits an unquoted expansion's value at (default IFS). */
const IFS_BLANKS = /[ \t\n]+/;

/**
 * The words the shell makes of `word` by field splitting: an unquoted simple `$K` whose literal
 * value (from env) holds blanks gives a word at each run of them, as the shell does with the
 * default IFS (`K="microk8s kubectl"; $K patch …` runs `microk8s` with the words `kubectl patch
 * …`). A value with a glob character (`*`, `?`, `[`) is not split (resolveWord says it is known
 * only at run time), unless `globs` is true: a reading of the words as a script's text (eval's),
 * where a pattern that matches no file stays as written. A value of blanks alone gives no word.
 * Each word is returned as a word of its parts, for the caller's own resolve; a word with nothing
 * to split is returned as it is.
 */
export function fieldsOf(word: ShWord, env: EnvLookup, globs = false): ShWord[] {
  const splits = (p: ShPart): string | undefined => {
    if (p.type !== 'param' || !p.simple || p.quoted) return undefined;
    const v = env(p.name);
    return v !== undefined && IFS_BLANKS.test(v) && (globs || !/[*?[]/.test(v)) ? v : undefined;
  };
  if (!word.parts.some((p) => splits(p) !== undefined)) return [word];
  const fields: ShPart[][] = [[]];
  for (const p of word.parts) {
    const v = splits(p);
    if (v === undefined) {
      fields[fields.length - 1]!.push(p);
      continue;
    }
    v.split(IFS_BLANKS).forEach((piece, k) => {
      if (k > 0) fields.push([]);
      if (piece !== '') fields[fields.length - 1]!.push({ type: 'lit', value: piece });
    });
  }
  return fields.filter((f) => f.length > 0).map((parts) => ({ parts }));
}

/** The literal value of a shell word; expansions are resolved from env or recorded. */
export function resolveWord(word: ShWord, env: EnvLookup): ResolvedWord {
  let text = '';
  const unresolved: string[] = [];
  const substitutions: string[] = [];
  // The same text, with each expansion that is not simple as written.
  let written = '';
  let rewritten = false;
  for (const p of word.parts) {
    const before = text.length;
    if (p.type === 'lit') text += p.value;
    else if (p.type === 'param' && !p.simple && p.source !== undefined && defaultedValue(p.source, env) !== undefined) {
      const v = defaultedValue(p.source, env)!;
      if (!p.quoted && SPLITS_OR_GLOBS.test(v)) {
        unresolved.push(`${p.source} (unquoted: the shell splits or globs its value)`);
        text += '${' + p.name + '}';
        written += p.source;
        rewritten = true;
        continue;
      }
      text += v;
    } else if (p.type === 'param' && !p.simple && p.source !== undefined) {
      unresolved.push(p.source);
      text += '${' + p.name + '}';
      written += p.source;
      rewritten = true;
      continue;
    } else if (p.type === 'param') {
      const v = p.simple ? env(p.name) : undefined;
      if (v !== undefined && !p.quoted && SPLITS_OR_GLOBS.test(v)) {
        // Unquoted, `-service=$SVC` with SVC="a b" is two words (`-service=a b`), and `*` globs:
        // the value is not one literal argument.
        unresolved.push(`$${p.name} (unquoted: the shell splits or globs its value)`);
        text += '${' + p.name + '}';
      } else if (v === undefined) {
        unresolved.push('$' + p.name);
        text += '${' + p.name + '}';
      } else text += v;
    } else if (p.what === 'CmdSubst' && p.source !== undefined && /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(p.source)) {
      // `$(POD_IP)`: a command named POD_IP, whose output the shell puts here. Kept as written: the
      // probe's planner tells it from the kubelet's `$(POD_IP)` (emptied there before the shell runs).
      unresolved.push(p.source);
      substitutions.push(p.source);
      text += p.source;
    } else {
      unresolved.push(describeOther(p.what, p.source));
      if (p.what === 'CmdSubst' && p.source !== undefined) substitutions.push(p.source);
      text += '$(...)';
      if (p.source !== undefined) {
        written += p.source;
        rewritten = true;
        continue;
      }
    }
    written += text.slice(before);
  }
  const subs = substitutions.length > 0 ? { substitutions } : {};
  return rewritten ? { text, unresolved, written, ...subs } : { text, unresolved, ...subs };
}

export interface ShellInvocation {
  args: ResolvedWord[];
  /** The command word as the shell passes it (`/bin/grpc_health_probe`). */
  program: string;
  /** The call, for callers that need its position. */
  node: ShCall;
  /** The call is `timeout DURATION grpc_health_probe …`: its deadline. */
  timeout?: TimeoutCommand;
}

export interface ShellAnalysis {
  invocations: ShellInvocation[];
  /** Set when the single invocation is wrapped only in ways that keep its meaning. */
  plain: boolean;
  /** Why the wrapper changes what the check means, when it does. */
  logic?: string;
  /** With no invocation: the command that is given the binary as an argument (`timeout`, `env`). */
  runsThrough?: string;
  error?: string;
  /** The script is over the parser's size cap (`error` says how large): not read at all. */
  tooLarge?: true;
  /**
   * Variables the script sets itself, so that their value is no longer the container env's: an
   * assignment statement (`X=1;`, not the prefix of a command), a `for` variable, `read X`,
   * `export X=1`, `${X:=1}`.
   */
  sets?: ReadonlySet<string>;
}

/** ShellAnalysis.sets of a parsed script. */
function variablesSet(file: ShScript): Set<string> {
  const sets = new Set(file.setsOtherwise);
  for (const call of file.calls) {
    if (call.args.length === 0) for (const a of call.assigns) sets.add(a.name);
    const words = call.args.map((w) => resolveWord(w, () => undefined).text);
    if (words[0] === 'read' || words[0] === 'mapfile' || words[0] === 'readarray' || words[0] === 'getopts') {
      for (const w of words.slice(1)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w)) sets.add(w);
    }
    // `printf -v X …`
    if (words[0] === 'printf') for (let i = 1; i + 1 < words.length; i++) if (words[i] === '-v') sets.add(words[i + 1]!);
  }
  return sets;
}

const HARMLESS_BUILTINS = new Set(['set']);

/** Finds the binary's invocations in a script and says whether the script adds meaning to them. */
export function analyzeShellScript(script: string, env: EnvLookup): ShellAnalysis {
  let file: ShScript;
  try {
    file = parseShell(script);
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    return { invocations: [], plain: false, error: e.message, ...(e instanceof ShellTooLargeError ? { tooLarge: true as const } : {}) };
  }
  const invocations: ShellInvocation[] = [];
  const sets = variablesSet(file);
  const result = analyzeInvocations(file, env, invocations);
  return sets.size > 0 ? { ...result, sets } : result;
}

function analyzeInvocations(file: ShScript, env: EnvLookup, invocations: ShellInvocation[]): ShellAnalysis {
  for (const call of file.calls) {
    const args = callArgs(call, env);
    if (args.length > 0 && isBinaryPath(args[0]!.text)) {
      invocations.push({ args: args.slice(1), program: args[0]!.text, node: call });
      continue;
    }
    // `timeout 5 grpc_health_probe …`: a deadline on the check, read when its words are literal.
    const timeout = readTimeoutCommand(args.map((a) => a.text));
    if (timeout && isBinaryPath(args[timeout.command]!.text) && args.slice(0, timeout.command).every((a) => a.unresolved.length === 0)) {
      invocations.push({ args: args.slice(timeout.command + 1), program: args[timeout.command]!.text, node: call, timeout });
    }
  }
  if (invocations.length === 0) {
    // `timeout 5 grpc_health_probe …`, `env X=1 grpc_health_probe …`: run, by another command.
    for (const call of file.calls) {
      const args = callArgs(call, env);
      if (args.slice(1).some((a) => isBinaryPath(a.text))) return { invocations, plain: false, runsThrough: `\`${args[0]!.text}\`` };
      // `/bin/wrapper --probe=/bin/grpc_health_probe`: given the path in an option, to run it maybe.
      const option = args.slice(1).map((a) => binaryPathOption(a.text)).find((o) => o !== undefined);
      if (option) return { invocations, plain: false, runsThrough: `\`${args[0]!.text}\` (given its path in ${option}=)` };
    }
  }
  if (invocations.length !== 1) return { invocations, plain: false };
  // `grpc_health_probe …; exit` and `…; exit $?` exit with the probe's own status.
  const last = file.stmts[file.stmts.length - 1]!;
  const all = file.stmts.length > 1 && exitsWithLastStatus(last) ? file.stmts.slice(0, -1) : file.stmts;
  if (all.some((s) => s.params.has('?'))) return { invocations, plain: false, logic: 'the script reads the exit status ($?)' };
  // `set -e` before the probe changes nothing; anything after it decides the exit status
  // (`grpc_health_probe …; set +x` always exits 0).
  const stmts = all.filter((s) => !isHarmless(s, env));
  if (stmts.length !== 1) return { invocations, plain: false, logic: 'the script runs other commands around the probe' };
  if (all[all.length - 1] !== stmts[0]) {
    return { invocations, plain: false, logic: 'the script runs a command after the probe, whose exit status becomes the check\'s' };
  }
  const logic = plainStatementProblem(stmts[0]!, invocations[0]!.node, env);
  return logic ? { invocations, plain: false, logic } : { invocations, plain: true };
}

/** Words of a call with `exec`/`command` prefixes dropped. */
export function callArgs(call: ShCall, env: EnvLookup): ResolvedWord[] {
  const words = call.args.map((w) => resolveWord(w, env));
  while (words.length > 1 && (words[0]!.text === 'exec' || words[0]!.text === 'command')) words.shift();
  return words;
}

function isHarmless(stmt: ShStmt, env: EnvLookup): boolean {
  if (stmt.cmd.type !== 'call' || stmt.negated || stmt.background) return false;
  const args = callArgs(stmt.cmd, env);
  return args.length > 0 && HARMLESS_BUILTINS.has(args[0]!.text);
}

/** `exit` alone or `exit $?`: the script ends with the status of the command before it. */
function exitsWithLastStatus(stmt: ShStmt): boolean {
  const cmd = stmt.cmd;
  if (cmd.type !== 'call' || stmt.negated || stmt.background || stmt.redirects > 0 || cmd.assigns.length > 0) return false;
  const [name, status, ...rest] = cmd.args;
  if (!name || rest.length > 0 || name.parts.length !== 1 || name.parts[0]!.type !== 'lit' || name.parts[0]!.value !== 'exit') return false;
  if (!status) return true;
  const p = status.parts;
  return p.length === 1 && p[0]!.type === 'param' && p[0]!.name === '?' && p[0]!.simple;
}

/** `echo …`, `true`, `:` with plain words: succeeds whatever it prints, and runs nothing else. */
function alwaysSucceeds(stmt: ShStmt): boolean {
  const cmd = stmt.cmd;
  if (cmd.type !== 'call' || stmt.negated || stmt.background || stmt.redirects > 0 || cmd.assigns.length > 0) return false;
  const first = cmd.args[0]?.parts;
  if (!first || first.length !== 1 || first[0]!.type !== 'lit' || !['echo', 'true', ':'].includes(first[0]!.value)) return false;
  return cmd.args.every((w) => w.parts.every((p) => p.type === 'lit' || (p.type === 'param' && p.simple)));
}

function plainStatementProblem(stmt: ShStmt, call: ShCall, env: EnvLookup): string | undefined {
  if (stmt.negated) return 'the script negates the result (!)';
  if (stmt.background) return 'the script runs the probe in the background';
  const cmd = stmt.cmd;
  if (cmd === call || sameSpan(cmd, call)) return undefined;
  if (cmd.type === 'binary' && cmd.op === '||' && sameSpan(cmd.x.cmd, call) && !cmd.x.negated) {
    const y = cmd.y;
    if (y.cmd.type === 'call' && !y.negated) {
      const words = callArgs(y.cmd, env).map((w) => w.text);
      if (words[0] === 'false' && words.length === 1) return undefined;
      if (words[0] === 'exit' && words.length === 2 && /^\d+$/.test(words[1]!) && Number(words[1]) % 256 !== 0) {
        return undefined;
      }
    }
    return 'the script turns a failed check into something else (|| ...)';
  }
  // `grpc_health_probe … && echo ok`: a failed check stops there, a passing one ends with echo's 0.
  if (cmd.type === 'binary' && cmd.op === '&&' && sameSpan(cmd.x.cmd, call) && !cmd.x.negated && alwaysSucceeds(cmd.y)) return undefined;
  return 'the script wraps the probe in shell logic';
}

function sameSpan(a: ShCommand, b: ShCall): boolean {
  return a.type === 'call' && a.start === b.start && a.end === b.end;
}

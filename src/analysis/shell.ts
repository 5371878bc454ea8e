/**
 * Shell scripts that wrap the binary (`sh -c "..."` in probes, Dockerfile RUN bodies, `*.sh`
 * files), read with a real shell parser: tree-sitter's bash grammar, run as WebAssembly
 * (web-tree-sitter + tree-sitter-bash). Its syntax tree is turned at once into the small plain
 * tree below, the only shape the rest of the tool sees.
 *
 * Why tree-sitter and not mvdan-sh (the GopherJS build of mvdan/sh used before): on the
 * benchmark's 100 Dockerfiles, every field read on a GopherJS node wrapped a new object, so
 * walking 200 short RUN lines cost ~425 ms and loading the module ~135 ms; tree-sitter loads in
 * ~55 ms and parses and walks the same lines in ~30 ms.
 *
 * tree-sitter never fails: it recovers from errors and marks them. A script with any ERROR or
 * MISSING node is refused here (`ShellParseError`), as a real shell would refuse it.
 *
 * Loading is asynchronous (WebAssembly): `loadShell()` must have resolved before the synchronous
 * functions run. Rules await it when a file may hold a shell script (`mayHoldShellScript`), so a
 * run that meets none never pays for it.
 */
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import type { Node as TsNode, Parser as TsParser } from 'web-tree-sitter';
import { isBinaryPath } from './binary.js';

/** Offsets into the parsed script (string offsets, like every other offset in the tool). */
export interface ShSpan {
  start: number;
  end: number;
}

/** A piece of a word: literal text (quotes removed, backslashes as written), a `$VAR`, or something run-time. */
export type ShPart = { type: 'lit'; value: string } | { type: 'param'; name: string; simple: boolean } | { type: 'other'; what: string };

export interface ShWord extends ShSpan {
  parts: ShPart[];
}

export interface ShAssign {
  name: string;
  value?: ShWord;
}

/** A simple command: `A=1 cmd arg...`, or assignments alone (`A=1 B=2`). */
export interface ShCall extends ShSpan {
  type: 'call';
  assigns: ShAssign[];
  args: ShWord[];
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
  /** tree-sitter's node type, e.g. `for_statement`. */
  what: string;
}

export type ShCommand = ShCall | ShBinary | ShCompound;

export interface ShStmt extends ShSpan {
  cmd: ShCommand;
  negated: boolean;
  background: boolean;
  redirects: number;
  /** Every simple command inside, nested ones included (`$(...)`, `if` bodies), in source order. */
  calls: ShCall[];
  /** Every variable read inside (`$X`, `${X:-y}`, `$?` as `?`). */
  params: Set<string>;
  /** A loop or a function definition inside. */
  loopOrFunction: boolean;
}

export interface ShScript {
  stmts: ShStmt[];
  calls: ShCall[];
  params: Set<string>;
}

export class ShellParseError extends Error {}

let parser: TsParser | undefined;
let loading: Promise<void> | undefined;

/** Loads the parser once (WebAssembly, ~55 ms). Safe to call any number of times. */
export function loadShell(): Promise<void> {
  loading ??= (async () => {
    // The grammar is 1.3 MB of WebAssembly. V8 compiles it with its baseline compiler (Liftoff)
    // and then, by default, again with its optimising one on background threads, and the
    // process waits for those before it exits: ~400 ms of a short run, for parses of a few
    // hundred short scripts that the baseline code already does in ~30 ms. Baseline only.
    v8.setFlagsFromString('--liftoff-only');
    const require = createRequire(import.meta.url);
    const { Parser, Language } = await import('web-tree-sitter');
    await Parser.init({ locateFile: () => require.resolve('web-tree-sitter/web-tree-sitter.wasm') });
    const bash = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const p = new Parser();
    p.setLanguage(bash);
    parser = p;
  })();
  return loading;
}

/** Whether the shell parser is loaded (tests; the start-up check). */
export function shellLoaded(): boolean {
  return parser !== undefined;
}

/**
 * Whether a file's text may hold a script the tool would parse as shell: a shell program named
 * as a command word (`sh`, `/bin/bash`...). Conservative: it only decides whether to load the
 * parser; a script the check missed makes the rule fail loudly on that file, never pass silently.
 */
export function mayHoldShellScript(text: string): boolean {
  return /(?:^|[\s"'`/[,=])(?:ba|da|z|mk|k|a)?sh(?=$|[\s"'`\],])/m.test(text);
}

export function parseShell(script: string): ShScript {
  if (!parser) throw new Error('internal error: the shell parser was used before loadShell() resolved');
  const tree = parser.parse(script);
  if (!tree) throw new ShellParseError('the shell parser gave no result');
  try {
    const root = tree.rootNode;
    if (root.hasError) throw new ShellParseError(describeError(root, script));
    return toScript(root, script);
  } finally {
    tree.delete();
  }
}

function describeError(root: TsNode, script: string): string {
  let bad: TsNode | undefined;
  const find = (n: TsNode): void => {
    if (bad) return;
    if (n.isMissing || n.type === 'ERROR') {
      bad = n;
      return;
    }
    if (!n.hasError) return;
    for (const c of n.children) if (c) find(c);
  };
  find(root);
  if (!bad) return 'syntax error';
  const at = position(script, bad.startIndex);
  if (bad.isMissing) return `${at}: expected ${JSON.stringify(bad.type)}${bad.startIndex >= script.trimEnd().length ? ' before the end' : ''}`;
  const near = script.slice(bad.startIndex, bad.endIndex).split('\n')[0]!.trim().slice(0, 40);
  return near ? `${at}: syntax error near ${JSON.stringify(near)}` : `${at}: syntax error`;
}

function position(script: string, offset: number): string {
  const before = script.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - (before.lastIndexOf('\n') + 1) + 1}`;
}

// ---------------------------------------------------------------------------------------------
// tree-sitter → the plain tree

/** Words that only close or continue a compound command: as a command's name they are a syntax error. */
const RESERVED_CLOSERS = new Set(['then', 'else', 'elif', 'fi', 'do', 'done', 'esac', '}']);
const CASE_TERMINATORS = new Set([';;', ';&', ';;&']);

function misplaced(n: TsNode, src: string): ShellParseError {
  return new ShellParseError(`${position(src, n.startIndex)}: ${JSON.stringify(src.slice(n.startIndex, n.endIndex))} is not valid here`);
}

const LOOPS_AND_FUNCTIONS = new Set(['for_statement', 'c_style_for_statement', 'while_statement', 'function_definition']);

function toScript(root: TsNode, src: string): ShScript {
  const stmts = statementsOf(root, src);
  const calls: ShCall[] = [];
  const params = new Set<string>();
  for (const s of stmts) {
    calls.push(...s.calls);
    for (const p of s.params) params.add(p);
  }
  return { stmts, calls, params };
}

/**
 * The statements of a statement list (the program, a `{ }` body...). A `;` or `&` right after a
 * statement belongs to it, as the shell's own grammar has it (`a;` is one statement).
 */
function statementsOf(parent: TsNode, src: string): ShStmt[] {
  const out: ShStmt[] = [];
  for (const c of parent.children) {
    if (!c) continue;
    if (!c.isNamed) {
      if (CASE_TERMINATORS.has(c.type)) throw misplaced(c, src);
      const last = out[out.length - 1];
      if (last && (c.type === ';' || c.type === '&') && last.end <= c.startIndex && src.slice(last.end, c.startIndex).trim() === '') {
        last.end = c.endIndex;
        if (c.type === '&') last.background = true;
      }
      continue;
    }
    if (c.type === 'comment') continue;
    out.push(statement(c, src));
  }
  return out;
}

function statement(n: TsNode, src: string): ShStmt {
  const stmt: ShStmt = { start: n.startIndex, end: n.endIndex, cmd: undefined as unknown as ShCommand, negated: false, background: false, redirects: 0, calls: [], params: new Set(), loopOrFunction: false };
  let node = n;
  // Unwrap `! x` and `x > file` into flags of the one statement.
  for (;;) {
    if (node.type === 'negated_command') {
      stmt.negated = true;
      const inner = node.namedChildren.find((c) => c && c.type !== 'comment');
      if (!inner) break;
      node = inner;
    } else if (node.type === 'redirected_statement') {
      const body = node.childForFieldName('body');
      stmt.redirects += node.namedChildren.filter((c) => c?.type.endsWith('_redirect')).length;
      if (!body) break;
      node = body;
    } else break;
  }
  stmt.cmd = command(node, src);
  collect(n, src, stmt);
  return stmt;
}

function command(n: TsNode, src: string): ShCommand {
  const span = { start: n.startIndex, end: n.endIndex };
  const call = asCall(n, src);
  if (call) return call;
  if (n.type === 'list' || n.type === 'pipeline') {
    // Both are left-nested chains of statements with operators between them.
    const parts: { op?: string; node: TsNode }[] = [];
    let op: string | undefined;
    for (const c of n.children) {
      if (!c) continue;
      if (!c.isNamed) op = c.type;
      else if (c.type !== 'comment') {
        parts.push({ ...(op !== undefined ? { op } : {}), node: c });
        op = undefined;
      }
    }
    let acc = statement(parts[0]!.node, src);
    for (const p of parts.slice(1)) {
      const y = statement(p.node, src);
      const b: ShBinary = { type: 'binary', op: (p.op ?? '|') as ShBinary['op'], x: acc, y, start: acc.start, end: y.end };
      const wrapped: ShStmt = { start: b.start, end: b.end, cmd: b, negated: false, background: false, redirects: 0, calls: [...acc.calls, ...y.calls], params: new Set([...acc.params, ...y.params]), loopOrFunction: acc.loopOrFunction || y.loopOrFunction };
      acc = wrapped;
    }
    return acc.cmd.type === 'binary' ? acc.cmd : { type: 'compound', what: n.type, ...span };
  }
  return { type: 'compound', what: n.type, ...span };
}

/** The node as a simple command, if it is one. */
function asCall(n: TsNode, src: string): ShCall | undefined {
  const span = { start: n.startIndex, end: n.endIndex };
  switch (n.type) {
    case 'command': {
      const assigns: ShAssign[] = [];
      const args: ShWord[] = [];
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'variable_assignment') assigns.push(assignment(c, src));
        else if (c.type === 'command_name') {
          const w = c.namedChildren[0];
          if (w) args.push(word(w, src));
        } else if (c.type !== 'comment' && !c.type.endsWith('_redirect')) args.push(word(c, src));
      }
      return { type: 'call', assigns, args, ...span };
    }
    case 'variable_assignment':
      return { type: 'call', assigns: [assignment(n, src)], args: [], ...span };
    case 'variable_assignments':
      return { type: 'call', assigns: n.namedChildren.filter((c): c is TsNode => c?.type === 'variable_assignment').map((c) => assignment(c, src)), args: [], ...span };
    case 'unset_command':
      // `unset A`: an ordinary command to the shell.
      return { type: 'call', assigns: [], args: n.children.filter((c): c is TsNode => !!c && c.type !== 'comment').map((c) => word(c, src)), ...span };
    case 'test_command': {
      // `[ ... ]` is the command `[`; `[[ ... ]]` is shell syntax.
      const first = n.children[0];
      if (first?.type !== '[') return undefined;
      const words: ShWord[] = [];
      const leaves = (x: TsNode): void => {
        if (x.type === 'comment') return;
        if (x.childCount === 0 || WORD_TYPES.has(x.type)) words.push(word(x, src));
        else for (const c of x.children) if (c) leaves(c);
      };
      leaves(n);
      return { type: 'call', assigns: [], args: words, ...span };
    }
    default:
      return undefined;
  }
}

const WORD_TYPES = new Set(['word', 'number', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'concatenation', 'simple_expansion', 'expansion', 'command_substitution', 'process_substitution', 'arithmetic_expansion', 'brace_expression', 'test_operator']);

function assignment(n: TsNode, src: string): ShAssign {
  const name = n.childForFieldName('name');
  const value = n.childForFieldName('value');
  const nameText = name ? src.slice(name.startIndex, name.endIndex) : '';
  return { name: name?.type === 'subscript' ? (name.childForFieldName('name')?.text ?? nameText) : nameText, ...(value ? { value: word(value, src) } : {}) };
}

function word(n: TsNode, src: string): ShWord {
  const parts: ShPart[] = [];
  wordParts(n, src, parts);
  return { start: n.startIndex, end: n.endIndex, parts };
}

/** Parts of a word node; text between recognised children is kept as literal text. */
function wordParts(n: TsNode, src: string, out: ShPart[]): void {
  const text = src.slice(n.startIndex, n.endIndex);
  switch (n.type) {
    case 'word':
    case 'number':
    case 'test_operator':
    case 'string_content':
    case 'brace_expression':
    case 'variable_name':
      out.push({ type: 'lit', value: text });
      return;
    case 'raw_string':
      out.push({ type: 'lit', value: text.slice(1, -1) });
      return;
    case 'ansi_c_string':
      out.push({ type: 'lit', value: text.slice(2, -1) });
      return;
    case 'simple_expansion':
    case 'expansion': {
      const name = paramName(n);
      const named = n.namedChildren.filter((c) => c !== null);
      const simple = n.type === 'simple_expansion' || (named.length === 1 && n.childCount === 3 && (named[0]!.type === 'variable_name' || named[0]!.type === 'special_variable_name'));
      out.push(name === undefined ? { type: 'other', what: 'ParamExp' } : { type: 'param', name, simple });
      return;
    }
    case 'command_substitution':
      out.push({ type: 'other', what: 'CmdSubst' });
      return;
    case 'arithmetic_expansion':
      out.push({ type: 'other', what: 'ArithmExp' });
      return;
    case 'process_substitution':
      out.push({ type: 'other', what: 'ProcSubst' });
      return;
    case 'string':
    case 'translated_string':
    case 'concatenation': {
      // Quotes are not part of the value; anything between children is literal text.
      let at = n.startIndex;
      for (const c of n.children) {
        if (!c) continue;
        if (!c.isNamed && (c.type === '"' || c.type === '$"')) {
          at = c.endIndex;
          continue;
        }
        if (c.startIndex > at) out.push({ type: 'lit', value: src.slice(at, c.startIndex) });
        wordParts(c, src, out);
        at = c.endIndex;
      }
      const close = n.type === 'concatenation' ? n.endIndex : n.endIndex - 1;
      if (close > at) out.push({ type: 'lit', value: src.slice(at, close) });
      return;
    }
    default:
      if (n.childCount === 0 && !n.isNamed) out.push({ type: 'lit', value: text });
      else out.push({ type: 'other', what: n.type });
  }
}

function paramName(n: TsNode): string | undefined {
  for (const c of n.namedChildren) {
    if (!c) continue;
    if (c.type === 'variable_name' || c.type === 'special_variable_name') return c.text;
    if (c.type === 'subscript') return c.childForFieldName('name')?.text;
  }
  return undefined;
}

/** Gathers a statement's nested calls, variables read, and loops/functions, in source order. */
function collect(n: TsNode, src: string, into: ShStmt): void {
  const visit = (x: TsNode, callAllowed: boolean): void => {
    if (LOOPS_AND_FUNCTIONS.has(x.type)) into.loopOrFunction = true;
    // tree-sitter's grammar lets these through; a shell does not.
    if (CASE_TERMINATORS.has(x.type) && x.parent?.type !== 'case_item') throw misplaced(x, src);
    if (x.type === 'command_name' && x.childCount === 1 && x.firstChild?.type === 'word' && RESERVED_CLOSERS.has(x.firstChild.text)) throw misplaced(x, src);
    if (x.type === 'simple_expansion' || x.type === 'expansion') {
      const name = paramName(x);
      if (name) into.params.add(name);
    }
    let childrenMayCall = true;
    if (callAllowed) {
      const call = asCall(x, src);
      if (call) into.calls.push(call);
    }
    // Assignments that belong to a command or a declaration are not commands of their own.
    if (x.type === 'command' || x.type === 'declaration_command' || x.type === 'variable_assignments') childrenMayCall = false;
    for (const c of x.children) {
      if (!c) continue;
      visit(c, childrenMayCall || c.type !== 'variable_assignment');
    }
  };
  visit(n, true);
}

// ---------------------------------------------------------------------------------------------
// What the rules ask of a script

/** Looks up a variable's literal value (a container's env, a Dockerfile's ENV/ARG...). */
export type EnvLookup = (name: string) => string | undefined;

export interface ResolvedWord {
  text: string;
  /** Names of variables (or `$(...)`) that could not be resolved to a literal. */
  unresolved: string[];
}

/** The literal value of a shell word; expansions are resolved from env or recorded. */
export function resolveWord(word: ShWord, env: EnvLookup): ResolvedWord {
  let text = '';
  const unresolved: string[] = [];
  for (const p of word.parts) {
    if (p.type === 'lit') text += p.value;
    else if (p.type === 'param') {
      const v = p.simple ? env(p.name) : undefined;
      if (v === undefined) {
        unresolved.push('$' + p.name);
        text += '${' + p.name + '}';
      } else text += v;
    } else {
      unresolved.push(p.what);
      text += '$(...)';
    }
  }
  return { text, unresolved };
}

export interface ShellInvocation {
  args: ResolvedWord[];
  /** The call, for callers that need its position. */
  node: ShCall;
}

export interface ShellAnalysis {
  invocations: ShellInvocation[];
  /** Set when the single invocation is wrapped only in ways that keep its meaning. */
  plain: boolean;
  /** Why the wrapper changes what the check means, when it does. */
  logic?: string;
  error?: string;
}

const HARMLESS_BUILTINS = new Set(['set']);

/** Finds the binary's invocations in a script and says whether the script adds meaning to them. */
export function analyzeShellScript(script: string, env: EnvLookup): ShellAnalysis {
  let file: ShScript;
  try {
    file = parseShell(script);
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    return { invocations: [], plain: false, error: e.message };
  }
  const invocations: ShellInvocation[] = [];
  for (const call of file.calls) {
    const args = callArgs(call, env);
    if (args.length > 0 && isBinaryPath(args[0]!.text)) invocations.push({ args: args.slice(1), node: call });
  }
  if (invocations.length !== 1) return { invocations, plain: false };
  if (file.params.has('?')) return { invocations, plain: false, logic: 'the script reads the exit status ($?)' };
  const stmts = file.stmts.filter((s) => !isHarmless(s, env));
  if (stmts.length !== 1) return { invocations, plain: false, logic: 'the script runs other commands around the probe' };
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
  return 'the script wraps the probe in shell logic';
}

function sameSpan(a: ShCommand, b: ShCall): boolean {
  return a.type === 'call' && a.start === b.start && a.end === b.end;
}

/** Loads the parser when a file's text may hold a shell script (see `mayHoldShellScript`). */
export async function loadShellFor(text: string): Promise<void> {
  if (mayHoldShellScript(text)) await loadShell();
}

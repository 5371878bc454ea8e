/**
 * Shell scripts that wrap the binary (`sh -c "..."`, Dockerfile RUN/HEALTHCHECK, compose CMD-SHELL),
 * read with mvdan/sh's real parser. Loaded lazily: it costs ~130 ms and most runs never need it.
 */
import { createRequire } from 'node:module';
import { isBinaryPath } from './binary.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- mvdan-sh is a GopherJS build without types */
export type ShNode = any;

interface ShSyntax {
  NewParser(...opts: unknown[]): { Parse(src: string, name: string): ShNode };
  NodeType(n: ShNode): string;
  Walk(n: ShNode, f: (n: ShNode) => boolean): void;
  KeepComments(keep: boolean): unknown;
}

let syntaxModule: ShSyntax | undefined;

export function shellSyntax(): ShSyntax {
  if (!syntaxModule) {
    const require = createRequire(import.meta.url);
    syntaxModule = (require('mvdan-sh') as { syntax: ShSyntax }).syntax;
  }
  return syntaxModule;
}

export const SH_OP_AND = 10;
export const SH_OP_OR = 11;

export class ShellParseError extends Error {}

// A parser is reusable across sequential Parse calls, and making one costs more than a parse
// (~2 ms against ~0.7 ms for a typical RUN line here): one per mode for the whole run.
const parsers: { plain?: { Parse(src: string, name: string): ShNode }; comments?: { Parse(src: string, name: string): ShNode } } = {};

export function parseShell(script: string, keepComments = false): ShNode {
  const sh = shellSyntax();
  const parser = keepComments ? (parsers.comments ??= sh.NewParser(sh.KeepComments(true))) : (parsers.plain ??= sh.NewParser());
  try {
    return parser.Parse(script, '');
  } catch (e) {
    const err = e as { Error?: () => string };
    throw new ShellParseError(typeof err.Error === 'function' ? err.Error() : String(e));
  }
}

/** Looks up a variable's literal value (a container's env, a Dockerfile's ENV/ARG...). */
export type EnvLookup = (name: string) => string | undefined;

export interface ResolvedWord {
  text: string;
  /** Names of variables (or `$(...)`) that could not be resolved to a literal. */
  unresolved: string[];
}

/** The literal value of a shell word; expansions are resolved from env or recorded. */
export function resolveWord(word: ShNode, env: EnvLookup): ResolvedWord {
  const sh = shellSyntax();
  let text = '';
  const unresolved: string[] = [];
  const parts = (ps: ShNode[]): void => {
    for (const p of ps) {
      switch (sh.NodeType(p)) {
        case 'Lit':
        case 'SglQuoted':
          text += p.Value;
          break;
        case 'DblQuoted':
          parts(p.Parts);
          break;
        case 'ParamExp': {
          const name: string = p.Param?.Value ?? '?';
          const simple = !p.Exp && !p.Index && !p.Slice && !p.Repl && !p.Length && !p.Excl && !p.Names;
          const v = simple ? env(name) : undefined;
          if (v === undefined) {
            unresolved.push('$' + name);
            text += '${' + name + '}';
          } else text += v;
          break;
        }
        default:
          unresolved.push(sh.NodeType(p));
          text += '$(...)';
      }
    }
  };
  parts(word.Parts ?? []);
  return { text, unresolved };
}

export interface ShellInvocation {
  args: ResolvedWord[];
  /** The CallExpr node, for callers that need positions. */
  node: ShNode;
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
  const sh = shellSyntax();
  let file: ShNode;
  try {
    file = parseShell(script);
  } catch (e) {
    return { invocations: [], plain: false, error: (e as Error).message };
  }
  const invocations: ShellInvocation[] = [];
  let usesStatus = false;
  sh.Walk(file, (n: ShNode) => {
    if (!n) return true;
    const t = sh.NodeType(n);
    if (t === 'ParamExp' && n.Param?.Value === '?') usesStatus = true;
    if (t === 'CallExpr') {
      const args = callArgs(n, env);
      if (args.length > 0 && isBinaryPath(args[0]!.text)) invocations.push({ args: args.slice(1), node: n });
    }
    return true;
  });
  if (invocations.length !== 1) return { invocations, plain: false };
  if (usesStatus) return { invocations, plain: false, logic: 'the script reads the exit status ($?)' };
  const stmts = (file.Stmts as ShNode[]).filter((s) => !isHarmless(s, env));
  if (stmts.length !== 1) return { invocations, plain: false, logic: 'the script runs other commands around the probe' };
  const logic = plainStatementProblem(stmts[0], invocations[0]!.node, env);
  return logic ? { invocations, plain: false, logic } : { invocations, plain: true };
}

/** Words of a call with `exec`/`command` prefixes dropped. */
export function callArgs(call: ShNode, env: EnvLookup): ResolvedWord[] {
  const words: ResolvedWord[] = (call.Args as ShNode[]).map((w) => resolveWord(w, env));
  while (words.length > 1 && (words[0]!.text === 'exec' || words[0]!.text === 'command')) words.shift();
  return words;
}

/** GopherJS hands out a new wrapper on each access, so nodes compare by kind and span. */
export function sameNode(a: ShNode, b: ShNode): boolean {
  if (!a || !b) return false;
  const sh = shellSyntax();
  return sh.NodeType(a) === sh.NodeType(b) && a.Pos().Offset() === b.Pos().Offset() && a.End().Offset() === b.End().Offset();
}

function isHarmless(stmt: ShNode, env: EnvLookup): boolean {
  const sh = shellSyntax();
  if (sh.NodeType(stmt.Cmd) !== 'CallExpr' || stmt.Negated || stmt.Background) return false;
  const args = callArgs(stmt.Cmd, env);
  return args.length > 0 && HARMLESS_BUILTINS.has(args[0]!.text);
}

function plainStatementProblem(stmt: ShNode, call: ShNode, env: EnvLookup): string | undefined {
  const sh = shellSyntax();
  if (stmt.Negated) return 'the script negates the result (!)';
  if (stmt.Background) return 'the script runs the probe in the background';
  const cmd = stmt.Cmd;
  if (sameNode(cmd, call)) return undefined;
  if (sh.NodeType(cmd) === 'BinaryCmd' && cmd.Op === SH_OP_OR && sameNode(cmd.X.Cmd, call) && !cmd.X.Negated) {
    const y = cmd.Y;
    if (sh.NodeType(y.Cmd) === 'CallExpr' && !y.Negated) {
      const words = callArgs(y.Cmd, env).map((w) => w.text);
      if (words[0] === 'false' && words.length === 1) return undefined;
      if (words[0] === 'exit' && words.length === 2 && /^\d+$/.test(words[1]!) && Number(words[1]) % 256 !== 0) {
        return undefined;
      }
    }
    return 'the script turns a failed check into something else (|| ...)';
  }
  return 'the script wraps the probe in shell logic';
}

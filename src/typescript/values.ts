/**
 * What the strings of a command array are at run time, as far as one file can prove it: literals,
 * templates, and identifiers of `const`s with a literal value (found with the type checker, so
 * shadowing and scopes are right). Anything else becomes a placeholder that the shared analysis
 * cannot mistake for a value.
 */
import type { Identifier, Node, PropertyAssignment, TemplateExpression, VariableDeclaration } from 'ts-morph';
import { tsMorph } from './morph.js';
import type { ConfigReader } from './pulumi-config.js';

export interface Placeholder {
  /** A shell-safe variable name, `__ts0__`; the argv text holds `$__ts0__`. */
  name: string;
  /** How messages show it: the source expression, e.g. `${cfg.port}`. */
  shown: string;
  /** Set when the placeholder is the whole port and names a numeric constant: the rewrite's `port:` text. */
  portExpression?: string;
  /** The constant's value, for the report. */
  portValue?: number;
  /** Why the value cannot be known, when the tool looked for it (a Pulumi stack's secret). */
  why?: string;
}

export interface ResolvedArgv {
  argv: string[];
  placeholders: Placeholder[];
  /** Why an element cannot be read at all (spreads, holes). */
  problems: string[];
  /** Literal nodes the values came from (constants' initializers included): they are accounted for. */
  sources: Node[];
  /**
   * Ports a Pulumi stack gives that are no port (`grpc`, `70000`): the text put in argv, and the
   * stack file and key that gave it, which is what needs fixing, not -addr.
   */
  stackPorts?: { value: string; origin: string }[];
}

/** Parentheses, `as`, `satisfies`, `<T>x` and `x!` do not change a value. */
export function unwrap(node: Node): Node {
  const { Node: N } = tsMorph();
  let n = node;
  while (N.isParenthesizedExpression(n) || N.isAsExpression(n) || N.isSatisfiesExpression(n) || N.isTypeAssertion(n) || N.isNonNullExpression(n)) {
    n = n.getExpression();
  }
  return n;
}

function isPlus(n: Node): boolean {
  const { Node: N, SyntaxKind } = tsMorph();
  return N.isBinaryExpression(n) && n.getOperatorToken().getKind() === SyntaxKind.PlusToken;
}

/** The operands of `a + b + c`, left to right: `(a + b) + c` is that chain, `a + (b + c)` is not. */
function plusOperands(n: Node): Node[] {
  const { Node: N } = tsMorph();
  if (!N.isBinaryExpression(n)) return [n];
  const left = unwrap(n.getLeft());
  return [...(isPlus(left) ? plusOperands(left) : [n.getLeft()]), n.getRight()];
}

/** The literal value of an expression: a string or number literal, or a `const` initialised with one. */
export function constValue(expr: Node, sources: Node[] = [], depth = 0): string | number | undefined {
  const { Node: N } = tsMorph();
  const n = unwrap(expr);
  if (N.isStringLiteral(n) || N.isNoSubstitutionTemplateLiteral(n)) {
    sources.push(n);
    return n.getLiteralValue();
  }
  if (N.isNumericLiteral(n)) {
    sources.push(n);
    return n.getLiteralValue();
  }
  if (depth > 8) return undefined;
  if (N.isTemplateExpression(n) || isPlus(n)) {
    // Every part known: the value JavaScript computes (`+` adds numbers until a string joins in).
    let value: string | number | undefined;
    for (const part of N.isTemplateExpression(n) ? templatePieces(n) : plusOperands(n)) {
      const v = typeof part === 'string' ? part : constValue(part, sources, depth + 1);
      if (v === undefined) return undefined;
      value = value === undefined ? v : typeof value === 'number' && typeof v === 'number' ? value + v : `${value}${v}`;
    }
    return value;
  }
  const converted = stringConversion(n);
  if (converted) {
    const v = constValue(converted, sources, depth + 1);
    return v === undefined ? undefined : String(v);
  }
  if (!N.isIdentifier(n)) return undefined;
  const decls = n.getSymbol()?.getDeclarations() ?? [];
  if (decls.length !== 1) return undefined;
  const decl = decls[0]!;
  if (!N.isVariableDeclaration(decl) || decl.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
  const init = decl.getInitializer();
  return init ? constValue(init, sources, depth + 1) : undefined;
}

/**
 * The operand of `String(x)` or `x.toString()`: the same text as `${x}` for a string or a number.
 * `String` must be the global one (no declaration of the file's own shadows it).
 */
function stringConversion(n: Node): Node | undefined {
  const { Node: N } = tsMorph();
  if (!N.isCallExpression(n)) return undefined;
  const callee = unwrap(n.getExpression());
  const args = n.getArguments();
  if (N.isIdentifier(callee) && callee.getText() === 'String' && args.length === 1) {
    const decls = callee.getSymbol()?.getDeclarations() ?? [];
    return decls.every((d) => d.getSourceFile().isDeclarationFile()) ? args[0] : undefined;
  }
  if (N.isPropertyAccessExpression(callee) && callee.getName() === 'toString' && args.length === 0) return callee.getExpression();
  return undefined;
}

/** The constant a whole-port piece names, through `String(PORT)` or `PORT.toString()` too: kept by name in the rewrite. */
function portIdentifier(piece: Node): Node | undefined {
  const { Node: N } = tsMorph();
  let n = unwrap(piece);
  const inner = stringConversion(n);
  if (inner) n = unwrap(inner);
  return N.isIdentifier(n) ? n : undefined;
}

export function isValidPort(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= 65535;
}

/**
 * `requireNumber("grpcPort")` on a Pulumi `Config` (`const config = new pulumi.Config()`): the
 * namespace given to the Config (undefined: the project's) and the key, when `id` is a const
 * initialised so.
 */
function pulumiConfigKey(id: Node): { namespace: string | undefined; key: string } | undefined {
  const { Node: N } = tsMorph();
  const init = constInitializer(id);
  if (!init || !N.isCallExpression(init)) return undefined;
  const callee = unwrap(init.getExpression());
  const [arg] = init.getArguments();
  if (!N.isPropertyAccessExpression(callee) || callee.getName() !== 'requireNumber' || !arg) return undefined;
  const key = constValue(arg);
  const config = constInitializer(unwrap(callee.getExpression()));
  if (typeof key !== 'string' || !config || !N.isNewExpression(config) || !/(^|\.)Config$/.test(config.getExpression().getText())) return undefined;
  const [ns] = config.getArguments();
  if (ns === undefined) return { namespace: undefined, key };
  const namespace = constValue(ns);
  return typeof namespace === 'string' ? { namespace, key } : undefined;
}

/** The initializer of the one `const` an identifier names. */
export function constInitializer(id: Node): Node | undefined {
  const { Node: N } = tsMorph();
  if (!N.isIdentifier(id)) return undefined;
  const decls = id.getSymbol()?.getDeclarations() ?? [];
  const decl = decls.length === 1 ? decls[0]! : undefined;
  if (!decl || !N.isVariableDeclaration(decl) || decl.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
  const init = decl.getInitializer();
  return init ? unwrap(init) : undefined;
}

/** argv of a command array literal, with placeholders for what cannot be proven. */
export function resolveArgv(elements: readonly Node[], config?: ConfigReader): ResolvedArgv {
  const { Node: N } = tsMorph();
  const out: ResolvedArgv = { argv: [], placeholders: [], problems: [], sources: [] };
  const placeholder = (shown: string, port?: { expression: string; value: number }, why?: string): string => {
    const p: Placeholder = { name: `__ts${out.placeholders.length}__`, shown, ...(why !== undefined ? { why } : {}) };
    if (port) {
      p.portExpression = port.expression;
      p.portValue = port.value;
    }
    out.placeholders.push(p);
    return `$${p.name}`;
  };

  for (const element of elements) {
    const el = unwrap(element);
    if (N.isSpreadElement(el) || N.isOmittedExpression(el)) {
      out.problems.push(`the command has ${N.isSpreadElement(el) ? `a spread (${el.getText()})` : 'a hole'}, so its arguments are not known`);
      out.argv.push(placeholder(el.getText()));
      continue;
    }
    const pieces = N.isTemplateExpression(el) ? templatePieces(el) : plusPieces(el, out.sources);
    if (pieces) {
      let text = '';
      pieces.forEach((piece, i) => {
        if (typeof piece === 'string') {
          text += piece;
          return;
        }
        const next = pieces[i + 1];
        const after = next === undefined ? '' : typeof next === 'string' ? next : 'x';
        const v = constValue(piece, out.sources);
        // The whole port (after a colon, before a word's end): keep the constant's name in the rewrite.
        const wholePort = text.endsWith(':') && /^($|[\s'"])/.test(after);
        const shown = N.isTemplateExpression(el) ? `\${${piece.getText()}}` : piece.getText();
        const named = wholePort ? portIdentifier(piece) : undefined;
        const numeric = named ? constValue(named) : undefined;
        // A port from Pulumi stack config: the value of every stack of the repository, checked.
        const configKey = named && config && numeric === undefined ? pulumiConfigKey(named) : undefined;
        const stacks = configKey ? config!(configKey.namespace, configKey.key) : undefined;
        const bad = stacks && 'values' in stacks ? stacks.values.find((x) => !/^\d+$/.test(x.value) || !isValidPort(Number(x.value))) : undefined;
        if (named && typeof numeric === 'number' && isValidPort(numeric)) {
          text += placeholder(shown, { expression: named.getText(), value: numeric });
        } else if (bad) {
          // What that stack deploys (a name, 70000): the analysis blocks it as it would the literal.
          text += bad.value;
          (out.stackPorts ??= []).push({ value: bad.value, origin: `${bad.where} gives ${configKey!.namespace}:${configKey!.key} ${bad.value}` });
        } else if (named && stacks && 'values' in stacks) {
          text += placeholder(shown, { expression: named.getText(), value: Number(stacks.values[0]!.value) });
        } else if (v !== undefined) {
          text += String(v);
        } else {
          text += placeholder(shown, undefined, stacks && 'unknown' in stacks ? stacks.unknown : undefined);
        }
      });
      out.sources.push(el);
      out.argv.push(text);
      continue;
    }
    const v = constValue(el, out.sources);
    out.argv.push(v !== undefined ? String(v) : placeholder(el.getText()));
  }
  return out;
}

/** A template literal or a string `+` chain as literal text and the expressions between it. */
type Piece = string | Node;

function templatePieces(el: TemplateExpression): Piece[] {
  const pieces: Piece[] = [el.getHead().compilerNode.text];
  for (const span of el.getTemplateSpans()) pieces.push(span.getExpression(), span.getLiteral().compilerNode.text);
  return pieces;
}

/**
 * `"-addr=:" + PORT` read like a template literal, with JavaScript's `+`: numbers before the
 * first string add up, everything from it on is concatenated. Undefined when the expression is
 * not a `+` that produces a string the tool can follow (an unknown operand before any string
 * could be a number or a string).
 */
function plusPieces(expr: Node, out: Node[]): Piece[] | undefined {
  const { Node: N } = tsMorph();
  if (!isPlus(unwrap(expr))) return undefined;
  const operands = plusOperands(unwrap(expr));
  const kinds = operands.map((o) => {
    const u = unwrap(o);
    if (N.isTemplateExpression(u)) return 'string';
    const v = constValue(u, []);
    return v === undefined ? 'unknown' : typeof v === 'string' ? 'string' : 'number';
  });
  const first = kinds.indexOf('string');
  if (first === -1 || kinds.slice(0, first).includes('unknown')) return undefined;
  const pieces: Piece[] = [];
  if (first > 0) {
    pieces.push(String(operands.slice(0, first).reduce((sum, o) => sum + (constValue(o, out) as number), 0)));
  }
  for (const o of operands.slice(first)) {
    const u = unwrap(o);
    if (N.isTemplateExpression(u)) pieces.push(...templatePieces(u));
    else if (N.isStringLiteral(u) || N.isNoSubstitutionTemplateLiteral(u)) pieces.push(u.getLiteralValue());
    else pieces.push(u);
  }
  return pieces;
}

/** Puts the source expressions back into a message that the shared analysis wrote with placeholders. */
export function restorePlaceholders(message: string, placeholders: readonly Placeholder[]): string {
  let m = message;
  for (const p of placeholders) {
    m = m.split(`$(${p.name})`).join(p.shown).split(`\${${p.name}}`).join(p.shown).split(`$${p.name}`).join(p.shown);
  }
  return m;
}

export function hasPlaceholder(text: string, placeholders: readonly Placeholder[]): boolean {
  return placeholders.some((p) => text.includes(p.name));
}

/** A property's name when it is written as a name or a string (not computed). */
export function propName(prop: PropertyAssignment): string | undefined {
  const { Node: N } = tsMorph();
  const name = prop.getNameNode();
  if (N.isIdentifier(name)) return name.getText();
  if (N.isStringLiteral(name) || N.isNoSubstitutionTemplateLiteral(name)) return name.getLiteralValue();
  return undefined;
}

/**
 * The identifiers of a const's file that refer to it, its own name aside: a shorthand `{ x }` and
 * an `export { x }` by the symbols they stand for (their own symbol is the property's or the
 * export's).
 */
export function constReferences(decl: VariableDeclaration): Identifier[] {
  const { Node: N, SyntaxKind } = tsMorph();
  const nameNode = decl.getNameNode();
  const symbol = nameNode.getSymbol()?.compilerSymbol;
  const checker = decl.getProject().getTypeChecker().compilerObject;
  return decl.getSourceFile().getDescendantsOfKind(SyntaxKind.Identifier).filter((id) => {
    if (id === nameNode || id.getText() !== nameNode.getText()) return false;
    const parent = id.getParent();
    return parent && N.isShorthandPropertyAssignment(parent)
      ? checker.getShorthandAssignmentValueSymbol(parent.compilerNode) === symbol
      : parent && N.isExportSpecifier(parent)
        ? checker.getExportSpecifierLocalTargetSymbol(parent.compilerNode) === symbol
        : id.getSymbol()?.compilerSymbol === symbol;
  });
}

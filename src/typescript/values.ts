/**
 * What the strings of a command array are at run time, as far as one file can prove it: literals,
 * templates, and identifiers of `const`s with a literal value (found with the type checker, so
 * shadowing and scopes are right). Anything else becomes a placeholder that the shared analysis
 * cannot mistake for a value.
 */
import type { Node, PropertyAssignment } from 'ts-morph';
import { tsMorph } from './morph.js';

export interface Placeholder {
  /** A shell-safe variable name, `__ts0__`; the argv text holds `$__ts0__`. */
  name: string;
  /** How messages show it: the source expression, e.g. `${cfg.port}`. */
  shown: string;
  /** Set when the placeholder is the whole port and names a numeric constant: the rewrite's `port:` text. */
  portExpression?: string;
  /** The constant's value, for the report. */
  portValue?: number;
}

export interface ResolvedArgv {
  argv: string[];
  placeholders: Placeholder[];
  /** Why an element cannot be read at all (spreads, holes). */
  problems: string[];
  /** Literal nodes the values came from (constants' initializers included): they are accounted for. */
  sources: Node[];
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
  if (!N.isIdentifier(n) || depth > 8) return undefined;
  const decls = n.getSymbol()?.getDeclarations() ?? [];
  if (decls.length !== 1) return undefined;
  const decl = decls[0]!;
  if (!N.isVariableDeclaration(decl) || decl.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
  const init = decl.getInitializer();
  return init ? constValue(init, sources, depth + 1) : undefined;
}

export function isValidPort(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** argv of a command array literal, with placeholders for what cannot be proven. */
export function resolveArgv(elements: readonly Node[]): ResolvedArgv {
  const { Node: N } = tsMorph();
  const out: ResolvedArgv = { argv: [], placeholders: [], problems: [], sources: [] };
  const placeholder = (shown: string, port?: { expression: string; value: number }): string => {
    const p: Placeholder = { name: `__ts${out.placeholders.length}__`, shown };
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
    if (N.isTemplateExpression(el)) {
      let text = el.getHead().compilerNode.text;
      for (const span of el.getTemplateSpans()) {
        const expr = span.getExpression();
        const after = span.getLiteral().compilerNode.text;
        const v = constValue(expr, out.sources);
        // The whole port (after a colon, before a word's end): keep the constant's name in the rewrite.
        const wholePort = text.endsWith(':') && /^($|[\s'"])/.test(after);
        if (typeof v === 'number' && wholePort && isValidPort(v) && N.isIdentifier(unwrap(expr))) {
          text += placeholder(`\${${expr.getText()}}`, { expression: unwrap(expr).getText(), value: v });
        } else if (v !== undefined) {
          text += String(v);
        } else {
          text += placeholder(`\${${expr.getText()}}`);
        }
        text += after;
      }
      out.sources.push(el);
      out.argv.push(text);
      continue;
    }
    const v = constValue(el, out.sources);
    out.argv.push(v !== undefined ? String(v) : placeholder(el.getText()));
  }
  return out;
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

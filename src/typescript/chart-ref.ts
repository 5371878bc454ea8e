/**
 * A Helm release's chart as code names it (Pulumi `helm.v3.Release`'s `chart`, `helm.v3.Chart`'s
 * `path`, cdk8s `Helm`'s `chart`): a string (`"../charts/api"`, a constant, a template of
 * constants), or a path built from the code file's own folder, the usual way a Pulumi program
 * names a chart of its repository: `path.join(__dirname, "..", "charts", "api")`,
 * `path.resolve(__dirname, "../charts/api")`, `` `${__dirname}/../charts/api` ``,
 * `__dirname + "/../charts/api"`, `fileURLToPath(new URL("../charts/api", the module's URL))`. Such
 * a path is relative to the file's folder alone (`fromFile`), where a plain string is also read
 * from the program's folder. Anything else is unknown: the release may install any chart.
 */
import path from 'node:path';
import type { Node } from 'ts-morph';
import { tsMorph } from './morph.js';
import { constValue, unwrap } from './values.js';

export type ChartReference = { ref: string; fromFile?: true } | { unknown: string };

/** `__dirname` (CommonJS, ts-node) or the ES module's dirname (Node 20.11+). */
const META = ['import', 'meta'].join('.');
function isDirname(n: Node): boolean {
  const t = unwrap(n).getText();
  return t === '__dirname' || t === `${META}.dirname`;
}

/** The parts of a path.join/resolve call after `__dirname`, as strings, or undefined when one is not a constant. */
function parts(args: readonly Node[]): string[] | undefined {
  const out: string[] = [];
  for (const a of args) {
    const v = constValue(a);
    if (typeof v !== 'string') return undefined;
    out.push(v);
  }
  return out;
}

/** A relative path from the file's folder (`../charts/api`), in POSIX form; an absolute part restarts it as path.resolve does. */
function fromFile(segments: readonly string[], resolve: boolean): { ref: string; fromFile: true } {
  let start = -1;
  if (resolve) segments.forEach((s, i) => {
    if (path.posix.isAbsolute(s)) start = i;
  });
  return { ref: start >= 0 ? path.posix.join(...segments.slice(start)) : path.posix.join('.', ...segments), fromFile: true };
}

export function chartReference(expr: Node): ChartReference {
  const { Node: N, SyntaxKind } = tsMorph();
  const n = unwrap(expr);
  const v = constValue(n);
  if (typeof v === 'string') return { ref: v };
  // path.join(__dirname, …), path.resolve(__dirname, …), join/resolve imported from node:path.
  if (N.isCallExpression(n)) {
    const callee = unwrap(n.getExpression()).getText();
    const m = /(?:^|\.)(join|resolve)$/.exec(callee);
    const args = n.getArguments();
    if (m && args.length > 0 && isDirname(args[0]!)) {
      const rest = parts(args.slice(1));
      if (rest) return fromFile(rest, m[1] === 'resolve');
    }
    // fileURLToPath(new URL("../chart", the module's URL)), or new URL(…).pathname below.
    if (/(?:^|\.)fileURLToPath$/.test(callee) && args.length === 1) {
      const inner = urlRef(args[0]!);
      if (inner) return inner;
    }
  }
  if (N.isPropertyAccessExpression(n) && n.getName() === 'pathname') {
    const inner = urlRef(n.getExpression());
    if (inner) return inner;
  }
  // `${__dirname}/../charts/api`.
  if (N.isTemplateExpression(n) && n.getHead().getLiteralText() === '') {
    const spans = n.getTemplateSpans();
    if (spans.length > 0 && isDirname(spans[0]!.getExpression())) {
      let rest = spans[0]!.getLiteral().getLiteralText();
      let ok = true;
      for (const s of spans.slice(1)) {
        const sv = constValue(s.getExpression());
        if (sv === undefined) ok = false;
        rest += `${sv}${s.getLiteral().getLiteralText()}`;
      }
      if (ok) return fromFile([rest.replace(/^\/+/, '')], false);
    }
  }
  // __dirname + "/../charts/api".
  if (N.isBinaryExpression(n) && n.getOperatorToken().getKind() === SyntaxKind.PlusToken && isDirname(n.getLeft())) {
    const r = constValue(n.getRight());
    if (typeof r === 'string') return fromFile([r.replace(/^\/+/, '')], false);
  }
  return { unknown: n.getText() };
}

/** `new URL("../chart", the module's URL)`: the path from the file's folder. */
function urlRef(expr: Node): { ref: string; fromFile: true } | undefined {
  const { Node: N } = tsMorph();
  const n = unwrap(expr);
  if (!N.isNewExpression(n) || n.getExpression().getText() !== 'URL') return undefined;
  const args = n.getArguments();
  if (args.length !== 2 || unwrap(args[1]!).getText() !== `${META}.url`) return undefined;
  const v = constValue(args[0]!);
  return typeof v === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(v) ? fromFile([v], false) : undefined;
}

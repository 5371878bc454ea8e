/**
 * The text of the `grpc` property that replaces `exec`, written the way the file writes objects:
 * its quotes, key quoting, indentation, one line or several, trailing commas, line endings.
 */
import type { ArrayLiteralExpression, Node, ObjectLiteralExpression, PropertyAssignment, ts as Ts } from 'ts-morph';
import type { NativePlan, PortValue } from '../analysis/native-probe.js';
import type { Edit } from '../types.js';
import { tsMorph } from './morph.js';
import { propName, unwrap } from './values.js';
import { lineStartOf } from '../text/lines.js';

export interface GrpcEditInput {
  text: string;
  eol: string;
  probe: ObjectLiteralExpression;
  execProp: PropertyAssignment;
  /** The command array: its strings tell the quote style. */
  array: ArrayLiteralExpression;
  plan: NativePlan;
  /** Say `exec: null` before grpc: the probe merges over another one (Helm values). */
  execNull?: boolean;
}

export function grpcEdits(input: GrpcEditInput): Edit[] {
  const { text, eol, probe, execProp, plan } = input;
  const { Node: N } = tsMorph();
  const q = quoteChar(input.array);
  const nameNode = execProp.getNameNode();
  // Keys are quoted only where the file quotes them (`'exec': {...}`).
  const key = (k: string) => (N.isStringLiteral(nameNode) ? quoteString(k, nameNode.getText()[0] as '"' | "'") : k);
  const grpc = plan.grpc!;
  const fields = [`${key('port')}: ${portText(grpc.port)}`];
  if (grpc.service !== undefined && grpc.service !== '') fields.push(`${key('service')}: ${serviceAsWritten(input.array, grpc.service)}`);
  if (grpc.mode) fields.push(`${key('mode')}: ${quoteString(grpc.mode, q)}`);

  const exec = unwrap(execProp.getInitializer()!) as ObjectLiteralExpression;
  const execText = text.slice(exec.getStart(), exec.getEnd());
  const propIndent = lineIndent(text, execProp.getStart());
  let replacement: string;
  if (execText.includes('\n') && propIndent !== undefined) {
    const first = exec.getProperties()[0];
    const firstIndent = first ? lineIndent(text, first.getStart()) : undefined;
    const inner = firstIndent !== undefined && firstIndent.length > propIndent.length ? firstIndent : propIndent + '  ';
    const trailing = exec.compilerNode.properties.hasTrailingComma ? ',' : '';
    replacement = `${key('grpc')}: {${eol}${fields.map((f) => inner + f).join(',' + eol)}${trailing}${eol}${propIndent}}`;
  } else {
    const pad = /^\{\s/.test(execText) ? ' ' : '';
    replacement = `${key('grpc')}: {${pad}${fields.join(', ')}${pad}}`;
  }

  if (input.execNull) {
    // On its own line when exec was, else beside grpc on the same line.
    replacement = `${key('exec')}: null,${propIndent !== undefined ? eol + propIndent : ' '}${replacement}`;
  }

  const edits: Edit[] = [];
  // Comments inside the replaced exec (a note on the command, on one of its flags) are kept: on
  // one line, before grpc where they were; else as whole lines above grpc, or above the line exec
  // starts on when something precedes it there.
  // A comment of several lines (a JSDoc block) moves with its inner lines: they keep their place
  // relative to the line it started on, under the indentation of the line it now starts on.
  const comments = commentsWithin(execProp, text);
  if (comments.length > 0 && !text.slice(execProp.getStart(), execProp.getEnd()).includes('\n')) {
    replacement = comments.map((c) => `${c.text} `).join('') + replacement;
  } else if (comments.length > 0) {
    const lineStart = lineStartOf(text, execProp.getStart());
    const lead = /^[ \t]*/.exec(text.slice(lineStart))![0];
    const at = (indent: string) => comments.map((c) => reindented(c, text, indent));
    if (propIndent !== undefined) replacement = at(propIndent).map((c) => `${c}${eol}${propIndent}`).join('') + replacement;
    else if (startsToken(execProp, lineStart + lead.length)) edits.push({ start: lineStart, end: lineStart, text: at(lead).map((c) => `${lead}${c}${eol}`).join('') });
    // The line starts inside a string or template that ends before exec: its own line for each.
    else replacement = at(lead).map((c) => `${c}${eol}${lead}`).join('') + replacement;
  }
  if (plan.timeoutSeconds) {
    const to = String(plan.timeoutSeconds.to);
    const existing = probe.getProperties().find((p): p is PropertyAssignment => N.isPropertyAssignment(p) && propName(p) === 'timeoutSeconds');
    const props = probe.getProperties();
    const last = props[props.length - 1]!;
    const probeText = text.slice(probe.getStart(), probe.getEnd());
    const closeLineStart = lineStartOf(text, probe.getEnd());
    const closeAlone = /^[ \t]*$/.test(text.slice(closeLineStart, probe.getEnd() - 1));
    const lastIndent = lineIndent(text, last.getStart());
    if (existing) {
      // Only a numeric literal is ever raised (anything else was 'unknown' to the analysis).
      const v = unwrap(existing.getInitializer()!);
      edits.push({ start: v.getStart(), end: v.getEnd(), text: to });
    } else if (probeText.includes('\n') && closeAlone && lastIndent !== undefined) {
      // A new last line of the probe, so that comments stay on the lines they were on.
      const trailing = probe.compilerNode.properties.hasTrailingComma;
      const line = `${lastIndent}${key('timeoutSeconds')}: ${to}${trailing ? ',' : ''}${eol}`;
      if (!trailing) {
        if (last === execProp) replacement += ',';
        else edits.push({ start: last.getEnd(), end: last.getEnd(), text: ',' });
      }
      edits.push({ start: closeLineStart, end: closeLineStart, text: line });
    } else if (last === execProp) {
      replacement += `, ${key('timeoutSeconds')}: ${to}`;
    } else {
      edits.push({ start: last.getEnd(), end: last.getEnd(), text: `, ${key('timeoutSeconds')}: ${to}` });
    }
  }
  edits.push({ start: execProp.getStart(), end: execProp.getEnd(), text: replacement });
  return edits;
}

function portText(port: PortValue): string {
  return port.kind === 'number' ? String(port.value) : port.text;
}

/** The quote of the command's first string literal, else of the file's first one, else single quotes. */
function quoteChar(array: ArrayLiteralExpression): '"' | "'" {
  const { Node: N, SyntaxKind } = tsMorph();
  const s = array.getElements().find((e) => N.isStringLiteral(e)) ?? array.getSourceFile().getFirstDescendantByKind(SyntaxKind.StringLiteral);
  return s && s.getText().startsWith('"') ? '"' : "'";
}

/** A service as grpcEdits writes it: a string literal in the command's quotes (`'api'`). Messages show it so too. */
export function serviceAsWritten(array: ArrayLiteralExpression, service: string): string {
  return quoteString(service, quoteChar(array));
}

export function quoteString(s: string, q: '"' | "'"): string {
  const json = JSON.stringify(s);
  if (q === '"') return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** The whitespace before an offset when nothing else precedes it on its line; undefined otherwise. */
function lineIndent(text: string, offset: number): string | undefined {
  const lineStart = lineStartOf(text, offset);
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

interface Comment {
  /** As the file writes it. */
  text: string;
  /** Its offset in the file. */
  pos: number;
}

/**
 * A comment's text for a new line whose indentation is `indent`: each of its inner lines that
 * starts with the indentation of the line the comment started on gets `indent` in its place, so
 * ` * ` of a JSDoc block stays under `/**`. Other inner lines (less indented, or indented with
 * other whitespace) are kept as written.
 */
function reindented(comment: Comment, text: string, indent: string): string {
  if (!comment.text.includes('\n')) return comment.text;
  const base = /^[ \t]*/.exec(text.slice(lineStartOf(text, comment.pos)))![0];
  const [first, ...rest] = comment.text.split('\n');
  return [first, ...rest.map((line) => (line.startsWith(base) ? indent + line.slice(base.length) : line))].join('\n');
}

/** The comments inside a node (not those before or after it), in order, as the file writes them. */
function commentsWithin(node: Node, text: string): Comment[] {
  const { ts } = tsMorph();
  const source = node.getSourceFile().compilerNode;
  const full = source.getFullText();
  const [from, to] = [node.getStart(), node.getEnd()];
  const seen = new Map<number, number>();
  const take = (ranges: Ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) if (r.pos >= from && r.end <= to) seen.set(r.pos, r.end);
  };
  // Every comment is trivia around some token: before it (leading) or after it on its line (trailing).
  const walk = (n: Ts.Node) => {
    // A JSDoc comment is a child node too: it is read as the trivia of the token it documents.
    if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return;
    if (n.kind < ts.SyntaxKind.FirstNode || n.getChildCount(source) === 0) {
      take(ts.getLeadingCommentRanges(full, n.pos));
      take(ts.getTrailingCommentRanges(full, n.end));
    }
    for (const c of n.getChildren(source)) walk(c);
  };
  walk(node.compilerNode);
  return [...seen].sort(([a], [b]) => a - b).map(([pos, end]) => ({ text: text.slice(pos, end), pos }));
}

/** True when a token of the node's file starts at `offset` (it is not inside a string or template). */
function startsToken(node: Node, offset: number): boolean {
  return node.getSourceFile().getDescendantAtPos(offset)?.getStart() === offset;
}

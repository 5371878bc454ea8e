/**
 * The pod a container object literal is in, as a manifest's walk sees it (src/kubernetes/probes.ts,
 * containerContext and meshOf): which container list holds it, the pod spec's hostNetwork, and
 * whether the pod template is in a service mesh. Followed through what the rest of the TypeScript
 * path follows: object and array literals, `const`s of the file (each use a place the value may
 * be), and spreads of those. What the tool cannot follow is "cannot tell": a hostNetwork it
 * cannot read blocks local addresses as a templated one does in YAML.
 */
import type { ArrayLiteralExpression, CallExpression, NewExpression, Node, ObjectLiteralExpression } from 'ts-morph';
import type { YAMLMap } from 'yaml';
import { templateMesh, type Mesh } from '../kubernetes/probes.js';
import { parseAllDocuments } from '../parse/yaml-lib.js';
import { tsMorph } from './morph.js';
import { constInitializer, constReferences, constValue, propName, unwrap } from './values.js';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);
/** How deep `const`s and spreads are followed. */
const MAX_DEPTH = 4;

export interface PodContext {
  /** The container lists the container is placed in (one per place; a const may be used twice). */
  lists: string[];
  /** true, a quoted string, or unknown (with why, as the message says it after "hostNetwork is", and what to do when not the general hint). */
  hostNetwork?: true | 'string' | { unknown: string; hint?: string };
  mesh?: Mesh;
}

/**
 * Where a value lands: a property of an object literal, spread into one, an element of an array,
 * the object of a property access (`args.spec…`, through a `const` that holds it), an argument of
 * a call, or other code the tool does not follow.
 */
type Landing =
  | { kind: 'property'; name: string | undefined; object: ObjectLiteralExpression }
  | { kind: 'spread'; object: ObjectLiteralExpression }
  | { kind: 'element'; array: ArrayLiteralExpression; spread: boolean }
  | { kind: 'access'; ref: Node }
  | { kind: 'argument'; call: CallExpression | NewExpression; index: number }
  | { kind: 'other'; node: Node };

/** The places the value of an expression lands in, through parentheses, `as` and `const`s of the file. */
function landings(expr: Node, depth = 0): Landing[] {
  const { Node: N } = tsMorph();
  let n: Node = expr;
  let up = n.getParent();
  while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up) || N.isTypeAssertion(up) || N.isNonNullExpression(up))) {
    n = up;
    up = up.getParent();
  }
  if (!up) return [{ kind: 'other', node: n }];
  if (N.isPropertyAssignment(up) && up.getInitializer() === n) {
    const nameNode = up.getNameNode();
    const computed = N.isComputedPropertyName(nameNode) ? constValue(nameNode.getExpression()) : undefined;
    const name = propName(up) ?? (typeof computed === 'string' ? computed : undefined);
    return [{ kind: 'property', name, object: up.getParent() as ObjectLiteralExpression }];
  }
  if (N.isShorthandPropertyAssignment(up)) return [{ kind: 'property', name: up.getName(), object: up.getParent() as ObjectLiteralExpression }];
  if (N.isSpreadAssignment(up)) return [{ kind: 'spread', object: up.getParent() as ObjectLiteralExpression }];
  if (N.isArrayLiteralExpression(up)) return [{ kind: 'element', array: up, spread: false }];
  if (N.isSpreadElement(up) && N.isArrayLiteralExpression(up.getParent())) return [{ kind: 'element', array: up.getParent() as ArrayLiteralExpression, spread: true }];
  if (N.isVariableDeclaration(up) && up.getInitializer() === n && depth < MAX_DEPTH) {
    const nameNode = up.getNameNode();
    const statement = up.getVariableStatement();
    if (!N.isIdentifier(nameNode) || statement?.getDeclarationKind() !== 'const') return [{ kind: 'other', node: up }];
    const out: Landing[] = statement.isExported() ? [{ kind: 'other', node: statement }] : [];
    for (const id of constReferences(up)) {
      const parent = id.getParent();
      if (parent && N.isExportSpecifier(parent)) out.push({ kind: 'other', node: parent });
      else out.push(...landings(id, depth + 1));
    }
    return out;
  }
  if ((N.isPropertyAccessExpression(up) || N.isElementAccessExpression(up)) && up.getExpression() === n) return [{ kind: 'access', ref: n }];
  if ((N.isCallExpression(up) || N.isNewExpression(up)) && (up.getArguments() as Node[]).includes(n)) return [{ kind: 'argument', call: up, index: (up.getArguments() as Node[]).indexOf(n) }];
  return [{ kind: 'other', node: n }];
}

/** A pod spec object literal holding a container list, and whether the tool saw where it goes. */
interface PodSpecPlace {
  list: string;
  /** The object literal that holds the list. */
  holder: ObjectLiteralExpression;
}

/** The container lists (and the objects holding them) a container object literal is placed in; undefined where a place is code the tool does not follow. */
function containerPlaces(container: ObjectLiteralExpression, depth = 0): (PodSpecPlace | undefined)[] {
  const out: (PodSpecPlace | undefined)[] = [];
  for (const l of landings(container)) {
    if (l.kind === 'element') out.push(...listPlaces(l.array, depth));
    // `{ ...base, name: 'x' }`: the container is the object it is spread into.
    else if (l.kind === 'spread' && depth < MAX_DEPTH) out.push(...containerPlaces(l.object, depth + 1));
    else out.push(undefined);
  }
  return out;
}

function listPlaces(array: ArrayLiteralExpression, depth: number): (PodSpecPlace | undefined)[] {
  const out: (PodSpecPlace | undefined)[] = [];
  for (const l of landings(array)) {
    if (l.kind === 'property' && l.name !== undefined && CONTAINER_LISTS.has(l.name)) out.push({ list: l.name, holder: l.object });
    // `containers: [...sidecars, main]`
    else if (l.kind === 'element' && l.spread && depth < MAX_DEPTH) out.push(...listPlaces(l.array, depth + 1));
    else out.push(undefined);
  }
  return out;
}

/** A pod spec as the pod gets it: `spec` of a template (or of a Pod), or an object it is spread into. */
interface FinalPodSpec {
  spec: ObjectLiteralExpression;
  /** The object that holds it as `spec` (a pod template, a Pod's args). */
  template?: ObjectLiteralExpression;
}

function finalPodSpecs(spec: ObjectLiteralExpression, depth = 0): FinalPodSpec[] {
  const out: FinalPodSpec[] = [];
  for (const l of landings(spec)) {
    if (l.kind === 'spread' && depth < MAX_DEPTH) out.push(...finalPodSpecs(l.object, depth + 1));
    else if (l.kind === 'property' && l.name === 'spec') out.push({ spec, template: l.object });
    // Anywhere else this object is the pod spec; what happens to it there is its fate (fateOf).
    else out.push({ spec });
  }
  return out;
}

/**
 * What happens to a pod spec after its object literal is written, as far as the file shows:
 * followed up through the objects that hold it (a template, a workload's args, `const`s of the
 * file) to the resource it is given to.
 */
interface Fate {
  /** hostNetwork as later code sets it (an assignment, a JSON patch, `Object.assign`), or unknown where that code may set it: these win over the literal. */
  writes: HostNetwork[];
  /** It is passed to code of the repository the tool does not follow (a function of the file, a class of the repository): how, for the message. */
  passedOn?: string;
  /** It is passed to code outside the repository (a package's function), which may set hostNetwork. */
  outside?: { unknown: string };
}

/** A hostNetwork that code after the literal sets to true: the pod is on the host's network. */
const ON_HOST_HINT =
  'The pod is on the host\'s network: the kubelet dials the node\'s IP, so a server that listens only on loopback keeps the exec probe. If it listens on all addresses, migrate by hand.';

/** The fate of each pod spec literal, once: every probe of its containers asks. */
const podSpecFates = new WeakMap<ObjectLiteralExpression, Fate>();

function podSpecFate(spec: ObjectLiteralExpression): Fate {
  let fate = podSpecFates.get(spec);
  if (!fate) podSpecFates.set(spec, (fate = fateOf(spec, ['hostNetwork'], { writes: [] })));
  return fate;
}

/** How deep fateOf follows holders, `const`s and reads. */
const FATE_DEPTH = 12;

/** A short quote of code for a message: its first line, at most 60 characters. */
function quote(node: Node): string {
  const text = node.getText();
  const first = text.split('\n')[0]!.trim();
  return first.length > 60 || first !== text ? `${first.slice(0, 59)}…` : first;
}

/**
 * The fate of `value` (a pod spec or an object that holds one), whose hostNetwork is at `path`
 * below it (['hostNetwork'] for the pod spec, ['spec', 'hostNetwork'] for its template, …).
 */
function fateOf(value: Node, path: string[], fate: Fate, depth = 0, seen = new Set<Node>()): Fate {
  if (depth > FATE_DEPTH || seen.has(value)) return fate;
  seen.add(value);
  for (const l of landings(value)) {
    if (l.kind === 'property') {
      if (l.name !== undefined) fateOf(l.object, [l.name, ...path], fate, depth + 1, seen);
    } else if (l.kind === 'spread') fateOf(l.object, path, fate, depth + 1, seen);
    else if (l.kind === 'access') accessFate(l.ref, path, fate, depth, seen);
    else if (l.kind === 'argument') argumentFate(l.call, l.index, path, fate, depth, seen);
    else if (l.kind === 'other') fate.passedOn ??= `it leaves the code the tool follows at line ${l.node.getStartLineNumber()} (\`${quote(l.node)}\`)`;
    // An element of an array (a list of resources): nothing more is known, nor changed.
  }
  return fate;
}

/**
 * `ref.a.b… = v` (or a read of `ref.a…`): an assignment to hostNetwork's path gives its value, one
 * to the pod spec or an object above it replaces it; a read of one of those objects goes on.
 */
function accessFate(ref: Node, path: string[], fate: Fate, depth: number, seen: Set<Node>): void {
  const { Node: N, SyntaxKind } = tsMorph();
  const steps: (string | undefined)[] = [];
  let e: Node = ref;
  for (;;) {
    let up = e.getParent();
    while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up) || N.isTypeAssertion(up) || N.isNonNullExpression(up))) {
      e = up;
      up = up.getParent();
    }
    if (up && N.isPropertyAccessExpression(up) && up.getExpression() === e) steps.push(up.getName());
    else if (up && N.isElementAccessExpression(up) && up.getExpression() === e) {
      const key = up.getArgumentExpression() ? constValue(up.getArgumentExpression()!) : undefined;
      steps.push(key === undefined ? undefined : String(key));
    } else break;
    e = up;
  }
  // Another field (`args.metadata.name`, `podSpec.containers.push`), or below hostNetwork's value.
  if (steps.some((step, i) => i < path.length && step !== undefined && step !== path[i]) || steps.length > path.length) return;
  const exact = steps.length === path.length;
  const where = `\`${quote(e)}\` (line ${e.getStartLineNumber()})`;
  const up = e.getParent();
  if (up && N.isBinaryExpression(up) && up.getLeft() === e) {
    const op = up.getOperatorToken().getKind();
    if (op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment) {
      if (!exact || steps.includes(undefined)) {
        fate.writes.push({ unknown: `unknown: ${where} ${exact ? 'may set it' : 'replaces the pod spec, or an object that holds it,'} after the object literal is written` });
      } else {
        const v = valueOf(up.getRight());
        const assignment = `\`${quote(up)}\` (line ${up.getStartLineNumber()})`;
        if (v === true) fate.writes.push({ unknown: `true: ${assignment} sets it after the object literal is written`, hint: ON_HOST_HINT });
        else if (v !== undefined) fate.writes.push(typeof v === 'object' ? { unknown: `unknown: ${where} is set to ${v.unknown}` } : v);
      }
      return;
    }
  }
  if (up && N.isDeleteExpression(up)) {
    if (!exact) fate.writes.push({ unknown: `unknown: ${where} deletes the pod spec, or an object that holds it, after the object literal is written` });
    return;
  }
  // Reads hostNetwork, or an object whose hostNetwork is below: followed where that goes.
  if (!exact) fateOf(e, path.slice(steps.length), fate, depth + 1, seen);
}

/** Where the function or class a call names comes from. */
function calleeOrigin(callee: Node): { kind: 'global' } | { kind: 'package'; module: string } | { kind: 'generated' } | { kind: 'repository' } {
  const { Node: N, SyntaxKind } = tsMorph();
  let root = unwrap(callee);
  while (N.isPropertyAccessExpression(root) || N.isElementAccessExpression(root) || N.isCallExpression(root)) root = unwrap(root.getExpression());
  if (!N.isIdentifier(root)) return { kind: 'repository' };
  const decl = root.getSymbol()?.getDeclarations()[0];
  if (!decl) return { kind: 'global' };
  let module = decl.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue();
  if (module === undefined && N.isVariableDeclaration(decl)) {
    // `const k8s = require('@pulumi/kubernetes')`
    const init = decl.getInitializer() ? unwrap(decl.getInitializer()!) : undefined;
    const arg = init && N.isCallExpression(init) && init.getExpression().getText() === 'require' ? init.getArguments()[0] : undefined;
    if (arg && (N.isStringLiteral(arg) || N.isNoSubstitutionTemplateLiteral(arg))) module = arg.getLiteralValue();
  }
  if (module === undefined) return { kind: 'repository' };
  // cdk8s's generated constructs (`./imports/k8s`) are Kubernetes' own objects.
  if (/(^|\/)imports\/[^/]+$/.test(module.replace(/\.(?:[cm]?js|[cm]?ts)$/, ''))) return { kind: 'generated' };
  return module.startsWith('.') ? { kind: 'repository' } : { kind: 'package', module };
}

/**
 * A pod spec (or an object that holds it) given to a call: `Object.assign` copies its sources in;
 * `new` of a class from a package or cdk8s's generated constructs is the resource (then its JSON
 * patches count); a global function reads it; a function of the repository is code the tool does
 * not follow, one of a package may set anything.
 */
function argumentFate(call: CallExpression | NewExpression, index: number, path: string[], fate: Fate, depth: number, seen: Set<Node>): void {
  const { Node: N } = tsMorph();
  const callee = unwrap(call.getExpression());
  const name = `${N.isNewExpression(call) ? 'new ' : ''}${quote(callee)}()`;
  const line = call.getStartLineNumber();
  if (N.isCallExpression(call) && callee.getText() === 'Object.assign') {
    if (index !== 0) {
      fate.passedOn ??= `it is copied by \`${name}\` (line ${line}) into an object the tool does not follow`;
      return;
    }
    for (const source of call.getArguments().slice(1)) {
      const literal = literalOf(source);
      const unreadable = { unknown: `unknown: \`${name}\` (line ${line}) copies \`${quote(source)}\` into it, which the tool cannot read` };
      if (!literal || literal.getProperties().some((p) => !N.isPropertyAssignment(p) && !N.isShorthandPropertyAssignment(p) && !N.isSpreadAssignment(p))) fate.writes.push(unreadable);
      else if (path.length === 1) {
        const v = hostNetworkOf(literal);
        if (v === true) fate.writes.push({ unknown: `true: \`${name}\` (line ${line}) sets it after the object literal is written`, hint: ON_HOST_HINT });
        else if (v !== 'absent' && v !== undefined) fate.writes.push(v);
      } else if (valueAt(literal, path[0]!) !== undefined || literal.getProperties().some((p) => N.isSpreadAssignment(p))) fate.writes.push(unreadable);
    }
    // Its result is the same object.
    fateOf(call, path, fate, depth + 1, seen);
    return;
  }
  const origin = calleeOrigin(callee);
  if (N.isNewExpression(call) && origin.kind !== 'repository') {
    resourceFate(call, path, fate);
    return;
  }
  if (origin.kind === 'global') return;
  if (origin.kind === 'package') {
    fate.outside ??= { unknown: `unknown: ${path.length === 1 ? 'the pod spec' : 'an object that holds the pod spec'} is passed to \`${name}\` (line ${line}) of the package ${origin.module}, which may set it` };
    return;
  }
  fate.passedOn ??= `it is passed to \`${name}\` (line ${line}), code the tool does not follow`;
}

/** A JSON pointer's segments (`/spec/template/spec/hostNetwork`), or undefined when it is not one. */
function pointerSteps(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The resource a pod spec's object is given to (`new KubeDaemonSet(chart, 'x', props)`,
 * `new k8s.apps.v1.DaemonSet('x', args, opts)`): cdk8s's escape hatch, `addJsonPatch` on it (or
 * on `ApiObject.of(it)`), may set hostNetwork or replace the pod spec; Pulumi's transformations
 * are functions the tool does not follow.
 */
function resourceFate(resource: NewExpression, path: string[], fate: Fate): void {
  const { Node: N } = tsMorph();
  for (const arg of resource.getArguments()) {
    const o = literalOf(arg);
    const t = o ? (valueAt(o, 'transformations') ?? valueAt(o, 'transforms')) : undefined;
    if (t) fate.passedOn ??= `the resource's transformations (line ${t.getStartLineNumber()}) may change it, code the tool does not follow`;
  }
  // The expressions that are this resource: the `new` itself, a `const` that holds it.
  const uses: Node[] = [];
  for (const l of landings(resource)) {
    if (l.kind === 'access') uses.push(l.ref);
    else if (l.kind === 'argument' && /(^|\.)ApiObject\.of$/.test(unwrap(l.call.getExpression()).getText())) uses.push(l.call);
  }
  for (const use of uses) {
    const up = use.getParent();
    const call = up && N.isPropertyAccessExpression(up) && up.getName() === 'addJsonPatch' ? up.getParent() : undefined;
    if (!call || !N.isCallExpression(call) || call.getExpression() !== up) continue;
    for (const op of call.getArguments()) jsonPatchFate(op, path, fate);
  }
}

/** One `JsonPatch.add/replace/copy/move/remove(…)` of an addJsonPatch: what it does to hostNetwork at `path` (from the resource's root). */
function jsonPatchFate(op: Node, path: string[], fate: Fate): void {
  const { Node: N } = tsMorph();
  const e = unwrap(op);
  const where = `\`addJsonPatch(${quote(e)})\` (line ${e.getStartLineNumber()})`;
  const callee = N.isCallExpression(e) ? unwrap(e.getExpression()) : undefined;
  const kind = callee && N.isPropertyAccessExpression(callee) && /(^|\.)JsonPatch$/.test(callee.getExpression().getText()) ? callee.getName() : undefined;
  if (kind === 'test') return;
  const args = N.isCallExpression(e) ? e.getArguments() : [];
  const target = kind === 'copy' || kind === 'move' ? args[1] : args[0];
  const pointer = target ? constValue(target) : undefined;
  const steps = typeof pointer === 'string' ? pointerSteps(pointer) : undefined;
  if (!kind || !['add', 'replace', 'copy', 'move', 'remove'].includes(kind) || !steps) {
    fate.writes.push({ unknown: `unknown: ${where} may change the pod spec, and the tool cannot read that patch` });
    return;
  }
  // Another field, or below hostNetwork's value.
  if (steps.some((step, i) => i < path.length && step !== path[i]) || steps.length > path.length) return;
  if (steps.length < path.length) {
    fate.writes.push({ unknown: `unknown: ${where} ${kind === 'remove' ? 'removes' : 'replaces'} the pod spec, or an object that holds it` });
    return;
  }
  if (kind === 'remove') return;
  if (kind === 'copy' || kind === 'move') {
    fate.writes.push({ unknown: `unknown: ${where} copies another field into it` });
    return;
  }
  const v = args[1] ? valueOf(args[1]) : { unknown: '' };
  if (v === true) fate.writes.push({ unknown: `true: ${where} sets it`, hint: ON_HOST_HINT });
  else if (v !== undefined) fate.writes.push(typeof v === 'object' ? { unknown: `unknown: ${where} sets it to ${v.unknown}` } : v);
}

type HostNetwork = true | 'string' | { unknown: string; hint?: string } | undefined;

/**
 * What an object literal says of hostNetwork, the last writer winning as in JavaScript: its own
 * property, or a spread of an object the tool reads (a literal, a `const` of the file) that sets
 * it. 'absent' when nothing sets it.
 */
function hostNetworkOf(object: ObjectLiteralExpression, depth = 0): HostNetwork | 'absent' {
  const { Node: N } = tsMorph();
  const props = object.getProperties();
  for (let i = props.length - 1; i >= 0; i--) {
    const p = props[i]!;
    if (N.isPropertyAssignment(p)) {
      const nameNode = p.getNameNode();
      const computed = N.isComputedPropertyName(nameNode) ? constValue(nameNode.getExpression()) : undefined;
      const name = propName(p) ?? (typeof computed === 'string' ? computed : undefined);
      if (name === undefined) return { unknown: `unknown: the pod spec has a computed key (\`${nameNode.getText()}\`, line ${p.getStartLineNumber()}) the tool cannot read, which may be hostNetwork` };
      if (name === 'hostNetwork') return valueOf(p.getInitializer()!);
    } else if (N.isShorthandPropertyAssignment(p)) {
      if (p.getName() === 'hostNetwork') return valueOf(p.getNameNode());
    } else if (N.isSpreadAssignment(p)) {
      const e = unwrap(p.getExpression());
      const literal = N.isObjectLiteralExpression(e) ? e : constInitializer(e);
      if (literal && N.isObjectLiteralExpression(literal) && depth < MAX_DEPTH) {
        const v = hostNetworkOf(literal, depth + 1);
        if (v !== 'absent') return v;
      } else {
        return { unknown: `unknown: the pod spec spreads \`${p.getText()}\` (line ${p.getStartLineNumber()}), which is not an object literal of this file and may set it` };
      }
    }
  }
  return 'absent';
}

/** hostNetwork's value: `true`, `false`/`null`/`undefined` (off), a string (the API server refuses it), a `const` of the file holding one; else unknown. */
function valueOf(expr: Node, depth = 0): HostNetwork {
  const { Node: N, SyntaxKind } = tsMorph();
  const e = unwrap(expr);
  if (e.getKind() === SyntaxKind.TrueKeyword) return true;
  if (e.getKind() === SyntaxKind.FalseKeyword || e.getKind() === SyntaxKind.NullKeyword || (N.isIdentifier(e) && e.getText() === 'undefined')) return undefined;
  if (N.isStringLiteral(e) || N.isNoSubstitutionTemplateLiteral(e)) return 'string';
  const init = N.isIdentifier(e) && depth < MAX_DEPTH ? constInitializer(e) : undefined;
  if (init) {
    const v = valueOf(init, depth + 1);
    if (typeof v !== 'object') return v;
  }
  const text = expr.getText().split('\n')[0]!.trim();
  return { unknown: `\`${text.length > 60 || text !== expr.getText() ? `${text.slice(0, 59)}…` : text}\` (line ${expr.getStartLineNumber()}), not a constant of this file` };
}

/** The most cautious of several pods' hostNetwork: true, then a string, then unknown. */
function worst(values: HostNetwork[]): HostNetwork {
  return values.find((v) => v === true) ?? values.find((v) => v === 'string') ?? values.find((v) => typeof v === 'object');
}

/**
 * A hostNetwork in the node (the file, Helm values) that is not off: a container the tool cannot
 * place in a pod spec may be in that pod. Its line, or undefined. Written in an object literal,
 * assigned (`spec.hostNetwork = true`, `spec["hostNetwork"] = on`), or a JSON patch's path
 * (`JsonPatch.add("/spec/template/spec/hostNetwork", true)`).
 */
function hostNetworkIn(scope: Node): number | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  for (const p of scope.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (propName(p) === 'hostNetwork' && valueOf(p.getInitializer()!) !== undefined) return p.getStartLineNumber();
  }
  for (const p of scope.getDescendantsOfKind(SyntaxKind.ShorthandPropertyAssignment)) {
    if (p.getName() === 'hostNetwork' && N.isShorthandPropertyAssignment(p) && valueOf(p.getNameNode()) !== undefined) return p.getStartLineNumber();
  }
  for (const b of scope.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    const left = unwrap(b.getLeft());
    const named = N.isPropertyAccessExpression(left) ? left.getName() : N.isElementAccessExpression(left) && left.getArgumentExpression() ? constValue(left.getArgumentExpression()!) : undefined;
    const op = b.getOperatorToken().getKind();
    if (named === 'hostNetwork' && op >= SyntaxKind.FirstAssignment && op <= SyntaxKind.LastAssignment && valueOf(b.getRight()) !== undefined) return b.getStartLineNumber();
  }
  for (const str of scope.getDescendantsOfKind(SyntaxKind.StringLiteral)) {
    if (/(^|\/)hostNetwork$/.test(str.getLiteralValue()) && str.getLiteralValue().includes('/')) return str.getStartLineNumber();
  }
  return undefined;
}

/**
 * A pod spec of the file whose hostNetwork the tool cannot read (a spread of an import, a
 * computed key, a package's function it is given to, code that changes it later): a container
 * the tool cannot place may end up there. Where and why, or undefined.
 */
const unknownIn = new WeakMap<Node, { line: number; why: string } | null>();

export function podSpecUnknownIn(file: Node): { line: number; why: string } | undefined {
  let known = unknownIn.get(file);
  if (known === undefined) unknownIn.set(file, (known = readPodSpecUnknownIn(file) ?? null));
  return known ?? undefined;
}

function readPodSpecUnknownIn(file: Node): { line: number; why: string } | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  for (const holder of file.getDescendantsOfKind(SyntaxKind.ObjectLiteralExpression)) {
    const lists = holder.getProperties().filter((p) => (N.isPropertyAssignment(p) && CONTAINER_LISTS.has(propName(p) ?? '')) || (N.isShorthandPropertyAssignment(p) && CONTAINER_LISTS.has(p.getName())));
    if (lists.length === 0) continue;
    for (const final of finalPodSpecs(holder)) {
      const v = hostNetworkOf(final.spec);
      const fate = podSpecFate(final.spec);
      const unknown = [v, ...fate.writes, ...(v === 'absent' && fate.outside ? [fate.outside] : [])].find((x): x is { unknown: string } => typeof x === 'object');
      if (unknown) return { line: final.spec.getStartLineNumber(), why: unknown.unknown.replace(/^(unknown|true): /, '') };
    }
  }
  return undefined;
}

/**
 * The pod context of the container object literal a probe is a property of. `helmValues`: the
 * Helm values (of a release or chart in code) the probe is in; the chart makes its pod, so only a
 * hostNetwork those values set may reach it, not one of the file's own pods.
 */
/**
 * `hostNetworkElsewhere`: another code file of the run that sets hostNetwork, or has a pod spec
 * whose hostNetwork the tool cannot read (said as `ds.ts sets hostNetwork`), for a container the
 * tool cannot place: it may end up in that file's pod spec.
 */
export function podContext(container: ObjectLiteralExpression, helmValues?: ObjectLiteralExpression, hostNetworkElsewhere?: () => string | undefined): PodContext {
  const places = containerPlaces(container);
  const placed = places.filter((p): p is PodSpecPlace => p !== undefined);
  const values: HostNetwork[] = [];
  let unfollowed = places.length === 0 || places.some((p) => p === undefined);
  // How the pod spec leaves the code the tool follows, when it does.
  let passedOn: string | undefined;
  let mesh: Mesh | undefined;
  for (const place of placed) {
    for (const final of finalPodSpecs(place.holder)) {
      const v = hostNetworkOf(final.spec);
      // Code after the literal that sets hostNetwork (an assignment, a JSON patch) wins over it.
      const fate = podSpecFate(final.spec);
      values.push(...fate.writes);
      if (v !== 'absent') values.push(v);
      // A pod spec handed to a package's function may get hostNetwork there.
      else if (fate.outside) values.push(fate.outside);
      // One handed to code of the repository may too: the file, or another, says whether any sets it.
      else if (fate.passedOn) {
        unfollowed = true;
        passedOn ??= fate.passedOn;
      }
      mesh ??= final.template ? meshAround(final.template, final.spec, place.holder) : undefined;
    }
  }
  let hostNetwork = worst(values);
  if (hostNetwork === undefined && unfollowed && helmValues) {
    const line = hostNetworkIn(helmValues);
    if (line !== undefined) {
      hostNetwork = {
        unknown: `unknown: the Helm values this probe is in set hostNetwork at line ${line}, which the chart may give the pod it renders this probe in`,
        hint: 'The chart\'s templates decide where these values go: if the pod that gets this probe is never on the host\'s network, migrate it by hand; on the host\'s network the kubelet dials the node\'s IP, so a server that listens only on loopback keeps the exec probe.',
      };
    }
  } else if (hostNetwork === undefined && unfollowed) {
    const file = container.getSourceFile();
    const line = hostNetworkIn(file);
    const what =
      placed.length > 0
        ? `pod spec ends up in (${passedOn ?? 'it is passed to code the tool does not follow'})`
        : 'container ends up in (it is not written in a pod spec\'s container list here, or is passed to code the tool does not follow)';
    // A pod spec of this file whose hostNetwork the tool cannot read (`...defaults` of a package).
    const unread = line === undefined ? podSpecUnknownIn(file) : undefined;
    // Not this file: another one may import it (an exported const, a function that returns it).
    const elsewhere = line === undefined && unread === undefined ? hostNetworkElsewhere?.() : undefined;
    if (line !== undefined) hostNetwork = { unknown: `unknown: this file sets hostNetwork at line ${line}, and the tool cannot tell which pod this ${what}` };
    else if (unread !== undefined) hostNetwork = { unknown: `unknown: this file has a pod spec at line ${unread.line} whose hostNetwork the tool cannot read (${unread.why}), and the tool cannot tell which pod this ${what}` };
    else if (elsewhere !== undefined) hostNetwork = { unknown: `unknown: ${elsewhere}, and the tool cannot tell which pod this ${what}` };
  }
  return { lists: placed.map((p) => p.list), ...(hostNetwork !== undefined ? { hostNetwork } : {}), ...(mesh ? { mesh } : {}) };
}

/**
 * The other containers of the pods a container object literal is placed in, as the manifest's
 * siblingListen reads them (src/kubernetes/probes.ts): the object literals (or `const`s of the
 * file holding one) of the pod spec's `containers`, and of its `initContainers` that run beside
 * it (restartPolicy: Always, a sidecar); an init container without it has exited before the app
 * starts. Elements the tool cannot read (a spread, a call) are left out.
 */
export function podSiblings(container: ObjectLiteralExpression): { object: ObjectLiteralExpression; name: string | undefined }[] {
  const { Node: N } = tsMorph();
  const out: { object: ObjectLiteralExpression; name: string | undefined }[] = [];
  const seen = new Set<ObjectLiteralExpression>([container]);
  for (const place of containerPlaces(container)) {
    if (place === undefined) continue;
    for (const spec of new Set([place.holder, ...finalPodSpecs(place.holder).map((f) => f.spec)])) {
      for (const list of ['containers', 'initContainers']) {
        const array = valueAt(spec, list);
        if (!array || !N.isArrayLiteralExpression(array)) continue;
        for (const item of array.getElements()) {
          const c = literalOf(item);
          if (!c || seen.has(c)) continue;
          seen.add(c);
          const policy = valueAt(c, 'restartPolicy');
          if (list === 'initContainers' && (policy === undefined || constValue(policy) !== 'Always')) continue;
          const name = valueAt(c, 'name');
          const v = name ? constValue(name) : undefined;
          out.push({ object: c, name: typeof v === 'string' ? v : undefined });
        }
      }
    }
  }
  return out;
}

/**
 * The pod template's mesh, as meshOf reads it in a manifest: its metadata's annotations and labels
 * (string values; a key whose value the tool cannot read is there, with no value) and the names
 * of the pod's containers and init containers.
 */
function meshAround(template: ObjectLiteralExpression, spec: ObjectLiteralExpression, holder: ObjectLiteralExpression): Mesh | undefined {
  const metadata = objectAt(template, 'metadata');
  const names = (list: string) => {
    const out: { name: string }[] = [];
    for (const object of new Set([spec, holder])) {
      const array = valueAt(object, list);
      if (!array || !tsMorph().Node.isArrayLiteralExpression(array)) continue;
      for (const item of array.getElements()) {
        const c = literalOf(item);
        const name = c ? valueAt(c, 'name') : undefined;
        const v = name ? constValue(name) : undefined;
        if (typeof v === 'string') out.push({ name: v });
      }
    }
    return out;
  };
  const shaped = {
    metadata: { annotations: stringMap(metadata ? objectAt(metadata, 'annotations') : undefined), labels: stringMap(metadata ? objectAt(metadata, 'labels') : undefined) },
    spec: { containers: names('containers'), initContainers: names('initContainers') },
  };
  const doc = parseAllDocuments(JSON.stringify(shaped))[0];
  const root = doc && !('empty' in doc) ? doc.contents : undefined;
  return root ? templateMesh(root as YAMLMap) : undefined;
}

/** An object literal written there or a `const` of the file holding one. */
function literalOf(expr: Node): ObjectLiteralExpression | undefined {
  const { Node: N } = tsMorph();
  const e = unwrap(expr);
  const o = N.isObjectLiteralExpression(e) ? e : constInitializer(e);
  return o && N.isObjectLiteralExpression(o) ? o : undefined;
}

/** The value of a property (or a shorthand's identifier), the last one written. */
function valueAt(object: ObjectLiteralExpression, name: string): Node | undefined {
  const { Node: N } = tsMorph();
  let found: Node | undefined;
  for (const p of object.getProperties()) {
    if (N.isPropertyAssignment(p) && propName(p) === name) found = unwrap(p.getInitializer()!);
    else if (N.isShorthandPropertyAssignment(p) && p.getName() === name) found = p.getNameNode();
  }
  if (found && N.isIdentifier(found)) return constInitializer(found) ?? found;
  return found;
}

function objectAt(object: ObjectLiteralExpression, name: string): ObjectLiteralExpression | undefined {
  const v = valueAt(object, name);
  return v ? literalOf(v) : undefined;
}

/** Keys of an object literal with their string values; null where the value is not a string the tool reads. */
function stringMap(object: ObjectLiteralExpression | undefined): Record<string, string | null> {
  const { Node: N } = tsMorph();
  const out: Record<string, string | null> = {};
  if (!object) return out;
  for (const p of object.getProperties()) {
    if (!N.isPropertyAssignment(p)) continue;
    const key = propName(p);
    if (key === undefined) continue;
    const v = constValue(p.getInitializer()!);
    out[key] = typeof v === 'string' ? v : null;
  }
  return out;
}

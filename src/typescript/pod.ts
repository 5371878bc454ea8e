/**
 * The pod a container object literal is in, as a manifest's walk sees it (src/kubernetes/probes.ts,
 * containerContext and meshOf): which container list holds it, the pod spec's hostNetwork, and
 * whether the pod template is in a service mesh. Followed through what the rest of the TypeScript
 * path follows: object and array literals, `const`s of the file (each use a place the value may
 * be), and spreads of those. What the tool cannot follow is "cannot tell": a hostNetwork it
 * cannot read blocks local addresses as a templated one does in YAML.
 */
import type { ArrayLiteralExpression, Node, ObjectLiteralExpression } from 'ts-morph';
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

/** Where a value lands: a property of an object literal, spread into one, an element of an array, or code the tool does not follow. */
type Landing =
  | { kind: 'property'; name: string | undefined; object: ObjectLiteralExpression }
  | { kind: 'spread'; object: ObjectLiteralExpression }
  | { kind: 'element'; array: ArrayLiteralExpression; spread: boolean }
  | { kind: 'other' };

/** The places the value of an expression lands in, through parentheses, `as` and `const`s of the file. */
function landings(expr: Node, depth = 0): Landing[] {
  const { Node: N } = tsMorph();
  let n: Node = expr;
  let up = n.getParent();
  while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up) || N.isTypeAssertion(up) || N.isNonNullExpression(up))) {
    n = up;
    up = up.getParent();
  }
  if (!up) return [{ kind: 'other' }];
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
    if (!N.isIdentifier(nameNode) || statement?.getDeclarationKind() !== 'const') return [{ kind: 'other' }];
    const out: Landing[] = statement.isExported() ? [{ kind: 'other' }] : [];
    for (const id of constReferences(up)) {
      const parent = id.getParent();
      if (parent && N.isExportSpecifier(parent)) out.push({ kind: 'other' });
      else out.push(...landings(id, depth + 1));
    }
    return out;
  }
  return [{ kind: 'other' }];
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
  /** The pod spec goes to code the tool does not follow (a function's argument, a return value). */
  passedOn?: true;
}

function finalPodSpecs(spec: ObjectLiteralExpression, depth = 0): FinalPodSpec[] {
  const out: FinalPodSpec[] = [];
  for (const l of landings(spec)) {
    if (l.kind === 'spread' && depth < MAX_DEPTH) out.push(...finalPodSpecs(l.object, depth + 1));
    else if (l.kind === 'property' && l.name === 'spec') out.push({ spec, template: l.object });
    else if (l.kind === 'property') out.push({ spec });
    else out.push({ spec, passedOn: true });
  }
  return out;
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
 * place in a pod spec may be in that pod. Its line, or undefined.
 */
function hostNetworkIn(scope: Node): number | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  for (const p of scope.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    if (propName(p) === 'hostNetwork' && valueOf(p.getInitializer()!) !== undefined) return p.getStartLineNumber();
  }
  for (const p of scope.getDescendantsOfKind(SyntaxKind.ShorthandPropertyAssignment)) {
    if (p.getName() === 'hostNetwork' && N.isShorthandPropertyAssignment(p) && valueOf(p.getNameNode()) !== undefined) return p.getStartLineNumber();
  }
  return undefined;
}

/**
 * The pod context of the container object literal a probe is a property of. `helmValues`: the
 * Helm values (of a release or chart in code) the probe is in; the chart makes its pod, so only a
 * hostNetwork those values set may reach it, not one of the file's own pods.
 */
/**
 * `hostNetworkElsewhere`: another code file of the run that sets hostNetwork (its path as shown),
 * for a container the tool cannot place: it may end up in that file's pod spec.
 */
export function podContext(container: ObjectLiteralExpression, helmValues?: ObjectLiteralExpression, hostNetworkElsewhere?: () => string | undefined): PodContext {
  const places = containerPlaces(container);
  const placed = places.filter((p): p is PodSpecPlace => p !== undefined);
  const values: HostNetwork[] = [];
  let unfollowed = places.length === 0 || places.some((p) => p === undefined);
  let mesh: Mesh | undefined;
  for (const place of placed) {
    for (const final of finalPodSpecs(place.holder)) {
      const v = hostNetworkOf(final.spec);
      if (v !== 'absent') values.push(v);
      // A pod spec handed to a function may get hostNetwork there.
      else if (final.passedOn) unfollowed = true;
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
    const line = hostNetworkIn(container.getSourceFile());
    const what = placed.length > 0 ? 'pod spec ends up in (it is passed to code the tool does not follow)' : 'container ends up in (it is not written in a pod spec\'s container list here, or is passed to code the tool does not follow)';
    // Not this file: another one may import it (an exported const, a function that returns it).
    const elsewhere = line === undefined ? hostNetworkElsewhere?.() : undefined;
    if (line !== undefined) hostNetwork = { unknown: `unknown: this file sets hostNetwork at line ${line}, and the tool cannot tell which pod this ${what}` };
    else if (elsewhere !== undefined) hostNetwork = { unknown: `unknown: ${elsewhere} sets hostNetwork, and the tool cannot tell which pod this ${what}` };
  }
  return { lists: placed.map((p) => p.list), ...(hostNetwork !== undefined ? { hostNetwork } : {}), ...(mesh ? { mesh } : {}) };
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

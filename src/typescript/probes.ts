/**
 * Kubernetes objects written as TypeScript/JavaScript object literals (cdk8s props, Pulumi args,
 * plain objects): exec probes that run grpc_health_probe become native `grpc` probes, through the
 * shared analysis of the command. Every other string in the file that names the binary is reported:
 * container commands, ECS health checks, anything the tool cannot place.
 */
import type { ArrayLiteralExpression, Node, ObjectLiteralExpression, PropertyAssignment, ShorthandPropertyAssignment, SourceFile } from 'ts-morph';
import { mentionsBinary } from '../analysis/binary.js';
import { planNativeProbe, type Blocker, type FixedNumber } from '../analysis/native-probe.js';
import { ECS_HINT, initContainerUse, PROBE_KEYS } from '../kubernetes/probes.js';
import { BLOCKERS } from '../blockers.js';
import type { BlockerCode, Report } from '../types.js';
import { tsMorph } from './morph.js';
import { grpcEdits } from './style.js';
import { constValue, hasPlaceholder, propName, resolveArgv, restorePlaceholders, unwrap, type ResolvedArgv } from './values.js';

export interface TsProbeOptions {
  file: SourceFile;
  text: string;
  eol: string;
  kubeVersion: string;
  /** See PlanInput.tlsMode. */
  tlsMode?: boolean;
}

/** Arrays that hold a command line: Kubernetes `command`/`args`, ECS `command`/`entryPoint`. */
const COMMAND_KEYS = new Set(['command', 'args', 'entryPoint']);
/** Health checks that run a command in the container: ECS `healthCheck.command`, Docker `healthcheck.test(s)`. */
const HEALTH_CHECK_KEYS = new Set(['healthCheck', 'healthcheck']);
const HEALTH_CHECK_COMMAND_KEYS = new Set(['command', 'test', 'tests']);
const LIFECYCLE_KEYS = new Set(['postStart', 'preStop']);
const EXEC_KEY = new Set(['exec']);


/** In code, a port is proven by a literal or a numeric const, not by the container's env. */
const TS_HINTS: Partial<Record<BlockerCode, string>> = {
  'unresolved-port':
    'A native probe needs a port the tool can prove. Write the number in -addr, or use a numeric const declared in this file (`-addr=:${PORT}` becomes port: PORT), and run the tool again.',
};

function hintFor(codes: readonly BlockerCode[]): string {
  return codes.map((c) => TS_HINTS[c] ?? BLOCKERS[c].hint).join(' ');
}

export function findTypeScriptReports(opts: TsProbeOptions): Report[] {
  const { Node: N, SyntaxKind } = tsMorph();
  const reports: Report[] = [];
  const handled = new Set<Node>();

  const arrays: ArrayLiteralExpression[] = [];
  const constSources = new Set<Node>();
  for (const prop of opts.file.getDescendantsOfKind(SyntaxKind.PropertyAssignment)) {
    const key = propName(prop);
    const init = prop.getInitializer();
    if (!key || !init || !(COMMAND_KEYS.has(key) || (HEALTH_CHECK_COMMAND_KEYS.has(key) && inHealthCheck(prop)))) continue;
    const array = unwrap(init);
    if (!N.isArrayLiteralExpression(array)) continue;
    const resolved = resolveArgv(array.getElements());
    if (!resolved.argv.some(mentionsBinary)) continue;
    arrays.push(array);
    for (const d of array.getDescendants()) handled.add(d);
    for (const s of resolved.sources) {
      const value = stringText(s);
      if (value !== undefined && mentionsBinary(value) && !s.getAncestors().includes(array)) constSources.add(s);
    }
    reports.push(commandReport(opts, prop, key, array, resolved));
  }
  // A constant that names the binary is accounted for only when every use of it was. One that
  // leaves the file (exported, or put in an object) may run anywhere: it keeps the binary.
  for (const source of constSources) {
    if (handled.has(source)) continue;
    const uses = constUses(source, arrays);
    if (uses === 'inside') handled.add(source);
    else if (uses !== 'outside') {
      handled.add(source);
      reports.push(escapeReport(source, uses));
    }
  }

  // Any other string that names the binary: nothing is silently passed over. Comments are not uses.
  opts.file.forEachDescendant((node) => {
    if (handled.has(node)) return;
    const value = stringText(node);
    if (value === undefined || !mentionsBinary(value) || isPropertyName(node)) return;
    reports.push(otherReport(node));
  });
  return reports;
}

function commandReport(opts: TsProbeOptions, prop: PropertyAssignment, key: string, array: ArrayLiteralExpression, resolved: ResolvedArgv): Report {
  const owner = prop.getParent() as ObjectLiteralExpression;
  const ownerProp = holder(owner);
  const ownerKey = ownerProp ? propName(ownerProp) : undefined;
  if (key === 'command' && ownerKey === 'exec') {
    const probeObj = ownerProp!.getParent() as ObjectLiteralExpression;
    const probeProp = holder(probeObj);
    const probeKey = probeProp ? propName(probeProp) : undefined;
    if (probeKey && PROBE_KEYS.has(probeKey)) return probeReport(opts, probeProp!, probeKey, probeObj, ownerProp!, array, resolved);
    if (!(probeKey && LIFECYCLE_KEYS.has(probeKey))) return unplacedExecReport(array, probeProp);
  } else if (key === 'command' && !ownerProp && heldAs(owner, EXEC_KEY)) {
    return unplacedExecReport(array, undefined);
  }
  if (inHealthCheck(prop)) {
    const ecs = key === 'command';
    return withImage(array, {
      start: array.getStart(),
      end: array.getEnd(),
      subject: 'consumer',
      message: `${ecs ? 'an ECS' : 'a'} container health check runs grpc_health_probe (at ${pathKeys(prop).join('.')})`,
      ...(ecs ? { hint: ECS_HINT } : {}),
      blockers: ['no-native-check'],
      keepsBinary: true,
      details: { path: pathKeys(prop).join('.') },
    });
  }
  return otherReport(array);
}

/**
 * An `exec: {command}` handler that is not written under livenessProbe/readinessProbe/startupProbe:
 * a probe a helper returns, one held in a variable, one under a computed or unknown key. It is
 * (probably) a probe, but the tool cannot tell which container's, nor rewrite its users.
 */
function unplacedExecReport(array: ArrayLiteralExpression, probeProp: PropertyAssignment | undefined): Report {
  const keys = pathKeys(array);
  const name = enclosingName(array);
  const computed = probeProp && propName(probeProp) === undefined ? ` under the computed key ${probeProp.getNameNode().getText()}` : '';
  const where = keys.length > 2 ? ` (at ${keys.join('.')})` : name ? ` (in ${name})` : '';
  return withImage(array, {
    start: array.getStart(),
    end: array.getEnd(),
    subject: 'probe',
    message: `an exec handler runs grpc_health_probe outside livenessProbe/readinessProbe/startupProbe${computed}${where}: the tool cannot place a probe built elsewhere (a helper, a variable, a computed key), so it stays on exec`,
    hint: 'Write the probe inline, as readinessProbe: { exec: { command: [...] } } (or livenessProbe/startupProbe) in the container, and run the tool again; or change the helper to return grpc: { port } by hand.',
    blockers: ['unparseable'],
    keepsBinary: true,
    details: { path: keys.join('.') },
  });
}

/**
 * The property an object literal held in a variable is used as, among `keys`: `const exec =
 * { command }` used as a probe's `exec: x` or `{ exec }`. Undefined when it is not used so.
 */
function heldAs(object: ObjectLiteralExpression, keys: ReadonlySet<string>): PropertyAssignment | ShorthandPropertyAssignment | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  let up: Node | undefined = object.getParent();
  while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up))) up = up.getParent();
  if (!up || !N.isVariableDeclaration(up)) return undefined;
  const nameNode = up.getNameNode();
  if (!N.isIdentifier(nameNode)) return undefined;
  const symbol = nameNode.getSymbol()?.compilerSymbol;
  const checker = object.getProject().getTypeChecker().compilerObject;
  for (const id of object.getSourceFile().getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (id === nameNode || id.getText() !== nameNode.getText()) continue;
    const parent = id.getParent();
    if (parent && N.isShorthandPropertyAssignment(parent)) {
      if (keys.has(parent.getName()) && checker.getShorthandAssignmentValueSymbol(parent.compilerNode) === symbol) return parent;
      continue;
    }
    const prop = holder(id);
    const key = prop ? propName(prop) : undefined;
    if (prop && key !== undefined && keys.has(key) && id.getSymbol()?.compilerSymbol === symbol) return prop;
  }
  return undefined;
}

/** Keys whose object is Helm values: Pulumi `helm.v3.Release`/`helm.v4.Chart` and cdk8s `Helm` take `values`, Argo CD `valuesObject`. */
const HELM_VALUES_KEYS = new Set(['values', 'valuesObject']);

/**
 * Where a probe sits in Helm values written in code (`new k8s.helm.v3.Release(..., { values: {...} })`,
 * cdk8s `new Helm(..., { values })`, directly or through a variable): Helm merges them key by key
 * over the chart's values.yaml, so a migrated probe must say `exec: null` there too. Returns how
 * to name the place, or undefined.
 */
function helmValuesAround(probeProp: PropertyAssignment): string | undefined {
  const { Node: N } = tsMorph();
  let outermost: ObjectLiteralExpression | undefined;
  let found: Node | undefined;
  for (const a of probeProp.getAncestors()) {
    if (N.isPropertyAssignment(a)) {
      const key = propName(a);
      if (key !== undefined && HELM_VALUES_KEYS.has(key) && N.isObjectLiteralExpression(unwrap(a.getInitializer()!))) {
        found = a;
        break;
      }
    }
    if (N.isObjectLiteralExpression(a)) outermost = a;
    else if (!N.isPropertyAssignment(a) && !N.isArrayLiteralExpression(a) && !N.isParenthesizedExpression(a) && !N.isAsExpression(a) && !N.isSatisfiesExpression(a)) break;
  }
  found ??= outermost ? heldAs(outermost, HELM_VALUES_KEYS) : undefined;
  if (!found) return undefined;
  // Only the values of a Helm release or chart: a `values` key of anything else (a render helper,
  // a config object) is not merged by Helm, and `exec: null` there could break its types.
  const call = found.getParent()?.getParent();
  if (!call || !(N.isNewExpression(call) || N.isCallExpression(call)) || !isHelmCallee(call.getExpression())) return undefined;
  const key = N.isPropertyAssignment(found) || N.isShorthandPropertyAssignment(found) ? found.getName() : 'values';
  const owner = call && (N.isNewExpression(call) || N.isCallExpression(call)) ? ` of ${N.isNewExpression(call) ? 'new ' : ''}${call.getExpression().getText()}()` : '';
  return `the Helm ${key}${owner}`;
}

/**
 * A Helm release or chart in code: Pulumi `new k8s.helm.v3.Release(…)`, `helm.v4.Chart`, cdk8s
 * `new Helm(…)`, or a name imported from a module whose path says helm (`@pulumi/kubernetes/helm/v3`).
 */
function isHelmCallee(expr: Node): boolean {
  const { Node: N } = tsMorph();
  const text = expr.getText();
  if (/(^|\.)helm\.v\d+\.(Release|Chart)$/i.test(text) || /(^|\.)Helm(Release|Chart)?$/.test(text)) return true;
  // `new Release(…)` or `new helm.Release(…)` with `Release`/`helm` imported from a helm module.
  const root = N.isPropertyAccessExpression(expr) ? expr.getExpression() : expr;
  const decl = N.isIdentifier(root) ? root.getSymbol()?.getDeclarations()[0] : undefined;
  const module = decl?.getFirstAncestorByKind(tsMorph().SyntaxKind.ImportDeclaration)?.getModuleSpecifierValue();
  return module !== undefined && /helm/i.test(module);
}

const helmFiles = new WeakMap<SourceFile, boolean>();

/** Whether the file makes a Helm release or chart (see isHelmCallee); once per file. */
function fileHasHelmCall(file: SourceFile): boolean {
  const { SyntaxKind } = tsMorph();
  let known = helmFiles.get(file);
  if (known === undefined) {
    known = [...file.getDescendantsOfKind(SyntaxKind.NewExpression), ...file.getDescendantsOfKind(SyntaxKind.CallExpression)].some((c) => isHelmCallee(c.getExpression()));
    helmFiles.set(file, known);
  }
  return known;
}

function inHealthCheck(prop: PropertyAssignment): boolean {
  const owner = holder(prop.getParent() as ObjectLiteralExpression);
  const key = owner ? propName(owner) : undefined;
  return key !== undefined && HEALTH_CHECK_KEYS.has(key);
}

/** How the value of a constant that names the binary leaves this file's command arrays. */
interface Escape {
  name: string;
  /** The code that lets it out: `export { HEALTH_BIN }`, `{ HEALTH_BIN }`. */
  via: Node;
  /** How messages show `via`, when not its first line. */
  shown?: string;
  exported: boolean;
}

/**
 * Where the constant a literal initialises is used: only inside the given arrays; in a way that
 * lets the value out of this file (an export, CommonJS `exports`, a shorthand property); or
 * elsewhere in the file ('outside', reported as any other mention). Identifiers are matched by
 * symbol, so a shadowing name elsewhere is not a use; `{ X }` and `export { X }` resolve through
 * the checker, since their own symbol is the property's or the export's.
 */
function constUses(literal: Node, arrays: readonly ArrayLiteralExpression[]): 'inside' | 'outside' | Escape {
  const { Node: N, SyntaxKind } = tsMorph();
  const decl = literal.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
  const nameNode = decl?.getNameNode();
  if (!decl || !nameNode || !N.isIdentifier(nameNode)) return 'outside';
  const name = nameNode.getText();
  const symbol = nameNode.getSymbol()?.compilerSymbol;
  const statement = decl.getVariableStatement();
  if (statement?.isExported()) return { name, via: statement, shown: `export ${statement.getDeclarationKind()} ${name}`, exported: true };
  const checker = literal.getProject().getTypeChecker().compilerObject;
  let outside = false;
  for (const id of literal.getSourceFile().getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (id === nameNode || id.getText() !== name) continue;
    const parent = id.getParent();
    if (parent && N.isShorthandPropertyAssignment(parent) && parent.getNameNode() === id) {
      if (checker.getShorthandAssignmentValueSymbol(parent.compilerNode) !== symbol) continue;
      const assignment = commonJsExport(id);
      return assignment ? { name, via: assignment, exported: true } : { name, via: parent.getParent(), exported: false };
    }
    if (parent && N.isExportSpecifier(parent)) {
      if (parent.getNameNode() !== id || checker.getExportSpecifierLocalTargetSymbol(parent.compilerNode) !== symbol) continue;
      return { name, via: parent.getFirstAncestorByKind(SyntaxKind.ExportDeclaration) ?? parent, exported: true };
    }
    if (id.getSymbol()?.compilerSymbol !== symbol) continue;
    // A probe's command may sit in an exported object: that use is the probe's.
    if (arrays.some((a) => id.getAncestors().includes(a))) continue;
    if (parent && N.isExportAssignment(parent)) return { name, via: parent, exported: true };
    const assignment = commonJsExport(id);
    if (assignment) return { name, via: assignment, exported: true };
    outside = true;
  }
  return outside ? 'outside' : 'inside';
}

/** `exports.X = id`, `module.exports = { id }`, `module.exports.X = [id]`: the assignment that makes the value the module's export. */
function commonJsExport(id: Node): Node | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  for (const a of id.getAncestors()) {
    if (N.isBinaryExpression(a) && a.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      const right = a.getRight();
      let target = a.getLeft();
      let first: Node | undefined;
      while (N.isPropertyAccessExpression(target) || N.isElementAccessExpression(target)) {
        first = target;
        target = target.getExpression();
      }
      const root = target.getText();
      const isExports = root === 'exports' || (root === 'module' && first !== undefined && N.isPropertyAccessExpression(first) && first.getName() === 'exports');
      if (isExports && (right === id || id.getAncestors().includes(right))) return a;
    }
    if (N.isStatement(a)) return undefined;
  }
  return undefined;
}

/** A constant that names the binary and leaves the file: other code may run it, so the install stays. */
function escapeReport(literal: Node, e: Escape): Report {
  const line = e.via.getStartLineNumber();
  const first = e.via.getText().split('\n')[0]!.trim();
  const via = e.shown ?? (first.length > 60 ? `${first.slice(0, 59)}…` : first);
  const how = e.exported
    ? `is exported (\`${via}\`, line ${line}), so other modules may import it and run the binary`
    : `escapes this file's probe commands through \`${via}\` (line ${line}), so code the tool cannot follow, in this file or another module, may run the binary`;
  return withImage(literal, {
    start: literal.getStart(),
    end: literal.getEnd(),
    subject: 'consumer',
    message: `${e.name} names grpc_health_probe and ${how}; the install stays`,
    hint: `The probes of this file that use ${e.name} are reported on their own; its other users are out of the tool's sight. Find what imports or receives ${e.name}: once nothing else runs the binary, keep the constant local to the probes (or remove it) and run the tool again.`,
    blockers: ['unparseable'],
    keepsBinary: true,
    details: { constant: e.name, exported: e.exported },
  });
}

/** A mention that is not an exec probe's command, described by the properties around it. */
function otherReport(node: Node): Report {
  const keys = pathKeys(node);
  const inProbe = keys.some((k) => PROBE_KEYS.has(k));
  const inCommand = keys.includes('command') || keys.includes('args') || keys.includes('entryPoint');
  const call = callAround(node);
  let where = call ? `an argument of ${call} names the binary; the tool cannot follow it` : 'the binary is named in code the tool cannot follow';
  if (keys.some((k) => LIFECYCLE_KEYS.has(k))) where = 'a lifecycle hook runs grpc_health_probe';
  else if (inProbe) where = 'a probe runs grpc_health_probe in a form the tool cannot read';
  else if (keys.includes('initContainers') && inCommand) {
    // A script that only fetches or copies the binary (`wget -qO /tools/grpc_health_probe …`) installs it; said as the YAML rule says it.
    where = initContainerUse(commandText(node));
  }
  else if (inCommand) where = 'a container command runs grpc_health_probe';
  const usedAs = keys.length === 0 ? execCommandUses(node) : undefined;
  return withImage(node, {
    start: node.getStart(),
    end: node.getEnd(),
    subject: inProbe ? 'probe' : 'consumer',
    message: `${where}${keys.length > 0 ? ` (at ${keys.join('.')})` : enclosingName(node) ? ` (in ${enclosingName(node)})` : ''}${usedAs ? `; it is the exec command of ${usedAs}` : ''}`,
    ...(usedAs ? { hint: SHARED_COMMAND_HINT } : {}),
    // Outside a probe, a command that names the binary runs it; elsewhere the tool cannot tell.
    blockers: [inProbe || !(inCommand || keys.some((k) => LIFECYCLE_KEYS.has(k))) ? 'unparseable' : 'not-a-probe'],
    // Conservative: anything that names the binary may run it, so the install stays.
    keepsBinary: true,
    details: { path: keys.join('.') },
  });
}

/** The script a command names (`['sh', '-c', script]`), or its words joined; '' when it is not all literals. */
function commandText(node: Node): string {
  const { Node: N } = tsMorph();
  const literal = (n: Node) => (N.isStringLiteral(n) || N.isNoSubstitutionTemplateLiteral(n) ? n.getLiteralText() : undefined);
  const own = literal(node);
  if (own !== undefined) return own;
  if (!N.isArrayLiteralExpression(node)) return '';
  const words = node.getElements().map(literal);
  if (words.some((w) => w === undefined)) return '';
  const argv = words as string[];
  return argv.length === 3 && /(^|\/)(ba|a|da|z|k)?sh$/.test(argv[0]!) && /^-[a-z]*c$/.test(argv[1]!) ? argv[2]! : argv.join(' ');
}

const SHARED_COMMAND_HINT =
  'The tool reads a probe\'s command only where it is written inline. Write `exec: { command: [...] }` in each probe that uses this constant (or migrate them by hand), then run the tool again.';

/**
 * Where a `const NAME = ['…grpc_health_probe', …]` that holds this node is an exec command
 * (`exec: { command: NAME }`), as `readinessProbe (line 6), an exec handler (line 2)`: those
 * probes never name the binary themselves, so this finding is the only one that leads to them.
 */
function execCommandUses(node: Node): string | undefined {
  const { Node: N, SyntaxKind } = tsMorph();
  const array = N.isArrayLiteralExpression(node) ? node : node.getParent();
  let decl = array?.getParent();
  while (decl && (N.isAsExpression(decl) || N.isSatisfiesExpression(decl) || N.isParenthesizedExpression(decl))) decl = decl.getParent();
  if (!array || !N.isArrayLiteralExpression(array) || !decl || !N.isVariableDeclaration(decl) || !decl.getInitializer() || unwrap(decl.getInitializer()!) !== array) return undefined;
  const name = decl.getName();
  const uses: string[] = [];
  for (const id of node.getSourceFile().getDescendantsOfKind(SyntaxKind.Identifier)) {
    if (id.getText() !== name || id === decl.getNameNode() || id.getSymbol()?.getDeclarations()[0] !== decl) continue;
    const command = holder(id);
    if (!command || propName(command) !== 'command') continue;
    const exec = holder(command.getParentOrThrow());
    if (!exec || propName(exec) !== 'exec') continue;
    const probe = holder(exec.getParentOrThrow());
    const key = probe ? propName(probe) : undefined;
    uses.push(`${key && PROBE_KEYS.has(key) ? key : 'an exec handler'} (line ${id.getStartLineNumber()})`);
  }
  return uses.length > 0 ? uses.join(', ') : undefined;
}

/**
 * The image of the container object around a node: Kubernetes `image: '...'`, or ECS
 * `image: ContainerImage.fromRegistry('...')`. Install rules match consumers to images with it.
 */
function withImage(node: Node, r: Report): Report {
  const { Node: N } = tsMorph();
  for (const a of node.getAncestors()) {
    if (!N.isObjectLiteralExpression(a)) continue;
    const p = property(a, 'image');
    if (!p) continue;
    let v = unwrap(p.getInitializer()!);
    if (N.isCallExpression(v) && /\.fromRegistry$/.test(v.getExpression().getText()) && v.getArguments()[0]) v = v.getArguments()[0]!;
    const image = constValue(v);
    return typeof image === 'string' ? { ...r, image } : r;
  }
  return r;
}

function probeReport(
  opts: TsProbeOptions,
  probeProp: PropertyAssignment,
  probeKey: string,
  probe: ObjectLiteralExpression,
  execProp: PropertyAssignment,
  array: ArrayLiteralExpression,
  resolved: ResolvedArgv,
): Report {
  const { Node: N } = tsMorph();
  const start = probeProp.getStart();
  const end = probeProp.getEnd();
  const container = containerOf(probeProp);
  const containerName = container ? stringProperty(container.object, 'name') : undefined;
  const where = `${probeKey}${containerName !== undefined ? ` of container "${containerName}"` : ''}`;
  const details: Record<string, unknown> = { probe: probeKey };
  if (containerName !== undefined) details.container = containerName;
  const image = container ? stringProperty(container.object, 'image') : undefined;
  const blocked = (blockers: Blocker[], notes: string[] = []): Report => {
    const codes = [...new Set(blockers.map((b) => b.code))];
    const r: Report = {
      start,
      end,
      subject: 'probe',
      hint: hintFor(codes),
      message: `${where} runs grpc_health_probe${notes.length > 0 ? ` (${notes.join('; ')})` : ''}: ${blockers.map((b) => b.detail).join('; ')}`,
      blockers: codes,
      keepsBinary: true,
      details,
    };
    if (image !== undefined) r.image = image;
    return r;
  };

  if (container?.list === 'ephemeralContainers') return blocked([{ code: 'not-a-probe', detail: 'ephemeral containers may not have probes' }]);
  if (container?.list === 'initContainers' && stringProperty(container.object, 'restartPolicy') !== 'Always') {
    return blocked([{ code: 'not-a-probe', detail: 'probes are allowed only on sidecar init containers (restartPolicy: Always)' }]);
  }

  // Without every argument, anything the analysis said about the command would be a guess.
  if (resolved.problems.length > 0) return blocked(resolved.problems.map((detail) => ({ code: 'unparseable', detail })));

  // A spread (`...overrides`) may set any field of the probe, a handler or timeoutSeconds too:
  // what the probe is after the rewrite cannot be known.
  const spread = probe.getProperties().find((p) => N.isSpreadAssignment(p));
  if (spread) return blocked([{ code: 'unparseable', detail: `the probe object spreads ${spread.getText()}, which may set its handler or timeoutSeconds` }]);

  const timeoutProp = property(probe, 'timeoutSeconds');
  let timeoutSeconds: number | 'unknown' | FixedNumber | undefined;
  if (timeoutProp) {
    const v = unwrap(timeoutProp.getInitializer()!);
    const known = N.isNumericLiteral(v) ? undefined : constValue(v);
    // A constant is read, not rewritten: the identifier stays, like a port's.
    timeoutSeconds = N.isNumericLiteral(v) ? v.getLiteralValue() : typeof known === 'number' ? { value: known, source: v.getText() } : 'unknown';
  }

  const placeholders = resolved.placeholders;
  const env = envLookup(container?.object);
  // A probe outside any container list, in a file that makes a Helm release, may reach its values
  // through a spread, a variable or a function (`values: { ...defaults }`): the safe side is the
  // same `exec: null`.
  const helmValues =
    helmValuesAround(probeProp) ??
    (container?.list === undefined && fileHasHelmCall(probeProp.getSourceFile()) ? 'values that may reach a Helm release of this file (through a spread, a variable or a function)' : undefined);
  const plan = planNativeProbe({
    argv: resolved.argv,
    // A placeholder stands for itself, so that it reaches the port or flag it is part of unchanged.
    env: (name) => (placeholders.some((p) => p.name === name) ? `$${name}` : env(name)),
    kubeVersion: opts.kubeVersion,
    tlsMode: opts.tlsMode ?? false,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    // In code an unreadable timeoutSeconds is an expression, not a template.
    ...(timeoutSeconds === 'unknown' ? { timeoutSecondsText: `\`${unwrap(timeoutProp!.getInitializer()!).getText()}\`, not a constant of this file` } : {}),
    timeoutFromBase: helmValues !== undefined,
    resolvePortExpression: (text) => placeholders.find((p) => `$${p.name}` === text)?.portExpression,
    opaque: (text) => hasPlaceholder(text, placeholders),
  });
  const blockers: Blocker[] = [...plan.blockers];
  if (plan.grpc?.service !== undefined && hasPlaceholder(plan.grpc.service, placeholders)) {
    blockers.push({ code: 'unparseable', detail: `-service=${plan.grpc.service} is not a string the tool can read in this file` });
  }
  if (property(probe, 'grpc') || property(probe, 'httpGet') || property(probe, 'tcpSocket')) {
    blockers.push({ code: 'unparseable', detail: 'the probe already has another handler beside exec' });
  }
  const restore = (s: string) => restorePlaceholders(s, placeholders);
  const notes = plan.notes.map(restore);
  for (const b of blockers) b.detail = restore(b.detail);

  if (blockers.length > 0 || !plan.grpc) {
    return blocked(blockers.length > 0 ? blockers : [{ code: 'unparseable', detail: 'no port found' }], notes);
  }
  const port = plan.grpc.port;
  details.port = port.kind === 'number' ? port.value : port.text;
  if (port.kind === 'expression') {
    const value = placeholders.find((x) => x.portExpression === port.text)?.portValue;
    if (value !== undefined) details.portValue = value;
  }
  if (plan.grpc.service !== undefined) details.service = plan.grpc.service;
  if (plan.timeoutSeconds) details.timeoutSeconds = plan.timeoutSeconds.to;
  if (plan.grpc.mode) details.mode = plan.grpc.mode;
  if (helmValues) {
    // As for a values file (src/helm/chart.ts): Helm deep-merges these values over the chart's
    // values.yaml, so without `exec: null` a default exec probe survives beside grpc.
    notes.push(`in ${helmValues}, which Helm merges over the chart's own values.yaml: \`exec: null\` removes the default probe's exec handler, or the pod would get two handlers`);
    details.mergePatch = true;
  }
  const target = ` grpc {port: ${details.port}${plan.grpc.service ? `, service: ${plan.grpc.service}` : ''}${plan.grpc.mode ? `, mode: ${plan.grpc.mode}` : ''}}`;
  const r: Report = {
    start,
    end,
    subject: 'probe',
    message: `${where}: exec grpc_health_probe →${target}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
    fix: grpcEdits({ text: opts.text, eol: opts.eol, probe, execProp, array, plan, execNull: helmValues !== undefined }),
    details,
  };
  if (image !== undefined) r.image = image;
  return r;
}

/** The container object literal a probe sits in, and which list holds it. */
function containerOf(probeProp: PropertyAssignment): { object: ObjectLiteralExpression; list?: string } | undefined {
  const { Node: N } = tsMorph();
  const object = probeProp.getParent();
  if (!N.isObjectLiteralExpression(object)) return undefined;
  let up: Node | undefined = object.getParent();
  while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up))) up = up.getParent();
  if (up && N.isArrayLiteralExpression(up)) {
    const listProp = holder(up);
    const list = listProp ? propName(listProp) : undefined;
    if (list === 'containers' || list === 'initContainers' || list === 'ephemeralContainers') return { object, list };
  }
  return { object };
}

/**
 * Literal `env: [{name, value}]` of a container, for `$(VAR)` and shell `$VAR`. The kubelet keeps
 * the last entry of a name, so an element the tool cannot read (a spread, an identifier, a call,
 * an object with a computed name or a spread) may set any name after the entries before it, and
 * a `valueFrom` (or any value that is not a literal) makes its name unknown.
 */
function envLookup(container: ObjectLiteralExpression | undefined): (name: string) => string | undefined {
  const { Node: N } = tsMorph();
  const values = new Map<string, string | undefined>();
  // A spread in the container (`{ env: [...], ...more }`) may replace its env list, or the same
  // key written twice: no value of it is known.
  if (container && (container.getProperties().some((p) => N.isSpreadAssignment(p)) || container.getProperties().filter((p) => N.isPropertyAssignment(p) && propName(p) === 'env').length > 1)) {
    return () => undefined;
  }
  const envProp = container ? property(container, 'env') : undefined;
  const env = envProp ? unwrap(envProp.getInitializer()!) : undefined;
  if (env && N.isArrayLiteralExpression(env)) {
    for (const item of env.getElements()) {
      const o = unwrap(item);
      const name = N.isObjectLiteralExpression(o) && !o.getProperties().some((p) => !N.isPropertyAssignment(p)) ? stringProperty(o, 'name') : undefined;
      if (name === undefined) {
        values.clear();
        continue;
      }
      const valueProp = property(o as ObjectLiteralExpression, 'value');
      const value = valueProp ? constValue(valueProp.getInitializer()!) : undefined;
      values.set(name, value !== undefined ? String(value) : undefined);
    }
  }
  return (name) => values.get(name);
}

/** The property assignment whose value is this node (through parentheses and `as`), if any. */
function holder(node: Node): PropertyAssignment | undefined {
  const { Node: N } = tsMorph();
  let up = node.getParent();
  while (up && (N.isParenthesizedExpression(up) || N.isAsExpression(up) || N.isSatisfiesExpression(up) || N.isTypeAssertion(up) || N.isNonNullExpression(up))) {
    up = up.getParent();
  }
  return up && N.isPropertyAssignment(up) && up.getInitializer() && unwrap(up.getInitializer()!) === node ? up : undefined;
}

function property(object: ObjectLiteralExpression, name: string): PropertyAssignment | undefined {
  const { Node: N } = tsMorph();
  return object.getProperties().find((p): p is PropertyAssignment => N.isPropertyAssignment(p) && propName(p) === name);
}

function stringProperty(object: ObjectLiteralExpression, name: string): string | undefined {
  const p = property(object, name);
  const v = p ? constValue(p.getInitializer()!) : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Names of the properties around a node, outermost first. */
function pathKeys(node: Node): string[] {
  const { Node: N } = tsMorph();
  const keys: string[] = [];
  for (const a of node.getAncestors()) {
    if (N.isPropertyAssignment(a)) {
      const k = propName(a);
      if (k !== undefined) keys.push(k);
    }
  }
  if (N.isPropertyAssignment(node)) {
    const k = propName(node);
    if (k !== undefined) keys.unshift(k);
  }
  return keys.reverse();
}

/** The text of a string-like literal (templates without their substitutions), else undefined. */
function stringText(node: Node): string | undefined {
  const { Node: N } = tsMorph();
  if (N.isStringLiteral(node) || N.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  if (N.isTemplateExpression(node)) return [node.getHead().compilerNode.text, ...node.getTemplateSpans().map((s) => s.getLiteral().compilerNode.text)].join(' ');
  return undefined;
}

/** `{ 'grpc_health_probe': x }` names a key; it runs nothing. */
function isPropertyName(node: Node): boolean {
  const { Node: N } = tsMorph();
  const parent = node.getParent();
  return !!parent && (N.isPropertyAssignment(parent) || N.isPropertySignature(parent) || N.isPropertyDeclaration(parent)) && parent.getNameNode() === node;
}

/** The name of the nearest named declaration around a node (a const, a function, a method). */
function enclosingName(node: Node): string | undefined {
  const { Node: N } = tsMorph();
  for (const a of node.getAncestors()) {
    if (N.isVariableDeclaration(a) || N.isFunctionDeclaration(a) || N.isMethodDeclaration(a) || N.isClassDeclaration(a)) {
      const name = a.getName();
      if (name) return name;
    }
  }
  return undefined;
}

/** `Probe.fromCommand()` when the node is (inside) an argument of a call, before any property. */
function callAround(node: Node): string | undefined {
  const { Node: N } = tsMorph();
  for (const a of node.getAncestors()) {
    if (N.isPropertyAssignment(a) || N.isVariableDeclaration(a) || N.isFunctionLikeDeclaration(a)) return undefined;
    if ((N.isCallExpression(a) || N.isNewExpression(a)) && a.getArguments().some((arg) => arg === node || node.getAncestors().includes(arg))) {
      return `${N.isNewExpression(a) ? 'new ' : ''}${a.getExpression().getText()}()`;
    }
  }
  return undefined;
}

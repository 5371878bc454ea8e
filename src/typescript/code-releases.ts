/**
 * The Helm releases written in TypeScript/JavaScript (Pulumi `new k8s.helm.v3.Release(…, {chart:
 * "../chart", values})`, `helm.v3.Chart`'s `path`, `helm.v4.Chart`, cdk8s `new Helm(…)`) whose
 * chart is a folder of the repository, as the helm module reads releases (registerCodeReleases,
 * src/helm/releases.ts): Helm merges their values over the chart's values.yaml, so a values.yaml
 * probe that such a release keeps on exec (a blocked probe, or one this run does not rewrite) is
 * held, as a YAML release's is: migrated, it would render exec and grpc in one probe, which the
 * API server rejects.
 *
 * Read once per run, when the helm module first judges a chart's values. ts-morph is loaded only
 * when a code file of the repository names helm and a chart (git grep, then the text): a run
 * without TypeScript IaC never loads it. The probes are not judged through the helm module (it is
 * reading its releases when it asks): an exec probe of the release's values counts as migrated
 * when its file is in the run and its command alone is migratable (literal argv, no blockers);
 * anything else keeps it on exec, which only holds more.
 */
import path from 'node:path';
import type { Node, ObjectLiteralExpression, PropertyAssignment, ShorthandPropertyAssignment, SourceFile } from 'ts-morph';
import { mentionsBinary } from '../analysis/binary.js';
import { planNativeProbe, targetClusters } from '../analysis/native-probe.js';
import { filesMayHold } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { registerCodeReleases, type CodeRelease } from '../helm/releases.js';
import { repositoryCharts, valuesProbeKeys } from '../helm/other-code-releases.js';
import { filesOfRun } from '../run-files.js';
import type { RunContext } from '../types.js';
import { chartReference } from './chart-ref.js';
import { isHelmCallee } from './helm-callee.js';
import { createProject, tsMorph } from './morph.js';
import { constInitializer, constValue, propName, resolveArgv, unwrap } from './values.js';

const PROBE_KEYS = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);
const OTHER_HANDLERS = ['httpGet', 'tcpSocket'] as const;
/** Properties of a release that bring values the tool does not read (Pulumi `valueYamlFiles`, a v4 Chart's `valueYamlFiles`). */
const OTHER_VALUES = /^value(s)?(Yaml)?Files$/i;
/** No hand-written line is this long (as rules/typescript-exec-probe.ts's GENERATED_LINE). */
const GENERATED_LINE = 10_000;

/** A value the tool cannot read: the whole values then count as unknown (they may set anything). */
class Unreadable extends Error {
  constructor(node: Node) {
    super(node.getText());
  }
}

/** An expression as messages quote it: its first 60 characters. */
function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}

/** Lists the run's releases in code of charts of the repository; see the module's comment. */
export function typescriptCodeReleases(run: RunContext): CodeRelease[] {
  const code = run.repositoryFiles().filter((f) => /\.[cm]?[jt]sx?$/i.test(f) && !f.endsWith('.d.ts') && !/(^|[\\/])node_modules[\\/]/.test(f));
  if (code.length === 0) return [];
  const may = filesMayHold(run, code, '[Hh][Ee][Ll][Mm]');
  const candidates = code.filter((f) => {
    if (may !== undefined && !may.has(f)) return false;
    const text = run.readText(f);
    return text !== undefined && /helm/i.test(text) && /\b(chart|path)\b/.test(text);
  });
  if (candidates.length === 0) return [];
  const project = createProject();
  const inRun = filesOfRun(run);
  const out: CodeRelease[] = [];
  candidates.forEach((abs, i) => {
    const text = run.readText(abs)!;
    if (text.split('\n').some((l) => l.length > GENERATED_LINE)) return;
    const ext = /\.[cm]?[jt]sx?$/i.exec(abs)![0].toLowerCase();
    const file = project.createSourceFile(`/releases/${i}${ext}`, text.replace(/^\uFEFF/, ''), { overwrite: true });
    try {
      out.push(...releasesIn(file, abs, inRun.has(abs), run));
    } finally {
      project.removeSourceFile(file);
    }
  });
  return out;
}

function releasesIn(file: SourceFile, abs: string, inRun: boolean, run: RunContext): CodeRelease[] {
  const { Node: N, SyntaxKind } = tsMorph();
  const shownFile = path.relative(run.cwd, abs).split(path.sep).join('/');
  const dirsOf = releaseChartDirs(abs, run);
  const folders = programFolders(abs, run);
  const out: CodeRelease[] = [];
  const calls = [...file.getDescendantsOfKind(SyntaxKind.NewExpression), ...file.getDescendantsOfKind(SyntaxKind.CallExpression)];
  for (const call of calls) {
    if (!isHelmCallee(call.getExpression())) continue;
    const args = call.getArguments().map((a) => unwrap(a));
    const options = args.find((a): a is ObjectLiteralExpression => N.isObjectLiteralExpression(a) && (property(a, 'chart') !== undefined || property(a, 'path') !== undefined));
    if (!options) continue;
    const refNode = (property(options, 'chart') ?? property(options, 'path'))!.getInitializer()!;
    const ref = chartReference(refNode);
    // A chart the tool cannot read (`chart: chartDir`, a function's result) may be any chart of
    // the repository, unless the release names a chart repository (then it is a registry's).
    const unknownChart = 'unknown' in ref;
    if (unknownChart && options.getProperties().some((p) => (N.isPropertyAssignment(p) || N.isShorthandPropertyAssignment(p)) && /^(repositoryOpts|fetchOpts|repo|repository)$/.test(p.getName()))) continue;
    const dirs = 'unknown' in ref ? repositoryCharts(run) : dirsOf(ref.ref, ref.fromFile);
    if (dirs.length === 0) continue;
    const chartShown = 'unknown' in ref || ref.fromFile ? short(refNode.getText()) : ref.ref;
    const name = args.map((a) => constValue(a)).find((v): v is string => typeof v === 'string');
    const line = call.getStartLineNumber();
    const shown = `the ${call.getExpression().getText()}${name !== undefined ? ` ${name}` : ''} in ${shownFile}:${line}`;
    const read = releaseValues(options, inRun, run, folders);
    for (const chartRoot of dirs) {
      // Values the tool cannot read may set any probe of the chart's values.yaml (to exec, or a
      // command beside the migrated grpc): each is held, as a probe the release keeps on exec.
      let kept = read.unknown === undefined ? read.kept : valuesProbeKeys(chartRoot, run).map((keyPath) => ({ keyPath, kept: `may keep it on exec: its values are not an object literal the tool reads (${read.unknown}; write them literally in the release to let the tool check them)` }));
      if (unknownChart) {
        // Only what it keeps counts (and its values files): its values are not given to charts it may not install.
        if (kept.length === 0 && !read.valueFiles) continue;
        kept = kept.map((k) => ({ ...k, kept: `${k.kept}, and its chart (${chartShown}) is an expression the tool cannot resolve, so it may be this one (write the chart as a string or path.join(__dirname, "…") to let the tool tell)` }));
        out.push({ chartRoot, chartShown, shown, kept, ...(read.valueFiles ? { valueFiles: read.valueFiles } : {}) });
        continue;
      }
      out.push({ chartRoot, chartShown, shown, kept, ...(read.values !== undefined ? { values: read.values } : {}), ...(read.valueFiles ? { valueFiles: read.valueFiles } : {}) });
    }
  }
  return out;
}

/** The release's values as plain data (undefined: unknown, they may set anything) and the values probes it keeps on a handler other than grpc. */
function releaseValues(options: ObjectLiteralExpression, inRun: boolean, run: RunContext, folders: readonly string[]): { values?: unknown; kept: CodeRelease['kept']; unknown?: string; valueFiles?: string[] } {
  const { Node: N } = tsMorph();
  // A spread of the options (`...common`), or values files: values the tool does not see.
  const outside = options.getProperties().find((p) => N.isSpreadAssignment(p) || ((N.isPropertyAssignment(p) || N.isShorthandPropertyAssignment(p)) && OTHER_VALUES.test(p.getName())));
  if (outside) return { kept: [], unknown: N.isSpreadAssignment(outside) ? `a spread of its options, ${outside.getText()}` : `values files, ${outside.getName()}` };
  // cdk8s Helm's helmFlags: `-f FILE`/`--values FILE` merge as a helm command's do; `--set…` may set anything.
  const flags = helmFlagFiles(options, folders, run);
  if (typeof flags === 'string') return { kept: [], unknown: flags };
  const withFiles = <T extends object>(r: T): T & { valueFiles?: string[] } => (flags.length > 0 ? { ...r, valueFiles: flags } : r);
  const prop = options.getProperties().find((p): p is PropertyAssignment | ShorthandPropertyAssignment => (N.isPropertyAssignment(p) || N.isShorthandPropertyAssignment(p)) && (p.getName() === 'values' || p.getName() === 'valuesObject'));
  if (!prop) return withFiles({ values: {}, kept: [] });
  // `values` (a shorthand): the const of that name.
  const init = N.isPropertyAssignment(prop) ? unwrap(prop.getInitializer()!) : prop.getNameNode();
  const object = N.isObjectLiteralExpression(init) ? init : N.isIdentifier(init) ? constInitializer(init) : undefined;
  if (!object || !N.isObjectLiteralExpression(object)) return { kept: [], unknown: `${short(init.getText())}, not an object literal of this file` };
  const kept: CodeRelease['kept'] = [];
  let values: unknown;
  try {
    values = plain(object, '', (keyPath, probe, constant) => {
      const k = keptBy(probe, constant !== undefined ? false : inRun, run, constant);
      if (k !== undefined) kept.push({ keyPath, kept: k });
    });
  } catch (e) {
    if (e instanceof Unreadable) return { kept: [], unknown: short(e.message) };
    throw e;
  }
  return withFiles({ values, kept });
}

/**
 * The values files a cdk8s Helm's `helmFlags` gives helm (`-f`, `--values`, `--values=`, `-fFILE`,
 * comma-separated lists), absolute: from the project's folder, where cdk8s runs helm, or the
 * file's, whichever holds the file (a file found in neither is given as the first's: the helm
 * module reads it as values it cannot see). A string: why the flags are unknown (not a list of
 * constants, a `--set…`, a post-renderer).
 */
function helmFlagFiles(options: ObjectLiteralExpression, folders: readonly string[], run: RunContext): string[] | string {
  const { Node: N } = tsMorph();
  const prop = options.getProperties().find((p) => (N.isPropertyAssignment(p) || N.isShorthandPropertyAssignment(p)) && p.getName() === 'helmFlags');
  if (!prop) return [];
  const init = N.isPropertyAssignment(prop) ? unwrap(prop.getInitializer()!) : (prop as ShorthandPropertyAssignment).getNameNode();
  const list = N.isArrayLiteralExpression(init) ? init : N.isIdentifier(init) ? constInitializer(init) : undefined;
  if (!list || !N.isArrayLiteralExpression(unwrap(list))) return `helmFlags ${short(init.getText())}, not a list of this file`;
  const words: string[] = [];
  for (const e of (unwrap(list) as import('ts-morph').ArrayLiteralExpression).getElements()) {
    const v = constValue(e);
    if (v === undefined) return `helmFlags ${short(e.getText())}, not a constant`;
    words.push(String(v));
  }
  const names: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const m = /^(?:-f|--values)(?:=(.*)|(.+))?$/.exec(w);
    if (m && (w.startsWith('--values') ? !/^--values[^=]/.test(w) : true)) {
      const value = m[1] ?? m[2] ?? words[++i];
      if (value === undefined) return `helmFlags ${w} without a file`;
      names.push(...value.split(',').filter((n) => n !== ''));
    } else if (/^--(set|set-string|set-file|set-json|set-literal|post-renderer)(=|$)/.test(w)) return `helmFlags ${w}`;
  }
  // Where cdk8s runs helm: the project's folder (the last base when there is one) first.
  const order = [...folders.slice(1), folders[0]!];
  return names.map((n) => {
    if (path.isAbsolute(n)) return n;
    const found = order.map((b) => path.resolve(b, n)).find((abs) => run.readText(abs) !== undefined);
    return found ?? path.resolve(order[0]!, n);
  });
}

/** Plain data of a literal (objects, arrays, literals and constants of the file), calling onProbe for each probe object under a probe key. */
function plain(node: Node, keyPath: string, onProbe: (keyPath: string, probe: ObjectLiteralExpression, constant?: string) => void): unknown {
  const { Node: N, SyntaxKind } = tsMorph();
  const n = unwrap(node);
  if (N.isObjectLiteralExpression(n)) {
    const out: Record<string, unknown> = {};
    for (const p of n.getProperties()) {
      if (!N.isPropertyAssignment(p)) throw new Unreadable(p);
      const key = propName(p);
      if (key === undefined) throw new Unreadable(p);
      const at = keyPath === '' ? key : `${keyPath}.${key}`;
      const value = unwrap(p.getInitializer()!);
      if (PROBE_KEYS.has(key) && N.isObjectLiteralExpression(value)) onProbe(at, value);
      // A probe written in a constant (`readinessProbe: shellCheck`): the TypeScript rule leaves
      // an exec outside a probe key as it is, so the release keeps whatever handler it has.
      const init = PROBE_KEYS.has(key) && N.isIdentifier(value) ? constInitializer(value) : undefined;
      if (init && N.isObjectLiteralExpression(unwrap(init))) onProbe(at, unwrap(init) as ObjectLiteralExpression, value.getText());
      out[key] = plain(value, at, onProbe);
    }
    return out;
  }
  if (N.isArrayLiteralExpression(n)) {
    return n.getElements().map((e, i) => {
      if (N.isSpreadElement(e) || N.isOmittedExpression(e)) throw new Unreadable(e);
      return plain(e, `${keyPath}[${i}]`, onProbe);
    });
  }
  if (n.getKind() === SyntaxKind.TrueKeyword) return true;
  if (n.getKind() === SyntaxKind.FalseKeyword) return false;
  if (n.getKind() === SyntaxKind.NullKeyword) return null;
  if (N.isIdentifier(n) && n.getText() === 'undefined') return undefined;
  if (N.isPrefixUnaryExpression(n) && n.getOperatorToken() === SyntaxKind.MinusToken && N.isNumericLiteral(n.getOperand())) return -Number(n.getOperand().getText());
  const v = constValue(n);
  if (v !== undefined) return v;
  // A constant object or array of the file (`readinessProbe: probe`).
  const init = N.isIdentifier(n) ? constInitializer(n) : undefined;
  if (init && (N.isObjectLiteralExpression(init) || N.isArrayLiteralExpression(init))) return plain(init, keyPath, onProbe);
  throw new Unreadable(n);
}

/**
 * How the release keeps a probe of its values on a handler other than grpc after this run, or
 * undefined when it has none or this run rewrites it to grpc.
 */
function keptBy(probe: ObjectLiteralExpression, inRun: boolean, run: RunContext, constant?: string): string | undefined {
  const { Node: N } = tsMorph();
  const handler = (name: string) => {
    const p = property(probe, name);
    if (!p) return undefined;
    const text = unwrap(p.getInitializer()!).getText();
    return text === 'null' || text === 'undefined' ? undefined : p;
  };
  const other = OTHER_HANDLERS.find((h) => handler(h));
  if (other) return `gives it ${other}`;
  const exec = handler('exec');
  if (!exec) return undefined;
  const why = ((): string | undefined => {
    if (constant !== undefined) return `it is written in the constant ${constant}, which the tool does not rewrite`;
    if (!inRun) return 'this run does not rewrite its file';
    if (handler('grpc')) return 'it also has a grpc handler';
    const value = unwrap(exec.getInitializer()!);
    const command = N.isObjectLiteralExpression(value) ? property(value, 'command') : undefined;
    const list = command ? unwrap(command.getInitializer()!) : undefined;
    if (!list || !N.isArrayLiteralExpression(list)) return 'its command is not an array literal';
    const resolved = resolveArgv(list.getElements());
    if (resolved.problems.length > 0 || resolved.placeholders.length > 0) return 'its command is not literal';
    if (!resolved.argv.some((a) => mentionsBinary(a))) return 'it does not run grpc_health_probe';
    const timeout = property(probe, 'timeoutSeconds');
    const t = timeout ? constValue(timeout.getInitializer()!) : undefined;
    if (timeout && typeof t !== 'number') return 'its timeoutSeconds is not a literal';
    const plan = planNativeProbe({ argv: resolved.argv, ...targetClusters(run.options), ...(typeof t === 'number' ? { timeoutSeconds: t } : {}), timeoutFromBase: true });
    return plan.blockers.length > 0 ? `blocked ${[...new Set(plan.blockers.map((b) => b.code))].join(', ')}` : undefined;
  })();
  return why === undefined ? undefined : `keeps it on exec (${why})`;
}

function property(object: ObjectLiteralExpression, name: string) {
  const { Node: N } = tsMorph();
  return object.getProperties().find((p) => N.isPropertyAssignment(p) && propName(p) === name) as PropertyAssignment | undefined;
}

/** Files that mark the folder a Pulumi or cdk8s program runs in (where a relative chart path starts). */
const PROJECT_FILES = ['Pulumi.yaml', 'Pulumi.yml', 'cdk8s.yaml'];

/**
 * The chart folders of the repository (absolute, where a Chart.yaml is) a release's chart
 * reference in a code file names: from the file's folder, and from the folder the program runs in,
 * its project's (Pulumi.yaml, cdk8s.yaml). Code outside a project folder (a component library, an
 * Automation API program) runs where its package does or where CI starts it: from the nearest
 * folder with a package.json, and from the repository's top folder. Reads no chart: the code
 * releases' reader (code-releases.ts) asks it while the helm module reads its releases.
 */
export function releaseChartDirs(fileAbs: string, run: RunContext): (chartRef: string, fromFile?: boolean) => string[] {
  const bases = programFolders(fileAbs, run);
  return (chartRef, fromFile) => {
    // A URL (oci://, https://) or an archive is not a folder of the repository.
    if (chartRef === '' || /^[a-z][a-z0-9+.-]*:/i.test(chartRef) || /\.tgz$/i.test(chartRef)) return [];
    // A path built from __dirname (chart-ref.ts) starts at the file's folder alone.
    return [...new Set((fromFile ? bases.slice(0, 1) : bases).map((b) => path.resolve(b, chartRef)).filter((d) => run.readText(path.join(d, 'Chart.yaml')) !== undefined))];
  };
}

/** The folders a relative path of a code file may start from: its own, then its project's (or its package's and the repository's top folder). */
function programFolders(fileAbs: string, run: RunContext): string[] {
  const bases = [path.dirname(fileAbs)];
  let project = false;
  let pkg: string | undefined;
  for (let dir = path.dirname(fileAbs); ; ) {
    if (PROJECT_FILES.some((f) => run.readText(path.join(dir, f)) !== undefined)) {
      bases.push(dir);
      project = true;
      break;
    }
    if (pkg === undefined && run.readText(path.join(dir, 'package.json')) !== undefined) pkg = dir;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (!project) bases.push(...(pkg !== undefined ? [pkg] : []), enclosingRepository(path.dirname(fileAbs)) ?? run.cwd);
  return bases;
}

// Loaded by the helm-judging rules before they read releases (preparePatchHolds loads
// manifest-readers.ts where the repository holds a Pulumi or cdk8s project, else this module
// where a code file imports @pulumi/kubernetes or cdk8s, src/discover/iac-code.ts) and by the
// TypeScript rule (helm-release.ts): from then on the helm module asks this reader once per run.
registerCodeReleases(typescriptCodeReleases);

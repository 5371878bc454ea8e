/**
 * Flux `Kustomization.spec.postBuild` variable substitution: Flux builds `spec.path` with
 * kustomize, then replaces `${VAR}` (and `${VAR:=default}`, `${VAR:-default}`, `${VAR=default}`,
 * `${VAR-default}`) in each built object's YAML text with the Kustomization's variables
 * (`postBuild.substitute`, over those of the ConfigMaps and Secrets `postBuild.substituteFrom`
 * names), and parses the text again before it applies it (fluxcd/pkg kustomize_varsub.go). An
 * exec probe's `-addr=:${GRPC_PORT}` there dials the substituted port today; written as the whole
 * `grpc.port` field, `port: ${GRPC_PORT}` becomes that number in every cluster, as the command's
 * port did. The probe walk (src/kubernetes/probes.ts) plans the command with each expression
 * standing for a number (fluxArgv) and asks here what the port expression gives in every Flux
 * Kustomization that builds the file: a port in each, or the probe stays blocked, saying why.
 */
import path from 'node:path';
import type { YAMLMap } from 'yaml';
import { enclosingRepository } from '../discover/scope.js';
import { namedFiles } from '../discover/names.js';
import { isMap, isSeq } from '../parse/yaml-lib.js';
import { getPair, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import type { RunContext } from '../types.js';
import { KUSTOMIZATION_NAMES, kustomizationRoot, resourcesOf } from './overlays.js';
import { FLUX_KUSTOMIZE } from './controllers.js';

/** One Flux Kustomization of the repository, as its substitution reads. */
interface FluxKustomization {
  /** The Kustomization, as shown: its name, file and line. */
  where: string;
  /** The folder its spec.path builds (absolute). */
  dir: string;
  /** Its namespace (where Flux looks for the substituteFrom objects), when written. */
  namespace?: string;
  /** `postBuild.substitute`, newlines removed as Flux removes them. */
  substitute: Map<string, string>;
  /** `postBuild.substituteFrom`, in order. */
  from: { kind: string; name: string }[];
}

/** What one Kustomization substitutes, as far as the repository tells. */
interface FluxVars {
  where: string;
  /** substitute over what the substituteFrom objects found in the repository hold. */
  vars: Map<string, string>;
  /** The substituteFrom objects the repository does not hold (or holds encrypted, or several ways): what they set is unknown. */
  unread: string[];
  /** Where a variable came from, for messages (`postBuild.substitute`, `ConfigMap cluster-vars (clusters/prod/vars.yaml)`). */
  source: Map<string, string>;
}

const byRun = new WeakMap<RunContext, FluxKustomization[]>();

function kustomizations(run: RunContext): FluxKustomization[] {
  const known = byRun.get(run);
  if (known) return known;
  const out: FluxKustomization[] = [];
  byRun.set(run, out);
  for (const abs of namedFiles(run).yaml) {
    const text = run.readText(abs);
    if (text === undefined || !text.includes(FLUX_KUSTOMIZE) || !text.includes('Kustomization')) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    const repoRoot = enclosingRepository(path.dirname(abs)) ?? run.cwd;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!isMap(root) || scalarText(getPair(root, 'kind')?.value) !== 'Kustomization' || !String(scalarText(getPair(root, 'apiVersion')?.value) ?? '').startsWith(FLUX_KUSTOMIZE)) continue;
      // spec.path defaults to the root of the source (taken to be this repository, as for its patches: overlays.ts).
      const specPath = scalarText(nodeAt(root, 'spec.path')) ?? '.';
      const post = nodeAt(root, 'spec.postBuild');
      const substitute = new Map<string, string>();
      const from: { kind: string; name: string }[] = [];
      if (isMap(post)) {
        const sub = getPair(post, 'substitute')?.value;
        if (isMap(sub)) for (const item of sub.items) substitute.set(String(scalarText(item.key) ?? ''), String(scalarText(item.value) ?? '').split('\n').join(''));
        const refs = getPair(post, 'substituteFrom')?.value;
        for (const ref of isSeq(refs) ? refs.items : []) {
          if (isMap(ref)) from.push({ kind: scalarText(getPair(ref, 'kind')?.value) ?? '?', name: scalarText(getPair(ref, 'name')?.value) ?? '?' });
        }
      }
      const range = (root as { range?: [number, number, number] }).range;
      const line = range ? text.slice(0, range[0]).split('\n').length : 1;
      const name = scalarText(nodeAt(root, 'metadata.name')) ?? '?';
      const namespace = scalarText(nodeAt(root, 'metadata.namespace'));
      out.push({
        where: `${name} (${path.relative(run.cwd, abs).split(path.sep).join('/')}:${line})`,
        dir: path.resolve(repoRoot, specPath),
        ...(namespace !== undefined ? { namespace } : {}),
        substitute,
        from,
      });
    }
  }
  return out;
}

const targetsByRun = new WeakMap<RunContext, Map<string, ReadonlySet<string> | 'under'>>();

/**
 * Whether a Kustomization's spec.path builds the file: its kustomization takes it (bases and
 * components followed), or, without one, the file is under the folder (Flux generates a
 * kustomization of every manifest there).
 */
function builds(k: FluxKustomization, fileAbs: string, run: RunContext): boolean {
  let byDir = targetsByRun.get(run);
  if (!byDir) targetsByRun.set(run, (byDir = new Map()));
  let targets = byDir.get(k.dir);
  if (!targets) {
    const hasKustomization = KUSTOMIZATION_NAMES.some((n) => kustomizationRoot(path.join(k.dir, n), run));
    targets = hasKustomization ? new Set(resourcesOf(k.dir, run, new Set())) : 'under';
    byDir.set(k.dir, targets);
  }
  return targets === 'under' ? fileAbs.startsWith(k.dir.endsWith(path.sep) ? k.dir : k.dir + path.sep) : targets.has(fileAbs);
}

/**
 * The Flux Kustomizations with postBuild variables (or substituteFrom) whose spec.path holds the
 * file (a patch or values file there), as shown; undefined when none does.
 */
export function fluxFolderOf(fileAbs: string, run: RunContext): string | undefined {
  if (fileAbs === '') return undefined;
  const holding = kustomizations(run).filter((k) => (k.substitute.size > 0 || k.from.length > 0) && fileAbs.startsWith(k.dir.endsWith(path.sep) ? k.dir : k.dir + path.sep));
  if (holding.length === 0) return undefined;
  return `${holding.length > 1 ? 'the Flux Kustomizations' : 'the Flux Kustomization'} ${holding.map((k) => k.where).join(', ')}`;
}

const plainByRun = new WeakMap<RunContext, { file: string; dir: string; targets: ReadonlySet<string> }[]>();

/**
 * The kustomizations of the repository that no other kustomization takes (as a resource, base or
 * component): what is built on its own (`kubectl apply -k`, kustomize build). A base that only an
 * overlay takes is built as part of the overlay. Each with the files it builds, once per run, and
 * only for a probe whose command holds `${…}` under a Flux path.
 */
function topKustomizations(run: RunContext): { file: string; dir: string; targets: ReadonlySet<string> }[] {
  const known = plainByRun.get(run);
  if (known) return known;
  const all: { file: string; dir: string; targets: ReadonlySet<string> }[] = [];
  const taken = new Set<string>();
  for (const file of namedFiles(run).kustomizations) {
    const dir = path.dirname(file);
    if (!kustomizationRoot(file, run)) continue;
    const seen = new Set<string>();
    all.push({ file, dir, targets: new Set(resourcesOf(dir, run, seen)) });
    for (const d of seen) if (d !== dir) taken.add(d);
  }
  const out = all.filter((k) => !taken.has(k.dir));
  plainByRun.set(run, out);
  return out;
}

/**
 * The kustomizations of the repository (shown relative to the current folder) built on their own
 * (topKustomizations) that build the file (resources, bases and components followed) and are not
 * at or under the spec.path of one of the Flux Kustomizations `building` it: those build it
 * without Flux's substitution.
 */
function plainBuilds(fileAbs: string, building: readonly FluxKustomization[], run: RunContext): string[] {
  const within = (dir: string) => building.some((k) => dir === k.dir || dir.startsWith(k.dir.endsWith(path.sep) ? k.dir : k.dir + path.sep));
  return topKustomizations(run)
    .filter((k) => !within(k.dir) && k.targets.has(fileAbs))
    .map((k) => path.relative(run.cwd, k.file).split(path.sep).join('/'))
    .sort();
}

const objectsByRun = new WeakMap<RunContext, Map<string, { data: Map<string, string> | undefined; file: string }[]>>();

/**
 * The repository's ConfigMaps and Secrets named `kind/namespace/name` (namespace `` when not
 * written): their data as Flux reads it (a Secret's stringData, or data decoded), or undefined
 * where it cannot be read (SOPS-encrypted, a value that is not a string). Read once per run, and
 * only when a Kustomization that builds a probe's file names one.
 */
function repositoryObjects(run: RunContext): Map<string, { data: Map<string, string> | undefined; file: string }[]> {
  const known = objectsByRun.get(run);
  if (known) return known;
  const out = new Map<string, { data: Map<string, string> | undefined; file: string }[]>();
  objectsByRun.set(run, out);
  for (const abs of namedFiles(run).yaml) {
    const text = run.readText(abs);
    if (text === undefined || !/\bkind:\s*["']?(?:ConfigMap|Secret)\b/.test(text)) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!isMap(root)) continue;
      const kind = scalarText(getPair(root, 'kind')?.value);
      const name = scalarText(nodeAt(root, 'metadata.name'));
      if ((kind !== 'ConfigMap' && kind !== 'Secret') || name === undefined) continue;
      const key = `${kind}/${scalarText(nodeAt(root, 'metadata.namespace')) ?? ''}/${name}`;
      const data = new Map<string, string>();
      let readable = getPair(root, 'sops') === undefined;
      const read = (field: string, decode: boolean) => {
        const m = getPair(root, field)?.value;
        if (m === undefined) return;
        if (!isMap(m)) {
          readable = false;
          return;
        }
        for (const item of (m as YAMLMap).items) {
          const k = scalarText(item.key);
          const v = scalarText(item.value);
          if (k === undefined || v === undefined) {
            readable = false;
            continue;
          }
          data.set(k, (decode ? Buffer.from(v, 'base64').toString('utf8') : v).split('\n').join(''));
        }
      };
      read('data', kind === 'Secret');
      if (kind === 'Secret') read('stringData', false);
      const list = out.get(key) ?? [];
      list.push({ data: readable ? data : undefined, file: path.relative(run.cwd, abs).split(path.sep).join('/') });
      out.set(key, list);
    }
  }
  return out;
}

/** A Kustomization's variables: substitute over its substituteFrom objects, where the repository holds them (one way). */
function varsOf(k: FluxKustomization, run: RunContext): FluxVars {
  const vars = new Map<string, string>();
  const source = new Map<string, string>();
  const unread: string[] = [];
  if (k.from.length > 0) {
    const objects = repositoryObjects(run);
    for (const ref of k.from) {
      const shown = `${ref.kind} ${ref.name}`;
      // Flux reads them in the Kustomization's namespace; a file that names none may be applied there.
      const found = [...(objects.get(`${ref.kind}/${k.namespace ?? ''}/${ref.name}`) ?? []), ...(k.namespace !== undefined ? (objects.get(`${ref.kind}//${ref.name}`) ?? []) : [])];
      const first = found[0]?.data;
      const same = first !== undefined && found.every((f) => f.data !== undefined && f.data.size === first.size && [...first].every(([key, v]) => f.data!.get(key) === v));
      if (!same) {
        unread.push(found.length === 0 ? `${shown}, which the repository does not hold` : found.some((f) => f.data === undefined) ? `${shown}, which the repository holds encrypted or not as plain strings` : `${shown}, which the repository holds with different data (${found.map((f) => f.file).join(', ')})`);
        continue;
      }
      // Later objects overwrite earlier ones.
      for (const [key, v] of first) {
        vars.set(key, v);
        source.set(key, `${shown} (${found[0]!.file})`);
      }
    }
  }
  // substitute takes precedence over substituteFrom.
  for (const [key, v] of k.substitute) {
    vars.set(key, v);
    source.set(key, 'postBuild.substitute');
  }
  return { where: k.where, vars, unread, source };
}

/** `${NAME}`, `${NAME:=default}`, `${NAME:-default}`, `${NAME=default}`, `${NAME-default}`: the expressions the tool evaluates. */
const EXPRESSION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^${}]*))?\}/g;

interface Expression {
  text: string;
  name: string;
  /** `:=`, `:-` (empty counts as unset), `=`, `-` (only unset). */
  op?: string;
  fallback?: string;
}

/** A value of one Kustomization for an expression: the text, or why it is not known. */
function evaluate(e: Expression, v: FluxVars): { value: string; how: string } | { unknown: string } {
  const given = v.vars.get(e.name);
  const emptyIsUnset = e.op === ':=' || e.op === ':-';
  if (given !== undefined && !(emptyIsUnset && given === '')) return { value: given, how: `${e.name}: ${JSON.stringify(given)}${v.source.get(e.name) === 'postBuild.substitute' ? '' : ` from ${v.source.get(e.name)}`}` };
  if (v.unread.length > 0) return { unknown: `the Flux Kustomization ${v.where} may set ${e.name} from postBuild.substituteFrom (${v.unread.join('; ')}), so the tool cannot tell what it substitutes` };
  if (e.op !== undefined) return { value: e.fallback ?? '', how: given === undefined ? `${e.name} unset: the default ${JSON.stringify(e.fallback ?? '')}` : `${e.name} empty: the default ${JSON.stringify(e.fallback ?? '')}` };
  return { value: given ?? '', how: given === undefined ? `${e.name} unset` : `${e.name}: ""` };
}

const PLAIN_BUILD_HINT =
  'A kustomization applied without Flux (kubectl apply -k, kustomize build) builds this file too, and nothing fills ${VAR} there. Write the port as a number in the command (and migrate again), or have that build fill the variable (a replacement, or a patch of its own) and write grpc: {port: N} by hand.';

const PORT = /^[1-9][0-9]{0,4}$/;
/** A service name that reads the same substituted into a plain YAML scalar, a double-quoted one and a shell word. */
const SERVICE_SAFE = /^(?:[A-Za-z_][A-Za-z0-9_./-]*)?$/;
/** Words YAML 1.1 (sigs.k8s.io/yaml, which Flux parses the substituted text with) reads as a boolean or null. */
const YAML11_NOT_STRING = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/** What fluxArgv gives the probe walk. */
export interface FluxArgv {
  /** The command with each `${…}` expression written as a number of its own, which no argument holds. */
  argv: string[];
  /** A plan's text with those numbers back as the expressions they stand for. */
  restore(text: string): string;
  /**
   * For the port the plan found: undefined when it is no expression's number (a literal port);
   * else what grpc.port is written as and the note that says why, or why the probe stays blocked.
   */
  port(value: number): { text: string; note: string } | { detail: string } | undefined;
  /** Why a restored text (the service) cannot be written as it is, or undefined. */
  check(text: string): string | undefined;
}

/**
 * The Flux Kustomizations that build a manifest (fileAbs), for an exec probe's command in its
 * object (root: the document's root) with `${…}` in it: undefined when no Flux Kustomization of the
 * repository builds the file (the command is then read as before: envsubst may fill it, or not);
 * a detail when Flux applies the text as written or the command holds an expression the tool does
 * not evaluate; else the command with numbers for the expressions, and what each becomes.
 */
export function fluxArgv(fileAbs: string, root: unknown, argv: readonly string[], run: RunContext): FluxArgv | { detail: string; hint?: string } | undefined {
  if (fileAbs === '' || !argv.some((a) => a.includes('${'))) return undefined;
  const building = kustomizations(run).filter((k) => builds(k, fileAbs, run));
  if (building.length === 0) return undefined;
  const names = building.map((b) => b.where).join(', ');
  const flux = `${building.length > 1 ? 'the Flux Kustomizations' : 'the Flux Kustomization'} ${names}`;
  // Flux skips an object labelled or annotated so.
  const meta = isMap(root) ? getPair(root, 'metadata')?.value : undefined;
  const disabledBy = (['labels', 'annotations'] as const).find((m) => {
    const map = isMap(meta) ? getPair(meta, m)?.value : undefined;
    return isMap(map) && scalarText(getPair(map, 'kustomize.toolkit.fluxcd.io/substitute')?.value) === 'disabled';
  });
  if (disabledBy) {
    return { detail: `the object's ${disabledBy === 'labels' ? 'label' : 'annotation'} kustomize.toolkit.fluxcd.io/substitute: disabled turns off the postBuild substitution of ${flux}, which build${building.length > 1 ? '' : 's'} the file: it applies the command as written, so the binary dials the text and the probe fails today` };
  }
  const joined = argv.join('\n');
  if (joined.includes('$${') || joined.includes('${{')) return { detail: `the command holds $\${…} or \${{…}}, which the tool does not evaluate as ${flux} substitute${building.length > 1 ? '' : 's'} it` };
  const expressions = new Map<string, Expression>();
  for (const m of joined.matchAll(EXPRESSION)) expressions.set(m[0], { text: m[0], name: m[1]!, ...(m[2] !== undefined ? { op: m[2], fallback: m[3] ?? '' } : {}) });
  // Another bash form (`${#VAR}`, `${VAR:1}`, `${VAR/a/b}`): Flux evaluates it, the tool does not.
  const other = joined.replace(EXPRESSION, '').match(/\$\{[^}]*\}?/);
  if (other) return { detail: `${other[0]} is an expression of Flux's postBuild substitution (${flux}) that the tool does not evaluate` };
  const vars = building.map((b) => varsOf(b, run));
  // Flux substitutes only where the Kustomization has at least one variable (or substituteFrom object).
  const none = vars.filter((v) => v.vars.size === 0 && v.unread.length === 0);
  if (none.length > 0) {
    return { detail: `${none.length > 1 ? 'the Flux Kustomizations' : 'the Flux Kustomization'} ${none.map((v) => v.where).join(', ')} build${none.length > 1 ? '' : 's'} the file with no postBuild variables, and Flux substitutes nothing then: the command's ${[...expressions.keys()].join(', ')} stay${expressions.size > 1 ? '' : 's'} as written, so the binary dials the text and the probe fails today there` };
  }
  // A kustomization of the repository outside every Flux path that substitutes (`kubectl apply -k`
  // of a local overlay over the same base, kustomize build in a script): it builds the file with
  // the text as written, where `port: ${GRPC_PORT}` is a string that grpc.port refuses, the whole
  // object with it (today only the probe fails there).
  const plain = plainBuilds(fileAbs, building, run);
  if (plain.length > 0) {
    return { detail: `the ${plain.length > 1 ? 'kustomizations' : 'kustomization'} ${plain.join(', ')} also build${plain.length > 1 ? '' : 's'} the file, outside the spec.path of ${flux}, with no Flux substitution: the command's ${[...expressions.keys()].join(', ')} stay${expressions.size > 1 ? '' : 's'} as written there, so the binary dials the text and the probe fails today there, and grpc.port would hold the text, which the API server refuses with the whole object`, hint: PLAIN_BUILD_HINT };
  }
  // Each expression as a number of five digits that no argument holds.
  const markers = new Map<string, Expression>();
  let n = 49152;
  for (const e of expressions.values()) {
    while (joined.includes(String(n))) n++;
    markers.set(String(n++), e);
  }
  const markerOf = new Map([...markers].map(([m, e]) => [e.text, m]));
  const restore = (text: string) => [...markers].reduce((t, [m, e]) => t.split(m).join(e.text), text);
  return {
    argv: argv.map((a) => a.replace(EXPRESSION, (t) => markerOf.get(t) ?? t)),
    restore,
    port(value) {
      const e = markers.get(String(value));
      if (!e) return undefined;
      const values = vars.map((v) => ({ v, r: evaluate(e, v) }));
      const unknown = values.map(({ r }) => ('unknown' in r ? r.unknown : undefined)).filter((u): u is string => u !== undefined);
      if (unknown.length > 0) return { detail: `-addr's port ${e.text} is filled in by Flux before the file is applied, but ${unknown.join('; ')}` };
      const bad = values.filter(({ r }) => 'value' in r && !(PORT.test(r.value) && Number(r.value) <= 65535));
      if (bad.length > 0) {
        return {
          detail: `-addr's port ${e.text} is filled in by Flux before the file is applied, but not with a port number (1-65535) by ${bad.length > 1 ? 'the Flux Kustomizations' : 'the Flux Kustomization'} ${bad.map(({ v, r }) => `${v.where} (${'value' in r ? r.how : ''}${'value' in r && r.value === '' ? ': an empty port, or a failed build with StrictPostBuildSubstitutions' : ''})`).join(', ')}: the probe fails there today, and grpc.port would not take it`,
        };
      }
      const given = values.map(({ v, r }) => `${v.where}: ${'value' in r ? r.value : ''}${'value' in r && r.how !== `${e.name}: ${JSON.stringify(r.value)}` ? ` (${r.how})` : ''}`);
      return {
        text: e.text,
        note: `the port is ${e.text}, which ${values.length > 1 ? 'the Flux Kustomizations that build the file fill in before they apply it' : 'the Flux Kustomization that builds the file fills in before it applies it'} (${given.join('; ')}): written bare as the whole grpc.port field, it becomes that number${values.length > 1 ? ' in each' : ''}, as the command's port did`,
      };
    },
    check(text) {
      const problems: string[] = [];
      for (const e of expressions.values()) {
        if (!text.includes(e.text)) continue;
        for (const v of vars) {
          const r = evaluate(e, v);
          if ('unknown' in r) problems.push(r.unknown);
          else if (!SERVICE_SAFE.test(r.value) || YAML11_NOT_STRING.test(r.value)) {
            problems.push(`the Flux Kustomization ${v.where} fills ${e.text} with ${JSON.stringify(r.value)}, which the service field would not keep as that string (kustomize build writes the field without quotes, and Flux parses the text again after it substitutes: a number, a boolean such as yes, or a value with quotes, spaces or a colon changes there, or is split by a shell in the command)`);
          }
        }
      }
      return problems.length > 0 ? problems.join('; ') : undefined;
    },
  };
}

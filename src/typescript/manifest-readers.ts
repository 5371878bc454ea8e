/**
 * TypeScript (or JavaScript) infrastructure code that loads a manifest of the repository and then
 * reads or writes its probe's exec handler by path: a Pulumi `k8s.yaml.ConfigFile` /
 * `ConfigGroup` / `helm.v3.Chart` whose `transformations` do
 * `obj.spec.template.spec.containers[0].readinessProbe.exec.command[1] = …`, a cdk8s `Include` (or
 * `Helm`) whose objects get `addJsonPatch(JsonPatch.replace('/…/readinessProbe/exec/command/1', …))`.
 * Once the YAML probe is native, that exec is undefined: the transformation throws (`pulumi up`
 * fails, the per-stack value is lost), the JSON patch's path is gone (`cdk8s synth` fails). The
 * probes of the files such code loads stay on exec (as for Go code that embeds a manifest and reads
 * its Exec, src/kubernetes/go-readers.ts), blocked `overlay-patch`, naming the code's line.
 *
 * Read without ts-morph, by the text: a loader with the files it loads (`file:`, `files:`, `url:`,
 * `path:`, a local `chart:`, a kustomize.Directory's `directory:` and what its kustomization
 * reaches; a file or chart named by an expression the tool cannot read is any file), and code that
 * addresses a probe's exec by path (`.readinessProbe.exec`, `readinessProbe?.exec`,
 * `readinessProbe!.exec`, `["readinessProbe"]["exec"]`, `/readinessProbe/exec`, a variable holding
 * the probe; any other `.exec` that is not a call, in a file naming a probe, is any probe's): the
 * probes of that key in the files loaded in the same file are held, or, for a file that loads
 * nothing (a transformation in a module of its own), in what every file of its project loads. Only the code files of
 * a Pulumi or cdk8s project (at or below a folder holding `Pulumi.yaml` or `cdk8s.yaml`) are read,
 * once per run, when the first probe is about to migrate: a repository without such a project
 * reads none.
 */
import path from 'node:path';
import { filesMayHold } from '../discover/grep.js';
import { parseYaml } from '../parse/yaml.js';
import type { PatchHold } from '../kubernetes/patch-commands.js';
import type { RunContext } from '../types.js';
// Loaded (by preparePatchHolds) only where the repository holds a Pulumi or cdk8s project, before
// the manifest and Helm rules judge a probe: this registers the reader of Helm releases in code
// (Pulumi helm.v3.Release, cdk8s Helm), so their chart's values.yaml probes are held as a YAML
// release's are, in a run over values.yaml alone too.
import './code-releases.js';

const CODE = /\.[cm]?[jt]sx?$/i;
/** A probe's exec addressed by path (`.readinessProbe.exec`, `readinessProbe?.exec`, `readinessProbe!.exec`, `["readinessProbe"]["exec"]`, `/readinessProbe/exec`). */
const EXEC_PATH = /((?:readiness|liveness|startup)Probe)(?:\s*!?\s*\??\.\s*|['"`]\s*\]\s*!?\s*(?:\?\.)?\s*\[\s*['"`]|\/)exec\b/g;
/** A probe held in a variable: `const probe = c.readinessProbe;` (name, probe key). */
const PROBE_VARIABLE = /\b(?:const|let|var)\s+(\w+)\s*(?::[^=\n]*)?=\s*[^;\n=]*?\b((?:readiness|liveness|startup)Probe)\b['"`]?\s*\]?\s*!?\s*(?:;|\n|$)/g;
/** Any other exec handler addressed in code (`p.exec.command`, `probe["exec"]`, `{ exec } = …Probe`): not a call (`regex.exec(…)`, `child_process.exec(…)`). */
const ANY_EXEC = /(?:!?\s*\??\.\s*exec\b(?!\s*\()|\[\s*['"`]exec['"`]\s*\](?!\s*\())/g;
const LOADER = /\b(ConfigFile|ConfigGroup|Include|Chart|Helm|Directory)\s*\(/g;
const MAX_BYTES = 512 * 1024;

const HINT =
  'Change the code to read or set the probe\'s grpc handler (grpc.port, a number) instead of exec, or to leave a probe without exec alone, then migrate the manifest and the code together by hand (or run the tool again once the code no longer needs exec).';

/** The holds of the code files of the repository's Pulumi and cdk8s projects (`projects`: their folders). */
export function codeManifestHolds(run: RunContext, projects: readonly string[]): PatchHold[] {
  const files = run.repositoryFiles();
  const under = (f: string) => projects.some((p) => f.startsWith(p.endsWith(path.sep) ? p : p + path.sep));
  const code = files.filter((f) => CODE.test(f) && !f.endsWith('.d.ts') && !/[\\/](?:node_modules|dist|imports)[\\/]/.test(f) && under(f));
  // A project at the repository's root holds all its code: asked of git first when that is much (src/discover/grep.ts).
  const may = code.length > 100 ? filesMayHold(run, code, String.raw`Probe|exec|ConfigFile|ConfigGroup|Include|Chart|Helm|Directory`) : undefined;
  const read: FileRead[] = [];
  for (const f of code) {
    if (may && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || text.length > MAX_BYTES) continue;
    const r = readFile(text, f, run, projects);
    if (r.refs.length > 0 || r.loads.length > 0) read.push(r);
  }
  // A file that addresses exec without loading anything (a transformation in its own module,
  // imported by the file that loads): its refs count on what every file of its project loads.
  const projectOf = (f: string) => projects.filter((p) => f.startsWith(p + path.sep)).sort((a, b) => b.length - a.length)[0];
  const out: PatchHold[] = [];
  for (const r of read) {
    if (r.refs.length === 0) continue;
    const loads = r.loads.length > 0 ? r.loads : read.filter((o) => o !== r && projectOf(o.abs) === projectOf(r.abs)).flatMap((o) => o.loads);
    out.push(...holdsOf(r, loads));
  }
  return out;
}

/** Lines that are comments alone (`//`, ` * ` of a block comment): no code there. */
const COMMENT_LINE = /^\s*(?:\/\/|\/\*|\*)/;

interface FileRead {
  abs: string;
  shown: string;
  /** Where the code addresses a probe's exec (probe undefined: any probe). */
  refs: { probe?: string; line: number; code: string }[];
  loads: { loader: string; at: string; file: string; line: number; files?: string[] }[];
}

function readFile(text: string, abs: string, run: RunContext, projects: readonly string[]): FileRead {
  const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  const lineText = (offset: number) => {
    const from = text.lastIndexOf('\n', offset - 1) + 1;
    const to = text.indexOf('\n', offset);
    return text.slice(from, to === -1 ? text.length : to);
  };
  const refs: FileRead['refs'] = [];
  const ref = (probe: string | undefined, at: number) => {
    const code = lineText(at).trim();
    refs.push({ ...(probe !== undefined ? { probe } : {}), line: lineOf(at), code: code.length > 120 ? `${code.slice(0, 119)}…` : code });
  };
  const seen = new Set<number>();
  if (/Probe/.test(text)) {
    for (const m of text.matchAll(EXEC_PATH)) {
      if (COMMENT_LINE.test(lineText(m.index))) continue;
      ref(m[1]!, m.index);
      seen.add(m.index + m[0].lastIndexOf('exec'));
    }
    // `const probe = c.readinessProbe; … probe.exec.command[1] = …`.
    for (const v of text.matchAll(PROBE_VARIABLE)) {
      for (const m of text.matchAll(new RegExp(String.raw`\b${v[1]}\s*!?\s*(?:\??\.\s*exec\b|\[\s*['"\x60]exec['"\x60]\s*\])`, 'g'))) {
        if (m.index < v.index || COMMENT_LINE.test(lineText(m.index))) continue;
        ref(v[2]!, m.index);
        seen.add(m.index + m[0].lastIndexOf('exec'));
      }
    }
    // Any other exec read or written in a file that names a probe: it may be any probe's.
    for (const m of text.matchAll(ANY_EXEC)) {
      if (seen.has(m.index + m[0].lastIndexOf('exec')) || COMMENT_LINE.test(lineText(m.index))) continue;
      ref(undefined, m.index);
    }
  }
  const loads: FileRead['loads'] = [];
  for (const m of text.matchAll(LOADER)) {
    if (COMMENT_LINE.test(lineText(m.index))) continue;
    const args = callArguments(text, m.index + m[0].length - 1);
    const found = loadedFiles(m[1]!, args, abs, run, projects);
    if (found === null) continue;
    loads.push({ loader: m[1]!, at: `${shown}:${lineOf(m.index)}`, file: abs, line: lineOf(m.index), ...(found !== undefined ? { files: found } : {}) });
  }
  return { abs, shown, refs, loads };
}

function holdsOf(r: FileRead, loads: FileRead['loads']): PatchHold[] {
  const out: PatchHold[] = [];
  // One hold per probe key (undefined: any) and load, at the first line that addresses it after
  // the load in its file (its transformations), else the file's first.
  const probes = [...new Set(r.refs.map((x) => x.probe))];
  for (const load of loads) {
    for (const probe of probes) {
      const of = r.refs.filter((x) => x.probe === probe);
      const ref = (load.file === r.abs ? of.find((x) => x.line >= load.line) : undefined) ?? of[0]!;
      out.push({
        at: `${r.shown}:${ref.line}`,
        ...(probe !== undefined ? { probe } : {}),
        ...(load.files !== undefined ? { files: load.files } : {}),
        what: `addresses ${probe !== undefined ? "this probe's" : "a probe's"} exec in code (${ref.code}), on what ${load.loader} loads at ${load.at}`,
        breaks: /JsonPatch|Probe\/exec/.test(ref.code)
          ? "once the probe is native the patch's path is gone, so the patch fails (cdk8s synth stops)"
          : 'once the probe is native that exec is undefined, so the code throws a TypeError (pulumi preview and up fail) or changes nothing',
        hint: HINT,
      });
    }
  }
  return out;
}

/** The text of a call's arguments, from its `(` to the matching `)` (strings and template literals skipped), at most 20,000 characters. */
function callArguments(text: string, open: number): string {
  let depth = 0;
  const end = Math.min(text.length, open + 20000);
  for (let i = open; i < end; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < end && text[i] !== c; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '(' || c === '{' || c === '[') depth++;
    else if (c === ')' || c === '}' || c === ']') {
      depth--;
      if (depth === 0) return text.slice(open + 1, i);
    }
  }
  return text.slice(open + 1, end);
}

const STRING = String.raw`(?:"([^"\\\n]*)"|'([^'\\\n]*)'|\`([^\`\\$]*)\`)`;
const PATH_JOIN = new RegExp(String.raw`^\s*path\.(?:join|resolve)\(\s*__dirname\s*((?:,\s*${STRING}\s*)+)\)`);

/** A string literal or `path.join(__dirname, 'a', 'b')`, read from the start of `expr`; undefined when it is anything else. */
function literalPath(expr: string, dir: string): string | undefined {
  const lit = new RegExp(String.raw`^\s*${STRING}\s*(?:[,}\]]|$)`).exec(expr);
  if (lit) return lit[1] ?? lit[2] ?? lit[3];
  const joined = PATH_JOIN.exec(expr);
  if (joined) return path.join(dir, ...[...joined[1]!.matchAll(new RegExp(STRING, 'g'))].map((m) => m[1] ?? m[2] ?? m[3]!));
  return undefined;
}

/**
 * The files a loader's arguments name, absolute (each relative path in each of its readings);
 * undefined: any file (a path the tool cannot read); null: nothing of the repository (a URL, a
 * chart of a chart repository).
 */
function loadedFiles(loader: string, args: string, abs: string, run: RunContext, projects: readonly string[]): string[] | undefined | null {
  const dir = path.dirname(abs);
  const keys = loader === 'ConfigFile' ? ['file'] : loader === 'ConfigGroup' ? ['files'] : loader === 'Include' ? ['url'] : loader === 'Chart' ? ['path'] : loader === 'Directory' ? ['directory'] : ['chart'];
  const names: string[] = [];
  let unknown = false;
  for (const key of keys) {
    for (const m of args.matchAll(new RegExp(String.raw`(?:^|[{,\s])${key}\s*:\s*`, 'g'))) {
      const rest = args.slice(m.index + m[0].length);
      if (rest.startsWith('[')) {
        const list = rest.slice(1, rest.indexOf(']') === -1 ? undefined : rest.indexOf(']'));
        for (const item of list.split(',').filter((s) => s.trim() !== '')) {
          const p = literalPath(item, dir);
          if (p === undefined) unknown = true;
          else names.push(p);
        }
      } else {
        const p = literalPath(rest, dir);
        if (p === undefined) unknown = true;
        else names.push(p);
      }
    }
  }
  // Pulumi's ConfigFile takes its name for the file when `file` is not given.
  if (names.length === 0 && !unknown && loader === 'ConfigFile') {
    const first = /^\s*(?:"([^"\n]*)"|'([^'\n]*)')/.exec(args);
    if (first) names.push(first[1] ?? first[2]!);
  }
  if (unknown) return undefined;
  const local = names.filter((n) => !/^[a-z][\w+.-]*:\/\//i.test(n) && !n.startsWith('oci:'));
  // A Helm chart named by its repository's name (`chart: "nginx"`), or a URL: no file of the repository.
  const charts = loader === 'Helm' ? local.filter((n) => /^\.{0,2}\//.test(n) || n.endsWith('.tgz')) : local;
  if (charts.length === 0) return null;
  const root = projects.filter((p) => abs.startsWith(p + path.sep)).sort((a, b) => b.length - a.length)[0];
  const bases = [...new Set([dir, root, run.cwd].filter((d): d is string => d !== undefined))];
  const found = [...new Set(charts.flatMap((n) => (path.isAbsolute(n) ? [n] : bases.map((b) => path.resolve(b, n)))))].flatMap((f) => globReadings(f, run));
  // Pulumi's kustomize.Directory builds its folder's kustomization: what that reaches outside it (`../base`) too.
  return loader === 'Directory' ? [...new Set(found.flatMap((d) => kustomizeReach(d, run, new Set())))] : found;
}

/** A kustomization folder and the folders and files its resources, bases and components name, followed through theirs. */
function kustomizeReach(dir: string, run: RunContext, seen: Set<string>): string[] {
  if (seen.has(dir) || seen.size > 50) return [];
  seen.add(dir);
  const out = [dir];
  const text = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((n) => run.readText(path.join(dir, n))).find((t) => t !== undefined);
  if (text === undefined) return out;
  let data: unknown;
  try {
    data = parseYaml(text).docs[0]?.toJS();
  } catch {
    return out;
  }
  if (data === null || typeof data !== 'object') return out;
  for (const key of ['resources', 'bases', 'components']) {
    const list = (data as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      if (typeof item !== 'string' || /^[a-z][\w+.-]*:\/\//i.test(item) || item.startsWith('github.com/')) continue;
      const abs = path.resolve(dir, item);
      if (abs !== dir) out.push(...kustomizeReach(abs, run, seen));
    }
  }
  return out;
}

/** A ConfigGroup's glob (`k8s/*.yaml`): the repository's files it matches; any other path as it is. */
function globReadings(f: string, run: RunContext): string[] {
  if (!/[*?[]/.test(f)) return [f];
  const re = new RegExp(
    '^' +
      f
        .split(/(\*\*\/?|\*|\?)/)
        .map((part) => (part === '**/' || part === '**' ? '.*' : part === '*' ? '[^/\\\\]*' : part === '?' ? '[^/\\\\]' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
  );
  return run.repositoryFiles().filter((r) => re.test(r));
}

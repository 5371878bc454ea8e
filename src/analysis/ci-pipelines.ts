/**
 * The scripts of CI pipelines and task runners, as src/kubernetes/patch-commands.ts reads them for
 * commands that patch a probe by path: GitLab CI job scripts (and the files a GitLab config
 * includes), Drone, Woodpecker and Buildkite step commands, Taskfile `cmds`, Jenkinsfile `sh`
 * steps, and the variables a pipeline sets for its scripts.
 */
import path from 'node:path';
import type { Scalar } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, parseYaml, scalarText } from '../parse/yaml.js';
import type { Resolve } from './script-runs.js';
import { resolveWord } from './shell.js';
import { enclosingRepository } from '../discover/scope.js';
import type { RunContext } from '../types.js';

/**
 * The files a GitLab CI config pulls in with `include: local:` (`include: 'ci/deploy.yml'`, `-
 * local: /ci/*.yml`), from the repository's root, that its name does not already mark as CI (the
 * ones under `.gitlab/` are). Remote, project and template includes are not the repository's.
 */
export function gitlabIncludes(ci: readonly string[], yamlFiles: readonly string[], run: RunContext): string[] {
  const out = new Set<string>();
  for (const abs of ci) {
    if (!/(?:^|\.)gitlab-ci\.ya?ml$/.test(path.basename(abs))) continue;
    const text = run.readText(abs);
    if (text === undefined || !/^include\s*:/m.test(text)) continue;
    const parsed = parseYaml(text);
    if (parsed.error) continue;
    const root = enclosingRepository(path.dirname(abs)) ?? run.cwd;
    for (const doc of parsed.docs) {
      const include = isMap(doc.contents) ? getPair(doc.contents, 'include')?.value : undefined;
      const items = isSeq(include) ? include.items : include !== undefined ? [include] : [];
      for (const item of items) {
        const local = isMap(item) ? scalarText(getPair(item, 'local')?.value) : scalarText(item);
        if (local === undefined || /^[a-z]+:\/\//i.test(local) || local.includes('$')) continue;
        const want = path.join(root, local.replace(/^\/+/, ''));
        if (!/[*?]/.test(local)) {
          if (yamlFiles.includes(want)) out.add(want);
          continue;
        }
        // `/ci/*.yml`, `/ci/**.yml`: GitLab's glob, `*` within a folder and `**` across folders.
        const re = new RegExp(`^${want.split(/(\*\*|\*|\?)/).map((p) => (p === '**' ? '.*' : p === '*' ? '[^/\\\\]*' : p === '?' ? '[^/\\\\]' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
        for (const f of yamlFiles) if (re.test(f)) out.add(f);
      }
    }
  }
  const known = new Set(ci);
  return [...out].filter((f) => !known.has(f));
}

export interface Script {
  script: string;
  resolve: Resolve;
  /** Variables the pipeline sets for the script (a GitLab job's `variables:`, a step's `env:`), by their literal values. */
  outer?: (name: string) => string | undefined;
  /** The file's line (1-based) of an offset of the script. */
  line: (offset: number) => number;
}

export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** `${{ github.x }}` (Actions), `{{.X}}` (Task, Go templates): a value known only when the step runs, as a variable no script sets. */
function templated(s: string): string {
  return s.replace(/\$?\{\{[\s\S]*?\}\}/g, '${TEMPLATE_EXPRESSION}');
}


/** A YAML string's script (its template expressions as values known only at run time), with the file's line of each offset. */
export function scalarScript(text: string, node: Scalar): Script {
  const script = templated(String(node.value));
  // A block scalar's text starts on the line after its `|`.
  const first = lineAt(text, node.range?.[0] ?? 0) + (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' ? 1 : 0);
  return { script, resolve: resolveWord, line: (o) => first + lineAt(script, o) - 1 };
}

/**
 * The keys whose values CI systems and task runners run as shell scripts: GitLab CI (`script`,
 * `before_script`, `after_script`, a job's or `default:`'s), Drone and Woodpecker (`commands`),
 * Buildkite (`command`, `commands`), Taskfile (`cmds`, and `cmd` of a `cmds` item): the CI keys
 * among the command keys of src/docker/installs.ts (COMMAND_KEYS).
 */
const CI_SCRIPT_KEYS = new Set(['script', 'before_script', 'after_script', 'commands', 'command', 'cmds', 'cmd']);

/** A CI pipeline's or Taskfile's scripts: each string (or string of a list, nested lists too) under a command key, at any depth. */
export function ciScripts(text: string): Script[] {
  const parsed = parseYaml(text, { uniqueKeys: false });
  if (parsed.error) return [];
  const out: Script[] = [];
  const take = (node: unknown, maps: readonly unknown[]): void => {
    if (isScalar(node) && typeof node.value === 'string') out.push({ ...scalarScript(text, node), outer: pipelineEnv(maps) });
    else if (isSeq(node)) for (const item of node.items) take(item, maps);
  };
  const walk = (node: unknown, maps: readonly unknown[]): void => {
    if (isMap(node)) {
      const inner = [...maps, node];
      for (const pair of node.items) {
        if (isScalar(pair.key) && CI_SCRIPT_KEYS.has(String(pair.key.value))) take(pair.value, inner);
        walk(pair.value, inner);
      }
    } else if (isSeq(node)) for (const item of node.items) walk(item, maps);
  };
  for (const doc of parsed.docs) walk(doc.contents, []);
  return out;
}

/** The keys under which pipelines set environment variables for their scripts: GitLab's `variables`, Drone's and Woodpecker's `environment`, GitHub's and Buildkite's `env`. */
const ENV_KEYS = ['variables', 'environment', 'env'];

/**
 * The variables the maps that enclose a script set for it (outermost first, the nearest one's
 * value winning), each by its literal value: a string or number, or GitLab's `{value: …}`; a
 * value with a template expression or a variable in it is known only at run time.
 */
export function pipelineEnv(maps: readonly unknown[]): ((name: string) => string | undefined) | undefined {
  const values = new Map<string, string | null>();
  for (const m of maps) {
    if (!isMap(m)) continue;
    for (const key of ENV_KEYS) {
      const vars = getPair(m, key)?.value;
      if (!isMap(vars)) continue;
      for (const pair of vars.items) {
        if (!isScalar(pair.key)) continue;
        const v = isMap(pair.value) ? getPair(pair.value, 'value')?.value : pair.value;
        const value = isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number' || typeof v.value === 'boolean') ? String(v.value) : undefined;
        values.set(String(pair.key.value), value === undefined || /\$|\{\{/.test(value) ? null : value);
      }
    }
  }
  return values.size === 0 ? undefined : (name) => values.get(name) ?? undefined;
}

/**
 * A Jenkinsfile's `sh` steps: `sh 'cmd'`, `sh "cmd"`, `sh '''…'''`, `sh """…"""`, `sh(script: '…',
 * returnStdout: true)`, `sh label: 'x', script: '…'`, with Groovy's escapes read (`\\`, `\$`; a `\` at a line's
 * end joins it to the next) and its interpolations in double quotes (`${env.NAME}`, `$name`) as
 * values known only at run time. `at[i]`: the file's offset of the script's character i. A step on
 * a whole-line `//` comment is skipped.
 */
export function jenkinsSteps(text: string): { script: string; at: number[] }[] {
  const out: { script: string; at: number[] }[] = [];
  for (const m of text.matchAll(/(?<![\w.$])sh\b[ \t]*(\(\s*)?/g)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (/^\s*(?:\/\/|\*)/.test(text.slice(lineStart, m.index))) continue;
    let from = m.index + m[0].length;
    if (text[from] !== "'" && text[from] !== '"') {
      // `sh(script: '…')`, `sh(returnStdout: true, script: "…")`, `sh label: 'Patch', script: '…'`.
      const named = /^(?:(?:[^'"()\n]|'[^'\n]*'|"[^"\n]*")*?,\s*)?script\s*:\s*/.exec(text.slice(from, from + 300));
      if (!named) continue;
      from += named[0].length;
    }
    const lit = groovyString(text, from);
    if (lit) out.push(lit);
  }
  return out;
}

/** The value of the Groovy string literal at `from`, with the file's offset of each of its characters. */
function groovyString(text: string, from: number): { script: string; at: number[] } | undefined {
  const q = text.startsWith("'''", from) ? "'''" : text.startsWith('"""', from) ? '"""' : text[from] === "'" || text[from] === '"' ? text[from]! : undefined;
  if (q === undefined) return undefined;
  const interpolates = q[0] === '"';
  let script = '';
  const at: number[] = [];
  const put = (s: string, o: number) => {
    script += s;
    for (let k = 0; k < s.length; k++) at.push(o);
  };
  let i = from + q.length;
  while (i < text.length) {
    if (text.startsWith(q, i)) return { script, at };
    const c = text[i]!;
    if (q.length === 1 && c === '\n') return undefined;
    if (c === '\\') {
      const n = text[i + 1] ?? '';
      if (n !== '\n') put(n === 'n' ? '\n' : n === 't' ? '\t' : n, i);
      i += 2;
      continue;
    }
    if (interpolates && c === '$') {
      if (text[i + 1] === '{') {
        let depth = 0;
        let j = i + 1;
        for (; j < text.length; j++) {
          if (text[j] === '{') depth++;
          else if (text[j] === '}' && --depth === 0) break;
        }
        put('${GROOVY_EXPRESSION}', i);
        i = j + 1;
        continue;
      }
      const name = /^\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*/.exec(text.slice(i, i + 200));
      if (name) {
        put('${GROOVY_EXPRESSION}', i);
        i += name[0].length;
        continue;
      }
    }
    put(c, i);
    i++;
  }
  return undefined;
}

/**
 * The scripts of CI pipelines and task runners, as src/kubernetes/patch-commands.ts reads them for
 * commands that patch a probe by path, and the variables a pipeline sets for them:
 * - GitLab CI, job by job: a job's `before_script` and `script` items run in one shell (read as one
 *   script), `after_script` in another; a job's keys include those of the templates it `extends:`
 *   or `<<:` merges; scripts reached through YAML aliases and `!reference [job, key]` are read; a
 *   variable takes every value that may reach the job (the file's, `workflow: rules:`', the job's,
 *   its `rules:`', its `parallel: matrix:` entries', a manual run's `options:`), and is any value
 *   (matches anything) where it may come from outside (a `description:` prefilled for a manual run,
 *   a rule that sets it where the YAML does not);
 * - Drone, Woodpecker and Buildkite: a step's `commands` in one shell; Taskfile `cmds` one each;
 * - the files these pull in: GitLab `include: local:` and child pipelines (`trigger: include:`),
 *   Taskfile `includes:`, and the Groovy files a Jenkinsfile `load`s, followed from file to file;
 * - Jenkinsfile `sh` steps;
 * - Drone's Jsonnet and Starlark configs are not evaluated: one naming a probe's handler by path
 *   beside kubectl or yq holds that probe key of any object.
 */
import path from 'node:path';
import type { Document, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { getPair, parseYaml, scalarText } from '../parse/yaml.js';
import type { Resolve } from './script-runs.js';
import { parseShell, resolveWord, ShellParseError } from './shell.js';
import { enclosingRepository } from '../discover/scope.js';
import { namedFiles } from '../discover/names.js';
import type { RunContext } from '../types.js';
import type { PatchHold } from '../kubernetes/patch-commands.js';
import { ENV_SET_WORDS } from '../kubernetes/env-commands.js';
import { TOOL_COMMAND_WORDS, toolWordPattern } from './heredoc-manifest.js';

/**
 * The pipeline files other pipeline files pull in, that their names do not already mark as CI
 * (the ones under `.gitlab/` are), followed from file to file:
 * - a GitLab CI config's `include: local:` (`include: 'ci/deploy.yml'`, `- local: /ci/*.yml`) and
 *   its jobs' child pipelines (`trigger: include: ci/deploy.yml`, `trigger: {include: [{local: …}]}`),
 *   from the repository's root; remote, project and template includes are not the repository's;
 * - a Taskfile's `includes:` (`k8s: ./taskfiles/k8s.yml`, `{taskfile: ./k8s}`: a folder means its
 *   Taskfile), from the Taskfile's folder.
 */
export function ciIncludes(ci: readonly string[], yamlFiles: readonly string[], run: RunContext): string[] {
  const out = new Set<string>();
  const yamlSet = new Set(yamlFiles);
  const queue: { abs: string; kind: 'gitlab' | 'task' }[] = [];
  for (const abs of ci) {
    const base = path.basename(abs);
    if (/(?:^|\.)gitlab-ci\.ya?ml$/.test(base) || abs.includes(`${path.sep}.gitlab${path.sep}`)) queue.push({ abs, kind: 'gitlab' });
    else if (/^[Tt]askfile(?:\.dist)?\.ya?ml$/.test(base)) queue.push({ abs, kind: 'task' });
  }
  const seen = new Set(queue.map((q) => q.abs));
  const add = (abs: string, kind: 'gitlab' | 'task') => {
    if (seen.has(abs)) return;
    seen.add(abs);
    out.add(abs);
    queue.push({ abs, kind });
  };
  for (let n = 0; n < queue.length && n < 500; n++) {
    const { abs, kind } = queue[n]!;
    const text = run.readText(abs);
    if (text === undefined || !/\binclude[s]?\s*:/.test(text)) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    if (kind === 'task') {
      for (const doc of parsed.docs) {
        const includes = isMap(doc.contents) ? deref(getPair(doc.contents, 'includes')?.value, doc) : undefined;
        if (!isMap(includes)) continue;
        for (const pair of includes.items) {
          const v = deref(pair.value, doc);
          const file = isMap(v) ? scalarText(deref(getPair(v, 'taskfile')?.value, doc)) : scalarText(v);
          if (file === undefined || /^[a-z]+:\/\//i.test(file) || /\$|\{\{/.test(file)) continue;
          const want = path.resolve(path.dirname(abs), file);
          const named = /\.ya?ml$/i.test(want) ? [want] : TASKFILE_NAMES.map((f) => path.join(want, f));
          for (const f of named) if (yamlSet.has(f)) add(f, 'task');
        }
      }
      continue;
    }
    const root = enclosingRepository(path.dirname(abs)) ?? run.cwd;
    const local = (include: unknown, doc: Doc): void => {
      const node = deref(include, doc);
      const items = isSeq(node) ? node.items : node !== undefined ? [node] : [];
      for (const raw of items) {
        const item = deref(raw, doc);
        const name = isMap(item) ? scalarText(deref(getPair(item, 'local')?.value, doc)) : scalarText(item);
        if (name === undefined || /^[a-z]+:\/\//i.test(name) || name.includes('$')) continue;
        const want = path.join(root, name.replace(/^\/+/, ''));
        if (!/[*?]/.test(name)) {
          if (yamlSet.has(want)) add(want, 'gitlab');
          continue;
        }
        // `/ci/*.yml`, `/ci/**.yml`: GitLab's glob, `*` within a folder and `**` across folders.
        const re = new RegExp(`^${want.split(/(\*\*|\*|\?)/).map((p) => (p === '**' ? '.*' : p === '*' ? '[^/\\\\]*' : p === '?' ? '[^/\\\\]' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
        for (const f of yamlFiles) if (re.test(f)) add(f, 'gitlab');
      }
    };
    for (const doc of parsed.docs) {
      if (!isMap(doc.contents)) continue;
      local(getPair(doc.contents, 'include')?.value, doc);
      // A job's child pipeline: `trigger: include:`.
      for (const pair of doc.contents.items) {
        const job = deref(pair.value, doc);
        const trigger = isMap(job) ? deref(getPair(job, 'trigger')?.value, doc) : undefined;
        if (isMap(trigger)) local(getPair(trigger, 'include')?.value, doc);
      }
    }
  }
  const known = new Set(ci);
  return [...out].filter((f) => !known.has(f));
}

/** The names Task looks for in a folder it includes. */
const TASKFILE_NAMES = ['Taskfile.yml', 'taskfile.yml', 'Taskfile.yaml', 'taskfile.yaml', 'Taskfile.dist.yml', 'taskfile.dist.yml', 'Taskfile.dist.yaml', 'taskfile.dist.yaml'];

/**
 * The Groovy files Jenkinsfiles `load` (`def deploy = load 'ci/deploy.groovy'`, `load("ci/x.groovy")`),
 * and those these load in turn: a path from the workspace (the repository's root) or, failing
 * that, the Jenkinsfile's folder. A path with an interpolation is not followed.
 */
export function jenkinsLoads(jenkinsfiles: readonly string[], run: RunContext): string[] {
  const seen = new Set(jenkinsfiles);
  const out: string[] = [];
  const queue = [...jenkinsfiles];
  for (let n = 0; n < queue.length && n < 500; n++) {
    const abs = queue[n]!;
    const text = run.readText(abs);
    if (text === undefined || !/\bload\b/.test(text)) continue;
    const root = enclosingRepository(path.dirname(abs)) ?? run.cwd;
    for (const m of text.matchAll(/(?<![\w.$])load\s*\(?\s*(?:'([^'\n$]+)'|"([^"\n$]+)")/g)) {
      const lineStart = text.lastIndexOf('\n', m.index) + 1;
      if (/^\s*(?:\/\/|\*)/.test(text.slice(lineStart, m.index))) continue;
      const name = (m[1] ?? m[2])!;
      const found = [path.resolve(root, name), path.resolve(path.dirname(abs), name)].find((f) => run.readText(f) !== undefined);
      if (found === undefined || seen.has(found)) continue;
      seen.add(found);
      out.push(found);
      queue.push(found);
    }
  }
  return out;
}

/** Pipeline configs in a language the tool does not evaluate: Drone's Jsonnet and Starlark. */
const UNREAD_PIPELINES: Record<string, string> = { '.drone.jsonnet': "Drone's Jsonnet config", '.drone.star': "Drone's Starlark config" };

/**
 * A file whose commands the tool does not evaluate (a Drone `.drone.jsonnet` or `.drone.star`
 * config, a Tiltfile's `local_resource(cmd=…)`, a PowerShell `.ps1`) that names a probe's handler
 * by path (`readinessProbe/exec`, `.readinessProbe.exec`) and kubectl, oc or yq: its commands are
 * not read, so each such path holds that probe key of any object, read as written (textNetHolds).
 */
export function unreadPipelineHolds(run: RunContext, maxBytes: number): PatchHold[] {
  const out: PatchHold[] = [];
  for (const abs of namedFiles(run).others) {
    if (!abs.endsWith('.jsonnet') && !abs.endsWith('.star') && !abs.endsWith('Tiltfile') && !abs.endsWith('1')) continue;
    const base = path.basename(abs);
    const config = UNREAD_PIPELINES[base] ?? (base === 'Tiltfile' || base.endsWith('.Tiltfile') ? 'a Tiltfile (Starlark)' : /\.ps[md]?1$/i.test(base) ? 'a PowerShell script' : undefined);
    if (config === undefined) continue;
    const text = run.readText(abs);
    if (text === undefined || text.length > maxBytes) continue;
    out.push(...textNetHolds(text, path.relative(run.cwd, abs).split(path.sep).join('/'), config));
  }
  return out;
}

/**
 * The net for a file whose commands the tool does not read (`config`: what it is, for the
 * message): each place it names a probe's handler by path (`readinessProbe/exec`,
 * `.readinessProbe.exec`, `readinessProbe","exec`), when it names kubectl, oc, kubecolor or yq
 * too, holds that probe key of any object. Each `kubectl set env` (`oc set env`, kubectl through
 * a wrapper on its line: `microk8s kubectl`, `kubecolor`) holds the probes of any object whose
 * command reads a variable the line names (`GRPC_PORT=9090`; every variable when it names none it
 * can read: `--from`, `-e -`), as the env-command reader does for a script it reads. `shown`: the
 * file as the message names it, or the place (`file:line`) of an offset of `text` (a script
 * inside a file: a CI `run:` string, a Makefile recipe line). Also the net for a script the shell
 * parser refuses (src/kubernetes/patch-commands.ts): too large, or with a syntax error. `anyTool`:
 * any word may be kubectl (an eval's text whose command is known only at run time).
 */
export function textNetHolds(text: string, shown: string | ((offset: number) => string), config: string, anyTool = false): PatchHold[] {
  const out: PatchHold[] = [];
  // Comments are no commands (review22 R7): read with each blanked, offsets kept.
  text = withoutComments(text);
  if (!anyTool && !TEXT_NET_TOOL.test(text)) return out;
  const at = typeof shown === 'string' ? (o: number) => `${shown}:${lineAt(text, o)}` : shown;
  for (const m of text.matchAll(/((?:readiness|liveness|startup)Probe)(?:[/.]|["'\]\s:{[,]{1,12})(exec|httpGet|tcpSocket)\b/g)) {
    out.push({
      at: at(m.index),
      probe: m[1]!,
      what: `names this probe's ${m[2]}${anyTool ? '' : ' beside kubectl or yq,'} in ${config}, which the tool does not evaluate (read as written, its commands may patch any object's ${m[1]})`,
      breaks: m[2] === 'exec' ? 'once the probe is native, a patch of that path fails or adds exec beside grpc (two handlers, which the API server rejects)' : 'a write there adds a handler beside grpc: two handlers, which the API server rejects',
      hint: `Check that config's kubectl patch and yq commands by hand: change them to address the native handler (…/grpc/port, a number) or drop them, and migrate the probe and the commands together; then run the tool again.`,
    });
  }
  // `set env` after kubectl on its line: the line's first kubectl word is found once per line (a
  // lazy `kubectl[^\n]*?set…env` pattern tried every kubectl of a long line against the rest of
  // it: 0.4 s over 100 KB of `kubectl `), and one hold per line names every variable after it.
  let line = -1;
  let lineEnd = -1;
  let tool = -1;
  let held = -1;
  const unescapedEnd = /(?<!\\)\r?\n/g;
  for (const m of text.matchAll(ENV_SET_WORDS)) {
    if (m.index >= lineEnd) {
      line = text.lastIndexOf('\n', m.index) + 1;
      lineEnd = text.indexOf('\n', m.index);
      if (lineEnd === -1) lineEnd = text.length;
      const found = anyTool ? 0 : text.slice(line, lineEnd).search(KUBECTL_WORD);
      tool = found === -1 ? -1 : line + found;
    }
    if (line === held || tool === -1 || tool > m.index) continue;
    held = line;
    // The rest of its line (a `\` continuation joined): the variables it names.
    unescapedEnd.lastIndex = m.index + m[0].length;
    const end = unescapedEnd.exec(text);
    const rest = text.slice(m.index + m[0].length, end === null ? undefined : end.index);
    const names = [...rest.matchAll(/(?:^|[\s'"])([A-Za-z_][\w.-]*)(?:=|-(?=[\s'"]|$))/g)].map((n) => n[1]!);
    const env = names.length === 0 || /--from\b|(?:^|\s)(?:-e\s+)?-(?:\s|['"]|$)|\$/.test(rest) ? null : [...new Set(names)];
    out.push({
      at: at(m.index),
      env,
      what: `sets an object's env with kubectl set env (${env === null ? 'names the tool does not read' : env.join(', ')}) in ${config}, which the tool does not evaluate (read as written, it may address any object)`,
      breaks: "the probe's command reads that variable, which the exec probe takes from the container's env as the command leaves it: migrated here, the grpc probe would keep the file's value",
      hint: 'Check that command by hand: put the value it sets in the manifest\'s env and the probe (or have it set the probe\'s grpc.port too), then run the tool again; or migrate by hand with the port it gives.',
    });
  }
  return out;
}

/**
 * The text with each line's comment blanked (spaces for its characters, so offsets and lines stay):
 * from a `#` at the line's start or after a blank, outside quotes (`'…'`, `"…"`, a `\`-escaped
 * character) as the line's own quotes pair them. Every language the text net reads comments so
 * (shell, Starlark, PowerShell, YAML). A quote left open at a line's end leaves the rest of that
 * line read (a string continued onto the next line is read there as code): the safe side.
 */
export function withoutComments(text: string): string {
  if (!text.includes('#')) return text;
  let out = '';
  let first = true;
  for (const line of text.split('\n')) {
    let quote = '';
    let cut = -1;
    for (let k = 0; k < line.length && cut === -1; k++) {
      const c = line[k]!;
      if (quote === "'") {
        if (c === "'") quote = '';
      } else if (c === '\\') k++;
      else if (quote === '"') {
        if (c === '"') quote = '';
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '#' && (k === 0 || /\s/.test(line[k - 1]!))) cut = k;
    }
    out += (first ? '' : '\n') + (cut === -1 ? line : line.slice(0, cut) + ' '.repeat(line.length - cut));
    first = false;
  }
  return out;
}

/**
 * The tools whose commands the text net reads: kubectl (`microk8s.kubectl` too), oc, kubecolor
 * (kubectl's colouring wrapper), yq, jq, as the parsed readers take their command words (any
 * case, a variable named for one: `$KUBECTL`, `${KUBECTL}`, `$(KUBECTL)`: toolWordPattern).
 */
const TEXT_NET_TOOL = new RegExp(toolWordPattern(['kubectl', 'oc', 'yq', 'jq']), 'i');
const KUBECTL_WORD = new RegExp(toolWordPattern(['kubectl', 'oc']), 'i');

export interface Script {
  script: string;
  resolve: Resolve;
  /** Variables the pipeline sets for the script (a GitLab job's `variables:`, a step's `env:`), by their literal values. */
  outer?: (name: string) => string | undefined;
  /** The file's line (1-based) of an offset of the script. */
  line: (offset: number) => number;
  /** The folder the script starts in, from the repository's root (a workflow step's `working-directory`); null: known only at run time. */
  cwd?: string | null;
}

export function lineAt(text: string, offset: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * `${{ github.x }}` (Actions), `{{.X}}` (Task, Go templates, just), `$[[ inputs.x ]]` (GitLab CI/CD
 * inputs), `<< parameters.x >>` (CircleCI): a value known only when the step runs, as a variable no
 * script sets (CircleCI's would read as a heredoc, GitLab's as something else).
 */
function templated(s: string): string {
  return s.replace(/\$?\{\{[\s\S]*?\}\}|\$\[\[[\s\S]*?\]\]|<<\s*(?:pipeline|parameters)\.[\w.-]+\s*>>/g, '${TEMPLATE_EXPRESSION}');
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

/**
 * A CI pipeline's or Taskfile's scripts. A GitLab CI config (its jobs, src/analysis/ci-pipelines.ts
 * gitlabScripts) is read job by job; any other file, each string (or string of a list, nested lists
 * too) under a command key, at any depth: Drone's, Woodpecker's and Buildkite's `commands` of a
 * step run in one shell, so they are read as one script; Taskfile `cmds` each in a shell of its own.
 * YAML aliases are read as the nodes they name.
 */
export function ciScripts(text: string): Script[] {
  const parsed = parseYaml(text, { uniqueKeys: false });
  if (parsed.error) return [];
  const out: Script[] = [];
  for (const doc of parsed.docs) {
    const at = (node: unknown) => deref(node, doc);
    if (isGitlab(doc)) {
      out.push(...gitlabScripts(text, doc));
      continue;
    }
    const walk = (raw: unknown, maps: readonly unknown[], depth: number): void => {
      const node = at(raw);
      if (depth > 40) return;
      if (isMap(node)) {
        const inner = [...maps, node];
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : '';
          if (CI_SCRIPT_KEYS.has(key)) {
            const items = scriptItems(pair.value, doc);
            const outer = pipelineEnv(inner);
            // A step's commands run in one shell (Drone, Woodpecker, Buildkite); Task runs each of `cmds` in its own.
            if (key === 'commands' || key === 'command') out.push(...joinedScripts(text, items).map((sc) => withOuter(sc, outer)));
            else for (const item of items) out.push(withOuter(scalarScript(text, item), outer));
          }
          walk(pair.value, inner, depth + 1);
        }
      } else if (isSeq(node)) for (const item of node.items) walk(item, maps, depth + 1);
    };
    walk(doc.contents, [], 0);
  }
  return out;
}

/**
 * The task runners' files read for commands (their names not among src/discover/names.ts'):
 * justfiles (`justfile`, `Justfile`, `.justfile`, `*.just`) and package.json files (outside
 * node_modules), found by name in one pass over the repository's files.
 */
export function taskRunnerFiles(run: RunContext): { abs: string; kind: 'just' | 'npm' }[] {
  const out: { abs: string; kind: 'just' | 'npm' }[] = [];
  for (const abs of namedFiles(run).others) {
    if (abs.endsWith('ustfile') || abs.endsWith('.just')) {
      const base = path.basename(abs);
      if ((base === 'justfile' || base === 'Justfile' || base === '.justfile' || base.endsWith('.just')) && !/[\\/](?:node_modules|vendor)[\\/]/.test(abs)) out.push({ abs, kind: 'just' });
    } else if (abs.endsWith('package.json') && path.basename(abs) === 'package.json' && !/[\\/]node_modules[\\/]/.test(abs)) out.push({ abs, kind: 'npm' });
  }
  return out;
}

/**
 * A justfile's recipe lines, each a shell of its own (as just runs them; a line ending in `\\`
 * joined to the next), a shebang recipe's body one script; `{{var}}` interpolations are values
 * known only at run time; the `@` and `-` prefixes are dropped.
 */
export function justScripts(text: string): Script[] {
  const out: Script[] = [];
  const lines = text.split('\n');
  let inRecipe = false;
  let shebang: { script: string; line: number } | undefined;
  const flush = () => {
    if (shebang) {
      const first = shebang.line;
      const script = templated(shebang.script);
      out.push({ script, resolve: resolveWord, line: (o) => first + lineAt(script, o) - 1 });
    }
    shebang = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (/^\S/.test(raw)) {
      flush();
      // `name args:`, `@name:`, `name: dep` (not `x := …`, `set …`, `alias x := y`, `export X := …`, `[attribute]`, a comment).
      inRecipe = /^@?[A-Za-z_][\w-]*(?:[ \t][^:=#]*)?:(?!=)/.test(raw) && !/^(?:set|alias|export|import|mod)\b/.test(raw);
      continue;
    }
    if (!inRecipe) continue;
    const body = raw.trim().replace(/^[@-]+/, '');
    if (shebang) {
      shebang.script += i + 1 === shebang.line ? body : `\n${body}`;
      continue;
    }
    if (body === '') continue;
    if (body.startsWith('#!')) {
      shebang = { script: '', line: i + 2 };
      continue;
    }
    let script = body;
    const line = i + 1;
    while (script.endsWith('\\') && i + 1 < lines.length && /^\s/.test(lines[i + 1]!)) script = `${script.slice(0, -1)} ${lines[++i]!.trim()}`;
    const t = templated(script);
    out.push({ script: t, resolve: resolveWord, line: () => line });
  }
  flush();
  return out;
}

/** A package.json's `scripts` values, each a shell line (as npm, yarn and pnpm run them). */
export function npmScripts(text: string): Script[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const scripts = typeof json === 'object' && json !== null ? (json as { scripts?: unknown }).scripts : undefined;
  if (typeof scripts !== 'object' || scripts === null) return [];
  const out: Script[] = [];
  const from = Math.max(0, text.indexOf('"scripts"'));
  for (const [key, value] of Object.entries(scripts as Record<string, unknown>)) {
    if (typeof value !== 'string') continue;
    const at = text.indexOf(JSON.stringify(key), from);
    const line = lineAt(text, at === -1 ? from : at);
    out.push({ script: value, resolve: resolveWord, line: () => line });
  }
  return out;
}

/**
 * The Makefiles and Taskfiles of other names a script runs (`make -f build/Makefile.k8s target`,
 * `make --file=…`, `task -t ops/deploy.yml`, `task --taskfile …`), as written (literal paths).
 */
export function runnerFollowers(text: string): { file: string; kind: 'make' | 'task' }[] {
  const out: { file: string; kind: 'make' | 'task' }[] = [];
  // make's `-f` (its `-t` touches), Task's `-t` (its `-f` forces).
  for (const [re, kind] of [
    [/(?<![\w.-])g?make\b[^\n;&|]*?[ \t](?:-f[ \t]*|--(?:file|makefile)[= \t])["']?([^\s;&|"'$()`]+)/g, 'make'],
    [/(?<![\w.-])(?:go-)?task\b[^\n;&|]*?[ \t](?:-t[ \t]*|--taskfile[= \t])["']?([^\s;&|"'$()`]+)/g, 'task'],
  ] as const) {
    for (const m of text.matchAll(re)) out.push({ file: m[1]!, kind });
  }
  return out;
}

/** An image whose entrypoint is a tool the probe-patch reader reads (`bitnami/kubectl:1.30`, `gcr.io/cloud-builders/kubectl`, `docker://mikefarah/yq`): that tool. */
const TOOL_IMAGE = /^(?:docker:\/\/)?(?:\S*\/)?(kubectl|oc|yq)(?:[:@]\S*)?$/;
/** A string that may be a command line of such a tool (any case: `$(KUBECTL)`). */
const TOOL_WORD = new RegExp(toolWordPattern(['kubectl', 'oc', 'yq', 'jq', 'sed', 'perl']), 'i');
/** The first word of a list of strings read as one command (an exec list: `[kubectl, patch, …]`, `["sh", "-c", "…"]`). */
const EXEC_FIRST = new RegExp(`^(?:\\S*/)?(?:${[...TOOL_COMMAND_WORDS, 'sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'sudo', 'env', 'timeout', 'xargs', 'find'].map((w) => w.replace(/\./g, '\\.')).join('|')})$`);

/** A list's words as one shell command line (each word double-quoted: a `$VAR` in it stays a value known only at run time). */
function quotedWords(words: readonly string[]): string {
  return words.map((w) => `"${templated(w).replace(/["\\`]/g, '\\$&')}"`).join(' ');
}

/**
 * The commands of a YAML file of a tool whose command keys the tool does not know one by one
 * (CircleCI's `run`, Bitbucket's and Azure Pipelines' `script`/`bash`/`powershell`, CodeBuild's
 * `commands`, Skaffold's hooks, …), read generically, at any depth:
 * - with `strings`, each string (a map's value, a list's item) naming kubectl, oc, yq, jq, sed or
 *   perl, as a shell script; a list of strings one of which names one, as one script (Bitbucket's
 *   and CodeBuild's items run in one shell; where the whole does not parse, each alone);
 * - a list of strings whose first is such a tool or a shell (`[kubectl, patch, …]`, `["sh", "-c",
 *   "…"]`), as that one command;
 * - a step running an image whose entrypoint is kubectl, oc or yq with arguments: Cloud Build's
 *   `name: gcr.io/cloud-builders/kubectl` + `args`, GitHub's `uses: docker://bitnami/kubectl` +
 *   `with: {args: …}`, Buildkite's docker plugin `image:` + `command:`; with an `entrypoint:`, that
 *   entrypoint and the `args` (`entrypoint: bash`, `args: [-c, …]`).
 * The variables the enclosing maps set (`env:`, `environment:`, `variables:`) are the scripts'.
 * Undefined: the text does not parse.
 */
export function yamlCommandScripts(text: string, strings: boolean): Script[] | undefined {
  const parsed = parseYaml(text, { uniqueKeys: false });
  if (parsed.error) return undefined;
  const out: Script[] = [];
  for (const doc of parsed.docs) {
    const at = (node: unknown) => deref(node, doc);
    const read = new Set<unknown>();
    const lineOf = (node: unknown) => lineAt(text, (node as { range?: [number] }).range?.[0] ?? 0);
    const stringsOf = (node: unknown): Scalar[] | undefined => {
      const n = at(node);
      if (!isSeq(n)) return undefined;
      const items = n.items.map(at);
      return items.every((i) => isScalar(i) && (typeof i.value === 'string' || typeof i.value === 'number')) ? (items as Scalar[]) : undefined;
    };
    const command = (words: string, node: unknown, maps: readonly unknown[]): void => {
      const line = lineOf(node);
      out.push(withOuter({ script: words, resolve: resolveWord, line: () => line }, pipelineEnv(maps)));
    };
    // A step that runs a tool's image with arguments (or an entrypoint with arguments).
    const imageStep = (map: YAMLMap, maps: readonly unknown[]): void => {
      const entries = mapEntries(map, doc);
      const withArgs = entries.get('with');
      const args = entries.get('args') ?? (isMap(withArgs) ? at(getPair(withArgs, 'args')?.value) : undefined);
      const entry = entries.get('entrypoint');
      const image = ['image', 'name', 'uses'].map((k) => scalarText(entries.get(k))).find((v) => v !== undefined && TOOL_IMAGE.test(v.trim()));
      const given = entry !== undefined ? args : (args ?? entries.get('command'));
      if (given === undefined || (entry === undefined && image === undefined)) return;
      const list = stringsOf(given);
      // A list or string that is itself a command (`command: ["sh", "-c", …]` of a container, which replaces the entrypoint): read as such (the exec-list reading).
      const first = list ? String(list[0]?.value ?? '') : isScalar(given) && typeof given.value === 'string' ? given.value.trim().split(/\s+/)[0]! : '';
      if (entry === undefined && EXEC_FIRST.test(first)) return;
      const head = entry !== undefined ? (stringsOf(entry)?.map((i) => String(i.value)) ?? [scalarText(entry) ?? '']) : [TOOL_IMAGE.exec(image!.trim())![1]!];
      if (list) {
        read.add(at(given));
        command(quotedWords([...head, ...list.map((i) => String(i.value))]), given, maps);
      } else if (isScalar(given) && typeof given.value === 'string') {
        read.add(given);
        command(`${quotedWords(head)} ${templated(given.value)}`, given, maps);
      }
    };
    const walk = (raw: unknown, maps: readonly unknown[], depth: number): void => {
      const node = at(raw);
      if (depth > 40 || read.has(node)) return;
      if (isMap(node)) {
        const inner = [...maps, node];
        imageStep(node, inner);
        for (const pair of node.items) walk(pair.value, inner, depth + 1);
      } else if (isSeq(node)) {
        const list = stringsOf(node);
        if (list && list.length > 0 && EXEC_FIRST.test(String(list[0]!.value))) {
          read.add(node);
          command(quotedWords(list.map((i) => String(i.value))), node, maps);
        } else if (list) {
          if (strings && list.some((i) => typeof i.value === 'string' && TOOL_WORD.test(i.value))) out.push(...joinedScripts(text, list.filter((i) => typeof i.value === 'string')).map((sc) => withOuter(sc, pipelineEnv(maps))));
        } else for (const item of node.items) walk(item, maps, depth + 1);
      } else if (strings && isScalar(node) && typeof node.value === 'string' && TOOL_WORD.test(node.value)) {
        read.add(node);
        out.push(withOuter(scalarScript(text, node), pipelineEnv(maps)));
      }
    };
    walk(doc.contents, [], 0);
  }
  return out;
}

type Doc = Document.Parsed<ParsedNode, true>;

/** A node, through the aliases that name it. */
function deref(node: unknown, doc: Doc): unknown {
  for (let i = 0; i < 8 && isAlias(node); i++) node = node.resolve(doc);
  return node;
}

/**
 * The strings of a script key's value, in order: a string, a list of them (nested lists flattened,
 * as GitLab does), through aliases (`- *patch_probe`) and GitLab's `!reference [job, key]`.
 */
function scriptItems(raw: unknown, doc: Doc, depth = 0): Scalar[] {
  const node = deref(raw, doc);
  if (depth > 10) return [];
  if (isScalar(node)) return typeof node.value === 'string' ? [node] : [];
  if (!isSeq(node)) return [];
  if (node.tag === '!reference') return scriptItems(reference(node, doc), doc, depth + 1);
  return node.items.flatMap((item) => scriptItems(item, doc, depth + 1));
}

/** What GitLab's `!reference [job, key, …]` names: the job's (or any top-level map's) key, down the path. */
function reference(node: YAMLSeq, doc: Doc): unknown {
  let at: unknown = doc.contents;
  for (const step of node.items) {
    const key = scalarText(deref(step, doc));
    at = deref(at, doc);
    if (key === undefined || !isMap(at)) return undefined;
    at = mapValue(at, key, doc);
  }
  return at;
}

/** A map's value at a key, its own or through a `<<:` merge (its own last pair of that key winning). */
function mapValue(map: YAMLMap, key: string, doc: Doc, depth = 0): unknown {
  let found: unknown;
  for (const pair of map.items) if (isScalar(pair.key) && String(pair.key.value) === key) found = pair.value;
  if (found !== undefined || depth > 8) return deref(found, doc);
  for (const source of mergeSources(map, doc)) {
    const v = mapValue(source, key, doc, depth + 1);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The maps a map merges in with `<<: *a` or `<<: [*a, *b]`. */
function mergeSources(map: YAMLMap, doc: Doc): YAMLMap[] {
  const out: YAMLMap[] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key) || pair.key.value !== '<<') continue;
    const v = deref(pair.value, doc);
    for (const m of isSeq(v) ? v.items.map((i) => deref(i, doc)) : [v]) if (isMap(m)) out.push(m);
  }
  return out;
}

/** A map's keys and values, those it merges with `<<:` first, its own after (winning). */
function mapEntries(map: YAMLMap, doc: Doc, depth = 0): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (depth < 8) for (const source of mergeSources(map, doc)) for (const [k, v] of mapEntries(source, doc, depth + 1)) out.set(k, v);
  for (const pair of map.items) if (isScalar(pair.key) && pair.key.value !== '<<') out.set(String(pair.key.value), deref(pair.value, doc));
  return out;
}

/**
 * The scripts of a list of strings that run in one shell, read as one script (an `export` of an
 * earlier one seen by a later one), each offset at its own string's line. When the whole does not
 * parse, each string alone, as it would be read on its own.
 */
function joinedScripts(text: string, items: readonly Scalar[]): Script[] {
  const parts = items.map((item) => scalarScript(text, item));
  if (parts.length <= 1) return parts;
  const script = parts.map((p) => p.script).join('\n');
  try {
    parseShell(script);
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    return parts;
  }
  const starts: number[] = [];
  let at = 0;
  for (const p of parts) {
    starts.push(at);
    at += p.script.length + 1;
  }
  const line = (o: number): number => {
    let i = starts.length - 1;
    while (i > 0 && starts[i]! > o) i--;
    return parts[i]!.line(o - starts[i]!);
  };
  return [{ script, resolve: resolveWord, line }];
}

/**
 * A script with the variables its pipeline sets: one the script sets too (`APP=api` in an `if`,
 * `export APP=api`) is also set at its top to the pipeline's value, so that the script's reader
 * sees two values (which it takes as known only at run time), not the script's alone.
 */
function withOuter(sc: Script, outer: ((name: string) => string | undefined) | undefined): Script {
  if (!outer) return sc;
  let prefix = '';
  const seen = new Set<string>();
  for (const m of sc.script.matchAll(/(?:^|[\s;&|(])(?:(?:export|readonly|local|declare|typeset)\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)=/g)) {
    const name = m[1]!;
    if (seen.has(name)) continue;
    seen.add(name);
    const v = outer(name);
    if (v !== undefined) prefix += `${name}='${v.replace(/'/g, `'\\''`)}'\n`;
  }
  if (prefix === '') return { ...sc, outer };
  const n = prefix.length;
  return { ...sc, script: prefix + sc.script, outer, line: (o) => sc.line(Math.max(0, o - n)) };
}

/** The top-level keys of a GitLab CI config that are no job. */
const GITLAB_GLOBAL = new Set(['variables', 'default', 'include', 'stages', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'spec']);
const GITLAB_JOB_KEYS = ['script', 'before_script', 'extends', 'trigger', 'stage', 'needs'];

/** A GitLab CI config: no Drone, Woodpecker, Buildkite or Task shape (`kind`, `steps`, `tasks`), and a top-level job (a map with a script, `extends`, `trigger`). */
function isGitlab(doc: Doc): boolean {
  const root = doc.contents;
  if (!isMap(root)) return false;
  const top = mapEntries(root, doc);
  if (top.has('kind') || top.has('steps') || top.has('tasks') || top.has('pipeline') || top.has('agents')) return false;
  for (const [k, v] of top) if (!GITLAB_GLOBAL.has(k) && isMap(v) && GITLAB_JOB_KEYS.some((jk) => mapValue(v, jk, doc) !== undefined)) return true;
  return top.has('stages') || top.has('include') || top.has('workflow');
}

/** Each variable's possible values; null: known only at run time (it matches anything). */
type Values = Map<string, string[] | null>;

/**
 * The values a `variables:` map gives: a literal string, number or boolean, or GitLab's `{value:
 * …}`; `{options: […]}` any of them (a manual run's choice); a `description:` without options (a
 * value a manual run may type), a template expression or a variable in it, or a value that is no
 * scalar: known only at run time.
 */
function variableValues(raw: unknown, doc: Doc): Values {
  const out: Values = new Map();
  let vars = deref(raw, doc);
  if (isSeq(vars) && vars.tag === '!reference') vars = deref(reference(vars, doc), doc);
  if (!isMap(vars)) return out;
  for (const [name, v] of mapEntries(vars, doc)) {
    const lit = (n: unknown): string | null => {
      const x = deref(n, doc);
      const value = isScalar(x) && (typeof x.value === 'string' || typeof x.value === 'number' || typeof x.value === 'boolean') ? String(x.value) : undefined;
      return value === undefined || /\$|\{\{/.test(value) ? null : value;
    };
    if (isMap(v)) {
      const entries = mapEntries(v, doc);
      const options = entries.get('options');
      if (isSeq(options)) {
        const all = [entries.get('value'), ...options.items].filter((o) => o !== undefined).map(lit);
        out.set(name, all.includes(null) ? null : [...new Set(all as string[])]);
      } else if (entries.has('description')) out.set(name, null);
      else {
        const one = lit(entries.get('value'));
        out.set(name, one === null ? null : [one]);
      }
    } else {
      const one = lit(v);
      out.set(name, one === null ? null : [one]);
    }
  }
  return out;
}

/** `base` where another source may set other values: each variable `more` sets takes its values too (a variable `base` lacks: any, it may be unset there and come from outside). */
function union(base: Values, more: Values): Values {
  const out: Values = new Map(base);
  for (const [k, v] of more) {
    const was = base.get(k);
    out.set(k, v === null || was === null || was === undefined ? null : [...new Set([...was, ...v])]);
  }
  return out;
}

/** Each `rules:` item's `variables:` (a rule that matches sets them; one that does not leaves the others'). */
function ruleValues(rules: unknown, base: Values, doc: Doc): Values {
  let out = base;
  const list = deref(rules, doc);
  if (!isSeq(list)) return out;
  for (const rule of list.items) {
    const r = deref(rule, doc);
    if (isMap(r)) out = union(out, variableValues(mapValue(r, 'variables', doc), doc));
  }
  return out;
}

/** The most combinations of several-valued variables read as scripts of their own; beyond, those variables are any. */
const MAX_COMBINATIONS = 32;

/** Lookups of each combination of the variables' values (several-valued ones each taking each of theirs). */
function combinations(values: Values): ((name: string) => string | undefined)[] {
  const several = [...values].filter(([, v]) => v !== null && v.length > 1) as [string, string[]][];
  const count = several.reduce((n, [, v]) => n * v.length, 1);
  const fixed = new Map<string, string | null>();
  for (const [k, v] of values) fixed.set(k, v === null ? null : v.length === 1 ? v[0]! : null);
  if (several.length === 0 || count > MAX_COMBINATIONS) return [(name) => fixed.get(name) ?? undefined];
  let combos: Map<string, string>[] = [new Map()];
  for (const [k, vs] of several) combos = combos.flatMap((c) => vs.map((v) => new Map([...c, [k, v]])));
  return combos.map((c) => (name: string) => c.get(name) ?? fixed.get(name) ?? undefined);
}

/**
 * A GitLab CI config's scripts, job by job: a job's `before_script` (or `default:`'s) and `script`
 * run in one shell, read as one script; `after_script` in another. A job's keys include those of the
 * jobs it `extends:` (and `<<:` merges), its variables theirs merged under its own; a hidden job
 * (`.name`) that another job extends is read through that job only. A variable takes every value
 * that may reach the job: the file's (and `workflow: rules:`'s), the job's, its `rules:`' and its
 * `parallel: matrix:` entries'; each combination of several-valued ones is a script of its own.
 */
function gitlabScripts(text: string, doc: Doc): Script[] {
  const root = doc.contents as YAMLMap;
  const top = mapEntries(root, doc);
  const extended = new Set<string>();
  const parents = (job: YAMLMap): string[] => {
    const e = mapValue(job, 'extends', doc);
    return (isSeq(e) ? e.items.map((i) => scalarText(deref(i, doc))) : [scalarText(e)]).filter((n): n is string => n !== undefined);
  };
  // A hidden job another one merges in (`<<: *deploy`) runs through that one alone, as one it extends.
  const merged = new Set<unknown>();
  for (const [k, v] of top) if (!GITLAB_GLOBAL.has(k) && isMap(v)) {
    for (const p of parents(v)) extended.add(p);
    for (const m of mergeSources(v, doc)) merged.add(m);
  }
  for (const [k, v] of top) if (k.startsWith('.') && merged.has(v)) extended.add(k);
  // A job's keys and variables, through `extends:` (a parent's keys first, deep-merged variables).
  const view = (job: YAMLMap, seen: ReadonlySet<string>): { keys: Map<string, unknown>; vars: Values } => {
    const keys = new Map<string, unknown>();
    let vars: Values = new Map();
    for (const p of parents(job)) {
      const parent = top.get(p);
      if (!isMap(parent) || seen.has(p)) continue;
      const pv = view(parent, new Set([...seen, p]));
      for (const [k, v] of pv.keys) keys.set(k, v);
      vars = new Map([...vars, ...pv.vars]);
    }
    for (const [k, v] of mapEntries(job, doc)) {
      keys.set(k, v);
      if (k === 'variables') vars = new Map([...vars, ...variableValues(v, doc)]);
    }
    return { keys, vars };
  };
  const workflow = top.get('workflow');
  const fileVars = ruleValues(isMap(workflow) ? mapValue(workflow, 'rules', doc) : undefined, variableValues(top.get('variables'), doc), doc);
  const defaults = top.get('default');
  const fallback = (key: string): unknown => (isMap(defaults) ? mapValue(defaults, key, doc) : undefined) ?? top.get(key);
  const out: Script[] = [];
  // Variables a job's `artifacts: reports: dotenv:` file passes on (`echo "APP=api" >> build.env`):
  // they rank above the YAML's for the jobs that get its artifacts, so they are any value in every job.
  const dotenv = new Set<string>();
  for (const [name, job] of top) {
    if (!isMap(job) || (GITLAB_GLOBAL.has(name) && name !== 'default')) continue;
    const { keys } = view(job, new Set([name]));
    const artifacts = deref(keys.get('artifacts'), doc);
    const reports = isMap(artifacts) ? deref(mapValue(artifacts, 'reports', doc), doc) : undefined;
    const report = isMap(reports) ? deref(mapValue(reports, 'dotenv', doc), doc) : undefined;
    if (report === undefined) continue;
    const files = (isSeq(report) ? report.items.map((i) => scalarText(deref(i, doc))) : [scalarText(report)]).filter((f): f is string => f !== undefined).map((f) => path.basename(f));
    for (const item of scriptItems(keys.get('script'), doc)) {
      for (const line of String(item.value).split('\n')) {
        if (!(files.length === 0 ? line.includes('>>') : files.some((f) => line.includes(f)))) continue;
        for (const m of line.matchAll(/(?:^|[\s"'])([A-Za-z_]\w*)=/g)) dotenv.add(m[1]!);
      }
    }
  }
  for (const [name, job] of top) {
    if (GITLAB_GLOBAL.has(name) && name !== 'default') continue;
    if (!isMap(job) || (name.startsWith('.') && extended.has(name))) continue;
    const { keys, vars } = view(job, new Set([name]));
    let values = ruleValues(keys.get('rules'), new Map([...fileVars, ...vars]), doc);
    if (dotenv.size > 0) {
      values = new Map(values);
      for (const n of dotenv) values.set(n, null);
    }
    // `parallel: matrix:`: each entry's values (a job of it runs with one of them; one entry without a variable keeps its other value).
    const parallel = keys.get('parallel');
    const matrix = isMap(parallel) ? deref(mapValue(parallel, 'matrix', doc), doc) : undefined;
    if (isSeq(matrix)) {
      const entries = matrix.items.map((e) => deref(e, doc)).filter(isMap);
      const names = new Set(entries.flatMap((e) => [...mapEntries(e, doc).keys()]));
      const next: Values = new Map(values);
      for (const n of names) {
        const all: (string | null)[] = [];
        for (const e of entries) {
          const v = mapEntries(e, doc).get(n);
          if (v === undefined) {
            const was = values.get(n);
            all.push(...(was === undefined || was === null ? [null] : was));
          } else for (const x of isSeq(v) ? v.items : [v]) {
            const d = deref(x, doc);
            all.push(isScalar(d) && d.value !== null && typeof d.value !== 'object' && !/\$/.test(String(d.value)) ? String(d.value) : null);
          }
        }
        next.set(n, all.includes(null) ? null : [...new Set(all as string[])]);
      }
      values = next;
    }
    const lookups = combinations(values);
    const own = keys.has('script') || keys.has('before_script') || name === 'default';
    const before = name === 'default' ? keys.get('before_script') : keys.get('before_script') ?? (own ? fallback('before_script') : undefined);
    const after = name === 'default' ? keys.get('after_script') : keys.get('after_script') ?? (own ? fallback('after_script') : undefined);
    const shells = [[...scriptItems(before, doc), ...scriptItems(keys.get('script'), doc)], scriptItems(after, doc)];
    for (const items of shells) {
      if (items.length === 0) continue;
      for (const sc of joinedScripts(text, items)) for (const outer of lookups) out.push(withOuter(sc, outer));
    }
  }
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

/**
 * The commands of the repository's Makefiles and shell scripts that generate manifests into its
 * tree: `jsonnet -m DIR` / `-o FILE`, `tk export DIR …`, `ytt --output-files DIR`, `kustomize
 * build -o PATH`, `helm template --output-dir DIR`, `cue export --outfile FILE`, and any of these
 * whose standard output a redirect writes (`kustomize build config/default > dist/install.yaml`,
 * `jsonnet main.jsonnet | gojsontoyaml > deploy.yaml`, `| tee FILE`). A manifest such a command
 * writes is rewritten by the tool, and written again by the next `make manifests`: the
 * generated-file rule says so, naming the command (hunt21 D4).
 *
 * Read once per run, and only when a run edits a manifest and the repository has a Makefile or a
 * shell script: the files are the patch readers' list (scriptFiles, src/kubernetes/patch-commands.ts:
 * made by then, as every migrating probe asks it), their Makefiles and shell scripts alone, each
 * parsed only where a line may write an edited manifest (generatorRuns). With more than 100 of
 * them, git says first which name a generator (one `git grep` among their names).
 * What is not followed: a `make -C`, a script run from another folder than its own or the
 * repository's root, a generator inside `sh -c '…'` or behind `xargs`, a path known only at run
 * time (a variable the script does not set to a literal, a loop's variable), a pipeline inside a
 * loop or an `if` (its commands' own redirects are read).
 */
import path from 'node:path';
import { baseName, pastPrefixes } from '../analysis/heredoc-manifest.js';
import { noOverrides } from '../analysis/makefile.js';
import { scriptVariables } from '../analysis/script-runs.js';
import { parseShell, ShellParseError, type ResolvedWord, type ShCall, type ShStmt, type ShWord } from '../analysis/shell.js';
import { filesMayHold } from '../discover/grep.js';
import { scriptFiles, scriptsOf, startDirs } from './patch-commands.js';
import type { RunContext } from '../types.js';

export type GeneratorTool = 'jsonnet' | 'tk' | 'ytt' | 'kustomize' | 'helm' | 'cue';

export interface GeneratorRun {
  /** The script's file and line, from the run's folder: `deploy/Makefile:13`. */
  at: string;
  /** The command's words as the tool reads them (make's references resolved where the Makefile sets them), cut at 80 characters, and where a redirect sends its output (` > dist/install.yaml`). */
  command: string;
  tool: GeneratorTool;
  /**
   * What it writes, absolute: a folder (every file under it) or a file. `chartFolder`: helm
   * template's --output-dir, which writes only DIR/<chart name>/templates/… and DIR/<chart
   * name>/charts/… (never a file directly in DIR; review24 R7).
   */
  writes: { path: string; folder: boolean; chartFolder?: true }[];
}

/** A text that may run a generator: its name as a word, or a variable named for it (`$(KUSTOMIZE)`, `${JSONNET_BIN}`). */
const GENERATOR_WORDS = /\b(?:s?jsonnet|jrsonnet|tk|tanka|ytt|kustomize|helm|cue)\b/i;
/** GENERATOR_WORDS for git grep -P (case-insensitive through `(?i)`). */
const GENERATOR_PATTERN = String.raw`(?i)\b(?:s?jsonnet|jrsonnet|tk|tanka|ytt|kustomize|helm|cue)\b`;
/** A text that may say where a generator writes: a redirect, tee, an output option, `tk export`. */
const WRITES = /[>]|\b(?:tee|sponge|export)\b|(?:^|\s)-[mo]|--(?:multi|output|outfile)/;
/** The names of the Makefiles and shell scripts, as git's pathspecs (an extensionless script is outside them: git leaves it to be read). */
const PATHSPECS = ['*.mk', '*akefile', ':(icase)*.sh', ':(icase)*.bash', ':(icase)*.zsh', ':(icase)*.ksh'];

/**
 * The generator runs of the repository's Makefiles and shell scripts that may write one of
 * `files` (absolute paths; once per run, from the generated-file rule). A file or recipe line is
 * parsed only when its text names a generator, an output (WRITES), and a part of one of those
 * files' paths (`tilt` of deploy/tilt/server.yaml) or stands in a folder above one of them
 * (`jsonnet -m .` in deploy/tilt/Makefile): the shell parser's cost (mvdan-sh loads in ~130 ms
 * where no tree is kept) only where a line may write one.
 */
export function generatorRuns(run: RunContext, files: readonly string[]): GeneratorRun[] {
  const out: GeneratorRun[] = [];
  const parts = [...new Set(files.flatMap((f) => path.relative(run.cwd, f).split(path.sep)).filter((p) => p !== '' && p !== '..' && p !== '.'))];
  const names = (t: string) => parts.some((p) => t.includes(p));
  const scripts = scriptFiles(run).filter((f) => f.kind === 'make' || f.kind === 'shell');
  const may = scripts.length > 100 ? filesMayHold(run, scripts.map((f) => f.abs), GENERATOR_PATTERN, PATHSPECS) : undefined;
  for (const { abs, kind } of scripts) {
    if (may && !may.has(abs)) continue;
    const text = run.readText(abs);
    if (text === undefined || !GENERATOR_WORDS.test(text) || !WRITES.test(text)) continue;
    const above = files.some((f) => isUnder(f, path.dirname(abs)));
    if (!above && !names(text)) continue;
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    // make runs a recipe in the Makefile's folder; a script may be run from its own or from the repository's root.
    const start = kind === 'make' ? [path.dirname(abs)] : startDirs(abs, run);
    for (const s of scriptsOf(text, kind, abs, noOverrides) ?? []) {
      // A make reference (`${__MK0}` in the script: `$(KUSTOMIZE)`) may name one too.
      if ((!GENERATOR_WORDS.test(s.script) && !s.script.includes('${__MK')) || !WRITES.test(s.script) || (!above && !names(s.script))) continue;
      let parsed: ReturnType<typeof parseShell>;
      try {
        parsed = parseShell(s.script);
      } catch (e) {
        if (!(e instanceof ShellParseError)) throw e;
        continue;
      }
      const env = scriptVariables(parsed.calls, s.resolve, parsed.setsOtherwise, s.outer, parsed.otherSets);
      const read = (w: ShWord) => s.resolve(w, env);
      const sinks = pipelineSinks(parsed.stmts);
      let dirs: string[] | null = start;
      for (const call of parsed.calls) {
        const words = call.args.map(read);
        const texts = words.map((w) => w.text);
        const i = pastPrefixes(texts);
        const name = baseName(texts[i] ?? '');
        if (name === 'cd' || name === 'pushd') {
          const to = words.slice(i + 1).find((w) => !w.text.startsWith('-'));
          dirs = dirs === null || to === undefined || !known(to) ? null : dirs.map((d) => path.resolve(d, to.text));
          continue;
        }
        const tool = generatorTool(words[i]);
        if (!tool) continue;
        const outputs = generatorOutputs(tool, texts.slice(i + 1));
        if (outputs === undefined) continue;
        const stdout: Sink[] = call.writesTo ? [{ word: call.writesTo, via: '>', next: true }] : (sinks.get(call) ?? []);
        const targets = outputs === 'stdout' ? stdout.map((k) => ({ word: read(k.word), folder: false, sink: k })) : outputs.map((o) => ({ word: valueOf(words[i + 1 + o.at]!, o.afterEq === true), folder: o.folder, sink: undefined }));
        const writes: GeneratorRun['writes'] = [];
        const written: string[] = [];
        for (const { word, folder, sink } of targets) {
          if (!known(word) || word.text === '' || word.text === '-' || word.text.startsWith('/dev/')) continue;
          // Where the output goes, as the command says it: `> dist/install.yaml` (the pipeline's last command's: `| … > FILE`), `| tee FILE`.
          if (sink) written.push(call.writesTo ? ` > ${word.text}` : sink.via === '>' ? ` | … > ${word.text}` : ` |${sink.next ? '' : ' … |'} ${sink.via} ${word.text}`);
          const places = path.isAbsolute(word.text) ? [word.text] : (dirs ?? []).map((d) => path.resolve(d, word.text));
          const chartFolder = tool === 'helm' && folder ? { chartFolder: true as const } : {};
          for (const p of places) writes.push({ path: p, folder: folder || word.text.endsWith('/'), ...chartFolder });
        }
        if (writes.length === 0) continue;
        const sent = written.join(',');
        const command = texts.slice(i).join(' ');
        out.push({ at: `${shown}:${s.line(call.start)}`, command: (command.length > 80 ? `${command.slice(0, 79)}…` : command) + sent, tool: tool === 'kubectl' ? 'kustomize' : tool, writes });
      }
    }
  }
  return out;
}

/** The generator runs that write `abs` (a file's absolute path). */
export function runsWriting(runs: readonly GeneratorRun[], abs: string): GeneratorRun[] {
  return runs.filter((r) => r.writes.some((w) => w.path === abs || (w.folder && isUnder(abs, w.path) && (!w.chartFolder || inChartFolder(abs, w.path)))));
}

/** Whether `file` is where helm template --output-dir `dir` writes: `dir/<chart name>/templates/…` or `dir/<chart name>/charts/…` (any chart name: the chart the command names may be a repository's). */
const inChartFolder = (file: string, dir: string) => {
  const parts = path.relative(dir, file).split(path.sep);
  return parts.length >= 3 && (parts[1] === 'templates' || parts[1] === 'charts');
};

const isUnder = (file: string, folder: string) => {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

const valueOf = (w: ResolvedWord, afterEq: boolean): ResolvedWord => (afterEq ? { ...w, text: w.text.slice(w.text.indexOf('=') + 1) } : w);

const known = (w: ResolvedWord) => w.unresolved.length === 0 && !w.text.includes('$');

/** The generator a command word runs: its base name, or a variable named for it (`$(KUSTOMIZE)`, `$(JSONNET_BIN)`, make's kubebuilder scaffold). */
function generatorTool(word: ResolvedWord | undefined): GeneratorTool | 'kubectl' | undefined {
  if (!word) return undefined;
  let name = baseName(word.text).toLowerCase();
  if (word.unresolved.length > 0 && !/^(?:s?jsonnet|jrsonnet|go-jsonnet|tk|tanka|ytt|kustomize|helm|cue|kubectl|oc)$/.test(name)) {
    const v = /^\$(?:\{([A-Za-z_]\w*)\}|\(([A-Za-z_][\w.-]*)\)|([A-Za-z_]\w*))$/.exec(word.text);
    name = (v?.[1] ?? v?.[2] ?? v?.[3] ?? '').toLowerCase().replace(/_(?:bin|binary|cmd|exe)$/, '').replace(/^.*_/, '');
  }
  if (name === 'jsonnet' || name === 'jrsonnet' || name === 'sjsonnet' || name === 'go-jsonnet') return 'jsonnet';
  if (name === 'tk' || name === 'tanka') return 'tk';
  if (name === 'ytt' || name === 'kustomize' || name === 'helm' || name === 'cue') return name;
  // `kubectl kustomize DIR -o FILE`, `oc kustomize`: kustomize's build.
  if (name === 'kubectl' || name === 'oc') return 'kubectl';
  return undefined;
}

/** Each generator's options that take the next word (those the output's reading must step over). */
const VALUED: Record<GeneratorTool | 'kubectl', readonly string[]> = {
  jsonnet: ['-J', '--jpath', '-V', '--ext-str', '--ext-str-file', '--ext-code', '--ext-code-file', '-A', '--tla-str', '--tla-str-file', '--tla-code', '--tla-code-file', '-s', '--max-stack', '-t', '--max-trace', '--gc-min-objects', '--gc-growth-trigger'],
  tk: ['--format', '--extension', '-t', '--target', '-l', '--selector', '-p', '--parallel', '--merge-strategy', '--merge-deleted-envs', '-e', '--cache-envs', '--cache-path', '--name', '--tla-str', '--tla-code', '-V', '--ext-str', '--ext-code', '--jsonnet-implementation', '--log-level', '--mem-ballast-size-bytes'],
  ytt: ['-f', '--file', '-v', '--data-value', '--data-value-yaml', '--data-value-file', '--data-values-file', '--data-values-env', '--data-values-env-yaml', '-o', '--output', '--file-mark'],
  kustomize: ['--load-restrictor', '--helm-command', '--env', '-e', '--mount', '--network-name', '--reorder'],
  kubectl: ['--load-restrictor', '--helm-command', '--env', '-e', '--mount', '--network-name', '--reorder', '-n', '--namespace', '--context', '--kubeconfig'],
  helm: ['-f', '--values', '--set', '--set-string', '--set-file', '--set-json', '--set-literal', '-n', '--namespace', '--version', '--repo', '--kube-version', '-a', '--api-versions', '-s', '--show-only', '--post-renderer', '--post-renderer-args', '--kube-context', '--kubeconfig', '--release-name', '--name-template', '--timeout', '--description', '--username', '--password', '--ca-file', '--cert-file', '--key-file', '--keyring', '--registry-config', '--repository-cache', '--repository-config'],
  cue: ['-e', '--expression', '-t', '--inject', '-l', '--path', '--out', '-p', '--package', '--with-context'],
};

/** An output option's value: the word at `at` (of the words after the command word), or the part after its `=` (`--multi=DIR`). */
interface Output {
  at: number;
  folder: boolean;
  afterEq?: true;
}

/**
 * Where a generator's command writes (indexes into `args`, the words after the command word): its
 * output options' values, folders or files; 'stdout' where it prints (the redirect or pipeline
 * says where that goes); undefined when the command generates nothing (`helm install`, `tk apply`,
 * `kubectl apply`).
 */
function generatorOutputs(tool: GeneratorTool | 'kubectl', args: readonly string[]): Output[] | 'stdout' | undefined {
  const valued = VALUED[tool];
  const options: Record<string, boolean> = (
    {
      jsonnet: { '-m': true, '--multi': true, '-o': false, '--output-file': false },
      tk: {},
      ytt: { '--output-files': true, '--output-directory': true },
      // kustomize's -o: a file, or a folder (one file per object) where it names one.
      kustomize: { '-o': true, '--output': true },
      kubectl: { '-o': true, '--output': true },
      helm: { '--output-dir': true },
      cue: { '-o': false, '--outfile': false },
    } as Record<GeneratorTool | 'kubectl', Record<string, boolean>>
  )[tool];
  const out: Output[] = [];
  const operands: number[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const eq = a.indexOf('=');
    const flag = a.startsWith('-') && eq !== -1 ? a.slice(0, eq) : a;
    if (flag in options) {
      if (flag !== a) out.push({ at: k, folder: options[flag]!, afterEq: true });
      else if (k + 1 < args.length) out.push({ at: ++k, folder: options[flag]! });
    } else if (a.startsWith('-') && a !== '-') {
      if (flag === a && valued.includes(a)) k++;
    } else operands.push(k);
  }
  const first = operands.length > 0 ? args[operands[0]!] : undefined;
  // Subcommands: only those that print or write manifests.
  if (tool === 'tk') return first === 'export' && operands.length > 1 ? [{ at: operands[1]!, folder: true }] : first === 'show' || first === 'eval' ? 'stdout' : undefined;
  if ((tool === 'kustomize' && first !== 'build') || (tool === 'kubectl' && first !== 'kustomize') || (tool === 'helm' && first !== 'template') || (tool === 'cue' && first !== 'export')) return undefined;
  return out.length > 0 ? out : 'stdout';
}

/** A file a pipeline sends its output to: by the last command's redirect (`>`), or a `tee` (`sponge`) that writes it. */
interface Sink {
  word: ShWord;
  via: '>' | 'tee' | 'sponge';
  next: boolean;
}

/**
 * The files each command of a pipeline's left side sends its output to: the last command's
 * redirect (`jsonnet x | gojsontoyaml > out.yaml`), or what a `tee` (or `sponge`) there writes.
 * Only the pipelines of the script's statements and their `&&`/`||` chains.
 */
function pipelineSinks(stmts: readonly ShStmt[]): Map<ShCall, Sink[]> {
  const out = new Map<ShCall, Sink[]>();
  // `next`: the command right after the `|` (`x | tee F`), not one further down the pipeline.
  const ends = (s: ShStmt, next: boolean): Sink[] => {
    const c = s.cmd;
    if (c.type === 'binary') return c.op === '|' || c.op === '|&' ? ends(c.y, false) : [...ends(c.x, next), ...ends(c.y, next)];
    if (c.type !== 'call') return [];
    const name = c.args[0]?.parts.length === 1 && c.args[0].parts[0]!.type === 'lit' ? baseName(c.args[0].parts[0]!.value) : '';
    const written: Sink[] = name === 'tee' || name === 'sponge' ? c.args.slice(1).filter((w) => !(w.parts[0]?.type === 'lit' && w.parts[0].value.startsWith('-'))).map((word) => ({ word, via: name, next })) : [];
    return c.writesTo ? [{ word: c.writesTo, via: '>', next }, ...written] : written;
  };
  const walk = (s: ShStmt, sink: Sink[]) => {
    const c = s.cmd;
    if (c.type === 'call') {
      if (sink.length > 0) out.set(c, sink);
    } else if (c.type === 'binary') {
      if (c.op === '|' || c.op === '|&') {
        walk(c.x, ends(c.y, true));
        walk(c.y, sink);
      } else {
        walk(c.x, sink);
        walk(c.y, sink);
      }
    }
  };
  for (const s of stmts) walk(s, []);
  return out;
}

/**
 * GoReleaser's way to ship an extra binary into an image it builds: a `before.hooks` command
 * downloads it into the project (often through a script of the repository), `dockers[].extra_files`
 * (`dockers_v2[].extra_files`) copies it into the Docker build context, and the Dockerfile's
 * `COPY` puts it in the image. The hook and the file list run nothing: with the COPY they are the
 * install, as a rockcraft part's download recipe is (src/kubernetes/probes.ts, RECIPE_SCRIPT_KEYS).
 * They are reported as installs to remove by hand, keeping no install, so that the COPY can go once
 * nothing runs the binary. A hook whose command (or script) may run the binary stays a use.
 */
import path from 'node:path';
import type { Document, ParsedNode, YAMLMap } from 'yaml';
import { isMap, isSeq } from '../parse/yaml-lib.js';
import { mentionsBinary } from '../analysis/binary.js';
import { parseShell, resolveWord, ShellParseError } from '../analysis/shell.js';
import { shellScriptIndex } from '../analysis/native-probe.js';
import { getPair, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import { lineStartOf } from '../text/lines.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { scriptInstallsOnly } from './probes.js';
import { enclosingRepository } from '../discover/scope.js';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
const noEnv = () => undefined;

/** What a `before.hooks` command does with the binary, when it only installs it. */
interface HookInstall {
  /** The commands that name the binary (curl, chmod, …). */
  commands: string[];
  /** The repository's script it runs, as shown, when the download is there. */
  script?: string;
  /** That script's absolute path. */
  scriptPath?: string;
}

/**
 * The names GoReleaser looks for its config under, `.config/` ones too (as src/docker/images.ts
 * isGoReleaser, not imported: a manifest's rule loads no Dockerfile code).
 */
function isGoReleaser(base: string): boolean {
  return /^\.?goreleaser\.ya?ml$/.test(base);
}

/** GoReleaser's project root: the config's folder, or the one above for `.config/goreleaser.yaml`. */
function projectRoot(configPath: string): string {
  const dir = path.dirname(configPath);
  return path.basename(dir) === '.config' ? path.dirname(dir) : dir;
}

/** A hook item: its command and the folder it runs in (`{cmd, dir}` or a plain string). */
function hookCommand(item: unknown, root: string): { cmd: string; dir: string } | undefined {
  if (isMap(item)) {
    const cmd = scalarText(getPair(item, 'cmd')?.value);
    const dir = scalarText(getPair(item, 'dir')?.value);
    if (cmd === undefined || (dir !== undefined && dir.includes('{{'))) return undefined;
    return { cmd, dir: dir === undefined ? root : path.resolve(root, dir) };
  }
  const cmd = scalarText(item);
  return cmd === undefined ? undefined : { cmd, dir: root };
}

/**
 * The repository script a hook command runs (`./scripts/fetch.sh`, `sh scripts/fetch.sh`), as an
 * absolute path; undefined when it runs something else. GoReleaser runs a hook without a shell:
 * it splits the command into words and runs the first.
 */
function hookScript(words: readonly string[], dir: string): { abs: string; index: number } | undefined {
  const program = words[0];
  if (program === undefined) return undefined;
  const index = SHELLS.has(path.basename(program)) ? (words.length >= 2 && !/^[-+]/.test(words[1]!) ? 1 : undefined) : program.includes('/') ? 0 : undefined;
  return index === undefined ? undefined : { abs: path.resolve(dir, words[index]!), index };
}

/** A shell script by its name or its `#!` line. */
function isShellScript(abs: string, text: string): boolean {
  if (/\.(sh|bash)$/.test(abs)) return true;
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!shebang) return false;
  const program = path.basename(shebang[1]!) === 'env' ? shebang[2] ?? '' : path.basename(shebang[1]!);
  return SHELLS.has(program);
}

/**
 * A `before.hooks` command that only installs the binary: a download (curl, wget, then chmod, …)
 * written in the hook, in its `sh -c` script, or in the repository's shell script it runs.
 * Undefined when it may run it, when a template or variable decides what it runs, or when it runs
 * something the tool does not read (make, go run, a script that is not in the repository).
 */
function hookInstallsOnly(cmd: string, dir: string, run: RunContext): HookInstall | undefined {
  if (cmd.includes('{{')) return undefined;
  let words: string[];
  try {
    const calls = parseShell(cmd).calls;
    if (calls.length !== 1) return undefined;
    words = calls[0]!.args.map((w) => resolveWord(w, noEnv).text);
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
  const scriptAt = shellScriptIndex(words);
  if (scriptAt !== undefined) {
    if (words.slice(scriptAt + 1).some(mentionsBinary)) return undefined;
    const commands = scriptInstallsOnly(words[scriptAt]!);
    return commands ? { commands } : undefined;
  }
  if (words.some((w) => /[$`]/.test(w))) return undefined;
  const script = hookScript(words, dir);
  if (script !== undefined) {
    // Arguments after the script's path that name the binary: the script may run what they name.
    if (words.slice(script.index + 1).some(mentionsBinary)) return undefined;
    const text = run.readText(script.abs);
    if (text === undefined || !isShellScript(script.abs, text)) return undefined;
    const commands = scriptInstallsOnly(text);
    return commands ? { commands, script: shown(script.abs, run), scriptPath: script.abs } : undefined;
  }
  const commands = scriptInstallsOnly(cmd);
  return commands ? { commands } : undefined;
}

/** The repository's shell script a hook command runs, as shown; undefined when it runs none the tool reads. */
function ranScript(cmd: string, dir: string, run: RunContext): { shown: string; names: boolean } | undefined {
  if (cmd.includes('{{')) return undefined;
  try {
    const calls = parseShell(cmd).calls;
    const script = calls.length === 1 ? hookScript(calls[0]!.args.map((w) => resolveWord(w, noEnv).text), dir) : undefined;
    const text = script && run.readText(script.abs);
    return script && text !== undefined && isShellScript(script.abs, text) ? { shown: shown(script.abs, run), names: mentionsBinary(text) } : undefined;
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
}

function shown(abs: string, run: RunContext): string {
  return path.relative(run.cwd, abs).split(path.sep).join('/');
}

const HOOK_PATH = /^before\.hooks\[(\d+)\](?:\.cmd)?$/;
const EXTRA_FILE_PATH = /^(dockers|dockers_v2)\[(\d+)\]\.extra_files\[(\d+)\]$/;

/**
 * A GoReleaser config's reports: a `before.hooks` command that only downloads the binary, and an
 * `extra_files` entry that names it, are the install the image's Dockerfile completes with its
 * COPY: `unsupported-file` (the tool does not edit GoReleaser configs), keeping no install. Any
 * other hook that names the binary stays a use, said as a hook's.
 */
export function relabelGoReleaser(reports: readonly Report[], docs: readonly Document.Parsed<ParsedNode, true>[], file: SourceFile, run: RunContext): Report[] {
  if (file.path === '' || !isGoReleaser(path.basename(file.path))) return [...reports];
  const root = projectRoot(file.path);
  return reports.map((r) => {
    const at = typeof r.details?.['path'] === 'string' ? (r.details['path'] as string) : undefined;
    const doc = docs[typeof r.details?.['document'] === 'number' ? (r.details['document'] as number) - 1 : 0];
    if (at === undefined || !doc || !isMap(doc.contents) || r.subject !== 'consumer') return r;
    const hook = HOOK_PATH.exec(at);
    if (hook) {
      const item = nodeAt(doc.contents, `before.hooks[${hook[1]}]`);
      const command = item && hookCommand(item, root);
      const installs = command && hookInstallsOnly(command.cmd, command.dir, run);
      if (!installs) {
        const script = command && ranScript(command.cmd, command.dir, run);
        return {
          ...r,
          message: script
            ? `a GoReleaser before hook runs ${script.shown}, ${script.names ? 'which does more with grpc_health_probe than download it (its findings say what' : 'which does not name grpc_health_probe where the tool reads what it downloads (a variable, another program'}; at ${at}): the binary stays installed while it may run it`
            : `a GoReleaser before hook names grpc_health_probe (at ${at}): GoReleaser runs it on the release machine before the builds, and the tool cannot tell that it only downloads the binary, so the binary stays installed`,
          hint: 'The tool does not edit GoReleaser configs or scripts. If the hook only fetches the binary for an image\'s build context, write it (or the script it runs) as a plain download (curl or wget, then chmod) and run the tool again; otherwise keep the binary for it.',
        };
      }
      return {
        ...r,
        message: `a GoReleaser before hook only downloads grpc_health_probe (${installs.script ? `it runs ${installs.script}, which names it` : 'it names it'} in the arguments of ${installs.commands.join(', ')}; at ${at}): it fetches the file for an image's build context and runs nothing, so it keeps no install; the tool does not edit GoReleaser configs`,
        hint: `This hook is part of the binary's install: with extra_files it brings the file that the Dockerfile's COPY puts in the image. Once nothing runs grpc_health_probe in those images (the tool then removes the COPY), delete this hook${installs.script ? ` and ${installs.script}` : ''} by hand, with the extra_files entry that ships the file.`,
        blockers: ['unsupported-file'],
        keepsBinary: false,
      };
    }
    const extra = EXTRA_FILE_PATH.exec(at);
    if (extra) {
      const entry = nodeAt(doc.contents, `${extra[1]}[${extra[2]}]`);
      const images = isMap(entry) ? imagesOf(entry, extra[1] === 'dockers' ? 'image_templates' : 'images') : [];
      const dockerfile = isMap(entry) ? scalarText(getPair(entry, 'templated_dockerfile')?.value) ?? scalarText(getPair(entry, 'dockerfile')?.value) ?? 'Dockerfile' : 'Dockerfile';
      const file = scalarText(nodeAt(doc.contents, at));
      return {
        ...r,
        message: `GoReleaser copies ${file ?? 'a file'} into the build context of ${images.length > 0 ? `the image ${images.join(', ')}` : 'the image it builds'} (at ${at}), where ${dockerfile} may COPY it: it ships the binary and runs nothing, so it keeps no install; the tool does not edit GoReleaser configs`,
        hint: 'This entry is part of the binary\'s install. While the Dockerfile copies the file, keep it (the build fails without it); once the tool has removed the COPY (nothing runs grpc_health_probe in the image any more), delete it by hand, with the before hook that downloads the file.',
        blockers: ['unsupported-file'],
        keepsBinary: false,
      };
    }
    return r;
  });
}

function imagesOf(entry: YAMLMap, key: string): string[] {
  const list = getPair(entry, key)?.value;
  return isSeq(list) ? list.items.map(scalarText).filter((s): s is string => s !== undefined) : [];
}

/** The `before.hooks` of the repository's GoReleaser configs that run a script which only downloads the binary, by the script's absolute path. */
const byRun = new WeakMap<RunContext, Map<string, string>>();

/** A GoReleaser config of the run's files that parses: its text, project root and documents. */
interface Config {
  abs: string;
  text: string;
  root: string;
  docs: readonly Document.Parsed<ParsedNode, true>[];
}
const configsByRun = new WeakMap<RunContext, Config[]>();

/**
 * The run's GoReleaser configs, each read and parsed once a run for its readers (the before hooks'
 * scripts, the extra_files a Dockerfile's COPY asks about). The files discovered, not the
 * repository's listing: a shell script is no kind the engine waits for git to list
 * (READS_REPOSITORY). In a partial view without the config a hooked script stays a use, the safe
 * side, and such a view removes no install anyway.
 */
function configsOf(run: RunContext): Config[] {
  let configs = configsByRun.get(run);
  if (configs) return configs;
  configs = [];
  configsByRun.set(run, configs);
  for (const abs of [...run.allFiles(), ...(run.options.partialView ? configsAbove(run) : [])]) {
    if (!isGoReleaser(path.basename(abs))) continue;
    const text = run.readText(abs);
    if (text === undefined || (!text.includes('hooks') && !text.includes('extra_files'))) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (!parsed.error) configs.push({ abs, text, root: projectRoot(abs), docs: parsed.docs });
  }
  return configs;
}

const CONFIG_NAMES = ['.goreleaser.yaml', '.goreleaser.yml', 'goreleaser.yaml', 'goreleaser.yml'];

/**
 * In a partial view, the GoReleaser configs in the folders above the run's files (and their
 * `.config/` folders), up to the checkout's top, that the run does not name: a project's config
 * sits at its root, above the scripts its hooks run and the Dockerfiles it builds, so a pre-commit
 * run over `scripts/fetch-grpc-health-probe.sh` reads it as the whole run does (hunt9 H8), from a
 * few files looked up by name, without git's listing (a script is no kind the engine waits for).
 */
function configsAbove(run: RunContext): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const named = new Set(run.allFiles());
  for (const file of run.allFiles()) {
    if (seen.has(path.dirname(file))) continue;
    const top = enclosingRepository(path.dirname(file));
    if (top === undefined) continue;
    for (let dir = path.dirname(file); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      for (const folder of [dir, path.join(dir, '.config')]) {
        for (const name of CONFIG_NAMES) {
          const abs = path.join(folder, name);
          if (!named.has(abs) && run.readText(abs) !== undefined) out.push(abs);
        }
      }
      if (dir === top || path.dirname(dir) === dir) break;
    }
  }
  return out;
}

function hookedScripts(run: RunContext): Map<string, string> {
  let found = byRun.get(run);
  if (found) return found;
  found = new Map();
  byRun.set(run, found);
  for (const { abs, text, root, docs } of configsOf(run)) {
    if (!text.includes('hooks')) continue;
    for (const doc of docs) {
      if (!isMap(doc.contents)) continue;
      const hooks = nodeAt(doc.contents, 'before.hooks');
      if (!isSeq(hooks)) continue;
      for (const item of hooks.items) {
        const command = hookCommand(item, root);
        const installs = command && hookInstallsOnly(command.cmd, command.dir, run);
        const range = (item as { range?: [number, number, number] }).range;
        if (installs?.scriptPath && !found.has(installs.scriptPath)) {
          const line = range ? text.slice(0, lineStartOf(text, range[0])).split('\n').length : undefined;
          found.set(installs.scriptPath, `${shown(abs, run)}${line !== undefined ? `:${line}` : ''}`);
        }
      }
    }
  }
  return found;
}

/**
 * A shell script of the repository that a GoReleaser before hook runs and that only downloads the
 * binary (curl or wget, then chmod, …; nothing runs it): where the hook is (`.goreleaser.yaml:4`)
 * and the commands that name the binary. Undefined for any other script: a use, as before.
 */
export function goReleaserHookInstall(file: SourceFile, run: RunContext): { hook: string; commands: string[] } | undefined {
  if (file.path === '') return undefined;
  const hook = hookedScripts(run).get(file.path);
  const commands = hook === undefined ? undefined : scriptInstallsOnly(file.text);
  return hook !== undefined && commands ? { hook, commands } : undefined;
}

/** Where a GoReleaser config ships a file into a Docker build context: the entry, as shown (`.goreleaser.yaml:16`), and its key path. */
export interface ShippedFile {
  where: string;
  at: string;
}

/**
 * The `dockers[].extra_files` (`dockers_v2[].extra_files`) entries of the repository's GoReleaser
 * configs that ship `written` (a path of the build context, as a Dockerfile's COPY names it) into
 * the context of `dockerfileAbs`: an entry whose Dockerfile is that one (or set by a template) and
 * whose path (or `*` glob) matches. GoReleaser copies each entry into the context at its path from
 * the project's root, so the file need not be in the repository: a before hook may download it.
 */
export function goReleaserShipped(dockerfileAbs: string, written: string, run: RunContext): ShippedFile[] {
  const wanted = path.posix.normalize(written.replace(/^\/+/, ''));
  const out: ShippedFile[] = [];
  for (const { abs, text, root, docs } of configsOf(run)) {
    if (!text.includes('extra_files')) continue;
    for (const doc of docs) {
      if (!isMap(doc.contents)) continue;
      for (const key of ['dockers', 'dockers_v2']) {
        const list = getPair(doc.contents, key)?.value;
        if (!isSeq(list)) continue;
        list.items.forEach((entry, d) => {
          if (!isMap(entry)) return;
          const dockerfile = scalarText(getPair(entry, 'templated_dockerfile')?.value) ?? scalarText(getPair(entry, 'dockerfile')?.value) ?? 'Dockerfile';
          if (!dockerfile.includes('{{') && path.resolve(root, dockerfile) !== path.resolve(dockerfileAbs)) return;
          const files = getPair(entry, 'extra_files')?.value;
          if (!isSeq(files)) return;
          files.items.forEach((item, e) => {
            const f = scalarText(item);
            if (f === undefined || !globMatches(path.posix.normalize(f.replace(/^\.\//, '')), wanted)) return;
            const range = (item as { range?: [number, number, number] }).range;
            const line = range ? text.slice(0, range[0]).split('\n').length : undefined;
            out.push({ where: `${shown(abs, run)}${line !== undefined ? `:${line}` : ''}`, at: `${key}[${d}].extra_files[${e}]` });
          });
        });
      }
    }
  }
  return out;
}

/** A path, or a glob of `*` and `?` within one folder, that names `file`. */
function globMatches(pattern: string, file: string): boolean {
  if (!/[*?[]/.test(pattern)) return pattern === file;
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\[/g, '\\[').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\0/g, '.*');
  return new RegExp(`^${re}$`).test(file);
}

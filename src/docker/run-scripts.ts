/**
 * A Dockerfile RUN that runs a shell script of the repository which only downloads the binary
 * (cilium's `RUN ./download-grpc-health-probe.sh`: curl, `sha256sum -c`, cp, chmod, strip): part
 * of that image's install, which runs nothing, as a GoReleaser hook's script is
 * (src/kubernetes/goreleaser.ts). The RUN is not cut (the script may do more than the download),
 * but it keeps no install, and neither does the script.
 */
import fs from 'node:fs';
import path from 'node:path';
import { mentionsBinary } from '../analysis/binary.js';
import { parseShell, resolveWord, ShellParseError } from '../analysis/shell.js';
import { scriptInstallsOnly } from '../kubernetes/probes.js';
import type { RunContext } from '../types.js';

const noEnv = () => undefined;

/**
 * The repository scripts a RUN's command word may be, by its base name: the one beside the
 * Dockerfile when there is one, else every shell script of the repository of that name. Undefined
 * when the word is no script path (`download.sh`, `./scripts/fetch.sh`).
 */
function scriptsNamed(run: RunContext, dockerfile: string, word: string): string[] | undefined {
  if (!/\.(sh|bash)$/.test(word) || /[$`*?]/.test(word)) return undefined;
  const base = path.posix.basename(word);
  // The files discovered, not the repository's listing (src/discover/names.ts): a Dockerfile or a
  // shell script is no kind the engine waits for git to list (READS_REPOSITORY), as for GoReleaser's hooks.
  const all = run.allFiles().filter((abs) => path.basename(abs) === base && !/[\\/](?:node_modules|vendor)[\\/]/.test(abs));
  const besides = [path.join(path.dirname(dockerfile), word), path.join(path.dirname(dockerfile), base)];
  const beside = all.find((abs) => besides.includes(abs));
  if (beside) return [beside];
  // A pre-commit run over the Dockerfile discovers the named files alone: the script beside it, on
  // disk, is the one the whole run finds (hunt12 N5). Elsewhere its name alone says nothing here.
  if (all.length === 0) {
    const onDisk = besides.find((abs) => {
      try {
        return fs.statSync(abs).isFile();
      } catch {
        return false;
      }
    });
    if (onDisk) return [onDisk];
  }
  return all;
}

/**
 * A RUN body (after its flags) whose only mention of the binary is the name of a repository script
 * it runs (`./download-grpc-health-probe.sh`, `bash download-grpc-health-probe.sh`), each script
 * of that name only installing it: the script as shown and the commands through which it names
 * the binary. Undefined for anything else (the RUN stays a problem, the safe side).
 */
export function installOnlyRun(run: RunContext, dockerfile: string, body: string): { script: string; commands: string[] } | undefined {
  let calls;
  try {
    calls = parseShell(body).calls;
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
  let found: { script: string; commands: string[] } | undefined;
  for (const call of calls) {
    const words = call.args.map((w) => resolveWord(w, noEnv).text);
    if (!words.some(mentionsBinary) && !call.assigns.some((a) => a.value && mentionsBinary(resolveWord(a.value, noEnv).text))) continue;
    if (found || call.assigns.length > 0) return undefined;
    const at = ['sh', 'bash'].includes(words[0] ?? '') ? 1 : 0;
    // The script's own arguments naming the binary: it may run what they name.
    if (words.some((w, k) => k !== at && mentionsBinary(w))) return undefined;
    const scripts = scriptsNamed(run, dockerfile, words[at] ?? '');
    if (!scripts || scripts.length === 0) return undefined;
    const commands = new Set<string>();
    for (const abs of scripts) {
      const text = run.readText(abs);
      const only = text === undefined ? undefined : scriptInstallsOnly(text);
      if (!only) return undefined;
      for (const c of only) commands.add(c);
    }
    found = { script: scripts.map((abs) => path.relative(run.cwd, abs).split(path.sep).join('/')).join(', '), commands: [...commands] };
  }
  return found;
}

const byRun = new WeakMap<RunContext, Map<string, string>>();

/**
 * In a partial view, the Dockerfiles beside the run's shell scripts that the run does not name
 * (one listing of each such folder): cilium's `images/hubble-relay/Dockerfile` RUNs the
 * `download-grpc-health-probe.sh` beside it, and a pre-commit run over the script alone reads
 * that RUN as the whole run does (hunt9 H9), without git's listing (a script is no kind the engine
 * waits for).
 */
function dockerfilesBesideScripts(run: RunContext): Set<string> {
  const named = new Set(run.allFiles());
  const out = new Set<string>();
  const folders = new Set(run.allFiles().filter((f) => /\.(sh|bash)$/.test(f)).map((f) => path.dirname(f)));
  for (const dir of folders) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      // A folder the tool cannot list: nothing beside the script.
    }
    for (const n of names) if (/^(Dockerfile|Containerfile)([.-].*)?$|\.(Dockerfile|Containerfile)$/i.test(n) && !named.has(path.join(dir, n))) out.add(path.join(dir, n));
  }
  return out;
}

/**
 * Where a Dockerfile of the repository runs this script as an install-only RUN
 * (`images/hubble-relay/Dockerfile:18`), by the script's absolute path; undefined when none does.
 * Read from the Dockerfiles that name the binary (the script's name must, for the RUN to be one).
 */
export function dockerfileRunOf(run: RunContext, scriptAbs: string): string | undefined {
  let known = byRun.get(run);
  if (!known) {
    known = new Map();
    byRun.set(run, known);
    const named = run.allFiles();
    const beside = run.options.partialView ? dockerfilesBesideScripts(run) : new Set<string>();
    for (const abs of [...named, ...beside]) {
      if (!/^(Dockerfile|Containerfile)([.-].*)?$|\.(Dockerfile|Containerfile)$/i.test(path.basename(abs))) continue;
      const text = run.readText(abs);
      if (text === undefined || !mentionsBinary(text)) continue;
      const lines = text.split('\n');
      // Logical RUN lines, joined at their continuations; flags (`--mount=…`) dropped.
      for (let i = 0; i < lines.length; i++) {
        const first = i;
        let line = lines[i]!;
        while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i]!;
        const m = /^\s*RUN\s+((?:--\S+\s+)*)(.*)$/i.exec(line);
        if (!m || !mentionsBinary(m[2]!)) continue;
        const words = m[2]!.trim().split(/\s+/);
        const at = ['sh', 'bash'].includes(words[0] ?? '') ? 1 : 0;
        const scripts = scriptsNamed(run, abs, words[at] ?? '');
        if (!scripts || !installOnlyRun(run, abs, m[2]!)) continue;
        // A Dockerfile the run does not name counts for the script beside it only: the other
        // scripts of that name are the repository's, which a partial view does not list.
        if (beside.has(abs) && !(scripts.length === 1 && path.dirname(scripts[0]!) === path.dirname(abs))) continue;
        const where = `${path.relative(run.cwd, abs).split(path.sep).join('/')}:${first + 1}`;
        for (const s of scripts) if (!known.has(s)) known.set(s, where);
      }
    }
  }
  return known.get(scriptAbs);
}

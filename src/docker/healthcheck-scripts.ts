/**
 * A shell script of the repository that a Dockerfile's HEALTHCHECK runs (grpc-asgi-django-demo:
 * `HEALTHCHECK CMD /app/server/health_check.sh`, the script `server/health_check.sh` calling
 * grpc_health_probe): Docker runs it as the image's health check, which has no native gRPC form,
 * and compose's `depends_on: condition: service_healthy` waits on it. The script's finding says so
 * rather than giving Kubernetes advice (hunt16 A6).
 */
import path from 'node:path';
import { classify } from '../classify.js';
import { parseShell, resolveWord, ShellParseError } from '../analysis/shell.js';
import type { RunContext } from '../types.js';
import { InstructionTooLargeError, parseDockerfile, shellView } from './parse.js';

const byRun = new WeakMap<RunContext, Map<string, string[]>>();
const noEnv = () => undefined;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/**
 * The program a HEALTHCHECK's command runs first, as a path: the exec form's first string, or the
 * shell form's first word (through `sh -c '…'` and `sh script.sh`). Undefined when it cannot be read.
 */
function healthcheckProgram(words: readonly string[]): string | undefined {
  let w = [...words];
  for (let depth = 0; depth < 2; depth++) {
    // `exec /app/hc.sh` in a `sh -c` string runs the script as the shell's own process (hunt18 D1).
    while (w[0] === 'exec' || w[0] === 'command') w = w.slice(1);
    const first = w[0];
    if (first === undefined || first.includes('$')) return undefined;
    if (!SHELLS.has(path.posix.basename(first))) return first;
    const c = w.indexOf('-c');
    if (c === 1 && w[2] !== undefined) {
      w = shellWords(w[2]) ?? [];
      continue;
    }
    const script = w.slice(1).find((x) => !x.startsWith('-'));
    return script === undefined || script.includes('$') ? undefined : script;
  }
  return undefined;
}

/** The words of a shell command's first call, as the shell reads them; undefined when it does not parse. */
function shellWords(command: string): string[] | undefined {
  try {
    const call = parseShell(command).calls[0];
    return call ? call.args.map((a) => resolveWord(a, noEnv).text) : undefined;
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
}

/**
 * The HEALTHCHECKs (`Dockerfile:61`) that run the shell script `scriptAbs`, by its absolute path;
 * empty when none does. A HEALTHCHECK's program path is matched to the run's shell scripts of the
 * same base name (a build context may be the Dockerfile's folder or any one above, up to the
 * run's), the one whose path ends the program's path with the most folders
 * (`/app/server/health_check.sh` is `server/health_check.sh`); a tie names none.
 */
export function healthchecksRunning(run: RunContext, scriptAbs: string): string[] {
  let known = byRun.get(run);
  if (!known) {
    known = new Map();
    byRun.set(run, known);
    const files = run.allFiles();
    for (const abs of files) {
      const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
      if (classify(shown) !== 'dockerfile' || /\.dockerignore$/i.test(abs)) continue;
      const text = run.readText(abs);
      if (text === undefined || !/^\s*HEALTHCHECK\b/im.test(text)) continue;
      let parsed;
      try {
        parsed = parseDockerfile(text);
      } catch (e) {
        if (e instanceof InstructionTooLargeError) continue;
        throw e;
      }
      for (const ins of parsed.instructions) {
        if (ins.keyword !== 'HEALTHCHECK') continue;
        const view = shellView(text, ins.argsStart, ins.end, parsed.escape);
        const cmd = /^\s*(?:--\S+\s+)*CMD\s*/i.exec(view);
        if (!cmd) continue;
        let words: string[] | undefined;
        // The exec form as JSON reads it; anything else (a `[` that is no JSON too) is a shell command.
        const rest = view.slice(cmd[0].length);
        try {
          const v: unknown = JSON.parse(rest);
          if (Array.isArray(v) && v.every((x) => typeof x === 'string')) words = v;
        } catch {
          // Not JSON: Docker runs it with /bin/sh -c.
        }
        words ??= shellWords(rest);
        const program = words && healthcheckProgram(words);
        if (!program) continue;
        const base = path.posix.basename(program);
        const parts = program.split('/').filter((p) => p !== '' && p !== '.');
        // The run's scripts of that name (a build context may be any folder up to the run's, which
        // holds them all).
        const scored = files
          .filter((f) => path.basename(f) === base)
          .map((f) => {
            const own = path.relative(run.cwd, f).split(path.sep);
            let n = 0;
            while (n < own.length && n < parts.length && own[own.length - 1 - n] === parts[parts.length - 1 - n]) n++;
            return { f, n };
          });
        const best = Math.max(0, ...scored.map((s) => s.n));
        const chosen = scored.filter((s) => s.n === best && best > 0);
        if (chosen.length !== 1) continue;
        const where = `${shown}:${parsed.lines.position(ins.start).line}`;
        known.set(chosen[0]!.f, [...(known.get(chosen[0]!.f) ?? []), where]);
      }
    }
  }
  return known.get(scriptAbs) ?? [];
}

/** The check a rewritten Dockerfile must pass before it is written. */
import { checkShell, ShellParseError } from '../analysis/shell.js';
import { heredocScript, parseDockerfile, runBodyStart, runForm, shellView } from './parse.js';

const NEEDS_ARGUMENTS = new Set(['RUN', 'COPY', 'ADD', 'FROM', 'USER', 'ENV', 'ARG', 'WORKDIR']);

/** Why a Dockerfile's text is broken (an instruction left empty, a RUN that is not valid shell), or undefined. */
export function dockerfileError(text: string): string | undefined {
  const parsed = parseDockerfile(text);
  // A SHELL instruction means RUN bodies are for another shell (PowerShell, cmd): not ours to judge.
  const posix = !parsed.instructions.some((i) => i.keyword === 'SHELL');
  for (const ins of parsed.instructions) {
    const line = parsed.lines.position(ins.start).line;
    if (NEEDS_ARGUMENTS.has(ins.keyword) && text.slice(ins.argsStart, ins.end).trim() === '') return `${ins.keyword} without arguments on line ${line}`;
    if (ins.keyword !== 'RUN' || !posix) continue;
    const form = runForm(ins, text, parsed.escape);
    const script = form === 'heredoc' ? heredocScript(text, ins, parsed.lines) : undefined;
    if (form === 'exec' || typeof script === 'string') continue;
    try {
      checkShell(script ? text.slice(script.start, script.end) : shellView(text, runBodyStart(text, ins, parsed.lines), ins.end, parsed.escape));
    } catch (e) {
      if (e instanceof ShellParseError) return `RUN on line ${line} is not valid shell: ${e.message}`;
      throw e;
    }
  }
  return undefined;
}

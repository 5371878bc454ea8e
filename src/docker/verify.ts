/** The check a rewritten Dockerfile must pass before it is written. */
import { checkShell, ShellParseError, shellErrorAt, ShellTooLargeError } from '../analysis/shell.js';
import { heredocScript, InstructionTooLargeError, nonPosixShell, parseDockerfile, runForm, runScriptView, type ParsedDockerfile } from './parse.js';

const NEEDS_ARGUMENTS = new Set(['RUN', 'COPY', 'ADD', 'FROM', 'USER', 'ENV', 'ARG', 'WORKDIR']);

/** Why a Dockerfile's text is broken (an instruction left empty, a RUN that is not valid shell), or undefined. */
export function dockerfileError(text: string): string | undefined {
  let parsed: ParsedDockerfile;
  try {
    parsed = parseDockerfile(text);
  } catch (e) {
    if (!(e instanceof InstructionTooLargeError)) throw e;
    return `${e.message}, so the rewrite cannot be checked`;
  }
  // A SHELL instruction means RUN bodies are for another shell (PowerShell, cmd): not ours to
  // judge; nor is a RUN on a Windows base image, whose shell is cmd without any SHELL.
  const posix = !parsed.instructions.some((i) => i.keyword === 'SHELL');
  for (const ins of parsed.instructions) {
    const line = parsed.lines.position(ins.start).line;
    if (NEEDS_ARGUMENTS.has(ins.keyword) && text.slice(ins.argsStart, ins.end).trim() === '') return `${ins.keyword} without arguments on line ${line}`;
    if (ins.keyword !== 'RUN' || !posix || nonPosixShell(parsed, ins)) continue;
    const form = runForm(ins, text, parsed.escape);
    const script = form === 'heredoc' ? heredocScript(text, ins, parsed.lines) : undefined;
    if (form === 'exec' || typeof script === 'string') continue;
    // The script as the rules read it (a here-document, or the lines joined at their
    // continuations), with the file offset of each of its characters.
    const view = runScriptView(text, ins, parsed, script);
    try {
      checkShell(view.text);
    } catch (e) {
      if (e instanceof ShellTooLargeError) return `RUN on line ${line} is ${e.message}, so the rewrite cannot be checked`;
      if (!(e instanceof ShellParseError)) throw e;
      // The parser counts lines and columns in the script it read: said as the file's.
      const { offset, reason } = shellErrorAt(view.text, e.message);
      if (offset === undefined) return `RUN on line ${line} is not valid shell: ${reason}`;
      const at = parsed.lines.position(view.at(offset));
      return `RUN on line ${line} is not valid shell (line ${at.line}, column ${at.column}): ${reason}`;
    }
  }
  return undefined;
}

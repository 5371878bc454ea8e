import type { FileResult } from '../types.js';
import { redactRpcHeaders } from './redact.js';

/** A unified diff of every changed file, as `git apply` and reviewers read it. */
export async function formatDiff(files: readonly FileResult[]): Promise<string> {
  const changed = files.filter((f) => f.changed);
  if (changed.length === 0) return '';
  // Loaded only when a diff is asked for.
  const { createTwoFilesPatch } = await import('diff');
  return changed
    .map((f) => {
      const name = f.file.displayPath;
      // Masked in the whole texts before diffing, not in the hunks: a value on the line after its
      // flag (a block list, a `\` continuation) is still known as one when the hunk starts below the flag.
      return createTwoFilesPatch(`a/${name}`, `b/${name}`, redactRpcHeaders(f.file.text), redactRpcHeaders(f.output), undefined, undefined, { context: 3 })
        .split('\n')
        .slice(1) // drop the "=====" banner line
        .join('\n');
    })
    .join('');
}

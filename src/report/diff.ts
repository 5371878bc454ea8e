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
      const lines = createTwoFilesPatch(`a/${name}`, `b/${name}`, redactRpcHeaders(f.file.text), redactRpcHeaders(f.output), undefined, undefined, { context: 3 })
        .split('\n')
        .slice(1); // drop the "=====" banner line
      // GNU patch ends a name at its first blank unless a tab ends it: git ends a name holding a
      // space with one (`--- a/my app/a b.yaml\t`); jsdiff writes the tab only before a header.
      for (const i of [0, 1]) if (lines[i]!.includes(' ', 4)) lines[i] += '\t';
      return lines.join('\n');
    })
    .join('');
}

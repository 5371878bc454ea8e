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
      const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, f.file.text, f.output, undefined, undefined, { context: 3 })
        .split('\n')
        .slice(1) // drop the "=====" banner line
        .join('\n');
      return redactRpcHeaders(patch);
    })
    .join('');
}

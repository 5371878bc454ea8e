/** The run's files as a set, built once per run (a Set of 20,000 paths costs milliseconds: not per file). */
import type { RunContext } from './types.js';

const filesByRun = new WeakMap<RunContext, Set<string>>();

/** The run's files (RunContext.allFiles) as a set: whether a patch, values file or script is among them. */
export function filesOfRun(run: RunContext): ReadonlySet<string> {
  let files = filesByRun.get(run);
  if (!files) filesByRun.set(run, (files = new Set(run.allFiles())));
  return files;
}

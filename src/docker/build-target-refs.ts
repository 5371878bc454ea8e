/**
 * Where the repository may build a Dockerfile stage as an image of its own, by the stage's name:
 * `docker build --target probe` (buildx, podman, buildah) in a script, a Makefile or a CI step,
 * `target: probe` (a compose service's or a Skaffold artifact's build, a workflow's
 * docker/build-push-action), `target = "probe"` (a bake file), `"target": "probe"` (JSON).
 * A stage named so stays a use of its own: removing it whole would break that build ("target
 * stage could not be found"), and one the fix leaves is not unused. Any file may hold such a
 * build (its format aside), so every one is searched as text, and a match is taken as a build
 * even where it is not one (another Dockerfile's stage of that name, a cargo `--target`): the
 * safe side, which keeps a stage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_FILE_BYTES } from '../engine.js';
import { filesMayHold } from '../discover/grep.js';
import { escapeRegExp } from '../text/regexp.js';
import { LineIndex } from '../text/lines.js';
import type { RunContext } from '../types.js';

/**
 * For each of `names` (stage names, any case, as Docker reads them) that a file of the run other
 * than `dockerfile` may build as a target: where, as `path:line`. Only asked when the fix would
 * remove a stage whole or leave one nothing uses, so the read of the repository it may cost (one
 * `git grep` in a checkout narrows it to the files that name a stage at all) is not on a probe's path.
 */
export function stageTargetRefs(run: RunContext, dockerfile: string, names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const wanted = [...new Set(names.map((n) => n.toLowerCase()))].filter((n) => n.length > 0);
  if (wanted.length === 0) return out;
  const alternatives = wanted.map(escapeRegExp).join('|');
  // Linear: each alternative reads the blanks after one `target` once.
  const re = new RegExp(String.raw`\btarget["']?(?:[ \t]*[:=][ \t]*|[ \t]+|[ \t]*\\\r?\n[ \t]*)["']?(${alternatives})(?![\w.-])`, 'gi');
  const files = run.allFiles().filter((f) => f !== dockerfile);
  const may = filesMayHold(run, files, `(?i)${alternatives}`) ?? files;
  for (const abs of may) {
    let size: number;
    try {
      size = fs.statSync(abs).size;
    } catch {
      continue;
    }
    if (size > MAX_FILE_BYTES) continue;
    const text = run.readText(abs);
    if (text === undefined || text.includes('\0')) continue;
    let lines: LineIndex | undefined;
    for (const m of text.matchAll(re)) {
      const name = m[1]!.toLowerCase();
      if (out.has(name)) continue;
      lines ??= new LineIndex(text);
      const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
      out.set(name, `${shown}:${lines.position(m.index!).line}`);
    }
    if (out.size === wanted.length) break;
  }
  return out;
}

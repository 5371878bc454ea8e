/**
 * Whether a rewrite of a Dockerfile keeps every stage reference naming the stage it named: a
 * stage removed whole renumbers those after it, so a `COPY --from=2` (an index) that the rewrite
 * leaves as it was names another stage, or its own (hunt22 E1), and a name whose stage went names
 * an image. Checked on the edits of a run's fixes, whichever of them are applied together.
 */
import { applyEdits } from '../edits/apply.js';
import type { Edit } from '../types.js';
import { InstructionTooLargeError, parseDockerfile, referencedStages, writtenSources, type DockerInstruction, type ParsedDockerfile } from './parse.js';

/**
 * Why `edits` would make a stage reference of `text` that stays name another stage (said with the
 * original's line), or undefined. A reference the rewrite changes or takes out is compared where
 * its text still starts at the same place of the original; one that may name any stage (a
 * variable) is not compared.
 */
export function stageReferenceChange(text: string, edits: readonly Edit[]): string | undefined {
  if (edits.length === 0 || !/\bFROM\b[\s\S]*\bFROM\b/i.test(text)) return undefined;
  let before: ParsedDockerfile;
  let after: ParsedDockerfile;
  try {
    before = parseDockerfile(text);
    after = parseDockerfile(applyEdits(text, [{ owner: null, edits }]).text);
  } catch (e) {
    if (e instanceof InstructionTooLargeError) return undefined;
    throw e;
  }
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  // The original offset of a rewritten text's offset outside the edits' new text.
  const original = (at: number): number => {
    let shift = 0;
    for (const e of sorted) {
      const start = e.start + shift;
      if (at < start) break;
      if (at < start + e.text.length) return -1;
      shift += e.text.length - (e.end - e.start);
    }
    return at - shift;
  };
  const byStart = new Map(before.instructions.map((i) => [i.start, i]));
  const stageOf = (parsed: ParsedDockerfile, k: number) => parsed.instructions.find((i) => i.keyword === 'FROM' && i.stage === k);
  // A stage of the rewrite as the original's stage index (its FROM starts at the same place).
  const originalStage = (k: number): number | undefined => {
    const from = stageOf(after, k);
    return from ? byStart.get(original(from.start))?.stage : undefined;
  };
  for (const ins of after.instructions) {
    const was: DockerInstruction | undefined = byStart.get(original(ins.start));
    if (!was || was.keyword !== ins.keyword) continue;
    const old = writtenSources(was, before.lines);
    for (const src of writtenSources(ins, after.lines)) {
      const now = referencedStages(after, ins, src);
      if (now === 'any') continue;
      // The same reference in the original: where its text started, or, for one an edit wrote
      // (a renumbered index), the instruction's one reference of that kind.
      const mapped = original(src.start);
      const kind = old.filter((o) => o.via === src.via);
      const same = mapped !== -1 ? kind.find((o) => o.start === mapped) : kind.length === 1 ? kind[0] : undefined;
      if (!same) continue;
      const then = referencedStages(before, was, same);
      if (then === 'any') continue;
      const wanted = then.map((k) => stageOf(before, k)!.start);
      const got = now.map((k) => originalStage(k)).map((k) => (k === undefined ? -1 : stageOf(before, k)!.start));
      if (wanted.length === got.length && wanted.every((w, i) => w === got[i])) continue;
      const line = before.lines.position(was.start).line;
      const label = (starts: number[]) => (starts.length === 0 ? 'no stage' : starts.map((s) => (s === -1 ? 'a new stage' : stageLabel(before, byStart.get(s)!))).join(', '));
      const written = src.via === 'image' ? `FROM ${src.ref}` : src.via === 'flag' ? `--from=${src.ref}` : `from=${src.ref}`;
      return `${was.keyword} on line ${line}: ${written} would name ${label(got)} instead of ${label(wanted)}`;
    }
  }
  return undefined;
}

/** `stage 2 ("tools", line 5)`. */
function stageLabel(parsed: ParsedDockerfile, from: DockerInstruction): string {
  const name = (from.node as unknown as { getBuildStage(): string | null }).getBuildStage();
  return `stage ${from.stage} (${name ? `"${name}", ` : ''}line ${parsed.lines.position(from.start).line})`;
}

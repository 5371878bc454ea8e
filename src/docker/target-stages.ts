/**
 * The stages an image built with a target (`docker build --target server`, a compose service's
 * `build.target`) contains: the target stage and, transitively, the stages it builds FROM or
 * copies from (`COPY --from=builder`, `RUN --mount=from=builder`). BuildKit builds only those; an
 * install in another stage is not in that image.
 */
import type { From } from 'dockerfile-ast';
import { mentionsBinary } from '../analysis/binary.js';
import { copyArguments, sourcesOf, stageNamed, withGlobalArgs, type DockerInstruction, type ParsedDockerfile } from './parse.js';

/**
 * The indexes of the stages the target's image is built from, or undefined when the tool cannot
 * say (no stage or several of that name, a reference it cannot read): then the whole Dockerfile.
 */
export function targetStages(parsed: ParsedDockerfile, target: string, follows?: (ins: DockerInstruction) => boolean): Set<number> | undefined {
  const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const wanted = target.toLowerCase();
  const named = froms.filter((f) => ((f.node as From).getBuildStage() ?? '').toLowerCase() === wanted);
  if (named.length !== 1) return undefined;
  const out = new Set<number>();
  const queue = [named[0]!.stage];
  while (queue.length > 0) {
    const k = queue.pop()!;
    if (out.has(k)) continue;
    out.add(k);
    for (const ins of parsed.instructions) {
      if (ins.stage !== k) continue;
      // An ONBUILD trigger runs in images built FROM this one, which may be anything.
      if (ins.keyword === 'ONBUILD') return undefined;
      // `follows` leaves out what an instruction copies from (a COPY --from of files that are not the binary).
      if (follows && !follows(ins)) continue;
      for (const src of sourcesOf(ins)) {
        const ref = ins.keyword === 'FROM' ? withGlobalArgs(parsed, src.ref) : src.ref;
        if (ref.includes('$')) return undefined;
        if (/^\d+$/.test(ref)) {
          const from = froms[Number(ref)];
          if (!from) return undefined;
          queue.push(from.stage);
          continue;
        }
        const stage = stageNamed(parsed, ref, ins.start);
        if (stage) queue.push(stage.stage);
      }
    }
  }
  return out;
}

const FILE_WITH_EXTENSION = /(^|\/)[^/.][^/]*\.[A-Za-z][A-Za-z0-9]*$/;

/**
 * Whether a `COPY --from=STAGE` may bring the binary from that stage: any instruction else does
 * (a FROM, a RUN --mount). A COPY does not when each source is a file named with an extension
 * (`/app/proto/service.binpb`, `/etc/envoy/envoy.yaml`) that is not the binary's name, with no
 * variable or glob: such a path is no folder that may hold the binary. A path without an
 * extension (`/app/bin/server`, `/app/.venv`) may be a folder that holds it.
 */
export function mayCarryBinary(parsed: ParsedDockerfile, ins: DockerInstruction): boolean {
  if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') return true;
  const sources = copyArguments(parsed, ins).slice(0, -1);
  return sources.length === 0 || sources.some((s) => /[$*?[\\]/.test(s) || mentionsBinary(s) || !FILE_WITH_EXTENSION.test(s));
}

/**
 * The [start, end) of stage `k`'s text: from the end of the instruction before its FROM (the
 * comments above the FROM are the stage's) to the next FROM (or the end).
 */
export function stageSpan(parsed: ParsedDockerfile, k: number): [number, number] | undefined {
  const at = parsed.instructions.findIndex((i) => i.keyword === 'FROM' && i.stage === k);
  if (at === -1) return undefined;
  const next = parsed.instructions.find((i) => i.keyword === 'FROM' && i.stage === k + 1);
  return [at > 0 ? parsed.instructions[at - 1]!.end : 0, next ? next.start : parsed.text.length];
}

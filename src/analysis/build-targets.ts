/**
 * Build targets named after the binary: microservices-demo builds its images without the probe
 * from a stage `AS without-grpc-health-probe-bin` (`docker build --target
 * without-grpc-health-probe-bin`, a Skaffold artifact's `docker.target`). Selecting a stage runs
 * nothing, so such a name is no use of the binary, as long as the fix leaves the stage as it is:
 * a stage the migration may cut (one that fetches the binary) stays a use, the safe side.
 */
import path from 'node:path';
import { mentionOffsets } from './mentions.js';
import { BINARY_NEEDLES } from './binary.js';
import { filesMayHold } from '../discover/grep.js';
import type { Document, ParsedNode } from 'yaml';
import type { Report, RunContext } from '../types.js';

const DOCKERFILE = /^(Dockerfile|Containerfile)([.-].*)?$|\.(Dockerfile|Containerfile)$/i;

const byRun = new WeakMap<RunContext, Map<string, { file: string; free: boolean }[]>>();
const byRepository = new WeakMap<RunContext, Map<string, { file: string; free: boolean }[]>>();

/**
 * Where the repository's Dockerfiles define a stage of this name (case does not matter, as for
 * Docker) that neither it nor the stages it is built FROM name the binary outside stage names:
 * the Dockerfile, as shown; undefined when no Dockerfile of the repository has the stage, or when
 * one has it holding (or building on) something the fix may remove. Synchronous and without the
 * Dockerfile parser (a manifest's rule asks it for a Skaffold `docker.target`): the Dockerfiles
 * are read line by line, and any shape this reading does not know makes the stage a use.
 */
export function binaryFreeStage(run: RunContext, name: string, fromRepository = false): string | undefined {
  const cache = fromRepository ? byRepository : byRun;
  let stages = cache.get(run);
  if (!stages) cache.set(run, (stages = readStages(run, fromRepository)));
  const found = stages.get(name.toLowerCase()) ?? [];
  return found.length > 0 && found.every((s) => s.free) ? found[0]!.file : undefined;
}

/** Where git looks for the Dockerfiles (a superset: `*` crosses folders). */
const DOCKERFILE_PATHSPECS: readonly string[] = [':(icase)*Dockerfile*', ':(icase)*Containerfile*'];

/**
 * The stages named after the binary in the repository's Dockerfiles, by lower-case name. From the
 * run's files, or (`fromRepository`: a caller of a kind the engine waits for git to list,
 * READS_REPOSITORY) the repository's listing, git grep naming those that name the binary: a
 * pre-commit run over skaffold.yaml alone reads the Dockerfile whose stage it builds as the whole
 * run does (hunt9 H9).
 */
function readStages(run: RunContext, fromRepository: boolean): Map<string, { file: string; free: boolean }[]> {
  const out = new Map<string, { file: string; free: boolean }[]>();
  let files = run.allFiles();
  if (fromRepository) {
    const dockerfiles = run.repositoryFiles().filter((abs) => DOCKERFILE.test(path.basename(abs)));
    const may = dockerfiles.length > 0 ? filesMayHold(run, dockerfiles, BINARY_NEEDLES.join('|'), DOCKERFILE_PATHSPECS) : undefined;
    files = may ? [...may] : dockerfiles;
  }
  for (const abs of files) {
    if (!DOCKERFILE.test(path.basename(abs))) continue;
    const text = run.readText(abs);
    if (text === undefined || mentionOffsets(text).length === 0) continue;
    const shown = path.relative(run.cwd, abs).split(path.sep).join('/');
    for (const stage of stagesOf(text)) {
      if (stage.name === undefined || mentionOffsets(stage.name).length === 0) continue;
      const list = out.get(stage.name.toLowerCase()) ?? [];
      list.push({ file: shown, free: stage.free });
      out.set(stage.name.toLowerCase(), list);
    }
  }
  return out;
}

/**
 * A Dockerfile's stages: name, and whether the stage and those it is built FROM (in the file) name
 * the binary nowhere but in stage names (`AS x`, `FROM x`, `--from=x` of an earlier stage). A
 * parser directive (`# escape=`) makes every stage "not free".
 */
export function stagesOf(text: string): { name?: string; free: boolean }[] {
  const stages: { name?: string; base?: number; touched: boolean }[] = [];
  const directive = /^#\s*escape\s*=/im.test(text.split('\n').slice(0, 5).join('\n'));
  // Logical lines: comment lines dropped, `\` continuations joined (the default escape character).
  const logical: string[] = [];
  let cur = '';
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*#/.test(line)) continue;
    const cont = /\\\s*$/.test(line);
    cur += (cur ? ' ' : '') + (cont ? line.replace(/\\\s*$/, '') : line);
    if (!cont) {
      if (cur.trim()) logical.push(cur.trim());
      cur = '';
    }
  }
  if (cur.trim()) logical.push(cur.trim());
  const stageIndex = (word: string): number | undefined => {
    const w = word.toLowerCase();
    for (let k = stages.length - 1; k >= 0; k--) if (stages[k]!.name?.toLowerCase() === w) return k;
    return undefined;
  };
  for (const ins of logical) {
    const words = ins.split(/\s+/);
    if (words[0]!.toUpperCase() === 'FROM') {
      let k = 1;
      while (words[k]?.startsWith('--')) k++;
      const image = words[k] ?? '';
      const name = words[k + 1]?.toUpperCase() === 'AS' ? words[k + 2] : undefined;
      const base = stageIndex(image);
      // Flags (`--platform=…`) and an image that is no earlier stage may name the binary: a use.
      const touched = words.slice(1, k).some((w) => mentionOffsets(w).length > 0) || (base === undefined && mentionOffsets(image).length > 0) || words.length > k + 3;
      stages.push({ ...(name !== undefined ? { name } : {}), ...(base !== undefined ? { base } : {}), touched });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) continue;
    for (const w of words) {
      if (mentionOffsets(w).length === 0) continue;
      const from = /^--from=(.+)$/i.exec(w);
      if (!from || stageIndex(from[1]!) === undefined) stage.touched = true;
    }
  }
  const free = (k: number): boolean => {
    for (let at: number | undefined = k, hops = 0; at !== undefined && hops <= stages.length; hops++) {
      if (stages[at]!.touched) return false;
      at = stages[at]!.base;
    }
    return true;
  };
  return stages.map((s, k) => ({ ...(s.name !== undefined ? { name: s.name } : {}), free: !directive && free(k) }));
}

const BUILD_TARGET_HINT =
  'A build target is a stage\'s name: building it runs nothing, and this stage holds no grpc_health_probe, so the fix leaves it as it is. Rename the stage once the migration has landed if you like.';

/**
 * What a build target named after the binary is (`by`: how it is selected, `--target`,
 * `docker.target`), when it is a stage of the repository the fix leaves as it is; undefined
 * otherwise (a use, as before).
 */
export function buildTargetUse(run: RunContext, target: string, by: string, fromRepository = false): { message: string; hint: string } | undefined {
  const file = binaryFreeStage(run, target, fromRepository);
  if (file === undefined) return undefined;
  return { message: `the build target ${target} (${by}), a stage of ${file} that holds no grpc_health_probe; building it runs nothing and keeps no install`, hint: BUILD_TARGET_HINT };
}

/** A Skaffold artifact's `docker.target`, or a profile's JSON patch value setting it (`value: {target: …}`). */
const SKAFFOLD_TARGET = /(?:^|\.)docker\.target$|^profiles\[\d+\]\.patches\[\d+\]\.value\.target$/;

/**
 * A Skaffold config's build target named after the binary (`docker: {target:
 * without-grpc-health-probe-bin}`), which the manifest rule reads as "named outside a probe":
 * info that keeps nothing when the stage is one the fix leaves as it is.
 */
export function relabelSkaffoldTargets(reports: readonly Report[], docs: readonly Document.Parsed<ParsedNode, true>[], text: string, run: RunContext, fromRepository = false): Report[] {
  if (!reports.some((r) => r.blockers?.includes('not-a-probe'))) return [...reports];
  return reports.map((r) => {
    const details = r.details as { document?: number; path?: string; buildTarget?: string } | undefined;
    // A CI script's `docker build --target …` (a workflow step's run:, a GitLab job's script).
    if (r.blockers?.includes('not-a-probe') && details?.buildTarget !== undefined) {
      const target = buildTargetUse(run, details.buildTarget, '--target', fromRepository);
      if (!target) return r;
      const { blockers: _, ...rest } = r;
      return { ...rest, info: true, keepsBinary: false, message: `a CI script names grpc_health_probe only in ${target.message} (at ${details.path ?? ''})`, hint: target.hint };
    }
    if (!r.blockers?.includes('not-a-probe') || !details?.path || !SKAFFOLD_TARGET.test(details.path)) return r;
    const api = docs[(details.document ?? 1) - 1]?.get('apiVersion');
    if (typeof api !== 'string' || !api.startsWith('skaffold/')) return r;
    const value = text.slice(r.start, r.end).trim().replace(/^(['"])(.*)\1$/, '$2');
    const target = /^[\w.-]+$/.test(value) ? buildTargetUse(run, value, `Skaffold's docker.target`, fromRepository) : undefined;
    if (!target) return r;
    const { blockers: _, ...rest } = r;
    return { ...rest, info: true, keepsBinary: false, message: `a Skaffold config names grpc_health_probe only in ${target.message}`, hint: target.hint };
  });
}

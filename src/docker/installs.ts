/**
 * Where a Dockerfile installs grpc_health_probe, and the text edits that take it out again: RUN
 * segments (download, chmod, checksum...) cut out of their `&&` chain, ADD/COPY of the binary, a
 * stage that only fetches it, and the leftovers (version ARG/ENV, USER root around the download).
 */
import type { Copy, Flag, JSONInstruction, Property, PropertyInstruction } from 'dockerfile-ast';
import { isBinaryPath, isScriptNamedAfterBinary, mentionsBinary, SCRIPT_EXTENSION } from '../analysis/binary.js';
import { callArgs, parseShell, resolveWord, ShellParseError, shellErrorAt, ShellTooLargeError, type ShCall, type ShStmt } from '../analysis/shell.js';
import { heredocReadOnlyBy } from '../analysis/heredoc-manifest.js';
import type { Edit } from '../types.js';
import { lineStartOf } from '../text/lines.js';
import {
  execFormStrings,
  expandWord,
  heredocScript,
  InstructionTooLargeError,
  joinedView,
  nonPosixShell,
  nextLineStart,
  parseDockerfile,
  parseScriptAt,
  writtenSources,
  referencedStages,
  isStageIndex,
  stageNamed,
  baseImageOf,
  withGlobalArgs,
  parseRunBody,
  runBodyStart,
  runForm,
  runScriptView,
  unparsedDockerfile,
  type DockerInstruction,
  type ParsedDockerfile,
  type Segment,
} from './parse.js';
import { escapeRegExp } from '../text/regexp.js';
import { stageReferenceChange } from './stage-refs.js';

export interface InstallSite {
  /** Where the finding points. */
  start: number;
  end: number;
  /** "RUN", "ADD", "COPY", "stage" */
  what: string;
  message: string;
  edits: Edit[];
  notes: string[];
  /**
   * The binary's files in the build context this install copies (`bin/grpc_health_probe-linux-amd64`),
   * as written: a file of the repository that nothing else may need once the install goes.
   */
  vendored?: string[];
  /** The names of the build stages its edits remove whole (a build may target one). */
  stages?: string[];
  /**
   * It removes a stage whole in a file whose installs renumber the stages after the removed ones
   * (`COPY --from=2` becomes `--from=1`): one such install applied without the others would leave
   * an index naming another stage, so they go together or not at all.
   */
  renumbers?: true;
}

/**
 * A build stage the fix leaves that nothing uses any more: what copied from it, built FROM it or
 * mounted it goes, but the stage holds more than the tool removes (a Go toolchain download beside
 * a `go install` of the binary). Said, not cut (hunt21 D3).
 */
export interface LeftStage {
  /** Its FROM. */
  start: number;
  end: number;
  name?: string;
  image: string;
  /** The instructions that used it, all of which go: keyword and line. */
  usedBy: { keyword: string; line: number }[];
  /** Its instructions that stay and are not ARG/ENV/WORKDIR/USER/LABEL/SHELL/MAINTAINER: keyword and line. */
  busy: { keyword: string; line: number }[];
  /** Comment lines in it that stay and name the probe, as [first, last] line ranges. */
  comments: [number, number][];
}

export interface DockerProblem {
  start: number;
  end: number;
  message: string;
  /** It runs in the images built FROM this one (an ONBUILD trigger), not in this image. */
  inChildren?: true;
  /** A RUN with here-documents the tool does not read as its script: where its command starts. */
  heredocRun?: number;
  /** Where that command ends, when not at the problem's end (the script of `RUN <<EOF`). */
  heredocRunEnd?: number;
  /** An error rather than a blocker (the tool did not read the RUN at all), with what to do about it. */
  error?: true;
  hint?: string;
  /**
   * What the tool cannot read runs only in this Dockerfile's build (a PowerShell RUN): it keeps
   * this file's installs, not every image's.
   */
  ownImage?: true;
}

/** A RUN in PowerShell or cmd that names the binary. */
export const WINDOWS_RUN_HINT =
  'The tool reads RUN scripts as POSIX shell only, so this Dockerfile keeps its installs of the binary. Migrate it by hand: remove the grpc_health_probe download (and its version ARG) once nothing runs the binary in this image. Other Dockerfiles are decided without it.';

/** An exec-form RUN (a JSON array) that names the binary. */
export const EXEC_RUN_HINT =
  'The tool does not read an exec-form RUN (its program gets the arguments as they are, with no shell the tool parses), so this Dockerfile keeps its installs of the binary. Migrate it by hand: remove the grpc_health_probe download (and its version ARG) once nothing runs the binary in this image; or, under a POSIX shell, write the RUN in shell form and run the tool again. Other Dockerfiles are decided without it.';

/** `RUN <<EOF` in a Dockerfile with a SHELL instruction. */
export const SHELL_HEREDOC_HINT =
  'With a SHELL instruction in the file, the tool does not read a RUN <<EOF script (what runs it depends on that SHELL), so this Dockerfile keeps its installs of the binary. Migrate it by hand: remove the grpc_health_probe download once nothing runs the binary in this image; or write the commands as a shell-form RUN and run the tool again.';

/** What to do about a RUN over the shell parser's size cap that names the binary. */
export const LARGE_RUN_HINT =
  'The tool does not parse a RUN this large, so it cannot tell what it does with grpc_health_probe; every install of the binary stays. Migrate its uses by hand, or split it into smaller RUN instructions (or a script file COPY-ed in), then run the tool again.';

export interface DockerAnalysis {
  parsed: ParsedDockerfile;
  installs: InstallSite[];
  /** Uses of the binary the tool cannot read or cannot remove safely: the file is left alone. */
  problems: DockerProblem[];
  /**
   * Paths the installs put the binary at under another name (`ADD …/grpc_health_probe-linux-amd64
   * /bin/healthcheck`): a use elsewhere names that path, not the binary.
   */
  renamed: string[];
  /**
   * COPYs of build-context scripts named after the binary (`COPY scripts/grpc_health_probe.sh
   * /usr/local/bin/healthcheck.sh`), with those sources: not installs, and left as they are.
   */
  namedScripts: { ins: DockerInstruction; sources: string[] }[];
  /** Mentions of the binary in here-documents only kubectl delete/get/describe/wait/diff reads: nothing of them runs. */
  readOnlyHeredocs?: ReadOnlyHeredoc[];
  /** Build stages that nothing uses once every install goes (LeftStage). */
  leftStages?: LeftStage[];
}

/** A mention of the binary in a RUN's here-document that a read-only kubectl command reads (`kubectl delete`). */
export interface ReadOnlyHeredoc {
  start: number;
  end: number;
  /** `kubectl delete` */
  by: string;
}

/**
 * The mentions of a RUN (`kubectl delete -f - <<EOF`, the here-document after the command, which
 * BuildKit hands to the shell with it) when each one is in a here-document that only a read-only
 * kubectl command reads (heredocReadOnlyBy), and the rest of the RUN names neither the binary
 * nor a path the file installs it at; undefined otherwise (not shell the tool parses, another
 * escape character than `\`, a use of the binary outside such a document).
 */
function readOnlyHeredocRun(text: string, from: number, end: number, escape: string, mentions: (s: string) => boolean): ReadOnlyHeredoc[] | undefined {
  if (escape !== '\\') return undefined;
  const body = text.slice(from, end);
  let script;
  try {
    script = parseShell(body);
  } catch (e) {
    if (e instanceof ShellParseError || e instanceof ShellTooLargeError) return undefined;
    throw e;
  }
  const none = () => undefined;
  const out: ReadOnlyHeredoc[] = [];
  let rest = body;
  for (const h of script.heredocs) {
    const doc = body.slice(h.start, h.end);
    if (!mentions(doc)) continue;
    const by = heredocReadOnlyBy(h, (w) => resolveWord(w, none).text);
    if (!by) return undefined;
    rest = rest.slice(0, h.start) + ' '.repeat(h.end - h.start) + rest.slice(h.end);
    for (let at = doc.search(/grpc[_-]health[_-]probe/); at >= 0; ) {
      out.push({ start: from + h.start + at, end: from + h.start + at + 'grpc_health_probe'.length, by });
      const next = doc.slice(at + 1).search(/grpc[_-]health[_-]probe/);
      at = next < 0 ? -1 : at + 1 + next;
    }
  }
  if (out.length === 0 || mentions(rest) || mentions(rest.replace(/\\\r?\n/g, ''))) return undefined;
  return out;
}

interface Range {
  start: number;
  end: number;
}

/** Commands that may appear in an install step; anything else that touches the binary is a use. */
const INSTALL_COMMANDS = new Set([
  'wget', 'curl', 'chmod', 'chown', 'chgrp', 'install', 'mv', 'cp', 'ln', 'rm', 'sha256sum', 'sha512sum', 'shasum',
  'md5sum', 'echo', 'printf', 'go', 'tar', 'gunzip', 'gzip', 'unzip', 'upx', 'strip', 'file', 'ls', 'test', '[',
  'true', 'false', 'exit', 'mkdir', 'git',
]);
/** Commands allowed in a segment that only sets a variable (a `case` per architecture). */
/** Commands a block around an install may hold without naming the binary (tests, exits). */
/** The machine's architecture is read with isArchQuery (`uname -m`, `dpkg --print-architecture`), not by a command's name alone. */
const COMPOUND_GUARDS = new Set(['[', 'test', 'true', 'false', 'exit', 'set']);
const ASSIGN_HELPERS = new Set(['echo', 'printf', 'exit', 'false', 'true']);
/** What a retry loop around the download adds (`for i in $(seq 1 50); do wget … && break; sleep 5; done`). */
const RETRY_STEPS = new Set(['break', 'continue', 'sleep', 'seq']);
const DOWNLOADERS = ['wget', 'curl'];
/** Arguments with which running the binary only checks it was installed. */
const VERSION_CHECK_ARGS = new Set(['-version', '--version', '-h', '-help', '--help']);
const PROBE_WORDS = /grpc[_ -]?health[_ -]?(check[_ -]?)?probe|health[ _-]?(check[ _-]?)?probe/i;
const NEUTRAL_IN_STAGE = new Set(['ARG', 'ENV', 'WORKDIR', 'USER', 'LABEL', 'SHELL', 'MAINTAINER']);

interface RunPlan {
  ins: DockerInstruction;
  segments: Segment[];
  removed: boolean[];
  /** Commands run by the removed segments. */
  commands: Set<string>;
}

interface Planned {
  site: Site;
  ranges: Range[];
}

interface Site {
  ins: DockerInstruction;
  what: string;
  message: string;
  /** Ranges to delete; `whole` when the instruction goes entirely. */
  ranges: Range[];
  whole: boolean;
  run?: RunPlan;
  /** The `from=` of the probe mounts a RUN that stays loses (probeMounts), lowercased. */
  droppedMounts?: string[];
  /** Sources of a COPY/ADD from the build context that are the binary, as written. */
  vendored?: string[];
  /** The names of the stages its edits remove whole (its own, for a stage). */
  stages?: string[];
}

/** What to do about a Dockerfile with an instruction over the parser's size cap (INSTRUCTION_MAX_CHARS). */
export const LARGE_INSTRUCTION_HINT =
  'The tool does not read a Dockerfile with an instruction this large, so it cannot tell what the file does with grpc_health_probe; the file was left as it is, with every install of the binary. Split the instruction (a long RUN into smaller ones, or a script file COPY-ed in), or migrate the file by hand, then run the tool again.';

/** Reads a Dockerfile and plans the removal of every install of the binary. */
export function analyzeDockerfile(text: string): DockerAnalysis {
  let parsed: ParsedDockerfile;
  try {
    parsed = parseDockerfile(text);
  } catch (e) {
    if (!(e instanceof InstructionTooLargeError)) throw e;
    // Not parsed at all: nothing of it is read, so nothing in it is changed.
    return {
      parsed: unparsedDockerfile(text),
      installs: [],
      problems: [{ start: e.start, end: e.end, error: true, hint: LARGE_INSTRUCTION_HINT, message: `${e.message}; the file was not read and was left unchanged` }],
      namedScripts: [],
      renamed: [],
    };
  }
  const problems: DockerProblem[] = [];
  const sites: Site[] = [];
  const tracked = new Set<string>();
  const namedScripts: DockerAnalysis['namedScripts'] = [];
  const readOnlyHeredocs: ReadOnlyHeredoc[] = [];
  const mentions = (s: string) => mentionsBinary(s) || [...tracked].some((p) => containsPath(s, p));
  const probeStages = new Set<string>();
  const stageFroms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const lastStage = stageFroms.length - 1;

  for (const ins of parsed.instructions) {
    const body = text.slice(ins.argsStart, ins.end);
    if (ins.keyword === 'FROM') {
      const from = ins.node as unknown as { getImage(): string | null; getBuildStage(): string | null };
      if (mentionsBinary(baseImageOf(parsed, ins))) {
        const name = from.getBuildStage();
        probeStages.add(String(ins.stage));
        if (name) probeStages.add(name.toLowerCase());
      }
      continue;
    }
    if (ins.keyword === 'RUN') {
      // A name cut by a continuation (`grpc_health\` then `_probe`) is whole as the shell reads it.
      if (!mentions(body) && !mentions(joinedView(text, ins.argsStart, ins.end, parsed.escape).text)) continue;
      const form = runForm(ins, text, parsed.escape);
      // PowerShell or cmd (a SHELL instruction, a Windows base image): the tool reads no such
      // script. The RUN runs in this image's build alone, so it keeps this file's installs only.
      const windows = form === 'exec' ? undefined : nonPosixShell(parsed, ins);
      if (windows) {
        problems.push({
          start: ins.start,
          end: ins.end,
          ownImage: true,
          message: `RUN names grpc_health_probe in a ${windows === 'cmd' ? 'cmd' : 'PowerShell'} script (a Windows shell, not POSIX sh), which the tool does not read; the file was left unchanged`,
          hint: WINDOWS_RUN_HINT,
        });
        continue;
      }
      // A here-document is read as a script when the shell runs it (BuildKit: `RUN <<EOT` alone).
      const script = form === 'heredoc' ? heredocScript(text, ins, parsed.lines) : undefined;
      const refused =
        form === 'exec' ? 'exec form'
        : form === 'heredoc' && parsed.instructions.some((i) => i.keyword === 'SHELL') ? 'a here-document, with a SHELL instruction in the file'
        : typeof script === 'string' ? script
        : undefined;
      // `RUN kubectl delete -f - <<EOF` with a manifest whose probe names the binary: kubectl
      // reads the objects' kinds and names and creates nothing, so no probe of it runs (as in a
      // shell script). Said, and nothing kept, when every mention is in such a document.
      // So too in the script of `RUN <<EOF` (a here-document of its own, which no escape character touches).
      if (form === 'heredoc' && ((typeof script === 'string' && refused === script) || (typeof script === 'object' && !refused))) {
        const readOnly =
          typeof script === 'object' ? readOnlyHeredocRun(text, script.start, script.end, '\\', mentions) : readOnlyHeredocRun(text, runBodyStart(text, ins, parsed.lines), ins.end, parsed.escape, mentions);
        if (readOnly) {
          readOnlyHeredocs.push(...readOnly);
          continue;
        }
      }
      if (refused) {
        // The program an exec-form RUN starts (`powershell`, `/bin/sh`), named in the message.
        const argv = form === 'exec' ? execFormStrings(text, text.indexOf('[', runBodyStart(text, ins, parsed.lines)), ins.end, parsed.escape) : undefined;
        const program = argv?.[0]?.value;
        problems.push({
          start: ins.start,
          end: ins.end,
          message:
            form === 'exec'
              ? `RUN (exec form${program ? `, running ${program}` : ''}) uses grpc_health_probe; the tool reads only shell-form RUN commands, so the file was left unchanged`
              : `RUN (${refused}) uses grpc_health_probe in a form the tool does not rewrite; the file was left unchanged`,
          ...(form === 'exec' ? { hint: EXEC_RUN_HINT } : refused === script ? {} : form === 'heredoc' ? { hint: SHELL_HEREDOC_HINT } : {}),
          ...(form === 'heredoc' ? { heredocRun: runBodyStart(text, ins, parsed.lines) } : {}),
        });
        continue;
      }
      const site = runSite(text, parsed, ins, mentions, tracked, problems, probeStages);
      if (site) sites.push(site);
      continue;
    }
    if (ins.keyword === 'ONBUILD' && mentions(body)) {
      problems.push({ start: ins.start, end: ins.end, message: 'ONBUILD uses grpc_health_probe in images built FROM this one; the file was left unchanged', inChildren: true });
      continue;
    }
    if (ins.keyword === 'ADD' || ins.keyword === 'COPY') {
      // `COPY <<EOT /usr/local/bin/ready.sh`: a file written from a here-document that names the
      // binary is a script that runs it, not a copy of it.
      if (((ins.node as unknown as { getHeredocs?: () => unknown[] }).getHeredocs?.().length ?? 0) > 0) {
        if (mentions(body)) problems.push({ start: ins.start, end: ins.end, message: `${ins.keyword} writes a file from a here-document that names grpc_health_probe (a script that runs it); the file was left unchanged` });
        continue;
      }
      const site = copySite(text, parsed, ins, mentions, probeStages, tracked, namedScripts, problems);
      if (site) sites.push(site);
    }
  }

  const removedIns = new Set(sites.filter((s) => s.whole).map((s) => s.ins));
  const droppedMounts = new Map(sites.filter((s) => s.droppedMounts).map((s) => [s.ins, new Set(s.droppedMounts)]));
  const cleanup = new Map<Site | undefined, Range[]>();
  const addCleanup = (owner: Site | undefined, r: Range) => cleanup.set(owner, [...(cleanup.get(owner) ?? []), r]);

  // A stage that only fetched the binary goes with it, unless something still copies from it.
  // A RUN left with only the package steps the download needed (`apt-get update && apt-get
  // install -y curl && rm -rf /var/lib/apt/lists/*`) serves nothing in such a stage either.
  const toolsOnly = new Set(sites.filter(leavesOnlyFetchTools).map((s) => s.ins));
  const stageSites: Site[] = [];
  const stageNotes = new Map<Site, string[]>();
  // The site whose edits remove each stage removed whole, by index.
  const stageOwners = new Map<number, Site>();
  // Later stages first: one that goes whole may have been all that was built FROM an earlier one.
  for (const from of [...stageFroms].reverse()) {
    if (from.stage === lastStage) continue;
    const inStage = parsed.instructions.filter((i) => i.stage === from.stage && i !== from);
    const name = (from.node as unknown as { getBuildStage(): string | null }).getBuildStage();
    const fetches = probeStages.has(String(from.stage)) || inStage.some((i) => removedIns.has(i) || toolsOnly.has(i));
    // A stage used only by what goes (`COPY --from=base` of the binary its base image ships), which
    // holds no more than the instructions below allow, goes too (hunt21 D3).
    const users = fetches ? undefined : stageUsers(parsed, from.stage);
    const servedOnly = users !== undefined && users.length > 0;
    // What else such a stage may hold: a RUN of its own that only installs the download's tools
    // (`RUN apk add --no-cache git` before a clone of the binary), and, in a WORKDIR named for the
    // binary (`WORKDIR /src/grpc-health-probe` after the clone), the steps that build it there
    // (`RUN git checkout main`, `RUN go install -a -ldflags=-w`).
    const clones = inStage.some((i) => removedIns.has(i) && i.keyword === 'RUN' && /\bgit\b/.test(text.slice(i.argsStart, i.end)));
    const buildsThere = new Set(inStage.filter((i, k) => i.keyword === 'RUN' && inBinaryWorkdir(text, inStage.slice(0, k), mentions) && onlyBuildsHere(text, parsed, i)));
    const serves = (i: DockerInstruction) =>
      removedIns.has(i) || toolsOnly.has(i) || NEUTRAL_IN_STAGE.has(i.keyword) || buildsThere.has(i) || onlyFetchToolsRun(text, parsed, i, clones);
    if (!(fetches || servedOnly) || !inStage.every(serves)) continue;
    if (stageReferenced(parsed, from.stage, removedIns, droppedMounts)) continue;
    const last = inStage.length > 0 ? inStage[inStage.length - 1]! : from;
    const range = { start: withCommentsAbove(text, lineStartOf(text, from.start)), end: nextLineStart(text, last.end) };
    const image = (from.node as unknown as { getImage(): string | null }).getImage() ?? '';
    // No install of its own: it goes with the first install that used it (that COPY, or what
    // removes the stage built FROM it), which says so.
    const owner = servedOnly ? sites.find((s) => s.ins === users![0]) ?? stageOwners.get(users![0]!.stage) : undefined;
    if (servedOnly && !owner) continue;
    for (const i of inStage) removedIns.add(i);
    removedIns.add(from);
    if (owner) {
      stageOwners.set(from.stage, owner);
      addCleanup(owner, range);
      owner.stages = [...(owner.stages ?? []), ...(name ? [name] : [])];
      stageNotes.set(owner, [...(stageNotes.get(owner) ?? []), `build stage ${name ? `"${name}" ` : ''}at line ${parsed.lines.position(from.start).line}, which nothing else uses, goes with it`]);
      continue;
    }
    const inner = sites.filter((s) => s.ins.stage === from.stage);
    const stageSite: Site = {
      ins: from,
      what: 'stage',
      message: `build stage ${name ? `"${name}" ` : ''}(FROM ${image}) only ${buildsThere.size > 0 ? 'builds' : 'fetches'} grpc_health_probe`,
      ranges: [range],
      whole: true,
      ...(name ? { stages: [name] } : {}),
    };
    for (const s of inner) sites.splice(sites.indexOf(s), 1);
    stageOwners.set(from.stage, stageSite);
    stageSites.push(stageSite);
  }
  sites.push(...stageSites);
  sites.sort((a, b) => a.ins.start - b.ins.start);
  if (sites.length === 0) return { parsed, installs: [], problems, renamed: [], namedScripts, readOnlyHeredocs };

  // USER root ... USER <previous user> around a download that is gone.
  for (const site of sites) {
    if (!site.whole || site.what === 'stage') continue;
    const stage = parsed.instructions.filter((i) => i.stage === site.ins.stage);
    const idx = stage.indexOf(site.ins);
    let p = idx - 1;
    while (p >= 0 && removedIns.has(stage[p]!)) p--;
    let n = idx + 1;
    while (n < stage.length && removedIns.has(stage[n]!)) n++;
    const prev = stage[p];
    const next = stage[n];
    if (!prev || !next || prev.keyword !== 'USER' || next.keyword !== 'USER') continue;
    if (!/^(root|0)(:(root|0))?$/.test(userOf(text, prev))) continue;
    addCleanup(site, lineRange(text, prev));
    removedIns.add(prev);
    const before = stage.slice(0, p).filter((i) => i.keyword === 'USER' && !removedIns.has(i)).pop();
    if (before && userOf(text, before) === userOf(text, next)) {
      addCleanup(site, lineRange(text, next));
      removedIns.add(next);
    }
  }

  // Version ARG/ENV that nothing uses any more.
  const removalRanges = (): Range[] => [...sites.flatMap((s) => s.ranges), ...[...cleanup.values()].flat()];
  const decls = parsed.instructions.filter((i) => (i.keyword === 'ARG' || i.keyword === 'ENV') && !removedIns.has(i));
  let candidates = decls.filter((d) => {
    const names = propertyNames(d);
    const removedText = removalRanges().map((r) => text.slice(r.start, r.end)).join('\n');
    // Named for the probe: GRPC_HEALTH_PROBE_VERSION, or a shorter name the download read
    // (HEALTH_PROBE_VERSION, HEALTH_PROBE_SHA256_AMD64, GRPC_HEALTH_VERSION, GRPC_PROBE_VERSION).
    // (PROBE_VER, PROBE_VERSION: a name of its own word PROBE, read by the download, is too.)
    const forProbe = (n: string) => /grpc_?health_?probe/i.test(n) || (/grpc_?health|health_?probe|grpc_?probe|(^|_)probe(_|$)/i.test(n) && usesVariable(removedText, n));
    // An ENV lives on in the running container (an entrypoint script may read TOOLS_DIR): only
    // one named for the probe goes. An ARG ends with the build.
    if (d.keyword === 'ENV') return names.length > 0 && names.every(forProbe);
    // An ARG is in the environment of every later RUN of its stage (`ARG GOARCH` steers `go
    // build`): with such a RUN left, only one named for the probe goes.
    const laterRun = d.stage >= 0 && parsed.instructions.some((i) => i.keyword === 'RUN' && i.stage === d.stage && i.start > d.start && !removedIns.has(i));
    if (laterRun) return names.length > 0 && names.every(forProbe);
    return names.length > 0 && names.every((n) => /grpc_?health_?probe/i.test(n) || usesVariable(removedText, n));
  });
  for (let changed = true; changed; ) {
    changed = false;
    const gone = [...removalRanges(), ...candidates.map((d) => wholeInstruction(text, d))];
    const remaining = cutRanges(text, gone);
    const kept = candidates.filter((d) => !propertyNames(d).some((n) => usesVariable(remaining, n)));
    if (kept.length !== candidates.length) {
      candidates = kept;
      changed = true;
    }
  }
  for (const d of candidates) {
    removedIns.add(d);
    const owner = sites.find((s) => s.ranges.some((r) => propertyNames(d).some((n) => usesVariable(text.slice(r.start, r.end), n)))) ?? sites[0];
    addCleanup(owner, wholeInstruction(text, d));
  }

  const notes = packageNotes(text, parsed, sites);
  const planned: Planned[] = sites.map((s) => ({
    site: s,
    ranges: [...s.ranges, ...(cleanup.get(s) ?? []), ...(s === sites[0] ? cleanup.get(undefined) ?? [] : [])],
  }));
  const leftComments = orphanedComments(text, parsed, planned, [...tracked].filter((p) => !mentionsBinary(p.slice(p.lastIndexOf('/') + 1))));
  tidyBlankLines(text, planned);
  tidyEmptyContinuations(text, parsed, planned);
  // A stage removed whole renumbers the stages after it: a `COPY --from=2` that stays (an index,
  // which BuildKit reads with findStateByIndex) is rewritten to the same stage's new index, or it
  // would name the next stage, or its own (hunt22 E1). A mount's `from=` and FROM take names only.
  // Edits of the first site that removes a stage: they hold only with every such removal, which
  // the rule keeps together (InstallSite.renumbers), and the engine's check of a Dockerfile's
  // edits refuses any part of them applied without the rest (stage-refs.ts).
  const removedStages = stageFroms.filter((f) => removedIns.has(f)).map((f) => f.stage);
  const renumbers: Edit[] = [];
  // `--from=2 becomes --from=1` → the lines, for the note.
  const renumbered = new Map<string, number[]>();
  if (removedStages.length > 0) {
    const cut = planned.flatMap((p) => p.ranges);
    for (const ins of parsed.instructions) {
      if (removedIns.has(ins)) continue;
      for (const s of writtenSources(ins, parsed.lines)) {
        if (s.via !== 'flag' || !isStageIndex(s.ref)) continue;
        const stages = referencedStages(parsed, ins, s);
        if (stages === 'any' || stages.length !== 1) continue;
        const k = stages[0]!;
        const shift = removedStages.filter((r) => r < k).length;
        if (shift === 0 && !removedStages.includes(k)) continue;
        if (removedStages.includes(k) || cut.some((r) => r.start < s.end && s.start < r.end)) {
          problems.push({ start: ins.start, end: ins.end, message: `${ins.keyword} --from=${s.ref} names build stage ${k} by its index, which removing the install would change; the file was left unchanged` });
          continue;
        }
        renumbers.push({ start: s.start, end: s.end, text: String(k - shift) });
        const said = `--from=${s.ref} becomes --from=${k - shift}`;
        renumbered.set(said, [...(renumbered.get(said) ?? []), parsed.lines.position(ins.start).line]);
      }
    }
  }
  const renumberer = renumbers.length > 0 ? stageOwners.get(Math.min(...removedStages)) : undefined;
  const renumberNote = [...renumbered].map(([said, lines]) => `${said} at line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`).join(', ');
  const installs = planned.map(({ site, ranges }): InstallSite => ({
    start: site.ins.start,
    end: site.ins.end,
    what: site.what,
    message: site.message,
    edits: [...ranges.map((r) => ({ start: r.start, end: r.end, text: '' })), ...(site === renumberer ? renumbers : [])],
    ...(renumbers.length > 0 && [...stageOwners.values()].includes(site) ? { renumbers: true as const } : {}),
    notes: [
      ...(site.run ? notes.get(site.run) ?? [] : []),
      ...(stageNotes.get(site) ?? []),
      ...(site === renumberer ? [`the stages after ${removedStages.length === 1 ? 'it' : `the ${removedStages.length} stages removed`} move up, so ${renumberNote}`] : []),
      ...(leftComments.get(site) ?? []),
    ],
    ...(site.vendored ? { vendored: site.vendored } : {}),
    ...(site.stages ? { stages: site.stages } : {}),
  }));
  // Safety net: the rewrite must keep every other instruction as it was (a stray `\` at the end
  // of a RUN would swallow the next line).
  // (Cutting can join lines into an instruction over the parser's cap: that changes it too.)
  let after: ParsedDockerfile | undefined;
  try {
    after = parseDockerfile(cutRanges(text, planned.flatMap((p) => p.ranges), renumbers));
  } catch (e) {
    if (!(e instanceof InstructionTooLargeError)) throw e;
  }
  const expected = parsed.instructions.filter((i) => !removedIns.has(i)).map((i) => i.keyword);
  if (after?.instructions.map((i) => i.keyword).join(' ') !== expected.join(' ')) {
    problems.push({ start: sites[0]!.ins.start, end: sites[0]!.ins.end, message: 'removing the install would change other instructions; the file was left unchanged' });
  } else {
    // And every stage reference that stays names the stage it named.
    const moved = stageReferenceChange(text, installs.flatMap((i) => i.edits));
    if (moved) problems.push({ start: sites[0]!.ins.start, end: sites[0]!.ins.end, message: `removing the install would change which build stage an instruction reads (${moved}); the file was left unchanged` });
  }
  const leftStages = stagesLeftUnused(text, parsed, removedIns, droppedMounts, planned.flatMap((p) => p.ranges));
  return {
    parsed,
    installs,
    problems,
    namedScripts,
    readOnlyHeredocs,
    renamed: installs.length > 0 ? [...tracked].filter((p) => !mentionsBinary(p.slice(p.lastIndexOf('/') + 1))) : [],
    ...(leftStages.length > 0 ? { leftStages } : {}),
  };
}

/**
 * The stages (but the last) that later instructions used, all of which go, and that stay: the
 * fix leaves them to nothing (hunt21 D3). A use through a variable the tool does not resolve
 * (`COPY --from=${STAGE}`) may be any stage: then none is said.
 */
function stagesLeftUnused(
  text: string,
  parsed: ParsedDockerfile,
  removedIns: ReadonlySet<DockerInstruction>,
  droppedMounts: ReadonlyMap<DockerInstruction, ReadonlySet<string>>,
  removed: readonly Range[],
): LeftStage[] {
  const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const out: LeftStage[] = [];
  for (const from of froms.slice(0, -1)) {
    if (removedIns.has(from)) continue;
    const name = (from.node as unknown as { getBuildStage(): string | null }).getBuildStage();
    const users = stageUsers(parsed, from.stage);
    if (!users || users.length === 0 || stageReferenced(parsed, from.stage, removedIns, droppedMounts)) continue;
    const line = (at: number) => parsed.lines.position(at).line;
    const busy = parsed.instructions.filter((i) => i.stage === from.stage && i !== from && !removedIns.has(i) && !NEUTRAL_IN_STAGE.has(i.keyword)).map((i) => ({ keyword: i.keyword, line: line(i.start) }));
    // Comment lines of the stage (those above its FROM too) that stay and still name the probe.
    const next = froms.find((f) => f.stage === from.stage + 1)!;
    const before = parsed.instructions.filter((i) => i.end <= from.start).pop();
    const comments: [number, number][] = [];
    for (let at = before ? nextLineStart(text, before.end) : 0; at < next.start; at = nextLineStart(text, at)) {
      const l = text.slice(at, nextLineStart(text, at));
      if (!/^[ \t]*#/.test(l) || !PROBE_WORDS.test(l)) continue;
      if (removed.some((r) => r.start <= at && at < r.end) || parsed.instructions.some((i) => i.start < at && at < i.end)) continue;
      const n = line(at);
      const prev = comments[comments.length - 1];
      if (prev && prev[1] === n - 1) prev[1] = n;
      else comments.push([n, n]);
    }
    out.push({
      start: from.start,
      end: from.end,
      ...(name ? { name } : {}),
      image: (from.node as unknown as { getImage(): string | null }).getImage() ?? '',
      usedBy: users.map((i) => ({ keyword: i.keyword, line: line(i.start) })),
      busy,
      comments,
    });
  }
  return out;
}

/**
 * The instructions of later stages that use stage `index` (COPY --from, RUN --mount=from, FROM by
 * name, an ONBUILD trigger's); undefined when one may name any stage (a variable the tool does not
 * resolve). Decided by stageUses, as stageReferenced is.
 */
function stageUsers(parsed: ParsedDockerfile, index: number): DockerInstruction[] | undefined {
  const uses = stageUses(parsed, index);
  if (uses.some((u) => u.any)) return undefined;
  return [...new Set(uses.filter((u) => u.ins.stage > index).map((u) => u.ins))];
}

/**
 * Each reference outside stage `index` that names it (referencedStages: FROM through the global
 * ARGs' defaults, `--from` by name or index, a mount's `from=` by name, an ONBUILD trigger's), or
 * may name any stage (`any`: a variable the tool cannot resolve).
 */
function stageUses(parsed: ParsedDockerfile, index: number): { ins: DockerInstruction; ref: string; any: boolean }[] {
  const out: { ins: DockerInstruction; ref: string; any: boolean }[] = [];
  for (const ins of parsed.instructions) {
    if (ins.stage === index) continue;
    for (const s of writtenSources(ins)) {
      const stages = referencedStages(parsed, ins, s);
      if (stages === 'any' || stages.includes(index)) out.push({ ins, ref: s.ref.toLowerCase(), any: stages === 'any' });
    }
  }
  return out;
}

function runSite(
  text: string,
  parsed: ParsedDockerfile,
  ins: DockerInstruction,
  mentions: (s: string) => boolean,
  tracked: Set<string>,
  problems: DockerProblem[],
  probeStages: ReadonlySet<string>,
): Site | undefined {
  const heredoc = runForm(ins, text, parsed.escape) === 'heredoc' ? heredocScript(text, ins, parsed.lines) : undefined;
  // `RUN --mount=type=bind,from=<probe image>,source=/ko-app/grpc-health-probe,target=/tmp/probe
  // cp /tmp/probe /bin/grpc_health_probe`: for this RUN, the mount's target is the binary.
  const mounts = probeMounts(ins, parsed, probeStages);
  const outer = mentions;
  // The target itself only: a path under it (`/tmp/probe/etc/ssl/certs/…` of a mount of the whole
  // image) is another file of the image, which a command may copy for itself.
  if (mounts.length > 0) mentions = (s: string) => outer(s) || mounts.some((m) => pathOffsets(s, m.target).some((i) => s[i + m.target.length] !== '/'));
  let shell;
  try {
    shell = typeof heredoc === 'object' ? parseScriptAt(text.slice(heredoc.start, heredoc.end), heredoc.start) : parseRunBody(text, ins, runBodyStart(text, ins, parsed.lines), parsed.escape);
  } catch (e) {
    if (!(e instanceof ShellParseError)) throw e;
    if (e instanceof ShellTooLargeError) {
      problems.push({ start: ins.start, end: ins.end, error: true, hint: LARGE_RUN_HINT, message: `RUN mentions grpc_health_probe but is ${e.message}; the file was left unchanged` });
      return undefined;
    }
    // The parser's place is in the script it read (a here-document, or the RUN's lines joined at
    // their continuations): said as the file's line.
    const view = runScriptView(text, ins, parsed, typeof heredoc === 'object' ? heredoc : undefined);
    const { offset, reason } = shellErrorAt(view.text, e.message);
    const where = offset === undefined ? '' : `line ${parsed.lines.position(view.at(offset)).line}: `;
    problems.push({ start: ins.start, end: ins.end, message: `RUN mentions grpc_health_probe but is not valid shell (${where}${reason}); the file was left unchanged` });
    return undefined;
  }
  const segs = shell.segments;
  let kinds = segs.map((seg) => classifySegment(text, seg, mentions));
  // A download saved under another name (`wget -qO /usr/local/bin/healthcheck … && chmod +x
  // /usr/local/bin/healthcheck`) is the binary for the segments after it, in this RUN too.
  for (;;) {
    const fresh = kinds.flatMap((k) => (k.kind === 'install' ? k.destinations : [])).filter((d) => !tracked.has(d));
    if (fresh.length === 0) break;
    for (const d of fresh) tracked.add(d);
    kinds = segs.map((seg) => classifySegment(text, seg, mentions));
  }
  // After a `cd` into the binary's scratch folder, `go mod init temp` or `git checkout v0.4.12` build it too.
  const cdAt = kinds.findIndex((k) => k.kind === 'install' && k.commands.includes('cd'));
  if (cdAt !== -1) {
    kinds = kinds.map((k, i) => (i > cdAt && k.kind === 'other' && isScratchBuildStep(segs[i]!) ? { kind: 'install', commands: ['go'], destinations: [] } : k));
  }
  const problem = kinds.find((k) => k.kind === 'problem');
  if (problem && problem.kind === 'problem') {
    problems.push({
      start: ins.start,
      end: ins.end,
      message: `RUN uses grpc_health_probe in a way the tool cannot remove safely (${problem.why}); the file was left unchanged`,
      // `RUN <<EOF` whose script applies a manifest from a here-document of its own: read as a RUN's.
      ...(typeof heredoc === 'object' ? { heredocRun: heredoc.start, heredocRunEnd: heredoc.end } : {}),
    });
    return undefined;
  }
  const removed = kinds.map((k) => k.kind === 'install');
  // Package names cut out of a longer package list, with the blank before each.
  const packageRanges: Range[] = [];
  for (const [i, k] of kinds.entries()) {
    if (k.kind !== 'package') continue;
    const seg = segs[i]!;
    for (const name of k.packages) {
      const found = [...text.slice(seg.start, seg.end).matchAll(new RegExp(`[ \\t]+${escapeRegExp(name)}(?=[\\s;&|)]|$)`, 'g'))];
      if (found.length !== 1) {
        problems.push({ start: ins.start, end: ins.end, message: `RUN installs grpc_health_probe's package as ${name}, written in a way the tool cannot cut out; the file was left unchanged` });
        return undefined;
      }
      packageRanges.push(packageWordRange(text, seg.start + found[0]!.index!, seg.start + found[0]!.index! + found[0]![0].length));
    }
  }
  if (!removed.some(Boolean) && packageRanges.length === 0) return undefined;
  // Variables set only for the download (`ARCH=$(uname -m)`, a `case` per architecture) go too.
  // One feeds another (`ARCH=$(uname -m) && if [ "$ARCH" = x86_64 ]; then PROBE_ARCH=amd64; fi &&
  // wget …-${PROBE_ARCH}`): repeat until no more go; one whose names something kept reads stays,
  // and so do the variables it reads.
  const usedBy = (i: number) => variablesIn(segs[i]!.stmt);
  for (let changed = true; changed; ) {
    changed = false;
    kinds.forEach((k, i) => {
      if (removed[i] || k.kind !== 'assign') return;
      const keptUse = new Set<string>();
      const removedUse = new Set<string>();
      segs.forEach((_, j) => {
        if (j !== i) for (const v of usedBy(j)) (removed[j] ? removedUse : keptUse).add(v);
      });
      // One named for the probe (`GRPC_HEALTH_PROBE_VERSION=v0.4.24 && wget …/v0.4.37/…`) goes
      // even when the download spells the version out: nothing else would read it.
      // An exported one also reaches every command after it through the environment (`export
      // GOARCH=arm64 && wget …-${GOARCH} && go build`): it goes only when none that stays follows.
      const envReader = k.exported.length > 0 && segs.some((_, j) => j > i && !removed[j] && kinds[j]!.kind !== 'assign' && kinds[j]!.kind !== 'neutral');
      if (!envReader && k.names.every((n) => !keptUse.has(n)) && (k.names.some((n) => removedUse.has(n)) || k.names.every((n) => /grpc_?health_?probe/i.test(n)))) {
        removed[i] = true;
        changed = true;
      }
    });
  }
  // A test that only guarded the install (`[ "$TARGETARCH" = amd64 ] && wget …`) goes with it:
  // left alone as its own statement, its failure would end the script under `set -e`, which the
  // `&&` list did not.
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i]!;
    if (removed[i] || !isTestSegment(seg)) continue;
    const rest = segs.map((t, k) => k).filter((k) => k > i && segs[k]!.top === seg.top);
    if (rest.length > 0 && rest.every((k) => removed[k])) removed[i] = true;
  }
  // `set -eux` alone is no reason to keep a RUN.
  if (packageRanges.length === 0 && kinds.every((k, i) => removed[i] || k.kind === 'neutral')) removed.fill(true);
  // `apt-get update && apt-get install -y grpc-health-probe && rm -rf /var/lib/apt/lists/*`: with
  // the package gone, the index update and the cache cleaning served nothing.
  const packageRemoved = kinds.some((k, i) => removed[i] && k.kind === 'install' && k.commands.some((c) => / (add|install)$/.test(c)));
  // …unless a later RUN installs packages from the index this one updated (`RUN apk update &&
  // apk add grpc-health-probe`, then `RUN apk add curl`): without the update it fails to build.
  const laterPackageManager = parsed.instructions.some((i) => i.start > ins.end && i.keyword === 'RUN' && usesIndexOfEarlierRun(text, parsed, i));
  if (packageRemoved && !laterPackageManager && packageRanges.length === 0 && segs.every((seg, i) => removed[i] || kinds[i]!.kind === 'neutral' || (seg.stmt.cmd.type === 'call' && seg.stmt.calls.every((c) => isHousekeepingStep(callArgs(c, () => undefined).map((w) => w.text)))))) removed.fill(true);
  // A command left after the `cd` into the scratch folder would run in another folder.
  const strayAfterCd = cdAt === -1 ? -1 : segs.findIndex((_, i) => i > cdAt && !removed[i]);
  if (strayAfterCd !== -1) {
    problems.push({ start: ins.start, end: ins.end, message: `RUN uses grpc_health_probe in a way the tool cannot remove safely (${text.slice(segs[strayAfterCd]!.start, segs[strayAfterCd]!.end).trim()} runs in the folder the build of the binary changes to); the file was left unchanged` });
    return undefined;
  }
  // A command that stays and reads a variable the install set (`BIN=/bin/grpc_health_probe && wget
  // -qO $BIN … && chmod +x $BIN && echo done`) would lose its operand: not ours to cut.
  const setByRemoved = new Set(
    segs.flatMap((seg, i) => (removed[i] ? [...seg.stmt.calls.flatMap((c) => c.assigns.map((a) => a.name)), ...declaredNames(seg.shellText)] : [])),
  );
  const reader = segs.findIndex((_, i) => !removed[i] && [...usedBy(i)].some((v) => setByRemoved.has(v)));
  if (reader !== -1) {
    const name = [...usedBy(reader)].find((v) => setByRemoved.has(v))!;
    problems.push({ start: ins.start, end: ins.end, message: `RUN uses grpc_health_probe in a way the tool cannot remove safely (${text.slice(segs[reader]!.start, segs[reader]!.end).trim()} reads $${name}, which the install sets); the file was left unchanged` });
    return undefined;
  }
  const commands = new Set<string>();
  kinds.forEach((k, i) => {
    if (removed[i] && k.kind === 'install') for (const c of k.commands) commands.add(c);
    if (k.kind === 'package') commands.add(k.command);
  });
  for (const [i, k] of kinds.entries()) if (removed[i] && k.kind === 'install') for (const d of k.destinations) tracked.add(d);
  const plan: RunPlan = { ins, segments: segs, removed, commands };
  const whole = packageRanges.length === 0 && removed.every(Boolean);
  // A probe mount left on a RUN that keeps other commands goes with the install when none of them
  // reads under its target (one that reads the target itself is an install, or the RUN is refused
  // above); one they read (`cp /tmp/probe/etc/ssl/certs/ca-certificates.crt …`) stays.
  const readByKept = (m: { target: string }) => segs.some((seg, i) => !removed[i] && containsPath(text.slice(seg.start, seg.end), m.target));
  const dropped = whole || !removed.some(Boolean) ? [] : mounts.filter((m) => !readByKept(m));
  // A stage still mounted by a mount that stays is still referenced.
  const droppedFroms = [...new Set(dropped.map((m) => m.from.toLowerCase()))].filter((f) => !mounts.some((m) => !dropped.includes(m) && m.from.toLowerCase() === f));

  // A checksum step (`echo "<sum>  /bin/grpc_health_probe" | sha256sum -c - && chmod +x …`) is
  // named for what it runs, not for the echo that feeds it.
  const downloader = mounts.length > 0 ? `a bind mount from ${mounts[0]!.from}` : DOWNLOADERS.find((d) => commands.has(d)) ?? (commands.has('go') ? 'go install' : [...commands].find((c) => !ASSIGN_HELPERS.has(c) && !COMPOUND_GUARDS.has(c)) ?? [...commands][0] ?? 'a command');
  return {
    ins,
    what: 'RUN',
    message: whole ? `RUN installs grpc_health_probe (${downloader})` : packageRanges.length > 0 && !removed.some(Boolean) ? `RUN installs grpc_health_probe (${downloader}, among other packages)` : `RUN installs grpc_health_probe (${downloader}) in a longer chain`,
    ranges: whole ? [wholeInstruction(text, ins)] : [...dropped.map((m) => m.range), ...chainRemoval(text, segs, removed), ...packageRanges],
    ...(droppedFroms.length > 0 ? { droppedMounts: droppedFroms } : {}),
    whole,
    run: plan,
  };
}

type SegmentKind =
  | { kind: 'install'; commands: string[]; destinations: string[] }
  /** A package install of the binary among other packages (`apk add ca-certificates grpc-health-probe`): only those words go. */
  | { kind: 'package'; command: string; packages: string[] }
  | { kind: 'assign'; names: string[]; exported: string[] }
  | { kind: 'other' }
  /** Shell options (`set -eux`): kept with the chain, dropped with it. */
  | { kind: 'neutral' }
  | { kind: 'problem'; why: string };

function classifySegment(text: string, seg: Segment, mentions: (s: string) => boolean): SegmentKind {
  const calls = seg.stmt.calls;
  const other = seg.stmt.loopOrFunction;
  const noEnv = () => undefined;
  // As the shell reads it: `chmod +x /bin/grpc_health\` then `_probe` names the binary.
  const segText = seg.shellText;
  if (!mentions(segText)) {
    // `export SUFFIX=amd64` (alone, or in each branch of an `if` per architecture) sets a name as
    // an assignment does, and the environment of the commands after it too.
    const exported = declaredNames(segText);
    const names: string[] = [...exported];
    // The values of assignments alone (`GOOS=$(echo $TARGETPLATFORM | cut -d/ -f1)`): a filter
    // there only computes the value.
    // `export GOARCH=$(…)`: a declaration holds names and assignments only.
    const declaration = seg.stmt.cmd.type === 'compound' && seg.stmt.cmd.what === 'DeclClause' ? [seg.stmt] : [];
    const assignsAlone = seg.stmt.redirects === 0 ? [...calls.filter((c) => c.args.length === 0 && c.assigns.length > 0), ...declaration] : [];
    const inValue = (c: ShCall) => assignsAlone.some((a) => a !== c && a.start <= c.start && c.end <= a.end && !writesFile(seg.shellText.slice(a.start - seg.stmt.start, a.end - seg.stmt.start)));
    const onlyAssigns = (calls.length > 0 || exported.length > 0) && calls.every((c) => {
      const words = callArgs(c, noEnv);
      if (words.length === 0) {
        for (const a of c.assigns) names.push(a.name);
        return true;
      }
      return ASSIGN_HELPERS.has(baseName(words[0]!.text)) || isArchQuery(words.map((w) => w.text)) || words[0]!.text === '[' || words[0]!.text === 'test' || (inValue(c) && isValueFilter(words.map((w) => w.text)));
    });
    // `else echo amd64 > /etc/arch; A=amd64; fi`: a branch that writes a file is more than an assignment.
    if (onlyAssigns && names.length > 0 && !other && !writesFile(segText)) return { kind: 'assign', names, exported };
    // `set -eux`, `cd /tmp`: they matter only to the commands after them in the RUN.
    if (calls.length === 1 && seg.stmt.cmd.type === 'call' && ['set', 'cd'].includes(callArgs(calls[0]!, noEnv)[0]?.text ?? '')) return { kind: 'neutral' };
    return { kind: 'other' };
  }
  // A retry loop (`for i in \`seq 1 50\`; do wget … && chmod +x … && break; sleep 5; done`) is
  // the download's own when it holds nothing else; any other loop or a function is not ours.
  const retry = other && isRetryLoop(seg, mentions);
  if (other && !retry) return { kind: 'problem', why: 'a loop or function around it' };
  // Inside `if`, `{ }` or `( )`, a command that does not name the binary (`echo … >> /etc/profile`,
  // `tar -xzf /tmp/app.tgz`) is the image's, not the install's: not ours to cut.
  if (seg.stmt.cmd.type === 'compound') {
    for (const c of calls) {
      const words = callArgs(c, noEnv).map((w) => w.text);
      if (words.length === 0 || COMPOUND_GUARDS.has(baseName(words[0]!)) || isArchQuery(words) || (retry && (RETRY_STEPS.has(words[0]!) || ASSIGN_HELPERS.has(words[0]!))) || words.some((w) => mentions(w))) continue;
      return { kind: 'problem', why: `${words.join(' ')} shares the block` };
    }
  }
  // `curl -sSL <url> > /usr/local/bin/hc`: saved through a redirect to a name the tool would not
  // follow to its chmod or COPY.
  const redirected = seg.stmt.redirects > 0 ? /(?:^|[^<>&\d])>{1,2}\s*(\S+)/.exec(segText)?.[1] : undefined;
  if (redirected !== undefined && !redirected.startsWith('/dev/') && !mentions(redirected)) {
    // `printf '#!/bin/sh\nexec grpc_health_probe …' > /hc.sh`: what echo or printf writes is a
    // script that runs the binary (a health-check wrapper), a use of it as a HEALTHCHECK script
    // is: no download (hunt20 D1).
    const naming = calls.map((c) => callArgs(c, noEnv).map((w) => w.text)).filter((words) => words.some((w) => mentions(w)));
    if (naming.length > 0 && naming.every((words) => ['echo', 'printf'].includes(baseName(words[0]!)))) {
      return { kind: 'problem', why: `it writes ${redirected}, a script that runs grpc_health_probe, so the image still needs the binary` };
    }
    return { kind: 'problem', why: `the download is saved through a redirect to ${redirected}` };
  }
  const commands: string[] = [];
  const destinations: string[] = [];
  for (const c of calls) {
    const words = withoutEnv(callArgs(c, noEnv).map((w) => w.text));
    if (words.length === 0) continue;
    const cmd = baseName(words[0]!);
    // The architecture computed inside the download's URL (`…-linux-$(apk --print-arch | sed
    // 's/x86_64/amd64/;s/aarch64/arm64/')`): read as the same substitution in an assignment's value
    // is (`ARCH=$(…) && wget …-${ARCH}`). Only a query of the machine's architecture or a filter of
    // text, in a substitution that writes no file; anything else is read as a command of the install.
    if (inSubstitution(c, calls) && (isArchQuery(words) || isValueFilter(words)) && !substitutionWrites(c, calls)) continue;
    if (isBinaryPath(words[0]!)) {
      // `grpc_health_probe -version` checks the download. Anything else runs it at build time
      // (a smoke test against the app): a use of the binary, not a step of its install.
      if (words.length > 1 && words.slice(1).every((w) => VERSION_CHECK_ARGS.has(w))) continue;
      return { kind: 'problem', why: `it runs ${words.join(' ')} at build time` };
    }
    // `$(go env GOARCH)`, `$(uname -m)` only read the toolchain's or the machine's settings.
    if ((ASSIGN_HELPERS.has(cmd) && !INSTALL_COMMANDS.has(cmd)) || isArchQuery(words)) continue;
    if (retry && RETRY_STEPS.has(cmd)) continue;
    // `go env -w GOFLAGS=…` changes the settings of every later `go` of the image: not the install's.
    if (cmd === 'go' && words[1] === 'env') return { kind: 'problem', why: `${words.join(' ')} changes the Go toolchain's settings` };
    // The distribution's package (`apk add --no-cache grpc-health-probe` on Alpine or Wolfi):
    // the install is the package, or only its name among others.
    const pkg = packageInstall(words);
    if (pkg && pkg.packages.some((p) => mentions(p))) {
      const others = pkg.packages.filter((p) => !mentions(p));
      if (others.length === 0) {
        commands.push(`${cmd} ${pkg.sub}`);
        continue;
      }
      if (calls.length !== 1 || seg.stmt.cmd.type !== 'call') return { kind: 'problem', why: `${words.join(' ')} installs other packages in the same statement` };
      return { kind: 'package', command: `${cmd} ${pkg.sub}`, packages: pkg.packages.filter((p) => mentions(p)) };
    }
    // A scratch folder for building it from source (`mkdir -p /tmp/grpc-health-probe && cd
    // /tmp/grpc-health-probe && go mod init …`): what follows runs there (checked in runSite).
    if (cmd === 'cd' && words.length === 2 && mentions(words[1]!)) {
      commands.push('cd');
      continue;
    }
    // In a group (`mkdir -p /app/data && wget … || echo failed`), a folder made for something
    // else is not part of the install: on its own statement it would be kept, so here it is not
    // ours to cut either.
    if (cmd === 'mkdir' && calls.length > 1) {
      // The folder the binary goes into is the install's (`mkdir -p /opt/bin && wget -O/opt/bin/grpc_health_probe`).
      const words2 = calls.flatMap((c2) => callArgs(c2, noEnv).map((w) => w.text));
      const binaryFolder = (dir: string) => words2.some((w) => w.includes(`${dir.replace(/\/+$/, '')}/`) && mentions(w));
      const stray = words.slice(1).find((w) => !w.startsWith('-') && !mentions(w) && !binaryFolder(w));
      if (stray !== undefined) return { kind: 'problem', why: `mkdir ${stray} shares the statement and is not part of the install` };
    }
    // `grep "grpc_health_probe-linux-${ARCH}" checksums.txt | sha256sum -c -`: the binary's line
    // of the release's checksums.txt, fed to its check, is the download's.
    if (cmd === 'grep' && feedsChecksum(seg) && words.slice(1).some((w) => !w.startsWith('-') && mentions(w))) {
      commands.push('grep');
      continue;
    }
    // Anything else in the same statement (`apk add ... && wget ... || true`) is not ours to delete.
    // As written: the shell's words lose the backslashes of a Windows path (`C:\bin` → `C:bin`).
    if (!INSTALL_COMMANDS.has(cmd)) return { kind: 'problem', why: oneLine(segText) };
    const bad = operandProblem(cmd, words.slice(1), mentions);
    if (bad) return { kind: 'problem', why: bad };
    commands.push(cmd);
    const dest = destinationOf(cmd, words.slice(1));
    if (dest && !dest.endsWith('/') && dest.includes('/')) destinations.push(dest);
  }
  return { kind: 'install', commands, destinations };
}

/** A two-command pipeline that ends in a checksum check (`… | sha256sum -c -`), with no redirection. */
function feedsChecksum(seg: Segment): boolean {
  const cmd = seg.stmt.cmd;
  if (cmd.type !== 'binary' || cmd.op !== '|' || seg.stmt.redirects > 0 || seg.stmt.calls.length !== 2) return false;
  const last = withoutEnv(callArgs(seg.stmt.calls[1]!, () => undefined).map((w) => w.text));
  return ['sha256sum', 'sha512sum', 'shasum'].includes(baseName(last[0] ?? '')) && last.slice(1).some((w) => w === '-c' || w === '--check' || /^-[a-z]*c[a-z]*$/.test(w));
}

/** A `for`/`while` loop that only retries the download: its commands fetch the binary, or break, sleep, count, print. */
function isRetryLoop(seg: Segment, mentions: (s: string) => boolean): boolean {
  const cmd = seg.stmt.cmd;
  if (cmd.type !== 'compound' || (cmd.what !== 'ForClause' && cmd.what !== 'WhileClause')) return false;
  const calls = seg.stmt.calls.map((c) => withoutEnv(callArgs(c, () => undefined).map((w) => w.text))).filter((w) => w.length > 0);
  return (
    calls.some((w) => w[0] === 'break') &&
    calls.some((w) => w.some((x) => mentions(x))) &&
    calls.every((w) => RETRY_STEPS.has(w[0]!) || ASSIGN_HELPERS.has(w[0]!) || COMPOUND_GUARDS.has(w[0]!) || isArchQuery(w) || w.some((x) => mentions(x)))
  );
}

/** File commands may touch only the binary: `rm -rf /tmp/probe /var/cache/x` is not ours to cut. */
function operandProblem(cmd: string, args: string[], mentions: (s: string) => boolean): string | undefined {
  const operands: string[] = [];
  let targetDir = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (['-m', '-o', '-g', '--mode', '--owner', '--group'].includes(a)) {
      i++;
      continue;
    }
    if (a === '-t' || a === '--target-directory') {
      targetDir = true;
      i++;
      continue;
    }
    if (a.startsWith('-') && a !== '-') continue;
    operands.push(a);
  }
  let mustMention: string[] = [];
  // One download of several tools (`wget -P /usr/local/bin <probe url> <tini url>`, `go install
  // <probe>@v <grpcurl>@v`): cutting it would take the others too.
  if (cmd === 'wget' || cmd === 'curl') mustMention = args.filter((a) => a.includes('://'));
  // An archive or a clone that names nothing of the binary is something else's.
  else if ((cmd === 'tar' || cmd === 'unzip' || cmd === 'git') && !args.some((a) => mentions(a))) return `${cmd} ${args.join(' ')} is not the binary's`;
  else if (cmd === 'go') mustMention = operands.slice(1).filter((o) => o.includes('/'));
  else if (['cp', 'mv', 'install', 'ln'].includes(cmd)) mustMention = targetDir ? operands : operands.slice(0, -1);
  else if (['chmod', 'chown', 'chgrp'].includes(cmd)) mustMention = operands.slice(1);
  else if (cmd === 'rm') mustMention = operands;
  const stray = mustMention.find((o) => !mentions(o));
  return stray !== undefined ? `${cmd} also ${cmd === 'wget' || cmd === 'curl' || cmd === 'go' ? 'fetches' : 'touches'} ${stray}` : undefined;
}

function destinationOf(cmd: string, args: string[]): string | undefined {
  if (cmd === 'wget') {
    for (let i = 0; i < args.length; i++) {
      const m = /^-q?O(.+)$/.exec(args[i]!) ?? /^--output-document=(.+)$/.exec(args[i]!);
      if (m) return m[1];
      if (/^-q?O$/.test(args[i]!) || args[i] === '--output-document') return args[i + 1];
    }
  }
  if (cmd === 'curl') {
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-o' || args[i] === '--output' || /^-[a-zA-Z]*o$/.test(args[i]!)) return args[i + 1];
      const m = /^--output=(.+)$/.exec(args[i]!) ?? /^-[a-zA-Z]*o(\/.+)$/.exec(args[i]!);
      if (m) return m[1];
    }
  }
  // `mv grpc_health_probe-linux-amd64 /usr/local/bin/hc`: one file to a path that is not a usual
  // folder, under another name (as for COPY).
  if (cmd === 'mv' || cmd === 'cp' || cmd === 'install' || cmd === 'ln') {
    const operands = args.filter((a, i) => !a.startsWith('-') && !['-m', '-o', '-g', '--mode'].includes(args[i - 1] ?? ''));
    if (operands.length === 2 && isRenamedCopy(operands[0]!, operands[1]!)) return operands[1];
  }
  // cp/mv/install targets may be folders (`cp x /usr/local/bin`): tracking those would make every
  // later use of the folder look like the binary.
  return undefined;
}

/**
 * Commands that, in the value of an assignment (`$(echo $TARGETPLATFORM | cut -d/ -f2)`), only
 * turn text into the value: no file written, nothing else run. `sed` with `s` commands alone (no
 * `-i`, no `w` or `e` flag), `awk` without `system`, `getline` or output redirection, `go env`.
 */
function isValueFilter(words: string[]): boolean {
  const cmd = baseName(words[0]!);
  const args = words.slice(1);
  if (['cut', 'tr', 'basename', 'dirname', 'head', 'tail', 'grep'].includes(cmd)) return true;
  if (cmd === 'go') return isArchQuery(words);
  if (cmd === 'sed') return args.every((a) => ['-e', '-E', '-r', '-n'].includes(a) || isSedSubstitutions(a));
  if (cmd === 'awk') return !args.some((a) => /system|getline|[>|]/.test(a));
  return false;
}

/**
 * A command that only prints the machine's or the toolchain's architecture: `uname -m`, `arch`,
 * `dpkg --print-architecture`, `dpkg-architecture -qDEB_HOST_ARCH`, `apk --print-arch`, `go env
 * GOARCH` (not `go env -w`, which writes the toolchain's settings; not `arch <cmd>`, which runs one).
 */
function isArchQuery(words: string[]): boolean {
  const cmd = baseName(words[0] ?? '');
  const args = words.slice(1);
  if (cmd === 'uname') return args.every((a) => /^-[a-z]+$/.test(a) || ['--machine', '--processor', '--hardware-platform', '--kernel-name', '--operating-system'].includes(a));
  if (cmd === 'arch') return args.length === 0;
  if (cmd === 'dpkg') return args.length === 1 && ['--print-architecture', '--print-foreign-architectures'].includes(args[0]!);
  if (cmd === 'dpkg-architecture') return args.length > 0 && args.every((a, i) => /^-q[A-Z_]+$/.test(a) || a === '-q' || (args[i - 1] === '-q' && /^[A-Z_]+$/.test(a)));
  if (cmd === 'apk') return args.length === 1 && args[0] === '--print-arch';
  if (cmd === 'go') return args[0] === 'env' && args.slice(1).every((a) => /^[A-Z][A-Z0-9_]*$/.test(a) || a === '-json');
  return false;
}

/** A call inside a `$(…)`, backquotes or `<(…)` of another call of the same statement. */
function inSubstitution(c: ShCall, calls: ShCall[]): boolean {
  return calls.some((o) => o !== c && o.start <= c.start && c.end <= o.end);
}

/**
 * Whether a substitution around a call writes a file (`$(uname -m | tee /arch)` is a filter that
 * writes; `$(apk --print-arch > /arch)`): the substitutions of the calls around it, as written.
 */
function substitutionWrites(c: ShCall, calls: ShCall[]): boolean {
  for (const o of calls) {
    if (o === c || o.start > c.start || c.end > o.end) continue;
    const words = [...o.args, ...o.assigns.flatMap((a) => (a.value ? [a.value] : []))];
    for (const w of words) for (const p of w.parts) if (p.type === 'other' && (p.what === 'CmdSubst' || p.what === 'ProcSubst') && (p.source === undefined || p.source.startsWith('>(') || writesFile(p.source))) return true;
  }
  return false;
}

/**
 * A sed script of `s` (and `y`) commands alone, one after another (`s/x86_64/amd64/;s/aarch64/arm64/`):
 * flags `g`, `I`, `i`, `p`, a number; no `w` or `e` flag, no other command (`w`, `e`, `r`, a block).
 */
function isSedSubstitutions(script: string): boolean {
  let i = 0;
  let commands = 0;
  const part = (d: string): boolean => {
    for (; i < script.length && script[i] !== '\n'; i++) {
      if (script[i] === '\\') i++;
      else if (script[i] === d) {
        i++;
        return true;
      }
    }
    return false;
  };
  while (i < script.length) {
    if (/[\s;]/.test(script[i]!)) {
      i++;
      continue;
    }
    const op = script[i];
    if (op !== 's' && op !== 'y') return false;
    const d = script[i + 1];
    if (d === undefined || d === '\\' || d === '\n' || /\s/.test(d)) return false;
    i += 2;
    if (!part(d) || !part(d)) return false;
    if (op === 's') while (i < script.length && /[gIip0-9]/.test(script[i]!)) i++;
    if (i < script.length && !/[\s;]/.test(script[i]!)) return false;
    commands++;
  }
  return commands > 0;
}

/** Whether a value's text writes a file through a redirection (`$(cut -f1 x > /y)`); `2>/dev/null`, `2>&1` do not. */
function writesFile(value: string): boolean {
  return value.replace(/\d?>\s*(\/dev\/null|&\d)/g, '').includes('>');
}

function variablesIn(stmt: ShStmt): Set<string> {
  return stmt.params;
}

/** Names set by `export`/`readonly`/`declare`/`local`/`typeset` in a segment (the parser's plain tree keeps no declarations). */
function declaredNames(segText: string): string[] {
  const out: string[] = [];
  for (const m of segText.matchAll(/(?:^|[\s;&|(])(?:export|readonly|declare|local|typeset)((?:\s+-\w+)*(?:\s+[A-Za-z_]\w*(?:=\S*)?)+)/g)) {
    for (const n of m[1]!.matchAll(/\s([A-Za-z_]\w*)(?==|\s|$)/g)) out.push(n[1]!);
  }
  return out;
}

/** A guard: `[ … ]`, `test …`, `[[ … ]]`, or a pipeline that ends in `grep -q` (`uname -m | grep -q x86_64`). */
function isTestSegment(seg: Segment): boolean {
  const cmd = seg.stmt.cmd;
  if (seg.stmt.negated) return false;
  if (cmd.type === 'compound') return cmd.what === 'TestClause';
  const word = (c: ShCall, n: number) => c.args[n]?.parts.map((p) => (p.type === 'lit' ? p.value : '\0')).join('');
  if (cmd.type === 'binary') {
    if (cmd.op !== '|' || cmd.y.cmd.type !== 'call') return false;
    const y = cmd.y.cmd;
    return word(y, 0) === 'grep' && y.args.slice(1).some((_, n) => /^-[a-zA-Z]*q/.test(word(y, n + 1) ?? ''));
  }
  const first = word(cmd, 0);
  return first === '[' || first === 'test';
}

/**
 * A package word to cut (with the blank before it). Alone on a continued line (`  grpc-health-probe \\`)
 * its whole line goes; last of the list on its own line, the ` \\` that led to it goes too, so that
 * no continuation is left joining the next instruction.
 */
function packageWordRange(text: string, start: number, end: number): Range {
  const lineStart = lineStartOf(text, start);
  if (/\S/.test(text.slice(lineStart, start))) return { start, end };
  const after = /^[ \t]*\\\r?\n/.exec(text.slice(end));
  if (after) return { start: lineStart, end: end + after[0].length };
  const before = /[ \t]*\\\r?\n$/.exec(text.slice(0, lineStart));
  return before ? { start: lineStart - before[0].length, end } : { start, end };
}

/** Options of package managers that take the next word as their value (`apk add -X <repo> …`). */
const PACKAGE_VALUE_FLAGS = new Set(['-X', '--repository', '-t', '--virtual', '--target-release', '-o', '--option', '--repo', '--enablerepo', '--disablerepo', '--root', '-p']);

/** `apk add …`, `apt-get install …`, `dnf install …`: the subcommand and the package words. */
function packageInstall(words: string[]): { sub: string; packages: string[] } | undefined {
  const cmd = baseName(words[0] ?? '');
  if (!PACKAGE_MANAGERS.has(cmd) && cmd !== 'zypper') return undefined;
  const rest: string[] = [];
  for (let i = 1; i < words.length; i++) {
    if (PACKAGE_VALUE_FLAGS.has(words[i]!)) i++;
    else if (!words[i]!.startsWith('-')) rest.push(words[i]!);
  }
  const [sub, ...packages] = rest;
  return sub === 'add' || sub === 'install' ? { sub: sub, packages } : undefined;
}

/** Packages a download needs; a stage left installing only these serves nothing once the download goes. */
const FETCH_PACKAGES = new Set(['curl', 'wget', 'ca-certificates']);
const PACKAGE_MANAGERS = new Set(['apt-get', 'apt', 'apk', 'yum', 'dnf', 'microdnf']);

/** A RUN cut down to steps that only served the download: updating, installing FETCH_PACKAGES, cleaning caches. */
function leavesOnlyFetchTools(site: Site): boolean {
  const plan = site.run;
  if (!plan || site.whole) return false;
  return plan.segments.every(
    (seg, k) => plan.removed[k] || (seg.stmt.cmd.type === 'call' && seg.stmt.calls.every((c) => isFetchToolStep(callArgs(c, () => undefined).map((w) => w.text)))),
  );
}

/**
 * A RUN that installs packages with apk or apt without updating the index itself (`apk add` without
 * `--no-cache`, `apt-get install` without `apt-get update`), read with the shell parser: it relies
 * on an earlier RUN's update. dnf, yum and zypper fetch their metadata themselves. A RUN the parser
 * does not read (exec form, a here-document) may rely on it too.
 */
function usesIndexOfEarlierRun(text: string, parsed: ParsedDockerfile, ins: DockerInstruction): boolean {
  const segments = runSegments(text, parsed, ins);
  if (!segments) return true;
  let installs = false;
  let updates = false;
  for (const call of segments.flatMap((seg) => seg.stmt.calls)) {
    const words = callArgs(call, () => undefined).map((w) => w.text);
    const cmd = baseName(words[0] ?? '');
    if (cmd !== 'apk' && cmd !== 'apt' && cmd !== 'apt-get') continue;
    const flags = words.slice(1).filter((w) => w.startsWith('-'));
    if (cmd === 'apk' && flags.some((f) => f === '-U' || f === '--update-cache' || f === '--update')) updates = true;
    if (words.slice(1).find((w) => !w.startsWith('-')) === 'update') updates = true;
    if (packageInstall(words) !== undefined && !(cmd === 'apk' && flags.includes('--no-cache'))) installs = true;
  }
  return installs && !updates;
}

/** A package manager's index update or cache cleaning: `apt-get update`, `rm -rf /var/lib/apt/lists/*`. */
function isHousekeepingStep(words: string[]): boolean {
  const cmd = baseName(words[0] ?? '');
  // update-ca-certificates may install certificates an earlier COPY added: not ours to drop.
  return cmd !== 'update-ca-certificates' && isFetchToolStep(words) && !(PACKAGE_MANAGERS.has(cmd) && packageInstall(words) !== undefined);
}

function isFetchToolStep(words: string[], git = false): boolean {
  const cmd = baseName(words[0] ?? '');
  const operands = words.slice(1).filter((w) => !w.startsWith('-'));
  if (PACKAGE_MANAGERS.has(cmd)) {
    const [sub, ...packages] = operands;
    if (sub === 'update' || sub === 'clean') return packages.every((p) => p === 'all');
    return (sub === 'install' || sub === 'add') && packages.length > 0 && packages.every((p) => FETCH_PACKAGES.has(p) || (git && p === 'git'));
  }
  if (cmd === 'update-ca-certificates') return operands.length === 0;
  if (cmd === 'rm') return operands.length > 0 && operands.every((o) => /^\/var\/(lib\/apt\/lists|cache\/(apt|apk|dnf|yum))(\/\*?)?$/.test(o));
  return false;
}

/** Whether the last WORKDIR among `before` is a folder named for the binary (a clone of it). */
function inBinaryWorkdir(text: string, before: DockerInstruction[], mentions: (s: string) => boolean): boolean {
  const workdir = before.filter((i) => i.keyword === 'WORKDIR').pop();
  return workdir !== undefined && mentions(text.slice(workdir.argsStart, workdir.end));
}

/** The RUN's statements, or undefined when it is not a plain shell-form RUN the parser reads. */
function runSegments(text: string, parsed: ParsedDockerfile, ins: DockerInstruction): Segment[] | undefined {
  if (ins.keyword !== 'RUN' || runForm(ins, text, parsed.escape) !== 'shell') return undefined;
  try {
    return parseRunBody(text, ins, runBodyStart(text, ins, parsed.lines), parsed.escape).segments;
  } catch (e) {
    if (e instanceof ShellParseError) return undefined;
    throw e;
  }
}

/** In the binary's folder: `git checkout`, `go mod download`, or `go build`/`go install` of that folder's module. */
function onlyBuildsHere(text: string, parsed: ParsedDockerfile, ins: DockerInstruction): boolean {
  const segs = runSegments(text, parsed, ins);
  return (
    segs !== undefined &&
    segs.length > 0 &&
    segs.every((seg) => {
      if (isScratchBuildStep(seg)) return true;
      if (seg.stmt.cmd.type !== 'call' || seg.stmt.calls.length !== 1) return false;
      const words = withoutEnv(callArgs(seg.stmt.calls[0]!, () => undefined).map((w) => w.text));
      // A package named (`./cmd/app`, `github.com/acme/tool`) is something else's build.
      if (baseName(words[0] ?? '') !== 'go' || !['build', 'install'].includes(words[1] ?? '')) return false;
      const args = words.slice(2).filter((w, i, all) => all[i - 1] !== '-o' && !/^-o=|^--?ldflags/.test(w));
      return args.every((w) => !w.includes('/') || w === './...');
    })
  );
}

/** A RUN of its own that only installs the download's tools (`RUN apk add --no-cache curl`; git too for a clone). */
function onlyFetchToolsRun(text: string, parsed: ParsedDockerfile, ins: DockerInstruction, git: boolean): boolean {
  const segs = runSegments(text, parsed, ins);
  return (
    segs !== undefined &&
    segs.length > 0 &&
    segs.every((seg) => seg.stmt.cmd.type === 'call' && seg.stmt.calls.every((c) => isFetchToolStep(callArgs(c, () => undefined).map((w) => w.text), git)))
  );
}

/** In the binary's scratch folder: module bookkeeping (`go mod init temp`) or picking the tag of a clone (`git checkout v0.4.12`). */
function isScratchBuildStep(seg: Segment): boolean {
  const calls = seg.stmt.calls;
  if (seg.stmt.cmd.type !== 'call' || calls.length !== 1) return false;
  const words = withoutEnv(callArgs(calls[0]!, () => undefined).map((w) => w.text));
  const cmd = baseName(words[0] ?? '');
  if (cmd === 'go') return words[1] === 'mod' && ['init', 'tidy', 'download'].includes(words[2] ?? '');
  return cmd === 'git' && (words[1] === 'checkout' || words[1] === 'fetch');
}

/** `env GOBIN=/out go install …` is `go install …` with variables set for it alone. */
function withoutEnv(words: string[]): string[] {
  if (words.length === 0 || baseName(words[0]!) !== 'env') return words;
  let i = 1;
  while (i < words.length && /^[A-Za-z_]\w*=/.test(words[i]!)) i++;
  return i < words.length ? words.slice(i) : words;
}

function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/**
 * Deletes runs of removed segments from a chain and keeps it tidy: a run that starts its own
 * line goes line by line (comments that belong to it too); a run that starts mid-line takes the
 * operator before it, so no `&&` dangles and the continuation of the next line stays.
 */
function chainRemoval(text: string, segs: Segment[], removed: boolean[]): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < segs.length; i++) {
    if (!removed[i]) continue;
    let j = i;
    while (j + 1 < segs.length && removed[j + 1]) j++;
    const first = segs[i]!;
    const last = segs[j]!;
    const next = segs[j + 1];
    const prev = segs[i - 1];
    const ownLine = i > 0 && /^[ \t]*$/.test(text.slice(lineStartOf(text, first.start), first.start));
    // The tail of one statement's chain, with another statement after it (a here-document's next
    // line, or after `;`): the `&&` before it goes, and the line break that ends the statement
    // stays (cutting to the next statement would join the two).
    if (next && prev && next.top !== last.top && prev.top === first.top) {
      out.push({ start: prev.end, end: last.end });
      i = j;
      continue;
    }
    // Whole statements at the start, the next one on a later line: up to the end of the line, so
    // that comment lines before the next statement stay.
    if (next && i === 0 && next.top !== last.top && lineStartOf(text, next.start) > last.end) {
      out.push({ start: first.start, end: nextLineStart(text, last.end) });
      i = j;
      continue;
    }
    // The head of a statement's chain that is not the RUN's first (`apk add curl; wget … && echo
    // done`): from its start to the link that stays, the `&&` after it included.
    if (next && prev && next.top === last.top && prev.top !== first.top && !(ownLine && lineStartOf(text, next.start) > last.end)) {
      out.push({ start: first.start, end: next.start });
      i = j;
      continue;
    }
    if (next && ownLine && lineStartOf(text, next.start) > last.end) {
      out.push({ start: continuationCommentsAbove(text, lineStartOf(text, first.start), segs[i - 1]!.end), end: nextLineStart(text, last.end) });
    } else if (next && i === 0) {
      out.push({ start: first.start, end: next.start });
    } else if (next && ownLine) {
      out.push({ start: first.start, end: next.start });
    } else {
      out.push({ start: segs[i - 1]!.end, end: last.end });
    }
    i = j;
  }
  return out;
}

/** Extends a line-start offset up over comment lines inside a continuation that talk about the probe. */
function continuationCommentsAbove(text: string, lineStart: number, floor: number): number {
  let start = lineStart;
  while (start > floor) {
    const prev = lineStartOf(text, start - 1);
    if (prev <= floor) break;
    const line = text.slice(prev, start);
    if (!/^[ \t]*#/.test(line) || !PROBE_WORDS.test(line)) break;
    start = prev;
  }
  return start;
}

/** The lines of an instruction, with the comment lines right above it that are about the probe. */
function wholeInstruction(text: string, ins: DockerInstruction): Range {
  return { start: withCommentsAbove(text, lineStartOf(text, ins.start)), end: nextLineStart(text, ins.end) };
}

function withCommentsAbove(text: string, lineStart: number): number {
  const isComment = (line: string) => /^[ \t]*#/.test(line) && !/^#\s*(escape|syntax|check)\s*=/i.test(line);
  let start = lineStart;
  while (start > 0) {
    const prev = lineStartOf(text, start - 1);
    const line = text.slice(prev, start);
    if (!isComment(line) || !PROBE_WORDS.test(line)) break;
    start = prev;
  }
  // A paragraph of comments whose first line is about the probe (`# Pinned SHA-256 of
  // grpc_health_probe-linux-amd64 …` over three more lines of explanation) goes whole.
  let top = start;
  while (top > 0 && isComment(text.slice(lineStartOf(text, top - 1), top))) top = lineStartOf(text, top - 1);
  if (top < start && PROBE_WORDS.test(text.slice(top, nextLineStart(text, top)))) return top;
  return start;
}

function lineRange(text: string, ins: DockerInstruction): Range {
  return { start: lineStartOf(text, ins.start), end: nextLineStart(text, ins.end) };
}

function copySite(
  text: string,
  parsed: ParsedDockerfile,
  ins: DockerInstruction,
  mentions: (s: string) => boolean,
  probeStages: Set<string>,
  tracked: Set<string>,
  namedScripts: DockerAnalysis['namedScripts'],
  problems: DockerProblem[],
): Site | undefined {
  const node = ins.node as unknown as Copy & JSONInstruction;
  const flags: Flag[] = node.getFlags();
  const fromValue = flags.find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? '';
  // `--from=<stage>` names an earlier stage when one is so named; otherwise an image (or a stage index).
  const stage = stageNamed(parsed, fromValue, ins.start);
  const fromProbe = stage ? probeStages.has(String(stage.stage)) : mentionsBinary(fromValue) || probeStages.has(fromValue.toLowerCase());
  const at = (p: { line: number; character: number }) => parsed.lines.offset(p.line, p.character);
  let args: Range[];
  let values: string[];
  const bracket = node.getOpeningBracket();
  // Read here rather than by dockerfile-ast, which stops at a comment line inside the array and
  // drops the backslash of `\u002d` or `\/` instead of decoding it.
  const strings = bracket ? execFormStrings(text, at(bracket.getRange().start), ins.end, parsed.escape) : undefined;
  if (strings) {
    args = strings.map(({ start, end }) => ({ start, end }));
    values = strings.map((s) => s.value);
  } else {
    const all = node.getArguments().filter((a) => !flags.some((f) => sameStart(f.getRange().start, a.getRange().start)));
    const plain = all.filter((a) => !a.getValue().startsWith('--'));
    args = plain.map((a) => ({ start: at(a.getRange().start), end: at(a.getRange().end) }));
    values = plain.map((a) => a.getValue());
  }
  if (args.length < 2) return undefined;
  const sources = values.slice(0, -1);
  const dest = values[values.length - 1]!;
  // `COPY scripts/grpc_health_probe.sh /usr/local/bin/healthcheck.sh`: a script of the build
  // context named after the binary is not the binary; what it runs is read from the script itself.
  const scripts = fromValue === '' ? sources.filter((s) => mentions(s) && isScriptNamedAfterBinary(s)) : [];
  if (scripts.length > 0) namedScripts.push({ ins, sources: scripts });
  // From the probe's image (or a stage built on it), a source is the binary when it names it
  // (`/ko-app/grpc-health-probe`); a folder that holds it with other files (`/`, `/ko-app`, a glob
  // there) cannot lose only the binary; any other path (`/etc/ssl/certs`) is not the binary.
  const holdsBinary = fromProbe ? sources.find((s) => !mentions(s) && isFolderOfProbeBinary(s)) : undefined;
  if (holdsBinary !== undefined) {
    problems.push({ start: ins.start, end: ins.end, message: `COPY --from=${fromValue} copies ${holdsBinary}, which holds grpc_health_probe with other files of that image; the tool cannot take out only the binary, so the file was left unchanged` });
    return undefined;
  }
  let hits = sources.map((s) => mentions(s) && !scripts.includes(s));
  if (ins.keyword === 'ADD' && !hits.some(Boolean)) {
    // `ARG PROBE_URL=https://…/grpc_health_probe-linux-amd64` then `ADD ${PROBE_URL} /bin/hc`:
    // the source as Docker expands it; or one download (a URL, or a variable the tool cannot
    // resolve, such as a --build-arg) to the binary's own path (`ADD $URL /bin/grpc_health_probe`).
    hits = sources.map((s) => s.includes('$') && mentions(expandWord(parsed, ins, s)));
    const to = expandWord(parsed, ins, dest);
    if (!hits.some(Boolean) && sources.length === 1 && !to.endsWith('/') && mentionsBinary(to.slice(to.lastIndexOf('/') + 1)) && /^(https?:\/\/|\$)/.test(sources[0]!)) hits = [true];
  }
  // From the build context (no --from, not a download): `COPY bin/grpc_health_probe-linux-amd64
  // /usr/local/bin/grpc_health_probe`, the binary vendored in the repository. One file copied to
  // the binary's own path under another name (`COPY tools/healthcheck /bin/grpc_health_probe`) is
  // it too, unless it is a script (a wrapper that stands in for the binary).
  const fromContext = (s: string) => fromValue === '' && !/^(https?|git|ssh):\/\/|^git@|\$/.test(s);
  if (!hits.some(Boolean) && sources.length === 1 && fromContext(sources[0]!) && !SCRIPT_EXTENSION.test(sources[0]!) && !dest.endsWith('/') && mentionsBinary(dest.slice(dest.lastIndexOf('/') + 1))) hits = [true];
  if (!hits.some(Boolean)) return undefined;
  const vendored = sources.filter((s, i) => hits[i] && fromContext(s));
  const label =
    vendored.length > 0
      ? `${ins.keyword} copies grpc_health_probe from the build context (${vendored.join(', ')})`
      : ins.keyword === 'ADD'
        ? 'ADD downloads grpc_health_probe'
        : `COPY ${fromValue ? `--from=${fromValue} ` : ''}copies grpc_health_probe`;
  const context = vendored.length > 0 ? { vendored } : {};
  if (hits.every(Boolean)) {
    // ADD <url> <path> writes a file at <path> unless it ends with `/`. A COPY target may be a
    // folder that exists in the image: one source to a path that is not a usual folder, under
    // another name than the source's, is taken as the binary renamed (`COPY --from=… /ko-app/
    // grpc-health-probe /bin/hc`).
    if (ins.keyword === 'ADD' && !dest.endsWith('/') && dest.includes('/')) tracked.add(dest);
    else if (ins.keyword === 'COPY' && sources.length === 1 && isRenamedCopy(sources[0]!, dest)) tracked.add(dest);
    return { ins, what: ins.keyword, message: label, ranges: [wholeInstruction(text, ins)], whole: true, ...context };
  }
  // A multi-source COPY loses only the binary's source.
  const ranges: Range[] = [];
  // Comment lines about the probe next to a removed source (above or below it) go with it.
  const gaps = new Set<number>();
  hits.forEach((hit, i) => {
    if (!hit) return;
    ranges.push(sourceRange(text, args[i]!, args[i + 1]!));
    if (i > 0) gaps.add(i);
    gaps.add(i + 1);
  });
  for (const g of gaps) ranges.push(...probeCommentLines(text, args[g - 1]!.end, args[g]!.start));
  return { ins, what: ins.keyword, message: `${label} (one of several sources)`, ranges, whole: false, ...context };
}

/**
 * What goes with one source of a COPY that keeps others: up to the next argument when both are on
 * one line. Across a line continuation, the source's own line when it is alone on it, else the
 * source up to the continuation (`COPY ["app", "grpc_health_probe", \` keeps `COPY ["app", \`).
 */
function sourceRange(text: string, source: Range, next: Range): Range {
  const gap = text.slice(source.end, next.start);
  if (!gap.includes('\n')) return { start: source.start, end: next.start };
  const lineStart = lineStartOf(text, source.start);
  if (/^[ \t]*$/.test(text.slice(lineStart, source.start))) return { start: lineStart, end: nextLineStart(text, source.end) };
  return { start: source.start, end: source.end + /^[ \t]*,?[ \t]*/.exec(gap)![0].length };
}

/** The whole comment lines between two arguments (inside a line continuation) that are about the probe. */
function probeCommentLines(text: string, from: number, to: number): Range[] {
  const out: Range[] = [];
  for (let at = nextLineStart(text, from); at < lineStartOf(text, to); at = nextLineStart(text, at)) {
    const line = text.slice(at, nextLineStart(text, at));
    if (/^[ \t]*#/.test(line) && PROBE_WORDS.test(line)) out.push({ start: at, end: nextLineStart(text, at) });
  }
  return out;
}

/**
 * The bind mounts of a RUN from the probe's image or from a stage built FROM it (`--mount=type=bind,
 * from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24,source=/ko-app/grpc-health-probe,
 * target=/tmp/probe`), with the flag's range and the blanks after it (removed with it).
 */
function probeMounts(ins: DockerInstruction, parsed: ParsedDockerfile, probeStages: ReadonlySet<string>): { from: string; target: string; range: Range }[] {
  if (ins.keyword !== 'RUN') return [];
  const flags = (ins.node as unknown as JSONInstruction).getFlags();
  const out: { from: string; target: string; range: Range }[] = [];
  for (const f of flags) {
    if (f.getName().toLowerCase() !== 'mount') continue;
    const options = new Map(f.getOptions().map((o) => [o.getName().toLowerCase(), o.getValue() ?? '']));
    const from = options.get('from');
    const target = options.get('target') ?? options.get('dst') ?? options.get('destination');
    if ((options.get('type') ?? 'bind') !== 'bind' || !from || !target) continue;
    const stage = stageNamed(parsed, from, ins.start);
    if (!(stage ? probeStages.has(String(stage.stage)) : mentionsBinary(from))) continue;
    const r = f.getRange();
    const start = parsed.lines.offset(r.start.line, r.start.character);
    let end = parsed.lines.offset(r.end.line, r.end.character);
    // The blanks after it, and a continuation with the next line's indent (`RUN --mount=… \` over
    // `    cp …`): what stays starts where the flag did.
    const blanks = (i: number) => {
      while (i < ins.end && /[ \t]/.test(parsed.text[i]!)) i++;
      return i;
    };
    end = blanks(end);
    const afterContinuation = /^\r?\n/.exec(parsed.text.slice(end + 1, end + 3));
    if (parsed.text[end] === parsed.escape && afterContinuation) end = blanks(end + 1 + afterContinuation[0].length);
    out.push({ from, target: target.length > 1 ? target.replace(/\/+$/, '') : target, range: { start, end } });
  }
  return out;
}

/** Where the upstream probe image keeps the binary (a ko image). */
const PROBE_IMAGE_BINARY = '/ko-app/grpc-health-probe';

/** A COPY source from the probe image that takes the folder holding the binary, with whatever else is there: `/`, `/ko-app/`, `/ko-app/*`. */
function isFolderOfProbeBinary(source: string): boolean {
  const abs = `/${source.replace(/^\.(\/|$)/, '').replace(/^\/+/, '')}`;
  // A glob matches below the folder before its first wildcard (`/ko-app/*`, `/k*`).
  const glob = abs.search(/[*?[]/);
  const folder = (glob === -1 ? abs : abs.slice(0, abs.lastIndexOf('/', glob) + 1)).replace(/\/+$/, '');
  return folder === '' || PROBE_IMAGE_BINARY.startsWith(`${folder}/`) || (glob !== -1 && PROBE_IMAGE_BINARY === folder);
}

/** Folders a COPY commonly targets: a copy into one keeps the source's name. */
const USUAL_FOLDERS = new Set(['/', '.', '/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/app', '/opt', '/tmp', '/usr/local', '/srv', '/home']);

function isRenamedCopy(source: string, dest: string): boolean {
  if (dest.endsWith('/') || !dest.includes('/') || /[$*?[]/.test(dest) || USUAL_FOLDERS.has(dest)) return false;
  const name = dest.slice(dest.lastIndexOf('/') + 1);
  return name !== source.slice(source.lastIndexOf('/') + 1) && !mentionsBinary(name);
}

/** `s` names the file `p` itself, not a longer path that starts with it. */
function containsPath(s: string, p: string): boolean {
  return pathOffsets(s, p).length > 0;
}

/** The image's default PATH (Docker's, for a base image that sets none). */
const DEFAULT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * The names a shell finds the renamed installs by without their folder: those whose folder is on
 * the image's PATH (Docker's default, or a folder an `ENV PATH=` of the same Dockerfile adds).
 */
export function namesOnPath(analysis: DockerAnalysis): string[] {
  const dirs = new Set(DEFAULT_PATH);
  for (const ins of analysis.parsed.instructions) {
    if (ins.keyword !== 'ENV') continue;
    for (const prop of (ins.node as unknown as PropertyInstruction).getProperties()) {
      if (prop.getName() !== 'PATH') continue;
      for (const d of (prop.getValue() ?? '').split(':')) dirs.add(d.replace(/\/+$/, ''));
    }
  }
  const names = new Set<string>();
  for (const p of analysis.renamed) {
    const cut = p.lastIndexOf('/');
    const name = p.slice(cut + 1);
    if (cut >= 0 && name !== '' && dirs.has(p.slice(0, cut) || '/')) names.add(name);
  }
  return [...names];
}

/**
 * Offsets where `name` stands as a command word: in a shell line, an exec array or a YAML list
 * item (`healthcheck -addr=:5000`, `["healthcheck", …]`, `- healthcheck`), not as part of a
 * longer word, a path, a variable, a YAML or JSON key (`healthcheck:`, `"healthcheck": {…}`), nor
 * the value of a key that holds no command (`name: healthcheck`, `{"app": "healthcheck"}`,
 * `"tags": ["web", "healthcheck"]`).
 */
export function commandWordOffsets(s: string, name: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(name); i !== -1; i = s.indexOf(name, i + 1)) {
    const before = s[i - 1] ?? '';
    const after = s[i + name.length] ?? '';
    if (!((before === '' || /[\s"'[(;&|`]/.test(before)) && (after === '' || /[\s"'\]);&|,`]/.test(after)))) continue;
    // `"healthcheck": {…}`: a quoted key (JSON, flow YAML) names a setting; it runs nothing.
    if ((before === '"' || before === "'") && after === before && /^\s*:/.test(s.slice(i + name.length + 1))) continue;
    const key = ownerKey(s.slice(s.lastIndexOf('\n', i - 1) + 1, i));
    if (key !== undefined && !COMMAND_KEYS.has(key.toLowerCase())) continue;
    out.push(i);
  }
  return out;
}

/** A key written at the start of a line, or after `{` or `,` in a flow map or one-line JSON. */
const KEY = String.raw`(?:^\s*(?:-\s+)?|[{,]\s*)(?:"([\w.\/-]+)"|'([\w.\/-]+)'|([\w.\/-]+))\s*:\s*`;
/** The word starts the key's value: `name: x`, `"name": "x"`. */
const KEY_VALUE = new RegExp(`${KEY}["']?$`);
/** The word is an item of the key's flow list, on the same line: `"tags": ["web", "x"`. */
const KEY_LIST = new RegExp(`${KEY}\\[[^\\][{}]*$`);

/**
 * The word is inside the plain or quoted one-line value of a key that starts the line: `- name:
 * Run healthcheck`, `description: "checked with healthcheck"`. Not when the value opens a flow
 * collection or a block scalar, nor when it holds a bracket or a comma (a flow map's next key
 * could own the word: the line is then read as before).
 */
const KEY_SCALAR = /^\s*(?:-\s+)?(?:"([\w.\/-]+)"|'([\w.\/-]+)'|([\w.\/-]+))\s*:\s+(?![[{|>])[^[\]{},]*$/;

/** The key whose value (a scalar, or an item of its one-line list) holds a word, from the line's text up to it, if any. */
function ownerKey(lineBefore: string): string | undefined {
  const m = KEY_VALUE.exec(lineBefore) ?? KEY_LIST.exec(lineBefore) ?? KEY_SCALAR.exec(lineBefore);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/**
 * Keys whose value is a command line, compared in lower case: Kubernetes and compose (`command`,
 * `entrypoint`, `test`), ECS task definitions and CDK (`entryPoint`), Docker's image config
 * (`Entrypoint`, `Cmd`, `Healthcheck.Test`), CI and task runners: GitHub Actions and CircleCI
 * steps (`run`), GitLab CI, Travis and Tekton (`script`, `before_script`, `after_script`),
 * Drone, Woodpecker and Buildkite (`commands`), Taskfile (`cmds`).
 */
const COMMAND_KEYS = new Set(['command', 'args', 'entrypoint', 'test', 'cmd', 'run', 'script', 'before_script', 'after_script', 'commands', 'cmds']);

/** Where a text names a path as a whole (`/bin/healthcheck`, not `/bin/healthcheck2` nor `/api/bin/healthcheck`). */
export function pathOffsets(s: string, p: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf(p); i !== -1; i = s.indexOf(p, i + 1)) {
    if (!/[A-Za-z0-9_.-]/.test(s[i + p.length] ?? '') && !/[A-Za-z0-9_.\/-]/.test(s[i - 1] ?? '')) out.push(i);
  }
  return out;
}

function sameStart(a: { line: number; character: number }, b: { line: number; character: number }): boolean {
  return a.line === b.line && a.character === b.character;
}

/** Whether anything that stays refers to a stage, or may (stageUses), but the probe mounts its RUN loses. */
function stageReferenced(parsed: ParsedDockerfile, index: number, removed: ReadonlySet<DockerInstruction>, droppedMounts: ReadonlyMap<DockerInstruction, ReadonlySet<string>>): boolean {
  return stageUses(parsed, index).some((u) => !removed.has(u.ins) && !droppedMounts.get(u.ins)?.has(u.ref));
}

function userOf(text: string, ins: DockerInstruction): string {
  return text.slice(ins.argsStart, ins.end).trim();
}

function propertyNames(ins: DockerInstruction): string[] {
  return (ins.node as unknown as PropertyInstruction).getProperties().map((p: Property) => p.getName());
}

function usesVariable(text: string, name: string): boolean {
  return new RegExp(`\\$(\\{${escapeRegExp(name)}([:}]|[-+?=#%/^,])|${escapeRegExp(name)}(?![A-Za-z0-9_]))`).test(text);
}

/** The text without `ranges` (which may overlap), and with `replacements` (which overlap none) written in. */
function cutRanges(text: string, ranges: Range[], replacements: readonly Edit[] = []): string {
  const sorted = [...ranges.map((r) => ({ ...r, text: '' })), ...replacements].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const r of sorted) {
    if (r.start > pos) out += text.slice(pos, r.start);
    out += r.text;
    pos = Math.max(pos, r.end);
  }
  return out + text.slice(pos);
}

/** "wget may now be unused": a package installed in a kept part of the file that only the download used. */
function packageNotes(text: string, parsed: ParsedDockerfile, sites: Site[]): Map<RunPlan, string[]> {
  const notes = new Map<RunPlan, string[]>();
  const removedRanges = sites.flatMap((s) => s.ranges);
  const remaining = cutRanges(text, removedRanges);
  for (const site of sites) {
    const plan = site.run;
    if (!plan) continue;
    const list: string[] = [];
    for (const tool of DOWNLOADERS) {
      if (!plan.commands.has(tool)) continue;
      const installer = parsed.instructions.find((i) => i.keyword === 'RUN' && i.stage === plan.ins.stage && installsPackage(keptBody(text, i, removedRanges), tool));
      if (!installer) continue;
      // Still called somewhere that stays (other than as the package name being installed)?
      // Also inside quotes (`sh -c 'wget "https://…"'`) and with a variable for the address.
      const uses = remaining.split(/\r?\n/).filter((l) => new RegExp(`(^|[\\s;&|('"\`])${tool}\\s+(-|["']?(https?:|\\$))`).test(l));
      if (uses.length > 0) continue;
      list.push(`${tool} (installed on line ${parsed.lines.position(installer.start).line}) may now be unused`);
    }
    if (list.length > 0) notes.set(plan, list);
  }
  return notes;
}

/** What stays of an instruction's arguments once the removals are cut out. */
function keptBody(text: string, ins: DockerInstruction, removed: Range[]): string {
  const inside = removed
    .filter((r) => r.end > ins.argsStart && r.start < ins.end)
    .map((r) => ({ start: Math.max(r.start, ins.argsStart) - ins.argsStart, end: Math.min(r.end, ins.end) - ins.argsStart }));
  return cutRanges(text.slice(ins.argsStart, ins.end), inside);
}

function installsPackage(body: string, pkg: string): boolean {
  return /\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^&;|]*\b(install|add)\b/.test(body) && new RegExp(`(\\s)${pkg}(\\s|$|\\\\)`).test(body);
}

/**
 * A paragraph of comments right above whole instructions that go (`# Copy grpc_heath_prob` over
 * the COPY, `# gRPC healthchecker for docker compose` over the ADD), when nothing else of its
 * paragraph stays (a blank line above it, a blank line or the end of the file after what goes),
 * described only them: it goes too. Not at the top of the file (a licence header, parser
 * directives), and not inside a RUN.
 * A paragraph right above what goes that has an instruction right after it (no blank line) may be
 * about the instruction that goes, or head a group of instructions: it stays, and the site's
 * notes say so (returned per site), since it now reads as a note on the next instruction.
 */
function orphanedComments(text: string, parsed: ParsedDockerfile, installs: Planned[], renamed: readonly string[]): Map<Site, string[]> {
  const left = new Map<Site, string[]>();
  const isLineRange = (r: Range) => lineStartOf(text, r.start) === r.start && (r.end === text.length || text[r.end - 1] === '\n');
  const blank = (l: string) => /^[ \t]*\r?\n?$/.test(l);
  const comment = (l: string) => /^[ \t]*#/.test(l);
  for (const { start: blockStart, end: blockEnd, owner, owners } of lineRangeBlocks(installs, isLineRange)) {
    // An install under another name (`ADD … /bin/hc`) is kept or removed on its own, by what names
    // that path: beside another install, the paragraph may keep one of them.
    if (owners.size > 1 && [...owners].some((o) => renamed.some((p) => containsPath(text.slice(o.site.ins.start, o.site.ins.end), p)))) continue;
    // What goes is whole instructions (with comment lines of theirs already taken), not lines of a RUN.
    const first = parsed.instructions.find((i) => i.start >= blockStart && i.start < blockEnd);
    if (!first) continue;
    const lead = text.slice(blockStart, lineStartOf(text, first.start));
    if (lead.split('\n').slice(0, -1).some((l) => !comment(l) && !blank(l))) continue;
    if (parsed.instructions.some((i) => i.start < blockStart && i.end > blockStart)) continue;
    let start = blockStart;
    while (start > 0) {
      const prev = lineStartOf(text, start - 1);
      if (!comment(text.slice(prev, start))) break;
      start = prev;
    }
    if (start === blockStart || start === 0) continue;
    if (blockEnd < text.length && !blank(text.slice(blockEnd, nextLineStart(text, blockEnd)))) {
      // A parser directive is no comment to read (`# syntax=` is at the top, which is skipped above).
      if (parsed.instructions.some((i) => i.start < start && i.end > start)) continue;
      const from = parsed.lines.position(start).line;
      const to = parsed.lines.position(blockStart - 1).line;
      const lines = from === to ? `line ${from}` : `lines ${from}–${to}`;
      left.set(owner.site, [...(left.get(owner.site) ?? []), `the comment right above what goes, ${lines}, stays and now reads as a comment on the next instruction: delete it with this change if it was about what goes`]);
      continue;
    }
    if (!blank(text.slice(lineStartOf(text, start - 1), start))) continue;
    // A comment line that is part of an instruction (inside a continuation) is not a paragraph.
    if (parsed.instructions.some((i) => i.start < start && i.end > start)) continue;
    owner.ranges.push({ start, end: blockStart });
  }
  return left;
}

interface RangeBlock {
  start: number;
  end: number;
  /** The install of its first range, and of its last. */
  owner: Planned;
  last: Planned;
  owners: Set<Planned>;
}

/**
 * Whole lines the installs take, merged where they touch or overlap (`adjacentOnly`: where one
 * ends exactly where the next starts), in file order.
 */
function lineRangeBlocks(installs: readonly Planned[], isLineRange: (r: Range) => boolean, adjacentOnly = false): RangeBlock[] {
  const all = installs.flatMap((i) => i.ranges.map((r) => ({ r, owner: i }))).sort((a, b) => a.r.start - b.r.start);
  const joins = (next: Range, prev: Range) => (adjacentOnly ? next.start === prev.end : next.start <= prev.end);
  const out: RangeBlock[] = [];
  let k = 0;
  while (k < all.length) {
    if (!isLineRange(all[k]!.r)) {
      k++;
      continue;
    }
    let m = k;
    while (m + 1 < all.length && joins(all[m + 1]!.r, all[m]!.r) && isLineRange(all[m + 1]!.r)) m++;
    const run = all.slice(k, m + 1);
    out.push({ start: all[k]!.r.start, end: Math.max(...run.map((x) => x.r.end)), owner: all[k]!.owner, last: all[m]!.owner, owners: new Set(run.map((x) => x.owner)) });
    k = m + 1;
  }
  return out;
}

/**
 * Lines cut out of a RUN between two empty continuation lines (`    \\` alone, a separator some
 * chains use around each step) would leave the two next to each other: one goes too.
 */
function tidyEmptyContinuations(text: string, parsed: ParsedDockerfile, installs: Planned[]): void {
  const esc = escapeRegExp(parsed.escape);
  const empty = (l: string) => new RegExp(`^[ \\t]*${esc}[ \\t]*\\r?\\n$`).test(l);
  const all = installs.flatMap((i) => i.ranges.map((r) => ({ r, owner: i }))).sort((a, b) => a.r.start - b.r.start);
  const isLineRange = (r: Range) => lineStartOf(text, r.start) === r.start && text[r.end - 1] === '\n';
  for (const { start: blockStart, end: blockEnd, owner } of lineRangeBlocks(installs, isLineRange)) {
    if (blockStart === 0 || blockEnd >= text.length) continue;
    // Inside one instruction that stays.
    if (!parsed.instructions.some((i) => i.start < blockStart && i.end > blockEnd)) continue;
    const before = text.slice(lineStartOf(text, blockStart - 1), blockStart);
    const afterEnd = nextLineStart(text, blockEnd);
    if (empty(before) && empty(text.slice(blockEnd, afterEnd)) && !all.some((x) => x.r.start < afterEnd && x.r.end > blockEnd)) {
      owner.ranges.push({ start: blockEnd, end: afterEnd });
    }
  }
}

/** When removed lines leave two blank lines (or a blank line at the top), one of them goes too. */
function tidyBlankLines(text: string, installs: Planned[]): void {
  const all = installs.flatMap((i) => i.ranges.map((r) => ({ r, owner: i }))).sort((a, b) => a.r.start - b.r.start);
  const isLineRange = (r: Range) => lineStartOf(text, r.start) === r.start && (r.end === text.length || text[r.end - 1] === '\n');
  const added: Range[] = [];
  for (const { start: blockStart, end: blockEnd, last } of lineRangeBlocks(installs, isLineRange, true)) {
    const before = blockStart === 0 ? '' : text.slice(lineStartOf(text, blockStart - 1), blockStart);
    const afterEnd = nextLineStart(text, blockEnd);
    const after = text.slice(blockEnd, afterEnd);
    const blank = (l: string) => /^[ \t]*\r?\n$/.test(l);
    const nextTaken = all.some((x) => x.r.start === blockEnd);
    // A blank line goes once: the block before may have taken the one this block would.
    const take = (r: Range) => {
      if (!added.some((a) => a.start === r.start)) last.ranges.push(r), added.push(r);
    };
    if ((blockStart === 0 || blank(before)) && blank(after) && !nextTaken) take({ start: blockEnd, end: afterEnd });
    // Removed lines at the end of the file: no blank line is left dangling after the last
    // instruction (looking back over what goes just before them, blank lines taken included).
    else if (blockEnd === text.length && blockStart > 0) {
      let start = blockStart;
      for (let r; (r = [...all.map((x) => x.r), ...added].find((x) => x.end === start && x.start < start)); ) start = r.start;
      if (start > 0 && blank(text.slice(lineStartOf(text, start - 1), start))) {
        take({ start: lineStartOf(text, start - 1), end: start });
        start = lineStartOf(text, start - 1);
      }
      // A file that did not end with a line break still does not: the break after the last
      // line that stays goes too (kept, it would become a final newline the file never had).
      if (start > 0 && text[start - 1] === '\n' && !text.endsWith('\n')) take({ start: text[start - 2] === '\r' ? start - 2 : start - 1, end: start });
    }
  }
}

/** A statement's source on one line: line continuations (`\\`, or the `# escape=` character) and runs of blanks become one space. */
function oneLine(source: string): string {
  return source.replace(/[\\`]\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * COPY/ADD of a whole folder of the build context (`COPY bin/ /usr/local/bin/`, `COPY tools
 * /opt/tools`, `COPY . .`) that holds the binary vendored in the repository
 * (`bin/grpc_health_probe`): the image gets the binary, though no source names it. The tool cannot
 * take one file out of such a COPY; the rule reports it, kept with the Dockerfile's other installs,
 * or, once nothing runs the binary, with the vendored file to delete.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Copy, Flag, Instruction, JSONInstruction } from 'dockerfile-ast';
import type { Ignore } from 'ignore';
import { BINARY_NEEDLES, mentionsBinary, SCRIPT_EXTENSION } from '../analysis/binary.js';
import { discover } from '../discover/walk.js';
import { filesNamedAsBinary } from '../discover/names.js';
import type { RunContext } from '../types.js';
import { copyArguments, sourcesOf, stageNamed, withGlobalArgs, type DockerInstruction, type ParsedDockerfile } from './parse.js';
import type { From } from 'dockerfile-ast';

export interface FolderCopy {
  start: number;
  end: number;
  keyword: string;
  /** The source as written (`bin/`, `.`). */
  source: string;
  /** The binary's files of the repository it copies: absolute, and as shown (relative to the run's folder). */
  files: { abs: string; shown: string }[];
  /**
   * A `COPY --from=STAGE` of a folder of a stage that got the files by a folder COPY of the build
   * context: the stage as written and the lines of those COPYs.
   */
  from?: { stage: string; lines: number[] };
}

let makeIgnore: ((options?: { ignorecase?: boolean }) => Ignore) | undefined;

/** A file of the repository named as the binary is (`grpc_health_probe`, `grpc_health_probe-linux-amd64`), not a script. */
export function isVendoredBinaryName(abs: string): boolean {
  const base = path.basename(abs);
  return mentionsBinary(base) && !SCRIPT_EXTENSION.test(base) && !/\.dockerignore$/i.test(base);
}

/**
 * The `.dockerignore` that applies to a build of `dockerfile` in `context`: `<Dockerfile>.dockerignore`
 * beside the Dockerfile first (BuildKit), else the context's own. Its patterns are anchored at the
 * context's root, as Docker reads them (`bin` is the top folder `bin` only, not any `bin`).
 */
function dockerignore(run: RunContext, context: string, dockerfile: string): Ignore | undefined {
  const text = run.readText(`${dockerfile}.dockerignore`) ?? run.readText(path.join(context, '.dockerignore'));
  if (text === undefined) return undefined;
  makeIgnore ??= createRequire(import.meta.url)('ignore') as (options?: { ignorecase?: boolean }) => Ignore;
  const lines = text.split(/\r?\n/).map((l) => {
    const line = l.trim();
    if (line === '' || line.startsWith('#')) return '';
    const neg = line.startsWith('!');
    let p = (neg ? line.slice(1) : line).replace(/^(\.\/)+/, '');
    if (!p.startsWith('/') && !p.startsWith('**')) p = `/${p}`;
    return `${neg ? '!' : ''}${p}`;
  });
  // Docker matches the patterns with letter case (Go's filepath.Match on Linux): `BIN` leaves
  // `bin` in the context, where the ignore package's default would take it out.
  return makeIgnore({ ignorecase: false }).add(lines.filter(Boolean));
}

/**
 * The folders a build of `dockerfile` may take as its context, where a COPY source is read from:
 * for a deeper path (`services/api/bin/`), any folder from the Dockerfile's up to the run's
 * (`deep`); for one folder name or the whole context (`bin/`, `.`), the Dockerfile's own folder
 * (its usual context, `docker build .` beside it), where a folder above it would read `worker` as
 * the Dockerfile's own folder and `.` as every vendored binary of the repository (`shallow`). Both
 * take the contexts the repository's builds give it (`known`: a compose service's `context: .`
 * with `dockerfile: docker/Dockerfile`, a Skaffold artifact's, a workflow's build-push-action's;
 * ImageTies.contexts). A `docker build -f docker/Dockerfile .` in a Makefile or a script is not read.
 */
function contextFolders(dockerfile: string, run: RunContext, known: readonly string[]): { deep: string[]; shallow: string[] } {
  const deep: string[] = [];
  for (let dir = path.dirname(dockerfile); ; dir = path.dirname(dir)) {
    deep.push(dir);
    if (path.dirname(dir) === dir || dir === run.cwd) break;
  }
  return { deep: [...new Set([...deep, ...known])], shallow: [...new Set([deep[0]!, ...known])] };
}

/** A COPY source (relative to the context, `/` separators) as a test of a context-relative file path. */
function sourceMatcher(source: string): ((rel: string) => boolean) | undefined {
  const s = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/\/\.$/, '');
  if (s === '' || s === '.' || s === '*' || s === './') return () => true;
  if (/[[\]{}\\]/.test(s)) return undefined;
  const re = new RegExp(`^${s.split('/').map((seg) => seg.split('').map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^$()|]/g, '\\$&'))).join('')).join('/')}(/|$)`);
  return (rel) => re.test(rel);
}

/**
 * The folder COPYs of a Dockerfile that copy a file of the repository named as the binary. The
 * build context is the Dockerfile's own folder (its usual one, `docker build .` beside it), or one
 * a build of the repository gives it (`known`), for a source of one folder name or the whole
 * context (`bin/`, `.`), and for a deeper path (`services/api/bin/`) any folder from the
 * Dockerfile's up to the run's, as for a one-file COPY (contextFolders).
 */
export function folderCopies(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, binaries: readonly string[], known: readonly string[] = []): FolderCopy[] {
  if (binaries.length === 0) return [];
  const out: FolderCopy[] = [];
  const { deep: contexts, shallow } = contextFolders(dockerfile, run, known);
  const ignores = new Map<string, Ignore | undefined>();
  const ignoreOf = (c: string) => {
    if (!ignores.has(c)) ignores.set(c, dockerignore(run, c, dockerfile));
    return ignores.get(c);
  };
  const at = (p: { line: number; character: number }) => parsed.lines.offset(p.line, p.character);
  const inImage = imageStages(parsed);
  for (const ins of parsed.instructions) {
    if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || !inImage.has(ins.stage)) continue;
    const node = ins.node as unknown as Copy & JSONInstruction & { getHeredocs?: () => unknown[] };
    if ((node.getHeredocs?.().length ?? 0) > 0) continue;
    const flags: Flag[] = node.getFlags();
    if (flags.some((f) => f.getName().toLowerCase() === 'from')) continue;
    const values = copyArguments(parsed, ins);
    if (values.length < 2) continue;
    for (const source of values.slice(0, -1)) {
      // A download, a variable, or a source that names the binary (a one-file install, read by installs.ts).
      if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|\$/i.test(source) || mentionsBinary(source)) continue;
      const match = sourceMatcher(source);
      if (!match) continue;
      // One folder name (`bin/`, `tools`) or the whole context is read in the Dockerfile's own
      // folder: in a folder above it, `worker` would be the Dockerfile's own folder, and `.` every
      // vendored binary of the repository. A deeper path (`services/api/bin/`) says a wider context.
      const deep = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').includes('/');
      const found = new Map<string, string>();
      for (const context of deep ? contexts : shallow) {
        const ig = ignoreOf(context);
        for (const abs of binaries) {
          if (!abs.startsWith(context + path.sep)) continue;
          const rel = path.relative(context, abs).split(path.sep).join('/');
          if (!match(rel) || (ig && ig.ignores(rel))) continue;
          found.set(abs, path.relative(run.cwd, abs).split(path.sep).join('/'));
        }
      }
      if (found.size > 0) out.push({ start: ins.start, end: ins.end, keyword: ins.keyword, source, files: [...found].map(([abs, shown]) => ({ abs, shown })) });
    }
  }
  // `COPY --from=build /src /app` of a builder's `COPY . .`: read only when a COPY --from may be one.
  if (parsed.instructions.some((i) => i.keyword === 'COPY' && inImage.has(i.stage) && /--from=/i.test(parsed.text.slice(i.start, i.end)))) out.push(...folderCopiesFromStages(parsed, dockerfile, run, binaries, inImage, known));
  return out;
}

/** A file of the repository named as the binary that a folder COPY/ADD of the build context puts in a stage. */
interface StagedFile {
  stage: number;
  /** The folder COPY/ADD. */
  ins: DockerInstruction;
  source: string;
  abs: string;
  shown: string;
  /** Its path in the stage. */
  inStage: string;
}

/**
 * The files of the repository named as the binary that the folder COPY/ADDs of the build context
 * put in each stage, with their path there: the COPY's destination after the stage's WORKDIRs
 * (inherited from a stage of the file it is built FROM; unknown after an image's FROM until an
 * absolute WORKDIR, as that image may set its own). A relative destination under an unknown
 * WORKDIR, or a variable, gives no path: the file is left out. The context is read as folderCopies
 * reads it.
 */
function stagedFiles(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, binaries: readonly string[], known: readonly string[]): StagedFile[] {
  const { deep: contexts, shallow } = contextFolders(dockerfile, run, known);
  const out: StagedFile[] = [];
  const workdirs = new Map<number, string>();
  for (const ins of parsed.instructions) {
    if (ins.stage < 0) continue;
    if (ins.keyword === 'FROM') {
      const image = withGlobalArgs(parsed, (ins.node as From).getImage() ?? '');
      const base = stageNamed(parsed, image, ins.start);
      workdirs.set(ins.stage, base ? (workdirs.get(base.stage) ?? '') : image.toLowerCase() === 'scratch' ? '/' : '');
      continue;
    }
    if (ins.keyword === 'WORKDIR') {
      const args = (ins.node as Instruction).getArguments().map((a) => a.getValue());
      const cur = workdirs.get(ins.stage) ?? '';
      const dir = args.length === 1 ? args[0]! : '';
      // A variable, quotes, several words, or a relative folder under an unknown one: unknown.
      workdirs.set(ins.stage, dir === '' || /[$"'\s]/.test(dir) || (cur === '' && !dir.startsWith('/')) ? '' : path.posix.resolve(cur || '/', dir));
      continue;
    }
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const node = ins.node as unknown as Copy & { getHeredocs?: () => unknown[] };
    if ((node.getHeredocs?.().length ?? 0) > 0 || node.getFlags().some((f) => f.getName().toLowerCase() === 'from')) continue;
    const values = copyArguments(parsed, ins);
    if (values.length < 2) continue;
    const rawDest = values[values.length - 1]!;
    const workdir = workdirs.get(ins.stage) ?? '';
    if (rawDest.includes('$') || (!rawDest.startsWith('/') && workdir === '')) continue;
    const dest = path.posix.resolve(workdir || '/', rawDest);
    for (const source of values.slice(0, -1)) {
      if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|\$/i.test(source) || mentionsBinary(source)) continue;
      const match = sourceMatcher(source);
      const folder = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/\/\.$/, '');
      // A glob's folder in the stage is not read here.
      if (!match || /[*?]/.test(folder)) continue;
      const whole = folder === '' || folder === '.';
      for (const context of folder.includes('/') ? contexts : shallow) {
        const ig = dockerignore(run, context, dockerfile);
        for (const abs of binaries) {
          if (!abs.startsWith(context + path.sep)) continue;
          const rel = path.relative(context, abs).split(path.sep).join('/');
          if (!match(rel) || ig?.ignores(rel)) continue;
          out.push({ stage: ins.stage, ins, source, abs, shown: path.relative(run.cwd, abs).split(path.sep).join('/'), inStage: path.posix.join(dest, whole ? rel : rel.slice(folder.length + 1)) });
        }
      }
    }
  }
  return out;
}

/** Stage `k` and the stages of the file built FROM it (transitively): those that hold its files. */
function heldBy(parsed: ParsedDockerfile, k: number): Set<number> {
  const out = new Set([k]);
  for (const f of parsed.instructions) {
    if (f.keyword !== 'FROM') continue;
    const base = stageNamed(parsed, withGlobalArgs(parsed, (f.node as From).getImage() ?? ''), f.start);
    if (base && out.has(base.stage)) out.add(f.stage);
  }
  return out;
}

/** The stage a `--from=` reference names in this file (by name or index), or undefined. */
function stageOf(parsed: ParsedDockerfile, ref: string, before: number): DockerInstruction | undefined {
  if (/^\d+$/.test(ref)) return parsed.instructions.filter((i) => i.keyword === 'FROM')[Number(ref)];
  return stageNamed(parsed, ref, before);
}

/** Whether a `COPY --from` source (a path in the stage) is `file` or a folder above it, or may be (a glob, a variable). */
function sourceHolds(source: string, file: string): boolean {
  if (/[$*?[\\]/.test(source)) return true;
  const p = path.posix.resolve('/', source);
  return p === '/' || file === p || file.startsWith(`${p}/`);
}

/**
 * The files of the repository named as the binary that a `COPY --from=STAGE /path/to/binary`
 * copies, when STAGE (or a stage it is built FROM, in this file) got them from the build context
 * by a folder COPY/ADD (roost-example: `ADD . /go/src/…/grpcExample/` in a builder, then `COPY
 * --from=builder /go/src/…/grpcExample/grpc_health_probe-linux-amd64 /bin/grpc_health_probe`): as
 * written, with the repository's file.
 */
export function stageVendored(parsed: ParsedDockerfile, ins: DockerInstruction, dockerfile: string, run: RunContext, binaries: readonly string[], known: readonly string[] = []): { written: string; abs: string; shown: string }[] {
  if (binaries.length === 0 || (ins.keyword !== 'COPY' && ins.keyword !== 'ADD')) return [];
  const from = (ins.node as unknown as Copy).getFlags().find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? '';
  const stage = from && !from.includes('$') ? stageOf(parsed, from, ins.start) : undefined;
  if (!stage) return [];
  const wanted = copyArguments(parsed, ins).slice(0, -1).filter((s) => s.startsWith('/') && isVendoredBinaryName(s) && !/[*?[\\$]/.test(s));
  if (wanted.length === 0) return [];
  const out = new Map<string, { written: string; abs: string; shown: string }>();
  for (const f of stagedFiles(parsed, dockerfile, run, binaries, known)) {
    if (!heldBy(parsed, f.stage).has(stage.stage)) continue;
    for (const w of wanted) if (path.posix.resolve('/', w) === f.inStage) out.set(`${w}\0${f.abs}`, { written: w, abs: f.abs, shown: f.shown });
  }
  return [...out.values()];
}

/**
 * The `COPY --from=STAGE` instructions of the image's stages whose source is a folder of STAGE
 * that holds a file of the repository named as the binary, which STAGE got by a folder COPY of the
 * build context (`COPY . .` in a builder, then `COPY --from=build /src /app`): the image gets the
 * binary though no source names it, as with a folder COPY of the context (folderCopies).
 */
function folderCopiesFromStages(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, binaries: readonly string[], inImage: ReadonlySet<number>, known: readonly string[]): FolderCopy[] {
  const staged = stagedFiles(parsed, dockerfile, run, binaries, known);
  if (staged.length === 0) return [];
  const out: FolderCopy[] = [];
  for (const ins of parsed.instructions) {
    if ((ins.keyword !== 'COPY' && ins.keyword !== 'ADD') || !inImage.has(ins.stage)) continue;
    const from = (ins.node as unknown as Copy).getFlags().find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? '';
    const stage = from && !from.includes('$') ? stageOf(parsed, from, ins.start) : undefined;
    if (!stage) continue;
    const values = copyArguments(parsed, ins);
    for (const source of values.slice(0, -1)) {
      // One that names the binary is an install (installs.ts); a glob or a variable is not read here.
      if (mentionsBinary(source) || /[$*?[\\]/.test(source)) continue;
      const hits = staged.filter((f) => heldBy(parsed, f.stage).has(stage.stage) && f.ins.start < ins.start && sourceHolds(source, f.inStage));
      if (hits.length === 0) continue;
      const files = new Map(hits.map((f) => [f.abs, { abs: f.abs, shown: f.shown }]));
      const lines = [...new Set(hits.map((f) => parsed.lines.position(f.ins.start).line))].sort((x, y) => x - y);
      out.push({ start: ins.start, end: ins.end, keyword: ins.keyword, source, from: { stage: from, lines }, files: [...files.values()] });
    }
  }
  return out;
}

export interface StageOnlyCopy {
  start: number;
  end: number;
  keyword: string;
  source: string;
  /** The stage's name (`"builder"`) or index. */
  stage: string;
  files: { abs: string; shown: string }[];
}

/**
 * Folder COPY/ADDs of the build context in a build stage that no image holds (`ADD . /go/src/app/`
 * in a builder), which put a file of the repository named as the binary there, and out of which
 * nothing copies it: no `COPY --from` of that stage (or of one built FROM it) names a path that
 * holds it, and no `RUN --mount` reads such a stage. The file reaches no image: what is left of a
 * removed `COPY --from=builder …/grpc_health_probe-linux-amd64` (roost-example, hunt16 A3). A file
 * whose path in the stage is not known is left out (the safe side: it may be copied out).
 */
export function stageOnlyCopies(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, binaries: readonly string[], known: readonly string[] = []): StageOnlyCopy[] {
  if (binaries.length === 0) return [];
  const inImage = imageStages(parsed);
  const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const byIns = new Map<DockerInstruction, StageOnlyCopy>();
  for (const f of stagedFiles(parsed, dockerfile, run, binaries, known)) {
    if (inImage.has(f.stage) || copiedOut(parsed, f.stage, f.inStage)) continue;
    const name = (froms.find((x) => x.stage === f.stage)?.node as From | undefined)?.getBuildStage();
    const c = byIns.get(f.ins) ?? { start: f.ins.start, end: f.ins.end, keyword: f.ins.keyword, source: f.source, stage: name ? `"${name}"` : String(f.stage), files: [] };
    if (!c.files.some((v) => v.abs === f.abs)) c.files.push({ abs: f.abs, shown: f.shown });
    byIns.set(f.ins, c);
  }
  return [...byIns.values()];
}

/** Commands of a RUN that copy or move files of the stage elsewhere, as a command's first word (not `apt-get install`, `go install`: review23 R8). */
const MOVES_FILES = /(?:^|[;&|(`\n]|\bthen|\bdo)[ \t]*(?:cp|mv|install|rsync|ln|cpio|ditto)(?=[\s;&|)`]|$)/;

/**
 * Whether anything may take `file` (a path in stage `k`) out of it: a `COPY --from` of `k`, or of
 * a stage built FROM it, whose source is that path or a folder above it (or a glob, a variable),
 * any `RUN --mount` of such a stage, or a reference the tool cannot resolve.
 */
function copiedOut(parsed: ParsedDockerfile, k: number, file: string): boolean {
  const holders = heldBy(parsed, k);
  // A RUN of a stage holding it that copies or moves files (`cp bin/* /out/`) may put it anywhere:
  // then any COPY --from of such a stage may take it out (review21 R7). A build (`go build`) does not.
  const moved = parsed.instructions.some((i) => i.keyword === 'RUN' && holders.has(i.stage) && MOVES_FILES.test(parsed.text.slice(i.argsStart, i.end)));
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') continue;
    for (const src of sourcesOf(ins)) {
      if (src.ref.includes('$')) return true;
      const stage = stageOf(parsed, src.ref, ins.start);
      if (!stage || !holders.has(stage.stage)) continue;
      if (ins.keyword === 'RUN' || moved) return true;
      if (copyArguments(parsed, ins).slice(0, -1).some((s) => sourceHolds(s, file))) return true;
    }
  }
  return false;
}

/**
 * The run's files named as the binary (vendored copies of it). A script under that name (`#!` at
 * its start: a test's fake, testdata/bin/grpc_health_probe) is not the binary (hunt18 V2): only
 * its first two bytes are read, of the few files so named.
 */
export function vendoredBinaries(run: RunContext): string[] {
  return filesNamedAsBinary(run).filter((abs) => isVendoredBinaryName(abs) && !startsWithShebang(abs));
}

/**
 * The files named as the binary that the COPY/ADD sources of a Dockerfile (as folderCopies and
 * stagedFiles read them) may copy from the build context, looked up at the paths the sources name:
 * for a partial view (a pre-commit run over the Dockerfile), whose run.allFiles() holds the named
 * files only, where a whole run finds them among the files it walked (hunt19 B7). A folder
 * (`bin/`, `services/api/bin`, what a wildcard of a source matches, expanded a folder at a time) is
 * walked as the run walks a folder (discover: the .gitignore files in it honoured); a source of
 * the whole context (`.`, `*`) is looked up among the files git tracks there (trackedNamedAsBinary:
 * one process, ~7 ms in a 20k-file checkout; an untracked file there, which a whole run's walk
 * lists, is not looked up), not walked. A source that names no folder costs one stat.
 */
export function copiedBinaries(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, known: readonly string[] = []): string[] {
  const { deep: contexts, shallow } = contextFolders(dockerfile, run, known);
  const found = new Set<string>();
  const walked = new Set<string>();
  const wholes = new Set<string>();
  const take = (abs: string) => {
    if (isVendoredBinaryName(abs) && !startsWithShebang(abs)) found.add(abs);
  };
  const visit = (abs: string) => {
    if (walked.has(abs)) return;
    walked.add(abs);
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (st?.isFile()) take(abs);
    else if (st?.isDirectory()) for (const f of discover([abs], run.cwd).files) take(f.absPath);
  };
  for (const ins of parsed.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const node = ins.node as unknown as Copy & { getHeredocs?: () => unknown[] };
    if ((node.getHeredocs?.().length ?? 0) > 0 || node.getFlags().some((f) => f.getName().toLowerCase() === 'from')) continue;
    const values = copyArguments(parsed, ins);
    for (const source of values.slice(0, -1)) {
      if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|\$/i.test(source) || mentionsBinary(source) || !sourceMatcher(source)) continue;
      const folder = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/\/\.$/, '');
      // Out of the context: Docker refuses it.
      if (folder.split('/').includes('..')) continue;
      for (const context of folder.includes('/') ? contexts : shallow) {
        if (folder === '' || folder === '.' || folder === '*') {
          wholes.add(context);
          continue;
        }
        // Each segment in turn: a wildcard one matched against the folder's entries.
        let at = [context];
        for (const seg of folder.split('/')) {
          if (!/[*?]/.test(seg)) {
            at = at.map((d) => path.join(d, seg));
            continue;
          }
          const re = new RegExp(`^${seg.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$()|]/g, '\\$&'))).join('')}$`);
          at = at.flatMap((d) => {
            try {
              return fs.readdirSync(d).filter((n) => re.test(n) && n !== '.git' && n !== 'node_modules').map((n) => path.join(d, n));
            } catch {
              return [];
            }
          });
        }
        for (const abs of at) visit(abs);
      }
    }
  }
  for (const context of wholes) {
    const tracked = trackedNamedAsBinary(context);
    if (tracked) {
      for (const abs of tracked) take(abs);
      continue;
    }
    // Not a checkout git reads: the run's view of the repository (a walk of the current folder).
    for (const abs of run.repositoryFiles()) {
      const slash = Math.max(abs.lastIndexOf('/'), abs.lastIndexOf(path.sep));
      if (abs.indexOf(BINARY_NEEDLES[0], slash) === -1 && abs.indexOf(BINARY_NEEDLES[1], slash) === -1) continue;
      if (abs.startsWith(context + path.sep)) take(abs);
    }
  }
  return [...found];
}

/**
 * The files git tracks under `dir` (the index: what a pre-commit run commits, staged files
 * included) whose names name the binary, by a pathspec: git reads its index only (~7 ms in a
 * 20k-file checkout, where listing the untracked files too walks the working tree, ~30 ms).
 * Undefined when git cannot say (no checkout, no git).
 */
function trackedNamedAsBinary(dir: string): string[] | undefined {
  try {
    const out = execFileSync('git', ['-C', dir, 'ls-files', '-z', '--cached', '--', ...BINARY_NEEDLES.map((n) => `:(glob)**/*${n}*`)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return [...new Set(out.split('\0').filter(Boolean))].map((rel) => path.join(dir, rel));
  } catch {
    return undefined;
  }
}

function startsWithShebang(abs: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(abs, 'r');
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The stages whose files end up in the image the Dockerfile builds: the last one and the earlier
 * stages it is built FROM (`FROM base`). A builder stage's `COPY . .` (`FROM golang AS build`,
 * whose binary alone the last stage copies) ships nothing of the context.
 */
function imageStages(parsed: ParsedDockerfile): Set<number> {
  const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
  const out = new Set<number>();
  let cur = froms[froms.length - 1];
  while (cur && !out.has(cur.stage)) {
    out.add(cur.stage);
    cur = stageNamed(parsed, withGlobalArgs(parsed, (cur.node as From).getImage() ?? ''), cur.start);
  }
  return out;
}

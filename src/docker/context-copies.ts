/**
 * COPY/ADD of a whole folder of the build context (`COPY bin/ /usr/local/bin/`, `COPY tools
 * /opt/tools`, `COPY . .`) that holds the binary vendored in the repository
 * (`bin/grpc_health_probe`): the image gets the binary, though no source names it. The tool cannot
 * take one file out of such a COPY; the rule reports it, kept with the Dockerfile's other installs,
 * or, once nothing runs the binary, with the vendored file to delete.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Copy, Flag, Instruction, JSONInstruction } from 'dockerfile-ast';
import type { Ignore } from 'ignore';
import { mentionsBinary, SCRIPT_EXTENSION } from '../analysis/binary.js';
import type { RunContext } from '../types.js';
import { copyArguments, stageNamed, withGlobalArgs, type DockerInstruction, type ParsedDockerfile } from './parse.js';
import type { From } from 'dockerfile-ast';

export interface FolderCopy {
  start: number;
  end: number;
  keyword: string;
  /** The source as written (`bin/`, `.`). */
  source: string;
  /** The binary's files of the repository it copies: absolute, and as shown (relative to the run's folder). */
  files: { abs: string; shown: string }[];
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
 * build context is the Dockerfile's own folder (its usual one, `docker build .` beside it) for a
 * source of one folder name or the whole context (`bin/`, `.`), and for a deeper path
 * (`services/api/bin/`) any folder from the Dockerfile's up to the run's, as for a one-file COPY.
 */
export function folderCopies(parsed: ParsedDockerfile, dockerfile: string, run: RunContext, binaries: readonly string[]): FolderCopy[] {
  if (binaries.length === 0) return [];
  const out: FolderCopy[] = [];
  const contexts: string[] = [];
  for (let dir = path.dirname(dockerfile); ; dir = path.dirname(dir)) {
    contexts.push(dir);
    if (path.dirname(dir) === dir || dir === run.cwd) break;
  }
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
      for (const context of deep ? contexts : contexts.slice(0, 1)) {
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
  return out;
}

/**
 * The files of the repository named as the binary that a `COPY --from=STAGE /path/to/binary`
 * copies, when STAGE (or a stage it is built FROM, in this file) got them from the build context
 * by a folder COPY/ADD (roost-example: `ADD . /go/src/…/grpcExample/` in a builder, then `COPY
 * --from=builder /go/src/…/grpcExample/grpc_health_probe-linux-amd64 /bin/grpc_health_probe`): as
 * written, with the repository's file. The path is read against the folder COPY's destination
 * (after the stage's WORKDIRs), as `folderCopies` reads a context: the Dockerfile's own folder
 * for a source of one folder name or `.`, any folder up to the run's for a deeper one.
 */
export function stageVendored(parsed: ParsedDockerfile, ins: DockerInstruction, dockerfile: string, run: RunContext, binaries: readonly string[]): { written: string; abs: string; shown: string }[] {
  if (binaries.length === 0 || (ins.keyword !== 'COPY' && ins.keyword !== 'ADD')) return [];
  const node = ins.node as unknown as Copy;
  const from = node.getFlags().find((f) => f.getName().toLowerCase() === 'from')?.getValue() ?? '';
  if (!from || from.includes('$')) return [];
  const wanted = copyArguments(parsed, ins).slice(0, -1).filter((s) => s.startsWith('/') && isVendoredBinaryName(s) && !/[*?[\$]/.test(s));
  if (wanted.length === 0) return [];
  // The stage copied from and those it is built FROM in this file.
  const chain: number[] = [];
  for (let cur = stageNamed(parsed, from, ins.start); cur && !chain.includes(cur.stage); cur = stageNamed(parsed, withGlobalArgs(parsed, (cur.node as From).getImage() ?? ''), cur.start)) chain.push(cur.stage);
  if (chain.length === 0) return [];
  const contexts: string[] = [];
  for (let dir = path.dirname(dockerfile); ; dir = path.dirname(dir)) {
    contexts.push(dir);
    if (path.dirname(dir) === dir || dir === run.cwd) break;
  }
  const out = new Map<string, { written: string; abs: string; shown: string }>();
  for (const k of chain) {
    let workdir = '/';
    for (const i of parsed.instructions) {
      if (i.stage !== k || i.start >= ins.start) continue;
      if (i.keyword === 'WORKDIR') {
        const args = (i.node as Instruction).getArguments().map((a) => a.getValue());
        const dir = args.length === 1 ? args[0]! : '';
        // A variable, quotes, several words: the folder is not read (only an absolute destination then is).
        if (dir === '' || /[$"'\s]/.test(dir)) workdir = '';
        else if (workdir !== '') workdir = path.posix.resolve(workdir, dir);
        continue;
      }
      if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
      const n = i.node as unknown as Copy;
      if (n.getFlags().some((f) => f.getName().toLowerCase() === 'from')) continue;
      const values = copyArguments(parsed, i);
      if (values.length < 2) continue;
      const rawDest = values[values.length - 1]!;
      if (rawDest.includes('$') || (!rawDest.startsWith('/') && workdir === '')) continue;
      const dest = path.posix.resolve(workdir || '/', rawDest);
      for (const source of values.slice(0, -1)) {
        if (/^[a-z][a-z0-9+.-]*:\/\/|^git@|\$/i.test(source) || mentionsBinary(source)) continue;
        const match = sourceMatcher(source);
        const folder = source.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '').replace(/\/\.$/, '');
        if (!match || /[*?]/.test(folder)) continue;
        const deep = folder.includes('/');
        for (const w of wanted) {
          if (!w.startsWith(dest === '/' ? '/' : `${dest}/`)) continue;
          const inFolder = path.posix.relative(dest, w);
          const rel = folder === '' || folder === '.' ? inFolder : `${folder}/${inFolder}`;
          for (const context of deep ? contexts : contexts.slice(0, 1)) {
            const abs = path.join(context, ...rel.split('/'));
            if (!binaries.includes(abs) || !match(rel) || dockerignore(run, context, dockerfile)?.ignores(rel)) continue;
            out.set(`${w}\0${abs}`, { written: w, abs, shown: path.relative(run.cwd, abs).split(path.sep).join('/') });
          }
        }
      }
    }
  }
  return [...out.values()];
}

/** The run's files named as the binary (vendored copies of it), once per run. */
export function vendoredBinaries(run: RunContext): string[] {
  return run.allFiles().filter(isVendoredBinaryName);
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

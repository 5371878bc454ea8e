/** The command line: a thin layer over `run()`. Returns the exit code; never calls process.exit. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_KUBE_VERSION, kubeVersionUsage, parseKubeVersion } from './analysis/kube-version.js';
import { listRepositories, partialViewOf, wantsRepositoryListing } from './discover/scope.js';
import { describeFsError } from './discover/walk.js';
import { makeFolders } from './code-cache.js';
import { formatDiff } from './report/diff.js';
import { FORMATS } from './report/formats.js';
import { canRedraw, wantsColor } from './report/color.js';
import { createProgress } from './report/progress.js';
import type { RunResult } from './types.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /**
   * Reads all of standard input (only called when a path is `-`): its bytes, decoded by the
   * engine as a file's are; a string is taken as already decoded.
   */
  readStdin: () => Promise<Uint8Array | string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Milliseconds, for the progress display's throttle (tests pass a fake clock). */
  now?: () => number;
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/**
 * Subcommands (`grpc-probe-migrate <name> ...`), loaded only when used. Each module exports
 * `main(argv, io): Promise<number>`.
 */
const SUBCOMMANDS: Record<string, () => Promise<{ main(argv: readonly string[], io: Io): Promise<number> }>> = {
  pr: () => import('./commands/pr.js'),
  verify: () => import('./commands/verify.js'),
};

const HELP = `Usage: grpc-probe-migrate [options] [paths...]
       grpc-probe-migrate pr [options] [paths...]          open or update the migration
                                                           pull request (pr --help)
       grpc-probe-migrate verify --host HOST [paths...]    check native gRPC probes against a
                                                           live server, as the kubelet would
                                                           (verify --help)

Moves Kubernetes exec probes that run grpc_health_probe to native gRPC probes,
and reports what cannot move. Paths are files and folders (default "."); "-" reads
a YAML (or JSON) stream from standard input.

Options:
  --fix                 write the changes (default: report only, nothing written)
  --diff                print a unified diff of the changes (with or without --fix);
                        with --format json/sarif/markdown it goes to stderr. With
                        --fix - stdout is the migrated stream and the report goes to
                        stderr too, so --fix --diff - with json/sarif/markdown needs
                        --output FILE for the report (otherwise a usage error)
  --format FORMAT       text (default), json, sarif (code scanning) or markdown (pull requests)
  -o, --output FILE     write the report to FILE instead of standard output
  --kube-version VER    target cluster version (default ${DEFAULT_KUBE_VERSION}): X.Y, or as kubectl
                        version prints it (v1.29.3, v1.30.4-eks-a737599, v1.29.1-gke.1589018)
  --keep-binary         leave every Dockerfile untouched (installs reported as kept)
  --grpc-tls-mode       every target cluster enables the GRPCContainerProbeTLS gate:
                        -tls -tls-no-verify probes become grpc: {mode: TLS}
  --assume-complete     the paths given are the whole repository (see below)
  --validate            check rewritten Kubernetes objects against the API schema;
                        a rewrite that would break one is refused
  --strict              blockers also make the exit code 1
  --exit-zero           exit 0 even when migratable uses remain (errors still exit 2);
                        it wins over --strict: blockers exit 0 too
  --quiet               only blocked uses and errors in the text report; no progress
  --debug               print stack traces of internal errors
  -h, --help            show this help
  --version             print the version

Files named on the command line (as pre-commit passes them), or folders inside a
git checkout that leave out its top folder, are a partial view of the repository:
binary installs are then never removed, since a use of the binary may sit in a
file not scanned. --assume-complete says the paths are the whole repository.

Exit codes: 0 nothing left to migrate; 1 migratable uses remain (report mode), or
blockers with --strict; 2 bad usage, or an error: a file could not be read or parsed,
or a change could not be written safely (the file is left as it was).
--exit-zero turns 1 into 0, with --strict too; 2 stays.
`;

/** The options written without their dashes: a path that does not exist and reads so was meant as one. */
const OPTION_WORDS = new Set(['fix', 'diff', 'format', 'output', 'kube-version', 'keep-binary', 'grpc-tls-mode', 'assume-complete', 'validate', 'strict', 'exit-zero', 'quiet', 'debug', 'help', 'version']);

/** Never throws: an internal failure is one line on stderr and exit 2 (its stack only with --debug). */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    return await command(argv, io);
  } catch (e) {
    io.stderr.write(`grpc-probe-migrate: internal error: ${(e as Error)?.message ?? e}\n`);
    if (argv.includes('--debug')) io.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    return EXIT.usage;
  }
}

async function command(argv: readonly string[], io: Io): Promise<number> {
  const sub = argv[0] !== undefined ? SUBCOMMANDS[argv[0]] : undefined;
  if (sub) return (await sub()).main(argv.slice(1), io);
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        fix: { type: 'boolean' },
        diff: { type: 'boolean' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'assume-complete': { type: 'boolean' },
        'kube-version': { type: 'string' },
        'keep-binary': { type: 'boolean' },
        'grpc-tls-mode': { type: 'boolean' },
        validate: { type: 'boolean' },
        strict: { type: 'boolean' },
        'exit-zero': { type: 'boolean' },
        quiet: { type: 'boolean' },
        debug: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    io.stderr.write(`grpc-probe-migrate: ${(e as Error).message}\nRun with --help for usage.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (values.version) {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const format = values.format ?? 'text';
  const loadFormatter = FORMATS[format];
  if (!loadFormatter) {
    io.stderr.write(`grpc-probe-migrate: unknown --format "${format}" (expected ${Object.keys(FORMATS).join(', ')})\n`);
    return EXIT.usage;
  }
  const kubeVersion = values['kube-version'];
  if (kubeVersion !== undefined && !parseKubeVersion(kubeVersion)) {
    io.stderr.write(`grpc-probe-migrate: ${kubeVersionUsage(kubeVersion)}\n`);
    return EXIT.usage;
  }
  if (values.debug) io.env.GRPC_PROBE_MIGRATE_DEBUG = '1';

  // "" would resolve to the current folder: `grpc-probe-migrate --fix "$FILES"` with FILES empty
  // must not turn a list of files into a --fix of the whole checkout (installs removed included).
  if (positionals.includes('')) {
    io.stderr.write(`grpc-probe-migrate: an empty path was given (an empty shell variable?); name "." for the current folder\n`);
    return EXIT.usage;
  }
  // `grpc-probe-migrate fix .` (an option written as a word): "fix" is no path, and the run's
  // "cannot read: no such file or folder" with a hint about deleted files does not say why.
  const meant = positionals.find((p) => (OPTION_WORDS.has(p) || p in SUBCOMMANDS) && !fs.existsSync(path.resolve(io.cwd, p)));
  if (meant !== undefined) {
    const fix = meant in SUBCOMMANDS ? `a subcommand goes first: grpc-probe-migrate ${meant} [options]` : `did you mean --${meant}?`;
    io.stderr.write(`grpc-probe-migrate: "${meant}" is neither a file nor a folder here; ${fix}\nRun with --help for usage.\n`);
    return EXIT.usage;
  }
  const paths = positionals.length > 0 ? positionals : ['.'];
  const usesStdin = paths.includes('-');
  // `--fix -`: stdout carries the migrated stream, so the report and the diff both fall to
  // stderr. A text report and a diff read well together there; a JSON, SARIF or Markdown report
  // interleaved with a diff cannot be parsed: refuse rather than write it.
  if (values.fix && usesStdin && values.diff && format !== 'text' && values.output === undefined) {
    io.stderr.write(
      `grpc-probe-migrate: --fix - writes the migrated stream to stdout, so the --format ${format} report and the --diff would share stderr; add --output FILE for the report (the diff then goes to stderr alone), or drop --diff\n`,
    );
    return EXIT.usage;
  }
  // A report that cannot be written is found out before --fix changes anything, not after.
  const outputProblem = values.output !== undefined ? unwritable(path.resolve(io.cwd, values.output)) : undefined;
  if (outputProblem !== undefined) {
    io.stderr.write(`grpc-probe-migrate: cannot write --output ${values.output}: ${outputProblem}\n`);
    return EXIT.usage;
  }
  const stdin = usesStdin ? await io.readStdin() : undefined;

  // Progress only where a person watches: stderr is a terminal that can redraw a line, and
  // --quiet was not given.
  const progress = canRedraw(io.stderr, io.env) && !values.quiet ? createProgress(io.stderr, io.now) : undefined;
  const partialView = values['assume-complete'] ? false : (partialViewOf(paths, io.cwd) ?? false);
  // A partial view's rules read across the checkout: git lists it while the engine and the rules
  // load (in a pre-commit run over a manifest of a 20k-file checkout, ~25 ms that were waited for).
  const repositoryListing = partialView && wantsRepositoryListing(paths, io.cwd) ? listRepositories(paths, io.cwd) : undefined;
  const { run } = await import('./engine.js');
  let result: RunResult;
  try {
    result = await run({
      ...(progress ? { onProgress: progress.update } : {}),
      paths,
      cwd: io.cwd,
      fix: values.fix ?? false,
      ...(kubeVersion !== undefined ? { kubeVersion, kubeVersionExplicit: true } : {}),
      keepBinary: values['keep-binary'] ?? false,
      ...(values['grpc-tls-mode'] ? { grpcTlsMode: true } : {}),
      partialView,
      ...(repositoryListing ? { repositoryListing } : {}),
      ...(values.validate ? { validate: true } : {}),
      ...(values.debug ? { onDebug: (t: string) => void io.stderr.write(t) } : {}),
      ...(stdin !== undefined ? { stdin } : {}),
      reader: readerFor(paths, io),
      boundHeap: true,
    });
  } catch (e) {
    progress?.done();
    io.stderr.write(`grpc-probe-migrate: ${(e as Error).message}\n`);
    if (values.debug) io.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.usage;
  }

  progress?.done();

  // With `--fix -` the migrated stream is the output; the report moves to stderr. A stream the
  // tool did not change (or could not read: not UTF-8, UTF-16) goes back byte for byte.
  const stdinResult = result.files.find((f) => f.file.path === '' && f.file.displayPath === '<stdin>');
  const reportStream = values.fix && usesStdin ? io.stderr : io.stdout;
  if (values.fix && stdin !== undefined) io.stdout.write(stdinResult?.changed ? stdinResult.output : stdin);

  if (values.diff) {
    const diff = await formatDiff(result.files);
    // A JSON, SARIF or Markdown report on stdout must stay exactly that: the diff goes to stderr
    // then. With the text report, or a report written to --output, it shares the report's stream.
    const diffStream = format === 'text' || values.output !== undefined ? reportStream : io.stderr;
    if (diff) diffStream.write(diff + (format === 'text' ? '\n' : ''));
  }
  const formatter = await loadFormatter();
  if (values.output !== undefined) {
    // The report goes to the file; the diff and a migrated stdin stream stay on the terminal.
    const file = path.resolve(io.cwd, values.output);
    try {
      makeFolders(path.dirname(file));
      fs.writeFileSync(file, formatter(result, { color: false, quiet: values.quiet ?? false, cwd: io.cwd }));
    } catch (e) {
      io.stderr.write(`grpc-probe-migrate: cannot write --output ${values.output}: ${describeFsError(e)}\n`);
      return EXIT.usage;
    }
  } else {
    reportStream.write(formatter(result, { color: wantsColor(reportStream, io.env), quiet: values.quiet ?? false, cwd: io.cwd }));
  }

  return exitCode(result, { strict: values.strict ?? false, fix: values.fix ?? false, exitZero: values['exit-zero'] ?? false });
}

/** Why `file` could not be written (created with its folders, or replaced), or undefined; changes nothing. */
function unwritable(file: string): string | undefined {
  // Missing, or below a file (ENOTDIR): the walk up finds out which.
  const statOf = (p: string) => {
    try {
      return fs.statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
  };
  try {
    const st = statOf(file);
    if (st?.isDirectory()) return 'is a folder';
    if (st) {
      fs.accessSync(file, fs.constants.W_OK);
      return undefined;
    }
    // The nearest path that exists must be a folder we can create the rest in.
    let dir = path.dirname(file);
    let found = statOf(dir);
    while (!found && path.dirname(dir) !== dir) found = statOf((dir = path.dirname(dir)));
    if (!found) return 'no such file or folder';
    if (!found.isDirectory()) return `${path.basename(dir)} is not a folder`;
    fs.accessSync(dir, fs.constants.W_OK);
    return undefined;
  } catch (e) {
    return describeFsError(e);
  }
}

/**
 * A folder may hold thousands of files: its files are read in a thread while the rules run
 * ('auto': only when the walk finds enough of them to pay for the thread's start-up). A list of
 * files (pre-commit) or standard input is read inline: a thread would only add its start-up.
 * GRPC_PROBE_MIGRATE_READER=inline|worker|auto overrides (tests that fake fs calls need inline).
 */
function readerFor(paths: readonly string[], io: Io): 'inline' | 'worker' | 'auto' {
  const forced = io.env.GRPC_PROBE_MIGRATE_READER;
  if (forced === 'inline' || forced === 'worker' || forced === 'auto') return forced;
  if (paths.includes('-')) return 'inline';
  return paths.some((p) => isFolder(path.resolve(io.cwd, p))) ? 'auto' : 'inline';
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export function exitCode(result: RunResult, o: { strict: boolean; fix: boolean; exitZero: boolean }): number {
  if (result.findings.some((f) => f.status === 'error')) return EXIT.usage;
  if (o.exitZero) return EXIT.ok;
  if (result.findings.some((f) => f.status === 'migratable')) return EXIT.findings;
  if (o.strict && result.findings.some((f) => f.status === 'blocked')) return EXIT.findings;
  return EXIT.ok;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

interface PackageJson {
  name?: string;
  version?: string;
  homepage?: string;
  repository?: string | { url?: string };
}

let cachedPackage: PackageJson | undefined;
/** This tool's own package.json, found upwards from this module (src/ under ts-jest, dist/src/ when built). */
function ownPackage(): PackageJson {
  if (cachedPackage) return cachedPackage;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as PackageJson;
      if (pkg.name === 'grpc-probe-migrate') return (cachedPackage = pkg);
    }
    const up = path.dirname(dir);
    if (up === dir) return (cachedPackage = {});
    dir = up;
  }
}

export function packageVersion(): string {
  return ownPackage().version ?? '0.0.0';
}

/**
 * Where the tool's documentation lives, from package.json's `homepage` or `repository` (an
 * https address only), or undefined: the package is not published, and a link to a registry page
 * that does not exist would send code-scanning users to a 404.
 */
export function packageHome(pkg: PackageJson = ownPackage()): string | undefined {
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  for (const raw of [pkg.homepage, repo]) {
    const url = raw?.replace(/^git\+/, '').replace(/\.git$/, '');
    if (url && /^https:\/\/[^\s]+$/.test(url)) return url;
  }
  return undefined;
}

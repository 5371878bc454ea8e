/** The command line: a thin layer over `run()`. Returns the exit code; never calls process.exit. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseKubeVersion } from './analysis/native-probe.js';
import { DEFAULT_KUBE_VERSION, run } from './engine.js';
import { formatDiff } from './report/diff.js';
import { FORMATS } from './report/formats.js';
import { wantsColor } from './report/text.js';
import type { RunResult } from './types.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Reads all of standard input (only called when a path is `-`). */
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const EXIT = { ok: 0, findings: 1, usage: 2 } as const;

/**
 * Subcommands (`grpc-probe-migrate <name> ...`), loaded only when used. Each module exports
 * `main(argv, io): Promise<number>`.
 */
const SUBCOMMANDS: Record<string, () => Promise<{ main(argv: readonly string[], io: Io): Promise<number> }>> = {
  verify: () => import('./commands/verify.js'),
};

const HELP = `Usage: grpc-probe-migrate [options] [paths...]

Moves Kubernetes exec probes that run grpc_health_probe to native gRPC probes,
and reports what cannot move. Paths are files and folders (default "."); "-" reads
a YAML stream from standard input.

Options:
  --fix                 write the changes (default: report only, nothing written)
  --diff                print a unified diff of the changes (with or without --fix)
  --format text|json    output format (default: text)
  --kube-version X.Y    target cluster version (default ${DEFAULT_KUBE_VERSION})
  --keep-binary         leave every Dockerfile untouched
  --strict              blockers also make the exit code 1
  --exit-zero           exit 0 even when migratable uses remain (errors still exit 2)
  --quiet               only blocked uses and errors in the text report
  --debug               print stack traces of internal errors
  --help                show this help
  --version             print the version

Subcommands:
  verify --host HOST    check native gRPC probes against a live server, as the
                        kubelet would (grpc-probe-migrate verify --help)

Exit codes: 0 nothing left to migrate; 1 migratable uses remain (report mode), or
blockers with --strict; 2 bad usage, or a file could not be read or parsed.
`;

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
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
        'kube-version': { type: 'string' },
        'keep-binary': { type: 'boolean' },
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
    io.stderr.write(`grpc-probe-migrate: --kube-version "${kubeVersion}" is not X.Y (e.g. 1.27)\n`);
    return EXIT.usage;
  }
  if (values.debug) io.env.GRPC_PROBE_MIGRATE_DEBUG = '1';

  const paths = positionals.length > 0 ? positionals : ['.'];
  const usesStdin = paths.includes('-');
  const stdin = usesStdin ? await io.readStdin() : undefined;

  let result: RunResult;
  try {
    result = await run({
      paths,
      cwd: io.cwd,
      fix: values.fix ?? false,
      ...(kubeVersion !== undefined ? { kubeVersion, kubeVersionExplicit: true } : {}),
      keepBinary: values['keep-binary'] ?? false,
      ...(stdin !== undefined ? { stdin } : {}),
    });
  } catch (e) {
    io.stderr.write(`grpc-probe-migrate: ${(e as Error).message}\n`);
    if (values.debug) io.stderr.write(`${(e as Error).stack}\n`);
    return EXIT.usage;
  }

  // With `--fix -` the migrated stream is the output; the report moves to stderr.
  const stdinResult = result.files.find((f) => f.file.path === '' && f.file.displayPath === '<stdin>');
  const reportStream = values.fix && stdinResult ? io.stderr : io.stdout;
  if (values.fix && stdinResult) io.stdout.write(stdinResult.output);

  if (values.diff) {
    const diff = await formatDiff(result.files);
    if (diff) reportStream.write(diff + (format === 'text' ? '\n' : ''));
  }
  const formatter = await loadFormatter();
  reportStream.write(formatter(result, { color: wantsColor(reportStream, io.env), quiet: values.quiet ?? false, cwd: io.cwd }));

  return exitCode(result, { strict: values.strict ?? false, fix: values.fix ?? false, exitZero: values['exit-zero'] ?? false });
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
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

let cachedVersion: string | undefined;
export function packageVersion(): string {
  if (cachedVersion) return cachedVersion;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'grpc-probe-migrate') return (cachedVersion = pkg.version ?? '0.0.0');
    }
    const up = path.dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

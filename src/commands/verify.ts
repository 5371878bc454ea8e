/** `grpc-probe-migrate verify`: check the native gRPC probes of manifests against a live server. */
import { isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_KUBE_VERSION, kubeVersionSupportsGrpc, kubeVersionUsage, parseKubeVersion } from '../analysis/kube-version.js';
import type { Io } from '../cli.js';
import { readTargets, verifyTargets, type ProbeResult } from '../verify/index.js';
import type { FileProblem } from '../verify/targets.js';

export const VERIFY_EXIT = { pass: 0, fail: 1, usage: 2 } as const;

export const VERIFY_HELP = `Usage: grpc-probe-migrate verify --host HOST [options] [paths...]

Reads the native gRPC probes (grpc: {port, service}) in the given manifests and checks
each one against a live server the way the kubelet does: plaintext (TLS without verifying
the server for grpc.mode: TLS), one deadline of timeoutSeconds for connecting and the
grpc.health.v1.Health/Check call, the probe's service, user agent kube-probe/<major>.<minor>.
Paths are files and folders (default "."; in folders *.yaml, *.yml, *.json, *.tpl), "-"
reads a YAML stream from standard input (e.g. helm template ... | ... verify -).

Options:
  --host HOST             address to dial instead of the pod IP (required; no port: a
                          HOST:PORT or URL is a usage error)
  --port-map PORT=LOCAL   dial LOCAL for probes on PORT (kubectl port-forward); repeatable
  --set KEY=VALUE         a Helm value for templated probes ({{ .Values.KEY }}); repeatable,
                          a=1,b=2 too
  --kube-version VER      the kubelet version in the user agent (default ${DEFAULT_KUBE_VERSION}): X.Y,
                          or as kubectl version prints it (v1.30.4-eks-a737599); only
                          major.minor is sent
  --format text|json      output format (default: text)
  --help                  show this help

Per probe: SERVING (passes), NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN, UNIMPLEMENTED,
TLS_ONLY, NOT_GRPC, UNREACHABLE, TIMEOUT, RPC_ERROR, or INVALID (cannot be checked),
with the likely cause and fix.

Exit codes: 0 every probe would pass; 1 some would fail; 2 bad usage, no probe found,
or a file or probe could not be read.
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const usage = (message: string) => {
    io.stderr.write(`grpc-probe-migrate verify: ${message}\nRun with --help for usage.\n`);
    return VERIFY_EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        host: { type: 'string' },
        'port-map': { type: 'string', multiple: true },
        set: { type: 'string', multiple: true },
        'kube-version': { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(VERIFY_HELP);
    return VERIFY_EXIT.pass;
  }
  // `[::1]` as in a URL is accepted too; both gRPC and node:net want the bare address.
  const host = values.host?.trim().replace(/^\[(.*)\]$/, '$1');
  if (!host) return usage('--host is required (e.g. --host 127.0.0.1 with kubectl port-forward)');
  // `127.0.0.1:8080` or a URL would be dialled as a (bad) IPv6 address and fail as UNREACHABLE.
  if ((host.includes(':') && !isIPv6(host)) || /[/\s]/.test(host)) {
    return usage(`--host "${values.host}" is not a host name or IP address: the port comes from each probe (--port-map PORT=LOCAL changes it)`);
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') return usage(`unknown --format "${format}" (expected text, json)`);
  const kubeVersion = values['kube-version'] ?? DEFAULT_KUBE_VERSION;
  const kv = parseKubeVersion(kubeVersion);
  if (!kv) return usage(kubeVersionUsage(kubeVersion));
  if (!kubeVersionSupportsGrpc(kubeVersion)) {
    io.stderr.write(`grpc-probe-migrate verify: warning: a ${kv.major}.${kv.minor} kubelet runs no native gRPC probe by default (beta and on since 1.24)\n`);
  }

  const portMap = new Map<number, number>();
  for (const m of values['port-map'] ?? []) {
    const match = /^(\d+)=(\d+)$/.exec(m.trim());
    const from = Number(match?.[1]);
    const to = Number(match?.[2]);
    if (!match || !isPort(from) || !isPort(to)) return usage(`--port-map "${m}" is not PORT=LOCAL with ports 1-65535`);
    portMap.set(from, to);
  }
  const setValues = new Map<string, string>();
  for (const s of values.set ?? []) {
    // Helm's --set takes a,b=1,c=2 lists too.
    for (const part of s.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) return usage(`--set "${s}" is not KEY=VALUE`);
      setValues.set(part.slice(0, eq).trim(), part.slice(eq + 1));
    }
  }

  const paths = positionals.length > 0 ? positionals : ['.'];
  const raw = paths.includes('-') ? await io.readStdin() : undefined;
  // verify only reads the stream, never writes it back: decoded as before.
  const stdin = raw === undefined || typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  const { targets, problems } = readTargets(paths, io.cwd, setValues, stdin);
  if (targets.length === 0) {
    if (format === 'json') io.stdout.write(formatJson([], problems, host, kv, []));
    else writeProblems(io, problems);
    // Most often verify was run before --fix: the manifests still hold exec probes.
    io.stderr.write(
      `grpc-probe-migrate verify: no native gRPC probe (grpc: {port}) found in ${paths.join(' ')}; verify checks the probes grpc-probe-migrate --fix writes, so run it on the migrated manifests (or after --fix)\n`,
    );
    return VERIFY_EXIT.usage;
  }
  // A mapping that matches no probe is most likely a typo: say so, but check anyway.
  const probePorts = new Set(targets.map((t) => t.port));
  for (const from of portMap.keys()) {
    if (!probePorts.has(from)) io.stderr.write(`grpc-probe-migrate verify: warning: --port-map ${from}=${portMap.get(from)} matches no probe port\n`);
  }
  const results = await verifyTargets(targets, { host, portMap, userAgent: `kube-probe/${kv.major}.${kv.minor}` });

  const notes = portMap.size > 0 ? [PORT_FORWARD_NOTE] : [];
  io.stdout.write(format === 'json' ? formatJson(results, problems, host, kv, notes) : formatText(results, problems, notes));
  if (problems.length > 0 || results.some((r) => r.result.verdict === 'INVALID')) return VERIFY_EXIT.usage;
  return results.every((r) => r.result.passes) ? VERIFY_EXIT.pass : VERIFY_EXIT.fail;
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function writeProblems(io: Io, problems: readonly FileProblem[]): void {
  for (const p of problems) io.stderr.write(`${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}\n`);
}

/**
 * kubectl port-forward dials the port from inside the pod's network namespace, on its loopback
 * interface; the kubelet dials the pod IP. The one difference that can make a pass here a
 * failure in the cluster.
 */
export const PORT_FORWARD_NOTE =
  'through kubectl port-forward the connection reaches the pod on its loopback interface: a server that listens only on 127.0.0.1 passes here but fails the kubelet, which dials the pod IP';

export function formatText(results: readonly ProbeResult[], problems: readonly FileProblem[], notes: readonly string[] = []): string {
  let out = '';
  for (const p of problems) out += `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: error: ${p.message}\n`;
  for (const r of results) {
    const who = `${r.probe}${r.container !== undefined ? ` of container "${r.container}"` : ''}`;
    const what = r.address !== undefined ? ` → ${r.address}${r.service ? ` service "${r.service}"` : ''}, timeout ${r.timeoutSeconds}s` : '';
    out += `${r.file}:${r.line}:${r.column} ${who}${what}\n`;
    const outcome = r.result.passes ? 'would pass' : r.result.verdict === 'INVALID' ? 'not checked' : 'would fail';
    out += `  ${r.result.verdict} (${outcome}): ${r.result.message}\n`;
    if (r.result.cause) out += `    cause: ${r.result.cause}\n`;
    if (r.result.fix) out += `    fix:   ${r.result.fix}\n`;
  }
  const pass = results.filter((r) => r.result.passes).length;
  const invalid = results.filter((r) => r.result.verdict === 'INVALID').length;
  out += `\n${results.length} probe${results.length === 1 ? '' : 's'}: ${pass} would pass, ${results.length - pass - invalid} would fail`;
  out += `${invalid > 0 ? `, ${invalid} could not be checked` : ''}${problems.length > 0 ? `, ${problems.length} file problem${problems.length === 1 ? '' : 's'}` : ''}\n`;
  for (const n of notes) out += `note: ${n}\n`;
  return out;
}

export const VERIFY_JSON_VERSION = 1;

export function formatJson(
  results: readonly ProbeResult[],
  problems: readonly FileProblem[],
  host: string,
  kv: { major: number; minor: number },
  notes: readonly string[],
): string {
  const probes = results.map((r) => {
    const { result, error: _error, ...where } = r;
    return { ...where, ...result };
  });
  const pass = results.filter((r) => r.result.passes).length;
  const invalid = results.filter((r) => r.result.verdict === 'INVALID').length;
  return `${JSON.stringify(
    {
      version: VERIFY_JSON_VERSION,
      host,
      userAgent: `kube-probe/${kv.major}.${kv.minor}`,
      probes,
      problems,
      notes,
      summary: { probes: results.length, pass, fail: results.length - pass - invalid, invalid },
    },
    null,
    2,
  )}\n`;
}

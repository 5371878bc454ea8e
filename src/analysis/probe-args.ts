/**
 * The binary's command line, parsed the way Go's `flag` package parses it:
 * `-f=v`, `-f v`, `--f=v`, `--f v`; a boolean takes a value only with `=`.
 */

const BOOL_FLAGS = new Set(['tls', 'tls-no-verify', 'alts', 'spiffe', 'gzip', 'v', 'version']);
const VALUE_FLAGS = new Set([
  'addr',
  'service',
  'connect-timeout',
  'rpc-timeout',
  'user-agent',
  'rpc-header',
  'tls-ca-cert',
  'tls-client-cert',
  'tls-client-key',
  'tls-server-name',
]);

export interface ParsedProbeArgs {
  /** Last value of each flag (Go keeps the last), booleans as 'true'/'false'. */
  flags: Map<string, string>;
  /** Index of the argument that holds each flag's last value (`-f=v` itself, or the `v` after `-f`). */
  valueAt: Map<string, number>;
  /** Every -rpc-header value, in order. */
  rpcHeaders: string[];
  /** Flags the binary does not define (it exits 1 on them). */
  unknown: string[];
  /** Why Go's flag parsing would fail, if it would. */
  error?: string;
  /** Index of the first non-flag argument, where Go's parsing stopped (the binary ignores it and the rest). */
  stoppedAt?: number;
  /**
   * Boolean flags whose value is only known when the probe runs or the chart renders
   * (`-tls={{ .Values.tls }}`, `-tls=$(TLS)`): their index, the flag left unset.
   */
  runTimeBooleans: number[];
}

/** `runTime(i)`: argument i is only known when the probe runs (a variable, a template action). */
export function parseProbeArgs(args: readonly string[], runTime?: (i: number) => boolean): ParsedProbeArgs {
  const flags = new Map<string, string>();
  const valueAt = new Map<string, number>();
  const rpcHeaders: string[] = [];
  const unknown: string[] = [];
  const runTimeBooleans: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    // Go stops at the first non-flag argument; the binary ignores the rest.
    if (!arg.startsWith('-') || arg === '-') return { flags, valueAt, rpcHeaders, unknown, runTimeBooleans, stoppedAt: i };
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body.startsWith('-') || body.startsWith('=')) {
      return { flags, valueAt, rpcHeaders, unknown, runTimeBooleans, error: `bad flag syntax: ${arg}` };
    }
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (BOOL_FLAGS.has(name)) {
      if (value === undefined) value = 'true';
      const b = parseGoBool(value);
      if (b === undefined && runTime?.(i)) {
        runTimeBooleans.push(i);
        continue;
      }
      if (b === undefined) return { flags, valueAt, rpcHeaders, unknown, runTimeBooleans, error: `invalid boolean value "${value}" for -${name}` };
      flags.set(name, String(b));
      valueAt.set(name, i);
      continue;
    }
    if (!VALUE_FLAGS.has(name)) {
      unknown.push(name);
      if (value === undefined && i + 1 < args.length && !args[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= args.length) return { flags, valueAt, rpcHeaders, unknown, runTimeBooleans, error: `flag needs an argument: -${name}` };
      value = args[++i]!;
    }
    if (name === 'rpc-header') rpcHeaders.push(value);
    flags.set(name, value);
    valueAt.set(name, i);
  }
  return { flags, valueAt, rpcHeaders, unknown, runTimeBooleans };
}

function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

export type AddrParse =
  | { kind: 'tcp'; host: string; portText: string }
  | { kind: 'unix'; path: string }
  | { kind: 'invalid'; reason: string };

/**
 * `host:port`, `:port`, `[::1]:port`, `unix:///path`, as the binary's grpc.DialContext reads its
 * target: a scheme grpc-go registers picks the resolver (`dns:///host:port`, `dns://server/host:port`
 * and `passthrough:///host:port` dial host:port; `unix:` a socket); any other text is dialled
 * whole, as net.SplitHostPort sees it.
 */
export function parseAddr(addr: string): AddrParse {
  // grpc-go reads the scheme with url.Parse, which lowercases it: `UNIX:///run/app.sock` is a socket too.
  if (/^unix(-abstract)?:/i.test(addr)) return { kind: 'unix', path: addr };
  const target = /^(dns|passthrough):(\/\/[^/]*(?:\/|$))?\/?(.*)$/is.exec(addr);
  if (target) {
    const scheme = target[1]!.toLowerCase();
    // `dns://host:5000`: grpc-go reads host:5000 as the DNS server to ask, and the endpoint as empty.
    if (target[2] !== undefined && !target[2].endsWith('/')) return { kind: 'invalid', reason: `"${addr}" names no address after the ${scheme} authority ${target[2].slice(2)} (${scheme}:///${target[2].slice(2)} was meant?); the binary fails today` };
    const endpoint = hostPort(target[3]!);
    // grpc-go's dns resolver gives a target with no port its default, 443: the binary checks
    // that port, it does not fail. passthrough: dials the text as it is, which does fail.
    const bare = /^(?:[^:[\]]+|\[[^\]]*\])$/.exec(target[3]!);
    if (scheme === 'dns' && bare) return { kind: 'invalid', reason: `"${addr}" names no port, so grpc-go's dns resolver dials port 443, its default (${target[3]}:443): write the port -addr means (${scheme}:///${target[3]}:443 if 443 is it)` };
    return endpoint.kind === 'invalid' ? { kind: 'invalid', reason: `"${addr}": the ${scheme} target's ${endpoint.reason}` } : endpoint;
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(addr);
  if (scheme) return { kind: 'invalid', reason: `"${addr}" starts with ${scheme[1]!.toLowerCase()}://, a scheme grpc_health_probe has no resolver for: the binary dials the whole text as an address and fails today (-addr takes host:port)` };
  return hostPort(addr);
}

/** `host:port`, `:port`, `[::1]:port` as net.SplitHostPort reads them. */
function hostPort(addr: string): AddrParse {
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']');
    if (close === -1 || addr[close + 1] !== ':') return { kind: 'invalid', reason: `"${addr}" is not host:port` };
    return { kind: 'tcp', host: addr.slice(1, close), portText: addr.slice(close + 2) };
  }
  const colon = addr.lastIndexOf(':');
  if (colon === -1) return { kind: 'invalid', reason: `"${addr}" has no port` };
  const host = addr.slice(0, colon);
  if (host.includes(':')) return { kind: 'invalid', reason: `"${addr}": too many colons (an IPv6 host needs [brackets])` };
  return { kind: 'tcp', host, portText: addr.slice(colon + 1) };
}

export type HostClass = 'any' | 'loopback' | 'remote';

export function classifyHost(host: string): HostClass {
  const h = host.toLowerCase();
  if (h === '' || h === '0.0.0.0' || h === '::' || h === '[::]') return 'any';
  if (h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === 'ip6-localhost') return 'loopback';
  return 'remote';
}

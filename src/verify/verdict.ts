/**
 * What a check means for the kubelet, with the likely cause and the fix. A table, so that every
 * verdict a user can see has its explanation in one place (README lists the same).
 */
import type { CheckOutcome } from './kubelet-check.js';
import type { Diagnosis } from './diagnose.js';

export const VERDICTS = [
  'SERVING',
  'NOT_SERVING',
  'UNKNOWN',
  'SERVICE_UNKNOWN',
  'UNIMPLEMENTED',
  'TLS_ONLY',
  'NOT_GRPC',
  'UNREACHABLE',
  'TIMEOUT',
  'RPC_ERROR',
  'INVALID',
] as const;
export type VerdictKind = (typeof VERDICTS)[number];

export interface Verdict {
  verdict: VerdictKind;
  /** Would the kubelet count this probe as a success? Only SERVING does. */
  passes: boolean;
  /** What was observed, in a sentence. */
  message: string;
  cause?: string;
  fix?: string;
}

const EXPLAIN: Record<Exclude<VerdictKind, 'SERVING'>, { cause: string; fix: string }> = {
  NOT_SERVING: {
    cause: 'the health service reports this service as not serving (a dependency down, still starting, or draining)',
    fix: 'find why the server marks itself NOT_SERVING; for a slow start use a startupProbe rather than a longer liveness delay',
  },
  UNKNOWN: {
    cause: 'the health service answered UNKNOWN: the server registered the service without a status yet',
    fix: 'have the server set SERVING once it is ready',
  },
  SERVICE_UNKNOWN: {
    cause: 'the health service does not know the probe\'s `service` name (gRPC NOT_FOUND)',
    fix: 'set grpc.service to a name the server registers with its health service (often the full service name, e.g. "hipstershop.CartService"), or leave it empty for the whole server',
  },
  UNIMPLEMENTED: {
    cause: 'the port speaks gRPC but does not serve grpc.health.v1.Health (or the port is another gRPC server, e.g. a sidecar)',
    fix: 'register the standard health service in the server (grpc-go: health.NewServer(); grpc-java: HealthStatusManager; Node: grpc-health-check), or point grpc.port at the port that serves it',
  },
  TLS_ONLY: {
    cause: 'the port only accepts TLS; the kubelet\'s native gRPC probe always connects in plaintext',
    fix: 'serve health on a separate plaintext port and probe that, or keep the exec probe with grpc_health_probe -tls (a mesh sidecar doing mTLS can also cause this: exclude the probe port from interception)',
  },
  NOT_GRPC: {
    cause: 'the port does not speak gRPC: it answered something other than HTTP/2 (often HTTP/1), or closed the connection unanswered',
    fix: 'point grpc.port at the gRPC port (check the container\'s ports), or use an httpGet probe for an HTTP endpoint',
  },
  UNREACHABLE: {
    cause: 'nothing accepted a TCP connection at this address (not listening, listening only on 127.0.0.1 inside the pod, or the wrong --host/--port-map)',
    fix: 'make the server listen on 0.0.0.0 (or the pod IP) at grpc.port; when checking through kubectl port-forward, map the probe port with --port-map PORT=LOCAL',
  },
  TIMEOUT: {
    cause: 'no answer within timeoutSeconds (the kubelet\'s one deadline covers connecting and the Check RPC)',
    fix: 'raise timeoutSeconds if the server is just slow to answer health checks, or find what blocks the health handler or the port',
  },
  RPC_ERROR: {
    cause: 'the Check RPC failed with a gRPC error (interceptors that require auth or metadata are a common cause: the kubelet sends none)',
    fix: 'let the health service answer unauthenticated requests without metadata',
  },
  INVALID: {
    cause: 'the probe cannot be checked as written',
    fix: 'fix the probe, or give the template values it needs with --set key=value',
  },
};

export function verdict(kind: VerdictKind, message: string): Verdict {
  if (kind === 'SERVING') return { verdict: kind, passes: true, message };
  return { verdict: kind, passes: false, message, ...EXPLAIN[kind] };
}

/** The kubelet's verdict, explained; `diagnosis` is only needed when the dial failed; `tls`: the probe says `grpc.mode: TLS`. */
export function judge(outcome: CheckOutcome, timeoutSeconds: number, diagnosis?: Diagnosis, tls = false): Verdict {
  if (outcome.kind === 'status') {
    const s = outcome.status;
    if (s === 'SERVING') return verdict('SERVING', 'the health service answered SERVING');
    if (s === 'NOT_SERVING' || s === 'SERVICE_UNKNOWN' || s === 'UNKNOWN') return verdict(s, `the health service answered ${s}`);
    return verdict('UNKNOWN', `the health service answered ${s}`);
  }
  if (outcome.kind === 'rpc-error') {
    // An HTTP/2 answer with an HTTP status and no gRPC status (a web server's 404, which gRPC maps
    // to UNIMPLEMENTED): the port speaks HTTP/2, not gRPC.
    const http = /^Received HTTP status code (\d+)/.exec(outcome.message);
    if (http) return verdict('NOT_GRPC', `the port speaks HTTP/2 but answered HTTP ${http[1]} with no gRPC status: not a gRPC server`);
    if (outcome.code === 'UNIMPLEMENTED') return verdict('UNIMPLEMENTED', `Check is not implemented here: ${outcome.message}`);
    if (outcome.code === 'NOT_FOUND') return verdict('SERVICE_UNKNOWN', `the health service does not know this service: ${outcome.message}`);
    if (outcome.code === 'DEADLINE_EXCEEDED') return verdict('TIMEOUT', `connected, but the health RPC did not complete within ${timeoutSeconds}s`);
    return verdict('RPC_ERROR', `Check failed with ${outcome.code}: ${outcome.message}`);
  }
  const within = `no ${tls ? 'TLS' : 'plaintext'} gRPC connection within ${timeoutSeconds}s`;
  // A `mode: TLS` probe connects over TLS: a port that speaks TLS is what it expects, and one that
  // speaks plaintext HTTP/2 is the mismatch (the mirror of TLS_ONLY).
  if (tls && diagnosis?.kind === 'tls') {
    return {
      ...verdict('NOT_GRPC', `${within}: the port speaks TLS (${diagnosis.how}), but no gRPC connection came up over it`),
      cause: 'the port accepts TLS but serves no gRPC (HTTP/2) over it: another TLS service, a server that does not offer h2 by ALPN, or one that wants a client certificate (the kubelet sends none)',
      fix: 'point grpc.port at the gRPC port, and let it accept TLS connections without a client certificate',
    };
  }
  if (tls && diagnosis?.kind === 'h2c') {
    return {
      ...verdict('NOT_GRPC', `${within}: the port speaks plaintext HTTP/2, not TLS`),
      cause: 'the port speaks plaintext gRPC, while grpc.mode: TLS makes the kubelet start a TLS handshake there',
      fix: 'drop mode: TLS from the probe (the default, plaintext, is what this port speaks), or point grpc.port at the server\'s TLS port',
    };
  }
  switch (diagnosis?.kind) {
    case 'refused':
      return verdict('UNREACHABLE', 'connection refused: nothing listens on this port');
    case 'unreachable':
      return verdict('UNREACHABLE', `cannot connect (${diagnosis.code})`);
    case 'tcp-timeout':
      return verdict('TIMEOUT', `${within}; the TCP connect itself got no answer (a firewall or NetworkPolicy dropping packets?)`);
    case 'tls':
      return verdict('TLS_ONLY', `${within}: the port speaks TLS (${diagnosis.how})`);
    case 'http1':
      return verdict('NOT_GRPC', `${within}: the port answered "${diagnosis.firstLine}"`);
    case 'h2c':
      return verdict('TIMEOUT', `${within}; the port does speak plaintext HTTP/2, so the server was too slow to accept the connection`);
    case 'silent':
      return verdict('TIMEOUT', `${within}; the port accepts TCP connections but answered neither HTTP/2 nor TLS (a stuck server, or not a gRPC server)`);
    case 'closed':
      return verdict('NOT_GRPC', `${within}: the port accepts TCP connections and closes them without answering HTTP/2 or TLS`);
    case 'other':
      return verdict('NOT_GRPC', `${within}: the port answered bytes that are neither HTTP/2 nor TLS (${diagnosis.firstBytes})`);
    default:
      return verdict('TIMEOUT', `${within} (${outcome.message})`);
  }
}

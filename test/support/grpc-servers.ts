/**
 * Real servers for the `verify` tests, all on 127.0.0.1 with a port chosen by the OS. Each
 * returns `close()`; tests close them in `finally` so that nothing outlives a test.
 */
import http from 'node:http';
import net from 'node:net';
import type * as GrpcJs from '@grpc/grpc-js';
import { checkProbe } from '../../src/verify/index.js';
import { loadGrpc } from '../../src/verify/kubelet-check.js';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';

export interface HealthServer extends RunningServer {
  /** Like agnhost grpc-health-checking's /make-serving and /make-not-serving. */
  setStatus(service: string, status: ServingStatus): void;
  /** The user-agent header of every Check received. */
  userAgents: string[];
}

async function healthModule() {
  const m = await import('grpc-health-check');
  return ((m as unknown as { default?: typeof m }).default ?? m) as typeof m;
}

async function bind(grpc: typeof GrpcJs, server: GrpcJs.Server, creds: GrpcJs.ServerCredentials): Promise<RunningServer> {
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.forceShutdown();
      resolve();
    }),
  };
}

/**
 * A gRPC server with the standard health service (grpc-health-check's HealthImplementation),
 * optionally slow to answer Check.
 */
export async function startHealthServer(
  statuses: Record<string, ServingStatus>,
  opts: { checkDelayMs?: number; tls?: { cert: string; key: string } } = {},
): Promise<HealthServer> {
  const { grpc } = await loadGrpc();
  const health = await healthModule();
  const impl = new health.HealthImplementation(statuses);
  const server = new grpc.Server();
  const userAgents: string[] = [];
  const delayed = new Set<NodeJS.Timeout>();
  // Register the real implementation, then wrap its Check to record metadata and add delay.
  const captured: { check?: GrpcJs.handleUnaryCall<{ service: string }, { status: string }> } = {};
  impl.addToServer({
    addService: (_def: unknown, handlers: Record<string, unknown>) => {
      captured.check = handlers.check as typeof captured.check;
      server.addService(health.service as unknown as GrpcJs.ServiceDefinition, {
        ...handlers,
        check: (call: GrpcJs.ServerUnaryCall<{ service: string }, { status: string }>, cb: GrpcJs.sendUnaryData<{ status: string }>) => {
          userAgents.push(String(call.metadata.get('user-agent')[0] ?? ''));
          const answer = () => captured.check!(call, cb);
          if (opts.checkDelayMs) {
            const timer = setTimeout(() => {
              delayed.delete(timer);
              answer();
            }, opts.checkDelayMs);
            delayed.add(timer);
          } else answer();
        },
      } as GrpcJs.UntypedServiceImplementation);
    },
  } as never);
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(opts.tls.cert), private_key: Buffer.from(opts.tls.key) }], false)
    : grpc.ServerCredentials.createInsecure();
  const running = await bind(grpc, server, creds);
  const close = async () => {
    for (const t of delayed) clearTimeout(t);
    await running.close();
  };
  return { port: running.port, close, setStatus: (s, st) => impl.setStatus(s, st), userAgents };
}

/** A gRPC server that serves no health service: every Check is UNIMPLEMENTED. */
export async function startServerWithoutHealth(): Promise<RunningServer> {
  const { grpc } = await loadGrpc();
  return bind(grpc, new grpc.Server(), grpc.ServerCredentials.createInsecure());
}

/** A process that accepts TCP connections and never says a word. */
export async function startSilentServer(): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return listen(server, () => {
    for (const s of sockets) s.destroy();
  });
}

/**
 * A raw server that answers the first bytes it gets with `bytes` after `delayMs`: a TLS alert (as
 * OpenSSL/BoringSSL-based TLS servers may answer plaintext), or an HTTP/2 SETTINGS frame late.
 */
export async function startRawAnswerServer(bytes: Buffer, delayMs = 0): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', () => {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!s.destroyed) s.write(bytes);
      }, delayMs);
      timers.add(t);
    });
  });
  return listen(server, () => {
    for (const t of timers) clearTimeout(t);
    for (const s of sockets) s.destroy();
  });
}

/** A plain HTTP/1 server: the probe points at the wrong port. */
export async function startHttp1Server(): Promise<RunningServer> {
  const server = http.createServer((_req, res) => res.end('ok'));
  return listen(server, () => server.closeAllConnections());
}

async function listen(server: net.Server, dropConnections: () => void): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      dropConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port that was just free: bound by the OS, then released, so nothing listens on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A self-signed certificate made at test time (EC P-256: fast), for the TLS-only server. */
export async function selfSignedCert(): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned');
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha256', notAfterDate: new Date(Date.now() + 24 * 3600 * 1000) });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The first connection of a process loads gRPC's lazy parts. Tests that keep the kubelet's 1 s
 * default deadline warm up first, so that a loaded CI machine does not turn that into a timeout.
 */
export async function warmUp(server: RunningServer): Promise<void> {
  await checkProbe({ host: '127.0.0.1', port: server.port, service: '', timeoutMs: 10_000, userAgent: 'warm-up' });
}

/** Runs `use` with the server `start` gives, and closes that server however `use` ends. */
export async function withServer<S extends RunningServer>(start: Promise<S>, use: (server: S) => Promise<void>): Promise<void> {
  const server = await start;
  try {
    await use(server);
  } finally {
    await server.close();
  }
}

/**
 * One gRPC health check made the way the kubelet makes it (kubernetes pkg/probe/grpc/grpc.go):
 * plaintext credentials, a blocking dial and the `grpc.health.v1.Health/Check` RPC under ONE
 * deadline, user agent `kube-probe/<major>.<minor>`, empty metadata, the probe's `service`.
 * A fresh connection per check (no shared subchannel), no retries, no service config: the
 * kubelet dials a pod IP with none of those.
 */
import { isIP } from 'node:net';
import type * as GrpcJs from '@grpc/grpc-js';

export interface CheckInput {
  host: string;
  port: number;
  service: string;
  /** `grpc.mode: TLS` (KEP-4939): TLS without verifying the server, no client certificate. */
  tls?: boolean;
  timeoutMs: number;
  /** `kube-probe/1.27`; gRPC appends its own library token after it, as grpc-go does for the kubelet. */
  userAgent: string;
}

export type CheckOutcome =
  /** The Check RPC answered: SERVING, NOT_SERVING, UNKNOWN or SERVICE_UNKNOWN. */
  | { kind: 'status'; status: string }
  /** No connection became ready before the deadline (the kubelet's "failed to connect ... within"). */
  | { kind: 'dial-timeout'; message: string }
  /** The RPC failed with a gRPC status (UNIMPLEMENTED, NOT_FOUND, DEADLINE_EXCEEDED, ...). */
  | { kind: 'rpc-error'; code: string; message: string };

interface HealthClient extends GrpcJs.Client {
  check(
    request: { service: string },
    metadata: GrpcJs.Metadata,
    options: GrpcJs.CallOptions,
    callback: (err: GrpcJs.ServiceError | null, response?: { status: string }) => void,
  ): GrpcJs.ClientUnaryCall;
}

let loaded: Promise<{ grpc: typeof GrpcJs; Health: new (address: string, creds: GrpcJs.ChannelCredentials, options: GrpcJs.ChannelOptions) => HealthClient }> | undefined;

/** gRPC and the health proto cost ~100 ms to load; only `verify` pays for them. */
export function loadGrpc() {
  loaded ??= (async () => {
    const grpcModule = await import('@grpc/grpc-js');
    const grpc = ((grpcModule as unknown as { default?: typeof GrpcJs }).default ?? grpcModule) as typeof GrpcJs;
    const healthModule = await import('grpc-health-check');
    const health = ((healthModule as unknown as { default?: typeof healthModule }).default ?? healthModule) as typeof healthModule;
    const Health = grpc.makeGenericClientConstructor(health.service as unknown as GrpcJs.ServiceDefinition, 'Health') as unknown as new (
      address: string,
      creds: GrpcJs.ChannelCredentials,
      options: GrpcJs.ChannelOptions,
    ) => HealthClient;
    return { grpc, Health };
  })();
  return loaded;
}

export function grpcTarget(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

let quieted = false;

/**
 * grpc-js names an IP target as the TLS server name, which Node warns of on stderr (DEP0123) on
 * every TLS check at a pod IP; grpc-js has no option to send none (its override must be a
 * non-empty name, which would then be sent instead), and the warning says nothing about the probe.
 * Only that warning is dropped: any other still prints (review21 R11).
 */
function quietIpServerNameWarning(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, typeOrOptions, code] = args;
    const named = typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: string }).code : code;
    if (named === 'DEP0123') return;
    emit(...args);
  }) as typeof process.emitWarning;
}

export async function kubeletCheck(input: CheckInput): Promise<CheckOutcome> {
  const { grpc, Health } = await loadGrpc();
  const deadline = Date.now() + input.timeoutMs;
  const credentials = input.tls ? grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }) : grpc.credentials.createInsecure();
  if (input.tls && isIP(input.host) !== 0) quietIpServerNameWarning();
  const client = new Health(grpcTarget(input.host, input.port), credentials, {
    'grpc.primary_user_agent': input.userAgent,
    'grpc.use_local_subchannel_pool': 1,
    'grpc.enable_retries': 0,
    'grpc.service_config_disable_resolution': 1,
  });
  try {
    // The kubelet's grpc.DialContext(ctx, addr, WithBlock()): wait for a ready connection.
    const ready = await new Promise<Error | undefined>((resolve) => client.waitForReady(deadline, (e) => resolve(e ?? undefined)));
    if (ready) return { kind: 'dial-timeout', message: ready.message };
    // ... then Check under the same context, so the same deadline.
    return await new Promise<CheckOutcome>((resolve) => {
      client.check({ service: input.service }, new grpc.Metadata(), { deadline }, (err, response) => {
        if (err) resolve({ kind: 'rpc-error', code: grpc.status[err.code] ?? String(err.code), message: err.details || err.message });
        else resolve({ kind: 'status', status: String(response?.status ?? 'UNKNOWN') });
      });
    });
  } finally {
    client.close();
  }
}

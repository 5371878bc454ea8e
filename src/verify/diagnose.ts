/**
 * Why a plaintext gRPC connection never became ready. The kubelet only says "timeout: failed to
 * connect"; a user needs to know whether nothing listens, something silent listens, or the port
 * speaks TLS. Run only after the kubelet-like check failed to connect, each step bounded:
 *
 * 1. TCP connect. Refused / unreachable / no answer end it here.
 * 2. Send what a plaintext gRPC client sends first — the HTTP/2 client preface and an empty
 *    SETTINGS frame — and read the first bytes back:
 *    - `15 03 xx` is a TLS alert record (content type 21, version 3.x): a TLS server that
 *      rejected our plaintext (BoringSSL/OpenSSL-based servers may answer so);
 *    - `16 03 xx` is a TLS handshake record: TLS too;
 *    - `HTTP/1.` is a plain HTTP/1 server (not gRPC, or an HTTP/1-only proxy);
 *    - an HTTP/2 frame header of type SETTINGS (byte 3 = 4): the server speaks plaintext gRPC,
 *      it was only too slow;
 *    - nothing, or the connection closed: go on.
 * 3. Many TLS servers (Go's crypto/tls, Node) close a connection whose first bytes are not a TLS
 *    record without sending any alert, so try a TLS handshake (ALPN h2, no certificate check: a
 *    diagnosis, not a trust decision). A completed handshake, or a TLS alert from the server
 *    (e.g. it wants a client certificate), proves the port speaks TLS.
 */
import net from 'node:net';
import tls from 'node:tls';

export type Diagnosis =
  | { kind: 'refused' }
  | { kind: 'unreachable'; code: string }
  | { kind: 'tcp-timeout' }
  | { kind: 'tls'; how: string }
  | { kind: 'http1'; firstLine: string }
  | { kind: 'h2c' }
  | { kind: 'silent' }
  | { kind: 'closed' }
  | { kind: 'other'; firstBytes: string };

const H2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'),
  // An empty SETTINGS frame: length 0, type 4, flags 0, stream 0.
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);

export async function diagnoseConnection(host: string, port: number, stepMs: number): Promise<Diagnosis> {
  const first = await plaintextExchange(host, port, stepMs);
  if (first.kind !== 'silent' && first.kind !== 'closed') return first;
  const viaTls = await tlsHandshake(host, port, stepMs);
  return viaTls ?? first;
}

function plaintextExchange(host: string, port: number, stepMs: number): Promise<Diagnosis> {
  return new Promise((resolve) => {
    let connected = false;
    let received = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const finish = (d: Diagnosis) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(d);
    };
    // One bound for the connect, and (once connected) another for the answer.
    let timer = setTimeout(() => finish({ kind: 'tcp-timeout' }), stepMs);
    socket.on('connect', () => {
      connected = true;
      clearTimeout(timer);
      timer = setTimeout(() => finish(classify(received) ?? { kind: 'silent' }), stepMs);
      socket.write(H2_PREFACE);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const d = classify(received);
      if (d) finish(d);
    });
    socket.on('end', () => finish(classify(received, true) ?? { kind: 'closed' }));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (connected) finish(classify(received, true) ?? { kind: 'closed' });
      else if (e.code === 'ECONNREFUSED') finish({ kind: 'refused' });
      else finish({ kind: 'unreachable', code: e.code ?? e.message });
    });
  });
}

/** What the first bytes say, or undefined while they do not say enough yet. */
export function classify(bytes: Buffer, complete = false): Diagnosis | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes.length < 3 && !complete) return undefined;
  if (bytes[0] === 0x15 && bytes[1] === 0x03) return { kind: 'tls', how: 'it answered plaintext with a TLS alert record' };
  if (bytes[0] === 0x16 && bytes[1] === 0x03) return { kind: 'tls', how: 'it answered plaintext with a TLS handshake record' };
  const text = bytes.toString('latin1');
  if (text.startsWith('HTTP/1.')) {
    const eol = text.indexOf('\r\n');
    if (eol === -1 && !complete) return undefined;
    return { kind: 'http1', firstLine: eol === -1 ? text : text.slice(0, eol) };
  }
  if (bytes.length < 9 && !complete) return undefined;
  if (bytes.length >= 9 && bytes[3] === 0x04) return { kind: 'h2c' };
  return { kind: 'other', firstBytes: bytes.subarray(0, 16).toString('hex') };
}

function tlsHandshake(host: string, port: number, stepMs: number): Promise<Diagnosis | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['h2'],
      rejectUnauthorized: false,
    });
    const finish = (d: Diagnosis | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(d);
    };
    const timer = setTimeout(() => finish(undefined), stepMs);
    socket.on('secureConnect', () => {
      const proto = socket.alpnProtocol ? `, ALPN ${socket.alpnProtocol}` : '';
      finish({ kind: 'tls', how: `a TLS handshake completed (${socket.getProtocol() ?? 'TLS'}${proto})` });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // An alert from the peer is TLS speaking, even when it refuses us (no client certificate).
      if (e.code && /^ERR_SSL_.*ALERT/.test(e.code)) finish({ kind: 'tls', how: `the server sent a TLS alert (${e.code})` });
      else finish(undefined);
    });
  });
}

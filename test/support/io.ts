import { PassThrough } from 'node:stream';
import type { Io } from '../../src/cli.js';

export interface CapturedIo extends Io {
  out(): string;
  /** Standard output as written, byte for byte. */
  outBytes(): Buffer;
  err(): string;
}

/** An Io for in-process CLI runs: captured stdout/stderr, a given stdin, no colour unless asked. */
export function captureIo(cwd: string, opts: { stdin?: string | Buffer; env?: NodeJS.ProcessEnv; tty?: boolean } = {}): CapturedIo {
  const stdout = new PassThrough() as PassThrough & { isTTY?: boolean };
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (opts.tty) stdout.isTTY = true;
  let out = '';
  const outChunks: Buffer[] = [];
  let err = '';
  stdout.on('data', (d: Buffer) => {
    out += d;
    outChunks.push(Buffer.from(d));
  });
  stderr.on('data', (d) => (err += d));
  return {
    stdout,
    stderr,
    cwd,
    env: opts.env ?? {},
    readStdin: async () => opts.stdin ?? '',
    out: () => out,
    outBytes: () => Buffer.concat(outChunks),
    err: () => err,
  };
}

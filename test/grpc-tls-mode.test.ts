/** --grpc-tls-mode: opt-in for clusters with the GRPCContainerProbeTLS gate (KEP-4939). */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { podWith, repoWith } from './support/repo.js';

const noVerify = podWith('"-addr=:8443", "-tls", "-tls-no-verify"');

test('without the flag, -tls -tls-no-verify stays blocked', async () => {
  const dir = repoWith({ 'a.yaml': noVerify });
  const io = captureIo(dir);
  await main(['--format', 'json'], io);
  expect(JSON.parse(io.out()).findings.map((f: { blockers: string[] }) => f.blockers)).toEqual([['tls']]);
});

test('with --grpc-tls-mode it becomes grpc.mode: TLS', async () => {
  const dir = repoWith({ 'a.yaml': noVerify });
  expect(await main(['--fix', '--grpc-tls-mode'], captureIo(dir))).toBe(0);
  expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toContain('grpc:\n        port: 8443\n        mode: TLS\n');
});

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

test('a Helm define the tool cannot see whole: the hand migration its hint gives keeps mode: TLS', async () => {
  const helpers = [
    '{{- define "api.probeCommand" -}}',
    '- /bin/grpc_health_probe',
    '- -addr=:8443',
    '- -tls',
    '- -tls-no-verify',
    '{{- end }}',
    '{{- define "api.probeExec" -}}',
    'exec:',
    '  command: ["/bin/grpc_health_probe", "-addr=:8443", "-tls", "-tls-no-verify"]',
    '{{- end }}',
    '',
  ].join('\n');
  const deployment = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: api',
    'spec:',
    '  containers:',
    '    - name: api',
    '      image: example/api:1.0',
    '      livenessProbe:',
    '        exec:',
    '          command:',
    '            {{- include "api.probeCommand" . | nindent 12 }}',
    '      readinessProbe:',
    '        {{- include "api.probeExec" . | nindent 8 }}',
    '',
  ].join('\n');
  const dir = repoWith({ 'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n', 'chart/values.yaml': '{}\n', 'chart/templates/_helpers.tpl': helpers, 'chart/templates/pod.yaml': deployment });
  const io = captureIo(dir);
  await main(['--format', 'json', '--grpc-tls-mode'], io);
  const hints = (JSON.parse(io.out()).findings as { file: string; hint?: string }[]).filter((f) => f.file === 'chart/templates/_helpers.tpl').map((f) => f.hint);
  // Without mode: TLS, the kubelet would probe the TLS server in plaintext and fail.
  expect(hints).toEqual([expect.stringContaining('with grpc: {port: 8443, mode: TLS}, checking timeoutSeconds'), 'Migrate it by hand: make the body grpc: {port: 8443, mode: TLS}, and check timeoutSeconds where it is included.']);
});

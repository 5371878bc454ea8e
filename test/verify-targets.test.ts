/** `verify` reading probes: where they are, their values, templates, and what cannot be read. */
import path from 'node:path';
import { describe, expect, jest, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { main } from '../src/cli.js';
import { readTargets, verifyTargets } from '../src/verify/index.js';
import { probeTargets } from '../src/verify/targets.js';
import { evaluateTemplateText } from '../src/verify/template.js';
import { startHealthServer, warmUp, withServer } from './support/grpc-servers.js';
import { captureIo } from './support/io.js';
import { CORPUS } from './support/corpus.js';
import { copyOf, repoWith } from './support/repo.js';

// Real sockets and deadlines: jest's 5 s default is too tight for a loaded CI machine.
jest.setTimeout(30_000);

const NO_VALUES = new Map<string, string>();

describe('probeTargets', () => {
  test('multi-document streams and Lists; defaults: service "" and timeoutSeconds 1', () => {
    const text = `kind: Pod
spec:
  containers:
  - name: a
    livenessProbe:
      grpc: {port: 5000}
---
kind: List
items:
- kind: Pod
  spec:
    containers:
    - name: b
      startupProbe:
        grpc:
          port: 6000
          service: b.v1.B
        timeoutSeconds: 3
`;
    const { targets, problems } = probeTargets('m.yaml', text, NO_VALUES);
    expect(problems).toEqual([]);
    expect(targets).toEqual([
      { file: 'm.yaml', line: 5, column: 5, probe: 'livenessProbe', document: 1, container: 'a', port: 5000, service: '', timeoutSeconds: 1 },
      { file: 'm.yaml', line: 14, column: 7, probe: 'startupProbe', document: 2, container: 'b', port: 6000, service: 'b.v1.B', timeoutSeconds: 3 },
    ]);
  });

  test('exec, httpGet and tcpSocket probes are not native gRPC probes', () => {
    const text = `containers:
- name: a
  readinessProbe: {exec: {command: [/bin/grpc_health_probe, -addr=:5000]}}
  livenessProbe: {tcpSocket: {port: 5000}}
`;
    expect(probeTargets('m.yaml', text, NO_VALUES).targets).toEqual([]);
  });

  test('JSON manifests parse as YAML', () => {
    const text = '{"spec": {"containers": [{"name": "j", "readinessProbe": {"grpc": {"port": 7000}, "timeoutSeconds": 2}}]}}\n';
    expect(probeTargets('m.json', text, NO_VALUES).targets).toMatchObject([{ container: 'j', port: 7000, timeoutSeconds: 2 }]);
  });

  test('timeoutSeconds empty or 0 is unset: the API server makes it 1', () => {
    const text = `containers:
- name: a
  readinessProbe: {grpc: {port: 5000}, timeoutSeconds: 0}
  livenessProbe:
    grpc: {port: 5000}
    timeoutSeconds:
  startupProbe: {grpc: {port: 5000}, timeoutSeconds: -1}
`;
    const { targets } = probeTargets('m.yaml', text, NO_VALUES);
    expect(targets.map((t) => [t.timeoutSeconds, t.error])).toEqual([
      [1, undefined],
      [1, undefined],
      [1, 'timeoutSeconds "-1" is not a whole number of seconds >= 1'],
    ]);
  });

  test('fields that cannot be used are per-probe errors, and the other probes still count', () => {
    const text = `containers:
- name: a
  readinessProbe: {grpc: {service: x}}
  livenessProbe: {grpc: {port: 0}, timeoutSeconds: 0.5}
  startupProbe: {grpc: {port: [1]}}
- name: ok
  readinessProbe: {grpc: {port: 5000}}
`;
    const { targets } = probeTargets('m.yaml', text, NO_VALUES);
    expect(targets.map((t) => t.error)).toEqual([
      'grpc.port is missing',
      'grpc.port "0" is not a port number 1-65535 (a native gRPC probe cannot use a named port); timeoutSeconds "0.5" is not a whole number of seconds >= 1',
      'grpc.port is not a single value',
      undefined,
    ]);
  });

  test('a file that does not parse is a problem with its line', () => {
    const { targets, problems } = probeTargets('bad.yaml', 'a: 1\nb: [\n', NO_VALUES);
    expect(targets).toEqual([]);
    expect(problems).toEqual([{ file: 'bad.yaml', line: expect.any(Number), message: expect.stringContaining('does not parse as YAML') }]);
  });

  test('a templated service mixes text and values', () => {
    const text = `containers:
- name: {{ .Chart.Name }}
  readinessProbe:
    grpc:
      port: {{ .Values.port | default 9000 }}
      service: "{{ .Values.prefix }}.Health"
    timeoutSeconds: {{ $.Values.probe.timeout }}
`;
    const values = new Map([['prefix', 'shop.v1'], ['probe.timeout', '4']]);
    expect(probeTargets('t.yaml', text, values).targets).toMatchObject([{ container: '{{ .Chart.Name }}', port: 9000, service: 'shop.v1.Health', timeoutSeconds: 4 }]);
  });
});

describe('templates (masked by the shared Helm masker)', () => {
  const deployment = (probe: string) => `containers:\n- name: a\n  readinessProbe:\n${probe}`;

  test('control actions alone on their lines, or several on one line, are read around', () => {
    const text = deployment('    {{- if .Values.a }}{{/* grpc */}}\n    grpc:\n      port: {{ .Values.port }}\n    {{- end }}\n');
    const { targets, problems } = probeTargets('t.yaml', text, new Map([['port', '5000']]));
    expect(problems).toEqual([]);
    expect(targets).toEqual([{ file: 't.yaml', line: 3, column: 3, probe: 'readinessProbe', document: 1, container: 'a', port: 5000, service: '', timeoutSeconds: 1 }]);
  });

  test('an action whose string holds }} is one action', () => {
    const text = deployment('    grpc:\n      port: 5000\n      service: {{ .Values.svc | default "a}}b" }}\n');
    expect(probeTargets('t.yaml', text, NO_VALUES).targets).toMatchObject([{ port: 5000, service: 'a}}b' }]);
  });

  test('a value under an inline condition is refused, not read as its branch', () => {
    for (const port of ['{{ if .Values.x }}5000{{ end }}', '{{ if .Values.x }} 5000 {{ else }} 6000 {{ end }}']) {
      const text = deployment(`    grpc:\n      port: ${port}\n`);
      expect(probeTargets('t.yaml', text, NO_VALUES).targets).toMatchObject([{ error: expect.stringContaining('grpc.port: cannot evaluate {{ if .Values.x }}') }]);
    }
    const named = 'containers:\n- name: {{ if .x }}a{{ end }}\n  readinessProbe: {grpc: {port: 5000}}\n';
    expect(probeTargets('t.yaml', named, NO_VALUES).targets).toMatchObject([{ container: '{{ if .x }}a{{ end }}', port: 5000 }]);
  });

  test('an inline template comment prints nothing', () => {
    const text = deployment('    grpc:\n      port: {{ .Values.port }} {{/* the grpc port */}}\n      service: "{{/* x */}}shop"\n');
    const [t, ...more] = probeTargets('t.yaml', text, new Map([['port', '5000']])).targets;
    expect(more).toEqual([]);
    expect(t).toMatchObject({ port: 5000, service: 'shop' });
    expect(t!.error).toBeUndefined();
  });

  test('an action that is never closed is a file problem with its line', () => {
    const text = deployment('    grpc:\n      port: {{ .Values.port\n');
    expect(probeTargets('t.yaml', text, NO_VALUES)).toEqual({
      targets: [],
      problems: [{ file: 't.yaml', line: 5, message: 'cannot read the template: a template action {{ is never closed' }],
    });
  });

  test('evaluation: values, literals, default, pipes; unknown functions are refused', () => {
    const v = new Map([['a.b', '7'], ['empty', '']]);
    expect(evaluateTemplateText('{{ .Values.a.b }}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{- .Values.a.b | int -}}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{ .Values.empty | default 5 }}', v)).toEqual({ ok: true, value: '5' });
    expect(evaluateTemplateText("'{{ \"svc\" }}-x'", v)).toEqual({ ok: true, value: 'svc-x' });
    expect(evaluateTemplateText('{{ .Values.missing }}', v)).toEqual({ ok: false, reason: '{{ .Values.missing }} needs a value: pass --set missing=...' });
    expect(evaluateTemplateText('{{ .Values.a.b | add 1 }}', v)).toMatchObject({ ok: false, reason: expect.stringContaining('cannot evaluate') });
    expect(evaluateTemplateText('{{ include "x" . }}', v)).toMatchObject({ ok: false });
    expect(evaluateTemplateText('{{ .Values.a.b', v)).toEqual({ ok: false, reason: 'unterminated template action in {{ .Values.a.b' });
    // `index` on string keys reads the same path.
    expect(evaluateTemplateText('{{ index .Values "a" "b" | int }}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{ index .Values.a "b" }}', v)).toEqual({ ok: true, value: '7' });
    // Sprig's get and dig, and nested calls, read the same path; dig's default where nothing sets it.
    expect(evaluateTemplateText('{{ get .Values.a "b" }}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{ get (get .Values "a") "b" | int }}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{ dig "a" "b" 5 .Values.AsMap }}', v)).toEqual({ ok: true, value: '7' });
    expect(evaluateTemplateText('{{ dig "a" "c" 5 .Values.AsMap }}', v)).toEqual({ ok: true, value: '5' });
    expect(evaluateTemplateText('{{ dig "c" 5 .Values.a | int }}', v)).toEqual({ ok: true, value: '5' });
    // dig keeps a value set to "", where default takes the default.
    expect(evaluateTemplateText('{{ dig "empty" 5 .Values.AsMap }}', v)).toEqual({ ok: true, value: '' });
    expect(evaluateTemplateText('{{ default 5 .Values.empty }}', v)).toEqual({ ok: true, value: '5' });
    expect(evaluateTemplateText('{{ dig "a" "b" 5 .Values }}', v)).toMatchObject({ ok: false, reason: expect.stringContaining('cannot evaluate') });
  });
});

describe('readTargets', () => {
  test('folders: only manifest files are read; a named file always is; missing paths are problems', () => {
    const probe = 'containers:\n- name: a\n  readinessProbe: {grpc: {port: 5000}}\n';
    const dir = repoWith({ 'a.yaml': probe, 'notes.txt': probe, 'b.manifest': `\ufeff${probe}` });
    const { targets, problems } = readTargets(['.', 'b.manifest', 'nope.yaml'], dir, NO_VALUES);
    expect(targets.map((t) => `${t.file}:${t.line}`)).toEqual(['a.yaml:3', 'b.manifest:3']);
    expect(problems).toEqual([{ file: 'nope.yaml', message: expect.stringContaining('cannot read') }]);
  });

  test('a file problem makes the CLI exit 2 even when every probe passes', async () => {
    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      await warmUp(server);
      const dir = repoWith({
        'a.yaml': `containers:\n- name: a\n  readinessProbe: {grpc: {port: ${server.port}}, timeoutSeconds: 10}\n`,
        'bad.yaml': 'grpc: [\n',
      });
      const io = captureIo(dir);
      expect(await main(['verify', '--host', '127.0.0.1', '.'], io)).toBe(2);
      expect(io.out()).toContain('bad.yaml:2: error: does not parse as YAML');
      expect(io.out()).toContain('SERVING (would pass)');
    });
  });
});

describe('the probes the tool just migrated (microservices-demo)', () => {
  const corpus = path.join(CORPUS, 'before', 'kubernetes-manifests');

  test('--fix, then verify every migrated probe against a live health server', async () => {
    const dir = copyOf(corpus);
    await run({ paths: ['.'], cwd: dir, fix: true });
    const { targets } = readTargets(['.'], dir, NO_VALUES);
    expect(targets).toHaveLength(18);
    expect(targets.filter((t) => t.file === 'cartservice.yaml').map((t) => t.timeoutSeconds)).toEqual([5, 5]);

    await withServer(startHealthServer({ '': 'SERVING' }), async (server) => {
      await warmUp(server);
      // The ports and services as migrated; a deadline a loaded CI machine cannot miss (the
      // timeouts themselves were checked above).
      const portMap = new Map(targets.map((t) => [t.port!, server.port]));
      const results = await verifyTargets(targets.map((t) => ({ ...t, timeoutSeconds: 10 })), { host: '127.0.0.1', portMap, userAgent: 'kube-probe/1.27' });
      expect(results.map((r) => `${r.file}:${r.line} ${r.result.verdict}`).filter((r) => !r.endsWith(' SERVING'))).toEqual([]);
      expect(results).toHaveLength(18);
      expect(server.userAgents.filter((ua) => ua.startsWith('kube-probe/1.27 '))).toHaveLength(18);
    });
  });
});

/**
 * A define's port read from its dot (`-addr=:{{ .PortNum }}`) that the tool does not follow (hunt21
 * D2): the hint speaks of the define and of the include that passes its dot. Inside a define, `$`
 * is the include's argument, so the old advice to write `{{ $.Values.grpc.port }}` there read a
 * path of that argument (`.Values.Values.grpc.port`, `dict.Values.grpc.port`), which these charts
 * do not have. The fixture define-dot-dict-entries holds the shapes that are followed.
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const probe = (define: string, addr: string, before = '') => `{{- define "${define}" }}
${before}readinessProbe:
  exec:
    command: ["/bin/grpc_health_probe", "-addr=:${addr}"]
{{- end }}
`;

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: lib\nversion: 0.1.0\n',
  'chart/values.yaml': 'qsl:\n  port: 7100\ngrpc:\n  port: 50051\n',
};

/** The blocked finding of each define's probe, by define name (the helpers file holds one define per probe, in order). */
async function blockedHints(defines: [string, string, string?][], includes: string[]): Promise<Map<string, { message: string; hint: string | undefined; blockers: string[] }>> {
  const deployment = `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: img
${includes.map((i) => `      {{- ${i} | nindent 6 }}\n`).join('')}`;
  const dir = repoWith({ ...CHART, 'chart/templates/_helpers.tpl': defines.map(([d, a, b]) => probe(d, a, b)).join(''), 'chart/templates/pod.yaml': deployment });
  const result = await run({ paths: ['.'], cwd: dir });
  const out = new Map<string, { message: string; hint: string | undefined; blockers: string[] }>();
  for (const f of result.findings.filter((f) => f.file === 'chart/templates/_helpers.tpl')) {
    const name = /define "([^"]+)"/.exec(f.message)?.[1] ?? `line ${f.line}`;
    out.set(name, { message: f.message, hint: f.hint, blockers: f.blockers });
  }
  return out;
}

describe('a define whose dot the tool does not follow', () => {
  test('the hint names the include and the dict entry to set, not $.Values inside the define', async () => {
    const found = await blockedHints(
      [
        ['lib.missing', '{{ .PortNum }}'],
        ['lib.cast', '{{ .PortNum }}'],
        ['lib.variable', '{{ $port }}', '{{- $port := .PortNum }}\n'],
      ],
      [
        'include "lib.missing" (dict "Values" .Values "CompName" "qsl")',
        'include "lib.cast" (dict "CompName" "qsl" "PortNum" (int .Values.qsl.port))',
        'include "lib.variable" (dict "Values" .Values "PortNum" (toString .Values.qsl.port))',
      ],
    );
    const missing = found.get('lib.missing')!;
    expect(missing.blockers).toEqual(['unresolved-port']);
    expect(missing.message).toContain('which templates/pod.yaml:9 includes as {{ include "lib.missing" (dict "Values" .Values "CompName" "qsl") | nindent 6 }} (its dict has no "PortNum" entry, so .PortNum is no port there)');
    expect(missing.hint).toContain('Inside define "lib.missing", . and $ are what the include passes, not the chart\'s root');
    expect(missing.hint).toContain('At templates/pod.yaml:9, set the dict\'s "PortNum" entry to the port\'s values path or a number ("PortNum" .Values.<path of the port>, its other entries as they are)');
    // The entry names one values path: the hint names it.
    const cast = found.get('lib.cast')!;
    expect(cast.message).toContain('(the tool does not follow its "PortNum" entry, (int .Values.qsl.port))');
    expect(cast.hint).toContain('At templates/pod.yaml:10, set the dict\'s "PortNum" entry to the port\'s values path or a number ("PortNum" .Values.qsl.port, its other entries as they are)');
    // Through a variable set from the dot, the same.
    expect(found.get('lib.variable')!.hint).toContain('At templates/pod.yaml:11, set the dict\'s "PortNum" entry to the port\'s values path or a number ("PortNum" .Values.qsl.port,');
    for (const f of found.values()) expect(f.hint).not.toContain('{{ $.Values.grpc.port }}');
  });

  test('an include of anything else, or none: what to pass there', async () => {
    const found = await blockedHints(
      [
        ['lib.whole', '{{ . }}'],
        ['lib.field', '{{ .port }}'],
        ['lib.unused', '{{ .port }}'],
      ],
      ['include "lib.whole" (int .Values.qsl.port)', 'include "lib.field" (merge (dict) .Values.grpc)'],
    );
    expect(found.get('lib.whole')!.hint).toContain('At templates/pod.yaml:9, pass the port\'s values path itself (include "lib.whole" .Values.<path of the port>) or a number');
    expect(found.get('lib.field')!.hint).toContain('At templates/pod.yaml:10, pass a values path whose port is the port (include "lib.field" .Values.<path>, or .Values itself), or a dict whose "port" entry is the port\'s values path or a number');
    expect(found.get('lib.unused')!.hint).toContain('No template of this chart includes it (a chart that uses this library may): the tool cannot see what it is given. Where it is included, pass a values path whose port is the port');
  });

  test('a followed define port that no values file sets: the hint writes the default on the reference as the define reads it', async () => {
    const found = await blockedHints([['lib.values', '{{ .internalPort }}']], ['include "lib.values" .Values']);
    const [f] = [...found.values()];
    expect(f!.blockers).toEqual(['unresolved-port']);
    expect(f!.message).toContain('takes its port from .Values.internalPort, which no values file of the chart sets');
    // Inside the define, .Values.internalPort would read .Values.Values.internalPort.
    expect(f!.hint).toContain('(or write {{ .internalPort | default 50051 }}, or {{ required "set internalPort" .internalPort }} when every release must set it)');
  });

  test('outside a define (a range), the hint names no values path the chart may not have', async () => {
    const dir = repoWith({
      ...CHART,
      'chart/templates/pod.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
{{- range .Values.ports }}
    - name: api-{{ . }}
      image: img
      readinessProbe:
        exec:
          command: ["/bin/grpc_health_probe", "-addr=:{{ . }}"]
{{- end }}
`,
    });
    const result = await run({ paths: ['.'], cwd: dir });
    const [f] = result.findings.filter((f) => f.file === 'chart/templates/pod.yaml');
    expect(f!.blockers).toEqual(['unresolved-port']);
    expect(f!.hint).toContain('Write the port from the values where the probe is ({{ $.Values.<path of the port> }}, or a with of that values path)');
  });
});

describe('outside a define, an unset port read in a with or a range gets its default/required advice on the reference as the probe writes it', () => {
  const pod = (block: string, addr: string, env = '') => `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
{{- ${block} }}
    - name: api
      image: img
${env}      readinessProbe:
        exec:
          command: ["/bin/grpc_health_probe", "-addr=:${addr}"]
{{- end }}
`;
  const hintOf = async (values: string, template: string) => {
    const dir = repoWith({ ...CHART, 'chart/values.yaml': values, 'chart/templates/pod.yaml': template });
    const result = await run({ paths: ['.'], cwd: dir });
    const found = result.findings.filter((f) => f.file === 'chart/templates/pod.yaml');
    expect(found.map((f) => f.blockers)).toEqual([['unresolved-port']]);
    return found[0]!;
  };

  test("the with's dot: {{ .port | default 50051 }}, not {{ .Values.grpc.port | default 50051 }} (which inside the with reads .Values.grpc.Values.grpc.port)", async () => {
    const f = await hintOf('grpc:\n  enabled: true\n', pod('with .Values.grpc', '{{ .port }}'));
    expect(f.message).toContain('takes its port from .Values.grpc.port, which no values file of the chart sets');
    expect(f.hint).toContain('(or write {{ .port | default 50051 }}, or {{ required "set grpc.port" .port }} when every release must set it)');
  });

  test('the advice, followed, migrates', async () => {
    const dir = repoWith({ ...CHART, 'chart/values.yaml': 'grpc:\n  enabled: true\n', 'chart/templates/pod.yaml': pod('with .Values.grpc', '{{ .port | default 50051 }}') });
    const result = await run({ paths: ['.'], cwd: dir });
    expect(result.findings.filter((f) => f.file === 'chart/templates/pod.yaml').map((f) => f.status)).toEqual(['migratable']);
  });

  test('$.Values in a with or a range: {{ $.Values.port | default 50051 }}, not .Values.port (the block\'s dot)', async () => {
    for (const [values, block] of [['grpc:\n  enabled: true\n', 'with .Values.grpc'], ['ports: [a]\n', 'range .Values.ports']] as const) {
      const f = await hintOf(values, pod(block, '{{ $.Values.port }}'));
      expect(f.hint).toContain('(or write {{ $.Values.port | default 50051 }}, or {{ required "set port" $.Values.port }} when every release must set it)');
    }
  });

  test("an env value in the with: the advice goes on the env's action as it is written", async () => {
    const f = await hintOf('grpc:\n  enabled: true\n', pod('with .Values.grpc', '$(GRPC_PORT)', '      env:\n      - name: GRPC_PORT\n        value: {{ .port | quote }}\n'));
    expect(f.message).toContain('(env GRPC_PORT: {{ .port }}) takes its port from .Values.grpc.port');
    expect(f.hint).toContain('(or write {{ .port | default 50051 }}, or {{ required "set grpc.port" .port }} when every release must set it)');
  });
});

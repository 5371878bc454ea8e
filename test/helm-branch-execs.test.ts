/**
 * A Helm probe whose if chain holds an exec handler in two branches (hunt14 A8): one handler per
 * render. The walk reads the first exec only; the later one is said for what it is (its own exec in
 * its branch), not as "a form the tool cannot read". With two plain branches that both migrate, one
 * run does what two runs did before (the first branch rewritten, then the grpc/exec toggle
 * collapsed): the chain collapses, and a second run changes nothing. The fixture
 * tree-branch-handlers-two-execs holds the cases where the first branch stays on exec (-tls).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
      - name: app
        image: registry.example.com/api:1.0
        readinessProbe:
{{- if .Values.slow }}
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=3s"]
{{- else }}
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
{{- end }}
          periodSeconds: 10
`;

const DOCKERFILE = `FROM alpine:3.20
RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && \\
    chmod +x /bin/grpc_health_probe
`;

const CHART = {
  'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
  'chart/values.yaml': 'port: 50051\nslow: false\n',
};

/** What the two runs before this change left (the first branch rewritten, then the toggle collapsed). */
const COLLAPSED = TEMPLATE.replace(/\{\{- if \.Values\.slow \}\}\n[\s\S]*\{\{- end \}\}\n/, '          grpc:\n            port: {{ .Values.port }}\n') + '          timeoutSeconds: 3\n';

/** The probe's template in a Pod, with `chain` (the probe's lines, indented for a probe under the container) in place: the probe's key is on line 9. */
const pod = (chain: string, probe = 'readinessProbe', after = '      periodSeconds: 5\n') => `apiVersion: v1
kind: Pod
metadata:
  name: d
spec:
  containers:
  - name: app
    image: x
    ${probe}:
${chain}${after}`;

/** Runs --fix twice: the second run must change nothing. The first run's findings on the template, and the template after it. */
async function fixTwice(files: Record<string, string>, template: string): Promise<{ findings: Awaited<ReturnType<typeof run>>['findings']; out: string; dir: string }> {
  const dir = repoWith(files);
  const first = await run({ paths: ['.'], cwd: dir, fix: true });
  const out = fs.readFileSync(path.join(dir, template), 'utf8');
  const second = await run({ paths: ['.'], cwd: dir, fix: true });
  expect(second.files.filter((f) => f.changed)).toEqual([]);
  expect(fs.readFileSync(path.join(dir, template), 'utf8')).toBe(out);
  return { findings: first.findings.filter((f) => f.file === template), out, dir };
}

describe('an if chain with an exec handler in two plain branches', () => {
  test('one run collapses the chain to one grpc handler; a second run changes nothing', async () => {
    const dir = repoWith({ ...CHART, 'chart/templates/deployment.yaml': TEMPLATE, Dockerfile: DOCKERFILE });
    const first = await run({ paths: ['.'], cwd: dir, fix: true });
    const probes = first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml');
    expect(probes.map((f) => [f.line, f.status])).toEqual([[15, 'migrated']]);
    expect(probes[0]!.message).toContain('in both branches of the {{ if .Values.slow }} chain, so the chain collapses to that one grpc handler');
    expect(probes[0]!.message).toContain('timeoutSeconds raised from 1 to 3 to keep -connect-timeout=3s');
    const template = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
    expect(template).toBe(COLLAPSED);
    // Nothing runs the binary any more: its install goes in the same run.
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).not.toContain('grpc_health_probe');

    const second = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(second.files.filter((f) => f.changed)).toEqual([]);
    expect(second.findings.filter((f) => f.file === 'chart/templates/deployment.yaml')).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8')).toBe(COLLAPSED);
  });

  test('the later branch needs the longer timeout: the one line the first run writes takes it', async () => {
    const template = TEMPLATE.replace('"-addr=:{{ .Values.port }}"]\n{{- end }}', '"-addr=:{{ .Values.port }}", "-rpc-timeout=5s"]\n{{- end }}');
    const dir = repoWith({ ...CHART, 'chart/templates/deployment.yaml': template });
    const first = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml').map((f) => f.status)).toEqual(['migrated']);
    const out = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
    expect(out).not.toContain('grpc_health_probe');
    expect(out.match(/timeoutSeconds/g)).toHaveLength(1);
    expect(first.findings[0]!.message).toContain('timeoutSeconds 5, the larger');
    expect(out).toContain('          periodSeconds: 10\n          timeoutSeconds: 5\n');
    const second = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(second.files.filter((f) => f.changed)).toEqual([]);
  });

  test('a branch that prints more than its exec (a toYaml of extra fields) is not collapsed away: each exec is rewritten in place (review21 R13)', async () => {
    const template = TEMPLATE.replace('{{- else }}\n', '{{- else }}\n{{- with .Values.extraProbe }}\n{{- toYaml . | nindent 10 }}\n{{- end }}\n');
    const dir = repoWith({ ...CHART, 'chart/values.yaml': 'port: 50051\nslow: false\nextraProbe: {initialDelaySeconds: 30}\n', 'chart/templates/deployment.yaml': template });
    const first = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml').map((f) => f.status)).toEqual(['migrated']);
    const out = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
    expect(out).not.toContain('grpc_health_probe');
    // The print stays in its branch, with the chain.
    expect(out).toContain('{{- else }}\n{{- with .Values.extraProbe }}\n{{- toYaml . | nindent 10 }}\n{{- end }}\n');
    expect(out).toContain('{{- if .Values.slow }}');
    const second = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(second.files.filter((f) => f.changed)).toEqual([]);
  });

  test('a later branch that stays says the timeout its flags need in what it would become (review21 R12)', async () => {
    const template = TEMPLATE.replace('"-connect-timeout=3s"]', '"-tls"]').replace('"-addr=:{{ .Values.port }}"]\n{{- end }}', '"-addr=:{{ .Values.port }}", "-rpc-timeout=3s"]\n{{- end }}');
    const dir = repoWith({ ...CHART, 'chart/templates/deployment.yaml': template });
    const result = await run({ paths: ['.'], cwd: dir });
    const later = result.findings.find((f) => f.file === 'chart/templates/deployment.yaml' && f.line === 21)!;
    expect(later.message).toContain('alone, this branch would become grpc: {port: {{ .Values.port }}}, with timeoutSeconds at least 3');
    expect(later.hint).toContain('(with timeoutSeconds at least 3)');
  });

  test('branches on different ports: each becomes its own grpc handler in place, in one run, as in a longer chain (review23 R1)', async () => {
    const template = TEMPLATE.replace('"-addr=:{{ .Values.port }}"]\n{{- end }}', '"-addr=:{{ .Values.otherPort }}", "-rpc-timeout=2s"]\n{{- end }}');
    const { findings, out, dir } = await fixTwice({ ...CHART, 'chart/values.yaml': 'port: 50051\notherPort: 50052\nslow: false\n', 'chart/templates/deployment.yaml': template, Dockerfile: DOCKERFILE }, 'chart/templates/deployment.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[15, 'migrated']]);
    // Nothing runs the binary any more: its install goes in the same run.
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).not.toContain('grpc_health_probe');
    expect(findings[0]!.message).toContain('→ grpc in each exec branch of {{- if .Values.slow }}, in place, each with the timeoutSeconds it renders with: {{- if .Values.slow }} → grpc {port: {{ .Values.port }}} (timeoutSeconds raised from 1 to 3 to keep -connect-timeout=3s); {{- else }} → grpc {port: {{ .Values.otherPort }}} (timeoutSeconds raised from 1 to 2 to keep -rpc-timeout=2s); timeoutSeconds 3, the larger');
    expect(out).toBe(
      template
        .replace('exec:\n            command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=3s"]', 'grpc:\n            port: {{ .Values.port }}')
        .replace('exec:\n            command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.otherPort }}", "-rpc-timeout=2s"]', 'grpc:\n            port: {{ .Values.otherPort }}') + '          timeoutSeconds: 3\n',
    );
  });

  test('the same with the chain as the probe\'s last content: one line after it (review23 R1, R6)', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain, 'readinessProbe', '') }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(out).toBe(pod(chain.replace(/exec:\n {8}command: \["\/bin\/grpc_health_probe", "-addr=:(\d+)"[^\]]*\]/g, 'grpc:\n        port: $1') + '      timeoutSeconds: 5\n', 'readinessProbe', ''));
  });

  test('a service that differs is a different grpc handler too: each in place', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-service=a"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000", "-service=a"]', 'grpc:\n        port: 9000\n        service: a').replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000"]', 'grpc:\n        port: 9000')));
  });

  test('a longer chain (tcpSocket / exec / exec): both execs are rewritten in place in one run', async () => {
    const chain = `      {{- if .Values.tcpPort }}
      tcpSocket:
        port: {{ .Values.tcpPort }}
      {{- else if .Values.slow }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=4s"]
      {{- else }}
      exec:
        command:
        - /bin/grpc_health_probe
        - -addr=:{{ .Values.port }}
      {{- end }}
`;
    const template = pod(chain, 'livenessProbe', '      periodSeconds: 10\n');
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/pod.yaml': template }, 'chart/templates/pod.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(findings[0]!.message).toContain('in place, each with the timeoutSeconds it renders with: {{- else if .Values.slow }} → grpc {port: {{ .Values.port }}} (timeoutSeconds raised from 1 to 4 to keep -connect-timeout=4s); {{- else }} → grpc {port: {{ .Values.port }}}; timeoutSeconds 4, the larger, on the probe\'s line outside {{- if .Values.tcpPort }}, which every branch renders');
    expect(out).toBe(
      template
        .replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=4s"]', 'grpc:\n        port: {{ .Values.port }}')
        .replace('exec:\n        command:\n        - /bin/grpc_health_probe\n        - -addr=:{{ .Values.port }}', 'grpc:\n        port: {{ .Values.port }}') + '      timeoutSeconds: 4\n',
    );
  });

  test('the later branch is blocked alone (-tls): the first migrates, the later one says its own blocker', async () => {
    const template = TEMPLATE.replace('"-addr=:{{ .Values.port }}"]\n{{- end }}', '"-addr=:{{ .Values.port }}", "-tls"]\n{{- end }}');
    const dir = repoWith({ ...CHART, 'chart/templates/deployment.yaml': template });
    const first = await run({ paths: ['.'], cwd: dir, fix: true });
    const probes = first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml');
    expect(probes.map((f) => [f.line, f.status, f.blockers])).toEqual([
      [15, 'migrated', []],
      [21, 'blocked', ['tls']],
    ]);
    expect(probes[1]!.message).toContain("and this one stays on exec: uses -tls; the kubelet's gRPC probe connects without TLS");
    expect(probes[1]!.message).not.toContain('run it again');
    const after = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
    const second = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(second.files.filter((f) => f.changed)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8')).toBe(after);
  });

  test('three exec branches (if / else if / else) that all migrate: one run rewrites each in place', async () => {
    const chain = `{{- if .Values.slow }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=3s"]
{{- else if .Values.other }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}", "-connect-timeout=4s"]
{{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
{{- end }}
`;
    const template = pod(chain, 'readinessProbe', '      periodSeconds: 10\n');
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/pod.yaml': template }, 'chart/templates/pod.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(out).toBe(template.replace(/exec:\n {8}command: \[[^\]]*\]/g, 'grpc:\n        port: {{ .Values.port }}') + '      timeoutSeconds: 4\n');
  });
});

test('{{ with .Values.probe }} exec {{ else }} exec {{ end }} is a chain too (hunt18 HL1): the with branch, never printed while nothing sets probe, does not "fail today"; each branch migrates in place, once', async () => {
  const template = TEMPLATE.replace('{{- if .Values.slow }}', '{{- with .Values.probe }}').replace('"-addr=:{{ .Values.port }}", "-connect-timeout=3s"]', '"-addr=:{{ .port }}"]');
  const dir = repoWith({ ...CHART, 'chart/templates/deployment.yaml': template });
  const first = await run({ paths: ['.'], cwd: dir, fix: true });
  const probes = first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml');
  expect(probes.map((f) => f.status)).toEqual(['migrated']);
  expect(probes[0]!.message).not.toContain('fails today');
  const out = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
  expect(out).toContain('{{- with .Values.probe }}\n          grpc:\n            port: {{ .port }}\n{{- else }}\n          grpc:\n            port: {{ .Values.port }}\n{{- end }}');
  const second = await run({ paths: ['.'], cwd: dir, fix: true });
  expect(second.files.filter((f) => f.changed)).toEqual([]);
});

test('a with block whose value is set without the port still fails today: blocked unresolved-port', async () => {
  const template = TEMPLATE.replace('{{- if .Values.slow }}', '{{- with .Values.probe }}').replace('"-addr=:{{ .Values.port }}", "-connect-timeout=3s"]', '"-addr=:{{ .port }}"]');
  const dir = repoWith({ ...CHART, 'chart/values.yaml': 'port: 50051\nprobe: {enabled: true}\n', 'chart/templates/deployment.yaml': template });
  const result = await run({ paths: ['.'], cwd: dir });
  const first = result.findings.find((f) => f.file === 'chart/templates/deployment.yaml' && f.line === 15)!;
  expect(first).toMatchObject({ status: 'blocked', blockers: ['unresolved-port'] });
});


describe('each exec branch of a chain gets the timeoutSeconds it renders with (hunt19 B6, B1)', () => {
  test('three execs, the first with its own timeoutSeconds: each branch is raised where it renders, not into another branch (B6)', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      timeoutSeconds: 2
      {{- else if eq .Values.mode "b" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-service=b"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-connect-timeout=3s", "-rpc-timeout=3s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(out).toBe(
      pod(`      {{- if eq .Values.mode "a" }}
      grpc:
        port: 9000
      timeoutSeconds: 5
      {{- else if eq .Values.mode "b" }}
      grpc:
        port: 9001
        service: b
      {{- else }}
      grpc:
        port: 9000
      timeoutSeconds: 6
      {{- end }}
`),
    );
    // Each branch's own target, not "the later exec branches → {port: 9001, service: b}".
    expect(findings[0]!.message).toContain('{{- else if eq .Values.mode "b" }} → grpc {port: 9001, service: b}; {{- else }} → grpc {port: 9000} (timeoutSeconds raised from 1 to 6');
  });

  test("another handler's branch with its own timeoutSeconds does not stand for the exec branch's: the exec's raise goes into its branch (B6)", async () => {
    const chain = `      {{- if .Values.tcp }}
      tcpSocket:
        port: 9000
      timeoutSeconds: 10
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]\n', 'grpc:\n        port: 9000\n      timeoutSeconds: 5\n')));
  });

  test("a toYaml print in the else branch is not the exec branch's timeoutSeconds: the raise goes into the exec's branch (B1)", async () => {
    const chain = `      {{- if .Values.tls }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else }}
      tcpSocket:
        port: 9000
      {{- toYaml .Values.probeExtra | nindent 6 }}
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/values.yaml': 'tls: false\nprobeExtra:\n  timeoutSeconds: 10\n', 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(findings[0]!.message).toContain('timeoutSeconds raised from 1 to 5 to keep -rpc-timeout=5s');
    // Not after the chain: the else render would get timeoutSeconds twice (its print's and this line).
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]\n', 'grpc:\n        port: 9000\n      timeoutSeconds: 5\n')));
  });

  test("a toYaml print in the else branch whose timeoutSeconds is too short does not block the exec branch (B1, the mirror image)", async () => {
    const chain = `      {{- if .Values.tls }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=3s"]
      {{- else }}
      tcpSocket:
        port: 9000
      {{- toYaml .Values.probeExtra | nindent 6 }}
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/values.yaml': 'tls: false\nprobeExtra:\n  timeoutSeconds: 1\n', 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.status, f.blockers])).toEqual([['migrated', []]]);
    expect(out).toContain('      grpc:\n        port: 9000\n      timeoutSeconds: 3\n      {{- else }}\n');
  });

  test("the with part of with … else prints the probe: it is not the else exec's timeoutSeconds, which is not migrated without its raise (B1)", async () => {
    const chain = `      {{- with .Values.probe }}
      {{- toYaml . | nindent 6 }}
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=4s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).not.toContain('whatever {{- toYaml . | nindent 6 }} prints');
    // Either the raise renders with the else branch, or nothing changes.
    if (findings[0]!.status === 'migrated') expect(out).toContain('      timeoutSeconds: 4\n      {{- end }}\n');
    else expect(out).toBe(pod(chain));
  });
});

describe('a chain whose exec branches migrate up to one that stays (hunt19 B8, B5)', () => {
  test('two migrate and the last is blocked (-tls): one run rewrites both, the second changes nothing (B8)', async () => {
    const chain = `      {{- if .Values.a }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
      {{- else if .Values.b }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9091", "-tls"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status, f.blockers])).toEqual([
      [9, 'migrated', []],
      [18, 'blocked', ['tls']],
    ]);
    expect(out).toBe(pod(chain.replace(/exec:\n {8}command: \["\/bin\/grpc_health_probe", "-addr=:\{\{ \.Values\.port \}\}"\]/g, 'grpc:\n        port: {{ .Values.port }}')));
    expect(findings[1]!.message).toContain('the tool rewrites the chain\'s exec branches before this one, under {{- if .Values.a }} (line 10), {{- else if .Values.b }} (line 13), and this one stays on exec: uses -tls');
    expect(findings[1]!.message).not.toContain('run it again');
  });

  test('the middle one is blocked: the last stays for it, and says so rather than "run it again" (B5)', async () => {
    const chain = `      {{- if .Values.tls }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
      {{- else if .Values.other }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- toYaml .Values.probeExtra | nindent 6 }}
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/values.yaml': 'port: 50051\nprobeExtra:\n  timeoutSeconds: 1\n', 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([
      [9, 'migrated'],
      [15, 'blocked'],
      [19, 'blocked'],
    ]);
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"]\n      {{- else if', 'grpc:\n        port: {{ .Values.port }}\n      {{- else if')));
    expect(findings[1]!.message).toContain('and this one stays on exec: -rpc-timeout=5s asked for 5s');
    expect(findings[2]!.message).toContain('the exec branch under {{- else if .Values.other }} (line 13) stays on exec (-rpc-timeout=5s asked for 5s');
    expect(findings[2]!.message).toContain('and this one stays too; alone, this branch would become grpc: {port: {{ .Values.port }}}');
    for (const f of findings) expect(f.message).not.toContain('run it again');
  });
});

test('a template of many chain probes is read once per branch index, not once per probe and branch (review23 R10; not a speed target: a guard against quadratic re-reads, 15 s for 80 probes before)', async () => {
  const container = (i: number) => `  - name: app${i}
    readinessProbe:
      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:${9000 + i}", "-rpc-timeout=5s"]
      {{- else if eq .Values.mode "b" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:${9000 + i}", "-rpc-timeout=3s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:${9000 + i}"]
      {{- end }}
      periodSeconds: 5
`;
  const template = `apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec:\n  containers:\n${Array.from({ length: 80 }, (_, i) => container(i)).join('')}`;
  const dir = repoWith({ ...CHART, 'chart/values.yaml': 'mode: c\n', 'chart/templates/pod.yaml': template });
  const started = Date.now();
  const result = await run({ paths: ['.'], cwd: dir, fix: true });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(result.findings.filter((f) => f.subject === 'probe').map((f) => f.status)).toEqual(Array(80).fill('migrated'));
  const out = fs.readFileSync(path.join(dir, 'chart/templates/pod.yaml'), 'utf8');
  expect(out).not.toContain('grpc_health_probe');
  const second = await run({ paths: ['.'], cwd: dir, fix: true });
  expect(second.files.filter((f) => f.changed)).toEqual([]);
}, 60_000);

describe("a chain that is the probe's last content gets the timeoutSeconds it needs as a chain followed by a key does (review23 R6)", () => {
  test('two execs on one port collapse, the larger timeout on the line after them', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-connect-timeout=2s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain, 'readinessProbe', '    ports:\n    - containerPort: 9000\n') }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(out).toBe(pod('      grpc:\n        port: 9000\n      timeoutSeconds: 5\n', 'readinessProbe', '    ports:\n    - containerPort: 9000\n'));
  });

  test('the same inside an outer {{ if }} around the probe: the line stays in the outer branch', async () => {
    const template = `apiVersion: v1
kind: Pod
metadata:
  name: d
spec:
  containers:
  - name: app
    image: x
    {{- if .Values.probe }}
    readinessProbe:
      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-connect-timeout=2s"]
      {{- end }}
    {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': template }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(out).toContain('    readinessProbe:\n      grpc:\n        port: 9000\n      timeoutSeconds: 5\n    {{- end }}\n');
  });

  test('three execs: each rewritten in place, one line after the chain with the larger timeout', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else if eq .Values.mode "b" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain, 'readinessProbe', '') }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([[9, 'migrated']]);
    expect(findings[0]!.message).toContain("timeoutSeconds 5, the larger, on the probe's line outside {{- if eq .Values.mode \"a\" }}, which every branch renders");
    expect(out).toBe(pod(chain.replace(/exec:\n {8}command: \["\/bin\/grpc_health_probe", "-addr=:(\d+)"[^\]]*\]/g, 'grpc:\n        port: $1') + '      timeoutSeconds: 5\n', 'readinessProbe', ''));
  });

  test("tcpSocket / exec: the line after the chain is the tcpSocket branch's too, and the message says so", async () => {
    const chain = `      {{- if .Values.tcp }}
      tcpSocket:
        port: 9000
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain, 'readinessProbe', '') }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(findings[0]!.message).toContain('but the timeoutSeconds they share with it is raised for them too');
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]', 'grpc:\n        port: 9000') + '      timeoutSeconds: 5\n', 'readinessProbe', ''));
  });

  test("an {{ end -}} that trims the line after it: the line goes at the end of the exec's branch instead", async () => {
    const chain = `      {{- if .Values.tcp }}
      tcpSocket:
        port: 9000
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- end -}}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain, 'readinessProbe', '\n') }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(findings[0]!.message).not.toContain('raised for them too');
    expect(out).toContain('      grpc:\n        port: 9000\n      timeoutSeconds: 5\n      {{- end -}}\n');
  });
});

describe('a timeoutSeconds that renders only under a condition is no timeout where the condition does not hold (review23 R3)', () => {
  const EXEC = `      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
`;
  const GRPC = '      grpc:\n        port: 9000\n';
  const guarded = (value: string) => `      {{- if .Values.slow }}\n      timeoutSeconds: ${value}\n      {{- end }}\n`;

  test('the raise goes into a new {{ else }} of the condition; the line under it, long enough, stays', async () => {
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + guarded('10')) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(findings[0]!.message).toContain('timeoutSeconds raised from 1 to 5 to keep -rpc-timeout=5s; the timeoutSeconds on line 13 renders only under {{- if .Values.slow }}, and where that does not hold the probe has the API default, 1: a new {{- else }} of it sets timeoutSeconds: 5');
    expect(out).toBe(pod(GRPC + '      {{- if .Values.slow }}\n      timeoutSeconds: 10\n      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n'));
  });

  test('a line under it that is too short is raised too', async () => {
    const { out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + guarded('2')) }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(GRPC + '      {{- if .Values.slow }}\n      timeoutSeconds: 5\n      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n'));
  });

  test('a printed value under it: kept when the values give enough, blocking when they give less (it is not rewritten)', async () => {
    const enough = await fixTwice({ ...CHART, 'chart/values.yaml': 'slow: false\nt: 10\n', 'chart/templates/d.yaml': pod(EXEC + guarded('{{ .Values.t }}')) }, 'chart/templates/d.yaml');
    expect(enough.out).toBe(pod(GRPC + '      {{- if .Values.slow }}\n      timeoutSeconds: {{ .Values.t }}\n      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n'));
    const low = await fixTwice({ ...CHART, 'chart/values.yaml': 'slow: false\nt: 2\n', 'chart/templates/d.yaml': pod(EXEC + guarded('{{ .Values.t }}')) }, 'chart/templates/d.yaml');
    expect(low.findings.map((f) => f.status)).toEqual(['blocked']);
    expect(low.findings[0]!.message).toContain('timeoutSeconds on line 13, under {{- if .Values.slow }}, is {{ .Values.t }}');
    expect(low.findings[0]!.message).toContain('lower than the 5 the flags need');
    expect(low.out).toBe(pod(EXEC + guarded('{{ .Values.t }}')));
  });

  test('an {{ else if }} without a line of its own gets one, and the new {{ else }} follows it', async () => {
    const cond = '      {{- if .Values.slow }}\n      timeoutSeconds: 10\n      {{- else if .Values.fast }}\n      periodSeconds: 3\n      {{- end }}\n';
    const { out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + cond) }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(GRPC + cond.replace('      {{- end }}\n', '      timeoutSeconds: 5\n      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n')));
  });

  test('a line under an {{ else if }} is said to render under that branch, not the {{ if }} (hunt22 E9)', async () => {
    const cond = '      {{- if eq .Values.size "large" }}\n      timeoutSeconds: 10\n      {{- else if eq .Values.size "medium" }}\n      timeoutSeconds: 3\n      {{- end }}\n';
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + cond) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(findings[0]!.message).toContain(
      'the timeoutSeconds on line 13 renders only under {{- if eq .Values.size "large" }}, the one on line 15 only under {{- else if eq .Values.size "medium" }}, and where none of those holds the probe has the API default, 1: line 15 raised from 3 to 5; a new {{- else }} of {{- if eq .Values.size "large" }} sets timeoutSeconds: 5',
    );
    expect(out).toBe(pod(GRPC + cond.replace('timeoutSeconds: 3\n', 'timeoutSeconds: 5\n').replace('      {{- end }}\n', '      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n')));
  });

  test('in a chain, the condition inside the exec branch gets the else; the other exec branch its own line', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
${EXEC}${guarded('10')}      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(out).toBe(
      pod(`      {{- if eq .Values.mode "a" }}
${GRPC}      {{- if .Values.slow }}
      timeoutSeconds: 10
      {{- else }}
      timeoutSeconds: 5
      {{- end }}
      {{- else }}
      grpc:
        port: 9001
      timeoutSeconds: 3
      {{- end }}
`),
    );
  });

  describe('after an if/else of two exec branches, one run rewrites both, the condition raised to the larger need (hunt22 E7)', () => {
    const chain = (portB: string, a: string, b: string) => `      {{- if .Values.a }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=${a}s"]
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:${portB}", "-rpc-timeout=${b}s"]
      {{- end }}
${guarded('4')}`;
    const raised = (n: number) => `      {{- if .Values.slow }}\n      timeoutSeconds: ${n}\n      {{- else }}\n      timeoutSeconds: ${n}\n      {{- end }}\n`;

    test('different ports: each branch in place; the message says the raise once, with the larger', async () => {
      const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain('9001', '3', '6')) }, 'chart/templates/d.yaml');
      expect(findings.map((f) => f.status)).toEqual(['migrated']);
      expect(out).toBe(pod(`      {{- if .Values.a }}\n${GRPC}      {{- else }}\n      grpc:\n        port: 9001\n      {{- end }}\n${raised(6)}`));
      expect(findings[0]!.message).toContain('{{- if .Values.a }} → grpc {port: 9000} (timeoutSeconds raised from 1 to 3 to keep -rpc-timeout=3s); {{- else }} → grpc {port: 9001} (timeoutSeconds raised from 1 to 6 to keep -rpc-timeout=6s); timeoutSeconds 6, the larger, which every branch renders: the timeoutSeconds on line 18 renders only under {{- if .Values.slow }}, and where that does not hold the probe has the API default, 1: line 18 raised from 4 to 6; a new {{- else }} of it sets timeoutSeconds: 6');
      expect(findings[0]!.message).not.toContain('timeoutSeconds: 3');
    });

    test('the same port: the chain collapses, the first branch needing more', async () => {
      const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain('9000', '8', '6')) }, 'chart/templates/d.yaml');
      expect(findings.map((f) => f.status)).toEqual(['migrated']);
      expect(out).toBe(pod(GRPC + raised(8)));
      expect(findings[0]!.message).toContain('timeoutSeconds 8, the larger: the timeoutSeconds on line 18 renders only under {{- if .Values.slow }}, and where that does not hold the probe has the API default, 1: line 18 raised from 4 to 8; a new {{- else }} of it sets timeoutSeconds: 8');
      expect(findings[0]!.message).not.toContain('timeoutSeconds: 6');
    });
  });

  test('under two conditions: blocked, saying so (no else of one covers the other)', async () => {
    const cond = '      {{- if .Values.a }}\n' + guarded('10') + '      {{- end }}\n';
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + cond) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['blocked']);
    expect(findings[0]!.message).toContain('timeoutSeconds (line 14) renders only under {{- if .Values.a }} and {{- if .Values.slow }}, and the tool cannot give every render of the probe the raise');
    expect(out).toBe(pod(EXEC + cond));
  });

  test('a branch of the condition that prints the probe\'s fields (which may hold a timeoutSeconds) gets no line beside its print: blocked, saying so', async () => {
    const cond = '      {{- with .Values.probe }}\n      {{- toYaml . | nindent 6 }}\n      {{- else }}\n      timeoutSeconds: 10\n      {{- end }}\n';
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + cond) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['blocked']);
    expect(findings[0]!.message).toContain('the branch under {{- with .Values.probe }} prints {{- toYaml . | nindent 6 }} (line 13), which may hold a timeoutSeconds of its own');
    expect(out).toBe(pod(EXEC + cond));
  });

  test('an empty value under it (the default, 1) is raised with the space after its colon', async () => {
    const { out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(EXEC + '      {{- if .Values.slow }}\n      timeoutSeconds:\n      {{- end }}\n') }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(GRPC + '      {{- if .Values.slow }}\n      timeoutSeconds: 5\n      {{- else }}\n      timeoutSeconds: 5\n      {{- end }}\n'));
  });

  test('flags that need no more than the default: nothing is added', async () => {
    const exec = EXEC.replace(', "-rpc-timeout=5s"', '');
    const { out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(exec + guarded('10')) }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(GRPC + guarded('10')));
  });
});

describe("a branch whose timeoutSeconds line has no safe place stays on exec for that reason, said at its own exec (review23 R2)", () => {
  const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- toYaml .Values.extra | nindent 6 }}
      {{- else if eq .Values.mode "b" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]{{ else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000"]
      {{- end }}
`;

  test('the branches before it migrate; it names itself and its line; the one after stays for it', async () => {
    const { findings, out } = await fixTwice({ ...CHART, 'chart/values.yaml': 'extra:\n  timeoutSeconds: 10\n', 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([
      [9, 'migrated'],
      [16, 'blocked'],
      [18, 'blocked'],
    ]);
    expect(findings[1]!.message).toContain('and this one stays on exec: its exec branch under {{- else if eq .Values.mode "b" }} (line 14) of {{- if eq .Values.mode "a" }} would become grpc {port: 9001}, but another branch of {{- if eq .Values.mode "a" }} renders a timeoutSeconds of its own, so the one this branch needs belongs in its branch, and the tool cannot place a line before {{ else }} (line 16)');
    expect(findings[1]!.message).not.toContain('keeps exec (');
    expect(findings[2]!.message).toContain('the exec branch under {{- else if eq .Values.mode "b" }} (line 14) stays on exec');
    // The branch before it is rewritten: the hint does not say another keeps exec.
    expect(findings[1]!.hint).toBe('Each render of the chain has one handler: once what the message names is settled, this branch can be migrated by hand to grpc: {port: 9001} (with timeoutSeconds at least 3); the tool rewrites the exec branches before it.');
    expect(out).toBe(pod(chain.replace('exec:\n        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]', 'grpc:\n        port: 9000')));
  });

  test('when it is the first exec branch, the chain stays, for its own reason', async () => {
    const first = `      {{- if eq .Values.mode "b" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]{{ else if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- toYaml .Values.extra | nindent 6 }}
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/values.yaml': 'extra:\n  timeoutSeconds: 10\n', 'chart/templates/d.yaml': pod(first) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([
      [9, 'blocked'],
      [14, 'blocked'],
    ]);
    expect(findings[0]!.message).toContain('its exec branch under {{- if eq .Values.mode "b" }} (line 10) would become grpc {port: 9001}, but another branch of {{- if eq .Values.mode "b" }} renders a timeoutSeconds of its own, so the one this branch needs belongs in its branch, and the tool cannot place a line before {{ else if eq .Values.mode "a" }} (line 12)');
    expect(findings[1]!.message).toContain('the chain\'s first exec branch, under {{- if eq .Values.mode "b" }} (line 10), keeps exec (its exec branch under {{- if eq .Values.mode "b" }} (line 10) would become');
    expect(out).toBe(pod(first));
  });
});

describe("the message of a chain's in-place rewrite says what happens to the branches with other handlers (review23 R7)", () => {
  test('a shared timeoutSeconds raised: their timeout is raised too, and the message says so', async () => {
    const chain = `      timeoutSeconds: 2
      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else if eq .Values.mode "b" }}
      httpGet:
        port: 8080
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(out).toContain('      timeoutSeconds: 5\n');
    expect(findings[0]!.message).toContain('the other branches, with their own handlers, stay as they are, but the timeoutSeconds they share with the rewritten ones is raised for them too');
  });

  test('each raise in its own branch: they stay as they are, and the message says only that', async () => {
    const chain = `      {{- if eq .Values.mode "a" }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9000", "-rpc-timeout=5s"]
      {{- else if eq .Values.mode "b" }}
      httpGet:
        port: 8080
      timeoutSeconds: 2
      {{- else }}
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:9001", "-rpc-timeout=3s"]
      {{- end }}
`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => f.status)).toEqual(['migrated']);
    expect(out).toContain('      httpGet:\n        port: 8080\n      timeoutSeconds: 2\n');
    expect(findings[0]!.message).toContain('the other branches, with their own handlers, stay as they are');
    expect(findings[0]!.message).not.toContain('raised for them too');
  });
});

describe("the reports of a chain's exec branches that stay say what the tool rewrites, which stay and why, and the timeout each needs (hunt20 H1)", () => {
  const exec = (args = '') => `      exec:\n        command: ["/bin/grpc_health_probe", "-addr=:{{ .Values.port }}"${args}]\n`;

  test('the first exec branch stays (-tls): none is rewritten, the later ones say so; a branch without timeout flags is told no timeout', async () => {
    const chain = `      {{- if .Values.tls }}\n${exec(', "-tls"')}      timeoutSeconds: 3\n      {{- else if .Values.slow }}\n${exec(', "-rpc-timeout=5s"')}      {{- else }}\n${exec()}      {{- end }}\n`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(chain));
    expect(findings.map((f) => [f.line, f.status])).toEqual([
      [9, 'blocked'],
      [16, 'blocked'],
      [19, 'blocked'],
    ]);
    for (const f of findings.slice(1)) {
      expect(f.message).toContain("the chain's first exec branch, under {{- if .Values.tls }} (line 10), keeps exec (uses -tls; the kubelet's gRPC probe connects without TLS), so the binary stays; the tool rewrites a chain's exec branches in order up to the first that stays, here the first, so it rewrites none of them, and this one stays too");
      expect(f.message).not.toContain('one exec branch of a chain');
    }
    expect(findings[1]!.message).toContain('alone, this branch would become grpc: {port: {{ .Values.port }}}, with timeoutSeconds at least 5');
    expect(findings[1]!.hint).toBe('Each render of the chain has one handler: this branch can be migrated by hand to grpc: {port: {{ .Values.port }}} (with timeoutSeconds at least 5), while the first exec branch, under {{- if .Values.tls }} (line 10), keeps exec and the binary.');
    // No timeout flags: the default timeoutSeconds does; no timeout is asked of it.
    expect(findings[2]!.message).toMatch(/alone, this branch would become grpc: \{port: \{\{ \.Values\.port \}\}\}$/);
    expect(findings[2]!.hint).toBe('Each render of the chain has one handler: this branch can be migrated by hand to grpc: {port: {{ .Values.port }}}, while the first exec branch, under {{- if .Values.tls }} (line 10), keeps exec and the binary.');
  });

  test('the first exec branch runs no grpc_health_probe: none is rewritten, and the later one does not say the first is', async () => {
    const chain = `      {{- if .Values.a }}\n      exec:\n        command: ["cat", "/tmp/ok"]\n      {{- else }}\n${exec()}      {{- end }}\n`;
    const { findings, out } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(out).toBe(pod(chain));
    expect(findings.map((f) => [f.line, f.status])).toEqual([[15, 'blocked']]);
    expect(findings[0]!.message).toContain("the chain's first exec branch, under {{- if .Values.a }} (line 10), runs no grpc_health_probe the tool reads, and stays as it is; the tool rewrites a chain's exec branches in order up to the first that stays, here the first, so it rewrites none of them, and this one stays too");
    expect(findings[0]!.hint).toBe('Each render of the chain has one handler: this branch can be migrated by hand to grpc: {port: {{ .Values.port }}}, while the first exec branch, under {{- if .Values.a }} (line 10), stays as it is.');
  });

  test('a branch held by an earlier one that stays names the ones rewritten, and its hint the one that keeps exec', async () => {
    const chain = `      {{- if .Values.a }}\n${exec()}      {{- else if .Values.b }}\n${exec(', "-tls"')}      {{- else }}\n${exec(', "-rpc-timeout=4s"')}      {{- end }}\n`;
    const { findings } = await fixTwice({ ...CHART, 'chart/templates/d.yaml': pod(chain) }, 'chart/templates/d.yaml');
    expect(findings.map((f) => [f.line, f.status])).toEqual([
      [9, 'migrated'],
      [15, 'blocked'],
      [18, 'blocked'],
    ]);
    expect(findings[2]!.message).toContain("and the tool rewrites a chain's exec branches in order up to the first that stays: it rewrites the one under {{- if .Values.a }} (line 10), and this one stays too; alone, this branch would become grpc: {port: {{ .Values.port }}}, with timeoutSeconds at least 4");
    expect(findings[2]!.hint).toBe('Each render of the chain has one handler: this branch can be migrated by hand to grpc: {port: {{ .Values.port }}} (with timeoutSeconds at least 4), while the exec branch under {{- else if .Values.b }} (line 13) keeps exec and the binary.');
  });
});

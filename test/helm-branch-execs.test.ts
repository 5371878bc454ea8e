/**
 * A Helm probe whose if chain holds an exec handler in two branches (hunt14 A8): one handler per
 * render. The walk reads the first exec only; the later one is said for what it is (its own exec in
 * its branch), not as "a form the tool cannot read". With two plain branches the first migrates in
 * this run and the second on the next, when the chain is a grpc/exec toggle. The fixture
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

describe('an if chain with an exec handler in two plain branches', () => {
  test('the first migrates, the second is said to migrate on the next run, which collapses the chain', async () => {
    const dir = repoWith({
      'chart/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
      'chart/values.yaml': 'port: 50051\nslow: false\n',
      'chart/templates/deployment.yaml': TEMPLATE,
      Dockerfile: DOCKERFILE,
    });
    const first = await run({ paths: ['.'], cwd: dir, fix: true });
    const probes = first.findings.filter((f) => f.file === 'chart/templates/deployment.yaml');
    expect(probes.map((f) => [f.line, f.status])).toEqual([
      [15, 'migrated'],
      [21, 'blocked'],
    ]);
    expect(probes[1]!.message).toContain('in the {{- else }} branch of {{- if .Values.slow }} too, its own exec handler');
    expect(probes[1]!.message).toContain('run it again for this one; alone, this branch would become grpc: {port: {{ .Values.port }}}');
    expect(probes[1]!.message).not.toContain('a form the tool cannot read');
    // The second branch still runs the binary: its install stays.
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(DOCKERFILE);

    const second = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(second.findings.filter((f) => f.status !== 'migrated')).toEqual([]);
    const template = fs.readFileSync(path.join(dir, 'chart/templates/deployment.yaml'), 'utf8');
    expect(template).not.toContain('grpc_health_probe');
    expect(template).not.toContain('{{- if .Values.slow }}');
    expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).not.toContain('grpc_health_probe');
  });
});

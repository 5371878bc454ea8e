/**
 * shell-script-binary-use beyond what its fixtures compare: the hints (the fixture harness does
 * not compare them) and which findings keep an install.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, podWith, repoWith } from './support/repo.js';

const DOCKERFILE = `FROM alpine:3.20
RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && \\
    chmod +x /bin/grpc_health_probe
`;

async function withScript(script: string) {
  const dir = repoWith({ 'Dockerfile': DOCKERFILE, 'k8s/pod.yaml': POD, 'scripts/check.sh': script });
  const result = await run({ cwd: dir, paths: ['.'], fix: true });
  return {
    script: result.findings.filter((f) => f.ruleId === 'shell-script-binary-use'),
    install: result.findings.find((f) => f.ruleId === 'dockerfile-binary-install')!,
    dockerfile: fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8'),
  };
}

describe('shell-script-binary-use', () => {
  test.each([
    ['kubectl exec', 'kubectl exec deploy/api -- /bin/grpc_health_probe -addr=:5000\n', 'runs grpc_health_probe through kubectl exec'],
    ['a variable', 'PROBE=/bin/grpc_health_probe\n"$PROBE" -addr=:5000\n', 'runs grpc_health_probe (as $PROBE)'],
    ['an install line', 'chmod +x /bin/grpc_health_probe\n', 'names grpc_health_probe in the arguments of chmod'],
    ['a here-document', 'cat > /bin/check <<EOF\ngrpc_health_probe -addr=:5000\nEOF\n', 'names grpc_health_probe in a here-document (written to /bin/check)'],
  ])('%s keeps the install, with a hint about scripts, not probes', async (_what, body, message) => {
    const { script, install, dockerfile } = await withScript(`#!/bin/sh\n${body}`);
    expect(script).toHaveLength(1);
    expect(script[0]!.message).toContain(message);
    expect(script[0]!.hint).toMatch(/^The tool does not rewrite scripts/);
    expect(script[0]!.hint).not.toContain('exec probe');
    expect(install.status).toBe('blocked');
    expect(install.message).toContain('scripts/check.sh');
    expect(dockerfile).toBe(DOCKERFILE);
  });

  test('a manifest in a here-document: the message names the probe and what it would become, the hint says to change it there or move it to a file', async () => {
    const { script, install } = await withScript(`#!/bin/sh\nkubectl apply -f - <<'EOF'\n${POD}EOF\n`);
    expect(script.map((f) => [f.line, f.message])).toEqual([
      [11, expect.stringMatching(/^a shell script holds a Kubernetes manifest in a here-document \(applied with kubectl apply\) whose readinessProbe of container "\w+" runs grpc_health_probe; the tool does not rewrite scripts: change the probe there by hand to grpc \{port: 5000\}, or move the manifest into a file/)],
    ]);
    expect(script[0]!.hint).toBe('Migrate the probe in the here-document by hand: replace its exec: with grpc: {port: 5000}, then run the tool again; or move the manifest into a YAML file that the script applies (kubectl apply -f FILE), which the tool then migrates.');
    expect(install.status).toBe('blocked');
  });

  test('with --grpc-tls-mode, the hint for a manifest in a here-document writes mode: TLS as the message does', async () => {
    const tlsPod = podWith('"-addr=:5000", "-tls", "-tls-no-verify"');
    const dir = repoWith({ 'scripts/apply.sh': `#!/bin/sh\nkubectl apply -f - <<'EOF'\n${tlsPod}EOF\n` });
    const result = await run({ cwd: dir, paths: ['.'], grpcTlsMode: true });
    const [finding] = result.findings.filter((f) => f.ruleId === 'shell-script-binary-use');
    expect(finding!.message).toContain('change the probe there by hand to grpc {port: 5000, mode: TLS}');
    // Without mode: TLS, the kubelet would probe the TLS server in plaintext and fail.
    expect(finding!.hint).toContain('replace its exec: with grpc: {port: 5000, mode: TLS}');
  });

  test('a script that names the binary only in comments keeps nothing', async () => {
    const { script, install, dockerfile } = await withScript('#!/bin/sh\n# grpc_health_probe was run here\necho ok # grpc_health_probe\n');
    expect(script.map((f) => [f.line, f.status, f.blockers])).toEqual([[2, 'info', []]]);
    expect(script[0]!.hint).toBe('Nothing runs here. Update the comment once the migration has landed.');
    expect(install.status).toBe('migrated');
    expect(dockerfile).not.toContain('grpc_health_probe');
  });

  test('a script that is not valid shell keeps the install (the tool could not read it)', async () => {
    const { script, install } = await withScript('#!/bin/sh\nif grpc_health_probe -addr=:5000; then\n');
    expect(script.map((f) => f.status)).toEqual(['error']);
    expect(install.status).toBe('blocked');
  });

  test('a script a Dockerfile HEALTHCHECK runs is said to be that check (no-native-check), not given Kubernetes advice (hunt16 A6)', async () => {
    // grpc-asgi-django-demo's shape: the script is copied out of a builder stage and the
    // HEALTHCHECK runs it by its path in the image; a same-named script elsewhere is not it.
    const dockerfile = `FROM python:3.12 AS builder
WORKDIR /app/server
COPY server .

FROM ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.37 AS probe

FROM python:3.12-slim
COPY --from=probe /ko-app/grpc-health-probe /app/server/.venv/bin/
COPY --from=builder /app/server/health_check.sh /app/server/
HEALTHCHECK --interval=30s \\
  CMD /app/server/health_check.sh
CMD ["/app/server/entrypoint.sh"]
`;
    const check = '#!/bin/sh\nexec grpc_health_probe -addr=:8081\n';
    const dir = repoWith({ Dockerfile: dockerfile, 'server/health_check.sh': check, 'tools/health_check.sh': check });
    const result = await run({ cwd: dir, paths: ['.'] });
    const script = result.findings.filter((f) => f.ruleId === 'shell-script-binary-use');
    const server = script.find((f) => f.file === 'server/health_check.sh')!;
    expect(server.blockers).toEqual(['no-native-check']);
    expect(server.message).toBe('a shell script that a Dockerfile HEALTHCHECK runs (Dockerfile:10) runs grpc_health_probe; Docker has no native gRPC check, so the image keeps the binary');
    expect(server.hint).toContain('HEALTHCHECK at Dockerfile:10');
    expect(server.hint).not.toContain('kubectl');
    // The other script of that name is not what the HEALTHCHECK runs: a script's usual finding.
    const other = script.find((f) => f.file === 'tools/health_check.sh')!;
    expect(other.blockers).toEqual(['unsupported-file']);
    expect(other.hint).toMatch(/^The tool does not rewrite scripts/);
    // Exec form and `sh -c` reach the script too.
    // `exec` before it in a sh -c string runs it as well (hunt18 D1).
    for (const cmd of ['["/app/server/health_check.sh"]', '["sh", "-c", "/app/server/health_check.sh || exit 1"]', '["sh", "-c", "exec /app/server/health_check.sh"]']) {
      const d = repoWith({ Dockerfile: dockerfile.replace('/app/server/health_check.sh\nCMD', `${cmd}\nCMD`), 'server/health_check.sh': check });
      const [f] = (await run({ cwd: d, paths: ['.'] })).findings.filter((x) => x.ruleId === 'shell-script-binary-use');
      expect([cmd, f!.blockers]).toEqual([cmd, ['no-native-check']]);
    }
  });
});

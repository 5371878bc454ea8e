/**
 * unsupported-file beyond what its fixtures compare: the kind named in the message and the hint
 * (the fixture harness compares neither hints nor which hint a kind gets).
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

async function findingFor(name: string, text: string) {
  const dir = repoWith({ [name]: text });
  const result = await run({ cwd: dir, paths: ['.'] });
  const found = result.findings.filter((f) => f.ruleId === 'unsupported-file');
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('unsupported-file', () => {
  test.each([
    ['infra/main.tf', 'command = ["/bin/grpc_health_probe", "-addr=:5000"]\n', 'Terraform/HCL', 'a `grpc` block (`port = N`'],
    ['operator/probe.go', 'const probeBinary = "/bin/grpc_health_probe"\n', 'Go code', 'corev1.GRPCAction{Port: N'],
    ['Makefile', 'health:\n\tgrpc-health-probe -addr $(GRPC_SERVER)\n', 'a Makefile', 'a native grpc handler'],
    ['nix/probe.nix', '{ pname = "grpc_health_probe"; }\n', 'Nix', 'a native grpc handler'],
    ['Tiltfile', "local_resource('health', 'grpc_health_probe -addr=:5000')\n", 'Starlark', 'a native grpc handler'],
    ['Earthfile', 'build:\n    SAVE ARTIFACT target/release/grpc_health_probe AS LOCAL build/grpc_health_probe\n', 'an Earthfile', 'a native grpc handler'],
    ['Jenkinsfile', "sh 'docker run --rm app /bin/grpc_health_probe -version'\n", 'a Jenkinsfile', 'a native grpc handler'],
    // Nomad checks gRPC itself: the hint names its check, not a Kubernetes probe (a .nomad.hcl is not Terraform).
    ['jobs/ledger.nomad.hcl', 'check {\n  type    = "script"\n  command = "/bin/grpc_health_probe"\n  args    = ["-addr=:5000"]\n}\n', 'a Nomad job', 'check { type = "grpc"'],
    ['jobs/api.nomad', 'check {\n  type    = "script"\n  command = "/bin/grpc_health_probe"\n}\n', 'a Nomad job', 'grpc_use_tls = true for -tls'],
  ])('%s is named by its kind, with a hint in its own syntax that does not assume a probe', async (name, text, kind, syntax) => {
    const f = await findingFor(name, text);
    expect(f.message).toBe(`grpc_health_probe is named in a file the tool cannot rewrite (${kind})`);
    expect(f.hint).toContain(syntax);
    expect(f.hint).toContain('Anything else that runs or installs the binary still needs it.');
  });

  test('Go code is told which client-go has GRPCAction (an operator on corev1.Handler must upgrade first)', async () => {
    const f = await findingFor('controllers/registry.go', 'Handler: corev1.Handler{Exec: &corev1.ExecAction{Command: []string{"grpc_health_probe", "-addr=:50051"}}},\n');
    expect(f.message).toContain('GRPC: &corev1.GRPCAction{Port: 50051}');
    expect(f.hint).toContain('k8s.io/api v0.23 or later');
    expect(f.hint).toContain('Handler: corev1.Handler has no GRPC field');
  });

  test('documentation is info, says it runs nothing (not that the tool cannot rewrite it) and keeps its own hint', async () => {
    const f = await findingFor('docs/health.md', 'Run `grpc_health_probe -addr=:5000`.\n');
    expect(f.status).toBe('info');
    expect(f.message).toBe('documentation names grpc_health_probe; it runs nothing');
    expect(f.hint).toMatch(/^Documentation names the binary/);
  });
});

describe('Podman Quadlet', () => {
  test('a HealthCmd= (continued over lines) is a Podman health check with no native gRPC form; its hint is Podman\'s, not a Kubernetes probe\'s', async () => {
    const f = await findingFor('deploy/api.container', '[Container]\nImage=ghcr.io/acme/api:1.4.0\nHealthCmd=/usr/bin/env \\\n  /bin/grpc_health_probe -addr=:5000\n');
    expect(f.blockers).toEqual(['unsupported-file', 'no-native-check']);
    expect(f.message).toBe('grpc_health_probe is named in a file the tool cannot rewrite (a Podman Quadlet container unit): a Podman health check runs it (HealthCmd=), and Podman has no native gRPC check, so the image ghcr.io/acme/api:1.4.0 keeps the binary');
    expect(f.hint).toContain('Podman');
    expect(f.hint).not.toContain('replace exec by hand');
  });

  test('another line runs in the container too; an Image= naming a .build unit is not an image the tool can tie', async () => {
    const f = await findingFor('deploy/api.container', '[Container]\nImage=api.build\nExec=/bin/grpc_health_probe -addr=:5000\n');
    expect(f.blockers).toEqual(['unsupported-file']);
    expect(f.message).toContain('it runs in the container, so the image (its Image= the tool cannot read) keeps the binary');
    expect(f.hint).not.toContain('replace exec by hand');
  });
});

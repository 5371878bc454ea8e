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
    // Not a list of string literals (a literal list is judged as a probe, below).
    ['infra/main.tf', 'command = ["/bin/grpc_health_probe", "-addr=:${local.port}", local.tls_flag]\n', 'Terraform/HCL', 'a `grpc` block (`port = N`'],
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

  // hunt16 A1: KEP-4939's own example. The generic hint (replace exec with a plaintext grpc block)
  // would break a TLS probe; a literal list is judged as the Go branch judges one.
  test.each([
    ['infra/main.tf', 'liveness_probe {\n  exec {\n    command = [\n      "/bin/grpc_health_probe",\n      "-addr=:8443", # TLS\n      "-tls",\n      "-tls-no-verify",\n    ]\n  }\n}\n', 'Terraform/HCL'],
    ['prod/tls-probe.jsonnet', "{\n  livenessProbe: {exec: {command: ['/bin/grpc_health_probe', '-addr=:8443', '-tls', '-tls-no-verify']}},\n}\n", 'Jsonnet'],
  ])('%s: a literal command list with -tls keeps exec, with no grpc block to write', async (name, text, kind) => {
    const f = await findingFor(name, text);
    expect(f.message).toBe(`grpc_health_probe is named in a file the tool cannot rewrite (${kind}): as a probe, this exec command cannot become native: uses -tls, -tls-no-verify; the kubelet's gRPC probe connects without TLS`);
    expect(f.blockers).toEqual(['unsupported-file', 'tls']);
    expect(f.hint).toContain('This one keeps exec (or changes the server first): tls.');
    expect(f.hint).not.toMatch(/grpc block|grpc: \{/);
  });

  test.each([
    ['infra/main.tf', 'command = ["/bin/grpc_health_probe", "-addr=:5000", "-service=api.v1.Api"]\n', 'a grpc block with port = 5000 and service = "api.v1.Api"'],
    ['k/probe.libsonnet', "{ command: ['/bin/grpc_health_probe', '-addr=:5000'] }\n", 'grpc: { port: 5000 }'],
  ])('%s: a plaintext literal command list is given its concrete grpc handler', async (name, text, target) => {
    const f = await findingFor(name, text);
    expect(f.message).toContain(`: as a probe, this exec command would be ${target}`);
    expect(f.hint).toContain(`Write ${target}`);
  });

  // hunt18 H1: a literal list that is an operand, not the whole value, may be added to (a -tls):
  // the general hint, no grpc handler to write.
  test.each([
    ['infra/main.tf', 'command = concat(["/bin/grpc_health_probe", "-addr=:50051"], var.tls ? ["-tls"] : [])\n'],
    ['infra/cond.tf', 'command = var.tls ? ["/bin/grpc_health_probe", "-addr=:50051", "-tls"] : ["/bin/grpc_health_probe", "-addr=:50051"]\n'],
    ['k/probe.jsonnet', "{ command: ['/bin/grpc_health_probe', '-addr=:50051'] + (if tls then ['-tls'] else []) }\n"],
    ['k/cond.jsonnet', "{ command: if tls then ['/bin/grpc_health_probe', '-tls'] else ['/bin/grpc_health_probe', '-addr=:50051'] }\n"],
  ])('%s: a list that is part of a larger expression gets no concrete grpc handler', async (name, text) => {
    const dir = repoWith({ [name]: text });
    const result = await run({ cwd: dir, paths: ['.'] });
    for (const f of result.findings.filter((x) => x.ruleId === 'unsupported-file')) {
      expect(f.message).not.toContain('as a probe, this exec command would be');
      expect(f.hint).not.toMatch(/^Write /m);
    }
  });

  test.each([
    ['Tiltfile', "local_resource('grpc-health', cmd='kubectl exec deploy/orders -- /bin/grpc_health_probe -addr=:50051')\n", 'Starlark', 'kubectl exec'],
    ['Earthfile', 'smoke:\n    WITH DOCKER --load acme/orders:latest=+image\n        RUN docker run -d --name o acme/orders:latest && docker exec o /bin/grpc_health_probe -addr=:50051\n    END\n', 'an Earthfile', 'docker exec'],
    ['Jenkinsfile', "sh 'docker exec orders /bin/grpc_health_probe -addr=:50051'\n", 'a Jenkinsfile', 'docker exec'],
    ['ci/smoke.py', "run('docker compose exec api grpc_health_probe -addr=:5000')\n", 'Python code', 'docker compose exec'],
  ])('%s: a run in a running container (kubectl/docker exec) is said so, with no probe advice; it keeps the install', async (name, text, kind, exec) => {
    const f = await findingFor(name, text);
    expect(f.message).toBe(`grpc_health_probe is named in a file the tool cannot rewrite (${kind}): ${exec} runs it in a running container, which is no probe`);
    expect(f.hint).toMatch(/^No probe: this runs the binary in a container that is already running/);
    expect(f.hint).not.toContain('replace exec by hand');
    expect(f.status).toBe('blocked');
  });

  test.each(['Tiltfile', 'Earthfile', 'Jenkinsfile'])('%s: the hint speaks of a step first, not of a Kubernetes probe', async (name) => {
    const f = await findingFor(name, "sh 'grpc_health_probe -addr=:5000'\n");
    expect(f.hint).toMatch(/^The tool does not rewrite \S+/);
    expect(f.hint).not.toMatch(/^[^.]*\. A Kubernetes probe/);
    expect(f.hint).toContain('A step that runs it');
  });

  test('Go code is told which client-go has GRPCAction (an operator on corev1.Handler must upgrade first)', async () => {
    const f = await findingFor('controllers/registry.go', 'Handler: corev1.Handler{Exec: &corev1.ExecAction{Command: []string{"grpc_health_probe", "-addr=:50051"}}},\n');
    expect(f.message).toContain('GRPC: &corev1.GRPCAction{Port: 50051}');
    expect(f.hint).toContain('k8s.io/api v0.23 or later');
    expect(f.hint).toContain('Handler: corev1.Handler has no GRPC field');
  });

  test.each([
    ['test/e2e/registry_test.go', 'WaitingFor: wait.ForExec([]string{"/bin/grpc_health_probe", "-addr=:50051"}),\n', 'a testcontainers wait strategy (wait.ForExec) runs it in the container under test, which is no Kubernetes probe'],
    ['test/e2e/exec_test.go', 'code, _, err := c.Exec(ctx, []string{"/bin/grpc_health_probe", "-addr=:50051"})\n', 'the code runs it in a started container (Exec), which is no Kubernetes probe'],
  ])('%s: a testcontainers run of the binary gets no ProbeHandler advice; it keeps the install', async (name, text, what) => {
    const f = await findingFor(name, text);
    expect(f.message).toBe(`grpc_health_probe is named in a file the tool cannot rewrite (Go code): ${what}`);
    expect(f.blockers).toEqual(['unsupported-file']);
    expect(f.hint).not.toContain('ProbeHandler');
    expect(f.hint).toContain('wait.ForListeningPort');
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

describe('Terraform/HCL and Jsonnet: the list a container name is an element of', () => {
  test.each([
    ['quoted key, +:: after blanks', '{ "containers"  +::  [ { name: "grpc-health-probe" } ] }\n', 'an element of containers'],
    ['HCL =', 'containers = [\n  { name = "grpc-health-probe" },\n]\n', 'an element of containers'],
    ['the word from its first letter', '{ 9initContainers: [ { name: "grpc-health-probe" } ] }\n', 'an element of initContainers'],
  ])('%s', async (_name, text, at) => {
    const f = await findingFor('k/pod.jsonnet', text);
    expect([f.status, f.message]).toEqual(['info', `a container is named grpc-health-probe (${at}, in Jsonnet); a name runs nothing and keeps no install`]);
  });

  test('a one-line Jsonnet file with 100 KB before the list is read in one pass (review24 R2; not a speed target: a guard against a quadratic regex, 12 s before)', async () => {
    const text = `{ note: "${'a'.repeat(100_000)}", spec: { containers: [ { name: "grpc-health-probe" } ] } }\n`;
    const started = Date.now();
    const f = await findingFor('k/pod.jsonnet', text);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect([f.status, f.message]).toEqual(['info', 'a container is named grpc-health-probe (an element of containers, in Jsonnet); a name runs nothing and keeps no install']);
  });
});

/** The TypeScript rule's loading cost and its verifier; its behaviour is in fixtures/typescript-exec-probe. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { RULES } from '../rules/index.js';
import { run } from '../src/engine.js';
import { VERIFIERS } from '../src/reparse.js';
import type { Rule } from '../src/types.js';
import { POD, repoWith, ROOT } from './support/repo.js';

/**
 * Runs the built engine in a fresh process and says whether ts-morph ended up in the module graph.
 * A fresh process, because jest's workers share Node's module cache between test files; the build,
 * because a static `import ... from 'ts-morph'` anywhere on the start-up path must show here.
 */
function loadsTsMorph(dir: string): { loaded: boolean; findings: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const { run } = await import(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'engine.js'))});
    const result = await run({ cwd: ${JSON.stringify(dir)} });
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\\\/]node_modules[\\\\/](ts-morph|@ts-morph)[\\\\/]/.test(k));
    console.log(JSON.stringify({ loaded, findings: result.findings.map((f) => f.ruleId + ' ' + f.status) }));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('ts-morph is loaded only for TypeScript candidates', () => {
  test('a scan with YAML candidates and TypeScript files that do not mention the binary never loads it', () => {
    const dir = repoWith({ 'k8s/pod.yaml': POD, 'src/index.ts': 'export const x = 1;\n', 'cdk/main.js': 'module.exports = {};\n' });
    expect(loadsTsMorph(dir)).toEqual({ loaded: false, findings: ['kubernetes-exec-probe migratable'] });
  });

  test('a TypeScript file that mentions the binary loads it (the check above can see a load)', () => {
    const dir = repoWith({ 'cdk/main.ts': "export const p = { readinessProbe: { exec: { command: ['grpc_health_probe', '-addr=:5000'] } } };\n" });
    expect(loadsTsMorph(dir)).toEqual({ loaded: true, findings: ['typescript-exec-probe migratable'] });
  });
});

describe('the TypeScript verifier', () => {
  const verify = VERIFIERS.typescript!;

  test('accepts TypeScript and JavaScript', async () => {
    expect(await verify("const a: number = <number>b;\nexport const p = { grpc: { port: 5000 }, };\n")).toBeUndefined();
    expect(await verify("'use strict';\nmodule.exports = { grpc: { port: 5000 } };\n")).toBeUndefined();
  });

  test('rejects a broken rewrite with the place of the error', async () => {
    expect(await verify('export const p = {\n  grpc: { port: 5000 }\n  periodSeconds: 5,\n};\n')).toMatch(/',' expected\. at line 3, column 3/);
  });
});

test('places that keep the binary carry the image of their container, for the install rules', async () => {
  const seen: [string, string | undefined][] = [];
  const probe: Rule = {
    meta: { id: 'probe', description: 'records the consumers', fixable: false, fileKinds: ['typescript'], decidesOnConsumers: true },
    create: () => ({ end: (ctx) => ctx.consumers().forEach((c) => seen.push([c.report.message.split(' (')[0]!, c.report.image])) }),
  };
  const fixtures = path.join(ROOT, 'fixtures', 'typescript-exec-probe');
  await run({ cwd: fixtures, paths: ['ecs-health-check.input.ts', 'cdk8s-kube-deployment.input.ts'], rules: [...RULES, probe] });
  expect(seen.sort()).toEqual([
    ['a container command runs grpc_health_probe', 'registry.example.com/api:1.2.3'],
    ['a container health check runs grpc_health_probe', 'registry.example.com/api:1.2.3'],
    ['an ECS container health check runs grpc_health_probe', 'registry.example.com/api:1.2.3'],
    ['an init container runs grpc_health_probe', 'gcr.io/shop/checkout:v1'],
  ]);
});

test('an unresolved port in code is explained in terms of code, an ECS health check in terms of ECS', async () => {
  const fixtures = path.join(ROOT, 'fixtures', 'typescript-exec-probe');
  const { findings } = await run({ cwd: fixtures, paths: ['template-ports.input.ts', 'ecs-health-check.input.ts'] });
  const hintOf = (fragment: string) => findings.find((f) => f.message.includes(fragment))?.hint;
  expect(hintOf('"config-port"')).toMatch(/numeric const declared in this file/);
  expect(hintOf('an ECS container health check')).toMatch(/ECS has no native gRPC check/);
});

test('a probe built by a helper or held in a variable is an exec handler to write inline, not a container command', async () => {
  const fixtures = path.join(ROOT, 'fixtures', 'typescript-exec-probe');
  const { findings } = await run({ cwd: fixtures, paths: ['probe-built-elsewhere.input.ts'] });
  const unplaced = findings.filter((f) => f.message.startsWith('an exec handler'));
  expect(unplaced).toHaveLength(5);
  for (const f of unplaced) {
    expect(f).toMatchObject({ status: 'blocked', blockers: ['unparseable'], subject: 'probe' });
    expect(f.hint).toMatch(/inline, as readinessProbe: \{ exec: \{ command: \[\.\.\.\] \} \}/);
  }
});

test('cdk8s-plus Probe.fromCommand(): the hint gives the native probe to set through the escape hatch, when the command can become one', async () => {
  const fixtures = path.join(ROOT, 'fixtures', 'typescript-exec-probe');
  const { findings } = await run({ cwd: fixtures, paths: ['cdk8s-plus-from-command.input.ts'] });
  expect(findings.map((f) => [f.line, f.subject, f.hint?.match(/JsonPatch\.add\([^)]*\)\)|^Keep it on exec: .*|^Write the command's arguments out.*/)?.[0]])).toEqual([
    [15, 'probe', "JsonPatch.add('/spec/template/spec/containers/<index>/readinessProbe', { grpc: { port: PORT, service: 'api' } }))"],
    [17, 'probe', 'Keep it on exec: its command cannot become a native gRPC probe as written.'],
    [19, 'probe', "Write the command's arguments out in the call and run the tool again, to see whether it could become a native probe."],
    [22, 'probe', "JsonPatch.add('/spec/template/spec/containers/<index>/readinessProbe', { grpc: { port: 9000 } }))"],
  ]);
});

describe('a constant that holds a probe command', () => {
  test('names the probes that use it, and says to write the command inline', async () => {
    const dir = repoWith({
      'src/app.ts': "const CMD = ['/bin/grpc_health_probe', '-addr=:8080'];\nexport const c = { name: 'a', readinessProbe: { exec: { command: CMD } } };\n",
    });
    const result = await run({ cwd: dir, paths: ['.'] });
    expect(result.findings.map((f) => f.message)).toEqual(['the binary is named in code the tool cannot follow (in CMD); it is the exec command of readinessProbe (line 2)']);
    expect(result.findings[0]!.hint).toMatch(/^The tool reads a probe's command only where it is written inline/);
  });
});

test("cdk8s.yaml's k8s import: older than 1.24 blocks, 1.24 or later, unversioned or renamed newer imports do not; the nearest cdk8s.yaml counts", async () => {
  const { cdk8sImportBlockers } = await import('../src/typescript/cdk8s.js');
  const files: Record<string, string> = {
    '/p/old/cdk8s.yaml': 'imports:\n  - k8s@1.23.0\n',
    '/p/renamed/cdk8s.yaml': 'imports:\n  - kube:=k8s@1.21\n',
    '/p/new/cdk8s.yaml': 'imports:\n  - k8s@1.24.0\n  - crds/app.yaml\n',
    '/p/latest/cdk8s.yaml': 'imports:\n  - k8s\n',
    '/p/cdk8s.yaml': 'imports: [k8s@1.20]\n',
  };
  const run = { readText: (p: string) => files[p], cwd: '/p' } as unknown as Parameters<typeof cdk8sImportBlockers>[1];
  const codes = (f: string) => cdk8sImportBlockers(f, run).map((b) => b.code);
  expect(codes('/p/old/src/main.ts')).toEqual(['kube-version']);
  expect(codes('/p/renamed/main.ts')).toEqual(['kube-version']);
  // The renamed import generates imports/kube.ts: the files importing that are the ones held.
  expect(cdk8sImportBlockers('/p/renamed/main.ts', run).map((b) => b.module)).toEqual(['kube']);
  expect(cdk8sImportBlockers('/p/old/main.ts', run).map((b) => b.module)).toEqual(['k8s']);
  expect(codes('/p/new/main.ts')).toEqual([]);
  expect(codes('/p/latest/main.ts')).toEqual([]);
  expect(codes('/p/other/main.ts')).toEqual(['kube-version']);
  expect(codes('/elsewhere/main.ts')).toEqual([]);
});

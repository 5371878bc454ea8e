/**
 * A one-file run (pre-commit: `grpc-probe-migrate --fix path/file`, in a git checkout) judges the
 * file it names as the whole run (`--fix .`) does, where what decides it lives in files the
 * one-file run does not name: the readers look at the repository's listing, not only at the run's
 * files (hunt9). Each case runs the CLI over a real git checkout twice, once over `.` and once over
 * the one file, and compares that file's findings and its bytes after --fix.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, jest, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { captureIo } from './support/io.js';
import { repoWith, ROOT } from './support/repo.js';

// Each case makes two checkouts and runs git in them; a loaded machine can take longer than 5 s.
jest.setTimeout(60_000);

interface Finding {
  file: string;
  line: number;
  ruleId: string;
  status: string;
  blockers: string[];
  message: string;
}

/** A git checkout (files added, nothing committed, as a pre-commit run sees a staged tree) of `files`, or of a fixture's input tree. */
function checkout(files: Record<string, string> | string): string {
  const dir = repoWith(typeof files === 'string' ? {} : files);
  if (typeof files === 'string') fs.cpSync(path.join(ROOT, 'fixtures', files, 'input'), dir, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: dir });
  execFileSync('git', ['add', '-A'], { cwd: dir });
  return dir;
}

/** Runs the CLI over `paths` in a fresh checkout of `files`: the findings, and the bytes of `file` after --fix. */
async function runOver(files: Record<string, string> | string, paths: string[], file: string): Promise<{ findings: Finding[]; fixed: string }> {
  const dir = checkout(files);
  const io = captureIo(dir);
  await main(['--format', 'json', ...paths], io);
  const findings = (JSON.parse(io.out()) as { findings: Finding[] }).findings;
  await main(['--fix', ...paths], captureIo(dir));
  return { findings, fixed: fs.readFileSync(path.join(dir, file), 'utf8') };
}

/** The file's findings and its bytes after --fix, in the whole run and in a run naming the file alone. */
async function wholeAndAlone(files: Record<string, string> | string, file: string) {
  const key = (f: Finding) => [f.line, f.ruleId, f.status, f.blockers.join(',')].join(' ');
  const whole = await runOver(files, ['.'], file);
  const alone = await runOver(files, [file], file);
  const of = (r: { findings: Finding[] }) => r.findings.filter((f) => f.file === file);
  return { whole: of(whole), alone: of(alone), keys: { whole: of(whole).map(key).sort(), alone: of(alone).map(key).sort() }, fixed: { whole: whole.fixed, alone: alone.fixed } };
}

const PROBE = (args: string) => `livenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", ${args}]\n`;
const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: {name: {{ .Chart.Name }}}',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: app',
  '          image: acme/app:1',
  '          livenessProbe:',
  '            {{- toYaml .Values.livenessProbe | nindent 12 }}',
  '',
].join('\n');

test.each([
  ['a few charts', 0],
  // Beyond 100 charts git grep says which Chart.yaml files name a file:// dependency.
  ['a platform of charts (git grep)', 120],
])('H3: a file:// umbrella chart anywhere in the repository holds the subchart values a one-file run names, as in the whole run (%s)', async (_name, fillers) => {
  const files: Record<string, string> = {
    'charts/cart/Chart.yaml': 'apiVersion: v2\nname: cart\nversion: 0.1.0\n',
    'charts/cart/values.yaml': PROBE('"-addr=:7070"'),
    'charts/cart/templates/deployment.yaml': DEPLOYMENT,
    // Not beside charts/cart: two folders up and over.
    'deploy/umbrella/Chart.yaml': 'apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: cart\n    version: 0.1.0\n    repository: file://../../charts/cart\n',
    'deploy/umbrella/values.yaml': 'cart:\n' + PROBE('"-addr=:7070", "-tls", "-tls-ca-cert=/certs/ca.pem"').replace(/^/gm, '  '),
  };
  for (let i = 0; i < fillers; i++) files[`platform/c${i}/Chart.yaml`] = `apiVersion: v2\nname: c${i}\nversion: 0.1.0\n`;
  const r = await wholeAndAlone(files, 'charts/cart/values.yaml');
  expect(r.keys.whole).toEqual(['1 kubernetes-exec-probe blocked overlay-patch']);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone[0]!.message).toContain('deploy/umbrella/values.yaml');
  expect(r.fixed.alone).toBe(files['charts/cart/values.yaml']!);
});

test.each([
  // CI runs the base file alone (make ci-up: -f docker-compose.yml): api's check runs there, blocked.
  ['compose-healthcheck/tree-override-named-with-f', 'docker-compose.yml', '7 compose-healthcheck blocked no-native-check'],
  // The Makefile merges docker-compose.ci.yml over the base, which replaces its check: info.
  ['compose-healthcheck/tree-compose-f-merge', 'docker-compose.base.yml', '11 compose-healthcheck info '],
])('H6, H9: the compose -f commands of the repository (a Makefile the run does not name) judge %s alone as in the whole run', async (fixture, file, expected) => {
  const r = await wholeAndAlone(fixture, file);
  expect(r.keys.whole).toContain(expected);
  expect(r.keys.alone).toEqual(r.keys.whole);
});

test.each([
  // A Tiltfile's docker_compose('tilt/compose.tilt.yml') runs it alone: the check runs there, blocked.
  ['compose-healthcheck/tree-override-off-run-alone-by-yaml', 'tilt/compose.tilt.yml', '5 compose-healthcheck blocked no-native-check'],
  // An Ansible docker_compose_v2 task's files: [compose.ansible.yml] runs it alone.
  ['compose-healthcheck/tree-override-off-run-alone-by-yaml', 'ansible/compose.ansible.yml', '5 compose-healthcheck blocked no-native-check'],
  // A workflow step of an action the tool does not know names it in its with: input.
  ['compose-healthcheck/tree-override-off-run-alone-by-yaml', 'other/compose.other.yml', '5 compose-healthcheck blocked no-native-check'],
  // Named only by path filters, hashFiles() and comments: the Makefile's merge turns it off.
  ['compose-healthcheck/tree-override-off-run-alone-by-yaml', 'filtered/compose.filtered.yml', '5 compose-healthcheck info '],
  // The dev container merges .devcontainer/docker-compose.dev.yml (disable: false) last.
  ['compose-healthcheck/tree-override-off-devcontainer-extend', 'docker-compose.base.yml', '5 compose-healthcheck blocked no-native-check'],
  // VS Code's extend template (JSON with comments): web/.devcontainer/docker-compose.yml turns it off.
  ['compose-healthcheck/tree-override-off-devcontainer-extend', 'web/compose.stack.yml', '5 compose-healthcheck info '],
])('hunt11 K2, K3: the runs no command gives (a dev container, a Tiltfile, a YAML task or action) judge %s %s alone as in the whole run', async (fixture, file, expected) => {
  const r = await wholeAndAlone(fixture, file);
  expect(r.keys.whole).toContain(expected);
  expect(r.keys.alone).toEqual(r.keys.whole);
});

// H7: a partial manifest of the Deployment web (no image, no selector) keeps exec; its name spelled
// otherwise than `name: web`. The base migrated alone would get two handlers once both are applied.
const WEB = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  'spec:',
  '  selector:',
  '    matchLabels: {app: api}',
  '  template:',
  '    metadata:',
  '      labels: {app: api}',
  '    spec:',
  '      containers:',
  '        - name: api',
  '          image: example/api:1',
  '          readinessProbe:',
  '            exec:',
  '              command: ["/bin/grpc_health_probe", "-addr=:50051"]',
  '',
].join('\n');
const partialNamed = (metadataName: string) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    metadataName,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          readinessProbe:',
    '            exec:',
    '              command: ["sh", "-c", "grpc_health_probe -addr=:50051 && test ! -f /tmp/draining"]',
    '',
  ].join('\n');
const SPELLINGS: [string, string, string][] = [
  ['an explicit key', 'k8s/prod-probe.yaml', partialNamed('  ? name\n  : web')],
  ['a hex escape', 'k8s/prod-probe.yaml', partialNamed('  name: "w\\x65b"')],
  ['a double-quoted line continued with \\', 'k8s/prod-probe.yaml', partialNamed('  name: "we\\\n    b"')],
  ['an explicit key with an escaped value', 'k8s/prod-probe.yaml', partialNamed('  ? name\n  : "w\\x65b"')],
  ['a JSON \\u escape', 'k8s/prod-probe.json', '{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "\\u0077eb"},\n "spec": {"template": {"spec": {"containers": [{"name": "api",\n   "readinessProbe": {"exec": {"command": ["sh", "-c", "grpc_health_probe -addr=:50051 && test ! -f /tmp/draining"]}}}]}}}}\n'],
];

test.each(
  SPELLINGS.flatMap(([spelling, file, text]): [string, string, string, string, number][] => [
    [spelling, 'a few manifests', file, text, 0],
    // Beyond 200 manifests a one-file run asks git grep which hold the name.
    [spelling, 'many manifests (git grep)', file, text, 250],
  ]),
)('H7: a partial manifest whose name is written with %s holds the base, in the whole run and alone (%s)', async (_spelling, _many, file, text, fillers) => {
  const files: Record<string, string> = { 'k8s/deploy.yaml': WEB, [file]: text };
  for (let i = 0; i < fillers; i++) files[`filler/cm${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\ndata: {a: "b"}\n`;
  const r = await wholeAndAlone(files, 'k8s/deploy.yaml');
  expect(r.keys.whole).toEqual(['15 kubernetes-exec-probe blocked overlay-patch']);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone[0]!.message).toContain(file);
  expect(r.fixed.alone).toBe(WEB);
});

test.each([
  // Pulumi.dev.yaml / Pulumi.prod.yaml give orders:grpcPort: migrated to port: grpcPort.
  ['typescript-exec-probe/tree-pulumi-stack-config', 'orders/index.ts', ['18 typescript-exec-probe migratable ', '21 typescript-exec-probe migratable ']],
  // A stack gives a name: invalid-port naming the stack file, not unresolved-port.
  ['typescript-exec-probe/tree-pulumi-stack-config', 'billing/index.ts', ['12 typescript-exec-probe blocked invalid-port']],
  // The stacks in the project's stackConfigDir.
  ['typescript-exec-probe/tree-pulumi-stack-config-dir', 'billing/index.ts', ['12 typescript-exec-probe blocked invalid-port']],
])('H4: a one-file run over a Pulumi program reads its project and stack files (%s, %s) as the whole run does', async (fixture, file, expected) => {
  const r = await wholeAndAlone(fixture, file);
  expect(r.keys.whole).toEqual(expected);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone.map((f) => f.message)).toEqual(r.whole.map((f) => f.message));
  expect(r.fixed.alone).toBe(r.fixed.whole);
});

test.each([
  ['.github/workflows/release.yaml', ['13 kubernetes-exec-probe info ']],
  ['skaffold.yaml', ['20 kubernetes-exec-probe info ', '27 kubernetes-exec-probe info ']],
])('H9: a build target named after the binary, a stage of a Dockerfile the run does not name, is judged in %s alone as in the whole run', async (file, expected) => {
  const r = await wholeAndAlone('shell-script-binary-use/tree-build-target-stage', file);
  expect(r.keys.whole).toEqual(expected);
  expect(r.keys.alone).toEqual(r.keys.whole);
});

test('H8: a GoReleaser before hook script named alone is judged by the config at the project root, as in the whole run', async () => {
  const file = 'scripts/fetch-grpc-health-probe.sh';
  const r = await wholeAndAlone('kubernetes-exec-probe/tree-goreleaser-hook-install', file);
  expect(r.keys.whole).toEqual(['5 shell-script-binary-use blocked unsupported-file']);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone.map((f) => f.message)).toEqual(r.whole.map((f) => f.message));
  expect(r.alone[0]!.message).toContain('a GoReleaser before hook runs (.goreleaser.yaml:8)');
});

test.each([
  ['shell-script-binary-use/tree-dockerfile-run-download-script', 'images/hubble-relay/download-grpc-health-probe.sh'],
  ['shell-script-binary-use/tree-dockerfile-copied-download-script-kept', 'build/fetch-grpc-health-probe.sh'],
])('H9: a download script that the Dockerfile beside it RUNs is judged alone as in the whole run (%s)', async (fixture, file) => {
  const r = await wholeAndAlone(fixture, file);
  expect(r.keys.whole).toHaveLength(1);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone.map((f) => f.message)).toEqual(r.whole.map((f) => f.message));
  expect(r.alone[0]!.message).toContain('a shell script that a Dockerfile RUN runs');
});

test.each([
  ['k8s/api.yaml', '15 kubernetes-exec-probe blocked overlay-patch', 'scripts/render.sh:6'],
  // The path is known only at run time ("$BASE/$svc.yaml"): the file is told by its text, read from the file itself.
  ['deploy/services/orders.yaml', '15 kubernetes-exec-probe blocked overlay-patch', 'scripts/gen-services.sh:9'],
  ['deploy/services/legacy.yaml', '15 kubernetes-exec-probe migratable ', undefined],
])('K1: a manifest a script writes from a here-document whose probe is still exec (%s) is judged alone as in the whole run', async (file, expected, script) => {
  const r = await wholeAndAlone('kubernetes-exec-probe/tree-heredoc-generator', file);
  expect(r.keys.whole).toEqual([expected]);
  expect(r.keys.alone).toEqual(r.keys.whole);
  expect(r.alone.map((f) => f.message)).toEqual(r.whole.map((f) => f.message));
  if (script !== undefined) expect(r.alone[0]!.message).toContain(script);
  expect(r.fixed.alone).toBe(r.fixed.whole);
});

test('N5: a Dockerfile alone whose RUN runs the download script beside it reads the script from disk, as the whole run does: the RUN is no unparseable problem', async () => {
  const r = await wholeAndAlone('shell-script-binary-use/tree-dockerfile-run-download-script', 'images/hubble-relay/Dockerfile');
  const run = (fs: Finding[]) => fs.find((f) => f.line === 18);
  expect(run(r.whole)?.blockers).toEqual(['unsupported-file']);
  expect(run(r.alone)?.blockers).toEqual(run(r.whole)?.blockers);
  expect(run(r.alone)?.message).toBe(run(r.whole)?.message);
  // The COPY of the binary stays in a file list (binary-still-used), as every install does there.
  expect(r.alone.find((f) => f.line === 25)?.blockers).toEqual(['binary-still-used']);
});

const ELF = '\x7fELF\x02\x01\x01\0\0\0\0\0';
const B7_POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: v}\nspec:\n  containers:\n  - name: app\n    image: x/app:1\n    readinessProbe:\n      exec:\n        command: ["/bin/grpc_health_probe", "-addr=:50051"]\n';
const WGET = 'RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.25/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';

test.each([
  ['a folder (hunt19 B7)', 'Dockerfile', { 'Dockerfile': `FROM alpine:3.19\nCOPY bin/ /usr/local/bin/\n${WGET}`, 'bin/grpc_health_probe': ELF, 'bin/grpc_health_probe-fake': '#!/bin/sh\nexit 0\n' }, 'COPY copies bin/ from the build context, which holds bin/grpc_health_probe '],
  ['a wildcard, the binary in a folder below it', 'Dockerfile', { 'Dockerfile': `FROM alpine:3.19\nCOPY tools/* /usr/local/bin/\n${WGET}`, 'tools/linux/grpc_health_probe-linux-amd64': ELF, 'other/grpc_health_probe': ELF }, 'COPY copies tools/* from the build context, which holds tools/linux/grpc_health_probe-linux-amd64 '],
  ['the whole context, the Dockerfile in a subfolder', 'services/api/Dockerfile', { 'services/api/Dockerfile': `FROM alpine:3.19\nCOPY . /app\n${WGET}`, 'services/api/vendor/grpc_health_probe': ELF, 'services/web/grpc_health_probe': ELF }, 'COPY copies . from the build context, which holds services/api/vendor/grpc_health_probe '],
])('B7: a Dockerfile alone whose COPY of %s copies a vendored binary reports that COPY, as the whole run does', async (_name, file, tree, label) => {
  const r = await wholeAndAlone({ ...tree, 'k8s/dep.yaml': B7_POD }, file);
  const lines = (fs: Finding[]) => fs.map((f) => f.line).sort();
  expect(lines(r.whole)).toEqual([2, 3]);
  expect(lines(r.alone)).toEqual(lines(r.whole));
  // The same COPY, naming the same files (kept there: a file list rules out no other use).
  const copy = (fs: Finding[]) => fs.find((f) => f.line === 2)?.message ?? '';
  expect(copy(r.whole)).toContain(label);
  expect(copy(r.alone)).toContain(label);
  expect(r.alone.find((f) => f.line === 2)?.blockers).toEqual(['binary-still-used']);
});

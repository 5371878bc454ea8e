/** What the fixtures' normalized findings do not show: report-mode statuses, details for bots, summary counts. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { imageName, isTiedImage, mayRunImage } from '../src/docker/images.js';
import { analyzeDockerfile, commandWordOffsets, namesOnPath } from '../src/docker/installs.js';
import { execFormStrings } from '../src/docker/parse.js';
import { exitCode } from '../src/cli.js';
import { run } from '../src/engine.js';
import { listCases, materialize, runOptions } from './harness.js';
import { POD, repoWith } from './support/repo.js';

const skaffold = listCases('dockerfile-binary-install').find((c) => c.name === 'tree-skaffold-per-image')!;

test('report mode: removable installs are migratable, kept ones name their image and consumers', async () => {
  const dir = materialize(skaffold);
  const result = await run(runOptions(skaffold, dir, false));
  const installs = result.findings.filter((f) => f.subject === 'install').map((f) => ({ file: f.file, status: f.status, details: f.details }));
  expect(installs).toEqual([
    { file: 'services/api/Dockerfile', status: 'migratable', details: { install: 'RUN', images: ['gcr.io/acme/api'] } },
    { file: 'services/payments/Dockerfile', status: 'blocked', details: { install: 'RUN', images: ['gcr.io/acme/payments'], consumers: ['k8s/payments.yaml:11'] } },
    { file: 'services/worker/Dockerfile.worker', status: 'migratable', details: { install: 'COPY', images: ['gcr.io/acme/worker'] } },
    { file: 'tools/debug/Dockerfile', status: 'blocked', details: { install: 'RUN', consumers: ['k8s/payments.yaml:11'] } },
  ]);
  expect(result.summary.installs).toEqual({ migratable: 2, migrated: 0, blocked: 2 });
});

test('--keep-binary keeps every install (reported as kept, info: the choice of the user, which --strict does not fail on; hunt17 A9) and changes no Dockerfile, while probes still migrate', async () => {
  const dir = materialize(skaffold);
  const result = await run({ ...runOptions(skaffold, dir, true), keepBinary: true });
  const installs = result.findings.filter((f) => f.subject === 'install');
  expect(installs.length).toBeGreaterThan(0);
  const { formatText } = await import('../src/report/text.js');
  expect(formatText(result, { color: false })).toContain(`0 removable, 0 removed, ${installs.length} kept`);
  for (const f of installs) {
    expect(f.status).toBe('info');
    expect(f.blockers).toEqual([]);
    expect(f.message).toContain('--keep-binary');
    // Its own hint: binary-still-used's generic one speaks of uses listed in the message, and none are.
    expect(f.hint).toMatch(/^Kept because of --keep-binary.*run the tool without --keep-binary/);
  }
  expect(result.files.filter((f) => f.changed).map((f) => f.file.displayPath).sort()).toEqual(['k8s/api.yaml', 'k8s/worker.yaml']);
});

test('--keep-binary --strict passes once the probes migrate: the installs it keeps are no blockers (hunt17 A9)', async () => {
  const dir = repoWith({ Dockerfile: 'FROM alpine:3.20\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n', 'pod.yaml': POD });
  const result = await run({ cwd: dir, paths: ['.'], fix: true, keepBinary: true });
  expect(result.findings.map((f) => [f.subject, f.status])).toEqual([['install', 'info'], ['probe', 'migrated']]);
  // The JSON summary counts it as kept (and as info); a run without the option has no `kept`.
  expect(result.summary.installs).toEqual({ migratable: 0, migrated: 0, blocked: 0, kept: 1 });
  expect(exitCode(result, { strict: true, fix: true, exitZero: false })).toBe(0);
});

test('a consumer keeps a tied Dockerfile only when it may run that image', () => {
  const tied = new Set(['dockerfile:/r/api/Dockerfile', 'gcr.io/acme/api']);
  const known = new Set([...tied, 'dockerfile:/r/payments/Dockerfile', 'gcr.io/acme/payments']);
  const OWN = 'dockerfile:/r/api/Dockerfile';
  expect(mayRunImage('gcr.io/acme/api:v1.2', tied, known, OWN)).toBe(true);
  expect(mayRunImage('gcr.io/acme/api@sha256:abc', tied, known, OWN)).toBe(true);
  expect(mayRunImage('dockerfile:/r/api/Dockerfile', tied, known, OWN)).toBe(true);
  expect(mayRunImage('gcr.io/acme/payments:v1', tied, known, OWN)).toBe(false);
  expect(mayRunImage('dockerfile:/r/payments/Dockerfile', tied, known, OWN)).toBe(false);
  // Unknown or templated images could be this one; untied Dockerfiles decide repository-wide.
  expect(mayRunImage(undefined, tied, known, OWN)).toBe(true);
  expect(mayRunImage('{{ .Values.image.repository }}:{{ .Values.image.tag }}', tied, known, OWN)).toBe(true);
  expect(mayRunImage('${REGISTRY}/api', tied, known, OWN)).toBe(true);
  // So could a name no Dockerfile is tied to (kustomize images: may rename it to one that is).
  expect(mayRunImage('payments', tied, known, OWN)).toBe(true);
  expect(mayRunImage('gcr.io/acme/payments:v1', undefined, known, OWN)).toBe(true);
  // But another Dockerfile's own build (its HEALTHCHECK, a PowerShell RUN) runs that image alone,
  // whether this one is tied or not: its bases come in its reach by name.
  expect(mayRunImage('dockerfile:/r/windows/Dockerfile', undefined, known, OWN)).toBe(false);
  expect(mayRunImage('dockerfile:/r/api/Dockerfile', undefined, known, OWN)).toBe(true);
});

test('a consumer surely runs a Dockerfile\'s image only when the repository ties that image', () => {
  const known = new Set(['dockerfile:/r/api/Dockerfile', 'gcr.io/acme/api']);
  expect(isTiedImage('gcr.io/acme/api:v2', known)).toBe(true);
  expect(isTiedImage('dockerfile:/r/api/Dockerfile', known)).toBe(true);
  expect(isTiedImage('payments', known)).toBe(false);
  expect(isTiedImage('{{ .Values.image }}', known)).toBe(false);
  expect(isTiedImage(undefined, known)).toBe(false);
});

test('a renamed install is looked for by its bare name only where it stands as a command', () => {
  const at = (s: string) => commandWordOffsets(s, 'healthcheck');
  expect(at('command: ["healthcheck", "-addr=:5000"]')).toEqual([11]);
  expect(at('  - healthcheck\n')).toEqual([4]);
  expect(at('set -e; healthcheck -addr=:5000 || exit 1')).toEqual([8]);
  expect(at('healthcheck')).toEqual([0]);
  expect(at('healthcheck:\n  test: ["CMD", "/app/healthcheck.sh"]')).toEqual([]);
  expect(at('run-healthcheck $HEALTHCHECK ${healthcheck} healthcheck2 healthcheck_v2')).toEqual([]);
  // A YAML value of a key that holds no command is a name, not a call.
  expect(at('metadata:\n  name: healthcheck\n  labels: {app: x}\n')).toEqual([]);
  expect(at('  - app: healthcheck\n')).toEqual([]);
  expect(at('    command: healthcheck\n')).toEqual([13]);
  // JSON keys, and values of keys that hold no command on one line (flow maps, one-line JSON, lists).
  expect(at('{\n  "healthcheck": {"interval": 5}\n}')).toEqual([]);
  expect(at('{"healthcheck":true}')).toEqual([]);
  expect(at("{'healthcheck': x}")).toEqual([]);
  expect(at('{"name": "healthcheck", "kind": "x"}')).toEqual([]);
  expect(at('labels: {app: healthcheck, tier: web}')).toEqual([]);
  expect(at('"tags": ["web", "healthcheck"]')).toEqual([]);
  // Command keys and exec arrays still count, flow or one-line JSON; so does a word that only looks like a key.
  expect(at('{"command": ["healthcheck"]}')).toEqual([14]);
  expect(at('healthcheck: {test: [CMD, healthcheck]}')).toEqual([26]);
  expect(at('CMD ["sh", "-c", "echo a: healthcheck"]')).toEqual([26]);
  expect(at('CMD ["sh", "-c", "a: healthcheck"]')).toEqual([21]);
  // Command keys in other cases: ECS and CDK's entryPoint, Docker's image config.
  expect(at("    entryPoint: ['healthcheck', '-addr=:5000'],")).toEqual([18]);
  expect(at('{"name": "probe", "entryPoint": ["healthcheck", "-addr=:5000"]}')).toEqual([34]);
  expect(at('{"Entrypoint": ["healthcheck"], "Cmd": ["healthcheck"]}')).toEqual([17, 41]);
  // CI and task runners: a step's run:, GitLab's script: (a string or a one-line list), Taskfile's cmds:.
  expect(at('      - run: healthcheck -addr=localhost:5000')).toEqual([13]);
  expect(at('  script: healthcheck -addr=api:5000')).toEqual([10]);
  expect(at('  before_script: ["healthcheck -addr=api:5000"]')).toEqual([19]);
  expect(at('    cmds: [healthcheck -addr=:5000]')).toEqual([11]);
  // A step's name, or a run: that is a map (a setting, not a command), runs nothing.
  expect(at('      - name: healthcheck\n')).toEqual([]);
  expect(at('run: {service: healthcheck}')).toEqual([]);
  // Nor does the word further on in the value of such a key; in a command key's it is a call.
  expect(at('      - name: Run healthcheck against the staging API\n')).toEqual([]);
  expect(at('description: "checked with healthcheck -addr=:5000"')).toEqual([]);
  expect(at('      - run: docker run --rm api healthcheck -addr=:5000')).toEqual([33]);
  expect(at('    command: sh -c "sleep 1 && healthcheck -addr=:5000"')).toEqual([31]);
  // A comma or a bracket may hand the word to another key of a flow map: counted, as before.
  expect(at('{"a": "x", "cmd": "sh -c healthcheck"}')).toEqual([25]);
});

test('a renamed install named only in JSON keys and values that run nothing goes; a real call keeps it', async () => {
  const dockerfile = 'FROM alpine:3.20\nADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/health\nCOPY server /server\n';
  const config = '{"health": {"interval": "5s"}, "checks": [{"name": "health", "tags": ["grpc", "health"]}]}\n';
  const install = async (files: Record<string, string>) => {
    const dir = repoWith({ Dockerfile: dockerfile, 'k8s/a.yaml': POD, 'config/app.json': config, ...files });
    const result = await run({ cwd: dir, fix: true });
    return { finding: result.findings.find((f) => f.file === 'Dockerfile')!, dockerfile: fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8') };
  };
  const unused = await install({});
  expect(unused.finding.status).toBe('migrated');
  expect(unused.dockerfile).toBe('FROM alpine:3.20\nCOPY server /server\n');
  const called = await install({ 'k8s/b.json': '{"kind": "Pod", "spec": {"containers": [{"name": "c", "livenessProbe": {"exec": {"command": ["health", "-addr=:5000", "-tls"]}}}]}}\n' });
  expect(called.finding.status).toBe('blocked');
  expect(called.finding.message).toContain('/bin/health (the binary under another name) is still run by k8s/b.json:1');
  expect(called.dockerfile).toBe(dockerfile);
  // An ECS task definition runs it through entryPoint (camel case): a command key too.
  const ecs = await install({ 'ecs/taskdef.json': '{"family": "api", "containerDefinitions": [{"name": "probe", "entryPoint": ["health", "-addr=:5000"]}]}\n' });
  expect(ecs.finding.status).toBe('blocked');
  expect(ecs.finding.message).toContain('still run by ecs/taskdef.json:1');
  expect(ecs.dockerfile).toBe(dockerfile);
});

test('a file over the size limit that names a renamed install keeps it', async () => {
  const dockerfile = 'FROM alpine\nADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/hc\nCOPY app /app\n';
  const dir = repoWith({ Dockerfile: dockerfile, 'a.yaml': POD });
  fs.writeFileSync(path.join(dir, 'bundle.yaml'), '#'.repeat(5 * 1024 * 1024 + 10) + '\n    command: ["/bin/hc", "-addr=:5000", "-tls"]\n');
  const result = await run({ cwd: dir, fix: true });
  const install = result.findings.find((f) => f.file === 'Dockerfile')!;
  expect(install.status).toBe('blocked');
  expect(install.message).toMatch(/\/bin\/hc \(the binary under another name\) is still run by bundle\.yaml:2 \(over 5 MB, not read further\)/);
  expect(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(dockerfile);
});

test('a binary over the size limit that names a renamed install does not keep it, as a smaller one does not', async () => {
  const dockerfile = 'FROM alpine\nADD https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 /bin/hc\nCOPY app /app\n';
  const dir = repoWith({ Dockerfile: dockerfile, 'a.yaml': POD.replace('/bin/grpc_health_probe', '/bin/hc') });
  fs.writeFileSync(path.join(dir, 'app'), Buffer.concat([Buffer.alloc(5 * 1024 * 1024 + 10, 0), Buffer.from('exec /bin/hc -addr=:5000\n')]));
  const result = await run({ cwd: dir });
  const install = result.findings.find((f) => f.file === 'Dockerfile')!;
  expect(install.message).not.toContain('app');
});

test('Docker Hub names are one image however they are spelled', () => {
  expect(imageName('docker.io/acme/base:1.0')).toBe('acme/base');
  expect(imageName('index.docker.io/acme/base@sha256:abc')).toBe('acme/base');
  expect(imageName('docker.io/library/alpine:3.20')).toBe('alpine');
  expect(imageName('ghcr.io/acme/base:1')).toBe('ghcr.io/acme/base');
  expect(imageName('localhost:5000/acme/base')).toBe('localhost:5000/acme/base');
});

test('the bare name counts only for an install in a folder on the image\'s PATH', () => {
  const url = 'https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.26/grpc_health_probe-linux-amd64';
  const names = (dockerfile: string) => namesOnPath(analyzeDockerfile(dockerfile));
  expect(names(`FROM alpine\nADD ${url} /usr/local/bin/healthcheck\n`)).toEqual(['healthcheck']);
  expect(names(`FROM alpine\nADD ${url} /app/healthcheck\n`)).toEqual([]);
  expect(names(`FROM alpine\nENV PATH="/app/:$PATH"\nADD ${url} /app/healthcheck\n`)).toEqual(['healthcheck']);
});

test('an install removed from a repository that holds no probe says its probes may live in another repository', async () => {
  const DOCKERFILE = 'FROM alpine:3.19\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.24/grpc_health_probe-linux-amd64\n';
  const install = async (files: Record<string, string>) => (await run({ cwd: repoWith(files) })).findings.find((f) => f.ruleId === 'dockerfile-binary-install')!;
  // An app repository whose charts live elsewhere: the spec removes the install, the message warns.
  const alone = await install({ Dockerfile: DOCKERFILE });
  expect(alone).toMatchObject({ status: 'migratable', message: expect.stringContaining('no file of this repository runs the binary, so it goes') });
  expect(alone.hint).toMatch(/another repository .*--keep-binary/);
  // The probe that ran it is here, and migrates: nothing runs it any more.
  const withProbe = await install({ Dockerfile: DOCKERFILE, 'k8s/pod.yaml': POD });
  expect(withProbe).toMatchObject({ status: 'migratable', message: expect.stringContaining('nothing runs the binary any more, so it goes') });
  expect(withProbe.hint).toBeUndefined();
});

test('exec-form strings are read as Docker joins and decodes them', () => {
  const read = (text: string, escape = '\\') => execFormStrings(text, text.indexOf('['), text.trimEnd().length, escape)?.map((s) => [s.value, text.slice(s.start, s.end)]);
  // A continuation inside a string joins it (the next line's indentation kept, as Docker keeps it);
  // comment and empty lines inside the continuation are dropped.
  expect(read('COPY ["/a/very/long/pa\\\nth", "x\\\n  y", \\\n# note\n\n  "/b\\u002dc", "\\/d\\/"]\n')).toEqual([
    ['/a/very/long/path', '"/a/very/long/pa\\\nth"'],
    ['x  y', '"x\\\n  y"'],
    ['/b-c', '"/b\\u002dc"'],
    ['/d/', '"\\/d\\/"'],
  ]);
  expect(read('COPY ["C:\\\\tools\\\\", "a\\"b"]')).toEqual([['C:\\tools\\', '"C:\\\\tools\\\\"'], ['a"b', '"a\\"b"']]);
  // With `# escape=\``, the backtick continues lines and a backslash is JSON's.
  expect(read('COPY ["C:\\\\a", `\n  "C:\\\\b"]', '`')).toEqual([['C:\\a', '"C:\\\\a"'], ['C:\\b', '"C:\\\\b"']]);
  expect(read('COPY []')).toEqual([]);
  // Not a JSON array of strings: Docker reads the shell form.
  for (const bad of ['COPY ["a" "b"]', "COPY ['a', 'b']", 'COPY ["a", 1]', 'COPY ["a"] x', 'COPY ["a\tb"]', 'COPY ["a",]', 'COPY ["a"']) expect({ bad, read: read(bad) }).toEqual({ bad, read: undefined });
});

test('GoReleaser: templated_dockerfile (dockers_v2, v2.17) is the file the image is built from, over dockerfile', async () => {
  const install = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.24/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';
  const pod = (image: string, flags: string) =>
    `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: ${image}\n      livenessProbe:\n        exec:\n          command: ["/bin/grpc_health_probe", "-addr=:5000"${flags}]\n`;
  const { findings } = await run({
    cwd: repoWith({
      '.goreleaser.yaml': 'version: 2\ndockers_v2:\n  - images: ["ghcr.io/acme/api"]\n    dockerfile: build/api.Dockerfile\n    templated_dockerfile: build/api.Dockerfile.tmpl\n  - images: ["ghcr.io/acme/web"]\n    dockerfile: build/api.Dockerfile\n',
      'build/api.Dockerfile': install,
      'build/api.Dockerfile.tmpl': 'FROM alpine\nCOPY api /api\n',
      'k8s/api.yaml': pod('ghcr.io/acme/api:v1', ', "-tls"'),
    }),
  });
  // The blocked api probe runs the image GoReleaser builds from the template, not api.Dockerfile (web's, which nothing runs).
  expect(findings.find((f) => f.file === 'build/api.Dockerfile')?.status).toBe('migratable');
  // A template built FROM an image set when GoReleaser runs may be built on web's image, which installs the binary: it stays.
  const templatedBase = await run({
    cwd: repoWith({
      '.goreleaser.yaml': 'version: 2\ndockers_v2:\n  - images: ["ghcr.io/acme/api"]\n    dockerfile: build/api.Dockerfile\n    templated_dockerfile: build/api.Dockerfile.tmpl\n  - images: ["ghcr.io/acme/web"]\n    dockerfile: build/api.Dockerfile\n',
      'build/api.Dockerfile': install,
      'build/api.Dockerfile.tmpl': 'FROM {{ .Env.BASE }}\nCOPY api /api\n',
      'k8s/api.yaml': pod('ghcr.io/acme/api:v1', ', "-tls"'),
    }),
  });
  expect(templatedBase.findings.find((f) => f.file === 'build/api.Dockerfile')?.status).toBe('blocked');
});

test('GoReleaser: a .config/goreleaser.yaml names Dockerfiles from the project root, the folder above .config', async () => {
  const install = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.24/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: ghcr.io/acme/api:v1\n      livenessProbe:\n        exec:\n          command: ["/bin/grpc_health_probe", "-addr=:5000", "-tls"]\n';
  const { findings } = await run({
    cwd: repoWith({
      '.config/goreleaser.yaml': 'version: 2\ndockers_v2:\n  - images: ["ghcr.io/acme/api"]\n    dockerfile: build/api.Dockerfile\n  - images: ["ghcr.io/acme/web"]\n    dockerfile: build/web.Dockerfile\n',
      'build/api.Dockerfile': install,
      'build/web.Dockerfile': install,
      'k8s/api.yaml': pod,
    }),
  });
  // The blocked api probe keeps api's install only: web.Dockerfile builds an image nothing runs.
  expect(findings.find((f) => f.file === 'build/api.Dockerfile')?.status).toBe('blocked');
  expect(findings.find((f) => f.file === 'build/web.Dockerfile')?.status).toBe('migratable');
});

test('a RUN in PowerShell or cmd (a SHELL instruction, a Windows base image, an earlier such stage) is refused for this file alone; a POSIX SHELL is read as before', () => {
  const own = (text: string) => analyzeDockerfile(text).problems.map((p) => ({ line: text.slice(0, p.start).split('\n').length, ownImage: p.ownImage === true }));
  const url = 'https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-windows-amd64.exe';
  // A Windows image's default shell is cmd /S /C.
  expect(own(`FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nRUN curl.exe -sSLo C:\\grpc_health_probe.exe ${url}\n`)).toEqual([{ line: 2, ownImage: true }]);
  expect(own(`FROM mcr.microsoft.com/dotnet/aspnet:8.0-nanoserver-ltsc2022\nRUN curl.exe -sSLo C:\\grpc_health_probe.exe ${url}\n`)).toEqual([{ line: 2, ownImage: true }]);
  // SHELL pwsh, inherited by a stage built FROM that one.
  expect(own(`FROM mcr.microsoft.com/powershell:lts-7.2-nanoserver-1809 AS base\nSHELL ["pwsh", "-Command"]\nFROM base\nRUN Invoke-WebRequest -Uri ${url} -OutFile C:\\grpc_health_probe.exe\n`)).toEqual([{ line: 4, ownImage: true }]);
  expect(own(`FROM alpine\nSHELL ["C:\\\\Windows\\\\System32\\\\cmd.exe", "/S", "/C"]\nRUN curl.exe -o C:\\grpc_health_probe.exe ${url}\n`)).toEqual([{ line: 3, ownImage: true }]);
  // A POSIX SHELL (bash), or a SHELL in another stage: the RUN is read and removed as usual.
  const linux = 'ARG V=v0.4.28\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/${V}/grpc_health_probe-linux-amd64\n';
  for (const text of [`FROM alpine\nSHELL ["/bin/bash", "-eo", "pipefail", "-c"]\n${linux}`, `FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS win\nSHELL ["powershell", "-Command"]\nFROM alpine\n${linux}`]) {
    const a = analyzeDockerfile(text);
    expect(a.problems).toEqual([]);
    expect(a.installs.map((i) => i.what)).toEqual(['RUN']);
  }
});

test('an exec-form RUN (under SHELL powershell or not) and a RUN <<EOF beside a SHELL instruction are refused with their line, the program, and what to do; the file keeps every install', () => {
  const url = 'https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64';
  const text = `FROM alpine:3.20\nRUN wget -qO/bin/grpc_health_probe ${url}\nSHELL ["pwsh", "-Command"]\nRUN ["pwsh", "-Command", "chmod +x /bin/grpc_health_probe"]\nRUN <<EOF\nchmod +x /bin/grpc_health_probe\nEOF\n`;
  const a = analyzeDockerfile(text);
  const at = (p: { start: number }) => text.slice(0, p.start).split('\n').length;
  expect(a.problems.map((p) => [at(p), p.message])).toEqual([
    [4, 'RUN (exec form, running pwsh) uses grpc_health_probe; the tool reads only shell-form RUN commands, so the file was left unchanged'],
    [5, 'RUN names grpc_health_probe in a PowerShell script (a Windows shell, not POSIX sh), which the tool does not read; the file was left unchanged'],
  ]);
  expect(a.problems[0]!.hint).toMatch(/exec-form RUN .*keeps its installs.*Migrate it by hand/);
  // A POSIX SHELL: the here-document script is still not read (what runs it depends on SHELL).
  const bash = analyzeDockerfile(`FROM alpine:3.20\nSHELL ["/bin/bash", "-c"]\nRUN <<EOF\nwget -qO/bin/grpc_health_probe ${url}\nEOF\n`);
  expect(bash.problems.map((p) => p.message)).toEqual(['RUN (a here-document, with a SHELL instruction in the file) uses grpc_health_probe in a form the tool does not rewrite; the file was left unchanged']);
  expect(bash.problems[0]!.hint).toMatch(/SHELL instruction .*keeps its installs/);
});

test('a vendored binary left in a builder stage is said unused only while nothing runs the binary and no build targets the stage (hunt16 A3)', async () => {
  const dockerfile = 'FROM golang:1.22 AS builder\nADD . /go/src/app/\nRUN go build -o /go/bin/app /go/src/app\n\nFROM alpine:3.19\nCOPY --from=builder /go/bin/app /app\n';
  const binary = Buffer.from('\x7fELF\x02\x01\x01\x00\x00grpc_health_probe\x00', 'latin1');
  const notes = async (files: Record<string, string | Buffer>) =>
    (await run({ cwd: repoWith({ Dockerfile: dockerfile, 'grpc_health_probe-linux-amd64': binary, ...files }), paths: ['.'] })).findings.filter((f) => f.ruleId === 'dockerfile-binary-install').map((f) => [f.status, f.line]);
  expect(await notes({})).toEqual([['info', 2]]);
  // A script runs the binary (the vendored file, maybe, on the host): nothing said.
  expect(await notes({ 'scripts/check.sh': '#!/bin/sh\n./grpc_health_probe-linux-amd64 -addr=:5000\n' })).toEqual([]);
  // A compose build of the builder stage ships it.
  expect(await notes({ 'compose.yaml': 'services:\n  dev:\n    build:\n      context: .\n      target: builder\n    image: app-dev\n' })).toEqual([]);
  // A builder RUN that installs packages moves no file of the stage: still unused (review23 R8).
  const apt = 'FROM golang:1.22 AS builder\nADD . /go/src/app/\nRUN apt-get update && apt-get install -y make && go install ./...\n\nFROM alpine:3.19\nCOPY --from=builder /go/bin/app /app\n';
  expect((await run({ cwd: repoWith({ Dockerfile: apt, 'grpc_health_probe-linux-amd64': binary }), paths: ['.'] })).findings.filter((f) => f.ruleId === 'dockerfile-binary-install').map((f) => f.status)).toEqual(['info']);
  // A script under the binary's name (a test's fake) is not the binary: nothing said of it (hunt18 V2).
  expect(await notes({ 'grpc_health_probe-linux-amd64': '#!/bin/sh\necho SERVING\n' })).toEqual([]);
});

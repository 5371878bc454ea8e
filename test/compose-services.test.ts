/** Compose services read as Compose reads them (src/docker/compose.ts): aliases, `<<` merges, `extends`. */
import { describe, expect, test } from '@jest/globals';
import { mentionsBinary } from '../src/analysis/binary.js';
import { buildOf, composeServicesOf, defaultPath, imageOf, runTimeMayName, scalarUses, type ComposeDoc, type LoadCompose } from '../src/docker/compose.js';
import { run } from '../src/engine.js';
import { parseYaml } from '../src/parse/yaml.js';
import { repoWith } from './support/repo.js';

const docOf = (text: string, dir = '/r'): ComposeDoc => ({ doc: parseYaml(text).docs[0]!, dir });
const CHECK = 'healthcheck:\n      test: ["CMD", "/bin/grpc_health_probe", "-addr=:5000"]';

/** Service name → the binary uses it has, as `keys via`. */
function uses(text: string, load?: LoadCompose): Record<string, string[]> {
  return Object.fromEntries(
    composeServicesOf(docOf(text), load).map((s) => [s.name, scalarUses(s, mentionsBinary).map((u) => `${u.keys.join('.')} ${u.via?.text ?? '(own)'}`)]),
  );
}

describe('binary uses a service gets', () => {
  test('through an alias, a merge (one source or a list) and extends (short and long form)', () => {
    const text = `x-base: &base {restart: always}
services:
  api: &api
    build: ./api
    healthcheck: &hc
      test: ["CMD", "/bin/grpc_health_probe", "-addr=:5000"]
  alias:
    healthcheck: *hc
  merged:
    <<: [*base, *api]
  short:
    extends: api
  long:
    extends: {service: api}
`;
    expect(uses(text)).toEqual({
      api: ['healthcheck.test (own)'],
      alias: ['healthcheck.test *hc'],
      merged: ['healthcheck.test <<: *api'],
      short: ['healthcheck.test extends: api'],
      long: ['healthcheck.test extends: api'],
    });
  });

  test('keys the service writes win over a merge and over what it extends; lists other than commands add up', () => {
    const text = `services:
  api: &api
    ${CHECK}
    command: ["/app", "--probe=/bin/grpc_health_probe"]
    environment: ["PROBE=/bin/grpc_health_probe"]
  merged:
    <<: *api
    healthcheck: {test: ["CMD", "/app", "health"]}
  extended:
    extends: api
    healthcheck: {interval: 5s}
    command: ["/app"]
    environment: ["MODE=dev"]
  reset:
    extends: api
    healthcheck: !reset {}
    command: !reset []
    environment: !override []
`;
    expect(uses(text)).toEqual({
      api: ['healthcheck.test (own)', 'command (own)', 'environment (own)'],
      merged: ['command <<: *api', 'environment <<: *api'],
      // healthcheck merges key by key (interval added, test kept); command is replaced; environment adds.
      extended: ['healthcheck.test extends: api', 'environment extends: api'],
      reset: [],
    });
  });

  test('extends of another file is read through the loader; one it cannot read leaves the service undecided', () => {
    const base = docOf(`services:\n  common:\n    build: ./common\n    ${CHECK}\n`, '/r/shared');
    const load: LoadCompose = (abs) => (abs === '/r/shared/base.yml' ? [base] : undefined);
    const text = 'services:\n  api:\n    extends: {file: shared/base.yml, service: common}\n  lost:\n    extends: {file: missing.yml, service: common}\n';
    expect(uses(text, load)).toEqual({ api: ['healthcheck.test extends: common of shared/base.yml'], lost: [] });
    const [api, lost] = composeServicesOf(docOf(text), load);
    // A relative context resolves against the file that wrote it.
    expect(buildOf(api!)).toEqual({ context: './common', dir: '/r/shared', inline: false });
    expect(api!.undecided).toBeUndefined();
    expect(lost!.undecided).toBe('service "lost" extends "common" of missing.yml, which the tool cannot read');
  });

  test('an extends cycle is undecided, not a hang', () => {
    const [a] = composeServicesOf(docOf('services:\n  a: {extends: b}\n  b: {extends: a}\n'));
    expect(a!.undecided).toMatch(/in a cycle/);
  });
});

describe('image and build', () => {
  test('build in short and long form, inherited through extends and merged field by field', () => {
    const text = `x-img: &img {image: acme/api}
services:
  api:
    <<: *img
    build: ./api
  dev:
    extends: api
    build: {dockerfile: Dockerfile.dev}
  inline:
    build: {dockerfile_inline: "FROM alpine"}
`;
    const [api, dev, inline] = composeServicesOf(docOf(text));
    expect([imageOf(api!), buildOf(api!)]).toEqual(['acme/api', { context: './api', dir: '/r', inline: false }]);
    expect([imageOf(dev!), buildOf(dev!)]).toEqual(['acme/api', { context: './api', dir: '/r', dockerfile: 'Dockerfile.dev', inline: false }]);
    expect(buildOf(inline!)).toEqual({ dir: '/r', inline: true });
  });
});

describe('ties across the compose files of a folder', () => {
  const INSTALL =
    'FROM alpine:3.19\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.25/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';
  const COMPOSE = `services:\n  api:\n    build: ./api\n    ${CHECK}\n  other:\n    build: ./other\n`;

  test('with every file readable, a service keeps only its own builds', async () => {
    const cwd = repoWith({ 'compose.yaml': COMPOSE, 'compose.override.yaml': 'services:\n  api:\n    build: {dockerfile: Dockerfile.dev}\n', 'api/Dockerfile.dev': INSTALL, 'other/Dockerfile': INSTALL });
    const result = await run({ cwd, fix: true });
    expect(result.findings.filter((f) => f.subject === 'install').map((f) => [f.file, f.status])).toEqual([
      ['api/Dockerfile.dev', 'blocked'],
      ['other/Dockerfile', 'migrated'],
    ]);
  });

  test('a compose file of the folder that does not parse leaves its services untied: every install stays', async () => {
    const cwd = repoWith({ 'compose.yaml': COMPOSE, 'compose.override.yaml': 'services:\n  api: [oops\n', 'api/Dockerfile.dev': INSTALL, 'other/Dockerfile': INSTALL });
    const result = await run({ cwd, fix: true });
    const installs = result.findings.filter((f) => f.subject === 'install');
    expect(installs.map((f) => [f.file, f.status])).toEqual([
      ['api/Dockerfile.dev', 'blocked'],
      ['other/Dockerfile', 'blocked'],
    ]);
    expect(installs[1]!.message).toContain('compose.override.yaml, a compose file of the same folder, cannot be read or parsed');
  });
});

test('a compose health check\'s hint speaks of the service\'s healthcheck, not a Dockerfile HEALTHCHECK', async () => {
  const cwd = repoWith({ 'compose.yaml': `services:\n  api:\n    image: acme/api\n    ${CHECK}\n  alias:\n    image: acme/api\n    extends: api\n` });
  const checks = (await run({ cwd })).findings.filter((f) => f.ruleId === 'compose-healthcheck');
  expect(checks).toHaveLength(2);
  for (const f of checks) {
    expect(f.blockers).toEqual(['no-native-check']);
    expect(f.hint).toMatch(/drop the service's healthcheck/);
    expect(f.hint).not.toContain('HEALTHCHECK');
  }
});

describe('a health check Compose does not run', () => {
  const base = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n`;
  const off = 'services:\n  api:\n    healthcheck:\n      disable: true\n';
  const status = async (files: Record<string, string>) => (await run({ cwd: repoWith(files) })).findings.filter((f) => f.ruleId === 'compose-healthcheck').map((f) => `${f.file} ${f.status}`);

  test('the default override turns it off, over the file Compose picks by default', async () => {
    expect(await status({ 'docker-compose.yml': base, 'docker-compose.override.yml': off })).toEqual(['docker-compose.yml info']);
    expect(await status({ 'compose.yaml': base, 'compose.override.yaml': off })).toEqual(['compose.yaml info']);
  });

  test('an override that applies only with -f, or a base file Compose does not pick by default, leaves it running', async () => {
    expect(await status({ 'docker-compose.yml': base, 'docker-compose.prod.yml': off })).toEqual(['docker-compose.yml blocked']);
    // compose.yaml wins over docker-compose.yml: the override merges over it, not over this one.
    expect(await status({ 'compose.yaml': 'services:\n  web:\n    image: nginx\n', 'docker-compose.yml': base, 'docker-compose.override.yml': off })).toEqual(['docker-compose.yml blocked']);
  });

  test('COMPOSE_FILE in .env, or a script naming the base file with -f: Compose may read it alone', async () => {
    expect(await status({ 'docker-compose.yml': base, 'docker-compose.override.yml': off, 'scripts/ci.sh': 'docker compose --file=docker-compose.yml up -d\n' })).toEqual(['docker-compose.yml blocked']);
    expect(await status({ 'docker-compose.yml': base, 'docker-compose.override.yml': off, '.env': 'COMPOSE_FILE=docker-compose.yml\n' })).toEqual(['docker-compose.yml blocked']);
    // Turned off in the base file itself: off whichever way it is read.
    const baseOff = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n      disable: true\n`;
    expect(await status({ 'docker-compose.yml': baseOff, 'docker-compose.override.yml': off, 'scripts/ci.sh': 'docker compose -f docker-compose.yml up -d\n' })).toEqual(['docker-compose.yml info']);
  });

  test('an override that turns a base file\'s disable back off runs it', async () => {
    const baseOff = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n      disable: true\n`;
    expect(await status({ 'docker-compose.yml': baseOff, 'docker-compose.override.yml': 'services:\n  api:\n    healthcheck:\n      disable: false\n' })).toEqual(['docker-compose.yml blocked']);
  });
});

describe('an extends.file set at run time', () => {
  test('its default is a candidate only where every variable has one (:- or -)', () => {
    expect(defaultPath('${COMMON:-common.yml}')).toBe('common.yml');
    expect(defaultPath('${DIR-../lib}/${NAME:-common}.yml')).toBe('../lib/common.yml');
    expect(defaultPath('${COMMON}')).toBeUndefined();
    expect(defaultPath('${COMMON:?set it}')).toBeUndefined();
    expect(defaultPath('$DIR/common.yml')).toBeUndefined();
    expect(defaultPath('${COMMON:-}')).toBeUndefined();
  });

  test('it may name any file that ends as the text after its last variable (a variable may hold .. or an absolute path)', () => {
    expect(runTimeMayName('${COMMON:-common.yml}', '/r/lib/other.yml', false)).toBe(true);
    expect(runTimeMayName('./${ENV}/common.yml', '/elsewhere/x/common.yml', false)).toBe(true);
    expect(runTimeMayName('${SHARED}/base.yml', '/r/lib/common.yml', false)).toBe(false);
    expect(runTimeMayName('${BASE}', 'anything', true)).toBe(true);
    expect(runTimeMayName('grpc-${KIND}', 'grpc-base', true)).toBe(true);
    expect(runTimeMayName('grpc-${KIND}', 'base', true)).toBe(false);
  });
});

describe('compose files merged with -f, --file or COMPOSE_FILE', () => {
  const status = async (files: Record<string, string>) => (await run({ cwd: repoWith(files) })).findings.filter((f) => f.ruleId === 'compose-healthcheck').map((f) => `${f.file} ${f.status}`);
  const base = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n`;
  const off = 'services:\n  api:\n    healthcheck:\n      disable: true\n';
  const files = { 'docker-compose.base.yml': base, 'docker-compose.ci.yml': off };

  test('a later file that turns the check off, in every run of the file, runs nothing', async () => {
    expect(await status({ ...files, Makefile: 'ci:\n\tdocker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\n' })).toEqual(['docker-compose.base.yml info']);
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n' })).toEqual(['docker-compose.base.yml info']);
    expect(await status({ ...files, 'ci.sh': 'cd deploy && docker compose --file ../docker-compose.base.yml --file=../docker-compose.ci.yml up\n' })).toEqual(['docker-compose.base.yml info']);
  });

  test('an earlier file\'s test gives way to the file\'s own (its disable does not); run alone elsewhere, it runs', async () => {
    const otherTest = 'services:\n  api:\n    healthcheck:\n      test: ["CMD", "/app", "health"]\n';
    expect(await status({ ...files, 'docker-compose.ci.yml': otherTest, Makefile: 'ci:\n\tdocker compose -f docker-compose.ci.yml -f docker-compose.base.yml up\n' })).toEqual(['docker-compose.base.yml blocked']);
    expect(await status({ ...files, Makefile: 'ci:\n\tdocker compose -f docker-compose.ci.yml -f docker-compose.base.yml up\n' })).toEqual(['docker-compose.base.yml info']);
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', 'run.sh': 'docker compose -f docker-compose.base.yml up\n' })).toEqual(['docker-compose.base.yml blocked']);
  });

  test('files a script declares with export or readonly are read as assigned ones are', async () => {
    // scriptVariables is given the parse's declarations (otherSets) by every script reader, not only the patch reader.
    expect(await status({ ...files, 'ci.sh': 'export BASE=docker-compose.base.yml\nreadonly CI=docker-compose.ci.yml\ndocker compose -f "$BASE" -f "$CI" up\n' })).toEqual(['docker-compose.base.yml info']);
  });

  test('a file named through a variable that may be this one: it may run alone', async () => {
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', 'run.sh': 'docker compose -f "$FILE" up\n' })).toEqual(['docker-compose.base.yml blocked']);
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', 'run.sh': 'docker compose -f "deploy/${NAME}.yml" up\n' })).toEqual(['docker-compose.base.yml info']);
  });

  test('a later file named through a variable is not read; the literal ones still merge', async () => {
    expect(await status({ ...files, 'ci.sh': 'docker compose -f docker-compose.base.yml -f docker-compose.ci.yml -f "$EXTRA" up\n' })).toEqual(['docker-compose.base.yml info']);
    expect(await status({ ...files, 'ci.sh': 'docker compose -f docker-compose.base.yml -f "$EXTRA" up\n' })).toEqual(['docker-compose.base.yml blocked']);
  });

  test('a later file named as written that the repository does not hold (a local override git ignores) may turn it back on: it runs (hunt11 K2)', async () => {
    expect(await status({ ...files, 'ci.sh': 'docker compose -f docker-compose.base.yml -f docker-compose.ci.yml -f docker-compose.local.yml up\n' })).toEqual(['docker-compose.base.yml blocked']);
    // Before the file, under it: its own check wins over what that file says.
    expect(await status({ ...files, 'ci.sh': 'docker compose -f docker-compose.local.yml -f docker-compose.base.yml -f docker-compose.ci.yml up\n' })).toEqual(['docker-compose.base.yml info']);
  });

  test('a text that names the file and is no command the readers read runs it alone; a URL, a path filter or a comment does not (hunt11 K3)', async () => {
    const merged = { ...files, Makefile: 'ci:\n\tdocker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\n' };
    // pytest-docker's setting in pyproject.toml, a PowerShell script's own wrapper.
    expect(await status({ ...merged, 'pyproject.toml': '[tool.pytest.ini_options]\ndocker_compose_file = "docker-compose.base.yml"\n' })).toEqual(['docker-compose.base.yml blocked']);
    expect(await status({ ...merged, 'tools/up.ps1': './compose-up.ps1 ../docker-compose.base.yml\n' })).toEqual(['docker-compose.base.yml blocked']);
    // A YAML string of a tool the tool does not know, and a path held as a container sees it.
    expect(await status({ ...merged, 'deploy/stack.yml': 'stack:\n  compose: /workspace/docker-compose.base.yml\n' })).toEqual(['docker-compose.base.yml blocked']);
    expect(await status({ ...merged, 'renovate.json': '{"extends": ["config:base"], "description": "see https://example.com/docker-compose.base.yml"}\n' })).toEqual(['docker-compose.base.yml info']);
    expect(await status({ ...merged, '.github/workflows/ci.yml': 'on:\n  push:\n    paths: [docker-compose.base.yml]\n# docker-compose.base.yml runs merged: make ci\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make ci\n' })).toEqual(['docker-compose.base.yml info']);
  });

  test('a later file that turns a disabled check back on runs it', async () => {
    const baseOff = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n      disable: true\n`;
    expect(await status({ 'docker-compose.base.yml': baseOff, 'docker-compose.ci.yml': 'services:\n  api:\n    healthcheck:\n      disable: false\n', 'ci.sh': 'docker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\n' })).toEqual(['docker-compose.base.yml blocked']);
  });

  test('a file another file extends runs alone there, whatever -f merges over it', async () => {
    expect(await status({ ...files, 'ci.sh': 'docker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\n', 'stack.yml': 'services:\n  w:\n    extends: {file: docker-compose.base.yml, service: api}\n    image: acme/w\n' })).toEqual(['docker-compose.base.yml blocked']);
  });
});

describe('compose commands read with the shell parser', () => {
  const status = async (files: Record<string, string>) => (await run({ cwd: repoWith(files) })).findings.filter((f) => f.ruleId === 'compose-healthcheck').map((f) => `${f.file} ${f.status}`);
  const base = `services:\n  api:\n    image: acme/api\n    ${CHECK}\n`;
  const off = 'services:\n  api:\n    healthcheck:\n      disable: true\n';
  const files = { 'docker-compose.base.yml': base, 'docker-compose.ci.yml': off };
  const merged = ['docker-compose.base.yml info'];
  const alone = ['docker-compose.base.yml blocked'];

  test('through sudo, env, sh -c, docker\'s own options, continued lines and docker-compose', async () => {
    expect(await status({ ...files, 'ci.sh': 'sudo -E docker --context ci compose -p x \\\n  -f docker-compose.base.yml \\\n  --file docker-compose.ci.yml up\n' })).toEqual(merged);
    expect(await status({ ...files, 'ci.sh': 'env -u X COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml docker compose up\n' })).toEqual(merged);
    expect(await status({ ...files, 'ci.sh': 'COMPOSE_FILE="docker-compose.base.yml:docker-compose.ci.yml" docker-compose up\n' })).toEqual(merged);
    expect(await status({ ...files, 'ci.sh': 'bash -c "docker-compose -f docker-compose.base.yml -fdocker-compose.ci.yml up"\n' })).toEqual(merged);
  });

  test('variables the script sets to one literal value are read; one set twice is not', async () => {
    expect(await status({ ...files, 'ci.sh': 'BASE=docker-compose.base.yml\nCI=docker-compose.ci.yml\ndocker compose -f "$BASE" -f "${CI}" up\n' })).toEqual(merged);
    expect(await status({ ...files, 'ci.sh': 'export COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\ndocker compose up\n' })).toEqual(merged);
    // CI is docker-compose.ci.yml or another file: the base may run with another file over it.
    expect(await status({ ...files, 'ci.sh': 'CI=docker-compose.ci.yml\n[ -n "$X" ] && CI=other.yml\ndocker compose -f docker-compose.base.yml -f "$CI" up\n' })).toEqual(alone);
  });

  test('only a compose command\'s own -f options before its sub-command name its files', async () => {
    // `echo` runs nothing; `logs -f` follows; the file named after the sub-command is the command's.
    const env = { '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n' };
    expect(await status({ ...files, ...env, 'ci.sh': 'echo "run: docker compose -f docker-compose.base.yml up"\ndocker compose logs -f docker-compose.base.yml\n' })).toEqual(merged);
    expect(await status({ ...files, ...env, 'ci.sh': '# docker compose -f docker-compose.base.yml up\ndocker compose up\n' })).toEqual(merged);
  });

  test('a workflow step\'s run: and env:, GitLab\'s script:, package.json\'s scripts, Makefile recipes and assignments', async () => {
    expect(await status({ ...files, '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          docker compose \\\n            -f docker-compose.base.yml -f docker-compose.ci.yml up -d\n' })).toEqual(merged);
    expect(await status({ ...files, '.github/workflows/ci.yml': 'on: push\nenv:\n  COMPOSE_FILE: docker-compose.base.yml:docker-compose.ci.yml\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker compose up -d\n' })).toEqual(merged);
    expect(await status({ ...files, '.gitlab-ci.yml': 'test:\n  script:\n    - docker compose -f docker-compose.base.yml -f docker-compose.ci.yml up -d\n' })).toEqual(merged);
    expect(await status({ ...files, 'package.json': '{"scripts": {"ci": "docker compose -f docker-compose.base.yml -f docker-compose.ci.yml up"}}\n' })).toEqual(merged);
    expect(await status({ ...files, Makefile: 'export COMPOSE_FILE := docker-compose.base.yml:docker-compose.ci.yml\nup:\n\tdocker compose up\n' })).toEqual(merged);
    // A make reference may be any file: the base may run alone.
    expect(await status({ ...files, Makefile: 'ci:\n\tdocker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\nrun:\n\tdocker compose -f $(FILE) up\n' })).toEqual(alone);
    // An expression Actions fills in may be any file too.
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker compose -f ${{ matrix.file }} up\n' })).toEqual(alone);
  });

  test('runs no command gives: a dev container, a workflow\'s Compose action, code that names the file (hunt8 H15)', async () => {
    const make = { Makefile: 'ci:\n\tdocker compose -f docker-compose.base.yml -f docker-compose.ci.yml up\n' };
    const action = (input: string) => `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: hoverkraft-tech/compose-action@v2.0.1\n${input}`;
    // The action's input, one file a line: merged over the base it keeps nothing; the base alone runs the check.
    expect(await status({ ...files, ...make, '.github/workflows/it.yml': action('        with:\n          compose-file: |\n            docker-compose.base.yml\n            docker-compose.ci.yml\n') })).toEqual(merged);
    expect(await status({ ...files, ...make, '.github/workflows/it.yml': action('        with:\n          compose-file: ${{ matrix.file }}\n') })).toEqual(alone);
    // Without the input, the action runs ./docker-compose.yml alone: not this file.
    expect(await status({ ...files, ...make, '.github/workflows/it.yml': action('        with:\n          up-flags: --wait\n') })).toEqual(merged);
    expect(await status({ ...files, ...make, '.devcontainer/devcontainer.json': '{"dockerComposeFile": "../docker-compose.base.yml"}\n' })).toEqual(alone);
    expect(await status({ ...files, ...make, '.devcontainer/devcontainer.json': '{"dockerComposeFile": ["../docker-compose.base.yml", "../docker-compose.ci.yml"]}\n' })).toEqual(merged);
    // Code that names it (testcontainers) runs it alone; a file of another folder by that name, documentation and path lists do not.
    expect(await status({ ...files, ...make, 'it/stack.test.ts': 'new DockerComposeEnvironment("..", "docker-compose.base.yml");\n' })).toEqual(alone);
    expect(await status({ ...files, ...make, 'it/Stack.java': 'new DockerComposeContainer(new File("it/docker-compose.base.yml"));\n' })).toEqual(merged);
    expect(await status({ ...files, ...make, 'README.md': 'docker compose -f docker-compose.base.yml up\n', '.dockerignore': 'docker-compose.base.yml\n', 'renovate.json': '{"scripts": "docker compose -f docker-compose.base.yml -f docker-compose.ci.yml up"}\n' })).toEqual(merged);
  });

  test('a text the tool cannot read that names the file runs it alone', async () => {
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', 'ci.ps1': 'docker compose -f docker-compose.base.yml up\n' })).toEqual(alone);
    expect(await status({ ...files, '.env': 'COMPOSE_FILE=docker-compose.base.yml:docker-compose.ci.yml\n', 'ci.sh': 'if then docker compose -f docker-compose.base.yml up\n' })).toEqual(alone);
  });
});

test('the line that names a compose file is found in linear time over a long run of path characters before it (it took ~34 s: review20 #5)', async () => {
  const { namingLine } = await import('../src/docker/compose-runs.js');
  const abs = (await import('node:path')).join('/repo', 'docker-compose.yml');
  // Not a speed target: a guard against the quadratic search (seconds, not milliseconds; jest's
  // own timeout cannot stop a synchronous regular expression).
  const started = Date.now();
  for (const run of ['/', '@', '~']) expect(namingLine('run.ps1', `x\n${run.repeat(100_000)} docker-compose.yml\n`, abs)).toBe(2);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(namingLine('run.ps1', 'docker compose -f ./deploy/../docker-compose.yml up\n', abs)).toBe(1);
  expect(namingLine('run.ps1', 'curl https://example.com/docker-compose.yml\n', abs)).toBeUndefined();
});

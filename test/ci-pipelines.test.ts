/**
 * The CI pipelines' scripts as the probe-patch reader reads them (src/analysis/ci-pipelines.ts):
 * a job's items in one shell, the values a GitLab variable may take (rules, extends, matrix,
 * manual-run options), scripts reached through aliases and `!reference`, and the pipeline files
 * other files pull in (GitLab child pipelines, Taskfile includes, Groovy files a Jenkinsfile loads).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, repoWith, checkoutWith } from './support/repo.js';

/**
 * The pod's finding in a one-file run over k8s/pod.yaml, in a git checkout with 120 more YAML
 * files: past 100, the readers ask git's prefetched search which files to read.
 */
async function oneFileInCheckout(files: Record<string, string>) {
  const all = { ...files };
  for (let i = 0; i < 120; i++) all[`other/cfg-${i}.yaml`] = `a: ${i}\n`;
  const { findings } = await run({ cwd: checkoutWith(all), paths: ['k8s/pod.yaml'], partialView: 'a file list' });
  return findings.find((x) => x.file === 'k8s/pod.yaml' && x.ruleId === 'kubernetes-exec-probe');
}

async function statusOf(files: Record<string, string>): Promise<{ status?: string; message?: string }> {
  const { findings } = await run({ cwd: repoWith({ 'k8s/pod.yaml': POD, ...files }) });
  const f = findings.find((x) => x.file === 'k8s/pod.yaml' && x.ruleId === 'kubernetes-exec-probe');
  return { status: f?.status, message: f?.message };
}

const JSON_OP = `'[{"op":"replace","path":"/spec/containers/0/readinessProbe/exec/command/1","value":"-addr=:6000"}]'`;
const PATCH_VAR = `kubectl patch pod "$P" --type=json -p ${JSON_OP}`;
const PATCH = `kubectl patch pod p --type=json -p ${JSON_OP}`;
const q = JSON.stringify;

describe('a job\'s script items run in one shell', () => {
  test.each([
    ['GitLab: an export in an earlier item', `variables:\n  P: q\ndeploy:\n  script:\n    - export P=p\n    - ${q(PATCH_VAR)}\n`, '.gitlab-ci.yml', 6],
    ['GitLab: before_script then script', `deploy:\n  variables:\n    P: q\n  before_script:\n    - P=p\n  script:\n    - ${q(PATCH_VAR)}\n`, '.gitlab-ci.yml', 7],
    ['GitLab: default before_script', `default:\n  before_script: ['export P=p']\nvariables:\n  P: q\ndeploy:\n  script:\n    - ${q(PATCH_VAR)}\n`, '.gitlab-ci.yml', 7],
    ['Drone: a conditional assignment in an earlier command', `kind: pipeline\nsteps:\n  - name: d\n    environment:\n      P: q\n    commands:\n      - 'if [ "$DRONE_BRANCH" = main ]; then P=p; fi'\n      - ${q(PATCH_VAR)}\n`, '.drone.yml', 8],
  ])('holds the probe: %s', async (_name, text, file, line) => {
    const r = await statusOf({ [file]: text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${file}:${line} patches this probe's exec`);
  });

  test('after_script is a shell of its own; Taskfile cmds each one too', async () => {
    expect((await statusOf({ '.gitlab-ci.yml': `variables:\n  P: q\ndeploy:\n  script:\n    - export P=p\n  after_script:\n    - ${q(PATCH_VAR)}\n` })).status).toBe('migratable');
    expect((await statusOf({ 'Taskfile.yml': `version: '3'\ntasks:\n  d:\n    env:\n      P: q\n    cmds:\n      - export P=p\n      - ${q(PATCH_VAR)}\n` })).status).toBe('migratable');
  });
});

describe('the values a GitLab variable may take', () => {
  test.each([
    ['a rules: variables: override', `deploy:\n  variables:\n    P: q\n  rules:\n    - if: '$CI_COMMIT_BRANCH == "main"'\n      variables:\n        P: p\n    - when: manual\n  script:\n    - ${q(PATCH_VAR)}\n`, 10],
    ['a job that extends the template holding the script', `.deploy:\n  variables:\n    P: q\n  script:\n    - ${q(PATCH_VAR)}\ndeploy-q:\n  extends: .deploy\ndeploy-p:\n  extends: [.deploy]\n  variables:\n    P: p\n`, 5],
    ['a <<: merge of an anchored template', `.deploy: &deploy\n  variables:\n    P: q\n  script:\n    - ${q(PATCH_VAR)}\ndeploy-p:\n  <<: *deploy\n  variables:\n    P: p\n`, 5],
    ['parallel: matrix:', `variables:\n  P: q\ndeploy:\n  parallel:\n    matrix:\n      - P: [q, p]\n  script:\n    - ${q(PATCH_VAR)}\n`, 8],
    ['a workflow: rules: variables: override', `variables:\n  P: q\nworkflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n      variables:\n        P: p\n    - when: always\ndeploy:\n  script:\n    - ${q(PATCH_VAR)}\n`, 11],
    ['a manual run\'s options', `variables:\n  P:\n    value: q\n    options: [q, p]\ndeploy:\n  script:\n    - ${q(PATCH_VAR)}\n`, 7],
    ['a manual run\'s free value (description:)', `variables:\n  P:\n    value: q\n    description: the pod\ndeploy:\n  script:\n    - ${q(PATCH_VAR)}\n`, 7],
    ['a rule setting a variable the YAML does not', `deploy:\n  rules:\n    - if: $X\n      variables:\n        P: q\n  script:\n    - ${q(PATCH_VAR)}\n`, 7],
  ])('holds the probe: %s', async (_name, text, line) => {
    const r = await statusOf({ '.gitlab-ci.yml': text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`.gitlab-ci.yml:${line} patches this probe's exec`);
  });

  test.each([
    ['a rule override to another object', `deploy:\n  variables:\n    P: q\n  rules:\n    - if: $X\n      variables:\n        P: r\n  script:\n    - ${q(PATCH_VAR)}\n`],
    ['the template itself (hidden) with another object, extended with another', `.deploy:\n  variables:\n    P: p\n  script:\n    - ${q(PATCH_VAR)}\ndeploy:\n  extends: .deploy\n  variables:\n    P: q\n`],
    ['the template itself (hidden, anchored) with another object, merged with another', `.deploy: &deploy\n  variables:\n    P: p\n  script:\n    - ${q(PATCH_VAR)}\ndeploy:\n  <<: *deploy\n  variables:\n    P: q\n`],
    ['a matrix of other objects', `variables:\n  P: p\ndeploy:\n  parallel:\n    matrix:\n      - P: [q, r]\n  script:\n    - ${q(PATCH_VAR)}\n`],
  ])('holds nothing: %s', async (_name, text) => {
    expect((await statusOf({ '.gitlab-ci.yml': text })).status).toBe('migratable');
  });
});

describe('GitLab scripts reached through aliases and !reference', () => {
  test.each([
    ['an alias item', `.patch: &patch\n  - ${q(PATCH)}\ndeploy:\n  script:\n    - echo start\n    - *patch\n`, 2],
    ['an aliased script', `.patch: &patch\n  - ${q(PATCH)}\ndeploy:\n  script: *patch\n`, 2],
    ['!reference', `.probe:\n  patch:\n    - ${q(PATCH)}\ndeploy:\n  script:\n    - echo start\n    - !reference [.probe, patch]\n`, 3],
  ])('holds the probe: %s', async (_name, text, line) => {
    const r = await statusOf({ '.gitlab-ci.yml': text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`.gitlab-ci.yml:${line} patches this probe's exec`);
  });
});

describe('pipeline files other pipeline files pull in', () => {
  const job = `deploy:\n  script:\n    - ${q(PATCH)}\n`;
  const task = `version: '3'\ntasks:\n  deploy:\n    cmds:\n      - ${q(PATCH)}\n`;
  test.each([
    ['a GitLab child pipeline (trigger: include: - local:)', { '.gitlab-ci.yml': 'deploy:\n  trigger:\n    include:\n      - local: ci/deploy.yml\n    strategy: depend\n', 'ci/deploy.yml': job }, 'ci/deploy.yml:3'],
    ['a GitLab child pipeline (trigger: include: FILE), of an included file', { '.gitlab-ci.yml': 'include: ci/parent.yml\n', 'ci/parent.yml': 'deploy:\n  trigger:\n    include: ci/child.yml\n', 'ci/child.yml': job }, 'ci/child.yml:3'],
    ['a Taskfile include of another name', { 'Taskfile.yml': "version: '3'\nincludes:\n  k8s: ./taskfiles/k8s.yml\n", 'taskfiles/k8s.yml': task }, 'taskfiles/k8s.yml:5'],
    ['a Taskfile include of a folder (taskfile:), and its own include', { 'Taskfile.yml': "version: '3'\nincludes:\n  k8s:\n    taskfile: ./deploy\n", 'deploy/Taskfile.yml': "version: '3'\nincludes:\n  more: ./more.yaml\n", 'deploy/more.yaml': task }, 'deploy/more.yaml:5'],
  ])('holds the probe: %s', async (_name, files, where) => {
    const r = await statusOf(files as Record<string, string>);
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${where} patches this probe's exec`);
  });

  test('a Taskfile include of a remote Taskfile holds nothing; a YAML file no pipeline names is read as another tool\'s YAML', async () => {
    expect((await statusOf({ 'Taskfile.yml': "version: '3'\nincludes:\n  k8s: https://example.com/k8s.yml\n", 'taskfiles/k8s.yml': `version: '3'\ntasks:\n  deploy:\n    cmds:\n      - ${q(PATCH.replace('pod p', 'pod q'))}\n` })).status).toBe('migratable');
    expect((await statusOf({ 'Taskfile.yml': "version: '3'\nincludes:\n  k8s: https://example.com/k8s.yml\n", 'taskfiles/k8s.yml': `version: '3'\ntasks:\n  deploy:\n    cmds:\n      - ${q(PATCH)}\n` })).message).toContain("taskfiles/k8s.yml:5 patches this probe's exec");
  });
});

describe('Groovy files a Jenkinsfile loads', () => {
  const groovy = `def run() {\n  sh 'kubectl apply -f k8s/'\n  sh '''${PATCH} '''\n}\nreturn this\n`;
  test('their sh steps hold the probe, a file a loaded one loads too', async () => {
    const jenkinsfile = "pipeline { agent any\n  stages { stage('Deploy') { steps { script {\n    def deploy = load 'ci/deploy.groovy'\n    deploy.run()\n  } } } } }\n";
    const r = await statusOf({ Jenkinsfile: jenkinsfile, 'ci/deploy.groovy': groovy });
    expect(r.message).toContain("ci/deploy.groovy:3 patches this probe's exec");
    const r2 = await statusOf({ Jenkinsfile: 'node {\n  load("ci/a.groovy")\n}\n', 'ci/a.groovy': "load 'ci/b.groovy'\n", 'ci/b.groovy': groovy });
    expect(r2.message).toContain("ci/b.groovy:3 patches this probe's exec");
  });

  test('a Groovy file no Jenkinsfile loads (or one a comment names): nothing', async () => {
    expect((await statusOf({ Jenkinsfile: "node {\n  // load 'ci/deploy.groovy'\n}\n", 'ci/deploy.groovy': groovy })).status).toBe('migratable');
  });
});

describe('pipeline configs the tool does not evaluate', () => {
  test('.drone.jsonnet naming a probe\'s exec beside kubectl holds that probe key, saying it is not read', async () => {
    const jsonnet = `local deploy(env) = {\n  kind: 'pipeline', name: 'deploy-' + env,\n  steps: [{ name: 'deploy', commands: [\n    'kubectl patch pod p --type json -p \\'[{"op":"replace","path":"/spec/containers/0/readinessProbe/exec/command/1","value":"-addr=:6000"}]\\'',\n  ] }],\n};\n[deploy('staging')]\n`;
    const r = await statusOf({ '.drone.jsonnet': jsonnet });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(".drone.jsonnet:4 names this probe's exec beside kubectl or yq, in Drone's Jsonnet config, which the tool does not evaluate");
    // Another probe key, or no kubectl: nothing.
    expect((await statusOf({ '.drone.jsonnet': jsonnet.replace('readinessProbe', 'livenessProbe') })).status).toBe('migratable');
    expect((await statusOf({ '.drone.jsonnet': jsonnet.replace('kubectl patch', 'echo') })).status).toBe('migratable');
  });
});

const OP = JSON_OP.slice(1, -1);

describe('other tools\' YAML: their strings naming kubectl, exec lists, and steps running a kubectl image with arguments', () => {
  test.each([
    ['CircleCI run.command', '.circleci/config.yml', `version: 2.1\njobs:\n  deploy:\n    docker: [{image: cimg/base:current}]\n    steps:\n      - checkout\n      - run:\n          name: tune\n          command: |\n            ${PATCH}\n`, 10],
    ['CircleCI run (a string), a parameter as the name', '.circleci/config.yml', `version: 2.1\njobs:\n  deploy:\n    parameters:\n      pod: {type: string}\n    steps:\n      - run: kubectl patch pod << parameters.pod >> --type=json -p ${JSON_OP}\n`, 7],
    ['Bitbucket script items (one shell)', 'bitbucket-pipelines.yml', `pipelines:\n  default:\n    - step:\n        script:\n          - export P=p\n          - ${q(PATCH_VAR)}\n`, 6],
    ['Azure Pipelines bash:', 'azure-pipelines.yml', `steps:\n  - script: kubectl apply -f k8s/\n  - bash: |\n      ${PATCH}\n    displayName: tune\n`, 4],
    ['Azure Pipelines powershell:', 'azure-pipelines.yml', `steps:\n  - powershell: ${q(PATCH)}\n`, 2],
    ['AWS CodeBuild commands', 'buildspec.yml', `version: 0.2\nphases:\n  build:\n    commands:\n      - kubectl apply -f k8s/\n      - ${q(PATCH)}\n`, 6],
    ['Cloud Build: the kubectl builder with args', 'cloudbuild.yaml', `steps:\n  - name: gcr.io/cloud-builders/kubectl\n    args:\n      - patch\n      - pod\n      - p\n      - --type=json\n      - -p\n      - '${OP}'\n`, 4],
    ['Cloud Build: entrypoint bash, args [-c, script]', 'cloudbuild.yaml', `steps:\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: bash\n    args: [-c, ${q(PATCH)}]\n`, 4],
    ['Cloud Build: entrypoint kubectl, args', 'cloudbuild.yaml', `steps:\n  - name: gcr.io/google.com/cloudsdktool/cloud-sdk\n    entrypoint: kubectl\n    args: [patch, pod, p, --type=json, -p, '${OP}']\n`, 4],
    ['GitHub: uses docker://…kubectl with args', '.github/workflows/d.yml', `on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://bitnami/kubectl:1.30\n        with:\n          args: patch pod p --type=json -p ${JSON_OP}\n`, 8],
    ['Buildkite docker plugin image + command', '.buildkite/pipeline.yml', `steps:\n  - label: d\n    plugins:\n      - docker#v5.11.0:\n          image: bitnami/kubectl:1.30\n          command: [patch, pod, p, --type=json, -p, '${OP}']\n`, 6],
    ['Skaffold hook host.command, sh -c', 'skaffold.yaml', `apiVersion: skaffold/v4beta6\nkind: Config\ndeploy:\n  kubectl:\n    hooks:\n      after:\n        - host:\n            command: ["sh", "-c", ${q(PATCH)}]\n`, 8],
    ['an exec list [kubectl, patch, …]', 'ops/hooks.yaml', `hooks:\n  - command: [kubectl, patch, pod, p, --type=json, -p, '${OP}']\n`, 2],
    ['a Job running the kubectl image with a shell command (command replaces the entrypoint)', 'k8s/tune-job.yaml', `apiVersion: batch/v1\nkind: Job\nmetadata: {name: tune}\nspec:\n  template:\n    spec:\n      containers:\n        - name: k\n          image: bitnami/kubectl:1.30\n          command: ["/bin/sh", "-c", ${q(PATCH)}]\n`, 10],
  ])('holds the probe: %s', async (_name, file, text, line) => {
    const r = await statusOf({ [file]: text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${file}:${line} patches this probe's exec with kubectl`);
  });

  test.each([
    ['a CircleCI step patching another object', '.circleci/config.yml', `version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: ${q(PATCH.replace('pod p', 'pod q'))}\n`],
    ['a CircleCI step patching another probe key', '.circleci/config.yml', `version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: ${q(PATCH.replace('readinessProbe', 'livenessProbe'))}\n`],
    ['a CodeBuild command that only applies', 'buildspec.yml', `phases:\n  build:\n    commands:\n      - kubectl apply -f k8s/\n      - kubectl rollout status deploy/p\n`],
    ['a Cloud Build kubectl step patching replicas', 'cloudbuild.yaml', `steps:\n  - name: gcr.io/cloud-builders/kubectl\n    args: [patch, pod, p, --type=json, -p, '[{"op":"replace","path":"/spec/replicas","value":3}]']\n`],
    ['an image that is no kubectl, with args', '.github/workflows/d.yml', `on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker://alpine:3\n        with:\n          args: patch pod p --type=json -p ${JSON_OP}\n`],
    ['a description naming kubectl and the probe', 'docs/runbook.yaml', `steps:\n  - description: use kubectl to patch the readinessProbe by hand\n`],
    ['a Helm template (no YAML before rendering) naming kubectl and .Values.readinessProbe.exec', 'charts/x/templates/test.yaml', `{{- if .Values.test }}\napiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec:\n  containers:\n    - name: t\n      image: bitnami/kubectl\n      args: [get, pods]\n      env: [{name: CMD, value: {{ .Values.readinessProbe.exec.command | toJson | quote }}}]\n{{- end }}\n`],
  ])('holds nothing: %s', async (_name, file, text) => {
    expect((await statusOf({ [file]: text })).status).toBe('migratable');
  });

  test('a Tiltfile or a PowerShell script naming a probe\'s exec path beside kubectl holds that probe key (the text net); a YAML file that does not parse too', async () => {
    const tilt = `local_resource('tune', cmd=${q(PATCH)})\n`;
    expect((await statusOf({ Tiltfile: tilt })).message).toContain("Tiltfile:1 names this probe's exec beside kubectl or yq, in a Tiltfile");
    expect((await statusOf({ Tiltfile: tilt.replace('readinessProbe', 'livenessProbe') })).status).toBe('migratable');
    expect((await statusOf({ 'deploy.ps1': `${PATCH}\n` })).message).toContain("deploy.ps1:1 names this probe's exec beside kubectl or yq, in a PowerShell script");
    // Skaffold's exec list with a double-quoted JSON inside a double-quoted string: no YAML.
    const broken = `deploy:\n  hooks:\n    after:\n      - host:\n          command: ["sh", "-c", "${PATCH}"]\n`;
    expect((await statusOf({ 'skaffold.yaml': broken })).message).toContain("skaffold.yaml:5 names this probe's exec beside kubectl or yq, in a YAML file that does not parse");
  });

  test('in a git checkout, a one-file run finds another tool\'s YAML through the YAML readers\' search', async () => {
    const files: Record<string, string> = { 'k8s/pod.yaml': POD, 'bitbucket-pipelines.yml': `pipelines:\n  default:\n    - step:\n        script:\n          - ${q(PATCH)}\n` };
    const f = await oneFileInCheckout(files);
    expect(f?.status).toBe('blocked');
    expect(f?.message).toContain("bitbucket-pipelines.yml:5 patches this probe's exec");
  }, 60_000);
});

describe('task runners: justfile recipes, package.json scripts, Makefiles and Taskfiles of other names that a script runs', () => {
  test.each([
    ['a justfile recipe line', { justfile: `set shell := ["bash", "-c"]\napp := "p"\n\ndeploy:\n    kubectl apply -f k8s/\n    @${PATCH}\n` }, 'justfile:6'],
    ['a justfile recipe with a {{param}} as the name', { Justfile: `patch name:\n\tkubectl patch pod {{name}} --type=json -p ${JSON_OP}\n` }, 'Justfile:2'],
    ['a justfile shebang recipe', { justfile: `deploy:\n  #!/usr/bin/env bash\n  set -euo pipefail\n  P=p\n  ${PATCH_VAR}\n` }, 'justfile:5'],
    ['a package.json script', { 'package.json': JSON.stringify({ name: 'ops', scripts: { build: 'tsc', deploy: `kubectl apply -f k8s/ && ${PATCH}` } }, null, 2) }, 'package.json:5'],
    ['make -f of a Makefile of another name, from a workflow', { '.github/workflows/d.yml': `on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make -f build/Makefile.k8s patch-probe\n`, 'build/Makefile.k8s': `patch-probe:\n\t${PATCH.replace(/\$/g, '$$$$')}\n` }, 'build/Makefile.k8s:2'],
    ['make --file=… from a script', { 'deploy.sh': `make --file=build/k8s.make tune\n`, 'build/k8s.make': `tune:\n\t${PATCH.replace(/\$/g, '$$$$')}\n` }, 'build/k8s.make:2'],
  ])('holds the probe: %s', async (_name, files, where) => {
    const r = await statusOf(files as Record<string, string>);
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${where} patches this probe's exec with kubectl`);
  });

  test.each([
    ['a package.json script patching another object', { 'package.json': JSON.stringify({ scripts: { deploy: PATCH.replace('pod p', 'pod q') } }) }],
    ['a package.json under node_modules', { 'node_modules/x/package.json': JSON.stringify({ scripts: { deploy: PATCH } }) }],
    ['a justfile variable naming the patch, never run', { justfile: `cmd := ${q(PATCH)}\n\nbuild:\n    go build ./...\n` }],
    ['a Makefile of another name nothing runs', { 'build/Makefile.k8s': `patch-probe:\n\t${PATCH.replace(/\$/g, '$$$$')}\n` }],
  ])('holds nothing: %s', async (_name, files) => {
    expect((await statusOf(files as Record<string, string>)).status).toBe('migratable');
  });
});

describe('variables the pipeline sets at run time: $GITHUB_ENV, GitLab dotenv reports', () => {
  const wf = (first: string, second: string) => `env:\n  P: q\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${first}\n      - run: ${second}\n`;
  const gl = (report: boolean) => `variables:\n  P: q\npick:\n  script:\n    - echo "P=$(cat target)" >> build.env\n${report ? '  artifacts:\n    reports:\n      dotenv: build.env\n' : ''}deploy:\n  needs: [pick]\n  script:\n    - ${q(PATCH_VAR)}\n`;
  test('a step writing P to $GITHUB_ENV makes P any value for the later steps of the job', async () => {
    expect((await statusOf({ '.github/workflows/d.yml': wf('echo "P=${{ matrix.pod }}" >> "$GITHUB_ENV"', q(PATCH_VAR)) })).message).toContain(".github/workflows/d.yml:8 patches this probe's exec");
    // Written after the patch: the patch reads the workflow's P (another object).
    expect((await statusOf({ '.github/workflows/d.yml': wf(q(PATCH_VAR), 'echo "P=p" >> "$GITHUB_ENV"') })).status).toBe('migratable');
  });

  test('a GitLab job\'s dotenv report makes the names it writes any value; without the report, the YAML value', async () => {
    expect((await statusOf({ '.gitlab-ci.yml': gl(true) })).message).toContain(".gitlab-ci.yml:12 patches this probe's exec");
    expect((await statusOf({ '.gitlab-ci.yml': gl(false) })).status).toBe('migratable');
  });
});

describe('other tools\' YAML: a command that sets the env a probe reads (src/kubernetes/env-commands.ts)', () => {
  const ENV_POD = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: acme/api\n      env: [{name: GRPC_PORT, value: "5000"}]\n      readinessProbe:\n        exec:\n          command: ["/bin/grpc_health_probe", "-addr=:$(GRPC_PORT)"]\n`;
  const CIRCLE = (line: string) => `version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: ${line}\n`;

  test('in a git checkout, a one-file run finds a CircleCI `kubectl set env` through the YAML readers\' search', async () => {
    const files: Record<string, string> = { 'k8s/pod.yaml': ENV_POD, '.circleci/config.yml': CIRCLE('kubectl set env pod/p GRPC_PORT=6000') };
    const f = await oneFileInCheckout(files);
    expect(f?.status).toBe('blocked');
    expect(f?.message).toContain('.circleci/config.yml:5');
  }, 60_000);

  test('setting another variable holds nothing', async () => {
    const { findings } = await run({ cwd: repoWith({ 'k8s/pod.yaml': ENV_POD, '.circleci/config.yml': CIRCLE('kubectl set env pod/p LOG_LEVEL=debug') }) });
    expect(findings.find((x) => x.file === 'k8s/pod.yaml' && x.ruleId === 'kubernetes-exec-probe')?.status).toBe('migratable');
  });
});

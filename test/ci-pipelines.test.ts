/**
 * The CI pipelines' scripts as the probe-patch reader reads them (src/analysis/ci-pipelines.ts):
 * a job's items in one shell, the values a GitLab variable may take (rules, extends, matrix,
 * manual-run options), scripts reached through aliases and `!reference`, and the pipeline files
 * other files pull in (GitLab child pipelines, Taskfile includes, Groovy files a Jenkinsfile loads).
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, repoWith } from './support/repo.js';

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

  test('a Taskfile include of a remote Taskfile, a YAML file no pipeline names: nothing', async () => {
    expect((await statusOf({ 'Taskfile.yml': "version: '3'\nincludes:\n  k8s: https://example.com/k8s.yml\n", 'taskfiles/k8s.yml': `version: '3'\ntasks:\n  deploy:\n    cmds:\n      - ${q(PATCH)}\n` })).status).toBe('migratable');
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

/**
 * Commands and code that address a probe's exec by path hold it on exec (src/kubernetes/patch-commands.ts,
 * src/typescript/manifest-readers.ts; fixtures kubernetes-exec-probe/tree-kubectl-patch-script,
 * tree-iac-code-reads-exec, helm-exec-probe/tree-kubectl-patch-chart): the spellings of the
 * target, and what holds nothing.
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { run } from '../src/engine.js';
import { POD, repoWith, writeFiles } from './support/repo.js';
import { sshCommand } from '../src/kubernetes/patch-commands.js';

async function statusOf(files: Record<string, string>, file = 'k8s/pod.yaml'): Promise<{ status?: string; message?: string }> {
  const { findings } = await run({ cwd: repoWith({ 'k8s/pod.yaml': POD, ...files }) });
  const f = findings.find((x) => x.file === file && x.ruleId === 'kubernetes-exec-probe');
  return { status: f?.status, message: f?.message };
}

const JSON_OP = `'[{"op":"replace","path":"/spec/containers/0/readinessProbe/exec/command/1","value":"-addr=:6000"}]'`;

describe('kubectl patch in a script', () => {
  test.each([
    ['TYPE NAME', `kubectl patch pod p --type=json -p ${JSON_OP}`],
    ['TYPE/NAME, options first', `kubectl --namespace prod patch --type json pods/p --patch ${JSON_OP}`],
    ['-f FILE', `kubectl patch -f k8s/pod.yaml --type=json -p ${JSON_OP}`],
    ['oc, a name known at run time', `oc patch pod "$NAME" --type=json -p ${JSON_OP}`],
    ['a JSON patch in a variable', `OP=${JSON_OP}\nkubectl patch po p --type=json -p "$OP"`],
    ['a strategic merge patch from a file', `kubectl patch pod p --patch-file patch.yaml`],
    ['a label selector', `kubectl patch pod -l app=p --type=json -p ${JSON_OP}`],
  ])('holds the probe it addresses: %s', async (_name, line) => {
    const r = await statusOf({
      'deploy.sh': `#!/bin/sh\n${line}\n`,
      'patch.yaml': 'spec:\n  containers:\n  - name: c\n    readinessProbe:\n      exec:\n        command: [/bin/true]\n',
    });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/deploy\.sh:\d+ patches this probe/);
  });

  test.each([
    ['another name', `kubectl patch pod q --type=json -p ${JSON_OP}`],
    ['another kind', `kubectl patch deployment p --type=json -p ${JSON_OP}`],
    ['another file', `kubectl patch -f k8s/other.yaml --type=json -p ${JSON_OP}`],
    ['another container index', `kubectl patch pod p --type=json -p '[{"op":"remove","path":"/spec/containers/1/readinessProbe/exec"}]'`],
    ['another probe', `kubectl patch pod p --type=json -p '[{"op":"remove","path":"/spec/containers/0/livenessProbe/exec"}]'`],
    ['an op on the whole probe', `kubectl patch pod p --type=json -p '[{"op":"replace","path":"/spec/containers/0/readinessProbe","value":{"tcpSocket":{"port":1}}}]'`],
    ['a strategic merge patch of another container', `kubectl patch pod p -p '{"spec":{"containers":[{"name":"d","readinessProbe":{"exec":{"command":["x"]}}}]}}'`],
    ['a strategic merge patch that migrates the probe', `kubectl patch pod p -p '{"spec":{"containers":[{"name":"c","readinessProbe":{"exec":null,"grpc":{"port":5000}}}]}}'`],
    ['a JSON merge patch (its container list replaces the pod\'s)', `kubectl patch pod p --type merge -p '{"spec":{"containers":[{"name":"c","readinessProbe":{"exec":{"command":["x"]}}}]}}'`],
    ['kubectl get with a path (no patch)', `kubectl get pod p -o jsonpath='{.spec.containers[0].readinessProbe.httpGet}'`],
    ['a comment', `# kubectl patch pod p --type=json -p ${JSON_OP}`],
  ])('holds nothing: %s', async (_name, line) => {
    expect((await statusOf({ 'deploy.sh': `#!/bin/sh\n${line}\n` })).status).toBe('migratable');
  });

  test('a workflow step, its ${{ }} expression any name; a Makefile recipe', async () => {
    const step = `jobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo start\n          kubectl patch pod \${{ env.POD }} --type=json -p ${JSON_OP}\n`;
    expect((await statusOf({ '.github/workflows/d.yml': step })).message).toMatch(/\.github\/workflows\/d\.yml:7 patches/);
    expect((await statusOf({ Makefile: `patch:\n\tkubectl patch pod $(POD) --type=json -p ${JSON_OP}\n` })).message).toMatch(/Makefile:2 patches/);
  });

  // makeRecipes reads neither (its recipes are not the shell's): the Makefile's text, by the text net (makefile2).
  test.each([
    ['.RECIPEPREFIX', `.RECIPEPREFIX = >\npatch:\n> kubectl patch pod $(POD) --type=json -p ${JSON_OP}\n`],
    ['a SHELL that is no POSIX shell', `SHELL := pwsh\npatch:\n\tkubectl patch pod $(POD) --type=json -p ${JSON_OP}\n`],
  ])('a Makefile whose recipes are not read (%s): its kubectl patch holds the probe, read as text', async (_name, makefile) => {
    const r = await statusOf({ Makefile: makefile });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain("Makefile:3 names this probe's exec beside kubectl or yq, in a Makefile whose recipes the tool does not read");
    expect((await statusOf({ Makefile: makefile.replace('readinessProbe', 'livenessProbe') })).status).toBe('migratable');
  });

  test('yq on the file holds its probe; on another file, nothing', async () => {
    const yq = (file: string) => `yq -i '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"' ${file}\n`;
    expect((await statusOf({ 'bump.sh': yq('k8s/pod.yaml') })).message).toMatch(/bump\.sh:1 addresses this probe's exec with yq/);
    expect((await statusOf({ 'bump.sh': yq('k8s/other.yaml') })).status).toBe('migratable');
  });
});

describe('Pulumi and cdk8s code', () => {
  const transform = 'transformations: [(o: any) => { o.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"; }]';
  test('a transformation of the file it loads holds its probe, in a Pulumi project', async () => {
    const r = await statusOf({ 'Pulumi.yaml': 'name: a\nruntime: nodejs\n', 'index.ts': `new k8s.yaml.ConfigFile("p", {\n  file: "k8s/pod.yaml",\n  ${transform},\n});\n` });
    expect(r.message).toMatch(/index\.ts:3 addresses this probe's exec in code .* ConfigFile loads at index\.ts:1/);
  });

  test.each([
    ['outside a Pulumi or cdk8s project', { 'index.ts': `new k8s.yaml.ConfigFile("p", { file: "k8s/pod.yaml", ${transform} });\n` }],
    ['on another file', { 'Pulumi.yaml': 'name: a\n', 'index.ts': `new k8s.yaml.ConfigFile("p", { file: "k8s/other.yaml", ${transform} });\n` }],
    ['of a chart of a chart repository', { 'Pulumi.yaml': 'name: a\n', 'index.ts': `new k8s.helm.v3.Chart("p", { chart: "nginx", fetchOpts: { repo: "https://x" }, ${transform} });\n` }],
    ['of another probe key', { 'Pulumi.yaml': 'name: a\n', 'index.ts': `new k8s.yaml.ConfigFile("p", { file: "k8s/pod.yaml", ${transform.replace('readinessProbe', 'livenessProbe')} });\n` }],
  ])('holds nothing %s', async (_name, files) => {
    expect((await statusOf(files)).status).toBe('migratable');
  });

  test('a ConfigGroup glob, a path.join(__dirname) and a file named by an expression hold it', async () => {
    for (const load of ['ConfigGroup("p", { files: ["k8s/*.yaml"]', 'ConfigFile("p", { file: path.join(__dirname, "k8s", "pod.yaml")', 'ConfigFile("p", { file: config.require("manifest")']) {
      expect((await statusOf({ 'Pulumi.yaml': 'name: a\n', 'index.ts': `new k8s.yaml.${load}, ${transform} });\n` })).status).toBe('blocked');
    }
  });
});

describe('CI systems, task runners, extensionless scripts and nested shells', () => {
  const patch = `kubectl patch pod p --type=json -p ${JSON_OP}`;
  const other = `kubectl patch pod q --type=json -p ${JSON_OP}`;

  test.each([
    ['GitLab CI script (a string)', '.gitlab-ci.yml', `deploy:\n  script: ${JSON.stringify(patch)}\n`, 2],
    ['GitLab CI after_script of default', '.gitlab-ci.yml', `default:\n  after_script:\n    - ${JSON.stringify(patch)}\n`, 3],
    ['a GitLab CI local include', '.gitlab-ci.yml', `include: 'ci/deploy.yml'\n`, undefined],
    ['Jenkinsfile sh with single quotes', 'Jenkinsfile', `node {\n  sh '''\n    ${patch}\n  '''\n}\n`, 3],
    ['Jenkinsfile sh(script:) with a Groovy interpolation for the name', 'Jenkinsfile', `node {\n  sh(script: "kubectl patch pod \${params.POD} --type=json -p ${JSON_OP.replace(/"/g, '\\"')}", returnStatus: true)\n}\n`, 2],
    ['Jenkinsfile.deploy, sh script: without parentheses', 'ci/Jenkinsfile.deploy', `node {\n  sh script: ${JSON.stringify(patch)}\n}\n`, 2],
    ['a Jenkins sh step with a label first, without parentheses', 'Jenkinsfile', `node {\n  sh label: 'Patch (canary)', script: ${JSON.stringify(patch)}\n}\n`, 2],
    ['Taskfile cmds', 'Taskfile.yml', `version: '3'\ntasks:\n  patch:\n    cmds:\n      - ${JSON.stringify(patch)}\n`, 5],
    ['Drone commands', '.drone.yml', `kind: pipeline\nsteps:\n  - name: p\n    commands:\n      - ${JSON.stringify(patch)}\n`, 5],
    ['an extensionless script, #!/usr/bin/env sh', 'hack/deploy', `#!/usr/bin/env sh\nset -e\n${patch}\n`, 3],
    ['an extensionless script, #!/bin/bash -e', 'bin/rollout', `#!/bin/bash -e\n${patch}\n`, 2],
    ['bash -c in a script', 'deploy.sh', `timeout 60 bash -c ${JSON.stringify(patch)}\n`, 1],
    ['sh -c in a Makefile recipe', 'Makefile', `patch:\n\tsh -euc ${JSON.stringify(patch).replace(/\$/g, '$$$$')}\n`, 2],
  ])('holds the probe: %s', async (_name, file, text, line) => {
    const files: Record<string, string> = { [file]: text };
    if (line === undefined) files['ci/deploy.yml'] = `deploy:\n  script:\n    - ${JSON.stringify(patch)}\n`;
    const r = await statusOf(files);
    expect(r.status).toBe('blocked');
    const where = line === undefined ? 'ci/deploy.yml:3' : `${file}:${line}`;
    expect(r.message).toContain(`${where} patches this probe's exec with kubectl`);
  });

  test('a patch or target held in a pipeline variable (GitLab variables:, a workflow step env:, Drone environment:) is read at its value', async () => {
    const op = JSON_OP.slice(1, -1);
    const gitlab = `variables:\n  TARGET: pod/p\ndeploy:\n  variables:\n    PATCH: '${op}'\n  script:\n    - kubectl patch "$TARGET" --type=json -p "$PATCH"\n`;
    expect((await statusOf({ '.gitlab-ci.yml': gitlab })).message).toContain(".gitlab-ci.yml:7 patches this probe's exec");
    // The name it holds is another object's: nothing held.
    expect((await statusOf({ '.gitlab-ci.yml': gitlab.replace('pod/p', 'pod/q') })).status).toBe('migratable');
    const step = `env:\n  PATCH: '${op}'\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - env:\n          POD: p\n        run: kubectl patch pod "$POD" --type=json -p "$PATCH"\n`;
    expect((await statusOf({ '.github/workflows/d.yml': step })).message).toContain(".github/workflows/d.yml:9 patches this probe's exec");
    expect((await statusOf({ '.github/workflows/d.yml': step.replace('POD: p', 'POD: q') })).status).toBe('migratable');
    const drone = `kind: pipeline\nsteps:\n  - name: p\n    environment:\n      PATCH: '${op}'\n    commands:\n      - kubectl patch pod p --type=json -p "$PATCH"\n`;
    expect((await statusOf({ '.drone.yml': drone })).message).toContain(".drone.yml:7 patches this probe's exec");
  });

  test.each([
    ['GitLab CI: another object', '.gitlab-ci.yml', `deploy:\n  script:\n    - ${JSON.stringify(other)}\n`],
    ['GitLab CI: a variable is no command', '.gitlab-ci.yml', `variables:\n  CMD: ${JSON.stringify(patch)}\n`],
    ['Jenkinsfile: a commented-out step', 'Jenkinsfile', `node {\n  // sh ${JSON.stringify(patch)}\n}\n`],
    ['Jenkinsfile: an echo, not sh', 'Jenkinsfile', `node {\n  echo ${JSON.stringify(patch)}\n}\n`],
    ['an extensionless file without #!', 'notes/howto', `${patch}\n`],
    ['an extensionless Python script', 'bin/rollout', `#!/usr/bin/env python3\nCMD = """${patch}"""\n`],
    ['sh -c of another object', 'deploy.sh', `sh -c ${JSON.stringify(other)}\n`],
  ])('holds nothing: %s', async (_name, file, text) => {
    expect((await statusOf({ [file]: text })).status).toBe('migratable');
  });

  test('a YAML file no pipeline includes (a GitLab include of a remote file of the same path) is still read, as another tool\'s YAML', async () => {
    // Another project's `include: project:` may run it: its strings naming kubectl are read as scripts.
    const r = await statusOf({ '.gitlab-ci.yml': `include:\n  - remote: https://example.com/ci/deploy.yml\n`, 'ci/deploy.yml': `deploy:\n  script:\n    - ${JSON.stringify(patch)}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain("ci/deploy.yml:3 patches this probe's exec with kubectl");
  });
});

test('in a git checkout with many scripts and extensionless files, git says which to read (among their own names, every extensionless file): a CI job and an extensionless script that patch the probe are still found', async () => {
  const files: Record<string, string> = { 'k8s/pod.yaml': POD, '.gitlab-ci.yml': 'deploy:\n  script:\n    - echo deploy\n', 'hack/deploy': '#!/bin/bash\necho deploy\n' };
  for (let i = 0; i < 101; i++) files[`scripts/s${i}.sh`] = `#!/bin/sh\necho ${i}\n`;
  for (let i = 0; i < 3001; i++) files[`testdata/c${i}/out`] = `output ${i}\n`;
  const cwd = repoWith(files);
  const git = (...args: string[]) => execFileSync('git', ['-C', cwd, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'x');
  const status = async () => (await run({ cwd })).findings.find((x) => x.file === 'k8s/pod.yaml' && x.ruleId === 'kubernetes-exec-probe');
  expect((await status())?.status).toBe('migratable');
  // A Makefile git finds nothing in still has its includes read (git does not search Makefile.k8s: not among the names it is given).
  writeFiles(cwd, { Makefile: 'include Makefile.k8s\nbuild:\n\tgo build ./...\n', 'Makefile.k8s': `deploy:\n\tkubectl patch pod p --type=json -p ${JSON_OP}\n` });
  expect((await status())?.message).toContain("Makefile.k8s:2 patches this probe's exec");
  writeFiles(cwd, { 'Makefile.k8s': 'deploy:\n\techo none\n' });
  // Untracked changes too: git grep reads the working tree.
  writeFiles(cwd, { '.gitlab-ci.yml': `deploy:\n  script:\n    - kubectl patch pod p --type=json -p ${JSON_OP}\n` });
  expect((await status())?.message).toContain(".gitlab-ci.yml:3 patches this probe's exec");
  writeFiles(cwd, { '.gitlab-ci.yml': 'deploy:\n  script:\n    - echo deploy\n', 'hack/deploy': `#!/bin/bash\nkubectl patch pod p --type=json -p ${JSON_OP}\n` });
  expect((await status())?.message).toContain("hack/deploy:2 patches this probe's exec");
}, 60_000);

describe('commands and patches known only at run time (hunt 5: F8, F1, F13, F2, F12, F3)', () => {
  const op = JSON_OP.slice(1, -1);
  test.each([
    ['a make variable for kubectl (KUBECTL ?= kubectl, the kubebuilder scaffold)', 'Makefile', `KUBECTL ?= kubectl\ndeploy:\n\t$(KUBECTL) patch pod p --type=json -p ${JSON_OP.replace(/\$/g, '$$$$')}\n`, 3, 'patches this probe\'s exec with kubectl'],
    ['a make variable known only at run time whose name ends in kubectl', 'Makefile', `KUBECTL ?= $(LOCALBIN)/kubectl-1.30\ndeploy:\n\t$(KUBECTL) patch pod p --type=json -p ${JSON_OP}\n`, 3, 'patches this probe\'s exec with kubectl'],
    ['${KUBECTL:-kubectl}', 'deploy.sh', `KUBECTL="\${KUBECTL:-kubectl}"\n$KUBECTL patch pod p --type=json -p ${JSON_OP}\n`, 2, 'patches this probe\'s exec with kubectl'],
    ['-p "$(cat FILE)" of a literal file', 'deploy.sh', `kubectl patch pod p --type=json -p "$(cat ops.json)"\n`, 1, 'patches this probe\'s exec with kubectl (a JSON patch replace op'],
    ['--patch-file beside the script ($SCRIPT_DIR idiom)', 'scripts/deploy.sh', `SCRIPT_DIR="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"\nkubectl patch pod p --type=json --patch-file "$SCRIPT_DIR/ops2.json"\n`, 2, 'patches this probe\'s exec with kubectl (a JSON patch replace op'],
    ['a patch in a variable known only at run time', 'deploy.sh', `kubectl patch pod p --type=json -p "$PATCH"\n`, 1, 'patches this probe\'s object with kubectl (the patch $PATCH, known only at run time; it may address'] ,
    ['a patch file not found', 'deploy.sh', `kubectl patch pod p --patch-file gen/probe.json\n`, 1, 'patches this probe\'s object with kubectl (--patch-file gen/probe.json, a file not found here;'],
    ['a file after a cd to its folder (yq)', 'scripts/deploy.sh', `cd "$(dirname "$0")/../k8s"\nyq -i '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"' pod.yaml\n`, 2, 'addresses this probe\'s exec with yq'],
    ['a patch file after a cd in a recipe', 'Makefile', `patch:\n\tcd conf && kubectl patch pod p --type json --patch-file ops3.json\n`, 2, 'patches this probe\'s exec with kubectl (a JSON patch'],
    ['a file after a cd to a folder known only at run time', 'deploy.sh', `cd "$DIR"\nyq -i '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"' pod.yaml\n`, 2, 'addresses this probe\'s exec with yq'],
    ['jq on the manifest', 'deploy.sh', `jq '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"' k8s/pod.yaml | kubectl apply -f -\n`, 1, 'addresses this probe\'s exec with jq'],
    ['yq in docker run', 'deploy.sh', `docker run --rm -v "$PWD":/workdir mikefarah/yq:4 -i '.spec.containers[0].readinessProbe.exec.command[1] = "x"' k8s/pod.yaml\n`, 1, 'addresses this probe\'s exec with yq'],
    ['kubectl in docker run', 'deploy.sh', `docker run --rm -v "$HOME/.kube:/.kube" bitnami/kubectl:1.30 patch pod p --type=json -p ${JSON_OP}\n`, 1, 'patches this probe\'s exec with kubectl'],
    ['a variable command known only at run time whose name is no kubectl (hunt20 C1)', 'deploy.sh', `$CMD patch pod p --type=json -p ${JSON_OP}\n`, 1, 'patches this probe\'s exec with ${CMD}, a command known only at run time, read as kubectl'],
    ['an unquoted $KUBECTL that splits into kubectl and its options', 'deploy.sh', `KUBECTL="kubectl --context prod"\n$KUBECTL patch pod p --type=json -p ${JSON_OP}\n`, 2, 'patches this probe\'s exec with kubectl'],
    ['yq |= update form', 'deploy.sh', `yq -i '.spec.containers[0].readinessProbe |= (.exec.command[1] = "x")' k8s/pod.yaml\n`, 1, 'addresses this probe\'s exec with yq'],
    ['yq with() form', 'deploy.sh', `yq -i 'with(.spec.containers[0].readinessProbe; .exec.command[1] = "x")' k8s/pod.yaml\n`, 1, 'addresses this probe\'s exec with yq'],
    ['xargs kubectl patch', 'deploy.sh', `echo p | xargs -I{} kubectl patch pod {} --type=json -p ${JSON_OP}\n`, 1, 'patches this probe\'s exec with kubectl'],
    ['a retry function', 'deploy.sh', `retry() { for i in 1 2 3; do "$@" && return 0; sleep 5; done; return 1; }\nretry kubectl patch pod p --type=json -p ${JSON_OP}\n`, 2, 'patches this probe\'s exec with kubectl'],
    ['a function that keeps its arguments in an array', 'deploy.sh', `run() { local cmd=("$@"); echo "+ \${cmd[*]}"; "\${cmd[@]}"; }\nrun kubectl patch pod p --type=json -p ${JSON_OP}\n`, 2, 'patches this probe\'s exec with kubectl'],
    ['a function that passes "${@:2}" on', 'deploy.sh', `after() { sleep "$1"; "\${@:2}"; }\nafter 5 kubectl patch pod p --type=json -p ${JSON_OP}\n`, 2, 'patches this probe\'s exec with kubectl'],
    ['a composite action', '.github/actions/deploy/action.yml', `name: d\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: |\n        kubectl patch pod \${{ inputs.pod }} --type=json -p ${JSON_OP}\n`, 7, 'patches this probe\'s exec with kubectl'],
    ['a Makefile.k8s included by the Makefile', 'Makefile', `include Makefile.k8s\nbuild:\n\tgo build ./...\n`, undefined, 'patches this probe\'s exec with kubectl'],
    ['sed -i on the manifest that moves -addr', 'deploy.sh', `sed -i "s/-addr=:5000/-addr=:\${PORT}/" k8s/pod.yaml\n`, 1, 'edits this probe\'s text with sed'],
    ['perl -pi on a manifest known only at run time', 'deploy.sh', `for f in k8s/*.yaml; do perl -pi -e 's/grpc_health_probe -addr=:5000/x/' "$f"; done\n`, 1, 'edits this probe\'s text with perl'],
  ])('holds the probe: %s', async (_name, file, text, line, what) => {
    const files: Record<string, string> = {
      [file]: text,
      'ops.json': `[${op.slice(1, -1)}]`,
      'scripts/ops2.json': `[${op.slice(1, -1)}]`,
      'conf/ops3.json': `[${op.slice(1, -1)}]`,
    };
    if (line === undefined) files['Makefile.k8s'] = `deploy:\n\tkubectl patch pod p --type=json -p ${JSON_OP}\n`;
    const r = await statusOf(files);
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${line === undefined ? 'Makefile.k8s:2' : `${file}:${line}`} ${what}`);
  });

  test.each([
    ['a make variable set to another tool', 'Makefile', `KUBECTL ?= helm\ndeploy:\n\t$(KUBECTL) patch pod p --type=json -p ${JSON_OP.replace(/\$/g, '$$$$')}\n`],
    // A variable command known only at run time is read as kubectl (hunt20 C1); one whose values are all known and none kubectl is not.
    ['a variable command whose values are all another tool', 'deploy.sh', `CMD=helm\n[ -n "$DRY" ] && CMD=echo\n$CMD patch pod p --type=json -p ${JSON_OP}\n`],
    ['a function of the script that passes no argument on', 'deploy.sh', `kc() { kubectl --context x get pods; }\nkc patch pod p --type=json -p ${JSON_OP}\n`],
    ['a command the script does not define, in a script that sources nothing', 'deploy.sh', `kc patch pod p --type=json -p ${JSON_OP}\n`],
    ['a patch known only at run time, of another object', 'deploy.sh', `kubectl patch pod q --type=json -p "$PATCH"\n`],
    ['a patch known only at run time, of another kind', 'deploy.sh', `kubectl patch configmap p -p "$PATCH"\n`],
    ['-p "$(cat FILE)" of a file that patches another probe', 'deploy.sh', `kubectl patch pod p --type=json -p "$(cat other.json)"\n`],
    ['a file after a cd elsewhere', 'deploy.sh', `cd other\nyq -i '.spec.containers[0].readinessProbe.exec.command[1] = "x"' pod.yaml\n`],
    ['an echo of a kubectl patch', 'deploy.sh', `echo kubectl patch pod p --type=json -p ${JSON_OP}\n`],
    ['jq on another file', 'deploy.sh', `jq '.spec.containers[0].readinessProbe.exec' k8s/other.json\n`],
    ['sed on the manifest that names no probe', 'deploy.sh', `sed -i "s/replicas: 1/replicas: 3/" k8s/pod.yaml\n`],
    ['sed of a probe flag on another file', 'deploy.sh', `sed -i "s/-addr=:5000/-addr=:6000/" k8s/other.yaml\n`],
    ['a composite action of another object', '.github/actions/deploy/action.yml', `name: d\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: kubectl patch pod q --type=json -p ${JSON_OP}\n`],
  ])('holds nothing: %s', async (_name, file, text) => {
    const files: Record<string, string> = {
      [file]: text,
      'other.json': '[{"op":"replace","path":"/spec/containers/0/livenessProbe/exec/command/1","value":"x"}]',
      'other/pod.yaml': 'kind: Pod\n',
    };
    expect((await statusOf(files)).status).toBe('migratable');
  });
});

describe('where a command runs (hunt 5 F13: working-directory, pushd; make conditionals; reads)', () => {
  const yq = `yq -i '.spec.containers[0].readinessProbe.exec.command[1] = "x"' pod.yaml`;
  test.each([
    ['a workflow step working-directory', '.github/workflows/d.yml', `jobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - working-directory: k8s\n        run: ${yq}\n`, 6],
    ['a job defaults.run.working-directory', '.github/workflows/d.yml', `jobs:\n  d:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n        working-directory: \${{ inputs.dir }}\n    steps:\n      - run: ${yq}\n`, 8],
    ['pushd', 'deploy.sh', `pushd k8s >/dev/null\n${yq}\npopd\n`, 2],
  ])('holds the probe: %s', async (_name, file, text, line) => {
    const r = await statusOf({ [file]: text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${file}:${line} addresses this probe's exec with yq`);
  });

  test('a make variable set in a conditional is known only at run time (any name)', async () => {
    const r = await statusOf({ Makefile: `ifdef PROD\nNAME = q\nendif\ndeploy:\n\tkubectl patch pod $(NAME) --type=json -p ${JSON_OP.replace(/\$/g, '$$$$')}\n` });
    expect(r.message).toContain("Makefile:5 patches this probe's exec with kubectl");
  });

  test.each([
    ['a workflow step in another folder', '.github/workflows/d.yml', `jobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - working-directory: other\n        run: ${yq}\n`],
    ['a make variable that names another object', 'Makefile', `NAME := q\ndeploy:\n\tkubectl patch pod $(NAME) --type=json -p ${JSON_OP.replace(/\$/g, '$$$$')}\n`],
    ['sed -n printing the probe', 'deploy.sh', `sed -n '/readinessProbe/,+3p' k8s/pod.yaml\n`],
    ['perl reading the probe', 'deploy.sh', `perl -ne 'print if /grpc_health_probe/' k8s/pod.yaml\n`],
  ])('holds nothing: %s', async (_name, file, text) => {
    expect((await statusOf({ [file]: text })).status).toBe('migratable');
  });
});

describe('folders in CI pipelines and Jenkinsfiles; sed on a file known only at run time (hunt 5 F13, F3)', () => {
  const yq = `yq -i '.spec.containers[0].readinessProbe.exec.command[1] = "x"' pod.yaml`;
  test.each([
    ['a GitLab job whose before_script cds', '.gitlab-ci.yml', `deploy:\n  before_script:\n    - cd k8s\n  script:\n    - ${JSON.stringify(yq)}\n`, 5],
    ['a Jenkinsfile dir() block', 'Jenkinsfile', `node {\n  dir('k8s') {\n    sh ${JSON.stringify(yq)}\n  }\n}\n`, 3],
  ])('a relative file after the folder changes is any file: %s', async (_name, file, text, line) => {
    const r = await statusOf({ [file]: text });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${file}:${line} addresses this probe's exec with yq`);
  });

  test.each([
    ['a GitLab job without a cd', '.gitlab-ci.yml', `deploy:\n  script:\n    - echo hi\n    - ${JSON.stringify(yq)}\n`],
    ['another job cds', '.gitlab-ci.yml', `build:\n  script:\n    - cd k8s\ndeploy:\n  script:\n    - ${JSON.stringify(yq)}\n`],
    ['sed of exec on a file known only at run time', 'deploy.sh', `for f in docker/*.sh; do sed -i 's/exec /exec tini -- /' "$f"; done\n`],
  ])('holds nothing: %s', async (_name, file, text) => {
    expect((await statusOf({ [file]: text })).status).toBe('migratable');
  });
});

describe('ssh runs its remote command in a shell (hunt 7 G9; fixture kubernetes-exec-probe/tree-kubectl-patch-ssh)', () => {
  test.each([
    ['one word', ['ssh', 'host', 'kubectl patch x'], 'kubectl patch x'],
    ['words joined', ['ssh', 'host', 'kubectl', 'patch', 'x'], 'kubectl patch x'],
    ['options with an argument, apart and attached', ['ssh', '-p', '22', '-iKEY', '-o', 'A=b', '-tt', 'host', 'true'], 'true'],
    ['a cluster ending in one that takes an argument', ['ssh', '-tp', '2222', 'host', 'true'], 'true'],
    ['-L, -J, -l, --', ['ssh', '-L', '1:h:2', '-J', 'jump', '-l', 'me', '--', 'host', 'echo', 'hi'], 'echo hi'],
    ['a path to ssh', ['/usr/bin/ssh', 'host', 'true'], 'true'],
  ])('%s', (_name, words, command) => {
    expect(sshCommand(words, 0)).toBe(command);
  });

  test('no remote command, or no ssh', () => {
    expect(sshCommand(['ssh', '-N', '-L', '1:h:2', 'host'], 0)).toBeUndefined();
    expect(sshCommand(['scp', 'a', 'host:b'], 0)).toBeUndefined();
  });
});

describe('text edits whose files a glob, find or xargs gives', () => {
  const SED = `sed -i 's/-addr=:5000/-addr=:6000/'`;
  test.each([
    ['a glob operand', `${SED} k8s/*.yaml`],
    ['a glob with a class', `perl -pi -e 's/-addr=:5000/-addr=:6000/' k8s/p[o]d.y*ml`],
    ['find -exec … {} +', `find k8s -name '*.yaml' -exec ${SED} {} +`],
    ['find -exec yq … {} \\;', `find k8s -name '*.yaml' -exec yq -i '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"' {} \\;`],
    ['find | xargs', `find k8s -name '*.yaml' | xargs ${SED}`],
    ['git ls-files | xargs', `git ls-files k8s | xargs -r ${SED}`],
  ])('holds the probe: %s', async (_name, line) => {
    const r = await statusOf({ 'deploy.sh': `#!/bin/sh\n${line}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain('deploy.sh:2 ');
  });

  test.each([
    ['a glob matching other files', `${SED} other/*.yaml`],
    ['find -exec of an edit naming no probe', `find k8s -name '*.yaml' -exec sed -i 's/replicas: 1/replicas: 3/' {} +`],
    ['xargs of an edit naming no probe', `git ls-files k8s | xargs sed -i 's/replicas: 1/replicas: 3/'`],
    ['find -exec of a read', `find k8s -name '*.yaml' -exec grep -l readinessProbe {} +`],
  ])('holds nothing: %s', async (_name, line) => {
    expect((await statusOf({ 'deploy.sh': `#!/bin/sh\n${line}\n`, 'other/x.yaml': 'a: 1\n' })).status).toBe('migratable');
  });
});

describe('a probe key known only at run time in a JSON patch path, GitLab inputs as the name', () => {
  const op = (key: string, rest = 'exec/command/1') => `'[{"op":"replace","path":"/spec/containers/0/'"${key}"'/${rest}","value":"x"}]'`;
  test.each([
    ['a loop variable', { 'deploy.sh': `for probe in readinessProbe livenessProbe; do\n  kubectl patch pod p --type=json -p ${op('${probe}')}\ndone\n` }, 'deploy.sh:2'],
    ['a workflow input', { '.github/workflows/d.yml': `on: {workflow_dispatch: {inputs: {probe: {type: string}}}}\njobs:\n  d:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl patch pod p --type=json -p '[{"op":"replace","path":"/spec/containers/0/\${{ inputs.probe }}/exec/command/1","value":"x"}]'\n` }, '.github/workflows/d.yml:6'],
    ['GitLab $[[ inputs.x ]] as the name (a component other projects include)', { 'templates/deploy.yml': `spec:\n  inputs:\n    pod:\n---\ndeploy:\n  script:\n    - kubectl patch pod $[[ inputs.pod ]] --type=json -p ${JSON_OP}\n` }, 'templates/deploy.yml:7'],
  ])('holds the probe: %s', async (_name, files, where) => {
    const r = await statusOf(files);
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${where} patches this probe's exec`);
  });

  test('a run-time key before no handler (periodSeconds) holds nothing', async () => {
    expect((await statusOf({ 'deploy.sh': `for probe in readinessProbe livenessProbe; do\n  kubectl patch pod p --type=json -p ${op('${probe}', 'periodSeconds')}\ndone\n` })).status).toBe('migratable');
  });
});

describe('other reads and writes of a probe\'s exec by path: kubectl get -o jsonpath, yq bracket keys, recursive descent, --from-file', () => {
  test.each([
    ['kubectl get -o jsonpath', `kubectl get pod p -o jsonpath='{.spec.containers[0].readinessProbe.exec.command[1]}' | grep -q 5000`, "reads this probe's exec with kubectl get"],
    ['kubectl get -o go-template', `kubectl get pod/p -o go-template='{{(index .spec.containers 0).readinessProbe.exec.command}}'`, "reads this probe's exec with kubectl get"],
    ['yq bracket keys', `yq -i '.spec.containers[0]["readinessProbe"]["exec"]["command"][1] = "-addr=:6000"' k8s/pod.yaml`, "addresses this probe's exec with yq"],
    ['yq recursive descent', `yq -i '(.. | select(has("exec")) | .exec.command[1]) = "-addr=:6000"' k8s/pod.yaml`, "addresses any probe's exec with yq"],
    ['yq --from-file', `yq -i --from-file ops/probe.yq k8s/pod.yaml`, "addresses this probe's exec with yq"],
    // jq's -f FILE is its --from-file (the expression read as the env reader reads it).
    ['jq -f', `jq -f ops/probe.yq k8s/pod.yaml > /tmp/pod.yaml && mv /tmp/pod.yaml k8s/pod.yaml`, "addresses this probe's exec with jq"],
  ])('holds the probe: %s', async (_name, line, what) => {
    const r = await statusOf({ 'deploy.sh': `#!/bin/sh\n${line}\n`, 'ops/probe.yq': '.spec.containers[0].readinessProbe.exec.command[1] = "-addr=:6000"\n' });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`deploy.sh:2 ${what}`);
  });

  test.each([
    ['kubectl get of another object', `kubectl get pod q -o jsonpath='{.spec.containers[0].readinessProbe.exec.command[1]}'`],
    ['kubectl get of another field', `kubectl get pod p -o jsonpath='{.spec.containers[0].image}'`],
    ['yq recursive descent to another key', `yq -i '(.. | select(has("image")) | .image) = "x"' k8s/pod.yaml`],
    ['yq recursive descent on another file', `yq -i '(.. | select(has("exec")) | .exec.command[1]) = "x"' other/x.yaml`],
    ['yq --from-file of another expression', `yq -i --from-file ops/other.yq k8s/pod.yaml`],
  ])('holds nothing: %s', async (_name, line) => {
    expect((await statusOf({ 'deploy.sh': `#!/bin/sh\n${line}\n`, 'other/x.yaml': 'a: 1\n', 'ops/other.yq': '.spec.replicas = 3\n' })).status).toBe('migratable');
  });
});

describe('make runs in the files a script runs with make -f (scriptTexts follows them for both readers)', () => {
  const MAKEFILE = `APP ?= web\npatch-probe:\n\tkubectl patch pod $(APP) --type=json -p ${JSON_OP.replace(/\$/g, '$$$$')}\n`;
  test('a $(MAKE) … APP=p in a Makefile reached by make -f gives the variable that value', async () => {
    const files = { Makefile: MAKEFILE, 'deploy.sh': 'make -f ops/Release.k8s release\n', 'ops/Release.k8s': 'release:\n\t$(MAKE) -C .. patch-probe APP=p\n' };
    expect((await statusOf(files)).status).toBe('blocked');
    // Without the make -f, the default alone: another pod.
    expect((await statusOf({ Makefile: MAKEFILE })).status).toBe('migratable');
  });
});

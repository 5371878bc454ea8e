/**
 * The patch and env readers (src/kubernetes/patch-commands.ts, env-commands.ts) on the texts hunt14
 * found them silent on: a script the shell parser refuses (too large, a syntax error: A3), kubectl
 * through a wrapper (A1), and Makefile recipes outside tab lines (A5); and what make runs outside
 * recipes, `$(shell …)` and `!=`, and .ONESHELL recipes (hunt20 C2).
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { run } from '../src/engine.js';
import { POD, checkoutWith, repoWith } from './support/repo.js';

async function statusOf(files: Record<string, string>, manifest = POD, file = 'k8s/pod.yaml', checkout = false): Promise<{ status?: string; message?: string }> {
  const { findings } = await run({ cwd: (checkout ? checkoutWith : repoWith)({ [file]: manifest, ...files }) });
  const f = findings.find((x) => x.file === file && x.ruleId === 'kubernetes-exec-probe');
  return { status: f?.status, message: f?.message };
}

/** A Deployment `api` whose probe reads GRPC_PORT from its env. */
const ENV_DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: example/api:1.0
          env:
            - name: GRPC_PORT
              value: "50051"
          readinessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr=:$(GRPC_PORT)"]
`;
const envStatus = (files: Record<string, string>, checkout = false) => statusOf(files, ENV_DEPLOY, 'k8s/deploy.yaml', checkout);

const JSON_OP = `'[{"op":"replace","path":"/spec/containers/0/readinessProbe/exec/command/1","value":"-addr=:6000"}]'`;
const PATCH = `kubectl patch pod p --type=json -p ${JSON_OP}`;
const SET_ENV = 'kubectl set env deployment/api GRPC_PORT=9090';
/** 1,400 echo lines: ~95 KB, over the shell parser's 64 KB. */
const PAD = Array.from({ length: 1400 }, (_, i) => `echo "step ${i} of the deployment, padded to make the script long enough ......"`).join('\n');

describe('a script the shell parser refuses is read as text (hunt14 A3)', () => {
  test('over the parser\'s size: a patch of the probe\'s exec path holds it, saying the size', async () => {
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\n${PATCH}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:1402 names this probe's exec beside kubectl or yq, in a script of \d+ KB \(over the 64 KB the tool parses\)/);
  });

  test('over the parser\'s size: a kubectl set env of the variable the probe reads holds it', async () => {
    const r = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\n${SET_ENV}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:1402 sets an object's env with kubectl set env \(GRPC_PORT\) in a script of \d+ KB/);
    // Another variable: nothing.
    expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\nkubectl set env deployment/api LOG_LEVEL=debug\n` })).status).toBe('migratable');
  });

  test('a syntax error after the patch (bash has run the patch by then): held, naming the error\'s line', async () => {
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${PATCH}\nif [ -n "$DONE" ]; then\n  echo done\nfi fi\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:2 names this probe's exec beside kubectl or yq, in a script the shell parser refuses \(scripts\/deploy\.sh:5: [^)]+\)/);
    // A zsh loop the parser does not read.
    expect((await statusOf({ 'scripts/deploy.zsh': `#!/bin/zsh\nfor f (k8s/*.yaml) print -r -- $f\n${PATCH}\n` })).status).toBe('blocked');
  });

  test('a CI run: string over the parser\'s size, and a file over the size the tool reads for commands', async () => {
    const step = `steps:\n  - run: echo ${"x".repeat(70_000)} ; ${PATCH}\n`;
    const r = await statusOf({ 'ci/pipeline.yml': step });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/ci\/pipeline\.yml:2 names this probe's exec beside kubectl or yq, in a script of \d+ KB/);
    const huge = `steps:\n  - run: echo ${'x'.repeat(300_000)}\n  - run: kubectl patch pod p --type=json -p ${JSON_OP}\n`;
    expect((await statusOf({ 'ci/pipeline.yml': huge })).message).toMatch(/ci\/pipeline\.yml:3 names this probe's exec beside kubectl or yq, in a file of \d+ KB \(over the 256 KB the tool reads for commands\)/);
  });

  test('a Skaffold config over the size the tool reads for commands is read by the text net: no manifest, though it has apiVersion and kind (review22 R6)', async () => {
    const artifacts = Array.from({ length: 6_000 }, (_, i) => `  - image: registry.example.com/team/service-number-${i}`).join('\n');
    const hook = `deploy:\n  kubectl:\n    hooks:\n      after:\n        - host:\n            command: ["sh", "-c", ${JSON.stringify(PATCH)}]\n`;
    const r = await statusOf({ 'skaffold.yaml': `apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n${artifacts}\n${hook}` });
    expect(r.message).toMatch(/skaffold\.yaml:6010 names this probe's exec beside kubectl or yq, in a file of \d+ KB \(over the 256 KB/);
    // A manifest over that size (360 KB) is still no command text: its own probes hold nothing.
    const pods = Array.from({ length: 2_000 }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n  - {name: c, image: a/b:1, readinessProbe: {exec: {command: [grpc_health_probe, -addr=:5000]}}}  # kubectl`).join('\n');
    expect((await statusOf({ 'k8s/all.yaml': pods })).status).toBe('migratable');
  });

  test.each([['$KUBECTL'], ['${KUBECTL}'], ['$MY_KUBECTL'], ['$OC']])('over the parser\'s size and with a syntax error: %s (a command word the parsed readers take for kubectl) holds, patch and set env (review22 R3)', async (word) => {
    for (const [script, line] of [[`#!/bin/bash\n${PAD}\n${PATCH.replace('kubectl', word)}\n`, 1402], [`#!/bin/bash\n${PATCH.replace('kubectl', word)}\nfi fi\n`, 2]] as const) {
      const r = await statusOf({ 'scripts/deploy.sh': script });
      expect(r.status).toBe('blocked');
      expect(r.message).toContain(`scripts/deploy.sh:${line} names this probe's exec beside kubectl or yq`);
    }
    const env = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\n${SET_ENV.replace('kubectl', word)}\n` });
    expect(env.message).toMatch(/scripts\/deploy\.sh:1402 sets an object's env with kubectl set env \(GRPC_PORT\) in a script of \d+ KB/);
    // `$(KUBECTL)`, make's spelling, which commandName takes for kubectl too.
    expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n$(KUBECTL) set env deployment/api GRPC_PORT=9090\nfi fi\n` })).status).toBe('blocked');
    // A variable not named for kubectl: nothing.
    expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\n$TOOL set env deployment/api GRPC_PORT=9090\n` })).status).toBe('migratable');
  });

  test('a comment of a script the parser refuses is no command: not read by the text net (review22 R7)', async () => {
    for (const comment of [`# Note: never run ${SET_ENV} here`, `echo step # then ${SET_ENV}`, `  #${SET_ENV}`]) {
      expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${comment}\ncase x in\n` })).status).toBe('migratable');
      expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\n${comment.replace(SET_ENV, PATCH)}\n` })).status).toBe('migratable');
    }
    // A `#` inside quotes, or inside a word, starts no comment; code before a comment is read.
    for (const line of [`echo "a # b"; ${SET_ENV}`, `X=a#b ${SET_ENV}`, `${SET_ENV} # the port`, `echo 'it''s # not' && ${SET_ENV}`]) {
      expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${line}\ncase x in\n` })).status).toBe('blocked');
    }
  });

  test('a script that does not parse and names no probe path or set env holds nothing', async () => {
    expect((await statusOf({ 'scripts/deploy.sh': '#!/bin/bash\nkubectl apply -f k8s/\nfi fi\n' })).status).toBe('migratable');
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${PAD}\nkubectl apply -f k8s/\n` })).status).toBe('migratable');
  });

  test('a script that does not parse and runs make: the variables on its make line may be any value', async () => {
    const makefile = `POD ?= q\npatch:\n\tkubectl patch pod $(POD) --type=json -p ${JSON_OP}\n`;
    // Parsed: POD=q only, so pod p is not patched.
    expect((await statusOf({ Makefile: makefile, 'scripts/deploy.sh': '#!/bin/bash\nmake patch\n' })).status).toBe('migratable');
    const r = await statusOf({ Makefile: makefile, 'scripts/deploy.sh': '#!/bin/bash\nmake patch POD=p\nfi fi\n' });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/Makefile:3 patches this probe's exec/);
  });
});

/** kubectl as the wrappers run it, each before `REST` (kubectl's own words). */
const WRAPPED = [
  ['microk8s kubectl', 'microk8s kubectl REST'],
  ['microk8s.kubectl', '/snap/bin/microk8s.kubectl REST'],
  ['k3s kubectl', 'sudo k3s kubectl REST'],
  ['k0s kubectl', 'k0s kubectl REST'],
  ['rancher kubectl', 'rancher kubectl REST'],
  ['minikube kubectl --', 'minikube -p dev kubectl -- REST'],
  ['kubecolor', 'kubecolor REST'],
  ['eval of a literal string', 'eval "kubectl REST"'],
  ['eval of $KUBECTL', 'eval "$KUBECTL REST"'],
  ['a retry function', 'retry() { for i in 1 2 3; do "$@" && break; done; }\nretry 3 microk8s kubectl REST'],
];

describe('kubectl through a wrapper is read by the patch reader and the env reader alike (hunt14 A1)', () => {
  test.each(WRAPPED)('patch: %s', async (_name, line) => {
    // Inside eval's double quotes, the patch's own are escaped.
    const rest = PATCH.slice('kubectl '.length);
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${line.replace('REST', line.startsWith('eval') ? rest.replace(/"/g, '\\"') : rest)}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:\d+ patches this probe's exec with kubectl/);
  });

  test.each(WRAPPED)('set env: %s', async (_name, line) => {
    const r = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${line.replace('REST', SET_ENV.slice('kubectl '.length))}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:\d+ sets the env of this probe's object with kubectl set env \(GRPC_PORT\)/);
  });

  test.each([
    // The eval's words read as a script: their command word known only at run time is read as kubectl where it patches the probe (hunt20 C1).
    ['a variable the script sets to a value known only at run time', 'KC=$(command -v kubectl)\neval "$KC REST"', 3, ["patches this probe's exec with ${KC}, a command known only at run time, read as kubectl", "sets the env of this probe's object with ${KC}, a command known only at run time, read as kubectl set env (GRPC_PORT)"]],
    ['a command substitution', 'eval $(echo kubectl REST)', 2, ["names this probe's exec in an eval of words known only at run time", "sets an object's env with kubectl set env (GRPC_PORT) in an eval of words known only at run time"]],
  ])('eval of %s: its words read as written, any of them a command that may be kubectl (review22 R2)', async (_name, line, at, [patched, set]) => {
    const rest = PATCH.slice('kubectl '.length);
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${line.replace('REST', line.includes('eval "') ? rest.replace(/"/g, '\\"') : rest)}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`scripts/deploy.sh:${at} ${patched}`);
    const env = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${line.replace('REST', SET_ENV.slice('kubectl '.length))}\n` });
    expect(env.message).toContain(`scripts/deploy.sh:${at} ${set}`);
  });

  test.each([
    ['an unquoted variable of two words (field splitting)', 'K="microk8s kubectl"\n$K REST'],
    ['eval of a variable set once to the whole command, quoted', 'cmd="kubectl REST_ESCAPED"\neval "$cmd"'],
    ['eval of a variable set once to the whole command, unquoted (split, then joined by eval)', 'cmd="kubectl REST_ESCAPED"\neval $cmd'],
    ['eval of a variable in single quotes', "cmd='kubectl REST_SINGLE'\neval \"$cmd\""],
    ['eval of a variable set once to kubectl (a script with an eval: at the eval, its variables set before)', 'KC=kubectl\neval "$KC REST_ESCAPED"'],
    ['eval of a variable of two words', 'K="microk8s kubectl"\neval "$K REST_ESCAPED"'],
  ])('a command word from a variable: %s (hunt19 B4)', async (_name, line) => {
    // In double quotes the command's own are escaped; in single quotes (no escape there) its single quotes become escaped double ones, which eval reads.
    const fill = (rest: string) => line.replace('REST_ESCAPED', rest.replace(/"/g, '\\"')).replace('REST_SINGLE', rest.replace(/"/g, '\\"').replace(/'/g, '"')).replace('REST', rest);
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${fill(PATCH.slice('kubectl '.length))}\n` });
    expect(r.status).toBe('blocked');
    expect(r.message).toContain("scripts/deploy.sh:3 patches this probe's exec with kubectl");
    const env = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${fill(SET_ENV.slice('kubectl '.length))}\n` });
    expect(env.message).toContain("scripts/deploy.sh:3 sets the env of this probe's object with kubectl set env (GRPC_PORT)");
  });

  test('a variable set to microk8s kubectl in another tool\'s YAML, in a git checkout: git\'s search and the reader\'s pretest let it through (hunt19 B4)', async () => {
    const circle = { '.circleci/config.yml': 'version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: |\n          K="microk8s kubectl"\n          $K set env deployment/api GRPC_PORT=9090\n' };
    for (const checkout of [true, false]) {
      const r = await envStatus(circle, checkout);
      expect(r.message).toMatch(/\.circleci\/config\.yml:7 sets the env of this probe's object with kubectl set env \(GRPC_PORT\)/);
    }
  });

  test('eval of a variable set again after it, or set in a loop to a value with a part known only then, reads its last value before the eval (review23 R9)', async () => {
    const rest = SET_ENV.slice('kubectl '.length);
    for (const script of [`cmd="kubectl ${rest}"\neval "$cmd"\ncmd="kubectl get pods"`, `for ns in a b; do cmd="kubectl -n $ns ${rest}"; eval "$cmd"; done`]) {
      expect([script, (await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${script}\n` })).status]).toEqual([script, 'blocked']);
    }
  });

  test.each([
    ['export', 'export cmd="kubectl REST"\neval "$cmd"', 3],
    ['declare with options', 'declare -rx cmd="kubectl REST"\neval "$cmd"', 3],
    ['readonly', "readonly cmd='kubectl REST'\neval $cmd", 3],
    ['local, in the function that evals it', 'deploy() {\n  local cmd="kubectl REST"\n  eval "$cmd"\n}\ndeploy', 4],
    ['export of one, then eval in a function called after', 'run_it() { eval "$cmd"; }\nexport cmd="kubectl REST"\nrun_it', 2],
  ])('eval of a variable set by %s: the declaration\'s value is read as an assignment\'s (review23 R9)', async (_name, script, line) => {
    const fill = (rest: string) => script.replace('REST', script.includes("'kubectl REST'") ? rest.replace(/"/g, '\\"').replace(/'/g, '"') : rest.replace(/"/g, '\\"'));
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${fill(PATCH.slice('kubectl '.length))}\n` });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} patches this probe's exec with kubectl`)]);
    const env = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${fill(SET_ENV.slice('kubectl '.length))}\n` });
    expect([env.status, env.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} sets the env of this probe's object with kubectl set env (GRPC_PORT)`)]);
  });

  test('a name declared with a value is read as it, outside an eval too; an array is not its first element\'s text (hunt20 C1)', async () => {
    // Another pod's name, declared: not this probe's (undeclared, the name would be any pod's).
    for (const [declare, status] of [['export POD=q', 'migratable'], ['readonly POD=q', 'migratable'], ['export POD=p', 'blocked']] as const) {
      expect([declare, (await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${declare}\nkubectl patch pod "$POD" --type=json -p ${JSON_OP}\n` })).status]).toEqual([declare, status]);
      expect([declare, (await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${declare.replace(/[pq]$/, (n) => (n === 'p' ? 'api' : 'web'))}\nkubectl set env "deployment/$POD" GRPC_PORT=9090\n` })).status]).toEqual([declare, status]);
    }
    // `$KC` of an array is its first element (kubectl), not an empty value: eval runs kubectl patch.
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\nKC=(kubectl --context prod)\neval "$KC ${PATCH.slice('kubectl '.length).replace(/"/g, '\\"')}"\n` });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining('scripts/deploy.sh:3 ')]);
  });

  test.each([
    ['a function defined before the assignment, called after it', 'run_it() { eval "$cmd"; }\ncmd="kubectl REST"\nrun_it'],
    ['a function called by a function called after the assignment', 'run_it() { eval "$cmd"; }\ndeploy() { run_it; }\ncmd="kubectl REST"\ndeploy'],
    ['a function called before and after the assignment', 'run_it() { eval "$cmd"; }\nrun_it\ncmd="kubectl REST"\nrun_it'],
  ])('eval in %s: its variables are read where the function runs, the finding names the eval (review23 R9)', async (_name, script) => {
    const r = await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${script.replace('REST', SET_ENV.slice('kubectl '.length))}\n` });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining("scripts/deploy.sh:2 sets the env of this probe's object with kubectl set env (GRPC_PORT)")]);
  });

  test('eval in a function not called after the assignment, or of a declared value the tool does not read as one, holds nothing (review23 R9)', async () => {
    const rest = SET_ENV.slice('kubectl '.length);
    for (const script of [
      // Called only before the variable is set: bash evals an empty command.
      `run_it() { eval "$cmd"; }\nrun_it\ncmd="kubectl ${rest}"`,
      // Another function is called after it.
      `run_it() { eval "$cmd"; }\nother() { :; }\ncmd="kubectl ${rest}"\nother`,
      // A declared command that changes no probe.
      'export cmd="kubectl get pods"\neval "$cmd"',
      `export cmd="echo kubectl ${rest}"\neval "$cmd"`,
    ]) {
      expect([script, (await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${script}\n` })).status]).toEqual([script, 'migratable']);
    }
  });

  test('eval of a variable whose value is not one literal before it, or of another command, is read as before (hunt19 B4)', async () => {
    const rest = SET_ENV.slice('kubectl '.length);
    // Set after the eval, set twice to two values: unknown at the eval, its words as written hold nothing.
    for (const script of [`eval "$cmd"\ncmd="kubectl ${rest}"`, `cmd="kubectl ${rest}"\ncmd="kubectl get pods"\neval "$cmd"`, `cmd="echo kubectl ${rest}"\neval "$cmd"`, `K="microk8s status"\n$K`]) {
      expect([script, (await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${script}\n` })).status]).toEqual([script, 'migratable']);
    }
  });

  test('what a wrapper runs that is no kubectl command, or another object, holds nothing', async () => {
    for (const line of ['microk8s status', 'minikube kubectl -- get pods', 'eval "echo kubectl set env deploy/api GRPC_PORT=9090"', 'eval "$(minikube docker-env)"', 'KC=kubectl\neval "$KC set env deploy/api LOG_LEVEL=debug"', 'k3s kubectl set env deployment/web GRPC_PORT=9090', 'microk8s enable dns && microk8s start']) {
      expect((await envStatus({ 'scripts/deploy.sh': `#!/bin/bash\n${line}\n` })).status).toBe('migratable');
    }
  });

  test('a wrapper in another tool\'s YAML, in a git checkout: git\'s search and the reader\'s pretest let kubecolor through', async () => {
    const circle = (cmd: string) => ({ '.circleci/config.yml': `version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: ${cmd}\n` });
    const r = await envStatus(circle('kubecolor set env deployment/api GRPC_PORT=9090'), true);
    expect(r.message).toMatch(/\.circleci\/config\.yml:5 sets the env of this probe's object with kubectl set env \(GRPC_PORT\)/);
    expect((await envStatus(circle('minikube kubectl -- set env deployment/api GRPC_PORT=9090'), true)).status).toBe('blocked');
    // An exec list's first word.
    const op = '[{"op":"remove","path":"/spec/containers/0/readinessProbe/exec"}]';
    const list = { 'skaffold.yaml': `apiVersion: skaffold/v4beta6\nkind: Config\ndeploy:\n  kubectl:\n    hooks:\n      after:\n        - host:\n            command: ["microk8s", "kubectl", "patch", "pod", "p", "--type=json", "-p", ${JSON.stringify(op)}]\n` };
    expect((await statusOf(list, POD, 'k8s/pod.yaml', true)).message).toMatch(/skaffold\.yaml:8 patches this probe's exec with kubectl/);
  });

  test.each([['microk8s'], ['k3s'], ['k0s'], ['rancher']])('an exec list run by %s kubectl (Skaffold hook): the wrappers of kubectlAt reach exec lists (review22 R4)', async (wrapper) => {
    const op = '[{"op":"remove","path":"/spec/containers/0/readinessProbe/exec"}]';
    const list = { 'skaffold.yaml': `apiVersion: skaffold/v4beta6\nkind: Config\ndeploy:\n  kubectl:\n    hooks:\n      after:\n        - host:\n            command: [${JSON.stringify(wrapper)}, "kubectl", "patch", "pod", "p", "--type=json", "-p", ${JSON.stringify(op)}]\n` };
    expect((await statusOf(list, POD, 'k8s/pod.yaml', true)).message).toMatch(/skaffold\.yaml:8 patches this probe's exec with kubectl/);
  });

  test('a here-document given to microk8s kubectl apply is applied (the here-document reader reads the wrapper the same way)', async () => {
    const doc = 'apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n  - {name: app, image: acme/app:1, readinessProbe: {exec: {command: [grpc_health_probe, -addr=:5000]}}}\nEOF\n';
    const { findings } = await run({ cwd: repoWith({ 'setup.sh': `#!/bin/sh\nmicrok8s kubectl apply -f - <<EOF\n${doc}minikube kubectl -- delete -f - <<EOF\n${doc}` }) });
    const messages = findings.filter((f) => f.file === 'setup.sh').map((f) => f.message);
    expect(messages.some((m) => m.includes('(applied with kubectl apply)'))).toBe(true);
    expect(messages.some((m) => m.includes('microk8s'))).toBe(false);
  });

  test('the here-document reader steps over sudo (and its options), exec and command before kubectl, as the patch reader does (review22 R10)', async () => {
    const doc = 'apiVersion: v1\nkind: Pod\nmetadata: {name: h}\nspec:\n  containers:\n  - {name: app, image: acme/app:1, readinessProbe: {exec: {command: [grpc_health_probe, -addr=:5000]}}}\nEOF\n';
    for (const prefix of ['sudo', 'sudo -E', 'sudo -u deploy', 'exec sudo', 'command']) {
      for (const kubectl of ['kubectl', 'microk8s kubectl']) {
        const { findings } = await run({ cwd: repoWith({ 'setup.sh': `#!/bin/sh\n${prefix} ${kubectl} delete -f - <<EOF\n${doc}` }) });
        const f = findings.find((x) => x.file === 'setup.sh');
        expect([f?.status, f?.message]).toEqual(['info', expect.stringContaining('(read by kubectl delete)')]);
        const applied = (await run({ cwd: repoWith({ 'setup.sh': `#!/bin/sh\n${prefix} ${kubectl} apply -f - <<EOF\n${doc}` }) })).findings.find((x) => x.file === 'setup.sh');
        expect(applied?.message).toContain('(applied with kubectl apply)');
      }
    }
  });

  test('an eval in a function called 1,000 times, each call after another assignment: the places are read in linear time (review23 R9)', async () => {
    // Not a speed target: a guard against a cost per call and assignment (jest's timeout cannot stop a synchronous loop).
    const started = Date.now();
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n# kubectl patch\nf() { eval "$c"; }\n${'c=x\nf\nc=$1\nf\n'.repeat(500)}` })).status).toBe('migratable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('the fallback for a command running kubectl (retry …) and eval stay linear over a 100 KB line', async () => {
    // Not a speed target: a guard against a search after each kubectl word (jest's timeout cannot stop a synchronous loop).
    const started = Date.now();
    const r = await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\nretry ${'kubectl '.repeat(8_000)}patch x\neval ${'microk8s kubectl '.repeat(3_000)}\n` });
    expect(r.status).toBe('migratable');
    // The variables eval reads are found once per script, not once per eval (hunt19 B4).
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n# kubectl patch\n${'c=x\n'.repeat(3_000)}${'eval "$c"\n'.repeat(2_000)}` })).status).toBe('migratable');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the readers stay linear over 100 KB adversarial scripts (review22 R1, R8, R9)', () => {
  // Not a speed target: a guard against quadratic backtracking (each case took 2–12 s), which
  // jest's own timeout cannot stop (a synchronous regular expression).
  test('a script whose lines end in CR (the jq -f pretest): read, and held by its patch', async () => {
    const started = Date.now();
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${'fi\r'.repeat(33_000)}\n` })).status).toBe('migratable');
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\n${'echo x\u2028'.repeat(14_000)}\n` })).status).toBe('migratable');
    expect(Date.now() - started).toBeLessThan(5_000);
    // What the pretest is for: a CRLF script whose patch addresses the probe.
    expect((await statusOf({ 'scripts/deploy.sh': `#!/bin/bash\r\n${PATCH}\r\n` })).status).toBe('blocked');
  });

  test('a 100 KB option word on a make line of a script the parser refuses (-e…e: the environment over the Makefile)', async () => {
    const makefile = `POD ?= q\npatch:\n\tkubectl patch pod $(POD) --type=json -p ${JSON_OP}\n`;
    const started = Date.now();
    expect((await statusOf({ Makefile: makefile, 'scripts/deploy.sh': `#!/bin/bash\nmake patch -${'e'.repeat(100_000)}=x\n` })).status).toBe('migratable');
    expect(Date.now() - started).toBeLessThan(5_000);
    // -e in a word of options, on the line of a script the parser refuses: POD from the environment (the script assigns it) wins over `POD = q`; without it, not.
    const plain = makefile.replace('POD ?= q', 'POD = q');
    expect((await statusOf({ Makefile: plain, 'scripts/deploy.sh': '#!/bin/bash\nexport POD=p\nmake -ke patch\nfi fi\n' })).status).toBe('blocked');
    expect((await statusOf({ Makefile: plain, 'scripts/deploy.sh': '#!/bin/bash\nexport POD=p\nmake -k patch\nfi fi\n' })).status).toBe('migratable');
  });

  test('a `$(cat <<JSON …)` patch holding 60 KB of blanks (under the parser\'s 64 KB, where it is read) is shown on one line', async () => {
    const started = Date.now();
    const op = `[{"op":"replace","path":"/spec/containers/0/readinessProbe/exec/command/1","value":"$PORT"}${' '.repeat(60_000)}]`;
    const r = await statusOf({ 'deploy.sh': `#!/bin/bash\nkubectl patch pod p --type=json -p "$(cat <<JSON\n${op}\nJSON\n)"\n` });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/deploy\.sh:2 patches this probe's object with kubectl \(the patch \$\(cat <<JSON \[\{"op"[^\n]*\.\.\., known only at run time/);
  });

  test('shownPatch over 200 KB of blanks, with and without line ends', async () => {
    const { shownPatch } = await import('../src/kubernetes/patch-commands.js');
    // Not a speed target (see above): `\s*\n\s*` took 1.9 s over the 60 KB above, about 19 s here.
    const started = Date.now();
    const shown = shownPatch({ text: '', unresolved: [], written: `"$(cat <<JSON${' '.repeat(200_000)}x\n  y\n)"` }, '');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(shown).toBe(`"$(cat <<JSON ...`);
    expect(shownPatch({ text: '', unresolved: [], written: '"$(cat <<JSON\n[{"op":\n  "remove"}]\nJSON\n)"' }, '')).toBe('"$(cat <<JSON [{"op": "remove"}] JSON )"');
  });
});

describe('Makefile recipes make runs that are no tab lines (hunt14 A5)', () => {
  test.each([
    ['a `target: ; recipe` line', (cmd: string) => `deploy: ; ${cmd}\n`, 1],
    ['a define body run as a canned recipe', (cmd: string) => `define STEP\n${cmd}\nendef\n\ndeploy:\n\t$(STEP)\n`, 2],
  ])('%s: a patch and a set env hold', async (_name, makefile, line) => {
    const patched = await statusOf({ Makefile: makefile(PATCH.replace(/\$/g, '$$$$')) });
    expect(patched.status).toBe('blocked');
    expect(patched.message).toContain(`Makefile:${line} patches this probe's exec with kubectl`);
    const env = await envStatus({ Makefile: makefile(SET_ENV) });
    expect(env.message).toContain(`Makefile:${line} sets the env of this probe's object with kubectl set env (GRPC_PORT)`);
  });
});

describe('what make runs with the shell outside recipe lines, and .ONESHELL recipes (hunt20 C2)', () => {
  test.each([
    ['a := variable\'s $(shell …) (run on every make run)', (cmd: string) => `PATCHED := $(shell ${cmd})\nall:\n\techo ok\n`, 1],
    ['an = variable\'s $(shell …) (run where it is used: read all the same)', (cmd: string) => `all:\n\techo ok\n\nPATCHED = $(shell ${cmd})\n`, 4],
    ['a != assignment', (cmd: string) => `PATCHED != ${cmd}\n`, 1],
    ['a .ONESHELL recipe that names kubectl on one line and runs it on the next', (cmd: string) => `.ONESHELL:\ndeploy:\n\tK=kubectl\n\t${cmd.replace('kubectl', '$$$$K')}\n`, 4],
  ])('%s: a patch and a set env hold', async (_name, makefile, line) => {
    const patched = await statusOf({ Makefile: makefile(PATCH) });
    expect(patched.status).toBe('blocked');
    expect(patched.message).toContain(`Makefile:${line} patches this probe's exec with kubectl`);
    const env = await envStatus({ Makefile: makefile(SET_ENV) });
    expect(env.message).toContain(`Makefile:${line} sets the env of this probe's object with kubectl set env (GRPC_PORT)`);
  });

  test('controls: a $(shell …) in a make comment, and a .ONESHELL variable set in another rule, hold nothing', async () => {
    expect((await statusOf({ Makefile: `# PATCHED := $(shell ${PATCH})\nall:\n\techo ok\n` })).status).toBe('migratable');
    // The deploy recipe sets K itself (a K it does not set may be anything: read as kubectl, hunt20 C1): another rule's K=kubectl does not reach it.
    expect((await statusOf({ Makefile: `.ONESHELL:\nname:\n\tK=kubectl\ndeploy:\n\tK=echo\n\t${PATCH.replace('kubectl', '$$$$K')}\n` })).status).toBe('migratable');
  });
});

describe('a command word that is a variable set other than once to a literal (hunt20 C1)', () => {
  const rest = { patch: PATCH.slice('kubectl '.length), env: SET_ENV.slice('kubectl '.length) };
  const fill = (script: string, r: string) => `#!/bin/bash\nset -euo pipefail\n${script.replace('REST', r)}\n`;

  test.each([
    ['export KC=kubectl', 'export KC=kubectl\n$KC REST', 4],
    ['readonly KC=kubectl', 'readonly KC=kubectl\n"$KC" REST', 4],
    ['declare -rx KC=kubectl', 'declare -rx KC=kubectl\n$KC REST', 4],
    ['local KC=kubectl in the function that runs it', 'deploy() {\n  local KC=kubectl\n  $KC REST\n}\ndeploy', 5],
    ['KC=${KC:-kubectl} (the environment\'s, else kubectl)', 'KC=${KC:-kubectl}\n$KC REST', 4],
    [': "${KC:=kubectl}"', ': "${KC:=kubectl}"\n$KC REST', 4],
    ['a default as the command word', '${KUBE:-kubectl} REST', 3],
    ['a value of kubectl and a part known only at run time, split', 'KC="kubectl --context $CTX"\n$KC REST', 4],
    ['an array, all its elements', 'KC=(kubectl --context prod)\n"${KC[@]}" REST', 4],
    ['a declared array, its first element', 'declare -a KC=(kubectl --context prod)\n$KC REST', 4],
    ['another variable\'s value', 'export KUBE=kubectl\nKC=$KUBE\n$KC REST', 5],
    ['a value that runs kubectl through a wrapper', 'KC="timeout 60 kubectl --context $CTX"\n$KC REST', 4],
    ['two values, each running kubectl', 'if [ -n "${MICRO:-}" ]; then KC="microk8s kubectl"; else KC=kubectl; fi\n$KC REST', 4],
  ])('%s: read as kubectl, the patch and the set env hold the probe', async (_name, script, line) => {
    const r = await statusOf({ 'scripts/deploy.sh': fill(script, rest.patch) });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} patches this probe's exec with kubectl (a JSON patch`)]);
    const env = await envStatus({ 'scripts/deploy.sh': fill(script, rest.env) });
    expect([env.status, env.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} sets the env of this probe's object with kubectl set env (GRPC_PORT)`)]);
  });

  test.each([
    ['a command substitution\'s value', 'KC=$(command -v kubectl)\n$KC REST', '${KC}'],
    ['a variable the script does not set (the environment\'s)', '"$KUBE_CMD" REST', '${KUBE_CMD}'],
    ['a value set by read', 'read -r KC < .kubectl-path\n$KC REST', '${KC}'],
    ['a command substitution as the command word', '$(command -v kubectl) REST', '$(command -v kubectl)'],
  ])('%s: known only at run time, read as kubectl where it patches the probe or sets its env, said so', async (_name, script, shown) => {
    const line = script.split('\n').length + 2;
    const r = await statusOf({ 'scripts/deploy.sh': fill(script, rest.patch) });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} patches this probe's exec with ${shown}, a command known only at run time, read as kubectl (a JSON patch`)]);
    const env = await envStatus({ 'scripts/deploy.sh': fill(script, rest.env) });
    expect([env.status, env.message]).toEqual(['blocked', expect.stringContaining(`scripts/deploy.sh:${line} sets the env of this probe's object with ${shown}, a command known only at run time, read as kubectl set env (GRPC_PORT)`)]);
  });

  test('controls: a variable whose values are all known and none kubectl, another command, another object, hold nothing', async () => {
    for (const script of [
      // Declared (read as the assignment it is): echo prints the words.
      'export KC=echo\n$KC REST',
      'readonly KC=echo\n$KC REST',
      'if [ -n "${DRY:-}" ]; then KC=echo; else KC=printf; fi\n$KC REST',
      'KC=(echo kubectl)\n"${KC[@]}" REST',
      // Not a patch, or another object.
      'KC=${KC:-kubectl}\n$KC get pods',
      'KC=$(command -v kubectl)\n$KC REST_OTHER',
      '"$KUBE_CMD" version',
    ]) {
      for (const [r, status] of [
        [rest.patch, () => statusOf({ 'scripts/deploy.sh': fill(script.replace('REST_OTHER', 'patch pod q --type=json -p ' + JSON_OP), rest.patch) })],
        [rest.env, () => envStatus({ 'scripts/deploy.sh': fill(script.replace('REST_OTHER', 'set env deployment/web GRPC_PORT=9090'), rest.env) })],
      ] as const) {
        expect([script, r.slice(0, 9), (await status()).status]).toEqual([script, r.slice(0, 9), 'migratable']);
      }
    }
  });

  test.each([
    ['a value with a reference make expands (kubectl --context=$(CTX))', 'KC := kubectl --context=$(CTX)'],
    ['a $(shell …) value', 'KC = $(shell command -v kubectl)'],
  ])('Makefile: $(KC) of %s is read as kubectl', async (_name, assign) => {
    const r = await statusOf({ Makefile: `${assign}\ndeploy:\n\t$(KC) ${rest.patch}\n` });
    expect([r.status, r.message]).toEqual(['blocked', expect.stringContaining("Makefile:3 patches this probe's exec with $(KC), a command known only at run time, read as kubectl")]);
    const env = await envStatus({ Makefile: `${assign}\ndeploy:\n\t$(KC) ${rest.env}\n` });
    expect([env.status, env.message]).toEqual(['blocked', expect.stringContaining("Makefile:3 sets the env of this probe's object with $(KC), a command known only at run time, read as kubectl set env (GRPC_PORT)")]);
  });
});

test('a define no recipe runs (a help text the shell echoes from the environment) holds nothing; run as $(STEP) or $(call STEP), it holds (review22 R5)', async () => {
  const usage = `define USAGE\n  ${SET_ENV}\nendef\nexport USAGE\n`;
  expect((await envStatus({ Makefile: `${usage}help:\n\t@echo "$$USAGE"\n` })).status).toBe('migratable');
  expect((await envStatus({ Makefile: `define USAGE\nUsage: make deploy, or by hand:\n  ${SET_ENV} and more words\nendef\n` })).status).toBe('migratable');
  for (const use of ['$(USAGE)', '$(call USAGE,x)']) {
    expect((await envStatus({ Makefile: `${usage}deploy:\n\t${use}\n` })).message).toContain("Makefile:2 sets the env of this probe's object with kubectl set env (GRPC_PORT)");
  }
});

test('a here-document written to K8S/Pod.yaml holds k8s/pod.yaml on a checkout whose core.ignorecase is true, not on one where it is false (hunt14 A6)', async () => {
  const files = { 'k8s/pod.yaml': POD, 'scripts/gen.sh': `#!/bin/sh\ncd "$(dirname "$0")/.."\ncat > K8S/Pod.yaml <<'EOF'\n${POD}EOF\n` };
  const statusIn = async (ignoreCase: boolean) => {
    const dir = checkoutWith(files);
    execFileSync('git', ['-C', dir, 'config', 'core.ignorecase', String(ignoreCase)], { stdio: 'ignore' });
    const { findings } = await run({ cwd: dir });
    return findings.find((x) => x.file === 'k8s/pod.yaml' && x.ruleId === 'kubernetes-exec-probe');
  };
  const held = await statusIn(true);
  expect(held?.status).toBe('blocked');
  expect(held?.message).toMatch(/scripts\/gen\.sh:3 writes this file from a here-document \(written to K8S\/Pod\.yaml\)/);
  expect((await statusIn(false))?.status).toBe('migratable');
});

describe('hunt14 A7', () => {
  const heredocPatch = (delimiter: string, op: string) => `#!/bin/bash\nkubectl patch pod p --type json -p "$(cat <<${delimiter}\n${op}\nJSON\n)"\n`;

  test('-p "$(cat <<\'JSON\' …)": the quoted here-document is read as the patch (p12)', async () => {
    const other = await statusOf({ 'deploy.sh': heredocPatch("'JSON'", '[{"op":"remove","path":"/spec/containers/1/readinessProbe/exec"}]') });
    expect(other.status).toBe('migratable');
    const own = await statusOf({ 'deploy.sh': heredocPatch("'JSON'", '[{"op":"remove","path":"/spec/containers/0/readinessProbe/exec"}]') });
    expect(own.message).toContain("deploy.sh:2 patches this probe's exec with kubectl (a JSON patch remove op at /spec/containers/0/readinessProbe/exec)");
  });

  test('a here-document the shell expands at run time is known only then, said on one line (p12)', async () => {
    const r = await statusOf({ 'deploy.sh': heredocPatch('JSON', '[{"op":"replace","path":"/spec/containers/0/readinessProbe/tcpSocket/port","value":$PORT}]') });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/deploy\.sh:2 patches this probe's object with kubectl \(the patch \$\(cat <<JSON \[\{"op"[^\n]*known only at run time/);
    expect(r.message).not.toContain('\n');
  });

  test('a kubectl patch file held by its command keeps the patch hint, not the loose Helm values one (p03)', async () => {
    const { findings } = await run({
      cwd: repoWith({
        'k8s/pod.yaml': POD,
        'deploy.sh': '#!/bin/sh\nkubectl patch pod p --patch-file=patches/liveness.yaml\n',
        'patches/liveness.yaml': 'spec:\n  containers:\n  - name: c\n    livenessProbe:\n      exec:\n        command: [/bin/grpc_health_probe, -addr=:5000]\n',
      }),
    });
    const f = findings.find((x) => x.file === 'patches/liveness.yaml' && x.ruleId === 'kubernetes-exec-probe');
    expect(f?.status).toBe('blocked');
    expect(f?.hint).toMatch(/^Change the patch to give the probe grpc/);
  });

  test('a strategic merge patch of an init container holds no probe of the container of that name (j06)', async () => {
    const patch = (list: string) => `kubectl patch pod p -p '{"spec":{"${list}":[{"name":"c","readinessProbe":{"exec":{"command":["true"]}}}]}}'`;
    expect((await statusOf({ 'deploy.sh': `#!/bin/sh\n${patch('initContainers')}\n` })).status).toBe('migratable');
    expect((await statusOf({ 'deploy.sh': `#!/bin/sh\n${patch('containers')}\n` })).message).toContain('deploy.sh:2 patches this probe with kubectl (a strategic merge patch that keeps it on exec)');
  });
});

describe('a make variable exported to the recipe\'s shell, read there as $$NAME (hunt22 E6)', () => {
  /** A rule whose recipe runs the patch with `word` (as the Makefile spells it) for kubectl. */
  const patchBy = (word: string) => `deploy:\n\t${word} ${PATCH.slice('kubectl '.length)}\n`;
  test.each([
    ['export KC := kubectl', 'export KC := kubectl\n', '$$KC'],
    ['KC = kubectl, then export KC', 'KC = kubectl\nexport KC\n', '$${KC}'],
    ['export KC on a line of names, before the assignment', 'export NS KC\nKC ?= kubectl\n', '"$$KC"'],
    ['override export', 'override export KC = kubectl\n', '"$${KC}"'],
    ['export alone (every variable)', 'KC := kubectl\nexport\n', '$$KC'],
    ['.EXPORT_ALL_VARIABLES:', '.EXPORT_ALL_VARIABLES:\nKC := kubectl\n', '$$KC'],
  ])('%s: the patch holds, and a set env', async (_name, head, word) => {
    const line = head.split('\n').length + 1;
    const patched = await statusOf({ Makefile: head + patchBy(word) });
    expect(patched.status).toBe('blocked');
    expect(patched.message).toContain(`Makefile:${line} patches this probe's exec with kubectl`);
    const env = await envStatus({ Makefile: `${head}deploy:\n\t${word} set env deployment/api GRPC_PORT=9090\n` });
    expect(env.message).toContain(`Makefile:${line} sets the env of this probe's object with kubectl set env (GRPC_PORT)`);
  });
});

describe('hunt22 E6: which make variables the recipe\'s shell reads, and the controls', () => {
  /** A recipe that patches the pod `$$POD` names: the probe's pod is `p`. */
  const byPod = (head: string) => `${head}deploy:\n\tkubectl patch pod $$POD --type=json -p ${JSON_OP}\n`;

  test('an exported value naming another pod patches that pod: the probe migrates (so the value is read, not taken for any pod)', async () => {
    for (const head of ['export POD := q\n', 'POD = q\nexport POD\n', '.EXPORT_ALL_VARIABLES:\nPOD := q\n']) expect((await statusOf({ Makefile: byPod(head) })).status).toBe('migratable');
    // Exported as p, or given as p by a make run of the repository (its command line: exported in that run): held.
    expect((await statusOf({ Makefile: byPod('export POD := p\n') })).message).toContain("Makefile:3 patches this probe's exec with kubectl");
    expect((await statusOf({ Makefile: byPod('export POD ?= q\n'), 'scripts/deploy.sh': '#!/bin/sh\nmake deploy POD=p\n' })).status).toBe('blocked');
  });

  test('controls: a variable make does not export is the environment\'s, known only at run time (make gives it its value where the caller has the name): the safe side, held', async () => {
    // Not exported; exported then unexported; unexported by name under export-all; exported only in a conditional.
    for (const head of ['POD := q\n', 'export POD := q\nunexport POD\n', 'export\nPOD := q\nunexport POD\n', 'POD := q\nifdef CI\nexport POD\nendif\n']) {
      expect((await statusOf({ Makefile: byPod(head) })).status).toBe('blocked');
    }
    // What a make reference reads is make's own value, exported or not.
    expect((await statusOf({ Makefile: 'POD := q\ndeploy:\n\tkubectl patch pod $(POD) --type=json -p ' + JSON_OP + '\n' })).status).toBe('migratable');
  });

  test('an export list continued onto the next lines (`export \\` / `  POD`) exports its names, as make joins the lines (review24 R6)', async () => {
    expect((await statusOf({ Makefile: byPod('POD := q\nexport \\\n  NS \\\n  POD\n') })).status).toBe('migratable');
    expect((await statusOf({ Makefile: byPod('POD := q\r\nexport NS \\\r\n\tPOD\r\n') })).status).toBe('migratable');
    // Control: the continued line is part of a value, no directive.
    expect((await statusOf({ Makefile: byPod('POD := q\nV = a \\\nexport POD\n') })).status).toBe('blocked');
  });

  test('80 KB Makefile lines (an export list, a value, a run of backslashes) are read in one pass (review24 R1; not a speed target: a guard against quadratic regexes, seconds before; under the 256 KB the tool reads for commands)', async () => {
    const long = ' '.repeat(80_000);
    const head = `export LONG${long}y\nV = a${long}b\nW = 1 ${'\\'.repeat(80_000)}x\nexport POD := q\n`;
    const started = Date.now();
    const r = await statusOf({ Makefile: byPod(head) });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.status).toBe('migratable');
  });

  test('a 200 KB line of colons before a = is read in linear time (under the 256 KB the tool reads for commands); the rule after it still patches the probe (not a speed target: a guard against quadratic backtracking, 4 s at 100 KB before)', async () => {
    const started = Date.now();
    const r = await statusOf({ Makefile: byPod(`V${':'.repeat(200_000)}=x\nexport POD := p\n`) });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.message).toContain("Makefile:4 patches this probe's exec with kubectl");
    // Control: a short one, as make reads it.
    expect((await statusOf({ Makefile: byPod('V::=x\nexport POD := p\n') })).message).toContain("Makefile:4 patches this probe's exec with kubectl");
  });

  test('a variable the Makefile does not export, given on make\'s command line or in its environment by a run of the repository: exported in that run', async () => {
    const makefile = `KC ?= kubectl\ndeploy:\n\t$$KC ${PATCH.slice('kubectl '.length)}\n`;
    for (const run of ['make deploy KC=kubectl', 'KC=kubectl make deploy', 'env KC=kubectl make -e deploy']) {
      expect((await statusOf({ Makefile: makefile, 'scripts/deploy.sh': `#!/bin/sh\n${run}\n` })).message).toContain("Makefile:3 patches this probe's exec with kubectl");
    }
  });
});

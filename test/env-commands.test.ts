/**
 * Commands that change the env a probe reads (src/kubernetes/env-commands.ts, read by
 * src/kubernetes/patch-commands.ts) and what the patch readers read from a command's standard
 * input: the spellings that hold the probe, and what holds nothing (hunt 11: K1, K4, K5, K7, K8,
 * K9, K11).
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const container = (name: string, port: string, probe: boolean) =>
  `        - name: ${name}\n          image: example/${name}:1.0\n          env:\n            - name: GRPC_PORT\n              value: "${port}"\n` +
  (probe ? `          readinessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:$(GRPC_PORT)"]\n` : '');
const deployment = (kind: string, apiVersion: string, containers: string) =>
  `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n${containers}`;
const DEPLOY = deployment('Deployment', 'apps/v1', container('web', '50051', true));
const DC = deployment('DeploymentConfig', 'apps.openshift.io/v1', container('web', '50051', true));
/** The probe's container at index 1, a sidecar (its own GRPC_PORT) at 0. */
const TWO = deployment('Deployment', 'apps/v1', container('sidecar', '7000', false) + container('web', '50051', true));

const OP = (p: string) => `[{"op":"replace","path":"${p}","value":"9090"}]`;
const EXEC_OP = `'[{"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/exec/command/1","value":"-addr=:9090"}]'`;

async function statusOf(files: Record<string, string>, manifest = DEPLOY, file = 'k8s/deploy.yaml'): Promise<{ status?: string; message?: string }> {
  const { findings } = await run({ cwd: repoWith({ [file]: manifest, ...files }) });
  const f = findings.find((x) => x.file === file && x.ruleId === 'kubernetes-exec-probe');
  return { status: f?.status, message: f?.message };
}

const script = (line: string) => ({ 'scripts/deploy.sh': `#!/bin/bash\nset -e\nkubectl apply -f k8s/\n${line}\n` });

describe('kubectl set env spellings', () => {
  test.each([
    ['-k DIR', 'kubectl set env -k k8s GRPC_PORT=9090'],
    ['-k a path', 'kubectl set env -k deploy/overlays/prod GRPC_PORT=9090'],
    ['a bare --dry-run (no value)', 'kubectl set env deployment/web --dry-run GRPC_PORT=9090 -o yaml | kubectl apply -f -'],
    ['set -n NS env', 'kubectl set -n default env deployment/web GRPC_PORT=9090'],
    ['set --namespace=NS env', 'kubectl set --namespace=default env deployment/web GRPC_PORT=9090'],
    ['set \\⏎ env', 'kubectl set \\\n  env deployment/web GRPC_PORT=9090'],
    ['a lone - (settings from stdin)', 'kubectl set env deployment/web - < ports.env'],
    ['-f - (objects from stdin)', 'kubectl set env -f - GRPC_PORT=9090 < k8s/deploy.yaml'],
    ['-f /dev/stdin', 'kubectl set env -f /dev/stdin GRPC_PORT=9090 < k8s/deploy.yaml'],
    ['-f an absolute path outside the repository', 'kubectl set env -f /tmp/rendered.yaml GRPC_PORT=9090'],
    ['xargs -I{} with {} as the object', 'echo deployment/web | xargs -I{} kubectl set env {} GRPC_PORT=9090'],
    ['$KUBECTL of two words', 'KUBECTL="kubectl --context prod"\n$KUBECTL set env deployment/web GRPC_PORT=9090'],
  ])('holds the probe: %s', async (_name, line) => {
    const r = await statusOf(script(line));
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:\d+ sets the env of this probe's object with kubectl set env/);
  });

  test('--dry-run=server keeps its value in its word: the settings after it are read', async () => {
    expect((await statusOf(script('kubectl set env deployment/web --dry-run=server LOG_LEVEL=debug'))).status).toBe('migratable');
    expect((await statusOf(script('kubectl set env deployment/web --dry-run LOG_LEVEL=debug'))).status).toBe('migratable');
  });

  test('oc set env dc/NAME and oc patch dc/NAME hold a DeploymentConfig; a Deployment of that name is not one', async () => {
    const dc = { 'openshift/dc.yaml': DC };
    const setEnv = { 'scripts/deploy.sh': 'oc apply -f openshift/\noc set env dc/web GRPC_PORT=9090\n' };
    expect((await statusOf({ ...dc, ...setEnv }, DC, 'openshift/dc.yaml')).message).toContain('scripts/deploy.sh:2 sets the env of this probe\'s object with oc set env (GRPC_PORT)');
    const patch = { 'scripts/deploy.sh': `oc patch dc/web --type=json -p ${EXEC_OP}\n` };
    expect((await statusOf(patch, DC, 'openshift/dc.yaml')).message).toContain("scripts/deploy.sh:1 patches this probe's exec");
    expect((await statusOf(setEnv)).status).toBe('migratable');
  });

  test('xargs -I{} kubectl patch {} holds the probe its op addresses', async () => {
    const r = await statusOf(script(`echo deployment/web | xargs -I{} kubectl patch {} --type json -p ${EXEC_OP}`));
    expect(r.message).toMatch(/scripts\/deploy\.sh:4 patches this probe's exec/);
  });
});

describe('a patch from the command\'s standard input', () => {
  test.each([
    ['--patch-file /dev/stdin fed by a pipe', `echo '${OP('/spec/template/spec/containers/0/readinessProbe/exec/command/1')}' | kubectl patch deployment web --type json --patch-file=/dev/stdin`],
    ['-p "$(cat /dev/stdin)" from a file', 'kubectl patch deployment web --type json -p "$(cat /dev/stdin)" < patch.json'],
    ['--patch-file /proc/self/fd/0', 'kubectl patch deployment web --type json --patch-file /proc/self/fd/0 < patch.json'],
    ['--patch-file of an absolute path outside the repository', 'kubectl patch deployment web --type json --patch-file /etc/patch.json'],
  ])('is known only at run time: any probe of its target is held (%s)', async (_name, line) => {
    const r = await statusOf(script(line));
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/known only at run time|a file not found here/);
  });

  test('a here-document given to --patch-file /dev/stdin (or to a cat piped to it) is read as the patch', async () => {
    const heredoc = (op: string) => script(`kubectl patch deployment web --type json --patch-file /dev/stdin <<'JSON'\n${op}\nJSON`);
    expect((await statusOf(heredoc(OP('/spec/template/spec/containers/0/readinessProbe/exec/command/1')))).message).toContain("scripts/deploy.sh:4 patches this probe's exec with kubectl (a JSON patch replace op at /spec/template/spec/containers/0/readinessProbe/exec/command/1)");
    // Read, it addresses another probe: nothing held.
    expect((await statusOf(heredoc(OP('/spec/template/spec/containers/0/livenessProbe/exec/command/1')))).status).toBe('migratable');
    const piped = script(`cat <<'JSON' | kubectl patch deployment web --type json -p "$(cat /dev/stdin)"\n${OP('/spec/template/spec/containers/0/env/0/value')}\nJSON`);
    expect((await statusOf(piped)).message).toContain("scripts/deploy.sh:4 patches the env of this probe's object with kubectl patch");
  });

  test('a run whose stdin stays open (a terminal, a pipe) does not wait for it', async () => {
    const cwd = repoWith({ 'k8s/deploy.yaml': DEPLOY, ...script('kubectl patch deployment web --type json --patch-file /dev/stdin < patch.json\nkubectl patch deployment web --type json -p "$(cat /dev/stdin)"\nmake -f /dev/stdin') });
    const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'grpc-probe-migrate.js');
    // Its stdin a pipe never written to nor closed: a read of it would block until the timer kills it.
    const child = spawn(process.execPath, [bin, '.'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    clearTimeout(timer);
    child.stdin.destroy();
    expect(signal).toBeNull();
    expect(code).toBe(0);
    expect(out).toMatch(/blocked/);
  }, 40_000);
});

describe('edits of the env value', () => {
  test.each([
    ['yq -i --from-file', 'yq -i --from-file scripts/port.yq k8s/deploy.yaml', { 'scripts/port.yq': '(.spec.template.spec.containers[] | select(.name == "web") | .env[] | select(.name == "GRPC_PORT") | .value) = "9090"\n' }],
    ['yq -i --from-file not found', 'yq -i --from-file scripts/missing.yq k8s/deploy.yaml', {}],
    ['yq setpath', `yq -i 'setpath(["spec","template","spec","containers",0,"env",0,"value"]; "9090")' k8s/deploy.yaml`, {}],
    ['sed -i on the env value', 'sed -i "s/value: \\"50051\\"/value: \\"${PORT:-9090}\\"/" k8s/deploy.yaml', {}],
    ['sed -i naming the variable', 'sed -i "s/GRPC_PORT/PORT/" k8s/deploy.yaml # value: renamed', {}],
  ])('holds the probe: %s', async (_name, line, files) => {
    const r = await statusOf({ ...script(line), ...files });
    expect(r.status).toBe('blocked');
    expect(r.message).toMatch(/scripts\/deploy\.sh:4 (?:edits (?:the env|an env entry)|may edit the env) of this probe's object/);
  });

  test.each([
    ['sed -i on another file', 'sed -i "s/value: \\"50051\\"/value: \\"9090\\"/" k8s/other.yaml'],
    ['sed -i on an image (value: elsewhere in the script)', 'sed -i "s/image: a/image: b/" k8s/deploy.yaml # value: x'],
    ['sed -i naming another variable', 'sed -i "s/LOG_LEVEL/LEVEL/" k8s/deploy.yaml # value: x'],
  ])('holds nothing: %s', async (_name, line) => {
    expect((await statusOf(script(line))).status).toBe('migratable');
  });
});

describe('a JSON op into containers/N/env holds the probes of that container only', () => {
  test('index 0 is the sidecar: the web container\'s probe migrates; index 1 holds it', async () => {
    const line = (n: number) => script(`kubectl patch deployment web --type json -p '${OP(`/spec/template/spec/containers/${n}/env/0/value`)}'`);
    expect((await statusOf(line(0), TWO)).status).toBe('migratable');
    expect((await statusOf(line(1), TWO)).message).toContain("scripts/deploy.sh:4 patches the env of this probe's object");
    // `-` (appended) names no container: any.
    expect((await statusOf(script(`kubectl patch deployment web --type json -p '[{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"GRPC_PORT","value":"1"}}]'`), TWO)).status).toBe('migratable');
  });

  test('an earlier op of the patch that adds, removes or moves a container shifts the index: any container is held (review20 #6)', async () => {
    // After the add at 0, web (index 1 in the file) is at 2.
    const add = `{"op":"add","path":"/spec/template/spec/containers/0","value":{"name":"proxy","image":"envoy:1"}}`;
    const env = `{"op":"replace","path":"/spec/template/spec/containers/2/env/0/value","value":"9090"}`;
    expect((await statusOf(script(`kubectl patch deployment web --type json -p '[${add},${env}]'`), TWO)).status).toBe('blocked');
    const remove = `{"op":"remove","path":"/spec/template/spec/containers/0"}`;
    const env0 = `{"op":"replace","path":"/spec/template/spec/containers/0/env/0/value","value":"9090"}`;
    expect((await statusOf(script(`kubectl patch deployment web --type json -p '[${remove},${env0}]'`), TWO)).status).toBe('blocked');
  });
});

test('a patch file named by a relative path that leaves the repository is the deploy host\'s: known only at run time, it holds (review20 #3)', async () => {
  // A patch that says nothing of probes, beside the checkout (test repositories are sibling folders).
  const outside = repoWith({ 'patch.json': '[{"op":"replace","path":"/spec/replicas","value":3}]\n' });
  const rel = `../${path.basename(outside)}/patch.json`;
  const cwd = repoWith({ 'k8s/deploy.yaml': DEPLOY, 'deploy.sh': `#!/bin/bash\nkubectl patch deployment web --type json --patch-file ${rel}\n` });
  expect(path.resolve(cwd, rel)).toBe(path.join(outside, 'patch.json'));
  const { findings } = await run({ cwd });
  const at = findings.find((f) => f.file === 'k8s/deploy.yaml');
  expect(at?.status).toBe('blocked');
  expect(at?.blockers).toEqual(['overlay-patch']);
  expect(at?.message).toContain(`--patch-file ${rel}, a file outside the repository (the deploy host's), known only at run time`);
});

describe('texts the tool reads only as text: a Tiltfile, a PowerShell script (the text net)', () => {
  test.each([
    ['a Tiltfile local_resource', { Tiltfile: "local_resource('port', cmd='kubectl set env deployment/web GRPC_PORT=9090')\n" }, 'Tiltfile:1'],
    ['a PowerShell script', { 'deploy.ps1': 'kubectl apply -f k8s/\nkubectl set env deployment/web GRPC_PORT=9090\n' }, 'deploy.ps1:2'],
    ['a PowerShell script, settings from --from', { 'deploy.ps1': 'kubectl set env deployment/web --from=configmap/ports\n' }, 'deploy.ps1:1'],
    ['a Makefile with .RECIPEPREFIX (its recipes not read)', { Makefile: '.RECIPEPREFIX = >\nport:\n> $(KUBECTL) set env deployment/web GRPC_PORT=9090\n' }, 'Makefile:3'],
  ])('holds a probe that reads a variable it sets: %s', async (_name, files, where) => {
    const r = await statusOf(files as Record<string, string>);
    expect(r.status).toBe('blocked');
    expect(r.message).toContain(`${where} sets an object's env with kubectl set env`);
  });

  test('another variable holds nothing', async () => {
    expect((await statusOf({ 'deploy.ps1': 'kubectl set env deployment/web LOG_LEVEL=debug\n' })).status).toBe('migratable');
  });

  test.each([
    ['a PowerShell script', { 'deploy.ps1': 'kubectl set env deployment/web GRPC_PORT=9090\n' }, 'deploy.ps1:1'],
    ['set -n NS env (git searches the scripts)', script('kubectl set -n default env deployment/web GRPC_PORT=9090'), 'scripts/deploy.sh:4'],
    ['set \\⏎ env (git searches lines)', script('kubectl set \\\n  env deployment/web GRPC_PORT=9090'), 'scripts/deploy.sh:4'],
    ['another tool\'s YAML: set -n NS env in a CircleCI step (the YAML readers\' search)', { '.circleci/config.yml': 'version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: kubectl set -n default env deployment/web GRPC_PORT=9090\n' }, '.circleci/config.yml:5'],
    ['another tool\'s YAML: a sed of the env value in a CircleCI step', { '.circleci/config.yml': 'version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: \'sed -i "s/value: \\"50051\\"/value: \\"9090\\"/" k8s/deploy.yaml\'\n' }, '.circleci/config.yml:5'],
    ['a sed of the env value', script('sed -i "s/value: \\"50051\\"/value: \\"9090\\"/" k8s/deploy.yaml'), 'scripts/deploy.sh:4'],
  ])('a one-file run of the manifest in a git checkout holds as the whole run does: %s', async (_name, extra, where) => {
    const files: Record<string, string> = { 'k8s/deploy.yaml': DEPLOY, ...(extra as Record<string, string>) };
    for (let i = 0; i < 120; i++) Object.assign(files, { [`other/s-${i}.sh`]: `#!/bin/sh\necho ${i}\n`, [`other/c-${i}.yaml`]: `a: ${i}\n` });
    const cwd = repoWith(files);
    execFileSync('git', ['-C', cwd, 'init', '-q'], { stdio: 'ignore' });
    execFileSync('git', ['-C', cwd, 'add', '-A'], { stdio: 'ignore' });
    for (const paths of [['.'], ['k8s/deploy.yaml']]) {
      const { findings } = await run({ cwd, paths, ...(paths[0] !== '.' ? { partialView: 'a file list' } : {}) });
      const f = findings.find((x) => x.file === 'k8s/deploy.yaml' && x.ruleId === 'kubernetes-exec-probe');
      expect(f?.status).toBe('blocked');
      expect(f?.message).toContain(where);
    }
  }, 60_000);
});

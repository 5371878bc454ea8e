/**
 * The patch and env readers (src/kubernetes/patch-commands.ts, env-commands.ts) on the texts hunt14
 * found them silent on: a script the shell parser refuses (too large, a syntax error: A3), kubectl
 * through a wrapper (A1), and Makefile recipes outside tab lines (A5).
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, repoWith } from './support/repo.js';

async function statusOf(files: Record<string, string>, manifest = POD, file = 'k8s/pod.yaml'): Promise<{ status?: string; message?: string }> {
  const { findings } = await run({ cwd: repoWith({ [file]: manifest, ...files }) });
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
const envStatus = (files: Record<string, string>) => statusOf(files, ENV_DEPLOY, 'k8s/deploy.yaml');

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

/**
 * The repository's meshed Namespaces (src/kubernetes/namespaces.ts) are found through the YAML
 * readers' git search when a checkout has many YAML files (MESH_PATTERN is one of its
 * alternatives), as when every manifest was read: a one-file run over a Deployment in a Linkerd
 * Namespace with a deny policy keeps its probe on exec.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const NS = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: emojivoto\n  annotations:\n    linkerd.io/inject: enabled\n    config.linkerd.io/default-inbound-policy: deny\n`;
const deploy = (ns: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ${ns}}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: acme/web\n          ports: [{containerPort: 8080}]\n          readinessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:8080"]\n`;

async function statusIn(ns: string): Promise<string | undefined> {
  const files: Record<string, string> = { 'k8s/ns.yaml': NS, 'k8s/web.yaml': deploy(ns) };
  for (let i = 0; i < 120; i++) files[`other/cfg-${i}.yaml`] = `a: ${i}\n`;
  const cwd = repoWith(files);
  execFileSync('git', ['-C', cwd, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', cwd, 'add', '-A'], { stdio: 'ignore' });
  const { findings } = await run({ cwd, paths: ['k8s/web.yaml'], partialView: 'a file list' });
  return findings.find((f) => f.file === 'k8s/web.yaml' && f.ruleId === 'kubernetes-exec-probe')?.status;
}

describe('meshed Namespaces found through the YAML readers\' search', () => {
  test('a Deployment in the meshed Namespace stays on exec; one in another namespace migrates', async () => {
    expect(await statusIn('emojivoto')).toBe('blocked');
    expect(await statusIn('other')).toBe('migratable');
  }, 60_000);
});

/**
 * A quoted hostNetwork (`"true"`, `'false'`, `{{ .Values.x | quote }}`) is a string in a bool field:
 * the API server rejects the pod, so the hint says to write it unquoted, not the general `host`
 * hint about remote dependencies and listen addresses (fixture kubernetes-exec-probe/host-network-quoted).
 */
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { QUOTED_HOST_NETWORK_HINT } from '../src/blockers.js';
import { copyOf, ROOT } from './support/repo.js';

test('every probe held by a quoted hostNetwork gets the hint for it, in manifests, JSON, templates and values', async () => {
  const dir = copyOf(path.join(ROOT, 'fixtures/kubernetes-exec-probe/host-network-quoted/input'));
  const { findings } = await run({ cwd: dir });
  const quoted = findings.filter((f) => f.message.includes('hostNetwork is a quoted string'));
  expect(quoted.map((f) => `${f.file}:${f.line}`).sort()).toEqual([
    'chart/templates/daemonset.yaml:12',
    'chart/templates/quoted-action.yaml:14',
    'chart/values.yaml:3',
    'k8s/pod.json:8',
    'k8s/pods.yaml:11',
    'k8s/pods.yaml:22',
  ]);
  for (const f of quoted) expect(f.hint).toBe(QUOTED_HOST_NETWORK_HINT);
});

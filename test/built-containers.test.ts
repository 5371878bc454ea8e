/**
 * src/kustomize/built-containers.ts: the containers of an object as a Kustomize build writes them,
 * patch by patch. Each case is built with `kubectl kustomize` too, and the last step must say what
 * kubectl built: the containers' order, their args and command, and their env (names, values,
 * which entries are valueFrom) in kubectl's order (a strategic-merge patch's items first).
 * kubectl is required (CI has it at /usr/bin/kubectl).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { isMap } from '../src/parse/yaml-lib.js';
import { parseYaml } from '../src/parse/yaml.js';
import { containerSteps, listenView, type ContainerWrite } from '../src/kustomize/built-containers.js';

const BASE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
        args: ["--listen=$(LISTEN_HOST):5001"]
        env:
        - {name: A, value: a}
        - name: LISTEN_HOST
          value: 0.0.0.0
        - {name: Z, value: z}
`;

/** A strategic-merge patch of web's containers, or a JSON 6902 op list. */
type Patch = { smp: string } | { ops: string };

const smp = (containers: string): Patch => ({
  smp: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n${containers.replace(/^/gm, '      ')}\n`,
});

interface Seen {
  name: string | undefined;
  args: (string | undefined)[];
  command: (string | undefined)[];
  env: { name: string | undefined; value: string | undefined; from: boolean }[];
}

function kubectlBuilt(patches: Patch[]): Seen[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'built-containers-'));
  fs.mkdirSync(path.join(dir, 'base'));
  fs.mkdirSync(path.join(dir, 'overlay'));
  fs.writeFileSync(path.join(dir, 'base', 'deploy.yaml'), BASE);
  fs.writeFileSync(path.join(dir, 'base', 'kustomization.yaml'), 'resources:\n- deploy.yaml\n');
  const entries = patches.map((p, i) => {
    fs.writeFileSync(path.join(dir, 'overlay', `p${i}.yaml`), 'smp' in p ? p.smp : p.ops);
    return 'smp' in p ? `- path: p${i}.yaml` : `- path: p${i}.yaml\n  target: {kind: Deployment, name: web}`;
  });
  fs.writeFileSync(path.join(dir, 'overlay', 'kustomization.yaml'), `resources:\n- ../base\npatches:\n${entries.join('\n')}\n`);
  const r = spawnSync('kubectl', ['kustomize', path.join(dir, 'overlay')], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.error) throw new Error(`kubectl is needed for this test and could not run (${r.error.message}); install kubectl`);
  if (r.status !== 0) throw new Error(`kubectl kustomize failed: ${r.stderr}`);
  const d = parseAllDocuments(r.stdout)[0]!.toJS() as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
  return d.spec.template.spec.containers.map((c) => ({
    name: c.name as string,
    args: ((c.args ?? []) as unknown[]).map(String),
    command: ((c.command ?? []) as unknown[]).map(String),
    env: ((c.env ?? []) as { name: string; value?: unknown; valueFrom?: unknown }[]).map((e) => ({ name: e.name, value: e.valueFrom ? undefined : String(e.value ?? ''), from: e.valueFrom !== undefined })),
  }));
}

function folded(patches: Patch[]): Seen[] {
  const root = parseYaml(BASE).docs[0]!.contents;
  if (!isMap(root)) throw new Error('base');
  const writes: ContainerWrite[] = patches.map((p, i) => {
    const text = 'smp' in p ? p.smp : p.ops;
    const contents = parseYaml(text).docs[0]!.contents;
    const entry = { text, file: `/p${i}.yaml`, json6902: !('smp' in p), editable: true };
    return 'smp' in p && isMap(contents) ? { entry, doc: 0, root: contents } : { entry, doc: 0, ops: contents };
  });
  const steps = containerSteps(root, writes);
  return steps[steps.length - 1]!.containers.map((c) => {
    const view = listenView(c);
    return {
      name: c.name,
      args: view.lists.find((l) => l.key === 'args')!.items,
      command: view.lists.find((l) => l.key === 'command')!.items,
      env: view.env.map((e, i) => ({ name: e.name, value: e.value, from: c.env[i]!.from !== undefined })),
    };
  });
}

test.each<[string, Patch[]]>([
  ['env entries merged by name: the patch\'s first, in its order, then the base\'s others', [smp('- name: app\n  env: [{name: B, value: b}]'), smp('- name: app\n  env: [{name: LISTEN_HOST, value: "127.0.0.1"}, {name: C, value: c}]')]],
  ['a value taken away for a valueFrom (value: null), an entry deleted', [smp('- name: app\n  env:\n  - name: LISTEN_HOST\n    value: null\n    valueFrom: {configMapKeyRef: {name: net, key: host}}\n  - {name: Z, $patch: delete}')]],
  ['the env list replaced ($patch: replace), args replaced whole', [smp('- name: app\n  args: ["--port", "5001"]\n  env:\n  - $patch: replace\n  - {name: BIND, value: "127.0.0.1"}')]],
  ['containers a patch adds come before the base\'s; an op writes one by its index there', [
    smp('- name: side\n  image: s\n  args: ["--bind", "127.0.0.1"]'),
    { ops: '- op: add\n  path: /spec/template/spec/containers/1/env/-\n  value: {name: LISTEN_HOST, value: localhost}\n' },
  ]],
  ['a container a patch names with the base\'s comes in the patch\'s order', [smp('- name: app\n  command: ["/server"]\n- name: side\n  image: s')]],
  ['JSON 6902 ops on env values, items and args', [
    {
      ops: [
        '- op: replace\n  path: /spec/template/spec/containers/0/env/1/value\n  value: 127.0.0.1',
        '- op: remove\n  path: /spec/template/spec/containers/0/env/0',
        '- op: add\n  path: /spec/template/spec/containers/0/env/0\n  value: {name: P, valueFrom: {configMapKeyRef: {name: c, key: p}}}',
        '- op: replace\n  path: /spec/template/spec/containers/0/args/0\n  value: "--listen=$(LISTEN_HOST):$(P)"',
        '- op: add\n  path: /spec/template/spec/containers/0/args/-\n  value: "--v=2"',
      ].join('\n'),
    },
  ]],
  ['a JSON 6902 op giving an entry a valueFrom', [{ ops: '- op: replace\n  path: /spec/template/spec/containers/0/env/1\n  value: {name: LISTEN_HOST, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n' }]],
])('%s: as kubectl kustomize builds it', (_name, patches) => {
  expect(folded(patches)).toEqual(kubectlBuilt(patches));
});

test('what the tool cannot follow leaves the env unread after it: a copy into env, a value that is not a string', () => {
  const copied = folded([{ ops: '- op: copy\n  from: /metadata/name\n  path: /spec/template/spec/containers/0/env/1/value\n' }]);
  expect(copied[0]!.env[copied[0]!.env.length - 1]).toEqual({ name: undefined, value: '', from: false });
  const mapValue = folded([{ ops: '- op: replace\n  path: /spec/template/spec/containers/0/env/1/value\n  value: {a: b}\n' }]);
  expect(mapValue[0]!.env[1]).toEqual({ name: 'LISTEN_HOST', value: undefined, from: false });
});

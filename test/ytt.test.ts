import { expect, test } from '@jest/globals';
import { classify } from '../src/classify.js';
import { isYttText } from '../src/ytt/detect.js';

test('ytt annotations, code lines and #@ values make a YAML file a ytt file; plain comments and Helm templates do not', () => {
  const ytt = [
    '#@ load("@ytt:data", "data")\n---\na: 1\n',
    '#@overlay/match by=overlay.all\n---\nspec: {}\n',
    '#@data/values\n---\nport: 50051\n',
    '#@schema/desc "the port"\nport: 0\n',
    'a:\n  #@ if data.values.on:\n  b: 1\n  #@ end\n',
    '#@ for x in data.values.xs:\n- a\n#@ end\n',
    '#@ def probe():\nexec: {}\n#@ end\n',
    'metadata:\n  name: #@ svc.name\n',
    'command:\n  - /bin/grpc_health_probe\n  - #@ "-addr=:{}".format(svc.port)\n',
    '- name: #@ svc.name\n',
  ];
  const plain = [
    '# @owner platform\napiVersion: v1\n',
    '# a comment #@ that is not an annotation\na: 1\n',
    'a: "#@ in a string"\n',
    '#@todo: later\na: 1\n',
    'a: {{ .Values.x }}\n',
    'a: 1 # @ x\n',
  ];
  for (const t of ytt) expect({ t, ytt: isYttText(t) }).toEqual({ t, ytt: true });
  for (const t of plain) expect({ t, ytt: isYttText(t) }).toEqual({ t, ytt: false });
});

test('a ytt file is classified as no kind the tool rewrites, whatever its name; a Helm template stays one', () => {
  const overlay = '#@ load("@ytt:overlay", "overlay")\n#@overlay/match by=overlay.all\n---\nspec: {}\n';
  expect(classify('config/overlay.yaml', overlay)).toBe('other');
  expect(classify('values.yaml', '#@data/values\n---\nport: 1\n')).toBe('other');
  expect(classify('docker-compose.yml', '#@ load("@ytt:data", "data")\nservices:\n  api:\n    image: #@ data.values.image\n')).toBe('other');
  expect(classify('config/overlay.yaml')).toBe('yaml');
  expect(classify('config/deploy.yaml', 'apiVersion: v1\n# @owner x\n')).toBe('yaml');
  expect(classify('chart/templates/deploy.yaml', '#@ x = 1\nname: {{ .Values.name }}\n')).toBe('helm-template');
});

test('a literal overlay.subset argument is read as Starlark writes it; anything else is not a literal', async () => {
  const { starlarkLiteral } = await import('../src/ytt/overlays.js');
  expect(starlarkLiteral(`{"kind": "Deployment", 'metadata': {"name": "api",}}`)).toEqual({ kind: 'Deployment', metadata: { name: 'api' } });
  expect(starlarkLiteral('{"spec": {"replicas": 2, "paused": False}}')).toEqual({ spec: { replicas: 2, paused: false } });
  expect(starlarkLiteral('{"metadata": {"name": data.values.name}}')).toBeUndefined();
  expect(starlarkLiteral('{"kind": "Deployment"')).toBeUndefined();
});

test('a ytt command continued over lines (`ytt \\` then `-f config -f overlays`) is found by git\'s line-at-a-time search: its overlay.all holds the base (hunt12 N2)', async () => {
  const { run } = await import('../src/engine.js');
  const { checkoutWith } = await import('./support/repo.js');
  const base = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cfg\nspec:\n  selector:\n    matchLabels: {app: cfg}\n  template:\n    metadata:\n      labels: {app: cfg}\n    spec:\n      containers:\n        - name: api\n          image: example/api:1\n          readinessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:50051"]\n';
  const overlay = '#@ load("@ytt:overlay", "overlay")\n#@overlay/match by=overlay.all, expects="1+"\n---\nspec:\n  template:\n    spec:\n      containers:\n      #@overlay/match by="name"\n      - name: api\n        readinessProbe:\n          exec:\n            #@overlay/replace\n            command: ["/bin/grpc_health_probe", "-addr=:50051", "-tls"]\n';
  const cwd = checkoutWith({ 'deploy.sh': '#!/bin/sh\nset -e\ncd deploy\nytt \\\n  -f config -f overlays | kubectl apply -f -\n', 'deploy/config/deploy.yaml': base, 'deploy/overlays/probe.yml': overlay,
    // Plain YAML beside the overlay: without the command, its scope would be its own folder.
    'deploy/overlays/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: api\n',
  });
  const result = await run({ cwd, paths: ['.'] });
  const probe = result.findings.find((f) => f.file === 'deploy/config/deploy.yaml');
  expect(probe?.status).toBe('blocked');
  expect(probe?.message).toContain('the ytt overlay deploy/overlays/probe.yml');
}, 60_000);

/**
 * A name a kustomization renames runs as written where a deployed kustomization builds the file
 * through no renaming one (src/docker/images.ts reachOf), even when the same kustomization also
 * reaches a renaming one another way. A test file rather than a fixture: test/fuzz.test.ts picks
 * its seeded cases by their index among the fixtures' files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const DOCKERFILE = 'FROM alpine:3.19\nRUN wget -qO/bin/grpc_health_probe  && chmod +x /bin/grpc_health_probe\nCOPY app /app\nENTRYPOINT ["/app"]\n';
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: payments}
spec:
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments}}
    spec:
      containers:
      - name: payments
        image: payments
        readinessProbe:
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:5000", "-tls", "-tls-ca-cert=/c/ca.pem"]
`;

function tree(deployed: string, extra: Record<string, string>): string {
  return repoWith({
    'skaffold.yaml': `apiVersion: skaffold/v4beta6\nkind: Config\nbuild:\n  artifacts:\n  - image: gcr.io/acme/payments\n    context: payments\n  - image: gcr.io/acme/orders\n    context: orders\nmanifests:\n  kustomize:\n    paths: [${deployed}]\n`,
    'k8s/base/deploy.yaml': DEPLOY,
    'k8s/base/kustomization.yaml': 'resources: [deploy.yaml]\n',
    'k8s/overlays/prod/kustomization.yaml': 'resources: [../../base]\nimages:\n- name: payments\n  newName: gcr.io/acme/payments\n',
    'payments/Dockerfile': DOCKERFILE,
    'orders/Dockerfile': DOCKERFILE,
    ...extra,
  });
}

async function installs(dir: string): Promise<[string, string, string][]> {
  const result = await run({ cwd: dir, fix: true });
  return result.findings.filter((f) => f.subject === 'install').map((f) => [f.file, f.status, f.message]);
}

test('one kustomization building the renaming overlay and, another way, the base as it is: the name runs as written too, so an untied image\'s install stays', async () => {
  const dir = tree('k8s/all', {
    'k8s/overlays/dev-copy/kustomization.yaml': 'resources: [../../base]\nnamePrefix: dev-\n',
    'k8s/all/kustomization.yaml': 'resources: [../overlays/prod, ../overlays/dev-copy]\n',
  });
  expect(await installs(dir)).toEqual([
    ['orders/Dockerfile', 'blocked', expect.stringContaining('may still be run by k8s/base/deploy.yaml:12 (k8s/base/deploy.yaml:12 runs payments: the tool cannot tell whether that is this image)')],
    ['payments/Dockerfile', 'blocked', expect.stringContaining('the image gcr.io/acme/payments is still run by k8s/base/deploy.yaml:12')],
  ]);
  expect(fs.readFileSync(path.join(dir, 'orders/Dockerfile'), 'utf8')).toBe(DOCKERFILE);
});

test('one kustomization reaching the base only through the renaming overlay: the new name only, so the untied image\'s install goes', async () => {
  const dir = tree('k8s/all', { 'k8s/all/kustomization.yaml': 'resources: [../overlays/prod]\n' });
  expect(await installs(dir)).toEqual([
    ['orders/Dockerfile', 'migrated', expect.stringContaining('nothing runs the binary any more')],
    ['payments/Dockerfile', 'blocked', expect.stringContaining('k8s/overlays/prod/kustomization.yaml renames payments to gcr.io/acme/payments')],
  ]);
});

test('a component that renames, included by one overlay of a kustomization that also builds the base as it is: as written too', async () => {
  const dir = tree('k8s/all', {
    'k8s/components/rename/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n- name: payments\n  newName: gcr.io/acme/payments\n',
    'k8s/overlays/staging/kustomization.yaml': 'resources: [../../base]\ncomponents: [../../components/rename]\nnamePrefix: staging-\n',
    'k8s/overlays/dev-copy/kustomization.yaml': 'resources: [../../base]\nnamePrefix: dev-\n',
    'k8s/all/kustomization.yaml': 'resources: [../overlays/staging, ../overlays/dev-copy]\n',
  });
  expect((await installs(dir)).map(([f, s]) => [f, s])).toEqual([
    ['orders/Dockerfile', 'blocked'],
    ['payments/Dockerfile', 'blocked'],
  ]);
});

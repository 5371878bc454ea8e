/**
 * Go code that embeds a manifest and reads its probe's Exec holds that probe on exec
 * (src/kubernetes/go-readers.ts; fixture kubernetes-exec-probe/tree-go-embed-exec-reader): what
 * does not hold it, the spellings of //go:embed, and a Kustomize patch it holds.
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, repoWith } from './support/repo.js';

const READER = 'package c\n\nfunc f(d *appsv1.Deployment) {\n\tcmd := d.Spec.Template.Spec.Containers[0].ReadinessProbe.Exec.Command\n\t_ = cmd\n}\n';
const embedding = (directive: string) => `package assets\n\nimport "embed"\n\n${directive}\nvar FS embed.FS\n`;

async function statusOf(files: Record<string, string>, file: string): Promise<string | undefined> {
  const { findings } = await run({ cwd: repoWith(files) });
  return findings.find((f) => f.file === file && f.ruleId === 'kubernetes-exec-probe')?.status;
}

describe('a manifest Go code embeds', () => {
  test('migrates when no Go code reads a probe\'s Exec (or only a comment does)', async () => {
    expect(await statusOf({ 'op/assets.go': embedding('//go:embed pod.yaml'), 'op/pod.yaml': POD, 'op/c/c.go': '// c.LivenessProbe.Exec.Command is not read any more\npackage c\n' }, 'op/pod.yaml')).toBe('migratable');
  });

  test.each([
    ['a folder pattern', '//go:embed manifests', 'op/manifests/app/pod.yaml'],
    ['all: and a quoted pattern', '//go:embed all:manifests "extra files/*.yaml"', 'op/extra files/pod.yaml'],
    ['a class and ?', '//go:embed m[a-z]nifests/po?.yaml', 'op/manifests/pod.yaml'],
  ])('is held through %s', async (_name, directive, file) => {
    expect(await statusOf({ 'op/assets.go': embedding(directive), [file]: POD, 'op/c/c.go': READER }, file)).toBe('blocked');
  });

  test('a folder pattern leaves out names starting with . or _ below it, as Go does (all: keeps them; * names them itself)', async () => {
    for (const file of ['op/manifests/_old/pod.yaml', 'op/manifests/.archive/pod.yaml', 'op/manifests/app/.pod.yaml']) {
      expect(await statusOf({ 'op/assets.go': embedding('//go:embed manifests'), [file]: POD, 'op/c/c.go': READER }, file)).toBe('migratable');
      expect(await statusOf({ 'op/assets.go': embedding('//go:embed all:manifests'), [file]: POD, 'op/c/c.go': READER }, file)).toBe('blocked');
    }
    expect(await statusOf({ 'op/assets.go': embedding('//go:embed manifests/*'), 'op/manifests/_pod.yaml': POD, 'op/c/c.go': READER }, 'op/manifests/_pod.yaml')).toBe('blocked');
    expect(await statusOf({ 'op/assets.go': embedding('//go:embed manifests/*'), 'op/manifests/app/_pod.yaml': POD, 'op/c/c.go': READER }, 'op/manifests/app/_pod.yaml')).toBe('migratable');
  });

  test('a read of Exec in vendored modules (the kubelet\'s prober) does not hold it', async () => {
    expect(await statusOf({ 'op/assets.go': embedding('//go:embed pod.yaml'), 'op/pod.yaml': POD, 'vendor/k8s.io/kubernetes/pkg/probe/exec.go': READER }, 'op/pod.yaml')).toBe('migratable');
  });

  test('a pattern that names another file or folder does not hold it', async () => {
    expect(await statusOf({ 'op/assets.go': embedding('//go:embed manifests/*.json other'), 'op/manifests/pod.yaml': POD, 'op/c/c.go': READER }, 'op/manifests/pod.yaml')).toBe('migratable');
    // A pattern reaches only into its package's folder: a Go file below the manifest does not embed it.
    expect(await statusOf({ 'op/deep/assets.go': embedding('//go:embed *'), 'op/pod.yaml': POD, 'op/c/c.go': READER }, 'op/pod.yaml')).toBe('migratable');
  });

  test('a //go:embed line of 5,000 blanks before a word and a \\r is read in linear time and names nothing, the next line still embeds (not a speed target: a guard against cubic backtracking, 4 s at 3,300 blanks before)', async () => {
    const evil = `//go:embed${' '.repeat(5000)}x\ry`;
    const started = Date.now();
    expect(await statusOf({ 'op/assets.go': embedding(`${evil}\n//go:embed pod.yaml`), 'op/pod.yaml': POD, 'op/c/c.go': READER }, 'op/pod.yaml')).toBe('blocked');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await statusOf({ 'op/assets.go': embedding(evil), 'op/pod.yaml': POD, 'op/c/c.go': READER }, 'op/pod.yaml')).toBe('migratable');
  });
});

test('a Kustomize patch held by Go code keeps exec over its base, so the base probe is held too', async () => {
  const base = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app\n          readinessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:5000"]\n';
  const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          readinessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:5000", "-connect-timeout=2s"]\n';
  const { findings } = await run({
    cwd: repoWith({
      'base/deploy.yaml': base,
      'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'overlay/kustomization.yaml': 'resources:\n  - ../base\npatches:\n  - path: patch.yaml\n',
      'overlay/patch.yaml': patch,
      'overlay/embed.go': embedding('//go:embed *.yaml'),
      'ctl/c.go': READER,
    }),
  });
  const status = (file: string) => findings.find((f) => f.file === file && f.ruleId === 'kubernetes-exec-probe')!;
  expect(status('overlay/patch.yaml').status).toBe('blocked');
  expect(status('base/deploy.yaml')).toMatchObject({ status: 'blocked', blockers: ['overlay-patch'] });
});

test('an embedded Helm chart holds its templates\' probes as its values.yaml\'s (an operator that renders the chart it embeds)', async () => {
  const template = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app\n          livenessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:5000"]\n';
  const files = { 'op/chart/Chart.yaml': 'apiVersion: v2\nname: app\nversion: 0.1.0\n', 'op/chart/values.yaml': 'replicas: 1\n', 'op/chart/templates/deploy.yaml': template, 'op/c/c.go': READER };
  const status = async (extra: Record<string, string>) => (await run({ cwd: repoWith({ ...files, ...extra }) })).findings.find((f) => f.file === 'op/chart/templates/deploy.yaml')?.status;
  expect(await status({ 'op/embed.go': embedding('//go:embed all:chart') })).toBe('blocked');
  expect(await status({})).toBe('migratable');
});

test('the message quotes the directive\'s pattern as written (all: kept) and marks a reader line it shortens', async () => {
  const long = `package c\n\nfunc f(d *appsv1.Deployment) {\n\td.Spec.Template.Spec.Containers[0].LivenessProbe.Exec.Command = append(d.Spec.Template.Spec.Containers[0].LivenessProbe.Exec.Command, "-tls")\n}\n`;
  const { findings } = await run({ cwd: repoWith({ 'op/assets.go': embedding('//go:embed all:manifests'), 'op/manifests/pod.yaml': POD, 'op/c/c.go': long }) });
  const message = findings.find((f) => f.file === 'op/manifests/pod.yaml')!.message;
  expect(message).toContain('(//go:embed all:manifests)');
  expect(message).toMatch(/reads a probe's exec handler \(d\.Spec\.[^)]*…\)/);
});

/**
 * Every rewritten Kubernetes object still matches the Kubernetes API schema (kubernetes-models'
 * OpenAPI validators): each fixture output and the real-world corpus, and `--validate` refuses a
 * rewrite that would break an object.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { classify } from '../src/classify.js';
import { run } from '../src/engine.js';
import { main } from '../src/cli.js';
import { checkObjects, newSchemaErrors } from '../src/validate/kubernetes.js';
import type { Rule } from '../src/types.js';
import { listCases } from './harness.js';
import { captureIo } from './support/io.js';
import { CORPUS } from './support/corpus.js';
import { copyOf, POD as SHARED_POD, repoWith, ROOT } from './support/repo.js';

/**
 * Custom resources found in fixtures: the Kubernetes API has no schema for them, so they are
 * listed here by apiVersion/kind rather than skipped silently. A new one must be added by hand.
 */
const CUSTOM_RESOURCES = new Set(['argoproj.io/v1alpha1/Rollout', 'serving.knative.dev/v1/Service', 'example.com/v1/MyOperatorCustomResource', 'helm.toolkit.fluxcd.io/v2/HelmRelease', 'helm.toolkit.fluxcd.io/v2beta2/HelmRelease', 'helm.cattle.io/v1/HelmChart', 'helm.cattle.io/v1/HelmChartConfig', 'argoproj.io/v1alpha1/Application', 'kustomize.toolkit.fluxcd.io/v1beta2/Kustomization', 'kustomize.toolkit.fluxcd.io/v1/Kustomization', 'helm.crossplane.io/v1beta1/Release', 'operators.coreos.com/v1alpha1/ClusterServiceVersion', 'example.com/v1/Widget', 'example.com/v1alpha1/Gadget', 'example.com/v1alpha1/StoreCluster', 'kyverno.io/v1/ClusterPolicy', 'apiextensions.crossplane.io/v1/Composition', 'template.openshift.io/v1/Template', 'kubevirt.io/v1/VirtualMachine', 'kubevirt.io/v1/VirtualMachineInstance', 'pool.kubevirt.io/v1alpha1/VirtualMachinePool', 'builtin/HelmChartInflationGenerator', 'skaffold/v4beta6/Config', 'core.oam.dev/v1beta1/Application', 'argoproj.io/v1alpha1/ApplicationSet', 'kappctrl.k14s.io/v1alpha1/App', 'data.packaging.carvel.dev/v1alpha1/Package', 'argoproj.io/v1alpha1/WorkflowTemplate']);

/** Outputs that are fragments, not objects (no apiVersion, so no schema to pick): listed, not skipped silently. */
const FRAGMENTS = new Set([
  'kubernetes-exec-probe/no-final-newline/input.yaml',
  // A values-like file with an apiVersion key and no kind (not another format's spec): no object.
  'kubernetes-exec-probe/score-workload/chart-values.yaml',
  // JSON 6902 patch files are lists of operations; the Kustomize tests build them with kubectl.
  'kustomize-patch-probe/overlays-all-forms/overlays/prod/liveness-6902.json',
  'kustomize-patch-probe/overlays-all-forms/overlays/prod/readiness-6902.yaml',
  'kustomize-patch-probe/json-patches/overlay/startup.yaml',
  'kustomize-patch-probe/patch-probe-base-env/overlays/json6902/probes.yaml',
  // Helm values a kustomization's helmCharts entry names (additionalValuesFiles): values, not an object.
  'kustomize-patch-probe/helm-charts-values/overlay/prod.yaml',
  // A documentation snippet in a chart's folder: probe fields, not an object.
  'helm-exec-probe/chart-root-manifests/docs/examples/snippet.yaml',
  // A chart's values file written as JSON: values, not an object.
  'helm-exec-probe/values-json-files/web/values-prod.json',
  // A Pulumi YAML program: its resources carry apiVersion and kind in their type token.
  'kubernetes-exec-probe/pulumi-yaml-workloads/input.yaml',
  // A chart's values in its ci/ and overrides/ folders, and chart-testing's `*-values.yaml`.
  'helm-exec-probe/values-json-folders/api/ci/test-values.json',
  'helm-exec-probe/values-json-folders/api/overrides/prod.json',
  'helm-exec-probe/values-json-folders/api/prod-values.yaml',
  'helm-exec-probe/values-override-service/chart/ci/lint-values.yaml',
  // Values files outside any chart that a helmfile release and an ApplicationSet name.
  'helm-exec-probe/release-values-paths/clusters/east/cart.yaml',
  'helm-exec-probe/release-values-paths/envs/dev/cart.yaml',
  'helm-exec-probe/release-values-paths/flux/cart/cart-values.yaml',
  'helm-exec-probe/release-values-from-key/flux/cart/prod.yaml',
  // helmfile's own config, with releases' inline values.
  'helm-exec-probe/release-values-host-network/helmfile.yaml',
  // Values-shaped YAML that nothing names, read as Helm values.
  'kubernetes-exec-probe/tree-loose-values-loopback/deploy/api-prod.yaml',
  // A values file a Pulumi YAML release names (valueYamlFiles).
  'helm-exec-probe/tree-release-skaffold-pulumi-script/pulumi-yaml-files/infra/prod-values.yaml',
  // A values file a cdk8s Helm's helmFlags gives its chart (--values=).
  'typescript-exec-probe/tree-release-helmflags-values/deploy/web-values.yaml',
  // Values files over a chart default with httpGet/tcpSocket (a helm command's -f, a helmfile release's, the chart's ci/).
  'helm-exec-probe/tree-values-default-other-handler/chart/ci/flow-values.yaml',
  'helm-exec-probe/tree-values-default-other-handler/deploy/prod.yaml',
  'helm-exec-probe/tree-values-default-other-handler/envs/staging.yaml',
]);

/**
 * File kinds whose outputs are not Kubernetes objects as they stand: Helm templates are only
 * objects once rendered (their `{{ }}` actions are not YAML values), values files, compose
 * files, Dockerfiles and code are not objects at all.
 */
// kustomization.yaml is kustomize's own config (its overlays are built with kubectl in the Kustomize tests).
const NOT_OBJECTS = new Set(['helm-template', 'helm-values', 'compose', 'dockerfile', 'typescript', 'other', 'kustomization', 'shell']);

const pairs = listCases().flatMap((c) =>
  [...c.outputs].map(([rel, out]) => ({ name: `${c.rule}/${c.name}/${rel}`, rel, input: c.inputs.get(rel)!, output: out, kind: classify(c.options.filename ?? rel), substituted: fluxPorts(c.findingsPath, c.tree ? rel : undefined) })),
);

/**
 * The `${VAR}` grpc ports the Flux planner wrote into a fixture's file, as its findings say
 * (`→ grpc {port: ${GRPC_PORT}…} (the port is ${GRPC_PORT}, which the Flux Kustomization…`): what the
 * engine passes the schema check from Report.substitutedPort.
 */
function fluxPorts(findingsPath: string, rel: string | undefined): string[] {
  const findings = JSON.parse(fs.readFileSync(findingsPath, 'utf8')) as { file?: string; status: string; message: string }[];
  return findings.flatMap((f) => {
    if (f.status !== 'migrated' || (rel !== undefined && f.file !== rel)) return [];
    const m = /→ grpc \{port: (\$\{[^}]*\})[,}].*the port is \1, which the Flux Kustomization/.exec(f.message);
    return m ? [m[1]!] : [];
  });
}

describe('fixture outputs validate against the Kubernetes API schema', () => {
  test.each(pairs.filter((p) => !NOT_OBJECTS.has(p.kind)).map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const before = fs.readFileSync(p.input, 'utf8');
    const after = fs.readFileSync(p.output, 'utf8');
    const objects = checkObjects(after);
    expect(objects.length > 0).toBe(!FRAGMENTS.has(p.name));
    for (const o of objects) {
      if (o.errors === undefined) expect(CUSTOM_RESOURCES).toContain(`${o.apiVersion}/${o.kind}`);
    }
    // Fixtures are minimal objects (a Deployment without a selector...): the rewrite must add no error.
    expect(newSchemaErrors(before, after, p.substituted)).toBeUndefined();
  });

  test('the fixture walk checked objects of several kinds', () => {
    const kinds = new Set(pairs.filter((p) => !NOT_OBJECTS.has(p.kind)).flatMap((p) => checkObjects(fs.readFileSync(p.output, 'utf8')).filter((o) => o.errors).map((o) => o.kind)));
    for (const k of ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'ReplicaSet']) expect(kinds).toContain(k);
  });
});

/** The manifests written as strings of a file (a kapp-controller App's inline files, a ConfigMap's pod template), by document and key path. */
function manifestStrings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  parseAllDocuments(text).forEach((doc, i) => {
    const walk = (v: unknown, at: string): void => {
      if (typeof v === 'string') {
        if (/\bkind\b/.test(v) && /\bapiVersion\b/.test(v) && checkObjects(v).length > 0) out.set(`${i}:${at}`, v);
      } else if (Array.isArray(v)) v.forEach((x, j) => walk(x, `${at}[${j}]`));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    walk(doc.toJS(), '');
  });
  return out;
}

describe('manifests rewritten inside strings validate against the Kubernetes API schema', () => {
  const inStrings = pairs.filter((p) => /\/manifest-string/.test(p.name) && !NOT_OBJECTS.has(p.kind));
  test('there are such fixtures', () => expect(inStrings.length).toBeGreaterThan(3));
  test.each(inStrings.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const before = manifestStrings(fs.readFileSync(p.input, 'utf8'));
    const after = manifestStrings(fs.readFileSync(p.output, 'utf8'));
    const changed = [...after].filter(([k, v]) => before.get(k) !== v);
    expect(changed.length).toBeGreaterThan(0);
    for (const [k, v] of changed) {
      // Pods and workloads, which the schema knows.
      expect({ k, checked: checkObjects(v).every((o) => o.errors !== undefined) }).toEqual({ k, checked: true });
      expect({ k, added: newSchemaErrors(before.get(k)!, v) }).toEqual({ k, added: undefined });
    }
  });
});

describe('the schema check itself', () => {
  const deployment = (probe: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
      - name: c
        image: i
        readinessProbe:
${probe}
`;
  const exec = deployment('          exec: {command: ["/bin/grpc_health_probe", "-addr=:5000"]}');

  test('a valid native probe passes', () => {
    const after = deployment('          grpc: {port: 5000}');
    expect(checkObjects(after)).toEqual([{ document: 0, at: '', apiVersion: 'apps/v1', kind: 'Deployment', errors: [] }]);
    expect(newSchemaErrors(exec, after)).toBeUndefined();
  });

  test.each([
    ['a port that is a string', '          grpc: {port: "5000"}', /grpc\/port must be integer/],
    ['no port', '          grpc: {service: s}', /grpc must have required property port/],
    ['a timeout that is not a number', '          grpc: {port: 5000}\n          timeoutSeconds: 5s', /timeoutSeconds must be integer/],
  ])('%s is caught', (_what, probe, message) => {
    expect(newSchemaErrors(exec, deployment(probe))).toMatch(message);
  });

  test('a grpc.port that is the whole ${VAR} expression the Flux planner wrote is what Flux fills in, not an error; any other is (review F14)', () => {
    const block = (port: string) => deployment(`          grpc:\n            port: ${port}`);
    expect(newSchemaErrors(exec, block('${GRPC_PORT}'), ['${GRPC_PORT}'])).toBeUndefined();
    expect(newSchemaErrors(exec, block('${GRPC_PORT:=50051}'), ['${GRPC_PORT:=50051}'])).toBeUndefined();
    // Not written by the Flux planner (no substituted ports passed, or another expression): an error.
    expect(newSchemaErrors(exec, block('${GRPC_PORT}'))).toMatch(/grpc\/port must be integer/);
    expect(newSchemaErrors(exec, block('${OTHER_PORT}'), ['${GRPC_PORT}'])).toMatch(/grpc\/port must be integer/);
    expect(newSchemaErrors(exec, block('x${GRPC_PORT}'), ['${GRPC_PORT}'])).toMatch(/grpc\/port must be integer/);
    expect(newSchemaErrors(exec, block('"${GRPC_PORT}x"'), ['${GRPC_PORT}'])).toMatch(/grpc\/port must be integer/);
    // Only at a grpc.port: the same text in another numeric field stays an error.
    const other = deployment('          grpc: {port: 5000}\n          timeoutSeconds: ${GRPC_PORT}');
    expect(newSchemaErrors(exec, other, ['${GRPC_PORT}'])).toMatch(/timeoutSeconds must be integer/);
  });

  test('an object that was already invalid may stay so, but gains no new error', () => {
    const noSelector = (probe: string) => deployment(probe).replace('  selector: {matchLabels: {app: d}}\n', '');
    expect(newSchemaErrors(noSelector('          exec: {command: [x]}'), noSelector('          grpc: {port: 1}'))).toBeUndefined();
    expect(newSchemaErrors(noSelector('          exec: {command: [x]}'), noSelector('          grpc: {}'))).toMatch(/port/);
  });

  test('List items are checked one by one', () => {
    const list = (port: string) => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: p}
  spec:
    containers:
    - name: c
      livenessProbe: {grpc: {port: ${port}}}
`;
    expect(newSchemaErrors(list('1'), list('1'))).toBeUndefined();
    expect(newSchemaErrors(list('1'), list('abc'))).toMatch(/\/items\/0\/spec\/containers\/0\/livenessProbe\/grpc\/port must be integer/);
  });

  test('kinds the API does not have are reported as unchecked, and odd names are never loaded', () => {
    const checks = checkObjects('apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n---\napiVersion: ../../x/v1\nkind: Pod\n---\napiVersion: v1\nkind: ../Pod\n');
    expect(checks.map((c) => c.errors)).toEqual([undefined, undefined, undefined]);
  });
});

describe('--validate', () => {
  // The shared Pod plus the image the schema requires of a container: the only schema error a
  // test here may see is the one the rewrite makes.
  const POD = SHARED_POD.replace('  - name: c\n', '  - name: c\n    image: i\n');
  // A rule whose rewrite is valid YAML but not a valid object: only the schema can catch it.
  const badRule: Rule = {
    meta: { id: 'bad-rewrite', description: 'test', fixable: true, fileKinds: ['yaml'] },
    create: () => ({
      file(ctx) {
        const start = ctx.file.text.indexOf('exec:');
        const end = ctx.file.text.indexOf(']', start) + 1;
        ctx.report({ start, end, subject: 'probe', message: 'rewrite', fix: [{ start, end, text: 'grpc: {port: "5000"}' }] });
      },
    }),
  };
  const repo = () => repoWith({ 'pod.yaml': POD });

  test('refuses a rewrite that breaks the schema: error finding, file untouched', async () => {
    const dir = repo();
    const result = await run({ cwd: dir, fix: true, validate: true, rules: [badRule] });
    expect(result.findings.map((f) => [f.file, f.status])).toEqual([['pod.yaml', 'error']]);
    expect(result.findings[0]!.message).toMatch(/not applied: the rewritten object would not match the Kubernetes API schema \(document 1, Pod: .*grpc\/port must be integer\)/);
    expect(fs.readFileSync(path.join(dir, 'pod.yaml'), 'utf8')).toBe(POD);
  });

  test('a rule that writes a whole ${VAR} grpc.port is refused; the Flux planner\'s own ${VAR} port passes (review F14)', async () => {
    const dir = repo();
    const varRule: Rule = {
      ...badRule,
      create: () => ({
        file(ctx) {
          const start = ctx.file.text.indexOf('exec:');
          const end = ctx.file.text.indexOf(']', start) + 1;
          ctx.report({ start, end, subject: 'probe', message: 'rewrite', fix: [{ start, end, text: 'grpc:\n        port: ${GRPC_PORT}' }] });
        },
      }),
    };
    const result = await run({ cwd: dir, fix: true, validate: true, rules: [varRule] });
    expect(result.findings.map((f) => [f.file, f.status])).toEqual([['pod.yaml', 'error']]);
    expect(fs.readFileSync(path.join(dir, 'pod.yaml'), 'utf8')).toBe(POD);
    const flux = copyOf(path.join(ROOT, 'fixtures/kubernetes-exec-probe/tree-flux-postbuild-substitute/input'));
    const planned = await run({ paths: ['.'], cwd: flux, fix: true, validate: true });
    expect(planned.findings.map((f) => [f.file, f.status])).toEqual([['apps/payments/deployment.yaml', 'migrated']]);
    expect(fs.readFileSync(path.join(flux, 'apps/payments/deployment.yaml'), 'utf8')).toContain('port: ${GRPC_PORT}');
  });

  test('without --validate the schema is not consulted', async () => {
    const dir = repo();
    const result = await run({ cwd: dir, fix: true, rules: [badRule] });
    expect(result.findings.map((f) => f.status)).toEqual(['migrated']);
  });

  test('--help lists it', async () => {
    const io = captureIo(ROOT);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out()).toMatch(/--validate +check rewritten Kubernetes objects against the API schema/);
  });

  test('the real rule passes it, from the command line', async () => {
    const dir = repo();
    const io = captureIo(dir);
    expect(await main(['--fix', '--validate', '--format', 'json', '.'], io)).toBe(0);
    expect(JSON.parse(io.out()).findings.map((f: { status: string }) => f.status)).toEqual(['migrated']);
    expect(fs.readFileSync(path.join(dir, 'pod.yaml'), 'utf8')).toContain('grpc:');
  });

  test('the real-world corpus migrates with --validate and nothing is refused', async () => {
    const dir = copyOf(path.join(CORPUS, 'before', 'kubernetes-manifests'));
    const result = await run({ paths: ['.'], cwd: dir, fix: true, validate: true });
    expect(result.findings.filter((f) => f.status !== 'migrated')).toEqual([]);
    expect(result.summary.probes.migrated).toBe(18);
    // And the objects are fully valid, not only no worse.
    for (const name of fs.readdirSync(dir)) {
      for (const o of checkObjects(fs.readFileSync(path.join(dir, name), 'utf8'))) expect([name, o.errors]).toEqual([name, []]);
    }
  });
});

describe('cost without --validate', () => {
  test('the schemas are never loaded unless asked for', () => {
    const dir = repoWith({ 'pod.yaml': SHARED_POD });
    const engine = pathToFileURL(path.join(ROOT, 'dist', 'src', 'engine.js')).href;
    const loaded = (validate: boolean) => {
      const script = `import { createRequire } from 'node:module';
const { run } = await import(${JSON.stringify(engine)});
await run({ cwd: ${JSON.stringify(dir)}, fix: false, validate: ${validate} });
const cache = Object.keys(createRequire(import.meta.url).cache);
console.log(cache.some((k) => k.includes('kubernetes-models')));`;
      return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim();
    };
    expect(loaded(false)).toBe('false');
    expect(loaded(true)).toBe('true');
  });
});

/**
 * The readers that ask, for each chart, Pulumi project, kustomization or templated values path,
 * which files of the run sit in or under a folder use the folder index built once per run
 * (src/run-files.ts), not a filter over every file of the run each time. Counted rather than timed:
 * how many times the run's file lists are asked for does not grow with the number of such items.
 */
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { folderOf, repositoryFolders, runFolders } from '../src/run-files.js';
import type { Rule, RunContext } from '../src/types.js';
import { RULES } from '../rules/index.js';
import { repoWith } from './support/repo.js';

const PROBE = 'readinessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:5000"]\n';

/** `n` of each: a chart a kustomization inflates (helmCharts) under an overlay, a Pulumi project with two stacks, a helmfile release with a templated values path. */
function platform(n: number): string {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    files[`charts/c${i}/Chart.yaml`] = `apiVersion: v2\nname: c${i}\nversion: 0.1.0\n`;
    files[`charts/c${i}/values.yaml`] = PROBE;
    files[`charts/c${i}/templates/deployment.yaml`] =
      'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          readinessProbe:\n            {{- toYaml .Values.readinessProbe.exec | nindent 12 }}\n';
    files[`deploy/c${i}/base/kustomization.yaml`] = `helmGlobals:\n  chartHome: ../../../charts\nhelmCharts:\n- name: c${i}\n  releaseName: c${i}\n`;
    files[`deploy/c${i}/prod/kustomization.yaml`] = `resources:\n- ../base\nimages:\n- name: acme/c${i}\n  newName: ghcr.io/acme/c${i}\n`;
    files[`infra/p${i}/Pulumi.yaml`] = `name: p${i}\nruntime: nodejs\n`;
    files[`infra/p${i}/Pulumi.dev.yaml`] = `config:\n  p${i}:grpcPort: 5000\n`;
    files[`infra/p${i}/Pulumi.prod.yaml`] = `config:\n  p${i}:grpcPort: "5000"\n`;
    files[`infra/p${i}/index.ts`] =
      'import * as k8s from "@pulumi/kubernetes";\nimport * as pulumi from "@pulumi/pulumi";\nconst config = new pulumi.Config();\nconst port = config.requireNumber("grpcPort");\n' +
      `export const d = new k8s.apps.v1.Deployment("p${i}", { spec: { selector: { matchLabels: { app: "p" } }, template: { metadata: { labels: { app: "p" } }, spec: { containers: [{ name: "p", image: "acme/p:1", readinessProbe: { exec: { command: ["/bin/grpc_health_probe", \`-addr=:\${port}\`] } } }] } } } });\n`;
    files[`releases/r${i}/helmfile.yaml`] = `releases:\n  - name: c${i}\n    chart: ../../charts/c${i}\n    values:\n      - envs/{{ .Environment.Name }}/c${i}.yaml\n`;
    files[`releases/r${i}/envs/prod/c${i}.yaml`] = 'replicaCount: 2\n';
  }
  return repoWith(files);
}

/** Runs the tool over `dir`, counting how many times a rule or reader asks for the run's file lists. */
async function countListings(dir: string): Promise<{ asked: number; findings: [string, string][] }> {
  let asked = 0;
  const counter: Rule = {
    meta: { id: 'count-listings', description: 'counts', fixable: false, fileKinds: [] },
    create(r: RunContext) {
      const all = r.allFiles.bind(r);
      const repository = r.repositoryFiles.bind(r);
      r.allFiles = () => (asked++, all());
      r.repositoryFiles = () => (asked++, repository());
      return {};
    },
  };
  const result = await run({ cwd: dir, paths: ['.'], rules: [counter, ...RULES] });
  const findings = result.findings.map((f) => [f.file, f.status] as [string, string]).sort();
  return { asked, findings };
}

test('the file lists are asked for as often with 6 charts, projects and releases as with 2', async () => {
  const small = await countListings(platform(2));
  const large = await countListings(platform(6));
  // The readers still run: each chart's values probe, each project's probe is found.
  expect(large.findings.filter(([f]) => /^charts\/c\d\/values\.yaml$/.test(f))).toHaveLength(6);
  expect(large.findings.filter(([f]) => /^infra\/p\d\/index\.ts$/.test(f))).toHaveLength(6);
  expect(large.asked).toBe(small.asked);
});

test('the folder index answers as the filters it replaces do', () => {
  const root = path.resolve('/r');
  const files = ['a/x.yaml', 'a/b/y.yaml', 'ab/z.yaml', 'a/b/c/w.yaml', 'q.yaml', 'a/b/v.yaml'].map((f) => path.join(root, f));
  const ctx = { allFiles: () => files, repositoryFiles: () => files } as unknown as RunContext;
  for (const index of [runFolders(ctx), repositoryFolders(ctx)]) {
    for (const dir of [root, path.join(root, 'a'), path.join(root, 'a', 'b'), path.join(root, 'ab'), path.join(root, 'a') + path.sep, path.parse(root).root, path.join(root, 'none')]) {
      expect(index.inFolder(dir)).toEqual(files.filter((f) => path.dirname(f) === dir));
      expect(index.under(dir)).toEqual(files.filter((f) => f.startsWith(dir + path.sep)));
    }
    const nested = [path.join(root, 'a', 'b'), path.join(root, 'a'), path.join(root, 'ab')];
    expect(index.underAny(nested)).toEqual(files.filter((f) => nested.some((d) => f.startsWith(d + path.sep))));
  }
});

test('folderOf says what path.dirname says of the absolute paths the run lists', () => {
  const root = path.parse(process.cwd()).root;
  const paths = [path.join(root, 'a'), path.join(root, 'a', 'b'), path.join(root, 'a', 'b', 'c.yaml'), path.join(root, 'x.go'), root, path.join(process.cwd(), 'k8s', 'deploy.yaml')];
  for (const p of paths) expect([p, folderOf(p)]).toEqual([p, path.dirname(p)]);
});

test('the rules read the repository only for the file kinds the engine waits for git to list (READS_REPOSITORY)', async () => {
  const { READS_REPOSITORY } = await import('../src/classify.js');
  const kinds = new Set<string>();
  let current: string | undefined;
  const tracer: Rule = {
    meta: { id: 'trace-repository-reads', description: 'traces', fixable: false, fileKinds: ['yaml', 'helm-template', 'helm-values', 'kustomization', 'compose', 'dockerfile', 'json', 'typescript', 'shell', 'other'] },
    create(r: RunContext) {
      const repository = r.repositoryFiles.bind(r);
      r.repositoryFiles = () => {
        if (current !== undefined) kinds.add(current);
        return repository();
      };
      return {
        // First of the rules for every file, and its end first of the ends (which may read the
        // repository for any kind: the run then lists it as it needs).
        file: (ctx) => void (current = ctx.file.kind),
        end: () => void (current = undefined),
      };
    },
  };
  // Every fixture (inputs and expected outputs): each rule meets the files it is written for.
  const fixtures = path.resolve('fixtures');
  await run({ cwd: fixtures, paths: ['.'], rules: [tracer, ...RULES] });
  // And a chart's values file named alone, as pre-commit names it.
  const chart = repoWith({ 'charts/api/Chart.yaml': 'apiVersion: v2\nname: api\nversion: 1.0.0\n', 'charts/api/values.yaml': PROBE });
  await run({ cwd: chart, paths: ['charts/api/values.yaml'], partialView: 'a file list', rules: [tracer, ...RULES] });
  // And a custom resource built in TypeScript alone (in the fixtures its CRD lookup came after a YAML one's).
  const crd = path.resolve('fixtures/typescript-exec-probe/tree-custom-resource-crd/input');
  await run({ cwd: crd, paths: ['src/widget.ts'], partialView: 'a file list', rules: [tracer, ...RULES] });
  // And a JSON manifest named alone (in the fixtures the readers' one pass over the repository's
  // names, src/discover/names.ts, is kept from a YAML file's rules before a JSON file's ask).
  const json = repoWith({ 'k8s/pod.json': JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', readinessProbe: { exec: { command: ['/bin/grpc_health_probe', '-addr=:5000'] } } }] } }, null, 2), 'k8s/kustomization.yaml': 'resources: [pod.json]\n' });
  await run({ cwd: json, paths: ['k8s/pod.json'], partialView: 'a file list', rules: [tracer, ...RULES] });
  expect([...kinds].sort()).toEqual([...READS_REPOSITORY].sort());
  // Every fixture in one run: several seconds on a quiet machine, 80-100 s with 6-8 test runs beside
  // it on this 2-core one; the limit guards against a hang (the benchmark measures speed).
}, 300_000);

/**
 * A manifest that a command of the repository's Makefiles or shell scripts writes (jsonnet, tk,
 * ytt, kustomize, helm template, cue: src/kubernetes/generator-runs.ts) gets the generated-file
 * rule's note naming that command (hunt21 D4; fixtures generated-file/tree-jsonnet-makefile,
 * tree-kustomize-build-redirect, tree-helm-output-dir-script): the spellings read, and those that
 * write no manifest of the run or where the tool cannot say.
 */
import { describe, expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { POD, checkoutWith, repoWith } from './support/repo.js';

async function noteOf(files: Record<string, string>, options: { paths?: string[]; partialView?: string; git?: boolean } = {}): Promise<{ message?: string; hint?: string; line?: number }> {
  const all = { 'out/pod.yaml': POD, ...files };
  const cwd = options.git ? checkoutWith(all) : repoWith(all);
  const { findings } = await run({ cwd, ...(options.paths ? { paths: options.paths } : {}), ...(options.partialView ? { partialView: options.partialView } : {}) });
  expect(findings.find((f) => f.file === 'out/pod.yaml' && f.ruleId === 'kubernetes-exec-probe')?.status).toBe('migratable');
  const f = findings.find((x) => x.file === 'out/pod.yaml' && x.ruleId === 'generated-file');
  return { message: f?.message, hint: f?.hint, line: f?.line };
}

const make = (recipe: string, head = '') => ({ Makefile: `${head}manifests:\n\t${recipe}\n` });

describe('a command that writes the manifest', () => {
  test.each([
    ['jsonnet -o FILE', make('jsonnet -J vendor -o out/pod.yaml main.jsonnet'), 'Makefile:2', 'jsonnet -J vendor -o out/pod.yaml main.jsonnet'],
    ['jsonnet --multi=DIR', make('jsonnet --multi=out main.jsonnet'), 'Makefile:2', 'jsonnet --multi=out main.jsonnet'],
    ['jsonnet through a pipeline and a redirect', make('jsonnet main.jsonnet | gojsontoyaml > out/pod.yaml'), 'Makefile:2', 'jsonnet main.jsonnet | … > out/pod.yaml'],
    ['jsonnet after a cd in its recipe line', make('cd jsonnet && jsonnet main.jsonnet > ../out/pod.yaml'), 'Makefile:2', 'jsonnet main.jsonnet > ../out/pod.yaml'],
    ['a make variable for the tool and the folder', make('$(JSONNET_BIN) -m $(OUT) main.jsonnet', 'OUT := out\n'), 'Makefile:3', '$(JSONNET_BIN) -m out main.jsonnet'],
    ['tk export DIR ENV', make('tk export --format "{{.metadata.name}}" out environments/prod'), 'Makefile:2', 'tk export'],
    ['ytt --output-files DIR in a script', { 'render.sh': '#!/bin/sh\nytt -f config -v env=prod --output-files out\n' }, 'render.sh:2', 'ytt -f config'],
    ['kubectl kustomize -o FILE', make('kubectl kustomize overlays/prod -o out/pod.yaml'), 'Makefile:2', 'kubectl kustomize overlays/prod -o out/pod.yaml'],
    ['cue export --outfile FILE', make('cue export ./deploy --out yaml --outfile out/pod.yaml'), 'Makefile:2', 'cue export'],
    ['helm template | tee FILE: said as tee (review24 R7)', make('helm template app ./chart | tee out/pod.yaml >/dev/null'), 'Makefile:2', 'helm template app ./chart | tee out/pod.yaml`'],
    // A declared value (export/readonly NAME=value) is read as an assignment by every script reader, not only the patch reader.
    ['an output path a script declares with export', { 'render.sh': '#!/bin/sh\nexport OUT=out/pod.yaml\nkustomize build config > "$OUT"\n' }, 'render.sh:3', 'kustomize build config > out/pod.yaml'],
    ['an output folder a script declares readonly', { 'render.sh': '#!/bin/sh\nreadonly DIR=out\njsonnet -m "$DIR" main.jsonnet\n' }, 'render.sh:3', 'jsonnet -m out main.jsonnet'],
    ['a redirect inside a loop of a script in a folder of its own (read from the root)', { 'hack/render.sh': '#!/bin/bash\nfor e in prod; do\n  kustomize build "overlays/$e" > out/pod.yaml\ndone\n' }, 'hack/render.sh:3', 'kustomize build overlays/'],
  ])('%s', async (_name, files, at, command) => {
    const r = await noteOf(files);
    expect(r.message).toContain(`this file is written by \``);
    expect(r.message).toContain(command);
    expect(r.message).toContain(` at ${at}: the edits here are lost when that command runs again`);
    expect(r.line).toBe(1);
  });

  test.each([
    ['helm install (writes no file)', make('helm upgrade --install app ./chart > out/pod.yaml.log')],
    ['kustomize edit', make('cd out && kustomize edit set image app=x')],
    ['another file', make('kustomize build config > out/other.yaml')],
    ['a folder known only at run time', make('jsonnet -m $(OUT) main.jsonnet')],
    ['a cd to a folder known only at run time', { 'render.sh': '#!/bin/sh\ncd "$1" && kustomize build . > out/pod.yaml\n' }],
    ['a make comment', { Makefile: '# jsonnet -m out main.jsonnet\nall:\n\techo\n' }],
    ['its output piped to kubectl apply', make('kustomize build config | kubectl apply -f -')],
    ['helm template --output-dir DIR: never a file directly in DIR, nor one level down outside templates/ and charts/ (review24 R7)', make('helm template app ./chart --output-dir=out/ && helm template ./chart --output-dir .')],
  ])('no note: %s', async (_name, files) => {
    expect((await noteOf(files)).message).toBeUndefined();
  });

  test("the hint names the Jsonnet lines unsupported-file reports, where the run reads them", async () => {
    const jsonnet = "{ pod: { spec: { containers: [{ name: 'c', readinessProbe: { exec: { command: ['/bin/grpc_health_probe', '-addr=:5000'] } } }] } } }\n";
    const r = await noteOf({ ...make('jsonnet -m out main.jsonnet'), 'main.jsonnet': jsonnet });
    expect(r.hint).toBe('Make the same change in the Jsonnet it evaluates, then run the command again, or its next run brings the exec probe back (the tool does not rewrite Jsonnet: unsupported-file reports its probes at main.jsonnet:1); keep these edits if the file is no longer generated.');
    // A one-file run of the manifest (pre-commit) reads the Makefile from git's listing; the Jsonnet is not among its files.
    const alone = await noteOf({ ...make('jsonnet -m out main.jsonnet'), 'main.jsonnet': jsonnet }, { git: true, paths: ['out/pod.yaml'], partialView: 'a file list' });
    expect(alone.message).toContain('jsonnet -m out main.jsonnet` at Makefile:2');
    expect(alone.hint).toBe('Make the same change in the Jsonnet it evaluates, then run the command again, or its next run brings the exec probe back; keep these edits if the file is no longer generated.');
  });
});

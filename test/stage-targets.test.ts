/**
 * Build stages the fix leaves to nothing, or removes whole, and the builds that target them by
 * name (src/docker/build-target-refs.ts), in a git checkout: there `git grep` first narrows the
 * files read (the fixtures run without git).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { checkoutWith, ROOT } from './support/repo.js';

const TREES = path.join(ROOT, 'fixtures', 'dockerfile-binary-install');
const read = (rel: string) => fs.readFileSync(path.join(TREES, rel), 'utf8');
const LEFT = { Dockerfile: read('tree-stage-left-targeted/input/Dockerfile'), 'k8s/statefulset.yaml': read('tree-stage-left-targeted/input/k8s/statefulset.yaml') };
const FETCH = { Dockerfile: read('tree-fetch-stage-targeted/input/Dockerfile'), 'k8s/deployment.yaml': read('tree-fetch-stage-targeted/input/k8s/deployment.yaml') };

async function dockerfileFindings(files: Record<string, string>) {
  const result = await run({ cwd: checkoutWith(files), fix: true });
  return result.findings.filter((f) => f.file === 'Dockerfile').map((f) => ({ line: f.line, status: f.status, message: f.message }));
}

test('a stage left to nothing is said to be unused (info) when no file builds it as a target', async () => {
  const findings = await dockerfileFindings(LEFT);
  expect(findings.filter((f) => f.status === 'info')).toEqual([{ line: 8, status: 'info', message: expect.stringContaining('build stage "go-runtime" (FROM debian:stable-slim) looks unused once what used it goes (COPY at line 17)') }]);
  expect(findings.filter((f) => f.status === 'migrated').map((f) => f.line)).toEqual([13, 17]);
});

test('…and not when a CI job builds it, its --target and name on two lines joined by a continuation', async () => {
  const findings = await dockerfileFindings({ ...LEFT, '.gitlab-ci.yml': 'tools:\n  script:\n    - docker build --target \\\n        go-runtime -t kms-go-tools .\n' });
  expect(findings.map((f) => f.status)).toEqual(['migrated', 'migrated']);
});

test('words that only hold `target` and the name are no build of it (targetPort, build_target)', async () => {
  const findings = await dockerfileFindings({ ...LEFT, 'k8s/service.yaml': 'kind: Service\nspec:\n  ports:\n    - targetPort: go-runtime\n      build_target: go-runtime\n' });
  expect(findings.filter((f) => f.status === 'info').map((f) => f.line)).toEqual([8]);
});

test('a stage that only fetches the binary, which a compose build targets (the name in another case), keeps the installs', async () => {
  const compose = 'services:\n  downloader:\n    build:\n      context: .\n      target: Downloader\n    image: acme/health-downloader\n';
  const findings = await dockerfileFindings({ ...FETCH, 'compose.yaml': compose });
  expect(findings.map((f) => f.status)).toEqual(['blocked', 'blocked']);
  expect(findings[0]!.message).toContain('kept — compose.yaml:5 may build stage "downloader" as an image of its own');
  const without = await dockerfileFindings(FETCH);
  expect(without.map((f) => f.status)).toEqual(['migrated', 'migrated']);
});

test('an argv list names the stage in the item after --target: a Cloud Build flow list, a Tekton block list, a JSON array over several lines (hunt22 E4)', async () => {
  const cases: Record<string, string> = {
    'cloudbuild.yaml': "steps:\n  - name: gcr.io/cloud-builders/docker\n    args: ['build', '--target', 'downloader', '-t', 'gcr.io/$PROJECT_ID/tools', '.']\n",
    'tekton/task.yaml': 'kind: Task\nspec:\n  steps:\n    - name: build\n      image: docker:27\n      command: ["docker"]\n      args:\n        - build\n        - --target\n        - downloader\n        - .\n',
    'cloudbuild.json': '{\n  "steps": [\n    {\n      "name": "gcr.io/cloud-builders/docker",\n      "args": [\n        "build",\n        "--target",\n        "downloader",\n        "."\n      ]\n    }\n  ]\n}\n',
    'Jenkinsfile': "node {\n  sh(['docker', 'build', \"--target=downloader\", '.'])\n}\n",
  };
  for (const [file, text] of Object.entries(cases)) {
    const findings = await dockerfileFindings({ ...FETCH, [file]: text });
    expect([file, findings.map((f) => f.status)]).toEqual([file, ['blocked', 'blocked']]);
    expect(findings[0]!.message).toMatch(new RegExp(`kept — ${file.replace('.', '\\.')}:\\d+ may build stage "downloader"`));
  }
});

test('a target given by a variable the tool does not resolve may be the stage: a workflow matrix, a shell loop, a make variable (hunt22 E4)', async () => {
  const cases: [string, string, string][] = [
    ['.github/workflows/images.yml', 'jobs:\n  build:\n    strategy:\n      matrix:\n        stage: [downloader, final]\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          target: ${{ matrix.stage }}\n', '.github/workflows/images.yml:10 builds a target given by ${{ matrix.stage }}'],
    ['build.sh', '#!/bin/sh\nfor stage in downloader; do\n  docker build --target "$stage" -t "acme/app-$stage" .\ndone\n', 'build.sh:3 builds a target given by "$stage"'],
    ['Makefile', 'TOOLS_STAGE ?= downloader\n\ntools-image:\n\tdocker build \\\n\t  --target $(TOOLS_STAGE) -t acme/probe-tools .\n', 'Makefile:5 builds a target given by $(TOOLS_STAGE)'],
    ['compose.yaml', 'services:\n  tools:\n    build:\n      context: .\n      target: ${TOOLS_STAGE:-final}\n', 'compose.yaml:5 builds a target given by ${TOOLS_STAGE:-final}'],
    ['docker-bake.hcl', 'variable "STAGE" {}\ntarget "tools" {\n  target = STAGE\n}\n', 'docker-bake.hcl:3 builds a target given by STAGE'],
  ];
  for (const [file, text, said] of cases) {
    const findings = await dockerfileFindings({ ...FETCH, [file]: text });
    expect([file, findings.map((f) => f.status)]).toEqual([file, ['blocked', 'blocked']]);
    expect(findings[0]!.message).toContain(`kept — ${said}, which the tool does not resolve: it may be stage "downloader"`);
  }
});

test('…but not a variable target of a compiler, a package manager, a Makefile rule or assignment, or another action\'s input', async () => {
  const files = {
    Makefile: 'TARGET := $(BIN)/app\ntarget: $(OBJS)\n\tcc -o $@ $^\nrust:\n\tcargo build --release --target $(RUST_TARGET)\n',
    'scripts/deps.sh': 'pip install --target "$DEPS_DIR" -r requirements.txt\n',
    '.github/workflows/rust.yml': 'jobs:\n  build:\n    steps:\n      - uses: actions-rs/toolchain@v1\n        with:\n          target: ${{ matrix.target }}\n      - run: cargo build --target ${{ matrix.target }}\n',
  };
  const findings = await dockerfileFindings({ ...FETCH, ...files });
  expect(findings.map((f) => f.status)).toEqual(['migrated', 'migrated']);
});

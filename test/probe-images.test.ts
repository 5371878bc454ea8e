/**
 * Images that ship their own grpc_health_probe (src/docker/probe-images.ts; hunt 6 R8, fixtures
 * dockerfile-binary-install/tree-third-party-probe-image, tree-probe-named-image-built-here): a
 * third-party image named after the binary keeps no install of the repository's application
 * images, unless a file of the repository builds that name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { mayBuildProbeImage, shipsOwnBinary } from '../src/docker/probe-images.js';
import { parseDockerfile } from '../src/docker/parse.js';
import type { RunContext } from '../src/types.js';
import { repoWith } from './support/repo.js';

function runOf(files: Record<string, string>): RunContext {
  const cwd = repoWith(files);
  const all = Object.keys(files).map((f) => path.join(cwd, f));
  return { cwd, allFiles: () => all, readText: (abs: string) => fs.readFileSync(abs, 'utf8') } as unknown as RunContext;
}

const TEST_POD = 'containers:\n  - image: maruina/docker-grpc-health-probe:v0.3.1\n    command: [/bin/grpc_health_probe]\n';

describe('shipsOwnBinary', () => {
  test('the upstream image, and a third-party image named after the binary that no file builds', () => {
    const run = runOf({ 'chart/templates/tests/t.yaml': TEST_POD, 'chart/values.yaml': 'probe:\n  repository: maruina/docker-grpc-health-probe\n', 'README.md': 'docker build -t maruina/docker-grpc-health-probe .\n', 'ci.sh': 'docker run --rm maruina/docker-grpc-health-probe:v0.3.1 -addr=api:50051\n' });
    expect(shipsOwnBinary(run, 'ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28', new Set())).toBe('upstream');
    expect(shipsOwnBinary(run, 'maruina/docker-grpc-health-probe:v0.3.1', new Set())).toBe('named');
    expect(shipsOwnBinary(run, 'docker.io/praveensastry/grpc_health_probe:v0.3.0', new Set())).toBe('named');
  });

  test('not an image a file ties to a Dockerfile, tags a build with or sets in a variable; not another name, a template or a key', () => {
    expect(shipsOwnBinary(runOf({ 't.yaml': TEST_POD }), 'maruina/docker-grpc-health-probe:v0.3.1', new Set(['maruina/docker-grpc-health-probe']))).toBeUndefined();
    expect(shipsOwnBinary(runOf({ 't.yaml': TEST_POD, 'Makefile': 'img:\n\tdocker build -t maruina/docker-grpc-health-probe:v0.3.1 .\n' }), 'maruina/docker-grpc-health-probe:v0.3.1', new Set())).toBeUndefined();
    expect(shipsOwnBinary(runOf({ 't.yaml': TEST_POD, 'Makefile': 'IMAGE ?= maruina/docker-grpc-health-probe\n' }), 'maruina/docker-grpc-health-probe:v0.3.1', new Set())).toBeUndefined();
    expect(shipsOwnBinary(runOf({ 'docker-grpc-health-probe/t.yaml': TEST_POD }), 'acme/api:1', new Set())).toBeUndefined();
    expect(shipsOwnBinary(runOf({}), '{{ .Values.probeImage }}', new Set())).toBeUndefined();
    expect(shipsOwnBinary(runOf({}), 'compose:/x#api', new Set())).toBeUndefined();
  });

  test('not when the repository is named after the image', () => {
    const cwd = fs.mkdtempSync(path.join(repoWith(), 'x'));
    const root = path.join(cwd, 'docker-grpc-health-probe');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 't.yaml'), TEST_POD);
    const run = { cwd: root, allFiles: () => [path.join(root, 't.yaml')], readText: (abs: string) => fs.readFileSync(abs, 'utf8') } as unknown as RunContext;
    expect(shipsOwnBinary(run, 'maruina/docker-grpc-health-probe:v0.3.1', new Set())).toBeUndefined();
  });
});

describe('mayBuildProbeImage', () => {
  test("an application's image (ENTRYPOINT or CMD of another program) is none", () => {
    expect(mayBuildProbeImage(parseDockerfile('FROM golang AS b\nRUN go build\nFROM alpine\nCOPY --from=b /api /api\nENTRYPOINT ["/api"]\n'), 'Dockerfile')).toBe(false);
    expect(mayBuildProbeImage(parseDockerfile('FROM alpine\nCMD /api serve\n'), 'build/Dockerfile')).toBe(false);
  });

  test('one with no ENTRYPOINT or CMD of its own, one that runs the binary, one named after it may be', () => {
    expect(mayBuildProbeImage(parseDockerfile('FROM alpine AS b\nENTRYPOINT ["/api"]\nFROM alpine\nRUN true\n'), 'Dockerfile')).toBe(true);
    expect(mayBuildProbeImage(parseDockerfile('FROM alpine\nENTRYPOINT ["/bin/grpc_health_probe"]\n'), 'Dockerfile')).toBe(true);
    expect(mayBuildProbeImage(parseDockerfile('FROM alpine\nENTRYPOINT ["/api"]\n'), 'images/grpc-health-probe/Dockerfile')).toBe(true);
  });
});

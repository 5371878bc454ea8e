/** Images a Dockerfile builds on or copies from (src/docker/lineage.ts), and what that keeps. */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { imageRefs, namesOf } from '../src/docker/lineage.js';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

const INSTALL =
  'RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.25/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe';

describe('imageRefs', () => {
  test('FROM, COPY --from and RUN --mount=from= that name an image; not a stage, by name (any case) or index', () => {
    const text = `FROM --platform=$BUILDPLATFORM golang:1.22 AS Build
FROM acme/tools:1 AS tools
FROM build AS test
FROM alpine:3.19
COPY --from=BUILD /app /app
COPY --from=0 /x /x
COPY --from=tools /bin/grpc_health_probe /bin/
COPY --from=acme/other@sha256:abc /y /y
RUN --mount=type=cache,target=/c --mount=type=bind,from=acme/mounted,source=/z,target=/z cp /z /zz
`;
    expect(imageRefs(text)).toEqual([
      { ref: 'golang:1.22', how: 'builds FROM' },
      { ref: 'acme/tools:1', how: 'builds FROM' },
      { ref: 'alpine:3.19', how: 'builds FROM' },
      { ref: 'acme/other@sha256:abc', how: 'copies from' },
      { ref: 'acme/mounted', how: 'copies from' },
    ]);
  });
});

describe('namesOf', () => {
  const known = ['acme/base', 'gcr.io/acme/base', 'acme/app', 'dockerfile:/r/base/Dockerfile', 'compose:/r#api'];
  test('a name matches without its tag or digest; an outside image matches nothing', () => {
    expect(namesOf('acme/base:1.4', known)).toEqual({ names: ['acme/base'], variable: false });
    expect(namesOf('acme/base@sha256:abc', known)).toEqual({ names: ['acme/base'], variable: false });
    expect(namesOf('acme/app:${TAG}', known)).toEqual({ names: ['acme/app'], variable: false });
    expect(namesOf('alpine:3.19', known)).toEqual({ names: [], variable: false });
  });
  test('a build variable in the name may be any text, whatever its default', () => {
    expect(namesOf('${BASE}', known)).toEqual({ names: ['acme/base', 'gcr.io/acme/base', 'acme/app'], variable: true });
    // The registry may be Docker Hub's (REGISTRY=docker.io): acme/base itself.
    expect(namesOf('$REGISTRY/acme/base:1', known)).toEqual({ names: ['acme/base', 'gcr.io/acme/base'], variable: true });
    expect(namesOf('${REGISTRY}/base', known)).toEqual({ names: ['acme/base', 'gcr.io/acme/base'], variable: true });
    expect(namesOf('${BASE:-acme/base:1}', known)).toEqual({ names: ['acme/base', 'gcr.io/acme/base', 'acme/app'], variable: true });
    expect(namesOf('${REGISTRY}/golang:1.22', known)).toEqual({ names: [], variable: true });
  });
});

test('a compose service built FROM another image of the repository keeps that image\'s install', async () => {
  const cwd = repoWith({
    'compose.yaml': `services:
  base:
    build: ./base
    image: acme/base
  app:
    build: ./app
    healthcheck:
      test: ["CMD", "/bin/grpc_health_probe", "-addr=:5000"]
  other:
    build: ./other
`,
    'base/Dockerfile': `FROM alpine:3.19\n${INSTALL}\n`,
    'app/Dockerfile': 'FROM acme/base:latest\nCOPY app /app\n',
    'other/Dockerfile': `FROM alpine:3.19\n${INSTALL}\n`,
  });
  const result = await run({ cwd, fix: true });
  const installs = result.findings.filter((f) => f.subject === 'install').map((f) => [f.file, f.status, f.message]);
  expect(installs).toEqual([
    ['base/Dockerfile', 'blocked', expect.stringContaining('the image acme/base is still run by compose.yaml:8 (app/Dockerfile builds FROM acme/base:latest)')],
    ['other/Dockerfile', 'migrated', expect.stringContaining('nothing runs the binary any more')],
  ]);
});

describe('an untied base of a Dockerfile whose own build runs the binary', () => {
  const HEALTHCHECK = 'HEALTHCHECK CMD ["grpc_health_probe", "-addr=:50051"]';
  const statusOf = async (files: Record<string, string>) => {
    const result = await run({ cwd: repoWith({ 'base/Dockerfile': `FROM debian:12\n${INSTALL}\n`, ...files }), fix: false });
    return result.findings.find((f) => f.file === 'base/Dockerfile' && f.subject === 'install')?.status;
  };
  test('a name no file ties may be base/Dockerfile\'s image: its install stays', async () => {
    expect(await statusOf({ 'app/Dockerfile': `FROM acme/base:1\n${HEALTHCHECK}\n` })).toBe('blocked');
    expect(await statusOf({ 'app/Dockerfile': `FROM base\n${HEALTHCHECK}\n` })).toBe('blocked');
    expect(await statusOf({ 'app/Dockerfile': `FROM \${BASE}\n${HEALTHCHECK}\n` })).toBe('blocked');
    expect(await statusOf({ 'app/Dockerfile': `FROM alpine\nCOPY --from=acme/tools /x /x\n${HEALTHCHECK}\n` })).toBe('blocked');
  });
  test('a common official image is not built here, unless a file tags it or names it as a build context', async () => {
    expect(await statusOf({ 'app/Dockerfile': `FROM alpine:3.20\n${HEALTHCHECK}\n` })).toBe('migratable');
    expect(await statusOf({ 'app/Dockerfile': `FROM mcr.microsoft.com/windows/servercore:ltsc2022\n${HEALTHCHECK}\n` })).toBe('migratable');
    expect(await statusOf({ 'app/Dockerfile': `FROM alpine:3.20\n${HEALTHCHECK}\n`, 'build.sh': 'docker build -t alpine:3.20 base\n' })).toBe('blocked');
    expect(await statusOf({ 'app/Dockerfile': `FROM alpine:3.20\n${HEALTHCHECK}\n`, 'docker-bake.hcl': 'target "app" {\n  contexts = {\n    alpine = "target:base"\n  }\n}\n' })).toBe('blocked');
    expect(await statusOf({ 'app/Dockerfile': `FROM alpine:3.20\n${HEALTHCHECK}\n`, 'build.sh': 'docker buildx build --build-context alpine=docker-image://acme/base app\n' })).toBe('blocked');
  });
  test('in a git checkout, git grep picks the files to read for the tags; the same answers', async () => {
    const inCheckout = async (files: Record<string, string>) => {
      const dir = repoWith({ 'base/Dockerfile': `FROM debian:12\n${INSTALL}\n`, ...files });
      execFileSync('git', ['init', '-q'], { cwd: dir });
      const result = await run({ cwd: dir, fix: false });
      return result.findings.find((f) => f.file === 'base/Dockerfile' && f.subject === 'install')?.status;
    };
    expect(await inCheckout({ 'app/Dockerfile': `FROM alpine:3.20\n${HEALTHCHECK}\n`, 'ci/build.sh': 'docker build \\\n  -t alpine:3.20 base\n' })).toBe('blocked');
    expect(await inCheckout({ 'app/Dockerfile': `FROM golang:1.22\n${HEALTHCHECK}\n`, 'ci/build.sh': 'docker build -t alpine:3.20 base\n' })).toBe('migratable');
  });
});

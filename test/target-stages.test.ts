/**
 * The stages a build target's image holds (src/docker/target-stages.ts; hunt 6 R11, fixture
 * dockerfile-binary-install/tree-compose-build-target): the target and the stages it builds FROM
 * or copies from, transitively; undefined where the tool cannot say.
 */
import { expect, test } from '@jest/globals';
import { parseDockerfile } from '../src/docker/parse.js';
import { mayCarryBinary, targetStages } from '../src/docker/target-stages.js';

const DOCKERFILE = [
  'ARG BASE=alpine:3.20',
  'FROM golang AS builder',
  'RUN go build',
  'FROM builder AS upx',
  'RUN upx /app',
  'FROM ${BASE} AS fetch',
  'RUN wget -qO /bin/grpc_health_probe https://example.invalid/p',
  'FROM scratch AS production',
  'COPY --from=upx /app /app',
  'FROM alpine AS server',
  'COPY --from=0 /app /app',
  'RUN --mount=type=bind,from=fetch,source=/bin,target=/x cp /x/grpc_health_probe /bin/',
  '',
].join('\n');

test('the target and the stages it builds FROM or copies from (by name, by index, through a RUN mount)', () => {
  const parsed = parseDockerfile(DOCKERFILE);
  expect([...targetStages(parsed, 'production')!].sort()).toEqual([0, 1, 3]);
  expect([...targetStages(parsed, 'SERVER')!].sort()).toEqual([0, 2, 4]);
  expect([...targetStages(parsed, 'builder')!]).toEqual([0]);
});

test('undefined: no such stage, two of that name, a reference set at build time, an ONBUILD trigger', () => {
  expect(targetStages(parseDockerfile(DOCKERFILE), 'tester')).toBeUndefined();
  expect(targetStages(parseDockerfile('FROM alpine AS a\nFROM alpine AS a\n'), 'a')).toBeUndefined();
  expect(targetStages(parseDockerfile('FROM alpine AS a\nARG SRC\nCOPY --from=${SRC} /x /x\n'), 'a')).toBeUndefined();
  expect(targetStages(parseDockerfile('FROM alpine AS a\nONBUILD RUN true\n'), 'a')).toBeUndefined();
});

test('a COPY --from of files named with an extension brings no binary; a folder, a glob or an extensionless path may (hunt16 A6)', () => {
  const copies = [
    ['COPY --from=server /app/proto/service.binpb /etc/envoy/', false],
    ['COPY --from=server /etc/envoy/envoy.yaml /etc/envoy/x.lua /etc/envoy/', false],
    ['COPY --from=server /app/.venv /app/.venv', true],
    ['COPY --from=server /usr/lib/python3.12 /usr/lib/python3.12', true],
    ['COPY --from=server /app/bin/ /bin/', true],
    ['COPY --from=server /app/conf.d/ /etc/conf.d/', true],
    ['COPY --from=server /app/*.yaml /etc/', true],
    ['COPY --from=server /bin/grpc_health_probe.exe /bin/', true],
    ['COPY --from=server /app/server /app/server', true],
  ] as const;
  for (const [line, carries] of copies) {
    const parsed = parseDockerfile(`FROM alpine AS server\nFROM alpine\n${line}\n`);
    expect([line, mayCarryBinary(parsed, parsed.instructions[2]!)]).toEqual([line, carries]);
  }
  // The envoy stage's chain leaves the server's stage out when the COPY brings only a descriptor.
  const parsed = parseDockerfile('FROM alpine AS server\nFROM envoyproxy/envoy AS envoy\nCOPY --from=server /app/service.binpb /etc/envoy/\n');
  expect(targetStages(parsed, 'envoy')).toEqual(new Set([0, 1]));
  expect(targetStages(parsed, 'envoy', (ins) => mayCarryBinary(parsed, ins))).toEqual(new Set([1]));
});

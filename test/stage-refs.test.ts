/**
 * Stage references as BuildKit resolves them (src/docker/parse.ts referencedStages), the one place
 * that decides whether a stage is used (hunt22 E1–E3), and the check of a Dockerfile's edits that
 * every reference that stays names the stage it named (src/docker/stage-refs.ts), which the engine
 * runs on whichever of a file's fixes go together.
 */
import { expect, test } from '@jest/globals';
import { analyzeDockerfile } from '../src/docker/installs.js';
import { parseDockerfile, referencedStages, writtenSources } from '../src/docker/parse.js';
import { stageReferenceChange } from '../src/docker/stage-refs.js';
import { EDIT_CHECKS } from '../src/reparse.js';

const refs = (text: string, line: number) => {
  const parsed = parseDockerfile(text);
  const ins = parsed.instructions.find((i) => parsed.lines.position(i.start).line === line)!;
  return writtenSources(ins, parsed.lines).map((s) => [s.ref, referencedStages(parsed, ins, s)]);
};

test('--from names a stage by its name or its index (as strconv.Atoi reads it); a mount\'s from= by its name only', () => {
  const text = 'FROM alpine AS tools\nFROM alpine AS certs\nFROM alpine\nCOPY --from=1 /a /a\nCOPY --from=01 /a /a\nCOPY --from=Tools /a /a\nCOPY --from=7 /a /a\nRUN --mount=type=bind,from=1,target=/t --mount=type=bind,FROM=certs,target=/c true\n';
  expect(refs(text, 4)).toEqual([['1', [1]]]);
  expect(refs(text, 5)).toEqual([['01', [1]]]);
  expect(refs(text, 6)).toEqual([['Tools', [0]]]);
  expect(refs(text, 7)).toEqual([['7', []]]);
  // `from=1` is an image named 1 (detectRunMount: findStateByName).
  expect(refs(text, 8)).toEqual([['1', []], ['certs', [1]]]);
});

test('FROM reads the global ARGs at their defaults; a variable without one, or in --from, may be any stage', () => {
  const text = 'ARG TEST_BASE=tools\nARG OTHER\nFROM alpine AS tools\nFROM ${TEST_BASE} AS test\nFROM ${OTHER}\nCOPY --from=${TEST_BASE} /a /a\nFROM 0\n';
  expect(refs(text, 4)).toEqual([['${TEST_BASE}', [0]]]);
  expect(refs(text, 5)).toEqual([['${OTHER}', 'any']]);
  expect(refs(text, 6)).toEqual([['${TEST_BASE}', 'any']]);
  // A stage's name starts with a letter: FROM 0 is an image.
  expect(refs(text, 7)).toEqual([['0', []]]);
  // What is written around a variable can be in no stage's name: an image, whatever the variable.
  const registry = 'ARG REGISTRY\nFROM alpine AS tools\nFROM ${REGISTRY}/base:1.0\nFROM base-${VARIANT}\nCOPY --from=${REGISTRY}/tools:1 /a /a\n';
  expect(refs(registry, 3)).toEqual([['${REGISTRY}/base:1.0', []]]);
  expect(refs(registry, 4)).toEqual([['base-${VARIANT}', 'any']]);
  expect(refs(registry, 5)).toEqual([['${REGISTRY}/tools:1', []]]);
});

test('an ONBUILD trigger reads what its instruction reads', () => {
  const text = 'FROM alpine AS tools\nFROM alpine AS base\nONBUILD COPY --from=tools /a /a\nONBUILD RUN --mount=type=bind,from=tools,target=/t true\nONBUILD COPY --from=0 /b /b\n';
  expect(refs(text, 3)).toEqual([['tools', [0]]]);
  expect(refs(text, 4)).toEqual([['tools', [0]]]);
  expect(refs(text, 5)).toEqual([['0', [0]]]);
});

const D03 = [
  'FROM golang:1.22 AS builder',
  'RUN go build -o /app ./cmd/app',
  '',
  'FROM alpine:3.20 AS probe',
  'RUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe',
  '',
  'FROM alpine:3.20 AS certs',
  'RUN apk add --no-cache ca-certificates',
  '',
  'FROM alpine:3.20',
  'COPY --from=2 /etc/ssl/certs /etc/ssl/certs',
  'COPY --from=0 /app /app',
  'COPY --from=probe /bin/grpc_health_probe /bin/grpc_health_probe',
  '',
].join('\n');

test('the edits that remove a stage whole renumber the indexes after it; the check passes them together and refuses either part alone', () => {
  const analysis = analyzeDockerfile(D03);
  expect(analysis.problems).toEqual([]);
  const edits = analysis.installs.flatMap((i) => i.edits);
  const renumber = edits.filter((e) => e.text !== '');
  expect(renumber.map((e) => [D03.slice(e.start, e.end), e.text])).toEqual([['2', '1']]);
  expect(analysis.installs.filter((i) => i.renumbers).map((i) => i.what)).toEqual(['stage']);
  expect(stageReferenceChange(D03, edits)).toBeUndefined();
  // The stage removed, the index left: it would name the last stage, the COPY's own (stages are
  // said by their index and line in the original).
  expect(stageReferenceChange(D03, edits.filter((e) => e.text === ''))).toBe('COPY on line 11: --from=2 would name stage 3 (line 10) instead of stage 2 ("certs", line 7)');
  // The index renumbered, the stage left.
  expect(stageReferenceChange(D03, renumber)).toBe('COPY on line 11: --from=1 would name stage 1 ("probe", line 4) instead of stage 2 ("certs", line 7)');
});

test('a name whose stage a rewrite removes, which an instruction that stays still reads, is refused too', () => {
  const text = 'FROM alpine AS tools\nRUN true\nFROM alpine\nCOPY --from=tools /a /a\n';
  expect(stageReferenceChange(text, [{ start: 0, end: text.indexOf('FROM alpine\n'), text: '' }])).toBe('COPY on line 4: --from=tools would name no stage instead of stage 0 ("tools", line 1)');
  // No reference changes: nothing to say.
  expect(stageReferenceChange(text, [{ start: text.indexOf('RUN true'), end: text.indexOf('RUN true') + 9, text: '' }])).toBeUndefined();
});

test('the engine checks a Dockerfile\'s edits so, whichever of its fixes go together (an overlap dropped, a target\'s stages apart)', async () => {
  const edits = analyzeDockerfile(D03).installs.flatMap((i) => i.edits);
  expect(await EDIT_CHECKS.dockerfile!(D03, edits)).toBeUndefined();
  expect(await EDIT_CHECKS.dockerfile!(D03, edits.filter((e) => e.text === ''))).toMatch(/^COPY on line 11: --from=2 would name stage 3/);
});

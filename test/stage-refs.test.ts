/**
 * Stage references as BuildKit resolves them (src/docker/parse.ts referencedStages), the one place
 * that decides whether a stage is used (hunt22 E2, E3).
 */
import { expect, test } from '@jest/globals';
import { parseDockerfile, referencedStages, writtenSources } from '../src/docker/parse.js';

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
});

test('an ONBUILD trigger reads what its instruction reads', () => {
  const text = 'FROM alpine AS tools\nFROM alpine AS base\nONBUILD COPY --from=tools /a /a\nONBUILD RUN --mount=type=bind,from=tools,target=/t true\nONBUILD COPY --from=0 /b /b\n';
  expect(refs(text, 3)).toEqual([['tools', [0]]]);
  expect(refs(text, 4)).toEqual([['tools', [0]]]);
  expect(refs(text, 5)).toEqual([['0', [0]]]);
});

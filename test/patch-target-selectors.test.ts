import { expect, test } from '@jest/globals';
import { selects } from '../src/kustomize/patch-targets.js';

test('a target selector is an anchored regular expression, as kustomize reads it', () => {
  expect(selects('api|web', ['api'])).toBe(true);
  expect(selects('api', ['api-canary'])).toBe(false);
  expect(selects(undefined, ['x'])).toBe(true);
});

test('a selector with a quantified group or a back-reference selects every object instead of being run by a backtracking engine', () => {
  // Go's regexp is linear; JavaScript's took ~12 s on this name (doubling with each character).
  const name = `${'a'.repeat(27)}-b`;
  expect(selects('(a|a-?)+', [name])).toBe(true);
  expect(selects('(ab)\\1', ['x'])).toBe(true);
  // Selecting more targets only adds objects to judge a probe in: the most restrictive wins.
  expect(selects('x'.repeat(300), ['y'])).toBe(true);
});

/** JSON that JSON.parse refuses: where, in one line, and never an excerpt of the file. */
import { describe, expect, test } from '@jest/globals';
import { jsonSyntaxError, VERIFIERS } from '../src/reparse.js';

describe('jsonSyntaxError', () => {
  test.each([
    ['a trailing comma in an array (Node names no position)', '{\n  "a": [1, 2,\n  ]\n}\n', 'a trailing comma', 14],
    ['a trailing comma in an object', '{"a": 1,\n}', 'a trailing comma', 7],
    ['a comment', '{\n  // note\n  "a": 1\n}', 'a comment', 4],
    ['the end of the input', '{"a": ', 'Unexpected end of JSON input', 6],
    ['an unterminated string', '{"a": "x', 'Unterminated string', 8],
    ['a missing colon', '{"a" 1}', "Expected ':' after property name", 5],
    ['a word that is not JSON', '{"a": NaN}', "Unexpected token 'N'", 6],
  ])('%s', (_what, text, message, offset) => {
    expect(jsonSyntaxError(text)).toEqual({ message, offset });
  });

  test('offsets count the BOM, which is read past', () => {
    expect(jsonSyntaxError('\uFEFF{"a": 1}')).toBeUndefined();
    expect(jsonSyntaxError('\uFEFF[1,]')).toEqual({ message: 'a trailing comma', offset: 3 });
  });

  test('the message holds no excerpt of the file (a header value is a secret)', () => {
    const text = '{"command": ["grpc_health_probe", "-rpc-header=authorization: Bearer sk_live_SECRET", @]}\n';
    const problem = jsonSyntaxError(text)!;
    expect(problem.message).not.toMatch(/SECRET|\n/);
    expect(problem.offset).toBe(text.indexOf('@'));
  });
});

describe('the JSON verifier', () => {
  const verify = VERIFIERS.json!;

  test('accepts a rewrite that keeps the BOM', async () => {
    expect(await verify('\uFEFF{\r\n  "grpc": {"port": 5000}\r\n}\r\n')).toBeUndefined();
  });

  test('says where a broken rewrite breaks, in one line without the file', async () => {
    expect(await verify('{\n  "grpc": {"port": 5000},\n  "x": ["Bearer sk_live_SECRET",]\n}\n')).toBe('a trailing comma at line 3, column 32');
  });
});

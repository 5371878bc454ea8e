/**
 * How the YAML rewrite writes a string value (grpc.service, grpc.mode): in the quoting of the
 * file's keys, and never as a plain scalar that YAML 1.2 or kubectl's YAML 1.1 would read as
 * something else (fixtures kubernetes-exec-probe/quoted-keys-service-names and
 * service-names-type-ambiguous show the rewritten files).
 */
import { describe, expect, test } from '@jest/globals';
import { parseDocument } from 'yaml';
import { commandOutsideExec, quoteLike } from '../src/kubernetes/probes.js';

const NAMES = ['api', 'api.v1.Health', 'yes', 'No', 'on', 'OFF', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '123', '1.0', '-1', '.5', '1e3', '0x1F', '0o7', '0b1', '1_000', '1:20', '2024-01-02', '.inf', '-.inf', '.NaN', 'a: b', 'a #b', 'a#b', "it's", 'say "hi"', '', ' lead', 'trail ', '&anchor', '*alias', '!tag', '%x', '@x', '`x', '[x]', '{x}', '- x', '? x', '|', '>', 'tab\there', 'line\nbreak', 'a\u0085b', 'café'];

describe.each([
  ['plain keys', ''],
  ['double-quoted keys', '"'],
  ['single-quoted keys', "'"],
] as const)('%s', (_name, keyQuote) => {
  test.each(NAMES.map((n) => [JSON.stringify(n), n]))('%s reads back as the same string in YAML 1.1 and 1.2', (_label, name) => {
    const written = quoteLike(name, keyQuote, false);
    for (const version of ['1.1', '1.2'] as const) {
      for (const doc of [`${keyQuote}service${keyQuote}: ${written}\n`, `{${keyQuote}service${keyQuote}: ${written}}\n`]) {
        const parsed = parseDocument(doc, { version });
        expect(parsed.errors).toEqual([]);
        expect(parsed.toJS()).toEqual({ service: name });
      }
    }
  });

  test('the value follows the keys\' quoting', () => {
    expect(quoteLike('api', keyQuote, false)).toBe(keyQuote === '' ? 'api' : `${keyQuote}api${keyQuote}`);
  });
});

test('a JSON file writes every string double-quoted', () => {
  expect(quoteLike('api', '', true)).toBe('"api"');
  expect(quoteLike('yes', "'", true)).toBe('"yes"');
});

test('the hint for command: outside exec: writes a service name plain YAML would misread in quotes', () => {
  const hint = (service: string) => commandOutsideExec('readinessProbe', ['/bin/grpc_health_probe', '-addr=:5000', `-service=${service}`], '1.30', true).hint;
  expect(hint('yes')).toContain('grpc: {port: 5000, service: "yes"}');
  expect(hint('a: b')).toContain('grpc: {port: 5000, service: "a: b"}');
  expect(hint('shop.Cart')).toContain('grpc: {port: 5000, service: shop.Cart}');
});

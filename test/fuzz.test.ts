/**
 * Mutation fuzzing of the fixtures and the corpus manifests (fast-check, seeded, a fixed number of cases): truncation,
 * junk bytes, broken quotes, bad ports, lost or re-indented lines. Through the command line with
 * --fix, every case must end with exit code 0, 1 or 2, no stack trace, a JSON report, output
 * that parses, no change to a file that did not parse or did not mention the binary, no native
 * probe with an impossible port the input did not hold, no new schema error, and nothing more to do on a second run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { mentionsBinary } from '../src/analysis/binary.js';
import { classify } from '../src/classify.js';
import { main } from '../src/cli.js';
import { VERIFIERS } from '../src/reparse.js';
import { newSchemaErrors } from '../src/validate/kubernetes.js';
import { listCases, materialize, type FixtureCase } from './harness.js';
import { captureIo } from './support/io.js';
import { CORPUS } from './support/corpus.js';

// The fixtures, and the real-world corpus's manifests (see test/corpus.test.ts) as one-file cases.
const CORPUS_MANIFESTS = path.join(CORPUS, 'before', 'kubernetes-manifests');
const corpusCases: FixtureCase[] = fs.readdirSync(CORPUS_MANIFESTS).map((name) => ({
  rule: 'corpus',
  name,
  tree: false,
  inputs: new Map([[name, path.join(CORPUS_MANIFESTS, name)]]),
  outputs: new Map(),
  findingsPath: '',
  options: {},
}));
const targets = [...listCases(), ...corpusCases].flatMap((c) => [...c.inputs.keys()].map((rel) => ({ c, rel })));

type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'junk'; at: number; bytes: Uint8Array }
  | { op: 'drop-quote'; nth: number }
  | { op: 'add-quote'; at: number; quote: string }
  | { op: 'bad-port'; nth: number; port: string }
  | { op: 'drop-line'; nth: number }
  | { op: 'indent-line'; nth: number; by: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('junk' as const),
    at: fc.nat(),
    // Biased towards the bytes that hurt: NUL, invalid UTF-8, YAML indicators, tabs, CR.
    bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }).chain((b) => fc.constantFrom(b, Uint8Array.of(0), Uint8Array.of(0xff, 0xfe), Uint8Array.of(0xc3), Uint8Array.from(Buffer.from(': [{&*!|>%@`\t\r')))),
  }),
  fc.record({ op: fc.constant('drop-quote' as const), nth: fc.nat() }),
  fc.record({ op: fc.constant('add-quote' as const), at: fc.nat(), quote: fc.constantFrom('"', "'", '`') }),
  fc.record({ op: fc.constant('bad-port' as const), nth: fc.nat(), port: fc.constantFrom('0', '70000', 'abc', '-1', '', '65536', '00', '1e3', '5000.5') }),
  fc.record({ op: fc.constant('drop-line' as const), nth: fc.nat() }),
  fc.record({ op: fc.constant('indent-line' as const), nth: fc.nat(), by: fc.constantFrom(' ', '\t', '   ') }),
);

function mutate(buf: Buffer, m: Mutation): Buffer {
  const text = buf.toString('latin1'); // byte-exact round trip
  const pick = <T>(xs: T[], n: number): T | undefined => (xs.length > 0 ? xs[n % xs.length] : undefined);
  const offsets = (re: RegExp) => [...text.matchAll(re)].map((x) => x.index!);
  switch (m.op) {
    case 'truncate':
      return buf.subarray(0, m.at % (buf.length + 1));
    case 'junk': {
      const at = m.at % (buf.length + 1);
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.bytes), buf.subarray(at)]);
    }
    case 'drop-quote': {
      const at = pick(offsets(/["']/g), m.nth);
      return at === undefined ? buf : Buffer.concat([buf.subarray(0, at), buf.subarray(at + 1)]);
    }
    case 'add-quote': {
      const at = m.at % (buf.length + 1);
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.quote), buf.subarray(at)]);
    }
    case 'bad-port': {
      const ports = [...text.matchAll(/:(\d+)\b/g)];
      const hit = pick(ports, m.nth);
      if (!hit) return buf;
      const at = hit.index! + 1;
      return Buffer.concat([buf.subarray(0, at), Buffer.from(m.port), buf.subarray(at + hit[1]!.length)]);
    }
    case 'drop-line':
    case 'indent-line': {
      const starts = [0, ...offsets(/\n/g).map((i) => i + 1)].filter((i) => i < buf.length);
      const at = pick(starts, m.nth)!;
      if (m.op === 'indent-line') return Buffer.concat([buf.subarray(0, at), Buffer.from(m.by), buf.subarray(at)]);
      const end = buf.indexOf(0x0a, at);
      return Buffer.concat([buf.subarray(0, at), end === -1 ? Buffer.alloc(0) : buf.subarray(end + 1)]);
    }
  }
}

function decode(buf: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    return undefined;
  }
}

/** Every `grpc: {port}` in a YAML stream: the kubelet accepts 1..65535 only. */
function grpcPorts(text: string): unknown[] {
  const ports: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'grpc' && x && typeof x === 'object' && 'port' in x) ports.push((x as { port: unknown }).port);
        walk(x);
      }
    }
  };
  const docs = parseAllDocuments(text);
  if (Array.isArray(docs)) for (const d of docs) walk(d.toJS());
  return ports;
}

/** A whole Flux postBuild expression: `${VAR}`, `${VAR:=default}`, `${VAR-default}`… */
const FLUX_VAR = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[=-][^${}]*)?\}$/;

/** Whether the fixture's tree holds a Flux Kustomization with postBuild (only there may the tool write a `${VAR}` grpc port). */
function fluxTree(c: FixtureCase): boolean {
  return [...c.inputs.values()].some((src) => {
    const t = fs.readFileSync(src, 'utf8');
    return t.includes('kustomize.toolkit.fluxcd.io') && t.includes('postBuild');
  });
}

function cliArgs(c: FixtureCase): string[] {
  const args = ['--fix', '--format', 'json'];
  if (c.options.kubeVersion) args.push('--kube-version', c.options.kubeVersion);
  if (c.options.keepBinary) args.push('--keep-binary');
  return [...args, ...(c.options.paths ?? ['.'])];
}

describe('mutated fixtures', () => {
  test('never crash, never corrupt', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(targets.length - 1), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (t, ms) => {
        const { c, rel } = targets[t]!;
        const dir = materialize(c);
        const file = path.join(dir, rel);
        const before = ms.reduce(mutate, fs.readFileSync(file));
        fs.writeFileSync(file, before);

        const io = captureIo(dir);
        const code = await main(cliArgs(c), io);
        expect([0, 1, 2]).toContain(code);
        expect(io.err()).not.toMatch(/\n\s+at /);
        expect(io.err()).toBe('');
        const report = JSON.parse(io.out()) as { findings: { status: string }[] };
        expect(code === 2).toBe(report.findings.some((f) => f.status === 'error'));

        const after = fs.readFileSync(file);
        const kind = classify(c.options.filename ?? rel);
        const beforeText = decode(before);
        const parsedBefore = beforeText !== undefined && !before.includes(0) && (await VERIFIERS[kind]?.(beforeText)) === undefined;
        if (!after.equals(before)) {
          // Only a file that was understood may change; its new text parses and is no worse an object.
          expect(beforeText !== undefined && mentionsBinary(beforeText) && parsedBefore).toBe(true);
          const afterText = after.toString('utf8');
          expect(await VERIFIERS[kind]?.(afterText)).toBeUndefined();
          // A Flux tree's `${VAR}` grpc ports are let through the schema check, as the engine lets the Flux planner's through.
          const substituted = fluxTree(c) ? grpcPorts(afterText).filter((p): p is string => typeof p === 'string' && FLUX_VAR.test(p)) : [];
          if (kind === 'yaml' || kind === 'json') expect(newSchemaErrors(beforeText!, afterText, substituted)).toBeUndefined();
        }
        if (kind === 'yaml' || kind === 'helm-values' || kind === 'json') {
          const text = decode(after);
          if (text !== undefined && (await VERIFIERS[kind]?.(text)) === undefined) {
            // An impossible port the input already held (truncated to `grpc: {port: }`) is not one the tool wrote.
            // An OpenShift template's `${{GRPC_PORT}}` is a port too, in a Template (oc process puts the parameter's
            // number there); so is a Flux postBuild `${GRPC_PORT}` (or `${GRPC_PORT:=50051}`), but only in a tree
            // that holds a Flux Kustomization with postBuild (the tool writes it only where every Flux
            // Kustomization that builds the file fills it with a port). Anywhere else either is an impossible port.
            const openshift = text.includes('template.openshift.io');
            const flux = fluxTree(c);
            const templateParam = (p: unknown) => typeof p === 'string' && ((openshift && /^\$\{\{[A-Za-z_][A-Za-z0-9_]*\}\}$/.test(p)) || (flux && FLUX_VAR.test(p)));
            const impossible = (t: string) => grpcPorts(t).filter((p) => !(Number.isInteger(p) && (p as number) >= 1 && (p as number) <= 65535) && !templateParam(p)).length;
            expect(impossible(text)).toBeLessThanOrEqual(parsedBefore ? impossible(beforeText!) : 0);
          }
        }

        const again = captureIo(dir);
        await main(cliArgs(c), again);
        expect(fs.readFileSync(file).equals(after)).toBe(true);
        fs.rmSync(dir, { recursive: true });
      }),
      { seed: 888, numRuns: 120 },
    );
  });
});

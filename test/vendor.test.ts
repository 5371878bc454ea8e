/**
 * The build bundles dockerfile-ast and yaml into one file each (scripts/vendor.mjs) that the tool
 * loads instead of the packages' many files. A bundle must read every file as its package does:
 * compared on every Dockerfile and every YAML file of the fixtures.
 */
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import type * as DockerfileAst from 'dockerfile-ast';
import type * as Yaml from 'yaml';
import { bundlePath, requireBundled } from '../src/code-cache.js';
import { ROOT } from './support/repo.js';

const require = createRequire(import.meta.url);
const pkg = require('dockerfile-ast') as typeof DockerfileAst;
const bundle = require(bundlePath('dockerfile-ast')) as typeof DockerfileAst;
const yamlPkg = require('yaml') as typeof Yaml;
const yamlBundle = require(bundlePath('yaml')) as typeof Yaml;

function filesUnder(dir: string, name: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(p, name);
    return name.test(e.name) ? [p] : [];
  });
}

/** What the tool reads of a parse: instructions, their arguments and flags, comments, directives, heredocs. */
function shape(ast: DockerfileAst.Dockerfile): unknown {
  return {
    directives: ast.getDirectives().map((d) => [d.getDirective(), d.getValue(), d.getRange()]),
    comments: ast.getComments().map((c) => [c.getContent(), c.getRange()]),
    instructions: ast.getInstructions().map((i) => ({
      keyword: i.getKeyword(),
      range: i.getRange(),
      args: i.getArguments().map((a) => [a.getValue(), a.getRange()]),
      flags: 'getFlags' in i ? (i as DockerfileAst.ModifiableInstruction).getFlags().map((f) => [f.getName(), f.getValue(), f.getRange()]) : [],
      heredocs: 'getHeredocs' in i ? (i as DockerfileAst.Run).getHeredocs().map((h) => [h.getName(), h.getContentRange()]) : [],
    })),
  };
}

const files = filesUnder(path.join(ROOT, 'fixtures'), /^(Dockerfile|Containerfile)|\.dockerfile$/i);

function stringified(d: Yaml.Document): string {
  try {
    return String(d);
  } catch (e) {
    return `throws: ${(e as Error).message}`;
  }
}

/** What the tool reads of a YAML parse: each document's errors, range and text, and every node's kind and range. */
function yamlShape(y: typeof Yaml, text: string): unknown {
  return y.parseAllDocuments(text, { uniqueKeys: false }).map((d) => {
    const nodes: unknown[] = [];
    if ('contents' in d) {
      y.visit(d, (_key, node) => {
        nodes.push([y.isMap(node) ? 'map' : y.isSeq(node) ? 'seq' : y.isScalar(node) ? 'scalar' : y.isPair(node) ? 'pair' : y.isAlias(node) ? 'alias' : '?', (node as { range?: unknown } | null)?.range]);
      });
    }
    return { errors: d.errors.map((e) => [e.code, e.pos]), range: 'range' in d ? d.range : undefined, text: 'contents' in d && d.errors.length === 0 ? stringified(d) : undefined, nodes };
  });
}

test('the bundle parses every Dockerfile of the fixtures as the package does', () => {
  expect(files.length).toBeGreaterThan(100);
  const differ = files.filter((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return JSON.stringify(shape(bundle.DockerfileParser.parse(text))) !== JSON.stringify(shape(pkg.DockerfileParser.parse(text)));
  });
  expect(differ.map((f) => path.relative(ROOT, f))).toEqual([]);
  // And the comparison sees what it compares: a parse of another text differs.
  expect(shape(bundle.DockerfileParser.parse('FROM a\n'))).not.toEqual(shape(pkg.DockerfileParser.parse('FROM b\n')));
});

test('the yaml bundle parses every YAML file of the fixtures as the package does', () => {
  const yamls = filesUnder(path.join(ROOT, 'fixtures'), /\.ya?ml$/i);
  expect(yamls.length).toBeGreaterThan(500);
  const differ = yamls.filter((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return JSON.stringify(yamlShape(yamlBundle, text)) !== JSON.stringify(yamlShape(yamlPkg, text));
  });
  expect(differ.map((f) => path.relative(ROOT, f))).toEqual([]);
  expect(yamlShape(yamlBundle, 'a: 1\n')).not.toEqual(yamlShape(yamlPkg, 'a: [1]\n'));
});

test('the tool loads the bundle, not the package, once the build has made it', () => {
  expect(fs.existsSync(bundlePath('dockerfile-ast'))).toBe(true);
  const loaded = requireBundled<typeof DockerfileAst>('dockerfile-ast', { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' });
  expect(loaded.DockerfileParser).toBe(bundle.DockerfileParser);
  expect(loaded.DockerfileParser).not.toBe(pkg.DockerfileParser);
  expect(requireBundled<typeof Yaml>('yaml', { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' }).parseAllDocuments).toBe(yamlBundle.parseAllDocuments);
  // Loaded once, however many modules ask (yaml-lib and mentions.ts both do), with the code cache on.
  const cached = { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', NODE_COMPILE_CACHE: fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-vendor-')) };
  expect(requireBundled('dockerfile-ast', cached)).toBe(requireBundled('dockerfile-ast', cached));
  // A package the build does not bundle is the package.
  expect(requireBundled('semver')).toBe(require('semver'));
});

test('no module of the tool loads yaml or dockerfile-ast from the package: only types are imported from it', () => {
  const sources = ['src', 'rules'].flatMap((d) => filesUnder(path.join(ROOT, d), /\.ts$/));
  const direct = sources.flatMap((f) => {
    const text = fs.readFileSync(f, 'utf8');
    // A static import of a value, a dynamic import (not `typeof import(…)`, a type), a require.
    const bad = [...text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+'(yaml|dockerfile-ast)'|(?<!typeof )import\('(yaml|dockerfile-ast)'\)|require\('(yaml|dockerfile-ast)'\)/gm)];
    return bad.map((m) => `${path.relative(ROOT, f)}: ${m[0].replace(/\s+/g, ' ')}`);
  });
  expect(direct).toEqual([]);
});

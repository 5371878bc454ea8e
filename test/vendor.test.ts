/**
 * The build bundles dockerfile-ast into one file (scripts/vendor.mjs) that the tool loads instead
 * of the package's 37 files. The bundle must read every Dockerfile as the package does: compared
 * on every Dockerfile of the fixtures, instruction by instruction.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import type * as DockerfileAst from 'dockerfile-ast';
import { bundlePath, requireBundled } from '../src/code-cache.js';
import { ROOT } from './support/repo.js';

const require = createRequire(import.meta.url);
const pkg = require('dockerfile-ast') as typeof DockerfileAst;
const bundle = require(bundlePath('dockerfile-ast')) as typeof DockerfileAst;

function dockerfiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return dockerfiles(p);
    return /^(Dockerfile|Containerfile)|\.dockerfile$/i.test(e.name) ? [p] : [];
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

const files = dockerfiles(path.join(ROOT, 'fixtures'));

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

test('the tool loads the bundle, not the package, once the build has made it', () => {
  expect(fs.existsSync(bundlePath('dockerfile-ast'))).toBe(true);
  const loaded = requireBundled<typeof DockerfileAst>('dockerfile-ast', { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' });
  expect(loaded.DockerfileParser).toBe(bundle.DockerfileParser);
  expect(loaded.DockerfileParser).not.toBe(pkg.DockerfileParser);
  // A package the build does not bundle is the package.
  expect(requireBundled('semver')).toBe(require('semver'));
});

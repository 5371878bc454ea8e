import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { RULES } from '../rules/index.js';
import { main } from '../src/cli.js';
import { run } from '../src/engine.js';
import { BLOCKER_CODES } from '../src/types.js';
import { captureIo } from './support/io.js';
import { POD, repoWith, ROOT } from './support/repo.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

test('the README shows the two set-up commands', () => {
  expect(readme).toContain('npm ci && npm run demo');
  expect(readme).toContain('npm ci && npm test');
});

test('the README runs the tool from the checkout: the package is not on the npm registry', () => {
  // `npx grpc-probe-migrate` outside this checkout would look the name up on the registry.
  expect(readme).not.toMatch(/npx grpc-probe-migrate/);
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Command line'));
  expect(quickStart).toContain('npm ci && npm run build');
  expect(quickStart).toContain('node bin/grpc-probe-migrate.js --fix path/to/repo');
  expect(quickStart).toContain('npm install -g .');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  expect(pkg.bin['grpc-probe-migrate']).toBe('bin/grpc-probe-migrate.js');
});

test('the README documents every blocker code and every rule', () => {
  for (const code of BLOCKER_CODES) expect({ code, documented: readme.includes(`| \`${code}\` |`) }).toEqual({ code, documented: true });
  for (const r of RULES) expect({ rule: r.meta.id, documented: readme.includes(`\`${r.meta.id}\``) }).toEqual({ rule: r.meta.id, documented: true });
});

test("the README's JSON report section documents every summary field", async () => {
  const section = readme.slice(readme.indexOf('## The JSON report'), readme.indexOf('## Integrations'));
  const { summary } = await run({ cwd: repoWith({ 'a.yaml': POD, 'blob.yaml': 'grpc_health_probe\0\x01' }) });
  expect(summary.skipped.length).toBeGreaterThan(0);
  const fields = [
    ...Object.keys(summary),
    ...Object.keys(summary.probes),
    ...Object.keys(summary.installs),
    ...Object.keys(summary.skipped[0]!),
  ];
  for (const field of fields) expect({ field, documented: section.includes(`\`${field}\``) }).toEqual({ field, documented: true });
});

describe("the README's command blocks are what --help prints", () => {
  test('the Command line section holds `grpc-probe-migrate --help` as printed', async () => {
    const io = captureIo(ROOT);
    expect(await main(['--help'], io)).toBe(0);
    const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## What gets migrated'));
    expect(section).toContain('```\n' + io.out() + '```\n');
  });

  test("the verify section holds verify --help's usage and options as printed", async () => {
    const io = captureIo(ROOT);
    expect(await main(['verify', '--help'], io)).toBe(0);
    const help = io.out();
    const usage = help.slice(0, help.indexOf('\n') + 1);
    const options = help.slice(help.indexOf('Options:\n'), help.indexOf('\n\n', help.indexOf('Options:\n')) + 1);
    const section = readme.slice(readme.indexOf('## Checking a probe against a live server'), readme.indexOf('## Rules'));
    expect(section).toContain('```\n' + usage + '\n' + options + '```\n');
    // verify checks grpc.mode: TLS probes over TLS (src/verify): its help must not say plaintext only.
    expect(help).toContain('plaintext (TLS without verifying\nthe server for grpc.mode: TLS)');
  });

  test("the pr section's synopsis names every option of pr --help", async () => {
    const io = captureIo(ROOT);
    expect(await main(['pr', '--help'], io)).toBe(0);
    const flags = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]).filter((f) => f !== '--help'));
    const help = io.out();
    const helpFlags = flags(help.slice(help.indexOf('Options:'), help.indexOf('Environment')));
    const section = readme.slice(readme.indexOf('### The pull-request bot'), readme.indexOf('## Checking a probe'));
    const synopsis = section.slice(section.indexOf('```\n') + 4, section.indexOf('```\n', section.indexOf('```\n') + 4));
    expect([...flags(synopsis)].sort()).toEqual([...helpFlags].sort());
    expect(help).toContain('Usage: grpc-probe-migrate pr [options] [paths...]');
    expect(readme).toContain('grpc-probe-migrate pr [options] [paths...]');
  });
});

test("the README's JSON report example is what the demo repository gives", async () => {
  const section = readme.slice(readme.indexOf('## The JSON report'), readme.indexOf('## Integrations'));
  expect(section).toContain('In `fixtures/demo-repo`, `grpc-probe-migrate --format json --assume-complete .` prints');
  const block = section.slice(section.indexOf('```json\n') + 8, section.indexOf('```\n', section.indexOf('```json\n') + 8));
  const shown = JSON.parse(block) as { findings: Record<string, unknown>[]; summary: unknown };
  const io = captureIo(path.join(ROOT, 'fixtures', 'demo-repo'));
  await main(['--format', 'json', '--assume-complete', '.'], io);
  const actual = JSON.parse(io.out()) as { version: number; tool: string; findings: Record<string, unknown>[]; summary: unknown };
  expect({ version: actual.version, tool: actual.tool }).toEqual({ version: 1, tool: 'grpc-probe-migrate' });
  expect(actual.summary).toEqual(shown.summary);
  for (const f of shown.findings) expect(actual.findings).toContainEqual(f);
});

test("the README's links to its own sections lead to a heading", () => {
  // GitHub's anchors: the heading in lower case, punctuation but - and _ dropped, spaces as -.
  const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
  const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
  const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
  expect(links.length).toBeGreaterThan(10);
  for (const link of links) expect({ link, found: anchors.has(link) }).toEqual({ link, found: true });
});

test("the README's GitHub Action table lists action.yml's inputs, with their defaults", () => {
  const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> };
  const section = readme.slice(readme.indexOf('### GitHub Action'), readme.indexOf('### The pull-request bot'));
  const rows = new Map([...section.matchAll(/^\| `([a-z-]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
  expect([...rows.keys()].sort()).toEqual(Object.keys(action.inputs).sort());
  for (const [name, input] of Object.entries(action.inputs)) {
    // A literal default is shown as it is; an empty one means the tool's own (or none).
    if (input.default && !input.default.includes('${{')) expect({ name, shown: rows.get(name) }).toEqual({ name, shown: `\`${input.default}\`` });
  }
});

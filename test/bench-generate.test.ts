import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { countsFor, generate } from '../bench/generate.js';
import { CANDIDATES_PER_SERVICE, generatePlatform, SERVICE_FILES } from '../bench/generate-platform.js';
import { floorScan } from '../bench/node-floor.js';
import { run } from '../src/engine.js';

function listFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

test('the benchmark tree has the proportions the issue asks for', () => {
  expect(countsFor({ files: 20_000 })).toEqual({ manifests: 300, dockerfiles: 100, unrelatedYaml: 1600, sources: 17_999, nodeModules: 5000, total: 20_000 });
});

test('a small generated tree holds exactly those files, and the tool finds the probes in it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-bench-'));
  try {
    const counts = generate(dir, { files: 400, nodeModules: 60 });
    const files = listFiles(dir);
    const outside = files.filter((f) => !f.startsWith('node_modules/'));
    const mentions = (f: string) => /grpc[-_]health[-_]probe/.test(fs.readFileSync(path.join(dir, f), 'utf8'));
    expect(outside.length).toBe(400);
    expect(files.length - outside.length).toBe(60);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(outside.filter((f) => /\/deployment-\d+\.yaml$/.test(f) && mentions(f)).length).toBe(counts.manifests);
    expect(outside.filter((f) => f.endsWith('/Dockerfile') && mentions(f)).length).toBe(counts.dockerfiles);
    expect(outside.filter((f) => /\/config-\d+\.yaml$/.test(f) && !mentions(f)).length).toBe(counts.unrelatedYaml);
    const sources = outside.filter((f) => /\.(go|ts)$/.test(f));
    expect(sources.length).toBe(counts.sources);
    expect(sources.some(mentions)).toBe(false);
    for (const f of sources.slice(0, 20)) expect(fs.statSync(path.join(dir, f)).size).toBeGreaterThanOrEqual(2048);
    // node_modules mentions the binary too: only a walk that prunes it stays at the candidates above.
    expect(files.filter((f) => f.startsWith('node_modules/')).some(mentions)).toBe(true);

    const result = await run({ cwd: dir, paths: ['.'] });
    expect(result.summary.filesScanned).toBe(400);
    expect(result.summary.candidates).toBe(counts.manifests + counts.dockerfiles);
    expect(result.summary.probes.migratable).toBe(2 * counts.manifests);

    // The bench's Node floor answers rg's question on the same tree: the candidates, node_modules pruned.
    const candidates = result.files.map((f) => f.file.displayPath).sort();
    expect(floorScan(dir).map((p) => path.relative(dir, p).split(path.sep).join('/')).sort()).toEqual(candidates);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the platform tree has the files it says, and every probe and install in it migrates, across files', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-bench-platform-'));
  try {
    const counts = generatePlatform(dir, 3);
    expect(counts).toEqual({ services: 3, files: 3 * SERVICE_FILES, candidates: 3 * CANDIDATES_PER_SERVICE });
    expect(listFiles(dir).length).toBe(counts.files);

    const result = await run({ cwd: dir, paths: ['.'] });
    expect(result.summary.filesScanned).toBe(counts.files);
    expect(result.summary.candidates).toBe(counts.candidates);
    // Per service: the chart's values probe (its HelmRelease and Application keep no handler), the
    // base's two probes and the overlay's patch, and the Dockerfile's install (nothing runs it then).
    expect(result.summary.probes).toEqual({ migratable: 4 * 3, migrated: 0, blocked: 0 });
    expect(result.summary.installs).toEqual({ migratable: 3, migrated: 0, blocked: 0 });
    expect(result.findings.filter((f) => f.status !== 'migratable')).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The fixture harness. A case is either
 *   fixtures/<rule>/<case>.input.<ext> [+ <case>.output.<ext>] + <case>.findings.json [+ <case>.options.json]
 * or a tree
 *   fixtures/<rule>/<case>/input/**  [+ <case>/output/** ] + <case>/findings.json [+ <case>/options.json]
 * A missing output means "unchanged". Outputs compare byte for byte (BOM, CRLF, final newline).
 * UPDATE_FIXTURES=1 rewrites outputs and findings from the tool: review every change it makes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding, RunOptions, RunResult } from '../src/types.js';
import { ROOT } from './support/repo.js';

export const FIXTURES = path.join(ROOT, 'fixtures');

export interface FixtureCase {
  rule: string;
  name: string;
  /** A tree case (input/ folder) rather than a single file. */
  tree: boolean;
  /** Files of the input tree: path relative to the tree → absolute source path. */
  inputs: Map<string, string>;
  /** Expected output per relative path (only the ones that change). */
  outputs: Map<string, string>;
  findingsPath: string;
  options: FixtureOptions;
}

export interface FixtureOptions extends Pick<RunOptions, 'kubeVersion' | 'kubeVersionExplicit' | 'keepBinary' | 'partialView' | 'grpcTlsMode'> {
  /** Name the single input file is given in the tree (default `input.<ext>`). */
  filename?: string;
  /** Paths to scan, relative to the tree (default ["."]). */
  paths?: string[];
}

export type ExpectedFinding = Pick<Finding, 'ruleId' | 'line' | 'column' | 'status' | 'blockers' | 'message'> & { file?: string };

/** Single-file fixtures named after a Dockerfile keep that name in the tree. */
function defaultName(ext: string): string {
  return /^(Dockerfile|Containerfile)$/.test(ext) ? ext : `input.${ext}`;
}

export function listCases(ruleFilter?: string): FixtureCase[] {
  const cases: FixtureCase[] = [];
  for (const rule of fs.readdirSync(FIXTURES).sort()) {
    const ruleDir = path.join(FIXTURES, rule);
    if (!fs.statSync(ruleDir).isDirectory() || (ruleFilter && rule !== ruleFilter)) continue;
    // Not rule fixtures: the demo repository and the vendored real-world corpus have tests of their own.
    if (rule === 'demo-repo' || rule === 'corpus') continue;
    for (const entry of fs.readdirSync(ruleDir).sort()) {
      const full = path.join(ruleDir, entry);
      if (fs.statSync(full).isDirectory()) {
        if (!fs.existsSync(path.join(full, 'input'))) continue;
        cases.push({
          rule,
          name: entry,
          tree: true,
          inputs: treeFiles(path.join(full, 'input')),
          outputs: fs.existsSync(path.join(full, 'output')) ? new Map([...treeFiles(path.join(full, 'output'))].map(([k, v]) => [k, v])) : new Map(),
          findingsPath: path.join(full, 'findings.json'),
          options: readOptions(path.join(full, 'options.json')),
        });
        continue;
      }
      const m = /^(.*)\.input\.([^/]+)$/.exec(entry);
      if (!m) continue;
      const [, name, ext] = m as unknown as [string, string, string];
      const options = readOptions(path.join(ruleDir, `${name}.options.json`));
      const rel = options.filename ?? defaultName(ext);
      const out = path.join(ruleDir, `${name}.output.${ext}`);
      cases.push({
        rule,
        name,
        tree: false,
        inputs: new Map([[rel, full]]),
        outputs: fs.existsSync(out) ? new Map([[rel, out]]) : new Map(),
        findingsPath: path.join(ruleDir, `${name}.findings.json`),
        options,
      });
    }
  }
  return cases;
}

function readOptions(p: string): FixtureOptions {
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as FixtureOptions) : {};
}

function treeFiles(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else out.set(path.relative(root, abs).split(path.sep).join('/'), abs);
    }
  };
  walk(root);
  return out;
}

/** Copies a case's input tree into a fresh temp folder; a symlink stays a symlink (same target text). */
export function materialize(c: FixtureCase): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gpm-${c.rule}-${c.name}-`));
  for (const [rel, src] of c.inputs) {
    const dest = path.join(dir, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (fs.lstatSync(src).isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(src), dest);
    else fs.copyFileSync(src, dest);
  }
  return dir;
}

export function runOptions(c: FixtureCase, dir: string, fix: boolean): RunOptions {
  const { filename: _f, paths, ...rest } = c.options;
  return { ...rest, paths: paths ?? ['.'], cwd: dir, fix };
}

export function normalizeFindings(result: RunResult, single: boolean): ExpectedFinding[] {
  return result.findings.map((f) => {
    const e: ExpectedFinding = { ruleId: f.ruleId, line: f.line, column: f.column, status: f.status, blockers: f.blockers, message: f.message };
    return single ? e : { file: f.file, ...e };
  });
}

export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      // A symlinked file reads as the file it reaches (a fixture's symlinked Dockerfile); a dangling link or a loop is left out.
      else if (e.isFile() || (e.isSymbolicLink() && reachesFile(abs))) out.set(path.relative(dir, abs).split(path.sep).join('/'), fs.readFileSync(abs));
    }
  };
  walk(dir);
  return out;
}

function reachesFile(link: string): boolean {
  try {
    return fs.statSync(link).isFile();
  } catch {
    return false;
  }
}

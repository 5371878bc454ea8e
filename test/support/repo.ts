/**
 * The scaffolding the CLI and engine tests share: the project's own root, the one-probe Pod they
 * run on, and temporary repositories made from a map of files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout: for package.json, bin/, dist/, action.yml and other files the tests read. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A Pod `p` with one container `c` whose remaining lines (indented by four) are `container`. */
export function pod(container: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
${container}`;
}

/**
 * The smallest manifest the tool migrates: one Pod, one container, one exec readiness probe
 * running the binary on port 5000. The probe is at line 7, column 5.
 */
export const POD = pod(`    readinessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:5000"]
`);

const ARGS = '"-addr=:5000"';

/** POD with other arguments in place of `"-addr=:5000"`, e.g. `podWith('"-addr=:5000", "-tls"')`. */
export function podWith(args: string): string {
  return POD.replace(ARGS, args);
}

/** POD after --fix: the exec probe became a native gRPC probe. */
export const MIGRATED_POD = POD.replace('      exec:\n        command: ["/bin/grpc_health_probe", "-addr=:5000"]', '      grpc:\n        port: 5000');

/** Writes each file of `files` (paths relative to `dir`, `/`-separated), making folders as needed. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
}

/**
 * A fresh temporary folder holding `files`. With `git`, it also gets an empty `.git` folder, as
 * the root of a checkout has (no git process is run).
 */
export function repoWith(files: Record<string, string | Buffer> = {}, opts: { git?: boolean } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-test-'));
  if (opts.git) fs.mkdirSync(path.join(dir, '.git'));
  writeFiles(dir, files);
  return dir;
}

/**
 * A fresh git checkout holding `files`, every one of them added to the index: the tool's git
 * searches (src/discover/grep.ts) read tracked files only, as a pre-commit run's checkout has them.
 */
export function checkoutWith(files: Record<string, string | Buffer> = {}): string {
  const dir = repoWith(files);
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'add', '-A'], { stdio: 'ignore' });
  return dir;
}

/** A Deployment `api` whose container `server` runs the binary on port 5000: the base of the partial-view tests' overlays. */
export const API_BASE = `apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
      - name: server
        readinessProbe:
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:5000"]
`;

/** A fresh temporary copy of the folder `source` (a corpus or fixture tree), for --fix to change. */
export function copyOf(source: string): string {
  const dir = repoWith();
  fs.cpSync(source, dir, { recursive: true });
  return dir;
}

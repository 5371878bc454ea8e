/**
 * Start-up cost: a run whose files never mention the binary (most pre-commit runs) must not load
 * the rules' parsers. The built CLI runs in a child process with a hook that records every
 * package it resolves, ESM and CommonJS alike.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@jest/globals';
import { POD, repoWith, ROOT } from './support/repo.js';

/** The CLI's own bundle, which bin/ runs when the build made it. */
const CLI_BUNDLE = path.join('dist', 'vendor', 'grpc-probe-migrate.cjs');

/** Packages the CLI loads (or, with another `pattern`, our own modules: its first group names them). */
// A package in node_modules, or one the build bundled (dist/vendor/<name>.cjs, scripts/vendor.mjs) as `vendor/<name>`.
function packagesLoaded(args: string[], cwd: string, pattern = String.raw`/node_modules\/((@[^/]+\/)?[^/]+)|dist\/(vendor\/[^/]+)\.cjs$/`): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-startup-'));
  const log = path.join(dir, 'loaded.txt');
  const pkg = pattern;
  fs.writeFileSync(
    path.join(dir, 'hook.mjs'),
    `import fs from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  const m = r.url.match(${pkg});
  if (m) fs.appendFileSync(${JSON.stringify(log)}, m.slice(1).find(Boolean) + '\\n');
  return r;
}
`,
  );
  fs.writeFileSync(
    path.join(dir, 'register.mjs'),
    `import fs from 'node:fs';
import Module, { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(path.join(dir, 'hook.mjs')).href)});
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  try {
    const m = Module._resolveFilename(request, parent).match(${pkg});
    if (m) fs.appendFileSync(${JSON.stringify(log)}, m.slice(1).find(Boolean) + '\\n');
  } catch {}
  return load.call(this, request, parent, ...rest);
};
// And require.resolve(): a package compiled from its file with V8's cached data
// (src/code-cache.ts) is resolved, not required.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const r = resolve.apply(this, args);
  const m = String(r).match(${pkg});
  if (m) fs.appendFileSync(${JSON.stringify(log)}, m.slice(1).find(Boolean) + '\\n');
  return r;
};
// And the modules of the CLI's bundle (scripts/vendor.mjs), by the name esbuild gives each
// (dist/src/cli.js, node_modules/chalk/source/index.js) when it first runs the module's body.
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (filename.endsWith(${JSON.stringify(CLI_BUNDLE)})) {
    const init = 'var __esm = (fn, res, err) => function __init() {';
    if (!content.includes(init)) throw new Error('the bundle has no ' + init);
    content = content.replace(init, init + ' if (fn) globalThis.__gpmModuleRuns(__getOwnPropNames(fn)[0]);');
  }
  return compile.call(this, content, filename);
};
globalThis.__gpmModuleRuns = (name) => {
  const m = name.match(${pkg});
  if (m) fs.appendFileSync(${JSON.stringify(log)}, m.slice(1).find(Boolean) + '\\n');
};
`,
  );
  // Without the code cache a bundle is required, where the hooks see it (with it, it is read and compiled by src/code-cache.ts).
  const r = spawnSync(process.execPath, ['--import', path.join(dir, 'register.mjs'), path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } });
  expect(r.status === 0 || r.status === 1).toBe(true);
  return fs.existsSync(log) ? [...new Set(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean))].sort() : [];
}

test('a run over files that never mention the binary loads no parser', () => {
  const dir = repoWith({ 'README.md': 'hello\n', 'src/app.ts': 'export const x = 1;\n', 'k8s/svc.yaml': 'kind: Service\n' });
  // chalk, for the text report, is in the CLI's bundle.
  expect(packagesLoaded(['README.md', 'src/app.ts', 'k8s/svc.yaml'], dir)).toEqual(['chalk', 'vendor/grpc-probe-migrate']);
});

test('the CLI runs from its bundle: of dist/src and dist/rules, only the module that loads it is read as a file', () => {
  expect(fs.existsSync(path.join(ROOT, CLI_BUNDLE))).toBe(true);
  const dir = repoWith({ 'a.yaml': POD });
  // A file's path or URL, not the name of a module inside the bundle (dist/src/cli.js).
  const files = packagesLoaded(['a.yaml'], dir, String.raw`/^(?:file:\/\/)?\/.*\/(dist\/(?:src|rules)\/.+\.js|grpc-probe-migrate\.cjs)$/`);
  expect(files).toEqual(['dist/src/code-cache.js', 'grpc-probe-migrate.cjs']);
});

test('a candidate loads the parsers it needs (the check above can see them)', () => {
  const dir = repoWith({ 'a.yaml': POD });
  const loaded = packagesLoaded(['a.yaml'], dir);
  // The build's bundle of yaml (scripts/vendor.mjs), not the package's 74 files.
  expect(loaded).toEqual(expect.arrayContaining(['vendor/yaml']));
  expect(loaded).not.toContain('yaml');
});

test('the shell parser loads only when a probe is a shell wrapper', () => {
  const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD.replace(/command: .*/, 'command: ["sh", "-c", "exec /bin/grpc_health_probe -addr=:5000"]') });
  expect(POD).toMatch(/command: /);
  expect(packagesLoaded(['a.yaml'], dir)).not.toContain('mvdan-sh');
  expect(packagesLoaded(['b.yaml'], dir)).toContain('mvdan-sh');
});

test('a manifest loads only the modules its rule needs: no Helm, Kustomize-patch, TypeScript or Dockerfile code', () => {
  const dir = repoWith({ 'a.yaml': POD });
  const ours = packagesLoaded(['a.yaml'], dir, String.raw`/dist\/((src|rules)\/.+\.js)$/`);
  expect(ours).toContain('rules/kubernetes-exec-probe.js');
  expect(ours.filter((m) => /^src\/(helm\/template|kustomize\/kustomization|typescript|docker)\//.test(m))).toEqual([]);
});

const DOCKERFILE = 'FROM alpine:3.19\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.24/grpc_health_probe-linux-amd64 && chmod +x /bin/grpc_health_probe\n';

test('a Dockerfile (a pre-commit run over it alone) loads no YAML parser; a compose file beside it does', () => {
  const dir = repoWith({ Dockerfile: DOCKERFILE });
  const loaded = packagesLoaded(['Dockerfile'], dir);
  expect(loaded).toEqual(expect.arrayContaining(['vendor/dockerfile-ast', 'mvdan-sh']));
  // The bundle, not the package's own 37 files (nor the two packages it requires).
  expect(loaded.filter((p) => /^(dockerfile-ast|vscode-)/.test(p))).toEqual([]);
  expect(loaded.filter((p) => /yaml$/.test(p))).toEqual([]);
  // The ties of a compose file are read with the parser: the check above can see it load.
  const withCompose = repoWith({ Dockerfile: DOCKERFILE, 'compose.yaml': 'services:\n  api:\n    build: .\n' });
  expect(packagesLoaded(['.'], withCompose)).toContain('vendor/yaml');
});

test('a report on a manifest loads no semver (only a chart kubeVersion needs it) and no crypto, v8 or vm', () => {
  const dir = repoWith({ 'a.yaml': POD });
  expect(packagesLoaded(['a.yaml'], dir)).not.toContain('semver');
  expect(packagesLoaded(['a.yaml'], dir, String.raw`/^node:(crypto|v8|vm)$/`)).toEqual([]);
});

test('semver loads for a chart whose Chart.yaml has a kubeVersion; crypto loads to write a fix', () => {
  const dir = repoWith({ 'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\nkubeVersion: ">=1.20.0"\n', 'chart/values.yaml': POD });
  expect(packagesLoaded(['.'], dir)).toContain('semver');
  const fix = repoWith({ 'a.yaml': POD });
  expect(packagesLoaded(['--fix', 'a.yaml'], fix, String.raw`/^node:(crypto)$/`)).toEqual(['crypto']);
});

test("the CLI turns on Node's module compile cache where Node has one (22.1+), before loading its own modules", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-compile-cache-'));
  const log = path.join(dir, 'events.txt');
  // A resolve hook logs when the CLI's own code is first asked for.
  fs.writeFileSync(
    path.join(dir, 'hook.mjs'),
    `import fs from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (r.url.includes('/dist/src/')) fs.appendFileSync(${JSON.stringify(log)}, 'dist/src\\n');
  return r;
}
`,
  );
  // Node 20 has no module.enableCompileCache: this stands in for it and logs the call.
  fs.writeFileSync(
    path.join(dir, 'fake.mjs'),
    `import fs from 'node:fs';
import module, { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(path.join(dir, 'hook.mjs')).href)});
module.enableCompileCache = () => {
  fs.appendFileSync(${JSON.stringify(log)}, 'enableCompileCache\\n');
  return { status: 0 };
};
`,
  );
  const r = spawnSync(process.execPath, ['--import', path.join(dir, 'fake.mjs'), path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--version'], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect([...new Set(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean))]).toEqual(['enableCompileCache', 'dist/src']);
});

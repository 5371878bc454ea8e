#!/usr/bin/env node
import module from 'node:module';

// Node >= 22.1 can keep V8's compiled code of every module between runs (in the OS temp folder;
// NODE_COMPILE_CACHE moves it, NODE_DISABLE_COMPILE_CACHE=1 turns it off): a pre-commit run then
// does not compile the YAML, Dockerfile and shell parsers again. Node 20 has no such cache. It
// must be on before the tool's modules load, hence the dynamic import below.
module.enableCompileCache?.();

// A reader that goes away (`grpc-probe-migrate . | head`) is not an error of the run: stop
// writing, and let the run end with its own exit code (files are written before the report).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE') throw err;
  });
}

// The build bundles the CLI into one file (dist/vendor/grpc-probe-migrate.cjs, scripts/vendor.mjs),
// which loads with V8's cached code: ~40 ms less than compiling and linking its ~106 ES modules
// on every run. A build without it runs dist/src/cli.js.
// --debug (or GRPC_PROBE_MIGRATE_DEBUG=1, which prints a failed rule's stack too) runs
// dist/src/cli.js with Node's source maps on (tsc writes dist/src/*.js.map), so the stack traces
// printed name src/*.ts and rules/*.ts and their lines, not the bundle's (~90 ms slower to
// start). The bundle cannot: Node 20 maps no frame of code compiled by vm.Script
// (src/code-cache.ts). A run without either reads no source map.
// A checkout that was never built (no `npm ci`, or `npm run build` not run since a clean) has no
// dist/: say what to run rather than print Node's module-not-found stack.
const dist = new URL('../dist/', import.meta.url);
// `0`, `false`, `no`, `off` or empty are off: src/env.ts's envOn, copied (this runs before src loads).
const debug = process.argv.slice(2).includes('--debug') || !/^(?:0|false|no|off)?$/i.test(process.env.GRPC_PROBE_MIGRATE_DEBUG ?? '');
let main;
try {
  if (debug) process.setSourceMapsEnabled(true);
  const { requireBundleIfBuilt } = debug ? {} : await import(new URL('src/code-cache.js', dist).href);
  ({ main } = requireBundleIfBuilt?.('grpc-probe-migrate') ?? (await import(new URL('src/cli.js', dist).href)));
} catch (err) {
  const { existsSync } = await import('node:fs');
  if (err?.code !== 'ERR_MODULE_NOT_FOUND' || existsSync(new URL('src/cli.js', dist))) throw err;
  const { fileURLToPath } = await import('node:url');
  process.stderr.write(`grpc-probe-migrate: the tool is not built (${fileURLToPath(new URL('src/cli.js', dist))} is missing): run \`npm ci\` (or \`npm run build\`) in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
process.exitCode = await main(process.argv.slice(2));

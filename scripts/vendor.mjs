/**
 * Part of `npm run build`: bundles two parsers, and the CLI, into one file each,
 * dist/vendor/<name>.cjs, which the tool loads with V8's code cache (src/code-cache.ts
 * requireBundled):
 * - dockerfile-ast (37 CommonJS files with the two vscode-languageserver packages it requires):
 *   ~35-55 ms to load file by file, of a ~390 ms pre-commit run over a Dockerfile; ~15 ms bundled;
 * - yaml (74 files): ~50-80 ms file by file, on every run that meets a YAML candidate; ~15 ms.
 * Each package is unchanged and stays the dependency: the bundle is its code, as esbuild joins it,
 * rebuilt from node_modules on every build (test/vendor.test.ts compares the two);
 * - the CLI itself (bin/ loads dist/vendor/grpc-probe-migrate.cjs; see bundleCli below).
 */
import { createHash } from 'node:crypto';
import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** The packages bundled, each as the name the code requires. */
const BUNDLES = ['dockerfile-ast', 'yaml'];

/** What every bundle is: one CommonJS file for Node 20, with a list of what went in. */
const COMMON = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', metafile: true, logLevel: 'warning' };

/** The packages esbuild put in a bundle, with their versions and licenses, for its first line. */
function packagesIn(result) {
  const packages = new Map();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m || packages.has(m[1])) continue;
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', m[1], 'package.json'), 'utf8'));
    packages.set(m[1], `${pkg.name}@${pkg.version} (${pkg.license})`);
  }
  return `${[...packages.values()].join(', ')}. Their license texts are in their packages.`;
}

for (const name of BUNDLES) {
  const outfile = path.join(root, 'dist', 'vendor', `${name}.cjs`);
  const result = await build({ ...COMMON, entryPoints: [require.resolve(name)], outfile });
  const banner = `// ${name}, bundled by scripts/vendor.mjs from: ${packagesIn(result)}\n`;
  fs.writeFileSync(outfile, banner + fs.readFileSync(outfile, 'utf8'));
}

/**
 * The CLI: dist/src/cli.js and every module of dist/src and dist/rules it imports, the lazily
 * imported ones (rules, subcommands, report formats) included, as one file. A pre-commit run over
 * one manifest spent ~20 ms having V8 compile the ~106 ES modules and several more resolving and
 * linking them (Node 20 has no compile cache for ES modules); from one CommonJS file with V8's
 * cached data, ~40 ms less (README "Start-up"). dist/src stays the library's ES build, and bin/
 * loads it when there is no bundle, and with --debug (its stack traces then name src/*.ts through
 * tsc's source maps, which Node 20 does not apply to the bundle: vm.Script).
 * - A module's lazy import() of another stays lazy: esbuild runs a module's body when it is first
 *   imported. Packages are not bundled (they are required from node_modules when the code asks,
 *   as before; yaml and dockerfile-ast through their own bundles above), but chalk: it is ES only,
 *   which Node 20 before 20.19 cannot require.
 * - import.meta.url is each module's own file in dist/, which is still there: the paths the
 *   modules find from it (the reader thread's script, the vendor bundles, package.json) are the
 *   ones they find in the ES build.
 * - A package's import() goes through the function src/code-cache.ts passes the bundle: code
 *   compiled by vm.Script has no import() on Node 20.
 * The first line holds a hash of the rest: src/code-cache.ts keeps the cached data under it.
 */
async function bundleCli() {
  const dist = path.join(root, 'dist');
  const outfile = path.join(dist, 'vendor', 'grpc-probe-migrate.cjs');
  const ownModules = {
    name: 'own-modules',
    setup(b) {
      b.onLoad({ filter: /[\\/]dist[\\/](src|rules)[\\/].*\.js$/ }, (args) => {
        const rel = path.relative(path.dirname(outfile), args.path).split(path.sep).join('/');
        const text = fs
          .readFileSync(args.path, 'utf8')
          .replaceAll('import.meta.url', `__moduleUrl(${JSON.stringify(rel)})`)
          .replace(/\bimport\((?!['"]\.)/g, '__importPackage(');
        if (/\bimport\.meta\b/.test(text)) throw new Error(`${args.path}: import.meta other than import.meta.url cannot be bundled`);
        return { contents: text, loader: 'js' };
      });
    },
  };
  const result = await build({
    ...COMMON,
    entryPoints: [path.join(dist, 'src', 'cli.js')],
    outfile,
    packages: 'external',
    plugins: [ownModules, { name: 'chalk', setup: (b) => b.onResolve({ filter: /^chalk$/ }, (args) => ({ path: require.resolve(args.path) })) }],
  });
  const strict = '"use strict";\n';
  const body = fs.readFileSync(outfile, 'utf8');
  if (!body.startsWith(strict)) throw new Error(`${outfile}: not strict code`);
  if (/\bimport\(/.test(body)) throw new Error(`${outfile}: an import() that does not go through __importPackage`);
  const text = [
    strict,
    'var __moduleUrl = (file) => require("node:url").pathToFileURL(require("node:path").join(__dirname, file)).href;\n',
    // From src/code-cache.ts (vm.Script), or Node's own import() when Node's require loaded this file.
    'var __importPackage = arguments[5] || ((name) => import(name));\n',
    body.slice(strict.length),
  ].join('');
  const own = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules')).length;
  const banner = `// grpc-probe-migrate's CLI, bundled by scripts/vendor.mjs (sha1 of the rest ${createHash('sha1').update(text).digest('hex')}) from ${own} modules of dist/ and: ${packagesIn(result)}\n`;
  fs.writeFileSync(outfile, banner + text);
}
await bundleCli();

/**
 * Part of `npm run build`: bundles two parsers into one file each, dist/vendor/<name>.cjs, which
 * the tool loads with V8's code cache (src/code-cache.ts requireBundled):
 * - dockerfile-ast (37 CommonJS files with the two vscode-languageserver packages it requires):
 *   ~35-55 ms to load file by file, of a ~390 ms pre-commit run over a Dockerfile; ~15 ms bundled;
 * - yaml (74 files): ~50-80 ms file by file, on every run that meets a YAML candidate; ~15 ms.
 * Each package is unchanged and stays the dependency: the bundle is its code, as esbuild joins it,
 * rebuilt from node_modules on every build (test/vendor.test.ts compares the two).
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** The packages bundled, each as the name the code requires. */
const BUNDLES = ['dockerfile-ast', 'yaml'];

for (const name of BUNDLES) {
  const outfile = path.join(root, 'dist', 'vendor', `${name}.cjs`);
  const result = await build({
    entryPoints: [require.resolve(name)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  // Which packages went in, with their versions and licenses, at the top of the file.
  const packages = new Map();
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!m || packages.has(m[1])) continue;
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', m[1], 'package.json'), 'utf8'));
    packages.set(m[1], `${pkg.name}@${pkg.version} (${pkg.license})`);
  }
  const banner = `// ${name}, bundled by scripts/vendor.mjs from: ${[...packages.values()].join(', ')}. Their license texts are in their packages.\n`;
  fs.writeFileSync(outfile, banner + fs.readFileSync(outfile, 'utf8'));
}

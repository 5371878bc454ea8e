/**
 * Whether the repository holds Pulumi or cdk8s code outside a project folder (one with
 * `Pulumi.yaml` or `cdk8s.yaml`): a component library, an Automation API program (whose project
 * file is written at run time), a package whose project lives in another repository. Such code can
 * install a chart of the repository (`new k8s.helm.v3.Release(…, {chart: "../chart"})`, cdk8s
 * `new Helm(…)`), whose values then hold the chart's values.yaml probe, so the reader of releases
 * in code (src/typescript/code-releases.ts) must be loaded before the helm module reads its
 * releases. The signal is an import (or require) of `@pulumi/kubernetes` or `cdk8s` in a code
 * file: asked of git first (src/discover/grep.ts), then checked in the text of the files git
 * names. Once per run; no TypeScript module is loaded to answer it.
 */
import type { RunContext } from '../types.js';
import { filesMayHold } from './grep.js';

const CODE = /\.[cm]?[jt]sx?$/i;
const SKIPPED = /[\\/]node_modules[\\/]/;
/** The module name in quotes: what an import, export … from, require() or import() names. */
const MODULE = String.raw`['"\x60](?:@pulumi/kubernetes|cdk8s)(?:/[\w./-]*)?['"\x60]`;
/** The same, with what names it: `from "cdk8s"`, `require("@pulumi/kubernetes")`, `import("cdk8s")`, `import "cdk8s"`. */
const IMPORT = new RegExp(String.raw`(?:\bfrom|\brequire\s*\(|\bimport\s*\(?)\s*${MODULE}`);
const MAX_BYTES = 1024 * 1024;
/** What git reads: the code files alone (CODE's extensions), not the rest of the checkout. */
const CODE_PATHSPECS = ['js', 'jsx', 'ts', 'tsx', 'mjs', 'cjs', 'mts', 'cts'].map((e) => `:(icase)*.${e}`);

const byRun = new WeakMap<RunContext, boolean>();

/** Whether a code file of the repository (not a .d.ts, not under node_modules) imports `@pulumi/kubernetes` or `cdk8s`. */
export function importsKubernetesIac(run: RunContext): boolean {
  let known = byRun.get(run);
  if (known !== undefined) return known;
  const code = run.repositoryFiles().filter((f) => CODE.test(f) && !f.endsWith('.d.ts') && !SKIPPED.test(f));
  const may = code.length === 0 ? undefined : filesMayHold(run, code, MODULE, CODE_PATHSPECS);
  known = code.some((f) => {
    if (may !== undefined && !may.has(f)) return false;
    const text = run.readText(f);
    return text !== undefined && text.length <= MAX_BYTES && IMPORT.test(text);
  });
  byRun.set(run, known);
  return known;
}

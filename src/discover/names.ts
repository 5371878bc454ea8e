/**
 * The repository's files sorted by what their names say, in one pass over its listing per run.
 * Readers that look across the repository (the ytt overlays, the scripts that patch probes, the
 * Pulumi and cdk8s projects) each filtered the 25k paths of the bench's checkout with regular
 * expressions of their own: a few ms each in a one-file pre-commit run, on a cold JIT.
 */
import path from 'node:path';
import type { RunContext } from '../types.js';

export interface NamedFiles {
  /** `.yaml`/`.yml`, any case. */
  yaml: string[];
  /** `.sh`, `.bash`, `.zsh`, `.ksh`, outside node_modules and vendor. */
  shell: string[];
  /** `GNUmakefile`, `Makefile`, `makefile`, `*.mk`, outside node_modules and vendor. */
  makefiles: string[];
  /** YAML files under a `.github/workflows` folder, outside node_modules and vendor. */
  workflows: string[];
  /** `Pulumi.yaml`/`.yml` and `cdk8s.yaml`/`.yml`, outside node_modules. */
  projects: string[];
  /** `kustomization.yaml`, `kustomization.yml`, `Kustomization` (the names kustomize reads). */
  kustomizations: string[];
  /** `.go` (lower case, as the Go tool reads them), vendored ones too. */
  go: string[];
}

const byRun = new WeakMap<RunContext, NamedFiles>();
const SHELL_EXT = new Set(['sh', 'bash', 'zsh', 'ksh']);
/** Their first letters' codes: s, b, z, k. */
const SHELL_START = new Set([115, 98, 122, 107]);
const MAKEFILES = new Set(['GNUmakefile', 'Makefile', 'makefile']);
const PROJECTS = new Set(['Pulumi.yaml', 'Pulumi.yml', 'cdk8s.yaml', 'cdk8s.yml']);
const VENDORED = /[\\/](?:node_modules|vendor)[\\/]/;
const NODE_MODULES = /[\\/]node_modules[\\/]/;
const WORKFLOW_DIR = `${path.sep}.github${path.sep}workflows${path.sep}`;

export function namedFiles(run: RunContext): NamedFiles {
  const known = byRun.get(run);
  if (known) return known;
  const out: NamedFiles = { yaml: [], shell: [], makefiles: [], workflows: [], projects: [], kustomizations: [], go: [] };
  // Character codes, not slices: this loop runs once, on a cold JIT, over every path of the
  // repository (25k in the bench's checkout), nearly all of them source files it skips. An indexed
  // loop, not for…of (the iterator costs on a cold JIT), and no closure over `abs` (which would
  // put the loop's variables in a context allocated for each path): ~half the loop's time.
  const files = run.repositoryFiles();
  for (let i = 0; i < files.length; i++) {
    const abs = files[i]!;
    const slash = abs.lastIndexOf(path.sep);
    const dot = abs.lastIndexOf('.');
    if (dot < slash) {
      // No extension: a Makefile, or nothing sorted here.
      const c = abs.charCodeAt(slash + 1);
      if ((c === 71 || c === 77 || c === 109) && MAKEFILES.has(abs.slice(slash + 1)) && !VENDORED.test(abs)) out.makefiles.push(abs);
      else if (c === 75 && abs.endsWith('Kustomization') && abs.length - slash - 1 === 13) out.kustomizations.push(abs);
      continue;
    }
    const n = abs.length - dot - 1;
    // Letters' codes | 32: lower case.
    if ((abs.charCodeAt(dot + 1) | 32) === 121 && ((n === 4 && (abs.charCodeAt(dot + 2) | 32) === 97 && (abs.charCodeAt(dot + 3) | 32) === 109 && (abs.charCodeAt(dot + 4) | 32) === 108) || (n === 3 && (abs.charCodeAt(dot + 2) | 32) === 109 && (abs.charCodeAt(dot + 3) | 32) === 108))) {
      // .yaml, .yml
      out.yaml.push(abs);
      const base = abs.slice(slash + 1);
      if (PROJECTS.has(base) && !NODE_MODULES.test(abs)) out.projects.push(abs);
      if (base === 'kustomization.yaml' || base === 'kustomization.yml') out.kustomizations.push(abs);
      if (abs.lastIndexOf(WORKFLOW_DIR) === slash - WORKFLOW_DIR.length + 1 && !VENDORED.test(abs)) out.workflows.push(abs);
    } else if (n >= 2 && n <= 4 && SHELL_START.has(abs.charCodeAt(dot + 1)) && SHELL_EXT.has(abs.slice(dot + 1))) {
      if (!VENDORED.test(abs)) out.shell.push(abs);
    } else if (n === 2) {
      const c = abs.charCodeAt(dot + 1);
      const d = abs.charCodeAt(dot + 2);
      if (c === 103 && d === 111) out.go.push(abs); // .go
      else if (c === 109 && d === 107 && !VENDORED.test(abs)) out.makefiles.push(abs); // .mk
    }
  }
  byRun.set(run, out);
  return out;
}

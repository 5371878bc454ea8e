/**
 * The repository's files sorted by what their names say, in one pass over its listing per run.
 * Readers that look across the repository (the ytt overlays, the scripts that patch probes, the
 * Pulumi and cdk8s projects) each filtered the 25k paths of the bench's checkout with regular
 * expressions of their own: a few ms each in a one-file pre-commit run, on a cold JIT.
 */
import path from 'node:path';
import { BINARY_NEEDLES } from '../analysis/binary.js';
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
  /**
   * YAML files of CI systems and task runners whose command keys hold shell scripts, outside
   * node_modules and vendor: GitLab CI (`.gitlab-ci.yml`, a name ending in `gitlab-ci.yml`, YAML
   * under a `.gitlab/` folder), Taskfiles (`Taskfile.yml`, `taskfile.yaml`, `Taskfile.dist.yml`),
   * Drone (`.drone.yml`), Woodpecker (`.woodpecker.yml`, YAML under `.woodpecker/`), Buildkite
   * (YAML under `.buildkite/`, `buildkite.yml`).
   */
  ciYaml: string[];
  /** `Jenkinsfile`, `Jenkinsfile.<x>`, `<x>.jenkinsfile` (any case of the extension), outside node_modules and vendor. */
  jenkinsfiles: string[];
  /**
   * Files without an extension, outside node_modules and vendor, but for names that are no script
   * (LICENSE, Dockerfile, OWNERS, …, and the Makefiles, kustomizations and Jenkinsfiles above):
   * the ones a `#!` line may make a shell script (`hack/deploy`, `bin/rollout`). Only their names:
   * a reader reads the head of those it needs.
   */
  extensionless: string[];
  /**
   * Files other readers find by name (each tests the name itself): Jsonnet and Starlark pipelines,
   * PowerShell scripts, justfiles, Tiltfiles, package.json files (src/analysis/ci-pipelines.ts),
   * sorted here so that those readers need no loop of their own over every path.
   */
  others: string[];
  /** `.json` files (any case of the extension). */
  json: string[];
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
/** Folders whose YAML files are CI pipelines that hold scripts (GitLab's local includes, Woodpecker's and Buildkite's pipelines). */
const CI_DIRS = [`${path.sep}.gitlab${path.sep}`, `${path.sep}.woodpecker${path.sep}`, `${path.sep}.buildkite${path.sep}`];
const CI_NAMES = /^(?:\.?drone|\.woodpecker|buildkite|[Tt]askfile(?:\.dist)?)\.ya?ml$|(?:^|\.)gitlab-ci\.ya?ml$/;
/** Extensionless names that are no shell script (compared in upper case). */
/** The extensions and names of NamedFiles.others. */
const OTHER_EXT = new Set(['jsonnet', 'star', 'ps1', 'PS1', 'psm1', 'psd1', 'just', 'justfile', 'Tiltfile']);
const OTHER_NAMES = new Set(['Tiltfile', 'justfile', 'Justfile']);
const NOT_SCRIPTS = new Set(['LICENSE', 'LICENCE', 'COPYING', 'NOTICE', 'AUTHORS', 'CONTRIBUTORS', 'OWNERS', 'OWNERS_ALIASES', 'CODEOWNERS', 'MAINTAINERS', 'PATENTS', 'README', 'CHANGELOG', 'VERSION', 'DOCKERFILE', 'CONTAINERFILE', 'PROCFILE', 'GEMFILE', 'RAKEFILE', 'VAGRANTFILE', 'BREWFILE', 'EARTHFILE', 'TILTFILE', 'JUSTFILE', 'BUILD', 'WORKSPACE', 'CNAME', 'HEAD', 'SECURITY']);

export function namedFiles(run: RunContext): NamedFiles {
  const known = byRun.get(run);
  if (known) return known;
  const out: NamedFiles = { yaml: [], shell: [], makefiles: [], workflows: [], projects: [], kustomizations: [], go: [], ciYaml: [], jenkinsfiles: [], extensionless: [], others: [], json: [] };
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
      // No extension: a Makefile, a Kustomization, a Jenkinsfile, or maybe a script (by its `#!` line, read later).
      const c = abs.charCodeAt(slash + 1);
      if ((c === 71 || c === 77 || c === 109) && MAKEFILES.has(abs.slice(slash + 1)) && !VENDORED.test(abs)) out.makefiles.push(abs);
      else if (c === 75 && abs.endsWith('Kustomization') && abs.length - slash - 1 === 13) out.kustomizations.push(abs);
      else if (c === 74 && abs.endsWith('Jenkinsfile') && abs.length - slash - 1 === 11) {
        if (!VENDORED.test(abs)) out.jenkinsfiles.push(abs);
      } else if ((c === 84 || c === 74 || c === 106) && OTHER_NAMES.has(abs.slice(slash + 1))) out.others.push(abs);
      else if (slash + 1 < abs.length && !NOT_SCRIPTS.has(abs.slice(slash + 1).toUpperCase()) && !VENDORED.test(abs)) out.extensionless.push(abs);
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
      // (Not -1: a path whose last separator is at WORKFLOW_DIR.length - 2 is under no such folder.)
      if (slash >= WORKFLOW_DIR.length - 1 && abs.lastIndexOf(WORKFLOW_DIR) === slash - WORKFLOW_DIR.length + 1 && !VENDORED.test(abs)) out.workflows.push(abs);
      else if ((CI_NAMES.test(base) || CI_DIRS.some((d) => abs.includes(d))) && !VENDORED.test(abs)) out.ciYaml.push(abs);
    } else if ((abs.charCodeAt(slash + 1) === 74 && abs.startsWith('Jenkinsfile.', slash + 1)) || (n === 11 && (abs.charCodeAt(dot + 1) | 32) === 106 && abs.slice(dot + 1).toLowerCase() === 'jenkinsfile')) {
      if (!VENDORED.test(abs)) out.jenkinsfiles.push(abs);
    } else if (n >= 2 && n <= 4 && SHELL_START.has(abs.charCodeAt(dot + 1)) && SHELL_EXT.has(abs.slice(dot + 1))) {
      if (!VENDORED.test(abs)) out.shell.push(abs);
    } else if (n === 2) {
      const c = abs.charCodeAt(dot + 1);
      const d = abs.charCodeAt(dot + 2);
      if (c === 103 && d === 111) out.go.push(abs); // .go
      else if (c === 109 && d === 107 && !VENDORED.test(abs)) out.makefiles.push(abs); // .mk
    } else if (n === 4 && (abs.charCodeAt(dot + 1) | 32) === 106 && (abs.charCodeAt(dot + 2) | 32) === 115 && (abs.charCodeAt(dot + 3) | 32) === 111 && (abs.charCodeAt(dot + 4) | 32) === 110) {
      // .json (package.json is also one of others)
      out.json.push(abs);
      if (abs.endsWith('package.json')) out.others.push(abs);
    } else if (n >= 3 && n <= 8 && OTHER_EXT.has(abs.slice(dot + 1))) {
      out.others.push(abs);
    }
  }
  byRun.set(run, out);
  return out;
}

const namedAsBinary = new WeakMap<RunContext, string[]>();

/**
 * The run's files whose names name the binary (`grpc_health_probe`, `grpc_health_probe-linux-amd64`):
 * vendored copies, fakes, scripts. One pass per run over `run.allFiles()`, from each path's last
 * separator, where three readers each took every path's basename (~2 ms a pass over the bench's 25k
 * paths in a one-file run).
 */
export function filesNamedAsBinary(run: RunContext): readonly string[] {
  const known = namedAsBinary.get(run);
  if (known) return known;
  const out: string[] = [];
  const files = run.allFiles();
  for (let i = 0; i < files.length; i++) {
    const abs = files[i]!;
    const slash = Math.max(abs.lastIndexOf('/'), abs.lastIndexOf(path.sep));
    if (abs.indexOf(BINARY_NEEDLES[0], slash) !== -1 || abs.indexOf(BINARY_NEEDLES[1], slash) !== -1) out.push(abs);
  }
  namedAsBinary.set(run, out);
  return out;
}

/** Which kind of file a path is. A table, so a new kind is a new row, not a branch in the engine. */
import fs from 'node:fs';
import path from 'node:path';
import type * as Yaml from 'yaml';
import { requireBundled } from './code-cache.js';
import type { FileKind } from './types.js';
import { isYttText } from './ytt/detect.js';

interface KindRule {
  kind: FileKind;
  /**
   * `rel` uses `/` separators; `text` is the file's text when it has been read; `abs` its absolute
   * path when the caller knows it.
   */
  test(base: string, rel: string, text?: string, abs?: string): boolean;
}

const YAML_EXT = /\.ya?ml$/i;
/** A YAML file a template step renders (`envsubst < deploy.yaml.tpl`, Jinja's `.yml.j2`). */
const YAML_TEMPLATE_EXT = /\.ya?ml\.(tpl|tmpl|template|in|j2|jinja2?)$/i;
/**
 * Template syntax that is not YAML: Go templates and Jinja (`{{ }}`, `{% %}`), ERB (`<% %>`), and
 * the `@NAME@` placeholders that autoconf's configure and CMake's configure_file fill in a
 * `.yaml.in` (a plain scalar cannot start with `@`, so such a file is no YAML until then).
 */
const TEMPLATE_SYNTAX = /\{\{|\{%|<%|@[A-Za-z_][A-Za-z0-9_]*@/;
/** Helm values files: values.yaml, values-prod.yaml, values.prod.yaml, values_prod.yaml. */
/** Documentation: it names the binary, it never runs it. */
export const DOCUMENTATION = /\.(md|txt|rst|adoc)$/i;

/** Renovate's config: it names the binary's repository to bump its version, it never runs it. */
export const RENOVATE_CONFIG = /^(renovate\.json5?|\.renovaterc(\.json5?)?)$/i;

/**
 * A build context's ignore file (`.dockerignore`, `<Dockerfile>.dockerignore`): it leaves files out
 * of the context, it never runs them. Not a Dockerfile, though `Dockerfile.dockerignore` is named like one.
 */
export const DOCKER_IGNORE = /(^|\.)dockerignore$/i;

/**
 * Other tools' ignore files (`.gitignore`, `.helmignore`, `.npmignore`, `.prettierignore`,
 * `.eslintignore`, `.gcloudignore`, `.hgignore`): they leave files out of what the tool tracks,
 * packages, formats or uploads; they never run them. The group is the tool's name.
 */
export const TOOL_IGNORE = /^\.(git|helm|npm|prettier|eslint|gcloud|hg)ignore$/i;

export const VALUES_NAME = /^values([-_.][^/]*)?\.ya?ml$/i;

/**
 * Kinds whose rules read across the repository for each file (RunContext.repositoryFiles): a
 * manifest may be patched by a kustomization, a Flux or Argo CD controller, a release's values, or
 * embedded by Go code elsewhere; a custom resource built in TypeScript is checked against its CRD
 * in the repository; a compose file may be pulled in by another compose file's `include:`. In a partial view git lists the checkout in its own process as
 * soon as the run may need it (the CLI, src/cli.ts), and the engine waits for that listing before
 * it runs the rules on a file of these kinds; a rule that reads the repository for another kind
 * gets the same answer, from git asked again if the listing is not done yet
 * (test/run-files.test.ts holds the rules to this list).
 */
export const READS_REPOSITORY: ReadonlySet<FileKind> = new Set(['yaml', 'helm-values', 'helm-template', 'json', 'typescript', 'compose']);

export const KIND_RULES: readonly KindRule[] = [
  { kind: 'other', test: (b) => DOCKER_IGNORE.test(b) || TOOL_IGNORE.test(b) },
  { kind: 'dockerfile', test: (b) => /^(Dockerfile|Containerfile)([.-].*)?$/i.test(b) || /\.(Dockerfile|Containerfile)$/i.test(b) },
  // A Carvel ytt template, overlay or data values file (`#@ load(`, `#@overlay/match`, `name: #@ expr`),
  // whatever its name: its comments are code and its annotations attach to the next node, so it is
  // never rewritten (unsupported-file reports its uses; src/ytt/overlays.ts holds the base probes an
  // overlay writes into). A Helm template under templates/ with `{{ }}` stays one.
  { kind: 'other', test: (b, rel, text, abs) => YAML_EXT.test(b) && text !== undefined && isYttText(text) && !(/\{\{/.test(text) && underTemplates(rel, abs)) },
  { kind: 'compose', test: (b) => /^(docker-)?compose([.-][^/]*)?\.ya?ml$/i.test(b) },
  { kind: 'helm-template', test: (b, rel, _text, abs) => (YAML_EXT.test(b) || b.endsWith('.tpl')) && underTemplates(rel, abs) },
  { kind: 'helm-values', test: (b) => VALUES_NAME.test(b) },
  { kind: 'kustomization', test: (b) => /^(kustomization\.ya?ml|Kustomization)$/.test(b) },
  // A compose file under another name (docker-stack.yml, examples/compose/memory.yml, a file an
  // `extends: {file}` names): told by its shape, only once its text is read (a candidate).
  { kind: 'compose', test: (b, _rel, text, abs) => YAML_EXT.test(b) && text !== undefined && isComposeShaped(text) && !inHelmChart(abs) },
  { kind: 'yaml', test: (b) => YAML_EXT.test(b) },
  // Read as the YAML it is when it holds no template syntax (`${IMAGE}` placeholders are plain
  // scalars); with `{{ }}` or `{% %}` it is not YAML until rendered, and stays an unsupported file.
  { kind: 'yaml', test: (b, _rel, text) => YAML_TEMPLATE_EXT.test(b) && text !== undefined && !TEMPLATE_SYNTAX.test(text) },
  // Before `json`: its JSON is no manifest, and it is not a use (see unsupported-file).
  { kind: 'other', test: (b) => RENOVATE_CONFIG.test(b) },
  { kind: 'json', test: (b) => /\.json$/i.test(b) },
  { kind: 'typescript', test: (b) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(b) && !b.endsWith('.d.ts') },
  { kind: 'shell', test: (b) => /\.(sh|bash)$/i.test(b) },
  // Without an extension: a shell script by its `#!` line (as the probe-patch reader takes it, src/kubernetes/patch-commands.ts).
  { kind: 'shell', test: (b, _rel, text) => !b.includes('.') && text !== undefined && shellShebang(text) },
];

/** `#!/bin/bash`, `#!/usr/bin/env sh`, `#!/usr/bin/env -S bash -e`: a POSIX-like shell's script. */
export function shellShebang(text: string): boolean {
  return /^#!\s*\S*?\/(?:env\s+(?:-\S+\s+)*)?(?:ba|da|a|z|k|mk)?sh(?:\s|$)/.test(text);
}

/** `abs`: the file's absolute path, when known (a compose-shaped file inside a Helm chart is its values, not compose). */
export function classify(displayPath: string, text?: string, abs?: string): FileKind {
  const rel = displayPath.split(path.sep).join('/');
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  for (const r of KIND_RULES) if (r.test(base, rel, text, abs)) return r.kind;
  return 'other';
}

/** The top-level keys of the Compose specification (and the legacy `version`); `x-` ones are extensions. */
const COMPOSE_TOP = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'configs', 'secrets', 'models']);
/** A service's keys in the Compose specification, legacy v2 ones included. */
const COMPOSE_SERVICE = new Set(
  (
    'annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent command configs container_name cpu_count cpu_percent ' +
    'cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy develop ' +
    'device_cgroup_rules devices dns dns_opt dns_search domainname driver_opts entrypoint env_file environment expose extends ' +
    'external_links extra_hosts gpus group_add healthcheck hostname image init ipc isolation labels label_file links logging ' +
    'log_driver log_opt mac_address mem_limit mem_reservation mem_swappiness memswap_limit models net network_mode networks ' +
    'oom_kill_disable oom_score_adj pid pids_limit platform ports post_start pre_stop privileged profiles provider pull_policy ' +
    'read_only restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period stop_signal storage_opt sysctls ' +
    'tmpfs tty ulimits use_api_socket user userns_mode uts volume_driver volumes volumes_from working_dir'
  ).split(' '),
);
/** Keys of which a service that runs something has at least one. */
const COMPOSE_RUNS = ['image', 'build', 'extends', 'healthcheck', 'command', 'entrypoint'];

let yamlLib: typeof Yaml | undefined;

/**
 * Whether a YAML text is a Compose file, whatever its name: every document is empty or a mapping
 * whose keys are all Compose's top-level ones (`services`, `networks`, `volumes`, …, `x-`
 * extensions), neither `apiVersion` nor `kind` among them, and at least one has a `services`
 * mapping whose every entry is a mapping (or empty) of Compose service keys only, a scalar
 * `image` if any, and at least one that runs something (image, build, extends, healthcheck,
 * command, entrypoint). A Kubernetes manifest has apiVersion and kind; Helm values that happen
 * to hold `services:` have other top-level keys or service keys Compose does not know (`image:
 * {repository}`, `livenessProbe`, `env`, `resources`). Parsed only when a line starts with
 * `services:`, so most YAML is not parsed here.
 */
export function isComposeShaped(text: string): boolean {
  if (!/^services[ \t]*:/m.test(text)) return false;
  yamlLib ??= requireBundled<typeof Yaml>('yaml');
  const { isAlias, isMap, isScalar, parseAllDocuments } = yamlLib;
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  } catch {
    return false;
  }
  if (!Array.isArray(docs)) return false;
  const keyOf = (k: unknown) => (isScalar(k) && typeof k.value === 'string' ? k.value : isScalar(k) && typeof k.value === 'symbol' ? k.value.description : undefined);
  let services = false;
  for (const doc of docs) {
    if (doc.errors.length > 0) return false;
    const resolve = (n: unknown) => {
      let node = n;
      for (let i = 0; isAlias(node) && i < 64; i++) node = node.resolve(doc);
      return node;
    };
    const root = doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) continue;
    if (!isMap(root)) return false;
    for (const p of root.items) {
      const k = keyOf(p.key);
      if (k === undefined || !(COMPOSE_TOP.has(k) || k.startsWith('x-'))) return false;
      if (k !== 'services') continue;
      const svcs = resolve(p.value);
      if (!isMap(svcs) || svcs.items.length === 0) return false;
      let runs = false;
      for (const s of svcs.items) {
        if (keyOf(s.key) === undefined) return false;
        const svc = resolve(s.value);
        if (svc === null || (isScalar(svc) && svc.value === null)) continue;
        if (!isMap(svc)) return false;
        for (const f of svc.items) {
          const fk = keyOf(f.key);
          if (fk === undefined || !(COMPOSE_SERVICE.has(fk) || fk === '<<' || fk.startsWith('x-'))) return false;
          if (fk === 'image' && !isScalar(resolve(f.value))) return false;
          if (COMPOSE_RUNS.includes(fk)) runs = true;
        }
      }
      if (!runs) return false;
      services = true;
    }
  }
  return services;
}

/**
 * Whether a file sits in a `templates/` folder of its repository, whatever folder the run names it
 * from (`cd chart/templates && grpc-probe-migrate deployment.yaml` names a Helm template too; a
 * checkout that itself sits in a folder named `templates` holds none by that name). With the
 * absolute path: a `templates` folder between the file and the top of its git checkout, or, outside
 * a checkout, one beside a Chart.yaml, or else one in the path as shown. Without it: the path as shown.
 */
function underTemplates(rel: string, abs: string | undefined): boolean {
  const shown = /(^|\/)templates\//.test(rel);
  // Most files: no folder of that name on the way up, and no file system call.
  if (abs === undefined || !abs.includes(`${path.sep}templates${path.sep}`)) return shown;
  let inside = false;
  for (let dir = path.dirname(abs), i = 0; i < 64; i++) {
    // The checkout's own top folder is no folder of it, whatever its name (a repository cloned as `templates`).
    if (fs.existsSync(path.join(dir, '.git'))) return inside;
    if (path.basename(dir) === 'templates') {
      const chart = path.dirname(dir);
      if (fs.existsSync(path.join(chart, 'Chart.yaml')) || fs.existsSync(path.join(chart, 'Chart.yml'))) return true;
      inside = true;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return shown;
}

/** Whether a file sits in a Helm chart (a folder above it holds Chart.yaml, up to the repository's root): its YAML is the chart's. */
function inHelmChart(abs: string | undefined): boolean {
  if (abs === undefined) return false;
  for (let dir = path.dirname(abs), i = 0; i < 32; i++) {
    if (fs.existsSync(path.join(dir, 'Chart.yaml')) || fs.existsSync(path.join(dir, 'Chart.yml'))) return true;
    if (fs.existsSync(path.join(dir, '.git'))) return false;
    const up = path.dirname(dir);
    if (up === dir) return false;
    dir = up;
  }
  return false;
}

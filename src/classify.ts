/** Which kind of file a path is. A table, so a new kind is a new row, not a branch in the engine. */
import path from 'node:path';
import type { FileKind } from './types.js';

interface KindRule {
  kind: FileKind;
  /** `rel` uses `/` separators; `text` is the file's text when it has been read. */
  test(base: string, rel: string, text?: string): boolean;
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

export const VALUES_NAME = /^values([-_.][^/]*)?\.ya?ml$/i;

/**
 * Kinds whose rules read across the repository for each file (RunContext.repositoryFiles): a
 * manifest may be patched by a kustomization, a Flux or Argo CD controller, a release's values, or
 * embedded by Go code elsewhere; a custom resource built in TypeScript is checked against its CRD
 * in the repository. In a partial view git lists the checkout in its own process as
 * soon as the run may need it (the CLI, src/cli.ts), and the engine waits for that listing before
 * it runs the rules on a file of these kinds; a rule that reads the repository for another kind
 * gets the same answer, from git asked again if the listing is not done yet
 * (test/run-files.test.ts holds the rules to this list).
 */
export const READS_REPOSITORY: ReadonlySet<FileKind> = new Set(['yaml', 'helm-values', 'helm-template', 'json', 'typescript']);

export const KIND_RULES: readonly KindRule[] = [
  { kind: 'dockerfile', test: (b) => /^(Dockerfile|Containerfile)([.-].*)?$/i.test(b) || /\.(Dockerfile|Containerfile)$/i.test(b) },
  { kind: 'compose', test: (b) => /^(docker-)?compose([.-][^/]*)?\.ya?ml$/i.test(b) },
  { kind: 'helm-template', test: (b, rel) => /(^|\/)templates\//.test(rel) && (YAML_EXT.test(b) || b.endsWith('.tpl')) },
  { kind: 'helm-values', test: (b) => VALUES_NAME.test(b) },
  { kind: 'kustomization', test: (b) => /^(kustomization\.ya?ml|Kustomization)$/.test(b) },
  { kind: 'yaml', test: (b) => YAML_EXT.test(b) },
  // Read as the YAML it is when it holds no template syntax (`${IMAGE}` placeholders are plain
  // scalars); with `{{ }}` or `{% %}` it is not YAML until rendered, and stays an unsupported file.
  { kind: 'yaml', test: (b, _rel, text) => YAML_TEMPLATE_EXT.test(b) && text !== undefined && !TEMPLATE_SYNTAX.test(text) },
  // Before `json`: its JSON is no manifest, and it is not a use (see unsupported-file).
  { kind: 'other', test: (b) => RENOVATE_CONFIG.test(b) },
  { kind: 'json', test: (b) => /\.json$/i.test(b) },
  { kind: 'typescript', test: (b) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(b) && !b.endsWith('.d.ts') },
  { kind: 'shell', test: (b) => /\.(sh|bash)$/i.test(b) },
];

export function classify(displayPath: string, text?: string): FileKind {
  const rel = displayPath.split(path.sep).join('/');
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  for (const r of KIND_RULES) if (r.test(base, rel, text)) return r.kind;
  return 'other';
}

/** Which kind of file a path is. A table, so a new kind is a new row, not a branch in the engine. */
import path from 'node:path';
import type { FileKind } from './types.js';

interface KindRule {
  kind: FileKind;
  /** `rel` uses `/` separators. */
  test(base: string, rel: string): boolean;
}

const YAML_EXT = /\.ya?ml$/i;
/** Helm values files: values.yaml, values-prod.yaml, values.prod.yaml, values_prod.yaml. */
/** Documentation: it names the binary, it never runs it. */
export const DOCUMENTATION = /\.(md|txt|rst|adoc)$/i;

/** Renovate's config: it names the binary's repository to bump its version, it never runs it. */
export const RENOVATE_CONFIG = /^(renovate\.json5?|\.renovaterc(\.json5?)?)$/i;

export const VALUES_NAME = /^values([-_.][^/]*)?\.ya?ml$/i;

export const KIND_RULES: readonly KindRule[] = [
  { kind: 'dockerfile', test: (b) => /^(Dockerfile|Containerfile)([.-].*)?$/i.test(b) || /\.(Dockerfile|Containerfile)$/i.test(b) },
  { kind: 'compose', test: (b) => /^(docker-)?compose([.-][^/]*)?\.ya?ml$/i.test(b) },
  { kind: 'helm-template', test: (b, rel) => /(^|\/)templates\//.test(rel) && (YAML_EXT.test(b) || b.endsWith('.tpl')) },
  { kind: 'helm-values', test: (b) => VALUES_NAME.test(b) },
  { kind: 'kustomization', test: (b) => /^(kustomization\.ya?ml|Kustomization)$/.test(b) },
  { kind: 'yaml', test: (b) => YAML_EXT.test(b) },
  // Before `json`: its JSON is no manifest, and it is not a use (see unsupported-file).
  { kind: 'other', test: (b) => RENOVATE_CONFIG.test(b) },
  { kind: 'json', test: (b) => /\.json$/i.test(b) },
  { kind: 'typescript', test: (b) => /\.(ts|mts|cts|js|mjs|cjs)$/i.test(b) && !b.endsWith('.d.ts') },
  { kind: 'shell', test: (b) => /\.(sh|bash)$/i.test(b) },
];

export function classify(displayPath: string): FileKind {
  const rel = displayPath.split(path.sep).join('/');
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  for (const r of KIND_RULES) if (r.test(base, rel)) return r.kind;
  return 'other';
}

/** Re-parses a rewritten file before it is written: a kind with a parser gets checked here. */
import type { Edit, FileKind } from './types.js';
import { yamlError } from './parse/yaml.js';
import { editsThroughAliases } from './parse/yaml-aliases.js';

/** Why the text does not parse, or undefined. May be async (to import a heavy parser lazily). */
export type Verifier = (text: string) => string | undefined | Promise<string | undefined>;

export const VERIFIERS: Partial<Record<FileKind, Verifier>> = {
  yaml: (t) => yamlError(t),
  'helm-values': (t) => yamlError(t),
  compose: (t) => yamlError(t),
  // The others import their parser's module when a rewrite of their kind is first checked.
  dockerfile: async (t) => (await import('./docker/verify.js')).dockerfileError(t),
  kustomization: (t) => yamlError(t),
  // Helm: the same masking the rule parsed with; if/else branches repeat keys.
  'helm-template': async (t) => (await import('./helm/template.js')).templateYamlError(t),
  json: (t) => {
    try {
      // A BOM is not JSON to JSON.parse, but the rule reads past it and the rewrite keeps it.
      JSON.parse(t.charCodeAt(0) === 0xfeff ? t.slice(1) : t);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
  typescript: async (t) => (await import('./typescript/morph.js')).typescriptSyntaxError(t),
};

/** Checks the edits themselves against the original text: why they must not be applied, or undefined. */
export type EditCheck = (text: string, edits: readonly Edit[]) => string | undefined;

export const EDIT_CHECKS: Partial<Record<FileKind, EditCheck>> = {
  yaml: editsThroughAliases,
  'helm-values': editsThroughAliases,
  compose: editsThroughAliases,
};

/** Checks a rewrite against the original's meaning: `(before, after)` → what got worse, or undefined. */
export type RewriteCheck = (before: string, after: string) => string | undefined;

/**
 * Kubernetes API schema checks (--validate), per file kind. Loaded only when asked for: the
 * schemas are large and most runs do not want them.
 */
export const SCHEMA_CHECKS: Partial<Record<FileKind, () => Promise<RewriteCheck>>> = {
  yaml: async () => (await import('./validate/kubernetes.js')).newSchemaErrors,
  json: async () => (await import('./validate/kubernetes.js')).newSchemaErrors,
};

export async function loadSchemaChecks(): Promise<Partial<Record<FileKind, RewriteCheck>>> {
  const out: Partial<Record<FileKind, RewriteCheck>> = {};
  for (const [kind, load] of Object.entries(SCHEMA_CHECKS)) out[kind as FileKind] = await load!();
  return out;
}

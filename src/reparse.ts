/** Re-parses a rewritten file before it is written: a kind with a parser gets checked here. */
import { createRequire } from 'node:module';
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
    const e = jsonSyntaxError(t);
    if (!e) return undefined;
    const lines = t.slice(0, e.offset).split('\n');
    return `${e.message} at line ${lines.length}, column ${lines[lines.length - 1]!.length + 1}`;
  },
  typescript: async (t) => (await import('./typescript/morph.js')).typescriptSyntaxError(t),
};

/** Checks the edits themselves against the original text: why they must not be applied, or undefined. May be async. */
export type EditCheck = (text: string, edits: readonly Edit[]) => string | undefined | Promise<string | undefined>;

export const EDIT_CHECKS: Partial<Record<FileKind, EditCheck>> = {
  yaml: editsThroughAliases,
  'helm-values': editsThroughAliases,
  compose: editsThroughAliases,
  // A stage reference that stays must name the stage it named, whichever of the fixes go (hunt22 E1).
  dockerfile: async (t, e) => (await import('./docker/stage-refs.js')).stageReferenceChange(t, e),
};

/**
 * Checks a rewrite against the original's meaning: `(before, after)` → what got worse, or undefined.
 * `substituted`: the `${VAR}` ports the rewrite's Flux-planned fixes write (Report.substitutedPort).
 */
export type RewriteCheck = (before: string, after: string, substituted?: readonly string[]) => string | undefined;

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

/**
 * Why a text is not plain JSON (JSON.parse's verdict), in one line, and where. Node names no
 * position for some errors ("Unexpected token ']', <excerpt> is not valid JSON" for a trailing
 * comma in an array), and its excerpt of the file may hold a secret (an -rpc-header value): the
 * message drops the excerpt, and jsonc-parser, loaded only here, finds the offset Node leaves out.
 * A BOM is read past, as the JSON rule does; offsets are into the text as given.
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const body = bom ? text.slice(1) : text;
  let nodeMessage: string;
  try {
    JSON.parse(body);
    return undefined;
  } catch (e) {
    nodeMessage = (e as Error).message;
  }
  const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
  const errors: import('jsonc-parser').ParseError[] = [];
  jsonc.parse(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  const position = /at position (\d+)/.exec(nodeMessage);
  let offset = position ? Number(position[1]) : (first?.offset ?? 0);
  let message = nodeMessage.split('\n')[0]!.replace(/, (?:\.\.\.)?".*$/, '').replace(/ in JSON at position \d+.*$/, '');
  if (first && (first.error === jsonc.ParseErrorCode.ValueExpected || first.error === jsonc.ParseErrorCode.PropertyNameExpected)) {
    let before = first.offset - 1;
    while (before >= 0 && /\s/.test(body[before]!)) before--;
    if (body[before] === ',') {
      offset = before;
      message = 'a trailing comma';
    }
  } else if (first?.error === jsonc.ParseErrorCode.InvalidCommentToken) {
    offset = first.offset;
    message = 'a comment';
  }
  return { offset: Math.min(offset, body.length) + bom, message };
}

/**
 * Where a text JSON.parse refuses is broken even as JSON with comments and trailing commas
 * (tsconfig.json, devcontainer.json: valid where they live), or undefined when it reads as that.
 * Broken is cut short, a quote left open: no reader of JSON takes it.
 */
export function jsonBrokenAt(text: string): { offset: number; message: string } | undefined {
  const bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
  const errors: import('jsonc-parser').ParseError[] = [];
  jsonc.parse(bom ? text.slice(1) : text, errors, { disallowComments: false, allowTrailingComma: true, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return undefined;
  // `CloseBraceExpected` → `close brace expected`
  const message = jsonc.printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return { offset: first.offset + bom, message };
}

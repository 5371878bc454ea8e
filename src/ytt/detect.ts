/**
 * Carvel ytt files: YAML whose comments are code. ytt reads a comment that starts `#@` as an
 * annotation (`#@overlay/match by=…`, `#@data/values`, `#@schema/…`) or as Starlark (`#@ load(…)`,
 * `#@ for …:` … `#@ end`, `#@ def`), and a value written `key: #@ expr` or `- #@ expr` as the
 * expression's result; an annotation attaches to the node that follows it, and an overlay's map
 * items must each match exactly one node of the base unless `missing_ok=True`. A rewrite that
 * splices keys in (or drops `exec`) moves annotations onto other nodes and breaks the build, so
 * such files are classified apart (src/classify.ts) and never rewritten: the unsupported-file rule
 * reports their uses, and src/ytt/overlays.ts holds the base probes an overlay writes into.
 * Kept small: src/classify.ts imports it on every run.
 */

/**
 * An annotation or a line of code (`#@overlay/…`, `#@data/values`, `#@ load(`, `#@ if`, `#@ end`, …),
 * or a value that is an expression (`name: #@ svc.name`, `- #@ "-addr=:{}".format(port)`). Not a
 * plain comment that starts `# @`, nor `#@` later in a comment or a string.
 */
const YTT_LINE =
  /^[ \t]*#@(?:(?:overlay|data|schema|template|yaml|library|assert|text)\/|[ \t]*(?:load\(|if[ \t(]|elif[ \t(]|else[ \t]*:|for[ \t(]|end\b|def[ \t]|return\b|[A-Za-z_]\w*[ \t]*=[^=]))|^[ \t]*(?:-[ \t]+)+#@[ \t]|^[ \t]*(?:-[ \t]+)?[^\s#'"][^#\n]*?:[ \t]+#@[ \t]/m;

/** Whether a YAML text carries ytt annotations or expressions: it is a ytt template, overlay or data values file. */
export function isYttText(text: string): boolean {
  return text.includes('#@') && YTT_LINE.test(text);
}

/** Whether the text has an overlay document (`#@overlay/match by=…` written on a document). */
export function hasYttOverlay(text: string): boolean {
  return /^[ \t]*#@overlay\/match\b/m.test(text);
}

/** What a ytt file is, for messages: an overlay, a data values (or schema) file, or a template. */
export function yttRole(text: string): 'overlay' | 'data values file' | 'template' {
  if (/^[ \t]*#@overlay\/match\b/m.test(text)) return 'overlay';
  if (/^[ \t]*#@(data\/values|schema\/|data\/values-schema)/m.test(text)) return 'data values file';
  return 'template';
}

/**
 * The whole-line comments of a ytt file that are text: `#!` (ytt's own comments) and `#` comments
 * that are not annotations. A `#@` line is code: a mention there runs.
 */
export function yttCommentRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/^[ \t]*#(?!@)[^\n]*/gm)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

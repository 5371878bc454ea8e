/** Where a text mentions the binary, and which mentions sit in YAML comments (not uses). */
import type { Parser } from 'yaml';
import { requireBundled } from '../code-cache.js';
import type { FileKind, SourceFile } from '../types.js';
import { BINARY_NEEDLES } from './binary.js';

/** Kinds whose comments are read with the YAML parser: a mention there is not a use. */
const YAML_KINDS: ReadonlySet<FileKind> = new Set(['yaml', 'helm-values', 'compose', 'kustomization']);

/** Offsets of the mentions of the binary that are not in comments: the places that may use it. */
export function usesOutsideComments(file: SourceFile): number[] {
  const comments = YAML_KINDS.has(file.kind) ? yamlCommentRanges(file.text) : file.kind === 'dockerfile' ? hashLineCommentRanges(file.text) : [];
  return mentionOffsets(file.text).filter((o) => !inRanges(o, comments));
}

export function mentionOffsets(text: string): number[] {
  const out: number[] = [];
  for (const needle of BINARY_NEEDLES) {
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) out.push(i);
  }
  return out.sort((a, b) => a - b);
}

// Required at the first YAML text, not imported: the Dockerfile rule imports this module, and a
// run whose only candidate is a Dockerfile must not load the YAML parser (~90 ms).
let YamlParser: typeof Parser | undefined;

/** Ranges of the comments of a YAML text, from the yaml CST (works on broken YAML too). */
export function yamlCommentRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v && typeof v === 'object') {
      const t = v as { type?: string; offset?: number; source?: string };
      if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') out.push([t.offset, t.offset + t.source.length]);
      for (const x of Object.values(v)) if (x && typeof x === 'object') walk(x);
    }
  };
  // The bundle src/parse/yaml-lib.ts loads, without importing that module here (most runs never get here).
  YamlParser ??= requireBundled<typeof import('yaml')>('yaml').Parser;
  for (const token of new YamlParser().parse(text)) walk(token);
  return out;
}

export function inRanges(offset: number, ranges: readonly (readonly [number, number])[]): boolean {
  return ranges.some(([s, e]) => offset >= s && offset < e);
}

/**
 * Whole-line comment markers of code and IaC the tool cannot rewrite, by file name. Only lines
 * that start with the marker count: a `#` or `//` later on a line may sit inside a string
 * (`"http://…"`), and Markdown's `#` is a heading, not a comment, so documentation has no row.
 */
const LINE_COMMENT_MARKERS: readonly [RegExp, RegExp][] = [
  [/\.(tf|hcl|jsonnet|libsonnet)$/i, /^[ \t]*(#|\/\/)[^\n]*/gm],
  [/\.(go|cue|java|kt|kts|scala|rs|cs|swift|groovy|gradle)$|^Jenkinsfile$/i, /^[ \t]*\/\/[^\n]*/gm],
  // Podman Quadlet units are systemd unit files: `#` and `;` start a comment line.
  [/\.(container|pod|kube|build|image|network|volume)$/i, /^[ \t]*[#;][^\n]*/gm],
  [/\.(py|nix|star|bzl|rb|toml|mk|ps1)$|^(GNUmakefile|Makefile|makefile|Tiltfile|BUILD|BUILD\.bazel|WORKSPACE|Gemfile|Rakefile|Vagrantfile)$/i, /^[ \t]*#[^\n]*/gm],
];

/** Ranges of the whole-line comments of a file the tool cannot rewrite (none for an unknown kind). */
export function codeLineCommentRanges(displayPath: string, text: string): [number, number][] {
  const base = displayPath.slice(Math.max(displayPath.lastIndexOf('/'), displayPath.lastIndexOf('\\')) + 1);
  const marker = LINE_COMMENT_MARKERS.find(([name]) => name.test(base))?.[1];
  if (!marker) return [];
  const out: [number, number][] = [];
  for (const m of text.matchAll(marker)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

/** Ranges of whole-line `#` comments (Dockerfiles: a comment is a line starting with `#`). */
export function hashLineCommentRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/^[ \t]*#[^\n]*/gm)) out.push([m.index!, m.index! + m[0].length]);
  return out;
}

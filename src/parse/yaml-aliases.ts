import type { Document, Node } from 'yaml';
import { isAlias, visit } from './yaml-lib.js';
import type { Edit } from '../types.js';
import { contentEnd, parseYaml } from './yaml.js';

/**
 * An edit inside an anchored node (`&probe`) that an alias (`*probe`) uses elsewhere changes
 * every place the alias stands, places no rule looked at (a lifecycle hook sharing the probe's
 * exec, say). Returns why such a rewrite is refused, or undefined.
 */
export function editsThroughAliases(text: string, edits: readonly Edit[]): string | undefined {
  if (edits.length === 0 || !text.includes('&') || !text.includes('*')) return undefined;
  const { docs, error } = parseYaml(text);
  if (error) return undefined; // the re-parse check speaks for that
  return editsThroughAliasesIn(docs, edits);
}

/** The same, on documents already parsed (a rule asks before it reports a fix). */
export function editsThroughAliasesIn(docs: readonly Document.Parsed[], edits: readonly Edit[]): string | undefined {
  for (const doc of docs) {
    const used = new Set<string>();
    visit(doc, {
      Alias(_, a) {
        used.add(a.source);
      },
    });
    if (used.size === 0) continue;
    let hit: string | undefined;
    visit(doc, (_, n) => {
      const node = n as Node;
      if (isAlias(node) || !node.anchor || !used.has(node.anchor) || !node.range) return undefined;
      const start = node.range[0];
      const end = contentEnd(node);
      // An insertion at either end of the node counts: it lands in the anchored content.
      if (edits.some((e) => (e.start === e.end ? start <= e.start && e.start <= end : e.start < end && start < e.end))) {
        hit = node.anchor;
        return visit.BREAK;
      }
      return undefined;
    });
    if (hit !== undefined) return `the edit changes &${hit}, which *${hit} also uses elsewhere; migrate it by hand`;
  }
  return undefined;
}

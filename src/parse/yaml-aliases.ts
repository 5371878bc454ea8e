import type { Document, Node } from 'yaml';
import { isAlias, isPair, isScalar, isSeq, visit } from './yaml-lib.js';
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
  return editsThroughAliasesIn(docs, edits, text);
}

/** The same, on documents already parsed (a rule asks before it reports a fix); `text` is theirs. */
export function editsThroughAliasesIn(docs: readonly Document.Parsed[], edits: readonly Edit[], text: string): string | undefined {
  for (const doc of docs) {
    // Each anchor's aliases: where they stand, and whether a merge key (`<<: *probe`) brings them in.
    // `merge`: the merge key's value as written (`*probe`, or a list of them: `[*base, *probe]`).
    const used = new Map<string, { at: number; merge?: string }[]>();
    const isMergePair = (n: unknown) => isPair(n) && isScalar(n.key) && n.key.value === '<<';
    visit(doc, {
      Alias(_, a, path) {
        const parent = path[path.length - 1];
        // `<<: *probe`, or one of the list a merge key may take (`<<: [*base, *probe]`), which merges each.
        const list = isSeq(parent) && isMergePair(path[path.length - 2]) ? parent : undefined;
        const merge = isMergePair(parent) ? `*${a.source}` : list?.range ? text.slice(list.range[0], contentEnd(list)) : undefined;
        used.set(a.source, [...(used.get(a.source) ?? []), { at: a.range?.[0] ?? 0, ...(merge !== undefined ? { merge } : {}) }]);
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
    if (hit !== undefined) {
      const line = (offset: number) => text.slice(0, offset).split('\n').length;
      const uses = used.get(hit)!.map((u) => `line ${line(u.at)}${u.merge !== undefined ? ` (merged there with <<: ${u.merge})` : ''}`);
      return `the edit changes &${hit}, which *${hit} also uses elsewhere (${uses.join(', ')}); migrate it by hand`;
    }
  }
  return undefined;
}

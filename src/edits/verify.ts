import type { Edit } from '../types.js';

/**
 * Proof that a rewrite changed nothing but its edits: every character outside the edit ranges
 * is where it was, and each range holds exactly its edit's text. `edits` must be sorted and
 * disjoint (as `applyEdits` returns them). Returns the first difference, or undefined.
 */
export function unintendedChange(original: string, edits: readonly Edit[], rewritten: string): string | undefined {
  let from = 0;
  let at = 0;
  for (const e of [...edits, { start: original.length, end: original.length, text: '' }]) {
    const keep = original.slice(from, e.start);
    if (rewritten.slice(at, at + keep.length) !== keep) return `text before offset ${e.start} changed outside any edit`;
    at += keep.length;
    if (rewritten.slice(at, at + e.text.length) !== e.text) return `the edit at offset ${e.start} was not applied as planned`;
    at += e.text.length;
    from = e.end;
  }
  return at === rewritten.length ? undefined : 'text was added after the last edit';
}

import type { Edit } from '../types.js';

export interface EditGroup<T> {
  owner: T;
  edits: readonly Edit[];
}

export interface ApplyResult<T> {
  text: string;
  applied: T[];
  /** Groups dropped because one of their edits overlapped an edit already taken. */
  dropped: T[];
  /** The edits taken, in text order. */
  edits: Edit[];
}

/**
 * Applies groups of edits (one group per finding) in one pass, ESLint-style: groups are taken in
 * order of their first edit; a group any of whose edits overlaps one already taken is dropped as a
 * whole, so a finding is either fully applied or not at all.
 */
export function applyEdits<T>(text: string, groups: readonly EditGroup<T>[]): ApplyResult<T> {
  const ordered = [...groups].filter((g) => g.edits.length > 0).sort((a, b) => firstStart(a) - firstStart(b));
  const taken: Edit[] = [];
  const applied: T[] = [];
  const dropped: T[] = [];
  for (const g of ordered) {
    const clash = g.edits.some((e) => e.start > e.end || e.end > text.length || taken.some((t) => overlaps(t, e)))
      || g.edits.some((e, i) => g.edits.some((f, j) => i !== j && overlaps(e, f)));
    if (clash) {
      dropped.push(g.owner);
      continue;
    }
    taken.push(...g.edits);
    applied.push(g.owner);
  }
  taken.sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let pos = 0;
  for (const e of taken) {
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  out += text.slice(pos);
  return { text: out, applied, dropped, edits: taken };
}

function firstStart(g: EditGroup<unknown>): number {
  return Math.min(...g.edits.map((e) => e.start));
}

/** Two edits clash when their ranges share a character, or both insert at the same point. */
function overlaps(a: Edit, b: Edit): boolean {
  if (a.start === a.end && b.start === b.end) return a.start === b.start;
  return a.start < b.end && b.start < a.end;
}

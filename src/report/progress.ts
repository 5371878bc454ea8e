/**
 * Progress of a long scan on a terminal: one line, rewritten in place at most every 100 ms, erased
 * when the scan ends. The CLI creates it only when stderr is a TTY (not TERM=dumb) and --quiet is
 * not given, so pipes, CI logs and pre-commit output never see it.
 */

import { printable } from '../text/printable.js';

export interface ProgressStream {
  write(s: string): unknown;
  columns?: number;
}

export interface Progress {
  update(p: { scanned: number; candidates: number; current: string }): void;
  /** Erases the line, if one was drawn. */
  done(): void;
}

export const PROGRESS_INTERVAL_MS = 100;
const ERASE = '\r\u001b[K';

export function progressLine(p: { scanned: number; candidates: number; current: string }, width: number): string {
  const head = `${p.scanned.toLocaleString('en')} files scanned, ${p.candidates.toLocaleString('en')} candidates`;
  const room = width - 1 - head.length - 3;
  if (room < 8) return head.slice(0, Math.max(0, width - 1));
  // A folder's name comes from the tree: escaped, as the text report escapes names.
  const current = printable(p.current);
  const folder = current.length > room ? `…${current.slice(current.length - room + 1)}` : current;
  return `${head} · ${folder}`;
}

export function createProgress(stream: ProgressStream, now: () => number = () => performance.now()): Progress {
  // Counting from the start: a scan shorter than one interval draws nothing.
  let last = now();
  let drawn = false;
  return {
    update(p) {
      const t = now();
      if (t - last < PROGRESS_INTERVAL_MS) return;
      last = t;
      drawn = true;
      stream.write(ERASE + progressLine(p, stream.columns || 80));
    },
    done() {
      if (drawn) stream.write(ERASE);
      drawn = false;
    },
  };
}

/** Colour decisions, apart from text.ts so that the CLI does not load chalk for --format json. */

/**
 * Whether to colour a stream: a TTY, unless NO_COLOR is set (not empty) or TERM is `dumb` (Emacs'
 * compile buffers, some CI consoles: escape codes show up there as text). FORCE_COLOR wins either
 * way, with Node's meaning: `0` or `false` turn colour off, any other value (empty too) on.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** Whether a terminal can redraw a line in place (the progress display): not a `dumb` one. */
export function canRedraw(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

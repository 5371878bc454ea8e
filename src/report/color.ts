/** Colour decisions, apart from text.ts so that the CLI does not load chalk for --format json. */

/** Whether to colour a stream: a TTY, unless NO_COLOR is set; FORCE_COLOR wins. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

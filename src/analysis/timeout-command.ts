/**
 * `timeout [OPTION] DURATION COMMAND [ARG]...` (GNU coreutils and BusyBox): runs COMMAND and
 * stops it after DURATION, exiting non-zero (124, or the signal's status with
 * --preserve-status). Around the probe binary that is a deadline on the check, which the native
 * probe's timeoutSeconds is; nothing else it does changes what the check means.
 */
import { basename } from 'node:path';

export interface TimeoutCommand {
  /** The deadline in seconds; 0 is none (GNU: "A duration of 0 disables the associated timeout"). */
  seconds: number;
  /** DURATION as written. */
  duration: string;
  /** Index of COMMAND in the words. */
  command: number;
}

const UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
/** GNU's DURATION: a floating point number with an optional unit (BusyBox takes the same). */
const DURATION = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/;

/** Options that take a value: the signal to send, the later KILL, BusyBox's old `-t SECS`. */
const WITH_VALUE: Record<string, string> = { s: 'signal', k: 'kill-after', t: 'duration' };
const FLAGS = new Set(['v', 'verbose', 'preserve-status', 'foreground']);

/**
 * The deadline and the command of a `timeout` call, read from its words (the first is `timeout`
 * or a path to it); undefined for anything else, or for an option this reader does not know.
 * Options stop at the first word that is not one, as GNU's (`+` in its option string).
 */
export function readTimeoutCommand(words: readonly string[]): TimeoutCommand | undefined {
  if (words.length < 3 || basename(words[0]!) !== 'timeout') return undefined;
  let duration: string | undefined;
  let i = 1;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    if (!w.startsWith('-') || w === '-') break;
    const long = /^--([a-z-]+)(?:=(.*))?$/s.exec(w);
    if (long) {
      const [, name, inline] = long;
      if (FLAGS.has(name!) && inline === undefined) continue;
      if (name !== 'signal' && name !== 'kill-after') return undefined;
      if (inline === undefined) i++;
      if (i >= words.length) return undefined;
      continue;
    }
    // Short options, clustered as getopt allows (`-vs9`, `-k5`).
    let j = 1;
    for (; j < w.length; j++) {
      const c = w[j]!;
      if (c === 'v') continue;
      const takes = WITH_VALUE[c];
      if (takes === undefined) return undefined;
      const value = j + 1 < w.length ? w.slice(j + 1) : words[++i];
      if (value === undefined) return undefined;
      if (takes === 'duration') duration = value;
      break;
    }
  }
  if (duration === undefined) duration = words[i++];
  if (duration === undefined || i >= words.length) return undefined;
  const m = DURATION.exec(duration);
  if (!m) return undefined;
  return { seconds: Number(m[1]) * UNITS[m[2]!]!, duration, command: i };
}

/** Go's time.ParseDuration, as the binary's -connect-timeout/-rpc-timeout flags use it. */
const UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  'µs': 1e-6,
  'μs': 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** The longest Duration Go can hold (int64 nanoseconds), in seconds. */
const MAX_GO_DURATION_SECONDS = 9223372036.854775807;

/** Seconds, or undefined when Go would reject the text. */
export function parseGoDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNITS[m[2]!]!;
    s = s.slice(m[0].length);
  }
  // Go's Duration is an int64 of nanoseconds: beyond ~292 years ParseDuration fails.
  if (total > MAX_GO_DURATION_SECONDS) return undefined;
  return sign * total;
}

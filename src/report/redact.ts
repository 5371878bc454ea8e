/**
 * Masks -rpc-header values in text shown to people (diff hunks quote the files, and a blocked
 * probe's header often sits in a hunk's context). The value may follow on the same line or, in a
 * block list or after a shell line continuation, on the next one; everything after the flag is
 * masked: hiding a little too much in a display is the safe side.
 */
export const REDACTED = '[redacted]';

const FLAG = /rpc-header/i;
/** What may separate the flag from a value on the next line: quotes, commas, brackets, `\`. */
const ONLY_PUNCTUATION = /^[\s"',\]\\]*$/;

export function redactRpcHeaders(text: string): string {
  const lines = text.split('\n');
  let maskNext = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (maskNext) {
      // Keep the diff marker, indentation and a list dash so the hunk still reads as one.
      const m = /^([ +-]?[ \t]*(?:- )?)/.exec(line)!;
      lines[i] = line.trim() === '' ? line : `${m[1]}${REDACTED}`;
      maskNext = false;
    }
    const at = line.search(FLAG);
    if (at === -1) continue;
    const end = at + 'rpc-header'.length;
    const rest = line.slice(end);
    if (ONLY_PUNCTUATION.test(rest)) {
      maskNext = true;
      continue;
    }
    lines[i] = `${line.slice(0, end)} ${REDACTED}${rest.endsWith('\r') ? '\r' : ''}`;
  }
  return lines.join('\n');
}

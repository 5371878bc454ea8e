/** mvdan-sh reports UTF-8 byte offsets; edits and findings need string (UTF-16) offsets. */
export function byteToStringOffsets(s: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return (b) => b;
  const map: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) map.push(i);
    if (cp > 0xffff) i++;
  }
  map.push(s.length);
  return (b) => map[Math.min(b, map.length - 1)]!;
}

/**
 * Byte counts as people read them, for messages: `5 MB`, `1.5 MB`, `64 KB`, `900 bytes`. Never
 * `0 MB` for a limit under a megabyte: each count is in the largest unit it is at least one of,
 * with one decimal where that says something.
 */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'] as const;
  const tenths = (v: number) => Math.round(v * 10) / 10;
  let value = bytes / 1024;
  let unit = 0;
  // 1023.96 KB would print as 1024 KB: that is 1 MB.
  while (tenths(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${tenths(value)} ${units[unit]}`;
}

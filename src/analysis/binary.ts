/** Recognising the grpc_health_probe binary in text and in argv. */

/** Byte needles: a file that contains neither is never parsed. */
export const BINARY_NEEDLES = ['grpc_health_probe', 'grpc-health-probe'] as const;

export function mentionsBinary(text: string): boolean {
  return text.includes(BINARY_NEEDLES[0]) || text.includes(BINARY_NEEDLES[1]);
}

/** True when a command word runs the binary: any path whose basename starts with its name. */
export function isBinaryPath(word: string): boolean {
  const base = word.slice(word.lastIndexOf('/') + 1);
  return base.startsWith(BINARY_NEEDLES[0]) || base.startsWith(BINARY_NEEDLES[1]);
}

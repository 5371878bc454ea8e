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

/** Extensions of interpreted scripts: `grpc_health_probe.sh` is a wrapper named after the binary, not a copy of it. */
const SCRIPT_EXTENSION = /\.(sh|bash|zsh|ksh|ash|py|rb|pl|js|mjs|cjs|ts|php|lua|ps1)$/i;

/** A command word that names the binary but is a script: what it runs cannot be seen from the probe. */
export function isScriptNamedAfterBinary(word: string): boolean {
  return isBinaryPath(word) && SCRIPT_EXTENSION.test(word.slice(word.lastIndexOf('/') + 1));
}

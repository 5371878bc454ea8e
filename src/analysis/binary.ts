/** Recognising the grpc_health_probe binary in text and in argv. */

/** Byte needles: a file that contains neither is never parsed. */
export const BINARY_NEEDLES = ['grpc_health_probe', 'grpc-health-probe'] as const;

export function mentionsBinary(text: string): boolean {
  return text.includes(BINARY_NEEDLES[0]) || text.includes(BINARY_NEEDLES[1]);
}

/**
 * How a command word was written: `shell` for a word a shell has already read (there a `\` was an
 * escape, and one left in the word is part of a file name), `exec` for an item of an exec-form
 * argv (a probe's `command:` list), which no shell reads: there a `\` separates the directories of
 * a Windows path (`C:\probe\grpc_health_probe.exe`), as Windows containers write them.
 */
export type WordForm = 'shell' | 'exec';

/** Index of the last path separator of a word: `/`, and `\` too in an exec-form item. */
function lastSeparator(word: string, form: WordForm): number {
  return form === 'exec' ? Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) : word.lastIndexOf('/');
}

/**
 * True when a command word runs the binary: any path whose basename starts with its name. An
 * option's value (`--health-binary=/bin/grpc_health_probe`) or an assignment (`P=/bin/…`) is not
 * a command word: no shell or kubelet runs a word that starts with `-` or holds `=` before its path.
 */
export function isBinaryPath(word: string, form: WordForm = 'shell'): boolean {
  const slash = lastSeparator(word, form);
  if (word.startsWith('-') || word.slice(0, slash + 1).includes('=')) return false;
  const base = word.slice(slash + 1);
  return base.startsWith(BINARY_NEEDLES[0]) || base.startsWith(BINARY_NEEDLES[1]);
}

/** `--health-binary=/bin/grpc_health_probe`: an option that gives another program the binary's path; the option's name, else undefined. */
export function binaryPathOption(word: string): string | undefined {
  const m = /^(--?[A-Za-z][\w.-]*)=(.+)$/.exec(word);
  return m && isBinaryPath(m[2]!) ? m[1] : undefined;
}

/** Extensions of interpreted scripts: `grpc_health_probe.sh` is a wrapper named after the binary, not a copy of it. */
export const SCRIPT_EXTENSION = /\.(sh|bash|zsh|ksh|ash|py|rb|pl|js|mjs|cjs|ts|php|lua|ps1)$/i;

/** A command word that names the binary but is a script: what it runs cannot be seen from the probe. */
export function isScriptNamedAfterBinary(word: string, form: WordForm = 'shell'): boolean {
  return isBinaryPath(word, form) && SCRIPT_EXTENSION.test(word.slice(lastSeparator(word, form) + 1));
}

/** The upstream probe image, from its registry or a mirror that keeps its path (`…/grpc-ecosystem/grpc-health-probe:v0.4.28`). */
export const UPSTREAM_IMAGE = /(^|\/)grpc-ecosystem\/grpc-health-probe(:[^/@]*)?(@sha256:[0-9a-f]+)?$/;
/** The upstream probe image where its project publishes it (ghcr.io), by tag or digest. */
export const OFFICIAL_UPSTREAM = /^(?:ghcr\.io\/)?grpc-ecosystem\/grpc-health-probe(?::[^/@]*)?(?:@sha256:[0-9a-f]+)?$/;

/** What a run of the upstream probe image keeps, said after "the binary ships in that image". */
export function upstreamRunKeeps(image: string): string {
  return OFFICIAL_UPSTREAM.test(image)
    ? 'so it keeps no install of this repository'
    : 'so it keeps no install of this repository, unless that image is this repository\'s own rebuild under another registry (a Dockerfile of it that builds that name, or one nothing ties to a name, may be): those installs stay';
}

/** What a container image named after the binary (`image: maruina/docker-grpc-health-probe:v0.3.1`) means, where a manifest or a Jsonnet/HCL file names one. */
export const NAMED_IMAGE_HINT =
  'An image named after the binary that this repository does not build (no file ties it to a Dockerfile, tags a build with it or names it other than as an image to run) is taken for a third-party image that ships its own binary, as a Helm test\'s that checks the service from another pod: it keeps no install of the repository\'s application images (one whose ENTRYPOINT or CMD runs another program). A Dockerfile that may build it (one with no ENTRYPOINT or CMD of its own, or named after the binary) keeps its installs while the container runs; the install findings say which. Only probes can be native: keep this container, or check the service with the upstream grpc-health-probe image.';

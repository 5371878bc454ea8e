/**
 * What else a consumer of an image runs: the images of the repository its Dockerfile builds on
 * (`FROM acme/base`) or copies from (`COPY --from=acme/tools`, a stage `FROM acme/tools AS
 * tools` that a COPY reads, `RUN --mount=from=acme/tools`), transitively. Removing the binary
 * from acme/base removes it from every image built FROM it, and breaks a COPY of it.
 */
import path from 'node:path';
import type { From } from 'dockerfile-ast';
import type { RunContext } from '../types.js';
import { imageName, realPath, type ImageTies, type Reach } from './images.js';
import { InstructionTooLargeError, parseDockerfile, sourcesOf, type InstructionSource } from './parse.js';
import { escapeRegExp } from '../text/regexp.js';

/** An image reference a Dockerfile reads from outside itself (not one of its own stages). */
export type ImageRef = InstructionSource;

/** The outside images a Dockerfile reads, as written (build variables left in). */
export function imageRefs(text: string): ImageRef[] {
  const out: ImageRef[] = [];
  const stages = new Set<string>();
  const add = (ref: string | null | undefined, how: ImageRef['how']) => {
    // A stage is named case-insensitively; `--from=0` is a stage's index.
    if (!ref || stages.has(ref.toLowerCase()) || /^\d+$/.test(ref)) return;
    if (!out.some((r) => r.ref === ref && r.how === how)) out.push({ ref, how });
  };
  for (const ins of parseDockerfile(text).instructions) {
    // A stage's own name is known from its FROM on: later references to it are not outside images.
    for (const src of sourcesOf(ins)) add(src.ref, src.how);
    const stage = ins.keyword === 'FROM' ? (ins.node as From).getBuildStage() : null;
    if (stage) stages.add(stage.toLowerCase());
  }
  return out;
}

const VARIABLE = '\u0000';

/**
 * The known image names a reference may be. A build variable (`FROM ${BASE}`, `$REGISTRY/base`)
 * may be set to anything at build time, whatever its default: it stands for any text, so
 * `${BASE}` may be every image of the repository and `${REGISTRY}/base` any one named `…/base`.
 */
export function namesOf(ref: string, known: Iterable<string>): { names: string[]; variable: boolean } {
  // Each variable becomes one placeholder first, so that a `:` or `/` inside `${BASE:-acme/base:1}`
  // is not read as the tag's or the path's.
  const name = imageName(ref.replace(/\$\{[^}]*(\}|$)|\$[A-Za-z_][A-Za-z0-9_]*/g, VARIABLE));
  const names = [...known].filter((k) => !k.startsWith('dockerfile:') && !k.startsWith('compose:'));
  if (!name.includes(VARIABLE)) return { names: names.includes(name) ? [name] : [], variable: false };
  const pattern = new RegExp(`^${name.split(VARIABLE).map(escapeRegExp).join('.*')}$`);
  return { names: names.filter((k) => pattern.test(k)), variable: true };
}

/**
 * Adds to each consumer's reach the images of the repository that the Dockerfiles of what it
 * reaches build on, with why. Memoised per image for one decision.
 */
export function withBaseImages(run: RunContext, ties: ImageTies, known: ReadonlySet<string>): (reach: readonly Reach[]) => Reach[] {
  // Image key or name → the Dockerfiles tied to it.
  const byImage = new Map<string, string[]>();
  for (const [dockerfile, set] of ties.byDockerfile) for (const i of set) byImage.set(i, [...(byImage.get(i) ?? []), dockerfile]);
  // A Dockerfile the tool does not parse (an instruction over its cap) may build on any image: why, instead of its references.
  const refsOf = new Map<string, ImageRef[] | { unread: string }>();
  const refs = (dockerfile: string): ImageRef[] | { unread: string } => {
    let r = refsOf.get(dockerfile);
    if (!r) {
      const text = run.readText(dockerfile);
      try {
        r = text === undefined ? [] : imageRefs(text);
      } catch (e) {
        r = e instanceof InstructionTooLargeError ? { unread: e.message } : [];
      }
      refsOf.set(dockerfile, r);
    }
    return r;
  };
  const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
  const dockerfilesOf = (image: string): string[] => {
    if (image.startsWith('dockerfile:')) return [image.slice('dockerfile:'.length)];
    return byImage.get(image.startsWith('compose:') ? image : imageName(image)) ?? [];
  };
  return (reach) => {
    const out = [...reach];
    const seen = new Set(reach.map((r) => r.image).filter((i): i is string => i !== undefined));
    for (let i = 0; i < out.length; i++) {
      const from = out[i]!;
      if (from.image === undefined) continue;
      for (const dockerfile of dockerfilesOf(from.image)) {
        const read = refs(realPath(dockerfile));
        if (!Array.isArray(read)) {
          const step = `${shown(dockerfile)} was not read (${read.unread}), so it may build on or copy from any image`;
          for (const name of known) {
            if (name.startsWith('dockerfile:') || name.startsWith('compose:') || seen.has(name)) continue;
            seen.add(name);
            out.push({ image: name, why: from.why ? `${from.why}; ${step}` : step, maybe: true });
          }
          continue;
        }
        for (const { ref, how } of read) {
          const { names, variable } = namesOf(ref, known);
          for (const name of names) {
            if (seen.has(name)) continue;
            seen.add(name);
            const step = `${shown(dockerfile)} ${how} ${ref}${variable ? ', a build variable that may name any image' : ''}`;
            out.push({ image: name, why: from.why ? `${from.why}; ${step}` : step, ...(variable || from.maybe ? { maybe: true } : {}) });
          }
        }
      }
    }
    return out;
  };
}


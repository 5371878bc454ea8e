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
import { UPSTREAM_IMAGE } from '../analysis/binary.js';
import { filesMayHold } from '../discover/grep.js';

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

/** Registries and namespaces only their vendor publishes to. */
const VENDOR_IMAGES = /^(mcr\.microsoft\.com|registry\.access\.redhat\.com|registry\.redhat\.io|registry\.k8s\.io|k8s\.gcr\.io|gcr\.io\/distroless|cgr\.dev\/chainguard|public\.ecr\.aws\/docker\/library)\//;

/** Docker Hub official images a Dockerfile commonly builds on: a repository does not build these names. */
const OFFICIAL_IMAGES = new Set(
  (
    'alpine busybox debian ubuntu centos fedora rockylinux almalinux amazonlinux oraclelinux archlinux opensuse photon clearlinux ' +
    'golang node python ruby rust openjdk eclipse-temurin amazoncorretto ibmjava sapmachine maven gradle php perl erlang elixir haskell ' +
    'swift dart julia r-base gcc buildpack-deps dotnet mono nginx httpd caddy haproxy traefik envoy postgres mysql mariadb redis mongo ' +
    'memcached rabbitmq docker bash'
  ).split(' '),
);

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
  // A variable before the first `/` may be a registry, Docker Hub's among them (`${REGISTRY}/acme/base`
  // with REGISTRY=docker.io builds on acme/base, the name Docker Hub's images are known by here).
  const parts = name.split(VARIABLE).map(escapeRegExp);
  const hub = name.startsWith(`${VARIABLE}/`) ? `(?:.*/)?${parts.slice(1).join('.*').slice(1)}` : parts.join('.*');
  const pattern = new RegExp(`^${hub}$`);
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
  // Whether an untied reference may name an image of the repository: anything but the bare name
  // of a common Docker Hub official image that no file of the run gives to a build with -t/--tag
  // or names as a build context (`FROM base` is no official image: a script or CI elsewhere may
  // well build it).
  let tagged: Set<string> | undefined;
  const mayBeBuiltHere = (ref: string): boolean => {
    if (/\$/.test(ref)) return true;
    const name = imageName(ref);
    if (name === 'scratch') return false;
    // The probe's own image, and a vendor's registry (`mcr.microsoft.com/windows/servercore`,
    // `gcr.io/distroless/static`): no repository builds those.
    if (UPSTREAM_IMAGE.test(name) || VENDOR_IMAGES.test(name)) return false;
    if (!OFFICIAL_IMAGES.has(name)) return true;
    tagged ??= officialNamesBuilt(run);
    return tagged.has(name);
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
          // A name no file ties to a Dockerfile (`FROM acme/base` built by a script, by CI
          // elsewhere or by hand) may be the image of a Dockerfile of the repository, as a
          // consumer's `image: payments` may: it stands for every one the ties do not rule out.
          // Only a common official image's bare name (`alpine:3.20`, `golang`) that no file of
          // the repository tags (`docker build -t alpine`) is taken for a public image.
          if (names.length === 0 && mayBeBuiltHere(ref)) {
            const name = variable ? ref : imageName(ref);
            if (seen.has(name)) continue;
            seen.add(name);
            const step = `${shown(dockerfile)} ${how} ${ref}, ${variable ? 'a build variable that may name any image' : 'which no file of the repository ties to a Dockerfile: it may be any image built here'}`;
            out.push({ image: name, why: from.why ? `${from.why}; ${step}` : step, maybe: true });
            continue;
          }
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

/**
 * The common official images' names that a file of the run gives to a build: `docker build -t
 * alpine`, a named context that replaces one in a FROM (`--build-context alpine=…`, bake's
 * `contexts = { alpine = "target:base" }`, compose's `additional_contexts`). One pass over the
 * run's files for every name, and only over those `git grep` says may hold such an option (where
 * it can say): a name at a time, each a read of every file, cost ~60 ms a name on 3,000 files.
 */
function officialNamesBuilt(run: RunContext): Set<string> {
  const n = `(${[...OFFICIAL_IMAGES].map(escapeRegExp).join('|')})`;
  const pattern = new RegExp(
    `(?:^|\\s)(?:-t|--tag)(?:=|\\s+)["']?${n}(?=["':@\\s]|$)|--build-context(?:=|\\s+)["']?${n}=|(?:^|[\\s{,-])["']?${n}["']?\\s*[=:]\\s*["']?(?:target:|docker-image:|service:|oci-layout:)`,
    'gm',
  );
  const files = run.allFiles();
  const may = filesMayHold(run, files, String.raw`(?:^|\s)(?:-t|--tag)(?:[=\s]|$)|--build-context|(?:target|docker-image|service|oci-layout):`);
  const built = new Set<string>();
  for (const abs of may ? files.filter((f) => may.has(f)) : files) {
    const text = run.readText(abs);
    if (text === undefined) continue;
    for (const m of text.matchAll(pattern)) built.add((m[1] ?? m[2] ?? m[3])!);
  }
  return built;
}

/**
 * Which image each Dockerfile builds, where the repository says so: skaffold.yaml artifacts
 * (`image` + `context` + `docker.dockerfile`), compose services (`build:` + `image:`) and
 * GoReleaser's `dockers` / `dockers_v2` (`image_templates` or `images` + `dockerfile`).
 * Consumers that carry an image are then matched to the Dockerfiles that build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { classify } from '../classify.js';
import type { RunContext } from '../types.js';

/** Image key of a consumer that runs inside the image built from this Dockerfile. */
export function dockerfileKey(absPath: string): string {
  return `dockerfile:${realPath(absPath)}`;
}

/**
 * The path with symlinks resolved, so that a Dockerfile reached by two names (`api/Dockerfile ->
 * ../docker/Dockerfile.go`) is one file to the ties; the path as given when it does not exist.
 */
export function realPath(absPath: string): string {
  try {
    return fs.realpathSync(absPath);
  } catch {
    return absPath;
  }
}

/** `registry/repo:tag@digest` → `registry/repo`: skaffold artifacts have no tag, manifests often do. */
export function imageName(image: string): string {
  let s = image.trim();
  const at = s.indexOf('@');
  if (at !== -1) s = s.slice(0, at);
  const colon = s.lastIndexOf(':');
  if (colon > s.lastIndexOf('/')) s = s.slice(0, colon);
  // Docker Hub has several spellings of one name: docker.io/acme/base is acme/base, and
  // docker.io/library/alpine is alpine.
  s = s.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//i, '');
  if (s.startsWith('library/') && s.indexOf('/', 'library/'.length) === -1) s = s.slice('library/'.length);
  return s;
}

/** Image key of a consumer that runs in a compose service: every compose file of its folder may build it. */
export function composeKey(composeFile: string, service: string): string {
  return `compose:${realPath(path.dirname(composeFile))}#${service}`;
}

/** A Dockerfile's or a compose service's own key, rather than an image name. */
export function isKey(image: string): boolean {
  return image.startsWith('dockerfile:') || image.startsWith('compose:');
}

/** An image name set by a template or a variable (`{{ .Values.image }}`, `$(IMAGE)`, `${REGISTRY}/api`): it may be any image. */
const TEMPLATED_IMAGE = /\{\{|\$[({A-Za-z_]/;

/**
 * Whether a consumer that runs `image` may run the image a Dockerfile builds (`tied`: the images
 * the repository says it builds; `known`: the images it says any Dockerfile builds; `own`: the
 * Dockerfile's dockerfileKey). An untied Dockerfile decides repository-wide, but for another
 * Dockerfile's own build (its HEALTHCHECK, a RUN the tool cannot read), which runs that image
 * alone; a consumer whose image is unknown or templated (`{{ .Values.image }}`, `$(IMAGE)`) could
 * be any image, and so could one that no Dockerfile is tied to: a name the ties do not cover
 * (`image: payments`, renamed by kustomize `images:`) may well be built here.
 */
export function mayRunImage(image: string | undefined, tied: ReadonlySet<string> | undefined, known: ReadonlySet<string>, own: string): boolean {
  // One Dockerfile's own build (its HEALTHCHECK, a RUN in it), tied or not: that Dockerfile alone.
  // The images it is built FROM are in the consumer's reach by name (src/docker/lineage.ts).
  if (image?.startsWith('dockerfile:')) return image === own || (tied?.has(image) ?? false);
  if (!tied || image === undefined) return true;
  if (isKey(image)) return tied.has(image);
  if (TEMPLATED_IMAGE.test(image)) return true;
  const name = imageName(image);
  return tied.has(name) || !known.has(name);
}

/** Whether the repository ties `image` to some Dockerfile (so a consumer running it surely runs that one). */
export function isTiedImage(image: string | undefined, known: ReadonlySet<string>): boolean {
  if (image === undefined) return false;
  if (isKey(image)) return known.has(image);
  if (TEMPLATED_IMAGE.test(image)) return false;
  return known.has(imageName(image));
}

export interface ComposeServiceImages {
  /** The image names the service is given in the compose files of its folder. */
  images: string[];
  /** Why its build cannot be decided (a context set at run time, an `extends` not followed). */
  undecided?: string;
}

export interface ImageTies {
  /** Absolute Dockerfile path, symlinks resolved (realPath) → image names, its own dockerfile key, compose service keys. */
  byDockerfile: Map<string, Set<string>>;
  /**
   * The kustomizations whose `images:` rename images (`- name: payments`, `newName: gcr.io/acme/payments`):
   * each one's folder, the files it builds from (its resources, bases' too), and name → the names it
   * gives (the name itself where an entry changes only the tag). A rename holds for those files only.
   */
  renames: KustomizeRename[];
  /**
   * The kustomizations no other one includes (what is deployed), with the files and folders they
   * reach, and whether one builds a file through none of the given folders; only when some
   * kustomization renames.
   */
  kustomizeRoots: { files: ReadonlySet<string>; dirs: ReadonlySet<string>; buildsAvoiding(file: string, avoid: ReadonlySet<string>): boolean }[];
  /** Compose service key (composeKey) → what else its consumers run. */
  compose: Map<string, ComposeServiceImages>;
  /** Files that tied them, for messages. */
  sources: string[];
  /**
   * Absolute Dockerfile path (realPath) → image name or key → the stages it is built up to (a
   * compose `build.target`); null: the whole Dockerfile (no target, or one the tool cannot read).
   * A tie not listed is the whole Dockerfile.
   */
  targets?: Map<string, Map<string, Set<string | null>>>;
  /**
   * Absolute Dockerfile path (realPath) → the build contexts (absolute folders) a compose service,
   * a Skaffold artifact or a workflow's build-push-action gives it (`context: .` with
   * `dockerfile: docker/Dockerfile`): where its COPY sources are read from, besides its own folder.
   */
  contexts?: Map<string, Set<string>>;
}

export interface KustomizeRename {
  /** The kustomization, for messages. */
  where: string;
  dir: string;
  files: ReadonlySet<string>;
  /** The kustomization folders whose build applies the rename: its own, and a component's includers (transformingBuilds). */
  builds: readonly string[];
  names: Map<string, Set<string>>;
}

/** One image a consumer may run, and why, when it is not simply the consumer's own. */
export interface Reach {
  image: string | undefined;
  why?: string;
  /** It may be this image, not surely (a build variable that may name it). */
  maybe?: boolean;
}

/**
 * The images a consumer's image stands for. A compose service's key stands for the Dockerfiles
 * its folder's compose files build for it (base, override and variant files alike: `docker
 * compose` merges them) and the image names they give it; a service whose build cannot be decided
 * may run any image.
 */
export function reachOf(image: string | undefined, ties: ImageTies, known: ReadonlySet<string>, consumer?: string): Reach[] {
  if (image === undefined) return [{ image }];
  if (!image.startsWith('compose:')) {
    // `image: payments` in a file a kustomization builds that renames it: the pod runs the new name.
    // A file no renaming kustomization builds (a script's docker run, a manifest applied as is) runs the name as written.
    const name = imageName(image);
    const scopes = consumer === undefined || isKey(image) ? [] : ties.renames.filter((r) => r.files.has(consumer) && r.names.has(name));
    if (scopes.length === 0) return [{ image }];
    // It runs as written too when the repository builds that name itself (skaffold's `payments`,
    // deployed as is in dev), an entry keeps the name, or a deployed kustomization builds the
    // file through no renaming one (a dev overlay beside the prod one that renames, or one
    // kustomization that builds both: it may reach a renaming one and the file another way).
    const renaming = new Set(scopes.flatMap((r) => r.builds));
    let asWritten = known.has(name) || ties.kustomizeRoots.some((k) => k.files.has(consumer!) && k.buildsAvoiding(consumer!, renaming));
    const out = new Map<string, Reach>();
    for (const r of scopes) {
      for (const n of r.names.get(name)!) {
        if (n === name) asWritten = true;
        else if (!out.has(n)) out.set(n, { image: n, why: `${r.where} renames ${name} to ${n}` });
      }
    }
    return [...(asWritten ? [{ image: name }] : []), ...out.values()];
  }
  const c = ties.compose.get(image);
  if (c?.undecided) return [{ image: undefined, why: c.undecided }];
  const out: Reach[] = [...(known.has(image) ? [{ image }] : []), ...(c?.images ?? []).map((i) => ({ image: i }))];
  return out.length > 0 ? out : [{ image: undefined }];
}

/** untiedRun's answer for a consumer that names no image: a script's line, a hook, a `docker exec`, a curl that downloads the binary. */
export const NAMES_NO_IMAGE = 'names no image';

/**
 * What a consumer runs that may be a tied Dockerfile's image without naming it (its reaches from
 * mayRunImage): `runs payments`, `runs {{ .Values.image }} (set when it is deployed)`, or
 * NAMES_NO_IMAGE for one that names none (it runs or fetches the binary wherever it runs, which
 * may be this image). Undefined when one of the reaches names a tied image (the consumer surely
 * runs it) or every reach has its own reason.
 */
export function untiedRun(reaches: readonly Reach[], known: ReadonlySet<string>): string | undefined {
  if (reaches.every((r) => r.why) || reaches.some((r) => !r.why && !r.maybe && isTiedImage(r.image, known))) return undefined;
  const image = reaches.find((r) => !r.why)!.image;
  if (image === undefined) return NAMES_NO_IMAGE;
  if (isKey(image)) return undefined;
  // A template's action is filled in when it is deployed; a variable when the command runs or is deployed.
  return TEMPLATED_IMAGE.test(image) ? `runs ${image} (${image.includes('{{') ? 'set when it is deployed' : 'a variable the tool cannot read'})` : `runs ${image}`;
}

const cache = new WeakMap<RunContext, ImageTies>();
const shaped = new WeakMap<RunContext, Set<string>>();

/**
 * A file of the run read as compose by its shape, not its name (docker-stack.yml,
 * examples/compose/memory.yml): the compose rule notes it as it reads it, and the ties read it
 * with the compose files by name. Only candidates are so read: the others are not compose to the tool.
 */
export function noteComposeFile(run: RunContext, abs: string): void {
  let set = shaped.get(run);
  if (!set) shaped.set(run, (set = new Set()));
  set.add(abs);
}

/** Whether the run reads `abs` as a compose file: by its name, or noted by its shape. */
export function isComposeFile(run: RunContext, abs: string): boolean {
  return classify(path.basename(abs)) === 'compose' || (shaped.get(run)?.has(abs) ?? false);
}

/**
 * What the run's skaffold and compose files tie to each Dockerfile. Those files are YAML: the
 * reading (ties.ts) and the YAML parser are imported only when the run lists one, so a
 * pre-commit run over a Dockerfile alone does not load the parser (~90 ms).
 */
export async function imageTies(run: RunContext): Promise<ImageTies> {
  let ties = cache.get(run);
  if (!ties) {
    const byShape = [...(shaped.get(run) ?? [])].filter((f) => !isTieSource(f));
    const sources = [...run.allFiles().filter(isTieSource), ...byShape];
    ties = sources.length === 0 ? { byDockerfile: new Map(), compose: new Map(), renames: [], kustomizeRoots: [], sources: [] } : (await import('./ties.js')).readTies(run, sources);
    cache.set(run, ties);
  }
  return ties;
}

/** A compose file, a skaffold.yaml, a GoReleaser config, a GitHub Actions workflow or a kustomization: the files that say which Dockerfile builds which image, or what an image is renamed to. */
export function isTieSource(abs: string): boolean {
  const base = path.basename(abs);
  if (base === 'Kustomization') return true;
  // All others are YAML files: most of a tree is not, and this check is cheaper than classify().
  if (!/\.ya?ml$/i.test(abs)) return false;
  return isSkaffold(base) || isGoReleaser(base) || isWorkflow(abs) || isKustomization(base) || classify(base) === 'compose';
}

/** A kustomization file, whose `images:` renames the images of its resources. */
export function isKustomization(base: string): boolean {
  return /^kustomization\.ya?ml$/.test(base) || base === 'Kustomization';
}

/** A GitHub Actions workflow (`.github/workflows/*.yml`). */
export function isWorkflow(abs: string): boolean {
  return /[\\/]\.github[\\/]workflows[\\/][^\\/]+\.ya?ml$/.test(abs);
}

export function isSkaffold(base: string): boolean {
  return /^skaffold([.-][^/]*)?\.ya?ml$/i.test(base);
}

/** The names GoReleaser looks for its config under (`goreleaser release` without `--config`), `.config/` ones too. */
export function isGoReleaser(base: string): boolean {
  return /^\.?goreleaser\.ya?ml$/.test(base);
}

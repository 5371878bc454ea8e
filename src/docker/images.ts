/**
 * Which image each Dockerfile builds, where the repository says so: skaffold.yaml artifacts
 * (`image` + `context` + `docker.dockerfile`) and compose services (`build:` + `image:`).
 * Consumers that carry an image are then matched to the Dockerfiles that build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq } from 'yaml';
import { classify } from '../classify.js';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { RunContext } from '../types.js';
import { buildOf, composeServicesOf, imageOf, type ComposeDoc, type LoadCompose } from './compose.js';

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
function isKey(image: string): boolean {
  return image.startsWith('dockerfile:') || image.startsWith('compose:');
}

/**
 * Whether a consumer that runs `image` may run the image a Dockerfile builds (`tied`: the images
 * the repository says it builds; `known`: the images it says any Dockerfile builds). An untied
 * Dockerfile decides repository-wide; a consumer whose image is unknown or templated
 * (`{{ .Values.image }}`, `$(IMAGE)`) could be any image, and so could one that no Dockerfile is
 * tied to: a name the ties do not cover (`image: payments`, renamed by kustomize `images:`)
 * may well be built here.
 */
export function mayRunImage(image: string | undefined, tied: ReadonlySet<string> | undefined, known: ReadonlySet<string>): boolean {
  if (!tied || image === undefined) return true;
  if (isKey(image)) return tied.has(image);
  if (/\{\{|\$[({A-Za-z_]/.test(image)) return true;
  const name = imageName(image);
  return tied.has(name) || !known.has(name);
}

/** Whether the repository ties `image` to some Dockerfile (so a consumer running it surely runs that one). */
export function isTiedImage(image: string | undefined, known: ReadonlySet<string>): boolean {
  if (image === undefined) return false;
  if (isKey(image)) return known.has(image);
  if (/\{\{|\$[({A-Za-z_]/.test(image)) return false;
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
  /** Compose service key (composeKey) → what else its consumers run. */
  compose: Map<string, ComposeServiceImages>;
  /** Files that tied them, for messages. */
  sources: string[];
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
export function reachOf(image: string | undefined, ties: ImageTies, known: ReadonlySet<string>): Reach[] {
  if (image === undefined || !image.startsWith('compose:')) return [{ image }];
  const c = ties.compose.get(image);
  if (c?.undecided) return [{ image: undefined, why: c.undecided }];
  const out: Reach[] = [...(known.has(image) ? [{ image }] : []), ...(c?.images ?? []).map((i) => ({ image: i }))];
  return out.length > 0 ? out : [{ image: undefined }];
}

const cache = new WeakMap<RunContext, ImageTies>();

export function imageTies(run: RunContext): ImageTies {
  let ties = cache.get(run);
  if (!ties) cache.set(run, (ties = readTies(run)));
  return ties;
}

/** What the compose files of one folder say about one service. */
interface ComposeProject {
  dir: string;
  contexts: Set<string>;
  dockerfiles: Set<string>;
  /** Some file builds it without naming a Dockerfile (so `Dockerfile` when that file is used alone). */
  defaultDockerfile: boolean;
  remote: boolean;
  builds: boolean;
  images: Set<string>;
  undecided?: string;
}

function readTies(run: RunContext): ImageTies {
  const byDockerfile = new Map<string, Set<string>>();
  const sources: string[] = [];
  const tie = (dockerfile: string, ...images: (string | undefined)[]) => {
    const real = realPath(dockerfile);
    const set = byDockerfile.get(real) ?? new Set<string>([dockerfileKey(real)]);
    for (const image of images) if (image) set.add(isKey(image) ? image : imageName(image));
    byDockerfile.set(real, set);
  };
  const projects = new Map<string, ComposeProject>();
  // Folders with a compose file the tool cannot read: its builds of any service are unknown.
  const unreadable = new Map<string, string>();
  const load = composeLoader(run);
  const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
  for (const abs of run.allFiles()) {
    // Both kinds are YAML files: most of a tree is not, and this check is cheaper than classify().
    if (!/\.ya?ml$/i.test(abs)) continue;
    const base = path.basename(abs);
    const isSkaffold = /^skaffold([.-][^/]*)?\.ya?ml$/i.test(base);
    const isCompose = classify(base) === 'compose';
    if (!isSkaffold && !isCompose) continue;
    if (isCompose) {
      const docs = load(abs);
      if (!docs) {
        unreadable.set(realPath(path.dirname(abs)), shown(abs));
        continue;
      }
      for (const cd of docs) {
        for (const s of composeServicesOf(cd, load)) {
          const key = composeKey(abs, s.name);
          const p = projects.get(key) ?? { dir: cd.dir, contexts: new Set(), dockerfiles: new Set(), defaultDockerfile: false, remote: false, builds: false, images: new Set() };
          projects.set(key, p);
          const image = imageOf(s);
          if (image) p.images.add(image);
          if (s.undecided) p.undecided ??= `${shown(abs)}: ${s.undecided}, so it may run any image`;
          const b = buildOf(s);
          if (!b || b.inline) continue;
          p.builds = true;
          if (!sources.includes(abs)) sources.push(abs);
          const runTime = [b.context, b.dockerfile].find((v) => v !== undefined && /\$/.test(v));
          if (runTime !== undefined) p.undecided ??= `${shown(abs)}: service "${s.name}" is built from a path set at run time (${runTime}), so it may run any image`;
          else if (b.context !== undefined && /^([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(b.context)) p.remote = true;
          else if (b.context !== undefined) p.contexts.add(path.resolve(b.dir, b.context));
          if (b.dockerfile !== undefined && runTime === undefined) p.dockerfiles.add(b.dockerfile);
          else p.defaultDockerfile = true;
        }
      }
      continue;
    }
    const text = run.readText(abs);
    if (text === undefined) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    const dir = path.dirname(abs);
    let found = false;
    for (const doc of parsed.docs) {
      for (const a of skaffoldArtifacts(doc.contents)) {
        found = true;
        tie(path.resolve(dir, a.context, a.dockerfile), a.image);
      }
    }
    if (found) sources.push(abs);
  }
  // A service's build in any compose file of its folder may be the one `docker compose` uses
  // (an override file merges over the base field by field): every context with every Dockerfile
  // named for it, or the defaults where no file names one.
  const compose = new Map<string, ComposeServiceImages>();
  for (const [key, p] of projects) {
    const broken = unreadable.get(realPath(p.dir));
    if (broken !== undefined) p.undecided ??= `${broken}, a compose file of the same folder, cannot be read or parsed, so the service may run any image`;
    if (p.builds) {
      const contexts = p.contexts.size > 0 ? [...p.contexts] : p.remote ? [] : [p.dir];
      const dockerfiles = [...p.dockerfiles, ...(p.defaultDockerfile ? ['Dockerfile'] : [])];
      for (const c of contexts) for (const d of dockerfiles) tie(path.resolve(c, d), key, ...p.images);
    }
    compose.set(key, { images: [...p.images], ...(p.undecided ? { undecided: p.undecided } : {}) });
  }
  return { byDockerfile, compose, sources };
}

/** Reads and parses compose files through the run, once each. */
export function composeLoader(run: RunContext): LoadCompose {
  const docs = new Map<string, readonly ComposeDoc[] | undefined>();
  return (abs) => {
    if (!docs.has(abs)) {
      const text = run.readText(abs);
      const parsed = text === undefined ? undefined : parseYaml(text, { uniqueKeys: false });
      docs.set(abs, !parsed || parsed.error ? undefined : parsed.docs.map((doc) => ({ doc, dir: path.dirname(abs) })));
    }
    return docs.get(abs);
  };
}

function str(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

interface Artifact {
  image: string;
  context: string;
  dockerfile: string;
}

/** `build.artifacts` at the top and in every profile. */
function skaffoldArtifacts(root: unknown): Artifact[] {
  const out: Artifact[] = [];
  if (!isMap(root)) return out;
  const fromBuild = (build: unknown) => {
    if (!isMap(build)) return;
    const artifacts = getPair(build, 'artifacts')?.value;
    if (!isSeq(artifacts)) return;
    for (const a of artifacts.items) {
      if (!isMap(a)) continue;
      const image = str(getPair(a, 'image')?.value);
      if (!image) continue;
      const docker = getPair(a, 'docker')?.value;
      const dockerfile = (isMap(docker) ? str(getPair(docker, 'dockerfile')?.value) : undefined) ?? 'Dockerfile';
      out.push({ image, context: str(getPair(a, 'context')?.value) ?? '.', dockerfile });
    }
  };
  fromBuild(getPair(root, 'build')?.value);
  const profiles = getPair(root, 'profiles')?.value;
  if (isSeq(profiles)) for (const p of profiles.items) if (isMap(p)) fromBuild(getPair(p, 'build')?.value);
  return out;
}

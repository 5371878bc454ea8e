/**
 * Which image each Dockerfile builds, where the repository says so: skaffold.yaml artifacts
 * (`image` + `context` + `docker.dockerfile`) and compose services (`build:` + `image:`).
 * Consumers that carry an image are then matched to the Dockerfiles that build it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { classify } from '../classify.js';
import { getPair, parseYaml } from '../parse/yaml.js';
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
  return s;
}

/**
 * Whether a consumer that runs `image` may run the image a Dockerfile builds (`tied`: the images
 * the repository says it builds; `known`: the images it says any Dockerfile builds). An untied
 * Dockerfile decides repository-wide; a consumer whose image is unknown or templated
 * (`{{ .Values.image }}`, `$(IMAGE)`) could be any image, and so could one that no Dockerfile is
 * tied to: a name the ties do not cover (`image: payments`, renamed by kustomize `images:` or a
 * compose override) may well be built here.
 */
export function mayRunImage(image: string | undefined, tied: ReadonlySet<string> | undefined, known: ReadonlySet<string>): boolean {
  if (!tied || image === undefined || /\{\{|\$[({A-Za-z_]/.test(image)) return true;
  if (image.startsWith('dockerfile:')) return tied.has(image);
  const name = imageName(image);
  return tied.has(name) || !known.has(name);
}

/** Whether the repository ties `image` to some Dockerfile (so a consumer running it surely runs that one). */
export function isTiedImage(image: string | undefined, known: ReadonlySet<string>): boolean {
  if (image === undefined || /\{\{|\$[({A-Za-z_]/.test(image)) return false;
  return known.has(image.startsWith('dockerfile:') ? image : imageName(image));
}

export interface ImageTies {
  /** Absolute Dockerfile path, symlinks resolved (realPath) → image names (and its own dockerfile key). */
  byDockerfile: Map<string, Set<string>>;
  /** Files that tied them, for messages. */
  sources: string[];
}

const cache = new WeakMap<RunContext, ImageTies>();

export function imageTies(run: RunContext): ImageTies {
  let ties = cache.get(run);
  if (!ties) cache.set(run, (ties = readTies(run)));
  return ties;
}

function readTies(run: RunContext): ImageTies {
  const byDockerfile = new Map<string, Set<string>>();
  const sources: string[] = [];
  const tie = (dockerfile: string, image: string | undefined) => {
    const real = realPath(dockerfile);
    const set = byDockerfile.get(real) ?? new Set<string>([dockerfileKey(real)]);
    if (image) set.add(imageName(image));
    byDockerfile.set(real, set);
  };
  for (const abs of run.allFiles()) {
    // Both kinds are YAML files: most of a tree is not, and this check is cheaper than classify().
    if (!/\.ya?ml$/i.test(abs)) continue;
    const base = path.basename(abs);
    const isSkaffold = /^skaffold([.-][^/]*)?\.ya?ml$/i.test(base);
    const isCompose = classify(base) === 'compose';
    if (!isSkaffold && !isCompose) continue;
    const text = run.readText(abs);
    if (text === undefined) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    const dir = path.dirname(abs);
    let found = false;
    for (const doc of parsed.docs) {
      if (isSkaffold) {
        for (const a of skaffoldArtifacts(doc.contents)) {
          found = true;
          tie(path.resolve(dir, a.context, a.dockerfile), a.image);
        }
      } else {
        for (const s of composeServices(doc.contents, dir)) {
          if (!s.dockerfile) continue;
          found = true;
          tie(s.dockerfile, s.image);
        }
      }
    }
    if (found) sources.push(abs);
  }
  return { byDockerfile, sources };
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

export interface ComposeService {
  name: string;
  node: Node;
  image?: string;
  /** Absolute path of the Dockerfile its `build:` uses. */
  dockerfile?: string;
}

/** Services of a compose file, with the Dockerfile each one builds (relative to the compose file). */
export function composeServices(root: unknown, dir: string): ComposeService[] {
  const out: ComposeService[] = [];
  if (!isMap(root)) return out;
  const services = getPair(root, 'services')?.value;
  if (!isMap(services)) return out;
  for (const item of services.items) {
    const name = str(item.key);
    if (!name || !isMap(item.value)) continue;
    const svc = item.value;
    const image = str(getPair(svc, 'image')?.value);
    const build = getPair(svc, 'build')?.value;
    let dockerfile: string | undefined;
    if (isScalar(build)) dockerfile = path.resolve(dir, str(build) ?? '.', 'Dockerfile');
    else if (isMap(build)) {
      const context = str(getPair(build, 'context')?.value) ?? '.';
      dockerfile = path.resolve(dir, context, str(getPair(build, 'dockerfile')?.value) ?? 'Dockerfile');
    }
    out.push({ name, node: svc as Node, ...(image ? { image } : {}), ...(dockerfile ? { dockerfile } : {}) });
  }
  return out;
}

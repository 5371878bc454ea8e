/**
 * Reading the ties (images.ts): which image each Dockerfile builds, from skaffold.yaml artifacts
 * (`image` + `context` + `docker.dockerfile`) and compose services (`build:` + `image:`). Imported
 * only by a run that lists such a file: it loads the YAML parser.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { classify } from '../classify.js';
import { getPair, parseYaml, scalarText } from '../parse/yaml.js';
import type { RunContext } from '../types.js';
import { buildOf, composeServicesOf, imageOf, type ComposeDoc, type LoadCompose } from './compose.js';
import { composeKey, dockerfileKey, imageName, isKey, realPath, type ComposeServiceImages, type ImageTies } from './images.js';

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

/** Reads the ties from `sources`: the run's compose and skaffold files (isTieSource). */
export function readTies(run: RunContext, sources: readonly string[]): ImageTies {
  const byDockerfile = new Map<string, Set<string>>();
  const used: string[] = [];
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
  for (const abs of sources) {
    if (classify(path.basename(abs)) === 'compose') {
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
          if (!used.includes(abs)) used.push(abs);
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
    if (found) used.push(abs);
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
  return { byDockerfile, compose, sources: used };
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
      const image = scalarText(getPair(a, 'image')?.value);
      if (!image) continue;
      const docker = getPair(a, 'docker')?.value;
      const dockerfile = (isMap(docker) ? scalarText(getPair(docker, 'dockerfile')?.value) : undefined) ?? 'Dockerfile';
      out.push({ image, context: scalarText(getPair(a, 'context')?.value) ?? '.', dockerfile });
    }
  };
  fromBuild(getPair(root, 'build')?.value);
  const profiles = getPair(root, 'profiles')?.value;
  if (isSeq(profiles)) for (const p of profiles.items) if (isMap(p)) fromBuild(getPair(p, 'build')?.value);
  return out;
}

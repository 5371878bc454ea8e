/**
 * Reading the ties (images.ts): which image each Dockerfile builds, from skaffold.yaml artifacts
 * (`image` + `context` + `docker.dockerfile`), compose services (`build:` + `image:`) and
 * GoReleaser's `dockers`, `dockers_v2` and `docker_manifests`, and GitHub Actions workflows'
 * `docker/build-push-action` steps. Imported only by a run that lists
 * such a file: it loads the YAML parser.
 */
import path from 'node:path';
import type { YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { isComposeShaped } from '../classify.js';
import { mentionsBinary } from '../analysis/binary.js';
import { filesMayHold, YAML_PATHSPECS } from '../discover/grep.js';
import { namedFiles } from '../discover/names.js';
import { getPair, parseYaml, scalarText } from '../parse/yaml.js';
import { buildsAvoiding, resourcesOf, transformedBy, transformingBuilds } from '../kustomize/overlays.js';
import type { RunContext } from '../types.js';
import { buildOf, composeServicesOf, imageOf, runTimeMayName, usesThroughExtends, type ComposeDoc, type LoadCompose } from './compose.js';
import { mergedRuns, type MergedRuns } from './compose-runs.js';
import { composeKey, dockerfileKey, imageName, isComposeFile, isGoReleaser, isKey, isKustomization, isWorkflow, realPath, type ComposeServiceImages, type ImageTies } from './images.js';

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
  /** The stages its builds name (`build.target`); null for a build that names none or one the tool cannot read. */
  targets: Set<string | null>;
  undecided?: string;
}

/** Reads the ties from `sources`: the run's compose and skaffold files (isTieSource). */
export function readTies(run: RunContext, sources: readonly string[]): ImageTies {
  const byDockerfile = new Map<string, Set<string>>();
  const used: string[] = [];
  const targets = new Map<string, Map<string, Set<string | null>>>();
  // `built`: the stages these images are built up to (a compose `build.target`); null, the whole Dockerfile.
  const tieTo = (built: ReadonlySet<string | null>, dockerfile: string, ...images: (string | undefined)[]) => {
    const real = realPath(dockerfile);
    const set = byDockerfile.get(real) ?? new Set<string>([dockerfileKey(real)]);
    const byImage = targets.get(real) ?? new Map<string, Set<string | null>>();
    targets.set(real, byImage);
    for (const image of images) {
      if (!image) continue;
      const name = isKey(image) ? image : imageName(image);
      set.add(name);
      const stages = byImage.get(name) ?? new Set<string | null>();
      for (const t of built) stages.add(t);
      byImage.set(name, stages);
    }
    byDockerfile.set(real, set);
  };
  const tie = (dockerfile: string, ...images: (string | undefined)[]) => tieTo(WHOLE, dockerfile, ...images);
  const buildContexts = new Map<string, Set<string>>();
  const contextOf = (dockerfile: string, context: string) => {
    const real = realPath(dockerfile);
    buildContexts.set(real, (buildContexts.get(real) ?? new Set()).add(path.resolve(context)));
  };
  // Dockerfiles built under a name the tool cannot know (a GoReleaser template in it): such a
  // name may be any image of the repository, so they stay untied whatever else ties them.
  const untied = new Set<string>();
  const renames: ImageTies['renames'] = [];
  // Builds of a GoReleaser config or a workflow, their Dockerfiles relative to `root`: whether there were any.
  const addBuilds = (root: string, builds: readonly ImageBuild[]) => {
    for (const b of builds) {
      const file = path.resolve(root, b.dockerfile);
      if (b.context !== undefined) contextOf(file, path.resolve(root, b.context));
      if (b.images.length === 0 || b.images.some((i) => i === undefined)) untied.add(realPath(file));
      else tie(file, ...b.images);
    }
    return builds.length > 0;
  };
  const projects = new Map<string, ComposeProject>();
  // Compose service key → the keys of the services that extend it.
  const extendedBy = new Map<string, Set<string>>();
  // Folders with a compose file the tool cannot read: its builds of any service are unknown.
  const unreadable = new Map<string, string>();
  const load = composeLoader(run);
  // Compose service key → the files that write the service.
  const keyFiles = new Map<string, Set<string>>();
  const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
  const { files: extending, unread: unreadExtenders } = extendingFiles(run, sources);
  const composeFiles = new Set([...sources.filter((abs) => isComposeFile(run, abs)), ...extending]);
  // Files that commands merge (`-f compose.yaml -f deploy/prod/compose.prod.yaml`): their builds are read from the first file's folder (mergeRuns).
  const merged = composeFiles.size > 0 ? mergedRuns(run, [...composeFiles]) : { runs: [], onlyMerged: new Set<string>() };
  for (const abs of [...sources, ...extending]) {
    if (composeFiles.has(abs)) {
      const docs = load(abs);
      if (!docs) {
        unreadable.set(realPath(path.dirname(abs)), shown(abs));
        continue;
      }
      for (const cd of docs) {
        for (const s of composeServicesOf(cd, load)) {
          const key = composeKey(abs, s.name);
          // A use written in a service of another file it extends (`extends: {file: common.yml,
          // service: base}`) runs in this service's container: that service's key stands for this
          // one's too, when the use reaches it (its own test or command may replace the base's).
          // One extended in the same file is reported where it extends (compose-healthcheck).
          const viaFile = (s.extended ?? []).filter((e) => e.file);
          if (viaFile.length > 0 && usesThroughExtends(s, mentionsBinary).length > 0) {
            for (const e of viaFile) {
              const base = composeKey(path.join(e.dir, 'compose.yaml'), e.service);
              if (base !== key) extendedBy.set(base, (extendedBy.get(base) ?? new Set()).add(key));
            }
          }
          keyFiles.set(key, (keyFiles.get(key) ?? new Set()).add(abs));
          const p = projects.get(key) ?? { dir: cd.dir, contexts: new Set(), dockerfiles: new Set(), defaultDockerfile: false, remote: false, builds: false, images: new Set(), targets: new Set() };
          projects.set(key, p);
          const image = imageOf(s);
          if (image) p.images.add(image);
          if (s.undecided) p.undecided ??= `${shown(abs)}: ${s.undecided}, so it may run any image`;
          const b = buildOf(s);
          if (!b || b.inline) continue;
          if (!used.includes(abs)) used.push(abs);
          p.targets.add(b.target ?? null);
          // Only ever merged over another file: its paths are that file's folder's (mergeRuns).
          if (merged.onlyMerged.has(abs)) continue;
          p.builds = true;
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
    // A workflow ties images only through docker/build-push-action: most never name it.
    if (isWorkflow(abs) && !text.includes('docker/build-push-action@')) continue;
    if (isKustomization(path.basename(abs)) && !/^images\s*:/m.test(text)) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    const dir = path.dirname(abs);
    let found = false;
    if (isGoReleaser(path.basename(abs))) {
      // The project's root, which the Dockerfile paths start from: the config's folder, or the one
      // above for .config/goreleaser.yaml (the first place GoReleaser looks).
      const root = path.basename(dir) === '.config' ? path.dirname(dir) : dir;
      for (const doc of parsed.docs) {
        const builds = goReleaserImages(doc.contents);
        // A Dockerfile path set by a template: which file builds these images is unknown, so none
        // of this config's ties hold (its images then stay unknown: a consumer of one keeps all).
        if (builds === undefined) continue;
        found = addBuilds(root, builds) || found;
      }
      if (found) used.push(abs);
      continue;
    }
    if (isKustomization(path.basename(abs))) {
      const names = new Map<string, Set<string>>();
      for (const doc of parsed.docs) {
        for (const [from, to] of kustomizeRenames(doc.contents)) names.set(from, (names.get(from) ?? new Set()).add(to));
      }
      if (names.size > 0) {
        renames.push({ where: shown(abs), dir, files: new Set(transformedBy(dir, run)), builds: transformingBuilds(dir, run), names });
        used.push(abs);
      }
      continue;
    }
    if (isWorkflow(abs)) {
      // Paths of a `uses:` step are the workspace's: the checkout, the folder holding .github.
      const root = path.dirname(path.dirname(dir));
      for (const doc of parsed.docs) found = addBuilds(root, workflowBuilds(doc.contents)) || found;
      if (found) used.push(abs);
      continue;
    }
    for (const doc of parsed.docs) {
      for (const a of skaffoldArtifacts(doc.contents)) {
        found = true;
        tie(path.resolve(dir, a.context, a.dockerfile), a.image);
        contextOf(path.resolve(dir, a.context, a.dockerfile), path.resolve(dir, a.context));
      }
    }
    if (found) used.push(abs);
  }
  mergeRuns(merged, load, projects, shown);
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
      // Every file of the folder may give the build its target (an override may name another, or none: the whole Dockerfile).
      const built = p.targets.size > 0 ? p.targets : WHOLE;
      for (const c of contexts) {
        for (const d of dockerfiles) {
          tieTo(built, path.resolve(c, d), key, ...p.images);
          contextOf(path.resolve(c, d), c);
        }
      }
    }
    compose.set(key, { images: [...p.images], ...(p.undecided ? { undecided: p.undecided } : {}) });
  }
  // A file that may extend the services of a compose file but that the tool could not read as a
  // compose file: those services (whether or not a file it did read extends them too) run in
  // images the tool does not know.
  for (const [key, c] of compose) {
    const maybe = key.startsWith('compose:') ? unreadExtenders.get(key.slice('compose:'.length, key.lastIndexOf('#'))) : undefined;
    if (maybe && !c.undecided) compose.set(key, { ...c, undecided: `${maybe} may extend it (it says extends and names its file, but the tool cannot read it as a compose file), so it may run any image` });
  }
  // A service that a file's `extends` may name through a path set at run time (`file:
  // ${COMMON:-common.yml}`) may run its uses in that extender's container, whose image the tool
  // cannot tell: it may run any image.
  const runTime = [...composeFiles].some((abs) => mentionsBinary(run.readText(abs) ?? '')) ? composeExtenders(run, load).runTime : [];
  for (const [key, c] of compose) {
    if (c.undecided || runTime.length === 0) continue;
    const name = key.slice(key.lastIndexOf('#') + 1);
    const rt = runTime.find((r) => r.key !== key && [...(keyFiles.get(key) ?? [])].some((f) => r.mayName(f, name)));
    if (rt) compose.set(key, { ...c, undecided: `${rt.where}: service "${rt.service}" may extend it through a path set at run time (${rt.file}), so it may run any image` });
  }
  // An extended service's key reaches what its extenders run (transitively: one may extend an extender).
  for (const [base, direct] of extendedBy) {
    const all = new Set<string>();
    const add = (k: string) => {
      if (all.has(k) || k === base) return;
      all.add(k);
      for (const more of extendedBy.get(k) ?? []) add(more);
    };
    for (const k of direct) add(k);
    const own = compose.get(base) ?? { images: [] };
    const images = new Set(own.images);
    let undecided = own.undecided;
    for (const k of all) {
      const c = compose.get(k);
      for (const i of c?.images ?? []) images.add(i);
      undecided ??= c?.undecided;
    }
    compose.set(base, { images: [...images], ...(undecided ? { undecided } : {}) });
    for (const set of byDockerfile.values()) if ([...all].some((k) => set.has(k))) set.add(base);
  }
  for (const file of untied) byDockerfile.delete(file);
  for (const file of untied) targets.delete(file);
  return { byDockerfile, compose, renames, kustomizeRoots: renames.length > 0 ? kustomizeRoots(run) : [], sources: used, targets, contexts: buildContexts };
}

const WHOLE: ReadonlySet<string | null> = new Set([null]);

/**
 * Compose files the tool does not know by name that extend a service of a compose file of the run
 * (`extends: {file: common.yml}`) that names the binary, directly or through another such file:
 * the extended service's uses run in their services' containers, so their images are that
 * service's too. Looked for only when a compose file names the binary, among the YAML files git
 * says may hold `extends:`, and only those naming one of those files are parsed.
 */
function extendingFiles(run: RunContext, sources: readonly string[]): { files: string[]; unread: Map<string, string> } {
  const unread = new Map<string, string>();
  const compose = sources.filter((abs) => isComposeFile(run, abs));
  const targets = compose.filter((abs) => mentionsBinary(run.readText(abs) ?? ''));
  if (targets.length === 0) return { files: [], unread };
  // JSON is YAML to Compose, and `extends` may be written in flow style ({extends: …}).
  const yaml = run.allFiles().filter((f) => /\.(ya?ml|json)$/i.test(f) && !compose.includes(f));
  if (yaml.length === 0) return { files: [], unread };
  const may = filesMayHold(run, yaml, 'extends', [...YAML_PATHSPECS, ':(icase)*.json']);
  const rest = yaml.filter((f) => may === undefined || may.has(f));
  const out: string[] = [];
  // Basename → the folders of the files so named that the extenders may reach.
  const names = new Map<string, Set<string>>();
  const name = (abs: string) => names.set(path.basename(abs), (names.get(path.basename(abs)) ?? new Set()).add(realPath(path.dirname(abs))));
  targets.forEach(name);
  const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of rest) {
      if (out.includes(f)) continue;
      const text = run.readText(f);
      if (text === undefined || !text.includes('extends')) continue;
      const named = [...names.keys()].filter((n) => text.includes(n));
      if (named.length === 0) continue;
      if (!/^\s*extends\s*:/m.test(text) || !isComposeShaped(text)) {
        // It says extends and names a file whose services run the binary, yet the tool cannot
        // read it as a compose file (another key, JSON, flow style, a BOM): it may extend them.
        for (const n of named) for (const dir of names.get(n)!) if (!unread.has(dir)) unread.set(dir, shown(f));
        continue;
      }
      out.push(f);
      name(f);
      grew = true;
    }
  }
  return { files: out, unread };
}

/** A service of a compose file that runs a use written in another file through `extends: {file}`. */
export interface ComposeExtender {
  /** Where the use is written: its file (realPath) and offset. */
  useFile: string;
  useStart: number;
  /** The services it extends on the way (their folders realPath'd), nearest first; `runTime`: through a path set at run time, here or nearer. */
  bases: { dir: string; service: string; runTime?: string }[];
  /** The extending service: its file as shown, the line of its name, its name. */
  where: string;
  service: string;
}

/** A service whose `extends: {file}` names a path set at run time: it may extend a service of any file that path may name. */
export interface RunTimeExtender {
  /** The extending service's composeKey, its file:line as shown, its name, the path as written. */
  key: string;
  where: string;
  service: string;
  file: string;
  /** Whether it may extend the service `name` of the file `abs` (realPath). */
  mayName(abs: string, name: string): boolean;
}

const extendersOf = new WeakMap<RunContext, { extenders: ComposeExtender[]; runTime: RunTimeExtender[] }>();

/**
 * Every service of the repository's YAML files (JSON too: YAML to Compose) that gets a use of the
 * binary through an `extends: {file}` and runs it (its own test does not replace it nor does it
 * turn the check off), once per run: the extended service's finding names them.
 */
export function composeExtenders(run: RunContext, load: LoadCompose): { extenders: ComposeExtender[]; runTime: RunTimeExtender[] } {
  const known = extendersOf.get(run);
  if (known) return known;
  const out: ComposeExtender[] = [];
  const runTime: RunTimeExtender[] = [];
  const yaml = run.allFiles().filter((f) => /\.(ya?ml|json)$/i.test(f));
  const may = yaml.length === 0 ? undefined : filesMayHold(run, yaml, 'extends', [...YAML_PATHSPECS, ':(icase)*.json']);
  const shown = (abs: string) => path.relative(run.cwd, abs).split(path.sep).join('/');
  for (const f of yaml) {
    if (may !== undefined && !may.has(f)) continue;
    const text = run.readText(f);
    if (text === undefined || !/\bextends["']?\s*:/.test(text) || !/\bfile["']?\s*:/.test(text)) continue;
    for (const cd of load(f) ?? []) {
      for (const s of composeServicesOf(cd, load)) {
        const line = text.slice(0, s.key?.range?.[0] ?? s.node.range?.[0] ?? 0).split('\n').length;
        if (s.runTimeExtends) {
          const { file, service } = s.runTimeExtends;
          runTime.push({ key: composeKey(f, s.name), where: `${shown(f)}:${line}`, service: s.name, file, mayName: (abs, name) => runTimeMayName(file, abs, false) && runTimeMayName(service, name, true) });
        }
        const bases = (s.extended ?? []).filter((e) => e.file).map((e) => ({ dir: realPath(e.dir), service: e.service, ...(e.runTime !== undefined ? { runTime: e.runTime } : {}) }));
        if (bases.length === 0) continue;
        for (const u of usesThroughExtends(s, mentionsBinary)) {
          if (u.file === undefined || !u.scalar.range || realPath(u.file) === realPath(f)) continue;
          out.push({ useFile: realPath(u.file), useStart: u.scalar.range[0], bases, where: `${shown(f)}:${line}`, service: s.name });
        }
      }
    }
  }
  const found = { extenders: out, runTime };
  extendersOf.set(run, found);
  return found;
}

/** Reads and parses compose files through the run, once each. */
export function composeLoader(run: RunContext): LoadCompose {
  const docs = new Map<string, readonly ComposeDoc[] | undefined>();
  return (abs) => {
    if (!docs.has(abs)) {
      const text = run.readText(abs);
      const parsed = text === undefined ? undefined : parseYaml(text, { uniqueKeys: false });
      docs.set(abs, !parsed || parsed.error ? undefined : parsed.docs.map((doc) => ({ doc, dir: path.dirname(abs), file: abs })));
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

/** One image build of a GoReleaser config or a workflow: its Dockerfile and image names (undefined: a name set by a template or an expression). */
interface ImageBuild {
  dockerfile: string;
  /** Its build context, relative to the same root, when the tool reads it (a workflow's). */
  context?: string;
  images: (string | undefined)[];
}

/**
 * `dockers[]` (`image_templates`, tags included), `dockers_v2[]` (`images`, tags apart) and
 * `docker_manifests[]` (a `name_template` standing for the images it lists, so for their
 * Dockerfiles). GoReleaser templates the names (`ghcr.io/acme/api:{{ .Version }}`): a template in
 * the tag is only a tag, one in the name could be any image. The Dockerfile is relative to the
 * project's root, where the config is, `Dockerfile` by default, `templated_dockerfile` over it.
 * undefined when a Dockerfile path is templated.
 */
function goReleaserImages(root: unknown): ImageBuild[] | undefined {
  if (!isMap(root)) return [];
  const strings = (node: unknown): string[] => (isSeq(node) ? node.items.map(scalarText).filter((s): s is string => s !== undefined) : []);
  const out: ImageBuild[] = [];
  const entries = (key: string) => {
    const v = getPair(root, key)?.value;
    return isSeq(v) ? (v.items as unknown[]).filter((i): i is YAMLMap => isMap(i)) : [];
  };
  for (const [key, field] of [['dockers', 'image_templates'], ['dockers_v2', 'images']] as const) {
    for (const d of entries(key)) {
      // `templated_dockerfile` (GoReleaser 2.17), when set, is the one built: it wins over `dockerfile`.
      const dockerfile = scalarText(getPair(d, 'templated_dockerfile')?.value) ?? scalarText(getPair(d, 'dockerfile')?.value) ?? 'Dockerfile';
      if (dockerfile.includes('{{')) return undefined;
      out.push({ dockerfile, images: strings(getPair(d, field)?.value).map((i) => templatedImageName('{{', i)) });
    }
  }
  // A manifest list is run under its own name: it stands for the Dockerfiles of the images it lists.
  for (const m of entries('docker_manifests')) {
    const name = scalarText(getPair(m, 'name_template')?.value);
    const listed = strings(getPair(m, 'image_templates')?.value).map((i) => templatedImageName('{{', i));
    const from = out.filter((b) => b.images.some((i) => i !== undefined && listed.includes(i)));
    const whole = name !== undefined && listed.every((i) => i !== undefined && out.some((b) => b.images.includes(i)));
    for (const b of from) b.images.push(whole ? templatedImageName('{{', name) : undefined);
  }
  return out;
}

/**
 * The images a GitHub Actions workflow builds with `docker/build-push-action`: its `file` (the
 * workspace's path; `<context>/Dockerfile` by default, the context `.` by default) and its `tags`
 * (lines or commas), read through `${{ env.X }}` of the workflow and the job when they are literal,
 * and through `${{ steps.<id>.outputs.tags }}` of a `docker/metadata-action` step of the job, whose
 * `images` are then the names. The Git context `{{defaultContext}}:<folder>` builds that folder's
 * Dockerfile. A build whose Dockerfile is set by an expression (a matrix) or comes from a remote
 * context is not read; one whose image name holds an expression the tool cannot
 * resolve (`${{ github.repository }}`) builds under a name it cannot know (undefined).
 */
function workflowBuilds(root: unknown): ImageBuild[] {
  const out: ImageBuild[] = [];
  if (!isMap(root)) return out;
  const jobs = getPair(root, 'jobs')?.value;
  if (!isMap(jobs)) return out;
  const workflowEnv = literalEnv(getPair(root, 'env')?.value);
  for (const jobPair of jobs.items) {
    const job = jobPair.value;
    if (!isMap(job)) continue;
    const env = new Map([...workflowEnv, ...literalEnv(getPair(job, 'env')?.value)]);
    const steps = getPair(job, 'steps')?.value;
    if (!isSeq(steps)) continue;
    const stepMaps = (steps.items as unknown[]).filter((st): st is YAMLMap => isMap(st));
    const withOf = (step: YAMLMap) => {
      const w = getPair(step, 'with')?.value;
      return (key: string) => (isMap(w) ? scalarText(getPair(w, key)?.value) : undefined);
    };
    for (const step of stepMaps) {
      if (!/^docker\/build-push-action@/.test(scalarText(getPair(step, 'uses')?.value) ?? '')) continue;
      const arg = withOf(step);
      let context = expand(arg('context') ?? '.', env);
      // The action's Git context: `{{defaultContext}}` is the repository at the workflow's ref (what
      // no context means), `{{defaultContext}}:services/api` a folder of it, whose Dockerfile it
      // builds. A `file` beside such a folder is not read (relative to the folder or the repository?).
      const git = /^\{\{\s*defaultContext\s*\}\}(?::(.+))?$/.exec(context);
      if (git) {
        if (git[1] !== undefined && arg('file') !== undefined) continue;
        context = git[1] ?? '.';
      }
      const file = expand(arg('file') ?? `${context}/Dockerfile`, env);
      if (file.includes('${{') || context.includes('${{') || /^([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(context)) continue;
      // `${{ steps.meta.outputs.tags }}`: the images of that metadata-action step (`name=…,enable=…` entries too).
      const tagsText = arg('tags') ?? '';
      const fromMeta = /^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.tags\s*\}\}$/.exec(tagsText.trim());
      let names: string[];
      if (fromMeta) {
        const meta = stepMaps.find((st) => scalarText(getPair(st, 'id')?.value) === fromMeta[1] && /^docker\/metadata-action@/.test(scalarText(getPair(st, 'uses')?.value) ?? ''));
        names = meta ? listOf(withOf(meta)('images') ?? '').map((i) => /^name=([^,]*)/.exec(i)?.[1] ?? i) : ['${{ unknown }}'];
      } else names = listOf(tagsText);
      if (names.length === 0) continue;
      out.push({ dockerfile: file, context, images: names.map((n) => templatedImageName('${{', expand(n, env))) });
    }
  }
  return out;
}

/** A workflow's or a job's `env:` values that are plain text (no expression). */
function literalEnv(node: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!isMap(node)) return out;
  for (const p of node.items) {
    const k = scalarText(p.key);
    const v = scalarText(p.value);
    if (k !== undefined && v !== undefined && !v.includes('${{')) out.set(k, v);
  }
  return out;
}

function expand(text: string, env: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (m, name: string) => env.get(name) ?? m);
}

/** Entries of a list given as lines or commas (`tags`, `images`); metadata-action's `name=…,enable=…` stays one entry. */
function listOf(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => (/^\s*name=/.test(line) ? [line] : line.split(',')))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * An image's name, its tag aside (a template or an expression in the tag is only a tag); undefined
 * when one is in the name. `open`: how the config's templates start (GoReleaser `{{`, workflows `${{`).
 */
function templatedImageName(open: '{{' | '${{', image: string): string | undefined {
  const action = open === '{{' ? /\{\{[^}]*\}\}(?=[^/]*$)/g : /\$\{\{[^}]*\}\}(?=[^/]*$)/g;
  const name = imageName(image.replace(action, (m, at: number) => (image.lastIndexOf(':', at) > image.lastIndexOf('/', at) ? 'tag' : m)));
  return name.includes(open) ? undefined : name;
}

/**
 * A kustomization's `images:` entries as name → the name its resources' containers get: `newName`,
 * or the name itself for an entry that changes only the tag or digest. A new name set by a variable
 * (`$(IMAGE)`, `${REGISTRY}/api`) stays as written: it may be any image.
 */
function kustomizeRenames(root: unknown): [string, string][] {
  if (!isMap(root)) return [];
  const images = getPair(root, 'images')?.value;
  if (!isSeq(images)) return [];
  const out: [string, string][] = [];
  for (const entry of images.items as unknown[]) {
    if (!isMap(entry)) continue;
    const name = scalarText(getPair(entry, 'name')?.value);
    if (!name) continue;
    const newName = scalarText(getPair(entry, 'newName')?.value);
    out.push([imageName(name), newName === undefined ? imageName(name) : /\$/.test(newName) ? newName : imageName(newName)]);
  }
  return out;
}

/** The repository's kustomizations that no other one includes, with the files and folders each reaches. */
function kustomizeRoots(run: RunContext): ImageTies['kustomizeRoots'] {
  const all = namedFiles(run).kustomizations.map((f) => {
    const dirs = new Set<string>();
    const dir = path.dirname(f);
    const files = new Set(resourcesOf(dir, run, dirs));
    return { dir, files, dirs, buildsAvoiding: (file: string, avoid: ReadonlySet<string>) => buildsAvoiding(dir, file, avoid, run) };
  });
  return all.filter((k) => !all.some((o) => o.dir !== k.dir && o.dirs.has(k.dir)));
}

/**
 * Compose files merged by a command of the repository (`docker compose -f compose.yaml -f
 * deploy/prod/compose.prod.yaml`, `COMPOSE_FILE=a:b`, src/docker/compose-runs.ts): Compose merges
 * the services of one name field by field and reads every relative path from the first file's
 * folder ("all paths in the files are relative to the first Compose file specified with -f"). So
 * each such service, in every file of the run, takes the builds and images of that service in
 * every file of the run, a context written in a file of the run read from the first file's folder;
 * from the file's own folder as well unless the file is only ever merged over another
 * (MergedRuns.onlyMerged: such a file's own folder reads nothing, in readTies either). A first file the
 * tool cannot name leaves the builds' folder unknown: the service may run any image.
 */
function mergeRuns(merged: MergedRuns, load: LoadCompose, projects: Map<string, ComposeProject>, shown: (abs: string) => string): void {
  for (const m of merged.runs) {
    const known = m.files.filter((f): f is string => f !== undefined);
    const first = m.files[0];
    // Service name → what each file of the run says of it.
    const byName = new Map<string, { file: string; service: import('./compose.js').ComposeService }[]>();
    for (const f of known) {
      for (const cd of load(f) ?? []) for (const s of composeServicesOf(cd, load)) byName.set(s.name, [...(byName.get(s.name) ?? []), { file: f, service: s }]);
    }
    for (const [name, services] of byName) {
      if (services.length === 0) continue;
      for (const f of new Set(services.map((s) => s.file))) {
        const key = composeKey(f, name);
        const p = projects.get(key) ?? { dir: path.dirname(f), contexts: new Set(), dockerfiles: new Set(), defaultDockerfile: false, remote: false, builds: false, images: new Set(), targets: new Set() };
        projects.set(key, p);
        // The folder's default context, for its own builds that name none, stays beside those added here.
        if (p.builds && p.contexts.size === 0 && !p.remote) p.contexts.add(path.resolve(p.dir));
        for (const { file, service } of services) {
          const image = imageOf(service);
          if (image) p.images.add(image);
          if (service.undecided) p.undecided ??= `${shown(file)}: ${service.undecided}, so it may run any image`;
          const b = buildOf(service);
          if (!b || b.inline) continue;
          p.builds = true;
          p.targets.add(b.target ?? null);
          if (first === undefined) {
            p.undecided ??= `${m.where} merges ${shown(file)} after a file named at run time, whose folder its build's paths are read from, so service "${name}" may run any image`;
            continue;
          }
          const runTime = [b.context, b.dockerfile].find((v) => v !== undefined && /\$/.test(v));
          if (runTime !== undefined) {
            p.undecided ??= `${shown(file)}: service "${name}" is built from a path set at run time (${runTime}), so it may run any image`;
            continue;
          }
          if (b.context !== undefined && /^([a-z][a-z0-9+.-]*:\/\/|git@)/i.test(b.context)) {
            p.remote = true;
            continue;
          }
          // Written in the file itself (not in a file it extends, whose own folder holds its paths).
          const written = realPath(b.dir) === realPath(path.dirname(file));
          const dirs = !written ? [b.dir] : merged.onlyMerged.has(file) ? [path.dirname(first)] : [path.dirname(first), b.dir];
          for (const d of dirs) p.contexts.add(path.resolve(d, b.context ?? '.'));
          if (b.dockerfile !== undefined) p.dockerfiles.add(b.dockerfile);
          else p.defaultDockerfile = true;
        }
      }
    }
  }
}

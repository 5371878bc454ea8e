/**
 * Pulumi stack configuration, for a port a Pulumi program reads with `config.requireNumber("grpcPort")`.
 * Each stack deploys with the value its `Pulumi.<stack>.yaml` (beside `Pulumi.yaml`, or in its `stackConfigDir`) gives
 * `<namespace>:grpcPort`, else the project's own (`config:` in `Pulumi.yaml`: a value, or a `default`
 * or `value` of a declared key). The namespace is the one given to `new Config("ns")`, else the
 * project's name. A stack that has neither fails to deploy (requireNumber throws), so it renders no
 * probe. What the tool cannot see makes the value unknown: a `secure:` value, a stack that imports
 * an ESC `environment` without setting the key, a project with no stack file in the repository.
 */
import path from 'node:path';
import { namedFiles } from '../discover/names.js';
import { parseYaml } from '../parse/yaml.js';
import type { RunContext } from '../types.js';

/** The values a config key takes across the repository's stacks, each with the file that gives it. */
export type ConfigValues = { values: { value: string; where: string }[] } | { unknown: string };

export type ConfigReader = (namespace: string | undefined, key: string) => ConfigValues;

interface Project {
  dir: string;
  name: string;
  config: Record<string, unknown>;
  stacks: { file: string; config: Record<string, unknown>; environment: boolean }[];
}

const projects = new WeakMap<RunContext, Map<string, Project | null>>();

/**
 * The repository's Pulumi project files and stack files (by folder), from its listing once per run:
 * a pre-commit run over `orders/index.ts` alone reads the project's Pulumi.yaml and
 * Pulumi.<stack>.yaml as the whole run does (hunt9 H4), though it does not name them.
 */
const pulumiFilesByRun = new WeakMap<RunContext, { projects: ReadonlySet<string>; stacks: Map<string, string[]> }>();
function pulumiFiles(run: RunContext): { projects: ReadonlySet<string>; stacks: Map<string, string[]> } {
  let known = pulumiFilesByRun.get(run);
  if (known) return known;
  const named = namedFiles(run);
  const stacks = new Map<string, string[]>();
  for (const f of named.yaml) {
    if (!/^Pulumi\.[^/\\]+\.ya?ml$/.test(f.slice(f.lastIndexOf(path.sep) + 1))) continue;
    const dir = path.dirname(f);
    stacks.set(dir, [...(stacks.get(dir) ?? []), f]);
  }
  pulumiFilesByRun.set(run, (known = { projects: new Set(named.projects), stacks }));
  return known;
}

/** The config reader of the Pulumi project holding `absPath` (the nearest `Pulumi.yaml` above it), if any. */
export function pulumiConfig(absPath: string, run: RunContext): ConfigReader | undefined {
  const files = pulumiFiles(run).projects;
  for (let dir = path.dirname(absPath); ; dir = path.dirname(dir)) {
    const file = ['Pulumi.yaml', 'Pulumi.yml'].map((n) => path.join(dir, n)).find((f) => files.has(f));
    if (file) {
      const project = projectAt(dir, file, run);
      return project ? (namespace, key) => lookup(project, namespace ?? project.name, key, run) : undefined;
    }
    if (path.dirname(dir) === dir || dir === run.cwd) return undefined;
  }
}

function projectAt(dir: string, file: string, run: RunContext): Project | undefined {
  let byDir = projects.get(run);
  if (!byDir) projects.set(run, (byDir = new Map()));
  let project = byDir.get(dir);
  if (project === undefined) {
    const main = readMap(file, run);
    const name = main?.name;
    // `stackConfigDir: stacks`: Pulumi reads the stacks' files there, not beside Pulumi.yaml.
    const stackDir = typeof main?.stackConfigDir === 'string' ? path.resolve(dir, main.stackConfigDir) : dir;
    project =
      main && typeof name === 'string'
        ? {
            dir,
            name,
            config: isRecord(main.config) ? main.config : {},
            stacks: (pulumiFiles(run).stacks.get(stackDir) ?? []).flatMap((f) => {
              const stack = readMap(f, run);
              return stack ? [{ file: f, config: isRecord(stack.config) ? stack.config : {}, environment: stack.environment !== undefined }] : [];
            }),
          }
        : null;
    byDir.set(dir, project);
  }
  return project ?? undefined;
}

function lookup(project: Project, namespace: string, key: string, run: RunContext): ConfigValues {
  const shown = (f: string) => path.relative(run.cwd, f).split(path.sep).join('/');
  const full = `${namespace}:${key}`;
  if (project.stacks.length === 0) return { unknown: `no Pulumi.<stack>.yaml beside ${shown(path.join(project.dir, 'Pulumi.yaml'))} sets ${full}` };
  // The project's own setting: `grpcPort: 5000`, or a declared key's `default`/`value`.
  const own = project.config[full] ?? (namespace === project.name ? project.config[key] : undefined);
  const projectValue = isRecord(own) ? (own.value ?? own.default) : own;
  const values: { value: string; where: string }[] = [];
  for (const stack of project.stacks) {
    const set = stack.config[full];
    if (set === undefined) {
      if (projectValue !== undefined) {
        const v = plain(projectValue);
        if (v === undefined) return { unknown: `${shown(path.join(project.dir, 'Pulumi.yaml'))} gives ${full} a value that is not a plain number` };
        values.push({ value: v, where: shown(path.join(project.dir, 'Pulumi.yaml')) });
      } else if (stack.environment) return { unknown: `${shown(stack.file)} imports an ESC environment, which may set ${full}` };
      // Neither: requireNumber throws, the stack does not deploy.
      continue;
    }
    const v = plain(set);
    if (v === undefined) return { unknown: `${shown(stack.file)} gives ${full} a value the tool cannot read: a secret, or not a plain value` };
    values.push({ value: v, where: shown(stack.file) });
  }
  if (values.length === 0) return { unknown: `no stack sets ${full}` };
  return { values };
}

function plain(v: unknown): string | undefined {
  return typeof v === 'number' || typeof v === 'string' ? String(v).trim() : undefined;
}

function readMap(file: string, run: RunContext): Record<string, unknown> | undefined {
  const text = run.readText(file);
  if (text === undefined) return undefined;
  const parsed = parseYaml(text);
  if (parsed.error || !parsed.docs[0]) return undefined;
  try {
    const data: unknown = parsed.docs[0].toJS({ maxAliasCount: 100 });
    return isRecord(data) ? data : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

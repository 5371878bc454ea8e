import path from 'node:path';
import type { Node, Pair, Scalar } from 'yaml';
import { mentionsBinary, upstreamRunKeeps, UPSTREAM_IMAGE } from '../src/analysis/binary.js';
import type { Rule } from '../src/types.js';

/**
 * docker-compose files: a `healthcheck.test` that runs grpc_health_probe (CMD, CMD-SHELL or a
 * plain string) has no native equivalent in Compose, and any other mention (command, entrypoint)
 * runs the binary outside a probe. Both keep the binary in the service's image. Services are read
 * as Compose reads them (src/docker/compose.ts): one that gets a use through an alias, a `<<`
 * merge or `extends` runs it too.
 */
/** The shared no-native-check hint speaks of a Dockerfile HEALTHCHECK; this is a compose key. */
const CHECK_HINT = 'Keep the binary for this check, or drop the service\'s healthcheck (and any depends_on condition: service_healthy on it) when only Kubernetes runs the image.';

const rule: Rule = {
  meta: {
    id: 'compose-healthcheck',
    description: 'Reports docker-compose health checks and commands that run grpc_health_probe',
    fixable: false,
    fileKinds: ['compose'],
    docs: 'Compose has no native gRPC health check: healthcheck.test that runs grpc_health_probe is reported as no-native-check, other uses as not-a-probe. Each keeps the binary in the image of its service (its image:, or the Dockerfiles its build: uses in any compose file of the folder). A service that gets such a check through an alias, a << merge or extends is reported where it gets it; a top-level x- extension field runs only there (merged into no service, it keeps nothing: info). A service extended from another file (extends: {file, service}) runs in the images of the services that extend it. Compose files are known by name (compose.yaml, docker-compose.*.yml) or, once read, by shape (docker-stack.yml, examples/compose/memory.yml: only Compose top-level keys, services of Compose keys, no apiVersion/kind, not in a Helm chart). A check Compose does not run (disable: true, test: ["NONE"], in the file or in a file merged over it, or replaced by that file\'s test) in every way the repository runs the file keeps nothing: info. Those ways: without -f (the file Compose picks, with the folder\'s default override), each command that names it with -f/--file or COMPOSE_FILE (a later file merges over it; a file named through a variable is not read, and one that may be this file runs it alone; a later file named as written that the repository does not hold may turn the check back on, so it runs), and alone when no command names it or another file extends it; a dev container (devcontainer.json, JSON with comments too, dockerComposeFile: a string alone, a list merged in order, each path from the JSON file\'s folder), a workflow step\'s Compose action (hoverkraft-tech/compose-action, isbang/compose-action, adambirds/docker-compose-action: its compose-file lines merged in order) and an Ansible Compose task (docker_compose_v2, docker_compose: its files: merged in order) run it with their files; any other file that names it by its path and that the tool does not read as commands (code: testcontainers\' DockerComposeEnvironment, DockerComposeContainer, NewDockerCompose, DockerCompose; a Tiltfile\'s docker_compose(), TOML, PowerShell; a YAML or JSON string the readers do not read, such as another action\'s input) runs it alone, but documentation, path lists (.dockerignore, CODEOWNERS), path filters (paths:, changes:), hashFiles() and comments; a compose file that includes it (include:, loaded as a model of its own) runs it as written there, with the later files of the path: list of an include item merged over it.',
  },
  create(run) {
    let load: import('../src/docker/compose.js').LoadCompose | undefined;
    return {
      async file(ctx) {
        // yaml too is imported here, not at the top: a run whose only candidate is a Dockerfile
        // loads this module with the registry and must not pay for the YAML parser (~90 ms).
        const [{ composeKey, isComposeFile, noteComposeFile, realPath }, { analyzeDockerfile }, { composeExtenders, composeLoader }, { buildOf, composeServicesOf, disabledCheck, imageOf, inCheckTest, mergeOverride, scalarUses }, { isPair, visit }, { aliasedRanges, keyOf, parseYaml, yamlErrorReport }] = await Promise.all([
          import('../src/docker/images.js'),
          import('../src/docker/installs.js'),
          import('../src/docker/ties.js'),
          import('../src/docker/compose.js'),
          import('../src/parse/yaml-lib.js'),
          import('../src/parse/yaml.js'),
        ]);
        const { composeAloneRunsOf, composeIncludesOf, composeRunsOf } = await import('../src/docker/compose-runs.js');
        load ??= composeLoader(run);
        const { text, path: abs } = ctx.file;
        // Compose by its shape, not its name: the ties read it with the compose files by name.
        if (!isComposeFile(run, abs)) noteComposeFile(run, abs);
        const parsed = parseYaml(text);
        if (parsed.error) {
          ctx.report(yamlErrorReport(parsed.error));
          return;
        }
        const def = defaultRun(run, abs);
        const shownFile = (f: string) => (path.dirname(f) === path.dirname(abs) ? path.basename(f) : path.relative(run.cwd, f).split(path.sep).join('/'));
        const servicesIn = new Map<string, import('../src/docker/compose.js').ComposeService[]>();
        const servicesOfFile = (f: string) => {
          if (!servicesIn.has(f)) servicesIn.set(f, (load!(f) ?? []).flatMap((cd) => composeServicesOf(cd, load)));
          return servicesIn.get(f)!;
        };
        // Why a check that names the binary runs nothing: off (disable: true, test: ["NONE"]) or
        // replaced by a later file's own test, in every way the repository may run this file: the
        // way Compose reads it without -f (with the folder's default override), each command line
        // that names it with -f/--file or COMPOSE_FILE (the files after it merged over it, those
        // before it under it), alone when no command names it or another file extends it.
        const checkOff = (service: import('../src/docker/compose.js').ComposeService, scalar: Scalar): string | undefined => {
          const wayOff = (files: readonly (string | undefined)[], self: number, where?: string, absent?: readonly number[]): string | undefined => {
            let merged: import('../src/docker/compose.js').ComposeService['value'] | undefined;
            let offFrom: string | undefined;
            let testFrom: string | undefined;
            let resetFrom: string | undefined;
            files.forEach((f, i) => {
              const value = i === self ? service.value : f === undefined ? undefined : servicesOfFile(f).find((o) => o.name === service.name)?.value;
              if (!value) return;
              merged = merged ? mergeOverride(merged, value) : value;
              const hc = value.entries.get('healthcheck');
              if (disabledCheck(value)) offFrom = i === self ? undefined : shownFile(f!);
              if (hc?.kind === 'map' && hc.entries.has('test')) {
                testFrom = i === self ? undefined : shownFile(f!);
                resetFrom = undefined;
              } else if (i !== self && hc && (hc.kind === 'map' ? hc.replace : hc.leaves.some((l) => l.node?.tag === '!reset' || l.node?.tag === '!override'))) {
                // `healthcheck: !reset {}` (`!reset null`, an `!override` with no test) takes the test out: the
                // image's own HEALTHCHECK is what runs.
                resetFrom = shownFile(f!);
              }
            });
            if (!merged) return undefined;
            // A file merged over this one that the run names as written but the repository
            // does not hold (a local override git ignores, a dev container's compose.local.yml)
            // may turn the check back on (disable: false) or give it a test of its own: the
            // check may run. (One named through a variable is not read: README.)
            if (absent?.some((i) => i > self)) return undefined;
            const by = where === undefined ? '' : `, merged by ${where}`;
            const off = disabledCheck(merged);
            if (off) return offFrom === undefined ? off : `${off} in ${offFrom}${by}`;
            if (inCheckTest(merged, scalar)) return undefined;
            return resetFrom !== undefined ? `taken out by the !reset (or !override with no test) of ${resetFrom}${by}` : `replaced by the test of ${testFrom ?? 'a later file'}${by}`;
          };
          const why: string[] = [];
          const add = (r: string | undefined) => {
            if (r === undefined) return false;
            if (!why.includes(r)) why.push(r);
            return true;
          };
          // Without -f, first: the commonest way, and it asks for no search of the repository.
          if (def && !add(wayOff(def.override ? [abs, def.override] : [abs], 0))) return undefined;
          // A compose file that `include:`s this one loads it as a model of its own: the check as written here.
          const runs = [...composeRunsOf(run, abs), ...composeIncludesOf(run, abs)];
          if (!def && runs.length === 0 && !add(wayOff([abs], 0))) return undefined;
          for (const r of runs) if (!add(wayOff(r.files, r.self, r.where, r.absent))) return undefined;
          // `extends: {file}` reads this file alone: an extender runs the check as written here.
          if (extendedBy(service, scalar) !== '' && !add(wayOff([abs], 0))) return undefined;
          // Runs no command gives, asked last (a git search): a dev container, a workflow's
          // Compose action, code that names the file (testcontainers runs it alone).
          if (why.length > 0) for (const r of composeAloneRunsOf(run, abs)) if (!add(wayOff(r.files, r.self, r.where, r.absent))) return undefined;
          return why.join('; ');
        };
        const reportOff = (start: number, end: number, service: import('../src/docker/compose.js').ComposeService, off: string) =>
          ctx.report({
            start,
            end,
            subject: 'consumer',
            keepsBinary: false,
            info: true,
            image: composeKey(abs, service.name),
            message: `healthcheck.test of service "${service.name}" names grpc_health_probe, but Compose does not run it (${off}): it keeps no install`,
            hint: OFF_HINT,
          });
        // The services of other files that extend one of this file's (`extends: {file, service}`)
        // and run a use of it in their images: its finding names them (read once per run, when asked).
        let extenders: ReturnType<typeof composeExtenders> | undefined;
        const extendedBy = (service: import('../src/docker/compose.js').ComposeService | undefined, scalar: Scalar): string => {
          if (!service || !scalar.range) return '';
          extenders ??= composeExtenders(run, load!);
          const file = realPath(abs);
          const dir = path.dirname(file);
          const key = composeKey(abs, service.name);
          // Those whose extends names a path set at run time may extend it, or not: said apart.
          const runTime = extenders.runTime.filter((r) => r.key !== key && r.mayName(file, service.name));
          const seen = new Set<string>(runTime.map((r) => `${r.where} (${r.service})`));
          const list = extenders.extenders
            .filter((e) => e.useFile === file && e.useStart === scalar.range![0] && e.bases.some((b) => b.dir === dir && b.service === service.name))
            .map((e) => `${e.where} (${e.service})`)
            .filter((w) => !seen.has(w) && seen.add(w))
            .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
          const listed = (items: string[]) => `${items.slice(0, MAX_LISTED).join(', ')}${items.length > MAX_LISTED ? `, and ${items.length - MAX_LISTED} more` : ''}`;
          const maybe = runTime.map((r) => `${r.where} (${r.service}, extends: {file: ${r.file}})`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
          const one = maybe.length === 1;
          return (
            (list.length > 0 ? `; the services that extend it run it in their images too: ${listed(list)}` : '') +
            (maybe.length > 0 ? `; ${one ? 'a service extends' : 'services extend'} "${service.name}" of a file named at run time, which may be this one: ${listed(maybe)}; it may then run in ${one ? 'its image' : 'their images'}, which the tool cannot tell, so every install stays` : '')
          );
        };
        parsed.docs.forEach((doc) => {
          const services = composeServicesOf({ doc, dir: path.dirname(abs) }, load);
          const isCheckAt = (keys: readonly string[]) => keys[keys.length - 1] === 'test' && keys.includes('healthcheck');
          // What the services get through aliases and merges (an `x-` extension's check among them).
          let reached: Set<Node> | undefined;
          // The ranges aliases of this document repeat (`*script`, `<<: *hc`).
          let aliased: [number, number][] | undefined;
          const aliasedAt = (n: Node) => {
            aliased ??= aliasedRanges(doc);
            return aliased.some(([st, en]) => n.range !== undefined && n.range !== null && st <= n.range[0] && n.range[0] < en);
          };
          const reachedByService = (n: Node) => (reached ??= new Set(services.flatMap((s) => scalarUses(s, mentionsBinary).map((u) => u.scalar as Node)))).has(n);
          visit(doc, {
            Scalar(_, node, nodePath) {
              if (typeof node.value !== 'string' || !mentionsBinary(node.value)) return;
              const parent = nodePath[nodePath.length - 1];
              if (isPair(parent) && parent.key === node) return;
              const keys = nodePath.filter(isPair).map((p) => keyOf(p as Pair)).filter((k): k is string => k !== undefined);
              const service = services.find((s) => nodePath.includes(s.node));
              const where = service ? `service "${service.name}"` : 'the compose file';
              // `test` under healthcheck, or under an `x-` extension that healthchecks reuse by anchor.
              const isCheck = isCheckAt(keys) || (keys[keys.length - 1] === 'test' && keys.some((k) => k.startsWith('x-')));
              const r = node as Scalar;
              const off = service && isCheckAt(keys) ? checkOff(service, r) : undefined;
              if (off) {
                reportOff(r.range![0], r.range![1], service!, off);
                return;
              }
              // `build.dockerfile_inline` that only downloads the binary installs it; it runs
              // nothing, so it keeps no other install (it did, as a use no Dockerfile is tied to).
              if (keys[keys.length - 1] === 'dockerfile_inline' && installsOnly(node.value, analyzeDockerfile)) {
                ctx.report({
                  start: r.range![0],
                  end: r.range![1],
                  subject: 'consumer',
                  blockers: ['unsupported-file'],
                  keepsBinary: false,
                  ...(service ? { image: composeKey(abs, service.name) } : {}),
                  message: `${service ? `the inline Dockerfile of ${where}` : 'an inline Dockerfile'} (at ${keys.join('.')}) installs grpc_health_probe; it runs nothing, so it keeps no other install, but the tool does not rewrite an inline Dockerfile`,
                  hint: INLINE_HINT,
                });
                return;
              }
              // A top-level `x-` extension field: Compose ignores it, it runs only where a service
              // merges it or names its anchor, and is reported there (below). Merged nowhere, it runs nothing.
              const top = nodePath.find(isPair);
              const topKey = top ? keyOf(top as Pair) : undefined;
              if (!service && topKey?.startsWith('x-')) {
                if (reachedByService(node)) return;
                // An alias outside the services (a top-level `configs.*.content: *script` that a
                // health check runs) may carry it where it runs: it is then a use, reported below.
                if (!aliasedAt(node)) {
                  ctx.report({
                    start: node.range![0],
                    end: node.range![1],
                    subject: 'consumer',
                    keepsBinary: false,
                    info: true,
                    message: `${keys.join('.')} names grpc_health_probe in an extension field (x-) that no service of this file uses: Compose ignores x- keys, so it runs nothing and keeps no install`,
                    hint: X_FIELD_HINT,
                  });
                  return;
                }
              }
              // A service that runs the upstream probe image (`image: ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28`,
              // a wait-for service) and builds none: the binary ships in that image, not in one of
              // this repository (dockerfile-binary-install keeps the installs of a Dockerfile that
              // may build that name, as for a Kubernetes container of that image).
              const upstream = service && !buildOf(service) ? imageOf(service) : undefined;
              if (service && upstream !== undefined && UPSTREAM_IMAGE.test(upstream)) {
                const ownImage = keys.length === 3 && keys[0] === 'services' && keys[2] === 'image';
                ctx.report({
                  start: r.range![0],
                  end: r.range![1],
                  subject: 'consumer',
                  ...(ownImage ? { info: true } : { blockers: [isCheck ? 'no-native-check' : 'not-a-probe'] }),
                  keepsBinary: false,
                  upstreamImage: upstream,
                  message: ownImage
                    ? `${where} runs the grpc-health-probe image ${upstream}; the binary ships in that image, ${upstreamRunKeeps(upstream)}`
                    : `${isCheck ? `healthcheck.test of ${where}` : `${where}`} runs grpc_health_probe (at ${keys.join('.')}) in the grpc-health-probe image ${upstream}; the binary ships in that image, ${upstreamRunKeeps(upstream)}`,
                  hint: UPSTREAM_HINT,
                });
                return;
              }
              // One that runs it (a HEALTHCHECK, its ENTRYPOINT) keeps it, said as what it is.
              const inline = keys[keys.length - 1] === 'dockerfile_inline';
              const inlineCheck = inline && node.value.split('\n').some((line) => /^\s*HEALTHCHECK\b/i.test(line) && mentionsBinary(line));
              ctx.report({
                start: r.range![0],
                end: r.range![1],
                subject: 'consumer',
                blockers: [isCheck || inlineCheck ? 'no-native-check' : 'not-a-probe'],
                ...(isCheck ? { hint: CHECK_HINT } : {}),
                keepsBinary: true,
                ...(service ? { image: composeKey(abs, service.name) } : {}),
                message: (isCheck
                  ? `${service ? `healthcheck.test of ${where}` : `${keys.join('.')} (a health check shared by anchor)`} runs grpc_health_probe; Compose has no native gRPC check, so the image keeps the binary`
                  : inlineCheck
                    ? `the inline Dockerfile of ${where} (at ${keys.join('.')}) runs grpc_health_probe in a HEALTHCHECK; Docker has no native gRPC check, so the image keeps the binary`
                    : inline
                      ? `the inline Dockerfile of ${where} (at ${keys.join('.')}) runs grpc_health_probe or uses it in a way the tool does not read as an install, so the binary stays`
                      : `${where} runs grpc_health_probe outside a health check (at ${keys.join('.')})`) + extendedBy(service, r),
              });
            },
          });
          // What a service gets without writing it (`healthcheck: *hc`, `<<: *base`, `extends: api`)
          // runs in its own container: reported where it gets it, once per alias, merge or extends.
          for (const service of services) {
            const got = new Map<Node, { text: string; keys: string[]; isCheck: boolean; scalar: Scalar }>();
            const offSaid = new Set<Node>();
            for (const use of scalarUses(service, mentionsBinary)) {
              if (!use.via) continue;
              // An inline Dockerfile that only installs it, got through an alias or a merge, runs
              // nothing either: it is reported where it is written.
              if (use.keys[use.keys.length - 1] === 'dockerfile_inline' && installsOnly(String(use.scalar.value), analyzeDockerfile)) continue;
              // A check got through an alias or a merge that this service turns off runs nothing here.
              const off = isCheckAt(use.keys) ? checkOff(service, use.scalar) : undefined;
              if (off) {
                if (!offSaid.has(use.via.node)) reportOff(use.via.node.range![0], use.via.node.range![1], service, `${off}; through ${use.via.text}`);
                offSaid.add(use.via.node);
                continue;
              }
              const seen = got.get(use.via.node);
              if (!seen) got.set(use.via.node, { text: use.via.text, keys: use.keys, isCheck: isCheckAt(use.keys), scalar: use.scalar });
              else if (!seen.isCheck && isCheckAt(use.keys)) Object.assign(seen, { keys: use.keys, isCheck: true, scalar: use.scalar });
            }
            for (const [node, { text: through, keys, isCheck, scalar }] of got) {
              ctx.report({
                start: node.range![0],
                end: node.range![1],
                subject: 'consumer',
                blockers: [isCheck ? 'no-native-check' : 'not-a-probe'],
                ...(isCheck ? { hint: CHECK_HINT } : {}),
                keepsBinary: true,
                image: composeKey(abs, service.name),
                message: (isCheck
                  ? `healthcheck.test of service "${service.name}" runs grpc_health_probe (through ${through}); Compose has no native gRPC check, so the image keeps the binary`
                  : `service "${service.name}" runs grpc_health_probe outside a health check (at services.${service.name}.${keys.join('.')}, through ${through})`) + extendedBy(service, scalar),
              });
            }
          }
        });
      },
    };
  },
};

const UPSTREAM_HINT =
  'The binary ships in the grpc-health-probe image, so this service keeps no install of this repository. It checks a server from outside: keep it, or drop it where a native check (a Kubernetes grpc probe) replaces it.';

/** Extending services named in a finding before "and N more". */
const MAX_LISTED = 3;

const X_FIELD_HINT = 'Nothing runs it. Drop it, or reword it, once the binary is gone; a service that merges it (<<: *anchor) or names its anchor is reported where it does.';

const OFF_HINT = 'A health check Compose does not run keeps nothing installed; drop its test (or the healthcheck) by hand once the binary is gone, so that it does not name the binary.';

/** The files Compose reads without -f, in its order of preference (compose-go's DefaultFileNames, DefaultOverrideFileNames). */
const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const DEFAULT_OVERRIDES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

/**
 * How Compose reads `abs` without -f: when it is the file it picks in its folder, over the
 * folder's first docker-compose.override.yml (or compose.override.yaml…), if any and readable
 * (unreadable, the base check runs). Undefined when Compose does not pick it without -f.
 */
function defaultRun(run: import('../src/types.js').RunContext, abs: string): { override?: string } | undefined {
  const dir = path.dirname(abs);
  const exists = (name: string) => run.readText(path.join(dir, name)) !== undefined;
  if (DEFAULT_FILES.find(exists) !== path.basename(abs)) return undefined;
  const name = DEFAULT_OVERRIDES.find(exists);
  return name === undefined ? {} : { override: path.join(dir, name) };
}

const INLINE_HINT = 'Remove the download from the inline Dockerfile by hand once nothing runs the binary (its installs are the same shapes the tool removes from Dockerfiles), or move it into a Dockerfile the tool reads.';

/**
 * An inline Dockerfile whose every mention of the binary is an install the tool knows how to
 * remove: with those removals applied, only comment lines may still name it.
 */
function installsOnly(text: string, analyze: typeof import('../src/docker/installs.js').analyzeDockerfile): boolean {
  let analysis;
  try {
    analysis = analyze(text);
  } catch {
    return false;
  }
  if (analysis.problems.length > 0 || analysis.installs.length === 0 || analysis.renamed.length > 0) return false;
  const edits = analysis.installs.flatMap((i) => i.edits).sort((a, b) => b.start - a.start);
  let rest = text;
  for (const e of edits) rest = rest.slice(0, e.start) + e.text + rest.slice(e.end);
  return rest.split('\n').every((line) => /^\s*#/.test(line) || !mentionsBinary(line));
}

export default rule;

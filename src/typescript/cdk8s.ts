/**
 * A cdk8s project's `cdk8s.yaml` says which Kubernetes API its generated constructs follow
 * (`imports: [k8s@1.22.0]`, written to `imports/k8s.ts` by `cdk8s import`). Before 1.24 the
 * generated Probe type has no `grpc` field: a probe rewritten to grpc in code that uses those
 * constructs no longer compiles. Such probes keep exec (kube-version) until the import is newer.
 * An import without a version (`imports: [k8s]`, what `cdk8s init` writes) takes the newest API
 * when `cdk8s import` runs, but the generated file a project commits is the one it compiles
 * against: when that file is there, its Probe type says whether `grpc` compiles.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq } from '../parse/yaml-lib.js';
import { kubeVersionSupportsGrpc, NATIVE_GRPC_MIN } from '../analysis/kube-version.js';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { BlockerCode, RunContext } from '../types.js';

/** A kube-version blocker, and the generated module (`imports/<module>`) whose users it holds. */
export interface Cdk8sBlocker {
  code: BlockerCode;
  detail: string;
  module: string;
}

const byRun = new WeakMap<RunContext, Map<string, Cdk8sBlocker[]>>();

/** The kube-version blocker of the nearest cdk8s.yaml at or above the file, when its k8s import is older than 1.24. */
export function cdk8sImportBlockers(fileAbs: string, run: RunContext): Cdk8sBlocker[] {
  let byDir = byRun.get(run);
  if (!byDir) byRun.set(run, (byDir = new Map()));
  const passed: string[] = [];
  let found: Cdk8sBlocker[] = [];
  for (let dir = path.dirname(fileAbs); ; ) {
    const known = byDir.get(dir);
    if (known) {
      found = known;
      break;
    }
    passed.push(dir);
    const text = run.readText(path.join(dir, 'cdk8s.yaml'));
    if (text !== undefined) {
      found = blockersOf(text, dir, run);
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of passed) byDir.set(d, found);
  return found;
}

function blockersOf(text: string, dir: string, run: RunContext): Cdk8sBlocker[] {
  const parsed = parseYaml(text);
  const root = parsed.error ? undefined : parsed.docs[0]?.contents;
  const imports = isMap(root) ? getPair(root, 'imports')?.value : undefined;
  if (!isSeq(imports)) return [];
  const blockers: Cdk8sBlocker[] = [];
  for (const item of imports.items) {
    // `k8s@1.22.0`, or `name:=k8s@1.22` for a renamed import.
    const text = isScalar(item) && typeof item.value === 'string' ? item.value.trim() : '';
    const renamed = /^([^:=]+):=(.*)$/.exec(text);
    const spec = renamed ? renamed[2]!.trim() : text;
    const m = /^k8s(?:@v?(\d+\.\d+)(?:\.\d+)?)?$/.exec(spec);
    if (!m) continue;
    const module = renamed ? renamed[1]!.trim() : 'k8s';
    const as = renamed ? ` as ${module}` : '';
    if (m[1] !== undefined && !kubeVersionSupportsGrpc(m[1])) {
      blockers.push({
        code: 'kube-version',
        module,
        detail: `cdk8s.yaml imports ${spec}${as}: the Probe type it generates (imports/${module}) has no grpc field before ${MIN}, so the rewritten code would not compile; import k8s@${MIN} or later (cdk8s import) and run the tool again`,
      });
      continue;
    }
    const generated = generatedWithoutGrpc(dir, module, run);
    if (generated !== undefined) {
      blockers.push({
        code: 'kube-version',
        module,
        detail: `cdk8s.yaml imports ${spec}${as}, and ${generated}, the file cdk8s import generated and the code compiles against, has a Probe type without a grpc field (it was generated from a Kubernetes API older than ${MIN}), so the rewritten code would not compile; generate it again (cdk8s import${m[1] === undefined ? `, pinning k8s@${MIN} or later in cdk8s.yaml` : ''}) and run the tool again`,
      });
    }
  }
  return blockers;
}

const MIN = `${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}`;

/**
 * The generated module (`imports/k8s.ts`, or the `.d.ts` of a JavaScript project) beside
 * cdk8s.yaml, relative to it, when its `Probe` interface has no `grpc` member; undefined when it
 * has one, or the file is not there (generated at build time: from the import as written).
 * Read as text: the file is cdk8s's own output (one `export interface Probe {` … `}` block, its
 * members one a line), 1–2 MB that a TypeScript parse would take hundreds of ms over; a file
 * where that block cannot be found is not judged (as if not there).
 */
function generatedWithoutGrpc(dir: string, module: string, run: RunContext): string | undefined {
  for (const name of [`${module}.ts`, `${module}.d.ts`]) {
    const text = run.readText(path.join(dir, 'imports', name));
    if (text === undefined) continue;
    const start = /^export (?:declare )?interface Probe \{\r?$/m.exec(text);
    const end = start ? text.indexOf('\n}', start.index) : -1;
    if (!start || end === -1) return undefined;
    const body = text.slice(start.index, end);
    return /^\s*readonly grpc\?:/m.test(body) ? undefined : `imports/${name}`;
  }
  return undefined;
}

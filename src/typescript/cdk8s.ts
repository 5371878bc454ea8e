/**
 * A cdk8s project's `cdk8s.yaml` says which Kubernetes API its generated constructs follow
 * (`imports: [k8s@1.22.0]`, written to `imports/k8s.ts` by `cdk8s import`). Before 1.24 the
 * generated Probe type has no `grpc` field: a probe rewritten to grpc in code that uses those
 * constructs no longer compiles. Such probes keep exec (kube-version) until the import is newer.
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
      found = blockersOf(text);
      break;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  for (const d of passed) byDir.set(d, found);
  return found;
}

function blockersOf(text: string): Cdk8sBlocker[] {
  const parsed = parseYaml(text);
  const root = parsed.error ? undefined : parsed.docs[0]?.contents;
  const imports = isMap(root) ? getPair(root, 'imports')?.value : undefined;
  if (!isSeq(imports)) return [];
  for (const item of imports.items) {
    // `k8s@1.22.0`, or `name:=k8s@1.22` for a renamed import.
    const text = isScalar(item) && typeof item.value === 'string' ? item.value.trim() : '';
    const renamed = /^([^:=]+):=(.*)$/.exec(text);
    const spec = renamed ? renamed[2]!.trim() : text;
    const m = /^k8s@v?(\d+\.\d+)(?:\.\d+)?$/.exec(spec);
    if (m && !kubeVersionSupportsGrpc(m[1]!)) {
      const module = renamed ? renamed[1]!.trim() : 'k8s';
      return [
        {
          code: 'kube-version',
          module,
          detail: `cdk8s.yaml imports ${spec}${renamed ? ` as ${module}` : ''}: the Probe type it generates (imports/${module}) has no grpc field before ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor}, so the rewritten code would not compile; import k8s@${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor} or later (cdk8s import) and run the tool again`,
        },
      ];
    }
  }
  return [];
}

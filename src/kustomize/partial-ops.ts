/**
 * Overlays that patch *inside* a probe (`op: replace, path: …/readinessProbe/exec/command`) need
 * the base probe to keep its `exec`: migrating the base alone would make `kustomize build` fail.
 * This finds, once per run, which files such ops reach through `resources`, so that the manifest
 * rule can leave those probes alone and say why.
 */
import path from 'node:path';
import { isMap, isScalar, isSeq, visit } from 'yaml';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { Report, RunContext, SourceFile } from '../types.js';
import { json6902ProbePart } from './json6902.js';

export interface PartialOp {
  /** Display-independent: the kustomization that holds the op. */
  kustomization: string;
  path: string;
  probe: string;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const cache = new WeakMap<RunContext, Map<string, PartialOp[]>>();

/** Absolute file path → the partial probe ops that reach it. */
export function partialProbeOps(run: RunContext): Map<string, PartialOp[]> {
  let byFile = cache.get(run);
  if (byFile) return byFile;
  byFile = new Map();
  for (const file of run.allFiles()) {
    if (!KUSTOMIZATION_NAMES.includes(path.basename(file))) continue;
    const text = run.readText(file);
    if (text === undefined) continue;
    const ops = opsIn(file, text, run);
    if (ops.length === 0) continue;
    for (const target of resourcesOf(path.dirname(file), run, new Set())) {
      byFile.set(target, [...(byFile.get(target) ?? []), ...ops]);
    }
  }
  cache.set(run, byFile);
  return byFile;
}

function opsIn(file: string, text: string, run: RunContext): PartialOp[] {
  const out: PartialOp[] = [];
  const collect = (patchText: string) => {
    const parsed = parseYaml(patchText);
    if (parsed.error) return;
    for (const doc of parsed.docs) {
      visit(doc, {
        Map(_, map) {
          const p = getPair(map, 'path')?.value;
          if (!getPair(map, 'op') || !isScalar(p) || typeof p.value !== 'string' || !json6902ProbePart(p.value)) return;
          const probe = /\/(livenessProbe|readinessProbe|startupProbe)\//.exec(p.value)![1]!;
          out.push({ kustomization: file, path: p.value, probe });
        },
      });
    }
  };
  const root = parseYaml(text).docs[0]?.contents;
  if (!isMap(root)) return out;
  for (const key of ['patches', 'patchesJson6902']) {
    const list = getPair(root, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isMap(item)) continue;
      const inline = getPair(item, 'patch')?.value;
      const ref = getPair(item, 'path')?.value;
      if (isScalar(inline) && typeof inline.value === 'string') collect(inline.value);
      if (isScalar(ref) && typeof ref.value === 'string') {
        const t = run.readText(path.resolve(path.dirname(file), ref.value));
        if (t !== undefined) collect(t);
      }
    }
  }
  return out;
}

/** Local files a kustomization builds from, following bases and components. */
function resourcesOf(dir: string, run: RunContext, seen: Set<string>): string[] {
  if (seen.has(dir)) return [];
  seen.add(dir);
  let text: string | undefined;
  for (const name of KUSTOMIZATION_NAMES) text ??= run.readText(path.join(dir, name));
  if (text === undefined) return [];
  const root = parseYaml(text).docs[0]?.contents;
  if (!isMap(root)) return [];
  const out: string[] = [];
  for (const key of ['resources', 'bases', 'components']) {
    const list = getPair(root, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isScalar(item) || typeof item.value !== 'string' || /^[a-z]+:\/\/|^github\.com\//.test(item.value)) continue;
      const target = path.resolve(dir, item.value);
      if (run.readText(target) !== undefined) out.push(target);
      else out.push(...resourcesOf(target, run, seen));
    }
  }
  return out;
}

/** A migratable probe that an overlay patches inside stays as it is, blocked, naming the overlay. */
export function keepForPartialOps(r: Report, file: SourceFile, run: RunContext): Report {
  if (!r.fix || !file.path || r.details?.probe === undefined) return r;
  const op = partialProbeOps(run).get(file.path)?.find((o) => o.probe === r.details!.probe);
  if (!op) return r;
  const { fix: _fix, ...rest } = r;
  const overlay = path.relative(run.cwd, op.kustomization).split(path.sep).join('/');
  return {
    ...rest,
    blockers: ['unparseable'],
    keepsBinary: true,
    message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: ${overlay} patches inside it (${op.path}); migrating it here would break that overlay's build. Make the overlay patch the whole probe first`,
  };
}

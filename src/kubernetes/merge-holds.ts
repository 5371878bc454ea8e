/**
 * Probes of a merge patch that keep a handler other than grpc after this run. A merge patch's
 * probe fields merge into the probe it patches (a Kustomize strategic-merge patch over its base,
 * a Helm values file over the chart's values.yaml), so such a probe and a migrated base would
 * build one probe with two handlers, which the API server rejects. A patch probe that this run
 * migrates is safe: it gets `exec: null` (ProbeWalkOptions.mergePatch).
 */
import type { Document, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, visit } from '../parse/yaml-lib.js';
import { targetClusters } from '../analysis/native-probe.js';
import { getPair, keyOf } from '../parse/yaml.js';
import type { Report, RunContext } from '../types.js';
import { goHeldFile } from './go-readers.js';
import { containerContext, findProbeReports, PROBE_KEYS, probeKeyPath, type ProbeWalkOptions } from './probes.js';


export interface KeptHandler {
  probe: string;
  /** The container the patch names, when the probe is in a container list. */
  container?: string;
  /** Where the probe sits in the patch (see probeKeyPath). */
  keyPath: string;
  /** A clause: "keeps it on exec", "gives it httpGet". */
  kept: string;
  /** The probe key's offset in the text read. */
  start?: number;
}

/** The patch or values file keptHandlers reads. */
export interface PatchSource {
  /** Absolute path of the file that holds the document. */
  absPath: string;
  /**
   * Whether this run rewrites the file's probes (it is among the run's files and the tool can edit
   * it); when it does, an exec probe the probe walk gives a fix is not kept, unless a hold applied
   * after the walk to the whole file (Go code embedding it: goHeldFile) keeps it on exec.
   */
  rewritten: boolean;
}

export function keptHandlers(
  text: string,
  doc: Document.Parsed<ParsedNode, true>,
  run: RunContext,
  source: PatchSource,
  /**
   * For a Helm values file: what its chart adds to the probe walk, and holds it applies after it;
   * for a Kustomize patch: the context of the objects it is applied to (builtContext), and what
   * that context blocks after the walk (held).
   */
  helm?: { renderedTimeout?: ProbeWalkOptions['renderedTimeout']; held?: (r: Report) => boolean; builtContext?: ProbeWalkOptions['builtContext'] },
): KeptHandler[] {
  const out: KeptHandler[] = [];
  let migrates: Set<number> | undefined;
  visit(doc, {
    Pair(_, pair, path) {
      const key = keyOf(pair);
      if (!key || !PROBE_KEYS.has(key) || !isMap(pair.value)) return;
      const probe = pair.value;
      // A strategic-merge directive: the patch replaces the whole probe (or deletes it), so no
      // field of the probe under it is left to sit beside its handler.
      if (isDirective(probe)) return;
      const handler = ['exec', 'httpGet', 'tcpSocket'].find((h) => {
        const v = getPair(probe, h)?.value;
        // `exec: null` and `exec: {$patch: delete}` both delete the handler they merge over.
        return v !== undefined && !(isScalar(v) && v.value === null) && !(isMap(v) && isDirective(v));
      });
      if (!handler || isMap(getPair(probe, 'grpc')?.value)) return;
      if (handler === 'exec') {
        migrates ??= new Set(
          source.rewritten && !goHeldFile(source.absPath, run)
            ? findProbeReports({ text, docs: [doc], eol: '\n', ...targetClusters(run.options), mergePatch: true, ...(helm?.renderedTimeout ? { renderedTimeout: helm.renderedTimeout } : {}), ...(helm?.builtContext ? { builtContext: helm.builtContext } : {}) })
                .filter((r) => r.fix && !(r.blockers?.length) && !helm?.held?.(r))
                .map((r) => r.start)
            : [],
        );
        if (migrates.has((pair.key as Scalar).range![0])) return;
      }
      const ctx = containerContext(path);
      const name = ctx.container ? getPair(ctx.container, 'name')?.value : undefined;
      const container = isScalar(name) && name.value !== null ? String(name.value) : undefined;
      out.push({
        probe: key,
        ...(container !== undefined ? { container } : {}),
        keyPath: probeKeyPath(path, pair),
        kept: handler === 'exec' ? 'keeps it on exec' : `gives it ${handler}`,
        ...((pair.key as { range?: number[] }).range ? { start: (pair.key as { range: number[] }).range[0]! } : {}),
      });
    },
  });
  return out;
}

function isDirective(probe: YAMLMap): boolean {
  const d = getPair(probe, '$patch')?.value;
  return isScalar(d) && (d.value === 'replace' || d.value === 'delete');
}

export interface TunedTimeout {
  probe: string;
  container?: string;
  keyPath: string;
  timeoutSeconds: number;
}

/**
 * Probes of a merge patch that set timeoutSeconds (a number) and no handler: the probe built
 * keeps the handler it merges over, with this timeout, which cuts short a migrated probe whose
 * binary flags (-rpc-timeout, -connect-timeout) asked for more (Report.timeoutNeeded).
 */
export function tunedTimeouts(doc: Document.Parsed<ParsedNode, true>): TunedTimeout[] {
  const out: TunedTimeout[] = [];
  visit(doc, {
    Pair(_, pair, path) {
      const key = keyOf(pair);
      if (!key || !PROBE_KEYS.has(key) || !isMap(pair.value)) return;
      const probe = pair.value;
      const t = getPair(probe, 'timeoutSeconds')?.value;
      const seconds = isScalar(t) && t.value !== null && String(t.value).trim() !== '' ? Number(t.value) : NaN;
      if (!Number.isFinite(seconds) || isDirective(probe) || ['exec', 'httpGet', 'tcpSocket', 'grpc'].some((h) => getPair(probe, h) !== undefined)) return;
      const ctx = containerContext(path);
      const name = ctx.container ? getPair(ctx.container, 'name')?.value : undefined;
      out.push({ probe: key, ...(isScalar(name) && name.value !== null ? { container: String(name.value) } : {}), keyPath: probeKeyPath(path, pair), timeoutSeconds: seconds });
    },
  });
  return out;
}

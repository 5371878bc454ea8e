/** `verify`: would the kubelet's native gRPC probes pass against a live server? */
import fs from 'node:fs';
import path from 'node:path';
import { describeFsError, discover } from '../discover/walk.js';
import { display } from '../engine.js';
import { diagnoseConnection } from './diagnose.js';
import { grpcTarget, kubeletCheck, type CheckInput } from './kubelet-check.js';
import { probeTargets, type FileProblem, type ProbeTarget } from './targets.js';
import { judge, verdict, type Verdict } from './verdict.js';

export interface CheckProbeInput extends CheckInput {
  /** Bound of each diagnosis step after a failed dial (default 1000 ms). */
  diagnoseStepMs?: number;
}

export async function checkProbe(input: CheckProbeInput): Promise<Verdict> {
  const outcome = await kubeletCheck(input);
  const diagnosis = outcome.kind === 'dial-timeout' ? await diagnoseConnection(input.host, input.port, input.diagnoseStepMs ?? 1000) : undefined;
  return judge(outcome, input.timeoutMs / 1000, diagnosis, input.tls === true);
}

export interface ProbeResult extends ProbeTarget {
  /** HOST:PORT dialled (after --port-map). */
  address?: string;
  result: Verdict;
}

export interface VerifyOptions {
  host: string;
  /** probe port → port to dial (kubectl port-forward). */
  portMap?: ReadonlyMap<number, number>;
  /** `kube-probe/1.27`. */
  userAgent: string;
  concurrency?: number;
  diagnoseStepMs?: number;
}

export async function verifyTargets(targets: readonly ProbeTarget[], o: VerifyOptions): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < targets.length; i = next++) {
      const t = targets[i]!;
      if (t.error !== undefined || t.port === undefined) {
        results[i] = { ...t, result: verdict('INVALID', t.error ?? 'no port') };
        continue;
      }
      const port = o.portMap?.get(t.port) ?? t.port;
      const result = await checkProbe({
        host: o.host,
        port,
        service: t.service,
        ...(t.tls ? { tls: true } : {}),
        timeoutMs: t.timeoutSeconds * 1000,
        userAgent: o.userAgent,
        ...(o.diagnoseStepMs !== undefined ? { diagnoseStepMs: o.diagnoseStepMs } : {}),
      });
      results[i] = { ...t, address: grpcTarget(o.host, port), result };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 8, targets.length)) }, worker));
  return results;
}

export const STDIN_NAME = '<stdin>';
const MANIFEST = /\.(ya?ml|json|tpl)$/i;

/** The probes in the given files and folders (`-` is the stdin text). Folders: YAML/JSON files only. */
export function readTargets(
  paths: readonly string[],
  cwd: string,
  values: ReadonlyMap<string, string>,
  stdin?: string,
): { targets: ProbeTarget[]; problems: FileProblem[] } {
  const targets: ProbeTarget[] = [];
  const problems: FileProblem[] = [];
  const add = (file: string, text: string) => {
    const r = probeTargets(file, text, values);
    targets.push(...r.targets);
    problems.push(...r.problems);
  };
  if (paths.includes('-')) add(STDIN_NAME, stdin ?? '');
  const named = paths.filter((p) => p !== '-');
  const found = discover(named, cwd);
  // discover() keeps the first sighting, which may be from a folder walk: a file named on the
  // command line is read whatever its name.
  const explicit = new Set(named.map((p) => path.resolve(cwd, p)));
  for (const p of found.problems) problems.push({ file: display(cwd, p.absPath), message: `cannot read: ${p.message}` });
  for (const f of found.files) {
    if (!f.explicit && !explicit.has(f.absPath) && !MANIFEST.test(path.basename(f.absPath))) continue;
    const file = display(cwd, f.absPath);
    let text: string;
    try {
      text = fs.readFileSync(f.absPath, 'utf8');
    } catch (e) {
      problems.push({ file, message: `cannot read: ${describeFsError(e)}` });
      continue;
    }
    // A cheap check before parsing: no native probe without the word.
    if (!text.includes('grpc')) continue;
    add(file, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  }
  return { targets, problems };
}

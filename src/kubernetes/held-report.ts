import type { BlockerCode, Report } from '../types.js';

/**
 * A migratable probe's report turned into the blocked one for a probe that stays on exec because
 * of something elsewhere (an overlay, a values file, a template): its fix dropped, the reason said.
 */
export function heldReport(r: Report, blocker: BlockerCode, why: string): Report {
  const { fix: _fix, ...rest } = r;
  return { ...rest, blockers: [blocker], keepsBinary: true, message: `${r.message.replace(/: exec grpc_health_probe → .*/, ' runs grpc_health_probe')}: ${why}` };
}

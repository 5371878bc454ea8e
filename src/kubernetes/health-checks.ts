/**
 * Health checks and probes held under keys other than a Kubernetes container's probes, which the
 * manifest rule would otherwise call "a container command": a Garden container Deploy's
 * `spec.healthCheck.command`, an AWS Copilot manifest's `image.healthcheck.command`, any other
 * `healthCheck`/`healthcheck` command, and a chart's custom probe in its values (bjw-s
 * app-template's `probes.<kind>.spec.exec.command`, which the chart prints as the container's
 * probe). All keep the binary (they run it); what differs is what they are and what to do.
 */
import type { YAMLMap } from 'yaml';
import { isMap } from '../parse/yaml-lib.js';
import { getPair, scalarText } from '../parse/yaml.js';
import { ECS_HINT } from '../analysis/ecs.js';
import type { BlockerCode } from '../types.js';

export interface HealthCheckUse {
  where: string;
  hint: string;
  code: BlockerCode;
  /** A probe (of a chart's values): counted with the probes, not as a consumer. */
  probe?: true;
}

const GARDEN_HINT =
  'Garden renders a container Deploy\'s healthCheck.command as an exec readiness and liveness probe and has no gRPC health check, so the binary stays in the image for it. To use a native probe, deploy the service with a kubernetes or helm Deploy action whose manifest has grpc: {port: N}; or keep the binary.';
const HEALTH_HINT =
  'This health check runs the binary in the container, and the tool cannot tell what runs it or whether that has a native gRPC check, so the binary stays for it. Keep it, or replace the check by hand (with a native gRPC check where the platform has one), then run the tool again.';
const CUSTOM_PROBE_HINT =
  'The tool does not rewrite a probe a chart takes from its values under keys of its own. A chart that prints a custom probe\'s spec as the container\'s probe (bjw-s app-template with custom: true) takes a native one: replace exec with grpc: {port: N} (the port of -addr; service: "…" for -service) by hand once every target cluster runs Kubernetes 1.24 or later, then run the tool again to remove the install.';

/**
 * What a scalar naming the binary under these keys is, or undefined (the caller's own wording).
 * `keys`: the map keys from the document's root to the scalar; `root`: the document's root map.
 */
export function healthCheckUse(keys: readonly string[], root: unknown): HealthCheckUse | undefined {
  const n = keys.length;
  const health = keys.findIndex((k) => k === 'healthCheck' || k === 'healthcheck');
  if (health !== -1 && ['command', 'test', 'cmd'].includes(keys[health + 1] ?? '')) {
    const map = isMap(root) ? (root as YAMLMap) : undefined;
    const field = (k: string) => (map ? scalarText(getPair(map, k)?.value) : undefined);
    if (health === 1 && keys[0] === 'spec' && field('kind') === 'Deploy' && field('type') === 'container') {
      return { where: 'a Garden container Deploy\'s health check runs grpc_health_probe; Garden has no gRPC health check, so the binary stays for it', hint: GARDEN_HINT, code: 'no-native-check' };
    }
    if (health === 1 && keys[0] === 'image' && field('type') !== undefined && field('name') !== undefined) {
      return { where: 'an AWS Copilot service\'s container health check (ECS) runs grpc_health_probe; ECS has no native gRPC check, so the binary stays for it', hint: ECS_HINT, code: 'no-native-check' };
    }
    return { where: `a health check (${keys[health]}.${keys[health + 1]}) runs grpc_health_probe`, hint: HEALTH_HINT, code: 'not-a-probe' };
  }
  // `probes: {liveness: {custom: true, spec: {exec: {command: […]}}}}`: a chart's custom probe.
  const probes = keys.lastIndexOf('probes');
  if (probes !== -1 && n >= probes + 5 && ['liveness', 'readiness', 'startup'].includes(keys[probes + 1]!) && keys[probes + 2] === 'spec' && keys[probes + 3] === 'exec' && keys[probes + 4] === 'command') {
    return { where: `a chart's custom ${keys[probes + 1]} probe in its values runs grpc_health_probe (probes.${keys[probes + 1]}.spec, printed as the container's ${keys[probes + 1]}Probe)`, hint: CUSTOM_PROBE_HINT, code: 'unsupported-file', probe: true };
  }
  return undefined;
}

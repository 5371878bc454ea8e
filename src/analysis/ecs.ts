/**
 * ECS container health checks: a command Docker runs inside the container, with no native gRPC
 * form. Said the same way wherever the task definition is written (JSON or YAML, TypeScript CDK,
 * Terraform's container_definitions). The docker provider's health checks (below) are the same
 * kind of thing without ECS.
 */
export const ECS_HINT =
  'An ECS container health check runs a command inside the container; ECS has no native gRPC check. Keep the binary in the image for it, or check the service with the load balancer instead (an ALB target group can health-check gRPC) and drop the container health check.';

/**
 * Whether `offset` (a mention in Terraform/HCL, a `jsonencode([{ … }])` container definition or a
 * heredoc of JSON) is inside the list given to a container health check's `command`: the list's
 * `[` follows `command =` (or `"command" :`), and the object holding it follows `healthCheck =`
 * (`health_check`, quoted or not). Read by brackets back from the mention; a bracket inside a
 * string before the mention on the way out would mislead it, so an unexpected shape says no.
 */
export function inEcsHealthCheckCommand(text: string, offset: number): boolean {
  const list = openerBefore(text, offset, '[', ']');
  if (list === undefined || !/["']?command["']?\s*[=:]\s*$/i.test(lineBefore(text, list))) return false;
  const object = openerBefore(text, list, '{', '}');
  return object !== undefined && /["']?health_?check["']?\s*[=:]?\s*$/i.test(lineBefore(text, object));
}

/** A Docker health check written in Terraform (the kreuzwerker/docker provider): what it is, and the way out. */
export const DOCKER_HEALTHCHECK_HINT =
  'A Docker health check (the docker provider\'s healthcheck block, on a docker_container or a docker_service\'s container_spec) runs a command inside the container; Docker has no native gRPC check. Keep the binary in the image for it, or drop the health check where only Kubernetes runs the image.';

/**
 * Whether `offset` is inside the `test` list of a `healthcheck { … }` block: the docker provider's
 * container health check (`docker_container`, a `docker_service`'s `container_spec`), which Docker
 * runs, not a Kubernetes probe. Read by brackets back from the mention, as the ECS check is.
 */
export function inDockerHealthCheckTest(text: string, offset: number): boolean {
  const list = openerBefore(text, offset, '[', ']');
  if (list === undefined || !/\btest\s*=\s*$/.test(lineBefore(text, list))) return false;
  const block = openerBefore(text, list, '{', '}');
  return block !== undefined && /^\s*healthcheck\s*$/.test(lineBefore(text, block));
}

/** The unmatched `open` before `offset`, skipping balanced pairs of it; undefined past 4,000 characters. */
export function openerBefore(text: string, offset: number, open: string, close: string): number | undefined {
  let depth = 0;
  for (let i = offset - 1; i >= 0 && offset - i < 4000; i--) {
    const c = text[i];
    if (c === close) depth++;
    else if (c === open) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}

/** The text of the line of `at` before it. */
export function lineBefore(text: string, at: number): string {
  return text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
}

/**
 * GitHub Actions service containers (`jobs.<id>.services.<name>`) and a job's own container
 * (`jobs.<id>.container: {image, options}`): their `options` are `docker create` flags, and
 * `--health-cmd "grpc_health_probe -addr=:50051"` is a Docker health check run inside the image
 * named beside it (`image:`). The manifest walk reads such a mention as a use outside a probe
 * (not-a-probe, "Only probes can be native"); it is what a compose `healthcheck.test` is: a check
 * Docker runs, with no native gRPC form, in that image (no-native-check), and it keeps that image's
 * installs only, as the image ties decide for it (src/docker/images.ts).
 */
import type { Document, ParsedNode } from 'yaml';
import { isMap, isScalar } from '../parse/yaml-lib.js';
import { aliasedRanges, getPair, scalarText } from '../parse/yaml.js';
import { mentionsBinary } from '../analysis/binary.js';
import type { Report } from '../types.js';

export const SERVICE_CHECK_HINT =
  'Docker has no native gRPC health check, and the tool does not rewrite workflows: keep the binary in the image for this check, or change the check by hand (drop --health-cmd and wait for the server from a step, e.g. with the upstream grpc-health-probe image or grpcurl), then run the tool again.';

const SERVICE_OTHER_HINT =
  'The container runs the binary (its options name it outside --health-cmd): the tool does not rewrite workflows, so the install it needs stays. Change the options by hand, then run the tool again.';

interface ContainerOptions {
  start: number;
  end: number;
  /** `service container "server" of job "integration"`, `the container of job "integration"`. */
  who: string;
  /** Where the options are, as the manifest walk names paths. */
  at: string;
  image?: string;
  value: string;
}

/** `--health-cmd "…"`, `--health-cmd='…'`, `--health-cmd word`: the values given to it. */
const HEALTH_CMD = /--health-cmd(?:=|\s+)("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g;

/**
 * The manifest walk's reports on a workflow's container options, said as what they are: a
 * `--health-cmd` that runs the binary is a Docker health check of that container (no-native-check),
 * tied to the image named beside it; another mention in the options runs it in that container
 * (not-a-probe), tied the same way. Reports elsewhere pass as they are.
 */
export function relabelWorkflowContainers(reports: Report[], docs: readonly Document.Parsed<ParsedNode, true>[]): Report[] {
  const options = docs.flatMap(containerOptions);
  if (options.length === 0) return reports;
  return reports.map((r) => {
    const o = options.find((c) => c.start <= r.start && r.start < c.end);
    if (!o || !r.blockers?.includes('not-a-probe') || r.info) return r;
    const checks = [...o.value.matchAll(HEALTH_CMD)].map((m) => m[1]!);
    const rest = o.value.replace(HEALTH_CMD, ' ');
    const inCheck = checks.some(mentionsBinary) && !mentionsBinary(rest);
    const { hint: _h, image: _i, ...base } = r;
    const image = o.image === undefined ? {} : { image: o.image };
    const runs = o.image === undefined ? 'in an image the workflow does not name' : `in the image ${o.image}`;
    return inCheck
      ? {
          ...base,
          ...image,
          blockers: ['no-native-check'],
          keepsBinary: true,
          hint: SERVICE_CHECK_HINT,
          message: `the health check of the ${o.who} (--health-cmd, at ${o.at}) runs grpc_health_probe ${runs}; Docker has no native gRPC check, so the image keeps the binary`,
        }
      : {
          ...base,
          ...image,
          keepsBinary: true,
          hint: SERVICE_OTHER_HINT,
          message: `the options of the ${o.who} name grpc_health_probe (at ${o.at}): it runs ${runs}`,
        };
  });
}

/** The `options` scalars of a workflow document's service containers and job containers. */
function containerOptions(doc: Document.Parsed<ParsedNode, true>): ContainerOptions[] {
  const out: ContainerOptions[] = [];
  const root = doc.contents;
  const jobs = isMap(root) ? getPair(root, 'jobs')?.value : undefined;
  if (!isMap(jobs)) return out;
  // Text an alias repeats (`options: &hc …` then `options: *hc`, a container or job merged with
  // `<<: *svc`) runs in every container that reaches it, not only in the one written beside it:
  // such options are not tied to one image, and keep the walk's report (every install stays).
  const shared = aliasedRanges(doc);
  const add = (container: unknown, who: string, at: string) => {
    if (!isMap(container)) return;
    const opts = getPair(container, 'options')?.value;
    if (!isScalar(opts) || typeof opts.value !== 'string' || !opts.range || !mentionsBinary(opts.value)) return;
    if (shared.some(([s, e]) => s <= opts.range![0] && opts.range![0] < e)) return;
    const image = scalarText(getPair(container, 'image')?.value)?.trim();
    out.push({ start: opts.range[0], end: opts.range[1], who, at: `${at}.options`, value: opts.value, ...(image ? { image } : {}) });
  };
  for (const jobPair of jobs.items) {
    const id = scalarText(jobPair.key);
    const job = jobPair.value;
    // A job of a workflow (GitHub's, Gitea's, Forgejo's: the same syntax, wherever the file is) runs on a runner.
    if (id === undefined || !isMap(job) || !(getPair(job, 'runs-on') || getPair(job, 'steps'))) continue;
    add(getPair(job, 'container')?.value, `container of job "${id}"`, `jobs.${id}.container`);
    const services = getPair(job, 'services')?.value;
    if (!isMap(services)) continue;
    for (const s of services.items) {
      const name = scalarText(s.key);
      if (name !== undefined) add(s.value, `service container "${name}" of job "${id}"`, `jobs.${id}.services.${name}`);
    }
  }
  return out;
}

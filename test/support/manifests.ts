/**
 * fast-check arbitraries for the property tests: Kubernetes manifests with exec probes that run
 * grpc_health_probe, in many shapes (workload kinds, several documents, block or flow style,
 * quoting and block scalars, comments, indentation, CRLF, BOM) and with the native probe each one must become.
 * The text is produced by the `yaml` library's Document API with styles set node by node, so the
 * generated inputs are valid YAML by construction; only the tool's output is under test.
 */
import fc from 'fast-check';
import { Document, isPair, isScalar, isSeq, Scalar, visit } from 'yaml';

export const PROBE_KINDS = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** Where the container list sits in each workload kind. */
export const WORKLOADS: Record<string, { apiVersion: string; containersAt: string[] }> = {
  Pod: { apiVersion: 'v1', containersAt: ['spec'] },
  Deployment: { apiVersion: 'apps/v1', containersAt: ['spec', 'template', 'spec'] },
  StatefulSet: { apiVersion: 'apps/v1', containersAt: ['spec', 'template', 'spec'] },
  DaemonSet: { apiVersion: 'apps/v1', containersAt: ['spec', 'template', 'spec'] },
  ReplicaSet: { apiVersion: 'apps/v1', containersAt: ['spec', 'template', 'spec'] },
  Job: { apiVersion: 'batch/v1', containersAt: ['spec', 'template', 'spec'] },
  CronJob: { apiVersion: 'batch/v1', containersAt: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
};

export interface ProbeCase {
  port: number;
  host: '' | 'localhost' | '127.0.0.1' | '0.0.0.0';
  service?: string;
  binary: string;
  /** -addr=:1 / -addr :1 / --addr=:1 */
  flagStyle: 'eq' | 'space' | 'double';
  connectMs?: number;
  rpcMs?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  execFirst: boolean;
  /** exec: {command: [sh, -c, "exec grpc_health_probe ..."]} */
  shell: boolean;
}

export interface ContainerCase {
  probes: Partial<Record<(typeof PROBE_KINDS)[number], ProbeCase>>;
  port?: number;
}

export interface DocCase {
  kind: keyof typeof WORKLOADS;
  containers: ContainerCase[];
}

export interface Style {
  indent: 2 | 4;
  indentSeq: boolean;
  flowProbe: number;
  flowCommand: number;
  quote: number;
  comments: number;
  crlf: boolean;
  bom: boolean;
  /** Seeds the per-node style choices. */
  salt: number;
}

export interface ManifestCase {
  docs: DocCase[];
  style: Style;
}

/** A probe that the tool must migrate, and what it must become. */
export interface ExpectedProbe {
  /** Document index, then the path inside it. */
  document: number;
  path: (string | number)[];
  port: number;
  service?: string;
  /** undefined: stays absent. */
  timeoutSeconds?: number;
}

const duration = fc.constantFrom(250, 500, 1000, 1500, 2000, 3000, 5000, 10000);

const probeArb: fc.Arbitrary<ProbeCase> = fc.record(
  {
    port: fc.integer({ min: 1, max: 65535 }),
    host: fc.constantFrom('' as const, 'localhost' as const, '127.0.0.1' as const, '0.0.0.0' as const),
    service: fc.constantFrom('grpc.health.v1.Health', 'api.v1.Orders', 'payments', 'a-b_c'),
    binary: fc.constantFrom('/bin/grpc_health_probe', 'grpc_health_probe', '/usr/local/bin/grpc-health-probe', '/ko-app/grpc-health-probe'),
    flagStyle: fc.constantFrom('eq' as const, 'space' as const, 'double' as const),
    connectMs: duration,
    rpcMs: duration,
    timeoutSeconds: fc.integer({ min: 1, max: 12 }),
    periodSeconds: fc.integer({ min: 1, max: 60 }),
    execFirst: fc.boolean(),
    shell: fc.boolean(),
  },
  { requiredKeys: ['port', 'host', 'binary', 'flagStyle', 'execFirst', 'shell'] },
);

const containerArb: fc.Arbitrary<ContainerCase> = fc.record(
  {
    probes: fc.record({ livenessProbe: probeArb, readinessProbe: probeArb, startupProbe: probeArb }, { requiredKeys: [] }),
    port: fc.integer({ min: 1, max: 65535 }),
  },
  { requiredKeys: ['probes'] },
);

export const manifestArb: fc.Arbitrary<ManifestCase> = fc
  .record({
    docs: fc.array(
      fc.record({ kind: fc.constantFrom(...(Object.keys(WORKLOADS) as (keyof typeof WORKLOADS)[])), containers: fc.array(containerArb, { minLength: 1, maxLength: 2 }) }),
      { minLength: 1, maxLength: 2 },
    ),
    style: fc.record({
      indent: fc.constantFrom(2 as const, 4 as const),
      indentSeq: fc.boolean(),
      flowProbe: fc.double({ min: 0, max: 1, noNaN: true }),
      flowCommand: fc.double({ min: 0, max: 1, noNaN: true }),
      quote: fc.double({ min: 0, max: 1, noNaN: true }),
      comments: fc.double({ min: 0, max: 1, noNaN: true }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      salt: fc.integer({ min: 0, max: 2 ** 30 }),
    }),
  })
  .filter((m) => m.docs.some((d) => d.containers.some((c) => Object.keys(c.probes).length > 0)));

function args(p: ProbeCase): string[] {
  const addr = `${p.host}:${p.port}`;
  const flag = (name: string, value: string) => (p.flagStyle === 'space' ? [`-${name}`, value] : [`${p.flagStyle === 'double' ? '--' : '-'}${name}=${value}`]);
  const ms = (v: number) => (v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`);
  return [
    p.binary,
    ...flag('addr', addr),
    ...(p.service !== undefined ? flag('service', p.service) : []),
    ...(p.connectMs !== undefined ? flag('connect-timeout', ms(p.connectMs)) : []),
    ...(p.rpcMs !== undefined ? flag('rpc-timeout', ms(p.rpcMs)) : []),
  ];
}

function probeObject(p: ProbeCase): Record<string, unknown> {
  const argv = args(p);
  const command = p.shell ? ['sh', '-c', `exec ${argv.join(' ')}`] : argv;
  const rest: Record<string, unknown> = {};
  if (p.periodSeconds !== undefined) rest.periodSeconds = p.periodSeconds;
  if (p.timeoutSeconds !== undefined) rest.timeoutSeconds = p.timeoutSeconds;
  return p.execFirst ? { exec: { command }, ...rest } : { ...rest, exec: { command } };
}

/** The timeoutSeconds the tool must leave: raised to the flags' sum (rounded up), never lowered. */
export function expectedTimeout(p: ProbeCase): number | undefined {
  if (p.connectMs === undefined && p.rpcMs === undefined) return p.timeoutSeconds;
  const asked = Math.ceil(((p.connectMs ?? 0) + (p.rpcMs ?? 0)) / 1000);
  return asked > (p.timeoutSeconds ?? 1) ? asked : p.timeoutSeconds;
}

/** A small deterministic generator for per-node style choices, from the case's salt. */
function chooser(salt: number): () => number {
  let s = salt >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export interface Rendered {
  text: string;
  probes: ExpectedProbe[];
  /** Every comment written, in order (each is unique). */
  comments: string[];
}

export function render(m: ManifestCase): Rendered {
  const random = chooser(m.style.salt);
  const probes: ExpectedProbe[] = [];
  const comments: string[] = [];
  const texts = m.docs.map((d, document) => {
    const w = WORKLOADS[d.kind]!;
    const containers = d.containers.map((c, i) => {
      const obj: Record<string, unknown> = { name: `c${i}`, image: `registry.example/app-${i}:1.0` };
      if (c.port !== undefined) obj.ports = [{ containerPort: c.port }];
      for (const kind of PROBE_KINDS) {
        const p = c.probes[kind];
        if (!p) continue;
        obj[kind] = probeObject(p);
        const e: ExpectedProbe = { document, path: [...w.containersAt, 'containers', i, kind], port: p.port };
        if (p.service !== undefined) e.service = p.service;
        const t = expectedTimeout(p);
        if (t !== undefined) e.timeoutSeconds = t;
        probes.push(e);
      }
      return obj;
    });
    let body: Record<string, unknown> = { containers };
    for (const key of [...w.containersAt].reverse()) body = { [key]: body };
    const doc = new Document({ apiVersion: w.apiVersion, kind: d.kind, metadata: { name: `w${document}` }, ...body });
    visit(doc, {
      Pair(_, pair, path) {
        if (!isPair(pair) || !isScalar(pair.key)) return;
        // Comments anywhere but inside the exec value, which the migration removes as a whole.
        const insideExec = path.some((n) => isPair(n) && isScalar(n.key) && n.key.value === 'exec');
        if (!insideExec && random() < m.style.comments * 0.4) {
          const c = `c${comments.length}`;
          comments.push(c);
          pair.key.commentBefore = ` ${c} before ${String(pair.key.value)}`;
        }
        if (!insideExec && isScalar(pair.value) && random() < m.style.comments * 0.3) {
          const c = `c${comments.length}`;
          comments.push(c);
          pair.value.comment = ` ${c} after`;
        }
      },
      Map(_, map, path) {
        const parent = path[path.length - 1];
        const key = isPair(parent) && isScalar(parent.key) ? String(parent.key.value) : '';
        if ((PROBE_KINDS as readonly string[]).includes(key) || key === 'exec') map.flow = random() < m.style.flowProbe;
      },
      Seq(_, seq, path) {
        const parent = path[path.length - 1];
        if (isPair(parent) && isScalar(parent.key) && parent.key.value === 'command') seq.flow = random() < m.style.flowCommand;
      },
      Scalar(key, s, path) {
        if (typeof s.value !== 'string' || random() >= m.style.quote) return;
        const parent = path[path.length - 1];
        // Block scalars (|-, >-) only as items of a block sequence: the command's arguments.
        const blockItem = typeof key === 'number' && isSeq(parent) && !parent.flow;
        const styles: Scalar['type'][] = blockItem ? [Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE, Scalar.BLOCK_LITERAL, Scalar.BLOCK_FOLDED] : [Scalar.QUOTE_DOUBLE, Scalar.QUOTE_SINGLE];
        s.type = styles[Math.floor(random() * styles.length)]!;
      },
    });
    return doc.toString({ indent: m.style.indent, indentSeq: m.style.indentSeq, lineWidth: 0 });
  });
  let text = texts.join('---\n');
  if (m.style.crlf) text = text.replace(/\n/g, '\r\n');
  if (m.style.bom) text = '\ufeff' + text;
  return { text, probes, comments };
}

/** A value at a path in plain data. */
export function getIn(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const k of path) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

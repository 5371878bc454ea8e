/**
 * A synthetic monorepo for the benchmark (issue 7): N files, of which ~1.5 % Kubernetes manifests
 * with two exec probes each, ~0.5 % Dockerfiles that download the binary, ~8 % unrelated YAML and
 * the rest source files of a few KB; plus a `node_modules` (ignored by .gitignore) of N/4 files,
 * some of which mention the binary, so that a walk that does not prune it pays for it.
 *
 * Deterministic (seeded), so that every run and every machine measures the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface TreeSpec {
  files: number;
  /** Files under node_modules (default files / 4: 5,000 for the 20k tree). */
  nodeModules?: number;
  seed?: number;
}

export interface TreeCounts {
  manifests: number;
  dockerfiles: number;
  unrelatedYaml: number;
  sources: number;
  nodeModules: number;
  /** Files outside node_modules, including the root .gitignore. */
  total: number;
}

/** Bump when the generated content changes, so cached trees are regenerated. */
export const GENERATOR_VERSION = 1;

const SERVICE_SIZE = 100;

export function countsFor(spec: TreeSpec): TreeCounts {
  const manifests = Math.round(spec.files * 0.015);
  const dockerfiles = Math.round(spec.files * 0.005);
  const unrelatedYaml = Math.round(spec.files * 0.08);
  // The root .gitignore counts as one of the files.
  const sources = spec.files - manifests - dockerfiles - unrelatedYaml - 1;
  const nodeModules = spec.nodeModules ?? Math.round(spec.files / 4);
  return { manifests, dockerfiles, unrelatedYaml, sources, nodeModules, total: spec.files };
}

/** A small, fast, seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['request', 'handler', 'context', 'server', 'client', 'buffer', 'order', 'cart', 'payment', 'user', 'config', 'metrics', 'retry', 'timeout', 'stream', 'cache', 'token', 'session', 'route', 'queue'];

function manifest(name: string, port: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: server
        image: registry.example.com/${name}:v1.4.2
        ports:
        - containerPort: ${port}
        readinessProbe:
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:${port}"]
          initialDelaySeconds: 5
        livenessProbe:
          exec:
            command: ["/bin/grpc_health_probe", "-addr=:${port}", "-rpc-timeout=5s"]
          initialDelaySeconds: 10
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
`;
}

/** A two-stage Dockerfile whose final stage downloads the binary (wget, the most common install). */
export function dockerfile(name: string): string {
  return `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /${name} ./cmd/${name}

FROM alpine:3.19
RUN GRPC_HEALTH_PROBE_VERSION=v0.4.24 && \\
    wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/\${GRPC_HEALTH_PROBE_VERSION}/grpc_health_probe-linux-amd64 && \\
    chmod +x /bin/grpc_health_probe
COPY --from=build /${name} /${name}
ENTRYPOINT ["/${name}"]
`;
}

function unrelatedYaml(name: string, i: number, rnd: () => number): string {
  if (i % 2 === 0) {
    return `apiVersion: v1
kind: Service
metadata:
  name: ${name}-${i}
spec:
  selector:
    app: ${name}
  ports:
  - name: grpc
    port: ${5000 + (i % 1000)}
    targetPort: ${5000 + (i % 1000)}
`;
  }
  const keys = Array.from({ length: 10 + Math.floor(rnd() * 20) }, (_, k) => `  ${WORDS[k % WORDS.length]}_${k}: "${Math.floor(rnd() * 1e6)}"`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-config-${i}\ndata:\n${keys.join('\n')}\n`;
}

/** A source file of 2–6 KB of plausible code. */
function source(rnd: () => number): string {
  const target = 2048 + Math.floor(rnd() * 4096);
  const lines: string[] = ['// Code generated for the grpc-probe-migrate benchmark.', 'package service', ''];
  let size = 0;
  let n = 0;
  while (size < target) {
    const a = WORDS[Math.floor(rnd() * WORDS.length)]!;
    const b = WORDS[Math.floor(rnd() * WORDS.length)]!;
    const line = n % 6 === 0 ? `func ${a}${n}(${b} *${a}Type) error {` : n % 6 === 5 ? '}' : `\t${a} := ${b}.Get${a}(${Math.floor(rnd() * 1000)}) // ${b} ${a}`;
    lines.push(line);
    size += line.length + 1;
    n++;
  }
  return lines.join('\n') + '\n';
}

function nodeModuleFile(i: number, rnd: () => number): string {
  // Some packages in node_modules do mention the binary: a walk that descends into it would parse them.
  if (i % 50 === 0) return `// a vendored helper\nmodule.exports = { probe: '/bin/grpc_health_probe -addr=:${5000 + i}' };\n`;
  return source(rnd).replace('package service', "'use strict';");
}

/**
 * Writes the tree into `dir` (which must not exist or be empty) and returns its counts.
 * Layout: services/svc-NNNN/{k8s,src/<pkg>,Dockerfile}, ~100 files per service.
 */
export function generate(dir: string, spec: TreeSpec): TreeCounts {
  const counts = countsFor(spec);
  const rnd = prng(spec.seed ?? 7);
  fs.mkdirSync(dir, { recursive: true });
  // ripgrep honours .gitignore only inside a git repository; an empty .git marks one.
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');

  const services = Math.max(1, Math.ceil((counts.total - 1) / SERVICE_SIZE));
  const made = new Set<string>();
  const write = (rel: string, text: string) => {
    const abs = path.join(dir, rel);
    const parent = path.dirname(abs);
    if (!made.has(parent)) {
      fs.mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    fs.writeFileSync(abs, text);
  };
  const svc = (i: number) => `svc-${String(i % services).padStart(4, '0')}`;

  for (let i = 0; i < counts.manifests; i++) write(`services/${svc(i)}/k8s/deployment-${i}.yaml`, manifest(`${svc(i)}-${i}`, 5000 + (i % 1000)));
  for (let i = 0; i < counts.dockerfiles; i++) write(`services/${svc(i * 3)}/docker/${i}/Dockerfile`, dockerfile(`${svc(i * 3)}-${i}`));
  for (let i = 0; i < counts.unrelatedYaml; i++) write(`services/${svc(i)}/k8s/config-${i}.yaml`, unrelatedYaml(svc(i), i, rnd));
  for (let i = 0; i < counts.sources; i++) {
    const pkg = WORDS[i % WORDS.length];
    const ext = i % 3 === 0 ? 'ts' : 'go';
    write(`services/${svc(i)}/src/${pkg}/${pkg}-${i}.${ext}`, source(rnd));
  }
  for (let i = 0; i < counts.nodeModules; i++) write(`node_modules/pkg-${i % 200}/lib/file-${i}.js`, nodeModuleFile(i, rnd));
  return counts;
}

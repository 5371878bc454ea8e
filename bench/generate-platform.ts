/**
 * A second benchmark tree (issue 7, "time grows linearly with the tree"): a platform monorepo in
 * which files refer to each other, as real ones do. The first tree (generate.ts) holds manifests
 * and Dockerfiles that stand alone, so it never exercises the readers that look across files:
 * a chart's values probe and the templates, values files, umbrella charts and GitOps releases
 * that may hold it; a Kustomize base and the overlays that patch it; a Dockerfile's install and
 * the manifests and compose files that run its image. A reader that asks, for each chart, about
 * every other chart is quadratic there and nowhere else (400 charts took 40 s, round seven).
 *
 * Per service (SERVICE_FILES files, CANDIDATES_PER_SERVICE of them naming the binary):
 *   charts/svc-N/{Chart.yaml, values.yaml (a probe), values-prod.yaml, templates/deployment.yaml, templates/service.yaml}
 *   gitops/flux/svc-N.yaml (a HelmRelease with values), gitops/argocd/svc-N.yaml (an Application with valueFiles)
 *   services/svc-N/k8s/base/{kustomization.yaml, deployment.yaml (two probes)}
 *   services/svc-N/k8s/overlays/prod/{kustomization.yaml, probes.yaml (a patch of one probe)}
 *   services/svc-N/{Dockerfile (downloads the binary), docker-compose.yaml, main.go}
 *
 * The `readers` variant (`--platform-variant readers`) adds, per service, the items whose readers
 * ask which files sit in or under a folder (src/run-files.ts's folder index) READER_FILES files:
 *   services/svc-N/k8s/inflate/kustomization.yaml (helmCharts: the chart, from chartHome ../../../../charts)
 *   infra/svc-N/{Pulumi.yaml, Pulumi.dev.yaml, Pulumi.prod.yaml, index.ts (a probe on a config port)}
 *   releases/svc-N/{helmfile.yaml (values: envs/{{ .Environment.Name }}/values.yaml), envs/prod/values.yaml}
 */
import fs from 'node:fs';
import path from 'node:path';
import { dockerfile } from './generate.js';

export const PLATFORM_GENERATOR_VERSION = 2;
export const SERVICE_FILES = 14;
export const CANDIDATES_PER_SERVICE = 4;
export const READER_FILES = 7;
export const READER_CANDIDATES = 1;

export type PlatformVariant = 'plain' | 'readers';

export interface PlatformCounts {
  services: number;
  files: number;
  candidates: number;
}

export function platformCounts(services: number, variant: PlatformVariant = 'plain'): PlatformCounts {
  const readers = variant === 'readers';
  return {
    services,
    files: services * (SERVICE_FILES + (readers ? READER_FILES : 0)),
    candidates: services * (CANDIDATES_PER_SERVICE + (readers ? READER_CANDIDATES : 0)),
  };
}

/** Writes the tree into `dir` (which must not exist or be empty) and returns its counts. */
export function generatePlatform(dir: string, services: number, variant: PlatformVariant = 'plain'): PlatformCounts {
  fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
  const write = (rel: string, text: string) => {
    const abs = path.join(dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
  };
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    const port = 5000 + (i % 1000);
    const chart = `charts/${name}`;
    write(`${chart}/Chart.yaml`, `apiVersion: v2\nname: ${name}\nversion: 0.1.0\nkubeVersion: ">=1.25.0-0"\n`);
    write(
      `${chart}/values.yaml`,
      `replicaCount: 1\nhostNetwork: false\nimage:\n  repository: registry.example.com/${name}\n  tag: v1.4.2\nlivenessProbe:\n  exec:\n    command: ["/bin/grpc_health_probe", "-addr=:${port}"]\n  periodSeconds: 10\n`,
    );
    write(`${chart}/values-prod.yaml`, 'replicaCount: 3\n');
    write(
      `${chart}/templates/deployment.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      hostNetwork: {{ .Values.hostNetwork }}
      containers:
        - name: server
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          {{- with .Values.livenessProbe }}
          livenessProbe:
            {{- toYaml . | nindent 12 }}
          {{- end }}
`,
    );
    write(`${chart}/templates/service.yaml`, `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  ports:\n    - port: ${port}\n`);
    write(
      `gitops/flux/${name}.yaml`,
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\nspec:\n  chart:\n    spec:\n      chart: ./charts/${name}\n      sourceRef:\n        kind: GitRepository\n        name: platform\n  values:\n    replicaCount: 2\n    livenessProbe:\n      periodSeconds: 20\n`,
    );
    write(
      `gitops/argocd/${name}.yaml`,
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\nspec:\n  source:\n    repoURL: https://git.example.com/platform.git\n    path: charts/${name}\n    helm:\n      valueFiles: [values.yaml, values-prod.yaml]\n`,
    );
    const k8s = `services/${name}/k8s`;
    write(`${k8s}/base/kustomization.yaml`, 'resources:\n  - deployment.yaml\n');
    write(
      `${k8s}/base/deployment.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}-worker
spec:
  selector:
    matchLabels: {app: ${name}-worker}
  template:
    metadata:
      labels: {app: ${name}-worker}
    spec:
      containers:
        - name: worker
          image: registry.example.com/${name}:v1.4.2
          readinessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr=:${port}"]
          livenessProbe:
            exec:
              command: ["/bin/grpc_health_probe", "-addr=:${port}", "-rpc-timeout=3s"]
`,
    );
    write(`${k8s}/overlays/prod/kustomization.yaml`, 'resources:\n  - ../../base\npatches:\n  - path: probes.yaml\n');
    write(
      `${k8s}/overlays/prod/probes.yaml`,
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}-worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          livenessProbe:\n            exec:\n              command: ["/bin/grpc_health_probe", "-addr=:${port}", "-rpc-timeout=5s"]\n            periodSeconds: 30\n`,
    );
    write(`services/${name}/Dockerfile`, dockerfile(name));
    write(`services/${name}/docker-compose.yaml`, `services:\n  ${name}:\n    build: .\n    image: registry.example.com/${name}:v1.4.2\n`);
    write(`services/${name}/main.go`, `package main\n\nfunc main() {}\n`);
    if (variant !== 'readers') continue;
    write(`${k8s}/inflate/kustomization.yaml`, `helmGlobals:\n  chartHome: ../../../../charts\nhelmCharts:\n  - name: ${name}\n    releaseName: ${name}\n    valuesInline:\n      replicaCount: 2\n`);
    write(`infra/${name}/Pulumi.yaml`, `name: ${name}\nruntime: nodejs\n`);
    write(`infra/${name}/Pulumi.dev.yaml`, `config:\n  ${name}:grpcPort: ${port}\n`);
    write(`infra/${name}/Pulumi.prod.yaml`, `config:\n  ${name}:grpcPort: "${port}"\n`);
    write(
      `infra/${name}/index.ts`,
      `import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const grpcPort = config.requireNumber("grpcPort");

export const deployment = new k8s.apps.v1.Deployment("${name}", {
  spec: {
    selector: { matchLabels: { app: "${name}" } },
    template: {
      metadata: { labels: { app: "${name}" } },
      spec: {
        containers: [{
          name: "${name}",
          image: "registry.example.com/${name}:v1.4.2",
          readinessProbe: { exec: { command: ["/bin/grpc_health_probe", \`-addr=:\${grpcPort}\`] } },
        }],
      },
    },
  },
});
`,
    );
    write(`releases/${name}/helmfile.yaml`, `releases:\n  - name: ${name}\n    chart: ../../charts/${name}\n    values:\n      - envs/{{ .Environment.Name }}/values.yaml\n`);
    write(`releases/${name}/envs/prod/values.yaml`, 'replicaCount: 3\n');
  }
  return platformCounts(services, variant);
}

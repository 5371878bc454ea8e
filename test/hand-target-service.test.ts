/**
 * Hints that ask to write `grpc: {port: N, service: X}` by hand quote X when plain YAML would read
 * it as another type: `service: yes` is a boolean, `service: 123` a number, and the API server
 * rejects either for a string field. The fixture harness does not compare hints.
 */
import { expect, test } from '@jest/globals';
import { run } from '../src/engine.js';
import { podWith, repoWith } from './support/repo.js';

const CHART = 'apiVersion: v2\nname: api\nversion: 0.1.0\n';

function chartWith(service: string): Record<string, string> {
  return {
    'chart/Chart.yaml': CHART,
    'chart/values.yaml': 'port: 5000\n',
    // A command list included as a probe's exec command, and an exec handler included as a probe.
    'chart/templates/_helpers.tpl': `{{- define "api.probeCommand" -}}
- /bin/grpc_health_probe
- -addr=:5000
- -service=${service}
{{- end }}

{{- define "api.probe" -}}
exec:
  command:
  - /bin/grpc_health_probe
  - -addr=:5000
  - -service=${service}
{{- end }}
`,
    'chart/templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
        - name: api
          image: example/api:1.0
          livenessProbe:
            exec:
              command:
                {{- include "api.probeCommand" . | nindent 16 }}
          readinessProbe:
            {{- include "api.probe" . | nindent 12 }}
`,
  };
}

async function helmHints(service: string): Promise<string[]> {
  const result = await run({ cwd: repoWith(chartWith(service)), paths: ['.'] });
  return result.findings.filter((f) => f.file.endsWith('_helpers.tpl')).map((f) => f.hint ?? '');
}

test.each([
  ['yes', '"yes"'],
  ['on', '"on"'],
  ['123', '"123"'],
  ['1e3', '"1e3"'],
  ['null', '"null"'],
  ['grpc.health.v1.Health', 'grpc.health.v1.Health'],
  // An action is written as it is: escaping the quotes inside it would break the template.
  ['{{ include "api.svc" . }}', '{{ include "api.svc" . }}'],
])('a Helm define with -service=%s: the hand hint writes service: %s', async (service, written) => {
  const hints = await helmHints(service);
  expect(hints).toHaveLength(2);
  for (const hint of hints) expect(hint).toContain(`grpc: {port: 5000, service: ${written}}`);
});

test.each([
  ['yes', '"yes"'],
  ['123', '"123"'],
  ['api', 'api'],
])('a manifest in a here-document with -service=%s: the hand hint writes service: %s', async (service, written) => {
  const dir = repoWith({ 'scripts/deploy.sh': `#!/bin/sh\nkubectl apply -f - <<'EOF'\n${podWith(`"-addr=:5000", "-service=${service}"`)}EOF\n` });
  const result = await run({ cwd: dir, paths: ['.'] });
  const script = result.findings.filter((f) => f.ruleId === 'shell-script-binary-use');
  expect(script).toHaveLength(1);
  expect(script[0]!.hint).toBe(`Migrate the probe in the here-document by hand: replace its exec: with grpc: {port: 5000, service: ${written}}, then run the tool again; or move the manifest into a YAML file that the script applies (kubectl apply -f FILE), which the tool then migrates.`);
});

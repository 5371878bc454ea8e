/**
 * Nothing silently missed: every scanned file whose text uses the binary gets at least one
 * finding. A mention in a comment (YAML `#`, a Dockerfile `#` line, a Helm template comment) is
 * not a use: a commented-out probe is text, not configuration, so it is neither reported nor
 * keeps the binary. Checked over every fixture tree and a repository mixing every file kind.
 */
import { describe, expect, test } from '@jest/globals';
import { hashLineCommentRanges, inRanges, mentionOffsets, yamlCommentRanges } from '../src/analysis/mentions.js';
import { run } from '../src/engine.js';
import { maskTemplate } from '../src/helm/mask.js';
import type { SourceFile } from '../src/types.js';
import { listCases, materialize, runOptions } from './harness.js';
import { repoWith } from './support/repo.js';

function uses(file: SourceFile): number[] {
  let comments: [number, number][] = [];
  if (file.kind === 'helm-template') {
    const m = maskTemplate(file.text);
    const alone = m.actions.filter((a) => a.alone && a.kind !== 'comment').map((a) => [a.start, a.end] as [number, number]);
    comments = [
      ...yamlCommentRanges(m.masked).filter(([s]) => !inRanges(s, alone)),
      ...m.actions.filter((a) => a.kind === 'comment').map((a) => [a.start, a.end] as [number, number]),
    ];
  } else if (file.kind === 'yaml' || file.kind === 'helm-values' || file.kind === 'compose') {
    comments = yamlCommentRanges(file.text);
  } else if (file.kind === 'dockerfile') {
    comments = hashLineCommentRanges(file.text);
  }
  return mentionOffsets(file.text).filter((o) => !inRanges(o, comments));
}

async function expectNothingMissed(dir: string, options: Parameters<typeof run>[0] = {}): Promise<void> {
  const result = await run({ paths: ['.'], ...options, cwd: dir, fix: false });
  const withFindings = new Set(result.findings.map((f) => f.file));
  for (const { file } of result.files) {
    if (uses(file).length === 0) continue;
    expect({ file: file.displayPath, kind: file.kind, reported: withFindings.has(file.displayPath) }).toEqual({ file: file.displayPath, kind: file.kind, reported: true });
  }
}

describe('every file that uses the binary gets a finding', () => {
  test.each(listCases().map((c) => [`${c.rule}/${c.name}`, c] as const))('fixture %s', async (_n, c) => {
    const dir = materialize(c);
    await expectNothingMissed(dir, runOptions(c, dir, false));
  });

  test('a repository mixing every kind of file', async () => {
    const files: Record<string, string> = {
      'k8s/pod.yaml': 'kind: Pod\nspec:\n  containers:\n  - name: c\n    readinessProbe:\n      exec:\n        command: ["grpc_health_probe", "-addr=:1"]\n',
      'k8s/only-comment.yaml': '# readinessProbe: exec grpc_health_probe -addr=:1\nkind: Pod\n',
      'k8s/key.yaml': 'grpc-health-probe: v0.4.24\n',
      'k8s/pod.json': '{"kind": "Pod", "metadata": {"annotations": {"note": "grpc_health_probe"}}}\n',
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'chart/values.yaml': 'cmd: grpc_health_probe\n',
      'chart/templates/a.yaml': 'kind: Pod\nmetadata:\n  name: {{ .Values.name }}\n{{- if contains "grpc_health_probe" .Values.cmd }}\n{{- end }}\n',
      'chart/templates/_helpers.tpl': '{{/* grpc_health_probe: a comment */}}\n',
      'services/api/Dockerfile': 'FROM alpine\nHEALTHCHECK CMD grpc_health_probe -addr=:1\n',
      'services/web/Dockerfile': 'FROM alpine\n# grpc_health_probe is no longer installed here\n',
      'src/probe.ts': 'export const probe = ["grpc_health_probe", "-addr=:1"];\n',
      'scripts/wait.sh': 'until grpc_health_probe -addr=:1; do sleep 1; done\n',
      'deploy/app.jsonnet': "{ command: ['grpc_health_probe'] }\n",
      'notes.txt': 'grpc_health_probe\n',
    };
    const dir = repoWith(files);
    await expectNothingMissed(dir);
    // Comments are not uses: those files get no finding at all.
    const result = await run({ paths: ['.'], cwd: dir });
    const reported = new Set(result.findings.map((f) => f.file));
    expect(reported.has('k8s/only-comment.yaml')).toBe(false);
    expect(reported.has('chart/templates/_helpers.tpl')).toBe(false);
    expect(reported.has('services/web/Dockerfile')).toBe(false);
    expect(reported.size).toBe(Object.keys(files).length - 4);
  });
});

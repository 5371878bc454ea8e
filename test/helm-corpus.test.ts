/**
 * The real chart in the vendored corpus (fixtures/corpus/microservices-demo/before/helm-chart): after --fix no template
 * may still call the binary, and the templates must equal the project's own hand migration in
 * after/helm-chart, except where the tool deliberately differs:
 * - cartservice keeps -rpc-timeout=5s as `timeoutSeconds: 5` (the hand migration dropped it);
 * - the image toggle (`{{ if .Values.nativeGrpcHealthCheck }} image: …-native-grpc-probes`) stays:
 *   it chooses an image, not a probe, and the hand migration's pick of the plain image was a
 *   release decision the tool cannot make. Its value in values.yaml stays for the same reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { diffLines } from 'diff';
import { run } from '../src/engine.js';
import { CORPUS } from './support/corpus.js';
import { copyOf } from './support/repo.js';



describe('microservices-demo helm-chart', () => {
  const before = path.join(CORPUS, 'before', 'helm-chart');
  const after = path.join(CORPUS, 'after', 'helm-chart');

  test('--fix migrates all 18 toggled probes, and no template calls the binary any more', async () => {
    const dir = copyOf(before);
    const result = await run({ paths: ['.'], cwd: dir, fix: true });
    expect(result.findings.filter((f) => f.status !== 'migrated')).toEqual([]);
    expect(result.summary.probes.migrated).toBe(18);
    expect(new Set(result.findings.map((f) => f.ruleId))).toEqual(new Set(['helm-exec-probe']));
    for (const name of fs.readdirSync(path.join(dir, 'templates'))) {
      expect({ name, calls: fs.readFileSync(path.join(dir, 'templates', name), 'utf8').includes('grpc_health_probe') }).toEqual({ name, calls: false });
    }

    for (const name of fs.readdirSync(path.join(before, 'templates'))) {
      const ours = fs.readFileSync(path.join(dir, 'templates', name), 'utf8');
      const theirs = fs.readFileSync(path.join(after, 'templates', name), 'utf8');
      const onlyOurs: string[] = [];
      const onlyTheirs: string[] = [];
      for (const part of diffLines(theirs, ours)) {
        const lines = part.value.split('\n').filter((l) => l !== '').map((l) => l.trim());
        if (part.added) onlyOurs.push(...lines);
        if (part.removed) onlyTheirs.push(...lines);
      }
      expect({ name, onlyTheirs }).toEqual({ name, onlyTheirs: [] });
      const imageToggle = [
        '{{- if .Values.nativeGrpcHealthCheck }}',
        expect.stringMatching(/^image: .*-native-grpc-probes$/),
        '{{- else }}',
        '{{- end }}',
      ];
      const timeouts = name === 'cartservice.yaml' ? ['timeoutSeconds: 5', 'timeoutSeconds: 5'] : [];
      expect({ name, onlyOurs: onlyOurs.filter((l) => !l.startsWith('timeoutSeconds')) }).toEqual({ name, onlyOurs: imageToggle });
      expect({ name, timeouts: onlyOurs.filter((l) => l.startsWith('timeoutSeconds')) }).toEqual({ name, timeouts });
    }
  });
});

/** Recognising the binary in a command word: exec-form items read `\` as a Windows separator, shell words do not. */
import { expect, test } from '@jest/globals';
import { isBinaryPath, isScriptNamedAfterBinary } from '../src/analysis/binary.js';
import { planNativeProbe } from '../src/analysis/native-probe.js';

test.each([
  ['C:\\grpc_health_probe.exe', true],
  ['C:\\probe\\grpc_health_probe.exe', true],
  ['C:/probe/grpc_health_probe.exe', true],
  ['\\\\server\\share\\grpc-health-probe.exe', true],
  ['C:\\probe\\other.exe', false],
  ['--health-binary=C:\\grpc_health_probe.exe', false],
])('exec item %s runs the binary: %s', (word, runs) => {
  expect(isBinaryPath(word, 'exec')).toBe(runs);
});

test('a backslash left in a shell word is part of the file name, not a separator', () => {
  expect(isBinaryPath('C:\\grpc_health_probe.exe')).toBe(false);
  expect(isBinaryPath('C:\\grpc_health_probe.exe', 'shell')).toBe(false);
  expect(isBinaryPath('/bin/grpc_health_probe', 'shell')).toBe(true);
});

test('a Windows script named after the binary is a script in exec form', () => {
  expect(isScriptNamedAfterBinary('C:\\probe\\grpc_health_probe.ps1', 'exec')).toBe(true);
  expect(isScriptNamedAfterBinary('C:\\probe\\grpc_health_probe.exe', 'exec')).toBe(false);
});

test('an exec probe with a drive-letter backslash path plans a native probe', () => {
  const plan = planNativeProbe({ argv: ['C:\\grpc_health_probe.exe', '-addr=:5000'], kubeVersion: '1.30' });
  expect(plan.blockers).toEqual([]);
  expect(plan.grpc).toEqual({ port: { kind: 'number', value: 5000 } });
});

test('a templated program word of 450 KB of `{{` never closed is read in linear time: the `{{` are literal, the word holds spaces (not a speed target: a guard against quadratic backtracking, 12 s before; called directly, as a Helm template cannot hold an unclosed `{{` the engine would read)', () => {
  const word = `/bin/grpc_health_probe ${'{{ '.repeat(150_000)}`;
  const started = Date.now();
  const plan = planNativeProbe({ argv: [word, '-addr=:5000'], kubeVersion: '1.30', templateActions: true });
  expect(Date.now() - started).toBeLessThan(5000);
  expect(plan.blockers).toHaveLength(1);
  expect(plan.blockers[0]!.detail).toContain('holds spaces');
  expect(plan.blockers[0]!.detail).toContain('(["/bin/grpc_health_probe", ...])');
  // Control: a closed action is one word, whatever the spaces inside it.
  const templated = planNativeProbe({ argv: ['{{ .Values.bin | default "/bin/grpc_health_probe" }}', '-addr=:5000'], kubeVersion: '1.30', templateActions: true });
  expect(templated.blockers[0]!.detail).toContain('is templated: it renders as one word');
});

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

/**
 * The rule registry. One module per rule in this folder; test/rules-registry.test.ts checks that
 * every module here is listed, so none can be forgotten.
 */
import type { Rule } from '../src/types.js';
import helmExecProbe from './helm-exec-probe.js';
import kubernetesExecProbe from './kubernetes-exec-probe.js';
import kubernetesJsonProbe from './kubernetes-json-probe.js';
import kustomizePatchProbe from './kustomize-patch-probe.js';
import unsupportedFile from './unsupported-file.js';

export const RULES: readonly Rule[] = [kubernetesExecProbe, kubernetesJsonProbe, helmExecProbe, kustomizePatchProbe, unsupportedFile];

/**
 * The rule registry. One module per rule in this folder; test/rules-registry.test.ts checks that
 * every module here is listed, so none can be forgotten.
 */
import type { Rule } from '../src/types.js';
import kubernetesExecProbe from './kubernetes-exec-probe.js';
import typescriptExecProbe from './typescript-exec-probe.js';

export const RULES: readonly Rule[] = [kubernetesExecProbe, typescriptExecProbe];

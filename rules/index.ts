/**
 * The rule registry. One module per rule in this folder; test/rules-registry.test.ts checks that
 * every module here is listed, so none can be forgotten.
 */
import type { Rule } from '../src/types.js';
import composeHealthcheck from './compose-healthcheck.js';
import dockerfileBinaryInstall from './dockerfile-binary-install.js';
import dockerfileHealthcheck from './dockerfile-healthcheck.js';
import kubernetesExecProbe from './kubernetes-exec-probe.js';
import typescriptExecProbe from './typescript-exec-probe.js';
import shellScriptBinaryUse from './shell-script-binary-use.js';

export const RULES: readonly Rule[] = [
  kubernetesExecProbe,
  typescriptExecProbe,
  dockerfileHealthcheck,
  composeHealthcheck,
  shellScriptBinaryUse,
  dockerfileBinaryInstall,
];

/**
 * The rule registry. One module per rule in this folder; test/rules-registry.test.ts checks that
 * every module here is listed, so none can be forgotten.
 */
import type { Rule } from '../src/types.js';
import composeHealthcheck from './compose-healthcheck.js';
import dockerfileBinaryInstall from './dockerfile-binary-install.js';
import dockerfileHealthcheck from './dockerfile-healthcheck.js';
import helmExecProbe from './helm-exec-probe.js';
import kubernetesExecProbe from './kubernetes-exec-probe.js';
import kubernetesJsonProbe from './kubernetes-json-probe.js';
import kustomizePatchProbe from './kustomize-patch-probe.js';
import shellScriptBinaryUse from './shell-script-binary-use.js';
import typescriptExecProbe from './typescript-exec-probe.js';
import unsupportedFile from './unsupported-file.js';

/**
 * Order matters only for `end` handlers: unsupported-file's safety net runs after the others, and
 * dockerfile-binary-install (decidesOnConsumers) after everything.
 */
export const RULES: readonly Rule[] = [
  kubernetesExecProbe,
  kubernetesJsonProbe,
  helmExecProbe,
  kustomizePatchProbe,
  typescriptExecProbe,
  dockerfileHealthcheck,
  composeHealthcheck,
  shellScriptBinaryUse,
  unsupportedFile,
  dockerfileBinaryInstall,
];

/**
 * The rule registry. One module per rule in this folder; test/rules-registry.test.ts checks that
 * every module here is listed, so none can be forgotten.
 */
import type { Rule } from '../src/types.js';
import composeHealthcheck from './compose-healthcheck.js';
import dockerfileBinaryInstall from './dockerfile-binary-install.js';
import dockerfileHealthcheck from './dockerfile-healthcheck.js';
import generatedFile from './generated-file.js';
import helmExecProbe from './helm-exec-probe.js';
import kubernetesExecProbe from './kubernetes-exec-probe.js';
import kubernetesJsonProbe from './kubernetes-json-probe.js';
import kustomizePatchProbe from './kustomize-patch-probe.js';
import olmCatalogImage from './olm-catalog-image.js';
import shellScriptBinaryUse from './shell-script-binary-use.js';
import typescriptExecProbe from './typescript-exec-probe.js';
import unsupportedFile from './unsupported-file.js';

/**
 * Order matters only for `end` handlers: dockerfile-binary-install (decidesOnConsumers) runs after
 * the collectors, and the audits after everything, in this order: unsupported-file's safety net,
 * then generated-file, which looks at every edit the run makes.
 */
export const RULES: readonly Rule[] = [
  kubernetesExecProbe,
  kubernetesJsonProbe,
  helmExecProbe,
  kustomizePatchProbe,
  typescriptExecProbe,
  dockerfileHealthcheck,
  olmCatalogImage,
  composeHealthcheck,
  shellScriptBinaryUse,
  unsupportedFile,
  dockerfileBinaryInstall,
  generatedFile,
];

/** Re-parses a rewritten file before it is written: a kind with a parser gets checked here. */
import type { FileKind } from './types.js';
import { templateYamlError } from './helm/template.js';
import { yamlError } from './parse/yaml.js';

export type Verifier = (text: string) => string | undefined;

export const VERIFIERS: Partial<Record<FileKind, Verifier>> = {
  yaml: (t) => yamlError(t),
  'helm-values': (t) => yamlError(t),
  compose: (t) => yamlError(t),
  kustomization: (t) => yamlError(t),
  // Helm: the same masking the rule parsed with; if/else branches repeat keys.
  'helm-template': (t) => templateYamlError(t),
  json: (t) => {
    try {
      JSON.parse(t);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
};

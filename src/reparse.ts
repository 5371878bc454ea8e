/** Re-parses a rewritten file before it is written: a kind with a parser gets checked here. */
import type { FileKind } from './types.js';
import { yamlError } from './parse/yaml.js';

/** Why the text does not parse, or undefined. May be async (to import a heavy parser lazily). */
export type Verifier = (text: string) => string | undefined | Promise<string | undefined>;

export const VERIFIERS: Partial<Record<FileKind, Verifier>> = {
  yaml: (t) => yamlError(t),
  'helm-values': (t) => yamlError(t),
  compose: (t) => yamlError(t),
  json: (t) => {
    try {
      JSON.parse(t);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  },
};

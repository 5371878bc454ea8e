/**
 * Output formats, loaded only when chosen. A new format is a new row here and a module in
 * src/report/.
 */
import type { RunResult } from '../types.js';

export interface FormatContext {
  color: boolean;
  quiet: boolean;
  cwd: string;
}

export type Formatter = (result: RunResult, ctx: FormatContext) => string;

export const FORMATS: Record<string, () => Promise<Formatter>> = {
  text: async () => {
    const { formatText } = await import('./text.js');
    return (r, c) => formatText(r, { color: c.color, quiet: c.quiet });
  },
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => {
    const [{ formatSarif }, { RULES }, { packageVersion, packageHome }] = await Promise.all([import('./sarif.js'), import('../../rules/index.js'), import('../cli.js')]);
    return (r, c) => formatSarif(r, { cwd: c.cwd, rules: RULES, version: packageVersion(), informationUri: packageHome() });
  },
  markdown: async () => {
    const { formatMarkdown } = await import('./markdown.js');
    return (r) => formatMarkdown(r);
  },
};

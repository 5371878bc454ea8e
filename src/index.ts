/** The library API: what the CLI, the bot and the tests call. */
export { run } from './engine.js';
export { DEFAULT_KUBE_VERSION } from './analysis/kube-version.js';
export { main, exitCode } from './cli.js';
export { planNativeProbe } from './analysis/native-probe.js';
export { BLOCKERS } from './blockers.js';
export { formatJson, JSON_REPORT_VERSION } from './report/json.js';
export { formatText } from './report/text.js';
export { formatSarif } from './report/sarif.js';
export { formatMarkdown } from './report/markdown.js';
export type * from './types.js';

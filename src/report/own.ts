/**
 * This tool's own reports (`--format json` or `sarif` written into the repository with
 * `--output`, or the text report saved from a CI step, `> migrate.log`) name the binary in every
 * message; read as input, they would look like uses and keep the installs forever. JSON and SARIF
 * are recognised by their opening, then confirmed by parsing; the text report by its last line,
 * the summary (summaryLine in text.ts), colours or not.
 */
const TOOL = 'grpc-probe-migrate';

const SUMMARY = /^\d+ files? scanned, probes: \d+ migratable, \d+ migrated, \d+ blocked(, binary installs: \d+ removable, \d+ removed, \d+ kept)?, \d+ blocked in all(, \d+ info)?, \d+ errors?$/;

export function isOwnReport(text: string): boolean {
  return ownReportKind(text) !== undefined;
}

/**
 * Which of this tool's reports the text is, if any. Not how it was saved: any of them may come
 * from `--output` or from a shell redirection (`> migrate.log`), so a note names only the kind.
 */
export function ownReportKind(text: string): 'text' | 'JSON' | 'SARIF' | undefined {
  const tail = text.slice(-400).trimEnd();
  // eslint-disable-next-line no-control-regex
  if (SUMMARY.test(tail.slice(tail.lastIndexOf('\n') + 1).replace(/\x1b\[[0-9;]*m/g, '').replace(/\r$/, ''))) return 'text';
  const head = text.slice(0, 2000);
  if (!/^\uFEFF?\s*\{/.test(head)) return undefined;
  const json = /^\uFEFF?\s*\{\s*"version":\s*1,\s*("tool":\s*"grpc-probe-migrate",\s*)?"findings":\s*\[/.test(head);
  // Pretty-printed or minified (a CI step may re-serialise it).
  const sarif = /"\$schema"\s*:\s*"https:\/\/json\.schemastore\.org\/sarif-/.test(head) && new RegExp(`"name"\\s*:\\s*"${TOOL}"`).test(head);
  if (!json && !sarif) return undefined;
  try {
    const doc = JSON.parse(text.replace(/^\uFEFF/, '')) as { findings?: unknown; summary?: unknown; runs?: { tool?: { driver?: { name?: unknown } } }[] };
    if (json) return Array.isArray(doc.findings) && typeof doc.summary === 'object' ? 'JSON' : undefined;
    return doc.runs?.[0]?.tool?.driver?.name === TOOL ? 'SARIF' : undefined;
  } catch {
    return undefined;
  }
}

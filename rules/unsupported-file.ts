import { mentionOffsets, usesOutsideComments } from '../src/analysis/mentions.js';
import type { Report, Rule, SourceFile } from '../src/types.js';
import { lineStartOf } from '../src/text/lines.js';
import { DOCUMENTATION } from '../src/classify.js';

/**
 * Nothing silently missed. Files of a kind the tool cannot rewrite (Jsonnet, CUE, Terraform, Go,
 * Python, …) get one blocked finding per line that names the binary; and once every rule has
 * run, any candidate file that still has no finding gets one per line outside comments, so a
 * use no rule understood is never dropped without a word.
 */
const rule: Rule = {
  meta: {
    id: 'unsupported-file',
    description: 'Files that mention grpc_health_probe but that no rule can rewrite are reported, line by line',
    fixable: false,
    fileKinds: ['other'],
    // Its end runs after every other rule's, install decisions included (those treat mentions no
    // rule explained as consumers themselves, so they stay on the safe side).
    audits: true,
    docs: 'Reports each line naming grpc_health_probe in files of kinds the tool cannot rewrite (blocked, unsupported-file), and — after every rule ran — each such line in any scanned file no rule reported on (blocked, unparseable). Mentions in YAML comments are not uses and are not reported.',
  },
  create() {
    return {
      file(ctx) {
        for (const r of perLine(ctx.file, mentionOffsets(ctx.file.text), 'unsupported-file')) ctx.report(r);
      },
      end(ctx) {
        const reported = new Set(ctx.findings().map((p) => p.file));
        for (const file of ctx.files()) {
          // Helm templates: helm-exec-probe already reports every mention outside comments.
          if (reported.has(file) || file.kind === 'other' || file.kind === 'helm-template') continue;
          for (const r of perLine(file, usesOutsideComments(file), 'unparseable')) ctx.report(file, r);
        }
      },
    };
  },
};

function perLine(file: SourceFile, offsets: readonly number[], code: 'unsupported-file' | 'unparseable'): Report[] {
  const out: Report[] = [];
  let lastLineStart = -1;
  for (const o of offsets) {
    const lineStart = lineStartOf(file.text, o);
    if (lineStart === lastLineStart) continue;
    lastLineStart = lineStart;
    out.push({
      start: o,
      end: o + 'grpc_health_probe'.length,
      subject: 'consumer',
      blockers: [code],
      // Documentation describes the binary; it does not run it, so it never keeps an install.
      keepsBinary: !DOCUMENTATION.test(file.displayPath),
      ...(DOCUMENTATION.test(file.displayPath)
        ? { hint: 'Documentation names the binary; it does not keep it installed. Update the text once the migration has landed.' }
        : {}),
      message:
        code === 'unsupported-file'
          ? `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)})`
          : 'grpc_health_probe is named here, but no rule found a use it understands; check it by hand',
    });
  }
  return out;
}


const KINDS: [RegExp, string][] = [
  [/\.(jsonnet|libsonnet)$/i, 'Jsonnet'],
  [/\.cue$/i, 'CUE'],
  [/\.(tf|tf\.json|hcl)$/i, 'Terraform/HCL'],
  [/\.go$/i, 'Go code'],
  [/\.py$/i, 'Python code'],
  [/\.(java|kt)$/i, 'JVM code'],
  [/\.(j2|jinja2?|tmpl|gotmpl)$/i, 'a template'],
  [/\.(md|txt|rst|adoc)$/i, 'documentation'],
];

function describe(p: string): string {
  return KINDS.find(([re]) => re.test(p))?.[1] ?? 'unknown kind';
}

export default rule;

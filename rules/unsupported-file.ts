import { codeLineCommentRanges, inRanges, mentionOffsets, usesOutsideComments } from '../src/analysis/mentions.js';
import type { Report, Rule, SourceFile } from '../src/types.js';
import { lineStartOf } from '../src/text/lines.js';
import { DOCUMENTATION, RENOVATE_CONFIG } from '../src/classify.js';

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
    docs: 'Reports each line naming grpc_health_probe in files of kinds the tool cannot rewrite (blocked, unsupported-file), and — after every rule ran — each such line in any scanned file no rule reported on (blocked, unparseable). Mentions in YAML comments, and in whole-line comments of the code and IaC it cannot rewrite, are not uses: they keep nothing installed. Neither do documentation and Renovate configs, which are reported.',
  },
  create() {
    return {
      file(ctx) {
        // A whole-line comment (a commented-out Terraform probe, `// Command: …` in Go) is text, not
        // configuration, as in YAML: it is not a use and keeps nothing installed.
        const mentions = mentionOffsets(ctx.file.text);
        const comments = codeLineCommentRanges(ctx.file.displayPath, ctx.file.text);
        const uses = comments.length > 0 ? mentions.filter((o) => !inRanges(o, comments)) : mentions;
        for (const r of perLine(ctx.file, uses, 'unsupported-file')) ctx.report(r);
        if (uses.length === 0 && mentions.length > 0) {
          ctx.report({
            start: mentions[0]!,
            end: mentions[0]! + 'grpc_health_probe'.length,
            subject: 'consumer',
            blockers: ['unsupported-file'],
            message: `grpc_health_probe is named only in comments (${describe(ctx.file.displayPath)}); a comment does not keep the binary installed`,
            hint: 'Nothing runs here. Update the comment once the migration has landed.',
          });
        }
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
      // Documentation describes the binary and a Renovate config bumps its version; neither runs
      // it, so neither keeps an install.
      keepsBinary: !DOCUMENTATION.test(file.displayPath) && !RENOVATE_CONFIG.test(baseName(file.displayPath)),
      ...(DOCUMENTATION.test(file.displayPath)
        ? { hint: 'Documentation names the binary; it does not keep it installed. Update the text once the migration has landed.' }
        : RENOVATE_CONFIG.test(baseName(file.displayPath))
          ? { hint: 'Renovate updates the version of the binary; it runs nothing and keeps nothing installed. Drop its rule once the installs are gone.' }
          : code === 'unsupported-file'
            ? { hint: handHint(file.displayPath) }
            : {}),
      message: RENOVATE_CONFIG.test(baseName(file.displayPath))
        ? 'a Renovate config names grpc_health_probe to update its version; it runs nothing'
        : code === 'unsupported-file'
          ? `grpc_health_probe is named in a file the tool cannot rewrite (${describe(file.displayPath)})`
          : 'grpc_health_probe is named here, but no rule found a use it understands; check it by hand',
    });
  }
  return out;
}


/** A file kind's name, and how its native probe is written (for the hint), by file name. */
const KINDS: [RegExp, string, string?][] = [
  [/\.(jsonnet|libsonnet)$/i, 'Jsonnet', 'grpc: { port: N, service: "..." }'],
  [/\.cue$/i, 'CUE', 'grpc: { port: N, service: "..." }'],
  [/\.(tf|tf\.json|hcl)$/i, 'Terraform/HCL', 'a `grpc` block (`port = N`, and `service = "..."` for -service; `"grpc" = { "port" = N }` in a kubernetes_manifest)'],
  [/\.go$/i, 'Go code', 'ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: N, Service: &svc}}'],
  [/\.py$/i, 'Python code', '"grpc": {"port": N, "service": "..."}'],
  [/\.(java|kt|kts|scala|groovy)$/i, 'JVM code'],
  [/\.(j2|jinja2?|tmpl|gotmpl)$/i, 'a template', 'grpc: {port: N, service: "..."}'],
  [/\.(md|txt|rst|adoc)$/i, 'documentation'],
  [/^(GNUmakefile|Makefile|makefile)$|\.mk$/i, 'a Makefile'],
  [/\.nix$/i, 'Nix'],
  [/^(Tiltfile|BUILD|BUILD\.bazel|WORKSPACE)$|\.(star|bzl)$/i, 'Starlark'],
  [/^Earthfile$/i, 'an Earthfile'],
  [/^Jenkinsfile$/i, 'a Jenkinsfile'],
  [/\.rs$/i, 'Rust code'],
  [/\.rb$|^(Gemfile|Rakefile|Vagrantfile)$/i, 'Ruby code'],
  [/\.cs$/i, 'C# code'],
  [/\.ps1$/i, 'PowerShell'],
  [/\.toml$/i, 'TOML'],
  [RENOVATE_CONFIG, 'a Renovate config'],
];

function baseName(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
}

function kindOf(p: string): [RegExp, string, string?] | undefined {
  const base = baseName(p);
  return KINDS.find(([re]) => re.test(base));
}

function describe(p: string): string {
  return kindOf(p)?.[1] ?? 'unknown kind';
}

/**
 * What to do by hand. The line may be a probe or anything else that runs or installs the binary
 * (a Makefile target, a CI step, a package build), so the hint names both.
 */
function handHint(p: string): string {
  const probe = kindOf(p)?.[2];
  return (
    'The tool does not rewrite this kind of file, so the binary stays installed while it names it. A Kubernetes probe: replace exec by hand with ' +
    (probe ?? 'a native grpc handler (port, and service for -service)') +
    ' and carry -rpc-timeout/-connect-timeout into the probe\'s timeout. Anything else that runs or installs the binary still needs it.'
  );
}

export default rule;

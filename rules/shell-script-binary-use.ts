import { mentionsBinary } from '../src/analysis/binary.js';
import { mentionOffsets } from '../src/analysis/mentions.js';
import type { Rule } from '../src/types.js';

/**
 * Shell scripts in the tree (`*.sh`, `*.bash`) that run grpc_health_probe: wait loops, entrypoint
 * wrappers, smoke tests. The tool does not rewrite them; each call keeps the binary.
 */
const rule: Rule = {
  meta: {
    id: 'shell-script-binary-use',
    description: 'Reports shell scripts that run grpc_health_probe',
    fixable: false,
    fileKinds: ['shell'],
    docs: 'Each call of grpc_health_probe in a shell script (read with mvdan/sh) is reported as unsupported-file and keeps the binary installed; a script that only mentions it (an install script?) is reported for a manual check.',
  },
  create() {
    return {
      async file(ctx) {
        const { analyzeShellScript } = await import('../src/analysis/shell.js');
        const { text } = ctx.file;
        const analysis = analyzeShellScript(text, () => undefined);
        if (analysis.error) {
          ctx.report({ start: 0, subject: 'file', error: true, blockers: ['unparseable'], message: `not valid shell (${analysis.error}); the file was left unchanged` });
          return;
        }
        for (const inv of analysis.invocations) {
          ctx.report({
            start: inv.node.start,
            end: inv.node.end,
            subject: 'consumer',
            blockers: ['unsupported-file'],
            keepsBinary: true,
            message: 'a shell script runs grpc_health_probe; the binary stays installed while it does',
          });
        }
        if (analysis.invocations.length === 0 && mentionsBinary(text)) {
          const at = mentionOffsets(text)[0]!;
          ctx.report({
            start: at,
            subject: 'file',
            blockers: ['unsupported-file'],
            message: 'a shell script names grpc_health_probe without running it (an install script?); check it by hand',
          });
        }
      },
    };
  },
};

export default rule;

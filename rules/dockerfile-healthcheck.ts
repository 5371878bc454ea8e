import { binaryPathOption, isBinaryPath, mentionsBinary } from '../src/analysis/binary.js';
import type { PropertyInstruction } from 'dockerfile-ast';
import nodePath from 'node:path';
import type { Rule } from '../src/types.js';

/**
 * Dockerfile uses of the binary that keep it in the image: HEALTHCHECK (Docker has no native
 * gRPC check), ENTRYPOINT/CMD that run it, and a final stage that is the probe image itself.
 */
const rule: Rule = {
  meta: {
    id: 'dockerfile-healthcheck',
    description: 'Reports Dockerfile HEALTHCHECK, ENTRYPOINT and CMD that run grpc_health_probe',
    fixable: false,
    fileKinds: ['dockerfile'],
    docs: 'Docker has no native gRPC health check, so a HEALTHCHECK that runs grpc_health_probe is reported as no-native-check and keeps the binary in the image; ENTRYPOINT/CMD that run it (or a final stage built FROM the probe image) are not-a-probe uses that keep it too.',
  },
  create() {
    return {
      async file(ctx) {
        const [{ dockerfileKey }, { analyzeDockerfile }] = await Promise.all([import('../src/docker/images.js'), import('../src/docker/installs.js')]);
        // After installs.js, which loads it: two dynamic imports racing for one module trip jest's ESM loader.
        const { shellView, joinedView, baseImageOf, execFormStrings } = await import('../src/docker/parse.js');
        const { text, path } = ctx.file;
        const { parsed, installs, namedScripts } = ctx.cached('dockerfile', () => analyzeDockerfile(text));
        // Lines an install removal takes (the version ENV, a WORKDIR in the clone of a stage that goes).
        const removedWithInstall = (at: number) => installs.some((i) => i.edits.some((e) => at >= e.start && at < e.end));
        const image = dockerfileKey(path);
        // ENV/ARG that hold the binary's path: `HEALTHCHECK CMD $PROBE ...` runs it too.
        const pathVars = parsed.instructions
          .filter((i) => i.keyword === 'ENV' || i.keyword === 'ARG')
          .flatMap((i) => (i.node as unknown as PropertyInstruction).getProperties())
          .filter((p) => mentionsBinary(p.getValue() ?? ''))
          .map((p) => p.getName());
        const runsBinary = (s: string) => mentionsBinary(s) || pathVars.some((v) => new RegExp(`\\$\\{?${v}(?![A-Za-z0-9_])`).test(s));
        const froms = parsed.instructions.filter((i) => i.keyword === 'FROM');
        const finalStage = froms.length - 1;
        // Built once per run, not per Dockerfile (a Set of the whole tree's paths each time was ~3 ms).
        const { filesOfRun } = await import('../src/run-files.js');
        const scanned = filesOfRun(ctx.run);
        // A build context is the Dockerfile's folder or one above it: the script is one of the run's
        // files there (a file of the same name in another folder is another script).
        const contexts: string[] = [];
        for (let dir = nodePath.dirname(path); ; dir = nodePath.dirname(dir)) {
          contexts.push(dir);
          if (nodePath.dirname(dir) === dir || dir === ctx.run.cwd) break;
        }
        const readScript = (src: string) => contexts.some((dir) => scanned.has(nodePath.join(dir, src.replace(/^\/+/, ''))));
        const scriptsOf = new Map(namedScripts.map((n) => [n.ins, n.sources]));
        for (const ins of parsed.instructions) {
          const raw = text.slice(ins.argsStart, ins.end);
          // As Docker reads it: a name cut by a continuation (`grpc_health\` then `_probe`) is one word.
          const body = raw.includes('\n') ? joinedView(text, ins.argsStart, ins.end, parsed.escape).text : raw;
          // Each of these keeps the binary in the image: Docker has nothing native to move to.
          const keeps = (code: 'no-native-check' | 'not-a-probe', message: string) =>
            ctx.report({ start: ins.start, end: ins.end, subject: 'consumer', blockers: [code], keepsBinary: true, image, message });
          if (ins.keyword === 'HEALTHCHECK') {
            const view = shellView(text, ins.argsStart, ins.end, parsed.escape);
            const form = healthcheckForm(view);
            // What Docker runs: the exec form's strings as JSON reads them, the shell form's text
            // less the comment lines inside its continuation (a line that only mentions the binary).
            const bracket = /^\s*(?:--\S+\s+)*CMD\s*\[/i.exec(view);
            const strings = form === 'exec form' && bracket ? execFormStrings(text, ins.argsStart + bracket[0].length - 1, ins.end, parsed.escape) : undefined;
            if (!runsBinary(strings ? strings.map((s) => s.value).join(' ') : view)) continue;
            const given = form === 'not JSON' ? undefined : pathGivenTo(strings ? strings.map((s) => s.value) : shellWords(view), runsBinary);
            if (given) {
              // `CMD /bin/healthcheck --health-binary=/bin/grpc_health_probe`: another program is
              // told where the binary is, and may run it: the image keeps it all the same.
              keeps('no-native-check', `HEALTHCHECK (${form}) gives ${given.program} grpc_health_probe's path (${given.option}=), so it may run the binary; Docker has no native gRPC check, so the image keeps the binary`);
            } else if (form === 'not JSON') {
              // Docker reads a `[` that is not a JSON array of strings as a shell command:
              // `[ "grpc_health_probe" "-addr=:50051" ]` is the shell's test, not the probe.
              keeps('no-native-check', 'HEALTHCHECK names grpc_health_probe in a [ … ] that is not valid JSON, so Docker runs it as a shell command: [ is the shell\'s test, not the binary, and the check does not reflect the server; fix the JSON (commas between the strings, double quotes) or drop the HEALTHCHECK. The image keeps the binary meanwhile');
            } else keeps('no-native-check', `HEALTHCHECK (${form}) runs grpc_health_probe; Docker has no native gRPC check, so the image keeps the binary`);
          } else if ((ins.keyword === 'ENTRYPOINT' || ins.keyword === 'CMD') && runsBinary(body)) {
            keeps('not-a-probe', `${ins.keyword} runs grpc_health_probe: the image itself runs the binary`);
          } else if (ins.keyword === 'FROM' && ins.stage === finalStage && mentionsBinary(baseImageOf(parsed, ins))) {
            keeps('not-a-probe', 'the final image is built FROM the grpc-health-probe image: the image is the probe itself');
          } else if (scriptsOf.has(ins) && !removedWithInstall(ins.start)) {
            // `COPY scripts/grpc_health_probe.sh /usr/local/bin/healthcheck.sh`: a script named
            // after the binary (installs.ts does not take it for the binary). What it runs is the
            // script's own finding when the run reads it; one the run does not read may run it.
            const scripts = scriptsOf.get(ins)!;
            const unread = scripts.filter((src) => !readScript(src));
            if (unread.length === 0) {
              ctx.report({ start: ins.start, end: ins.end, subject: 'consumer', keepsBinary: false, info: true, image, message: `COPY copies ${scripts.join(', ')}, a script named after grpc_health_probe, not the binary: it keeps no install (what the script runs is reported in the script)`, hint: SCRIPT_HINT });
            } else {
              ctx.report({
                start: ins.start,
                end: ins.end,
                subject: 'consumer',
                blockers: ['not-a-probe'],
                keepsBinary: true,
                image,
                message: `COPY copies ${unread.join(', ')}, a script named after grpc_health_probe that this run does not read; it may run the binary, so the image keeps it`,
                hint: 'Run the tool on the whole repository (with the build context that holds the script), so that what the script runs is read; or check the script by hand.',
              });
            }
          } else if ((ins.keyword === 'LABEL' || ins.keyword === 'MAINTAINER') && mentionsBinary(body) && !removedWithInstall(ins.start)) {
            // Image metadata runs nothing.
            ctx.report({ start: ins.start, end: ins.end, subject: 'consumer', keepsBinary: false, info: true, image, message: `${ins.keyword} names grpc_health_probe; metadata runs nothing and keeps no install (reword it once the binary goes)`, hint: METADATA_HINT });
          } else if (!OWN_RULES.has(ins.keyword) && mentionsBinary(body) && !removedWithInstall(ins.start)) {
            // `ENV PROBE_BIN=/bin/grpc_health_probe`, a LABEL, a WORKDIR: each keeps the image's
            // install (an entrypoint script may read the variable), and says so on its own line.
            const props = ins.keyword === 'ENV' || ins.keyword === 'ARG' ? (ins.node as unknown as PropertyInstruction).getProperties().filter((p) => mentionsBinary(p.getValue() ?? '')) : [];
            const names = props.map((p) => p.getName());
            const pathNames = ins.keyword === 'ENV' ? names : [];
            if (props.length > 0 && props.every((p) => (p.getValue() ?? '').includes('://'))) {
              // `ENV GRPC_HEALTH_PROBE_URL=https://github.com/grpc-ecosystem/grpc-health-probe/releases/download`
              // (left when the download cannot be removed), an `ARG PROBE_URL=…` another RUN
              // still reads: an address runs nothing.
              ctx.report({ start: ins.start, end: ins.end, subject: 'consumer', keepsBinary: false, info: true, image, message: `${ins.keyword} sets ${names.join(', ')} to the address grpc_health_probe is downloaded from; it runs nothing and keeps no install`, hint: addressHint(ins.keyword) });
              continue;
            }
            keeps(
              'not-a-probe',
              pathNames.length > 0
                ? `ENV sets ${pathNames.join(', ')} to grpc_health_probe's path: a command of the container may run the binary through it, so the image keeps it`
                : `${ins.keyword} names grpc_health_probe; the tool cannot tell what in the image relies on it, so the image keeps the binary`,
            );
          }
        }
      },
    };
  },
};

/*
 * What to do about a line that keeps nothing installed. The not-a-probe code's own hint ("keep
 * the binary for this use") is for uses that run the binary: here the install goes all the same
 * once nothing else runs it, and this line, which the tool never rewrites, is left naming it.
 */
const METADATA_HINT = 'Image metadata keeps nothing installed: the install goes with --fix once nothing else runs the binary, and this line is left as written. Reword or drop it by hand once the binary is gone.';
const SCRIPT_HINT = 'A script named after the binary is not the binary: the tool leaves this COPY as it is, and what the script runs decides whether the install stays (its own findings). Rename it once the binary is gone, if its name misleads.';
const addressHint = (keyword: string) =>
  `An address keeps nothing installed: the install goes with --fix once nothing else runs the binary. The tool drops this ${keyword} only with a download it removes when nothing else reads it; otherwise drop it by hand once nothing downloads from it.`;

/** Instructions read elsewhere: installs (RUN, ADD, COPY, ONBUILD) and the uses above. */
const OWN_RULES = new Set(['RUN', 'ADD', 'COPY', 'ONBUILD', 'FROM', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);

/**
 * The program a HEALTHCHECK runs and the option giving it the binary's path, when no word of the
 * command is the binary itself (`/bin/healthcheck --health-binary=/bin/grpc_health_probe`).
 */
function pathGivenTo(words: string[], runsBinary: (s: string) => boolean): { program: string; option: string } | undefined {
  const option = words.slice(1).map((w) => binaryPathOption(w)).find((o) => o !== undefined);
  if (!option || words.length === 0 || words.some((w) => isBinaryPath(w) || (!binaryPathOption(w) && runsBinary(w)))) return undefined;
  return { program: words[0]!, option };
}

/** A shell-form HEALTHCHECK's words after CMD, unquoted: enough to name the program and its options. */
function shellWords(view: string): string[] {
  const cmd = /^\s*(?:--\S+\s+)*CMD\s*/i.exec(view);
  if (!cmd) return [];
  return view.slice(cmd[0].length).trim().split(/\s+/).map((w) => w.replace(/^(["'])(.*)\1$/, '$2'));
}

/** A HEALTHCHECK's CMD as Docker reads it: a JSON array of strings, or anything else as a shell command. */
function healthcheckForm(view: string): 'exec form' | 'shell form' | 'not JSON' {
  const cmd = /^\s*(?:--\S+\s+)*CMD\s*/i.exec(view);
  if (!cmd || view[cmd[0].length] !== '[') return 'shell form';
  try {
    const v: unknown = JSON.parse(view.slice(cmd[0].length));
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? 'exec form' : 'not JSON';
  } catch {
    return 'not JSON';
  }
}

export default rule;

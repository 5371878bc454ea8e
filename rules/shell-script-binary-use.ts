import { isBinaryPath, mentionsBinary, UPSTREAM_IMAGE } from '../src/analysis/binary.js';
import { baseName, heredocDestination, heredocManifestFinding, heredocVariables, KUBECTL_GLOBALS, SCRIPT_HOLDER, skipOptions } from '../src/analysis/heredoc-manifest.js';
import { inRanges, mentionOffsets } from '../src/analysis/mentions.js';
import type { HeredocText, ResolvedWord, ShCall, ShHeredoc, ShWord } from '../src/analysis/shell.js';
import { lineStartOf } from '../src/text/lines.js';
import type { Report, Rule } from '../src/types.js';

/**
 * Shell scripts in the tree (`*.sh`, `*.bash`) that use grpc_health_probe: wait loops, entrypoint
 * wrappers, smoke tests, install scripts. The tool does not rewrite them. A script that names the
 * binary anywhere outside a comment keeps it installed (the safe side): a smoke test that runs it
 * through `kubectl exec` or `docker compose exec` needs it in the image as much as a probe does.
 * The message says what the script does with it when the tool can tell.
 */
/** What to do about a script the parser cannot read. */
const PARSE_HINT =
  'Fix the shell syntax at this line (bash -n checks a script), then run the tool again; if the script runs as it is (a shell feature the parser does not know), check its uses of the binary by hand. Until then every install of the binary stays.';

const rule: Rule = {
  meta: {
    id: 'shell-script-binary-use',
    description: 'Reports shell scripts that use grpc_health_probe',
    fixable: false,
    fileKinds: ['shell'],
    docs: 'Each use of grpc_health_probe in a shell script (read with mvdan/sh) is reported as unsupported-file and keeps the binary installed: a call, a call through a wrapper (kubectl exec, docker compose exec, timeout, env, sudo, sh -c …) or a variable, or any other mention outside a comment (a Kubernetes manifest in a here-document is read for the probe it holds and what that would become). A script that names it only in comments keeps nothing.',
  },
  create(run) {
    return {
      async file(ctx) {
        const shell = await import('../src/analysis/shell.js');
        const { text } = ctx.file;
        let script;
        try {
          script = shell.parseShell(text);
        } catch (e) {
          if (!(e instanceof shell.ShellParseError)) throw e;
          // At the place the parser names, as a YAML or JSON error is.
          const { offset, reason } = shell.shellErrorAt(text, e.message);
          ctx.report({ start: offset ?? 0, subject: 'file', error: true, blockers: ['unparseable'], message: `not valid shell (${reason}); the file was left unchanged`, hint: PARSE_HINT });
          return;
        }
        const env = scriptVariables(script.calls, shell.resolveWord);
        const reader: WordReader = { resolve: shell.resolveWord, parse: (s) => shell.parseShell(s).calls, env };

        const reports: Report[] = [];
        // Spans of the calls reported (or covered by a report): a mention inside one is accounted for.
        const accounted: [number, number][] = [];
        const runVariables = new Set<string>();
        const assignments: { call: ShCall; name: string }[] = [];
        const mentions = mentionOffsets(text);
        // A call that names the binary on a later line than it starts on (a jq program, a JSON
        // document passed as one argument) is reported where it names it: that line is the one to read.
        const namedAt = (call: ShCall): { start: number; end: number } => {
          const o = mentions.find((m) => m >= call.start && m < call.end);
          return o === undefined || lineStartOf(text, o) === lineStartOf(text, call.start) ? call : { start: o, end: o + 'grpc_health_probe'.length };
        };
        for (const call of script.calls) {
          const run = runsBinary(call.args, reader, 0);
          if (run) {
            if (run.via) runVariables.add(run.via);
            accounted.push([call.start, call.end]);
            const report = keeps(call, `runs grpc_health_probe${run.via ? ` (as $${run.via})` : ''}${run.through.length > 0 ? ` through ${run.through.join(', then ')}` : ''}${run.image !== undefined ? ` in the image ${run.image}` : ''}; the binary stays installed while it does`, RUN_HINT);
            // The image it runs in: only the installs of Dockerfiles that may build it stay for it.
            reports.push(run.image === undefined ? report : UPSTREAM_IMAGE.test(run.image) ? { ...report, keepsBinary: false, hint: UPSTREAM_HINT } : { ...report, image: run.image });
            continue;
          }
          const named = call.args.findIndex((w) => mentionsBinary(literal(w, shell.resolveWord)));
          if (named !== -1) {
            accounted.push([call.start, call.end]);
            const upstream = upstreamImageRun(call.args, reader);
            if (upstream) {
              // `docker run ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.24 -addr=api:5000`: the binary ships in that image.
              reports.push({ ...keeps(call, `runs the grpc-health-probe image ${upstream.image} through ${upstream.label}; the binary ships in that image, so it keeps no install of this repository`, UPSTREAM_HINT), keepsBinary: false });
              continue;
            }
            const where = named === 0 ? `in the name of the command it runs (${literal(call.args[0]!, shell.resolveWord)})` : `in the arguments of ${commandOf(call.args, named, reader)}`;
            reports.push(keeps(namedAt(call), `names grpc_health_probe ${where}; the binary stays installed while the script names it`, NAME_HINT));
            continue;
          }
          const assigned = call.assigns.find((a) => a.value && mentionsBinary(literal(a.value, shell.resolveWord)));
          if (assigned) {
            accounted.push([call.start, call.end]);
            assignments.push({ call, name: assigned.name });
          }
        }
        // `PROBE=/bin/grpc_health_probe` is said by the call that runs "$PROBE"; otherwise on its own.
        for (const { call, name } of assignments) {
          if (!runVariables.has(name)) reports.push(keeps(namedAt(call), `names grpc_health_probe in the value of ${name}; the binary stays installed while the script names it`, NAME_HINT));
        }

        // Anything else (a here-document, a `[[ -x … ]]` test, a `for` list, `export X=…`) is read
        // for what it is not: a comment. Outside one, it keeps the binary too.
        const others = mentions.filter((o) => !inRanges(o, accounted));
        const comments = others.length > 0 ? shell.shellCommentRanges(text) : [];
        const seenLines = new Set<number>();
        const manifests = new Map<ShHeredoc, { body: HeredocText; reports: Report[] | undefined }>();
        let inComments = 0;
        for (const o of others) {
          if (inRanges(o, comments)) {
            inComments++;
            continue;
          }
          const line = lineStartOf(text, o);
          if (seenLines.has(line)) continue;
          seenLines.add(line);
          const at = { start: o, end: o + 'grpc_health_probe'.length };
          const heredoc = script.heredocs.find((h) => h.start <= o && o < h.end);
          if (heredoc) {
            if (!manifests.has(heredoc)) {
              const { embeddedManifestReports } = await import('../src/kubernetes/embedded-manifest.js');
              const { targetClusters } = await import('../src/analysis/native-probe.js');
              // What kubectl reads: with `<<EOF`, the body after the shell's expansions.
              const body = shell.heredocText(text, heredoc, heredocVariables(script, heredoc, shell.resolveWord));
              manifests.set(heredoc, { body, reports: embeddedManifestReports(body.text, targetClusters(run.options)) });
            }
            reports.push(heredocReport(at, heredoc, manifests.get(heredoc)!, reader));
            continue;
          }
          reports.push(keeps(at, 'names grpc_health_probe outside a command the tool reads; the binary stays installed while the script names it', NAME_HINT));
        }
        if (reports.length === 0 && inComments > 0) {
          const at = others.find((o) => inRanges(o, comments))!;
          ctx.report({
            start: at,
            end: at + 'grpc_health_probe'.length,
            subject: 'consumer',
            info: true,
            message: 'a shell script names grpc_health_probe only in comments; a comment does not keep the binary installed',
            hint: 'Nothing runs here. Update the comment once the migration has landed.',
          });
        }
        for (const r of reports.sort((a, b) => a.start - b.start)) ctx.report(r);
      },
    };
  },
};

const RUN_HINT =
  'The tool does not rewrite scripts, so the binary stays installed while this script runs it. To let it go, change the script by hand (e.g. `kubectl wait --for=condition=Ready` once the probes are native, or grpcurl run from outside the image), then run the tool again.';
const UPSTREAM_HINT =
  'The binary ships in the grpc-health-probe image, so this keeps no install of this repository. It checks the server from outside the kubelet: keep it, or give the server a native grpc probe and drop it.';
const NAME_HINT =
  'The tool does not rewrite scripts and cannot tell what this one does with the binary, so it stays installed (the safe side). Check the script by hand; once it no longer needs grpc_health_probe, remove the mention and run the tool again.';

/**
 * A mention inside a here-document. When the body is a Kubernetes manifest (`kubectl apply -f -
 * <<EOF`), the manifest rule's reading of it says which probe runs the binary and what it would
 * become: the fix is by hand, in the script, or by moving the manifest into a file the tool reads.
 */
function heredocReport(at: { start: number; end: number }, h: ShHeredoc, manifest: { body: HeredocText; reports: Report[] | undefined }, reader: WordReader): Report {
  const dest = heredocDestination(h, (w) => reader.resolve(w, reader.env).text);
  const inDoc = `a here-document${dest ? ` (${dest})` : ''}`;
  const found = heredocManifestFinding(manifest.reports, manifest.body, at.start, inDoc, SCRIPT_HOLDER);
  if (!found) return keeps(at, `names grpc_health_probe in ${inDoc}; the binary stays installed while the script names it`, NAME_HINT);
  return keeps(at, `${found.what}; the binary stays installed ${found.fixable ? 'until then' : 'while it does'}`, found.hint ?? NAME_HINT);
}

function keeps(at: { start: number; end: number }, what: string, hint: string): Report {
  return { start: at.start, end: at.end, subject: 'consumer', blockers: ['unsupported-file'], keepsBinary: true, message: `a shell script ${what}`, hint };
}

type Resolve = (word: ShWord, env: (name: string) => string | undefined) => ResolvedWord;

interface WordReader {
  resolve: Resolve;
  /** Parses a script given as a word (`sh -c '…'`); throws when it is not valid shell. */
  parse: (script: string) => ShCall[];
  env: (name: string) => string | undefined;
}

const noEnv = () => undefined;
const literal = (w: ShWord, resolve: Resolve) => resolve(w, noEnv).text;

/**
 * Variables the script sets to one literal value (`PROBE=/bin/grpc_health_probe`), so that
 * `"$PROBE" -addr=…` reads as the call it is. A variable set twice to different values, or to
 * something only known at run time, stays unknown.
 */
function scriptVariables(calls: readonly ShCall[], resolve: Resolve): (name: string) => string | undefined {
  const values = new Map<string, string | null>();
  for (const call of calls) {
    if (call.args.length > 0) continue; // `X=1 cmd` sets X for cmd only
    for (const a of call.assigns) {
      const v = a.value ? resolve(a.value, noEnv) : { text: '', unresolved: [] };
      const known = v.unresolved.length === 0 ? v.text : null;
      values.set(a.name, values.has(a.name) && values.get(a.name) !== known ? null : known);
    }
  }
  return (name) => values.get(name) ?? undefined;
}

interface Run {
  /** Wrappers the binary runs through, outermost first (`kubectl exec`, `timeout`). */
  through: string[];
  /** The variable that held its path. */
  via?: string;
  /** The image it runs in, when a wrapper starts one (`docker run acme/api:1 grpc_health_probe …`). */
  image?: string;
}

/** Whether a command (its words) runs the binary, directly or through wrappers the tool knows. */
function runsBinary(args: readonly ShWord[], reader: WordReader, depth: number): Run | undefined {
  const words = args.map((w) => reader.resolve(w, reader.env).text);
  let i = 0;
  // `exec` and `command` run the command in place: no wrapper to speak of.
  while (i < words.length - 1 && (words[i] === 'exec' || words[i] === 'command')) i++;
  if (i >= words.length) return undefined;
  if (isBinaryPath(words[i]!)) {
    const param = args[i]!.parts.find((p) => p.type === 'param');
    return { through: [], ...(param?.type === 'param' && !mentionsBinary(literal(args[i]!, reader.resolve)) ? { via: param.name } : {}) };
  }
  if (depth >= 8) return undefined;
  const wrapped = unwrap(words, i);
  if (!wrapped) return undefined;
  if ('next' in wrapped && wrapped.image !== undefined) {
    // `docker run --entrypoint /bin/grpc_health_probe IMAGE -addr=…`: the binary is the container's
    // entrypoint, and the words after the image are its flags.
    const entrypoint = entrypointOf(words, i + 1, wrapped.image);
    if (entrypoint !== undefined && isBinaryPath(entrypoint)) return { through: [wrapped.label], image: words[wrapped.image]! };
  }
  if ('next' in wrapped) {
    const inner = runsBinary(args.slice(wrapped.next), reader, depth + 1);
    // The innermost container the command starts in is the one that needs the binary.
    const image = inner?.image ?? (wrapped.image !== undefined ? words[wrapped.image] : undefined);
    return inner && { ...inner, ...(image !== undefined ? { image } : {}), through: [wrapped.label, ...inner.through] };
  }
  let calls: ShCall[];
  try {
    calls = reader.parse(words[wrapped.script]!);
  } catch {
    return undefined;
  }
  for (const call of calls) {
    const inner = runsBinary(call.args, reader, depth + 1);
    if (inner) return { ...inner, through: [wrapped.label, ...inner.through] };
  }
  return undefined;
}

/** A command that runs another command given in its arguments: its options, then its own operands. */
interface Wrapper {
  /** Options that take the next word as their value (`-n 10`); `--` always ends the options. */
  valued?: readonly string[];
  /** Operands before the command (timeout's duration, su-exec's user, docker exec's container). */
  operands?: number;
  /** Words of the form NAME=VALUE before the command (env). */
  assignments?: boolean;
}

const WRAPPERS: Record<string, Wrapper> = {
  env: { valued: ['-u', '--unset', '-C', '--chdir'], assignments: true },
  timeout: { valued: ['-s', '--signal', '-k', '--kill-after'], operands: 1 },
  nice: { valued: ['-n', '--adjustment'] },
  nohup: {},
  setsid: {},
  stdbuf: { valued: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  ionice: { valued: ['-c', '-n', '--class', '--classdata'] },
  chrt: { operands: 1 },
  taskset: { operands: 1 },
  time: { valued: ['-f', '-o', '--format', '--output'] },
  sudo: { valued: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type', '--other-user', '--command-timeout'] },
  doas: { valued: ['-u', '-C'] },
  'su-exec': { operands: 1 },
  gosu: { operands: 1 },
  's6-setuidgid': { operands: 1 },
  chroot: { valued: ['--userspec', '--groups'], operands: 1 },
  runuser: { valued: ['-u', '-g', '-G', '--user', '--group', '--supp-group'] },
  xargs: { valued: ['-a', '-d', '-E', '-I', '-L', '-n', '-P', '-s', '--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-chars'] },
  watch: { valued: ['-n', '--interval'] },
  'dumb-init': {},
  tini: { valued: ['-e'] },
};

/** `kubectl exec POD -- cmd`, `docker compose exec SERVICE cmd`: sub-commands that run a command. */
const SUBCOMMANDS: Record<string, { globals: readonly string[]; sub: Record<string, Wrapper> }> = {
  kubectl: {
    globals: KUBECTL_GLOBALS,
    sub: { exec: { valued: ['-c', '--container', '-n', '--namespace', '-f', '--filename', '--pod-running-timeout'], operands: 1 } },
  },
  docker: {
    globals: ['-H', '--host', '--context', '-c', '--config', '-l', '--log-level'],
    sub: {
      exec: { valued: ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys'], operands: 1 },
      run: { valued: ['-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--name', '--entrypoint', '--network', '--net', '-v', '--volume', '--mount', '-p', '--publish', '-l', '--label', '--platform', '--pull', '-m', '--memory', '--cpus', '--add-host', '--cap-add', '--cap-drop', '-h', '--hostname', '--restart', '--user'], operands: 1 },
    },
  },
  'docker-compose': {
    globals: ['-f', '--file', '-p', '--project-name', '--project-directory', '--profile', '--env-file', '--ansi', '--progress', '--parallel'],
    sub: {
      exec: { valued: ['-e', '--env', '-u', '--user', '-w', '--workdir', '--index'], operands: 1 },
      run: { valued: ['-e', '--env', '-u', '--user', '-w', '--workdir', '--name', '--entrypoint', '-l', '--label', '-p', '--publish', '-v', '--volume', '--cap-add', '--cap-drop'], operands: 1 },
    },
  },
};
SUBCOMMANDS.oc = SUBCOMMANDS.kubectl!;
SUBCOMMANDS.podman = SUBCOMMANDS.docker!;
SUBCOMMANDS.nerdctl = SUBCOMMANDS.docker!;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh']);

/** Where the wrapped command starts (or which word is the script, for `sh -c`), when words[at] is a wrapper. */
type Unwrapped = { label: string; next: number; image?: number } | { label: string; script: number };

function unwrap(words: readonly string[], at: number): Unwrapped | undefined {
  const name = baseName(words[at]!);
  const wrapper = WRAPPERS[name];
  if (wrapper) return after(words, at + 1, wrapper, name);
  const multi = SUBCOMMANDS[name];
  if (multi) {
    const i = skipOptions(words, at + 1, multi.globals);
    // `docker compose exec`: compose is a sub-command of docker with options of its own.
    if (words[i] === 'compose' && (name === 'docker' || name === 'podman' || name === 'nerdctl')) {
      return subcommand(words, skipOptions(words, i + 1, SUBCOMMANDS['docker-compose']!.globals), SUBCOMMANDS['docker-compose']!.sub, `${name} compose`);
    }
    return subcommand(words, i, multi.sub, name);
  }
  if (SHELLS.has(name)) {
    let c = false;
    for (let i = at + 1; i < words.length; i++) {
      const w = words[i]!;
      if (/^[-+][a-zA-Z]+$/.test(w)) {
        c ||= w[0] === '-' && w.includes('c');
        // `-o pipefail`, `-euo pipefail`: o takes the next word.
        if (w.includes('o')) i++;
      } else if (w.startsWith('--')) {
        // `bash --login -c '…'`, `--norc`, `--`; `--rcfile FILE` takes the next word.
        if (w === '--rcfile' || w === '--init-file') i++;
      } else return c ? { label: `${name} -c`, script: i } : undefined;
    }
  }
  return undefined;
}

function subcommand(words: readonly string[], i: number, subs: Record<string, Wrapper>, label: string): { label: string; next: number; image?: number } | undefined {
  const sub = words[i] !== undefined ? subs[words[i]!] : undefined;
  if (!sub) return undefined;
  const fullLabel = `${label} ${words[i]}`;
  // `kubectl exec pod -- cmd`: after `--` is the command, whatever the options before it were.
  const dashes = words.indexOf('--', i + 1);
  if (label === 'kubectl' || label === 'oc') return dashes !== -1 ? { label: fullLabel, next: dashes + 1 } : after(words, i + 1, sub, fullLabel);
  return after(words, i + 1, sub, fullLabel);
}

function after(words: readonly string[], from: number, w: Wrapper, label: string): { label: string; next: number; image?: number } | undefined {
  let i = skipOptions(words, from, w.valued ?? []);
  if (w.assignments) while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  // `docker run [options] IMAGE command`: the operand is the image the command runs in.
  const image = CONTAINER_RUNS.test(label) && i < words.length ? i : undefined;
  i += w.operands ?? 0;
  return i < words.length ? { label, next: i, ...(image !== undefined ? { image } : {}) } : undefined;
}

/** The container run of a command whose image is the upstream probe image, when it is one. */
function upstreamImageRun(args: readonly ShWord[], reader: WordReader): { image: string; label: string } | undefined {
  const words = args.map((w) => reader.resolve(w, reader.env).text);
  let at = 0;
  while (at < words.length - 1 && (words[at] === 'exec' || words[at] === 'command')) at++;
  for (let w = unwrap(words, at); w && 'next' in w; w = unwrap(words, at)) {
    if (w.image !== undefined && UPSTREAM_IMAGE.test(words[w.image]!)) return { image: words[w.image]!, label: w.label };
    at = w.next;
  }
  return undefined;
}

/** The `--entrypoint` a container run's options give (`--entrypoint X`, `--entrypoint=X`), before its image. */
function entrypointOf(words: readonly string[], from: number, image: number): string | undefined {
  let found: string | undefined;
  for (let j = from; j < image; j++) {
    if (words[j] === '--entrypoint') found = words[++j];
    else if (words[j]!.startsWith('--entrypoint=')) found = words[j]!.slice('--entrypoint='.length);
  }
  return found;
}

/** Wrappers that start a container from an image given as their operand. */
const CONTAINER_RUNS = /^(docker|podman|nerdctl) run$/;



/** The command whose arguments hold word `index`, through the wrappers it runs under: `chmod (through sudo)`. */
function commandOf(args: readonly ShWord[], index: number, reader: WordReader): string {
  const words = args.map((w) => reader.resolve(w, reader.env));
  const texts = words.map((w) => w.text);
  let at = 0;
  while (at < index - 1 && (texts[at] === 'exec' || texts[at] === 'command')) at++;
  const through: string[] = [];
  for (let w = unwrap(texts, at); w && 'next' in w && w.next <= index && w.next < texts.length; w = unwrap(texts, at)) {
    through.push(w.label);
    at = w.next;
  }
  if (at === index) return through.length > 0 ? through.join(', then ') : 'a command';
  const name = words[at]!.unresolved.length > 0 ? 'a command known only at run time' : baseName(texts[at]!);
  return through.length > 0 ? `${name} (through ${through.join(', then ')})` : name;
}

export default rule;

import type { EnvLookup, HeredocText, ResolvedWord, ShHeredoc, ShScript, ShWord } from './shell.js';
import type { Report } from '../types.js';

/**
 * A Kubernetes manifest held in a here-document (`kubectl apply -f - <<EOF`, `cat > pod.yaml
 * <<EOF`), in a shell script or a Dockerfile RUN: where the document goes, and what the manifest
 * rule's reading of it says about the probe that names the binary. Neither file kind is rewritten,
 * so the fix is by hand, there, or by moving the manifest into a file the tool reads.
 */

/** Commands that send a manifest to the API server: `kubectl apply -f -`, `oc create -f -`. */
const KUBECTL = new Set(['kubectl', 'oc']);
const APPLIES = new Set(['apply', 'create', 'replace']);
/** kubectl's options that take the next word as their value. */
export const KUBECTL_GLOBALS: readonly string[] = ['-n', '--namespace', '--context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--as', '--token', '--request-timeout', '-v'];

/**
 * kubectl's sub-commands that read a manifest's objects only for their kind, namespace and name
 * (to delete, show, compare or wait for the objects the cluster has): they create no object, so
 * no container of the manifest starts and no probe in it runs. `kubectl diff` asks the server for
 * a dry run of the apply, which creates nothing either. Every other sub-command (apply, create,
 * replace, patch, label, `auth reconcile`, …) is taken to create or change objects: a use.
 */
const READS_ONLY = new Set(['delete', 'diff', 'describe', 'get', 'wait']);

/** The kubectl or oc sub-command of a command's words (`kubectl -n x delete -f -` → [kubectl, delete]; through kubectlAt's wrappers). */
function kubectlSub(ws: readonly string[]): [string, string] | undefined {
  // Past `sudo [options]`, `exec`, `command`, as commandTool reads a command (review22 R10).
  const k = kubectlAt(ws, pastPrefixes(ws));
  const sub = k ? ws[skipOptions(ws, k.args, KUBECTL_GLOBALS)] : undefined;
  return k && sub !== undefined ? [k.name, sub] : undefined;
}

/** Single words that run kubectl: MicroK8s' snap alias, and kubecolor (which colours kubectl's output and passes it every argument). */
const KUBECTL_ALIASES = new Set(['microk8s.kubectl', 'kubecolor']);
/** Distributions whose CLI runs kubectl as a sub-command, every word after `kubectl` its (`microk8s kubectl patch …`, `k3s kubectl`, `k0s kubectl`, `rancher kubectl`). */
const KUBECTL_DISTRIBUTIONS = new Set(['microk8s', 'k3s', 'k0s', 'rancher']);
/** The tools the patch reader and the env reader read, by their command word (commandName). */
const READ_TOOLS: readonly string[] = ['kubectl', 'oc', 'yq', 'jq', 'sed', 'perl'];
/** Those a variable names when its name ends `_oc` (or is `OC`), as commandName reads it; kubectl: any name ending `kubectl`. */
const VARIABLE_TOOLS: readonly string[] = ['oc', 'yq', 'jq'];
/**
 * Every first word of a command that runs one of READ_TOOLS (a path's last part): the tools,
 * kubectl's aliases, and the CLIs that run kubectl as a sub-command (kubectlAt's distributions
 * and minikube). The one list of them for the readers of exec lists (src/analysis/ci-pipelines.ts).
 */
export const TOOL_COMMAND_WORDS: readonly string[] = [...READ_TOOLS, ...KUBECTL_ALIASES, ...KUBECTL_DISTRIBUTIONS, 'minikube'];

/**
 * A regular expression source (for the `i` flag) matching, in a text read as written, a command
 * word that commandName reads as one of `tools` (of READ_TOOLS): the tool's name as a word
 * (`kubectl`, `/usr/bin/oc`, `microk8s.kubectl`), kubecolor for kubectl, or a variable named for
 * it (`$KUBECTL`, `${MY_KUBECTL}`, `$(KUBECTL)`, `$OC`, `$K8S_OC`). Linear: a `$` scans its own name.
 */
export function toolWordPattern(tools: readonly string[]): string {
  const names = tools.includes('kubectl') ? [...tools, ...KUBECTL_ALIASES] : [...tools];
  const variables = [...(tools.includes('kubectl') ? ['\\w*kubectl'] : []), ...tools.filter((t) => VARIABLE_TOOLS.includes(t)).map((t) => `(?:\\w*_)?${t}`)];
  const word = `\\b(?:${names.map((n) => n.replace(/\./g, '\\.')).join('|')})\\b`;
  return variables.length === 0 ? word : `${word}|\\$[({]?(?:${variables.join('|')})\\b`;
}
/** minikube's options before its sub-command that take the next word. */
const MINIKUBE_VALUED = ['-p', '--profile', '-v', '--v', '--log_dir', '--user'];
/** `minikube kubectl`'s own options that take the next word. */
const MINIKUBE_KUBECTL_VALUED = ['-n', '--node', ...MINIKUBE_VALUED];

/**
 * kubectl (or oc) at `texts[at]`, as a command word names it: `kubectl`, `oc` (a path to either),
 * `microk8s.kubectl`, `kubecolor`, a distribution's sub-command (`microk8s kubectl`, `k3s kubectl`,
 * `k0s kubectl`), `minikube [-p P] kubectl [options] --` (its words after `--` are kubectl's; without
 * `--`, those after `kubectl`): which, and where kubectl's own arguments start. The one reading of a
 * kubectl command word for the here-document reader, the patch reader and the env reader
 * (commandTool). Undefined when it is none.
 */
export function kubectlAt(texts: readonly string[], at: number): { name: string; args: number } | undefined {
  const word = texts[at];
  if (word === undefined) return undefined;
  const name = baseName(word);
  if (KUBECTL.has(name)) return { name, args: at + 1 };
  if (KUBECTL_ALIASES.has(name)) return { name: 'kubectl', args: at + 1 };
  if (KUBECTL_DISTRIBUTIONS.has(name) && texts[at + 1] === 'kubectl') return { name: 'kubectl', args: at + 2 };
  if (name === 'minikube') {
    const sub = skipOptions(texts, at + 1, MINIKUBE_VALUED);
    if (texts[sub] !== 'kubectl') return undefined;
    // Its own options, then `--` (skipOptions steps past it): the rest are kubectl's.
    return { name: 'kubectl', args: skipOptions(texts, sub + 1, MINIKUBE_KUBECTL_VALUED) };
  }
  return undefined;
}

/**
 * The tool a command's words run (past `sudo`, `exec`, `command`), kubectl through its wrappers
 * (kubectlAt), and the words that are its arguments: how the patch reader and the env reader both
 * read a command (src/kubernetes/). Undefined when it is no tool they read (commandName).
 */
export function commandTool(words: readonly ResolvedWord[]): { tool: string; args: ResolvedWord[] } | undefined {
  const texts = words.map((w) => w.text);
  const i = pastPrefixes(texts);
  const word = words[i];
  if (word === undefined) return undefined;
  const k = kubectlAt(texts, i);
  if (k) return { tool: k.name, args: words.slice(k.args) };
  const tool = commandName(word);
  return tool === undefined ? undefined : { tool, args: words.slice(i + 1) };
}

/** sudo's options that take the next word (src/analysis/script-runs.ts reads sudo as a wrapper with them too). */
export const SUDO_VALUED: readonly string[] = ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--close-from', '--chdir', '--host', '--prompt', '--role', '--type', '--other-user', '--command-timeout'];

/**
 * Where a command's own words start past those that run it unchanged: `sudo` and its options
 * (`sudo -E`, `sudo -u deploy`), `exec`, `command`. The one reading of them for commandTool and
 * the here-document reader (kubectlSub). The last word is never stepped over.
 */
export function pastPrefixes(texts: readonly string[]): number {
  let i = 0;
  while (i < texts.length - 1) {
    if (texts[i] === 'exec' || texts[i] === 'command') i++;
    else if (baseName(texts[i]!) === 'sudo') i = Math.min(skipOptions(texts, i + 1, SUDO_VALUED), texts.length - 1);
    else break;
  }
  return i;
}

/** Where a here-document goes: `applied with kubectl apply`, `written to deploy.yaml`, `read by cat`, `read by kubectl delete`. */
export function heredocDestination(h: ShHeredoc, text: (w: ShWord) => string): string | undefined {
  const words = (ws: readonly ShWord[] | undefined) => (ws ?? []).map(text);
  for (const [ws, how] of [[words(h.command), 'applied with'], [words(h.pipedTo), 'piped to']] as const) {
    const k = kubectlSub(ws);
    if (k && APPLIES.has(k[1])) return `${how} ${k[0]} ${k[1]}`;
  }
  const readsOnly = heredocReadOnlyBy(h, text);
  if (readsOnly) return `${h.command && kubectlSub(words(h.command)) ? 'read by' : 'piped to'} ${readsOnly}`;
  if (h.writesTo) return `written to ${text(h.writesTo)}`;
  const name = words(h.command)[0];
  return name !== undefined ? `read by ${baseName(name)}` : undefined;
}

/**
 * The kubectl command (`kubectl delete`) when a here-document goes only to one that creates
 * nothing (READS_ONLY): its input (`kubectl delete -f - <<EOF`), or the input of a plain `cat`
 * whose output is piped straight to it and written nowhere else (`cat <<EOF | kubectl delete -f -`).
 * Nothing in the document runs then. Undefined otherwise (anything else may apply it, or write it
 * where something does: `| tee deploy.yaml | kubectl delete -f -` is not read so).
 */
export function heredocReadOnlyBy(h: ShHeredoc, text: (w: ShWord) => string): string | undefined {
  const command = (h.command ?? []).map(text);
  const own = kubectlSub(command);
  if (own) return READS_ONLY.has(own[1]) ? `${own[0]} ${own[1]}` : undefined;
  if (command[0] === undefined || baseName(command[0]) !== 'cat' || command.slice(1).some((w) => w !== '-') || h.writesTo || !h.pipedTo) return undefined;
  const piped = kubectlSub(h.pipedTo.map(text));
  return piped && READS_ONLY.has(piped[1]) ? `${piped[0]} ${piped[1]}` : undefined;
}

/** What holds a here-document (a script, a Dockerfile RUN), for the message and the hint. */
export interface HeredocHolder {
  /** `scripts`, `a RUN's here-documents`. */
  notRewritten: string;
  /** How the manifest gets out of it into a file the tool reads. */
  move: string;
}

export const SCRIPT_HOLDER: HeredocHolder = { notRewritten: 'scripts', move: 'move the manifest into a YAML file that the script applies (kubectl apply -f FILE), which the tool then migrates' };

/**
 * What to say about the mention of the binary at script offset `offset`, in here-document `body`
 * (heredocText: what the command reads), from the manifest rule's reports on that text;
 * undefined when no report covers it (the body is not a manifest, or the mention is not in one of
 * its objects). `inDoc` names the here-document and where it goes; `holder` what holds it and
 * what moving it out means.
 *
 * With an unquoted delimiter the shell expands `$X` and `$(…)` in the body before kubectl reads
 * it: a probe that holds one the tool could not resolve is not said to become any port, only that
 * it depends on the expansion; one it resolved says to what.
 */
export function heredocManifestFinding(manifest: Report[] | undefined, body: HeredocText, offset: number, inDoc: string, holder: HeredocHolder): { what: string; hint?: string; fixable: boolean } | undefined {
  let rel = 0;
  while (rel < body.text.length && body.at[rel]! < offset) rel++;
  const r = manifest?.find((m) => (m.covers?.[0] ?? m.start) <= rel && rel < (m.covers?.[1] ?? m.end ?? m.start + 1));
  if (!r) return undefined;
  const d = r.details ?? {};
  // Not a probe the manifest rule could read: a container command, a lifecycle hook, ….
  if (d.probe === undefined) return { what: `holds a Kubernetes manifest in ${inDoc}, where ${r.message}`, fixable: false };
  const move = `or ${holder.move}`;
  const where = `${String(d.probe)}${d.container !== undefined ? ` of container "${String(d.container)}"` : ''}`;
  const inProbe = body.expansions.filter((e) => e.start < (r.end ?? r.start + 1) && e.end > r.start);
  const open = [...new Set(inProbe.filter((e) => e.value === undefined).map((e) => shorten(e.written)))];
  if (open.length > 0) {
    const them = open.length === 1 ? open[0]! : `${open.slice(0, -1).join(', ')} and ${open[open.length - 1]!}`;
    return {
      what: `holds a Kubernetes manifest in ${inDoc} whose ${where} runs grpc_health_probe with ${them} in it, which the shell expands before the manifest is read (the here-document's delimiter is not quoted): what the probe would become depends on ${open.length === 1 ? 'its value' : 'their values'} when the script runs, which the tool cannot know; the tool does not rewrite ${holder.notRewritten}: change the probe there by hand`,
      hint: `Migrate the probe in the here-document by hand: replace its exec: with grpc: and the port (and service) that the command has once the shell has expanded ${them}, then run the tool again; ${move}.`,
      fixable: false,
    };
  }
  const known = [...new Map(inProbe.map((e) => [e.written, `${shorten(e.written)} to ${e.value}`])).values()];
  const expanded = known.length > 0 ? ` (the shell expands ${known.join(', ')}, as the script sets ${known.length === 1 ? 'it' : 'them'} before the here-document)` : '';
  if (r.fix && r.fix.length > 0) {
    // `mode: TLS` (--grpc-tls-mode) too: without it the kubelet would probe a TLS server in plaintext.
    // A service plain YAML reads as another type (`yes`, `on`, `123`) is written quoted.
    const target = `grpc: {port: ${String(d.port)}${d.service ? `, service: ${yamlString(String(d.service))}` : ''}${d.mode ? `, mode: ${String(d.mode)}` : ''}}`;
    // `grpc {port: 5000} (timeoutSeconds raised from 1 to 5 …)`, as the manifest rule says it.
    const becomes = r.message.slice(r.message.indexOf('→ ') + 2);
    return {
      what: `holds a Kubernetes manifest in ${inDoc} whose ${where} runs grpc_health_probe${expanded}; the tool does not rewrite ${holder.notRewritten}: change the probe there by hand to ${becomes}, or move the manifest into a file the tool reads`,
      hint: `Migrate the probe in the here-document by hand: replace its exec: with ${target}${d.timeoutSeconds !== undefined ? ` and set timeoutSeconds: ${String(d.timeoutSeconds)}` : ''}, then run the tool again; ${move}.`,
      fixable: true,
    };
  }
  const runs = `${where} runs grpc_health_probe`;
  const why = r.message.startsWith(runs) ? r.message.slice(runs.length) : `: ${r.message}`;
  return {
    what: `holds a Kubernetes manifest in ${inDoc} whose ${runs}${expanded}, which would stay on exec in a manifest file too${why}`,
    hint: `The tool does not rewrite ${holder.notRewritten}, and this probe cannot become native as it is (see the message): keep the binary, or change the probe in the here-document by hand once what blocks it is gone; ${move}.`,
    fixable: false,
  };
}

/**
 * A service name as a plain YAML scalar when it reads back as that string, else double-quoted:
 * `service: yes` would be a boolean, `service: 123` a number. The same rule as quote() in
 * src/kubernetes/probes.ts, which is not imported here: that module loads the YAML parser, which a
 * run over Dockerfiles and scripts alone does not (test/startup.test.ts).
 */
function yamlString(s: string): string {
  const reserved = /^(true|false|yes|no|on|off|y|n|null|~|[-+]?(\d|\.\d)[\d._eE+:-]*|0x[0-9a-fA-F_]+|0o[0-7]+|0b[01_]+|\.inf|\.nan)$/i;
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(s) && !reserved.test(s) ? s : JSON.stringify(s);
}

function shorten(written: string): string {
  const one = written.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}

/** Builtins that set or unset variables otherwise than `NAME=value`, or run code that may. */
const WRITERS = new Set(['read', 'unset', 'getopts', 'mapfile', 'readarray', 'eval', '.', 'source', 'let', 'export', 'declare', 'typeset', 'local', 'readonly', 'builtin', 'command']);

/**
 * The variables a here-document's expansions read, as far as the script shows them: set by a
 * top-level `NAME=value` of one literal value before the command that reads the document, and
 * not changed between (a conditional or prefix assignment, `read`, `unset`, `eval`, `source`, a
 * compound command, `A+=…`, a function defined, a here-document inside one: all unknown). A
 * variable that comes from the environment stays unknown.
 */
export function heredocVariables(script: ShScript, h: ShHeredoc, resolve: (w: ShWord, env: EnvLookup) => ResolvedWord): EnvLookup {
  const none: EnvLookup = () => undefined;
  const before = script.stmts.filter((s) => s.start <= h.opener);
  const holder = before[before.length - 1];
  if (!holder || holder.cmd.type === 'compound') return none;
  const known = new Map<string, string>();
  const lookup: EnvLookup = (name) => known.get(name);
  for (const stmt of before) {
    if (stmt.cmd.type === 'compound') {
      if (stmt.cmd.what === 'FuncDecl') return none;
      known.clear();
      continue;
    }
    const plain = stmt !== holder && stmt.cmd.type === 'call' && stmt.cmd.args.length === 0 && !stmt.negated && !stmt.background;
    for (const call of stmt.calls) {
      const name = call.args[0] ? resolve(call.args[0], none).text : undefined;
      if (name !== undefined && (WRITERS.has(baseName(name)) || (name === 'printf' && call.args.some((w) => resolve(w, none).text === '-v')))) known.clear();
      for (const a of call.assigns) {
        const v = plain && !a.append ? (a.value ? resolve(a.value, lookup) : { text: '', unresolved: [] }) : undefined;
        if (v && v.unresolved.length === 0) known.set(a.name, v.text);
        else known.delete(a.name);
      }
    }
  }
  return lookup;
}

export function skipOptions(words: readonly string[], from: number, valued: readonly string[]): number {
  let i = from;
  while (i < words.length && words[i]!.startsWith('-') && words[i] !== '-') {
    if (words[i] === '--') return i + 1;
    i += valued.includes(words[i]!) ? 2 : 1;
  }
  return i;
}

/**
 * A kubectl command line's words after the program: its options (`-n x`, `--type=json`; `valued`
 * says which take the next word) by name, and its other words, in order (all words after `--`).
 */
export function kubectlArgs(words: readonly ResolvedWord[], valued: ReadonlySet<string>): { opts: Map<string, ResolvedWord[]>; operands: ResolvedWord[] } {
  const opts = new Map<string, ResolvedWord[]>();
  const operands: ResolvedWord[] = [];
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!.text;
    if (w === '--') {
      operands.push(...words.slice(j + 1));
      break;
    }
    if (w.startsWith('-') && w !== '-') {
      const eq = w.indexOf('=');
      const key = eq > 0 ? w.slice(0, eq) : w;
      const value = eq > 0 ? { ...words[j]!, text: w.slice(eq + 1) } : valued.has(w) ? words[++j] : undefined;
      if (value) opts.set(key, [...(opts.get(key) ?? []), value]);
      continue;
    }
    operands.push(words[j]!);
  }
  return { opts, operands };
}

/** kubectl patch's options that take a value (its own and kubectl's global ones). */
export const PATCH_VALUED: ReadonlySet<string> = new Set([
  ...KUBECTL_GLOBALS,
  '-p', '--patch', '--patch-file', '--type', '-f', '--filename', '-l', '--selector', '-k', '--kustomize', '--subresource', '--field-manager', '-o', '--output', '--template',
]);

/**
 * kubectl set env's options that take a value (its own and kubectl's global ones). Not
 * `--dry-run`: bare, it means `client` and takes no next word (`--dry-run=server` is one word).
 */
export const SET_ENV_VALUED: ReadonlySet<string> = new Set([
  ...KUBECTL_GLOBALS,
  '-c', '--containers', '-e', '--env', '--from', '--keys', '--prefix', '-f', '--filename', '-k', '--kustomize', '-l', '--selector', '-o', '--output', '--field-selector', '--resource-version', '--template', '--field-manager',
]);

/**
 * The tool a command word names: its base name (`/usr/local/bin/kubectl`, `$(LOCALBIN)/kubectl`),
 * or for a word known only at run time that is one variable (`$KUBECTL`, `${KUBECTL:-kubectl}`,
 * make's `$(KUBECTL)`), the tool its name ends in (`KUBECTL`, `OC`, `YQ_BIN` no). The patch
 * reader and the env-command reader both find their tool so (src/kubernetes/).
 */
export function commandName(word: ResolvedWord): string | undefined {
  const name = baseName(word.text);
  if (READ_TOOLS.includes(name)) return name;
  if (KUBECTL_ALIASES.has(name)) return 'kubectl';
  if (word.unresolved.length === 0) return undefined;
  const v = /^\$(?:\{([A-Za-z_]\w*)\}|\(([A-Za-z_][\w.-]*)\)|([A-Za-z_]\w*))$/.exec(word.text);
  const variable = (v?.[1] ?? v?.[2] ?? v?.[3])?.toLowerCase();
  if (variable === undefined) return undefined;
  if (variable.endsWith('kubectl')) return 'kubectl';
  return VARIABLE_TOOLS.find((t) => variable === t || variable.endsWith(`_${t}`));
}

export function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

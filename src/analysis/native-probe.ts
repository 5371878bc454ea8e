/**
 * One analysis of an exec probe's command, shared by every rule that rewrites probes
 * (YAML, Helm, JSON, TypeScript): what native `grpc` probe it becomes, or what blocks it.
 */
import type { BlockerCode } from '../types.js';
import { QUOTED_HOST_NETWORK_HINT } from '../blockers.js';
import { isBinaryPath, isScriptNamedAfterBinary } from './binary.js';
import { parseGoDuration } from './duration.js';
import { readTimeoutCommand, type TimeoutCommand } from './timeout-command.js';
import { classifyHost, parseAddr, parseProbeArgs } from './probe-args.js';
import { analyzeShellScript, type EnvLookup, type ResolvedWord } from './shell.js';
import { findActions } from '../helm/mask.js';
import { kubeVersionSupportsGrpc, NATIVE_GRPC_MIN } from './kube-version.js';

export type PortValue =
  | { kind: 'number'; value: number }
  /** Source text that evaluates to the port: a Helm action or a TypeScript expression. */
  | {
      kind: 'expression';
      text: string;
      /** `${VAR}` that a Flux Kustomization building the file fills in with a number (src/kustomize/flux-substitute.ts). */
      flux?: true;
    };

export interface Blocker {
  code: BlockerCode;
  detail: string;
  /** What to do about this blocker here, where the code's own hint (src/blockers.ts) does not say it. */
  hint?: string;
}

export interface NativePlan {
  /** How many times the command runs the binary (0 when it only mentions it). */
  invocations: number;
  blockers: Blocker[];
  /** Non-blocking: what is lost or changed. */
  notes: string[];
  /**
   * The notes a blocked probe keeps: advice that holds either way (a loopback -addr), without the
   * notes that describe the rewrite (timeoutSeconds raised, mode: TLS, flags lost, a wrapper
   * going). The same as notes when the plan has blockers; a caller that blocks the probe after
   * the plan (a chart's kubeVersion, a CRD without grpc) says these instead. Absent: the same as notes.
   */
  blockedNotes?: string[];
  grpc?: { port: PortValue; service?: string; mode?: 'TLS' };
  /** Set when the probe's timeoutSeconds must be raised to keep the binary's timeouts. */
  timeoutSeconds?: { from: number; to: number };
  /** -addr dials the local host (loopback, or an empty host / 0.0.0.0): on the host's network (hostNetwork) that would block it. */
  loopback?: boolean;
  /**
   * -addr dials the downward API's status.hostIP, which is the pod's IP only on the host's network
   * (hostNetwork: true): an overlay that takes the pod off it would block it.
   */
  hostIp?: boolean;
  /** The loopback address -addr names (`localhost`, `127.0.0.1`, `[::1]`), not an empty host or 0.0.0.0. */
  loopbackHost?: string;
  /** Whole seconds the binary's -connect-timeout/-rpc-timeout ask for, when given: what timeoutSeconds must be at least. */
  timeoutNeeded?: number;
}

/** A value the tool can read but does not edit: `{{ .Values.probeTimeout }}` (1 in values.yaml), `TIMEOUT` (const TIMEOUT = 1). */
export interface FixedNumber {
  value: number;
  /** As written, for messages. */
  source: string;
  /** Where to raise it, when that is not where it is written (a values path no values file sets). */
  where?: string;
}

/** See PlanInput.envSource. */
export type EnvSource = { fieldRef: string } | { valueFrom: string } | 'absent';

export interface PlanInput {
  argv: readonly string[];
  /** Literal env values of the container (kubelet `$(VAR)` and shell `$VAR`). */
  env?: EnvLookup;
  /**
   * Where a variable with no literal value comes from: the downward API's field (`fieldRef:
   * status.podIP`), or 'absent' when the container's env is read in full (no envFrom, no merge)
   * and does not set it. Undefined: unknown (another valueFrom, envFrom, an entry not read).
   */
  envSource?: (name: string) => EnvSource | undefined;
  /**
   * A variable's value as the container's process (a shell) sees it, where its entry refers to
   * earlier ones (`ADDR: "$(POD_IP):50051"`, expanded when the container starts): literal text and
   * downward-API pieces by the entry that holds them. Never for the kubelet's own `$(ADDR)`.
   */
  envExpansion?: (name: string) => ReadonlyArray<{ lit: string } | { ref: string; field: string }> | undefined;
  /**
   * The value as written of a variable whose entry refers to others or escapes one (`ADDR:
   * "$(POD_IP):50051"`): what the kubelet puts for the kubelet's own `$(ADDR)` in an exec probe's
   * command, which it expands once, from the entries' values as written.
   */
  envWritten?: (name: string) => string | undefined;
  kubeVersion: string;
  /**
   * The probe's timeoutSeconds: a number, absent (default 1), not knowable (templated), or a
   * number the tool reads through something it does not rewrite (a chart value, a constant).
   */
  timeoutSeconds?: number | 'unknown' | FixedNumber;
  /** How an 'unknown' timeoutSeconds is written, for messages (default: templated). */
  timeoutSecondsText?: string;
  /** Turns a port text the tool cannot read as a number into source text (Helm, TypeScript). */
  resolvePortExpression?: (text: string) => string | undefined;
  /**
   * The target clusters enable the GRPCContainerProbeTLS gate (KEP-4939): `grpc.mode: TLS`
   * connects with TLS and never verifies the server, so it stands in for `-tls -tls-no-verify`
   * and for nothing that verifies or authenticates.
   */
  tlsMode?: boolean;
  /** The probe is a merge patch's: an absent timeoutSeconds is the base probe's, not the default 1. */
  timeoutFromBase?: boolean;
  /** Text the caller could not read (a TypeScript expression's placeholder): what it holds is unknown. */
  opaque?: (text: string) => boolean;
  /**
   * The pod uses the host's network (its IP is the node's), or may: hostNetwork is not a literal,
   * or is a quoted string ('string', which the API server rejects: what was meant is unknown).
   */
  hostNetwork?: boolean | 'unknown' | 'string';
  /** Why an 'unknown' hostNetwork is unknown, for messages (default: not a literal the tool can read, templated, an alias, merged in). */
  hostNetworkText?: string;
  /** The command is a Helm template's: each `{{ … }}` in a `sh -c` script prints one word there. */
  templateActions?: boolean;
  /**
   * `${NAME}` is a parameter of the file (an OpenShift Template's, which `oc process` fills), not
   * shell syntax: the names `oc process` substitutes inside a `sh -c` script before a shell reads
   * it (declared parameters whose value, if any, is a word the shell leaves as it is).
   */
  templateParameters?: ReadonlySet<string>;
}

/** A template action that prints its value in quotes (`{{ .Values.x | quote }}`, `{{ squote .Values.x }}`). */
function quotingAction(text: string): boolean {
  return findActions(text).actions.some((a) => /(?:^\{\{-?\s*|\|\s*)s?quote\b/.test(a.text));
}

/** A value wrapped in one kind of quotes, as a shell would have removed them. */
const QUOTED = /^(["']).*\1$/s;
/**
 * How the note on a sub-second -connect-timeout/-rpc-timeout starts: a caller that knows the
 * native deadline is not timeoutSeconds (Knative's queue-proxy) drops it by this.
 */
export const SUB_SECOND_NOTE = 'deadline raised from';
/** timeoutSeconds is an int32 in the API. */
const INT32_MAX = 2147483647;
/** Options the binary accepts only together with -tls. */
const TLS_OPTIONS = ['tls-no-verify', 'tls-ca-cert', 'tls-client-cert', 'tls-server-name'];
/** Transport options that are booleans: on only when true; the others are on when not empty. */
const BOOL_TLS_OPTIONS = new Set(['tls', 'tls-no-verify', 'alts', 'spiffe']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);
const NO_ENV: EnvLookup = () => undefined;

/** How the binary dials -addr's host: an empty host and 0.0.0.0 reach the local host, as loopback does. */
function dialsLocal(host: string): string {
  return classifyHost(host) === 'any' ? 'dials the local host (an empty host or 0.0.0.0 connects locally, as 127.0.0.1 does)' : 'checks loopback';
}

export function planNativeProbe(input: PlanInput): NativePlan {
  const env = input.env ?? NO_ENV;
  const blockers: Blocker[] = [];
  const notes: string[] = [];
  /**
   * Notes that describe the rewrite (timeoutSeconds raised, mode: TLS written, what the binary did
   * that the kubelet will not): said only when the probe migrates. A blocked probe keeps exec as
   * it is, and its message must not speak of edits that were not made.
   */
  const editNotes = new Set<string>();
  /** A note as a blocked probe says it, where the migrating one speaks of the native probe. */
  const blockedVariants = new Map<string, string>();
  const editNote = (note: string) => {
    editNotes.add(note);
    notes.push(note);
  };
  const argv = input.argv.map((a) => expandKubeletVars(a, env));
  const unresolvedArgv = input.argv.map((a) => unresolvedKubeletVars(a, env));
  let args: ResolvedWord[];
  let invocations = 1;
  // Said only when the probe migrates: a blocked probe keeps its wrapper.
  let wrapperNote: string | undefined;
  /** The command word that runs the binary. */
  let program: string;
  /** The kubelet runs the binary itself: quotes in an item are part of the argument. */
  let noShell = false;
  /** Variables the shell script sets itself (an assignment, a `for` variable, `read`): not the env's values. */
  let shellSets: ReadonlySet<string> | undefined;

  /** `timeout DURATION grpc_health_probe …`: the deadline it put on the check. */
  let deadline: TimeoutCommand | undefined;
  const shellAt = shellScriptIndex(argv);
  const timeoutCall = readTimeoutCommand(argv);
  // `{{ .Values.probeBin | default "/bin/grpc_health_probe" }}`: the spaces are inside a Helm
  // action, which renders as one word; what that word is depends on the values.
  // Outside a Helm template `{{` is literal text: the kubelet looks for a file of that name.
  const { actions, outside: outsideActions } = argv.length > 0 && input.templateActions ? helmActions(argv[0]!) : { actions: [] as string[], outside: argv[0] ?? '' };
  if (argv.length > 0 && isBinaryPath(argv[0]!, 'exec') && /\s/.test(argv[0]!) && !/\s/.test(outsideActions) && !isBinaryPath(outsideActions, 'exec')) {
    blockers.push({
      code: 'unparseable',
      detail: `its program "${argv[0]!.trim()}" is templated: it renders as one word, but which program that is depends on the chart's values (grpc_health_probe only where they leave the default), so the tool cannot tell what the probe runs; write the binary's path as the first command item to migrate it, or keep the exec probe if the values name another program`,
    });
    return { invocations: 1, blockers, notes };
  }
  if (argv.length > 0 && isBinaryPath(argv[0]!, 'exec') && /\s/.test(outsideActions)) {
    // `command: ["/bin/grpc_health_probe -addr=:5000"]`: one item. The kubelet runs no shell, so
    // it looks for a file of that whole name; the probe fails today, whatever the flags say.
    let n = 0;
    const name = outsideActions.trim().split(/\s+/)[0]!.replace(/\uE000/g, () => actions[n++] ?? '');
    blockers.push({
      code: 'unparseable',
      detail: `its first command item "${argv[0]}" holds spaces: the kubelet runs no shell, so it looks for a file of that whole name and the probe fails today; split it into one item per word (["${name}", ...])`,
    });
    return { invocations: 1, blockers, notes };
  }
  // The kubelet runs an exec-form item itself: `C:\grpc_health_probe.exe` is a Windows path.
  if (argv.length > 0 && isBinaryPath(argv[0]!, 'exec')) {
    args = argv.slice(1).map((text, i) => ({ text, unresolved: unresolvedArgv[i + 1]! }));
    program = argv[0]!;
    noShell = true;
  } else if (timeoutCall && isBinaryPath(argv[timeoutCall.command]!, 'exec') && unresolvedArgv.slice(0, timeoutCall.command).every((u) => u.length === 0)) {
    // `["timeout", "5", "grpc_health_probe", …]`: the kubelet runs timeout, which runs the binary.
    deadline = timeoutCall;
    args = argv.slice(timeoutCall.command + 1).map((text, i) => ({ text, unresolved: unresolvedArgv[timeoutCall.command + 1 + i]! }));
    program = argv[timeoutCall.command]!;
    noShell = true;
  } else if (shellAt !== undefined) {
    // `-addr=localhost:{{ $port }}` in a chart's script: the shell reads what the action prints,
    // not the action's own words (`$port` is no shell variable), so each action is one word to it.
    // `-addr=:${GRPC_PORT}` in an OpenShift Template's script: oc process writes the parameter's
    // value into the string before any shell reads it, so it is a word there, as in an exec item.
    const masked = input.templateActions ? templateWords(argv[shellAt]!) : input.templateParameters ? parameterWords(argv[shellAt]!, input.templateParameters) : undefined;
    const restore = masked?.restore ?? ((t: string) => t);
    const shell = analyzeShellScript(masked?.script ?? argv[shellAt]!, env);
    invocations = shell.invocations.length;
    if (shell.error) {
      blockers.push({ code: 'unparseable', detail: shell.tooLarge ? `the shell script is ${shell.error}; migrate this probe by hand` : `the shell script does not parse: ${restore(shell.error)}` });
      return { invocations, blockers, notes };
    }
    if (invocations === 0) {
      const through = shell.runsThrough && restore(shell.runsThrough);
      blockers.push(
        through
          ? { code: 'unparseable', detail: `the script runs the binary through ${through}, which the tool does not read` }
          : { code: 'not-a-probe', detail: 'the script mentions the binary but never runs it as a command' },
      );
      return { invocations, blockers, notes };
    }
    if (invocations > 1) {
      blockers.push({
        code: 'chained',
        detail: `the script runs grpc_health_probe ${invocations} times; a native probe checks one service`,
      });
    } else if (!shell.plain) {
      blockers.push({ code: 'exit-code', detail: shell.logic ? restore(shell.logic) : 'the script adds logic around the probe' });
    } else if (argv.length > 0) {
      wrapperNote = `the ${basename(argv[0]!)} -c wrapper added nothing and goes`;
    }
    deadline = shell.invocations[0]!.timeout;
    shellSets = shell.sets;
    args = shell.invocations[0]!.args.map((a) => ({ ...a, text: restore(a.text), ...(a.written !== undefined ? { written: restore(a.written) } : {}) }));
    // `$(POD_IP)` in the script the shell reads: either the kubelet's own `$(POD_IP)`, which it
    // replaced with the entry's empty static value before the shell ran (a valueFrom entry), or a
    // command substitution the shell runs (`$$(POD_IP)`, which the kubelet turns into `$(POD_IP)`,
    // or a name the container's env does not set, which the kubelet leaves as written).
    const script = input.argv[shellAt]!;
    args = args.map((a) => a.substitutions === undefined ? a : {
      ...a,
      unresolved: a.unresolved.map((u) => {
        const m = /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(u);
        if (!m || !a.substitutions!.includes(u)) return u;
        // The kubelet's own `$(ADDR)` of an entry that refers to others: it puts the value in as written (below).
        if (input.envWritten?.(m[1]!) !== undefined && kubeletReferences(script, m[1]!).some((escaped) => !escaped)) return u;
        return kubeletEmptied(script, m[1]!, input.envSource) ? u : `the command substitution ${u}`;
      }),
    });
    // `-addr=$ADDR` with `ADDR: "$(POD_IP):50051"`: the shell reads the value the kubelet expanded
    // when the container started, `<pod IP>:50051`; read as if the script said `$POD_IP:50051`.
    if (input.envExpansion) {
      const expansion = input.envExpansion;
      args = args.map((a) => expandEntries(a, expansion, shellSets, notes, input.envSource));
    }
    program = restore(shell.invocations[0]!.program);
  } else {
    const shellOptions = argv.length > 0 && SHELLS.has(basename(argv[0]!)) ? argv.slice(1).filter((a) => /^[-+]/.test(a)) : [];
    blockers.push({
      code: 'unparseable',
      detail:
        shellOptions.length > 0
          ? `the command runs ${argv[0]} with options the tool does not read as a plain wrapper (${shellOptions.join(' ')}): -n never runs the script, -l and -i read profiles, -r restricts commands`
          : argv.slice(1).some((a) => isBinaryPath(a, 'exec'))
            ? // `["timeout", "5", "grpc_health_probe", …]`: as `timeout 5 grpc_health_probe …` in a script.
              `the command runs the binary through ${argv[0]}, which the tool does not read`
            : argv[0] !== undefined && /\s/.test(argv[0].trim())
              ? // `["grpc_health_probe -addr=:5000 -rpc-header …"]`: one item is one program's name. Only its
                // first word is quoted: the rest may hold a header value, and would span lines.
                `the command's first item is a whole command line ("${argv[0].trim().split(/\s/)[0]} …"), which is run as the name of one program: that fails today (write one item per word, or run it with sh -c)`
              : `the command runs ${argv[0] ?? '(nothing)'}, not grpc_health_probe, and the tool cannot see what it does with the binary`,
    });
    return { invocations: 0, blockers, notes };
  }

  if (isScriptNamedAfterBinary(program, noShell ? 'exec' : 'shell')) {
    // A wrapper may add TLS flags, another host, its own exit codes: its flags are not the binary's.
    blockers.push({ code: 'unparseable', detail: `${program} is a script named after the binary, not the binary: what it runs is not visible in the probe` });
    return { invocations, blockers, notes };
  }

  const knownLater = (a: ResolvedWord) => a.unresolved.length > 0 || isTemplated(a.text) || input.opaque?.(a.text) === true;
  const parsed = parseProbeArgs(
    args.map((a) => a.text),
    (i) => knownLater(args[i]!),
  );
  if (parsed.error) blockers.push({ code: 'unparseable', detail: `${parsed.error}; the probe fails today` });
  for (const i of parsed.runTimeBooleans) {
    blockers.push({ code: 'unparseable', detail: `${args[i]!.text} is only known when the probe runs or its template or code is evaluated (a chart rendered, Terraform or Jsonnet evaluated, code run): the tool cannot tell whether it turns that option on` });
  }
  if (parsed.unknown.length > 0) {
    // The binary parses its flags with flag.ContinueOnError and exits 1 on any error: an unknown
    // flag, and -h/-help too (Go answers them with the usage text and flag.ErrHelp). It never gets
    // to -addr or -version, so each of these is the reason, and the probe fails today once.
    const what = parsed.unknown.map((name) =>
      name === 'h' || name === 'help'
        ? `-${name} prints the binary's usage and exits 1 without checking anything`
        : `-${name} is not a flag of grpc_health_probe${name === 'conn-timeout' ? ' (an early upstream README wrote it for -connect-timeout)' : ''}`,
    );
    blockers.push({ code: 'unparseable', detail: `${what.join('; ')}; the probe fails today` });
  }
  // Where Go stops reading flags, an argument that is only known later (a chart value, a shell or
  // kubelet variable, a TypeScript expression) may expand to flags (`-tls -tls-no-verify`): what
  // the binary then does cannot be seen, so the probe cannot be planned.
  const stop = parsed.stoppedAt !== undefined ? args[parsed.stoppedAt] : undefined;
  /** Go read every flag: the binary gets past its flag parsing (no error, no unknown flag, nothing only known later). */
  const flagsParsed = !parsed.error && parsed.unknown.length === 0 && parsed.runTimeBooleans.length === 0 && !(stop && knownLater(stop));
  if (flagsParsed && parsed.flags.get('version') === 'true') {
    // The binary prints its version and exits 0 right after parsing its flags, before it checks
    // -addr or any other option: the probe passes whatever the rest says, and checks nothing.
    blockers.push({
      code: 'exit-code',
      detail: '-version prints the version and exits 0 before the binary checks anything else, so the probe always passes today: it never checked the service',
      hint: 'This probe checks nothing today. To check the server, write grpc: {port: N} (its gRPC port) by hand, or drop -version and give -addr; either then passes only on SERVING, so it may fail where the exec never did.',
    });
    return { invocations, blockers, notes: [] };
  }
  if (stop && knownLater(stop)) {
    const what = stop.unresolved.length > 0 ? stop.unresolved.join(', ') : args.slice(parsed.stoppedAt).map((a) => a.text).join(' ');
    blockers.push({ code: 'unparseable', detail: `${what} is only known when the probe runs or its template or code is evaluated (a chart rendered, Terraform or Jsonnet evaluated, code run), and stands where the binary reads flags: it may add flags such as -tls or -addr` });
  } else if (stop) {
    // `-addr=:5000 foo -tls`: Go never reads -tls, so the binary checked plaintext; say so, since
    // whoever wrote it meant something by it.
    const ignored = args.slice(parsed.stoppedAt! + 1).filter((a) => /^--?[A-Za-z]/.test(a.text)).map((a) => a.text);
    if (ignored.length > 0) {
      const note = `the binary stops reading flags at "${stop.text}", a word that is not a flag, so it never used ${ignored.join(' ')}`;
      notes.push(`${note}: the native probe checks what it checked`);
      // Blocked, there is no native probe to speak of.
      blockedVariants.set(notes[notes.length - 1]!, note);
    }
  }
  const flag = (name: string) => parsed.flags.get(name);
  /** A flag's value as the script wrote it, where it holds an expansion the text shortens (`${PORT:-50051}`). */
  const writtenValue = (name: string): string | undefined => {
    const i = parsed.valueAt.get(name);
    const w = i === undefined ? undefined : args[i]?.written;
    if (w === undefined) return undefined;
    const m = /^--?[A-Za-z][\w-]*=(.*)$/s.exec(w);
    return m ? m[1] : w;
  };
  // Go keeps a flag's last value: the argument that holds it is the one whose variables count.
  const unresolvedIn = (name: string): string[] => {
    const i = parsed.valueAt.get(name);
    return i === undefined ? [] : (args[i]?.unresolved ?? []);
  };

  // Transport and authentication: the kubelet dials plaintext, with no metadata. An option at its
  // zero value (`-tls-no-verify=false`, `-tls-ca-cert=`) is what the binary does without it.
  const on = (name: string) => flag(name) !== undefined && flag(name) !== '' && (!BOOL_TLS_OPTIONS.has(name) || flag(name) === 'true');
  const tlsFlags = [...parsed.flags.keys()].filter((k) => (k === 'tls' || k.startsWith('tls-')) && on(k));
  let mode: 'TLS' | undefined;
  const rejected = rejectedTransport(on, parsed.rpcHeaders);
  if (rejected.length > 0) {
    // The binary checks these before it dials (exit 1, "specified -tls-no-verify without
    // specifying -tls"): such a probe never passes today, whatever it would have checked.
    blockers.push({ code: 'unparseable', detail: `${rejected.join('; ')}: the binary rejects its arguments (exit 1), so the probe fails today` });
  } else {
    if (tlsFlags.length > 0) {
      const unverified = on('tls') && on('tls-no-verify') && tlsFlags.every((f) => f === 'tls' || f === 'tls-no-verify');
      if (input.tlsMode && unverified) {
        mode = 'TLS';
        editNote('-tls -tls-no-verify becomes grpc.mode: TLS, which needs the GRPCContainerProbeTLS feature gate on every target cluster');
      } else {
        const why = input.tlsMode
          ? `; grpc.mode: TLS never verifies the server nor sends a client certificate, so it cannot stand in for ${tlsFlags.filter((f) => f !== 'tls' && f !== 'tls-no-verify').map((f) => '-' + f).join(', ') || '-tls without -tls-no-verify'}`
          : "; the kubelet's gRPC probe connects without TLS";
        blockers.push({ code: 'tls', detail: `uses ${tlsFlags.map((f) => '-' + f).join(', ')}${why}` });
      }
    }
    if (on('spiffe')) blockers.push({ code: 'spiffe', detail: 'uses -spiffe (mTLS from the SPIFFE workload API)' });
    if (on('alts')) blockers.push({ code: 'alts', detail: 'uses -alts (Google ALTS transport)' });
  }
  if (parsed.rpcHeaders.length > 0) {
    blockers.push({
      code: 'rpc-header',
      detail: `sends ${parsed.rpcHeaders.length} -rpc-header value(s) (redacted); the kubelet sends no metadata`,
    });
  }

  // Address → port.
  let port: PortValue | undefined;
  let loopback = false;
  let hostIp = false;
  let loopbackHost: string | undefined;
  const addr = flag('addr');
  if (addr === undefined) {
    // Go gave up before -addr when an argument before it did not parse: that error is the reason.
    // A word only known later where Go reads flags may be -addr itself: not missing, unknown (said above).
    // An unknown flag (-h too) made the binary exit before it looks at -addr: said above.
    if (!parsed.error && parsed.unknown.length === 0 && !(stop && knownLater(stop))) blockers.push({ code: 'unparseable', detail: '-addr is missing; the probe fails today' });
  } else if (noShell && QUOTED.test(addr)) {
    // `- -addr=":5000"`, shell quoting copied into an exec list: the binary dials `":5000"`.
    blockers.push({ code: 'unparseable', detail: `-addr=${addr} holds quote characters: the kubelet runs no shell, so they are part of the address the binary dials and the probe fails today (write -addr=${addr.slice(1, -1)})` });
  } else if (addr === '') {
    blockers.push({ code: 'unparseable', detail: '-addr is empty: the binary exits 1 ("-addr not specified"), so the probe fails today' });
  } else if (unresolvedIn('addr').length > 0) {
    // As written: `${PORT:-50051}` keeps its default in the message.
    const shownAddr = writtenValue('addr') ?? addr;
    // `$(POD_IP):5000`: a literal port after a host the tool cannot read is a host question.
    const hostOnly = /^(.*):(\d+)$/.exec(addr);
    // `$(MISSING)` that the container's env does not set: the kubelet leaves the text as it is.
    const absent = noShell ? unresolvedIn('addr').filter((u) => /^\$\(/.test(u) && input.envSource?.(u.slice(2, -1)) === 'absent') : [];
    // `$(ADDR)` whose entry refers to others (`ADDR: "$(POD_IP):50051"`): the kubelet puts the value
    // in as written (it expands an exec probe's command once, from the entries' values as written),
    // so the binary dials `$(POD_IP):50051`; the container's process (a shell) sees it expanded.
    const written = unresolvedIn('addr').filter((u) => /^\$\(/.test(u) && input.envWritten?.(u.slice(2, -1)) !== undefined);
    const name = hostOnly ? hostVariable(hostOnly[1]!, unresolvedIn('addr')) : undefined;
    const source = name !== undefined ? input.envSource?.(name) : undefined;
    const field = source !== undefined && source !== 'absent' && 'fieldRef' in source ? source.fieldRef : undefined;
    // Only a shell reads the container's environment, where the downward API has set the value.
    // The kubelet expands `$(VAR)` in an exec probe's command from literal env values only
    // (ExpandContainerCommandOnlyStatic: "This does *not* include valueFrom substitutions"): a
    // variable set by valueFrom becomes empty there, so `$(POD_IP):5000` dials the local host today.
    const kubeletForm = hostOnly !== null && /^\$\(/.test(hostOnly[1]!);
    // `POD_IP=127.0.0.1; grpc_health_probe -addr=$POD_IP:50051`: the script's value, not the downward API's.
    const setInScript = name !== undefined && !kubeletForm && shellSets?.has(name) === true;
    const what = name !== undefined && field !== undefined && !kubeletForm && !setInScript ? `${hostOnly![1]} (the downward API's ${field})` : undefined;
    const substituted = hostOnly ? /^\$\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(hostOnly[1]!) : null;
    const commandHost = substituted !== null && !noShell && unresolvedIn('addr').includes(`the command substitution ${hostOnly![1]}`);
    if (setInScript && !hostOnly![2]!.includes('$')) {
      blockers.push({
        code: 'host',
        detail: `-addr=${shownAddr} takes its host from $${name}, which the script sets itself (an assignment, a loop's variable or read, on some of its paths at least), so where the probe runs it may hold the script's value${field !== undefined ? ` rather than the downward API's ${field}` : ''}, and the tool does not follow the script; the kubelet dials the pod's own IP (the node's on the host's network): write grpc: {port: ${hostOnly![2]}} by hand if the server answers there`,
      });
    } else if (commandHost && !hostOnly![2]!.includes('$')) {
      // `$$(POD_IP)` (the kubelet turns `$$` into `$`) or `$(POD_IP)` the env does not set (left as
      // written): the shell runs a command named POD_IP and puts its output there.
      const v = substituted![1]!;
      const how = escapedInScript(input.argv[shellAt!] ?? '', v)
        ? `the kubelet turns $$(${v}) into $(${v}), which the shell runs as a command substitution`
        : input.envSource?.(v) === 'absent'
          ? `the container's env does not set ${v}, so the kubelet leaves $(${v}) as written and the shell runs it as a command substitution`
          : `the shell runs $(${v}) as a command substitution`;
      blockers.push({
        code: 'host',
        detail: `-addr=${shownAddr}: ${how}: it runs a command named ${v} and puts its output in the host; where the image has no such command the host is empty and the binary dials the local host (-addr=:${hostOnly![2]}) today, while the native probe dials the pod's IP (the node's on the host's network): to dial the pod's IP, ${typeof input.envSource?.(v) === 'object' ? `read ${v}, which the container's env sets, as the shell's variable` : `set ${v} from the downward API (valueFrom: {fieldRef: {fieldPath: status.podIP}}) and read it as the shell's variable`} (-addr=$${v}:${hostOnly![2]}), then run the tool again, or write grpc: {port: ${hostOnly![2]}} by hand if the server answers there too`,
      });
    } else if (written.length > 0) {
      const values = written.map((v) => [v, input.envWritten!(v.slice(2, -1))!] as const);
      const gets = values.reduce((t, [v, value]) => t.split(v).join(value), addr);
      const uses = `-addr=${shownAddr} uses ${noShell ? '' : "the kubelet's "}${values.map(([v, value]) => `${v}, whose env value ${JSON.stringify(value)} refers to other variables`).join(', ')}: the kubelet fills an exec probe's $(…) from the env's values as written and does not expand them again (only the container's process sees them expanded)`;
      const first = values[0]![0].slice(2, -1);
      blockers.push(
        noShell
          ? {
              code: 'unparseable',
              detail: `${uses}, so the binary gets -addr=${gets} and the probe fails today`,
              hint: `Write the address in the probe itself (the kubelet expands $(VAR) there from literal env values only; a valueFrom variable is empty there), or read the variable in a shell, whose environment holds the expanded value (sh -c "exec grpc_health_probe -addr=$${first}"), and run the tool again.`,
            }
          : {
              code: 'unparseable',
              detail: `${uses}, so the shell reads -addr=${gets} and runs each $(…) there as a command substitution: the binary does not dial the address the variable holds`,
              hint: `Read the shell's variable instead of the kubelet's (-addr=$${first}, without parentheses): the shell's environment holds the value the kubelet expanded when the container started. Then run the tool again.`,
            },
      );
    } else if (absent.length > 0) {
      blockers.push({ code: 'unparseable', detail: `-addr=${shownAddr} uses ${absent.join(', ')}, which the container's env does not set: unless something merges ${absent.length > 1 ? 'them' : 'it'} in (a Kustomize patch, an operator), the kubelet passes ${absent.length > 1 ? 'them' : 'it'} as written, so the binary dials that text and the probe fails today` });
    } else if (hostOnly && name !== undefined && typeof source === 'object' && kubeletForm && !hostOnly[2]!.includes('$')) {
      const setBy = 'fieldRef' in source ? `the downward API sets (${source.fieldRef})` : `its valueFrom sets (${source.valueFrom})`;
      blockers.push({
        code: 'host',
        detail: noShell
          ? `-addr=${addr} takes its host from ${hostOnly[1]}, which ${setBy}; but the kubelet expands $(…) in an exec probe's command from literal env values only, so ${hostOnly[1]} is empty there and the binary dials the local host (-addr=:${hostOnly[2]}) today, while the native probe dials the pod's IP (the node's on the host's network): write grpc: {port: ${hostOnly[2]}} by hand if the server answers there too, or read the variable in a shell (sh -c "grpc_health_probe -addr=\${${name}}:${hostOnly[2]}"), where it has its value, and run the tool again`
          : `-addr=${addr} takes its host from the kubelet's ${hostOnly[1]}, which ${setBy}; but the kubelet expands $(…) in an exec probe's command from literal env values only, so it replaces ${hostOnly[1]} with an empty value before the shell runs: the shell gets -addr=:${hostOnly[2]} and the binary dials the local host today, while the native probe dials the pod's IP (the node's on the host's network): write grpc: {port: ${hostOnly[2]}} by hand if the server answers there too, or read the shell's variable instead (-addr=$${name}:${hostOnly[2]}), where it has its value, and run the tool again`,
      });
    } else if (hostOnly && what && (field === 'status.podIP' || (field === 'status.hostIP' && input.hostNetwork === true))) {
      // The kubelet dials status.podIP, which on the host's network is the node's IP, status.hostIP:
      // the exec probe already checks that the server answers there.
      const p = resolvePort(hostOnly[2]!, input.resolvePortExpression);
      if ('blocker' in p) blockers.push(p.blocker);
      else {
        port = p.port;
        if (field === 'status.hostIP') hostIp = true;
        notes.push(field === 'status.podIP'
          ? `-addr=${shownAddr} dials ${what}, the address the kubelet dials`
          : `-addr=${shownAddr} dials ${what}, which on the host's network is the pod's IP, the address the kubelet dials`);
      }
    } else if (hostOnly && what && field === 'status.hostIP') {
      blockers.push(
        input.hostNetwork === 'string'
          ? { code: 'host', detail: `-addr=${shownAddr} dials ${what}, the node's IP, and the pod's hostNetwork is a quoted string, not a boolean: the API server rejects the object as written, so whether the pod is meant to be on the host's network (where the kubelet dials the node's IP too) is unknown. Write hostNetwork: true or false without quotes, and run the tool again`, hint: QUOTED_HOST_NETWORK_HINT }
          : input.hostNetwork === 'unknown'
            ? { code: 'host', detail: `-addr=${shownAddr} dials ${what}, the node's IP, and the pod's hostNetwork is not a literal the tool can read (templated, an alias, merged in): on the host's network the kubelet dials that IP too, off it the pod's own IP, where the server may not answer` }
            : { code: 'host', detail: `-addr=${shownAddr} dials ${what}, the node's IP, and the pod is not on the host's network: the kubelet dials the pod's own IP, so the exec probe checks a server other than the one the native probe would (unless this container publishes port ${hostOnly[2]} with hostPort)` },
      );
    } else if (hostOnly && !hostOnly[2]!.includes('$')) {
      const vars = unresolvedIn('addr').join(', ');
      blockers.push({
        code: 'host',
        detail: what
          ? `-addr=${shownAddr} takes its host from ${vars}, which the downward API sets to ${field}, not the pod's IP; the kubelet dials the pod's own IP (the node's on the host's network), so the native probe would not check the address this one does (write grpc: {port: ${hostOnly[2]}} by hand if the server answers on the pod's IP too)`
          : kubeletForm
            ? `-addr=${shownAddr} takes its host from ${vars}, which has no literal value in the container's env (the kubelet expands $(…) in an exec probe's command from literal env values only); the kubelet dials the pod's own IP (the node's on the host's network): if the server answers there, write grpc: {port: ${hostOnly[2]}} by hand, or read the address in a shell from the downward API (valueFrom: {fieldRef: {fieldPath: status.podIP}}; sh -c "grpc_health_probe -addr=$${name ?? 'POD_IP'}:${hostOnly[2]}") and run the tool again`
            : `-addr=${shownAddr} takes its host from ${vars}, which has no literal value in the container's env; the kubelet dials the pod's own IP (the node's on the host's network): if ${vars} holds that IP, set it from the downward API (valueFrom: {fieldRef: {fieldPath: status.podIP}}) and run the tool again, or write grpc: {port: ${hostOnly[2]}} by hand`,
      });
    } else {
      const vars = unresolvedIn('addr');
      // `${PORT:-50051}`: what it gives depends on PORT at run time, which the image may set too.
      // `$(GRPC_PORT)` whose entry is a valueFrom: the kubelet expands an exec probe's command from
      // literal env values only, so it is empty there (ExpandContainerCommandOnlyStatic).
      const emptied = vars.filter((v) => /^\$\(/.test(v) && typeof input.envSource?.(v.slice(2, -1)) === 'object');
      // `$GRPC_PORT` in an OpenShift Template's script, GRPC_PORT a parameter: oc process
      // substitutes `${GRPC_PORT}` only, so this one is left to the shell (a braced one is read before).
      const parameters = input.templateParameters;
      const shellOnly = parameters ? vars.filter((v) => /^\$[A-Za-z_]\w*$/.test(v) && parameters.has(v.slice(1))) : [];
      const held = shellOnly.length > 0
        ? `the shell's variable${shellOnly.length > 1 ? 's' : ''}, which ${shellOnly.length > 1 ? 'have' : 'has'} no literal value in the container's env: oc process substitutes the template's parameter only where it is written with braces (${shellOnly.map((v) => `\${${v.slice(1)}}`).join(', ')}) and leaves ${shellOnly.join(', ')} to the shell`
        : vars.some((v) => v.startsWith('${'))
        ? `which the tool does not read as a literal (an expansion with ${vars.length > 1 ? 'operators' : 'an operator'}, such as a default: what it gives depends on the variable at run time, which the container's env or the image may set)`
        : emptied.length > 0
          ? `which the container's env sets with valueFrom: the kubelet expands $(…) in an exec probe's command from literal env values only, so ${emptied.join(', ')} ${emptied.length > 1 ? 'are' : 'is'} empty there and the probe fails today`
          : vars.every((v) => v.startsWith('the '))
            ? `which the shell only works out when the probe runs`
            : "which has no literal value in the container's env";
      const asWritten = shellOnly.reduce((t, v) => t.split(`\${${v.slice(1)}}`).join(v), shownAddr);
      blockers.push({ code: 'unresolved-port', detail: `-addr=${asWritten} uses ${vars.join(', ')}, ${held}` });
    }
  } else {
    const a = parseAddr(addr);
    if (a.kind === 'unix') {
      blockers.push({ code: 'unix-socket', detail: `-addr=${addr} is a unix socket; the kubelet dials TCP on the pod IP` });
    } else if (a.kind === 'invalid' && isTemplated(addr)) {
      // `-addr={{ .Values.addr }}`: host and port in one templated value the tool cannot read.
      blockers.push({ code: 'unresolved-port', detail: `-addr=${addr} is templated; the tool cannot read its port` });
    } else if (a.kind === 'invalid') {
      blockers.push({ code: 'invalid-port', detail: a.reason, ...schemeHint(addr) });
    } else {
      const hostClass = classifyHost(a.host);
      if (hostClass === 'remote') {
        // A templated host the rule could not read may name another service: never assume local.
        const detail = isTemplated(a.host)
          ? `-addr=${addr} takes its host from ${a.host}, which the tool cannot read; the kubelet always dials the pod's own IP, so only a local host carries over`
          : `-addr=${addr} checks host "${a.host}"; the kubelet always dials the pod's own IP`;
        blockers.push({ code: 'host', detail });
      } else if (input.hostNetwork === 'string') {
        blockers.push({ code: 'host', detail: `-addr=${addr} ${dialsLocal(a.host)}, and the pod's hostNetwork is a quoted string, not a boolean: the API server rejects the object as written (a string for a bool), so whether the pod is meant to be on the host's network, where the kubelet dials the node's IP, is unknown. Write hostNetwork: true or false without quotes, and run the tool again`, hint: QUOTED_HOST_NETWORK_HINT });
      } else if (input.hostNetwork === 'unknown') {
        blockers.push({ code: 'host', detail: `-addr=${addr} ${dialsLocal(a.host)}, and the pod's hostNetwork is ${input.hostNetworkText ?? 'not a literal the tool can read (templated, an alias, merged in)'}: on the host's network the kubelet dials the node's IP, where a server bound only to ${hostClass === 'loopback' ? a.host : '127.0.0.1'} does not answer` });
      } else if (input.hostNetwork) {
        // On the host's network the pod IP is the node's: a server kept on loopback on purpose
        // (node agents do: the AWS VPC CNI's ipamd binds 127.0.0.1:50051 and is probed with
        // -addr=:50051) is out of the kubelet's reach. `:port` and 0.0.0.0 dial the local host
        // too, so the binary answering says nothing about the node's IP.
        blockers.push({ code: 'host', detail: `-addr=${addr} ${dialsLocal(a.host)} in a pod on the host's network (hostNetwork is true); the kubelet dials the node's IP, where a server bound only to ${hostClass === 'loopback' ? a.host : '127.0.0.1'} does not answer (if it listens on all addresses, migrate by hand)` });
      } else if (hostClass === 'any') {
        // `:port` dials the pod's own loopback as 127.0.0.1 does: an overlay that sets
        // hostNetwork holds it (no note here: in the pod's own network namespace a server
        // listening on all addresses is the usual case).
        loopback = true;
      } else if (hostClass === 'loopback') {
        loopback = true;
        loopbackHost = a.host;
        notes.push(`-addr used ${a.host}; the kubelet dials the pod IP, so the server must listen there (e.g. 0.0.0.0), not only on loopback`);
      }
      const p = quotingAction(a.portText)
        ? {
            blocker: {
              code: 'unparseable' as const,
              detail: noShell
                ? `-addr=${addr} renders the port in quotes, which reach the binary (the kubelet runs no shell): it dials a port that is not a number and the probe fails today`
                : `the port ${a.portText} renders a quoted string, and grpc.port takes a number: write the port without quote by hand`,
            },
          }
        : resolvePort(a.portText, input.resolvePortExpression);
      if ('blocker' in p) blockers.push(p.blocker.code === 'invalid-port' ? { ...p.blocker, ...schemeHint(addr) } : p.blocker.code === 'unresolved-port' && noShell && !input.templateParameters && !input.opaque ? shellVariablePort(addr, a.portText) ?? p.blocker : p.blocker);
      else port = p.port;
    }
  }

  let service = flag('service');
  if (service !== undefined && unresolvedIn('service').length > 0) {
    const vars = unresolvedIn('service');
    const fields = vars.map((v) => /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(v)).map((m) => (m ? input.envSource?.(m[1]!) : undefined));
    const downward = fields.every((f) => typeof f === 'object' && 'fieldRef' in f) ? fields.map((f) => (f as { fieldRef: string }).fieldRef) : undefined;
    blockers.push({ code: 'unparseable', detail: downward ? `-service uses ${vars.join(', ')}, which the downward API sets (${downward.join(', ')}): the tool cannot know ${vars.length > 1 ? 'their values' : 'its value'} to write a literal service name` : vars.every((v) => v.includes(' (unquoted: '))
          ? // Its value is there (`SVC: "a b"`), but the shell would split or glob it: the reason is the quoting.
            `-service uses ${vars.join(', ')}: quote it ("${vars[0]!.slice(0, vars[0]!.indexOf(' '))}") so that the binary gets the value as one word, then run the tool again`
          : `-service uses ${vars.join(', ')}, which has no literal value` });
    service = undefined;
  } else if (service !== undefined && input.templateActions && quotingAction(service)) {
    // `-service={{ .Values.svc | quote }}`: in an exec list the rendered quotes reach the binary;
    // in a script the shell removes them, but `service: "{{ … | quote }}"` would render ""x"".
    blockers.push({
      code: 'unparseable',
      detail: noShell
        ? `-service=${service} renders the name in quotes, which reach the binary (the kubelet runs no shell): it asks for the service with its quotes; drop the quoting first`
        : `-service=${service} renders its own quotes, and a service: line wrapping it in more would not parse: write service: ${service}, the action bare, by hand`,
    });
    service = undefined;
  } else if (service !== undefined && noShell && QUOTED.test(service)) {
    // `-service=""`, the shell's way to write the empty name, asks for a service named `""`.
    const unquoted = service.slice(1, -1);
    const drop = unquoted === '' ? 'drop the service to check the server\'s overall health, which is what the empty name asks in a shell' : `drop them if the server registers ${unquoted}`;
    notes.push(`-service=${service} holds quote characters: the kubelet runs no shell, so the binary asked for the service with its quotes, and so does the native probe (${drop})`);
  }

  // Timeouts: one native deadline covers dial and RPC together.
  let needed = 0;
  for (const name of ['connect-timeout', 'rpc-timeout']) {
    const v = flag(name);
    if (v === undefined) continue;
    const secs = parseGoDuration(v);
    const later = unresolvedIn(name);
    if (secs === undefined && (later.length > 0 || isTemplated(v) || input.opaque?.(v))) {
      // `-rpc-timeout={{ .Values.t }}s`, `$(T)`: a value only known at render or run time is not
      // wrong, only unreadable; what the native deadline must be cannot be told.
      const what = later.length > 0 ? `uses ${later.join(', ')}, which ${later.every((u) => u.startsWith('the ')) ? 'the shell only works out when the probe runs' : "has no literal value in the container's env"}` : 'is only known when its template or code is evaluated (a chart rendered, Terraform or Jsonnet evaluated, code run)';
      blockers.push({ code: 'unparseable', detail: `-${name}=${writtenValue(name) ?? v} ${what}; the tool cannot tell how long the binary waits, so it cannot carry the timeout over to timeoutSeconds` });
      continue;
    }
    if (secs === undefined || secs <= 0) {
      blockers.push({ code: 'unparseable', detail: `-${name}=${v} is not a positive Go duration; the probe fails today` });
      continue;
    }
    needed += secs;
  }
  // `timeout 5 grpc_health_probe -rpc-timeout=10s`: the wrapper ended the check first.
  const capped = deadline !== undefined && deadline.seconds > 0 && needed > deadline.seconds;
  if (capped) needed = deadline!.seconds;
  let timeoutSeconds: NativePlan['timeoutSeconds'];
  let timeoutNeeded: number | undefined;
  if (needed > INT32_MAX) {
    blockers.push({ code: 'unparseable', detail: `the timeouts add up to ${Math.ceil(needed)}s, more than timeoutSeconds can hold (${INT32_MAX})` });
  } else if (needed > 0) {
    const to = Math.ceil(needed - 1e-9);
    timeoutNeeded = to;
    const current = input.timeoutSeconds;
    const given = capped ? [`timeout ${deadline!.duration}`] : ['connect-timeout', 'rpc-timeout'].filter((n) => flag(n) !== undefined).map((n) => `-${n}=${flag(n)}`);
    if (current === 'unknown') {
      notes.push(`${given.join(' ')} asked for ${to}s; check that timeoutSeconds (${input.timeoutSecondsText ?? 'templated'}) is at least ${to}`);
    } else if (typeof current === 'object') {
      // Never lowered: the tool does not rewrite a chart value or a constant, so it says so instead.
      if (current.value < to) {
        blockers.push({
          code: 'unparseable',
          detail: `${given.join(' ')} asked for ${to}s, but timeoutSeconds is ${current.source} (${current.value}); raise it to at least ${to} first, or the native probe gives up sooner`,
          // The command is understood: what blocks is a value the tool reads but never rewrites.
          hint: `Raise timeoutSeconds ${current.where !== undefined ? `(${current.where})` : `where it is set (${current.source})`} to at least ${to}, or lower the binary's timeout flags if the server answers sooner, then run the tool again.`,
        });
      }
    } else if ((current ?? 1) < to) {
      timeoutSeconds = { from: current ?? 1, to };
      editNote(
        current === undefined && input.timeoutFromBase
          ? `timeoutSeconds set to ${to} to keep ${given.join(' ')}; it replaces the base probe's own value, if it has one`
          : `timeoutSeconds raised from ${current ?? 1} to ${to} to keep ${given.join(' ')}`,
      );
    }
    // `-connect-timeout=250ms -rpc-timeout=100ms`: the native deadline is whole seconds, at least
    // 1, so the tighter deadline the user chose cannot carry over; say what it becomes. (Capped by
    // a `timeout` wrapper, the wrapper's note says it.)
    const native = current === undefined || current === 0 ? 1 : typeof current === 'number' ? current : typeof current === 'object' ? current.value : undefined;
    if (needed < 1 && !capped && native !== undefined) {
      const ms = Number((needed * 1000).toPrecision(12));
      const why = native <= 1 ? "the native probe's deadline is timeoutSeconds, which cannot go below 1" : `the native probe's deadline is timeoutSeconds${typeof current === 'object' ? ` (${current.source})` : ''}`;
      editNote(`${SUB_SECOND_NOTE} ${ms} ms (${given.join(' ')}) to ${native} s: ${why}, so a slow answer now fails later than it did`);
    }
  }

  const ua = flag('user-agent');
  if (ua !== undefined) editNote(`-user-agent is lost: the kubelet sends kube-probe/<version>`);
  if (flag('gzip') === 'true') editNote('-gzip is lost: the kubelet does not compress the request');
  if (flag('v') === 'true') editNote('-v (verbose output) goes: the kubelet logs probe failures itself');

  if (!kubeVersionSupportsGrpc(input.kubeVersion)) {
    blockers.push({
      code: 'kube-version',
      detail: `the target cluster is ${input.kubeVersion}; native gRPC probes need Kubernetes ${NATIVE_GRPC_MIN.major}.${NATIVE_GRPC_MIN.minor} or later`,
    });
  }

  const blockedNotes = notes.filter((n) => !editNotes.has(n)).map((n) => blockedVariants.get(n) ?? n);
  // When the wrapper's deadline raised timeoutSeconds, the raise's note says the rest.
  if (deadline && blockers.length === 0) notes.unshift(capped && timeoutSeconds ? `the timeout ${deadline.duration} wrapper goes` : deadlineNote(deadline, input.timeoutSeconds));
  if (wrapperNote && blockers.length === 0) notes.unshift(wrapperNote);
  const plan: NativePlan = {
    invocations,
    blockers,
    notes: blockers.length > 0 ? blockedNotes : notes,
    blockedNotes,
    ...(loopback ? { loopback } : {}),
    ...(hostIp ? { hostIp } : {}),
    ...(loopbackHost !== undefined ? { loopbackHost } : {}),
  };
  if (port) plan.grpc = { port, ...(service ? { service } : {}), ...(mode ? { mode } : {}) };
  if (timeoutSeconds) plan.timeoutSeconds = timeoutSeconds;
  if (timeoutNeeded !== undefined) plan.timeoutNeeded = timeoutNeeded;
  return plan;
}

/** What becomes of a `timeout` wrapper: the native probe's deadline is timeoutSeconds. */
function deadlineNote(deadline: TimeoutCommand, timeoutSeconds: PlanInput['timeoutSeconds']): string {
  const wrapper = `the timeout ${deadline.duration} wrapper goes`;
  if (deadline.seconds === 0) return `${wrapper} (a duration of 0 set no deadline)`;
  const native = timeoutSeconds === undefined ? 1 : typeof timeoutSeconds === 'number' ? timeoutSeconds : typeof timeoutSeconds === 'object' ? timeoutSeconds.value : undefined;
  if (native === undefined) return `${wrapper}: timeoutSeconds (templated) is the native probe's deadline; check that it is what the wrapper meant`;
  return native > deadline.seconds
    ? `${wrapper}: timeoutSeconds (${native}) is the native probe's deadline, longer than the wrapper's ${deadline.duration}, so a slow answer fails later than it did${native === 1 ? ' (1 is the least it can be)' : ''}`
    : `${wrapper}: timeoutSeconds (${native}) is the native probe's deadline`;
}

/**
 * What the binary refuses among its transport options, in the order it checks them (upstream
 * main.go: -alts/-spiffe/-tls exclude each other, every -tls-* option needs -tls, client
 * certificate and key come as a pair, -tls-no-verify makes a CA or a server name pointless, an
 * -rpc-header value needs "name: value").
 */
function rejectedTransport(on: (name: string) => boolean, rpcHeaders: readonly string[]): string[] {
  const out: string[] = [];
  if (on('alts') && on('spiffe')) out.push('-alts with -spiffe');
  if (on('tls') && on('alts')) out.push('-tls with -alts');
  const withoutTls = on('tls') ? [] : TLS_OPTIONS.filter(on);
  if (withoutTls.length > 0) out.push(`${withoutTls.map((f) => '-' + f).join(', ')} without -tls`);
  if (on('tls-client-cert') !== on('tls-client-key')) out.push(on('tls-client-cert') ? '-tls-client-cert without -tls-client-key' : '-tls-client-key without -tls-client-cert');
  if (on('tls-no-verify')) {
    const pointless = ['tls-ca-cert', 'tls-server-name'].filter(on);
    if (pointless.length > 0) out.push(`-tls-no-verify with ${pointless.map((f) => '-' + f).join(', ')}`);
  }
  if (on('tls') && on('spiffe')) out.push('-tls with -spiffe');
  if (rpcHeaders.some((h) => !h.includes(':'))) out.push('an -rpc-header value without a colon (the binary wants "name: value")');
  return out;
}

/**
 * An -addr that holds a scheme is a gRPC target, not a host:port: when its port is not valid, the
 * code's hint ("fix the port") misses what a user needs to know, that the native probe has no
 * scheme and no host at all.
 */
function schemeHint(addr: string): { hint: string } | Record<string, never> {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(addr)?.[1]?.toLowerCase();
  if (!scheme || !(addr.slice(scheme.length + 1).startsWith('//') || TARGET_SCHEMES.has(scheme))) return {};
  const native = 'A native probe has no scheme and no host: only grpc.port, which the kubelet dials on the pod\'s own IP, in plaintext.';
  if (TARGET_SCHEMES.has(scheme)) {
    return {
      hint: `-addr is a gRPC target: ${scheme}: tells the binary how to resolve the address after it. ${native} Once -addr names this pod's server with a numeric port (${scheme}:///:5000, or simply :5000), run the tool again and it migrates to grpc: {port: 5000}; a target that names another host, or a unix socket, cannot be probed natively.`,
    };
  }
  return {
    hint: `-addr starts with ${scheme}://, which the binary's gRPC library does not resolve (it knows dns:, passthrough:, unix: and unix-abstract:), so it dials the whole text and the probe fails today. ${native} If the server listens on a port in this pod, write -addr=:PORT (or the probe as grpc: {port: PORT}) and run the tool again; a unix socket (unix:///path) cannot be probed natively: keep exec, or make the server listen on TCP too.`,
  };
}

/**
 * `-addr=:${GRPC_PORT}` in an exec list (not an OpenShift parameter the template declares, which
 * resolves before this): the kubelet expands only `$(GRPC_PORT)` and runs no shell, so the env's
 * value never reaches it, and only a tool that fills the file before it is applied (envsubst over a
 * deploy.yaml.tpl) would. The general hint, "give the variable a literal value in the container's
 * env", misled: the env may already have one. Not in code (TypeScript, Go: the callers that pass
 * `opaque`), where `${x}` is the language's own expression.
 */
function shellVariablePort(addr: string, portText: string): Blocker | undefined {
  const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/.exec(portText);
  if (!m) return undefined;
  const name = m[1] ?? m[2]!;
  return {
    code: 'unresolved-port',
    detail: `-addr=${addr} is shell syntax in an exec list: the kubelet runs no shell and expands only $(${name}), so the binary dials the text as written and the probe fails today, unless the file is filled in before it is applied (envsubst)`,
    hint: `If a tool such as envsubst fills the file before it is applied, write grpc: {port: \${${name}}} by hand (the value must always be a port number); otherwise write -addr=:$(${name}), which the kubelet expands from a literal value in the container's env (or write the number), and run the tool again.`,
  };
}

/** Schemes grpc-go resolves in the binary (a unix socket is its own blocker, unix-socket). */
const TARGET_SCHEMES = new Set(['dns', 'passthrough']);

function resolvePort(
  text: string,
  resolveExpression: ((t: string) => string | undefined) | undefined,
): { port: PortValue } | { blocker: Blocker } {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 65535) return { blocker: { code: 'invalid-port', detail: `port ${text} is outside 1..65535` } };
    return { port: { kind: 'number', value: n } };
  }
  const expr = resolveExpression?.(text);
  if (expr !== undefined) return { port: { kind: 'expression', text: expr } };
  if (text === '') return { blocker: { code: 'invalid-port', detail: '-addr has an empty port' } };
  if (/^[A-Za-z][A-Za-z0-9-]*$/.test(text)) {
    return { blocker: { code: 'invalid-port', detail: `port "${text}" is a name; a native gRPC probe needs a number` } };
  }
  return { blocker: { code: 'unresolved-port', detail: `the port "${text}" is not a number the tool can resolve` } };
}

/** A script with each template action replaced by one plain word, and the way back. */
function templateWords(script: string): { script: string; restore: (t: string) => string } | undefined {
  const { actions } = findActions(script);
  if (actions.length === 0) return undefined;
  let out = '';
  let pos = 0;
  for (const [i, a] of actions.entries()) {
    out += `${script.slice(pos, a.start)}\uE002${i}\uE003`;
    pos = a.end;
  }
  out += script.slice(pos);
  return { script: out, restore: (t) => t.replace(/\uE002(\d+)\uE003/g, (m, i: string) => actions[Number(i)]?.text ?? m) };
}

/**
 * An OpenShift Template's `${NAME}` references in a script, each one word to the shell (oc process
 * substitutes a declared parameter's value before the shell runs); `$NAME`, `${NAME:-x}` and
 * undeclared names are left to the shell, as oc process leaves them.
 */
function parameterWords(script: string, names: ReadonlySet<string>): { script: string; restore: (t: string) => string } | undefined {
  const found: string[] = [];
  const out = script.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name: string) => {
    if (!names.has(name)) return m;
    found.push(m);
    return `\uE002${found.length - 1}\uE003`;
  });
  if (found.length === 0) return undefined;
  return { script: out, restore: (t) => t.replace(/\uE002(\d+)\uE003/g, (m, i: string) => found[Number(i)] ?? m) };
}

function isTemplated(s: string): boolean {
  return s.includes('{{') || s.includes('${');
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Shell options that leave a one-command script's meaning alone: -e, -u, -x, -v, -f, -a, -C.
 * Any other is not read: -n parses the script without running it (the probe always passed),
 * -r forbids command names with a `/`, -l and -i read profile files first.
 */
const PLAIN_SHELL_OPTIONS = /^-[aefuvxC]+$/;

/** Index of the script in `sh -c SCRIPT` / `bash -ec SCRIPT`, if argv is a shell wrapper the tool reads. */
export function shellScriptIndex(argv: readonly string[]): number | undefined {
  if (argv.length < 3 || !SHELLS.has(basename(argv[0]!))) return undefined;
  for (let i = 1; i < argv.length - 1; i++) {
    const a = argv[i]!;
    if (!PLAIN_SHELL_OPTIONS.test(a.replace('c', '')) && a !== '-c') return undefined;
    if (!a.includes('c')) continue;
    const next = argv[i + 1]!;
    // `sh -c -- SCRIPT`: `--` ends the options; the script is the operand after it.
    if (next === '--') return i + 2 < argv.length ? i + 2 : undefined;
    // `sh -c -e SCRIPT`: more options; the script is further on. Not read.
    if (next.startsWith('-') || next.startsWith('+')) return undefined;
    return i + 1;
  }
  return undefined;
}

/** The kubelet's `$(VAR)` expansion of exec commands: literal env values only, `$$` escapes. */
export function expandKubeletVars(text: string, env: EnvLookup): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    const v = env(name!);
    return v === undefined ? m : v;
  });
}

/**
 * A shell word's `$NAME` whose env entry refers to earlier entries (PlanInput.envExpansion): its
 * literal pieces go into the text, its downward-API pieces stand as `${REF}` (what the script
 * would say reading them itself). Left as it is where the script sets NAME or a piece's entry
 * itself, where the word holds an expansion written otherwise, or where the literal text would be
 * split or globbed unquoted.
 */
function expandEntries(a: ResolvedWord, expansion: NonNullable<PlanInput['envExpansion']>, sets: ReadonlySet<string> | undefined, notes: string[], envSource: PlanInput['envSource']): ResolvedWord {
  // A piece stands as `${REF}`, which the planner reads from REF's last entry: only where that is
  // the field the value was expanded from (an entry redefined after it would be read instead).
  const same = (p: { ref: string; field: string }) => {
    const source = envSource?.(p.ref);
    return typeof source === 'object' && 'fieldRef' in source && source.fieldRef === p.field;
  };
  if (a.written !== undefined) return a;
  let { text } = a;
  const unresolved: string[] = [];
  let changed = false;
  for (const u of a.unresolved) {
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(u);
    const value = m && !sets?.has(m[1]!) ? expansion(m[1]!) : undefined;
    if (!m || value === undefined || value.some((p) => ('lit' in p ? /[\s*?[$`"'\\]/.test(p.lit) : sets?.has(p.ref) === true || !same(p)))) {
      unresolved.push(u);
      continue;
    }
    const refs = value.filter((p): p is { ref: string; field: string } => 'ref' in p).map((p) => `$${p.ref}`);
    text = text.split(`\${${m[1]}}`).join(value.map((p) => ('lit' in p ? p.lit : `\${${p.ref}}`)).join(''));
    unresolved.push(...refs);
    changed = true;
    const shown = value.map((p) => ('lit' in p ? p.lit : `$(${p.ref})`)).join('');
    const note = `$${m[1]} is ${shown} in the container's env, which the kubelet expands from the entries before it when the container starts`;
    if (!notes.includes(note)) notes.push(note);
  }
  return changed ? { ...a, text, unresolved: [...new Set(unresolved)] } : a;
}

/** `$(NAME)` unescaped in an exec probe's item, NAME a valueFrom entry: the kubelet empties it before anything runs. */
function kubeletEmptied(text: string, name: string, envSource: PlanInput['envSource']): boolean {
  return typeof envSource?.(name) === 'object' && kubeletReferences(text, name).some((escaped) => !escaped);
}

/** `$$(NAME)` in an exec probe's item: the kubelet writes `$(NAME)`, a command substitution to a shell. */
function escapedInScript(text: string, name: string): boolean {
  return kubeletReferences(text, name).some((escaped) => escaped);
}

/** Each `$(NAME)` of the item: whether `$$` escapes it (an odd number of `$` before it). */
function kubeletReferences(text: string, name: string): boolean[] {
  const out: boolean[] = [];
  for (const m of text.matchAll(/(\$*)\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) if (m[2] === name) out.push(m[1]!.length % 2 === 1);
  return out;
}

/** `$(POD_IP)`, `${HOST_IP}` or `$HOST_IP` as the whole host of -addr, the one variable it reads: its name. */
function hostVariable(host: string, unresolved: readonly string[]): string | undefined {
  const m = /^(?:\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*))$/.exec(host);
  const name = m ? (m[1] ?? m[2] ?? m[3])! : undefined;
  return name !== undefined && unresolved.length === 1 && (unresolved[0] === `$(${name})` || unresolved[0] === `$${name}`) ? name : undefined;
}

function unresolvedKubeletVars(text: string, env: EnvLookup): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)) {
    if (m[1] !== undefined && env(m[1]) === undefined) out.push(`$(${m[1]})`);
  }
  return out;
}

/**
 * What the rules need to know of the target clusters, from the run's options. kubeVersionExplicit:
 * --kube-version was given, which says every target cluster's version; a version a manifest
 * declares it installs on (a ClusterServiceVersion's minKubeVersion) then no longer blocks.
 */
export interface TargetClusters {
  kubeVersion: string;
  tlsMode: boolean;
  kubeVersionExplicit?: true;
}
export function targetClusters(options: { kubeVersion: string; grpcTlsMode?: boolean; kubeVersionExplicit?: boolean }): TargetClusters {
  return { kubeVersion: options.kubeVersion, tlsMode: options.grpcTlsMode ?? false, ...(options.kubeVersionExplicit ? { kubeVersionExplicit: true as const } : {}) };
}

/**
 * The `{{ … }}` actions of a word (each from a `{{` to the first `}}` after it) and the word with
 * each replaced by \uE000. Found by indexOf, not /\{\{.*?\}\}/gs, which scans to the end from
 * every `{{` of a word where none closes (quadratic).
 */
function helmActions(word: string): { actions: string[]; outside: string } {
  const actions: string[] = [];
  let outside = '';
  let from = 0;
  for (let open = word.indexOf('{{'); open !== -1; open = word.indexOf('{{', from)) {
    const close = word.indexOf('}}', open + 2);
    // No `}}` after this `{{`, so none after a later one: the rest is literal text.
    if (close === -1) break;
    actions.push(word.slice(open, close + 2));
    outside += `${word.slice(from, open)}\uE000`;
    from = close + 2;
  }
  return { actions, outside: outside + word.slice(from) };
}

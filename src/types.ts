/** The public vocabulary of the tool: findings, blockers, rules, edits. */
import type { RepositoryListing } from './discover/scope.js';

/**
 * `info`: a mention that runs nothing and keeps nothing installed (image metadata, a comment, a
 * document, a download address): worth rewording once the binary is gone, never a reason to hold
 * the migration, so neither --strict nor the exit code counts it.
 */
export type Status = 'migratable' | 'migrated' | 'blocked' | 'info' | 'error';

/** Fixed vocabulary; documented in the README. Users and bots filter on these. */
export const BLOCKER_CODES = [
  'tls',
  'spiffe',
  'alts',
  'rpc-header',
  'chained',
  'exit-code',
  'host',
  'unix-socket',
  'unresolved-port',
  'invalid-port',
  'not-a-probe',
  'kube-version',
  'unparseable',
  'no-native-check',
  'binary-still-used',
  'unsupported-file',
  'overlay-patch',
] as const;
export type BlockerCode = (typeof BLOCKER_CODES)[number];

/** What a finding is about; the summary counts by it. */
export type Subject = 'probe' | 'install' | 'consumer' | 'file';

/** A text splice on the original text of one file: replace [start, end) with text. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Finding {
  ruleId: string;
  /** Relative to the current folder, `/` separators; `<stdin>` for standard input. */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  status: Status;
  blockers: BlockerCode[];
  message: string;
  hint?: string;
  subject: Subject;
  /** Structured facts for bots (probe kind, port, service, timeoutSeconds...). */
  details?: Record<string, unknown>;
}

/** What a rule hands to `report()`. The engine turns it into a Finding. */
export interface Report {
  /** Offsets into the file's text (UTF-16 code units), from a parser. */
  start: number;
  end?: number;
  message: string;
  hint?: string;
  blockers?: BlockerCode[];
  subject: Subject;
  /** Edits that migrate this finding; absent or null when it cannot be fixed safely. */
  fix?: Edit[] | null;
  /** This place still runs the binary after this run (a blocked probe, a HEALTHCHECK...). */
  keepsBinary?: boolean;
  /** Image (or build context) the place belongs to, when the repository says so. */
  image?: string;
  /**
   * It runs the upstream grpc-health-probe image by this name (keepsBinary false: the binary ships
   * in that image). Where the repository itself builds an image of that name (a mirror, a rebuild
   * under `registry.acme/grpc-ecosystem/grpc-health-probe`), it runs that one: a consumer of it.
   */
  upstreamImage?: string;
  /**
   * Where a probe sits in its document (`server.readinessProbe`, `spec.template.spec.containers[0].livenessProbe`):
   * for rules that match probes across files. Not part of the finding.
   */
  keyPath?: string;
  /**
   * The container variables a probe's command reads (`-addr=:$(GRPC_PORT)`), whatever they hold:
   * a Kustomize overlay that sets one changes the probe. Not part of the finding.
   */
  envNames?: string[];
  /** A probe's -addr dials the local host (loopback, `:port`, 0.0.0.0), which an overlay's `hostNetwork: true` would block. Not part of the finding. */
  loopback?: boolean;
  /** A probe's -addr dials the downward API's status.hostIP in a hostNetwork pod, which an overlay that takes the pod off the host's network would block. Not part of the finding. */
  hostIp?: boolean;
  /** The loopback address the probe's -addr names (`localhost`, `127.0.0.1`), not an empty host or 0.0.0.0. Not part of the finding. */
  loopbackHost?: string;
  /**
   * A blocked probe's -addr, as `loopback`/`hostIp` say it for a migrating one: a check that finds
   * a blocker of its own there (an unreadable patch target) adds it, so that every blocker of the
   * probe is said at once. Not part of the finding.
   */
  blockedDials?: { loopback?: true; hostIp?: true };
  /**
   * The whole node a finding accounts for when its start is one mention inside it (a script in a
   * block scalar, reported where it runs the binary, past a comment line naming it): a check for
   * mentions no finding covers reads this. Not part of the finding.
   */
  covers?: [number, number];
  /** Whole seconds the binary's timeout flags ask for: an overlay that sets a lower timeoutSeconds would cut them short. Not part of the finding. */
  timeoutNeeded?: number;
  /**
   * The native probe a migrating probe's message names after `→ ` (`grpc {port: 5000, service: "yes"}`),
   * as the message writes it: a rule that rewords the message finds the notes after it. Not part of the finding.
   */
  target?: string;
  /**
   * The `${VAR}` that the fix writes as a whole grpc.port field, which a Flux Kustomization fills in
   * with a number before it applies the file: the --validate schema check lets that one string through
   * at a grpc.port of this file (src/validate/kubernetes.ts). Not part of the finding.
   */
  substitutedPort?: string;
  /** The report is an error (file could not be understood). */
  error?: boolean;
  /**
   * The place runs nothing and keeps nothing (metadata, a comment, documentation): status `info`,
   * with no blockers, so that --strict does not fail on it. Its `hint` says what to reword.
   */
  info?: boolean;
  details?: Record<string, unknown>;
}

export type FileKind =
  | 'yaml'
  | 'helm-template'
  | 'helm-values'
  | 'kustomization'
  | 'compose'
  | 'json'
  | 'dockerfile'
  | 'typescript'
  | 'shell'
  | 'other';

export interface RunOptions {
  /** Files and folders; `-` reads standard input. Default ["."] */
  paths?: string[];
  cwd?: string;
  fix?: boolean;
  /** Target cluster version: "X.Y", or as kubectl version prints it ("v1.30.4-eks-a737599"); parseKubeVersion reads it. */
  kubeVersion?: string;
  /** True when --kube-version was given (not the default). */
  kubeVersionExplicit?: boolean;
  keepBinary?: boolean;
  /**
   * Every target cluster enables the GRPCContainerProbeTLS feature gate (KEP-4939, alpha):
   * `-tls -tls-no-verify` probes become `grpc.mode: TLS`. Off by default.
   */
  grpcTlsMode?: boolean;
  /**
   * Standard input when a path is `-`: its bytes, checked and decoded as a file's are (see
   * src/stdin.ts), or text already decoded.
   */
  stdin?: string | Uint8Array;
  /** Replace the rule set (tests). */
  rules?: Rule[];
  /** Called as files are scanned (progress display). */
  onProgress?: (p: { scanned: number; candidates: number; current: string }) => void;
  /** Files larger than this many bytes are skipped. */
  maxFileBytes?: number;
  /**
   * The paths are only part of the repository (pre-commit file lists, a subfolder of a checkout):
   * no binary install is removed. A string says which part, for the report (src/discover/scope.ts).
   */
  partialView?: boolean | string;
  /**
   * A partial view's listing of the checkout by git, started by the caller before the engine
   * loaded (the CLI): otherwise the engine starts it when it meets the first candidate.
   */
  repositoryListing?: RepositoryListing;
  /** Check rewritten Kubernetes objects against the API schema; refuse rewrites that break it. */
  validate?: boolean;
  /** Receives stack traces of internal errors (--debug); without it they are not printed. */
  onDebug?: (text: string) => void;
  /**
   * Collect garbage once the heap holds twice what survived the last collection (see
   * src/memory.ts). It sets V8's --expose-gc at run time, so only the CLI asks for it.
   */
  boundHeap?: boolean;
  /**
   * Where the files are read (src/discover/reads.ts): 'inline' (default) on the calling thread;
   * 'worker' in a reader thread, overlapped with the rules; 'auto' in a thread only when the walk
   * finds enough files to pay for its start-up. Same result either way.
   */
  reader?: 'inline' | 'worker' | 'auto';
}

export interface SourceFile {
  /** Absolute path ('' for stdin). */
  path: string;
  /** Path shown to users and used in findings. */
  displayPath: string;
  kind: FileKind;
  text: string;
  /** Line ending used by the file; new lines in edits reuse it. */
  eol: '\n' | '\r\n';
}

export interface RunContext {
  options: Required<Pick<RunOptions, 'fix' | 'kubeVersion' | 'keepBinary'>> & RunOptions;
  cwd: string;
  /** Read a file beside the scanned ones (Chart.yaml, skaffold.yaml); undefined when absent. */
  readText(absPath: string): string | undefined;
  /** Absolute paths of every file discovered (not only candidates), e.g. to find skaffold.yaml. */
  allFiles(): readonly string[];
  /**
   * For decisions a file outside the run's view can change (a Kustomize overlay that patches a
   * base named alone): in a partial view, every file of the git checkouts holding the paths,
   * walked as a folder is (and the files discovered); otherwise the same as allFiles().
   */
  repositoryFiles(): readonly string[];
}

export interface FileContext {
  run: RunContext;
  file: SourceFile;
  report(r: Report): void;
  /** Per-file cache so that several rules share one parse. */
  cached<T>(key: string, make: () => T): T;
}

/** A finding with the state the engine keeps while deciding what is applied. */
export interface PendingFinding {
  ruleId: string;
  file: SourceFile;
  report: Report;
  /** Set by the engine once edits were applied (or refused). */
  fixApplied?: boolean;
  fixRefused?: string;
  /** What the user can do about `fixRefused`, when it is a write the file system refused or the tool would not make. */
  refusedHint?: string;
  /** Where the finding is, when the file's text was not read (a file over the size limit). */
  position?: { line: number; column: number };
}

export interface EndContext {
  run: RunContext;
  /** Every finding reported so far, with the file it belongs to. */
  findings(): readonly PendingFinding[];
  /** Places that still run the binary once this run's fixes are in. */
  consumers(): readonly PendingFinding[];
  /** Every candidate file (read, decoded, mentions the binary). */
  files(): readonly SourceFile[];
  report(file: SourceFile, r: Report): void;
}

export interface RuleHandlers {
  /** May be async: a rule imports its heavy parts (parsers) when it first meets a file. */
  file?(ctx: FileContext): void | Promise<void>;
  /** After every file was checked: decisions that need the whole repository. */
  end?(ctx: EndContext): void | Promise<void>;
}

export interface RuleMeta {
  id: string;
  description: string;
  fixable: boolean;
  /** File kinds whose files this rule's `file` handler sees. */
  fileKinds: readonly FileKind[];
  /** Longer text for documentation and SARIF. */
  docs?: string;
  /**
   * The rule's `end` decides from the consumers of the binary (e.g. whether an install can go):
   * it runs after every other rule's `end`, so that it sees all of them.
   */
  decidesOnConsumers?: boolean;
  /**
   * The rule's `end` audits the whole run (e.g. that every candidate file got a finding): it runs
   * after every other `end`, the deciding ones included. Deciders must not depend on its findings.
   */
  audits?: boolean;
}

export interface Rule {
  meta: RuleMeta;
  create(run: RunContext): RuleHandlers;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface Summary {
  filesScanned: number;
  candidates: number;
  filesChanged: number;
  probes: { migratable: number; migrated: number; blocked: number };
  /** `kept`: installs --keep-binary keeps (`info` findings: no blocker), present only when there are some. */
  installs: { migratable: number; migrated: number; blocked: number; kept?: number };
  blocked: number;
  /** Findings with status `info`: mentions that run nothing and keep nothing installed. */
  info: number;
  errors: number;
  skipped: SkippedFile[];
}

export interface FileResult {
  file: SourceFile;
  output: string;
  changed: boolean;
  written: boolean;
}

export interface RunResult {
  findings: Finding[];
  files: FileResult[];
  summary: Summary;
}

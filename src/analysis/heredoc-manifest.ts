import type { ShHeredoc, ShWord } from './shell.js';
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

/** Where a here-document goes: `applied with kubectl apply`, `written to deploy.yaml`, `read by cat`. */
export function heredocDestination(h: ShHeredoc, text: (w: ShWord) => string): string | undefined {
  const words = (ws: readonly ShWord[] | undefined) => (ws ?? []).map(text);
  for (const [ws, how] of [[words(h.command), 'applied with'], [words(h.pipedTo), 'piped to']] as const) {
    const name = ws[0] !== undefined ? baseName(ws[0]) : '';
    const sub = KUBECTL.has(name) ? ws[skipOptions(ws, 1, KUBECTL_GLOBALS)] : undefined;
    if (sub && APPLIES.has(sub)) return `${how} ${name} ${sub}`;
  }
  if (h.writesTo) return `written to ${text(h.writesTo)}`;
  const name = words(h.command)[0];
  return name !== undefined ? `read by ${baseName(name)}` : undefined;
}

/**
 * What to say about a mention of the binary at `rel` (an offset in the here-document's body),
 * from the manifest rule's reports on that body; undefined when no report covers it (the body is
 * not a manifest, or the mention is not in one of its objects). `inDoc` names the here-document
 * and where it goes; `holder` what holds it and what moving it out means.
 */
export interface HeredocHolder {
  /** `scripts`, `a RUN's here-documents`. */
  notRewritten: string;
  /** How the manifest gets out of it into a file the tool reads. */
  move: string;
}

export const SCRIPT_HOLDER: HeredocHolder = { notRewritten: 'scripts', move: 'move the manifest into a YAML file that the script applies (kubectl apply -f FILE), which the tool then migrates' };

export function heredocManifestFinding(manifest: Report[] | undefined, rel: number, inDoc: string, holder: HeredocHolder): { what: string; hint?: string; fixable: boolean } | undefined {
  const r = manifest?.find((m) => m.start <= rel && rel < (m.end ?? m.start + 1));
  if (!r) return undefined;
  const d = r.details ?? {};
  // Not a probe the manifest rule could read: a container command, a lifecycle hook, ….
  if (d.probe === undefined) return { what: `holds a Kubernetes manifest in ${inDoc}, where ${r.message}`, fixable: false };
  const move = `or ${holder.move}`;
  const where = `${String(d.probe)}${d.container !== undefined ? ` of container "${String(d.container)}"` : ''}`;
  if (r.fix && r.fix.length > 0) {
    // `mode: TLS` (--grpc-tls-mode) too: without it the kubelet would probe a TLS server in plaintext.
    const target = `grpc: {port: ${String(d.port)}${d.service ? `, service: ${String(d.service)}` : ''}${d.mode ? `, mode: ${String(d.mode)}` : ''}}`;
    // `grpc {port: 5000} (timeoutSeconds raised from 1 to 5 …)`, as the manifest rule says it.
    const becomes = r.message.slice(r.message.indexOf('→ ') + 2);
    return {
      what: `holds a Kubernetes manifest in ${inDoc} whose ${where} runs grpc_health_probe; the tool does not rewrite ${holder.notRewritten}: change the probe there by hand to ${becomes}, or move the manifest into a file the tool reads`,
      hint: `Migrate the probe in the here-document by hand: replace its exec: with ${target}${d.timeoutSeconds !== undefined ? ` and set timeoutSeconds: ${String(d.timeoutSeconds)}` : ''}, then run the tool again; ${move}.`,
      fixable: true,
    };
  }
  const runs = `${where} runs grpc_health_probe`;
  const why = r.message.startsWith(runs) ? r.message.slice(runs.length) : `: ${r.message}`;
  return {
    what: `holds a Kubernetes manifest in ${inDoc} whose ${runs}, which would stay on exec in a manifest file too${why}`,
    hint: `The tool does not rewrite ${holder.notRewritten}, and this probe cannot become native as it is (see the message): keep the binary, or change the probe in the here-document by hand once what blocks it is gone; ${move}.`,
    fixable: false,
  };
}

export function skipOptions(words: readonly string[], from: number, valued: readonly string[]): number {
  let i = from;
  while (i < words.length && words[i]!.startsWith('-') && words[i] !== '-') {
    if (words[i] === '--') return i + 1;
    i += valued.includes(words[i]!) ? 2 : 1;
  }
  return i;
}

export function baseName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

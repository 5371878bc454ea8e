/**
 * A container's own args, command or env that name a loopback address on the probe's port
 * (`--grpc-addr=127.0.0.1:9191`, `--listen 127.0.0.1:50051`, `GRPC_LISTEN_ADDR=localhost:50051`):
 * the binary dialled that address inside the pod, the kubelet's native probe dials the pod IP.
 * Shared by the YAML and TypeScript probe readers.
 */

import type { NativePlan } from './native-probe.js';

export interface LoopbackItem {
  /** How a message names it: `args item "--listen 127.0.0.1:50051"`, `env GRPC_ADDR="localhost:50051"`. */
  what: string;
  /**
   * The item is a listen address of this container: the name before it (a flag, a subcommand, an
   * env name) says listen, bind, serve, server or a gRPC address, and nothing in it says the
   * address is one the container dials (upstream, backend, connect, target, endpoint …). Then the
   * server listens only on loopback and the native probe fails with certainty; otherwise the
   * address may be a client's, and only a note fits.
   */
  listen: boolean;
  /** `what` names two items (a flag and its value). */
  plural?: true;
  /** Another container of the pod says it (its name): the pod's containers share one network. */
  sibling?: string;
}

/**
 * A text with the template actions it prints rendered (Helm: src/helm/listen-values.ts): each
 * action as written, the value put in its place, and whether other values the chart may be given
 * print something else there (then the value is one naming a loopback host, if any does).
 */
export interface RenderedText {
  text: string;
  actions: { action: string; value: string; mixed: boolean }[];
}

/** Words of a name that make the address after it one the container listens on. */
const LISTEN_WORDS = new Set(['listen', 'listener', 'listening', 'bind', 'binding', 'serve', 'serving']);
/**
 * With `grpc`: `--grpc-addr`, `GRPC_ADDRESS`, `--grpc-port`. Not `host`, nor a name with `server`
 * and no listen word: `GRPC_HOST`, `--server=`, `GRPC_SERVER_ADDRESS` name the server a client
 * calls as often as its own (review21 R3): a note only.
 */
const GRPC_ADDRESS_WORDS = new Set(['addr', 'address', 'port']);
/** Words of a name that make the address one the container may dial: a note only. */
const CLIENT_WORDS = new Set([
  'upstream', 'backend', 'backends', 'connect', 'target', 'targets', 'endpoint', 'endpoints', 'remote', 'peer', 'peers',
  'dial', 'client', 'proxy', 'forward', 'origin', 'dest', 'destination', 'downstream', 'collector', 'url', 'uri', 'join',
]);

function words(name: string): string[] {
  // `grpcListenAddr` as well as `grpc-listen-addr` and GRPC_LISTEN_ADDR.
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** Whether a name (a flag, a subcommand, an env name, a `--set` key path) says the address after it is listened on. */
export function namesListen(name: string): boolean {
  const ws = words(name);
  if (ws.some((w) => CLIENT_WORDS.has(w))) return false;
  if (ws.some((w) => LISTEN_WORDS.has(w))) return true;
  return ws.includes('grpc') && !ws.includes('server') && ws.some((w) => GRPC_ADDRESS_WORDS.has(w));
}

/** `port`: a number, or the text a template writes for it (`{{ .Values.grpcPort }}`), matched as written. */
function loopbackPattern(port: number | string): RegExp {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // An action as any spacing and trim markers write it (`{{.Values.grpcPort}}`, `{{- .Values.grpcPort }}`: review23 R5).
  const action = typeof port === 'string' ? /^\{\{-?\s*([^{}]*?)\s*-?\}\}$/.exec(port) : null;
  const written = typeof port === 'number' ? String(port) : action ? `\\{\\{-?\\s*${escape(action[1]!).replace(/ +/g, '\\s+')}\\s*-?\\}\\}` : escape(port);
  return new RegExp(`(?:^|[=\\s"'/])((?:127\\.0\\.0\\.1|localhost|\\[::1\\]):${written})(?![0-9])`, 'g');
}

/**
 * Whether the address at `at` in `text` (one list item; `previous` the item before it) is named a
 * listen address: by the word run it ends (`--grpc-addr=`, `--set=plugins.envoy_ext_authz_grpc.addr=`,
 * `tcp://` after such a name), or, standing alone, by the word before it (`--listen 127.0.0.1:50051`,
 * in the item or as the item before).
 */
function listenAt(text: string, at: number, previous: string | undefined): boolean {
  // The name stands just before the address: a bounded look back keeps the patterns below linear
  // over a long item (a whole sh -c script: review21 R5).
  let before = text.slice(Math.max(0, at - NAME_REACH), at).replace(/[a-z][a-z0-9+.-]*:\/\/$/i, '').replace(/["']$/, '');
  if (/[=:]$/.test(before)) {
    const run = /[^\s"']*$/.exec(before.slice(0, -1))![0];
    return run !== '' && namesListen(run);
  }
  before = before.trimEnd();
  const word = before === '' ? previous : /[^\s"']*$/.exec(before)![0];
  return word !== undefined && word !== '' && namesListen(word);
}

/** How far before an address its name is looked for. */
const NAME_REACH = 256;

/**
 * The word of `text` that holds the address at `at` (`--listen=127.0.0.1:50051` of a whole script),
 * as a message quotes it: never the rest of the item, which may hold other lines and secrets
 * (review21 R4), and at most 120 characters.
 */
function wordAt(text: string, at: number, end: number): string {
  let start = at;
  while (start > 0 && at - start < 120 && !/[\s"']/.test(text[start - 1]!)) start--;
  if (start === at) {
    // `--bind 127.0.0.1:50054`: the flag before it too.
    let flag = start;
    while (flag > 0 && /[ \t]/.test(text[flag - 1]!)) flag--;
    let word = flag;
    while (word > 0 && flag - word < 60 && !/[\s"']/.test(text[word - 1]!)) word--;
    if (word < flag && text[word] === '-') start = word;
  }
  let stop = end;
  while (stop < text.length && stop - start < 120 && !/[\s"']/.test(text[stop]!)) stop++;
  const word = text.slice(start, stop);
  return word === text ? JSON.stringify(text) : `containing ${JSON.stringify(word)}`;
}

/**
 * The first item of the container's lists (args, command, in that order) and env values that
 * names a loopback address on `port`; one that is a listen address wins over one that may be a
 * client's.
 */
export function loopbackItems(
  lists: ReadonlyArray<{ key: string; items: ReadonlyArray<string | undefined> }>,
  env: ReadonlyArray<{ name: string | undefined; value: string | undefined }>,
  port: number | string,
): LoopbackItem | undefined {
  let first: LoopbackItem | undefined;
  const consider = (item: LoopbackItem) => {
    if (item.listen) return true;
    first ??= item;
    return false;
  };
  for (const { key, items } of lists) {
    for (let i = 0; i < items.length; i++) {
      const text = items[i];
      if (text === undefined) continue;
      for (const m of text.matchAll(loopbackPattern(port))) {
        const at = m.index! + m[0].length - m[1]!.length;
        const previous = items[i - 1];
        const listen = listenAt(text, at, previous);
        // `["--listen", "127.0.0.1:50051"]`: the message quotes both items, the flag with its value.
        const standalone = text.slice(0, at).trim() === '' && previous !== undefined && /^-/.test(previous);
        const end = m.index! + m[0].length;
        const item = standalone
          ? { what: `${key} items ${JSON.stringify(previous.length > 120 ? `${previous.slice(0, 117)}...` : previous)} and ${wordAt(text, at, end)}`, listen, plural: true as const }
          : { what: `${key} item ${wordAt(text, at, end)}`, listen };
        if (consider(item)) return item;
      }
    }
  }
  const split = splitListen(lists, env, port);
  if (split && consider(split)) return split;
  for (const { name, value } of env) {
    if (value === undefined) continue;
    for (const m of value.matchAll(loopbackPattern(port))) {
      const at = m.index! + m[0].length - m[1]!.length;
      // The env name stands before the value: `GRPC_LISTEN_ADDR=127.0.0.1:50051`.
      const listen = value.slice(0, at).trim() === '' ? name !== undefined && namesListen(name) : listenAt(value, at, name);
      const word = wordAt(value, at, m.index! + m[0].length);
      const item = { what: word.startsWith('containing ') ? `env ${name ?? ''} value ${word}` : `env ${name ?? ''}=${word}`, listen };
      if (consider(item)) return item;
    }
  }
  return first;
}

/**
 * What such an item does to a plan whose port it names: a listen address blocks `host` (the
 * native probe dials the pod IP, where the server does not listen), an address that may be a
 * client's gets a note. Either replaces the general note on a loopback -addr: the item says more.
 */
export function boundToLoopback(plan: NativePlan, bound: LoopbackItem | undefined): void {
  if (bound === undefined) return;
  if (plan.loopbackHost !== undefined) {
    const general = `-addr used ${plan.loopbackHost};`;
    plan.notes = plan.notes.filter((n) => !n.startsWith(general));
    if (plan.blockedNotes) plan.blockedNotes = plan.blockedNotes.filter((n) => !n.startsWith(general));
  }
  if (bound.listen) {
    plan.blockers.push({
      code: 'host',
      detail: `${subject(bound)} ${bound.plural ? 'bind' : 'binds'} the server to loopback on the probe's port: the binary dialled it inside the pod, the kubelet dials the pod IP, where the server does not listen`,
      hint: `Make the server listen on 0.0.0.0 (or the pod IP) on that port, in ${bound.sibling !== undefined ? `container ${JSON.stringify(bound.sibling)}'s` : "the container's own"} args, command or env, then run the tool again; until then the probe must stay on exec.`,
    });
    // The blocked probe says the note's advice in its blocker.
    return;
  }
  const note = `${subject(bound)} ${bound.plural ? 'name' : 'names'} loopback on the probe's port; if that is where the server listens, the binary dialled it inside the pod but the kubelet dials the pod IP, where nothing may listen: check that the server listens there too (e.g. 0.0.0.0)`;
  plan.notes.push(note);
  // Advice that holds either way: a blocked probe keeps it.
  if (plan.blockedNotes && plan.blockedNotes !== plan.notes) plan.blockedNotes.push(note);
}

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|::1|\[::1\])$/;

/** Another listener of the container (`--metrics-bind-address`, `--admin-listen`): its host says nothing of the gRPC port's. */
const OTHER_SERVER_WORDS = new Set(['metrics', 'admin', 'debug', 'pprof', 'health', 'healthz', 'http', 'https', 'web', 'ui', 'dashboard', 'prometheus', 'status']);
function namesOtherServer(name: string): boolean {
  const ws = words(name);
  return !ws.includes('grpc') && ws.some((w) => OTHER_SERVER_WORDS.has(w));
}

/** Whether a name (a flag, an env name) gives a port: `--port`, `--grpc-port`, `GRPC_PORT`, and no client word. */
function namesPort(name: string): boolean {
  const ws = words(name);
  return ws.includes('port') && !ws.some((w) => CLIENT_WORDS.has(w));
}

/**
 * A listen address given in two parts (hunt18 L2): a host named to listen on (`--bind 127.0.0.1`,
 * `--bind-address=127.0.0.1`, `--listen-host localhost`, env `BIND_ADDRESS=127.0.0.1`) and the probe's
 * port named as a port (`--port 50051`, `--grpc-port=50051`, env `PORT=50051`), both of the container.
 * Read as words: a flag and its value in one item (`=`), in two items, or in a `sh -c` script.
 */
function splitListen(
  lists: ReadonlyArray<{ key: string; items: ReadonlyArray<string | undefined> }>,
  env: ReadonlyArray<{ name: string | undefined; value: string | undefined }>,
  port: number | string,
): LoopbackItem | undefined {
  let host: string | undefined;
  let portWord: string | undefined;
  const pair = (name: string, value: string, shown: string) => {
    if (host === undefined && LOOPBACK_HOST.test(value) && namesListen(name) && !namesOtherServer(name)) host = shown;
    if (portWord === undefined && value === String(port) && namesPort(name)) portWord = shown;
  };
  for (const { items } of lists) {
    // Each item's words, over the list: `["--bind", "127.0.0.1"]` and `"… --bind 127.0.0.1 …"` alike.
    const ws = items.flatMap((t) => (t === undefined ? [''] : t.length > 100_000 ? [''] : t.split(/\s+/).filter((w) => w !== '')));
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (!w.startsWith('-')) continue;
      const eq = w.indexOf('=');
      if (eq > 0) pair(w.slice(0, eq), w.slice(eq + 1).replace(/^["']|["']$/g, ''), w);
      else if (ws[i + 1] !== undefined) pair(w, ws[i + 1]!.replace(/^["']|["']$/g, ''), `${w} ${ws[i + 1]}`);
    }
  }
  for (const { name, value } of env) if (name !== undefined && value !== undefined) pair(name, value.trim(), `${name}=${value.trim()}`);
  if (host === undefined || portWord === undefined) return undefined;
  return { what: `settings ${JSON.stringify(host)} and ${JSON.stringify(portWord)}`, listen: true, plural: true };
}

/** `the container's own args item "…"`, `the args item "…" of container "server" of the same pod (one network)`. */
function subject(bound: LoopbackItem): string {
  return bound.sibling !== undefined ? `the ${bound.what} of container ${JSON.stringify(bound.sibling)} of the same pod (its containers share one network)` : `the container's own ${bound.what}`;
}

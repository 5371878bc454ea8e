/**
 * A container's own args, command or env that name a loopback address on the probe's port
 * (`--grpc-addr=127.0.0.1:9191`, `--listen 127.0.0.1:50051`, `GRPC_LISTEN_ADDR=localhost:50051`):
 * the binary dialled that address inside the pod, the kubelet's native probe dials the pod IP.
 * Shared by the YAML and TypeScript probe readers.
 */

import { BlockList, isIP } from 'node:net';
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

let loopbackNets: BlockList | undefined;

/**
 * Whether a host is the loopback interface: `localhost` in any case, all of 127.0.0.0/8, `::1` in
 * any spelling (`[0:0:0:0:0:0:0:1]`, `::ffff:127.0.0.1`), bracketed or not. Addresses are read
 * by node's own parser (net.isIP, net.BlockList), not by pattern.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h.toLowerCase() === 'localhost') return true;
  const family = isIP(h);
  if (family === 0) return false;
  if (!loopbackNets) {
    loopbackNets = new BlockList();
    loopbackNets.addSubnet('127.0.0.0', 8, 'ipv4');
    loopbackNets.addAddress('::1', 'ipv6');
  }
  return loopbackNets.check(h, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Each `host:port` of `text` on `port` (a number, or the text a template writes for it,
 * `{{ .Values.grpcPort }}`, matched as written), where a host may stand: at the start of a word,
 * after `=`, `/` (`tcp://`), `tcp:` or a comma (a list of addresses). Which host is loopback is
 * isLoopbackHost's to say.
 */
function hostPortPattern(port: number | string): RegExp {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // An action as any spacing and trim markers write it (`{{.Values.grpcPort}}`, `{{- .Values.grpcPort }}`: review23 R5).
  const action = typeof port === 'string' ? /^\{\{-?\s*([^{}]*?)\s*-?\}\}$/.exec(port) : null;
  const written = typeof port === 'number' ? String(port) : action ? `\\{\\{-?\\s*${escape(action[1]!).replace(/ +/g, '\\s+')}\\s*-?\\}\\}` : escape(port);
  // A host is a run of name characters or a bracketed IPv6 address: the runs that start at
  // different places do not overlap, so the pattern stays linear over a long item.
  return new RegExp(`(?:^|[=\\s"'/,]|(?<=(?:^|[=\\s"'/,])tcp[46]?:))((\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):${written})(?![0-9])`, 'g');
}

/** Where `text` names a loopback address on `port`: the address's start and end. */
function loopbackAddresses(text: string, port: number | string): { at: number; end: number }[] {
  const out: { at: number; end: number }[] = [];
  for (const m of text.matchAll(hostPortPattern(port))) {
    if (!isLoopbackHost(m[2]!)) continue;
    const end = m.index! + m[0].length;
    const at = end - m[1]!.length;
    if (!listenedElsewhere(text, at, end, port)) out.push({ at, end });
  }
  return out;
}

/**
 * `--listen=127.0.0.1:50051,:50051`: a list that also gives the port on an address that is not
 * loopback (all of them, the pod IP), so the server is not on loopback alone.
 */
function listenedElsewhere(text: string, at: number, end: number, port: number | string): boolean {
  let start = at;
  while (start > 0 && at - start < NAME_REACH && !/[\s"'=]/.test(text[start - 1]!)) start--;
  let stop = end;
  while (stop < text.length && stop - end < NAME_REACH && !/[\s"']/.test(text[stop]!)) stop++;
  const run = text.slice(start, stop);
  if (!run.includes(',')) return false;
  return run.split(',').some((element) => {
    const m = /^(?:[a-z][a-z0-9+.-]*:\/\/|tcp[46]?:)?(.*):([^:\]]*)$/i.exec(element);
    return m !== null && m[2] === String(port) && !isLoopbackHost(m[1]!);
  });
}

/**
 * Whether the address at `at` in `text` (one list item; `previous` the item before it) is named a
 * listen address: by the word run it ends (`--grpc-addr=`, `--set=plugins.envoy_ext_authz_grpc.addr=`,
 * `tcp://` or `tcp:` after such a name, the addresses before it in a comma list), or, standing
 * alone, by the word before it (`--listen 127.0.0.1:50051`, in the item or as the item before).
 */
function listenAt(text: string, at: number, previous: string | undefined): boolean {
  // The name stands just before the address: a bounded look back keeps the patterns below linear
  // over a long item (a whole sh -c script: review21 R5).
  let before = text
    .slice(Math.max(0, at - NAME_REACH), at)
    .replace(/[a-z][a-z0-9+.-]*:\/\/$/i, '')
    .replace(/(^|[=\s"'/,])tcp[46]?:$/, '$1')
    .replace(/(?:[^\s"'=,]*,)+$/, '')
    .replace(/["']$/, '');
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
      for (const { at, end } of loopbackAddresses(text, port)) {
        const previous = items[i - 1];
        const listen = listenAt(text, at, previous);
        // `["--listen", "127.0.0.1:50051"]`: the message quotes both items, the flag with its value.
        const standalone = text.slice(0, at).trim() === '' && previous !== undefined && /^-/.test(previous);
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
    for (const { at, end } of loopbackAddresses(value, port)) {
      // The env name stands before the value: `GRPC_LISTEN_ADDR=127.0.0.1:50051`.
      const listen = value.slice(0, at).trim() === '' ? name !== undefined && namesListen(name) : listenAt(value, at, name);
      const word = wordAt(value, at, end);
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
 * Whether a name gives an address without saying whose (`--address`, `--ip`): the server's own as
 * often as one it dials, so a loopback host there with the probe's port is a note, as the joined
 * `--address=127.0.0.1:50051` is (hunt20 L2). Not `host` (a client's far more often).
 */
function namesAddress(name: string): boolean {
  const ws = words(name);
  return ws.some((w) => w === 'addr' || w === 'address' || w === 'addresses' || w === 'ip') && !ws.some((w) => CLIENT_WORDS.has(w));
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
  /** A loopback host named an address only (`--address=127.0.0.1`): a note, as the joined form is. */
  let address: string | undefined;
  let portWord: string | undefined;
  const pair = (name: string, value: string, shown: string) => {
    if (isLoopbackHost(value) && !namesOtherServer(name)) {
      if (host === undefined && namesListen(name)) host = shown;
      else if (address === undefined && namesAddress(name)) address = shown;
    }
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
  if ((host ?? address) === undefined || portWord === undefined) return undefined;
  return { what: `settings ${JSON.stringify(host ?? address)} and ${JSON.stringify(portWord)}`, listen: host !== undefined, plural: true };
}

/** `the container's own args item "…"`, `the args item "…" of container "server" of the same pod (one network)`. */
function subject(bound: LoopbackItem): string {
  return bound.sibling !== undefined ? `the ${bound.what} of container ${JSON.stringify(bound.sibling)} of the same pod (its containers share one network)` : `the container's own ${bound.what}`;
}

/**
 * A container's own args, command or env that name a loopback address on the probe's port
 * (`--grpc-addr=127.0.0.1:9191`, `--listen 127.0.0.1:50051`, `GRPC_LISTEN_ADDR=localhost:50051`):
 * the binary dialled that address inside the pod, the kubelet's native probe dials the pod IP.
 * Shared by the YAML and TypeScript probe readers.
 */

import { BlockList, isIP } from 'node:net';
import { shellScriptIndex, type NativePlan } from './native-probe.js';
import { parseShell, resolveWord, shellCommentRanges, ShellParseError, type ShCall } from './shell.js';

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
  /**
   * The listen address's port (or host) is a value the tool does not read (`--grpc-listen=
   * 127.0.0.1:$(GRPC_PORT)` with GRPC_PORT from a configMapKeyRef): the server may listen on
   * loopback at the probe's port, or not. Always a note (listen false). `refs` as the message names them.
   */
  unread?: { part: 'host' | 'port'; refs: string[]; why?: string };
}

/**
 * A text with the template actions it prints rendered (Helm: src/helm/listen-values.ts): each
 * action as written, the value put in its place, and whether other values the chart may be given
 * print something else there (then the value is one naming a loopback host, if any does).
 */
export interface RenderedText {
  text: string;
  actions: { action: string; value: string; mixed: boolean }[];
  /**
   * printf actions left as written, whose format names a loopback listen address with a verb for
   * its port (verbListen) and whose operands the values do not render: the port is not known.
   */
  unrendered?: { action: string; format: string }[];
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

type ItemLists = ReadonlyArray<{ key: string; items: ReadonlyArray<string | undefined> }>;
/**
 * A container's env entries: `value` the literal value (undefined: a valueFrom, or a value the
 * reader does not read); `downward` a valueFrom of the downward API (fieldRef, resourceFieldRef:
 * the pod's IP or name, a resource amount), never a loopback host nor a port a config chooses.
 */
type EnvEntries = ReadonlyArray<{ name: string | undefined; value: string | undefined; downward?: boolean }>;

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
 * A cheap test that `text` may name a host isLoopbackHost calls loopback, or a `$(NAME)` the
 * kubelet may expand to one: it may say yes to other text, never no to such a host. Every
 * spelling of one holds `127.` (IPv4, and IPv6 with an IPv4 tail), `localhost` in some case,
 * `::` (a compressed IPv6 address), `ffff:` (an IPv4-mapped one) or eight groups ending in
 * `0:1` (`0:0:0:0:0:0:0:1`, leading zeros or not). For callers that skip work on text without one
 * (a patch, a values setting): runs without loopback text stay fast.
 */
export const MAY_NAME_LOOPBACK = /127\.|localhost|::|ffff:|(?:0{1,4}:){7}0{0,3}1|\$\(/i;

/**
 * Whether `text` (a values setting: `127.0.0.1:5000`, `tcp://[::1]:5000`, `localhost`) holds a
 * loopback host, alone or with a port, as isLoopbackHost reads it.
 */
export function namesLoopbackHost(text: string): boolean {
  if (!MAY_NAME_LOOPBACK.test(text)) return false;
  return text.split(/[\s"'=,/]+/).some((token) => {
    const t = token.replace(/^tcp[46]?:/i, '');
    return t !== '' && (isLoopbackHost(t) || isLoopbackHost(t.replace(/:\d+$/, '')));
  });
}

/**
 * Each `host:port` of `text` on `port` (a number, or the text a template writes for it,
 * `{{ .Values.grpcPort }}`, matched as written), where a host may stand: at the start of a word,
 * after `=`, `/` (`tcp://`), `tcp:` or a comma (a list of addresses). Which host is loopback is
 * isLoopbackHost's to say.
 */
function hostPortPattern(port: number | string): RegExp {
  // A host is a run of name characters or a bracketed IPv6 address: the runs that start at
  // different places do not overlap, so the pattern stays linear over a long item.
  return new RegExp(`(?:^|[=\\s"'/,]|(?<=(?:^|[=\\s"'/,])tcp[46]?:))((\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):${portSource(port)})(?![0-9])`, 'g');
}

/** The longest port text (a template action) compared with listen addresses. */
const MAX_PORT_TEXT = 4096;

/** A port as a pattern: a number, or a template's action in any spacing and trim markers (`{{.Values.grpcPort}}`, `{{- .Values.grpcPort }}`: review23 R5). */
function portSource(port: number | string): string {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const action = typeof port === 'string' ? actionBody(port) : undefined;
  return typeof port === 'number' ? String(port) : action !== undefined ? `\\{\\{-?\\s*${escape(action).replace(/ +/g, '\\s+')}\\s*-?\\}\\}` : escape(port);
}

/**
 * The body of a text that is one template action (`{{- .Values.grpcPort }}` gives
 * `.Values.grpcPort`), without its trim markers and blanks; undefined for other text. Sliced in
 * code, not by a lazy group before `\s*` and an anchor, which backtracks over a long action
 * (review24 R5: 18 s on a 100 KB one).
 */
function actionBody(text: string): string | undefined {
  if (!text.startsWith('{{') || !text.endsWith('}}') || text.length < 4) return undefined;
  let body = text.slice(2, -2);
  if (body.startsWith('-')) body = body.slice(1);
  if (body.endsWith('-')) body = body.slice(0, -1);
  if (body.includes('{') || body.includes('}')) return undefined;
  return body.trim();
}

/** Where an address names a host or a port: its start and end, and what the tool does not read of it. */
interface AddressAt {
  at: number;
  end: number;
  unread?: NonNullable<LoopbackItem['unread']>;
}

/** Where `text` names a loopback address on `port`: the address's start and end. */
function loopbackAddresses(text: string, port: number | string): AddressAt[] {
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
 * Where `text` names an address that is loopback on `port` but for a `$(NAME)` the kubelet fills
 * in from a value the tool does not read (`open`): a loopback host on `$(GRPC_PORT)`, or
 * `$(LISTEN_HOST)` on `port`. Whether it is listened on is the caller's to say.
 */
function openAddresses(text: string, open: readonly Sub[], port: number | string): AddressAt[] {
  if (open.length === 0) return [];
  const out: AddressAt[] = [];
  const ends = new Set(open.map((o) => o.end));
  for (const ref of new Set(open.map((o) => o.ref))) {
    for (const { at, end } of loopbackAddresses(text, `$(${ref})`)) {
      if (ends.has(end) && !listenedElsewhere(text, at, end, port)) out.push({ at, end, unread: { part: 'port', refs: [`$(${ref})`] } });
    }
  }
  const portAfter = new RegExp(`:${portSource(port)}(?![0-9])`, 'y');
  for (const o of open) {
    if (!(o.start === 0 || /[=\s"'/,]/.test(text[o.start - 1]!) || /(?:^|[=\s"'/,])tcp[46]?:$/.test(text.slice(Math.max(0, o.start - 8), o.start)))) continue;
    portAfter.lastIndex = o.end;
    const m = portAfter.exec(text);
    if (m && !listenedElsewhere(text, o.start, o.end + m[0].length, port)) out.push({ at: o.start, end: o.end + m[0].length, unread: { part: 'host', refs: [`$(${o.ref})`] } });
  }
  return out.sort((a, b) => a.at - b.at);
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
 * (review21 R4), and at most 120 characters. With where it stands in `text`.
 */
function wordAt(text: string, at: number, end: number): { shown: string; start: number; stop: number } {
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
  return { shown: word === text ? JSON.stringify(text) : `containing ${JSON.stringify(word)}`, start, stop };
}

/** `$(NAME)` the kubelet replaced in a text: where its value stands in the expanded text. */
interface Sub {
  start: number;
  end: number;
  ref: string;
}

/**
 * A text as the container's process gets it (after the kubelet's `$(NAME)` expansion), with where
 * each expansion stands, and where a `$(NAME)` stands that the kubelet fills in from a value the
 * tool does not read (`open`: a valueFrom, an envFrom, an entry it cannot read).
 */
interface Expanded {
  text: string;
  subs: Sub[];
  open: Sub[];
}

/** What the tool knows of a name's value where the kubelet expands it: the value, or whether it is one the tool does not read. */
type EnvLookup = (name: string) => { value: string; open: Sub[] } | { open: boolean };

/**
 * The kubelet's expansion of `$(NAME)` in a container's command, args and env values (hunt20 L1):
 * `$$` is a `$`, `$(NAME)` the value of NAME where the lookup knows it, and anything else stays
 * as written (as the kubelet leaves a reference to a variable it does not have).
 */
function kubeletExpand(text: string, lookup: EnvLookup): Expanded {
  if (!text.includes('$')) return { text, subs: [], open: [] };
  let out = '';
  let last = 0;
  const subs: Sub[] = [];
  const open: Sub[] = [];
  for (const m of text.matchAll(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g)) {
    out += text.slice(last, m.index);
    last = m.index! + m[0].length;
    if (m[1] === undefined) {
      out += '$';
      continue;
    }
    const known = lookup(m[1]);
    if ('value' in known) {
      subs.push({ start: out.length, end: out.length + known.value.length, ref: m[1] });
      // `ADDR=127.0.0.1:$(P)` with P from a valueFrom: the kubelet gave ADDR P's value, which the tool does not read.
      for (const o of known.open) open.push({ start: out.length + o.start, end: out.length + o.end, ref: o.ref });
      out += known.value;
    } else {
      if (known.open) open.push({ start: out.length, end: out.length + m[0].length, ref: m[1] });
      out += m[0];
    }
  }
  return { text: out + text.slice(last), subs, open };
}

/**
 * The container's env as the kubelet builds it: each entry's value expanded from the entries
 * before it, literal values only (a `valueFrom` gives a value the tool does not know), the last
 * entry of a name winning. An entry the tool cannot read (no name: an alias, a spread) may set any
 * name, so none is known after it. A name is open where the kubelet gives it a value the tool does
 * not read: a valueFrom other than the downward API's, a name no entry sets (an envFrom or a
 * Service's variable may), any name after an unread entry; not a name only later entries set (an
 * env value is expanded from the entries before it, and the kubelet leaves the reference as written).
 */
function kubeletEnv(env: EnvEntries): { lookup: EnvLookup; values: (Expanded | undefined)[] } {
  const known = new Map<string, { value: string; open: Sub[] } | { open: boolean }>();
  const later = new Map<string, number>();
  for (const { name } of env) if (name !== undefined) later.set(name, (later.get(name) ?? 0) + 1);
  let unread = false;
  const lookup: EnvLookup = (name) => (unread ? { open: true } : (known.get(name) ?? { open: !later.has(name) }));
  const values = env.map(({ name, value, downward }) => {
    const expanded = value === undefined ? undefined : kubeletExpand(value, lookup);
    if (name === undefined) unread = true;
    else {
      known.set(name, expanded !== undefined ? { value: expanded.text, open: expanded.open } : { open: downward !== true });
      const n = later.get(name)! - 1;
      if (n === 0) later.delete(name);
      else later.set(name, n);
    }
    return expanded;
  });
  return { lookup, values };
}

/** The `$(NAME)`s of `subs` that stand in `[start, stop)`. */
function subsIn(subs: readonly Sub[], start: number, stop: number): Sub[] {
  return subs.filter((s) => s.start < stop && s.end > start);
}

/** What a message adds for the `$(NAME)`s the kubelet expanded in the words it quotes. */
function expandedNote(subs: readonly Sub[]): string {
  const refs = [...new Set(subs.map((s) => `$(${s.ref})`))];
  return refs.length === 0 ? '' : ` (the kubelet expands ${refs.join(', ')} in it from the container's env)`;
}

/** An item of the process's argv, expanded, with the list it is in. */
interface ArgvItem {
  key: string;
  item: Expanded | undefined;
}

/**
 * The loopback addresses on `port` an argv item names (`previous` the item before it); in a
 * script, not those in a comment (`script`).
 */
function itemMatches({ key, item }: ArgvItem, previous: ArgvItem | undefined, port: number | string, script: boolean): LoopbackItem[] {
  const { text, subs: itemSubs, open } = item!;
  const out: LoopbackItem[] = [];
  let comments: [number, number][] | undefined;
  for (const { at, end, unread } of [...loopbackAddresses(text, port), ...openAddresses(text, open, port)]) {
    if (script && mayBeComment(text, at) && (comments ??= commentRanges(text)).some(([start, stop]) => start <= at && at < stop)) continue;
    const before = previous?.item?.text;
    const listen = listenAt(text, at, before);
    // A part the tool does not read: said only of a listen address (a client's is a note already when known).
    if (unread && !listen) continue;
    const word = wordAt(text, at, end);
    const subs = subsIn(itemSubs, word.start, word.stop);
    const also = unread ? { listen: false, unread } : { listen };
    // `["--listen", "127.0.0.1:50051"]`: the message quotes both items, the flag with its value.
    if (text.slice(0, at).trim() === '' && before !== undefined && /^-/.test(before)) {
      const flag = JSON.stringify(before.length > 120 ? `${before.slice(0, 117)}...` : before);
      const both = previous!.key === key ? `${key} items ${flag} and ${word.shown}` : `${previous!.key} item ${flag} and ${key} item ${word.shown}`;
      out.push({ what: `${both}${expandedNote([...previous!.item!.subs, ...subs])}`, ...also, plural: true });
    } else out.push({ what: `${key} item ${word.shown}${expandedNote(subs)}`, ...also });
  }
  return out;
}

/** Whether a `#` that may start a comment stands before `at` on its line: only then is the script parsed for its comments. */
function mayBeComment(text: string, at: number): boolean {
  const line = text.slice(text.lastIndexOf('\n', at - 1) + 1, at);
  return /(?:^|[\s;&|()])#/.test(line);
}

/**
 * A script's comments (`# was: --listen=127.0.0.1:50051` is no setting: hunt20 L3), by the shell
 * parser (~130 ms to load, so only where mayBeComment says one may hold an address). None where
 * the script does not parse: its text is read as it is.
 */
function commentRanges(script: string): [number, number][] {
  try {
    return shellCommentRanges(script);
  } catch (e) {
    if (e instanceof ShellParseError) return [];
    throw e;
  }
}

/** The verbs of a Go printf that may print a port. */
const PORT_VERBS = ['%d', '%v', '%s'];

/**
 * The verb of a printf format (a Helm template's `printf "--grpc-listen=127.0.0.1:%d" …`) that
 * stands for the port of a listen address on a loopback host, named so by the format itself
 * (`--grpc-listen=`); undefined where it names none.
 */
export function verbListen(format: string): string | undefined {
  if (!format.includes('%')) return undefined;
  for (const verb of PORT_VERBS) for (const { at } of loopbackAddresses(format, verb)) if (listenAt(format, at, undefined)) return verb;
  return undefined;
}

/**
 * A printf action the chart's values do not render, whose format names a loopback listen address
 * (RenderedText.unrendered): what it prints on the probe's port is not known, a note.
 */
export function unrenderedListen(u: { action: string; format: string }): LoopbackItem | undefined {
  const verb = verbListen(u.format);
  if (verb === undefined) return undefined;
  return {
    what: `item printed by printf ${JSON.stringify(u.format)}`,
    listen: false,
    unread: { part: 'port', refs: [verb], why: `a verb of ${u.action}, whose operand the chart's values do not give as the tool can print it` },
  };
}

/**
 * The first item of the container's argv (command, then args) and env values that names a
 * loopback address on `port`, as the process gets them (the kubelet's `$(NAME)` expanded from
 * the env); one that is a listen address wins over one that may be a client's.
 */
export function loopbackItems(lists: ItemLists, env: EnvEntries, port: number | string): LoopbackItem | undefined {
  // A port written as more text than any action or number is no port an address can name, and a
  // pattern built from it would pass V8's size for a regular expression (review24 R5).
  if (typeof port === 'string' && port.length > MAX_PORT_TEXT) return undefined;
  const { lookup, values } = kubeletEnv(env);
  const argv: ArgvItem[] = [...lists.filter((l) => l.key === 'command'), ...lists.filter((l) => l.key !== 'command')].flatMap(({ key, items }) =>
    items.map((t) => ({ key, item: t === undefined ? undefined : kubeletExpand(t, lookup) })),
  );
  const scriptAt = argv.length >= 3 ? shellScriptIndex(argv.map((a) => a.item?.text ?? '')) : undefined;
  let first: LoopbackItem | undefined;
  let unread: LoopbackItem | undefined;
  const consider = (item: LoopbackItem) => {
    if (item.listen) return true;
    if (item.unread) unread ??= item;
    else first ??= item;
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.item === undefined) continue;
    for (const item of itemMatches(a, argv[i - 1], port, i === scriptAt)) if (consider(item)) return item;
  }
  const entries = env.map(({ name, downward }, i) => ({ name, value: values[i], ...(downward ? { downward } : {}) }));
  const split = splitListen(argv, scriptAt, entries, port);
  if (split && consider(split)) return split;
  for (const { name, value } of entries) {
    if (value === undefined) continue;
    for (const { at, end, unread } of [...loopbackAddresses(value.text, port), ...openAddresses(value.text, value.open, port)]) {
      // The env name stands before the value: `GRPC_LISTEN_ADDR=127.0.0.1:50051`.
      const listen = value.text.slice(0, at).trim() === '' ? name !== undefined && namesListen(name) : listenAt(value.text, at, name);
      if (unread && !listen) continue;
      const word = wordAt(value.text, at, end);
      const said = word.shown.startsWith('containing ') ? `env ${name ?? ''} value ${word.shown}` : `env ${name ?? ''}=${word.shown}`;
      const item: LoopbackItem = { what: `${said}${expandedNote(subsIn(value.subs, word.start, word.stop))}`, ...(unread ? { listen: false, unread } : { listen }) };
      if (consider(item)) return item;
    }
  }
  return first ?? unread;
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
  const names = bound.plural ? 'name' : 'names';
  const said = bound.unread
    ? `${subject(bound)} ${names} ${bound.unread.part === 'port' ? 'a listen address on loopback at a port' : "a listen address on the probe's port with a host"} the tool does not read (${bound.unread.refs.join(', ')}: ${bound.unread.why ?? 'the kubelet gives it a value from a valueFrom, an envFrom or an entry the tool does not read'}); if that is ${bound.unread.part === 'port' ? "the probe's port" : 'loopback'}`
    : `${subject(bound)} ${names} loopback on the probe's port; if that is where the server listens`;
  const note = `${said}, the binary dialled it inside the pod but the kubelet dials the pod IP, where nothing may listen: check that the server listens there too (e.g. 0.0.0.0)`;
  plan.notes.push(note);
  // Advice that holds either way: a blocked probe keeps it.
  if (plan.blockedNotes && plan.blockedNotes !== plan.notes) plan.blockedNotes.push(note);
}

/**
 * Another listener of the container (`--metrics-bind-address`, `--admin-listen`, an HTTP gateway's
 * `--rest-bind-address`): its host says nothing of the gRPC port's. A gRPC gateway
 * (`--grpc-gateway-bind`) is an HTTP listener too.
 */
const OTHER_SERVER_WORDS = new Set(['metrics', 'admin', 'debug', 'pprof', 'health', 'healthz', 'http', 'https', 'web', 'ui', 'dashboard', 'prometheus', 'status', 'rest', 'gateway']);
function namesOtherServer(name: string): boolean {
  const ws = words(name);
  return ws.some((w) => OTHER_SERVER_WORDS.has(w)) && (!ws.includes('grpc') || ws.includes('gateway'));
}

/** Whether a name (a flag, an env name) gives a port: `--port`, `--grpc-port`, `GRPC_PORT`, and no client word. */
function namesPort(name: string): boolean {
  const ws = words(name);
  return ws.includes('port') && !ws.some((w) => CLIENT_WORDS.has(w));
}

/**
 * Whether a name gives an address without saying whose (`--address`, `--ip`, `--host`,
 * `GRPC_HOST`): the server's own as often as one it dials, so a loopback host there with the
 * probe's port is a note, as the joined `--address=127.0.0.1:50051` and `--host=127.0.0.1:50051`
 * are (hunt20 L2). Never a block: a host is a client's as often as the server's own.
 */
function namesAddress(name: string): boolean {
  const ws = words(name);
  return ws.some((w) => w === 'addr' || w === 'address' || w === 'addresses' || w === 'ip' || w === 'host' || w === 'hostname') && !ws.some((w) => CLIENT_WORDS.has(w));
}

/** Words of a host's or port's name that say only that it is one, not which listener's. */
const PLAIN_NAME_WORDS = new Set([...LISTEN_WORDS, 'addr', 'address', 'addresses', 'host', 'hostname', 'ip', 'port', 'ports', 'server', 'interface', 'iface', 'local']);

/**
 * Whether a host's name and a port's may name one listener: not where each says another one
 * (daprd's `--dapr-listen-addresses` and `--app-port`, `--rest-bind-address` and `--grpc-port`:
 * hunt20 L3); `--bind` or `BIND_ADDRESS`, which say no listener, go with any port.
 */
function sameListener(hostName: string, portName: string): boolean {
  const own = (name: string) => words(name).filter((w) => !PLAIN_NAME_WORDS.has(w));
  const h = own(hostName);
  const p = own(portName);
  return h.length === 0 || p.length === 0 || h.some((w) => p.includes(w));
}

/**
 * A flag and its value (`--bind=127.0.0.1`, `--bind 127.0.0.1`), or an env entry, as read for a
 * split listen address; `open` where the value is one the tool does not read (`--port
 * $(GRPC_PORT)` with GRPC_PORT from a valueFrom, an env entry from one), as a message names it.
 */
interface Setting {
  name: string;
  value: string;
  shown: string;
  subs: Sub[];
  open?: string;
}

/** A word of a process's argv (an item split at blanks: it may be a script), with the `$(NAME)`s in it. */
interface Token {
  text: string;
  subs: Sub[];
  open: Sub[];
}

function tokensOf(item: Expanded | undefined): Token[] {
  // A hole (an item the reader cannot read) keeps a flag from pairing with the item after it.
  if (item === undefined || item.text.length > 100_000) return [{ text: '', subs: [], open: [] }];
  return [...item.text.matchAll(/\S+/g)].map((m) => ({ text: m[0], subs: subsIn(item.subs, m.index!, m.index! + m[0].length), open: subsIn(item.open, m.index!, m.index! + m[0].length) }));
}

function settingsOf(tokens: readonly Token[]): Setting[] {
  const out: Setting[] = [];
  const unquote = (v: string) => v.replace(/^["']|["']$/g, '');
  // The value is one `$(NAME)` the kubelet fills in from a value the tool does not read.
  const openIn = (value: string, open: readonly Sub[]) => {
    const ref = /^\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)$/.exec(value)?.[1];
    return ref !== undefined && open.some((o) => o.ref === ref) ? { open: `$(${ref})` } : {};
  };
  for (let i = 0; i < tokens.length; i++) {
    const { text: w, subs, open } = tokens[i]!;
    if (!w.startsWith('-')) continue;
    const eq = w.indexOf('=');
    const next = tokens[i + 1];
    if (eq > 0) {
      const value = unquote(w.slice(eq + 1));
      out.push({ name: w.slice(0, eq), value, shown: w, subs, ...openIn(value, open) });
    } else if (next !== undefined) {
      const value = unquote(next.text);
      out.push({ name: w, value, shown: `${w} ${next.text}`, subs: [...subs, ...next.subs], ...openIn(value, next.open) });
    }
  }
  return out;
}

/** The words of a name that say which listener it is (not `--bind`, `--port`, `GRPC_PORT`'s plain words). */
function ownWords(name: string): string[] {
  return words(name).filter((w) => !PLAIN_NAME_WORDS.has(w));
}

/**
 * The host and port of one process that make a loopback listen address on `port`: a listen name's
 * blocks, an address or host name's (or a port a sidecar dials, `--app-port`) is a note. Where
 * one of the two is a value the tool does not read, a listen name's is a note too, if the port's
 * name says no other listener than the host's (`--port`, `--grpc-port`; not `--db-port`). Best
 * first: a block, a note, a note on a value not read.
 */
function pairIn(settings: readonly Setting[], port: number | string): LoopbackItem | undefined {
  const hosts = settings.filter((s) => (s.open !== undefined || isLoopbackHost(s.value)) && !namesOtherServer(s.name) && (namesListen(s.name) || namesAddress(s.name)));
  if (hosts.length === 0) return undefined;
  const ports = settings.filter((s) => (s.open !== undefined || s.value === String(port)) && namesPort(s.name));
  let note: LoopbackItem | undefined;
  let unread: LoopbackItem | undefined;
  for (const h of hosts) {
    for (const p of ports) {
      if (!sameListener(h.name, p.name)) continue;
      // `--app-port` names the application a sidecar (daprd, a proxy) dials, unless the host is the app's too.
      const dialled = words(p.name).includes('app') && !words(h.name).includes('app');
      const listen = namesListen(h.name) && !dialled;
      const what = `settings ${JSON.stringify(h.shown)} and ${JSON.stringify(p.shown)}${expandedNote([...h.subs, ...p.subs])}`;
      if (h.open !== undefined || p.open !== undefined) {
        const hostWords = ownWords(h.name);
        if (!listen || (h.open !== undefined && p.open !== undefined) || !ownWords(p.name).every((w) => w === 'grpc' || hostWords.includes(w))) continue;
        unread ??= { what, listen: false, plural: true, unread: h.open !== undefined ? { part: 'host', refs: [h.open] } : { part: 'port', refs: [p.open!] } };
        continue;
      }
      const item = { what, listen, plural: true as const };
      if (item.listen) return item;
      note ??= item;
    }
  }
  return note ?? unread;
}

/** The better of two items: a block, a note, a note on a value not read. */
function better(a: LoopbackItem | undefined, b: LoopbackItem | undefined): LoopbackItem | undefined {
  const rank = (i: LoopbackItem | undefined) => (i === undefined ? 3 : i.listen ? 0 : i.unread ? 2 : 1);
  return rank(b) < rank(a) ? b : a;
}

/**
 * A listen address given in two parts (hunt18 L2): a host named to listen on (`--bind 127.0.0.1`,
 * `--bind-address=127.0.0.1`, `--listen-host localhost`, env `BIND_ADDRESS=127.0.0.1`) and the probe's
 * port named as a port (`--port 50051`, `--grpc-port=50051`, env `PORT=50051`), both of one process
 * of the container: a flag and its value in one item (`=`), in two items, or in a `sh -c` script,
 * where each command is a process of its own (`redis-server --bind 127.0.0.1 … & exec server
 * --port 50051`: hunt20 L3). The env is every process's.
 */
function splitListen(argv: readonly ArgvItem[], scriptAt: number | undefined, env: ReadonlyArray<{ name: string | undefined; value: Expanded | undefined; downward?: boolean }>, port: number | string): LoopbackItem | undefined {
  const envSettings: Setting[] = [];
  for (const { name, value, downward } of env) {
    if (name === undefined) continue;
    if (value !== undefined) envSettings.push({ name, value: value.text.trim(), shown: `${name}=${value.text.trim()}`, subs: value.subs, ...(/^\$\([^)]*\)$/.test(value.text.trim()) && value.open.length > 0 ? { open: `$(${value.open[0]!.ref})` } : {}) });
    // A valueFrom (not the downward API's) the kubelet reads for the process: a value the tool does not read.
    else if (downward !== true) envSettings.push({ name, value: '', shown: name, subs: [], open: name });
  }
  const found = pairIn([...settingsOf(argv.flatMap((a) => tokensOf(a.item))), ...envSettings], port);
  if (found === undefined || scriptAt === undefined) return found;
  // The script is parsed only where its words make such an address.
  const script = argv[scriptAt]!.item!;
  let calls: readonly ShCall[];
  try {
    calls = parseShell(script.text).calls;
  } catch (e) {
    if (e instanceof ShellParseError) return found;
    throw e;
  }
  const units = [
    argv.filter((_, i) => i !== scriptAt).flatMap((a) => tokensOf(a.item)),
    ...calls.map((call) => {
      // A word of the tree has no offsets of its own: the `$(NAME)`s of its command are its.
      const subs = subsIn(script.subs, call.start, call.end);
      const open = subsIn(script.open, call.start, call.end);
      return call.args.flatMap((w) => resolveWord(w, noEnv).text.split(/\s+/).flatMap((text) => (text === '' ? [] : [{ text, subs, open }])));
    }),
  ];
  let best: LoopbackItem | undefined;
  for (const unit of units) {
    best = better(best, pairIn([...settingsOf(unit), ...envSettings], port));
    if (best?.listen) return best;
  }
  return best;
}

const noEnv = () => undefined;

/** `the container's own args item "…"`, `the args item "…" of container "server" of the same pod (one network)`. */
function subject(bound: LoopbackItem): string {
  return bound.sibling !== undefined ? `the ${bound.what} of container ${JSON.stringify(bound.sibling)} of the same pod (its containers share one network)` : `the container's own ${bound.what}`;
}

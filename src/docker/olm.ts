/**
 * OLM catalog (registry) images. The Operator Lifecycle Manager creates a catalog's pod itself,
 * running the image's `opm serve` (or `opm registry serve`, or operator-registry's older
 * `registry-server`/`configmap-server`/`appregistry-server`) with exec probes that run
 * `grpc_health_probe -addr=:50051` from the image. Those probes live in OLM's code, not in any
 * file of the repository, so nothing the tool migrates can replace them: such an image keeps the
 * binary.
 */
import type { Copy, Flag, JSONInstruction, PropertyInstruction } from 'dockerfile-ast';
import type { From } from 'dockerfile-ast';
import { baseImageOf, copyArguments, execFormStrings, stageNamed, withGlobalArgs, type ParsedDockerfile } from './parse.js';

/** The programs that serve a catalog in a pod OLM probes with grpc_health_probe. */
const SERVERS = new Set(['opm', 'registry-server', 'configmap-server', 'appregistry-server']);
/** Labels that mark an image as an OLM index: file-based catalogs, and the older SQLite ones. */
const INDEX_LABEL = /^operators\.operatorframework\.io\.index\./;

export interface OlmSignal {
  /** [start, end) of the instruction that says so. */
  start: number;
  end: number;
  /** What it says, for the message (`LABEL operators.operatorframework.io.index.configs.v1`). */
  what: string;
}

const base = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? '';

/**
 * The instruction of one of `stages` (the stages the binary is put in) that makes it an OLM
 * catalog image, or an image catalogs build on, the clearest first: the index LABEL, an
 * ENTRYPOINT/CMD that runs a catalog server, a COPY/ADD that puts one in the image, a FROM an
 * operator-registry (opm) image. A builder stage that only downloads the binary for no catalog
 * stage says nothing.
 */
export function olmRegistrySignal(parsed: ParsedDockerfile, installStages: ReadonlySet<number>): OlmSignal | undefined {
  const { text } = parsed;
  const stages = withDescendants(parsed, installStages);
  const at = (p: { line: number; character: number }) => parsed.lines.offset(p.line, p.character);
  const signals: (OlmSignal & { rank: number })[] = [];
  for (const ins of parsed.instructions) {
    if (!stages.has(ins.stage)) continue;
    const found = (what: string) => void signals.push({ start: ins.start, end: ins.end, what, rank: RANK[ins.keyword] ?? 9 });
    if (ins.keyword === 'LABEL') {
      const name = (ins.node as unknown as PropertyInstruction).getProperties().map((p) => p.getName()).find((n) => INDEX_LABEL.test(n));
      if (name) found(`LABEL ${name}`);
    } else if (ins.keyword === 'ENTRYPOINT' || ins.keyword === 'CMD') {
      const args = text.slice(ins.argsStart, ins.end);
      const strings = args.trimStart().startsWith('[') ? execFormStrings(text, ins.argsStart + args.length - args.trimStart().length, ins.end, parsed.escape) : undefined;
      const program = strings ? strings[0]?.value : args.trim().split(/\s+/)[0];
      if (program && SERVERS.has(base(program))) found(`${ins.keyword} runs ${base(program)}`);
    } else if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      const node = ins.node as unknown as Copy & JSONInstruction;
      const flags: Flag[] = node.getFlags();
      const values = copyArguments(parsed, ins);
      const server = values.slice(0, -1).map(base).find((b) => SERVERS.has(b));
      if (server) found(`${ins.keyword} puts ${server} in the image`);
    } else if (ins.keyword === 'FROM') {
      const image = baseImageOf(parsed, ins).replace(/[@:][^/]*$/, '');
      if (/(^|\/)(opm|upstream-opm-builder|(ose-)?operator-registry)$/.test(image)) found(`FROM ${image}`);
    }
  }
  const best = signals.reduce<(OlmSignal & { rank: number }) | undefined>((a, b) => (a && a.rank <= b.rank ? a : b), undefined);
  return best && { start: best.start, end: best.end, what: best.what };
}

/** Which signal says it best: the index label names a catalog outright; a FROM only hints at one. */
const RANK: Record<string, number> = { LABEL: 0, ENTRYPOINT: 1, CMD: 1, COPY: 2, ADD: 2, FROM: 3 };

/**
 * The stages given and those built FROM one of them, however many stages down (`FROM tools` over
 * the stage that downloads the binary): they hold the binary too.
 */
function withDescendants(parsed: ParsedDockerfile, stages: ReadonlySet<number>): Set<number> {
  const out = new Set(stages);
  for (const from of parsed.instructions) {
    if (from.keyword !== 'FROM') continue;
    for (let cur: typeof from | undefined = from, hops = 0; cur && hops < parsed.instructions.length; hops++) {
      if (out.has(cur.stage)) {
        out.add(from.stage);
        break;
      }
      cur = stageNamed(parsed, withGlobalArgs(parsed, (cur.node as unknown as From).getImage() ?? ''), cur.start);
    }
  }
  return out;
}

import type { Document, Node, Pair, ParsedNode, Scalar, YAMLSeq, YAMLMap } from 'yaml';
import { CST, Parser, parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, visit } from './yaml-lib.js';
import type { Report } from '../types.js';

export interface YamlParse {
  docs: Document.Parsed<ParsedNode, true>[];
  /** First error: offset and message. */
  error?: { offset: number; message: string };
}

export interface YamlParseOptions {
  /** Helm if/else branches repeat keys. */
  uniqueKeys?: boolean;
}

export function parseYaml(text: string, opts: YamlParseOptions = {}): YamlParse {
  const docs = parseAllDocuments(text, { keepSourceTokens: true, uniqueKeys: opts.uniqueKeys ?? true, prettyErrors: false });
  if (!Array.isArray(docs)) {
    // An empty stream comes back as an EmptyStream object.
    return { docs: [] };
  }
  for (const d of docs) {
    const e = d.errors[0];
    if (e) {
      // The parser notices a quote left open only where the text ends: name the line it opens on.
      // YAML (and kubectl) take a lone CR as a line end; this parser does not, and its message would point nowhere useful.
      const loneCr = text.search(/\r(?!\n)/);
      if (loneCr !== -1) return { docs, error: { offset: loneCr, message: 'its lines end in a lone CR, as on classic Mac OS, which the tool does not read: convert them to LF or CRLF' } };
      const opened = e.code === 'MISSING_CHAR' && /quote/.test(e.message) ? unclosedQuoteAt(text) : undefined;
      if (opened !== undefined) return { docs, error: { offset: opened, message: 'a quote opened here is never closed' } };
      return { docs, error: { offset: e.pos[0], message: e.message.split('\n')[0]! } };
    }
  }
  // The yaml package leaves an alias without an anchor before it to toJS(), which throws; kubectl
  // refuses such a file ("unknown anchor"). It is not YAML the tool understands.
  if (text.includes('*')) {
    for (const d of docs) {
      let error: YamlParse['error'];
      visit(d, {
        Alias(_, node) {
          if (node.resolve(d) !== undefined) return undefined;
          error = { offset: node.range?.[0] ?? 0, message: `alias *${node.source} has no anchor &${node.source} before it` };
          return visit.BREAK;
        },
      });
      if (error) return { docs, error };
    }
  }
  return { docs };
}

/**
 * The source ranges of the nodes the document's aliases repeat (`*hc`, `<<: *base`): text that
 * runs, or is merged, wherever each alias stands as well as where it is written.
 */
export function aliasedRanges(doc: Document): [number, number][] {
  const out: [number, number][] = [];
  visit(doc, {
    Alias(_, node) {
      const target = node.resolve(doc);
      if (target?.range) out.push([target.range[0], target.range[1]]);
    },
  });
  return out;
}

/** Where the first quoted scalar that never closes starts, or undefined. */
function unclosedQuoteAt(text: string): number | undefined {
  let at: number | undefined;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const t of [item.key, item.value]) {
        if (at === undefined && t && (t.type === 'double-quoted-scalar' || t.type === 'single-quoted-scalar') && !quoteCloses(t.source)) at = t.offset;
      }
      return at === undefined ? undefined : CST.visit.BREAK;
    });
    if (at !== undefined) return at;
  }
  return at;
}

function quoteCloses(source: string): boolean {
  const rest = source.trimEnd().slice(1);
  if (source[0] === "'") return (/'*$/.exec(rest)![0].length % 2) === 1;
  return rest.endsWith('"') && (/\\*$/.exec(rest.slice(0, -1))![0].length % 2) === 0;
}

/** Why a text does not parse as YAML, or undefined when it does. */
export function yamlError(text: string, opts: YamlParseOptions = {}): string | undefined {
  return parseYaml(text, opts).error?.message;
}

/**
 * The finding for a YAML file that does not parse: an error at the problem; the file stays as it
 * is. Given the file's text, a file with template actions (`{{ … }}`: a Go, Jinja or gomplate
 * template kept as `.yaml` outside a Helm chart's templates/ folder) says so, since the parser's
 * own message then points at the template's syntax, not at a mistake in the YAML.
 */
export function yamlErrorReport(error: NonNullable<YamlParse['error']>, text?: string): Report {
  const templated = text !== undefined && /\{\{[^\n]*\}\}/.test(text);
  const why = templated ? `: it holds template actions ({{ … }}) outside a Helm chart's templates/ folder, so it was read as plain YAML` : '';
  return {
    start: error.offset,
    subject: 'file',
    error: true,
    blockers: ['unparseable'],
    message: `not valid YAML (${error.message})${why}; the file was left unchanged`,
    hint: templated
      ? 'Migrate the probes in the template by hand, or run the tool on what the template renders.'
      : 'Fix the YAML at this line, then run the tool again. Until then every install of the binary stays.',
  };
}

/**
 * Calls `fn` for each mapping in a node (a document's contents), in the order yaml's `visit`
 * meets them: a mapping before what it holds, a pair's key before its value. `visit` freezes a
 * copy of the path for each collection and pair it enters; a walk that needs no path does not
 * pay for that (relabelPartialOps on the 20k scan: ~10 -> ~5 ms).
 */
export function forEachMap(node: unknown, fn: (map: YAMLMap) => void): void {
  if (isMap(node)) {
    fn(node);
    for (const item of node.items) forEachMap(item, fn);
  } else if (isSeq(node)) {
    for (const item of node.items) forEachMap(item, fn);
  } else if (isPair(node)) {
    forEachMap(node.key, fn);
    forEachMap(node.value, fn);
  }
}

export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

/** Whether a mapping merges another in (`<<: *anchor`), read as YAML 1.2 (a key) or 1.1 (a merge). */
export function hasMergeKey(map: YAMLMap): boolean {
  return map.items.some((item) => isPair(item) && isScalar(item.key) && (item.key.value === '<<' || typeof item.key.value === 'symbol'));
}

/**
 * Whether a pair of a parsed map writes its key with `?` (an explicit key). A splice that starts
 * at such a key leaves the `?` in front of the new text, which then becomes a key itself.
 */
export function hasExplicitKey(map: YAMLMap, pair: Pair): boolean {
  const token = map.srcToken;
  const keyStart = (pair.key as Node | null)?.range?.[0];
  if (!token || !('items' in token) || keyStart === undefined) return false;
  return token.items.some(
    (item) => 'start' in item && item.start.some((t) => t.type === 'explicit-key-ind') && !!item.key && 'offset' in item.key && item.key.offset === keyStart,
  );
}

export function getPair(map: YAMLMap, key: string): Pair<ParsedNode, ParsedNode | null> | undefined {
  for (const item of map.items) {
    if (keyOf(item as Pair) === key) return item as Pair<ParsedNode, ParsedNode | null>;
  }
  return undefined;
}

export function getScalarValue(map: YAMLMap, key: string): unknown {
  const p = getPair(map, key);
  return p && isScalar(p.value) ? p.value.value : undefined;
}

/** A scalar's value as text (a number's digits too); undefined for null, a collection or nothing. */
export function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined && typeof node.value !== 'symbol' ? String(node.value) : undefined;
}

/** The node at a key path (`a.b[0].c`, as probeKeyPath writes it), when every step is there. */
export function nodeAt(root: YAMLMap, keyPath: string): YAMLMap | YAMLSeq | Scalar | undefined {
  let node: unknown = root;
  for (const step of keyPathSteps(keyPath)) node = typeof step === 'number' ? (isSeq(node) ? node.items[step] : undefined) : isMap(node) ? getPair(node, step)?.value : undefined;
  return isMap(node) || isScalar(node) || isSeq(node) ? node : undefined;
}

/** The steps of a key path as probeKeyPath writes it: `spec.values.probes[0].exec` → spec, values, probes, 0, exec. */
export function keyPathSteps(keyPath: string): (string | number)[] {
  const steps: (string | number)[] = [];
  for (const m of keyPath.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) steps.push(m[1] !== undefined ? Number(m[1]) : m[2]!);
  return steps;
}

/**
 * End of a node's own content. A block collection's range runs over trailing comments and the
 * next line's indent; splicing there would eat them, so we end at the last item's content.
 */
export function contentEnd(node: Node | null | undefined): number {
  if (!node) return 0;
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    // A block scalar's range runs over its final line break(s), which belong to the lines after it.
    const token = node.srcToken;
    const source = token && 'source' in token && typeof token.source === 'string' ? token.source : '';
    return node.range![1] - (/(\r?\n[ \t]*)+$/.exec(source)?.[0].length ?? 0);
  }
  if (isScalar(node) || isAlias(node)) return node.range![1];
  if ((isMap(node) || isSeq(node)) && !node.flow) {
    const last = node.items[node.items.length - 1];
    if (last === undefined) return node.range![1];
    if (isPair(last)) return last.value ? contentEnd(last.value as Node) : contentEnd(last.key as Node);
    return contentEnd(last as Node);
  }
  return node.range![1];
}

export function startOf(node: Node): number {
  return node.range![0];
}

/**
 * The plain values (toJS) of a text's YAML documents that parse without error, for readers that
 * look for whole objects (CRDs, Namespaces): a text that does not parse, or a document that does
 * not or holds an alias bomb, gives nothing for it.
 */
export function plainObjects(text: string): unknown[] {
  let docs;
  try {
    docs = parseAllDocuments(text, { uniqueKeys: false });
  } catch {
    return [];
  }
  if (!Array.isArray(docs)) return [];
  const out: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) continue;
    try {
      out.push(doc.toJS({ maxAliasCount: 100 }));
    } catch {
      // an alias bomb or the like: not an object the readers read
    }
  }
  return out;
}

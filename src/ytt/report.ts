/**
 * The findings of a ytt file (src/ytt/detect.ts) that names the binary: one per line outside its
 * text comments, never a fix. ytt's YAML is YAML (annotations and expressions are comments), so
 * the file is parsed to say which probe and container a use is in; a value written `#@ expr`
 * parses as null, and is said to be an expression the tool does not evaluate (not a missing value).
 * Loaded by the unsupported-file rule at the first ytt candidate (it loads the yaml parser).
 */
import type { Document, Node, ParsedNode, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { inRanges, mentionOffsets } from '../analysis/mentions.js';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { parseYaml } from '../parse/yaml.js';
import { lineStartOf } from '../text/lines.js';
import type { Report, SourceFile } from '../types.js';
import { yttCommentRanges, yttRole } from './detect.js';

const PROBES = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);
const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

const OVERLAY_HINT =
  'The tool does not rewrite ytt files: a key spliced into an overlay takes the annotation meant for the next node, and ytt merges each of an overlay\'s map items into exactly one node of the base unless #@overlay/match missing_ok=True says otherwise. Migrate this probe by hand in ytt\'s terms: put #@overlay/remove on exec: and add grpc: (port: N, and service: "..." for -service) under #@overlay/match missing_ok=True, with timeoutSeconds (also missing_ok) where -rpc-timeout/-connect-timeout asked for more than the default second; or mark the whole probe #@overlay/replace and write it in full with grpc:. Migrate the base probe it merges into in the same change, check that `ytt -f …` renders one handler, then run the tool again: the binary stays installed while a ytt file runs it.';
const TEMPLATE_HINT =
  'The tool does not rewrite ytt files (an edit would move annotations, which attach to the next node, onto other nodes). Replace the probe\'s exec by hand with grpc: {port: N, service: "..."} (port: #@ expr where the port is a data value), carrying -rpc-timeout/-connect-timeout into timeoutSeconds; where an overlay changes this probe, give that overlay #@overlay/match missing_ok=True on its new keys and #@overlay/remove on exec, or #@overlay/replace of the whole probe. Then run the tool again: the binary stays installed while a ytt file runs it.';
const OTHER_HINT =
  'The tool does not rewrite ytt files, so the binary stays installed while this one names it in what ytt renders. A probe\'s exec: replace it by hand with grpc: {port: N, service: "..."} in ytt\'s terms (#@overlay/match missing_ok=True on new keys of an overlay, #@overlay/remove on exec, or #@overlay/replace of the whole probe); anything else that runs the binary still needs it.';

/** Where a mention sits: the probe (and its container) whose exec holds it, if any. */
interface ProbeAt {
  probe: string;
  /** The container item, when the probe is in a container list. */
  container?: YAMLMap;
  exec?: YAMLMap;
  inExec: boolean;
}

/** `#@ expr` written as a value: a null scalar with a comment that starts `@` (the `#` is not in it). */
function expressionOf(node: unknown): string | undefined {
  if (!isScalar(node) || node.value !== null) return undefined;
  const c = (node as Scalar).comment;
  return typeof c === 'string' && c.startsWith('@') ? `#${c.split('\n')[0]!.trimEnd()}` : undefined;
}

function within(node: Node | null | undefined, o: number): boolean {
  return !!node?.range && o >= node.range[0] && o < node.range[2];
}

function probeAt(doc: Document.Parsed<ParsedNode, true>, o: number): ProbeAt | undefined {
  let found: ProbeAt | undefined;
  const walk = (node: unknown, container: YAMLMap | undefined, listKey: string | undefined): void => {
    if (isMap(node)) {
      for (const p of (node as YAMLMap).items) {
        if (!isPair(p)) continue;
        const key = isScalar(p.key) ? String((p.key as Scalar).value) : undefined;
        const value = p.value as Node | null;
        if (!within(value, o)) continue;
        if (key !== undefined && PROBES.has(key)) {
          const exec = isMap(value) ? ((value as YAMLMap).items.find((q) => isPair(q) && isScalar(q.key) && (q.key as Scalar).value === 'exec')?.value as YAMLMap | undefined) : undefined;
          found = { probe: key, ...(container ? { container } : {}), ...(isMap(exec) ? { exec } : {}), inExec: isMap(exec) && within(exec, o) };
          return;
        }
        walk(value, container, key);
      }
    } else if (isSeq(node)) {
      for (const item of (node as YAMLSeq).items) {
        if (!within(item as Node, o)) continue;
        walk(item, listKey !== undefined && CONTAINER_LISTS.has(listKey) && isMap(item) ? (item as YAMLMap) : container, undefined);
      }
    }
  };
  walk(doc.contents, undefined, undefined);
  return found;
}

function containerPhrase(container: YAMLMap | undefined): string {
  if (!container) return '';
  const name = container.items.find((p) => isScalar(p.key) && (p.key as Scalar).value === 'name');
  if (!name) return '';
  const expr = expressionOf(name.value);
  if (expr) return ` of a container named by a ytt expression (${expr})`;
  return isScalar(name.value) && typeof (name.value as Scalar).value === 'string' ? ` of container "${String((name.value as Scalar).value)}"` : '';
}

/** The command's values written as ytt expressions (`- #@ "-addr=:{}".format(port)`, `command: #@ cmd`). */
function commandExpressions(exec: YAMLMap | undefined): string[] {
  if (!exec) return [];
  const command = exec.items.find((p) => isScalar(p.key) && (p.key as Scalar).value === 'command');
  if (!command) return [];
  const whole = expressionOf(command.value);
  if (whole) return [whole];
  return isSeq(command.value) ? (command.value as YAMLSeq).items.map(expressionOf).filter((e): e is string => e !== undefined) : [];
}

export function yttReports(file: SourceFile): Report[] {
  const { text } = file;
  const mentions = mentionOffsets(text);
  const comments = yttCommentRanges(text);
  const uses = mentions.filter((o) => !inRanges(o, comments));
  const role = yttRole(text);
  const out: Report[] = [];
  if (uses.length === 0) {
    if (mentions.length > 0) {
      out.push({
        start: mentions[0]!,
        end: mentions[0]! + 'grpc_health_probe'.length,
        subject: 'consumer',
        info: true,
        message: `grpc_health_probe is named only in comments (a ytt ${role}); a comment does not keep the binary installed`,
        hint: 'Nothing runs here. Update the comment once the migration has landed.',
      });
    }
    return out;
  }
  const parsed = parseYaml(text, { uniqueKeys: false });
  const docs = parsed.error ? [] : parsed.docs;
  let lastLine = -1;
  for (const o of uses) {
    const line = lineStartOf(text, o);
    if (line === lastLine) continue;
    lastLine = line;
    const doc = docs.find((d) => d.contents?.range && o >= d.contents.range[0] && o < d.contents.range[2]);
    const at = doc ? probeAt(doc, o) : undefined;
    const base = { start: o, end: o + 'grpc_health_probe'.length, subject: 'consumer' as const, blockers: ['unsupported-file' as const], keepsBinary: true };
    if (!at?.inExec) {
      out.push({ ...base, hint: OTHER_HINT, message: `grpc_health_probe is named in a ytt ${role}, which the tool does not rewrite (its #@ annotations and expressions are code that ytt runs when it renders)` });
      continue;
    }
    const where = `${at.probe}${containerPhrase(at.container)}`;
    const details = { probe: at.probe };
    if (role === 'overlay') {
      out.push({
        ...base,
        details,
        hint: OVERLAY_HINT,
        message: `${where} runs grpc_health_probe in a ytt overlay, which the tool does not rewrite: ytt applies this probe to the base documents the overlay matches (a merge, or a replace), and an edit here would move its annotations onto other nodes`,
      });
      continue;
    }
    const exprs = commandExpressions(at.exec);
    const evaluated =
      exprs.length > 0
        ? `; its command holds ${exprs.length === 1 ? 'a ytt expression' : 'ytt expressions'} (${exprs.join(', ')}) that ytt fills in when it renders, which the tool does not evaluate, so it cannot tell the port or flags`
        : '';
    out.push({ ...base, details, hint: TEMPLATE_HINT, message: `${where} runs grpc_health_probe in a ytt ${role}, which the tool does not rewrite${evaluated}` });
  }
  return out;
}

/**
 * Where the repository may build a Dockerfile stage as an image of its own, by the stage's name:
 * `docker build --target probe` (buildx, podman, buildah) in a script, a Makefile or a CI step,
 * an argv list (`args: ['build', '--target', 'probe']` in Cloud Build, `- --target` then
 * `- probe` in a Tekton task), `target: probe` (a compose service's or a Skaffold artifact's build,
 * a workflow's docker/build-push-action), `target = "probe"` (a bake file), `"target": "probe"`
 * (JSON). A stage named so stays a use of its own: removing it whole would break that build
 * ("target stage could not be found"), and one the fix leaves is not unused.
 *
 * Any file may hold such a build (its format aside), so every one that says `target` is read:
 * YAML with the YAML parser and JSON with jsonc-parser (their lists and strings: an argv list's
 * `--target` and the item after it, a `target:` key's value, a command in a string), any other file
 * as tokens, line by line (continuation lines joined; quotes, commas and brackets separate; a
 * `$(…)`, `${…}`, `${{ … }}` or `{{ … }}` is part of its word). A match is taken as a build even
 * where it is not one (another Dockerfile's stage of that name, a cargo `--target`): the safe side,
 * which keeps a stage. So is a target given by a variable the tool does not resolve (a workflow's
 * `target: ${{ matrix.stage }}`, a shell loop's `--target "$stage"`, a Makefile's
 * `--target $(TOOLS_STAGE)`): it may be any stage. Such a variable counts after `--target` (unless
 * the command is a compiler's or a package manager's, whose `--target` is no stage: cargo, pip, tsc…),
 * as a YAML or JSON `target:` value (unless in a workflow step that uses an action of another kind),
 * and after `target =` in a bake file; not in a Makefile rule or assignment (`target: $(OBJS)`,
 * `TARGET := $(BIN)/app`), which builds no image.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Node as JsonNode } from 'jsonc-parser';
import type { Node as YamlNode } from 'yaml';
import { MAX_FILE_BYTES } from '../engine.js';
import { filesMayHold } from '../discover/grep.js';
import { isMap, isPair, isScalar, isSeq } from '../parse/yaml-lib.js';
import { parseYaml } from '../parse/yaml.js';
import { LineIndex } from '../text/lines.js';
import type { RunContext } from '../types.js';

/** A build of a stage by name that a file of the repository may make. */
export interface TargetRef {
  /** `path:line`, relative to the run's folder. */
  at: string;
  /** The target as written, when a variable the tool does not resolve gives it: it may be any stage. */
  variable?: string;
}

/** A target named in a file: its value as written and where. */
interface Found {
  value: string;
  offset: number;
  /** A variable gives it, read where a variable target counts (see the module's comment). */
  variable: boolean;
}

/**
 * For each of `names` (stage names, any case, as Docker reads them) that a file of the run other
 * than `dockerfile` may build as a target: where, and the variable when one gives the target. Only
 * asked when the fix would remove a stage whole or leave one nothing uses, so the read of the
 * repository it may cost (one `git grep` in a checkout narrows it to the files that say `target`)
 * is not on a probe's path.
 */
export function stageTargetRefs(run: RunContext, dockerfile: string, names: readonly string[]): Map<string, TargetRef> {
  const out = new Map<string, TargetRef>();
  const wanted = [...new Set(names.map((n) => n.toLowerCase()))].filter((n) => n.length > 0);
  if (wanted.length === 0) return out;
  let variable: TargetRef | undefined;
  const files = run.allFiles().filter((f) => f !== dockerfile);
  const may = filesMayHold(run, files, String.raw`(?i)\btarget\b`) ?? files;
  for (const abs of may) {
    let size: number;
    try {
      size = fs.statSync(abs).size;
    } catch {
      continue;
    }
    if (size > MAX_FILE_BYTES) continue;
    const text = run.readText(abs);
    if (text === undefined || text.includes('\0') || !/\btarget\b/i.test(text)) continue;
    let lines: LineIndex | undefined;
    const where = (offset: number) => {
      lines ??= new LineIndex(text);
      return `${path.relative(run.cwd, abs).split(path.sep).join('/')}:${lines.position(offset).line}`;
    };
    for (const t of targetsIn(abs, text)) {
      if (t.variable) {
        variable ??= { at: where(t.offset), variable: t.value };
        continue;
      }
      const name = unquote(t.value).toLowerCase();
      if (wanted.includes(name) && !out.has(name)) out.set(name, { at: where(t.offset) });
    }
    if (out.size === wanted.length) break;
  }
  if (variable) for (const n of wanted) if (!out.has(n)) out.set(n, variable);
  return out;
}

/** The targets a file names, read by its kind. */
function targetsIn(abs: string, text: string): Found[] {
  const ext = path.extname(abs).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (!parsed.error) {
      const out: Found[] = [];
      for (const doc of parsed.docs) yamlTargets(doc.contents as YamlNode | null, [], text, out);
      return out;
    }
  } else if (ext === '.json' || ext === '.jsonc') {
    const jsonc = createRequire(import.meta.url)('jsonc-parser') as typeof import('jsonc-parser');
    const errors: import('jsonc-parser').ParseError[] = [];
    const root = jsonc.parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (root && errors.length === 0) {
      const out: Found[] = [];
      jsonTargets(root, out);
      return out;
    }
  }
  // Not YAML or JSON, or not parsed as such (a Helm template): tokens, line by line.
  return textTargets(text, ext === '.hcl');
}

/** A YAML node's targets: a `target` key's value, an argv list's `--target`, commands in strings. */
function yamlTargets(node: YamlNode | null | undefined, maps: unknown[], text: string, out: Found[]): void {
  if (!node) return;
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item)) continue;
      const key = isScalar(item.key) ? String(item.key.value) : undefined;
      const value = item.value as YamlNode | null;
      if (key !== undefined && TARGET_KEY.test(key)) {
        for (const v of isSeq(value) ? value.items : [value]) {
          if (!isScalar(v) || typeof v.value !== 'string' || !v.range) continue;
          const variable = VARIABLE.test(v.value);
          if (variable && !yamlStepBuilds([...maps, node])) continue;
          out.push({ value: v.value, offset: v.range[0], variable });
        }
      }
      yamlTargets(value, [...maps, node], text, out);
    }
    return;
  }
  if (isSeq(node)) {
    const items = node.items.map((i) => (isScalar(i) && typeof i.value === 'string' && i.range ? { value: i.value, offset: i.range[0] } : undefined));
    listTargets(items, out);
    for (const i of node.items) yamlTargets(i as YamlNode, maps, text, out);
    return;
  }
  if (isScalar(node) && typeof node.value === 'string' && node.range && /\btarget\b/i.test(node.value)) {
    // A command in a string: said at the string's first line, or for a block scalar (`run: |`) at the line it is on.
    const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
    const base = block ? text.indexOf('\n', node.range[0]) + 1 : node.range[0];
    for (const t of textTargets(node.value, false)) out.push({ ...t, offset: block ? offsetOfLine(text, base, node.value, t.offset) : node.range[0] });
  }
}

/**
 * A GitHub Actions step's `with:` map (the last of `maps`) holds `target`: a variable there builds
 * a stage only in a step that uses a container build action (docker/build-push-action, a bake,
 * buildah, kaniko…), or a step that uses none (the map is no action's inputs).
 */
function yamlStepBuilds(maps: unknown[]): boolean {
  const step = maps[maps.length - 2];
  if (!isMap(step)) return true;
  const uses = step.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'uses');
  if (!uses || !isPair(uses) || !isScalar(uses.value)) return true;
  return CONTAINER_WORD.test(String(uses.value.value));
}

/** A JSON node's targets, as yamlTargets reads YAML's. */
function jsonTargets(node: JsonNode, out: Found[]): void {
  if (node.type === 'object') {
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (!key || !value) continue;
      if (typeof key.value === 'string' && TARGET_KEY.test(key.value)) {
        for (const v of value.type === 'array' ? value.children ?? [] : [value]) {
          if (v.type === 'string' && typeof v.value === 'string') out.push({ value: v.value, offset: v.offset, variable: VARIABLE.test(v.value) });
        }
      }
      jsonTargets(value, out);
    }
    return;
  }
  if (node.type === 'array') {
    listTargets((node.children ?? []).map((c) => (c.type === 'string' && typeof c.value === 'string' ? { value: c.value, offset: c.offset } : undefined)), out);
    for (const c of node.children ?? []) jsonTargets(c, out);
    return;
  }
  if (node.type === 'string' && typeof node.value === 'string' && /\btarget\b/i.test(node.value)) {
    for (const t of textTargets(node.value, false)) out.push({ ...t, offset: node.offset });
  }
}

/** An argv list's targets: the item after `--target`, or `--target=NAME` (undefined: an item that is no string). */
function listTargets(items: ({ value: string; offset: number } | undefined)[], out: Found[]): void {
  const words = items.map((i) => i?.value ?? '');
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (!item) continue;
    const flag = /^(-{1,2}target)(?:=([\s\S]*))?$/i.exec(item.value);
    if (!flag) continue;
    const value = flag[2] !== undefined ? { value: flag[2], offset: item.offset } : items[k + 1];
    if (!value || value.value === '') continue;
    const variable = VARIABLE.test(value.value);
    if (variable && (flag[1]!.toLowerCase() !== '--target' || !byContainerBuild(words.slice(0, k)))) continue;
    out.push({ value: value.value, offset: value.offset, variable });
  }
}

/** Whether the command before a `--target` (its words, in order) may be a container build: the nearest tool it names is not a compiler or package manager. */
function byContainerBuild(before: readonly string[]): boolean {
  for (let k = before.length - 1; k >= 0; k--) {
    const word = before[k]!.replace(/^.*\//, '').toLowerCase();
    if (CONTAINER_WORD.test(word)) return true;
    if (OTHER_TARGETS.has(word)) return false;
  }
  return true;
}

interface Token {
  text: string;
  offset: number;
  /** `=` or `:` between words. */
  sep?: true;
}

/**
 * The targets of plain text, line by line: a target word (`--target`, `target`, `build.target`)
 * then, after an optional `=` or `:`, the next word. `hcl`: a bake file, where `target = NAME`'s
 * NAME unquoted is an expression (a variable).
 */
function textTargets(text: string, hcl: boolean): Found[] {
  const out: Found[] = [];
  for (const line of logicalLines(text)) {
    if (!/target/i.test(line.text)) continue;
    const tokens = tokenize(line.text, line.at);
    for (let k = 0; k < tokens.length; k++) {
      const word = tokens[k]!;
      if (word.sep || !TARGET_WORD.test(unquote(word.text))) continue;
      const sep = tokens[k + 1]?.sep ? tokens[k + 1] : undefined;
      const value = tokens[k + (sep ? 2 : 1)];
      if (!value || value.sep) continue;
      const quoted = /^["'`]/.test(value.text);
      const variable = VARIABLE.test(value.text) || (hcl && !quoted && sep?.text === '=' && /^[A-Za-z_]/.test(value.text));
      if (variable) {
        const flag = unquote(word.text).toLowerCase() === '--target';
        const bake = hcl && word.text.toLowerCase() === 'target' && sep?.text === '=';
        if (!(flag && byContainerBuild(tokens.slice(0, k).filter((t) => !t.sep).map((t) => unquote(t.text)))) && !bake) continue;
      }
      out.push({ value: value.text, offset: value.offset, variable });
    }
  }
  return out;
}

/** Lines as a shell or Make joins them (a `\` at the end continues one), with each character's offset. */
function logicalLines(text: string): { text: string; at: (i: number) => number }[] {
  const out: { text: string; at: (i: number) => number }[] = [];
  let pieces: { start: number; text: string }[] = [];
  const flush = () => {
    if (pieces.length === 0) return;
    const starts: number[] = [];
    let joined = '';
    for (const p of pieces) {
      starts.push(joined.length);
      joined += p.text;
    }
    const own = pieces;
    out.push({
      text: joined,
      at: (i) => {
        let k = starts.length - 1;
        while (k > 0 && starts[k]! > i) k--;
        return own[k]!.start + (i - starts[k]!);
      },
    });
    pieces = [];
  };
  for (let at = 0; at <= text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl === -1 ? text.length : nl;
    const raw = text.slice(at, end).replace(/\r$/, '');
    const continued = /\\$/.test(raw);
    pieces.push({ start: at, text: continued ? `${raw.slice(0, -1)} ` : raw });
    if (!continued) flush();
    if (nl === -1) break;
    at = nl + 1;
  }
  flush();
  return out;
}

/** Words of a line: quotes keep their text as one word (with its quotes), variables stay whole. */
function tokenize(line: string, at: (i: number) => number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    // A `\` before a blank: a continuation YAML folded into its line (`--target \ go-runtime`).
    if ((/[\s,;|&()[\]{}<>]/.test(c) && !line.startsWith('{{', i)) || (c === '\\' && /^\s?$/.test(line[i + 1] ?? ''))) {
      i++;
      continue;
    }
    if (c === '=' || c === ':') {
      out.push({ text: c, offset: at(i), sep: true });
      i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const close = line.indexOf(c, i + 1);
      if (close !== -1) {
        // `"--target=downloader"`: the flag and its value, as the command gets them.
        const inner = line.slice(i + 1, close);
        const eq = /^(-{1,2}target)=/i.exec(inner);
        if (eq) {
          out.push({ text: eq[1]!, offset: at(i + 1) }, { text: '=', offset: at(i + 1 + eq[1]!.length), sep: true }, { text: `${c}${inner.slice(eq[0].length)}${c}`, offset: at(i + 1 + eq[0].length) });
        } else out.push({ text: line.slice(i, close + 1), offset: at(i) });
        i = close + 1;
        continue;
      }
      i++;
      continue;
    }
    const start = i;
    while (i < line.length) {
      const open = line.startsWith('${{', i) ? '${{' : line.startsWith('{{', i) ? '{{' : line.startsWith('$(', i) ? '$(' : line.startsWith('${', i) ? '${' : undefined;
      if (open) {
        i = balancedEnd(line, i, open);
        continue;
      }
      if (/[\s,;|&()[\]{}<>="'`:]/.test(line[i]!)) break;
      i++;
    }
    if (i === start) i++;
    else out.push({ text: line.slice(start, i), offset: at(start) });
  }
  return out;
}

/** The end of a `$(…)`, `${…}`, `{{ … }}` or `${{ … }}` opened at `i` (nesting counted), or the line's end. */
function balancedEnd(line: string, i: number, open: string): number {
  if (open === '{{' || open === '${{') {
    const close = line.indexOf('}}', i + open.length);
    return close === -1 ? line.length : close + 2;
  }
  const [opener, closer] = open === '$(' ? ['(', ')'] : ['{', '}'];
  let depth = 0;
  for (let k = i + 1; k < line.length; k++) {
    if (line[k] === opener) depth++;
    else if (line[k] === closer && --depth === 0) return k + 1;
  }
  return line.length;
}

/** The file offset of `offset` in a block scalar's value: the same line of the block, at its start. */
function offsetOfLine(text: string, blockStart: number, value: string, offset: number): number {
  const line = value.slice(0, offset).split('\n').length - 1;
  let at = blockStart;
  for (let k = 0; k < line; k++) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return at;
    at = nl + 1;
  }
  return at;
}

function unquote(s: string): string {
  return /^(["'`]).*\1$/s.test(s) ? s.slice(1, -1) : s;
}

/** A word that says which stage to build: `--target`, `-target`, `target`, `build.target` (not targetPort, build_target). */
const TARGET_WORD = /(^|[^A-Za-z0-9_])target$/i;
/** A YAML or JSON key that says so. */
const TARGET_KEY = /^(?:[\s\S]*[^A-Za-z0-9_])?target$/i;
/** A value a variable gives: `$X`, `${X}`, `$(X)`, `${{ x }}`, `{{ .x }}`, `%X%`. */
const VARIABLE = /\$|\{\{|%[A-Za-z_][A-Za-z0-9_]*%/;
/** Container builders (and actions that run one) whose `--target` / `target:` names a stage. */
const CONTAINER_WORD = /docker|buildx|podman|buildah|nerdctl|kaniko|executor|bake|depot|img\b|container|image/i;
/** Tools whose `--target` is no stage: compilers, bundlers, package managers. */
const OTHER_TARGETS = new Set(['cargo', 'rustup', 'rustc', 'cross', 'clang', 'clang++', 'gcc', 'g++', 'cc', 'zig', 'tsc', 'esbuild', 'swc', 'bun', 'deno', 'npm', 'pnpm', 'yarn', 'node-gyp', 'wasm-pack', 'pip', 'pip3', 'uv', 'go', 'dotnet', 'msbuild']);

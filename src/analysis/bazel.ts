/**
 * Bazel (Starlark) files that only fetch and package the binary: an `http_file` of the release
 * asset (`maybe(http_file, name = "grpc_health_probe", urls = […])`), a `pkg_tar` of
 * `@grpc_health_probe//file` and the `oci_image` whose `tars` take that layer. Those are the
 * install of the image Bazel builds, as an apko package list is: they run nothing, so they keep no
 * install of any other image. Any other mention (a genrule's `cmd`, an `sh_test`'s `data`, an
 * image's `entrypoint`) leaves the whole file to the line-by-line reading, which keeps every install.
 */
import type { Report } from '../types.js';

/** The Starlark files Bazel reads. */
export const STARLARK = /\.(bzl|bazel)$|^(BUILD|WORKSPACE)$/;
/** Files where a call of a macro with no arguments (`grpc_health_probe()`) defines repositories only. */
const REPOSITORY_FILES = /\.bzl$|^(WORKSPACE|WORKSPACE\.bazel|WORKSPACE\.bzlmod|MODULE\.bazel)$/;

const FETCH = new Set(['http_file', 'http_archive', 'http_jar']);
const PACKAGE = new Set(['pkg_tar', 'pkg_files', 'pkg_zip', 'container_layer']);
const IMAGES = new Set(['oci_image', 'container_image']);
/** The attributes of an image rule that only add layers (not `entrypoint`, `cmd`, `env`). */
const IMAGE_LAYERS = new Set(['name', 'tars', 'layers', 'base']);

interface Frame {
  open: string;
  start: number;
  callee?: string;
  first?: string;
  attr?: string;
}

type Use =
  | { kind: 'rule'; rule: string; role: 'fetch' | 'package' | 'image'; attr?: string; call: number }
  | { kind: 'def' | 'load' | 'macro'; name: string };

const HINT =
  'Bazel fetches the binary here and packages it into the images it builds (pkg_tar, oci_image): that is an install, which runs nothing. Once nothing runs grpc_health_probe in those images (probes, health checks, scripts), remove the rule, its macro and the labels that use it by hand; the tool does not edit Starlark.';
const INFO_HINT = 'Part of the Bazel install of the binary (see the rule that fetches it): nothing runs here. Remove it with that rule once nothing runs grpc_health_probe in the image.';

/**
 * The reports of a Starlark file whose every mention of the binary (outside comments, `uses`)
 * fetches or packages it; undefined when any mention may be something else.
 */
export function bazelInstallReports(base: string, text: string, uses: readonly number[]): Report[] | undefined {
  if (!STARLARK.test(base) || uses.length === 0) return undefined;
  const found = new Map<number, Use>();
  const frames: Frame[] = [];
  let lastIdent: { name: string; end: number } | undefined;
  let prevWord: string | undefined;
  const pending = [...uses];
  // A token [s, e): the mentions in it are classified by the frames around it.
  const token = (s: number, e: number, ident?: string) => {
    while (pending.length > 0 && pending[0]! < s) pending.shift();
    while (pending.length > 0 && pending[0]! < e) {
      const o = pending.shift()!;
      const use = classify(ident, e);
      if (!use) return false;
      found.set(o, use);
    }
    return true;
  };
  const classify = (ident: string | undefined, end: number): Use | undefined => {
    const calls = frames.filter((f) => f.open === '(');
    const outer = calls[0];
    if (!outer) {
      if (ident !== undefined && prevWord === 'def') return { kind: 'def', name: ident };
      // `grpc_health_probe()` with no arguments, where only repositories are defined.
      if (ident !== undefined && frames.length === 0 && REPOSITORY_FILES.test(base) && /^\s*\(\s*\)/.test(text.slice(end, end + 100))) return { kind: 'macro', name: ident };
      return undefined;
    }
    if (outer.callee === 'load') return { kind: 'load', name: ident ?? 'a symbol' };
    const rule = outer.callee === 'maybe' ? outer.first : outer.callee;
    if (rule === undefined) return undefined;
    if (FETCH.has(rule)) return { kind: 'rule', rule, role: 'fetch', call: outer.start };
    if (PACKAGE.has(rule)) return { kind: 'rule', rule, role: 'package', call: outer.start };
    if (IMAGES.has(rule) && outer.attr !== undefined && IMAGE_LAYERS.has(outer.attr)) return { kind: 'rule', rule, role: 'image', attr: outer.attr, call: outer.start };
    return undefined;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      continue;
    }
    const str = /^(?:[rRbB]{0,2})("""|'''|"|')/.exec(text.slice(i, i + 5));
    if (str && (str[0].length === str[1]!.length || /[A-Za-z]/.test(c))) {
      const quote = str[1]!;
      let j = i + str[0].length;
      while (j < n && !text.startsWith(quote, j)) j += text[j] === '\\' ? 2 : 1;
      const end = Math.min(n, j + quote.length);
      if (!token(i, end)) return undefined;
      const top = frames[frames.length - 1];
      if (top?.open === '(' && top.first === undefined && top.callee !== undefined && /^\s*[,)]/.test(text.slice(end))) top.first = text.slice(i + str[0].length, j);
      prevWord = undefined;
      lastIdent = undefined;
      i = end;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i, i + 200));
    if (id) {
      const end = i + id[0].length;
      if (!token(i, end, id[0])) return undefined;
      const top = frames[frames.length - 1];
      const after = text.slice(end, end + 3);
      if (top?.open === '(' && /^\s*=(?!=)/.test(after)) top.attr = id[0];
      else if (top?.open === '(' && top.first === undefined && /^\s*[,)]/.test(text.slice(end))) top.first = id[0];
      prevWord = id[0];
      lastIdent = { name: id[0], end };
      i = end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') {
      const callee = c === '(' && lastIdent && /^\s*$/.test(text.slice(lastIdent.end, i)) ? lastIdent.name : undefined;
      frames.push({ open: c, start: i, ...(callee !== undefined ? { callee } : {}) });
    } else if (c === ')' || c === ']' || c === '}') {
      frames.pop();
    } else if (c === ',') {
      const top = frames[frames.length - 1];
      if (top?.open === '(') {
        delete top.attr;
        if (top.first === undefined) top.first = '';
      }
    }
    if (!/\s/.test(c)) {
      prevWord = undefined;
      lastIdent = undefined;
    }
    i++;
  }
  // A mention in no token (`grpc-health-probe` outside a string): not read.
  if (uses.some((o) => !found.has(o))) return undefined;
  const out: Report[] = [];
  const saidCalls = new Set<number>();
  const saidLines = new Set<number>();
  const lineOf = (o: number) => text.lastIndexOf('\n', o - 1);
  for (const o of uses) {
    const use = found.get(o)!;
    const at = { start: o, end: o + 'grpc_health_probe'.length, subject: 'consumer' as const, keepsBinary: false };
    if (use.kind === 'rule' && use.role !== 'image') {
      if (saidCalls.has(use.call)) continue;
      saidCalls.add(use.call);
      out.push({ ...at, blockers: ['unsupported-file'], hint: HINT, message: `grpc_health_probe is named in a file the tool cannot rewrite (Starlark): a Bazel ${use.rule} rule ${use.role === 'fetch' ? 'fetches it' : 'packages it into an image layer'}; that is an install, which runs nothing and keeps no install` });
      continue;
    }
    if (saidLines.has(lineOf(o)) || (use.kind === 'rule' && saidCalls.has(use.call))) continue;
    saidLines.add(lineOf(o));
    if (use.kind === 'rule') saidCalls.add(use.call);
    const what =
      use.kind === 'rule'
        ? `a Bazel ${use.rule} rule names a layer or label of it (${use.attr})`
        : use.kind === 'def'
          ? `it names the Bazel macro ${use.name} that the install defines`
          : use.kind === 'load'
            ? 'a load() of the install\'s macro names it'
            : `a call of the Bazel macro ${use.name} (no arguments) defines the install's repositories`;
    out.push({ ...at, info: true, hint: INFO_HINT, message: `grpc_health_probe is named in a Bazel file: ${what}; it runs nothing and keeps no install` });
  }
  return out;
}

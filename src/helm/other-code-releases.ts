/**
 * Helm releases in code the tool does not parse: a Terraform `helm_release` (`chart =
 * "${path.module}/charts/api"`, `values = [yamlencode({…})]`, `set { name = "…" }`), Pulumi
 * Python/Go/C#/Java (`k8s.helm.v3.Release("api", chart="./charts/api", values={…})`). Helm merges
 * their values over the chart's values.yaml, so a probe they keep on exec would render beside a
 * migrated grpc: two handlers, which the API server rejects.
 *
 * Read by the text alone (no HCL or Python parser): a file that names helm and a chart folder of
 * the repository (its path from the file's folder or from the repository's top folder, as a
 * string, after `${path.module}/`, `./`; or its folder's name as a string beside a path join) is a
 * release of that chart. When it also names a probe or exec (`exec`, `Probe`, `probe`,
 * grpc_health_probe), its values may keep any probe of the chart's values.yaml on exec: each is
 * held (`overlay-patch`, naming the file and line). The YAML files it names (`file("values-prod.yaml")`)
 * are read as its values files, as a helm command's -f files are. The helm module asks this once
 * per run (src/helm/releases.ts, releasesOf), with the releases in TypeScript.
 */
import path from 'node:path';
import type { CodeRelease } from './releases.js';
import { namedFiles } from '../discover/names.js';
import { filesMayHold } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { parseYaml } from '../parse/yaml.js';
import type { RunContext } from '../types.js';

/** Terraform/HCL, Python, Go, C#, Java, Kotlin, F#, VB (Pulumi's languages besides TypeScript and YAML). */
const OTHER_CODE = /\.(tf|hcl|py|go|cs|fs|vb|java|kt)$/i;
const LANGUAGE: [RegExp, string][] = [
  [/\.(tf|hcl)$/i, 'Terraform/HCL'],
  [/\.py$/i, 'Python code'],
  [/\.go$/i, 'Go code'],
  [/\.(cs|fs|vb)$/i, '.NET code'],
  [/\.(java|kt)$/i, 'JVM code'],
];
const SKIPPED = /[\\/](?:node_modules|vendor|\.terraform)[\\/]/;
const MAX_BYTES = 512 * 1024;
/**
 * What names a probe's handler, or the binary: the release's values may keep a probe on exec. Not
 * Terraform's `local-exec` provisioner, Go's `os/exec` and `exec.Command(…)`, Python's `exec(…)`.
 */
// A match of `\w*Probe\w*` starts at a word's start: `(?<!\w)` says so, so that a long word is not
// read again from each of its characters (quadratic).
const PROBE_WORDS = [/\bgrpc[_-]health[_-]probe\b/, /(?<![\w/.-])exec\b(?!\s*[(.])/, /(?<!\w)\w*Probe\w*/, /(?<!\w)\w*_probe\b|\bprobe\w*/];
const PROBE_KEYS = new Set(['livenessProbe', 'readinessProbe', 'startupProbe']);
/**
 * A values file name that is a template the tool does not render (helmfile's `.gotmpl`,
 * Terraform's `.tftpl`, Jinja's `.j2`/`.jinja2`): one constant for every reader (here, releases.ts,
 * chart.ts's helm commands). Kept in this module, which imports no value of releases.ts.
 */
export const VALUES_TEMPLATE = /\.(?:gotmpl|tftpl|tpl|tmpl|j2|jinja2?)$/i;

/** The key paths of the probes of a chart's values.yaml (`readinessProbe`, `agent.livenessProbe`): a map under a probe key. */
export function valuesProbeKeys(chartRoot: string, run: RunContext): string[] {
  const out: string[] = [];
  for (const name of ['values.yaml', 'values.yml']) {
    const text = run.readText(path.join(chartRoot, name));
    if (text === undefined) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    const walk = (data: unknown, at: string): void => {
      if (Array.isArray(data)) data.forEach((d, i) => walk(d, `${at}[${i}]`));
      else if (data !== null && typeof data === 'object') {
        for (const [k, v] of Object.entries(data)) {
          const keyPath = at === '' ? k : `${at}.${k}`;
          if (PROBE_KEYS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(keyPath);
          else walk(v, keyPath);
        }
      }
    };
    for (const doc of parsed.docs) {
      try {
        walk(doc.toJS(), '');
      } catch {
        // An alias to nothing, a bad tag: read what the helm module reads.
      }
    }
  }
  return [...new Set(out)];
}

/** Every chart folder of the repository (where a Chart.yaml is, outside node_modules). */
export function repositoryCharts(run: RunContext): string[] {
  return namedFiles(run)
    .yaml.filter((f) => path.basename(f) === 'Chart.yaml' && !/[\\/]node_modules[\\/]/.test(f))
    .map((f) => path.dirname(f));
}

const JOIN = /\b(?:os\.path\.join|path\.join|filepath\.Join|Path\.Combine|Paths\.get|Path\(|pathlib)/;

/**
 * The quoted strings of a file, as `"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'` (g) finds them: up
 * to the same quote on the same line, a backslash escaping the next character. Scanned by hand,
 * since that regex read an unclosed string again from each escaped quote in it (quadratic): every
 * such quote ends up where the first one does, so a string that does not close is read once.
 */
function quotedStrings(text: string): { inner: string; at: number }[] {
  const out: { inner: string; at: number }[] = [];
  // Where the last unclosed string of each quote stops: a quote of that kind before it is escaped.
  const unclosed: Record<string, number> = { '"': -1, "'": -1 };
  for (let p = 0; p < text.length; p++) {
    const quote = text[p]!;
    if ((quote !== '"' && quote !== "'") || p < unclosed[quote]!) continue;
    let j = p + 1;
    while (j < text.length && text[j] !== quote && text[j] !== '\n') {
      // `\\.`: a `.` is no line break.
      if (text[j] === '\\' && (j + 1 === text.length || /[\n\r\u2028\u2029]/.test(text[j + 1]!))) break;
      j += text[j] === '\\' ? 2 : 1;
    }
    if (text[j] !== quote) {
      unclosed[quote] = j;
      continue;
    }
    out.push({ inner: text.slice(p + 1, j), at: p });
    p = j;
  }
  return out;
}

export function otherCodeReleases(run: RunContext): CodeRelease[] {
  const charts = repositoryCharts(run);
  if (charts.length === 0) return [];
  const files = run.repositoryFiles().filter((f) => OTHER_CODE.test(f) && !SKIPPED.test(f));
  if (files.length === 0) return [];
  const may = filesMayHold(run, files, '[Hh][Ee][Ll][Mm]');
  const out: CodeRelease[] = [];
  for (const abs of files) {
    if (may !== undefined && !may.has(abs)) continue;
    const text = run.readText(abs);
    if (text === undefined || text.length > MAX_BYTES || !/helm/i.test(text)) continue;
    const dir = path.dirname(abs);
    const top = enclosingRepository(dir) ?? run.cwd;
    const bases = [...new Set([dir, top, run.cwd])];
    const strings: { value: string; at: number }[] = [];
    for (const s of quotedStrings(text)) strings.push({ value: s.inner.replace(/\\(.)/g, '$1'), at: s.at });
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
    // A string that is a chart folder's path (after `${path.module}/`, `${path.root}/`, `./`).
    const named = new Map<string, number>();
    for (const s of strings) {
      const rel = s.value.replace(/^\$\{path\.(?:module|root|cwd)\}\/?/, '').replace(/^\.\//, '');
      if (rel === '' || /[${}*]/.test(rel) || /^[a-z][a-z0-9+.-]*:/i.test(rel)) continue;
      for (const b of bases) {
        const d = path.resolve(b, rel);
        if (charts.includes(d) && !named.has(d)) named.set(d, s.at);
      }
    }
    // A chart folder's name as a string of a path join (`os.path.join(HERE, "charts", "api")`).
    if (JOIN.test(text)) {
      for (const c of charts) {
        const s = strings.find((x) => x.value === path.basename(c));
        if (s && !named.has(c)) named.set(c, s.at);
      }
    }
    // A Terraform helm_release whose chart is a variable (`chart = var.chart_path`): it may install
    // any chart of the repository, with the values it names.
    const anyChart = named.size === 0 && /\bhelm_release\b/.test(text) && /\bchart\s*=\s*(?:"\$\{\s*)?(?:var|local|module|data)\./.test(text);
    if (named.size === 0 && !anyChart) continue;
    const shownFile = path.relative(run.cwd, abs).split(path.sep).join('/');
    const language = LANGUAGE.find(([re]) => re.test(abs))?.[1] ?? 'code';
    // Whole-line comments (`#`, `//`) name nothing the code does; the binary or exec first, the most telling.
    const code = text.replace(/^[ \t]*(?:#|\/\/).*$/gm, (c) => ' '.repeat(c.length));
    const word = PROBE_WORDS.map((re) => re.exec(code)).find((m) => m !== null);
    // The YAML files it names: values files (`file("values-prod.yaml")`), read as a -f file's.
    const valueFiles = [
      ...new Set(
        strings
          .filter((s) => /\.ya?ml$/i.test(s.value) && !/[${}*]/.test(s.value.replace(/^\$\{path\.(?:module|root|cwd)\}\//, '')))
          .flatMap((s) => {
            const rel = s.value.replace(/^\$\{path\.(?:module|root|cwd)\}\//, '');
            const found = bases.map((b) => path.resolve(b, rel)).find((f) => run.readText(f) !== undefined);
            return found !== undefined && !charts.some((c) => found.startsWith(c + path.sep)) ? [found] : [];
          }),
      ),
    ];
    // Values it renders from a template (`templatefile("values/web.yaml.tftpl", {…})`, a helmfile
    // `.gotmpl`): values the tool cannot read, which may keep any probe on a handler (releases.ts,
    // releaseUnreadAbove: where the template's text names the probe).
    const templates = strings.flatMap((s) => {
      const rel = s.value.replace(/^\$\{path\.(?:module|root|cwd)\}\//, '');
      if (!VALUES_TEMPLATE.test(rel) && !/\btemplatefile\(\s*$/.test(text.slice(Math.max(0, s.at - 40), s.at))) return [];
      const found = /[${}*]/.test(rel) ? undefined : bases.map((b) => path.resolve(b, rel)).find((f) => run.readText(f) !== undefined);
      if (found !== undefined && charts.some((c) => found.startsWith(c + path.sep))) return [];
      return [{ unknown: `${s.value} (a values template at ${shownFile}:${lineOf(s.at)}, which the tool does not render)`, ...(found !== undefined ? { abs: found } : {}) }];
    });
    if (!word && valueFiles.length === 0 && templates.length === 0) continue;
    if (anyChart) for (const c of charts) named.set(c, text.search(/\bhelm_release\b/));
    for (const [chartRoot, at] of named) {
      const kept = word
        ? valuesProbeKeys(chartRoot, run).map((keyPath) => ({
            keyPath,
            kept: `may keep it on exec (it names this chart and ${word[0]} at line ${lineOf(word.index)}, and the tool does not read the values of ${language}: give that release's probe grpc with exec: null, or none, and migrate this one by hand)`,
          }))
        : [];
      out.push({
        chartRoot,
        chartShown: path.relative(run.cwd, chartRoot).split(path.sep).join('/'),
        shown: `the release in ${shownFile}:${lineOf(at)} (${language})`,
        kept,
        ...(word ? {} : { values: {} }),
        ...(valueFiles.length > 0 ? { valueFiles } : {}),
        ...(templates.length > 0 ? { stack: templates } : {}),
      });
    }
  }
  return out;
}

/**
 * Flux `Kustomization.spec.postBuild.substitute` (and `substituteFrom`): Flux replaces `${VAR}` in
 * the manifests built from `spec.path` before it applies them. A probe's `-addr=:${GRPC_PORT}`
 * there is filled in, not "shell syntax that fails today": the finding (still blocked, the port is
 * not a number in the file) says which Kustomization fills it.
 */
import path from 'node:path';
import { namedFiles } from '../discover/names.js';
import { isMap } from '../parse/yaml-lib.js';
import { getPair, nodeAt, parseYaml, scalarText } from '../parse/yaml.js';
import type { Report, RunContext } from '../types.js';

interface FluxSubstitution {
  /** The Kustomization, as shown with its line. */
  where: string;
  /** The folder its spec.path builds (absolute). */
  dir: string;
  substitute: Map<string, string | undefined>;
  /** It also reads variables from ConfigMaps or Secrets. */
  from: boolean;
}

const byRun = new WeakMap<RunContext, FluxSubstitution[]>();

function substitutions(run: RunContext): FluxSubstitution[] {
  const known = byRun.get(run);
  if (known) return known;
  const out: FluxSubstitution[] = [];
  byRun.set(run, out);
  for (const abs of namedFiles(run).yaml) {
    const text = run.readText(abs);
    if (text === undefined || !text.includes('postBuild') || !text.includes('kustomize.toolkit.fluxcd.io')) continue;
    const parsed = parseYaml(text, { uniqueKeys: false });
    if (parsed.error) continue;
    for (const doc of parsed.docs) {
      const root = doc.contents;
      if (!isMap(root) || scalarText(getPair(root, 'kind')?.value) !== 'Kustomization' || !String(scalarText(getPair(root, 'apiVersion')?.value) ?? '').startsWith('kustomize.toolkit.fluxcd.io/')) continue;
      const specPath = scalarText(nodeAt(root, 'spec.path'));
      const post = nodeAt(root, 'spec.postBuild');
      if (specPath === undefined || !isMap(post)) continue;
      const substitute = new Map<string, string | undefined>();
      const sub = getPair(post, 'substitute')?.value;
      if (isMap(sub)) for (const item of sub.items) substitute.set(String(scalarText(item.key) ?? ''), scalarText(item.value));
      const range = (root as { range?: [number, number, number] }).range;
      const line = range ? text.slice(0, range[0]).split('\n').length : 1;
      out.push({ where: `${path.relative(run.cwd, abs).split(path.sep).join('/')}:${line}`, dir: path.resolve(run.cwd, specPath), substitute, from: getPair(post, 'substituteFrom') !== undefined });
    }
  }
  return out;
}

const SHELL_SYNTAX = /-addr=\S*?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/;
const SHELL_DETAIL = /is shell syntax in an exec list: .*?the probe fails today, unless the file is filled in before it is applied \(envsubst\)/;
const FAILS_TODAY = 'the probe fails today, unless the file is filled in before it is applied (envsubst)';

/**
 * The manifest rule's `unresolved-port` findings of a file under a Flux Kustomization's spec.path
 * whose postBuild substitutes the variable `-addr` reads: reworded to name it. Others as they are.
 */
export function relabelFluxSubstitutions(reports: readonly Report[], fileAbs: string, run: RunContext): Report[] {
  if (fileAbs === '' || !reports.some((r) => r.blockers?.includes('unresolved-port') && r.message.includes(FAILS_TODAY))) return [...reports];
  const fluxes = substitutions(run).filter((f) => fileAbs.startsWith(f.dir + path.sep));
  if (fluxes.length === 0) return [...reports];
  return reports.map((r) => {
    const name = r.blockers?.includes('unresolved-port') && r.message.includes(FAILS_TODAY) ? SHELL_SYNTAX.exec(r.message)?.[1] : undefined;
    if (name === undefined) return r;
    const flux = fluxes.find((f) => f.substitute.has(name)) ?? fluxes.find((f) => f.from);
    if (!flux) return r;
    const value = flux.substitute.get(name);
    const fills = flux.substitute.has(name)
      ? `is filled in by the Flux Kustomization ${flux.where} before it applies the file (postBuild.substitute ${name}: ${JSON.stringify(value ?? '')}), so the probe runs with that port today; the tool does not write a port that is text in the file`
      : `may be filled in by the Flux Kustomization ${flux.where} before it applies the file (postBuild.substituteFrom, which the tool does not read), so the probe may run today; the tool does not write a port that is text in the file`;
    return {
      ...r,
      message: r.message.replace(SHELL_DETAIL, fills),
      hint: `Flux substitutes \${${name}} in the built manifests before applying them. Write grpc: {port: \${${name}}} by hand (Flux puts in the number, which must always be a port; a -service=\${…} becomes service: "\${…}"), then run the tool again to remove the install.`,
    };
  });
}

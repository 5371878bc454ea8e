/**
 * A Kubernetes manifest held inside other text, such as a shell script's here-document
 * (`kubectl apply -f - <<EOF`): the tool does not rewrite it there, but reads its probes as the
 * manifest rule would, so that the report can say what the probe is and what it would become.
 */
import { isMap } from '../parse/yaml-lib.js';
import { getPair, parseYaml } from '../parse/yaml.js';
import type { TargetClusters } from '../analysis/native-probe.js';
import type { Report } from '../types.js';
import { findProbeReports } from './probes.js';

/**
 * The manifest rule's reports on `text` (offsets into it), or undefined when it is not YAML with
 * a Kubernetes object in it (a `kind` at the root of a document).
 */
export function embeddedManifestReports(text: string, target: TargetClusters): Report[] | undefined {
  const { docs, error } = parseYaml(text);
  if (error || !docs.some((d) => isMap(d.contents) && getPair(d.contents, 'kind') !== undefined)) return undefined;
  return findProbeReports({ text, docs, eol: text.includes('\r\n') ? '\r\n' : '\n', ...target });
}

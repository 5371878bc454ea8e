/**
 * Turns manifests into the list of probes to check: where each native `grpc` probe is, and the
 * port, service and timeout the kubelet would use — or why the tool cannot know them.
 */
import type { Scalar } from 'yaml';
import { findNativeGrpcProbes, type NativeGrpcProbe } from '../kubernetes/native-probes.js';
import { parseYaml } from '../parse/yaml.js';
import { LineIndex } from '../text/lines.js';
import { actionsTouching, maskTemplate } from '../helm/mask.js';
import { evaluateTemplateText, templatedExtent } from './template.js';

export interface ProbeTarget {
  file: string;
  line: number;
  column: number;
  probe: string;
  document: number;
  container?: string;
  port?: number;
  service: string;
  /** `grpc.mode: TLS`: the kubelet connects with TLS and does not verify the server (KEP-4939). */
  tls?: boolean;
  /** The kubelet's default is 1. */
  timeoutSeconds: number;
  /** Set when the probe cannot be checked (a template value is missing, a field is invalid). */
  error?: string;
}

export interface FileProblem {
  file: string;
  line?: number;
  message: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 1;

export function probeTargets(
  file: string,
  text: string,
  values: ReadonlyMap<string, string>,
): { targets: ProbeTarget[]; problems: FileProblem[] } {
  const templated = text.includes('{{');
  const lines = new LineIndex(text);
  // Without `{{` the masked text is the text and there are no actions.
  const { masked: yamlText, actions, error } = maskTemplate(text);
  if (error) return { targets: [], problems: [{ file, line: lines.position(error.offset).line, message: `cannot read the template: ${error.message}` }] };
  // Helm if/else branches may repeat keys.
  const parsed = parseYaml(yamlText, { uniqueKeys: !templated });
  if (parsed.error) {
    return { targets: [], problems: [{ file, line: lines.position(parsed.error.offset).line, message: `does not parse as YAML: ${parsed.error.message}` }] };
  }
  /** The source of a scalar that holds or sits next to an inline action; undefined for a plain one. */
  const templatedSource = (node: Scalar): string | undefined => {
    const x = templatedExtent(actions, text, node.range![0], node.range![1]);
    return actionsTouching(actions, x.start, x.end).length > 0 ? text.slice(x.start, x.end) : undefined;
  };
  const read = (node: Scalar): { ok: true; value: string } | { ok: false; reason: string } => {
    const source = templatedSource(node);
    if (source !== undefined) return evaluateTemplateText(source, values);
    return { ok: true, value: node.value === null || node.value === undefined ? '' : String(node.value) };
  };
  // Names are only shown: a templated one is shown as written.
  const shown = (node: Scalar) => templatedSource(node) ?? String(node.value ?? '');
  const targets = findNativeGrpcProbes(parsed.docs, shown).map((p) => target(file, lines, p, read));
  return { targets, problems: [] };
}

function target(
  file: string,
  lines: LineIndex,
  p: NativeGrpcProbe,
  read: (node: Scalar) => { ok: true; value: string } | { ok: false; reason: string },
): ProbeTarget {
  const { line, column } = lines.position(p.start);
  const t: ProbeTarget = { file, line, column, probe: p.probe, document: p.document, service: '', timeoutSeconds: DEFAULT_TIMEOUT_SECONDS };
  if (p.container !== undefined) t.container = p.container;
  const errors: string[] = [];
  const field = (node: Scalar | 'not-scalar' | undefined, name: string): string | undefined => {
    if (node === undefined) return undefined;
    if (node === 'not-scalar') {
      errors.push(`${name} is not a single value`);
      return undefined;
    }
    const r = read(node);
    if (!r.ok) errors.push(`${name}: ${r.reason}`);
    return r.ok ? r.value : undefined;
  };

  const port = field(p.port, 'grpc.port');
  if (p.port === undefined) errors.push('grpc.port is missing');
  else if (port !== undefined) {
    const n = Number(port);
    if (/^\d+$/.test(port.trim()) && n >= 1 && n <= 65535) t.port = n;
    else errors.push(`grpc.port "${port}" is not a port number 1-65535 (a native gRPC probe cannot use a named port)`);
  }
  const service = field(p.service, 'grpc.service');
  if (service !== undefined) t.service = service;
  const mode = field(p.mode, 'grpc.mode');
  if (mode === 'TLS') t.tls = true;
  else if (mode !== undefined && mode !== '') errors.push(`grpc.mode "${mode}" is not a mode the kubelet knows (TLS, or none for plaintext)`);
  const timeout = field(p.timeoutSeconds, 'timeoutSeconds');
  if (timeout !== undefined) {
    const n = Number(timeout);
    // Empty or 0 is unset: the API server's defaulting makes it 1 (SetDefaults_Probe).
    if (/^\d+$/.test(timeout.trim()) && n >= 1) t.timeoutSeconds = n;
    else if (timeout.trim() !== '' && !(/^\d+$/.test(timeout.trim()) && n === 0)) errors.push(`timeoutSeconds "${timeout}" is not a whole number of seconds >= 1`);
  }
  if (errors.length > 0) t.error = errors.join('; ');
  return t;
}

/**
 * Finds native `grpc` probes (the result of a migration, or written by hand) in parsed YAML/JSON
 * documents, with the same generic walk as the exec-probe finder: any kind, Lists, CRDs.
 */
import type { Document, Pair, ParsedNode, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, visit } from '../parse/yaml-lib.js';
import { getPair, keyOf } from '../parse/yaml.js';
import { containerContext, PROBE_KEYS } from './probes.js';

export interface NativeGrpcProbe {
  /** livenessProbe, readinessProbe or startupProbe. */
  probe: string;
  /** 1-based index of the document in the stream. */
  document: number;
  container?: string;
  /** Offset of the probe's key. */
  start: number;
  /** The scalar nodes as written; absent when the field is absent. A non-scalar is `'not-scalar'`. */
  port?: Scalar | 'not-scalar';
  service?: Scalar | 'not-scalar';
  /** `grpc.mode` (KEP-4939: `TLS` connects with TLS, never verifying the server). */
  mode?: Scalar | 'not-scalar';
  timeoutSeconds?: Scalar | 'not-scalar';
}

export function findNativeGrpcProbes(
  docs: readonly Document.Parsed<ParsedNode, true>[],
  scalarValue: (s: Scalar) => string = (s) => String(s.value ?? ''),
): NativeGrpcProbe[] {
  const found: NativeGrpcProbe[] = [];
  docs.forEach((doc, docIndex) => {
    visit(doc, {
      Pair(_, pair, path) {
        const key = keyOf(pair as Pair);
        if (!key || !PROBE_KEYS.has(key) || !isMap(pair.value)) return;
        const probeMap = pair.value as YAMLMap.Parsed;
        const grpc = getPair(probeMap, 'grpc')?.value;
        if (!isMap(grpc)) return;
        const field = (map: YAMLMap.Parsed, name: string): Scalar | 'not-scalar' | undefined => {
          const v = getPair(map, name)?.value;
          if (v === undefined || v === null) return undefined;
          return isScalar(v) ? v : 'not-scalar';
        };
        const ctx = containerContext(path);
        const nameNode = ctx.container ? getPair(ctx.container, 'name')?.value : undefined;
        const probe: NativeGrpcProbe = { probe: key, document: docIndex + 1, start: (pair as Pair<Scalar>).key.range![0] };
        if (isScalar(nameNode)) probe.container = scalarValue(nameNode);
        const port = field(grpc, 'port');
        const service = field(grpc, 'service');
        const mode = field(grpc, 'mode');
        const timeoutSeconds = field(probeMap, 'timeoutSeconds');
        if (port !== undefined) probe.port = port;
        if (service !== undefined) probe.service = service;
        if (mode !== undefined) probe.mode = mode;
        if (timeoutSeconds !== undefined) probe.timeoutSeconds = timeoutSeconds;
        found.push(probe);
      },
    });
  });
  return found;
}

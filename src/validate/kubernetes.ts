/**
 * Kubernetes API schema check of rewritten objects (`--validate`, and the fixture tests).
 * The schemas are kubernetes-models' precompiled validators, one module per kind, required on
 * first use of that kind: a run without --validate never loads any of them.
 */
import { createRequire } from 'node:module';
import { parseYaml } from '../parse/yaml.js';

const requireModel = createRequire(import.meta.url);

/** Schema errors of one object, as `path message`, paths prefixed with `prefix`. */
type Check = (object: Record<string, unknown>, prefix?: string) => string[];

/** Guards the require path: only names shaped like real API versions and kinds. */
const API_VERSION = /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const checks = new Map<string, Check | null>();

/** The schema check for an apiVersion/kind, or undefined when the API has no such kind (CRDs). */
export function schemaFor(apiVersion: string, kind: string): Check | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!checks.has(key)) checks.set(key, loadCheck(apiVersion, kind));
  return checks.get(key) ?? undefined;
}

function loadCheck(apiVersion: string, kind: string): Check | null {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return null;
  let Model: (new (data: unknown) => { validate(): void }) | undefined;
  try {
    Model = (requireModel(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, typeof Model>)[kind];
  } catch {
    return null;
  }
  if (typeof Model !== 'function') return null;
  const M = Model;
  return (object, prefix = '') => {
    try {
      new M(object).validate();
      return [];
    } catch (e) {
      const errors = (e as { errors?: { instancePath?: string; message?: string }[] }).errors;
      if (!errors) return [(e as Error).message];
      return errors.map((er) => `${prefix + (er.instancePath ?? '') || '/'} ${er.message ?? 'is invalid'}`);
    }
  };
}

export interface DocumentCheck {
  /** 0-based document index in the stream. */
  document: number;
  /** Where the object sits in its document: '' or `/items/N` in a List. */
  at: string;
  apiVersion: string;
  kind: string;
  /** Schema errors; undefined when the kind has no schema here (custom resources). */
  errors?: string[];
}

/**
 * Every Kubernetes object of a YAML (or JSON) stream with its schema errors. Items of a `List`
 * are checked one by one, as the API server does.
 */
export function checkObjects(text: string, substituted: readonly string[] = []): DocumentCheck[] {
  const { docs, error } = parseYaml(text);
  if (error) return [];
  const out: DocumentCheck[] = [];
  docs.forEach((doc, document) => {
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      return;
    }
    // A List has no schema of its own; the API server takes its items one by one.
    const isList = isObject(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items);
    const objects: [string, unknown][] = isList ? ((value as { items: unknown[] }).items).map((item, i) => [`/items/${i}`, item]) : [['', value]];
    for (const [prefix, object] of objects) {
      if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') continue;
      const check = schemaFor(object.apiVersion, object.kind);
      const entry: DocumentCheck = { document, at: prefix, apiVersion: object.apiVersion, kind: object.kind };
      if (check) entry.errors = substituted.length === 0 ? check(object, prefix) : check(object, prefix).filter((e) => !substitutedLater(object, e.slice(prefix.length, e.indexOf(' ')), substituted));
      out.push(entry);
    }
  });
  return out;
}

/**
 * Schema errors that a rewrite adds: undefined when every object of `after` validates wherever
 * its counterpart in `before` did (an object already invalid may stay so, no worse).
 */
export function newSchemaErrors(before: string, after: string, substituted: readonly string[] = []): string | undefined {
  const was = new Map<string, Set<string>>();
  for (const c of checkObjects(before)) was.set(keyOf(c), new Set(c.errors ?? []));
  for (const c of checkObjects(after, substituted)) {
    const added = (c.errors ?? []).filter((e) => !was.get(keyOf(c))?.has(e));
    if (added.length > 0) return `document ${c.document + 1}, ${c.kind}: ${added.slice(0, 3).join('; ')}`;
  }
  return undefined;
}

/**
 * A value that is one whole `${VAR}` expression (`${VAR:=default}` too): a Flux Kustomization's
 * postBuild substitution fills it in before the object reaches the API server, and the text is
 * parsed again then, so `port: ${GRPC_PORT}` is the number it is given, not the string the file
 * holds. Only the ports the Flux planner wrote (src/kustomize/flux-substitute.ts; the engine passes
 * them from Report.substitutedPort) are let through, and only at a grpc.port: any other `${…}`
 * string where a number belongs is still an error.
 */
const SUBSTITUTED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=][^${}]*)?\}$/;

function substitutedLater(object: unknown, pointer: string, substituted: readonly string[]): boolean {
  if (!pointer.startsWith('/') || !pointer.endsWith('/grpc/port')) return false;
  let at: unknown = object;
  for (const part of pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<string, unknown>)[part];
  }
  return typeof at === 'string' && SUBSTITUTED.test(at) && substituted.includes(at);
}

function keyOf(c: DocumentCheck): string {
  return [c.document, c.at, c.apiVersion, c.kind].join('\u0000');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

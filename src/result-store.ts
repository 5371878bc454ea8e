/**
 * Results of a pure, costly function kept between runs, as ESLint's and Prettier's `--cache`
 * keep theirs. Its one user is the shell parser: a pre-commit run over a Dockerfile spent a
 * quarter of its time starting mvdan-sh (GopherJS, ~110 ms) to read a RUN body, an install line,
 * that had not changed since the last commit. With its tree kept here, such a run does not load
 * the parser at all.
 *
 * The store is one file in the folder the code cache uses (src/code-cache.ts: only this user can
 * write it; `$TMPDIR/grpc-probe-migrate-<uid>` or under NODE_COMPILE_CACHE), written whole at exit
 * with V8's serializer (which keeps shared objects shared) when the run added an entry: the
 * entries this run used first, then older ones, up to a bound (256 entries, 128 K characters of keys). An entry is found by its whole
 * input, never by a hash of it, and only under the same `version` (the caller's own code and
 * parser): a store written by another build or Node, damaged or unreadable is ignored and
 * replaced. `GRPC_PROBE_MIGRATE_CACHE=0` (or `false`, `no`, `off`: src/env.ts) or `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 */
import { envSaysOff } from './env.js';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cacheFolder, writeQuietly } from './code-cache.js';

const require = createRequire(import.meta.url);

export interface ResultStore<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
}

export interface ResultStoreOptions {
  /** Entries kept at most (the ones this run used first). */
  maxEntries?: number;
  /** Keys longer than this are not kept (a whole shell script file is not worth it). */
  maxKeyLength?: number;
  /**
   * The keys' lengths added up, at most: what a value holds grows with its key (a tree with its
   * script), and every run that asks reads the whole store.
   */
  maxTotalKeyLength?: number;
}

/** The store `name` (a file name), or undefined when stores are turned off. Reads nothing until first asked. */
export function openResultStore<T>(name: string, version: string, options: ResultStoreOptions = {}, env: NodeJS.ProcessEnv = process.env): ResultStore<T> | undefined {
  if (envSaysOff(env.GRPC_PROBE_MIGRATE_CACHE) || env.NODE_DISABLE_COMPILE_CACHE === '1') return undefined;
  const maxEntries = options.maxEntries ?? 256;
  const maxKeyLength = options.maxKeyLength ?? 16 * 1024;
  const maxTotalKeyLength = options.maxTotalKeyLength ?? 128 * 1024;
  let file: string | undefined;
  let stored: Map<string, T> | undefined;
  const used = new Map<string, T>();
  let added = false;

  const load = (): Map<string, T> => {
    if (stored) return stored;
    stored = new Map();
    const dir = cacheFolder(env);
    if (dir === undefined) return stored;
    file = path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.bin`);
    try {
      const v8 = require('node:v8') as typeof import('node:v8');
      const data = v8.deserialize(fs.readFileSync(file)) as { version?: unknown; entries?: unknown };
      if (data?.version === version && Array.isArray(data.entries)) stored = new Map(data.entries as [string, T][]);
    } catch {
      // None yet, or not ours to read: parse as if there were none; the exit writes a new one.
    }
    return stored;
  };

  const write = (): void => {
    if (file === undefined) return;
    const entries: [string, T][] = [];
    let total = 0;
    for (const entry of [...used, ...[...load()].filter(([key]) => !used.has(key))]) {
      if (entries.length >= maxEntries || total + entry[0].length > maxTotalKeyLength) break;
      entries.push(entry);
      total += entry[0].length;
    }
    const v8 = require('node:v8') as typeof import('node:v8');
    writeQuietly(file, () => v8.serialize({ version, entries }));
  };

  return {
    get(key) {
      if (key.length > maxKeyLength) return undefined;
      const value = load().get(key);
      if (value !== undefined) used.set(key, value);
      return value;
    },
    set(key, value) {
      if (key.length > maxKeyLength) return;
      load();
      used.set(key, value);
      if (!added) {
        added = true;
        process.once('exit', write);
      }
    },
  };
}

/**
 * Views of the run's file lists built once per run: a reader that asks, for each chart, project or
 * kustomization, about every file of the run (a Set of 20,000 paths, a filter over them) costs
 * milliseconds each time, and is quadratic in a platform monorepo. These are built when first asked.
 */
import path from 'node:path';
import type { RunContext } from './types.js';

/**
 * path.dirname of a normalised absolute path (as the run's lists hold), by a native search for the
 * last separator: path.dirname walks the string in JavaScript, ~0.4 µs a path in code V8 has not
 * optimised yet, which is all of a one-file run (~5 ms over the 12k Go files of a 20k-file checkout).
 */
export function folderOf(abs: string): string {
  const at = abs.lastIndexOf(path.sep);
  // The root's own files (`/x`, `C:\x`): the root keeps its separator, as path.dirname says.
  return at <= 0 || (path.sep === '\\' && abs[at - 1] === ':') || at === abs.length - 1 ? path.dirname(abs) : abs.slice(0, at);
}

const filesByRun = new WeakMap<RunContext, Set<string>>();

/** The run's files (RunContext.allFiles) as a set: whether a patch, values file or script is among them. */
export function filesOfRun(run: RunContext): ReadonlySet<string> {
  let files = filesByRun.get(run);
  if (!files) filesByRun.set(run, (files = new Set(run.allFiles())));
  return files;
}

const repositorySets = new WeakMap<RunContext, Set<string>>();

/** The repository's files (RunContext.repositoryFiles) as a set, built once per run: the whole checkout in a partial view. */
export function filesOfRepository(run: RunContext): ReadonlySet<string> {
  let files = repositorySets.get(run);
  if (!files) repositorySets.set(run, (files = new Set(run.repositoryFiles())));
  return files;
}

/** A file list by folder. Lists keep the order of the run's list (the order a filter over it gave). */
export interface FolderIndex {
  /** The files directly in `dir`: those whose path.dirname is `dir`. */
  inFolder(dir: string): readonly string[];
  /** The files anywhere under `dir`: those that start with `dir` + path.sep. */
  under(dir: string): readonly string[];
  /** The files under any of `dirs`, each once, in the list's order. */
  underAny(dirs: readonly string[]): string[];
}

const NONE: readonly string[] = [];

class Index implements FolderIndex {
  private byFolder: Map<string, string[]> | undefined;
  private byAncestor: Map<string, string[]> | undefined;
  private order: Map<string, number> | undefined;
  constructor(private readonly files: readonly string[]) {}

  inFolder(dir: string): readonly string[] {
    if (!this.byFolder) {
      this.byFolder = new Map();
      for (const f of this.files) {
        const d = folderOf(f);
        const list = this.byFolder.get(d);
        if (list) list.push(f);
        else this.byFolder.set(d, [f]);
      }
    }
    return this.byFolder.get(dir) ?? NONE;
  }

  under(dir: string): readonly string[] {
    if (!this.byAncestor) {
      // Each file under each of its folders: ~10 entries a file, one pass.
      this.byAncestor = new Map();
      for (const f of this.files) {
        for (let d = folderOf(f); !d.endsWith(path.sep); ) {
          const list = this.byAncestor.get(d);
          if (list) list.push(f);
          else this.byAncestor.set(d, [f]);
          const up = path.dirname(d);
          if (up === d) break;
          d = up;
        }
      }
    }
    // `dir` + path.sep for a folder that ends with one (the root, `a/b/`) is a doubled separator, which no path starts with.
    return dir.endsWith(path.sep) ? NONE : (this.byAncestor.get(dir) ?? NONE);
  }

  underAny(dirs: readonly string[]): string[] {
    const lists = [...new Set(dirs)].map((d) => this.under(d)).filter((l) => l.length > 0);
    if (lists.length <= 1) return [...(lists[0] ?? NONE)];
    // Folders may nest (charts/a and charts/a/sub): each file once, in the list's order.
    if (!this.order) {
      this.order = new Map();
      this.files.forEach((f, i) => this.order!.set(f, i));
    }
    const order = this.order;
    return [...new Set(lists.flat())].sort((a, b) => order.get(a)! - order.get(b)!);
  }
}

const runIndexes = new WeakMap<RunContext, Index>();
const repositoryIndexes = new WeakMap<RunContext, Index>();

/** The run's files (RunContext.allFiles) by folder, built once per run. */
export function runFolders(run: RunContext): FolderIndex {
  let index = runIndexes.get(run);
  if (!index) runIndexes.set(run, (index = new Index(run.allFiles())));
  return index;
}

/** The repository's files (RunContext.repositoryFiles) by folder, built once per run. */
export function repositoryFolders(run: RunContext): FolderIndex {
  let index = repositoryIndexes.get(run);
  if (!index) repositoryIndexes.set(run, (index = new Index(run.repositoryFiles())));
  return index;
}

/**
 * The least a Node program does to answer ripgrep's question: walk the tree (skipping .git and
 * node_modules, the bench tree's only ignore), read every file into one reused buffer, and list
 * the files whose bytes hold either spelling of the binary. No .gitignore parsing, no decoding,
 * no parser, no rule: the floor under any scanner written in Node, measured on the same tree so
 * that the tool's ratio to ripgrep can be split into "Node against a native multi-threaded
 * grep" and "the tool against Node". Prints the paths, like `rg -l`.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

const NEEDLES = [Buffer.from('grpc_health_probe'), Buffer.from('grpc-health-probe')];
const SKIPPED = new Set(['.git', 'node_modules']);
let buffer = Buffer.allocUnsafe(256 * 1024);

function readAll(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    let n = 0;
    for (;;) {
      if (n === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, n);
        buffer = bigger;
      }
      const got = fs.readSync(fd, buffer, n, buffer.length - n, null);
      if (got === 0) return buffer.subarray(0, n);
      n += got;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The files under `root` (as `root/...` paths, in readdir order) whose bytes name the binary. */
export function floorScan(root: string): string[] {
  const hits: string[] = [];
  walk(root, hits);
  return hits;
}

function walk(dir: string, hits: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED.has(entry.name)) continue;
    const p = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(p, hits);
    else if (entry.isFile()) {
      const bytes = readAll(p);
      if (NEEDLES.some((n) => bytes.indexOf(n) !== -1)) hits.push(p);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const hits = floorScan('.');
  process.stdout.write(hits.length > 0 ? hits.join('\n') + '\n' : '');
}

/**
 * Images that ship their own grpc_health_probe: the upstream image (ghcr.io/grpc-ecosystem/grpc-health-probe)
 * and third-party images named after the binary (`maruina/docker-grpc-health-probe`,
 * `acme/grpc_health_probe`), which Helm tests and sidecars run to check a service from another
 * pod. A container of such an image runs the binary its image ships, not one a Dockerfile of this
 * repository installs, so it keeps none of their installs, unless the repository builds that
 * image itself: a file ties the name to a Dockerfile (skaffold, compose, a workflow's
 * build-push-action, GoReleaser), names it anywhere but as a container's image, a values
 * `repository:` or the image of a `docker run`/`docker pull` (a `docker build -t`, a Makefile
 * variable, a bake target), or the repository's folder is named after it. Even then a Dockerfile
 * nothing ties to a name may be built as it elsewhere, unless it is an application's image (its
 * ENTRYPOINT or CMD runs another program).
 */
import path from 'node:path';
import { mentionsBinary, OFFICIAL_UPSTREAM } from '../analysis/binary.js';
import { filesMayHold } from '../discover/grep.js';
import { enclosingRepository } from '../discover/scope.js';
import { escapeRegExp } from '../text/regexp.js';
import type { RunContext } from '../types.js';
import { imageName, isKey } from './images.js';
import type { ParsedDockerfile } from './parse.js';

/** The last path part of an image's name holds the binary's name. */
const NAMED_AFTER_BINARY = /grpc[-_]health[-_]probe/i;
const TEMPLATED = /\{\{|\$[({A-Za-z_]/;

/** A line that names an image it runs, not one it builds: a YAML `image:`/`repository:` key, a `docker run`/`pull`. */
const RUN_LINE = /^\s*(?:-\s+)?["']?(?:image|repository)["']?\s*:|\b(?:docker|podman|nerdctl)\s+(?:container\s+|image\s+)?(?:run|pull)\b/;
const BUILD_WORDS = /\bbuild\b|(?:^|\s)(?:-t|--tag)(?:[=\s]|$)|\btags?\b|--destination/;
/** Files that document, not build. */
const DOCS = /\.(?:md|markdown|rst|txt|adoc)$/i;

const memo = new WeakMap<RunContext, Map<string, boolean>>();

/**
 * Whether a container of `image` runs a grpc_health_probe its image ships, which no install of
 * this repository supplies. `known`: the image names the repository ties to its Dockerfiles.
 */
export function shipsOwnBinary(run: RunContext, image: string | undefined, known: ReadonlySet<string>): 'upstream' | 'named' | undefined {
  if (image === undefined || isKey(image) || TEMPLATED.test(image)) return undefined;
  const name = imageName(image);
  if (known.has(name)) return undefined;
  if (OFFICIAL_UPSTREAM.test(name)) return 'upstream';
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (!NAMED_AFTER_BINARY.test(last)) return undefined;
  let byName = memo.get(run);
  if (!byName) memo.set(run, (byName = new Map()));
  let ships = byName.get(name);
  // Searched as its last two parts (`maruina/docker-grpc-health-probe`, under any registry): its
  // last part alone (`grpc_health_probe`) is the binary's name, which the commands that run it hold.
  if (ships === undefined) byName.set(name, (ships = !builtHere(run, last, name.split('/').slice(-2).join('/'))));
  return ships ? 'named' : undefined;
}

/**
 * Whether a Dockerfile that no file ties to a name may yet be the build of an image named after
 * the binary (built by CI elsewhere, by hand): its path names the binary (`probe/grpc-health-probe/Dockerfile`),
 * or its last stage runs no program of its own but the binary (no ENTRYPOINT or CMD, as a mirror
 * or tools image; or one that runs grpc_health_probe). An application's image (its ENTRYPOINT or
 * CMD runs the server) is not one.
 */
export function mayBuildProbeImage(parsed: ParsedDockerfile, rel: string): boolean {
  if (NAMED_AFTER_BINARY.test(rel)) return true;
  const last = Math.max(-1, ...parsed.instructions.map((i) => i.stage));
  const runs = parsed.instructions.filter((i) => i.stage === last && (i.keyword === 'ENTRYPOINT' || i.keyword === 'CMD'));
  if (runs.length === 0) return true;
  return runs.some((i) => mentionsBinary(parsed.text.slice(i.argsStart, i.end)));
}

/** Whether a file of the run may build the image whose name ends in `last`, named `tail` in files (see the module's comment). */
function builtHere(run: RunContext, last: string, tail: string): boolean {
  const root = enclosingRepository(run.cwd) ?? run.cwd;
  if (path.basename(root).toLowerCase() === last.toLowerCase()) return true;
  const files = run.allFiles();
  const may = filesMayHold(run, files, `(?i)${escapeRegExp(tail)}`);
  const needle = tail.toLowerCase();
  for (const abs of may ? files.filter((f) => may.has(f)) : files) {
    if (DOCS.test(abs)) continue;
    const text = run.readText(abs);
    if (text === undefined || !text.toLowerCase().includes(needle)) continue;
    for (const line of text.split('\n')) {
      if (!line.toLowerCase().includes(needle)) continue;
      if (!RUN_LINE.test(line) || BUILD_WORDS.test(line)) return true;
    }
  }
  return false;
}

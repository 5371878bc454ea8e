/**
 * `grpc-probe-migrate pr`: the pull-request bot. Migrates the checkout with --fix, commits the
 * changes on the bot's branch (made from the current branch), force-pushes it to origin, puts
 * the checkout back as it was, and opens — or updates — the one pull request from that branch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_KUBE_VERSION, kubeVersionUsage, parseKubeVersion } from '../analysis/kube-version.js';
import { EXIT, packageVersion, type Io } from '../cli.js';
import { partialViewOf } from '../discover/scope.js';
import { restrictResult, run } from '../engine.js';
import { formatMarkdown } from '../report/markdown.js';
import { formatText, wantsColor } from '../report/text.js';
import { Git, GitError } from '../pr/git.js';
import { closeStalePullRequest, githubConfig, GitHubError, redact, upsertPullRequest } from '../pr/github.js';

export const DEFAULT_BRANCH = 'grpc-probe-migrate/native-grpc-probes';
export const PR_TITLE = 'Move grpc_health_probe exec probes to native Kubernetes gRPC probes';

const HELP = `Usage: grpc-probe-migrate pr [options] [paths...]

Runs the migration with --fix in this git checkout, commits the changes on a branch
made from the current one, force-pushes it to origin, leaves the checkout as it was,
and opens (or updates) the pull request from that branch. Nothing to change: no
branch pushed, and the bot's open pull request into the current branch, if any,
is closed with a comment (it is stale; its branch stays).

Options:
  --branch NAME         the bot's branch (default ${DEFAULT_BRANCH})
  --kube-version VER    target cluster version (default ${DEFAULT_KUBE_VERSION}): X.Y, or as kubectl
                        version prints it (v1.29.3, v1.30.4-eks-a737599, v1.29.1-gke.1589018)
  --keep-binary         leave every Dockerfile untouched
  --grpc-tls-mode       every target cluster enables the GRPCContainerProbeTLS gate
  --assume-complete     the paths given are the whole repository (as for the scan)
  --validate            check rewritten Kubernetes objects against the API schema
  --help                show this help

Environment (as in GitHub Actions):
  GITHUB_TOKEN          token with contents: write and pull-requests: write (never printed)
  GITHUB_REPOSITORY     owner/name of the repository
  GITHUB_API_URL        API root (default https://api.github.com; GitHub Enterprise: its /api/v3)

Exit codes: 0 pull request opened, updated or closed, or nothing to change; 2 bad usage,
or a git or GitHub API error.
`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        branch: { type: 'string' },
        'kube-version': { type: 'string' },
        'keep-binary': { type: 'boolean' },
        'grpc-tls-mode': { type: 'boolean' },
        'assume-complete': { type: 'boolean' },
        validate: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage(io, `${(e as Error).message}\nRun "grpc-probe-migrate pr --help" for usage.`);
  }
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  const kubeVersion = values['kube-version'];
  if (kubeVersion !== undefined && !parseKubeVersion(kubeVersion)) return usage(io, kubeVersionUsage(kubeVersion));
  if (positionals.includes('-')) return usage(io, 'pr works on files in the checkout, not on standard input');
  if (positionals.includes('')) return usage(io, 'an empty path was given (an empty shell variable?); name "." for the current folder');
  const config = githubConfig(io.env);
  if (typeof config === 'string') return usage(io, config);
  const token = config.token;
  const fail = (message: string) => usage(io, redact(message, token));

  // git gets the process environment (PATH, HOME, credentials helpers) with io's on top.
  const gitEnv = { ...process.env, ...io.env };
  const branch = values.branch ?? DEFAULT_BRANCH;
  try {
    const top = new Git(io.cwd, gitEnv).topLevel();
    if (!top) return fail(`${io.cwd} is not in a git checkout`);
    // Paths given to git below are relative to the top folder.
    const git = new Git(top, gitEnv);
    if (!git.validBranchName(branch)) return fail(`--branch "${branch}" is not a valid branch name`);
    const base = git.currentBranch();
    if (!base) return fail('HEAD is detached: check out the branch the pull request should go to');
    if (base === branch) return fail(`the checkout is on the bot's branch "${branch}"; check out the branch to migrate`);
    if (!git.hasRemote('origin')) return fail('the checkout has no remote named origin');
    const dirty = git.dirtyTrackedFiles();
    if (dirty.length > 0) return fail(`the checkout has uncommitted changes (${dirty.slice(0, 3).map((l) => l.slice(3)).join(', ')}${dirty.length > 3 ? ', ...' : ''}); commit or stash them first`);

    const paths = positionals.length > 0 ? positionals.map((p) => path.resolve(io.cwd, p)) : [top];
    const result = await run({
      paths,
      cwd: top,
      fix: true,
      ...(kubeVersion !== undefined ? { kubeVersion, kubeVersionExplicit: true } : {}),
      keepBinary: values['keep-binary'] ?? false,
      ...(values['grpc-tls-mode'] ? { grpcTlsMode: true } : {}),
      ...(values.validate ? { validate: true } : {}),
      partialView: values['assume-complete'] ? false : (partialViewOf(positionals.length > 0 ? positionals : [top], io.cwd) ?? false),
      boundHeap: true,
    });
    const written = result.files.filter((f) => f.written);
    const rel = (f: (typeof written)[number]) => path.relative(top, f.file.path).split(path.sep).join('/');
    let commit: string | undefined;
    let left: typeof written = [];
    try {
      // Only tracked files go into the commit; an untracked one is just put back.
      const tracked = git.tracked(written.map(rel));
      left = written.filter((f) => !tracked.has(rel(f)));
      if (tracked.size > 0) commit = git.commitFiles([...tracked], commitMessage(result));
    } finally {
      // The commit holds the changes; the checkout gets its files back byte for byte.
      for (const f of written) fs.writeFileSync(f.file.path, f.file.text);
    }
    io.stdout.write(formatText(result, { color: wantsColor(io.stdout, io.env) }));
    for (const f of left) io.stdout.write(`note: ${rel(f)} is not tracked by git; its changes were left out\n`);
    if (!commit) {
      // Stale only when the run changed nothing and failed nowhere: a write refused, a rule that
      // failed, or changes left out (untracked files) say nothing about the open pull request.
      const settled = !result.findings.some((f) => f.status === 'error' || f.status === 'migrated');
      if (!settled) {
        io.stdout.write('Nothing committed: no branch pushed; the open pull request, if any, is left as it is.\n');
        return EXIT.ok;
      }
      const comment = `grpc-probe-migrate ${packageVersion()} finds nothing left to migrate on \`${base}\`, so this pull request is stale; closing it. The branch stays: reopen the pull request if it is still wanted.`;
      const closed = await closeStalePullRequest(config, { branch, base, comment }, `grpc-probe-migrate/${packageVersion()}`);
      io.stdout.write(closed ? `Nothing to change: closed the stale pull request #${closed.number}: ${closed.url}\n` : 'Nothing to change: no branch pushed, no pull request.\n');
      return EXIT.ok;
    }
    git.setBranch(branch, commit);
    git.forcePush('origin', branch);
    io.stdout.write(`Pushed ${branch} (${commit.slice(0, 12)}) to origin.\n`);

    // The body describes what the pull request holds: files git does not track stay out of it.
    const trackedFindings = git.tracked([...new Set(result.findings.map((f) => f.file))]);
    const inRepo = (displayPath: string) => trackedFindings.has(displayPath) && !left.some((f) => rel(f) === displayPath);
    const body = formatMarkdown(restrictResult(result, inRepo), { fixed: true });
    const pr = await upsertPullRequest(config, { branch, base, title: PR_TITLE, body }, `grpc-probe-migrate/${packageVersion()}`);
    io.stdout.write(`${pr.action === 'opened' ? 'Opened' : 'Updated'} pull request #${pr.number}: ${pr.url}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof GitError || e instanceof GitHubError) return fail(e.message);
    throw e;
  }
}

function usage(io: Io, message: string): number {
  io.stderr.write(`grpc-probe-migrate pr: ${message}\n`);
  return EXIT.usage;
}

function commitMessage(result: Awaited<ReturnType<typeof run>>): string {
  const s = result.summary;
  return [
    'Move grpc_health_probe exec probes to native gRPC probes',
    '',
    `${s.probes.migrated} probe(s) migrated, ${s.installs.migrated} binary install(s) removed, ${s.blocked} use(s) blocked.`,
    '',
    `Generated by grpc-probe-migrate ${packageVersion()}.`,
    '',
  ].join('\n');
}

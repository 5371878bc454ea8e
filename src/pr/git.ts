/**
 * The git side of the `pr` command, through the git executable. The bot's commit is built with a
 * temporary index (read-tree, add, write-tree, commit-tree), so HEAD, the real index and the
 * branch checked out never move: the checkout cannot be left on the bot's branch.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class GitError extends Error {
  override name = 'GitError';
}

/** The identity of GitHub's Actions bot, used when the checkout has none configured. */
export const BOT_IDENTITY = { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' };

export class Git {
  constructor(
    readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  run(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; allowFail?: boolean; input?: string } = {}): { ok: boolean; stdout: string; stderr: string } {
    const r = spawnSync('git', args, {
      cwd: this.cwd,
      encoding: 'utf8',
      ...(opts.input !== undefined ? { input: opts.input } : {}),
      env: { ...this.env, ...opts.env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw new GitError(`cannot run git: ${r.error.message}`);
    const ok = r.status === 0;
    if (!ok && !opts.allowFail) throw new GitError(`git ${args[0]} failed: ${r.stderr.trim() || `exit ${r.status}`}`);
    return { ok, stdout: r.stdout, stderr: r.stderr };
  }

  out(args: readonly string[]): string {
    return this.run(args).stdout.trim();
  }

  /** The top folder of the checkout, or undefined outside one. */
  topLevel(): string | undefined {
    const r = this.run(['rev-parse', '--show-toplevel'], { allowFail: true });
    return r.ok ? r.stdout.trim() : undefined;
  }

  /** The branch checked out, or undefined on a detached HEAD. */
  currentBranch(): string | undefined {
    const r = this.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true });
    return r.ok ? r.stdout.trim() : undefined;
  }

  hasRemote(name: string): boolean {
    return this.run(['remote', 'get-url', name], { allowFail: true }).ok;
  }

  /** Tracked files with changes, staged or not (untracked files do not count). */
  dirtyTrackedFiles(): string[] {
    return this.run(['status', '--porcelain', '--untracked-files=no']).stdout.split('\n').filter(Boolean);
  }

  /** Which of these paths (relative to the top folder) git tracks. */
  tracked(paths: readonly string[]): Set<string> {
    if (paths.length === 0) return new Set();
    const out = this.run(['ls-files', '-z', '--', ...paths.map(literal)]).stdout;
    return new Set(out.split('\0').filter(Boolean));
  }

  validBranchName(name: string): boolean {
    return this.run(['check-ref-format', '--branch', name], { allowFail: true }).ok;
  }

  /**
   * A commit on top of HEAD holding the working-tree content of `paths` (relative to the top
   * folder), made without touching HEAD or the index. Undefined when it would change nothing.
   */
  commitFiles(paths: readonly string[], message: string): string | undefined {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-index-'));
    const env = { GIT_INDEX_FILE: path.join(dir, 'index'), ...this.identityEnv() };
    try {
      this.run(['read-tree', 'HEAD'], { env });
      this.run(['add', '--', ...paths.map(literal)], { env });
      const tree = this.run(['write-tree'], { env }).stdout.trim();
      if (tree === this.out(['rev-parse', 'HEAD^{tree}'])) return undefined;
      return this.run(['commit-tree', tree, '-p', 'HEAD', '-F', '-'], { env, input: message }).stdout.trim();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  setBranch(branch: string, commit: string): void {
    this.run(['update-ref', '-m', 'grpc-probe-migrate pr', `refs/heads/${branch}`, commit]);
  }

  /** Force: the branch belongs to the bot, each run replaces it. */
  forcePush(remote: string, branch: string): void {
    this.run(['push', '--force', '--quiet', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
  }

  /** Without a configured identity, commits are the Actions bot's (as on a GitHub runner). */
  private identityEnv(): NodeJS.ProcessEnv {
    const has = (v: string) => this.env[v] !== undefined && this.env[v] !== '';
    const configured = this.run(['config', 'user.email'], { allowFail: true }).stdout.trim() !== '';
    if (configured || (has('GIT_AUTHOR_EMAIL') && has('GIT_COMMITTER_EMAIL'))) return {};
    return {
      GIT_AUTHOR_NAME: this.env.GIT_AUTHOR_NAME || BOT_IDENTITY.name,
      GIT_AUTHOR_EMAIL: this.env.GIT_AUTHOR_EMAIL || BOT_IDENTITY.email,
      GIT_COMMITTER_NAME: this.env.GIT_COMMITTER_NAME || BOT_IDENTITY.name,
      GIT_COMMITTER_EMAIL: this.env.GIT_COMMITTER_EMAIL || BOT_IDENTITY.email,
    };
  }
}

/** A pathspec that matches exactly this path (no globbing, no magic). */
function literal(p: string): string {
  return `:(literal)${p}`;
}

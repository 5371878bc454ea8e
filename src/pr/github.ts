/**
 * The GitHub side of the `pr` command: one pull request per bot branch, opened once and updated
 * after. Configuration follows GitHub Actions (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL).
 */
export const DEFAULT_API_URL = 'https://api.github.com';
/** GitHub refuses bodies above 65536 characters. */
export const MAX_BODY = 65_000;

export interface GitHubConfig {
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
}

export class GitHubError extends Error {
  override name = 'GitHubError';
}

/** Reads the configuration, or says what is missing. */
export function githubConfig(env: NodeJS.ProcessEnv): GitHubConfig | string {
  const token = env.GITHUB_TOKEN;
  if (!token) return 'GITHUB_TOKEN is not set (in a workflow: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }})';
  const repository = env.GITHUB_REPOSITORY ?? '';
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
  if (!m) return repository ? `GITHUB_REPOSITORY "${repository}" is not owner/name` : 'GITHUB_REPOSITORY is not set (owner/name)';
  const apiUrl = (env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(apiUrl)) return `GITHUB_API_URL "${apiUrl}" is not an http(s) URL`;
  return { token, owner: m[1]!, repo: m[2]!, apiUrl };
}

export interface PullRequestSpec {
  branch: string;
  base: string;
  title: string;
  body: string;
}

export interface PullRequestOutcome {
  action: 'opened' | 'updated';
  number: number;
  url: string;
}

type Octokit = InstanceType<typeof import('@octokit/rest').Octokit>;

async function client(config: GitHubConfig, userAgent: string): Promise<Octokit> {
  // Loaded only by the bot: the CLI's start-up does not pay for it.
  const { Octokit } = await import('@octokit/rest');
  const quiet = () => {};
  return new Octokit({ auth: config.token, baseUrl: config.apiUrl, userAgent, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
}

/** The open pull request from the bot's branch in this repository (not a fork's branch of that name). */
async function openFromBranch(octokit: Octokit, config: GitHubConfig, branch: string) {
  const { owner, repo } = config;
  const open = await octokit.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${branch}`, per_page: 100 });
  return open.data.find((p) => p.head.ref === branch && (p.head.repo?.full_name ?? `${owner}/${repo}`).toLowerCase() === `${owner}/${repo}`.toLowerCase());
}

export const TRUNCATED_NOTE = '\n…(report truncated; run grpc-probe-migrate --format markdown for all of it)\n';

/**
 * The body within GitHub's limit: cut at a line end (never inside a line, a table row or a
 * surrogate pair), a `<details>` section left open is closed, so that the note after it shows.
 */
export function fitBody(body: string, max = MAX_BODY): string {
  if (body.length <= max) return body;
  const room = max - TRUNCATED_NOTE.length - '\n</details>\n'.length;
  const cut = body.lastIndexOf('\n', room);
  let kept = body.slice(0, cut > 0 ? cut : room);
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  const open = (kept.match(/<details>/g) ?? []).length > (kept.match(/<\/details>/g) ?? []).length;
  return `${kept}\n${open ? '</details>\n' : ''}${TRUNCATED_NOTE}`;
}

/** Opens the pull request whose head is the bot's branch, or updates the open one. */
export async function upsertPullRequest(config: GitHubConfig, spec: PullRequestSpec, userAgent: string): Promise<PullRequestOutcome> {
  const { owner, repo } = config;
  const body = fitBody(spec.body);
  try {
    const octokit = await client(config, userAgent);
    const mine = await openFromBranch(octokit, config, spec.branch);
    if (mine) {
      const r = await octokit.rest.pulls.update({ owner, repo, pull_number: mine.number, title: spec.title, body, base: spec.base });
      return { action: 'updated', number: r.data.number, url: r.data.html_url };
    }
    const r = await octokit.rest.pulls.create({ owner, repo, head: spec.branch, base: spec.base, title: spec.title, body });
    return { action: 'opened', number: r.data.number, url: r.data.html_url };
  } catch (e) {
    throw new GitHubError(describeApiError(e, config));
  }
}

/**
 * When a run finds nothing left to change, the bot's open pull request into the same base is
 * stale (the branch was migrated some other way, or what was migratable no longer is): it is
 * closed, with a comment saying why. Its branch stays, so it can be reopened. A pull request
 * from the same branch into another base is another run's and is left alone.
 */
export async function closeStalePullRequest(
  config: GitHubConfig,
  spec: { branch: string; base: string; comment: string },
  userAgent: string,
): Promise<{ number: number; url: string } | undefined> {
  const { owner, repo } = config;
  try {
    const octokit = await client(config, userAgent);
    const mine = await openFromBranch(octokit, config, spec.branch);
    if (!mine || mine.base.ref !== spec.base) return undefined;
    await octokit.rest.issues.createComment({ owner, repo, issue_number: mine.number, body: spec.comment });
    await octokit.rest.pulls.update({ owner, repo, pull_number: mine.number, state: 'closed' });
    return { number: mine.number, url: mine.html_url };
  } catch (e) {
    throw new GitHubError(describeApiError(e, config));
  }
}

interface ApiErrorShape {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** A message a person can act on; never the token. */
export function describeApiError(e: unknown, config: GitHubConfig): string {
  const err = e as ApiErrorShape;
  const where = `${config.owner}/${config.repo} at ${config.apiUrl}`;
  const headers = err.response?.headers ?? {};
  const data = (err.response?.data ?? {}) as { message?: string; errors?: { message?: string; code?: string; field?: string }[] };
  const apiMessage = [data.message, ...(data.errors ?? []).map((x) => x.message ?? [x.field, x.code].filter(Boolean).join(' '))].filter(Boolean).join('; ');
  const detail = apiMessage ? `: ${apiMessage}` : '';
  let text: string;
  if (err.status === undefined || err.response === undefined) {
    // No answer at all (Octokit reports that as a 500 without a response).
    const why = rootCause(e);
    text = `cannot reach the GitHub API at ${config.apiUrl} (${why}); check GITHUB_API_URL`;
  } else if (err.status === 429 || (err.status === 403 && (String(headers['x-ratelimit-remaining']) === '0' || headers['retry-after'] !== undefined || /rate limit/i.test(apiMessage)))) {
    const reset = Number(headers['x-ratelimit-reset']);
    const when = headers['retry-after'] !== undefined ? `retry after ${headers['retry-after']} s` : Number.isFinite(reset) && reset > 0 ? `the limit resets at ${new Date(reset * 1000).toISOString()}` : 'try again later';
    text = `GitHub API rate limit exceeded (${err.status}${detail}); ${when}`;
  } else if (err.status === 401) {
    text = `GitHub rejected the token (401${detail}); check GITHUB_TOKEN`;
  } else if (err.status === 403) {
    text = `GitHub refused the request (403${detail}); the token needs "contents: write" and "pull-requests: write" on ${where} (and Actions must be allowed to create pull requests in the repository settings)`;
  } else if (err.status === 404) {
    text = `GitHub cannot find ${where} (404${detail}); check GITHUB_REPOSITORY, GITHUB_API_URL and the token's access`;
  } else if (err.status === 422) {
    text = `GitHub could not open, update or close the pull request (422${detail})`;
  } else {
    text = `GitHub API error (${err.status}${detail})`;
  }
  return redact(text, config.token);
}

/** The innermost cause of a failed fetch (ECONNREFUSED, ENOTFOUND...), which says the most. */
function rootCause(e: unknown): string {
  let cur = e as { message?: string; code?: string; cause?: unknown } | undefined;
  let text = String(e);
  for (let depth = 0; cur && depth < 5; depth++, cur = cur.cause as typeof cur) {
    if (cur.code || cur.message) text = cur.code && cur.message && !cur.message.includes(cur.code) ? `${cur.code}: ${cur.message}` : (cur.message ?? cur.code!);
  }
  return text;
}

export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('***') : text;
}

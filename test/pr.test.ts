/**
 * End to end: `grpc-probe-migrate pr` in a real git checkout whose origin is a local bare
 * repository, against a stand-in GitHub REST server on 127.0.0.1 that records every request.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { DEFAULT_BRANCH, PR_TITLE } from '../src/commands/pr.js';
import { DEFAULT_KUBE_VERSION } from '../src/analysis/kube-version.js';
import { captureIo } from './support/io.js';
import { POD, podWith, writeFiles } from './support/repo.js';

// Each test runs git and node processes; a loaded machine can take longer than jest's 5 s.
jest.setTimeout(60_000);

const TOKEN = 'ghs_t0kenThatMustNeverBePrinted42';
const OWNER = 'acme';
const REPO = 'shop';

// --- the stand-in GitHub ---------------------------------------------------------------------

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: Record<string, unknown> | undefined;
}
interface Pull {
  number: number;
  state: 'open' | 'closed';
  comments: string[];
  title: string;
  body: string;
  head: { ref: string; repo: { full_name: string } };
  base: { ref: string };
  html_url: string;
}

const server = {
  requests: [] as Recorded[],
  pulls: [] as Pull[],
  /** When set, every request gets this answer. */
  failure: undefined as { status: number; headers?: Record<string, string>; body: unknown } | undefined,
  url: '',
  reset() {
    this.requests = [];
    this.pulls = [];
    this.failure = undefined;
  },
};

const httpServer = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    server.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, body });
    const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      // No keep-alive: a socket reused across tests could be closed under a loaded machine.
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', connection: 'close', ...headers });
      res.end(JSON.stringify(data));
    };
    if (server.failure) return send(server.failure.status, server.failure.body, server.failure.headers);
    const base = `/repos/${OWNER}/${REPO}/pulls`;
    if (req.method === 'GET' && url.pathname === base) {
      const head = url.searchParams.get('head');
      return send(200, server.pulls.filter((p) => p.state === 'open' && (!head || `${OWNER}:${p.head.ref}` === head)));
    }
    if (req.method === 'POST' && url.pathname === base) {
      const number = server.pulls.length + 1;
      const pull: Pull = {
        number,
        state: 'open',
        comments: [],
        title: String(body!.title),
        body: String(body!.body),
        head: { ref: String(body!.head), repo: { full_name: `${OWNER}/${REPO}` } },
        base: { ref: String(body!.base) },
        html_url: `https://github.example/${OWNER}/${REPO}/pull/${number}`,
      };
      server.pulls.push(pull);
      return send(201, pull);
    }
    const m = new RegExp(`^${base}/(\\d+)$`).exec(url.pathname);
    if (req.method === 'PATCH' && m) {
      const pull = server.pulls.find((p) => p.number === Number(m[1]));
      if (!pull) return send(404, { message: 'Not Found' });
      if (body!.title !== undefined) pull.title = String(body!.title);
      if (body!.body !== undefined) pull.body = String(body!.body);
      if (body!.base !== undefined) pull.base.ref = String(body!.base);
      if (body!.state === 'open' || body!.state === 'closed') pull.state = body!.state;
      return send(200, pull);
    }
    const comment = new RegExp(`^/repos/${OWNER}/${REPO}/issues/(\\d+)/comments$`).exec(url.pathname);
    if (req.method === 'POST' && comment) {
      const pull = server.pulls.find((p) => p.number === Number(comment[1]));
      if (!pull) return send(404, { message: 'Not Found' });
      pull.comments.push(String(body!.body));
      return send(201, { id: pull.comments.length, body: body!.body });
    }
    send(404, { message: 'Not Found' });
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
});

// --- git fixtures ----------------------------------------------------------------------------

/** git with no user or system configuration: the machine's settings cannot leak in. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  return { HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: path.join(home, '.gitconfig'), PATH: process.env.PATH };
}

interface Checkout {
  dir: string;
  origin: string;
  env: NodeJS.ProcessEnv;
  git(...args: string[]): string;
  originGit(...args: string[]): string;
}

function checkout(files: Record<string, string>): Checkout {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gpm-pr-'));
  const env = gitEnv(tmp);
  const origin = path.join(tmp, 'origin.git');
  const dir = path.join(tmp, 'work');
  const run = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
  run(tmp, ['init', '--quiet', '--bare', '--initial-branch=main', origin]);
  run(tmp, ['init', '--quiet', '--initial-branch=main', dir]);
  writeFiles(dir, files);
  const c: Checkout = {
    dir,
    origin,
    env,
    git: (...args) => run(dir, ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', ...args]),
    originGit: (...args) => run(origin, args),
  };
  c.git('add', '-A');
  c.git('commit', '--quiet', '-m', 'initial');
  c.git('remote', 'add', 'origin', origin);
  c.git('push', '--quiet', 'origin', 'main');
  return c;
}

async function pr(c: Checkout, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(c.dir, { env: { ...c.env, GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: server.url, ...env } });
  const code = await main(['pr', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

function expectCleanOn(c: Checkout, branch: string, head: string) {
  expect(c.git('symbolic-ref', '--short', 'HEAD')).toBe(branch);
  expect(c.git('rev-parse', 'HEAD')).toBe(head);
  expect(c.git('status', '--porcelain', '--untracked-files=all')).toBe('');
}

// --- the tests -------------------------------------------------------------------------------

describe('grpc-probe-migrate pr', () => {
  test('first run: pushes the bot branch and opens one pull request with the right head, base and body', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD, 'README.md': 'hello\n' });
    const head = c.git('rev-parse', 'HEAD');
    const r = await pr(c);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Opened pull request #1: https://github.example/${OWNER}/${REPO}/pull/1`);

    // The branch on origin: one commit on top of main with the migrated file.
    const pushed = c.originGit('rev-parse', `refs/heads/${DEFAULT_BRANCH}`);
    expect(c.originGit('rev-parse', `${pushed}^`)).toBe(head);
    expect(c.originGit('show', `${pushed}:k8s/a.yaml`)).toContain('grpc:\n        port: 5000');
    expect(c.originGit('diff-tree', '--no-commit-id', '--name-only', '-r', pushed)).toBe('k8s/a.yaml');
    expect(c.originGit('log', '-1', '--format=%an <%ae>', pushed)).toBe('github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>');

    // The checkout: back on main, at the same commit, clean, files as they were.
    expectCleanOn(c, 'main', head);
    expect(fs.readFileSync(path.join(c.dir, 'k8s/a.yaml'), 'utf8')).toBe(POD);

    const posts = server.requests.filter((q) => q.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe(`/repos/${OWNER}/${REPO}/pulls`);
    expect(posts[0]!.body).toEqual(expect.objectContaining({ head: DEFAULT_BRANCH, base: 'main', title: PR_TITLE }));
    const body = String(posts[0]!.body!.body);
    expect(body).toContain('## grpc-probe-migrate report');
    expect(body).toContain('| Probes migrated | 1 |');
    expect(body).toContain('**`k8s/a.yaml`**');
    expect(server.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
    expect(r.out + r.err).not.toContain(TOKEN);
  });

  test('second run updates the open pull request (no duplicate) and force-pushes the branch', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    expect((await pr(c)).code).toBe(0);
    const first = c.originGit('rev-parse', `refs/heads/${DEFAULT_BRANCH}`);

    // main moves on: another probe arrives.
    fs.writeFileSync(path.join(c.dir, 'k8s/b.yaml'), POD);
    c.git('add', '-A');
    c.git('commit', '--quiet', '-m', 'more');
    c.git('push', '--quiet', 'origin', 'main');
    const head = c.git('rev-parse', 'HEAD');
    server.requests = [];
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Updated pull request #1');

    expect(server.pulls).toHaveLength(1);
    expect(server.requests.filter((q) => q.method === 'POST')).toHaveLength(0);
    const patch = server.requests.filter((q) => q.method === 'PATCH');
    expect(patch).toHaveLength(1);
    expect(patch[0]!.path).toBe(`/repos/${OWNER}/${REPO}/pulls/1`);
    expect(server.pulls[0]!.body).toContain('| Probes migrated | 2 |');

    const second = c.originGit('rev-parse', `refs/heads/${DEFAULT_BRANCH}`);
    expect(second).not.toBe(first);
    expect(c.originGit('rev-parse', `${second}^`)).toBe(head); // made from main, not stacked on the old bot commit
    expectCleanOn(c, 'main', head);
  });

  test('nothing to change: exit 0, no branch, no pull request', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': 'kind: Pod\n', 'k8s/blocked.yaml': podWith('"-addr=:5000", "-tls"') });
    const head = c.git('rev-parse', 'HEAD');
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Nothing to change');
    expect(c.originGit('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(c.git('for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main');
    // It only looked for a stale pull request of the bot's to close: there is none.
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET /repos/${OWNER}/${REPO}/pulls`]);
    expectCleanOn(c, 'main', head);
  });

  test('nothing left to change once main was migrated another way: the stale pull request is closed with a comment', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    expect((await pr(c)).code).toBe(0);
    expect(server.pulls.map((p) => p.state)).toEqual(['open']);
    // Someone migrates main by hand; the bot runs again.
    fs.writeFileSync(path.join(c.dir, 'k8s/a.yaml'), 'kind: Pod\n');
    c.git('commit', '--quiet', '-am', 'migrate by hand');
    const head = c.git('rev-parse', 'HEAD');
    server.requests = [];
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Nothing to change: closed the stale pull request #1: https://github.example/${OWNER}/${REPO}/pull/1`);
    expect(server.pulls).toHaveLength(1);
    expect(server.pulls[0]!.state).toBe('closed');
    expect(server.pulls[0]!.comments).toEqual([expect.stringMatching(/finds nothing left to migrate on `main`.*The branch stays/)]);
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/pulls`,
      `POST /repos/${OWNER}/${REPO}/issues/1/comments`,
      `PATCH /repos/${OWNER}/${REPO}/pulls/1`,
    ]);
    expect(server.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
    // The branch stays (the pull request can be reopened); the checkout is as it was.
    expect(c.originGit('for-each-ref', '--format=%(refname)')).toContain('refs/heads/grpc-probe-migrate/native-grpc-probes');
    expect(r.out + r.err).not.toContain(TOKEN);
    expectCleanOn(c, 'main', head);
  });

  test('nothing committed because the only change is in an untracked file: the open pull request stays', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    expect((await pr(c)).code).toBe(0);
    fs.writeFileSync(path.join(c.dir, 'k8s/a.yaml'), 'kind: Pod\n');
    c.git('commit', '--quiet', '-am', 'migrate by hand');
    fs.writeFileSync(path.join(c.dir, 'k8s/scratch.yaml'), POD);
    server.requests = [];
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Nothing committed: no branch pushed; the open pull request, if any, is left as it is.');
    expect(server.pulls.map((p) => p.state)).toEqual(['open']);
    expect(server.requests).toEqual([]);
  });

  test('nothing to change on one branch leaves the bot\'s pull request into another branch open', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    expect((await pr(c)).code).toBe(0);
    c.git('checkout', '--quiet', '-b', 'release-1');
    fs.writeFileSync(path.join(c.dir, 'k8s/a.yaml'), 'kind: Pod\n');
    c.git('commit', '--quiet', '-am', 'release-1 has no probes');
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Nothing to change: no branch pushed, no pull request.');
    expect(server.pulls.map((p) => [p.base.ref, p.state])).toEqual([['main', 'open']]);
    expect(server.requests.filter((q) => q.method !== 'GET' && q.method !== 'POST').length + server.pulls[0]!.comments.length).toBe(0);
  });

  test('--branch names the bot branch; the pull request goes to the branch checked out', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    c.git('checkout', '--quiet', '-b', 'release-1');
    const head = c.git('rev-parse', 'HEAD');
    const r = await pr(c, ['--branch', 'bots/grpc']);
    expect(r.code).toBe(0);
    expect(c.originGit('rev-parse', '--verify', 'refs/heads/bots/grpc')).toMatch(/^[0-9a-f]{40}$/);
    expect(server.requests.find((q) => q.method === 'POST')!.body).toEqual(expect.objectContaining({ head: 'bots/grpc', base: 'release-1' }));
    expectCleanOn(c, 'release-1', head);
  });

  test('works from a subfolder of the checkout, over the whole checkout', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD, 'deploy/b.yaml': POD });
    const head = c.git('rev-parse', 'HEAD');
    const r = await pr({ ...c, dir: path.join(c.dir, 'deploy') });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(c.originGit('diff-tree', '--no-commit-id', '--name-only', '-r', DEFAULT_BRANCH)).toBe('deploy/b.yaml\nk8s/a.yaml');
    expectCleanOn(c, 'main', head);
  });

  test('paths limit the run; the log shows the findings', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD, 'deploy/b.yaml': POD });
    const r = await pr(c, ['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/deploy\/b\.yaml:7:5 +migrated/);
    expect(c.originGit('diff-tree', '--no-commit-id', '--name-only', '-r', DEFAULT_BRANCH)).toBe('deploy/b.yaml');
  });

  test('paths naming a subfolder keep its Dockerfile\'s install: a probe elsewhere may run the image', async () => {
    server.reset();
    const dockerfile = 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n';
    const c = checkout({ 'services/api/Dockerfile': dockerfile, 'services/api/pod.yaml': POD, 'deploy/blocked.yaml': podWith('"-addr=:5000", "-tls"') });
    const r = await pr(c, ['services/api']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/services\/api\/Dockerfile:2:1 +blocked .*only part of the repository was scanned \(the folder services\/api of the repository at \.\)/);
    expect(c.originGit('diff-tree', '--no-commit-id', '--name-only', '-r', DEFAULT_BRANCH)).toBe('services/api/pod.yaml');
    expect(c.originGit('show', `${DEFAULT_BRANCH}:services/api/Dockerfile`)).toBe(dockerfile.trimEnd());
  });

  test('--assume-complete: the folder named is the whole repository, so its install goes with its probe', async () => {
    server.reset();
    const dockerfile = 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n';
    const c = checkout({ 'services/api/Dockerfile': dockerfile, 'services/api/pod.yaml': POD, 'deploy/blocked.yaml': podWith('"-addr=:5000", "-tls"') });
    const r = await pr(c, ['--assume-complete', 'services/api']);
    expect(r.code).toBe(0);
    expect(c.originGit('diff-tree', '--no-commit-id', '--name-only', '-r', DEFAULT_BRANCH).split('\n').sort()).toEqual(['services/api/Dockerfile', 'services/api/pod.yaml']);
    expect(c.originGit('show', `${DEFAULT_BRANCH}:services/api/Dockerfile`)).not.toContain('grpc-health-probe');
  });

  test('an untracked file is not committed and is left as it was', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    fs.writeFileSync(path.join(c.dir, 'k8s/scratch.yaml'), POD);
    const r = await pr(c);
    expect(r.code).toBe(0);
    expect(r.out).toContain('note: k8s/scratch.yaml is not tracked by git');
    expect(c.originGit('ls-tree', '-r', '--name-only', DEFAULT_BRANCH)).toBe('k8s/a.yaml');
    expect(fs.readFileSync(path.join(c.dir, 'k8s/scratch.yaml'), 'utf8')).toBe(POD);
    // The pull request's body speaks only of what the pull request holds.
    const opened = server.requests.find((q) => q.method === 'POST' && q.path.endsWith('/pulls'));
    expect(String(opened?.body?.body)).toContain('k8s/a.yaml');
    expect(String(opened?.body?.body)).not.toContain('scratch.yaml');
  });

  test.each([
    [{ status: 401, body: { message: 'Bad credentials' } }, /401: Bad credentials\); check GITHUB_TOKEN/],
    [{ status: 403, body: { message: 'Resource not accessible by integration' } }, /403: Resource not accessible by integration\).*pull-requests: write/],
    [{ status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' }, body: { message: 'API rate limit exceeded' } }, /rate limit exceeded .*resets at 2030-03-17T17:46:40\.000Z/],
    [{ status: 429, headers: { 'retry-after': '60' }, body: { message: 'secondary rate limit' } }, /rate limit exceeded .*retry after 60 s/],
    [{ status: 422, body: { message: 'Validation Failed', errors: [{ message: 'No commits between main and the branch' }] } }, /422: Validation Failed; No commits between main and the branch/],
  ])('API error %j: a clear message, exit 2, no token, checkout clean', async (failure, expected) => {
    server.reset();
    server.failure = failure;
    const c = checkout({ 'k8s/a.yaml': POD });
    const head = c.git('rev-parse', 'HEAD');
    const r = await pr(c);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^grpc-probe-migrate pr: /);
    expect(r.err).toMatch(expected);
    expect(r.out + r.err).not.toContain(TOKEN);
    expectCleanOn(c, 'main', head);
  });

  test('an unreachable API is a clear error', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    const r = await pr(c, [], { GITHUB_API_URL: 'http://127.0.0.1:1' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot reach the GitHub API at http://127.0.0.1:1');
  });

  test.each([
    [{ GITHUB_TOKEN: '' }, 'GITHUB_TOKEN is not set'],
    [{ GITHUB_REPOSITORY: '' }, 'GITHUB_REPOSITORY is not set'],
    [{ GITHUB_REPOSITORY: 'no-slash' }, 'GITHUB_REPOSITORY "no-slash" is not owner/name'],
  ])('configuration %j missing: exit 2 before anything changes', async (env, message) => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    const r = await pr(c, [], env);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(c.originGit('for-each-ref', '--format=%(refname)')).toBe('refs/heads/main');
    expect(server.requests).toEqual([]);
  });

  test.each([
    ['uncommitted changes', (c: Checkout) => fs.appendFileSync(path.join(c.dir, 'k8s/a.yaml'), '# edit\n'), 'uncommitted changes (k8s/a.yaml)'],
    ['a detached HEAD', (c: Checkout) => c.git('checkout', '--quiet', '--detach'), 'HEAD is detached'],
    ['no origin', (c: Checkout) => c.git('remote', 'remove', 'origin'), 'no remote named origin'],
  ])('refuses to run with %s', async (_name, setup, message) => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    setup(c);
    const r = await pr(c);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(server.requests).toEqual([]);
  });

  test('a failed push is reported, and the checkout stays clean', async () => {
    server.reset();
    const c = checkout({ 'k8s/a.yaml': POD });
    const head = c.git('rev-parse', 'HEAD');
    fs.rmSync(c.origin, { recursive: true });
    const r = await pr(c);
    expect(r.code).toBe(2);
    expect(r.err).toContain('git push failed');
    expectCleanOn(c, 'main', head);
    expect(server.requests).toEqual([]);
  });

  test('--help documents the branch and the environment', async () => {
    const io = captureIo(os.tmpdir());
    expect(await main(['pr', '--help'], io)).toBe(0);
    for (const s of ['--branch', DEFAULT_BRANCH, 'GITHUB_TOKEN', 'GITHUB_REPOSITORY', 'GITHUB_API_URL']) expect(io.out()).toContain(s);
    // The scan's --help gives the default target version; pr's, which runs the same scan, did not.
    expect(io.out()).toContain(`--kube-version VER    target cluster version (default ${DEFAULT_KUBE_VERSION}): X.Y`);
  });
});

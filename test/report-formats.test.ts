import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import type { Log } from 'sarif';
import { RULES } from '../rules/index.js';
import { main, packageHome } from '../src/cli.js';
import { code, LONG, formatMarkdown } from '../src/report/markdown.js';
import { REDACTED, redactRpcHeaders } from '../src/report/redact.js';
import { blockerRuleId, ERROR_RULE_ID, formatSarif } from '../src/report/sarif.js';
import { BLOCKER_CODES, type Finding, type RunResult } from '../src/types.js';
import { captureIo } from './support/io.js';
import { MIGRATED_POD, POD, podWith, repoWith as repoWithFiles } from './support/repo.js';

const require = createRequire(import.meta.url);

const TLS_PROBE = podWith('"-addr=:5000", "-tls"');
const MULTI_BLOCKED = podWith('"-addr=db:5000", "-tls"');

/** Every repository here has an empty .git, as the root of a checkout does. */
const repoWith = (files: Record<string, string>) => repoWithFiles(files, { git: true });

async function sarifOf(cwd: string, args: string[] = []): Promise<Log> {
  const io = captureIo(cwd);
  await main(['--format', 'sarif', ...args], io);
  return JSON.parse(io.out()) as Log;
}

describe('packageHome', () => {
  test('takes the https homepage, else the repository address without git+ and .git', () => {
    expect(packageHome({ homepage: 'https://example.org/grpc-probe-migrate' })).toBe('https://example.org/grpc-probe-migrate');
    expect(packageHome({ repository: { url: 'git+https://github.com/acme/grpc-probe-migrate.git' } })).toBe('https://github.com/acme/grpc-probe-migrate');
    expect(packageHome({ repository: 'https://github.com/acme/grpc-probe-migrate' })).toBe('https://github.com/acme/grpc-probe-migrate');
  });
  test('gives nothing for no address, or one a browser cannot open', () => {
    expect(packageHome({})).toBeUndefined();
    expect(packageHome({ repository: 'github:acme/grpc-probe-migrate' })).toBeUndefined();
    expect(packageHome({ repository: { url: 'git@github.com:acme/grpc-probe-migrate.git' } })).toBeUndefined();
  });
  test('with an address, SARIF links the driver and each rule to it', () => {
    const log = JSON.parse(formatSarif(result([]), { cwd: process.cwd(), rules: RULES, version: '1.0.0', informationUri: 'https://github.com/acme/grpc-probe-migrate' })) as Log;
    const driver = log.runs[0]!.tool.driver;
    expect(driver.informationUri).toBe('https://github.com/acme/grpc-probe-migrate');
    expect(driver.rules!.find((r) => r.id === 'blocker/tls')!.helpUri).toBe('https://github.com/acme/grpc-probe-migrate#blockers');
    expect(driver.rules!.find((r) => r.id === RULES[0]!.meta.id)!.helpUri).toBe('https://github.com/acme/grpc-probe-migrate#rules');
    expect(validateSarif(log)).toEqual([]);
  });
});

test('a homepage with an anchor (npm init writes #readme) links each rule to its own section, not to #readme#rules', () => {
  const log = JSON.parse(formatSarif(result([]), { cwd: process.cwd(), rules: RULES, version: '1.0.0', informationUri: 'https://github.com/acme/grpc-probe-migrate#readme' })) as Log;
  const driver = log.runs[0]!.tool.driver;
  expect(driver.informationUri).toBe('https://github.com/acme/grpc-probe-migrate#readme');
  expect(driver.rules!.find((r) => r.id === 'blocker/tls')!.helpUri).toBe('https://github.com/acme/grpc-probe-migrate#blockers');
  expect(driver.rules!.find((r) => r.id === RULES[0]!.meta.id)!.helpUri).toBe('https://github.com/acme/grpc-probe-migrate#rules');
  expect(driver.rules!.find((r) => r.id === 'error')!.helpUri).toBe('https://github.com/acme/grpc-probe-migrate#readme');
});

function validateSarif(log: unknown): string[] {
  const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  // unicodeRegExp off: the official schema's language pattern is not valid with the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('SARIF', () => {
  test('is valid against the official SARIF 2.1.0 schema', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD, 'k8s/b.yaml': MULTI_BLOCKED, 'k8s/c.yaml': 'kind: Pod\nspec: [grpc_health_probe\n' });
    const log = await sarifOf(dir);
    expect(validateSarif(log)).toEqual([]);
    expect(log.runs[0]!.results!.map((r) => r.level)).toEqual(expect.arrayContaining(['warning', 'note', 'error']));
  });

  test('has what GitHub code scanning reads: driver, rules with descriptions and help, located results', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD, 'k8s/b.yaml': MULTI_BLOCKED });
    const log = await sarifOf(dir);
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.version).toBe('2.1.0');
    const driver = log.runs[0]!.tool.driver;
    expect(driver.name).toBe('grpc-probe-migrate');
    expect(driver.version).toBe(JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')).version);
    // package.json names no homepage or repository (the package is not published): no address
    // rather than a registry page that does not exist.
    const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8')) as { homepage?: string; repository?: unknown };
    expect(pkg.homepage ?? pkg.repository).toBeUndefined();
    expect(driver).not.toHaveProperty('informationUri');
    expect(JSON.stringify(log)).not.toMatch(/helpUri|npmjs/);
    const ids = driver.rules!.map((r) => r.id);
    expect(ids).toEqual([...RULES.map((r) => r.meta.id), ...BLOCKER_CODES.map(blockerRuleId), ERROR_RULE_ID]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of driver.rules!) {
      expect(r.shortDescription?.text).toEqual(expect.any(String));
      expect(r.fullDescription?.text).toEqual(expect.any(String));
      expect(r.help?.text).toEqual(expect.any(String));
    }
    // Rule texts come from the rules and src/blockers.ts, not from a copy.
    const tls = driver.rules!.find((r) => r.id === 'blocker/tls')!;
    const { BLOCKERS } = await import('../src/blockers.js');
    expect(tls.shortDescription!.text).toBe(BLOCKERS.tls.title);
    expect(tls.help!.text).toBe(BLOCKERS.tls.hint);

    const results = log.runs[0]!.results!;
    expect(results.map((r) => [r.ruleId, r.level, r.locations![0]!.physicalLocation!.artifactLocation!.uri])).toEqual([
      ['kubernetes-exec-probe', 'warning', 'k8s/a.yaml'],
      // One result per blocker code, so that each kind can be filtered or dismissed.
      ['blocker/tls', 'note', 'k8s/b.yaml'],
      ['blocker/host', 'note', 'k8s/b.yaml'],
    ].sort((a, b) => (a[2]! < b[2]! ? -1 : a[2]! > b[2]! ? 1 : 0)));
    for (const r of results) {
      expect(driver.rules![r.ruleIndex!]!.id).toBe(r.ruleId);
      expect(r.message.text).toEqual(expect.any(String));
      expect(r.locations![0]!.physicalLocation!.region).toEqual(expect.objectContaining({ startLine: 7, startColumn: 5 }));
      expect(Object.values(r.partialFingerprints!)[0]).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(results[1]!.message.text).toContain(BLOCKERS.tls.hint);
  });

  test('a blocker with a hint written for its place carries that hint, not only the code\'s general one (a pre-commit file list keeps an install)', async () => {
    const { BLOCKERS } = await import('../src/blockers.js');
    const dockerfile = 'FROM alpine:3.20\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.28 /ko-app/grpc-health-probe /bin/grpc_health_probe\n';
    const dir = repoWith({ Dockerfile: dockerfile, 'k8s/a.yaml': POD });
    const text = captureIo(dir);
    await main(['Dockerfile'], text);
    const hint = /hint: (.*)/.exec(text.out())![1]!;
    expect(hint).toContain('pass_filenames: false');
    const [r] = (await sarifOf(dir, ['Dockerfile'])).runs[0]!.results!;
    expect(r!.ruleId).toBe('blocker/binary-still-used');
    expect(r!.message.text).toContain(`${BLOCKERS['binary-still-used'].title}. ${hint}`);
    expect(r!.message.text).not.toContain(BLOCKERS['binary-still-used'].hint);
  });

  test('URIs are relative to the repository root, also when run from a subfolder', async () => {
    const dir = repoWith({ 'deploy/k8s/a.yaml': POD });
    const log = await sarifOf(path.join(dir, 'deploy'));
    const loc = log.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation!;
    expect(loc).toEqual({ uri: 'deploy/k8s/a.yaml', uriBaseId: '%SRCROOT%' });
    expect(log.runs[0]!.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`${pathToFileURL(dir).href}/`);
  });

  test('fingerprints do not move when lines are added above a finding, and differ between findings', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD });
    const before = (await sarifOf(dir)).runs[0]!.results!;
    fs.writeFileSync(path.join(dir, 'a.yaml'), `# a comment\n# another\n${POD}`);
    const after = (await sarifOf(dir)).runs[0]!.results!;
    expect(after[0]!.locations![0]!.physicalLocation!.region!.startLine).toBe(9);
    expect(after[0]!.partialFingerprints).toEqual(before[0]!.partialFingerprints);
    expect(before[0]!.partialFingerprints).not.toEqual(before[1]!.partialFingerprints);
  });

  test('two identical probes in one file get different fingerprints', () => {
    const f: Finding = { ruleId: 'kubernetes-exec-probe', file: 'a.yaml', line: 1, column: 1, status: 'migratable', blockers: [], message: 'same', subject: 'probe' };
    const log = JSON.parse(formatSarif(result([f, { ...f, line: 20 }]), { cwd: os.tmpdir(), rules: RULES, version: '1.0.0' })) as Log;
    const [a, b] = log.runs[0]!.results!;
    expect(a!.partialFingerprints).not.toEqual(b!.partialFingerprints);
  });

  test('a finding without a file of its own (standard input) is a notification of the run, not a result without a location', async () => {
    const io = captureIo(os.tmpdir(), { stdin: POD });
    await main(['--format', 'sarif', '-'], io);
    const log = JSON.parse(io.out()) as Log;
    expect(log.runs[0]!.results).toEqual([]);
    const [invocation] = log.runs[0]!.invocations!;
    expect(invocation!.executionSuccessful).toBe(true);
    expect(invocation!.toolExecutionNotifications!.map((n) => [n.descriptor?.id, n.level, n.message.text!.slice(0, 13)])).toEqual([['kubernetes-exec-probe', 'warning', '<stdin>:7:5: ']]);
    expect(validateSarif(log)).toEqual([]);
  });

  test('every result has a location (code scanning refuses a file with one that has none): a run-wide failure is a notification', () => {
    const failed: Finding = { ruleId: 'dockerfile-binary-install', file: '.', line: 1, column: 1, status: 'error', blockers: [], message: 'rule dockerfile-binary-install failed (boom)', subject: 'file' };
    const located: Finding = { ruleId: 'kubernetes-exec-probe', file: 'a.yaml', line: 7, column: 5, status: 'migratable', blockers: [], message: 'm', subject: 'probe' };
    const dir = repoWith({});
    const log = JSON.parse(formatSarif(result([failed, located]), { cwd: dir, rules: RULES, version: '1.0.0' })) as Log;
    expect(log.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri)).toEqual(['a.yaml']);
    const [invocation] = log.runs[0]!.invocations!;
    expect(invocation!.executionSuccessful).toBe(false);
    expect(invocation!.toolExecutionNotifications!.map((n) => [n.descriptor?.id, n.level, n.message.text])).toEqual([[ERROR_RULE_ID, 'error', 'rule dockerfile-binary-install failed (boom)']]);
    expect(validateSarif(log)).toEqual([]);
  });
});

function result(findings: Finding[], over: Partial<RunResult['summary']> = {}): RunResult {
  const count = (subject: string, status: string) => findings.filter((f) => f.subject === subject && f.status === status).length;
  return {
    findings,
    files: [],
    summary: {
      filesScanned: 12,
      candidates: 4,
      filesChanged: new Set(findings.filter((f) => f.status === 'migrated').map((f) => f.file)).size,
      probes: { migratable: count('probe', 'migratable'), migrated: count('probe', 'migrated'), blocked: count('probe', 'blocked') },
      installs: { migratable: count('install', 'migratable'), migrated: count('install', 'migrated'), blocked: count('install', 'blocked'), ...(count('install', 'info') > 0 ? { kept: count('install', 'info') } : {}) },
      blocked: findings.filter((f) => f.status === 'blocked').length,
      info: findings.filter((f) => f.status === 'info').length,
      errors: findings.filter((f) => f.status === 'error').length,
      skipped: [],
      ...over,
    },
  };
}

const FIXED: Finding[] = [
  { ruleId: 'kubernetes-exec-probe', file: 'k8s/api.yaml', line: 24, column: 11, status: 'migrated', blockers: [], message: 'readinessProbe of container "api": exec grpc_health_probe → grpc {port: 5000, service: api.v1.Orders}', subject: 'probe' },
  { ruleId: 'kubernetes-exec-probe', file: 'k8s/api.yaml', line: 29, column: 11, status: 'migrated', blockers: [], message: 'livenessProbe of container "api": exec grpc_health_probe → grpc {port: 5000} (timeoutSeconds raised from 1 to 3 to keep -rpc-timeout=3s)', subject: 'probe' },
  { ruleId: 'dockerfile-install', file: 'services/api/Dockerfile', line: 4, column: 1, status: 'migrated', blockers: [], message: 'RUN wget grpc_health_probe: install removed, nothing runs the binary any more', subject: 'install' },
  {
    ruleId: 'kubernetes-exec-probe',
    file: 'k8s/payments.yaml',
    line: 20,
    column: 11,
    status: 'blocked',
    blockers: ['tls', 'rpc-header'],
    message: 'readinessProbe of container "payments" runs grpc_health_probe: uses -tls; sends 1 -rpc-header value(s) (redacted) | <b>not html</b> *not emphasis*',
    hint: 'A hint specific to this place.',
    subject: 'probe',
  },
  { ruleId: 'dockerfile-install', file: 'services/payments/Dockerfile', line: 7, column: 1, status: 'blocked', blockers: ['binary-still-used'], message: 'the install stays: k8s/payments.yaml:20 still runs the binary', subject: 'install' },
  { ruleId: 'engine', file: 'k8s/broken.yaml', line: 3, column: 7, status: 'error', blockers: [], message: 'not valid YAML (unexpected end); the file was left unchanged', subject: 'file' },
];

describe('Markdown', () => {
  test('the reviewer report (snapshot)', () => {
    const r = result(FIXED, { skipped: [{ file: 'big.yaml', reason: 'larger than 5 MB' }] });
    r.files = [{ file: { path: '/x', displayPath: 'k8s/api.yaml', kind: 'yaml', text: '', eol: '\n' }, output: '', changed: true, written: true }];
    expect(formatMarkdown(r)).toMatchSnapshot();
  });

  test('installs kept by --keep-binary (info) are said as kept, not as mentions that keep nothing installed (review21 R6)', () => {
    const kept: Finding = { ruleId: 'dockerfile-binary-install', file: 'Dockerfile', line: 2, column: 1, status: 'info', blockers: [], subject: 'install', message: 'RUN installs grpc_health_probe (wget): kept — --keep-binary leaves every Dockerfile untouched', hint: 'Kept because of --keep-binary.' };
    const doc: Finding = { ruleId: 'unsupported-file', file: 'README.md', line: 3, column: 1, status: 'info', blockers: [], subject: 'consumer', message: 'documentation names grpc_health_probe' };
    const md = formatMarkdown(result([kept, doc], { info: 2 }));
    expect(md).toContain('| Binary installs kept (--keep-binary) | 1 |');
    expect(md).toContain('| Mentions to reword (run nothing) | 1 |');
    expect(md).toContain('### Binary installs kept\n\n1 install kept by --keep-binary:\n\n- `Dockerfile:2` RUN installs');
    expect(md).toContain('1 mention that runs nothing and keeps nothing installed:\n\n- `README.md:3`');
  });

  test('report mode says what would change', () => {
    const md = formatMarkdown(result(FIXED.map((f) => (f.status === 'migrated' ? { ...f, status: 'migratable' as const } : f))));
    expect(md).toContain('| Probes to migrate | 2 |');
    expect(md).toContain('| Binary installs to remove | 1 |');
    expect(md).toContain('### What would change');
  });

  test(`sections longer than ${LONG} entries fold into <details>; short ones do not`, () => {
    const many = Array.from({ length: LONG + 1 }, (_, i) => ({ ...FIXED[0]!, file: `k8s/app-${i}.yaml` }));
    const md = formatMarkdown(result([...many, FIXED[3]!]));
    const changed = md.slice(md.indexOf('### What changed'), md.indexOf('### Blocked'));
    expect(changed).toContain(`<details>\n<summary>${LONG + 1} changes in ${LONG + 1} files</summary>`);
    expect(changed).toContain('</details>');
    expect(md.slice(md.indexOf('### Blocked'))).not.toContain('<details>');
  });

  test('every blocker of every blocked finding appears with its reason and hint', async () => {
    const { BLOCKERS } = await import('../src/blockers.js');
    const md = formatMarkdown(result(FIXED));
    for (const code of ['tls', 'rpc-header', 'binary-still-used'] as const) {
      expect(md).toContain(`\`${code}\` (${BLOCKERS[code].title})`);
      expect(md).toContain(BLOCKERS[code].hint.replace(/([\\`*_[\]|~])/g, '\\$1'));
    }
  });

  test('finding text cannot inject Markdown or HTML', () => {
    const md = formatMarkdown(result(FIXED));
    expect(md).not.toContain('<b>');
    expect(md).toContain('&lt;b&gt;not html&lt;/b&gt; \\*not emphasis\\*');
    expect(md).toContain('\\| ');
  });

  test('a path with backticks stays one code span: the fence is longer than any run inside', () => {
    const md = formatMarkdown(result([{ ...FIXED[0]!, file: 'odd``name`.yaml' }]));
    expect(md).toContain('**```odd``name`.yaml```**');
    expect(code('plain')).toBe('`plain`');
    expect(code('`edge`')).toBe('`` `edge` ``');
  });

  test('--format markdown runs end to end', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': TLS_PROBE });
    const io = captureIo(dir);
    expect(await main(['--format', 'markdown'], io)).toBe(1);
    expect(io.out()).toContain('| Probes to migrate | 1 |');
    expect(io.out()).toContain('`b.yaml:7`');
  });
});

describe('--output FILE', () => {
  test('writes the report to the file, not to stdout; the exit code is unchanged', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir, { tty: true });
    expect(await main(['--format', 'sarif', '--output', 'reports/out.sarif'], io)).toBe(1);
    expect(io.out()).toBe('');
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'reports/out.sarif'), 'utf8')) as Log;
    expect(log.runs[0]!.results).toHaveLength(1);
  });

  test('text written to a file has no colour codes, and the diff stays on stdout', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir, { tty: true });
    await main(['--diff', '--output', 'out.txt'], io);
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).not.toContain('\u001b[');
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toContain('a.yaml:7:5');
    expect(io.out()).toContain('+++ b/a.yaml');
  });

  test('a file that cannot be written is a usage error naming it', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const io = captureIo(dir);
    expect(await main(['--output', 'a.yaml/x'], io)).toBe(2);
    expect(io.err()).toContain('cannot write --output a.yaml/x');
  });

  test.each([['a.yaml/x', 'a.yaml is not a folder'], ['a.yaml/deeper/x.json', 'a.yaml is not a folder'], ['k8s', 'is a folder']])(
    '--fix with an --output %s that cannot be written stops before changing anything',
    async (output, why) => {
      const dir = repoWith({ 'a.yaml': POD, 'k8s/b.yaml': POD });
      const io = captureIo(dir);
      expect(await main(['--fix', '--output', output], io)).toBe(2);
      expect(io.err()).toBe(`grpc-probe-migrate: cannot write --output ${output}: ${why}\n`);
      expect(fs.readFileSync(path.join(dir, 'a.yaml'), 'utf8')).toBe(POD);
      expect(fs.readFileSync(path.join(dir, 'k8s/b.yaml'), 'utf8')).toBe(POD);
    },
  );
});

describe('secrets', () => {
  const SECRET = 's3cr3t-t0ken-value';
  const headerProbes = `${POD}    livenessProbe:
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:5000", "-rpc-header=authorization: Bearer ${SECRET}"]
    startupProbe:
      exec:
        command:
        - grpc_health_probe
        - -rpc-header
        - "x-api-key: ${SECRET}"
        - -addr=:5000
`;

  test.each(['text', 'json', 'sarif', 'markdown'])('no -rpc-header value or token in --format %s, in any mode', async (format) => {
    for (const extra of [[], ['--diff'], ['--fix', '--diff'], ['--output', 'report.out'], ['--quiet']]) {
      const dir = repoWith({ 'a.yaml': headerProbes });
      const io = captureIo(dir, { env: { GITHUB_TOKEN: 'ghp_tokenvalue123' } });
      await main(['--format', format, ...extra, 'a.yaml'], io);
      const report = fs.existsSync(path.join(dir, 'report.out')) ? fs.readFileSync(path.join(dir, 'report.out'), 'utf8') : '';
      expect(io.out() + io.err() + report).not.toContain(SECRET);
      expect(io.out() + io.err() + report).not.toContain('ghp_tokenvalue123');
    }
  });

  test('the diff shows the masked line, so the change stays readable', async () => {
    const dir = repoWith({ 'a.yaml': headerProbes });
    const io = captureIo(dir);
    await main(['--diff', 'a.yaml'], io);
    expect(io.out()).toContain('+      grpc:');
    expect(io.out()).toContain(`"-rpc-header ${REDACTED}`);
  });

  test.each([
    ['a block list', '            - -rpc-header\n            - "authorization: Bearer HIDDEN"\n            - -addr=:5000'],
    ['a flow list over two lines', '            ["/bin/grpc_health_probe", "-addr=:5000", "-rpc-header",\n             "authorization: Bearer HIDDEN"]'],
    ['one item holding a whole command line', '          - |\n            grpc_health_probe -addr=:5000 -rpc-header \\\n              "authorization: Bearer HIDDEN"'],
    ['a continued sh -c script', '          - sh\n          - -c\n          - |\n            grpc_health_probe -addr=:5000 -rpc-header \\\n              "authorization: Bearer HIDDEN" \\\n              -tls'],
  ])('--diff masks a header value whose flag is on the line above the hunk: %s', async (_name, blocked) => {
    // The migrated probe's hunk starts three lines above it: on the value's line, below its flag.
    const file = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      readinessProbe:
        exec:
          command:
${blocked}
      livenessProbe:
        exec:
          command: [grpc_health_probe, -addr=:5000]
`;
    const dir = repoWith({ 'a.yaml': file });
    const io = captureIo(dir);
    await main(['--diff', 'a.yaml'], io);
    expect(io.out()).toContain('+        grpc:');
    expect(io.out()).not.toContain('HIDDEN');
  });

  test.each([
    ['same token', ' "-rpc-header=authorization: Bearer x"]', ` "-rpc-header ${REDACTED}`],
    ['next element', " grpc_health_probe -rpc-header 'k: v' -addr=:1", ` grpc_health_probe -rpc-header ${REDACTED}`],
    ['next line of a block list', '         - -rpc-header\n         - "k: v"\n         - -addr=:1', `         - -rpc-header\n         - ${REDACTED}\n         - -addr=:1`],
    ['shell continuation', '+  grpc_health_probe --rpc-header \\\n+    "k: v" \\', `+  grpc_health_probe --rpc-header \\\n+    ${REDACTED}`],
    ['no header', ' command: [grpc_health_probe]', ' command: [grpc_health_probe]'],
  ])('redaction: %s', (_name, input, expected) => {
    expect(redactRpcHeaders(input)).toBe(expected);
  });
});

test('--help names the formats, --output, --assume-complete and the pr subcommand', async () => {
  const io = captureIo(os.tmpdir());
  expect(await main(['--help'], io)).toBe(0);
  for (const s of ['sarif', 'markdown', '--output FILE', '--assume-complete', 'grpc-probe-migrate pr']) expect(io.out()).toContain(s);
});

describe('text report', () => {
  test('control characters from the scanned files are shown escaped, never sent to the terminal', async () => {
    // Valid YAML: double-quoted escapes give a container name and a service name holding ESC/BEL.
    const file = podWith('"-addr=:5000", "-service=a\\e]0;title\\a\\e[2J"').replace('- name: c', '- name: "c\\e[31m"');
    const dir = repoWith({ 'a.yaml': file });
    const io = captureIo(dir);
    await main(['a.yaml'], io);
    expect(io.out()).not.toMatch(/[\u0007\u001b]/);
    expect(io.out()).toContain('container "c\\x1b[31m"');
    // The service as the file gets it: double-quoted, its controls written as JSON escapes.
    expect(io.out()).toContain('service: "a\\u001b]0;title\\u0007\\u001b[2J"}');
  });
});

describe('text', () => {
  test('a hint is shown under a finding that carries one, migratable ones too (an install removed with a caveat)', async () => {
    const { formatText } = await import('../src/report/text.js');
    const removable: Finding = {
      ruleId: 'dockerfile-binary-install',
      file: 'Dockerfile',
      line: 2,
      column: 1,
      status: 'migratable',
      blockers: [],
      message: 'RUN installs grpc_health_probe (wget): no file of this repository runs the binary, so it goes',
      hint: 'If the manifests that deploy this image live in another repository, keep the install (--keep-binary).',
      subject: 'install',
    };
    const text = formatText(result([removable, FIXED[3]!]), { color: false });
    expect(text).toContain(`      hint: ${removable.hint}`);
    expect(text).toContain('      hint: A hint specific to this place.');
    // A finding without a hint gets no hint line.
    expect(formatText(result([FIXED[0]!]), { color: false })).not.toContain('hint:');
  });
});

describe('text: what a failed check says', () => {
  const BLOCKED_AND_MIGRATABLE = POD + '---\n' + TLS_PROBE;

  test('migratable uses left (exit 1) end with how to apply them, before the summary', async () => {
    const dir = repoWith({ 'a.yaml': BLOCKED_AND_MIGRATABLE });
    const io = captureIo(dir);
    expect(await main(['a.yaml'], io)).toBe(1);
    const lines = io.out().trimEnd().split('\n');
    expect(lines.at(-2)).toBe('1 use can migrate: run again with --fix to apply it (--diff shows the changes first)');
    expect(lines.at(-1)).toMatch(/^1 file scanned, probes: 1 migratable, 0 migrated, 1 blocked, /);
  });

  test('--quiet lists only blocked uses, and still says how to fix what fails the check', async () => {
    const dir = repoWith({ 'a.yaml': BLOCKED_AND_MIGRATABLE });
    const io = captureIo(dir);
    expect(await main(['--quiet', 'a.yaml'], io)).toBe(1);
    expect(io.out()).toMatch(/a\.yaml:\d+:\d+ +blocked /);
    expect(io.out()).not.toMatch(/ migratable /);
    expect(io.out()).toContain('1 use can migrate: run again with --fix');
  });

  test('nothing to say once --fix applied them, or when only blocked uses are left', async () => {
    const dir = repoWith({ 'a.yaml': BLOCKED_AND_MIGRATABLE });
    const fixed = captureIo(dir);
    expect(await main(['--fix', 'a.yaml'], fixed)).toBe(0);
    expect(fixed.out()).not.toContain('can migrate');
    const again = captureIo(dir);
    expect(await main(['a.yaml'], again)).toBe(0);
    expect(again.out()).not.toContain('can migrate');
  });
});

test('text, JSON and SARIF give the same columns: 1-based UTF-16 units, a CRLF line\'s \\r not counted, the end just after the span', async () => {
  // A flow mapping puts the probe after an emoji (2 UTF-16 units, 4 bytes) and an é (1 unit, 2 bytes).
  const before = '  - {name: "é🚀", image: x, ';
  const probe = 'livenessProbe: {exec: {command: ["grpc_health_probe", "-addr=:8080"]}}';
  const file = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: p}', 'spec:', '  containers:', `${before}${probe}}`, ''].join('\r\n');
  const dir = repoWith({ 'p.yaml': file });
  const column = before.length + 1;
  expect(column).toBe(29);
  const text = captureIo(dir);
  await main(['p.yaml'], text);
  expect(text.out()).toContain(`p.yaml:6:${column}  migratable`);
  const json = captureIo(dir);
  await main(['--format', 'json', 'p.yaml'], json);
  const [f] = JSON.parse(json.out()).findings;
  expect([f.line, f.column, f.endLine, f.endColumn]).toEqual([6, column, 6, column + probe.length]);
  const sarif = await sarifOf(dir, ['p.yaml']);
  expect(sarif.runs[0]!.results![0]!.locations![0]!.physicalLocation!.region).toEqual({ startLine: 6, startColumn: column, endLine: 6, endColumn: column + probe.length });
});

test.each(['my app/a b.yaml', 'plain.yaml'])('--diff of %s applies with GNU patch -p1 as with git apply (a name holding a space ends with a tab: hunt15 A2)', async (name) => {
  const dir = repoWithFiles({ [name]: POD });
  const io = captureIo(dir);
  await main(['--diff', name], io);
  const diff = io.out().slice(0, io.out().indexOf(`\n${name}\n`) + 1);
  expect(diff.split('\n')[0]).toBe(name.includes(' ') ? `--- a/${name}\t` : `--- a/${name}`);
  execFileSync('patch', ['-p1', '--quiet'], { cwd: dir, input: diff });
  expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(MIGRATED_POD);
});

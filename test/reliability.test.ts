/**
 * The safety guarantees of issue 8, one by one: report mode never writes; --fix writes only a
 * rewrite that re-parses and changes nothing but its edits; writes are atomic, keep the mode and
 * refuse a file changed on disk; symlinks stay inside the root and stay links; read and write
 * failures are error findings; encodings; a failing rule is an error finding, not a crash.
 *
 * Tests run as root here, and root ignores permission bits: read-only files and unreadable
 * folders are simulated by making the fs call fail with the error the kernel gives (EACCES),
 * through jest.spyOn on the `node:fs` module object the tool itself uses. That works for any
 * user on any file system (chattr +i would need CAP_LINUX_IMMUTABLE and ext4-like support).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { main } from '../src/cli.js';
import { run } from '../src/engine.js';
import { unintendedChange } from '../src/edits/verify.js';
import rule from '../rules/kubernetes-exec-probe.js';
import type { Rule, RunResult } from '../src/types.js';
import { readTree } from './harness.js';
import { captureIo } from './support/io.js';
import { MIGRATED_POD, POD, podWith, repoWith, ROOT } from './support/repo.js';

const statuses = (r: RunResult) => r.findings.map((f) => [f.file, f.status]);
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const errno = (code: string, syscall: string, p: string) => Object.assign(new Error(`${code}: ${syscall} '${p}'`), { code, syscall, path: p });

afterEach(() => {
  jest.restoreAllMocks();
});

describe('report mode never writes', () => {
  test('no write, rename, chmod or unlink happens, whatever the files hold', async () => {
    const dir = repoWith({
      'ok.yaml': POD,
      'broken.yaml': POD + '  - {unclosed\n',
      'latin1.yaml': Buffer.from('# caf\xe9\n' + POD, 'latin1'),
      'blocked.yaml': podWith('"-addr=:5000", "-tls"'),
    });
    const before = readTree(dir);
    // The guarantee is about the user's files: only calls that reach into the scanned folder
    // count. (On a cold cache, jest itself writes its transform cache while the tool's lazily
    // imported modules load; that is the harness, not the tool.)
    const inRepo = (a: unknown) => typeof a === 'string' && (a === dir || a.startsWith(dir + path.sep));
    const repoFds = new Set<number>();
    const realOpen = fs.openSync;
    const opens = jest.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, flags: fs.OpenMode = 'r', mode?: fs.Mode) => {
      const fd = realOpen(p, flags, mode);
      if (inRepo(String(p))) repoFds.add(fd);
      return fd;
    }) as typeof fs.openSync);
    // Descriptors are reused once closed: one that jest opens later is not the repository's.
    const realClose = fs.closeSync;
    jest.spyOn(fs, 'closeSync').mockImplementation(((fd: number) => {
      repoFds.delete(fd);
      realClose(fd);
    }) as typeof fs.closeSync);
    const writes = ['writeFileSync', 'appendFileSync', 'renameSync', 'chmodSync', 'unlinkSync', 'copyFileSync', 'mkdirSync', 'rmSync', 'writeSync'] as const;
    const spies = writes.map((m) => jest.spyOn(fs, m));
    const result = await run({ cwd: dir, fix: false });
    expect(statuses(result)).toEqual([
      ['blocked.yaml', 'blocked'],
      ['broken.yaml', 'error'],
      ['latin1.yaml', 'error'],
      ['ok.yaml', 'migratable'],
    ]);
    for (const s of spies) {
      const intoRepo = s.mock.calls.filter((args) => (args as unknown[]).some((a) => inRepo(a) || (typeof a === 'number' && repoFds.has(a))));
      expect(intoRepo).toEqual([]);
    }
    // The reader opens with numeric flags (O_RDONLY | O_NONBLOCK): what counts is the access mode.
    const readOnly = (flags: fs.OpenMode | undefined) =>
      flags === undefined || flags === 'r' || (typeof flags === 'number' && (flags & 3) === fs.constants.O_RDONLY && (flags & (fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND)) === 0);
    expect(opens.mock.calls.filter(([p, flags]) => inRepo(String(p)) && !readOnly(flags))).toEqual([]);
    expect(readTree(dir)).toEqual(before);
  });
});

describe('--fix writes only a verified rewrite', () => {
  const editRule = (replacement: string): Rule => ({
    meta: { id: 'test-edit', description: 'test', fixable: true, fileKinds: ['yaml'] },
    create: () => ({
      file(ctx) {
        const start = ctx.file.text.indexOf('exec:');
        ctx.report({ start, subject: 'probe', message: 'edit', fix: [{ start, end: start + 'exec:'.length, text: replacement }] });
      },
    }),
  });

  test('a rewrite that would not parse is refused: error finding, file untouched', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD });
    const result = await run({ cwd: dir, fix: true, rules: [editRule('exec: [unclosed')] });
    expect(statuses(result)).toEqual([['a.yaml', 'error'], ['b.yaml', 'error']]);
    expect(result.findings[0]!.message).toMatch(/not applied: the rewritten file would not parse \(.*\); the file was left unchanged$/);
    expect(read(dir, 'a.yaml')).toBe(POD);
    expect(result.summary.filesChanged).toBe(0);
  });

  test('one rewrite that would not parse is left out; the file\'s other rewrites are written', async () => {
    const text = '# grpc_health_probe\na: 1\nb: 2\nc: 3\n';
    const dir = repoWith({ 'a.yaml': text });
    const rule: Rule = {
      meta: { id: 'test-edits', description: 'test', fixable: true, fileKinds: ['yaml'] },
      create: () => ({
        file(ctx) {
          const at = (key: string) => ctx.file.text.indexOf(key);
          ctx.report({ start: at('a:'), subject: 'probe', message: 'a', fix: [{ start: at('1'), end: at('1') + 1, text: '10' }] });
          ctx.report({ start: at('b:'), subject: 'probe', message: 'b', fix: [{ start: at('2'), end: at('2') + 1, text: '[unclosed' }] });
          ctx.report({ start: at('c:'), subject: 'probe', message: 'c', fix: [{ start: at('3'), end: at('3') + 1, text: '30' }] });
        },
      }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule] });
    expect(result.findings.map((f) => [f.message.slice(0, 1), f.status])).toEqual([['a', 'migrated'], ['b', 'error'], ['c', 'migrated']]);
    expect(result.findings[1]!.message).toMatch(/not applied: the rewritten file would not parse \(.*\); this change was left out, the file's other changes go ahead$/);
    expect(read(dir, 'a.yaml')).toBe('# grpc_health_probe\na: 10\nb: 2\nc: 30\n');
  });

  test('a rewrite that parses is written', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const result = await run({ cwd: dir, fix: true, rules: [editRule('exec_:')] });
    expect(statuses(result)).toEqual([['a.yaml', 'migrated']]);
    expect(read(dir, 'a.yaml')).toBe(POD.replace('exec:', 'exec_:'));
  });

  test('a file kind with no parser to re-check the rewrite is never written', async () => {
    const dir = repoWith({ 'notes.txt': 'run grpc_health_probe here\n' });
    const unchecked: Rule = {
      meta: { id: 'test-unchecked', description: 'test', fixable: true, fileKinds: ['other'] },
      create: () => ({ file: (ctx) => ctx.report({ start: 0, subject: 'probe', message: 'edit', fix: [{ start: 0, end: 3, text: 'RUN' }] }) }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [unchecked] });
    expect(result.findings.map((f) => [f.status, f.message])).toEqual([['error', 'edit — not applied: the rewritten file would not parse (no parser checks other files); the file was left unchanged']]);
    expect(read(dir, 'notes.txt')).toBe('run grpc_health_probe here\n');
  });

  test('the splice check finds any change outside the edits', () => {
    const text = 'abcdef';
    const edits = [{ start: 1, end: 2, text: 'X' }, { start: 4, end: 4, text: 'Y' }];
    expect(unintendedChange(text, edits, 'aXcdYef')).toBeUndefined();
    expect(unintendedChange(text, [], text)).toBeUndefined();
    expect(unintendedChange(text, edits, 'aXcDYef')).toMatch(/changed outside any edit/);
    expect(unintendedChange(text, edits, 'aXcdZef')).toMatch(/edit at offset 4 was not applied as planned/);
    expect(unintendedChange(text, edits, 'aXcdYef\n')).toMatch(/added after the last edit/);
    expect(unintendedChange(text, edits, 'aXcdYe')).toMatch(/changed outside any edit/);
  });
});

describe('YAML anchors and aliases', () => {
  const shared = (alias: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: a
    livenessProbe: &probe
      exec:
        command: ["/bin/grpc_health_probe", "-addr=:5000"]
      periodSeconds: 5
  - name: b
    lifecycle:
      postStart: ${alias}
`;

  test('an edit inside an anchored node that an alias uses elsewhere is refused: the alias would change too', async () => {
    const text = shared('*probe');
    const dir = repoWith({ 'a.yaml': text });
    const result = await run({ cwd: dir, fix: true });
    // The rule sees it before it reports (so that holds on Kustomize bases and values files know).
    expect(result.findings.map((f) => f.status)).toEqual(['blocked']);
    expect(result.findings[0]!.message).toMatch(/: the edit changes &probe, which \*probe also uses elsewhere \(line 13\); migrate it by hand$/);
    expect(read(dir, 'a.yaml')).toBe(text);
  });

  test('a probe merged from the anchored one (<<: *probe) is named where it stands, as a merge', async () => {
    const text = shared('{<<: *probe, periodSeconds: 10}');
    const dir = repoWith({ 'a.yaml': text });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings.map((f) => f.status)).toEqual(['blocked']);
    expect(result.findings[0]!.message).toMatch(/: the edit changes &probe, which \*probe also uses elsewhere \(line 13 \(merged there with <<: \*probe\)\); migrate it by hand$/);
    expect(read(dir, 'a.yaml')).toBe(text);
  });

  test('a probe merged from a list of the merge key (<<: [*probe]) is named as a merge too', async () => {
    const text = shared('{<<: [*probe], periodSeconds: 10}');
    const dir = repoWith({ 'a.yaml': text });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings.map((f) => f.status)).toEqual(['blocked']);
    expect(result.findings[0]!.message).toMatch(/: the edit changes &probe, which \*probe also uses elsewhere \(line 13 \(merged there with <<: \[\*probe\]\)\); migrate it by hand$/);
    expect(read(dir, 'a.yaml')).toBe(text);
  });

  test('the engine refuses an edit through an aliased anchor that a rule did not catch', async () => {
    const text = shared('*probe');
    const dir = repoWith({ 'a.yaml': text });
    const careless: Rule = {
      meta: { id: 'test-careless', description: 'test', fixable: true, fileKinds: ['yaml'] },
      create: () => ({
        file(ctx) {
          const start = ctx.file.text.indexOf('exec:');
          ctx.report({ start, subject: 'probe', message: 'edit', fix: [{ start, end: start + 'exec:'.length, text: 'exec_:' }] });
        },
      }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [careless] });
    expect(result.findings.map((f) => f.status)).toEqual(['error']);
    expect(result.findings[0]!.message).toMatch(/not applied: the rewrite would change more than it means to \(the edit changes &probe, which \*probe also uses elsewhere \(line 13\); migrate it by hand\); the file was left unchanged$/);
    expect(read(dir, 'a.yaml')).toBe(text);
  });

  test('an anchor no alias uses does not stop the migration', async () => {
    const dir = repoWith({ 'a.yaml': shared('{exec: {command: [true]}}') });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings.map((f) => f.status)).toEqual(['migrated']);
    expect(read(dir, 'a.yaml')).toContain('livenessProbe: &probe\n      grpc:\n        port: 5000\n');
  });
});

describe('atomic writes', () => {
  test('a temp file in the same folder, then a rename over the original; no temp file left', async () => {
    const dir = repoWith({ 'k8s/a.yaml': POD });
    const openSpy = jest.spyOn(fs, 'openSync');
    const fsyncSpy = jest.spyOn(fs, 'fsyncSync');
    const renameSpy = jest.spyOn(fs, 'renameSync');
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['k8s/a.yaml', 'migrated']]);
    const created = openSpy.mock.calls.filter(([, flags]) => flags === 'wx');
    expect(created).toHaveLength(1);
    const tmp = String(created[0]![0]);
    expect(fsyncSpy).toHaveBeenCalledTimes(1);
    expect(path.dirname(tmp)).toBe(path.join(dir, 'k8s'));
    expect(path.basename(tmp)).toMatch(/^\.a\.yaml\.[0-9a-f]{12}\.tmp$/);
    expect(renameSpy.mock.calls).toEqual([[tmp, path.join(dir, 'k8s', 'a.yaml')]]);
    expect(fs.readdirSync(path.join(dir, 'k8s'))).toEqual(['a.yaml']);
    expect(read(dir, 'k8s/a.yaml')).toBe(MIGRATED_POD);
  });

  test('a failed rename leaves the original whole, removes the temp file, and is an error finding', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD });
    const realRename = fs.renameSync;
    jest.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(to).endsWith('a.yaml')) throw errno('EIO', 'rename', String(to));
      realRename(from, to);
    });
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['a.yaml', 'error'], ['b.yaml', 'migrated']]);
    expect(result.findings[0]!.message).toMatch(/not applied: cannot write: EIO/);
    expect(read(dir, 'a.yaml')).toBe(POD);
    expect(read(dir, 'b.yaml')).toBe(MIGRATED_POD);
    expect(fs.readdirSync(dir).sort()).toEqual(['a.yaml', 'b.yaml']);
  });

  test.each([0o640, 0o755, 0o600])('the file mode %o is kept', async (mode) => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.chmodSync(path.join(dir, 'a.yaml'), mode);
    await run({ cwd: dir, fix: true });
    expect(read(dir, 'a.yaml')).toBe(MIGRATED_POD);
    expect(fs.statSync(path.join(dir, 'a.yaml')).mode & 0o7777).toBe(mode);
  });

  test('the owner and group are kept', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    // As root (tests here, CI) the file is given away first; as another user it is already theirs.
    const [uid, gid] = process.getuid!() === 0 ? [1234, 5678] : [process.getuid!(), process.getgid!()];
    fs.chownSync(path.join(dir, 'a.yaml'), uid, gid);
    await run({ cwd: dir, fix: true });
    const st = fs.statSync(path.join(dir, 'a.yaml'));
    expect([st.uid, st.gid]).toEqual([uid, gid]);
    expect(read(dir, 'a.yaml')).toBe(MIGRATED_POD);
  });

  test('an owner the tool cannot give the new file back to: refused, untouched', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.chownSync(path.join(dir, 'a.yaml'), process.getuid!() === 0 ? 1234 : process.getuid!(), process.getgid!());
    jest.spyOn(fs, 'fchownSync').mockImplementation(() => {
      throw errno('EPERM', 'fchown', '');
    });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings[0]!.message).toMatch(/not applied: the file belongs to another user or group, and replacing it would change its owner; it was left as it is$/);
    expect(read(dir, 'a.yaml')).toBe(POD);
    expect(fs.readdirSync(dir)).toEqual(['a.yaml']);
  });

  test('a file with hard links is not split by the rename: refused, both names untouched', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.linkSync(path.join(dir, 'a.yaml'), path.join(dir, 'b.yml'));
    const result = await run({ cwd: dir, paths: ['a.yaml'], fix: true });
    expect(result.findings.map((f) => f.status)).toEqual(['error']);
    expect(result.findings[0]!.message).toMatch(/not applied: the file has 2 hard links and replacing it would split them; it was left as it is$/);
    expect(read(dir, 'a.yaml')).toBe(POD);
    expect(fs.statSync(path.join(dir, 'a.yaml')).nlink).toBe(2);
  });

  test('an install stays when a probe file it depended on could not be written', async () => {
    const dockerfile = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64\nCOPY app /app\n';
    const dir = repoWith({ 'a.yaml': POD, Dockerfile: dockerfile });
    // A second name outside the scanned tree: the rewrite of a.yaml is refused at write time.
    const outside = repoWith({});
    fs.linkSync(path.join(dir, 'a.yaml'), path.join(outside, 'a.yaml'));
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['Dockerfile', 'error'], ['a.yaml', 'error']]);
    expect(result.findings[0]!.message).toMatch(/not applied: kept: another file of this run could not be written/);
    expect(read(dir, 'Dockerfile')).toBe(dockerfile);
    expect(read(dir, 'a.yaml')).toBe(POD);
  });

  test('a file changed on disk after it was read is not overwritten: error finding', async () => {
    const dir = repoWith({ 'a.yaml': POD, 'b.yaml': POD });
    // A rule that edits a.yaml on disk between the read and the write, as an editor or git would.
    const meddler: Rule = {
      meta: { id: 'test-meddler', description: 'test', fixable: false, fileKinds: ['yaml'] },
      create: () => ({ end: () => fs.appendFileSync(path.join(dir, 'a.yaml'), '# edited meanwhile\n') }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule, meddler] });
    expect(statuses(result)).toEqual([['a.yaml', 'error'], ['b.yaml', 'migrated']]);
    expect(result.findings[0]!.message).toMatch(/not applied: the file changed on disk while the tool ran; it was left as it is/);
    expect(read(dir, 'a.yaml')).toBe(POD + '# edited meanwhile\n');
    expect(read(dir, 'b.yaml')).toBe(MIGRATED_POD);
  });
});

describe('symlinks', () => {
  test('links out of the scanned root are not followed, files or folders', async () => {
    const outside = repoWith({ 'o.yaml': POD, 'sub/s.yaml': POD });
    const dir = repoWith({ 'a.yaml': POD });
    fs.symlinkSync(path.join(outside, 'o.yaml'), path.join(dir, 'out.yaml'));
    fs.symlinkSync(path.join(outside, 'sub'), path.join(dir, 'outdir'));
    fs.symlinkSync('../..', path.join(dir, 'up'));
    const result = await run({ cwd: dir, fix: true });
    // Not followed, not written; what they reach is searched for uses of the binary (read only).
    expect(statuses(result)).toEqual([['a.yaml', 'migrated'], ['out.yaml', 'blocked'], ['outdir', 'blocked'], ['up', 'blocked']]);
    expect(result.findings.slice(1).map((f) => f.message.replace(/\(it holds more than \d+ files\)|\(\/.*cannot be read: .*\)/, '(...)'))).toEqual([
      `a symlink out of the scanned folder, to ${path.relative(dir, path.join(outside, 'o.yaml'))}, is not followed, and ${path.relative(dir, path.join(outside, 'o.yaml'))} names grpc_health_probe: what it reaches may run the binary, so installs stay`,
      `a symlink out of the scanned folder, to ${path.relative(dir, path.join(outside, 'sub'))}, is not followed, and ${path.relative(dir, path.join(outside, 'sub/s.yaml'))} names grpc_health_probe: what it reaches may run the binary, so installs stay`,
      'a symlink out of the scanned folder, to ../.., is not followed, and it was not searched (...): what it reaches may run the binary, so installs stay',
    ]);
    expect(read(outside, 'o.yaml')).toBe(POD);
    expect(read(outside, 'sub/s.yaml')).toBe(POD);
  });

  test('a link inside the root is read once, and stays a link after --fix', async () => {
    const dir = repoWith({ 'real.yaml': POD });
    fs.symlinkSync('real.yaml', path.join(dir, 'a-link.yaml'));
    fs.symlinkSync('real.yaml', path.join(dir, 'z-link.yaml'));
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['real.yaml', 'migrated']]);
    expect(fs.lstatSync(path.join(dir, 'a-link.yaml')).isSymbolicLink()).toBe(true);
    expect(read(dir, 'real.yaml')).toBe(MIGRATED_POD);
  });

  test('a link named on the command line is written through, not replaced', async () => {
    const target = repoWith({ 'real.yaml': POD });
    const dir = repoWith({});
    fs.symlinkSync(path.join(target, 'real.yaml'), path.join(dir, 'link.yaml'));
    const result = await run({ cwd: dir, paths: ['link.yaml', 'link.yaml'], fix: true });
    expect(statuses(result)).toEqual([['link.yaml', 'migrated']]);
    expect(fs.lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(read(target, 'real.yaml')).toBe(MIGRATED_POD);
  });

  test('a link into an ignored folder is still read (its target is not reached otherwise)', async () => {
    const dir = repoWith({ '.gitignore': 'generated/\n', 'generated/g.yaml': POD });
    fs.symlinkSync('generated/g.yaml', path.join(dir, 'g.yaml'));
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['g.yaml', 'migrated']]);
    expect(fs.lstatSync(path.join(dir, 'g.yaml')).isSymbolicLink()).toBe(true);
    expect(read(dir, 'generated/g.yaml')).toBe(MIGRATED_POD);
  });
});

describe('special files', () => {
  /** A named pipe, a socket (bound by a child process that exits without closing it: the socket file stays) and a link to a device. */
  const specialFiles = (dir: string) => {
    execFileSync('mkfifo', [path.join(dir, 'pipe.yaml')]);
    execFileSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path.join(dir, 'sock.yaml'))}, () => process.exit(0))`]);
    fs.symlinkSync('/dev/null', path.join(dir, 'null.yaml'));
    expect(fs.statSync(path.join(dir, 'sock.yaml')).isSocket()).toBe(true);
  };

  test('a named pipe, a socket or a device given on the command line is an error finding saying what it is and what to do, not a hang', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    specialFiles(dir);
    const result = await run({ cwd: dir, paths: ['pipe.yaml', 'sock.yaml', 'null.yaml', 'a.yaml'], fix: true });
    const hint = 'A named pipe, a socket or a device holds no file to migrate, and reading one could block the run: name the files or folders to check instead (a stream is checked through standard input: ... | grpc-probe-migrate -).';
    expect(result.findings.map((f) => [f.file, f.status, f.message, f.hint])).toEqual([
      ['a.yaml', 'migrated', expect.any(String), undefined],
      ['null.yaml', 'error', 'cannot read: not a regular file (a device)', hint],
      ['pipe.yaml', 'error', 'cannot read: not a regular file (a named pipe)', hint],
      ['sock.yaml', 'error', 'cannot read: not a regular file (a socket)', hint],
    ]);
  });

  test('a named pipe, a socket or a device met in a folder is passed over with a note saying what it is', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    specialFiles(dir);
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['a.yaml', 'migrated']]);
    expect(result.summary.skipped).toEqual([
      // A link out of the folder to a device is neither followed nor searched: there is nothing to search.
      { file: 'pipe.yaml', reason: 'not a regular file (a named pipe)' },
      { file: 'sock.yaml', reason: 'not a regular file (a socket)' },
    ]);
  });
});

describe('permissions (simulated with the errors the kernel gives, see the top of this file)', () => {
  test('a read-only file is an error finding; the others are migrated', async () => {
    const dir = repoWith({ 'ro.yaml': POD, 'rw.yaml': POD });
    const realAccess = fs.accessSync;
    jest.spyOn(fs, 'accessSync').mockImplementation((p, mode) => {
      if (String(p).endsWith('ro.yaml') && mode === fs.constants.W_OK) throw errno('EACCES', 'access', String(p));
      realAccess(p, mode);
    });
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['ro.yaml', 'error'], ['rw.yaml', 'migrated']]);
    expect(result.findings[0]!.message).toMatch(/not applied: cannot write: permission denied$/);
    expect(read(dir, 'ro.yaml')).toBe(POD);
  });

  test('a folder that refuses new files (the temp file) is an error finding', async () => {
    const dir = repoWith({ 'locked/a.yaml': POD, 'open/b.yaml': POD });
    const realOpen = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, flags: fs.OpenMode = 'r', mode?: fs.Mode) => {
      if (String(p).includes(`${path.sep}locked${path.sep}`) && flags === 'wx') throw errno('EACCES', 'open', String(p));
      return realOpen(p, flags, mode);
    }) as typeof fs.openSync);
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['locked/a.yaml', 'error'], ['open/b.yaml', 'migrated']]);
    expect(result.findings[0]!.message).toMatch(/cannot write: permission denied$/);
    expect(fs.readdirSync(path.join(dir, 'locked'))).toEqual(['a.yaml']);
  });

  test('an unreadable folder and an unreadable file are error findings naming them; the run goes on, exit 2', async () => {
    const dir = repoWith({ 'secret/a.yaml': POD, 'noread.yaml': POD, 'ok.yaml': POD });
    const realReaddir = fs.readdirSync;
    const realRead = fs.readFileSync;
    jest.spyOn(fs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
      if (String(p).endsWith('secret')) throw errno('EACCES', 'scandir', String(p));
      return realReaddir(p, o as { withFileTypes: true });
    }) as typeof fs.readdirSync);
    jest.spyOn(fs, 'readFileSync').mockImplementation(((p: fs.PathOrFileDescriptor, o?: unknown) => {
      if (String(p).endsWith('noread.yaml')) throw errno('EACCES', 'open', String(p));
      return realRead(p, o as BufferEncoding);
    }) as typeof fs.readFileSync);
    // The scan reads with open + read (src/discover/read.ts): opening is where the kernel refuses.
    const realOpen = fs.openSync;
    jest.spyOn(fs, 'openSync').mockImplementation(((p: fs.PathLike, flags: fs.OpenMode = 'r', mode?: fs.Mode) => {
      if (String(p).endsWith('noread.yaml')) throw errno('EACCES', 'open', String(p));
      return realOpen(p, flags, mode);
    }) as typeof fs.openSync);
    // The spies see the calls of this thread only: the reading stays on it (no reader worker).
    const io = captureIo(dir, { env: { GRPC_PROBE_MIGRATE_READER: 'inline' } });
    expect(await main(['--format', 'json', '.'], io)).toBe(2);
    const findings = JSON.parse(io.out()).findings as { file: string; status: string; message: string }[];
    expect(findings.map((f) => [f.file, f.status, f.message])).toEqual([
      ['noread.yaml', 'error', 'cannot read: permission denied'],
      ['ok.yaml', 'migratable', expect.any(String)],
      ['secret', 'error', 'cannot read: permission denied'],
    ]);
    expect(io.err()).toBe('');
  });
});

describe('encodings', () => {
  test('UTF-8 with a BOM and CRLF line ends: both kept, new lines use CRLF', async () => {
    const crlf = POD.replace(/\n/g, '\r\n');
    const dir = repoWith({ 'bom.yaml': '\ufeff' + crlf, 'plain.yaml': crlf });
    const result = await run({ cwd: dir, fix: true });
    expect(statuses(result)).toEqual([['bom.yaml', 'migrated'], ['plain.yaml', 'migrated']]);
    expect(fs.readFileSync(path.join(dir, 'bom.yaml'))).toEqual(Buffer.from('\ufeff' + MIGRATED_POD.replace(/\n/g, '\r\n'), 'utf8'));
    expect(read(dir, 'plain.yaml')).toBe(MIGRATED_POD.replace(/\n/g, '\r\n'));
  });

  test('non-ASCII UTF-8 around the probe survives byte for byte', async () => {
    const text = `# Überprüfung — 健康检查 🩺\n${POD.replace('name: c', 'name: "café"')}`;
    const dir = repoWith({ 'u.yaml': text });
    await run({ cwd: dir, fix: true });
    expect(read(dir, 'u.yaml')).toBe(`# Überprüfung — 健康检查 🩺\n${MIGRATED_POD.replace('name: c', 'name: "café"')}`);
  });

  test('a lone file that is not UTF-8 is reported and left untouched', async () => {
    const latin1 = Buffer.from(`# r\xe9sum\xe9\n${POD}`, 'latin1');
    const dir = repoWith({ 'latin1.yaml': latin1, 'ok.yaml': POD });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings.map((f) => [f.file, f.status, f.message])).toEqual([
      ['latin1.yaml', 'error', 'not valid UTF-8; the file was left unchanged'],
      ['ok.yaml', 'migrated', expect.any(String)],
    ]);
    expect(fs.readFileSync(path.join(dir, 'latin1.yaml'))).toEqual(latin1);
  });

  test.each([
    ['little-endian', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(POD, 'utf16le')])],
    ['big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(POD, 'utf16le').swap16()])],
  ])('a UTF-16 (%s) file that mentions the binary is reported, untouched', async (_endian, utf16) => {
    const dir = repoWith({ 'u16.yaml': utf16, 'other16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('kind: Pod\n', 'utf16le')]) });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings.map((f) => [f.file, f.status, f.message])).toEqual([['u16.yaml', 'error', 'encoded as UTF-16, not UTF-8; the file was left unchanged']]);
    expect(fs.readFileSync(path.join(dir, 'u16.yaml'))).toEqual(utf16);
  });

  test('a file with NUL bytes is skipped as binary, untouched', async () => {
    const bin = Buffer.concat([Buffer.from(POD), Buffer.from([0, 1, 2])]);
    const dir = repoWith({ 'image.yaml': bin });
    const result = await run({ cwd: dir, fix: true });
    expect(result.findings).toEqual([]);
    expect(result.summary.skipped).toEqual([{ file: 'image.yaml', reason: 'binary file (NUL bytes)' }]);
    expect(fs.readFileSync(path.join(dir, 'image.yaml'))).toEqual(bin);
  });
});

describe('a rule that throws', () => {
  const throwing = (after: 'report' | 'nothing'): Rule => ({
    meta: { id: 'test-throws', description: 'test', fixable: true, fileKinds: ['yaml'] },
    create: () => ({
      file(ctx) {
        if (!ctx.file.displayPath.startsWith('bad')) return;
        // A fix reported before the failure must not be applied: the rule did not finish.
        if (after === 'report') ctx.report({ start: 0, subject: 'probe', message: 'half done', fix: [{ start: 0, end: 0, text: '# touched\n' }] });
        throw new TypeError("Cannot read properties of undefined (reading 'items')");
      },
    }),
  });

  test('becomes an error finding naming the rule and the file; other files still migrate; that file is untouched', async () => {
    const dir = repoWith({ 'bad.yaml': POD, 'good.yaml': POD });
    const result = await run({ cwd: dir, fix: true, rules: [rule, throwing('report')] });
    expect(result.findings.map((f) => [f.file, f.ruleId, f.status])).toEqual([
      ['bad.yaml', 'test-throws', 'error'],
      ['bad.yaml', 'test-throws', 'error'],
      ['bad.yaml', 'kubernetes-exec-probe', 'error'],
      ['good.yaml', 'kubernetes-exec-probe', 'migrated'],
    ]);
    const messages = result.findings.filter((f) => f.file === 'bad.yaml').map((f) => f.message);
    expect(messages).toContain("rule test-throws failed on this file (Cannot read properties of undefined (reading 'items')); the file was left unchanged");
    expect(messages.filter((m) => m.endsWith('not applied: a rule failed on this file; the file was left unchanged'))).toHaveLength(2);
    expect(read(dir, 'bad.yaml')).toBe(POD);
    expect(read(dir, 'good.yaml')).toBe(MIGRATED_POD);
  });

  test('in the end phase: error finding naming the rule; the fixes it reported before failing are not applied', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const endThrows: Rule = {
      meta: { id: 'test-end-throws', description: 'test', fixable: true, fileKinds: ['yaml'] },
      create: () => ({
        end(ctx) {
          const file = ctx.files()[0]!;
          ctx.report(file, { start: 0, subject: 'install', message: 'half done', fix: [{ start: 0, end: 0, text: '# touched\n' }] });
          throw new Error('boom');
        },
      }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule, endThrows] });
    expect(result.findings.map((f) => [f.file, f.ruleId, f.status])).toEqual([
      ['.', 'test-end-throws', 'error'],
      ['a.yaml', 'test-end-throws', 'error'],
      ['a.yaml', 'kubernetes-exec-probe', 'error'],
    ]);
    expect(result.findings[0]!.message).toBe('rule test-end-throws failed (boom)');
    expect(read(dir, 'a.yaml')).toBe(POD);
  });

  test('no stack trace on stderr unless --debug', async () => {
    jest.spyOn(rule, 'create').mockImplementation(() => ({
      file() {
        throw new Error('exploded');
      },
    }));
    const dir = repoWith({ 'a.yaml': POD });
    const quiet = captureIo(dir);
    expect(await main(['--format', 'json', '.'], quiet)).toBe(2);
    expect(JSON.parse(quiet.out()).findings.map((f: { ruleId: string; file: string; message: string }) => [f.ruleId, f.file, f.message])).toEqual([
      ['kubernetes-exec-probe', 'a.yaml', 'rule kubernetes-exec-probe failed on this file (exploded); the file was left unchanged'],
    ]);
    expect(quiet.err()).toBe('');

    const loud = captureIo(dir);
    expect(await main(['--debug', '--format', 'json', '.'], loud)).toBe(2);
    expect(loud.err()).toMatch(/^Error: exploded\n\s+at /);
  });
});

describe('the command line never crashes', () => {
  test('a failure outside any rule: one line on stderr, exit 2; the stack only with --debug', async () => {
    jest.spyOn(rule, 'create').mockImplementation(() => {
      throw new Error('cannot start');
    });
    const dir = repoWith({ 'a.yaml': POD });
    const quiet = captureIo(dir);
    expect(await main(['--fix', '.'], quiet)).toBe(2);
    expect(quiet.err()).toBe('grpc-probe-migrate: cannot start\n');
    const loud = captureIo(dir);
    expect(await main(['--debug', '--fix', '.'], loud)).toBe(2);
    expect(loud.err()).toMatch(/^grpc-probe-migrate: cannot start\nError: cannot start\n\s+at /);
    expect(read(dir, 'a.yaml')).toBe(POD);
  });

  test('a failure while printing the report: one line, exit 2, no stack', async () => {
    const { FORMATS } = await import('../src/report/formats.js');
    jest.spyOn(FORMATS, 'json').mockImplementation(async () => () => {
      throw new RangeError('Invalid string length');
    });
    const dir = repoWith({ 'a.yaml': POD });
    // The spies see the calls of this thread only: the reading stays on it (no reader worker).
    const io = captureIo(dir, { env: { GRPC_PROBE_MIGRATE_READER: 'inline' } });
    expect(await main(['--format', 'json', '.'], io)).toBe(2);
    expect(io.err()).toBe('grpc-probe-migrate: internal error: Invalid string length\n');
  });

  test('--fix on standard input that does not parse gives the input back, byte for byte', async () => {
    const broken = POD.replace(/\n/g, '\r\n') + '  - {unclosed\r\n';
    const io = captureIo(os.tmpdir(), { stdin: broken });
    expect(await main(['--fix', '--format', 'json', '-'], io)).toBe(2);
    expect(io.out()).toBe(broken);
    expect(JSON.parse(io.err()).findings.map((f: { file: string; status: string }) => [f.file, f.status])).toEqual([['<stdin>', 'error']]);
  });
});

describe('a refused write says what the user can do (its hint, in every report format)', () => {
  const refusedOf = (result: RunResult) => result.findings.filter((f) => f.status === 'error').map((f) => [f.file, f.message.replace(/^.* — not applied: /, ''), f.hint]);
  const HARD_LINKS = /^The file has 2 names \(hard links to the same content\)\. The tool writes a new file and renames it over this name, which would leave the other name with the old content, so it does not: make the change by hand/;

  test('hard links: the number of names, why the tool will not split them, and what to do; in text, JSON, SARIF and Markdown', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    fs.linkSync(path.join(dir, 'a.yaml'), path.join(dir, 'b.yml'));
    fs.linkSync(path.join(dir, 'a.yaml'), path.join(dir, 'c.yml'));
    const result = await run({ cwd: dir, paths: ['a.yaml'], fix: true });
    expect(refusedOf(result)).toEqual([['a.yaml', 'the file has 3 hard links and replacing it would split them; it was left as it is', expect.stringMatching(/^The file has 3 names .* leave the other 2 names with the old content/)]]);
    fs.unlinkSync(path.join(dir, 'c.yml'));

    const env = { GRPC_PROBE_MIGRATE_READER: 'inline' };
    const text = captureIo(dir, { env });
    expect(await main(['--fix', 'a.yaml'], text)).toBe(2);
    expect(text.out()).toMatch(/a\.yaml:7:5 +error +.* — not applied: the file has 2 hard links .*\n {6}hint: The file has 2 names \(hard links/);
    const json = captureIo(dir, { env });
    expect(await main(['--fix', '--format', 'json', 'a.yaml'], json)).toBe(2);
    expect(JSON.parse(json.out()).findings[0].hint).toMatch(HARD_LINKS);
    const sarif = captureIo(dir, { env });
    expect(await main(['--fix', '--format', 'sarif', 'a.yaml'], sarif)).toBe(2);
    expect(JSON.parse(sarif.out()).runs[0].results[0].message.text).toMatch(/it was left as it is\. The file has 2 names \(hard links/);
    const markdown = captureIo(dir, { env });
    expect(await main(['--fix', '--format', 'markdown', 'a.yaml'], markdown)).toBe(2);
    expect(markdown.out()).toMatch(/- `a\.yaml:7` .* not applied: the file has 2 hard links .*\n {2}- hint: The file has 2 names \(hard links/);
    expect(read(dir, 'a.yaml')).toBe(POD);
  });

  test('changed on disk: something changed it during the run, check that and run again', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const meddler: Rule = {
      meta: { id: 'test-meddler', description: 'test', fixable: false, fileKinds: ['yaml'] },
      create: () => ({ end: () => fs.appendFileSync(path.join(dir, 'a.yaml'), '# edited meanwhile\n') }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule, meddler] });
    expect(refusedOf(result)).toEqual([['a.yaml', 'the file changed on disk while the tool ran; it was left as it is', expect.stringMatching(/^Something changed the file while the tool ran .*: check that change, then run the tool again/)]]);
  });

  test('removed during the run: where did it go, run again', async () => {
    const dir = repoWith({ 'a.yaml': POD });
    const remover: Rule = {
      meta: { id: 'test-remover', description: 'test', fixable: false, fileKinds: ['yaml'] },
      create: () => ({ end: () => fs.unlinkSync(path.join(dir, 'a.yaml')) }),
    };
    const result = await run({ cwd: dir, fix: true, rules: [rule, remover] });
    expect(refusedOf(result)).toEqual([['a.yaml', 'cannot write: no such file or folder', 'The file or its folder was removed or moved while the tool ran: check where it went, then run the tool again.']]);
  });

  test('an install kept because a probe file could not be written: fix that file first', async () => {
    const dockerfile = 'FROM alpine\nRUN wget -qO/bin/grpc_health_probe https://github.com/grpc-ecosystem/grpc-health-probe/releases/download/v0.4.28/grpc_health_probe-linux-amd64\nCOPY app /app\n';
    const dir = repoWith({ 'a.yaml': POD, Dockerfile: dockerfile });
    fs.linkSync(path.join(dir, 'a.yaml'), path.join(repoWith({}), 'a.yaml'));
    const result = await run({ cwd: dir, fix: true });
    expect(refusedOf(result)).toEqual([
      ['Dockerfile', expect.stringMatching(/^kept: another file of this run could not be written/), expect.stringMatching(/^Another file of this run still runs the binary, as it could not be written \(its own error says why\): fix that, then run the tool again/)],
      ['a.yaml', expect.stringMatching(/^the file has 2 hard links/), expect.stringMatching(HARD_LINKS)],
    ]);
  });

  // Root ignores permission bits and can give a file to anyone: the CLI runs as `nobody`, on
  // files and folders set up for each refusal with real owners and modes. Only where the tests
  // run as root and `nobody` can reach the CLI and the temp folder (not in a checkout under a
  // private home folder); elsewhere the simulated cases above cover the messages.
  const asNobody =
    process.getuid?.() === 0 &&
    (() => {
      try {
        const reach = `for (const p of ${JSON.stringify([path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), os.tmpdir()])}) require('node:fs').accessSync(p)`;
        execFileSync(process.execPath, ['-e', reach], { uid: 65534, gid: 65534, stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  (asNobody ? test : test.skip)('permissions and owners, for real (the CLI run as nobody): file not writable, folder not writable, owner that cannot be kept', () => {
    const nobody = 65534;
    const dir = repoWith({ 'ro-file/a.yaml': POD, 'ro-folder/a.yaml': POD, 'owner/a.yaml': POD, 'ok/a.yaml': POD });
    fs.chmodSync(dir, 0o755);
    for (const sub of ['ro-file', 'owner', 'ok']) fs.chownSync(path.join(dir, sub), nobody, nobody);
    for (const file of ['ro-folder/a.yaml', 'ok/a.yaml']) fs.chownSync(path.join(dir, file), nobody, nobody);
    // Its user, but a group nobody is not in: the new file cannot be given that group.
    fs.chownSync(path.join(dir, 'owner/a.yaml'), nobody, 0);
    let out = '';
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'bin', 'grpc-probe-migrate.js'), '--fix', '--format', 'json', '.'], { cwd: dir, uid: nobody, gid: nobody, env: { PATH: process.env.PATH, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      expect((e as { status: number }).status).toBe(2);
      out = String((e as { stdout: Buffer }).stdout);
    }
    const findings = JSON.parse(out).findings as { file: string; status: string; message: string; hint?: string }[];
    expect(findings.map((f) => [f.file, f.status, f.message.replace(/^.* — not applied: /, ''), f.hint])).toEqual([
      ['ok/a.yaml', 'migrated', expect.any(String), undefined],
      ['owner/a.yaml', 'error', 'the file belongs to another user or group, and replacing it would change its owner; it was left as it is', `The file belongs to user ${nobody} and group 0, and the new file the tool writes could not be given back to them: run the tool as root, or as that user and in that group, or make the change by hand.`],
      ['ro-file/a.yaml', 'error', 'cannot write: permission denied', expect.stringMatching(/^The file is not writable by the user that runs the tool: give that user write permission on it/)],
      ['ro-folder/a.yaml', 'error', 'cannot write: permission denied', `The file's folder (${path.join(dir, 'ro-folder')}) is not writable by the user that runs the tool, and the tool writes the new content to a temp file there before renaming it over the file: give that user write permission on the folder, then run the tool again; or make the change by hand.`],
    ]);
    for (const sub of ['ro-file', 'ro-folder', 'owner']) expect(read(dir, `${sub}/a.yaml`)).toBe(POD);
    expect(read(dir, 'ok/a.yaml')).toBe(MIGRATED_POD);
    expect(fs.readdirSync(path.join(dir, 'owner'))).toEqual(['a.yaml']);
  });

  // A full disk, a read-only mount and a file bind-mounted on its own cannot be made here: the
  // file system call fails with the error the kernel gives (see the top of this file).
  test.each([
    ['a read-only file system (the check before writing)', 'accessSync', 'EROFS', 'cannot write: EROFS: access', /^The file is on a read-only file system .*: run the tool on a writable checkout of it, or make the change by hand\.$/],
    ['a full disk (writing the temp file)', 'writeFileSync', 'ENOSPC', 'cannot write: ENOSPC: write', /^The disk \(or your quota\) is full: free some space, then run the tool again\.$/],
    ['a file that cannot be renamed over (a bind mount)', 'renameSync', 'EBUSY', 'cannot write: EBUSY: rename', /^The file cannot be replaced by a rename \(it is in use, or mounted on its own, as a single file bind-mounted into a container is\)/],
    ['an input/output error', 'fsyncSync', 'EIO', 'cannot write: EIO: fsync', /^The file system refused the write: check the file, its folder and the disk, then run the tool again; or make the change by hand\.$/],
    ['a temp file the folder refuses', 'openSync', 'EACCES', 'cannot write: permission denied', /^The tool writes the new content to a temp file in the file's folder, then renames it over the file: give the user that runs the tool write permission on the file and on its folder \(.*\)/],
  ] as const)('%s', async (_what, call, code, message, hint) => {
    const dir = repoWith({ 'a.yaml': POD });
    const real = fs[call] as (...args: unknown[]) => unknown;
    jest.spyOn(fs, call).mockImplementation(((...args: unknown[]) => {
      const [first, second] = args;
      const writing = call === 'accessSync' ? second === fs.constants.W_OK : call === 'openSync' ? second === 'wx' : call === 'renameSync' ? String(args[1]).endsWith('a.yaml') : typeof first === 'number';
      if (writing) throw errno(code, call.replace(/Sync$/, '').replace('File', '').toLowerCase(), String(first));
      return real(...args);
    }) as never);
    const result = await run({ cwd: dir, fix: true });
    expect(refusedOf(result)).toEqual([['a.yaml', expect.stringContaining(message), expect.stringMatching(hint)]]);
    expect(read(dir, 'a.yaml')).toBe(POD);
    expect(fs.readdirSync(dir)).toEqual(['a.yaml']);
  });
});

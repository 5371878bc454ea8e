import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { discover } from '../src/discover/walk.js';
import { run } from '../src/engine.js';
import { repoWith } from './support/repo.js';

// Resolved, so that the absolute paths discover() reports compare with it even where the temporary
// folder is reached through a link.
const tree = (files: Record<string, string>) => fs.realpathSync(repoWith(files));

const rels = (dir: string, files: { absPath: string }[]) => files.map((f) => path.relative(dir, f.absPath).split(path.sep).join('/'));

test('patterns apply relative to the folder of their .gitignore, anchored or not, at any depth', () => {
  const dir = tree({
    '.gitignore': '/top.txt\na/b/deep/\n*.tmp\n',
    'top.txt': '',
    'a/top.txt': '',
    'a/b/deep/x': '',
    'a/b/keep': '',
    'a/x.tmp': '',
    'a/.gitignore': '/b/keep\n!y.tmp\n',
    'a/y.tmp': '',
    'a/c/b/keep': '',
  });
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['.gitignore', 'a/.gitignore', 'a/c/b/keep', 'a/top.txt', 'a/y.tmp']);
});

test('overlapping paths list a file once; one folder walked alone lists each file once', () => {
  const dir = tree({ 'k8s/a.yaml': '', 'b.yaml': '' });
  expect(rels(dir, discover(['.', 'k8s', 'k8s/a.yaml'], dir).files)).toEqual(['b.yaml', 'k8s/a.yaml']);
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['b.yaml', 'k8s/a.yaml']);
});

test('a symlinked file is followed inside the root, never out of it, and read once', () => {
  const outside = tree({ 'secret.yaml': '', 'other.yaml': '' });
  const dir = tree({ 'real.yaml': '' });
  // A link to a file that is listed anyway is dropped: one file is never read (or written) twice.
  fs.symlinkSync(path.join(dir, 'real.yaml'), path.join(dir, 'link.yaml'));
  fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'out.yaml'));
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['real.yaml']);
  // A link inside the root whose target is inside it too, but not otherwise listed, is read.
  fs.mkdirSync(path.join(dir, 'ignored'));
  fs.writeFileSync(path.join(dir, '.gitignore'), 'ignored/\n');
  fs.writeFileSync(path.join(dir, 'ignored', 'target.yaml'), '');
  fs.symlinkSync(path.join(dir, 'ignored', 'target.yaml'), path.join(dir, 'via-link.yaml'));
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['.gitignore', 'real.yaml', 'via-link.yaml']);
});

test('a folder walk says what it passes over for having no text (a dangling link), unless .gitignore ignores it', () => {
  const dir = repoWith({ '.gitignore': 'build/\n', 'a.yaml': 'kind: Service\n', 'build/.keep': '' });
  fs.symlinkSync('missing.yaml', path.join(dir, 'dangling.yaml'));
  fs.symlinkSync('missing.yaml', path.join(dir, 'build', 'out.yaml'));
  const found = discover(['.'], dir);
  expect(found.passed).toEqual([{ absPath: path.join(fs.realpathSync(dir), 'dangling.yaml'), message: 'a symlink to nothing (dangling)' }]);
  expect(found.problems).toEqual([]);
});

(process.platform === 'win32' ? test.skip : test)('a named pipe named on the command line and inside a folder scanned is said once, as the error; overlapping folders note one once', async () => {
  const dir = tree({ 'a.yaml': 'kind: Service\n' });
  fs.mkdirSync(path.join(dir, 'sub'));
  execFileSync('mkfifo', [path.join(dir, 'sub', 'pipe.yaml')]);
  const named = discover(['.', 'sub/pipe.yaml'], dir);
  expect(named.problems).toEqual([{ absPath: path.join(dir, 'sub', 'pipe.yaml'), message: 'not a regular file (a named pipe)' }]);
  expect(named.passed).toEqual([]);
  // Named first, then met by the walk; and named twice.
  expect(discover(['sub/pipe.yaml', './sub/pipe.yaml', '.'], dir)).toMatchObject({ problems: [{ message: 'not a regular file (a named pipe)' }], passed: [] });
  expect(discover(['.', 'sub'], dir).passed).toEqual([{ absPath: path.join(dir, 'sub', 'pipe.yaml'), message: 'not a regular file (a named pipe)' }]);
  // The report: one error, no note that it was skipped besides.
  const result = await run({ cwd: dir, paths: ['.', 'sub/pipe.yaml'] });
  expect(result.findings.filter((f) => f.file === 'sub/pipe.yaml').map((f) => f.status)).toEqual(['error']);
  expect(result.summary.skipped.filter((s) => s.file === 'sub/pipe.yaml')).toEqual([]);
});

test('.gitignore patterns match letter case as git does: exactly, unless the checkout sets core.ignorecase (hunt12 N4)', () => {
  const dir = tree({ '.gitignore': 'PROD/\n*.LOG\n', 'prod/probe.yaml': '', 'PROD/x.yaml': '', 'a.log': '', 'b.LOG': '' });
  // Outside a checkout, and in one where core.ignorecase is unset: git's default, case matters.
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['.gitignore', 'a.log', 'prod/probe.yaml']);
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  expect(rels(dir, discover(['.'], dir).files)).toEqual(['.gitignore', 'a.log', 'prod/probe.yaml']);
  // git's own answer agrees: it lists prod/probe.yaml and a.log as untracked, not ignored.
  const listed = execFileSync('git', ['-C', dir, 'ls-files', '--others', '--exclude-standard'], { encoding: 'utf8' }).trim().split('\n').sort();
  expect(listed).toEqual(['.gitignore', 'a.log', 'prod/probe.yaml']);
  // A checkout on a case-insensitive file system (git init sets core.ignorecase there): both ignored.
  const other = tree({ '.gitignore': 'PROD/\n*.LOG\n', 'prod/probe.yaml': '', 'a.log': '' });
  execFileSync('git', ['-C', other, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', other, 'config', 'core.ignorecase', 'true'], { stdio: 'ignore' });
  expect(rels(other, discover(['.'], other).files)).toEqual(['.gitignore']);
});

test('a checkout whose top folder has a .gitignore still honours its info/exclude and core.excludesFile (hunt17 A5)', () => {
  const dir = tree({ '.gitignore': 'PROD/\n', 'd.yaml': '', 'ex/d.yaml': '', 'glob/d.yaml': '', 'prod/d.yaml': '' });
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  fs.appendFileSync(path.join(dir, '.git', 'info', 'exclude'), 'ex/\n');
  const globalIgnore = path.join(tree({ ignore: 'glob/\n' }), 'ignore');
  execFileSync('git', ['-C', dir, 'config', 'core.excludesFile', globalIgnore], { stdio: 'ignore' });
  // git's own answer: the two excluded folders are ignored, prod/ is not (case matters).
  const listed = execFileSync('git', ['-C', dir, 'ls-files', '--others', '--exclude-standard'], { encoding: 'utf8' }).trim().split('\n').sort();
  expect(listed).toEqual(['.gitignore', 'd.yaml', 'prod/d.yaml']);
  expect(rels(dir, discover(['.'], dir).files)).toEqual(listed);
});

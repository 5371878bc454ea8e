import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONTROLLER_PATTERN, filesMayHold, YAML_PATHSPECS, YAML_READERS_SEARCH } from '../src/discover/grep.js';
import type { RunContext } from '../src/types.js';
import { checkoutWith, repoWith } from './support/repo.js';

const PATTERN = String.raw`--set|\bhelm`;
const runIn = (cwd: string) => ({ cwd }) as unknown as RunContext;

test('in a git checkout, only the files git finds the words in are read, with every file git does not search (untracked, ignored, outside the checkout)', () => {
  const dir = repoWith({
    'deploy/release.sh': 'helm upgrade --install api ./api\n',
    'src/app.ts': 'export const x = 1;\n',
    'deploy/untracked.sh': 'echo --set x=1\n',
    'deploy/untracked-plain.sh': 'echo nothing\n',
    'deploy/changed.sh': 'echo nothing yet\n',
    'secret/local.sh': 'helm upgrade --set edge.host=x\n',
    '.gitignore': 'secret/\n',
  });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('add', 'deploy/release.sh', 'src/app.ts', 'deploy/changed.sh', '.gitignore');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'x');
  // Changed in the working tree after the commit: git grep reads the working tree, as the tool does.
  fs.writeFileSync(path.join(dir, 'deploy/changed.sh'), 'helm template . --set a=b\n');
  const abs = (f: string) => path.join(dir, f);
  const files = ['deploy/release.sh', 'src/app.ts', 'deploy/untracked.sh', 'deploy/untracked-plain.sh', 'deploy/changed.sh', 'secret/local.sh', '.gitignore'].map(abs);
  const may = filesMayHold(runIn(dir), files, PATTERN);
  // git searches tracked files only (its walk for untracked ones would repeat the listing's): an
  // untracked file is kept whether or not it holds the words, and its reader reads it.
  expect(may && [...may].sort()).toEqual(['deploy/changed.sh', 'deploy/release.sh', 'deploy/untracked-plain.sh', 'deploy/untracked.sh', 'secret/local.sh'].map(abs).sort());
});

test('outside a git checkout git cannot say: undefined, and the reader reads every file', () => {
  const dir = repoWith({ 'release.sh': 'helm upgrade api ./api\n' });
  expect(filesMayHold(runIn(dir), [path.join(dir, 'release.sh')], PATTERN)).toBeUndefined();
});

test('a checkout where nothing matches: no file of those git lists is read', () => {
  const dir = repoWith({ 'a.ts': 'export {};\n' });
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'add', '-A'], { stdio: 'ignore' }); // tracked: git searches those only
  expect(filesMayHold(runIn(dir), [path.join(dir, 'a.ts')], PATTERN)).toEqual(new Set());
});

test('pathspecs limit what git reads: a YAML file without the words is left out, any case and depth; a file they do not cover is kept, as one git does not search', () => {
  const dir = repoWith({ 'a/b/overlay.YML': '#@overlay/match by=overlay.all\n', 'plain.yaml': 'x: 1\n', 'notes.txt': 'no words\n' });
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'add', '-A'], { stdio: 'ignore' }); // tracked: git searches those only
  const abs = (f: string) => path.join(dir, f);
  const files = ['a/b/overlay.YML', 'plain.yaml', 'notes.txt'].map(abs);
  expect(filesMayHold(runIn(dir), files, 'overlay/match', [':(icase)*.yaml', ':(icase)*.yml'])).toEqual(new Set(['a/b/overlay.YML', 'notes.txt'].map(abs)));
  // Without them, git searches notes.txt too and leaves it out.
  expect(filesMayHold(runIn(dir), files, 'overlay/match')).toEqual(new Set([abs('a/b/overlay.YML')]));
});

test('one search serves the YAML readers that read every YAML file for a few words (ytt overlays, Flux and Argo CD controllers): the files of each are kept, and the plain ones left out', () => {
  const dir = repoWith({
    'ytt/overlay.yml': '#@ load("@ytt:overlay", "overlay")\n#@ overlay/match by=overlay.all\n---\nspec: {}\n',
    'flux/ks.yaml': 'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n',
    'flux/hr.YAML': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n',
    'argo/app.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n',
    'deploy/plain.yaml': 'apiVersion: apps/v1\nkind: Deployment\n# kustomize.toolkit.fluxcd.io without its slash\n',
  });
  execFileSync('git', ['-C', dir, 'init', '-q'], { stdio: 'ignore' });
  execFileSync('git', ['-C', dir, 'add', '-A'], { stdio: 'ignore' }); // tracked: git searches those only
  const abs = (f: string) => path.join(dir, f);
  const files = ['ytt/overlay.yml', 'flux/ks.yaml', 'flux/hr.YAML', 'argo/app.yaml', 'deploy/plain.yaml'].map(abs);
  expect(filesMayHold(runIn(dir), files, YAML_READERS_SEARCH, YAML_PATHSPECS)).toEqual(new Set(files.slice(0, 4)));
  // The controller reader tests its texts with the same words (CONTROLLER_WORDS is built from CONTROLLER_PATTERN).
  const words = new RegExp(CONTROLLER_PATTERN);
  expect(files.map((f) => words.test(fs.readFileSync(f, 'utf8')))).toEqual([false, true, true, true, false]);
});

test('git finds a kubectl or sed command continued over lines (a `\\` continuation, a folded `>-` script) in another tool\'s YAML, which it reads a line at a time (hunt12 N1)', () => {
  const dir = checkoutWith({
    '.circleci/config.yml': 'jobs:\n  d:\n    steps:\n      - run: |\n          kubectl -n default \\\n            set env deployment/api GRPC_PORT=9090\n',
    'azure-pipelines.yml': "steps:\n  - script: |\r\n      sed -i \\\r\n        's/-addr=:50051/-addr=:9090/' k8s/web.yaml\r\n",
    'bitbucket-pipelines.yml': 'pipelines:\n  default:\n    - step:\n        script:\n          - >-\n            kubectl -n default\n            patch deployment worker --patch-file p.yaml\n',
    'plain.yaml': 'steps:\n  - run: kubectl apply -f k8s/\n  - run: echo done \\\n      now\n',
  });
  const files = ['.circleci/config.yml', 'azure-pipelines.yml', 'bitbucket-pipelines.yml', 'plain.yaml'].map((f) => path.join(dir, f));
  expect(filesMayHold(runIn(dir), files, YAML_READERS_SEARCH, YAML_PATHSPECS)).toEqual(new Set(files.slice(0, 3)));
});

test('the readers\' command patterns run in linear time over a long line of option-like text (a run of `=` after `set -a`: review20 #1)', async () => {
  const { COMMAND_LINE_PATTERN } = await import('../src/discover/grep.js');
  const { ENV_COMMAND_PRETEST } = await import('../src/kubernetes/env-commands.js');
  const { textNetHolds } = await import('../src/analysis/ci-pipelines.js');
  const commandLine = new RegExp(COMMAND_LINE_PATTERN, 'm');
  // Each took 12–32 s on these lines with the pattern that let `[=\s]+` and the value share a run of `=`.
  // Not a speed target: a guard against that backtracking (jest's own timeout cannot stop a
  // synchronous regular expression).
  const started = Date.now();
  for (const line of ['kubectl set -a' + '='.repeat(100_000), 'kubectl set -a' + '= '.repeat(50_000), 'kubectl set ' + '-a=b '.repeat(20_000)]) {
    commandLine.test(line);
    ENV_COMMAND_PRETEST.test(line);
    textNetHolds(line, 'x.ps1', 'a PowerShell script');
  }
  // The text net's `set env` after kubectl on its line, over 100 KB of kubectl words (0.4 s with a
  // lazy `kubectl[^\n]*?set…env`) and of `set env` words after one kubectl (hunt14 A3).
  for (const line of ['kubectl '.repeat(12_500), 'kubectl ' + 'set env '.repeat(12_500), 'kubecolor '.repeat(10_000) + 'set env'.repeat(5_000)]) textNetHolds(line, 'x.ps1', 'a PowerShell script');
  // A `set` inside an earlier one's options (a value, an option's name) was a start of its own: 1.6 s over 70 KB of `set -a ` (setEnvJs).
  for (const line of ['kubectl ' + 'set -a '.repeat(10_000), 'kubectl ' + 'x.set -a '.repeat(8_000), 'kubectl ' + '--x-set '.repeat(10_000), 'jq '.repeat(20_000)]) {
    textNetHolds(line, 'x.ps1', 'a PowerShell script');
    ENV_COMMAND_PRETEST.test(line);
  }
  expect(Date.now() - started).toBeLessThan(5_000);
  // What they are for still matches; a bare word at a line's end (a container named kubectl) does not.
  for (const line of ['kubectl set -n default env deploy/x A=1', 'kubectl set --namespace=ns env d/x A=1', 'oc set -c app env dc/x A=1', 'kubectl set -a=b env x']) {
    expect(commandLine.test(line)).toBe(true);
    expect(ENV_COMMAND_PRETEST.test(line)).toBe(true);
  }
  expect(commandLine.test('        - name: kubectl')).toBe(false);
  expect(commandLine.test('  image: bitnami/kubectl')).toBe(false);
  expect(commandLine.test('  kubectl -n default')).toBe(true);
});

test('commandLineIn reads a text as COMMAND_LINE_PATTERN does (JavaScript, m flag), and ENV_COMMAND_PRETEST as ENV_COMMAND_PATTERN, in linear time over a long line of command words (hunt14)', async () => {
  const { COMMAND_LINE_PATTERN, commandLineIn } = await import('../src/discover/grep.js');
  const { ENV_COMMAND_PATTERN, ENV_COMMAND_PRETEST } = await import('../src/kubernetes/env-commands.js');
  const pattern = new RegExp(COMMAND_LINE_PATTERN, 'm');
  const envPattern = new RegExp(ENV_COMMAND_PATTERN);
  const words = ['kubectl', 'kubecolor', 'oc', 'OC', 'sed', '/usr/bin/kubectl', 'xkubectl', 'K="microk8s', 'kubectl"', 'KC=', "'", 'K=x.kubectl', 'K=/bin/oc', '-n', '--ns=a', 'x', 'a-b', 'patch', 'set', 'set', 'env', '\\', 'readinessProbe/exec', 'Probe', '-addr', '=', 'value:', '.env', 'setpath', '"', '-', '-a', '--x-set', 'x.set', '-a=set', 'setz'];
  const blanks = [' ', ' ', ' ', '\t', '\n', '\r\n', '\r', '', '  '];
  // A fixed generator (a linear congruential one), so that a failure reproduces.
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  for (let k = 0; k < 20_000; k++) {
    let text = '';
    for (let w = next(9); w >= 0; w--) text += words[next(words.length)]! + blanks[next(blanks.length)]!;
    if (commandLineIn(text) !== pattern.test(text)) throw new Error(`differs on ${JSON.stringify(text)}: pattern ${pattern.test(text)}`);
    // The JavaScript form of the env commands' pattern (setEnvJs) matches the same texts.
    if (ENV_COMMAND_PRETEST.test(text) !== envPattern.test(text)) throw new Error(`env pattern differs on ${JSON.stringify(text)}`);
  }
  // Not a speed target: the pattern took 2.6 s here (jest's timeout cannot stop a synchronous loop).
  const started = Date.now();
  for (const line of ['kubectl '.repeat(12_500), 'kubecolor '.repeat(10_000) + '\n' + 'patch', 'kubectl -a '.repeat(10_000) + 'x y', ('kubectl x\n').repeat(10_000) + 'patch', 'kubectl ' + 'set -a '.repeat(10_000)]) expect(commandLineIn(line)).toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('the patch reader\'s pretest reads jq -f per \\n line, in linear time over CR and U+2028 line ends (review22 R1)', async () => {
  const { probePretest } = await import('../src/kubernetes/patch-commands.js');
  // Not a speed target: a guard against a `^` with the m flag, which starts at every CR and
  // U+2028/U+2029 (JavaScript's line ends) and scanned to the next \n from each: 11–12 s here.
  // jest's own timeout cannot stop a synchronous regular expression.
  const started = Date.now();
  for (const text of ['\r'.repeat(100_000), '\u2028'.repeat(100_000), '\u2029'.repeat(100_000), 'a\r'.repeat(50_000), 'jq \r'.repeat(25_000), 'jq '.repeat(33_000)]) expect(probePretest(text)).toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
  // What it is for: jq's -f after a jq on its line (a CR is no line end here), or on the next line after a `\`.
  for (const text of ['jq -f x.jq k8s/a.yaml', 'x\njq \r -f f', 'a jq --arg x y\r-f\n', 'jq . \\\n-f f']) expect(probePretest(text)).toBe(true);
  for (const text of ['-f jq', 'jq\n  -f', 'jq -fx', 'jqq -f']) expect(probePretest(text)).toBe(false);
});

test('a variable set to a command word (K="microk8s kubectl", then $K set env …) passes the YAML readers\' search, in git and in JavaScript, in linear time (hunt19 B4)', async () => {
  const { COMMAND_LINE_PATTERN, commandLineIn } = await import('../src/discover/grep.js');
  const pattern = new RegExp(COMMAND_LINE_PATTERN, 'm');
  for (const line of ['    K="microk8s kubectl"', "  KC='kubectl'", 'export KC=/usr/local/bin/kubectl', '  - K=microk8s.kubectl\r', 'OC="oc" ']) {
    expect([line, pattern.test(line), commandLineIn(line)]).toEqual([line, true, true]);
  }
  for (const line of ['  K="microk8s kubectl status"', 'KC=xkubectl', '  - name: kubectl', 'a = kubectl']) {
    expect([line, pattern.test(line), commandLineIn(line)]).toEqual([line, false, false]);
  }
  // Not a speed target: a guard against backtracking over runs of `=` and word characters (jest's
  // own timeout cannot stop a synchronous regular expression).
  const started = Date.now();
  for (const line of ['a='.repeat(50_000), 'a=' + 'x'.repeat(100_000), 'a=x '.repeat(25_000), 'K="microk8s '.repeat(8_000), 'a=' + 'b/'.repeat(50_000), 'a=b '.repeat(12_500) + 'b/.'.repeat(20_000), '=a '.repeat(33_000), 'a=' + 'x '.repeat(50_000)]) {
    expect(pattern.test(line)).toBe(false);
    expect(commandLineIn(line)).toBe(false);
  }
  expect(Date.now() - started).toBeLessThan(5_000);
  // git's own search (PCRE), over the YAML files of a checkout.
  const dir = checkoutWith({
    '.circleci/config.yml': 'version: 2.1\njobs:\n  deploy:\n    steps:\n      - run: |\n          K="microk8s kubectl"\n          $K set env deployment/api GRPC_PORT=9090\n',
    'plain.yaml': 'steps:\n  - run: K="microk8s status"\n  - run: $K set env deployment/api GRPC_PORT=9090\n',
  });
  const files = ['.circleci/config.yml', 'plain.yaml'].map((f) => path.join(dir, f));
  expect(filesMayHold(runIn(dir), files, YAML_READERS_SEARCH, YAML_PATHSPECS)).toEqual(new Set(files.slice(0, 1)));
});

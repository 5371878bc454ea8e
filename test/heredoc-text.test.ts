/** What a command reads from a here-document (src/analysis/shell.ts, heredocText) and the variables the script gives it (src/analysis/heredoc-manifest.ts). */
import { expect, test } from '@jest/globals';
import { heredocVariables } from '../src/analysis/heredoc-manifest.js';
import { heredocText, parseShell, resolveWord } from '../src/analysis/shell.js';

const read = (script: string, at = 0) => {
  const file = parseShell(script);
  const h = file.heredocs[at]!;
  return heredocText(script, h, heredocVariables(file, h, resolveWord));
};

test('a quoted delimiter leaves the body as written', () => {
  for (const q of ["'EOF'", '"EOF"', '\\EOF', 'E"OF"']) {
    expect(read(`X=1\ncat <<${q}\na $X \\$ b\nEOF\n`).text).toBe('a $X \\$ b\n');
  }
});

test('an unquoted one is expanded: known variables replaced, backslashes the shell takes out taken out, the rest left as written', () => {
  const script = 'X=1\ncat <<EOF\na $X ${Y} $(z) \\$X \\\\ \\" q\\\nr\nEOF\n';
  const t = read(script);
  expect(t.text).toBe('a 1 ${Y} $(z) $X \\ \\" qr\n');
  expect(t.expansions.map((e) => [e.written, e.value])).toEqual([['$X', '1'], ['${Y}', undefined], ['$(z)', undefined]]);
  // Each character back to the script: the value at its expansion, the rest where it is written.
  expect(script[t.at[t.text.indexOf('${Y}') + 2]!]).toBe('Y');
  expect(t.at[2]).toBe(script.indexOf('$X'));
  expect(script[t.at[t.text.indexOf('qr') + 1]!]).toBe('r');
  expect(t.at[t.text.length]).toBe(script.lastIndexOf('EOF'));
});

test('<<- takes the leading tabs out', () => {
  expect(read('cat <<-EOF\n\ta:\n\t  b: $X\n\tEOF\n').text).toBe('a:\n  b: $X\n');
});

test('only a top-level literal set before the command that reads the document, and not changed since, is known', () => {
  const value = (script: string, at = 0) => read(script, at).expansions[0]!.value;
  expect(value('P=1\ncat <<EOF\n$P\nEOF\n')).toBe('1');
  expect(value('P=1\nQ=${P}0\ncat <<EOF\n$Q\nEOF\n')).toBe('10');
  expect(value('P=1\nP=2\ncat <<EOF\n$P\nEOF\n')).toBe('2');
  // Set after the command on its line, or later: the document is read before.
  expect(value('cat <<EOF; P=1\n$P\nEOF\n')).toBeUndefined();
  expect(value('cat <<EOF\n$P\nEOF\nP=1\n')).toBeUndefined();
  // Not surely set, or changed otherwise.
  for (const between of ['true && P=2', 'P+=2', 'read P', 'unset P', 'eval "$X"', '. ./env.sh', 'if x; then P=2; fi', 'export P=2', 'P=$(cat p)', 'f() { P=2; }']) {
    expect(value(`P=1\n${between}\ncat <<EOF\n$P\nEOF\n`)).toBeUndefined();
  }
  // Only for the command (`P=2 kubectl …`), or inside a function or loop that runs later or often.
  expect(value('P=1\nP=2 cat <<EOF\n$P\nEOF\n')).toBeUndefined();
  expect(value('P=1\nfor i in 1 2; do cat <<EOF\n$P\nEOF\ndone\n')).toBeUndefined();
  // Commands that change no variable leave it known.
  expect(value('set -eu\nP=1\necho hi && cd /tmp\ncat <<EOF\n$P\nEOF\n')).toBe('1');
});

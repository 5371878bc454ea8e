/** `RUN <<EOT bash`: a shell that runs the here-document on its standard input is read as `RUN <<EOT` is, and only then. */
import { describe, expect, test } from '@jest/globals';
import { heredocScript, parseDockerfile } from '../src/docker/parse.js';

function read(opener: string, script = 'echo hi\n', delimiter = 'EOT'): { start: number; end: number } | string {
  const text = `FROM alpine\n${opener}\n${script}${delimiter}\n`;
  const parsed = parseDockerfile(text);
  const run = parsed.instructions.find((i) => i.keyword === 'RUN')!;
  return heredocScript(text, run, parsed.lines);
}

describe('read as a script', () => {
  test.each([
    'RUN <<EOT',
    'RUN <<EOT bash',
    'RUN <<EOT sh',
    'RUN <<EOT ash',
    'RUN <<EOT dash',
    'RUN <<EOT /bin/bash',
    'RUN <<EOT /usr/bin/env bash',
    'RUN <<EOT bash -e',
    'RUN <<EOT sh -ex',
    'RUN <<EOT bash -euo pipefail',
    'RUN <<EOT bash -o errexit +o nounset -O extglob',
    'RUN <<EOT bash --noprofile --norc -l',
    'RUN <<EOT bash -s',
    'RUN <<EOT sh -s --',
    'RUN <<EOT bash --',
    'RUN bash -e <<EOT',
    'RUN --mount=type=cache,target=/var/cache/apt <<EOT bash -ex',
    "RUN <<'EOT' bash",
    'RUN <<-EOT bash',
  ])('%s', (opener) => {
    expect(typeof read(opener)).toBe('object');
  });
  test('an unquoted delimiter with plain $ and $(…) (expanded by /bin/sh as the script would)', () => {
    expect(typeof read('RUN <<EOT bash', 'A=$(uname -m)\necho "${TARGETARCH}"\n')).toBe('object');
  });
  test('a #! line is a comment to a shell that reads the here-document', () => {
    expect(typeof read('RUN <<EOT bash', '#!/usr/bin/env python3\necho hi\n')).toBe('object');
    expect(read('RUN <<EOT', '#!/usr/bin/env python3\nprint(1)\n')).toBe('a here-document for another interpreter');
  });
});

describe('refused, saying why', () => {
  test.each([
    ['RUN <<EOT python3', 'a command reads, not a script'],
    ['RUN <<EOT sudo bash', 'a command reads, not a script'],
    ['RUN <<EOT bash -c "cat > /x"', 'bash -c, which runs its command string instead'],
    ['RUN <<EOT sh -ec true', 'sh -c, which runs its command string instead'],
    ['RUN <<EOT sh /setup.sh', 'the input of the script /setup.sh that sh runs'],
    ['RUN <<EOT bash -- /setup.sh', 'the input of the script /setup.sh that bash runs'],
    ['RUN <<EOT bash -s a b', 'bash -s runs with arguments'],
    ['RUN <<EOT bash -s -- a', 'bash -s runs with arguments'],
    ['RUN <<EOT bash -n', 'with -n, an option the tool does not read'],
    ['RUN <<EOT bash -i', 'with -i, an option the tool does not read'],
    ['RUN <<EOT bash -o noexec', 'with -o noexec'],
    ['RUN <<EOT bash -o', 'with -o, an option'],
    ['RUN <<EOT bash -O expand_aliases', 'with -O expand_aliases'],
    ['RUN <<EOT bash --rcfile /x', 'with --rcfile'],
    ['RUN <<EOT bash -', 'with -, an option'],
    ['RUN <<EOT bash | tee /log', 'bash reads, with more on its line than the shell'],
    ['RUN <<EOT bash 2>/dev/null', 'bash reads, with more on its line than the shell'],
    ['RUN <<EOT bash $OPTS', 'bash reads, with more on its line than the shell'],
    ['RUN FOO=abc bash <<EOT', 'bash runs with variables set on its line (FOO=…)'],
    ['RUN <<EOT env FOO=abc sh', 'sh runs with variables set on its line (FOO=…)'],
  ])('%s', (opener, why) => {
    const r = read(opener);
    expect(typeof r).toBe('string');
    expect(r).toContain(why);
  });
  test('an unquoted delimiter with \\$ or \\` that /bin/sh rewrites first; quoted, read', () => {
    expect(read('RUN <<EOT bash', 'A=\\$(uname -m)\n')).toContain('/bin/sh expands before the shell reads it');
    expect(read('RUN <<EOT bash', 'A=\\`uname -m\\` x\n')).toContain('/bin/sh expands before the shell reads it');
    expect(typeof read("RUN <<'EOT' bash", 'echo \\$HOME\n')).toBe('object');
    expect(typeof read('RUN <<"EOT" bash', 'echo \\$HOME\n')).toBe('object');
  });
  test('several here-documents', () => {
    expect(read('RUN <<EOT bash && cat <<EOF', 'echo\nEOT\nx\n', 'EOF')).toBe('more than one here-document');
  });
});

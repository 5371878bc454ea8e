/** A Makefile's recipe lines as the shell gets them (src/analysis/makefile.ts). */
import { describe, expect, test } from '@jest/globals';
import { makeRecipes, referenceResolver } from '../src/analysis/makefile.js';
import { parseShell, resolveWord } from '../src/analysis/shell.js';

const scripts = (text: string) => makeRecipes(text)?.lines.map((l) => l.script);

describe('makeRecipes', () => {
  test('a recipe line loses its tab and make prefixes; $$ is $ and a reference is a variable no script sets', () => {
    const text = 'NET = dev\nwait:\n\t@-docker run --net $(NET) x $$HOME $@ ${Y}\n';
    const r = makeRecipes(text)!;
    expect(r.lines.map((l) => l.script)).toEqual(['docker run --net ${__MK0} x $HOME ${__MK1} ${__MK2}']);
    expect(r.references.map((x) => x.text)).toEqual(['$(NET)', '$@', '${Y}']);
    // Every character of the script at its place in the Makefile.
    const l = r.lines[0]!;
    expect(text.slice(l.at[l.script.indexOf('docker')]!, l.at[l.script.indexOf('docker')]! + 6)).toBe('docker');
    expect(l.at[l.script.indexOf('${__MK0}')]).toBe(text.indexOf('$(NET)'));
    expect(l.at[l.script.indexOf('$HOME')]).toBe(text.indexOf('$$HOME'));
    expect(l.at[l.script.length]).toBe(text.length - 1);
  });

  test('a continued recipe line keeps the backslash and the break, and loses the tab that starts the next line (CRLF too)', () => {
    expect(scripts('a:\n\tdocker run \\\n\t\t-it x \\\n\tgrpc_health_probe\n')).toEqual(['docker run \\\n\t-it x \\\ngrpc_health_probe']);
    expect(scripts('a:\r\n\techo 1 \\\r\n\techo 2\r\n\techo 3\r\n')).toEqual(['echo 1 \\\necho 2', 'echo 3']);
  });

  test('nested references are one reference', () => {
    const r = makeRecipes('a:\n\techo $(notdir $(shell pwd)) $(X\n')!;
    // The second line has an unclosed reference: left out.
    expect(r.lines).toHaveLength(0);
    expect(makeRecipes('a:\n\techo $(notdir $(shell pwd))\n')!.lines[0]!.script).toBe('echo ${__MK0}');
  });

  test('only tab lines in a rule are recipes: not before the first rule, not after an assignment, not in a define', () => {
    const text = [
      'ifeq ($(CI),true)',
      '\tbefore-any-rule',
      'endif',
      'A = 1 \\',
      '\tcontinued-assignment',
      'define X',
      '\tin-define',
      'endef',
      'a: b ; inline',
      '',
      '# comment',
      'ifdef Y',
      '\tin-rule',
      'endif',
      'B := 2',
      '\tafter-assignment',
      'c:: d',
      '\tdouble-colon',
      'e: SHELL = /bin/bash',
      '\ttarget-specific',
      'f = g:h',
      '\tafter-assignment-with-colon',
    ].join('\n');
    expect(scripts(text)).toEqual(['in-rule', 'double-colon', 'target-specific']);
  });

  test('a Makefile with .ONESHELL, .RECIPEPREFIX or a SHELL that is no POSIX shell is not read', () => {
    expect(makeRecipes('.ONESHELL:\na:\n\techo\n')).toBeUndefined();
    expect(makeRecipes('.RECIPEPREFIX = >\na:\n> echo\n')).toBeUndefined();
    expect(makeRecipes('SHELL := /usr/bin/env python3\na:\n\techo\n')).toBeUndefined();
    expect(makeRecipes('a: SHELL = pwsh\na:\n\techo\n')).toBeUndefined();
    expect(makeRecipes('SHELL = /bin/bash\na:\n\techo\n')).toBeDefined();
  });

  test('a reference is a value known only at run time, said as written, also inside single quotes', () => {
    const r = makeRecipes("a:\n\tdocker run '$(REG)/api' acme/api:$(TAG)\n")!;
    const resolve = referenceResolver(r.references, resolveWord);
    const words = parseShell(r.lines[0]!.script).calls[0]!.args.map((w) => resolve(w, () => undefined));
    expect(words[2]).toEqual({ text: '$(REG)/api', unresolved: ['$(REG)'] });
    expect(words[3]).toEqual({ text: 'acme/api:$(TAG)', unresolved: ['$(TAG)'] });
  });
});

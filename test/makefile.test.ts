/** A Makefile's recipe lines as the shell gets them (src/analysis/makefile.ts). */
import { describe, expect, test } from '@jest/globals';
import { makeExports, makeRecipes, makeVariableValues, makeVariables, noOverrides, readMakeRun, recipeEnvironment, recipeEnvironments, referenceResolver } from '../src/analysis/makefile.js';
import { unwrap } from '../src/analysis/script-runs.js';
import { parseShell, resolveWord } from '../src/analysis/shell.js';

const scripts = (text: string) => makeRecipes(text)?.lines.map((l) => l.script);

describe('makeRecipes', () => {
  test('inline: a rule line\'s recipe after `;` and each line of a define body are recipe lines too (hunt14 A5); not without it', () => {
    const text = [
      'deploy: build ; @kubectl apply -f k8s/ && echo $$HOME',
      '\techo second',
      'api: TAG = a;b',
      'x: # a comment; not a recipe',
      'define PATCH_PROBE',
      '\tkubectl patch deployment api -p \'{}\'',
      'kubectl set env deployment/$(APP) A=1',
      'endef',
      'patch:',
      '\t$(PATCH_PROBE)',
    ].join('\n');
    expect(makeRecipes(text, { inline: true })!.lines.map((l) => l.script)).toEqual([
      'kubectl apply -f k8s/ && echo $HOME',
      'echo second',
      "kubectl patch deployment api -p '{}'",
      'kubectl set env deployment/${__MK0} A=1',
      '${__MK1}',
    ]);
    // The place of the inline recipe in the Makefile.
    const l = makeRecipes(text, { inline: true })!.lines[0]!;
    expect(l.at[0]).toBe(text.indexOf('kubectl'));
    // Read for binary mentions (compose-runs.ts), these stay unread: every install kept, as README says.
    expect(scripts(text)).toEqual(['echo second', '${__MK0}']);
  });

  test('inline: a define body is read only where a make reference may run it: a recipe, another body so run, a variable, $(call …), a computed name (review22 R5)', () => {
    const inline = (text: string) => makeRecipes(text, { inline: true })!.lines.map((l) => l.script);
    const usage = 'define USAGE\n  kubectl set env deploy/api GRPC_PORT=9090\nendef\nexport USAGE\n';
    // Echoed by the shell from the environment ($$USAGE), or named nowhere: no recipe.
    expect(inline(`${usage}help:\n\t@echo "$$USAGE"\n`)).toEqual(['echo "$USAGE"']);
    expect(inline(`${usage}help:\n\techo $$(USAGE)\n`)).toEqual(['echo $(USAGE)']);
    const set = 'kubectl set env deploy/api GRPC_PORT=9090';
    for (const use of ['\t$(USAGE)', '\t${USAGE}', '\t@echo "$(USAGE)"', '\t$(call USAGE,x)', '\t$(foreach a,1 2,$(call USAGE,$(a)))', '\t$($(V))', '\t$(call $(F),x)']) {
      expect(inline(`${usage}run:\n${use}\n`)).toContain(set);
    }
    // Through another body that a recipe runs, and through a variable; not through a body nothing runs, nor from its own body.
    expect(inline(`${usage}define STEP\necho start\n$(USAGE)\nendef\nrun:\n\t$(STEP)\n`)).toContain(set);
    expect(inline(`${usage}ALL = $(USAGE)\nrun:\n\t$(ALL)\n`)).toContain(set);
    expect(inline(`${usage}define STEP\n$(USAGE)\nendef\nrun:\n\techo\n`)).not.toContain(set);
    expect(inline('define USAGE\nkubectl set env deploy/api A=1\n$(USAGE)\nendef\n')).toEqual([]);
    // `define NAME =`, CRLF.
    expect(inline('define STEP =\r\nkubectl get pods\r\nendef\r\nrun:\r\n\t$(STEP)\r\n')).toContain('kubectl get pods');
  });

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

  test('inline: what make\'s shell function and != run, outside make comments, nested ones too; not without inline (hunt20 C2)', () => {
    const inline = (text: string) => makeRecipes(text, { inline: true })!.lines.map((l) => l.script);
    const patch = "kubectl patch deployment web -p '{}'";
    // Simply and recursively expanded variables, `?=`, `export`, a target's variable, a conditional, a recipe line.
    for (const line of [`P := $(shell ${patch})`, `P = $(shell ${patch})`, `P ?= \${shell ${patch}}`, `export P := $(shell ${patch})`, `web: P := $(shell ${patch})`, `ifeq ($(shell ${patch}),)`, `a:\n\techo $(shell ${patch})`]) {
      expect(inline(`${line}\n`)).toContain(patch);
    }
    expect(inline(`P := $(strip $(shell ${patch}))\n`)).toContain(patch);
    // In a recipe after a rule's `;` and in a recipe's shell comment, make still expands it; in a make comment it is text.
    expect(inline(`a: ; echo # $(shell ${patch})\n`)).toContain(patch);
    expect(inline(`a:\n\t# $(shell ${patch})\n`)).toContain(patch);
    expect(inline(`P := x # $(shell ${patch})\n# $(shell ${patch})\nQ := a\\#$(shell ${patch})\n`)).toEqual([patch]);
    // `VAR != command`, a target's too; its comment is make's (the blank before it is kept, as in any value).
    expect(inline(`P != ${patch} # note\n`)).toEqual([`${patch} `]);
    expect(inline(`web: P != ${patch}\n`)).toContain(patch);
    expect(inline('P := a != b\nQ = x\n')).toEqual([]);
    // The references in it are make's (known only at run time, or a literal variable's value: expandMakeVariables), `$$` a `$`.
    const r = makeRecipes('NS := $(shell $(KUBECTL) -n $(NS) patch deploy web -p "$$P")\n', { inline: true })!;
    expect(r.lines.map((l) => l.script)).toEqual(['${__MK0} -n ${__MK1} patch deploy web -p "$P"']);
    expect(r.references.map((x) => x.text)).toEqual(['$(KUBECTL)', '$(NS)']);
    expect(r.lines[0]!.at[0]).toBe(r.references[0]!.start);
    // A `\` line break in make's syntax is a blank.
    expect(inline(`P := $(shell kubectl \\\n    patch deployment web -p '{}')\n`)).toEqual([patch]);
    // The shell's `$$(shell …)`, and a define body nothing runs, are none of make's; a body that runs is read.
    expect(inline(`a:\n\techo $$(shell ${patch})\n`)).toEqual([`echo $(shell ${patch})`]);
    expect(inline(`define HELP\n$(shell ${patch})\nendef\n`)).toEqual([]);
    expect(inline(`define STEP\necho $(shell ${patch})\nendef\na:\n\t$(STEP)\n`)).toContain(patch);
    expect(inline(`define STEP !=\n${patch}\nendef\n`)).toContain(patch);
    // Read for binary mentions (rules/unsupported-file.ts, compose-runs.ts), a reference stays a reference.
    expect(scripts(`P := $(shell ${patch})\na:\n\techo $(shell ${patch})\nQ != ${patch}\n`)).toEqual(['echo ${__MK0}']);
  });

  test('oneShell: under .ONESHELL each rule\'s recipe lines, and each define body, are one script, every character at its place; not without it (hunt20 C2)', () => {
    const text = [
      '.ONESHELL:',
      'deploy: ; @K=kubectl',
      '	-cd k8s',
      'ifdef CI',
      '	+$$K patch deployment web -p \'{}\'',
      'endif',
      'other:',
      '	echo $(X)',
      '	echo two \\',
      '	  more',
      'define STEP',
      'A=1',
      'echo $$A',
      'endef',
      'run:',
      '	$(STEP)',
    ].join('\n');
    expect(makeRecipes(text)).toBeUndefined();
    const r = makeRecipes(text, { inline: true, oneShell: true })!;
    expect(r.lines.map((l) => l.script)).toEqual(["K=kubectl\ncd k8s\n$K patch deployment web -p '{}'", 'echo ${__MK0}\necho two \\\n  more', 'A=1\necho $A', '${__MK1}']);
    const l = r.lines[0]!;
    expect(l.at).toHaveLength(l.script.length + 1);
    expect(l.at[l.script.indexOf('$K')]).toBe(text.indexOf('$$K'));
    expect(l.at[l.script.indexOf('cd')]).toBe(text.indexOf('cd k8s'));
    expect(l.at[l.script.indexOf('\n')]).toBe(text.indexOf('\n\t-cd'));
    expect([l.start, l.end]).toEqual([text.indexOf(' @K=kubectl'), text.indexOf('\nendif')]);
    // Without .ONESHELL, the option changes nothing.
    const plain = text.replace('.ONESHELL:', '');
    expect(makeRecipes(plain, { inline: true, oneShell: true })!.lines.map((x) => x.script)).toEqual(makeRecipes(plain, { inline: true })!.lines.map((x) => x.script));
  });

  test('a Makefile with .ONESHELL, .RECIPEPREFIX or a SHELL that is no POSIX shell is not read', () => {
    expect(makeRecipes('.ONESHELL:\na:\n\techo\n')).toBeUndefined();
    expect(makeRecipes('.ONESHELL:\nSHELL = python3\na:\n\techo\n', { oneShell: true })).toBeUndefined();
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

describe('makeVariableValues: the values the repository\'s make runs give the Makefile\'s variables (hunt8 H6)', () => {
  /** The overrides the script's make runs give. */
  const runs = (script: string) => {
    const out = noOverrides();
    const noEnv = () => undefined;
    for (const call of parseShell(script).calls) {
      const words = call.args.map((w) => resolveWord(w, noEnv));
      readMakeRun(call, words, (w) => resolveWord(w, noEnv), (texts, at) => {
        const w = unwrap(texts, at);
        return w && 'next' in w ? w.next : undefined;
      }, out);
    }
    return out;
  };
  const MAKEFILE = 'APP ?= web\nTIER := edge\noverride ZONE = blue\nNS = prod\n';
  test.each([
    ['nothing runs make', 'echo hi', { APP: ['web'], TIER: ['edge'], ZONE: ['blue'], NS: ['prod'] }],
    ['a command-line value replaces any assignment but an override one', 'make deploy APP=api TIER=db ZONE=green', { APP: ['web', 'api'], TIER: ['edge', 'db'], ZONE: ['blue'], NS: ['prod'] }],
    ['the environment replaces ?= only', 'APP=api TIER=db NS=dev make deploy', { APP: ['web', 'api'], TIER: ['edge'], ZONE: ['blue'], NS: ['prod'] }],
    ['env VAR=value, through sudo and timeout', 'sudo timeout 60 env APP=api gmake deploy', { APP: ['web', 'api'], TIER: ['edge'], ZONE: ['blue'], NS: ['prod'] }],
    ['make -e: the environment replaces every assignment but an override one', 'TIER=db ZONE=green make -e deploy', { APP: ['web'], TIER: ['edge', 'db'], ZONE: ['blue'], NS: ['prod'] }],
    ['a value known only at run time, or appended to', 'make deploy APP="$1" NS+=-x', { APP: null, TIER: ['edge'], ZONE: ['blue'], NS: null }],
    ['the value of -C is no variable', 'make -C sub deploy', { APP: ['web'], TIER: ['edge'], ZONE: ['blue'], NS: ['prod'] }],
  ])('%s', (_name, script, want) => {
    expect(Object.fromEntries(makeVariableValues(MAKEFILE, () => runs(script)))).toEqual(want);
  });
});

test('makeVariables: a value continued onto the next lines is one value, each break and its blanks one space (GNU make "Splitting Long Lines"); a recipe line continued is no assignment', () => {
  expect(Object.fromEntries(makeVariables('A = one \\\n    two # c\nB := x \\\r\n\ty\r\nx:\n\techo \\\nC = no\n'))).toEqual({ A: 'one two', B: 'x y' });
});

describe('makeExports, recipeEnvironment: the make variables the recipe\'s shell reads as $$NAME (hunt22 E6)', () => {
  const exported = (text: string, names: string[]) => Object.fromEntries(names.map((n) => [n, makeExports(text)(n)]));
  test.each([
    ['export NAME = value, := too, with no blank', 'export A = 1\nexport B:=2\nC = 3\n', { A: true, B: true, C: false }],
    ['export NAME on a line of its own, a list, a comment after', 'A = 1\nexport A\nexport B C # and C\n', { A: true, B: true, C: true, D: false }],
    ['override export, export override, export define', 'override export A = 1\nexport override B = 2\nexport define C\nx\nendef\n', { A: true, B: true, C: true }],
    ['unexport after export: the last wins; and export after unexport', 'export A = 1\nunexport A\nunexport B\nexport B\n', { A: false, B: true }],
    ['export alone: every variable, but one unexported by name; unexport alone after it ends it', 'export\nunexport B\n', { A: true, B: false }],
    ['unexport alone after export alone', 'export\nunexport\nexport C\n', { A: false, C: true }],
    ['.EXPORT_ALL_VARIABLES, wherever it stands (unexport alone does not end it)', 'unexport B\n.PHONY: x\n.EXPORT_ALL_VARIABLES:\nunexport\n', { A: true, B: false }],
    ['in a conditional: not known', 'export A = 1\nifdef CI\nunexport A\nexport B\nexport\nendif\n', { A: null, B: null, C: null }],
    ['names a reference computes: an export may be any, an unexport any', 'export $(VARS)\nexport A\n', { A: true, B: null }],
    ['an unexport a reference computes', 'unexport $(VARS)\nexport A\n', { A: null, B: false }],
    ['not directives: a recipe line, a define body, a continued line, a rule', 'x:\n\texport A\ndefine D\nexport B\nendef\nV = a \\\nexport C\nexport: y\n', { A: false, B: false, C: false, D: false }],
    ['CRLF line ends', 'export A = 1\r\nB = 2\r\nexport B\r\nexport\r\n', { A: true, B: true, C: true }],
    ['a list continued onto the next lines, as make joins them (review24 R6): no name `\\`', 'export \\\n  A \\\n\tB\nunexport C \\\r\n  D\r\n', { A: true, B: true, C: false, D: false, '\\': false }],
  ])('%s', (_name, text, want) => {
    expect(exported(text, Object.keys(want))).toEqual(want);
  });

  const env = (text: string, script = 'echo') => {
    const values = makeVariableValues(text, () => runsOf(script));
    return recipeEnvironment(text, values, () => runsOf(script));
  };
  /** The overrides the script's make runs give. */
  const runsOf = (script: string) => {
    const out = noOverrides();
    const noEnv = () => undefined;
    for (const call of parseShell(script).calls) {
      const words = call.args.map((w) => resolveWord(w, noEnv));
      readMakeRun(call, words, (w) => resolveWord(w, noEnv), (texts, at) => {
        const w = unwrap(texts, at);
        return w && 'next' in w ? w.next : undefined;
      }, out);
    }
    return out;
  };

  test('an exported variable: make\'s values (those of the repository\'s make runs too); one whose value the tool does not know, or that the Makefile does not set: nothing', () => {
    expect(env('export KC := kubectl\n')('KC')).toEqual(['kubectl']);
    expect(env('export APP ?= web\n', 'make deploy APP=api')('APP')).toEqual(['web', 'api']);
    expect(env('export KC := $(shell command -v kubectl)\n')('KC')).toBeUndefined();
    expect(env('export KC\n')('KC')).toBeUndefined();
    expect(env('export KC := kubectl\n')('OTHER')).toBeUndefined();
  });

  test('not exported: nothing (the environment\'s, known only at run time), unless a make run gives it (make\'s values and the environment\'s), or an export in a conditional', () => {
    expect(env('KC := kubectl\n')('KC')).toBeUndefined();
    expect(env('export KC := kubectl\nunexport KC\n')('KC')).toBeUndefined();
    expect(env('KC ?= kubectl\n', 'make deploy KC=oc')('KC')).toEqual(['kubectl', 'oc', null]);
    expect(env('deploy:\n\t$$KC\n', 'KC=oc make deploy')('KC')).toEqual(['oc', null]);
    expect(env('deploy:\n\t$$KC\n', 'make deploy KC="$1"')('KC')).toBeUndefined();
    expect(env('KC := kubectl\nifdef CI\nexport KC\nendif\n')('KC')).toEqual(['kubectl', null]);
  });

  test('recipeEnvironments: one environment per choice of the values the script reads; at most 8', () => {
    const e = env('export A := 1\nexport B ?= x\nexport C := c\n', 'make B=y');
    expect(recipeEnvironments('echo hi', e)).toEqual([undefined]);
    expect(recipeEnvironments('echo $HOME ${__MK0}', e)).toEqual([undefined]);
    const read = recipeEnvironments('echo $A "${B}"', e).map((outer) => ['A', 'B', 'C'].map((n) => outer!(n)));
    expect(read).toEqual([['1', 'x', undefined], ['1', 'y', undefined]]);
    const many = env(['P', 'Q', 'R', 'S'].map((n) => `export ${n} ?= a`).join('\n'), 'make P=b Q=b R=b S=b');
    const outers = recipeEnvironments('echo $P $Q $R $S', many);
    expect(outers).toHaveLength(8);
    // S, past the 8 readings, is known only at run time.
    expect(outers.map((o) => o!('S'))).toEqual(Array(8).fill(undefined));
  });
});

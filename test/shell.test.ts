/**
 * The shell layer: mvdan/sh's tree turned into the plain tree the rules read. Each
 * case is something a rule decides on (a word's value, a statement's flags, which commands run).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { ROOT } from './support/repo.js';
import { analyzeShellScript, byteToStringOffsets, callArgs, checkShell, parseShell, resolveWord, shellCommentRanges, ShellParseError, type ShBinary, type ShCall, type ShWord } from '../src/analysis/shell.js';

const noEnv = () => undefined;
const words = (call: ShCall, env: (n: string) => string | undefined = noEnv) => callArgs(call, env).map((w) => w.text);
const onlyCall = (script: string): ShCall => {
  const s = parseShell(script);
  expect(s.calls).toHaveLength(1);
  return s.calls[0]!;
};

describe('words', () => {
  test('quotes and escaping backslashes go as the shell removes them, pieces join', () => {
    expect(words(onlyCall(`echo 'a b' "c d" e\\ f x'y'"z"`))).toEqual(['echo', 'a b', 'c d', 'e f', 'xyz']);
    // Inside double quotes a backslash escapes only $ ` " \\ and a newline; in single quotes nothing.
    expect(words(onlyCall(`echo shop\\.Cart "a\\.b\\$c" 'd\\.e'`))).toEqual(['echo', 'shop.Cart', 'a\\.b$c', 'd\\.e']);
  });

  test('simple expansions resolve from the environment; others are recorded', () => {
    const env = (n: string) => ({ PORT: '5000', HOST: 'localhost' })[n];
    const call = parseShell('probe -addr=$HOST:${PORT} "$MISSING" ${MISSING:-1} $(id -u) $((1+2)) $?').calls[0]!;
    const resolved = call.args.map((w) => resolveWord(w, env));
    expect(resolved.map((r) => r.text)).toEqual(['probe', '-addr=localhost:5000', '${MISSING}', '${MISSING}', '$(...)', '$(...)', '${?}']);
    // An expansion with an operator on a variable without a value is recorded as written, its default too, for messages.
    // A command substitution or an arithmetic expansion is named in words, as written (no parser node names).
    expect(resolved.map((r) => r.unresolved)).toEqual([[], [], ['$MISSING'], ['${MISSING:-1}'], ['the command substitution $(id -u)'], ['the arithmetic expansion $((1+2))'], ['$?']]);
    expect(resolved.map((r) => r.written)).toEqual([undefined, undefined, undefined, '${MISSING:-1}', '$(id -u)', '$((1+2))', undefined]);
    // `$(POD_IP)`: kept as written in the text, for the planner to tell it from the kubelet's own `$(POD_IP)`.
    expect(resolveWord(parseShell('echo -addr=$(POD_IP):5000').calls[0]!.args[1]!, env)).toEqual({ text: '-addr=$(POD_IP):5000', unresolved: ['$(POD_IP)'], substitutions: ['$(POD_IP)'] });
    expect(resolveWord(onlyCall('echo -addr=:${MISSING:-50051}').args[1]!, env)).toEqual({ text: '-addr=:${MISSING}', unresolved: ['${MISSING:-50051}'], written: '-addr=:${MISSING:-50051}' });
    // A default where the variable has a literal value: the value (`:-` takes the default for an empty one, `-` does not).
    expect(resolveWord(onlyCall('echo -addr=:${PORT:-50051}').args[1]!, env)).toEqual({ text: '-addr=:5000', unresolved: [] });
    const empty = (n: string) => ({ PORT: '' })[n];
    expect(resolveWord(onlyCall('echo -addr=:${PORT:-50051}').args[1]!, empty).text).toBe('-addr=:50051');
    expect(resolveWord(onlyCall('echo -addr=:${PORT-50051}').args[1]!, empty).text).toBe('-addr=:');
    expect(resolveWord(onlyCall('echo -addr=:${PORT:=50051}').args[1]!, env).unresolved).toEqual(['${PORT:=50051}']);
  });

  test('exec and command prefixes are dropped', () => {
    expect(words(onlyCall('exec command /bin/grpc_health_probe -addr=:1'))).toEqual(['/bin/grpc_health_probe', '-addr=:1']);
  });

  test('byte offsets map to string offsets', () => {
    const toString = byteToStringOffsets('é日x');
    expect([0, 2, 5, 6].map(toString)).toEqual([0, 1, 2, 3]);
  });

  test('offsets are string offsets, also after non-ASCII text', () => {
    const script = 'echo "é日本" && grpc_health_probe -addr=:1';
    const call = parseShell(script).calls[1]!;
    expect(script.slice(call.start, call.end)).toBe('grpc_health_probe -addr=:1');
  });
});

describe('statements', () => {
  test('a `;` or `&` after a statement belongs to it', () => {
    const s = parseShell('a; b &\nc');
    expect(s.stmts.map((x) => [x.start, x.end, x.background])).toEqual([[0, 2, false], [3, 6, true], [7, 8, false]]);
  });

  test('negation and redirections are flags of the statement; chains nest to the left', () => {
    const [neg, redir, chain] = parseShell('! a\nb > /dev/null 2>&1\nc && d || e').stmts;
    expect(neg!.negated).toBe(true);
    expect(neg!.cmd.type).toBe('call');
    expect(redir!.redirects).toBe(2);
    expect(chain!.cmd.type).toBe('binary');
    const or = chain!.cmd as ShBinary;
    expect(or.op).toBe('||');
    expect(or.x.cmd.type === 'binary' && or.x.cmd.op).toBe('&&');
    expect(words(or.y.cmd as ShCall)).toEqual(['e']);
  });

  test('commands inside $(...), if and case are found, in source order', () => {
    const s = parseShell('X=$(uname -m) && case "$X" in x86_64) A=amd64 ;; esac && if [ -n "$A" ]; then wget -O /p u; fi');
    expect(s.calls.map((c) => words(c)[0] ?? `${c.assigns.map((a) => a.name).join(',')}=`)).toEqual(['X=', 'uname', 'A=', '[', 'wget']);
    expect([...s.params].sort()).toEqual(['A', 'X']);
  });

  test('assignments before a command or in export are not commands of their own', () => {
    const s = parseShell('A=1 B=2 env && export C=3 && unset D && [[ -f x ]]');
    expect(s.calls.map((c) => [c.assigns.map((a) => a.name), words(c)])).toEqual([[['A', 'B'], ['env']], [[], ['unset', 'D']]]);
  });

  test('case branches end with ;; and a quoted reserved word is an ordinary word', () => {
    expect(parseShell('case "$x" in a) echo 1;; *) echo 2;; esac').calls).toHaveLength(2);
    expect(words(onlyCall('"done" now'))).toEqual(['done', 'now']);
  });

  test('a chain of a thousand commands is read whole, in order', () => {
    const script = Array.from({ length: 1000 }, (_, i) => `echo ${i}`).join(' && ');
    const s = parseShell(script);
    expect(s.stmts).toHaveLength(1);
    expect(s.calls).toHaveLength(1000);
    expect(words(s.calls[999]!)).toEqual(['echo', '999']);
  });

  test('a pipeline inside a chain, and redirections that run commands', () => {
    const [stmt] = parseShell('a | b && c > "$(d)"').stmts;
    expect(stmt!.calls.map((c) => words(c)[0])).toEqual(['a', 'b', 'c', 'd']);
    const and = stmt!.cmd as ShBinary;
    expect(and.op).toBe('&&');
    expect((and.x.cmd as ShBinary).op).toBe('|');
    expect(and.y.redirects).toBe(1);
  });

  test('loops and functions are flagged', () => {
    expect(parseShell('for a in 1 2; do echo $a; done').stmts[0]!.loopOrFunction).toBe(true);
    expect(parseShell('until x; do y; done').stmts[0]!.loopOrFunction).toBe(true);
    expect(parseShell('f() { g; }').stmts[0]!.loopOrFunction).toBe(true);
    expect(parseShell('if a; then b; fi').stmts[0]!.loopOrFunction).toBe(false);
  });

  test('what sets a variable other than an assignment, at its place: declarations with their options and value, loops, defaults', () => {
    const script = 'export A="kubectl x"; declare -rx B=1 C; local -a D=(1 2); readonly E+=y; export F; for G in 1; do :; done; : ${H:=1}';
    const sets = parseShell(script).otherSets!.map((o) => ({
      name: o.name,
      how: o.how,
      variant: o.variant,
      at: script.slice(o.start, o.start + 6),
      options: o.options?.map((w) => resolveWord(w, noEnv).text),
      value: o.value && resolveWord(o.value, noEnv).text,
      flags: [o.append && 'append', o.array && 'array'].filter(Boolean),
      ...(o.elements ? { elements: o.elements.map((w) => resolveWord(w, noEnv).text) } : {}),
    }));
    expect(sets).toEqual([
      { name: 'A', how: 'declaration', variant: 'export', at: 'export', options: [], value: 'kubectl x', flags: [] },
      { name: 'B', how: 'declaration', variant: 'declare', at: 'declar', options: ['-rx'], value: '1', flags: [] },
      { name: 'C', how: 'declaration', variant: 'declare', at: 'declar', options: ['-rx'], value: undefined, flags: [] },
      { name: 'D', how: 'declaration', variant: 'local', at: 'local ', options: ['-a'], value: undefined, flags: ['array'], elements: ['1', '2'] },
      { name: 'E', how: 'declaration', variant: 'readonly', at: 'readon', options: [], value: 'y', flags: ['append'] },
      // A bare `export F` keeps F's value: none.
      { name: 'G', how: 'loop', variant: undefined, at: 'G in 1', options: undefined, value: undefined, flags: [] },
      // A default's value is its word (hunt20 C1).
      { name: 'H', how: 'default', variant: undefined, at: '${H:=1', options: undefined, value: '1', flags: [] },
    ]);
    expect([...parseShell(script).setsOtherwise].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'G', 'H']);
    // A default in a declaration's value is one setting, though the value is read on its own.
    expect(parseShell('export A=${B:=1}').otherSets!.map((o) => [o.name, o.how])).toEqual([['A', 'declaration'], ['B', 'default']]);
    expect(parseShell('declare A=1 A=2').otherSets!.map((o) => resolveWord(o.value!, noEnv).text)).toEqual(['1', '2']);
  });

  test('an array assignment\'s elements, a default\'s word and a literal index, for the readers of a command word (hunt20 C1)', () => {
    const text = (w: ShWord) => resolveWord(w, noEnv).text;
    const assigns = parseShell('A=(kubectl --context "$CTX") B[1]=x C=([k]=v) D=1').calls[0]!.assigns;
    expect(assigns.map((a) => [a.name, a.array?.map(text), a.index ?? false])).toEqual([
      ['A', ['kubectl', '--context', '${CTX}'], false],
      ['B', undefined, true],
      ['C', undefined, true],
      ['D', undefined, false],
    ]);
    const params = parseShell('x ${A:-kubectl --context x} "${B:=y}" ${C-} ${D[@]} "${E[*]}" ${F[0]} ${G:+z} ${H[@]/a/b} ${I[$j]} ${#J} ${K:-"a b"}').calls[0]!.args.slice(1).map((w) => {
      const p = w.parts[0]!;
      return p.type === 'param' ? [p.name, p.default && text(p.default), p.index, p.quoted] : [];
    });
    expect(params).toEqual([
      ['A', 'kubectl --context x', undefined, false],
      ['B', 'y', undefined, true],
      ['C', '', undefined, false],
      ['D', undefined, '@', false],
      ['E', undefined, '*', true],
      ['F', undefined, '0', false],
      // Another expansion, or an index known only at run time: neither.
      ['G', undefined, undefined, false],
      ['H', undefined, undefined, false],
      ['I', undefined, undefined, false],
      ['J', undefined, undefined, false],
      ['K', 'a b', undefined, false],
    ]);
  });
});

// Where tree-sitter-bash (measured as a faster parser, and rejected) reads a script differently from bash.
describe('redirections and keywords mean what they mean to bash', () => {
  test('words after a redirection are still arguments', () => {
    expect(words(onlyCall('grpc_health_probe 2>/dev/null -addr=:5000 -tls'))).toEqual(['grpc_health_probe', '-addr=:5000', '-tls']);
  });

  test('a redirection at the end of a chain belongs to its last command', () => {
    const and = parseShell('cd build && make 2>/dev/null').stmts[0]!.cmd as ShBinary;
    expect([and.x.redirects, and.y.redirects]).toEqual([0, 1]);
  });

  test('`time` runs the command that follows it', () => {
    expect(analyzeShellScript('time grpc_health_probe -addr=:1', noEnv).invocations).toHaveLength(1);
  });

  test.each([
    ['helm template . > out.yaml', 'helm', 'out.yaml'],
    ['a >&2 > f', 'a', 'f'],
    ['a > f >&2', 'a', undefined],
    ['a 2> err.log', 'a', undefined],
    ['if true; then kustomize build a >> b.yaml; fi', 'kustomize', 'b.yaml'],
    ['echo "$(jsonnet x > y.json)"', 'jsonnet', 'y.json'],
  ])('the file a command writes its standard output to (ShCall.writesTo): %s', (script, command, to) => {
    const call = parseShell(script).calls.find((c) => words(c)[0] === command)!;
    expect(call.writesTo && resolveWord(call.writesTo, noEnv).text).toBe(to);
  });

  test('a redirection between two tests does not merge them', () => {
    const s = parseShell('[ 2 -lt 3 ]\necho >1\n[ ]\ngrpc_health_probe -addr=:1');
    expect(s.calls.map((c) => words(c).join(' '))).toEqual(['[ 2 -lt 3 ]', 'echo', '[ ]', 'grpc_health_probe -addr=:1']);
  });
});

test('a script is parsed once per text: the same tree again, and the same refusal again', () => {
  const script = 'wget -qO/bin/grpc_health_probe https://example.com/p && chmod +x /bin/grpc_health_probe';
  expect(parseShell(script)).toBe(parseShell(script));
  expect(() => checkShell(script)).not.toThrow();
  const broken = 'apk add wget && && chmod';
  expect(() => parseShell(broken)).toThrow(ShellParseError);
  expect(() => parseShell(broken)).toThrow(/&& must be followed by a statement/);
  expect(() => checkShell(broken)).toThrow(ShellParseError);
});

describe('broken scripts are refused with a position', () => {
  test.each([
    // mvdan/sh writes `?` for the column of the end of the input.
    ['grpc_health_probe -addr=:1 && (', /^1:(\d+|\?): reached EOF without matching \( with \)/],
    ['apk add wget &&', /^1:(\d+|\?): && must be followed by a statement/],
    ['if true; then\n  echo\n', /if statement must end with "fi"/],
    ['echo "unterminated', /^1:\d+: reached EOF without closing quote/],
    ['done', /^1:1: "done" can only be used to end a loop/],
    ['echo a && fi', /^1:11: "fi" can only be used to end an if/],
    ['echo hi;;', /^1:8: ;; can only be used in a case clause/],
  ])('%j', (script, message) => {
    expect(() => parseShell(script)).toThrow(ShellParseError);
    expect(() => parseShell(script)).toThrow(message);
  });
});

describe('analyzeShellScript', () => {
  test('a plain wrapper, with `set` and `|| exit 1` around it', () => {
    const a = analyzeShellScript('set -e; exec /bin/grpc_health_probe -addr=:5000 || exit 1', noEnv);
    expect(a.plain).toBe(true);
    expect(a.invocations.map((i) => i.args.map((w) => w.text))).toEqual([['-addr=:5000']]);
  });

  test.each([
    ['grpc_health_probe -addr=:1; echo $?', 'the script reads the exit status ($?)'],
    ['echo hi; grpc_health_probe -addr=:1', 'the script runs other commands around the probe'],
    ['! grpc_health_probe -addr=:1', 'the script negates the result (!)'],
    ['grpc_health_probe -addr=:1 &', 'the script runs the probe in the background'],
    ['grpc_health_probe -addr=:1 || exit 0', 'the script turns a failed check into something else (|| ...)'],
    ['grpc_health_probe -addr=:1 | tee log', 'the script wraps the probe in shell logic'],
  ])('%j is not plain', (script, logic) => {
    expect(analyzeShellScript(script, noEnv)).toMatchObject({ plain: false, logic });
  });

  test('two invocations, or none, are counted', () => {
    expect(analyzeShellScript('grpc_health_probe -addr=:1 && grpc_health_probe -addr=:2', noEnv).invocations).toHaveLength(2);
    expect(analyzeShellScript('echo grpc_health_probe', noEnv).invocations).toHaveLength(0);
  });
});

/**
 * The one-pass conversion against mvdan/sh's own walk of the same tree: the same commands, in the
 * same order, with the same words, over every RUN body and script in the fixtures and a set of
 * constructs picked to be awkward.
 */
test('a CRLF script with a here-document parses (its closing line is "EOF\\r"), with offsets into the script as written', () => {
  const script = 'echo a\r\ncat > /x <<EOF\r\nbody\r\nEOF\r\ngrpc_health_probe -addr=:1 # note\r\n';
  const parsed = parseShell(script);
  expect(parsed.calls.map((c) => script.slice(c.start, c.end))).toEqual(['echo a', 'cat', 'grpc_health_probe -addr=:1']);
  expect(parsed.heredocs.map((h) => script.slice(h.start, h.end))).toEqual(['body\r\n']);
  expect(shellCommentRanges(script).map(([a, b]) => script.slice(a, b))).toEqual(['# note']);
});

describe('the plain tree finds what mvdan/sh’s own walk finds', () => {
  const require = createRequire(import.meta.url);
  const sh = require('mvdan-sh').syntax;
  const parser = sh.NewParser();
  /* eslint-disable @typescript-eslint/no-explicit-any -- mvdan-sh has no types */
  // A Lit's value is as written: a backslash escape is removed as the shell removes it (any
  // character outside quotes, `$`, `` ` ``, `"`, `\` inside double quotes), as the plain tree's words are
  // (`C:\tools\x.exe` in a RUN is `C:toolsx.exe` to sh).
  const wordText = (word: any): string => {
    let text = '';
    const parts = (ps: any[], quoted: boolean): void => {
      for (const p of ps) {
        const t = sh.NodeType(p);
        if (t === 'Lit') text += quoted ? p.Value.replace(/\\([$`"\\])/g, '$1') : p.Value.replace(/\\(.)/gs, '$1');
        else if (t === 'SglQuoted') text += p.Value;
        else if (t === 'DblQuoted') parts(p.Parts, true);
        else if (t === 'ParamExp') text += '${' + (p.Param?.Value ?? '?') + '}';
        else text += '$(...)';
      }
    };
    parts(word.Parts ?? [], false);
    return text;
  };
  const walked = (script: string): string[] => {
    const out: string[] = [];
    sh.Walk(parser.Parse(script, ''), (n: any) => {
      if (n && sh.NodeType(n) === 'CallExpr') out.push((n.Args as any[]).map(wordText).join(' ') + ' | ' + (n.Assigns as any[]).map((a) => a.Name.Value).join(','));
      return true;
    });
    return out;
  };
  const converted = (script: string): string[] =>
    parseShell(script).calls.map((c) => c.args.map((w) => resolveWord(w, noEnv).text).join(' ') + ' | ' + c.assigns.map((a) => a.name).join(','));

  const scripts: string[] = [
    'set -eux; apkArch="$(apk --print-arch)"; case "$apkArch" in x86_64) ARCH=amd64 ;; aarch64) ARCH=arm64 ;; *) echo >&2 "unsupported"; exit 1 ;; esac',
    'if [ "$TARGETARCH" = "arm64" ]; then ARCH=arm64; else ARCH=amd64; fi',
    'for i in 1 2; do echo $i; done',
    'curl -fsSL "https://x/${V}/y" -o /bin/p && echo "${SHA}  /bin/p" | sha256sum -c -',
    '[[ -f /x ]] && echo yes',
    'x=$(( $(nproc) * 2 ))',
    'A=1 B=2 cmd && export C=$(id -u) D=2 && local E=$(whoami)',
    'echo "$(echo "nested $(echo deep)")"',
    'echo `date` ${A:-$(hostname)} ${B/$(x)/y}',
    'ls | while read f; do echo "$f"; done',
    'f() { g "$@"; } && f 1',
    'time grpc_health_probe -addr=:1 2>/dev/null -tls || exit 1',
    'cd build && make 2>/dev/null > "$(mktemp)"',
    'cat <<EOF > /tmp/x\nline $(echo in-heredoc)\nEOF\ngrpc_health_probe -addr=:1',
    '[ 2 -lt 3 ]\necho >1\n[ ]',
    'coproc cat; let x=1+2; ((a++)); arr=(a $(b) c); echo ${arr[@]}',
    '! a && b || c & d |& e',
    'until grpc_health_probe -addr=:1; do sleep 1; done',
  ];
  const fixtureScripts = (): string[] => {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name.endsWith('.sh')) out.push(fs.readFileSync(f, 'utf8'));
        else if (/Dockerfile|Containerfile/.test(e.name)) {
          for (const m of fs.readFileSync(f, 'utf8').replace(/\\\r?\n/g, '  ').matchAll(/^RUN\s+(?!\[|--)(.*)$/gm)) out.push(m[1]!);
        }
      }
    };
    walk(path.join(ROOT, 'fixtures'));
    return out;
  };

  test.each(scripts)('%j', (script) => {
    expect(converted(script)).toEqual(walked(script));
  });

  test('every RUN body and script in the fixtures', () => {
    const all = fixtureScripts();
    expect(all.length).toBeGreaterThan(50);
    for (const script of all) {
      let expected: string[];
      try {
        // The tool hands the parser a CRLF script without the CRs before line feeds (withoutCrs).
        expected = walked(script.replace(/\r\n/g, '\n'));
      } catch {
        expect(() => parseShell(script)).toThrow(ShellParseError);
        continue;
      }
      expect([script, converted(script)]).toEqual([script, expected]);
    }
  });
});

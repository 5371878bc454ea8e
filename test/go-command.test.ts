/** Reading a Go []string{…} literal around a mention of the binary (src/analysis/go-command.ts). */
import { describe, expect, test } from '@jest/globals';
import { goRawStringAt, goRawStrings, goStringListAt, restoreGo } from '../src/analysis/go-command.js';

const at = (src: string) => goStringListAt(src, src.indexOf('grpc_health_probe'));

describe('goStringListAt', () => {
  test('literals, raw strings and escapes are read as Go builds them', () => {
    const cmd = at('x := []string{"grpc_health_probe", `-service=a"b`, "-addr=:5000\\t"}');
    expect(cmd?.items.map((i) => i.text)).toEqual(['grpc_health_probe', '-service=a"b', '-addr=:5000\t']);
  });

  test('one item per line, with comments between them', () => {
    const cmd = at('c := []string{\n\t"/bin/grpc_health_probe", // the probe\n\t/* port */ "-addr=:1",\n}\n');
    expect(cmd?.items.map((i) => i.text)).toEqual(['/bin/grpc_health_probe', '-addr=:1']);
  });

  test('fmt.Sprintf and + keep their operands as placeholders; %d and strconv.Itoa name the integer', () => {
    const cmd = at('[]string{"grpc_health_probe", fmt.Sprintf("-addr=%s:%d", host, cfg.Port()), "-service=" + strconv.Itoa(n)}')!;
    expect(cmd.items.map((i) => restoreGo(i.text, cmd.expressions))).toEqual(['grpc_health_probe', '-addr=host:cfg.Port()', '-service=strconv.Itoa(n)']);
    expect([...cmd.integers.values()]).toEqual(['cfg.Port()', 'n']);
    expect(cmd.items.every((i) => !i.opaque)).toBe(true);
  });

  test('any other expression is opaque', () => {
    const cmd = at('[]string{"grpc_health_probe", strings.Join(flags, " ")}')!;
    expect(cmd.items[1]).toEqual({ text: expect.stringContaining('\uE020'), opaque: true });
    expect(restoreGo(cmd.items[1]!.text, cmd.expressions)).toBe('strings.Join(flags, " ")');
  });

  test('a mention outside any []string literal, or after one closed, is not read', () => {
    expect(at('const bin = "grpc_health_probe"')).toBeUndefined();
    expect(at('a := []string{"x"}\nb := "grpc_health_probe"')).toBeUndefined();
  });
});

describe('goRawStringAt', () => {
  test('a raw string holds the offset; a backquote in a rune, a string or a comment opens none', () => {
    const src = "r := '`'\ns := \"`\" // `\nm := `\n  command: [grpc_health_probe]\n`\n";
    const raw = goRawStringAt(src, src.indexOf('grpc_health_probe'));
    expect(raw && src.slice(raw.start, raw.end)).toBe('\n  command: [grpc_health_probe]\n');
    expect(goRawStringAt('x := "grpc_health_probe"', 7)).toBeUndefined();
  });

  test('every raw string of a file, found in one pass (each mention asks; a pass per mention was quadratic)', () => {
    const src = "a := `one`\n// a `comment`\nb := \"`\"\nc := `two\ngrpc_health_probe`\nd := `unterminated";
    expect(goRawStrings(src).map((r) => src.slice(r.start, r.end))).toEqual(['one', 'two\ngrpc_health_probe']);
    expect(goRawStringAt(src, src.indexOf('grpc_health_probe'))).toEqual(goRawStrings(src)[1]);
    expect(goRawStringAt(src, src.indexOf('unterminated'))).toBeUndefined();
  });
});

/**
 * The recipe lines of a Makefile, as the shell gets them, so that they are read with the same
 * shell analysis as a script in the tree (script-runs.ts). GNU make hands each logical recipe
 * line to `$(SHELL) -c` after its own expansion; the tool reads only that much of make:
 *
 * - A recipe line is a line that starts with a tab after a rule line (`target: prerequisites`),
 *   with blank lines, comment lines and conditional lines (`ifeq`, `else`, `endif`) between; any
 *   other line ends the rule. A tab line elsewhere is make's own syntax, and a `define` body may
 *   be anything: neither is read (their mentions keep every install, as before).
 * - `\` at the end of a line continues it: make passes the backslash and the line break to the
 *   shell (which joins the lines) and takes out the one tab that starts the next line.
 * - `@`, `-` and `+` before the command are make's, not the shell's.
 * - `$$` is a `$` for the shell; every other `$` starts a make reference (`$(NET)`, `${X}`, `$@`,
 *   `$(shell …)`), whose value the tool does not know: it is written as a shell variable no script
 *   sets (`${__MK0}`), so that it reads as a value known only at run time (an image tag so set
 *   is a tag set at run time), and referenceResolver says it as written, never as literal text
 *   (inside single quotes too, where the shell would not expand the variable but make did).
 *
 * A Makefile that sets `.RECIPEPREFIX` or a SHELL that is no POSIX shell is not read this way at
 * all; nor is one that names `.ONESHELL` (anywhere: GNU make then gives each rule's recipe lines
 * to one shell, so a variable set on one line is read on the next), unless the caller asks for
 * that reading (makeRecipes' oneShell).
 *
 * GNU make has no parser among the project's dependencies; this reads only the few forms above
 * (and makeRecipes' inline ones) by their place in the line, as make's manual describes them.
 */
import type { EnvLookup, ResolvedWord, ShCall, ShWord } from './shell.js';

export interface RecipeLine {
  /** The text the shell runs, with each make reference N written as the variable `${__MK<N>}`. */
  script: string;
  /** The Makefile offset of each character of `script`, and of its end. */
  at: number[];
  /** The logical line's span in the Makefile (its leading tab excluded). */
  start: number;
  end: number;
}

export interface Recipes {
  lines: RecipeLine[];
  /** The make references, as written, by marker number. */
  references: { text: string; start: number; end: number }[];
}

const MARKER = /\$\{__MK(\d+)\}/g;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);
const CONDITIONAL = /^[ \t]*(ifeq|ifneq|ifdef|ifndef|else|endif)\b/;
const DEFINE = /^[ \t]*((override|export|private)[ \t]+)*define\b/;
const ENDEF = /^[ \t]*endef\b/;

/**
 * The recipe lines of a Makefile (undefined when the Makefile is not read so: see above). A line
 * whose make references the tool cannot delimit (an unclosed `$(`) is left out. `inline`: also
 * what make runs that is not a tab line, as the command readers read it (src/kubernetes/
 * patch-commands.ts; hunt14 A5): the recipe after a rule line's `;` (`deploy: ; kubectl …`, the
 * first recipe line of the rule, GNU make "Rule Syntax"), and each line of a `define` body that
 * make may run (usedDefines): a canned recipe, `$(PATCH_PROBE)` in a recipe, runs each of its
 * lines as a recipe line. A body no make reference names (a help text echoed as `$$USAGE`) is
 * not read (review22 R5). And what make's `shell` function and `!=` run (hunt20 C2): the command
 * of each `$(shell …)` outside a make comment (in a variable's value, a conditional, a recipe, a
 * used define body), and the value of each `VAR != …`; make expands the references in it first,
 * as in a recipe line. A `:=` variable's `$(shell …)` runs on every make run, an `=` one where
 * the variable is used, one in a recipe when its rule runs: all are read, the safe side.
 * `oneShell`: a Makefile that names `.ONESHELL` is read too, each rule's recipe lines (and each
 * define body's) joined by line breaks into one script, as the shell gets them (GNU make "Using
 * One Shell": with a POSIX shell, the `@`/`-`/`+` of every line are make's).
 */
export function makeRecipes(text: string, options: { inline?: boolean; oneShell?: boolean } = {}): Recipes | undefined {
  const oneShell = /^[ \t]*\.ONESHELL\b/m.test(text);
  if (text.includes('__MK') || /^[ \t]*\.RECIPEPREFIX\b/m.test(text) || (oneShell && !options.oneShell)) return undefined;
  // `SHELL = /bin/bash` is read; `SHELL := python3`, or a SHELL set by a reference, is not.
  for (const m of text.matchAll(/(?:^|[\s:;])SHELL[ \t]*[:?+!]*=[ \t]*([^\s#]*)/g)) {
    const shell = m[1]!;
    if (!SHELLS.has(shell.slice(shell.lastIndexOf('/') + 1))) return undefined;
  }
  const out: Recipes = { lines: [], references: [] };
  let inRule = false;
  let defines = 0;
  // Each top-level define: its name (undefined: not a plain word), its body's span, and whether make may run it whatever names it
  // (`nested`: it holds another define; or `define NAME !=`); the recipe lines read from each body.
  const bodies: { name: string | undefined; start: number; end: number; nested: boolean }[] = [];
  const fromBody = new Map<RecipeLine, number>();
  // The rule (a number) or define body (a negative one) of each recipe line, for `.ONESHELL`.
  let rules = 0;
  const groupOf = new Map<RecipeLine, number>();
  // What `$(shell …)` and `!=` run (inline): kept apart, so that a rule's recipe lines stay side by side.
  let calls: RecipeLine[] = [];
  const shellsIn = (from: number, to: number, body?: number) => {
    for (const l of shellCalls(text, from, to, out.references)) {
      calls.push(l);
      if (body !== undefined) fromBody.set(l, body);
    }
  };
  const push = (recipe: RecipeLine | undefined, group: number) => {
    if (!recipe) return;
    out.lines.push(recipe);
    groupOf.set(recipe, group);
  };
  // Only what may run a command costs a scan: a text with neither `shell` nor `!=` has none.
  const scanCalls = options.inline === true && (text.includes('shell') || text.includes('!='));
  for (const { start: pos, end } of logicalLines(text)) {
    const line = text.slice(pos, end);
    const next = end + 1;
    if (defines > 0) {
      const body = bodies[bodies.length - 1]!;
      if (DEFINE.test(line)) {
        defines++;
        body.nested = true;
      } else if (ENDEF.test(line)) {
        defines--;
        if (defines === 0) body.end = pos;
      } else if (options.inline && line.trim() !== '') {
        const recipe = recipeLine(text, pos + (line.startsWith('\t') ? 1 : 0), end, out.references);
        push(recipe, -bodies.length);
        if (recipe) fromBody.set(recipe, bodies.length - 1);
      }
      if (scanCalls) shellsIn(pos, end, bodies.length - 1);
    } else if (line.startsWith('\t')) {
      if (inRule) push(recipeLine(text, pos + 1, end, out.references), rules);
      // A tab line outside a rule is make's own syntax: its `$(shell …)` read all the same.
      if (scanCalls) shellsIn(pos, end);
    } else if (DEFINE.test(line)) {
      defines++;
      inRule = false;
      // `define NAME !=`: make runs the body with the shell at once, as a canned recipe that runs.
      bodies.push({ name: DEFINE_NAME.exec(line)?.[1], start: next, end: text.length, nested: /!=[ \t]*\r?$/.test(line) });
      if (scanCalls) shellsIn(pos, pos + commentStart(line));
    } else if (line.trim() === '' || /^[ \t]*#/.test(line) || CONDITIONAL.test(line)) {
      // Blank, comment and conditional lines do not end a rule; a conditional's `$(shell …)` runs as make reads it.
      if (scanCalls && CONDITIONAL.test(line)) shellsIn(pos, pos + commentStart(line));
    } else {
      inRule = isRuleLine(line);
      if (inRule) rules++;
      const semicolon = inRule && options.inline ? inlineRecipe(line) : -1;
      if (semicolon !== -1) push(recipeLine(text, pos + semicolon + 1, end, out.references), rules);
      if (scanCalls) {
        // After a rule's `;` the rest is recipe, `#` included (the shell's comment, whose references make still expands).
        shellsIn(pos, semicolon !== -1 ? end : pos + commentStart(line));
        const assign = shellAssignment(line);
        if (assign !== -1) {
          const value = commentStart(line);
          const l = makeText(text, pos + assign, pos + value, out.references);
          if (l) calls.push(l);
        }
      }
    }
  }
  if (fromBody.size > 0) {
    const used = usedDefines(text, bodies);
    const runs = (l: RecipeLine) => !fromBody.has(l) || used.has(fromBody.get(l)!);
    out.lines = out.lines.filter(runs);
    calls = calls.filter(runs);
  }
  if (oneShell) out.lines = joinRules(out.lines, groupOf);
  out.lines.push(...calls);
  return out;
}

/**
 * The logical lines of a Makefile, as make reads them: physical lines joined while one ends with
 * an odd number of backslashes (GNU make "Splitting Long Lines"). `start`: the first character;
 * `end`: the line break that ends it (the text's length for the last line), so the next line
 * starts at end + 1. The one line reader of makeRecipes, makeAssignments and makeExports (review24 R4, R6); the
 * backslashes are counted from the line's end by a loop, linear however long the line (review24 R1).
 */
function* logicalLines(text: string): Generator<{ start: number; end: number }> {
  for (let pos = 0; pos < text.length; ) {
    let end = pos;
    for (;;) {
      const nl = text.indexOf('\n', end);
      if (nl === -1) {
        end = text.length;
        break;
      }
      let k = text[nl - 1] === '\r' ? nl - 1 : nl;
      let slashes = 0;
      while (k > end && text[k - 1] === '\\') {
        k--;
        slashes++;
      }
      end = nl;
      if (slashes % 2 === 0) break;
      end = nl + 1;
    }
    yield { start: pos, end };
    pos = end + 1;
  }
}

/**
 * A logical line of make's own syntax (no recipe line) as make reads it: each backslash and line
 * break, with the blanks around it, one space (GNU make "Splitting Long Lines"); a `\r` before a
 * line break dropped.
 */
function joinedLine(line: string): string {
  if (!line.includes('\n')) return line.endsWith('\r') ? line.slice(0, -1) : line;
  const parts = line.split('\n');
  return parts
    .map((p, k) => {
      let from = 0;
      let to = p.length;
      if (p.endsWith('\r')) to--;
      if (k < parts.length - 1) to--; // the continuing backslash
      if (k > 0) while (from < to && (p[from] === ' ' || p[from] === '\t')) from++;
      if (k < parts.length - 1) while (to > from && (p[to - 1] === ' ' || p[to - 1] === '\t')) to--;
      return p.slice(from, to);
    })
    .join(' ');
}

/** Under `.ONESHELL`, the recipe lines of each rule (and of each define body) as one script: joined by a line break, each character still at its place. */
function joinRules(lines: readonly RecipeLine[], groupOf: ReadonlyMap<RecipeLine, number>): RecipeLine[] {
  const out: RecipeLine[] = [];
  for (let k = 0; k < lines.length; ) {
    let n = k + 1;
    while (n < lines.length && groupOf.get(lines[n]!) === groupOf.get(lines[k]!)) n++;
    const group = lines.slice(k, n);
    const at: number[] = [];
    group.forEach((l, g) => {
      // The line break at the end of the line before; the last offset is the script's end.
      if (g > 0) at.push(group[g - 1]!.end);
      for (let c = 0; c < l.script.length; c++) at.push(l.at[c]!);
    });
    at.push(lines[n - 1]!.end);
    out.push(group.length === 1 ? group[0]! : { script: group.map((l) => l.script).join('\n'), at, start: lines[k]!.start, end: lines[n - 1]!.end });
    k = n;
  }
  return out;
}

const DEFINE_NAME = /^[ \t]*(?:(?:override|export|private)[ \t]+)*define[ \t]+([A-Za-z0-9_.-]+)[ \t]*(?:[:?+!]*=[ \t]*)?\r?$/;
/** A make reference's first word (`$(NAME)`, `${NAME}`, `$(NAME:a=b)`, `$(call NAME,…)`, `$(value NAME)`), or a name computed by another reference (`$($(V))`, `$(call $(F))`: group 1 empty). */
const NAME_REFERENCE = /\$[({][ \t]*(?:(?:call|value)[ \t]+)?(\$|[^\s(){}$:,=#]+)/g;

/**
 * The defines (indexes into `bodies`) whose body make may run as recipe lines: each one a make
 * reference names (`$(STEP)`, `${STEP}`, `$(call STEP,…)`) outside every body, or in a body so
 * used (a recipe line, a variable's value, an `$(eval …)`: any of them may bring it into a recipe).
 * The safe side: every define when a reference's name is computed (`$($(V))`, `$(call $(F))`),
 * a define whose name is no plain word, and one holding another define.
 */
function usedDefines(text: string, bodies: readonly { name: string | undefined; start: number; end: number; nested: boolean }[]): Set<number> {
  // `$$` is a `$` for the shell, no reference (`$$USAGE`): blanked, pairs read from the left as make reads them.
  const plain = text.replace(/\$\$/g, '  ');
  const refs = [...plain.matchAll(NAME_REFERENCE)].map((m) => ({ name: m[1]!, body: bodies.findIndex((b) => m.index >= b.start && m.index < b.end) }));
  if (refs.some((r) => r.name === '$')) return new Set(bodies.map((_b, k) => k));
  const used = new Set<number>(bodies.flatMap((b, k) => (b.name === undefined || b.nested ? [k] : [])));
  const byName = new Map<string, number[]>();
  bodies.forEach((b, k) => {
    if (b.name !== undefined) byName.set(b.name, [...(byName.get(b.name) ?? []), k]);
  });
  const refsIn = new Map<number, string[]>();
  for (const r of refs) {
    const list = refsIn.get(r.body);
    if (list) list.push(r.name);
    else refsIn.set(r.body, [r.name]);
  }
  // Names reached from outside every body, then from the bodies so reached.
  const todo = [-1, ...used];
  for (let from = todo.pop(); from !== undefined; from = todo.pop()) {
    for (const name of refsIn.get(from) ?? []) {
      for (const k of byName.get(name) ?? []) {
        if (used.has(k)) continue;
        used.add(k);
        todo.push(k);
      }
    }
  }
  return used;
}

/**
 * Whether a line (not a recipe line) is a rule: a `:` outside make references that is not an
 * assignment's (`:=`, `::=`, `:::=`), with no `=` before it. A target-specific assignment
 * (`api: TAG = 1`) counts as one: what follows it is read as recipe lines, as make would.
 */
function isRuleLine(line: string): boolean {
  const plain = maskReferences(line);
  const colon = ruleColon(plain);
  if (colon === -1) return false;
  return !plain.slice(0, colon).includes('=');
}

/**
 * Where a rule line's recipe starts (`deploy: ; kubectl …`, `api: dep;cmd`): the first `;` after
 * its colon, outside make references, or -1. Not in a target-specific assignment (`api: X = a;b`,
 * whose `;` is the value's) nor in a comment.
 */
function inlineRecipe(line: string): number {
  const plain = maskReferences(line);
  const colon = ruleColon(plain);
  const semicolon = colon === -1 ? -1 : plain.indexOf(';', colon);
  return semicolon === -1 || /[=#]/.test(plain.slice(colon, semicolon)) ? -1 : semicolon;
}

/**
 * The first `:` not starting an assignment operator (`:=`, `::=`, `:::=`), or -1: what
 * /:(?!:*=)/ finds, read run by run of colons, where the regex rescans a run from each of its
 * colons (quadratic on a long line of colons before a `=`). A run followed by `=` is an operator.
 */
function ruleColon(plain: string): number {
  for (let colon = plain.indexOf(':'); colon !== -1; ) {
    let after = colon;
    while (plain[after] === ':') after++;
    if (plain[after] !== '=') return colon;
    colon = plain.indexOf(':', after);
  }
  return -1;
}

/** The line with its make references blanked out (their `:` and `=` are not the line's). */
function maskReferences(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) {
      const close = closingOf(line, i + 1);
      if (close === -1) return out + line.slice(i);
      out += ' '.repeat(close + 1 - i);
      i = close;
    } else out += line[i];
  }
  return out;
}

/**
 * Where a line of make's own syntax (not a recipe) has its comment: the first `#` outside make
 * references (GNU make reads a `#` inside a reference or function call as literal text) and not
 * escaped (`\#`); the line's length when there is none. `$$` is a `$`, no reference.
 */
function commentStart(line: string): number {
  if (!line.includes('#')) return line.length;
  const plain = maskReferences(line.replace(/\$\$/g, '  '));
  for (let i = plain.indexOf('#'); i !== -1; i = plain.indexOf('#', i + 1)) {
    let slashes = 0;
    while (plain[i - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 0) return i;
  }
  return line.length;
}

/** A `VAR != command` line (a target's too, `api: VAR != …`): where its command starts, or -1. make runs it with the shell as it reads the line. */
function shellAssignment(line: string): number {
  if (!line.includes('!=')) return -1;
  const plain = maskReferences(line.replace(/\$\$/g, '  '));
  const m = /^(?:[^:#=;]*:(?!:*=)[ \t]*)?(?:(?:export|override|private|unexport)[ \t]+)*[^\s:#=!;]+[ \t]*!=[ \t]*/.exec(plain);
  return m && m[0].length <= commentStart(line) ? m[0].length : -1;
}

/**
 * The commands of the `$(shell …)` (and `${shell …}`) calls in text[from, to), nested ones too:
 * make expands the references in each, then runs it with the shell. `$$(shell …)` is the shell's
 * own command substitution, no call of make's.
 */
function shellCalls(text: string, from: number, to: number, references: Recipes['references']): RecipeLine[] {
  const out: RecipeLine[] = [];
  if (!text.slice(from, to).includes('shell')) return out;
  // Each paren's and brace's closing one, found once: closingOf at every level of `$(shell $(shell …))` would be quadratic.
  const closes = new Map<number, number>();
  const open: Record<'(' | '{', number[]> = { '(': [], '{': [] };
  for (let i = from; i < to; i++) {
    const c = text[i]!;
    if (c === '(' || c === '{') open[c].push(i);
    else if (c === ')' || c === '}') {
      const o = open[c === ')' ? '(' : '{'].pop();
      if (o !== undefined) closes.set(o, i);
    }
  }
  const closing = (o: number, end: number) => {
    const c = closes.get(o);
    return c !== undefined && c < end ? c : -1;
  };
  for (let i = from; i < to - 1; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    if ((text[i + 1] !== '(' && text[i + 1] !== '{') || !/^shell[ \t]/.test(text.slice(i + 2, i + 8))) continue;
    const close = closing(i + 1, to);
    if (close === -1) continue;
    const l = shellText(text, i + 8, close, references, false, closing);
    if (l) out.push(l);
  }
  return out;
}

/** The index of the paren or brace closing the one at `open` (make counts its own kind only), or -1. */
function closingOf(text: string, open: number, end = text.length): number {
  const o = text[open]!;
  const c = o === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < end; i++) {
    if (text[i] === o) depth++;
    else if (text[i] === c && --depth === 0) return i;
  }
  return -1;
}

/** One recipe line (`from` just after its tab, up to `end`) as the shell gets it, or undefined. */
function recipeLine(text: string, from: number, end: number, references: Recipes['references']): RecipeLine | undefined {
  return shellText(text, from, end, references, true);
}

/**
 * A command in make's own syntax (the argument of `$(shell …)`, the value of `VAR != …`) as the
 * shell gets it, or undefined: as a recipe line, but a `\` line break and the blanks around it are
 * one space (GNU make "Splitting Long Lines"), and no prefix is make's.
 */
function makeText(text: string, from: number, end: number, references: Recipes['references']): RecipeLine | undefined {
  return shellText(text, from, end, references, false);
}

function shellText(text: string, from: number, end: number, references: Recipes['references'], recipe: boolean, closing = (open: number, to: number) => closingOf(text, open, to)): RecipeLine | undefined {
  let i = from;
  // A recipe line's make prefixes: `@` (do not echo), `-` (ignore errors), `+` (run under -n too).
  while (i < end && (recipe ? /[@+\- \t]/ : /[ \t]/).test(text[i]!)) i++;
  let script = '';
  const at: number[] = [];
  // In make's syntax, where a run of blanks not yet given to the script starts (-1: none).
  let blanks = -1;
  const emit = (s: string, o: number) => {
    script += s;
    for (let k = 0; k < s.length; k++) at.push(o);
  };
  while (i < end) {
    const ch = text[i]!;
    if (!recipe && ch === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // The blanks before it were held back (below): the break and all of them are one space.
      blanks = -1;
      emit(' ', i);
      i += text[i + 1] === '\r' ? 3 : 2;
      while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
      continue;
    }
    if (!recipe && (ch === ' ' || ch === '\t')) {
      if (blanks === -1) blanks = i;
      i++;
      continue;
    }
    if (blanks !== -1) {
      for (let b = blanks; b < i; b++) emit(text[b]!, b);
      blanks = -1;
    }
    if (ch === '$') {
      const n = text[i + 1];
      if (n === '$') {
        emit('$', i);
        i += 2;
        continue;
      }
      if (n === undefined || i + 1 >= end || /\s/.test(n)) return undefined;
      const close = n === '(' || n === '{' ? closing(i + 1, end) : i + 1;
      if (close === -1) return undefined;
      references.push({ text: text.slice(i, close + 1), start: i, end: close + 1 });
      emit(`\${__MK${references.length - 1}}`, i);
      i = close + 1;
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') {
      i++;
      continue;
    }
    emit(ch, i);
    i++;
    // After a continued line's break, make takes out the tab that starts the next line.
    if (ch === '\n' && text[i] === '\t') i++;
  }
  if (blanks !== -1) for (let b = blanks; b < end; b++) emit(text[b]!, b);
  at.push(end);
  return { script, at, start: from, end };
}

/**
 * A word reader (WordReader.resolve) for recipe lines: a make reference in a word is a value
 * known only when make runs, said as written (`$(NET)`, which the tool reads as an image set by a
 * variable: any image), and never taken for literal text.
 */
export function referenceResolver(references: Recipes['references'], resolve: (w: ShWord, env: EnvLookup) => ResolvedWord): (w: ShWord, env: EnvLookup) => ResolvedWord {
  return (w, env) => {
    const r = resolve(w, env);
    if (!r.text.includes('${__MK')) return r;
    const unresolved = r.unresolved.filter((u) => !u.startsWith('$__MK'));
    const text = r.text.replace(MARKER, (_, n: string) => {
      const ref = references[Number(n)]!.text;
      unresolved.push(ref);
      return ref;
    });
    return { text, unresolved };
  };
}

/** A text said of a recipe line (a label, an image) with its make references as written. */
export function restoreReferences(s: string, references: Recipes['references']): string {
  return s.replace(MARKER, (_, n: string) => references[Number(n)]!.text);
}

/**
 * The Makefile's variables set once to a literal value at the start of a line (`KUBECTL ?=
 * kubectl`, `NS := prod`, `export IMG = x`; kubebuilder's and operator-sdk's scaffold): make puts
 * the value in place of `$(KUBECTL)` before the shell reads the recipe. A variable set twice to
 * different values, appended to (`+=`), set by a reference (`$(shell …)`, `$(LOCALBIN)/kubectl`)
 * inside a `define`, or in a conditional (`ifeq … endif`: set or not by how make runs) has no
 * literal value (null). These are the Makefile's own values: makeVariableValues adds what the
 * repository's make runs give them.
 */
export function makeVariables(text: string): Map<string, string | null> {
  return new Map([...makeAssignments(text)].map(([name, a]) => [name, a.value]));
}

interface Assignment {
  value: string | null;
  /** Every assignment is `?=`: it assigns only when the variable is not defined yet (the environment counts). */
  ifUnset: boolean;
  /** An assignment says `override`: a value on make's command line does not replace it. */
  override: boolean;
}

function makeAssignments(text: string): Map<string, Assignment> {
  const out = new Map<string, Assignment>();
  let defines = 0;
  let conditionals = 0;
  for (const { start, end } of logicalLines(text)) {
    // A value continued onto the next lines is one value, its breaks one space each, as make reads it.
    const line = joinedLine(text.slice(start, end));
    if (defines > 0) {
      if (DEFINE.test(line)) defines++;
      else if (ENDEF.test(line)) defines--;
      continue;
    }
    if (DEFINE.test(line)) {
      const m = /define[ \t]+([A-Za-z_][\w.-]*)/.exec(line);
      if (m) out.set(m[1]!, { value: null, ifUnset: false, override: /\boverride\b/.test(line.slice(0, m.index)) });
      defines++;
      continue;
    }
    if (line.startsWith('\t')) continue;
    const cond = CONDITIONAL.exec(line)?.[1];
    if (cond !== undefined) {
      if (cond.startsWith('if')) conditionals++;
      else if (cond === 'endif') conditionals = Math.max(0, conditionals - 1);
      continue;
    }
    const m = /^[ \t]*((?:(?:export|override)[ \t]+)*)([A-Za-z_][\w.-]*)[ \t]*(\?|\+|!|:{1,3})?=/.exec(line);
    if (!m) continue;
    const name = m[2]!;
    let value: string | null = assignedValue(line.slice(m[0].length));
    if (m[3] === '+' || m[3] === '!' || value.includes('$') || value.endsWith('\\') || conditionals > 0) value = null;
    const before = out.get(name);
    out.set(name, {
      value: before && before.value !== value ? null : value,
      ifUnset: (before?.ifUnset ?? true) && m[3] === '?',
      override: (before?.override ?? false) || /\boverride\b/.test(m[1]!),
    });
  }
  return out;
}

/**
 * The value of an assignment, from the text after its `=`: up to its comment (the first `#` no
 * backslash escapes), the blanks around it taken out. Scanned in code: a lazy group or a `[ \t]*`
 * before an anchor is quadratic on a long line of blanks (review24 R1).
 */
function assignedValue(rest: string): string {
  let to = rest.length;
  for (let i = rest.indexOf('#'); i !== -1; i = rest.indexOf('#', i + 1)) {
    if (rest[i - 1] !== '\\') {
      to = i;
      break;
    }
  }
  let from = 0;
  while (from < to && (rest[from] === ' ' || rest[from] === '\t')) from++;
  while (to > from && (rest[to - 1] === ' ' || rest[to - 1] === '\t' || rest[to - 1] === '\r')) to--;
  return rest.slice(from, to);
}

/**
 * What the repository's make runs give variables (`make patch-probe APP=api`, `APP=api make
 * patch-probe`, `$(MAKE) -C sub APP=api` in a recipe): name → the values, null where one is known
 * only at run time (`APP=${{ matrix.app }}`).
 */
export interface MakeOverrides {
  /** Given on make's command line: they replace the Makefile's assignments (but `override` ones). */
  commandLine: Map<string, Set<string> | null>;
  /** In make's environment: they replace `?=` assignments only (every assignment under `make -e`). */
  environment: Map<string, Set<string> | null>;
  /** A make run reads the environment over the Makefile (`make -e`). */
  environmentFirst: boolean;
  /**
   * The environments of the scripts that run make, by name: a pipeline's `env:`/`variables:`, a
   * variable the script exports or sets otherwise (null: any value); undefined: not set there.
   */
  ambient: ((name: string) => string | null | undefined)[];
}

export const noOverrides = (): MakeOverrides => ({ commandLine: new Map(), environment: new Map(), environmentFirst: false, ambient: [] });

const add = (into: Map<string, Set<string> | null>, name: string, value: string | null) => {
  const had = into.get(name);
  if (had === null) return;
  if (value === null) into.set(name, null);
  else into.set(name, new Set([...(had ?? []), value]));
};

/** make's options that take the next word (GNU make: -C, -f, -I, -o, -W; -j and -l only attached or not at all here). */
const MAKE_VALUED = new Set(['-C', '-f', '-I', '-o', '-W', '--directory', '--file', '--makefile', '--include-dir', '--old-file', '--assume-old', '--what-if', '--new-file', '--assume-new']);

/**
 * Reads one call of a script as a make run, into `into`: its command word (through `env X=1`,
 * `sudo`, `timeout` and the like: `next` says where a wrapper's command starts) is `make`,
 * `gmake` or make's own `$(MAKE)`; the variables of its words (`VAR=value`) and of its
 * environment (the call's `VAR=value` before it, `env VAR=value`). Whether it is one: the result.
 */
export function readMakeRun(call: ShCall, words: readonly ResolvedWord[], resolve: (w: ShWord) => ResolvedWord, next: (texts: readonly string[], at: number) => number | undefined, into: MakeOverrides): boolean {
  const texts = words.map((w) => w.text);
  const env: [string, string | null][] = call.assigns.map((a) => {
    const v = a.value ? resolve(a.value) : { text: '', unresolved: [] };
    return [a.name, a.append || v.unresolved.length > 0 ? null : v.text];
  });
  let i = 0;
  for (let guard = 0; guard < 8 && i < texts.length; guard++) {
    const name = texts[i]!.slice(texts[i]!.lastIndexOf('/') + 1);
    if (name === 'make' || name === 'gmake' || /^\$[({]MAKE[)}]$/.test(texts[i]!)) break;
    if (['exec', 'command', 'builtin'].includes(texts[i]!)) {
      i++;
      continue;
    }
    const n = next(texts, i);
    if (n === undefined) return false;
    // `env A=1 B=2 make`: the assignments before the command.
    for (let k = i + 1; k < n; k++) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(texts[k]!);
      if (m) env.push([m[1]!, words[k]!.unresolved.length > 0 ? null : m[2]!]);
    }
    i = n;
  }
  const at = texts[i];
  if (at === undefined || !(/(?:^|\/)g?make$/.test(at) || /^\$[({]MAKE[)}]$/.test(at))) return false;
  for (let k = i + 1; k < texts.length; k++) {
    const t = texts[k]!;
    if (MAKE_VALUED.has(t)) {
      k++;
      continue;
    }
    if (t === '--environment-overrides' || (/^-[a-zA-Z]*e[a-zA-Z]*$/.test(t) && !/[CfIoWjl]/.test(t.slice(1, t.indexOf('e'))))) into.environmentFirst = true;
    if (t.startsWith('-')) continue;
    // `VAR=value`, `VAR:=value`; `VAR+=value` appends to what the Makefile gives: any value.
    const m = /^([^\s=:+?!#]+?)(\+|\?|:{0,3})=([\s\S]*)$/.exec(t);
    if (m) add(into.commandLine, m[1]!, m[2] === '+' || words[k]!.unresolved.length > 0 ? null : m[3]!);
  }
  for (const [name, value] of env) add(into.environment, name, value);
  return true;
}

/**
 * The values make may give each of the Makefile's variables set to a literal: its own (makeVariables),
 * and those the repository's make runs give it (`overrides`, read only when a variable has a
 * literal value): a command-line value replaces the Makefile's (but an `override` assignment's), an
 * environment value a `?=` one (any under `make -e`). GNU make manual, "Overriding Variables",
 * "Variables from the Environment". null: a value known only at run time.
 */
export function makeVariableValues(text: string, overrides: () => MakeOverrides): Map<string, string[] | null> {
  const assignments = makeAssignments(text);
  const out = new Map<string, string[] | null>();
  let o: MakeOverrides | undefined;
  for (const [name, a] of assignments) {
    if (a.value === null) {
      out.set(name, null);
      continue;
    }
    o ??= overrides();
    const values = new Set([a.value]);
    let unknown = false;
    const take = (given: Set<string> | null | undefined) => {
      if (given === null) unknown = true;
      else for (const v of given ?? []) values.add(v);
    };
    if (!a.override) take(o.commandLine.get(name));
    if (!a.override && (a.ifUnset || o.environmentFirst)) {
      take(o.environment.get(name));
      for (const env of o.ambient) {
        const v = env(name);
        if (v !== undefined) take(v === null ? null : new Set([v]));
      }
    }
    out.set(name, unknown ? null : [...values]);
  }
  return out;
}

/** At most this many readings of one recipe line, one per value of its variables; beyond, they are values known only at run time. */
const MAX_READINGS = 8;

/**
 * A recipe line with the references to the Makefile's literal variables (`$(KUBECTL)` of
 * `KUBECTL ?= kubectl`) put in place as make does before the shell reads the line, once for each
 * value a variable may have (`APP ?= web` and a `make … APP=api`: two readings); the others stay
 * values known only at run time. `at`: the Makefile offset of each character.
 */
export function expandMakeVariables(l: RecipeLine, references: Recipes['references'], values: ReadonlyMap<string, readonly string[] | null>): { script: string; at: number[] }[] {
  const refs = [...l.script.matchAll(MARKER)].map((m) => {
    const ref = references[Number(m[1])]!;
    const name = /^\$[({]([A-Za-z_][\w.-]*)[)}]$/.exec(ref.text)?.[1];
    return { index: m.index, length: m[0].length, start: ref.start, name, values: name !== undefined ? values.get(name) ?? undefined : undefined };
  });
  // One choice per variable (a variable read twice in the line has one value in both places).
  const names = [...new Set(refs.flatMap((r) => (r.name !== undefined && r.values && r.values.length > 1 ? [r.name] : [])))];
  let readings: Map<string, string>[] = [new Map()];
  for (const n of names) {
    const next = readings.flatMap((r) => values.get(n)!.map((v) => new Map([...r, [n, v]])));
    if (next.length > MAX_READINGS) break;
    readings = next;
  }
  return readings.map((chosen) => {
    let script = '';
    const at: number[] = [];
    let last = 0;
    for (const r of refs) {
      const vs = r.values;
      const value = r.name !== undefined && vs ? (vs.length === 1 ? vs[0] : chosen.get(r.name)) : undefined;
      if (value === undefined) continue;
      script += l.script.slice(last, r.index);
      at.push(...l.at.slice(last, r.index));
      script += value;
      for (let k = 0; k < value.length; k++) at.push(r.start);
      last = r.index + r.length;
    }
    script += l.script.slice(last);
    at.push(...l.at.slice(last));
    return { script, at };
  });
}

/**
 * Whether make puts each of the Makefile's variables in the environment of the recipes' shell
 * (GNU make "Communicating Variables to a Sub-make"; the recipe reads it as `$$NAME`, `$${NAME}`):
 * true where it is exported (`export NAME = value`, `export NAME` or `export A B` on a line of its
 * own, `override export …`, `export define NAME`), or every variable is (`export` alone, the
 * special target `.EXPORT_ALL_VARIABLES:`); false where it is not (the default, `unexport NAME`,
 * `unexport` alone); the last such line of a name wins, `.EXPORT_ALL_VARIABLES` wherever it
 * stands. null: not known, a line in a conditional (`ifdef CI … endif`) or names that a make
 * reference computes (`export $(VARS)`). A variable make does not export but found in its own
 * environment, or given on its command line, is exported all the same: recipeEnvironment.
 * Read as makeAssignments reads assignments: lines outside rules' recipes and `define` bodies.
 */
export function makeExports(text: string): (name: string) => boolean | null {
  const names = new Map<string, boolean | null>();
  let all: boolean | null = false;
  let allTarget: boolean | null = false;
  // `export $(VARS)`, `unexport $(VARS)`: which names, known only when make runs.
  let computedExport = false;
  let computedUnexport = false;
  let defines = 0;
  let conditionals = 0;
  for (const { start, end } of logicalLines(text)) {
    // A directive continued onto the next lines (`export \` / `  KC`) is read as one line, as make reads it (review24 R6).
    const raw = joinedLine(text.slice(start, end));
    if (defines > 0) {
      if (DEFINE.test(raw)) defines++;
      else if (ENDEF.test(raw)) defines--;
      continue;
    }
    if (raw.startsWith('\t')) continue;
    const line = raw.slice(0, commentStart(raw));
    const cond = CONDITIONAL.exec(line)?.[1];
    if (cond !== undefined) {
      if (cond.startsWith('if')) conditionals++;
      else if (cond === 'endif') conditionals = Math.max(0, conditionals - 1);
      continue;
    }
    const state = (exported: boolean) => (conditionals > 0 ? null : exported);
    const set = (name: string, exported: boolean) => names.set(name, state(exported));
    if (DEFINE.test(line)) {
      defines++;
      const m = /^[ \t]*((?:(?:override|export|private)[ \t]+)*)define[ \t]+([A-Za-z_][\w.-]*)/.exec(line);
      if (m && /\bexport\b/.test(m[1]!)) set(m[2]!, true);
      continue;
    }
    const bare = /^[ \t]*(export|unexport)[ \t]*\r?$/.exec(line);
    if (bare) {
      all = state(bare[1] === 'export');
      continue;
    }
    const assign = /^[ \t]*((?:(?:export|unexport|override|private)[ \t]+)+)([A-Za-z_][\w.-]*)[ \t]*(?:\?|\+|!|:{1,3})?=/.exec(line);
    if (assign) {
      if (/\bexport\b/.test(assign[1]!)) set(assign[2]!, true);
      else if (/\bunexport\b/.test(assign[1]!)) set(assign[2]!, false);
      continue;
    }
    // `export A B`: the words after the directive, trimmed in code (a lazy group before `[ \t]*$` is quadratic on a long line: review24 R1).
    const list = /^[ \t]*(export|unexport)[ \t]+/.exec(line);
    const words = list ? line.slice(list[0].length).trim() : '=';
    if (list && !words.includes('=')) {
      for (const word of words.split(/[ \t]+/)) {
        if (word.includes('$')) {
          if (list[1] === 'export') computedExport = true;
          else computedUnexport = true;
        } else set(word, list[1] === 'export');
      }
      continue;
    }
    if (isRuleLine(line)) {
      const plain = maskReferences(line);
      const targets = plain.slice(0, ruleColon(plain)).split(/[ \t]+/);
      if (targets.includes('.EXPORT_ALL_VARIABLES')) allTarget = allTarget === true ? true : state(true);
    }
  }
  const everything = allTarget === true || all === true ? true : allTarget === null || all === null ? null : false;
  return (name) => {
    const s = names.get(name) ?? (names.has(name) ? null : everything);
    if (s === true) return computedUnexport ? null : true;
    if (s === false) return computedExport ? null : false;
    return null;
  };
}

/**
 * The values the recipes' shell may read in each variable of the Makefile's make gives it
 * (makeExports), by name: one reading per value (a value known only at run time: null), or
 * undefined where make gives the shell nothing the tool knows (the variable's value, if any, is
 * the caller's environment's: known only at run time, as any variable a script does not set).
 * `values`: make's values of the Makefile's variables (makeVariableValues).
 *
 * An exported variable has make's values. One make does not export is in the recipe's environment
 * all the same in a run that gives it on make's command line or in make's environment (GNU make
 * exports a variable that came from either); the repository's make runs that so give it
 * (`overrides`) add make's values to the reading of an environment known only at run time (null).
 * So does an export in a conditional.
 */
export function recipeEnvironment(text: string, values: ReadonlyMap<string, readonly string[] | null>, overrides: () => MakeOverrides): (name: string) => readonly (string | null)[] | undefined {
  const exported = makeExports(text);
  const known = new Map<string, readonly (string | null)[] | undefined>();
  let o: MakeOverrides | undefined;
  return (name) => {
    if (known.has(name)) return known.get(name);
    const own = values.get(name);
    const state = exported(name);
    let out: (string | null)[] | undefined;
    if (state === true && own !== undefined) out = own === null ? undefined : [...own];
    else {
      o ??= overrides();
      // What the runs that give it give: each a set of values, or null (any).
      const given: (Set<string> | null)[] = [];
      for (const g of [o.commandLine.get(name), o.environment.get(name), ...o.ambient.map((env) => env(name))]) {
        if (g !== undefined) given.push(typeof g === 'string' ? new Set([g]) : g);
      }
      if (state === null || given.length > 0) {
        // Make's values where the Makefile sets it (those runs' among them), else what the runs give.
        const vs = own !== undefined ? own : given.includes(null) ? null : [...new Set(given.flatMap((g) => [...g!]))];
        if (vs !== null && vs.length > 0) out = [...vs, null];
      }
    }
    known.set(name, out);
    return out;
  };
}

/**
 * The environments to read a recipe line's script in (Script.outer): one per choice of a value
 * for each variable the script reads (`$NAME`, `${NAME}`) that make gives it (recipeEnvironment),
 * at most MAX_READINGS (beyond, the rest are known only at run time); [undefined] when it reads none.
 */
export function recipeEnvironments(script: string, env: (name: string) => readonly (string | null)[] | undefined): (((name: string) => string | undefined) | undefined)[] {
  if (!script.includes('$')) return [undefined];
  const read = new Map<string, readonly (string | null)[]>();
  for (const m of script.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const name = m[1]!;
    if (read.has(name) || name.startsWith('__MK')) continue;
    const vs = env(name);
    if (vs) read.set(name, vs);
  }
  if (read.size === 0) return [undefined];
  let readings: Map<string, string | null>[] = [new Map()];
  for (const [name, vs] of read) {
    const next = readings.flatMap((r) => vs.map((v) => new Map([...r, [name, v]])));
    if (next.length <= MAX_READINGS) readings = next;
  }
  return readings.map((r) => (name: string) => r.get(name) ?? undefined);
}

/**
 * ts-morph, loaded on first use: importing it costs several hundred milliseconds, and most scans
 * have no TypeScript file that mentions the binary. Everything else imports only its types.
 */
import { createRequire } from 'node:module';
import type * as TsMorph from 'ts-morph';

export type TsMorphModule = typeof TsMorph;

let loaded: TsMorphModule | undefined;

export function tsMorph(): TsMorphModule {
  if (!loaded) loaded = createRequire(import.meta.url)('ts-morph') as TsMorphModule;
  return loaded;
}

/** True once ts-morph was loaded in this process (tests check that a YAML-only scan never does). */
export function tsMorphLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * A project that lives in memory and never looks at the disk: no tsconfig, no imports followed,
 * no lib files. Only single files are read, and only their syntax and their own constants matter.
 */
export function createProject(): TsMorph.Project {
  const { Project } = tsMorph();
  return new Project({
    useInMemoryFileSystem: true,
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: { allowJs: true, noLib: true, noResolve: true },
  });
}

export interface SyntaxProblem {
  offset: number;
  message: string;
}

/** Syntax errors only (never type errors: the file is read alone, without its imports). */
export function syntaxProblems(project: TsMorph.Project, file: TsMorph.SourceFile): SyntaxProblem[] {
  const { ts } = tsMorph();
  return project
    .getProgram()
    .getSyntacticDiagnostics(file)
    .map((d) => ({ offset: d.getStart() ?? 0, message: ts.flattenDiagnosticMessageText(d.compilerObject.messageText, ' ') }));
}

let verifier: TsMorph.Project | undefined;

/**
 * Why a rewritten file would not parse, or undefined when it does. The verifier table passes no
 * file name, so the text is read as TypeScript and, failing that, as JavaScript (whose parser
 * differs on a few constructs, e.g. `<T>x` is JSX there): a rewrite that breaks the syntax breaks both.
 */
export function typescriptSyntaxError(text: string): string | undefined {
  verifier ??= createProject();
  const project = verifier;
  let first: string | undefined;
  for (const name of ['/verify.ts', '/verify.js']) {
    const file = project.createSourceFile(name, text, { overwrite: true });
    try {
      const problems = syntaxProblems(project, file);
      if (problems.length === 0) return undefined;
      if (first === undefined) {
        const p = problems[0]!;
        const { line, column } = file.getLineAndColumnAtPos(p.offset);
        first = `${p.message} at line ${line}, column ${column}`;
      }
    } finally {
      project.removeSourceFile(file);
    }
  }
  return first;
}

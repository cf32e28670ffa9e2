/**
 * File names on the wire: where a program's entry goes, and which names are refused. The
 * API checks them before a job is queued; the runtimes, which turn names into command
 * lines, check them again.
 */

/** what a runtime says of its files (RuntimeInfo has it) */
export interface EntryRule {
  /** the entry's name in /box when given under another name (Java: `Main.java`) */
  readonly sourceFile: string;
  /** extensions of the language, with the dot */
  readonly extensions: readonly string[];
}

/** The entry goes where the runtime wants it (Main.java), keeping a variant extension (.mjs). */
export function entryName(runtime: EntryRule, given: string): string {
  const ext = extension(given).toLowerCase();
  const defaultExt = extension(runtime.sourceFile);
  if (ext !== defaultExt && runtime.extensions.includes(ext))
    return runtime.sourceFile.slice(0, -defaultExt.length) + ext;
  return runtime.sourceFile;
}

/** node's path.extname, without node (the client and pages use this module too) */
function extension(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

/**
 * Why a file name a client sends cannot be taken, or undefined. Beyond a plain relative
 * path (the engine's rule), no part may start with `-` and the file's own name not with
 * `@`: tools read a leading `-` as an option, and gcc, g++ and javac read `@name` as
 * "take options from the file name" — gcc even when given `./@x.c`, as it hands the base
 * name to cc1 (`-dumpbase @x.c`), which expands it from the work dir. A `@` directory
 * (`node_modules/@types/…`) is fine.
 */
export function fileNameProblem(name: string): string | undefined {
  const parts = name.split('/');
  if (parts.some((p) => p.startsWith('-')))
    return `no part may start with "-" (a program would read it as an option): ${JSON.stringify(name)}`;
  if ((parts.at(-1) ?? '').startsWith('@'))
    return `must not start with "@" (a compiler would read options from it): ${JSON.stringify(name)}`;
  return undefined;
}

/**
 * Judge0's language ids for our runtimes (db/languages/active.rb) and for its own
 * languages (own-languages.ts), the names it gives them with this server's versions, and
 * what GET /languages, /languages/all and /languages/:id answer.
 */
import type { RuntimeInfo } from '@codebox/protocol';
import { OWN_LANGUAGES, ownLanguage } from './own-languages.js';

/**
 * Judge0's ids for our languages. Judge0 1.13.1 lists three GCCs as active (7.4.0: 48 and
 * 52, 8.3.0: 49 and 53, 9.2.0: 50 and 54), and the official SDK's ids for C and C++ are
 * 50 and 52: each runs this server's GCC, under its name (none is archived).
 */
export const JUDGE0_LANGUAGES: readonly { id: number; runtime: string }[] = [
  // Judge0's own: Plain Text, Executable (own-languages.ts)
  ...OWN_LANGUAGES.filter((l) => l.id < 46).map(({ id, runtime }) => ({ id, runtime })),
  { id: 46, runtime: 'bash' },
  { id: 48, runtime: 'c' },
  { id: 49, runtime: 'c' },
  { id: 50, runtime: 'c' },
  { id: 52, runtime: 'cpp' },
  { id: 53, runtime: 'cpp' },
  { id: 54, runtime: 'cpp' },
  { id: 60, runtime: 'go' },
  { id: 62, runtime: 'java' },
  { id: 63, runtime: 'javascript' },
  { id: 64, runtime: 'lua' },
  { id: 68, runtime: 'php' },
  { id: 71, runtime: 'python' },
  { id: 72, runtime: 'ruby' },
  { id: 73, runtime: 'rust' },
  { id: 74, runtime: 'typescript' },
  // Judge0's own: Multi-file program
  ...OWN_LANGUAGES.filter((l) => l.id > 74).map(({ id, runtime }) => ({ id, runtime })),
];

const NAMES: Readonly<Record<string, (v: string) => string>> = {
  bash: (v) => `Bash (${v})`,
  c: (v) => `C (GCC ${v})`,
  cpp: (v) => `C++ (GCC ${v})`,
  go: (v) => `Go (${v})`,
  java: (v) => `Java (OpenJDK ${v})`,
  javascript: (v) => `JavaScript (Node.js ${v})`,
  lua: (v) => `Lua (${v})`,
  php: (v) => `PHP (${v})`,
  python: (v) => `Python (${v})`,
  ruby: (v) => `Ruby (${v})`,
  rust: (v) => `Rust (${v})`,
  typescript: (v) => `TypeScript (${v})`,
};

export function judge0Name(rt: RuntimeInfo): string {
  return NAMES[rt.id]?.(rt.version) ?? `${rt.name} (${rt.version})`;
}

/** the name of a language id: Judge0's own for its own languages, else the runtime's with its version */
export const languageName = (id: number, rt: RuntimeInfo): string => ownLanguage(id)?.name ?? judge0Name(rt);

/** compiler_options are for a language with a compile step; Judge0's own languages have none */
export const takesCompilerOptions = (id: number, rt: RuntimeInfo): boolean => !ownLanguage(id) && rt.compiled;

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);

/** Judge0 language id → the runtime the live workers offer for it */
export function languageRuntimes(runtimes: readonly RuntimeInfo[]): Map<number, RuntimeInfo> {
  const have = new Map(runtimes.map((rt) => [rt.id, rt]));
  return new Map(
    JUDGE0_LANGUAGES.filter((l) => have.has(l.runtime)).map((l) => [l.id, have.get(l.runtime) as RuntimeInfo]),
  );
}

/** GET /languages: the ids that are not archived (none here), by name */
export function activeLanguages(ids: ReadonlyMap<number, RuntimeInfo>): { id: number; name: string }[] {
  return [...ids].map(([id, rt]) => ({ id, name: languageName(id, rt) })).sort(byName);
}

/** GET /languages/all: every id, saying which are archived (none here), by name */
export function allLanguages(
  ids: ReadonlyMap<number, RuntimeInfo>,
): { id: number; name: string; is_archived: boolean }[] {
  return [...ids].map(([id, rt]) => ({ id, name: languageName(id, rt), is_archived: false })).sort(byName);
}

/** GET /languages/:id: the source file and the commands, each as one line; Judge0's own say Judge0's */
export function languageDetail(id: number, rt: RuntimeInfo): Record<string, unknown> {
  const own = ownLanguage(id);
  return {
    id,
    name: languageName(id, rt),
    is_archived: false,
    source_file: own ? own.source_file : rt.sourceFile,
    compile_cmd: !own && rt.compileCommand ? rt.compileCommand.join(' ') : null,
    run_cmd: own ? own.run_cmd : rt.runCommand ? rt.runCommand.join(' ') : null,
  };
}

/**
 * Judge0's own languages, which are ways to run files rather than languages
 * (db/languages/active.rb, isolate_job.rb): 43 Plain Text, whose output is its source
 * (`/bin/cat text.txt`); 44 Executable, whose source is a program (`/bin/chmod +x a.out
 * && ./a.out`); 89 Multi-file program, whose additional files are the program — a `run`
 * script and maybe a `compile` one, each run with bash, source_code empty. Their names
 * and commands as Judge0 lists them, the runtime each runs on here, and its job's files.
 *
 * Plain Text and Executable run on bash, through a fixed script of ours as the entry:
 * the client's bytes are a file it names and its arguments are argv, never script text.
 */
import type { FileInput } from '@codebox/protocol';

export interface OwnLanguage {
  readonly id: number;
  /** the runtime it runs on here */
  readonly runtime: 'bash' | 'project';
  /** GET /languages/:id, as Judge0 1.13.1 says it */
  readonly name: string;
  readonly source_file: string | null;
  readonly run_cmd: string | null;
  /** Judge0's project: source_code must be blank, and additional_files is the program */
  readonly project: boolean;
  /** the job's files, before the additional ones: the entry, and the source where it goes */
  readonly files: (source: string) => FileInput[];
  /** whether command_line_arguments reach the program (a project's run script is the client's own) */
  readonly args: boolean;
}

const driven = (script: string, sourceFile: string) => (source: string) => [
  { name: 'main.sh', content: script },
  { name: sourceFile, content: source, encoding: 'base64' as const },
];

export const OWN_LANGUAGES: readonly OwnLanguage[] = [
  {
    id: 43,
    runtime: 'bash',
    name: 'Plain Text',
    source_file: 'text.txt',
    run_cmd: '/bin/cat text.txt',
    project: false,
    files: driven('exec cat text.txt "$@"\n', 'text.txt'),
    args: true,
  },
  {
    id: 44,
    runtime: 'bash',
    name: 'Executable',
    source_file: 'a.out',
    run_cmd: '/bin/chmod +x a.out && ./a.out',
    project: false,
    files: driven('chmod +x a.out && exec ./a.out "$@"\n', 'a.out'),
    args: true,
  },
  {
    id: 89,
    runtime: 'project',
    name: 'Multi-file program',
    source_file: null,
    run_cmd: null,
    project: true,
    files: () => [],
    args: false,
  },
];

export const ownLanguage = (id: number | undefined): OwnLanguage | undefined => OWN_LANGUAGES.find((l) => l.id === id);

/** the run script a project's archive must hold: the project runtime's entry */
const RUN_SCRIPT = 'run';

/** a project's additional files, its run script first */
export function projectFiles<F extends { name: string }>(files: readonly F[]): F[] {
  return [...files.filter((f) => f.name === RUN_SCRIPT), ...files.filter((f) => f.name !== RUN_SCRIPT)];
}

/**
 * What is wrong with the additional files for the language, under additional_files, or
 * undefined: a project without a run script would only fail as it starts (Judge0 runs
 * `bash run` all the same, exit 127), so it is refused with what it lacks.
 */
export function filesProblem(
  languageId: number,
  files: readonly { name: string }[],
): { additional_files: string[] } | undefined {
  if (!ownLanguage(languageId)?.project || files.some((f) => f.name === RUN_SCRIPT)) return undefined;
  return {
    additional_files: [
      `must hold a run script, ${RUN_SCRIPT}, which is run with bash (and may hold compile, run first)`,
    ],
  };
}

/**
 * `codebox run FILE [flags] [-- ARGS...]`, parsed. Pure: tested without a box. The limit
 * flags are exec's; each also comes as --compile-<flag> for the compile step.
 */
import type { Limits, NetworkMode } from '@codebox/sandbox';
import { LIMIT_FLAGS, setLimit } from './exec-args.js';
import { walkFlags } from './flags.js';
import { UsageError } from './usage-error.js';

export interface RunArgs {
  readonly file: string;
  readonly lang: string | undefined;
  readonly limits: Partial<Limits>;
  readonly compileLimits: Partial<Limits>;
  readonly stdinFile: string | undefined;
  readonly network: NetworkMode;
  readonly rootfs: string | undefined;
  readonly json: boolean;
  /** after `--`: the program's own arguments */
  readonly args: string[];
}

const COMPILE_FLAGS = Object.fromEntries(
  Object.entries(LIMIT_FLAGS).map(([flag, v]) => [`--compile-${flag.slice(2)}`, v]),
);

export function parseRunArgs(argv: readonly string[]): RunArgs {
  const limits: Partial<Record<keyof Limits, number>> = {};
  const compileLimits: Partial<Record<keyof Limits, number>> = {};
  let file: string | undefined;
  let lang: string | undefined;
  let stdinFile: string | undefined;
  let network: NetworkMode = 'none';
  let rootfs: string | undefined;
  let json = false;
  const first = walkFlags(
    argv,
    (flag, value) => {
      if (LIMIT_FLAGS[flag]) setLimit(limits, flag, value());
      else if (COMPILE_FLAGS[flag]) setLimit(compileLimits, flag, value(), COMPILE_FLAGS);
      else if (flag === '--lang') lang = value();
      else if (flag === '--stdin') stdinFile = value();
      else if (flag === '--net') network = 'loopback';
      else if (flag === '--rootfs') rootfs = value();
      else if (flag === '--json') json = true;
      else throw new UsageError(`unknown flag ${flag} (see codebox run --help)`);
    },
    (arg) => {
      if (file !== undefined)
        throw new UsageError(`one file only (got ${file} and ${arg}); the program's arguments go after --`);
      file = arg;
    },
  );
  if (file === undefined) throw new UsageError('no file given: codebox run FILE [flags] [-- ARGS...]');
  return { file, lang, limits, compileLimits, stdinFile, network, rootfs, json, args: argv.slice(first) };
}

export const RUN_HELP = `usage: codebox run FILE [flags] [-- ARGS...]

Compiles FILE if its language compiles (in a box of its own), then runs it in a fresh box
with ARGS; stdin passes through unless --stdin. The language comes from FILE's extension
unless --lang says (codebox runtimes lists them). Without --json, prints the compiler's
messages and the program's output as they come, and exits with the program's exit code
(128+N for signal N; 1 for a compile error).

  --lang L      language id or alias (cpp, python, java, …)
  --stdin FILE  the program's stdin, from a file
  --json        one JSON object: the verdict, output and accounting, and \`compile\`
  --rootfs R    host, image or a directory (default: image when built, else host)
  --net         loopback networking inside the box

  Limits, as in codebox exec: --time --wall --mem --pids --output --fsize --nofile
  --stack --disk --tmp --cpus; the same with --compile- for the compile step
  (--compile-time 20s, --compile-mem 2g).`;

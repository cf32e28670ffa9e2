/**
 * `codebox exec [flags] -- CMD [ARGS...]`, parsed into a RunSpec's parts. Pure: tested
 * without a box. Limit flags are table-driven: flag, limit field, parser, what it takes.
 */
import type { Limits, NetworkMode } from '@codebox/sandbox';
import { parseCores, parseCount, parseDuration, parseSize } from './units.js';
import { walkFlags } from './flags.js';
import { UsageError } from './usage-error.js';

export interface ExecArgs {
  readonly command: string[];
  readonly limits: Partial<Limits>;
  readonly network: NetworkMode;
  readonly rootfs: string | undefined;
  readonly json: boolean;
  readonly env: Record<string, string>;
}

type Parser = (text: string) => number | undefined;

export const LIMIT_FLAGS: Readonly<Record<string, [keyof Limits, Parser, string]>> = {
  '--time': ['cpuMs', parseDuration, 'a duration such as 2s or 500ms'],
  '--wall': ['wallMs', parseDuration, 'a duration such as 5s or 1500ms'],
  '--mem': ['memoryBytes', parseSize, 'a size such as 256m or 1g'],
  '--pids': ['pids', parseCount, 'a whole number'],
  '--output': ['outputBytes', parseSize, 'a size such as 1m or 64k'],
  '--fsize': ['fileSizeBytes', parseSize, 'a size such as 16m'],
  '--nofile': ['openFiles', parseCount, 'a whole number'],
  '--stack': ['stackBytes', parseSize, 'a size such as 64m'],
  '--disk': ['workDirBytes', parseSize, 'a size such as 64m'],
  '--tmp': ['tmpBytes', parseSize, 'a size such as 64m'],
  '--cpus': ['cpus', parseCores, 'a number of cores such as 1 or 0.5'],
};

/** PATH and friends for the CLI's convenience; the engine itself passes nothing in. */
export const DEFAULT_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/box',
  LANG: 'C.UTF-8',
};

export function parseExecArgs(argv: readonly string[]): ExecArgs {
  const limits: Partial<Record<keyof Limits, number>> = {};
  const env: Record<string, string> = { ...DEFAULT_ENV };
  let network: NetworkMode = 'none';
  let rootfs: string | undefined;
  let json = false;
  const first = walkFlags(
    argv,
    (flag, value) => {
      if (LIMIT_FLAGS[flag]) {
        setLimit(limits, flag, value());
      } else if (flag === '--net') {
        network = 'loopback';
      } else if (flag === '--json') {
        json = true;
      } else if (flag === '--rootfs') {
        rootfs = value();
      } else if (flag === '--env') {
        const kv = value();
        const at = kv.indexOf('=');
        if (at <= 0) throw new UsageError(`--env: "${kv}" is not NAME=VALUE`);
        env[kv.slice(0, at)] = kv.slice(at + 1);
      } else {
        throw new UsageError(`unknown flag ${flag} (see codebox exec --help)`);
      }
    },
    () => 'stop', // the command starts at the first word that is not a flag
  );
  const command = argv.slice(first);
  if (command.length === 0) throw new UsageError('no command given: codebox exec [flags] -- CMD [ARGS...]');
  return { command, limits, network, rootfs, json, env };
}

/** parses a limit flag's value into `into` (e.g. --mem 256m → memoryBytes) */
export function setLimit(
  into: Partial<Record<keyof Limits, number>>,
  flag: string,
  text: string,
  table = LIMIT_FLAGS,
): void {
  const limit = table[flag];
  if (!limit) throw new UsageError(`unknown flag ${flag}`);
  const [field, parse, expected] = limit;
  const n = parse(text);
  if (n === undefined) throw new UsageError(`${flag}: "${text}" is not ${expected}`);
  into[field] = n;
}

export const EXEC_HELP = `usage: codebox exec [flags] -- CMD [ARGS...]

Runs CMD in a fresh box; stdin passes through. Without --json, prints the program's
stdout and stderr as they come and exits with its exit code (128+N for signal N).

  --time D      cpu time limit (e.g. 2s, 500ms)        --wall D     wall time limit
  --mem S       memory limit, no swap (e.g. 256m, 1g)  --pids N     processes and threads
  --output S    bytes kept per stream; more kills it   --cpus C     cpu share in cores
  --fsize S     largest file                           --nofile N   open files
  --stack S     stack size                             --disk S     work dir /box size
  --tmp S       /tmp size                              --env K=V    add to the environment
  --net         loopback networking inside the box     --rootfs R   host, image or a directory
  --json        print one JSON object with the verdict and accounting

Durations take ms or s, sizes k, m or g. Defaults and maxima: codebox limits.`;

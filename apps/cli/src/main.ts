/**
 * codebox's command line. Mistakes in what the user typed are UsageErrors: one line on
 * stderr and exit 2. A failure of the sandbox itself is one line and exit 1 (with
 * --json, a JSON object with status INTERNAL_ERROR).
 */
import { COMPILE_DEFAULTS, RootfsError } from '@codebox/runtimes';
import { DEFAULT_LIMITS, LimitError, MAX_LIMITS, SandboxError, SpecError } from '@codebox/sandbox';
import { loadConfig } from './config.js';
import { EXEC_HELP } from './exec-args.js';
import { doctorCommand } from './doctor.js';
import { execCommand } from './exec.js';
import { RUN_HELP } from './run-args.js';
import { AbsentError, runCommand } from './run.js';
import { runtimesCommand } from './runtimes-command.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: codebox <command>

  run FILE [flags] [-- ARGS...]   compile and run a program (codebox run --help)
  runtimes [--json]               the languages this host's root has, with versions
  exec [flags] -- CMD [ARGS...]   run a command in a fresh box (codebox exec --help)
  session create|exec|cp|shell|rm  a running service's sessions (codebox session help)
  doctor                          is this host ready? and what a box sees beside the host
  limits                          print the default and maximum limits as JSON
  help                            this text`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'exec':
      if (rest[0] === '--help' || rest[0] === '-h') return print(EXEC_HELP);
      return execCommand(rest, loadConfig(process.env));
    case 'run':
      if (rest[0] === '--help' || rest[0] === '-h') return print(RUN_HELP);
      return runCommand(rest, loadConfig(process.env));
    case 'runtimes':
      return runtimesCommand(rest, loadConfig(process.env));
    case 'session':
      // loaded only here: it needs the client, not the engine
      return (await import('./session.js')).sessionCommand(rest, process.env);
    case 'doctor':
      return doctorCommand(rest, loadConfig(process.env));
    case 'limits':
      return print(
        JSON.stringify({ defaults: DEFAULT_LIMITS, maxima: MAX_LIMITS, compileDefaults: COMPILE_DEFAULTS }, null, 2),
      );
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return print(HELP);
    default:
      throw new UsageError(
        `unknown command "${command}" (commands: run, runtimes, exec, session, doctor, limits, help)`,
      );
  }
}

function print(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

function fail(err: unknown): number {
  if (
    err instanceof UsageError ||
    err instanceof SpecError ||
    err instanceof LimitError ||
    err instanceof RootfsError
  ) {
    for (const line of err.message.split('\n')) process.stderr.write(`codebox: ${line}\n`);
    return 2;
  }
  const message =
    err instanceof SandboxError || err instanceof AbsentError
      ? err.message
      : `internal error: ${(err as Error)?.stack ?? String(err)}`;
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ status: 'INTERNAL_ERROR', message })}\n`);
  }
  process.stderr.write(`codebox: ${message.split('\n')[0]}\n`);
  return 1;
}

const code = await main(process.argv.slice(2)).catch(fail);
// stdin may still hold the event loop open (a terminal): the run is over, so is the CLI
process.stdout.write('', () => process.exit(code));

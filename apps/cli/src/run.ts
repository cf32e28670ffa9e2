/** `codebox run FILE`: a program in a language, compiled if need be, from the command line. */
import fs from 'node:fs';
import os from 'node:os';
import { chooseRoot, detectRuntimes, LANGUAGES, Registry, runProgram } from '@codebox/runtimes';
import type { DetectedRuntime, ProgramResult, Root, Runtime } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';
import type { Sandbox } from '@codebox/sandbox';
import type { CliConfig } from './config.js';
import { toJson } from '@codebox/model';
import { parseRunArgs } from './run-args.js';
import { UsageError } from './usage-error.js';

export async function runCommand(argv: readonly string[], config: CliConfig): Promise<number> {
  const args = parseRunArgs(argv);
  const all = new Registry<Runtime>('', LANGUAGES);
  const known = all.ids().join(', ');
  const language = args.lang ? all.find(args.lang) : all.forFile(args.file);
  if (!language) {
    throw new UsageError(
      args.lang
        ? `--lang: unknown language "${args.lang}" (known: ${known})`
        : `cannot tell the language of ${args.file} from its extension: use --lang (known: ${known})`,
    );
  }
  let source: Buffer;
  let stdin: Buffer | NodeJS.ReadStream = process.stdin;
  try {
    source = fs.readFileSync(args.file);
    if (args.stdinFile !== undefined) stdin = fs.readFileSync(args.stdinFile);
  } catch (err) {
    throw new UsageError(
      `cannot read ${(err as NodeJS.ErrnoException).path ?? args.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  const root = chooseRoot(args.rootfs ?? config.rootfs, config.dataDir);
  const sandbox = await createSandbox({ prestart: 0, ...config.sandbox });
  let result: ProgramResult;
  try {
    const runtime = await detectOne(sandbox, root, language);
    result = await runProgram(
      sandbox,
      runtime,
      {
        files: [{ name: args.file.split('/').pop() ?? args.file, content: source }],
        stdin,
        args: args.args,
        limits: args.limits,
        compileLimits: args.compileLimits,
        network: args.network,
        ...(root.path === undefined ? {} : { rootfs: root.path }),
      },
      undefined,
      args.json
        ? {}
        : {
            onOutput: (step, stream, chunk) =>
              (step === 'compile' || stream === 'stderr' ? process.stderr : process.stdout).write(chunk),
          },
    );
  } finally {
    await sandbox.close();
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(toJson(result))}\n`);
    return 0;
  }
  if (result.status === 'COMPILE_ERROR') {
    const c = result.compile;
    process.stderr.write(
      `codebox: COMPILE_ERROR${c && c.status !== 'RUNTIME_ERROR' ? ` (the compiler hit ${c.status}: cpu ${c.cpuMs} ms, wall ${c.wallMs} ms, memory ${c.memoryBytes} bytes)` : ''}\n`,
    );
    return 1;
  }
  if (result.status !== 'OK' && result.status !== 'RUNTIME_ERROR') {
    process.stderr.write(
      `codebox: ${result.status} (cpu ${result.cpuMs} ms, wall ${result.wallMs} ms, memory ${result.memoryBytes} bytes)\n`,
    );
  }
  if (result.signal !== null) return 128 + (os.constants.signals[result.signal as NodeJS.Signals] ?? 0);
  return result.exitCode ?? 1;
}

/** the one runtime a run needs, checked in the chosen root: absent is one clear line */
async function detectOne(sandbox: Sandbox, root: Root, runtime: Runtime): Promise<DetectedRuntime> {
  const d = await detectRuntimes(sandbox, root, [runtime]);
  const found = d.found[0];
  if (!found) throw new AbsentError(`${runtime.id}: ${d.absent[runtime.id]}`);
  return found;
}

/** a known language whose toolchain this root lacks: the host's problem, not the user's typing */
export class AbsentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AbsentError';
  }
}

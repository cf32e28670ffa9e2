/** `codebox exec`: one program in one box, from the command line. */
import os from 'node:os';
import { createSandbox, resolveLimits } from '@codebox/sandbox';
import { chooseRoot } from '@codebox/runtimes';
import type { RunResult } from '@codebox/sandbox';
import type { CliConfig } from './config.js';
import { parseExecArgs } from './exec-args.js';
import { toJson } from '@codebox/model';

export async function execCommand(argv: readonly string[], config: CliConfig): Promise<number> {
  const args = parseExecArgs(argv);
  // an impossible limit is the user's mistake (exit 2), found before any box is prepared
  resolveLimits(args.limits);
  const root = chooseRoot(args.rootfs ?? config.rootfs, config.dataDir);
  // one run per process: a prestarted spare would only be started to be killed
  const sandbox = await createSandbox({ prestart: 0, ...config.sandbox });
  let result: RunResult;
  try {
    result = await sandbox.run(
      {
        argv: args.command,
        env: args.env,
        stdin: process.stdin,
        limits: args.limits,
        network: args.network,
        ...(root.path === undefined ? {} : { rootfs: root.path }),
      },
      args.json
        ? {}
        : { onOutput: (stream, chunk) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk) },
    );
  } finally {
    await sandbox.close();
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(toJson(result))}\n`);
    return 0;
  }
  if (result.status !== 'OK' && result.status !== 'RUNTIME_ERROR') {
    process.stderr.write(
      `codebox: ${result.status} (cpu ${result.cpuMs} ms, wall ${result.wallMs} ms, memory ${result.memoryBytes} bytes)\n`,
    );
  }
  if (result.signal !== null) return 128 + (os.constants.signals[result.signal as NodeJS.Signals] ?? 0);
  return result.exitCode ?? 1;
}

/** `codebox runtimes [--json] [--rootfs R]`: the languages the chosen root has, with versions. */
import { chooseRoot, detectRuntimes, LANGUAGES } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';
import type { CliConfig } from './config.js';
import { UsageError } from './usage-error.js';

export async function runtimesCommand(argv: readonly string[], config: CliConfig): Promise<number> {
  let json = false;
  let rootfs: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--rootfs') {
      rootfs = argv[++i];
      if (rootfs === undefined) throw new UsageError('--rootfs needs a value');
    } else throw new UsageError(`unknown argument ${arg} (codebox runtimes [--json] [--rootfs R])`);
  }
  const root = chooseRoot(rootfs ?? config.rootfs, config.dataDir);
  const sandbox = await createSandbox({ prestart: 0, ...config.sandbox });
  const detection = await detectRuntimes(sandbox, root, LANGUAGES).finally(() => sandbox.close());
  const runtimes = detection.found.map((rt) => ({
    id: rt.id,
    name: rt.name,
    version: rt.version,
    aliases: rt.aliases,
    extensions: rt.extensions,
    sourceFile: rt.sourceFile,
    compiled: rt.compile !== undefined,
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ rootfs: root.name, runtimes, absent: detection.absent })}\n`);
    return 0;
  }
  const rows = [
    ['LANGUAGE', 'VERSION', 'COMPILED', 'ALIASES', 'NAME'],
    ...runtimes.map((r) => [r.id, r.version, r.compiled ? 'yes' : 'no', r.aliases.join(',') || '-', r.name]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(`root: ${root.name}\n`);
  for (const r of rows)
    process.stdout.write(
      `${r
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  for (const [id, why] of Object.entries(detection.absent)) process.stdout.write(`absent: ${id} (${why})\n`);
  return 0;
}

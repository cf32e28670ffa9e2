/**
 * The one flag walker the CLI's commands share: `--flag value`, `--flag=value`, and `--`
 * ending the flags. Each command says what a flag means and what a positional is.
 */
import { UsageError } from './usage-error.js';

/**
 * Walks argv: each flag goes to onFlag with a `value()` that takes its argument; each
 * positional goes to onPositional, which returns 'stop' to end the flags there. Returns
 * the index of the first argument after the flags (after `--`, or the stopping one).
 */
export function walkFlags(
  argv: readonly string[],
  onFlag: (flag: string, value: () => string) => void,
  onPositional: (arg: string) => 'stop' | void,
): number {
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return i + 1;
    if (!arg.startsWith('-') || arg === '-') {
      if (onPositional(arg) === 'stop') return i;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    onFlag(flag, () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    });
  }
  return i;
}

import os from 'node:os';

/**
 * A signal's number by its name, as the compatible APIs report it (Judge0's exit_signal,
 * Piston's "Caught fatal signal N"): Linux's numbers, which the boxes run under.
 */
export function signalNumber(name: string): number | undefined {
  return (os.constants.signals as Readonly<Record<string, number>>)[name];
}

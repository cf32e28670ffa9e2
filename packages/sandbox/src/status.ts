/**
 * A run's verdict: a closed set, switched on exhaustively, with stable strings on the wire.
 * Only what the engine itself returns: a step that compiles adds COMPILE_ERROR (the
 * runtimes' ProgramStatus), and the wire declares its own list (protocol/verdicts.ts),
 * held equal to these by @codebox/model.
 */
export const STATUSES = [
  'OK',
  'RUNTIME_ERROR',
  'TIME_LIMIT',
  'WALL_TIME_LIMIT',
  'MEMORY_LIMIT',
  'OUTPUT_LIMIT',
  'INTERNAL_ERROR',
] as const;

export type Status = (typeof STATUSES)[number];

export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}

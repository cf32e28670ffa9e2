/**
 * A run's verdict: a closed set, switched on exhaustively, with stable strings on the wire.
 * COMPILE_ERROR is given by callers that compile (the runtimes); the engine itself never
 * returns it.
 */
export const STATUSES = [
  'OK',
  'RUNTIME_ERROR',
  'TIME_LIMIT',
  'WALL_TIME_LIMIT',
  'MEMORY_LIMIT',
  'OUTPUT_LIMIT',
  'COMPILE_ERROR',
  'INTERNAL_ERROR',
] as const;

export type Status = (typeof STATUSES)[number];

export function isStatus(s: string): s is Status {
  return (STATUSES as readonly string[]).includes(s);
}

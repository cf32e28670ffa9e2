/** Judge0's statuses (status.rb): ids 1–14, each with its description, declared once. */

const DESCRIPTIONS = {
  IN_QUEUE: 'In Queue',
  PROCESSING: 'Processing',
  ACCEPTED: 'Accepted',
  WRONG_ANSWER: 'Wrong Answer',
  TIME_LIMIT_EXCEEDED: 'Time Limit Exceeded',
  COMPILATION_ERROR: 'Compilation Error',
  SIGSEGV: 'Runtime Error (SIGSEGV)',
  SIGXFSZ: 'Runtime Error (SIGXFSZ)',
  SIGFPE: 'Runtime Error (SIGFPE)',
  SIGABRT: 'Runtime Error (SIGABRT)',
  NZEC: 'Runtime Error (NZEC)',
  RUNTIME_ERROR_OTHER: 'Runtime Error (Other)',
  INTERNAL_ERROR: 'Internal Error',
  EXEC_FORMAT_ERROR: 'Exec Format Error',
} as const;

type StatusName = keyof typeof DESCRIPTIONS;

/** GET /statuses: [{id, description}], ids from 1 in the order above */
export const JUDGE0_STATUSES: readonly { id: number; description: string }[] = Object.values(DESCRIPTIONS).map(
  (description, i) => ({ id: i + 1, description }),
);

/** each status's id by name */
export const STATUS = Object.fromEntries(Object.keys(DESCRIPTIONS).map((name, i) => [name, i + 1])) as Readonly<
  Record<StatusName, number>
>;

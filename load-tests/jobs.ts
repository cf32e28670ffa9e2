/**
 * The jobs the scenarios send, each with what its answer must be. Trivial jobs must
 * come back completed with exactly their output; hostile ones completed with the verdict
 * of the limit that stopped them (the service survived them: that is what counts).
 */

/** a finished job as POST /v1/jobs?wait=true returns it (the fields checked here) */
export interface JobAnswer {
  status?: string;
  result?: { status?: string; stdout?: string };
  error?: { code?: string };
}

export interface JobKind {
  readonly name: string;
  /** trivial jobs' latency is what the targets are about; hostile ones are the noise */
  readonly trivial: boolean;
  /** the request body, JSON */
  readonly body: string;
  /** the answer's label: 'ok' (hostile: 'ok <verdict>'), or what was wrong (a verdict, a status, an error code) */
  readonly classify: (status: number, answer: JobAnswer) => string;
}

function trivial(name: string, language: string, content: string, stdout: string): JobKind {
  return {
    name,
    trivial: true,
    body: JSON.stringify({ language, files: [{ content }] }),
    classify: (status, a) => {
      if (status !== 200) return `HTTP ${status}`;
      if (a.status !== 'completed') return a.error?.code ?? a.status ?? 'no status';
      if (a.result?.status !== 'OK') return a.result?.status ?? 'no verdict';
      return a.result.stdout === stdout ? 'ok' : 'wrong stdout';
    },
  };
}

/**
 * Limits low enough that each ends within half a second. Each holds a slot for as long as
 * it lives (a fork bomb, to its wall limit): with a 1 s wall limit, at half the maximum
 * rate of two slots, the fork bombs alone would hold one of them, and the trivial jobs
 * would queue for want of slots rather than suffer from their neighbours.
 */
function hostile(
  name: string,
  language: string,
  content: string,
  limits: Record<string, number>,
  verdicts: readonly string[],
): JobKind {
  return {
    name,
    trivial: false,
    body: JSON.stringify({ language, files: [{ content }], limits: { wallMs: 500, cpuMs: 500, ...limits } }),
    classify: (status, a) => {
      if (status !== 200) return `HTTP ${status}`;
      if (a.status !== 'completed') return a.error?.code ?? a.status ?? 'no status';
      const verdict = a.result?.status ?? 'no verdict';
      return verdicts.includes(verdict) ? `ok ${verdict}` : verdict;
    },
  };
}

export const BASH_ECHO = trivial('bash echo', 'bash', 'echo hi', 'hi\n');
export const PYTHON_HELLO = trivial('python hello', 'python', 'print("Hello, World!")', 'Hello, World!\n');

/**
 * Held by the pids limit; ends at the wall limit (bash backs off between refused forks,
 * so it spends little cpu), or sooner on its own stderr past outputBytes. The sleep keeps
 * the main process alive: without it the box ends with it, at once, and OK.
 */
export const FORK_BOMB = hostile('fork bomb', 'bash', ':(){ :|:& };:; sleep 10', { pids: 32, outputBytes: 64 << 10 }, [
  'WALL_TIME_LIMIT',
  'TIME_LIMIT',
  'OUTPUT_LIMIT',
]);
/** allocates until the cgroup's memory limit kills it */
export const MEMORY_BOMB = hostile(
  'memory bomb',
  'python',
  'x = []\nwhile True: x.append(bytearray(1 << 20))',
  { memoryBytes: 64 << 20 },
  ['MEMORY_LIMIT'],
);
/** writes until the output limit (the service's default, 1 MiB) kills it */
export const OUTPUT_FLOOD = hostile('output flood', 'bash', 'yes', {}, ['OUTPUT_LIMIT']);

export const HOSTILE = [FORK_BOMB, MEMORY_BOMB, OUTPUT_FLOOD] as const;

/** nine trivial jobs, then one hostile one, the hostile ones taking turns: 10% hostile */
export function hostileMix(trivialKind: JobKind): JobKind[] {
  return HOSTILE.flatMap((h) => [...Array<JobKind>(9).fill(trivialKind), h]);
}

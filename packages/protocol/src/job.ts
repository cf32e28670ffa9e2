/** A job on the wire: its life, what a client asks for, what it gets back, its events. */
import type { ResultJson } from './result.js';

/** queued → running → completed | failed | cancelled */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['completed', 'failed', 'cancelled']);

/** the limits a request may set (the rest are the server's) */
export const REQUEST_LIMITS = ['cpuMs', 'wallMs', 'memoryBytes', 'pids', 'outputBytes'] as const;
export type RequestLimits = Partial<Record<(typeof REQUEST_LIMITS)[number], number>>;

export interface FileInput {
  name?: string;
  content: string;
  encoding?: 'utf8' | 'base64';
}

export interface JobRequest {
  language: string;
  version?: string;
  files: FileInput[];
  stdin?: string;
  args?: string[];
  limits?: RequestLimits;
  compileLimits?: RequestLimits;
  network?: boolean;
}

/** why a job failed: the service's reason, not the program's (that is in result) */
export interface JobError {
  code: string;
  message: string;
}

export interface JobView {
  id: string;
  status: JobStatus;
  language: string;
  version: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** exactly what `codebox run --json` prints */
  result?: ResultJson;
  error?: JobError;
}

/** one output chunk on the event stream; chunks may split a UTF-8 sequence, hence base64 */
export interface OutputChunk {
  data: string;
  encoding: 'utf8' | 'base64';
}

export type JobEvent =
  | { type: 'status'; data: { status: JobStatus; error?: JobError } }
  | { type: 'stdout'; data: OutputChunk }
  | { type: 'stderr'; data: OutputChunk }
  | { type: 'result'; data: JobView };

/** a runtime a worker offers */
export interface RuntimeInfo {
  id: string;
  name: string;
  version: string;
  aliases: string[];
  extensions: string[];
  sourceFile: string;
  compiled: boolean;
}

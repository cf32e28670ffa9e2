/**
 * The WebSocket's wire, as Piston's /api/v2/connect speaks it: its close codes, and a
 * job's events as the messages the server sends (runtime, stage, data, exit, error).
 */
import type { JobEvent, RuntimeInfo } from '@codebox/protocol';
import { pistonName } from './runtimes.js';

/** Piston's close codes, each with its reason */
export const PISTON_CLOSE = {
  alreadyInitialized: [4000, 'Already Initialized'],
  initTimeout: [4001, 'Initialization Timeout'],
  notifiedError: [4002, 'Notified Error'],
  notInitialized: [4003, 'Not yet initialized'],
  onlyStdin: [4004, 'Can only write to stdin'],
  invalidSignal: [4005, 'Invalid signal'],
  completed: [4999, 'Job Completed'],
} as const satisfies Record<string, readonly [number, string]>;

export type PistonClose = (typeof PISTON_CLOSE)[keyof typeof PISTON_CLOSE];

export type ServerMessage =
  | { type: 'runtime'; language: string; version: string }
  | { type: 'stage'; stage: 'compile' | 'run' }
  | { type: 'exit'; stage: 'compile' | 'run'; code: number | null; signal: string | null }
  | { type: 'data'; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'error'; message: string };

/** the first message of a session, once its job is queued */
export function runtimeMessage(runtime: RuntimeInfo): ServerMessage {
  return { type: 'runtime', language: pistonName(runtime), version: runtime.version };
}

/**
 * a job's event as the client hears it; undefined for those it does not (status, test, a
 * result that is not a failure)
 */
export function socketMessage(event: JobEvent): ServerMessage | undefined {
  switch (event.type) {
    case 'stage':
      return event.data.state === 'start'
        ? { type: 'stage', stage: event.data.stage }
        : { type: 'exit', stage: event.data.stage, code: event.data.exitCode, signal: event.data.signal };
    case 'stdout':
    case 'stderr':
      return {
        type: 'data',
        stream: event.type,
        data: Buffer.from(event.data.data, event.data.encoding).toString('utf8'),
      };
    case 'result':
      return event.data.status === 'failed'
        ? { type: 'error', message: event.data.error?.message ?? 'the job failed' }
        : undefined;
    default:
      return undefined;
  }
}

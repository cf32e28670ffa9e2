/** The engine's sessions, as the worker uses them (packages/sandbox/src/session-types.ts). */
import type { Sandbox } from '@codebox/sandbox';

export type {
  CommandHandle,
  CommandHooks,
  CommandResult,
  CommandSpec,
  FileEntry,
  Session,
  SessionEnd,
  SessionSpec,
  SessionUsage,
  Terminal,
} from '@codebox/sandbox';

/** what the worker needs of the engine for sessions: a fake stands in for it in the host's unit tests */
export type SessionEngine = Pick<Sandbox, 'openSession'>;

export {
  blockingConnection,
  connect,
  defineScript,
  letGo,
  queueConnection,
  REDIS_CHECKS,
  redisOptions,
  redisPrefixProblem,
  redisUrlProblem,
} from './connection.js';
export type { RedisConnection, ScriptFn } from './connection.js';
export { isStreamId, StreamHub } from './stream-hub.js';
export type { StreamEntry, StreamHubOptions, StreamReader } from './stream-hub.js';
export { hashTag, isClusterUrl, parseClusterUrl } from './redis-url.js';
export type { ClusterNode, ClusterTarget } from './redis-url.js';
export { Keys, QUEUE_NAME } from './keys.js';
export { DEFAULT_STORE_OPTIONS, eventsOf, JobStore, publicView } from './store.js';
export type { JobInput, StoredEvent, StoredJob, StoreOptions } from './store.js';
export { announce, liveWorkers, retire, unionRuntimes } from './workers.js';
export type { WorkerRecord } from './workers.js';
export { createQueue } from './queue.js';
export { Schedule } from './schedule.js';
export { redisFull, refusedByRedis } from './redis-errors.js';
export type { QueuedJob, QueuedProblem } from './queue.js';
export { sessionLostBoundMs, TIMINGS, timingProblems } from './timings.js';
export type { Timings } from './timings.js';
export {
  blobsOf,
  BlobUnreadableError,
  CHUNK_BYTES,
  ChunksMissingError,
  distinctBytes,
  ProblemQuotaError,
  ProblemStore,
  UPLOAD_TTL_S,
} from './problems.js';
export type {
  BlobRef,
  ProblemDefinition,
  ProblemProgram,
  ProblemTest,
  StoredProblem,
  StoredProgram,
  StoredTest,
} from './problems.js';
export { DEFAULT_SESSION_STORE_OPTIONS, parseRecord, SessionStore, sessionView } from './session-store.js';
export type { NewSession, SessionRecord, SessionStoreOptions } from './session-store.js';
export { notReady, SessionCall } from './session-call.js';
export type { CallDeps } from './session-call.js';
export { WorkerCall, WorkerInbox } from './session-inbox.js';
export { SESSION_TRANSPORT } from './session-frames.js';
export type { CallError, Channel, ReplyFrame } from './session-frames.js';

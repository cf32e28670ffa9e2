export { blockingConnection, connect, redisOptions } from './connection.js';
export { Keys, QUEUE_NAME } from './keys.js';
export { DEFAULT_STORE_OPTIONS, JobStore, publicView } from './store.js';
export type { JobInput, StoredEvent, StoredJob, StoreOptions } from './store.js';
export { announce, liveWorkers, retire, unionRuntimes } from './workers.js';
export type { WorkerRecord } from './workers.js';
export { createQueue } from './queue.js';
export type { QueuedJob } from './queue.js';

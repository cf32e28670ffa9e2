export { servicePolicy, startWorker } from './worker.js';
export { OWNER_CHECK_MS } from './job-runner.js';
export type { RunningWorker, WorkerDeps } from './worker.js';
export { loadWorkerConfig, VARIABLES as WORKER_VARIABLES } from './config.js';
export type { WorkerConfig } from './config.js';
export { workerMetrics } from './metrics.js';
export type { WorkerMetrics } from './metrics.js';

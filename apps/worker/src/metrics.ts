/** The worker's Prometheus metrics: the engine knows nothing of them; the worker observes it. */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export function workerMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: 'codebox_jobs_total',
      help: "Jobs finished, by language, final job status and the run's verdict",
      labelNames: ['language', 'status', 'verdict'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: 'codebox_job_failures_total',
      help: 'Jobs failed by the service (not the program), by job error code and, for INTERNAL, the sandbox step that failed',
      labelNames: ['error', 'sandbox'] as const,
      registers: [registry],
    }),
    queueWait: new Histogram({
      name: 'codebox_queue_wait_seconds',
      help: 'From acceptance by the API to the start on a worker',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    runDuration: new Histogram({
      name: 'codebox_run_duration_seconds',
      help: 'A job on a worker, compile and run, by language',
      labelNames: ['language'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    boxSetup: new Histogram({
      name: 'codebox_box_setup_seconds',
      help: 'From run() to the box released: namespaces, mounts, cgroup',
      labelNames: ['prestarted'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    slots: new Gauge({
      name: 'codebox_worker_slots',
      help: 'Job slots of this worker, busy and total',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    sessions: new Gauge({
      name: 'codebox_worker_sessions',
      help: 'Sessions of this worker: open, and the most it holds',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    sessionsEnded: new Counter({
      name: 'codebox_sessions_ended_total',
      help: 'Sessions ended, by why (deleted, idle, ttl, worker-stopped, box-ended)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    sessionOpen: new Histogram({
      name: 'codebox_session_open_seconds',
      help: "From a session's open request on the worker to its box ready",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    sessionCalls: new Counter({
      name: 'codebox_session_calls_total',
      help: 'Calls served in sessions, by operation (exec, read, write, pty, …) and outcome (ok, error)',
      labelNames: ['op', 'outcome'] as const,
      registers: [registry],
    }),
  };
}

export type WorkerMetrics = ReturnType<typeof workerMetrics>;

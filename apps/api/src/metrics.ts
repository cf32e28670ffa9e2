/** The API's Prometheus metrics: HTTP requests, and the queue's depth read at scrape time. */
import type { Queue } from 'bullmq';
import { Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

export function apiMetrics(registry: Registry, queue: Queue) {
  return {
    http: new Histogram({
      name: 'codebox_http_request_duration_seconds',
      help: 'HTTP requests by route, method and status code',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'codebox_queue_jobs',
      help: 'Jobs in the queue: waiting, and active on a worker',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await queue.getJobCounts('wait', 'active');
          this.set({ state: 'waiting' }, counts.wait ?? 0);
          this.set({ state: 'active' }, counts.active ?? 0);
        } catch {
          // Redis away: the gauge keeps its last value; /readyz says why
        }
      },
    }),
  };
}

export type ApiMetrics = ReturnType<typeof apiMetrics>;

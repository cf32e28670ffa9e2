/**
 * The native API: /v1/jobs and their events, behind the key (jobRoutes, eventRoutes); and
 * the routes open to all, mounted before the key is asked: /v1/runtimes, health,
 * readiness, metrics, the OpenAPI document (metaRoutes).
 */
import { Router } from 'express';
import { eventRoutes } from './events.js';
import { jobRoutes } from './jobs.js';
import type { JobRoutesDeps } from './jobs.js';

export { metaRoutes } from './meta.js';
export type { MetaDeps } from './meta.js';
export type NativeDeps = JobRoutesDeps;

export function nativeRoutes(d: NativeDeps): Router {
  return Router().use(jobRoutes(d), eventRoutes(d));
}

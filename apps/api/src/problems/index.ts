/**
 * Problems stored once and judged by many jobs: /v1/problems (JSON, or a Polygon package
 * or a Kattis problem directory as a zip), their blobs content-addressed in Redis through
 * @codebox/jobs' ProblemStore. A job names one by "id@version" (jobs/problem.ts pins it).
 */
export { packageUploads, problemRoutes } from './routes.js';
export type { ProblemRoutesDeps } from './routes.js';

/**
 * The job service every feature uses — the native routes, Piston's routes and socket,
 * Judge0's routes and callbacks: making a job (submitJob), following its events, waiting
 * for its end, and who may see it. No Express here: a feature's routes do the HTTP.
 */
export type { JobServiceDeps } from './deps.js';
export { clientGone, follow } from './follow.js';
export type { Follower } from './follow.js';
export { ownJob } from './owner.js';
export { submitJob } from './submit.js';
export type { SubmitOptions } from './submit.js';
export { followNew, resultOf, submitFollowed, waitForEnd } from './wait.js';
export { pinProblem } from './problem.js';

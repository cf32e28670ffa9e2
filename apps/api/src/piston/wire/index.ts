/**
 * Piston v2's wire, as Piston documents and implements it: pure translation between its
 * requests and results and native jobs (no I/O; the routes and the socket do that).
 */
export { PISTON_MESSAGES, PistonError } from './errors.js';
export { pistonRequest } from './request.js';
export type { PistonOptions } from './request.js';
export { hasRunOutput, pistonResult, pistonStage, runOutput } from './result.js';
export type { PistonResult, PistonStage } from './result.js';
export { findPistonRuntime, pistonName, pistonPackages, pistonRuntimes } from './runtimes.js';
export type { PistonPackage, PistonRuntime } from './runtimes.js';
export { PISTON_CLOSE, runtimeMessage, socketMessage } from './socket.js';
export type { PistonClose, ServerMessage } from './socket.js';

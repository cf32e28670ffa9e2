/**
 * Piston v2, all of it: /api/v2's routes (runtimes, execute) and its WebSocket
 * (/api/v2/connect), translating Piston's wire to native jobs through the job service.
 */
import type http from 'node:http';
import type { Router } from 'express';
import { pistonRoutes } from './routes.js';
import type { PistonRoutesDeps } from './routes.js';
import { attachPistonSocket } from './socket.js';
import type { PistonSocketDeps } from './socket.js';

export interface PistonDeps extends PistonRoutesDeps, PistonSocketDeps {}

export interface PistonApi {
  readonly routes: Router;
  /** the WebSocket, on the HTTP server's upgrades; returns what ends every open session */
  attach: (server: http.Server) => () => void;
}

export function piston(d: PistonDeps): PistonApi {
  return { routes: pistonRoutes(d), attach: (server) => attachPistonSocket(server, d) };
}

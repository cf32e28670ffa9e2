/**
 * Sessions, all of it: /v1/sessions's routes and the terminals' WebSocket, over the
 * session service (service.ts), which reaches each session's worker through Redis.
 */
import type { Router } from 'express';
import { sessionRoutes } from './routes.js';
import type { SessionRoutesDeps } from './routes.js';
import { ptySockets } from './pty.js';
import type { PtyDeps, PtySockets } from './pty.js';

export interface SessionsDeps extends SessionRoutesDeps, PtyDeps {}

export interface SessionsApi {
  readonly routes: Router;
  /** the terminals' WebSocket: which upgrades are theirs, and taking one */
  readonly sockets: PtySockets;
}

export function sessions(d: SessionsDeps): SessionsApi {
  return { routes: sessionRoutes(d), sockets: ptySockets(d) };
}

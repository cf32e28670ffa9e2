/**
 * Judge0 CE 1.13, all of it: the routes under its prefix (submissions, batches, languages,
 * statuses, what it says of itself, authenticate and authorize) and the delivery of its
 * callbacks, translating Judge0's wire to native jobs through the job service.
 */
import type { Router } from 'express';
import { callbackPolicy } from './callback-policy.js';
import { Judge0Callbacks } from './callbacks.js';
import { judge0Routes } from './routes.js';
import type { Judge0RoutesDeps } from './routes.js';

export interface Judge0Deps extends Omit<Judge0RoutesDeps, 'callbacks'> {
  /** CODEBOX_CALLBACK_ALLOW: hosts, addresses and CIDRs callbacks may go to */
  readonly callbackAllow: readonly string[];
  /** CODEBOX_CALLBACK_DENY_PRIVATE */
  readonly callbackDenyPrivate: boolean;
}

export interface Judge0Api {
  readonly routes: Router;
  /** delivers due callbacks until the returned stop is called */
  start(): () => void;
}

export function judge0(d: Judge0Deps): Judge0Api {
  const policy = callbackPolicy(d.callbackAllow, d.callbackDenyPrivate);
  const callbacks = new Judge0Callbacks({
    redis: d.redis,
    store: d.store,
    keys: d.keys,
    catalog: d.catalog,
    log: d.log,
    policy,
  });
  return { routes: judge0Routes({ ...d, callbacks }), start: () => callbacks.start() };
}

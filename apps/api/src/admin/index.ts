/**
 * /admin/queues: the BullMQ queues through bull-board, read-only (a job's life is the job
 * store's: retrying or removing a queue entry by hand would go around it), behind the
 * admin key — HTTP Basic with the key as the password (a browser asks for it itself), or
 * `Authorization: Bearer <key>`. Without CODEBOX_ADMIN_KEY the route is off and says how
 * to turn it on.
 */
import crypto from 'node:crypto';
import { Router } from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import ejs from 'ejs';
import { ApiError } from '@codebox/protocol';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * With the dashboard on, the queue keeps its last finished entries a while, so it has
 * some to list (a job's record, in the store, is kept either way); off, it keeps none.
 */
export const DASHBOARD_KEEPS = { count: 100, ageS: 3_600 } as const;

export interface AdminDeps {
  /** CODEBOX_ADMIN_KEY; undefined: the dashboard is off */
  readonly adminKey: string | undefined;
  readonly queues: readonly Queue[];
}

export function adminRoutes(d: AdminDeps): Router {
  const r = Router();
  if (!d.adminKey) {
    r.use(DASHBOARD_PATH, () => {
      throw new ApiError(
        'ROUTE_NOT_FOUND',
        'the queue dashboard is off: start the API with CODEBOX_ADMIN_KEY set (at least 16 characters) to turn it on here',
      );
    });
    return r;
  }
  const board = new ExpressAdapter();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: d.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'codebox queues' } },
  });
  // bull-board's page links Google's fonts: rendered here without that link (nothing
  // from the internet), and with the system's fonts
  const app = board.getRouter() as Express;
  app.engine('ejs', (file: string, data: object, done: (err: Error | null, html?: string) => void) =>
    ejs.renderFile(file, data, (err, html) => done(err, html?.replace(/<link[^>]*fonts\.googleapis\.com[^>]*>/g, ''))),
  );
  r.use(DASHBOARD_PATH, adminOnly(d.adminKey), app);
  return r;
}

/** the admin key, as Basic's password or a bearer token; compared in constant time */
function adminOnly(key: string) {
  const want = digest(key);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.get('authorization') ?? '';
    const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header)?.[1];
    const given =
      bearer ??
      (basic
        ? Buffer.from(basic, 'base64')
            .toString('utf8')
            .replace(/^[^:]*:/, '')
        : undefined);
    if (given !== undefined && crypto.timingSafeEqual(digest(given), want)) return next();
    res.set('WWW-Authenticate', 'Basic realm="codebox admin", charset="UTF-8"');
    next(
      new ApiError(
        'UNAUTHORIZED',
        'the queue dashboard needs the admin key (CODEBOX_ADMIN_KEY): as the password of HTTP Basic, or Authorization: Bearer <key>',
      ),
    );
  };
}

const digest = (s: string): Buffer => crypto.createHash('sha256').update(s).digest();

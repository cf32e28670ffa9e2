import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import pino from 'pino';
import type { ProblemStore } from '@codebox/jobs';
import type { CatalogReader } from '../catalog.js';
import { errorHandler } from '../errors.js';
import { StreamLimiter } from '../streams.js';
import { problemRoutes } from './routes.js';

test('package uploads in flight are capped: each is spooled to disk, so over the cap is 429 for the key, 503 for others', async () => {
  const log = pino({ level: 'silent' });
  const app = express();
  app.use((req, res, next) => {
    res.locals.owner = req.header('x-owner');
    next();
  });
  app.use(
    problemRoutes({
      problems: {} as ProblemStore,
      catalog: {
        requestContext: async () => Promise.resolve({ runtimes: [], maxima: {} }),
      } as unknown as CatalogReader,
      bodyLimitBytes: 1 << 20,
      problemMaxBytes: 1 << 20,
      rateLimit: (_req, _res, next) => next(),
      uploads: new StreamLimiter(1, 1, 'package uploads in flight'),
      log,
    }),
  );
  app.use(errorHandler(log));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const upload = (owner: string) =>
    http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/problems',
      headers: { 'content-type': 'application/zip', 'x-owner': owner },
    });
  const answer = (req: http.ClientRequest) =>
    new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
  try {
    // one upload in flight: its body still coming
    const slow = upload('a');
    const slowAnswer = answer(slow);
    slow.write('PK');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = upload('a');
    const other = upload('b');
    const answers = [answer(again), answer(other)];
    again.end('not a zip');
    other.end('not a zip');
    assert.deepEqual(await Promise.all(answers), [429, 503]);
    slow.end('not a zip either');
    assert.equal(await slowAnswer, 400);
    // its slot is back
    const after = upload('b');
    const afterAnswer = answer(after);
    after.end('not a zip');
    assert.equal(await afterAnswer, 400);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

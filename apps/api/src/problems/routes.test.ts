import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import pino from 'pino';
import type { ProblemStore } from '@codebox/jobs';
import type { CatalogReader } from '../catalog.js';
import { errorHandler } from '../errors.js';
import { packageUploads, problemRoutes } from './routes.js';

test('package uploads in flight are capped: each is spooled to disk; a key holds half of them, past that 429, and over the cap is 503', async () => {
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
      uploads: packageUploads(2),
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
    // one upload of a's in flight, its body still coming: a has its half of the two
    const slow = upload('a');
    const slowAnswer = answer(slow);
    slow.write('PK');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = upload('a');
    const againAnswer = answer(again);
    again.end('not a zip');
    assert.equal(await againAnswer, 429);
    // b's holds the other; then c finds none
    const slowB = upload('b');
    const slowBAnswer = answer(slowB);
    slowB.write('PK');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = upload('c');
    const otherAnswer = answer(other);
    other.end('not a zip');
    assert.equal(await otherAnswer, 503);
    slow.end('not a zip either');
    slowB.end('not a zip either');
    assert.deepEqual(await Promise.all([slowAnswer, slowBAnswer]), [400, 400]);
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

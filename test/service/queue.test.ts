/**
 * The queue's edges, with real Redis and boxes: cancelling a queued job, backpressure, the
 * per-key rate, API keys, a worker's graceful end, and a job whose worker was lost.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { CodeboxError } from '@codebox/client';
import { Writable } from 'node:stream';
import { connect, createQueue, Keys } from '@codebox/jobs';
import { OWNER_CHECK_MS } from '@codebox/worker';
import { pino } from 'pino';
import { post, serviceSkip, startRedis, startStack, until } from './stack.js';
import type { Stack, TestRedis } from './stack.js';

const SH = (code: string) => ({ language: 'bash', files: [{ content: code }] });

describe('the queue', { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let s: Stack | undefined;
  before(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });
  after(async () => {
    await redis?.destroy();
  });

  it('a cancelled queued job never runs', async () => {
    // the worker's log: its "job not run" lines show it took the entries and looked
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    s = await startStack(redis.url, { worker: { slots: 1 }, log: pino(sink) });
    const c = s.client();
    const busy = await c.create(SH('sleep 30'));
    await until(async () => (await c.get(busy.id)).status === 'running');
    const queued = await c.create(SH('echo "I ran" > /dev/stderr'));
    assert.equal((await c.get(queued.id)).status, 'queued');
    const cancelled = await c.cancel(queued.id);
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.result, undefined);
    // the race DELETE cannot win by removing the queue entry: a worker takes the entry anyway
    const conn = connect(redis.url, 'codebox-test-queue');
    const queue = createQueue(conn, s.prefix);
    await queue.add(
      'run',
      { id: queued.id, runtime: 'bash', request: SH('echo "I ran" > /dev/stderr'), acceptedAt: Date.now() },
      { jobId: `${queued.id}-again` },
    );
    await c.cancel(busy.id); // frees the slot: the cancelled one must still not run
    // taken and done with (not only taken: `wait` is 0 as soon as a worker holds it)
    await until(async () => {
      const counts = await queue.getJobCounts('wait', 'active', 'delayed');
      return (counts.wait ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0;
    });
    assert.ok(
      lines.some((l) => l.msg === 'job not run' && l.jobId === queued.id),
      'the worker took an entry of the cancelled job, and did not run it',
    );
    await queue.close();
    await conn.quit();
    await new Promise((r) => setTimeout(r, 500));
    const events = [];
    for await (const e of c.events(queued.id)) events.push(e);
    assert.deepEqual(
      events.map((e) => [e.type, e.type === 'status' ? (e.data as { status: string }).status : '']),
      [
        ['status', 'queued'],
        ['status', 'cancelled'],
        ['result', ''],
      ],
    );
    assert.equal((await c.get(queued.id)).status, 'cancelled');
  });

  it('backpressure: over the queue bound, 503 with Retry-After, and room again later', async () => {
    s = await startStack(redis.url, { worker: { slots: 1 }, api: { queueMax: 1 } });
    const c = s.client();
    const busy = await c.create(SH('sleep 30'));
    await until(async () => (await c.get(busy.id)).status === 'running');
    const waiting = await c.create(SH('true'));
    const r = await post(`${s.url}/v1/jobs`, JSON.stringify(SH('true')));
    assert.equal(r.status, 503);
    assert.equal(r.json.error?.code, 'QUEUE_FULL');
    assert.ok(Number(r.headers.get('retry-after')) >= 1);
    await c.cancel(busy.id);
    await c.wait(waiting.id);
    assert.equal((await c.run(SH('echo room'))).result?.stdout, 'room\n');
  });

  it('a key over its rate gets 429 with Retry-After', async () => {
    s = await startStack(redis.url, { api: { ratePerMinute: 2 } });
    const body = JSON.stringify(SH('true'));
    assert.equal((await post(`${s.url}/v1/jobs`, body)).status, 202);
    assert.equal((await post(`${s.url}/v1/jobs`, body)).status, 202);
    const r = await post(`${s.url}/v1/jobs`, body);
    assert.equal(r.status, 429);
    assert.equal(r.json.error?.code, 'RATE_LIMITED');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, String(retry));
  });

  it('API keys: none or a wrong one is 401; a key sees only its own jobs', async () => {
    const [k1, k2] = ['key-one-0123456789abcdef', 'key-two-0123456789abcdef'];
    s = await startStack(redis.url, { api: { apiKeys: [k1, k2] } });
    const r = await post(`${s.url}/v1/jobs`, JSON.stringify(SH('true')));
    assert.equal(r.status, 401);
    assert.equal(r.json.error?.code, 'UNAUTHORIZED');
    await assert.rejects(
      s.client('wrong-key-0123456789abcdef').create(SH('true')),
      (e: CodeboxError) => e.status === 401,
    );
    const job = await s.client(k1).run(SH('echo mine'));
    assert.equal(job.result?.stdout, 'mine\n');
    const other = s.client(k2);
    await assert.rejects(other.get(job.id), (e: CodeboxError) => e.status === 404);
    await assert.rejects(other.cancel(job.id), (e: CodeboxError) => e.status === 404);
    await assert.rejects(other.wait(job.id), (e: CodeboxError) => e.status === 404);
    assert.equal((await s.client(k1).get(job.id)).status, 'completed');
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200, 'health needs no key');
  });

  it('a worker that shuts down ends its running jobs after the grace, saying why', async () => {
    s = await startStack(redis.url, { worker: { slots: 1 } });
    const c = s.client();
    const { id } = await c.create(SH('echo partial; sleep 30'));
    await until(async () => (await c.get(id)).status === 'running');
    const t0 = Date.now();
    await s.worker.close(300);
    assert.ok(Date.now() - t0 < 5_000);
    const job = await c.get(id);
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'WORKER_SHUTDOWN');
    assert.equal(job.result?.stdout, 'partial\n');
  });

  it('a job whose worker was lost after claiming it is failed, never run again', async () => {
    s = await startStack(redis.url);
    // what a worker leaves when it dies mid-run: the job claimed (running), back on the queue
    const id = '11111111-2222-4333-8444-555555555555';
    await s.store.create(id, 'anonymous', 'bash', '5');
    assert.equal(await s.store.start(id, 'a-worker-that-died', 'its-claim'), 'started');
    const conn = connect(redis.url, 'codebox-test-queue');
    const queue = createQueue(conn, s.prefix);
    await queue.add(
      'run',
      { id, runtime: 'bash', request: SH('echo ran twice > /dev/stderr'), acceptedAt: Date.now() },
      { jobId: id },
    );
    const job = await s.client().wait(id);
    await queue.close();
    await conn.quit();
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'WORKER_LOST');
    assert.equal(job.result, undefined, 'its code did not run here');
  });

  it('a job claimed by a worker that still beats is left to it; once it stops beating, WORKER_LOST', async () => {
    s = await startStack(redis.url);
    // what a live worker whose queue lock ran out (Redis away past it) leaves: the job
    // running under its claim, the entry back on the queue
    const id = '22222222-3333-4444-8555-666666666666';
    await s.store.create(id, 'anonymous', 'bash', '5');
    assert.equal(await s.store.start(id, 'a-slow-worker', 'its-claim'), 'started');
    const workers = new Keys(s.prefix).workers();
    const beat = () => s?.redis.zadd(workers, Date.now(), 'a-slow-worker');
    await beat();
    const beating = setInterval(() => void beat(), 1_000);
    const conn = connect(redis.url, 'codebox-test-queue');
    const queue = createQueue(conn, s.prefix);
    try {
      await queue.add(
        'run',
        { id, runtime: 'bash', request: SH('echo ran twice > /dev/stderr'), acceptedAt: Date.now() },
        { jobId: id },
      );
      await new Promise((r) => setTimeout(r, 2 * OWNER_CHECK_MS + 1_000)); // looked at, and again
      assert.equal((await s.client().get(id)).status, 'running', 'its worker beats: left running');
    } finally {
      clearInterval(beating);
    }
    const stoppedAt = Date.now();
    const job = await s.client().wait(id);
    await queue.close();
    await conn.quit();
    assert.equal(job.status, 'failed');
    assert.equal(job.error?.code, 'WORKER_LOST');
    // two looks without a beat, OWNER_CHECK_MS apart, after the one that last saw it
    assert.ok(Date.now() - stoppedAt < 3 * OWNER_CHECK_MS + 2_000, `${Date.now() - stoppedAt} ms after its last beat`);
  });

  it('?wait=true past its bound answers 202, and the job goes on', async () => {
    s = await startStack(redis.url, { api: { waitMs: 300 } });
    const r = await post(`${s.url}/v1/jobs?wait=true`, JSON.stringify(SH('sleep 1; echo late')));
    assert.equal(r.status, 202);
    assert.ok(['queued', 'running'].includes(String(r.json.status)));
    assert.equal((await s.client().wait(String(r.json.id))).result?.stdout, 'late\n');
  });

  it('open event streams are capped per key: 429 past the share, and the slot comes back', async () => {
    s = await startStack(redis.url, { api: { maxStreamsPerKey: 1 } });
    const c = s.client();
    const { id } = await c.create(SH('sleep 30'));
    const ac = new AbortController();
    const first = c.events(id, { signal: ac.signal });
    await first.next(); // connected, holding its slot
    const r = await fetch(`${s.url}/v1/jobs/${id}/events`);
    assert.equal(r.status, 429);
    assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
    ac.abort();
    await first.return(undefined).catch(() => undefined);
    await until(
      async () =>
        await c.cancel(id).then(
          () => true,
          (e: CodeboxError) => e.status !== 429,
        ),
    );
  });

  it('while Redis is away the API answers 503 at once, and recovers by itself', async () => {
    const own = await startRedis();
    try {
      s = await startStack(own.url);
      assert.equal((await s.client().run(SH('echo before'))).result?.stdout, 'before\n');
      await own.stop();
      const t0 = Date.now();
      const r = await post(`${s.url}/v1/jobs`, JSON.stringify(SH('true')));
      assert.equal(r.status, 503, r.text);
      assert.ok(r.headers.get('retry-after'));
      assert.ok(Date.now() - t0 < 3_000, `answered in ${Date.now() - t0} ms`);
      assert.equal((await fetch(`${s.url}/readyz`)).status, 503);
      await own.start();
      const stack = s;
      await until(async () => (await fetch(`${stack.url}/readyz`)).status === 200, 20_000);
      assert.equal((await s.client().run(SH('echo after'))).result?.stdout, 'after\n');
    } finally {
      await s?.stop();
      s = undefined;
      await own.destroy();
    }
  });

  it('logs are structured lines, and every line about a job has its id', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    s = await startStack(redis.url, { log: pino(sink) });
    const job = await s.client().run(SH('echo logged'));
    const about = lines.filter((l) => typeof l.msg === 'string' && /^job /.test(l.msg));
    assert.deepEqual(
      about.map((l) => l.msg),
      ['job queued', 'job started', 'job finished'],
    );
    assert.ok(
      about.every((l) => l.jobId === job.id),
      JSON.stringify(about),
    );
    assert.equal(about[2]?.verdict, 'OK');
  });
});

/**
 * What a job's output costs Redis, and the worker, end to end: every path by which output
 * reaches Redis (the result, a judge job's tests and their events, output chunks) is
 * bounded in encoded bytes, so control bytes cost 4/3 of themselves (base64), not 6×
 * (`\u0001`); a judge job's many large outputs are each cut to a stated cap; a result
 * that Redis will not take ends the job `failed`, not `running`; a full Redis is a 503.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobView } from '@codebox/client';
import { connect, JobStore } from '@codebox/jobs';
import { jobError } from '@codebox/protocol';
import type { ResultJson } from '@codebox/protocol';
import type { Stack } from './stack.js';
import { post, serviceSkip, startRedis, until, useStack } from './stack.js';

const MiB = 1 << 20;
/** the worker's defaults (CODEBOX_MAX_OUTPUT_BYTES, CODEBOX_TEST_OUTPUT_BYTES) */
const MAX_OUTPUT_BYTES = 4 * MiB;
const TEST_OUTPUT_BYTES = 64 << 10;
const STREAM_MAX_BYTES = 1 * MiB;

/** bash that writes n bytes of \x01 to stdout (and to stderr with err) */
const ones = (n: number, err = false): string => `head -c ${n} /dev/zero | tr '\\0' '\\1'${err ? ' >&2' : ''}`;
const bytesOf = (text: string, encoding: string): Buffer =>
  Buffer.from(text, encoding === 'base64' ? 'base64' : 'utf8');
const mib = (n: number): string => `${(n / MiB).toFixed(2)} MiB`;

async function usedMemory(s: Stack): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await s.redis.info('memory'))?.[1]);
}

/** what one job holds in Redis: its hash, its event stream (MEMORY USAGE, every element) */
async function stored(s: Stack, id: string): Promise<{ hash: number; events: number }> {
  const usage = async (key: string): Promise<number> =>
    Number((await s.redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
  return { hash: await usage(s.store.keys.job(id)), events: await usage(s.store.keys.events(id)) };
}

/** waits for the job's end (by its hash, which stays small until then); its status, or 'running' past ms */
async function ended(s: Stack, id: string, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = (await s.redis.hget(s.store.keys.job(id), 'status')) ?? 'missing';
    if (!['queued', 'running'].includes(status) || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** the process's peak RSS while fn runs (the worker and the API run in this process) */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ value: T; baseline: number; peak: number }> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    return { value: await fn(), baseline, peak };
  } finally {
    clearInterval(timer);
  }
}

describe('output on its way to Redis', { skip: serviceSkip() }, () => {
  const t = useStack();

  it('1 MiB of \\x01 costs Redis about 4/3 MiB for the result and at most the stream cap for events; every byte comes back', async (c) => {
    const n = 1 * MiB;
    const job = await t.s.client().run({ language: 'bash', files: [{ content: ones(n) }], limits: { outputBytes: n } });
    const { hash, events } = await stored(t.s, job.id);
    const field = await t.s.redis.hstrlen(t.s.store.keys.job(job.id), 'result');
    const asBase64 = 4 * Math.ceil(n / 3);
    // the live chunks: a prefix of the output, at most CODEBOX_STREAM_MAX_BYTES as sent
    const chunks = (await t.s.store.readEvents(job.id, '0')).flatMap((e) =>
      e.event.type === 'stdout' ? [e.event.data] : [],
    );
    const sent = chunks.reduce((sum, ch) => sum + Buffer.byteLength(JSON.stringify(ch.data)) - 2, 0);
    c.diagnostic(
      `stored: result field ${mib(field)}, hash ${mib(hash)}, event stream ${mib(events)} (chunks ${mib(sent)} as sent), in all ${mib(hash + events)}`,
    );
    assert.equal(job.status, 'completed', JSON.stringify(job.error));
    assert.equal(job.result?.status, 'OK');
    assert.ok(
      bytesOf(job.result?.stdout ?? '', job.result?.stdoutEncoding ?? '').equals(Buffer.alloc(n, 1)),
      'every byte, decoded',
    );
    assert.equal(job.result?.stdoutEncoding, 'base64', 'control bytes come as base64, not as \\u0001 escapes');
    // the result once, as base64; the stream its cap; each with what Redis's allocator adds
    assert.ok(field < asBase64 + 1024, `the result field is ${field} bytes`);
    assert.ok(
      hash < 1.2 * asBase64 && events < 1.2 * STREAM_MAX_BYTES,
      `the job holds ${mib(hash + events)} of Redis for ${mib(n)} of output`,
    );
    const live = Buffer.concat(chunks.map((ch) => bytesOf(ch.data, ch.encoding)));
    assert.ok(sent <= STREAM_MAX_BYTES, `${sent} bytes of chunks on the stream, over the cap`);
    assert.ok(live.length > 0 && live.equals(Buffer.alloc(live.length, 1)), "the chunks are the output's start");
  });

  it('a judge job of 12 tests, each writing 4 MiB of \\x01 to stdout and to stderr: ends, each test cut to the cap, Redis and the worker bounded', async (c) => {
    const tests = Array.from({ length: 12 }, (_, i) => ({ name: `t${i}`, expectedOutput: '' }));
    const redisBefore = await usedMemory(t.s);
    const {
      value: status,
      baseline,
      peak,
    } = await peakRss(async () => {
      const { id } = await t.s.client().create({
        language: 'bash',
        files: [{ content: `${ones(MAX_OUTPUT_BYTES)}\n${ones(MAX_OUTPUT_BYTES, true)}\n` }],
        limits: { outputBytes: MAX_OUTPUT_BYTES },
        tests,
      });
      return { id, status: await ended(t.s, id, 120_000) };
    });
    const redisGrowth = (await usedMemory(t.s)) - redisBefore;
    c.diagnostic(
      `status ${status.status}; Redis grew ${mib(redisGrowth)}; this process (worker and API) peaked at ${mib(peak)}, ${mib(peak - baseline)} over ${mib(baseline)}`,
    );
    assert.equal(status.status, 'completed');
    const job: JobView = await t.s.client().get(status.id);
    assert.equal(job.judge?.verdict, 'WRONG_ANSWER');
    assert.equal(job.judge?.tests.length, 12);
    const events = (await t.s.store.readEvents(status.id, '0')).flatMap((e) =>
      e.event.type === 'test' ? [e.event.data] : [],
    );
    for (const [i, test] of (job.judge?.tests ?? []).entries()) {
      for (const stream of ['stdout', 'stderr'] as const) {
        const kept = bytesOf(test[stream], test[`${stream}Encoding`]);
        assert.equal(
          kept.length,
          TEST_OUTPUT_BYTES,
          `test ${i} ${stream}: the first CODEBOX_TEST_OUTPUT_BYTES are kept`,
        );
        assert.ok(kept.equals(Buffer.alloc(kept.length, 1)));
        assert.equal(test[`${stream}Truncated`], true, `test ${i} ${stream}: the cut is flagged`);
      }
      const event = events[i];
      assert.deepEqual(
        [event?.stdout, event?.stderr],
        [test.stdout, test.stderr],
        `test ${i}: its event carries what the result keeps`,
      );
    }
    // 12 tests × 2 streams × 64 KiB × 4/3, once in the result and once in the test events
    assert.ok(redisGrowth < 16 * MiB, `Redis grew ${mib(redisGrowth)}`);
    assert.ok(peak - baseline < 512 * MiB, `the worker's process grew ${mib(peak - baseline)}`);
  });
});

describe('a judge job past its result budget', { skip: serviceSkip() }, () => {
  const t = useStack({ worker: { testOutputBytes: 10_000, resultMaxBytes: 50_000 } });

  it('keeps its first tests whole, then the rest without output, flagged; the checker saw all of it; the events say the same', async () => {
    const long = 'a'.repeat(20_000);
    const job = await t.s.client().run({
      language: 'bash',
      files: [{ content: `printf '${long}'` }],
      tests: Array.from({ length: 8 }, () => ({ expectedOutput: long })),
    });
    assert.equal(job.judge?.verdict, 'ACCEPTED', 'each test checked on all 20000 bytes');
    const tests = job.judge?.tests ?? [];
    const kept = tests.filter((x) => x.stdout !== '').length;
    assert.ok(kept >= 1 && kept < 8, `${kept} tests kept their output`);
    assert.deepEqual(
      tests.map((x) => x.stdout.length),
      [...Array<number>(kept).fill(10_000), ...Array<number>(8 - kept).fill(0)],
      'a prefix of the tests, each cut to 10000',
    );
    assert.ok(tests.every((x) => x.stdoutTruncated && !x.stderrTruncated));
    assert.ok(
      Buffer.byteLength(JSON.stringify(job.judge)) < 50_000 + 8 * 1024,
      'the result is within its budget, and a little for what each test always keeps',
    );
    const events = (await t.s.store.readEvents(job.id, '0')).flatMap((e) =>
      e.event.type === 'test' ? [e.event.data] : [],
    );
    assert.deepEqual(
      events.map((e) => e.stdout),
      tests.map((x) => x.stdout),
    );
  });
});

describe('a full Redis (maxmemory, noeviction)', { skip: serviceSkip() }, () => {
  const t = useStack({ redis: { maxmemory: '256mb' } });

  it('a result Redis will not take ends the job failed RESULT_NOT_STORED, not running; creating a job is 503 with Retry-After', async () => {
    const { id } = await t.s
      .client()
      .create({ language: 'bash', files: [{ content: `sleep 1.5\n${ones(200_000)}\n` }] });
    await until(async () => (await t.s.redis.hget(t.s.store.keys.job(id), 'status')) === 'running', 20_000);
    // Redis over its maxmemory while the job runs: every write that would grow it is refused
    const filler = `${t.s.prefix}:filler`;
    await t.s.redis.set(filler, Buffer.alloc(4 * MiB, 7));
    await t.s.redis.config('SET', 'maxmemory', String(2 * MiB));
    try {
      await assert.rejects(t.s.redis.set(`${filler}:more`, 'x'), /^ReplyError: OOM /, 'Redis is full');
      const status = await ended(t.s, id, 40_000);
      assert.equal(status, 'failed', 'the job ended');
      const job = await t.s.store.get(id);
      assert.equal(job?.error?.code, 'RESULT_NOT_STORED');
      assert.match(job?.error?.message ?? '', /the program ran but its result could not be stored: .*OOM/);
      // a follower sees the end: the last events are the failed status and the result
      const events = await t.s.store.readEvents(id, '0');
      assert.deepEqual(
        events.slice(-2).map((e) => e.event.type),
        ['status', 'result'],
      );

      const refused = await post(
        `${t.s.url}/v1/jobs`,
        JSON.stringify({ language: 'bash', files: [{ content: 'echo hi' }] }),
      );
      assert.equal(refused.status, 503, refused.text);
      assert.equal(refused.json.error?.code, 'UNAVAILABLE');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1, 'with Retry-After');
    } finally {
      await t.s.redis.config('SET', 'maxmemory', '256mb');
      await t.s.redis.del(filler);
    }
    // its queue entry, returned or not, never turns it into WORKER_LOST: this worker lives
    await new Promise((r) => setTimeout(r, 6_000));
    assert.equal((await t.s.store.get(id))?.error?.code, 'RESULT_NOT_STORED');
    const after = await t.s.client().run({ language: 'bash', files: [{ content: 'echo again' }] });
    assert.equal(after.result?.stdout, 'again\n', 'and jobs run again once Redis has room');
  });
});

describe('the end of a job whose result Redis will not take, in the store', { skip: serviceSkip() }, () => {
  it('is written over maxmemory, small: the event stream emptied first, its ids still rising', async () => {
    const redis = await startRedis({ maxmemory: '256mb' });
    const conn = connect(redis.url, 'codebox-test-full');
    const store = new JobStore(conn, 'cbfull');
    try {
      const id = '00000000-0000-4000-8000-000000000001';
      await store.create(id, 'anonymous', 'bash', '5');
      assert.equal(await store.start(id, 'worker', 'claim'), 'started');
      for (let i = 0; i < 64; i++)
        await store.appendOutput(id, 'stdout', { data: 'x'.repeat(64 << 10), encoding: 'utf8' });
      const last = (await store.readEvents(id, '0')).at(-1)?.id ?? '0';
      // its 4 MiB of events alone are over this
      await conn.config('SET', 'maxmemory', String(2 * MiB));
      const result = { status: 'OK', stdout: 'x'.repeat(MiB), stdoutEncoding: 'utf8' } as ResultJson;
      await assert.rejects(store.finish(id, 'completed', 'running', { result }), /OOM/, 'Redis is over its maxmemory');
      assert.equal(await store.failWithoutResult(id, jobError('RESULT_NOT_STORED', 'OOM')), true);
      const job = await store.get(id);
      assert.deepEqual([job?.status, job?.error?.code, job?.result], ['failed', 'RESULT_NOT_STORED', undefined]);
      const events = await store.readEvents(id, '0');
      assert.deepEqual(
        events.map((e) => e.event.type),
        ['status', 'result'],
        'the output events are gone, the end is there',
      );
      assert.deepEqual(
        (await store.readEvents(id, last)).map((e) => e.id),
        events.map((e) => e.id),
        'a follower past the old events sees the end',
      );
      assert.equal(
        await store.failWithoutResult(id, jobError('RESULT_NOT_STORED', 'again')),
        false,
        'once: it is no longer running',
      );
    } finally {
      await conn.quit();
      await redis.destroy();
    }
  });
});

/**
 * The Redis schedule behind work that must outlive a process (Judge0 callbacks): what is
 * due goes to one taker at a time, and what a taker leased comes due again when its lease
 * runs out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, Schedule } from '@codebox/jobs';
import type { RedisConnection } from '@codebox/jobs';
import { serviceSkip, startRedis } from './stack.js';
import type { TestRedis } from './stack.js';

describe('a schedule in Redis', { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let a: RedisConnection;
  let b: RedisConnection;
  before(async () => {
    redis = await startRedis();
    a = connect(redis.url, 'taker-a');
    b = connect(redis.url, 'taker-b');
  });
  after(async () => {
    await a?.quit();
    await b?.quit();
    await redis?.destroy();
  });

  it('each due member goes to one taker; a lease that runs out makes it due again', async () => {
    const [sa, sb] = [new Schedule(a, 'cbtest:due'), new Schedule(b, 'cbtest:due')];
    const now = 1_000_000;
    for (let i = 0; i < 50; i++) await sa.at(`m${i}`, now - i);
    await sa.at('later', now + 5_000);
    const [got1, got2] = await Promise.all([sa.lease(now, 10_000, 30), sb.lease(now, 10_000, 30)]);
    assert.equal(got1.length + got2.length, 50, 'every due member taken, the later one not');
    assert.equal(new Set([...got1, ...got2]).size, 50, 'none by both');
    assert.deepEqual(await sa.lease(now + 1, 10_000, 100), [], 'leased members are not due');
    await sa.done('m0');
    const again = await sb.lease(now + 10_001, 10_000, 100);
    assert.equal(again.length, 50, 'the 49 whose lease ran out, and the later one');
    assert.ok(!again.includes('m0') && again.includes('later'));
    assert.equal(await sa.size(), 50);
  });
});

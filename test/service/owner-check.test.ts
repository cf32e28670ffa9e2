/**
 * The look at a running job's worker when its queue entry comes back (scripts.ts
 * OWNER_CHECK): dead takes two looks, far enough apart, that find no new heartbeat; looks
 * close together (a command sent again after a reconnect, two workers at once) and a
 * single miss judge nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, JobStore, Keys } from '@codebox/jobs';
import type { RedisConnection } from '@codebox/jobs';
import { serviceSkip, startRedis } from './stack.js';
import type { TestRedis } from './stack.js';

const GAP_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a running job's worker, looked at", { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  let store: JobStore;
  let keys: Keys;
  let n = 0;
  const running = async (owner: string): Promise<string> => {
    const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
    await store.create(id, 'anonymous', 'bash', '5');
    assert.equal(await store.start(id, owner, 'claim'), 'started');
    return id;
  };
  before(async () => {
    redis = await startRedis();
    conn = connect(redis.url, 'codebox-test-owner');
    store = new JobStore(conn, 'cbowner');
    keys = new Keys('cbowner');
  });
  after(async () => {
    await conn?.quit();
    await redis?.destroy();
  });

  it('a worker that stopped beating is dead after two looks a gap apart, not before', async () => {
    const id = await running('w-dead');
    await conn.zadd(keys.workers(), 1_000, 'w-dead');
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'first look: remembers the beat');
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'again at once: too soon to judge');
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'one miss: suspect only');
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'again at once: still too soon');
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'dead');
  });

  it('a beat clears the suspicion; a worker with no heartbeat record at all gets the same two looks', async () => {
    const id = await running('w-slow');
    await conn.zadd(keys.workers(), 1_000, 'w-slow');
    await store.ownerCheck(id, 'w-me', GAP_MS);
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'suspect');
    await conn.zadd(keys.workers(), 2_000, 'w-slow'); // it reconnected and beat
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'beat since: alive, suspicion gone');
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'alive', 'one miss again: suspect only');

    const gone = await running('w-forgotten');
    assert.equal(await store.ownerCheck(gone, 'w-me', GAP_MS), 'alive');
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(gone, 'w-me', GAP_MS), 'alive');
    await sleep(GAP_MS + 50);
    assert.equal(await store.ownerCheck(gone, 'w-me', GAP_MS), 'dead');
  });

  it('its own job is "mine"; an ended one is "ended"', async () => {
    const id = await running('w-me');
    assert.equal(await store.ownerCheck(id, 'w-me', GAP_MS), 'mine');
    await store.finish(id, 'completed', 'running', {});
    assert.equal(await store.ownerCheck(id, 'w-other', GAP_MS), 'ended');
  });
});

/**
 * The problem store on a real Redis: blobs in content-addressed chunks, stored once
 * whoever sends them, read back checked; versions that hold their chunks, deletes that
 * free exactly the chunks no version holds; owners that never see each other's problems;
 * an upload whose chunks expired refused whole; a delete that works over maxmemory.
 */
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CHUNK_BYTES, ChunksMissingError, connect, ProblemStore } from '@codebox/jobs';
import type { BlobRef, RedisConnection, StoredProblem } from '@codebox/jobs';
import { serviceSkip, startCluster, startRedis } from './stack.js';
import type { TestCluster, TestRedis } from './stack.js';

const bytes = (n: number, seed = 1) =>
  crypto
    .createHash('sha256')
    .update(String(seed))
    .digest()
    .toString('hex')
    .repeat(Math.ceil(n / 64))
    .slice(0, n);

async function readAll(store: ProblemStore, ref: BlobRef): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of store.readBlob(ref)) parts.push(c);
  return Buffer.concat(parts);
}

function problem(id: string, tests: { stdin: BlobRef; expectedOutput: BlobRef }[]): Omit<StoredProblem, 'version'> {
  return { id, createdAt: new Date().toISOString(), format: 'json', bytes: 0, tests };
}

describe('problem store', { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  let store: ProblemStore;
  let n = 0;
  before(async () => {
    redis = await startRedis();
    conn = connect(redis.url, 'codebox-test');
  });
  after(async () => {
    await conn?.quit();
    await redis?.destroy();
  });
  const fresh = () => (store = new ProblemStore(conn, `cbtest-ps-${++n}`));
  const inputBytes = async () => Number(/total_net_input_bytes:(\d+)/.exec(await conn.info('stats'))?.[1]);
  const keysOf = async (prefix: string) => (await conn.keys(`${prefix}:blob:*`)).length;

  it('a blob is chunked, read back whole and checked; sent again, it moves no data', async () => {
    fresh();
    const data = Buffer.from(bytes(2 * CHUNK_BYTES + 5000));
    const ref = await store.putBlob(data);
    assert.equal(ref.size, data.length);
    assert.equal(ref.chunks?.length, 3);
    assert.equal(ref.sha256, crypto.createHash('sha256').update(data).digest('hex'));
    assert.ok((await readAll(store, ref)).equals(data));
    const before = await inputBytes();
    const again = await store.putBlob(
      (async function* () {
        for (let at = 0; at < data.length; at += 70_000) yield data.subarray(at, at + 70_000);
      })(),
    );
    assert.deepEqual(again, ref, 'the same chunks from a stream cut differently');
    assert.ok((await inputBytes()) - before < 20_000, 'nothing but the chunks’ names went to Redis');
    const small = await store.putBlob(Buffer.from('1 2\n'));
    assert.equal(small.chunks, undefined, 'one chunk: its own hash');
    assert.equal((await readAll(store, small)).toString(), '1 2\n');
  });

  it('a chunk waits for its version with a TTL, then is held without one; a version is read back', async () => {
    fresh();
    const a = await store.putBlob(Buffer.from('in'));
    const b = await store.putBlob(Buffer.from('ans'));
    assert.ok((await conn.ttl(store.keys.blobChunk(a.sha256))) > 0);
    const v1 = await store.commit('alice', problem('sum', [{ stdin: a, expectedOutput: b }]));
    assert.equal(v1, 1);
    assert.equal(await conn.ttl(store.keys.blobChunk(a.sha256)), -1);
    const v2 = await store.commit('alice', problem('sum', [{ stdin: a, expectedOutput: a }]));
    assert.equal(v2, 2);
    assert.equal((await store.get('alice', 'sum'))?.version, 2);
    assert.deepEqual((await store.get('alice', 'sum', 1))?.tests[0]?.expectedOutput, b);
    assert.deepEqual(await store.versions('alice', 'sum'), [1, 2]);
    assert.equal((await store.resolve('alice', 'sum'))?.version, 2);
    assert.deepEqual(await store.list('alice'), ['sum']);
  });

  it("owners never meet: the same id is two problems, and one cannot read or delete the other's", async () => {
    fresh();
    const a = await store.putBlob(Buffer.from('a'));
    await store.commit('alice', problem('p', [{ stdin: a, expectedOutput: a }]));
    assert.equal(await store.get('bob', 'p'), undefined);
    assert.deepEqual(await store.delete('bob', 'p'), []);
    assert.equal(await store.commit('bob', problem('p', [{ stdin: a, expectedOutput: a }])), 1);
    assert.equal((await store.get('alice', 'p'))?.version, 1);
    assert.deepEqual(await store.list('bob'), ['p']);
  });

  it('a delete frees the chunks no version holds any more, and only those', async () => {
    const prefix = `cbtest-ps-${n + 1}`;
    fresh();
    const shared = await store.putBlob(Buffer.from(bytes(CHUNK_BYTES + 10, 2)));
    const own = await store.putBlob(Buffer.from('own'));
    await store.commit('alice', problem('one', [{ stdin: shared, expectedOutput: own }]));
    await store.commit('alice', problem('one', [{ stdin: shared, expectedOutput: shared }]));
    await store.commit('bob', problem('two', [{ stdin: shared, expectedOutput: shared }]));
    assert.equal(await keysOf(prefix), 3);
    assert.deepEqual(await store.delete('alice', 'one', 1), [1]);
    assert.equal(await keysOf(prefix), 2, "v1's own chunk went; the shared ones stay");
    assert.deepEqual(await store.delete('alice', 'one'), [2]);
    assert.deepEqual(await store.list('alice'), []);
    assert.equal(await keysOf(prefix), 2, "bob's problem still holds them");
    assert.ok((await readAll(store, shared)).length > CHUNK_BYTES);
    await store.delete('bob', 'two');
    assert.equal(await keysOf(prefix), 0);
    assert.equal(await conn.hlen(store.keys.blobRefs()), 0);
  });

  it('an upload whose chunks are gone is refused whole, naming them; nothing is half made', async () => {
    fresh();
    const a = await store.putBlob(Buffer.from('soon gone'));
    await conn.del(store.keys.blobChunk(a.sha256));
    await assert.rejects(
      store.commit('alice', problem('x', [{ stdin: a, expectedOutput: a }])),
      (e: unknown) => e instanceof ChunksMissingError && e.missing[0] === a.sha256,
    );
    assert.deepEqual(await store.versions('alice', 'x'), []);
  });
});

describe('problem store: a failed upload takes back its chunks', { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  before(async () => {
    redis = await startRedis();
    conn = connect(redis.url, 'codebox-test');
  });
  after(async () => {
    await conn?.quit();
    await redis?.destroy();
  });

  it('discardChunks deletes what the upload wrote, never a chunk a version holds; a bad stream part way leaves none', async () => {
    const store = new ProblemStore(conn, 'cbtest-discard');
    const keys = async () => (await conn.keys('cbtest-discard:blob:*')).length;
    const held = await store.putBlob(Buffer.from('held'));
    await store.commit('alice', problem('x', [{ stdin: held, expectedOutput: held }]));
    const before = await keys();
    const written: string[] = [];
    // two chunks and a failure, as a zip entry with a bad CRC fails at its end
    async function* failing(): AsyncIterable<Buffer> {
      yield Buffer.from(bytes(CHUNK_BYTES, 7));
      yield Buffer.from(bytes(CHUNK_BYTES, 8));
      yield Buffer.from('held');
      throw new Error('fails its CRC-32 check');
    }
    await store.putBlob(Buffer.from('held'), undefined, written);
    await assert.rejects(store.putBlob(failing(), undefined, written), /CRC/);
    assert.equal(written.length, 2, 'held was there already: not written');
    assert.equal(await keys(), before + 2);
    assert.equal(await store.discardChunks([...written, held.sha256]), 2);
    assert.equal(await keys(), before, 'no key of the upload remains; the held chunk stays');
    assert.ok((await conn.ttl(store.keys.blobChunk(held.sha256))) === -1);
  });
});

describe('problem store over maxmemory', { skip: serviceSkip() }, () => {
  let redis: TestRedis;
  let conn: RedisConnection;
  before(async () => {
    redis = await startRedis({ maxmemory: '8mb' });
    conn = connect(redis.url, 'codebox-test');
  });
  after(async () => {
    await conn?.quit();
    await redis?.destroy();
  });

  it('uploads are refused (OOM) once Redis is full, and a delete still frees it', async () => {
    const store = new ProblemStore(conn, 'cbtest-full');
    const refs: BlobRef[] = [];
    let refused: unknown;
    try {
      for (let i = 0; i < 20; i++) {
        const ref = await store.putBlob(Buffer.from(bytes(CHUNK_BYTES, 100 + i)));
        await store.commit('alice', problem(`p${i}`, [{ stdin: ref, expectedOutput: ref }]));
        refs.push(ref);
      }
    } catch (err) {
      refused = err;
    }
    assert.match(String(refused), /OOM/);
    for (const id of await store.list('alice')) await store.delete('alice', id);
    assert.equal((await conn.keys('cbtest-full:blob:*')).length, 0);
    const ref = await store.putBlob(Buffer.from(bytes(CHUNK_BYTES, 999)));
    assert.equal(ref.size, CHUNK_BYTES, 'room again');
  });
});

describe('problem store on a Redis Cluster', { skip: serviceSkip() }, () => {
  let cluster: TestCluster;
  let conn: RedisConnection;
  before(async () => {
    cluster = await startCluster(3);
    conn = connect(cluster.url, 'codebox-test');
  });
  after(async () => {
    await conn?.quit();
    await cluster?.destroy();
  });

  it('with the hash-tagged prefix every codebox key has, the scripts reach their chunks in one slot', async () => {
    const store = new ProblemStore(conn, `{cbtest-ps-${process.pid}}`);
    const data = Buffer.from(bytes(CHUNK_BYTES + 100, 7));
    const ref = await store.putBlob(data);
    assert.equal(await store.commit('alice', problem('p', [{ stdin: ref, expectedOutput: ref }])), 1);
    assert.ok((await readAll(store, ref)).equals(data));
    assert.deepEqual(await store.delete('alice', 'p'), [1]);
    await assert.rejects(readAll(store, ref), /not stored/);
  });
});

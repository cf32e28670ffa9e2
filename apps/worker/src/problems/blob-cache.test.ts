import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { BlobRef } from '@codebox/jobs';
import { BlobCache, GRACE_MS } from './blob-cache.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function blob(text: string): { ref: BlobRef; bytes: Buffer } {
  const bytes = Buffer.from(text);
  return { ref: { sha256: crypto.createHash('sha256').update(bytes).digest('hex'), size: bytes.length }, bytes };
}

/** a source that counts reads and answers from a map (or lies, for one hash) */
function source(blobs: { ref: BlobRef; bytes: Buffer }[], lie?: string) {
  const counts = { reads: 0 };
  return {
    counts,
    readBlob: async function* (ref: BlobRef) {
      counts.reads++;
      const b = blobs.find((x) => x.ref.sha256 === ref.sha256);
      if (!b) throw new Error('absent');
      yield ref.sha256 === lie ? Buffer.from('not it') : b.bytes;
    },
  };
}

function cache(max: number, src: ReturnType<typeof source>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-cache-test-'));
  dirs.push(dir);
  return new BlobCache(path.join(dir, 'cache'), max, src);
}

test('fetched once, kept by hash; a second use reads nothing; modes let a box uid in but not list', async () => {
  const a = blob('1 2\n');
  const src = source([a]);
  const c = cache(1 << 20, src);
  const file = await c.path(a.ref);
  assert.equal(fs.readFileSync(file, 'utf8'), '1 2\n');
  assert.equal(await c.path(a.ref), file);
  assert.equal(src.counts.reads, 1);
  assert.equal(fs.statSync(file).mode & 0o777, 0o644);
  assert.equal(fs.statSync(c.dir).mode & 0o777, 0o711);
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o711);
});

test('two at once share one fetch; bytes that are not the blob are refused and leave nothing', async () => {
  const a = blob('a');
  const b = blob('b');
  const src = source([a, b], b.ref.sha256);
  const c = cache(1 << 20, src);
  await Promise.all([c.path(a.ref), c.path(a.ref)]);
  assert.equal(src.counts.reads, 1);
  await assert.rejects(c.path(b.ref), /not it/);
  assert.deepEqual(fs.readdirSync(path.join(c.dir, 'tmp')), []);
});

test('past its bound the least recently used go, never a held one or one used in the grace', async () => {
  const blobs = ['one', 'two', 'three', 'four'].map((t) => blob(t.repeat(100)));
  const c = cache(700, source(blobs));
  const [one, two, three, four] = blobs as [(typeof blobs)[0], (typeof blobs)[0], (typeof blobs)[0], (typeof blobs)[0]];
  const old = (ref: BlobRef, agoMs: number) => {
    const when = new Date(Date.now() - agoMs);
    fs.utimesSync(path.join(c.dir, ref.sha256.slice(0, 2), ref.sha256), when, when);
  };
  const release = c.hold([one.ref]);
  await c.path(one.ref);
  await c.path(two.ref);
  await c.path(three.ref);
  old(one.ref, GRACE_MS * 3);
  old(two.ref, GRACE_MS * 2);
  old(three.ref, 1000);
  await c.path(four.ref); // 300 + 300 + 500 + 400 > 700
  const left = (ref: BlobRef) => fs.existsSync(path.join(c.dir, ref.sha256.slice(0, 2), ref.sha256));
  assert.deepEqual([left(one.ref), left(two.ref), left(three.ref), left(four.ref)], [true, false, true, true]);
  release();
  c.evict();
  assert.equal(left(one.ref), false, 'released and old: it goes');
});

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BlobRef, ProblemStore } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import type { Archive, ArchiveEntry } from './archive.js';
import type { Draft } from './draft.js';
import { storeDraft } from './store.js';

/** a store without Redis: what was put, committed and discarded */
function fakeStore() {
  const seen = { puts: 0, commits: 0, discarded: [] as string[] };
  const store = {
    async putBlob(source: Buffer | AsyncIterable<Buffer>, onChunk?: (n: number) => void, written?: string[]) {
      const parts: Buffer[] = [];
      for await (const p of Buffer.isBuffer(source) ? [source] : source) parts.push(p);
      const data = Buffer.concat(parts);
      seen.puts++;
      onChunk?.(data.length);
      const sha256 = crypto.createHash('sha256').update(data).digest('hex');
      written?.push(sha256);
      return { sha256, size: data.length } as BlobRef;
    },
    commit: async () => Promise.resolve(++seen.commits),
    discardChunks: async (chunks: readonly string[]) => {
      seen.discarded.push(...chunks);
      return Promise.resolve(chunks.length);
    },
  };
  return { store: store as unknown as ProblemStore, seen };
}

/** an archive of texts, counting each entry opened; a text of null fails its CRC as it is read */
function fakeArchive(files: Record<string, string | null>) {
  const opened: string[] = [];
  const entries = new Map(Object.keys(files).map((name) => [name, { name } as ArchiveEntry]));
  const archive = {
    files: entries,
    open: (e: ArchiveEntry) => {
      opened.push(e.name);
      const text = files[e.name];
      if (text === null)
        return new Readable({
          read() {
            this.destroy(new ApiError('INVALID_REQUEST', `${e.name}: fails its CRC-32 check`));
          },
        });
      return Readable.from([Buffer.from(text ?? '')]);
    },
    text: async () => Promise.resolve(''),
    close: () => undefined,
  };
  return { archive: archive as unknown as Archive, opened };
}

const draft = (tests: Draft['tests']): Draft => ({ format: 'polygon', tests });

test('an entry many tests name (a pattern without %d) is inflated and hashed once', async () => {
  const { store, seen } = fakeStore();
  const { archive, opened } = fakeArchive({ 'tests/in': '1\n', 'tests/ans': '1\n' });
  const tests = Array.from({ length: 1000 }, (_, i) => ({
    name: String(i + 1),
    stdin: { entry: 'tests/in' },
    expectedOutput: { entry: 'tests/ans' },
  }));
  const stored = await storeDraft(store, 'o', 'p', draft(tests), archive, 1 << 20);
  assert.deepEqual(opened, ['tests/in', 'tests/ans']);
  assert.equal(seen.puts, 2);
  assert.equal(stored.tests.length, 1000);
  assert.deepEqual(stored.tests[999]?.stdin, stored.tests[0]?.stdin);
});

test("the definition's own JSON counts against the cap: tiny data, many tests, refused before it is stored", async () => {
  const { store, seen } = fakeStore();
  const { archive } = fakeArchive({ in: '1', ans: '1' });
  const tests = Array.from({ length: 2000 }, (_, i) => ({
    name: `t${i}`,
    stdin: { entry: 'in' },
    expectedOutput: { entry: 'ans' },
  }));
  await assert.rejects(
    storeDraft(store, 'o', 'p', draft(tests), archive, 64 << 10),
    (e: unknown) => e instanceof ApiError && e.code === 'PROBLEM_TOO_LARGE',
  );
  assert.equal(seen.commits, 0);
  assert.equal(seen.discarded.length, 2, 'its chunks discarded');
});

test('an upload that fails part way (a bad CRC, the cap) discards the chunks it wrote', async () => {
  const { store, seen } = fakeStore();
  const { archive } = fakeArchive({ a: 'first', b: 'second', bad: null });
  const tests = [
    { name: '1', stdin: { entry: 'a' }, expectedOutput: { entry: 'b' } },
    { name: '2', stdin: { entry: 'bad' }, expectedOutput: { entry: 'b' } },
  ];
  await assert.rejects(storeDraft(store, 'o', 'p', draft(tests), archive, 1 << 20), /CRC-32/);
  assert.equal(seen.discarded.length, 2);
  assert.equal(seen.commits, 0);
});

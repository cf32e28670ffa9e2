import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobStore } from '@codebox/jobs';
import type { OutputChunk } from '@codebox/protocol';
import { OutputWriter } from './output.js';

/** a store that keeps what the writer appends */
function fakeStore(): { store: JobStore; chunks: OutputChunk[] } {
  const chunks: OutputChunk[] = [];
  const store = {
    appendOutput: async (_id: string, _stream: string, chunk: OutputChunk) => void chunks.push(chunk),
  } as unknown as JobStore;
  return { store, chunks };
}

const jsonBytes = (c: OutputChunk): number => Buffer.byteLength(JSON.stringify(c.data)) - 2;
const decoded = (chunks: OutputChunk[]): Buffer => Buffer.concat(chunks.map((c) => Buffer.from(c.data, c.encoding)));

test('the stream cap counts bytes as sent: control bytes (base64, 4/3) fill it sooner than text', async () => {
  for (const [byte, least] of [
    [0x01, 700],
    [0x61, 1000],
  ] as const) {
    const { store, chunks } = fakeStore();
    const w = new OutputWriter(store, 'job', 1000);
    for (let i = 0; i < 100; i++) w.push('stdout', Buffer.alloc(100, byte));
    await w.close();
    const sent = chunks.reduce((n, c) => n + jsonBytes(c), 0);
    const bytes = decoded(chunks);
    assert.ok(sent <= 1000, `0x${byte.toString(16)}: ${sent} bytes sent, over the cap`);
    assert.ok(bytes.length >= least, `0x${byte.toString(16)}: only ${bytes.length} bytes sent`);
    assert.ok(bytes.equals(Buffer.alloc(bytes.length, byte)), "the output's start, in order");
  }
});

test('past the cap nothing more is sent, and output is still coalesced', async () => {
  const { store, chunks } = fakeStore();
  const w = new OutputWriter(store, 'job', 64 << 10);
  for (let i = 0; i < 1000; i++) w.push('stdout', Buffer.from('line\n'));
  await w.close();
  assert.equal(chunks.length, 1, 'one event for what came within 25 ms');
  assert.equal(decoded(chunks).toString(), 'line\n'.repeat(1000));
  w.push('stdout', Buffer.alloc(100 << 10, 0x62));
  await w.close();
  assert.ok(chunks.slice(1).reduce((n, c) => n + jsonBytes(c), 0) + 5000 <= 64 << 10);
});

/**
 * A running job's output on its event stream: chunks coalesced (at most every 25 ms or
 * 16 KiB per event, so a chatty program does not make an event per write), sent in order
 * one at a time, and capped at maxBytes in all, counted as sent (base64 or text with its
 * JSON escapes: what Redis holds) — the result carries every byte anyway.
 */
import type { JobStore } from '@codebox/jobs';
import { encodeOutputWithin } from '@codebox/protocol';

const FLUSH_MS = 25;
const FLUSH_BYTES = 16 << 10;

export class OutputWriter {
  private pending: { stream: 'stdout' | 'stderr'; chunks: Buffer[]; bytes: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private sent = 0;
  private failed: unknown;

  constructor(
    private readonly store: JobStore,
    private readonly id: string,
    private readonly maxBytes: number,
  ) {}

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    // an encoding costs at least its bytes: what is over the room left unsent never fits
    const room = this.maxBytes - this.sent - (this.pending?.bytes ?? 0);
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (this.pending && this.pending.stream !== stream) this.flush();
    this.pending ??= { stream, chunks: [], bytes: 0 };
    this.pending.chunks.push(part);
    this.pending.bytes += part.length;
    if (this.pending.bytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** another event, in order with the output around it (judge mode's test results) */
  event(send: () => Promise<void>): void {
    this.flush();
    this.chain = this.chain.then(() =>
      this.failed ? undefined : send().catch((err: unknown) => void (this.failed = err)),
    );
  }

  /** sends what is pending and waits for everything sent so far */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    const { text, encoding, jsonBytes, keptBytes } = encodeOutputWithin(
      Buffer.concat(p.chunks),
      this.maxBytes - this.sent,
    );
    // a cut ends the stream's output: what follows would not follow on from it
    this.sent = keptBytes < p.bytes ? this.maxBytes : this.sent + jsonBytes;
    if (keptBytes === 0) return;
    this.chain = this.chain.then(() =>
      this.failed
        ? undefined
        : this.store.appendOutput(this.id, p.stream, { data: text, encoding }).catch((err: unknown) => {
            // live output is best effort: Redis away for a moment loses chunks, never the result
            this.failed = err;
          }),
    );
  }
}

/**
 * A background process's output, kept in the worker's memory: its chunks in order, each
 * numbered, the oldest dropped once they hold more than maxBytes. A reader asks for what
 * came after the last number it saw, and is told when some of that was dropped.
 */
export interface OutputChunk {
  readonly seq: number;
  readonly stream: 'stdout' | 'stderr';
  readonly data: Buffer;
}

export class OutputRing {
  private readonly chunks: OutputChunk[] = [];
  private bytes = 0;
  private seq = 0;

  constructor(private readonly maxBytes: number) {}

  push(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.maxBytes === 0 || data.length === 0) {
      this.seq++;
      return;
    }
    // a chunk larger than the whole ring keeps its tail
    const kept = data.length > this.maxBytes ? data.subarray(data.length - this.maxBytes) : data;
    this.chunks.push({ seq: ++this.seq, stream, data: Buffer.from(kept) });
    this.bytes += kept.length;
    while (this.bytes > this.maxBytes) this.bytes -= this.chunks.shift()?.data.length ?? 0;
  }

  /** the chunks after `after`, the next number to ask after, and whether any after `after` were dropped */
  after(after: number): { chunks: OutputChunk[]; next: number; dropped: boolean } {
    const first = this.chunks[0]?.seq ?? this.seq + 1;
    return {
      chunks: this.chunks.filter((c) => c.seq > after),
      next: this.seq,
      dropped: first > after + 1 && this.seq > after,
    };
  }
}

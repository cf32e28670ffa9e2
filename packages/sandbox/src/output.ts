/**
 * Keeps at most `limit` bytes of one output stream and reports the rest as overflow.
 * The engine's memory per run is bounded by the limit whatever the program writes.
 */
export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly onChunk: ((chunk: Buffer) => void) | undefined,
    private readonly onOverflow: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.truncated) return;
    const room = this.limit - this.size;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    if (kept.length > 0) {
      this.chunks.push(kept);
      this.size += kept.length;
      this.onChunk?.(kept);
    }
    if (chunk.length > room) {
      this.truncated = true;
      this.onOverflow();
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

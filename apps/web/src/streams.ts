/**
 * The client reads an event stream with `for await` over the response body, which
 * Chromium and Firefox allow and Safari does not yet: there, the same through a reader.
 */
export function streamsIterate(): void {
  const proto = ReadableStream.prototype as unknown as Record<symbol, unknown>;
  if (proto[Symbol.asyncIterator]) return;
  proto[Symbol.asyncIterator] = async function* (this: ReadableStream<Uint8Array>) {
    const reader = this.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  };
}

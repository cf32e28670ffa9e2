/**
 * An output pane: text appended as it streams, stderr marked apart, kept scrolled to the
 * end unless the reader scrolled up. It holds at most MAX_CHARS (a program may print
 * megabytes; the page must stay responsive), then says what it left out.
 */
import { h } from './dom.js';

const MAX_CHARS = 1 << 20;

export type Stream = 'stdout' | 'stderr';

export class OutputPane {
  private chars = 0;
  private dropped = 0;
  private last: { stream: Stream; node: Text } | undefined;
  private readonly decoders = new Map<Stream, TextDecoder>();

  constructor(private readonly pre: HTMLElement) {}

  clear(): void {
    this.pre.replaceChildren();
    this.chars = 0;
    this.dropped = 0;
    this.last = undefined;
    this.decoders.clear();
  }

  /** a chunk as the API sends it: text, or base64 of bytes that may split a character */
  chunk(stream: Stream, data: string, encoding: 'utf8' | 'base64'): void {
    const bytes =
      encoding === 'base64' ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0)) : new TextEncoder().encode(data);
    let decoder = this.decoders.get(stream);
    if (!decoder) this.decoders.set(stream, (decoder = new TextDecoder()));
    this.append(stream, decoder.decode(bytes, { stream: true }));
  }

  append(stream: Stream, text: string): void {
    if (!text) return;
    const room = MAX_CHARS - this.chars;
    if (room <= 0) {
      this.dropped += text.length;
      return this.sayDropped();
    }
    const kept = text.length > room ? text.slice(0, room) : text;
    this.dropped += text.length - kept.length;
    const atEnd = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
    if (this.last?.stream === stream) this.last.node.appendData(kept);
    else {
      const node = document.createTextNode(kept);
      this.pre.append(h('span', { class: stream }, node));
      this.last = { stream, node };
    }
    this.chars += kept.length;
    if (this.dropped > 0) this.sayDropped();
    if (atEnd) this.pre.scrollTop = this.pre.scrollHeight;
  }

  /** a line of the page's own, not the program's */
  note(text: string): void {
    this.pre.append(h('span', { class: 'note' }, text));
    this.last = undefined;
  }

  get length(): number {
    return this.chars + this.dropped;
  }

  private sayDropped(): void {
    let tail = this.pre.querySelector<HTMLElement>('.dropped');
    if (!tail) this.pre.append((tail = h('span', { class: 'note dropped' })));
    tail.textContent = `\n… ${this.dropped} more characters not shown`;
  }
}

/**
 * A client's value where the wire wants text. The compatible APIs take what their
 * originals take: a number sent for a string is its digits. Anything else (an object, an
 * array) is its JSON, so that what a message quotes back is what the client sent, never
 * "[object Object]".
 */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '';
  return JSON.stringify(v) ?? '';
}

/** What every tool shares: a codebox error as a tool error, and text cut to what a model reads. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CodeboxError } from '@codebox/client';

/** images an MCP client can show; other files come back as text or base64 */
export const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
/** what of a text output goes into a tool's answer; the rest is said to be cut */
export const MAX_TEXT = 64 * 1024;

/** a codebox error as a tool error: its code and message, for the model to act on */
export class ToolFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function answer(fn: () => Promise<CallToolResult['content']>): Promise<CallToolResult> {
  try {
    return { content: await fn() };
  } catch (err) {
    if (err instanceof CodeboxError || err instanceof ToolFailure) {
      return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.message}` }] };
    }
    throw err;
  }
}

export function cut(s: string): string {
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}\n[${s.length - MAX_TEXT} more characters not shown]`;
}

/** a stream of a result as the wire gave it (text, or base64 for bytes that are not), as text cut to fit */
export function streamText(s: string, encoding: 'utf8' | 'base64'): string {
  return cut(encoding === 'base64' ? Buffer.from(s, 'base64').toString('utf8') : s);
}

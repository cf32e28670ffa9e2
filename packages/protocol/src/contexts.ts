/**
 * Code contexts on the wire: a long-lived Python or JavaScript interpreter in a session
 * that runs cells and keeps its variables between them, as a notebook kernel does.
 *
 *   POST   /v1/sessions/:id/contexts              {language} → 201 ContextView
 *   GET    /v1/sessions/:id/contexts              → {contexts: ContextView[]}
 *   POST   /v1/sessions/:id/contexts/:cid/run     {code} → SSE of CellEvents, then `done`;
 *                                                 ?wait=true → CellRunJson
 *   POST   /v1/sessions/:id/contexts/:cid/interrupt   the running cell stops; the context lives
 *   POST   /v1/sessions/:id/contexts/:cid/restart     a fresh interpreter
 *   DELETE /v1/sessions/:id/contexts/:cid
 */
import { invalid } from './request.js';

export const CONTEXT_LANGUAGES = ['python', 'javascript'] as const;
export type ContextLanguageName = (typeof CONTEXT_LANGUAGES)[number];
/** a cell's code, at most */
export const MAX_CELL_CODE_BYTES = 1 << 20;
/** contexts a session holds at once: each is an interpreter in the session's memory */
export const MAX_CONTEXTS = 4;
/** what of a cell's events is kept (its output, values and displays); past it, `truncated` */
export const MAX_CELL_EVENT_BYTES = 16 << 20;

export interface ContextView {
  id: string;
  language: ContextLanguageName;
  /** false once its interpreter has ended (a cell that crashed it): restart or delete it */
  alive: boolean;
  createdAt: string;
}

/** a cell's events: its streams, its value and displays (mime bundles), its error */
export type CellEventJson =
  | { type: 'stdout' | 'stderr'; text: string }
  | { type: 'result' | 'display'; data: Record<string, string> }
  | { type: 'error'; name: string; message: string; traceback: string };

export interface CellRunJson {
  events: CellEventJson[];
  /** the cell raised (an error event is among the events) */
  failed: boolean;
  /** the cell's events went past what is kept of one cell; the rest was dropped */
  truncated: boolean;
  /** the cell ended the interpreter (its last event says how): the context is not alive */
  ended?: boolean;
}

export function checkContextRequest(body: unknown): { language: ContextLanguageName } {
  const b = (body ?? {}) as { language?: unknown };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  for (const k of Object.keys(body)) if (k !== 'language') throw invalid(k, 'is not a field of a context');
  if (typeof b.language !== 'string' || !(CONTEXT_LANGUAGES as readonly string[]).includes(b.language))
    throw invalid('language', `must be one of ${CONTEXT_LANGUAGES.join(', ')}`);
  return { language: b.language as ContextLanguageName };
}

export function checkCellRequest(body: unknown): { code: string } {
  const b = (body ?? {}) as { code?: unknown };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('body', 'must be a JSON object');
  for (const k of Object.keys(body)) if (k !== 'code') throw invalid(k, 'is not a field of a cell');
  if (typeof b.code !== 'string') throw invalid('code', 'must be a string');
  if (Buffer.byteLength(b.code) > MAX_CELL_CODE_BYTES) throw invalid('code', `at most ${MAX_CELL_CODE_BYTES} bytes`);
  return { code: b.code };
}

export const CONTEXT_SCHEMA = {
  type: 'object',
  required: ['id', 'language', 'alive', 'createdAt'],
  properties: {
    id: { type: 'string' },
    language: { type: 'string', enum: [...CONTEXT_LANGUAGES] },
    alive: { type: 'boolean', description: 'false once a cell ended its interpreter: restart or delete it' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const CELL_EVENT_SCHEMA = {
  type: 'object',
  required: ['type'],
  description:
    "stdout/stderr {text}; result (the last expression's value) and display {data: mime bundle, e.g. text/plain, text/html, application/json, image/png as base64}; error {name, message, traceback}",
  properties: {
    type: { type: 'string', enum: ['stdout', 'stderr', 'result', 'display', 'error'] },
    text: { type: 'string' },
    data: { type: 'object', additionalProperties: { type: 'string' } },
    name: { type: 'string' },
    message: { type: 'string' },
    traceback: { type: 'string' },
  },
} as const;

export const CELL_RUN_SCHEMA = {
  type: 'object',
  required: ['events', 'failed', 'truncated'],
  properties: {
    events: { type: 'array', items: CELL_EVENT_SCHEMA },
    failed: { type: 'boolean', description: 'the cell raised: an error event is among the events' },
    truncated: {
      type: 'boolean',
      description: `the events went past ${MAX_CELL_EVENT_BYTES} bytes; the rest was dropped`,
    },
    ended: {
      type: 'boolean',
      description: 'the cell ended the interpreter (an error event ContextEnded says how): restart the context',
    },
  },
} as const;

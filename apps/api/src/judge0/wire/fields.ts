/**
 * The serializer (submission_serializer.rb): the `fields` a client asks for, in attribute
 * order; texts as base64 (Ruby's encode64) or as text — and text that is not valid UTF-8
 * is a ConversionError, as in Judge0.
 */
import type { JobView, RuntimeInfo } from '@codebox/protocol';
import { submissionRecord } from './record.js';
import type { Submission } from './submission.js';

export const ATTRIBUTES = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'status',
  'language',
] as const;
export const DEFAULT_FIELDS = ['token', 'time', 'memory', 'stdout', 'stderr', 'compile_output', 'message', 'status'];
const BASE64_FIELDS = new Set(['source_code', 'stdin', 'expected_output', 'stdout', 'stderr', 'compile_output']);

/**
 * The `fields` query as fields/submission.rb reads it: split on commas as Ruby's
 * split(",") does (trailing empty ones dropped, an empty one between is a field named
 * ""); any unknown one is an error, even beside `*`; `*` = all; none asked = the defaults.
 */
export function parseFields(fields: unknown): { fields: string[] } | { invalid: string[] } {
  if (typeof fields !== 'string') return { fields: DEFAULT_FIELDS };
  const asked = rubySplit(fields, ',');
  const invalid = asked.filter((f) => f !== '*' && !(ATTRIBUTES as readonly string[]).includes(f));
  if (invalid.length > 0) return { invalid };
  if (asked.includes('*')) return { fields: [...ATTRIBUTES] };
  return { fields: asked.length > 0 ? asked : DEFAULT_FIELDS };
}

/** Ruby's String#split with a separator: the empty strings at the end are dropped */
function rubySplit(s: string, separator: string): string[] {
  const parts = s.split(separator);
  while (parts.at(-1) === '') parts.pop();
  return parts;
}

/** a text that is not valid UTF-8, asked for as text: Judge0 answers that base64_encoded=true is needed */
export class ConversionError extends Error {}

/** Ruby's encode64: a line break every 60 characters, and one at the end */
export function encode64(b64: string): string {
  return b64.replace(/.{1,60}/g, '$&\n');
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** the asked fields of a record, in attribute order */
export function serialize(
  record: Record<string, unknown>,
  fields: readonly string[],
  base64: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ATTRIBUTES) {
    if (fields.includes(f)) out[f] = serialized(f, record[f], base64);
  }
  return out;
}

/** a submission as a client asked to see it: its record, serialized */
export function renderSubmission(
  s: Submission,
  view: JobView | undefined,
  runtime: RuntimeInfo | undefined,
  fields: readonly string[],
  base64: boolean,
): Record<string, unknown> {
  return serialize(submissionRecord(s, view, runtime), fields, base64);
}

function serialized(f: string, v: unknown, base64: boolean): unknown {
  if (f === 'additional_files') return typeof v === 'string' ? encode64(v) : null;
  if (BASE64_FIELDS.has(f) && typeof v === 'string') {
    if (base64) return encode64(v);
    try {
      return strict.decode(Buffer.from(v, 'base64'));
    } catch {
      throw new ConversionError(f);
    }
  }
  if (f === 'message' && base64 && typeof v === 'string') return encode64(Buffer.from(v).toString('base64'));
  return v;
}

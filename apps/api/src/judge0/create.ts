/**
 * Making one submission: checked as Judge0's model checks it, against this server's
 * languages; its additional files read; the native job it becomes checked as a native
 * request; then recorded, its callback scheduled, and queued. Each refusal is Judge0's
 * 422 {attr: [messages]}, as data: a batch answers one per submission.
 */
import crypto from 'node:crypto';
import { ApiError, checkJobRequest } from '@codebox/protocol';
import type { JobRequest, RuntimeInfo } from '@codebox/protocol';
import type { CatalogReader } from '../catalog.js';
import { submitJob } from '../jobs/index.js';
import type { JobServiceDeps } from '../jobs/index.js';
import type { Judge0Callbacks } from './callbacks.js';
import { judge0Runtimes } from './runtimes.js';
import { countSubmission } from './statistics.js';
import { dropSubmission, saveSubmission } from './submissions.js';
import type { SubmissionsDeps } from './submissions.js';
import { checkSubmission, filesProblem, MAX_EXTRACT_KB, nativeRequest, takesCompilerOptions } from './wire/index.js';
import type { Errors, Submission } from './wire/index.js';
import { unzip, ZipError } from './zip.js';

export interface CreateDeps extends JobServiceDeps, SubmissionsDeps {
  readonly catalog: CatalogReader;
  readonly bodyLimitBytes: number;
  readonly callbacks: Judge0Callbacks;
}

export interface Created {
  token: string;
  submission: Submission;
  runtime: RuntimeInfo;
}
export interface Refused {
  errors: Errors;
}

type Checked = Omit<Submission, 'token'>;

/** validates, records and queues one submission: its token, or its errors */
export async function createSubmission(
  d: CreateDeps,
  body: unknown,
  owner: string,
  base64: boolean,
  token: string = crypto.randomUUID(),
): Promise<Created | Refused> {
  const checked = await checkForRuntime(d, body, base64);
  if ('errors' in checked) return checked;
  const { s, runtime } = checked;
  const extra = additionalFiles(s);
  if ('errors' in extra) return extra;
  const lacking = filesProblem(s.language_id, extra.files);
  if (lacking) return { errors: lacking };
  const request = await jobRequest(d, s, runtime, extra.files);
  if ('errors' in request) return request;
  const submission: Submission = { token, ...s };
  await recordAndQueue(d, owner, submission, request.request, runtime);
  return { token, submission, runtime };
}

/** the model's checks against the languages the workers have; compiler options only for a compiled one */
async function checkForRuntime(
  d: CreateDeps,
  body: unknown,
  base64: boolean,
): Promise<{ s: Checked; runtime: RuntimeInfo } | Refused> {
  const ids = await judge0Runtimes(d.catalog);
  const checked = checkSubmission(body, base64, new Set(ids.keys()), (url) => d.callbacks.urlProblem(url));
  if ('errors' in checked) return checked;
  const s = checked.submission;
  const runtime = ids.get(s.language_id) as RuntimeInfo;
  if (s.compiler_options && !takesCompilerOptions(s.language_id, runtime))
    return { errors: { compiler_options: ['setting compiler options is only allowed for compiled languages'] } };
  return { s, runtime };
}

/** additional_files: the zip's regular files, read in memory (zip.ts) */
function additionalFiles(s: Checked): { files: { name: string; content: Buffer }[] } | Refused {
  if (!s.additional_files) return { files: [] };
  try {
    return { files: unzip(Buffer.from(s.additional_files, 'base64'), MAX_EXTRACT_KB * 1024).files };
  } catch (err) {
    if (err instanceof ZipError)
      return { errors: { additional_files: [`is not a usable zip archive: ${err.message}`] } };
    throw err;
  }
}

/** the native job, within the size the queue keeps and the checks a native request passes */
async function jobRequest(
  d: CreateDeps,
  s: Checked,
  runtime: RuntimeInfo,
  files: { name: string; content: Buffer }[],
): Promise<{ request: JobRequest } | Refused> {
  const request = nativeRequest(s, runtime, files);
  // runs and an archive multiply what the request holds: the queue keeps it all in Redis
  if (Buffer.byteLength(JSON.stringify(request)) > 4 * d.bodyLimitBytes) {
    return {
      errors: { base: [`is over ${4 * d.bodyLimitBytes} bytes once its runs and additional files are counted`] },
    };
  }
  const ctx = await d.catalog.requestContext();
  try {
    checkJobRequest(request, ctx);
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return { errors: { base: [err.message] } };
    throw err;
  }
  return { request };
}

/** the record first, then its callback, then the job; a job that cannot be made takes its record with it */
async function recordAndQueue(
  d: CreateDeps,
  owner: string,
  submission: Submission,
  request: JobRequest,
  runtime: RuntimeInfo,
): Promise<void> {
  await saveSubmission(d, owner, submission);
  try {
    // scheduled before the job exists: a callback is never missing for a job that is
    if (submission.callback_url) await d.callbacks.add(submission.token);
    await submitJob(d, owner, request, runtime, { id: submission.token });
  } catch (err) {
    await dropSubmission(d, submission.token).catch(() => undefined);
    throw err;
  }
  // the statistics are a count, not the submission's: one missed is logged, not refused
  await countSubmission(d, submission.language_id).catch((err: unknown) =>
    d.log.warn({ err, jobId: submission.token }, 'judge0 statistics: a submission was not counted'),
  );
}

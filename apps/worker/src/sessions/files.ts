/**
 * A session's files, through the engine, which does the work inside the box as the box's
 * user and never follows a link (session-types.ts): a file's bytes out and in (at most
 * the policy's fileBytes a call), a listing, removal, a directory, and the workspace as a
 * tar stream either way, under the window like every byte of a call.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FileEntryJson } from '@codebox/protocol';
import type { Handler } from './context.js';
import { endWithValue, readInput } from './context.js';
import { callError, CallRefused, refuse } from './errors.js';

interface PathArgs {
  readonly path: string;
}

/** deepest listing a call may ask */
const MAX_DEPTH = 16;

/** an engine error about `path` as the client's error (FILE_NOT_FOUND naming it, …) */
async function about<T>(path: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new CallRefused(callError(err, path));
  }
}

export const readFile: Handler = async (h, s, call) => {
  const { path } = call.args as PathArgs;
  const bytes = await about(path, () => s.session.readFile(path, { maxBytes: h.policy.fileBytes }));
  await call.data('body', bytes);
  await call.end({ size: bytes.length });
};

export const writeFile: Handler = async (h, s, call) => {
  const { path, mode } = call.args as PathArgs & { mode?: number };
  const bytes = await readInput(call, h.policy.fileBytes, () =>
    refuse('FILE_TOO_LARGE', `${path}: over ${h.policy.fileBytes} bytes`, { path, maximum: h.policy.fileBytes }),
  );
  await about(path, () => s.session.writeFile(path, bytes, mode === undefined ? {} : { mode }));
  await call.end({ path, size: bytes.length });
};

export const remove: Handler = async (_h, s, call) => {
  const { path } = call.args as PathArgs;
  await about(path, () => s.session.remove(path));
  await call.end(null);
};

export const mkdir: Handler = async (_h, s, call) => {
  const { path } = call.args as PathArgs;
  await about(path, () => s.session.mkdir(path));
  await call.end(null);
};

export const list: Handler = async (_h, s, call) => {
  const { path, depth } = call.args as { path?: string; depth?: number };
  const d = Math.min(Math.max(1, depth ?? 1), MAX_DEPTH);
  const entries = await about(path, () => s.session.list(path, { depth: d }));
  const json: FileEntryJson[] = entries.map((e) => ({
    path: e.path,
    type: e.type,
    size: e.size,
    mode: e.mode,
    mtime: isoTime(e.mtimeMs),
  }));
  await endWithValue(call, json);
};

/** the workspace (or a directory of it) as a tar stream, read only as fast as the caller takes it */
export const download: Handler = async (_h, s, call) => {
  const { path } = call.args as Partial<PathArgs>;
  const tar = s.session.download(path);
  call.signal.addEventListener('abort', () => tar.destroy());
  let bytes = 0;
  await about(path, async () => {
    for await (const chunk of tar) {
      bytes += (chunk as Buffer).length;
      await call.data('body', chunk as Buffer);
    }
  });
  await call.end({ bytes });
};

/** a tar stream into the workspace, as it comes */
export const upload: Handler = async (_h, s, call) => {
  const { path } = call.args as Partial<PathArgs>;
  const tar = new PassThrough();
  const unpacked = about(path, () => s.session.upload(tar, path));
  // the engine stopped reading (done, or failed): the feeding stops too
  let stopped = false;
  const settled = unpacked.then(
    () => void (stopped = true),
    () => void (stopped = true),
  );
  try {
    for (let p = await call.nextInput(); p && !stopped; p = await call.nextInput()) {
      if (!tar.write(p.bytes)) await Promise.race([once(tar, 'drain'), settled]);
    }
  } finally {
    tar.end();
  }
  await unpacked;
  await call.end(null);
};

/** the years RFC 3339 can write: a box sets any time it likes on its files (utime) */
const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

function isoTime(ms: number): string {
  return new Date(Math.min(Math.max(Number.isFinite(ms) ? ms : 0, FIRST_MS), LAST_MS)).toISOString();
}

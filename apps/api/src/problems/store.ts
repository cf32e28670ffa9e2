/**
 * A checked draft stored: each source as a blob (problems.ts: chunks a Redis already has
 * are not sent), its distinct bytes held to the cap as they come, then the version made
 * in one step. A file of the archive is streamed from it, never whole in memory, and read
 * once however many tests name it. The definition's own JSON counts against the cap too.
 * An upload that fails (the cap, a bad CRC, chunks gone) deletes the chunks it wrote.
 */
import { distinctBytes, ProblemQuotaError, ProblemStore } from '@codebox/jobs';
import type { BlobRef, StoredProblem, StoredProgram } from '@codebox/jobs';
import { ApiError } from '@codebox/protocol';
import type { Archive } from './archive.js';
import type { Draft, DraftProgram, Source } from './draft.js';

export async function storeDraft(
  store: ProblemStore,
  owner: string,
  id: string,
  draft: Draft,
  archive: Archive | undefined,
  maxBytes: number,
  /** the owner's stored problems, every version in full, at most this (0: no quota) */
  quota = 0,
): Promise<StoredProblem> {
  const written: string[] = [];
  try {
    // counted as the bytes come, before they reach Redis; the commit checks it again, at once
    const room = quota > 0 ? quota - (await store.storedBytes(owner)) : Infinity;
    return await storeAll(store, owner, id, draft, archive, { maxBytes, quota, room }, written);
  } catch (err) {
    // else they would wait out UPLOAD_TTL_S in Redis; a failure to discard must not hide why the upload failed
    await store.discardChunks(written).catch(() => undefined);
    if (err instanceof ProblemQuotaError) throw overQuota(err.used, quota);
    throw err;
  }
}

async function storeAll(
  store: ProblemStore,
  owner: string,
  id: string,
  draft: Draft,
  archive: Archive | undefined,
  caps: { maxBytes: number; quota: number; room: number },
  written: string[],
): Promise<StoredProblem> {
  const { maxBytes } = caps;
  const fits = (n: number): void => {
    if (n > maxBytes) throw tooLarge(maxBytes);
    if (n > caps.room) throw overQuota(caps.quota - caps.room, caps.quota);
  };
  const seen = new Map<string, number>();
  // an entry many tests name (a Polygon pattern without %d) is inflated and hashed once
  const entries = new Map<string, Promise<BlobRef>>();
  let held = 0;
  const blob = (source: Source): Promise<BlobRef> => {
    if ('bytes' in source) return putOne(source);
    const known = entries.get(source.entry);
    if (known) return known;
    const ref = putOne(source);
    entries.set(source.entry, ref);
    return ref;
  };
  const putOne = async (source: Source): Promise<BlobRef> => {
    let mine = 0;
    // the cap counts each distinct file once: a file's bytes as they come, on top of the distinct ones so far
    const count = (n: number): void => {
      mine += n;
      fits(held + mine);
    };
    const ref = await store.putBlob(bytesOf(source, archive), count, written);
    if (!seen.has(ref.sha256)) {
      seen.set(ref.sha256, ref.size);
      held += ref.size;
    }
    return ref;
  };
  const program = async (p: DraftProgram): Promise<StoredProgram> => {
    const files = [];
    for (const f of p.files) files.push({ name: f.name, data: await blob(f.data) });
    return { ...p, files };
  };
  const tests = [];
  for (const t of draft.tests) {
    const stdin = t.stdin ? await blob(t.stdin) : undefined;
    tests.push({
      ...(t.name === undefined ? {} : { name: t.name }),
      ...(stdin ? { stdin } : {}),
      expectedOutput: await blob(t.expectedOutput),
      ...(t.points === undefined ? {} : { points: t.points }),
    });
  }
  const checker =
    typeof draft.checker === 'object' && draft.checker.type === 'program'
      ? { type: 'program' as const, ...(await program(draft.checker)) }
      : draft.checker;
  const interactor = draft.interactor ? await program(draft.interactor) : undefined;
  const problem: Omit<StoredProblem, 'version' | 'bytes'> = {
    id,
    createdAt: new Date().toISOString(),
    format: draft.format,
    ...(draft.name === undefined ? {} : { name: draft.name }),
    ...(draft.limits ? { limits: draft.limits } : {}),
    ...(draft.stopOnFirstFailure === undefined ? {} : { stopOnFirstFailure: draft.stopOnFirstFailure }),
    tests,
    ...(draft.groups ? { groups: draft.groups } : {}),
    ...(checker === undefined ? {} : { checker }),
    ...(interactor ? { interactor } : {}),
  };
  const bytes = distinctBytes([...seen].map(([sha256, size]) => ({ sha256, size })));
  // the definition is stored too: 200,000 tests of one small file once made 52 MB of it
  fits(held + Buffer.byteLength(JSON.stringify({ ...problem, bytes })));
  const version = await store.commit(owner, { ...problem, bytes }, caps.quota);
  return { ...problem, bytes, version };
}

function bytesOf(source: Source, archive: Archive | undefined): Buffer | AsyncIterable<Buffer> {
  if ('bytes' in source) return source.bytes;
  const entry = archive?.files.get(source.entry);
  if (!archive || !entry)
    throw new ApiError('INVALID_REQUEST', `${source.entry}: is not in the package`, { field: source.entry });
  return archive.open(entry);
}

function overQuota(used: number, quota: number): ApiError {
  return new ApiError(
    'PROBLEM_QUOTA',
    `this key's problems hold ${used} bytes, and this one would take them past ${quota} (CODEBOX_PROBLEM_KEY_BYTES; every version counts in full): delete some first`,
    { maximum: quota, used },
  );
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    'PROBLEM_TOO_LARGE',
    `the problem is over ${maxBytes} bytes of data (CODEBOX_PROBLEM_MAX_BYTES; each distinct file counted once, and its definition)`,
    { maximum: maxBytes },
  );
}

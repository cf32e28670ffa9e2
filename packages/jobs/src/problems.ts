/**
 * Problems in Redis, stored once and judged by many jobs. Every file of a problem (a
 * test's input or answer, a checker's source) is a blob: its bytes in chunks of at most
 * CHUNK_BYTES, each stored once under its SHA-256 whoever uploads it, so a second version
 * or a second problem with the same data stores nothing again, and neither writer nor
 * reader ever holds more than a chunk of it. A version holds its chunks (a count per
 * chunk); deleting the last version that holds a chunk deletes it. A chunk uploaded for a
 * version that is never made expires after UPLOAD_TTL_S.
 *
 * A problem belongs to its owner (the API key's hash): its keys carry the owner, so one
 * key never sees, overwrites or deletes another's, even with the same id. Versions count
 * up from 1 and are kept until deleted.
 *
 * Redis is the one stateful part, under maxmemory with noeviction: what problems may
 * take is capped per problem by the API (CODEBOX_PROBLEM_MAX_BYTES), and Redis refuses
 * (OOM, an error the API answers 503) past its maxmemory.
 */
import crypto from 'node:crypto';
import type { CheckerInput, GroupInput, ProblemFormat, ProgramCheckerInput, RequestLimits } from '@codebox/protocol';
import type { RedisConnection } from './connection.js';
import { Keys } from './keys.js';
import { COMMIT_VERSION, DELETE_VERSIONS, DISCARD_CHUNKS, PUT_CHUNK, TOUCH_CHUNK } from './problem-scripts.js';

/** the most one chunk holds: what a writer or reader of a blob holds at once */
export const CHUNK_BYTES = 1 << 20;
/** how long an uploaded chunk waits for the version that will hold it */
export const UPLOAD_TTL_S = 3_600;

/** a file stored as chunks: its SHA-256 and size; chunks only when there are more than one (else its own hash) */
export interface BlobRef {
  readonly sha256: string;
  readonly size: number;
  readonly chunks?: readonly string[];
}

/**
 * A problem's definition, its files as F: blobs once stored (BlobRef), the sources of an
 * upload while it is read (the API's draft).
 */
export interface ProblemDefinition<F> {
  readonly format: ProblemFormat;
  readonly name?: string;
  readonly limits?: RequestLimits;
  readonly stopOnFirstFailure?: boolean;
  readonly tests: readonly ProblemTest<F>[];
  readonly groups?: readonly GroupInput[];
  readonly checker?: Exclude<CheckerInput, ProgramCheckerInput> | ({ readonly type: 'program' } & ProblemProgram<F>);
  readonly interactor?: ProblemProgram<F>;
}

export interface ProblemTest<F> {
  readonly name?: string;
  readonly stdin?: F;
  readonly expectedOutput: F;
  readonly points?: number;
}

/** a checker's or interactor's program */
export interface ProblemProgram<F> {
  readonly language: string;
  readonly files: readonly { readonly name: string; readonly data: F }[];
  readonly protocol?: string;
  readonly args?: readonly string[];
  readonly points?: string;
}

export type StoredProgram = ProblemProgram<BlobRef>;
export type StoredTest = ProblemTest<BlobRef>;

/** one version of a problem as stored */
export interface StoredProblem extends ProblemDefinition<BlobRef> {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  /** its distinct blobs' bytes */
  readonly bytes: number;
}

/** a version could not be made: chunks it needs are gone; send it again */
export class ChunksMissingError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`${missing.length} chunk(s) of the upload are no longer stored: send the problem again`);
    this.name = 'ChunksMissingError';
  }
}

/** a version would take its owner's stored problems past their quota */
export class ProblemQuotaError extends Error {
  constructor(
    readonly used: number,
    readonly quota: number,
  ) {
    super(`the key's problems hold ${used} bytes; the quota is ${quota}`);
    this.name = 'ProblemQuotaError';
  }
}

/** a blob's chunk is gone or not what its hash says */
export class BlobUnreadableError extends Error {
  constructor(sha256: string, why: string) {
    super(`blob ${sha256}: ${why}`);
    this.name = 'BlobUnreadableError';
  }
}

type Script = (...args: (string | number | Buffer)[]) => Promise<unknown>;

export class ProblemStore {
  readonly keys: Keys;
  private readonly scripts: Record<'touch' | 'put' | 'commit' | 'remove' | 'discard', Script>;

  constructor(
    private readonly redis: RedisConnection,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    // numberOfKeys fixed per script; each caller passes its keys first
    const define = (name: string, lua: string, numberOfKeys: number): Script => {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys, lua });
      return (...args) => (redis as unknown as Record<string, Script>)[name]!(...args);
    };
    this.scripts = {
      touch: define('codeboxTouchChunk', TOUCH_CHUNK, 1),
      put: define('codeboxPutChunk', PUT_CHUNK, 1),
      commit: define('codeboxCommitVersion', COMMIT_VERSION, 4),
      remove: define('codeboxDeleteVersions', DELETE_VERSIONS, 4),
      discard: define('codeboxDiscardChunks', DISCARD_CHUNKS, 1),
    };
  }

  /**
   * Stores a blob from its bytes (all at once, or as they come): each chunk is sent only
   * when Redis does not have it. onChunk sees each chunk's size before it is sent (a cap
   * can throw there); written gets each chunk this call wrote, as it is written, so an
   * upload that fails later (a cap, a bad CRC) can discard them.
   */
  async putBlob(
    source: Buffer | AsyncIterable<Buffer>,
    onChunk?: (bytes: number) => void,
    written?: string[],
  ): Promise<BlobRef> {
    const whole = crypto.createHash('sha256');
    const chunks: string[] = [];
    let size = 0;
    const put = async (chunk: Buffer): Promise<void> => {
      onChunk?.(chunk.length);
      whole.update(chunk);
      size += chunk.length;
      const sha = sha256(chunk);
      chunks.push(sha);
      const key = this.keys.blobChunk(sha);
      if (
        (await this.scripts.touch(key, UPLOAD_TTL_S)) === 0 &&
        (await this.scripts.put(key, chunk, UPLOAD_TTL_S)) === 1
      )
        written?.push(sha);
    };
    for await (const chunk of rechunk(source)) await put(chunk);
    if (chunks.length === 0) await put(Buffer.alloc(0));
    const ref = { sha256: whole.digest('hex'), size };
    return chunks.length === 1 ? ref : { ...ref, chunks };
  }

  /** a blob's bytes, chunk by chunk, each checked against its hash */
  async *readBlob(ref: BlobRef): AsyncIterable<Buffer> {
    for (const sha of ref.chunks ?? [ref.sha256]) {
      const chunk = await this.redis.getBuffer(this.keys.blobChunk(sha));
      if (!chunk) throw new BlobUnreadableError(ref.sha256, `chunk ${sha} is not stored (the problem was deleted?)`);
      if (sha256(chunk) !== sha) throw new BlobUnreadableError(ref.sha256, `chunk ${sha} is not what its hash says`);
      yield chunk;
    }
  }

  /**
   * The problem's next version, holding its blobs' chunks; its number. It counts against
   * the owner's quota (0: none) with its data and its definition, as every version does.
   */
  async commit(owner: string, problem: Omit<StoredProblem, 'version'>, quota = 0): Promise<number> {
    const definition = JSON.stringify(problem);
    const k = this.keys;
    const reply = (await this.scripts.commit(
      k.problem(owner, problem.id),
      k.problems(owner),
      k.blobRefs(),
      k.problemBytes(owner),
      k.blobChunk(''),
      problem.id,
      definition,
      sha256(Buffer.from(definition)),
      versionBytes(problem, definition),
      quota,
      ...distinctChunks(problem),
    )) as (number | string)[];
    if (reply[0] === 0) throw new ChunksMissingError(reply.slice(1).map(String));
    if (reply[0] === -1) throw new ProblemQuotaError(Number(reply[1]), quota);
    return Number(reply[0]);
  }

  /** the bytes the owner's stored versions count against its quota */
  async storedBytes(owner: string): Promise<number> {
    return Number((await this.redis.get(this.keys.problemBytes(owner))) ?? 0);
  }

  /**
   * Deletes chunks a failed upload wrote (putBlob's written), except those a version holds:
   * else they would wait out UPLOAD_TTL_S in Redis. How many were deleted.
   */
  async discardChunks(chunks: readonly string[]): Promise<number> {
    if (chunks.length === 0) return 0;
    let n = 0;
    // in slices: a script's arguments are bounded
    for (let at = 0; at < chunks.length; at += 1000)
      n += Number(
        await this.scripts.discard(this.keys.blobRefs(), this.keys.blobChunk(''), ...chunks.slice(at, at + 1000)),
      );
    return n;
  }

  /** a version (undefined: the latest), or undefined when there is none */
  async get(owner: string, id: string, version?: number): Promise<StoredProblem | undefined> {
    const key = this.keys.problem(owner, id);
    const v = version ?? Number((await this.redis.hget(key, 'latest')) ?? 0);
    if (!v) return undefined;
    const json = await this.redis.hget(key, `v:${v}`);
    return json ? { ...(JSON.parse(json) as Omit<StoredProblem, 'version'>), version: v } : undefined;
  }

  /** a version's number and its definition's digest (what a worker keeps it by), without reading it */
  async resolve(owner: string, id: string, version?: number): Promise<{ version: number; digest: string } | undefined> {
    const key = this.keys.problem(owner, id);
    const v = version ?? Number((await this.redis.hget(key, 'latest')) ?? 0);
    if (!v) return undefined;
    const digest = await this.redis.hget(key, `h:${v}`);
    return digest ? { version: v, digest } : undefined;
  }

  /** every version kept, oldest first */
  async versions(owner: string, id: string): Promise<number[]> {
    const fields = await this.redis.hkeys(this.keys.problem(owner, id));
    return fields
      .filter((f) => f.startsWith('v:'))
      .map((f) => Number(f.slice(2)))
      .sort((a, b) => a - b);
  }

  /** the owner's problem ids */
  async list(owner: string): Promise<string[]> {
    return (await this.redis.smembers(this.keys.problems(owner))).sort();
  }

  /** one version, or all; the versions deleted ([] when there were none) */
  async delete(owner: string, id: string, version?: number): Promise<number[]> {
    const k = this.keys;
    const reply = (await this.scripts.remove(
      k.problem(owner, id),
      k.problems(owner),
      k.blobRefs(),
      k.problemBytes(owner),
      k.blobChunk(''),
      id,
      version === undefined ? '' : String(version),
    )) as number[];
    return reply.map(Number);
  }
}

/** every blob of a problem: its tests' data and its programs' files */
export function blobsOf(problem: Pick<StoredProblem, 'tests' | 'checker' | 'interactor'>): BlobRef[] {
  const programs = [problem.checker, problem.interactor].filter(
    (p): p is StoredProgram => typeof p === 'object' && 'files' in p,
  );
  return [
    ...problem.tests.flatMap((t) => (t.stdin ? [t.stdin, t.expectedOutput] : [t.expectedOutput])),
    ...programs.flatMap((p) => p.files.map((f) => f.data)),
  ];
}

/** a problem's bytes: each distinct blob once */
export function distinctBytes(blobs: readonly BlobRef[]): number {
  return [...new Map(blobs.map((b) => [b.sha256, b.size])).values()].reduce((n, s) => n + s, 0);
}

function distinctChunks(problem: Pick<StoredProblem, 'tests' | 'checker' | 'interactor'>): string[] {
  return [...new Set(blobsOf(problem).flatMap((b) => b.chunks ?? [b.sha256]))];
}

/** what a version counts against its owner's quota: its distinct data and its definition */
export function versionBytes(problem: Pick<StoredProblem, 'bytes'>, definition: string): number {
  return problem.bytes + Buffer.byteLength(definition);
}

function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** bytes as they come, as chunks of CHUNK_BYTES (the last shorter) */
async function* rechunk(source: Buffer | AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let at = 0; at < source.length; at += CHUNK_BYTES) yield source.subarray(at, at + CHUNK_BYTES);
    return;
  }
  let pending: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    let rest = piece;
    while (held + rest.length >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - held;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      held = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      held += rest.length;
    }
  }
  if (held > 0) yield Buffer.concat(pending);
}

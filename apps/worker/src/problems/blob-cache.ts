/**
 * A worker's copy of problem blobs on local disk, by SHA-256, so that a second job on the
 * same problem moves no test data: the first fetches each blob from Redis chunk by chunk
 * into a temp file (never whole in memory), checks its hash, and renames it into place
 * (atomic: a reader never sees half a file, two fetchers of one blob both end with it).
 *
 * Bounded: past maxBytes the least recently used blobs are removed, but never one a job
 * of this process holds (pinned), nor one used in the last GRACE_MS (another worker on
 * the host may share the directory and be using it). Use is the file's mtime, set on
 * every use.
 *
 * Readable by the box uids, because checkers get these files bound into their boxes:
 * directories 0711 (entered, never listed), files 0644. What is here is test data the
 * problem's owner gave codebox; a contestant's box never gets any of it bound.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BlobRef } from '@codebox/jobs';

/** a blob used this recently is never evicted: another process may be running a job with it */
export const GRACE_MS = 10 * 60_000;

export interface BlobSource {
  readBlob(ref: BlobRef): AsyncIterable<Buffer>;
}

export class BlobCache {
  private readonly pins = new Map<string, number>();
  private readonly fetching = new Map<string, Promise<string>>();
  /** what the directory held when last measured, and bytes added since; undefined: not made yet */
  private measured: number | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly source: BlobSource,
  ) {}

  /** the directory, made on first use: a worker that never judges a stored problem makes none */
  private open(): void {
    if (this.measured !== undefined) return;
    for (const d of [this.dir, path.join(this.dir, 'tmp')]) {
      fs.mkdirSync(d, { recursive: true, mode: 0o711 });
      fs.chmodSync(d, 0o711);
    }
    this.measured = this.entries().reduce((n, e) => n + e.size, 0);
  }

  /** where the blob is, fetching it when absent; the caller pins what it will use (hold) */
  async path(ref: BlobRef): Promise<string> {
    this.open();
    const file = this.fileOf(ref.sha256);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st?.size === ref.size) {
      touch(file);
      return file;
    }
    let pending = this.fetching.get(ref.sha256);
    if (!pending) {
      pending = this.fetch(ref, file).finally(() => this.fetching.delete(ref.sha256));
      this.fetching.set(ref.sha256, pending);
    }
    return pending;
  }

  /** holds these blobs against eviction until the returned release is called */
  hold(refs: readonly BlobRef[]): () => void {
    const shas = [...new Set(refs.map((r) => r.sha256))];
    for (const s of shas) this.pins.set(s, (this.pins.get(s) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const s of shas) {
        const n = (this.pins.get(s) ?? 1) - 1;
        if (n > 0) this.pins.set(s, n);
        else this.pins.delete(s);
      }
    };
  }

  /** the blob's bytes, for a small file a job keeps in memory anyway (a checker's source) */
  async read(ref: BlobRef): Promise<Buffer> {
    return fs.readFileSync(await this.path(ref));
  }

  private async fetch(ref: BlobRef, file: string): Promise<string> {
    const tmp = path.join(this.dir, 'tmp', `${ref.sha256}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    const hash = crypto.createHash('sha256');
    let size = 0;
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      for await (const chunk of this.source.readBlob(ref)) {
        hash.update(chunk);
        size += chunk.length;
        fs.writeSync(fd, chunk);
      }
      fs.closeSync(fd);
      if (size !== ref.size || hash.digest('hex') !== ref.sha256)
        throw new Error(`blob ${ref.sha256}: fetched ${size} bytes that are not it`);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o711 });
      fs.chmodSync(tmp, 0o644);
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    } finally {
      try {
        fs.closeSync(fd);
      } catch {
        // closed above
      }
    }
    this.measured = (this.measured ?? 0) + size;
    if (this.measured > this.maxBytes) this.evict();
    return file;
  }

  /** the least recently used first, until under the bound; pinned and recently used ones stay */
  evict(): void {
    const entries = this.entries().sort((a, b) => a.used - b.used);
    let total = entries.reduce((n, e) => n + e.size, 0);
    const now = Date.now();
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (this.pins.has(e.sha) || now - e.used < GRACE_MS) continue;
      fs.rmSync(e.file, { force: true });
      total -= e.size;
    }
    this.measured = total;
  }

  private entries(): { sha: string; file: string; size: number; used: number }[] {
    const out = [];
    for (const sub of fs.readdirSync(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const sha of fs.readdirSync(path.join(this.dir, sub))) {
        const file = path.join(this.dir, sub, sha);
        const st = fs.statSync(file, { throwIfNoEntry: false });
        if (st?.isFile()) out.push({ sha, file, size: st.size, used: st.mtimeMs });
      }
    }
    return out;
  }

  private fileOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }
}

function touch(file: string): void {
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // evicted by another process meanwhile: the next use fetches it again
  }
}

/**
 * A problem package as a zip, read from a file it was spooled to: its directory (the
 * central directory at its end), and each entry streamed, inflated and checked against
 * its CRC-32 and size as it is read, never whole in memory. Zip64, encrypted entries and
 * methods other than stored and deflated are refused; so are names that would leave the
 * package (absolute, `..`) and a package that names one file twice.
 *
 * A package whose files all sit in one top directory (Kattis: "a ZIP-compressed archive
 * of such a directory") is read as if that directory were its root.
 */
import fs from 'node:fs';
import { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { ApiError } from '@codebox/protocol';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** the end record and the longest comment after it */
const TAIL_BYTES = 22 + 0xffff;
/** entries in one package: far more than any problem has files */
const MAX_ENTRIES = 100_000;

export interface ArchiveEntry {
  /** its path in the package, from the package's root, without a leading top directory */
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly method: number;
  readonly crc32: number;
  readonly localOffset: number;
}

export interface Archive {
  /** its files (no directories), by path */
  readonly files: ReadonlyMap<string, ArchiveEntry>;
  /** an entry's bytes as they are inflated; the stream fails on a wrong size or CRC */
  open(entry: ArchiveEntry): Readable;
  /** a small file's text (a problem.xml, a problem.yaml); a failure names it */
  text(name: string, maxBytes?: number): Promise<string>;
  close(): void;
}

export function openArchive(path: string): Archive {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const files = readDirectory(fd, size);
    return {
      files,
      open: (entry) => entryStream(path, fd, entry),
      text: async (name, maxBytes = 4 << 20) => {
        const entry = files.get(name);
        if (!entry) throw bad(name, 'is not in the package');
        if (entry.size > maxBytes) throw bad(name, `is over ${maxBytes} bytes`);
        const parts: Buffer[] = [];
        for await (const part of entryStream(path, fd, entry)) parts.push(part as Buffer);
        return Buffer.concat(parts).toString('utf8');
      },
      close: () => fs.closeSync(fd),
    };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function readDirectory(fd: number, size: number): Map<string, ArchiveEntry> {
  const tailStart = Math.max(0, size - TAIL_BYTES);
  const tail = Buffer.alloc(size - tailStart);
  fs.readSync(fd, tail, 0, tail.length, tailStart);
  let end = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw bad('archive', 'is not a zip file (no end of central directory)');
  const count = tail.readUInt16LE(end + 10);
  const dirSize = tail.readUInt32LE(end + 12);
  const dirOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || dirOffset === 0xffffffff) throw bad('archive', 'is a zip64 file, which is not supported');
  if (count > MAX_ENTRIES) throw bad('archive', `has more than ${MAX_ENTRIES} entries`);
  if (dirOffset + dirSize > size) throw bad('archive', 'is cut short (its directory is past its end)');
  const dir = Buffer.alloc(dirSize);
  fs.readSync(fd, dir, 0, dirSize, dirOffset);
  const entries: ArchiveEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) throw bad('archive', 'has a damaged directory');
    const flags = dir.readUInt16LE(at + 8);
    const nameLength = dir.readUInt16LE(at + 28);
    const raw = dir.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    const entry = {
      name: raw,
      method: dir.readUInt16LE(at + 10),
      crc32: dir.readUInt32LE(at + 16),
      compressedSize: dir.readUInt32LE(at + 20),
      size: dir.readUInt32LE(at + 24),
      localOffset: dir.readUInt32LE(at + 42),
    };
    at += 46 + nameLength + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
    if (raw.endsWith('/')) continue;
    if (flags & 0x1) throw bad(raw, 'is encrypted');
    if (entry.method !== 0 && entry.method !== 8) throw bad(raw, `uses compression method ${entry.method}`);
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff)
      throw bad(raw, 'is a zip64 entry, which is not supported');
    const parts = raw.replace(/\\/g, '/').split('/');
    if (raw.startsWith('/') || parts.some((p) => p === '..' || p === '.' || p === ''))
      throw bad(raw, 'is not a plain relative path');
    entries.push(entry);
  }
  return rooted(entries);
}

/** by path, without a top directory every file shares */
function rooted(entries: readonly ArchiveEntry[]): Map<string, ArchiveEntry> {
  const tops = new Set(entries.map((e) => (e.name.includes('/') ? e.name.split('/')[0] : '')));
  const top = tops.size === 1 && !tops.has('') ? `${[...tops][0]}/` : '';
  const files = new Map<string, ArchiveEntry>();
  for (const e of entries) {
    const name = e.name.slice(top.length);
    if (files.has(name)) throw bad(name, 'is in the package twice');
    files.set(name, { ...e, name });
  }
  return files;
}

function entryStream(path: string, fd: number, entry: ArchiveEntry): Readable {
  const local = Buffer.alloc(30);
  fs.readSync(fd, local, 0, 30, entry.localOffset);
  if (local.readUInt32LE(0) !== LOCAL) throw bad(entry.name, 'has a damaged local header');
  const start = entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  // an empty file (Info-ZIP stores one so): a read stream cannot be given no bytes (end < start throws)
  if (entry.compressedSize === 0) return checked(entry, Readable.from([]));
  const raw = fs.createReadStream(path, { start, end: start + entry.compressedSize - 1 });
  const inflated = entry.method === 8 ? raw.pipe(zlib.createInflateRaw()) : raw;
  raw.on('error', (err) => inflated.destroy(err));
  // pipe() does not end its source when what it feeds fails: the descriptor would stay open
  inflated.on('close', () => raw.destroy());
  return checked(entry, inflated);
}

/** fails the stream when the bytes are more or fewer than the directory said, or their CRC-32 differs */
function checked(entry: ArchiveEntry, source: Readable): Readable {
  let n = 0;
  let crc = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      if (n > entry.size) return done(bad(entry.name, `inflates past its size (${entry.size} bytes)`));
      crc = zlib.crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      if (n !== entry.size) return done(bad(entry.name, `has ${n} bytes, not the ${entry.size} its directory says`));
      if (crc >>> 0 !== entry.crc32) return done(bad(entry.name, 'fails its CRC-32 check'));
      done();
    },
  });
  source.on('error', (err: Error) => check.destroy(err instanceof ApiError ? err : bad(entry.name, err.message)));
  check.on('close', () => source.destroy());
  return source.pipe(check);
}

function bad(name: string, why: string): ApiError {
  return new ApiError('INVALID_REQUEST', `${name}: ${why}`, { field: name });
}

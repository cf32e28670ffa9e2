/**
 * Reads a zip archive's regular files into memory — Judge0's additional_files — and
 * nothing else: directories are implied, a `.` part of a path is dropped (the Judge0 SDK
 * writes `./dir/file`), and an entry that cannot be taken — a symlink or another
 * non-regular file, an absolute path, a `..` part, an encrypted entry, a name twice —
 * refuses the whole archive with a ZipError naming it, as does anything past the size
 * budget: nothing is dropped unsaid, and nothing in an archive can name a place outside
 * the job's own files. The bytes go into the box as ordinary files; nothing is ever
 * extracted onto the host.
 *
 * Supports what zip tools write: stored and deflated entries, no zip64.
 */
import zlib from 'node:zlib';
import { fileNameProblem } from '@codebox/protocol';

export class ZipError extends Error {}

export interface ZipFile {
  readonly name: string;
  readonly content: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

/** one central directory record: what the archive says of an entry, before it is read */
interface Entry {
  readonly name: string;
  /** the host system that made it (3: Unix, whose mode is then in the external attributes) */
  readonly madeBy: number;
  readonly flags: number;
  readonly method: number;
  readonly packed: number;
  readonly size: number;
  readonly mode: number;
  /** the offset of its local header */
  readonly local: number;
}

export function unzip(zip: Buffer, maxBytes: number, maxFiles = 1000): { files: ZipFile[] } {
  const eocd = endOfDirectory(zip);
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ZipError('zip64 archives are not supported');
  const files: ZipFile[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    const { entry, next } = directoryEntry(zip, at);
    at = next;
    const name = takenName(entry);
    if (name === undefined) continue; // a directory: the files in it say so
    if (seen.has(name)) throw new ZipError(`${entry.name}: ${name} is in the archive twice`);
    if (files.length >= maxFiles) throw new ZipError(`more than ${maxFiles} files`);
    total += entry.size;
    if (total > maxBytes) throw new ZipError(`more than ${maxBytes} bytes when extracted`);
    seen.add(name);
    files.push({ name, content: contentOf(zip, entry) });
  }
  return { files };
}

/** the end of central directory record, looked for back from the end past a comment of at most 64 KiB */
function endOfDirectory(zip: Buffer): number {
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === EOCD) return i;
  }
  throw new ZipError('not a zip archive (no end of central directory)');
}

/** the central directory record at `at`, and where the next one starts */
function directoryEntry(zip: Buffer, at: number): { entry: Entry; next: number } {
  if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError('a damaged central directory');
  const nameLen = zip.readUInt16LE(at + 28);
  const extraLen = zip.readUInt16LE(at + 30);
  const commentLen = zip.readUInt16LE(at + 32);
  const entry: Entry = {
    madeBy: zip.readUInt16LE(at + 4) >> 8,
    flags: zip.readUInt16LE(at + 8),
    method: zip.readUInt16LE(at + 10),
    packed: zip.readUInt32LE(at + 20),
    size: zip.readUInt32LE(at + 24),
    mode: zip.readUInt32LE(at + 38) >>> 16,
    local: zip.readUInt32LE(at + 42),
    name: zip.subarray(at + 46, at + 46 + nameLen).toString('utf8'),
  };
  return { entry, next: at + 46 + nameLen + extraLen + commentLen };
}

/**
 * The path a regular file is taken at, its `.` parts dropped; undefined for a directory;
 * a ZipError naming the entry for one that cannot be taken.
 */
function takenName(e: Entry): string | undefined {
  const refuse = (why: string): never => {
    throw new ZipError(`${e.name}: ${why}`);
  };
  if (e.name.startsWith('/')) refuse('an absolute path');
  if (e.name.includes('\\') || e.name.includes('\0')) refuse('a path with a backslash or a NUL');
  const parts = e.name.split('/');
  if (parts.includes('..')) refuse('a path with a ".." part, which would leave the program\'s directory');
  const plain = parts.filter((p) => p !== '' && p !== '.').join('/');
  if (e.name.endsWith('/') || plain === '') return undefined;
  const problem = fileNameProblem(plain);
  if (problem) refuse(problem);
  // a Unix entry's type is in its mode; no type bits (as Python writes) is a plain file
  const unixType = e.madeBy === 3 && (e.mode & S_IFMT) !== 0 ? e.mode & S_IFMT : S_IFREG;
  if (unixType === S_IFLNK) refuse('a symbolic link: only regular files are taken');
  if (unixType !== S_IFREG) refuse('not a regular file: only regular files are taken');
  if ((e.flags & 1) !== 0) refuse('encrypted');
  return plain;
}

/** an entry's bytes, stored or inflated, exactly as many as the directory says */
function contentOf(zip: Buffer, e: Entry): Buffer {
  if (e.local + 30 > zip.length || zip.readUInt32LE(e.local) !== LOCAL)
    throw new ZipError(`a damaged entry: ${e.name}`);
  const start = e.local + 30 + zip.readUInt16LE(e.local + 26) + zip.readUInt16LE(e.local + 28);
  const data = zip.subarray(start, start + e.packed);
  let content: Buffer;
  if (e.method === 0) content = Buffer.from(data);
  else if (e.method === 8) {
    try {
      content = zlib.inflateRawSync(data, { maxOutputLength: e.size + 1 });
    } catch (err) {
      throw new ZipError(`${e.name}: ${(err as Error).message}`);
    }
  } else throw new ZipError(`${e.name}: compression method ${e.method} is not supported`);
  if (content.length !== e.size)
    throw new ZipError(`${e.name}: ${content.length} bytes where the directory says ${e.size}`);
  return content;
}

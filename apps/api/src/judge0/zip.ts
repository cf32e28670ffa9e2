/**
 * Reads a zip archive's regular files into memory — Judge0's additional_files — and
 * nothing else: directories are implied, and symlinks, absolute paths, `..` parts,
 * encrypted entries and anything past the size budget are refused, so nothing in an
 * archive can name a place outside the job's own files. The bytes go into the box as
 * ordinary files; nothing is ever extracted onto the host.
 *
 * Supports what zip tools write: stored and deflated entries, no zip64.
 */
import zlib from 'node:zlib';

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

export function unzip(zip: Buffer, maxBytes: number, maxFiles = 1000): { files: ZipFile[]; skipped: string[] } {
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ZipError('zip64 archives are not supported');
  const files: ZipFile[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError('a damaged central directory');
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const packed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    at += 46 + nameLen + extraLen + commentLen;

    if (name.endsWith('/')) continue; // a directory: the files in it say so
    // a Unix entry's type is in its mode; no type bits (as Python writes) is a plain file
    const unixType = madeBy === 3 && (mode & S_IFMT) !== 0 ? mode & S_IFMT : S_IFREG;
    const unsafe = name.startsWith('/') || name.includes('\\') || name.includes('\0') || name.split('/').some((p) => p === '' || p === '.' || p === '..');
    if (unsafe || unixType !== S_IFREG || flags & 1 || seen.has(name)) {
      skipped.push(name);
      continue;
    }
    if (files.length >= maxFiles) throw new ZipError(`more than ${maxFiles} files`);
    total += size;
    if (total > maxBytes) throw new ZipError(`more than ${maxBytes} bytes when extracted`);
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL) throw new ZipError(`a damaged entry: ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + packed);
    let content: Buffer;
    if (method === 0) content = Buffer.from(data);
    else if (method === 8) {
      try {
        content = zlib.inflateRawSync(data, { maxOutputLength: size + 1 });
      } catch (err) {
        throw new ZipError(`${name}: ${(err as Error).message}`);
      }
    } else throw new ZipError(`${name}: compression method ${method} is not supported`);
    if (content.length !== size) throw new ZipError(`${name}: ${content.length} bytes where the directory says ${size}`);
    seen.add(name);
    files.push({ name, content });
  }
  return { files, skipped };
}

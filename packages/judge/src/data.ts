/**
 * A test's data: given inline (text or bytes), or a file on the host (a worker's cache of
 * a stored problem). A file is never read whole into memory for the program: its stdin
 * streams from the file, and a checker sees it bound read-only in its box. Only a
 * built-in checker reads an expected output into memory, one test at a time.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { BindSpec, FileSpec } from '@codebox/sandbox';

/** a host file: absolute path, readable by the box uids (it is bound into checker boxes) */
export interface DataFile {
  readonly path: string;
}

export type TestData = string | Buffer | DataFile;

export function isFile(data: TestData | undefined): data is DataFile {
  return typeof data === 'object' && !Buffer.isBuffer(data);
}

/** the program's stdin: the bytes, or the file streamed */
export function stdinOf(data: TestData): string | Buffer | Readable {
  return isFile(data) ? fs.createReadStream(data.path) : data;
}

/** for the built-in checkers: the text */
export function textOf(data: TestData | undefined): string {
  if (data === undefined) return '';
  if (isFile(data)) return fs.readFileSync(data.path, 'utf8');
  return typeof data === 'string' ? data : data.toString('utf8');
}

/** in a box at path: a file written there, or the host file bound there */
export function placed(data: TestData | undefined, path: string): { files: FileSpec[]; binds: BindSpec[] } {
  if (isFile(data)) return { files: [], binds: [{ src: data.path, path }] };
  return { files: [{ path, content: data ?? '' }], binds: [] };
}

/** several, as one box's files and binds */
export function placeAll(entries: readonly [TestData | undefined, string][]): { files: FileSpec[]; binds: BindSpec[] } {
  const all = entries.map(([data, path]) => placed(data, path));
  return { files: all.flatMap((p) => p.files), binds: all.flatMap((p) => p.binds) };
}

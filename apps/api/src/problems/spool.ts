/**
 * An archive upload, written to a temp file as it comes (a zip is read from its end, so
 * it cannot be streamed), stopped at maxBytes with a 413; the file is the caller's to
 * remove (its remove()), on every path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiError } from '@codebox/protocol';

export interface Spooled {
  readonly path: string;
  readonly bytes: number;
  remove(): void;
}

export async function spool(body: Readable, maxBytes: number): Promise<Spooled> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-upload-'));
  const file = path.join(dir, 'package.zip');
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          if (bytes > maxBytes)
            return done(
              new ApiError('PROBLEM_TOO_LARGE', `the package is over ${maxBytes} bytes`, { maximum: maxBytes }),
            );
          done(null, chunk);
        },
      }),
      fs.createWriteStream(file, { mode: 0o600 }),
    );
    return { path: file, bytes, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

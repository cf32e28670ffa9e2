import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { unzip, ZipError } from './zip.js';

/** a zip made by Python's zipfile: regular files (stored and deflated), a dir, and traps */
function makeZip(): Buffer {
  const py = `
import io, sys, zipfile
b = io.BytesIO()
with zipfile.ZipFile(b, 'w') as z:
    z.writestr('a.txt', 'alpha\\n')
    z.writestr(zipfile.ZipInfo('dir/'), '')
    z.writestr('dir/b.txt', 'beta ' * 100, compress_type=zipfile.ZIP_DEFLATED)
    link = zipfile.ZipInfo('link'); link.create_system = 3; link.external_attr = (0o120777 << 16)
    z.writestr(link, '/etc/shadow')
    z.writestr('../escape.txt', 'out')
    z.writestr('/abs.txt', 'abs')
sys.stdout.buffer.write(b.getvalue())
`;
  return execFileSync('python3', ['-c', py]);
}

test('regular files only: symlinks and paths that leave are skipped, never followed', () => {
  const { files, skipped } = unzip(makeZip(), 1 << 20);
  assert.deepEqual(files.map((f) => [f.name, f.content.toString()]), [['a.txt', 'alpha\n'], ['dir/b.txt', 'beta '.repeat(100)]]);
  assert.deepEqual(skipped.sort(), ['../escape.txt', '/abs.txt', 'link']);
});

test('a budget on the extracted bytes, and garbage refused', () => {
  assert.throws(() => unzip(makeZip(), 100), (e: Error) => e instanceof ZipError && /more than 100 bytes/.test(e.message));
  assert.throws(() => unzip(Buffer.from('not a zip at all, not even close'), 1000), ZipError);
});

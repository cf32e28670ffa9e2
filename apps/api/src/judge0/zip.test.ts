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
  assert.deepEqual(
    files.map((f) => [f.name, f.content.toString()]),
    [
      ['a.txt', 'alpha\n'],
      ['dir/b.txt', 'beta '.repeat(100)],
    ],
  );
  assert.deepEqual(skipped.sort(), ['../escape.txt', '/abs.txt', 'link']);
});

test('a budget on the extracted bytes, and garbage refused', () => {
  assert.throws(
    () => unzip(makeZip(), 100),
    (e: Error) => e instanceof ZipError && /more than 100 bytes/.test(e.message),
  );
  assert.throws(() => unzip(Buffer.from('not a zip at all, not even close'), 1000), ZipError);
});

test('damaged archives are refused, not read past their end; duplicates and encrypted entries skipped', () => {
  const good = makeZip();
  // cut inside the central directory: the end record still points at it
  const eocd = good.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cut = Buffer.concat([good.subarray(0, good.readUInt32LE(eocd + 16) + 10), good.subarray(eocd)]);
  assert.throws(() => unzip(cut, 1 << 20), ZipError);
  // an entry that says it holds more than it does
  const lying = Buffer.from(good);
  const cd = lying.readUInt32LE(eocd + 16);
  lying.writeUInt32LE(999, cd + 24);
  assert.throws(() => unzip(lying, 1 << 20), /999/);
  const dup = execFileSync('python3', [
    '-c',
    `
import io, sys, zipfile, warnings
warnings.simplefilter('ignore')
b = io.BytesIO()
with zipfile.ZipFile(b, 'w') as z:
    z.writestr('a.txt', 'first')
    z.writestr('a.txt', 'second')
    z.writestr('secret.txt', 'x')
sys.stdout.buffer.write(b.getvalue())
`,
  ]);
  // mark secret.txt encrypted in the central directory (its last mention)
  const entry = dup.lastIndexOf(Buffer.from('secret.txt')) - 46;
  dup.writeUInt16LE(dup.readUInt16LE(entry + 8) | 1, entry + 8);
  const { files, skipped } = unzip(dup, 1 << 20);
  assert.deepEqual(
    files.map((f) => [f.name, f.content.toString()]),
    [['a.txt', 'first']],
  );
  assert.deepEqual(skipped, ['a.txt', 'secret.txt']);
});

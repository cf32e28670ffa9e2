import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { unzip, ZipError } from './zip.js';

/** a zip made by Python's zipfile from its entries' code (z is the ZipFile) */
function zipOf(body: string): Buffer {
  const py = `
import io, sys, zipfile, warnings
warnings.simplefilter('ignore')
b = io.BytesIO()
with zipfile.ZipFile(b, 'w') as z:
${body
  .trim()
  .split('\n')
  .map((l) => `    ${l.trim()}`)
  .join('\n')}
sys.stdout.buffer.write(b.getvalue())
`;
  return execFileSync('python3', ['-c', py]);
}

/** regular files (stored and deflated) and a dir */
function makeZip(): Buffer {
  return zipOf(`
    z.writestr('a.txt', 'alpha\\n')
    z.writestr(zipfile.ZipInfo('dir/'), '')
    z.writestr('dir/b.txt', 'beta ' * 100, compress_type=zipfile.ZIP_DEFLATED)
  `);
}

/** the ZipError's message */
function refused(zip: Buffer): string {
  try {
    unzip(zip, 1 << 20);
  } catch (err) {
    assert.ok(err instanceof ZipError, String(err));
    return err.message;
  }
  assert.fail('the archive was taken');
}

test('regular files, stored and deflated; directories implied', () => {
  assert.deepEqual(
    unzip(makeZip(), 1 << 20).files.map((f) => [f.name, f.content.toString()]),
    [
      ['a.txt', 'alpha\n'],
      ['dir/b.txt', 'beta '.repeat(100)],
    ],
  );
});

test("a `.` part is harmless (the Judge0 SDK's Filesystem writes ./dir/file): the file is taken at its plain path", () => {
  const zip = zipOf(`
    z.writestr('./main.c', 'int main;')
    z.writestr('./dir/./b.txt', 'beta')
    z.writestr(zipfile.ZipInfo('./'), '')
  `);
  assert.deepEqual(
    unzip(zip, 1 << 20).files.map((f) => [f.name, f.content.toString()]),
    [
      ['main.c', 'int main;'],
      ['dir/b.txt', 'beta'],
    ],
  );
});

test('an entry that cannot be taken refuses the archive, naming it: never a silent drop', () => {
  assert.match(refused(zipOf(`z.writestr('../escape.txt', 'out')`)), /^\.\.\/escape\.txt: .*"\.\."/);
  assert.match(refused(zipOf(`z.writestr('dir/../../x', 'out')`)), /^dir\/\.\.\/\.\.\/x: /);
  assert.match(refused(zipOf(`z.writestr('/abs.txt', 'abs')`)), /^\/abs\.txt: an absolute path/);
  assert.match(
    refused(
      zipOf(`
        link = zipfile.ZipInfo('link'); link.create_system = 3; link.external_attr = (0o120777 << 16)
        z.writestr(link, '/etc/shadow')
      `),
    ),
    /^link: a symbolic link/,
  );
  assert.match(
    refused(
      zipOf(`
        z.writestr('a.txt', 'first')
        z.writestr('./a.txt', 'second')
      `),
    ),
    /^\.\/a\.txt: a\.txt is in the archive twice/,
  );
  assert.match(refused(zipOf(`z.writestr('dir/-rf', 'x')`)), /^dir\/-rf: no part may start with "-"/);
});

test('a budget on the extracted bytes, and garbage refused', () => {
  assert.throws(
    () => unzip(makeZip(), 100),
    (e: Error) => e instanceof ZipError && /more than 100 bytes/.test(e.message),
  );
  assert.throws(() => unzip(Buffer.from('not a zip at all, not even close'), 1000), ZipError);
});

test('damaged archives are refused, not read past their end; an encrypted entry is refused', () => {
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
  const secret = zipOf(`z.writestr('secret.txt', 'x')`);
  // mark secret.txt encrypted in the central directory (its last mention)
  const entry = secret.lastIndexOf(Buffer.from('secret.txt')) - 46;
  secret.writeUInt16LE(secret.readUInt16LE(entry + 8) | 1, entry + 8);
  assert.match(refused(secret), /^secret\.txt: encrypted/);
});

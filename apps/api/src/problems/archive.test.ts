import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ApiError } from '@codebox/protocol';
import { openArchive } from './archive.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-archive-test-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** a zip made by Python's zipfile: [name, text] entries, deflated or stored */
function zip(name: string, entries: [string, string][], stored = false): string {
  const file = path.join(dir, name);
  const script = `import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.${stored ? 'ZIP_STORED' : 'ZIP_DEFLATED'}) as z:\n    for n, t in json.load(sys.stdin):\n        z.writestr(n, t)\n`;
  execFileSync('python3', ['-c', script, file], { input: JSON.stringify(entries) });
  return file;
}

const field = (name: string) => (e: unknown) => e instanceof ApiError && e.details?.field === name;

async function read(file: string, name: string): Promise<string> {
  const a = openArchive(file);
  try {
    const entry = a.files.get(name);
    assert.ok(entry, name);
    const parts: Buffer[] = [];
    for await (const p of a.open(entry)) parts.push(p as Buffer);
    return Buffer.concat(parts).toString();
  } finally {
    a.close();
  }
}

test('entries are listed and streamed back, deflated or stored; one shared top directory is its root', async () => {
  const big = 'line\n'.repeat(100_000);
  const file = zip('pkg.zip', [
    ['twosum/problem.yaml', 'name: x\n'],
    ['twosum/data/secret/1.in', big],
    ['twosum/data/', ''],
  ]);
  const a = openArchive(file);
  assert.deepEqual([...a.files.keys()].sort(), ['data/secret/1.in', 'problem.yaml']);
  assert.equal(await a.text('problem.yaml'), 'name: x\n');
  a.close();
  assert.equal(await read(file, 'data/secret/1.in'), big);
  assert.equal(await read(zip('stored.zip', [['a.txt', 'plain']], true), 'a.txt'), 'plain');
});

test('a damaged entry fails as it is read: CRC-32, and a text over its bound', async () => {
  const file = zip('crc.zip', [['a.txt', 'abcdefgh']], true);
  const bytes = fs.readFileSync(file);
  bytes[bytes.indexOf('abcdefgh') + 3] = 0x5a;
  fs.writeFileSync(file, bytes);
  await assert.rejects(read(file, 'a.txt'), /fails its CRC-32 check/);
  const a = openArchive(zip('long.zip', [['p.xml', 'x'.repeat(100)]]));
  await assert.rejects(a.text('p.xml', 10), field('p.xml'));
  a.close();
});

test('refused at once: not a zip, a path out of the package, the same file twice', () => {
  const junk = path.join(dir, 'junk.zip');
  fs.writeFileSync(junk, 'not a zip file at all');
  assert.throws(() => openArchive(junk), field('archive'));
  assert.throws(() => openArchive(zip('up.zip', [['../evil', 'x']])), field('../evil'));
  assert.throws(() => openArchive(zip('abs.zip', [['/etc/x', 'x']])), field('/etc/x'));
  assert.throws(
    () =>
      openArchive(
        zip('twice.zip', [
          ['a', '1'],
          ['a', '2'],
        ]),
      ),
    field('a'),
  );
});

test('an empty file stored (as Info-ZIP stores one) reads as empty, not a 500', async () => {
  const file = zip(
    'empty.zip',
    [
      ['problem.yaml', 'name: x\n'],
      ['data/secret/1.ans', ''],
    ],
    true,
  );
  assert.equal(await read(file, 'data/secret/1.ans'), '');
  const a = openArchive(file);
  try {
    assert.equal(await a.text('data/secret/1.ans'), '');
  } finally {
    a.close();
  }
});

test('an entry that fails as it is read leaves no descriptor open: past its size, and given up by its reader', async () => {
  const file = zip('liar.zip', [['a.txt', 'x'.repeat(1 << 20)]], true);
  const bytes = fs.readFileSync(file);
  // the central directory's uncompressed size (offset 24 of its header) says 10 bytes
  const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  bytes.writeUInt32LE(10, central + 24);
  fs.writeFileSync(file, bytes);
  const open = () => fs.readdirSync('/proc/self/fd').length;
  const before = open();
  for (let i = 0; i < 20; i++) {
    await assert.rejects(read(file, 'a.txt'), /inflates past its size/);
    const a = openArchive(zip('big.zip', [['b.txt', 'y'.repeat(1 << 20)]]));
    const stream = a.open(a.files.get('b.txt')!);
    for await (const _ of stream) break;
    a.close();
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(open(), before, 'descriptors left open');
});

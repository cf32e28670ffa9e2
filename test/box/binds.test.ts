/**
 * Host files bound read-only into a box (RunSpec.binds), and reading back one directory of
 * the work dir after any exit (collect's patterns and always): what a judge's checker
 * needs, tested on real boxes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SpecError } from '@codebox/sandbox';
import { boxSkip, ENV, text, useSandbox } from '../support.js';

describe('binds and collect', { skip: boxSkip() }, () => {
  const sandbox = useSandbox();
  let dir = '';
  let data = '';
  before(() => {
    // as a judge's cache is: traversable by the box uids, not listable, files readable
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-binds-'));
    fs.chmodSync(dir, 0o711);
    data = path.join(dir, 'data');
    fs.writeFileSync(data, 'x'.repeat(3 << 20), { mode: 0o644 });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a bound file is read in the box without a copy in its work dir, and cannot be written or removed', async () => {
    const r = await sandbox().run({
      argv: [
        'sh',
        '-c',
        'wc -c < tests/in.txt; (echo y >> tests/in.txt) 2>/dev/null || echo read-only; rm -f tests/in.txt 2>/dev/null || echo stays',
      ],
      env: ENV,
      binds: [{ src: data, path: 'tests/in.txt' }],
      limits: { memoryBytes: 8 << 20, workDirBytes: 1 << 20 },
    });
    assert.equal(r.status, 'OK', JSON.stringify(text(r)));
    assert.equal(text(r).out, `${3 << 20}\nread-only\nstays\n`);
  });

  test('a source that is not a regular file is a SpecError naming the bind', async () => {
    await assert.rejects(
      sandbox().run({ argv: ['true'], env: ENV, binds: [{ src: dir, path: 'd' }] }),
      (e: unknown) => e instanceof SpecError && e.field === 'binds[0].src',
    );
  });

  test('a judge collects one directory by pattern after any exit: not the files beside it, not a link planted as it', async () => {
    const feedback = { patterns: ['fb/**'], always: true, maxBytes: 65536 };
    const r = await sandbox().run({
      argv: ['sh', '-c', 'mkdir -p fb; echo hi > fb/msg.txt; echo no > other.txt; exit 43'],
      env: ENV,
      binds: [{ src: data, path: 'in.txt' }],
      collect: feedback,
    });
    assert.equal(r.exitCode, 43);
    assert.deepEqual(
      r.files?.map((f) => [f.path, f.content.toString()]),
      [['fb/msg.txt', 'hi\n']],
    );
    const planted = await sandbox().run({
      argv: ['sh', '-c', 'mkdir real; echo secret > real/f; ln -s real fb'],
      env: ENV,
      collect: feedback,
    });
    assert.deepEqual(planted.files, []);
  });
});

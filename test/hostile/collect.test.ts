/**
 * Files read back from a box (a compile step's artifacts) are the box's regular files and
 * nothing else: a symlink, fifo or socket it planted is skipped, never followed, so no
 * host file is read, written or chowned on the box's behalf — what Judge0's
 * CVE-2024-28185 and CVE-2024-28189 and go-judge's issue 176 were.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LANGUAGES, runProgram as runLanguage } from '@codebox/runtimes';
import type { Runtime } from '@codebox/runtimes';
import { boxSkip, ENV, PROGRAMS, runProgram, text, useSandbox, WORK_ROOT } from '../support.js';

/**
 * A host file the box cannot see, for a box to plant links to: after `fn`, it must still
 * hold what it held, with the same owner, mode and mtime.
 */
async function withHostSecret(fn: (secret: string) => Promise<void>): Promise<void> {
  const hostDir = fs.mkdtempSync(path.join(path.dirname(WORK_ROOT), 'codebox-secret-'));
  const secret = path.join(hostDir, 'secret');
  fs.writeFileSync(secret, 'HOST SECRET\n', { mode: 0o600 });
  try {
    const before = fs.statSync(secret);
    await fn(secret);
    const after = fs.statSync(secret);
    assert.equal(fs.readFileSync(secret, 'utf8'), 'HOST SECRET\n');
    assert.deepEqual(
      [after.uid, after.gid, after.mode, after.mtimeMs],
      [before.uid, before.gid, before.mode, before.mtimeMs],
    );
  } finally {
    fs.rmSync(hostDir, { recursive: true, force: true });
  }
}

describe('files collected from a box', { skip: boxSkip('python3') }, () => {
  const sb = useSandbox();

  it('are its regular files only: planted links, fifos and sockets are skipped, not followed', async () => {
    await withHostSecret(async (secret) => {
      const r = await runProgram(sb(), 'plant-links.py', { argv: [secret], collect: { maxBytes: 1 << 20 } });
      assert.equal(r.status, 'OK', text(r).err);
      const files = r.files ?? [];
      const byPath = new Map(files.map((f) => [f.path, f]));
      assert.deepEqual([...byPath.keys()].sort(), ['kept', 'out/real.txt', 'plant-links.py', 'setuid']);
      for (const f of files)
        assert.ok(!f.content.toString().includes('HOST SECRET'), `${f.path} holds the host secret`);
      assert.equal(byPath.get('setuid')?.mode, 0o755, 'setuid bit dropped on the way out');
      assert.equal(r.filesSkipped, 7, 'main, relative, hostdir, out/Main.class, magic, fifo, sock');

      // the next box gets exactly those files, and the host file is untouched throughout
      const next = await sb().run({ env: ENV, argv: ['sh', '-c', 'find . | sort; cat out/real.txt'], files });
      assert.equal(text(next).out, '.\n./kept\n./out\n./out/real.txt\n./plant-links.py\n./setuid\nreal file\n');
    });
  });

  it('come back byte for byte, and at most 1000 of them: the rest is counted, not read', async () => {
    const r = await sb().run({
      env: ENV,
      argv: ['python3', '-S', '-c', "for i in range(1010): open(f'f{i:04}', 'w').write(str(i) * 4096)"],
      collect: { maxBytes: 64 << 20 },
    });
    assert.equal(r.status, 'OK', text(r).err);
    assert.equal(r.files?.length, 1000);
    assert.equal(r.filesSkipped, 10);
    assert.ok(
      r.files?.every(
        (f, i) => f.path === `f${String(i).padStart(4, '0')}` && f.content.equals(Buffer.from(String(i).repeat(4096))),
      ),
    );
  });

  it('are capped in bytes, judged by size and blocks alike: sparse files cost the engine nothing', async () => {
    // 20 files of 100 MiB that take no room in the box (truncate): read at their size,
    // they grew the engine by 2 GB
    const rssBefore = process.memoryUsage().rss;
    const r = await sb().run({
      env: ENV,
      argv: [
        'sh',
        '-c',
        'for i in $(seq -w 1 20); do truncate -s 100M sparse$i; done; head -c 3000 /dev/zero > real; echo done',
      ],
      limits: { fileSizeBytes: 1 << 30 },
      collect: { maxBytes: 8 << 20 },
    });
    assert.equal(text(r).out, 'done\n', text(r).err);
    assert.deepEqual(
      r.files?.map((f) => f.path),
      ['real'],
    );
    assert.equal(r.filesSkipped, 20);
    assert.equal(r.filesBytesOver, 20 * (100 << 20));
    assert.ok(
      process.memoryUsage().rss - rssBefore < 64 << 20,
      `engine rss grew ${process.memoryUsage().rss - rssBefore} bytes`,
    );
  });

  it('are not collected after a run that failed', async () => {
    const r = await sb().run({ env: ENV, argv: ['sh', '-c', 'echo x > f; exit 1'], collect: { maxBytes: 1 << 20 } });
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.equal(r.files, undefined);
    // the control: the same run, ending well, hands f back
    const ok = await sb().run({ env: ENV, argv: ['sh', '-c', 'echo x > f; exit 0'], collect: { maxBytes: 1 << 20 } });
    assert.deepEqual(
      ok.files?.map((f) => [f.path, f.content.toString()]),
      [['f', 'x\n']],
    );
  });

  it("by glob (a run's outputs): only the matching files, links among them skipped, also after a failure", async () => {
    await withHostSecret(async (secret) => {
      const script = [
        'mkdir -p out/deep && echo a > out/a.csv && echo b > out/deep/b.csv && echo c > c.csv && echo n > notes.txt',
        `ln -s ${secret} out/link.csv && ln -s ${secret} secret.csv`,
        'exit 3',
      ].join(' && ');
      const patterns = ['out/**', '*.csv'];
      const r = await sb().run({
        env: ENV,
        argv: ['sh', '-c', script],
        collect: { maxBytes: 1 << 20, patterns, always: true },
      });
      assert.equal(r.status, 'RUNTIME_ERROR', text(r).err);
      assert.deepEqual(
        (r.files ?? []).map((f) => [f.path, f.content.toString()]),
        [
          ['c.csv', 'c\n'],
          ['out/a.csv', 'a\n'],
          ['out/deep/b.csv', 'b\n'],
        ],
      );
      assert.equal(r.filesSkipped, 2, 'the two links that matched; notes.txt is not counted, not read');
      // the control: without `always` a failed run hands nothing back
      const failed = await sb().run({ env: ENV, argv: ['sh', '-c', script], collect: { maxBytes: 1 << 20, patterns } });
      assert.equal(failed.files, undefined);
    });
  });

  it('by glob, within a count and a byte cap: what is left is counted', async () => {
    const r = await sb().run({
      env: ENV,
      argv: ['sh', '-c', 'for i in 1 2 3 4 5; do head -c 1000 /dev/zero > f$i.bin; done'],
      // each costs a page on the work dir's tmpfs: two fit in 9000 bytes
      collect: { maxBytes: 9000, maxFiles: 10, patterns: ['*.bin'], always: true },
    });
    assert.deepEqual(
      (r.files ?? []).map((f) => f.path),
      ['f1.bin', 'f2.bin'],
    );
    assert.deepEqual([r.filesSkipped, r.filesBytesOver], [3, 3 * 4096]);
  });

  it('are not read unless asked for', async () => {
    const r = await sb().run({ env: ENV, argv: ['sh', '-c', 'echo x > f'] });
    assert.equal(r.status, 'OK', text(r).err);
    assert.equal(r.files, undefined);
    // the control: asked for, f comes back
    const asked = await sb().run({ env: ENV, argv: ['sh', '-c', 'echo x > f'], collect: { maxBytes: 1 << 20 } });
    assert.deepEqual(
      asked.files?.map((f) => f.path),
      ['f'],
    );
  });
});

describe('a compile step that plants links', { skip: boxSkip('python3') }, () => {
  const sb = useSandbox();

  it('hands the run step its regular files only; the host file is never read, written or chowned', async () => {
    await withHostSecret(async (secret) => {
      // a language whose "compiler" is the hostile program, and whose run step reads what it got
      const hostile: Runtime = {
        ...(LANGUAGES.find((rt) => rt.id === 'python') as Runtime),
        id: 'hostile',
        sourceFile: 'build.py',
        compile: () => ['python3', '-S', 'build.py', secret],
        // out/real.txt last among the reads: proof that the reader reads what is there
        run: () => [
          'sh',
          '-c',
          'for f in main relative hostdir out/Main.class magic fifo sock out/real.txt; do cat "$f" 2>/dev/null; done; ls -A . out | tr "\\n" " "',
        ],
      };
      const r = await runLanguage(sb(), hostile, {
        files: [{ name: 'build.py', content: fs.readFileSync(path.join(PROGRAMS, 'plant-links.py')) }],
      });
      assert.equal(r.compile?.status, 'OK', r.compile?.stderr.toString());
      assert.equal(r.status, 'OK', r.stderr.toString());
      assert.doesNotMatch(r.stdout.toString(), /HOST SECRET/);
      assert.equal(r.stdout.toString(), 'real file\n.: build.py kept out setuid  out: real.txt ');
    });
  });
});

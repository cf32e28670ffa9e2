/** The engine's API as a caller uses it: files, streaming, abort, spec errors, another root. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { SpecError } from '@codebox/sandbox';
import { boxSkip, ENV, makeTinyRoot, text, useSandbox } from '../support.js';

describe('engine API', { skip: boxSkip() }, () => {
  const sandbox = useSandbox();

  test('files land in /box with their modes and directories, owned by the box user', async () => {
    const r = await sandbox().run({
      argv: ['sh', '-c', 'stat -c "%n %a %U" main.sh src/lib.txt; ./main.sh'],
      env: ENV,
      files: [
        { path: 'main.sh', content: '#!/bin/sh\necho ran\n', mode: 0o755 },
        { path: 'src/lib.txt', content: Buffer.from([0x00, 0xff]) },
      ],
    });
    assert.equal(text(r).out, 'main.sh 755 box\nsrc/lib.txt 644 box\nran\n');
  });

  test('output streams while the program runs', async () => {
    const chunks: [string, number][] = [];
    const r = await sandbox().run(
      { argv: ['sh', '-c', 'echo first; sleep 0.5; echo second'], env: ENV },
      { onOutput: (_stream, chunk) => void chunks.push([chunk.toString(), performance.now()]) },
    );
    const finished = performance.now();
    assert.equal(text(r).out, 'first\nsecond\n');
    assert.equal(chunks[0]?.[0], 'first\n');
    assert.ok(finished - (chunks[0]?.[1] ?? finished) >= 400, 'the first line came half a second before the end');
  });

  test('an abort kills the box: killedBy abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await sandbox().run({ argv: ['sleep', '30'], env: ENV }, { signal: controller.signal });
    assert.equal(r.killedBy, 'abort');
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.wallMs < 2000);
  });

  test('a bad spec is a SpecError naming the field, and runs nothing', async () => {
    await assert.rejects(sandbox().run({ argv: ['true'], files: [{ path: '../escape', content: '' }] }), (e: unknown) => e instanceof SpecError && e.field === 'files[0].path');
    await assert.rejects(sandbox().run({ argv: ['true'], limits: { memoryBytes: 2 ** 40 } }), (e: unknown) => e instanceof SpecError && e.field === 'limits.memoryBytes');
  });

  test('a command that does not exist is the program’s failure, not the sandbox’s', async () => {
    const r = await sandbox().run({ argv: ['no-such-command'], env: ENV });
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.match(text(r).err, /no-such-command/);
  });

  test('another root filesystem: only what it holds is there', async (t) => {
    // a root holding dash and the libraries it links against, nothing else
    const root = makeTinyRoot(['/bin/dash']);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const r = await sandbox().run({ argv: ['/bin/dash', '-c', 'echo /*; echo /usr/*'], rootfs: root });
    assert.equal(r.status, 'OK', text(r).err);
    const [top, usr] = text(r).out.trim().split('\n');
    assert.equal(usr, '/usr/*', 'no /usr: the glob matched nothing');
    assert.deepEqual(top?.split(' '), ['/bin', '/box', '/dev', '/lib', '/lib64', '/proc', '/tmp']);
  });
});

/**
 * Files placed into a box count against that box. They were written by the engine, as
 * root, so their pages were charged to the engine: a 16 MiB run box mapped a 120 MiB file
 * its compile step left and reported 1 MB. The box init now writes them from inside the
 * box (native/box-init.c), and what a compile step may hand on is capped (artifactBytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANGUAGES, runProgram as runLanguage } from '@codebox/runtimes';
import type { Runtime } from '@codebox/runtimes';
import { boxSkip, ENV, text, useSandbox } from '../support.js';

const MiB = 1 << 20;
/** reads every page of a file through a shared mapping: what it costs is the file's pages */
const MAP_AND_READ =
  'import mmap, sys\nf = open(sys.argv[1], "rb")\nm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)\nprint(sum(m[i] for i in range(0, len(m), 4096)))';

describe('files placed into a box', { skip: boxSkip('python3') }, () => {
  const sb = useSandbox();

  it('are charged to its memory: a program mapping one sees it in its peak', async () => {
    const r = await sb().run({
      env: ENV,
      argv: ['python3', '-S', '-c', MAP_AND_READ, 'data'],
      files: [{ path: 'data', content: Buffer.alloc(24 * MiB, 1) }],
      limits: { memoryBytes: 64 * MiB },
    });
    assert.equal(r.status, 'OK', text(r).err);
    assert.equal(text(r).out, `${24 * 256}\n`);
    assert.ok(r.memoryBytes >= 24 * MiB, `peak ${r.memoryBytes} bytes for a 24 MiB file`);
  });

  it('that do not fit in its memory end the run as MEMORY_LIMIT, saying so, before the program starts', async () => {
    const r = await sb().run({
      env: ENV,
      argv: ['sh', '-c', 'echo started'],
      files: [{ path: 'big', content: Buffer.alloc(48 * MiB, 1) }],
      limits: { memoryBytes: 16 * MiB },
    });
    assert.equal(r.status, 'MEMORY_LIMIT');
    assert.equal(text(r).out, '', 'the program never ran');
    assert.match(r.message ?? '', /files .* did not fit in its memory limit/);
    assert.ok(r.memoryBytes <= 16 * MiB, `peak ${r.memoryBytes}`);
    // the control: with files that fit, the same program runs and says so
    const fits = await sb().run({
      env: ENV,
      argv: ['sh', '-c', 'echo started'],
      files: [{ path: 'big', content: Buffer.alloc(1 * MiB, 1) }],
      limits: { memoryBytes: 16 * MiB },
    });
    assert.equal(text(fits).out, 'started\n', text(fits).err);
  });

  it('that do not fit in its work dir are refused before any box is made', async () => {
    await assert.rejects(
      sb().run({
        env: ENV,
        argv: ['true'],
        files: [{ path: 'big', content: Buffer.alloc(2 * MiB) }],
        limits: { workDirBytes: MiB },
      }),
      /files: \d+ bytes of files do not fit in the work dir/,
    );
  });
});

describe('a compile step’s files', { skip: boxSkip('python3') }, () => {
  const sb = useSandbox();
  // a "language" whose compiler writes a file of `size` MiB and whose run maps it
  const bigArtifact = (mib: number): Runtime => ({
    ...(LANGUAGES.find((rt) => rt.id === 'python') as Runtime),
    id: 'artifact',
    compile: () => ['sh', '-c', `head -c ${mib}M /dev/zero > artifact.bin`],
    run: () => ['python3', '-S', '-c', MAP_AND_READ, 'artifact.bin'],
  });

  it('count against the run box: a 120 MiB artifact does not run in a 16 MiB box', async () => {
    const r = await runLanguage(sb(), bigArtifact(120), {
      files: [{ name: 'main.py', content: '' }],
      limits: { memoryBytes: 16 * MiB },
      artifactBytes: 200 * MiB,
    });
    assert.equal(r.compile?.status, 'OK', r.compile?.stderr.toString());
    assert.equal(r.status, 'MEMORY_LIMIT', `${r.status} ${r.message} ${r.stderr.toString()}`);
    assert.ok(r.memoryBytes <= 16 * MiB, `peak ${r.memoryBytes}`);
  });

  it('are capped by artifactBytes: over it, the compile step fails and nothing runs', async () => {
    const r = await runLanguage(sb(), bigArtifact(8), {
      files: [{ name: 'main.py', content: '' }],
      artifactBytes: 4 * MiB,
    });
    assert.equal(r.status, 'COMPILE_ERROR');
    assert.equal(r.compile?.status, 'OUTPUT_LIMIT');
    assert.match(r.compile?.message ?? '', /more than 4194304 bytes of files/);
    assert.equal(r.stdout.length, 0);
    // the control: under the cap, the same run step runs and prints (the sum of zero bytes)
    const under = await runLanguage(sb(), bigArtifact(2), {
      files: [{ name: 'main.py', content: '' }],
      artifactBytes: 4 * MiB,
    });
    assert.equal(under.status, 'OK', `${under.message} ${under.stderr.toString()}`);
    assert.equal(under.stdout.toString(), '0\n');
  });
});

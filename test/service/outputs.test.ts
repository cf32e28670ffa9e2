/**
 * Files out of a one-shot job (`outputs`): what the globs match comes back in the result,
 * read out of the run's work dir without following a link, within the server's caps,
 * which GET /v1/runtimes tells.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobView } from '@codebox/client';
import { post, serviceSkip, useStack } from './stack.js';

const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('a job’s outputs', { skip: serviceSkip() }, () => {
  const t = useStack({ worker: { outputFiles: 3, outputFilesBytes: 64 * 1024 } });

  async function run(code: string, outputs: unknown, extra: Record<string, unknown> = {}) {
    const r = await post(
      `${t.s.url}/v1/jobs?wait=true`,
      JSON.stringify({ language: 'python', files: [{ content: code }], outputs, ...extra }),
    );
    return { status: r.status, job: r.json as unknown as JobView, error: r.json.error };
  }

  it('come back by glob, text as text and binary as base64, whatever the run’s end', async () => {
    const code = [
      'import os',
      'os.makedirs("out/deep", exist_ok=True)',
      `open("out/plot.png", "wb").write(bytes(${JSON.stringify([...PNG_HEAD])}) + bytes(range(256)))`,
      'open("out/deep/table.csv", "w").write("a,b\\n1,2\\n")',
      'open("notes.txt", "w").write("not asked for")',
      'raise SystemExit(2)',
    ].join('\n');
    const { status, job } = await run(code, ['out/**']);
    assert.equal(status, 200);
    assert.equal(job.result?.status, 'RUNTIME_ERROR');
    const files = job.result?.files ?? [];
    assert.deepEqual(
      files.map((f) => [f.path, f.encoding, f.size]),
      [
        ['out/deep/table.csv', 'utf8', 8],
        ['out/plot.png', 'base64', 264],
      ],
    );
    assert.equal(files[0]?.content, 'a,b\n1,2\n');
    const png = Buffer.from(files[1]?.content ?? '', 'base64');
    assert.deepEqual(png.subarray(0, 8), PNG_HEAD);
    assert.equal(png.length, 264);
    assert.equal(job.result?.filesOmitted, undefined, 'nothing matching was left out');
  });

  it('never through a link, and within the caps GET /v1/runtimes tells: the rest is counted', async () => {
    const caps = ((await (await fetch(`${t.s.url}/v1/runtimes`)).json()) as { outputs?: unknown }).outputs;
    assert.deepEqual(caps, { maxFiles: 3, maxBytes: 64 * 1024 });
    const code = [
      'import os',
      'os.symlink("/etc/passwd", "passwd.txt")',
      'for i in range(5): open(f"f{i}.txt", "w").write("x")',
    ].join('\n');
    const { job } = await run(code, ['*.txt']);
    const files = job.result?.files ?? [];
    assert.deepEqual(
      files.map((f) => f.path),
      ['f0.txt', 'f1.txt', 'f2.txt'],
    );
    assert.ok(!files.some((f) => f.content.includes('root:')), 'the link was not followed');
    assert.deepEqual(job.result?.filesOmitted?.count, 3, 'the link and two files past the count');
    // bytes: a file past the byte cap is left out and its size counted
    const big = await run('open("big.bin", "wb").write(b"z" * 100000)\nopen("small.bin", "wb").write(b"s")', ['*.bin']);
    assert.deepEqual(
      big.job.result?.files?.map((f) => f.path),
      ['small.bin'],
    );
    assert.ok((big.job.result?.filesOmitted?.bytes ?? 0) >= 100000);
  });

  it('without outputs, no files; bad globs and judge mode are refused, naming the field', async () => {
    const plain = await run('open("x.txt", "w").write("x")', undefined);
    assert.equal(plain.job.result?.files, undefined);
    for (const [outputs, field] of [
      [['../etc/*'], 'outputs[0]'],
      [['/etc/passwd'], 'outputs[0]'],
      [['ok', ''], 'outputs[1]'],
      ['*.png', 'outputs'],
    ] as const) {
      const r = await run('print(1)', outputs);
      assert.equal(r.status, 400, JSON.stringify(r.error));
      assert.equal(r.error?.details?.field, field, JSON.stringify(r.error));
    }
    const judged = await run('print(1)', ['*'], { tests: [{ expectedOutput: '1' }] });
    assert.equal(judged.status, 400);
    assert.equal(judged.error?.details?.field, 'outputs');
  });
});

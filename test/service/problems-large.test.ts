/**
 * A problem with hundreds of MB of test data, end to end, on `npm run api` and `npm run
 * worker` processes: uploaded as a package (spooled to disk, streamed entry by entry into
 * Redis), fetched by the worker into its cache chunk by chunk, streamed to the program.
 * Neither process ever holds it: the kernel's count of each one's peak memory (VmHWM)
 * grows by less than half the data (here 40 and 62 MiB for 204 MiB of tests).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeboxClient } from '@codebox/client';
import { UID_BASE } from '../support.js';
import { exited, startApiProcess, startWorkerProcess } from './processes.js';
import type { ApiProcess, WorkerProcess } from './processes.js';
import { serviceSkip, startRedis, until } from './stack.js';
import type { TestRedis } from './stack.js';

/** per test, and tests: 2 × 100 MB of distinct numbers (no chunk repeats, so Redis holds it all) */
const LINES = 12_500_000;
const TESTS = 2;
const MB = 1 << 20;

/** a process's peak resident memory so far, from the kernel */
function peakBytes(pid: number): number {
  return 1024 * Number(/^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

describe('a problem of hundreds of MB', { skip: serviceSkip() }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-large-'));
  fs.chmodSync(dir, 0o711);
  let redis: TestRedis;
  let api: ApiProcess;
  let worker: WorkerProcess;
  let zip = '';
  let bytes = 0;
  before(async () => {
    redis = await startRedis();
    const prefix = `cbtest-large-${process.pid}`;
    worker = await startWorkerProcess(redis.url, prefix, UID_BASE + 950, 1, {
      CODEBOX_CACHE_DIR: path.join(dir, 'cache'),
    });
    api = await startApiProcess(redis.url, prefix, 0, { CODEBOX_PROBLEM_MAX_BYTES: '512m' });
    await until(async () => (await fetch(`${api.url}/readyz`)).status === 200, 20_000);
    // a Kattis package written by Python: test k is the numbers k·LINES … (k+1)·LINES − 1, one a line
    zip = path.join(dir, 'big.zip');
    const script = [
      'import sys, zipfile',
      'lines, tests = int(sys.argv[2]), int(sys.argv[3])',
      'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:',
      '    z.writestr("big/problem.yaml", "name: Big\\n")',
      '    for k in range(tests):',
      '        with z.open("big/data/secret/%d.in" % k, "w", force_zip64=False) as f:',
      '            for start in range(k * lines, (k + 1) * lines, 100000):',
      '                f.write("".join("%d\\n" % i for i in range(start, start + 100000)).encode())',
      '        z.writestr("big/data/secret/%d.ans" % k, "%d\\n" % sum(range(k * lines, (k + 1) * lines)))',
    ].join('\n');
    execFileSync('python3', ['-c', script, zip, String(LINES), String(TESTS)]);
    for (let i = 0; i < TESTS * LINES; i++) bytes += String(i).length + 1;
  });
  after(async () => {
    for (const child of [api?.child, worker?.child]) child?.kill('SIGTERM');
    await Promise.all([api && exited(api.child), worker && exited(worker.child)]);
    await redis?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stored, fetched and judged without the API or the worker holding it', async (t) => {
    assert.ok(bytes > 200 * MB, `${bytes} bytes of tests`);
    const client = new CodeboxClient({ baseUrl: api.url });
    const before = { api: peakBytes(api.child.pid ?? 0), worker: peakBytes(worker.pid) };
    const res = await fetch(`${api.url}/v1/problems?id=big`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/zip' },
      body: fs.createReadStream(zip),
      duplex: 'half',
    });
    const stored = (await res.json()) as { bytes: number };
    assert.equal(res.status, 201, JSON.stringify(stored));
    assert.ok(stored.bytes > bytes, 'the inputs and the answers');
    const job = await client.run({
      language: 'c',
      files: [
        {
          content:
            '#include <stdio.h>\nint main(void) { long long x, s = 0; while (scanf("%lld", &x) == 1) s += x; printf("%lld\\n", s); }\n',
        },
      ],
      problem: 'big',
      limits: { cpuMs: 20_000, wallMs: 60_000 },
    });
    assert.equal(job.judge?.verdict, 'ACCEPTED', JSON.stringify(job.judge?.tests.map((x) => [x.verdict, x.checker])));
    assert.equal(job.judge?.tests.length, TESTS);
    const cached = fs.readdirSync(path.join(dir, 'cache')).filter((d) => d !== 'tmp');
    assert.ok(cached.length >= TESTS, 'the worker keeps the blobs on disk');
    for (const [role, pid] of [
      ['api', api.child.pid ?? 0],
      ['worker', worker.pid],
    ] as const) {
      const grew = peakBytes(pid) - before[role];
      t.diagnostic(`${role}: peak memory grew by ${Math.round(grew / MB)} MiB`);
      // what is left over is garbage not yet collected (1 MiB chunks), not the data: under half of it
      assert.ok(
        grew < 96 * MB,
        `the ${role}'s peak grew by ${Math.round(grew / MB)} MiB for ${Math.round(bytes / MB)} MiB of tests`,
      );
    }
  });
});

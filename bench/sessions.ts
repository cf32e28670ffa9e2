/**
 * npm run bench:sessions — what a session costs and what it saves, through the HTTP API of
 * a real stack (Redis, a worker and the API as processes of their own, load-tests/stack.ts),
 * in one run, interleaved round by round so machine noise falls on every kind alike:
 *   job       POST /v1/jobs?wait=true, bash `echo hi`: a one-shot job, queue to result
 *   command   POST /v1/sessions/:id/commands?wait=true, `echo hi`, in a session made once
 *   ready     POST /v1/sessions until it answers 201 ready (then DELETE, not counted)
 *   cell      POST /v1/sessions/:id/contexts/:cid/run?wait=true, `1 + 1`, in a live context
 * Prints median and p95 per kind, and the ratio a command / a job. Target: under 0.5.
 * A benchmark, not a test: these machines are shared and noisy.
 *
 * env: BENCH_RUNS (default 100), BENCH_ROOTFS (the worker's CODEBOX_ROOTFS, default
 * host), CODEBOX_CGROUP_PARENT / CODEBOX_WORK_ROOT / CODEBOX_UID_BASE (load-tests/stack.ts)
 */
import os from 'node:os';
import { percentile } from '../load-tests/report.js';
import { startProcessStack } from '../load-tests/stack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const ROOTFS = process.env.BENCH_ROOTFS ?? 'host';

async function post(url: string, body: unknown, expect: number): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== expect) throw new Error(`${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const stack = await startProcessStack({
    slots: 2,
    languages: ['bash', 'python'],
    workerEnv: { CODEBOX_ROOTFS: ROOTFS },
  });
  try {
    const base = stack.url;
    const session = (await post(`${base}/v1/sessions`, {}, 201)) as { id: string };
    const context = (await post(`${base}/v1/sessions/${session.id}/contexts`, { language: 'python' }, 201)) as {
      id: string;
    };
    const kinds = {
      job: async () => {
        const job = (await post(
          `${base}/v1/jobs?wait=true`,
          { language: 'bash', files: [{ content: 'echo hi' }] },
          200,
        )) as { result?: { stdout: string } };
        if (job.result?.stdout !== 'hi\n') throw new Error(`job: ${JSON.stringify(job)}`);
      },
      command: async () => {
        const r = (await post(`${base}/v1/sessions/${session.id}/commands?wait=true`, { command: 'echo hi' }, 200)) as {
          stdout: string;
        };
        if (r.stdout !== 'hi\n') throw new Error(`command: ${JSON.stringify(r)}`);
      },
      ready: async () => {
        const s = (await post(`${base}/v1/sessions`, {}, 201)) as { id: string; status: string };
        if (s.status !== 'ready') throw new Error(`session: ${JSON.stringify(s)}`);
        // its end is not what a client waits for before its first command
        void fetch(`${base}/v1/sessions/${s.id}`, { method: 'DELETE' }).then((r) => r.body?.cancel());
      },
      cell: async () => {
        const r = (await post(
          `${base}/v1/sessions/${session.id}/contexts/${context.id}/run?wait=true`,
          { code: '1 + 1' },
          200,
        )) as { events: { type: string; data?: Record<string, string> }[] };
        if (r.events[0]?.data?.['text/plain'] !== '2') throw new Error(`cell: ${JSON.stringify(r)}`);
      },
    };
    const ms: Record<keyof typeof kinds, number[]> = { job: [], command: [], ready: [], cell: [] };
    // a few of each first: connections, caches and the worker's first boxes are not what this measures
    for (let i = 0; i < 5; i++) for (const fn of Object.values(kinds)) await fn();
    for (let i = 0; i < RUNS; i++) {
      for (const [kind, fn] of Object.entries(kinds) as [keyof typeof kinds, () => Promise<void>][])
        ms[kind].push(await timed(fn));
      if (process.stderr.isTTY) process.stderr.write(`\r${i + 1}/${RUNS}`);
    }
    if (process.stderr.isTTY) process.stderr.write('\n');

    const row = (name: string, what: string, xs: number[]): string =>
      `${name.padEnd(9)} ${percentile(xs, 0.5).toFixed(2).padStart(8)} ${percentile(xs, 0.95).toFixed(2).padStart(8)}  ${what}`;
    const lines = [
      `codebox bench:sessions — ${RUNS} rounds, interleaved; ${ROOTFS} root; ${os.cpus().length} cpus; node ${process.version}`,
      `kind       median      p95  (ms, through the HTTP API)`,
      row('job', 'one-shot job, bash echo, ?wait=true', ms.job),
      row('command', 'echo in a live session, ?wait=true', ms.command),
      row('cell', '1 + 1 in a live Python context, ?wait=true', ms.cell),
      row('ready', 'POST /v1/sessions to a ready session', ms.ready),
      '',
      `command / job, medians: ${(percentile(ms.command, 0.5) / percentile(ms.job, 0.5)).toFixed(2)} (target < 0.5)`,
      `cell / job, medians:    ${(percentile(ms.cell, 0.5) / percentile(ms.job, 0.5)).toFixed(2)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await fetch(`${base}/v1/sessions/${session.id}`, { method: 'DELETE' });
  } finally {
    await stack.stop();
  }
}

await main();

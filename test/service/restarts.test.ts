/**
 * Restarts while jobs flow, each role a process of its own: Redis stopped and started
 * again (with its append-only file) under a stream of submissions, and the API killed and
 * started again while jobs run and clients follow them.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CodeboxClient, parseEvent } from '@codebox/client';
import type { ReceivedEvent } from '@codebox/client';
import { UID_BASE } from '../support.js';
import { exited, startApiProcess, startWorkerProcess } from './processes.js';
import type { ApiProcess, WorkerProcess } from './processes.js';
import { freePort, serviceSkip, startRedis, until } from './stack.js';
import type { TestRedis } from './stack.js';

const SH = (code: string) => ({ language: 'bash', files: [{ content: code }] });
/** the Judge0 callback test's listener is on loopback, which the default policy refuses */
const API_ENV = { CODEBOX_CALLBACK_ALLOW: '127.0.0.1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stdoutOf(events: readonly ReceivedEvent[]): string {
  return events.map((e) => (e.type === 'stdout' ? e.data.data : '')).join('');
}

function statusesOf(events: readonly ReceivedEvent[]): string[] {
  return events.filter((e) => e.type === 'status').map((e) => (e.data as { status: string }).status);
}

async function allEvents(c: CodeboxClient, id: string): Promise<ReceivedEvent[]> {
  const events = [];
  for await (const e of c.events(id)) events.push(e);
  return events;
}

/** one SSE connection, read until `stop` says so or the stream ends */
async function readSse(
  url: string,
  lastEventId: string | undefined,
  stop: (e: ReceivedEvent) => boolean,
): Promise<ReceivedEvent[]> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {}, signal: ac.signal });
  assert.equal(res.status, 200);
  const events: ReceivedEvent[] = [];
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const e = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!e) continue;
        events.push(e);
        if (stop(e)) return events;
      }
    }
    return events;
  } finally {
    ac.abort();
  }
}

describe('restarts while jobs flow', { skip: serviceSkip() }, () => {
  const prefix = `cbrestart${process.pid}`;
  let redis: TestRedis;
  let api: ApiProcess | undefined;
  let worker: WorkerProcess;
  let port: number;

  before(async () => {
    redis = await startRedis({ persist: true });
    port = await freePort();
    api = await startApiProcess(redis.url, prefix, port, API_ENV);
    worker = await startWorkerProcess(redis.url, prefix, UID_BASE + 2_000, 2);
  });
  after(async () => {
    for (const p of [worker?.child, api?.child]) p?.kill('SIGKILL');
    await Promise.all([worker && exited(worker.child), api && exited(api.child)]);
    await redis?.destroy();
  });

  it('Redis stopped and started under load: 503 meanwhile, queued jobs survive, every accepted job ends exactly once', async (t) => {
    const c = new CodeboxClient({ baseUrl: `http://127.0.0.1:${port}` });
    // more than the worker's two slots: some are still queued when Redis goes
    const queued = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        c.create(SH(`sleep 0.5; echo q${i}`)).then((j) => ({ id: j.id, out: `q${i}\n` })),
      ),
    );
    const accepted = [...queued];
    const answers = new Map<number, number>();
    // an object, not a let: TypeScript would narrow a let inside the loop's closure
    const state = { phase: 'before' as 'before' | 'during' | 'after' | 'done' };
    const during = new Set<number>();
    const submit = async (code: string, out: string): Promise<number> => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(SH(code)),
      });
      const body = (await res.json()) as { id?: string; error?: { code: string } };
      answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
      if (state.phase === 'during') during.add(res.status);
      if (res.status === 202 && body.id) accepted.push({ id: body.id, out });
      else assert.equal(res.status, 503, `answered ${res.status} ${JSON.stringify(body)}`);
      return res.status;
    };
    const flow = (async () => {
      for (let i = 0; state.phase !== 'done'; i++) {
        await submit(`echo f${i}`, `f${i}\n`);
        await sleep(50);
      }
    })();
    await sleep(800);
    const stillQueued = (await Promise.all(queued.map((j) => c.get(j.id)))).filter((j) => j.status === 'queued').length;
    assert.ok(stillQueued > 0, 'some jobs are still queued when Redis stops');
    t.diagnostic(`${stillQueued} jobs queued when Redis stopped`);
    await redis.stop();
    state.phase = 'during';
    await sleep(2_000);
    await redis.start();
    const restartedAt = Date.now();
    state.phase = 'after';
    // recovered: new jobs are accepted again, without restarting anything but Redis
    while ((await submit('echo back', 'back\n')) !== 202) {
      assert.ok(Date.now() - restartedAt < 15_000, 'accepting again within 15 s');
      await sleep(100);
    }
    t.diagnostic(`accepting again ${Date.now() - restartedAt} ms after Redis restarted`);
    await sleep(1_000);
    state.phase = 'done';
    await flow;
    t.diagnostic(`answers: ${JSON.stringify(Object.fromEntries(answers))}`);
    assert.ok(during.has(503), 'the API answered 503 while Redis was away');

    for (const { id, out } of accepted) {
      const events = await allEvents(c, id);
      assert.deepEqual(statusesOf(events), ['queued', 'running', 'completed'], `${id}: claimed once, ended once`);
      assert.equal(events.filter((e) => e.type === 'result').length, 1);
      assert.equal((await c.get(id)).result?.stdout, out);
      assert.equal(stdoutOf(events), out);
    }
    t.diagnostic(`${accepted.length} accepted jobs, each ended exactly once`);
  });

  it('Redis away longer than a queue lock: jobs running then, or ending meanwhile, end once, with their results', async () => {
    const c = new CodeboxClient({ baseUrl: `http://127.0.0.1:${port}` });
    // one ends while Redis is away; the other still runs when it is back, past its lock
    const short = await c.create(SH('echo before; sleep 1; echo after'));
    const long = await c.create({ ...SH('echo before; sleep 18; echo after'), limits: { wallMs: 20_000 } });
    for (const { id } of [short, long]) for await (const e of c.events(id)) if (e.type === 'stdout') break;
    await redis.stop();
    await sleep(12_000);
    await redis.start();
    await until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200);
    for (const { id } of [short, long]) {
      const job = await c.wait(id);
      assert.equal(job.status, 'completed', JSON.stringify(job.error));
      assert.equal(job.result?.stdout, 'before\nafter\n');
    }
    await sleep(6_000); // stalled checks have run since: neither entry ran again or ended it again
    for (const { id } of [short, long]) {
      assert.deepEqual(statusesOf(await allEvents(c, id)), ['queued', 'running', 'completed']);
      assert.equal((await c.get(id)).status, 'completed');
    }
  });

  it('the API killed and started again: results are there, and event streams resume where they were', async () => {
    const url = `http://127.0.0.1:${port}`;
    const c = new CodeboxClient({ baseUrl: url });
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i + 1}\n`).join('');
    const { id } = await c.create(SH('for i in $(seq 1 20); do echo "line $i"; sleep 0.15; done'));
    // one client follows through the restart on its own (it resumes with Last-Event-ID)
    const followed = allEvents(c, id);
    // and a raw stream: read up to the third line, then the API dies
    const first = await readSse(
      `${url}/v1/jobs/${id}/events`,
      undefined,
      (e) => e.type === 'stdout' && stdoutOf([e]).includes('line 3'),
    );
    const behind = await c.create(SH('sleep 0.5; echo "ran while the API was down"'));

    api?.child.kill('SIGKILL');
    await exited(api!.child);
    await sleep(300);
    api = await startApiProcess(redis.url, prefix, port, API_ENV);

    const rest = await readSse(`${url}/v1/jobs/${id}/events`, first.at(-1)?.id, (e) => e.type === 'result');
    assert.equal(stdoutOf([...first, ...rest]), lines, 'every line once, in order, across the restart');
    assert.deepEqual(statusesOf([...first, ...rest]), ['queued', 'running', 'completed']);
    const ids = [...first, ...rest].map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'no event twice');

    const all = await followed;
    assert.equal(stdoutOf(all), lines, 'the client resumed by itself');
    assert.equal(all.at(-1)?.type, 'result');
    assert.equal((await c.wait(behind.id)).result?.stdout, 'ran while the API was down\n');
    assert.equal((await c.get(id)).result?.stdout, lines);
  });
  it('a Judge0 callback pending when its API is killed is delivered by the API started after', async () => {
    const url = `http://127.0.0.1:${port}`;
    const delivered: { token: string; stdout: string; status: { id: number } }[] = [];
    const listener = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        delivered.push(JSON.parse(body) as (typeof delivered)[number]);
        res.end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`${url}/judge0/submissions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          source_code: 'sleep 1; echo called back',
          language_id: 46,
          callback_url: `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}/done`,
        }),
      });
      assert.equal(res.status, 201);
      const { token } = (await res.json()) as { token: string };
      api?.child.kill('SIGKILL');
      await exited(api!.child);
      await sleep(1_500); // the job ends while no API is up
      assert.equal(delivered.length, 0, 'nothing delivered while no API is up');
      api = await startApiProcess(redis.url, prefix, port, API_ENV);
      await until(async () => delivered.length > 0, 40_000); // 40: past a lease the dead API may have held
      await sleep(1_500); // and only once
      assert.equal(delivered.length, 1);
      assert.equal(delivered[0]?.token, token);
      assert.equal(delivered[0]?.status.id, 3);
      assert.equal(Buffer.from(delivered[0]?.stdout ?? '', 'base64').toString(), 'called back\n');
    } finally {
      listener.close();
    }
  });
});

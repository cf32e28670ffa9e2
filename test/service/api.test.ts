/**
 * The service end to end: a real Redis, a worker making real boxes, the API over real
 * HTTP, driven by @codebox/client and by raw requests where a client would not err.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeboxError } from '@codebox/client';
import type { JobView, ReceivedEvent } from '@codebox/client';
import { post, serviceSkip, startRedis, until, useStack } from './stack.js';

const PY = (code: string) => ({ language: 'python', files: [{ content: code }] });
const SH = (code: string) => ({ language: 'bash', files: [{ content: code }] });

describe('the service', { skip: serviceSkip() }, () => {
  const t = useStack();

  it('runs a job synchronously: ?wait=true answers 200 with the finished job', async () => {
    const r = await post(
      `${t.s.url}/v1/jobs?wait=true`,
      JSON.stringify({ ...PY('print(input()[::-1])'), stdin: 'hello\n' }),
    );
    assert.equal(r.status, 200, r.text);
    const job = r.json as unknown as JobView;
    assert.equal(job.status, 'completed');
    assert.equal(job.language, 'python');
    assert.match(job.version, /^3\.\d+\.\d+$/);
    assert.equal(job.result?.status, 'OK');
    assert.equal(job.result?.stdout, 'olleh\n');
  });

  it('a compiled language: the result has exactly the fields of codebox run --json, with compile', async () => {
    const job = await t.s.client().run({
      language: 'c',
      files: [
        {
          name: 'prog.c',
          content: '#include <stdio.h>\nint main(int c, char **v) { printf("%s\\n", v[1]); return 3; }\n',
        },
      ],
      args: ['arg'],
    });
    assert.equal(job.result?.status, 'RUNTIME_ERROR');
    assert.equal(job.result?.exitCode, 3);
    assert.equal(job.result?.stdout, 'arg\n');
    assert.deepEqual(Object.keys(job.result ?? {}).sort(), [
      'compile',
      'cpuMs',
      'exitCode',
      'memoryBytes',
      'signal',
      'status',
      'stderr',
      'stderrEncoding',
      'stderrTruncated',
      'stdout',
      'stdoutEncoding',
      'stdoutTruncated',
      'wallMs',
    ]);
    assert.equal(job.result?.compile?.status, 'OK');
    const broken = await t.s.client().run({ language: 'c', files: [{ content: 'int main( {' }] });
    assert.equal(broken.status, 'completed');
    assert.equal(broken.result?.status, 'COMPILE_ERROR');
    assert.match(broken.result?.compile?.stderr ?? '', /error/);
  });

  it('runs a job asynchronously: 202 queued, then the client polls', async () => {
    const created = await post(`${t.s.url}/v1/jobs`, JSON.stringify(SH('echo async')));
    assert.equal(created.status, 202);
    assert.equal(created.json.status, 'queued');
    assert.equal(created.headers.get('location'), `/v1/jobs/${String(created.json.id)}`);
    const id = String(created.json.id);
    await until(async () => (await t.s.client().get(id)).status === 'completed');
    assert.equal((await t.s.client().get(id)).result?.stdout, 'async\n');
  });

  it('streams events in order: status, stdout and stderr as they come, result last', async () => {
    const { id } = await t.s.client().create(SH('for i in 1 2 3; do echo "out $i"; sleep 0.1; done; echo oops >&2'));
    const events: ReceivedEvent[] = [];
    for await (const e of t.s.client().events(id)) events.push(e);
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 2), ['status', 'status']);
    assert.deepEqual(
      events.slice(0, 2).map((e) => (e.data as { status: string }).status),
      ['queued', 'running'],
    );
    assert.deepEqual(types.slice(-2), ['status', 'result']);
    const out = events
      .filter((e) => e.type === 'stdout')
      .map((e) => (e.data as { data: string }).data)
      .join('');
    assert.equal(out, 'out 1\nout 2\nout 3\n');
    assert.ok(types.indexOf('stderr') > types.lastIndexOf('stdout'));
    assert.ok(types.filter((t) => t === 'stdout').length >= 3, 'output arrives as it is written, not all at the end');
    const ids = events.map((e) => e.id);
    assert.deepEqual([...ids].sort(compareIds), ids, 'ids increase');
  });

  it('resumes the event stream after a dropped connection with Last-Event-ID', async () => {
    const { id } = await t.s.client().create(SH('for i in 1 2 3 4 5; do echo "n $i"; sleep 0.15; done'));
    const first: ReceivedEvent[] = [];
    const ac = new AbortController();
    try {
      for await (const e of t.s.client().events(id, { signal: ac.signal })) {
        first.push(e);
        if (e.type === 'stdout') ac.abort(); // the connection drops mid-run
      }
    } catch (err) {
      assert.equal((err as Error).name, 'AbortError');
    }
    // the drop happened mid-run: without it the first stream would hold everything, and
    // the checks below would pass on an empty resumption
    assert.ok(ac.signal.aborted, 'the first stream was dropped');
    assert.ok(!first.some((e) => e.type === 'result'), 'before the result');
    const last = first.at(-1)?.id ?? '';
    const rest: ReceivedEvent[] = [];
    for await (const e of t.s.client().events(id, { lastEventId: last })) rest.push(e);
    assert.ok(
      rest.some((e) => e.type === 'stdout'),
      'the resumed stream carries output',
    );
    assert.ok(
      rest.every((e) => compareIds(e.id, last) > 0),
      'nothing seen twice',
    );
    const all = [...first, ...rest];
    assert.equal(
      all
        .filter((e) => e.type === 'stdout')
        .map((e) => (e.data as { data: string }).data)
        .join(''),
      'n 1\nn 2\nn 3\nn 4\nn 5\n',
    );
    assert.equal(all.at(-1)?.type, 'result');
  });

  it('a Last-Event-ID past 64 bits streams from the start, and fails no other follower', async () => {
    const { id } = await t.s.client().create(SH('sleep 0.5; echo done'));
    // a follower beside it, reading on the same shared connection
    const beside = (async () => {
      const types: string[] = [];
      for await (const e of t.s.client().events(id)) types.push(e.type);
      return types;
    })();
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(`${t.s.url}/v1/jobs/${id}/events`, {
      headers: { 'Last-Event-ID': '99999999999999999999-0' },
    });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /event: status\ndata: \{"status":"queued"/, 'from the start');
    assert.match(body, /event: result\n/);
    assert.equal((await beside).at(-1), 'result');
  });

  it('twenty clients following jobs at once hold one Redis connection of the API, not one each', async () => {
    const apiClients = async () =>
      String(await t.s.redis.client('LIST'))
        .split('\n')
        .filter((l) => / name=codebox-api /.test(` ${l} `)).length;
    const before = await apiClients();
    // queued behind each other on the worker's slots: every stream stays open a while
    const jobs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.s.client().create(SH(`sleep 0.3; echo "job ${i}"`))),
    );
    const ac = new AbortController();
    const outs = jobs.map(async ({ id }) => {
      let out = '';
      for await (const e of t.s.client().events(id, { signal: ac.signal }))
        if (e.type === 'stdout') out += (e.data as { data: string }).data;
      return out;
    });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const during = await apiClients();
      assert.ok(during <= before + 1, `${during - before} more API connections to Redis while 20 streams were open`);
      assert.deepEqual(
        await Promise.all(outs),
        jobs.map((_, i) => `job ${i}\n`),
      );
    } finally {
      ac.abort();
      await Promise.allSettled(outs);
    }
  });

  it('cancels a running job: its box is killed and the job ends cancelled', async () => {
    const { id } = await t.s.client().create(SH('echo started; sleep 30'));
    await until(async () => (await t.s.client().get(id)).status === 'running');
    const t0 = Date.now();
    const job = await t.s.client().cancel(id);
    assert.equal(job.status, 'cancelled');
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(job.result?.signal, 'SIGKILL');
    assert.ok((job.result?.wallMs ?? 1e9) < 10_000);
    await assert.rejects(t.s.client().cancel(id), (e: CodeboxError) => e.status === 409 && e.code === 'JOB_FINISHED');
  });

  it('answers /healthz, /readyz, /openapi.json and /docs', async () => {
    assert.equal((await fetch(`${t.s.url}/healthz`)).status, 200);
    const ready = await fetch(`${t.s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { workers: number }).workers, 1);
    const doc = (await (await fetch(`${t.s.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, object>;
      components: { schemas: object };
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const p of [
      '/v1/jobs',
      '/v1/jobs/{id}',
      '/v1/jobs/{id}/events',
      '/v1/runtimes',
      '/v1/problems',
      '/v1/problems/{id}',
      '/healthz',
      '/readyz',
      '/metrics',
      '/v1/sessions',
      '/v1/sessions/{id}/commands',
      '/v1/sessions/{id}/files/{path}',
      '/v1/sessions/{id}/pty',
      '/v1/sessions/{id}/contexts',
      '/v1/sessions/{id}/contexts/{cid}/run',
    ])
      assert.ok(doc.paths[p], p);
    assert.deepEqual(Object.keys(doc.components.schemas).sort(), [
      'CellEvent',
      'CellRun',
      'CommandExit',
      'CommandRequest',
      'CommandResult',
      'Context',
      'Error',
      'FileEntry',
      'GroupResult',
      'Job',
      'JobRequest',
      'Judge',
      'Problem',
      'ProblemRequest',
      'Process',
      'Result',
      'Runtime',
      'Session',
      'SessionRequest',
      'TestResult',
    ]);
    // the page for people renders the document in the browser (test/web shows it rendered)
    const docs = await fetch(`${t.s.url}/docs`);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await docs.text(), /"url": "\/openapi\.json"/);
    const rt = await t.s.client().runtimes();
    assert.ok(rt.runtimes.some((r) => r.id === 'python'));
    assert.equal(rt.limits?.maxima.cpuMs, 60_000);
  });

  it('metrics are present and move after runs', async () => {
    const scrape = async () => await (await fetch(`${t.s.url}/metrics`)).text();
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const before = await scrape();
    await t.s.client().run(PY('print(1)'));
    const after = await scrape();
    const jobs = /codebox_jobs_total\{language="python",status="completed",verdict="OK"\} (\d+)/;
    assert.equal(count(after, jobs), count(before, jobs) + 1);
    const setups = /codebox_box_setup_seconds_count\{prestarted="(?:true|false)"\} (\d+)/g;
    const sum = (t: string) => [...t.matchAll(setups)].reduce((n, m) => n + Number(m[1]), 0);
    assert.ok(sum(after) > sum(before));
    assert.ok(
      count(after, /codebox_run_duration_seconds_count\{language="python"\} (\d+)/) >
        count(before, /codebox_run_duration_seconds_count\{language="python"\} (\d+)/),
    );
    assert.ok(
      count(after, /codebox_queue_wait_seconds_count (\d+)/) > count(before, /codebox_queue_wait_seconds_count (\d+)/),
    );
    assert.match(
      after,
      /codebox_http_request_duration_seconds_count\{route="\/v1\/jobs",method="POST",status="200"\} \d+/,
    );
    assert.match(after, /codebox_queue_jobs\{state="waiting"\} \d+/);
    assert.match(after, /codebox_worker_slots\{state="total"\} 2/);
  });

  it('a box cannot reach Redis: not its unix socket, not its TCP port on the host loopback', async () => {
    // a Redis as open as it gets: a world-traversable directory outside /tmp, a socket
    // anyone may connect to, a TCP port on 127.0.0.1 with no password
    const open = await startRedis({ dirRoot: '/var/tmp', socketPerm: '777', tcpPort: 0 });
    try {
      const probe = (code: string, network = false) => t.s.client().run({ ...PY(code), network });
      const unix = await probe(`
import socket
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(${JSON.stringify(open.socket)}); s.sendall(b"PING\\r\\n"); print("REACHED", s.recv(10))
except OSError as e:
    print("refused", e.errno)
`);
      assert.equal(unix.result?.stdout, 'refused 2\n', 'ENOENT: the path does not exist in the box');
      const tcp = await probe(
        `
import socket
try:
    s = socket.create_connection(("127.0.0.1", ${open.port}), timeout=2); s.sendall(b"PING\\r\\n"); print("REACHED", s.recv(10))
except OSError as e:
    print("refused", e.errno)
`,
        true,
      );
      assert.equal(tcp.result?.stdout, 'refused 111\n', "ECONNREFUSED: the box's loopback is its own");
      // and the same Redis answers from the host, so the refusals are the box's doing
      const { execFileSync } = await import('node:child_process');
      assert.equal(execFileSync('redis-cli', ['-s', open.socket, 'ping'], { encoding: 'utf8' }).trim(), 'PONG');
      assert.equal(execFileSync('redis-cli', ['-p', String(open.port), 'ping'], { encoding: 'utf8' }).trim(), 'PONG');
    } finally {
      await open.destroy();
    }
  });
});

describe('bad input: a clear error naming the field, and nothing lost', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { bodyLimitBytes: 4096 } });

  const cases: [string, string, Record<string, string> | undefined, number, string, Record<string, unknown>?][] = [
    ['bad JSON', '{"language": "python",', undefined, 400, 'BAD_JSON', { field: 'body' }],
    [
      'not JSON',
      'language=python',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'unknown language',
      JSON.stringify({ language: 'cobol', files: [{ content: 'x' }] }),
      undefined,
      400,
      'UNKNOWN_LANGUAGE',
      { field: 'language' },
    ],
    [
      'unknown version',
      JSON.stringify({ language: 'python', version: '2.7', files: [{ content: 'x' }] }),
      undefined,
      400,
      'UNKNOWN_VERSION',
      { field: 'version' },
    ],
    [
      'a limit over the maximum',
      JSON.stringify({ ...PY('x'), limits: { memoryBytes: 2 ** 40 } }),
      undefined,
      400,
      'LIMIT_TOO_HIGH',
      { field: 'limits.memoryBytes', maximum: 4294967296 },
    ],
    [
      'a compile limit over the maximum',
      JSON.stringify({ language: 'c', files: [{ content: 'x' }], compileLimits: { cpuMs: 10 ** 7 } }),
      undefined,
      400,
      'LIMIT_TOO_HIGH',
      { field: 'compileLimits.cpuMs', maximum: 60000 },
    ],
    [
      'a bad encoding',
      JSON.stringify({ language: 'python', files: [{ content: 'x', encoding: 'hex' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[0].encoding' },
    ],
    [
      'bad base64',
      JSON.stringify({ language: 'python', files: [{ content: 'not base64!', encoding: 'base64' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[0].content' },
    ],
    [
      'no files',
      JSON.stringify({ language: 'python', files: [] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files' },
    ],
    [
      'a missing field',
      JSON.stringify({ files: [{ content: 'x' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'language' },
    ],
    [
      'an unknown field',
      JSON.stringify({ ...PY('x'), priority: 9 }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'priority' },
    ],
    [
      'a limit of the wrong type',
      JSON.stringify({ ...PY('x'), limits: { cpuMs: '1s' } }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'limits.cpuMs' },
    ],
    [
      'a path that climbs out',
      JSON.stringify({ language: 'python', files: [{ content: 'x' }, { name: '../../etc/x', content: 'y' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[1].name' },
    ],
    [
      'stdin that is not the base64 it says it is',
      JSON.stringify({ ...PY('x'), stdin: 'not base64!', stdinEncoding: 'base64' }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'stdin' },
    ],
    // the box would have to make `a` a file and a directory both
    [
      'a file inside another file',
      JSON.stringify({
        language: 'python',
        files: [{ content: 'x' }, { name: 'a', content: '1' }, { name: 'a/b', content: '2' }],
      }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[2].name' },
    ],
    [
      'a file inside the entry, as the entry is placed',
      JSON.stringify({ language: 'python', files: [{ content: 'x' }, { name: 'main.py/x', content: '1' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[1].name' },
    ],
    [
      'a file that another is inside, given second',
      JSON.stringify({
        language: 'python',
        files: [{ content: 'x' }, { name: 'd/e/f', content: '1' }, { name: 'd/e', content: '2' }],
      }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[2].name' },
    ],
    // gcc would read options from o.c for @o.c (and -wrapper runs any command)
    [
      'a file name a compiler reads as options',
      JSON.stringify({ language: 'c', files: [{ content: 'x' }, { name: '@o.c', content: 'y' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[1].name' },
    ],
    [
      'a file name a tool reads as an option',
      JSON.stringify({ language: 'c', files: [{ content: 'x' }, { name: 'lib/-o.c', content: 'y' }] }),
      undefined,
      400,
      'INVALID_REQUEST',
      { field: 'files[1].name' },
    ],
    [
      'an artifact cap over the maximum',
      JSON.stringify({ language: 'c', files: [{ content: 'x' }], compileLimits: { artifactBytes: 2 ** 40 } }),
      undefined,
      400,
      'LIMIT_TOO_HIGH',
      { field: 'compileLimits.artifactBytes', maximum: 268435456 },
    ],
    ['over the body limit', JSON.stringify(PY('#'.repeat(8000))), undefined, 413, 'BODY_TOO_LARGE'],
  ];
  for (const [name, body, headers, status, code, details] of cases) {
    it(name, async () => {
      const r = await post(`${t.s.url}/v1/jobs`, body, headers);
      assert.equal(r.status, status, r.text);
      assert.equal(r.json.error?.code, code);
      assert.equal(typeof r.json.error?.message, 'string');
      for (const [k, v] of Object.entries(details ?? {}))
        assert.deepEqual(r.json.error?.details?.[k], v, `details.${k}`);
    });
  }

  it("a compile step's files are capped by compileLimits.artifactBytes: over it, COMPILE_ERROR and nothing runs", async () => {
    const runtimes = (await (await fetch(`${t.s.url}/v1/runtimes`)).json()) as {
      compileLimits: { defaults: { artifactBytes: number }; maxima: { artifactBytes: number } };
    };
    assert.deepEqual(
      [runtimes.compileLimits.defaults.artifactBytes, runtimes.compileLimits.maxima.artifactBytes],
      [64 << 20, 256 << 20],
    );
    const res = await fetch(`${t.s.url}/v1/jobs?wait=true`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        language: 'c',
        files: [{ content: 'int main(void) { return 0; }' }],
        compileLimits: { artifactBytes: 1000 },
      }),
    });
    const job = (await res.json()) as JobView;
    assert.equal(job.result?.status, 'COMPILE_ERROR', JSON.stringify(job));
    assert.equal(job.result?.compile?.status, 'OUTPUT_LIMIT');
  });

  it('the unknown-language error lists the known ones', async () => {
    const r = await post(`${t.s.url}/v1/jobs`, JSON.stringify({ language: 'cobol', files: [{ content: 'x' }] }));
    assert.ok((r.json.error?.details?.known as string[]).includes('python'));
  });

  it('unknown jobs and routes are 404 in the same shape', async () => {
    for (const path of [
      '/v1/jobs/00000000-0000-0000-0000-000000000000',
      '/v1/jobs/not-an-id',
      '/v1/jobs/00000000-0000-0000-0000-000000000000/events',
      '/v1/nothing',
    ]) {
      const res = await fetch(`${t.s.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.match(((await res.json()) as { error: { code: string } }).error.code, /NOT_FOUND/);
    }
  });

  it('after all that, the service still runs jobs', async () => {
    assert.equal((await t.s.client().run(PY('print("still here")'))).result?.stdout, 'still here\n');
  });
});

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

/**
 * codebox on Redis Cluster: three masters on loopback ports, and the real stack (API,
 * worker, boxes) on a redis+cluster:// URL with a hash-tagged prefix. A run, an async job,
 * the event stream, cancelling a running job (its message crosses the cluster), judge
 * mode; every key in one slot of one of the three masters; and a prefix without a hash
 * tag refused at start.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { ReceivedEvent } from '@codebox/client';
import { connect, Keys } from '@codebox/jobs';
import { exited, spawnRole } from './processes.js';
import { redisCli, serviceSkip, startCluster, startStack, until } from './stack.js';
import type { Stack, TestCluster } from './stack.js';

const SH = (code: string) => ({ language: 'bash', files: [{ content: code }] });

function clusterSkip(): string | false {
  const service = serviceSkip();
  if (service) return service;
  if (process.env.CODEBOX_REQUIRE_SERVICE === '1') return false;
  if (spawnSync('sh', ['-c', 'command -v redis-cli'], { stdio: 'ignore' }).status !== 0)
    return 'needs redis-cli (apt-get install redis-tools)';
  return false;
}

describe('Redis Cluster', { skip: clusterSkip() }, () => {
  const prefix = `{cbtest-${process.pid}}`;
  let cluster: TestCluster;
  let s: Stack;
  before(async () => {
    cluster = await startCluster(3);
    s = await startStack(cluster.url, { prefix });
  });
  after(async () => {
    await s?.stop();
    await cluster?.destroy();
  });

  it('runs a program and answers at once (?wait=true)', async () => {
    const job = await s.client().run(SH('echo "on a cluster"; echo to stderr >&2'));
    assert.equal(job.status, 'completed');
    assert.equal(job.result?.stdout, 'on a cluster\n');
    assert.equal(job.result?.stderr, 'to stderr\n');
  });

  it('an async job: created, fetched later', async () => {
    const c = s.client();
    const { id, status } = await c.create(SH('sleep 0.5; echo later'));
    assert.equal(status, 'queued');
    await until(async () => (await c.get(id)).status === 'completed', 20_000);
    assert.equal((await c.get(id)).result?.stdout, 'later\n');
  });

  it("streams a job's events in order (SSE), to its result", async () => {
    const { id } = await s.client().create(SH('for i in 1 2 3; do echo "n $i"; sleep 0.1; done'));
    const events: ReceivedEvent[] = [];
    for await (const e of s.client().events(id)) events.push(e);
    const statuses = events.filter((e) => e.type === 'status').map((e) => (e.data as { status: string }).status);
    assert.deepEqual(statuses, ['queued', 'running', 'completed']);
    assert.equal(
      events
        .filter((e) => e.type === 'stdout')
        .map((e) => (e.data as { data: string }).data)
        .join(''),
      'n 1\nn 2\nn 3\n',
    );
    assert.equal(events.at(-1)?.type, 'result');
  });

  it('cancels a running job: the cancel message reaches subscribers across the cluster', async () => {
    const listener = connect(cluster.url, 'codebox-test-listener');
    try {
      const heard: string[] = [];
      listener.on('message', (_channel: string, id: string) => heard.push(id));
      await listener.subscribe(new Keys(prefix).cancelChannel());
      const c = s.client();
      const { id } = await c.create(SH('echo started; sleep 30'));
      await until(async () => (await c.get(id)).status === 'running');
      const t0 = Date.now();
      const job = await c.cancel(id);
      assert.equal(job.status, 'cancelled');
      assert.ok(Date.now() - t0 < 5_000);
      assert.equal(job.result?.signal, 'SIGKILL');
      await until(async () => heard.includes(id), 5_000);
    } finally {
      listener.disconnect();
    }
  });

  it('judge mode: tests run and stream their verdicts', async () => {
    const { id } = await s.client().create({
      language: 'bash',
      files: [{ content: 'read a b; echo $((a + b))' }],
      tests: [
        { name: 'small', stdin: '1 2\n', expectedOutput: '3\n' },
        { name: 'wrong', stdin: '2 2\n', expectedOutput: '5\n' },
      ],
    });
    const events: ReceivedEvent[] = [];
    for await (const e of s.client().events(id)) events.push(e);
    assert.deepEqual(
      events.filter((e) => e.type === 'test').map((e) => (e.data as { verdict: string }).verdict),
      ['ACCEPTED', 'WRONG_ANSWER'],
    );
    const job = await s.client().get(id);
    assert.equal(job.judge?.verdict, 'WRONG_ANSWER');
    assert.deepEqual([job.judge?.passed, job.judge?.total], [1, 2]);
  });

  it('three masters share the slots; every codebox and BullMQ key is in one slot, on one of them', async () => {
    const info = await redisCli(cluster.ports[0]!, 'cluster', 'info');
    assert.match(info, /cluster_size:3\b/);
    assert.match(info, /cluster_slots_assigned:16384\b/);
    const masters = (await redisCli(cluster.ports[0]!, 'cluster', 'nodes'))
      .split('\n')
      .filter((l) => / (myself,)?master /.test(l));
    assert.equal(masters.length, 3);
    for (const m of masters) assert.match(m, / connected \d+-\d+/, 'each master serves slots');

    const byNode = await Promise.all(
      cluster.ports.map(async (port) =>
        (await redisCli(port, '--scan', '--pattern', `${prefix}:*`)).split('\n').filter(Boolean),
      ),
    );
    const holders = byNode.flatMap((keys, i) => (keys.length > 0 ? [cluster.ports[i]!] : []));
    assert.equal(holders.length, 1, `keys on one node only, found on ${holders.join(', ')}`);
    const keys = byNode.flat();
    // the job records, their event streams, the worker records and BullMQ's queue
    for (const part of [':job:{', ':events', ':workers', ':jobs:'])
      assert.ok(
        keys.some((k) => k.includes(part)),
        `a ${part} key among ${keys.length}`,
      );
    const slots = new Set(await Promise.all(keys.map((k) => redisCli(holders[0]!, 'cluster', 'keyslot', k))));
    const slot = Number(await redisCli(holders[0]!, 'cluster', 'keyslot', prefix));
    assert.deepEqual([...slots].map(Number), [slot]);
    // and that slot is the holder's own, among the ranges it serves
    const myself =
      (await redisCli(holders[0]!, 'cluster', 'nodes')).split('\n').find((l) => l.includes('myself')) ?? '';
    const ranges = [...myself.matchAll(/ (\d+)-(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    assert.ok(
      ranges.some(([lo, hi]) => lo <= slot && slot <= hi),
      `slot ${slot} in ${myself}`,
    );
  });

  it('a prefix without a hash tag, or a malformed cluster URL, is refused at start in one line', async () => {
    const run = async (role: 'api' | 'worker', env: Record<string, string>): Promise<[number | null, string]> => {
      const child = spawnRole(role, env);
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      return [await exited(child), err];
    };
    const [worker, api, malformed] = await Promise.all([
      run('worker', { REDIS_URL: cluster.url }),
      run('api', { REDIS_URL: cluster.url, CODEBOX_REDIS_PREFIX: `cbtest-${process.pid}` }),
      run('api', { REDIS_URL: `${cluster.url}/0`, CODEBOX_REDIS_PREFIX: prefix }),
    ]);
    assert.deepEqual(worker, [
      2,
      'codebox-worker: CODEBOX_REDIS_PREFIX="codebox": on Redis Cluster the prefix must contain a hash tag, e.g. {codebox}, so that all of codebox\'s and BullMQ\'s keys are in one slot\n',
    ]);
    assert.equal(api[0], 2);
    assert.match(
      api[1],
      new RegExp(
        `^codebox-api: CODEBOX_REDIS_PREFIX="cbtest-${process.pid}": on Redis Cluster the prefix must contain a hash tag, e\\.g\\. \\{cbtest-${process.pid}\\}, [^\\n]*\\n$`,
      ),
    );
    assert.deepEqual(malformed, [
      2,
      `codebox-api: REDIS_URL="${cluster.url}/0": a cluster has one database: the URL takes no /db path\n`,
    ]);
  });
});

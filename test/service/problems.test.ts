/**
 * Problems stored once and judged by many jobs, end to end: a real stack (Redis, a worker
 * making real boxes, the API over HTTP), API keys on. JSON problems and their versions,
 * jobs that name them, a second job that moves no test data, keys that never see each
 * other's problems, deletes, the limits, every bad input a 4xx naming its field; and a
 * Polygon package and a Kattis problem directory uploaded as they are, their reference
 * solutions accepted and a known-wrong one rejected on the right test.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CodeboxError } from '@codebox/client';
import type { JobView, ProblemRequest } from '@codebox/client';
import { packageFile, packageZip } from '../judge/packages.js';
import { post, serviceSkip, useStack } from './stack.js';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-cache-'));
fs.chmodSync(cacheDir, 0o711);
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const SQUARE_PY = 'n = int(input())\nprint(n * n)\n';
const squares = (n: number, name = `n${n}`) => ({ name, stdin: `${n}\n`, expectedOutput: `${n * n}\n` });

describe('problems', { skip: serviceSkip() }, () => {
  const t = useStack({
    api: { apiKeys: ['key-a', 'key-b'], problemMaxBytes: 8 << 20, bodyLimitBytes: 32 << 20 },
    worker: { cacheDir: path.join(cacheDir, 'blobs') },
  });
  const a = () => t.s.client('key-a');
  const b = () => t.s.client('key-b');
  const fails = async (p: Promise<unknown>, status: number, code: string, field?: string) => {
    const err = await p.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof CodeboxError, String(err));
    assert.deepEqual([err.status, err.code], [status, code], err.message);
    if (field !== undefined) assert.equal((err.details as { field?: string })?.field, field, err.message);
  };

  const problem: ProblemRequest = {
    id: 'squares',
    name: 'Squares',
    limits: { cpuMs: 2000 },
    tests: [squares(1), squares(2), squares(3), squares(40)],
    groups: [
      { id: 'easy', points: 40, scoring: 'all', tests: ['n1', 'n2'] },
      { id: 'hard', points: 60, scoring: 'sum', dependsOn: ['easy'], tests: [2, 'n40'] },
    ],
  };

  it('POST stores a problem: 201 with its id and version; a second POST of the id is its version 2', async () => {
    const v1 = await a().createProblem({
      ...problem,
      tests: problem.tests.map((x, i) => (i >= 2 ? { ...x, points: 30 } : x)),
    });
    assert.deepEqual([v1.id, v1.version, v1.versions, v1.format, v1.name], ['squares', 1, [1], 'json', 'Squares']);
    assert.deepEqual(
      v1.tests.map((x) => [x.name, x.stdinBytes, x.expectedOutputBytes]),
      [
        ['n1', 2, 2],
        ['n2', 2, 2],
        ['n3', 2, 2],
        ['n40', 3, 5],
      ],
    );
    const v2 = await a().createProblem({ ...problem, tests: [...problem.tests.slice(0, 3), squares(50, 'n40')] });
    assert.deepEqual([v2.version, v2.versions], [2, [1, 2]]);
    assert.equal((await a().problem('squares')).version, 2);
    assert.equal((await a().problem('squares@1')).tests[3]?.expectedOutputBytes, 5);
    assert.deepEqual(
      (await a().problems()).map((p) => [p.id, p.version]),
      [['squares', 2]],
    );
    const anonymous = await a().createProblem({ tests: [squares(5)] });
    assert.match(anonymous.id, /^p-[0-9a-f]{12}$/, 'no id: a new one');
  });

  it('a job names the problem: "id" its latest version, "id@N" that one; groups scored, the version said', async () => {
    const latest = await a().run({ language: 'python', files: [{ content: SQUARE_PY }], problem: 'squares' });
    assert.equal(latest.status, 'completed', JSON.stringify(latest.error));
    assert.deepEqual(latest.judge?.problem, { id: 'squares', version: 2 });
    assert.deepEqual([latest.judge?.verdict, latest.judge?.score, latest.judge?.maxScore], ['ACCEPTED', 100, 100]);
    const first = await a().run({ language: 'python', files: [{ content: SQUARE_PY }], problem: 'squares@1' });
    assert.deepEqual(first.judge?.problem, { id: 'squares', version: 1 });
    assert.deepEqual(
      first.judge?.groups?.map((g) => [g.id, g.score, g.points]),
      [
        ['easy', 40, 40],
        ['hard', 60, 60],
      ],
    );
    assert.deepEqual(
      first.judge?.tests.map((x) => [x.name, x.group, x.points]),
      [
        ['n1', 'easy', 20],
        ['n2', 'easy', 20],
        ['n3', 'hard', 30],
        ['n40', 'hard', 30],
      ],
    );
    const wrong = await a().run({
      language: 'python',
      files: [{ content: 'n = int(input())\nprint(n * n if n != 2 else 5)\n' }],
      problem: 'squares',
    });
    assert.deepEqual(
      [wrong.judge?.verdict, wrong.judge?.score, wrong.judge?.skipped],
      ['WRONG_ANSWER', 0, 2],
      'easy fails at n2; hard depends on it',
    );
    assert.equal(wrong.judge?.groups?.[1]?.blockedBy, 'easy');
    const limited = await a().run({
      language: 'python',
      files: [{ content: 'import time\ntime.sleep(5)' }],
      problem: 'squares',
      limits: { wallMs: 300 },
    });
    assert.equal(limited.judge?.tests[0]?.verdict, 'WALL_TIME_LIMIT', "the job's limits over the problem's");
  });

  it('a second job on a problem moves no test data out of Redis: the worker has it', async () => {
    // 3 MB of input, summed
    const numbers = Array.from({ length: 400_000 }, (_, i) => String(i % 997));
    const total = numbers.reduce((s, x) => s + Number(x), 0);
    await a().createProblem({
      id: 'bigsum',
      tests: [{ name: 'big', stdin: `${numbers.join(' ')}\n`, expectedOutput: `${total}\n` }],
    });
    const job = {
      language: 'python',
      files: [{ content: 'import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))\n' }],
      problem: 'bigsum',
    };
    const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await t.s.redis.info('stats'))?.[1]);
    const before = await sent();
    const first = await a().run(job);
    assert.equal(first.judge?.verdict, 'ACCEPTED', JSON.stringify(first.judge?.tests[0]));
    const between = await sent();
    const second = await a().run(job);
    assert.equal(second.judge?.verdict, 'ACCEPTED');
    const after = await sent();
    assert.ok(between - before > 1_400_000, `the first job fetched the data (${between - before} bytes)`);
    assert.ok(after - between < 300_000, `the second moved no test data (${after - between} bytes from Redis)`);
  });

  it("a key sees its own problems only: another's is a 404 to read, delete, list or judge", async () => {
    await fails(b().problem('squares'), 404, 'NOT_FOUND');
    await fails(b().deleteProblem('squares'), 404, 'NOT_FOUND');
    assert.deepEqual(await b().problems(), []);
    await fails(
      b().run({ language: 'python', files: [{ content: SQUARE_PY }], problem: 'squares' }),
      404,
      'NOT_FOUND',
      'problem',
    );
    const own = await b().createProblem({ id: 'squares', tests: [squares(7)] });
    assert.equal(own.version, 1, "b's squares is b's own");
    assert.equal((await a().problem('squares')).version, 2);
    const noKey = await post(`${t.s.url}/v1/problems`, JSON.stringify({ tests: [squares(1)] }));
    assert.equal(noKey.status, 401);
  });

  it('DELETE id@N removes a version, DELETE id the rest; jobs then cannot name it', async () => {
    assert.deepEqual(await a().deleteProblem('squares@1'), [1]);
    await fails(a().problem('squares@1'), 404, 'NOT_FOUND');
    assert.equal((await a().problem('squares')).version, 2);
    assert.deepEqual(await a().deleteProblem('squares'), [2]);
    await fails(a().problem('squares'), 404, 'NOT_FOUND');
    await fails(a().run({ language: 'python', files: [{ content: SQUARE_PY }], problem: 'squares' }), 404, 'NOT_FOUND');
    assert.equal((await b().problem('squares')).version, 1, "b's is still there");
  });

  it('bad input: a 4xx naming the field', async () => {
    const bad = (body: unknown, field: string, status = 400, code = 'INVALID_REQUEST') =>
      fails(a().createProblem(body as ProblemRequest), status, code, field);
    await bad({}, 'tests');
    await bad({ tests: [{ stdin: '1' }] }, 'tests[0].expectedOutput');
    await bad({ id: '../x', tests: [squares(1)] }, 'id');
    await bad({ tests: [squares(1), squares(1)] }, 'tests[1].name');
    await bad({ tests: [squares(1)], groups: [{ id: 'g', scoring: 'sum', tests: ['nope'] }] }, 'groups[0].tests[0]');
    await bad({ tests: [squares(1), squares(2)], groups: [{ id: 'g', scoring: 'all', tests: [0] }] }, 'tests[1]');
    await bad({ tests: [squares(1)], groups: [{ id: 'g', scoring: 'most', tests: [0] }] }, 'groups[0].scoring');
    await bad(
      { tests: [squares(1)], checker: { type: 'program', language: 'cobol', files: [{ content: '' }] } },
      'checker.language',
      400,
      'UNKNOWN_LANGUAGE',
    );
    await bad({ tests: [squares(1)], limits: { cpuMs: 10 ** 8 } }, 'limits.cpuMs', 400, 'LIMIT_TOO_HIGH');
    await bad({ tests: [{ expectedOutput: '%%%', encoding: 'base64' }] }, 'tests[0].expectedOutput');
    const job = (body: object, field: string, status = 400, code = 'INVALID_REQUEST') =>
      fails(a().run({ language: 'python', files: [{ content: SQUARE_PY }], ...body }), status, code, field);
    await job({ problem: 'bigsum', tests: [squares(1)] }, 'tests');
    await job({ problem: 'bigsum', stdin: '1' }, 'stdin');
    await job({ problem: 'not a ref!' }, 'problem');
    await job({ problem: 'nosuch' }, 'problem', 404, 'NOT_FOUND');
    await job({ tests: [squares(1)], groups: [{ id: 'g', scoring: 'sum', tests: [3] }] }, 'groups[0].tests[0]');
    await job({ groups: [{ id: 'g', scoring: 'sum', tests: [0] }] }, 'groups');
    const text = await post(`${t.s.url}/v1/problems`, 'hello', {
      'Content-Type': 'text/plain',
      Authorization: 'Bearer key-a',
    });
    assert.deepEqual([text.status, text.json.error?.code], [415, 'UNSUPPORTED_MEDIA_TYPE']);
    await fails(a().createProblem(Buffer.from('not a zip at all')), 400, 'INVALID_REQUEST', 'archive');
  });

  it('over CODEBOX_PROBLEM_MAX_BYTES: 413, nothing stored, not even the chunks it sent before the cap', async () => {
    await fails(a().createProblem(Buffer.alloc(9 << 20, 1)), 413, 'PROBLEM_TOO_LARGE');
    const big = 'x'.repeat(3 << 20);
    const chunks = async () => (await t.s.redis.keys(`${t.s.prefix}:blob:*`)).sort();
    const before = await chunks();
    await fails(
      a().createProblem({
        id: 'toobig',
        tests: [1, 2, 3].map((i) => ({ name: String(i), stdin: `${i}${big}`, expectedOutput: '' })),
      }),
      413,
      'PROBLEM_TOO_LARGE',
    );
    // the first two files' 6 MiB were written before the third passed the cap: they once waited an hour
    assert.deepEqual(await chunks(), before, 'the refused upload left no chunk');
    await fails(a().problem('toobig'), 404, 'NOT_FOUND');
    const same = await a().createProblem({
      id: 'same',
      tests: [1, 2, 3].map((i) => ({ name: String(i), stdin: big, expectedOutput: '' })),
    });
    assert.equal(same.bytes, (3 << 20) + 0, 'a file stored three times counts once');
  });

  describe('packages', () => {
    const judgeWith = async (problem: string, language: string, content: string): Promise<JobView> => {
      const job = await a().run({ language, files: [{ content }], problem });
      assert.equal(job.status, 'completed', JSON.stringify(job.error));
      return job;
    };

    it('a Polygon package: its main and accepted solutions score 100, the 32-bit one fails the large subtask', async () => {
      const stored = await a().createProblem(packageZip('polygon-sum', 'root'), { id: 'sum-subtasks' });
      assert.deepEqual(
        [stored.format, stored.name, stored.limits],
        ['polygon', 'Sum in Subtasks', { cpuMs: 1000, wallMs: 2100, memoryBytes: 268435456 }],
      );
      assert.deepEqual(
        stored.groups?.map((g) => [g.id, g.scoring, g.points ?? null, g.dependsOn ?? []]),
        [
          ['samples', 'all', 0, []],
          ['small', 'all', 40, ['samples']],
          ['large', 'sum', null, ['small']],
        ],
      );
      assert.deepEqual(stored.checker, {
        type: 'program',
        language: 'cpp',
        protocol: 'testlib',
        files: ['check.cpp', 'sum.h'],
        points: 'absolute',
      });
      for (const [language, file] of [
        ['cpp', 'solutions/sum.cpp'],
        ['python', 'solutions/sum.py'],
      ] as const) {
        const job = await judgeWith('sum-subtasks', language, packageFile('polygon-sum', file));
        assert.deepEqual([job.judge?.verdict, job.judge?.score, job.judge?.maxScore], ['ACCEPTED', 100, 100], file);
      }
      const wrong = await judgeWith('sum-subtasks', 'cpp', packageFile('polygon-sum', 'solutions/int32.cpp'));
      assert.equal(wrong.judge?.verdict, 'WRONG_ANSWER');
      assert.deepEqual(
        wrong.judge?.tests.filter((x) => x.verdict !== 'ACCEPTED').map((x) => [x.name, x.group, x.checker]),
        [
          ['4', 'large', 'wrong answer expected 4000000000, found -294967296'],
          ['5', 'large', 'wrong answer expected -3000000000, found 1294967296'],
        ],
      );
      assert.equal(wrong.judge?.score, 40);
    });

    it('a Kattis problem directory: both accepted submissions score 100; wrong_answer fails secret/group1/2, time_limit_exceeded group 2', async () => {
      const stored = await a().createProblem(packageZip('twosum', 'directory'), { id: 'twosum' });
      assert.deepEqual(
        [stored.format, stored.name, stored.limits],
        ['kattis', 'Two Sum', { cpuMs: 1000, wallMs: 2100, memoryBytes: 268435456 }],
      );
      assert.deepEqual(
        stored.groups?.map((g) => [g.id, g.scoring, g.tests]),
        [
          ['sample', 'all', ['sample/1']],
          ['secret/group1', 'all', ['secret/group1/1', 'secret/group1/2', 'secret/group1/3']],
          ['secret/group2', 'all', ['secret/group2/1', 'secret/group2/2']],
        ],
      );
      for (const [language, file] of [
        ['python', 'submissions/accepted/hash.py'],
        ['cpp', 'submissions/accepted/sorted.cpp'],
      ] as const) {
        const job = await judgeWith('twosum', language, packageFile('twosum', file));
        assert.deepEqual([job.judge?.verdict, job.judge?.score, job.judge?.maxScore], ['ACCEPTED', 100, 100], file);
      }
      const wrong = await judgeWith('twosum', 'python', packageFile('twosum', 'submissions/wrong_answer/adjacent.py'));
      const failed = wrong.judge?.tests.find((x) => x.verdict !== 'ACCEPTED');
      assert.deepEqual(
        [failed?.name, failed?.verdict, failed?.checker],
        ['secret/group1/2', 'WRONG_ANSWER', 'expected two indices, got impossible'],
      );
      assert.equal(wrong.judge?.score, 0);
      const slow = await judgeWith(
        'twosum',
        'python',
        packageFile('twosum', 'submissions/time_limit_exceeded/quadratic.py'),
      );
      assert.deepEqual(
        [slow.judge?.verdict, slow.judge?.score, slow.judge?.tests.find((x) => x.verdict !== 'ACCEPTED')?.name],
        ['TIME_LIMIT', 30, 'secret/group2/1'],
      );
    });
  });
});

describe("problems: a key's quota", { skip: serviceSkip() }, () => {
  const t = useStack({ api: { apiKeys: ['key-a', 'key-b'], problemKeyBytes: 1 << 20 } });
  const a = () => t.s.client('key-a');
  const b = () => t.s.client('key-b');
  const sized = (id: string, fill: string) => ({
    id,
    tests: [{ name: '1', stdin: fill.repeat(600 << 10), expectedOutput: '' }],
  });

  it("CODEBOX_PROBLEM_KEY_BYTES holds a key's stored problems, every version in full; a delete gives it back", async () => {
    const chunks = async () => (await t.s.redis.keys(`${t.s.prefix}:blob:*`)).sort();
    await a().createProblem(sized('one', 'a'));
    const before = await chunks();
    const over = await a()
      .createProblem(sized('two', 'b'))
      .then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
    assert.ok(over instanceof CodeboxError);
    assert.deepEqual([over.status, over.code], [413, 'PROBLEM_QUOTA'], over.message);
    assert.equal((over.details as { maximum?: number }).maximum, 1 << 20);
    assert.deepEqual(await chunks(), before, 'the refused upload left no chunk');
    // the same data again, as a second version: counted again
    await assert.rejects(a().createProblem(sized('one', 'a')), (e: CodeboxError) => e.code === 'PROBLEM_QUOTA');
    // another key has its own
    await b().createProblem(sized('two', 'b'));
    await a().deleteProblem('one');
    assert.equal((await a().createProblem(sized('two', 'b'))).version, 1);
  });
});

/**
 * Judge0 CE 1.13 at /judge0, as its documentation shows requests and responses: create,
 * get with fields, batch, base64, statuses and their mapping, wait, callbacks to a local
 * listener, additional files, compiler options, several runs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { post, serviceSkip, until, useStack } from './stack.js';

type Sub = Record<string, unknown> & { status: { id: number; description: string }; token: string };

describe('Judge0 CE', { skip: serviceSkip() }, () => {
  // its callbacks go to a listener on loopback, which the default policy refuses
  const t = useStack({ api: { callbackAllow: ['127.0.0.1'] } });
  const base = (): string => `${t.s.url}/judge0`;

  const submit = async (body: object, query = 'wait=true') => {
    const r = await post(`${base()}/submissions?${query}`, JSON.stringify(body));
    return { status: r.status, body: r.json as unknown as Sub };
  };
  const get = async (path: string) => {
    const r = await fetch(`${base()}${path}`);
    return { status: r.status, body: (await r.json()) as Sub & Record<string, unknown> };
  };

  it("languages with Judge0's ids, statuses, about, config_info", async () => {
    const langs = (await get('/languages')).body as unknown as { id: number; name: string }[];
    const byId = new Map(langs.map((l) => [l.id, l.name]));
    assert.match(byId.get(71) ?? '', /^Python \(3\.\d+\.\d+\)$/);
    assert.match(byId.get(54) ?? '', /^C\+\+ \(GCC \d+\.\d+\.\d+\)$/);
    for (const id of [46, 50, 60, 62, 63, 64, 68, 72, 73, 74]) assert.ok(byId.has(id), String(id));
    const c48 = (await get('/languages/48')).body;
    assert.equal(c48.is_archived, false);
    const cpp = (await get('/languages/54')).body;
    assert.deepEqual(Object.keys(cpp), ['id', 'name', 'is_archived', 'source_file', 'compile_cmd', 'run_cmd']);
    assert.equal(cpp.source_file, 'main.cpp');
    assert.equal((await get('/languages/999')).status, 404);
    const statuses = (await get('/statuses')).body as unknown as { id: number; description: string }[];
    assert.equal(statuses.length, 14);
    assert.deepEqual(statuses[6], { id: 7, description: 'Runtime Error (SIGSEGV)' });
    assert.equal((await get('/about')).body.version, '1.13.1');
    const config = (await get('/config_info')).body;
    assert.equal(config.max_cpu_time_limit, 15);
    assert.equal(config.memory_limit, 128000);
  });

  it("the official Python SDK's way: /about's version picks its ids, /languages must list them (C++ is 52, C 50), then create and get in base64", async () => {
    // judge0-python: LANGUAGE_TO_LANGUAGE_ID["1.13.1"] for C, CPP, CPP_GCC, C_GCC, PYTHON, BASH, ...
    const version = (await get('/about')).body.version;
    assert.equal(version, '1.13.1');
    const listed = new Set(((await get('/languages')).body as unknown as { id: number }[]).map((l) => l.id));
    for (const id of [46, 48, 49, 50, 52, 53, 54, 60, 62, 63, 64, 68, 71, 72, 73, 74])
      assert.ok(listed.has(id), `language ${id} is listed`);
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    for (const [id, source] of [
      [52, '#include <iostream>\nint main() { std::cout << "cpp" << std::endl; }'],
      [53, '#include <iostream>\nint main() { std::cout << "cpp" << std::endl; }'],
      [48, '#include <stdio.h>\nint main(void) { puts("c"); }'],
      [49, '#include <stdio.h>\nint main(void) { puts("c"); }'],
    ] as const) {
      const created = await post(
        `${base()}/submissions?base64_encoded=true&wait=false`,
        JSON.stringify({ source_code: b64(source), language_id: id }),
      );
      assert.equal(created.status, 201, String(id));
      const token = String(created.json.token);
      await until(
        async () => ((await get(`/submissions/${token}?base64_encoded=true&fields=*`)).body.status.id ?? 0) > 2,
      );
      const got = (await get(`/submissions/${token}?base64_encoded=true&fields=*`)).body;
      assert.deepEqual(
        [got.status.id, Buffer.from(String(got.stdout), 'base64').toString()],
        [3, id > 50 ? 'cpp\n' : 'c\n'],
      );
      assert.equal((got.language as { id: number }).id, id);
    }
  });

  it('what clients ask of Judge0 itself: workers, system_info, statistics, version, isolate, license', async () => {
    const workers = (await get('/workers')).body as unknown as Record<string, unknown>[];
    assert.equal(workers.length, 1);
    assert.deepEqual(Object.keys(workers[0] ?? {}), [
      'queue',
      'size',
      'available',
      'idle',
      'working',
      'paused',
      'failed',
    ]);
    assert.equal(workers[0]?.queue, '1.13.1');
    assert.equal(workers[0]?.available, 2, "the stack's worker has two slots");
    const info = (await get('/system_info')).body as unknown as Record<string, string>;
    assert.match(info['CPU(s)'] ?? '', /^\d+$/);
    assert.match(info.Mem ?? '', /^\d+(\.\d)?[KMGT]i$/);
    await submit({ source_code: 'print(1)', language_id: 71 });
    const stats = (await get('/statistics?invalidate_cache=true')).body as unknown as {
      submissions: { total: number; today: number; last_30_days: Record<string, number> };
      languages: { language: { id: number; name: string }; count: number }[];
      database: { size_in_bytes: number };
    };
    assert.ok(stats.submissions.today >= 1 && stats.submissions.total >= stats.submissions.today);
    assert.equal(Object.keys(stats.submissions.last_30_days).length, 30);
    assert.match(stats.languages.find((l) => l.language.id === 71)?.language.name ?? '', /^Python/);
    assert.ok(stats.database.size_in_bytes > 0, 'the database is Redis');
    for (const [path, text] of [
      ['/version', /^1\.13\.1$/],
      ['/isolate', /bubblewrap/],
      ['/license', /Apache/],
    ] as const) {
      const r = await fetch(`${base()}${path}`);
      assert.equal(r.status, 200, path);
      assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await r.text(), text);
    }
  });

  it('authenticate, authorize, list and delete answer as Judge0 does by default (no authorization token: 403)', async () => {
    const answer = async (method: string, path: string) => {
      const r = await fetch(`${base()}${path}`, { method });
      return [r.status, await r.text()];
    };
    assert.deepEqual(await answer('POST', '/authenticate'), [200, '']);
    assert.deepEqual(await answer('POST', '/authorize'), [403, '']);
    assert.deepEqual(await answer('GET', '/submissions?page=1&per_page=20'), [403, '']);
    const { body } = await submit({ source_code: 'echo kept', language_id: 46 });
    assert.deepEqual(await answer('DELETE', `/submissions/${body.token}`), [403, '']);
    assert.equal((await get(`/submissions/${body.token}`)).body.stdout, 'kept\n', 'not deleted');
  });

  it('a form-encoded submission, as Rails takes it: its fields as text, its booleans as Rails casts them', async () => {
    const form = new URLSearchParams({
      source_code: 'import sys\nprint(input(), file=sys.stderr)',
      language_id: '71',
      stdin: 'by form',
      cpu_time_limit: '2',
      redirect_stderr_to_stdout: 'true',
    });
    const r = await post(
      `${base()}/submissions?wait=true&fields=stdout,stderr,status,cpu_time_limit`,
      form.toString(),
      {
        'Content-Type': 'application/x-www-form-urlencoded',
      },
    );
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.json, {
      stdout: 'by form\n',
      stderr: null,
      cpu_time_limit: '2.0',
      status: { id: 3, description: 'Accepted' },
    });
    const bad = await post(`${base()}/submissions`, 'source_code=x&language_id=999', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    assert.deepEqual([bad.status, bad.json], [422, { language_id: ["language with id 999 doesn't exist"] }]);
  });

  it("create with wait: the default fields, Accepted against expected_output with Judge0's whitespace rule", async () => {
    const { status, body } = await submit({
      source_code: 'print(input()[::-1] + "   ")\nprint()\n',
      language_id: 71,
      stdin: 'hello',
      expected_output: 'olleh\n\n',
    });
    assert.equal(status, 201);
    assert.deepEqual(Object.keys(body), [
      'stdout',
      'time',
      'memory',
      'stderr',
      'token',
      'compile_output',
      'message',
      'status',
    ]);
    assert.deepEqual(body.status, { id: 3, description: 'Accepted' });
    assert.equal(body.stdout, 'olleh   \n\n');
    assert.match(String(body.time), /^\d+(\.\d+)?$/);
    assert.equal(typeof body.memory, 'number');
    assert.equal(body.stderr, null);
    const wrong = await submit({ source_code: 'print(" 1")', language_id: 71, expected_output: '1' });
    assert.deepEqual(wrong.body.status, { id: 4, description: 'Wrong Answer' });
  });

  it('create without wait gives a token; get it with fields, * or invalid ones', async () => {
    const { status, body } = await submit({ source_code: 'echo hi', language_id: 46 }, '');
    assert.equal(status, 201);
    assert.deepEqual(Object.keys(body), ['token']);
    await until(async () => ((await get(`/submissions/${body.token}`)).body.status.id ?? 0) > 2);
    const some = (await get(`/submissions/${body.token}?fields=stdout,status_id,language_id`)).body;
    assert.deepEqual(some, { language_id: 46, stdout: 'hi\n', status_id: 3 });
    const all = (await get(`/submissions/${body.token}?fields=*`)).body;
    assert.equal(Object.keys(all).length, 35);
    assert.equal(all.cpu_time_limit, '5.0');
    assert.equal(all.memory_limit, 128000);
    assert.equal(all.source_code, 'echo hi');
    assert.match(String(all.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const bad = await get(`/submissions/${body.token}?fields=stdout,colour`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body, { error: 'invalid fields: [colour]' });
    const trailing = await get(`/submissions/${body.token}?fields=token,stdout,`);
    assert.deepEqual(trailing.body, { stdout: 'hi\n', token: body.token }, "Ruby's split drops a trailing comma");
    const starred = await get(`/submissions/${body.token}?fields=*,bogus`);
    assert.deepEqual([starred.status, starred.body], [400, { error: 'invalid fields: [bogus]' }]);
    assert.equal((await get('/submissions/00000000-0000-0000-0000-000000000000')).status, 404);
  });

  it('base64_encoded: inputs decoded, outputs encoded as Ruby does (a newline every 60 characters)', async () => {
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    const { body } = await submit(
      {
        source_code: b64('import sys\nprint(sys.stdin.read() * 3)'),
        language_id: 71,
        stdin: b64('0123456789012345678901234'),
      },
      'wait=true&base64_encoded=true',
    );
    assert.equal(body.status.id, 3);
    const out = String(body.stdout);
    assert.match(out, /^[A-Za-z0-9+/=]{60}\n[A-Za-z0-9+/=]+\n$/);
    assert.equal(Buffer.from(out, 'base64').toString(), '0123456789012345678901234'.repeat(3) + '\n');
  });

  it('base64_encoded stdin reaches the program byte for byte, bytes that are not UTF-8 too', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x80, 0x0a, 0xc3]);
    const { body } = await submit(
      {
        source_code: Buffer.from('import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])').toString(
          'base64',
        ),
        language_id: 71,
        stdin: bytes.toString('base64'),
      },
      'wait=true&base64_encoded=true',
    );
    assert.equal(body.status.id, 3, JSON.stringify(body));
    assert.deepEqual([...Buffer.from(String(body.stdout), 'base64')], [...bytes].reverse());
  });

  it('statuses from runs: compile error 6, SIGSEGV 7, SIGFPE 9, SIGABRT 10, non-zero exit 11, time limit 5', async () => {
    const c = (code: string, extra: object = {}) =>
      submit({ source_code: `#include <stdio.h>\n#include <stdlib.h>\n${code}`, language_id: 50, ...extra });
    const ce = (await c('int main( {')).body;
    assert.equal(ce.status.id, 6);
    assert.match(String(ce.compile_output), /error/);
    assert.equal(ce.time, null);
    assert.equal((await c('int main(void) { volatile int *p = 0; return *p; }')).body.status.id, 7);
    assert.equal(
      (
        await c(
          'int main(int argc, char **argv) { volatile int z = argc - 1; volatile int a = argc * 100; return a / z; }',
        )
      ).body.status.id,
      9,
    );
    assert.equal((await c('int main(void) { abort(); }')).body.status.id, 10);
    const nzec = (await c('int main(void) { return 3; }')).body;
    assert.deepEqual([nzec.status.id, nzec.message], [11, 'Exited with error status 3']);
    const tle = (await c('int main(void) { for (;;); }', { cpu_time_limit: 0.3, cpu_extra_time: 0.1 })).body;
    assert.deepEqual([tle.status.id, tle.status.description], [5, 'Time Limit Exceeded']);
  });

  it("422 with Judge0's messages", async () => {
    const r = await submit({ source_code: 'x' }, '');
    assert.equal(r.status, 422);
    assert.deepEqual(r.body, { language_id: ["can't be blank", "language with id  doesn't exist"] } as never);
    const limits = await submit(
      { source_code: 'x', language_id: 71, cpu_time_limit: 100, memory_limit: 10 ** 9, number_of_runs: 0 },
      '',
    );
    assert.deepEqual(limits.body, {
      cpu_time_limit: ['must be less than or equal to 15.0'],
      memory_limit: ['must be less than or equal to 512000'],
      number_of_runs: ['must be greater than 0'],
    } as never);
    const blank = await submit({ source_code: ' \n\t', language_id: 71 }, '');
    assert.deepEqual([blank.status, blank.body], [422, { source_code: ["can't be blank"] }]);
  });

  it('batch create and get: tokens and errors in order; null for unknown tokens', async () => {
    const r = await post(
      `${base()}/submissions/batch`,
      JSON.stringify({
        submissions: [
          { source_code: 'echo one', language_id: 46 },
          { source_code: 'x' },
          { source_code: 'print(2)', language_id: 71 },
        ],
      }),
    );
    assert.equal(r.status, 201);
    const out = r.json as unknown as { token?: string }[];
    assert.ok(out[0]?.token && out[2]?.token);
    assert.deepEqual(Object.keys(out[1] ?? {}), ['language_id']);
    const tokens = [out[0]?.token, '00000000-0000-0000-0000-000000000000', out[2]?.token].join(',');
    await until(async () =>
      (
        (await get(`/submissions/batch?tokens=${tokens}&fields=status_id`)).body.submissions as { status_id: number }[]
      ).every((x) => !x || x.status_id > 2),
    );
    const got = (await get(`/submissions/batch?tokens=${tokens}&fields=stdout`)).body.submissions;
    assert.deepEqual(got, [{ stdout: 'one\n' }, null, { stdout: '2\n' }]);
  });

  it('callback_url: a PUT of the default fields, base64, when the submission ends', async () => {
    let received: { method?: string; body: string } | undefined;
    const listener = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received = { method: req.method ?? '', body };
        res.end();
      });
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (listener.address() as AddressInfo).port;
      const { body } = await submit(
        { source_code: 'echo called back', language_id: 46, callback_url: `http://127.0.0.1:${port}/done` },
        '',
      );
      await until(async () => received !== undefined);
      assert.equal(received?.method, 'PUT');
      const cb = JSON.parse(received?.body ?? '{}') as Sub;
      assert.equal(cb.token, body.token);
      assert.deepEqual(cb.status, { id: 3, description: 'Accepted' });
      assert.equal(Buffer.from(String(cb.stdout), 'base64').toString(), 'called back\n');
    } finally {
      listener.close();
    }
  });

  it("command_line_arguments, compiler_options as Judge0's bash splits them (no shell), redirect_stderr_to_stdout", async () => {
    const args = await submit({
      source_code: 'import sys; print(sys.argv[1:])',
      language_id: 71,
      command_line_arguments: 'a  b;rm -rf / $HOME "hello world" x\\ y',
    });
    assert.equal(args.body.stdout, "['a', 'brm', '-rf', '/', 'HOME', 'hello world', 'x y']\n");
    const opts = await submit({
      source_code: '#include <stdio.h>\nint main(void) { printf("%d %s\\n", VALUE, GREETING); }',
      language_id: 50,
      compiler_options: '-DVALUE=42 -O0 \'-DGREETING="hi there"\'',
    });
    assert.equal(opts.body.stdout, '42 hi there\n');
    const unmatched = await submit({ source_code: 'print(1)', language_id: 71, command_line_arguments: '"a' }, '');
    assert.deepEqual(
      [unmatched.status, Object.keys(unmatched.body)],
      [422, ['command_line_arguments']],
      'what bash would refuse',
    );
    const merged = await submit({
      source_code: 'import sys\nprint("out", flush=True)\nprint("err", file=sys.stderr, flush=True)\nprint("out2")',
      language_id: 71,
      redirect_stderr_to_stdout: true,
    });
    assert.equal(merged.body.stdout, 'out\nerr\nout2\n');
    assert.equal(merged.body.stderr, null);
  });

  /** base64 of a zip made by Python's zipfile from its entries' code (z is the ZipFile) */
  const zipOf = (body: string): string =>
    execFileSync('python3', [
      '-c',
      `
import base64, io, sys, zipfile
b = io.BytesIO()
with zipfile.ZipFile(b, 'w') as z:
${body
  .trim()
  .split('\n')
  .map((l) => `    ${l.trim()}`)
  .join('\n')}
sys.stdout.write(base64.b64encode(b.getvalue()).decode())
`,
    ]).toString();

  it('additional_files: a zip unpacked beside the source; ./dir/file entries, as the Judge0 SDK writes them', async () => {
    const { body } = await submit({
      source_code: 'print(open("data/input.txt").read(), open("top.txt").read())',
      language_id: 71,
      additional_files: zipOf(`
        z.writestr('data/input.txt', 'from the zip')
        z.writestr(zipfile.ZipInfo('./'), '')
        z.writestr('./top.txt', 'and ./')
      `),
    });
    assert.equal(body.stdout, 'from the zip and ./\n', JSON.stringify(body));
    const bad = await submit(
      { source_code: 'x', language_id: 71, additional_files: Buffer.from('no zip').toString('base64') },
      '',
    );
    assert.equal(bad.status, 422);
    assert.ok((bad.body as unknown as { additional_files: string[] }).additional_files);
  });

  it('additional_files: an entry that cannot be taken is a 422 naming it, never a silent drop', async () => {
    const refused: [string, RegExp][] = [
      [`z.writestr('../escape.txt', 'out')`, /\.\.\/escape\.txt: a path with a "\.\." part/],
      [`z.writestr('/abs.txt', 'abs')`, /\/abs\.txt: an absolute path/],
      [
        `link = zipfile.ZipInfo('secret'); link.create_system = 3; link.external_attr = (0o120777 << 16)
         z.writestr(link, '/etc/shadow')`,
        /secret: a symbolic link/,
      ],
    ];
    for (const [entries, message] of refused) {
      const r = await submit(
        { source_code: 'print(1)', language_id: 71, additional_files: zipOf(entries) },
        'wait=true',
      );
      assert.equal(r.status, 422, entries);
      const errors = r.body as unknown as Record<string, string[]>;
      assert.deepEqual(Object.keys(errors), ['additional_files']);
      assert.match(errors.additional_files?.[0] ?? '', message);
    }
  });

  it("Judge0's own languages: Plain Text (43) answers its text, Executable (44) runs its bytes", async () => {
    const text = await submit({
      source_code: 'plain text, not run\n',
      language_id: 43,
      expected_output: 'plain text, not run',
    });
    assert.deepEqual([text.status, text.body.status.id, text.body.stdout], [201, 3, 'plain text, not run\n']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-exe-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'p.c'),
        '#include <stdio.h>\nint main(int argc, char **argv) { printf("exe %s\\n", argv[1]); }\n',
      );
      execFileSync('gcc', ['-O2', '-o', path.join(dir, 'p'), path.join(dir, 'p.c')]);
      // the official SDK sends an executable as its bytes in base64, with base64_encoded=true
      const exe = fs.readFileSync(path.join(dir, 'p')).toString('base64');
      const run = await submit(
        { source_code: exe, language_id: 44, command_line_arguments: 'ran' },
        'wait=true&base64_encoded=true',
      );
      assert.deepEqual([run.status, run.body.status.id], [201, 3], JSON.stringify(run.body));
      assert.equal(Buffer.from(String(run.body.stdout), 'base64').toString(), 'exe ran\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const detail = (await get('/languages/44')).body;
    assert.deepEqual(
      [detail.name, detail.source_file, detail.run_cmd],
      ['Executable', 'a.out', '/bin/chmod +x a.out && ./a.out'],
    );
  });

  it('Multi-file program (89): the archive holds compile and run scripts, run with bash; a failed compile is status 6', async () => {
    const program = (compile: string) =>
      zipOf(`
        z.writestr('./main.c', '#include <stdio.h>\\nint main(void) { char s[16]; scanf("%15s", s); printf("hi %s\\\\n", s); }\\n')
        ${compile}
        z.writestr('./run', './main')
      `);
    // judge0-client and Judge0's examples send the scripts at the archive's top, source_code empty
    const ok = await submit({
      language_id: 89,
      source_code: '',
      stdin: 'there',
      additional_files: program(`z.writestr('./compile', 'gcc -O2 -o main main.c')`),
    });
    assert.deepEqual([ok.status, ok.body.status.id, ok.body.stdout], [201, 3, 'hi there\n'], JSON.stringify(ok.body));
    const broken = await submit({
      language_id: 89,
      additional_files: program(`z.writestr('compile', 'gcc -o main nothing.c')`),
    });
    assert.equal(broken.body.status.id, 6, JSON.stringify(broken.body));
    assert.match(String(broken.body.compile_output), /nothing\.c/);
    const scriptOnly = await submit({
      language_id: 89,
      additional_files: zipOf(`z.writestr('run', 'echo no compile script')`),
    });
    assert.deepEqual([scriptOnly.body.status.id, scriptOnly.body.stdout], [3, 'no compile script\n']);
    const withSource = await submit(
      { language_id: 89, source_code: 'echo', additional_files: zipOf(`z.writestr('run', '')`) },
      '',
    );
    assert.deepEqual([withSource.status, withSource.body], [422, { source_code: ['must be blank'] }]);
    const noRun = await submit({ language_id: 89, additional_files: zipOf(`z.writestr('compile', '')`) }, '');
    assert.equal(noRun.status, 422);
    assert.match(
      (noRun.body as unknown as { additional_files: string[] }).additional_files[0] ?? '',
      /must hold a run script/,
    );
    const langs = (await get('/languages')).body as unknown as { id: number; name: string }[];
    assert.deepEqual(
      langs.filter((l) => [43, 44, 89].includes(l.id)).map((l) => l.name),
      ['Executable', 'Multi-file program', 'Plain Text'],
    );
  });

  it('number_of_runs: runs up to the first that is not Accepted, time and memory averaged over them', async () => {
    const { body } = await submit(
      { source_code: 'print(1)', language_id: 71, number_of_runs: 3, expected_output: '1' },
      'wait=true&fields=status,time,memory,stdout,token',
    );
    assert.deepEqual(body.status, { id: 3, description: 'Accepted' });
    assert.equal(body.stdout, '1\n');
    // the native view of the same job shows the runs themselves
    const runs = (await t.s.client().get(body.token)).judge?.tests ?? [];
    assert.equal(runs.length, 3);
    const mean = runs.reduce((n, t) => n + t.cpuMs, 0) / 3 / 1000;
    assert.equal(Number(body.time), Number(mean.toPrecision(16)), 'a Float kept to 16 digits, as Ruby 2.7 stores it');
    assert.equal(body.memory, Math.floor(runs.reduce((n, t) => n + t.memoryBytes / 1024, 0) / 3));
    const wrong = await submit(
      { source_code: 'print(2)', language_id: 71, number_of_runs: 5, expected_output: '1' },
      'wait=true&fields=status,token',
    );
    assert.equal(wrong.body.status.id, 4);
    assert.equal(
      (await t.s.client().get(wrong.body.token)).judge?.tests.length,
      1,
      'Judge0 stops at the first run that is not Accepted',
    );
  });

  it("number_of_runs with more output than a run keeps (CODEBOX_TEST_OUTPUT_BYTES): the verdict is the judge's, over all of it", async () => {
    const long = 'x'.repeat(100_000);
    const { body } = await submit(
      { source_code: `print("${long}")`, language_id: 71, number_of_runs: 2, expected_output: long },
      'wait=true&fields=status,stdout',
    );
    assert.deepEqual(body.status, { id: 3, description: 'Accepted' });
    assert.equal(body.stdout, 'x'.repeat(64 << 10), 'stdout is what was kept of it');
  });

  it('compiler options go before the sources: Go takes its flags', async () => {
    const { body } = await submit({
      source_code: 'package main\n\nimport "fmt"\n\nvar v = "unset"\n\nfunc main() { fmt.Println(v) }\n',
      language_id: 60,
      compiler_options: '-ldflags=-X=main.v=set',
    });
    assert.equal(body.stdout, 'set\n', JSON.stringify(body));
    const interpreted = await submit({ source_code: 'print(1)', language_id: 71, compiler_options: '-O' }, '');
    assert.deepEqual(interpreted.body, {
      compiler_options: ['setting compiler options is only allowed for compiled languages'],
    } as never);
  });
});

describe('Judge0 CE: a full queue', { skip: serviceSkip() }, () => {
  const t = useStack({ worker: { slots: 1 }, api: { queueMax: 1 } });

  it('503 {"error": "queue is full"}', async () => {
    const busy = await t.s.client().create({ language: 'bash', files: [{ content: 'sleep 30' }] });
    await until(async () => (await t.s.client().get(busy.id)).status === 'running');
    await t.s.client().create({ language: 'bash', files: [{ content: 'true' }] });
    const r = await post(`${t.s.url}/judge0/submissions`, JSON.stringify({ source_code: 'true', language_id: 46 }));
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, { error: 'queue is full' });
    await t.s.client().cancel(busy.id);
  });
});

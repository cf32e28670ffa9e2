/**
 * Piston v2 at /api/v2: the npm package piston-client, unchanged, against codebox; and the
 * wire details a Piston client may rely on, over raw HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { piston } from 'piston-client';
import { post, serviceSkip, useStack } from './stack.js';

interface Stage {
  stdout: string;
  stderr: string;
  output: string;
  code: number | null;
  signal: string | null;
  message: string | null;
  status: string | null;
  cpu_time: number;
  wall_time: number;
  memory: number;
}
interface Result {
  language: string;
  version: string;
  run: Stage;
  compile?: Stage;
  message?: string;
}

describe('Piston v2', { skip: serviceSkip() }, () => {
  const t = useStack();

  const execute = async (body: object) => {
    const r = await post(`${t.s.url}/api/v2/execute`, JSON.stringify(body));
    return { status: r.status, body: r.json as unknown as Result };
  };

  it('piston-client lists the runtimes and runs Python', async () => {
    const client = piston({ server: t.s.url });
    const runtimes = (await client.runtimes()) as { language: string; version: string; aliases: string[] }[];
    const python = runtimes.find((r) => r.language === 'python');
    assert.match(python?.version ?? '', /^3\.\d+\.\d+$/);
    assert.ok(runtimes.find((r) => r.language === 'c++')?.aliases.includes('cpp'));
    const result = (await client.execute('python', 'import sys\nprint("Hello World!", sys.argv[1:])')) as Result;
    assert.equal(result.language, 'python');
    assert.equal(result.version, python?.version);
    assert.deepEqual(
      {
        stdout: result.run.stdout,
        stderr: result.run.stderr,
        output: result.run.output,
        code: result.run.code,
        signal: result.run.signal,
        status: result.run.status,
        message: result.run.message,
      },
      {
        stdout: "Hello World! ['1', '2', '3']\n",
        stderr: '',
        output: "Hello World! ['1', '2', '3']\n",
        code: 0,
        signal: null,
        status: null,
        message: null,
      },
    );
    assert.ok(result.run.cpu_time >= 0 && result.run.wall_time > 0 && result.run.memory > 0);
    assert.equal(result.compile, undefined);
  });

  it('piston-client runs a compiled language: compile and run stages', async () => {
    const client = piston({ server: t.s.url });
    const result = (await client.execute(
      'c++',
      '#include <iostream>\nint main(int argc, char**) { std::cout << "args " << argc - 1 << std::endl; }',
      { args: [] },
    )) as Result;
    assert.equal(result.language, 'c++');
    assert.equal(result.compile?.code, 0);
    assert.equal(result.compile?.status, null);
    assert.equal(result.run.stdout, 'args 0\n');
  });

  it("the client's file names are kept: argv[0] and a traceback name its file, and another file may be main.py", async () => {
    const client = piston({ server: t.s.url });
    const named = (await client.execute({
      language: 'python',
      files: [
        { name: 'solution.py', content: 'import sys, main\nprint(sys.argv[0], main.WHO)\nraise ValueError("boom")' },
        { name: 'main.py', content: 'WHO = "helper"' },
      ],
    })) as Result;
    assert.equal(named.run.stdout, 'solution.py helper\n', JSON.stringify(named));
    assert.match(named.run.stderr, /File "[^"]*solution\.py", line 3/);
    assert.equal(named.run.code, 1);
    // as Piston clients send an unnamed file: Piston's own name for it, file0.code
    const { body } = await execute({
      language: 'python',
      version: '*',
      files: [{ content: 'import sys\nprint(sys.argv[0])' }],
    });
    assert.equal(body.run.stdout, 'file0.code\n');
    // Piston runs the first utf8 file: a base64 data file before it is data
    const data = await execute({
      language: 'python',
      version: '*',
      files: [
        { name: 'data.bin', content: Buffer.from([0xff, 0x00]).toString('base64'), encoding: 'base64' },
        { name: 'main.py', content: 'import sys\nprint(sys.argv[0], open("data.bin", "rb").read())' },
      ],
    });
    assert.equal(data.body.run.stdout, "main.py b'\\xff\\x00'\n", JSON.stringify(data.body));
    // a compiled language's file without its extension still compiles, as in Piston
    const c = await execute({
      language: 'c',
      version: '*',
      files: [{ name: 'prog', content: 'int main(void) { return 0; }' }],
    });
    assert.deepEqual([c.status, c.body.compile?.code, c.body.run.code], [200, 0, 0]);
  });

  it("ppman list (GET /api/v2/packages): the installed runtimes in Piston's package shape", async () => {
    const r = await fetch(`${t.s.url}/api/v2/packages`);
    assert.equal(r.status, 200);
    const packages = (await r.json()) as { language: string; language_version: string; installed: boolean }[];
    const runtimes = (await (await fetch(`${t.s.url}/api/v2/runtimes`)).json()) as {
      language: string;
      version: string;
    }[];
    const python = runtimes.find((rt) => rt.language === 'python');
    assert.deepEqual(
      packages.find((p) => p.language === 'python'),
      { language: 'python', language_version: python?.version, installed: true },
    );
    for (const p of packages) assert.deepEqual(Object.keys(p), ['language', 'language_version', 'installed']);
  });

  it('a failed compile is copied into run', async () => {
    const { status, body } = await execute({ language: 'c', version: '*', files: [{ content: 'int main( {' }] });
    assert.equal(status, 200);
    assert.equal(body.compile?.status, 'RE');
    assert.equal(body.compile?.code, 1);
    assert.match(body.compile?.message ?? '', /^Exited with error status 1$/);
    assert.deepEqual(body.run, body.compile);
    assert.match(body.run.stderr, /error/);
  });

  it('statuses: RE with its code, SG with its signal, TO and OL killed with SIGKILL', async () => {
    const run = async (code: string, extra: object = {}) =>
      (await execute({ language: 'python', version: '3', files: [{ content: code }], ...extra })).body.run;
    const re = await run('raise SystemExit(4)');
    assert.deepEqual([re.status, re.code, re.signal, re.message], ['RE', 4, null, 'Exited with error status 4']);
    const sg = await run('import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)');
    assert.deepEqual([sg.status, sg.code, sg.signal, sg.message], ['SG', null, 'SIGSEGV', 'Caught fatal signal 11']);
    const to = await run('while True: pass', { run_cpu_time: 200 });
    assert.deepEqual([to.status, to.signal, to.message], ['TO', 'SIGKILL', 'Time limit exceeded']);
    const wall = await run('import time\ntime.sleep(5)', { run_timeout: 300 });
    assert.deepEqual([wall.status, wall.signal], ['TO', 'SIGKILL']);
    const ol = await run('import sys\nwhile True: sys.stdout.write("x" * 65536)');
    assert.deepEqual([ol.status, ol.signal, ol.message], ['OL', 'SIGKILL', 'stdout length exceeded']);
    const el = await run('import sys\nwhile True: sys.stderr.write("x" * 65536)');
    assert.deepEqual([el.status, el.signal, el.message], ['EL', 'SIGKILL', 'stderr length exceeded']);
  });

  it('output interleaves stdout and stderr in the order written; stdin gets its newline', async () => {
    // two pipes have no order between them but time: the writes are 100 ms apart
    const code =
      'import sys, time\nfor s in (sys.stdout, sys.stderr, sys.stdout):\n    s.write(s.name[-4:-1] + "\\n"); s.flush(); time.sleep(0.1)\nprint(repr(sys.stdin.read()))\n';
    const { body } = await execute({
      language: 'python',
      version: '*',
      files: [{ content: code }],
      stdin: 'no newline',
    });
    assert.equal(body.run.output, "out\nerr\nout\n'no newline\\n'\n");
    assert.equal(body.run.stdout, "out\nout\n'no newline\\n'\n");
  });

  it("limits: -1 is the server's limit; over it, a wrong type, or a bad runtime is 400 {message}", async () => {
    // 512 MiB is over the default memory limit and under the maximum that -1 asks for
    const big = 'x = bytearray(512 << 20)\nprint(len(x) >> 20)';
    assert.equal(
      (
        await execute({
          language: 'python',
          version: '*',
          files: [{ content: big }],
          run_memory_limit: -1,
          compile_memory_limit: -1,
        })
      ).body.run.stdout,
      '512\n',
    );
    assert.equal(
      (await execute({ language: 'python', version: '*', files: [{ content: big }] })).body.run.status,
      'SG',
    );
    const bad: [object, string][] = [
      [
        { language: 'python', version: '*', files: [{ content: '' }], run_timeout: 10 ** 9 },
        'run_timeout cannot exceed the configured limit of 300000',
      ],
      [
        { language: 'python', version: '*', files: [{ content: '' }], run_cpu_time: '1s' },
        'If specified, run_cpu_time must be a number',
      ],
      [
        { language: 'python', version: '*', files: [{ content: '' }], compile_memory_limit: -5 },
        'compile_memory_limit must be non-negative',
      ],
      [{ language: 'cobol', version: '*', files: [{ content: '' }] }, 'cobol-* runtime is unknown'],
      [{ language: 'python', version: 'banana', files: [{ content: '' }] }, 'python-banana runtime is unknown'],
      [{ language: 'python', files: [{ content: '' }] }, 'version is required as a string'],
      [{ language: 'python', version: '*', files: [{ name: 'x' }] }, 'files[0].content is required as a string'],
      [
        { language: 'python', version: '*', files: [{ content: '00', encoding: 'hex' }] },
        'files must include at least one utf8 encoded file',
      ],
    ];
    for (const [body, message] of bad) {
      const r = await execute(body);
      assert.equal(r.status, 400, message);
      assert.deepEqual(r.body, { message });
    }
  });

  it('a body that is not JSON is 415; hex files are decoded', async () => {
    const r = await post(`${t.s.url}/api/v2/execute`, 'language=python', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    assert.equal(r.status, 415);
    assert.deepEqual(r.json, { message: 'requests must be of type application/json' });
    const hex = Buffer.from('print(open("data.txt").read())').toString('hex');
    const { body } = await execute({
      language: 'python',
      version: '*',
      files: [
        { content: 'exec(bytes.fromhex(open("h.py").read()))' },
        { name: 'h.py', content: Buffer.from(hex).toString() },
        { name: 'data.txt', content: Buffer.from('from hex').toString('hex'), encoding: 'hex' },
      ],
    });
    assert.equal(body.run.stdout, 'from hex\n');
  });
});

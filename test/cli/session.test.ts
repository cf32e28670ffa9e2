/**
 * `codebox session` as a user types it, against a real stack (Redis, a worker making real
 * boxes, the API): create, copy a file and a directory in, run with stdin, a command's exit
 * code as the CLI's, copy out, a terminal fed from a pipe, end; and mistakes — a missing
 * id, an unknown subcommand, a bad URL — as one line and exit 2, the service's refusal as
 * one line and exit 1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { serviceSkip, useStack } from '../service/stack.js';
import { CLI } from './cli.js';

const KEY = 'cli-session-key-aaaaaaaa';

/** the CLI as a child process: the stack answers in this process, so nothing may block it */
function codebox(
  args: string[],
  input = '',
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'session', ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CODEBOX_KEY: KEY, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe('codebox session', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { apiKeys: [KEY] }, worker: { sessions: 2 } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-cli-session-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const url = (): Record<string, string> => ({ CODEBOX_URL: t.s.url });

  it('the whole loop: create, cp in, exec, cp out, shell, rm', async () => {
    const created = await codebox(['create', '--language', 'python', '--idle', '2m'], '', url());
    assert.equal(created.code, 0, created.stderr);
    const id = created.stdout.trim();
    assert.match(id, /^[0-9a-f-]{36}$/);

    fs.writeFileSync(path.join(dir, 'main.py'), 'import sys\nprint(sys.stdin.read().strip()[::-1])\n');
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'a.txt'), 'alpha\n');
    for (const [src, dst] of [
      [path.join(dir, 'main.py'), `${id}:main.py`],
      [path.join(dir, 'data'), `${id}:data`],
    ] as const) {
      const cp = await codebox(['cp', src, dst], '', url());
      assert.equal(cp.code, 0, cp.stderr);
    }

    const ran = await codebox(['exec', id, '--', 'python3', 'main.py'], 'olleh', url());
    assert.deepEqual([ran.code, ran.stdout], [0, 'hello\n'], ran.stderr);
    const shell = await codebox(['exec', id, '-c', 'cat data/a.txt > out.txt; echo oops >&2; exit 7'], '', url());
    assert.deepEqual([shell.code, shell.stderr], [7, 'oops\n']);

    const out = path.join(dir, 'out.txt');
    const cpOut = await codebox(['cp', `${id}:out.txt`, out], '', url());
    assert.equal(cpOut.code, 0, cpOut.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), 'alpha\n');

    // a directory out: the box's modes, but no set-id bit and no owner of its choosing (the
    // copier runs as root here, whom tar would otherwise let keep both)
    const made = await codebox(
      ['exec', id, '-c', 'mkdir -p keep && cp /bin/true keep/su && chmod 6755 keep/su'],
      '',
      url(),
    );
    assert.equal(made.code, 0, made.stderr);
    const kept = path.join(dir, 'kept');
    const dirOut = await codebox(['cp', `${id}:keep`, kept], '', url());
    assert.equal(dirOut.code, 0, dirOut.stderr);
    const st = fs.statSync(path.join(kept, 'su'));
    assert.equal(st.mode & 0o7777, 0o755 & ~process.umask(), `mode ${(st.mode & 0o7777).toString(8)}`);
    assert.equal(st.uid, process.getuid!());

    // a terminal fed from a pipe: its lines are typed into the box's shell
    const term = await codebox(['shell', id], 'echo "hi-$((6*7))"\nexit 3\n', url());
    assert.equal(term.code, 3, term.stderr);
    assert.match(term.stdout, /hi-42/);

    const rm = await codebox(['rm', id], '', url());
    assert.equal(rm.code, 0, rm.stderr);
    const gone = await codebox(['exec', id, '-c', 'true'], '', url());
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^codebox: 404 SESSION_NOT_FOUND: no session .* \(it has ended\)\n$/);
  });

  it('mistakes are one line and exit 2; a wrong key is the service’s answer and exit 1', async () => {
    for (const [args, env, said] of [
      [['exec'], url(), /codebox session exec ID/],
      [['frobnicate'], url(), /unknown session command "frobnicate"/],
      [['create', '--memory', 'lots'], url(), /--memory: a size/],
      [['create'], { CODEBOX_URL: 'ftp://x' }, /CODEBOX_URL.*http:\/\/ or https:\/\//],
    ] as const) {
      const r = await codebox([...args], '', env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, said);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    const wrong = await codebox(['create'], '', { ...url(), CODEBOX_KEY: 'not-the-key' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^codebox: 401 UNAUTHORIZED/);
  });
});

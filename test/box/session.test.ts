/**
 * Sessions in the engine, on real boxes: one box that lives across commands, with files,
 * background processes and terminals, and that leaves nothing behind when it ends.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { CommandResult, Session } from '@codebox/sandbox';
import { FileError, SpecError } from '@codebox/sandbox';
import {
  boxGroupsLeft,
  boxSkip,
  CGROUP_PARENT,
  ENV,
  mountsUnder,
  processesInUidRange,
  useSandbox,
  WORK_ROOT,
  workDirsOf,
} from '../support.js';

const out = (r: CommandResult): string => r.stdout.toString();
const run = async (s: Session, script: string): Promise<CommandResult> => s.exec({ argv: ['sh', '-c', script] }).done;

async function until(fn: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('sessions: a box across commands', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox({ prestart: 0 });

  it('keeps its work dir, its /tmp and what runs in it between commands', async () => {
    const s = await sandbox().openSession({ env: ENV, network: 'loopback' });
    try {
      let r = await run(s, 'pwd; id -u; echo kept > a.txt; echo tmp > /tmp/t; mkdir -p src && echo x > src/b');
      assert.deepEqual([r.exitCode, out(r)], [0, '/box\n65534\n'], r.stderr.toString());
      r = await run(s, 'cat a.txt /tmp/t src/b');
      assert.equal(out(r), 'kept\ntmp\nx\n');
      // a server started by one command answers the next, on the box's own loopback
      const server = s.exec({ argv: ['python3', '-m', 'http.server', '8080', '--bind', '127.0.0.1'] });
      const fetch =
        'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8080/a.txt").read().decode(), end="")';
      await until(async () => out(await s.exec({ argv: ['python3', '-c', fetch] }).done) === 'kept\n', 10_000);
      server.kill();
      const ended = await server.done;
      assert.equal(ended.signal, 'SIGKILL');
    } finally {
      await s.close();
    }
  });

  it('a command returns when its process exits; what it started in the background lives on', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      const t0 = Date.now();
      const r = await run(s, 'sleep 60 & echo started');
      assert.equal(out(r), 'started\n');
      assert.ok(Date.now() - t0 < 5_000, `returned after ${Date.now() - t0} ms`);
      assert.ok((await s.usage()).processes >= 3, 'the sleep is still there (with the init and bwrap)');
      assert.match(out(await run(s, 'cat /proc/[0-9]*/comm')), /sleep/);
    } finally {
      await s.close();
    }
  });

  it('stdin as bytes, as a stream, or written by the caller; exit codes, signals and a missing command', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      assert.equal(out(await s.exec({ argv: ['tr', 'a-z', 'A-Z'], stdin: 'abc' }).done), 'ABC');
      assert.equal(out(await s.exec({ argv: ['cat'], stdin: Readable.from(['x', 'y']) }).done), 'xy');
      const h = s.exec({ argv: ['cat'], openStdin: true });
      h.stdin?.end('typed');
      assert.equal(out(await h.done), 'typed');
      assert.equal((await run(s, 'exit 7')).exitCode, 7);
      const killed = await run(s, 'kill -TERM $$');
      assert.deepEqual([killed.exitCode, killed.signal], [null, 'SIGTERM']);
      const missing = await s.exec({ argv: ['no-such-program'] }).done;
      assert.equal(missing.exitCode, 127);
      assert.match(missing.stderr.toString(), /no-such-program: command not found/);
      const cwd = await s.exec({ argv: ['pwd'], cwd: '/tmp', env: { X: '1' } }).done;
      assert.equal(out(cwd), '/tmp\n');
      const env = await s.exec({ argv: ['sh', '-c', 'echo $X $PATH'], env: { X: 'given' } }).done;
      assert.equal(out(env), `given ${ENV.PATH}\n`, 'the session env under the command env');
    } finally {
      await s.close();
    }
  });

  it('a timeout kills the command and everything it started; output is kept up to the limit', async () => {
    const s = await sandbox().openSession({ env: ENV, limits: { outputBytes: 1000 } });
    try {
      const before = (await s.usage()).processes;
      const r = await s.exec({ argv: ['sh', '-c', 'sleep 100 & sleep 100 & echo up; wait'], timeoutMs: 500 }).done;
      assert.deepEqual([r.timedOut, r.signal, out(r)], [true, 'SIGKILL', 'up\n']);
      await until(async () => (await s.usage()).processes === before);
      const big = await run(s, 'yes | head -c 5000');
      assert.deepEqual([big.stdout.length, big.stdoutTruncated, big.exitCode], [1000, true, 0]);
      // a caller that takes the output as it comes gets all of it, and nothing is kept
      let streamed = 0;
      const taken = await s.exec(
        { argv: ['sh', '-c', 'yes | head -c 50000'], keepOutput: false },
        { onOutput: (_stream, c) => (streamed += c.length) },
      ).done;
      assert.deepEqual([streamed, taken.stdout.length, taken.stdoutTruncated], [50000, 0, false]);
    } finally {
      await s.close();
    }
  });

  it('files: written, read, listed, made and removed through the box, never through a link', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      await s.writeFile('src/main.py', 'print(1)\n');
      await s.writeFile('run.sh', '#!/bin/sh\necho ran\n', { mode: 0o755 });
      assert.equal((await s.readFile('src/main.py')).toString(), 'print(1)\n');
      assert.equal(out(await run(s, './run.sh')), 'ran\n');
      await s.mkdir('empty/deeper');
      const listed = await s.list('', { depth: 3 });
      const byPath = new Map(listed.map((e) => [e.path, e]));
      assert.deepEqual(
        [...byPath.keys()].sort(),
        ['empty', 'empty/deeper', 'run.sh', 'src', 'src/main.py'],
        JSON.stringify(listed),
      );
      assert.deepEqual(
        [byPath.get('run.sh')?.type, byPath.get('run.sh')?.mode, byPath.get('run.sh')?.size],
        ['file', 0o755, 19],
      );
      assert.equal(byPath.get('src')?.type, 'dir');
      await s.remove('src');
      assert.deepEqual((await s.list()).map((e) => e.path).sort(), ['empty', 'run.sh']);
      await assert.rejects(s.readFile('src/main.py'), (e: FileError) => e.code === 'NOT_FOUND');
      await assert.rejects(s.readFile('empty'), (e: FileError) => e.code === 'NOT_A_FILE');
      await assert.rejects(s.readFile('run.sh', { maxBytes: 4 }), (e: FileError) => e.code === 'TOO_LARGE');
    } finally {
      await s.close();
    }
  });

  it('a listing past its bytes (long names, deep) is TOO_LARGE, not cut short; a shallower one is whole', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      // 9,000 files under four 200-byte directories: about 9 MB of paths
      const make =
        'import os\nd = "/".join(c * 200 for c in "abcd")\nos.makedirs(d)\nfor i in range(9000): open(f"{d}/{i:0200d}", "w").close()\n';
      const r = await s.exec({ argv: ['python3', '-c', make] }).done;
      assert.equal(r.exitCode, 0, r.stderr.toString());
      await assert.rejects(
        s.list('', { depth: 8 }),
        (e: unknown) =>
          e instanceof FileError && e.code === 'TOO_LARGE' && /list a directory further down/.test(e.message),
      );
      assert.deepEqual(
        (await s.list('', { depth: 2 })).map((e) => e.path),
        ['a'.repeat(200), `${'a'.repeat(200)}/${'b'.repeat(200)}`],
      );
    } finally {
      await s.close();
    }
  });

  it('a file operation a program in the box stops (SIGSTOP) fails in its time, and the session lives on', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      // a read that takes long enough to be seen, on any machine
      await run(s, 'head -c 33554432 /dev/zero > big; echo x > a.txt');
      // stops every new process that is the init's fork: each file operation is one
      const stopper = [
        'import os, signal, time',
        'seen = set(os.listdir("/proc"))',
        'print("ready", flush=True)',
        'while True:',
        '    for p in os.listdir("/proc"):',
        '        if p.isdigit() and p not in seen and int(p) > 2:',
        '            seen.add(p)',
        '            try:',
        '                if b"codebox/init" in open(f"/proc/{p}/cmdline", "rb").read(): os.kill(int(p), signal.SIGSTOP)',
        '            except OSError: pass',
        '    time.sleep(0.001)',
      ].join('\n');
      let said = '';
      const bg = s.exec({ argv: ['python3', '-c', stopper] }, { onOutput: (_k, c) => (said += c.toString()) });
      await until(() => said.includes('ready'), 30_000);
      // the stopper may miss a read that ends first: one of five is enough
      let caught = false;
      for (let i = 0; i < 5 && !caught; i++) {
        const t0 = Date.now();
        caught = await s.readFile('big').then(
          () => false,
          (e: unknown) => {
            assert.ok(e instanceof FileError && /took over/.test(e.message), String(e));
            assert.ok(Date.now() - t0 < 60_000, `failed after ${Date.now() - t0} ms`);
            return true;
          },
        );
      }
      assert.ok(caught, 'the stopper caught none of five reads');
      bg.kill();
      await bg.done;
      assert.equal((await s.readFile('a.txt')).toString(), 'x\n');
    } finally {
      await s.close();
    }
  });

  it('a link planted in the work dir is never followed by a file operation', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      // the box user's own file outside /box, and a host-looking one: neither may be reached
      const plant = [
        'echo secret > /tmp/mine',
        'ln -s /tmp/mine file-link',
        'ln -s /etc/passwd passwd-link',
        'ln -s /tmp dir-link',
        'mkdir real && ln -s /tmp real/inner',
        'mkfifo fifo',
      ].join(' && ');
      assert.equal((await run(s, plant)).exitCode, 0);
      for (const p of ['file-link', 'passwd-link', 'dir-link/mine', 'real/inner/mine']) {
        await assert.rejects(s.readFile(p), (e: FileError) => e.code === 'LINK', `read ${p}`);
      }
      await assert.rejects(s.writeFile('file-link', 'overwritten'), (e: FileError) => e.code === 'LINK');
      await assert.rejects(s.writeFile('dir-link/new', 'x'), (e: FileError) => e.code === 'LINK');
      await assert.rejects(s.list('dir-link'), (e: FileError) => e.code === 'LINK');
      await assert.rejects(s.mkdir('dir-link/sub'), (e: FileError) => e.code === 'LINK');
      await assert.rejects(s.remove('dir-link/mine'), (e: FileError) => e.code === 'LINK');
      // a FIFO is refused at once, not waited on
      await assert.rejects(s.readFile('fifo'), (e: FileError) => e.code === 'NOT_A_FILE');
      await assert.rejects(s.writeFile('fifo', 'x'), (e: FileError) => e.code === 'NOT_A_FILE');
      // removing a link removes the link, not what it points to
      await s.remove('dir-link');
      const after = await run(s, 'cat /tmp/mine; ls /tmp; test -e dir-link || echo gone');
      assert.equal(out(after), 'secret\nmine\ngone\n', 'the target untouched');
      assert.equal(out(await run(s, 'cat /tmp/mine')), 'secret\n', 'the write through the link did not happen');
      // a listing shows a link as a link and does not descend into it
      const listed = await s.list('', { depth: 5 });
      assert.equal(listed.find((e) => e.path === 'real/inner')?.type, 'symlink');
      assert.ok(!listed.some((e) => e.path.startsWith('real/inner/')), JSON.stringify(listed));
    } finally {
      await s.close();
    }
  });

  it('bad paths are refused before anything runs', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      for (const p of ['../x', '/etc/passwd', 'a/../b', 'a\0b', 'x'.repeat(300), 'a//b']) {
        await assert.rejects(s.readFile(p), SpecError, JSON.stringify(p));
        await assert.rejects(s.writeFile(p, 'x'), SpecError, JSON.stringify(p));
      }
      await assert.rejects(s.remove(''), SpecError);
      assert.throws(() => s.exec({ argv: [] }), SpecError);
      assert.throws(() => s.exec({ argv: ['true'], env: { 'BAD NAME': 'x' } }), SpecError);
    } finally {
      await s.close();
    }
  });

  it('an archive out ends when tar does, though a program in the box holds its stdout open', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      await run(s, 'head -c 4000000 /dev/urandom > big; echo small > small');
      // opens tar's stdout through /proc (tar is its user's to look into) and keeps it
      const holder = [
        'import os, time',
        'while True:',
        '    for p in os.listdir("/proc"):',
        '        try:',
        '            if p.isdigit() and open(f"/proc/{p}/comm").read().strip() == "tar":',
        '                fd = os.open(f"/proc/{p}/fd/1", os.O_WRONLY); print("held", flush=True); time.sleep(300)',
        '        except OSError: pass',
        '    time.sleep(0.001)',
      ].join('\n');
      let said = '';
      const bg = s.exec({ argv: ['python3', '-c', holder] }, { onOutput: (_k, c) => (said += c.toString()) });
      await new Promise((r) => setTimeout(r, 300));
      const tar = s.download();
      // not read yet: tar waits on a full pipe, where the holder finds it
      await until(() => said.includes('held'), 10_000);
      const t0 = Date.now();
      const chunks: Buffer[] = [];
      for await (const c of tar) chunks.push(c as Buffer);
      assert.ok(Date.now() - t0 < 10_000, `ended after ${Date.now() - t0} ms`);
      const into = await sandbox().openSession({ env: ENV });
      try {
        await into.upload(Readable.from([Buffer.concat(chunks)]), 'r');
        assert.equal(out(await run(into, 'cat r/small; wc -c < r/big')), 'small\n4000000\n');
      } finally {
        await into.close();
      }
      bg.kill();
      await bg.done;
    } finally {
      await s.close();
    }
  });

  it('the work dir as a tar stream, out of one session and into another', async () => {
    const a = await sandbox().openSession({ env: ENV });
    const b = await sandbox().openSession({ env: ENV });
    try {
      await run(a, 'mkdir -p p/q && echo one > p/q/f && echo two > g && chmod 700 g');
      const chunks: Buffer[] = [];
      for await (const c of a.download()) chunks.push(c as Buffer);
      await b.upload(Readable.from([Buffer.concat(chunks)]), 'restored');
      assert.equal(out(await run(b, 'cat restored/p/q/f restored/g; stat -c %a restored/g')), 'one\ntwo\n700\n');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a terminal: a shell that answers prompts, knows its size and is resized', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      const t = await s.terminal({ cols: 100, rows: 30 });
      let shown = '';
      t.onData((c) => {
        shown += c.toString();
      });
      t.write('stty size; read -p "your name? " n; echo "hello, $n"\r');
      await until(() => /your name\? $/.test(shown));
      t.write('ada\r');
      await until(() => shown.includes('hello, ada'));
      assert.match(shown, /30 100/);
      t.resize(120, 40);
      t.write('stty size; exit 3\r');
      const end = await t.done;
      assert.match(shown, /40 120/);
      assert.deepEqual(end, { exitCode: 3, signal: null });
      // two at once, each its own; a listener that comes as the terminal does misses nothing
      let xs = '';
      const [x, y] = await Promise.all([
        s.terminal({ argv: ['sh', '-c', 'echo x; tty && test -t 0 && echo is-a-tty'] }).then((x) => {
          x.onData((c) => (xs += c.toString()));
          return x;
        }),
        s.terminal({ argv: ['cat'] }),
      ]);
      assert.deepEqual(await x.done, { exitCode: 0, signal: null });
      assert.ok(xs.includes('is-a-tty'), xs);
      assert.match(xs, /^x\r\n\/dev\/pts\/\d+\r\n/, 'its own name in the box');
      y.close();
      assert.equal((await y.done).signal, 'SIGHUP');
    } finally {
      await s.close();
    }
  });

  it('a terminal is done when what it showed has all come, the last line too', async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      for (let i = 0; i < 20; i++) {
        const t = await s.terminal({
          argv: ['sh', '-c', `head -c ${64 * 1024} /dev/zero | tr '\\0' x; echo; echo end-${i}`],
        });
        let shown = '';
        t.onData((c) => (shown += c.toString()));
        assert.deepEqual(await t.done, { exitCode: 0, signal: null });
        assert.ok(
          shown.endsWith(`end-${i}\r\n`),
          `run ${i}: ${shown.length} bytes, ending ${JSON.stringify(shown.slice(-20))}`,
        );
        assert.equal(shown.length, 64 * 1024 + 2 + `end-${i}\r\n`.length);
      }
    } finally {
      await s.close();
    }
  });
});

describe('sessions: isolation and limits', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox({ prestart: 0 });

  it('two sessions share no files, /tmp, /dev/shm, processes, IPC or abstract sockets', async () => {
    const a = await sandbox().openSession({ env: ENV, network: 'loopback' });
    const b = await sandbox().openSession({ env: ENV, network: 'loopback' });
    try {
      const plant = [
        'for f in /box/mine /tmp/mine /dev/shm/mine; do echo a > $f; done',
        'ipcmk -Q >/dev/null',
        'sleep 300 &',
        // an abstract unix socket, listening
        `python3 -c "import socket,time; s=socket.socket(socket.AF_UNIX); s.bind(b'\\0codebox-probe'); s.listen(); time.sleep(300)" &`,
        'sleep 0.5; echo planted',
      ].join('\n');
      assert.equal(out(await run(a, plant)), 'planted\n');
      // the control: a sees all of it
      const look = [
        'cat /box/mine /tmp/mine /dev/shm/mine 2>/dev/null | wc -l',
        'ipcs -q | grep -c 0x',
        'cat /proc/[0-9]*/comm | grep -c sleep',
        `python3 -c "import socket; s=socket.socket(socket.AF_UNIX)
try:
  s.connect(b'\\0codebox-probe'); print('connected')
except OSError as e: print('refused')"`,
      ].join('; ');
      assert.equal(out(await run(a, look)), '3\n1\n1\nconnected\n');
      assert.equal(out(await run(b, look)), '0\n0\n0\nrefused\n');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a memory bomb in one command dies within the session limit; the session lives and says so', async () => {
    const s = await sandbox().openSession({ env: ENV, limits: { memoryBytes: 64 * 1024 * 1024 } });
    try {
      const r = await s.exec({ argv: ['python3', '-c', 'x = bytearray(512 * 1024 * 1024); print("allocated")'] }).done;
      assert.deepEqual([r.signal, r.oomKilled, out(r)], ['SIGKILL', true, '']);
      assert.ok((await s.usage()).oomKills >= 1);
      assert.equal(out(await run(s, 'echo still here')), 'still here\n');
    } finally {
      await s.close();
    }
  });

  it('processes that multiply stop at the session pids limit and the session lives', async () => {
    const s = await sandbox().openSession({ env: ENV, limits: { pids: 32 } });
    try {
      let most = 0;
      // every fork that succeeds stays: the group fills to the limit and keeps trying
      const multiply = [
        'import os, time',
        'while True:',
        '    try:',
        '        if os.fork() == 0:',
        '            time.sleep(100)',
        '            os._exit(0)',
        '    except OSError:',
        '        time.sleep(0.01)',
      ].join('\n');
      const bomb = s.exec({ argv: ['python3', '-c', multiply], timeoutMs: 3_000 }).done;
      let over = false;
      void bomb.finally(() => (over = true));
      while (!over) {
        most = Math.max(most, (await s.usage()).processes);
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await bomb).timedOut, true);
      assert.ok(most >= 30 && most <= 33, `at most ${most} processes: at the limit, never past it (and bwrap)`);
      await until(async () => (await s.usage()).processes <= 3, 10_000);
      assert.equal(out(await run(s, 'echo alive')), 'alive\n');
    } finally {
      await s.close();
    }
  });

  it("its init is not the programs' to read: no memory, no environment, no descriptors", async () => {
    const s = await sandbox().openSession({ env: ENV });
    try {
      const r = await run(
        s,
        'cat /proc/2/comm; for f in mem environ; do cat /proc/2/$f >/dev/null 2>&1 && echo read $f; done; ls /proc/2/fd 2>/dev/null | wc -l; cat /proc/$$/environ >/dev/null && echo own',
      );
      // the controls: pid 2 is the init, and a process's own files are readable
      assert.equal(out(r), 'init\n0\nown\n');
    } finally {
      await s.close();
    }
  });

  it('ends on close, or when its init is killed, leaving no process, group, mount or work dir', async () => {
    const sb = sandbox();
    const s = await sb.openSession({ env: ENV });
    await run(s, 'sleep 300 & sleep 300 & true');
    // the controls: the probes see the live session
    assert.ok(
      processesInUidRange().some((p) => p.endsWith(':sleep')),
      processesInUidRange().join(' '),
    );
    assert.ok(workDirsOf(sb.instance).includes(s.name));
    assert.ok(mountsUnder(WORK_ROOT).some((m) => m.endsWith(`/${s.name}`)));
    const end = await s.close();
    assert.equal(end.reason, 'closed');
    assert.ok(end.usage.cpuMs >= 0 && end.usage.memoryPeakBytes > 0);
    await sb.idle();
    assert.deepEqual(processesInUidRange(), []);
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sb.instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    assert.deepEqual(workDirsOf(sb.instance), []);
    assert.throws(() => s.exec({ argv: ['true'] }), /closed/);

    // a program that kills the init ends its own session, and only that
    const t = await sb.openSession({ env: ENV });
    const r = t.exec({ argv: ['sh', '-c', 'kill -9 2'] }).done;
    const ended = await t.ended;
    assert.equal(ended.reason, 'box-ended');
    await r.catch(() => undefined);
    await sb.idle();
    assert.deepEqual(processesInUidRange(), []);
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sb.instance}`), []);
    assert.deepEqual(mountsUnder(WORK_ROOT), []);
    await assert.rejects(t.readFile('x'), /ended/);
  });

  it('a program that stops the init (kill -STOP) ends its own session: no call waits on a frozen box', async () => {
    const sb = sandbox();
    const s = await sb.openSession({ env: ENV });
    const t0 = Date.now();
    // the stopper itself never hears back: the init it stopped would have told
    const stopper = s.exec({ argv: ['sh', '-c', 'kill -STOP 2'] }).done.catch((e: unknown) => e);
    const ended = await s.ended;
    assert.equal(ended.reason, 'box-ended');
    assert.ok(Date.now() - t0 < 10_000, `ended after ${Date.now() - t0} ms`);
    await stopper;
    await assert.rejects(s.readFile('x'), /ended/);
    await sb.idle();
    assert.deepEqual(processesInUidRange(), []);
    assert.deepEqual(await boxGroupsLeft(`${CGROUP_PARENT}/${sb.instance}`), []);
  });
});

/** The engine's API as a caller uses it: files, streaming, abort, spec errors, another root. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { createSandbox, SpecError } from '@codebox/sandbox';
import type { RunSpec } from '@codebox/sandbox';
import { boxSkip, ENV, IMAGE_ROOT, makeTinyRoot, TEST_CONFIG, text, useSandbox } from '../support.js';

describe('engine API', { skip: boxSkip() }, () => {
  const sandbox = useSandbox();

  test('signals are named by their usual names (SIGABRT, not its alias SIGIOT)', async () => {
    for (const [sig, name] of [
      ['ABRT', 'SIGABRT'],
      ['CHLD', null],
      ['IO', 'SIGIO'],
      ['SEGV', 'SIGSEGV'],
    ] as const) {
      const r = await sandbox().run({
        argv: ['sh', '-c', `trap - ${sig}; kill -${sig} $$; sleep 0.2; exit 7`],
        env: ENV,
      });
      // SIGCHLD is ignored by default: the shell goes on and exits 7
      assert.equal(r.signal, name, `${sig}: ${JSON.stringify(r)}`);
    }
  });

  test('files land in /box with their modes and directories, owned by the box user', async () => {
    const r = await sandbox().run({
      argv: ['sh', '-c', 'stat -c "%n %a %U" main.sh src/lib.txt; ./main.sh'],
      env: ENV,
      files: [
        { path: 'main.sh', content: '#!/bin/sh\necho ran\n', mode: 0o755 },
        { path: 'src/lib.txt', content: Buffer.from([0x00, 0xff]) },
      ],
    });
    assert.equal(text(r).out, 'main.sh 755 box\nsrc/lib.txt 644 box\nran\n');
  });

  test('output streams while the program runs', async () => {
    const chunks: [string, number][] = [];
    const r = await sandbox().run(
      { argv: ['sh', '-c', 'echo first; sleep 0.5; echo second'], env: ENV },
      { onOutput: (_stream, chunk) => void chunks.push([chunk.toString(), performance.now()]) },
    );
    const finished = performance.now();
    assert.equal(text(r).out, 'first\nsecond\n');
    assert.equal(chunks[0]?.[0], 'first\n');
    assert.ok(finished - (chunks[0]?.[1] ?? finished) >= 400, 'the first line came half a second before the end');
  });

  test('an abort kills the box: killedBy abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const r = await sandbox().run({ argv: ['sleep', '30'], env: ENV }, { signal: controller.signal });
    assert.equal(r.killedBy, 'abort');
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.wallMs < 2000);
  });

  test('a bad spec is a SpecError naming the field, and runs nothing', async () => {
    let started = 0;
    const hooks = { onStart: () => void started++ };
    await assert.rejects(
      sandbox().run({ argv: ['true'], files: [{ path: '../escape', content: '' }] }, hooks),
      (e: unknown) => e instanceof SpecError && e.field === 'files[0].path',
    );
    await assert.rejects(
      sandbox().run({ argv: ['true'], limits: { memoryBytes: 2 ** 40 } }, hooks),
      (e: unknown) => e instanceof SpecError && e.field === 'limits.memoryBytes',
    );
    assert.equal(started, 0, 'no box started for a bad spec');
    // the control: the same hook counts a run that does start
    assert.equal((await sandbox().run({ argv: ['true'] }, hooks)).status, 'OK');
    assert.equal(started, 1);
  });

  test('a command that does not exist is the program’s failure, not the sandbox’s', async () => {
    const r = await sandbox().run({ argv: ['no-such-command'], env: ENV });
    assert.equal(r.status, 'RUNTIME_ERROR');
    assert.match(text(r).err, /no-such-command/);
  });

  test('another root filesystem: only what it holds is there', async (t) => {
    // a root holding dash and the libraries it links against, nothing else
    const root = makeTinyRoot(['/bin/dash']);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const r = await sandbox().run({ argv: ['/bin/dash', '-c', 'echo /*; echo /usr/*'], rootfs: root });
    assert.equal(r.status, 'OK', text(r).err);
    const [top, usr] = text(r).out.trim().split('\n');
    assert.equal(usr, '/usr/*', 'no /usr: the glob matched nothing');
    // and /run, which holds only the box init (native/box-init.c)
    assert.deepEqual(top?.split(' '), ['/bin', '/box', '/dev', '/lib', '/lib64', '/proc', '/run', '/tmp']);
  });
});

describe('prestarted launchers', { skip: boxSkip() }, () => {
  const sandbox = useSandbox({ prestart: 1 });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  test('a second run with the same limits uses a spare, and sees exactly what the first saw', async () => {
    const spec = { argv: ['/usr/bin/env'], env: { PATH: '/usr/bin:/bin', A: '1' } };
    const used: boolean[] = [];
    const outs: string[] = [];
    for (let i = 0; i < 2; i++) {
      await settle();
      const r = await sandbox().run(spec, { onStart: (s) => void used.push(s.prestarted) });
      outs.push(text(r).out);
    }
    assert.deepEqual(used, [true, true], 'spares were ready after a pause');
    assert.equal(outs[0], 'PATH=/usr/bin:/bin\nA=1\nPWD=/box\n');
    assert.equal(outs[1], outs[0]);
  });

  // what a program can see of its box, each case once through a box set up for it and
  // once through a prepared one: it must not tell them apart
  const SEEN = [
    'id',
    'echo "argv: $0 $*"',
    'ls -l /proc/self/fd | sed "1d; s/.* \\([0-9]* ->\\)/\\1/; s/\\[[0-9]*\\]/[N]/"',
    'cat /proc/self/limits',
    'df -B1 -i /box /tmp /dev/shm | tr -s " " | cut -d" " -f2-',
    'df -B1 /box /tmp /dev/shm | tr -s " " | cut -d" " -f2-',
    // mount ids, device numbers and the host uid bwrap's own mounts name differ from any
    // run to the next; the rest must not
    'cut -d" " -f4- /proc/self/mountinfo | sed "s/uid=[0-9]*,gid=[0-9]*/uid=U,gid=U/"',
    'ls -la --time-style=+ /box /tmp /dev /run | sed "s/ [0-9]* [A-Z][a-z]* [0-9]* [0-9:]* / /"',
    'cat in.txt; stat -c "%n %a %U %s" in.txt run.sh; head -c 5; echo',
    'hostname; cat /proc/self/cgroup; grep -E "^(Cap|NoNewPrivs|Seccomp|Uid|Gid|Groups)" /proc/self/status',
    'echo $$; ps -o pid=,comm= 2>/dev/null || ls /proc | grep -c "^[0-9]"',
    'trap "" INT; ulimit -a',
  ].join('; echo ---; ');

  test('with or without a spare, on the host and the image root: the same environment, lookup, limits, files and exit codes', async () => {
    // names a shell would set or read, no PATH, a missing and a non-executable command,
    // an argv larger than a shell loop should take, and what a program sees of its box
    // with the default limits and with its own (the cgroup's and the work dir's fitted to
    // a prepared box, the rlimits set by its init)
    const cases: RunSpec[] = [
      {
        argv: ['/usr/bin/env'],
        env: { PATH: '/usr/bin', i: 'mine', n: 'mine', PPID: 'mine', OPTIND: 'mine', IFS: 'x' },
      },
      { argv: ['true'], env: {} },
      { argv: ['no-such-command'], env: { PATH: '/usr/bin:/bin' } },
      { argv: ['/etc/passwd'], env: { PATH: '/usr/bin:/bin' } },
      {
        argv: ['sh', '-c', 'echo $#', 'sh', ...Array.from({ length: 3000 }, (_, i) => String(i))],
        env: { PATH: '/usr/bin:/bin' },
      },
      ...[{}, { memoryBytes: 96 << 20, openFiles: 50, fileSizeBytes: 1 << 20, workDirBytes: 8 << 20, pids: 9 }].map(
        (limits): RunSpec => ({
          argv: ['sh', '-c', SEEN, 'sh0', 'a b', ''],
          env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' },
          files: [
            { path: 'in.txt', content: 'placed\n' },
            { path: 'run.sh', content: '#!/bin/sh\n', mode: 0o750 },
          ],
          stdin: Buffer.from('stdin-bytes'),
          limits,
        }),
      ),
    ];
    const results = async (prestart: number, rootfs: string | undefined) => {
      const sb = await createSandbox({
        ...TEST_CONFIG,
        uidBase: (TEST_CONFIG.uidBase ?? 0) + 300 + prestart * 20 + (rootfs ? 10 : 0),
        uidCount: 8,
        prestart,
        prestartRootfs: rootfs,
      });
      const out = [];
      const spares: boolean[] = [];
      try {
        for (const spec of cases) {
          await sb.idle();
          const r = await sb.run(
            { ...spec, ...(rootfs ? { rootfs } : {}) },
            { onStart: (s) => void spares.push(s.prestarted) },
          );
          out.push({ status: r.status, exitCode: r.exitCode, stdout: text(r).out, stderr: text(r).err });
        }
      } finally {
        await sb.close();
      }
      // with spares on, every run took one
      assert.deepEqual(
        spares,
        cases.map(() => prestart > 0),
      );
      return out;
    };
    for (const rootfs of [undefined, ...(fs.existsSync(IMAGE_ROOT) ? [IMAGE_ROOT] : [])]) {
      const without = await results(0, rootfs);
      assert.deepEqual(
        without.map((r) => r.exitCode),
        [0, 0, 127, 126, 0, 0, 0],
        JSON.stringify(without),
      );
      assert.equal(without[0]?.stdout, 'PATH=/usr/bin\ni=mine\nn=mine\nPPID=mine\nOPTIND=mine\nIFS=x\nPWD=/box\n');
      assert.equal(without[4]?.stdout, '3000\n');
      // the controls: what the cases print shows the limits given
      assert.match(without[6]?.stdout ?? '', /^Max open files +50 +50 +files/m);
      assert.match(without[6]?.stdout ?? '', /^argv: sh0 a b $/m);
      assert.match(without[6]?.stdout ?? '', /^placed\nin\.txt 644 \S+ 7\nrun\.sh 750 \S+ 10\nstdin$/m);
      assert.notEqual(without[5]?.stdout, without[6]?.stdout);
      const withSpares = await results(2, rootfs);
      for (const [i, r] of withSpares.entries())
        assert.deepEqual(r, without[i], `case ${i} on ${rootfs ?? 'the host root'}: a prepared box differs`);
    }
  });

  test('spares never starve runs: with a single uid, a run on another root still gets it, also while the spare is being made', async () => {
    const sb = await createSandbox({
      ...TEST_CONFIG,
      uidBase: (TEST_CONFIG.uidBase ?? 0) + 400,
      uidCount: 1,
      prestart: 1,
    });
    // another root is another key: the waiting box cannot serve it, only give its uid up
    const root = makeTinyRoot(['/usr/bin/true']);
    try {
      // at once, while the engine's first box is still being made; then once it waits
      for (const wait of [false, true]) {
        if (wait) await sb.idle();
        const r = await Promise.race([
          sb.run({ argv: ['/usr/bin/true'], rootfs: root }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error(`run waited for a uid a spare held (wait ${wait})`)), 20_000),
          ),
        ]);
        assert.equal(r.status, 'OK');
      }
    } finally {
      await sb.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

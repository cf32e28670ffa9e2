/**
 * Host memory a box could pin outside its memory limit: kernel buffers. Each test fills
 * one kind of buffer from many processes at once (test/hostile/programs/kernel-buffers.py)
 * and counts the bytes the kernel took. Where the kernel charges a kind to the box's
 * memory cgroup, the box dies of its memory limit or the kernel refuses first; where it
 * would not (netlink sockets; TCP and UDP buffers on cgroup v1 unless the box's
 * kmem.tcp limit is set), the bytes held would run to gigabytes on a 64 MiB box.
 *
 * Runs on the host (v1 here) and in the pure cgroup-v2 guest (scripts/test-v2.sh), where
 * socket buffers are charged to memory.max.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { boxSkip, runProgram, text, useSandbox } from '../support.js';
import type { RunResult } from '@codebox/sandbox';

const MiB = 1 << 20;
const MEMORY = 64 * MiB;
/** processes filling at once; fewer in the slow v2 guest */
const PROCS = process.env.CODEBOX_TEST_BUFFER_PROCS ?? '8';
/**
 * What a 64 MiB box may hold in buffers of one kind: its memory, plus on v1 as much again
 * in socket buffers (kmem.tcp is a counter of its own there), plus the slack of the last
 * buffer filled before the kernel refused. Without the fixes: 2-10 GiB.
 */
const BOUND = 2.5 * MEMORY;

function held(r: RunResult): { total: number; refused?: number; lines: string } {
  const out = text(r).out;
  const refused = /^refused (\d+)$/m.exec(out);
  const totals = [...out.matchAll(/^total (\d+)$/gm)].map((m) => Number(m[1]));
  return {
    total: Math.max(0, ...totals),
    ...(refused ? { refused: Number(refused[1]) } : {}),
    lines: `${out.slice(-300)} ${text(r).err.slice(-300)}`,
  };
}

describe('kernel memory a box can pin outside its limit', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox();
  const fillFor = (kind: string, network: 'none' | 'loopback' = 'none') =>
    runProgram(sandbox(), 'kernel-buffers.py', {
      argv: [kind, PROCS],
      network,
      limits: { memoryBytes: MEMORY, pids: 32, cpuMs: 30_000, wallMs: 60_000 },
    });

  test('netlink sockets are refused: their queues are never charged to a box', async () => {
    for (const network of ['none', 'loopback'] as const) {
      const h = held(await fillFor('netlink', network));
      assert.ok(h.refused !== undefined, `netlink opened with network ${network}: ${h.lines}`);
      assert.ok(h.total === 0);
    }
  });

  test('without netlink, names still resolve: getaddrinfo(AI_ADDRCONFIG) and Node, by name, to the box’s own server', async () => {
    const py =
      "import socket\nprint(sorted({a[4][0] for a in socket.getaddrinfo('localhost', 80, flags=socket.AI_ADDRCONFIG)}))";
    for (const network of ['none', 'loopback'] as const) {
      const r = await sandbox().run({ argv: ['python3', '-S', '-c', py], env: { PATH: '/usr/bin:/bin' }, network });
      assert.match(text(r).out, /^\['127\.0\.0\.1'(, '::1')?\]\n$/, `${network}: ${text(r).err}`);
    }
    // Node looks names up with AI_ADDRCONFIG; a server on the box's loopback answers by name
    const js = [
      "const http = require('http');",
      "const s = http.createServer((q, a) => a.end('by name')).listen(0, '127.0.0.1', () => {",
      "  http.get(`http://localhost:${s.address().port}/`, (res) => { let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => { console.log(b); s.close(); }); });",
      '});',
    ].join('\n');
    const r = await sandbox().run({ argv: ['node', '-e', js], env: { PATH: '/usr/bin:/bin' }, network: 'loopback' });
    assert.equal(text(r).out, 'by name\n', text(r).err);
  });

  for (const kind of ['unix-stream', 'unix-dgram', 'pipe', 'sysv-msg', 'mqueue']) {
    test(`${kind} buffers are charged to the box: held within its memory`, async () => {
      const r = await fillFor(kind);
      const h = held(r);
      assert.equal(h.refused, undefined, h.lines);
      // the probe ran: it filled something before the limit stopped it
      assert.ok(h.total > 0, `nothing queued: ${h.lines}`);
      assert.ok(
        h.total <= BOUND,
        `${kind}: ${(h.total / MiB).toFixed(0)} MiB held by a ${MEMORY / MiB} MiB box (${r.status})`,
      );
    });
  }

  for (const kind of ['tcp', 'udp']) {
    test(`${kind} buffers on the box's own loopback are bounded by its memory`, async () => {
      const r = await fillFor(kind, 'loopback');
      const h = held(r);
      assert.equal(h.refused, undefined, h.lines);
      assert.ok(h.total > 0, `nothing queued: ${h.lines}`);
      assert.ok(
        h.total <= BOUND,
        `${kind}: ${(h.total / MiB).toFixed(0)} MiB held by a ${MEMORY / MiB} MiB box (${r.status})`,
      );
    });
  }

  test('no socket option enlarges a buffer past the host maximum (SO_*BUFFORCE needs CAP_NET_ADMIN)', async () => {
    const probe = [
      'import socket',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
      'for opt in (32, 33):  # SO_SNDBUFFORCE, SO_RCVBUFFORCE',
      '    try:',
      '        s.setsockopt(socket.SOL_SOCKET, opt, 1 << 30); print(opt, 0)',
      '    except OSError as e: print(opt, e.errno)',
    ].join('\n');
    const r = await sandbox().run({ argv: ['python3', '-S', '-c', probe], env: { PATH: '/usr/bin:/bin' } });
    assert.equal(text(r).out, '32 1\n33 1\n', text(r).err);
  });

  test('pending signals and timers are capped per box (RLIMIT_SIGPENDING)', async () => {
    const probe = [
      'import ctypes, resource, signal, os',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGRTMIN])',
      'n = 0',
      'while libc.sigqueue(os.getpid(), int(signal.SIGRTMIN), ctypes.c_void_p(0)) == 0 and n < 10**6: n += 1',
      'print(n, ctypes.get_errno(), resource.getrlimit(resource.RLIMIT_SIGPENDING)[0])',
    ].join('\n');
    const r = await sandbox().run({ argv: ['python3', '-S', '-c', probe], env: { PATH: '/usr/bin:/bin' } });
    const [queued, errno, limit] = text(r).out.trim().split(' ').map(Number);
    assert.equal(errno, 11, text(r).err); // EAGAIN: the limit, not something else
    assert.ok(limit !== undefined && limit <= 4096, `RLIMIT_SIGPENDING ${limit}`);
    assert.ok(queued !== undefined && queued <= limit, `queued ${queued} signals`);
  });
});

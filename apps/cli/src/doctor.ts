/**
 * `codebox doctor`: is this host ready to make boxes, and what does a box see? First the
 * host's parts, each ready or not with what to do; then what makes cpu times noisy here,
 * with what to set (advice: timing.ts); then one probe per isolation layer, run in a real
 * box, printed beside what the host sees. Exit 0 when everything is ready.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { chooseRoot, imageBuilt, imageDir } from '@codebox/runtimes';
import { BOX_INIT_PACKAGES, boxInitState, createSandbox, DEFAULT_LIMITS } from '@codebox/sandbox';
import type { Sandbox } from '@codebox/sandbox';
import type { CliConfig } from './config.js';
import { timingChecks } from './timing.js';

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

function which(command: string): string | undefined {
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (fs.existsSync(`${dir}/${command}`)) return `${dir}/${command}`;
  }
  return undefined;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function version(command: string, args: string[]): string {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 })
        .split('\n')[0]
        ?.trim() ?? ''
    );
  } catch {
    return '';
  }
}

export function hostChecks(config: CliConfig): Check[] {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string): void => void checks.push({ name, ok, detail });
  add(
    'root',
    process.getuid?.() === 0,
    process.getuid?.() === 0 ? 'running as root' : 'boxes need root (cgroups, mounts): run as root',
  );
  const bwrap = which('bwrap');
  add(
    'bubblewrap',
    bwrap !== undefined,
    bwrap ? `${bwrap} (${version(bwrap, ['--version'])})` : 'missing: apt-get install bubblewrap',
  );
  const prlimit = which('prlimit');
  add('prlimit', prlimit !== undefined, prlimit ?? 'missing: apt-get install util-linux');
  const seccomp = [
    '/usr/lib/x86_64-linux-gnu/libseccomp.so.2',
    '/usr/lib/aarch64-linux-gnu/libseccomp.so.2',
    '/lib/x86_64-linux-gnu/libseccomp.so.2',
    '/usr/lib64/libseccomp.so.2',
  ].find((f) => fs.existsSync(f));
  add('libseccomp', seccomp !== undefined, seccomp ?? 'missing: apt-get install libseccomp2');
  const userns = Number(read('/proc/sys/user/max_user_namespaces') ?? '0');
  const debianGate = read('/proc/sys/kernel/unprivileged_userns_clone');
  add(
    'user namespaces',
    userns > 0 && debianGate !== '0',
    userns > 0 && debianGate !== '0'
      ? `max_user_namespaces ${userns}`
      : 'off: sysctl user.max_user_namespaces=10000 (and kernel.unprivileged_userns_clone=1 on Debian)',
  );
  const [major = 0, minor = 0] = os
    .release()
    .split('.')
    .map((n) => Number.parseInt(n, 10));
  add('kernel', major > 5 || (major === 5 && minor >= 6), `${os.release()} (openat2 needs 5.6)`);
  const v2 = read('/sys/fs/cgroup/cgroup.controllers');
  const v1 = ['memory', 'cpu', 'cpuacct', 'pids'].filter((c) => fs.existsSync(`/sys/fs/cgroup/${c}`));
  const cgroups = v2?.split(' ').includes('memory')
    ? `v2 (${v2})`
    : v1.length === 4
      ? `v1 (${v1.join(', ')})`
      : undefined;
  add('cgroups', cgroups !== undefined, cgroups ?? 'no cgroup v2 with memory, nor v1 memory/cpu/cpuacct/pids');
  const init = boxInitState();
  const cc = ['cc', 'gcc', 'clang'].some((c) => which(c) !== undefined);
  add(
    'box init',
    init === 'built' || cc,
    init === 'built'
      ? 'built (packages/sandbox/native/box-init.c)'
      : cc
        ? `${init}: built when an engine starts`
        : `${init}, and no C compiler to build it: apt-get install -y ${BOX_INIT_PACKAGES}`,
  );
  const pattern = read('/proc/sys/kernel/core_pattern') ?? '';
  add(
    'core dumps',
    true,
    pattern.startsWith('|')
      ? `piped to ${pattern.slice(1).split(' ')[0]}: boxes never reach it (RLIMIT_CORE is one byte, pinned by the filter)`
      : `to files (${pattern || 'core'}): boxes write none (RLIMIT_CORE is one byte, pinned by the filter)`,
  );
  const image = imageDir(config.dataDir);
  add(
    'image root',
    true,
    imageBuilt(image) ? `built at ${image}` : `not built (optional: npm run rootfs); boxes use the host's /usr`,
  );
  const redis = which('redis-server');
  add(
    'redis-server',
    true,
    redis ? `${redis} (for npm start)` : 'not installed (npm start installs it, or set REDIS_URL)',
  );
  return checks;
}

/** one probe per layer: the box's answer comes from a command run in it */
const PROBES: readonly { layer: string; host: () => string; box: string }[] = [
  {
    layer: 'user',
    host: () => `uid ${process.getuid?.()} (${os.userInfo().username})`,
    box: 'echo "uid $(id -u) ($(id -un))"',
  },
  { layer: 'hostname', host: () => os.hostname(), box: 'cat /proc/sys/kernel/hostname' },
  {
    layer: 'processes',
    host: () => `${fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length} visible`,
    box: 'n=0; for d in /proc/[0-9]*; do n=$((n+1)); done; echo "$n visible"',
  },
  {
    layer: 'network',
    host: () => netDevices(read('/proc/net/dev') ?? ''),
    box: "sed -n '3,$p' /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' '",
  },
  { layer: 'root', host: () => fs.readdirSync('/').sort().join(' '), box: 'ls / | tr "\\n" " "' },
  {
    layer: 'mounts',
    host: () => `${(read('/proc/self/mountinfo') ?? '').split('\n').length} mounts`,
    box: 'echo "$(wc -l < /proc/self/mountinfo) mounts, / read-only: $(touch /x 2>/dev/null && echo no || echo yes)"',
  },
  {
    layer: 'core dumps',
    host: () => read('/proc/sys/kernel/core_pattern') ?? '',
    box: "grep 'core file' /proc/self/limits | tr -s ' ' | cut -d' ' -f5-",
  },
  {
    layer: 'limits',
    host: () => `${Math.round(os.totalmem() / 2 ** 20)} MiB, ${os.availableParallelism()} cpus`,
    box: `echo "memory ${DEFAULT_LIMITS.memoryBytes >> 20} MiB, pids ${DEFAULT_LIMITS.pids}, cpu ${DEFAULT_LIMITS.cpuMs} ms (cgroup $(cut -d: -f3 /proc/self/cgroup | head -1))"`,
  },
];

function netDevices(dev: string): string {
  return dev
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim())
    .filter(Boolean)
    .join(' ');
}

export async function doctorCommand(argv: readonly string[], config: CliConfig): Promise<number> {
  void argv;
  const checks = hostChecks(config);
  const width = Math.max(...checks.map((c) => c.name.length));
  process.stdout.write('host\n');
  for (const c of checks) process.stdout.write(`  ${c.ok ? 'ready' : 'NOT  '}  ${c.name.padEnd(width)}  ${c.detail}\n`);
  const timing = timingChecks(read, (dir) => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  });
  process.stdout.write('\ntiming (what makes cpu times noisy on this host; advice, not needed to run boxes)\n');
  for (const t of timing)
    process.stdout.write(`  ${t.steady ? 'steady' : 'noisy '}  ${t.name.padEnd(width)}  ${t.detail}\n`);
  const missing = checks.filter((c) => !c.ok);
  if (missing.length > 0) {
    process.stdout.write(`\nnot ready: ${missing.map((c) => c.name).join(', ')}\n`);
    return 1;
  }
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await createSandbox({ prestart: 0, ...config.sandbox });
    const root = chooseRoot(config.rootfs, config.dataDir);
    process.stdout.write(
      `\nwhat a box sees (${root.name} root, cgroup ${sandbox.cgroupVersion === 2 ? 'v2' : 'v1'}), beside the host\n`,
    );
    const rows: [string, string, string][] = [];
    for (const p of PROBES) {
      const r = await sandbox.run({
        argv: ['sh', '-c', p.box],
        env: { PATH: '/usr/bin:/bin' },
        ...(root.path ? { rootfs: root.path } : {}),
      });
      rows.push([
        p.layer,
        p.host(),
        r.status === 'OK' ? r.stdout.toString().trim() : `${r.status}: ${r.stderr.toString().trim()}`,
      ]);
    }
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.min(48, Math.max(4, ...rows.map((r) => r[1].length)));
    process.stdout.write(`  ${'layer'.padEnd(w0)}  ${'host'.padEnd(w1)}  box\n`);
    for (const [layer, host, box] of rows)
      process.stdout.write(
        `  ${layer.padEnd(w0)}  ${(host.length > w1 ? `${host.slice(0, w1 - 1)}…` : host).padEnd(w1)}  ${box}\n`,
      );
    process.stdout.write('\nready\n');
    return 0;
  } catch (err) {
    process.stdout.write(`\nnot ready: a box could not be made: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await sandbox?.close();
  }
}

/**
 * Before anything starts: the host programs a one-command start needs. Missing ones are
 * installed with apt when we are root on Debian or Ubuntu, saying so; otherwise the exact
 * command is printed and we stop.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** the static C library the box init links against (libc6-dev), where Debian and Ubuntu keep it */
const STATIC_LIBC = [
  '/usr/lib/x86_64-linux-gnu/libc.a',
  '/usr/lib/aarch64-linux-gnu/libc.a',
  '/usr/lib/libc.a',
  '/usr/lib64/libc.a',
];

const NEEDED: { command: string; pkg: string; why: string; embeddedOnly?: boolean; toBuildInit?: boolean }[] = [
  { command: 'bwrap', pkg: 'bubblewrap', why: 'the box launcher' },
  { command: 'prlimit', pkg: 'util-linux', why: 'rlimits on the launcher' },
  { command: 'setpriv', pkg: 'util-linux', why: 'the embedded Redis dies with codebox' },
  { command: 'redis-server', pkg: 'redis-server', why: 'the embedded Redis', embeddedOnly: true },
  // the language of the example npm start prints; the others are optional (npm run rootfs)
  { command: 'python3', pkg: 'python3', why: 'the example job' },
  // only until the box init is built (npm ci builds it where a compiler was there)
  { command: 'cc', pkg: 'gcc', why: 'builds the box init', toBuildInit: true },
  { command: 'libc.a', pkg: 'libc6-dev', why: 'the static C library the box init is built with', toBuildInit: true },
];

/** what preflight asks of the host; the real one, or a test's */
export interface Host {
  /** a command on PATH; `libc.a`: the static C library */
  has(command: string): boolean;
  isRoot(): boolean;
  /** runs apt-get with these arguments, output to our stdio; true when it succeeded */
  apt(args: string[]): boolean;
}

export const REAL_HOST: Host = {
  has: (command) =>
    command === 'libc.a'
      ? STATIC_LIBC.some((f) => fs.existsSync(f))
      : spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0,
  isRoot: () => process.getuid?.() === 0,
  apt: (args) =>
    spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0,
};

export interface PreflightNeeds {
  /** npm start runs its own Redis */
  readonly embeddedRedis: boolean;
  /** the box init is not built yet: the engine builds it at start */
  readonly buildInit: boolean;
}

export function preflight(needs: PreflightNeeds, log: (line: string) => void, host: Host = REAL_HOST): void {
  const missing = NEEDED.filter(
    (n) => (needs.embeddedRedis || !n.embeddedOnly) && (needs.buildInit || !n.toBuildInit) && !host.has(n.command),
  );
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const command = `apt-get install -y ${pkgs.join(' ')}`;
  for (const m of missing) log(`missing ${m.command} (${m.why})`);
  if (!host.isRoot() || !host.has('apt-get')) throw new Error(`install them first, as root: ${command}`);
  log(`installing: ${command}`);
  let ok = host.apt(['install', '-y', '-q', ...pkgs]);
  if (!ok) {
    log('apt-get install failed; updating the package lists and trying again');
    host.apt(['update', '-q']);
    ok = host.apt(['install', '-y', '-q', ...pkgs]);
  }
  const still = missing.filter((m) => !host.has(m.command));
  if (!ok || still.length > 0)
    throw new Error(
      `could not install ${(still.length > 0 ? still : missing).map((m) => m.pkg).join(' ')}: run ${command}`,
    );
}

/**
 * Before anything starts: the host programs a one-command start needs. Missing ones are
 * installed with apt when we are root on Debian or Ubuntu, saying so; otherwise the exact
 * command is printed and we stop.
 */
import { spawnSync } from 'node:child_process';

const NEEDED: { command: string; pkg: string; why: string; embeddedOnly?: boolean }[] = [
  { command: 'bwrap', pkg: 'bubblewrap', why: 'the box launcher' },
  { command: 'prlimit', pkg: 'util-linux', why: 'rlimits on the launcher' },
  { command: 'setpriv', pkg: 'util-linux', why: 'the embedded Redis dies with codebox' },
  { command: 'redis-server', pkg: 'redis-server', why: 'the embedded Redis', embeddedOnly: true },
  // the language of the example npm start prints; the others are optional (npm run rootfs)
  { command: 'python3', pkg: 'python3', why: 'the example job' },
];

/** what preflight asks of the host; the real one, or a test's */
export interface Host {
  has(command: string): boolean;
  isRoot(): boolean;
  /** runs apt-get with these arguments, output to our stdio; true when it succeeded */
  apt(args: string[]): boolean;
}

export const REAL_HOST: Host = {
  has: (command) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' }).status === 0,
  isRoot: () => process.getuid?.() === 0,
  apt: (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0,
};

export function preflight(embeddedRedis: boolean, log: (line: string) => void, host: Host = REAL_HOST): void {
  const missing = NEEDED.filter((n) => (embeddedRedis || !n.embeddedOnly) && !host.has(n.command));
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
  if (!ok || still.length > 0) throw new Error(`could not install ${(still.length > 0 ? still : missing).map((m) => m.pkg).join(' ')}: run ${command}`);
}

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
];

const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

export function preflight(embeddedRedis: boolean, log: (line: string) => void): void {
  const missing = NEEDED.filter((n) => (embeddedRedis || !n.embeddedOnly) && !has(n.command));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((m) => m.pkg))];
  const command = `apt-get install -y ${pkgs.join(' ')}`;
  for (const m of missing) log(`missing ${m.command} (${m.why})`);
  if (process.getuid?.() !== 0 || !has('apt-get')) {
    throw new Error(`install them first, as root: ${command}`);
  }
  log(`installing: ${command}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', ...pkgs], { stdio: 'inherit', env });
  if (r.status !== 0) {
    log('apt-get install failed; updating the package lists and trying again');
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '-q', ...pkgs], { stdio: 'inherit', env });
  }
  const still = missing.filter((m) => !has(m.command));
  if (r.status !== 0 || still.length > 0) throw new Error(`could not install ${still.map((m) => m.pkg).join(' ') || pkgs.join(' ')}: run ${command}`);
}

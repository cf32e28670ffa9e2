import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preflight } from './preflight.js';
import type { Host } from './preflight.js';

function fakeHost(present: string[], root: boolean, aptWorks: (args: string[]) => boolean) {
  const have = new Set(present);
  const calls: string[][] = [];
  const host: Host = {
    has: (c) => have.has(c),
    isRoot: () => root,
    apt: (args) => {
      calls.push(args);
      const ok = aptWorks(args);
      const command: Record<string, string> = { bubblewrap: 'bwrap', gcc: 'cc', 'libc6-dev': 'libc.a' };
      if (ok && args[0] === 'install') for (const p of args.slice(3)) have.add(command[p] ?? p);
      return ok;
    },
  };
  return { host, calls };
}

const WITH_REDIS = { embeddedRedis: true, buildInit: false };
const NO_REDIS = { embeddedRedis: false, buildInit: false };

test('nothing missing: nothing done', () => {
  const { host, calls } = fakeHost(
    ['bwrap', 'prlimit', 'setpriv', 'redis-server', 'python3', 'apt-get'],
    true,
    () => true,
  );
  preflight(WITH_REDIS, () => undefined, host);
  assert.deepEqual(calls, []);
  // the control: the same host without one of them is asked for it
  const missing = fakeHost(['bwrap', 'prlimit', 'setpriv', 'python3', 'apt-get'], true, () => true);
  preflight(WITH_REDIS, () => undefined, missing.host);
  assert.deepEqual(missing.calls, [['install', '-y', '-q', 'redis-server']]);
});

test('as root with apt: installs what is missing, saying so', () => {
  const lines: string[] = [];
  const { host, calls } = fakeHost(['prlimit', 'setpriv', 'python3', 'apt-get'], true, () => true);
  preflight(WITH_REDIS, (l) => lines.push(l), host);
  assert.deepEqual(calls, [['install', '-y', '-q', 'bubblewrap', 'redis-server']]);
  assert.ok(lines.includes('installing: apt-get install -y bubblewrap redis-server'));
});

test('a stale package list: update, then install again', () => {
  let tries = 0;
  const { host, calls } = fakeHost(
    ['prlimit', 'setpriv', 'apt-get', 'redis-server', 'python3'],
    true,
    (a) => a[0] === 'update' || ++tries > 1,
  );
  preflight(WITH_REDIS, () => undefined, host);
  assert.deepEqual(
    calls.map((c) => c[0]),
    ['install', 'update', 'install'],
  );
});

test('not root, or no apt: the exact command, and stop', () => {
  const { host } = fakeHost(['prlimit', 'setpriv', 'python3', 'apt-get'], false, () => true);
  assert.throws(
    () => preflight(WITH_REDIS, () => undefined, host),
    /install them first, as root: apt-get install -y bubblewrap redis-server$/,
  );
  const noApt = fakeHost(['prlimit', 'setpriv', 'bwrap', 'python3'], true, () => true).host;
  assert.throws(() => preflight(WITH_REDIS, () => undefined, noApt), /apt-get install -y redis-server$/);
});

test('with REDIS_URL, redis-server is not needed', () => {
  const { host, calls } = fakeHost(['bwrap', 'prlimit', 'setpriv', 'python3'], false, () => true);
  preflight(NO_REDIS, () => undefined, host);
  assert.deepEqual(calls, []);
  // the control: without REDIS_URL the same host is found wanting redis-server
  assert.throws(() => preflight(WITH_REDIS, () => undefined, host), /apt-get install -y redis-server$/);
});

test('the box init not built yet: a compiler and the static C library too, until it is', () => {
  const { host, calls } = fakeHost(
    ['bwrap', 'prlimit', 'setpriv', 'redis-server', 'python3', 'apt-get'],
    true,
    () => true,
  );
  preflight({ embeddedRedis: true, buildInit: true }, () => undefined, host);
  assert.deepEqual(calls, [['install', '-y', '-q', 'gcc', 'libc6-dev']]);
  const built = fakeHost(['bwrap', 'prlimit', 'setpriv', 'redis-server', 'python3', 'apt-get'], true, () => true);
  preflight(WITH_REDIS, () => undefined, built.host);
  assert.deepEqual(built.calls, []);
});

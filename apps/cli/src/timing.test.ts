import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timingChecks } from './timing.js';

/** a host as a map of its files */
function host(files: Record<string, string>) {
  const read = (f: string) => files[f];
  const list = (dir: string) => [
    ...new Set(
      Object.keys(files)
        .filter((f) => f.startsWith(`${dir}/`))
        .map((f) => f.slice(dir.length + 1).split('/')[0] as string),
    ),
  ];
  return timingChecks(read, list);
}

const C = '/sys/devices/system/cpu';

test('a noisy host: each row says what it has and what to set', () => {
  const rows = host({
    '/proc/sys/kernel/randomize_va_space': '2',
    '/sys/kernel/mm/transparent_hugepage/enabled': '[always] madvise never',
    '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer [madvise] never',
    [`${C}/cpu0/cpufreq/scaling_governor`]: 'powersave',
    [`${C}/cpu1/cpufreq/scaling_governor`]: 'powersave',
    [`${C}/intel_pstate/no_turbo`]: '0',
    [`${C}/smt/active`]: '1',
    [`${C}/cpu0/topology/thread_siblings_list`]: '0-1',
    [`${C}/cpu1/topology/thread_siblings_list`]: '0-1',
  });
  assert.deepEqual(
    rows.map((r) => [r.name, r.steady]),
    [
      ['ASLR', false],
      ['THP', false],
      ['governor', false],
      ['SMT', false],
    ],
  );
  assert.match(rows[0]?.detail ?? '', /sysctl -w kernel\.randomize_va_space=0/);
  assert.match(rows[1]?.detail ?? '', /^always .*echo madvise > \/sys\/kernel\/mm\/transparent_hugepage\/enabled/);
  assert.match(rows[2]?.detail ?? '', /^powersave: .*cpupower frequency-set -g performance.*no_turbo/);
  assert.match(rows[3]?.detail ?? '', /siblings 0-1.*smt\/control/);
});

test('a steady host: ASLR off, THP for those who ask, performance, no siblings', () => {
  const rows = host({
    '/proc/sys/kernel/randomize_va_space': '0',
    '/sys/kernel/mm/transparent_hugepage/enabled': 'always [madvise] never',
    '/sys/kernel/mm/transparent_hugepage/defrag': 'always defer defer+madvise [madvise] never',
    [`${C}/cpu0/cpufreq/scaling_governor`]: 'performance',
    [`${C}/cpu0/topology/thread_siblings_list`]: '0',
    [`${C}/smt/active`]: '0',
  });
  assert.ok(
    rows.every((r) => r.steady),
    JSON.stringify(rows),
  );
});

test('a VM without cpufreq: the governor is the hypervisor’s, said so', () => {
  const [, , governor] = host({ [`${C}/cpu0/topology/thread_siblings_list`]: '0' });
  assert.deepEqual(
    [governor?.steady, governor?.detail],
    [true, "no cpufreq: the frequency is the hypervisor's or fixed"],
  );
});

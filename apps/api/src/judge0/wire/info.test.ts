/**
 * Judge0's /workers, /system_info and /statistics in its shapes (health_controller.rb,
 * system_info.rb, info_controller.rb), from this server's facts. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanBytes, JUDGE0_VERSION, queueWorkers, statistics, systemInfo } from './index.js';

test("/workers: one queue named for the version, the live workers' slots as Resque's workers", () => {
  assert.deepEqual(
    queueWorkers(
      [
        { slots: 2, busy: 1 },
        { slots: 4, busy: 4 },
      ],
      7,
      1,
    ),
    [{ queue: '1.13.1', size: 7, available: 6, idle: 1, working: 5, paused: 0, failed: 1 }],
  );
  assert.deepEqual(queueWorkers([], 0, 0), [
    { queue: JUDGE0_VERSION, size: 0, available: 0, idle: 0, working: 0, paused: 0, failed: 0 },
  ]);
});

test("/system_info: lscpu's and free -h's names, the host's values", () => {
  assert.deepEqual(
    systemInfo({ arch: 'x64', cpus: 2, cpuModel: 'AMD EPYC', memoryBytes: 24 * 2 ** 30, swapBytes: 0 }),
    { Architecture: 'x86_64', 'CPU(s)': '2', 'Model name': 'AMD EPYC', Mem: '24Gi', Swap: '0B' },
  );
  assert.deepEqual(
    [humanBytes(1536 * 2 ** 20), humanBytes(1023), humanBytes(3 * 2 ** 40)],
    ['1.5Gi', '1023B', '3.0Ti'],
  );
});

test('/statistics: counted submissions by day and language, newest day first; Redis as the database', () => {
  const now = new Date('2026-03-31T12:00:00Z');
  const s = statistics(
    {
      byDay: new Map([
        ['2026-03-31', 3],
        ['2026-03-30', 2],
        ['2026-02-20', 9],
      ]),
      byLanguage: new Map([
        [71, 4],
        [54, 10],
      ]),
      databaseBytes: 3 * 2 ** 20,
    },
    (id) => (id === 71 ? 'Python (3.11.2)' : null),
    now,
    new Date('2026-03-31T12:10:00Z'),
  );
  assert.deepEqual(Object.keys(s), ['created_at', 'cached_until', 'submissions', 'languages', 'statuses', 'database']);
  const submissions = s.submissions as { total: number; today: number; last_30_days: Record<string, number> };
  assert.deepEqual([submissions.total, submissions.today], [14, 3]);
  const days = Object.entries(submissions.last_30_days);
  assert.equal(days.length, 30);
  assert.deepEqual(days[0], ['2026-03-30', 2]);
  assert.deepEqual(days[29], ['2026-03-01', 0]);
  assert.deepEqual(s.languages, [
    { language: { id: 54, name: null }, count: 10 },
    { language: { id: 71, name: 'Python (3.11.2)' }, count: 4 },
  ]);
  assert.deepEqual(s.database, { size_pretty: '3.0Mi', size_in_bytes: 3 * 2 ** 20 });
  assert.deepEqual(s.statuses, []);
});

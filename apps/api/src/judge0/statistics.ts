/**
 * Judge0's /statistics from what Redis knows: each submission counted as it is made, in a
 * hash per UTC day (its total and its languages) kept for 31 days, so the 30 days before
 * today are there; the database's size is Redis's memory in use. An answer is kept for
 * ten minutes (Judge0's cache), unless asked with invalidate_cache=true.
 */
import type { Keys, RedisConnection } from '@codebox/jobs';
import type { Counted } from './wire/index.js';

const KEEP_DAYS = 31;
const DAY_MS = 86_400_000;

export interface StatisticsDeps {
  readonly redis: RedisConnection;
  readonly keys: Keys;
}

const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** counts one submission, made now, in its language */
export async function countSubmission(d: StatisticsDeps, languageId: number, now = Date.now()): Promise<void> {
  const key = d.keys.judge0Stats(dayOf(now));
  await d.redis
    .multi()
    .hincrby(key, 'total', 1)
    .hincrby(key, `language:${languageId}`, 1)
    .expire(key, KEEP_DAYS * 86_400)
    .exec();
}

/** the counts of the days still kept, and Redis's memory */
export async function readCounts(d: StatisticsDeps, now = Date.now()): Promise<Counted> {
  const byDay = new Map<string, number>();
  const byLanguage = new Map<number, number>();
  for (let back = 0; back < KEEP_DAYS; back++) {
    const day = dayOf(now - back * DAY_MS);
    const counts = await d.redis.hgetall(d.keys.judge0Stats(day));
    for (const [field, value] of Object.entries(counts)) {
      if (field === 'total') byDay.set(day, Number(value));
      const id = /^language:(\d+)$/.exec(field)?.[1];
      if (id !== undefined) byLanguage.set(Number(id), (byLanguage.get(Number(id)) ?? 0) + Number(value));
    }
  }
  return { byDay, byLanguage, databaseBytes: await memoryBytes(d.redis) };
}

/** Redis's used_memory; 0 where it does not say (a cluster node that will not) */
async function memoryBytes(redis: RedisConnection): Promise<number> {
  try {
    const info = await (redis as { info(section: string): Promise<string> }).info('memory');
    return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

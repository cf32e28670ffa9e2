/**
 * What Judge0 1.13.1 says of itself beyond about and config_info (info_controller.rb,
 * health_controller.rb, system_info.rb), in its shapes, with values true of this server:
 * its workers' queue, the host it runs on, the submissions it has counted. Pure: the
 * routes read the facts.
 */

/** the Judge0 version this API is compatible with: /about's, /version's, and its queue's name */
export const JUDGE0_VERSION = '1.13.1';

/** GET /workers: one entry per queue, as Resque's are counted */
export interface QueueWorkers {
  queue: string;
  size: number;
  available: number;
  idle: number;
  working: number;
  paused: number;
  failed: number;
}

/**
 * The one queue and the live workers' slots (a Judge0 worker runs one job at a time, as a
 * slot does): available all slots, working the busy ones, idle the rest; failed the jobs
 * the queue holds as failed (kept an hour).
 */
export function queueWorkers(
  workers: readonly { slots: number; busy: number }[],
  waiting: number,
  failed: number,
): QueueWorkers[] {
  const available = workers.reduce((n, w) => n + w.slots, 0);
  const working = Math.min(
    available,
    workers.reduce((n, w) => n + Math.min(w.busy, w.slots), 0),
  );
  return [{ queue: JUDGE0_VERSION, size: waiting, available, idle: available - working, working, paused: 0, failed }];
}

/** what GET /system_info is made of: the API's host */
export interface HostFacts {
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  swapBytes: number;
}

/** `uname -m`'s names for Node's architectures, as lscpu says them */
const ARCHITECTURES: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686' };

/** GET /system_info: lscpu's and `free -h`'s lines Judge0 reads, for the API's host */
export function systemInfo(h: HostFacts): Record<string, string> {
  return {
    Architecture: ARCHITECTURES[h.arch] ?? h.arch,
    'CPU(s)': String(h.cpus),
    'Model name': h.cpuModel,
    Mem: humanBytes(h.memoryBytes),
    Swap: humanBytes(h.swapBytes),
  };
}

/** as `free -h` prints a size: 1024-based, one decimal under 10 (23Gi, 1.5Gi, 0B) */
export function humanBytes(n: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const shown = i > 0 && v < 10 ? v.toFixed(1) : String(Math.round(v));
  return `${shown}${units[i]}`;
}

/** what GET /statistics is made of: the submissions counted per day (UTC dates) and per language */
export interface Counted {
  /** YYYY-MM-DD → submissions made that day, for the days still counted */
  byDay: ReadonlyMap<string, number>;
  /** language id → submissions, over the days still counted */
  byLanguage: ReadonlyMap<number, number>;
  /** Redis's memory in use: Judge0's database size */
  databaseBytes: number;
}

/**
 * GET /statistics in Judge0's shape: submissions in all (over the days counted), today's
 * and each of the 30 days before today, newest first; languages by count; statuses: none
 * counted (the API does not see submissions end); the database is Redis.
 */
export function statistics(
  c: Counted,
  names: (id: number) => string | null,
  now: Date,
  cachedUntil: Date,
): Record<string, unknown> {
  const today = now.toISOString().slice(0, 10);
  const lastDays: Record<string, number> = {};
  for (let back = 1; back <= 30; back++) {
    const day = new Date(Date.parse(`${today}T00:00:00Z`) - back * 86_400_000).toISOString().slice(0, 10);
    lastDays[day] = c.byDay.get(day) ?? 0;
  }
  return {
    created_at: now.toISOString(),
    cached_until: cachedUntil.toISOString(),
    submissions: {
      total: [...c.byDay.values()].reduce((n, v) => n + v, 0),
      today: c.byDay.get(today) ?? 0,
      last_30_days: lastDays,
    },
    languages: [...c.byLanguage]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([id, count]) => ({ language: { id, name: names(id) }, count })),
    statuses: [],
    database: { size_pretty: humanBytes(c.databaseBytes), size_in_bytes: c.databaseBytes },
  };
}

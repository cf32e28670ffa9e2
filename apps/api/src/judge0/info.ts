/**
 * What Judge0 says of itself and its languages: statuses, about, config_info, languages,
 * and info_controller.rb's and health_controller.rb's routes — workers, system_info,
 * statistics, version, isolate, license — in Judge0's shapes, with values true of this
 * server (wire/info.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import { Router } from 'express';
import type { Response } from 'express';
import type { Queue } from 'bullmq';
import type { QueuedJob } from '@codebox/jobs';
import type { CatalogReader } from '../catalog.js';
import { JUDGE0_ERRORS, refuse } from './errors.js';
import { judge0Runtimes } from './runtimes.js';
import { readCounts } from './statistics.js';
import type { StatisticsDeps } from './statistics.js';
import {
  activeLanguages,
  allLanguages,
  configInfo,
  JUDGE0_STATUSES,
  JUDGE0_VERSION,
  languageDetail,
  languageName,
  queueWorkers,
  statistics,
  systemInfo,
} from './wire/index.js';

const ABOUT = {
  version: JUDGE0_VERSION,
  homepage: 'https://judge0.com',
  source_code: 'https://github.com/judge0/judge0',
  maintainer: 'codebox (a Judge0 CE 1.13-compatible API)',
};
/** Judge0 keeps its statistics this long */
const STATISTICS_CACHE_MS = 10 * 60_000;

export interface InfoDeps extends StatisticsDeps {
  readonly prefix: string;
  readonly catalog: CatalogReader;
  readonly queueMax: number;
  readonly queue: Queue<QueuedJob>;
  /** codebox's own version */
  readonly version: string;
}

export function infoRoutes(d: InfoDeps): Router {
  const r = Router();
  const p = d.prefix;
  r.get(`${p}/statuses`, (_req, res) => void res.json(JUDGE0_STATUSES));
  r.get(`${p}/about`, (_req, res) => void res.json(ABOUT));
  r.get(`${p}/config_info`, (_req, res) => void res.json(configInfo(d.queueMax)));
  r.get(`${p}/languages`, async (_req, res) => {
    res.json(activeLanguages(await judge0Runtimes(d.catalog)));
  });
  // before /languages/:id, which would take `all` for an id
  r.get(`${p}/languages/all`, async (_req, res) => {
    res.json(allLanguages(await judge0Runtimes(d.catalog)));
  });
  r.get(`${p}/languages/:id`, async (req, res) => {
    const id = Number(req.params.id);
    const rt = (await judge0Runtimes(d.catalog)).get(id);
    if (!rt) return refuse(res, JUDGE0_ERRORS.noLanguage(req.params.id));
    res.json(languageDetail(id, rt));
  });
  r.get(`${p}/workers`, async (_req, res) => {
    const { workers } = await d.catalog.read();
    res.json(queueWorkers(workers, await d.queue.getWaitingCount(), await d.queue.getFailedCount()));
  });
  r.get(`${p}/system_info`, (_req, res) => void res.json(systemInfo(hostFacts())));
  r.get(`${p}/statistics`, statisticsRoute(d));
  r.get(`${p}/version`, (_req, res) => plain(res, JUDGE0_VERSION));
  r.get(`${p}/isolate`, (_req, res) =>
    plain(res, `codebox ${d.version}: each run in a bubblewrap box with cgroup limits, in place of isolate\n`),
  );
  r.get(`${p}/license`, (_req, res) =>
    plain(res, 'codebox is licensed under the Apache License, Version 2.0 (SPDX: Apache-2.0)\n'),
  );
  return r;
}

/** Judge0 renders these as plain text */
function plain(res: Response, text: string): void {
  res.type('text/plain').send(text);
}

/** GET /statistics: kept ten minutes, as Judge0 keeps it; invalidate_cache=true reads afresh */
function statisticsRoute(d: InfoDeps) {
  let cached: { until: number; body: Record<string, unknown> } | undefined;
  return async (req: { query: Record<string, unknown> }, res: Response): Promise<void> => {
    const now = Date.now();
    if (!cached || now >= cached.until || req.query.invalidate_cache === 'true') {
      const ids = await judge0Runtimes(d.catalog);
      const names = (id: number) => {
        const rt = ids.get(id);
        return rt ? languageName(id, rt) : null;
      };
      const until = now + STATISTICS_CACHE_MS;
      cached = { until, body: statistics(await readCounts(d, now), names, new Date(now), new Date(until)) };
    }
    res.json(cached.body);
  };
}

/** the API's host, as lscpu and free see it */
function hostFacts() {
  const cpus = os.cpus();
  return {
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? '',
    memoryBytes: os.totalmem(),
    swapBytes: swapBytes(),
  };
}

function swapBytes(): number {
  try {
    const kb = /^SwapTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

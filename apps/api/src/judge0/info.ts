/** What Judge0 says of itself and its languages: statuses, about, config_info, languages. */
import { Router } from 'express';
import type { CatalogReader } from '../catalog.js';
import { JUDGE0_ERRORS, refuse } from './errors.js';
import { judge0Runtimes } from './runtimes.js';
import { activeLanguages, allLanguages, configInfo, JUDGE0_STATUSES, languageDetail } from './wire/index.js';

const ABOUT = {
  version: '1.13.1',
  homepage: 'https://judge0.com',
  source_code: 'https://github.com/judge0/judge0',
  maintainer: 'codebox (a Judge0 CE 1.13-compatible API)',
};

export interface InfoDeps {
  readonly prefix: string;
  readonly catalog: CatalogReader;
  readonly queueMax: number;
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
  return r;
}

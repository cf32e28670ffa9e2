/**
 * The browser tests' stage: `npm start` as a process of its own (its embedded Redis, a
 * worker making real boxes, the API serving the pages), and Debian's Chromium driven by
 * playwright-core (playwright's own browser download is not used). Each step's
 * screenshot goes to a directory of the run's, named in the test output.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { exited, spawnRole, stopNaming, waitForLine } from '../service/processes.js';
import { serviceSkip } from '../service/stack.js';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * The `skip` option of a browser suite: what the service tests need, and Chromium. CI sets
 * CODEBOX_REQUIRE_BROWSER=1 (and installs chromium): there a missing one fails the suite.
 */
export function browserSkip(): string | false {
  const service = serviceSkip();
  if (service) return service;
  if (process.env.CODEBOX_REQUIRE_BROWSER === '1') return false;
  if (!fs.existsSync(CHROMIUM)) return `needs Chromium at ${CHROMIUM} (apt-get install chromium)`;
  return false;
}

export interface Stage {
  /** the API's URL, e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly browser: Browser;
  /** where the screenshots go */
  readonly shots: string;
  /** a fresh browser context (its own storage), on a desktop screen unless told */
  context(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** a page of a fresh context, recording every request that leaves the API's origin */
  page(options?: BrowserContextOptions): Promise<{ page: Page; elsewhere: string[] }>;
  /** the page (all of it, with fullPage) as a PNG in the screenshots' directory */
  shot(page: Page, name: string, fullPage?: boolean): Promise<string>;
}

/**
 * `npm start` with these variables, and a browser, for a describe block: started before
 * its tests, stopped after (the server by SIGTERM, as a person stops it).
 */
export function useStage(env: Record<string, string>): Stage {
  const t = {} as { server: ChildProcess; dataDir: string; url: string; browser: Browser; shots: string };
  before(async () => {
    t.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-web-data-'));
    t.shots = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-web-shots-'));
    t.server = spawnRole('server', { CODEBOX_DATA_DIR: t.dataDir, ...env });
    const { match } = await waitForLine(t.server, /codebox is up: (http:\/\/\S+)/, 60_000);
    t.url = match[1] ?? '';
    t.browser = await chromium.launch({ executablePath: CHROMIUM });
    process.stdout.write(`screenshots: ${t.shots}\n`);
  });
  after(async () => {
    await t.browser?.close();
    if (t.server) {
      t.server.kill('SIGTERM');
      await exited(t.server, 40_000).catch(() => t.server.kill('SIGKILL'));
    }
    if (t.dataDir) {
      await stopNaming(t.dataDir);
      fs.rmSync(t.dataDir, { recursive: true, force: true });
    }
  });
  const context = (options: BrowserContextOptions = {}) =>
    t.browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  return {
    get url() {
      return t.url;
    },
    get browser() {
      return t.browser;
    },
    get shots() {
      return t.shots;
    },
    context,
    page: async (options) => {
      const page = await (await context(options)).newPage();
      const elsewhere: string[] = [];
      page.on('request', (r) => {
        const u = r.url();
        if (!u.startsWith(`${t.url}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) elsewhere.push(u);
      });
      return { page, elsewhere };
    },
    shot: async (page, name, fullPage = false) => {
      const file = path.join(t.shots, `${name}.png`);
      await page.screenshot({ path: file, fullPage });
      return file;
    },
  };
}

/**
 * The playground, the API reference and the queue dashboard as a person uses them, in
 * Chromium, on `npm start` with API keys and the admin key on: a Python program that reads
 * stdin and prints in a loop, its lines seen before its end, then its verdict; a C++
 * compile error apart from the output; a judge run with a passing and a failing test;
 * every language's hello world; the key asked for once; a shared link; a narrow screen;
 * the reference rendered offline; the dashboard refused without the admin key and listing
 * the finished jobs with it. Each step leaves a screenshot.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { browserSkip, useStage } from './browser.js';

const API_KEY = 'web-test-key-0123456789';
const ADMIN_KEY = 'web-admin-key-0123456789';

/** the first line arrives, then four more, 400 ms apart: long enough to watch */
const STREAMING = [
  'import sys, time',
  'name = sys.stdin.readline().strip()',
  'for i in range(1, 6):',
  '    print(f"{i}: hello, {name}", flush=True)',
  '    time.sleep(0.4)',
  '',
].join('\n');

describe('the playground in Chromium', { skip: browserSkip() }, () => {
  const stage = useStage({ CODEBOX_API_KEYS: API_KEY, CODEBOX_ADMIN_KEY: ADMIN_KEY });
  /** a browser that has the key already (asked for once, kept: the first test shows it) */
  const withKey = (options: BrowserContextOptions = {}): BrowserContextOptions => ({
    storageState: {
      cookies: [],
      origins: [{ origin: stage.url, localStorage: [{ name: 'codebox.apiKey', value: API_KEY }] }],
    },
    ...options,
  });
  const open = async (options?: BrowserContextOptions, hash = '') => {
    const opened = await stage.page(options);
    await opened.page.goto(`${stage.url}/${hash}`);
    await opened.page.locator('#language:not([disabled])').waitFor();
    return opened;
  };
  /** ids of the jobs the pages made, for the dashboard to list */
  const jobIds: string[] = [];
  const recordJobs = (page: Page) =>
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/v1/jobs') && r.status() === 202)
        void r.json().then((j: { id: string }) => jobIds.push(j.id));
    });

  it('asks for the API key on the first run, once, and keeps it', async () => {
    const { page, elsewhere } = await open();
    recordJobs(page);
    await page.locator('#run').click();
    const dialog = page.locator('#key-dialog');
    await dialog.waitFor();
    assert.match(await page.locator('#key-message').innerText(), /API keys/);
    await stage.shot(page, '01-key-asked');
    await page.locator('#key-input').fill(API_KEY);
    await page.locator('#key-dialog button[value="save"]').click();
    await verdict(page, 'run', 'OK');
    assert.equal(await output(page), 'Hello, world!\n');
    // a new page of the same browser: no question
    await page.reload();
    await page.locator('#language:not([disabled])').waitFor();
    await page.locator('#run').click();
    await verdict(page, 'run', 'OK');
    assert.equal(await dialog.isVisible(), false);
    assert.equal(await page.locator('#key-button').isVisible(), true, 'the key can be changed or forgotten');
    assert.deepEqual(elsewhere, []);
    await page.context().close();
  });

  it('Python: lines arrive while the program runs, then the verdict with cpu, wall and memory', async () => {
    const { page, elsewhere } = await open(withKey());
    recordJobs(page);
    await pickLanguage(page, 'python');
    await setCode(page, STREAMING);
    await page.locator('#stdin').fill('Ada\n');
    const before = await boxes(page);
    // the keyboard shortcut, from the editor
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await page.locator('#output', { hasText: '1: hello, Ada' }).waitFor();
    const firstAt = Date.now();
    const early = await output(page);
    assert.doesNotMatch(early, /5: hello/, 'the first line came before the last was printed');
    assert.equal(await page.locator('#run-verdict .badge').count(), 0, 'no verdict yet');
    assert.equal(await page.locator('#run').innerText(), 'Stop');
    await page.locator('#output', { hasText: '2: hello, Ada' }).waitFor();
    await stage.shot(page, '02-python-streaming');
    const during = await boxes(page);
    await verdict(page, 'run', 'OK');
    assert.ok(Date.now() - firstAt > 1_000, 'the verdict came well after the first line');
    assert.equal(await output(page), [1, 2, 3, 4, 5].map((i) => `${i}: hello, Ada\n`).join(''));
    const facts = await page.locator('#run-verdict .fact').allInnerTexts();
    assert.deepEqual(
      facts.map((f) => f.split(' ')[0]),
      ['exit', 'cpu', 'wall', 'memory'],
    );
    assert.match(facts[2] ?? '', /^wall (\d{4}) ms$/);
    assert.ok(Number(/(\d+)/.exec(facts[2] ?? '')?.[1]) >= 1_600, 'wall time counts the sleeps');
    assert.match(facts[3] ?? '', /^memory [\d.]+ MiB$/);
    // nothing moved while the output streamed, nor when the verdict came
    assert.deepEqual(during, before);
    assert.deepEqual(await boxes(page), before);
    await stage.shot(page, '03-python-verdict');
    assert.deepEqual(elsewhere, []);
    await page.context().close();
  });

  it('C++: a compile error shows the compiler’s message apart from the output', async () => {
    const { page } = await open(withKey());
    recordJobs(page);
    await pickLanguage(page, 'cpp');
    assert.equal(await page.locator('#run-compile').isVisible(), true, 'a compiled language has the compiler’s box');
    await setCode(page, '#include <cstdio>\nint main() {\n    printf("%d\\n", undefined_thing);\n}\n');
    await page.locator('#run').click();
    await verdict(page, 'run', 'COMPILE_ERROR');
    const compiler = await page.locator('#run-compile pre').innerText();
    assert.match(compiler, /error: .undefined_thing. was not declared in this scope/);
    assert.match(await page.locator('#run-compile .state').innerText(), /failed, exit 1/);
    const out = await output(page);
    assert.doesNotMatch(out, /undefined_thing/);
    assert.match(out, /did not compile/);
    await stage.shot(page, '04-cpp-compile-error');
    await page.context().close();
  });

  it('judge: one test passes, one fails, each row filled in as its test finishes', async () => {
    const { page } = await open(withKey());
    recordJobs(page);
    await pickLanguage(page, 'python');
    await page.locator('#tab-judge').click();
    // the second test takes a while: the first's row is filled in before the job ends
    await setCode(
      page,
      'import time\na, b = map(int, input().split())\nif a == 2:\n    time.sleep(1.5)\nprint(a + b)\n',
    );
    const tests = page.locator('#tests .test');
    await tests.nth(0).locator('textarea[name="stdin"]').fill('1 2\n');
    await tests.nth(0).locator('textarea[name="expected"]').fill('3\n');
    await page.locator('#add-test').click();
    await tests.nth(1).locator('textarea[name="stdin"]').fill('2 2\n');
    await tests.nth(1).locator('textarea[name="expected"]').fill('5\n');
    await page.locator('#checker').selectOption('tokens');
    assert.equal(await page.locator('#run').innerText(), 'Judge');
    await page.locator('#run').click();
    const rows = page.locator('#results tr');
    await rows.nth(0).locator('.badge[data-verdict="ACCEPTED"]').waitFor();
    assert.equal(await page.locator('#judge-verdict .badge').count(), 0, 'no verdict for the job yet');
    assert.equal(await rows.nth(1).locator('.badge').innerText(), 'waiting');
    await verdict(page, 'judge', 'WRONG_ANSWER');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(0).locator('.badge').getAttribute('data-verdict'), 'ACCEPTED');
    assert.equal(await rows.nth(1).locator('.badge').getAttribute('data-verdict'), 'WRONG_ANSWER');
    assert.match(await rows.nth(1).locator('.message').innerText(), /expected/);
    assert.match(await page.locator('#judge-verdict').innerText(), /1 of 2 passed/);
    await stage.shot(page, '05-judge');
    await page.context().close();
  });

  it('every language the workers offer has a grammar and a hello world that runs', async () => {
    const { page } = await open(withKey());
    recordJobs(page);
    const values = await Promise.all(
      (await page.locator('#language option').all()).map(async (o) => (await o.getAttribute('value')) ?? ''),
    );
    assert.ok(values.length >= 2, `languages: ${values.join(', ')}`);
    for (const value of values) {
      await page.locator('#language').selectOption(value);
      // highlighted: the grammar marks at least one token of the template
      await page.locator('.cm-line span').first().waitFor();
      await page.locator('#run').click();
      await verdict(page, 'run', 'OK', 60_000);
      assert.match(await output(page), /^Hello, world!\n$/, `${value}'s hello world`);
    }
    await page.context().close();
  });

  it('a shared link brings back the language, the code and stdin', async () => {
    const { page } = await open(withKey());
    await pickLanguage(page, 'ruby');
    await setCode(page, 'puts "shared: #{gets}"\n# ünïcödé and a long line ' + 'x'.repeat(300) + '\n');
    await page.locator('#stdin').fill('from a link');
    await page.locator('#share').click();
    await page.waitForURL(/#lang=ruby&code=/);
    const link = page.url();
    await page.context().close();
    const other = await open(withKey(), link.slice(link.indexOf('#')));
    assert.match((await other.page.locator('#language').inputValue()) ?? '', /^ruby@/);
    assert.match(await other.page.locator('.cm-content').innerText(), /ünïcödé and a long line x{300}/);
    assert.equal(await other.page.locator('#stdin').inputValue(), 'from a link');
    await other.page.locator('#run').click();
    await verdict(other.page, 'run', 'OK');
    assert.equal(await output(other.page), 'shared: from a link\n');
    await other.page.context().close();
  });

  it('a narrow screen: one column, nothing wider than the screen, runs', async () => {
    const { page } = await open(withKey({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }));
    await page.locator('#run').click();
    await verdict(page, 'run', 'OK');
    const widths = await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]');
    assert.deepEqual((widths as number[])[0], (widths as number[])[1]);
    const editor = await page.locator('#editor').boundingBox();
    const out = await page.locator('#output').boundingBox();
    assert.ok(editor && out && out.y > editor.y + editor.height, 'the output is under the editor');
    await stage.shot(page, '06-narrow', true);
    await page.context().close();
  });

  it('the API reference: rendered from /openapi.json, nothing fetched from elsewhere', async () => {
    const { page, elsewhere } = await stage.page();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${stage.url}/docs`);
    await page.getByRole('heading', { name: 'Create a job' }).first().waitFor();
    await page.getByText('/v1/jobs/{id}/events').first().waitFor();
    await stage.shot(page, '07-api-reference');
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('the queue dashboard: refused without the admin key, listing the finished jobs with it', async () => {
    // no key: the browser's own prompt asks for one (headless Chromium cannot show it, so
    // the header that brings it is taken off here); cancelled, the page says what is missing
    const { page: refused } = await stage.page();
    const challenge: string[] = [];
    await refused.route('**/admin/queues', async (route) => {
      const res = await route.fetch();
      const { 'www-authenticate': asks, ...headers } = res.headers();
      challenge.push(`${res.status()} ${asks}`);
      await route.fulfill({ response: res, headers });
    });
    await refused.goto(`${stage.url}/admin/queues`);
    assert.deepEqual(challenge, ['401 Basic realm="codebox admin", charset="UTF-8"']);
    assert.match(await refused.locator('body').innerText(), /needs the admin key \(CODEBOX_ADMIN_KEY\)/);
    await stage.shot(refused, '08-dashboard-refused');
    await refused.context().close();
    // a wrong key, or an API key, as Basic's password or as a bearer: refused the same
    for (const key of ['not-the-admin-key-0000', API_KEY]) {
      for (const authorization of [`Basic ${Buffer.from(`admin:${key}`).toString('base64')}`, `Bearer ${key}`]) {
        const res = await fetch(`${stage.url}/admin/queues`, { headers: { authorization } });
        assert.equal(res.status, 401, authorization);
      }
    }
    const bearer = await fetch(`${stage.url}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    assert.equal(bearer.status, 200);

    assert.ok(jobIds.length > 0, 'the pages made jobs');
    const { page, elsewhere } = await stage.page({ httpCredentials: { username: 'admin', password: ADMIN_KEY } });
    const res = await page.goto(`${stage.url}/admin/queues/queue/jobs?status=completed`);
    assert.equal(res?.status(), 200);
    // the newest first: the last job the pages made is on the first page of the list
    await page
      .getByText(jobIds.at(-1) ?? '-')
      .first()
      .waitFor();
    await stage.shot(page, '09-dashboard');
    assert.deepEqual(elsewhere, []);
    await page.context().close();
  });
});

async function pickLanguage(page: Page, id: string): Promise<void> {
  const value = await page.locator(`#language option[value^="${id}@"]`).first().getAttribute('value');
  await page.locator('#language').selectOption(value ?? '');
}

/** replaces the editor's text, as a paste would (typing would be auto-indented) */
async function setCode(page: Page, code: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

async function output(page: Page): Promise<string> {
  return (await page.locator('#output').textContent()) ?? '';
}

async function verdict(page: Page, tab: 'run' | 'judge', expected: string, timeout = 30_000): Promise<void> {
  const badge = page.locator(`#${tab}-verdict .badge`);
  await badge.waitFor({ timeout });
  const got = await badge.getAttribute('data-verdict');
  if (got !== expected)
    assert.fail(`verdict ${got}, expected ${expected}: ${await page.locator(`#${tab}-verdict`).innerText()}`);
}

/** where the panes are: the same before, during and after a run means nothing jumped */
async function boxes(page: Page): Promise<unknown[]> {
  return await Promise.all(
    ['#editor', '#stdin', '#output', '#run-verdict'].map(async (s) => await page.locator(s).boundingBox()),
  );
}

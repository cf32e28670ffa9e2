/**
 * The playground, the API reference and the queue dashboard as a person uses them, in
 * Chromium, on `npm start` with API keys and the admin key on: a Python program that reads
 * stdin and prints in a loop, its lines seen before its end, then its verdict; a C++
 * compile error apart from the output; a judge run with a passing and a failing test;
 * every language's hello world; the key asked for once; a shared link; a narrow screen;
 * a session: its terminal answering, a file uploaded through the tree and cat in the
 * terminal, a file edited and saved in the tree, downloaded, deleted, the session ended;
 * the reference rendered offline; the dashboard refused without the admin key and listing
 * the finished jobs with it. Each step leaves a screenshot.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
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

  it('a session: a terminal in the box, and its workspace as a tree to upload, edit, download and delete', async () => {
    const { page, elsewhere } = await open(withKey());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.locator('#tab-session').click();
    assert.equal(await page.locator('#editor').isVisible(), false, 'the program’s editor steps aside');
    await page.locator('#session-new').click();
    await terminalConnected(page);
    const id = await page.evaluate<string | null>("sessionStorage.getItem('codebox.session')");
    assert.ok(id, 'the session is kept for a reload');
    // its expiry, counting down from its lifetime
    assert.match(await page.locator('#session-info time').innerText(), /^(\d+:)?\d{1,2}:\d\d$/);

    // the terminal answers (the key went as the socket's subprotocol: keys are on)
    await typeLine(page, 'echo hello-$((6*7))');
    await terminalShows(page, 'hello-42');
    await stage.shot(page, '10-session-terminal');
    // Tab is the shell's; Escape then Shift+Tab leaves the terminal, as in the code editor
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate<string>('document.activeElement.id'), 'files-refresh');

    // a file uploaded through the tree, then cat in the terminal
    const uploaded = 'uploaded through the tree: ünïcödé\n';
    await page.locator('#file-input').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(uploaded),
    });
    const row = page.locator('#file-tree li[data-path="notes.txt"]');
    await row.waitFor();
    assert.match(await row.innerText(), /notes\.txt/);
    await typeLine(page, 'cat notes.txt');
    await terminalShows(page, 'uploaded through the tree: ünïcödé');
    await stage.shot(page, '11-session-upload');

    // opened from the tree into the editor, edited, saved with Ctrl+S, cat again
    await row.locator('.entry').click();
    await page.locator('#file-name', { hasText: 'notes.txt' }).waitFor();
    assert.equal((await page.locator('#file-editor .cm-content').innerText()).trimEnd(), uploaded.trimEnd());
    await page.locator('#file-editor .cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('edited in the tree, then saved\n');
    assert.equal(await page.locator('#file-state').innerText(), 'modified');
    await page.keyboard.press('Control+s');
    await page.locator('#file-state', { hasText: 'saved' }).waitFor();
    await typeLine(page, 'cat notes.txt', true);
    await terminalShows(page, 'edited in the tree, then saved');
    await stage.shot(page, '12-session-edit');

    // downloaded as it now is
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download notes.txt' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'notes.txt');
    const saved = await download.path();
    assert.equal(fs.readFileSync(saved, 'utf8'), `${uploaded}edited in the tree, then saved\n`);

    // deleted (once confirmed): gone from the tree, the editor and the box
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete notes.txt' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal(await page.locator('#file-name').innerText(), 'No file open');
    await typeLine(page, 'test -e notes.txt || echo gone-$((1+1))');
    await terminalShows(page, 'gone-2');

    // a new file from the tree, highlighted by its extension, saved and run in the terminal
    await page.locator('#file-new').click();
    await page.locator('#new-file-name').fill('src/squares.py');
    await page.locator('#new-file-name').press('Enter');
    await page.locator('#file-name', { hasText: 'src/squares.py' }).waitFor();
    await page.locator('#file-tree li[data-path="src/squares.py"]').waitFor();
    await page.locator('#file-editor .cm-content').click();
    await page.keyboard.insertText('for n in range(1, 6):\n    print(f"{n} squared is {n * n}")\n');
    await page.locator('#file-save').click();
    await page.locator('#file-state', { hasText: 'saved' }).waitFor();
    await page.locator('#file-editor .cm-line span').first().waitFor();
    await typeLine(page, 'python3 src/squares.py', true);
    await terminalShows(page, '5 squared is 25');
    await stage.shot(page, '13-session-python');

    // a reload finds the same box: its files, and a new terminal in it
    await page.reload();
    await page.locator('#tab-session').click();
    await terminalConnected(page);
    await page.locator('#file-tree li[data-path="src"]').waitFor();
    assert.equal(await page.evaluate<string | null>("sessionStorage.getItem('codebox.session')"), id);
    await typeLine(page, 'python3 src/squares.py | tail -1');
    await terminalShows(page, '5 squared is 25');

    // ended: the box is gone, and the API says so
    await page.locator('#session-end').click();
    await page.locator('body[data-session="none"]').waitFor();
    const res = await fetch(`${stage.url}/v1/sessions/${id}`, { headers: { authorization: `Bearer ${API_KEY}` } });
    const ended = (await res.json()) as { status: string; endReason: string };
    assert.deepEqual([ended.status, ended.endReason], ['ended', 'deleted']);
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('a session on a narrow screen: tree, file and terminal one under another', async () => {
    const { page } = await open(withKey({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }));
    await page.locator('#tab-session').click();
    await page.locator('#session-new').click();
    await terminalConnected(page);
    await typeLine(page, 'printf "%s\\n" narrow-$((40+2)) > small.txt; cat small.txt');
    await terminalShows(page, 'narrow-42');
    // an Escape alone still reaches the box (after its short wait for a Tab)
    await typeLine(page, 'read -rsn1 k; printf "got %q\\n" "$k"');
    await page.keyboard.press('Escape');
    await terminalShows(page, "got $'\\E'");
    await page.locator('#files-refresh').click();
    await page.locator('#file-tree li[data-path="small.txt"]').waitFor();
    const widths = await page.evaluate<number[]>('[document.documentElement.scrollWidth, window.innerWidth]');
    assert.equal(widths[0], widths[1]);
    const [tree, file, term] = await Promise.all(
      ['.tree-pane', '.file-pane', '.term-pane'].map(async (s) => await page.locator(s).boundingBox()),
    );
    assert.ok(tree && file && term && file.y >= tree.y + tree.height && term.y >= file.y + file.height);
    await stage.shot(page, '14-session-narrow', true);
    await page.locator('#session-end').click();
    await page.locator('body[data-session="none"]').waitFor();
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

/** waits for the session's terminal to open; a failure names what the page said */
async function terminalConnected(page: Page): Promise<void> {
  const connected = page.locator('#term-state', { hasText: 'connected' });
  const failed = page.locator('#session-note.bad');
  await connected.or(failed).first().waitFor({ timeout: 30_000 });
  if (await failed.isVisible()) assert.fail(`no terminal: ${await failed.innerText()}`);
}

/** a line typed into the session's terminal (after clearing it), then Enter */
async function typeLine(page: Page, line: string, clear = false): Promise<void> {
  // focused as a click would, without a click's selection (two in a row select a word)
  await page.locator('#terminal .xterm-helper-textarea').focus();
  // readline's clear-screen: the screenshot shows this line and what it prints
  if (clear) await page.keyboard.press('Control+l');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** waits for the terminal's screen (xterm's DOM rows) to show this text */
async function terminalShows(page: Page, text: string): Promise<void> {
  await page.locator('#terminal .xterm-rows', { hasText: text }).waitFor({ timeout: 15_000 });
}

/** where the panes are: the same before, during and after a run means nothing jumped */
async function boxes(page: Page): Promise<unknown[]> {
  return await Promise.all(
    ['#editor', '#stdin', '#output', '#run-verdict'].map(async (s) => await page.locator(s).boundingBox()),
  );
}

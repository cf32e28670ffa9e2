/**
 * Code contexts through the HTTP API, on real boxes, a real Redis and a real worker: state
 * kept between cells, events streamed as the cell makes them, a runaway cell interrupted
 * with the context alive, a cell that ends its interpreter ending only its context, restart,
 * JavaScript, bad requests named, and another key kept out. (The interpreters' drivers have
 * their own tests in test/runtimes/contexts.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodeboxError } from '@codebox/client';
import type { CellRunJson, CellStreamEvent, CodeboxClient } from '@codebox/client';
import { serviceSkip, useStack } from './stack.js';

const KEY_A = 'context-key-aaaaaaaaaaaa';
const KEY_B = 'context-key-bbbbbbbbbbbb';

const of = (r: CellRunJson, type: string) => r.events.filter((e) => e.type === type);
const stdout = (r: CellRunJson): string => r.events.map((e) => (e.type === 'stdout' ? e.text : '')).join('');
const value = (r: CellRunJson): string | undefined => {
  const e = r.events.find((x) => x.type === 'result');
  return e && 'data' in e ? e.data['text/plain'] : undefined;
};

async function refused(p: Promise<unknown>, status: number, code: string): Promise<CodeboxError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CodeboxError, String(err));
  assert.deepEqual([err.status, err.code], [status, code], err.message);
  return err;
}

describe('code contexts through the API', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { apiKeys: [KEY_A, KEY_B] }, worker: { sessions: 2 } });
  const a = (): CodeboxClient => t.s.client(KEY_A);

  it('keeps variables, imports and files between cells; values, output and errors as events', async () => {
    const s = await a().sessions.create();
    try {
      const c = await a().sessions.createContext(s.id, 'python');
      assert.deepEqual([c.language, c.alive], ['python', true]);
      assert.deepEqual(await a().sessions.contexts(s.id), [c]);

      const first = await a().sessions.runCell(s.id, c.id, 'import json\nx = 6 * 7\nprint("set", x)\nx');
      assert.deepEqual([stdout(first), value(first), first.failed], ['set 42\n', '42', false]);
      const second = await a().sessions.runCell(
        s.id,
        c.id,
        'open("kept.json", "w").write(json.dumps({"x": x}))\nx + 1',
      );
      assert.equal(value(second), '43');
      // the cell's file is the workspace's: the files API and a command see it
      assert.equal(Buffer.from(await a().sessions.readFile(s.id, 'kept.json')).toString(), '{"x": 42}');

      // text in frames and chunks of any cut comes back whole
      const wide = await a().sessions.runCell(s.id, c.id, 'print("é" * 400000)');
      assert.equal(stdout(wide), `${'é'.repeat(400000)}\n`);

      const broken = await a().sessions.runCell(s.id, c.id, 'print("before")\n1 / 0');
      assert.equal(broken.failed, true);
      assert.equal(stdout(broken), 'before\n');
      const [error] = of(broken, 'error');
      assert.ok(error && error.type === 'error');
      assert.equal(error.name, 'ZeroDivisionError');
      assert.match(error.traceback, /line 2, in <module>\n\s*1 \/ 0/);
      // an exception leaves the context as it was
      assert.equal(value(await a().sessions.runCell(s.id, c.id, 'x')), '42');

      const rich = await a().sessions.runCell(
        s.id,
        c.id,
        'class Table:\n  def _repr_html_(self): return "<b>t</b>"\n  def __repr__(self): return "Table()"\nTable()',
      );
      const result = of(rich, 'result')[0];
      assert.ok(result && 'data' in result);
      assert.deepEqual(result.data, { 'text/plain': 'Table()', 'text/html': '<b>t</b>' });
    } finally {
      await a().sessions.delete(s.id);
    }
  });

  it('streams a cell’s events as it makes them, then done', async () => {
    const s = await a().sessions.create();
    try {
      const c = await a().sessions.createContext(s.id, 'python');
      const seen: { e: CellStreamEvent; at: number }[] = [];
      for await (const e of a().sessions.streamCell(
        s.id,
        c.id,
        'import time\nfor i in range(3):\n    print("tick", i, flush=True)\n    time.sleep(0.4)',
      ))
        seen.push({ e, at: Date.now() });
      assert.deepEqual(
        seen.map((x) => x.e.type),
        ['start', 'stdout', 'stdout', 'stdout', 'done'],
      );
      assert.deepEqual(
        seen.filter((x) => x.e.type === 'stdout').map((x) => ('text' in x.e ? x.e.text : '')),
        ['tick 0\n', 'tick 1\n', 'tick 2\n'],
      );
      // the first line came well before the cell ended: streamed, not gathered
      assert.ok(seen[4]!.at - seen[1]!.at >= 600, `${seen[4]!.at - seen[1]!.at} ms`);
      assert.deepEqual(seen[4]!.e, { type: 'done', failed: false, truncated: false });
    } finally {
      await a().sessions.delete(s.id);
    }
  });

  it('interrupts a runaway cell: it ends with KeyboardInterrupt and the context lives', async () => {
    const s = await a().sessions.create();
    try {
      const c = await a().sessions.createContext(s.id, 'python');
      await a().sessions.runCell(s.id, c.id, 'kept = "still here"');
      const events: CellStreamEvent[] = [];
      const cell = (async () => {
        for await (const e of a().sessions.streamCell(s.id, c.id, 'print("spinning", flush=True)\nwhile True: pass'))
          events.push(e);
      })();
      const deadline = Date.now() + 10_000;
      while (!events.some((e) => e.type === 'stdout') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      const view = await a().sessions.interruptContext(s.id, c.id);
      assert.equal(view.alive, true);
      await cell;
      const error = events.find((e) => e.type === 'error');
      assert.ok(error && 'name' in error && error.name === 'KeyboardInterrupt', JSON.stringify(events));
      assert.deepEqual(events.at(-1), { type: 'done', failed: true, truncated: false });
      assert.equal(value(await a().sessions.runCell(s.id, c.id, 'kept')), "'still here'");
    } finally {
      await a().sessions.delete(s.id);
    }
  });

  it('a cell that ends its interpreter ends its context, not the session; restart makes a fresh one', async () => {
    const s = await a().sessions.create();
    try {
      const c = await a().sessions.createContext(s.id, 'python');
      await a().sessions.runCell(s.id, c.id, 'x = 1');
      const crashed = await a().sessions.runCell(s.id, c.id, 'import os\nos._exit(3)');
      assert.deepEqual([crashed.failed, crashed.ended], [true, true]);
      const last = crashed.events.at(-1);
      assert.ok(last && last.type === 'error' && last.name === 'ContextEnded', JSON.stringify(crashed));
      assert.match(last.message, /the interpreter ended \(exit 3\)/);
      assert.equal((await a().sessions.contexts(s.id))[0]?.alive, false);
      await refused(a().sessions.runCell(s.id, c.id, 'x'), 409, 'CONTEXT_ENDED');

      // the session serves on
      const r = await a().sessions.exec(s.id, { command: 'echo alive' });
      assert.equal(r.stdout, 'alive\n');

      assert.equal((await a().sessions.restartContext(s.id, c.id)).alive, true);
      const fresh = await a().sessions.runCell(s.id, c.id, 'x');
      assert.equal(
        of(fresh, 'error')[0]?.type === 'error' && (of(fresh, 'error')[0] as { name: string }).name,
        'NameError',
      );
      await a().sessions.deleteContext(s.id, c.id);
      assert.deepEqual(await a().sessions.contexts(s.id), []);
    } finally {
      await a().sessions.delete(s.id);
    }
  });

  it('runs JavaScript, two contexts apart in one session', async () => {
    const s = await a().sessions.create();
    try {
      const js = await a().sessions.createContext(s.id, 'javascript');
      const py = await a().sessions.createContext(s.id, 'python');
      await a().sessions.runCell(s.id, js.id, 'let y = 2; console.log("y is", y)');
      const r = await a().sessions.runCell(s.id, js.id, 'y * 21');
      assert.equal(value(r), '42');
      const other = await a().sessions.runCell(s.id, py.id, 'y');
      assert.equal(other.failed, true);
    } finally {
      await a().sessions.delete(s.id);
    }
  });

  it('names what is wrong in a request; another key reaches nothing', async () => {
    const s = await a().sessions.create();
    try {
      const bad = await refused(a().sessions.createContext(s.id, 'cobol' as 'python'), 400, 'INVALID_REQUEST');
      assert.equal(bad.details?.field, 'language');
      const c = await a().sessions.createContext(s.id, 'python');
      const noCode = await refused(
        t.s.client(KEY_A).sessions.runCell(s.id, c.id, 42 as unknown as string),
        400,
        'INVALID_REQUEST',
      );
      assert.equal(noCode.details?.field, 'code');
      await refused(a().sessions.runCell(s.id, 'ctx-99', '1'), 404, 'CONTEXT_NOT_FOUND');
      await refused(a().sessions.runCell(s.id, '../../x', '1'), 404, 'CONTEXT_NOT_FOUND');

      const b = t.s.client(KEY_B);
      await refused(b.sessions.runCell(s.id, c.id, 'x = 1'), 404, 'SESSION_NOT_FOUND');
      await refused(b.sessions.contexts(s.id), 404, 'SESSION_NOT_FOUND');
      await refused(b.sessions.interruptContext(s.id, c.id), 404, 'SESSION_NOT_FOUND');
    } finally {
      await a().sessions.delete(s.id);
    }
  });
});

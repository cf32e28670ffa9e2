/**
 * Code contexts in a session's box: an interpreter that keeps its variables between
 * cells, with streams, values, displays and errors per cell, interrupts that leave it
 * alive, and a crash that ends only it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { CodeContext, ContextEndedError } from '@codebox/runtimes';
import type { CellEvent, CellResult } from '@codebox/runtimes';
import type { Session } from '@codebox/sandbox';
import { boxSkip, ENV, IMAGE_ROOT, useSandbox } from '../support.js';

const of = (r: CellResult, type: CellEvent['type']) => r.events.filter((e) => e.type === type);
const text = (r: CellResult, type: 'stdout' | 'stderr') =>
  of(r, type)
    .map((e) => ('text' in e ? e.text : ''))
    .join('');
const value = (r: CellResult) => {
  const e = of(r, 'result')[0];
  return e && 'data' in e ? e.data['text/plain'] : undefined;
};

/** a session for one test, closed after it */
async function withSession(open: () => Promise<Session>, fn: (s: Session) => Promise<void>): Promise<void> {
  const s = await open();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe('code contexts', { skip: boxSkip('python3') }, () => {
  const sandbox = useSandbox({ prestart: 0 });
  const open = () => sandbox().openSession({ env: ENV });

  it('python: variables, imports and files persist between cells; streams, values and errors per cell', async () => {
    await withSession(open, async (s) => {
      const c = await CodeContext.start(s, 'python');
      const first = await c.run(
        'import math\nx = 21\nprint("side", flush=True)\nimport sys; print("warn", file=sys.stderr)\nx * 2',
      );
      assert.deepEqual(
        [text(first, 'stdout'), text(first, 'stderr'), value(first), first.failed],
        ['side\n', 'warn\n', '42', false],
      );
      const second = await c.run('open("kept.txt", "w").write("k")\nmath.floor(x / 2)');
      assert.equal(value(second), '10');
      assert.equal((await s.readFile('kept.txt')).toString(), 'k', 'a file in the session');
      // what a process the cell starts writes comes back too, in order
      const sub = await c.run('import subprocess\nsubprocess.run(["echo", "from a child"])\nNone');
      assert.equal(text(sub, 'stdout'), 'from a child\n');
      const err = await c.run('def f():\n    return 1 / 0\nf()');
      assert.equal(err.failed, true);
      const e = of(err, 'error')[0];
      assert.ok(e && e.type === 'error');
      assert.deepEqual([e.name, e.message], ['ZeroDivisionError', 'division by zero']);
      // the cell's own lines, as a notebook shows them
      assert.match(e.traceback, /File "<cell-\d+>", line 2, in f\n\s+return 1 \/ 0/);
      assert.ok(!e.traceback.includes('run_cell'), 'the driver’s own frames left out');
      assert.equal(value(await c.run('x')), '21', 'alive after the error');
      // input() reads end of input, never the requests
      const read = await c.run('try:\n    input()\nexcept EOFError:\n    print("eof")');
      assert.equal(text(read, 'stdout'), 'eof\n');
      // rich values: what the object offers besides its repr
      const html = await c.run('class T:\n    def _repr_html_(self): return "<b>t</b>"\nT()');
      const data = of(html, 'result')[0];
      assert.ok(data && 'data' in data && data.data['text/html'] === '<b>t</b>', JSON.stringify(html.events));
      const shown = await c.run('display(1, "two")');
      assert.deepEqual(
        of(shown, 'display').map((d) => ('data' in d ? d.data['text/plain'] : '')),
        ['1', "'two'"],
      );
      c.close();
    });
  });

  it('javascript: one context across cells, console output, awaited values and errors', async () => {
    await withSession(open, async (s) => {
      const c = await CodeContext.start(s, 'javascript');
      const first = await c.run('let n = 20; console.log("hi"); console.error("oops"); n + 1');
      assert.deepEqual([text(first, 'stdout'), text(first, 'stderr'), value(first)], ['hi\n', 'oops\n', '21']);
      // top-level await: the cell's assignments persist, its last line is its value
      assert.equal(value(await c.run('n += 1\nawait new Promise((r) => setTimeout(r, 10))\nn')), '21');
      assert.equal(value(await c.run('Promise.resolve(n * 2)')), '42');
      assert.equal(value(await c.run('({a: [1, 2]})')), '{ a: [ 1, 2 ] }');
      const err = await c.run('null.x');
      const e = of(err, 'error')[0];
      assert.ok(e && e.type === 'error' && e.name === 'TypeError', JSON.stringify(err.events));
      assert.equal(value(await c.run('n')), '21', 'alive after the error');
      c.close();
    });
  });

  for (const [language, endless] of [
    ['python', 'while True:\n    pass'],
    ['javascript', 'for (;;) {}'],
  ] as const) {
    it(`${language}: an endless cell is interrupted; the context lives and keeps its variables`, async () => {
      await withSession(open, async (s) => {
        const c = await CodeContext.start(s, language);
        await c.run(language === 'python' ? 'kept = 7' : 'var kept = 7');
        const running = c.run(endless);
        await new Promise((r) => setTimeout(r, 500));
        c.interrupt();
        const r = await running;
        assert.equal(r.failed, true, JSON.stringify(r.events));
        assert.equal(value(await c.run('kept')), '7');
        c.close();
      });
    });
  }

  it('a cell that ends the interpreter ends its context with what happened, not the session; restart starts afresh', async () => {
    await withSession(open, async (s) => {
      const c = await CodeContext.start(s, 'python');
      await c.run('y = 1');
      await assert.rejects(c.run('import os\nos._exit(3)'), (e: ContextEndedError) => /exit 3/.test(e.message));
      await assert.rejects(c.run('y'), ContextEndedError);
      assert.equal((await s.exec({ argv: ['echo', 'session lives'] }).done).stdout.toString(), 'session lives\n');
      await c.restart();
      const fresh = await c.run('y');
      const e = of(fresh, 'error')[0];
      assert.equal(e?.type === 'error' ? e.name : undefined, 'NameError', 'its variables gone');
      c.close();
    });
  });

  it('the driver is the box’s: what a cell forges on the event channel cannot grow the host past the cap', async () => {
    // the driver runs in the box, so a cell can write to its event channel (fd 3) itself:
    // a line that never ends, and a flood of forged error events for its own cell
    await withSession(open, async (s) => {
      const c = await CodeContext.start(s, 'python', { maxCellBytes: 100_000 });
      const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().external;
      const endless = await c.run(
        'import os\nchunk = b"x" * (1 << 20)\nfor _ in range(192): os.write(3, chunk)\nos.write(3, b"\\n")\nprint("after")',
      );
      const grown = process.memoryUsage().heapUsed + process.memoryUsage().external - heap0;
      assert.ok(grown < 64 << 20, `the host kept ${Math.round(grown / 2 ** 20)} MiB of a 192 MiB line`);
      assert.equal(endless.truncated, true);
      assert.equal(text(endless, 'stdout'), 'after\n', 'the stream goes on after the line it dropped');

      const forged = await c.run(
        'import json, os\n' +
          'line = (json.dumps({"id": 2, "type": "error", "name": "E", "message": "m" * 1000, "traceback": ""}) + "\\n").encode()\n' +
          'for _ in range(20000): os.write(3, line)\n',
      );
      assert.equal(forged.truncated, true);
      assert.ok(JSON.stringify(forged.events).length <= 110_000, `${JSON.stringify(forged.events).length} bytes kept`);
      assert.equal(value(await c.run('1 + 1')), '2', 'the context serves on');
      c.close();
    });
  });

  it('a cell’s output is capped; the cell still ends', async () => {
    await withSession(open, async (s) => {
      const c = await CodeContext.start(s, 'python', { maxCellBytes: 10_000 });
      const r = await c.run('for i in range(100000): print(i)');
      assert.equal(r.truncated, true);
      assert.ok(JSON.stringify(r.events).length <= 12_000);
      assert.equal(value(await c.run('1 + 1')), '2');
      c.close();
    });
  });

  it('refuses a language it has no driver for', async () => {
    await withSession(open, async (s) => {
      await assert.rejects(CodeContext.start(s, 'cobol'), /a context runs python or javascript/);
    });
  });
});

const hasMatplotlib = fs.existsSync(`${IMAGE_ROOT}/usr/lib/python3/dist-packages/matplotlib`);

describe(
  'code contexts on the image root: a plot comes back as a PNG',
  {
    skip:
      boxSkip('python3') ||
      (!hasMatplotlib &&
        process.env.CODEBOX_REQUIRE_IMAGE !== '1' &&
        `no matplotlib in ${IMAGE_ROOT} (npm run rootfs)`),
  },
  () => {
    const sandbox = useSandbox({ prestart: 0 });

    it('matplotlib figures left open by a cell are displayed as image/png', async () => {
      await withSession(
        () => sandbox().openSession({ env: ENV, rootfs: IMAGE_ROOT }),
        async (s) => {
          const c = await CodeContext.start(s, 'python');
          const r = await c.run(
            'import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.title("squares")',
          );
          const png = of(r, 'display').find((d) => 'data' in d && d.data['image/png']);
          assert.ok(png && 'data' in png, JSON.stringify(r.events).slice(0, 500));
          const bytes = Buffer.from(png.data['image/png'] ?? '', 'base64');
          assert.deepEqual(bytes.subarray(1, 4).toString(), 'PNG');
          assert.ok(bytes.length > 1000);
          c.close();
        },
      );
    });
  },
);

/**
 * The MCP session tools as an agent uses them, with the SDK's own Client over both
 * transports — streamable HTTP at the API's /mcp and `codebox mcp` on stdio — against a
 * real stack: a workspace loop (write, run, read, list), a context keeping a variable
 * between cells, an endless cell interrupted with the context alive, a matplotlib plot
 * coming back as an image (on the image root, where matplotlib is), a closed session
 * saying so, one key not reaching another's session, and `codebox mcp` without a key.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort, serviceSkip, useStack } from './stack.js';
import { IMAGE_ROOT } from '../support.js';

const KEY_A = 'mcp-session-key-aaaaaaaa';
const KEY_B = 'mcp-session-key-bbbbbbbb';
const ROOT = path.join(import.meta.dirname, '..', '..');
const CLI = path.join(ROOT, 'apps/cli/bin/codebox.js');
const hasMatplotlib = fs.existsSync(`${IMAGE_ROOT}/usr/lib/python3/dist-packages/matplotlib`);
const requireImage = process.env.CODEBOX_REQUIRE_IMAGE === '1';

const textOf = (r: CallToolResult): string =>
  r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');

describe('MCP session tools, over HTTP and stdio', { skip: serviceSkip() }, () => {
  // the image root when it is built (matplotlib is there), else the host's
  const t = useStack({
    api: { apiKeys: [KEY_A, KEY_B] },
    worker: { sessions: 6, ...(hasMatplotlib || requireImage ? { rootfs: IMAGE_ROOT } : {}) },
  });

  const transports = {
    http: (key: string) =>
      new StreamableHTTPClientTransport(new URL(`${t.s.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${key}` } },
      }),
    stdio: (key: string) =>
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--url', t.s.url],
        env: { ...(process.env as Record<string, string>), CODEBOX_KEY: key },
        stderr: 'pipe',
      }),
  };

  for (const [name, transport] of Object.entries(transports)) {
    describe(name, () => {
      async function connect(
        key = KEY_A,
      ): Promise<Client & { call: (tool: string, args: object) => Promise<CallToolResult> }> {
        const client = new Client({ name: 'codebox-test', version: '1.0.0' });
        await client.connect(transport(key));
        return Object.assign(client, {
          call: async (tool: string, args: object) =>
            (await client.callTool({ name: tool, arguments: args as Record<string, unknown> })) as CallToolResult,
        });
      }
      const idOf = (r: CallToolResult): string => {
        const id = /session_id: (\S+)/.exec(textOf(r))?.[1];
        assert.ok(id, textOf(r));
        return id;
      };

      it('lists the session tools, each with its schema', async () => {
        const c = await connect();
        try {
          const { tools } = await c.listTools();
          const names = tools.map((x) => x.name).sort();
          for (const tool of [
            'close_session',
            'create_session',
            'exec_command',
            'list_files',
            'read_file',
            'run_cell',
            'run_code',
            'write_file',
          ])
            assert.ok(names.includes(tool), names.join(' '));
          const cell = tools.find((x) => x.name === 'run_cell');
          assert.deepEqual(cell?.inputSchema.required?.sort(), ['code', 'session_id']);
        } finally {
          await c.close();
        }
      });

      it('a workspace loop: write, run, read the error, fix, run again, read and list; closed, it says so', async () => {
        const c = await connect();
        try {
          const id = idOf(await c.call('create_session', { language: 'python' }));
          await c.call('write_file', { session_id: id, path: 'src/main.py', content: 'print(undefined_name)\n' });
          const failed = textOf(await c.call('exec_command', { session_id: id, command: 'python3 src/main.py' }));
          assert.match(failed, /^exit code: 1/);
          assert.match(failed, /NameError: name 'undefined_name' is not defined/);
          await c.call('write_file', {
            session_id: id,
            path: 'src/main.py',
            content: 'import sys\nopen("out.txt", "w").write(sys.stdin.read().upper())\nprint("done")\n',
          });
          const ran = textOf(
            await c.call('exec_command', { session_id: id, command: 'python3 src/main.py', stdin: 'shout' }),
          );
          assert.match(ran, /^exit code: 0.*\nstdout:\ndone\n/s);
          assert.equal(textOf(await c.call('read_file', { session_id: id, path: 'out.txt' })), 'SHOUT');
          const listed = textOf(await c.call('list_files', { session_id: id, depth: 2 }));
          assert.match(listed, /^out\.txt\tfile\t5$/m);
          assert.match(listed, /^src\/main\.py\tfile\t\d+$/m);

          // a large file is read no further than what the model is given
          await c.call('exec_command', {
            session_id: id,
            command: 'head -c 3000000 /dev/zero | tr "\\0" a > big.txt; head -c 9000000 /dev/zero > big.png',
          });
          const big = textOf(await c.call('read_file', { session_id: id, path: 'big.txt' }));
          assert.match(big, /^a{65536}\n\[cut at 65536 bytes: read the rest with exec_command, e\.g\. tail\]$/);
          // a `..` would be resolved by the URL parser, to another route: refused before it is sent
          for (const [tool, args] of [
            ['read_file', { session_id: id, path: 'src/../../../../v1/runtimes' }],
            ['write_file', { session_id: id, path: '../x', content: '' }],
            ['exec_command', { session_id: '..', command: 'true' }],
          ] as const) {
            const r = await c.call(tool, args);
            assert.equal(r.isError, true, tool);
            assert.match(textOf(r), /^(FILE_PATH_INVALID|INVALID_REQUEST): .*"\.\.?" is not a name/, tool);
          }
          const image = await c.call('read_file', { session_id: id, path: 'big.png' });
          assert.equal(image.isError, true);
          assert.match(textOf(image), /^FILE_TOO_LARGE: big\.png: an image over 8388608 bytes is not sent/);

          assert.match(textOf(await c.call('close_session', { session_id: id })), /^closed/);
          const gone = await c.call('exec_command', { session_id: id, command: 'true' });
          assert.equal(gone.isError, true);
          assert.match(textOf(gone), /^SESSION_NOT_FOUND: .*has ended.*create_session makes a new one/s);
        } finally {
          await c.close();
        }
      });

      it('run_cell keeps a variable between cells; an endless cell is interrupted and the context lives', async () => {
        const c = await connect();
        try {
          const id = idOf(await c.call('create_session', {}));
          assert.match(
            textOf(await c.call('run_cell', { session_id: id, code: 'x = 21\nprint("set")' })),
            /stdout:\nset/,
          );
          assert.match(textOf(await c.call('run_cell', { session_id: id, code: 'x * 2' })), /result: 42/);
          const js = textOf(
            await c.call('run_cell', { session_id: id, language: 'javascript', code: '[1, 2].map((n) => n * 3)' }),
          );
          assert.match(js, /result: \[ 3, 6 \]/);

          const endless = await c.call('run_cell', {
            session_id: id,
            code: 'print("spinning", flush=True)\nwhile True: pass',
            timeout_ms: 1500,
          });
          assert.equal(endless.isError, undefined);
          assert.match(textOf(endless), /error: KeyboardInterrupt/);
          assert.match(textOf(endless), /\[interrupted after 1500 ms; the context and its variables live on\]/);
          assert.match(textOf(await c.call('run_cell', { session_id: id, code: 'x' })), /result: 21/);

          const crash = textOf(await c.call('run_cell', { session_id: id, code: 'import os\nos._exit(1)' }));
          assert.match(crash, /the interpreter ended/);
          // the next cell starts a fresh interpreter
          assert.match(textOf(await c.call('run_cell', { session_id: id, code: '"x" in globals()' })), /result: False/);
          await c.call('close_session', { session_id: id });
        } finally {
          await c.close();
        }
      });

      it(
        'a matplotlib figure comes back as an image',
        { skip: !hasMatplotlib && !requireImage && `no matplotlib in ${IMAGE_ROOT} (npm run rootfs)` },
        async () => {
          const c = await connect();
          try {
            const id = idOf(await c.call('create_session', {}));
            const r = await c.call('run_cell', {
              session_id: id,
              code: 'import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.title("squares")',
            });
            const image = r.content.find((x) => x.type === 'image');
            assert.ok(image && image.type === 'image', textOf(r));
            assert.equal(image.mimeType, 'image/png');
            const png = Buffer.from(image.data, 'base64');
            assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
            assert.ok(png.length > 5_000, `${png.length} bytes`);
            await c.call('close_session', { session_id: id });
          } finally {
            await c.close();
          }
        },
      );

      it('one key does not reach another’s session', async () => {
        const a = await connect(KEY_A);
        const b = await connect(KEY_B);
        try {
          const id = idOf(await a.call('create_session', {}));
          await a.call('write_file', { session_id: id, path: 'secret.txt', content: 'a' });
          for (const [tool, args] of [
            ['read_file', { path: 'secret.txt' }],
            ['exec_command', { command: 'cat secret.txt' }],
            ['run_cell', { code: 'open("secret.txt").read()' }],
            ['close_session', {}],
          ] as const) {
            const r = await b.call(tool, { session_id: id, ...args });
            assert.equal(r.isError, true, `${tool}: ${textOf(r)}`);
            assert.match(textOf(r), /^SESSION_NOT_FOUND: /, tool);
          }
          assert.equal(textOf(await a.call('read_file', { session_id: id, path: 'secret.txt' })), 'a');
          await a.call('close_session', { session_id: id });
        } finally {
          await a.close();
          await b.close();
        }
      });
    });
  }

  it('codebox mcp: a wrong key is a tool error; no service is one line on stderr and exit 1', async () => {
    const c = new Client({ name: 'codebox-test', version: '1.0.0' });
    await c.connect(transports.stdio('not-a-key'));
    try {
      const r = (await c.callTool({ name: 'create_session', arguments: {} })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(textOf(r), /^UNAUTHORIZED: /);
    } finally {
      await c.close();
    }
    // a port nothing listens on: the server cannot learn its languages, so it does not start
    const closed = await freePort();
    const r = await promisify(execFile)(process.execPath, [CLI, 'mcp', '--url', `http://127.0.0.1:${closed}`], {
      encoding: 'utf8',
      timeout: 30_000,
    }).then(
      () => assert.fail('it started'),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^codebox mcp: the service at http:\/\/127\.0\.0\.1:\d+ did not answer: /);
  });
});

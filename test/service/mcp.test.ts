/**
 * The MCP server as an MCP client meets it: the SDK's own Client over streamable HTTP at
 * the API's /mcp, against a real stack with keys.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { serviceSkip, useStack } from './stack.js';

const KEY = 'mcp-test-key';
const ROOT = path.join(import.meta.dirname, '..', '..');
const execFileAsync = promisify(execFile);

const textOf = (r: CallToolResult): string =>
  r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('MCP over streamable HTTP', { skip: serviceSkip() }, () => {
  const t = useStack({ api: { apiKeys: [KEY] } });

  async function connect(key: string | null = KEY): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${t.s.url}/mcp`), {
      requestInit: { headers: key ? { Authorization: `Bearer ${key}` } : {} },
    });
    const client = new Client({ name: 'codebox-test', version: '1.0.0' });
    await client.connect(transport);
    return client;
  }

  it('lists its tools, each with a schema; languages come from the live workers', async () => {
    const client = await connect();
    try {
      const { tools } = await client.listTools();
      const run = tools.find((x) => x.name === 'run_code');
      assert.ok(run, tools.map((x) => x.name).join(' '));
      assert.match(run.description ?? '', /isolated Linux box/);
      const language = (run.inputSchema.properties as Record<string, { enum?: string[] }>).language;
      assert.ok(language?.enum?.includes('python') && language.enum.includes('c'), JSON.stringify(language));
      assert.deepEqual(run.inputSchema.required?.sort(), ['code', 'language']);
    } finally {
      await client.close();
    }
  });

  it('run_code: a verdict with the streams; a compile error says so; an image output is an image', async () => {
    const client = await connect();
    try {
      const ok = (await client.callTool({
        name: 'run_code',
        arguments: {
          language: 'python',
          code: 'import sys\nprint(input()[::-1])\nprint("warn", file=sys.stderr)',
          stdin: 'olleh',
        },
      })) as CallToolResult;
      assert.equal(ok.isError, undefined);
      assert.match(textOf(ok), /^status: OK, exit code 0\n/);
      assert.match(textOf(ok), /stdout:\nhello\n/);
      assert.match(textOf(ok), /stderr:\nwarn\n/);

      const broken = (await client.callTool({
        name: 'run_code',
        arguments: { language: 'c', code: 'int main(void) { return x; }' },
      })) as CallToolResult;
      assert.match(textOf(broken), /status: COMPILE_ERROR/);
      assert.match(textOf(broken), /compiler output:\n[\s\S]*.x. undeclared/);

      const plot = (await client.callTool({
        name: 'run_code',
        arguments: {
          language: 'python',
          code: `open("chart.png", "wb").write(bytes(${JSON.stringify(PNG)}) + b"rest")\nopen("data.csv", "w").write("a,b\\n")`,
          outputs: ['*.png', '*.csv'],
        },
      })) as CallToolResult;
      const image = plot.content.find((c) => c.type === 'image');
      assert.ok(image && image.type === 'image', textOf(plot));
      assert.equal(image.mimeType, 'image/png');
      assert.deepEqual([...Buffer.from(image.data, 'base64').subarray(0, 8)], PNG);
      assert.match(textOf(plot), /file data\.csv \(4 bytes\):\na,b\n/);
    } finally {
      await client.close();
    }
  });

  it('codebox’s errors are tool errors with its code; the transport is fine', async () => {
    const client = await connect();
    try {
      const r = (await client.callTool({
        name: 'run_code',
        arguments: { language: 'python', code: 'print(1)', timeLimitMs: 10_000_000 },
      })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(textOf(r), /^LIMIT_TOO_HIGH: /);
      // and the connection still serves
      assert.ok((await client.listTools()).tools.length > 0);
    } finally {
      await client.close();
    }
  });

  it('without a key, or with a wrong one, the endpoint refuses: 401', async () => {
    const initialize = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    });
    for (const auth of [{}, { Authorization: 'Bearer not-a-key' }]) {
      const r = await fetch(`${t.s.url}/mcp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...auth },
        body: initialize,
      });
      assert.equal(r.status, 401, await r.text());
    }
    for (const key of [null, 'not-a-key']) {
      await assert.rejects(connect(key), (e: Error) => /401|Unauthorized|UNAUTHORIZED/i.test(e.message));
    }
    const get = await fetch(`${t.s.url}/mcp`, { headers: { Authorization: `Bearer ${KEY}` } });
    assert.equal(get.status, 405, 'stateless: no stream to open');
  });
});

describe('MCP: a third-party client (the MCP Inspector’s CLI)', { skip: serviceSkip() }, () => {
  const t = useStack();
  const inspector = path.join(ROOT, 'node_modules/@modelcontextprotocol/inspector-cli/build/index.js');

  it('lists the tools and calls run_code over HTTP', async () => {
    const run = (...args: string[]) =>
      execFileAsync(process.execPath, [inspector, `${t.s.url}/mcp`, '--transport', 'http', ...args], {
        encoding: 'utf8',
      });
    const listed = JSON.parse((await run('--method', 'tools/list')).stdout) as { tools: { name: string }[] };
    assert.ok(
      listed.tools.some((x) => x.name === 'run_code'),
      JSON.stringify(listed),
    );
    const called = JSON.parse(
      (
        await run(
          '--method',
          'tools/call',
          '--tool-name',
          'run_code',
          '--tool-arg',
          'language=python',
          'code=print(6 * 7)',
        )
      ).stdout,
    ) as CallToolResult;
    assert.match(textOf(called), /status: OK[\s\S]*stdout:\n42\n/);
  });
});

/**
 * codebox as a Model Context Protocol server. Every tool is a call of the codebox API
 * through @codebox/client, as the key it was given: the same checks, limits and
 * ownership as the REST API, whichever transport the MCP client came by (stdio from
 * `codebox mcp`, streamable HTTP at the API's /mcp).
 *
 * The tools are described for a model to act on: what each does, what it returns, and
 * the languages and limits of the live workers (read when the server is made). An error
 * of codebox's comes back as a tool error carrying its code and message, never as a
 * failure of the transport; a program's own failure (a non-zero exit, a limit) is a
 * result like any other, with its verdict.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CodeboxClient, RuntimesResponse } from '@codebox/client';
import type { OutputFileJson, ResultJson } from '@codebox/protocol';
import { answer, cut, IMAGE_TYPES, streamText, ToolFailure } from './answer.js';
import { registerSessionTools } from './sessions.js';

export interface McpServerOptions {
  readonly client: CodeboxClient;
  /** GET /v1/runtimes, as read when the server is made */
  readonly runtimes: RuntimesResponse;
  readonly version: string;
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer({ name: 'codebox', version: options.version });
  const languages = options.runtimes.runtimes.map((r) => r.id).sort();
  const limits = describeLimits(options.runtimes);
  registerRunCode(server, options.client, languages, limits);
  registerSessionTools(server, options.client, options.runtimes);
  return server;
}

function registerRunCode(server: McpServer, client: CodeboxClient, languages: string[], limits: string): void {
  server.registerTool(
    'run_code',
    {
      title: 'Run code',
      description: [
        'Runs a program once in a fresh, isolated Linux box (no network, its own files) and returns its verdict,',
        'exit code, stdout and stderr, with cpu, wall time and memory. Compiled languages are compiled first; a',
        'failed compile is COMPILE_ERROR with the compiler’s messages. Files the program writes can be brought',
        'back with `outputs` (globs): images come back as images. Nothing persists between calls: use',
        `create_session for a workspace. Languages: ${languages.join(', ')}. ${limits}`,
      ].join(' '),
      inputSchema: {
        language: z.enum(languages as [string, ...string[]]).describe('the language to run the code as'),
        code: z.string().describe('the program: the entry file’s whole text'),
        stdin: z.string().optional().describe('what the program reads on stdin'),
        files: z
          .array(z.object({ name: z.string().describe('a relative path'), content: z.string() }))
          .optional()
          .describe('more files beside the entry (modules, data)'),
        args: z.array(z.string()).optional().describe('command-line arguments'),
        outputs: z
          .array(z.string())
          .optional()
          .describe('globs of files to bring back after the run, e.g. ["*.png", "out/**"]'),
        timeLimitMs: z.number().int().positive().optional().describe('cpu time limit of the run, in ms'),
        memoryLimitMb: z.number().int().positive().optional().describe('memory limit of the run, in MiB'),
      },
    },
    async (args): Promise<CallToolResult> =>
      answer(async () => {
        const job = await client.run({
          language: args.language,
          files: [{ content: args.code }, ...(args.files ?? [])],
          ...(args.stdin === undefined ? {} : { stdin: args.stdin }),
          ...(args.args ? { args: args.args } : {}),
          ...(args.outputs ? { outputs: args.outputs } : {}),
          ...(args.timeLimitMs || args.memoryLimitMb
            ? {
                limits: {
                  ...(args.timeLimitMs ? { cpuMs: args.timeLimitMs } : {}),
                  ...(args.memoryLimitMb ? { memoryBytes: args.memoryLimitMb * 1024 * 1024 } : {}),
                },
              }
            : {}),
        });
        if (job.status === 'failed') throw new ToolFailure(job.error?.code ?? 'FAILED', job.error?.message ?? 'failed');
        if (!job.result) throw new ToolFailure('NO_RESULT', `the job ended ${job.status} without a result`);
        return resultContent(job.result);
      }),
  );
}

/** a run's result as the model reads it: a summary line, its streams, its files */
export function resultContent(r: ResultJson): CallToolResult['content'] {
  const lines = [
    `status: ${r.status}${r.exitCode === null ? '' : `, exit code ${r.exitCode}`}${r.signal ? `, signal ${r.signal}` : ''}`,
    `cpu ${r.cpuMs} ms, wall ${r.wallMs} ms, memory ${Math.round(r.memoryBytes / 1024)} KiB`,
  ];
  if (r.message) lines.push(`message: ${r.message}`);
  if (r.compile && (r.status === 'COMPILE_ERROR' || r.compile.stderr)) {
    lines.push(
      `compiler output:\n${streamText(r.compile.stderr, r.compile.stderrEncoding) || streamText(r.compile.stdout, r.compile.stdoutEncoding)}`,
    );
  }
  lines.push(
    `stdout:\n${streamText(r.stdout, r.stdoutEncoding)}${r.stdoutTruncated ? '\n[cut at the output limit]' : ''}`,
  );
  if (r.stderr)
    lines.push(
      `stderr:\n${streamText(r.stderr, r.stderrEncoding)}${r.stderrTruncated ? '\n[cut at the output limit]' : ''}`,
    );
  if (r.filesOmitted) lines.push(`files left out: ${r.filesOmitted.count} (${r.filesOmitted.bytes} bytes)`);
  const content: CallToolResult['content'] = [{ type: 'text', text: lines.join('\n') }];
  for (const f of r.files ?? []) content.push(fileContent(f));
  return content;
}

function fileContent(f: OutputFileJson): CallToolResult['content'][number] {
  const mimeType = IMAGE_TYPES[f.path.split('.').pop()?.toLowerCase() ?? ''];
  if (mimeType) {
    const data = f.encoding === 'base64' ? f.content : Buffer.from(f.content).toString('base64');
    return { type: 'image', data, mimeType };
  }
  const body = f.encoding === 'utf8' ? cut(f.content) : `(binary, ${f.size} bytes, base64)\n${cut(f.content)}`;
  return { type: 'text', text: `file ${f.path} (${f.size} bytes):\n${body}` };
}

function describeLimits(r: RuntimesResponse): string {
  const d = r.limits?.defaults;
  const m = r.limits?.maxima;
  if (!d || !m) return '';
  const mib = (n: number | undefined) => (n === undefined ? '?' : `${Math.round(n / 1024 / 1024)} MiB`);
  return `Default limits: cpu ${d.cpuMs} ms, memory ${mib(d.memoryBytes)} (at most ${m.cpuMs} ms and ${mib(m.memoryBytes)}).`;
}

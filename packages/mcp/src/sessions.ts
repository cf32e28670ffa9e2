/**
 * The session tools: a workspace that lives across tool calls (create_session,
 * exec_command, write_file, read_file, list_files, close_session) and a notebook-like
 * context in it (run_cell). Each is one call or a few of the REST API through the client,
 * so the server keeps no state of its own: a stateless HTTP transport serves them as well
 * as stdio does. run_cell finds the session's context of its language, or starts one.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CodeboxError } from '@codebox/client';
import type { CellStreamEvent, CodeboxClient, CommandResultJson, RuntimesResponse } from '@codebox/client';
import { answer, cut, IMAGE_TYPES, MAX_TEXT, streamText, ToolFailure } from './answer.js';

/** the largest image read_file sends */
const MAX_IMAGE = 8 << 20;

/** a cell that runs longer is interrupted (the context lives): a model waits for its answer */
const CELL_TIMEOUT_MS = { default: 60_000, maximum: 600_000 };

const sessionId = z.string().describe('the session, as create_session returned it');

export function registerSessionTools(server: McpServer, client: CodeboxClient, runtimes: RuntimesResponse): void {
  const policy = runtimes.sessions;
  const languages = runtimes.runtimes.map((r) => r.id).sort();
  const lifetime = policy
    ? `It ends after ${policy.idleTimeoutS.default} s without a call, ${policy.ttlS.default} s after it was made, or on close_session.`
    : 'This server has no worker that holds sessions right now.';

  server.registerTool(
    'create_session',
    {
      title: 'Create a session',
      description: [
        'Creates a workspace: an isolated Linux box that lives across calls, with a writable working directory',
        '(files persist between commands), processes that may outlive a command, and no network unless asked.',
        `Returns its session_id for the other session tools. ${lifetime}`,
      ].join(' '),
      inputSchema: {
        language: z
          .enum(languages as [string, ...string[]])
          .optional()
          .describe('the main language of the work (its toolchain is there either way)'),
        network: z.boolean().optional().describe('IP on the box’s own loopback, e.g. to start a server and query it'),
        files: z
          .array(z.object({ path: z.string().describe('a relative path'), content: z.string() }))
          .optional()
          .describe('files to write into the workspace first'),
      },
    },
    (args): Promise<CallToolResult> =>
      answer(async () => {
        const s = await client.sessions.create({
          ...(args.language ? { language: args.language } : {}),
          ...(args.network ? { network: true } : {}),
          ...(args.files ? { files: args.files.map((f) => ({ name: f.path, content: f.content })) } : {}),
        });
        return [
          {
            type: 'text',
            text: `session_id: ${s.id}\nstatus: ${s.status}\nexpires at: ${s.expiresAt}\nlimits: ${JSON.stringify(s.limits)}`,
          },
        ];
      }),
  );

  server.registerTool(
    'exec_command',
    {
      title: 'Run a command in a session',
      description: [
        'Runs a shell command line (bash -c) in the session’s workspace and returns its exit code, stdout and',
        'stderr. Files and installed state persist for the next call. With background: true it returns at once',
        '(a server, a watcher); redirect its output to a file to read it later.',
      ].join(' '),
      inputSchema: {
        session_id: sessionId,
        command: z.string().describe('a shell command line, e.g. "python3 main.py < input.txt"'),
        stdin: z.string().optional().describe('what the command reads on stdin'),
        cwd: z.string().optional().describe('a directory in the workspace to run in'),
        timeout_ms: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            `wall time before it is killed${policy ? ` (default ${policy.commandTimeoutMs.default}, at most ${policy.commandTimeoutMs.maximum})` : ''}`,
          ),
        background: z.boolean().optional().describe('start it and return at once'),
      },
    },
    (args): Promise<CallToolResult> =>
      inSession(async () => {
        const request = {
          command: args.command,
          ...(args.cwd ? { cwd: args.cwd } : {}),
          ...(args.timeout_ms ? { timeoutMs: args.timeout_ms } : {}),
        };
        if (args.background) {
          const p = await client.sessions.start(args.session_id, request);
          return [{ type: 'text', text: `started in the background (process ${p.id}, ${p.status})` }];
        }
        const r = await client.sessions.exec(args.session_id, {
          ...request,
          ...(args.stdin === undefined ? {} : { stdin: args.stdin }),
        });
        return [{ type: 'text', text: commandText(r) }];
      }),
  );

  server.registerTool(
    'run_cell',
    {
      title: 'Run a notebook cell in a session',
      description: [
        'Runs code in a long-lived Python or JavaScript interpreter in the session, as a notebook cell: variables,',
        'imports and definitions persist between calls (one interpreter per language per session, started on first',
        'use). Returns the cell’s stdout, stderr, the value of its last expression, rich displays (a matplotlib',
        'figure comes back as an image) and any error with its traceback. A cell that runs past timeout_ms is',
        'interrupted; the interpreter and its variables live on.',
      ].join(' '),
      inputSchema: {
        session_id: sessionId,
        code: z.string().describe('the cell’s code'),
        language: z.enum(['python', 'javascript']).optional().describe('default python'),
        timeout_ms: z
          .number()
          .int()
          .positive()
          .max(CELL_TIMEOUT_MS.maximum)
          .optional()
          .describe(`interrupt the cell after this long (default ${CELL_TIMEOUT_MS.default})`),
      },
    },
    (args, extra): Promise<CallToolResult> =>
      inSession(async () => {
        const language = args.language ?? 'python';
        const contexts = await client.sessions.contexts(args.session_id);
        let context = contexts.find((c) => c.language === language);
        if (context && !context.alive) context = await client.sessions.restartContext(args.session_id, context.id);
        context ??= await client.sessions.createContext(args.session_id, language);
        const cid = context.id;
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          void client.sessions.interruptContext(args.session_id, cid).catch(() => undefined);
        }, args.timeout_ms ?? CELL_TIMEOUT_MS.default);
        // the MCP client's cancel stops the cell the same way
        const cancel = (): void => void client.sessions.interruptContext(args.session_id, cid).catch(() => undefined);
        extra.signal.addEventListener('abort', cancel);
        try {
          const events: CellStreamEvent[] = [];
          for await (const e of client.sessions.streamCell(args.session_id, cid, args.code)) events.push(e);
          return cellContent(events, timedOut ? (args.timeout_ms ?? CELL_TIMEOUT_MS.default) : undefined);
        } finally {
          clearTimeout(timer);
          extra.signal.removeEventListener('abort', cancel);
        }
      }),
  );

  server.registerTool(
    'write_file',
    {
      title: 'Write a file in a session',
      description: 'Writes a file in the session’s workspace (its directories are made), replacing what was there.',
      inputSchema: {
        session_id: sessionId,
        path: z.string().describe('a path relative to the workspace, e.g. "src/main.py"'),
        content: z.string().describe('the file’s content'),
        encoding: z.enum(['utf8', 'base64']).optional().describe('base64 for binary content; default utf8'),
      },
    },
    (args): Promise<CallToolResult> =>
      inSession(async () => {
        const bytes = args.encoding === 'base64' ? Buffer.from(args.content, 'base64') : args.content;
        const f = await client.sessions.writeFile(args.session_id, args.path, bytes);
        return [{ type: 'text', text: `wrote ${f.path} (${f.size} bytes)` }];
      }),
  );

  server.registerTool(
    'read_file',
    {
      title: 'Read a file from a session',
      description:
        'Reads a file of the session’s workspace: text as text, an image (png, jpeg, gif, webp) as an image, other binary content as base64.',
      inputSchema: {
        session_id: sessionId,
        path: z.string().describe('a path relative to the workspace'),
      },
    },
    (args): Promise<CallToolResult> =>
      inSession(async () => {
        const mimeType = IMAGE_TYPES[args.path.split('.').pop()?.toLowerCase() ?? ''];
        // no more is read than a model is given: a large file is not held here whole
        const head = await client.sessions.readFileHead(args.session_id, args.path, mimeType ? MAX_IMAGE : MAX_TEXT);
        const bytes = Buffer.from(head.bytes);
        if (mimeType) {
          if (head.truncated)
            throw new ToolFailure('FILE_TOO_LARGE', `${args.path}: an image over ${MAX_IMAGE} bytes is not sent`);
          return [{ type: 'image', data: bytes.toString('base64'), mimeType }];
        }
        const more = head.truncated ? `\n[cut at ${MAX_TEXT} bytes: read the rest with exec_command, e.g. tail]` : '';
        const text = bytes.toString('utf8');
        if (!text.slice(0, -4).includes('\uFFFD')) return [{ type: 'text', text: `${text}${more}` }];
        return [{ type: 'text', text: `(binary, base64)\n${bytes.toString('base64')}${more}` }];
      }),
  );

  server.registerTool(
    'list_files',
    {
      title: 'List files in a session',
      description: 'Lists a directory of the session’s workspace: each entry’s path, type and size.',
      inputSchema: {
        session_id: sessionId,
        path: z.string().optional().describe('a directory relative to the workspace; default the workspace'),
        depth: z.number().int().min(1).max(16).optional().describe('1: its own entries (default); more: deeper'),
      },
    },
    (args): Promise<CallToolResult> =>
      inSession(async () => {
        const entries = await client.sessions.list(args.session_id, {
          ...(args.path ? { path: args.path } : {}),
          ...(args.depth ? { depth: args.depth } : {}),
        });
        const lines = entries.map((e) => `${e.type === 'dir' ? `${e.path}/` : e.path}\t${e.type}\t${e.size}`);
        return [{ type: 'text', text: lines.length ? lines.join('\n') : '(empty)' }];
      }),
  );

  server.registerTool(
    'close_session',
    {
      title: 'Close a session',
      description: 'Ends the session: every process in it is killed and its workspace removed.',
      inputSchema: { session_id: sessionId },
    },
    (args): Promise<CallToolResult> =>
      inSession(async () => {
        const s = await client.sessions.delete(args.session_id);
        const u = s.usage;
        return [
          {
            type: 'text',
            text: `closed${u ? `: cpu ${u.cpuMs} ms, memory peak ${Math.round(u.memoryPeakBytes / 1024)} KiB` : ''}`,
          },
        ];
      }),
  );
}

/** a tool's work in a session: a session that is gone says what to do next */
function inSession(fn: () => Promise<CallToolResult['content']>): Promise<CallToolResult> {
  return answer(async () => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof CodeboxError && (err.code === 'SESSION_NOT_FOUND' || err.code === 'SESSION_LOST'))
        throw new ToolFailure(
          err.code,
          `${err.message}. A session ends after its idle timeout or lifetime, on close_session, or with its worker: create_session makes a new one (its files are gone).`,
        );
      throw err;
    }
  });
}

function commandText(r: CommandResultJson): string {
  const lines = [
    `exit code: ${r.exitCode ?? 'none'}${r.signal ? `, signal ${r.signal}` : ''}${r.timedOut ? ' (timed out)' : ''}${r.oomKilled ? ' (out of memory)' : ''}, wall ${r.wallMs} ms`,
    `stdout:\n${streamText(r.stdout, r.stdoutEncoding)}${r.stdoutTruncated ? '\n[cut at the output limit]' : ''}`,
  ];
  if (r.stderr)
    lines.push(
      `stderr:\n${streamText(r.stderr, r.stderrEncoding)}${r.stderrTruncated ? '\n[cut at the output limit]' : ''}`,
    );
  return lines.join('\n');
}

/** a cell's events as a model reads them: streams joined, its value, images as images, its error */
function cellContent(
  events: readonly CellStreamEvent[],
  interruptedAfterMs: number | undefined,
): CallToolResult['content'] {
  const content: CallToolResult['content'] = [];
  const out: string[] = [];
  const err: string[] = [];
  const parts: string[] = [];
  for (const e of events) {
    if (e.type === 'stdout') out.push(e.text);
    else if (e.type === 'stderr') err.push(e.text);
    else if (e.type === 'result' || e.type === 'display') {
      const png = e.data['image/png'];
      const jpeg = e.data['image/jpeg'];
      if (png || jpeg)
        content.push({ type: 'image', data: (png ?? jpeg)!, mimeType: png ? 'image/png' : 'image/jpeg' });
      else if (e.data['text/plain'] !== undefined)
        parts.push(`${e.type === 'result' ? 'result' : 'display'}: ${cut(e.data['text/plain'])}`);
    } else if (e.type === 'error') parts.push(`error: ${e.name}: ${e.message}\n${cut(e.traceback)}`);
    else if (e.type === 'fail') throw new ToolFailure(e.code, e.message);
    else if (e.type === 'done' && e.truncated)
      parts.push('[the cell’s output went past the limit; the rest was dropped]');
    else if (e.type === 'done' && e.ended) parts.push('[the interpreter ended: the next cell starts a fresh one]');
  }
  const text = [
    ...(out.length ? [`stdout:\n${cut(out.join(''))}`] : []),
    ...(err.length ? [`stderr:\n${cut(err.join(''))}`] : []),
    ...parts,
    ...(interruptedAfterMs
      ? [`[interrupted after ${interruptedAfterMs} ms; the context and its variables live on]`]
      : []),
  ];
  return [{ type: 'text', text: text.length ? text.join('\n') : '(no output)' }, ...content];
}

/**
 * `codebox session`: a running service's sessions from the command line, through the typed
 * client (CODEBOX_URL, CODEBOX_KEY, or --url and --key).
 *
 *   create [--language L] [--ttl S] [--idle S] [--memory SIZE] [--network] [--json]
 *   exec ID [--cwd DIR] [--timeout MS] (-c 'shell line' | -- CMD [ARGS...])   its output live, its exit code
 *   cp SRC DST        one side ID:PATH; a directory goes as a tar stream (the host's tar)
 *   shell ID          a terminal in the box, in this terminal (raw mode, resized with it)
 *   rm ID             end it
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Readable } from 'node:stream';
import { CodeboxClient, CodeboxError } from '@codebox/client';
import type { CommandRequest, SessionRequest, WebSocketConstructor } from '@codebox/client';
import WebSocket from 'ws';
import { walkFlags } from './flags.js';
import { loadServiceConfig } from './session-config.js';
import { parseDuration, parseSize } from './units.js';
import { UsageError } from './usage-error.js';

export const SESSION_HELP = `usage: codebox session <command>   (against CODEBOX_URL, default http://127.0.0.1:8080; key CODEBOX_KEY)

  create [--language L] [--ttl S] [--idle S] [--memory SIZE] [--network] [--json]
                          a new session; prints its id (--json: all of it)
  exec ID [--cwd DIR] [--timeout MS] -c 'LINE'     a shell line in it
  exec ID [--cwd DIR] [--timeout MS] -- CMD ARGS   a command (no shell)
                          output live; exits with the command's code; stdin is sent when it is not a terminal
  cp SRC DST              copy a file or directory in or out: one side is ID:PATH
  shell ID                an interactive terminal in the box (exit or Ctrl-D ends it)
  rm ID                   end it: everything in it is killed and removed
flags for all: --url URL, --key KEY`;

export async function sessionCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    return await session(argv, env);
  } catch (err) {
    // the service's answer, in one line: what it said and why
    if (!(err instanceof CodeboxError)) throw err;
    process.stderr.write(`codebox: ${err.message}\n`);
    return 1;
  }
}

async function session(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadServiceConfig(env);
  const rest: string[] = [];
  const tail = argv.indexOf('--');
  const head = tail < 0 ? argv : argv.slice(0, tail);
  const after = tail < 0 ? [] : argv.slice(tail + 1);
  const flags = new Map<string, string | true>();
  const valued = new Set(['--url', '--key', '--language', '--ttl', '--idle', '--memory', '--cwd', '--timeout', '-c']);
  walkFlags(
    head,
    (flag, value) => void flags.set(flag, valued.has(flag) ? value() : true),
    (arg) => void rest.push(arg),
  );
  const [sub, ...args] = rest;
  const key = str(flags.get('--key')) ?? config.key;
  const client = new CodeboxClient({ baseUrl: str(flags.get('--url')) ?? config.url, ...(key ? { apiKey: key } : {}) });
  switch (sub) {
    case 'create':
      return create(client, flags);
    case 'exec':
      return exec(client, need(args[0], 'exec ID'), flags, after);
    case 'cp':
      return copy(client, need(args[0], 'cp SRC DST'), need(args[1], 'cp SRC DST'));
    case 'shell':
      return shell(client, need(args[0], 'shell ID'));
    case 'rm':
      await client.sessions.delete(need(args[0], 'rm ID'));
      return 0;
    case undefined:
    case 'help':
      process.stdout.write(`${SESSION_HELP}\n`);
      return 0;
    default:
      throw new UsageError(`unknown session command "${sub}" (create, exec, cp, shell, rm)`);
  }
}

const str = (v: string | true | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

function need(v: string | undefined, usage: string): string {
  if (!v) throw new UsageError(`codebox session ${usage}`);
  return v;
}

async function create(client: CodeboxClient, flags: Map<string, string | true>): Promise<number> {
  const seconds = (flag: string): number | undefined => {
    const v = str(flags.get(flag));
    if (v === undefined) return undefined;
    const ms = parseDuration(/^\d+$/.test(v) ? `${v}s` : v);
    if (ms === undefined) throw new UsageError(`${flag}: a duration, e.g. 600 or 10m`);
    return Math.ceil(ms / 1000);
  };
  const memory = str(flags.get('--memory'));
  const memoryBytes = memory === undefined ? undefined : parseSize(memory);
  if (memory !== undefined && memoryBytes === undefined) throw new UsageError('--memory: a size, e.g. 512m');
  const ttlS = seconds('--ttl');
  const idleTimeoutS = seconds('--idle');
  const language = str(flags.get('--language'));
  const request: SessionRequest = {
    ...(language ? { language } : {}),
    ...(ttlS ? { ttlS } : {}),
    ...(idleTimeoutS ? { idleTimeoutS } : {}),
    ...(memoryBytes ? { limits: { memoryBytes } } : {}),
    ...(flags.has('--network') ? { network: true } : {}),
  };
  const s = await client.sessions.create(request);
  process.stdout.write(flags.has('--json') ? `${JSON.stringify(s)}\n` : `${s.id}\n`);
  return 0;
}

async function exec(
  client: CodeboxClient,
  id: string,
  flags: Map<string, string | true>,
  argv: string[],
): Promise<number> {
  const line = str(flags.get('-c'));
  if ((line === undefined) === (argv.length === 0))
    throw new UsageError("codebox session exec ID -c 'LINE', or -- CMD ARGS");
  const timeout = str(flags.get('--timeout'));
  const cwd = str(flags.get('--cwd'));
  const stdin = process.stdin.isTTY ? undefined : await readAll(process.stdin);
  const command: CommandRequest = {
    ...(line === undefined ? { argv } : { command: line }),
    ...(cwd ? { cwd } : {}),
    ...(timeout ? { timeoutMs: Number(timeout) } : {}),
    ...(stdin && stdin.length > 0 ? { stdin: stdin.toString('base64'), stdinEncoding: 'base64' as const } : {}),
  };
  let code = 1;
  for await (const e of client.sessions.stream(id, command)) {
    if (e.type === 'stdout' || e.type === 'stderr') {
      const bytes = Buffer.from(e.data.data, e.data.encoding === 'base64' ? 'base64' : 'utf8');
      (e.type === 'stdout' ? process.stdout : process.stderr).write(bytes);
    }
    if (e.type === 'exit') {
      code = e.data.exitCode ?? 128 + signalNumber(e.data.signal);
      if (e.data.timedOut) process.stderr.write(`codebox: timed out\n`);
    }
  }
  return code;
}

/** a signal's number by name, for the exit code a shell gives a killed command (128 + N) */
function signalNumber(name: string | null): number {
  return (name ? (os.constants.signals as Record<string, number>)[name] : undefined) ?? 1;
}

/** ID:PATH, or a local path */
function remote(spec: string): { id: string; path: string } | undefined {
  const m = /^([0-9a-f-]{36}):(.*)$/.exec(spec);
  return m ? { id: m[1] ?? '', path: m[2] ?? '' } : undefined;
}

async function copy(client: CodeboxClient, src: string, dst: string): Promise<number> {
  const from = remote(src);
  const to = remote(dst);
  if (!from === !to) throw new UsageError('codebox session cp: exactly one side is ID:PATH');
  if (to) {
    const st = fs.statSync(src);
    if (st.isDirectory()) {
      const tar = spawn('tar', ['-C', src, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      await client.sessions.upload(
        to.id,
        Readable.toWeb(tar.stdout) as ReadableStream<Uint8Array>,
        to.path ? { path: to.path } : {},
      );
      return 0;
    }
    await client.sessions.writeFile(to.id, to.path || src.split('/').at(-1) || src, fs.readFileSync(src), {
      mode: st.mode & 0o777,
    });
    return 0;
  }
  if (!from) return 1;
  if (from.path === '' || (await isDir(client, from.id, from.path))) {
    fs.mkdirSync(dst, { recursive: true });
    // the archive is the box's to shape: no owner or set-id bit of its choosing, even for
    // root (who keeps both by default); its members are under PATH, the directory becomes DST
    const strip = from.path === '' ? [] : [`--strip-components=${from.path.split('/').length}`];
    const tar = spawn('tar', ['-C', dst, '-xf', '-', '--no-same-owner', '--no-same-permissions', ...strip], {
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    const closed = new Promise<number>((resolve) => tar.on('close', (c) => resolve(c ?? 1)));
    const body = await client.sessions.download(from.id, from.path ? { path: from.path } : {});
    Readable.fromWeb(body as never).pipe(tar.stdin);
    return closed;
  }
  fs.writeFileSync(dst, await client.sessions.readFile(from.id, from.path));
  return 0;
}

/** whether a workspace path is a directory: its parent's listing says */
async function isDir(client: CodeboxClient, id: string, path: string): Promise<boolean> {
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const name = path.slice(path.lastIndexOf('/') + 1);
  const entries = await client.sessions.list(id, parent ? { path: parent } : {});
  return entries.some((e) => e.path === name && e.type === 'dir');
}

/** a terminal in the box, in this one: raw keystrokes in, its screen out, resized with this terminal */
async function shell(client: CodeboxClient, id: string): Promise<number> {
  const t = client.sessions.pty(id, {
    cols: process.stdout.columns ?? 80,
    rows: process.stdout.rows ?? 24,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
  t.onOutput((data) => process.stdout.write(data));
  const raw = process.stdin.isTTY;
  const onResize = (): void => t.resize(process.stdout.columns ?? 80, process.stdout.rows ?? 24);
  const onInput = (b: Buffer): void => t.write(b.toString('utf8'));
  try {
    await t.ready;
    if (raw) process.stdin.setRawMode(true);
    process.stdin.on('data', onInput);
    process.stdin.resume();
    process.on('SIGWINCH', onResize);
    const exit = await t.exited;
    return exit.exitCode ?? 128 + signalNumber(exit.signal);
  } finally {
    process.off('SIGWINCH', onResize);
    process.stdin.off('data', onInput);
    if (raw) process.stdin.setRawMode(false);
    process.stdin.pause();
    t.close();
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts);
}

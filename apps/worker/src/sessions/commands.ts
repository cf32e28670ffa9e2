/**
 * A session's commands: a foreground command streams its output and ends the call with its
 * exit (its stdin, when given, comes as the call's input); a background one answers at once
 * with its handle and keeps its latest output (OutputRing) for later reads; `run` compiles
 * and runs a workspace file with its language's steps (run-file.ts). A foreground command
 * whose caller goes is killed: it was the caller's.
 */
import type { Writable } from 'node:stream';
import type { WorkerCall } from '@codebox/jobs';
import { encodeOutput } from '@codebox/protocol';
import type { CommandExit, CommandRequest, ProcessOutput, ProcessView } from '@codebox/protocol';
import type { Background, Handler, HandlerContext, HostedSession } from './context.js';
import { drained, endWithValue, exitJson, OutputSender } from './context.js';
import type { CommandResult } from './engine.js';
import { refuse } from './errors.js';
import { OutputRing } from './output-ring.js';
import { planRun, runtimeFor } from './run-file.js';

/** what the API sends with a command: the request, and whether its stdin follows as input */
export interface ExecArgs extends CommandRequest {
  readonly hasStdin?: boolean;
}

/** the entry's text is read for a language whose text says what runs (Java): at most this much */
const ENTRY_READ_BYTES = 4 << 20;
/** a kill by name: what the API lets through */
const SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']);

export const exec: Handler = async (h, s, call) => {
  const req = call.args as ExecArgs;
  if (req.run !== undefined) return runFile(h, s, call, req);
  const argv = req.argv ?? [...h.shell, req.command ?? ''];
  if (req.background) return background(h, s, call, req, argv);
  const sender = new OutputSender(call);
  const r = await foreground(h, s, call, req, argv, req.env, sender, true);
  await sender.flush();
  await call.end(exitJson(r));
};

/** one foreground command: started, its stdin pumped in, killed if its caller goes */
async function foreground(
  h: HandlerContext,
  s: HostedSession,
  call: WorkerCall,
  req: ExecArgs,
  argv: readonly string[],
  env: Readonly<Record<string, string>> | undefined,
  sender: OutputSender,
  announce: boolean,
  withStdin = true,
): Promise<CommandResult> {
  const stdinFollows = withStdin && req.hasStdin === true;
  const handle = s.session.exec(
    {
      argv,
      ...(env ? { env } : {}),
      ...(req.cwd ? { cwd: req.cwd } : {}),
      ...(stdinFollows ? { openStdin: true } : { stdin: Buffer.alloc(0) }),
      timeoutMs: req.timeoutMs ?? h.policy.commandTimeoutMs.default,
    },
    { onOutput: (stream, data) => sender.push(stream, data) },
  );
  const kill = (): void => handle.kill('SIGKILL');
  call.signal.addEventListener('abort', kill);
  try {
    if (announce) {
      // its output follows its start, whatever it writes before the event is sent
      const started = call.event({ type: 'start', id: handle.id });
      sender.after(started);
      await started;
    }
    if (stdinFollows && handle.stdin) void pumpInput(call, handle.stdin);
    return await handle.done;
  } finally {
    call.signal.removeEventListener('abort', kill);
  }
}

/** the call's input into a command's stdin, as fast as it reads it, then its end */
async function pumpInput(call: WorkerCall, stdin: Writable): Promise<void> {
  stdin.on('error', () => undefined); // a command that exits without reading: EPIPE is nothing to us
  try {
    for (let p = await call.nextInput(); p; p = await call.nextInput()) {
      if (stdin.destroyed) break;
      if (!stdin.write(p.bytes)) await drained(stdin);
    }
  } catch {
    // the call is over (its caller went, or the command ended): no more input
  } finally {
    stdin.end();
  }
}

async function background(
  h: HandlerContext,
  s: HostedSession,
  call: WorkerCall,
  req: ExecArgs,
  argv: readonly string[],
): Promise<void> {
  if (s.processes.size >= h.policy.processes)
    throw refuse(
      'SESSION_BUSY',
      `the session holds ${h.policy.processes} background processes: kill one first (DELETE .../processes/{pid})`,
      {
        limit: h.policy.processes,
      },
    );
  const ring = new OutputRing(h.policy.backgroundOutputBytes);
  const handle = s.session.exec(
    {
      argv,
      ...(req.env ? { env: req.env } : {}),
      ...(req.cwd ? { cwd: req.cwd } : {}),
      stdin: Buffer.alloc(0),
      ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
    },
    { onOutput: (stream, data) => ring.push(stream, data) },
  );
  const bg: Background = {
    id: handle.id,
    argv,
    startedAt: Date.now(),
    ring,
    kill: (sig) => handle.kill(sig),
    done: handle.done.then(
      (r) => {
        bg.exit = exitJson(r);
        bg.endedAt = Date.now();
      },
      (err: unknown) => {
        h.log.warn({ err, sessionId: s.id }, 'a background command failed in the engine');
        bg.exit = { ...NO_EXIT };
        bg.endedAt = Date.now();
      },
    ),
  };
  s.processes.set(handle.id, bg);
  await endWithValue(call, processView(bg));
}

const NO_EXIT: CommandExit = {
  exitCode: null,
  signal: null,
  timedOut: false,
  oomKilled: false,
  stdoutTruncated: false,
  stderrTruncated: false,
  wallMs: 0,
  cpuMs: 0,
  memoryBytes: 0,
};

export function processView(bg: Background): ProcessView {
  return {
    id: bg.id,
    argv: [...bg.argv],
    status: bg.exit ? 'exited' : 'running',
    startedAt: new Date(bg.startedAt).toISOString(),
    ...(bg.endedAt === undefined ? {} : { endedAt: new Date(bg.endedAt).toISOString() }),
    ...(bg.exit ? { exit: bg.exit } : {}),
  };
}

export const processes: Handler = async (_h, s, call) => {
  await endWithValue(call, [...s.processes.values()].map(processView));
};

function backgroundOf(s: HostedSession, pid: unknown): Background {
  const bg = typeof pid === 'number' ? s.processes.get(pid) : undefined;
  if (!bg) throw refuse('PROCESS_NOT_FOUND', `no background process ${String(pid)} in this session`, { pid });
  return bg;
}

/** a background process and its output after `after` */
export const processOutput: Handler = async (_h, s, call) => {
  const { pid, after } = call.args as { pid: number; after?: number };
  const bg = backgroundOf(s, pid);
  const out = bg.ring.after(after ?? 0);
  const view: ProcessOutput = {
    process: processView(bg),
    chunks: out.chunks.map((c) => {
      const { text, encoding } = encodeOutput(c.data);
      return { seq: c.seq, stream: c.stream, data: text, encoding };
    }),
    next: out.next,
    dropped: out.dropped,
  };
  await endWithValue(call, view);
};

/**
 * A signal to a background process's group, and a moment (KILL_WAIT_MS) for it to end;
 * one that has ended is forgotten, its place freed (its view is the answer).
 */
export const kill: Handler = async (_h, s, call) => {
  const { pid, signal } = call.args as { pid: number; signal?: string };
  const bg = backgroundOf(s, pid);
  const sig = signal ?? 'SIGKILL';
  if (!SIGNALS.has(sig))
    throw refuse('INVALID_REQUEST', `signal: one of ${[...SIGNALS].join(', ')}`, { field: 'signal' });
  if (!bg.exit) {
    bg.kill(sig as NodeJS.Signals);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bg.done, new Promise((r) => (timer = setTimeout(r, KILL_WAIT_MS)))]).finally(() =>
      clearTimeout(timer),
    );
  }
  if (bg.exit) s.processes.delete(pid);
  await endWithValue(call, processView(bg));
};

/** how long a kill waits for its process to be gone before answering (still running, then) */
const KILL_WAIT_MS = 2_000;

/**
 * `run`: the file's language's steps, each a foreground command with `stage` events; the
 * compile step's helper files are there only while it runs. A compile that fails ends it.
 */
async function runFile(h: HandlerContext, s: HostedSession, call: WorkerCall, req: ExecArgs): Promise<void> {
  const run = req.run ?? '';
  const rt = runtimeFor(h.registry, run, s.language);
  const inDir = (p: string): string => (req.cwd ? `${req.cwd}/${p}` : p);
  const source = rt.entry
    ? (await s.session.readFile(inDir(run), { maxBytes: ENTRY_READ_BYTES })).toString('utf8')
    : '';
  const plan = planRun(rt, { run, ...pick(req) }, s.session.limits, source);
  const env = { ...plan.env, ...req.env };
  const sender = new OutputSender(call);
  let compile: CommandExit | undefined;
  for (const step of plan.steps) {
    await call.event({ type: 'stage', stage: step.stage, state: 'start' });
    const helpers = step.stage === 'compile' ? plan.helpers : [];
    for (const f of helpers) await s.session.writeFile(inDir(f.path), f.content);
    let r: CommandResult;
    try {
      r = await foreground(h, s, call, req, step.argv, env, sender, false, step.stage === 'run');
    } finally {
      for (const f of helpers) await s.session.remove(inDir(f.path)).catch(() => undefined);
    }
    await sender.flush();
    const exit = exitJson(r);
    await call.event({ type: 'stage', stage: step.stage, state: 'exit', ...exit });
    if (step.stage === 'compile') {
      compile = exit;
      if (r.exitCode !== 0) return call.end({ ...exit, stage: 'compile' });
    } else return call.end({ ...exit, stage: 'run', ...(compile ? { compile } : {}) });
  }
}

function pick(req: ExecArgs): { sources?: string[]; args?: string[]; compileArgs?: string[] } {
  return {
    ...(req.sources ? { sources: req.sources } : {}),
    ...(req.args ? { args: req.args } : {}),
    ...(req.compileArgs ? { compileArgs: req.compileArgs } : {}),
  };
}

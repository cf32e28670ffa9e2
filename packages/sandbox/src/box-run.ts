/**
 * One run, as a flat sequence of named steps. Each acquisition pushes its release onto
 * a stack that unwinds on every path, so a failure at any step leaves no cgroup, mount,
 * process or uid behind (go-judge's "a resource that fails to reset is destroyed").
 * After a completed run the unwinding finishes in the background: the result does not
 * wait for rmdir and umount, but the run's uid is not reused until they are done.
 *
 *   box             a prepared one of its key (root, network, /tmp size), fitted with its
 *                   cgroup limits and work-dir size; or one set up now (box-open.ts):
 *                   uid, cgroup, launcher, work dir, bwrap, the box init's hello
 *   command         the init writes the files into /box (charged to the box) and waits
 *   go              cpu and wall clocks start; the init execs the program
 *   supervise, account, collect (compile steps), clean up
 */
import os from 'node:os';
import picomatch from 'picomatch';
import { Readable } from 'node:stream';
import { BOX_WORKDIR } from './box-etc.js';
import { collectFiles } from './collect.js';
import type { BoxCgroup } from './cgroup/driver.js';
import { SandboxError, step } from './errors.js';
import type { Launched } from './launch.js';
import { pidfdSendSignal } from './native/libc.js';
import { BoundedOutput } from './output.js';
import { fitBox, prepareBox, reapBoxInit } from './box-open.js';
import { initRlimits, programEnv } from './plan/argv.js';
import type { KillReason, RunResult } from './result.js';
import type { Engine } from './engine.js';
import { MAX_FILES, MAX_PATH } from './spec.js';
import type { ValidSpec } from './spec.js';
import { decodeExit, verdict } from './verdict.js';

export interface RunHooks {
  /** each chunk of output as the program writes it (only what is kept under the limit) */
  readonly onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** the box is set up and its program started: setupMs is the engine's, bwrap's and the files' time */
  readonly onStart?: (info: { setupMs: number; cgroup: string; prestarted: boolean }) => void;
  /** aborting kills the box; the result then has killedBy 'abort' */
  readonly signal?: AbortSignal;
}

/** number → name; where a number has two names (SIGABRT/SIGIOT, SIGIO/SIGPOLL) the first, usual one */
const SIGNAL_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(os.constants.signals)
    .reverse()
    .map(([name, n]) => [n, name]),
);
const SIGKILL = os.constants.signals.SIGKILL;
/** after the box's last process is gone, how long its pipes may take to report EOF */
const DRAIN_MS = 2_000;

export async function runBox(engine: Engine, spec: ValidSpec, hooks: RunHooks): Promise<RunResult> {
  const started = performance.now();
  const key = { rootfs: spec.rootfs, network: spec.network, tmpBytes: spec.limits.tmpBytes };
  // a box prepared ahead has its mounts made: a run that binds host files into its work dir needs its own
  const opened =
    (spec.binds.length === 0 ? engine.prepared?.take(key) : undefined) ??
    (await prepareBox(engine, { ...key, limits: spec.limits, binds: spec.binds }));
  // without uidNow a box is always made (it waits for a uid): never undefined here
  if (!opened) throw new SandboxError('LAUNCH_FAILED', 'no box');
  const { cleanup } = opened;
  let result: RunResult;
  try {
    await fitBox(opened, spec.limits);
    const { box, cgroup, workDir, pidfd, prepared: prestarted } = opened;
    const placed = await placeCommand(box, spec);
    if (placed !== 'ready') {
      result = await setupFailed(box, cgroup, placed, spec, started);
    } else {
      // the next run's launcher starts while this one's program runs, not during its setup
      result = await supervise({
        spec,
        hooks,
        box,
        cgroup,
        pidfd,
        started,
        afterStart: () => engine.prepared?.fill(),
        prestarted,
      });
      if (spec.collect && (result.status === 'OK' || spec.collect.always)) {
        const { maxBytes, maxFiles = MAX_FILES, patterns } = spec.collect;
        const match = patterns ? picomatch([...patterns], { dot: true }) : undefined;
        const collected = await step('WORKDIR_FAILED', 'collect files', () =>
          collectFiles(workDir, { maxFiles, maxPathLength: MAX_PATH, maxBytes, ...(match ? { match } : {}) }),
        );
        result = {
          ...result,
          files: collected.files,
          filesSkipped: collected.skipped,
          filesBytesOver: collected.bytesOver,
        };
      }
    }
  } catch (err) {
    await cleanup.run().catch(() => undefined);
    throw err;
  }
  // the box's processes are gone (reaped in supervise); removing its cgroup and unmounting
  // its work dir need not delay the result. close() waits for it; errors go to onError.
  engine.background(cleanup.run());
  return result;
}

/** Sends the init the files, command and rlimits; 'ready' once it has written the files. */
async function placeCommand(box: Launched, spec: ValidSpec): Promise<'ready' | { ended: true } | { error: string }> {
  const [, reply] = await Promise.all([
    box.init.send({
      files: spec.files,
      argv: spec.argv,
      env: programEnv(spec.env, BOX_WORKDIR),
      cwd: BOX_WORKDIR,
      rlimits: initRlimits(spec.limits),
    }),
    box.init.next(),
  ]);
  if (reply.type === 'ready') return 'ready';
  if (reply.type === 'error') return { error: reply.text };
  return { ended: true };
}

/**
 * The init could not write the run's files. Where the box's memory limit stopped it, the
 * request asked for more than the box holds: a verdict, with the reason. Anything else is
 * the sandbox's own failure.
 */
async function setupFailed(
  box: Launched,
  cgroup: BoxCgroup,
  placed: { ended: true } | { error: string },
  spec: ValidSpec,
  started: number,
): Promise<RunResult> {
  box.stdin.destroy();
  await cgroup.killAll();
  const usage = await cgroup.usage();
  const said = 'error' in placed ? placed.error : 'the box init ended before it was ready';
  if (usage.oomKills > 0 || /Cannot allocate memory/.test(said)) {
    const bytes = spec.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
    return {
      ...notStarted(started),
      status: 'MEMORY_LIMIT',
      signal: 'SIGKILL',
      memoryBytes: usage.memoryPeakBytes,
      oomKilled: true,
      message: `the run's files (${bytes} bytes) did not fit in its memory limit (${spec.limits.memoryBytes} bytes)`,
    };
  }
  throw new SandboxError('WORKDIR_FAILED', `place files: ${said}`);
}

function notStarted(started: number): RunResult {
  return {
    status: 'INTERNAL_ERROR',
    exitCode: null,
    signal: null,
    cpuMs: 0,
    wallMs: 0,
    memoryBytes: 0,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    stdoutTruncated: false,
    stderrTruncated: false,
    oomKilled: false,
    killedBy: null,
    setupMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

interface Supervised {
  readonly spec: ValidSpec;
  readonly hooks: RunHooks;
  readonly box: Launched;
  readonly cgroup: BoxCgroup;
  readonly pidfd: number;
  readonly started: number;
  readonly afterStart: () => void;
  readonly prestarted: boolean;
}

/**
 * Starts the program, enforces cpu, wall, output and abort, and waits for its end. The
 * cpu used before the go (bwrap's setup, the files written) is the box's, but not the
 * program's: it is read then and taken off.
 */
async function supervise(s: Supervised): Promise<RunResult> {
  const { spec, hooks, box, cgroup } = s;
  let killedBy: KillReason | null = null;
  const kill = (reason: KillReason): void => {
    killedBy ??= reason;
    // the box's pid 1: when a pid namespace's init dies the kernel kills every process in it
    pidfdSendSignal(s.pidfd, SIGKILL);
    void cgroup.killAll().catch(() => undefined);
  };
  const stdout = new BoundedOutput(
    spec.limits.outputBytes,
    (c) => hooks.onOutput?.('stdout', c),
    () => kill('output'),
  );
  const stderr = new BoundedOutput(
    spec.limits.outputBytes,
    (c) => hooks.onOutput?.('stderr', c),
    () => kill('output'),
  );
  const outClosed = collect(box.stdout, stdout);
  const errClosed = collect(box.stderr, stderr);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    box.child.once('exit', (code, signal) => resolve([code, signal])),
  );

  const baselineNs = await cgroup.cpuNs();
  box.init.go();
  const releasedAt = performance.now();
  const setupMs = releasedAt - s.started;
  hooks.onStart?.({ setupMs, cgroup: cgroup.path, prestarted: s.prestarted });
  s.afterStart();
  feedStdin(spec.stdin, box);

  const onAbort = (): void => kill('abort');
  if (hooks.signal?.aborted) onAbort();
  hooks.signal?.addEventListener('abort', onAbort);
  const wallTimer = setTimeout(() => kill('wall'), spec.limits.wallMs);
  const cpuWatch = watchCpu(cgroup, baselineNs, spec.limits.cpuMs, spec.limits.cpus, () => kill('cpu'));

  const [code, launcherSignal] = await exited;
  const wallMs = performance.now() - releasedAt;
  clearTimeout(wallTimer);
  cpuWatch.stop();
  hooks.signal?.removeEventListener('abort', onAbort);
  box.stdin.destroy();
  await reapBoxInit(s.pidfd);
  await cgroup.killAll();
  await waitOrDestroy([outClosed, errClosed], [box.stdout, box.stderr], DRAIN_MS);

  const usage = await cgroup.usage();
  const cpuMs = Number((usage.cpuNs - baselineNs) / 1000n) / 1000;
  const { exitCode, signal } = decodeExit(code, launcherSignal, SIGNAL_NAMES);
  const status = verdict({
    killedBy,
    oomKills: usage.oomKills,
    cpuMs,
    cpuLimitMs: spec.limits.cpuMs,
    exitCode,
    signal,
  });
  return {
    status,
    exitCode,
    signal,
    cpuMs: Math.round(cpuMs),
    wallMs: Math.round(wallMs),
    memoryBytes: Math.max(usage.memoryPeakBytes, cpuWatch.memoryPeak()),
    stdout: stdout.bytes(),
    stderr: stderr.bytes(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    oomKilled: usage.oomKills > 0,
    killedBy,
    setupMs: Math.round(setupMs * 100) / 100,
  };
}

function collect(stream: Readable, into: BoundedOutput): Promise<void> {
  return new Promise((resolve) => {
    stream.on('data', (c: Buffer) => into.push(c));
    stream.on('close', resolve);
    stream.on('error', () => undefined);
  });
}

function feedStdin(stdin: ValidSpec['stdin'], box: Launched): void {
  if (stdin === undefined) {
    box.stdin.end(); // the program reads end-of-file at once
    return;
  }
  if (Buffer.isBuffer(stdin)) {
    box.stdin.end(stdin);
    return;
  }
  const source = stdin instanceof Readable ? stdin : Readable.from(stdin);
  source.pipe(box.stdin);
  box.stdin.on('close', () => source.unpipe(box.stdin));
}

/** The box's pipes close when its last process is gone; a stuck one is cut off, not awaited. */
async function waitOrDestroy(closed: Promise<void>[], streams: Readable[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([Promise.all(closed), timeout]);
  clearTimeout(timer);
  for (const s of streams) s.destroy();
}

/**
 * Polls the cgroup's cpu counter. The next look is timed for the earliest moment the
 * limit could be reached: the box cannot burn more than `cpus` cores of cpu per wall
 * second, so with R ms left the limit is at least R / cpus ms away. Floors at 2 ms,
 * caps at 100 ms. Also samples memory for kernels without a peak file.
 */
function watchCpu(cgroup: BoxCgroup, baselineNs: bigint, limitMs: number, cpus: number, onLimit: () => void) {
  let stopped = false;
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  const rate = Math.max(cpus, 0.01);
  const tick = async (): Promise<void> => {
    if (stopped) return;
    try {
      const usedMs = Number(((await cgroup.cpuNs()) - baselineNs) / 1000n) / 1000;
      if (!cgroup.tracksPeak) peak = Math.max(peak, await cgroup.memoryCurrentBytes());
      if (usedMs >= limitMs) return onLimit();
      schedule((limitMs - usedMs) / rate);
    } catch {
      // the group is being torn down: the run is over
    }
  };
  const schedule = (ms: number): void => {
    if (!stopped) timer = setTimeout(() => void tick(), Math.min(100, Math.max(2, ms)));
  };
  schedule(limitMs / rate);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    memoryPeak: () => peak,
  };
}

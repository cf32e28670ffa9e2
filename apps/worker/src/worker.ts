/**
 * A codebox worker's life: make the sandbox, read the languages of its root, announce
 * itself, take jobs from the BullMQ queue (job-runner.ts does each), and on close take no
 * new ones, give running ones graceMs, then kill their boxes. Everything acquired at start
 * is released on close, and on a failed start.
 */
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { Worker } from 'bullmq';
import {
  announce,
  connect,
  JobStore,
  Keys,
  letGo,
  ProblemStore,
  QUEUE_NAME,
  queueConnection,
  retire,
  SessionStore,
  TIMINGS,
  WorkerInbox,
} from '@codebox/jobs';
import type { QueuedJob, WorkerRecord } from '@codebox/jobs';
import { jobError } from '@codebox/protocol';
import type { RuntimeInfo } from '@codebox/protocol';
import {
  chooseRoot,
  COMPILE_DEFAULTS,
  DEFAULT_ARTIFACT_BYTES,
  detectRuntimes,
  LANGUAGES,
  Registry,
} from '@codebox/runtimes';
import type { DetectedRuntime, ProgramPolicy, Root } from '@codebox/runtimes';
import { createSandbox, DEFAULT_LIMITS, MAX_LIMITS } from '@codebox/sandbox';
import type { WorkerConfig } from './config.js';
import { liveInput } from './input.js';
import { JobRunner, RuntimeAbsentError } from './job-runner.js';
import type { WorkerMetrics } from './metrics.js';
import { BlobCache } from './problems/blob-cache.js';
import { CompiledPrograms } from './problems/compile-cache.js';
import { ProblemJudge } from './problems/problem-judge.js';
import type { SessionEngine } from './sessions/engine.js';
import { SessionHost } from './sessions/host.js';
import { sessionPolicy } from './sessions/policy.js';

/** re-exported for the tests and docs that quote them: declared in @codebox/jobs' TIMINGS */
export const LOCK_MS = TIMINGS.lockMs;
export const STALLED_CHECK_MS = TIMINGS.stalledCheckMs;

export interface RunningWorker {
  readonly id: string;
  readonly runtimes: readonly DetectedRuntime[];
  readonly root: Root;
  /** stops taking jobs; running ones get graceMs; then everything is released */
  close(graceMs?: number): Promise<void>;
}

export interface WorkerDeps {
  readonly config: WorkerConfig;
  readonly redisUrl: string;
  readonly metrics: WorkerMetrics;
  /** structured logs (pino); every line about a job carries its jobId */
  readonly log?: Logger;
}

/** checkers and interactors kept compiled, in bytes of their files */
const COMPILED_BYTES = 256 << 20;

/** where stored problems' blobs are kept: CODEBOX_CACHE_DIR, else <dataDir>/cache */
function cacheDir(config: Pick<WorkerConfig, 'cacheDir' | 'dataDir'>): string {
  return config.cacheDir ?? path.join(config.dataDir, 'cache');
}

/** the service's limits: the engine's, with output capped lower (results live in Redis) */
export function servicePolicy(
  config: Pick<WorkerConfig, 'maxOutputBytes' | 'maxArtifactBytes' | 'outputFiles' | 'outputFilesBytes'>,
): ProgramPolicy {
  const maxima = { ...MAX_LIMITS, outputBytes: config.maxOutputBytes };
  const cap = (l: typeof DEFAULT_LIMITS) => ({ ...l, outputBytes: Math.min(l.outputBytes, config.maxOutputBytes) });
  const artifactBytes = {
    default: Math.min(DEFAULT_ARTIFACT_BYTES.default, config.maxArtifactBytes),
    maximum: config.maxArtifactBytes,
  };
  return {
    run: { defaults: cap(DEFAULT_LIMITS), maxima },
    compile: { defaults: cap(COMPILE_DEFAULTS), maxima },
    artifactBytes,
    outputs: { maxFiles: config.outputFiles, maxBytes: config.outputFilesBytes },
  };
}

/** the limits a worker publishes (GET /v1/runtimes): the compile step's with its hand-over cap */
export function publishedLimits(policy: ProgramPolicy): WorkerRecord['limits'] {
  return {
    run: policy.run,
    compile: {
      defaults: { ...policy.compile.defaults, artifactBytes: policy.artifactBytes.default },
      maxima: { ...policy.compile.maxima, artifactBytes: policy.artifactBytes.maximum },
    },
    outputs: policy.outputs,
  };
}

/**
 * After the grace, what recording the killed jobs' ends and letting everything go may take:
 * past it the worker stops waiting (on a Redis that is gone, say) and its close resolves.
 * The boxes are the engine's to clean up, which needs no Redis and is always waited for.
 */
export const END_MARGIN_MS = 5_000;
/** of that margin, what letting go of Redis, the queue and the engine may take at the end */
const RELEASE_MS = 1_500;
/** of that margin, what the engine's close and the process's own exit are left */
const EXIT_MS = 1_000;
/** the least a release step gets once the deadline has passed */
const LATE_STEP_MS = 50;

/** whether `p` settled within ms (it goes on either way) */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
}

export async function startWorker({
  config,
  redisUrl,
  metrics,
  log = pino({ level: 'silent' }),
}: WorkerDeps): Promise<RunningWorker> {
  const id = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}`;
  // what was acquired, released in reverse order; each step bounded by the deadline (the
  // engine's close, last, is waited for whatever the time)
  const release: { step: (ms: number) => unknown; bounded: boolean }[] = [];
  const releaseAll = async (deadline = Infinity): Promise<void> => {
    for (let r = release.pop(); r; r = release.pop()) {
      const ms = Math.max(LATE_STEP_MS, deadline - Date.now());
      const work = Promise.resolve().then(() => r.step(ms));
      if (r.bounded) await within(work, ms);
      else await work.catch(() => undefined);
    }
  };
  const onRelease = (step: (ms: number) => unknown, bounded = true): void => void release.push({ step, bounded });
  try {
    const root = chooseRoot(config.rootfs, config.dataDir);
    // a box's cleanup that fails after its run has returned is the engine's to report: to our log
    const sandbox = await createSandbox({
      // a box prepared for each slot, on the root the jobs run on: every job that comes
      // to a free slot finds its box set up (the engine learns other roots and networks
      // from the runs that ask for them)
      prestart: config.preparedBoxes ?? config.slots,
      prestartRootfs: root.path,
      ...config.sandbox,
      onError: (err) => log.error({ err }, 'sandbox: cleanup after a run failed'),
    });
    onRelease(() => sandbox.close(), false);
    const detection = await detectRuntimes(sandbox, root, LANGUAGES);
    for (const [rt, why] of Object.entries(detection.absent))
      log.warn({ runtime: rt, reason: why }, `runtime ${rt} absent`);

    const redis = connect(redisUrl, `codebox-worker-${id}`);
    onRelease((ms) => letGo(redis, ms));
    const keys = new Keys(config.redisPrefix);
    const store = new JobStore(redis, config.redisPrefix, {
      jobTtlS: 86_400,
      resultTtlS: config.resultTtlS,
      streamMaxLen: 10_000,
    });
    const policy = servicePolicy(config);
    const problems = new ProblemStore(redis, config.redisPrefix);
    const runner = new JobRunner({
      workerId: id,
      store,
      sandbox,
      runtimes: new Map(detection.found.map((rt) => [rt.id, rt])),
      root,
      policy,
      metrics,
      streamMaxBytes: config.streamMaxBytes,
      testOutputBytes: config.testOutputBytes,
      resultMaxBytes: config.resultMaxBytes,
      log,
      input: (jobId, onSignal) => liveInput(redis, store, jobId, onSignal),
      problems: new ProblemJudge(problems, new BlobCache(cacheDir(config), config.cacheBytes, problems)),
      compiled: new CompiledPrograms(COMPILED_BYTES),
    });

    const subscriber = connect(redisUrl, `codebox-worker-${id}-cancel`);
    onRelease((ms) => letGo(subscriber, ms));
    subscriber.on('message', (_channel: string, jobId: string) => runner.end(jobId, 'cancel'));
    await subscriber.subscribe(keys.cancelChannel());
    const poll = setInterval(() => void runner.recheckCancels(), TIMINGS.cancelPollMs);
    onRelease(() => clearInterval(poll));

    const sessions = await startSessions(config, id, sandbox, redis, keys, detection.found, root, metrics, log);
    onRelease(() => sessions?.inbox.stop());

    const startedAt = new Date().toISOString();
    const record = (): WorkerRecord => ({
      id,
      host: os.hostname(),
      pid: process.pid,
      slots: config.slots,
      busy: runner.busy,
      rootfs: root.name,
      runtimes: detection.found.map((rt) => runtimeInfo(rt, policy)),
      limits: publishedLimits(policy),
      startedAt,
      ...(sessions
        ? { sessions: { capacity: config.sessions, open: sessions.host.open, policy: sessions.policy } }
        : {}),
    });
    metrics.slots.set({ state: 'total' }, config.slots);
    metrics.slots.set({ state: 'busy' }, 0);
    await announce(redis, keys, record(), TIMINGS.workerRecordTtlMs);
    onRelease(() => retire(redis, keys, id));
    const heartbeat = setInterval(() => {
      void announce(redis, keys, record(), TIMINGS.workerRecordTtlMs).catch(() => undefined);
      void sessions?.inbox.refresh().catch(() => undefined);
      void sessions?.host.reconcile().catch(() => undefined);
    }, TIMINGS.heartbeatMs);
    onRelease(() => clearInterval(heartbeat));

    const queueConn = queueConnection(redisUrl, `codebox-worker-${id}-queue`);
    onRelease(() => queueConn.close());
    const worker = new Worker<QueuedJob>(QUEUE_NAME, runner.process, {
      connection: queueConn.connection as never,
      prefix: config.redisPrefix,
      concurrency: config.slots,
      lockDuration: LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      // a lost worker's entry returns to the queue; the claim decides whether it runs
      maxStalledCount: 3,
    });
    onRelease(() => worker.close(true));
    worker.on('error', (err) => log.error({ err }, 'queue error'));
    worker.on('failed', (job, err) => {
      // the entry is given up (the processor threw before its claim for the last time, or
      // it stalled more often than maxStalledCount, which BullMQ fails with tries left):
      // the record must not stay queued
      if (!job) return;
      const givenUp =
        job.attemptsMade >= (job.opts.attempts ?? 1) ||
        err.name === 'UnrecoverableError' ||
        /stalled more than/.test(err.message);
      if (!givenUp) return;
      log.error({ jobId: job.data.id, err }, 'job given up before it started');
      const error =
        err instanceof RuntimeAbsentError ? jobError('RUNTIME_ABSENT', err.message) : jobError('INTERNAL', err.message);
      void store.finish(job.data.id, 'failed', 'queued', { error }).catch(() => undefined);
    });
    await worker.waitUntilReady();
    log.info(
      {
        workerId: id,
        slots: config.slots,
        root: root.name,
        runtimes: detection.found.map((r) => `${r.id} ${r.version}`),
      },
      `worker ${id}: ${config.slots} slots, ${root.name} root`,
    );

    let closing: Promise<void> | undefined;
    const close = (graceMs = config.graceMs): Promise<void> =>
      (closing ??= (async () => {
        // a little before the promise: the engine's close and the process's exit come after
        const deadline = Date.now() + graceMs + END_MARGIN_MS - EXIT_MS;
        // sessions end now (a session has no end of its own to wait for); no new jobs,
        // and `drained` resolves once the running ones have ended and BullMQ is told
        const sessionsClosed = sessions?.host.close();
        const drained = worker.close();
        await sessionsClosed;
        if (!(await within(drained, graceMs))) runner.endAll();
        if (!(await within(drained, deadline - Date.now() - RELEASE_MS))) {
          // Redis away: ends not written by now are given up, as the worker must go
          log.warn('stopping: the ends of the jobs this worker ran could not all be recorded in time');
          runner.abandonEnds();
        }
        await releaseAll(deadline);
      })());
    return { id, runtimes: detection.found, root, close };
  } catch (err) {
    await releaseAll(Date.now() + END_MARGIN_MS);
    throw err;
  }
}

/**
 * Sessions, when the worker holds any (CODEBOX_SESSIONS): the host and its inbox, started.
 * The inbox lives as long as the worker's record, renewed with it.
 */
async function startSessions(
  config: WorkerConfig,
  workerId: string,
  sandbox: SessionEngine,
  redis: ReturnType<typeof connect>,
  keys: Keys,
  runtimes: readonly DetectedRuntime[],
  root: Root,
  metrics: WorkerMetrics,
  log: Logger,
): Promise<{ host: SessionHost; inbox: WorkerInbox; policy: ReturnType<typeof sessionPolicy> } | undefined> {
  if (config.sessions === 0) return undefined;
  const policy = sessionPolicy(config);
  const host = new SessionHost({
    workerId,
    engine: sandbox,
    store: new SessionStore(redis, config.redisPrefix, { retentionS: config.resultTtlS, startingTtlS: 120 }),
    policy,
    capacity: config.sessions,
    registry: new Registry(root.name, runtimes),
    rootfs: root.path,
    bash: runtimes.some((rt) => rt.id === 'bash'),
    // the files of an open come in a JSON body, which the API bounds first (CODEBOX_BODY_LIMIT, at most 256m)
    openBytes: 256 << 20,
    metrics,
    log,
  });
  const inbox = new WorkerInbox(redis, keys, workerId, host.handle, TIMINGS.workerRecordTtlMs);
  await inbox.start();
  return { host, inbox, policy };
}

/** what the API needs of a runtime, so that it never loads the runtimes to know it */
function runtimeInfo(rt: DetectedRuntime, policy: ProgramPolicy): RuntimeInfo {
  // the commands for an entry in its usual place, under the default limits (Judge0's compile_cmd, run_cmd)
  const entry = rt.sourceFile;
  const compileCommand = rt.compile?.({ limits: policy.compile.defaults, entry, sources: [entry] });
  return {
    id: rt.id,
    name: rt.name,
    version: rt.version,
    aliases: [...rt.aliases],
    extensions: [...rt.extensions],
    sourceFile: rt.sourceFile,
    compiled: rt.compile !== undefined,
    ...(compileCommand ? { compileCommand: [...compileCommand] } : {}),
    runCommand: [...rt.run({ limits: policy.run.defaults, entry, sources: [entry] })],
  };
}

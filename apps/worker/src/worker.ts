/**
 * A codebox worker: takes job ids from the BullMQ queue, claims each in the store before
 * any of its code runs, runs it with the engine, streams its output, and records its end.
 *
 * Never twice: a job is claimed (queued → running) atomically; a job found already
 * running was claimed by a worker that is gone, and its code may have run, so it is
 * failed with WORKER_LOST rather than run again. A job whose worker died before the
 * claim is simply taken by the next worker (BullMQ's stalled-job recovery).
 *
 * Shutdown: no new jobs; running ones get graceMs, then their boxes are killed and the
 * jobs fail with WORKER_SHUTDOWN and what output they had.
 */
import os from 'node:os';
import { Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { announce, connect, JobStore, Keys, QUEUE_NAME, redisOptions, retire } from '@codebox/jobs';
import type { QueuedJob, WorkerRecord } from '@codebox/jobs';
import { toJson } from '@codebox/protocol';
import type { JobError, RuntimeInfo } from '@codebox/protocol';
import { chooseRoot, COMPILE_POLICY, DEFAULT_PROGRAM_POLICY, detectRuntimes, LANGUAGES, runProgram } from '@codebox/runtimes';
import type { DetectedRuntime, ProgramRequest, Root } from '@codebox/runtimes';
import { createSandbox, DEFAULT_POLICY, LimitError, SpecError } from '@codebox/sandbox';
import type { Sandbox } from '@codebox/sandbox';
import type { WorkerConfig } from './config.js';
import type { WorkerMetrics } from './metrics.js';
import { OutputWriter } from './output.js';

const HEARTBEAT_MS = 5_000;
const RECORD_TTL_MS = 15_000;

type EndReason = 'cancel' | 'shutdown';

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
  readonly log?: (line: string) => void;
}

export async function startWorker({ config, redisUrl, metrics, log = () => undefined }: WorkerDeps): Promise<RunningWorker> {
  const id = `${os.hostname()}-${process.pid}-${Date.now().toString(36)}`;
  const sandbox = await createSandbox(config.sandbox);
  let redis: Redis | undefined;
  let subscriber: Redis | undefined;
  try {
    const root = chooseRoot(config.rootfs, config.dataDir);
    const detection = await detectRuntimes(sandbox, root, LANGUAGES);
    for (const [rt, why] of Object.entries(detection.absent)) log(`runtime ${rt} absent: ${why}`);
    const runtimes = new Map(detection.found.map((rt) => [rt.id, rt]));
    redis = connect(redisUrl, `codebox-worker-${id}`);
    subscriber = connect(redisUrl, `codebox-worker-${id}-cancel`);
    const store = new JobStore(redis, config.redisPrefix, { jobTtlS: 86_400, resultTtlS: config.resultTtlS, streamMaxLen: 10_000 });
    const keys = new Keys(config.redisPrefix);
    const running = new Map<string, { ac: AbortController; reason?: EndReason }>();
    const end = (jobId: string, reason: EndReason): void => {
      const r = running.get(jobId);
      if (!r || r.reason) return;
      r.reason = reason;
      r.ac.abort();
    };
    await subscriber.subscribe(keys.cancelChannel());
    subscriber.on('message', (_channel: string, jobId: string) => end(jobId, 'cancel'));

    const record = (): WorkerRecord => ({
      id,
      host: os.hostname(),
      pid: process.pid,
      slots: config.slots,
      busy: running.size,
      rootfs: root.name,
      runtimes: detection.found.map(runtimeInfo),
      limits: { run: DEFAULT_POLICY, compile: COMPILE_POLICY },
      startedAt: new Date().toISOString(),
    });
    metrics.slots.set({ state: 'total' }, config.slots);
    metrics.slots.set({ state: 'busy' }, 0);
    const beat = async (): Promise<void> => announce(redis as Redis, keys, record(), RECORD_TTL_MS).catch(() => undefined);
    await announce(redis, keys, record(), RECORD_TTL_MS);
    const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);

    const fail = (jobId: string, from: 'running' | 'queued', error: JobError) => store.finish(jobId, 'failed', from, { error });

    const processor = async (job: Job<QueuedJob>): Promise<void> => {
      const { id: jobId, runtime: runtimeId, request, acceptedAt } = job.data;
      const claim = await store.start(jobId, id);
      if (claim === 'lost') {
        await fail(jobId, 'running', { code: 'WORKER_LOST', message: 'the worker running this job was lost; its program may have run, so it is not run again' });
        metrics.jobs.inc({ language: runtimeId, status: 'failed', verdict: 'none' });
        return;
      }
      if (claim !== 'started') return; // cancelled while queued, expired, or finished
      metrics.queueWait.observe(Math.max(0, Date.now() - acceptedAt) / 1000);
      const runtime = runtimes.get(runtimeId);
      if (!runtime) {
        await fail(jobId, 'running', { code: 'RUNTIME_ABSENT', message: `this worker has no ${runtimeId}` });
        return;
      }
      const entry: { ac: AbortController; reason?: EndReason } = { ac: new AbortController() };
      running.set(jobId, entry);
      metrics.slots.set({ state: 'busy' }, running.size);
      const writer = new OutputWriter(store, jobId, config.streamMaxBytes);
      const t0 = performance.now();
      try {
        // a DELETE between the claim and the subscription above would be missed otherwise
        if ((await store.get(jobId))?.cancelRequested) end(jobId, 'cancel');
        const result = await runProgram(sandbox, runtime, programRequest(request, root), DEFAULT_PROGRAM_POLICY, {
          onOutput: (step, stream, chunk) => {
            if (step === 'run') writer.push(stream, chunk);
          },
          onStart: (_step, info) => metrics.boxSetup.observe({ prestarted: String(info.prestarted) }, info.setupMs / 1000),
          signal: entry.ac.signal,
        });
        await writer.close();
        const json = toJson(result);
        const status = entry.reason === 'cancel' ? 'cancelled' : entry.reason === 'shutdown' ? 'failed' : 'completed';
        const error = entry.reason === 'shutdown' ? { error: { code: 'WORKER_SHUTDOWN', message: 'the worker shut down before the program ended; it was killed' } } : {};
        await store.finish(jobId, status, 'running', { result: json, ...error });
        metrics.jobs.inc({ language: runtime.id, status, verdict: json.status });
      } catch (err) {
        await writer.close();
        const bad = err instanceof SpecError || err instanceof LimitError;
        await fail(jobId, 'running', { code: bad ? 'INVALID_REQUEST' : 'INTERNAL', message: (err as Error).message });
        metrics.jobs.inc({ language: runtime.id, status: 'failed', verdict: 'none' });
        if (!bad) log(`job ${jobId}: ${(err as Error).stack ?? err}`);
      } finally {
        metrics.runDuration.observe({ language: runtime.id }, (performance.now() - t0) / 1000);
        running.delete(jobId);
        metrics.slots.set({ state: 'busy' }, running.size);
      }
    };

    const worker = new Worker<QueuedJob>(QUEUE_NAME, processor, {
      connection: redisOptions(redisUrl) as never,
      prefix: config.redisPrefix,
      concurrency: config.slots,
      // a lost worker's job returns to the queue; the claim above decides whether it runs
      maxStalledCount: 3,
    });
    worker.on('error', (err) => log(`queue: ${err.message}`));
    worker.on('failed', (job, err) => {
      // the processor itself failed (Redis away mid-job) for the last time: the record must
      // not stay open
      if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
      log(`job ${job.data.id}: ${err.message}`);
      void fail(job.data.id, 'running', { code: 'INTERNAL', message: err.message }).catch(() => undefined);
      void fail(job.data.id, 'queued', { code: 'INTERNAL', message: err.message }).catch(() => undefined);
    });
    await worker.waitUntilReady();
    log(`worker ${id}: ${config.slots} slots, ${root.name} root, ${detection.found.map((r) => `${r.id} ${r.version}`).join(', ')}`);

    let closing: Promise<void> | undefined;
    const close = (graceMs = config.graceMs): Promise<void> =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        const drained = worker.close();
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
        await Promise.race([drained, graceOver]);
        clearTimeout(timer);
        for (const jobId of running.keys()) end(jobId, 'shutdown');
        await drained;
        await retire(redis as Redis, keys, id).catch(() => undefined);
        await subscriber?.quit().catch(() => undefined);
        await redis?.quit().catch(() => undefined);
        await sandbox.close();
      })());
    return { id, runtimes: detection.found, root, close };
  } catch (err) {
    subscriber?.disconnect();
    redis?.disconnect();
    await sandbox.close();
    throw err;
  }
}

function runtimeInfo(rt: DetectedRuntime): RuntimeInfo {
  return {
    id: rt.id,
    name: rt.name,
    version: rt.version,
    aliases: [...rt.aliases],
    extensions: [...rt.extensions],
    sourceFile: rt.sourceFile,
    compiled: rt.compile !== undefined,
  };
}

/** the wire's request as the runtimes package takes it: bytes decoded, network named */
function programRequest(request: QueuedJob['request'], root: Root): ProgramRequest {
  return {
    files: request.files.map((f, i) => ({
      name: f.name ?? (i === 0 ? 'main' : `file${i}`),
      content: f.encoding === 'base64' ? Buffer.from(f.content, 'base64') : f.content,
    })),
    ...(request.stdin === undefined ? {} : { stdin: request.stdin }),
    ...(request.args ? { args: request.args } : {}),
    ...(request.limits ? { limits: request.limits } : {}),
    ...(request.compileLimits ? { compileLimits: request.compileLimits } : {}),
    network: request.network ? 'loopback' : 'none',
    ...(root.path === undefined ? {} : { rootfs: root.path }),
  };
}

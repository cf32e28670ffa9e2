/**
 * What a worker does with one job, from the queue entry to the job's recorded end.
 *
 * Never twice: the job is claimed (queued → running) atomically before any of its code
 * runs. Up to the claim, a failure throws, and BullMQ tries the entry again (here or on
 * another worker): nothing ran. After the claim nothing throws: every outcome, a crash of
 * the engine included, is recorded as the job's end, because a retry would find the job
 * running and could only call it lost.
 *
 * An end that cannot be written (Redis over its maxmemory refuses it) is written small
 * instead, as failed with RESULT_NOT_STORED (record-end.ts).
 *
 * A job found already running has its queue entry back because a lock ran out: its
 * worker died, or Redis was away longer than the lock. A worker still beating (or this
 * one, still running it) keeps it: the entry waits and looks again. A worker that has
 * stopped beating is gone, and its program may have run: the job fails with WORKER_LOST.
 * This worker, no longer running it, ran it and could not write its end: RESULT_NOT_STORED.
 */
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { DelayedError } from 'bullmq';
import type { Job } from 'bullmq';
import { TIMINGS } from '@codebox/jobs';
import type { JobStore, QueuedJob } from '@codebox/jobs';
import { judge } from '@codebox/judge';
import type { JudgeRequest } from '@codebox/judge';
import { compileJson, jobErrorOf, judgeJson, judgeRequest, programRequest, testJson, toJson } from '@codebox/model';
import { jobError, ResultBudget } from '@codebox/protocol';
import type { JudgeJson, ResultJson, TestJson } from '@codebox/protocol';
import { Registry, runProgram } from '@codebox/runtimes';
import type { DetectedRuntime, ProgramPolicy, Root, Runtime } from '@codebox/runtimes';
import { LimitError, SpecError } from '@codebox/sandbox';
import type { Sandbox } from '@codebox/sandbox';
import type { WorkerMetrics } from './metrics.js';
import { OutputWriter } from './output.js';
import type { CompiledPrograms } from './problems/compile-cache.js';
import { ProblemJudge } from './problems/problem-judge.js';
import { END_RETRY, recordEnd } from './record-end.js';
import type { EndOutcome, EndStatus } from './record-end.js';

type EndReason = 'cancel' | 'shutdown';

/** thrown before the claim: this worker cannot run the language; another may */
export class RuntimeAbsentError extends Error {
  constructor(runtime: string) {
    super(`this worker has no ${runtime}`);
    this.name = 'RuntimeAbsentError';
  }
}

export interface RunnerDeps {
  readonly workerId: string;
  readonly store: JobStore;
  readonly sandbox: Sandbox;
  readonly runtimes: ReadonlyMap<string, DetectedRuntime>;
  readonly root: Root;
  readonly policy: ProgramPolicy;
  readonly metrics: WorkerMetrics;
  readonly streamMaxBytes: number;
  /** judge mode: what is kept of each test's stdout and stderr */
  readonly testOutputBytes: number;
  /** a job's stored result, in encoded bytes: a judge job's tests past it are kept without output */
  readonly resultMaxBytes: number;
  readonly log: Logger;
  /** an interactive job's live stdin; onSignal when its client sends a signal */
  readonly input: (jobId: string, onSignal: () => void) => { stdin: Readable; close(): void };
  /** stored problems: their definitions and blobs, through this worker's cache */
  readonly problems: ProblemJudge;
  /** checkers and interactors compiled once per worker */
  readonly compiled: CompiledPrograms;
}

/**
 * How long a running job's returned entry waits before its worker's heartbeat is looked
 * at again; two such looks without a beat make the worker dead (scripts.ts OWNER_CHECK),
 * looks closer than ownerLookGapMs (by Redis's clock) judge nothing (jobs' TIMINGS).
 */
export const OWNER_CHECK_MS = TIMINGS.ownerCheckMs;
const OWNER_LOOK_GAP_MS = TIMINGS.ownerLookGapMs;

export class JobRunner {
  private readonly running = new Map<string, { ac: AbortController; reason?: EndReason }>();
  private graceOver = false;
  private readonly abandoned = new AbortController();
  private readonly registry: Registry;

  constructor(private readonly d: RunnerDeps) {
    this.registry = new Registry(d.root.name, [...d.runtimes.values()]);
  }

  get busy(): number {
    return this.running.size;
  }

  /** the job is running under another claim: wait while its worker lives, else it is lost */
  private async claimedElsewhere(
    job: Job<QueuedJob>,
    token: string | undefined,
    log: Logger,
    runtimeId: string,
  ): Promise<void> {
    const id = job.data.id;
    const owner = await this.d.store.ownerCheck(id, this.d.workerId, OWNER_LOOK_GAP_MS);
    if (owner === 'ended') return;
    // while it runs (there or here), its entry stays on the queue: were that worker to die
    // later, nothing else would end the job
    if (owner === 'alive' || (owner === 'mine' && this.running.has(id))) {
      log.info({ owner }, 'job running on a live worker whose queue lock ran out: looking again later');
      await job.moveToDelayed(Date.now() + OWNER_CHECK_MS, token);
      throw new DelayedError();
    }
    if (owner === 'mine') {
      // this worker ran it, and its end could not be written: not lost, unrecorded
      log.warn({ language: runtimeId }, 'job ran here but its end was not recorded: failed, not run again');
      // (counted in the metrics when it ended here)
      if (!(await this.finish(id, 'failed', { error: jobError('RESULT_NOT_STORED', 'its end could not be written') })))
        throw new Error(`could not record job ${id}'s end`);
      return;
    }
    log.warn({ language: runtimeId }, 'job lost its worker after it started: failed, not run again');
    // nothing ran here: an end not recorded is the entry's to try again, not the job's to lose
    if (!(await this.finish(id, 'failed', { error: jobError('WORKER_LOST') })))
      throw new Error(`could not record job ${id} as WORKER_LOST`);
    this.d.metrics.jobs.inc({ language: runtimeId, status: 'failed', verdict: 'none' });
    this.d.metrics.failures.inc({ error: 'WORKER_LOST', sandbox: 'none' });
  }

  /** the BullMQ processor */
  readonly process = async (job: Job<QueuedJob>, token?: string): Promise<void> => {
    const { id, runtime: runtimeId, request, acceptedAt } = job.data;
    const runtime = this.d.runtimes.get(runtimeId);
    if (!runtime) throw new RuntimeAbsentError(runtimeId);
    const checker = request.checker;
    if (typeof checker === 'object' && checker.type === 'program' && !this.registry.find(checker.language))
      throw new RuntimeAbsentError(checker.language);
    if (request.interactor && !this.registry.find(request.interactor.language))
      throw new RuntimeAbsentError(request.interactor.language);
    // a stored problem's own programs' languages, read before the claim (a deleted one fails after it)
    const problem = job.data.problem ? await this.d.problems.definition(job.data.problem) : undefined;
    for (const language of problem ? ProblemJudge.languages(problem) : [])
      if (!this.registry.find(language)) throw new RuntimeAbsentError(language);
    const claim = await this.d.store.start(id, this.d.workerId, crypto.randomUUID());
    const log = this.d.log.child({ jobId: id });
    if (claim === 'lost') return this.claimedElsewhere(job, token, log, runtimeId);
    if (claim !== 'started') {
      log.info({ claim }, 'job not run');
      return; // cancelled while queued, expired, or already ended
    }
    this.d.metrics.queueWait.observe(Math.max(0, Date.now() - acceptedAt) / 1000);
    log.info(
      {
        language: runtimeId,
        queueWaitMs: Math.max(0, Date.now() - acceptedAt),
        judge: job.data.request.tests !== undefined || job.data.problem !== undefined,
        ...(job.data.problem ? { problem: `${job.data.problem.id}@${job.data.problem.version}` } : {}),
        interactive: job.data.interactive === true,
      },
      'job started',
    );
    try {
      await this.runClaimed(id, runtime, job.data, log);
    } catch (err) {
      const error = jobErrorOf(err);
      log.error({ err, sandbox: error.sandbox }, 'job failed in the sandbox');
      await this.finish(id, 'failed', { error });
      this.d.metrics.jobs.inc({ language: runtimeId, status: 'failed', verdict: 'none' });
      this.d.metrics.failures.inc({ error: error.code, sandbox: error.sandbox ?? 'none' });
    }
  };

  /** a DELETE's message (pub/sub), or the flag seen by the poll */
  end(jobId: string, reason: EndReason): void {
    const r = this.running.get(jobId);
    if (!r || r.reason) return;
    r.reason = reason;
    r.ac.abort();
  }

  /** the pub/sub message can be lost while its connection reconnects: the flag cannot */
  async recheckCancels(): Promise<void> {
    for (const id of this.running.keys()) {
      if (await this.d.store.cancelRequested(id).catch(() => false)) this.end(id, 'cancel');
    }
  }

  /** ends not recorded yet stop trying: the worker is going, its Redis away */
  abandonEnds(): void {
    this.abandoned.abort();
  }

  /** the shutdown grace is over: every running box is killed, and any job claimed from now */
  endAll(): void {
    this.graceOver = true;
    for (const id of this.running.keys()) this.end(id, 'shutdown');
  }

  private async runClaimed(id: string, runtime: DetectedRuntime, job: QueuedJob, log: Logger): Promise<void> {
    const { request } = job;
    const { metrics } = this.d;
    const entry: { ac: AbortController; reason?: EndReason } = { ac: new AbortController() };
    this.running.set(id, entry);
    metrics.slots.set({ state: 'busy' }, this.running.size);
    const writer = new OutputWriter(this.d.store, id, this.d.streamMaxBytes);
    const t0 = performance.now();
    try {
      if (this.graceOver) this.end(id, 'shutdown');
      // a DELETE between the claim and the registration above sent its message to no one
      if (await this.d.store.cancelRequested(id)) this.end(id, 'cancel');
      let outcome: { result: ResultJson } | { judge: JudgeJson };
      try {
        outcome =
          request.tests || job.problem
            ? await this.judge(id, runtime, job, entry.ac.signal, writer)
            : await this.run(id, runtime, request, entry.ac.signal, writer, job.interactive === true);
      } catch (err) {
        if (!(err instanceof SpecError || err instanceof LimitError)) throw err;
        await writer.close();
        const error = jobErrorOf(err);
        await this.finish(id, 'failed', { error });
        metrics.jobs.inc({ language: runtime.id, status: 'failed', verdict: 'none' });
        metrics.failures.inc({ error: error.code, sandbox: 'none' });
        log.warn({ err: err.message }, 'job refused by the engine');
        return;
      }
      await writer.close();
      const status = entry.reason === 'cancel' ? 'cancelled' : entry.reason === 'shutdown' ? 'failed' : 'completed';
      await this.finish(id, status, {
        ...outcome,
        ...(entry.reason === 'shutdown' ? { error: jobError('WORKER_SHUTDOWN') } : {}),
      });
      const verdict = 'result' in outcome ? outcome.result.status : outcome.judge.verdict;
      metrics.jobs.inc({ language: runtime.id, status, verdict });
      if (entry.reason === 'shutdown') metrics.failures.inc({ error: 'WORKER_SHUTDOWN', sandbox: 'none' });
      log.info(
        {
          status,
          verdict,
          ...('result' in outcome
            ? { cpuMs: outcome.result.cpuMs, wallMs: outcome.result.wallMs, memoryBytes: outcome.result.memoryBytes }
            : { passed: outcome.judge.passed, total: outcome.judge.total }),
          durationMs: Math.round(performance.now() - t0),
        },
        'job finished',
      );
    } finally {
      await writer.close();
      metrics.runDuration.observe({ language: runtime.id }, (performance.now() - t0) / 1000);
      this.running.delete(id);
      metrics.slots.set({ state: 'busy' }, this.running.size);
    }
  }

  /**
   * One program: a `stage` event as each step starts and ends, its output (the compiler's,
   * then the program's) as it comes. An interactive job's stdin is its client's input
   * stream, live; a `signal` there ends the run.
   */
  private async run(
    id: string,
    runtime: DetectedRuntime,
    request: QueuedJob['request'],
    signal: AbortSignal,
    writer: OutputWriter,
    interactive: boolean,
  ): Promise<{ result: ResultJson }> {
    const input = interactive ? this.d.input(id, () => this.end(id, 'cancel')) : undefined;
    try {
      const p = programRequest(request, this.d.root.path);
      const result = await runProgram(
        this.d.sandbox,
        runtime,
        input ? { ...p, stdin: input.stdin } : p,
        this.d.policy,
        {
          onStep: (stage) => writer.event(() => this.d.store.appendStage(id, { stage, state: 'start' })),
          onStepEnd: (stage, r) =>
            writer.event(() =>
              this.d.store.appendStage(id, {
                stage,
                state: 'exit',
                status: r.status,
                exitCode: r.exitCode,
                signal: r.signal,
              }),
            ),
          onOutput: (_step, stream, chunk) => writer.push(stream, chunk),
          onStart: (_step, info) =>
            this.d.metrics.boxSetup.observe({ prestarted: String(info.prestarted) }, info.setupMs / 1000),
          signal,
        },
      );
      return { result: toJson(result) };
    } finally {
      input?.close();
    }
  }

  /**
   * Judge mode: each test's result goes on the event stream as it finishes. What is kept
   * of each test is bounded (testOutputBytes per stream, the judge keeps nothing more),
   * and so is all of it (resultMaxBytes, after the compile): the `test` event and the
   * job's result carry the same copy.
   */
  private async judge(
    id: string,
    runtime: DetectedRuntime,
    job: QueuedJob,
    signal: AbortSignal,
    writer: OutputWriter,
  ): Promise<{ judge: JudgeJson }> {
    const budget = new ResultBudget(this.d.resultMaxBytes);
    const tests: TestJson[] = [];
    const find = (language: string) => this.registry.find(language);
    const held = await this.judgeRequest(job, find);
    const { request } = held;
    try {
      const result = await judge(this.d.sandbox, runtime, request, this.d.policy, {
        onCompile: (c) => budget.charge(compileJson(c)),
        onTest: (t) => {
          const stored = budget.test(testJson(t));
          tests.push(stored);
          writer.event(() => this.d.store.appendTest(id, stored));
        },
        signal,
      });
      const pinned = job.problem ? { problem: { id: job.problem.id, version: job.problem.version } } : {};
      return { judge: { ...judgeJson(result, tests), ...pinned } };
    } finally {
      held.release();
    }
  }

  /** the judge's request: the job's own tests, or its stored problem's (held in the cache until release) */
  private async judgeRequest(
    job: QueuedJob,
    find: (language: string) => Runtime | undefined,
  ): Promise<{ request: JudgeRequest; release(): void }> {
    const rootfs = this.d.root.path;
    if (!job.problem)
      return {
        request: judgeRequest(job.request, rootfs, find, this.d.testOutputBytes),
        release: () => undefined,
      };
    const problem = await this.d.problems.definition(job.problem);
    if (!problem) throw new SpecError('problem', `${job.problem.id}@${job.problem.version} was deleted`);
    return this.d.problems.request(problem, job.request, rootfs, find, this.d.testOutputBytes, this.d.compiled);
  }

  /** the job's end (record-end.ts): false when nothing could be written */
  private finish(id: string, status: EndStatus, outcome: EndOutcome): Promise<boolean> {
    return recordEnd(this.d.store, this.d.log, id, status, outcome, END_RETRY, this.abandoned.signal);
  }
}

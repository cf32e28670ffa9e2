/**
 * One job, from the click to its end: create it, follow its events (the client resumes a
 * dropped stream by itself), hand each to the tab showing it, cancel it on Stop.
 */
import { CodeboxError } from '@codebox/client';
import type { JobRequest, JobView, OutputChunk, StageEvent, TestJson } from '@codebox/protocol';
import { client, createJob } from './api.js';

export interface JobWatcher {
  queued(id: string): void;
  stage(e: StageEvent): void;
  /** output of the step that is on: the compiler's after a compile start, else the program's */
  output(step: 'compile' | 'run', stream: 'stdout' | 'stderr', chunk: OutputChunk): void;
  test(t: TestJson): void;
  /** the finished job: completed, failed or cancelled */
  done(job: JobView): void;
  /** the job could not be made or followed: the API's message */
  refused(message: string): void;
}

export class JobFollower {
  private current: { id?: string; ac: AbortController } | undefined;

  get running(): boolean {
    return this.current !== undefined;
  }

  async start(request: JobRequest, w: JobWatcher): Promise<void> {
    const ac = new AbortController();
    const me: { id?: string; ac: AbortController } = { ac };
    this.current = me;
    try {
      const { id } = await createJob(request);
      me.id = id;
      w.queued(id);
      let step: 'compile' | 'run' = 'run';
      for await (const e of client().events(id, { signal: ac.signal })) {
        if (e.type === 'stage') {
          step = e.data.stage;
          w.stage(e.data);
        } else if (e.type === 'stdout' || e.type === 'stderr') w.output(step, e.type, e.data);
        else if (e.type === 'test') w.test(e.data);
        else if (e.type === 'result') return w.done(e.data);
      }
      w.done(await client().get(id));
    } catch (err) {
      if (!ac.signal.aborted) w.refused(err instanceof CodeboxError ? err.message : String(err));
    } finally {
      if (this.current === me) this.current = undefined;
    }
  }

  /** Stop: the box is killed; the job's events end with it cancelled */
  async stop(): Promise<void> {
    const id = this.current?.id;
    if (id)
      await client()
        .cancel(id)
        .catch(() => undefined);
  }
}

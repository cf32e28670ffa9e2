/**
 * The Run tab: stdin, the compiler's box, the program's output as it streams, then the
 * verdict with the kernel's accounting. A compile error shows the compiler's messages in
 * their own box, the program's output pane saying it never ran.
 */
import type { JobRequest, JobView, OutputChunk, StageEvent } from '@codebox/protocol';
import { byId } from './dom.js';
import type { JobWatcher } from './follow.js';
import { OutputPane } from './output.js';
import { CompileBox, VerdictBar } from './panes.js';

export class RunTab implements JobWatcher {
  readonly stdin = byId<HTMLTextAreaElement>('stdin');
  private readonly out = new OutputPane(byId('output'));
  private readonly compile = new CompileBox(byId('run-compile'));
  private readonly verdict = new VerdictBar(byId('run-verdict'));

  constructor() {
    this.verdict.idle('Press Run (Ctrl+Enter) to run the code in a fresh box.');
  }

  /** the language changed: the compiler's box is there for a compiled one */
  language(compiled: boolean): void {
    this.compile.reset(compiled);
  }

  request(base: JobRequest): JobRequest {
    return { ...base, stdin: this.stdin.value };
  }

  begin(compiled: boolean): void {
    this.out.clear();
    this.compile.reset(compiled);
    this.verdict.idle('Sending…');
  }

  queued(): void {
    this.verdict.idle('Queued…');
  }

  stage(e: StageEvent): void {
    if (e.state === 'start') {
      if (e.stage === 'compile') this.compile.start();
      this.verdict.idle(e.stage === 'compile' ? 'Compiling…' : 'Running…');
    } else if (e.stage === 'compile') this.compile.end(e.status, e.exitCode);
  }

  output(step: 'compile' | 'run', stream: 'stdout' | 'stderr', chunk: OutputChunk): void {
    (step === 'compile' ? this.compile.pane : this.out).chunk(stream, chunk.data, chunk.encoding);
  }

  test(): void {
    // a plain run has no tests
  }

  done(job: JobView): void {
    const r = job.result;
    if (!r) {
      this.verdict.show(job.status, undefined, job.error?.message);
      return;
    }
    const c = r.compile;
    // the streamed messages, unless the stream lost some (a reconnect past the cap): then the result's
    if (c && this.compile.pane.length < c.stdout.length + c.stderr.length) this.compile.whole(c);
    else if (c) this.compile.end(c.status, c.exitCode, c.wallMs);
    if (r.status === 'COMPILE_ERROR') {
      this.out.note('The program did not run: it did not compile (see the compiler above).');
      this.verdict.show(r.status, r.compile);
      return;
    }
    // the stream carries at most the server's stream cap; the result holds all of it
    const full = r.stdout.length + r.stderr.length;
    if (this.out.length < full && r.stdoutEncoding === 'utf8' && r.stderrEncoding === 'utf8') {
      this.out.clear();
      this.out.append('stdout', r.stdout);
      this.out.append('stderr', r.stderr);
    }
    if (r.stdoutTruncated || r.stderrTruncated) this.out.note('\n(output cut at the job’s output limit)');
    const cancelled = job.status === 'cancelled' ? 'cancelled' : undefined;
    this.verdict.show(cancelled ?? r.status, r, r.message);
  }

  refused(message: string): void {
    this.verdict.show('refused', undefined, message);
  }
}

/**
 * The parts both tabs show: the compiler's box (there for every compiled language, so the
 * layout does not change as a job runs) and the verdict bar (always one line high).
 */
import type { CompileJson } from '@codebox/protocol';
import { h } from './dom.js';
import { bytes, ms, tone } from './format.js';
import { OutputPane } from './output.js';

export class CompileBox {
  private readonly out: OutputPane;
  private readonly state: HTMLElement;

  constructor(private readonly root: HTMLElement) {
    this.state = root.querySelector('.state') as HTMLElement;
    this.out = new OutputPane(root.querySelector('pre') as HTMLElement);
  }

  /** shown for a compiled language, hidden for the rest; emptied either way */
  reset(compiled: boolean): void {
    this.root.hidden = !compiled;
    this.out.clear();
    this.say('neutral', compiled ? 'not run yet' : '');
  }

  start(): void {
    this.out.clear();
    this.say('neutral', 'compiling…');
  }

  get pane(): OutputPane {
    return this.out;
  }

  /** the step's end, from its stage event (a run) or the judge's record of it */
  end(status: string, exitCode: number | null, wallMs?: number): void {
    const ok = status === 'OK';
    const failed = status === 'RUNTIME_ERROR' ? `failed, exit ${exitCode}` : status.replace(/_/g, ' ');
    this.say(ok ? 'good' : 'bad', (ok ? 'OK' : failed) + (wallMs === undefined ? '' : ` · ${ms(wallMs)}`));
    if (ok && this.out.length === 0) this.out.note('(no messages)');
  }

  /** a judge job's compile step comes whole, with its result */
  whole(c: CompileJson): void {
    this.out.clear();
    this.out.chunk('stdout', c.stdout, c.stdoutEncoding);
    this.out.chunk('stderr', c.stderr, c.stderrEncoding);
    this.end(c.status, c.exitCode, c.wallMs);
  }

  private say(t: string, text: string): void {
    this.state.className = `state ${t}`;
    this.state.textContent = text;
  }
}

export interface Accounting {
  cpuMs: number;
  wallMs: number;
  memoryBytes: number;
  exitCode?: number | null;
  signal?: string | null;
}

export class VerdictBar {
  constructor(private readonly root: HTMLElement) {}

  idle(text: string): void {
    this.root.replaceChildren(h('span', { class: 'muted' }, text));
  }

  show(verdict: string, a?: Accounting, extra?: string): void {
    const facts: string[] = [];
    if (a) {
      if (a.signal) facts.push(`signal ${a.signal}`);
      else if (a.exitCode !== undefined && a.exitCode !== null) facts.push(`exit ${a.exitCode}`);
      facts.push(`cpu ${ms(a.cpuMs)}`, `wall ${ms(a.wallMs)}`, `memory ${bytes(a.memoryBytes)}`);
    }
    if (extra) facts.push(extra);
    this.root.replaceChildren(
      h('span', { class: `badge ${tone(verdict)}`, 'data-verdict': verdict }, verdict.replace(/_/g, ' ')),
      ...facts.map((f) => h('span', { class: 'fact' }, f)),
    );
  }
}

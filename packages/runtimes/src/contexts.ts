/**
 * Code contexts: a long-lived interpreter in a session's box that runs cells and keeps its
 * variables between them, the way a notebook kernel does. The interpreter runs one of our
 * drivers (drivers/python.py, drivers/node.js), given on its command line, and speaks JSON
 * lines: requests on its stdin, events on fd 3 (the command's stdout, by the shell's
 * `3>&1 1>&2`). What it writes to its stderr and the driver did not catch (a process a
 * cell started) comes as stderr events too.
 *
 * One cell runs at a time; the next waits. interrupt() sends SIGINT: the cell ends with
 * an error and the context lives. A cell that ends the interpreter (os._exit, a crash)
 * ends its context, with what it said; restart() starts a fresh one in the same session.
 */
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { CONTEXT_LANGUAGES, MAX_CELL_EVENT_BYTES } from '@codebox/protocol';
import type { CellEventJson, ContextLanguageName } from '@codebox/protocol';
import type { CommandHandle, Session } from '@codebox/sandbox';
import { SpecError } from '@codebox/sandbox';

export type ContextLanguage = ContextLanguageName;

/** an event of a cell, as the driver sends it and the wire carries it (mime bundles: text, or base64 for images) */
export type CellEvent = Readonly<CellEventJson>;

export interface CellResult {
  /** every event of the cell, in order (what onEvent was given) */
  readonly events: readonly CellEvent[];
  /** the cell raised (its error event is among the events) */
  readonly failed: boolean;
  /** the bytes of events were capped: the rest of the output was dropped */
  readonly truncated: boolean;
}

/** why a context can no longer run cells */
export class ContextEndedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextEndedError';
  }
}

/** src/ or dist/: the package root is one level up either way */
const DRIVERS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'drivers');
const driverSource = (file: string): string => fs.readFileSync(path.join(DRIVERS, file), 'utf8');

function command(language: ContextLanguage): string[] {
  const [interpreter, flag, file] =
    language === 'python' ? ['python3', '-u', 'python.py'] : ['node', '--no-warnings', 'node.js'];
  // fd 3 is the driver's event channel: the command's stdout; its own stdout goes to stderr
  return [
    '/bin/sh',
    '-c',
    'exec "$@" 3>&1 1>&2',
    'sh',
    interpreter,
    flag,
    language === 'python' ? '-c' : '-e',
    driverSource(file),
  ];
}

/** how long an interpreter may take to say it is ready */
const START_MS = 30_000;

interface Waiting {
  readonly resolve: (r: CellResult) => void;
  readonly reject: (e: Error) => void;
  readonly events: CellEvent[];
  readonly onEvent: ((e: CellEvent) => void) | undefined;
  bytes: number;
  truncated: boolean;
  failed: boolean;
  /** the one error event let past the cap (the cell's own, at its end) has been */
  errorPastCap: boolean;
}

/** what of an event line is read before it is taken for no event of the driver's */
const LINE_SLACK = 64 << 10;

export class CodeContext {
  private handle!: CommandHandle;
  private buffer = '';
  /** a line past what any event may be is being dropped, up to its end */
  private dropping = false;
  private decoder = new StringDecoder('utf8');
  private stderrTail = '';
  private nextCell = 1;
  private readonly waiting = new Map<number, Waiting>();
  private ready!: Promise<void>;
  private endedWith: string | undefined;

  private constructor(
    private readonly session: Session,
    readonly language: ContextLanguage,
    /** the most bytes of events a cell keeps (its output and displays) */
    private readonly maxCellBytes: number,
  ) {}

  static async start(
    session: Session,
    language: string,
    options: { maxCellBytes?: number; env?: Readonly<Record<string, string>> } = {},
  ): Promise<CodeContext> {
    if (!(CONTEXT_LANGUAGES as readonly string[]).includes(language)) {
      throw new SpecError('language', `a context runs ${CONTEXT_LANGUAGES.join(' or ')}`);
    }
    const c = new CodeContext(session, language as ContextLanguage, options.maxCellBytes ?? MAX_CELL_EVENT_BYTES);
    await c.launch(options.env ?? {});
    return c;
  }

  /** runs a cell; its events go to onEvent as they come, and all of them into the result */
  run(code: string, onEvent?: (e: CellEvent) => void): Promise<CellResult> {
    if (typeof code !== 'string') throw new SpecError('code', 'must be a string');
    if (this.endedWith) return Promise.reject(new ContextEndedError(this.endedWith));
    const id = this.nextCell++;
    return new Promise<CellResult>((resolve, reject) => {
      this.waiting.set(id, {
        resolve,
        reject,
        events: [],
        onEvent,
        bytes: 0,
        truncated: false,
        failed: false,
        errorPastCap: false,
      });
      void this.ready.then(() => this.handle.stdin?.write(`${JSON.stringify({ id, code })}\n`));
    });
  }

  /** stops the running cell (SIGINT); the context lives */
  interrupt(): void {
    if (!this.endedWith) this.handle.kill('SIGINT');
  }

  /** a fresh interpreter: every variable gone, cells waiting ended with an error */
  async restart(): Promise<void> {
    this.end('the context was restarted');
    this.endedWith = undefined;
    this.buffer = '';
    this.dropping = false;
    this.decoder = new StringDecoder('utf8');
    this.stderrTail = '';
    await this.launch({});
  }

  close(): void {
    this.end('the context was closed');
  }

  get ended(): boolean {
    return this.endedWith !== undefined;
  }

  private async launch(env: Readonly<Record<string, string>>): Promise<void> {
    const handle = this.session.exec(
      // its events are its stdout, for as long as it lives: nothing kept, all of it to us
      { argv: command(this.language), env: { MPLBACKEND: 'Agg', ...env }, openStdin: true, keepOutput: false },
      {
        onOutput: (stream, chunk) => {
          if (handle !== this.handle) return;
          // a character cut between two chunks is whole again in the decoder
          if (stream === 'stdout') this.take(this.decoder.write(chunk));
          else this.stray(chunk.toString('utf8'));
        },
      },
    );
    this.handle = handle;
    let started!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    this.onReady = started;
    const timer = setTimeout(() => failed(new ContextEndedError('the interpreter did not start in time')), START_MS);
    void handle.done.then((r) => {
      if (handle !== this.handle) return;
      const how = r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
      const said = this.stderrTail.trim().split('\n').slice(-5).join('\n');
      const why = `the interpreter ended (${how})${said ? `: ${said}` : ''}`;
      failed(new ContextEndedError(why));
      this.end(why);
    });
    try {
      await this.ready;
    } finally {
      clearTimeout(timer);
    }
  }

  private onReady: () => void = () => undefined;

  /**
   * The driver's event lines. The driver runs in the box, so a cell can write to this
   * channel too: nothing it writes is kept past a cell's cap — a line longer than any
   * event may be is dropped as it comes, up to its end, and its cell marked cut.
   */
  private take(text: string): void {
    let from = 0;
    if (this.dropping) {
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      this.dropping = false;
      from = nl + 1;
    }
    this.buffer += from === 0 ? text : text.slice(from);
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let e: { id?: number; type?: string } & Record<string, unknown>;
      try {
        e = JSON.parse(line) as typeof e;
      } catch {
        continue; // the driver never writes anything else here
      }
      if (e.type === 'ready') this.onReady();
      else if (typeof e.id === 'number') this.deliver(e.id, e);
    }
    if (this.buffer.length > this.maxCellBytes + LINE_SLACK) {
      this.buffer = '';
      this.dropping = true;
      const running = [...this.waiting.values()][0];
      if (running) running.truncated = true;
    }
  }

  private deliver(id: number, e: { type?: string } & Record<string, unknown>): void {
    const w = this.waiting.get(id);
    if (!w) return;
    if (e.type === 'done') {
      this.waiting.delete(id);
      w.resolve({ events: w.events, failed: w.failed, truncated: w.truncated });
      return;
    }
    const event = cellEvent(e);
    if (!event) return;
    if (event.type === 'error') w.failed = true;
    const size = JSON.stringify(event).length;
    const over = w.bytes + size > this.maxCellBytes;
    // past the cap, one error still comes through: the cell's own, which says how it ended
    if (over && (event.type !== 'error' || w.errorPastCap)) {
      w.truncated = true;
      return;
    }
    if (over) w.errorPastCap = true;
    w.bytes += size;
    w.events.push(event);
    w.onEvent?.(event);
  }

  /** the interpreter's own stderr: what a started process wrote, or its last words */
  private stray(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-4096);
    const running = [...this.waiting.keys()][0];
    if (running !== undefined) this.deliver(running, { type: 'stderr', text });
  }

  private end(why: string): void {
    if (this.endedWith) return;
    this.endedWith = why;
    this.handle.kill('SIGKILL');
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      w.reject(new ContextEndedError(why));
    }
  }
}

function cellEvent(e: Record<string, unknown>): CellEvent | undefined {
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  switch (e.type) {
    case 'stdout':
    case 'stderr':
      return { type: e.type, text: str(e.text) };
    case 'result':
    case 'display': {
      const data: Record<string, string> = {};
      if (e.data && typeof e.data === 'object')
        for (const [k, v] of Object.entries(e.data)) if (typeof v === 'string') data[k] = v;
      return { type: e.type, data };
    }
    case 'error':
      return { type: 'error', name: str(e.name), message: str(e.message), traceback: str(e.traceback) };
    default:
      return undefined;
  }
}

/**
 * The session's terminal: xterm.js (bundled, its DOM renderer) on the session's pty
 * WebSocket through the typed client. The terminal fills its pane and follows its size
 * (the fit addon, on every resize of the pane), telling the box's pty each new size. A
 * terminal that ends (`exit`, the session's end) says why and offers a new one.
 */
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import type { SessionTerminal } from '@codebox/client';
import { client } from './api.js';

const THEME = {
  background: '#101623',
  foreground: '#e6e9ef',
  cursor: '#e6e9ef',
  selectionBackground: '#3a4a6b',
};

/** how long an Escape waits to see whether a Tab follows (vim's own wait is 100 ms and up) */
const ESCAPE_HOLD_MS = 250;

export class TerminalPane {
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private pty: SessionTerminal | undefined;
  private readonly resizes: ResizeObserver;
  /** an Escape not yet sent: the first key of Escape-Tab, which leaves the terminal */
  private heldEscape: ReturnType<typeof setTimeout> | undefined;

  /** onEnd: the terminal closed, with what the page should say */
  constructor(
    private readonly host: HTMLElement,
    private readonly onEnd: (why: string) => void,
  ) {
    this.term = new Terminal({
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 13,
      cursorBlink: true,
      scrollback: 5000,
      theme: THEME,
    });
    this.term.loadAddon(this.fit);
    this.term.open(host);
    this.term.onData((data) => this.pty?.write(data));
    this.term.attachCustomKeyEventHandler((e) => this.leaveKeys(e));
    this.term.onResize(({ cols, rows }) => this.pty?.resize(cols, rows));
    // hidden (another tab) the pane has no size: fitting then would make it 1 column wide
    this.resizes = new ResizeObserver(() => this.host.offsetWidth > 0 && this.fit.fit());
    this.resizes.observe(host);
  }

  /** opens a shell in the session; resolves once it is ready, rejects if it could not open */
  async connect(sessionId: string): Promise<void> {
    this.pty?.close();
    this.term.reset();
    if (this.host.offsetWidth > 0) this.fit.fit();
    const pty = client().sessions.pty(sessionId, { cols: this.term.cols, rows: this.term.rows });
    this.pty = pty;
    pty.onOutput((data) => this.pty === pty && this.term.write(data));
    pty.exited.then(
      ({ exitCode, signal }) => this.ended(pty, `the shell exited (${signal ?? `exit ${exitCode}`})`),
      (err: Error) => this.ended(pty, err.message),
    );
    // a socket refused before the terminal opened rejects exited and never readies
    await Promise.race([pty.ready, pty.exited.then(() => Promise.reject(new Error('the terminal closed at once')))]);
    this.term.focus();
  }

  get connected(): boolean {
    return this.pty !== undefined;
  }

  focus(): void {
    this.term.focus();
  }

  /** closes the terminal (its shell gets SIGHUP) and clears it */
  close(): void {
    const pty = this.pty;
    this.pty = undefined;
    pty?.close();
    this.term.reset();
  }

  /**
   * Tab is the shell's; Escape then Tab (or Shift+Tab) leaves the terminal, as it leaves
   * the code editor. An Escape waits ESCAPE_HOLD_MS for what follows before it goes to the
   * box: sent at once, a shell would read the keys typed on return as Meta-keys. False:
   * xterm leaves the key alone (a Tab then moves the focus, the browser's default).
   */
  private leaveKeys(e: KeyboardEvent): boolean {
    if (e.type !== 'keydown' || ['Shift', 'Control', 'Alt', 'Meta'].includes(e.key)) return true;
    const held = this.heldEscape !== undefined;
    clearTimeout(this.heldEscape);
    this.heldEscape = undefined;
    if (held && e.key === 'Tab') return false;
    if (held) this.pty?.write('\x1b');
    if (e.key !== 'Escape' || e.ctrlKey || e.altKey || e.metaKey || e.shiftKey) return true;
    this.heldEscape = setTimeout(() => {
      this.heldEscape = undefined;
      this.pty?.write('\x1b');
    }, ESCAPE_HOLD_MS);
    return false;
  }

  private ended(pty: SessionTerminal, why: string): void {
    if (this.pty !== pty) return;
    this.pty = undefined;
    this.term.write(`\r\n\x1b[90m[${why}]\x1b[0m\r\n`);
    this.onEnd(why);
  }
}

/**
 * The session tab: a box that lives across calls (/v1/sessions, through the typed client),
 * with a terminal on its pty beside a tree of its workspace and an editor for one file.
 * New session creates one, End session deletes it; the bar says when it will end (its
 * lifetime, or its idle timeout while no terminal holds it). The session's id is kept in
 * this tab's sessionStorage, so a reload finds the same box. Loaded with xterm.js the
 * first time the tab is opened: the Run and Judge tabs never load either.
 */
import type { RuntimeInfo, SessionPolicy, SessionView } from '@codebox/protocol';
import { CodeboxError } from '@codebox/client';
import type { CodeboxClient } from '@codebox/client';
import { withKey } from './api.js';
import { byId, h } from './dom.js';
import { CodeEditor } from './editor.js';
import { FileTree } from './file-tree.js';
import { supportFor } from './languages.js';
import { TerminalPane } from './terminal.js';

const SESSION_ITEM = 'codebox.session';
/** what the editor opens: larger files, or bytes that are not UTF-8, are downloaded instead */
const EDITABLE_BYTES = 1024 * 1024;

export class SessionTab {
  private session: SessionView | undefined;
  private openPath: string | undefined;
  private saved = '';
  private timer: ReturnType<typeof setInterval> | undefined;
  /** the page's last call to the session: its idle timeout counts from there */
  private lastUse = 0;
  /** a look at the session's state is under way or done for the present deadline */
  private checked = false;
  /** the session's state and countdown */
  private readonly info = byId('session-info');
  /** what just happened or failed (announced) */
  private readonly note = byId('session-note');
  private readonly fileName = byId('file-name');
  private readonly fileState = byId('file-state');
  private readonly save = byId<HTMLButtonElement>('file-save');
  private readonly editor: CodeEditor;
  private readonly tree: FileTree;
  private readonly terminal: TerminalPane;

  constructor(
    /** the live workers' (they may still be loading) */
    private readonly runtimes: () => readonly RuntimeInfo[],
    private readonly policy: () => SessionPolicy | undefined,
  ) {
    this.editor = new CodeEditor(byId('file-editor'), {
      keys: { 'Mod-s': () => void this.saveFile() },
      onChange: () => this.dirty(),
      label: 'file',
    });
    this.tree = new FileTree({
      call: (fn) => this.call(fn),
      open: (path, size) => void this.openFile(path, size),
      removed: (path) => {
        if (this.openPath === path || this.openPath?.startsWith(`${path}/`)) this.closeFile();
      },
      failed: (what, err) => this.say(`Could not ${what}: ${message(err)}`, true),
    });
    this.terminal = new TerminalPane(byId('terminal'), () => this.terminalEnded());
    byId('session-new').addEventListener('click', () => void this.create());
    byId('session-end').addEventListener('click', () => void this.end());
    byId('term-new').addEventListener('click', () => void this.connect());
    this.save.addEventListener('click', () => void this.saveFile());
    // Ctrl+S anywhere in the tab saves the open file rather than the page
    byId('panel-session').addEventListener('keydown', (e) => {
      if (e.key === 's' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented && this.openPath !== undefined) {
        e.preventDefault();
        void this.saveFile();
      }
    });
  }

  /** the tab is shown: the session kept from before, if it still lives */
  async shown(): Promise<void> {
    this.timer ??= setInterval(() => void this.tick(), 1000);
    if (this.session) return this.terminal.focus();
    const kept = sessionStorage.getItem(SESSION_ITEM);
    if (kept) {
      try {
        const s = await withKey((c) => c.sessions.get(kept));
        if (s.status === 'ready') return await this.attach(s);
      } catch {
        // another key's, or gone from the records: start afresh
      }
      sessionStorage.removeItem(SESSION_ITEM);
    }
    await this.attach(undefined);
  }

  private async create(): Promise<void> {
    const button = byId<HTMLButtonElement>('session-new');
    button.disabled = true;
    this.say('Opening a box…');
    try {
      await this.attach(await withKey((c) => c.sessions.create({})));
    } catch (err) {
      this.say(`Could not open a session: ${message(err)}`, true);
    } finally {
      button.disabled = false;
    }
  }

  private async end(): Promise<void> {
    const s = this.session;
    if (!s) return;
    if (this.isDirty() && !confirm(`${this.openPath} has changes that are not saved. End the session anyway?`)) return;
    try {
      await this.call((c) => c.sessions.delete(s.id));
    } catch (err) {
      if (!(err instanceof CodeboxError && err.status === 404))
        return this.say(`Could not end it: ${message(err)}`, true);
    }
    await this.attach(undefined, 'The session ended: its box and everything in it are gone.');
  }

  /** shows this session (or none): its tree, a terminal in it, no file open */
  private async attach(s: SessionView | undefined, note?: string): Promise<void> {
    this.session = s;
    this.lastUse = Date.now();
    this.checked = false;
    if (s) sessionStorage.setItem(SESSION_ITEM, s.id);
    else sessionStorage.removeItem(SESSION_ITEM);
    document.body.dataset.session = s ? 'open' : 'none';
    // off until the tab's script has loaded and looked for a kept session: a click before
    // that would have had no handler, or opened a second box
    byId<HTMLButtonElement>('session-new').disabled = false;
    byId('session-new').hidden = s !== undefined;
    byId('session-end').hidden = s === undefined;
    this.closeFile();
    this.terminal.close();
    byId('term-new').hidden = true;
    this.tick();
    this.say(note ?? '');
    await this.tree.show(s?.id);
    if (s) await this.connect();
  }

  private async connect(): Promise<void> {
    const s = this.session;
    if (!s) return;
    byId('term-new').hidden = true;
    byId('term-state').textContent = 'connecting…';
    try {
      await this.terminal.connect(s.id);
      byId('term-state').textContent = 'connected';
      this.tick();
    } catch (err) {
      byId('term-state').textContent = '';
      this.terminalEnded();
      this.say(`No terminal: ${message(err)}`, true);
    }
  }

  private terminalEnded(): void {
    byId('term-state').textContent = 'closed';
    byId('term-new').hidden = this.session === undefined;
    this.tick();
    // the session itself may be what ended
    if (this.session) void this.check(this.session);
  }

  /**
   * A call of the session's, through the typed client: it counts as a use (the idle
   * countdown starts again), and a session found gone ends the tab's.
   */
  private async call<T>(fn: (c: CodeboxClient) => Promise<T>): Promise<T> {
    try {
      const value = await withKey(fn);
      this.lastUse = Date.now();
      this.checked = false;
      return value;
    } catch (err) {
      if (this.session && err instanceof CodeboxError && (err.code === 'SESSION_NOT_FOUND' || err.status === 410))
        void this.check(this.session);
      throw err;
    }
  }

  private async openFile(path: string, size: number): Promise<void> {
    const s = this.session;
    if (!s || path === this.openPath) return this.editor.focus();
    if (this.isDirty() && !confirm(`${this.openPath} has changes that are not saved. Open ${path} anyway?`)) return;
    if (size > EDITABLE_BYTES) return this.say(`${path} is ${size} bytes: too large to edit here, download it instead`);
    try {
      const bytes = await this.call((c) => c.sessions.readFile(s.id, path));
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        return this.say(`${path} is not text (UTF-8): download it instead`);
      }
      this.openPath = path;
      this.saved = text;
      this.editor.code = text;
      this.fileName.textContent = path;
      this.showEditor(true);
      this.dirty();
      this.save.disabled = false;
      await this.editor.setGrammar(this.grammarFor(path));
      this.editor.focus();
    } catch (err) {
      this.say(`Could not open ${path}: ${message(err)}`, true);
    }
  }

  private async saveFile(): Promise<void> {
    const s = this.session;
    const path = this.openPath;
    if (!s || path === undefined) return;
    const text = this.editor.code;
    try {
      await this.call((c) => c.sessions.writeFile(s.id, path, text));
      this.saved = text;
      this.dirty();
      this.fileState.textContent = 'saved';
      await this.tree.refresh();
    } catch (err) {
      this.say(`Could not save ${path}: ${message(err)}`, true);
    }
  }

  private closeFile(): void {
    this.openPath = undefined;
    this.saved = '';
    this.editor.code = '';
    this.fileName.textContent = 'No file open';
    this.fileState.textContent = '';
    this.save.disabled = true;
    this.showEditor(false);
  }

  /** the editor while a file is open, else a hint of how to open one */
  private showEditor(open: boolean): void {
    byId('file-editor').hidden = !open;
    byId('file-hint').hidden = open;
  }

  private isDirty(): boolean {
    return this.openPath !== undefined && this.editor.code !== this.saved;
  }

  private dirty(): void {
    this.fileState.textContent = this.isDirty() ? 'modified' : '';
  }

  /** the grammar of the language whose extension the file has */
  private grammarFor(path: string): Parameters<CodeEditor['setGrammar']>[0] {
    const ext = /\.[^./]+$/.exec(path)?.[0];
    const live = this.runtimes();
    const rt = ext ? live.find((r) => r.extensions.includes(ext)) : undefined;
    return rt ? supportFor(rt, live)?.highlight : undefined;
  }

  /** every second: the bar's countdown; at a deadline, whether the session still lives */
  private tick(): void {
    const s = this.session;
    if (!s) {
      const p = this.policy();
      const bounds = p
        ? ` It ends ${minutes(p.idleTimeoutS.default)} after its last use, ${minutes(p.ttlS.default)} at most.`
        : '';
      this.info.textContent = `No session: New session opens a box that keeps its files and processes between commands.${bounds}`;
      return;
    }
    const now = Date.now();
    const left = Date.parse(s.expiresAt) - now;
    const idleLeft = this.lastUse + s.idleTimeoutS * 1000 - now;
    // an open terminal is a call in progress: it holds the idle timeout
    const idle = this.terminal.connected ? 'an open terminal keeps it from idling' : `idles out in ${clock(idleLeft)}`;
    this.info.replaceChildren(
      `Session ${s.id.slice(0, 8)} · ends in `,
      h('time', { datetime: s.expiresAt, title: new Date(s.expiresAt).toLocaleString() }, clock(left)),
      ` · ${idle}`,
    );
    if (left <= 0 || (!this.terminal.connected && idleLeft <= 0)) void this.check(s);
  }

  /** asks the API how the session is (a live one counts that as a use); an ended one ends the tab's */
  private async check(s: SessionView): Promise<void> {
    if (this.checked) return;
    this.checked = true;
    let now: SessionView | undefined;
    try {
      now = await withKey((c) => c.sessions.get(s.id));
    } catch (err) {
      if (!(err instanceof CodeboxError && (err.status === 404 || err.status === 410))) return;
    }
    if (this.session !== s) return;
    if (now?.status === 'ready') {
      this.session = now;
      this.lastUse = Date.now();
      this.checked = false;
    } else await this.attach(undefined, `The session ended${now?.endReason ? ` (${now.endReason})` : ''}.`);
  }

  private say(text: string, bad = false): void {
    this.note.textContent = text;
    this.note.classList.toggle('bad', bad);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function minutes(s: number): string {
  return s % 60 === 0 ? `${s / 60} min` : `${s} s`;
}

/** h:mm:ss or m:ss */
function clock(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  const [hh, mm, ss] = [Math.floor(t / 3600), Math.floor((t % 3600) / 60), t % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
}

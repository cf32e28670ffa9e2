/**
 * The playground: pick a language (the live workers' runtimes, from /v1/runtimes), write
 * code, Run it (its output streams in) or Judge it against tests; or open a Session, a box
 * with a terminal and a workspace. The code, language and stdin can be shared as a link;
 * the limits start at the server's defaults.
 */
import type { JobRequest, RequestLimits, RuntimeInfo, SessionPolicy } from '@codebox/protocol';
import type { RuntimesResponse } from '@codebox/client';
// xterm's own rules go into the page's one stylesheet: its script comes with the session tab
import '@xterm/xterm/css/xterm.css';
import './style.css';
import { askForKey, client, storedKey } from './api.js';
import { byId, h } from './dom.js';
import { CodeEditor } from './editor.js';
import { JobFollower } from './follow.js';
import { JudgeTab } from './judge-tab.js';
import { supportFor } from './languages.js';
import { RunTab } from './run-tab.js';
import { readShared, shareUrl } from './share.js';
import type { SessionTab } from './session-tab.js';
import { streamsIterate } from './streams.js';

const TABS = ['run', 'judge', 'session'] as const;
type Tab = (typeof TABS)[number];

/** the limits the page offers, each as its input shows it */
const LIMIT_INPUTS = [
  { field: 'cpuMs', id: 'limit-cpu', scale: 1 },
  { field: 'wallMs', id: 'limit-wall', scale: 1 },
  { field: 'memoryBytes', id: 'limit-memory', scale: 1024 * 1024 },
] as const;

class Playground {
  private runtimes: RuntimeInfo[] = [];
  private runtime: RuntimeInfo | undefined;
  /** each language's code as it was left, so switching back loses nothing */
  private readonly drafts = new Map<string, string>();
  private tab: Tab = 'run';
  private readonly select = byId<HTMLSelectElement>('language');
  private readonly runButton = byId<HTMLButtonElement>('run');
  private readonly follower = new JobFollower();
  private readonly editor = new CodeEditor(byId('editor'), {
    keys: { 'Mod-Enter': () => void this.go() },
    onChange: () => this.runtime && this.drafts.set(keyOf(this.runtime), this.editor.code),
    label: 'code',
  });
  private readonly runTab = new RunTab();
  private readonly judgeTab = new JudgeTab();
  private sessionPolicy: SessionPolicy | undefined;
  /** loaded (with xterm.js) when its tab is first opened */
  private sessionTab: Promise<SessionTab> | undefined;

  async start(): Promise<void> {
    this.runButton.addEventListener('click', () => void this.go());
    this.select.addEventListener('change', () => void this.pick(this.select.value));
    byId('share').addEventListener('click', () => void this.share());
    for (const tab of TABS) byId(`tab-${tab}`).addEventListener('click', () => void this.show(tab));
    // with a key kept, the button changes or forgets it (the first 401 asks for one)
    byId('key-button').hidden = storedKey() === undefined;
    byId('key-button').addEventListener('click', () => void askForKey());
    // Ctrl+Enter outside the editor too (in stdin, a test); a session's terminal keeps its keys
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented && this.tab !== 'session') {
        e.preventDefault();
        void this.go();
      }
    });
    const [response, shared] = await Promise.all([this.loadRuntimes(), readShared()]);
    if (!response) return;
    this.sessionPolicy = response.sessions;
    this.limits(response);
    this.runtimes = response.runtimes;
    this.select.replaceChildren(
      ...this.runtimes.map((rt) => h('option', { value: keyOf(rt) }, `${rt.name} ${rt.version}`)),
    );
    this.select.disabled = false;
    this.runButton.disabled = false;
    const wanted =
      this.runtimes.find((rt) => rt.id === shared.language && (!shared.version || rt.version === shared.version)) ??
      this.runtimes.find((rt) => rt.id === shared.language || rt.aliases.includes(shared.language ?? '')) ??
      this.runtimes.find((rt) => rt.id === 'python') ??
      this.runtimes[0];
    if (wanted && shared.code !== undefined) this.drafts.set(keyOf(wanted), shared.code);
    if (shared.stdin !== undefined) this.runTab.stdin.value = shared.stdin;
    if (wanted) await this.pick(keyOf(wanted));
  }

  private async loadRuntimes(): Promise<RuntimesResponse | undefined> {
    try {
      const r = await client().runtimes();
      if (r.runtimes.length > 0) return r;
      this.select.replaceChildren(h('option', {}, 'No worker is running'));
    } catch (err) {
      this.select.replaceChildren(h('option', {}, `Cannot reach the API: ${String(err)}`));
    }
    return undefined;
  }

  private limits(r: RuntimesResponse): void {
    for (const l of LIMIT_INPUTS) {
      const input = byId<HTMLInputElement>(l.id);
      const def = r.limits?.defaults[l.field];
      const max = r.limits?.maxima[l.field];
      if (def !== undefined) input.placeholder = String(Math.round(def / l.scale));
      if (max !== undefined) {
        input.max = String(Math.floor(max / l.scale));
        input.title = `the server's default is ${input.placeholder}, its maximum ${input.max}`;
      }
    }
  }

  private async pick(key: string): Promise<void> {
    const rt = this.runtimes.find((r) => keyOf(r) === key);
    if (!rt) return;
    this.runtime = rt;
    this.select.value = key;
    const support = supportFor(rt, this.runtimes);
    this.editor.code = this.drafts.get(key) ?? support?.hello ?? '';
    this.runTab.language(rt.compiled);
    this.judgeTab.language(rt.compiled);
    document.body.dataset.language = rt.id;
    await this.editor.setGrammar(support?.highlight);
  }

  private async show(tab: Tab): Promise<void> {
    this.tab = tab;
    for (const t of TABS) {
      byId(`tab-${t}`).setAttribute('aria-selected', String(t === tab));
      byId(`panel-${t}`).hidden = t !== tab;
    }
    // a session has editors of its own: the program's editor and its toolbar step aside
    byId('code').hidden = tab === 'session';
    this.label();
    if (tab !== 'session') return;
    this.sessionTab ??= import('./session-tab.js').then(
      (m) =>
        new m.SessionTab(
          () => this.runtimes,
          () => this.sessionPolicy,
        ),
    );
    await (await this.sessionTab).shown();
  }

  /** Run or Judge, by the tab; Stop while a job runs */
  private label(): void {
    this.runButton.textContent = this.follower.running ? 'Stop' : this.tab === 'judge' ? 'Judge' : 'Run';
    this.runButton.classList.toggle('stop', this.follower.running);
  }

  private async go(): Promise<void> {
    if (this.follower.running) return void (await this.follower.stop());
    const rt = this.runtime;
    if (!rt || this.tab === 'session') return;
    const base: JobRequest = {
      language: rt.id,
      version: rt.version,
      files: [{ content: this.editor.code }],
      limits: this.requestLimits(),
    };
    const tab = this.tab === 'judge' ? this.judgeTab : this.runTab;
    tab.begin(rt.compiled);
    const job = this.follower.start(tab.request(base), tab);
    this.label();
    await job;
    this.label();
  }

  private requestLimits(): RequestLimits {
    const limits: RequestLimits = {};
    for (const l of LIMIT_INPUTS) {
      const value = byId<HTMLInputElement>(l.id).valueAsNumber;
      if (Number.isFinite(value) && value > 0) limits[l.field] = Math.round(value * l.scale);
    }
    return limits;
  }

  private async share(): Promise<void> {
    const url = await shareUrl({
      ...(this.runtime ? { language: this.runtime.id } : {}),
      code: this.editor.code,
      stdin: this.runTab.stdin.value,
    });
    history.replaceState(null, '', url);
    const note = byId('share-note');
    try {
      await navigator.clipboard.writeText(url);
      note.textContent = 'Link copied';
    } catch {
      note.textContent = 'Link in the address bar';
    }
    setTimeout(() => (note.textContent = ''), 3000);
  }
}

const keyOf = (rt: RuntimeInfo): string => `${rt.id}@${rt.version}`;

streamsIterate();
void new Playground().start();

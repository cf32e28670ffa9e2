/**
 * The session's workspace as a tree: each directory listed (GET …/files?path=) when it is
 * opened, so a large workspace costs only what is looked at. A file opens into the
 * editor; each entry downloads (a file as itself, a directory as a tar) or is deleted;
 * files are uploaded (the button, or dropped on the tree) into the directory picked last.
 * Keyboard: every entry is a button; Enter opens, Delete deletes.
 */
import type { CodeboxClient } from '@codebox/client';
import type { FileEntryJson } from '@codebox/protocol';
import { byId, h } from './dom.js';
import { bytes } from './format.js';

export interface TreeEvents {
  /** a call of the session's, made through the tab (which counts it as a use) */
  call<T>(fn: (c: CodeboxClient) => Promise<T>): Promise<T>;
  /** a file was picked to open */
  open(path: string, size: number): void;
  /** a file or directory is gone (the editor closes what it held) */
  removed(path: string): void;
  /** a call failed: the page says so */
  failed(what: string, err: unknown): void;
}

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);
const parentOf = (path: string): string => path.split('/').slice(0, -1).join('/');

export class FileTree {
  private session: string | undefined;
  /** directories shown open, by path ('' the workspace) */
  private readonly expanded = new Set<string>(['']);
  /** where an upload or a new file goes: the directory picked last */
  private target = '';
  private readonly list = byId<HTMLUListElement>('file-tree');
  private readonly input = byId<HTMLInputElement>('file-input');
  private readonly newForm = byId<HTMLFormElement>('new-file-form');
  private readonly newName = byId<HTMLInputElement>('new-file-name');

  constructor(private readonly events: TreeEvents) {
    byId('file-upload').addEventListener('click', () => this.input.click());
    this.input.addEventListener('change', () => void this.upload([...(this.input.files ?? [])]));
    byId('files-refresh').addEventListener('click', () => void this.refresh());
    byId('file-new').addEventListener('click', () => this.askName());
    this.newForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.create(this.newName.value.trim());
    });
    this.newName.addEventListener('keydown', (e) => e.key === 'Escape' && (this.newForm.hidden = true));
    const pane = this.list.closest('.pane') as HTMLElement;
    pane.addEventListener('dragover', (e) => {
      if (!this.session) return;
      e.preventDefault();
      pane.classList.add('drop');
    });
    pane.addEventListener('dragleave', () => pane.classList.remove('drop'));
    pane.addEventListener('drop', (e) => {
      e.preventDefault();
      pane.classList.remove('drop');
      if (this.session) void this.upload([...(e.dataTransfer?.files ?? [])]);
    });
  }

  /** shows this session's workspace, or nothing */
  async show(session: string | undefined): Promise<void> {
    this.session = session;
    this.expanded.clear();
    this.expanded.add('');
    this.target = '';
    this.newForm.hidden = true;
    for (const id of ['file-upload', 'file-new', 'files-refresh']) byId<HTMLButtonElement>(id).disabled = !session;
    await this.refresh();
  }

  /** lists again every directory shown open */
  async refresh(): Promise<void> {
    const session = this.session;
    if (!session) return void this.list.replaceChildren();
    // the rows are made anew: the keyboard's place is kept by path
    const focused = document.activeElement?.closest<HTMLElement>('#file-tree li')?.dataset.path;
    try {
      const rows = await this.rows(session, '', 1);
      if (this.session !== session) return;
      this.list.replaceChildren(...rows);
      if (focused !== undefined)
        rows
          .find((r) => r.dataset.path === focused)
          ?.querySelector('button')
          ?.focus();
    } catch (err) {
      this.events.failed('list the workspace', err);
    }
  }

  private async rows(session: string, dir: string, level: number): Promise<HTMLLIElement[]> {
    const entries = await this.events.call((c) => c.sessions.list(session, dir ? { path: dir } : {}));
    entries.sort((a, b) => Number(b.type === 'dir') - Number(a.type === 'dir') || a.path.localeCompare(b.path));
    const rows: HTMLLIElement[] = [];
    if (entries.length === 0 && level === 1)
      rows.push(h('li', { class: 'tree-empty muted' }, 'The workspace is empty'));
    for (const e of entries) {
      const path = join(dir, e.path);
      const open = e.type === 'dir' && this.expanded.has(path);
      rows.push(this.row(e, path, level, open));
      if (open) rows.push(...(await this.rows(session, path, level + 1)));
    }
    return rows;
  }

  private row(e: FileEntryJson, path: string, level: number, open: boolean): HTMLLIElement {
    const name = e.path.split('/').pop() ?? e.path;
    const dir = e.type === 'dir';
    const entry = h(
      'button',
      { type: 'button', class: `entry ${e.type}`, title: path },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, dir ? (open ? '▾' : '▸') : e.type === 'file' ? '·' : '↪'),
      h('span', { class: 'name' }, name),
      e.type === 'file' ? h('span', { class: 'size' }, bytes(e.size)) : null,
    );
    entry.addEventListener('click', () => {
      if (dir) {
        this.target = path;
        if (open) this.expanded.delete(path);
        else this.expanded.add(path);
        void this.refresh();
      } else if (e.type === 'file') {
        this.target = parentOf(path);
        this.events.open(path, e.size);
      }
    });
    entry.addEventListener('keydown', (ev) => {
      if (ev.key === 'Delete') void this.remove(path, dir);
    });
    const download = h(
      'button',
      { type: 'button', class: 'act', 'aria-label': `Download ${path}`, title: 'Download' },
      '⤓',
    );
    download.addEventListener('click', () => void this.download(path, dir));
    const remove = h('button', { type: 'button', class: 'act', 'aria-label': `Delete ${path}`, title: 'Delete' }, '✕');
    remove.addEventListener('click', () => void this.remove(path, dir));
    return h(
      'li',
      {
        role: 'treeitem',
        'aria-level': level,
        'aria-expanded': dir ? String(open) : undefined,
        'data-path': path,
        style: `--level: ${level - 1}`,
      },
      entry,
      e.type === 'file' || dir ? download : null,
      remove,
    );
  }

  private async upload(files: File[]): Promise<void> {
    const session = this.session;
    this.input.value = '';
    if (!session || files.length === 0) return;
    try {
      for (const f of files) {
        const content = new Uint8Array(await f.arrayBuffer());
        await this.events.call((c) => c.sessions.writeFile(session, join(this.target, f.name), content));
      }
    } catch (err) {
      this.events.failed('upload', err);
    }
    await this.refresh();
  }

  private askName(): void {
    this.newForm.hidden = false;
    this.newName.value = this.target ? `${this.target}/` : '';
    this.newName.focus();
  }

  /** an empty file (a path ending in / makes a directory), opened in the editor */
  private async create(path: string): Promise<void> {
    const session = this.session;
    if (!session || !path) return;
    try {
      if (path.endsWith('/')) await this.events.call((c) => c.sessions.mkdir(session, path.replace(/\/+$/, '')));
      else await this.events.call((c) => c.sessions.writeFile(session, path, ''));
      this.newForm.hidden = true;
      for (let d = parentOf(path.replace(/\/+$/, '')); d; d = parentOf(d)) this.expanded.add(d);
      await this.refresh();
      if (!path.endsWith('/')) this.events.open(path, 0);
    } catch (err) {
      this.events.failed(`create ${path}`, err);
    }
  }

  private async download(path: string, dir: boolean): Promise<void> {
    const session = this.session;
    if (!session) return;
    try {
      const blob = dir
        ? await new Response(await this.events.call((c) => c.sessions.download(session, { path }))).blob()
        : new Blob([(await this.events.call((c) => c.sessions.readFile(session, path))) as Uint8Array<ArrayBuffer>]);
      const url = URL.createObjectURL(blob);
      const name = path.split('/').pop() ?? 'file';
      h('a', { href: url, download: dir ? `${name}.tar` : name }).click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      this.events.failed(`download ${path}`, err);
    }
  }

  private async remove(path: string, dir: boolean): Promise<void> {
    const session = this.session;
    if (!session || !confirm(dir ? `Delete ${path} and all it holds?` : `Delete ${path}?`)) return;
    try {
      await this.events.call((c) => c.sessions.remove(session, path));
      this.events.removed(path);
    } catch (err) {
      this.events.failed(`delete ${path}`, err);
    }
    await this.refresh();
  }
}

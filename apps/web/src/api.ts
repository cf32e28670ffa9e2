/**
 * The page's way to the API: the typed client (@codebox/client, the same one agents use:
 * no second path), on this page's own origin, with the API key when the server has keys.
 * The key is asked for when the server first refuses a job for the want of one, and kept
 * in this browser's localStorage, so it is asked for once.
 */
import { CodeboxClient, CodeboxError } from '@codebox/client';
import type { JobRequest } from '@codebox/protocol';
import { byId } from './dom.js';

const KEY_ITEM = 'codebox.apiKey';

export function storedKey(): string | undefined {
  return localStorage.getItem(KEY_ITEM) ?? undefined;
}

export function client(): CodeboxClient {
  const apiKey = storedKey();
  return new CodeboxClient({ baseUrl: location.origin, ...(apiKey ? { apiKey } : {}) });
}

/** creates the job; a 401 asks for the key (again, if the one kept is not taken) and retries */
export function createJob(request: JobRequest): Promise<{ id: string }> {
  return withKey((c) => c.create(request));
}

/** a call of the client; a 401 asks for the key (again, if the one kept is not taken) and retries */
export async function withKey<T>(call: (c: CodeboxClient) => Promise<T>): Promise<T> {
  for (let asked = 0; ; asked++) {
    try {
      return await call(client());
    } catch (err) {
      if (!(err instanceof CodeboxError && err.status === 401) || asked >= 3) throw err;
      const reason = storedKey()
        ? 'The server does not take this key.'
        : 'This server runs code only for its API keys.';
      if (!(await askForKey(reason))) throw err;
    }
  }
}

/** the key's dialog: true once a key is saved, false when it is forgotten or the dialog closed */
export function askForKey(reason = ''): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('key-dialog');
  const input = byId<HTMLInputElement>('key-input');
  byId('key-message').textContent = reason;
  input.value = storedKey() ?? '';
  dialog.showModal();
  return new Promise((resolve) => {
    const form = dialog.querySelector('form') as HTMLFormElement;
    const onSubmit = (e: SubmitEvent): void => {
      e.preventDefault();
      const key = input.value.trim();
      if ((e.submitter as HTMLButtonElement | null)?.value === 'forget' || !key) {
        localStorage.removeItem(KEY_ITEM);
        return close(false);
      }
      localStorage.setItem(KEY_ITEM, key);
      close(true);
    };
    const onClose = (): void => close(false);
    const close = (saved: boolean): void => {
      form.removeEventListener('submit', onSubmit);
      dialog.removeEventListener('close', onClose);
      if (dialog.open) dialog.close();
      byId('key-button').hidden = storedKey() === undefined;
      resolve(saved);
    };
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('close', onClose);
  });
}

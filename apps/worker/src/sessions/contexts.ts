/**
 * A session's code contexts: interpreters in its box (runtimes' CodeContext) that keep
 * their variables between cells. A cell's events go to the caller as JSON lines on the
 * body channel, so an event of any size (a plot) moves in frames under the window; the
 * call ends with {failed, truncated}. A caller that goes interrupts its cell: what it
 * was computing is for no one, and the context lives for the next.
 */
import { CONTEXT_LANGUAGES, MAX_CONTEXTS } from '@codebox/protocol';
import type { CellEventJson, ContextLanguageName, ContextView } from '@codebox/protocol';
import { CodeContext, ContextEndedError } from '@codebox/runtimes';
import type { Handler, HostedContext, HostedSession } from './context.js';
import { endWithValue } from './context.js';
import { refuse } from './errors.js';

interface ContextArgs {
  readonly cid: string;
}

export const createContext: Handler = async (_h, s, call) => {
  const { language } = call.args as { language: string };
  if (!(CONTEXT_LANGUAGES as readonly string[]).includes(language))
    throw refuse('INVALID_REQUEST', `language: a context runs ${CONTEXT_LANGUAGES.join(' or ')}`, {
      field: 'language',
    });
  if (s.contexts.size >= MAX_CONTEXTS)
    throw refuse('SESSION_BUSY', `the session holds ${MAX_CONTEXTS} code contexts: delete one first`, {
      limit: MAX_CONTEXTS,
    });
  // counted before it starts, so two creates at once cannot both pass the check above
  const id = `ctx-${++s.contextCount}`;
  const starting: HostedContext = {
    id,
    language: language as ContextLanguageName,
    createdAt: new Date().toISOString(),
    context: undefined,
  };
  s.contexts.set(id, starting);
  try {
    starting.context = await CodeContext.start(s.session, language);
  } catch (err) {
    s.contexts.delete(id);
    if (err instanceof ContextEndedError) throw refuse('CONTEXT_ENDED', err.message);
    throw err;
  }
  // the session ended while it started: its box is gone, and the context with it
  if (s.ending) starting.context.close();
  await endWithValue(call, view(starting));
};

export const listContexts: Handler = async (_h, s, call) => {
  await endWithValue(call, [...s.contexts.values()].filter((c) => c.context).map(view));
};

export const runCell: Handler = async (_h, s, call) => {
  const { cid, code } = call.args as ContextArgs & { code: string };
  const context = running(s, cid);
  // the events in order, each once the one before is on its way; at most what the context keeps of a cell waits
  let sent: Promise<void> = Promise.resolve();
  let gone = false;
  const send = (e: CellEventJson): void => {
    sent = sent.then(async () => {
      if (gone) return;
      await call.data('body', Buffer.from(`${JSON.stringify(e)}\n`)).catch(() => {
        gone = true;
      });
    });
  };
  const interrupt = (): void => context.interrupt();
  call.signal.addEventListener('abort', interrupt);
  try {
    // the API answers the request once it has this: the cell is taken
    sent = call.event({ type: 'start' }).catch(() => {
      gone = true;
    });
    const r = await context.run(code, send).then(
      (done) => ({ failed: done.failed, truncated: done.truncated }),
      (err: unknown) => {
        if (!(err instanceof ContextEndedError)) throw err;
        // the cell ended its interpreter (os._exit, a crash, the memory limit): that is the cell's outcome
        send({ type: 'error', name: 'ContextEnded', message: err.message, traceback: '' });
        return { failed: true, truncated: false, ended: true };
      },
    );
    await sent;
    await call.end(r);
  } finally {
    call.signal.removeEventListener('abort', interrupt);
  }
};

export const interruptContext: Handler = async (_h, s, call) => {
  const c = found(s, (call.args as ContextArgs).cid);
  c.context?.interrupt();
  await call.end(view(c));
};

export const restartContext: Handler = async (_h, s, call) => {
  const c = found(s, (call.args as ContextArgs).cid);
  if (!c.context) throw refuse('CONTEXT_NOT_FOUND', `context ${c.id} is still starting`, { context: c.id });
  try {
    await c.context.restart();
  } catch (err) {
    if (err instanceof ContextEndedError) throw refuse('CONTEXT_ENDED', err.message, { context: c.id });
    throw err;
  }
  await call.end(view(c));
};

export const deleteContext: Handler = async (_h, s, call) => {
  const c = found(s, (call.args as ContextArgs).cid);
  c.context?.close();
  s.contexts.delete(c.id);
  await call.end(null);
};

/** every context of a session that ends: their cells waiting end with an error */
export function closeContexts(s: HostedSession): void {
  for (const c of s.contexts.values()) c.context?.close();
  s.contexts.clear();
}

function found(s: HostedSession, cid: string): HostedContext {
  const c = typeof cid === 'string' ? s.contexts.get(cid) : undefined;
  if (!c) throw refuse('CONTEXT_NOT_FOUND', `no context ${cid} in this session`, { context: cid });
  return c;
}

/** a context that can run a cell now */
function running(s: HostedSession, cid: string): CodeContext {
  const c = found(s, cid);
  if (!c.context) throw refuse('CONTEXT_NOT_FOUND', `context ${cid} is still starting`, { context: cid });
  if (c.context.ended)
    throw refuse('CONTEXT_ENDED', `context ${cid}: its interpreter has ended; restart or delete it`, { context: cid });
  return c.context;
}

function view(c: HostedContext): ContextView {
  return { id: c.id, language: c.language, alive: c.context ? !c.context.ended : false, createdAt: c.createdAt };
}

/**
 * A terminal in a session: a pseudo-terminal the engine opens in the box (a shell by
 * default), its keystrokes from the call's input, its screen to the call as `pty` frames,
 * resized by the call's control messages, closed (SIGHUP, then SIGKILL) when its caller
 * goes. The open terminal is a call in progress: it keeps the session from idling out.
 */
import type { Handler } from './context.js';
import { OutputSender } from './context.js';
import { refuse } from './errors.js';

/**
 * A terminal's output waiting for a slow reader: the engine gives a terminal's output as it
 * comes, with no way to pause it, so past this much waiting (`yes` in a terminal nobody
 * reads) it is dropped, as a terminal that scrolls past its buffer loses lines.
 */
const MAX_PENDING_BYTES = 1 << 20;

interface Resize {
  type?: unknown;
  cols?: unknown;
  rows?: unknown;
}

const dimension = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1000 ? v : undefined;

export const pty: Handler = async (h, s, call) => {
  const { cols, rows } = call.args as { cols?: number; rows?: number };
  if (s.terminals >= h.policy.terminals)
    throw refuse('SESSION_BUSY', `the session has ${h.policy.terminals} terminals open: close one first`, {
      limit: h.policy.terminals,
    });
  s.terminals++;
  try {
    const t = await s.session.terminal({
      ...(dimension(cols) ? { cols } : {}),
      ...(dimension(rows) ? { rows } : {}),
    });
    const close = (): void => t.close();
    call.signal.addEventListener('abort', close);
    if (call.signal.aborted) close();
    const out = new OutputSender(call, MAX_PENDING_BYTES);
    t.onData((chunk) => out.push('pty', chunk));
    call.onControl((v) => {
      const m = v as Resize;
      const c = dimension(m.cols);
      const r = dimension(m.rows);
      if (m.type === 'resize' && c && r) t.resize(c, r);
    });
    await call.event({ type: 'ready', id: t.id });
    void (async () => {
      try {
        for (let p = await call.nextInput(); p; p = await call.nextInput()) t.write(p.bytes);
      } catch {
        // the call is over: no more keystrokes
      }
    })();
    const exit = await t.done;
    await out.flush();
    call.signal.removeEventListener('abort', close);
    await call.end({ exitCode: exit.exitCode, signal: exit.signal, droppedBytes: out.dropped });
  } finally {
    s.terminals--;
  }
};

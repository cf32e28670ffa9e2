/**
 * An interactive job's stdin: the client's input stream in Redis, read on a connection of
 * its own and written into the box's stdin as it comes. A `signal` ends the run (a box
 * takes no signals but SIGKILL from outside). The input stream is deleted when the job
 * ends. Like the client's stdin in Piston's WebSocket, it is never closed by the client:
 * a program reading to end-of-file waits until its time is up.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { blockingConnection } from '@codebox/jobs';
import type { JobStore, RedisConnection } from '@codebox/jobs';

const BLOCK_MS = 5_000;

export function liveInput(
  redis: RedisConnection,
  store: JobStore,
  jobId: string,
  onSignal: () => void,
): { stdin: PassThrough; close(): void } {
  const stdin = new PassThrough();
  const conn = blockingConnection(redis);
  let open = true;
  void (async () => {
    let after = '0';
    while (open) {
      try {
        for (const { id, input } of await store.readInput(jobId, after, BLOCK_MS, conn)) {
          after = id;
          if (input.type === 'signal') onSignal();
          // a program that does not read must not make us buffer without end
          else if (!stdin.write(input.data) && open) await once(stdin, 'drain');
        }
      } catch {
        if (open) await new Promise((r) => setTimeout(r, 200)); // Redis away: try again
      }
    }
  })();
  return {
    stdin,
    close: () => {
      open = false;
      conn.disconnect();
      stdin.end();
      stdin.emit('drain'); // a reader waiting for room: the box is gone
      void redis.del(store.keys.input(jobId)).catch(() => undefined);
    },
  };
}

/**
 * `npm start`'s own settings, beside the API's and the worker's: those of the Redis it
 * starts when REDIS_URL is not set. From the environment once at start; one line per bad
 * value.
 */
import { loadVariables, parseBytes } from '@codebox/config';
import type { Variables } from '@codebox/config';

export interface ServerConfig {
  /** the embedded Redis's maxmemory (noeviction); 0: none */
  redisMaxmemoryBytes: number;
}

const MIN_MAXMEMORY_BYTES = 32 << 20;

export const VARIABLES: Variables<ServerConfig> = {
  // The embedded Redis's maxmemory, past which it refuses writes (noeviction: queue keys
  // have no TTL and must never be evicted) — new jobs get 503 until finished ones expire.
  // A job stores at most about 2 × CODEBOX_RESULT_MAX_BYTES + CODEBOX_STREAM_MAX_BYTES
  // (about 50 MiB with the defaults; most jobs a few KiB), for CODEBOX_RESULT_TTL_S.
  // 1g: room for twenty of the largest at once and hundreds of thousands of ordinary ones,
  // and small beside a host that runs the boxes. 0: none.
  CODEBOX_REDIS_MAXMEMORY: {
    doc: "`npm start`'s own Redis: its maxmemory, with `noeviction` (queue keys have no TTL); a size, `0` for none",
    default: '1g',
    apply: (v, c) => {
      const n = parseBytes(v);
      if (n === undefined || (n !== 0 && n < MIN_MAXMEMORY_BYTES))
        return 'must be 0 or a size of at least 32m, e.g. 1g';
      c.redisMaxmemoryBytes = n;
      return undefined;
    },
  },
};

export function loadServerConfig(env: Readonly<Record<string, string | undefined>>): ServerConfig {
  return loadVariables(env, VARIABLES, {} as ServerConfig);
}

/**
 * The API's configuration, from the environment once at start; one line per bad value.
 * Cross-field rules: without API keys the API listens on loopback only; on Redis Cluster
 * the key prefix carries a hash tag.
 */
import fs from 'node:fs';
import {
  ConfigError,
  defaultRedisConfig,
  flag,
  loadVariables,
  byteSize,
  redisProblems,
  REDIS_VARIABLES,
  wholeNumber,
} from '@codebox/config';
import type { RedisConfig, Variables } from '@codebox/config';
import { REDIS_CHECKS, TIMINGS } from '@codebox/jobs';
import { parseAllowEntry } from './judge0/callback-policy.js';

export interface ApiConfig extends RedisConfig {
  port: number;
  host: string;
  /** bearer keys; empty: no auth, loopback only */
  apiKeys: string[];
  /** job creations per key per minute; 0: no limit */
  ratePerMinute: number;
  /** jobs waiting in the queue before new ones get 503 */
  queueMax: number;
  /** how long ?wait=true holds the request before answering 202 */
  waitMs: number;
  /** the largest request body */
  bodyLimitBytes: number;
  /** a problem version's data, each distinct file once, and the largest package upload */
  problemMaxBytes: number;
  /** what one key's stored problems may take, every version counted in full */
  problemKeyBytes: number;
  problemUploads: number;
  /** a worker counts as alive this long after its last heartbeat */
  workerFreshMs: number;
  /** event streams and waits open at once, in all and per key (each holds a Redis connection) */
  maxStreams: number;
  maxStreamsPerKey: number;
  /** the Piston API runs the installed version of a language when the asked one is not installed */
  pistonResolveVersions: boolean;
  /** sessions a key may hold at once */
  sessionsPerKey: number;
  /** where the Judge0-compatible API lives */
  judge0Prefix: string;
  /** hosts, addresses and CIDRs Judge0 callbacks may go to; when any, only these (private or not) */
  callbackAllow: string[];
  /**
   * refuse callbacks to loopback, private, link-local, CGNAT, unspecified, multicast and
   * reserved addresses not listed
   */
  callbackDenyPrivate: boolean;
  /** the queue dashboard's key; undefined: the dashboard is off */
  adminKey: string | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const API_VARIABLES: Variables<ApiConfig> = {
  // The API's port.
  PORT: { doc: "the API's HTTP port", default: '8080', apply: wholeNumber(0, 65535, (n, c) => (c.port = n)) },
  // The address to listen on; another than loopback needs CODEBOX_API_KEYS.
  HOST: {
    doc: 'listen address; anything but loopback needs `CODEBOX_API_KEYS`',
    default: '127.0.0.1',
    apply: (v, c) => {
      if (!/^[0-9A-Za-z.:-]+$/.test(v)) return 'must be an IP address or host name';
      c.host = v;
      return undefined;
    },
  },
  // API keys, comma-separated. None: no auth, loopback only.
  CODEBOX_API_KEYS: {
    doc: 'bearer keys, comma-separated (each ≥ 16 characters)',
    defaultDoc: 'none: no auth, loopback only',
    apply: (v, c) => {
      const keys = v
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (keys.some((k) => k.length < 16)) return 'each key must be at least 16 characters';
      c.apiKeys.push(...keys);
      return undefined;
    },
  },
  // A file with one API key per line, added to CODEBOX_API_KEYS.
  CODEBOX_API_KEYS_FILE: {
    doc: 'a file of bearer keys, one per line, added to `CODEBOX_API_KEYS`',
    defaultDoc: 'none',
    apply: (v, c) => {
      let text: string;
      try {
        text = fs.readFileSync(v, 'utf8');
      } catch (err) {
        return `cannot read it: ${(err as NodeJS.ErrnoException).code}`;
      }
      const keys = text
        .split('\n')
        .map((k) => k.trim())
        .filter((k) => k && !k.startsWith('#'));
      if (keys.some((k) => k.length < 16)) return 'each key must be at least 16 characters';
      c.apiKeys.push(...keys);
      return undefined;
    },
  },
  // Job creations per key per minute; 0 turns it off.
  CODEBOX_RATE_LIMIT: {
    doc: 'jobs per key per minute (0: off)',
    default: '600',
    apply: wholeNumber(0, 1_000_000, (n, c) => (c.ratePerMinute = n)),
  },
  // Jobs waiting before new ones are refused with 503.
  CODEBOX_QUEUE_MAX: {
    doc: 'waiting jobs before 503',
    default: '1000',
    apply: wholeNumber(1, 10_000_000, (n, c) => (c.queueMax = n)),
  },
  // The longest ?wait=true holds a request.
  CODEBOX_WAIT_MS: {
    doc: 'the longest `?wait=true`, ms',
    default: '30000',
    apply: wholeNumber(0, 300_000, (n, c) => (c.waitMs = n)),
  },
  // Event streams and waits open at once, in all (each holds a Redis connection).
  CODEBOX_MAX_STREAMS: {
    doc: 'open event streams and waits, in all',
    default: '1000',
    apply: wholeNumber(1, 100_000, (n, c) => (c.maxStreams = n)),
  },
  // Event streams and waits open at once per key.
  CODEBOX_MAX_STREAMS_PER_KEY: {
    doc: 'open event streams and waits per key',
    default: '100',
    apply: wholeNumber(1, 100_000, (n, c) => (c.maxStreamsPerKey = n)),
  },
  // Piston clients name the versions of Piston's packages (python 3.10.0, node 18.15.0):
  // true runs the installed version of the language instead, and the answer's `version`
  // says which ran; false: such a version is unknown, as in Piston.
  CODEBOX_PISTON_RESOLVE_VERSIONS: {
    doc: "Piston API: a version that is not installed runs the installed one of the language, the answer's `version` saying which (`false`: unknown, as in Piston)",
    default: 'true',
    apply: flag((b, c) => (c.pistonResolveVersions = b)),
  },
  // Sessions one key may hold at once (starting or ready); more is 429 SESSION_LIMIT.
  CODEBOX_SESSIONS_PER_KEY: {
    doc: 'sessions a key may hold at once (more: 429 `SESSION_LIMIT`)',
    default: '10',
    apply: wholeNumber(1, 100_000, (n, c) => (c.sessionsPerKey = n)),
  },
  // The Judge0 CE-compatible API's path prefix.
  CODEBOX_JUDGE0_PREFIX: {
    doc: 'path prefix of the Judge0-compatible API',
    default: '/judge0',
    apply: (v, c) => {
      if (!/^\/[a-z0-9_-]+$/i.test(v) || ['/v1', '/api', '/docs', '/metrics', '/admin', '/assets'].includes(v))
        return "must be one path segment such as /judge0, not one of the API's own";
      c.judge0Prefix = v;
      return undefined;
    },
  },
  // Judge0 callback_url: the hosts, addresses and CIDRs callbacks may go to, comma-separated.
  // When set, only these, and a listed one may be private (an internal service, or
  // 127.0.0.1 in tests). None: any address the private deny lets through.
  CODEBOX_CALLBACK_ALLOW: {
    doc: 'Judge0 `callback_url` hosts, addresses and CIDRs, comma-separated (`10.1.2.3,10.8.0.0/16,hooks.example.com`): when set, only these, private or not',
    defaultDoc: 'none: any address the next one lets through',
    apply: (v, c) => {
      const entries = v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean);
      const bad = entries.flatMap((e) => {
        const parsed = parseAllowEntry(e);
        return typeof parsed === 'string' ? [`${JSON.stringify(e)}: ${parsed}`] : [];
      });
      if (bad.length > 0) return bad.join('; ');
      c.callbackAllow = entries;
      return undefined;
    },
  },
  // Refuse Judge0 callbacks to loopback, private, link-local (cloud metadata), CGNAT,
  // unspecified, multicast and reserved addresses, unless CODEBOX_CALLBACK_ALLOW lists
  // them. false calls back anywhere, as Judge0 does.
  CODEBOX_CALLBACK_DENY_PRIVATE: {
    doc: 'refuse Judge0 callbacks to loopback, private, link-local, CGNAT, unspecified, multicast and reserved addresses not listed above (`false`: anywhere, as Judge0)',
    default: 'true',
    apply: flag((b, c) => (c.callbackDenyPrivate = b)),
  },
  // The key of the queue dashboard (/admin/queues); unset, the dashboard is off.
  CODEBOX_ADMIN_KEY: {
    doc: 'the key of the queue dashboard at `/admin/queues` (≥ 16 characters; HTTP Basic password or bearer)',
    defaultDoc: 'none: the dashboard is off',
    apply: (v, c) => {
      if (v.trim().length < 16) return 'must be at least 16 characters';
      c.adminKey = v.trim();
      return undefined;
    },
  },
  // The largest request body.
  CODEBOX_BODY_LIMIT: {
    doc: 'the largest request body',
    default: '5m',
    apply: byteSize('1k', '256m', '5m', (n, c) => (c.bodyLimitBytes = n)),
  },
  // A problem version's test data and programs, each distinct file counted once, and the
  // largest package (zip) upload. Problems live in Redis: its maxmemory must hold them.
  CODEBOX_PROBLEM_MAX_BYTES: {
    doc: "a stored problem version's data (each distinct file once) and the largest package upload; problems live in Redis, whose maxmemory must hold them",
    default: '256m',
    apply: byteSize('1k', '8g', '256m', (n, c) => (c.problemMaxBytes = n)),
  },
  // One key's stored problems, every version in full: without it one key could fill Redis,
  // and every key's jobs and sessions would be refused (the store is full).
  CODEBOX_PROBLEM_KEY_BYTES: {
    doc: "what one key's stored problems may take in all, every version counted in full (its distinct data and its definition); past it 413 PROBLEM_QUOTA until the key deletes some",
    default: '1g',
    apply: byteSize('1k', '1t', '1g', (n, c) => (c.problemKeyBytes = n)),
  },
  // Package uploads in flight per API process: each is written to the temp directory as it
  // comes, up to CODEBOX_PROBLEM_MAX_BYTES, so this times that is the disk they may take.
  CODEBOX_PROBLEM_UPLOADS: {
    doc: 'package (zip) uploads in flight per API process, each spooled to the temp directory up to CODEBOX_PROBLEM_MAX_BYTES (more: 503; a key holds half of them at most, past that 429)',
    default: '4',
    apply: wholeNumber(1, 1_000, (n, c) => (c.problemUploads = n)),
  },
};

export const VARIABLES = { ...REDIS_VARIABLES, ...API_VARIABLES } as Variables<ApiConfig>;

export function loadApiConfig(env: Readonly<Record<string, string | undefined>>): ApiConfig {
  // the fields no variable's default sets; every other comes from its variable
  const config = loadVariables(env, VARIABLES, {
    ...defaultRedisConfig(),
    apiKeys: [],
    callbackAllow: [],
    adminKey: undefined,
    workerFreshMs: TIMINGS.workerFreshMs,
  } as unknown as ApiConfig);
  const problems = redisProblems(config, REDIS_CHECKS);
  if (config.apiKeys.length === 0 && !LOOPBACK.has(config.host)) {
    problems.push(
      `HOST=${JSON.stringify(config.host)}: without CODEBOX_API_KEYS the API listens on loopback only (127.0.0.1 or ::1)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

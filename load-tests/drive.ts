/**
 * Sends jobs with autocannon (POST /v1/jobs?wait=true, the finished job in the answer)
 * and times each one itself: from the moment the request is written (setupRequest) to
 * the whole answer (onResponse), per kind of job, with the answer checked.
 *
 * Why not autocannon's own latency: with a rate it "corrects" for coordinated omission
 * with an expected interval of 1 ms (Math.ceil(1 / rate)), adding made-up samples; and
 * it cannot tell trivial jobs from hostile ones.
 *
 * Two shapes:
 *   closed  `connections` requests always in flight: the most the stack can do.
 *   paced   `ratePerS` requests a second, spread evenly. autocannon's overallRate resets
 *           every connection's quota on the same second tick, so its connections all
 *           send at once; here each of up to MAX_PACERS autocannon instances has one
 *           connection and starts 1/n s after the previous, so sends are 1/rate apart.
 * Either way the kind of each job is the next of one shared cycle, whichever connection
 * sends it: a 10% mix is 10% at every moment, not in bursts of one connection's turn.
 */
import autocannon from 'autocannon';
import type { JobAnswer, JobKind } from './jobs.js';

export interface KindStats {
  readonly latenciesMs: number[];
  /** answer label → count ('ok', a verdict, an HTTP status…) */
  readonly outcomes: Map<string, number>;
}

export interface LoadResult {
  /** from the first request sent to the last answer: what throughput is counted over */
  readonly seconds: number;
  readonly byKind: Map<string, KindStats>;
  /** connection errors and timeouts: requests that got no answer at all */
  readonly noAnswer: number;
}

export interface LoadOptions {
  readonly url: string;
  /** the kinds of job, sent in this order over and over */
  readonly cycle: readonly JobKind[];
  readonly durationS: number;
  /** closed: this many in flight */
  readonly connections?: number;
  /** paced: this many a second */
  readonly ratePerS?: number;
  /** an answer later than this is a timeout; default 60 s */
  readonly timeoutS?: number;
}

/** more instances spread sends better; each costs a connection and timers */
const MAX_PACERS = 64;

export async function drive(o: LoadOptions): Promise<LoadResult> {
  const byKind = new Map<string, KindStats>(o.cycle.map((k) => [k.name, { latenciesMs: [], outcomes: new Map() }]));
  const window = { first: Infinity, last: -Infinity };
  const req = request(o.cycle, byKind, window);
  const results = o.ratePerS
    ? await paced(o, o.ratePerS, req)
    : [await run(o, { connections: o.connections ?? 1 }, req)];
  const seconds = Math.max(0, window.last - window.first) / 1000;
  return { seconds, byKind, noAnswer: results.reduce((n, r) => n + r.errors, 0) };
}

async function paced(o: LoadOptions, ratePerS: number, req: autocannon.Request): Promise<autocannon.Result[]> {
  const total = Math.max(1, Math.round(ratePerS));
  const n = Math.min(MAX_PACERS, total);
  const instances = Array.from({ length: n }, async (_, i) => {
    await sleep((1000 * i) / n);
    const rate = Math.floor(total / n) + (i < total % n ? 1 : 0);
    return run(o, { connections: 1, overallRate: rate }, req);
  });
  return Promise.all(instances);
}

function run(
  o: LoadOptions,
  shape: Pick<autocannon.Options, 'connections' | 'overallRate'>,
  req: autocannon.Request,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: `${o.url}/v1/jobs?wait=true`,
      ...shape,
      duration: o.durationS,
      timeout: o.timeoutS ?? 60,
      // autocannon refuses it without a rate; with one, its own histogram is not used anyway
      ...(shape.overallRate ? { ignoreCoordinatedOmission: true } : {}),
      renderProgressBar: false,
      renderResultsTable: false,
      requests: [req],
    }).then(resolve, reject);
  });
}

/** one request whose kind is chosen as it is sent; the context carries it to the answer */
function request(
  cycle: readonly JobKind[],
  byKind: Map<string, KindStats>,
  window: { first: number; last: number },
): autocannon.Request {
  let sent = 0;
  return {
    method: 'POST',
    path: '/v1/jobs?wait=true',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req, context) => {
      const kind = cycle[sent++ % cycle.length] as JobKind;
      context.kind = kind;
      const now = performance.now();
      context.sentAt = now;
      window.first = Math.min(window.first, now);
      return { ...req, body: kind.body };
    },
    onResponse: (status, body, context) => {
      const kind = context.kind as JobKind;
      const stats = byKind.get(kind.name) as KindStats;
      window.last = performance.now();
      stats.latenciesMs.push(window.last - (context.sentAt as number));
      const label = kind.classify(status, parse(body));
      stats.outcomes.set(label, (stats.outcomes.get(label) ?? 0) + 1);
    },
  };
}

function parse(body: string): JobAnswer {
  try {
    return JSON.parse(body) as JobAnswer;
  } catch {
    return {};
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** two runs of one scenario as one: answers pooled, time added */
export function mergeLoads(a: LoadResult, b: LoadResult): LoadResult {
  const byKind = new Map<string, KindStats>();
  for (const [name, s] of [...a.byKind, ...b.byKind]) {
    const into = byKind.get(name) ?? { latenciesMs: [], outcomes: new Map<string, number>() };
    for (const ms of s.latenciesMs) into.latenciesMs.push(ms);
    for (const [label, n] of s.outcomes) into.outcomes.set(label, (into.outcomes.get(label) ?? 0) + n);
    byKind.set(name, into);
  }
  return { seconds: a.seconds + b.seconds, byKind, noAnswer: a.noAnswer + b.noAnswer };
}

// autocannon ships no types: what the load tests use of it (autocannon 9)
declare module 'autocannon' {
  namespace autocannon {
    /** per connection; reset when the connection's list of requests starts over */
    type Context = Record<string, unknown>;

    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** called right before the request is written (except a connection's very first) */
      setupRequest?: (req: Request, context: Context) => Request;
      /** called with the whole body once it has arrived */
      onResponse?: (status: number, body: string, context: Context, headers: Record<string, string | string[]>) => void;
    }

    interface Options {
      url: string;
      connections?: number;
      /** seconds */
      duration?: number;
      /** seconds before a request counts as a timeout (default 10) */
      timeout?: number;
      /** requests per second over all connections, split between them */
      overallRate?: number;
      /** requests per second per connection */
      connectionRate?: number;
      /** without it, a slow answer adds made-up samples to autocannon's own histogram */
      ignoreCoordinatedOmission?: boolean;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      requests?: Request[];
      renderProgressBar?: boolean;
      renderResultsTable?: boolean;
    }

    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      requests: { sent: number; total: number };
    }

    interface Instance extends PromiseLike<Result> {
      stop(): void;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}

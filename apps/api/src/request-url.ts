import type http from 'node:http';

/**
 * A request's URL, or undefined where it does not parse. Node's parser takes request lines
 * a URL refuses (`GET //x:99999/`, `GET //[/`); express answers those itself, but an
 * upgrade reaches our own listener, where a throw would end the process.
 */
export function requestUrl(req: http.IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://codebox');
  } catch {
    return undefined;
  }
}

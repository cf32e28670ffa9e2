/**
 * The pages for people, open to all like the OpenAPI document (running code still needs
 * a key, asked for by the page): the playground at /, its assets at /assets (named by
 * content hash, so cached for a year as immutable), and the interactive API reference at
 * /docs (Scalar, over /openapi.json, its script served from here). Each page's CSP keeps
 * it to this origin: nothing is fetched from the internet. Without a build (`npm run
 * build` makes one; `npm ci` runs it), / and /docs say so.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import { apiReference } from '@scalar/express-api-reference';
import { ApiError } from '@codebox/protocol';
import { loadWebBuild } from './build.js';
import type { Asset, WebBuild } from './build.js';

export { loadWebBuild } from './build.js';
export type { WebBuild } from './build.js';

/**
 * This origin only. Styles inline: CodeMirror and Scalar inject theirs at run time. The
 * reference's page starts Scalar from an inline script, its only one.
 */
const PLAYGROUND_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
const REFERENCE_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

export function webRoutes(build: WebBuild | undefined = loadWebBuild()): Router {
  const r = Router();
  if (!build) {
    const unbuilt = (): never => {
      throw new ApiError('ROUTE_NOT_FOUND', 'the web pages were not built: run `npm run build` (npm ci runs it)');
    };
    r.get(['/', '/docs'], unbuilt);
    return r;
  }
  r.get('/', (req, res) => {
    res.set('Content-Security-Policy', PLAYGROUND_CSP);
    send(req, res, build.playground, 'no-cache');
  });
  r.get('/assets/:name', (req, res, next) => {
    const a = build.assets.get(String(req.params.name));
    if (!a) return next();
    send(req, res, a, 'public, max-age=31536000, immutable');
  });
  const reference = apiReference({
    url: '/openapi.json',
    cdn: build.referenceScript,
    pageTitle: 'codebox API reference',
    favicon: build.icon,
    // what would reach Scalar's servers is off: their fonts (the system's serve), the
    // "Ask AI" agent, and the developer tools' registry, share and deploy
    withDefaultFonts: false,
    agent: { disabled: true },
    showDeveloperTools: 'never',
    metaData: { title: 'codebox API reference' },
  });
  r.get(
    '/docs',
    (_req, res, next) => {
      res.set({ 'Content-Security-Policy': REFERENCE_CSP, 'Cache-Control': 'no-cache' });
      next();
    },
    reference,
  );
  return r;
}

/** one file, gzipped when the browser takes it, 304 when it has it */
function send(req: Request, res: Response, a: Asset, cacheControl: string): void {
  res.set({
    'Cache-Control': cacheControl,
    ETag: a.etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.fresh) return void res.status(304).end();
  const gzip = a.gzip && req.acceptsEncodings('gzip', 'identity') === 'gzip';
  res.type(a.type);
  if (gzip) res.set('Content-Encoding', 'gzip');
  res.send(gzip ? a.gzip : a.body);
}

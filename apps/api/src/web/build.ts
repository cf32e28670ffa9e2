/**
 * What apps/web built (its dist/, made by `npm run build`): the playground's page, its
 * assets and the API reference's script, read once at start into memory (a few MB) with
 * their gzip twins, so serving one is a lookup. Undefined when the pages were not built.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  /** the same, gzipped by the build, for a browser that takes gzip */
  readonly gzip: Buffer | undefined;
  readonly etag: string;
}

export interface WebBuild {
  /** the playground's page */
  readonly playground: Asset;
  /** by file name; each name carries a hash of its content */
  readonly assets: ReadonlyMap<string, Asset>;
  /** where the API reference's script is served */
  readonly referenceScript: string;
  /** where the pages' icon is served */
  readonly icon: string;
}

/** the build's manifest, as apps/web/build.mjs writes it */
interface Manifest {
  playground: string;
  assets: string;
  referenceScript: string;
  icon: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** apps/web's dist/, found as an installed package (a workspace link) */
export function webDist(): string {
  const pkg = createRequire(import.meta.url).resolve('@codebox/web/package.json');
  return path.join(path.dirname(pkg), 'dist');
}

export function loadWebBuild(dist = webDist()): WebBuild | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dist, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  const dir = path.join(dist, manifest.assets);
  const assets = new Map<string, Asset>();
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.gz')) continue;
    assets.set(name, asset(path.join(dir, name)));
  }
  return {
    playground: asset(path.join(dist, manifest.playground)),
    assets,
    referenceScript: manifest.referenceScript,
    icon: manifest.icon,
  };
}

function asset(file: string): Asset {
  const body = fs.readFileSync(file);
  const gz = `${file}.gz`;
  return {
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
    body,
    gzip: fs.existsSync(gz) ? fs.readFileSync(gz) : undefined,
    etag: `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
  };
}

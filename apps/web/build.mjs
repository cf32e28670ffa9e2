#!/usr/bin/env node
// The web pages' build, run by the root `npm run build` (so by `npm ci`, through prepare):
// esbuild bundles the playground (src/main.ts and the grammars it loads on demand) into
// dist/assets, each file named by a hash of its content so the API can serve it as
// immutable; copies the API reference's script (Scalar's standalone bundle, pinned to
// 1.46.4, the last to run on Node 20) and the icon beside them the same way; gzips each asset beside
// itself; writes dist/index.html naming them, and dist/manifest.json, which tells the API
// (apps/api/src/web) what is where. Nothing is fetched at run time: no CDN.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const assets = path.join(dist, 'assets');
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(assets, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['chrome111', 'firefox115', 'safari16.4'],
  outdir: assets,
  entryNames: '[name].[hash]',
  chunkNames: 'chunk.[hash]',
  assetNames: '[name].[hash]',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs);
const [appJs, app] = outputs.find(([, o]) => o.entryPoint === 'src/main.ts') ?? [];
if (!appJs || !app?.cssBundle) throw new Error('web build: esbuild made no app.js with its css');
const url = (file) => `/assets/${path.relative(assets, path.resolve(here, file))}`;

const scalarSource = fileURLToPath(import.meta.resolve('@scalar/api-reference/browser/standalone.js'));
const scalar = hashed(fs.readFileSync(scalarSource), 'scalar', '.js');
const icon = hashed(fs.readFileSync(path.join(here, 'src/icon.svg')), 'icon', '.svg');

const html = fs
  .readFileSync(path.join(here, 'src/index.html'), 'utf8')
  .replace('%APP_JS%', url(appJs))
  .replace('%APP_CSS%', url(app.cssBundle))
  .replace('%ICON%', `/assets/${icon}`);
fs.writeFileSync(path.join(dist, 'index.html'), html);

for (const name of fs.readdirSync(assets)) {
  if (!/\.(js|css|txt|svg)$/.test(name)) continue;
  const file = path.join(assets, name);
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
}
fs.writeFileSync(
  path.join(dist, 'manifest.json'),
  JSON.stringify(
    { playground: 'index.html', assets: 'assets', referenceScript: `/assets/${scalar}`, icon: `/assets/${icon}` },
    null,
    2,
  ) + '\n',
);
const total = fs.readdirSync(assets).filter((n) => !n.endsWith('.gz')).length;
console.log(`web: built ${total} assets into ${path.relative(process.cwd(), dist)}`);

/** writes bytes under a name with their hash, as esbuild names its outputs */
function hashed(bytes, name, ext) {
  const hash = crypto.createHash('sha256').update(bytes).digest('base64url').slice(0, 8).toUpperCase();
  const file = `${name}.${hash}${ext}`;
  fs.writeFileSync(path.join(assets, file), bytes);
  return file;
}

#!/usr/bin/env node
// Dependency rules, checked on every `npm test` (BullMQ runs madge --circular the same way):
//   1. no import cycles among our own modules;
//   2. one direction: apps -> packages, never back; among packages, each imports only the
//      ones before it in LAYERS (the engine, packages/sandbox, none); no package imports an
//      HTTP or queue library or reads an environment variable (their callers pass config).
import fs from 'node:fs';
import path from 'node:path';

/** packages, lowest first: each may import only those before it */
const LAYERS = ['sandbox', 'runtimes', 'judge', 'config', 'protocol', 'jobs', 'client'];
/** the libraries a package may use of the service's stack: only jobs talks to Redis */
const SERVICE_LIBS = /^(express|bullmq|ioredis|prom-client)(\/|$)/;
const MAY_USE = { jobs: /^(bullmq|ioredis)(\/|$)/ };

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const files = [];
for (const top of ['packages', 'apps']) walk(path.join(root, top));

function walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.push(p);
  }
}

const problems = [];
const graph = new Map();
const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
for (const file of files) {
  const src = fs.readFileSync(file, 'utf8');
  const rel = path.relative(root, file);
  const deps = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) deps.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    if (rel.startsWith('packages/')) {
      const own = LAYERS.indexOf(rel.split('/')[1]);
      const dep = spec.startsWith('@codebox/') ? LAYERS.indexOf(spec.slice('@codebox/'.length).split('/')[0]) : -1;
      if (spec.startsWith('@codebox/') && (own < 0 || dep < 0 || dep >= own)) problems.push(`${rel}: a package may not import ${spec} (layers: ${LAYERS.join(' < ')})`);
      const pkg = rel.split('/')[1];
      if (SERVICE_LIBS.test(spec) && !MAY_USE[pkg]?.test(spec)) problems.push(`${rel}: a package may not import ${spec}`);
    }
    if (rel.startsWith('packages/') && spec.includes('apps/')) problems.push(`${rel}: a package may not import an app (${spec})`);
  }
  if (rel.startsWith('packages/') && !rel.endsWith('.test.ts') && /process\.env/.test(src)) {
    problems.push(`${rel}: a package reads no environment variables; its caller passes config`);
  }
  graph.set(file, deps);
}

const state = new Map();
const stack = [];
function visit(f) {
  state.set(f, 'open');
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 'open') {
      const cycle = stack.slice(stack.indexOf(d)).concat(d).map((p) => path.relative(root, p));
      problems.push(`import cycle: ${cycle.join(' -> ')}`);
    } else if (!state.has(d) && graph.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 'done');
}
for (const f of graph.keys()) if (!state.has(f)) visit(f);

if (problems.length > 0) {
  for (const p of new Set(problems)) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ${files.length} files, no cycles, dependencies point one way`);

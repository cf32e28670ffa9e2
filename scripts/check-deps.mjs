#!/usr/bin/env node
// Dependency rules, checked on every `npm test` (BullMQ runs madge --circular the same way):
//   1. no import cycles among our own modules;
//   2. one direction: apps -> packages, never back; among packages, each imports only the
//      ones before it in LAYERS; the wire (protocol) and the engine (sandbox) import none
//      of ours; no package imports an HTTP or queue library or reads an environment
//      variable (their callers pass config);
//   3. the API and the client never reach the engine, the runtimes, the judge or koffi,
//      directly or through another package (type imports count too): they must not load
//      a native module or a box to know a type;
//   4. the API by feature: a feature (native, piston, judge0, sessions) imports no other feature
//      and the job service (jobs/) none at all, so features meet only through jobs/ and in
//      app.ts; from outside its folder a feature or jobs/ is reached through its index.ts
//      alone (the exceptions in THROUGH_FILE say why).
import fs from 'node:fs';
import path from 'node:path';

/** packages, lowest first: each may import only those before it */
const LAYERS = ['protocol', 'sandbox', 'runtimes', 'judge', 'model', 'config', 'jobs', 'client', 'mcp'];
/** packages that import nothing of ours */
const LEAVES = new Set(['protocol', 'sandbox']);
/** what the API and the client must never reach */
const ENGINE_SIDE = /^packages\/(sandbox|runtimes|judge|model)\//;
const NO_ENGINE = [
  'apps/api/src/index.ts',
  'apps/api/src/main.ts',
  'packages/client/src/index.ts',
  'packages/mcp/src/index.ts',
];
/** the libraries a package may use of the service's stack: only jobs talks to Redis */
const SERVICE_LIBS = /^(express|bullmq|ioredis|prom-client)(\/|$)/;
const MAY_USE = { jobs: /^(bullmq|ioredis)(\/|$)/ };

// the tree to check: this repository, or one given (its test plants a fault in a copy)
const root = path.resolve(process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..'));
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
/** file -> what it imports, our packages' entries and koffi included, for rule 3 */
const reaches = new Map();
function packageEntry(spec) {
  const [, name] = spec.split('/');
  const dir = fs.existsSync(path.join(root, 'packages', name)) ? 'packages' : 'apps';
  return path.join(root, dir, name, 'src', 'index.ts');
}
const importRe =
  /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
for (const file of files) {
  const src = fs.readFileSync(file, 'utf8');
  const rel = path.relative(root, file);
  const deps = [];
  const reach = [];
  for (const m of src.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (spec.startsWith('.')) deps.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    if (spec.startsWith('@codebox/')) reach.push(packageEntry(spec));
    if (spec === 'koffi') reach.push('koffi');
    if (rel.startsWith('packages/')) {
      const own = LAYERS.indexOf(rel.split('/')[1]);
      const dep = spec.startsWith('@codebox/') ? LAYERS.indexOf(spec.slice('@codebox/'.length).split('/')[0]) : -1;
      if (spec.startsWith('@codebox/') && (own < 0 || dep < 0 || dep >= own || LEAVES.has(rel.split('/')[1])))
        problems.push(
          `${rel}: a package may not import ${spec} (layers: ${LAYERS.join(' < ')}; ${[...LEAVES].join(' and ')} import none of ours)`,
        );
      const pkg = rel.split('/')[1];
      if (SERVICE_LIBS.test(spec) && !MAY_USE[pkg]?.test(spec))
        problems.push(`${rel}: a package may not import ${spec}`);
    }
    if (rel.startsWith('packages/') && spec.includes('apps/'))
      problems.push(`${rel}: a package may not import an app (${spec})`);
  }
  if (rel.startsWith('packages/') && !rel.endsWith('.test.ts') && /process\.env/.test(src)) {
    problems.push(`${rel}: a package reads no environment variables; its caller passes config`);
  }
  graph.set(file, deps);
  reaches.set(file, [...deps, ...reach]);
}

// rule 4: the API's features
const API = 'apps/api/src/';
const FEATURES = new Set(['native', 'piston', 'judge0', 'mcp', 'sessions']);
const FOLDERS = new Set([...FEATURES, 'jobs']);
/** importer -> a feature's inner file it may take directly */
const THROUGH_FILE = new Map([
  // the API's settings parse the callback allow-list without loading Express (scripts/config-docs.ts reads them)
  ['apps/api/src/config.ts', 'apps/api/src/judge0/callback-policy.ts'],
]);
for (const [file, deps] of graph) {
  const rel = path.relative(root, file);
  if (!rel.startsWith(API)) continue;
  const from = rel.slice(API.length).split('/');
  for (const dep of deps) {
    const depRel = path.relative(root, dep);
    const to = depRel.slice(API.length).split('/');
    if (!depRel.startsWith(API) || !FOLDERS.has(to[0]) || to[0] === from[0]) continue;
    if (FEATURES.has(to[0]) && (FEATURES.has(from[0]) || from[0] === 'jobs'))
      problems.push(`${rel}: a feature reaches another only through the job service (imports ${depRel})`);
    else if (to.slice(1).join('/') !== 'index.ts' && THROUGH_FILE.get(rel) !== depRel)
      problems.push(`${rel}: imports ${depRel}; outside ${to[0]}/ import its index.ts`);
  }
}

// rule 3: everything the API and the client can reach, through any import
for (const start of NO_ENGINE) {
  const seen = new Set();
  const via = new Map();
  const todo = [path.join(root, start)];
  while (todo.length > 0) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    const rel = f === 'koffi' ? 'koffi' : path.relative(root, f);
    if (rel === 'koffi' || ENGINE_SIDE.test(rel)) {
      const chain = [rel];
      for (let p = via.get(f); p; p = via.get(p)) chain.unshift(path.relative(root, p));
      problems.push(`${start} reaches ${rel}: ${chain.join(' -> ')}`);
      continue;
    }
    for (const d of reaches.get(f) ?? []) {
      if (!via.has(d)) via.set(d, f);
      todo.push(d);
    }
  }
}

const state = new Map();
const stack = [];
function visit(f) {
  state.set(f, 'open');
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (state.get(d) === 'open') {
      const cycle = stack
        .slice(stack.indexOf(d))
        .concat(d)
        .map((p) => path.relative(root, p));
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

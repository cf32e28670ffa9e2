/**
 * A reader who follows the docs finds what they name. For every markdown file the
 * repository holds (README.md, docs/**, rootfs/README.md, load-tests/README.md among them):
 *
 * - a relative link — [text](target), ![alt](target), [label]: target — names a file or
 *   folder of this repository (inside it: no `..` past its root, no `/…` link, which on
 *   GitHub leaves the repository); its `#anchor`, or a bare `#anchor`, names a heading of
 *   that markdown file by GitHub's slug. Links with a scheme (https:, mailto:) are not
 *   fetched: this test needs no network.
 * - a code span that is a repository path names one that exists. A span is a repository
 *   path when it is one word whose first part is a top-level entry of the repository —
 *   `packages/sandbox/src/box-run.ts`, `test/hostile/`, `.ci/run`, `package.json` — so
 *   commands (`npm run rootfs`), absolute paths in a box (`/proc/1/root`) and names in
 *   a user's program (`main.py`) are not paths. A span with a wildcard or a placeholder
 *   (`apps/*\/dist`, `<dir>/rootfs`, `…`) is a pattern and is skipped; a `:line` suffix is
 *   dropped.
 * - every doc in docs/ is linked from README.md: the front door reaches each of them.
 *
 * "Exists" is what git holds, tracked or new and not ignored, so a link to a build output
 * (dist/, node_modules/) fails here as it would on GitHub; without git, the file system.
 * Each problem is one line, file:line and what is wrong. No root, no Redis.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { scan, slug } from './markdown.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** the docs the issue names: the set below must hold them, whatever else it finds */
const REQUIRED_DOCS = ['README.md', 'rootfs/README.md', 'load-tests/README.md'];

/** repository-relative paths of every file the repository holds, or undefined without git */
function heldFiles(): Set<string> | undefined {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    // --cached lists a file deleted from the work tree until the deletion is staged
    return new Set(out.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(ROOT, f))));
  } catch {
    return undefined;
  }
}

const HELD = heldFiles();
const HELD_DIRS = new Set<string>();
for (const f of HELD ?? []) {
  for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) HELD_DIRS.add(d);
}

/** a repository-relative path (no trailing slash) the repository holds, file or folder */
function exists(rel: string): boolean {
  if (rel === '') return true;
  if (HELD) return HELD.has(rel) || HELD_DIRS.has(rel);
  return fs.existsSync(path.join(ROOT, rel));
}

function markdownFiles(): string[] {
  const all = HELD ? [...HELD] : walk('');
  return all.filter((f) => f.endsWith('.md') && !f.split('/').includes('node_modules')).sort();
}

function walk(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === '.git' ? [] : walk(rel);
    return [rel];
  });
}

const TOP_LEVEL = new Set([...(HELD ?? walk('')), ...HELD_DIRS].map((f) => f.split('/')[0] ?? ''));

const anchorCache = new Map<string, ReadonlySet<string>>();
function anchorsOf(rel: string): ReadonlySet<string> {
  let anchors = anchorCache.get(rel);
  if (!anchors) {
    anchors = scan(fs.readFileSync(path.join(ROOT, rel), 'utf8')).anchors;
    anchorCache.set(rel, anchors);
  }
  return anchors;
}

/** what is wrong with one link of `doc`, or undefined */
function linkProblem(doc: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined; // https:, mailto:: not fetched
  const hash = target.indexOf('#');
  const pathPart = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (pathPart.startsWith('/')) return 'an absolute link leaves the repository on GitHub: make it relative';
  const rel = path.posix
    .normalize(path.posix.join(path.posix.dirname(doc), decodeURIComponent(pathPart)))
    .replace(/\/$/, '');
  const into = rel === '.' ? '' : rel;
  if (into.startsWith('../') || into === '..') return 'points outside the repository';
  if (pathPart !== '' && !exists(into)) return 'no such file or folder';
  if (anchor === undefined || anchor === '') return undefined;
  const file = pathPart === '' ? doc : into;
  if (!file.endsWith('.md')) return undefined; // #L10 in a source file: GitHub's, not a heading
  if (!anchorsOf(file).has(anchor)) return `no heading "#${anchor}" in ${file}`;
  return undefined;
}

/** the repository path a code span names, or undefined when it is not one */
function repoPath(span: string): string | undefined {
  if (/\s/.test(span) || span === '') return undefined;
  if (/[*?<>{}$…]/.test(span)) return undefined; // a pattern or a placeholder
  const p = span.replace(/:\d+(?::\d+)?$/, '').replace(/^\.\//, '');
  const first = p.split('/')[0] ?? '';
  if (!TOP_LEVEL.has(first)) return undefined;
  if (!p.includes('/') && HELD_DIRS.has(first)) return undefined; // a bare word such as `test` or `bench`
  return p.replace(/\/+$/, '');
}

function problems(doc: string): string[] {
  const found: string[] = [];
  const { links, codeSpans } = scan(fs.readFileSync(path.join(ROOT, doc), 'utf8'));
  for (const link of links) {
    const problem = linkProblem(doc, link.text);
    if (problem) found.push(`${doc}:${link.line}: link (${link.text}): ${problem}`);
  }
  for (const span of codeSpans) {
    const p = repoPath(span.text);
    if (p !== undefined && !exists(p))
      found.push(`${doc}:${span.line}: \`${span.text}\`: no such file or folder in the repository`);
    // a path wrapped over two lines shows on GitHub with a space in it
    if (p === undefined && /\/ /.test(span.text) && repoPath(span.text.replace(/\s+/g, '')) !== undefined) {
      found.push(
        `${doc}:${span.line}: \`${span.text}\`: a path split over two lines (GitHub shows the space): keep it on one line`,
      );
    }
  }
  return found;
}

describe('docs: every link and every named file exists', () => {
  const docs = markdownFiles();

  test('the docs to check are all there', () => {
    for (const doc of REQUIRED_DOCS) assert.ok(docs.includes(doc), `${doc} is missing`);
  });

  for (const doc of docs) {
    test(doc, () => {
      const found = problems(doc);
      assert.equal(found.length, 0, `${found.length} broken in ${doc}:\n${found.join('\n')}`);
    });
  }

  test('README.md links every doc in docs/', () => {
    const linked = new Set(
      scan(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
        .links.map((l) => path.posix.normalize(l.text.split('#')[0] ?? ''))
        .filter((t) => t.startsWith('docs/')),
    );
    const unlinked = docs.filter((d) => d.startsWith('docs/') && !linked.has(d));
    assert.deepEqual(unlinked, [], `not linked from README.md: ${unlinked.join(', ')}`);
  });
});

describe('docs test: how it reads markdown', () => {
  test('GitHub slugs', () => {
    const cases: [string, string][] = [
      ['Languages and `codebox run`', 'languages-and-codebox-run'],
      ['What a box can still see, and why it is harmless', 'what-a-box-can-still-see-and-why-it-is-harmless'],
      ['cgroups v1 and v2', 'cgroups-v1-and-v2'],
      ['Piston v2 compatibility', 'piston-v2-compatibility'],
      ['`CODEBOX_SLOTS` — one worker', 'codebox_slots--one-worker'],
      ['A [link](x.md) in a heading', 'a-link-in-a-heading'],
    ];
    for (const [heading, anchor] of cases) assert.equal(slug(heading), anchor, heading);
  });

  test('links and code spans, with their lines; fenced blocks are not read', () => {
    const text = [
      '# Title',
      'See [the rootfs](rootfs/README.md#image) and [a `span`',
      'that wraps](docs/x.md "title").',
      '',
      '```sh',
      '[not a link](nowhere.md) `not a span`',
      '## not a heading',
      '```',
      'A span over a line: `packages/sandbox/',
      'src/box-run.ts`, and `[not](a-link.md)`.',
      '',
      '[ref]: load-tests/README.md',
      '## Title',
    ].join('\n');
    const s = scan(text);
    assert.deepEqual(s.links, [
      { text: 'rootfs/README.md#image', line: 2 },
      { text: 'docs/x.md', line: 3 },
      { text: 'load-tests/README.md', line: 12 },
    ]);
    assert.deepEqual(s.codeSpans, [
      { text: 'span', line: 2 },
      { text: 'packages/sandbox/ src/box-run.ts', line: 9 },
      { text: '[not](a-link.md)', line: 10 },
    ]);
    assert.deepEqual([...s.anchors], ['title', 'title-1']);
  });

  test('which code spans are repository paths', () => {
    const cases: [string, string | undefined][] = [
      ['packages/sandbox/src/box-run.ts', 'packages/sandbox/src/box-run.ts'],
      ['test/hostile/', 'test/hostile'],
      ['.ci/run', '.ci/run'],
      ['package.json', 'package.json'],
      ['scripts/test.sh:12', 'scripts/test.sh'],
      ['npm run rootfs', undefined],
      ['/proc/1/root', undefined],
      ['main.py', undefined],
      ['apps/*/dist', undefined],
      ['test', undefined],
      ['https://github.com/x/y', undefined],
    ];
    for (const [span, want] of cases) assert.equal(repoPath(span), want, span);
  });
});

/**
 * scripts/check-deps.mjs finds what it is there to find: each rule, run on a copy of the
 * source with one fault planted, fails naming it; the unchanged copy passes (the control).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = path.join(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts/check-deps.mjs');

/** a copy of packages/ and apps/ (sources and package files, no dist or node_modules) */
function copyTree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-deps-'));
  for (const top of ['packages', 'apps']) {
    fs.cpSync(path.join(ROOT, top), path.join(dir, top), {
      recursive: true,
      filter: (src) => !/\/(node_modules|dist|build)(\/|$)/.test(src),
    });
  }
  return dir;
}

function check(dir: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

/** a line added at the top of a file of the copy */
function plant(dir: string, file: string, line: string): void {
  const p = path.join(dir, file);
  fs.writeFileSync(p, `${line}\n${fs.readFileSync(p, 'utf8')}`);
}

describe('scripts/check-deps.mjs', () => {
  const made: string[] = [];
  after(() => {
    for (const d of made) fs.rmSync(d, { recursive: true, force: true });
  });
  const tree = (): string => {
    const d = copyTree();
    made.push(d);
    return d;
  };

  it('passes the tree as it is (the control)', () => {
    const r = check(tree());
    assert.equal(r.code, 0, r.out);
  });

  const faults: [string, string, string, RegExp][] = [
    [
      'a cycle',
      'packages/protocol/src/files.ts',
      "import './index.js';",
      /import cycle: packages\/protocol\/src\/files\.ts -> packages\/protocol\/src\/index\.ts/,
    ],
    [
      'the wire importing the engine',
      'packages/protocol/src/files.ts',
      "import type { Limits } from '@codebox/sandbox';",
      /protocol\/src\/files\.ts: a package may not import @codebox\/sandbox/,
    ],
    [
      'a package importing a later layer',
      'packages/runtimes/src/index.ts',
      "import '@codebox/jobs';",
      /runtimes\/src\/index\.ts: a package may not import @codebox\/jobs/,
    ],
    [
      'a package reading the environment',
      'packages/judge/src/judge.ts',
      'const _home = process.env.HOME;',
      /judge\.ts: a package reads no environment variables/,
    ],
    [
      'a package importing a queue library',
      'packages/runtimes/src/index.ts',
      "import 'bullmq';",
      /runtimes\/src\/index\.ts: a package may not import bullmq/,
    ],
    [
      'the API reaching the engine through a package',
      'packages/config/src/index.ts',
      "import '@codebox/model';",
      /apps\/api\/src\/main\.ts reaches packages\/model/,
    ],
    [
      'the client reaching koffi',
      'packages/client/src/index.ts',
      "import 'koffi';",
      /packages\/client\/src\/index\.ts reaches koffi/,
    ],
    [
      'one API feature importing another',
      'apps/api/src/piston/routes.ts',
      "import '../judge0/wire/index.js';",
      /piston\/routes\.ts: a feature reaches another only through the job service/,
    ],
    [
      'the job service importing a feature',
      'apps/api/src/jobs/submit.ts',
      "import '../native/index.js';",
      /jobs\/submit\.ts: a feature reaches another only through the job service/,
    ],
    [
      "a feature's inner file imported from outside it",
      'apps/api/src/app.ts',
      "import './native/jobs.js';",
      /app\.ts: imports apps\/api\/src\/native\/jobs\.ts; outside native\/ import its index\.ts/,
    ],
    [
      "the job service's inner file imported from a feature",
      'apps/api/src/native/jobs.ts',
      "import '../jobs/submit.js';",
      /native\/jobs\.ts: imports apps\/api\/src\/jobs\/submit\.ts; outside jobs\/ import its index\.ts/,
    ],
  ];
  for (const [what, file, line, says] of faults) {
    it(`fails on ${what}, naming it`, () => {
      const d = tree();
      plant(d, file, line);
      const r = check(d);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, says);
    });
  }
});

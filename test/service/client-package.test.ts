/**
 * The client ships on its own: `npm pack` of @codebox/client (and of @codebox/protocol, its
 * one dependency of ours: the wire's types and schemas) installs in a clean directory with
 * nothing of the engine — no @codebox/sandbox, no koffi — and works there: a program that
 * imports it runs a job against a real service, and a TypeScript program that uses it
 * type-checks.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serviceSkip, useStack } from './stack.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('the client package', { skip: serviceSkip() }, () => {
  const t = useStack();
  let dir = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-client-pack-'));
    const packed = ['packages/protocol', 'packages/client'].map((p) =>
      path.join(
        dir,
        execFileSync('npm', ['pack', '--silent', '--pack-destination', dir], {
          cwd: path.join(ROOT, p),
          encoding: 'utf8',
        })
          .trim()
          .split('\n')
          .at(-1) ?? '',
      ),
    );
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }),
    );
    // ajv (protocol's) comes from npm's cache, as npm ci left it
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--silent', ...packed], {
      cwd: app,
      stdio: 'ignore',
    });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('installs without the engine: no sandbox, runtimes or koffi', () => {
    const installed = fs.readdirSync(path.join(dir, 'app', 'node_modules'));
    assert.ok(installed.includes('@codebox'), installed.join(' '));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'app', 'node_modules', '@codebox')).sort(), ['client', 'protocol']);
    assert.ok(!installed.includes('koffi'), 'koffi installed');
  });

  it('runs a job from a program that imports it', async () => {
    const program = path.join(dir, 'app', 'run.mjs');
    fs.writeFileSync(
      program,
      [
        "import { CodeboxClient } from '@codebox/client';",
        'const cb = new CodeboxClient({ baseUrl: process.argv[2] });',
        "const job = await cb.run({ language: 'python', files: [{ content: 'print(6 * 7)' }] });",
        'console.log(job.status, job.result?.status, job.result?.stdout.trim());',
      ].join('\n'),
    );
    // not execFileSync: the service runs in this process and must answer meanwhile
    const { stdout } = await promisify(execFile)(process.execPath, [program, t.s.url], {
      cwd: path.join(dir, 'app'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(stdout, 'completed OK 42\n');
  });

  it("type-checks in a TypeScript program (strict, the libraries' types checked too)", () => {
    const app = path.join(dir, 'app');
    fs.writeFileSync(
      path.join(app, 'use.ts'),
      [
        "import { CodeboxClient, CodeboxError } from '@codebox/client';",
        "import type { JobRequest, JobView } from '@codebox/client';",
        "const request: JobRequest = { language: 'python', files: [{ content: 'print(1)' }], limits: { cpuMs: 1000 } };",
        'export async function run(url: string): Promise<JobView> {',
        '  try {',
        '    return await new CodeboxClient({ baseUrl: url }).run(request);',
        '  } catch (err) {',
        '    if (err instanceof CodeboxError) console.error(err.code, err.status);',
        '    throw err;',
        '  }',
        '}',
      ].join('\n'),
    );
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        'false',
        '--target',
        'es2022',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--types',
        'node',
        '--typeRoots',
        path.join(ROOT, 'node_modules', '@types'),
        'use.ts',
      ],
      { cwd: app, encoding: 'utf8' },
    );
  });
});

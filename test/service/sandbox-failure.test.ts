/**
 * When the sandbox itself fails a job, the job's error says which step (the engine's
 * SandboxError code, not only its message) and the worker's metrics count it. The
 * failure is a real one: the launcher (a prlimit that starts failing once a flag file
 * exists) exits before the box is made.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { JobView } from '@codebox/client';
import { post, serviceSkip, useStack } from './stack.js';
import { CGROUP_PARENT, UID_BASE, WORK_ROOT } from '../support.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-broken-launcher-'));
fs.chmodSync(dir, 0o755);
const flag = path.join(dir, 'broken');
const prlimit = path.join(dir, 'prlimit');
fs.writeFileSync(
  prlimit,
  `#!/bin/sh\n[ -e ${flag} ] && { echo "launcher broken on purpose" >&2; exit 1; }\nexec /usr/bin/prlimit "$@"\n`,
  { mode: 0o755 },
);

describe('a job the sandbox fails', { skip: serviceSkip() }, () => {
  const t = useStack({
    worker: {
      sandbox: {
        cgroupParent: CGROUP_PARENT,
        workRoot: WORK_ROOT,
        uidBase: UID_BASE + 1200,
        uidCount: 8,
        prestart: 0,
        prlimitPath: prlimit,
      } as never,
    },
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ends failed INTERNAL with the step that failed, counted by the worker', async () => {
    const ok = await post(
      `${t.s.url}/v1/jobs?wait=true`,
      JSON.stringify({ language: 'bash', files: [{ content: 'echo fine' }] }),
    );
    assert.equal(
      (ok.json as unknown as JobView).result?.stdout,
      'fine\n',
      'the control: the launcher works before the flag',
    );
    fs.writeFileSync(flag, '');
    const r = await post(
      `${t.s.url}/v1/jobs?wait=true`,
      JSON.stringify({ language: 'bash', files: [{ content: 'echo never' }] }),
    );
    const job = r.json as unknown as JobView;
    assert.equal(job.status, 'failed', JSON.stringify(job));
    assert.equal(job.error?.code, 'INTERNAL');
    assert.equal(job.error?.sandbox, 'LAUNCH_FAILED');
    assert.match(job.error?.message ?? '', /launcher broken on purpose/);
    const metrics = await t.s.registry.metrics();
    assert.match(metrics, /codebox_job_failures_total\{error="INTERNAL",sandbox="LAUNCH_FAILED"\} 1/);
  });
});

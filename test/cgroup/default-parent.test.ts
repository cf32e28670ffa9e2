/**
 * The default cgroup parent: a `codebox` child of the engine's own group, what systemd
 * delegates to a service. On v2 the engine first moves its group's processes into a leaf.
 * Runs only where it may create groups beside itself: in the v2 guest
 * (CODEBOX_TEST_DEFAULT_PARENT=1), never on the development hosts, whose own group
 * belongs to the machine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createSandbox } from '@codebox/sandbox';
import { boxSkip, ENV, WORK_ROOT } from '../support.js';

const enabled = process.env.CODEBOX_TEST_DEFAULT_PARENT === '1';

test(
  'default parent: <own cgroup>/codebox, the engine moved into a leaf',
  { skip: boxSkip() || (!enabled && 'only in the v2 guest (CODEBOX_TEST_DEFAULT_PARENT=1)') },
  async () => {
    const own = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split(':').pop() ?? '/';
    const sb = await createSandbox({ workRoot: WORK_ROOT });
    let cgroup = '';
    const r = await sb.run({ argv: ['sh', '-c', 'echo ok'], env: ENV }, { onStart: (i) => void (cgroup = i.cgroup) });
    await sb.close();
    assert.equal(r.status, 'OK');
    assert.ok(cgroup.startsWith(`${own === '/' ? '' : own.slice(1) + '/'}codebox/i-`), cgroup);
    const nowIn = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split(':').pop();
    if (sb.cgroupVersion === 2) assert.equal(nowIn, `${own === '/' ? '' : own}/engine`);
  },
);

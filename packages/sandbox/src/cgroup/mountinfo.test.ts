import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCgroupMounts, parseProcCgroup } from './mountinfo.js';

const HYBRID = `25 30 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
29 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,memory
30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
31 25 0:29 /sub /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,pids
32 25 0:30 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd,release_agent=/x`;

test('finds v1 hierarchies with their controllers, and the v2 mount', () => {
  const mounts = parseCgroupMounts(HYBRID);
  assert.deepEqual(
    mounts.find((m) => m.version === 2),
    { mountPoint: '/sys/fs/cgroup/unified', root: '/', version: 2, controllers: [] },
  );
  assert.deepEqual(mounts.find((m) => m.controllers.includes('cpuacct'))?.controllers, ['cpu', 'cpuacct']);
  assert.equal(mounts.find((m) => m.controllers.includes('pids'))?.root, '/sub');
  assert.deepEqual(mounts.find((m) => m.mountPoint.endsWith('systemd'))?.controllers, ['xattr']);
});

test('reads our own group per hierarchy', () => {
  const own = parseProcCgroup('4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/user.slice\n');
  assert.equal(own.get('memory'), '/process_api/abc');
  assert.equal(own.get('cpu,cpuacct'), '/');
  assert.equal(own.get(''), '/user.slice');
});

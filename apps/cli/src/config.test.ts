import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.js';

test('reads the sandbox settings from the environment', () => {
  assert.deepEqual(
    loadConfig({
      CODEBOX_CGROUP_PARENT: 'codebox-test',
      CODEBOX_WORK_ROOT: '/tmp/w',
      CODEBOX_UID_BASE: '300000',
      CODEBOX_UID_COUNT: '8',
    }).sandbox,
    {
      cgroupParent: 'codebox-test',
      workRoot: '/tmp/w',
      uidBase: 300000,
      uidCount: 8,
      // a range that was set is that range: no other is searched when it is taken
      uidSearch: 0,
    },
  );
  // no range given: the engine finds a free one from its default (a worker may hold that)
  assert.deepEqual(loadConfig({}), { sandbox: { uidSearch: 63 }, dataDir: '/var/lib/codebox', rootfs: undefined });
  assert.deepEqual(loadConfig({ CODEBOX_DATA_DIR: '/srv/cb', CODEBOX_ROOTFS: 'host' }), {
    sandbox: { uidSearch: 63 },
    dataDir: '/srv/cb',
    rootfs: 'host',
  });
});

test('every bad value is one line naming the variable', () => {
  assert.throws(
    () =>
      loadConfig({
        CODEBOX_CGROUP_PARENT: '../escape',
        CODEBOX_UID_BASE: '0',
        CODEBOX_WORK_ROOT: 'relative',
        CODEBOX_ROOTFS: 'imag',
      }),
    (e: Error) => {
      const lines = e.message.split('\n');
      assert.equal(lines.length, 4);
      assert.match(lines[3] ?? '', /^CODEBOX_ROOTFS="imag": must be host, image/);
      assert.match(lines[0] ?? '', /^CODEBOX_CGROUP_PARENT="\.\.\/escape": /);
      assert.match(lines[1] ?? '', /^CODEBOX_WORK_ROOT="relative": /);
      assert.match(lines[2] ?? '', /^CODEBOX_UID_BASE="0": /);
      return true;
    },
  );
});

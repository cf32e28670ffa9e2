import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { chooseRoot, closedOnTheWay, RootfsError } from './rootfs.js';

test('a root the box users cannot reach is refused at start, naming the directory and the fix', () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-rootfs-test-'));
  try {
    const image = path.join(data, 'rootfs', 'bookworm');
    fs.mkdirSync(path.join(image, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(image, 'etc', 'codebox-image'), 'stamp\n');
    fs.chmodSync(data, 0o755);
    assert.deepEqual(chooseRoot(undefined, data), { name: 'image', path: image });
    // what an older npm start did to the data dir, for Redis's files
    fs.chmodSync(data, 0o700);
    assert.equal(closedOnTheWay(image), data);
    assert.throws(
      () => chooseRoot(undefined, data),
      (e: unknown) =>
        e instanceof RootfsError &&
        e.message.includes(`${data} lets no one else through (mode 700): chmod o+x ${data}`),
    );
    assert.throws(() => chooseRoot(image, data), RootfsError);
    assert.deepEqual(chooseRoot('host', data), { name: 'host', path: undefined });
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }
});

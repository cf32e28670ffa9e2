/**
 * The README's commands in the README's order, on a data dir that does not exist yet (as
 * /var/lib/codebox on a fresh machine): `npm start`, stopped; `npm run rootfs`; `npm start`
 * again, which then runs jobs on the image root. An older `npm start` made the data dir
 * 0700 for Redis's files, and every box then failed on the image root ("Can't find source
 * path …: Permission denied"): the data dir is now 0755 with Redis's files in a 0700 dir of
 * their own, and `npm run rootfs` opens a data dir an older start closed.
 *
 * The image itself is the one this machine built (`npm run rootfs` in CI), bound into the
 * new data dir rather than built again (a minute and 1.8 GB): the build script still runs,
 * finds it up to date, and sees to the directories on its way.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { imageBuilt, imageDir } from '@codebox/runtimes';
import { exited, processesNaming, roleEnv, ROOT, stopNaming, waitForLine } from './processes.js';
import { serviceSkip } from './stack.js';

const BUILT = imageDir(process.env.CODEBOX_DATA_DIR ?? '/var/lib/codebox');
const skip =
  serviceSkip() ||
  (!imageBuilt(BUILT) &&
    process.env.CODEBOX_REQUIRE_IMAGE !== '1' &&
    `no image root at ${BUILT} (npm run rootfs builds it)`);

const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);

describe("the README's commands in its order", { skip }, () => {
  for (const closed of [false, true]) {
    it(`npm start, npm run rootfs, npm start: jobs run on the image root${closed ? ' (a data dir an older npm start closed)' : ''}`, async () => {
      // the data dir's parent as /var/lib is: open (mkdtemp makes it 0700)
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'codebox-test-order-'));
      fs.chmodSync(parent, 0o755);
      const dataDir = path.join(parent, 'codebox');
      const env = roleEnv({ CODEBOX_DATA_DIR: dataDir });
      delete env.CODEBOX_ROOTFS; // the default: the image once it is built
      const image = imageDir(dataDir);
      let bound = false;
      const started: ChildProcess[] = [];
      try {
        const first = spawn(process.execPath, [path.join(ROOT, 'apps/server/dist/main.js')], { env });
        started.push(first);

        assert.match((await waitForLine(first, /codebox is up: .* on the (\S+) root/)).match[0], /on the host root/);
        first.kill('SIGTERM');
        assert.equal(await exited(first), 0);
        assert.deepEqual(
          [mode(dataDir), mode(path.join(dataDir, 'redis'))],
          ['755', '700'],
          'the data dir open, Redis private',
        );
        if (closed) fs.chmodSync(dataDir, 0o700);

        // what npm run rootfs leaves: the image in the data dir (here, the one already built)
        fs.mkdirSync(image, { recursive: true });
        execFileSync('mount', ['--bind', BUILT, image]);
        bound = true;
        const build = execFileSync('bash', [path.join(ROOT, 'rootfs/build.sh')], {
          env: { ...process.env, CODEBOX_DATA_DIR: dataDir },
          encoding: 'utf8',
        });
        assert.match(build, /is up to date/);
        if (closed) assert.match(build, new RegExp(`rootfs: ${dataDir} was closed to the box users; made it o\\+x`));

        const second = spawn(process.execPath, [path.join(ROOT, 'apps/server/dist/main.js')], { env });
        started.push(second);
        const { match } = await waitForLine(second, /codebox is up: (http:\/\/\S+) .* on the (\S+) root/);
        assert.equal(match[2], 'image');
        const res = await fetch(`${match[1]}/v1/jobs?wait=true`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            language: 'python',
            files: [
              { content: 'import os; print("runs on", "image" if os.path.exists("/etc/codebox-image") else "host")' },
            ],
          }),
        });
        const job = (await res.json()) as { status: string; result?: { stdout: string; status: string } };
        assert.deepEqual(
          [job.status, job.result?.status, job.result?.stdout],
          ['completed', 'OK', 'runs on image\n'],
          JSON.stringify(job),
        );
        second.kill('SIGTERM');
        assert.equal(await exited(second), 0);
        assert.deepEqual(processesNaming(dataDir), [], 'its Redis stopped with it');
      } finally {
        for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await stopNaming(parent);
        if (bound) execFileSync('umount', [image]);
        fs.rmSync(parent, { recursive: true, force: true });
      }
    });
  }
});

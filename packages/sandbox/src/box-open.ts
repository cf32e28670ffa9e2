/**
 * A box set up and waiting: the steps every box goes through before its init is given
 * anything to do, shared by a run (box-run.ts), a session (session.ts) and the pool of
 * boxes prepared ahead of need (prepared.ts). Each acquisition pushes its release onto the
 * box's own Cleanup, which unwinds on every path, so a failure at any step leaves no
 * cgroup, mount, process or uid behind (go-judge's "a resource that fails to reset is
 * destroyed").
 *
 *   uid, cgroup     a free uid; the box's group with its limits
 *   launcher        spawned and moved into the group before bwrap reads its options
 *   work dir        a tmpfs of the box's own, empty (and a devpts, for a session)
 *   start           bwrap sets the box up and the box init says hello
 *
 * What differs between runs but can be changed on a box already set up — its cgroup's
 * limits and its work dir's size — is fitted when it is taken (fitBox); what cannot — the
 * root, the network's seccomp filter, the size of /tmp — is the box's key (BoxKey).
 */
import os from 'node:os';
import type { BoxLimits } from './cgroup/driver.js';
import type { BoxRequest, OpenedBox } from './box-types.js';
import { Cleanup } from './cleanup.js';
import { SandboxError, step } from './errors.js';
import type { Engine } from './engine.js';
import { spawnLauncher, LAUNCH_FDS } from './launch.js';
import type { Limits } from './limits.js';
import { closeFd, pidfdOpen, pidfdSendSignal, reapIfExited } from './native/libc.js';
import { bwrapOptions } from './plan/argv.js';
import { createPtsDir, createWorkDir, removeWorkDir, resizeWorkDir } from './workdir.js';

const SIGKILL = os.constants.signals.SIGKILL;
/** how long the box's init may take to tear its namespace down before it is killed */
const REAP_MS = 1_000;
/** a process stuck in the kernel that long is the host's problem: fail, quarantine the uid */
const REAP_GIVE_UP_MS = 30_000;

/** the box's cgroup limits; its launcher (bwrap's monitor, outside the box) is one more process */
export function boxLimits(limits: Limits): BoxLimits {
  return { memoryBytes: limits.memoryBytes, pids: limits.pids + 1, cpus: limits.cpus };
}

export function sameLimits(a: BoxLimits, b: BoxLimits): boolean {
  return a.memoryBytes === b.memoryBytes && a.pids === b.pids && a.cpus === b.cpus;
}

/**
 * Sets a box up to the point where its init waits for what to run. Returns undefined only
 * with uidNow, when no uid is free.
 */
export async function prepareBox(engine: Engine, req: BoxRequest): Promise<OpenedBox | undefined> {
  const cleanup = new Cleanup();
  try {
    const uid = req.uidNow ? engine.uids.tryAcquire() : await acquireUid(engine);
    if (uid === undefined) return undefined;
    // a uid whose box could not be fully torn down may still own a process: never reuse it
    cleanup.push(() => (cleanup.failed ? engine.uids.quarantine(uid) : engine.uids.release(uid)));
    const name = engine.newBoxName();
    const limits = boxLimits(req.limits);
    const cgroup = await step('CGROUP_FAILED', 'create box group', () => engine.cgroups.createBox(name, limits));
    cleanup.push(() => cgroup.destroy());
    const argv = req.session ? engine.sessionLauncherArgv : engine.launcherArgv;
    const launcher = spawnLauncher({ argv, uid, gid: uid });
    cleanup.push(() => launcher.dispose());
    // before bwrap reads its options: the box is then born in its group, and in its
    // cgroup namespace sees that group as its root
    const pid = await launcher.pid();
    await step('CGROUP_FAILED', `move launcher into ${cgroup.path}`, () => cgroup.addProcess(pid)).catch(
      async (err: unknown) => {
        // a launcher that died at once (ESRCH) is the launch's failure, with its own words
        throw (await launcher.endedEarly()) ?? err;
      },
    );
    const workDir = await step('WORKDIR_FAILED', 'mount work dir', () =>
      createWorkDir(engine.instanceDir, name, uid, uid, req.limits.workDirBytes),
    );
    cleanup.push(() => removeWorkDir(workDir));
    const ptsDir = req.session
      ? await step('WORKDIR_FAILED', 'mount devpts', () => createPtsDir(engine.instanceDir, name, uid))
      : undefined;
    if (ptsDir) cleanup.push(() => removeWorkDir(ptsDir));
    const options = bwrapOptions({
      limits: req.limits,
      root: engine.rootPlan(req.rootfs),
      workDir,
      sysDir: engine.sysDir,
      fds: LAUNCH_FDS,
      ...(ptsDir ? { ptsDir } : {}),
      ...(req.binds?.length ? { binds: req.binds } : {}),
    });
    const box = await launcher.start(options, engine.seccomp[req.network]);
    const pidfd = await step('LAUNCH_FAILED', 'open pidfd', () => pidfdOpen(box.boxPid));
    cleanup.push(() => closeFd(pidfd));
    cleanup.push(() => reapBoxInit(pidfd));
    cleanup.push(() => pidfdSendSignal(pidfd, SIGKILL));
    const key = { rootfs: req.rootfs, network: req.network, tmpBytes: req.limits.tmpBytes };
    return {
      name,
      uid,
      key,
      cgroup,
      limits,
      workDir,
      workDirBytes: req.limits.workDirBytes,
      box,
      ptsDir,
      pidfd,
      cleanup,
      prepared: false,
    };
  } catch (err) {
    await cleanup.run().catch(() => undefined);
    throw err;
  }
}

/** a box made for other limits given this run's: its cgroup's limits and its work dir's size */
export async function fitBox(opened: OpenedBox, limits: Limits): Promise<void> {
  const wanted = boxLimits(limits);
  if (!sameLimits(wanted, opened.limits)) {
    await step('CGROUP_FAILED', 'set box limits', () => opened.cgroup.apply(wanted));
    opened.limits = wanted;
  }
  if (limits.workDirBytes !== opened.workDirBytes) {
    await step('WORKDIR_FAILED', 'resize work dir', () => resizeWorkDir(opened.workDir, limits.workDirBytes));
    opened.workDirBytes = limits.workDirBytes;
  }
}

/**
 * A free uid; when prepared boxes hold every one that is not running a box, one gives its
 * up. The wait is registered first, so that the uid a waiting box gives up, or that of a
 * box being made, which the pool gives up once made while a run waits (prepared.ts), goes
 * to a run.
 */
async function acquireUid(engine: Engine): Promise<number> {
  const uid = engine.uids.tryAcquire();
  if (uid !== undefined) return uid;
  const waited = engine.uids.acquire();
  await engine.prepared?.surrender();
  return waited;
}

/**
 * Waits until the box's init is gone, and with it, by the kernel's pid-namespace
 * teardown, every process of the box. The init is our child by then (we are the
 * subreaper and its parent, the launcher, has exited). A box that takes longer than
 * REAP_MS to die is killed outright.
 */
export async function reapBoxInit(pidfd: number): Promise<void> {
  const started = performance.now();
  let killed = false;
  // the teardown usually takes tens of microseconds: look again at once, a few hundred
  // times, before backing off to timers
  for (let i = 0; !reapIfExited(pidfd); i++) {
    const waited = performance.now() - started;
    if (!killed && waited > REAP_MS) {
      pidfdSendSignal(pidfd, SIGKILL);
      killed = true;
    }
    if (waited > REAP_GIVE_UP_MS)
      throw new SandboxError('CGROUP_FAILED', `box init still alive ${waited} ms after SIGKILL`);
    if (i < 500) await new Promise((resolve) => setImmediate(resolve));
    else await new Promise((resolve) => setTimeout(resolve, Math.min(i - 499, 10)));
  }
}

/**
 * A box set up and waiting: the steps every box goes through before its init is given
 * anything to do, shared by a run (box-run.ts) and a session (session.ts). Each
 * acquisition pushes its release onto the caller's Cleanup, which unwinds on every path,
 * so a failure at any step leaves no cgroup, mount, process or uid behind (go-judge's "a
 * resource that fails to reset is destroyed").
 *
 *   uid, cgroup     a prestarted launcher's, or new ones
 *   launcher        spawned and moved into the cgroup (unless prestarted)
 *   work dir        a tmpfs of the box's own, empty
 *   start           bwrap sets the box up and the box init says hello
 */
import type { BoxCgroup } from './cgroup/driver.js';
import { SandboxError, step } from './errors.js';
import type { Engine } from './engine.js';
import { spawnLauncher, LAUNCH_FDS } from './launch.js';
import type { Launched } from './launch.js';
import type { Limits } from './limits.js';
import { pidfdOpen, pidfdSendSignal, reapIfExited, closeFd } from './native/libc.js';
import { bwrapOptions } from './plan/argv.js';
import { boxLimits, sameLimits } from './prestart.js';
import type { NetworkMode } from './seccomp-policy.js';
import { createPtsDir, createWorkDir, removeWorkDir } from './workdir.js';
import os from 'node:os';

const SIGKILL = os.constants.signals.SIGKILL;
/** how long the box's init may take to tear its namespace down before it is killed */
const REAP_MS = 1_000;
/** a process stuck in the kernel that long is the host's problem: fail, quarantine the uid */
const REAP_GIVE_UP_MS = 30_000;

export class Cleanup {
  private readonly stack: (() => unknown)[] = [];
  /** a step failed: what it guarded may still be in use (a process, a group) */
  failed = false;
  push(fn: () => unknown): void {
    this.stack.push(fn);
  }
  async run(): Promise<void> {
    const errors: unknown[] = [];
    while (this.stack.length > 0) {
      try {
        await this.stack.pop()?.();
      } catch (err) {
        this.failed = true;
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new SandboxError('CGROUP_FAILED', `cleanup: ${errors.map(String).join('; ')}`);
  }
}

export interface BoxRequest {
  readonly limits: Limits;
  readonly network: NetworkMode;
  readonly rootfs: string | undefined;
  /**
   * a session's box: a launcher of its own kind (no cpu-seconds backstop: a session's
   * processes may run for its whole life) and a /dev/tty for its terminals
   */
  readonly session?: boolean;
  /** host files shown read-only in the work dir (spec.ts BindSpec) */
  readonly binds?: readonly { readonly src: string; readonly path: string }[];
}

export interface OpenedBox {
  readonly name: string;
  readonly uid: number;
  readonly cgroup: BoxCgroup;
  /** the work dir's host path (a tmpfs of the box's own) */
  readonly workDir: string;
  readonly box: Launched;
  /** a session's devpts (host path): its ptmx opens the box's terminals */
  readonly ptsDir: string | undefined;
  /** the box's pid 1 */
  readonly pidfd: number;
  readonly prestarted: boolean;
}

export async function openBox(engine: Engine, req: BoxRequest, cleanup: Cleanup): Promise<OpenedBox> {
  const pre = req.session ? undefined : engine.prestart?.take();
  const uid = pre?.uid ?? (await acquireUid(engine));
  // a uid whose box could not be fully torn down may still own a process: never reuse it
  cleanup.push(() => (cleanup.failed ? engine.uids.quarantine(uid) : engine.uids.release(uid)));
  const name = pre?.name ?? engine.newBoxName();
  const limits = boxLimits(req.limits);
  const cgroup =
    pre?.cgroup ?? (await step('CGROUP_FAILED', 'create box group', () => engine.cgroups.createBox(name, limits)));
  cleanup.push(() => cgroup.destroy());
  if (pre && !sameLimits(limits, pre.limits)) await step('CGROUP_FAILED', 'set box limits', () => cgroup.apply(limits));
  const argv = req.session ? engine.sessionLauncherArgv : engine.launcherArgv;
  const launcher = pre?.launcher ?? spawnLauncher({ argv, uid, gid: uid });
  cleanup.push(() => launcher.dispose());
  // before bwrap reads its options: the box is then born in its group, and in its
  // cgroup namespace sees that group as its root
  if (!pre) {
    const pid = await launcher.pid();
    await step('CGROUP_FAILED', `move launcher into ${cgroup.path}`, () => cgroup.addProcess(pid)).catch(
      async (err: unknown) => {
        // a launcher that died at once (ESRCH) is the launch's failure, with its own words
        throw (await launcher.endedEarly()) ?? err;
      },
    );
  }
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
  return { name, uid, cgroup, workDir, ptsDir, box, pidfd, prestarted: pre !== undefined };
}

/** a free uid; when spares hold every one that is not running a box, a spare gives its up */
async function acquireUid(engine: Engine): Promise<number> {
  const uid = engine.uids.tryAcquire();
  if (uid !== undefined) return uid;
  await engine.prestart?.surrender();
  return engine.uids.acquire();
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

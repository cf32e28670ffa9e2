/**
 * The engine: createSandbox(config) prepares the host once; sandbox.run(spec) runs one
 * program in a fresh box and returns its result. It knows nothing of HTTP, queues, env
 * vars or metrics; callers observe through RunHooks.
 *
 * Start-up, in order, each step failing with a SandboxError that names it:
 *   1. tools        bwrap and prlimit are installed; we are root; the box init is built
 *                   (built now from native/box-init.c if it was not at install)
 *   2. descriptors  inherited fds marked close-on-exec, so none reaches a box;
 *                   and we become the subreaper that waits for each box's init
 *   3. seccomp      one BPF program per network mode, compiled for this architecture
 *   4. cgroups      driver chosen (v1/v2), our instance group created, dead instances swept
 *   5. work root    dead instances' mounts swept; our instance dir, with its sys tmpfs
 *                   holding the box init and the box's /etc files
 * A run, in order (box-run.ts): uid, cgroup, launcher into the cgroup, work dir, box,
 * files and command to the box init, go, supervise, account, clean up. Everything
 * acquired is released on every path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeBoxSys } from './box-etc.js';
import { newCgroupManager } from './cgroup/new.js';
import type { CgroupManager } from './cgroup/driver.js';
import { resolveConfig } from './config.js';
import type { SandboxConfig } from './config.js';
import type { Engine } from './engine.js';
import { SandboxError, step } from './errors.js';
import { instanceName, isInstanceAlive } from './instance.js';
import { BOX_INIT_PACKAGES, ensureBoxInit } from './native/box-init.js';
import { becomeSubreaper, closeOnExecInherited, unmount } from './native/libc.js';
import { compileFilter } from './native/seccomp.js';
import { hostRoot, imageRoot } from './plan/mounts.js';
import type { HostProbe, MountStep } from './plan/mounts.js';
import { runBox } from './box-run.js';
import type { RunHooks } from './box-run.js';
import type { RunResult } from './result.js';
import { syscallRules } from './seccomp-policy.js';
import { openSession, validateSessionSpec } from './session.js';
import type { EngineSession } from './session.js';
import type { Session, SessionSpec } from './session-types.js';
import { SpecError, validateSpec } from './spec.js';
import type { RunSpec } from './spec.js';
import { launcherArgv } from './plan/argv.js';
import { LAUNCH_FDS } from './launch.js';
import { prepareBox } from './box-open.js';
import { PreparedPool } from './prepared.js';
import { UidPool } from './uid-pool.js';
import { claimUidRange, UidRangeTaken } from './uid-claims.js';
import { createSysDir, prepareInstanceDir, sweepStaleWorkDirs } from './workdir.js';

export interface Sandbox {
  readonly cgroupVersion: 1 | 2;
  readonly instance: string;
  /** the host uids its boxes run as (claimed for this engine alone: uid-claims.ts) */
  readonly uids: { readonly base: number; readonly count: number };
  run(spec: RunSpec, hooks?: RunHooks): Promise<RunResult>;
  /** a box that lives across calls until closed (session-types.ts) */
  openSession(spec?: SessionSpec): Promise<Session>;
  /**
   * resolves when the cleanup of every finished run (cgroup removal, unmount) is done, and
   * the boxes prepared in their place are ready
   */
  idle(): Promise<void>;
  /** ends every session, waits for running boxes, then removes the instance's cgroup and work root */
  close(): Promise<void>;
}

export async function createSandbox(options: SandboxConfig = {}): Promise<Sandbox> {
  const config = resolveConfig(options);
  await step('NOT_ROOT', 'check uid', () => {
    if (process.getuid?.() !== 0) throw new Error(`running as uid ${process.getuid?.()}`);
  });
  await step('TOOL_MISSING', 'find launcher', () => {
    const install: Record<string, string> = { bwrap: 'bubblewrap', prlimit: 'util-linux' };
    for (const tool of [config.bwrapPath, config.prlimitPath]) {
      if (!fs.existsSync(tool)) {
        const name = path.basename(tool);
        throw new Error(`${tool} not found; install it with: apt-get install -y ${install[name] ?? name}`);
      }
      fs.accessSync(tool, fs.constants.X_OK);
    }
  });
  const initBinary = await step('TOOL_MISSING', `build the box init (needs ${BOX_INIT_PACKAGES})`, ensureBoxInit);
  closeOnExecInherited(() => fs.readdirSync('/proc/self/fd').map(Number));
  await step('LAUNCH_FAILED', 'become subreaper', becomeSubreaper);
  const seccomp = await step('SECCOMP_FAILED', 'compile (needs libseccomp2)', () => ({
    none: compileFilter(syscallRules('none')),
    loopback: compileFilter(syscallRules('loopback')),
  }));
  const instance = instanceName();
  const claim = await step('UIDS_TAKEN', 'claim box uids', () => {
    try {
      return claimUidRange(
        config.uidClaimDir,
        config.uidBase,
        config.uidCount,
        config.uidSearch,
        instance,
        isInstanceAlive,
      );
    } catch (err) {
      if (!(err instanceof UidRangeTaken)) throw err;
      throw new SandboxError('UIDS_TAKEN', `${err.message}: give this engine another range (CODEBOX_UID_BASE)`);
    }
  });
  let cgroups: CgroupManager | undefined;
  let dirs: { instanceDir: string; sysDir: string };
  try {
    cgroups = await step('CGROUP_FAILED', 'create instance group', () =>
      newCgroupManager({
        parent: config.cgroupParent,
        instance,
        caps: { pids: config.instancePids, memoryBytes: config.instanceMemoryBytes },
      }),
    );
    await step('CGROUP_FAILED', 'sweep stale groups', () => (cgroups as CgroupManager).sweepStale(isInstanceAlive));
    dirs = await step('WORKDIR_FAILED', `prepare ${config.workRoot}`, () => {
      sweepStaleWorkDirs(config.workRoot, fs.readFileSync('/proc/self/mountinfo', 'utf8'), isInstanceAlive);
      const dir = prepareInstanceDir(config.workRoot, instance);
      const sys = createSysDir(dir);
      writeBoxSys(sys, initBinary);
      return { instanceDir: dir, sysDir: sys };
    });
  } catch (err) {
    // a start that failed half way leaves neither the uids claimed nor its group behind
    claim.release();
    await cgroups?.close().catch(() => undefined);
    throw err;
  }
  const { instanceDir, sysDir } = dirs;
  const argv = launcherArgv(config.prlimitPath, config.bwrapPath, config.policy.maxima, LAUNCH_FDS);
  const roots = new Map<string, MountStep[]>();
  const pending = new Set<Promise<void>>();
  const uids = new UidPool(claim.base, claim.count);
  let sequence = 0;
  const newBoxName = (): string => `b-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;
  const prepared =
    config.prestart > 0
      ? new PreparedPool({
          // called once the engine below exists (fill, after it)
          prepare: (req) => prepareBox(engine, req),
          spares: config.prestart,
          limits: config.policy.defaults,
          firstKey: { rootfs: config.prestartRootfs, network: 'none', tmpBytes: config.policy.defaults.tmpBytes },
          runsWaitForUid: () => uids.waiting > 0,
          onError: config.onError,
        })
      : undefined;
  const engine: Engine = {
    config,
    cgroups,
    uidClaim: claim,
    instanceDir,
    sysDir,
    launcherArgv: argv,
    sessionLauncherArgv: launcherArgv(
      config.prlimitPath,
      config.bwrapPath,
      config.policy.maxima,
      LAUNCH_FDS,
      'session',
    ),
    seccomp,
    uids,
    prepared,
    newBoxName,
    rootPlan: (rootfs) => {
      const key = rootfs ?? '';
      let plan = roots.get(key);
      if (!plan) {
        plan = rootfs === undefined ? hostRoot(hostProbe, sysDir) : imageRoot(hostProbe, rootfs, sysDir);
        roots.set(key, plan);
      }
      return plan;
    },
    background: (work) => {
      const tracked = work.catch((err: Error) => config.onError(err)).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
  };
  prepared?.fill();
  return new EngineSandbox(engine, instance, pending);
}

class EngineSandbox implements Sandbox {
  readonly cgroupVersion: 1 | 2;
  readonly uids: { readonly base: number; readonly count: number };
  private readonly active = new Set<Promise<unknown>>();
  private readonly sessions = new Set<EngineSession>();
  private closed = false;

  constructor(
    private readonly engine: Engine,
    readonly instance: string,
    private readonly pending: ReadonlySet<Promise<void>>,
  ) {
    this.cgroupVersion = engine.cgroups.version;
    this.uids = { base: engine.uidClaim.base, count: engine.uidClaim.count };
  }

  async run(spec: RunSpec, hooks: RunHooks = {}): Promise<RunResult> {
    if (this.closed) throw new SandboxError('CLOSED');
    const valid = validateSpec(spec, this.engine.config.policy);
    if (valid.rootfs !== undefined && !fs.statSync(valid.rootfs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new SandboxError('LAUNCH_FAILED', `rootfs ${valid.rootfs} is not a directory`);
    }
    valid.binds.forEach((b, i) => {
      if (!fs.statSync(b.src, { throwIfNoEntry: false })?.isFile())
        throw new SpecError(`binds[${i}].src`, `${b.src} is not a regular file`);
    });
    const running = runBox(this.engine, valid, hooks);
    this.active.add(running);
    try {
      return await running;
    } finally {
      this.active.delete(running);
    }
  }

  async openSession(spec: SessionSpec = {}): Promise<Session> {
    if (this.closed) throw new SandboxError('CLOSED');
    const valid = validateSessionSpec(spec, this.engine.config.policy);
    if (valid.rootfs !== undefined && !fs.statSync(valid.rootfs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new SandboxError('LAUNCH_FAILED', `rootfs ${valid.rootfs} is not a directory`);
    }
    const opening = openSession(this.engine, valid);
    this.active.add(opening);
    try {
      const session = await opening;
      this.sessions.add(session);
      void session.ended.finally(() => this.sessions.delete(session));
      return session;
    } finally {
      this.active.delete(opening);
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.engine.prepared?.settled();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.active]);
    await Promise.allSettled([...this.sessions].map((s) => s.close()));
    await this.engine.prepared?.close();
    await this.idle();
    await this.engine.cgroups.close();
    unmount(this.engine.sysDir);
    this.engine.uidClaim.release();
    fs.rmSync(this.engine.instanceDir, { recursive: true, force: true });
  }
}

const hostProbe: HostProbe = {
  kind(p) {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (st.isSymbolicLink()) return { type: 'symlink', target: fs.readlinkSync(p) };
    return { type: st.isDirectory() ? 'dir' : 'file' };
  },
  list(dir) {
    return fs.readdirSync(dir);
  },
};

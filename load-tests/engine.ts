/**
 * The engine's own throughput: what a worker does per job (runProgram: the runtime's
 * command in a fresh box) without HTTP, Redis or BullMQ, as many at once as the worker
 * has slots, for a fixed time. The yardstick end-to-end throughput is compared with.
 *
 * Same settings as the worker beside it: the same cgroup parent and work root, the same
 * root (LOAD_ROOTFS), the service's limit policy, prestarted launchers (the engine's default); its own
 * uid range, next to the worker's, since both hold uids at once (prestarted spares).
 */
import { chooseRoot, detectRuntimes, LANGUAGES, runProgram } from '@codebox/runtimes';
import type { DetectedRuntime, ProgramPolicy, ProgramRequest, Root } from '@codebox/runtimes';
import { createSandbox } from '@codebox/sandbox';
import { loadWorkerConfig, servicePolicy } from '@codebox/worker';
import type { Sandbox } from '@codebox/sandbox';

export interface EngineOptions {
  readonly cgroupParent: string;
  readonly workRoot: string;
  readonly uidBase: number;
  /** the root, as CODEBOX_ROOTFS names it (host, image or a directory), and where the image is */
  readonly rootfs: string;
  readonly dataDir: string;
  readonly slots: number;
  readonly durationMs: number;
  /** the language id and the program, as the end-to-end scenario sends them */
  readonly language: string;
  readonly source: string;
  readonly expectStdout: string;
  /** called once the warm-up is over, as the measured time starts */
  readonly onStart?: () => void;
}

export interface EngineMeasure {
  readonly ok: number;
  /** each runProgram's duration */
  readonly latenciesMs: number[];
  /** runs whose verdict or output was not the expected one */
  readonly wrong: number;
  readonly seconds: number;
  readonly jobsPerS: number;
}

/** the worker's own limits, at its default CODEBOX_MAX_OUTPUT_BYTES: the same job on both sides */
const SERVICE_POLICY: ProgramPolicy = servicePolicy(loadWorkerConfig({}));

export async function measureEngine(o: EngineOptions): Promise<EngineMeasure> {
  const root = chooseRoot(o.rootfs, o.dataDir);
  const sandbox = await createSandbox({
    cgroupParent: o.cgroupParent,
    workRoot: o.workRoot,
    uidBase: o.uidBase,
    uidCount: o.slots + 8,
    // boxes prepared on the root the runs ask for, as the worker's pool does
    prestartRootfs: root.path,
  });
  try {
    const runtime = await findRuntime(sandbox, root, o.language);
    // the request exactly as the worker builds it from {files: [{content}]} (programRequest)
    const request: ProgramRequest = { files: [{ name: 'main', content: o.source }], network: 'none' };
    await loop(sandbox, runtime, request, o.expectStdout, Date.now() + 1_000, []); // warm-up
    o.onStart?.();
    const start = performance.now();
    const deadline = Date.now() + o.durationMs;
    const latenciesMs: number[] = [];
    const counts = await Promise.all(
      Array.from({ length: o.slots }, () => loop(sandbox, runtime, request, o.expectStdout, deadline, latenciesMs)),
    );
    const seconds = (performance.now() - start) / 1000;
    const ok = counts.reduce((n, c) => n + c.ok, 0);
    return { ok, latenciesMs, wrong: counts.reduce((n, c) => n + c.wrong, 0), seconds, jobsPerS: ok / seconds };
  } finally {
    await sandbox.close();
  }
}

async function findRuntime(sandbox: Sandbox, root: Root, language: string): Promise<DetectedRuntime> {
  const { found, absent } = await detectRuntimes(
    sandbox,
    root,
    LANGUAGES.filter((l) => l.id === language),
  );
  const runtime = found[0];
  if (!runtime)
    throw new Error(
      `the engine has no ${language} on the ${root.name} root: ${absent[language] ?? 'unknown language'}`,
    );
  return runtime;
}

/** one slot: jobs back to back until the deadline */
async function loop(
  sandbox: Sandbox,
  runtime: DetectedRuntime,
  request: ProgramRequest,
  expect: string,
  deadline: number,
  latenciesMs: number[],
): Promise<{ ok: number; wrong: number }> {
  let ok = 0;
  let wrong = 0;
  while (Date.now() < deadline) {
    const t0 = performance.now();
    const r = await runProgram(sandbox, runtime, request, SERVICE_POLICY);
    latenciesMs.push(performance.now() - t0);
    if (r.status === 'OK' && r.stdout.toString() === expect) ok++;
    else wrong++;
  }
  return { ok, wrong };
}

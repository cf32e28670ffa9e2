/**
 * Which runtimes a root filesystem has, and their versions: each runtime's version command
 * runs in a box on that root, after a check that every command it requires is there. A
 * runtime whose toolchain is missing is absent from the list, not an error at run time.
 */
import { DEFAULT_LIMITS } from '@codebox/sandbox';
import type { Sandbox } from '@codebox/sandbox';
import { BASE_ENV } from './env.js';
import type { DetectedRuntime, Runtime } from './runtime.js';

const MiB = 1024 * 1024;
/**
 * argv: the required commands, `--`, the version command. Names come in as arguments,
 * never spliced into the script.
 */
const PROBE_SCRIPT =
  'while [ "$1" != -- ]; do command -v "$1" >/dev/null 2>&1 || exit 127; shift; done; shift; exec "$@"';
const VERSION = /(\d+\.\d+(?:\.\d+)?)/;

export interface Root {
  /** `host`, `image`, or the directory, for people and the wire */
  readonly name: string;
  /** undefined: the host's system directories */
  readonly path: string | undefined;
}

export interface Detection {
  readonly found: DetectedRuntime[];
  /** runtime id → why it is absent (a missing command, a version that could not be read) */
  readonly absent: Record<string, string>;
}

export async function detectRuntimes(sandbox: Sandbox, root: Root, runtimes: readonly Runtime[]): Promise<Detection> {
  const outcomes = await Promise.all(runtimes.map((rt) => probe(sandbox, root, rt)));
  const found: DetectedRuntime[] = [];
  const absent: Record<string, string> = {};
  outcomes.forEach((o, i) => {
    const rt = runtimes[i] as Runtime;
    if (typeof o === 'string') absent[rt.id] = o;
    else found.push(o);
  });
  return { found, absent };
}

async function probe(sandbox: Sandbox, root: Root, rt: Runtime): Promise<DetectedRuntime | string> {
  const limits = { memoryBytes: 512 * MiB, pids: 64, wallMs: 20_000, cpuMs: 10_000, tmpBytes: 16 * MiB };
  const env = { ...BASE_ENV, ...rt.env?.(DEFAULT_LIMITS) };
  const check = await sandbox.run({
    argv: ['sh', '-c', PROBE_SCRIPT, 'probe', ...rt.requires, '--', ...rt.versionCommand],
    env,
    limits,
    ...(root.path === undefined ? {} : { rootfs: root.path }),
  });
  if (check.exitCode === 127) return `not in the ${root.name} root: needs ${rt.requires.join(', ')}`;
  const text = `${check.stdout.toString()}\n${check.stderr.toString()}`;
  const match = VERSION.exec(text);
  if (check.status !== 'OK' || !match?.[1]) {
    return `${rt.versionCommand.join(' ')} failed in the ${root.name} root (${check.status}): ${text.trim().slice(0, 200)}`;
  }
  return { ...rt, version: match[1], rootfs: root.name };
}

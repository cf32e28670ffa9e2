/**
 * What undoes a box, in order: each acquisition pushes its release, and run() unwinds
 * them all on every path, collecting the failures rather than stopping at the first.
 */
import { SandboxError } from './errors.js';

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

/**
 * Checkers and interactors compiled once per worker and kept (the judge's CompileCache):
 * by the key the judge gives (what was compiled: runtime, version, root, every source's
 * bytes), the least recently used dropped past maxBytes of compiled files. Two jobs
 * asking for one key at once share one compile; a compile that fails is not kept.
 */
import type { CompileCache } from '@codebox/judge';
import type { Compiled } from '@codebox/runtimes';

export class CompiledPrograms implements CompileCache {
  private readonly kept = new Map<string, { compiled: Compiled; bytes: number }>();
  private readonly making = new Map<string, Promise<Compiled>>();
  private bytes = 0;
  /** compiles run, for the metrics and the tests */
  compiles = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string, make: () => Promise<Compiled>): Promise<Compiled> {
    const hit = this.kept.get(key);
    if (hit) {
      // most recently used last
      this.kept.delete(key);
      this.kept.set(key, hit);
      return hit.compiled;
    }
    let pending = this.making.get(key);
    if (!pending) {
      this.compiles++;
      pending = make()
        .then((compiled) => {
          this.keep(key, compiled);
          return compiled;
        })
        .finally(() => this.making.delete(key));
      this.making.set(key, pending);
    }
    return pending;
  }

  private keep(key: string, compiled: Compiled): void {
    const bytes = compiled.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
    this.kept.set(key, { compiled, bytes });
    this.bytes += bytes;
    for (const [k, v] of this.kept) {
      if (this.bytes <= this.maxBytes || k === key) break;
      this.kept.delete(k);
      this.bytes -= v.bytes;
    }
  }
}

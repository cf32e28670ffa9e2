/**
 * The runtimes found in one root, looked up by id, alias or file name. Lookups are
 * case-insensitive; an unknown name gets the list of known ones for the error message.
 */
import path from 'node:path';
import type { DetectedRuntime } from './runtime.js';

export class Registry {
  readonly root: string;
  private readonly byName = new Map<string, DetectedRuntime>();
  private readonly byExtension = new Map<string, DetectedRuntime>();
  private readonly runtimes: readonly DetectedRuntime[];

  constructor(root: string, runtimes: readonly DetectedRuntime[]) {
    this.root = root;
    this.runtimes = runtimes;
    for (const rt of runtimes) {
      for (const name of [rt.id, ...rt.aliases]) this.byName.set(name.toLowerCase(), rt);
      for (const ext of rt.extensions) this.byExtension.set(ext, rt);
    }
  }

  list(): readonly DetectedRuntime[] {
    return this.runtimes;
  }

  /** by id or alias: `cpp`, `c++`, `Python3` */
  find(name: string): DetectedRuntime | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** by a file's extension: `hello.cpp` → cpp */
  forFile(fileName: string): DetectedRuntime | undefined {
    return this.byExtension.get(path.extname(fileName).toLowerCase());
  }

  ids(): string[] {
    return this.runtimes.map((rt) => rt.id);
  }
}

/**
 * The runtimes found in one root, looked up by id, alias or file name. Lookups are
 * case-insensitive; an unknown name gets the list of known ones for the error message.
 */
import path from 'node:path';
import type { DetectedRuntime, Runtime } from './runtime.js';

export class Registry<T extends Runtime = DetectedRuntime> {
  readonly root: string;
  private readonly byName = new Map<string, T>();
  private readonly byExtension = new Map<string, T>();
  private readonly runtimes: readonly T[];

  constructor(root: string, runtimes: readonly T[]) {
    this.root = root;
    this.runtimes = runtimes;
    for (const rt of runtimes) {
      for (const name of [rt.id, ...rt.aliases]) this.byName.set(name.toLowerCase(), rt);
      for (const ext of rt.extensions) this.byExtension.set(ext, rt);
    }
  }

  list(): readonly T[] {
    return this.runtimes;
  }

  /** by id or alias: `cpp`, `c++`, `Python3` */
  find(name: string): T | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** by a file's extension: `hello.cpp` → cpp */
  forFile(fileName: string): T | undefined {
    return this.byExtension.get(path.extname(fileName).toLowerCase());
  }

  ids(): string[] {
    return this.runtimes.map((rt) => rt.id);
  }
}

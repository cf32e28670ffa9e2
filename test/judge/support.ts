/**
 * Shared by the judge tests: a real sandbox, the languages of the host root, and the
 * checkers, validators and interactors of test/judge/programs as a judge takes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { before } from 'node:test';
import { judge } from '@codebox/judge';
import type { CompileCache, Interactor, JudgeHooks, JudgeRequest, JudgeResult, ProgramChecker } from '@codebox/judge';
import { detectRuntimes, LANGUAGES } from '@codebox/runtimes';
import type { Compiled, DetectedRuntime } from '@codebox/runtimes';
import { useSandbox } from '../support.js';

export const PROGRAMS = path.join(import.meta.dirname, 'programs');

export function source(name: string): { name: string; content: string } {
  return { name, content: fs.readFileSync(path.join(PROGRAMS, name), 'utf8') };
}

/** a sandbox and the host root's languages for a describe block */
export function useJudge(): {
  run(
    language: string,
    request: Omit<JudgeRequest, 'files'> & { files: JudgeRequest['files'] },
    hooks?: JudgeHooks,
  ): Promise<JudgeResult>;
  runtime(language: string): DetectedRuntime;
  sandbox: ReturnType<typeof useSandbox>;
} {
  const sandbox = useSandbox();
  const runtimes = new Map<string, DetectedRuntime>();
  before(async () => {
    for (const rt of (await detectRuntimes(sandbox(), { name: 'host', path: undefined }, LANGUAGES)).found)
      runtimes.set(rt.id, rt);
  });
  const runtime = (language: string): DetectedRuntime => {
    const rt = runtimes.get(language);
    if (!rt) throw new Error(`the host root has no ${language}`);
    return rt;
  };
  return {
    sandbox,
    runtime,
    // a checker compiled once for the whole file, as a worker keeps it (a test may bring its own cache)
    run: (language, request, hooks) =>
      judge(sandbox(), runtime(language), { compileCache: memoryCache(), ...request }, undefined, hooks),
  };
}

const kept = new Map<string, Compiled>();
/** compiled programs kept in this process, as a worker's cache keeps them */
export function memoryCache(): CompileCache {
  return {
    get: async (key, make) => {
      const hit = kept.get(key);
      if (hit) return hit;
      const made = await make();
      kept.set(key, made);
      return made;
    },
  };
}

/** a checker program of test/judge/programs in its language */
export function checkerOf(
  j: { runtime(language: string): DetectedRuntime },
  name: string,
  extra: Partial<ProgramChecker> = {},
): ProgramChecker {
  return { type: 'program', runtime: j.runtime(languageOf(name)), files: [source(name)], ...extra };
}

export function interactorOf(
  j: { runtime(language: string): DetectedRuntime },
  name: string,
  extra: Partial<Interactor> = {},
): Interactor {
  return { runtime: j.runtime(languageOf(name)), files: [source(name)], ...extra };
}

function languageOf(name: string): string {
  return name.endsWith('.py') ? 'python' : 'cpp';
}

/** the solution's files: one source */
export const solution = (content: string) => [{ name: 'main', content }];

/** a python solution that reads two integers and prints what `answer` says of a and b */
export const printing = (answer: string) => solution(`a, b = map(int, input().split())\nprint(${answer})\n`);

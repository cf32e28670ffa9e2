/**
 * The problem's own programs: checkers and interactors, compiled once (through the
 * caller's cache when there is one: a worker keeps them per problem version) with our
 * testlib.h beside their sources unless they bring their own, and a checker run per
 * test by its protocol.
 *
 *   testlib   argv input.txt output.txt expected.txt; the message is what it printed
 *   kattis    argv input.txt expected.txt feedback/ [args…], the program's output on
 *             its stdin; the feedback directory read back after it exits
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { compileProgram, prepare, runCompiled } from '@codebox/runtimes';
import type { Compiled, ProgramPolicy, Runtime, SourceFile } from '@codebox/runtimes';
import { SpecError } from '@codebox/sandbox';
import type { RunResult, Sandbox } from '@codebox/sandbox';
import { placeAll } from './data.js';
import type { TestData } from './data.js';
import { kattisWord, testlibWord } from './outcomes.js';
import type { CheckerProtocol, CheckerWord } from './outcomes.js';

/** our testlib.h (include/testlib.h), put beside a compiled checker's or interactor's sources */
export const TESTLIB_H = new URL('../include/testlib.h', import.meta.url).pathname;
const TESTLIB = 'testlib.h';
/**
 * a header beside the sources is found by `#include "testlib.h"` alone; these put the
 * work dir on the include path, so a checker that writes `<testlib.h>` finds ours too
 */
const INCLUDE_HERE: Readonly<Record<string, readonly string[]>> = { c: ['-I.'], cpp: ['-I.'] };

/** names a problem's program may not take: its inputs and its feedback directory */
const RESERVED = new Set(['input.txt', 'output.txt', 'expected.txt']);
const RESERVED_DIRS = ['feedback', 'out'];
/** what is read back of a Kattis validator's feedback directory */
const FEEDBACK_BYTES = 1 << 20;

/**
 * Compiled programs kept by whoever runs the judge, by a key that names what was
 * compiled (the runtime and its version, the root, every source's bytes, our testlib.h).
 * get() answers the kept one or compiles it with make(); a compile that fails is not kept.
 */
export interface CompileCache {
  get(key: string, make: () => Promise<Compiled>): Promise<Compiled>;
}

export interface ProblemProgram {
  readonly runtime: Runtime;
  readonly files: readonly SourceFile[];
}

export type Role = 'checker' | 'interactor';

export async function compileOwn(
  sandbox: Sandbox,
  program: ProblemProgram,
  role: Role,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
  cache: CompileCache | undefined,
): Promise<Compiled> {
  program.files.forEach((f, i) => {
    if (RESERVED.has(f.name) || RESERVED_DIRS.some((d) => f.name === d || f.name.startsWith(`${d}/`)))
      throw new SpecError(
        `${role}.files[${i}].name`,
        `${f.name} is the ${role}'s input: no ${role} file may have that name`,
      );
  });
  const ours = program.runtime.compile !== undefined && !program.files.some((f) => f.name === TESTLIB);
  const files = ours ? [...program.files, { name: TESTLIB, content: testlibSource() }] : program.files;
  const make = async (signal: AbortSignal | undefined): Promise<Compiled> => {
    const include = ours ? INCLUDE_HERE[program.runtime.id] : undefined;
    const compiled = await compileProgram(
      sandbox,
      prepare(program.runtime, files),
      { ...rootfs, ...(include ? { compileArgs: include } : {}) },
      policy,
      signal ? { signal } : {},
    );
    if (!compiled.ok) {
      const why = `${compiled.result?.stderr.toString() ?? ''}${compiled.result?.stdout.toString() ?? ''}`
        .trim()
        .split('\n')
        .slice(0, 5)
        .join('\n');
      throw new SpecError(`${role}.files`, `the ${role} did not compile (${compiled.result?.status}): ${why}`);
    }
    // the header was for the compiler: the runs need only what it made
    return ours ? { ...compiled, files: compiled.files.filter((f) => f.path !== TESTLIB) } : compiled;
  };
  if (!cache) return make(signal);
  // a compile the cache shares between jobs is no one job's to stop: it runs to its end (and
  // is kept), and a job that is cancelled meanwhile stops waiting for it, alone
  const shared = cache.get(compileKey(program.runtime, files, rootfs.rootfs), () => make(undefined));
  return signal ? untilAborted(shared, signal, role) : shared;
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal, role: Role): Promise<T> {
  const stopped = (): SpecError => new SpecError(`${role}.files`, `the job was cancelled while its ${role} compiled`);
  if (signal.aborted) return Promise.reject(stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

let testlib: string | undefined;
function testlibSource(): string {
  return (testlib ??= fs.readFileSync(TESTLIB_H, 'utf8'));
}

/** what was compiled, in a name: the runtime, its version, the root, each file's name and bytes */
export function compileKey(runtime: Runtime, files: readonly SourceFile[], rootfs: string | undefined): string {
  const h = crypto.createHash('sha256');
  const version = 'version' in runtime ? String(runtime.version) : '';
  h.update(JSON.stringify([runtime.id, version, rootfs ?? '']));
  for (const f of files) {
    h.update(`\0${f.name}\0${Buffer.byteLength(f.content)}\0`);
    h.update(f.content);
  }
  return h.digest('hex');
}

export interface CheckerRun {
  readonly protocol: CheckerProtocol;
  /** after the protocol's own arguments */
  readonly args: readonly string[];
  readonly input: TestData | undefined;
  /** the contestant's output (or, after an interaction, the interactor's) */
  readonly output: Buffer;
  readonly expected: TestData;
}

/** one checker run: its word on the output */
export async function runChecker(
  sandbox: Sandbox,
  checker: Compiled,
  c: CheckerRun,
  rootfs: { rootfs?: string },
  policy: ProgramPolicy | undefined,
  signal: AbortSignal | undefined,
): Promise<CheckerWord> {
  const abort = signal ? { signal } : {};
  if (c.protocol === 'testlib') {
    const data = placeAll([
      [c.input, 'input.txt'],
      [c.output, 'output.txt'],
      [c.expected, 'expected.txt'],
    ]);
    const r = await runCompiled(
      sandbox,
      { ...checker, files: [...checker.files, ...data.files] },
      { args: ['input.txt', 'output.txt', 'expected.txt', ...c.args], binds: data.binds, ...rootfs },
      policy,
      abort,
    );
    return testlibWord(r, `${r.stdout.toString()}${r.stderr.toString()}`);
  }
  const data = placeAll([
    [c.input, 'input.txt'],
    [c.expected, 'expected.txt'],
  ]);
  const r = await runCompiled(
    sandbox,
    { ...checker, files: [...checker.files, ...data.files] },
    {
      args: ['input.txt', 'expected.txt', 'feedback/', ...c.args],
      stdin: c.output,
      binds: data.binds,
      mkdir: 'feedback',
      collect: FEEDBACK,
      ...rootfs,
    },
    policy,
    abort,
  );
  return kattisWord(r, feedbackOf(r), `${r.stdout.toString()}${r.stderr.toString()}`);
}

/**
 * a Kattis validator's feedback directory, read back however it ended: it answers by a
 * non-zero exit (42, 43), and what ended it otherwise is judged by its status, not its files
 */
export const FEEDBACK = { patterns: ['feedback/**'], always: true, maxBytes: FEEDBACK_BYTES } as const;

/** its files by name (judgemessage.txt, score.txt) */
export function feedbackOf(r: RunResult): Map<string, string> {
  return new Map((r.files ?? []).map((f) => [f.path.slice('feedback/'.length), f.content.toString('utf8')]));
}

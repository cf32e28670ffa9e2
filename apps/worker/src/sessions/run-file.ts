/**
 * `{"run": "main.cpp"}` in a session: a workspace file compiled and run with its
 * language's own steps, as the runtime table declares them for jobs (packages/runtimes:
 * each runtime's compile and run commands, its environment, the files its compiler
 * needs). Pure: the plan is made here and carried out by the session's commands.
 *
 * Both steps run in the command's directory (the workspace, or its cwd), with the file and
 * its sources as given, relative to it: a C or C++ program is built as `main` there and
 * run as `./main`, as a job's is in its box. The language is the file's extension's, else
 * the session's.
 */
import { BASE_ENV, operand } from '@codebox/runtimes';
import type { Registry, Runtime } from '@codebox/runtimes';
import type { FileSpec, Limits } from '@codebox/sandbox';
import { refuse } from './errors.js';

export interface RunRequest {
  readonly run: string;
  readonly sources?: readonly string[];
  readonly args?: readonly string[];
  readonly compileArgs?: readonly string[];
}

export interface RunStep {
  readonly stage: 'compile' | 'run';
  readonly argv: readonly string[];
}

export interface RunPlan {
  readonly runtime: Runtime;
  readonly steps: readonly RunStep[];
  /** the runtime's environment, over the base every step starts from */
  readonly env: Readonly<Record<string, string>>;
  /** files the compile step needs beside the program's (TypeScript's globals), written before it and removed after */
  readonly helpers: readonly FileSpec[];
}

/** the runtime a file is in: its extension's, else the session's language */
export function runtimeFor(registry: Registry<Runtime>, file: string, language: string | undefined): Runtime {
  const rt = registry.forFile(file) ?? (language === undefined ? undefined : registry.find(language));
  if (!rt)
    throw refuse(
      'UNKNOWN_LANGUAGE',
      `run: no language of this worker has the extension of ${JSON.stringify(file)}, and the session names none`,
      { field: 'run', known: registry.ids() },
    );
  return rt;
}

/**
 * The steps for the file. `entrySource` is the file's text, for a language whose text says
 * what runs (Java's main class); limits are the session's (the JVM sizes its heap from them).
 */
export function planRun(runtime: Runtime, request: RunRequest, limits: Limits, entrySource: string): RunPlan {
  if (!runtime.compile && (request.sources?.length || request.compileArgs?.length))
    throw refuse(
      'INVALID_REQUEST',
      `${request.sources?.length ? 'sources' : 'compileArgs'}: ${runtime.id} has no compile step`,
      {
        field: request.sources?.length ? 'sources' : 'compileArgs',
      },
    );
  const plan = runtime.entry?.(entrySource) ?? {};
  const entry = operand(request.run);
  const ctx = {
    limits,
    entry,
    sources: [entry, ...(request.sources ?? []).map(operand)],
    extraArgs: request.compileArgs ?? [],
    ...(plan.main ? { main: plan.main } : {}),
  };
  const steps: RunStep[] = [];
  if (runtime.compile) steps.push({ stage: 'compile', argv: runtime.compile(ctx) });
  steps.push({ stage: 'run', argv: [...runtime.run(ctx), ...(request.args ?? [])] });
  return { runtime, steps, env: { ...BASE_ENV, ...runtime.env?.(limits) }, helpers: runtime.compileFiles ?? [] };
}

/**
 * A problem as every format is translated to it (JSON, a Polygon package, a Kattis
 * problem directory) before anything is stored: its files are sources (bytes, or an
 * entry of the uploaded archive), checked as the wire checks a problem, then stored as
 * blobs and committed as a version (store.ts).
 */
import type { ProblemDefinition, ProblemProgram, ProblemTest } from '@codebox/jobs';
import type { CheckerInput, ProgramCheckerInput, RuntimeInfo } from '@codebox/protocol';

export type Source = { readonly bytes: Buffer } | { readonly entry: string };

/** a problem being uploaded: its files still sources */
export type Draft = ProblemDefinition<Source>;
export type DraftProgram = ProblemProgram<Source>;
export type DraftTest = ProblemTest<Source>;

/** the draft as protocol's checkProblem reads it: names, points, groups, programs, limits */
export function checkable(draft: Draft) {
  const program = <P extends DraftProgram>(p: P) => ({
    ...p,
    files: p.files.map((f) => ({ name: f.name, content: '' })),
    args: [...(p.args ?? [])],
  });
  return {
    tests: draft.tests.map((t) => ({
      ...(t.name === undefined ? {} : { name: t.name }),
      ...(t.points === undefined ? {} : { points: t.points }),
    })),
    ...(draft.groups ? { groups: draft.groups.map((g) => ({ ...g })) } : {}),
    ...(draft.limits ? { limits: draft.limits } : {}),
    ...(draft.checker === undefined
      ? {}
      : {
          checker:
            typeof draft.checker === 'object' && draft.checker.type === 'program'
              ? (program(draft.checker) as ProgramCheckerInput)
              : (draft.checker as CheckerInput),
        }),
    ...(draft.interactor ? { interactor: program(draft.interactor) as never } : {}),
  };
}

/**
 * A program's language from its file names: the first runtime whose extensions one of
 * them has (a Kattis validator, a Polygon source whose type names no language we know).
 */
export function languageByExtension(names: readonly string[], runtimes: readonly RuntimeInfo[]): string | undefined {
  for (const name of names) {
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.')).toLowerCase() : '';
    const rt = runtimes.find((r) => r.extensions.includes(ext));
    if (rt) return rt.id;
  }
  return undefined;
}

/** A stored problem as GET shows it: what it judges with, its data by size, never its bytes. */
import type { StoredProblem, StoredProgram } from '@codebox/jobs';
import type { ProblemView, ProgramView } from '@codebox/protocol';

export function problemView(p: StoredProblem, versions: number[]): ProblemView {
  return {
    id: p.id,
    version: p.version,
    versions,
    ...(p.name === undefined ? {} : { name: p.name }),
    createdAt: p.createdAt,
    format: p.format,
    bytes: p.bytes,
    ...(p.limits ? { limits: p.limits } : {}),
    ...(p.stopOnFirstFailure === undefined ? {} : { stopOnFirstFailure: p.stopOnFirstFailure }),
    tests: p.tests.map((t) => ({
      ...(t.name === undefined ? {} : { name: t.name }),
      stdinBytes: t.stdin?.size ?? 0,
      expectedOutputBytes: t.expectedOutput.size,
      ...(t.points === undefined ? {} : { points: t.points }),
    })),
    ...(p.groups ? { groups: [...p.groups] } : {}),
    ...(p.checker === undefined
      ? {}
      : {
          checker:
            typeof p.checker === 'object' && p.checker.type === 'program'
              ? { type: 'program', ...programView(p.checker) }
              : (p.checker as Exclude<ProblemView['checker'], ProgramView | undefined>),
        }),
    ...(p.interactor ? { interactor: programView(p.interactor) } : {}),
  };
}

function programView(p: StoredProgram): ProgramView {
  return {
    language: p.language,
    ...(p.protocol ? { protocol: p.protocol } : {}),
    files: p.files.map((f) => f.name),
    ...(p.args?.length ? { args: [...p.args] } : {}),
    ...(p.points ? { points: p.points } : {}),
  };
}

/** A problem sent as JSON (ProblemRequest, checked): its strings decoded into the draft's bytes. */
import type { FileInput, ProblemRequest } from '@codebox/protocol';
import type { Draft, DraftProgram } from '../draft.js';

export function fromJson(request: ProblemRequest): Draft {
  const { checker, interactor } = request;
  const program = (p: {
    language: string;
    files: FileInput[];
    protocol?: string;
    args?: string[];
    points?: string;
  }): DraftProgram => ({
    language: p.language,
    files: p.files.map((f, i) => ({
      name: f.name ?? (i === 0 ? 'main' : `file${i}`),
      data: { bytes: Buffer.from(f.content, f.encoding === 'base64' ? 'base64' : 'utf8') },
    })),
    ...(p.protocol ? { protocol: p.protocol } : {}),
    ...(p.args ? { args: p.args } : {}),
    ...(p.points ? { points: p.points } : {}),
  });
  return {
    format: 'json',
    ...(request.name === undefined ? {} : { name: request.name }),
    ...(request.limits ? { limits: request.limits } : {}),
    ...(request.stopOnFirstFailure === undefined ? {} : { stopOnFirstFailure: request.stopOnFirstFailure }),
    tests: request.tests.map((t) => {
      const encoding = t.encoding === 'base64' ? 'base64' : 'utf8';
      return {
        ...(t.name === undefined ? {} : { name: t.name }),
        ...(t.stdin === undefined ? {} : { stdin: { bytes: Buffer.from(t.stdin, encoding) } }),
        expectedOutput: { bytes: Buffer.from(t.expectedOutput, encoding) },
        ...(t.points === undefined ? {} : { points: t.points }),
      };
    }),
    ...(request.groups ? { groups: request.groups } : {}),
    ...(checker === undefined
      ? {}
      : {
          checker:
            typeof checker === 'object' && checker.type === 'program'
              ? { type: 'program' as const, ...program(checker) }
              : checker,
        }),
    ...(interactor ? { interactor: program(interactor) } : {}),
  };
}

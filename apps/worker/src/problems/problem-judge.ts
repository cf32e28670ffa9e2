/**
 * A job against a stored problem, as the judge takes it: the version the API pinned,
 * read once per worker (kept by its digest, which changes with any change), its blobs in
 * the local cache (fetched only when absent, held for the job), its tests as files there
 * (stdin streamed from them, checkers given them bound), its checker's and interactor's
 * sources read from there, its limits under the job's own.
 */
import type { JudgeRequest } from '@codebox/judge';
import { blobsOf, BlobUnreadableError } from '@codebox/jobs';
import type { ProblemStore, QueuedProblem, StoredProblem, StoredProgram } from '@codebox/jobs';
import { checkerOf, groupsOf, interactorOf, programRequest } from '@codebox/model';
import type { FindRuntime, ProgramSpec } from '@codebox/model';
import type { JobRequest } from '@codebox/protocol';
import type { CompileCache } from '@codebox/judge';
import { SpecError } from '@codebox/sandbox';
import type { BlobCache } from './blob-cache.js';

/** definitions kept in memory, by digest */
const KEPT_DEFINITIONS = 32;

export class ProblemJudge {
  private readonly definitions = new Map<string, StoredProblem>();

  constructor(
    private readonly store: ProblemStore,
    private readonly cache: BlobCache,
  ) {}

  /** the pinned version's definition; undefined when it has been deleted since */
  async definition(p: QueuedProblem): Promise<StoredProblem | undefined> {
    const kept = this.definitions.get(p.digest);
    if (kept) return kept;
    const found = await this.store.get(p.owner, p.id, p.version);
    if (!found) return undefined;
    this.definitions.set(p.digest, found);
    for (const key of this.definitions.keys()) {
      if (this.definitions.size <= KEPT_DEFINITIONS) break;
      this.definitions.delete(key);
    }
    return found;
  }

  /** the languages the problem's own programs need of a worker */
  static languages(problem: StoredProblem): string[] {
    return [problem.checker, problem.interactor]
      .filter((p): p is StoredProgram => typeof p === 'object' && 'files' in p)
      .map((p) => p.language);
  }

  /**
   * The judge's request for this job, with its blobs held in the cache until release():
   * call it on every path once the judge is done.
   */
  async request(
    problem: StoredProblem,
    job: JobRequest,
    rootfs: string | undefined,
    find: FindRuntime,
    keepOutputBytes: number,
    compileCache: CompileCache,
  ): Promise<{ request: JudgeRequest; release(): void }> {
    const release = this.cache.hold(blobsOf(problem));
    try {
      const { stdin: _stdin, ...program } = programRequest(
        { ...job, limits: { ...problem.limits, ...job.limits } },
        rootfs,
      );
      const tests = [];
      for (const t of problem.tests) {
        tests.push({
          ...(t.name === undefined ? {} : { name: t.name }),
          ...(t.stdin ? { stdin: { path: await this.cache.path(t.stdin) } } : {}),
          expectedOutput: { path: await this.cache.path(t.expectedOutput) },
          ...(t.points === undefined ? {} : { points: t.points }),
        });
      }
      const stop = job.stopOnFirstFailure ?? problem.stopOnFirstFailure;
      const checker = problem.checker;
      const request: JudgeRequest = {
        ...program,
        tests,
        ...(problem.groups ? { groups: groupsOf(problem.tests, problem.groups) } : {}),
        ...(checker === undefined
          ? {}
          : {
              checker: checkerOf(
                typeof checker === 'object' && checker.type === 'program'
                  ? { type: 'program', ...(await this.spec(checker)) }
                  : checker,
                find,
              ),
            }),
        ...(problem.interactor ? { interactor: interactorOf(await this.spec(problem.interactor), find) } : {}),
        ...(stop ? { stopOnFirstFailure: true } : {}),
        keepOutputBytes,
        compileCache,
      };
      return { request, release };
    } catch (err) {
      release();
      // its data gone (deleted meanwhile) is the request's fault; Redis away is ours
      if (err instanceof BlobUnreadableError)
        throw new SpecError('problem', `${problem.id}@${problem.version} could not be read: ${err.message}`);
      throw err;
    }
  }

  /** a program's files from the cache, in memory: sources, small, and compiled once per version anyway */
  private async spec(p: StoredProgram): Promise<ProgramSpec> {
    const files = [];
    for (const f of p.files) files.push({ name: f.name, content: await this.cache.read(f.data) });
    return {
      language: p.language,
      files,
      ...(p.protocol ? { protocol: p.protocol } : {}),
      ...(p.args ? { args: p.args } : {}),
      ...(p.points ? { points: p.points } : {}),
    };
  }
}

/**
 * A Kattis problem directory (problem.yaml at its root) as a draft, as the problem
 * package format (legacy) describes it:
 *
 *   problem.yaml      type (pass-fail | scoring), limits.memory and limits.output (MiB),
 *                     limits.time_limit (seconds, as 2023-07 has it; else a .timelimit
 *                     file; else the server's default), validation (default | custom,
 *                     with score and interactive), validator_flags
 *   data/sample, data/secret and their sub-directories: test cases (.in, .ans), in
 *                     lexicographic order, groups before their sub-groups' cases in
 *                     the order of their names
 *   testdata.yaml     per directory, else its closest ancestor's: on_reject (break |
 *                     continue), grader_flags (sum, min, first_error, worst_error,
 *                     ignore_sample), accept_score, output_validator_flags
 *   output_validators/<name>   the one custom validator: 42 accepts, 43 rejects,
 *                     judgemessage.txt, score.txt; a single file or a directory whose
 *                     language its files' extensions name
 *
 * pass-fail: the tests in order, judging stops at the first rejection unless data's
 * on_reject is continue. scoring: each directory that holds test cases is a group worth
 * the sum (sum) or the largest (min) of its cases' accept_score; a case's score.txt is
 * points of that; with on_reject break (the default) a group with a rejected case scores
 * nothing. The samples score nothing. The default validator compares tokens (case-blind
 * unless case_sensitive), numbers within float_tolerance, float_absolute_tolerance,
 * float_relative_tolerance.
 *
 * Refused, naming what: custom graders, avg and max grading, a reject_score that is not
 * 0, space_change_sensitive, build/run scripts, include/ (code added to submissions),
 * more than one output validator, validator flags that differ between groups.
 */
import yaml from 'js-yaml';
import { ApiError, PROBLEM_MAX_GROUPS, PROBLEM_MAX_TESTS } from '@codebox/protocol';
import type { CheckerInput, GroupInput, ProgramCheckerInput, RequestLimits, RuntimeInfo } from '@codebox/protocol';
import type { Draft, DraftProgram, DraftTest } from '../draft.js';
import { languageByExtension } from '../draft.js';
import type { PackageFiles } from './polygon.js';

export interface KattisFiles extends PackageFiles {
  /** every file's path */
  readonly names: readonly string[];
}

interface TestdataSettings {
  readonly on_reject?: string;
  readonly grading?: string;
  readonly grader_flags?: string;
  readonly accept_score?: number;
  readonly reject_score?: number;
  readonly output_validator_flags?: string;
}

const MiB = 1 << 20;

export async function fromKattis(pkg: KattisFiles, runtimes: readonly RuntimeInfo[]): Promise<Draft> {
  const meta = await yamlOf(pkg, 'problem.yaml');
  if (pkg.names.some((n) => n.startsWith('include/')))
    throw bad('include/', 'code added to every submission is not supported');
  const scoring = meta.type === 'scoring';
  if (meta.type !== undefined && meta.type !== 'pass-fail' && !scoring)
    throw bad('problem.yaml type', `${JSON.stringify(meta.type)} is neither pass-fail nor scoring`);
  const validation = text(meta.validation, 'problem.yaml validation', 'default').split(/\s+/);
  const flags = text(meta.validator_flags, 'problem.yaml validator_flags', '').split(/\s+/).filter(Boolean);
  const dirs = await groupDirs(pkg);
  const groupFlags = new Set(
    dirs.map((d) => text(d.settings.output_validator_flags, `${d.path} testdata.yaml output_validator_flags`, '')),
  );
  if (groupFlags.size > 1)
    throw bad('testdata.yaml output_validator_flags', 'flags that differ between groups are not supported');
  flags.push(...([...groupFlags][0] ?? '').split(/\s+/).filter(Boolean));
  const tests = dirs.flatMap((d) => d.tests);
  const root = dirs.find((d) => d.path === 'data')?.settings ?? (await settingsFor(pkg, 'data'));
  const custom = validation[0] === 'custom';
  const validator = custom ? kattisValidator(pkg, runtimes) : undefined;
  const points = validation.includes('score') ? { points: 'absolute' } : {};
  return {
    format: 'kattis',
    ...(typeof meta.name === 'string' ? { name: meta.name } : {}),
    limits: await limitsOf(pkg, meta),
    tests: scoring ? tests : tests.map(({ points: _p, ...t }) => t),
    ...(scoring ? { groups: dirs.filter((d) => d.tests.length > 0).map((d) => d.group) } : {}),
    ...(!scoring ? { stopOnFirstFailure: (root.on_reject ?? 'break') === 'break' } : {}),
    ...(validator && validation.includes('interactive')
      ? { interactor: { ...validator, protocol: 'kattis', args: flags, ...points } }
      : validator
        ? { checker: { type: 'program' as const, ...validator, protocol: 'kattis', args: flags, ...points } }
        : { checker: defaultValidator(flags) }),
  };
}

interface GroupDir {
  readonly path: string;
  readonly settings: TestdataSettings;
  readonly tests: DraftTest[];
  readonly group: GroupInput;
}

/** every directory of data/ with its settings and test cases, sample first, then in name order */
async function groupDirs(pkg: KattisFiles): Promise<GroupDir[]> {
  const cases = pkg.names.filter((n) => n.startsWith('data/') && n.endsWith('.in'));
  if (!cases.some((n) => n.startsWith('data/secret/'))) throw bad('data/secret', 'has no test case (.in and .ans)');
  // before any work: the JSON upload's bounds; then each directory's cases in one pass
  // (a filter of every case per directory was quadratic)
  if (cases.length > PROBLEM_MAX_TESTS) throw bad('data', `has over ${PROBLEM_MAX_TESTS} test cases`);
  const byDir = new Map<string, string[]>();
  for (const n of cases) {
    const dir = n.slice(0, n.lastIndexOf('/'));
    const mine = byDir.get(dir) ?? [];
    if (mine.length === 0) byDir.set(dir, mine);
    mine.push(n);
  }
  if (byDir.size > PROBLEM_MAX_GROUPS)
    throw bad('data', `has test cases in over ${PROBLEM_MAX_GROUPS} directories (each a group)`);
  const dirs = [...byDir.keys()];
  const order = (d: string) => (d === 'data/sample' || d.startsWith('data/sample/') ? `0${d}` : `1${d}`);
  dirs.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const out: GroupDir[] = [];
  for (const dir of dirs) {
    const settings = await settingsFor(pkg, dir);
    checkGrading(settings, dir);
    const sample = dir === 'data/sample' || dir.startsWith('data/sample/');
    const accept = sample ? 0 : (settings.accept_score ?? 1);
    const names = (byDir.get(dir) ?? []).sort();
    const tests = names.map((input): DraftTest => {
      const answer = `${input.slice(0, -3)}.ans`;
      if (!pkg.has(answer)) throw bad(answer, `${input} has no answer file`);
      return {
        name: input.slice('data/'.length, -3),
        stdin: { entry: input },
        expectedOutput: { entry: answer },
        points: accept,
      };
    });
    const flags = (settings.grader_flags ?? '').split(/\s+/);
    const min = flags.lastIndexOf('min') > flags.lastIndexOf('sum');
    const breaks = (settings.on_reject ?? 'break') === 'break';
    out.push({
      path: dir,
      settings,
      tests: min ? tests.map(({ points: _p, ...t }) => t) : tests,
      group: {
        id: dir.slice('data/'.length),
        scoring: min ? 'min' : breaks ? 'all' : 'sum',
        ...(min ? { points: accept } : {}),
        tests: tests.map((t) => t.name as string),
      },
    });
  }
  return out;
}

function checkGrading(s: TestdataSettings, dir: string): void {
  if (s.grading === 'custom') throw bad(`${dir} testdata.yaml grading`, 'custom graders are not supported');
  for (const flag of (s.grader_flags ?? '').split(/\s+/).filter(Boolean))
    if (!['sum', 'min', 'first_error', 'worst_error', 'ignore_sample'].includes(flag))
      throw bad(`${dir} testdata.yaml grader_flags`, `${flag} is not supported`);
  if ((s.reject_score ?? 0) !== 0) throw bad(`${dir} testdata.yaml reject_score`, 'only 0 is supported');
  if (s.on_reject !== undefined && s.on_reject !== 'break' && s.on_reject !== 'continue')
    throw bad(`${dir} testdata.yaml on_reject`, 'is neither break nor continue');
}

/** a directory's testdata.yaml, else its closest ancestor's (up to data/), else the defaults */
async function settingsFor(pkg: PackageFiles, dir: string): Promise<TestdataSettings> {
  for (let d = dir; d.startsWith('data'); d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') {
    if (pkg.has(`${d}/testdata.yaml`)) return yamlOf(pkg, `${d}/testdata.yaml`);
  }
  return {};
}

function kattisValidator(pkg: KattisFiles, runtimes: readonly RuntimeInfo[]): DraftProgram {
  const files = pkg.names.filter((n) => n.startsWith('output_validators/'));
  const programs = [...new Set(files.map((n) => n.split('/')[1] as string))];
  if (programs.length !== 1)
    throw bad(
      'output_validators',
      programs.length === 0
        ? 'validation is custom, but there is no validator'
        : 'more than one validator is not supported',
    );
  const mine = files.filter((n) => n.split('/')[1] === programs[0]);
  if (mine.some((n) => /\/(build|run)$/.test(n)))
    throw bad('output_validators', 'build and run scripts are not supported');
  const language = languageByExtension(mine, runtimes);
  if (!language) throw bad('output_validators', `no worker language compiles ${mine.join(', ')}`);
  const ext = (n: string) => n.slice(n.lastIndexOf('.'));
  const own = runtimes.find((r) => r.id === language)?.extensions ?? [];
  // the language's own sources first: the entry is the first
  const sorted = [...mine].sort(
    (a, b) => Number(!own.includes(ext(a))) - Number(!own.includes(ext(b))) || (a < b ? -1 : 1),
  );
  const dir =
    mine.length === 1 && mine[0]?.split('/').length === 2 ? 'output_validators/' : `output_validators/${programs[0]}/`;
  return { language, files: sorted.map((n) => ({ name: n.slice(dir.length), data: { entry: n } })) };
}

/** the default output validator: tokens, case-blind unless case_sensitive, numbers within a tolerance */
function defaultValidator(flags: readonly string[]): Exclude<CheckerInput, ProgramCheckerInput> {
  const value = (name: string): number | undefined => {
    const i = flags.indexOf(name);
    if (i < 0) return undefined;
    const v = Number(flags[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw bad('problem.yaml validator_flags', `${name} needs a number`);
    return v;
  };
  if (flags.includes('space_change_sensitive'))
    throw bad('problem.yaml validator_flags', 'space_change_sensitive is not supported');
  const both = value('float_tolerance');
  const absolute = value('float_absolute_tolerance') ?? both;
  const relative = value('float_relative_tolerance') ?? both;
  const ignoreCase = !flags.includes('case_sensitive');
  if (absolute === undefined && relative === undefined) return { type: 'tokens', ignoreCase };
  return { type: 'float', absolute: absolute ?? 0, relative: relative ?? 0, ignoreCase };
}

async function limitsOf(pkg: PackageFiles, meta: Record<string, unknown>): Promise<RequestLimits> {
  const limits = (meta.limits ?? {}) as Record<string, unknown>;
  const mib = (key: string): number | undefined => {
    const v = limits[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !(v > 0)) throw bad(`problem.yaml limits.${key}`, 'must be a number of MiB');
    return Math.round(v * MiB);
  };
  let seconds: unknown = limits.time_limit;
  if (seconds === undefined && pkg.has('.timelimit')) seconds = Number((await pkg.text('.timelimit')).trim());
  if (seconds !== undefined && (typeof seconds !== 'number' || !(seconds > 0)))
    throw bad(
      limits.time_limit === undefined ? '.timelimit' : 'problem.yaml limits.time_limit',
      'must be a number of seconds',
    );
  const cpuMs = typeof seconds === 'number' ? Math.ceil(seconds * 1000) : undefined;
  const memoryBytes = mib('memory');
  const outputBytes = mib('output');
  return {
    ...(cpuMs === undefined ? {} : { cpuMs, wallMs: 2 * cpuMs + 100 }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(outputBytes === undefined ? {} : { outputBytes }),
  };
}

async function yamlOf(pkg: PackageFiles, name: string): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    doc = yaml.load(await pkg.text(name), { schema: yaml.JSON_SCHEMA });
  } catch (err) {
    throw bad(name, `is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw bad(name, 'is not a YAML map');
  return doc as Record<string, unknown>;
}

/** a YAML value that must be text (a number is taken as written) */
function text(value: unknown, field: string, fallback: string): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  throw bad(field, 'must be a string');
}

function bad(field: string, why: string): ApiError {
  return new ApiError('INVALID_REQUEST', `${field}: ${why}`, { field });
}

/**
 * Piston's names for our runtimes, its runtime list, and how it finds one: by name or
 * alias, and a version that is `*`, exact or a semver range — or, with resolveVersions,
 * any version: clients name the versions of Piston's packages (3.10.0, 18.15.0, 15.0.2),
 * and then the installed one of the language runs, the answer's `version` saying which.
 */
import semver from 'semver';
import { findRuntime } from '@codebox/protocol';
import type { RuntimeInfo } from '@codebox/protocol';

/** Piston's language names where they differ from ours */
const PISTON_NAMES: Readonly<Record<string, string>> = { cpp: 'c++' };

/**
 * The aliases of Piston's packages for our languages (each package's metadata.json,
 * every version of it), beside our own: a client that names a language as Piston does
 * finds ours. Deno's (deno, deno-ts, deno-js) are left out: another runtime, whose
 * programs ours would not run the same; so is python2, a language of its own.
 */
const PISTON_ALIASES: Readonly<Record<string, readonly string[]>> = {
  bash: ['sh'],
  c: ['gcc'],
  cpp: ['cpp', 'g++'],
  go: ['go', 'golang'],
  javascript: ['node-javascript', 'node-js', 'javascript', 'js'],
  lua: ['lua'],
  php: ['php8', 'html'],
  python: ['py', 'py3', 'python3', 'python3.10', 'python3.11', 'python3.12'],
  ruby: ['ruby3', 'rb'],
  rust: ['rs'],
  typescript: ['ts', 'node-ts', 'tsc', 'typescript5', 'ts5'],
};

export const pistonName = (rt: RuntimeInfo): string => PISTON_NAMES[rt.id] ?? rt.id;

/** every name a runtime answers to on Piston's wire but its Piston name: ours, then Piston's */
const pistonAliases = (rt: RuntimeInfo): string[] =>
  [...new Set([rt.id, ...rt.aliases, ...(PISTON_ALIASES[rt.id] ?? [])])].filter((a) => a !== pistonName(rt));

export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

/**
 * Piston's package for a language where it is not the language's name: a package whose
 * metadata.json `provides` it (gcc provides c and c++, node javascript). Piston's
 * typescript package is a language of its own, with no `provides`.
 */
const PISTON_PACKAGES: Readonly<Record<string, string>> = { c: 'gcc', cpp: 'gcc', javascript: 'node' };

/** `runtime` is the providing package, as Piston lists it; a language that is its own package has none */
export function pistonRuntimes(runtimes: readonly RuntimeInfo[]): PistonRuntime[] {
  return runtimes.map((rt) => {
    const runtime = PISTON_PACKAGES[rt.id];
    return {
      language: pistonName(rt),
      version: rt.version,
      aliases: pistonAliases(rt),
      ...(runtime ? { runtime } : {}),
    };
  });
}

/** what `ppman list` reads (GET /api/v2/packages) */
export interface PistonPackage {
  language: string;
  language_version: string;
  installed: boolean;
}

/** the installed runtimes as Piston's packages, each package and version once */
export function pistonPackages(runtimes: readonly RuntimeInfo[]): PistonPackage[] {
  const packages = new Map<string, PistonPackage>();
  for (const rt of runtimes) {
    const language = PISTON_PACKAGES[rt.id] ?? pistonName(rt);
    packages.set(`${language} ${rt.version}`, { language, language_version: rt.version, installed: true });
  }
  return [...packages.values()];
}

/**
 * By Piston name or alias (case aside), and a version that is `*`, exact or a semver
 * range; with resolveVersions any version, or range, the installed one does not match
 * runs the installed one — but what is no version at all (`banana`) is still unknown.
 */
export function findPistonRuntime(
  runtimes: readonly RuntimeInfo[],
  language: string,
  version: string,
  resolveVersions: boolean,
): RuntimeInfo | undefined {
  const name = language.toLowerCase();
  const rt =
    runtimes.find((r) => pistonName(r) === name) ??
    findRuntime(runtimes, name) ??
    runtimes.find((r) => PISTON_ALIASES[r.id]?.includes(name));
  if (!rt) return undefined;
  if (versionMatches(rt.version, version)) return rt;
  return resolveVersions && isVersion(version) ? rt : undefined;
}

/** `*`, the version itself, or a semver range it satisfies (a compiler's 12 is coerced to 12.0.0) */
function versionMatches(have: string, asked: string): boolean {
  const coerced = semver.coerce(have)?.version ?? have;
  return asked === '*' || asked === have || (semver.validRange(asked) !== null && semver.satisfies(coerced, asked));
}

/** a version or a range, however loosely written (3.10.0-alpha.7, >=4, 5) */
const isVersion = (asked: string): boolean => semver.validRange(asked) !== null || semver.coerce(asked) !== null;

/**
 * Piston's names for our runtimes, its runtime list, and how it finds one: by name or
 * alias, and a version that is `*`, exact or a semver range.
 */
import semver from 'semver';
import { findRuntime } from '@codebox/protocol';
import type { RuntimeInfo } from '@codebox/protocol';

/** Piston's language names where they differ from ours */
const PISTON_NAMES: Readonly<Record<string, string>> = { cpp: 'c++' };

export const pistonName = (rt: RuntimeInfo): string => PISTON_NAMES[rt.id] ?? rt.id;

export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

export function pistonRuntimes(runtimes: readonly RuntimeInfo[]): PistonRuntime[] {
  return runtimes.map((rt) => {
    const language = pistonName(rt);
    return {
      language,
      version: rt.version,
      aliases: [...new Set([rt.id, ...rt.aliases])].filter((a) => a !== language),
      ...(rt.id === 'javascript' || rt.id === 'typescript' ? { runtime: 'node' } : {}),
    };
  });
}

/** Piston's package for a language where it is not the language's name (gcc provides c and c++) */
const PISTON_PACKAGES: Readonly<Record<string, string>> = { c: 'gcc', cpp: 'gcc', javascript: 'node' };

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

/** by Piston name or alias, and a version that is `*`, exact or a semver range */
export function findPistonRuntime(
  runtimes: readonly RuntimeInfo[],
  language: string,
  version: string,
): RuntimeInfo | undefined {
  const rt = runtimes.find((r) => pistonName(r) === language) ?? findRuntime(runtimes, language);
  if (!rt) return undefined;
  const have = semver.coerce(rt.version)?.version ?? rt.version;
  return version === '*' ||
    version === rt.version ||
    (semver.validRange(version) !== null && semver.satisfies(have, version))
    ? rt
    : undefined;
}
